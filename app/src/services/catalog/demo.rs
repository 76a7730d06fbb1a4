//! The demo catalogue: a few hand-written products every test knows, and as many generated ones
//! as asked (`server seed --products N`): a category tree, products with 1–6 variants over
//! sizes and colours, offers, stock levels, pictures drawn here (a dozen, shared), and reviews by
//! demo customers. Generated from a fixed seed, so two runs make the same shop; written in
//! batches, so 10 000 products take seconds.

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use sqlx::{Postgres, Transaction};
use uuid::Uuid;

use super::{images, imaging, store_price};
use crate::domain::catalog::editing::{ProductFields, VariantFields};
use crate::domain::catalog::{CategoryFields, ProductStatus};
use crate::domain::{CategoryId, Money};
use crate::repositories::catalog::{self as repo, bulk, editing as edit_repo};
use crate::services::ServiceError;
use crate::state::AppState;

/// What [`seed_demo_catalog`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded { products: usize },
    AlreadyHadProducts,
}

/// Demo products: (category, name, description, the option its variants differ by, [(sku,
/// variant, price in cents, stock)]).
type DemoProduct = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str, i64, i32)],
);

const DEMO_PRODUCTS: &[DemoProduct] = &[
    (
        "Apparel",
        "Canvas Tote Bag",
        "A sturdy cotton tote for the market run.",
        None,
        &[("TOTE-NAT", "Natural", 1800, 40)],
    ),
    (
        "Apparel",
        "Merino Beanie",
        "Warm, soft and itch-free.",
        Some("colour"),
        &[("BEANIE-GRY", "Grey", 2900, 15), ("BEANIE-NVY", "Navy", 2900, 0)],
    ),
    (
        "Apparel",
        "Linen Shirt",
        "Breathable linen for warm days.",
        Some("size"),
        &[
            ("LINEN-S", "S", 5900, 5),
            ("LINEN-M", "M", 5900, 8),
            ("LINEN-L", "L", 6100, 3),
        ],
    ),
    (
        "Kitchen",
        "Cast Iron Skillet",
        "Pre-seasoned 26 cm skillet that lasts a lifetime.",
        None,
        &[("SKILLET-26", "26 cm", 4500, 12)],
    ),
    (
        "Kitchen",
        "Pour-Over Coffee Set",
        "Ceramic dripper, glass carafe and 100 filters.",
        None,
        &[("POUROVER-SET", "Set", 3900, 7)],
    ),
    (
        "Kitchen",
        "Olive Wood Spoons",
        "Three hand-carved spoons.",
        None,
        &[("SPOONS-3", "Set of 3", 2450, 0)],
    ),
    (
        "Stationery",
        "Dot Grid Notebook",
        "A5, 160 pages of 100 gsm paper.",
        None,
        &[("NOTE-A5-DOT", "A5", 1650, 60)],
    ),
    (
        "Stationery",
        "Brass Fountain Pen",
        "Solid brass body, fine steel nib.",
        None,
        &[("PEN-BRASS-F", "Fine", 7400, 4)],
    ),
];

