//! The shape of the code, checked: no cycles between modules, and no long
//! file without a reason.
//!
//! The module graph is read from the sources, not from the compiler: every
//! `.rs` under `src-tauri/src` is a module (a `mod.rs` is its folder), and
//! every `crate::a::b` path (in `use` lines, `use crate::{a, b}` groups and
//! inline paths), every `super::sibling` and every path through a child a
//! module declares is an edge to the longest module prefix it names. A use
//! of an item defined in `lib.rs` is an edge to the crate root, so `cli` ->
//! `lib` -> `cli` is a cycle like any other. A module reaching up into the
//! folder it lives in (`use super::*` in a test, `super::Id` in a model) is
//! not: the folder is its parent, not a peer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files may be this long before their module doc must say why they are
/// one piece.
const MAX_LINES: usize = 400;

/// Cycles and long files that other work in progress removes (the
/// generation rewrite, the UI rewrite). Each entry must still occur, so the
/// list shrinks as that work lands.
const KNOWN_CYCLES: &[&str] = &[];
const KNOWN_LONG_FILES: &[&str] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// `services/prompt.rs` -> `services::prompt`; `models/mod.rs` ->
/// `models`; `lib.rs` -> `` (the crate root).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

fn display(module: &str) -> &str {
    if module.is_empty() {
        "lib"
    } else {
        module
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Punct(char),
}

/// Rust source as tokens, without comments, strings and char literals.
fn tokens(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('#') || next == Some('"')) && raw_string(&chars, i) {
            let mut j = i + 1;
            let mut hashes = 0;
            while chars[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            'raw: while j < chars.len() {
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break 'raw;
                }
                j += 1;
            }
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{1F600}'), else a lifetime.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else if c == ':' && next == Some(':') {
            out.push(Tok::PathSep);
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            out.push(match c {
                '{' => Tok::Open,
                '}' => Tok::Close,
                ',' => Tok::Comma,
                _ => Tok::Punct(c),
            });
            i += 1;
        }
    }
    out
}

fn raw_string(chars: &[char], i: usize) -> bool {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// The paths a path tree at `toks[i..]` names (`a::b::{c, d::e}` is
/// `a::b::c` and `a::b::d::e`), and the index after it.
fn path_tree(toks: &[Tok], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        match toks.get(i) {
            Some(Tok::Ident(name)) => {
                prefix.push(name.clone());
                i += 1;
                if toks.get(i) == Some(&Tok::PathSep) {
                    i += 1;
                } else {
                    return (vec![prefix], i);
                }
            }
            Some(Tok::Open) => {
                i += 1;
                let mut all = Vec::new();
                while i < toks.len() && toks[i] != Tok::Close {
                    if toks[i] == Tok::Comma {
                        i += 1;
                        continue;
                    }
                    let (inner, next) = path_tree(toks, i);
                    for p in inner {
                        let mut full = prefix.clone();
                        full.extend(p);
                        all.push(full);
                    }
                    i = next.max(i + 1);
                }
                return (all, i + 1);
            }
            _ => return (vec![prefix], i),
        }
    }
}

struct Source {
    module: String,
    toks: Vec<Tok>,
}

