//! Interactions and the interned set of them a model is built from.

use std::collections::HashMap;

/// What a shopper did with a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Bought it, online or at a till.
    Purchase,
    /// Put it in the cart.
    AddToCart,
    /// Looked at its page.
    View,
    /// Put it on the wish list.
    Wishlist,
}

/// Where an interaction happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// The web shop.
    Web,
    /// The shop's app.
    App,
    /// A till in a store.
    Store,
}

/// One event of one profile with one product, as the server stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// The profile (customer or visitor id) the event belongs to.
    pub profile: String,
    /// The product.
    pub sku: String,
    /// What happened.
    pub kind: Kind,
    /// Where it happened.
    pub channel: Channel,
    /// The store of a till event.
    pub store: Option<String>,
    /// When, in unix seconds.
    pub at: i64,
    /// Units; recorded but not weighted, so that bulk buyers do not dominate the model.
    pub quantity: u32,
}

impl Interaction {
    /// A purchase on the web shop, the most common event (other fields by struct update).
    pub fn purchase(profile: impl Into<String>, sku: impl Into<String>, at: i64) -> Self {
        Interaction {
            profile: profile.into(),
            sku: sku.into(),
            kind: Kind::Purchase,
            channel: Channel::Web,
            store: None,
            at,
            quantity: 1,
        }
    }
}

/// How much each kind of event counts, and how fast old events fade.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// Weight of a purchase.
    pub purchase: f32,
    /// Weight of an add-to-cart.
    pub add_to_cart: f32,
    /// Weight of a product view.
    pub view: f32,
    /// Weight of a wish-list entry.
    pub wishlist: f32,
    /// An event this many days older than the newest counts half; `None`: no decay.
    pub half_life_days: Option<f32>,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            purchase: 1.0,
            add_to_cart: 0.5,
            view: 0.2,
            wishlist: 0.4,
            // Measured on onlineretail (docs/recommender.md): 30 days beat 60, 90, 180 and none.
            half_life_days: Some(30.0),
        }
    }
}

impl Weights {
    /// The weight of one kind of event, before decay.
    pub fn of(&self, kind: Kind) -> f32 {
        match kind {
            Kind::Purchase => self.purchase,
            Kind::AddToCart => self.add_to_cart,
            Kind::View => self.view,
            Kind::Wishlist => self.wishlist,
        }
    }

    /// The weight of an event of `kind` at `at`, seen from `now`.
    pub fn weigh(&self, kind: Kind, at: i64, now: i64) -> f32 {
        let base = self.of(kind);
        match self.half_life_days {
            Some(days) if days > 0.0 => {
                // Events after `now` (clock skew) count fully rather than more than fully.
                let age_days = (now - at).max(0) as f64 / 86_400.0;
                (base as f64 * 0.5f64.powf(age_days / days as f64)) as f32
            }
            _ => base,
        }
    }
}

/// One event with its profile and product interned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Event {
    pub profile: u32,
    pub item: u32,
    pub kind: Kind,
    pub at: i64,
}

/// The weight of one profile's interest in one product: the strongest of its events.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rating {
    /// Index of the profile in the dataset.
    pub profile: u32,
    /// Index of the product in the dataset.
    pub item: u32,
    /// Kind weight times recency decay, the largest over the pair's events.
    pub weight: f32,
}

