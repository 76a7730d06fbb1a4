//! The browser entry point: hydrates the islands — the interactive parts of the server-rendered
//! page (menu, forms, variant picker). Everything else stays the server's HTML.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Also links the app's island exports into this module.
    app::islands_started();
}
