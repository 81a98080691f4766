//! A group chat out, as SillyTavern keeps one: each assistant line names
//! its speaker (`name`) and the speaker's card file (`original_avatar`),
//! the chat's header is a group chat's (`user_name: "unused"`), and a group
//! definition beside it lists the members by card file.
//!
//! A member's card file is the one its group was imported with, else
//! `<name>.png`, the name Parley gives the character's exported card; so
//! exporting the members' cards and this chat into SillyTavern's
//! `characters`, `groups` and `group chats` folders reconnects them.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use serde_json::{json, Map, Value};
use sqlx::SqlitePool;

use super::safe_file_stem;
use crate::cards::sillytavern::group::{self as st, GroupOut, GROUP_KEY};
use crate::error::Result;
use crate::models::{ChatMember, ChatSession, GroupSettings, Id, Message};
use crate::repos;

/// What a group chat's export needs, read once.
pub(super) struct GroupExport {
    members: Vec<ChatMember>,
    settings: GroupSettings,
    /// The definition the chat was imported with.
    definition: Option<Map<String, Value>>,
    /// Card files the import recorded, by character.
    avatars: HashMap<Id, String>,
    /// Characters' names, read as lines need them.
    names: HashMap<Id, String>,
}

impl GroupExport {
    /// The chat's group, or `None` for a one-character chat (no members
    /// and not imported as a group chat).
    pub async fn of(pool: &SqlitePool, chat: Id, metadata: &Value) -> Result<Option<Self>> {
        let members = repos::chat_member::list(pool, chat).await?;
        let kept = metadata.get(GROUP_KEY).filter(|g| g.is_object());
        if members.is_empty() && kept.is_none() {
            return Ok(None);
        }
        let settings = repos::chat_member::settings(pool, chat)
            .await?
            .unwrap_or_default();
        let definition = kept
            .and_then(|g| g.get("definition"))
            .and_then(Value::as_object)
            .cloned();
        let avatars = kept
            .and_then(|g| g.get("avatars"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.parse::<Id>().ok()?, v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let names = members
            .iter()
            .map(|m| (m.character_id, m.name.clone()))
            .collect();
        Ok(Some(Self {
            members,
            settings,
            definition,
            avatars,
            names,
        }))
    }

    /// The card file SillyTavern knows the character by.
    fn avatar_of(&self, id: Id, name: &str) -> String {
        self.avatars
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("{}.png", safe_file_stem(name)))
    }

    /// An assistant message's speaker: name and card file.
    pub async fn speaker(
        &mut self,
        pool: &SqlitePool,
        m: &Message,
    ) -> Result<(String, Option<String>)> {
        let mut character_name = None;
        if let Some(id) = m.speaker_id {
            if let Entry::Vacant(slot) = self.names.entry(id) {
                if let Some(c) = repos::character::get(pool, id).await? {
                    slot.insert(c.name);
                }
            }
            character_name = self.names.get(&id).cloned();
        }
        let name = m
            .speaker_name
            .clone()
            .or(character_name)
            .or_else(|| self.members.first().map(|f| f.name.clone()))
            .unwrap_or_else(|| "Assistant".into());
        let avatar = match m.speaker_id {
            Some(id) => {
                let own = self.names.get(&id).cloned().unwrap_or_else(|| name.clone());
                Some(self.avatar_of(id, &own))
            }
            None if m.speaker_name.is_none() => self
                .members
                .first()
                .map(|f| self.avatar_of(f.character_id, &f.name)),
            None => None,
        };
        Ok((name, avatar))
    }

    /// The group scenario in the header's `chat_metadata`, where
    /// SillyTavern reads it.
    pub fn put_scenario(&self, header: &mut Value) {
        let Some(obj) = header.as_object_mut() else {
            return;
        };
        let meta = obj.entry("chat_metadata").or_insert_with(|| json!({}));
        if let Some(m) = meta.as_object_mut() {
            if self.settings.scenario.is_empty() {
                m.shift_remove("scenario");
            } else {
                m.insert("scenario".into(), json!(self.settings.scenario));
            }
        }
    }

    /// The header of a group chat Parley made (or whose header was lost).
    pub fn new_header(&self) -> Value {
        st::new_group_header(json!({}))
    }

    /// The group's SillyTavern id: the one it came with, else the chat's
    /// creation time in milliseconds, as SillyTavern makes them.
    pub fn group_id(&self, chat: &ChatSession) -> u64 {
        self.definition
            .as_ref()
            .and_then(|d| d.get("id"))
            .and_then(|v| match v {
                Value::String(s) => s.trim().parse().ok(),
                Value::Number(n) => n.as_u64(),
                _ => None,
            })
            .unwrap_or_else(|| chat.created_at.millis().max(0) as u64)
    }

    /// The definition SillyTavern reads back, naming the chat `stem`.
    pub fn definition(&self, chat: &ChatSession, stem: &str, id: u64) -> Value {
        let name = self
            .definition
            .as_ref()
            .and_then(|d| d.get("name"))
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .map_or_else(|| chat.title.clone(), str::to_string);
        let avatars: Vec<(String, bool)> = self
            .members
            .iter()
            .map(|m| (self.avatar_of(m.character_id, &m.name), m.muted))
            .collect();
        let id = id.to_string();
        st::to_group_json(
            &GroupOut {
                id: &id,
                name: &name,
                members: avatars.iter().map(|(a, _)| a.clone()).collect(),
                muted: avatars
                    .iter()
                    .filter(|(_, muted)| *muted)
                    .map(|(a, _)| a.clone())
                    .collect(),
                chat: stem,
                settings: &self.settings,
                created_ms: chat.created_at.millis(),
            },
            self.definition.as_ref(),
        )
    }
}
