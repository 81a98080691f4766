-- Branches (issue 14): a chat made from another chat's history up to one of
-- its messages remembers where it came from.
--
-- * `parent_chat_id`, `parent_message_id`: the chat and the message it was
--   branched from. Both `on delete set null`: purging the parent (or
--   deleting that message) keeps the branch and all its messages, only the
--   link goes. A chat in the trash keeps its branches linked.
-- * `parent_seq`, `parent_title`: the message's `seq` and the parent's
--   title when the branch was made, kept as words, so a branch whose parent
--   was purged can still say "branched from <title> at message N".
--   The live title is shown while the parent exists.
-- * All nullable: a chat that is not a branch has none of them. `add
--   column` with a `references` clause needs a null default, which these
--   have; the checks are tied to their columns, so the down migration can
--   drop them.

alter table chat_sessions add column parent_chat_id blob
    constraint fk_chat_sessions_parent_chat
        references chat_sessions (id) on delete set null;

alter table chat_sessions add column parent_message_id blob
    constraint fk_chat_sessions_parent_message
        references messages (id) on delete set null;

alter table chat_sessions add column parent_seq integer
    constraint ck_chat_sessions_parent_seq check (parent_seq is null or parent_seq >= 0);

alter table chat_sessions add column parent_title text
    constraint ck_chat_sessions_parent_title
        check (parent_title is null or length(parent_title) <= 500);

-- Serves: a chat's branches (`where parent_chat_id = ? order by created_at`)
-- and the set-null when the parent is purged. Partial: most chats are none.
create index ix_chat_sessions_parent_chat
    on chat_sessions (parent_chat_id, created_at) where parent_chat_id is not null;

-- Serves: the set-null when a message is deleted (every message delete, and
-- purging a chat of 100,000 messages, probes it once per message; without
-- it each probe would read every chat).
create index ix_chat_sessions_parent_message
    on chat_sessions (parent_message_id) where parent_message_id is not null;
