//! SillyTavern group chats in: a group definition with its chats, or a
//! group chat on its own, becomes a Parley group chat whose members are
//! characters Parley has.
//!
//! Members are matched, first to last: by card file name among the cards
//! imported in the same run (a group names its members "Alice.png", which
//! is the card's file in SillyTavern's `characters`); then by name among
//! live characters (the name the chat's lines give that card file, then
//! the file's name without `.png`). Nothing is made up: a member with no
//! match is not a member, its lines keep their speaker's name with no
//! character behind it, and the report lists it (`missingMembers`).
//!
//! A definition read in a run waits for its chats (any file of the run
//! whose name is one of its `chats`); at the end of the run, a definition
//! none of whose chats came becomes one empty group chat with its members
//! and settings; one whose chats came but were all refused is refused too.
//! Each chat is one transaction, like a one-character chat.
//!
//! One piece: a run's definitions, the matching of members and the chats
//! written from them share the `Run` and `Cast` they are matched through.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use sqlx::SqlitePool;

use super::store::{chat_input, keep_header, rows_of, store_chat, NewChat};
use super::{blocking, refused, ImportKind, Imported, FILE_KEY, META_KEY};
use crate::cards::sillytavern::group::{
    self as st, new_group_header, scenario_of, speaker_of, speakers, Speaker, StGroup, GROUP_KEY,
};
use crate::cards::sillytavern::{self, StChat};
use crate::cards::Limits;
use crate::error::{Cause, Result};
use crate::models::{GroupSettings, Id, MessageRole};
use crate::repos;
use crate::repos::chat_member::NewMember;

/// What one import run has seen so far.
#[derive(Debug, Default)]
pub(super) struct Run {
    /// Card files imported in this run (lower case) and their characters.
    pub cards: HashMap<String, Id>,
    /// Group definitions read in this run, waiting for their chats.
    pub groups: Vec<RunGroup>,
}

#[derive(Debug)]
pub(super) struct RunGroup {
    file: String,
    group: StGroup,
    /// Chats imported for it so far.
    chats: Vec<Id>,
    /// Whether a chat of it came, imported or refused.
    tried: bool,
    missing: Vec<String>,
}

impl Run {
    /// The definition (read in this run) that names the chat `stem`.
    /// Marks it as one whose chat came (imported or refused).
    pub fn group_for(&mut self, stem: &str) -> Option<usize> {
        let i = self.groups.iter().position(|g| g.group.has_chat(stem))?;
        self.groups[i].tried = true;
        Some(i)
    }
}

/// Reads a group definition into the run.
pub(super) async fn read(file: &str, bytes: Vec<u8>, run: &mut Run) -> Result<()> {
    let group = blocking(move || st::parse_group(&bytes, &Limits::default()))
        .await?
        .map_err(|e| refused(file, &e))?;
    run.groups.push(RunGroup {
        file: file.to_string(),
        group,
        chats: Vec::new(),
        tried: false,
        missing: Vec::new(),
    });
    Ok(())
}

