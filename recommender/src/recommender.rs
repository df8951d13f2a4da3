//! The live handle: the current model and counters, swapped atomically.

use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;

use crate::counters::Counters;
use crate::dataset::{Dataset, Interaction};
use crate::model::{Model, ModelConfig};
use crate::query::{self, Query, Recommendation};

/// What queries read: one model and the counters that go with it, never half-updated.
#[derive(Debug)]
pub struct Snapshot {
    model: Arc<Model>,
    counters: Counters,
}

impl Snapshot {
    /// Answers a query from this snapshot.
    pub fn recommend(&self, query: &Query<'_>) -> Vec<Recommendation> {
        query::recommend(&self.model, &self.counters, query)
    }

    /// The model of this snapshot.
    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }
}

/// Writer-side state: the master counters and the events observed since the last swap that
/// the serving model has not learnt from (newer than its data), by the counters' item index:
/// 16 bytes an event, however many arrive between two rebuilds.
struct Writer {
    counters: Counters,
    observed: Vec<(u32, crate::dataset::Kind, i64)>,
}

/// A shared, always-answering recommender: lock-free reads, serialised cheap updates.
pub struct Recommender {
    current: ArcSwap<Snapshot>,
    writer: Mutex<Writer>,
}

impl Recommender {
    /// Starts serving `model`.
    pub fn new(model: Model) -> Self {
        let counters = model.counters.clone();
        let snapshot = Snapshot {
            model: Arc::new(model),
            counters: counters.clone(),
        };
        Recommender {
            current: ArcSwap::from_pointee(snapshot),
            writer: Mutex::new(Writer {
                counters,
                observed: Vec::new(),
            }),
        }
    }

    /// The snapshot queries read now; hold it to answer several queries consistently.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Answers a query from the current snapshot (never waits for an update or a rebuild).
    pub fn recommend(&self, query: &Query<'_>) -> Vec<Recommendation> {
        self.current.load().recommend(query)
    }

    /// Counts one new event in popularity and trending (item weights wait for a rebuild).
    pub fn observe(&self, interaction: &Interaction) {
        self.observe_all(std::slice::from_ref(interaction));
    }

    /// Counts a batch of events and publishes once: O(items) per call, so batch when you can.
    pub fn observe_all<'a>(&self, interactions: impl IntoIterator<Item = &'a Interaction>) {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let model = self.current.load().model.clone();
        let Writer { counters, observed } = &mut *writer;
        for i in interactions {
            let item = counters.add_sku(&model.index, &i.sku, i.kind, i.at);
            // An event the model's data already covers is dropped by the next swap anyway
            // (rebuilt models only ever cover more).
            if i.at > model.data_through() {
                observed.push((item, i.kind, i.at));
            }
        }
        counters.rank(&model.skus);
        self.current.store(Arc::new(Snapshot {
            model,
            counters: counters.clone(),
        }));
    }

    /// Builds a new model from `dataset` on the calling thread, then swaps it in.
    pub fn rebuild(&self, dataset: &Dataset, config: &ModelConfig) {
        self.swap(Model::build(dataset, config));
    }

    /// Serves `model` from now on; events observed since the last swap that are newer than
    /// the model's data are counted again so that they are not lost.
    pub fn swap(&self, model: Model) {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut counters = model.counters.clone();
        let observed = std::mem::take(&mut writer.observed);
        let serving = self.current.load().model.clone();
        // Re-index the events still newer than the new model's data into its numbering.
        let newer: Vec<_> = observed
            .into_iter()
            .filter(|(_, _, at)| *at > model.data_through())
            .map(|(item, kind, at)| {
                let sku = writer.counters.sku(&serving.skus, item);
                (counters.add_sku(&model.index, sku, kind, at), kind, at)
            })
            .collect();
        counters.rank(&model.skus);
        writer.observed = newer;
        writer.counters = counters.clone();
        self.current.store(Arc::new(Snapshot {
            model: Arc::new(model),
            counters,
        }));
    }

    /// Serves `model` and forgets every event observed before: for a model rebuilt after data
    /// was deleted (a GDPR erasure), whose observed events must not be counted again.
    pub fn reset(&self, model: Model) {
        let mut writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        writer.observed.clear();
        writer.counters = model.counters.clone();
        self.current.store(Arc::new(Snapshot {
            counters: model.counters.clone(),
            model: Arc::new(model),
        }));
    }
}
