//! Repositories against real SQLite with the real migrations: CRUD,
//! constraints, cascades, soft delete, ordering and keyset pages.

mod common;

use std::collections::HashSet;

use parley::error::AppError;
use parley::models::{
    new_id, Character, CharacterInput, ChatSessionInput, DeletedFilter, Direction, ListQuery,
    MessageRole, MessageStatus, SortBy, Timestamp,
};
use parley::repos::{self, message::NewMessage, Table};
use serde_json::json;

#[tokio::test]
async fn character_crud_round_trips_every_field() {
    let pool = common::pool().await;
    let id = new_id();
    let input = CharacterInput {
        name: "Mira".into(),
        description: "A captain".into(),
        personality: "dry".into(),
        scenario: "a ship".into(),
        first_message: "Hello".into(),
        example_messages: "<START>\n{{user}}: hi".into(),
        alternate_greetings: vec!["Hey".into(), "Yo".into()],
        system_prompt: "Be Mira".into(),
        post_history_instructions: "Stay in character".into(),
        creator_notes: "notes".into(),
        tags: vec!["sci-fi".into()],
        creator: "me".into(),
        character_version: "2".into(),
        extensions: Some(json!({"depth_prompt": {"depth": 4}, "unknown": [1, 2]})),
        character_book: Some(json!({"entries": []})),
    };
    let now = Timestamp::now();
    repos::character::insert(&pool, id, &input, now)
        .await
        .unwrap();
    let got = repos::character::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(got.name, "Mira");
    assert_eq!(got.alternate_greetings.0, vec!["Hey", "Yo"]);
    assert_eq!(got.extensions.0["unknown"], json!([1, 2]));
    assert_eq!(
        got.character_book.as_ref().unwrap().0,
        json!({"entries": []})
    );
    assert_eq!(got.created_at, now);

    // An update without extensions keeps the stored ones.
    let edit = CharacterInput {
        name: "Mira Voss".into(),
        extensions: None,
        ..input.clone()
    };
    let got = repos::character::update(&pool, id, &edit, Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.name, "Mira Voss");
    assert_eq!(got.extensions.0["depth_prompt"]["depth"], json!(4));

    assert!(repos::purge(&pool, Table::Characters, id).await.unwrap());
    assert!(repos::character::get(&pool, id).await.unwrap().is_none());
    assert!(!repos::purge(&pool, Table::Characters, id).await.unwrap());
}

