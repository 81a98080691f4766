//! Template variables: finding `{{...}}` fill-ins in a template's text and
//! filling them. Pure: no I/O, no database.
//!
//! The syntax (docs/TEMPLATES.md has the table):
//!
//! | written | kind | default |
//! |---|---|---|
//! | `{{topic}}` | text, required | none |
//! | `{{topic=the sea}}` | text | `the sea` |
//! | `{{notes:long}}` | long text, required | none |
//! | `{{count:number}}` | number, required | none (`=3` gives one) |
//! | `{{tone:formal\|casual}}` | choice | the first option (`=casual` picks another) |
//!
//! A name is a letter or `_`, then letters, digits, `_` or `-` (at most 64).
//! Macros are not variables and stay as text for the macro expander:
//! [`is_macro`] names them (`{{char}}`, `{{random:a,b}}`, `{{setvar::x::y}}`,
//! `{{// note}}`, ...). Anything else that does not read as a variable
//! (a bad name, an unknown kind, an unclosed `{{`) is left as text too, so
//! a template never fails for text that merely looks like braces. A name
//! used twice is one variable; a second use may repeat the first's spec or
//! give none (`{{tone}}` after `{{tone:formal|casual}}`).
//!
//! It is one piece (past 400 lines with its tests): the scanner, the
//! parser and the filler share one reading of the braces, and their table
//! of cases reads best beside them.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{json, Value};

use crate::error::Words;
use crate::models::{VarKind, Variable};

/// At most this many variables in one template: a form, not a database.
pub const MAX_VARIABLES: usize = 100;
const MAX_NAME: usize = 64;

/// A problem with a variable, in words; `name` is the variable (or
/// `content` for the template as a whole). `words` word it in the
/// person's language (`AppError::worded`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarError {
    pub name: String,
    pub message: String,
    pub words: Box<Words>,
}

impl VarError {
    fn new(name: &str, message: impl Into<String>, code: &'static str, values: Value) -> Self {
        VarError {
            name: name.to_string(),
            message: message.into(),
            words: Box::new(Words { code, values }),
        }
    }
}

/// Macro names (compared ignoring case) that `services::macros` expands;
/// they are never variables. SillyTavern's names.
const MACROS: &[&str] = &[
    "char",
    "user",
    "time",
    "date",
    "weekday",
    "isotime",
    "isodate",
    "idle_duration",
    "random",
    "pick",
    "roll",
    "lastmessage",
    "lastusermessage",
    "lastcharmessage",
    "lastmessageid",
    "input",
    "setvar",
    "getvar",
    "addvar",
    "incvar",
    "decvar",
    "setglobalvar",
    "getglobalvar",
    "group",
    "notchar",
    "charifnotgroup",
    "persona",
    "description",
    "personality",
    "scenario",
    "mesexamples",
    "newline",
    "trim",
    "noop",
    "original",
    "model",
    "pieces",
    "pipe",
    "arg",
];

