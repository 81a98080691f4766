drop trigger tr_messages_touch_chat;

create trigger tr_messages_touch_chat
after insert on messages
for each row
begin
    update chat_sessions
       set updated_at = max(updated_at, new.created_at)
     where id = new.chat_session_id;
end;
