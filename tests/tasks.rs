//! Tasks beside a chat (`services::task`) against real SQLite with the real
//! migrations: validation in words, order and moves, ticking and the open
//! lists, the trash, a purged chat's tasks standing alone, the objectives in
//! the prompt, and search.

mod common;

use parley::error::AppError;
use parley::models::{Id, Place, Task, TaskInput, TaskPatch, TaskQuery, TaskStatus};
use parley::services::search::{self, SearchQuery};
use parley::services::task::{self, POSITION_STEP};
use parley::services::{chat_session, generation};
use rstest::rstest;
use sqlx::SqlitePool;

async fn add(pool: &SqlitePool, chat: Option<Id>, title: &str) -> Task {
    task::create(
        pool,
        TaskInput {
            chat_session_id: chat,
            title: title.into(),
            description: String::new(),
        },
    )
    .await
    .unwrap()
}

fn titles(tasks: &[Task]) -> Vec<&str> {
    tasks.iter().map(|t| t.title.as_str()).collect()
}

fn validation(e: AppError) -> (String, String) {
    match e {
        AppError::Validation { field, message, .. } => (field, message),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[rstest]
#[case::empty("", "", Some(("title", "no title")))]
#[case::whitespace(" \t\n ", "", Some(("title", "no title")))]
#[case::invisible("\u{200B}\u{FEFF}", "", Some(("title", "no title")))]
#[case::title_500(&"t".repeat(500), "", None)]
#[case::title_501(&"t".repeat(501), "", Some(("title", "501 characters long; the limit is 500")))]
#[case::title_500_wide(&"é".repeat(500), "", None)]
#[case::description_5000("Find the key", &"d".repeat(5000), None)]
#[case::description_5001("Find the key", &"d".repeat(5001), Some(("description", "5001 characters long; the limit is 5,000")))]
#[tokio::test]
async fn titles_and_descriptions_are_checked_in_words(
    #[case] title: &str,
    #[case] description: &str,
    #[case] refused: Option<(&str, &str)>,
) {
    let pool = common::pool().await;
    let made = task::create(
        &pool,
        TaskInput {
            chat_session_id: None,
            title: title.into(),
            description: description.into(),
        },
    )
    .await;
    match refused {
        None => {
            let t = made.unwrap();
            assert_eq!(t.title, title.trim());
            assert_eq!(t.description.chars().count(), description.chars().count());
        }
        Some((field, words)) => {
            let (f, m) = validation(made.unwrap_err());
            assert_eq!(f, field);
            assert!(m.contains(words), "{m}");
            let all = task::list(&pool, &TaskQuery::default()).await.unwrap();
            assert!(all.items.is_empty(), "nothing written");
        }
    }
    // An edit is held to the same rules.
    let t = add(&pool, None, "Edit me").await;
    let edited = task::update(
        &pool,
        t.id,
        TaskPatch {
            title: Some(title.into()),
            description: Some(description.into()),
            done: None,
        },
    )
    .await;
    assert_eq!(edited.is_err(), refused.is_some());
    if refused.is_some() {
        assert_eq!(task::get(&pool, t.id).await.unwrap().title, "Edit me");
    }
}

#[tokio::test]
async fn tasks_keep_their_order_and_move_before_and_after() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let other = common::new_chat(&pool, None).await;
    let [a, b, c, d] = [
        add(&pool, Some(chat), "A").await,
        add(&pool, Some(chat), "B").await,
        add(&pool, Some(chat), "C").await,
        add(&pool, Some(chat), "D").await,
    ];
    let elsewhere = add(&pool, Some(other), "Elsewhere").await;
    let alone = add(&pool, None, "Alone").await;
    let list = task::for_chat(&pool, Some(chat)).await.unwrap();
    assert_eq!(titles(&list), ["A", "B", "C", "D"]);
    assert_eq!(
        titles(&task::for_chat(&pool, None).await.unwrap()),
        ["Alone"]
    );

    let moved = task::move_to(&pool, d.id, a.id, Place::Before)
        .await
        .unwrap();
    assert_eq!(titles(&moved), ["D", "A", "B", "C"]);
    let moved = task::move_to(&pool, d.id, b.id, Place::After)
        .await
        .unwrap();
    assert_eq!(titles(&moved), ["A", "B", "D", "C"]);
    let moved = task::move_to(&pool, a.id, c.id, Place::After)
        .await
        .unwrap();
    assert_eq!(titles(&moved), ["B", "D", "C", "A"]);
    assert_eq!(
        titles(&task::for_chat(&pool, Some(chat)).await.unwrap()),
        ["B", "D", "C", "A"],
        "the order is kept"
    );

    // Many moves into the same gap use it up; the list is renumbered and
    // keeps the order asked for.
    let mut expected = vec!["B", "D", "C", "A"];
    for i in 0..24 {
        let (x, target) = if i % 2 == 0 {
            (a.id, d.id)
        } else {
            (c.id, b.id)
        };
        let list = task::move_to(&pool, x, target, Place::After).await.unwrap();
        let name = if i % 2 == 0 { "A" } else { "C" };
        expected.retain(|n| *n != name);
        let at = expected
            .iter()
            .position(|n| *n == if i % 2 == 0 { "D" } else { "B" })
            .unwrap();
        expected.insert(at + 1, name);
        assert_eq!(titles(&list), expected, "move {i}");
        let positions: Vec<i64> = list.iter().map(|t| t.position).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    // Only among the open tasks of the same list.
    let (field, words) = validation(
        task::move_to(&pool, a.id, elsewhere.id, Place::Before)
            .await
            .unwrap_err(),
    );
    assert_eq!(field, "target");
    assert!(words.contains("its own list"), "{words}");
    assert!(task::move_to(&pool, alone.id, a.id, Place::After)
        .await
        .is_err());
    task::update(&pool, b.id, done(true)).await.unwrap();
    assert!(matches!(
        task::move_to(&pool, b.id, a.id, Place::After)
            .await
            .unwrap_err(),
        AppError::BusinessRule { .. }
    ));
    assert!(task::move_to(&pool, a.id, b.id, Place::After)
        .await
        .is_err());
    // A new task goes last.
    let e = add(&pool, Some(chat), "E").await;
    let list = task::for_chat(&pool, Some(chat)).await.unwrap();
    assert_eq!(list.iter().rev().find(|t| !t.done).unwrap().id, e.id);
    assert!(e.position >= list.iter().map(|t| t.position).max().unwrap());
    assert_eq!(
        add(&pool, Some(other), "Second").await.position,
        elsewhere.position + POSITION_STEP
    );
}

fn done(done: bool) -> TaskPatch {
    TaskPatch {
        done: Some(done),
        ..TaskPatch::default()
    }
}

async fn page(pool: &SqlitePool, status: TaskStatus) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let p = task::list(
            pool,
            &TaskQuery {
                status,
                limit: Some(2),
                cursor,
            },
        )
        .await
        .unwrap();
        out.extend(p.items.into_iter().map(|t| t.title));
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

#[tokio::test]
async fn ticking_moves_a_task_between_the_open_and_done_lists() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let a = add(&pool, Some(chat), "Open the gate").await;
    let b = add(&pool, Some(chat), "Cross the river").await;
    let c = add(&pool, None, "Buy rope").await;

    let ticked = task::update(&pool, a.id, done(true)).await.unwrap();
    assert!(ticked.done && ticked.done_at.is_some());
    assert_eq!(ticked.title, "Open the gate", "other fields kept");
    // The chat's panel: open in order, then done.
    let list = task::for_chat(&pool, Some(chat)).await.unwrap();
    assert_eq!(titles(&list), ["Cross the river", "Open the gate"]);
    assert_eq!(
        list.iter().map(|t| t.done).collect::<Vec<_>>(),
        [false, true]
    );
    assert!(
        list[0].chat_title.is_some(),
        "its chat's title comes with it"
    );

    // The Tasks screen, most recently changed first, across pages of 2.
    let mut open = page(&pool, TaskStatus::Open).await;
    open.sort();
    assert_eq!(open, ["Buy rope", "Cross the river"]);
    assert_eq!(page(&pool, TaskStatus::Done).await, ["Open the gate"]);
    assert_eq!(page(&pool, TaskStatus::All).await.len(), 3);

    // Ticked again later keeps when it was done; unticked clears it.
    let again = task::update(&pool, a.id, done(true)).await.unwrap();
    assert_eq!(again.done_at, ticked.done_at);
    let unticked = task::update(&pool, a.id, done(false)).await.unwrap();
    assert!(!unticked.done && unticked.done_at.is_none());
    assert_eq!(
        titles(&task::for_chat(&pool, Some(chat)).await.unwrap()),
        ["Open the gate", "Cross the river"],
        "back in its place"
    );
    let _ = (b, c);
}

#[tokio::test]
async fn tasks_go_to_the_trash_come_back_and_are_purged_from_there_only() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let a = add(&pool, Some(chat), "Find the lighthouse keeper").await;
    let b = add(&pool, Some(chat), "Light the lamp").await;

    assert!(matches!(
        task::purge(&pool, a.id).await.unwrap_err(),
        AppError::BusinessRule { .. }
    ));
    task::delete(&pool, a.id).await.unwrap();
    assert_eq!(
        titles(&task::for_chat(&pool, Some(chat)).await.unwrap()),
        ["Light the lamp"]
    );
    assert_eq!(
        page(&pool, TaskStatus::Deleted).await,
        ["Find the lighthouse keeper"]
    );
    assert!(!page(&pool, TaskStatus::All)
        .await
        .contains(&"Find the lighthouse keeper".to_string()));
    // In the trash it cannot be edited, moved or deleted again.
    assert!(matches!(
        task::update(&pool, a.id, done(true)).await.unwrap_err(),
        AppError::BusinessRule { .. }
    ));
    assert!(task::move_to(&pool, a.id, b.id, Place::After)
        .await
        .is_err());
    assert!(task::delete(&pool, a.id).await.is_err());

    let back = task::restore(&pool, a.id).await.unwrap();
    assert!(back.deleted_at.is_none());
    assert_eq!(
        titles(&task::for_chat(&pool, Some(chat)).await.unwrap()),
        ["Find the lighthouse keeper", "Light the lamp"],
        "back in its place"
    );
    assert!(matches!(
        task::restore(&pool, a.id).await.unwrap_err(),
        AppError::NotFound { .. }
    ));

    task::delete(&pool, a.id).await.unwrap();
    task::purge(&pool, a.id).await.unwrap();
    assert!(matches!(
        task::get(&pool, a.id).await.unwrap_err(),
        AppError::NotFound { .. }
    ));
    assert!(page(&pool, TaskStatus::Deleted).await.is_empty());
    let found = search::search(&pool, &query("lighthouse")).await.unwrap();
    assert!(found.tasks.is_empty(), "its words left the index");
}

