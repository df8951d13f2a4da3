//! The checks a catalogue row passes before it is written; each returns what is wrong.

use vitrine_types::{ProductRow, StockRow, StoreRow};

/// Highest `price_minor`: 10^10 minor units (100 million in a two-decimal currency).
pub const MAX_PRICE_MINOR: i64 = 10_000_000_000;
/// Highest stock `quantity`.
pub const MAX_QUANTITY: i64 = 1_000_000_000;
/// Longest product or image URL.
pub const MAX_URL_LEN: usize = 2048;
/// Most attributes of one product.
pub const MAX_ATTRIBUTES: usize = 100;

/// ISO 3166-1 alpha-2 codes assigned to countries and territories, and `XK` (Kosovo, a
/// user-assigned code in common use).
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ \
    EC EE EG EH ER ES ET FI FJ FK FM FO FR \
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU \
    ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
    LA LB LC LI LK LR LS LT LU LV LY \
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
    NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA \
    RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
    VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

/// Checks a product row.
pub fn check_product(row: &ProductRow) -> Result<(), String> {
    // The same rule as SKUs in events (events.rs), so every imported SKU can be tracked.
    crate::events::check_sku(&row.sku)?;
    check_text("title", &row.title, 300)?;
    if !(0..=MAX_PRICE_MINOR).contains(&row.price_minor) {
        return Err(format!(
            "price_minor must be 0 to {MAX_PRICE_MINOR}, not {}",
            row.price_minor
        ));
    }
    if row.currency.len() != 3 || !row.currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "currency must be three upper-case letters (ISO 4217), not `{}`",
            row.currency
        ));
    }
    check_url("url", &row.url)?;
    check_url("image_url", &row.image_url)?;
    check_text("category", &row.category, 100)?;
    if row.attributes.len() > MAX_ATTRIBUTES {
        return Err(format!(
            "a product has at most {MAX_ATTRIBUTES} attributes, not {}",
            row.attributes.len()
        ));
    }
    for (name, value) in &row.attributes {
        check_text("an attribute name", name, 100)?;
        if value.chars().count() > 1000 || value.chars().any(char::is_control) {
            return Err(format!(
                "attribute `{name}` must be at most 1000 characters without control characters"
            ));
        }
    }
    Ok(())
}

/// Checks a store row.
pub fn check_store(row: &StoreRow) -> Result<(), String> {
    check_store_id(&row.store_id)?;
    check_text("name", &row.name, 200)?;
    check_text("street", &row.street, 200)?;
    if row.postcode.chars().count() > 20 || row.postcode.chars().any(char::is_control) {
        return Err("postcode must be at most 20 characters without control characters".into());
    }
    check_text("city", &row.city, 100)?;
    let known_country = row.country.len() == 2
        && COUNTRIES
            .split_ascii_whitespace()
            .any(|code| code == row.country);
    if !known_country {
        return Err(format!(
            "country must be an ISO 3166-1 alpha-2 code in capitals (`DE`), not `{}`",
            row.country
        ));
    }
    if !(row.lat.is_finite() && (-90.0..=90.0).contains(&row.lat)) {
        return Err(format!("lat must be -90 to 90, not {}", row.lat));
    }
    if !(row.lon.is_finite() && (-180.0..=180.0).contains(&row.lon)) {
        return Err(format!("lon must be -180 to 180, not {}", row.lon));
    }
    if row.timezone.parse::<chrono_tz::Tz>().is_err() {
        return Err(format!(
            "timezone must be an IANA time zone (`Europe/Berlin`), not `{}`",
            row.timezone
        ));
    }
    if row.pickup_preparation_minutes > 7 * 24 * 60 {
        return Err(format!(
            "pickup_preparation_minutes must be 0 to 10080 (a week), not {}",
            row.pickup_preparation_minutes
        ));
    }
    crate::availability::hours::check(&row.opening_hours)
}

/// Checks a stock row (whether its store and SKU exist is checked when it is written).
pub fn check_stock(row: &StockRow) -> Result<(), String> {
    check_store_id(&row.store_id)?;
    crate::events::check_sku(&row.sku)?;
    if !(0..=MAX_QUANTITY).contains(&row.quantity) {
        return Err(format!(
            "quantity must be 0 to {MAX_QUANTITY}, not {}",
            row.quantity
        ));
    }
    Ok(())
}

