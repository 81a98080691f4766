//! Memory over long chats: documents, summaries and recall brought into the
//! prompt. Summaries: `summarize` (what a chat needs summarized, and one
//! summary written), `summary_model` (the model that writes them),
//! `summary_queue` (the app's one queue and each chat's status) and
//! `summary_worker` (the background task that runs them, a reply first).

pub mod summarize;
pub mod summary_model;
pub mod summary_queue;
pub mod summary_worker;
