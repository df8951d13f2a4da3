//! `/dunkel`: the same widgets in the shop's dark theme, recoloured only by the
//! `--vitrine-*` custom properties on the page's root (shop.css, `.shop-dark`), which inherit
//! into the widgets' shadow roots and into the cart recovery dialog on `<body>`.

use leptos::prelude::*;

use super::product::ProductDetails;

/// The dark theme's page: loyalty, a product with availability, recommendations.
#[component]
pub fn Dark() -> impl IntoView {
    super::title(|| "Dunkles Design".into());
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = &root {
        let _ = root.class_list().add_1("shop-dark");
    }
    on_cleanup(move || {
        if let Some(root) = root {
            let _ = root.class_list().remove_1("shop-dark");
        }
    });
    view! {
        <div class="shop-account">
            <section class="shop-account__intro" aria-labelledby="theme-heading">
                <h1 id="theme-heading">"Dunkles Design"</h1>
                <p>
                    "Dieselben Widgets wie auf den anderen Seiten, umgefärbt allein mit "
                    "CSS-Variablen auf " <code>":root"</code> " (" <code>"--vitrine-accent"</code>
                    ", " <code>"--vitrine-text"</code> ", " <code>"--vitrine-background"</code>
                    " …). Sie erben in die Shadow-DOMs der Widgets; das übrige CSS des Shops "
                    "erreicht die Widgets nicht."
                </p>
            </section>
            <div class="shop-account__points" data-vitrine="loyalty" data-lines="3"></div>
        </div>
        <ProductDetails sku="AH-1001".to_string() heading_level=2/>
        <div
            class="shop-widget"
            id="recommendations"
            data-vitrine="recommendations"
            data-limit="4"
        ></div>
    }
}
