//! A new chat's title from its first exchange. The window asks once a
//! reply has completed; the chat's model (or the default model) is asked for
//! a few words, in a short request of its own that never touches the reply,
//! and when no model answers (none set, an error, silence, an empty or
//! useless answer) the title is made from the first message's words.
//!
//! Only a title Parley made itself ("Chat with <name>", "New chat",
//! "Untitled chat") is replaced, and only if it is still the one read at the
//! start: a person's rename, even one made while the model was asked, wins.

use std::time::Duration;

use futures_util::StreamExt;
use sqlx::SqlitePool;

use super::{chat_session, prompt, provider};
use crate::ai::{self, ChatRequest, PromptMessage, StreamEvent};
use crate::error::Result;
use crate::models::{ChatSession, Id, MessageRole, MessageStatus, SamplingParams};
use crate::repos;
use crate::secrets::SecretStore;

/// The title request's reply budget: a few words.
pub const TITLE_MAX_TOKENS: i64 = 24;
/// How long the model may take before the first message's words are used.
pub const TITLE_TIMEOUT: Duration = Duration::from_secs(20);
/// A title is cut to this many characters (at a word where it can).
const TITLE_MAX_CHARS: usize = 60;
/// Words taken from the first message when no model answers.
const FALLBACK_WORDS: usize = 6;
/// Each side of the exchange is cut to this many characters in the request.
const EXCERPT_CHARS: usize = 1_500;

/// What the model is told; tests' mock providers tell the title request by it.
pub const TITLE_INSTRUCTION: &str =
    "Write a short title (at most six words) for the conversation below. \
     Answer with the title alone: no quotes, no label, no final period.";

/// Whether `title` is one Parley gave the chat, not one a person chose.
fn made_by_parley(title: &str, character: Option<&str>) -> bool {
    let t = title.trim();
    t.is_empty()
        || t == "New chat"
        || t == "Untitled chat"
        || character.is_some_and(|name| t == format!("Chat with {name}"))
}

/// Gives the chat a title from its first exchange when it still has the one
/// Parley made. Returns the chat as saved, or `None` when nothing changed
/// (a person's title, no message yet, the chat in the trash or gone).
pub async fn make(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    http: &reqwest::Client,
    chat_id: Id,
) -> Result<Option<ChatSession>> {
    let chat = chat_session::get(pool, chat_id).await?;
    if chat.deleted_at.is_some() {
        return Ok(None);
    }
    let character = match chat.character_id {
        Some(id) => repos::character::get(pool, id).await?,
        None => None,
    };
    let char_name = character.as_ref().map(|c| c.name.as_str());
    if !made_by_parley(&chat.title, char_name) {
        return Ok(None);
    }
    let user_name = match chat.user_profile_id {
        Some(id) => repos::user_profile::get(pool, id).await?.map(|p| p.name),
        None => None,
    };
    let names = (
        char_name.unwrap_or("Assistant"),
        user_name.as_deref().unwrap_or("User"),
    );
    let first = repos::message::page_from(pool, chat_id, 0, 20).await?;
    let Some(said) = first
        .iter()
        .find(|m| m.role == MessageRole::User && !m.content.trim().is_empty())
    else {
        return Ok(None);
    };
    let said_text = prompt::message_text(said, names.0, names.1);
    let reply = first.iter().find(|m| {
        m.seq > said.seq && m.role == MessageRole::Assistant && m.status == MessageStatus::Completed
    });

    let asked = match reply {
        Some(r) => {
            let reply_text = prompt::message_text(r, names.0, names.1);
            match ask_model(
                pool,
                secrets,
                http,
                chat.ai_model_id,
                &said_text,
                &reply_text,
            )
            .await
            {
                Ok(title) => title,
                Err(e) => {
                    tracing::info!(chat_id = %chat_id, error = %e, "no title from the model; the first words are used");
                    None
                }
            }
        }
        None => None,
    };
    let Some(title) = asked.or_else(|| from_words(&said_text)) else {
        return Ok(None);
    };
    chat_session::set_made_title(pool, chat_id, &chat.title, &title).await
}