/// Modules a file depends on.
fn edges(
    source: &Source,
    modules: &BTreeSet<String>,
    macros: &BTreeMap<String, String>,
) -> BTreeSet<String> {
    let here = &source.module;
    let toks = &source.toks;
    let join = |base: &str, rest: &[String]| -> Vec<String> {
        let mut parts: Vec<String> = if base.is_empty() {
            Vec::new()
        } else {
            base.split("::").map(String::from).collect()
        };
        parts.extend(rest.iter().cloned());
        parts
    };
    let parent = |m: &str| m.rsplit_once("::").map_or(String::new(), |(p, _)| p.into());
    // Inline modules (`mod tests { ... }`) shift what `super` means.
    let mut inline: Vec<(usize, String)> = Vec::new();
    let mut depth = 0usize;
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(d, _)| *d == depth) {
                    inline.pop();
                }
            }
            _ => {}
        }
        let current = inline.last().map_or(here.clone(), |(_, m)| m.clone());
        if let (Tok::Ident(kw), Some(Tok::Ident(name)), Some(Tok::Open)) =
            (&toks[i], toks.get(i + 1), toks.get(i + 2))
        {
            if kw == "mod" {
                inline.push((depth, join(&current, std::slice::from_ref(name)).join("::")));
                depth += 1;
                i += 3;
                continue;
            }
        }
        let starts_path = matches!(&toks[i], Tok::Ident(_))
            && toks.get(i + 1) == Some(&Tok::PathSep)
            && (i == 0 || toks[i - 1] != Tok::PathSep);
        if !starts_path {
            i += 1;
            continue;
        }
        let (paths, next) = path_tree(toks, i);
        for path in paths {
            let absolute = match path[0].as_str() {
                "crate" | "$crate" => join("", &path[1..]),
                "self" => join(&current, &path[1..]),
                "super" => {
                    let mut base = current.clone();
                    let mut k = 0;
                    while path.get(k).map(String::as_str) == Some("super") {
                        base = parent(&base);
                        k += 1;
                    }
                    join(&base, &path[k..])
                }
                first => {
                    let child = join(&current, &[first.to_string()]).join("::");
                    if modules.contains(&child) && child != *here {
                        join(&current, &path)
                    } else {
                        continue;
                    }
                }
            };
            let target = resolve(&absolute, modules, macros);
            // The file itself, or the folder it lives in, is not a peer;
            // the crate root is (it is where `lib.rs` items live).
            let is_ancestor =
                !target.is_empty() && (here == &target || here.starts_with(&format!("{target}::")));
            if !is_ancestor && target != *here {
                out.insert(target);
            }
        }
        i = next.max(i + 1);
    }
    out
}

/// The longest module prefix of a path from the crate root; an exported
/// macro resolves to the file that defines it.
fn resolve(
    path: &[String],
    modules: &BTreeSet<String>,
    macros: &BTreeMap<String, String>,
) -> String {
    if path.len() == 1 {
        if let Some(file) = macros.get(&path[0]) {
            return file.clone();
        }
    }
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| m.is_empty() || modules.contains(m))
        .unwrap_or_default()
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src-tauri/src");
    let mut paths = Vec::new();
    files(&src, "rs", &mut paths);
    // `main.rs` is the binary, another crate that only calls `run()`.
    paths.retain(|p| p.file_name().is_some_and(|n| n != "main.rs"));
    let sources: Vec<Source> = paths
        .iter()
        .map(|p| Source {
            module: module_of(&src, p),
            toks: tokens(&std::fs::read_to_string(p).unwrap()),
        })
        .collect();
    let modules: BTreeSet<String> = sources.iter().map(|s| s.module.clone()).collect();
    let mut macros = BTreeMap::new();
    for s in &sources {
        for w in s.toks.windows(4) {
            if let [Tok::Ident(m), Tok::Punct('!'), Tok::Ident(name), Tok::Open] = w {
                if m == "macro_rules" {
                    macros.insert(name.clone(), s.module.clone());
                }
            }
        }
    }
    sources
        .iter()
        .map(|s| (s.module.clone(), edges(s, &modules, &macros)))
        .collect()
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.found.sort();
    walk.found
}

