use chrono::TimeZone;
use proptest::prelude::*;
use rstest::rstest;

use super::*;

fn cx() -> Context {
    let now = chrono::FixedOffset::east_opt(0)
        .unwrap()
        .with_ymd_and_hms(2026, 12, 3, 15, 4, 0)
        .unwrap();
    Context {
        names: Names {
            char: "Mira".into(),
            user: "Alex".into(),
            members: vec![],
        },
        now,
        idle_since: Some(Timestamp::from_millis(
            now.timestamp_millis() - 3 * 3_600_000,
        )),
        last_message: "The last words.".into(),
        input: "what I typed".into(),
    }
}

fn group() -> Context {
    let mut c = cx();
    c.names.members = vec!["Mira".into(), "Bram".into(), "Tove".into()];
    c
}

fn live(text: &str) -> String {
    expand(text, &cx(), &mut Variables::new())
}

#[rstest]
#[case::char("I am {{char}}.", "I am Mira.")]
#[case::user("Hi {{user}}", "Hi Alex")]
#[case::any_case("{{Char}} and {{USER}}", "Mira and Alex")]
#[case::angles("<BOT> waves at <USER>, <char> too", "Mira waves at Alex, Mira too")]
#[case::angles_any_case("<bot> <User>", "Mira Alex")]
#[case::group_solo("{{group}}", "Mira")]
#[case::char_if_not_group("{{charIfNotGroup}}", "Mira")]
#[case::not_char_solo("{{notChar}}", "Alex")]
#[case::time("{{time}}", "3:04 PM")]
#[case::date("{{date}}", "December 3, 2026")]
#[case::weekday("{{weekday}}", "Thursday")]
#[case::weekday_case("{{WEEKDAY}}", "Thursday")]
#[case::idle("{{idle_duration}}", "3 hours")]
#[case::last_message("{{lastMessage}}", "The last words.")]
#[case::input("{{input}}", "what I typed")]
#[case::random_one("{{random:only}}", "only")]
#[case::random_colons("{{random::one}}", "one")]
#[case::random_space("{{random :a\\,b}}", "a,b")]
#[case::roll_one_side("{{roll:3d1}}", "3")]
#[case::roll_plus("{{roll:2d1+5}}", "7")]
#[case::roll_space("{{roll 1d1}}", "1")]
#[case::roll_bare("{{roll:1}}", "1")]
#[case::comment("a{{// not said, {{setvar::x::1}} }}b", "ab")]
#[case::comment_lines("a{{//\nline\n}}b", "ab")]
#[case::setvar_getvar("{{setvar::mood::calm}}[{{getvar::mood}}]", "[calm]")]
#[case::getvar_unset("[{{getvar::nobody}}]", "[]")]
#[case::getvar_trimmed("{{setvar:: x ::1}}{{getvar:: x }}", "1")]
#[case::nested_args("{{setvar::n::{{roll:1d1}}}}{{getvar::n}}", "1")]
#[case::nested_random("{{random:{{user}}}}", "Alex")]
#[case::unclosed_after("{{user}} {{", "Alex {{")]
#[case::unicode("¿{{user}}? 🌙", "¿Alex? 🌙")]
fn every_macro(#[case] text: &str, #[case] want: &str) {
    assert_eq!(live(text), want);
}

#[rstest]
#[case::unknown("{{other}}")]
#[case::unknown_case("{{Description}}")]
#[case::spaced_name("{{ char }}")]
#[case::empty("{{}}")]
#[case::unclosed("{{char")]
#[case::stray_close("}} {x} <b>")]
#[case::random_empty("{{random:}}")]
#[case::random_no_colon("{{random a,b}}")]
#[case::roll_words("{{roll:many}}")]
#[case::roll_huge("{{roll:999999d999999}}")]
#[case::roll_zero("{{roll:0d6}}")]
#[case::roll_no_separator("{{roll2d6}}")]
#[case::setvar_no_value("{{setvar::x::}}")]
#[case::setvar_no_name("{{setvar::::v}}")]
#[case::setvar_one_part("{{setvar::x}}")]
#[case::getvar_no_name("{{getvar::  }}")]
#[case::single_braces("{char}")]
#[case::angle_other("<USERS> <bots>")]
fn malformed_and_unknown_stay_as_written(#[case] text: &str) {
    assert_eq!(live(text), text);
}

