//! `<div data-vitrine="loyalty" data-lines="5" data-join-url="/konto">`: a signed-in
//! customer's points; for anyone else, the call to join.
//!
//! A member sees her balance and what it is worth, her tier as a badge, a progress bar to the
//! next tier (`role="progressbar"` with its values for screen readers) and her latest ledger
//! lines with channel and store (`+120 Punkte`, `Einkauf in Filiale Ulm Münsterplatz`, `12.11.`).
//! A guest (no customer token, or one the API did not accept) sees what purchases earn and a
//! link to join or log in: the placeholder's `data-join-url`, else the programme's, else none.
//!
//! Plain DOM calls like the availability widget, for bundle size, and like the others: a
//! skeleton of the final size while the answer loads (a member's when the page names a
//! customer, else a guest's; the ledger keeps room for `data-lines` lines), then nothing and
//! one console warning when the API fails or the shop runs no loyalty programme.

use std::rc::Rc;

use js_sys::{Promise, Reflect};
use vitrine_types::{
    Channel, LedgerKind, LedgerLine, LoyaltyAccount, LoyaltyInvitation, LoyaltyResponse, Money,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use super::dom::{add, attributes, count_attribute, document, number_attribute, set_style, text};
use crate::embed::{Embed, MountedWidget};
use crate::i18n::{fill, Texts};
use crate::intl::LocalFormat;

/// Ledger lines shown when `data-lines` is absent.
const DEFAULT_LINES: usize = 5;
/// Most ledger lines the API hands out.
const MAX_LINES: usize = 20;

/// What one placeholder asks for, parsed from its attributes.
pub struct Request {
    data: Promise,
    texts: &'static Texts,
    lines: usize,
    join_url: Option<String>,
    member: bool,
}

impl Request {
    /// Reads `data-lines`, `data-join-url` and the `data-text-*` texts and takes the data
    /// promise the loader started.
    pub fn from_placeholder(embed: &Embed, placeholder: &Element) -> Result<Self, JsValue> {
        Ok(Self {
            texts: Texts::for_placeholder(embed.texts, placeholder),
            lines: count_attribute(placeholder, "data-lines", DEFAULT_LINES, MAX_LINES)?,
            data: embed.load(placeholder)?,
            join_url: placeholder
                .get_attribute("data-join-url")
                .filter(|url| !url.is_empty()),
            member: embed.signed_in(),
        })
    }
}

/// A mounted loyalty widget; dropping it unmounts it.
pub struct Mounted {
    section: Rc<Element>,
}

impl MountedWidget for Mounted {}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.section.remove();
    }
}

/// Mounts the loyalty widget for `request` into `container`: the skeleton now, the account or
/// the invitation when the answer comes.
pub fn mount(embed: Rc<Embed>, request: Request, container: &Element) -> Result<Mounted, JsValue> {
    let Request {
        data,
        texts,
        lines,
        join_url,
        member,
    } = request;
    let section = add(&document()?, container, "section", "vitrine-loyalty")?;
    attributes(
        &section,
        &[
            ("aria-labelledby", "vitrine-loyalty-heading"),
            ("aria-busy", "true"),
        ],
    )?;
    // The skeleton is the answer's layout without its texts (CSS draws those rows as
    // shimmering blocks while the section is busy).
    if member {
        member_frame(&section, texts, lines)?;
    } else {
        frame(&section, texts, &GUEST)?;
    }
    let section = Rc::new(section);
    let weak = Rc::downgrade(&section);
    wasm_bindgen_futures::spawn_local(async move {
        let answer = JsFuture::from(data).await.and_then(|json| {
            crate::wire::loyalty(&json)
                .map_err(|err| JsValue::from(format!("unexpected answer: {err}")))
        });
        // Unmounted meanwhile: nothing to show.
        let Some(section) = weak.upgrade() else {
            return;
        };
        let shown = answer.and_then(|answer| {
            match answer {
                LoyaltyResponse::Member(account) => {
                    show_member(&embed, texts, &section, &account, lines)
                }
                LoyaltyResponse::Guest(invitation) => {
                    show_guest(&embed, texts, &section, invitation, join_url)
                }
            }?;
            section.set_attribute("aria-busy", "false")
        });
        if let Err(err) = shown {
            web_sys::console::warn_2(&"[vitrine] loyalty points unavailable:".into(), &err);
            embed.collapse(&section);
        }
    });
    Ok(Mounted { section })
}

