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
//! - `blend`: BM25 and vector similarity into one ranking (pure).
//!
//! Nothing above writes: memory is read for each reply. Summaries are
//! written in the background: `summarize` (what a chat needs summarized,
//! and one summary written), `summary_model` (the model that writes them),
//! `summary_queue` (the app's one queue and each chat's status) and
//! `summary_worker` (the background task that runs them, a reply first).

pub mod blend;
pub mod pieces;
pub mod query;
pub mod retrieve;
pub mod summarize;
pub mod summary_model;
pub mod summary_queue;
pub mod summary_worker;
pub mod words;
