//! The evaluator: walks the parsed text, tells each macro by its name and
//! asks a [`Source`] for the value of every macro that is not a name or a
//! comment. The sources are the three ways to expand (see the module doc):
//! [`Live`] evaluates, [`Record`] evaluates and keeps the results,
//! [`Replay`] hands back kept results in the same order. Arguments are
//! expanded first (inner macros before outer ones, in text order), so the
//! order of results is the same each time the same text is walked.

use std::ops::Range;

use super::dice::Dice;
use super::parse::{self, Node};
use super::{words, Context, Names, Variables};

/// A piece of expanded text: a run of the original, or a macro's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// The original text in this byte range.
    Text(Range<usize>),
    /// What a macro gave: text, never markup and never read again.
    Value(String),
}

/// The text the segments stand for.
pub fn join(text: &str, segments: &[Segment]) -> String {
    let mut out = String::with_capacity(text.len());
    for s in segments {
        match s {
            Segment::Text(r) => out.push_str(&text[r.clone()]),
            Segment::Value(v) => out.push_str(v),
        }
    }
    out
}

/// A macro whose value is not a name: evaluated once per message.
#[derive(Debug)]
pub enum Volatile {
    Time,
    Date,
    Weekday,
    IdleDuration,
    LastMessage,
    Input,
    Random(Vec<String>),
    Roll(Dice),
    SetVar { name: String, value: String },
    GetVar { name: String },
}

/// Gives the value of a volatile macro (`None`: leave it as written).
pub trait Source {
    fn value(&mut self, m: &Volatile) -> Option<String>;
}

/// Evaluates now.
pub struct Live<'a> {
    cx: &'a Context,
    vars: &'a mut Variables,
    rng: u64,
}

impl<'a> Live<'a> {
    pub fn new(cx: &'a Context, vars: &'a mut Variables) -> Live<'a> {
        let seed = uuid::Uuid::now_v7().as_u128();
        Live {
            cx,
            vars,
            rng: (seed as u64) ^ ((seed >> 64) as u64),
        }
    }

    /// splitmix64: plenty for dice, no dependency.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0..n (n > 0), without modulo bias worth mentioning for n <= 10^6.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

impl Source for Live<'_> {
    fn value(&mut self, m: &Volatile) -> Option<String> {
        let cx = self.cx;
        Some(match m {
            Volatile::Time => cx.now.format("%-I:%M %p").to_string(),
            Volatile::Date => cx.now.format("%B %-d, %Y").to_string(),
            Volatile::Weekday => cx.now.format("%A").to_string(),
            Volatile::IdleDuration => match cx.idle_since {
                Some(t) => {
                    let secs = (cx.now.timestamp_millis() - t.millis()).max(0) / 1000;
                    words::humanize(secs)
                }
                None => "just now".into(),
            },
            Volatile::LastMessage => cx.last_message.clone(),
            Volatile::Input => cx.input.clone(),
            Volatile::Random(items) => {
                let n = items.len() as u64;
                let i = usize::try_from(self.below(n)).unwrap_or(0);
                items.get(i).cloned().unwrap_or_default()
            }
            Volatile::Roll(dice) => dice.roll(|sides| self.below(sides) + 1).to_string(),
            Volatile::SetVar { name, value } => {
                self.vars.insert(name.clone(), value.clone());
                String::new()
            }
            Volatile::GetVar { name } => self.vars.get(name).cloned().unwrap_or_default(),
        })
    }
}

/// Evaluates now and keeps every result, in order.
pub struct Record<'l, 'a> {
    pub live: &'l mut Live<'a>,
    pub out: Vec<String>,
}

impl Source for Record<'_, '_> {
    fn value(&mut self, m: &Volatile) -> Option<String> {
        let v = self.live.value(m)?;
        self.out.push(v.clone());
        Some(v)
    }
}

/// Kept results, handed back in the order they were made.
pub struct Replay<'a> {
    pub values: &'a [String],
    pub next: usize,
}

impl Source for Replay<'_> {
    fn value(&mut self, _: &Volatile) -> Option<String> {
        let v = self.values.get(self.next).cloned();
        self.next += 1;
        v
    }
}

/// The text as segments.
pub fn run(text: &str, names: &Names, source: &mut dyn Source) -> Vec<Segment> {
    let nodes = parse::parse(text);
    let mut out = Vec::new();
    walk(text, &nodes, names, source, &mut out);
    out
}

fn walk(text: &str, nodes: &[Node], names: &Names, src: &mut dyn Source, out: &mut Vec<Segment>) {
    for node in nodes {
        match node {
            Node::Text(s, e) => angles(text, *s, *e, names, out),
            Node::Macro { open, close, body } => {
                let raw = &text[open + 2..*close];
                if raw.starts_with("//") {
                    continue; // a comment: nothing, and nothing inside runs
                }
                let mut inner = Vec::new();
                walk(text, body, names, src, &mut inner);
                match value(raw, body, &join(text, &inner), names, src) {
                    Some(v) if v.is_empty() => {}
                    Some(v) => out.push(Segment::Value(v)),
                    None => {
                        out.push(Segment::Text(*open..open + 2));
                        out.extend(inner);
                        out.push(Segment::Text(*close..close + 2));
                    }
                }
            }
        }
    }
}

