//! `/warenkorb`: the cart of this device, the order button and recommendations for the cart.
//! The cart recovery dialog's "Zurück zum Warenkorb" (the rules' `cart_url`) leads here.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::backend::{self, Line};
use crate::cart::use_cart;
use crate::money::euro;
use crate::vitrine;

/// The cart page.
#[component]
pub fn CartPage() -> impl IntoView {
    super::title(|| "Warenkorb".into());
    let cart = use_cart();
    let done = RwSignal::new(String::new());
    let order = move |_| {
        let lines: Vec<Line> = cart
            .lines()
            .into_iter()
            .map(|l| Line {
                sku: l.sku,
                quantity: l.quantity,
            })
            .collect();
        leptos::task::spawn_local(async move {
            match backend::order(lines).await {
                Ok(order_id) => {
                    cart.clear();
                    vitrine::refresh();
                    done.set(format!("Danke! Bestellung {order_id} ist eingegangen."));
                }
                Err(_) => done.set("Die Bestellung ist fehlgeschlagen.".into()),
            }
        });
    };
    let total = move || {
        euro(
            cart.lines()
                .iter()
                .map(|l| l.quantity * l.price_minor)
                .sum(),
        )
    };
    view! {
        <nav class="shop-crumbs" aria-label="Brotkrumen">
            <A href="/">"Startseite"</A>
            " › Warenkorb"
        </nav>
        <section class="shop-panel" aria-labelledby="cart-heading">
            <h1 id="cart-heading">"Warenkorb"</h1>
            <ul class="shop-list" id="cart-lines">
                <For each=move || cart.lines() key=|line| (line.sku.clone(), line.quantity) let:line>
                    <li>
                        <span>{format!("{} × {}", line.quantity, line.title)}</span>
                        <span class="shop-list__end">
                            {euro(line.quantity * line.price_minor)}
                            <button
                                class="shop-link-button"
                                type="button"
                                aria-label=format!("{} entfernen", line.title)
                                on:click={
                                    let sku = line.sku.clone();
                                    move |_| cart.remove(&sku)
                                }
                            >
                                "Entfernen"
                            </button>
                        </span>
                    </li>
                </For>
            </ul>
            <Show when=move || cart.count() == 0>
                <p id="cart-empty" class="shop-note">"Ihr Warenkorb auf diesem Gerät ist leer."</p>
            </Show>
            <p>
                <strong>"Summe: " <span id="cart-total">{total}</span></strong>
            </p>
            <button
                class="shop-button"
                type="button"
                id="cart-order"
                disabled=move || cart.count() == 0
                on:click=order
            >
                "Jetzt kaufen"
            </button>
            <p id="cart-done" class="shop-note" role="status">{move || done.get()}</p>
        </section>
        <div
            class="shop-widget"
            id="cart-recommendations"
            data-vitrine="recommendations"
            data-context="cart"
            data-limit="4"
            data-cart=move || cart.skus()
        ></div>
    }
}
