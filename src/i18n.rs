//! The widgets' texts: German, English and French, chosen by the page's locale, each text
//! replaceable by the shop with a `data-text-<name>` attribute.
//!
//! The three languages sit side by side in one table, so a text and its translations are
//! read and changed together. Each language is compiled into one string, split at run time
//! into a [`Texts`]: a struct literal per language would also carry a pointer and a length
//! per text, some 570 bytes a language that compress poorly. Regional variants are derived
//! rather than copied: de-CH (and de-LI) is German with "ss" for "ß"; en-US is British
//! English with the few words that differ ("cart", "ZIP code").
//!
//! A shop replaces a text by its kebab-case name on a placeholder
//! (`data-text-popular-heading="Unsere Lieblinge"`) or, for the cart recovery dialog, on the
//! script tag. Templates keep their `{placeholders}`. Every distinct set of replacements is
//! made once and kept: a single-page shop that mounts the same placeholder a thousand times
//! allocates nothing after the first time (see [`Texts::overridden`]).

use std::cell::RefCell;

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

/// Declares [`Texts`] with one `&'static str` field per entry (and the `pair` first, a template
/// kept cut in two), the names as one string and one table string per language (texts
/// separated by `\u{1f}`, in the order of the names).
macro_rules! texts {
    (
        $(#[doc = $pair_doc:literal])+
        pair $pair:ident:
            de $pair_de:literal
            en $pair_en:literal
            fr $pair_fr:literal;
        $(
            $(#[doc = $doc:literal])+
            $name:ident:
                de $de:literal
                en $en:literal
                fr $fr:literal;
        )+
    ) => {
        /// Every text a widget shows.
        #[derive(Debug)]
        pub struct Texts {
            $( $(#[doc = $doc])+ pub $name: &'static str, )+
            $(#[doc = $pair_doc])+
            pub $pair: (&'static str, &'static str),
        }

        /// The texts' names, each followed by a space; the pair's last.
        const NAMES: &str = concat!($(stringify!($name), " ",)+ stringify!($pair));

        /// How many texts there are, the pair's template included.
        const COUNT: usize = [$(stringify!($name),)+ ""].len();

        /// The texts as a list, in the order of [`NAMES`], the pair's as its template.
        type All = [&'static str; COUNT];

        /// German, English (British), French.
        const TABLES: [&str; 3] = [
            concat!($($de, "\u{1f}",)+ $pair_de),
            concat!($($en, "\u{1f}",)+ $pair_en),
            concat!($($fr, "\u{1f}",)+ $pair_fr),
        ];

        impl From<All> for Texts {
            fn from(all: All) -> Self {
                // The pair's template cut at its one placeholder, `{store}`.
                let template = all[COUNT - 1];
                let (before, after) = template.split_once('{').unwrap_or((template, "{}"));
                let after = after.split_once('}').map_or("", |(_, after)| after);
                let [$($name,)+ _] = all;
                Texts { $($name,)+ $pair: (before, after) }
            }
        }
    };
}

texts! {
    /// Before and after the store's name, on a tile that goes with a purchase in a store:
    /// the text `reason-bought-in-store` (a template with one placeholder, `{store}`) cut
    /// there.
    pair reason_bought_in_store:
        de "Weil Sie in {store} gekauft haben"
        en "Because you shopped at {store}"
        fr "Suite à votre achat à {store}";
    /// Heading of the recommendations on home and cart pages.
    popular_heading:
        de "Beliebt bei unseren Kundinnen und Kunden"
        en "Popular with our customers"
        fr "Les préférés de nos clients";
    /// Heading of the recommendations on a product page.
    product_heading:
        de "Das könnte Ihnen auch gefallen"
        en "You may also like"
        fr "Vous aimerez aussi";
    /// Heading of the recommendations on home and cart pages when they are personal.
    personal_heading:
        de "Für Sie ausgewählt"
        en "Picked for you"
        fr "Sélectionnés pour vous";
    /// Heading of the recommendations on the cart page.
    cart_heading:
        de "Passt zu Ihrem Warenkorb"
        en "Goes with your basket"
        fr "Pour compléter votre panier";
    /// The button on a tile that puts the product into the cart.
    add_to_cart:
        de "In den Warenkorb"
        en "Add to basket"
        fr "Ajouter au panier";
    /// Accessible label of the recommendations while they load.
    loading:
        de "Empfehlungen werden geladen"
        en "Loading recommendations"
        fr "Chargement des recommandations";
    /// Reason shown on a tile recommended for being a best seller.
    reason_popular:
        de "Bestseller"
        en "Best seller"
        fr "Meilleure vente";
    /// Reason shown on a tile recommended for selling more than usual.
    reason_trending:
        de "Gerade gefragt"
        en "Trending"
        fr "Tendance";
    /// Reason shown on a tile often bought with the product on screen or in the cart.
    reason_bought_together:
        de "Oft zusammen gekauft"
        en "Frequently bought together"
        fr "Souvent achetés ensemble";
    /// Reason shown on a tile that goes with an online purchase of the customer.
    reason_bought:
        de "Passend zu Ihrem Kauf"
        en "Goes with your purchase"
        fr "Pour compléter votre achat";
    /// Reason shown on a tile that goes with products the shopper looked at.
    reason_viewed:
        de "Passend zu Ihrem Interesse"
        en "Based on your browsing"
        fr "Selon vos centres d’intérêt";
    /// Reason shown on a tile from the shop's range (nothing more specific is known).
    reason_catalogue:
        de "Aus unserem Sortiment"
        en "From our range"
        fr "Dans notre gamme";
    /// Heading of the store availability widget.
    availability_heading:
        de "In der Filiale abholen"
        en "Pick up in store"
        fr "Retrait en magasin";
    /// Ready for pickup today: `{time}` (store-local), `{store}`.
    pickup_today:
        de "Heute ab {time} abholbereit in {store}"
        en "Ready for pickup today from {time} at {store}"
        fr "Disponible en retrait aujourd’hui dès {time} à {store}";
    /// Ready for pickup tomorrow: `{time}`, `{store}`.
    pickup_tomorrow:
        de "Morgen ab {time} abholbereit in {store}"
        en "Ready for pickup tomorrow from {time} at {store}"
        fr "Disponible en retrait demain dès {time} à {store}";
    /// Ready for pickup on a later day: `{day}` (a weekday, `Montag`, or a date a week or more
    /// ahead), `{time}`, `{store}`.
    pickup_later:
        de "{day} ab {time} abholbereit in {store}"
        en "Ready for pickup on {day} from {time} at {store}"
        fr "Disponible en retrait le {day} dès {time} à {store}";
    /// In stock at a store that gives no pickup time: `{store}`.
    in_stock_at:
        de "Vorrätig in {store}"
        en "In stock at {store}"
        fr "En stock à {store}";
    /// The best store (the customer's usual one) lacks the product; others may have it:
    /// `{store}`.
    out_at:
        de "Nicht vorrätig in {store}"
        en "Out of stock at {store}"
        fr "Indisponible à {store}";
    /// No store near the shopper has the product.
    out_everywhere:
        de "Derzeit in keiner Filiale in Ihrer Nähe vorrätig"
        en "Currently out of stock in all stores near you"
        fr "Actuellement indisponible dans les magasins près de chez vous";
    /// Stock level: enough.
    stock_in:
        de "Vorrätig"
        en "In stock"
        fr "En stock";
    /// Stock level: a few left.
    stock_low:
        de "Nur noch wenige"
        en "Only a few left"
        fr "Plus que quelques articles";
    /// Stock level: none.
    stock_out:
        de "Nicht vorrätig"
        en "Out of stock"
        fr "Rupture de stock";
    /// The store is open now.
    open_now:
        de "Geöffnet"
        en "Open now"
        fr "Ouvert";
    /// The store is closed now.
    closed_now:
        de "Geschlossen"
        en "Closed"
        fr "Fermé";
    /// When an open store closes: `{day}` (today, tomorrow, a weekday), `{time}`.
    closes_on:
        de "schließt {day} um {time}"
        en "closes {day} at {time}"
        fr "ferme {day} à {time}";
    /// When a closed store opens: `{day}` (today, tomorrow, a weekday), `{time}`.
    opens_on:
        de "öffnet {day} um {time}"
        en "opens {day} at {time}"
        fr "ouvre {day} à {time}";
    /// `{day}` of [`Self::opens_on`] and [`Self::closes_on`] for today.
    today:
        de "heute"
        en "today"
        fr "aujourd’hui";
    /// `{day}` of [`Self::opens_on`] and [`Self::closes_on`] for tomorrow.
    tomorrow:
        de "morgen"
        en "tomorrow"
        fr "demain";
    /// Today's opening hours of a store in the list: `{hours}`.
    hours_today:
        de "Heute {hours}"
        en "Today {hours}"
        fr "Aujourd’hui {hours}";
    /// A store in the list that does not open today.
    closed_today:
        de "Heute geschlossen"
        en "Closed today"
        fr "Fermé aujourd’hui";
    /// Marks the customer's usual store.
    usual_store:
        de "Ihre Stammfiliale"
        en "Your usual store"
        fr "Votre magasin habituel";
    /// Where distances are measured from, a postcode's place: `{place}` (`80802 München`).
    near_place:
        de "Filialen in der Nähe von {place}"
        en "Stores near {place}"
        fr "Magasins près de {place}";
    /// Where distances are measured from: the shopper's location.
    near_you:
        de "Filialen in Ihrer Nähe"
        en "Stores near you"
        fr "Magasins près de chez vous";
    /// Button that asks the browser for the shopper's location.
    use_location:
        de "Meinen Standort verwenden"
        en "Use my location"
        fr "Utiliser ma position";
    /// Shown when the browser gave no location (denied, unavailable, timed out).
    location_failed:
        de "Ihr Standort konnte nicht verwendet werden. Geben Sie stattdessen Ihre Postleitzahl ein."
        en "Your location could not be used. Enter your postcode instead."
        fr "Votre position n’a pas pu être utilisée. Saisissez plutôt votre code postal.";
    /// Label of the postcode field.
    postcode_label:
        de "Postleitzahl"
        en "Postcode"
        fr "Code postal";
    /// Button that searches by the postcode typed.
    postcode_submit:
        de "Suchen"
        en "Search"
        fr "Rechercher";
    /// Under the postcode field: the API knows no such postcode.
    postcode_unknown:
        de "Diese Postleitzahl kennen wir leider nicht."
        en "Sorry, we do not know this postcode."
        fr "Nous ne connaissons pas ce code postal.";
    /// Under the postcode field: empty or malformed.
    postcode_invalid:
        de "Bitte geben Sie eine gültige Postleitzahl ein."
        en "Please enter a valid postcode."
        fr "Veuillez saisir un code postal valide.";
    /// Button that shows or hides the other stores: `{count}`.
    more_stores:
        de "Weitere Filialen ({count})"
        en "More stores ({count})"
        fr "Autres magasins ({count})";
    /// Heading of the loyalty widget.
    loyalty_heading:
        de "Treuepunkte"
        en "Loyalty points"
        fr "Points de fidélité";
    /// One point, after the number (`1 Punkt`; in French also `0 point`).
    point:
        de "Punkt"
        en "point"
        fr "point";
    /// Several points, after the number (`1.234 Punkte`).
    points:
        de "Punkte"
        en "points"
        fr "points";
    /// What the balance is worth: `{value}` (`12,34 €`).
    points_value:
        de "Wert: {value}"
        en "Worth {value}"
        fr "Valeur\u{a0}: {value}";
    /// Points that expire next: `{points}` (`50 Punkte`), `{date}` (day and month).
    points_expire:
        de "{points} verfallen am {date}"
        en "{points} expire on {date}"
        fr "{points} expirent le {date}";
    /// Under the progress bar: `{points}` still needed for `{tier}`.
    next_tier:
        de "Noch {points} bis {tier}"
        en "{points} to go to {tier}"
        fr "Plus que {points} pour {tier}";
    /// The progress bar's value for screen readers: `{now}` of `{max}` points for `{tier}`.
    tier_progress:
        de "{now} von {max} Punkten für {tier}"
        en "{now} of {max} points for {tier}"
        fr "{now} sur {max} points pour {tier}";
    /// Under the full bar of a member in the top tier.
    top_tier:
        de "Höchste Stufe erreicht"
        en "Top tier reached"
        fr "Niveau maximal atteint";
    /// Heading of the latest ledger lines.
    ledger_heading:
        de "Letzte Buchungen"
        en "Recent activity"
        fr "Derniers mouvements";
    /// A member whose ledger is still empty.
    ledger_empty:
        de "Noch keine Buchungen"
        en "No activity yet"
        fr "Aucun mouvement pour le moment";
    /// Ledger: a purchase at a store's till: `{store}`.
    ledger_store_purchase:
        de "Einkauf in Filiale {store}"
        en "Purchase at {store}"
        fr "Achat au magasin {store}";
    /// Ledger: a purchase in a store whose name is not known.
    ledger_purchase_in_store:
        de "Einkauf in einer Filiale"
        en "Purchase in store"
        fr "Achat en magasin";
    /// Ledger: an order in the web shop.
    ledger_web_order:
        de "Online-Bestellung"
        en "Online order"
        fr "Commande en ligne";
    /// Ledger: an order in the shop's app.
    ledger_app_order:
        de "Bestellung in der App"
        en "App order"
        fr "Commande dans l’application";
    /// Ledger: a purchase through no named channel.
    ledger_purchase:
        de "Einkauf"
        en "Purchase"
        fr "Achat";
    /// Ledger: a return or cancellation.
    ledger_return:
        de "Rückgabe"
        en "Return"
        fr "Retour";
    /// Ledger: a return at a store: `{store}`.
    ledger_store_return:
        de "Rückgabe in Filiale {store}"
        en "Return at {store}"
        fr "Retour au magasin {store}";
    /// Ledger: points added by the shop: `{reason}`.
    ledger_credit:
        de "Gutschrift: {reason}"
        en "Credit: {reason}"
        fr "Crédit\u{a0}: {reason}";
    /// Ledger: points taken by the shop: `{reason}`.
    ledger_correction:
        de "Korrektur: {reason}"
        en "Correction: {reason}"
        fr "Correction\u{a0}: {reason}";
    /// Ledger: points turned into a coupon.
    ledger_redeemed:
        de "Eingelöst"
        en "Redeemed"
        fr "Points utilisés";
    /// Ledger: points expired.
    ledger_expired:
        de "Verfallen"
        en "Expired"
        fr "Points expirés";
    /// To an anonymous visitor: what one earns, `{points}` (`1 Punkt`) per `{money}`.
    join_pitch:
        de "Sammeln Sie bei jedem Einkauf Punkte, online und in jeder Filiale: {points} je {money}."
        en "Collect points on every purchase, online and in every store: {points} per {money}."
        fr "Cumulez des points à chaque achat, en ligne et dans tous nos magasins\u{a0}: {points} par {money}.";
    /// The link to join or log in.
    join_link:
        de "Anmelden oder Mitglied werden"
        en "Log in or join"
        fr "Se connecter ou devenir membre";
    /// Heading of the cart recovery dialog.
    recovery_heading:
        de "Ihr Warenkorb wartet auf Sie"
        en "Your basket is waiting for you"
        fr "Votre panier vous attend";
    /// Accessible name of the dialog's close button.
    recovery_close:
        de "Schließen"
        en "Close"
        fr "Fermer";
    /// The cart's sum: `{total}`.
    recovery_total:
        de "Summe: {total}"
        en "Total: {total}"
        fr "Total\u{a0}: {total}";
    /// What the coupon takes off, `{value}` (`10 %`, `5,00 €`), and until when, `{date}`.
    recovery_coupon:
        de "{value} Rabatt mit diesem Code, gültig bis {date}:"
        en "{value} off with this code, valid until {date}:"
        fr "{value} de remise avec ce code, valable jusqu’au {date}\u{a0}:";
    /// The button that copies the coupon code.
    recovery_copy:
        de "Code kopieren"
        en "Copy code"
        fr "Copier le code";
    /// The copy button and the live region once the code is on the clipboard.
    recovery_copied:
        de "Code kopiert"
        en "Code copied"
        fr "Code copié";
    /// The link back to the shop's cart page.
    recovery_back:
        de "Zurück zum Warenkorb"
        en "Back to basket"
        fr "Retour au panier";
}

/// Where US English differs from British: the same names, other words.
const EN_US: [(&str, &str); 8] = [
    ("cart_heading", "Goes with your cart"),
    ("add_to_cart", "Add to cart"),
    ("recovery_heading", "Your cart is waiting for you"),
    ("recovery_back", "Back to cart"),
    (
        "location_failed",
        "Your location could not be used. Enter your ZIP code instead.",
    ),
    ("postcode_label", "ZIP code"),
    ("postcode_unknown", "Sorry, we do not know this ZIP code."),
    ("postcode_invalid", "Please enter a valid ZIP code."),
];

/// A set of texts made at run time, kept for the page's life.
struct Made {
    /// The address of the texts it was made from; 0 for a language's table.
    base: usize,
    /// What was done to them: the variant (`de-CH`), or the replacements, each name (as
    /// `dataset` writes it after `text`) and text followed by `\u{1f}`.
    recipe: &'static str,
    /// The texts as a list, what replacements start from.
    all: All,
    texts: Texts,
}

thread_local! {
    /// Every set of texts made so far: bounded by the distinct recipes a page uses, however
    /// often they are asked for (a single-page shop remounting a placeholder).
    static MADE: RefCell<Vec<&'static Made>> = const { RefCell::new(Vec::new()) };
}

/// The first kept set of texts that `matches`.
fn find(matches: impl Fn(&Made) -> bool) -> Option<&'static Made> {
    MADE.with(|made| made.borrow().iter().copied().find(|made| matches(made)))
}

/// Keeps `all`, made from `base` by `recipe`, as texts for the page's life.
fn keep(base: usize, recipe: &'static str, all: All) -> &'static Texts {
    let texts = all.into();
    let made: &'static Made = Box::leak(Box::new(Made {
        base,
        recipe,
        all,
        texts,
    }));
    MADE.with(|kept| kept.borrow_mut().push(made));
    &made.texts
}

/// Sets the text `name` of `all` to `text`; false when there is no such text. The name in
/// snake case (`add_to_cart`) or as `dataset` writes it after `text` (`AddToCart`).
fn set(all: &mut All, name: &str, text: &'static str) -> bool {
    // `split_once` loops rather than `split`: the bundle has them already.
    let mut names = NAMES;
    for slot in all {
        let (known, rest) = names.split_once(' ').unwrap_or((names, ""));
        if letters(known).eq(letters(name)) {
            *slot = text;
            return true;
        }
        names = rest;
    }
    false
}

/// The letters of a name in lower case, without underscores: `add_to_cart` and `AddToCart`
/// are both `addtocart`.
fn letters(name: &str) -> impl Iterator<Item = u8> + '_ {
    name.bytes()
        .filter(|&b| b != b'_')
        .map(|b| b.to_ascii_lowercase())
}

impl Texts {
    /// The texts for `locale` (BCP 47): German for `de*` (de-CH and de-LI with "ss" for "ß"),
    /// French for `fr*`, English otherwise (British; US English for en-US).
    pub fn for_locale(locale: &str) -> &'static Texts {
        let is = |range: std::ops::Range<usize>, code: &str| {
            locale
                .get(range)
                .is_some_and(|part| part.eq_ignore_ascii_case(code))
        };
        let (table, variant) = if is(0..2, "de") {
            let swiss = is(3..5, "ch") || is(3..5, "li");
            (0, if swiss { "de-CH" } else { "de" })
        } else if is(0..2, "fr") {
            (2, "fr")
        } else if is(3..5, "us") {
            (1, "en-US")
        } else {
            (1, "en")
        };
        if let Some(made) = find(|made| made.base == 0 && made.recipe == variant) {
            return &made.texts;
        }
        let mut table = TABLES[table];
        if variant == "de-CH" {
            let mut swiss = String::new();
            while let Some((before, after)) = table.split_once('ß') {
                swiss.extend([before, "ss"]);
                table = after;
            }
            swiss.push_str(table);
            table = swiss.leak();
        }
        let mut all = [""; COUNT];
        for slot in &mut all {
            let (text, rest) = table.split_once('\u{1f}').unwrap_or((table, ""));
            *slot = text;
            table = rest;
        }
        if variant == "en-US" {
            for (name, text) in EN_US {
                set(&mut all, name, text);
            }
        }
        keep(0, variant, all)
    }

    /// The texts of a widget on `placeholder`: `base` with each `data-text-<name>` attribute
    /// of the placeholder in place of the text `<name>`. `base` itself when it has none.
    pub fn for_placeholder(base: &'static Texts, placeholder: &Element) -> &'static Texts {
        let dataset = Reflect::get(placeholder, &"dataset".into()).unwrap_or_default();
        Texts::overridden(base, &dataset)
    }

    /// `base` (texts made here, as [`Texts::for_locale`]'s) with the replacements in `data`,
    /// an object of `data-*` attributes as the DOM's `dataset` names them (`textAddToCart`
    /// for `data-text-add-to-cart`): a placeholder's dataset, or the loader's options (which
    /// hold the script tag's). `base` itself when `data` holds none; an unknown name is
    /// reported on the console and skipped.
    pub fn overridden(base: &'static Texts, data: &JsValue) -> &'static Texts {
        let mut recipe = String::new();
        if data.is_object() {
            let object: &Object = data.unchecked_ref();
            for key in Object::keys(object).iter() {
                let key = key.as_string().unwrap_or_default();
                // `textAddToCart`: `text` and a capital, as `dataset` names `data-text-…`.
                let capital = |name: &&str| ("A".."a").contains(name);
                let Some(name) = key.strip_prefix("text").filter(capital) else {
                    continue;
                };
                let text = Reflect::get(data, &key.as_str().into()).ok();
                let text = text.and_then(|text| text.as_string()).unwrap_or_default();
                recipe.extend([name, "\u{1f}", &text, "\u{1f}"]);
            }
        }
        if recipe.is_empty() {
            return base;
        }
        let Some(from) = find(|made| std::ptr::eq(&made.texts, base)) else {
            return base;
        };
        let origin = base as *const Texts as usize;
        if let Some(made) = find(|made| made.base == origin && made.recipe == recipe) {
            return &made.texts;
        }
        let recipe: &'static str = recipe.leak();
        let mut all = from.all;
        let mut rest = recipe;
        while let Some((name, after)) = rest.split_once('\u{1f}') {
            let (text, after) = after.split_once('\u{1f}').unwrap_or((after, ""));
            if !set(&mut all, name, text) {
                web_sys::console::warn_2(
                    &"[vitrine] no such text (data-text-…):".into(),
                    &name.into(),
                );
            }
            rest = after;
        }
        keep(origin, recipe, all)
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
