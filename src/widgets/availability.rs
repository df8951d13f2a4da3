//! `<div data-vitrine="availability" data-sku="…">`: where the product can be picked up.
//!
//! The best store (the server orders them: the customer's usual store, then stores with stock
//! by distance) with its stock, pickup time and opening; the other stores in a list that opens
//! on demand. Distances are measured from the shop's default, from a postcode the shopper types
//! (remembered for the next page) or from her location, which the browser is asked for only
//! when she clicks. A shop that switches `data-sku` (a size picker) gets the new SKU's answer
//! for the same place.
//!
//! As the recommendations: a skeleton while the first answer loads, then nothing and one
//! console warning when the API fails. A postcode the API does not know is the shopper's slip,
//! not a failure: it is said under the field and the last answer stays.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Date, Object, Promise, Reflect};
use vitrine_types::{AvailabilityOrigin, OriginSource, StockLevel};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use super::dom::{self, attributes, call, document};
use crate::embed::{Embed, MountedWidget};
use crate::i18n::{fill, Texts};
use crate::intl::LocalFormat;
use crate::wire::{Availability, Store};

/// localStorage key of the postcode the shopper chose and its country: `5020 AT`. The loader
/// reads it too, for the first request of the next page.
pub const POSTCODE_KEY: &str = "vitrine:availability:postcode";

/// What one placeholder asks for, parsed from its attributes.
pub struct Request {
    /// The loader's first answer; none until the page sets `data-sku`.
    data: Option<Promise>,
    sku: String,
    placeholder: Element,
}

impl Request {
    /// Reads `data-sku` and takes the data promise the loader started. Without a SKU the
    /// widget waits, empty, for the page to set one.
    pub fn from_placeholder(embed: &Embed, placeholder: &Element) -> Result<Self, JsValue> {
        let sku = placeholder
            .get_attribute("data-sku")
            .filter(|sku| !sku.is_empty());
        Ok(Self {
            data: match sku {
                Some(_) => Some(embed.load(placeholder)?),
                None => None,
            },
            sku: sku.unwrap_or_default(),
            placeholder: placeholder.clone(),
        })
    }
}

/// Where distances are measured from, as the shopper chose it.
#[derive(Debug, Clone)]
enum Location {
    /// The API's choice: the customer's usual store or the shop's region.
    Default,
    /// A postcode, with its country once the API has named it.
    Postcode {
        postcode: String,
        country: Option<String>,
    },
    /// The browser's location of the shopper; never stored.
    Coordinates { lat: f64, lon: f64 },
}

impl Location {
    /// The postcode remembered from an earlier page, else the default.
    fn remembered() -> Self {
        let stored = storage("getItem", &Array::of1(&POSTCODE_KEY.into()))
            .and_then(|text| text.as_string())
            .unwrap_or_default();
        let (postcode, country) = match stored.split_once(' ') {
            Some((postcode, country)) => (postcode, Some(country.to_string())),
            None => (stored.as_str(), None),
        };
        if postcode.is_empty() {
            return Location::Default;
        }
        Location::Postcode {
            postcode: postcode.into(),
            country,
        }
    }

    /// Keeps a postcode for the next page (the loader sends it with the first request).
    fn remember(&self) {
        if let Location::Postcode { postcode, country } = self {
            let text = match country {
                Some(country) => [postcode, " ", country].concat(),
                None => postcode.clone(),
            };
            // Full or forbidden storage only costs the next page the postcode.
            storage("setItem", &Array::of2(&POSTCODE_KEY.into(), &text.into()));
        }
    }

    /// The query of `GET /v1/availability` for `sku` from here. Numbers stay numbers: the
    /// browser writes them, not the wasm.
    fn params(&self, sku: &str) -> Object {
        let params = Object::new();
        let set = |name: &str, value: JsValue| {
            let _ = Reflect::set(&params, &name.into(), &value);
        };
        set("sku", sku.into());
        match self {
            Location::Default => {}
            Location::Postcode { postcode, country } => {
                set("postcode", postcode.into());
                if let Some(country) = country {
                    set("country", country.into());
                }
            }
            Location::Coordinates { lat, lon } => {
                set("lat", JsValue::from_f64(*lat));
                set("lon", JsValue::from_f64(*lon));
            }
        }
        params
    }
}