/// Whether the text between `{{` and `}}` is a macro, not a variable.
pub fn is_macro(inner: &str) -> bool {
    let inner = inner.trim();
    if inner.starts_with("//") || inner.contains("::") {
        return true;
    }
    let head: String = inner
        .split([':', '='])
        .next()
        .unwrap_or("")
        .trim()
        .to_lowercase();
    head.starts_with("random")
        || head.starts_with("roll")
        || head.starts_with("time_utc")
        || MACROS.contains(&head.as_str())
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && name.len() <= MAX_NAME
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Reads one `{{...}}`'s inside: `Ok(None)` when it is not a variable
/// (text or a macro), an error when it is one whose spec is wrong.
fn spec(inner: &str) -> Result<Option<Variable>, VarError> {
    if is_macro(inner) {
        return Ok(None);
    }
    let inner = inner.trim();
    let name_end = inner.find([':', '=']).unwrap_or(inner.len());
    let name = inner[..name_end].trim();
    if !valid_name(name) {
        return Ok(None);
    }
    let rest = &inner[name_end..];
    let mut var = Variable {
        name: name.to_string(),
        kind: VarKind::Text,
        options: Vec::new(),
        default: None,
        label: None,
    };
    if let Some(default) = rest.strip_prefix('=') {
        var.default = Some(default.to_string());
        return Ok(Some(var));
    }
    let Some(rest) = rest.strip_prefix(':') else {
        return Ok(Some(var));
    };
    let (kind, default) = match rest.split_once('=') {
        Some((k, d)) => (k.trim(), Some(d.to_string())),
        None => (rest.trim(), None),
    };
    var.default = default;
    match kind.to_lowercase().as_str() {
        "text" => {}
        "long" => var.kind = VarKind::LongText,
        "number" => {
            var.kind = VarKind::Number;
            if let Some(d) = &var.default {
                if parse_number(d).is_none() {
                    return Err(VarError::new(
                        name,
                        format!("the default of \"{name}\" is \"{d}\", not a number; write a number after = or leave it out"),
                        "var_default_not_number",
                        json!({ "name": name, "default": d }),
                    ));
                }
            }
        }
        _ if kind.contains('|') => {
            var.kind = VarKind::Choice;
            for option in kind.split('|').map(str::trim) {
                if option.is_empty() {
                    return Err(VarError::new(
                        name,
                        format!("\"{name}\" has an empty choice; write the options between | with none left blank"),
                        "var_empty_choice",
                        json!({ "name": name }),
                    ));
                }
                if !var.options.iter().any(|o| o == option) {
                    var.options.push(option.to_string());
                }
            }
            match &var.default {
                Some(d) if !var.options.iter().any(|o| o == d.trim()) => {
                    return Err(VarError::new(
                        name,
                        format!(
                            "the default of \"{name}\" is \"{d}\", which is not one of its choices ({})",
                            var.options.join(", ")
                        ),
                        "var_default_not_choice",
                        json!({ "name": name, "default": d, "choices": var.options.join(", ") }),
                    ));
                }
                Some(d) => var.default = Some(d.trim().to_string()),
                None => var.default = var.options.first().cloned(),
            }
        }
        // `{{x:something}}` that is no kind: text, not a variable.
        _ => return Ok(None),
    }
    Ok(Some(var))
}

/// A `{{...}}` in a template: where it is, and the variable it is (`None`:
/// text, such as a macro), or why it is not one.
type Span = (Range<usize>, Result<Option<Variable>, VarError>);

/// Where each variable is in `content` (the whole `{{...}}`) and what it
/// says. An unclosed `{{` is text; in `{{a{{b}}` only `{{b}}` counts.
fn spans(content: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = content[i..].find("{{") {
        let start = i + found;
        let inner_start = start + 2;
        let Some(len) = content[inner_start..].find("}}") else {
            break;
        };
        let inner = &content[inner_start..inner_start + len];
        if inner.contains("{{") {
            // Nested: this opener is text; the inner one is tried next.
            i = inner_start;
            continue;
        }
        let end = inner_start + len + 2;
        out.push((start..end, spec(inner)));
        i = end;
    }
    out
}

/// The template's variables in order of first use.
pub fn parse(content: &str) -> Result<Vec<Variable>, VarError> {
    let mut vars: Vec<Variable> = Vec::new();
    for (_, found) in spans(content) {
        let Some(var) = found? else { continue };
        match vars.iter().find(|v| v.name == var.name) {
            None => {
                if vars.len() == MAX_VARIABLES {
                    return Err(VarError::new(
                        "content",
                        format!("a template may have at most {MAX_VARIABLES} variables; this one has more"),
                        "too_many_variables",
                        json!({ "limit": MAX_VARIABLES }),
                    ));
                }
                vars.push(var);
            }
            // A bare `{{name}}` refers to the variable declared before.
            Some(_) if var.kind == VarKind::Text && var.default.is_none() => {}
            Some(first) if *first == var => {}
            Some(_) => {
                return Err(VarError::new(
                    &var.name,
                    format!(
                        "\"{}\" is given two different kinds or defaults; declare it once and write {{{{{}}}}} elsewhere",
                        var.name, var.name
                    ),
                    "var_declared_twice",
                    json!({ "name": var.name }),
                ))
            }
        }
    }
    Ok(vars)
}

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// The value a variable takes from the form's `values`, checked.
fn resolve(var: &Variable, values: &HashMap<String, String>) -> Result<String, VarError> {
    let given = values
        .get(&var.name)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty());
    let label = var.label.as_deref().unwrap_or(&var.name);
    let value = match (given, &var.default) {
        (Some(v), _) => v.to_string(),
        (None, Some(d)) => d.clone(),
        (None, None) => {
            return Err(VarError::new(
                &var.name,
                format!("fill in \"{label}\"; it has no default"),
                "var_required",
                json!({ "name": label }),
            ))
        }
    };
    match var.kind {
        VarKind::Choice if !var.options.iter().any(|o| *o == value.trim()) => {
            let choices = var.options.join(", ");
            let given: String = value.chars().take(100).collect();
            Err(VarError::new(
                &var.name,
                format!("\"{label}\" must be one of: {choices}; \"{given}\" is not"),
                "var_not_a_choice",
                json!({ "name": label, "choices": choices, "value": given }),
            ))
        }
        VarKind::Choice => Ok(value.trim().to_string()),
        VarKind::Number => match parse_number(&value) {
            Some(_) => Ok(value.trim().to_string()),
            None => {
                let given: String = value.chars().take(100).collect();
                Err(VarError::new(
                    &var.name,
                    format!("\"{label}\" must be a number; \"{given}\" is not"),
                    "var_not_a_number",
                    json!({ "name": label, "value": given }),
                ))
            }
        },
        VarKind::Text | VarKind::LongText => Ok(value),
    }
}

