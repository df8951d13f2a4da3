//! Postcode → coordinates for Germany, Austria and Switzerland: the table shipped in
//! `server/data/dach_postcodes.csv` (GeoNames postal codes, CC BY 4.0; see README "Data"),
//! compiled into the binary and parsed once on first use.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The shipped table: `country,postcode,place,lat,lon`, one row per country and postcode.
const TABLE: &str = include_str!("../../data/dach_postcodes.csv");

/// Countries the table covers, in the order an ambiguous postcode is tried when the shop has
/// no stores to prefer one (`1010` is Wien and Lausanne).
pub const COUNTRIES: [&str; 3] = ["DE", "AT", "CH"];

/// A postcode's centroid.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// ISO 3166-1 alpha-2 country.
    pub country: &'static str,
    /// The postcode as the table spells it.
    pub postcode: String,
    /// Place name (`München`).
    pub place: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

static PLACES: LazyLock<HashMap<(&'static str, String), Place>> = LazyLock::new(|| {
    #[derive(serde::Deserialize)]
    struct Row {
        country: String,
        postcode: String,
        place: String,
        lat: f64,
        lon: f64,
    }
    csv::Reader::from_reader(TABLE.as_bytes())
        .deserialize::<Row>()
        .map(|row| row.expect("the shipped postcode table is valid CSV"))
        .filter_map(|row| {
            let country = COUNTRIES.into_iter().find(|c| *c == row.country)?;
            let place = Place {
                country,
                postcode: row.postcode.clone(),
                place: row.place,
                lat: row.lat,
                lon: row.lon,
            };
            Some(((country, row.postcode), place))
        })
        .collect()
});

/// Parses the table now instead of on the first request that needs it.
pub fn preload() -> usize {
    PLACES.len()
}

/// Why a postcode could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    /// The country is not one the table covers.
    #[error("country must be DE, AT or CH, not `{0}`")]
    UnknownCountry(String),
    /// Not a postcode of the given (or any covered) country.
    #[error("unknown postcode `{0}`")]
    Unknown(String),
}

/// The place of `postcode`, in `country` when given; otherwise the first of `preferred`
/// countries that has it, then DE, AT, CH. Spaces around the postcode and a country prefix
/// such as `D-`, `A-` or `CH-` are tolerated, as shoppers type them.
pub fn lookup(
    postcode: &str,
    country: Option<&str>,
    preferred: &[&str],
) -> Result<&'static Place, PostcodeError> {
    let (prefix, code) = match postcode.trim().split_once('-') {
        Some((prefix, code)) => (Some(prefix.trim().to_ascii_uppercase()), code.trim()),
        None => (None, postcode.trim()),
    };
    let from_prefix = prefix.as_deref().map(|p| match p {
        "D" => "DE",
        "A" => "AT",
        other => other,
    });
    let country = match (country, from_prefix) {
        (Some(country), _) => Some(country.trim().to_ascii_uppercase()),
        (None, Some(prefix)) => Some(prefix.to_string()),
        (None, None) => None,
    };
    if let Some(country) = &country {
        if !COUNTRIES.contains(&country.as_str()) {
            return Err(PostcodeError::UnknownCountry(country.clone()));
        }
    }
    let covered = |c: &str| COUNTRIES.into_iter().find(|k| *k == c);
    let candidates: Vec<&'static str> = match &country {
        Some(country) => covered(country).into_iter().collect(),
        None => preferred
            .iter()
            .copied()
            .chain(COUNTRIES)
            .filter_map(covered)
            .collect(),
    };
    candidates
        .into_iter()
        .find_map(|c| PLACES.get(&(c, code.to_string())))
        .ok_or_else(|| PostcodeError::Unknown(postcode.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_places_the_readme_checks() {
        let munich = lookup("80331", Some("DE"), &[]).unwrap();
        assert_eq!((munich.lat, munich.lon), (48.1345, 11.5710));
        assert_eq!(munich.place, "München");
        let vienna = lookup("1010", Some("AT"), &[]).unwrap();
        assert_eq!((vienna.lat, vienna.lon), (48.2077, 16.3705));
        let zurich = lookup("8001", Some("CH"), &[]).unwrap();
        assert_eq!((zurich.lat, zurich.lon), (47.3721, 8.5417));
        assert!(preload() > 16_000);
    }

    #[test]
    fn an_ambiguous_postcode_goes_to_the_preferred_country() {
        assert_eq!(lookup("1010", None, &[]).unwrap().country, "AT");
        assert_eq!(lookup("1010", None, &["CH"]).unwrap().country, "CH");
        assert_eq!(lookup("CH-1010", None, &[]).unwrap().country, "CH");
        assert_eq!(lookup(" A-5020 ", None, &[]).unwrap().place, "Salzburg");
        assert_eq!(lookup("5020", Some("at"), &[]).unwrap().place, "Salzburg");
    }

    #[test]
    fn unknown_postcodes_and_countries_are_refused() {
        assert_eq!(
            lookup("00000", None, &[]),
            Err(PostcodeError::Unknown("00000".into()))
        );
        assert_eq!(
            lookup("80331", Some("AT"), &[]),
            Err(PostcodeError::Unknown("80331".into()))
        );
        assert_eq!(
            lookup("75001", Some("FR"), &[]),
            Err(PostcodeError::UnknownCountry("FR".into()))
        );
        assert!(lookup("", None, &[]).is_err());
    }
}
