-- A model's fixed sampling seed (NULL: a new random seed for every reply).
-- Chats keep theirs in their overrides JSON, which needs no column.
alter table ai_models add column seed integer;
