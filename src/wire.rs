//! Reads the API's answers from the JS values the loader's `Response.json()` produced, into
//! the wire types of `vitrine-types`.
//!
//! Deliberately not serde: `serde_wasm_bindgen` plus serde's error messages (which format
//! floats and escape strings) cost about as much wasm as all of Leptos that the widget uses.
//! The checks are those of the types' `Deserialize`: every field present with the right type,
//! unknown fields ignored.

use js_sys::Reflect;
use vitrine_types::{
    Channel, Money, RecommendationReason, RecommendationsResponse, RecommendedProduct,
};
use wasm_bindgen::{JsCast, JsValue};

/// The answer of `GET /v1/recommendations`.
pub fn recommendations(json: &JsValue) -> Result<RecommendationsResponse, String> {
    let items = field(json, "items")?
        .dyn_into::<js_sys::Array>()
        .map_err(|_| "`items` is not an array".to_string())?;
    Ok(RecommendationsResponse {
        recommendation_id: string(json, "recommendation_id")?,
        items: items
            .iter()
            .map(|item| recommended_product(&item))
            .collect::<Result<_, _>>()?,
    })
}

fn recommended_product(item: &JsValue) -> Result<RecommendedProduct, String> {
    let price = field(item, "price")?;
    let reason = field(item, "reason")?;
    Ok(RecommendedProduct {
        sku: string(item, "sku")?,
        title: string(item, "title")?,
        url: string(item, "url")?,
        image_url: string(item, "image_url")?,
        price: Money {
            amount_minor: integer(&price, "amount_minor")?,
            currency: string(&price, "currency")?,
        },
        reason: recommendation_reason(&reason)?,
    })
}

/// `#[serde(tag = "kind", rename_all = "snake_case")]`
fn recommendation_reason(reason: &JsValue) -> Result<RecommendationReason, String> {
    Ok(match string(reason, "kind")?.as_str() {
        "bought_together_with" => RecommendationReason::BoughtTogetherWith {
            sku: string(reason, "sku")?,
        },
        "because_you_bought" => RecommendationReason::BecauseYouBought {
            sku: string(reason, "sku")?,
            channel: match string(reason, "channel")?.as_str() {
                "web" => Channel::Web,
                "app" => Channel::App,
                "store" => Channel::Store,
                other => return Err(format!("unknown channel `{other}`")),
            },
            store_id: optional_string(reason, "store_id")?,
            store_name: optional_string(reason, "store_name")?,
        },
        "because_you_viewed" => RecommendationReason::BecauseYouViewed {
            sku: string(reason, "sku")?,
        },
        "popular" => RecommendationReason::Popular,
        "trending" => RecommendationReason::Trending,
        "catalogue" => RecommendationReason::Catalogue,
        other => return Err(format!("unknown reason `{other}`")),
    })
}

/// The field `name` of the object `value`; absent (or `null`) is an error.
fn field(value: &JsValue, name: &str) -> Result<JsValue, String> {
    if !value.is_object() {
        return Err(format!("expected an object holding `{name}`"));
    }
    Reflect::get(value, &JsValue::from_str(name))
        .ok()
        .filter(|field| !field.is_null_or_undefined())
        .ok_or_else(|| format!("missing field `{name}`"))
}

fn string(value: &JsValue, name: &str) -> Result<String, String> {
    field(value, name)?
        .as_string()
        .ok_or_else(|| format!("`{name}` is not a string"))
}

