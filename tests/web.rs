//! The widgets in a real browser (headless Chromium via wasm-bindgen-test-runner and
//! chromedriver): mounted, fed through a promise as the loader feeds them, and inspected.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use vitrine_types::{Money, RecommendationReason, RecommendationsResponse, RecommendedProduct};
use vitrine_widgets::embed::{Embed, LoaderOptions};
use vitrine_widgets::widgets::recommendations::{self, Request};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn answer(count: usize) -> JsValue {
    let items = (0..count)
        .map(|i| RecommendedProduct {
            sku: format!("SKU-{i}"),
            title: format!("Produkt {i}"),
            url: format!("https://shop.example/p/{i}"),
            image_url: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E".into(),
            price: Money {
                amount_minor: 1999 + i as i64 * 1000,
                currency: "EUR".into(),
            },
            reason: RecommendationReason::Popular,
        })
        .collect();
    let answer = RecommendationsResponse {
        recommendation_id: "rec-1".into(),
        items,
    };
    as_served(&answer)
}

/// A wire value as the page gets it: serialised by the server, parsed by `Response.json()`.
fn as_served(value: &impl serde::Serialize) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn the_bundle_reads_every_answer_the_server_can_write() {
    let reasons = [
        RecommendationReason::Popular,
        RecommendationReason::Trending,
        RecommendationReason::BoughtTogetherWith {
            sku: "AH-1001".into(),
        },
        RecommendationReason::BecauseYouBought {
            sku: "AH-1002".into(),
            channel: vitrine_types::Channel::Store,
            store_id: Some("ulm-muensterplatz".into()),
            store_name: Some("Alpenhaus Ulm »Münsterplatz«".into()),
        },
        RecommendationReason::BecauseYouBought {
            sku: "AH-1003".into(),
            channel: vitrine_types::Channel::App,
            store_id: None,
            store_name: None,
        },
        RecommendationReason::BecauseYouViewed {
            sku: "AH-1004".into(),
        },
        RecommendationReason::Catalogue,
    ];
    // A new reason fails to compile here until it is added to the list above.
    for reason in &reasons {
        match reason {
            RecommendationReason::Popular
            | RecommendationReason::Trending
            | RecommendationReason::BoughtTogetherWith { .. }
            | RecommendationReason::BecauseYouBought { .. }
            | RecommendationReason::BecauseYouViewed { .. }
            | RecommendationReason::Catalogue => {}
        }
    }
    let answer = RecommendationsResponse {
        recommendation_id: "0f3c".into(),
        items: reasons
            .iter()
            .enumerate()
            .map(|(i, reason)| RecommendedProduct {
                sku: format!("SKU-\"{i}\"-ü"),
                title: "Wanderschuh »Alpspitze« 42½".into(),
                url: "https://shop.example/p?sku=1&x=2".into(),
                image_url: "https://shop.example/i.svg".into(),
                price: Money {
                    amount_minor: 9_007_199_254_740_991 - i as i64,
                    currency: "CHF".into(),
                },
                reason: reason.clone(),
            })
            .collect(),
    };
    let read = vitrine_widgets::wire::recommendations(&as_served(&answer)).unwrap();
    assert_eq!(read, answer);
}

/// Loader options whose `load` hands out `data`, as the loader's prefetch does.
fn options(locale: &str, data: Promise) -> LoaderOptions {
    let options = Object::new();
    Reflect::set(&options, &"locale".into(), &locale.into()).unwrap();
    Reflect::set(&options, &"currency".into(), &"EUR".into()).unwrap();
    let load = Closure::<dyn Fn(JsValue) -> Promise>::new(move |_| data.clone());
    Reflect::set(&options, &"load".into(), load.as_ref()).unwrap();
    load.forget();
    // Storage allowed; events kept on `window.tracked` for the tests that look.
    let may_store = js_sys::Function::new_no_args("return true");
    Reflect::set(&options, &"mayStore".into(), &may_store).unwrap();
    let track = js_sys::Function::new_with_args(
        "type, fields",
        "(window.tracked = window.tracked || []).push({type, ...fields})",
    );
    Reflect::set(&options, &"track".into(), &track).unwrap();
    let collapse = js_sys::Function::new_no_args("");
    Reflect::set(&options, &"collapse".into(), &collapse).unwrap();
    options.unchecked_into()
}

fn placeholder(attrs: &[(&str, &str)]) -> Element {
    let element = document().create_element("div").unwrap();
    element
        .set_attribute("data-vitrine", "recommendations")
        .unwrap();
    for (name, value) in attrs {
        element.set_attribute(name, value).unwrap();
    }
    document().body().unwrap().append_child(&element).unwrap();
    element
}

fn mount(embed: Embed, placeholder: &Element) -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let request = Request::from_placeholder(&embed, placeholder).unwrap();
    // Kept mounted for the rest of the test run.
    std::mem::forget(recommendations::mount(Rc::new(embed), request, &host).unwrap());
    host
}

async fn settle() {
    // Let the promise resolve and the widget render.
    for _ in 0..3 {
        wasm_bindgen_futures::JsFuture::from(Promise::resolve(&JsValue::NULL))
            .await
            .unwrap();
    }
}

