//! Product pictures: a `<picture>` offering the WebP renditions first and the JPEG/PNG ones to
//! browsers without WebP, with `srcset`/`sizes` so each screen downloads the width it needs,
//! width and height set (the space is kept before the file arrives: no layout shift), and lazy
//! loading for pictures below the fold. The gallery needs no JavaScript: its thumbnails are
//! links to the pictures in a scroll-snapping strip.

use leptos::prelude::*;

use crate::domain::catalog::images::ImageView;

/// One picture. `eager`: above the fold (loaded at once, and first when `priority`).
#[component]
pub fn Picture(
    image: ImageView,
    sizes: &'static str,
    #[prop(optional)] eager: bool,
    #[prop(optional)] priority: bool,
    #[prop(optional, into)] class: String,
) -> impl IntoView {
    let src = image
        .default_rendition()
        .map(|r| r.fallback.clone())
        .unwrap_or_default();
    view! {
        <picture>
            <source type="image/webp" srcset=image.srcset(true) sizes=sizes/>
            <img
                src=src
                srcset=image.srcset(false)
                sizes=sizes
                width=image.width
                height=image.height
                alt=image.alt.clone()
                loading=if eager { "eager" } else { "lazy" }
                decoding="async"
                fetchpriority=priority.then_some("high")
                class=class
            />
        </picture>
    }
}

/// A product's gallery: the pictures side by side in a strip that scrolls one at a time, with
/// thumbnails linking to each when there are several.
#[component]
pub fn Gallery(images: Vec<ImageView>, product_name: String) -> impl IntoView {
    let several = images.len() > 1;
    let thumbnails = images.clone();
    view! {
        <section aria-label=format!("Pictures of {product_name}") data-testid="gallery">
            // Focusable, so keyboard users can scroll it too.
            <ul tabindex="0" aria-label="Pictures" class="flex snap-x snap-mandatory overflow-x-auto rounded-lg bg-stone-100 focus:outline-2 focus:outline-emerald-700">
                {images.into_iter().enumerate().map(|(index, image)| view! {
                    <li id=format!("picture-{}", index + 1) class="w-full flex-none snap-center">
                        <Picture
                            image
                            sizes="(min-width: 768px) 50vw, 100vw"
                            eager=index == 0
                            priority=index == 0
                            class="h-auto w-full object-contain"
                        />
                    </li>
                }).collect_view()}
            </ul>
            {several.then(|| view! {
                <ul class="mt-2 flex gap-2 overflow-x-auto" aria-label="Choose a picture">
                    {thumbnails.into_iter().enumerate().map(|(index, image)| {
                        let label = format!("Picture {} of {}", index + 1, image.alt);
                        view! {
                            <li class="flex-none">
                                <a href=format!("#picture-{}", index + 1) aria-label=label class="block w-20 rounded border border-stone-300 hover:border-emerald-700 focus:outline-2 focus:outline-emerald-700">
                                    <Picture image sizes="80px" class="h-auto w-full rounded"/>
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
