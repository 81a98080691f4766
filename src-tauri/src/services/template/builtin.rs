//! Parley's own texts for the template types its features read: what a
//! feature uses when its type has no default template (the person purged
//! it, or left it blank). The migration `20261203000040_templates` inserts
//! these same texts as the first defaults; a test checks they agree.

use crate::models::TemplateType;

/// What a summary model is told (`services::memory::summarize`); tests'
/// mock providers tell summary requests by it.
pub const SUMMARY_INSTRUCTION: &str =
    "Summarize the part of a conversation below for the story's long-term memory. \
     Keep names, places, facts, decisions, promises, feelings and unresolved threads; \
     leave out greetings and small talk. Write in the past tense, as a few short \
     sentences, at most 150 words. Answer with the summary alone.";

pub const MEMORY_DOCUMENTS: &str = "Relevant passages from documents:\n\n{{pieces}}";
pub const MEMORY_SUMMARIES: &str = "Summary of earlier parts of this chat:\n\n{{pieces}}";
pub const MEMORY_RECALL: &str = "Earlier in this chat (out of the recent history):\n\n{{pieces}}";

/// The built-in text of a type, when Parley has one.
pub fn text(kind: TemplateType) -> Option<&'static str> {
    match kind {
        TemplateType::SummaryInstruction => Some(SUMMARY_INSTRUCTION),
        TemplateType::MemoryDocuments => Some(MEMORY_DOCUMENTS),
        TemplateType::MemorySummaries => Some(MEMORY_SUMMARIES),
        TemplateType::MemoryRecall => Some(MEMORY_RECALL),
        _ => None,
    }
}
