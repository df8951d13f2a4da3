//! The embed: what the loader hands over, finding the placeholders, giving each its own
//! shadow root, mounting the widget it names, and `window.Vitrine`.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, ShadowRootInit, ShadowRootMode};

use crate::i18n::Texts;
use crate::intl::PriceFormat;
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

    /// The data of one placeholder: a promise of the API's JSON answer.
    #[wasm_bindgen(method, catch)]
    fn load(this: &LoaderOptions, placeholder: &Element) -> Result<Promise, JsValue>;

    /// The widgets' stylesheet, a constructed `CSSStyleSheet` adopted by every shadow root.
    #[wasm_bindgen(method, getter)]
    fn sheet(this: &LoaderOptions) -> JsValue;

    /// `window.Vitrine`, whose `q` holds the calls made before the bundle loaded.
    #[wasm_bindgen(method, getter)]
    fn api(this: &LoaderOptions) -> Object;
}

/// What every widget needs to render: texts and formats for the page's locale, and the data.
pub struct Embed {
    options: LoaderOptions,
    /// Texts in the page's language.
    pub texts: &'static Texts,
    /// Price formatting for the page's locale.
    pub prices: PriceFormat,
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
            options,
        }
    }

    /// The promise of the data for `placeholder`, as started by the loader.
    pub fn load(&self, placeholder: &Element) -> Result<Promise, JsValue> {
        self.options.load(placeholder)
    }
}

thread_local! {
    static EMBED: RefCell<Option<std::rc::Rc<Embed>>> = const { RefCell::new(None) };
    static MOUNTED: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
}

/// A mounted widget; dropping it unmounts the widget.
struct Mounted(#[allow(dead_code)] Box<dyn std::any::Any>);

/// Entry point called by the loader once the module is instantiated.
#[wasm_bindgen]
pub fn start(options: LoaderOptions) {
    let embed = std::rc::Rc::new(Embed::new(options));
    EMBED.with(|slot| *slot.borrow_mut() = Some(embed.clone()));
    let api = embed.options.api();
    // The loader's own queue array, not a copy: it is emptied once replayed.
    let queued = Reflect::get(&api, &"q".into())
        .ok()
        .and_then(|q| q.dyn_into::<Array>().ok());
    install_api(&api);
    mount_all(&embed);
    if let Some(queued) = queued {
        for call in queued.iter() {
            let Ok(call) = call.dyn_into::<Array>() else {
                continue;
            };
            let name = call.get(0).as_string().unwrap_or_default();
            if let Ok(method) = Reflect::get(&api, &name.as_str().into()) {
                if let Some(method) = method.dyn_ref::<Function>() {
                    let args = call.get(1).dyn_into::<Array>().unwrap_or_default();
                    let _ = method.apply(&api, &args);
                }
            }
        }
        queued.set_length(0);
    }
}

/// Replaces the loader's queueing methods on `window.Vitrine` with the real ones.
fn install_api(api: &Object) {
    let refresh = Closure::<dyn Fn()>::new(refresh);
    let _ = Reflect::set(api, &"refresh".into(), refresh.as_ref());
    refresh.forget();
    for name in ["track", "identify", "setConsent"] {
        let warn = Closure::<dyn Fn()>::new(move || {
            web_sys::console::warn_1(
                &format!("[vitrine] Vitrine.{name}() is not supported by this version yet").into(),
            );
        });
        let _ = Reflect::set(api, &name.into(), warn.as_ref());
        warn.forget();
    }
}

/// `Vitrine.refresh()`: reloads every widget and mounts placeholders added since.
fn refresh() {
    MOUNTED.with(|mounted| mounted.borrow_mut().clear());
    if let Some(embed) = EMBED.with(|slot| slot.borrow().clone()) {
        mount_all(&embed);
    }
}

fn mount_all(embed: &std::rc::Rc<Embed>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(placeholders) = document.query_selector_all("[data-vitrine]") else {
        return;
    };
    for index in 0..placeholders.length() {
        let Some(placeholder) = placeholders
            .item(index)
            .and_then(|n| n.dyn_into::<Element>().ok())
        else {
            continue;
        };
        if let Err(err) = mount(embed, &document, &placeholder) {
            web_sys::console::warn_2(&"[vitrine] cannot mount widget:".into(), &err);
        }
    }
}

fn mount(
    embed: &std::rc::Rc<Embed>,
    document: &web_sys::Document,
    placeholder: &Element,
) -> Result<(), JsValue> {
    let root = match placeholder.shadow_root() {
        Some(root) => {
            root.set_inner_html("");
            root
        }
        None => {
            let root = placeholder.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
            Reflect::set(
                &root,
                &"adoptedStyleSheets".into(),
                &Array::of1(&embed.options.sheet()),
            )?;
            root
        }
    };
    let container: HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_class_name("vitrine");
    root.append_child(&container)?;
    let kind = placeholder
        .get_attribute("data-vitrine")
        .unwrap_or_default();
    let handle: Box<dyn std::any::Any> = match kind.as_str() {
        "recommendations" => {
            let request = widgets::recommendations::Request::from_placeholder(embed, placeholder)?;
            let embed = embed.clone();
            Box::new(leptos::mount::mount_to(container, move || {
                view! { <widgets::recommendations::Recommendations embed request /> }
            }))
        }
        other => {
            return Err(format!("unknown widget kind data-vitrine=\"{other}\"").into());
        }
    };
    MOUNTED.with(|mounted| mounted.borrow_mut().push(Mounted(handle)));
    Ok(())
}
