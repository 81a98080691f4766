-- A reply enters the search index when it stops being written.
--
-- Before, every partial save of a streaming reply (one a second) took the
-- reply out of the full-text index and put it back: a long reply was
-- tokenized again on every save (quadratic work), each save left deleted
-- postings for FTS5 to merge, and the app's memory grew by ~60 MiB over an
-- 800,000-character reply (docs/BENCHMARKS.md). Now a message whose status
-- is `pending` or `streaming` is not indexed; it is indexed once, when it
-- becomes `completed`, `failed` or `cancelled` (including the startup
-- sweep, which marks interrupted replies failed). A reply being written is
-- therefore not found by search until it ends.

drop trigger tr_messages_fts_insert;
drop trigger tr_messages_fts_delete;
drop trigger tr_messages_fts_update;
drop trigger tr_chat_sessions_fts_trash;
drop trigger tr_chat_sessions_fts_restore;

-- Replies being written leave the index (the old triggers kept them in it,
-- in step with their text, so these deletes match what was indexed).
insert into messages_fts (messages_fts, rowid, content)
select 'delete', m.rowid, m.content
  from messages m join chat_sessions s on s.id = m.chat_session_id
 where s.deleted_at is null and m.status in ('pending', 'streaming');

create trigger tr_messages_fts_insert after insert on messages
when new.status not in ('pending', 'streaming')
 and exists (select 1 from chat_sessions s
              where s.id = new.chat_session_id and s.deleted_at is null)
begin
    insert into messages_fts (rowid, content) values (new.rowid, new.content);
end;

create trigger tr_messages_fts_delete after delete on messages
when old.status not in ('pending', 'streaming')
 and exists (select 1 from chat_sessions s
              where s.id = old.chat_session_id and s.deleted_at is null)
begin
    insert into messages_fts (messages_fts, rowid, content)
    values ('delete', old.rowid, old.content);
end;

-- One trigger, so the old entry always leaves before the new one comes.
-- Out: an indexed message whose text changes or that is being written
-- again (regenerate, continue). In: a finished message whose text changed
-- or that was just finished.
create trigger tr_messages_fts_update after update of content, status on messages
when (old.content is not new.content or old.status is not new.status)
 and exists (select 1 from chat_sessions s
              where s.id = new.chat_session_id and s.deleted_at is null)
begin
    insert into messages_fts (messages_fts, rowid, content)
    select 'delete', old.rowid, old.content
     where old.status not in ('pending', 'streaming')
       and (old.content is not new.content or new.status in ('pending', 'streaming'));
    insert into messages_fts (rowid, content)
    select new.rowid, new.content
     where new.status not in ('pending', 'streaming')
       and (old.content is not new.content or old.status in ('pending', 'streaming'));
end;

-- A chat moved to the trash takes its indexed messages out; restored, back in.
create trigger tr_chat_sessions_fts_trash after update of deleted_at on chat_sessions
when old.deleted_at is null and new.deleted_at is not null
begin
    insert into messages_fts (messages_fts, rowid, content)
    select 'delete', m.rowid, m.content from messages m
     where m.chat_session_id = new.id and m.status not in ('pending', 'streaming');
end;

create trigger tr_chat_sessions_fts_restore after update of deleted_at on chat_sessions
when old.deleted_at is not null and new.deleted_at is null
begin
    insert into messages_fts (rowid, content)
    select m.rowid, m.content from messages m
     where m.chat_session_id = new.id and m.status not in ('pending', 'streaming');
end;
