//! A chat's storage budget: each message of a SillyTavern chat is charged
//! for the rows it becomes (a swipe keeps a copy of its line's other
//! fields), so a file whose lines would cost far more than its size once
//! stored is refused as soon as it goes over, before any of it is copied.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Map, Value};

use super::{at, message, StMessage};
use crate::cards::{FormatError, Limits};

/// What a chat's rows may cost, shared by the threads that parse it: a
/// file is refused as soon as its lines would cost more than
/// `stored_per_byte` times its size (plus an allowance), before any of it
/// is copied into swipes.
pub(super) struct Budget {
    spent: AtomicUsize,
    limit: usize,
}

/// What one stored row costs beyond its text, roughly, in memory and on disk.
const ROW_COST: usize = 512;

impl Budget {
    pub(super) fn new(file_bytes: usize, limits: &Limits) -> Self {
        Self {
            spent: AtomicUsize::new(0),
            limit: file_bytes
                .saturating_mul(limits.stored_per_byte)
                .saturating_add(limits.stored_allowance),
        }
    }

    /// One line as a message, refused when it is too long, has too many
    /// swipes, or would take the chat over its budget.
    pub(super) fn message(
        &self,
        no: usize,
        line: &[u8],
        obj: Map<String, Value>,
        limits: &Limits,
    ) -> Result<StMessage, FormatError> {
        let m = message(obj).map_err(|e| at(no, e))?;
        if m.swipes.len() > limits.max_swipes {
            let (count, limit) = (m.swipes.len(), limits.max_swipes);
            return Err(at(
                no,
                FormatError::new(format!(
                    "the message has {count} swipes; the limit is {limit}"
                ))
                .worded(
                    "st_chat_too_many_swipes",
                    json!({ "count": count, "limit": limit }),
                ),
            ));
        }
        // Each swipe keeps a copy of the line's other fields: about the
        // line less its texts.
        let texts = m.content.len() + m.swipes.iter().map(|s| s.content.len()).sum::<usize>();
        let fields = line.len().saturating_sub(texts);
        let cost = ROW_COST + m.swipes.len() * (ROW_COST + fields);
        let spent = self.spent.fetch_add(cost, Ordering::Relaxed) + cost;
        if spent > self.limit {
            let size = spent / (1024 * 1024);
            let limit = self.limit / (1024 * 1024);
            return Err(at(
                no,
                FormatError::new(format!(
                    "the chat would take more than {size} MB once stored (each swipe repeats its \
                     line's fields); the limit for a file of this size is {limit} MB"
                ))
                .worded(
                    "st_chat_stored_too_big",
                    json!({ "size": size, "limit": limit }),
                ),
            ));
        }
        Ok(m)
    }
}
