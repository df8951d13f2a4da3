//! `/anmelden`: sign in as one of the demo customers (no passwords). The shop's backend sets
//! its session cookie and answers her customer token, signed with the shop's secret key; the
//! app hands it to `Vitrine.identify`, and the widgets redraw for her.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::backend::{self, use_session};
use crate::vitrine;

/// The sign-in page.
#[component]
pub fn SignIn() -> impl IntoView {
    super::title(|| "Anmelden".into());
    let session = use_session();
    let customers = LocalResource::new(backend::customers);
    let failed = RwSignal::new(false);
    let navigate = use_navigate();
    let sign_in = move |id: String| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match backend::sign_in(&id).await {
                Ok((customer, token)) => {
                    session.0.set(Some(customer));
                    vitrine::identify(&token);
                    navigate("/", Default::default());
                }
                Err(err) => {
                    leptos::logging::warn!("sign-in failed: {err}");
                    failed.set(true);
                }
            }
        });
    };
    view! {
        <nav class="shop-crumbs" aria-label="Brotkrumen">
            <A href="/">"Startseite"</A>
            " › Anmelden"
        </nav>
        <section class="shop-panel" aria-labelledby="login-heading">
            <h1 id="login-heading">"Anmelden"</h1>
            <p>
                "Der Demoshop hat keine Passwörter: wählen Sie eine Kundin oder einen Kunden. Das "
                "Shop-Backend merkt sich die Anmeldung in einem Cookie und gibt der App ein "
                "signiertes Kunden-Token für Vitrine – signiert mit dem geheimen Schlüssel des "
                "Shops, der nie in den Browser gelangt. Mit der Anmeldung stimmen Sie im Demoshop "
                "personalisierten Empfehlungen zu."
            </p>
            {move || {
                session
                    .0
                    .get()
                    .map(|customer| {
                        view! {
                            <p class="shop-note">
                                {format!("Sie sind als {} angemeldet.", customer.name)}
                            </p>
                        }
                    })
            }}
            <ul class="shop-list">
                {move || {
                    let sign_in = sign_in.clone();
                    customers
                        .get()
                        .map(|answer| match answer {
                            Ok(customers) => {
                                customers
                                    .into_iter()
                                    .map(|customer| {
                                        let sign_in = sign_in.clone();
                                        let id = customer.id.clone();
                                        view! {
                                            <li>
                                                <button
                                                    class="shop-button"
                                                    type="button"
                                                    on:click=move |_| sign_in(id.clone())
                                                >
                                                    {customer.name.clone()}
                                                </button>
                                                <span class="shop-note">
                                                    {format!(
                                                        "Kundennummer {} · Karte {}",
                                                        customer.id,
                                                        customer.card,
                                                    )}
                                                </span>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            }
                            Err(_) => {
                                view! { <li>"Die Kundenliste ist nicht erreichbar."</li> }.into_any()
                            }
                        })
                }}
            </ul>
            <Show when=move || failed.get()>
                <p class="shop-note" role="alert">"Die Anmeldung ist fehlgeschlagen."</p>
            </Show>
        </section>
    }
}
