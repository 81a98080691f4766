//! Group chats against real SQLite and the mock provider: creating one and
//! changing its members (validation in words), its settings, a prompt per
//! speaker (the speaker's card, joined cards with the speaker's last, the
//! group scenario, every member's lorebook, names in the history,
//! `{{group}}` / `{{notChar}}`), replies by the chosen speaker (the turn
//! order, a mention, a forced muted member), regenerate and continue
//! keeping the speaker, manual order with nobody picked, a one-character
//! chat becoming a group, and a branch of a group chat.

mod common;

use common::recorder::Recorder;

use std::sync::Arc;
use std::time::Duration;

use common::mock_llm::{openai_tokens, stream, MockLlm};
use parley::error::AppError;
use parley::models::{CharacterInput, ListQuery};
use parley::models::{
    ChatSessionInput, GroupInput, GroupSettings, Id, MemberUpdate, MessageRole, TurnOrder,
    UserProfileInput,
};
use parley::services::generation::{self, ChosenBy, NoReplyReason, ReplyEvent, Sent, Started};
use parley::services::{branch, character, chat_session, group, message, user_profile};
use parley::state::AppState;
use serde_json::json;
use sqlx::SqlitePool;

/// Three characters (Mira, Ash, Kit), each with a description that names
/// them, a scenario, and a lorebook entry; a persona Alex; the mock model.
struct World {
    state: AppState,
    mock: MockLlm,
    mira: Id,
    ash: Id,
    kit: Id,
    me: Id,
}

