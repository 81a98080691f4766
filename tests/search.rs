//! Full-text search and long-chat paging: what is found, in which order,
//! with which highlights, and that the index follows every edit, delete,
//! trash and restore.

mod common;

use parley::db::MIGRATOR;
use parley::models::{CharacterInput, Id, MessageRole, MessageStatus, Timestamp};
use parley::repos;
use parley::services::search::{search, SearchQuery, SearchResults};
use parley::services::{character, chat_session, message};
use sqlx::SqlitePool;

async fn find(pool: &SqlitePool, q: &str) -> SearchResults {
    search(
        pool,
        &SearchQuery {
            query: q.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn found(pool: &SqlitePool, q: &str) -> Vec<Id> {
    find(pool, q)
        .await
        .messages
        .iter()
        .map(|h| h.message_id)
        .collect()
}

async fn index_is_consistent(pool: &SqlitePool) {
    // The index's own structure, and for characters (all indexed) its
    // agreement with the table.
    for (table, rank) in [("messages_fts", 0), ("characters_fts", 1)] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "insert into {table} ({table}, rank) values ('integrity-check', {rank})"
        )))
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{table} is inconsistent: {e}"));
    }
    // Messages: exactly the finished rows of live chats are indexed.
    let indexed: Vec<i64> = sqlx::query_scalar("select id from messages_fts_docsize order by id")
        .fetch_all(pool)
        .await
        .unwrap();
    let live: Vec<i64> = sqlx::query_scalar(
        "select m.rowid from messages m join chat_sessions s on s.id = m.chat_session_id
          where s.deleted_at is null and m.status not in ('pending', 'streaming')
          order by m.rowid",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        indexed, live,
        "the index holds exactly the live chats' finished messages"
    );
}

#[tokio::test]
async fn words_prefixes_and_phrases_find_their_messages() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let red_dragon = common::say(&pool, chat, "The red dragon sleeps on gold.").await;
    let fox = common::say(&pool, chat, "A dragon met a red fox.").await;
    let fly = common::say(&pool, chat, "Dragonfly wings shimmer.").await;
    common::say(&pool, chat, "Nothing to see here.").await;

    let mut dragon = found(&pool, "dragon").await;
    dragon.sort();
    let mut expected = vec![red_dragon, fox];
    expected.sort();
    assert_eq!(dragon, expected, "whole words only");
    assert_eq!(found(&pool, "drag*").await.len(), 3, "a prefix");
    assert_eq!(
        found(&pool, "\"red dragon\"").await,
        vec![red_dragon],
        "a phrase"
    );
    assert_eq!(
        found(&pool, "red fox").await,
        vec![fox],
        "every word must match"
    );
    assert_eq!(found(&pool, "DRAGONFLY").await, vec![fly], "any case");
    assert!(found(&pool, "unicorn").await.is_empty());
}

