//! Lorebooks (a card's `character_book`): which entries go into the prompt.
//!
//! The rules, each pinned by a test below:
//! * an entry with `enabled: false` never goes in; `constant: true` always
//!   does (when enabled);
//! * otherwise it goes in when one of its `keys` appears in the last
//!   `scan_depth` messages (default [`DEFAULT_SCAN_DEPTH`]), and, when it is
//!   `selective` with `secondary_keys`, one of those appears too;
//! * matching ignores case unless the entry is `case_sensitive`; keys are
//!   plain substrings (`use_regex` is not honoured: the text is matched
//!   literally);
//! * when the chosen entries exceed the book's `token_budget`, those with
//!   the lowest `priority` are left out first (ties: the later
//!   `insertion_order`);
//! * what goes in is ordered by `insertion_order` (lower first) and placed
//!   before the character's description (`position: "before_char"`, the
//!   default) or after its scenario (`"after_char"`).
//!
//! Recursive scanning (entries triggering entries) is not done.

use serde_json::Value;

use super::tokens;

/// Messages scanned for keys when the book does not say.
pub const DEFAULT_SCAN_DEPTH: usize = 2;
/// Token budget for lore when the book does not say.
pub const DEFAULT_TOKEN_BUDGET: i64 = 2048;

/// The entries to insert, in order, by place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activated {
    pub before_char: Vec<String>,
    pub after_char: Vec<String>,
}

#[derive(Debug)]
struct Entry<'a> {
    content: &'a str,
    order: i64,
    priority: i64,
    after: bool,
    index: usize,
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn flag(entry: &Value, key: &str, default: bool) -> bool {
    entry.get(key).and_then(Value::as_bool).unwrap_or(default)
}

fn number(v: Option<&Value>) -> Option<i64> {
    v.and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)))
}

