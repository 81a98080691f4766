-- no-transaction
-- Four provider kinds. "This computer" (`local`): GGUF models run inside
-- Parley (`ai::llama`); its `base_url` holds Parley's models folder, and
-- its models' `model_id` is the path of a `.gguf` file. And three
-- text-completion APIs (`ai::text_completion`): KoboldCpp's own
-- (`koboldcpp`), llama.cpp's `/completion` (`llamacpp`) and
-- OpenAI-compatible `/v1/completions` (`text_completion`).
--
-- SQLite cannot change a check constraint, so `providers` is rebuilt, with
-- every constraint name of 20261123000001_initial. Unlike the
-- ai_models rebuild of 20261201000002 this runs outside sqlx's transaction
-- ("-- no-transaction" above), because `drop table providers` with foreign
-- keys on would cascade to every model of every provider. Foreign keys are
-- turned off only for the rebuild, which is its own transaction; ids are
-- kept, so every `ai_models.provider_id` still points at its provider.
pragma foreign_keys = off;
begin;
create table providers_new (
    id         blob    not null,
    name       text    not null,
    kind       text    not null,
    base_url   text    not null,
    created_at integer not null,
    updated_at integer not null,
    -- The API key is NOT here: it lives in the OS keychain or the app's store.
    constraint pk_providers primary key (id),
    constraint ck_providers_id check (length(id) = 16),
    constraint ck_providers_name check (length(name) between 1 and 200),
    constraint ck_providers_kind
        check (kind in ('openai_compatible', 'openrouter', 'anthropic', 'glm', 'ollama',
                         'local', 'koboldcpp', 'llamacpp', 'text_completion')),
    constraint ck_providers_base_url check (length(base_url) between 1 and 2000)
);
insert into providers_new (id, name, kind, base_url, created_at, updated_at)
select id, name, kind, base_url, created_at, updated_at from providers;
drop table providers;
alter table providers_new rename to providers;
-- Serves: uniqueness of provider names and the provider list sorted by name.
create unique index uq_providers_name on providers (name collate nocase);
commit;
pragma foreign_keys = on;
