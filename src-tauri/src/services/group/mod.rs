//! Group chats: a chat with several characters (its `chat_members`), who
//! takes the next turn, and the chat's group settings.
//!
//! A chat with no member rows is a one-character chat and everything
//! works as before; a group chat keeps its first live member in
//! `chat_sessions.character_id` (`repos::chat_member::sync_first` after
//! every change of members or order). Members are added, removed, muted
//! and reordered mid-chat; a removed member's messages keep their speaker.
//! A one-character chat that gets a second character becomes a group: its
//! character is member 0 and its earlier replies get it as their speaker.
//!
//! - `turn.rs`: who speaks next, pure;
//! - `prompt.rs`: the prompt as one member sees the group.
//!
//! Replies by a member are started by `services::generation` (send with a
//! speaker, `turn`, regenerate keeping the speaker).
//!
//! One piece: the member rules (two or more to start, at least one stays,
//! the first member is the chat's character, positions renumbered on every
//! move) are read together; a fifth of the file is their tests.

pub mod echo;
pub mod prompt;
pub mod speaker;
pub mod turn;

use serde_json::json;
use sqlx::SqlitePool;

use super::{require_live, validate};
use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    Character, ChatMember, ChatSessionInput, GroupChat, GroupInput, GroupSettings, Id,
    MemberUpdate, MessageRole, Timestamp,
};
use crate::repos::{self, chat_member as repo, Table};
use turn::{Author, Choice, Turn, Why};

/// Members a group may have.
pub const MAX_MEMBERS: usize = 100;
/// Longest group scenario, in characters.
pub const SCENARIO_MAX_CHARS: usize = 20_000;
/// Auto-mode's longest wait between turns, in seconds.
pub const MAX_AUTO_DELAY_SECS: f64 = 600.0;
/// Auto-mode's turn limit range.
pub const AUTO_TURN_LIMIT: (i64, i64) = (1, 1000);
/// A member's talkativeness when its card names none (SillyTavern's).
pub const DEFAULT_TALKATIVENESS: f64 = 0.5;
/// Messages read back (role and speaker only, from the person's newest
/// message on) to find who spoke since the person: auto-mode stops within
/// 1,000 turns.
const RECENT: u32 = 1_000;

/// A group chat's members and settings, as a reply reads them.
#[derive(Debug, Clone)]
pub struct Group {
    /// Live members, in member order.
    pub members: Vec<ChatMember>,
    pub settings: GroupSettings,
}

impl Group {
    /// The chat's group, or `None` for a one-character chat.
    pub async fn load(pool: &SqlitePool, chat: Id) -> Result<Option<Group>> {
        if !repo::is_group(pool, chat).await? {
            return Ok(None);
        }
        Ok(Some(Group {
            members: repo::list(pool, chat).await?,
            settings: repo::settings(pool, chat).await?.unwrap_or_default(),
        }))
    }

    pub fn member(&self, character: Id) -> Option<&ChatMember> {
        self.members.iter().find(|m| m.character_id == character)
    }

    /// The next speaker by the turn order, after the chat's newest message
    /// or, with `sent`, after the person's message about to be stored.
    pub async fn choose(
        &self,
        pool: &SqlitePool,
        chat: Id,
        sent: Option<&str>,
    ) -> Result<Option<(ChatMember, Why)>> {
        let (recent, last_speaker) = repo::recent_speakers(pool, chat, RECENT).await?;
        let (last_text, last_author, spoken) = match sent {
            Some(text) => (text.to_string(), Author::Person, Vec::new()),
            None => {
                let (newest, _) = repos::message::page(pool, chat, None, 1).await?;
                let text = newest
                    .first()
                    .map(|m| m.content.clone())
                    .unwrap_or_default();
                let author = recent
                    .iter()
                    .find(|(role, _)| *role != MessageRole::System)
                    .map_or(Author::Nobody, |(role, speaker)| match (role, speaker) {
                        (MessageRole::User, _) => Author::Person,
                        (_, Some(id)) => Author::Character(*id),
                        _ => Author::Nobody,
                    });
                let spoken: Vec<Id> = recent
                    .iter()
                    .take_while(|(role, _)| *role != MessageRole::User)
                    .filter_map(|(_, s)| *s)
                    .collect();
                (text, author, spoken)
            }
        };
        let t = Turn {
            order: self.settings.turn_order,
            members: &self.members,
            last_text: &last_text,
            last_author,
            last_speaker,
            spoken_since_person: &spoken,
        };
        let mut roll = turn::random();
        Ok(
            turn::next_speaker(&t, &mut roll).and_then(|Choice { character_id, why }| {
                self.member(character_id).map(|m| (m.clone(), why))
            }),
        )
    }
}

