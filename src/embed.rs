//! The embed: what the loader hands over, finding the placeholders, giving each its own
//! shadow root, mounting the widget it names, and `window.Vitrine`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

use crate::i18n::Texts;
use crate::intl::{LocalFormat, PriceFormat};
use crate::widgets;

#[wasm_bindgen]
extern "C" {
    /// The object the loader passes to [`start`]: the script tag's `data-*` config and the
    /// loader's services.
    pub type LoaderOptions;

    /// `data-locale`, e.g. `de-DE`.
    #[wasm_bindgen(method, getter)]
    fn locale(this: &LoaderOptions) -> Option<String>;

    /// `data-currency`, e.g. `EUR`.
    #[wasm_bindgen(method, getter)]
    fn currency(this: &LoaderOptions) -> Option<String>;

    /// `data-customer-token`: the signed-in customer's token, absent for anyone else.
    #[wasm_bindgen(method, getter, js_name = customerToken)]
    fn customer_token(this: &LoaderOptions) -> Option<String>;

    /// The data of one placeholder: a promise of the API's JSON answer.
    #[wasm_bindgen(method, catch)]
    fn load(this: &LoaderOptions, placeholder: &Element) -> Result<Promise, JsValue>;

    /// A fresh GET of the API: `path` (`availability`) with `params` (an object of strings
    /// and numbers) plus the publishable key and the customer's token, with the loader's time
    /// limit. A promise of the JSON answer, rejected with an `Error` whose `status` and `code`
    /// (the API's error code) say why.
    #[wasm_bindgen(method, catch, js_name = fetchJson)]
    fn fetch_json(this: &LoaderOptions, path: &str, params: &Object) -> Result<Promise, JsValue>;

    /// The widgets' stylesheet, a constructed `CSSStyleSheet` adopted by every shadow root.
    #[wasm_bindgen(method, getter)]
    fn sheet(this: &LoaderOptions) -> JsValue;

    /// Queues an event for the API (`impression`, `click`) with its fields; the loader sends
    /// it with the next beacon, and drops it without tracking consent.
    #[wasm_bindgen(method)]
    fn track(this: &LoaderOptions, kind: &str, fields: &Object);

    /// Called before a widget that gives up removes `section`: the loader keeps the
    /// placeholder's painted height while it is in view, so the page does not jump.
    #[wasm_bindgen(method)]
    fn collapse(this: &LoaderOptions, section: &Element);

    /// Whether the shopper's consent allows storing anything in the browser.
    #[wasm_bindgen(method, js_name = mayStore)]
    fn may_store(this: &LoaderOptions) -> bool;

}

/// What every widget needs to render: texts and formats for the page's locale, and the data.
pub struct Embed {
    options: LoaderOptions,
    /// Texts in the page's language.
    pub texts: &'static Texts,
    /// Price formatting for the page's locale.
    pub prices: PriceFormat,
    /// Numbers, distances, store-local times and dates for the page's locale.
    pub formats: LocalFormat,
}

impl Embed {
    /// Reads the page's locale (`data-locale`, else the browser's) and currency.
    pub fn new(options: LoaderOptions) -> Self {
        let locale = options
            .locale()
            .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
            .unwrap_or_else(|| "de-DE".into());
        let currency = options.currency().unwrap_or_else(|| "EUR".into());
        Self {
            texts: Texts::for_locale(&locale),
            prices: PriceFormat::new(&locale, &currency),
            formats: LocalFormat::new(&locale),
            options,
        }
    }

    /// The promise of the data for `placeholder`, as started by the loader.
    pub fn load(&self, placeholder: &Element) -> Result<Promise, JsValue> {
        self.options.load(placeholder)
    }

    /// Whether the page names a signed-in customer (a token, not yet known to be valid).
    pub fn signed_in(&self) -> bool {
        self.options
            .customer_token()
            .is_some_and(|token| !token.is_empty())
    }

    /// The loader's hand-over object, for the services only some widgets use.
    pub(crate) fn loader(&self) -> &JsValue {
        &self.options
    }

    /// Takes down a widget that gives up (its data failed, came garbled or empty): the loader
    /// holds the placeholder's painted height while in view, then `section` goes.
    pub fn collapse(&self, section: &Element) {
        self.options.collapse(section);
        section.remove();
    }

    /// Queues an event for the API, e.g. `track("click", {recommendation_id, sku})`.
    pub fn track(&self, kind: &str, fields: &Object) {
        self.options.track(kind, fields);
    }

    /// Whether the shopper's consent allows storing anything in the browser (the postcode
    /// the availability widget remembers).
    pub fn may_store(&self) -> bool {
        self.options.may_store()
    }

    /// A fresh API request, e.g. `fetch("availability", {sku, postcode})`, made by the
    /// loader (key, customer token, time limit) after the first answer was used.
    pub fn fetch(&self, path: &str, params: &Object) -> Result<Promise, JsValue> {
        self.options.fetch_json(path, params)
    }
}

