//! Round-trip properties: any card Parley takes comes back out the same
//! (V2 JSON and PNG), and any SillyTavern chat comes back line for line.

mod common;

use parley::services::export::{self, CardFormat};
use parley::services::import;
use proptest::prelude::*;
use serde_json::{json, Value};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Names, creators and versions are stored trimmed; tags trimmed and
/// without case-insensitive repeats. Everything else is stored as given.
fn trimmed() -> impl Strategy<Value = String> {
    "[A-Za-z0-9À-ÿ🌙 '._-]{0,30}".prop_map(|s| s.trim().to_string())
}

fn text() -> impl Strategy<Value = String> {
    // Any Unicode, control characters and markup included.
    prop_oneof![any::<String>(), "[<>&\"{}a-z \n*_`#]{0,80}"]
}

fn tags() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec("[a-z]{1,12}", 0..6).prop_map(|mut v| {
        v.sort();
        v.dedup();
        v
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

prop_compose! {
    fn card()(
        name in trimmed().prop_map(|s| format!("N{s}")),
        fields in proptest::collection::vec(text(), 8),
        greetings in proptest::collection::vec(text(), 0..3),
        tags in tags(),
        creator in trimmed(),
        version in trimmed(),
        extensions in proptest::collection::btree_map("[a-z_]{1,8}", json_value(), 0..4),
        extra in json_value(),
        book in proptest::option::of(proptest::collection::vec((text(), "[a-z]{1,6}"), 0..3)),
    ) -> Value {
        let mut data = json!({
            "name": name,
            "description": fields[0], "personality": fields[1], "scenario": fields[2],
            "first_mes": fields[3], "mes_example": fields[4], "creator_notes": fields[5],
            "system_prompt": fields[6], "post_history_instructions": fields[7],
            "alternate_greetings": greetings, "tags": tags, "creator": creator,
            "character_version": version,
            "extensions": Value::Object(extensions.into_iter().collect()),
            "some_tool_field": extra,
        });
        if let Some(entries) = book {
            data["character_book"] = json!({"extensions": {}, "entries": entries.iter().map(|(c, k)|
                json!({"keys": [k], "content": c, "extensions": {}, "enabled": true, "insertion_order": 1})
            ).collect::<Vec<_>>()});
        }
        json!({"spec": "chara_card_v2", "spec_version": "2.0", "data": data})
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_card_exports_as_it_came(card in card()) {
        runtime().block_on(async {
            let pool = common::pool().await;
            let bytes = serde_json::to_vec(&card).unwrap();
            let id = import::import_bytes(&pool, "c.json", bytes).await.unwrap().id;
            let out: Value = serde_json::from_slice(
                &export::card_bytes(&pool, id, CardFormat::JsonV2).await.unwrap(),
            )
            .unwrap();
            assert_eq!(out, card);

            // Through a PNG and back: its `ccv3` chunk is read first, so the
            // card comes back as V3 wrote it (with the list V3 requires).
            let png = export::card_bytes(&pool, id, CardFormat::Png).await.unwrap();
            let again = import::import_bytes(&pool, "c.png", png).await.unwrap().id;
            let out2: Value = serde_json::from_slice(
                &export::card_bytes(&pool, again, CardFormat::JsonV2).await.unwrap(),
            )
            .unwrap();
            let mut expected = card.clone();
            expected["data"]["group_only_greetings"] = json!([]);
            assert_eq!(out2, expected);
        });
    }
}

prop_compose! {
    fn st_message()(
        is_user in any::<bool>(),
        is_system in any::<bool>(),
        mes in text(),
        ms in 1_500_000_000_000i64..1_900_000_000_000,
        swipes in proptest::collection::vec(text(), 0..4),
        pick in any::<prop::sample::Index>(),
        with_info in any::<bool>(),
        extra in json_value(),
    ) -> Value {
        let date = transfer_date(ms);
        let mut line = json!({
            "name": if is_user { "You" } else { "Them" },
            "is_user": is_user,
            "is_system": is_system && !is_user,
            "send_date": date,
            "mes": mes,
            "extra": {"tool": extra},
        });
        if !swipes.is_empty() {
            let id = pick.index(swipes.len());
            line["swipe_id"] = json!(id);
            line["mes"] = json!(swipes[id]);
            line["swipes"] = json!(swipes);
            if with_info {
                line["swipe_info"] = Value::Array(
                    swipes.iter().map(|_| json!({"send_date": date, "extra": {}})).collect(),
                );
            }
        }
        line
    }
}

fn transfer_date(ms: i64) -> String {
    parley::cards::sillytavern::format_date(ms)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_sillytavern_chat_comes_back_line_for_line(
        messages in proptest::collection::vec(st_message(), 0..12),
        user in trimmed(),
    ) {
        runtime().block_on(async {
            let pool = common::pool().await;
            let header = json!({"user_name": user, "character_name": "Them",
                "create_date": "2024-1-2@03h04m05s", "chat_metadata": {"x": 1}});
            let mut text = format!("{header}\n");
            for m in &messages {
                text.push_str(&format!("{m}\n"));
            }
            let id = import::import_bytes(&pool, "c.jsonl", text.into_bytes())
                .await
                .unwrap()
                .id;
            let mut out = Vec::new();
            export::chat_jsonl(&pool, id, &mut out).await.unwrap();
            let lines: Vec<Value> = String::from_utf8(out)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            assert_eq!(lines[0], header);
            assert_eq!(&lines[1..], &messages[..]);
        });
    }
}