/// Fills an empty catalogue, in one transaction: the eight hand-written products above (the ones
/// tests and the end-to-end suite know), then `generated` more made up by [`generate`]. Does
/// nothing when any product exists, so it is safe to run on every start.
pub async fn seed_demo_catalog(state: &AppState, generated: usize) -> Result<SeedOutcome, ServiceError> {
    let mut tx = state.db.begin().await?;
    if repo::any_product_exists(&mut *tx).await? {
        return Ok(SeedOutcome::AlreadyHadProducts);
    }
    // Each product's document is written several times (product, variants, ratings): its
    // search terms once, at the end.
    crate::repositories::search::defer_terms(&mut *tx).await?;
    let mut categories = std::collections::HashMap::new();
    for (index, (category, name, description, option, variants)) in DEMO_PRODUCTS.iter().enumerate() {
        let category_id = match categories.get(category) {
            Some(id) => *id,
            None => {
                let new = CategoryFields {
                    parent_id: None,
                    name: (*category).to_owned(),
                    slug: category.to_lowercase(),
                    description: String::new(),
                    position: 0,
                };
                let id = repo::create_category(&mut *tx, &new).await?.id;
                categories.insert(*category, id);
                id
            }
        };
        let product = ProductFields {
            category_id: Some(category_id),
            name: (*name).to_owned(),
            slug: name.to_lowercase().replace(' ', "-"),
            description: (*description).to_owned(),
            status: ProductStatus::Active,
            featured: index % 3 == 0,
            seo_title: String::new(),
            seo_description: String::new(),
        };
        let product_id = edit_repo::create_product(&mut *tx, &product).await?;
        for (position, (sku, variant, cents, stock)) in variants.iter().enumerate() {
            let price = store_price(state, Money::new(Decimal::new(*cents, 2), state.shop.currency.clone()))?;
            let new = VariantFields {
                sku: (*sku).to_owned(),
                name: (*variant).to_owned(),
                // The variant's label is its value on the product's one option, if it has one.
                options: option
                    .map(|option| [(option.to_owned(), (*variant).to_owned())].into())
                    .unwrap_or_default(),
                price: price.amount,
                compare_at_price: None,
                stock: *stock,
                active: true,
                low_stock_threshold: 5,
                position: i32::try_from(position).unwrap_or_default(),
            };
            edit_repo::create_variant(&mut *tx, product_id, &new, &price.currency).await?;
        }
        tracing::debug!(event = "seed_product", index, name);
    }
    generate(state, &mut tx, generated).await?;
    add_pictures(state, &mut tx).await?;
    crate::repositories::search::rebuild_terms(&mut *tx).await?;
    tx.commit().await?;
    if generated > 0 {
        // The batches rewrote each search document several times (product, variants, ratings):
        // compacted, a search reads a third of the pages.
        crate::repositories::search::compact_documents(&state.db).await?;
        bulk::vacuum_loaded(&state.db).await?;
    }
    super::catalog_changed(state).await;
    Ok(SeedOutcome::Seeded {
        products: DEMO_PRODUCTS.len() + generated,
    })
}

/// How many different demo pictures products share.
const PICTURES: usize = 12;

/// The demo pictures, drawn, cleaned and rendered once per process (tests seed many databases).
fn demo_pictures() -> &'static [(imaging::Cleaned, Vec<imaging::RenditionFiles>)] {
    static MADE: OnceLock<Vec<(imaging::Cleaned, Vec<imaging::RenditionFiles>)>> = OnceLock::new();
    MADE.get_or_init(|| {
        (0..PICTURES)
            .filter_map(|index| {
                let cleaned = imaging::clean(&draw_picture(index)).ok()?;
                let files = imaging::renditions(&cleaned.bytes, cleaned.format).ok()?;
                Some((cleaned, files))
            })
            .collect()
    })
}

/// Colour pairs of the pictures' backgrounds and objects.
const PALETTE: [([u8; 3], [u8; 3]); 6] = [
    ([236, 229, 218], [155, 93, 62]),
    ([222, 234, 240], [44, 82, 130]),
    ([236, 240, 226], [82, 118, 72]),
    ([244, 228, 232], [160, 64, 92]),
    ([232, 230, 244], [88, 74, 150]),
    ([240, 236, 220], [196, 146, 40]),
];

/// A made-up product photo, 800×600: a soft background and one object (a disc, a box, a
/// striped parcel or a diamond) with a shadow — drawn here, nothing downloaded.
fn draw_picture(index: usize) -> Vec<u8> {
    let (background, object) = PALETTE[index % PALETTE.len()];
    let shape = index / PALETTE.len() + index;
    let picture = image::RgbImage::from_fn(800, 600, |x, y| {
        let (dx, dy) = (x as f32 - 400.0, y as f32 - 290.0);
        let inside = |dx: f32, dy: f32| match shape % 4 {
            0 => dx * dx + dy * dy < 190.0 * 190.0,
            1 => dx.abs() < 170.0 && dy.abs() < 170.0,
            2 => dx.abs() < 230.0 && dy.abs() < 130.0,
            _ => dx.abs() + dy.abs() < 220.0,
        };
        let shade = |c: [u8; 3], f: f32| c.map(|v| (f32::from(v) * f).clamp(0.0, 255.0) as u8);
        let light = 1.04 - (y as f32 / 600.0) * 0.12;
        if inside(dx, dy) {
            let stripe = shape % 4 == 2 && (x / 24) % 2 == 0;
            let lit = 1.15 - (dx + dy) / 900.0;
            image::Rgb(shade(object, if stripe { lit * 0.85 } else { lit }))
        } else if inside(dx - 18.0, dy - 22.0) {
            image::Rgb(shade(background, light * 0.82))
        } else {
            image::Rgb(shade(background, light))
        }
    });
    let mut bytes = Vec::new();
    // A JPEG like a camera's; `clean` re-encodes it as an upload would be.
    let _ = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92).encode_image(&picture);
    bytes
}

