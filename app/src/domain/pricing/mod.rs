//! Cart and order arithmetic, the one place it is done: line amounts, a discount spread over the
//! lines in proportion to their amounts, tax per line, and totals that are always the sum of
//! their lines.
//!
//! The rule: prices are tax-exclusive. Every amount is rounded once, half to even ("banker's
//! rounding"), to the currency's minor unit (cents for USD, none for JPY, three places for
//! KWD), and only per line: a total is the plain sum of rounded line figures, so an invoice
//! always adds up. A discount is rounded first as a whole and then shared out by the largest
//! remainder, so its shares add up to it to the last cent. Shipping is a line of its own and is
//! taxed at the same rate as the goods.

pub mod discounts;
pub mod rules;

use rust_decimal::{Decimal, RoundingStrategy};

use super::Currency;

/// The digits after the decimal point of a currency's minor unit (ISO 4217).
pub fn minor_unit_digits(currency: &Currency) -> u32 {
    match currency.as_str() {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX" | "UYI" | "VND"
        | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// `amount` rounded half to even to the currency's minor unit, and written with exactly that many
/// places (`0.00`, `5.10`), so every amount a client reads has the same form.
pub fn round(amount: Decimal, currency: &Currency) -> Decimal {
    let digits = minor_unit_digits(currency);
    let mut rounded = amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointNearestEven);
    rounded.rescale(digits);
    rounded
}

/// A discount as a pricing rule states it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discount {
    /// A percentage of the goods, 0–100.
    Percent(Decimal),
    /// A fixed amount off the goods (never more than they cost).
    Fixed(Decimal),
}

/// One line to price: a unit price and a quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub unit_price: Decimal,
    pub quantity: u32,
}

/// A priced line. `total` = `amount` − `discount` + `tax`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PricedLine {
    /// Unit price × quantity.
    pub amount: Decimal,
    /// This line's share of the discount.
    pub discount: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

/// Everything a cart or an order shows; each figure is the sum of the lines'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Totals {
    pub lines: Vec<PricedLine>,
    /// The goods before the discount.
    pub subtotal: Decimal,
    pub discount: Decimal,
    pub shipping: Decimal,
    /// Tax on the goods after the discount, and on shipping.
    pub tax: Decimal,
    pub total: Decimal,
}

/// What to price besides the lines: the discount, the shipping price and the tax rate (a
/// percentage), when known.
#[derive(Clone, Debug, Default)]
pub struct Terms<'a> {
    pub discount: Option<&'a Discount>,
    pub shipping: Option<Decimal>,
    pub tax_rate: Option<Decimal>,
}

/// Prices `lines` under `terms` in `currency`.
pub fn price(lines: &[Line], terms: &Terms<'_>, currency: &Currency) -> Totals {
    let zero = round(Decimal::ZERO, currency);
    let amounts: Vec<Decimal> = lines
        .iter()
        .map(|l| round(l.unit_price * Decimal::from(l.quantity), currency))
        .collect();
    let subtotal: Decimal = amounts.iter().sum();
    let discount = terms.discount.map_or(zero, |d| discount_amount(d, subtotal, currency));
    let shares = share_out(discount, &amounts, currency);
    let rate = terms.tax_rate.unwrap_or(Decimal::ZERO) / Decimal::ONE_HUNDRED;
    let lines: Vec<PricedLine> = amounts
        .iter()
        .zip(shares)
        .map(|(&amount, discount)| {
            let tax = round((amount - discount) * rate, currency);
            PricedLine {
                amount,
                discount,
                tax,
                total: amount - discount + tax,
            }
        })
        .collect();
    let shipping = terms.shipping.map_or(zero, |s| round(s, currency));
    let shipping_tax = round(shipping * rate, currency);
    let tax = lines.iter().map(|l| l.tax).sum::<Decimal>() + shipping_tax;
    Totals {
        subtotal,
        discount,
        shipping,
        tax,
        total: subtotal - discount + shipping + tax,
        lines,
    }
}

/// The discount on goods worth `subtotal`: never negative, never more than the goods.
fn discount_amount(discount: &Discount, subtotal: Decimal, currency: &Currency) -> Decimal {
    let raw = match discount {
        Discount::Percent(percent) => {
            subtotal * (*percent).clamp(Decimal::ZERO, Decimal::ONE_HUNDRED) / Decimal::ONE_HUNDRED
        }
        Discount::Fixed(amount) => *amount,
    };
    round(raw, currency).clamp(Decimal::ZERO, subtotal)
}

