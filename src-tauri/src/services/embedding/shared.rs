//! The indexer's side the app's state holds: its progress, the bell that
//! wakes it, and the last query's vector (retrieval asks `scores` and
//! `nearest` about the same query). A leaf: it knows nothing of the state
//! that holds it, nor of the indexer.

use std::sync::{Mutex, PoisonError};

use tokio::sync::Notify;

use crate::models::{Id, IndexProgress};

#[derive(Default)]
pub struct Embeddings {
    progress: Mutex<IndexProgress>,
    pub(super) wake: Notify,
    last_query: Mutex<Option<(Id, String, Vec<f32>)>>,
}

impl Embeddings {
    /// The indexer's progress now.
    pub fn progress(&self) -> IndexProgress {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(super) fn update(&self, f: impl FnOnce(&mut IndexProgress)) {
        f(&mut self.progress.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Asks the indexer to look for work now (a model chosen, a document
    /// added).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The vector of `query` from `model`, if it was the last one asked.
    pub(super) fn remembered(&self, model: Id, query: &str) -> Option<Vec<f32>> {
        let last = self
            .last_query
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match last.as_ref() {
            Some((m, q, v)) if *m == model && q == query => Some(v.clone()),
            _ => None,
        }
    }

    pub(super) fn remember(&self, model: Id, query: &str, vector: &[f32]) {
        *self
            .last_query
            .lock()
            .unwrap_or_else(PoisonError::into_inner) =
            Some((model, query.to_string(), vector.to_vec()));
    }
}
