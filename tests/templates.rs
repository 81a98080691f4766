//! The template library against real SQLite with the real migrations:
//! validation in words, unique names per type, one default per type, the
//! trash, JSON import and export, SillyTavern Quick Reply sets, quick
//! replies per chat and character, and the memory templates that moved
//! here from preferences.

mod common;

use std::collections::HashMap;

use parley::db::MIGRATOR;
use parley::error::AppError;
use parley::models::{
    DeletedFilter, ListQuery, QuickReplyInput, QuickReplyMode, QuickReplyOwner, TemplateInput,
    TemplateType, VarKind,
};
use parley::services::memory::pieces::Settings;
use parley::services::template::{self, builtin, quick_reply, transfer};
use rstest::rstest;
use sqlx::SqlitePool;

fn input(kind: TemplateType, name: &str, content: &str) -> TemplateInput {
    TemplateInput {
        kind,
        name: name.into(),
        content: content.into(),
    }
}

fn message(name: &str, content: &str) -> TemplateInput {
    input(TemplateType::Message, name, content)
}

fn field_of(e: &AppError) -> String {
    match e {
        AppError::Validation { field, .. } => field.clone(),
        AppError::Conflict { field, .. } => field.clone().unwrap_or_default(),
        other => panic!("not a validation or conflict: {other:?}"),
    }
}

#[rstest]
#[case::empty_name(message("  ", "Hi"), "name", "is required")]
#[case::long_name(message(&"n".repeat(201), "Hi"), "name", "the limit is 200")]
#[case::blank_content(message("A", " \n "), "content", "is empty")]
#[case::long_content(message("A", &"x".repeat(100_001)), "content", "the limit is 100000")]
#[case::bad_choice_default(message("A", "{{t:a|b=c}}"), "content", "not one of its choices")]
#[case::bad_number_default(message("A", "{{n:number=many}}"), "content", "not a number")]
#[case::instruct_not_json(
    input(TemplateType::Instruct, "A", "### Instruction"),
    "content",
    "JSON object"
)]
#[tokio::test]
async fn bad_input_is_refused_in_words_naming_the_field(
    #[case] input: TemplateInput,
    #[case] field: &str,
    #[case] words: &str,
) {
    let pool = common::pool().await;
    let e = template::create(&pool, input).await.unwrap_err();
    assert_eq!(field_of(&e), field);
    assert!(e.to_string().contains(words), "{e}");
}

#[tokio::test]
async fn a_template_keeps_its_variables_and_renders_with_values() {
    let pool = common::pool().await;
    let t = template::create(
        &pool,
        message(
            "Ask",
            "Tell {{char}} about {{topic}}, {{tone:formal|casual}}, {{n:number=2}} times.",
        ),
    )
    .await
    .unwrap();
    let kinds: Vec<(&str, VarKind)> = t
        .variables
        .0
        .iter()
        .map(|v| (v.name.as_str(), v.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("topic", VarKind::Text),
            ("tone", VarKind::Choice),
            ("n", VarKind::Number)
        ]
    );
    let values = HashMap::from([
        ("topic".to_string(), "owls".to_string()),
        ("tone".to_string(), "casual".to_string()),
    ]);
    let text = template::render(&pool, t.id, &values).await.unwrap();
    assert_eq!(text, "Tell {{char}} about owls, casual, 2 times.");
    let bad = HashMap::from([
        ("topic".to_string(), "owls".to_string()),
        ("tone".to_string(), "shouty".to_string()),
    ]);
    let e = template::render(&pool, t.id, &bad).await.unwrap_err();
    assert_eq!(field_of(&e), "tone");
    assert!(
        e.to_string().contains("must be one of: formal, casual"),
        "{e}"
    );
    let e = template::render(&pool, t.id, &HashMap::new())
        .await
        .unwrap_err();
    assert_eq!(field_of(&e), "topic");
}

#[tokio::test]
async fn names_are_unique_per_type_ignoring_case_among_live_templates() {
    let pool = common::pool().await;
    let a = template::create(&pool, message("Greeting", "Hello"))
        .await
        .unwrap();
    let e = template::create(&pool, message("greeting", "Hi"))
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");
    assert!(e.to_string().contains("already exists"), "{e}");
    // Another type may use the name.
    template::create(
        &pool,
        input(TemplateType::SystemPrompt, "Greeting", "Be kind"),
    )
    .await
    .unwrap();
    // In the trash, the name is free; restoring then clashes in words.
    template::delete(&pool, a.id).await.unwrap();
    let b = template::create(&pool, message("GREETING", "Hey"))
        .await
        .unwrap();
    let e = template::restore(&pool, a.id).await.unwrap_err();
    assert!(e.to_string().contains("rename it first"), "{e}");
    template::delete(&pool, b.id).await.unwrap();
    assert!(template::restore(&pool, a.id)
        .await
        .unwrap()
        .deleted_at
        .is_none());
}

