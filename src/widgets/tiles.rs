//! What the shopper does with recommendation tiles, reported for attribution: an impression
//! once a tile has been at least half visible for a second (the tiles seen together go in one
//! event), a click on a tile's link or add-to-cart button. The button fires a cancelable
//! `vitrine:add-to-cart` on the placeholder (it bubbles to the page, where
//! `Vitrine.on('add-to-cart', …)` hears it); a shop that handles it calls `preventDefault()`,
//! otherwise the product page opens. The events go through the loader, which sends them only
//! with tracking consent.
//!
//! The browser objects are reached through `Reflect` and [`call`]: bindings of their own would
//! cost the bundle more than these few calls.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event};

use super::dom::call;
use crate::embed::Embed;

/// How long a tile must stay at least half visible to count as seen, in milliseconds.
const SEEN_AFTER_MS: f64 = 1000.0;

/// Follows the tiles of one rendered list; dropping it stops.
pub struct Tiles {
    observer: JsValue,
    list: Element,
    _state: Rc<State>,
    _visible: Closure<dyn Fn(Array)>,
    _click: Closure<dyn Fn(Event)>,
}

impl Drop for Tiles {
    fn drop(&mut self) {
        let _ = call(&self.observer, "disconnect", &Array::new());
        let _ = self
            .list
            .remove_event_listener_with_callback("click", self._click.as_ref().unchecked_ref());
    }
}

struct State {
    embed: Rc<Embed>,
    placeholder: Element,
    recommendation_id: String,
    /// Tiles at least half visible, by SKU, since when (`performance.now()`-like ms).
    visible: RefCell<Vec<(String, f64)>>,
    /// The check for tiles seen long enough, and whether it is due.
    check: RefCell<JsValue>,
    scheduled: std::cell::Cell<bool>,
    observer: RefCell<JsValue>,
}

/// Starts following the `li[data-sku]` tiles in `list` of the list `recommendation_id`, shown
/// in `placeholder`.
pub fn follow(
    embed: Rc<Embed>,
    placeholder: &Element,
    list: &Element,
    recommendation_id: &str,
) -> Result<Tiles, JsValue> {
    let state = Rc::new(State {
        embed,
        placeholder: placeholder.clone(),
        recommendation_id: recommendation_id.into(),
        visible: RefCell::default(),
        check: RefCell::new(JsValue::UNDEFINED),
        scheduled: std::cell::Cell::new(false),
        observer: RefCell::new(JsValue::UNDEFINED),
    });
    let weak = Rc::downgrade(&state);
    let visible = Closure::<dyn Fn(Array)>::new(move |entries: Array| {
        if let Some(state) = weak.upgrade() {
            state.visibility_changed(&entries);
        }
    });
    let weak = Rc::downgrade(&state);
    // Owned by the JS function (a timer may still call it after the tiles are gone: a
    // single-page shop leaves the page within the second); it holds the state only weakly.
    let check = Closure::<dyn Fn()>::new(move || {
        if let Some(state) = weak.upgrade() {
            state.report_seen();
        }
    })
    .into_js_value();
    *state.check.borrow_mut() = check;
    let init = Object::new();
    Reflect::set(&init, &"threshold".into(), &0.5.into())?;
    let constructor: Function =
        Reflect::get(&js_sys::global(), &"IntersectionObserver".into())?.dyn_into()?;
    let observer = Reflect::construct(&constructor, &Array::of2(visible.as_ref(), &init))?;
    let tiles = list.query_selector_all("[data-sku]")?;
    for index in 0..tiles.length() {
        if let Some(tile) = tiles.get(index) {
            call(&observer, "observe", &Array::of1(&tile))?;
        }
    }
    *state.observer.borrow_mut() = observer.clone();
    let weak = Rc::downgrade(&state);
    let click = Closure::<dyn Fn(Event)>::new(move |event: Event| {
        if let Some(state) = weak.upgrade() {
            state.clicked(&event);
        }
    });
    list.add_event_listener_with_callback("click", click.as_ref().unchecked_ref())?;
    Ok(Tiles {
        observer,
        list: list.clone(),
        _state: state,
        _visible: visible,
        _click: click,
    })
}