fn check_store_id(id: &str) -> Result<(), String> {
    let valid = (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "store_id must be 1 to 64 of A-Z a-z 0-9 _ -, not `{id}`"
        ))
    }
}

/// Not blank, at most `max` characters, no control characters.
fn check_text(field: &str, value: &str, max: usize) -> Result<(), String> {
    if value.trim().is_empty() || value.chars().count() > max || value.chars().any(char::is_control)
    {
        Err(format!(
            "{field} must be 1 to {max} characters, not blank, without control characters"
        ))
    } else {
        Ok(())
    }
}

fn check_url(field: &str, value: &str) -> Result<(), String> {
    let error =
        || format!("{field} must be an absolute http(s) URL of at most {MAX_URL_LEN} characters");
    // The parser would quietly drop surrounding spaces and inner tabs or newlines.
    if value.len() > MAX_URL_LEN || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(error());
    }
    match url::Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(()),
        _ => Err(error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrine_types::OpeningHours;
    use vitrine_types::Weekday;

    fn store() -> StoreRow {
        StoreRow {
            store_id: "ulm-1".into(),
            name: "Ulm".into(),
            street: "Münsterplatz 1".into(),
            postcode: "89073".into(),
            city: "Ulm".into(),
            country: "DE".into(),
            lat: 48.4,
            lon: 9.99,
            timezone: "Europe/Berlin".into(),
            opening_hours: OpeningHours::new(),
            pickup_preparation_minutes: 120,
        }
    }

    fn with_hours(day: Weekday, intervals: &[[&str; 2]]) -> StoreRow {
        let mut store = store();
        store.opening_hours.insert(
            day,
            intervals
                .iter()
                .map(|[a, b]| [a.to_string(), b.to_string()])
                .collect(),
        );
        store
    }

    #[test]
    fn opening_hours_run_from_midnight_to_midnight_without_overlaps() {
        assert!(check_store(&with_hours(Weekday::Mon, &[["00:00", "24:00"]])).is_ok());
        assert!(check_store(&with_hours(
            Weekday::Sat,
            &[["14:00", "18:00"], ["09:00", "14:00"]]
        ))
        .is_ok());
        assert!(check_store(&with_hours(Weekday::Sun, &[])).is_ok());
        for bad in [
            &[["09:00", "09:00"]][..],
            &[["18:00", "09:00"]],
            &[["09:00", "24:01"]],
            &[["9:00", "12:00"]],
            &[["09:60", "12:00"]],
            &[["25:00", "26:00"]],
            &[["09:00", "13:00"], ["12:00", "18:00"]],
        ] {
            assert!(
                check_store(&with_hours(Weekday::Tue, bad)).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn stores_need_a_real_country_place_and_time_zone() {
        assert!(check_store(&store()).is_ok());
        for change in [
            (|s: &mut StoreRow| s.country = "de".into()) as fn(&mut StoreRow),
            |s| s.country = "XX".into(),
            |s| s.lat = 90.5,
            |s| s.lon = f64::NAN,
            |s| s.timezone = "Europe/Ulm".into(),
            |s| s.store_id = "ulm 1".into(),
            |s| s.name = " ".into(),
            |s| s.pickup_preparation_minutes = 7 * 24 * 60 + 1,
        ] {
            let mut bad = store();
            change(&mut bad);
            assert!(check_store(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn product_urls_are_absolute_http_urls() {
        assert!(check_url("url", "https://shop.example/p/1?x=1").is_ok());
        assert!(check_url("url", "http://127.0.0.1:8081/p").is_ok());
        for bad in [
            "/p/1",
            "shop.example/p",
            "ftp://shop.example/p",
            "javascript:alert(1)",
            " https://shop.example/p",
            "https://shop.example/p\n",
            "https://",
        ] {
            assert!(check_url("url", bad).is_err(), "{bad}");
        }
        let long = format!("https://shop.example/{}", "a".repeat(MAX_URL_LEN));
        assert!(check_url("url", &long).is_err());
    }
}
