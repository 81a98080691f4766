//! Templates (reusable prompts with fill-in variables) and quick replies
//! (templates shown over a chat's composer).

use serde::{Deserialize, Serialize};
use sqlx::types::Json;

use super::{Id, Timestamp};

/// What a template is for (`templates.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum TemplateType {
    /// Typed by the person: used with `/` and from quick replies.
    Message,
    SystemPrompt,
    Impersonation,
    /// What the summary model is told (`services::memory`).
    SummaryInstruction,
    /// The text around memory's pieces; `{{pieces}}` is where they go.
    MemoryDocuments,
    MemorySummaries,
    MemoryRecall,
    /// An instruct format for text-completion models (content is JSON).
    Instruct,
}

impl TemplateType {
    pub const ALL: [TemplateType; 8] = [
        Self::Message,
        Self::SystemPrompt,
        Self::Impersonation,
        Self::SummaryInstruction,
        Self::MemoryDocuments,
        Self::MemorySummaries,
        Self::MemoryRecall,
        Self::Instruct,
    ];

    /// Whether a person fills its variables in a form; the others are
    /// filled by Parley (`{{pieces}}`) or are not text.
    pub fn has_form(self) -> bool {
        matches!(
            self,
            Self::Message | Self::SystemPrompt | Self::Impersonation
        )
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::SystemPrompt => "system prompt",
            Self::Impersonation => "impersonation",
            Self::SummaryInstruction => "summary instruction",
            Self::MemoryDocuments => "memory: documents",
            Self::MemorySummaries => "memory: summaries",
            Self::MemoryRecall => "memory: recall",
            Self::Instruct => "instruct",
        }
    }
}

/// What a variable's form control is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarKind {
    Text,
    LongText,
    Choice,
    Number,
}

/// One fill-in of a template, as its form shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    pub name: String,
    pub kind: VarKind,
    /// The choices, for `choice`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The value used when the form leaves it empty; `None`: required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// What the form says above the control (the name when `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    pub id: Id,
    #[serde(rename = "type")]
    #[sqlx(rename = "type")]
    pub kind: TemplateType,
    pub name: String,
    pub content: String,
    /// Parsed from `content` when saved (`services::template::vars`).
    pub variables: Json<Vec<Variable>>,
    pub is_default: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub deleted_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateInput {
    #[serde(rename = "type")]
    pub kind: TemplateType,
    pub name: String,
    pub content: String,
}

/// What a quick reply's click does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(rename_all = "snake_case")]
pub enum QuickReplyMode {
    /// Sends the filled text at once (a template with required variables
    /// asks for them first).
    Send,
    /// Puts the filled text in the composer to edit.
    Fill,
}

/// Whose quick replies: a chat's own or a character's (shown in each of
/// its chats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum QuickReplyOwner {
    Chat(Id),
    Character(Id),
}

/// One quick reply as the bar shows it, with its template.
#[derive(Debug, Clone, Serialize, Deserialize, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct QuickReply {
    pub id: Id,
    pub template_id: Id,
    /// `chat` or `character`: where it was set.
    pub owner: String,
    pub position: i64,
    pub mode: QuickReplyMode,
    pub name: String,
    pub content: String,
    pub variables: Json<Vec<Variable>>,
}

/// One entry of an owner's list, as the window sets it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuickReplyInput {
    pub template_id: Id,
    pub mode: QuickReplyMode,
}
