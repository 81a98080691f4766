//! Fitting a conversation into the model's context by exact token counts.
//! Prompt assembly budgets with an estimate (`services::tokens`), right for
//! most prose but short for some text (other scripts, code, odd names).
//! Here the rendered prompt is counted with the model's own tokenizer, and
//! when it and the reply's room do not fit, the oldest history messages
//! are left out first, as assembly does: never a system message, never the
//! last message (the one being answered, or the reply being continued).

use crate::ai::PromptMessage;
use crate::models::MessageRole;

/// Which messages to leave out, oldest first, to free at least `over`
/// tokens; `count` gives one text's tokens. Empty when none may go.
pub fn oldest_to_drop(
    messages: &[PromptMessage],
    over: usize,
    count: impl Fn(&str) -> usize,
) -> Vec<usize> {
    let last = messages.len().saturating_sub(1);
    let mut freed = 0;
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        if freed >= over {
            break;
        }
        if i == last || m.role == MessageRole::System {
            continue;
        }
        // A few tokens of framing each (role markers), as assembly counts.
        freed += count(&m.content) + 4;
        out.push(i);
    }
    out
}

/// `messages` without the ones at `drop` (sorted indexes).
pub fn without(messages: &[PromptMessage], drop: &[usize]) -> Vec<PromptMessage> {
    messages
        .iter()
        .enumerate()
        .filter(|(i, _)| drop.binary_search(i).is_err())
        .map(|(_, m)| m.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(role: MessageRole, content: &str) -> PromptMessage {
        PromptMessage {
            role,
            content: content.into(),
        }
    }

    #[test]
    fn the_oldest_history_goes_first_and_system_and_last_messages_stay() {
        let said = [
            msg(MessageRole::System, "You are Mira."),
            msg(MessageRole::User, "aaaa"),
            msg(MessageRole::Assistant, "bbbb"),
            msg(MessageRole::User, "cccc"),
            msg(MessageRole::System, "Stay in character."),
            msg(MessageRole::User, "last"),
        ];
        let chars = |t: &str| t.len();
        assert_eq!(oldest_to_drop(&said, 1, chars), vec![1]);
        assert_eq!(oldest_to_drop(&said, 9, chars), vec![1, 2]);
        assert_eq!(oldest_to_drop(&said, 1000, chars), vec![1, 2, 3]);
        assert_eq!(oldest_to_drop(&said[5..], 10, chars), Vec::<usize>::new());
        let kept = without(&said, &[1, 2]);
        assert_eq!(kept.len(), 4);
        assert_eq!(kept[1].content, "cccc");
    }
}