/// Stores the demo pictures and gives every product without images one to three of them.
async fn add_pictures(state: &AppState, tx: &mut Transaction<'static, Postgres>) -> Result<(), ServiceError> {
    let pictures = tokio::task::spawn_blocking(demo_pictures)
        .await
        .map_err(|err| ServiceError::Unexpected(format!("drawing the demo pictures panicked: {err}")))?;
    let mut stored = Vec::new();
    for (cleaned, files) in pictures {
        stored.push(images::store_prepared(state, cleaned, files).await?);
    }
    let Some(first) = stored.first() else {
        return Ok(());
    };
    let column = |f: fn(&images::StoredPicture) -> String| stored.iter().map(f).collect::<Vec<_>>();
    let sizes = |f: fn(&images::StoredPicture) -> i32| stored.iter().map(f).collect::<Vec<_>>();
    bulk::insert_demo_images(
        &mut **tx,
        &column(|p| p.hash.clone()),
        &column(|p| p.format.to_owned()),
        (&sizes(|p| p.width), &sizes(|p| p.height)),
        &first.widths,
    )
    .await?;
    Ok(())
}

/// A small, fast, deterministic generator (xorshift64*): demo data needs variety, not secrecy.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// How a kind of product varies.
#[derive(Clone, Copy)]
enum Axes {
    SizeAndColour,
    Size(&'static [&'static str]),
    Colour,
    None,
}

/// A kind of generated product: (top-level category, subcategory, nouns, how its products
/// vary, price range in whole units).
type Kind = (&'static str, &'static str, &'static [&'static str], Axes, (i64, i64));

const TREE: &[Kind] = &[
    (
        "Apparel",
        "T-Shirts",
        &["Tee", "Crew Neck", "Pocket Tee", "Henley"],
        Axes::SizeAndColour,
        (15, 45),
    ),
    (
        "Apparel",
        "Knitwear",
        &["Sweater", "Cardigan", "Beanie", "Scarf"],
        Axes::SizeAndColour,
        (25, 140),
    ),
    (
        "Apparel",
        "Outerwear",
        &["Rain Jacket", "Parka", "Gilet", "Windbreaker"],
        Axes::SizeAndColour,
        (60, 320),
    ),
    (
        "Kitchen",
        "Cookware",
        &["Skillet", "Saucepan", "Dutch Oven", "Wok"],
        Axes::Size(&["20 cm", "24 cm", "28 cm"]),
        (25, 260),
    ),
    (
        "Kitchen",
        "Tableware",
        &["Mug", "Plate", "Bowl", "Carafe"],
        Axes::Colour,
        (8, 60),
    ),
    (
        "Kitchen",
        "Coffee & Tea",
        &["Dripper", "Teapot", "Grinder", "Kettle"],
        Axes::Colour,
        (18, 180),
    ),
    (
        "Stationery",
        "Notebooks",
        &["Notebook", "Journal", "Sketchbook", "Planner"],
        Axes::Size(&["A6", "A5", "A4"]),
        (6, 40),
    ),
    (
        "Stationery",
        "Writing",
        &["Fountain Pen", "Pencil Set", "Fineliner", "Ink"],
        Axes::Colour,
        (4, 120),
    ),
    (
        "Outdoors",
        "Camping",
        &["Tent", "Sleeping Bag", "Lantern", "Camp Stool"],
        Axes::Colour,
        (20, 450),
    ),
    (
        "Outdoors",
        "Cycling",
        &["Bike Light", "Saddle Bag", "Bottle Cage", "Cycling Cap"],
        Axes::Colour,
        (10, 90),
    ),
    (
        "Home",
        "Textiles",
        &["Throw", "Cushion", "Tea Towel", "Blanket"],
        Axes::Colour,
        (12, 150),
    ),
    (
        "Home",
        "Lighting",
        &["Table Lamp", "Candle", "Pendant", "String Lights"],
        Axes::None,
        (9, 220),
    ),
];

