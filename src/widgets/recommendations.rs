//! `<div data-vitrine="recommendations" data-sku="…" data-limit="4">`: a row of product tiles.
//!
//! While the data loads it shows skeleton tiles of the final size, so nothing moves when the
//! products arrive; when the data cannot be had it renders nothing and logs one warning.

use std::rc::Rc;
use std::sync::Arc;

use js_sys::Promise;
use leptos::prelude::*;
use vitrine_types::{RecommendationReason, RecommendedProduct};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use super::dom::count_attribute;
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

#[derive(Clone)]
enum Load {
    Pending,
    Ready(Arc<Tiles>),
    Unavailable,
}

/// The answer made ready to show: prices formatted, reasons put into words.
struct Tiles {
    recommendation_id: String,
    tiles: Vec<Tile>,
}

struct Tile {
    sku: String,
    title: String,
    url: String,
    image_url: String,
    price: String,
    reason: String,
}

impl Tile {
    fn new(embed: &Embed, item: RecommendedProduct) -> Self {
        Self {
            price: embed.prices.format(&item.price),
            reason: reason_text(embed.texts, &item.reason),
            sku: item.sku,
            title: item.title,
            url: item.url,
            image_url: item.image_url,
        }
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

/// The recommendations widget.
#[component]
pub fn Recommendations(
    /// Texts, formats and data access of the page.
    embed: Rc<Embed>,
    /// What this placeholder asked for.
    request: Request,
) -> impl IntoView {
    let state = RwSignal::new(Load::Pending);
    let Request {
        data,
        limit,
        on_product_page,
    } = request;
    let texts = embed.texts;
    leptos::task::spawn_local(async move {
        let outcome = JsFuture::from(data).await.and_then(|json| {
            crate::wire::recommendations(&json)
                .map_err(|err| JsValue::from(format!("unexpected answer: {err}")))
        });
        state.set(match outcome {
            Ok(answer) if !answer.items.is_empty() => Load::Ready(Arc::new(Tiles {
                recommendation_id: answer.recommendation_id,
                tiles: answer
                    .items
                    .into_iter()
                    .map(|item| Tile::new(&embed, item))
                    .collect(),
            })),
            Ok(_) => Load::Unavailable,
            Err(err) => {
                web_sys::console::warn_2(&"[vitrine] recommendations unavailable:".into(), &err);
                Load::Unavailable
            }
        });
    });
    let heading = if on_product_page {
        texts.product_heading
    } else {
        texts.popular_heading
    };
    move || {
        match state.get() {
        Load::Pending => view! {
            <section class="vitrine-recs" aria-busy="true" aria-label=texts.loading>
                <h2 class="vitrine-recs__heading">{heading}</h2>
                <ul class="vitrine-recs__list">
                    {(0..limit).map(|_| skeleton_tile()).collect_view()}
                </ul>
            </section>
        }
        .into_any(),
        Load::Ready(answer) => view! {
            <section class="vitrine-recs" aria-label=heading data-recommendation-id=answer.recommendation_id.clone()>
                <h2 class="vitrine-recs__heading">{heading}</h2>
                <ul class="vitrine-recs__list">
                    {answer.tiles.iter().map(tile).collect_view()}
                </ul>
            </section>
        }
        .into_any(),
        Load::Unavailable => ().into_any(),
    }
    }
}

/// A tile of the same parts and size as a real one, so nothing moves when the data arrives.
fn skeleton_tile() -> impl IntoView {
    view! {
        <li class="vitrine-recs__tile vitrine-recs__tile--skeleton">
            <span class="vitrine-recs__link">
                <span class="vitrine-recs__image vitrine-recs__placeholder"></span>
                <span class="vitrine-recs__title vitrine-recs__placeholder"></span>
            </span>
            <span class="vitrine-recs__price">"\u{a0}"</span>
            <span class="vitrine-recs__reason">"\u{a0}"</span>
        </li>
    }
}

fn tile(tile: &Tile) -> impl IntoView {
    view! {
        <li class="vitrine-recs__tile" data-sku=tile.sku.clone()>
            <a class="vitrine-recs__link" href=tile.url.clone()>
                <img class="vitrine-recs__image" src=tile.image_url.clone() alt="" width="200" height="200" loading="lazy" decoding="async" />
                <span class="vitrine-recs__title">{tile.title.clone()}</span>
            </a>
            <span class="vitrine-recs__price">{tile.price.clone()}</span>
            <span class="vitrine-recs__reason" title=tile.reason.clone()>{tile.reason.clone()}</span>
        </li>
    }
}