#[tokio::test]
async fn check_constraints_map_to_field_named_validation_errors() {
    let pool = common::pool().await;
    let input = CharacterInput {
        name: String::new(),
        ..Default::default()
    };
    let err = repos::character::insert(&pool, new_id(), &input, Timestamp::now())
        .await
        .unwrap_err();
    match err {
        AppError::Validation { field, .. } => assert_eq!(field, "name"),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn unique_and_foreign_key_violations_are_mapped() {
    let pool = common::pool().await;
    let p = parley::models::ProviderInput {
        name: "Local".into(),
        kind: parley::models::ProviderKind::Ollama,
        base_url: "http://localhost:11434/v1".into(),
        api_key: None,
    };
    repos::provider::insert(&pool, new_id(), &p, Timestamp::now())
        .await
        .unwrap();
    let dup = repos::provider::insert(&pool, new_id(), &p, Timestamp::now())
        .await
        .unwrap_err();
    assert_eq!(dup.kind(), "ConflictError", "{dup:?}");

    let chat = ChatSessionInput {
        title: "x".into(),
        character_id: Some(new_id()),
        ..Default::default()
    };
    let fk = repos::chat_session::insert(&pool, new_id(), &chat, Timestamp::now())
        .await
        .unwrap_err();
    assert_eq!(fk.kind(), "ValidationError", "{fk:?}");
}

#[tokio::test]
async fn soft_delete_hides_restore_brings_back() {
    let pool = common::pool().await;
    let a = common::new_character(&pool, "Alpha").await;
    let b = common::new_character(&pool, "Beta").await;
    assert!(
        repos::soft_delete(&pool, Table::Characters, a, Timestamp::now())
            .await
            .unwrap()
    );
    assert!(
        !repos::soft_delete(&pool, Table::Characters, a, Timestamp::now())
            .await
            .unwrap()
    );

    let live = repos::character::list(&pool, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(live.items.iter().map(|c| c.id).collect::<Vec<_>>(), vec![b]);
    let trash = repos::character::list(
        &pool,
        &ListQuery {
            deleted: DeletedFilter::Deleted,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(trash.items.len(), 1);
    assert_eq!(trash.items[0].id, a);
    assert!(trash.items[0].deleted_at.is_some());

    let back: Character = repos::restore(&pool, a, Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    assert!(back.deleted_at.is_none());
    assert!(repos::restore::<Character, _>(&pool, a, Timestamp::now())
        .await
        .unwrap()
        .is_none());
    let live = repos::character::list(&pool, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(live.items.len(), 2);
}

#[tokio::test]
async fn keyset_pages_cover_every_row_once_in_order() {
    let pool = common::pool().await;
    // Many rows share one timestamp: the id breaks the tie.
    let now = Timestamp::now();
    for i in 0..37 {
        let input = parley::models::CharacterInput {
            name: format!("C{:02}", 36 - i),
            ..Default::default()
        };
        repos::character::insert(&pool, new_id(), &input, now)
            .await
            .unwrap();
    }
    for (sort, direction) in [
        (SortBy::Updated, None),
        (SortBy::Name, None),
        (SortBy::Name, Some(Direction::Desc)),
        (SortBy::Created, Some(Direction::Asc)),
    ] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = repos::character::list(
                &pool,
                &ListQuery {
                    sort,
                    direction,
                    limit: Some(10),
                    cursor: cursor.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            assert!(page.items.len() <= 10);
            seen.extend(page.items.into_iter().map(|c| (c.name, c.id)));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 37, "{sort:?} {direction:?}");
        let unique: HashSet<_> = seen.iter().map(|(_, id)| *id).collect();
        assert_eq!(unique.len(), 37, "duplicates across pages for {sort:?}");
        if sort == SortBy::Name {
            let names: Vec<_> = seen.iter().map(|(n, _)| n.clone()).collect();
            let mut sorted = names.clone();
            sorted.sort();
            if direction == Some(Direction::Desc) {
                sorted.reverse();
            }
            assert_eq!(names, sorted);
        }
    }
}

#[tokio::test]
async fn list_filters_by_search_and_tag() {
    let pool = common::pool().await;
    for (name, tags) in [
        ("Luna", vec!["fantasy"]),
        ("Lunar Base AI", vec!["sci-fi"]),
        ("Bob", vec![]),
    ] {
        let input = CharacterInput {
            name: name.into(),
            tags: tags.into_iter().map(String::from).collect(),
            ..Default::default()
        };
        repos::character::insert(&pool, new_id(), &input, Timestamp::now())
            .await
            .unwrap();
    }
    let q = |search: Option<&str>, tag: Option<&str>| ListQuery {
        search: search.map(String::from),
        tag: tag.map(String::from),
        sort: SortBy::Name,
        ..Default::default()
    };
    let names = |p: parley::models::Page<parley::models::CharacterSummary>| {
        p.items.into_iter().map(|c| c.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            repos::character::list(&pool, &q(Some("lun"), None))
                .await
                .unwrap()
        ),
        ["Luna", "Lunar Base AI"]
    );
    assert_eq!(
        names(
            repos::character::list(&pool, &q(None, Some("SCI-FI")))
                .await
                .unwrap()
        ),
        ["Lunar Base AI"]
    );
    // LIKE wildcards in the search are taken literally.
    assert!(repos::character::list(&pool, &q(Some("%"), None))
        .await
        .unwrap()
        .items
        .is_empty());
}

async fn append(pool: &sqlx::SqlitePool, chat: parley::models::Id, text: &str, at: i64) -> i64 {
    let mut conn = pool.acquire().await.unwrap();
    repos::message::append(
        &mut conn,
        &NewMessage {
            id: new_id(),
            chat_session_id: chat,
            role: MessageRole::User,
            status: MessageStatus::Completed,
            content: text,
            metadata: &json!({}),
            created_at: Timestamp::from_millis(at),
            speaker_id: None,
            speaker_name: None,
        },
    )
    .await
    .unwrap()
    .seq
}

#[tokio::test]
async fn messages_come_in_seq_order_last_n_and_page_before() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    for i in 0..25 {
        assert_eq!(append(&pool, chat, &format!("m{i}"), 1_000 + i).await, i);
    }
    let (last, more) = repos::message::page(&pool, chat, None, 10).await.unwrap();
    assert!(more);
    assert_eq!(
        last.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (15..25).collect::<Vec<_>>()
    );
    assert_eq!(last[0].content, "m15");

    let (before, more) = repos::message::page(&pool, chat, Some(15), 10)
        .await
        .unwrap();
    assert!(more);
    assert_eq!(before.first().unwrap().seq, 5);
    assert_eq!(before.last().unwrap().seq, 14);

    let (first, more) = repos::message::page(&pool, chat, Some(5), 10)
        .await
        .unwrap();
    assert!(!more, "the first page says there is nothing earlier");
    assert_eq!(
        first.iter().map(|m| m.seq).collect::<Vec<_>>(),
        (0..5).collect::<Vec<_>>()
    );

    let from = repos::message::page_from(&pool, chat, 20, 3).await.unwrap();
    assert_eq!(
        from.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![20, 21, 22]
    );
}

#[tokio::test]
async fn adding_a_message_moves_the_chat_to_the_top() {
    let pool = common::pool().await;
    let older = common::new_chat(&pool, None).await;
    let newer = common::new_chat(&pool, None).await;
    let list = repos::chat_session::list(&pool, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(list.items[0].id, newer);

    let later = Timestamp::now().millis() + 60_000;
    append(&pool, older, "bump", later).await;
    let chat = repos::chat_session::get(&pool, older)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        chat.updated_at.millis(),
        later,
        "the trigger moved updated_at"
    );
    let list = repos::chat_session::list(&pool, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(list.items[0].id, older);
    assert_eq!(list.items[0].last_message.as_deref(), Some("bump"));
}

#[tokio::test]
async fn purging_a_chat_removes_its_messages_and_swipes() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    append(&pool, chat, "one", 1).await;
    let (msgs, _) = repos::message::page(&pool, chat, None, 10).await.unwrap();
    let mut conn = pool.acquire().await.unwrap();
    repos::message::add_swipe(
        &mut conn,
        new_id(),
        msgs[0].id,
        "alt",
        &json!({}),
        Timestamp::now(),
    )
    .await
    .unwrap();
    drop(conn);
    assert!(repos::purge(&pool, Table::ChatSessions, chat)
        .await
        .unwrap());
    let left: (i64, i64) = sqlx::query_as(
        "select (select count(*) from messages), (select count(*) from message_swipes)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, (0, 0));
}

#[tokio::test]
async fn purging_a_character_keeps_its_chats_and_messages() {
    let pool = common::pool().await;
    let c = common::new_character(&pool, "Gone").await;
    let chat = common::new_chat(&pool, Some(c)).await;
    append(&pool, chat, "keep me", 1).await;
    repos::purge(&pool, Table::Characters, c).await.unwrap();
    let chat_row = repos::chat_session::get(&pool, chat)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chat_row.character_id, None);
    assert_eq!(repos::message::count(&pool, chat).await.unwrap(), 1);
}

#[tokio::test]
async fn deleting_a_provider_removes_its_models_and_chats_keep_working() {
    let pool = common::pool().await;
    let provider = new_id();
    repos::provider::insert(
        &pool,
        provider,
        &parley::models::ProviderInput {
            name: "P".into(),
            kind: parley::models::ProviderKind::OpenaiCompatible,
            base_url: "http://localhost:1234/v1".into(),
            api_key: None,
        },
        Timestamp::now(),
    )
    .await
    .unwrap();
    let model = parley::services::ai_model::create(
        &pool,
        parley::models::AiModelInput {
            provider_id: Some(provider),
            model_id: "m".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let chat = parley::services::chat_session::create(
        &pool,
        ChatSessionInput {
            ai_model_id: Some(model.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    repos::purge(&pool, Table::Providers, provider)
        .await
        .unwrap();
    assert!(repos::ai_model::get(&pool, model.id)
        .await
        .unwrap()
        .is_none());
    let chat = repos::chat_session::get(&pool, chat.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(chat.ai_model_id, None);
}

#[tokio::test]
async fn swipes_switch_the_shown_content() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    append(&pool, chat, "first", 1).await;
    let (msgs, _) = repos::message::page(&pool, chat, None, 1).await.unwrap();
    let id = msgs[0].id;
    let mut conn = pool.acquire().await.unwrap();
    for text in ["first", "second", "third"] {
        repos::message::add_swipe(&mut conn, new_id(), id, text, &json!({}), Timestamp::now())
            .await
            .unwrap();
    }
    drop(conn);
    assert!(
        repos::message::set_active_swipe(&pool, id, 2, Timestamp::now())
            .await
            .unwrap()
    );
    let m = repos::message::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(
        (m.content.as_str(), m.active_swipe, m.swipe_count),
        ("third", 2, 3)
    );
    assert!(
        !repos::message::set_active_swipe(&pool, id, 9, Timestamp::now())
            .await
            .unwrap()
    );
    let swipes = repos::message::swipes(&pool, id).await.unwrap();
    assert_eq!(
        swipes.iter().map(|s| s.swipe_index).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
}

#[tokio::test]
async fn a_locked_database_says_busy_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("parley.db");
    let (pool, _) = parley::db::open(&path).await.unwrap();
    // Another writer holds the write lock...
    let mut holder = pool.acquire().await.unwrap();
    sqlx::query("begin immediate")
        .execute(&mut *holder)
        .await
        .unwrap();

    // ...and this one gives up after 50 ms instead of the app's 5 s.
    let impatient = sqlx::SqlitePool::connect_with(
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .busy_timeout(std::time::Duration::from_millis(50)),
    )
    .await
    .unwrap();
    let input = parley::models::CharacterInput {
        name: "Blocked".into(),
        ..Default::default()
    };
    let err = repos::character::insert(&impatient, new_id(), &input, Timestamp::now())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "DatabaseError");
    assert!(err.to_string().contains("busy"), "{err}");
    let err = err.context("save the character");
    assert!(
        err.to_string()
            .starts_with("could not save the character: the database is busy"),
        "{err}"
    );

    sqlx::query("rollback").execute(&mut *holder).await.unwrap();
    repos::character::insert(&impatient, new_id(), &input, Timestamp::now())
        .await
        .expect("works once the lock is gone");
}

#[tokio::test]
async fn chat_overrides_are_stored_as_the_keys_that_are_set_and_read_back() {
    let pool = common::pool().await;
    let id = new_id();
    let mut input = ChatSessionInput {
        title: "Tuned".into(),
        ..Default::default()
    };
    repos::chat_session::insert(&pool, id, &input, Timestamp::now())
        .await
        .unwrap();
    let stored = || async {
        sqlx::query_scalar::<_, String>("select generation from chat_sessions where id = ?1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(stored().await, "{}", "no overrides: an empty object");

    let overrides = parley::models::ChatOverrides {
        max_output_tokens: Some(300),
        params: parley::models::SamplingParams {
            temperature: Some(0.0),
            ..Default::default()
        },
        ..Default::default()
    };
    input.generation = Some(overrides);
    repos::chat_session::update(&pool, id, &input, Timestamp::now())
        .await
        .unwrap();
    let text = stored().await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        json!({ "maxOutputTokens": 300, "temperature": 0.0 }),
        "only the keys that are set, camelCase: {text}"
    );
    let chat = repos::chat_session::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(chat.generation, overrides);

    // An update without overrides keeps them.
    input.generation = None;
    repos::chat_session::update(&pool, id, &input, Timestamp::now())
        .await
        .unwrap();
    let chat = repos::chat_session::get(&pool, id).await.unwrap().unwrap();
    assert_eq!(chat.generation, overrides);
}

#[tokio::test]
async fn a_model_without_limits_is_stored_with_nulls() {
    let pool = common::pool().await;
    let model = common::provider_with_model(
        &pool,
        "P",
        parley::models::ProviderKind::Ollama,
        "http://localhost:11434/v1",
        "m",
        None,
    )
    .await;
    let nulls: (Option<i64>, Option<i64>) =
        sqlx::query_as("select context_length, max_output_tokens from ai_models where id = ?1")
            .bind(model.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(nulls, (None, None));
}
