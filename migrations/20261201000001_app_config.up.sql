-- Key-value preferences (ARCHITECTURE.md's `app_config`): one row per key
-- that has been set. A key with no row has its default, which lives with
-- its description in the typed registry of `services/app_config.rs`; the
-- description is copied here so the file explains itself in any SQLite
-- shell. Secrets never go here (they are in the keychain or the key file).

create table app_config (
    key         text    not null,
    -- JSON text: a string, number, boolean, array or object.
    value       text    not null,
    description text    not null default '',
    updated_at  integer not null,
    constraint pk_app_config primary key (key),
    constraint ck_app_config_key check (length(key) between 1 and 200),
    constraint ck_app_config_value check (json_valid(value))
) without rowid;
-- No other index: every query reads one key through the primary key.
