//! Memory pieces: what retrieval found, as the prompt carries it and as the
//! reply's `metadata.memory` records it, and the preferences that shape
//! them (budgets, placement, templates). Pure but for [`Settings::load`].

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::error::Result;
use crate::models::{Id, MessageRole, TemplateType};
use crate::services::app_config::{
    self, MemoryPosition as Position, DOCUMENTS_BUDGET, MEMORY_POSITION, RECALL_BUDGET,
    SUMMARIES_BUDGET,
};
use crate::services::template::{self, builtin};

/// Where a piece came from, with the ids that find it again.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "source", rename_all = "lowercase")]
pub enum Origin {
    /// A chunk of a document in one of the chat's scopes.
    #[serde(rename_all = "camelCase")]
    Document {
        document_id: Id,
        document_name: String,
        chunk_index: i64,
    },
    /// A summary of a range of the chat's messages (`chat_memories`).
    #[serde(rename_all = "camelCase")]
    Summary {
        memory_id: Id,
        first_seq: i64,
        last_seq: i64,
    },
    /// One of the chat's own messages that fell out of the history.
    #[serde(rename_all = "camelCase")]
    Recall {
        message_id: Id,
        seq: i64,
        role: MessageRole,
    },
}

/// One piece of memory. Serialized, it is one entry of the reply's
/// `metadata.memory`: `{ source, tokens, label, ...ids }` (the text itself
/// is in the prompt, not the metadata).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Piece {
    #[serde(flatten)]
    pub origin: Origin,
    /// Tokens the piece's line costs in the prompt.
    pub tokens: i64,
    /// Short words for the person: `notes.md §3`, `summary of messages
    /// 10–40`, `message 124`.
    pub label: String,
    #[serde(skip)]
    pub text: String,
    /// Ranking score (higher is better); not recorded.
    #[serde(skip)]
    pub score: f64,
    /// What its vector is stored under: the chunk's id or the message's
    /// rowid (`embeddings.owner_rowid`); 0 for a summary. Not recorded.
    #[serde(skip)]
    pub key: i64,
}

/// The three sources, in the order their blocks go into the prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Summary,
    Recall,
    Document,
}

impl Piece {
    pub fn source(&self) -> Source {
        match self.origin {
            Origin::Document { .. } => Source::Document,
            Origin::Summary { .. } => Source::Summary,
            Origin::Recall { .. } => Source::Recall,
        }
    }

    /// The piece's line in its block, `{{char}}`/`{{user}}` still to fill:
    /// where it is from, then its text.
    pub fn line(&self, char_name: &str, user_name: &str) -> String {
        match &self.origin {
            Origin::Document { .. } => format!("[{}]\n{}", self.label, self.text.trim()),
            Origin::Summary { .. } => format!("[{}]\n{}", self.label, self.text.trim()),
            Origin::Recall { role, .. } => {
                let who = match role {
                    MessageRole::User => user_name,
                    MessageRole::Assistant => char_name,
                    MessageRole::System => "System",
                };
                format!("[earlier, {}, {who}]: {}", self.label, self.text.trim())
            }
        }
    }
}

/// A message number for people: `seq` counted from 1.
pub fn message_number(seq: i64) -> i64 {
    seq + 1
}

/// The memory preferences a reply is built with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub documents_budget: i64,
    pub summaries_budget: i64,
    pub recall_budget: i64,
    pub position: Position,
    pub documents_template: String,
    pub summaries_template: String,
    pub recall_template: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            documents_budget: (DOCUMENTS_BUDGET.default)(),
            summaries_budget: (SUMMARIES_BUDGET.default)(),
            recall_budget: (RECALL_BUDGET.default)(),
            position: (MEMORY_POSITION.default)(),
            documents_template: builtin::MEMORY_DOCUMENTS.into(),
            summaries_template: builtin::MEMORY_SUMMARIES.into(),
            recall_template: builtin::MEMORY_RECALL.into(),
        }
    }
}

impl Settings {
    pub async fn load(pool: &SqlitePool) -> Result<Settings> {
        Ok(Settings {
            documents_budget: app_config::read(pool, &DOCUMENTS_BUDGET).await?.max(0),
            summaries_budget: app_config::read(pool, &SUMMARIES_BUDGET).await?.max(0),
            recall_budget: app_config::read(pool, &RECALL_BUDGET).await?.max(0),
            position: app_config::read(pool, &MEMORY_POSITION).await?,
            documents_template: template::default_text(pool, TemplateType::MemoryDocuments).await?,
            summaries_template: template::default_text(pool, TemplateType::MemorySummaries).await?,
            recall_template: template::default_text(pool, TemplateType::MemoryRecall).await?,
        })
    }

    pub fn template(&self, source: Source) -> &str {
        match source {
            Source::Document => &self.documents_template,
            Source::Summary => &self.summaries_template,
            Source::Recall => &self.recall_template,
        }
    }
}

/// A block of one source's pieces through its template: the pieces go
/// where `{{pieces}}` is (once), or after the template when it has none.
pub fn render(template: &str, lines: &[String]) -> String {
    let joined = lines.join("\n\n");
    if template.contains("{{pieces}}") {
        template.replacen("{{pieces}}", &joined, 1)
    } else if template.trim().is_empty() {
        joined
    } else {
        format!("{}\n\n{joined}", template.trim_end())
    }
}

/// What was inserted, for the reply's note: "remembered: notes.md §3,
/// summary of messages 10–40, message 124".
pub fn note(pieces: &[Piece]) -> Option<String> {
    (!pieces.is_empty()).then(|| {
        let labels: Vec<&str> = pieces.iter().map(|p| p.label.as_str()).collect();
        format!("remembered: {}", labels.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_takes_its_pieces_once() {
        let lines = vec!["a".to_string(), "b".to_string()];
        assert_eq!(
            render("Notes:\n{{pieces}}\nEnd", &lines),
            "Notes:\na\n\nb\nEnd"
        );
        assert_eq!(render("{{pieces}} {{pieces}}", &lines), "a\n\nb {{pieces}}");
        assert_eq!(render("Notes:", &lines), "Notes:\n\na\n\nb");
        assert_eq!(render("  ", &lines), "a\n\nb");
    }

    #[test]
    fn metadata_holds_source_tokens_label_and_ids_but_not_the_text() {
        let id = crate::models::new_id();
        let p = Piece {
            origin: Origin::Recall {
                message_id: id,
                seq: 122,
                role: MessageRole::User,
            },
            tokens: 9,
            label: "message 123".into(),
            text: "secret text".into(),
            score: 1.0,
            key: 7,
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"source": "recall", "messageId": id, "seq": 122, "role": "user",
                               "tokens": 9, "label": "message 123"})
        );
        assert_eq!(
            p.line("Mira", "Alex"),
            "[earlier, message 123, Alex]: secret text"
        );
    }
}
