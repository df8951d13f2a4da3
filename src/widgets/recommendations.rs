//! `<div data-vitrine="recommendations" data-sku="…" data-limit="4">`: a row of product tiles.
//!
//! While the data loads it shows skeleton tiles of the final size, so nothing moves when the
//! products arrive; when the data cannot be had it renders nothing and logs one warning.
//!
//! Plain DOM calls like the other widgets: written with Leptos views it kept Leptos' reactive
//! system and renderer in the bundle, about 4 KB brotli (docs/bundle-size.md).

use std::rc::Rc;

use js_sys::Promise;
use vitrine_types::RecommendationReason;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element};

use super::dom::{add, attributes, count_attribute, document, text};
use crate::embed::Embed;
use crate::i18n::Texts;

/// Tiles shown when `data-limit` is absent.
const DEFAULT_LIMIT: usize = 4;
/// Most tiles the API hands out.
const MAX_LIMIT: usize = 24;

/// What one placeholder asks for, parsed from its attributes.
pub struct Request {
    data: Promise,
    limit: usize,
    on_product_page: bool,
}

impl Request {
    /// Reads `data-limit` and `data-sku` and takes the data promise the loader started.
    pub fn from_placeholder(embed: &Embed, placeholder: &Element) -> Result<Self, JsValue> {
        let limit = count_attribute(placeholder, "data-limit", DEFAULT_LIMIT, MAX_LIMIT)?;
        Ok(Self {
            data: embed.load(placeholder)?,
            limit,
            on_product_page: placeholder.has_attribute("data-sku"),
        })
    }
}

/// The reason of a tile in the page's language.
fn reason_text(texts: &Texts, reason: &RecommendationReason) -> String {
    match reason {
        RecommendationReason::Popular => texts.reason_popular.into(),
        RecommendationReason::Trending => texts.reason_trending.into(),
        RecommendationReason::Catalogue => texts.reason_catalogue.into(),
        RecommendationReason::BoughtTogetherWith { .. } => texts.reason_bought_together.into(),
        RecommendationReason::BecauseYouViewed { .. } => texts.reason_viewed.into(),
        RecommendationReason::BecauseYouBought {
            store_name: Some(store),
            ..
        } => {
            let (before, after) = texts.reason_bought_in_store;
            [before, store.as_str(), after].concat()
        }
        RecommendationReason::BecauseYouBought { .. } => texts.reason_bought.into(),
    }
}

/// A mounted recommendations widget; dropping it unmounts it.
pub struct Mounted {
    section: Rc<Element>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.section.remove();
    }
}

/// Mounts the recommendations for `request` into `container`: skeleton tiles now, the
/// products when the answer comes, nothing when there are none.
pub fn mount(embed: Rc<Embed>, request: Request, container: &Element) -> Result<Mounted, JsValue> {
    let Request {
        data,
        limit,
        on_product_page,
    } = request;
    let texts = embed.texts;
    let heading = if on_product_page {
        texts.product_heading
    } else {
        texts.popular_heading
    };
    let document = document()?;
    let section = add(&document, container, "section", "vitrine-recs")?;
    attributes(
        &section,
        &[("aria-busy", "true"), ("aria-label", texts.loading)],
    )?;
    let list = frame(&section, heading)?;
    for _ in 0..limit {
        skeleton_tile(&document, &list)?;
    }
    let section = Rc::new(section);
    let weak = Rc::downgrade(&section);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = JsFuture::from(data).await.and_then(|json| {
            crate::wire::recommendations(&json)
                .map_err(|err| JsValue::from(format!("unexpected answer: {err}")))
        });
        // Unmounted meanwhile: nothing to show.
        let Some(section) = weak.upgrade() else {
            return;
        };
        let shown = answer.and_then(|answer| {
            if answer.items.is_empty() {
                section.remove();
                return Ok(());
            }
            section.remove_attribute("aria-busy")?;
            attributes(
                &section,
                &[
                    ("aria-label", heading),
                    ("data-recommendation-id", &answer.recommendation_id),
                ],
            )?;
            let list = frame(&section, heading)?;
            for item in &answer.items {
                let tile = add(&document, &list, "li", "vitrine-recs__tile")?;
                tile.set_attribute("data-sku", &item.sku)?;
                let link = add(&document, &tile, "a", "vitrine-recs__link")?;
                link.set_attribute("href", &item.url)?;
                let image = add(&document, &link, "img", "vitrine-recs__image")?;
                attributes(
                    &image,
                    &[
                        ("src", &item.image_url),
                        ("alt", ""),
                        ("width", "200"),
                        ("height", "200"),
                        ("loading", "lazy"),
                        ("decoding", "async"),
                    ],
                )?;
                text(&link, "span", "vitrine-recs__title", &item.title)?;
                let price = embed.prices.format(&item.price);
                text(&tile, "span", "vitrine-recs__price", &price)?;
                let reason = reason_text(texts, &item.reason);
                text(&tile, "span", "vitrine-recs__reason", &reason)?
                    .set_attribute("title", &reason)?;
            }
            Ok(())
        });
        if let Err(err) = shown {
            web_sys::console::warn_2(&"[vitrine] recommendations unavailable:".into(), &err);
            section.remove();
        }
    });
    Ok(Mounted { section })
}

/// Empties `section` and gives it the heading and an empty list, which it returns.
fn frame(section: &Element, heading: &str) -> Result<Element, JsValue> {
    section.set_text_content(None);
    text(section, "h2", "vitrine-recs__heading", heading)?;
    add(&document()?, section, "ul", "vitrine-recs__list")
}

/// A tile of the same parts and size as a real one, so nothing moves when the data arrives.
fn skeleton_tile(document: &Document, list: &Element) -> Result<(), JsValue> {
    let tile = add(
        document,
        list,
        "li",
        "vitrine-recs__tile vitrine-recs__tile--skeleton",
    )?;
    let link = add(document, &tile, "span", "vitrine-recs__link")?;
    add(
        document,
        &link,
        "span",
        "vitrine-recs__image vitrine-recs__placeholder",
    )?;
    add(
        document,
        &link,
        "span",
        "vitrine-recs__title vitrine-recs__placeholder",
    )?;
    text(&tile, "span", "vitrine-recs__price", "\u{a0}")?;
    text(&tile, "span", "vitrine-recs__reason", "\u{a0}")?;
    Ok(())
}