fn texts(host: &HtmlElement, selector: &str) -> Vec<String> {
    let nodes = host.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .map(|i| nodes.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn recommendations_show_skeleton_tiles_then_products_with_prices_in_the_page_locale() {
    // A promise the test resolves by hand, so the loading state can be seen.
    let mut resolve: Option<Function> = None;
    let data = Promise::new(&mut |res, _| resolve = Some(res));
    let element = placeholder(&[("data-sku", "SKU-X"), ("data-limit", "3")]);
    let host = mount(Embed::new(options("de-DE", data)), &element);
    settle().await;
    assert_eq!(
        host.query_selector_all(".vitrine-recs__tile--skeleton")
            .unwrap()
            .length(),
        3
    );
    let section = host.query_selector(".vitrine-recs").unwrap().unwrap();
    assert_eq!(section.get_attribute("aria-busy").as_deref(), Some("true"));

    resolve.unwrap().call1(&JsValue::NULL, &answer(3)).unwrap();
    settle().await;
    assert_eq!(
        host.query_selector_all(".vitrine-recs__tile--skeleton")
            .unwrap()
            .length(),
        0
    );
    assert_eq!(
        texts(&host, ".vitrine-recs__title"),
        ["Produkt 0", "Produkt 1", "Produkt 2"]
    );
    // de-DE: decimal comma, euro sign after a no-break space.
    assert_eq!(
        texts(&host, ".vitrine-recs__price"),
        ["19,99\u{a0}€", "29,99\u{a0}€", "39,99\u{a0}€"]
    );
    assert_eq!(
        texts(&host, ".vitrine-recs__heading"),
        ["Das könnte Ihnen auch gefallen"]
    );
    let link = host.query_selector(".vitrine-recs__link").unwrap().unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://shop.example/p/0")
    );
}

#[wasm_bindgen_test]
async fn recommendations_speak_english_and_format_prices_for_en_gb() {
    let element = placeholder(&[("data-limit", "1")]);
    let host = mount(
        Embed::new(options("en-GB", Promise::resolve(&answer(1)))),
        &element,
    );
    settle().await;
    assert_eq!(texts(&host, ".vitrine-recs__price"), ["€19.99"]);
    assert_eq!(
        texts(&host, ".vitrine-recs__heading"),
        ["Popular with our customers"]
    );
}

#[wasm_bindgen_test]
async fn recommendations_collapse_when_the_api_fails_or_answers_garbage() {
    for data in [
        Promise::reject(&js_sys::Error::new("network down").into()),
        Promise::resolve(&JsValue::from_str("<html>garbage</html>")),
        Promise::resolve(&js_sys::JSON::parse(r#"{"items": 3}"#).unwrap()),
    ] {
        let element = placeholder(&[]);
        let host = mount(Embed::new(options("de-DE", data)), &element);
        settle().await;
        assert_eq!(
            host.child_element_count(),
            0,
            "collapsed: {}",
            host.inner_html()
        );
        assert_eq!(host.offset_height(), 0);
    }
}

#[wasm_bindgen_test]
fn a_bad_data_limit_is_refused_with_a_clear_message() {
    let element = placeholder(&[("data-limit", "lots")]);
    let embed = Embed::new(options("de-DE", Promise::resolve(&answer(1))));
    let err = Request::from_placeholder(&embed, &element)
        .err()
        .expect("refused");
    assert!(err.as_string().unwrap().contains("data-limit=\"lots\""));
}

// ---------------------------------------------------------------------------------------------
// Store availability
// ---------------------------------------------------------------------------------------------

use std::cell::RefCell;

use vitrine_types::{
    AvailabilityOrigin, AvailabilityResponse, OpeningHours, OriginSource, Pickup, StockLevel,
    StoreAvailability, Weekday,
};
use vitrine_widgets::embed::MountedWidget;
use vitrine_widgets::widgets::availability::{
    self, summarise, Request as AvailabilityRequest, POSTCODE_KEY,
};

fn week(weekdays: &str, saturday: &str) -> OpeningHours {
    let (open, close) = weekdays.split_once('-').unwrap();
    let (sat_open, sat_close) = saturday.split_once('-').unwrap();
    let mut hours = OpeningHours::new();
    for day in [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ] {
        hours.insert(day, vec![[open.into(), close.into()]]);
    }
    hours.insert(Weekday::Sat, vec![[sat_open.into(), sat_close.into()]]);
    hours.insert(Weekday::Sun, vec![]);
    hours
}

/// München-Schwabing as the API describes it on Tuesday 2026-11-24 around noon.
fn schwabing() -> StoreAvailability {
    StoreAvailability {
        store_id: "muenchen-schwabing".into(),
        name: "München-Schwabing".into(),
        street: "Leopoldstraße 82".into(),
        postcode: "80802".into(),
        city: "München".into(),
        country: "DE".into(),
        usual: false,
        distance_m: Some(1234),
        stock: StockLevel::InStock,
        timezone: "Europe/Berlin".into(),
        open_now: true,
        next_change_at: Some("2026-11-24T20:00:00+01:00".into()),
        opening_hours: week("10:00-20:00", "09:30-18:00"),
        pickup: Some(Pickup {
            ready_at: "2026-11-24T16:00:00+01:00".into(),
            days_from_today: 0,
        }),
    }
}

fn salzburg() -> StoreAvailability {
    StoreAvailability {
        store_id: "salzburg-altstadt".into(),
        name: "Salzburg Altstadt".into(),
        street: "Getreidegasse 12".into(),
        postcode: "5020".into(),
        city: "Salzburg".into(),
        country: "AT".into(),
        usual: false,
        distance_m: Some(118_400),
        stock: StockLevel::Low,
        timezone: "Europe/Vienna".into(),
        open_now: false,
        next_change_at: Some("2026-11-25T09:30:00+01:00".into()),
        opening_hours: week("09:30-18:30", "09:00-17:00"),
        pickup: Some(Pickup {
            ready_at: "2026-11-25T11:00:00+01:00".into(),
            days_from_today: 1,
        }),
    }
}

fn origin(source: OriginSource) -> AvailabilityOrigin {
    AvailabilityOrigin {
        source,
        lat: Some(48.16),
        lon: Some(11.58),
        postcode: Some("80802".into()),
        country: Some("DE".into()),
        place: Some("München".into()),
    }
}

fn availability_answer(
    sku: &str,
    source: OriginSource,
    stores: Vec<StoreAvailability>,
) -> AvailabilityResponse {
    AvailabilityResponse {
        sku: sku.into(),
        origin: origin(source),
        stores,
    }
}

/// 2026-11-24 12:00 in Munich (a Tuesday): the "now" of the sentences below.
fn tuesday_noon() -> f64 {
    js_sys::Date::parse("2026-11-24T12:00:00+01:00")
}

/// Intl writes a narrow no-break space before AM/PM in newer ICU versions; either is right.
fn plain(text: &str) -> String {
    text.replace(['\u{202f}', '\u{a0}'], " ")
}

#[wasm_bindgen_test]
fn the_bundle_reads_every_availability_answer_the_server_can_write() {
    let sources = [
        OriginSource::Coordinates,
        OriginSource::Postcode,
        OriginSource::UsualStore,
        OriginSource::DefaultRegion,
        OriginSource::None,
    ];
    let levels = [StockLevel::InStock, StockLevel::Low, StockLevel::Out];
    // A new source or level fails to compile here until it is added to the lists above.
    for source in sources {
        match source {
            OriginSource::Coordinates
            | OriginSource::Postcode
            | OriginSource::UsualStore
            | OriginSource::DefaultRegion
            | OriginSource::None => {}
        }
    }
    for level in levels {
        match level {
            StockLevel::InStock | StockLevel::Low | StockLevel::Out => {}
        }
    }
    for source in sources {
        let mut stores = Vec::new();
        for (i, stock) in levels.into_iter().enumerate() {
            let mut full = schwabing();
            full.store_id = format!("store-\"{i}\"-ü");
            full.stock = stock;
            full.usual = i == 0;
            full.opening_hours.insert(
                Weekday::Sat,
                vec![
                    ["09:00".into(), "12:00".into()],
                    ["13:00".into(), "18:00".into()],
                ],
            );
            // Everything optional left out, as the server leaves it out.
            let bare = StoreAvailability {
                distance_m: None,
                next_change_at: None,
                pickup: None,
                opening_hours: OpeningHours::new(),
                open_now: false,
                stock,
                ..schwabing()
            };
            stores.extend([full, bare]);
        }
        let mut answer = availability_answer("AH-1001-M", source, stores);
        let read = vitrine_widgets::wire::availability(&as_served(&answer)).unwrap();
        assert_eq!(read, answer.clone().into(), "{source:?}");

        answer.origin = AvailabilityOrigin {
            source,
            lat: None,
            lon: None,
            postcode: None,
            country: None,
            place: None,
        };
        answer.stores.truncate(1);
        answer.stores[0].distance_m = Some(u32::MAX);
        answer.stores[0].pickup.as_mut().unwrap().days_from_today = 13;
        let read = vitrine_widgets::wire::availability(&as_served(&answer)).unwrap();
        assert_eq!(read, answer.into(), "{source:?} without a place");
    }
    let empty = availability_answer("X", OriginSource::None, vec![]);
    assert_eq!(
        vitrine_widgets::wire::availability(&as_served(&empty)).unwrap(),
        empty.into()
    );
}

#[wasm_bindgen_test]
fn the_availability_reader_refuses_what_serde_refuses() {
    let good = serde_json::to_string(&availability_answer(
        "A",
        OriginSource::Postcode,
        vec![schwabing()],
    ))
    .unwrap();
    for (from, to) in [
        (r#""stock":"in_stock""#, r#""stock":"plenty""#),
        (r#""source":"postcode""#, r#""source":"gps""#),
        (r#""distance_m":1234"#, r#""distance_m":12.5"#),
        (r#""distance_m":1234"#, r#""distance_m":-1"#),
        (r#""usual":false"#, r#""usual":"no""#),
        (
            r#""mon":[["10:00","20:00"]]"#,
            r#""monday":[["10:00","20:00"]]"#,
        ),
        (r#""mon":[["10:00","20:00"]]"#, r#""mon":[["10:00"]]"#),
        (r#""mon":[["10:00","20:00"]]"#, r#""mon":[[10,20]]"#),
        (r#""days_from_today":0"#, r#""days_from_today":"0""#),
        (r#""timezone":"Europe/Berlin","#, ""),
        (r#""opening_hours":{"#, r#""opening_hours":[],"x":{"#),
    ] {
        assert!(good.contains(from), "{from}");
        let bad = good.replacen(from, to, 1);
        let parsed = js_sys::JSON::parse(&bad).unwrap();
        assert!(
            vitrine_widgets::wire::availability(&parsed).is_err(),
            "{bad}"
        );
    }
    for bad in [
        "null",
        "[]",
        r#"{"error":{"code":"unknown_sku","message":"x"}}"#,
    ] {
        assert!(vitrine_widgets::wire::availability(&js_sys::JSON::parse(bad).unwrap()).is_err());
    }
}

fn embed_for(locale: &str) -> Embed {
    Embed::new(options(locale, Promise::resolve(&JsValue::NULL)))
}

fn summary(locale: &str, stores: Vec<StoreAvailability>) -> availability::Summary {
    let answer = availability_answer("AH-1001", OriginSource::Postcode, stores);
    let embed = embed_for(locale);
    summarise(embed.texts, &embed.formats, &answer.into(), tuesday_noon()).unwrap()
}

#[wasm_bindgen_test]
fn the_best_store_sentence_says_today_tomorrow_or_the_weekday_on_the_store_clock() {
    let mut tomorrow = schwabing();
    tomorrow.pickup = Some(Pickup {
        ready_at: "2026-11-25T10:30:00+01:00".into(),
        days_from_today: 1,
    });
    let mut monday = schwabing();
    monday.pickup = Some(Pickup {
        ready_at: "2026-11-30T10:30:00+01:00".into(),
        days_from_today: 6,
    });
    let mut far = schwabing();
    far.pickup = Some(Pickup {
        ready_at: "2026-12-08T10:30:00+01:00".into(),
        days_from_today: 14,
    });
    let cases = [
        (
            "de-DE",
            schwabing(),
            "Heute ab 16:00 abholbereit in München-Schwabing, 1,2 km",
        ),
        (
            "en-US",
            schwabing(),
            "Ready for pickup today from 4:00 PM at München-Schwabing, 1.2 km",
        ),
        (
            "en-GB",
            schwabing(),
            "Ready for pickup today from 16:00 at München-Schwabing, 1.2 km",
        ),
        (
            "de-DE",
            tomorrow.clone(),
            "Morgen ab 10:30 abholbereit in München-Schwabing, 1,2 km",
        ),
        (
            "en-US",
            tomorrow,
            "Ready for pickup tomorrow from 10:30 AM at München-Schwabing, 1.2 km",
        ),
        (
            "de-DE",
            monday.clone(),
            "Montag ab 10:30 abholbereit in München-Schwabing, 1,2 km",
        ),
        (
            "en-US",
            monday,
            "Ready for pickup on Monday from 10:30 AM at München-Schwabing, 1.2 km",
        ),
        (
            "de-DE",
            far,
            "8. Dez. ab 10:30 abholbereit in München-Schwabing, 1,2 km",
        ),
    ];
    for (locale, store, expected) in cases {
        let shown = summary(locale, vec![store]);
        assert_eq!(plain(&shown.sentence), expected, "{locale}");
        assert_eq!(shown.stock, Some(StockLevel::InStock));
    }
    // The store's clock, not the browser's: 15:00 UTC is 16:00 in Munich, 10:00 in New York.
    let mut new_york = schwabing();
    new_york.timezone = "America/New_York".into();
    new_york.pickup.as_mut().unwrap().ready_at = "2026-11-24T15:00:00Z".into();
    assert_eq!(
        plain(&summary("de-DE", vec![new_york]).sentence),
        "Heute ab 10:00 abholbereit in München-Schwabing, 1,2 km"
    );
}

#[wasm_bindgen_test]
fn the_best_store_sentence_for_low_and_out_of_stock_in_german_and_english() {
    let mut low = salzburg();
    low.distance_m = None;
    let de = summary("de-DE", vec![low.clone()]);
    assert_eq!(
        (de.stock, de.stock_label),
        (Some(StockLevel::Low), "Nur noch wenige")
    );
    assert_eq!(
        plain(&de.sentence),
        "Morgen ab 11:00 abholbereit in Salzburg Altstadt"
    );
    let en = summary("en-US", vec![low]);
    assert_eq!(en.stock_label, "Only a few left");
    assert_eq!(
        plain(&en.sentence),
        "Ready for pickup tomorrow from 11:00 AM at Salzburg Altstadt"
    );

    // Her usual store lacks it, another store has it.
    let mut usual = schwabing();
    usual.usual = true;
    usual.stock = StockLevel::Out;
    usual.pickup = None;
    let de = summary("de-DE", vec![usual.clone(), salzburg()]);
    assert_eq!(
        (de.stock, de.stock_label),
        (Some(StockLevel::Out), "Nicht vorrätig")
    );
    assert_eq!(
        plain(&de.sentence),
        "Nicht vorrätig in München-Schwabing, 1,2 km"
    );
    assert!(de.usual);
    let en = summary("en-GB", vec![usual.clone(), salzburg()]);
    assert_eq!(
        plain(&en.sentence),
        "Out of stock at München-Schwabing, 1.2 km"
    );

    // No store near her has it.
    let mut gone = salzburg();
    gone.stock = StockLevel::Out;
    gone.pickup = None;
    let de = summary("de-DE", vec![usual.clone(), gone.clone()]);
    assert_eq!((de.stock, de.stock_label), (None, ""));
    assert_eq!(
        de.sentence,
        "Derzeit in keiner Filiale in Ihrer Nähe vorrätig"
    );
    let en = summary("en-US", vec![usual, gone]);
    assert_eq!(en.sentence, "Currently out of stock in all stores near you");

    // In stock, but the store gives no pickup time.
    let mut no_pickup = schwabing();
    no_pickup.pickup = None;
    assert_eq!(
        plain(&summary("de-DE", vec![no_pickup]).sentence),
        "Vorrätig in München-Schwabing, 1,2 km"
    );
}

#[wasm_bindgen_test]
fn opening_times_distances_and_todays_hours_are_formatted_for_the_locale() {
    // Open at noon, closing at 20:00; Salzburg closed, opening tomorrow at 9:30.
    let de = summary("de-DE", vec![schwabing(), salzburg()]);
    assert_eq!(de.opening, "Geöffnet · schließt heute um 20:00");
    assert_eq!(de.address, "Leopoldstraße 82, 80802 München");
    assert_eq!(de.origin, "Filialen in der Nähe von 80802 München");
    let other = &de.others[0];
    assert_eq!(plain(&other.distance), "118 km");
    assert_eq!(other.stock, StockLevel::Low);
    assert_eq!(other.hours_today, "Heute 9:30 – 18:30");

    let mut closed = salzburg();
    closed.distance_m = Some(850);
    let en = summary("en-US", vec![closed.clone(), schwabing()]);
    assert_eq!(plain(&en.opening), "Closed · opens tomorrow at 9:30 AM");
    assert_eq!(
        plain(&en.sentence),
        "Ready for pickup tomorrow from 11:00 AM at Salzburg Altstadt, 850 m"
    );
    assert_eq!(plain(&en.others[0].hours_today), "Today 10:00 AM – 8:00 PM");

    // Sunday: closed all day, opening on Monday.
    let mut sunday = schwabing();
    sunday.open_now = false;
    sunday.next_change_at = Some("2026-11-30T10:00:00+01:00".into());
    let answer = availability_answer("A", OriginSource::Coordinates, vec![sunday.clone(), sunday]);
    let on_sunday = js_sys::Date::parse("2026-11-29T12:00:00+01:00");
    let embed = embed_for("de-DE");
    let de = summarise(embed.texts, &embed.formats, &answer.into(), on_sunday).unwrap();
    assert_eq!(de.opening, "Geschlossen · öffnet morgen um 10:00");
    assert_eq!(de.others[0].hours_today, "Heute geschlossen");
    assert_eq!(de.origin, "Filialen in Ihrer Nähe");
}

/// The loader's services for the availability widget: `load` hands out `first`;
/// `fetchJson` records the query asked for and answers with `respond(query)`.
struct FakeApi {
    options: LoaderOptions,
    queries: Rc<RefCell<Vec<serde_json::Value>>>,
}

fn fake_api(
    locale: &str,
    first: Promise,
    respond: impl Fn(&serde_json::Value) -> Promise + 'static,
) -> FakeApi {
    let options: Object = options(locale, first).unchecked_into();
    let queries = Rc::new(RefCell::new(Vec::new()));
    let log = queries.clone();
    let fetch_json =
        Closure::<dyn Fn(String, JsValue) -> Promise>::new(move |path: String, params: JsValue| {
            assert_eq!(path, "availability");
            let query = js_sys::JSON::stringify(&params)
                .unwrap()
                .as_string()
                .unwrap();
            let query: serde_json::Value = serde_json::from_str(&query).unwrap();
            let answer = respond(&query);
            log.borrow_mut().push(query);
            answer
        });
    Reflect::set(&options, &"fetchJson".into(), fetch_json.as_ref()).unwrap();
    fetch_json.forget();
    FakeApi {
        options: options.unchecked_into(),
        queries,
    }
}

/// A rejection as the loader's `fetchJson` makes it for an API error.
fn api_error(status: u16, code: &str) -> Promise {
    let error = js_sys::Error::new(&format!("HTTP {status}"));
    Reflect::set(&error, &"code".into(), &code.into()).unwrap();
    Promise::reject(&error)
}

fn availability_placeholder(sku: &str) -> Element {
    let element = document().create_element("div").unwrap();
    element
        .set_attribute("data-vitrine", "availability")
        .unwrap();
    element.set_attribute("data-sku", sku).unwrap();
    document().body().unwrap().append_child(&element).unwrap();
    element
}

fn mount_availability(
    api: FakeApi,
    placeholder: &Element,
) -> (HtmlElement, Rc<RefCell<Vec<serde_json::Value>>>) {
    let (host, queries, _) = mount_availability_widget(api, placeholder);
    (host, queries)
}

/// As [`mount_availability`], with the mounted widget (kept for the rest of the test run), to
/// tell it what the loader tells it.
fn mount_availability_widget(
    api: FakeApi,
    placeholder: &Element,
) -> (
    HtmlElement,
    Rc<RefCell<Vec<serde_json::Value>>>,
    &'static availability::Mounted,
) {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let embed = Embed::new(api.options);
    let request = AvailabilityRequest::from_placeholder(&embed, placeholder).unwrap();
    let widget = availability::mount(Rc::new(embed), request, &host).unwrap();
    (host, api.queries, Box::leak(Box::new(widget)))
}

fn text_of(host: &HtmlElement, selector: &str) -> String {
    plain(&texts(host, selector).concat())
}

/// `localStorage[method](...args)`, as the page's scripts call it.
fn local_storage(method: &str, args: &[&str]) -> JsValue {
    let storage = Reflect::get(&js_sys::global(), &"localStorage".into()).unwrap();
    let method: Function = Reflect::get(&storage, &method.into())
        .unwrap()
        .unchecked_into();
    let args: js_sys::Array = args.iter().map(|arg| JsValue::from_str(arg)).collect();
    method.apply(&storage, &args).unwrap()
}

fn stored_postcode() -> Option<String> {
    local_storage("getItem", &[POSTCODE_KEY]).as_string()
}

fn forget_postcode() {
    local_storage("removeItem", &[POSTCODE_KEY]);
}

#[wasm_bindgen_test]
async fn availability_shows_a_skeleton_then_the_best_store_and_opens_the_list_of_others() {
    forget_postcode();
    let mut resolve: Option<Function> = None;
    let first = Promise::new(&mut |res, _| resolve = Some(res));
    let api = fake_api("de-DE", first, |_| {
        Promise::reject(&"unexpected request".into())
    });
    let (host, queries) = mount_availability(api, &availability_placeholder("AH-1001"));
    settle().await;
    let section = host
        .query_selector(".vitrine-availability")
        .unwrap()
        .unwrap();
    assert_eq!(section.get_attribute("aria-busy").as_deref(), Some("true"));
    assert!(host
        .query_selector(".vitrine-availability__placeholder")
        .unwrap()
        .is_some());

    let answer = availability_answer(
        "AH-1001",
        OriginSource::DefaultRegion,
        vec![schwabing(), salzburg()],
    );
    resolve
        .unwrap()
        .call1(&JsValue::NULL, &as_served(&answer))
        .unwrap();
    settle().await;
    assert!(host
        .query_selector(".vitrine-availability__placeholder")
        .unwrap()
        .is_none());
    assert_eq!(
        text_of(&host, ".vitrine-availability__heading"),
        "In der Filiale abholen"
    );
    assert_eq!(
        text_of(
            &host,
            ".vitrine-availability__status .vitrine-availability__stock"
        ),
        "Vorrätig"
    );
    assert_eq!(
        text_of(&host, ".vitrine-availability__sentence"),
        "Heute ab 16:00 abholbereit in München-Schwabing, 1,2 km"
    );
    // Nothing announced for the first answer: the live region speaks of changes only.
    assert_eq!(text_of(&host, ".vitrine-availability__live"), "");

    let toggle: HtmlElement = host
        .query_selector(".vitrine-availability__toggle")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(toggle.text_content().unwrap(), "Weitere Filialen (1)");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    let list = host
        .query_selector(".vitrine-availability__stores")
        .unwrap()
        .unwrap();
    assert!(list.has_attribute("hidden"));
    assert_eq!(
        toggle.get_attribute("aria-controls").as_deref(),
        list.get_attribute("id").as_deref()
    );
    toggle.click();
    settle().await;
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert!(!list.has_attribute("hidden"));
    assert_eq!(
        text_of(&host, ".vitrine-availability__store-name"),
        "Salzburg Altstadt"
    );
    assert_eq!(
        text_of(
            &host,
            ".vitrine-availability__store .vitrine-availability__stock"
        ),
        "Nur noch wenige"
    );
    toggle.click();
    settle().await;
    assert!(list.has_attribute("hidden"));
    // The browser's location was not asked for, and nothing else was fetched.
    assert!(queries.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn availability_collapses_when_the_api_fails_or_answers_garbage() {
    forget_postcode();
    for first in [
        Promise::reject(&js_sys::Error::new("network down").into()),
        api_error(500, "internal"),
        api_error(404, "unknown_sku"),
        Promise::resolve(&JsValue::from_str("<html>garbage</html>")),
        Promise::resolve(
            &js_sys::JSON::parse(r#"{"sku":"A","origin":{"source":"none"},"stores":{}}"#).unwrap(),
        ),
    ] {
        let api = fake_api("de-DE", first, |_| Promise::reject(&"unexpected".into()));
        let (host, _) = mount_availability(api, &availability_placeholder("AH-1001"));
        settle().await;
        assert_eq!(
            host.child_element_count(),
            0,
            "collapsed: {}",
            host.inner_html()
        );
        assert_eq!(host.offset_height(), 0);
    }
}

#[wasm_bindgen_test]
async fn a_refused_postcode_is_said_under_the_field_and_the_answer_stays() {
    forget_postcode();
    let first = Promise::resolve(&as_served(&availability_answer(
        "AH-1001",
        OriginSource::DefaultRegion,
        vec![schwabing(), salzburg()],
    )));
    let api = fake_api("en-GB", first, |query| match query["postcode"].as_str() {
        Some("99999") => api_error(404, "unknown_postcode"),
        _ => api_error(400, "invalid_query"),
    });
    let (host, queries) = mount_availability(api, &availability_placeholder("AH-1001"));
    settle().await;
    let input: web_sys::HtmlInputElement = host
        .query_selector(".vitrine-availability__field")
        .unwrap()
        .unwrap()
        .unchecked_into();
    let label = host.query_selector("label").unwrap().unwrap();
    assert_eq!(label.get_attribute("for"), Some(input.id()));
    let submit: HtmlElement = host
        .query_selector(".vitrine-availability__submit")
        .unwrap()
        .unwrap()
        .unchecked_into();

    input.set_value("99999");
    submit.click();
    settle().await;
    assert_eq!(
        text_of(&host, ".vitrine-availability__error"),
        "Sorry, we do not know this postcode."
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("vitrine-availability-message")
    );
    assert_eq!(
        text_of(&host, ".vitrine-availability__live"),
        "Sorry, we do not know this postcode."
    );
    assert_eq!(
        text_of(&host, ".vitrine-availability__sentence"),
        "Ready for pickup today from 16:00 at München-Schwabing, 1.2 km"
    );
    assert_eq!(queries.borrow()[0]["sku"], "AH-1001");

    input.set_value("x!");
    submit.click();
    settle().await;
    assert_eq!(
        text_of(&host, ".vitrine-availability__error"),
        "Please enter a valid postcode."
    );

    // An empty field is refused without asking the API.
    input.set_value("");
    submit.click();
    settle().await;
    assert_eq!(queries.borrow().len(), 2);
    assert_eq!(stored_postcode(), None);
}

#[wasm_bindgen_test]
async fn a_postcode_is_remembered_and_kept_when_the_shop_switches_the_sku() {
    forget_postcode();
    let first = Promise::resolve(&as_served(&availability_answer(
        "AH-1001",
        OriginSource::DefaultRegion,
        vec![schwabing(), salzburg()],
    )));
    let api = fake_api("de-DE", first, |query| {
        let mut answer = availability_answer(
            query["sku"].as_str().unwrap(),
            OriginSource::Postcode,
            vec![salzburg(), schwabing()],
        );
        answer.origin.postcode = Some("5020".into());
        answer.origin.country = Some("AT".into());
        answer.origin.place = Some("Salzburg".into());
        if query["sku"] == "AH-1001-XL" {
            answer.stores[0].stock = StockLevel::Out;
            answer.stores[0].pickup = None;
            answer.stores[1].stock = StockLevel::Out;
            answer.stores[1].pickup = None;
        }
        Promise::resolve(&as_served(&answer))
    });
    let placeholder = availability_placeholder("AH-1001");
    let (host, queries, widget) = mount_availability_widget(api, &placeholder);
    settle().await;
    let input: web_sys::HtmlInputElement = host
        .query_selector(".vitrine-availability__field")
        .unwrap()
        .unwrap()
        .unchecked_into();
    input.set_value(" 5020 ");
    host.query_selector(".vitrine-availability__submit")
        .unwrap()
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .click();
    settle().await;
    // As typed: the API trims it. The country comes back with the answer.
    assert_eq!(
        queries.borrow()[0],
        serde_json::json!({"sku": "AH-1001", "postcode": " 5020 "})
    );
    let status = host
        .query_selector(".vitrine-availability__status")
        .unwrap()
        .unwrap();
    assert_eq!(
        status.get_attribute("data-store-id").as_deref(),
        Some("salzburg-altstadt")
    );
    assert_eq!(
        text_of(&host, ".vitrine-availability__origin"),
        "Filialen in der Nähe von 5020 Salzburg"
    );
    // Stock, sentence and opening; the opening depends on today's date.
    assert!(text_of(&host, ".vitrine-availability__live").starts_with(
        "Nur noch wenige. Morgen ab 11:00 abholbereit in Salzburg Altstadt, 118 km. Geschlossen"
    ));
    assert_eq!(stored_postcode().as_deref(), Some("5020 AT"));

    // The shop's size picker: same place, new SKU, and the change is announced. The loader
    // hears the change and hands it over; the widget follows it itself.
    placeholder.set_attribute("data-sku", "AH-1001-XL").unwrap();
    assert!(widget.attribute_changed(&placeholder, "data-sku"));
    settle().await;
    assert_eq!(
        queries.borrow()[1],
        serde_json::json!({"sku": "AH-1001-XL", "postcode": "5020", "country": "AT"})
    );
    assert_eq!(
        text_of(&host, ".vitrine-availability__sentence"),
        "Derzeit in keiner Filiale in Ihrer Nähe vorrätig"
    );
    assert!(text_of(&host, ".vitrine-availability__live")
        .starts_with("Derzeit in keiner Filiale in Ihrer Nähe vorrätig. Geschlossen"));
    // Setting the same SKU again asks nothing.
    placeholder.set_attribute("data-sku", "AH-1001-XL").unwrap();
    assert!(widget.attribute_changed(&placeholder, "data-sku"));
    settle().await;
    assert_eq!(queries.borrow().len(), 2);
    // Any other attribute is the loader's to redraw: the widget leaves it, and asks nothing.
    placeholder
        .set_attribute("data-text-availability-heading", "Abholen")
        .unwrap();
    assert!(!widget.attribute_changed(&placeholder, "data-text-availability-heading"));
    settle().await;
    assert_eq!(queries.borrow().len(), 2);

    // The next page starts from the remembered postcode, shown in the field.
    let api = fake_api(
        "de-DE",
        Promise::resolve(&as_served(&availability_answer(
            "AH-1002",
            OriginSource::Postcode,
            vec![salzburg()],
        ))),
        |_| Promise::reject(&"unexpected".into()),
    );
    let (next, _) = mount_availability(api, &availability_placeholder("AH-1002"));
    settle().await;
    let field: web_sys::HtmlInputElement = next
        .query_selector(".vitrine-availability__field")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(field.value(), "5020");
    forget_postcode();
}

// ---------------------------------------------------------------------------------------------
// Loyalty points
// ---------------------------------------------------------------------------------------------

use vitrine_types::{
    Channel, EarnRate, LedgerKind, LedgerLine, LoyaltyAccount, LoyaltyInvitation, LoyaltyResponse,
    NextTier, PointsExpiry, Tier,
};
use vitrine_widgets::widgets::loyalty::{self, Request as LoyaltyRequest};

/// Noon UTC on 12 November 2025: the same calendar day in every time zone the tests run in.
const NOV_12: i64 = 1_762_948_800;
const DAY: i64 = 86_400;

fn ledger_line(kind: LedgerKind, points: i64, days_ago: i64) -> LedgerLine {
    LedgerLine {
        kind,
        points,
        occurred_at: NOV_12 - days_ago * DAY,
        channel: None,
        store_id: None,
        store_name: None,
        order_id: None,
        reason: None,
    }
}

/// A Silber member 766 points short of Gold, with a line of every kind, newest first.
fn silver_member() -> LoyaltyAccount {
    LoyaltyAccount {
        balance: 1234,
        value: Money {
            amount_minor: 1234,
            currency: "EUR".into(),
        },
        tier: Tier {
            name: "Silber".into(),
            multiplier_percent: 125,
        },
        next_tier: Some(NextTier {
            name: "Gold".into(),
            threshold: 2000,
            points_needed: 766,
        }),
        qualifying_points: 1234,
        tier_window_days: 365,
        next_expiry: None,
        lines: vec![
            LedgerLine {
                channel: Some(Channel::Store),
                store_id: Some("stuttgart-mitte".into()),
                store_name: Some("Stuttgart-Mitte".into()),
                order_id: Some("R-1".into()),
                ..ledger_line(LedgerKind::Accrual, 120, 0)
            },
            LedgerLine {
                channel: Some(Channel::Web),
                order_id: Some("W-7".into()),
                ..ledger_line(LedgerKind::Accrual, 1, 9)
            },
            LedgerLine {
                reason: Some("Kulanz".into()),
                ..ledger_line(LedgerKind::Adjustment, -20, 15)
            },
            LedgerLine {
                reason: Some("Willkommensbonus".into()),
                ..ledger_line(LedgerKind::Adjustment, 50, 16)
            },
            ledger_line(LedgerKind::Redemption, -500, 41),
            LedgerLine {
                channel: Some(Channel::Web),
                order_id: Some("W-1".into()),
                ..ledger_line(LedgerKind::Reversal, -35, 58)
            },
            LedgerLine {
                channel: Some(Channel::Store),
                store_id: Some("ulm-muensterplatz".into()),
                store_name: Some("Ulm Münsterplatz".into()),
                ..ledger_line(LedgerKind::Reversal, -12, 58)
            },
            ledger_line(LedgerKind::Expiry, -1, 58),
            LedgerLine {
                channel: Some(Channel::App),
                ..ledger_line(LedgerKind::Accrual, 2340, 58)
            },
        ],
    }
}

/// A Gold member: the top tier, with points that expire.
fn gold_member() -> LoyaltyAccount {
    LoyaltyAccount {
        balance: 1,
        value: Money {
            amount_minor: 1,
            currency: "EUR".into(),
        },
        tier: Tier {
            name: "Gold".into(),
            multiplier_percent: 150,
        },
        next_tier: None,
        qualifying_points: 2500,
        tier_window_days: 365,
        next_expiry: Some(PointsExpiry {
            points: 50,
            at: NOV_12 + 139 * DAY,
        }),
        lines: vec![],
    }
}

fn invitation(join_url: Option<&str>) -> LoyaltyInvitation {
    LoyaltyInvitation {
        join_url: join_url.map(Into::into),
        earn: EarnRate {
            currency: "EUR".into(),
            points: 1,
            per_minor: 100,
        },
    }
}

#[wasm_bindgen_test]
fn the_bundle_reads_every_loyalty_answer_the_server_can_write() {
    // A new kind fails to compile here until the accounts above have a line of it.
    for line in &silver_member().lines {
        match line.kind {
            LedgerKind::Accrual
            | LedgerKind::Reversal
            | LedgerKind::Adjustment
            | LedgerKind::Redemption
            | LedgerKind::Expiry => {}
        }
    }
    let mut odd = silver_member();
    odd.balance = 9_007_199_254_740_991;
    odd.tier.name = "Platin »Plus« \"½\"".into();
    odd.lines[0].points = -9_007_199_254_740_991;
    for answer in [
        LoyaltyResponse::Member(silver_member()),
        LoyaltyResponse::Member(gold_member()),
        LoyaltyResponse::Member(odd),
        LoyaltyResponse::Guest(invitation(Some("https://shop.example/konto?join=1&x=ü"))),
        LoyaltyResponse::Guest(invitation(None)),
    ] {
        let read = vitrine_widgets::wire::loyalty(&as_served(&answer)).unwrap();
        assert_eq!(read, answer);
    }
}

#[wasm_bindgen_test]
fn the_loyalty_reader_refuses_what_serde_refuses() {
    let member = serde_json::to_value(LoyaltyResponse::Member(silver_member())).unwrap();
    let broken = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut answer = member.clone();
        change(&mut answer);
        answer.to_string()
    };
    for bad in [
        "null".to_string(),
        r#"{"error":{"code":"no_loyalty_program","message":"x"}}"#.to_string(),
        r#"{"status":"vip","balance":1}"#.to_string(),
        r#"{"status":"guest","earn":{"currency":"EUR","points":1}}"#.to_string(),
        r#"{"status":"guest","join_url":7,"earn":{"currency":"EUR","points":1,"per_minor":100}}"#
            .to_string(),
        broken(&|a| a["balance"] = serde_json::json!(12.5)),
        broken(&|a| a["balance"] = serde_json::json!("1234")),
        broken(&|a| drop(a.as_object_mut().unwrap().remove("value"))),
        broken(&|a| a["tier"] = serde_json::json!("Silber")),
        broken(&|a| a["next_tier"]["points_needed"] = serde_json::Value::Null),
        broken(&|a| a["lines"] = serde_json::json!({})),
        broken(&|a| a["lines"][0]["kind"] = serde_json::json!("bonus")),
        broken(&|a| a["lines"][0]["channel"] = serde_json::json!("till")),
        broken(&|a| a["lines"][0]["store_name"] = serde_json::json!(["Ulm"])),
        broken(&|a| drop(a["lines"][2].as_object_mut().unwrap().remove("occurred_at"))),
    ] {
        assert!(
            vitrine_widgets::wire::loyalty(&js_sys::JSON::parse(&bad).unwrap()).is_err(),
            "{bad}"
        );
    }
}

/// Loader options of a page with a signed-in customer (`token`) or none.
fn loyalty_options(locale: &str, data: Promise, token: Option<&str>) -> LoaderOptions {
    let options: Object = options(locale, data).unchecked_into();
    if let Some(token) = token {
        Reflect::set(&options, &"customerToken".into(), &token.into()).unwrap();
    }
    options.unchecked_into()
}

fn loyalty_placeholder(attrs: &[(&str, &str)]) -> Element {
    let element = document().create_element("div").unwrap();
    element.set_attribute("data-vitrine", "loyalty").unwrap();
    for (name, value) in attrs {
        element.set_attribute(name, value).unwrap();
    }
    document().body().unwrap().append_child(&element).unwrap();
    element
}

fn mount_loyalty(options: LoaderOptions, placeholder: &Element) -> HtmlElement {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    let embed = Embed::new(options);
    let request = LoyaltyRequest::from_placeholder(&embed, placeholder).unwrap();
    // Kept mounted for the rest of the test run.
    std::mem::forget(loyalty::mount(Rc::new(embed), request, &host).unwrap());
    host
}

/// Mounts the widget for `answer` on a page in `locale` with a signed-in customer.
async fn loyalty_for(locale: &str, answer: &LoyaltyResponse) -> HtmlElement {
    let options = loyalty_options(
        locale,
        Promise::resolve(&as_served(answer)),
        Some("K-1.1.ab"),
    );
    let host = mount_loyalty(options, &loyalty_placeholder(&[]));
    settle().await;
    host
}

fn element(host: &HtmlElement, selector: &str) -> Element {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in {}", host.inner_html()))
}

/// Each ledger line's `data-kind`, and its parts (points, what, date) joined by ` · `.
fn ledger(host: &HtmlElement) -> Vec<(String, String)> {
    let lines = host.query_selector_all(".vitrine-loyalty__line").unwrap();
    (0..lines.length())
        .map(|i| {
            let line: Element = lines.item(i).unwrap().unchecked_into();
            let parts = line.children();
            let text = if parts.length() == 0 {
                line.text_content().unwrap_or_default()
            } else {
                (0..parts.length())
                    .map(|i| parts.item(i).unwrap().text_content().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            (
                line.get_attribute("data-kind").unwrap_or_default(),
                plain(&text),
            )
        })
        .collect()
}

fn style_property(element: &Element, name: &str) -> String {
    let style = Reflect::get(element, &"style".into()).unwrap();
    let get: Function = Reflect::get(&style, &"getPropertyValue".into())
        .unwrap()
        .unchecked_into();
    get.call1(&style, &name.into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
async fn loyalty_shows_a_member_skeleton_then_balance_tier_progress_and_ledger_in_german() {
    let mut resolve: Option<Function> = None;
    let first = Promise::new(&mut |res, _| resolve = Some(res));
    let options = loyalty_options("de-DE", first, Some("K-1.1.ab"));
    let host = mount_loyalty(options, &loyalty_placeholder(&[("data-lines", "9")]));
    settle().await;
    let section = element(&host, ".vitrine-loyalty");
    assert_eq!(section.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(text_of(&host, ".vitrine-loyalty__heading"), "Treuepunkte");
    // The member's rows, empty (drawn as shimmering blocks), and room for nine lines.
    assert_eq!(text_of(&host, ".vitrine-loyalty__balance"), "");
    assert!(host
        .query_selector(".vitrine-loyalty__pitch")
        .unwrap()
        .is_none());
    let list = element(&host, ".vitrine-loyalty__lines");
    assert_eq!(style_property(&list, "--vitrine-lines"), "9");
    assert_eq!(list.child_element_count(), 0);

    let answer = LoyaltyResponse::Member(silver_member());
    resolve
        .unwrap()
        .call1(&JsValue::NULL, &as_served(&answer))
        .unwrap();
    settle().await;
    let section = element(&host, ".vitrine-loyalty");
    assert_eq!(section.get_attribute("aria-busy").as_deref(), Some("false"));
    assert_eq!(text_of(&host, ".vitrine-loyalty__tier"), "Silber");
    assert_eq!(text_of(&host, ".vitrine-loyalty__balance"), "1.234 Punkte");
    assert_eq!(text_of(&host, ".vitrine-loyalty__value"), "Wert: 12,34 €");
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__next"),
        "Noch 766 Punkte bis Gold"
    );
    let bar = element(&host, "[role=progressbar]");
    let aria = |name: &str| bar.get_attribute(name).unwrap_or_default();
    assert_eq!(
        (
            aria("aria-valuemin"),
            aria("aria-valuemax"),
            aria("aria-valuenow")
        ),
        ("0".into(), "2000".into(), "1234".into())
    );
    assert_eq!(aria("aria-valuetext"), "1.234 von 2.000 Punkten für Gold");
    // Named by the text under it.
    let label = element(&host, &format!("#{}", aria("aria-labelledby")));
    assert_eq!(label.text_content().unwrap(), "Noch 766 Punkte bis Gold");
    assert_eq!(
        style_property(
            &element(&host, ".vitrine-loyalty__bar"),
            "--vitrine-progress"
        ),
        "0.617"
    );
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__subheading"),
        "Letzte Buchungen"
    );
    let kinds = |kind: &str| kind.to_string();
    assert_eq!(
        ledger(&host),
        [
            (
                kinds("accrual"),
                "+120 Punkte · Einkauf in Filiale Stuttgart-Mitte · 12.11.".into()
            ),
            (
                kinds("accrual"),
                "+1 Punkt · Online-Bestellung · 3.11.".into()
            ),
            (
                kinds("adjustment"),
                "-20 Punkte · Korrektur: Kulanz · 28.10.".into()
            ),
            (
                kinds("adjustment"),
                "+50 Punkte · Gutschrift: Willkommensbonus · 27.10.".into()
            ),
            (
                kinds("redemption"),
                "-500 Punkte · Eingelöst · 2.10.".into()
            ),
            (kinds("reversal"), "-35 Punkte · Rückgabe · 15.9.".into()),
            (
                kinds("reversal"),
                "-12 Punkte · Rückgabe in Filiale Ulm Münsterplatz · 15.9.".into()
            ),
            (kinds("expiry"), "-1 Punkt · Verfallen · 15.9.".into()),
            (
                kinds("accrual"),
                "+2.340 Punkte · Bestellung in der App · 15.9.".into()
            ),
        ]
    );
    // Earned points stand out; taken ones do not.
    let points = host
        .query_selector_all(".vitrine-loyalty__points--gain")
        .unwrap();
    assert_eq!(points.length(), 4);
}

#[wasm_bindgen_test]
async fn loyalty_speaks_english_with_numbers_and_dates_of_the_locale() {
    let host = loyalty_for("en-GB", &LoyaltyResponse::Member(silver_member())).await;
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__heading"),
        "Loyalty points"
    );
    assert_eq!(text_of(&host, ".vitrine-loyalty__balance"), "1,234 points");
    assert_eq!(text_of(&host, ".vitrine-loyalty__value"), "Worth €12.34");
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__next"),
        "766 points to go to Gold"
    );
    assert_eq!(
        element(&host, "[role=progressbar]")
            .get_attribute("aria-valuetext")
            .as_deref(),
        Some("1,234 of 2,000 points for Gold")
    );
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__subheading"),
        "Recent activity"
    );
    let lines: Vec<String> = ledger(&host).into_iter().map(|(_, text)| text).collect();
    assert_eq!(
        lines,
        [
            "+120 points · Purchase at Stuttgart-Mitte · 12/11",
            "+1 point · Online order · 03/11",
            "-20 points · Correction: Kulanz · 28/10",
            "+50 points · Credit: Willkommensbonus · 27/10",
            "-500 points · Redeemed · 02/10",
            "-35 points · Return · 15/09",
            "-12 points · Return at Ulm Münsterplatz · 15/09",
            "-1 point · Expired · 15/09",
            "+2,340 points · App order · 15/09",
        ]
    );
    // The American order of day and month.
    let host = loyalty_for("en-US", &LoyaltyResponse::Member(silver_member())).await;
    assert!(
        ledger(&host)[0].1.ends_with(" · 11/12"),
        "{:?}",
        ledger(&host)
    );
}

#[wasm_bindgen_test]
async fn loyalty_in_the_top_tier_shows_a_full_bar_and_the_next_expiry() {
    let host = loyalty_for("de-DE", &LoyaltyResponse::Member(gold_member())).await;
    assert_eq!(text_of(&host, ".vitrine-loyalty__tier"), "Gold");
    assert_eq!(text_of(&host, ".vitrine-loyalty__balance"), "1 Punkt");
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__value"),
        "Wert: 0,01 € · 50 Punkte verfallen am 31.3.26"
    );
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__next"),
        "Höchste Stufe erreicht"
    );
    // Nothing to progress to: the full bar is decoration, hidden from screen readers.
    assert!(host.query_selector("[role=progressbar]").unwrap().is_none());
    let track = element(&host, ".vitrine-loyalty__progress");
    assert_eq!(track.get_attribute("aria-hidden").as_deref(), Some("true"));
    assert_eq!(
        style_property(
            &element(&host, ".vitrine-loyalty__bar"),
            "--vitrine-progress"
        ),
        "1"
    );
    assert_eq!(
        ledger(&host),
        [(String::new(), "Noch keine Buchungen".to_string())]
    );
}

#[wasm_bindgen_test]
async fn loyalty_invites_guests_to_join_with_the_placeholder_s_link_or_the_programme_s() {
    // No customer token: the guest's skeleton.
    let mut resolve: Option<Function> = None;
    let first = Promise::new(&mut |res, _| resolve = Some(res));
    let host = mount_loyalty(
        loyalty_options("de-DE", first, None),
        &loyalty_placeholder(&[]),
    );
    settle().await;
    assert!(host
        .query_selector(".vitrine-loyalty__pitch")
        .unwrap()
        .is_some());
    assert!(host
        .query_selector(".vitrine-loyalty__balance")
        .unwrap()
        .is_none());
    resolve
        .unwrap()
        .call1(
            &JsValue::NULL,
            &as_served(&LoyaltyResponse::Guest(invitation(Some("/konto.html")))),
        )
        .unwrap();
    settle().await;
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__pitch"),
        "Sammeln Sie bei jedem Einkauf Punkte, online und in jeder Filiale: 1 Punkt je 1,00 €."
    );
    let link = element(&host, "a.vitrine-loyalty__link");
    assert_eq!(
        link.text_content().unwrap(),
        "Anmelden oder Mitglied werden"
    );
    assert_eq!(link.get_attribute("href").as_deref(), Some("/konto.html"));

    // The placeholder's link wins over the programme's.
    let options = loyalty_options(
        "en-GB",
        Promise::resolve(&as_served(&LoyaltyResponse::Guest(invitation(Some(
            "/konto.html",
        ))))),
        None,
    );
    let host = mount_loyalty(
        options,
        &loyalty_placeholder(&[("data-join-url", "https://shop.example/login?next=points")]),
    );
    settle().await;
    assert_eq!(
        text_of(&host, ".vitrine-loyalty__pitch"),
        "Collect points on every purchase, online and in every store: 1 point per €1.00."
    );
    let link = element(&host, "a.vitrine-loyalty__link");
    assert_eq!(link.text_content().unwrap(), "Log in or join");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://shop.example/login?next=points")
    );

    // An invalid or expired token gets the guest's answer too: the invitation, no account.
    // Without any link, or with one that is not a web address, there is no link.
    for (attrs, url) in [
        (vec![], None),
        (vec![("data-join-url", "javascript:alert(1)")], None),
        (vec![], Some(" JavaScript:alert(1)")),
    ] {
        let host = mount_loyalty(
            loyalty_options(
                "de-DE",
                Promise::resolve(&as_served(&LoyaltyResponse::Guest(invitation(url)))),
                Some("K-1.1.expired"),
            ),
            &loyalty_placeholder(&attrs),
        );
        settle().await;
        assert!(!text_of(&host, ".vitrine-loyalty__pitch").is_empty());
        assert!(
            host.query_selector("a").unwrap().is_none(),
            "{attrs:?} {url:?}"
        );
        assert!(host
            .query_selector(".vitrine-loyalty__balance")
            .unwrap()
            .is_none());
    }
}

#[wasm_bindgen_test]
async fn loyalty_collapses_when_the_api_fails_the_shop_has_no_programme_or_answers_garbage() {
    for first in [
        Promise::reject(&js_sys::Error::new("network down").into()),
        api_error(500, "internal"),
        api_error(404, "no_loyalty_program"),
        Promise::resolve(&JsValue::from_str("<html>garbage</html>")),
        Promise::resolve(&js_sys::JSON::parse(r#"{"status":"member","balance":"lots"}"#).unwrap()),
    ] {
        for token in [None, Some("K-1.1.ab")] {
            let host = mount_loyalty(
                loyalty_options("de-DE", first.clone(), token),
                &loyalty_placeholder(&[]),
            );
            settle().await;
            assert_eq!(host.child_element_count(), 0, "{}", host.inner_html());
            assert_eq!(host.offset_height(), 0);
        }
    }
}

#[wasm_bindgen_test]
fn a_bad_data_lines_is_refused_with_a_clear_message() {
    for lines in ["0", "21", "five"] {
        let element = loyalty_placeholder(&[("data-lines", lines)]);
        let embed = Embed::new(loyalty_options(
            "de-DE",
            Promise::resolve(&JsValue::NULL),
            None,
        ));
        let err = LoyaltyRequest::from_placeholder(&embed, &element)
            .err()
            .expect("refused");
        assert!(err
            .as_string()
            .unwrap()
            .contains(&format!("data-lines=\"{lines}\"")));
    }
}

// ---------------------------------------------------------------------------------------------
// Cart recovery
// ---------------------------------------------------------------------------------------------

use vitrine_types::{CartLine, CartPickup, CartRecoveryOffer, CartRecoveryResponse, Coupon};
use vitrine_widgets::widgets::cart_recovery::{self, HOST_ID};

fn cart_line(sku: &str, title: &str, quantity: i64, amount_minor: i64) -> CartLine {
    CartLine {
        sku: sku.into(),
        title: title.into(),
        url: format!("https://shop.example/p/{sku}"),
        image_url: "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E".into(),
        quantity,
        unit_price: Money {
            amount_minor,
            currency: "EUR".into(),
        },
        available: true,
    }
}

/// Two lines, a 10 % coupon and a store where all of it is ready at 11:30 on `ready_day`
/// (`YYYY-MM-DD`).
fn recovery_offer(ready_day: &str) -> CartRecoveryOffer {
    CartRecoveryOffer {
        offer_id: "offer-1".into(),
        lines: vec![
            cart_line("AH-1001", "Wanderjacke Alpin", 1, 12900),
            CartLine {
                available: false,
                ..cart_line("AH-2002", "Trinkflasche", 2, 1450)
            },
        ],
        total: Money {
            amount_minor: 15800,
            currency: "EUR".into(),
        },
        coupon: Some(Coupon {
            code: "ABCD-EFGH-JKMN-PQRS".into(),
            value: Money {
                amount_minor: 0,
                currency: "EUR".into(),
            },
            percent: Some(10),
            points: 0,
            // 2027-01-15T08:00:00Z
            expires_at: 1_800_000_000,
            redeemed_at: None,
        }),
        pickup: Some(CartPickup {
            store_id: "ulm-muensterplatz".into(),
            name: "Alpenhaus Ulm Münsterplatz".into(),
            city: "Ulm".into(),
            distance_km: Some(1.2),
            ready_at: format!("{ready_day}T11:30:00+00:00"),
        }),
        cart_url: "https://shop.example/warenkorb.html".into(),
        last_activity_at: 1_790_000_000,
    }
}

/// Today on the browser's clock, `YYYY-MM-DD`.
fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// Loader options of a signed-in page whose cart recovery answer is `recovery` (none: the
/// loader asked nothing), whose page has settled, and whose `act` calls land in the array
/// returned.
fn recovery_options(locale: &str, recovery: Option<Promise>) -> (LoaderOptions, js_sys::Array) {
    let options: Object =
        loyalty_options(locale, Promise::resolve(&JsValue::NULL), Some("K-1.1.ab"))
            .unchecked_into();
    let recovery = recovery.map_or(JsValue::NULL, JsValue::from);
    Reflect::set(&options, &"recovery".into(), &recovery).unwrap();
    let sheet = Function::new_no_args("return new CSSStyleSheet()").call0(&JsValue::NULL);
    Reflect::set(&options, &"sheet".into(), &sheet.unwrap()).unwrap();
    let settled = Function::new_no_args("return Promise.resolve()");
    Reflect::set(&options, &"settled".into(), &settled).unwrap();
    let acts = js_sys::Array::new();
    let act = Function::new_with_args("offer, action", "this.push(offer + ' ' + action)");
    let act = act.bind0(&acts);
    Reflect::set(&options, &"act".into(), &act).unwrap();
    (options.unchecked_into(), acts)
}

/// Starts cart recovery on a page with `recovery` as the answer; the dialog's shadow root,
/// if one opened, and the actions reported.
async fn recovery_for(
    locale: &str,
    recovery: Option<Promise>,
) -> (Option<web_sys::ShadowRoot>, js_sys::Array) {
    let (options, acts) = recovery_options(locale, recovery);
    (start_recovery(options).await, acts)
}

/// Starts cart recovery with the loader's `options`; the dialog's shadow root, if one opened.
async fn start_recovery(options: LoaderOptions) -> Option<web_sys::ShadowRoot> {
    cart_recovery::start(Rc::new(Embed::new(options)));
    settle().await;
    settle().await;
    document()
        .get_element_by_id(HOST_ID)
        .and_then(|host| host.shadow_root())
}

/// Closes the dialog in `root` as Esc would, and waits for its `close` event.
async fn close_dialog(root: &web_sys::ShadowRoot) {
    let dialog = root.query_selector("dialog").unwrap().unwrap();
    dialog.unchecked_ref::<web_sys::HtmlDialogElement>().close();
    tasks().await;
}

fn in_root(root: &web_sys::ShadowRoot, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .map(|i| nodes.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

/// Waits for the browser's next tasks: a dialog's `close` event is queued as a task.
async fn tasks() {
    let wait = Function::new_no_args("return new Promise((r) => setTimeout(r, 20))");
    let promise: Promise = wait.call0(&JsValue::NULL).unwrap().unchecked_into();
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

fn acts(acts: &js_sys::Array) -> Vec<String> {
    acts.iter().map(|a| a.as_string().unwrap()).collect()
}

#[wasm_bindgen_test]
fn the_bundle_reads_every_cart_recovery_answer_the_server_can_write() {
    let full = recovery_offer("2026-11-25");
    let bare = CartRecoveryOffer {
        coupon: Some(Coupon {
            percent: None,
            redeemed_at: Some(1_790_000_100),
            value: Money {
                amount_minor: 500,
                currency: "EUR".into(),
            },
            ..full.coupon.clone().unwrap()
        }),
        pickup: Some(CartPickup {
            distance_km: None,
            ..full.pickup.clone().unwrap()
        }),
        ..full.clone()
    };
    let plain = CartRecoveryOffer {
        coupon: None,
        pickup: None,
        lines: vec![],
        ..full.clone()
    };
    for offer in [Some(full), Some(bare), Some(plain), None] {
        let answer = CartRecoveryResponse { offer };
        let read = vitrine_widgets::wire::cart_recovery(&as_served(&answer)).unwrap();
        assert_eq!(read, answer);
    }
}

#[wasm_bindgen_test]
fn the_cart_recovery_reader_refuses_what_serde_refuses() {
    let good = serde_json::to_value(CartRecoveryResponse {
        offer: Some(recovery_offer("2026-11-25")),
    })
    .unwrap();
    let broken = |pointer: &str, value: serde_json::Value| {
        let mut answer = good.clone();
        *answer.pointer_mut(pointer).unwrap() = value;
        answer.to_string()
    };
    let without = |object: &str, field: &str| {
        let mut answer = good.clone();
        answer
            .pointer_mut(object)
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove(field);
        answer.to_string()
    };
    for bad in [
        "\"<html>garbage</html>\"".to_string(),
        "3".to_string(),
        r#"{"offer": 3}"#.to_string(),
        without("/offer", "offer_id"),
        without("/offer", "cart_url"),
        without("/offer/lines/0", "unit_price"),
        without("/offer/coupon", "code"),
        without("/offer/pickup", "ready_at"),
        broken("/offer/lines", serde_json::json!({})),
        broken("/offer/lines/0/quantity", serde_json::json!("2")),
        broken("/offer/lines/0/quantity", serde_json::json!(1.5)),
        broken("/offer/lines/0/available", serde_json::json!("yes")),
        broken("/offer/coupon/percent", serde_json::json!(-10)),
        broken("/offer/pickup/distance_km", serde_json::json!("1,2 km")),
        broken("/offer/total/amount_minor", serde_json::json!(null)),
    ] {
        assert!(
            serde_json::from_str::<CartRecoveryResponse>(&bad).is_err(),
            "serde accepts {bad}"
        );
        let json = js_sys::JSON::parse(&bad).unwrap();
        assert!(
            vitrine_widgets::wire::cart_recovery(&json).is_err(),
            "{bad}"
        );
    }
}

async fn cart_recovery_opens_a_modal_dialog_in_german_and_reports_shown_and_dismissed() {
    let page = document().document_element().unwrap();
    let style = Reflect::get(&page, &"style".into()).unwrap();
    Reflect::set(&style, &"overflow".into(), &"scroll".into()).unwrap();
    let answer = CartRecoveryResponse {
        offer: Some(recovery_offer(&today())),
    };
    let (root, reported) = recovery_for("de-DE", Some(Promise::resolve(&as_served(&answer)))).await;
    let root = root.expect("the dialog opened");
    let dialog = root.query_selector("dialog").unwrap().unwrap();
    assert!(dialog.has_attribute("open"));
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    assert_eq!(
        dialog.get_attribute("aria-labelledby").as_deref(),
        Some("vitrine-cart-heading")
    );
    assert_eq!(
        in_root(&root, "#vitrine-cart-heading"),
        ["Ihr Warenkorb wartet auf Sie"]
    );
    assert_eq!(
        in_root(&root, ".vitrine-cart__title"),
        ["Wanderjacke Alpin", "Trinkflasche"]
    );
    assert_eq!(
        in_root(&root, ".vitrine-cart__price"),
        ["1 × 129,00\u{a0}€", "2 × 14,50\u{a0}€"]
    );
    assert_eq!(in_root(&root, ".vitrine-cart__note"), ["Nicht vorrätig"]);
    assert_eq!(
        in_root(&root, ".vitrine-cart__total"),
        ["Summe: 158,00\u{a0}€"]
    );
    assert_eq!(
        in_root(&root, ".vitrine-cart__coupon p"),
        ["10\u{a0}% Rabatt mit diesem Code, gültig bis 15.1.27:"]
    );
    assert_eq!(
        in_root(&root, ".vitrine-cart__code"),
        ["ABCD-EFGH-JKMN-PQRS"]
    );
    assert_eq!(
        in_root(&root, ".vitrine-cart__pickup"),
        ["Heute ab 11:30 abholbereit in Alpenhaus Ulm Münsterplatz (1,2 km)"]
    );
    let back = root.query_selector(".vitrine-cart__back").unwrap().unwrap();
    assert_eq!(back.text_content().as_deref(), Some("Zurück zum Warenkorb"));
    assert_eq!(
        back.get_attribute("href").as_deref(),
        Some("https://shop.example/warenkorb.html")
    );
    let close = root
        .query_selector(".vitrine-cart__close")
        .unwrap()
        .unwrap();
    assert_eq!(
        close.get_attribute("aria-label").as_deref(),
        Some("Schließen")
    );
    // Focus moved in, the page does not scroll.
    let active = Reflect::get(&root, &"activeElement".into()).unwrap();
    assert_eq!(active, JsValue::from(close));
    assert_eq!(Reflect::get(&style, &"overflow".into()).unwrap(), "hidden");
    assert_eq!(acts(&reported), ["offer-1 shown"]);

    dialog.unchecked_ref::<web_sys::HtmlDialogElement>().close();
    tasks().await;
    assert_eq!(acts(&reported), ["offer-1 shown", "offer-1 dismissed"]);
    assert!(document().get_element_by_id(HOST_ID).is_none());
    assert_eq!(Reflect::get(&style, &"overflow".into()).unwrap(), "scroll");
    Reflect::set(&style, &"overflow".into(), &"".into()).unwrap();
}

async fn cart_recovery_speaks_english_with_an_amount_off_and_a_later_pickup_day() {
    let mut offer = recovery_offer("2030-11-25");
    let coupon = offer.coupon.as_mut().unwrap();
    coupon.percent = None;
    coupon.value.amount_minor = 500;
    let answer = CartRecoveryResponse { offer: Some(offer) };
    let (root, reported) = recovery_for("en-GB", Some(Promise::resolve(&as_served(&answer)))).await;
    let root = root.expect("the dialog opened");
    assert_eq!(
        in_root(&root, "#vitrine-cart-heading"),
        ["Your basket is waiting for you"]
    );
    assert_eq!(in_root(&root, ".vitrine-cart__total"), ["Total: €158.00"]);
    assert_eq!(
        in_root(&root, ".vitrine-cart__coupon p"),
        ["€5.00 off with this code, valid until 15/01/27:"]
    );
    assert_eq!(
        in_root(&root, ".vitrine-cart__pickup"),
        ["Ready for pickup on 25/11 from 11:30 at Alpenhaus Ulm Münsterplatz (1.2 km)"]
    );
    assert_eq!(in_root(&root, ".vitrine-cart__back"), ["Back to basket"]);
    assert_eq!(in_root(&root, ".vitrine-cart__copy"), ["Copy code"]);
    close_dialog(&root).await;
    assert_eq!(acts(&reported), ["offer-1 shown", "offer-1 dismissed"]);
}

async fn cart_recovery_mounts_nothing_without_an_offer_a_token_or_a_good_answer() {
    let nothing = [
        Some(Promise::resolve(&js_sys::JSON::parse("{}").unwrap())),
        None,
        Some(Promise::reject(&js_sys::Error::new("network down").into())),
        Some(Promise::resolve(&JsValue::from_str("<html>garbage</html>"))),
        Some(Promise::resolve(
            &js_sys::JSON::parse(r#"{"offer": {"offer_id": 3}}"#).unwrap(),
        )),
    ];
    for recovery in nothing {
        let (root, reported) = recovery_for("de-DE", recovery).await;
        assert!(root.is_none());
        assert!(document().get_element_by_id(HOST_ID).is_none());
        assert_eq!(reported.length(), 0);
    }
}

async fn cart_recovery_leaves_out_a_back_link_that_is_not_a_web_link() {
    let mut offer = recovery_offer(&today());
    offer.cart_url = "javascript:alert(1)".into();
    offer.coupon = None;
    offer.pickup = None;
    let answer = CartRecoveryResponse { offer: Some(offer) };
    let (root, _) = recovery_for("de-DE", Some(Promise::resolve(&as_served(&answer)))).await;
    let root = root.expect("the dialog opened");
    assert!(root
        .query_selector(".vitrine-cart__back")
        .unwrap()
        .is_none());
    assert!(root
        .query_selector(".vitrine-cart__coupon")
        .unwrap()
        .is_none());
    assert!(root
        .query_selector(".vitrine-cart__pickup")
        .unwrap()
        .is_none());
    close_dialog(&root).await;
}

/// The dialog scenarios one after another: async tests run interleaved, and each scenario
/// looks for the one dialog host of the page.
#[wasm_bindgen_test]
async fn cart_recovery_dialog() {
    cart_recovery_opens_a_modal_dialog_in_german_and_reports_shown_and_dismissed().await;
    cart_recovery_speaks_english_with_an_amount_off_and_a_later_pickup_day().await;
    cart_recovery_mounts_nothing_without_an_offer_a_token_or_a_good_answer().await;
    cart_recovery_leaves_out_a_back_link_that_is_not_a_web_link().await;
    cart_recovery_takes_the_script_tags_data_text_attributes().await;
}

/// The loader passes the script tag's dataset as the options: `data-text-recovery-heading`
/// arrives as `textRecoveryHeading`.
async fn cart_recovery_takes_the_script_tags_data_text_attributes() {
    let answer = CartRecoveryResponse {
        offer: Some(recovery_offer(&today())),
    };
    let (options, _) = recovery_options("de-DE", Some(Promise::resolve(&as_served(&answer))));
    for (key, text) in [
        ("textRecoveryHeading", "Noch da: Ihr Einkauf"),
        ("textRecoveryTotal", "Zusammen {total}"),
    ] {
        Reflect::set(&options, &key.into(), &text.into()).unwrap();
    }
    let root = start_recovery(options).await.expect("the dialog opened");
    for (selector, text) in [
        ("#vitrine-cart-heading", "Noch da: Ihr Einkauf"),
        (".vitrine-cart__total", "Zusammen 158,00\u{a0}€"),
        // The others stay the page's.
        (".vitrine-cart__copy", "Code kopieren"),
    ] {
        assert_eq!(in_root(&root, selector), [text], "{selector}");
    }
    close_dialog(&root).await;
}

// ---------------------------------------------------------------------------------------------
// Texts: languages, regional variants and the shop's data-text-* replacements
// ---------------------------------------------------------------------------------------------

use vitrine_widgets::i18n::{fill, Texts};
use vitrine_widgets::intl::LocalFormat;

#[wasm_bindgen_test]
fn texts_follow_the_language_and_region_of_the_locale() {
    type Text = fn(&Texts) -> &'static str;
    let cases: [(&str, Text, &str); 12] = [
        ("de-DE", |t| t.cart_heading, "Passt zu Ihrem Warenkorb"),
        ("de-DE", |t| t.closes_on, "schließt {day} um {time}"),
        // Switzerland: "ss" for every "ß", nothing else changed.
        ("de-CH", |t| t.closes_on, "schliesst {day} um {time}"),
        ("de-CH", |t| t.recovery_close, "Schliessen"),
        ("de-CH", |t| t.cart_heading, "Passt zu Ihrem Warenkorb"),
        // British English by default, US English where the words differ.
        ("en-GB", |t| t.add_to_cart, "Add to basket"),
        ("en-US", |t| t.add_to_cart, "Add to cart"),
        ("en-GB", |t| t.recovery_back, "Back to basket"),
        ("en-US", |t| t.recovery_back, "Back to cart"),
        ("en-GB", |t| t.postcode_label, "Postcode"),
        ("en-US", |t| t.postcode_label, "ZIP code"),
        ("fr-FR", |t| t.add_to_cart, "Ajouter au panier"),
    ];
    for (locale, text, expected) in cases {
        assert_eq!(text(Texts::for_locale(locale)), expected, "{locale}");
    }
    let pairs = [
        ("de-DE", ("Weil Sie in ", " gekauft haben")),
        ("en-US", ("Because you shopped at ", "")),
        ("fr-FR", ("Suite à votre achat à ", "")),
    ];
    for (locale, pair) in pairs {
        assert_eq!(Texts::for_locale(locale).reason_bought_in_store, pair);
    }
    // Locales that share their texts share one copy, made once.
    for (locale, same) in [
        ("de-AT", "de-DE"),
        ("de", "de-DE"),
        ("de_li", "de-CH"),
        ("it-IT", "en-GB"),
        ("fr-CH", "fr-FR"),
    ] {
        let texts = Texts::for_locale(locale);
        assert!(std::ptr::eq(texts, Texts::for_locale(same)), "{locale}");
    }
    assert!(!format!("{:?}", Texts::for_locale("de-CH")).contains('ß'));
    assert!(format!("{:?}", Texts::for_locale("de-DE")).contains('ß'));
    let (american, british) = (Texts::for_locale("en-US"), Texts::for_locale("en-GB"));
    assert_eq!(american.availability_heading, british.availability_heading);
}

#[wasm_bindgen_test]
fn data_text_attributes_replace_texts_and_keep_their_placeholders() {
    let base = Texts::for_locale("de-DE");
    let replacements = [
        ("data-text-popular-heading", "Unsere Lieblinge"),
        ("data-text-add-to-cart", "Merken"),
        (
            "data-text-pickup-today",
            "Ab {time} für Sie bereit: {store}",
        ),
        (
            "data-text-reason-bought-in-store",
            "Gekauft in {store}, passt dazu",
        ),
    ];
    let element = placeholder(&replacements);
    let texts = Texts::for_placeholder(base, &element);
    assert_eq!(texts.popular_heading, "Unsere Lieblinge");
    assert_eq!(texts.add_to_cart, "Merken");
    assert_eq!(
        fill(texts.pickup_today, &[("time", "16:00"), ("store", "Ulm")]),
        "Ab 16:00 für Sie bereit: Ulm"
    );
    assert_eq!(
        texts.reason_bought_in_store,
        ("Gekauft in ", ", passt dazu")
    );
    // The texts not named stay the page's.
    assert_eq!(texts.product_heading, base.product_heading);
    assert_eq!(texts.recovery_close, "Schließen");

    // A single-page shop remounting the placeholder gets the same texts: nothing new is made.
    assert!(std::ptr::eq(Texts::for_placeholder(base, &element), texts));
    // The same attributes on another placeholder too.
    let twin = placeholder(&replacements);
    assert!(std::ptr::eq(Texts::for_placeholder(base, &twin), texts));
    // No data-text-*: the page's texts themselves.
    let plain = placeholder(&[("data-limit", "2"), ("data-textual", "x")]);
    assert!(std::ptr::eq(Texts::for_placeholder(base, &plain), base));
    // Replacements apply to the page's language: a Swiss page's keep their "ss".
    let swiss = Texts::for_placeholder(Texts::for_locale("de-CH"), &element);
    assert_eq!(swiss.popular_heading, "Unsere Lieblinge");
    assert_eq!(swiss.recovery_close, "Schliessen");
    // A name that is no text is skipped (and reported on the console).
    let typo = placeholder(&[("data-text-add-to-kart", "Merken")]);
    let texts = Texts::for_placeholder(base, &typo);
    assert_eq!(texts.add_to_cart, "In den Warenkorb");
}

#[wasm_bindgen_test]
fn counts_take_the_singular_the_locale_gives_them() {
    let german = LocalFormat::new("de-DE");
    let french = LocalFormat::new("fr-FR");
    assert!(german.singular(1) && german.singular(-1));
    assert!(!german.singular(0) && !german.singular(2));
    // French: "0 point", "1 point", "2 points".
    assert!(french.singular(0) && french.singular(1));
    assert!(!french.singular(2) && !french.singular(1234));
}

#[wasm_bindgen_test]
async fn the_availability_widget_takes_its_placeholders_data_text_attributes() {
    let first = Promise::resolve(&as_served(&availability_answer(
        "AH-1001",
        OriginSource::Postcode,
        vec![schwabing(), salzburg()],
    )));
    let api = fake_api("de-DE", first, |_| Promise::resolve(&JsValue::NULL));
    let element = availability_placeholder("AH-1001");
    element
        .set_attribute("data-text-availability-heading", "Im Laden holen")
        .unwrap();
    element
        .set_attribute("data-text-more-stores", "{count} weitere Läden")
        .unwrap();
    let (host, _) = mount_availability(api, &element);
    settle().await;
    assert_eq!(
        texts(&host, ".vitrine-availability__heading"),
        ["Im Laden holen"]
    );
    assert_eq!(
        texts(&host, ".vitrine-availability__toggle"),
        ["1 weitere Läden"]
    );
    assert_eq!(texts(&host, ".vitrine-availability__submit"), ["Suchen"]);
}

/// An answer whose first tile goes with a purchase at a store's till.
fn personal_answer() -> JsValue {
    let answer = answer(2);
    let items = Reflect::get(&answer, &"items".into()).unwrap();
    let reason = js_sys::JSON::parse(
        r#"{"kind":"because_you_bought","sku":"X","channel":"store","store_id":"ulm","store_name":"Ulm Münsterplatz"}"#,
    )
    .unwrap();
    Reflect::set(
        &Reflect::get(&items, &0.into()).unwrap(),
        &"reason".into(),
        &reason,
    )
    .unwrap();
    answer
}

#[wasm_bindgen_test]
async fn recommendations_layout_and_heading_follow_the_placeholder_and_the_answer() {
    // Placeholder attributes, answer, the section's class, the heading.
    type Case<'a> = (&'a [(&'a str, &'a str)], JsValue, &'a str, &'a str);
    let cases: [Case; 4] = [
        (
            &[],
            answer(2),
            "vitrine-recs vitrine-recs--row",
            "Beliebt bei unseren Kundinnen und Kunden",
        ),
        (
            &[("data-layout", "grid")],
            answer(2),
            "vitrine-recs vitrine-recs--grid",
            "Beliebt bei unseren Kundinnen und Kunden",
        ),
        (
            &[("data-context", "cart"), ("data-cart", "A")],
            answer(2),
            "vitrine-recs vitrine-recs--row",
            "Passt zu Ihrem Warenkorb",
        ),
        (
            &[],
            personal_answer(),
            "vitrine-recs vitrine-recs--row",
            "Für Sie ausgewählt",
        ),
    ];
    for (attrs, data, class, heading) in cases {
        let element = placeholder(attrs);
        let host = mount(
            Embed::new(options("de-DE", Promise::resolve(&data))),
            &element,
        );
        settle().await;
        let section = host.query_selector(".vitrine-recs").unwrap().unwrap();
        assert_eq!(section.class_name(), class);
        assert_eq!(texts(&host, ".vitrine-recs__heading"), [heading]);
        // The list is the scroll region: focusable, named by the heading.
        let list = host.query_selector(".vitrine-recs__list").unwrap().unwrap();
        assert_eq!(list.get_attribute("tabindex").as_deref(), Some("0"));
        assert_eq!(list.get_attribute("aria-label").as_deref(), Some(heading));
    }
    let personal = placeholder(&[]);
    let host = mount(
        Embed::new(options("de-DE", Promise::resolve(&personal_answer()))),
        &personal,
    );
    settle().await;
    assert_eq!(
        texts(&host, ".vitrine-recs__reason")[0],
        "Weil Sie in Ulm Münsterplatz gekauft haben"
    );
    let bad = placeholder(&[("data-layout", "carousel")]);
    let err = Request::from_placeholder(
        &Embed::new(options("de-DE", Promise::resolve(&answer(1)))),
        &bad,
    )
    .err()
    .unwrap();
    assert_eq!(
        err.as_string().as_deref(),
        Some("data-layout=\"carousel\" is not \"row\" or \"grid\"")
    );
}

#[wasm_bindgen_test]
async fn the_add_to_cart_button_fires_a_cancelable_event_with_the_tile_and_reports_a_click() {
    let element = placeholder(&[("data-limit", "2")]);
    let host = mount(
        Embed::new(options("de-DE", Promise::resolve(&answer(2)))),
        &element,
    );
    settle().await;
    let heard: Rc<RefCell<Vec<JsValue>>> = Rc::default();
    let sink = heard.clone();
    // The shop handles it: cancelled, so the page stays (the test page must not navigate).
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        event.prevent_default();
        sink.borrow_mut()
            .push(Reflect::get(&event, &"detail".into()).unwrap());
    });
    document()
        .add_event_listener_with_callback("vitrine:add-to-cart", listener.as_ref().unchecked_ref())
        .unwrap();
    let buttons = host.query_selector_all(".vitrine-recs__add").unwrap();
    assert_eq!(buttons.length(), 2);
    let second: HtmlElement = buttons.item(1).unwrap().unchecked_into();
    assert_eq!(
        second.get_attribute("aria-label").as_deref(),
        Some("In den Warenkorb: Produkt 1")
    );
    let _ = js_sys::eval("window.tracked = []");
    second.click();
    document()
        .remove_event_listener_with_callback(
            "vitrine:add-to-cart",
            listener.as_ref().unchecked_ref(),
        )
        .unwrap();
    let heard = heard.borrow();
    assert_eq!(
        heard.len(),
        1,
        "the event bubbles from the placeholder to the page"
    );
    let field = |name: &str| Reflect::get(&heard[0], &name.into()).unwrap().as_string();
    assert_eq!(field("sku").as_deref(), Some("SKU-1"));
    assert_eq!(field("recommendation_id").as_deref(), Some("rec-1"));
    assert_eq!(field("url").as_deref(), Some("https://shop.example/p/1"));
    let tracked = js_sys::eval("JSON.stringify(window.tracked)")
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(
        tracked,
        r#"[{"type":"click","recommendation_id":"rec-1","sku":"SKU-1"}]"#
    );
}
