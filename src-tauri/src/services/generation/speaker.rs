//! Who writes a reply in a group chat, and the reply's context made for
//! that member (`services::group::prompt`). One-character chats pass
//! through untouched: no group, no speaker, the chat's character.
//!
//! A send or a turn takes the speaker it is given (the person's pick or
//! "force talk"; muted members too) or the one the turn order picks; a
//! regenerate or a continue keeps the speaker of the reply it rewrites.

use serde_json::json;
use sqlx::SqlitePool;

use super::context::ReplyContext;
use super::events::NoReplyReason;
use crate::error::{AppError, Result};
use crate::models::{Id, Message, TurnOrder};
use crate::repos;
use crate::services::group::prompt::{self as group_prompt, Names};
use crate::services::group::speaker::{ChosenBy, PreviewSpeaker, Speaker};
use crate::services::group::{not_a_group, Group};
use crate::services::prompt::DEFAULT_USER_NAME;

impl ReplyContext {
    /// The reply's row speaker (id and name), in a group chat.
    pub fn speaker_row(&self) -> Option<(Id, &str)> {
        self.speaker
            .as_ref()
            .map(|s| (s.character_id, s.name.as_str()))
    }

    /// Makes this the context of a reply by `character` (any character:
    /// a member, or one that left and whose reply is rewritten): its card
    /// as the group sees it, the group macros in the system prompt and the
    /// persona, and names in the history.
    pub async fn speak_as(&mut self, pool: &SqlitePool, character: Id) -> Result<()> {
        let group = self.group.as_ref().ok_or_else(not_a_group)?;
        let speaker = repos::character::get(pool, character)
            .await?
            .ok_or_else(|| AppError::not_found("character", character))?;
        let mut cards = Vec::with_capacity(group.members.len());
        for m in &group.members {
            if let Some(c) = repos::character::get(pool, m.character_id).await? {
                cards.push(c);
            }
        }
        let user = self
            .persona
            .as_ref()
            .map_or(DEFAULT_USER_NAME, |p| p.name.as_str())
            .to_string();
        let member_names: Vec<&str> = group.members.iter().map(|m| m.name.as_str()).collect();
        let names = Names::new(&member_names, &speaker.name, &user);
        let card = group_prompt::speaker_card(&speaker, &cards, &group.settings, &names, &user);
        self.system_prompt = self.system_prompt.as_deref().map(|p| names.expand(p));
        self.persona = self
            .persona
            .as_ref()
            .map(|p| group_prompt::persona(p, &names));
        let fallback = group
            .members
            .first()
            .map_or_else(|| speaker.name.clone(), |m| m.name.clone());
        self.speaker = Some(Speaker {
            character_id: speaker.id,
            name: speaker.name.clone(),
            names,
            fallback,
        });
        self.character = Some(card);
        // `{{char}}` is the speaker in every text of this reply's prompt.
        self.names.char = speaker.name;
        Ok(())
    }

    /// For a send (`sent`: the person's message) or a turn (`None`): the
    /// speaker given, which must be a member (muted or not), or the next by
    /// the turn order, made the reply's speaker. `Some(reason)` when nobody
    /// speaks. A one-character chat takes no speaker.
    pub async fn pick_speaker(
        &mut self,
        pool: &SqlitePool,
        given: Option<Id>,
        sent: Option<&str>,
    ) -> Result<Option<NoReplyReason>> {
        let Some(group) = &self.group else {
            if given.is_some() {
                return Err(AppError::validation(
                    "speaker_id",
                    "this chat has one character, who always answers; a speaker is for group chats",
                )
                .worded("speaker_not_group", json!({})));
            }
            return Ok(None);
        };
        let id = match given {
            Some(id) => member(group, id)?,
            None => match group.choose(pool, self.chat.id, sent).await? {
                Some((m, _)) => m.character_id,
                None if group.settings.turn_order == TurnOrder::Manual => {
                    return Ok(Some(NoReplyReason::PickSpeaker))
                }
                None => return Ok(Some(NoReplyReason::AllMuted)),
            },
        };
        self.speak_as(pool, id).await?;
        Ok(None)
    }

    /// For a regenerate or a continue of `reply`: its own speaker again.
    pub async fn keep_speaker(&mut self, pool: &SqlitePool, reply: &Message) -> Result<()> {
        if self.group.is_none() {
            return Ok(());
        }
        let id = reply.speaker_id.ok_or_else(|| {
            AppError::business(
                "the character who wrote this reply was deleted, so it cannot be written again; \
                 delete the reply and let a member answer",
            )
            .worded("speaker_deleted", json!({}))
        })?;
        self.speak_as(pool, id).await
    }

    /// For "Show prompt": the speaker given, else the turn order's pick
    /// (after `sent` when given), else the first unmuted member; `None`
    /// for a one-character chat.
    pub async fn preview_speaker(
        &mut self,
        pool: &SqlitePool,
        given: Option<Id>,
        sent: Option<&str>,
    ) -> Result<Option<PreviewSpeaker>> {
        let Some(group) = &self.group else {
            return Ok(None);
        };
        let (id, chosen_by) = match given {
            Some(id) => (member(group, id)?, ChosenBy::Picked),
            None => match group.choose(pool, self.chat.id, sent).await? {
                Some((m, why)) => (m.character_id, why.into()),
                None => {
                    let first = group
                        .members
                        .iter()
                        .find(|m| !m.muted)
                        .or(group.members.first())
                        .ok_or_else(|| {
                            AppError::business("this group chat has no members left; add one")
                                .worded("group_no_members", json!({}))
                        })?;
                    (first.character_id, ChosenBy::FirstMember)
                }
            },
        };
        self.speak_as(pool, id).await?;
        Ok(self.speaker.as_ref().map(|s| PreviewSpeaker {
            character_id: s.character_id,
            name: s.name.clone(),
            chosen_by,
        }))
    }
}

/// `id` if it is a live member of `group`.
fn member(group: &Group, id: Id) -> Result<Id> {
    group.member(id).map(|m| m.character_id).ok_or_else(|| {
        AppError::validation("speaker_id", "that character is not a member of this chat")
            .worded("not_a_member", json!({}))
    })
}
