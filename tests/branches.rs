//! Branches through the services, on real SQLite with the real migrations:
//! what a branch holds (every message up to and including the chosen one,
//! with swipes, metadata and the shown version, nothing after), the links
//! both ways, search in both chats, the parent trashed and purged, the
//! refusals, and SillyTavern's `main_chat` links in and out.

mod common;

use std::collections::BTreeSet;

use parley::error::AppError;
use parley::models::{
    new_id, ChatMemoryInput, ChatOverrides, ChatSessionInput, Id, MessageInput, MessageRole,
    SamplingParams, UserProfileInput,
};
use parley::repos::branch as columns;
use parley::services::search::{search, SearchQuery};
use parley::services::{branch, chat_memory, chat_session, export, import, message, user_profile};
use serde_json::{json, Value};
use sqlx::SqlitePool;

/// Everything a person sees of a message, and its versions; not its id.
type Shown = (
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    Value,
    String,
    Vec<(i64, Value, String)>,
);

async fn shown(pool: &SqlitePool, chat: Id) -> Vec<Shown> {
    let page = message::page(pool, chat, None, Some(500)).await.unwrap();
    let mut out = Vec::new();
    for m in page.items {
        let swipes = parley::repos::message::swipes(pool, m.id)
            .await
            .unwrap()
            .into_iter()
            .map(|s| (s.swipe_index, s.metadata.0, s.content))
            .collect();
        out.push((
            m.seq,
            format!("{:?}", m.role),
            format!("{:?}", m.status),
            m.active_swipe,
            m.swipe_count,
            m.created_at.millis(),
            m.metadata.0,
            m.content,
            swipes,
        ));
    }
    out
}

fn reply(text: &str) -> MessageInput {
    MessageInput {
        role: MessageRole::Assistant,
        content: text.into(),
    }
}

/// A chat of six messages: a reply with three versions (the second shown)
/// at seq 1, and a summary of messages 0-1 and one of 0-4.
async fn story(pool: &SqlitePool) -> (Id, Vec<Id>) {
    let character = common::new_character(pool, "Mira").await;
    let persona = user_profile::create(
        pool,
        UserProfileInput {
            name: "Alex".into(),
            description: String::new(),
        },
    )
    .await
    .unwrap();
    let chat = common::new_chat(pool, Some(character)).await;
    let current = chat_session::get(pool, chat).await.unwrap();
    chat_session::update(
        pool,
        chat,
        ChatSessionInput {
            title: "Rainy night".into(),
            character_id: current.character_id,
            user_profile_id: Some(persona.id),
            ai_model_id: current.ai_model_id,
            system_prompt_id: current.system_prompt_id,
            generation: Some(ChatOverrides {
                params: SamplingParams {
                    temperature: Some(0.4),
                    ..Default::default()
                },
                ..Default::default()
            }),
            authors_note: Some(parley::models::AuthorsNote {
                text: "The storm is rising.".into(),
                ..Default::default()
            }),
        },
    )
    .await
    .unwrap();
    let mut ids = vec![common::say(pool, chat, "Knock knock, the lighthouse door.").await];
    let r = message::add(pool, chat, reply("Who is there?"))
        .await
        .unwrap();
    message::add_swipe(pool, r.id, "Go away, sailor.")
        .await
        .unwrap();
    message::add_swipe(pool, r.id, "Come in, quickly.")
        .await
        .unwrap();
    message::set_swipe(pool, r.id, 1).await.unwrap();
    ids.push(r.id);
    for text in [
        "A storm petrel",
        "Then fly in",
        "What if she had said no",
        "The end",
    ] {
        ids.push(common::say(pool, chat, text).await);
    }
    for (first, last) in [(0, 1), (0, 4)] {
        chat_memory::add(
            pool,
            chat,
            ChatMemoryInput {
                first_seq: first,
                last_seq: last,
                content: format!("summary {first}-{last}"),
            },
        )
        .await
        .unwrap();
    }
    (chat, ids)
}

