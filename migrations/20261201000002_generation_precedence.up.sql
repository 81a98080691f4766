-- One order for generation settings: the chat's own overrides, then the
-- model, then Settings (`services/generation_params.rs` is the one place that
-- applies it).
--
-- 1. `ai_models.context_length` and `max_output_tokens` become nullable:
--    NULL means "inherit from Settings". Existing models KEEP their stored
--    values, even the ones equal to the old column defaults (8192 / 1024):
--    a person may have typed exactly those numbers, and the database cannot
--    tell a typed 8192 from a defaulted one. Turning them into NULL would
--    silently change what those models send once Settings are edited. New
--    models saved with the fields empty get NULL.
--
--    SQLite cannot change a column's nullability, so the table is rebuilt
--    (create new, copy, drop, rename, recreate the index), keeping every
--    constraint name of 20261123000001_initial. sqlx runs a migration inside
--    a transaction, where `pragma foreign_keys = off` is a no-op, so foreign
--    keys stay enforced: `drop table ai_models` then deletes its rows first
--    and the `on delete set null` actions of `chat_sessions.ai_model_id` and
--    `application_settings.default_ai_model_id` fire. Those links are saved
--    before the drop and put back after the rename (the ids are unchanged, so
--    the restored links satisfy the foreign keys). No trigger watches those
--    columns. The other tables' foreign keys name `ai_models`, which resolves
--    to the renamed table.
--
-- 2. `chat_sessions.generation`: the chat's overrides, one JSON object with
--    any of contextLength, maxOutputTokens, temperature, topP, topK, minP,
--    frequencyPenalty, presencePenalty, repetitionPenalty (camelCase, as the
--    window sends them); a missing key means "inherit". One JSON column and
--    not nine typed ones because the overrides are read and written together,
--    always through the chat service that checks them with the same ranges
--    as a model's values (`services/validate.rs`), most chats have none
--    (`{}`), and a sampling parameter added later needs no table change.
--    `add column` needs no rebuild; its check is tied to the column, so the
--    down migration can drop it.

-- Links to models that the drop below would clear.
create temp table kept_chat_models as
select id, ai_model_id from chat_sessions where ai_model_id is not null;

create temp table kept_default_model as
select default_ai_model_id from application_settings
 where id = 1 and default_ai_model_id is not null;

create table ai_models_new (
    id                 blob    not null,
    provider_id        blob    not null,
    model_id           text    not null,
    display_name       text    not null,
    -- NULL: inherit from Settings.
    context_length     integer,
    max_output_tokens  integer,
    temperature        real,
    top_p              real,
    top_k              integer,
    min_p              real,
    frequency_penalty  real,
    presence_penalty   real,
    repetition_penalty real,
    created_at         integer not null,
    updated_at         integer not null,
    constraint pk_ai_models primary key (id),
    constraint ck_ai_models_id check (length(id) = 16),
    constraint fk_ai_models_provider foreign key (provider_id)
        references providers (id) on delete cascade,
    constraint ck_ai_models_model_id check (length(model_id) between 1 and 500),
    constraint ck_ai_models_display_name check (length(display_name) between 1 and 200),
    constraint ck_ai_models_context_length
        check (context_length is null or context_length between 256 and 10000000),
    constraint ck_ai_models_max_output_tokens
        check (max_output_tokens is null or max_output_tokens between 1 and 1000000),
    constraint ck_ai_models_temperature check (temperature is null or temperature between 0 and 2),
    constraint ck_ai_models_top_p check (top_p is null or top_p between 0 and 1),
    constraint ck_ai_models_top_k check (top_k is null or top_k >= 0),
    constraint ck_ai_models_min_p check (min_p is null or min_p between 0 and 1),
    constraint ck_ai_models_frequency_penalty
        check (frequency_penalty is null or frequency_penalty between -2 and 2),
    constraint ck_ai_models_presence_penalty
        check (presence_penalty is null or presence_penalty between -2 and 2),
    constraint ck_ai_models_repetition_penalty
        check (repetition_penalty is null or repetition_penalty between 0 and 10)
);

insert into ai_models_new (id, provider_id, model_id, display_name, context_length,
    max_output_tokens, temperature, top_p, top_k, min_p, frequency_penalty,
    presence_penalty, repetition_penalty, created_at, updated_at)
select id, provider_id, model_id, display_name, context_length,
    max_output_tokens, temperature, top_p, top_k, min_p, frequency_penalty,
    presence_penalty, repetition_penalty, created_at, updated_at
  from ai_models;

drop table ai_models;

alter table ai_models_new rename to ai_models;

-- Serves: a provider's model list (`where provider_id = ? order by display_name`)
-- and keeps one row per model id on a provider.
create unique index uq_ai_models_provider_model on ai_models (provider_id, model_id);

update chat_sessions
   set ai_model_id = k.ai_model_id
  from kept_chat_models k
 where chat_sessions.id = k.id;

update application_settings
   set default_ai_model_id = (select k.default_ai_model_id from kept_default_model k)
 where id = 1 and exists (select 1 from kept_default_model);

drop table kept_chat_models;
drop table kept_default_model;

alter table chat_sessions add column generation text not null default '{}'
    constraint ck_chat_sessions_generation
        check (json_valid(generation) and json_type(generation) = 'object');