/// `localStorage[method](...args)`; `None` where storage is forbidden or failed. Through
/// `Reflect`: three calls do not warrant their own bindings in the bundle.
fn storage(method: &str, args: &Array) -> Option<JsValue> {
    let storage = Reflect::get(&js_sys::global(), &"localStorage".into()).ok()?;
    call(&storage, method, args).ok()
}

/// An answer made ready to show: every text in the page's language, times on the store's
/// clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// The best store's id.
    pub store_id: String,
    /// Its stock; `None` when no store near the shopper has the product.
    pub stock: Option<StockLevel>,
    /// Its stock in words (empty when `stock` is `None`).
    pub stock_label: &'static str,
    /// Where and when to pick up: `Heute ab 16:00 abholbereit in München-Schwabing, 1,2 km`.
    pub sentence: String,
    /// Open or closed and the next change: `Geöffnet · schließt heute um 20:00`.
    pub opening: String,
    /// Street, postcode and city.
    pub address: String,
    /// Whether it is the customer's usual store.
    pub usual: bool,
    /// Where distances are measured from (`Filialen in der Nähe von 80802 München`), or empty.
    pub origin: String,
    /// The other stores, in the server's order.
    pub others: Vec<StoreLine>,
}

/// A store of the expandable list.
#[derive(Debug, Clone, PartialEq)]
pub struct StoreLine {
    /// The store's id.
    pub store_id: String,
    /// Display name.
    pub name: String,
    /// `1,2 km`, or empty without an origin.
    pub distance: String,
    /// Stock level.
    pub stock: StockLevel,
    /// Today's opening hours on the store's clock: `Heute 10:00 – 20:00`.
    pub hours_today: String,
}

/// Puts an answer into words with `texts` and `format`; `now` (ms since the epoch) decides
/// what "today" is in each store's time zone. `None` when the shop has no stores.
pub fn summarise(
    texts: &Texts,
    format: &LocalFormat,
    answer: &Availability,
    now: f64,
) -> Option<Summary> {
    let (best, others) = answer.stores.split_first()?;
    let everywhere_out = answer.stores.iter().all(|s| s.stock == StockLevel::Out);
    let stock = (!everywhere_out).then_some(best.stock);
    Some(Summary {
        store_id: best.store_id.clone(),
        stock,
        stock_label: stock.map_or("", |level| stock_label(texts, level)),
        sentence: best_store_sentence(texts, format, best, everywhere_out),
        opening: opening(texts, format, best, now),
        address: [&best.street, ", ", &best.postcode, " ", &best.city].concat(),
        usual: best.usual,
        origin: origin(texts, &answer.origin),
        others: others
            .iter()
            .map(|store| StoreLine {
                store_id: store.store_id.clone(),
                name: store.name.clone(),
                distance: store
                    .distance_m
                    .map(|metres| format.distance(metres))
                    .unwrap_or_default(),
                stock: store.stock,
                hours_today: hours_today(texts, format, store, now),
            })
            .collect(),
    })
}

fn stock_label(texts: &Texts, stock: StockLevel) -> &'static str {
    match stock {
        StockLevel::InStock => texts.stock_in,
        StockLevel::Low => texts.stock_low,
        StockLevel::Out => texts.stock_out,
    }
}

/// A moment as the server writes it, RFC 3339 with the store's offset
/// (`2026-11-24T16:00:00+01:00`): the instant, the offset, and the store's calendar day.
struct StoreMoment {
    /// Milliseconds since the epoch.
    at: f64,
    /// The store's offset from UTC in milliseconds.
    offset: f64,
    /// The store's calendar day, in days since 1970-01-01.
    day: i64,
}

impl StoreMoment {
    fn parse(text: &str) -> Option<Self> {
        let at = Date::parse(text);
        if at.is_nan() {
            return None;
        }
        // The string ends with its offset, `+01:00` or `-05:00`, or with `Z`.
        let offset = match text.as_bytes() {
            [.., sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let minutes = crate::intl::clock_minutes([*h1, *h2, *m1, *m2])? * 60_000.0;
                if *sign == b'-' {
                    -minutes
                } else {
                    minutes
                }
            }
            _ => 0.0,
        };
        Some(Self {
            at,
            offset,
            day: day_of(at + offset),
        })
    }
}

