//! `window.Vitrine`, the JS API the embed contract gives every shop: this app calls it as a
//! page's script would, with no code of the widget crate. Calls made before the loader has run
//! are queued in `window.Vitrine.q`, which the loader replays (docs/embed.md).

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

/// `Vitrine.track(type, {sku, quantity})`: a cart change, so that recommendations know the
/// cart and the cart recovery dialog can bring it back on another device.
pub fn track_cart(event: &str, sku: &str, quantity: i64) {
    let props = Object::new();
    set(&props, "sku", &sku.into());
    set(&props, "quantity", &JsValue::from_f64(quantity as f64));
    call("track", &Array::of2(&event.into(), &props));
}

/// `Vitrine.identify(token)`: the customer who has just signed in.
pub fn identify(customer_token: &str) {
    call("identify", &Array::of1(&customer_token.into()));
}

/// `Vitrine.signOut()`: the customer has signed out; the browser is a new anonymous visitor.
pub fn sign_out() {
    call("signOut", &Array::new());
}

/// `Vitrine.setConsent({tracking, personalisation})`: the shopper's choice on the shop's consent
/// control (the demo shop is an EU shop: nothing is tracked or personal before she allows it).
pub fn set_consent(allowed: bool) {
    let choice = Object::new();
    set(&choice, "tracking", &allowed.into());
    set(&choice, "personalisation", &allowed.into());
    call("setConsent", &Array::of1(&choice));
}

/// `Vitrine.refresh()`: the shop's data changed (an order, a receipt at a till), so the
/// widgets ask the API again instead of showing the answers of this page view.
pub fn refresh() {
    call("refresh", &Array::new());
}

/// `Vitrine.on('add-to-cart', …)`: the "In den Warenkorb" of a recommended tile is handled by
/// the shop (`handler(sku)`) instead of opening the product page.
pub fn on_add_to_cart(handler: impl Fn(String) + 'static) {
    let listener = Closure::<dyn Fn(JsValue, web_sys::Event)>::new(
        move |detail: JsValue, event: web_sys::Event| {
            event.prevent_default();
            if let Some(sku) = Reflect::get(&detail, &"sku".into())
                .ok()
                .and_then(|sku| sku.as_string())
            {
                handler(sku);
            }
        },
    );
    call(
        "on",
        &Array::of2(&"add-to-cart".into(), listener.as_ref().unchecked_ref()),
    );
    // The listener lives as long as the app.
    listener.forget();
}

/// Calls `window.Vitrine[name](...args)`, or queues the call for the loader.
fn call(name: &str, args: &Array) {
    let window: JsValue = js_sys::global().into();
    let mut vitrine = Reflect::get(&window, &"Vitrine".into()).unwrap_or(JsValue::UNDEFINED);
    if !vitrine.is_object() {
        let fresh = Object::new();
        set(&fresh, "q", &Array::new());
        set(&window, "Vitrine", &fresh);
        vitrine = fresh.into();
    }
    let method = Reflect::get(&vitrine, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(method) = method.dyn_ref::<Function>() {
        if let Err(err) = method.apply(&vitrine, args) {
            web_sys::console::error_2(&format!("Vitrine.{name} failed:").into(), &err);
        }
    } else if let Ok(queue) =
        Reflect::get(&vitrine, &"q".into()).and_then(|q| q.dyn_into::<Array>())
    {
        queue.push(&Array::of2(&name.into(), args));
    }
}

fn set(target: &JsValue, name: &str, value: &JsValue) {
    // Setting a property on a plain object cannot fail.
    let _ = Reflect::set(target, &name.into(), value);
}
