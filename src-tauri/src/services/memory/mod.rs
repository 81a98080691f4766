//! Memory over long chats: documents, summaries and recall brought into the
//! prompt. `summarize`: what a chat needs summarized and one summary
//! written; `summary_queue`: the app's one queue that runs them in the
//! background, a reply always first.

pub mod summarize;
pub mod summary_queue;