/// Days since 1970-01-01 of a local time in ms since the epoch.
fn day_of(local: f64) -> i64 {
    (local / 86_400_000.0).floor() as i64
}

/// Monday-first index (as [`Store::opening_hours`]) of a day since 1970-01-01, a Thursday.
fn weekday_of(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

/// Where and when: pickup today, tomorrow or on a weekday, with the store and its distance.
fn best_store_sentence(
    texts: &Texts,
    format: &LocalFormat,
    store: &Store,
    everywhere_out: bool,
) -> String {
    if everywhere_out {
        return texts.out_everywhere.into();
    }
    let place = match store.distance_m {
        Some(metres) => [&store.name, ", ", &format.distance(metres)].concat(),
        None => store.name.clone(),
    };
    let ready = store.pickup.as_ref().and_then(|pickup| {
        Some((
            StoreMoment::parse(&pickup.ready_at)?,
            pickup.days_from_today,
        ))
    });
    match (store.stock, ready) {
        (StockLevel::Out, _) => fill(texts.out_at, &[("store", &place)]),
        (_, None) => fill(texts.in_stock_at, &[("store", &place)]),
        (_, Some((ready, days))) => {
            let time = format.time(ready.at, &store.timezone);
            let template = match days {
                0 => texts.pickup_today,
                1 => texts.pickup_tomorrow,
                _ => texts.pickup_later,
            };
            let day = day_name(texts, format, &ready, &store.timezone, days.into());
            fill(
                template,
                &[("day", &day), ("time", &time), ("store", &place)],
            )
        }
    }
}

/// `heute`, `morgen`, the weekday (`Montag`) within a week, else the date (`3. Dez.`); all
/// on the store's calendar.
fn day_name(
    texts: &Texts,
    format: &LocalFormat,
    moment: &StoreMoment,
    timezone: &str,
    days: i64,
) -> String {
    match days {
        0 => texts.today.into(),
        1 => texts.tomorrow.into(),
        2..=6 => format.weekday(moment.at, timezone),
        _ => format.date(moment.at, timezone),
    }
}

/// `Geöffnet · schließt heute um 20:00`, `Geschlossen · öffnet morgen um 10:00`.
fn opening(texts: &Texts, format: &LocalFormat, store: &Store, now: f64) -> String {
    let state = if store.open_now {
        texts.open_now
    } else {
        texts.closed_now
    };
    let Some(change) = store.next_change_at.as_deref().and_then(StoreMoment::parse) else {
        return state.into();
    };
    let tz = store.timezone.as_str();
    let days = change.day - day_of(now + change.offset);
    let time = format.time(change.at, tz);
    let template = if store.open_now {
        texts.closes_on
    } else {
        texts.opens_on
    };
    let day = day_name(texts, format, &change, tz, days);
    let next = fill(template, &[("day", &day), ("time", &time)]);
    [state, " · ", &next].concat()
}

/// `Heute 10:00 – 20:00` on the store's clock, or `Heute geschlossen`.
fn hours_today(texts: &Texts, format: &LocalFormat, store: &Store, now: f64) -> String {
    // The store's offset from the moments the server gave in it; a store that gives none
    // does not open in the coming week.
    let offset = [
        store.next_change_at.as_deref(),
        store.pickup.as_ref().map(|pickup| pickup.ready_at.as_str()),
    ]
    .into_iter()
    .flatten()
    .find_map(StoreMoment::parse)
    .map_or(0.0, |moment| moment.offset);
    let today = weekday_of(day_of(now + offset));
    let mut hours = String::new();
    for [from, to] in &store.opening_hours[today] {
        if !hours.is_empty() {
            hours.push_str(", ");
        }
        hours.push_str(&format.wall_clock(from));
        hours.push_str(" – ");
        hours.push_str(&format.wall_clock(to));
    }
    if hours.is_empty() {
        texts.closed_today.into()
    } else {
        fill(texts.hours_today, &[("hours", &hours)])
    }
}

/// `Filialen in der Nähe von 80802 München`; empty when the place says nothing to the
/// shopper (her usual store, no place at all).
fn origin(texts: &Texts, origin: &AvailabilityOrigin) -> String {
    if !matches!(
        origin.source,
        OriginSource::Postcode | OriginSource::DefaultRegion | OriginSource::Coordinates
    ) {
        return String::new();
    }
    if origin.source == OriginSource::Coordinates {
        return texts.near_you.into();
    }
    let mut place = origin.postcode.clone().unwrap_or_default();
    if let Some(name) = &origin.place {
        if !place.is_empty() {
            place.push(' ');
        }
        place.push_str(name);
    }
    if place.is_empty() {
        place
    } else {
        fill(texts.near_place, &[("place", &place)])
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// The first answer is on its way: the skeleton.
    Pending,
    Ready,
    /// Failed, or nothing to show: nothing at all.
    Unavailable,
}

/// Why a request is made, which decides what its failure means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Why {
    /// The page's first answer (the loader's prefetch, possibly with a remembered postcode).
    First,
    /// The shop switched `data-sku`.
    Sku,
    /// The shopper chose a place: a postcode or her location.
    Place,
}

/// What the widget knows and shows.
struct State {
    phase: Phase,
    summary: Rc<Summary>,
    /// A request or the browser's location is under way.
    busy: bool,
    /// Under the postcode field: whether it is an error (the postcode was refused) or a note
    /// (the location could not be had), and the text.
    message: Option<(bool, &'static str)>,
    /// Whether the other stores are shown.
    expanded: bool,
    sku: String,
    /// Where the shown answer is measured from.
    location: Location,
    /// Counts requests, so only the latest one's answer is shown.
    generation: u32,
    /// The summary whose stores the list holds, so the list is rebuilt only for a new one.
    listed: Option<Rc<Summary>>,
}

/// The elements that change, made once; every state patches them.
struct Elements {
    container: Element,
    section: Element,
    status: Element,
    stock: Element,
    sentence: Element,
    opening: Element,
    address: Element,
    usual: Element,
    origin: Element,
    locate: Element,
    form: Element,
    field: Element,
    submit: Element,
    message: Element,
    toggle: Element,
    list: Element,
    live: Element,
}

/// A mounted availability widget; dropping it unmounts it.
pub struct Mounted {
    widget: Rc<Widget>,
}

impl MountedWidget for Mounted {
    /// A new `data-sku` (the shop's size picker) is asked for from the same place, keeping
    /// the postcode, the open list and the focus; any other change redraws.
    fn attribute_changed(&self, placeholder: &Element, attribute: &str) -> bool {
        let follows = attribute == "data-sku";
        if follows {
            self.widget
                .switch_sku(placeholder.get_attribute("data-sku"));
        }
        follows
    }
}

struct Widget {
    embed: Rc<Embed>,
    texts: &'static Texts,
    elements: Elements,
    state: RefCell<State>,
}

impl Drop for Widget {
    fn drop(&mut self) {
        self.elements.section.remove();
    }
}

/// Mounts the store availability widget for `request` into `container`.
///
/// Plain DOM, not Leptos views: the same widget as a Leptos view made the wasm about 9 KB
/// brotli bigger (measured: each element type and reactive closure is its own generic code,
/// plus event delegation), which the 60 KB budget for all four widgets cannot spare. The skeleton is the same
/// elements as the answer (empty, shimmering, controls disabled), so nothing moves when the
/// answer comes, and every later state patches them in place: the postcode field keeps its
/// text and focus.
pub fn mount(embed: Rc<Embed>, request: Request, container: &Element) -> Result<Mounted, JsValue> {
    let Request {
        data,
        sku,
        placeholder,
    } = request;
    let location = Location::remembered();
    let texts = Texts::for_placeholder(embed.texts, &placeholder);
    let elements = build(texts, container, &location)?;
    let widget = Rc::new(Widget {
        texts,
        embed,
        elements,
        state: RefCell::new(State {
            phase: if data.is_some() {
                Phase::Pending
            } else {
                Phase::Unavailable
            },
            summary: Rc::default(),
            busy: false,
            message: None,
            expanded: false,
            sku,
            location: location.clone(),
            generation: 0,
            listed: None,
        }),
    });
    let e = &widget.elements;
    widget.listen(&e.locate, "click", |widget, _| widget.locate())?;
    widget.listen(&e.form, "submit", |widget, event| {
        event.prevent_default();
        widget.search_postcode();
    })?;
    widget.listen(&e.toggle, "click", |widget, _| {
        widget.state.borrow_mut().expanded ^= true;
        widget.render();
    })?;
    widget.render();
    if let Some(data) = data {
        widget.request(location, Why::First, Some(data));
    }
    Ok(Mounted { widget })
}

/// The widget's elements, in the skeleton's state.
fn build(texts: &Texts, container: &Element, location: &Location) -> Result<Elements, JsValue> {
    let document = document()?;
    let add = |parent: &Element, tag: &str, class: &str| dom::add(&document, parent, tag, class);
    let section = add(container, "section", "vitrine-availability")?;
    attributes(
        &section,
        &[("aria-labelledby", "vitrine-availability-heading")],
    )?;
    let heading = add(&section, "h2", "vitrine-availability__heading")?;
    heading.set_attribute("id", "vitrine-availability-heading")?;
    heading.set_text_content(Some(texts.availability_heading));
    let status = add(&section, "p", "vitrine-availability__status")?;
    let stock = add(&status, "span", "")?;
    let sentence = add(&status, "span", "")?;
    let details = add(&section, "p", "vitrine-availability__details")?;
    let opening = add(&details, "span", "")?;
    let address_line = add(&details, "span", "vitrine-availability__address")?;
    let address = add(&address_line, "span", "")?;
    let usual = add(&address_line, "span", "vitrine-availability__usual")?;
    usual.set_text_content(Some(texts.usual_store));
    let origin = add(&section, "p", "vitrine-availability__origin")?;
    let controls = add(&section, "div", "vitrine-availability__where")?;
    let locate = add(&controls, "button", "vitrine-availability__locate")?;
    attributes(&locate, &[("type", "button")])?;
    locate.set_text_content(Some(texts.use_location));
    let form = add(&controls, "form", "vitrine-availability__postcode")?;
    let label = add(&form, "label", "vitrine-availability__label")?;
    attributes(&label, &[("for", "vitrine-availability-postcode")])?;
    label.set_text_content(Some(texts.postcode_label));
    let field = add(&form, "input", "vitrine-availability__field")?;
    field.set_attribute("id", "vitrine-availability-postcode")?;
    let typed = match location {
        Location::Postcode { postcode, .. } => postcode.as_str(),
        _ => "",
    };
    attributes(
        &field,
        &[
            ("name", "postcode"),
            ("type", "text"),
            ("inputmode", "numeric"),
            ("autocomplete", "postal-code"),
            ("maxlength", "10"),
            ("size", "6"),
            ("value", typed),
        ],
    )?;
    let submit = add(&form, "button", "vitrine-availability__submit")?;
    attributes(&submit, &[("type", "submit")])?;
    submit.set_text_content(Some(texts.postcode_submit));
    let message = add(&controls, "p", "")?;
    message.set_attribute("id", "vitrine-availability-message")?;
    let more = add(&section, "div", "vitrine-availability__more")?;
    let toggle = add(&more, "button", "vitrine-availability__toggle")?;
    attributes(
        &toggle,
        &[
            ("type", "button"),
            ("aria-controls", "vitrine-availability-stores"),
        ],
    )?;
    let list = add(&more, "ul", "vitrine-availability__stores")?;
    list.set_attribute("id", "vitrine-availability-stores")?;
    let live = add(&section, "p", "vitrine-availability__live")?;
    attributes(&live, &[("role", "status"), ("aria-live", "polite")])?;
    Ok(Elements {
        container: container.clone(),
        section,
        status,
        stock,
        sentence,
        opening,
        address,
        usual,
        origin,
        locate,
        form,
        field,
        submit,
        message,
        toggle,
        list,
        live,
    })
}

impl Widget {
    /// Calls `handle` for `event` on `element` while the widget lives. The listener belongs
    /// to the element (JS frees it with it) and holds the widget weakly: once unmounted, it
    /// does nothing.
    fn listen(
        self: &Rc<Self>,
        element: &Element,
        event: &str,
        handle: fn(&Rc<Widget>, web_sys::Event),
    ) -> Result<(), JsValue> {
        let weak = Rc::downgrade(self);
        let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
            if let Some(widget) = weak.upgrade() {
                handle(&widget, e);
            }
        });
        element.add_event_listener_with_callback(event, &listener.into_js_value().unchecked_into())
    }

    /// Patches the elements to the state.
    fn render(&self) {
        let state = self.state.borrow();
        let e = &self.elements;
        if state.phase == Phase::Unavailable {
            self.embed.collapse(&e.section);
            return;
        }
        if e.section.parent_node().is_none() {
            let _ = e.container.append_child(&e.section);
        }
        let ready = state.phase == Phase::Ready;
        let s = &*state.summary;
        let text = |element: &Element, class: &str, text: &str| {
            // In the skeleton the texts' elements are the shimmering blocks.
            element.set_class_name(if ready {
                class
            } else {
                "vitrine-availability__placeholder"
            });
            element.set_text_content(Some(text));
        };
        let flag = |element: &Element, name: &str, on: bool| {
            let _ = element.toggle_attribute_with_force(name, on);
        };
        let set = |element: &Element, name: &str, value: &str| {
            let _ = element.set_attribute(name, value);
        };
        set(
            &e.section,
            "aria-busy",
            if !ready || state.busy {
                "true"
            } else {
                "false"
            },
        );
        set(&e.status, "data-store-id", &s.store_id);
        e.stock.set_class_name(stock_class(s.stock));
        flag(&e.stock, "hidden", s.stock.is_none());
        e.stock.set_text_content(Some(s.stock_label));
        text(&e.sentence, "vitrine-availability__sentence", &s.sentence);
        text(&e.opening, "vitrine-availability__opening", &s.opening);
        e.address.set_text_content(Some(&s.address));
        flag(&e.usual, "hidden", !s.usual);
        e.origin.set_text_content(Some(&s.origin));
        for control in [&e.locate, &e.field, &e.submit] {
            flag(control, "disabled", !ready);
        }
        let (error, message) = state.message.unwrap_or_default();
        if error {
            set(&e.field, "aria-invalid", "true");
            set(&e.field, "aria-describedby", "vitrine-availability-message");
        } else {
            flag(&e.field, "aria-invalid", false);
            flag(&e.field, "aria-describedby", false);
        }
        e.message.set_class_name(if error {
            "vitrine-availability__error"
        } else {
            "vitrine-availability__note"
        });
        e.message.set_text_content(Some(message));
        flag(&e.message, "hidden", message.is_empty());
        let count = s.others.len();
        flag(&e.toggle, "hidden", count == 0);
        set(
            &e.toggle,
            "aria-expanded",
            if state.expanded { "true" } else { "false" },
        );
        let count_text = self.embed.formats.integer(count as i64, false);
        e.toggle.set_text_content(Some(&fill(
            self.texts.more_stores,
            &[("count", &count_text)],
        )));
        flag(&e.list, "hidden", !state.expanded || count == 0);
        let listed = state
            .listed
            .as_ref()
            .is_some_and(|listed| Rc::ptr_eq(listed, &state.summary));
        if !listed {
            let summary = state.summary.clone();
            drop(state);
            e.list.set_text_content(None);
            for store in &summary.others {
                let _ = self.store_line(store);
            }
            self.state.borrow_mut().listed = Some(summary);
        }
    }

    fn store_line(&self, store: &StoreLine) -> Result<(), JsValue> {
        let document = document()?;
        let item = document.create_element("li")?;
        item.set_class_name("vitrine-availability__store");
        item.set_attribute("data-store-id", &store.store_id)?;
        for (class, text) in [
            ("vitrine-availability__store-name", store.name.as_str()),
            ("vitrine-availability__store-distance", &store.distance),
            (
                stock_class(Some(store.stock)),
                stock_label(self.texts, store.stock),
            ),
            ("vitrine-availability__store-hours", &store.hours_today),
        ] {
            let part = document.create_element("span")?;
            part.set_class_name(class);
            part.set_text_content(Some(text));
            item.append_child(&part)?;
        }
        self.elements.list.append_child(&item)?;
        Ok(())
    }

    fn change(&self, change: impl FnOnce(&mut State)) {
        change(&mut self.state.borrow_mut());
        self.render();
    }

    /// Asks for the answer from `location` (or takes `data`, the loader's) and shows it.
    fn request(self: &Rc<Self>, location: Location, why: Why, data: Option<Promise>) {
        let (sku, generation) = {
            let mut state = self.state.borrow_mut();
            state.generation = state.generation.wrapping_add(1);
            (state.sku.clone(), state.generation)
        };
        let data = match data {
            Some(data) => Ok(data),
            None => self.embed.fetch("availability", &location.params(&sku)),
        };
        self.change(|state| state.busy = true);
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = match data {
                Ok(data) => JsFuture::from(data).await,
                Err(err) => Err(err),
            };
            // Unmounted meanwhile, or a newer request took over.
            let Some(widget) = weak.upgrade() else {
                return;
            };
            if widget.state.borrow().generation != generation {
                return;
            }
            let answer = outcome.and_then(|json| {
                crate::wire::availability(&json)
                    .map_err(|err| JsValue::from(format!("unexpected answer: {err}")))
            });
            match answer {
                Ok(answer) => widget.show(&answer, location, why),
                Err(err) => widget.fail(err, location, why),
            }
        });
    }

    fn show(&self, answer: &Availability, location: Location, why: Why) {
        let Some(summary) = summarise(self.texts, &self.embed.formats, answer, Date::now()) else {
            // A shop without stores: nothing to say, nothing went wrong.
            self.change(|state| state.phase = Phase::Unavailable);
            return;
        };
        let location = match location {
            // The API names the country of a postcode typed without one.
            Location::Postcode { postcode, .. }
                if answer.origin.source == OriginSource::Postcode =>
            {
                Location::Postcode {
                    postcode: answer.origin.postcode.clone().unwrap_or(postcode),
                    country: answer.origin.country.clone(),
                }
            }
            other => other,
        };
        // Only where the shopper's consent allows storing anything.
        if why == Why::Place && self.embed.may_store() {
            location.remember();
        }
        // The first answer is what the page says; later ones are changes, and said.
        if why != Why::First {
            let mut said = String::new();
            for part in [summary.stock_label, &summary.sentence, &summary.opening] {
                if !part.is_empty() {
                    if !said.is_empty() {
                        said.push_str(". ");
                    }
                    said.push_str(part);
                }
            }
            self.announce(&said);
        }
        self.change(|state| {
            if why == Why::Place {
                state.message = None;
            }
            state.location = location;
            state.summary = Rc::new(summary);
            state.busy = false;
            state.phase = Phase::Ready;
        });
    }

    fn fail(self: &Rc<Self>, err: JsValue, location: Location, why: Why) {
        let code = Reflect::get(&err, &"code".into())
            .ok()
            .and_then(|code| code.as_string());
        let refused = match code.as_deref() {
            Some("unknown_postcode") => Some(self.texts.postcode_unknown),
            Some("invalid_query") => Some(self.texts.postcode_invalid),
            _ => None,
        };
        match (refused, &location, why) {
            // The shopper's typo: said under the field; the last answer stays.
            (Some(message), Location::Postcode { .. }, Why::Place) => {
                self.say_under_field(true, message);
            }
            // A remembered postcode the API no longer knows: forget it, ask without.
            (Some(_), Location::Postcode { .. }, Why::First) => {
                storage("removeItem", &Array::of1(&POSTCODE_KEY.into()));
                self.request(Location::Default, Why::First, None);
            }
            _ => {
                web_sys::console::warn_2(&"[vitrine] store availability unavailable:".into(), &err);
                self.change(|state| {
                    state.busy = false;
                    state.phase = Phase::Unavailable;
                });
            }
        }
    }

    /// Shows and announces `text` under the postcode field: an error (a refused postcode,
    /// which also marks the field invalid) or a note.
    fn say_under_field(&self, error: bool, text: &'static str) {
        self.change(|state| {
            state.busy = false;
            state.message = Some((error, text));
        });
        self.announce(text);
    }

    /// Says `text` in the live region. Written only here, once per change: rewriting it on
    /// every render would have screen readers repeat it.
    fn announce(&self, text: &str) {
        self.elements.live.set_text_content(Some(text));
    }

    /// The shop switched `data-sku`: the same place, the new SKU.
    fn switch_sku(self: &Rc<Self>, sku: Option<String>) {
        let Some(sku) = sku.filter(|sku| !sku.is_empty()) else {
            return;
        };
        let (location, first) = {
            let mut state = self.state.borrow_mut();
            if state.sku == sku {
                return;
            }
            state.sku = sku;
            // Before any answer (no SKU at first, or the first still loading) it is the first.
            (state.location.clone(), state.summary.store_id.is_empty())
        };
        self.request(location, if first { Why::First } else { Why::Sku }, None);
    }

    /// "Use my location": asks the browser, which asks the shopper, and given a position,
    /// the API.
    fn locate(self: &Rc<Self>) {
        // Through `Reflect`: three calls do not warrant their own bindings in the bundle.
        let geolocation = web_sys::window()
            .and_then(|window| Reflect::get(&window.navigator(), &"geolocation".into()).ok())
            .unwrap_or_default();
        // The browser's callbacks as a promise: no Rust closure to keep alive or to leak.
        let position = Promise::new(&mut |resolve, reject| {
            let options = Object::new();
            let _ = Reflect::set(&options, &"timeout".into(), &15_000.into());
            let _ = Reflect::set(&options, &"maximumAge".into(), &300_000.into());
            if let Err(err) = call(
                &geolocation,
                "getCurrentPosition",
                &Array::of3(&resolve, &reject, &options),
            ) {
                let _ = reject.call1(&JsValue::NULL, &err);
            }
        });
        self.change(|state| {
            state.busy = true;
            state.message = None;
        });
        let weak = Rc::downgrade(self);
        wasm_bindgen_futures::spawn_local(async move {
            let coordinates = JsFuture::from(position).await.ok().and_then(|position| {
                let coords = Reflect::get(&position, &"coords".into()).ok()?;
                let degrees = |name: &str| Reflect::get(&coords, &name.into()).ok()?.as_f64();
                Some(Location::Coordinates {
                    lat: degrees("latitude")?,
                    lon: degrees("longitude")?,
                })
            });
            let Some(widget) = weak.upgrade() else {
                return;
            };
            match coordinates {
                Some(location) => widget.request(location, Why::Place, None),
                // Denied, unavailable or too slow: the answer stays; the postcode field is
                // offered instead.
                None => {
                    widget.say_under_field(false, widget.texts.location_failed);
                    let _ = call(&widget.elements.field, "focus", &Array::new());
                }
            }
        });
    }

    /// The postcode form was sent.
    fn search_postcode(self: &Rc<Self>) {
        let postcode = Reflect::get(&self.elements.field, &"value".into())
            .ok()
            .and_then(|value| value.as_string())
            .unwrap_or_default();
        // Anything else goes to the API, which trims it, reads `A-5020` and says what it does
        // not know.
        if postcode.is_empty() {
            self.say_under_field(true, self.texts.postcode_invalid);
            return;
        }
        let location = Location::Postcode {
            postcode,
            country: None,
        };
        self.request(location, Why::Place, None);
    }
}

fn stock_class(stock: Option<StockLevel>) -> &'static str {
    match stock {
        Some(StockLevel::InStock) => {
            "vitrine-availability__stock vitrine-availability__stock--in-stock"
        }
        Some(StockLevel::Low) => "vitrine-availability__stock vitrine-availability__stock--low",
        Some(StockLevel::Out) => "vitrine-availability__stock vitrine-availability__stock--out",
        None => "",
    }
}