/// Asks the chat's model (or the default model) for a title; `None` when
/// there is no model or its answer makes no title.
async fn ask_model(
    pool: &SqlitePool,
    secrets: &dyn SecretStore,
    http: &reqwest::Client,
    ai_model_id: Option<Id>,
    said: &str,
    reply: &str,
) -> Result<Option<String>> {
    let settings = repos::settings::get(pool).await?;
    let Some(model_id) = ai_model_id.or(settings.default_ai_model_id) else {
        return Ok(None);
    };
    let Some(model) = repos::ai_model::get(pool, model_id).await? else {
        return Ok(None);
    };
    let endpoint = provider::endpoint(pool, secrets, model.provider_id).await?;
    let request = ChatRequest {
        model: model.model_id.clone(),
        messages: vec![
            PromptMessage {
                role: MessageRole::System,
                content: TITLE_INSTRUCTION.into(),
            },
            PromptMessage {
                role: MessageRole::User,
                content: format!(
                    "First message:\n{}\n\nReply:\n{}",
                    excerpt(said),
                    excerpt(reply)
                ),
            },
        ],
        max_tokens: TITLE_MAX_TOKENS,
        params: SamplingParams {
            temperature: Some(0.3),
            ..SamplingParams::default()
        },
    };
    let client = ai::provider_for(endpoint);
    let read = async {
        let mut stream = client.stream_chat(http, &request).await?;
        let mut text = String::new();
        while let Some(event) = stream.next().await {
            match event? {
                StreamEvent::Text(t) => text.push_str(&t),
                StreamEvent::Done | StreamEvent::CutShort => break,
                _ => {}
            }
            if text.len() > 4 * TITLE_MAX_CHARS * 4 {
                break; // far past a title: the model is not answering the question
            }
        }
        Ok::<_, crate::error::AppError>(text)
    };
    match tokio::time::timeout(TITLE_TIMEOUT, read).await {
        Ok(text) => Ok(clean(&text?)),
        Err(_) => Ok(None),
    }
}

fn excerpt(text: &str) -> String {
    text.chars().take(EXCERPT_CHARS).collect()
}

/// A model's answer as a title: its first line, without a "Title:" label,
/// quotes, Markdown marks or a final period, cut to [`TITLE_MAX_CHARS`].
pub fn clean(answer: &str) -> Option<String> {
    let line = answer.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line
        .strip_prefix("Title:")
        .or_else(|| line.strip_prefix("title:"))
        .or_else(|| line.strip_prefix("TITLE:"))
        .unwrap_or(line);
    let marks: &[char] = &[
        '"', '\'', '`', '*', '_', '#', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', ' ', '.',
    ];
    let line = line.trim_matches(marks);
    let words = plain(line);
    (!words.is_empty()).then(|| cut(&words))
}

/// A title from the first words of a message, without Markdown marks.
pub fn from_words(message: &str) -> Option<String> {
    let words: Vec<&str> = message.split_whitespace().collect();
    let text = plain(&words.join(" "));
    let first: Vec<&str> = text.split(' ').take(FALLBACK_WORDS).collect();
    let title = first.join(" ");
    let title = title.trim_end_matches(['.', ',', ';', ':', '!', '?']);
    if title.is_empty() {
        return None;
    }
    let more = text.split(' ').count() > FALLBACK_WORDS;
    let title = cut(title);
    Some(if more && !title.ends_with('\u{2026}') {
        format!("{title}\u{2026}")
    } else {
        title
    })
}

/// Text without Markdown emphasis, code and heading marks, on one line.
fn plain(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '`' | '#' | '>' | '~'))
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most [`TITLE_MAX_CHARS`] characters, cut at a word when one ends late
/// enough, with an ellipsis when something was cut.
fn cut(text: &str) -> String {
    if text.chars().count() <= TITLE_MAX_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(TITLE_MAX_CHARS - 1).collect();
    let head = match head.rfind(' ') {
        Some(i) if i > TITLE_MAX_CHARS / 2 => &head[..i],
        _ => head.as_str(),
    };
    format!("{}\u{2026}", head.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::plain("The Lighthouse Keeper", Some("The Lighthouse Keeper"))]
    #[case::label_and_quotes("Title: \"A Stormy Night\".", Some("A Stormy Night"))]
    #[case::markdown("**Tea with a Dragon**\n\nMore text", Some("Tea with a Dragon"))]
    #[case::blank_lines_first("\n\n  Sailing Lessons  \n", Some("Sailing Lessons"))]
    #[case::nothing("  \n \"\" ", None)]
    fn a_model_answer_becomes_a_title(#[case] answer: &str, #[case] title: Option<&str>) {
        assert_eq!(clean(answer).as_deref(), title);
    }

    #[rstest]
    #[case::short("Hello there!", Some("Hello there"))]
    #[case::long(
        "Tell me a *long* story about the sea and its ships",
        Some("Tell me a long story about\u{2026}")
    )]
    #[case::only_marks("** __ ``", None)]
    fn the_first_words_become_a_title(#[case] message: &str, #[case] title: Option<&str>) {
        assert_eq!(from_words(message).as_deref(), title);
    }

    #[test]
    fn a_long_answer_is_cut_at_a_word() {
        let t = clean(&"word ".repeat(40)).unwrap();
        assert!(t.chars().count() <= TITLE_MAX_CHARS, "{t}");
        assert!(t.ends_with("word\u{2026}"), "{t}");
    }

    #[rstest]
    #[case("Chat with Sia", Some("Sia"), true)]
    #[case("New chat", None, true)]
    #[case("Untitled chat", Some("Sia"), true)]
    #[case("Chat with Sia", Some("Bob"), false)]
    #[case("Our trip", Some("Sia"), false)]
    fn only_parleys_own_titles_are_replaced(
        #[case] title: &str,
        #[case] character: Option<&str>,
        #[case] replaced: bool,
    ) {
        assert_eq!(made_by_parley(title, character), replaced);
    }
}