#[test]
fn unknown_macros_keep_their_expanded_arguments() {
    assert_eq!(live("{{other::{{user}}}}"), "{{other::Alex}}");
}

#[test]
fn group_names_come_from_the_context() {
    let c = group();
    let mut vars = Variables::new();
    assert_eq!(expand("{{group}}", &c, &mut vars), "Mira, Bram, Tove");
    assert_eq!(expand("{{notChar}}", &c, &mut vars), "Bram, Tove, Alex");
}

#[test]
fn random_picks_from_the_list_and_rolls_stay_in_range() {
    for _ in 0..200 {
        let pick = live("{{random:a,b,c}}");
        assert!(["a", "b", "c"].contains(&pick.as_str()), "{pick}");
        let pick = live("{{random::x y::z}}");
        assert!(["x y", "z"].contains(&pick.as_str()), "{pick}");
        let n: i64 = live("{{roll:2d6+1}}").parse().unwrap();
        assert!((3..=13).contains(&n), "{n}");
        let n: i64 = live("{{roll:d20}}").parse().unwrap();
        assert!((1..=20).contains(&n), "{n}");
    }
}

#[test]
fn resolved_once_then_replayed_the_same() {
    let c = cx();
    let mut vars = Variables::new();
    let text =
        "{{user}} rolls {{roll:1d1000}}, {{setvar::hp::{{roll:1d6}}}}hp {{getvar::hp}}, {{time}}";
    let values = resolve(text, &c, &mut vars);
    assert_eq!(values.len(), 5, "{values:?}");
    assert_eq!(vars.get("hp"), Some(&values[1]));
    let first = replay(text, &c.names, &values);
    for _ in 0..20 {
        assert_eq!(replay(text, &c.names, &values), first);
    }
    assert!(first.starts_with("Alex rolls "));
    assert!(
        first.ends_with(&format!("hp {}, 3:04 PM", values[1])),
        "{first}"
    );
    // Names follow a rename; stored results do not change.
    let renamed = Names {
        user: "Sam".into(),
        ..c.names.clone()
    };
    assert_eq!(
        replay(text, &renamed, &values),
        first.replacen("Alex", "Sam", 1)
    );
}

#[test]
fn no_stored_result_leaves_the_macro_as_written() {
    let c = cx();
    assert_eq!(
        replay("{{user}}: {{roll:1d6}}", &c.names, &[]),
        "Alex: {{roll:1d6}}"
    );
}

#[test]
fn stored_results_come_from_metadata() {
    let m = serde_json::json!({"macros": ["4", 5, "x"]});
    assert_eq!(stored(&m), vec!["4".to_string(), String::new(), "x".into()]);
    assert!(stored(&serde_json::json!({})).is_empty());
}

#[rstest]
#[case::many_opens("{{".repeat(100_000))]
#[case::many_closes("}}".repeat(100_000))]
#[case::deep(format!("{}user{}", "{{".repeat(50_000), "}}".repeat(50_000)))]
#[case::alternating("{{}}{{".repeat(30_000))]
#[case::many_rolls("{{roll:1000d1000000}}".repeat(200))]
#[case::triple("{{{user}}}")]
#[case::angle_soup("<".repeat(100_000))]
fn nasty_input_is_quick_and_safe(#[case] text: String) {
    let start = std::time::Instant::now();
    let out = live(&text);
    let _ = replay(&text, &cx().names, &[]);
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    assert!(!out.is_empty());
}

proptest! {
    #[test]
    fn any_text_expands_without_panic(text in "(\\{\\{|\\}\\}|[a-z:/ ,]|<USER>|roll|random|setvar|getvar|user|char|::|\\\\,|é|🌙){0,40}") {
        let c = cx();
        let mut vars = Variables::new();
        let _ = expand(&text, &c, &mut vars);
        let values = resolve(&text, &c, &mut vars);
        let a = replay(&text, &c.names, &values);
        let b = replay(&text, &c.names, &values);
        prop_assert_eq!(a, b);
        let shown = display::show(&display::Item { text: text.clone(), macros: values, speaker: None }, &c.names);
        prop_assert!(shown.html.is_some());
    }

    #[test]
    fn text_without_macros_is_untouched(text in "[^{<]{0,200}") {
        prop_assert_eq!(live(&text), text.clone());
    }
}
