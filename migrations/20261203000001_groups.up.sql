-- Group chats (issue 14): a chat with several characters, and the speaker
-- of every message.
--
-- * `chat_members`: the characters of a group chat, in member order
--   (`position`). A chat with no member rows is a one-character chat and
--   works as before (its `character_id` speaks). A group chat keeps its
--   first member in `chat_sessions.character_id`, so lists, search filters
--   and older code that read the chat's character keep working.
--   `talkativeness` is 0..1 (SillyTavern's meaning: the chance to speak
--   when not named); `muted` members are never chosen by a turn order but
--   may still be made to talk. Purging a character removes its member rows
--   (`on delete cascade`); its messages keep `speaker_name`.
-- * `chat_sessions.group_settings`: turn order, "join cards", the group
--   scenario, auto-mode's delay and turn limit, one JSON object (camelCase,
--   missing keys take their defaults; `models::GroupSettings`).
-- * `messages.speaker_id` / `speaker_name`: the character who wrote an
--   assistant message, and its name when written (the name a SillyTavern
--   `name` field carries, and what is shown once the character is purged).
--   Both null in one-character chats and on user and system messages.
--   `speaker_id` is set null when the character is purged.

create table chat_members (
    chat_session_id blob    not null,
    character_id    blob    not null,
    position        integer not null,
    talkativeness   real    not null default 0.5,
    muted           integer not null default 0,
    created_at      integer not null,
    constraint pk_chat_members primary key (chat_session_id, character_id),
    constraint fk_chat_members_chat foreign key (chat_session_id)
        references chat_sessions (id) on delete cascade,
    constraint fk_chat_members_character foreign key (character_id)
        references characters (id) on delete cascade,
    constraint ck_chat_members_position check (position >= 0),
    constraint ck_chat_members_talkativeness check (talkativeness between 0 and 1),
    constraint ck_chat_members_muted check (muted in (0, 1))
) without rowid;

-- Serves: the cascade when a character is purged, and "the group chats a
-- character is in" (`where character_id = ?`).
create index ix_chat_members_character on chat_members (character_id);

alter table chat_sessions add column group_settings text not null default '{}'
    constraint ck_chat_sessions_group_settings
        check (json_valid(group_settings) and json_type(group_settings) = 'object');

alter table messages add column speaker_id blob
    constraint fk_messages_speaker references characters (id) on delete set null;

alter table messages add column speaker_name text
    constraint ck_messages_speaker_name
        check (speaker_name is null or length(speaker_name) between 1 and 200);

-- Serves: the set-null when a character is purged (without it each purge
-- would read every message). Partial: one-character chats have none.
create index ix_messages_speaker on messages (speaker_id) where speaker_id is not null;