#[tokio::test]
async fn operators_and_stray_quotes_are_just_text() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let id = common::say(&pool, chat, "NOT a problem: x-ray AND co").await;
    for q in ["NOT", "x-ray", "problem:", "\"AND co", "(co", "x-ray)"] {
        let r = search(
            &pool,
            &SearchQuery {
                query: q.into(),
                ..Default::default()
            },
        )
        .await;
        let hits = r.unwrap_or_else(|e| panic!("{q}: {e}")).messages;
        assert!(hits.iter().any(|h| h.message_id == id), "{q}");
    }
    for q in ["NEAR(co", "a OR", "*", "\"\"", "^x", "co + -"] {
        search(
            &pool,
            &SearchQuery {
                query: q.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

#[tokio::test]
async fn accents_fold_both_ways() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let cafe = common::say(&pool, chat, "Meet me at the Café Noël.").await;
    let naive = common::say(&pool, chat, "a naive plan").await;
    assert_eq!(found(&pool, "cafe noel").await, vec![cafe]);
    assert_eq!(found(&pool, "CAFÉ").await, vec![cafe]);
    assert_eq!(found(&pool, "naïve").await, vec![naive]);
}

#[tokio::test]
async fn the_closest_match_ranks_first_and_is_highlighted() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let filler = "and then the story went on about many other things entirely ".repeat(4);
    let weak = common::say(&pool, chat, &format!("A lantern, {filler}")).await;
    let strong = common::say(&pool, chat, "Lantern light, lantern smoke, lantern.").await;
    let hits = find(&pool, "lantern").await.messages;
    assert_eq!(
        hits.iter().map(|h| h.message_id).collect::<Vec<_>>(),
        vec![strong, weak]
    );
    assert!(
        hits[0].snippet.contains("\u{2}Lantern\u{3} light"),
        "{:?}",
        hits[0].snippet
    );
    assert!(!hits[0].snippet.contains('<'));
}

#[tokio::test]
async fn hits_say_where_they_are() {
    let pool = common::pool().await;
    let mira = common::new_character(&pool, "Mira").await;
    let chat = common::new_chat(&pool, Some(mira)).await;
    common::say(&pool, chat, "first").await;
    let id = common::say(&pool, chat, "the compass points north").await;
    let hit = &find(&pool, "compass").await.messages[0];
    assert_eq!(hit.message_id, id);
    assert_eq!(hit.chat_id, chat);
    assert_eq!(hit.character_name.as_deref(), Some("Mira"));
    assert_eq!(hit.chat_title, "Chat with Mira");
    let window = message::page_around(&pool, chat, hit.message_id, Some(10))
        .await
        .unwrap();
    assert!(window.items.iter().any(|m| m.id == id));
}

#[tokio::test]
async fn filters_narrow_by_character_and_date() {
    let pool = common::pool().await;
    let a = common::new_character(&pool, "Ann").await;
    let b = common::new_character(&pool, "Bo").await;
    let chat_a = common::new_chat(&pool, Some(a)).await;
    let chat_b = common::new_chat(&pool, Some(b)).await;
    let in_a = common::say(&pool, chat_a, "storm warning").await;
    let in_b = common::say(&pool, chat_b, "storm warning").await;
    let only = |character_id, from, to| SearchQuery {
        query: "storm".into(),
        character_id,
        from,
        to,
        limit: None,
    };
    let ids = |r: SearchResults| r.messages.iter().map(|h| h.message_id).collect::<Vec<_>>();
    assert_eq!(
        ids(search(&pool, &only(Some(a), None, None)).await.unwrap()),
        vec![in_a]
    );
    assert_eq!(
        ids(search(&pool, &only(Some(b), None, None)).await.unwrap()),
        vec![in_b]
    );
    let future = Timestamp::from_millis(Timestamp::now().millis() + 86_400_000);
    assert!(ids(search(&pool, &only(None, Some(future), None))
        .await
        .unwrap())
    .is_empty());
    let past = Timestamp::from_millis(0);
    assert_eq!(
        ids(search(&pool, &only(None, Some(past), Some(future)))
            .await
            .unwrap())
        .len(),
        2
    );
    let backwards = search(&pool, &only(None, Some(future), Some(past)))
        .await
        .unwrap_err();
    assert_eq!(
        backwards.to_string(),
        "the end date is before the start date"
    );
}

#[tokio::test]
async fn the_index_follows_edits_swipes_deletes_and_the_trash() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let id = common::say(&pool, chat, "an apple a day").await;
    message::update(&pool, id, "a banana a day").await.unwrap();
    assert!(found(&pool, "apple").await.is_empty(), "old text leaves");
    assert_eq!(found(&pool, "banana").await, vec![id]);

    let swiped = message::add_swipe(&pool, id, "a cherry a day")
        .await
        .unwrap();
    message::set_swipe(&pool, id, swiped.swipe_count - 1)
        .await
        .unwrap();
    assert_eq!(
        found(&pool, "cherry").await,
        vec![id],
        "the shown swipe is found"
    );
    assert!(found(&pool, "banana").await.is_empty());

    chat_session::delete(&pool, chat).await.unwrap();
    assert!(
        found(&pool, "cherry").await.is_empty(),
        "a chat in the trash leaves"
    );
    index_is_consistent(&pool).await;
    chat_session::restore(&pool, chat).await.unwrap();
    assert_eq!(found(&pool, "cherry").await, vec![id], "and comes back");

    message::delete(&pool, id).await.unwrap();
    assert!(found(&pool, "cherry").await.is_empty());

    let other = common::new_chat(&pool, None).await;
    common::say(&pool, other, "pear").await;
    chat_session::delete(&pool, other).await.unwrap();
    chat_session::purge(&pool, other).await.unwrap();
    assert!(found(&pool, "pear").await.is_empty());
    index_is_consistent(&pool).await;
}

