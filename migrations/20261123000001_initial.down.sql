-- Reverts 20261123000001_initial: drops every table of the first schema.
-- Children before parents so foreign keys never block a drop.
drop trigger if exists tr_messages_touch_chat;
drop table if exists application_settings;
drop table if exists message_swipes;
drop table if exists messages;
drop table if exists chat_sessions;
drop table if exists system_prompts;
drop table if exists ai_models;
drop table if exists providers;
drop table if exists user_profiles;
drop table if exists characters;