/// A member's talkativeness from its card (`extensions.talkativeness`, a
/// number or a string as SillyTavern writes it), else the default.
fn card_talkativeness(c: &Character) -> f64 {
    let v = &c.extensions.0["talkativeness"];
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .filter(|t: &f64| t.is_finite() && (0.0..=1.0).contains(t))
        .unwrap_or(DEFAULT_TALKATIVENESS)
}

/// "Mira, Ash and Kit" (or "Mira, Ash, Kit and 4 others").
fn names_title(names: &[&str]) -> String {
    let (shown, rest) = if names.len() > 4 {
        (&names[..3], names.len() - 3)
    } else {
        (names, 0)
    };
    let listed = match (shown.split_last(), rest) {
        (Some((last, first)), 0) if !first.is_empty() => {
            format!("{} and {last}", first.join(", "))
        }
        (_, 0) => shown.join(", "),
        _ => format!("{} and {rest} others", shown.join(", ")),
    };
    format!("Chat with {listed}")
}

/// Group settings in their ranges.
pub fn validated_settings(s: GroupSettings) -> Result<GroupSettings> {
    if !s.auto_delay_secs.is_finite() || !(0.0..=MAX_AUTO_DELAY_SECS).contains(&s.auto_delay_secs) {
        return Err(AppError::validation(
            "auto_delay_secs",
            format!(
                "auto-mode's delay must be between 0 and {MAX_AUTO_DELAY_SECS} seconds; it is {}",
                s.auto_delay_secs
            ),
        )
        .worded(
            "auto_delay_range",
            json!({ "max": MAX_AUTO_DELAY_SECS, "value": s.auto_delay_secs }),
        ));
    }
    validate::int_range(
        "auto_turn_limit",
        s.auto_turn_limit,
        AUTO_TURN_LIMIT.0,
        AUTO_TURN_LIMIT.1,
    )?;
    let chars = s.scenario.chars().count();
    if chars > SCENARIO_MAX_CHARS {
        return Err(AppError::validation(
            "scenario",
            format!(
                "the group scenario is {chars} characters; it may have at most \
                 {SCENARIO_MAX_CHARS}. Shorten it"
            ),
        )
        .worded(
            "group_scenario_too_long",
            json!({ "length": chars, "limit": SCENARIO_MAX_CHARS }),
        ));
    }
    Ok(s)
}

fn talkativeness(value: f64) -> Result<f64> {
    if !value.is_finite() || !(0.0..=1.0).contains(&value) {
        return Err(AppError::validation(
            "talkativeness",
            format!("talkativeness must be between 0 and 1; it is {value}"),
        )
        .worded(
            "out_of_range",
            json!({ "field": "talkativeness", "label": "talkativeness", "min": 0, "max": 1, "value": value }),
        ));
    }
    Ok(value)
}

/// Creates a group chat of `input.character_ids` (2 to [`MAX_MEMBERS`],
/// each once, each live) through `chat_session::create_with`, so persona,
/// model and prompt take their defaults and the first member's greeting
/// (with its alternates as swipes) opens it, its speaker set. Each
/// member's talkativeness comes from its card, else 0.5.
pub async fn create(pool: &SqlitePool, input: GroupInput) -> Result<GroupChat> {
    let ids = &input.character_ids;
    if ids.len() < 2 {
        return Err(AppError::validation(
            "character_ids",
            "a group chat needs at least two characters; pick another, or start a chat with one",
        )
        .worded("group_too_small", json!({})));
    }
    if ids.len() > MAX_MEMBERS {
        return Err(AppError::validation(
            "character_ids",
            format!("a group chat may have at most {MAX_MEMBERS} characters"),
        )
        .worded("group_too_big", json!({ "limit": MAX_MEMBERS })));
    }
    let mut characters = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(AppError::validation(
                "character_ids",
                "a character is in the list twice; each member joins once",
            )
            .worded("member_twice", json!({})));
        }
        require_live(
            pool,
            Table::Characters,
            *id,
            "character",
            Some("character_ids"),
        )
        .await?;
        let c = repos::character::get(pool, *id)
            .await?
            .ok_or_else(|| AppError::not_found("character", id))?;
        characters.push(c);
    }
    let settings = validated_settings(input.settings.unwrap_or_default())?;
    let title = if input.title.trim().is_empty() {
        let names: Vec<&str> = characters.iter().map(|c| c.name.as_str()).collect();
        names_title(&names)
    } else {
        input.title
    };
    let members: Vec<(Id, f64)> = characters
        .iter()
        .map(|c| (c.id, card_talkativeness(c)))
        .collect();
    let chat = super::chat_session::create_with(
        pool,
        ChatSessionInput {
            title,
            character_id: Some(ids[0]),
            user_profile_id: input.user_profile_id,
            ai_model_id: input.ai_model_id,
            system_prompt_id: input.system_prompt_id,
            generation: None,
            authors_note: None,
        },
        &members,
        Some(&settings),
    )
    .await?;
    tracing::info!(chat_id = %chat.id, members = ids.len(), "group chat created");
    Ok(GroupChat {
        members: repo::list(pool, chat.id).await?,
        settings,
        chat,
    })
}