#[tokio::test]
async fn a_purged_chat_leaves_its_tasks_standing_alone() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let a = add(&pool, Some(chat), "Chart the reef").await;
    task::set_objectives(&pool, chat, true).await.unwrap();

    chat_session::delete(&pool, chat).await.unwrap();
    let kept = task::get(&pool, a.id).await.unwrap();
    assert_eq!(
        kept.chat_session_id,
        Some(chat),
        "still linked while the chat is in the trash"
    );
    assert!(kept.chat_deleted);
    // No new task on a chat in the trash.
    assert!(matches!(
        task::create(
            &pool,
            TaskInput {
                chat_session_id: Some(chat),
                title: "More".into(),
                description: String::new()
            }
        )
        .await
        .unwrap_err(),
        AppError::BusinessRule { .. }
    ));

    chat_session::purge(&pool, chat).await.unwrap();
    let alone = task::get(&pool, a.id).await.unwrap();
    assert_eq!(alone.chat_session_id, None);
    assert_eq!(alone.chat_title, None);
    assert!(!alone.chat_deleted);
    assert_eq!(
        titles(&task::for_chat(&pool, None).await.unwrap()),
        ["Chart the reef"]
    );
    assert_eq!(page(&pool, TaskStatus::Open).await, ["Chart the reef"]);
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        query: text.into(),
        ..SearchQuery::default()
    }
}

