alter table chat_sessions drop column authors_note;