/// Picks the entries of `book` that `recent` (newest last) triggers.
pub fn activate(book: &Value, recent: &[&str]) -> Activated {
    let Some(entries) = book.get("entries").and_then(Value::as_array) else {
        return Activated::default();
    };
    let depth = number(book.get("scan_depth")).map_or(DEFAULT_SCAN_DEPTH, |d| d.max(0) as usize);
    let budget = number(book.get("token_budget"))
        .filter(|b| *b > 0)
        .unwrap_or(DEFAULT_TOKEN_BUDGET);
    let window = &recent[recent.len().saturating_sub(depth)..];
    let scanned = window.join("\n");
    let scanned_lower = scanned.to_lowercase();

    let mut chosen: Vec<Entry<'_>> = Vec::new();
    for (index, e) in entries.iter().enumerate() {
        let content = e
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim();
        if content.is_empty() || !flag(e, "enabled", true) {
            continue;
        }
        let hit = flag(e, "constant", false) || {
            let case = flag(e, "case_sensitive", false);
            let found = |keys: &[&str]| {
                keys.iter().any(|k| {
                    if case {
                        scanned.contains(k)
                    } else {
                        scanned_lower.contains(&k.to_lowercase())
                    }
                })
            };
            let primary = found(&strings(e.get("keys")));
            let secondary = strings(e.get("secondary_keys"));
            primary && (!flag(e, "selective", false) || secondary.is_empty() || found(&secondary))
        };
        if hit {
            chosen.push(Entry {
                content,
                order: number(e.get("insertion_order")).unwrap_or(100),
                priority: number(e.get("priority")).unwrap_or(100),
                after: e.get("position").and_then(Value::as_str) == Some("after_char"),
                index,
            });
        }
    }

    // Keep the most important within the budget.
    chosen.sort_by_key(|e| (std::cmp::Reverse(e.priority), e.order, e.index));
    let mut used = 0;
    chosen.retain(|e| {
        let cost = tokens::estimate(e.content);
        let fits = used + cost <= budget;
        if fits {
            used += cost;
        }
        fits
    });
    chosen.sort_by_key(|e| (e.order, e.index));
    let mut out = Activated::default();
    for e in chosen {
        let place = if e.after {
            &mut out.after_char
        } else {
            &mut out.before_char
        };
        place.push(e.content.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(keys: &[&str], content: &str) -> Value {
        json!({"keys": keys, "content": content, "extensions": {}, "enabled": true,
               "insertion_order": 100})
    }

    fn book(entries: Vec<Value>) -> Value {
        json!({"entries": entries, "extensions": {}})
    }

    fn before(book: &Value, recent: &[&str]) -> Vec<String> {
        activate(book, recent).before_char
    }

    #[test]
    fn a_key_in_recent_messages_inserts_its_entry() {
        let b = book(vec![entry(&["dragon"], "Dragons fear salt.")]);
        assert_eq!(before(&b, &["I saw a Dragon!"]), vec!["Dragons fear salt."]);
        assert!(before(&b, &["a quiet day"]).is_empty());
    }

    #[test]
    fn only_the_last_scan_depth_messages_count() {
        let mut b = book(vec![entry(&["dragon"], "lore")]);
        let recent = ["dragon", "one", "two"];
        assert!(before(&b, &recent).is_empty(), "default depth is 2");
        b["scan_depth"] = json!(3);
        assert_eq!(before(&b, &recent), vec!["lore"]);
    }

    #[test]
    fn case_sensitive_entries_match_exact_case() {
        let mut e = entry(&["Rose"], "Rose is a person.");
        e["case_sensitive"] = json!(true);
        let b = book(vec![e]);
        assert!(before(&b, &["a rose blooms"]).is_empty());
        assert_eq!(before(&b, &["Rose waves"]).len(), 1);
    }

    #[test]
    fn selective_entries_need_a_secondary_key_too() {
        let mut e = entry(&["castle"], "The castle is haunted at night.");
        e["selective"] = json!(true);
        e["secondary_keys"] = json!(["night"]);
        let b = book(vec![e]);
        assert!(before(&b, &["the castle at noon"]).is_empty());
        assert_eq!(before(&b, &["the castle at night"]).len(), 1);
    }

    #[test]
    fn constant_always_disabled_never() {
        let mut always = entry(&[], "always");
        always["constant"] = json!(true);
        let mut never = entry(&["x"], "never");
        never["enabled"] = json!(false);
        never["constant"] = json!(true);
        let b = book(vec![always, never]);
        assert_eq!(before(&b, &["x"]), vec!["always"]);
    }

    #[test]
    fn insertion_order_and_position_place_entries() {
        let mut a = entry(&["k"], "second");
        a["insertion_order"] = json!(20);
        let mut b2 = entry(&["k"], "first");
        b2["insertion_order"] = json!(10);
        let mut c = entry(&["k"], "after");
        c["position"] = json!("after_char");
        let b = book(vec![a, b2, c]);
        let got = activate(&b, &["k"]);
        assert_eq!(got.before_char, vec!["first", "second"]);
        assert_eq!(got.after_char, vec!["after"]);
    }

    #[test]
    fn the_token_budget_drops_low_priority_entries_first() {
        let long = "x".repeat(350); // 100 tokens by the estimate
        let mut low = entry(&["k"], &format!("low {long}"));
        low["priority"] = json!(1);
        low["insertion_order"] = json!(1);
        let mut high = entry(&["k"], &format!("high {long}"));
        high["priority"] = json!(50);
        high["insertion_order"] = json!(2);
        let mut b = book(vec![low, high]);
        b["token_budget"] = json!(150);
        let got = before(&b, &["k"]);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("high"));
    }

    #[test]
    fn malformed_books_insert_nothing() {
        assert_eq!(
            activate(&json!({"entries": "nope"}), &["k"]),
            Activated::default()
        );
        assert_eq!(activate(&json!([1, 2]), &["k"]), Activated::default());
        let b = book(vec![json!({"keys": "k", "content": 5})]);
        assert!(before(&b, &["k"]).is_empty());
    }
}
