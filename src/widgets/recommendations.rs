//! `<div data-vitrine="recommendations" data-sku="…" data-limit="4">`: product tiles, on a
//! product page (`data-sku`: bought together, also bought), the cart (`data-context="cart"`)
//! or the home page ("for you", else popular). `data-layout="row"` (default: one row that
//! scrolls sideways by touch, wheel or keyboard) or `"grid"`. Each tile shows its reason and an
//! add-to-cart button; impressions, clicks and the button's event are the loader's (`tiles`).
//!
//! While the data loads it shows skeleton tiles of the final size, so nothing moves when the
//! products arrive; when the data cannot be had it renders nothing and logs one warning.
//!
//! Plain DOM calls like the other widgets: written with Leptos views it kept Leptos' reactive
//! system and renderer in the bundle, about 4 KB brotli (docs/bundle-size.md).

use std::cell::RefCell;
use std::rc::Rc;

use super::tiles::Tiles;

use js_sys::Promise;
use vitrine_types::RecommendationReason;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element};

use super::dom::{add, attributes, count_attribute, document, text};
use crate::embed::{Embed, MountedWidget};
use crate::i18n::Texts;

/// Tiles shown when `data-limit` is absent.
const DEFAULT_LIMIT: usize = 4;
/// Most tiles the API hands out.
const MAX_LIMIT: usize = 24;

/// What one placeholder asks for, parsed from its attributes.
pub struct Request {
    placeholder: Element,
    data: Promise,
    limit: usize,
    context: Context,
    grid: bool,
}

/// Which page the widget is on, for its heading.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    Product,
    Cart,
    Home,
}

impl Request {
    /// Reads `data-limit` and `data-sku` and takes the data promise the loader started.
    pub fn from_placeholder(embed: &Embed, placeholder: &Element) -> Result<Self, JsValue> {
        let limit = count_attribute(placeholder, "data-limit", DEFAULT_LIMIT, MAX_LIMIT)?;
        let context = if placeholder.has_attribute("data-sku") {
            Context::Product
        } else if placeholder.get_attribute("data-context").as_deref() == Some("cart") {
            Context::Cart
        } else {
            Context::Home
        };
        let grid = match placeholder.get_attribute("data-layout").as_deref() {
            None | Some("row") => false,
            Some("grid") => true,
            Some(other) => {
                return Err(format!("data-layout=\"{other}\" is not \"row\" or \"grid\"").into())
            }
        };
        Ok(Self {
            placeholder: placeholder.clone(),
            data: embed.load(placeholder)?,
            limit,
            context,
            grid,
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

/// Whether `reason` comes from the shopper's own history.
fn personal(reason: &RecommendationReason) -> bool {
    matches!(
        reason,
        RecommendationReason::BecauseYouBought { .. }
            | RecommendationReason::BecauseYouViewed { .. }
    )
}

/// A mounted recommendations widget; dropping it unmounts it.
pub struct Mounted {
    section: Rc<Element>,
    _tiles: Rc<RefCell<Option<Tiles>>>,
}

impl MountedWidget for Mounted {}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.section.remove();
    }
}

/// Mounts the recommendations for `request` into `container`: skeleton tiles now, the
/// products when the answer comes, nothing when there are none.
pub fn mount(embed: Rc<Embed>, request: Request, container: &Element) -> Result<Mounted, JsValue> {
    let Request {
        placeholder,
        data,
        limit,
        context,
        grid,
    } = request;
    let texts = Texts::for_placeholder(embed.texts, &placeholder);
    let heading = match context {
        Context::Product => texts.product_heading,
        Context::Cart => texts.cart_heading,
        Context::Home => texts.popular_heading,
    };
    let document = document()?;
    let class = if grid {
        "vitrine-recs vitrine-recs--grid"
    } else {
        "vitrine-recs vitrine-recs--row"
    };
    let section = add(&document, container, "section", class)?;
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
    let tiles = Rc::new(RefCell::new(None));
    let following = Rc::downgrade(&tiles);
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
                embed.collapse(&section);
                return Ok(());
            }
            section.remove_attribute("aria-busy")?;
            let heading = if context == Context::Home
                && answer.items.iter().any(|item| personal(&item.reason))
            {
                texts.personal_heading
            } else {
                heading
            };
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
                add_button(&tile, texts.add_to_cart, &item.title)?;
            }
            if let Some(slot) = following.upgrade() {
                *slot.borrow_mut() = Some(super::tiles::follow(
                    embed.clone(),
                    &placeholder,
                    &list,
                    &answer.recommendation_id,
                )?);
            }
            Ok(())
        });
        if let Err(err) = shown {
            web_sys::console::warn_2(&"[vitrine] recommendations unavailable:".into(), &err);
            embed.collapse(&section);
        }
    });
    Ok(Mounted {
        section,
        _tiles: tiles,
    })
}

/// Empties `section` and gives it the heading and an empty list, which it returns. The list
/// is focusable with the heading as its name, so a keyboard scrolls a row with the arrow keys.
fn frame(section: &Element, heading: &str) -> Result<Element, JsValue> {
    section.set_text_content(None);
    text(section, "h2", "vitrine-recs__heading", heading)?;
    let list = add(&document()?, section, "ul", "vitrine-recs__list")?;
    attributes(&list, &[("tabindex", "0"), ("aria-label", heading)])?;
    Ok(list)
}

/// The tile's add-to-cart button, named with the product for screen readers.
fn add_button(tile: &Element, label: &str, title: &str) -> Result<Element, JsValue> {
    let button = text(tile, "button", "vitrine-recs__add", label)?;
    attributes(
        &button,
        &[
            ("type", "button"),
            ("aria-label", &[label, ": ", title].concat()),
        ],
    )?;
    Ok(button)
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
    add_button(&tile, "\u{a0}", "")?.set_attribute("disabled", "")?;
    Ok(())
}