#[tokio::test]
async fn objectives_go_into_the_prompt_only_when_the_chat_lets_them_and_only_open_ones() {
    let pool = common::pool().await;
    common::default_mock_model(&pool, "http://127.0.0.1:9/v1").await;
    let mira = common::new_character(&pool, "Mira").await;
    let chat = common::new_chat(&pool, Some(mira)).await;
    common::say(&pool, chat, "Where do we sail?").await;
    let gate = task::create(
        &pool,
        TaskInput {
            chat_session_id: Some(chat),
            title: "Reach the northern gate".into(),
            description: "Before  the\nstorm breaks; {{char}} knows the way.".into(),
        },
    )
    .await
    .unwrap();
    add(&pool, Some(chat), "Find a crew").await;
    let done_one = add(&pool, Some(chat), "Repair the mast").await;
    task::update(&pool, done_one.id, done(true)).await.unwrap();
    let other = common::new_chat(&pool, Some(mira)).await;
    add(&pool, Some(other), "Another chat's task").await;

    let state = common::state(pool.clone());
    let preview = || async {
        generation::preview_in(&state.pool, state.secrets.as_ref(), chat, None)
            .await
            .unwrap()
            .prompt
    };
    let p = preview().await;
    assert!(
        p.messages.iter().all(|m| !m.content.contains("objectives")),
        "off by default"
    );
    assert!(!task::objectives_on(&pool, chat).await.unwrap());

    task::set_objectives(&pool, chat, true).await.unwrap();
    assert!(task::objectives_on(&pool, chat).await.unwrap());
    let p = preview().await;
    let at = p
        .parts
        .iter()
        .position(|part| part.kind == parley::services::prompt::PartKind::Objectives)
        .expect("an objectives message");
    assert_eq!(
        p.messages[at].content,
        "Current objectives:\n- Reach the northern gate: Before the storm breaks; Mira knows the way.\n- Find a crew"
    );
    assert_eq!(
        p.parts[at + 1].kind,
        parley::services::prompt::PartKind::History,
        "right before the history"
    );
    // Moves change the order; a ticked task leaves; none open, no block.
    let list = task::for_chat(&pool, Some(chat)).await.unwrap();
    task::move_to(&pool, list[1].id, gate.id, Place::Before)
        .await
        .unwrap();
    let p = preview().await;
    assert!(p.messages.iter().any(|m| m.content
        == "Current objectives:\n- Find a crew\n- Reach the northern gate: Before the storm breaks; Mira knows the way."));
    for t in task::for_chat(&pool, Some(chat)).await.unwrap() {
        task::update(&pool, t.id, done(true)).await.unwrap();
    }
    let p = preview().await;
    assert!(p
        .messages
        .iter()
        .all(|m| !m.content.contains("Current objectives")));

    task::update(&pool, gate.id, done(false)).await.unwrap();
    task::set_objectives(&pool, chat, false).await.unwrap();
    let p = preview().await;
    assert!(p
        .messages
        .iter()
        .all(|m| !m.content.contains("Current objectives")));
}

