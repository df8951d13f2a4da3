//! Prices on the wire: integer minor units, never floats.

use serde::{Deserialize, Serialize};

/// An amount in the minor unit of its currency (cents for EUR), so sums stay exact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Money {
    /// Amount in minor units: 1999 with currency EUR is 19,99 €.
    pub amount_minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

impl Money {
    /// Number of decimal digits of the currency's minor unit (ISO 4217).
    pub fn minor_unit_digits(&self) -> u32 {
        match self.currency.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// The amount in major units, for handing to the browser's `Intl.NumberFormat`.
    pub fn major_units(&self) -> f64 {
        self.amount_minor as f64 / 10f64.powi(self.minor_unit_digits() as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euro_cents_become_euros() {
        let price = Money {
            amount_minor: 1999,
            currency: "EUR".into(),
        };
        assert_eq!(price.major_units(), 19.99);
    }

    #[test]
    fn yen_have_no_minor_unit() {
        let price = Money {
            amount_minor: 1999,
            currency: "JPY".into(),
        };
        assert_eq!(price.major_units(), 1999.0);
    }
}
