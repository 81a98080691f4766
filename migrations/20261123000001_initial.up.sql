-- Parley's first schema: every entity of ARCHITECTURE.md.
--
-- Conventions (docs/DATA_MODEL.md says more):
-- * ids are UUID v7 stored as 16-byte blobs (time-ordered, compact);
-- * timestamps are UTC milliseconds since the Unix epoch (integer);
-- * enums are text with a named check constraint;
-- * `deleted_at` marks a soft delete on characters, user_profiles,
--   system_prompts and chat_sessions; a purge is the real delete;
-- * every index says which query it serves.

create table characters (
    id                        blob    not null,
    -- Short columns first: list queries read only these, and SQLite stops
    -- reading a row's payload at the last column a query needs.
    name                      text    not null,
    creator                   text    not null default '',
    character_version         text    not null default '',
    tags                      text    not null default '[]',
    created_at                integer not null,
    updated_at                integer not null,
    deleted_at                integer,
    description               text    not null default '',
    personality               text    not null default '',
    scenario                  text    not null default '',
    first_message             text    not null default '',
    example_messages          text    not null default '',
    alternate_greetings       text    not null default '[]',
    system_prompt             text    not null default '',
    post_history_instructions text    not null default '',
    creator_notes             text    not null default '',
    -- The card's `extensions` object, kept verbatim for lossless export.
    extensions                text    not null default '{}',
    -- The card's lorebook (`character_book`), verbatim JSON, null when none.
    character_book            text,
    -- Avatar image bytes and their media type; never read by list queries.
    avatar_mime               text,
    avatar                    blob,
    constraint pk_characters primary key (id),
    constraint ck_characters_id check (length(id) = 16),
    constraint ck_characters_name check (length(name) between 1 and 200),
    constraint ck_characters_tags check (json_valid(tags) and json_type(tags) = 'array'),
    constraint ck_characters_alternate_greetings
        check (json_valid(alternate_greetings) and json_type(alternate_greetings) = 'array'),
    constraint ck_characters_extensions
        check (json_valid(extensions) and json_type(extensions) = 'object'),
    constraint ck_characters_character_book
        check (character_book is null or json_valid(character_book)),
    constraint ck_characters_avatar check ((avatar is null) = (avatar_mime is null))
);

-- Serves: the sidebar's character list, newest first, live rows only
-- (`where deleted_at is null order by updated_at desc, id desc`).
create index ix_characters_live_updated
    on characters (updated_at desc, id desc) where deleted_at is null;
-- Serves: the character list sorted by name, and lookups by name.
create index ix_characters_live_name
    on characters (name collate nocase, id) where deleted_at is null;
-- Serves: the trash view (`where deleted_at is not null order by deleted_at desc`).
create index ix_characters_deleted
    on characters (deleted_at desc, id desc) where deleted_at is not null;

create table user_profiles (
    id          blob    not null,
    name        text    not null,
    description text    not null default '',
    created_at  integer not null,
    updated_at  integer not null,
    deleted_at  integer,
    avatar_mime text,
    avatar      blob,
    constraint pk_user_profiles primary key (id),
    constraint ck_user_profiles_id check (length(id) = 16),
    constraint ck_user_profiles_name check (length(name) between 1 and 200),
    constraint ck_user_profiles_avatar check ((avatar is null) = (avatar_mime is null))
);

-- Serves: the uniqueness of a live persona's name (case-insensitive) and the
-- persona list sorted by name.
create unique index uq_user_profiles_live_name
    on user_profiles (name collate nocase) where deleted_at is null;

create table providers (
    id         blob    not null,
    name       text    not null,
    kind       text    not null,
    base_url   text    not null,
    created_at integer not null,
    updated_at integer not null,
    -- The API key is NOT here: it lives in the OS keychain or the app's store.
    constraint pk_providers primary key (id),
    constraint ck_providers_id check (length(id) = 16),
    constraint ck_providers_name check (length(name) between 1 and 200),
    constraint ck_providers_kind
        check (kind in ('openai_compatible', 'openrouter', 'anthropic', 'glm', 'ollama')),
    constraint ck_providers_base_url check (length(base_url) between 1 and 2000)
);

-- Serves: uniqueness of provider names and the provider list sorted by name.
create unique index uq_providers_name on providers (name collate nocase);

