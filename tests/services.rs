//! Services: validation with field names, not-found, conflicts, defaults
//! cleared on delete, the settings singleton, chat greetings, trash rules,
//! keys forgotten when a provider moves to another server.

mod common;

use parley::error::AppError;
use parley::models::{
    new_id, AiModelInput, CharacterInput, ChatOverrides, ChatSessionInput, ListQuery, MessageInput,
    MessageRole, ProviderInput, ProviderKind, SamplingParams, SettingsInput, SystemPromptInput,
    UserProfileInput,
};
use parley::secrets::{provider_key, MemorySecretStore, Secret, SecretStore};
use parley::services::generation_params::{resolve, Source};
use parley::services::{
    ai_model, character, chat_session, message, provider, settings, system_prompt, user_profile,
};

fn field_of(err: &AppError) -> Option<&str> {
    match err {
        AppError::Validation { field, .. } => Some(field),
        AppError::Conflict { field, .. } => field.as_deref(),
        _ => None,
    }
}

#[tokio::test]
async fn invalid_characters_are_refused_with_the_field_named() {
    let pool = common::pool().await;
    let cases = [
        (
            CharacterInput {
                name: "  ".into(),
                ..Default::default()
            },
            "name",
        ),
        (
            CharacterInput {
                name: "x".repeat(201),
                ..Default::default()
            },
            "name",
        ),
        (
            CharacterInput {
                name: "ok".into(),
                description: "x".repeat(1024 * 1024 + 1),
                ..Default::default()
            },
            "description",
        ),
        (
            CharacterInput {
                name: "ok".into(),
                extensions: Some(serde_json::json!([1])),
                ..Default::default()
            },
            "extensions",
        ),
    ];
    for (input, field) in cases {
        let err = character::create(&pool, input).await.unwrap_err();
        assert_eq!(err.kind(), "ValidationError");
        assert_eq!(field_of(&err), Some(field), "{err}");
    }
    // Nothing was written.
    assert!(character::list(&pool, &ListQuery::default())
        .await
        .unwrap()
        .items
        .is_empty());
}

#[tokio::test]
async fn missing_rows_are_not_found_in_words() {
    let pool = common::pool().await;
    let err = character::get(&pool, new_id()).await.unwrap_err();
    assert_eq!(err.kind(), "NotFoundError");
    assert_eq!(
        err.to_string(),
        "the character was not found; it may have been deleted"
    );
    let err = message::add(
        &pool,
        new_id(),
        MessageInput {
            role: MessageRole::User,
            content: "hi".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), "NotFoundError");
}

