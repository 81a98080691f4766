-- Memory (ARCHITECTURE.md, "Memory"): documents and their chunks, summaries
-- of a chat's older messages, and optional embedding vectors.
--
-- * A document belongs to one scope: a chat, a character, or the whole
--   library. Its extracted text is kept (`content`) so it can be viewed and
--   re-chunked without the original file. Documents are soft-deleted like
--   characters and chats; their chunks stay until the document is purged,
--   and retrieval reads only chunks of live documents.
-- * `document_chunks` has an integer primary key: it is the rowid the
--   external-content FTS index reads text back by, so it never changes.
-- * A chat may turn off a document that would otherwise apply to it (one of
--   its character's or the library's): `chat_documents_off`.
-- * `chat_memories` are summaries tied to a range of `seq`. Editing or
--   deleting a message inside a range marks the entry stale (triggers
--   below, so every path that changes messages is covered).
-- * `embeddings` hold one vector per chunk or message and embedding model,
--   little-endian f32; they go when their chunk or message goes or changes.

create table documents (
    id              blob    not null,
    scope           text    not null,
    chat_session_id blob,
    character_id    blob,
    name            text    not null,
    -- What the text was extracted from: text, markdown, html, pdf, epub.
    kind            text    not null,
    -- The original file's size and SHA-256 (hex), to tell a file added twice.
    byte_size       integer not null,
    sha256          text    not null,
    -- Chunking used for the chunks below, in tokens.
    chunk_size      integer not null,
    chunk_overlap   integer not null,
    chunk_count     integer not null default 0,
    token_count     integer not null default 0,
    created_at      integer not null,
    updated_at      integer not null,
    deleted_at      integer,
    -- The extracted text; read only to view or re-chunk the document.
    content         text    not null,
    constraint pk_documents primary key (id),
    constraint ck_documents_id check (length(id) = 16),
    constraint ck_documents_scope check (scope in ('chat', 'character', 'library')),
    constraint ck_documents_scope_links check (
        (scope = 'chat' and chat_session_id is not null and character_id is null)
        or (scope = 'character' and character_id is not null and chat_session_id is null)
        or (scope = 'library' and chat_session_id is null and character_id is null)),
    constraint fk_documents_chat_session foreign key (chat_session_id)
        references chat_sessions (id) on delete cascade,
    constraint fk_documents_character foreign key (character_id)
        references characters (id) on delete cascade,
    constraint ck_documents_name check (length(name) between 1 and 300),
    constraint ck_documents_kind check (kind in ('text', 'markdown', 'html', 'pdf', 'epub')),
    constraint ck_documents_chunking check (
        chunk_size between 16 and 8192 and chunk_overlap >= 0 and chunk_overlap < chunk_size)
);

-- A chat's documents panel and retrieval in the chat scope.
create index ix_documents_chat on documents (chat_session_id, created_at)
    where chat_session_id is not null;
-- A character's documents (editor tab, retrieval in the character scope).
create index ix_documents_character on documents (character_id, created_at)
    where character_id is not null;
-- The library's documents screen and retrieval in the library scope.
create index ix_documents_library on documents (created_at)
    where scope = 'library';

create table document_chunks (
    id           integer not null,
    document_id  blob    not null,
    chunk_index  integer not null,
    token_count  integer not null,
    -- Where the chunk came from: {"start": byte, "end": byte} in the
    -- document's text, and when known "page" or "section".
    metadata     text    not null default '{}',
    text         text    not null,
    constraint pk_document_chunks primary key (id),
    constraint fk_document_chunks_document foreign key (document_id)
        references documents (id) on delete cascade,
    constraint ck_document_chunks_index check (chunk_index >= 0),
    constraint ck_document_chunks_tokens check (token_count >= 0),
    constraint ck_document_chunks_metadata
        check (json_valid(metadata) and json_type(metadata) = 'object')
);

-- One chunk per place in a document; also the foreign key's index.
create unique index uq_document_chunks_document_index
    on document_chunks (document_id, chunk_index);