create table ai_models (
    id                 blob    not null,
    provider_id        blob    not null,
    model_id           text    not null,
    display_name       text    not null,
    context_length     integer not null default 8192,
    max_output_tokens  integer not null default 1024,
    temperature        real,
    top_p              real,
    top_k              integer,
    min_p              real,
    frequency_penalty  real,
    presence_penalty   real,
    repetition_penalty real,
    created_at         integer not null,
    updated_at         integer not null,
    constraint pk_ai_models primary key (id),
    constraint ck_ai_models_id check (length(id) = 16),
    constraint fk_ai_models_provider foreign key (provider_id)
        references providers (id) on delete cascade,
    constraint ck_ai_models_model_id check (length(model_id) between 1 and 500),
    constraint ck_ai_models_display_name check (length(display_name) between 1 and 200),
    constraint ck_ai_models_context_length check (context_length between 256 and 10000000),
    constraint ck_ai_models_max_output_tokens check (max_output_tokens between 1 and 1000000),
    constraint ck_ai_models_temperature check (temperature is null or temperature between 0 and 2),
    constraint ck_ai_models_top_p check (top_p is null or top_p between 0 and 1),
    constraint ck_ai_models_top_k check (top_k is null or top_k >= 0),
    constraint ck_ai_models_min_p check (min_p is null or min_p between 0 and 1),
    constraint ck_ai_models_frequency_penalty
        check (frequency_penalty is null or frequency_penalty between -2 and 2),
    constraint ck_ai_models_presence_penalty
        check (presence_penalty is null or presence_penalty between -2 and 2),
    constraint ck_ai_models_repetition_penalty
        check (repetition_penalty is null or repetition_penalty between 0 and 10)
);

-- Serves: a provider's model list (`where provider_id = ? order by display_name`)
-- and keeps one row per model id on a provider.
create unique index uq_ai_models_provider_model on ai_models (provider_id, model_id);

create table system_prompts (
    id         blob    not null,
    name       text    not null,
    content    text    not null,
    is_builtin integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    deleted_at integer,
    constraint pk_system_prompts primary key (id),
    constraint ck_system_prompts_id check (length(id) = 16),
    constraint ck_system_prompts_name check (length(name) between 1 and 200),
    constraint ck_system_prompts_is_builtin check (is_builtin in (0, 1))
);

-- Serves: uniqueness of a live prompt's name and the prompt list by name.
create unique index uq_system_prompts_live_name
    on system_prompts (name collate nocase) where deleted_at is null;

create table chat_sessions (
    id               blob    not null,
    title            text    not null,
    -- A chat outlives what it points at: purging a character, persona, model
    -- or prompt leaves the chat and all its messages, with the link cleared.
    character_id     blob,
    user_profile_id  blob,
    ai_model_id      blob,
    system_prompt_id blob,
    created_at       integer not null,
    updated_at       integer not null,
    deleted_at       integer,
    constraint pk_chat_sessions primary key (id),
    constraint ck_chat_sessions_id check (length(id) = 16),
    constraint ck_chat_sessions_title check (length(title) <= 500),
    constraint fk_chat_sessions_character foreign key (character_id)
        references characters (id) on delete set null,
    constraint fk_chat_sessions_user_profile foreign key (user_profile_id)
        references user_profiles (id) on delete set null,
    constraint fk_chat_sessions_ai_model foreign key (ai_model_id)
        references ai_models (id) on delete set null,
    constraint fk_chat_sessions_system_prompt foreign key (system_prompt_id)
        references system_prompts (id) on delete set null
);

