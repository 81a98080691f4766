//! Memory over long chats: what a reply is given beyond its history
//! (documents, summaries, recall of the chat's own past), and how
//! candidates are ranked.
//!
//! - Summaries: `summarize` (what a chat needs summarized, and one summary
//!   written), `summary_model` (the model that writes them), `summary_queue`
//!   (the app's one queue and each chat's status) and `summary_worker` (the
//!   background task that runs them, a reply first).
//! - `blend`: BM25 and vector similarity into one ranking (pure).

pub mod blend;
pub mod summarize;
pub mod summary_model;
pub mod summary_queue;
pub mod summary_worker;