async fn card(pool: &SqlitePool, name: &str, extra: serde_json::Value) -> Id {
    let lore_key = format!("{}-secret", name.to_lowercase());
    character::create(
        pool,
        CharacterInput {
            name: name.into(),
            description: format!("{{{{char}}}} is {name}'s own description."),
            personality: format!("{name}-personality"),
            scenario: format!("{name}'s scenario."),
            first_message: format!("{name} says hello."),
            example_messages: format!("<START>\n{{{{char}}}}: {name}'s example line"),
            character_book: Some(json!({"entries": [{
                "keys": [lore_key], "content": format!("{{{{char}}}} knows {name}'s lore."),
                "extensions": {}, "enabled": true, "insertion_order": 1}]})),
            extensions: Some(extra),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

async fn world() -> World {
    world_answering(&["Fine", " words."]).await
}

/// `world` with a model that answers `tokens`.
async fn world_answering(tokens: &[&str]) -> World {
    let pool = common::pool().await;
    let mock = MockLlm::start(vec![stream(openai_tokens(tokens))]).await;
    common::default_mock_model(&pool, &mock.base_url).await;
    let mira = card(&pool, "Mira", json!({})).await;
    let ash = card(&pool, "Ash", json!({"talkativeness": "0.9"})).await;
    let kit = card(&pool, "Kit", json!({"talkativeness": 0.2})).await;
    let me = user_profile::create(
        &pool,
        UserProfileInput {
            name: "Alex".into(),
            description: "Alex travels with {{group}}.".into(),
        },
    )
    .await
    .unwrap()
    .id;
    World {
        state: common::state(pool),
        mock,
        mira,
        ash,
        kit,
        me,
    }
}

impl World {
    fn pool(&self) -> &SqlitePool {
        &self.state.pool
    }

    async fn group(&self, order: TurnOrder) -> Id {
        group::create(
            self.pool(),
            GroupInput {
                character_ids: vec![self.mira, self.ash, self.kit],
                user_profile_id: Some(self.me),
                settings: Some(GroupSettings {
                    turn_order: order,
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .chat
        .id
    }

    async fn send(&self, chat: Id, text: &str, speaker: Option<Id>) -> (Sent, Arc<Recorder>) {
        let rec = Arc::new(Recorder::default());
        let sent = generation::send_as(&self.state, chat, text.into(), speaker, rec.sink())
            .await
            .unwrap();
        if matches!(sent, Sent::Started(_)) {
            rec.wait_end().await;
        }
        (sent, rec)
    }

    async fn turn(&self, chat: Id, speaker: Option<Id>) -> Option<Started> {
        let rec = Arc::new(Recorder::default());
        let s = generation::turn(&self.state, chat, speaker, rec.sink())
            .await
            .unwrap();
        if s.is_some() {
            rec.wait_end().await;
        }
        s
    }

    /// The system message and the rest of the last request the model got.
    fn last_request(&self) -> (String, Vec<String>) {
        let body = self.mock.requests().last().expect("a request").json();
        let messages = body["messages"].as_array().unwrap();
        let system = messages[0]["content"].as_str().unwrap().to_string();
        let rest = messages[1..]
            .iter()
            .map(|m| m["content"].as_str().unwrap().to_string())
            .collect();
        (system, rest)
    }

    async fn stored_speaker(&self, id: Id) -> (Option<Id>, Option<String>, String) {
        let m = message::get(self.pool(), id).await.unwrap();
        (m.speaker_id, m.speaker_name, m.content)
    }
}

fn started(sent: Sent) -> Started {
    match sent {
        Sent::Started(s) => s,
        Sent::NoReply(n) => panic!("no reply: {:?}", n.no_reply),
    }
}

fn field(e: AppError) -> String {
    match e {
        AppError::Validation { field, .. } => field,
        other => panic!("not a validation error: {other:?}"),
    }
}

#[tokio::test]
async fn a_group_is_made_of_two_or_more_live_characters_and_opens_with_the_first_greeting() {
    let w = world().await;
    let make = |ids: Vec<Id>| {
        group::create(
            w.pool(),
            GroupInput {
                character_ids: ids,
                ..Default::default()
            },
        )
    };
    assert_eq!(
        field(make(vec![w.mira]).await.unwrap_err()),
        "character_ids"
    );
    assert_eq!(
        field(make(vec![w.mira, w.mira]).await.unwrap_err()),
        "character_ids"
    );
    let gone = common::new_character(w.pool(), "Gone").await;
    character::delete(w.pool(), gone).await.unwrap();
    assert_eq!(
        field(make(vec![w.mira, gone]).await.unwrap_err()),
        "character_ids"
    );

    let g = make(vec![w.mira, w.ash, w.kit]).await.unwrap();
    assert_eq!(g.chat.title, "Chat with Mira, Ash and Kit");
    assert_eq!(g.chat.character_id, Some(w.mira), "the first member");
    let names: Vec<&str> = g.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Mira", "Ash", "Kit"]);
    let talk: Vec<f64> = g.members.iter().map(|m| m.talkativeness).collect();
    assert_eq!(talk, [0.5, 0.9, 0.2], "from the cards, else 0.5");
    assert_eq!(g.settings.turn_order, TurnOrder::Natural);
    let page = message::page(w.pool(), g.chat.id, None, None)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let greeting = &page.items[0];
    assert_eq!(greeting.content, "Mira says hello.");
    assert_eq!(greeting.speaker_id, Some(w.mira));
    assert_eq!(greeting.speaker_name.as_deref(), Some("Mira"));

    // The chat list says which chats are groups, and whom they hold.
    let one = common::new_chat(w.pool(), Some(w.kit)).await;
    let list = chat_session::list(w.pool(), &ListQuery::default())
        .await
        .unwrap();
    let row = |id| list.items.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        row(g.chat.id).member_names.as_deref(),
        Some(&["Mira".to_string(), "Ash".into(), "Kit".into()][..])
    );
    assert_eq!(row(one).member_names, None);
    let json = serde_json::to_value(row(g.chat.id)).unwrap();
    assert_eq!(json["memberNames"], json!(["Mira", "Ash", "Kit"]));
}

#[tokio::test]
async fn members_are_added_muted_reordered_and_removed_mid_chat() {
    let w = world().await;
    let chat = w.group(TurnOrder::List).await;
    let pool = w.pool();
    let extra = common::new_character(pool, "Lena").await;
    let members = group::add_member(pool, chat, extra).await.unwrap();
    assert_eq!(members.last().unwrap().name, "Lena");
    assert_eq!(members.last().unwrap().position, 3);
    assert!(matches!(
        group::add_member(pool, chat, w.ash).await.unwrap_err(),
        AppError::Conflict { .. }
    ));

    let change = |c: MemberUpdate| group::update_member(pool, chat, w.ash, c);
    let m = change(MemberUpdate {
        muted: Some(true),
        talkativeness: Some(1.0),
        ..Default::default()
    })
    .await
    .unwrap();
    let ash = m.iter().find(|m| m.character_id == w.ash).unwrap();
    assert!(ash.muted && ash.talkativeness == 1.0);
    for bad in [-0.1, 1.5, f64::NAN] {
        let e = change(MemberUpdate {
            talkativeness: Some(bad),
            ..Default::default()
        })
        .await
        .unwrap_err();
        assert_eq!(field(e), "talkativeness");
    }
    let e = change(MemberUpdate {
        position: Some(4),
        ..Default::default()
    })
    .await
    .unwrap_err();
    assert_eq!(field(e), "position");

    // Ash first: the chat's character follows its first member.
    let m = change(MemberUpdate {
        position: Some(0),
        ..Default::default()
    })
    .await
    .unwrap();
    let order: Vec<&str> = m.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(order, ["Ash", "Mira", "Kit", "Lena"]);
    assert_eq!(
        chat_session::get(pool, chat).await.unwrap().character_id,
        Some(w.ash)
    );
    // The chat's character is its first member: chat_update may not change it.
    let current = chat_session::get(pool, chat).await.unwrap();
    let e = chat_session::update(
        pool,
        chat,
        ChatSessionInput {
            title: current.title.clone(),
            character_id: Some(w.kit),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(field(e), "character_id");

    // Removing keeps the member's messages and their speaker.
    let mira_said = message::page(pool, chat, None, None).await.unwrap().items[0].id;
    for id in [w.ash, w.mira, w.kit] {
        group::remove_member(pool, chat, id).await.unwrap();
    }
    assert_eq!(
        w.stored_speaker(mira_said).await,
        (Some(w.mira), Some("Mira".into()), "Mira says hello.".into())
    );
    assert_eq!(
        chat_session::get(pool, chat).await.unwrap().character_id,
        Some(extra)
    );
    let e = group::remove_member(pool, chat, extra).await.unwrap_err();
    assert!(e.to_string().contains("at least one member"), "{e}");
    assert_eq!(
        field(group::remove_member(pool, chat, w.ash).await.unwrap_err()),
        "character_id"
    );
}

#[tokio::test]
async fn settings_are_checked_and_kept() {
    let w = world().await;
    let chat = w.group(TurnOrder::Natural).await;
    let pool = w.pool();
    let bad = [
        GroupSettings {
            auto_delay_secs: 601.0,
            ..Default::default()
        },
        GroupSettings {
            auto_turn_limit: 0,
            ..Default::default()
        },
        GroupSettings {
            scenario: "x".repeat(20_001),
            ..Default::default()
        },
    ];
    for (s, f) in bad
        .into_iter()
        .zip(["auto_delay_secs", "auto_turn_limit", "scenario"])
    {
        assert_eq!(
            field(group::set_settings(pool, chat, s).await.unwrap_err()),
            f
        );
    }
    let good = GroupSettings {
        turn_order: TurnOrder::Pooled,
        join_cards: true,
        scenario: "A storm.".into(),
        auto_delay_secs: 0.5,
        auto_turn_limit: 1000,
    };
    group::set_settings(pool, chat, good.clone()).await.unwrap();
    assert_eq!(group::settings(pool, chat).await.unwrap(), good);
    let json = serde_json::to_value(&good).unwrap();
    assert_eq!(json["turnOrder"], "pooled");
    assert_eq!(json["autoDelaySecs"], 0.5);
}

#[tokio::test]
async fn the_prompt_is_the_speakers() {
    let w = world().await;
    let chat = w.group(TurnOrder::Manual).await;
    let pool = w.pool();
    message::add(
        pool,
        chat,
        parley::models::MessageInput {
            role: MessageRole::User,
            content: "Tell me about the mira-secret, {{notChar}}.".into(),
        },
    )
    .await
    .unwrap();
    let preview = |speaker| generation::preview_by(&w.state, chat, speaker);

    // Ash's own card, Ash's macros, every member's lorebook.
    let p = preview(Some(w.ash)).await.unwrap();
    let s = p.speaker.as_ref().unwrap();
    assert_eq!((s.character_id, s.chosen_by), (w.ash, ChosenBy::Picked));
    let system = &p.prompt.messages[0].content;
    assert!(system.contains("Ash is Ash's own description."), "{system}");
    assert!(
        system.contains("Ash's personality: Ash-personality"),
        "{system}"
    );
    assert!(system.contains("Scenario: Ash's scenario."), "{system}");
    assert!(!system.contains("Mira's own description"), "{system}");
    assert!(
        system.contains("Mira knows Mira's lore."),
        "Mira's lorebook, her name: {system}"
    );
    assert!(
        system.contains("About Alex: Alex travels with Mira, Ash, Kit."),
        "{system}"
    );
    let lines: Vec<&str> = p
        .prompt
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert!(lines.contains(&"Mira: Mira says hello."), "{lines:?}");
    assert!(
        lines.contains(&"Alex: Tell me about the mira-secret, Mira, Kit, Alex."),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"[Example conversation]\nAsh: Ash's example line"),
        "{lines:?}"
    );

    // Joined cards: the others first, each as itself, the speaker's last;
    // the group scenario in place of the cards'.
    group::set_settings(
        pool,
        chat,
        GroupSettings {
            turn_order: TurnOrder::Manual,
            join_cards: true,
            scenario: "{{char}} and {{group}} wait out a storm.".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let p = preview(Some(w.kit)).await.unwrap();
    let system = &p.prompt.messages[0].content;
    let at = |t: &str| {
        system
            .find(t)
            .unwrap_or_else(|| panic!("{t} missing: {system}"))
    };
    assert!(at("Mira is Mira's own description.") < at("Ash is Ash's own description."));
    assert!(at("Ash is Ash's own description.") < at("Kit is Kit's own description."));
    assert!(at("Mira's personality: Mira-personality") < at("Kit is Kit's own description."));
    assert!(
        system.contains("Scenario: Kit and Mira, Ash, Kit wait out a storm."),
        "{system}"
    );
    assert!(!system.contains("Mira's scenario."), "{system}");

    // No speaker in manual order: the first member stands in, and says so.
    let p = preview(None).await.unwrap();
    let s = p.speaker.unwrap();
    assert_eq!(
        (s.character_id, s.chosen_by),
        (w.mira, ChosenBy::FirstMember)
    );
    let json = serde_json::to_value(generation::preview(&w.state, chat).await.unwrap()).unwrap();
    assert_eq!(json["speaker"]["chosenBy"], "firstMember");

    // A one-character chat's preview has no speaker and no names.
    let one = common::new_chat(pool, Some(w.mira)).await;
    common::say(pool, one, "hi").await;
    let p = generation::preview(&w.state, one).await.unwrap();
    assert!(p.speaker.is_none());
    assert_eq!(p.prompt.messages.last().unwrap().content, "hi");
    let json = serde_json::to_value(&p).unwrap();
    assert!(json.get("speaker").is_none());
}

#[tokio::test]
async fn a_send_is_answered_by_the_member_the_message_names() {
    let w = world().await;
    let chat = w.group(TurnOrder::Natural).await;
    for _ in 0..3 {
        let (sent, _) = w.send(chat, "Kit, what do you see?", None).await;
        let s = started(sent);
        assert_eq!(s.message.speaker_id, Some(w.kit));
        assert_eq!(
            w.stored_speaker(s.message_id).await,
            (Some(w.kit), Some("Kit".into()), "Fine words.".into())
        );
        let (system, rest) = w.last_request();
        assert!(system.contains("Kit is Kit's own description."), "{system}");
        assert_eq!(rest.last().unwrap(), "Alex: Kit, what do you see?");
    }
    // Kit just spoke; a mention of Kit by Kit is not Kit's turn.
    let (sent, _) = w.send(chat, "and Ash?", None).await;
    assert_eq!(started(sent).message.speaker_id, Some(w.ash));
}

#[tokio::test]
async fn a_reply_that_begins_with_its_speakers_name_shows_and_keeps_it_once() {
    // History lines carry names, so models often begin "Kit: ..."; the
    // bubble already names Kit.
    let w = world_answering(&["Ki", "t:", " At", " once, Kit: says Kit."]).await;
    let chat = w.group(TurnOrder::Natural).await;
    let (sent, rec) = w.send(chat, "Kit, now?", None).await;
    let s = started(sent);
    let expected = "At once, Kit: says Kit.";
    assert_eq!(
        w.stored_speaker(s.message_id).await,
        (Some(w.kit), Some("Kit".into()), expected.into())
    );
    let streamed: String = rec
        .events()
        .into_iter()
        .filter_map(|e| match e {
            ReplyEvent::Delta(d) => Some(d.text),
            _ => None,
        })
        .collect();
    assert_eq!(streamed, expected, "the window never saw the name either");
    // Another member's name in front is not the speaker's: it stays.
    let (sent, _) = w.send(chat, "Mira?", Some(w.mira)).await;
    let (_, _, text) = w.stored_speaker(started(sent).message_id).await;
    assert_eq!(text, "Kit: At once, Kit: says Kit.");
}

#[tokio::test]
async fn regenerate_and_continue_keep_the_speaker() {
    let w = world().await;
    let chat = w.group(TurnOrder::Natural).await;
    let (sent, _) = w.send(chat, "Ash, a word?", None).await;
    let reply = started(sent).message_id;
    for _ in 0..3 {
        let rec = Arc::new(Recorder::default());
        let s = generation::regenerate(&w.state, reply, rec.sink())
            .await
            .unwrap();
        rec.wait_end().await;
        assert_eq!(s.message.speaker_id, Some(w.ash));
        let (system, _) = w.last_request();
        assert!(system.contains("Ash is Ash's own description."), "{system}");
    }
    let rec = Arc::new(Recorder::default());
    let s = generation::continue_reply(&w.state, reply, rec.sink())
        .await
        .unwrap();
    rec.wait_end().await;
    assert_eq!(s.message.speaker_id, Some(w.ash));
    let (_, rest) = w.last_request();
    assert!(
        rest.last().unwrap().starts_with("Ash: Fine words."),
        "{rest:?}"
    );
    let m = message::get(w.pool(), reply).await.unwrap();
    assert_eq!((m.speaker_id, m.swipe_count), (Some(w.ash), 4));
}

#[tokio::test]
async fn a_turn_is_taken_by_a_forced_muted_member_or_the_turn_order() {
    let w = world().await;
    let chat = w.group(TurnOrder::List).await;
    let pool = w.pool();
    group::update_member(
        pool,
        chat,
        w.ash,
        MemberUpdate {
            muted: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Force talk: muted Ash speaks, with no message of the person's.
    let before = message::page(pool, chat, None, None)
        .await
        .unwrap()
        .items
        .len();
    let s = w.turn(chat, Some(w.ash)).await.unwrap();
    assert_eq!(s.message.speaker_id, Some(w.ash));
    assert!(s.user_message.is_none());
    let items = message::page(pool, chat, None, None).await.unwrap().items;
    assert_eq!(items.len(), before + 1);
    assert_eq!(items.last().unwrap().content, "Fine words.");
    let (system, rest) = w.last_request();
    assert!(system.contains("Ash is Ash's own description."), "{system}");
    assert_eq!(rest.last().unwrap(), "Mira: Mira says hello.");
    // The list order goes on after Ash, past nobody muted: Kit, then Mira
    // (Ash is muted), then Kit.
    let mut spoke = Vec::new();
    for _ in 0..3 {
        spoke.push(
            w.turn(chat, None)
                .await
                .unwrap()
                .message
                .speaker_name
                .unwrap(),
        );
    }
    assert_eq!(spoke, ["Kit", "Mira", "Kit"]);
    assert_eq!(
        group::next_speaker(pool, chat)
            .await
            .unwrap()
            .map(|m| m.name),
        Some("Mira".into())
    );
    // A stranger is refused.
    let stranger = common::new_character(pool, "Stranger").await;
    let e = generation::turn(
        &w.state,
        chat,
        Some(stranger),
        Arc::new(Recorder::default()).sink(),
    )
    .await
    .unwrap_err();
    assert_eq!(field(e), "speaker_id");
}

#[tokio::test]
async fn manual_order_with_nobody_picked_stores_the_message_and_starts_no_reply() {
    let w = world().await;
    let chat = w.group(TurnOrder::Manual).await;
    let (sent, rec) = w.send(chat, "Anyone?", None).await;
    let Sent::NoReply(n) = &sent else {
        panic!("a reply started")
    };
    assert_eq!(n.no_reply, NoReplyReason::PickSpeaker);
    assert_eq!(n.user_message.content, "Anyone?");
    let json = serde_json::to_value(&sent).unwrap();
    assert_eq!(json["generationId"], json!(null));
    assert_eq!(json["noReply"], "pickSpeaker");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(rec.events().is_empty(), "no event on the channel");
    assert!(w.mock.requests().is_empty(), "nothing sent to the model");
    assert!(group::next_speaker(w.pool(), chat).await.unwrap().is_none());
    assert!(w.turn(chat, None).await.is_none());
    let items = message::page(w.pool(), chat, None, None)
        .await
        .unwrap()
        .items;
    assert_eq!(items.last().unwrap().content, "Anyone?");

    // The person picks Kit.
    let (sent, _) = w.send(chat, "Kit?", Some(w.kit)).await;
    let s = started(sent);
    assert_eq!(s.message.speaker_id, Some(w.kit));
    let json = serde_json::to_value(Sent::Started(s)).unwrap();
    assert!(json.get("noReply").is_none(), "a started send is as before");
    assert!(json["generationId"].is_string());
}

#[tokio::test]
async fn a_one_character_chat_takes_no_speaker_and_becomes_a_group_with_a_second() {
    let w = world().await;
    let pool = w.pool();
    let chat = common::new_chat(pool, Some(w.mira)).await;
    let (sent, _) = w.send(chat, "hello", None).await;
    let s = started(sent);
    assert_eq!(
        s.message.speaker_id, None,
        "one-character replies have none"
    );
    let (_, rest) = w.last_request();
    assert_eq!(rest.last().unwrap(), "hello", "no names in front");
    let rec = Arc::new(Recorder::default());
    let e = generation::send_as(&w.state, chat, "x".into(), Some(w.ash), rec.sink())
        .await
        .unwrap_err();
    assert_eq!(field(e), "speaker_id");
    let e = generation::turn(&w.state, chat, None, rec.sink())
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::BusinessRule { .. }), "{e:?}");
    assert!(group::members(pool, chat).await.unwrap().is_empty());

    let members = group::add_member(pool, chat, w.ash).await.unwrap();
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Mira", "Ash"]);
    for m in message::page(pool, chat, None, None).await.unwrap().items {
        if m.role == MessageRole::Assistant {
            assert_eq!(m.speaker_id, Some(w.mira), "earlier replies are Mira's");
        }
    }
    let (sent, _) = w.send(chat, "Ash, you too", None).await;
    assert_eq!(started(sent).message.speaker_id, Some(w.ash));
}

#[tokio::test]
async fn a_branch_of_a_group_chat_keeps_its_members_settings_and_speakers() {
    let w = world().await;
    let chat = w.group(TurnOrder::Pooled).await;
    let pool = w.pool();
    group::update_member(
        pool,
        chat,
        w.kit,
        MemberUpdate {
            muted: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let (sent, _) = w.send(chat, "Ash, go on", None).await;
    let last = started(sent).message_id;
    let b = branch::create(pool, last).await.unwrap();
    let strip = |ms: Vec<parley::models::ChatMember>| {
        ms.into_iter()
            .map(|m| (m.character_id, m.position, m.talkativeness, m.muted))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        strip(group::members(pool, b.id).await.unwrap()),
        strip(group::members(pool, chat).await.unwrap())
    );
    assert_eq!(
        group::settings(pool, b.id).await.unwrap().turn_order,
        TurnOrder::Pooled
    );
    let speakers = |c| async move {
        message::page(pool, c, None, None)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|m| (m.speaker_id, m.speaker_name))
            .collect::<Vec<_>>()
    };
    assert_eq!(speakers(b.id).await, speakers(chat).await);
    assert!(speakers(b.id).await.iter().any(|s| s.0.is_some()));
}
