-- Back to indexing every message of a live chat, replies being written too
-- (the triggers of 20261124000002_search).
drop trigger tr_chat_sessions_fts_restore;
drop trigger tr_chat_sessions_fts_trash;
drop trigger tr_messages_fts_update;
drop trigger tr_messages_fts_delete;
drop trigger tr_messages_fts_insert;

insert into messages_fts (rowid, content)
select m.rowid, m.content
  from messages m join chat_sessions s on s.id = m.chat_session_id
 where s.deleted_at is null and m.status in ('pending', 'streaming');

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
