//! Text to a tree of literal runs and `{{...}}` macros, in linear time.
//!
//! Braces are paired first, left to right, with a stack (`{{` opens, `}}`
//! closes the newest open one); an opening left unpaired at the end, or a
//! closing with nothing open, is plain text. So `{{random:{{user}},b}}`
//! nests, `{{ unclosed` stays as written, and no input is read more than a
//! few times whatever its braces. Macros nested deeper than [`MAX_DEPTH`]
//! stay as written too (the evaluator recurses once per level).

/// How deep macros may nest inside each other's arguments.
pub const MAX_DEPTH: usize = 16;

/// A piece of the text: byte ranges into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Literal text, `start..end`.
    Text(usize, usize),
    /// `{{` at `open`, `}}` at `close`; `body` covers `open + 2..close`.
    Macro {
        open: usize,
        close: usize,
        body: Vec<Node>,
    },
}

/// The text's top level.
pub fn parse(text: &str) -> Vec<Node> {
    let pairs = pairs(text);
    let mut nodes = Vec::new();
    build(&pairs, text.len(), 0, text.len(), 0, &mut nodes);
    nodes
}

/// Matched `(open, close)` positions, sorted by `open`.
fn pairs(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => {
                stack.push(i);
                i += 2;
            }
            (b'}', b'}') if !stack.is_empty() => {
                if let Some(open) = stack.pop() {
                    out.push((open, i));
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    out.sort_unstable();
    out
}

/// The nodes of `from..to`: the outermost pairs inside it and the text
/// between them.
fn build(
    pairs: &[(usize, usize)],
    len: usize,
    from: usize,
    to: usize,
    depth: usize,
    out: &mut Vec<Node>,
) {
    let mut at = from;
    let mut k = pairs.partition_point(|&(open, _)| open < from);
    while let Some(&(open, close)) = pairs.get(k) {
        if close + 2 > to {
            break;
        }
        if open > at {
            out.push(Node::Text(at, open));
        }
        if depth >= MAX_DEPTH {
            out.push(Node::Text(open, close + 2));
        } else {
            let mut body = Vec::new();
            build(pairs, len, open + 2, close, depth + 1, &mut body);
            out.push(Node::Macro { open, close, body });
        }
        at = close + 2;
        k = pairs.partition_point(|&(o, _)| o < at);
    }
    if at < to {
        out.push(Node::Text(at, to.min(len)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_nest_and_strays_are_text() {
        assert_eq!(parse("a"), vec![Node::Text(0, 1)]);
        assert_eq!(
            parse("{{x}}"),
            vec![Node::Macro {
                open: 0,
                close: 3,
                body: vec![Node::Text(2, 3)]
            }]
        );
        assert_eq!(
            parse("{{ }} }}"),
            vec![
                Node::Macro {
                    open: 0,
                    close: 3,
                    body: vec![Node::Text(2, 3)]
                },
                Node::Text(5, 8)
            ]
        );
        // An unclosed opening stays text; the pair after it still counts.
        let nodes = parse("{{a {{b}}");
        assert_eq!(nodes[0], Node::Text(0, 4));
        assert!(matches!(nodes[1], Node::Macro { open: 4, .. }));
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = format!("{}x{}", "{{".repeat(10_000), "}}".repeat(10_000));
        let nodes = parse(&text);
        assert_eq!(nodes.len(), 1);
    }
}
