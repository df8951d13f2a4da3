//! The demo storefront "Alpenhaus": a Leptos single-page shop (client-side rendering,
//! `leptos_router`) that embeds Vitrine exactly as any shop does — the script tag in its
//! `index.html`, `<div data-vitrine=…>` placeholders in its views, `window.Vitrine` for
//! sign-ins and cart changes. Every route change adds and removes placeholders, which makes it
//! the hardest host the widgets have. It imports nothing from the widget crate.

mod app;
mod backend;
mod cart;
mod catalogue;
mod money;
mod pages;
mod vitrine;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
