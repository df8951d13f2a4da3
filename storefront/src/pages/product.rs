//! `/produkt/:sku`: a product with its size picker, where it can be picked up (availability,
//! following the chosen size's SKU) and what is bought with it (recommendations).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::cart::use_cart;
use crate::catalogue::{catalogue, Product};
use crate::money::euro;

/// The product page; the SKU in the address may be a size's.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let sku = Signal::derive(move || params.read().get("sku").unwrap_or_default());
    let product = Memo::new(move |_| catalogue().product(&sku.get()));
    super::title(move || {
        product
            .get()
            .map_or("Produkt", |p| p.title.as_str())
            .to_string()
    });
    view! {
        {move || match product.get() {
            Some(product) => {
                view! {
                    <nav class="shop-crumbs" aria-label="Brotkrumen">
                        <A href="/">"Startseite"</A>
                        " › "
                        <span id="crumb-category">
                            {catalogue().category_name(&product.category)}
                        </span>
                    </nav>
                }
                    .into_any()
            }
            None => view! { <super::NotFound/> }.into_any(),
        }}
        <Show when=move || product.get().is_some()>
            <ProductDetails sku=sku heading_level=1/>
        </Show>
        // "Frequently bought together" with the product on screen (the product's own SKU).
        <div
            class="shop-widget"
            id="recommendations"
            data-vitrine="recommendations"
            data-sku=move || product.get().map_or_else(|| sku.get(), |p| p.sku.clone())
            data-limit="4"
        ></div>
    }
}

/// A product: picture, price, size picker, "In den Warenkorb" and store availability.
#[component]
pub fn ProductDetails(
    /// The SKU shown first: the product's or one of its sizes'.
    #[prop(into)]
    sku: Signal<String>,
    /// 1 on the product's own page, 2 where it is part of another page.
    heading_level: u8,
) -> impl IntoView {
    let cart = use_cart();
    let product = Memo::new(move |_| catalogue().product(&sku.get()));
    // The size chosen on this page; another product starts with the SKU of its address.
    let chosen = RwSignal::new(sku.get_untracked());
    let status = RwSignal::new(String::new());
    Effect::new(move |_| {
        chosen.set(sku.get());
        status.set(String::new());
    });
    let add = move |_| {
        let Some(product) = product.get_untracked() else {
            return;
        };
        let sku = chosen.get_untracked();
        let title = match product.variants.iter().find(|v| v.sku == sku) {
            Some(size) => format!("{} ({})", product.title, size.label),
            None => product.title.clone(),
        };
        cart.add(&sku, &title, product.price_minor);
        status.set("Im Warenkorb.".into());
    };
    let title = move || product.get().map(|p| p.title.as_str());

    view! {
        <article class="shop-product" id="product" data-sku=move || product.get().map(|p| p.sku.clone())>
            <img
                class="shop-product__image"
                id="product-image"
                alt=""
                width="320"
                height="320"
                src=move || product.get().map(|p| format!("/images/{}.svg", p.sku))
            />
            <div class="shop-product__info">
                {move || match heading_level {
                    1 => view! { <h1 id="product-title">{title}</h1> }.into_any(),
                    _ => view! { <h2 id="product-title">{title}</h2> }.into_any(),
                }}
                <p class="shop-product__price" id="product-price">
                    {move || product.get().map(|p| euro(p.price_minor))}
                </p>
                <p id="product-description">{move || product.get().map(|p| p.description.as_str())}</p>
                {move || product.get().filter(|p| !p.variants.is_empty()).map(|p| sizes(p, chosen))}
                <button class="shop-button" type="button" id="add-to-cart" on:click=add>
                    "In den Warenkorb"
                </button>
                <span id="add-to-cart-status" class="shop-note" role="status">
                    {move || status.get()}
                </span>
                // Where to pick it up: the chosen size's SKU (Vitrine follows data-sku itself).
                <div
                    class="shop-widget shop-widget--availability"
                    id="availability"
                    data-vitrine="availability"
                    data-sku=move || chosen.get()
                ></div>
            </div>
        </article>
    }
}

/// The size picker: sizes are sold under their own SKUs; "Bitte wählen" is the product's own.
fn sizes(product: &'static Product, chosen: RwSignal<String>) -> impl IntoView {
    let option = move |sku: &'static str, label: &'static str| {
        view! {
            <option value=sku selected=move || chosen.get() == sku>
                {label}
            </option>
        }
    };
    view! {
        <p class="shop-variant" id="variant-picker">
            <label for="variant">"Größe"</label>
            <select id="variant" name="variant" on:change:target=move |ev| chosen.set(ev.target().value())>
                {option(&product.sku, "Bitte wählen")}
                {product
                    .variants
                    .iter()
                    .map(|size| option(&size.sku, &size.label))
                    .collect_view()}
            </select>
        </p>
    }
}