#[tokio::test]
async fn a_branch_holds_the_history_up_to_the_message_and_nothing_after() {
    let pool = common::pool().await;
    let (chat, ids) = story(&pool).await;
    let made = branch::create(&pool, ids[2]).await.unwrap();
    assert_ne!(made.id, chat);
    assert_eq!(made.title, "Rainy night (branch)");

    let parent_msgs = shown(&pool, chat).await;
    let branch_msgs = shown(&pool, made.id).await;
    assert_eq!(branch_msgs.len(), 3, "messages 0, 1 and 2, nothing after");
    assert_eq!(branch_msgs[..], parent_msgs[..3]);
    // The reply with three versions shows the second, like the parent's.
    assert_eq!(branch_msgs[1].3, 1);
    assert_eq!(branch_msgs[1].4, 3);
    assert_eq!(branch_msgs[1].7, "Go away, sailor.");
    // The parent is untouched.
    assert_eq!(parent_msgs.len(), 6);

    // The chat's character, persona, model, prompt and overrides come along.
    let parent = chat_session::get(&pool, chat).await.unwrap();
    assert_eq!(made.character_id, parent.character_id);
    assert_eq!(made.user_profile_id, parent.user_profile_id);
    assert!(made.user_profile_id.is_some());
    assert_eq!(made.ai_model_id, parent.ai_model_id);
    assert_eq!(made.system_prompt_id, parent.system_prompt_id);
    assert_eq!(made.generation, parent.generation);
    assert_eq!(made.generation.params.temperature, Some(0.4));
    assert_eq!(made.authors_note, parent.authors_note);
    assert_eq!(made.authors_note.text, "The storm is rising.");
    assert!(made.deleted_at.is_none());

    // A summary of copied messages only comes along; one reaching past does not.
    let memories: Vec<String> = chat_memory::list(&pool, made.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.content)
        .collect();
    assert_eq!(memories, ["summary 0-1"]);

    // The branch goes on by itself: a new message follows its own history.
    let next = message::add(&pool, made.id, reply("She said no."))
        .await
        .unwrap();
    assert_eq!(next.seq, 3);
    assert_eq!(shown(&pool, chat).await.len(), 6);
}

#[tokio::test]
async fn a_branch_and_its_parent_know_each_other() {
    let pool = common::pool().await;
    let (chat, ids) = story(&pool).await;
    assert!(branch::origin(&pool, chat).await.unwrap().is_none());
    let first = branch::create(&pool, ids[1]).await.unwrap();
    let second = branch::create(&pool, ids[4]).await.unwrap();

    let origin = branch::origin(&pool, first.id).await.unwrap().unwrap();
    assert_eq!(origin.parent_chat_id, Some(chat));
    assert_eq!(origin.parent_title, "Rainy night");
    assert_eq!(origin.parent_message_id, Some(ids[1]));
    assert_eq!(origin.parent_seq, 1);
    assert!(!origin.parent_in_trash);

    let listed: Vec<(Id, i64)> = branch::list(&pool, chat)
        .await
        .unwrap()
        .into_iter()
        .map(|b| (b.id, b.parent_seq))
        .collect();
    assert_eq!(listed, [(first.id, 1), (second.id, 4)]);
    assert!(branch::list(&pool, first.id).await.unwrap().is_empty());

    // A branch of a branch names its own parent.
    let grand = branch::create(&pool, shown_id(&pool, first.id, 0).await)
        .await
        .unwrap();
    let o = branch::origin(&pool, grand.id).await.unwrap().unwrap();
    assert_eq!(o.parent_chat_id, Some(first.id));
    assert_eq!(o.parent_title, "Rainy night (branch)");

    // A renamed parent is shown by its new name.
    let p = chat_session::get(&pool, chat).await.unwrap();
    chat_session::update(
        &pool,
        chat,
        ChatSessionInput {
            title: "Stormy night".into(),
            character_id: p.character_id,
            user_profile_id: p.user_profile_id,
            ai_model_id: p.ai_model_id,
            system_prompt_id: p.system_prompt_id,
            generation: None,
            authors_note: None,
        },
    )
    .await
    .unwrap();
    let o = branch::origin(&pool, first.id).await.unwrap().unwrap();
    assert_eq!(o.parent_title, "Stormy night");
}