/// An element of a layout: the index of its parent in the layout (the section is 0, the
/// first row 1, …), tag, class, and an id where something refers to it.
type Row = (usize, &'static str, &'static str, &'static str);

/// A member's account: heading and tier badge, balance, value, progress bar, the text under
/// it, the ledger's heading and list.
const MEMBER: [Row; 10] = [
    (0, "div", "vitrine-loyalty__head", ""),
    (
        1,
        "h2",
        "vitrine-loyalty__heading",
        "vitrine-loyalty-heading",
    ),
    (1, "span", "vitrine-loyalty__tier", ""),
    (0, "p", "vitrine-loyalty__balance", ""),
    (0, "p", "vitrine-loyalty__value", ""),
    (0, "div", "vitrine-loyalty__progress", ""),
    (6, "div", "vitrine-loyalty__bar", ""),
    (0, "p", "vitrine-loyalty__next", "vitrine-loyalty-next"),
    (
        0,
        "h3",
        "vitrine-loyalty__subheading",
        "vitrine-loyalty-ledger",
    ),
    (0, "ul", "vitrine-loyalty__lines", ""),
];

/// The invitation: heading, what purchases earn, the row of the join link.
const GUEST: [Row; 4] = [
    (0, "div", "vitrine-loyalty__head", ""),
    (
        1,
        "h2",
        "vitrine-loyalty__heading",
        "vitrine-loyalty-heading",
    ),
    (0, "p", "vitrine-loyalty__pitch", ""),
    (0, "div", "vitrine-loyalty__join", ""),
];

/// Replaces what `section` holds by the elements of `layout`, the heading written; all of
/// them, the section first, in the layout's order.
fn frame(section: &Element, texts: &Texts, layout: &[Row]) -> Result<Vec<Element>, JsValue> {
    let document = document()?;
    section.set_text_content(None);
    let mut elements = vec![section.clone()];
    for &(parent, tag, class, id) in layout {
        let element = add(&document, &elements[parent], tag, class)?;
        if !id.is_empty() {
            element.set_attribute("id", id)?;
        }
        elements.push(element);
    }
    elements[2].set_text_content(Some(texts.loyalty_heading));
    Ok(elements)
}

/// A member's layout with its fixed texts; the ledger keeps room for `lines` lines however
/// few there are, so nothing below the widget moves when the answer comes.
fn member_frame(section: &Element, texts: &Texts, lines: usize) -> Result<Vec<Element>, JsValue> {
    let elements = frame(section, texts, &MEMBER)?;
    elements[9].set_text_content(Some(texts.ledger_heading));
    let list = &elements[10];
    list.set_attribute("aria-labelledby", "vitrine-loyalty-ledger")?;
    set_style(list, "--vitrine-lines", &(lines as f64).into())?;
    Ok(elements)
}

/// A member's account in words for the page's locale.
fn show_member(
    embed: &Embed,
    texts: &Texts,
    section: &Element,
    account: &LoyaltyAccount,
    lines: usize,
) -> Result<(), JsValue> {
    let formats = &embed.formats;
    let points = |number, signed| points(texts, formats, number, signed);
    let e = member_frame(section, texts, lines)?;
    let say = |index: usize, text: &str| e[index].set_text_content(Some(text));
    say(3, &account.tier.name);
    say(4, &points(account.balance, false));
    let mut value = fill(
        texts.points_value,
        &[("value", &embed.prices.format(&account.value))],
    );
    if let Some(expiry) = &account.next_expiry {
        let expire = fill(
            texts.points_expire,
            &[
                ("points", &points(expiry.points, false)),
                ("date", &formats.day_month(expiry.at as f64 * 1000.0, true)),
            ],
        );
        value = [&value, " · ", &expire].concat();
    }
    say(5, &value);
    let progress = &e[6];
    let share = match &account.next_tier {
        Some(tier) => {
            // What the text under the bar says is missing, so bar and text agree.
            let max = tier.threshold;
            let now = (max - tier.points_needed).min(max).max(0);
            let text = fill(
                texts.tier_progress,
                &[
                    ("now", &formats.integer(now, false)),
                    ("max", &formats.integer(max, false)),
                    ("tier", &tier.name),
                ],
            );
            attributes(
                progress,
                &[
                    ("role", "progressbar"),
                    ("aria-labelledby", "vitrine-loyalty-next"),
                    ("aria-valuemin", "0"),
                    ("aria-valuetext", &text),
                ],
            )?;
            number_attribute(progress, "aria-valuemax", max as f64)?;
            number_attribute(progress, "aria-valuenow", now as f64)?;
            say(
                8,
                &fill(
                    texts.next_tier,
                    &[
                        ("points", &points(tier.points_needed, false)),
                        ("tier", &tier.name),
                    ],
                ),
            );
            if max > 0 {
                now as f64 / max as f64
            } else {
                1.0
            }
        }
        // The top tier: a full bar, which says nothing the text under it does not.
        None => {
            progress.set_attribute("aria-hidden", "true")?;
            say(8, texts.top_tier);
            1.0
        }
    };
    set_style(&e[7], "--vitrine-progress", &share.into())?;
    let list = &e[10];
    let line_class = "vitrine-loyalty__line";
    if account.lines.is_empty() {
        text(list, "li", line_class, texts.ledger_empty)?;
    }
    for line in &account.lines {
        let item = text(list, "li", line_class, "")?;
        item.set_attribute("data-kind", line.kind.as_str())?;
        let class = if line.points > 0 {
            "vitrine-loyalty__points vitrine-loyalty__points--gain"
        } else {
            "vitrine-loyalty__points"
        };
        text(&item, "span", class, &points(line.points, true))?;
        text(
            &item,
            "span",
            "vitrine-loyalty__what",
            &line_text(texts, line),
        )?;
        let date = formats.day_month(line.occurred_at as f64 * 1000.0, false);
        text(&item, "span", "vitrine-loyalty__date", &date)?;
    }
    Ok(())
}

/// The invitation: what purchases earn, and the link to join (`data-join-url`, else the
/// programme's; none when neither is known).
fn show_guest(
    embed: &Embed,
    texts: &Texts,
    section: &Element,
    invitation: LoyaltyInvitation,
    join_url: Option<String>,
) -> Result<(), JsValue> {
    let e = frame(section, texts, &GUEST)?;
    let earn = invitation.earn;
    let money = Money {
        amount_minor: earn.per_minor,
        currency: earn.currency,
    };
    let pitch = fill(
        texts.join_pitch,
        &[
            ("points", &points(texts, &embed.formats, earn.points, false)),
            ("money", &embed.prices.format(&money)),
        ],
    );
    e[3].set_text_content(Some(&pitch));
    if let Some(url) = join_url.or(invitation.join_url) {
        let link = text(&e[4], "a", "vitrine-loyalty__link", texts.join_link)?;
        link.set_attribute("href", &url)?;
        // Web links only: whatever the URL says, never `javascript:` in the shop's page.
        let protocol = Reflect::get(&link, &"protocol".into())?.as_string();
        if !matches!(protocol.as_deref(), Some("https:" | "http:")) {
            link.remove();
        }
    }
    Ok(())
}

/// `1.234 Punkte`, `1 Punkt`; `signed`: `+120 Punkte`, `-20 Punkte`.
fn points(texts: &Texts, formats: &LocalFormat, number: i64, signed: bool) -> String {
    let unit = if formats.singular(number) {
        texts.point
    } else {
        texts.points
    };
    [&formats.integer(number, signed), " ", unit].concat()
}

/// What a ledger line was, with its channel and store.
fn line_text(texts: &Texts, line: &LedgerLine) -> String {
    let store = line.store_name.as_deref();
    let reason = line.reason.as_deref().unwrap_or_default();
    match (line.kind, line.channel, store) {
        (LedgerKind::Accrual, _, Some(store)) => {
            fill(texts.ledger_store_purchase, &[("store", store)])
        }
        (LedgerKind::Accrual, Some(Channel::Store), None) => texts.ledger_purchase_in_store.into(),
        (LedgerKind::Accrual, Some(Channel::Web), None) => texts.ledger_web_order.into(),
        (LedgerKind::Accrual, Some(Channel::App), None) => texts.ledger_app_order.into(),
        (LedgerKind::Accrual, None, None) => texts.ledger_purchase.into(),
        (LedgerKind::Reversal, _, Some(store)) => {
            fill(texts.ledger_store_return, &[("store", store)])
        }
        (LedgerKind::Reversal, ..) => texts.ledger_return.into(),
        (LedgerKind::Adjustment, ..) => {
            let template = if line.points < 0 {
                texts.ledger_correction
            } else {
                texts.ledger_credit
            };
            fill(template, &[("reason", reason)])
        }
        (LedgerKind::Redemption, ..) => texts.ledger_redeemed.into(),
        (LedgerKind::Expiry, ..) => texts.ledger_expired.into(),
    }
}
