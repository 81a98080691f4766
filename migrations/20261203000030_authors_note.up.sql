-- The author's note of a chat (issue 16): text put into the prompt at a
-- depth in the history every N of the person's messages, as a role. One
-- JSON object (camelCase: `text`, `depth`, `frequency`, `role`; missing
-- keys take their defaults, `models::AuthorsNote`). No index: read with
-- the chat's row only.
alter table chat_sessions add column authors_note text not null default '{}'
    constraint ck_chat_sessions_authors_note
        check (json_valid(authors_note) and json_type(authors_note) = 'object');