async fn shown_id(pool: &SqlitePool, chat: Id, seq: i64) -> Id {
    message::page(pool, chat, None, Some(500))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|m| m.seq == seq)
        .unwrap()
        .id
}

async fn found_in(pool: &SqlitePool, words: &str) -> BTreeSet<(Id, i64)> {
    search(
        pool,
        &SearchQuery {
            query: words.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .messages
    .into_iter()
    .map(|h| (h.chat_id, h.seq))
    .collect()
}

#[tokio::test]
async fn search_finds_the_branch_messages_and_still_the_parents() {
    let pool = common::pool().await;
    let (chat, ids) = story(&pool).await;
    let made = branch::create(&pool, ids[2]).await.unwrap();
    assert_eq!(
        found_in(&pool, "lighthouse").await,
        BTreeSet::from([(chat, 0), (made.id, 0)])
    );
    // Only the shown version of a reply is indexed, in both.
    assert_eq!(
        found_in(&pool, "sailor").await,
        BTreeSet::from([(chat, 1), (made.id, 1)])
    );
    // What came after the branch point is only in the parent.
    assert_eq!(
        found_in(&pool, "petrel").await,
        BTreeSet::from([(chat, 2), (made.id, 2)])
    );
    assert_eq!(found_in(&pool, "fly").await, BTreeSet::from([(chat, 3)]));
    // An edit in the branch changes the branch only.
    let in_branch = shown_id(&pool, made.id, 0).await;
    message::update(&pool, in_branch, "Knock knock, the boathouse door.")
        .await
        .unwrap();
    assert_eq!(
        found_in(&pool, "lighthouse").await,
        BTreeSet::from([(chat, 0)])
    );
    assert_eq!(
        found_in(&pool, "boathouse").await,
        BTreeSet::from([(made.id, 0)])
    );
}

#[tokio::test]
async fn deleting_or_purging_the_parent_keeps_the_branch_and_its_words() {
    let pool = common::pool().await;
    let (chat, ids) = story(&pool).await;
    let made = branch::create(&pool, ids[2]).await.unwrap();
    let before = shown(&pool, made.id).await;

    // The message branched from is deleted in the parent: the link to it goes.
    message::delete(&pool, ids[2]).await.unwrap();
    let o = branch::origin(&pool, made.id).await.unwrap().unwrap();
    assert_eq!(
        (o.parent_chat_id, o.parent_message_id, o.parent_seq),
        (Some(chat), None, 2)
    );

    chat_session::delete(&pool, chat).await.unwrap();
    let o = branch::origin(&pool, made.id).await.unwrap().unwrap();
    assert!(o.parent_in_trash);
    assert_eq!(o.parent_chat_id, Some(chat));
    // A trashed parent keeps its branches listed.
    assert_eq!(branch::list(&pool, chat).await.unwrap().len(), 1);

    chat_session::purge(&pool, chat).await.unwrap();
    let o = branch::origin(&pool, made.id).await.unwrap().unwrap();
    assert_eq!(o.parent_chat_id, None);
    assert_eq!(o.parent_title, "Rainy night", "the title is kept in words");
    assert_eq!(o.parent_seq, 2);
    assert!(!o.parent_in_trash);

    assert_eq!(shown(&pool, made.id).await, before);
    assert_eq!(
        found_in(&pool, "lighthouse").await,
        BTreeSet::from([(made.id, 0)])
    );
    assert_eq!(chat_memory::list(&pool, made.id).await.unwrap().len(), 1);
}

fn business_rule(e: AppError) -> String {
    match e {
        AppError::BusinessRule { message, .. } => message,
        other => panic!("expected a refusal in words, got {other:?}"),
    }
}

#[tokio::test]
async fn a_branch_is_refused_from_the_trash_and_across_a_reply_being_written() {
    let pool = common::pool().await;
    let (chat, ids) = story(&pool).await;

    let (user, pending) = message::add_exchange(&pool, chat, "Tell me more", new_id(), &json!({}))
        .await
        .unwrap();
    let after = common::say(&pool, chat, "And then?").await;
    let chats_before = chat_session::list(&pool, &Default::default())
        .await
        .unwrap()
        .items
        .len();
    for at in [pending.id, after] {
        let words = business_rule(branch::create(&pool, at).await.unwrap_err());
        assert!(words.contains("still being written"), "{words}");
    }
    assert_eq!(
        chat_session::list(&pool, &Default::default())
            .await
            .unwrap()
            .items
            .len(),
        chats_before,
        "a refused branch leaves no chat behind"
    );
    // Before the reply being written, branching works.
    let ok = branch::create(&pool, user.id).await.unwrap();
    assert_eq!(shown(&pool, ok.id).await.len() as i64, user.seq + 1);

    chat_session::delete(&pool, chat).await.unwrap();
    let words = business_rule(branch::create(&pool, ids[0]).await.unwrap_err());
    assert!(words.contains("trash"), "{words}");
    assert!(matches!(
        branch::create(&pool, new_id()).await.unwrap_err(),
        AppError::NotFound { .. }
    ));
}

async fn column_names(pool: &SqlitePool, table: &str) -> BTreeSet<String> {
    sqlx::query_scalar::<_, String>("select name from pragma_table_info(?1)")
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// A column added to a table a branch copies must be named in
/// `repos/branch.rs` (copied, or set by the branch), or branches would
/// silently lose it.
#[tokio::test]
async fn every_column_of_the_copied_tables_is_accounted_for() {
    let pool = common::pool().await;
    let set = |own: &[&str], copied: &[&str]| -> BTreeSet<String> {
        own.iter().chain(copied).map(|s| s.to_string()).collect()
    };
    assert_eq!(
        column_names(&pool, "chat_sessions").await,
        set(columns::CHAT_OWN, columns::CHAT_COPIED)
    );
    assert_eq!(
        column_names(&pool, "messages").await,
        set(&["id", "chat_session_id"], columns::MESSAGE_COPIED)
    );
    assert_eq!(
        column_names(&pool, "message_swipes").await,
        set(&["id", "message_id"], columns::SWIPE_COPIED)
    );
    assert_eq!(
        column_names(&pool, "chat_memories").await,
        set(&["id", "chat_session_id"], columns::MEMORY_COPIED)
    );
    assert_eq!(
        column_names(&pool, "chat_members").await,
        set(&["chat_session_id"], columns::MEMBER_COPIED)
    );
}

const MAIN: &str = "Mira Vance - 2024-03-02@18h41m07s";
const BRANCH: &str = "Branch #1 - 2024-03-05@10h00m00s";

fn st_line(name: &str, is_user: bool, text: &str, extra: Value) -> String {
    json!({"name": name, "is_user": is_user, "is_system": false,
           "send_date": "2024-03-02T18:41:07.120Z", "mes": text, "extra": extra})
    .to_string()
}

/// SillyTavern's main chat (its message 1 names the branch) and the
/// branch made there and taken one message further.
fn st_files() -> (Vec<u8>, Vec<u8>) {
    let header = |meta: Value| {
        json!({"user_name": "Alex", "character_name": "Mira Vance",
               "create_date": "2024-03-02@18h41m07s", "chat_metadata": meta})
        .to_string()
    };
    let main = [
        header(json!({"note": "kept"})),
        st_line("Alex", true, "The engine coughs.", json!({})),
        st_line(
            "Mira Vance",
            false,
            "Hand me the wrench.",
            json!({"branches": [BRANCH]}),
        ),
        st_line("Alex", true, "Here it is.", json!({})),
        st_line("Mira Vance", false, "Thanks.", json!({})),
    ]
    .join("\n");
    let branch = [
        header(json!({"main_chat": MAIN})),
        st_line("Alex", true, "The engine coughs.", json!({})),
        st_line("Mira Vance", false, "Hand me the wrench.", json!({})),
        st_line("Alex", true, "No. Fix it yourself.", json!({})),
    ]
    .join("\n");
    (main.into_bytes(), branch.into_bytes())
}

async fn exported_header(pool: &SqlitePool, chat: Id) -> Value {
    let mut out = Vec::new();
    export::chat_jsonl(pool, chat, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

#[tokio::test]
async fn sillytavern_branches_keep_their_link_whichever_file_comes_first() {
    for main_first in [true, false] {
        let pool = common::pool().await;
        let (main_bytes, branch_bytes) = st_files();
        let main_file = format!("{MAIN}.jsonl");
        let branch_file = format!("{BRANCH}.jsonl");
        let (main, br) = if main_first {
            let m = import::import_bytes(&pool, &main_file, main_bytes)
                .await
                .unwrap();
            let b = import::import_bytes(&pool, &branch_file, branch_bytes)
                .await
                .unwrap();
            (m, b)
        } else {
            let b = import::import_bytes(&pool, &branch_file, branch_bytes)
                .await
                .unwrap();
            let m = import::import_bytes(&pool, &main_file, main_bytes)
                .await
                .unwrap();
            (m, b)
        };
        let o = branch::origin(&pool, br.id).await.unwrap().unwrap();
        assert_eq!(o.parent_chat_id, Some(main.id), "main first: {main_first}");
        // The message whose line named the branch, not the branch's last.
        assert_eq!(o.parent_seq, 1);
        assert_eq!(o.parent_message_id, Some(shown_id(&pool, main.id, 1).await));
        assert_eq!(branch::list(&pool, main.id).await.unwrap().len(), 1);

        // Out again, the branch names its main chat and the main chat none.
        let h = exported_header(&pool, br.id).await;
        assert_eq!(h["chat_metadata"]["main_chat"], MAIN);
        let h = exported_header(&pool, main.id).await;
        assert_eq!(h["chat_metadata"], json!({"note": "kept"}));
    }
}

#[tokio::test]
async fn a_main_chat_of_another_character_or_never_imported_links_nothing() {
    let pool = common::pool().await;
    let (main_bytes, branch_bytes) = st_files();
    // The same file name, but another character's chat.
    let other = String::from_utf8(main_bytes)
        .unwrap()
        .replacen("\"Mira Vance\"", "\"Tom\"", 1);
    import::import_bytes(&pool, &format!("{MAIN}.jsonl"), other.into_bytes())
        .await
        .unwrap();
    let br = import::import_bytes(&pool, &format!("{BRANCH}.jsonl"), branch_bytes)
        .await
        .unwrap();
    assert!(branch::origin(&pool, br.id).await.unwrap().is_none());
    // Its header still says what SillyTavern wrote.
    let h = exported_header(&pool, br.id).await;
    assert_eq!(h["chat_metadata"]["main_chat"], MAIN);
}

#[tokio::test]
async fn a_branch_made_in_parley_exports_its_parent_as_main_chat() {
    let pool = common::pool().await;
    let (chat, ids) = story(&pool).await;
    let made = branch::create(&pool, ids[2]).await.unwrap();
    let h = exported_header(&pool, made.id).await;
    assert_eq!(h["chat_metadata"]["main_chat"], "Rainy night");
    assert!(exported_header(&pool, chat).await["chat_metadata"]
        .get("main_chat")
        .is_none());
    // Once the parent is gone, there is nothing to name.
    chat_session::delete(&pool, chat).await.unwrap();
    chat_session::purge(&pool, chat).await.unwrap();
    assert!(exported_header(&pool, made.id).await["chat_metadata"]
        .get("main_chat")
        .is_none());
}
