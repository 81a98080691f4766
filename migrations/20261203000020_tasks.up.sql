-- Tasks (issue 16): a short list of tasks or story objectives beside a chat,
-- or standing alone.
--
-- * A task links to at most one chat (`chat_session_id`). Purging the chat
--   keeps its tasks, standing alone (`on delete set null`): a task is the
--   person's own note, not part of the chat's text, and the Tasks screen
--   still lists it under "Standing alone". A chat in the trash keeps its
--   tasks linked; restoring the chat finds them there.
-- * `position` orders the tasks of one chat (or the standing-alone ones)
--   among themselves, ascending; new tasks go last. Moves take a number
--   between the two neighbours; the service renumbers the group (steps of
--   1024) when no whole number is left between them.
-- * `done_at` is set when a task is ticked and cleared when it is unticked.
-- * Soft delete to the trash like characters and chats (`deleted_at`).
-- * `chat_objectives_on`: a row means the chat lets its open tasks into the
--   prompt as the story's objectives (off by default). A table of its own,
--   like `chat_documents_off`, so the setting needs no change to
--   `chat_sessions` (which branches copy column by column); a branch starts
--   with it off and with no tasks.
-- * `tasks_fts` indexes title and description (external content, by rowid;
--   the trash is filtered at query time, as for characters).

create table tasks (
    id              blob    not null,
    chat_session_id blob,
    title           text    not null,
    description     text    not null default '',
    done            integer not null default 0,
    position        integer not null,
    created_at      integer not null,
    updated_at      integer not null,
    done_at         integer,
    deleted_at      integer,
    constraint pk_tasks primary key (id),
    constraint ck_tasks_id check (length(id) = 16),
    constraint fk_tasks_chat_session foreign key (chat_session_id)
        references chat_sessions (id) on delete set null,
    constraint ck_tasks_title check (length(title) between 1 and 500),
    constraint ck_tasks_description check (length(description) <= 5000),
    constraint ck_tasks_done check (done in (0, 1)),
    constraint ck_tasks_done_at check ((done = 1) = (done_at is not null))
);

-- Serves: "open tasks of a chat", the chat's panel and the prompt's
-- objectives (`where chat_session_id = ? and done = 0 and deleted_at is null
-- order by position, id`), and the next position in a chat.
create index ix_tasks_chat_open on tasks (chat_session_id, position, id)
    where done = 0 and deleted_at is null;
-- Serves: the done tasks of a chat in its panel (`where chat_session_id = ?
-- and done = 1 and deleted_at is null order by done_at desc`), and the
-- set-null when a chat is purged.
create index ix_tasks_chat on tasks (chat_session_id, done, done_at);
-- Serves: "all open tasks", the Tasks screen's default filter
-- (`where done = 0 and deleted_at is null order by updated_at desc, id desc`,
-- keyset pages).
create index ix_tasks_open_updated on tasks (updated_at desc, id desc)
    where done = 0 and deleted_at is null;
-- Serves: the Tasks screen's "Done" and "All" filters (`where deleted_at is
-- null [and done = 1] order by updated_at desc, id desc`, keyset pages).
create index ix_tasks_live_updated on tasks (updated_at desc, id desc)
    where deleted_at is null;
-- Serves: the trash's tasks (`where deleted_at is not null order by
-- updated_at desc, id desc`, keyset pages).
create index ix_tasks_trash_updated on tasks (updated_at desc, id desc)
    where deleted_at is not null;

create table chat_objectives_on (
    chat_session_id blob not null,
    constraint pk_chat_objectives_on primary key (chat_session_id),
    constraint fk_chat_objectives_on_chat foreign key (chat_session_id)
        references chat_sessions (id) on delete cascade
) without rowid;

create virtual table tasks_fts using fts5(
    title, description,
    content = 'tasks',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

create trigger tr_tasks_fts_insert after insert on tasks
begin
    insert into tasks_fts (rowid, title, description)
    values (new.rowid, new.title, new.description);
end;

create trigger tr_tasks_fts_delete after delete on tasks
begin
    insert into tasks_fts (tasks_fts, rowid, title, description)
    values ('delete', old.rowid, old.title, old.description);
end;

create trigger tr_tasks_fts_update after update of title, description on tasks
when old.title is not new.title or old.description is not new.description
begin
    insert into tasks_fts (tasks_fts, rowid, title, description)
    values ('delete', old.rowid, old.title, old.description);
    insert into tasks_fts (rowid, title, description)
    values (new.rowid, new.title, new.description);
end;
