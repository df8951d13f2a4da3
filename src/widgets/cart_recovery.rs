//! Cart recovery: no placeholder. For a signed-in customer (`data-customer-token`) the loader
//! asks `GET /v1/cart-recovery` at once; when the answer holds an offer, a modal dialog opens
//! once the page has settled (after `load` and an idle moment, so never during first paint):
//! the cart's lines with images and prices, the sum, the coupon code with a copy button, where
//! everything can be picked up, "back to cart" and a close button.
//!
//! The native `<dialog>` opened with `showModal()` gives the top layer, an inert page behind
//! it, Esc (its `cancel`) and a `::backdrop`; this module adds what it lacks: Tab and
//! Shift+Tab cycle inside, a click on the backdrop closes, the page does not scroll while it
//! is open, focus goes back where it was. The dialog lives in the shadow root of an element
//! appended to `<body>`, so it moves nothing on the page.
//!
//! `shown`, `clicked` and `dismissed` go to `POST /v1/cart-recovery/actions` through the
//! loader; the server keeps the frequency cap and the quiet period after a dismissal (on every
//! device), so the bundle stores nothing. A failed or garbled answer shows nothing and logs
//! one console warning; a shop without cart recovery rules (`no_cart_recovery`) shows nothing
//! and logs nothing.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Promise, Reflect};
use vitrine_types::CartRecoveryOffer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Node, NodeList};

use super::dom::{add, attributes, call, document, text};
use crate::embed::{shadow_root, Embed};
use crate::i18n::{fill, Texts};

/// Id of the element whose shadow root holds the dialog.
pub const HOST_ID: &str = "vitrine-cart-recovery";

/// Waits for the loader's answer and opens the dialog when it holds an offer. Does nothing
/// when the loader asked for none (no customer token on the page).
pub fn start(embed: Rc<Embed>) {
    let Ok(answer) = Reflect::get(embed.loader(), &"recovery".into()) else {
        return;
    };
    if answer.is_null_or_undefined() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let shown = async {
            let json = JsFuture::from(Promise::from(answer)).await?;
            let offer = crate::wire::cart_recovery(&json)
                .map_err(|err| JsValue::from(format!("unexpected answer: {err}")))?
                .offer;
            let Some(offer) = offer else {
                return Ok(());
            };
            let settled = call(embed.loader(), "settled", &Array::new())?;
            JsFuture::from(Promise::from(settled)).await?;
            open(&embed, &offer)
        };
        if let Err(err) = shown.await {
            // A shop that runs no cart recovery: nothing to say, nothing failed.
            let code = Reflect::get(&err, &"code".into()).unwrap_or_default();
            if code != "no_cart_recovery" {
                web_sys::console::warn_2(&"[vitrine] cart recovery unavailable:".into(), &err);
            }
        }
    });
}

/// Tells the API what the shopper did with the offer (`shown`, `clicked`, `dismissed`).
fn act(embed: &Embed, offer_id: &str, action: &str) {
    let _ = call(
        embed.loader(),
        "act",
        &Array::of2(&offer_id.into(), &action.into()),
    );
}

