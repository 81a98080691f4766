drop index ix_messages_speaker;
alter table messages drop column speaker_name;
alter table messages drop column speaker_id;
alter table chat_sessions drop column group_settings;
drop index ix_chat_members_character;
drop table chat_members;
