//! The widgets in a real browser (headless Chromium via wasm-bindgen-test-runner and
//! chromedriver): mounted, fed through a promise as the loader feeds them, and inspected.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use vitrine_types::{Money, RecommendationReason, RecommendationsResponse, RecommendedProduct};
use vitrine_widgets::embed::{Embed, LoaderOptions};
use vitrine_widgets::widgets::recommendations::{Recommendations, Request};
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
    let embed = Rc::new(embed);
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <Recommendations embed request /> },
    )
    .forget();
    host
}

async fn settle() {
    // Let the promise resolve and the reactive system render.
    for _ in 0..3 {
        wasm_bindgen_futures::JsFuture::from(Promise::resolve(&JsValue::NULL))
            .await
            .unwrap();
        leptos::task::tick().await;
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
