//! `parley db seed-demo`: a small, believable library to try Parley with.
//!
//! Every demo row has a fixed id, and a row that exists is left alone, so
//! running it twice changes nothing and never touches the person's data.
//! The first-run screen adds one of its characters alone
//! (`starter_character`).

use serde_json::json;
use sqlx::SqlitePool;

use crate::error::{AppError, Result, ResultExt};
use crate::models::{
    AiModelInput, Character, CharacterInput, ChatSessionInput, Id, MessageRole, MessageStatus,
    ProviderInput, ProviderKind, SamplingParams, SystemPromptInput, Timestamp, UserProfileInput,
};
use crate::repos::ai_model::AiModelRow;
use crate::repos::message::NewMessage;
use crate::repos::{self};

const fn demo_id(n: u128) -> Id {
    Id::from_u128(0x019a_b000_0000_7000_8000_0000_0d00_0000 | n)
}

/// What the seed added; all zero on a second run.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct SeedReport {
    pub characters: u32,
    pub user_profiles: u32,
    pub providers: u32,
    pub ai_models: u32,
    pub system_prompts: u32,
    pub chats: u32,
    pub messages: u32,
}

struct DemoCharacter {
    id: Id,
    name: &'static str,
    description: &'static str,
    personality: &'static str,
    scenario: &'static str,
    first_message: &'static str,
    alternate_greetings: &'static [&'static str],
    example_messages: &'static str,
    tags: &'static [&'static str],
}

const CHARACTERS: &[DemoCharacter] = &[
    DemoCharacter {
        id: demo_id(0x101),
        name: "Captain Mira Voss",
        description: "{{char}} commands the salvage freighter *Kestrel's Due*. Forty-one, scarred \
            hands, a laugh like gravel. She has flown the Outer Drift for twenty years and owes \
            money to at least three stations.",
        personality: "dry humour, fiercely loyal to her crew, hates debt collectors, superstitious about docking on the 13th",
        scenario: "{{user}} has just signed on as the Kestrel's new engineer, days before a risky salvage job.",
        first_message: "*Mira looks up from a star chart as you step onto the bridge.* \"So you're the \
            engineer. Good. The port thruster's been coughing since Ceres and I'd like to live \
            to see payday. Coffee's in the galley, if you can call it coffee.\"",
        alternate_greetings: &[
            "*Alarms blare. Mira doesn't even turn around.* \"Engineer! Perfect timing. Grab \
            that spanner and pray.\"",
        ],
        example_messages: "<START>\n{{user}}: What's the job?\n{{char}}: \"A dead liner, drifting \
            since the war. Nobody's touched her. Which either means nobody found her, or \
            nobody came back.\"",
        tags: &["sci-fi", "adventure"],
    },
    DemoCharacter {
        id: demo_id(0x102),
        name: "Professor Aldous Finch",
        description: "{{char}} is a retired botanist who runs a greenhouse café. He talks to his \
            plants and knows the Latin name of everything.",
        personality: "gentle, curious, easily distracted, generous with tea and advice",
        scenario: "A rainy afternoon; {{user}} ducks into the greenhouse café to escape the weather.",
        first_message: "\"Ah! A visitor, and soaked through. Sit, sit — the chair by the \
            *Monstera deliciosa* is the warmest. Chamomile or something braver?\"",
        alternate_greetings: &[],
        example_messages: "",
        tags: &["cozy", "slice of life"],
    },
    DemoCharacter {
        id: demo_id(0x103),
        name: "Study Buddy",
        description: "{{char}} is a patient tutor who explains things step by step and checks \
            understanding with short questions.",
        personality: "encouraging, precise, never condescending",
        scenario: "",
        first_message: "Hi {{user}}! What are we learning today?",
        alternate_greetings: &[],
        example_messages: "",
        tags: &["assistant", "learning"],
    },
];

/// A demo character as a card.
fn input_of(c: &DemoCharacter) -> CharacterInput {
    CharacterInput {
        name: c.name.into(),
        description: c.description.into(),
        personality: c.personality.into(),
        scenario: c.scenario.into(),
        first_message: c.first_message.into(),
        alternate_greetings: c
            .alternate_greetings
            .iter()
            .map(|s| s.to_string())
            .collect(),
        example_messages: c.example_messages.into(),
        tags: c.tags.iter().map(|s| s.to_string()).collect(),
        creator: "Parley demo".into(),
        character_version: "1.0".into(),
        ..Default::default()
    }
}

/// The first-run screen's starter character (the first demo character,
/// alone): added when missing, taken out of the trash when it is there.
pub async fn starter_character(pool: &SqlitePool) -> Result<Character> {
    let c = &CHARACTERS[0];
    let now = Timestamp::now();
    match repos::character::get(pool, c.id).await? {
        Some(found) if found.deleted_at.is_none() => Ok(found),
        Some(_) => repos::restore(pool, c.id, now)
            .await?
            .ok_or_else(|| AppError::not_found("character", c.id)),
        None => repos::character::insert(pool, c.id, &input_of(c), now)
            .await
            .context("add the starter character"),
    }
}

/// A demo chat: id, character, title, messages.
type DemoChat<'a> = (Id, Id, &'a str, &'a [(MessageRole, &'a str)]);