#[tokio::test]
async fn search_finds_tasks_by_title_and_description_but_not_in_the_trash() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let a = add(&pool, Some(chat), "Return the Café key").await;
    task::create(
        &pool,
        TaskInput {
            chat_session_id: None,
            title: "Errands".into(),
            description: "Post the letters and feed the lighthouse cat.".into(),
        },
    )
    .await
    .unwrap();

    let found = search::search(&pool, &query("cafe")).await.unwrap();
    assert_eq!(found.tasks.len(), 1);
    assert_eq!(found.tasks[0].id, a.id);
    assert_eq!(found.tasks[0].chat_session_id, Some(chat));
    assert!(
        found.tasks[0].snippet.contains("\u{2}Café\u{3}"),
        "{}",
        found.tasks[0].snippet
    );
    let found = search::search(&pool, &query("lighth*")).await.unwrap();
    assert_eq!(found.tasks.len(), 1);
    assert_eq!(found.tasks[0].title, "Errands");

    // The index follows edits and the trash.
    task::update(
        &pool,
        a.id,
        TaskPatch {
            title: Some("Return the brass key".into()),
            ..TaskPatch::default()
        },
    )
    .await
    .unwrap();
    assert!(search::search(&pool, &query("cafe"))
        .await
        .unwrap()
        .tasks
        .is_empty());
    assert_eq!(
        search::search(&pool, &query("brass"))
            .await
            .unwrap()
            .tasks
            .len(),
        1
    );
    task::delete(&pool, a.id).await.unwrap();
    assert!(search::search(&pool, &query("brass"))
        .await
        .unwrap()
        .tasks
        .is_empty());
    task::restore(&pool, a.id).await.unwrap();
    assert_eq!(
        search::search(&pool, &query("brass"))
            .await
            .unwrap()
            .tasks
            .len(),
        1
    );
    let integrity =
        sqlx::query("insert into tasks_fts (tasks_fts, rank) values ('integrity-check', 1)")
            .execute(&pool)
            .await;
    assert!(integrity.is_ok(), "{integrity:?}");
}