/// Splits `total` over `amounts` in proportion, in whole minor units, so the shares add up to
/// `total` exactly: each line gets its proportional share rounded down, and the units left go
/// one each to the lines with the largest remainders (the earlier line on a tie).
fn share_out(total: Decimal, amounts: &[Decimal], currency: &Currency) -> Vec<Decimal> {
    let sum: Decimal = amounts.iter().sum();
    if total.is_zero() || sum.is_zero() {
        return vec![round(Decimal::ZERO, currency); amounts.len()];
    }
    let unit = Decimal::new(1, minor_unit_digits(currency));
    let exact: Vec<Decimal> = amounts.iter().map(|a| total * a / sum).collect();
    let mut shares: Vec<Decimal> = exact
        .iter()
        .map(|e| {
            let mut share = e.round_dp_with_strategy(minor_unit_digits(currency), RoundingStrategy::ToZero);
            share.rescale(minor_unit_digits(currency));
            share
        })
        .collect();
    let mut left = total - shares.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..amounts.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - shares[b]).cmp(&(exact[a] - shares[a])).then(a.cmp(&b)));
    for index in order.into_iter().cycle() {
        if left < unit {
            break;
        }
        shares[index] += unit;
        left -= unit;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    fn line(price: &str, quantity: u32) -> Line {
        Line {
            unit_price: d(price),
            quantity,
        }
    }

    /// Every figure is the sum of the lines' and every line adds up.
    fn assert_adds_up(t: &Totals) {
        assert_eq!(t.subtotal, t.lines.iter().map(|l| l.amount).sum::<Decimal>());
        assert_eq!(t.discount, t.lines.iter().map(|l| l.discount).sum::<Decimal>());
        for l in &t.lines {
            assert_eq!(l.total, l.amount - l.discount + l.tax, "{l:?}");
            assert!(l.discount >= Decimal::ZERO && l.discount <= l.amount, "{l:?}");
        }
        assert_eq!(t.total, t.subtotal - t.discount + t.shipping + t.tax);
    }

    #[test]
    fn every_figure_has_the_currencys_places() {
        let totals = price(&[line("5", 2)], &Terms::default(), &usd());
        for figure in [
            totals.subtotal,
            totals.discount,
            totals.shipping,
            totals.tax,
            totals.total,
        ] {
            assert_eq!(figure.scale(), 2, "{figure}");
        }
        assert_eq!(totals.lines[0].discount.to_string(), "0.00");
        assert_eq!(round(d("7"), &Currency::parse("JPY").unwrap()).to_string(), "7");
        assert_eq!(round(d("1.5"), &Currency::parse("KWD").unwrap()).to_string(), "1.500");
    }

    #[test]
    fn rounds_half_to_even_to_the_minor_unit() {
        assert_eq!(round(d("0.125"), &usd()), d("0.12"));
        assert_eq!(round(d("0.135"), &usd()), d("0.14"));
        assert_eq!(round(d("2.5"), &Currency::parse("JPY").unwrap()), d("2"));
        assert_eq!(round(d("3.5"), &Currency::parse("JPY").unwrap()), d("4"));
        assert_eq!(round(d("1.0005"), &Currency::parse("KWD").unwrap()), d("1.000"));
    }

    #[test]
    fn a_fixed_discount_is_shared_to_the_cent() {
        let t = price(
            &[line("10.00", 1), line("10.00", 1), line("10.00", 1)],
            &Terms {
                discount: Some(&Discount::Fixed(d("10.00"))),
                ..Terms::default()
            },
            &usd(),
        );
        let shares: Vec<Decimal> = t.lines.iter().map(|l| l.discount).collect();
        assert_eq!(shares, vec![d("3.34"), d("3.33"), d("3.33")]);
        assert_eq!(t.total, d("20.00"));
        assert_adds_up(&t);
    }

    #[test]
    fn a_discount_never_exceeds_the_goods_nor_goes_negative() {
        let discount_of = |discount: Discount| {
            price(
                &[line("4.99", 2)],
                &Terms {
                    discount: Some(&discount),
                    ..Terms::default()
                },
                &usd(),
            )
        };
        let t = discount_of(Discount::Fixed(d("50")));
        assert_eq!((t.discount, t.total), (d("9.98"), d("0.00")));
        assert_adds_up(&t);
        assert_eq!(discount_of(Discount::Percent(d("150"))).discount, d("9.98"));
        assert_eq!(discount_of(Discount::Fixed(d("-5"))).discount, d("0"));
    }

    #[test]
    fn tax_is_per_line_after_the_discount_and_on_shipping() {
        // 15 % off 19.99 × 3 and 5.55 × 1 = 65.52 → discount 9.828 → 9.83 (half-even).
        let t = price(
            &[line("19.99", 3), line("5.55", 1)],
            &Terms {
                discount: Some(&Discount::Percent(d("15"))),
                shipping: Some(d("4.95")),
                tax_rate: Some(d("19")),
            },
            &usd(),
        );
        assert_eq!(t.subtotal, d("65.52"));
        assert_eq!(t.discount, d("9.83"));
        // Shares in proportion: 8.99733… and 0.83266…, rounded down to 8.99 + 0.83; the cent
        // left goes to the larger remainder (0.00733 against 0.00266), the first line.
        assert_eq!(t.lines[0].discount, d("9.00"));
        assert_eq!(t.lines[1].discount, d("0.83"));
        // Tax: (59.97 − 9.00) × 19 % = 9.6843 → 9.68; (5.55 − 0.83) × 19 % = 0.8968 → 0.90;
        // shipping 4.95 × 19 % = 0.9405 → 0.94 (half-even only matters at exactly half a cent).
        assert_eq!(t.lines[0].tax, d("9.68"));
        assert_eq!(t.lines[1].tax, d("0.90"));
        assert_eq!(t.tax, d("11.52"));
        assert_eq!(t.total, d("65.52") - d("9.83") + d("4.95") + d("11.52"));
        assert_adds_up(&t);
    }

    #[test]
    fn half_a_cent_of_tax_goes_to_the_even_cent() {
        let tax_of = |price_: &str, rate: &str| {
            price(
                &[line(price_, 1)],
                &Terms {
                    tax_rate: Some(d(rate)),
                    ..Terms::default()
                },
                &usd(),
            )
            .tax
        };
        assert_eq!(tax_of("2.50", "5"), d("0.12"), "0.125 → 0.12");
        assert_eq!(tax_of("2.70", "5"), d("0.14"), "0.135 → 0.14");
    }

    #[test]
    fn without_terms_the_total_is_the_goods() {
        let t = price(&[line("0.10", 3), line("0.20", 1)], &Terms::default(), &usd());
        assert_eq!(
            (t.subtotal, t.discount, t.tax, t.total),
            (d("0.50"), d("0"), d("0"), d("0.50"))
        );
        let empty = price(&[], &Terms::default(), &usd());
        assert_eq!(empty.total, Decimal::ZERO);
    }

    #[test]
    fn many_carts_always_add_up() {
        // A deterministic spread of carts: prices, quantities, discounts and rates that round
        // in every direction.
        let mut seed: u64 = 42;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for currency in ["USD", "JPY", "KWD"] {
            let currency = Currency::parse(currency).unwrap();
            for _ in 0..500 {
                let lines: Vec<Line> = (0..=next(5))
                    .map(|_| Line {
                        unit_price: Decimal::new(
                            i64::try_from(next(100_000)).unwrap() + 1,
                            minor_unit_digits(&currency),
                        ),
                        quantity: u32::try_from(next(99)).unwrap() + 1,
                    })
                    .collect();
                let discount = match next(3) {
                    0 => Discount::Percent(Decimal::new(i64::try_from(next(10_000)).unwrap(), 2)),
                    _ => Discount::Fixed(Decimal::new(i64::try_from(next(1_000_000)).unwrap(), 2)),
                };
                let t = price(
                    &lines,
                    &Terms {
                        discount: Some(&discount),
                        shipping: Some(Decimal::new(i64::try_from(next(2_000)).unwrap(), 2)),
                        tax_rate: Some(Decimal::new(i64::try_from(next(2_700)).unwrap(), 2)),
                    },
                    &currency,
                );
                assert_adds_up(&t);
                for figure in [t.subtotal, t.discount, t.shipping, t.tax, t.total] {
                    assert_eq!(figure, round(figure, &currency), "{figure} is in whole minor units");
                    assert!(figure >= Decimal::ZERO);
                }
            }
        }
    }
}
