-- Reverts 20261201000002_generation_precedence: `ai_models.context_length`
-- and `max_output_tokens` become `not null` again and `chat_sessions` loses
-- its overrides (the old schema has nowhere to keep them).
--
-- A model that inherited a value takes the one Settings gave it, so it keeps
-- sending what it sent (the old column default only when the settings row is
-- missing). The table is rebuilt the same way as in the up migration, links
-- from chats and Settings saved and put back around the drop.

create temp table kept_chat_models as
select id, ai_model_id from chat_sessions where ai_model_id is not null;

create temp table kept_default_model as
select default_ai_model_id from application_settings
 where id = 1 and default_ai_model_id is not null;

create table ai_models_old (
    id                 blob    not null,
    provider_id        blob    not null,
    model_id           text    not null,
    display_name       text    not null,
    context_length     integer not null default 8192,
    max_output_tokens  integer not null default 1024,
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
    constraint ck_ai_models_context_length check (context_length between 256 and 10000000),
    constraint ck_ai_models_max_output_tokens check (max_output_tokens between 1 and 1000000),
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

insert into ai_models_old (id, provider_id, model_id, display_name, context_length,
    max_output_tokens, temperature, top_p, top_k, min_p, frequency_penalty,
    presence_penalty, repetition_penalty, created_at, updated_at)
select m.id, m.provider_id, m.model_id, m.display_name,
    coalesce(m.context_length,
             (select s.context_length from application_settings s where s.id = 1), 8192),
    coalesce(m.max_output_tokens,
             (select s.max_output_tokens from application_settings s where s.id = 1), 1024),
    m.temperature, m.top_p, m.top_k, m.min_p, m.frequency_penalty,
    m.presence_penalty, m.repetition_penalty, m.created_at, m.updated_at
  from ai_models m;

drop table ai_models;

alter table ai_models_old rename to ai_models;

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

alter table chat_sessions drop column generation;
