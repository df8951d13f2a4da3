//! `/`: the guided tour, "for you" recommendations and the catalogue.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::catalogue::catalogue;
use crate::money::euro;

/// The home page.
#[component]
pub fn Home() -> impl IntoView {
    super::title(|| "Outdoor-Ausrüstung".into());
    view! {
        <section class="shop-tour" aria-labelledby="tour-heading">
            <h1 id="tour-heading">"Willkommen im Vitrine-Demoshop"</h1>
            <p>
                "Dieser Shop ist eine Single-Page-App in Rust (Leptos) auf eigenem Ursprung. "
                "Empfehlungen, Filialverfügbarkeit, Treuepunkte und der Warenkorb-Hinweis kommen "
                "aus der Vitrine-Profil-API auf einem anderen Ursprung – eingebunden mit einem "
                "einzigen Script-Tag, wie in jedem Shop. Online-Shop und Filialkassen kennen "
                "dieselbe Kundin:"
            </p>
            <ol>
                <li>
                    <A href="/anmelden">"Melden Sie sich an"</A>
                    ", etwa als Anna Berger. Unten stehen jetzt Empfehlungen für sie, mit dem "
                    "Grund („Weil Sie in Filiale … gekauft haben“)."
                </li>
                <li>
                    "Öffnen Sie ein Produkt, wählen Sie eine Größe und legen Sie es in den "
                    "Warenkorb. Die Filialverfügbarkeit zeigt, wo die Größe heute abholbereit ist."
                </li>
                <li>
                    "Buchen Sie an der " <A href="/kasse">"Kasse einer Filiale"</A>
                    " einen Bon mit Annas Kundenkarte 2500-1001 – etwa genau den Artikel aus dem "
                    "Warenkorb."
                </li>
                <li>
                    "Zurück im Shop: Die Empfehlungen bieten nicht mehr an, was sie in der Filiale "
                    "gekauft hat; unter " <A href="/konto">"Mein Konto"</A>
                    " stehen die Punkte des Filialeinkaufs mit dem Namen der Filiale; und der "
                    "Hinweis auf den verlassenen Warenkorb erscheint nicht, weil die Artikel in der "
                    "Filiale gekauft wurden. Ein Warenkorb, der liegen bleibt, meldet sich nach 30 "
                    "Minuten ohne Kauf – auf jedem Gerät, auf dem sie angemeldet ist."
                </li>
                <li>
                    "Dieselben Widgets im " <A href="/dunkel">"dunklen Design"</A>
                    ": umgefärbt allein mit CSS-Variablen des Shops."
                </li>
            </ol>
        </section>
        <div
            class="shop-widget"
            id="recommendations"
            data-vitrine="recommendations"
            data-context="home"
            data-limit="4"
        ></div>
        <section aria-labelledby="catalogue-heading">
            <h2 id="catalogue-heading">"Sortiment"</h2>
            <ul class="shop-grid" id="catalogue">
                {catalogue()
                    .products
                    .iter()
                    .map(|product| {
                        let href = format!("/produkt/{}", product.sku);
                        let image = format!("/images/{}.svg", product.sku);
                        view! {
                            <li class="shop-card">
                                <A href=href>
                                    <img src=image alt="" width="160" height="160"/>
                                    <span>{product.title.as_str()}</span>
                                    <strong>{euro(product.price_minor)}</strong>
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}