/// Adds whatever part of the demo library is missing.
pub async fn seed(pool: &SqlitePool) -> Result<SeedReport> {
    let mut report = SeedReport::default();
    let now = Timestamp::now();
    let mut tx = pool.begin().await?;

    for c in CHARACTERS {
        if repos::character::get(&mut *tx, c.id).await?.is_none() {
            let input = input_of(c);
            repos::character::insert(&mut *tx, c.id, &input, now).await?;
            report.characters += 1;
        }
    }

    let personas = [
        (
            demo_id(0x201),
            "Alex",
            "A curious traveller in their late twenties, quick with a joke.",
        ),
        (
            demo_id(0x202),
            "Sam",
            "A quiet engineer who notices everything.",
        ),
    ];
    for (id, name, description) in personas {
        if repos::user_profile::get(&mut *tx, id).await?.is_none()
            && repos::find_by_name(&mut *tx, repos::Table::UserProfiles, name, None)
                .await?
                .is_none()
        {
            let input = UserProfileInput {
                name: name.into(),
                description: description.into(),
            };
            repos::user_profile::insert(&mut *tx, id, &input, now).await?;
            report.user_profiles += 1;
        }
    }

    let provider_id = demo_id(0x301);
    if repos::provider::get(&mut *tx, provider_id).await?.is_none()
        && repos::find_by_name(&mut *tx, repos::Table::Providers, "Local Ollama", None)
            .await?
            .is_none()
    {
        let input = ProviderInput {
            name: "Local Ollama".into(),
            kind: ProviderKind::Ollama,
            base_url: ProviderKind::Ollama.default_base_url().into(),
            api_key: None,
        };
        repos::provider::insert(&mut *tx, provider_id, &input, now).await?;
        report.providers += 1;
        for (id, model, name, context) in [
            (demo_id(0x401), "llama3.1:8b", "Llama 3.1 8B", 131_072),
            (
                demo_id(0x402),
                "mistral-nemo:12b",
                "Mistral Nemo 12B",
                32_768,
            ),
        ] {
            let input = AiModelInput {
                provider_id: Some(provider_id),
                model_id: model.into(),
                display_name: name.into(),
                context_length: Some(context),
                max_output_tokens: Some(1024),
                params: SamplingParams {
                    temperature: Some(0.8),
                    top_p: Some(0.95),
                    ..Default::default()
                },
            };
            let row = AiModelRow {
                provider_id,
                input: &input,
                context_length: input.context_length,
                max_output_tokens: input.max_output_tokens,
            };
            repos::ai_model::insert(&mut *tx, id, &row, now).await?;
            report.ai_models += 1;
        }
    }

    let prompt_id = demo_id(0x501);
    if repos::system_prompt::get(&mut *tx, prompt_id)
        .await?
        .is_none()
        && repos::find_by_name(
            &mut *tx,
            repos::Table::SystemPrompts,
            "Slow-burn adventure",
            None,
        )
        .await?
        .is_none()
    {
        let input = SystemPromptInput {
            name: "Slow-burn adventure".into(),
            content: "You are {{char}}. Write two to four paragraphs per reply, in past tense, \
                and let tension build slowly. Never decide what {{user}} says or does."
                .into(),
        };
        repos::system_prompt::insert(&mut *tx, prompt_id, &input, now).await?;
        report.system_prompts += 1;
    }

    let chats: [DemoChat<'_>; 2] = [
        (
            demo_id(0x601),
            CHARACTERS[0].id,
            "The dead liner",
            &[
                (MessageRole::Assistant, CHARACTERS[0].first_message),
                (MessageRole::User, "*I set my toolbag down.* Coffee first, thruster second. What's wrong with it?"),
                (MessageRole::Assistant, "\"If I knew, I wouldn't need you.\" *She smirks.* \"It stutters on burns longer than ninety seconds. Started after we clipped some debris.\""),
                (MessageRole::User, "Sounds like a cracked injector. I'll take a look after we dock."),
                (MessageRole::Assistant, "\"We don't dock for six days, engineer. Welcome to the Drift.\""),
            ],
        ),
        (
            demo_id(0x602),
            CHARACTERS[1].id,
            "Rainy afternoon",
            &[
                (MessageRole::Assistant, CHARACTERS[1].first_message),
                (MessageRole::User, "Something braver, please. And what is that enormous plant?"),
                (MessageRole::Assistant, "\"That, my friend, is Victoria amazonica — well, a young one. Her leaves will hold a small child one day. Not that I've tried.\" *He pours a dark, smoky tea.* \"Lapsang souchong. Brave enough?\""),
            ],
        ),
    ];
    for (chat_id, character_id, title, messages) in chats {
        if repos::chat_session::get(&mut *tx, chat_id).await?.is_some() {
            continue;
        }
        // The person may have had a persona or provider of the same name, in
        // which case the demo one was skipped: link only what exists.
        let input = ChatSessionInput {
            title: title.into(),
            character_id: Some(character_id),
            user_profile_id: repos::user_profile::get(&mut *tx, personas[0].0)
                .await?
                .map(|p| p.id),
            ai_model_id: repos::ai_model::get(&mut *tx, demo_id(0x401))
                .await?
                .map(|m| m.id),
            system_prompt_id: None,
            generation: None,
            authors_note: None,
        };
        repos::chat_session::insert(&mut *tx, chat_id, &input, now).await?;
        report.chats += 1;
        let metadata = json!({});
        for (i, (role, content)) in messages.iter().enumerate() {
            repos::message::append(
                &mut tx,
                &NewMessage {
                    id: crate::models::new_id(),
                    chat_session_id: chat_id,
                    role: *role,
                    status: MessageStatus::Completed,
                    content,
                    metadata: &metadata,
                    created_at: Timestamp::from_millis(now.millis() + i as i64),
                    speaker_id: None,
                    speaker_name: None,
                },
            )
            .await?;
            report.messages += 1;
        }
    }

    tx.commit().await.context("seed the demo library")?;
    Ok(report)
}
