alter table chat_sessions drop column metadata;
alter table characters drop column thumbnail;
alter table characters drop column card_json;
