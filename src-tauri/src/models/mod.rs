//! Plain data: the rows Parley stores and the inputs that create or change
//! them. No SQL and no rules here; repos read and write these, services
//! validate them, commands pass them over IPC as JSON (camelCase).

mod ai_model;
mod branch;
mod character;
mod chat_memory;
mod chat_session;
mod document;
mod embedding;
mod group;
mod message;
mod page;
mod provider;
mod settings;
mod system_prompt;
mod task;
mod template;
mod timestamp;
mod user_profile;

pub use ai_model::{AiModel, AiModelInput, SamplingParams};
pub use branch::{BranchOrigin, BranchSummary};
pub use character::{Character, CharacterInput, CharacterSummary};
pub use chat_memory::{ChatMemory, ChatMemoryInput, MadeBy};
pub use chat_session::{
    AuthorsNote, ChatOverrides, ChatSession, ChatSessionInput, ChatSessionSummary,
};
pub use document::{ChatDocument, Document, DocumentKind, DocumentPlace, DocumentSummary};
pub use embedding::{EmbeddingStatus, IndexProgress, IndexState, Owner};
pub use group::{ChatMember, GroupChat, GroupInput, GroupSettings, MemberUpdate, TurnOrder};
pub use message::{Message, MessageInput, MessageRole, MessageStatus, MessageSwipe};
pub use page::{Cursor, CursorKey, DeletedFilter, Direction, ListQuery, Page, SortBy};
pub use provider::{ChosenModel, Provider, ProviderInput, ProviderKind};
pub use settings::{Settings, SettingsInput};
pub use system_prompt::{SystemPrompt, SystemPromptInput};
pub use task::{Place, Task, TaskHit, TaskInput, TaskPatch, TaskQuery, TaskStatus};
pub use template::{
    QuickReply, QuickReplyInput, QuickReplyMode, QuickReplyOwner, Template, TemplateInput,
    TemplateType, VarKind, Variable,
};
pub use timestamp::Timestamp;
pub use user_profile::{UserProfile, UserProfileInput};

/// Every entity's key: a UUID v7, stored as a 16-byte blob.
pub type Id = uuid::Uuid;

/// A new time-ordered id.
pub fn new_id() -> Id {
    uuid::Uuid::now_v7()
}