/// The chat's live members in member order; empty for a one-character chat.
pub async fn members(pool: &SqlitePool, chat: Id) -> Result<Vec<ChatMember>> {
    super::chat_session::get(pool, chat).await?;
    repo::list(pool, chat).await.context("list the members")
}

/// Adds a character as the chat's last member. A one-character chat
/// becomes a group: its character is member 0 and its replies so far get
/// it as their speaker, in the same transaction.
pub async fn add_member(pool: &SqlitePool, chat: Id, character: Id) -> Result<Vec<ChatMember>> {
    let session = super::message::live_chat(pool, chat).await?;
    require_live(
        pool,
        Table::Characters,
        character,
        "character",
        Some("character_id"),
    )
    .await?;
    let c = repos::character::get(pool, character)
        .await?
        .ok_or_else(|| AppError::not_found("character", character))?;
    let ids = repo::all_ids(pool, chat).await?;
    if ids.contains(&character) || (ids.is_empty() && session.character_id == Some(character)) {
        return Err(AppError::conflict(
            "character_id",
            format!("{} is already in this chat", c.name),
        )
        .worded("already_member", json!({ "name": c.name })));
    }
    if ids.len() >= MAX_MEMBERS {
        return Err(AppError::validation(
            "character_id",
            format!("a group chat may have at most {MAX_MEMBERS} characters"),
        )
        .worded("group_too_big", json!({ "limit": MAX_MEMBERS })));
    }
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;
    if ids.is_empty() {
        let first = session.character_id.ok_or_else(|| {
            AppError::business(
                "this chat has no character to start a group with; start a group chat instead",
            )
            .worded("no_character_for_group", json!({}))
        })?;
        let first_card = repos::character::get(&mut *tx, first)
            .await?
            .ok_or_else(|| AppError::not_found("character", first))?;
        repo::insert(
            &mut *tx,
            chat,
            first,
            0,
            card_talkativeness(&first_card),
            now,
        )
        .await?;
        repo::set_missing_speakers(&mut *tx, chat, first, &first_card.name).await?;
    }
    repo::add(&mut *tx, chat, character, card_talkativeness(&c), now).await?;
    repo::sync_first(&mut *tx, chat).await?;
    tx.commit().await.context("add the member")?;
    tracing::info!(chat_id = %chat, character_id = %character, "member added");
    repo::list(pool, chat).await
}

/// The member or a refusal naming it.
fn find(members: &[ChatMember], character: Id) -> Result<&ChatMember> {
    members
        .iter()
        .find(|m| m.character_id == character)
        .ok_or_else(|| {
            AppError::validation(
                "character_id",
                "that character is not a member of this chat",
            )
            .worded("not_a_member", json!({}))
        })
}

/// Writes `order` (live members) then the trashed ones as positions 0..n.
async fn renumber(conn: &mut sqlx::SqliteConnection, chat: Id, order: &[Id]) -> Result<()> {
    let all = repo::all_ids(&mut *conn, chat).await?;
    let rest = all.iter().filter(|id| !order.contains(id));
    for (position, id) in order.iter().chain(rest).enumerate() {
        repo::set_position(&mut *conn, chat, *id, position as i64).await?;
    }
    repo::sync_first(&mut *conn, chat).await
}

/// Removes a member; at least one stays. Its messages keep their speaker.
pub async fn remove_member(pool: &SqlitePool, chat: Id, character: Id) -> Result<Vec<ChatMember>> {
    super::message::live_chat(pool, chat).await?;
    let members = repo::list(pool, chat).await?;
    let all = repo::all_ids(pool, chat).await?;
    if !all.contains(&character) {
        return Err(AppError::validation(
            "character_id",
            "that character is not a member of this chat",
        )
        .worded("not_a_member", json!({})));
    }
    if members.len() <= 1 && members.iter().any(|m| m.character_id == character) {
        return Err(AppError::business(
            "a group chat keeps at least one member; add another before removing this one",
        )
        .worded("last_member", json!({})));
    }
    let order: Vec<Id> = members
        .iter()
        .map(|m| m.character_id)
        .filter(|id| *id != character)
        .collect();
    let mut tx = pool.begin().await?;
    repo::remove(&mut *tx, chat, character).await?;
    renumber(&mut tx, chat, &order).await?;
    tx.commit().await.context("remove the member")?;
    tracing::info!(chat_id = %chat, character_id = %character, "member removed");
    repo::list(pool, chat).await
}