#[tokio::test]
async fn each_type_has_at_most_one_default() {
    let pool = common::pool().await;
    let a = template::create(&pool, message("A", "a")).await.unwrap();
    let b = template::create(&pool, message("B", "b")).await.unwrap();
    let sys = template::create(&pool, input(TemplateType::SystemPrompt, "S", "s"))
        .await
        .unwrap();
    assert!(template::set_default(&pool, a.id).await.unwrap().is_default);
    template::set_default(&pool, sys.id).await.unwrap();
    assert!(template::set_default(&pool, b.id).await.unwrap().is_default);
    assert!(!template::get(&pool, a.id).await.unwrap().is_default);
    assert!(template::get(&pool, sys.id).await.unwrap().is_default);
    assert_eq!(
        template::default_of(&pool, TemplateType::Message)
            .await
            .unwrap()
            .unwrap()
            .id,
        b.id
    );
    // The database refuses a second default whatever the code does.
    let e = sqlx::query("update templates set is_default = 1 where id = ?1")
        .bind(a.id)
        .execute(&pool)
        .await;
    assert!(e.is_err());
    // A default sent to the trash stops being one.
    template::delete(&pool, b.id).await.unwrap();
    assert!(template::default_of(&pool, TemplateType::Message)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn trash_restore_and_purge() {
    let pool = common::pool().await;
    let t = template::create(&pool, message("Gone", "soon"))
        .await
        .unwrap();
    let e = template::purge(&pool, t.id).await.unwrap_err();
    assert!(e.to_string().contains("trash before"), "{e}");
    template::delete(&pool, t.id).await.unwrap();
    let live = template::list(&pool, Some(TemplateType::Message), &ListQuery::default())
        .await
        .unwrap();
    assert!(live.items.is_empty());
    let trash = template::list(
        &pool,
        None,
        &ListQuery {
            deleted: DeletedFilter::Deleted,
            ..ListQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(trash.items.len(), 1);
    let e = template::update(&pool, t.id, message("Gone", "edit"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("restore it before editing"), "{e}");
    template::purge(&pool, t.id).await.unwrap();
    assert!(matches!(
        template::get(&pool, t.id).await.unwrap_err(),
        AppError::NotFound { .. }
    ));
}

#[tokio::test]
async fn list_filters_by_type_and_searches_by_name() {
    let pool = common::pool().await;
    template::create(&pool, message("Owl facts", "x"))
        .await
        .unwrap();
    template::create(&pool, message("Cat facts", "x"))
        .await
        .unwrap();
    let q = ListQuery {
        search: Some("OWL".into()),
        ..ListQuery::default()
    };
    let page = template::list(&pool, Some(TemplateType::Message), &q)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].name, "Owl facts");
    // The built-in memory templates are there, of their own types.
    let memory = template::list(
        &pool,
        Some(TemplateType::MemoryRecall),
        &ListQuery::default(),
    )
    .await
    .unwrap();
    assert_eq!(memory.items.len(), 1);
    assert!(memory.items[0].is_default);
}

#[tokio::test]
async fn export_then_import_gives_the_same_templates() {
    let from = common::pool().await;
    template::create(&from, message("Ask", "About {{topic:a|b}}"))
        .await
        .unwrap();
    let sys = template::create(
        &from,
        input(TemplateType::SystemPrompt, "Sys", "Be {{mood=calm}}"),
    )
    .await
    .unwrap();
    template::set_default(&from, sys.id).await.unwrap();
    template::set_default_text(&from, TemplateType::MemoryRecall, "Back then:\n{{pieces}}")
        .await
        .unwrap();
    let json = transfer::export_json(&from, None).await.unwrap();

    let to = common::pool().await;
    let report = transfer::import(&to, &json).await.unwrap();
    // The three built-in memory templates are the same in both: skipped.
    assert_eq!(report.skipped.len(), 3, "{:?}", report.skipped);
    // The recall template differs: imported under a new name, not default.
    assert!(report
        .notes
        .iter()
        .any(|n| n.message.contains("imported as \"Recalled messages (2)\"")));
    let again = transfer::export(&to, None).await.unwrap();
    let names = |f: &transfer::ExportFile| {
        let mut v: Vec<(TemplateType, String, String, bool)> = f
            .templates
            .iter()
            .map(|t| (t.kind, t.name.clone(), t.content.clone(), t.is_default))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    };
    let original = transfer::export(&from, None).await.unwrap();
    for t in names(&original) {
        if t.1 == "Recalled messages" {
            continue;
        }
        assert!(names(&again).contains(&t), "{t:?} missing after import");
    }
    // Importing the same file twice adds nothing.
    let twice = transfer::import(&to, &json).await.unwrap();
    assert!(twice.imported.is_empty(), "{:?}", twice.imported);

    let e = transfer::import(&to, "{\"qrList\": []}").await.unwrap_err();
    assert!(e.to_string().contains("not a Parley templates file"), "{e}");
    let e = transfer::import(&to, "not json").await.unwrap_err();
    assert!(e.to_string().contains("not JSON"), "{e}");
}

#[tokio::test]
async fn a_sillytavern_quick_reply_set_imports_as_message_templates() {
    let pool = common::pool().await;
    let text = std::fs::read_to_string("tests/fixtures/templates/st-quick-replies.json").unwrap();
    let report = transfer::import_st_quick_replies(&pool, &text)
        .await
        .unwrap();
    let names: Vec<&str> = report.imported.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["Describe", "Time skip", "Continue the scene"]);
    assert!(report
        .imported
        .iter()
        .all(|t| t.kind == TemplateType::Message));
    // Macros and STscript are kept as written.
    assert_eq!(
        report.imported[0].content,
        "[OOC: describe {{char}}'s surroundings in detail, using all senses.]"
    );
    assert!(report.imported[1]
        .content
        .starts_with("/input Skip how long?"));
    assert!(report.imported[1].variables.0.is_empty());
    let lines: Vec<&str> = report
        .skipped
        .iter()
        .chain(&report.notes)
        .map(|c| c.message.as_str())
        .collect();
    let all = lines.join("\n");
    assert!(all.contains("\"Empty one\": its message is empty"), "{all}");
    assert!(all.contains("STscript commands, kept as text"), "{all}");
    assert!(all.contains("after the person's message"), "{all}");
    assert!(all.contains("context menu"), "{all}");
    assert!(all.contains("\"inject input\""), "{all}");

    let e = transfer::import_st_quick_replies(&pool, "{\"name\": \"x\"}")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("no \"qrList\""), "{e}");
}

#[tokio::test]
async fn quick_replies_per_chat_and_per_character() {
    let pool = common::pool().await;
    let mira = common::new_character(&pool, "Mira").await;
    let chat = common::new_chat(&pool, Some(mira)).await;
    let other = common::new_chat(&pool, Some(mira)).await;
    let a = template::create(&pool, message("A", "a")).await.unwrap();
    let b = template::create(&pool, message("B", "b")).await.unwrap();
    let c = template::create(&pool, message("C", "c")).await.unwrap();
    let item = |id, mode| QuickReplyInput {
        template_id: id,
        mode,
    };
    quick_reply::set(
        &pool,
        QuickReplyOwner::Character(mira),
        vec![
            item(b.id, QuickReplyMode::Send),
            item(c.id, QuickReplyMode::Fill),
        ],
    )
    .await
    .unwrap();
    quick_reply::set(
        &pool,
        QuickReplyOwner::Chat(chat),
        vec![
            item(a.id, QuickReplyMode::Fill),
            item(b.id, QuickReplyMode::Fill),
        ],
    )
    .await
    .unwrap();
    let bar: Vec<(String, String, QuickReplyMode)> = quick_reply::for_chat(&pool, chat)
        .await
        .unwrap()
        .into_iter()
        .map(|q| (q.name, q.owner, q.mode))
        .collect();
    assert_eq!(
        bar,
        vec![
            ("A".into(), "chat".into(), QuickReplyMode::Fill),
            ("B".into(), "chat".into(), QuickReplyMode::Fill),
            ("C".into(), "character".into(), QuickReplyMode::Fill),
        ]
    );
    // Another chat of the character shows the character's.
    let names: Vec<String> = quick_reply::for_chat(&pool, other)
        .await
        .unwrap()
        .into_iter()
        .map(|q| q.name)
        .collect();
    assert_eq!(names, vec!["B", "C"]);
    // A template in the trash leaves the bar; purged, it is gone for good.
    template::delete(&pool, c.id).await.unwrap();
    assert_eq!(quick_reply::for_chat(&pool, other).await.unwrap().len(), 1);
    // Only message templates, and none from the trash.
    let sys = template::create(&pool, input(TemplateType::SystemPrompt, "S", "s"))
        .await
        .unwrap();
    let e = quick_reply::set(
        &pool,
        QuickReplyOwner::Chat(chat),
        vec![item(sys.id, QuickReplyMode::Send)],
    )
    .await
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("quick replies are message templates"),
        "{e}"
    );
    let e = quick_reply::set(
        &pool,
        QuickReplyOwner::Chat(chat),
        vec![item(c.id, QuickReplyMode::Send)],
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("in the trash"), "{e}");
    // Purging the chat takes its quick replies.
    parley::services::chat_session::delete(&pool, chat)
        .await
        .unwrap();
    parley::services::chat_session::purge(&pool, chat)
        .await
        .unwrap();
    let left: i64 =
        sqlx::query_scalar("select count(*) from quick_replies where chat_session_id is not null")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
}

