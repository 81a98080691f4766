-- Character cards in and out, losslessly, and SillyTavern chats.
--
-- * `characters.card_json`: the card object as it was imported (V1 flat, or
--   V2/V3 with `spec`/`data`), verbatim. Export starts from it and overwrites
--   only the fields Parley edits, so unknown fields survive a round trip.
--   Null for characters made in Parley.
-- * `characters.thumbnail`: a small PNG of the avatar for list rows (the
--   avatar itself may be megabytes and is never read by lists).
-- * `chat_sessions.metadata`: what an imported chat carried that Parley has
--   no column for (SillyTavern's header line), kept for export.

alter table characters add column card_json text
    constraint ck_characters_card_json
        check (card_json is null or (json_valid(card_json) and json_type(card_json) = 'object'));

alter table characters add column thumbnail blob;

alter table chat_sessions add column metadata text not null default '{}'
    constraint ck_chat_sessions_metadata
        check (json_valid(metadata) and json_type(metadata) = 'object');
