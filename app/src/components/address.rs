//! Postal addresses on pages: the form's fields (the address book, the checkout) and the
//! address printed (orders, the packing slip, the address book).

use leptos::prelude::*;

use super::Field;
use crate::domain::orders::OrderAddress;

/// The fields of an address form, filled with `address`; `errors` gives each field's messages.
#[component]
pub fn AddressFields<F>(address: OrderAddress, errors: F) -> impl IntoView
where
    F: Fn(&'static str) -> Signal<Vec<String>> + Send + Sync + 'static,
{
    let a = address;
    view! {
        <Field name="full_name" label="Full name" autocomplete="name" required=true value=a.full_name errors=errors("full_name")/>
        <Field name="line1" label="Address line 1" autocomplete="address-line1" required=true value=a.line1 errors=errors("line1")/>
        <Field name="line2" label="Address line 2 (optional)" autocomplete="address-line2" value=a.line2 errors=errors("line2")/>
        <div class="grid gap-4 sm:grid-cols-2">
            <Field name="postal_code" label="Postal code" autocomplete="postal-code" required=true value=a.postal_code errors=errors("postal_code")/>
            <Field name="city" label="City" autocomplete="address-level2" required=true value=a.city errors=errors("city")/>
        </div>
        <div class="grid gap-4 sm:grid-cols-2">
            <Field name="region" label="Region (optional)" autocomplete="address-level1" value=a.region errors=errors("region")/>
            <Field name="country" label="Country code" autocomplete="country" required=true hint="Two letters, e.g. DE or US." value=a.country errors=errors("country")/>
        </div>
        <Field name="phone" label="Phone (optional)" kind="tel" autocomplete="tel" value=a.phone errors=errors("phone")/>
    }
}

/// An address as printed: name, lines, postal code and city (and region), country, phone.
#[component]
pub fn PostalAddress(address: OrderAddress) -> impl IntoView {
    let a = address;
    view! {
        <address class="not-italic">
            {a.full_name}<br/>
            {a.line1}<br/>
            {(!a.line2.is_empty()).then(|| view! { {a.line2.clone()}<br/> })}
            {a.postal_code} " " {a.city}
            {(!a.region.is_empty()).then(|| format!(", {}", a.region))}<br/>
            {a.country}
            {(!a.phone.is_empty()).then(|| view! { <br/>{a.phone.clone()} })}
        </address>
    }
}
