-- Reverts 20261202000010_branches: chats forget which chat they were
-- branched from; their messages stay.
drop index ix_chat_sessions_parent_message;
drop index ix_chat_sessions_parent_chat;
alter table chat_sessions drop column parent_title;
alter table chat_sessions drop column parent_seq;
alter table chat_sessions drop column parent_message_id;
alter table chat_sessions drop column parent_chat_id;
