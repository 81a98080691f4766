-- A message moves its chat to the top of the recent list only when it is
-- newer than the chat's last change. Same result as before; but a bulk
-- import of old messages no longer rewrites the chat's row once per
-- message (100,000 needless updates for a 100,000-message chat).
drop trigger tr_messages_touch_chat;

create trigger tr_messages_touch_chat
after insert on messages
for each row
when new.created_at > (select s.updated_at from chat_sessions s where s.id = new.chat_session_id)
begin
    update chat_sessions set updated_at = new.created_at where id = new.chat_session_id;
end;
