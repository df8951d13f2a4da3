//! `/konto`: the customer's account with her loyalty points (Vitrine's loyalty widget).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::backend::use_session;

/// The account page.
#[component]
pub fn Account() -> impl IntoView {
    super::title(|| "Mein Konto".into());
    let session = use_session();
    view! {
        <nav class="shop-crumbs" aria-label="Brotkrumen">
            <A href="/">"Startseite"</A>
            " › Mein Konto"
        </nav>
        <div class="shop-account">
            <section class="shop-account__intro" aria-labelledby="account-heading">
                <h1 id="account-heading">"Mein Konto"</h1>
                <p>
                    {move || match session.0.get() {
                        Some(customer) => format!(
                            "Angemeldet als {} · Kundennummer {} · Kundenkarte {}",
                            customer.name, customer.id, customer.card
                        ),
                        None => "Sie sind nicht angemeldet.".to_string(),
                    }}
                </p>
                <p>
                    "Ihre Alpenhaus-Treuepunkte gelten online und in allen Filialen: 1 Punkt je "
                    "Euro, ab 500 Punkten im Jahr Silber (125 %), ab 2.000 Gold (150 %); 100 Punkte "
                    "sind 1 € wert."
                </p>
                <p>
                    "Das Shop-Backend setzt für angemeldete Kundinnen und Kunden ein signiertes "
                    "Token (" <code>"data-customer-token"</code>
                    ", erzeugt mit dem geheimen Schlüssel des Shops) an das Script-Tag, nach der "
                    "Anmeldung auch per " <code>"Vitrine.identify(token)"</code>
                    "; dann zeigt Vitrine nebenan Punktestand, Stufe und die letzten Buchungen, aus "
                    "dem Webshop wie von den Kassen der Filialen. Ohne Token lädt das Feld zum "
                    "Mitmachen ein."
                </p>
            </section>
            // The loyalty widget where a shop's account page shows it: beside the account.
            <div class="shop-account__points" data-vitrine="loyalty" data-lines="5"></div>
        </div>
    }
}
