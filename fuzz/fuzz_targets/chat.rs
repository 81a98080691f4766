//! Any bytes as a SillyTavern `.jsonl` chat: a chat or a `FormatError`,
//! never a panic. Every message of a parsed chat must turn back into a line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parley::cards::sillytavern::{self, LineSource};
use parley::cards::Limits;

fuzz_target!(|data: &[u8]| {
    if let Ok(chat) = sillytavern::parse(data, &Limits::default()) {
        let empty = serde_json::json!({});
        for m in &chat.messages {
            let metadata = serde_json::json!({ sillytavern::META_KEY: m.fields });
            let line = sillytavern::to_line(&LineSource {
                role: m.role,
                content: &m.content,
                created_at: m.created_at.unwrap_or(0),
                metadata: &metadata,
                swipes: m.swipes.iter().map(|s| (s.content.as_str(), &empty)).collect(),
                active_swipe: m.active_swipe,
                name: "x",
            });
            assert_eq!(line["mes"].as_str(), Some(m.content.as_str()));
        }
    }
});
