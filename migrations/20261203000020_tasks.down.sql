-- Reverts 20261203000020_tasks: tasks, their index and the chats' objectives
-- setting go; chats are untouched.

drop trigger if exists tr_tasks_fts_update;
drop trigger if exists tr_tasks_fts_delete;
drop trigger if exists tr_tasks_fts_insert;
drop table if exists tasks_fts;
drop table if exists chat_objectives_on;
drop table if exists tasks;
