-- Full-text search over messages and characters (SQLite FTS5).
--
-- * Both indexes are external-content: they keep only the index and read
--   text back from `messages` / `characters` by rowid, so the text is
--   stored once. The rowids must therefore never change: Parley never runs
--   a plain VACUUM (SQLite may renumber rowids of tables without an
--   INTEGER PRIMARY KEY); its backups use VACUUM INTO, which copies rows
--   with their rowids (`tests/search.rs` checks a backup's index).
-- * `unicode61 remove_diacritics 2` folds case and accents ("cafe" finds
--   "Café"); `detail=full` keeps positions, which phrase queries need.
-- * A chat in the trash leaves the message index (its rows are removed
--   when it is deleted and come back when it is restored), so searches
--   never see it; message triggers touch the index only for live chats.

create virtual table messages_fts using fts5(
    content,
    content = 'messages',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

create virtual table characters_fts using fts5(
    name, description, personality, scenario, creator_notes, tags,
    content = 'characters',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Messages: in step with their live chat.
create trigger tr_messages_fts_insert after insert on messages
when exists (select 1 from chat_sessions s
              where s.id = new.chat_session_id and s.deleted_at is null)
begin
    insert into messages_fts (rowid, content) values (new.rowid, new.content);
end;

create trigger tr_messages_fts_delete after delete on messages
when exists (select 1 from chat_sessions s
              where s.id = old.chat_session_id and s.deleted_at is null)
begin
    insert into messages_fts (messages_fts, rowid, content)
    values ('delete', old.rowid, old.content);
end;

create trigger tr_messages_fts_update after update of content on messages
when old.content is not new.content
 and exists (select 1 from chat_sessions s
              where s.id = new.chat_session_id and s.deleted_at is null)
begin
    insert into messages_fts (messages_fts, rowid, content)
    values ('delete', old.rowid, old.content);
    insert into messages_fts (rowid, content) values (new.rowid, new.content);
end;

-- A chat moved to the trash takes its messages out; restored, back in.
create trigger tr_chat_sessions_fts_trash after update of deleted_at on chat_sessions
when old.deleted_at is null and new.deleted_at is not null
begin
    insert into messages_fts (messages_fts, rowid, content)
    select 'delete', m.rowid, m.content from messages m where m.chat_session_id = new.id;
end;

create trigger tr_chat_sessions_fts_restore after update of deleted_at on chat_sessions
when old.deleted_at is not null and new.deleted_at is null
begin
    insert into messages_fts (rowid, content)
    select m.rowid, m.content from messages m where m.chat_session_id = new.id;
end;

-- Characters: every row (the trash is filtered at query time; there are few).
create trigger tr_characters_fts_insert after insert on characters
begin
    insert into characters_fts (rowid, name, description, personality, scenario,
        creator_notes, tags)
    values (new.rowid, new.name, new.description, new.personality, new.scenario,
        new.creator_notes, new.tags);
end;

create trigger tr_characters_fts_delete after delete on characters
begin
    insert into characters_fts (characters_fts, rowid, name, description, personality,
        scenario, creator_notes, tags)
    values ('delete', old.rowid, old.name, old.description, old.personality, old.scenario,
        old.creator_notes, old.tags);
end;

create trigger tr_characters_fts_update
after update of name, description, personality, scenario, creator_notes, tags on characters
begin
    insert into characters_fts (characters_fts, rowid, name, description, personality,
        scenario, creator_notes, tags)
    values ('delete', old.rowid, old.name, old.description, old.personality, old.scenario,
        old.creator_notes, old.tags);
    insert into characters_fts (rowid, name, description, personality, scenario,
        creator_notes, tags)
    values (new.rowid, new.name, new.description, new.personality, new.scenario,
        new.creator_notes, new.tags);
end;

-- What was there before this migration.
insert into messages_fts (rowid, content)
select m.rowid, m.content
  from messages m join chat_sessions s on s.id = m.chat_session_id
 where s.deleted_at is null;

insert into characters_fts (characters_fts) values ('rebuild');
