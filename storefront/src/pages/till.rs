//! `/kasse`: the till simulator of a store. It rings up a receipt, with the customer's loyalty
//! card if she shows one, or books a return of an earlier receipt, and sends either to the
//! shop's backend, which reports it to Vitrine as a till export would. A till is not part of
//! the web shop: this view has no Vitrine placeholder. (Only because the demo's till lives in
//! the shop's app, the app then asks Vitrine to refresh what this page view has cached.)

use leptos::prelude::*;

use crate::backend::{self, Line, Receipt, TillAnswer, TillReturn};
use crate::catalogue::catalogue;
use crate::money::{euro, points};
use crate::vitrine;

/// The till simulator.
#[component]
pub fn Till() -> impl IntoView {
    super::title(|| "Kasse (Filiale)".into());
    let customers = LocalResource::new(backend::customers);
    let store = RwSignal::new(
        catalogue()
            .stores
            .first()
            .map(|s| s.store_id.clone())
            .unwrap_or_default(),
    );
    let card = RwSignal::new(String::new());
    let product = RwSignal::new(
        catalogue()
            .products
            .first()
            .map(|p| p.sku.clone())
            .unwrap_or_default(),
    );
    let quantity = RwSignal::new(1_i64);
    let lines = RwSignal::new(Vec::<Line>::new());
    let result = RwSignal::new(String::new());
    let last_receipt = RwSignal::new(String::new());
    let add_line = move |_| {
        let sku = product.get_untracked();
        let quantity = quantity.get_untracked().clamp(1, 99);
        lines.update(|lines| match lines.iter_mut().find(|l| l.sku == sku) {
            Some(line) => line.quantity += quantity,
            None => lines.push(Line { sku, quantity }),
        });
    };
    let card_choice = move || Some(card.get_untracked()).filter(|c| !c.is_empty());
    let said = move |answer: &TillAnswer, what: &str| {
        let mut text = format!("{what} {} gebucht.", answer.order_id);
        if let Some(customer) = &answer.customer {
            text += &format!(
                " {customer} hat jetzt {} Punkte.",
                points(answer.balance.unwrap_or(0))
            );
        }
        text
    };
    let book = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if lines.with_untracked(Vec::is_empty) {
            result.set("Der Bon ist leer.".into());
            return;
        }
        let receipt = Receipt {
            store_id: store.get_untracked(),
            card: card_choice(),
            lines: lines.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match backend::till_receipt(&receipt).await {
                Ok(answer) => {
                    lines.set(Vec::new());
                    last_receipt.set(answer.order_id.clone());
                    result.set(said(&answer, "Bon"));
                    vitrine::refresh();
                }
                Err(_) => result.set("Der Bon konnte nicht gebucht werden.".into()),
            }
        });
    };
    let return_receipt = RwSignal::new(String::new());
    Effect::new(move |_| return_receipt.set(last_receipt.get()));
    let return_quantity = RwSignal::new(1_i64);
    let book_return = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let order_id = return_receipt.get_untracked();
        if order_id.trim().is_empty() {
            result.set("Für eine Rückgabe fehlt die Bonnummer.".into());
            return;
        }
        let request = TillReturn {
            store_id: store.get_untracked(),
            order_id: order_id.trim().to_string(),
            card: card_choice(),
            lines: vec![Line {
                sku: product.get_untracked(),
                quantity: return_quantity.get_untracked().clamp(1, 99),
            }],
        };
        leptos::task::spawn_local(async move {
            match backend::till_return(&request).await {
                Ok(answer) => {
                    result.set(said(&answer, "Rückgabe zu Bon"));
                    vitrine::refresh();
                }
                Err(_) => result.set("Die Rückgabe konnte nicht gebucht werden.".into()),
            }
        });
    };
    let title_of = move |sku: &str| {
        catalogue()
            .product(sku)
            .map(|p| (p.title.as_str(), p.price_minor))
    };

    view! {
        <div class="shop-till">
            <section class="shop-panel" aria-labelledby="till-heading">
                <h1 id="till-heading">"Bon buchen"</h1>
                <p class="shop-note">
                    "Kassensimulator einer Filiale – bucht Bons wie eine echte Kasse. Die Kasse "
                    "meldet sie dem Shop-Backend, das sie an Vitrine weitergibt."
                </p>
                <form class="shop-form" id="till" on:submit=book>
                    <label>
                        "Filiale"
                        <select
                            id="till-store"
                            name="store"
                            on:change:target=move |ev| store.set(ev.target().value())
                        >
                            {catalogue()
                                .stores
                                .iter()
                                .map(|s| {
                                    let id = s.store_id.as_str();
                                    view! {
                                        <option value=id selected=move || store.get() == id>
                                            {s.name.as_str()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "Kundenkarte"
                        <select
                            id="till-card"
                            name="card"
                            on:change:target=move |ev| card.set(ev.target().value())
                        >
                            <option value="">"ohne Karte"</option>
                            {move || {
                                customers
                                    .get()
                                    .and_then(Result::ok)
                                    .map(|customers| {
                                        customers
                                            .into_iter()
                                            .map(|c| {
                                                let label = format!("{} · {}", c.card, c.name);
                                                view! { <option value=c.card>{label}</option> }
                                            })
                                            .collect_view()
                                    })
                            }}
                        </select>
                    </label>
                    <label>
                        "Artikel"
                        <select
                            id="till-product"
                            name="sku"
                            on:change:target=move |ev| product.set(ev.target().value())
                        >
                            {catalogue()
                                .products
                                .iter()
                                .flat_map(|p| {
                                    let sizes = p.variants.iter().map(move |size| {
                                        (size.sku.as_str(), format!("{} ({})", p.title, size.label), p)
                                    });
                                    std::iter::once((p.sku.as_str(), p.title.clone(), p)).chain(sizes)
                                })
                                .map(|(sku, title, p)| {
                                    let label = format!("{sku} · {title} · {}", euro(p.price_minor));
                                    view! {
                                        <option value=sku selected=move || product.get() == sku>
                                            {label}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label>
                        "Menge"
                        <input
                            id="till-quantity"
                            name="quantity"
                            type="number"
                            min="1"
                            max="99"
                            prop:value=move || quantity.get().to_string()
                            on:input:target=move |ev| {
                                quantity.set(ev.target().value().parse().unwrap_or(1))
                            }
                        />
                    </label>
                    <button class="shop-button" type="button" id="till-add" on:click=add_line>
                        "Artikel hinzufügen"
                    </button>
                    <ul class="shop-list" id="till-lines" aria-label="Bon">
                        {move || {
                            lines
                                .get()
                                .into_iter()
                                .map(|line| {
                                    let text = match title_of(&line.sku) {
                                        Some((title, price)) => format!(
                                            "{} × {} · {}",
                                            line.quantity,
                                            title,
                                            euro(line.quantity * price),
                                        ),
                                        None => format!("{} × {}", line.quantity, line.sku),
                                    };
                                    view! { <li>{text}</li> }
                                })
                                .collect_view()
                        }}
                    </ul>
                    <button class="shop-button" type="submit" id="till-book">"Bon buchen"</button>
                </form>
                <p id="till-result" role="status">{move || result.get()}</p>
            </section>
            <section class="shop-panel" aria-labelledby="return-heading">
                <h2 id="return-heading">"Rückgabe"</h2>
                <p class="shop-note">
                    "Der gewählte Artikel kommt zurück (Filiale und Kundenkarte von oben); Vitrine "
                    "nimmt seine Punkte zurück."
                </p>
                <form class="shop-form" id="till-return" on:submit=book_return>
                    <label>
                        "Bonnummer"
                        <input
                            id="till-return-receipt"
                            name="order_id"
                            type="text"
                            prop:value=move || return_receipt.get()
                            on:input:target=move |ev| return_receipt.set(ev.target().value())
                        />
                    </label>
                    <label>
                        "Rückgabemenge"
                        <input
                            id="till-return-quantity"
                            name="return_quantity"
                            type="number"
                            min="1"
                            max="99"
                            prop:value=move || return_quantity.get().to_string()
                            on:input:target=move |ev| {
                                return_quantity.set(ev.target().value().parse().unwrap_or(1))
                            }
                        />
                    </label>
                    <button class="shop-button" type="submit" id="till-return-book">
                        "Rückgabe buchen"
                    </button>
                </form>
            </section>
        </div>
    }
}