-- Serves: the sidebar's recent chats (`where deleted_at is null
-- order by updated_at desc, id desc`, keyset pages).
create index ix_chat_sessions_live_updated
    on chat_sessions (updated_at desc, id desc) where deleted_at is null;
-- Serves: a character's chats (`where character_id = ? and deleted_at is null
-- order by updated_at desc`), and the set-null cascade from characters.
create index ix_chat_sessions_character_updated
    on chat_sessions (character_id, updated_at desc, id desc);
-- Serve the set-null cascades when a persona, model or prompt is purged.
create index ix_chat_sessions_user_profile on chat_sessions (user_profile_id);
create index ix_chat_sessions_ai_model on chat_sessions (ai_model_id);
create index ix_chat_sessions_system_prompt on chat_sessions (system_prompt_id);

create table messages (
    id              blob    not null,
    chat_session_id blob    not null,
    seq             integer not null,
    role            text    not null,
    status          text    not null default 'completed',
    active_swipe    integer not null default 0,
    created_at      integer not null,
    updated_at      integer not null,
    metadata        text    not null default '{}',
    content         text    not null,
    constraint pk_messages primary key (id),
    constraint ck_messages_id check (length(id) = 16),
    constraint fk_messages_chat_session foreign key (chat_session_id)
        references chat_sessions (id) on delete cascade,
    constraint ck_messages_seq check (seq >= 0),
    constraint ck_messages_role check (role in ('user', 'assistant', 'system')),
    constraint ck_messages_status
        check (status in ('pending', 'streaming', 'completed', 'failed', 'cancelled')),
    constraint ck_messages_active_swipe check (active_swipe >= 0),
    constraint ck_messages_metadata check (json_valid(metadata) and json_type(metadata) = 'object'),
    constraint ck_messages_content check (length(content) <= 1000000)
);

-- Serves: a chat's last N messages and the page before message X
-- (`where chat_session_id = ? and seq < ? order by seq desc limit ?`),
-- the next seq (`max(seq)`), the delete cascade from chat_sessions,
-- and keeps seq unique within a chat.
create unique index uq_messages_chat_seq on messages (chat_session_id, seq);
-- Serves: the startup sweep that marks interrupted generations failed
-- (`where status in ('pending', 'streaming')`); tiny, as almost every row
-- is completed.
create index ix_messages_unfinished on messages (status)
    where status in ('pending', 'streaming');

create table message_swipes (
    id          blob    not null,
    message_id  blob    not null,
    swipe_index integer not null,
    created_at  integer not null,
    updated_at  integer not null,
    metadata    text    not null default '{}',
    content     text    not null,
    constraint pk_message_swipes primary key (id),
    constraint ck_message_swipes_id check (length(id) = 16),
    constraint fk_message_swipes_message foreign key (message_id)
        references messages (id) on delete cascade,
    constraint ck_message_swipes_index check (swipe_index >= 0),
    constraint ck_message_swipes_metadata
        check (json_valid(metadata) and json_type(metadata) = 'object'),
    constraint ck_message_swipes_content check (length(content) <= 1000000)
);

-- Serves: a message's swipes in order (`where message_id = ? order by swipe_index`),
-- the delete cascade from messages, and keeps each index unique per message.
create unique index uq_message_swipes_message_index on message_swipes (message_id, swipe_index);

create table application_settings (
    id                        integer not null,
    default_character_id      blob,
    default_user_profile_id   blob,
    default_ai_model_id       blob,
    default_system_prompt_id  blob,
    temperature               real    not null default 0.8,
    max_output_tokens         integer not null default 1024,
    context_length            integer not null default 8192,
    updated_at                integer not null,
    constraint pk_application_settings primary key (id),
    constraint ck_application_settings_singleton check (id = 1),
    constraint fk_application_settings_character foreign key (default_character_id)
        references characters (id) on delete set null,
    constraint fk_application_settings_user_profile foreign key (default_user_profile_id)
        references user_profiles (id) on delete set null,
    constraint fk_application_settings_ai_model foreign key (default_ai_model_id)
        references ai_models (id) on delete set null,
    constraint fk_application_settings_system_prompt foreign key (default_system_prompt_id)
        references system_prompts (id) on delete set null,
    constraint ck_application_settings_temperature check (temperature between 0 and 2),
    constraint ck_application_settings_max_output_tokens
        check (max_output_tokens between 1 and 1000000),
    constraint ck_application_settings_context_length
        check (context_length between 256 and 10000000)
);

-- Moves a chat to the top of the recent list when a message is added.
create trigger tr_messages_touch_chat
after insert on messages
for each row
begin
    update chat_sessions
       set updated_at = max(updated_at, new.created_at)
     where id = new.chat_session_id;
end;

insert into application_settings (id, updated_at)
values (1, cast(unixepoch('subsec') * 1000 as integer));

-- Built-in system prompts, with fixed ids so later migrations can find them.
insert into system_prompts (id, name, content, is_builtin, created_at, updated_at)
values
    (x'019ab0000000700080000000000000a1', 'Roleplay',
     'You are {{char}} in an ongoing roleplay with {{user}}. Stay in character, write vivid '
     || 'and varied prose, and never speak or act for {{user}}.',
     1, cast(unixepoch('subsec') * 1000 as integer), cast(unixepoch('subsec') * 1000 as integer)),
    (x'019ab0000000700080000000000000a2', 'Assistant',
     'You are a helpful, honest and concise assistant.',
     1, cast(unixepoch('subsec') * 1000 as integer), cast(unixepoch('subsec') * 1000 as integer)),
    (x'019ab0000000700080000000000000a3', 'Storyteller',
     'You are a narrator telling an interactive story with {{user}}. Describe the world and the '
     || 'characters in it, including {{char}}, and end each reply where {{user}} can act.',
     1, cast(unixepoch('subsec') * 1000 as integer), cast(unixepoch('subsec') * 1000 as integer));