/// Mutes or unmutes a member, sets its talkativeness (0..1), moves it to
/// another place in member order (0 is first); returns the members.
pub async fn update_member(
    pool: &SqlitePool,
    chat: Id,
    character: Id,
    change: MemberUpdate,
) -> Result<Vec<ChatMember>> {
    super::message::live_chat(pool, chat).await?;
    let members = repo::list(pool, chat).await?;
    let m = find(&members, character)?;
    let t = talkativeness(change.talkativeness.unwrap_or(m.talkativeness))?;
    let muted = change.muted.unwrap_or(m.muted);
    let position = change
        .position
        .map(|p| validate::int_range("position", p, 0, members.len() as i64 - 1))
        .transpose()?;
    let mut tx = pool.begin().await?;
    repo::set_member(&mut *tx, chat, character, muted, t).await?;
    if let Some(p) = position {
        let mut order: Vec<Id> = members
            .iter()
            .map(|m| m.character_id)
            .filter(|id| *id != character)
            .collect();
        order.insert(p as usize, character);
        renumber(&mut tx, chat, &order).await?;
    }
    tx.commit().await.context("save the member")?;
    repo::list(pool, chat).await
}

/// A group chat's settings (the defaults until set). A one-character chat
/// has them too (unused) so the window can read them alike.
pub async fn settings(pool: &SqlitePool, chat: Id) -> Result<GroupSettings> {
    repo::settings(pool, chat)
        .await?
        .ok_or_else(|| AppError::not_found("chat", chat))
}

/// Replaces a chat's group settings, checked: auto-mode's delay 0..600 s,
/// its turn limit 1..1000, the scenario at most 20,000 characters.
pub async fn set_settings(
    pool: &SqlitePool,
    chat: Id,
    settings: GroupSettings,
) -> Result<GroupSettings> {
    super::message::live_chat(pool, chat).await?;
    let settings = validated_settings(settings)?;
    repo::set_settings(pool, chat, &settings)
        .await
        .context("save the group settings")?;
    Ok(settings)
}

/// Who the turn order would pick now (after the chat's newest message);
/// `None` in manual order or with every member muted. A one-character
/// chat is refused: its character always answers.
pub async fn next_speaker(pool: &SqlitePool, chat: Id) -> Result<Option<ChatMember>> {
    super::chat_session::get(pool, chat).await?;
    let group = Group::load(pool, chat).await?.ok_or_else(not_a_group)?;
    Ok(group.choose(pool, chat, None).await?.map(|(m, _)| m))
}

/// The refusal for a group command on a one-character chat.
pub(crate) fn not_a_group() -> AppError {
    AppError::business(
        "this chat has one character, who always answers; add a member to make it a group",
    )
    .worded("not_a_group", json!({}))
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case::two(&["Mira", "Ash"], "Chat with Mira and Ash")]
    #[case::three(&["Mira", "Ash", "Kit"], "Chat with Mira, Ash and Kit")]
    #[case::four(&["A", "B", "C", "D"], "Chat with A, B, C and D")]
    #[case::many(&["A", "B", "C", "D", "E", "F"], "Chat with A, B, C and 3 others")]
    fn titles(#[case] names: &[&str], #[case] expected: &str) {
        assert_eq!(names_title(names), expected);
    }

    #[rstest]
    #[case::defaults(GroupSettings::default(), None)]
    #[case::delay_too_long(GroupSettings { auto_delay_secs: 601.0, ..Default::default() }, Some("auto_delay_secs"))]
    #[case::delay_negative(GroupSettings { auto_delay_secs: -1.0, ..Default::default() }, Some("auto_delay_secs"))]
    #[case::delay_nan(GroupSettings { auto_delay_secs: f64::NAN, ..Default::default() }, Some("auto_delay_secs"))]
    #[case::limit_zero(GroupSettings { auto_turn_limit: 0, ..Default::default() }, Some("auto_turn_limit"))]
    #[case::limit_too_high(GroupSettings { auto_turn_limit: 1001, ..Default::default() }, Some("auto_turn_limit"))]
    #[case::limit_edges(GroupSettings { auto_turn_limit: 1000, auto_delay_secs: 600.0, ..Default::default() }, None)]
    #[case::scenario_too_long(GroupSettings { scenario: "x".repeat(20_001), ..Default::default() }, Some("scenario"))]
    fn settings_ranges(#[case] s: GroupSettings, #[case] field: Option<&str>) {
        let got = validated_settings(s).err().map(|e| match e {
            AppError::Validation { field, .. } => field,
            other => panic!("not a validation error: {other}"),
        });
        assert_eq!(got.as_deref(), field);
    }
}
