-- Reverts 20261202000001_memory: documents, their chunks and index, chat
-- summaries and embeddings go; messages and chats are untouched.

drop trigger if exists tr_embeddings_message_edit;
drop trigger if exists tr_embeddings_message_delete;
drop trigger if exists tr_embeddings_chunk_delete;
drop table if exists embeddings;
drop trigger if exists tr_chat_memories_stale_on_delete;
drop trigger if exists tr_chat_memories_stale_on_edit;
drop table if exists chat_memories;
drop table if exists chat_documents_off;
drop trigger if exists tr_document_chunks_fts_update;
drop trigger if exists tr_document_chunks_fts_delete;
drop trigger if exists tr_document_chunks_fts_insert;
drop table if exists document_chunks_fts;
drop table if exists document_chunks;
drop table if exists documents;
