//! The cart of this device: the shop's own, kept in localStorage. Every change is reported to
//! Vitrine with `Vitrine.track` (the recommendations leave out what is in it; the cart
//! recovery dialog brings it back on the customer's other devices).

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::vitrine;

const KEY: &str = "alpenhaus-warenkorb";

/// A line of the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The product or size.
    pub sku: String,
    /// Its name (with the size).
    pub title: String,
    /// Price of one in cents.
    pub price_minor: i64,
    /// How many.
    pub quantity: i64,
}

/// The cart, shared by the header (its count), the product pages and the cart page.
#[derive(Debug, Clone, Copy)]
pub struct Cart(RwSignal<Vec<CartLine>>);

impl Cart {
    /// The cart stored on this device.
    pub fn load() -> Self {
        Self(RwSignal::new(LocalStorage::get(KEY).unwrap_or_default()))
    }

    /// The lines, tracked.
    pub fn lines(&self) -> Vec<CartLine> {
        self.0.get()
    }

    /// How many items, tracked.
    pub fn count(&self) -> i64 {
        self.0.with(|lines| lines.iter().map(|l| l.quantity).sum())
    }

    /// The SKUs in it, comma-separated, as `data-cart` wants them; tracked.
    pub fn skus(&self) -> String {
        self.0.with(|lines| {
            lines
                .iter()
                .map(|l| l.sku.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// Puts one of `sku` into the cart.
    pub fn add(&self, sku: &str, title: &str, price_minor: i64) {
        self.0
            .update(|lines| match lines.iter_mut().find(|l| l.sku == sku) {
                Some(line) => line.quantity += 1,
                None => lines.push(CartLine {
                    sku: sku.to_string(),
                    title: title.to_string(),
                    price_minor,
                    quantity: 1,
                }),
            });
        self.store();
        vitrine::track_cart("add_to_cart", sku, 1);
    }

    /// Takes the line of `sku` out of the cart.
    pub fn remove(&self, sku: &str) {
        let mut removed = 0;
        self.0.update(|lines| {
            lines.retain(|l| {
                let keep = l.sku != sku;
                if !keep {
                    removed = l.quantity;
                }
                keep
            })
        });
        self.store();
        if removed > 0 {
            vitrine::track_cart("remove_from_cart", sku, removed);
        }
    }

    /// Empties the cart after an order (the order itself is the backend's report).
    pub fn clear(&self) {
        self.0.set(Vec::new());
        self.store();
    }

    fn store(&self) {
        let lines = self.0.get_untracked();
        if let Err(err) = LocalStorage::set(KEY, &lines) {
            leptos::logging::warn!("the cart could not be stored: {err}");
        }
    }
}

/// The cart of the app's context.
pub fn use_cart() -> Cart {
    expect_context()
}
