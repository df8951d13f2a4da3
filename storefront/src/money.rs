//! Prices as the shop shows them: euros in German, through the browser's Intl.

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

/// `minor` cents as "249,00 €".
pub fn euro(minor: i64) -> String {
    let options = Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = Reflect::set(&options, &"currency".into(), &"EUR".into());
    let format = Intl::NumberFormat::new(&Array::of1(&"de-DE".into()), &options).format();
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(minor as f64 / 100.0))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

/// A count of points as "1.234".
pub fn points(points: i64) -> String {
    let format = Intl::NumberFormat::new(&Array::of1(&"de-DE".into()), &Object::new()).format();
    format
        .call1(&JsValue::NULL, &JsValue::from_f64(points as f64))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}