/// `<USER>`, `<BOT>` and `<CHAR>` (any case) in a literal run.
fn angles(text: &str, start: usize, end: usize, names: &Names, out: &mut Vec<Segment>) {
    let run = &text[start..end];
    let mut at = 0;
    let mut from = 0;
    while let Some(i) = run[from..].find('<') {
        let pos = from + i;
        let tail = &run.as_bytes()[pos..];
        let name = [
            ("<user>", &names.user),
            ("<bot>", &names.char),
            ("<char>", &names.char),
        ]
        .into_iter()
        .find(|(tag, _)| {
            tail.len() >= tag.len() && tail[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
        });
        match name {
            Some((tag, value)) => {
                if pos > at {
                    out.push(Segment::Text(start + at..start + pos));
                }
                out.push(Segment::Value(value.to_string()));
                at = pos + tag.len();
                from = at;
            }
            None => from = pos + 1,
        }
    }
    if at < run.len() {
        out.push(Segment::Text(start + at..end));
    }
}

/// A macro's value from its raw body (which names it) and its expanded
/// body (which gives its arguments); `None` when unknown or malformed.
fn value(
    raw: &str,
    body: &[Node],
    expanded: &str,
    names: &Names,
    src: &mut dyn Source,
) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    let plain = body.is_empty() || (body.len() == 1 && matches!(body[0], Node::Text(..)));
    if plain {
        let v = match lower.as_str() {
            "char" => Some(names.char.clone()),
            "user" => Some(names.user.clone()),
            "group" | "charifnotgroup" => Some(names.group()),
            "notchar" => Some(names.not_char()),
            _ => None,
        };
        if v.is_some() {
            return v;
        }
        let volatile = match lower.as_str() {
            "time" => Some(Volatile::Time),
            "date" => Some(Volatile::Date),
            "weekday" => Some(Volatile::Weekday),
            "idle_duration" => Some(Volatile::IdleDuration),
            "lastmessage" => Some(Volatile::LastMessage),
            "input" => Some(Volatile::Input),
            _ => None,
        };
        if let Some(m) = volatile {
            return src.value(&m);
        }
    }
    // The keyword must be literal text at the start of the body.
    let literal = match body.first() {
        Some(Node::Text(s, e)) => e - s,
        _ => 0,
    };
    let args = |prefix: usize| (prefix <= literal).then(|| &expanded[prefix..]);
    let m = if let Some(p) = random_prefix(&lower) {
        let list = args(p)?;
        if list.is_empty() {
            return None;
        }
        let items: Vec<String> = if list.contains("::") {
            list.split("::").map(str::to_string).collect()
        } else {
            split_commas(list)
        };
        Volatile::Random(items)
    } else if lower.starts_with("roll") && matches!(lower.as_bytes().get(4), Some(b' ' | b':')) {
        Volatile::Roll(Dice::parse(args(5)?)?)
    } else if lower.starts_with("setvar::") {
        let (name, value) = args(8)?.split_once("::")?;
        let name = name.trim();
        if name.is_empty() || name.contains(':') || value.is_empty() {
            return None;
        }
        Volatile::SetVar {
            name: name.to_string(),
            value: value.to_string(),
        }
    } else if lower.starts_with("getvar::") {
        let name = args(8)?.trim();
        if name.is_empty() {
            return None;
        }
        Volatile::GetVar {
            name: name.to_string(),
        }
    } else {
        return None;
    };
    src.value(&m)
}

/// SillyTavern's `random\s?::?`: the keyword, one optional space, a colon,
/// an optional second colon. The length of that prefix.
fn random_prefix(lower: &str) -> Option<usize> {
    let rest = lower.strip_prefix("random")?;
    let mut at = 6;
    let mut b = rest.as_bytes();
    if let Some(c) = b.first() {
        if c.is_ascii_whitespace() {
            at += 1;
            b = &b[1..];
        }
    }
    if b.first() != Some(&b':') {
        return None;
    }
    at += 1;
    if b.get(1) == Some(&b':') {
        at += 1;
    }
    Some(at)
}

/// `a, b\, c` -> `a`, `b, c` (trimmed; `\,` is a comma inside an item).
fn split_commas(list: &str) -> Vec<String> {
    let mut items = vec![String::new()];
    let mut chars = list.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                chars.next();
                if let Some(last) = items.last_mut() {
                    last.push(',');
                }
            }
            ',' => items.push(String::new()),
            c => {
                if let Some(last) = items.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    items.into_iter().map(|i| i.trim().to_string()).collect()
}
