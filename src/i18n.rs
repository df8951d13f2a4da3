//! The widgets' texts in German and English, chosen by the page's locale.

/// Every text a widget shows.
#[derive(Debug)]
pub struct Texts {
    /// Heading of the recommendations on home and cart pages.
    pub popular_heading: &'static str,
    /// Heading of the recommendations on a product page.
    pub product_heading: &'static str,
    /// Heading of the recommendations on home and cart pages when they are personal.
    pub personal_heading: &'static str,
    /// Heading of the recommendations on the cart page.
    pub cart_heading: &'static str,
    /// The button on a tile that puts the product into the cart.
    pub add_to_cart: &'static str,
    /// Accessible label of the recommendations while they load.
    pub loading: &'static str,
    /// Reason shown on a tile recommended for being a best seller.
    pub reason_popular: &'static str,
    /// Reason shown on a tile recommended for selling more than usual.
    pub reason_trending: &'static str,
    /// Reason shown on a tile often bought with the product on screen or in the cart.
    pub reason_bought_together: &'static str,
    /// Reason shown on a tile that goes with an online purchase of the customer.
    pub reason_bought: &'static str,
    /// Before and after the store's name, on a tile that goes with a purchase in a store.
    pub reason_bought_in_store: (&'static str, &'static str),
    /// Reason shown on a tile that goes with products the shopper looked at.
    pub reason_viewed: &'static str,
    /// Reason shown on a tile from the shop's range (nothing more specific is known).
    pub reason_catalogue: &'static str,
    /// Heading of the store availability widget.
    pub availability_heading: &'static str,
    /// Ready for pickup today: `{time}` (store-local), `{store}`.
    pub pickup_today: &'static str,
    /// Ready for pickup tomorrow: `{time}`, `{store}`.
    pub pickup_tomorrow: &'static str,
    /// Ready for pickup on a later day: `{day}` (`Mo.`, or a date a week or more ahead),
    /// `{time}`, `{store}`.
    pub pickup_later: &'static str,
    /// In stock at a store that gives no pickup time: `{store}`.
    pub in_stock_at: &'static str,
    /// The best store (the customer's usual one) lacks the product; others may have it:
    /// `{store}`.
    pub out_at: &'static str,
    /// No store near the shopper has the product.
    pub out_everywhere: &'static str,
    /// Stock level: enough.
    pub stock_in: &'static str,
    /// Stock level: a few left.
    pub stock_low: &'static str,
    /// Stock level: none.
    pub stock_out: &'static str,
    /// The store is open now.
    pub open_now: &'static str,
    /// The store is closed now.
    pub closed_now: &'static str,
    /// When an open store closes: `{day}` (today, tomorrow, a weekday), `{time}`.
    pub closes_on: &'static str,
    /// When a closed store opens: `{day}` (today, tomorrow, a weekday), `{time}`.
    pub opens_on: &'static str,
    /// `{day}` of [`Self::opens_on`] and [`Self::closes_on`] for today.
    pub today: &'static str,
    /// `{day}` of [`Self::opens_on`] and [`Self::closes_on`] for tomorrow.
    pub tomorrow: &'static str,
    /// Short weekday names, Monday first, for a `{day}` within the next week (`Mo.`):
    /// browsers' `Intl` abbreviations vary (`Mo` or `Mo.`).
    pub weekdays: [&'static str; 7],
    /// Today's opening hours of a store in the list: `{hours}`.
    pub hours_today: &'static str,
    /// A store in the list that does not open today.
    pub closed_today: &'static str,
    /// Marks the customer's usual store.
    pub usual_store: &'static str,
    /// Where distances are measured from, a postcode's place: `{place}` (`80802 München`).
    pub near_place: &'static str,
    /// Where distances are measured from: the shopper's location.
    pub near_you: &'static str,
    /// Button that asks the browser for the shopper's location.
    pub use_location: &'static str,
    /// Shown when the browser gave no location (denied, unavailable, timed out).
    pub location_failed: &'static str,
    /// Label of the postcode field.
    pub postcode_label: &'static str,
    /// Button that searches by the postcode typed.
    pub postcode_submit: &'static str,
    /// Under the postcode field: the API knows no such postcode.
    pub postcode_unknown: &'static str,
    /// Under the postcode field: empty or malformed.
    pub postcode_invalid: &'static str,
    /// Button that shows or hides the other stores: `{count}`.
    pub more_stores: &'static str,
    /// Heading of the loyalty widget.
    pub loyalty_heading: &'static str,
    /// One point, after the number (`1 Punkt`).
    pub point: &'static str,
    /// Several points, after the number (`1.234 Punkte`).
    pub points: &'static str,
    /// What the balance is worth: `{value}` (`12,34 €`).
    pub points_value: &'static str,
    /// Points that expire next: `{points}` (`50 Punkte`), `{date}` (day and month).
    pub points_expire: &'static str,
    /// Under the progress bar: `{points}` still needed for `{tier}`.
    pub next_tier: &'static str,
    /// The progress bar's value for screen readers: `{now}` of `{max}` points for `{tier}`.
    pub tier_progress: &'static str,
    /// Under the full bar of a member in the top tier.
    pub top_tier: &'static str,
    /// Heading of the latest ledger lines.
    pub ledger_heading: &'static str,
    /// A member whose ledger is still empty.
    pub ledger_empty: &'static str,
    /// Ledger: a purchase at a store's till: `{store}`.
    pub ledger_store_purchase: &'static str,
    /// Ledger: a purchase in a store whose name is not known.
    pub ledger_purchase_in_store: &'static str,
    /// Ledger: an order in the web shop.
    pub ledger_web_order: &'static str,
    /// Ledger: an order in the shop's app.
    pub ledger_app_order: &'static str,
    /// Ledger: a purchase through no named channel.
    pub ledger_purchase: &'static str,
    /// Ledger: a return or cancellation.
    pub ledger_return: &'static str,
    /// Ledger: a return at a store: `{store}`.
    pub ledger_store_return: &'static str,
    /// Ledger: points added by the shop: `{reason}`.
    pub ledger_credit: &'static str,
    /// Ledger: points taken by the shop: `{reason}`.
    pub ledger_correction: &'static str,
    /// Ledger: points turned into a coupon.
    pub ledger_redeemed: &'static str,
    /// Ledger: points expired.
    pub ledger_expired: &'static str,
    /// To an anonymous visitor: what one earns, `{points}` (`1 Punkt`) per `{money}`.
    pub join_pitch: &'static str,
    /// The link to join or log in.
    pub join_link: &'static str,
    /// Heading of the cart recovery dialog.
    pub recovery_heading: &'static str,
    /// Accessible name of the dialog's close button.
    pub recovery_close: &'static str,
    /// The cart's sum: `{total}`.
    pub recovery_total: &'static str,
    /// What the coupon takes off, `{value}` (`10 %`, `5,00 €`), and until when, `{date}`.
    pub recovery_coupon: &'static str,
    /// The button that copies the coupon code.
    pub recovery_copy: &'static str,
    /// The copy button and the live region once the code is on the clipboard.
    pub recovery_copied: &'static str,
    /// The link back to the shop's cart page.
    pub recovery_back: &'static str,
}

const DE: Texts = Texts {
    popular_heading: "Beliebt bei unseren Kundinnen und Kunden",
    product_heading: "Das könnte Ihnen auch gefallen",
    personal_heading: "Für Sie ausgewählt",
    cart_heading: "Passt zu Ihrem Warenkorb",
    add_to_cart: "In den Warenkorb",
    loading: "Empfehlungen werden geladen",
    reason_popular: "Bestseller",
    reason_trending: "Gerade gefragt",
    reason_bought_together: "Oft zusammen gekauft",
    reason_bought: "Passend zu Ihrem Kauf",
    reason_bought_in_store: ("Weil Sie in ", " gekauft haben"),
    reason_viewed: "Passend zu Ihrem Interesse",
    reason_catalogue: "Aus unserem Sortiment",
    availability_heading: "In der Filiale abholen",
    pickup_today: "Heute ab {time} abholbereit in {store}",
    pickup_tomorrow: "Morgen ab {time} abholbereit in {store}",
    pickup_later: "{day} ab {time} abholbereit in {store}",
    in_stock_at: "Vorrätig in {store}",
    out_at: "Nicht vorrätig in {store}",
    out_everywhere: "Derzeit in keiner Filiale in Ihrer Nähe vorrätig",
    stock_in: "Vorrätig",
    stock_low: "Nur noch wenige",
    stock_out: "Nicht vorrätig",
    open_now: "Geöffnet",
    closed_now: "Geschlossen",
    closes_on: "schließt {day} um {time}",
    opens_on: "öffnet {day} um {time}",
    today: "heute",
    tomorrow: "morgen",
    weekdays: ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."],
    hours_today: "Heute {hours}",
    closed_today: "Heute geschlossen",
    usual_store: "Ihre Stammfiliale",
    near_place: "Filialen in der Nähe von {place}",
    near_you: "Filialen in Ihrer Nähe",
    use_location: "Meinen Standort verwenden",
    location_failed:
        "Ihr Standort konnte nicht verwendet werden. Geben Sie stattdessen Ihre Postleitzahl ein.",
    postcode_label: "Postleitzahl",
    postcode_submit: "Suchen",
    postcode_unknown: "Diese Postleitzahl kennen wir leider nicht.",
    postcode_invalid: "Bitte geben Sie eine gültige Postleitzahl ein.",
    more_stores: "Weitere Filialen ({count})",
    loyalty_heading: "Treuepunkte",
    point: "Punkt",
    points: "Punkte",
    points_value: "Wert: {value}",
    points_expire: "{points} verfallen am {date}",
    next_tier: "Noch {points} bis {tier}",
    tier_progress: "{now} von {max} Punkten für {tier}",
    top_tier: "Höchste Stufe erreicht",
    ledger_heading: "Letzte Buchungen",
    ledger_empty: "Noch keine Buchungen",
    ledger_store_purchase: "Einkauf in Filiale {store}",
    ledger_purchase_in_store: "Einkauf in einer Filiale",
    ledger_web_order: "Online-Bestellung",
    ledger_app_order: "Bestellung in der App",
    ledger_purchase: "Einkauf",
    ledger_return: "Rückgabe",
    ledger_store_return: "Rückgabe in Filiale {store}",
    ledger_credit: "Gutschrift: {reason}",
    ledger_correction: "Korrektur: {reason}",
    ledger_redeemed: "Eingelöst",
    ledger_expired: "Verfallen",
    join_pitch:
        "Sammeln Sie bei jedem Einkauf Punkte, online und in jeder Filiale: {points} je {money}.",
    join_link: "Anmelden oder Mitglied werden",
    recovery_heading: "Ihr Warenkorb wartet auf Sie",
    recovery_close: "Schließen",
    recovery_total: "Summe: {total}",
    recovery_coupon: "{value} Rabatt mit diesem Code, gültig bis {date}:",
    recovery_copy: "Code kopieren",
    recovery_copied: "Code kopiert",
    recovery_back: "Zurück zum Warenkorb",
};

const EN: Texts = Texts {
    popular_heading: "Popular with our customers",
    product_heading: "You may also like",
    personal_heading: "Picked for you",
    cart_heading: "Goes with your cart",
    add_to_cart: "Add to cart",
    loading: "Loading recommendations",
    reason_popular: "Best seller",
    reason_trending: "Trending",
    reason_bought_together: "Frequently bought together",
    reason_bought: "Goes with your purchase",
    reason_bought_in_store: ("Because you shopped at ", ""),
    reason_viewed: "Based on your browsing",
    reason_catalogue: "From our range",
    availability_heading: "Pick up in store",
    pickup_today: "Ready for pickup today from {time} at {store}",
    pickup_tomorrow: "Ready for pickup tomorrow from {time} at {store}",
    pickup_later: "Ready for pickup on {day} from {time} at {store}",
    in_stock_at: "In stock at {store}",
    out_at: "Out of stock at {store}",
    out_everywhere: "Currently out of stock in all stores near you",
    stock_in: "In stock",
    stock_low: "Only a few left",
    stock_out: "Out of stock",
    open_now: "Open now",
    closed_now: "Closed",
    closes_on: "closes {day} at {time}",
    opens_on: "opens {day} at {time}",
    today: "today",
    tomorrow: "tomorrow",
    weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    hours_today: "Today {hours}",
    closed_today: "Closed today",
    usual_store: "Your usual store",
    near_place: "Stores near {place}",
    near_you: "Stores near you",
    use_location: "Use my location",
    location_failed: "Your location could not be used. Enter your postcode instead.",
    postcode_label: "Postcode",
    postcode_submit: "Search",
    postcode_unknown: "Sorry, we do not know this postcode.",
    postcode_invalid: "Please enter a valid postcode.",
    more_stores: "More stores ({count})",
    loyalty_heading: "Loyalty points",
    point: "point",
    points: "points",
    points_value: "Worth {value}",
    points_expire: "{points} expire on {date}",
    next_tier: "{points} to go to {tier}",
    tier_progress: "{now} of {max} points for {tier}",
    top_tier: "Top tier reached",
    ledger_heading: "Recent activity",
    ledger_empty: "No activity yet",
    ledger_store_purchase: "Purchase at {store}",
    ledger_purchase_in_store: "Purchase in store",
    ledger_web_order: "Online order",
    ledger_app_order: "App order",
    ledger_purchase: "Purchase",
    ledger_return: "Return",
    ledger_store_return: "Return at {store}",
    ledger_credit: "Credit: {reason}",
    ledger_correction: "Correction: {reason}",
    ledger_redeemed: "Redeemed",
    ledger_expired: "Expired",
    join_pitch:
        "Collect points on every purchase, online and in every store: {points} per {money}.",
    join_link: "Log in or join",
    recovery_heading: "Your cart is waiting for you",
    recovery_close: "Close",
    recovery_total: "Total: {total}",
    recovery_coupon: "{value} off with this code, valid until {date}:",
    recovery_copy: "Copy code",
    recovery_copied: "Code copied",
    recovery_back: "Back to cart",
};

impl Texts {
    /// German for `de*` locales, English otherwise.
    pub fn for_locale(locale: &str) -> &'static Texts {
        if locale
            .get(..2)
            .is_some_and(|lang| lang.eq_ignore_ascii_case("de"))
        {
            &DE
        } else {
            &EN
        }
    }
}

/// `template` with each `{name}` replaced by its value, in one pass (a value holding braces
/// stays as it is). Word order differs between languages, so texts with several parts are
/// templates rather than pieces to concatenate.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = String::with_capacity(template.len() + 32);
    let mut rest = template;
    // `split_once` rather than slicing by index: no char-boundary panic path in the bundle.
    while let Some((before, after)) = rest.split_once('{') {
        text.push_str(before);
        let value = after.split_once('}').and_then(|(name, after)| {
            let (_, value) = values.iter().find(|(n, _)| *n == name)?;
            Some((*value, after))
        });
        match value {
            Some((value, after)) => {
                text.push_str(value);
                rest = after;
            }
            None => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    text
}