#[tokio::test]
async fn characters_are_found_by_any_text_but_not_from_the_trash() {
    let pool = common::pool().await;
    let id = character::create(
        &pool,
        CharacterInput {
            name: "Captain Ysolde".into(),
            scenario: "A lighthouse on the edge of the map.".into(),
            tags: vec!["nautical".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id;
    let names = |r: SearchResults| r.characters.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(names(find(&pool, "ysolde").await), vec![id]);
    assert_eq!(names(find(&pool, "lighthouse").await), vec![id]);
    assert_eq!(names(find(&pool, "nautical").await), vec![id]);
    character::delete(&pool, id).await.unwrap();
    assert!(names(find(&pool, "ysolde").await).is_empty());
    character::restore(&pool, id).await.unwrap();
    character::delete(&pool, id).await.unwrap();
    character::purge(&pool, id).await.unwrap();
    index_is_consistent(&pool).await;
}

/// Reverts migration `version` and every later one, to write data as it
/// was before them.
async fn undo_from(pool: &SqlitePool, version: i64) {
    assert!(
        MIGRATOR.iter().any(|m| m.version == version),
        "no migration {version}"
    );
    MIGRATOR.undo(pool, version - 1).await.unwrap();
}

/// A chat written with the columns of the first migration only: the
/// services write today's columns, which a reverted schema may not have.
async fn old_chat(pool: &SqlitePool) -> Id {
    let id = parley::models::new_id();
    sqlx::query(
        "insert into chat_sessions (id, title, created_at, updated_at) values (?1, 'Old', ?2, ?2)",
    )
    .bind(id)
    .bind(Timestamp::now())
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A message written by the repository alone, no service checks (`messages`
/// has kept its columns since the first migration).
async fn append(
    pool: &SqlitePool,
    chat: Id,
    role: MessageRole,
    status: MessageStatus,
    text: &str,
) -> Id {
    // The columns every schema since the first has, so the migration tests
    // can write into a database undone to an older version.
    let id = parley::models::new_id();
    let now = Timestamp::now();
    sqlx::query(
        r"insert into messages (id, chat_session_id, seq, role, status, created_at, updated_at,
            metadata, content)
          values (?1, ?2, (select coalesce(max(seq), -1) + 1 from messages where chat_session_id = ?2),
            ?3, ?4, ?5, ?5, '{}', ?6)",
    )
    .bind(id)
    .bind(chat)
    .bind(role)
    .bind(status)
    .bind(now)
    .bind(text)
    .execute(pool)
    .await
    .unwrap();
    id
}

/// A finished message of the person's, in a chat from `old_chat`.
async fn old_message(pool: &SqlitePool, chat: Id, text: &str) -> Id {
    append(
        pool,
        chat,
        MessageRole::User,
        MessageStatus::Completed,
        text,
    )
    .await
}

#[tokio::test]
async fn the_migration_indexes_what_was_already_there() {
    let pool = common::pool().await;
    undo_from(&pool, 20261124000002).await;
    let live = old_chat(&pool).await;
    let old = old_message(&pool, live, "written before search existed").await;
    let trashed = old_chat(&pool).await;
    old_message(&pool, trashed, "written before search existed").await;
    repos::soft_delete(&pool, repos::Table::ChatSessions, trashed, Timestamp::now())
        .await
        .unwrap();
    MIGRATOR.run(&pool).await.unwrap();
    assert_eq!(found(&pool, "existed").await, vec![old]);
    index_is_consistent(&pool).await;
}

/// A reply being written: `pending`, then partial saves while `streaming`.
async fn reply_being_written(pool: &SqlitePool, chat: Id, partial: &[&str]) -> Id {
    let id = append(
        pool,
        chat,
        MessageRole::Assistant,
        MessageStatus::Pending,
        "",
    )
    .await;
    for text in partial {
        save(pool, id, text, MessageStatus::Streaming).await;
    }
    id
}

async fn save(pool: &SqlitePool, id: Id, text: &str, status: MessageStatus) {
    // What `repos::message::save_reply` writes, in the columns every schema
    // since the first has (the migration tests write into older ones).
    for sql in [
        r"update message_swipes set content = ?2, updated_at = ?4
           where message_id = ?1
             and swipe_index = (select active_swipe from messages where id = ?1)",
        r"update messages set content = ?2, status = ?3, updated_at = ?4 where id = ?1",
    ] {
        sqlx::query(sql)
            .bind(id)
            .bind(text)
            .bind(status)
            .bind(Timestamp::now())
            .execute(pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_reply_is_found_once_it_is_written_not_while_it_streams() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    common::say(&pool, chat, "Tell me about the lighthouse").await;
    let reply = reply_being_written(
        &pool,
        chat,
        &["The keeper", "The keeper climbs the lighthouse stairs"],
    )
    .await;
    // The partial saves of a streaming reply stay out of the index.
    assert!(found(&pool, "keeper").await.is_empty());
    index_is_consistent(&pool).await;

    save(
        &pool,
        reply,
        "The keeper climbs the lighthouse stairs at dusk.",
        MessageStatus::Completed,
    )
    .await;
    assert_eq!(found(&pool, "keeper").await, vec![reply]);
    assert_eq!(found(&pool, "dusk").await, vec![reply]);
    index_is_consistent(&pool).await;

    // Regenerating writes it again: out of the index until the new text ends.
    save(&pool, reply, "", MessageStatus::Pending).await;
    assert!(found(&pool, "keeper").await.is_empty());
    save(&pool, reply, "A gull", MessageStatus::Streaming).await;
    index_is_consistent(&pool).await;
    // Stopped, failed or interrupted replies are finished too.
    save(&pool, reply, "A gull circles", MessageStatus::Cancelled).await;
    assert_eq!(found(&pool, "gull").await, vec![reply]);
    assert!(found(&pool, "dusk").await.is_empty());

    let crashed = reply_being_written(&pool, chat, &["Half a sentence about ravens"]).await;
    parley::services::generation::sweep_interrupted(&pool)
        .await
        .unwrap();
    assert_eq!(found(&pool, "ravens").await, vec![crashed]);
    index_is_consistent(&pool).await;

    // The trash and back: a reply still being written stays out.
    let streaming = reply_being_written(&pool, chat, &["Owls at midnight"]).await;
    chat_session::delete(&pool, chat).await.unwrap();
    index_is_consistent(&pool).await;
    chat_session::restore(&pool, chat).await.unwrap();
    assert!(found(&pool, "owls").await.is_empty());
    assert_eq!(found(&pool, "ravens").await, vec![crashed]);
    index_is_consistent(&pool).await;
    save(
        &pool,
        streaming,
        "Owls at midnight.",
        MessageStatus::Completed,
    )
    .await;
    assert_eq!(found(&pool, "owls").await, vec![streaming]);
    index_is_consistent(&pool).await;
}

#[tokio::test]
async fn the_migration_takes_replies_being_written_out_of_the_index() {
    let pool = common::pool().await;
    undo_from(&pool, 20261125000001).await;
    let chat = old_chat(&pool).await;
    let done = old_message(&pool, chat, "Finished words about comets").await;
    // Indexed by the old triggers while it streamed.
    reply_being_written(&pool, chat, &["Unfinished words about comets"]).await;
    // The index itself: the search service reads tables this schema lacks.
    let indexed: i64 =
        sqlx::query_scalar("select count(*) from messages_fts where messages_fts match 'comets'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(indexed, 2);
    MIGRATOR.run(&pool).await.unwrap();
    assert_eq!(found(&pool, "comets").await, vec![done]);
    index_is_consistent(&pool).await;
}

#[tokio::test]
async fn a_backup_keeps_its_index_in_step() {
    let dir = tempfile::tempdir().unwrap();
    let (pool, _) = parley::db::open(&dir.path().join("p.db")).await.unwrap();
    let chat = common::new_chat(&pool, None).await;
    for i in 0..50 {
        common::say(&pool, chat, &format!("line {i} about otters")).await;
    }
    // Gaps in rowids, which a copy must not close up.
    let page = message::page(&pool, chat, None, Some(50)).await.unwrap();
    for m in page.items.iter().step_by(3) {
        message::delete(&pool, m.id).await.unwrap();
    }
    let backup = dir.path().join("copy.db");
    sqlx::query("vacuum into ?1")
        .bind(backup.to_string_lossy().into_owned())
        .execute(&pool)
        .await
        .unwrap();
    let (copy, _) = parley::db::open(&backup).await.unwrap();
    index_is_consistent(&copy).await;
    assert_eq!(
        found(&copy, "otters").await.len(),
        found(&pool, "otters").await.len()
    );
}

#[tokio::test]
async fn pages_around_and_after_a_message_meet_without_gaps() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let mut ids = Vec::new();
    for i in 0..120 {
        ids.push(common::say(&pool, chat, &format!("m{i}")).await);
    }
    let w = message::page_around(&pool, chat, ids[60], Some(20))
        .await
        .unwrap();
    let seqs: Vec<i64> = w.items.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (50..70).collect::<Vec<_>>());
    assert!(w.has_before && w.has_after);

    let start = message::page_around(&pool, chat, ids[0], Some(20))
        .await
        .unwrap();
    assert!(!start.has_before && start.has_after);
    assert_eq!(start.items[0].id, ids[0]);
    let end = message::page_around(&pool, chat, ids[119], Some(20))
        .await
        .unwrap();
    assert!(end.has_before && !end.has_after);
    assert_eq!(end.items.last().unwrap().id, ids[119]);

    // Walking forward from the first message visits every message once.
    let mut seen = vec![ids[0]];
    let mut after = ids[0];
    loop {
        let page = message::page_after(&pool, chat, after, Some(25))
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|m| m.id));
        match page.next_cursor {
            Some(c) => after = c.parse().unwrap(),
            None => break,
        }
    }
    assert_eq!(seen, ids);

    let other = common::new_chat(&pool, None).await;
    let err = message::page_after(&pool, other, ids[3], None)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "that message belongs to another chat");
}

#[tokio::test]
async fn broad_searches_rank_the_newest_matches() {
    use parley::repos::message::BulkMessage;
    use parley::repos::search::RANK_WINDOW;
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    // The strongest match is the oldest; then more weak matches than the
    // ranking window holds.
    let weak = RANK_WINDOW as usize + 100;
    let rows: Vec<BulkMessage> = (0..=weak)
        .map(|i| BulkMessage {
            id: parley::models::new_id(),
            seq: i as i64,
            role: parley::models::MessageRole::User,
            content: if i == 0 {
                "beacon beacon beacon".into()
            } else {
                format!("message {i} mentions a beacon among many other words here")
            },
            metadata: serde_json::json!({}),
            created_at: Timestamp::from_millis(1_700_000_000_000 + i as i64),
            active_swipe: 0,
            speaker_id: None,
            speaker_name: None,
        })
        .collect();
    let mut tx = pool.begin().await.unwrap();
    parley::repos::message::insert_many(&mut tx, chat, &rows)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let hits = find(&pool, "beacon").await.messages;
    assert_eq!(hits.len(), 50);
    assert!(
        hits.iter().all(|h| h.seq > 100),
        "only the newest {RANK_WINDOW} matches are ranked"
    );
    // Narrowed to the old message's time, it is found first.
    let old = search(
        &pool,
        &SearchQuery {
            query: "beacon".into(),
            to: Some(Timestamp::from_millis(1_700_000_000_050)),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .messages;
    assert_eq!(old[0].seq, 0);
}