/// A mounted widget; dropping it unmounts the widget.
pub trait MountedWidget {
    /// The page changed `attribute` (a `data-*`) of the widget's placeholder: true when the
    /// widget followed the change itself, false to have the loader draw it anew with a new
    /// request (the default).
    fn attribute_changed(&self, _placeholder: &Element, _attribute: &str) -> bool {
        false
    }
}

thread_local! {
    static EMBED: RefCell<Option<Rc<Embed>>> = const { RefCell::new(None) };
    static MOUNTED: RefCell<Vec<(Element, Rc<dyn MountedWidget>)>> = const { RefCell::new(Vec::new()) };
}

/// Entry point called by the loader once the module is instantiated: keeps the loader's
/// services and opens the cart recovery dialog when the loader asked for an offer. The
/// placeholders come one by one through [`mount`], as they come into view.
#[wasm_bindgen]
pub fn start(options: LoaderOptions) {
    let embed = Rc::new(Embed::new(options));
    EMBED.with(|slot| *slot.borrow_mut() = Some(embed.clone()));
    widgets::cart_recovery::start(embed);
}

/// Draws the widget `placeholder` names into its shadow root (the loader calls this when the
/// placeholder comes near the viewport, and again after its attributes changed).
#[wasm_bindgen]
pub fn mount(placeholder: Element) {
    let Some(embed) = EMBED.with(|slot| slot.borrow().clone()) else {
        return;
    };
    unmount(placeholder.clone());
    match mount_widget(&embed, &placeholder) {
        Ok(handle) => MOUNTED.with(|mounted| mounted.borrow_mut().push((placeholder, handle))),
        Err(err) => web_sys::console::warn_2(&"[vitrine] cannot mount widget:".into(), &err),
    }
}

/// Takes down the widget of `placeholder` (removed from the page, or about to be redrawn).
#[wasm_bindgen]
pub fn unmount(placeholder: Element) {
    // Dropped outside the borrow: a widget's drop may touch the DOM, which may call back.
    let gone: Vec<_> = MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        let (gone, kept) = mounted
            .drain(..)
            .partition(|(element, _)| *element == placeholder);
        *mounted = kept;
        gone
    });
    drop(gone);
    if let Some(root) = placeholder.shadow_root() {
        root.set_inner_html("");
    }
}

/// The page changed `attribute` of the mounted `placeholder` (the loader follows every
/// placeholder's attributes): true when its widget followed the change itself (availability:
/// a size picker switching `data-sku` keeps the shopper's place), false when the loader is to
/// redraw it.
#[wasm_bindgen]
pub fn update(placeholder: Element, attribute: String) -> bool {
    // Called outside the borrow: the widget may touch the DOM, which may call back.
    let widget = MOUNTED.with(|mounted| {
        let mounted = mounted.borrow();
        let found = mounted.iter().find(|(element, _)| *element == placeholder);
        found.map(|(_, widget)| widget.clone())
    });
    widget.is_some_and(|widget| widget.attribute_changed(&placeholder, &attribute))
}

/// A new open shadow root on `host` that adopts the widgets' stylesheet.
pub(crate) fn shadow_root(embed: &Embed, host: &Element) -> Result<ShadowRoot, JsValue> {
    let root = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    Reflect::set(
        &root,
        &"adoptedStyleSheets".into(),
        &Array::of1(&embed.options.sheet()),
    )?;
    Ok(root)
}

fn mount_widget(
    embed: &Rc<Embed>,
    placeholder: &Element,
) -> Result<Rc<dyn MountedWidget>, JsValue> {
    let document = widgets::dom::document()?;
    let root = match placeholder.shadow_root() {
        Some(root) => {
            root.set_inner_html("");
            root
        }
        None => shadow_root(embed, placeholder)?,
    };
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_class_name("vitrine");
    root.append_child(&container)?;
    let kind = placeholder
        .get_attribute("data-vitrine")
        .unwrap_or_default();
    let handle: Rc<dyn MountedWidget> = match kind.as_str() {
        "recommendations" => {
            let request = widgets::recommendations::Request::from_placeholder(embed, placeholder)?;
            Rc::new(widgets::recommendations::mount(
                embed.clone(),
                request,
                &container,
            )?)
        }
        "availability" => {
            let request = widgets::availability::Request::from_placeholder(embed, placeholder)?;
            Rc::new(widgets::availability::mount(
                embed.clone(),
                request,
                &container,
            )?)
        }
        "loyalty" => {
            let request = widgets::loyalty::Request::from_placeholder(embed, placeholder)?;
            Rc::new(widgets::loyalty::mount(embed.clone(), request, &container)?)
        }
        other => {
            return Err(format!("unknown widget kind data-vitrine=\"{other}\"").into());
        }
    };
    Ok(handle)
}