/// The template's text with every variable filled from `values` (by name;
/// an empty or missing value takes the default). Macros and text that is
/// not a variable are kept as written. Every problem is returned, one per
/// variable, so a form can show each under its field.
pub fn fill(content: &str, values: &HashMap<String, String>) -> Result<String, Vec<VarError>> {
    let vars = parse(content).map_err(|e| vec![e])?;
    let mut resolved: HashMap<&str, String> = HashMap::new();
    let mut errors = Vec::new();
    for var in &vars {
        match resolve(var, values) {
            Ok(v) => {
                resolved.insert(&var.name, v);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = String::with_capacity(content.len());
    let mut last = 0;
    for (range, found) in spans(content) {
        let Ok(Some(var)) = found else { continue };
        out.push_str(&content[last..range.start]);
        out.push_str(resolved.get(var.name.as_str()).map_or("", String::as_str));
        last = range.end;
    }
    out.push_str(&content[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn text(name: &str, default: Option<&str>) -> Variable {
        Variable {
            name: name.into(),
            kind: VarKind::Text,
            options: vec![],
            default: default.map(Into::into),
            label: None,
        }
    }

    fn of(kind: VarKind, name: &str, options: &[&str], default: Option<&str>) -> Variable {
        Variable {
            name: name.into(),
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
            default: default.map(Into::into),
            label: None,
        }
    }

    #[rstest]
    #[case::none("Hello there", vec![])]
    #[case::text("Tell me about {{topic}}.", vec![text("topic", None)])]
    #[case::spaces_inside("{{ topic }}", vec![text("topic", None)])]
    #[case::text_default("About {{topic=the sea}}", vec![text("topic", Some("the sea"))])]
    #[case::empty_default("{{x=}}", vec![text("x", Some(""))])]
    #[case::long("{{notes:long}}", vec![of(VarKind::LongText, "notes", &[], None)])]
    #[case::long_default("{{notes:long=none}}", vec![of(VarKind::LongText, "notes", &[], Some("none"))])]
    #[case::number("{{count:number}}", vec![of(VarKind::Number, "count", &[], None)])]
    #[case::number_default("{{count:number=3}}", vec![of(VarKind::Number, "count", &[], Some("3"))])]
    #[case::choice("{{tone:formal|casual}}", vec![of(VarKind::Choice, "tone", &["formal", "casual"], Some("formal"))])]
    #[case::choice_default("{{tone:formal|casual=casual}}", vec![of(VarKind::Choice, "tone", &["formal", "casual"], Some("casual"))])]
    #[case::choice_repeated_option("{{t:a|b|a}}", vec![of(VarKind::Choice, "t", &["a", "b"], Some("a"))])]
    #[case::explicit_text("{{x:text}}", vec![text("x", None)])]
    #[case::order_of_first_use("{{b}} {{a}} {{b}}", vec![text("b", None), text("a", None)])]
    #[case::declared_then_referenced("{{tone:a|b}} and {{tone}}", vec![of(VarKind::Choice, "tone", &["a", "b"], Some("a"))])]
    #[case::same_spec_twice("{{x=1}} {{x=1}}", vec![text("x", Some("1"))])]
    #[case::macros_are_not_variables("{{char}} {{User}} {{time}} {{random:a,b}} {{roll:2d6}} {{setvar::x::1}} {{getvar::x}} {{// note}} {{lastMessage}} {{idle_duration}} {{input}} {{notChar}} {{group}} {{weekday}} {{date}} {{randomize}}", vec![])]
    #[case::unclosed("Hi {{topic", vec![])]
    #[case::lone_closer("Hi topic}}", vec![])]
    #[case::empty_braces("{{}}", vec![])]
    #[case::bad_name("{{1st}} {{a b}} {{é}}", vec![])]
    #[case::unknown_kind_stays_text("{{x:wobbly}}", vec![])]
    #[case::nested_inner_counts("{{a{{b}}}}", vec![text("b", None)])]
    #[case::triple_braces("{{{x}}}", vec![])]
    #[case::json_is_text(r#"{"a": {"b": 1}}"#, vec![])]
    fn parses(#[case] content: &str, #[case] want: Vec<Variable>) {
        assert_eq!(parse(content).unwrap(), want);
    }

    #[rstest]
    #[case::number_default_not_number("{{n:number=lots}}", "n", "not a number")]
    #[case::choice_default_not_option("{{t:a|b=c}}", "t", "not one of its choices")]
    #[case::empty_option("{{t:a||b}}", "t", "empty choice")]
    #[case::conflicting_kinds("{{t:a|b}} {{t:number}}", "t", "two different kinds")]
    #[case::conflicting_defaults("{{t=1}} {{t=2}}", "t", "two different kinds or defaults")]
    fn refuses(#[case] content: &str, #[case] name: &str, #[case] words: &str) {
        let e = parse(content).unwrap_err();
        assert_eq!(e.name, name);
        assert!(e.message.contains(words), "{}", e.message);
    }

    #[test]
    fn a_hundred_variables_fit_and_one_more_does_not() {
        let hundred: String = (0..100).map(|i| format!("{{{{v{i}}}}} ")).collect();
        assert_eq!(parse(&hundred).unwrap().len(), 100);
        let values: HashMap<String, String> =
            (0..100).map(|i| (format!("v{i}"), i.to_string())).collect();
        assert!(fill(&hundred, &values).unwrap().starts_with("0 1 2 "));
        let more = format!("{hundred}{{{{v100}}}}");
        let e = parse(&more).unwrap_err();
        assert!(e.message.contains("at most 100"), "{}", e.message);
    }

    fn values(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[rstest]
    #[case::no_variables("Just text {{char}}", &[], "Just text {{char}}")]
    #[case::text("About {{topic}}.", &[("topic", "owls")], "About owls.")]
    #[case::every_use("{{x}} and {{x}}", &[("x", "y")], "y and y")]
    #[case::default_when_missing("{{t=sea}}", &[], "sea")]
    #[case::default_when_blank("{{t=sea}}", &[("t", "  ")], "sea")]
    #[case::choice_first_by_default("Be {{tone:formal|casual}}", &[], "Be formal")]
    #[case::choice_given("Be {{tone:formal|casual}}", &[("tone", "casual")], "Be casual")]
    #[case::number("{{n:number}} owls", &[("n", " 2.5 ")], "2.5 owls")]
    #[case::long_keeps_lines("{{notes:long}}", &[("notes", "a\nb")], "a\nb")]
    #[case::macros_kept("{{char}} says {{x}} at {{time}}", &[("x", "hi")], "{{char}} says hi at {{time}}")]
    #[case::value_with_braces_is_not_refilled("{{a}} {{b}}", &[("a", "{{b}}"), ("b", "B")], "{{b}} B")]
    #[case::unclosed_kept("{{x}} {{y", &[("x", "1")], "1 {{y")]
    #[case::nested_outer_kept("{{a{{b}}}}", &[("b", "B")], "{{aB}}")]
    #[case::unknown_values_ignored("{{x}}", &[("x", "1"), ("zzz", "2")], "1")]
    fn fills(#[case] content: &str, #[case] given: &[(&str, &str)], #[case] want: &str) {
        assert_eq!(fill(content, &values(given)).unwrap(), want);
    }

    #[rstest]
    #[case::required_text("{{topic}}", &[], &[("topic", "fill in \"topic\"")])]
    #[case::required_blank("{{topic}}", &[("topic", " ")], &[("topic", "fill in")])]
    #[case::choice_not_option("{{t:a|b}}", &[("t", "c")], &[("t", "must be one of: a, b")])]
    #[case::number_not_number("{{n:number}}", &[("n", "two")], &[("n", "must be a number")])]
    #[case::number_infinite("{{n:number}}", &[("n", "inf")], &[("n", "must be a number")])]
    #[case::every_problem("{{a}} {{n:number}}", &[("n", "x")], &[("a", "fill in"), ("n", "must be a number")])]
    fn refuses_values(
        #[case] content: &str,
        #[case] given: &[(&str, &str)],
        #[case] want: &[(&str, &str)],
    ) {
        let errors = fill(content, &values(given)).unwrap_err();
        assert_eq!(errors.len(), want.len(), "{errors:?}");
        for (e, (name, words)) in errors.iter().zip(want) {
            assert_eq!(e.name, *name);
            assert!(e.message.contains(words), "{}", e.message);
        }
    }
}