/// `{recommendation_id, <name>: value}`, the fields of a tile event.
fn fields(recommendation_id: &str, name: &str, value: &JsValue) -> Object {
    let fields = Object::new();
    let _ = Reflect::set(
        &fields,
        &"recommendation_id".into(),
        &recommendation_id.into(),
    );
    let _ = Reflect::set(&fields, &name.into(), value);
    fields
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl State {
    fn visibility_changed(&self, entries: &Array) {
        let mut visible = self.visible.borrow_mut();
        for entry in entries.iter() {
            let ratio = Reflect::get(&entry, &"intersectionRatio".into())
                .ok()
                .and_then(|r| r.as_f64())
                .unwrap_or(0.0);
            let Some(sku) = Reflect::get(&entry, &"target".into())
                .ok()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|t| t.get_attribute("data-sku"))
            else {
                continue;
            };
            let known = visible.iter().position(|(s, _)| *s == sku);
            match known {
                None if ratio >= 0.5 => visible.push((sku, now())),
                // Out of view before it counted: starts again when it comes back.
                Some(at) if ratio < 0.5 && visible[at].1.is_finite() => {
                    visible.swap_remove(at);
                }
                _ => {}
            }
        }
        let waiting = visible.iter().any(|(_, since)| since.is_finite());
        drop(visible);
        if waiting && !self.scheduled.replace(true) {
            let _ = web_sys::window().map(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(
                    self.check.borrow().unchecked_ref(),
                    SEEN_AFTER_MS as i32,
                )
            });
        }
    }

    /// Reports the tiles visible for a second by now (marked reported: `INFINITY`), stops
    /// watching them, and checks again later for those that became visible since.
    fn report_seen(&self) {
        self.scheduled.set(false);
        let cutoff = now() - SEEN_AFTER_MS + 50.0;
        let seen: Vec<String> = {
            let mut visible = self.visible.borrow_mut();
            let mut seen = Vec::new();
            for (sku, since) in visible.iter_mut() {
                if *since <= cutoff {
                    seen.push(sku.clone());
                    *since = f64::INFINITY;
                }
            }
            seen
        };
        if !seen.is_empty() {
            let skus: Array = seen.iter().map(|s| JsValue::from_str(s)).collect();
            self.embed.track(
                "impression",
                &fields(&self.recommendation_id, "skus", &skus),
            );
            let observer = self.observer.borrow();
            for sku in &seen {
                let selector = ["[data-sku=\"", sku, "\"]"].concat();
                if let Ok(Some(tile)) = self
                    .placeholder_root()
                    .and_then(|root| root.query_selector(&selector))
                {
                    let _ = call(&observer, "unobserve", &Array::of1(&tile));
                }
            }
        }
        self.visibility_changed(&Array::new());
    }

    fn placeholder_root(&self) -> Result<web_sys::ShadowRoot, JsValue> {
        self.placeholder
            .shadow_root()
            .ok_or_else(|| "no shadow root".into())
    }

    fn clicked(&self, event: &Event) {
        let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let Ok(Some(tile)) = target.closest("[data-sku]") else {
            return;
        };
        let sku = tile.get_attribute("data-sku").unwrap_or_default();
        let on_link = matches!(target.closest("a"), Ok(Some(_)));
        let on_button = matches!(target.closest("button"), Ok(Some(_)));
        if !on_link && !on_button {
            return;
        }
        self.embed.track(
            "click",
            &fields(&self.recommendation_id, "sku", &sku.as_str().into()),
        );
        if on_button {
            let url = tile
                .query_selector("a")
                .ok()
                .flatten()
                .and_then(|a| a.get_attribute("href"))
                .unwrap_or_default();
            let detail = fields(&self.recommendation_id, "sku", &sku.as_str().into());
            let _ = Reflect::set(&detail, &"url".into(), &url.as_str().into());
            if self.add_to_cart(&detail).unwrap_or(false) {
                let location =
                    Reflect::get(&js_sys::global(), &"location".into()).unwrap_or_default();
                let _ = call(&location, "assign", &Array::of1(&url.into()));
            }
        }
    }

    /// Fires `vitrine:add-to-cart` on the placeholder; `true` when no one cancelled it.
    fn add_to_cart(&self, detail: &Object) -> Result<bool, JsValue> {
        let init = Object::new();
        for flag in ["bubbles", "cancelable"] {
            Reflect::set(&init, &flag.into(), &true.into())?;
        }
        Reflect::set(&init, &"detail".into(), detail)?;
        let constructor: Function =
            Reflect::get(&js_sys::global(), &"CustomEvent".into())?.dyn_into()?;
        let event: Event = Reflect::construct(
            &constructor,
            &Array::of2(&"vitrine:add-to-cart".into(), &init),
        )?
        .unchecked_into();
        self.placeholder.dispatch_event(&event)
    }
}