const ADJECTIVES: &[&str] = &[
    "Classic",
    "Organic",
    "Everyday",
    "Heritage",
    "Nordic",
    "Coastal",
    "Urban",
    "Alpine",
    "Vintage",
    "Modern",
    "Handmade",
    "Recycled",
    "Essential",
    "Rustic",
    "Studio",
    "Weekend",
];
const MATERIALS: &[&str] = &[
    "Cotton", "Linen", "Wool", "Oak", "Ceramic", "Steel", "Brass", "Canvas", "Bamboo", "Cork", "Leather", "Glass",
];
const COLOURS: &[&str] = &["Black", "White", "Navy", "Sage", "Rust", "Sand", "Charcoal", "Ochre"];
const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
const REVIEWS: &[(i16, &str, &str)] = &[
    (5, "Love it", "Exactly as described and beautifully made."),
    (5, "Worth every penny", "Second one I have bought. Quality is superb."),
    (4, "Very good", "Does the job well; delivery was quick."),
    (
        4,
        "Nice quality",
        "Feels sturdy. Colour slightly different from the photo.",
    ),
    (3, "It's fine", "Decent, but I expected a bit more for the price."),
    (2, "Disappointing", "Smaller than I thought and the finish is rough."),
    (1, "Not for me", "Went back the same week."),
];
/// How many demo customers write the generated reviews.
const REVIEWERS: usize = 40;