/// Interactions with SKUs and profiles interned, the input of [`crate::Model::build`].
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    skus: Vec<String>,
    sku_index: HashMap<String, u32>,
    profiles: Vec<String>,
    profile_index: HashMap<String, u32>,
    pub(crate) events: Vec<Event>,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one interaction (channel, store and quantity do not change the model).
    pub fn push(&mut self, interaction: &Interaction) {
        let item = intern(&mut self.skus, &mut self.sku_index, &interaction.sku);
        let profile = intern(
            &mut self.profiles,
            &mut self.profile_index,
            &interaction.profile,
        );
        self.events.push(Event {
            profile,
            item,
            kind: interaction.kind,
            at: interaction.at,
        });
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when no event was pushed.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Number of distinct SKUs.
    pub fn sku_count(&self) -> usize {
        self.skus.len()
    }

    /// Number of distinct profiles.
    pub fn profile_count(&self) -> usize {
        self.profiles.len()
    }

    /// The SKU with index `item`.
    pub fn sku(&self, item: u32) -> &str {
        &self.skus[item as usize]
    }

    /// The index of a SKU, if it was seen.
    pub fn sku_index(&self, sku: &str) -> Option<u32> {
        self.sku_index.get(sku).copied()
    }

    /// The profile with index `profile`.
    pub fn profile(&self, profile: u32) -> &str {
        &self.profiles[profile as usize]
    }

    /// The index of a profile, if it was seen.
    pub fn profile_index(&self, profile: &str) -> Option<u32> {
        self.profile_index.get(profile).copied()
    }

    /// Time of the newest event (0 when empty): the "now" that recency decay counts from.
    pub fn latest_at(&self) -> i64 {
        self.events.iter().map(|e| e.at).max().unwrap_or(0)
    }

    /// One rating per (profile, item) pair, sorted by profile then item; decay counts from `now`.
    pub fn ratings(&self, weights: &Weights, now: i64) -> Vec<Rating> {
        let mut ratings: Vec<Rating> = self
            .events
            .iter()
            .map(|e| Rating {
                profile: e.profile,
                item: e.item,
                weight: weights.weigh(e.kind, e.at, now),
            })
            .filter(|r| r.weight > 0.0)
            .collect();
        ratings.sort_by(|a, b| {
            (a.profile, a.item)
                .cmp(&(b.profile, b.item))
                .then(b.weight.total_cmp(&a.weight))
        });
        // Sorted with the heaviest first within a pair, so keeping the first keeps the maximum.
        ratings.dedup_by(|later, first| later.profile == first.profile && later.item == first.item);
        ratings
    }
}

impl Dataset {
    /// The events `keep` accepts, with only the SKUs and profiles they mention.
    pub(crate) fn filtered(&self, mut keep: impl FnMut(&Event) -> bool) -> Dataset {
        let mut out = Dataset::new();
        for e in self.events.iter().filter(|e| keep(e)) {
            let item = intern(
                &mut out.skus,
                &mut out.sku_index,
                &self.skus[e.item as usize],
            );
            let profile = intern(
                &mut out.profiles,
                &mut out.profile_index,
                &self.profiles[e.profile as usize],
            );
            out.events.push(Event {
                profile,
                item,
                kind: e.kind,
                at: e.at,
            });
        }
        out
    }
}

fn intern(names: &mut Vec<String>, index: &mut HashMap<String, u32>, name: &str) -> u32 {
    if let Some(&i) = index.get(name) {
        return i;
    }
    let i = u32::try_from(names.len()).expect("fewer than 2^32 distinct names");
    names.push(name.to_owned());
    index.insert(name.to_owned(), i);
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_keep_the_strongest_event_of_a_pair() {
        let mut data = Dataset::new();
        let view = Interaction {
            kind: Kind::View,
            ..Interaction::purchase("p", "A", 0)
        };
        data.push(&view);
        data.push(&Interaction::purchase("p", "A", 0));
        data.push(&view);
        let weights = Weights {
            half_life_days: None,
            ..Weights::default()
        };
        let ratings = data.ratings(&weights, 0);
        assert_eq!(ratings.len(), 1);
        assert_eq!(ratings[0].weight, 1.0);
    }

    #[test]
    fn an_event_one_half_life_old_counts_half() {
        let weights = Weights {
            half_life_days: Some(10.0),
            ..Weights::default()
        };
        let w = weights.weigh(Kind::Purchase, 0, 10 * 86_400);
        assert!((w - 0.5).abs() < 1e-6);
    }
}
