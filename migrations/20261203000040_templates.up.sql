-- Templates (issue 16): one library of reusable prompts with fill-in
-- variables, and the quick replies that show some of them over a chat's
-- composer.
--
-- * `type`: what a template is for. `message` (typed by the person, used
--   with `/` and quick replies), `system_prompt`, `impersonation`, and the
--   texts Parley's own features use: `summary_instruction` (what the
--   summary model is told), `memory_documents`, `memory_summaries`,
--   `memory_recall` (the text around memory's pieces, `{{pieces}}` where
--   they go), `instruct` (text-completion instruct formats, content JSON).
-- * `variables`: the JSON array the service parses from `content` when it
--   saves (`services::template::vars`), stored so lists need not parse.
-- * `is_default`: at most one live default per type (partial unique index
--   below); Parley's features read their type's default.
-- * Soft delete (`deleted_at`) like the other libraries; a name is unique
--   per type among live rows, ignoring case.

create table templates (
    id          blob    not null,
    type        text    not null,
    name        text    not null,
    content     text    not null,
    variables   text    not null default '[]',
    is_default  integer not null default 0,
    created_at  integer not null,
    updated_at  integer not null,
    deleted_at  integer,
    constraint pk_templates primary key (id),
    constraint ck_templates_type check (type in (
        'message', 'system_prompt', 'impersonation', 'summary_instruction',
        'memory_documents', 'memory_summaries', 'memory_recall', 'instruct')),
    constraint ck_templates_name check (length(name) between 1 and 200),
    constraint ck_templates_content check (length(content) <= 100000),
    constraint ck_templates_variables check (json_valid(variables) and json_type(variables) = 'array'),
    constraint ck_templates_is_default check (is_default in (0, 1))
);

-- Serves: the unique name per type among live rows (create, rename,
-- restore) and "the template named X of type T" on import.
create unique index ux_templates_type_name
    on templates (type, name collate nocase) where deleted_at is null;

-- Serves: at most one default per type, and "the default of type T"
-- (`where type = ? and is_default = 1 and deleted_at is null`), read for
-- every reply's memory and every summary.
create unique index ux_templates_default
    on templates (type) where is_default = 1 and deleted_at is null;

-- Serves: the Templates screen's list of one type by name
-- (`where type = ? and deleted_at is null order by name collate nocase, id`)
-- is the first index above; the trash (`where deleted_at is not null order
-- by updated_at`) is small and scans.

-- Quick replies: which templates show in the bar over a chat's composer.
-- An owner is a chat or a character (exactly one of the two columns), so
-- deleting either takes its quick replies (`on delete cascade`); purging a
-- template takes them too. A chat shows its own and its character's.
create table quick_replies (
    id              blob    not null,
    chat_session_id blob,
    character_id    blob,
    template_id     blob    not null,
    position        integer not null,
    mode            text    not null default 'send',
    created_at      integer not null,
    constraint pk_quick_replies primary key (id),
    constraint fk_quick_replies_chat foreign key (chat_session_id)
        references chat_sessions (id) on delete cascade,
    constraint fk_quick_replies_character foreign key (character_id)
        references characters (id) on delete cascade,
    constraint fk_quick_replies_template foreign key (template_id)
        references templates (id) on delete cascade,
    constraint ck_quick_replies_owner check ((chat_session_id is null) <> (character_id is null)),
    constraint ck_quick_replies_mode check (mode in ('send', 'fill')),
    constraint ck_quick_replies_position check (position >= 0)
);

-- Serves: a chat's bar (`where chat_session_id = ? order by position`), the
-- cascade when a chat is purged, and one template once per chat.
create unique index ux_quick_replies_chat
    on quick_replies (chat_session_id, template_id) where chat_session_id is not null;
create index ix_quick_replies_chat_position
    on quick_replies (chat_session_id, position) where chat_session_id is not null;

-- Serves: a character's bar, shown in each of its chats
-- (`where character_id = ? order by position`), the cascade, one template
-- once per character.
create unique index ux_quick_replies_character
    on quick_replies (character_id, template_id) where character_id is not null;
create index ix_quick_replies_character_position
    on quick_replies (character_id, position) where character_id is not null;

-- Serves: the cascade when a template is purged.
create index ix_quick_replies_template on quick_replies (template_id);

-- What earlier work kept as preferences becomes the default template of
-- its type. A stored text that is not blank is kept (an empty summary
-- instruction meant "Parley's own"; a template's text may not be blank);
-- otherwise the built-in text, which must equal
-- `services::template::builtin` (a test checks). Fixed ids, as the
-- built-in system prompts have.
with builtin (id, type, name, key, content) as (values
    (x'019ab0000000700080000000000000b1', 'summary_instruction', 'Summary instruction',
     'memory.summary_instruction',
     'Summarize the part of a conversation below for the story''s long-term memory. '
     || 'Keep names, places, facts, decisions, promises, feelings and unresolved threads; '
     || 'leave out greetings and small talk. Write in the past tense, as a few short '
     || 'sentences, at most 150 words. Answer with the summary alone.'),
    (x'019ab0000000700080000000000000b2', 'memory_documents', 'Document passages',
     'memory.template.documents',
     'Relevant passages from documents:' || char(10) || char(10) || '{{pieces}}'),
    (x'019ab0000000700080000000000000b3', 'memory_summaries', 'Summaries',
     'memory.template.summaries',
     'Summary of earlier parts of this chat:' || char(10) || char(10) || '{{pieces}}'),
    (x'019ab0000000700080000000000000b4', 'memory_recall', 'Recalled messages',
     'memory.template.recall',
     'Earlier in this chat (out of the recent history):' || char(10) || char(10) || '{{pieces}}')
)
insert into templates (id, type, name, content, is_default, created_at, updated_at)
select b.id, b.type, b.name,
       coalesce(
           (select json_extract(c.value, '$') from app_config c
             where c.key = b.key and json_type(c.value) = 'text'
               and trim(json_extract(c.value, '$')) <> ''),
           b.content),
       1, cast(unixepoch('subsec') * 1000 as integer), cast(unixepoch('subsec') * 1000 as integer)
  from builtin b;

-- The preferences now live in `templates`; the keys are no longer read.
delete from app_config where key in (
    'memory.summary_instruction', 'memory.template.documents',
    'memory.template.summaries', 'memory.template.recall');