/// One concrete loop through a component, for the message: `a -> b -> a`.
fn a_loop(graph: &BTreeMap<String, BTreeSet<String>>, component: &[String]) -> String {
    let inside: BTreeSet<&str> = component.iter().map(String::as_str).collect();
    let start = component[0].as_str();
    // Breadth-first from the start back to it, inside the component.
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in &graph[v] {
            let w = w.as_str();
            if !inside.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![start, v];
                let mut at = v;
                while at != start {
                    at = came_from[at];
                    path.push(at);
                }
                path.reverse();
                return path
                    .iter()
                    .map(|m| display(m))
                    .collect::<Vec<_>>()
                    .join(" -> ");
            }
            if !came_from.contains_key(w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    component.join(", ")
}

#[test]
fn modules_have_no_cycles() {
    let graph = module_graph();
    assert!(
        graph.get("services").is_some_and(|e| e.contains("repos")),
        "the graph reader sees `use crate::repos` in services/mod.rs: {graph:#?}"
    );
    let found: Vec<String> = cycles(&graph)
        .iter()
        .map(|c| {
            let names: Vec<&str> = c.iter().map(|m| display(m)).collect();
            format!("{} (e.g. {})", names.join(" <-> "), a_loop(&graph, c))
        })
        .collect();
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|f| !KNOWN_CYCLES.iter().any(|k| f.starts_with(k)))
        .collect();
    assert!(
        unexpected.is_empty(),
        "module cycles (break each: move the shared piece into its own module, \
         or pass it in):\n  {}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
    for known in KNOWN_CYCLES {
        assert!(
            found.iter().any(|f| f.starts_with(known)),
            "{known} is gone: remove it from KNOWN_CYCLES"
        );
    }
}

#[test]
fn the_graph_reader_sees_groups_super_and_the_crate_root() {
    let src = r#"
        use crate::{a, b::{c, d::E}};
        use super::sibling::Thing;
        use super::Parent;
        pub const X: &str = "crate::not_a_path";
        fn f() { crate::ROOT_ITEM; let _ = 'x'; }
        #[cfg(test)]
        mod tests { use super::*; }
    "#;
    let modules: BTreeSet<String> = [
        "",
        "a",
        "b",
        "b::c",
        "b::d",
        "folder",
        "folder::me",
        "folder::sibling",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    let source = Source {
        module: "folder::me".into(),
        toks: tokens(src),
    };
    let found = edges(&source, &modules, &BTreeMap::new());
    let want: BTreeSet<String> = ["", "a", "b::c", "b::d", "folder::sibling"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, want);
}

/// The leading comment block of a file: `//!` lines for Rust, `//` lines
/// (or a `/* */` block) for JS.
fn top_doc(text: &str, rust: bool) -> String {
    let mut doc = String::new();
    let mut lines = text.lines().map(str::trim_start).peekable();
    if !rust && lines.peek().is_some_and(|l| l.starts_with("/*")) {
        for l in lines {
            doc.push_str(l);
            doc.push('\n');
            if l.contains("*/") {
                break;
            }
        }
        return doc;
    }
    for l in lines {
        let body = if rust {
            l.strip_prefix("//!")
        } else {
            l.strip_prefix("//")
        };
        match body {
            Some(b) => {
                doc.push_str(b);
                doc.push('\n');
            }
            None if doc.is_empty() && (l.is_empty() || l.starts_with("#!")) => {}
            None => break,
        }
    }
    doc
}

#[test]
fn long_files_say_why_they_are_one_piece() {
    let root = root();
    let mut all = Vec::new();
    files(&root.join("src-tauri/src"), "rs", &mut all);
    files(&root.join("ui"), "js", &mut all);
    let mut long = Vec::new();
    for path in &all {
        let text = std::fs::read_to_string(path).unwrap();
        let lines = text.lines().count();
        let rust = path.extension().is_some_and(|e| e == "rs");
        let doc = top_doc(&text, rust)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if lines > MAX_LINES && !doc.to_lowercase().contains("one piece") {
            long.push((rel, lines));
        }
    }
    let unexpected: Vec<String> = long
        .iter()
        .filter(|(f, _)| !KNOWN_LONG_FILES.contains(&f.as_str()))
        .map(|(f, n)| format!("{f}: {n} lines"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "files over {MAX_LINES} lines whose top doc comment does not say why they \
         are \"one piece\"; split them, or name the reason:\n  {}",
        unexpected.join("\n  ")
    );
    for known in KNOWN_LONG_FILES {
        assert!(
            long.iter().any(|(f, _)| f == known),
            "{known} is short now or says why: remove it from KNOWN_LONG_FILES"
        );
    }
}

#[test]
fn top_docs_are_read_for_rust_and_js() {
    assert_eq!(
        top_doc(
            "//! One piece:\n//! the parser.\n\nuse x;\n//! not this",
            true
        ),
        " One piece:\n the parser.\n"
    );
    assert_eq!(
        top_doc(
            "// @ts-check\n// One piece: a state machine.\nimport x;",
            false
        ),
        " @ts-check\n One piece: a state machine.\n"
    );
    assert_eq!(top_doc("use x;\n//! late", true), "");
}