/// Adds `n` generated products (and their categories, variants and reviews) in `tx`.
async fn generate(state: &AppState, tx: &mut Transaction<'static, Postgres>, n: usize) -> Result<(), ServiceError> {
    if n == 0 {
        return Ok(());
    }
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    // The category tree, reusing top-level categories the hand-written products made.
    let mut tops: HashMap<&str, CategoryId> = HashMap::new();
    for category in repo::list_categories(&mut **tx).await? {
        if category.parent_id.is_none()
            && let Some((top, ..)) = TREE.iter().find(|(top, ..)| top.eq_ignore_ascii_case(&category.name))
        {
            tops.insert(top, category.id);
        }
    }
    let mut leaves = Vec::new();
    for (position, (top, sub, ..)) in TREE.iter().enumerate() {
        let parent = match tops.get(top) {
            Some(id) => *id,
            None => {
                let fields = CategoryFields {
                    parent_id: None,
                    name: (*top).to_owned(),
                    slug: crate::domain::catalog::slugify(top),
                    description: format!("Everything {} at the shop.", top.to_lowercase()),
                    position: i32::try_from(position).unwrap_or_default(),
                };
                let id = repo::create_category(&mut **tx, &fields).await?.id;
                tops.insert(top, id);
                id
            }
        };
        let fields = CategoryFields {
            parent_id: Some(parent),
            name: (*sub).to_owned(),
            slug: crate::domain::catalog::slugify(sub),
            description: String::new(),
            position: i32::try_from(position).unwrap_or_default(),
        };
        leaves.push(repo::create_category(&mut **tx, &fields).await?.id);
    }
    // Demo customers to have written the reviews.
    let emails: Vec<String> = (1..=REVIEWERS)
        .map(|i| format!("reviewer-{i}@demo.oxcart.invalid"))
        .collect();
    let names: Vec<String> = (1..=REVIEWERS)
        .map(|i| {
            format!(
                "{} {}.",
                ["Ada", "Ben", "Chloe", "Dev", "Eva", "Finn", "Grace", "Hugo"][i % 8],
                (b'A' + (i % 26) as u8) as char
            )
        })
        .collect();
    let reviewers = bulk::insert_reviewers(&mut **tx, &emails, &names).await?;
    let currency = state.shop.currency.clone();

    const BATCH: usize = 2_000;
    let mut made = 0;
    while made < n {
        let count = BATCH.min(n - made);
        let mut products = bulk::ProductColumns::default();
        let mut variants = bulk::VariantColumns::default();
        let mut reviews = bulk::ReviewColumns::default();
        for i in made..made + count {
            let kind = dice.below(TREE.len());
            let (_, sub, nouns, axes, (low, high)) = TREE[kind];
            let name = format!(
                "{} {} {}",
                dice.pick(ADJECTIVES),
                dice.pick(MATERIALS),
                dice.pick(nouns)
            );
            let id = Uuid::now_v7();
            products.id.push(id);
            products.category_id.push(leaves[kind].0);
            products
                .slug
                .push(format!("{}-{}", crate::domain::catalog::slugify(&name), i + 1));
            products.description.push(format!(
                "{name}: part of our {} range. Made to last, chosen for everyday use, and easy to care for.",
                sub.to_lowercase()
            ));
            products.name.push(name);
            products.status.push(
                match dice.below(100) {
                    0..=2 => "draft",
                    3..=4 => "archived",
                    _ => "active",
                }
                .to_owned(),
            );
            products.featured.push(dice.chance(4));
            // 1 to 6 variants over the kind's axes.
            let combos: Vec<Vec<(&str, &str)>> = match axes {
                Axes::SizeAndColour => {
                    let colours: Vec<&str> = (0..1 + dice.below(2)).map(|_| *dice.pick(COLOURS)).collect();
                    let mut combos = Vec::new();
                    for colour in colours.iter().collect::<std::collections::BTreeSet<_>>() {
                        for size in &SIZES[dice.below(2)..SIZES.len() - dice.below(2)] {
                            combos.push(vec![("colour", *colour), ("size", *size)]);
                        }
                    }
                    combos.truncate(6);
                    combos
                }
                Axes::Size(sizes) => sizes.iter().map(|s| vec![("size", *s)]).collect(),
                Axes::Colour => {
                    let mut colours: Vec<&str> = (0..1 + dice.below(4)).map(|_| *dice.pick(COLOURS)).collect();
                    colours.sort_unstable();
                    colours.dedup();
                    colours.into_iter().map(|c| vec![("colour", c)]).collect()
                }
                Axes::None => vec![vec![]],
            };
            let base = low + dice.below(usize::try_from(high - low).unwrap_or(1)) as i64;
            let cents = *dice.pick(&[99, 50, 0, 95]);
            for (position, combo) in combos.iter().enumerate() {
                let step = i64::try_from(position).unwrap_or_default() * i64::from(matches!(axes, Axes::Size(_)));
                let price = Decimal::new((base + step * 5) * 100 + cents, 2);
                let price = store_price(state, Money::new(price, currency.clone()))?.amount;
                variants.product_id.push(id);
                variants.sku.push(format!("GEN-{:05}-{}", i + 1, position + 1));
                variants
                    .name
                    .push(combo.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(" / "));
                variants.options.push(serde_json::Value::Object(
                    combo
                        .iter()
                        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                        .collect(),
                ));
                variants.price.push(price);
                variants.compare_at_price.push(
                    dice.chance(15)
                        .then(|| (price * Decimal::new(125, 2)).round_dp(0) - Decimal::new(1, 2)),
                );
                variants
                    .stock
                    .push(if dice.chance(12) { 0 } else { 1 + dice.below(60) as i32 });
                variants.position.push(i32::try_from(position).unwrap_or_default());
            }
            // 0 to 5 reviews, by different customers.
            let first = dice.below(REVIEWERS);
            for r in 0..dice.below(6) {
                let (rating, title, body) = *dice.pick(REVIEWS);
                reviews.product_id.push(id);
                reviews.user_id.push(reviewers[(first + r * 7) % reviewers.len()]);
                reviews.rating.push(rating);
                reviews.title.push(title.to_owned());
                reviews.body.push(body.to_owned());
                reviews.status.push(
                    match dice.below(100) {
                        0..=9 => "pending",
                        10..=13 => "rejected",
                        _ => "approved",
                    }
                    .to_owned(),
                );
            }
        }
        bulk::insert_products(&mut **tx, &products).await?;
        bulk::insert_variants(&mut **tx, &variants, currency.as_str()).await?;
        bulk::insert_reviews(&mut **tx, &reviews).await?;
        made += count;
        tracing::info!(event = "seed_progress", products = made, of = n, "generated products");
    }
    Ok(())
}
