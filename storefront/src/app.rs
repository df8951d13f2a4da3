//! The app: the shop's shared state (catalogue, session, cart), its header and its routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

use crate::backend::{self, SessionState};
use crate::cart::Cart;
use crate::catalogue::catalogue;
use crate::pages;
use crate::vitrine;

/// The whole shop.
#[component]
pub fn App() -> impl IntoView {
    provide_context(SessionState::load());
    let cart = Cart::load();
    provide_context(cart);
    // A recommended tile's "In den Warenkorb" puts it into this shop's cart, on the page.
    let toast = RwSignal::new(String::new());
    vitrine::on_add_to_cart(move |sku| match catalogue().product(&sku) {
        Some(product) => {
            cart.add(&sku, &product.title, product.price_minor);
            toast.set("Im Warenkorb.".into());
        }
        None => toast.set("Konnte nicht in den Warenkorb gelegt werden.".into()),
    });

    view! {
        <Router>
            <Header/>
            <main class="shop-main">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Home/>
                    <Route path=path!("/produkt/:sku") view=pages::ProductPage/>
                    <Route path=path!("/warenkorb") view=pages::CartPage/>
                    <Route path=path!("/konto") view=pages::Account/>
                    <Route path=path!("/anmelden") view=pages::SignIn/>
                    <Route path=path!("/kasse") view=pages::Till/>
                    <Route path=path!("/dunkel") view=pages::Dark/>
                </Routes>
                <p class="shop-toast" role="status">{move || toast.get()}</p>
            </main>
            <footer class="shop-footer">
                <Consent/>
                <p>
                    "Demo-Shop von Vitrine · eine Leptos-Single-Page-App · "
                    <a href="/plain.html" rel="external">
                        "dieselben Widgets auf einer HTML-Seite ohne Framework"
                    </a> " · Produktbilder sind Zeichnungen"
                </p>
            </footer>
        </Router>
    }
}

/// The shop's consent control (an EU shop asks before it personalises or tracks): the choice
/// goes to Vitrine with `Vitrine.setConsent`; the shop remembers it on this device to show it.
/// Signing in counts as allowing it in the demo (the backend records it).
#[component]
fn Consent() -> impl IntoView {
    use gloo_storage::{LocalStorage, Storage};
    const KEY: &str = "alpenhaus-personalisierung";
    let allowed = RwSignal::new(LocalStorage::get::<bool>(KEY).unwrap_or(false));
    let toggle = move |_| {
        let now = !allowed.get_untracked();
        allowed.set(now);
        let _ = LocalStorage::set(KEY, now);
        vitrine::set_consent(now);
    };
    view! {
        <p class="shop-consent">
            {move || {
                if allowed.get() {
                    "Persönliche Empfehlungen und Warenkorb-Erinnerung sind erlaubt. "
                } else {
                    "Persönliche Empfehlungen und Warenkorb-Erinnerung brauchen Ihre Zustimmung. "
                }
            }}
            <button class="shop-link-button" type="button" aria-pressed=move || allowed.get().to_string() on:click=toggle>
                "Personalisierung erlauben"
            </button>
        </p>
    }
}

/// The shop's header: the logo, the cart with its count, the account, and who is signed in.
#[component]
fn Header() -> impl IntoView {
    let session = backend::use_session();
    let cart = crate::cart::use_cart();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match backend::sign_out().await {
                Ok(()) => {
                    session.0.set(None);
                    vitrine::sign_out();
                    navigate("/", Default::default());
                }
                Err(err) => leptos::logging::warn!("sign-out failed: {err}"),
            }
        });
    };
    view! {
        <header class="shop-header">
            <A href="/" exact=true attr:class="shop-logo">"Alpenhaus"</A>
            <span class="shop-tagline">
                "Outdoor-Ausrüstung · 8 Filialen in Bayern, Baden-Württemberg und Salzburg"
            </span>
            <nav class="shop-nav" aria-label="Konto">
                <A href="/warenkorb">
                    "Warenkorb "
                    <span class="shop-nav__count" data-testid="cart-count">
                        {move || cart.count()}
                    </span>
                </A>
                <A href="/konto">"Mein Konto"</A>
                <A href="/kasse">"Kasse"</A>
                <A href="/dunkel">"Dunkel"</A>
                {move || match session.0.get() {
                    Some(customer) => {
                        view! {
                            <span class="shop-nav__customer" data-testid="signed-in">
                                {customer.name}
                            </span>
                            <button class="shop-nav__button" type="button" on:click=sign_out.clone()>
                                "Abmelden"
                            </button>
                        }
                            .into_any()
                    }
                    None => view! { <A href="/anmelden">"Anmelden"</A> }.into_any(),
                }}
            </nav>
        </header>
    }
}