#[tokio::test]
async fn duplicate_names_conflict_where_names_are_unique() {
    let pool = common::pool().await;
    let secrets = MemorySecretStore::default();
    user_profile::create(
        &pool,
        UserProfileInput {
            name: "Alex".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    let err = user_profile::create(
        &pool,
        UserProfileInput {
            name: "alex".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        (err.kind(), field_of(&err)),
        ("ConflictError", Some("name"))
    );

    let err = system_prompt::create(
        &pool,
        SystemPromptInput {
            name: "Roleplay".into(),
            content: "x".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.kind(),
        "ConflictError",
        "the built-in Roleplay prompt holds the name"
    );

    let p = ProviderInput {
        name: "Local".into(),
        kind: ProviderKind::Ollama,
        base_url: String::new(),
        api_key: None,
    };
    provider::create(&pool, &secrets, p.clone()).await.unwrap();
    let err = provider::create(&pool, &secrets, p).await.unwrap_err();
    assert_eq!(err.kind(), "ConflictError");

    // Characters may share a name: people keep several "Luna"s.
    common::new_character(&pool, "Luna").await;
    common::new_character(&pool, "Luna").await;
}

#[tokio::test]
async fn a_deleted_name_is_free_again_and_restore_checks_it() {
    let pool = common::pool().await;
    let first = user_profile::create(
        &pool,
        UserProfileInput {
            name: "Sam".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    user_profile::delete(&pool, first.id).await.unwrap();
    user_profile::create(
        &pool,
        UserProfileInput {
            name: "Sam".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    let err = user_profile::restore(&pool, first.id).await.unwrap_err();
    assert_eq!(err.kind(), "ConflictError");
}

#[tokio::test]
async fn providers_keep_keys_out_of_sqlite_and_default_the_base_url() {
    let pool = common::pool().await;
    let secrets = MemorySecretStore::default();
    let p = provider::create(
        &pool,
        &secrets,
        ProviderInput {
            name: "OpenRouter".into(),
            kind: ProviderKind::Openrouter,
            base_url: "  ".into(),
            api_key: Some(Secret::new("sk-or-secret-value")),
        },
    )
    .await
    .unwrap();
    assert_eq!(p.base_url, "https://openrouter.ai/api/v1");
    assert!(p.has_api_key);
    assert_eq!(
        secrets.get(&provider_key(p.id)).unwrap().unwrap().expose(),
        "sk-or-secret-value"
    );
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        !json.contains("sk-or-secret-value"),
        "the key must never be sent back: {json}"
    );

    // No column of any table holds the key.
    let dump: Vec<String> =
        sqlx::query_scalar("select quote(base_url) || name || kind from providers")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(dump.iter().all(|row| !row.contains("sk-or")));

    // Absent keeps, empty removes.
    let mut edit = ProviderInput {
        name: "OpenRouter".into(),
        kind: ProviderKind::Openrouter,
        base_url: String::new(),
        api_key: None,
    };
    assert!(
        provider::update(&pool, &secrets, p.id, edit.clone())
            .await
            .unwrap()
            .has_api_key
    );
    edit.api_key = Some(Secret::new(""));
    assert!(
        !provider::update(&pool, &secrets, p.id, edit)
            .await
            .unwrap()
            .has_api_key
    );

    let err = provider::create(
        &pool,
        &secrets,
        ProviderInput {
            name: "Bad".into(),
            kind: ProviderKind::OpenaiCompatible,
            base_url: "localhost:1234".into(),
            api_key: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("base_url"));
}

/// A key belongs to the server it was given for: moving the base URL to
/// another scheme, host or port forgets it unless a new key comes along.
#[tokio::test]
async fn moving_a_provider_to_another_server_forgets_its_key() {
    let pool = common::pool().await;
    let secrets = MemorySecretStore::default();
    let input = |base_url: &str, key: Option<&str>| ProviderInput {
        name: "Mine".into(),
        kind: ProviderKind::OpenaiCompatible,
        base_url: base_url.into(),
        api_key: key.map(Secret::new),
    };
    let p = provider::create(
        &pool,
        &secrets,
        input("https://api.one.example/v1", Some("sk-one")),
    )
    .await
    .unwrap();
    let stored = |p: &parley::models::Provider| secrets.get(&provider_key(p.id)).unwrap();
    // Same server, another path: the key stays.
    let same = provider::update(
        &pool,
        &secrets,
        p.id,
        input("https://api.one.example/v2/", None),
    )
    .await
    .unwrap();
    assert!(same.has_api_key && !same.key_cleared);
    assert_eq!(stored(&same).unwrap().expose(), "sk-one");
    // Another host, another port, another scheme: each forgets the key.
    let mut key = "sk-one".to_string();
    for moved_to in [
        "https://evil.example/v1",
        "https://evil.example:8443/v1",
        "http://evil.example:8443/v1",
    ] {
        provider::update(
            &pool,
            &secrets,
            p.id,
            input("https://api.one.example/v1", Some(&key)),
        )
        .await
        .unwrap();
        let moved = provider::update(&pool, &secrets, p.id, input(moved_to, None))
            .await
            .unwrap();
        assert!(moved.key_cleared, "{moved_to}");
        assert!(!moved.has_api_key, "{moved_to}");
        assert!(stored(&moved).is_none(), "{moved_to}: the key is gone");
        let json = serde_json::to_value(&moved).unwrap();
        assert_eq!(json["keyCleared"], true, "the window is told: {json}");
        key.push('1');
    }
    // A move that brings its own key keeps the new one.
    let with_key = provider::update(
        &pool,
        &secrets,
        p.id,
        input("https://api.two.example/v1", Some("sk-two")),
    )
    .await
    .unwrap();
    assert!(with_key.has_api_key && !with_key.key_cleared);
    assert_eq!(stored(&with_key).unwrap().expose(), "sk-two");
    // The reply of an ordinary save does not mention a cleared key.
    let json = serde_json::to_value(&same).unwrap();
    assert!(json.get("keyCleared").is_none(), "{json}");
}

#[tokio::test]
async fn deleting_a_provider_forgets_its_key() {
    let pool = common::pool().await;
    let secrets = MemorySecretStore::default();
    let p = provider::create(
        &pool,
        &secrets,
        ProviderInput {
            name: "X".into(),
            kind: ProviderKind::Anthropic,
            base_url: String::new(),
            api_key: Some(Secret::new("k")),
        },
    )
    .await
    .unwrap();
    provider::delete(&pool, &secrets, p.id).await.unwrap();
    assert!(secrets.get(&provider_key(p.id)).unwrap().is_none());
    assert_eq!(
        provider::get(&pool, &secrets, p.id)
            .await
            .unwrap_err()
            .kind(),
        "NotFoundError"
    );
}

async fn a_model(pool: &sqlx::SqlitePool) -> parley::models::AiModel {
    common::provider_with_model(pool, "Local", ProviderKind::Ollama, "", "llama3.1:8b", None).await
}

#[tokio::test]
async fn model_limits_and_sampling_ranges_are_checked() {
    let pool = common::pool().await;
    let m = a_model(&pool).await;
    assert_eq!(
        m.display_name, "llama3.1:8b",
        "display name defaults to the model id"
    );
    assert_eq!(
        (m.context_length, m.max_output_tokens),
        (None, None),
        "empty limits are inherited from Settings, not invented"
    );
    let bad = [
        (
            AiModelInput {
                context_length: Some(10),
                ..Default::default()
            },
            "context_length",
        ),
        (
            AiModelInput {
                max_output_tokens: Some(9000),
                ..Default::default()
            },
            "max_output_tokens",
        ),
        (
            AiModelInput {
                params: SamplingParams {
                    temperature: Some(2.5),
                    ..Default::default()
                },
                ..Default::default()
            },
            "temperature",
        ),
        (
            AiModelInput {
                params: SamplingParams {
                    top_p: Some(-0.1),
                    ..Default::default()
                },
                ..Default::default()
            },
            "top_p",
        ),
        (
            AiModelInput {
                model_id: "  ".into(),
                ..Default::default()
            },
            "model_id",
        ),
    ];
    for (mut input, field) in bad {
        input.provider_id = Some(m.provider_id);
        if input.model_id.is_empty() {
            input.model_id = "other".into();
        }
        let err = ai_model::create(&pool, input).await.unwrap_err();
        assert_eq!(field_of(&err), Some(field), "{err}");
    }
    let dup = ai_model::create(
        &pool,
        AiModelInput {
            provider_id: Some(m.provider_id),
            model_id: "llama3.1:8b".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(dup.kind(), "ConflictError");
}

#[tokio::test]
async fn settings_is_one_row_and_defaults_are_cleared_when_deleted() {
    let pool = common::pool().await;
    let c = common::new_character(&pool, "Default me").await;
    let persona = user_profile::create(
        &pool,
        UserProfileInput {
            name: "Me".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    let model = a_model(&pool).await;
    let prompt = system_prompt::create(
        &pool,
        SystemPromptInput {
            name: "Mine".into(),
            content: "x".into(),
        },
    )
    .await
    .unwrap();
    let input = SettingsInput {
        default_character_id: Some(c),
        default_user_profile_id: Some(persona.id),
        default_ai_model_id: Some(model.id),
        default_system_prompt_id: Some(prompt.id),
        temperature: 0.7,
        max_output_tokens: 512,
        context_length: 4096,
    };
    let s = settings::update(&pool, input.clone()).await.unwrap();
    assert_eq!(s.default_character_id, Some(c));
    let rows: i64 = sqlx::query_scalar("select count(*) from application_settings")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);

    character::delete(&pool, c).await.unwrap();
    user_profile::delete(&pool, persona.id).await.unwrap();
    ai_model::delete(&pool, model.id).await.unwrap();
    system_prompt::delete(&pool, prompt.id).await.unwrap();
    let s = settings::get(&pool).await.unwrap();
    assert_eq!(
        (
            s.default_character_id,
            s.default_user_profile_id,
            s.default_ai_model_id,
            s.default_system_prompt_id
        ),
        (None, None, None, None)
    );
    assert_eq!(s.temperature, 0.7);

    // A default must point at something live.
    let err = settings::update(
        &pool,
        SettingsInput {
            default_character_id: Some(c),
            ..input.clone()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("default_character_id"));
    let err = settings::update(
        &pool,
        SettingsInput {
            default_character_id: None,
            default_user_profile_id: None,
            default_ai_model_id: None,
            default_system_prompt_id: None,
            temperature: 3.0,
            ..input
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("temperature"));
}

#[tokio::test]
async fn a_new_chat_opens_with_the_greeting_and_its_alternatives_as_swipes() {
    let pool = common::pool().await;
    let c = character::create(
        &pool,
        CharacterInput {
            name: "Mira".into(),
            first_message: "Welcome aboard.".into(),
            alternate_greetings: vec!["Alarms!".into(), " ".into(), "Coffee?".into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(c.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(chat.title, "Chat with Mira");
    let page = message::page(&pool, chat.id, None, None).await.unwrap();
    assert_eq!(page.items.len(), 1);
    let greeting = &page.items[0];
    assert_eq!(greeting.role, MessageRole::Assistant);
    assert_eq!(greeting.content, "Welcome aboard.");
    assert_eq!(
        (greeting.swipe_count, greeting.active_swipe),
        (3, 0),
        "blank greetings are skipped"
    );
    let shown = message::set_swipe(&pool, greeting.id, 2).await.unwrap();
    assert_eq!(shown.content, "Coffee?");
    assert_eq!(
        message::set_swipe(&pool, greeting.id, 3)
            .await
            .unwrap_err()
            .kind(),
        "ValidationError"
    );
}

#[tokio::test]
async fn a_new_chat_takes_the_defaults() {
    let pool = common::pool().await;
    let persona = user_profile::create(
        &pool,
        UserProfileInput {
            name: "Me".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    let current = settings::get(&pool).await.unwrap();
    settings::update(
        &pool,
        SettingsInput {
            default_character_id: None,
            default_user_profile_id: Some(persona.id),
            default_ai_model_id: None,
            default_system_prompt_id: None,
            temperature: current.temperature,
            max_output_tokens: current.max_output_tokens,
            context_length: current.context_length,
        },
    )
    .await
    .unwrap();
    let chat = chat_session::create(&pool, ChatSessionInput::default())
        .await
        .unwrap();
    assert_eq!(chat.user_profile_id, Some(persona.id));
    assert_eq!(chat.title, "New chat");
}

#[tokio::test]
async fn messages_are_validated_paged_edited_and_deleted() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let err = message::add(
        &pool,
        chat,
        MessageInput {
            role: MessageRole::User,
            content: "  ".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("content"));
    let err = message::add(
        &pool,
        chat,
        MessageInput {
            role: MessageRole::User,
            content: "x".repeat(1_000_001),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("content"));

    let mut ids = Vec::new();
    for i in 0..120 {
        ids.push(common::say(&pool, chat, &format!("message {i}")).await);
    }
    let last = message::page(&pool, chat, None, None).await.unwrap();
    assert_eq!(last.items.len(), 50);
    assert_eq!(last.items.last().unwrap().content, "message 119");
    let cursor: parley::models::Id = last.next_cursor.unwrap().parse().unwrap();
    assert_eq!(cursor, ids[70]);
    let earlier = message::page(&pool, chat, Some(cursor), Some(100))
        .await
        .unwrap();
    assert_eq!(earlier.items.len(), 70);
    assert_eq!(earlier.items[0].content, "message 0");
    assert!(earlier.next_cursor.is_none());

    let edited = message::update(&pool, ids[3], "changed").await.unwrap();
    assert_eq!(edited.content, "changed");
    message::delete(&pool, ids[3]).await.unwrap();
    assert_eq!(
        message::get(&pool, ids[3]).await.unwrap_err().kind(),
        "NotFoundError"
    );

    // A page anchored on another chat's message is refused.
    let other = common::new_chat(&pool, None).await;
    let err = message::page(&pool, other, Some(ids[5]), None)
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), Some("before_id"));
}

#[tokio::test]
async fn editing_a_swiped_message_changes_the_swipe_it_shows() {
    let pool = common::pool().await;
    let chat = common::new_chat(&pool, None).await;
    let id = common::say(&pool, chat, "first").await;
    let m = message::add_swipe(&pool, id, "second").await.unwrap();
    assert_eq!(
        (m.content.as_str(), m.swipe_count, m.active_swipe),
        ("second", 2, 1)
    );
    message::update(&pool, id, "second, edited").await.unwrap();
    let back = message::set_swipe(&pool, id, 0).await.unwrap();
    assert_eq!(back.content, "first");
    let again = message::set_swipe(&pool, id, 1).await.unwrap();
    assert_eq!(again.content, "second, edited");
}

#[tokio::test]
async fn purge_only_from_the_trash_and_built_in_prompts_stay() {
    let pool = common::pool().await;
    let c = common::new_character(&pool, "Temp").await;
    let err = character::purge(&pool, c).await.unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");
    character::delete(&pool, c).await.unwrap();
    let err = character::update(&pool, c, common::character("Temp 2"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");
    character::restore(&pool, c).await.unwrap();
    character::delete(&pool, c).await.unwrap();
    character::purge(&pool, c).await.unwrap();
    assert_eq!(
        character::get(&pool, c).await.unwrap_err().kind(),
        "NotFoundError"
    );

    let builtin = system_prompt::list(&pool, &ListQuery::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|p| p.is_builtin)
        .expect("built-in prompts ship with the schema");
    let err = system_prompt::delete(&pool, builtin.id).await.unwrap_err();
    assert_eq!(err.kind(), "BusinessRuleError");

    let chat = common::new_chat(&pool, None).await;
    common::say(&pool, chat, "hello").await;
    chat_session::delete(&pool, chat).await.unwrap();
    let err = message::add(
        &pool,
        chat,
        MessageInput {
            role: MessageRole::User,
            content: "x".into(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        err.kind(),
        "BusinessRuleError",
        "no writing into a chat in the trash"
    );
    chat_session::restore(&pool, chat).await.unwrap();
    assert_eq!(
        message::page(&pool, chat, None, None)
            .await
            .unwrap()
            .items
            .len(),
        1,
        "restored with its messages"
    );
}

#[tokio::test]
async fn chats_refuse_references_to_deleted_rows() {
    let pool = common::pool().await;
    let c = common::new_character(&pool, "Soon gone").await;
    character::delete(&pool, c).await.unwrap();
    let err = chat_session::create(
        &pool,
        ChatSessionInput {
            character_id: Some(c),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("character_id"));
    let err = chat_session::create(
        &pool,
        ChatSessionInput {
            title: "t".repeat(501),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("title"));
}

// Generation values: the chat's overrides, then the model, then Settings.

fn overrides(f: impl FnOnce(&mut ChatOverrides)) -> ChatOverrides {
    let mut o = ChatOverrides::default();
    f(&mut o);
    o
}

#[tokio::test]
async fn a_models_limits_can_be_emptied_to_inherit_from_settings_again() {
    let pool = common::pool().await;
    let m = a_model(&pool).await;
    let input = AiModelInput {
        provider_id: Some(m.provider_id),
        model_id: m.model_id.clone(),
        context_length: Some(32_768),
        ..Default::default()
    };
    let set = ai_model::update(&pool, m.id, input.clone()).await.unwrap();
    assert_eq!(
        (set.context_length, set.max_output_tokens),
        (Some(32_768), None)
    );
    let emptied = ai_model::update(
        &pool,
        m.id,
        AiModelInput {
            context_length: None,
            ..input
        },
    )
    .await
    .unwrap();
    assert_eq!(emptied.context_length, None);
}

#[tokio::test]
async fn a_models_max_output_must_fit_the_context_it_inherits() {
    let pool = common::pool().await;
    let m = a_model(&pool).await;
    common::generation_settings(&pool, 0.8, 1024, 4096).await;
    let err = ai_model::update(
        &pool,
        m.id,
        AiModelInput {
            provider_id: Some(m.provider_id),
            model_id: m.model_id.clone(),
            max_output_tokens: Some(4096),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("max_output_tokens"));
    assert!(
        err.to_string().contains("context length from Settings"),
        "{err}"
    );
}

#[tokio::test]
async fn chat_overrides_are_checked_with_the_ranges_of_model_values() {
    let pool = common::pool().await;
    let cases = [
        (overrides(|o| o.context_length = Some(10)), "context_length"),
        (
            overrides(|o| o.max_output_tokens = Some(0)),
            "max_output_tokens",
        ),
        (
            overrides(|o| o.max_output_tokens = Some(8192)),
            "max_output_tokens",
        ),
        (
            overrides(|o| o.params.temperature = Some(2.5)),
            "temperature",
        ),
        (overrides(|o| o.params.top_p = Some(1.5)), "top_p"),
        (overrides(|o| o.params.top_k = Some(-1)), "top_k"),
        (overrides(|o| o.params.min_p = Some(-0.5)), "min_p"),
        (
            overrides(|o| o.params.frequency_penalty = Some(3.0)),
            "frequency_penalty",
        ),
        (
            overrides(|o| o.params.presence_penalty = Some(-3.0)),
            "presence_penalty",
        ),
        (
            overrides(|o| o.params.repetition_penalty = Some(11.0)),
            "repetition_penalty",
        ),
    ];
    for (generation, field) in cases {
        let err = chat_session::create(
            &pool,
            ChatSessionInput {
                generation: Some(generation),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(field_of(&err), Some(field), "{generation:?}: {err}");
    }
    let chat = chat_session::create(&pool, ChatSessionInput::default())
        .await
        .unwrap();
    let err = chat_session::update(
        &pool,
        chat.id,
        ChatSessionInput {
            generation: Some(overrides(|o| o.params.temperature = Some(-1.0))),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("temperature"));
}

#[tokio::test]
async fn chat_overrides_are_kept_until_replaced_and_cleared_by_an_empty_object() {
    let pool = common::pool().await;
    let set = overrides(|o| {
        o.context_length = Some(16_384);
        o.params.temperature = Some(1.1);
        o.params.top_k = Some(0);
    });
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            generation: Some(set),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(chat.generation, set);
    assert_eq!(
        chat_session::get(&pool, chat.id).await.unwrap().generation,
        set
    );

    // A caller that does not know about overrides (rename) keeps them.
    let renamed = chat_session::update(
        &pool,
        chat.id,
        ChatSessionInput {
            title: "Renamed".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (renamed.title.as_str(), renamed.generation),
        ("Renamed", set)
    );

    let cleared = chat_session::update(
        &pool,
        chat.id,
        ChatSessionInput {
            title: "Renamed".into(),
            generation: Some(ChatOverrides::default()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(cleared.generation, ChatOverrides::default());
}

#[tokio::test]
async fn a_chats_max_output_must_fit_the_context_its_model_gives_it() {
    let pool = common::pool().await;
    let model = common::provider_with_model(
        &pool,
        "Local",
        ProviderKind::Ollama,
        "",
        "small:1b",
        Some(2048),
    )
    .await;
    let input = ChatSessionInput {
        ai_model_id: Some(model.id),
        generation: Some(overrides(|o| o.max_output_tokens = Some(4000))),
        ..Default::default()
    };
    let err = chat_session::create(&pool, input.clone())
        .await
        .unwrap_err();
    assert_eq!(field_of(&err), Some("max_output_tokens"));
    assert!(
        err.to_string().contains("context length from the model"),
        "{err}"
    );

    // The chat's own context length makes room.
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            generation: Some(overrides(|o| {
                o.max_output_tokens = Some(4000);
                o.context_length = Some(16_384);
            })),
            ..input
        },
    )
    .await
    .unwrap();
    assert_eq!(chat.generation.max_output_tokens, Some(4000));
}

#[tokio::test]
async fn settings_max_output_must_be_below_their_context_length() {
    let pool = common::pool().await;
    let s = settings::get(&pool).await.unwrap();
    let err = settings::update(
        &pool,
        SettingsInput {
            default_character_id: None,
            default_user_profile_id: None,
            default_ai_model_id: None,
            default_system_prompt_id: None,
            temperature: s.temperature,
            max_output_tokens: 8192,
            context_length: 8192,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field_of(&err), Some("max_output_tokens"));
}

#[tokio::test]
async fn a_replys_values_come_from_the_chat_then_the_model_then_settings() {
    let pool = common::pool().await;
    common::generation_settings(&pool, 0.5, 700, 6000).await;
    let m = a_model(&pool).await;
    let model = ai_model::update(
        &pool,
        m.id,
        AiModelInput {
            provider_id: Some(m.provider_id),
            model_id: m.model_id.clone(),
            context_length: Some(32_768),
            params: SamplingParams {
                top_p: Some(0.9),
                top_k: Some(40),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let chat = chat_session::create(
        &pool,
        ChatSessionInput {
            ai_model_id: Some(model.id),
            generation: Some(overrides(|o| o.params.top_p = Some(0.5))),
            ..Default::default()
        },
    )
    .await
    .unwrap();

    let s = settings::get(&pool).await.unwrap();
    let e = resolve(&chat.generation, &model, &s);
    assert_eq!(
        (e.context_length, e.source.context_length),
        (32_768, Source::Model)
    );
    assert_eq!(
        (e.max_output_tokens, e.source.max_output_tokens),
        (700, Source::Settings)
    );
    assert_eq!(
        (e.params.temperature, e.source.temperature),
        (Some(0.5), Source::Settings)
    );
    assert_eq!((e.params.top_p, e.source.top_p), (Some(0.5), Source::Chat));
    assert_eq!((e.params.top_k, e.source.top_k), (Some(40), Source::Model));
    assert_eq!((e.params.min_p, e.source.min_p), (None, Source::Provider));

    // The model other chats share is unchanged by this chat's override.
    assert_eq!(
        ai_model::get(&pool, model.id).await.unwrap().params.top_p,
        Some(0.9)
    );
}

/// The JSON the window gets from a write equals what reading the row gives:
/// the writes return their row (`returning`) instead of reading it back.
fn same_json<T: serde::Serialize>(written: &T, read: &T, what: &str) {
    assert_eq!(
        serde_json::to_value(written).unwrap(),
        serde_json::to_value(read).unwrap(),
        "{what}"
    );
}

#[tokio::test]
async fn every_write_returns_the_row_a_read_gives() {
    let pool = common::pool().await;
    let secrets = MemorySecretStore::default();

    let input = CharacterInput {
        name: "Mira".into(),
        first_message: "Hello".into(),
        alternate_greetings: vec!["Hey".into()],
        tags: vec!["sci-fi".into()],
        ..Default::default()
    };
    let c = character::create(&pool, input.clone()).await.unwrap();
    same_json(
        &c,
        &character::get(&pool, c.id).await.unwrap(),
        "character create",
    );
    let edit = CharacterInput {
        name: "Mira Voss".into(),
        ..input
    };
    let c2 = character::update(&pool, c.id, edit).await.unwrap();
    same_json(
        &c2,
        &character::get(&pool, c.id).await.unwrap(),
        "character update",
    );
    character::delete(&pool, c.id).await.unwrap();
    let c3 = character::restore(&pool, c.id).await.unwrap();
    same_json(
        &c3,
        &character::get(&pool, c.id).await.unwrap(),
        "character restore",
    );

    let persona = UserProfileInput {
        name: "Sam".into(),
        description: "a pilot".into(),
    };
    let u = user_profile::create(&pool, persona.clone()).await.unwrap();
    same_json(
        &u,
        &user_profile::get(&pool, u.id).await.unwrap(),
        "persona create",
    );
    let u2 = user_profile::update(&pool, u.id, persona).await.unwrap();
    same_json(
        &u2,
        &user_profile::get(&pool, u.id).await.unwrap(),
        "persona update",
    );
    user_profile::delete(&pool, u.id).await.unwrap();
    let u3 = user_profile::restore(&pool, u.id).await.unwrap();
    same_json(
        &u3,
        &user_profile::get(&pool, u.id).await.unwrap(),
        "persona restore",
    );

    let prompt = SystemPromptInput {
        name: "Terse".into(),
        content: "Be brief.".into(),
    };
    let s = system_prompt::create(&pool, prompt.clone()).await.unwrap();
    same_json(
        &s,
        &system_prompt::get(&pool, s.id).await.unwrap(),
        "prompt create",
    );
    let s2 = system_prompt::update(&pool, s.id, prompt).await.unwrap();
    same_json(
        &s2,
        &system_prompt::get(&pool, s.id).await.unwrap(),
        "prompt update",
    );
    system_prompt::delete(&pool, s.id).await.unwrap();
    let s3 = system_prompt::restore(&pool, s.id).await.unwrap();
    same_json(
        &s3,
        &system_prompt::get(&pool, s.id).await.unwrap(),
        "prompt restore",
    );

    let p_input = ProviderInput {
        name: "Local".into(),
        kind: ProviderKind::Ollama,
        base_url: String::new(),
        api_key: Some(Secret::new("k")),
    };
    let p = provider::create(&pool, &secrets, p_input.clone())
        .await
        .unwrap();
    assert!(p.has_api_key);
    same_json(
        &p,
        &provider::get(&pool, &secrets, p.id).await.unwrap(),
        "provider create",
    );
    let p2 = provider::update(&pool, &secrets, p.id, p_input)
        .await
        .unwrap();
    same_json(
        &p2,
        &provider::get(&pool, &secrets, p.id).await.unwrap(),
        "provider update",
    );

    let m_input = AiModelInput {
        provider_id: Some(p.id),
        model_id: "llama3.1:8b".into(),
        context_length: Some(8192),
        ..Default::default()
    };
    let m = ai_model::create(&pool, m_input.clone()).await.unwrap();
    same_json(
        &m,
        &ai_model::get(&pool, m.id).await.unwrap(),
        "model create",
    );
    let m2 = ai_model::update(&pool, m.id, m_input).await.unwrap();
    same_json(
        &m2,
        &ai_model::get(&pool, m.id).await.unwrap(),
        "model update",
    );

    // A chat opens with the character's greeting (and its swipes) in the
    // same transaction; the row it returns must still be the stored one.
    let chat = ChatSessionInput {
        character_id: Some(c.id),
        ..Default::default()
    };
    let ch = chat_session::create(&pool, chat.clone()).await.unwrap();
    same_json(
        &ch,
        &chat_session::get(&pool, ch.id).await.unwrap(),
        "chat create",
    );
    let ch2 = chat_session::update(&pool, ch.id, chat).await.unwrap();
    same_json(
        &ch2,
        &chat_session::get(&pool, ch.id).await.unwrap(),
        "chat update",
    );
    chat_session::delete(&pool, ch.id).await.unwrap();
    let ch3 = chat_session::restore(&pool, ch.id).await.unwrap();
    same_json(
        &ch3,
        &chat_session::get(&pool, ch.id).await.unwrap(),
        "chat restore",
    );

    let current = settings::get(&pool).await.unwrap();
    let set = settings::update(
        &pool,
        SettingsInput {
            default_character_id: Some(c.id),
            default_user_profile_id: Some(u.id),
            default_ai_model_id: Some(m.id),
            default_system_prompt_id: Some(s.id),
            temperature: 0.5,
            max_output_tokens: current.max_output_tokens,
            context_length: current.context_length,
        },
    )
    .await
    .unwrap();
    same_json(
        &set,
        &settings::get(&pool).await.unwrap(),
        "settings update",
    );
}