/// The character behind a card file or a name, as the module doc says.
async fn find(
    pool: &SqlitePool,
    run: &Run,
    avatar: Option<&str>,
    name: Option<&str>,
) -> Result<Option<Id>> {
    if let Some(id) = avatar.and_then(|a| run.cards.get(&a.to_lowercase())) {
        return Ok(Some(*id));
    }
    let stem = avatar.map(|a| {
        a.rsplit_once('.')
            .map_or(a, |(s, ext)| if ext.len() <= 4 { s } else { a })
    });
    for n in [name, stem].into_iter().flatten() {
        if n.trim().is_empty() {
            continue;
        }
        if let Some(id) = repos::character::find_live_by_name(pool, n.trim()).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// A chat's members and speakers, matched to characters.
struct Cast {
    members: Vec<NewMember>,
    /// Each speaker of the chat's lines and its character.
    speakers: Vec<(Speaker, Option<Id>)>,
    /// Card file of each character (for export).
    avatars: Map<String, Value>,
    missing: Vec<String>,
    /// Characters' names, for lines that name none.
    names: HashMap<Id, String>,
}

impl Cast {
    fn speaker(&self, fields: &Map<String, Value>) -> (Option<Id>, Option<String>) {
        let s = speaker_of(fields);
        let id = self
            .speakers
            .iter()
            .find(|(o, _)| match (&o.avatar, &s.avatar) {
                (Some(a), Some(b)) => a == b,
                _ => o.name == s.name,
            })
            .and_then(|(_, id)| *id);
        let name = Some(s.name)
            .filter(|n| !n.is_empty())
            .or_else(|| id.and_then(|i| self.names.get(&i).cloned()))
            .map(|n| n.chars().take(200).collect::<String>());
        (id, name)
    }
}

/// Matches a chat's speakers, and the definition's members when it has
/// one (else the speakers are the members, in order of first words).
async fn cast(
    pool: &SqlitePool,
    run: &Run,
    group: Option<&StGroup>,
    said: Vec<Speaker>,
) -> Result<Cast> {
    let mut speakers = Vec::with_capacity(said.len());
    for s in said {
        let id = find(pool, run, s.avatar.as_deref(), Some(&s.name)).await?;
        speakers.push((s, id));
    }
    let mut wanted: Vec<(String, Option<Id>, bool)> = Vec::new();
    match group {
        Some(g) => {
            for avatar in &g.members {
                let said = speakers
                    .iter()
                    .find(|(s, _)| s.avatar.as_deref() == Some(avatar.as_str()));
                let id = match said.and_then(|(_, id)| *id) {
                    Some(id) => Some(id),
                    None => {
                        find(
                            pool,
                            run,
                            Some(avatar.as_str()),
                            said.map(|(s, _)| s.name.as_str()),
                        )
                        .await?
                    }
                };
                wanted.push((avatar.clone(), id, g.is_muted(avatar)));
            }
        }
        None => {
            for (s, id) in &speakers {
                let label = if s.name.is_empty() {
                    s.avatar.clone().unwrap_or_default()
                } else {
                    s.name.clone()
                };
                wanted.push((label, *id, false));
            }
        }
    }
    let mut members: Vec<NewMember> = Vec::new();
    let mut avatars = Map::new();
    let mut missing = Vec::new();
    let mut names = HashMap::new();
    for (label, id, muted) in wanted {
        let Some(id) = id else {
            missing.push(label);
            continue;
        };
        if members.iter().any(|m| m.character_id == id) {
            continue;
        }
        let Some(c) = repos::character::get(pool, id).await? else {
            missing.push(label);
            continue;
        };
        members.push(NewMember {
            character_id: id,
            talkativeness: st::talkativeness(&c.extensions.0),
            muted,
        });
        names.insert(id, c.name);
    }
    // Speakers who are no member and no character (a guest of the story,
    // or a member removed since) are said too, by name.
    let listed = group.map(|g| g.members.clone()).unwrap_or_default();
    for (s, id) in &speakers {
        let in_list = s.avatar.as_ref().is_some_and(|a| listed.contains(a));
        let label = if s.name.is_empty() {
            s.avatar.clone().unwrap_or_default()
        } else {
            s.name.clone()
        };
        if id.is_none() && !in_list && !missing.contains(&label) {
            missing.push(label);
        }
    }
    // Each character's card file: the definition's or the lines' own.
    let by_avatar = group.map(|g| g.members.clone()).unwrap_or_default();
    for (s, id) in &speakers {
        if let (Some(a), Some(id)) = (&s.avatar, id) {
            avatars.entry(id.to_string()).or_insert_with(|| json!(a));
        }
    }
    for avatar in by_avatar {
        if let Some(id) = speakers
            .iter()
            .find(|(s, _)| s.avatar.as_deref() == Some(avatar.as_str()))
            .and_then(|(_, id)| *id)
            .or_else(|| run.cards.get(&avatar.to_lowercase()).copied())
        {
            avatars.insert(id.to_string(), json!(avatar));
        }
    }
    Ok(Cast {
        members,
        speakers,
        avatars,
        missing,
        names,
    })
}

/// The title of a chat of the group: its name, with the chat's file name
/// when the group has several chats.
fn title_of(group: Option<&StGroup>, stem: &str) -> String {
    match group {
        Some(g) if !g.name.is_empty() && g.chats.len() > 1 => format!("{} – {stem}", g.name),
        Some(g) if !g.name.is_empty() => g.name.clone(),
        _ => stem.to_string(),
    }
}

/// Imports a group chat: `group` is the run's definition naming it, if any.
pub(super) async fn import_chat(
    pool: &SqlitePool,
    file: &str,
    stem: &str,
    chat: StChat,
    group: Option<usize>,
    run: &mut Run,
) -> Result<Imported> {
    let def = group.map(|i| &run.groups[i].group);
    let cast = cast(pool, run, def, speakers(&chat)).await?;
    let settings = GroupSettings {
        scenario: scenario_of(&chat, def, stem),
        ..def.map(|g| g.settings.clone()).unwrap_or_default()
    };
    let user_name = chat.user_name().map(str::to_string).or_else(|| {
        chat.messages
            .iter()
            .find(|m| m.role == MessageRole::User)
            .map(|m| speaker_of(&m.fields).name)
            .filter(|n| !n.is_empty())
    });
    let character_id = cast.members.first().map(|m| m.character_id);
    let note = sillytavern::authors_note(&chat.header);
    let input = chat_input(
        pool,
        &title_of(def, stem),
        character_id,
        user_name.as_deref(),
        note,
    )
    .await?;
    let mut metadata = json!({
        FILE_KEY: stem,
        GROUP_KEY: {
            "definition": def.map(|g| Value::Object(g.fields.clone())),
            "avatars": cast.avatars,
        },
    });
    keep_header(&mut metadata, &chat.header);
    let (messages, swipes) = rows_of(chat, |fields| cast.speaker(fields));
    let id = store_chat(
        pool,
        NewChat {
            input: &input,
            metadata: &metadata,
            messages: &messages,
            swipes: &swipes,
            new_character: None,
            stem,
            members: &cast.members,
            settings: Some(&settings),
        },
    )
    .await?;
    if let Some(g) = group.and_then(|i| run.groups.get_mut(i)) {
        g.chats.push(id);
        for m in &cast.missing {
            if !g.missing.contains(m) {
                g.missing.push(m.clone());
            }
        }
    }
    Ok(Imported {
        file: file.to_string(),
        kind: ImportKind::Chat,
        id,
        name: input.title,
        created_character: None,
        missing_members: cast.missing,
    })
}

/// A definition none of whose chats came: one empty group chat.
async fn import_alone(pool: &SqlitePool, run: &Run, g: &RunGroup) -> Result<Imported> {
    let def = &g.group;
    let cast = cast(pool, run, Some(def), Vec::new()).await?;
    let stem = def.chats.first().cloned().unwrap_or_else(|| def.id.clone());
    let header = StChat {
        header: new_group_header(
            def.fields
                .get("chat_metadata")
                .cloned()
                .unwrap_or(json!({})),
        )
        .as_object()
        .cloned()
        .unwrap_or_default(),
        messages: Vec::new(),
    };
    let settings = GroupSettings {
        scenario: scenario_of(&header, Some(def), &stem),
        ..def.settings.clone()
    };
    let title = if def.name.is_empty() {
        "Group chat".to_string()
    } else {
        def.name.clone()
    };
    let character_id = cast.members.first().map(|m| m.character_id);
    let input = chat_input(pool, &title, character_id, None, None).await?;
    let metadata = json!({
        META_KEY: header.header,
        FILE_KEY: stem,
        GROUP_KEY: { "definition": Value::Object(def.fields.clone()), "avatars": cast.avatars },
    });
    let id = store_chat(
        pool,
        NewChat {
            input: &input,
            metadata: &metadata,
            messages: &[],
            swipes: &[],
            new_character: None,
            stem: &stem,
            members: &cast.members,
            settings: Some(&settings),
        },
    )
    .await?;
    Ok(Imported {
        file: g.file.clone(),
        kind: ImportKind::Group,
        id,
        name: input.title,
        created_character: None,
        missing_members: cast.missing,
    })
}

/// Ends a run: each definition's line in the report (its first chat), a
/// definition whose chats did not come made into an empty group chat.
pub(super) async fn finish(pool: &SqlitePool, run: Run) -> Vec<(String, Result<Imported>)> {
    let mut out = Vec::with_capacity(run.groups.len());
    for g in &run.groups {
        let result = match g.chats.first() {
            Some(first) => Ok(Imported {
                file: g.file.clone(),
                kind: ImportKind::Group,
                id: *first,
                name: if g.group.name.is_empty() {
                    "Group chat".into()
                } else {
                    g.group.name.clone()
                },
                created_character: None,
                missing_members: g.missing.clone(),
            }),
            None if g.tried => {
                let cause = Cause::new("none of its chats could be imported (each says why)")
                    .worded("import_no_chat", json!({}));
                Err(refused(&g.file, &cause))
            }
            None => import_alone(pool, &run, g).await,
        };
        out.push((g.file.clone(), result));
    }
    out
}