/// The migration just before the template library.
const BEFORE_TEMPLATES: i64 = 20261203000001;

async fn set_pref(pool: &SqlitePool, key: &str, value: &str) {
    sqlx::query(
        "insert or replace into app_config (key, value, description, updated_at) values (?1, ?2, '', 1)",
    )
        .bind(key)
        .bind(serde_json::to_string(value).unwrap())
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn memory_templates_stored_as_preferences_are_migrated_and_give_the_same_prompts() {
    let pool = common::pool().await;
    MIGRATOR.undo(&pool, BEFORE_TEMPLATES).await.unwrap();
    set_pref(&pool, "memory.summary_instruction", "Sum it up, briefly.").await;
    set_pref(
        &pool,
        "memory.template.documents",
        "From the notes:\n{{pieces}}",
    )
    .await;
    set_pref(&pool, "memory.template.recall", "Said before: {{pieces}}").await;
    // Summaries left at the built-in.
    MIGRATOR.run(&pool).await.unwrap();

    let settings = Settings::load(&pool).await.unwrap();
    assert_eq!(settings.documents_template, "From the notes:\n{{pieces}}");
    assert_eq!(settings.recall_template, "Said before: {{pieces}}");
    assert_eq!(settings.summaries_template, builtin::MEMORY_SUMMARIES);
    assert_eq!(
        template::default_text(&pool, TemplateType::SummaryInstruction)
            .await
            .unwrap(),
        "Sum it up, briefly."
    );
    let prefs: i64 = sqlx::query_scalar("select count(*) from app_config where key like 'memory.template.%' or key = 'memory.summary_instruction'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(prefs, 0, "the preferences moved, none left behind");

    // Down and up again keeps them.
    MIGRATOR.undo(&pool, BEFORE_TEMPLATES).await.unwrap();
    MIGRATOR.run(&pool).await.unwrap();
    let again = Settings::load(&pool).await.unwrap();
    assert_eq!(again, settings);
}

#[tokio::test]
async fn an_empty_stored_summary_instruction_and_a_new_database_get_the_built_in_texts() {
    let pool = common::pool().await;
    // A new database: the built-in texts, equal to the code's.
    assert_eq!(Settings::load(&pool).await.unwrap(), Settings::default());
    for kind in [
        TemplateType::SummaryInstruction,
        TemplateType::MemoryDocuments,
        TemplateType::MemorySummaries,
        TemplateType::MemoryRecall,
    ] {
        let t = template::default_of(&pool, kind).await.unwrap().unwrap();
        assert_eq!(Some(t.content.as_str()), builtin::text(kind), "{kind:?}");
    }
    MIGRATOR.undo(&pool, BEFORE_TEMPLATES).await.unwrap();
    set_pref(&pool, "memory.summary_instruction", "").await;
    MIGRATOR.run(&pool).await.unwrap();
    assert_eq!(
        template::default_text(&pool, TemplateType::SummaryInstruction)
            .await
            .unwrap(),
        builtin::SUMMARY_INSTRUCTION
    );
    // A purged default falls back to the built-in text.
    let t = template::default_of(&pool, TemplateType::MemoryDocuments)
        .await
        .unwrap()
        .unwrap();
    template::delete(&pool, t.id).await.unwrap();
    template::purge(&pool, t.id).await.unwrap();
    assert_eq!(
        template::default_text(&pool, TemplateType::MemoryDocuments)
            .await
            .unwrap(),
        builtin::MEMORY_DOCUMENTS
    );
    // Setting the text makes a new default.
    let made = template::set_default_text(&pool, TemplateType::MemoryDocuments, "Docs: {{pieces}}")
        .await
        .unwrap();
    assert!(made.is_default);
    assert_eq!(
        Settings::load(&pool).await.unwrap().documents_template,
        "Docs: {{pieces}}"
    );
}
