//! Memory: what a reply is given beyond its history (documents, summaries,
//! recall of the chat's own past), and how candidates are ranked.
//!
//! - `blend`: BM25 and vector similarity into one ranking (pure).

pub mod blend;
