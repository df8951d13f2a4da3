//! The few DOM calls the web-sys widgets (availability, loyalty) are built from, shared so
//! the bundle carries each binding and loop once.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Node};

/// The page's document.
pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| "no document".into())
}

/// A new `tag` element with `class` (none when empty), appended to `parent`.
pub fn add(document: &Document, parent: &Node, tag: &str, class: &str) -> Result<Element, JsValue> {
    let element = document.create_element(tag)?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    parent.append_child(&element)?;
    Ok(element)
}

/// A `tag.class` holding `text`, appended to `parent`.
pub fn text(parent: &Node, tag: &str, class: &str, text: &str) -> Result<Element, JsValue> {
    let element = add(&document()?, parent, tag, class)?;
    element.set_text_content(Some(text));
    Ok(element)
}

/// Sets each `(name, value)` attribute of `element`.
pub fn attributes(element: &Element, pairs: &[(&str, &str)]) -> Result<(), JsValue> {
    for (name, value) in pairs {
        element.set_attribute(name, value)?;
    }
    Ok(())
}

/// Calls the method `name` of `target` with `args`: for calls too rare to warrant their own
/// bindings in the bundle.
pub fn call(target: &JsValue, name: &str, args: &Array) -> Result<JsValue, JsValue> {
    let method: Function = Reflect::get(target, &name.into())?.dyn_into()?;
    method.apply(target, args)
}

/// The whole number in the attribute `name` of `placeholder`, from 1 to `max`; `default` when
/// the attribute is absent, and an error naming it when it holds anything else.
pub fn count_attribute(
    placeholder: &Element,
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, JsValue> {
    let Some(value) = placeholder.get_attribute(name) else {
        return Ok(default);
    };
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|count| (1..=max).contains(count))
        .ok_or_else(|| format!("{name}=\"{value}\" is not a number from 1 to {max}").into())
}

/// `element.setAttribute(name, number)`: the browser writes the number (`1234`), so the bundle
/// needs no integer formatting of its own.
pub fn number_attribute(element: &Element, name: &str, number: f64) -> Result<(), JsValue> {
    call(
        element,
        "setAttribute",
        &Array::of2(&name.into(), &number.into()),
    )?;
    Ok(())
}

/// `element.style.setProperty(name, value)`: through the CSSOM, which a strict
/// Content-Security-Policy allows where a `style` attribute would be refused. A number is
/// written by the browser.
pub fn set_style(element: &Element, name: &str, value: &JsValue) -> Result<(), JsValue> {
    let style = Reflect::get(element, &"style".into())?;
    call(&style, "setProperty", &Array::of2(&name.into(), value))?;
    Ok(())
}
