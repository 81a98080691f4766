//! `parley prompt <chat id> [--message TEXT] [--json]`: the messages Parley
//! would send for a chat's next reply, each memory piece marked by its
//! source; in a group chat, the next speaker's reply (named first). Opens
//! the database read-only (as `parley db check` does), so it works while
//! the app runs, and changes nothing.

use std::path::Path;

use crate::db;
use crate::error::{AppError, Result};
use crate::services::generation::{self, ChosenBy, PromptPreview};
use crate::services::memory::pieces::{Piece, Source};
use crate::services::prompt::PartKind;

pub async fn run(path: &Path, chat: &str, message: Option<&str>, json: bool) -> Result<()> {
    let chat = chat.parse().map_err(|_| {
        AppError::validation("chat", "that is not a chat id (Chat settings shows it)")
    })?;
    let pool = db::open_read_only(path).await?;
    // No key is read: the prompt does not need one.
    let secrets = crate::secrets::MemorySecretStore::default();
    let preview = generation::preview_in(&pool, &secrets, chat, message).await;
    pool.close().await;
    let preview = preview?;
    if json {
        println!("{}", serde_json::to_string_pretty(&preview)?);
    } else {
        print!("{}", text(&preview));
    }
    Ok(())
}

fn source_word(s: Source) -> &'static str {
    match s {
        Source::Document => "document",
        Source::Summary => "summary",
        Source::Recall => "recalled message",
    }
}

fn mark(p: &Piece) -> String {
    format!(
        "[{}] {} ({} tokens)",
        source_word(p.source()),
        p.label,
        p.tokens
    )
}

/// How a group chat's preview came to its speaker, in words.
fn chosen_words(c: ChosenBy) -> &'static str {
    match c {
        ChosenBy::Picked => "picked",
        ChosenBy::Mentioned => "named in the newest message",
        ChosenBy::Talkative => "the turn order's pick by talkativeness; a reply picks again",
        ChosenBy::Drawn => "drawn by the turn order; a reply draws again",
        ChosenBy::Next => "next in member order",
        ChosenBy::FirstMember => "manual turn order: the first member stands in; the person picks",
    }
}

fn kind_word(k: PartKind) -> &'static str {
    match k {
        PartKind::System => "system",
        PartKind::Example => "example",
        PartKind::Memory => "memory",
        PartKind::Objectives => "objectives",
        PartKind::History => "history",
        PartKind::AuthorsNote => "author's note",
        PartKind::PostHistory => "post-history instructions",
    }
}

/// The preview for people: a summary, the memory pieces, then each
/// message under a rule naming its role, its kind and its pieces.
pub fn text(preview: &PromptPreview) -> String {
    let p = &preview.prompt;
    let mut out = format!(
        "{} messages, about {} of {} tokens; {} of {} chat messages in the history\n",
        p.messages.len(),
        p.estimated_tokens,
        p.budget_tokens,
        p.history_included,
        p.history_included + p.history_dropped
    );
    if let Some(s) = &preview.speaker {
        out.push_str(&format!(
            "speaker: {} ({})\n",
            s.name,
            chosen_words(s.chosen_by)
        ));
    }
    if p.memory.is_empty() {
        out.push_str("memory: none\n");
    } else {
        out.push_str(&format!("memory: {} pieces\n", p.memory.len()));
        for piece in &p.memory {
            out.push_str(&format!("  {}\n", mark(piece)));
        }
    }
    for (i, (m, part)) in p.messages.iter().zip(&p.parts).enumerate() {
        let role = serde_json::to_value(m.role)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let mut rule = format!("\n--- {} · {role} · {}", i + 1, kind_word(part.kind));
        let marks: Vec<String> = part
            .memory
            .iter()
            .filter_map(|i| p.memory.get(*i))
            .map(mark)
            .collect();
        if !marks.is_empty() {
            rule.push_str(&format!(" · memory: {}", marks.join(", ")));
        }
        out.push_str(&rule);
        out.push_str(" ---\n");
        out.push_str(&m.content);
        out.push('\n');
    }
    out
}