/// A string field that may be absent or `null` (`#[serde(default)]` on an `Option`).
fn optional_string(value: &JsValue, name: &str) -> Result<Option<String>, String> {
    let field = Reflect::get(value, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if field.is_null_or_undefined() {
        return Ok(None);
    }
    field
        .as_string()
        .map(Some)
        .ok_or_else(|| format!("`{name}` is not a string"))
}

/// An integer JSON number, exactly representable (as serde_json's `i64` would demand).
fn integer(value: &JsValue, name: &str) -> Result<i64, String> {
    field(value, name)?
        .as_f64()
        .filter(|number| number.fract() == 0.0 && number.abs() <= 9_007_199_254_740_991.0)
        .map(|number| number as i64)
        .ok_or_else(|| format!("`{name}` is not an integer"))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn json(text: &str) -> JsValue {
        js_sys::JSON::parse(text).unwrap()
    }

    const ITEM: &str = r#"{"sku":"A-1","title":"Mug","url":"https://shop.example/a-1",
        "image_url":"https://shop.example/a-1.jpg","price":{"amount_minor":1999,"currency":"EUR"},
        "reason":{"kind":"trending"},"extra":true}"#;

    #[wasm_bindgen_test]
    fn reads_an_answer() {
        let answer = recommendations(&json(&format!(
            r#"{{"recommendation_id":"r1","items":[{ITEM}]}}"#
        )))
        .unwrap();
        assert_eq!(answer.recommendation_id, "r1");
        let item = &answer.items[0];
        assert_eq!(
            (
                item.sku.as_str(),
                item.title.as_str(),
                item.image_url.as_str()
            ),
            ("A-1", "Mug", "https://shop.example/a-1.jpg")
        );
        assert_eq!(
            (item.price.amount_minor, item.price.currency.as_str()),
            (1999, "EUR")
        );
        assert_eq!(item.reason, RecommendationReason::Trending);
    }

    #[wasm_bindgen_test]
    fn reads_every_reason() {
        let cases = [
            (
                r#"{"kind":"because_you_bought","sku":"B-2","channel":"store","store_id":"ulm","store_name":"Ulm"}"#,
                RecommendationReason::BecauseYouBought {
                    sku: "B-2".into(),
                    channel: Channel::Store,
                    store_id: Some("ulm".into()),
                    store_name: Some("Ulm".into()),
                },
            ),
            (
                r#"{"kind":"because_you_bought","sku":"B-2","channel":"web"}"#,
                RecommendationReason::BecauseYouBought {
                    sku: "B-2".into(),
                    channel: Channel::Web,
                    store_id: None,
                    store_name: None,
                },
            ),
            (
                r#"{"kind":"bought_together_with","sku":"C-3"}"#,
                RecommendationReason::BoughtTogetherWith { sku: "C-3".into() },
            ),
            (
                r#"{"kind":"because_you_viewed","sku":"D-4"}"#,
                RecommendationReason::BecauseYouViewed { sku: "D-4".into() },
            ),
            (r#"{"kind":"popular"}"#, RecommendationReason::Popular),
            (r#"{"kind":"catalogue"}"#, RecommendationReason::Catalogue),
        ];
        for (reason, expected) in cases {
            let item = ITEM.replace(r#"{"kind":"trending"}"#, reason);
            let answer = recommendations(&json(&format!(
                r#"{{"recommendation_id":"r","items":[{item}]}}"#
            )))
            .unwrap();
            assert_eq!(answer.items[0].reason, expected, "{reason}");
        }
    }

    #[wasm_bindgen_test]
    fn rejects_what_serde_rejected() {
        for bad in [
            r#"{"items":[]}"#.to_string(),
            r#"{"recommendation_id":"r1","items":{}}"#.to_string(),
            r#"{"recommendation_id":7,"items":[]}"#.to_string(),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace("1999", "19.99")
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace("trending", "new")
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace(r#""sku":"A-1","#, "")
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace(
                    r#"{"kind":"trending"}"#,
                    r#"{"kind":"because_you_bought","sku":"B","channel":"till"}"#
                )
            ),
            format!(
                r#"{{"recommendation_id":"r1","items":[{}]}}"#,
                ITEM.replace(
                    r#"{"kind":"trending"}"#,
                    r#"{"kind":"bought_together_with"}"#
                )
            ),
            "null".to_string(),
        ] {
            assert!(recommendations(&json(&bad)).is_err(), "{bad}");
        }
    }
}
