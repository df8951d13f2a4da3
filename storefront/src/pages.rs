//! The shop's views, one module per route. Each puts Vitrine's placeholders where a shop
//! would; the loader mounts and unmounts the widgets as the routes come and go.

mod account;
mod cart;
mod dark;
mod home;
mod product;
mod sign_in;
mod till;

pub use account::Account;
pub use cart::CartPage;
pub use dark::Dark;
pub use home::Home;
pub use product::ProductPage;
pub use sign_in::SignIn;
pub use till::Till;

use leptos::prelude::*;
use leptos_router::components::A;

/// Sets the document's title while a view is shown.
pub fn title(text: impl Fn() -> String + 'static) {
    Effect::new(move |_| {
        let text = format!("{} – Alpenhaus (Vitrine-Demo)", text());
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&text);
        }
    });
}

/// Any path the shop does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    title(|| "Seite nicht gefunden".into());
    view! {
        <section class="shop-panel" aria-labelledby="missing-heading">
            <h1 id="missing-heading">"Seite nicht gefunden"</h1>
            <p>"Diese Seite gibt es nicht. " <A href="/">"Zur Startseite"</A></p>
        </section>
    }
}
