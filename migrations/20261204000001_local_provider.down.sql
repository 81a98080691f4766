-- no-transaction
-- Back to the five kinds: "This computer", the text-completion servers
-- and their models go (its models'
-- chats keep their messages and fall back to no model, as when any
-- provider is deleted), then `providers` is rebuilt as 20261123000001 made it.
delete from providers where kind in ('local', 'koboldcpp', 'llamacpp', 'text_completion');
pragma foreign_keys = off;
begin;
create table providers_old (
    id         blob    not null,
    name       text    not null,
    kind       text    not null,
    base_url   text    not null,
    created_at integer not null,
    updated_at integer not null,
    constraint pk_providers primary key (id),
    constraint ck_providers_id check (length(id) = 16),
    constraint ck_providers_name check (length(name) between 1 and 200),
    constraint ck_providers_kind
        check (kind in ('openai_compatible', 'openrouter', 'anthropic', 'glm', 'ollama')),
    constraint ck_providers_base_url check (length(base_url) between 1 and 2000)
);
insert into providers_old (id, name, kind, base_url, created_at, updated_at)
select id, name, kind, base_url, created_at, updated_at from providers;
drop table providers;
alter table providers_old rename to providers;
create unique index uq_providers_name on providers (name collate nocase);
commit;
pragma foreign_keys = on;