/// Builds the dialog for `offer` and opens it.
fn open(embed: &Rc<Embed>, offer: &CartRecoveryOffer) -> Result<(), JsValue> {
    // No placeholder: the script tag's `data-text-*` replace texts (the loader passes its
    // dataset as the options).
    let texts = Texts::overridden(embed.texts, embed.loader());
    let formats = &embed.formats;
    let document = document()?;
    let page = document.document_element().ok_or("no document element")?;
    let page_body: Node = Reflect::get(&document, &"body".into())?.unchecked_into();
    let host = add(&document, &page_body, "div", "")?;
    host.set_id(HOST_ID);
    let root = shadow_root(embed, &host)?;
    let dialog = add(&document, &root, "dialog", "vitrine-cart")?;
    attributes(
        &dialog,
        &[
            ("aria-labelledby", "vitrine-cart-heading"),
            ("aria-modal", "true"),
        ],
    )?;
    // The body, not the dialog, holds the padding: a click on the dialog itself is one on
    // its backdrop.
    let body = add(&document, &dialog, "div", "vitrine vitrine-cart__body")?;
    let close = text(&body, "button", "vitrine-cart__close", "×")?;
    attributes(
        &close,
        &[
            ("type", "button"),
            ("aria-label", texts.recovery_close),
            ("data-act", "close"),
        ],
    )?;
    text(&body, "h2", "vitrine-cart__heading", texts.recovery_heading)?
        .set_id("vitrine-cart-heading");
    let list = add(&document, &body, "ul", "vitrine-cart__lines")?;
    for line in &offer.lines {
        let item = add(&document, &list, "li", "vitrine-cart__line")?;
        item.set_attribute("data-sku", &line.sku)?;
        let image = add(&document, &item, "img", "vitrine-cart__image")?;
        attributes(&image, &[("src", &line.image_url), ("alt", "")])?;
        text(&item, "span", "vitrine-cart__title", &line.title)?;
        let price = [
            &formats.integer(line.quantity, false),
            " × ",
            &embed.prices.format(&line.unit_price),
        ]
        .concat();
        text(&item, "span", "vitrine-cart__price", &price)?;
        if !line.available {
            text(&item, "span", "vitrine-cart__note", texts.stock_out)?;
        }
    }
    let total = embed.prices.format(&offer.total);
    text(
        &body,
        "p",
        "vitrine-cart__total",
        &fill(texts.recovery_total, &[("total", &total)]),
    )?;
    let mut copy = None;
    if let Some(coupon) = &offer.coupon {
        let box_ = add(&document, &body, "div", "vitrine-cart__coupon")?;
        let value = match coupon.percent {
            Some(percent) => formats.percent(percent),
            None => embed.prices.format(&coupon.value),
        };
        let until = formats.day_month(coupon.expires_at as f64 * 1000.0, true);
        let offer_text = fill(
            texts.recovery_coupon,
            &[("value", &value), ("date", &until)],
        );
        text(&box_, "p", "", &offer_text)?;
        text(&box_, "code", "vitrine-cart__code", &coupon.code)?;
        let button = text(&box_, "button", "vitrine-cart__copy", texts.recovery_copy)?;
        attributes(&button, &[("type", "button"), ("data-act", "copy")])?;
        let live = text(&box_, "span", "vitrine-cart__live", "")?;
        live.set_attribute("role", "status")?;
        copy = Some((coupon.code.clone(), button, live));
    }
    if let Some(pickup) = &offer.pickup {
        let at = js_sys::Date::parse(&pickup.ready_at);
        let day = formats.day_month(at, false);
        let time = formats.wall_clock(pickup.ready_at.get(11..16).unwrap_or_default());
        let mut store = pickup.name.clone();
        if let Some(km) = pickup.distance_km {
            store = [&store, " (", &formats.distance((km * 1000.0) as u32), ")"].concat();
        }
        // Compared with the year: 25/11 of another year is not today.
        let template =
            if formats.day_month(at, true) == formats.day_month(js_sys::Date::now(), true) {
                texts.pickup_today
            } else {
                texts.pickup_later
            };
        let hint = fill(
            template,
            &[("day", &day), ("time", &time), ("store", &store)],
        );
        text(&body, "p", "vitrine-cart__pickup", &hint)?;
    }
    let back = text(&body, "a", "vitrine-cart__back", texts.recovery_back)?;
    attributes(&back, &[("href", &offer.cart_url), ("data-act", "cart")])?;
    // Web links only: whatever the answer says, never `javascript:` in the shop's page.
    let protocol = Reflect::get(&back, &"protocol".into())?.as_string();
    if !matches!(protocol.as_deref(), Some("https:" | "http:")) {
        back.remove();
    }

    let focused = Reflect::get(&document, &"activeElement".into())?;
    let style = Reflect::get(&page, &"style".into())?;
    let overflow = Reflect::get(&style, &"overflow".into())?;
    Reflect::set(&style, &"overflow".into(), &"hidden".into())?;
    call(&dialog, "showModal", &Array::new())?;
    call(&close, "focus", &Array::new())?;
    act(embed, &offer.offer_id, "shown");

    let clicked = Cell::new(false);
    let (embed, offer_id, dialog_) = (embed.clone(), offer.offer_id.clone(), dialog.clone());
    let handle = move |event: web_sys::Event| {
        let get = |name: &str| Reflect::get(&event, &name.into()).unwrap_or_default();
        let target = get("target");
        match event.type_().as_str() {
            "click" => {
                // A click on the dialog itself is one on its backdrop.
                let action = if target == ****dialog_ {
                    Some("close".into())
                } else {
                    target.unchecked_ref::<Element>().get_attribute("data-act")
                };
                match action.unwrap_or_default().as_str() {
                    "close" => {
                        let _ = call(&dialog_, "close", &Array::new());
                    }
                    // The link still leads on; closed too in case it only
                    // changes the fragment of this page.
                    "cart" => {
                        clicked.set(true);
                        act(&embed, &offer_id, "clicked");
                        let _ = call(&dialog_, "close", &Array::new());
                    }
                    "copy" => {
                        if let Some((code, button, live)) = copy.clone() {
                            copy_code(texts.recovery_copied, code, button, live);
                        }
                    }
                    _ => {}
                }
            }
            // Tab and Shift+Tab cycle through the dialog's controls.
            "keydown" if get("key") == "Tab" => {
                let controls: NodeList = call(
                    &dialog_,
                    "querySelectorAll",
                    &Array::of1(&"button,[href]".into()),
                )
                .unwrap_or_default()
                .unchecked_into();
                let last = controls.length().saturating_sub(1);
                let (from, to) = if get("shiftKey").is_truthy() {
                    (0, last)
                } else {
                    (last, 0)
                };
                let active = Reflect::get(&root, &"activeElement".into()).unwrap_or_default();
                if let (Some(from), Some(to)) = (controls.item(from), controls.item(to)) {
                    if active == ***from {
                        event.prevent_default();
                        let _ = call(&to, "focus", &Array::new());
                    }
                }
            }
            "close" => {
                if !clicked.get() {
                    act(&embed, &offer_id, "dismissed");
                }
                let _ = Reflect::set(&style, &"overflow".into(), &overflow);
                let _ = call(&focused, "focus", &Array::new());
                host.remove();
            }
            _ => {}
        }
    };
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(handle).into_js_value();
    for event in ["click", "keydown", "close"] {
        dialog.add_event_listener_with_callback(event, listener.unchecked_ref())?;
    }
    Ok(())
}

/// Puts `code` on the clipboard; then the button and the live region say `copied`.
fn copy_code(copied: &'static str, code: String, button: Element, live: Element) {
    wasm_bindgen_futures::spawn_local(async move {
        let clipboard = web_sys::window()
            .map(|window| Reflect::get(&window.navigator(), &"clipboard".into()))
            .and_then(Result::ok)
            .unwrap_or_default();
        let written = call(&clipboard, "writeText", &Array::of1(&code.into()));
        if let Ok(promise) = written {
            if JsFuture::from(Promise::from(promise)).await.is_ok() {
                button.set_text_content(Some(copied));
                live.set_text_content(Some(copied));
            }
        }
    });
}