create virtual table document_chunks_fts using fts5(
    text,
    content = 'document_chunks',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

create trigger tr_document_chunks_fts_insert after insert on document_chunks
begin
    insert into document_chunks_fts (rowid, text) values (new.id, new.text);
end;

create trigger tr_document_chunks_fts_delete after delete on document_chunks
begin
    insert into document_chunks_fts (document_chunks_fts, rowid, text)
    values ('delete', old.id, old.text);
end;

create trigger tr_document_chunks_fts_update after update of text on document_chunks
begin
    insert into document_chunks_fts (document_chunks_fts, rowid, text)
    values ('delete', old.id, old.text);
    insert into document_chunks_fts (rowid, text) values (new.id, new.text);
end;

create table chat_documents_off (
    chat_session_id blob not null,
    document_id     blob not null,
    constraint pk_chat_documents_off primary key (chat_session_id, document_id),
    constraint fk_chat_documents_off_chat foreign key (chat_session_id)
        references chat_sessions (id) on delete cascade,
    constraint fk_chat_documents_off_document foreign key (document_id)
        references documents (id) on delete cascade
) without rowid;

-- The document's foreign key (purging a document).
create index ix_chat_documents_off_document on chat_documents_off (document_id);

create table chat_memories (
    id              blob    not null,
    chat_session_id blob    not null,
    first_seq       integer not null,
    last_seq        integer not null,
    -- 'model' (a summary) or 'person' (written or edited by the person).
    made_by         text    not null,
    pinned          integer not null default 0,
    -- Set when a message in the range was edited or deleted after.
    stale           integer not null default 0,
    -- The model that wrote it, when a model did.
    ai_model_id     blob,
    created_at      integer not null,
    updated_at      integer not null,
    content         text    not null,
    constraint pk_chat_memories primary key (id),
    constraint ck_chat_memories_id check (length(id) = 16),
    constraint fk_chat_memories_chat foreign key (chat_session_id)
        references chat_sessions (id) on delete cascade,
    constraint fk_chat_memories_model foreign key (ai_model_id)
        references ai_models (id) on delete set null,
    constraint ck_chat_memories_range check (first_seq >= 0 and first_seq <= last_seq),
    constraint ck_chat_memories_made_by check (made_by in ('model', 'person')),
    constraint ck_chat_memories_pinned check (pinned in (0, 1)),
    constraint ck_chat_memories_stale check (stale in (0, 1)),
    constraint ck_chat_memories_content check (length(content) between 1 and 100000)
);

-- The memory panel and the prompt: a chat's entries by range, newest first;
-- the stale triggers' lookup by seq.
create index ix_chat_memories_chat_range
    on chat_memories (chat_session_id, last_seq, first_seq);
create index ix_chat_memories_model on chat_memories (ai_model_id);

-- Stale marking. The `when` keeps the cost off the hot path: a streaming
-- reply's saves update the newest message, which no entry covers, and the
-- lookup is one index probe.
create trigger tr_chat_memories_stale_on_edit after update of content on messages
when old.content is not new.content
 and exists (select 1 from chat_memories c
              where c.chat_session_id = new.chat_session_id
                and c.last_seq >= new.seq and c.first_seq <= new.seq and c.stale = 0)
begin
    update chat_memories set stale = 1
     where chat_session_id = new.chat_session_id
       and last_seq >= new.seq and first_seq <= new.seq;
end;

create trigger tr_chat_memories_stale_on_delete after delete on messages
when exists (select 1 from chat_memories c
              where c.chat_session_id = old.chat_session_id
                and c.last_seq >= old.seq and c.first_seq <= old.seq and c.stale = 0)
begin
    update chat_memories set stale = 1
     where chat_session_id = old.chat_session_id
       and last_seq >= old.seq and first_seq <= old.seq;
end;

create table embeddings (
    -- 'chunk' (document_chunks.id) or 'message' (messages.rowid).
    owner_kind  text    not null,
    owner_rowid integer not null,
    -- The embedding model's `ai_models.id`; vectors of different models
    -- never mix.
    ai_model_id blob    not null,
    dims        integer not null,
    vector      blob    not null,
    created_at  integer not null,
    constraint pk_embeddings primary key (ai_model_id, owner_kind, owner_rowid),
    constraint fk_embeddings_model foreign key (ai_model_id)
        references ai_models (id) on delete cascade,
    constraint ck_embeddings_owner_kind check (owner_kind in ('chunk', 'message')),
    constraint ck_embeddings_vector check (dims > 0 and length(vector) = dims * 4)
) without rowid;

-- The triggers below find a chunk's or message's vectors by owner.
create index ix_embeddings_owner on embeddings (owner_kind, owner_rowid);

create trigger tr_embeddings_chunk_delete after delete on document_chunks
begin
    delete from embeddings where owner_kind = 'chunk' and owner_rowid = old.id;
end;

create trigger tr_embeddings_message_delete after delete on messages
when exists (select 1 from embeddings e
              where e.owner_kind = 'message' and e.owner_rowid = old.rowid)
begin
    delete from embeddings where owner_kind = 'message' and owner_rowid = old.rowid;
end;

create trigger tr_embeddings_message_edit after update of content on messages
when old.content is not new.content
 and exists (select 1 from embeddings e
              where e.owner_kind = 'message' and e.owner_rowid = new.rowid)
begin
    delete from embeddings where owner_kind = 'message' and owner_rowid = new.rowid;
end;
