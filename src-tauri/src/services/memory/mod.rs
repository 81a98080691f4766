//! Memory: what a reply is given beyond the history that fits its
//! context (docs/MEMORY.md).
//!
//! - `words.rs`: a message's content words and their other forms, pure;
//! - `query.rs`: the full-text query built from the newest messages, and
//!   which of its words are worth searching, pure;
//! - `retrieve.rs`: the best document chunks in the chat's scopes, the
//!   chat's own older messages, and its summaries, each under its budget,
//!   ranked in one place;
//! - `pieces.rs`: what was retrieved as it goes into the prompt and into
//!   the reply's `metadata.memory`, with the preferences (budgets,
//!   placement, templates) that shape it.
//!
//! Nothing here writes: memory is read for each reply.

pub mod pieces;
pub mod query;
pub mod retrieve;
pub mod words;
