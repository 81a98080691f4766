//! Any bytes, as a PNG, JSON or CHARX card: parsing must end in a card or
//! a `FormatError`, never a panic, a hang or unbounded memory. A card that
//! parses must parse again from the card JSON Parley keeps.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parley::cards::{self, card, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    // The first byte picks the file name, so every reader gets every input.
    let name = match data.first().map(|b| b % 3) {
        Some(0) => "card.png",
        Some(1) => "card.json",
        _ => "card.charx",
    };
    let body = data.get(1..).unwrap_or_default();
    if let Ok(parsed) = cards::parse_card(name, body, &limits) {
        let v3 = serde_json::to_vec(&parsed.card_json).unwrap();
        let again = card::from_json_bytes(&v3, &limits, None).expect("a parsed card re-parses");
        assert_eq!(again.input.name, parsed.input.name);
    }
});
