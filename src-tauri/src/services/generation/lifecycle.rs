//! The states of one reply and their transitions: a pure type, no I/O.
//!
//! A reply is `Pending` (asked for, nothing arrived), `Streaming` (text is
//! arriving), `Stopping` (the person asked it to stop) or `Finished` with
//! one [`End`]. The streaming task feeds it what happens and carries out
//! the [`Effect`] it answers; whatever the order of events, a reply
//! finishes exactly once.
//!
//! How an end is stored: the message's `status` stays the coarse column
//! (`completed` / `cancelled` / `failed`) and the precise end is kept beside
//! it in the metadata as `endReason` (one of [`End::reason`]), so it
//! travels with the reply's swipe and needs no rewrite of the messages
//! table. `docs/CHAT.md` shows the words the window uses for each.

use crate::models::MessageStatus;

/// Where a reply is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Pending,
    Streaming,
    Stopping,
    Finished(End),
}

/// How a reply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The model finished.
    Completed,
    /// The person stopped it.
    Stopped,
    /// The provider or the connection failed, with the reason in words.
    Failed(String),
    /// Parley closed while it was being written.
    Interrupted,
    /// The stream ended without the model saying it had finished.
    CutShort,
    /// The model stopped at the output length limit.
    Length,
    /// The reply reached Parley's message length limit and was ended there.
    TooLong,
}

/// What an interrupted reply says about itself.
pub const INTERRUPTED: &str = "interrupted: Parley closed while this reply was being written";
/// What a reply cut short says about itself.
pub const CUT_SHORT: &str =
    "cut short: the connection ended before the model finished; the text so far is kept";

impl End {
    /// The `endReason` kept in the message's metadata.
    pub fn reason(&self) -> &'static str {
        match self {
            End::Completed => "completed",
            End::Stopped => "stopped",
            End::Failed(_) => "failed",
            End::Interrupted => "interrupted",
            End::CutShort => "cut_short",
            End::Length => "length",
            End::TooLong => "too_long",
        }
    }

    /// The message status this end is stored with.
    pub fn status(&self) -> MessageStatus {
        match self {
            End::Completed | End::Length | End::TooLong => MessageStatus::Completed,
            End::Stopped => MessageStatus::Cancelled,
            End::Failed(_) | End::Interrupted | End::CutShort => MessageStatus::Failed,
        }
    }

    /// The `error` kept in the metadata, for the ends that are failures.
    pub fn error(&self) -> Option<&str> {
        match self {
            End::Failed(e) => Some(e),
            End::Interrupted => Some(INTERRUPTED),
            End::CutShort => Some(CUT_SHORT),
            _ => None,
        }
    }
}

/// What happened to a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Reply text arrived.
    Text,
    /// The provider gave its reason for finishing (the stream goes on with
    /// usage and its closing marker).
    FinishReason(String),
    /// The provider's closing marker: the reply is complete if the
    /// provider said why it finished, else cut short.
    ProviderDone,
    /// The stream ended without the provider saying it was complete.
    StreamCut,
    /// The reply reached the message length limit: Parley ends it there.
    TooLong,
    /// The provider or the connection failed.
    Failed(String),
    /// The person asked to stop.
    Stop,
    /// Parley is closing.
    Shutdown,
}

/// What the task must do after an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Nothing,
    /// The first text arrived: the stored reply now says it is streaming.
    MarkStreaming,
    /// The reply ended this way: save it and tell the window, once.
    Finish(End),
}

/// One reply's lifecycle.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    phase: Phase,
    finish_reason: Option<String>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            phase: Phase::Pending,
            finish_reason: None,
        }
    }
}

/// Finish reasons meaning "the output length limit was reached"
/// (OpenAI-style and Anthropic).
fn is_length(reason: &str) -> bool {
    matches!(reason, "length" | "max_tokens")
}

impl Lifecycle {
    #[cfg(test)]
    fn phase(&self) -> &Phase {
        &self.phase
    }

    /// The provider's finish reason, if it gave one.
    pub fn finish_reason(&self) -> Option<&str> {
        self.finish_reason.as_deref()
    }

    pub fn handle(&mut self, event: Event) -> Effect {
        use Phase::*;
        let (next, effect) = match (&self.phase, event) {
            (Finished(_), _) => return Effect::Nothing,
            (_, Event::Shutdown) => (Finished(End::Interrupted), None),
            (Pending, Event::Text) => (Streaming, Some(Effect::MarkStreaming)),
            (Stopping, Event::Text) | (Streaming, Event::Text) => return Effect::Nothing,
            (_, Event::FinishReason(r)) => {
                self.finish_reason = Some(r);
                return Effect::Nothing;
            }
            (Pending | Streaming, Event::Stop) => (Stopping, Some(Effect::Nothing)),
            (
                Stopping,
                Event::Stop
                | Event::ProviderDone
                | Event::StreamCut
                | Event::Failed(_)
                | Event::TooLong,
            ) => (Finished(End::Stopped), None),
            // A closing marker without a reason is not a finish: a
            // llama.cpp server sends a bare `[DONE]` when another request
            // cuts this one off.
            (Pending | Streaming, Event::ProviderDone) => match self.finish_reason.as_deref() {
                None => (Finished(End::CutShort), None),
                Some(r) if is_length(r) => (Finished(End::Length), None),
                Some(_) => (Finished(End::Completed), None),
            },
            (Pending | Streaming, Event::StreamCut) => (Finished(End::CutShort), None),
            (Pending | Streaming, Event::TooLong) => (Finished(End::TooLong), None),
            (Pending | Streaming, Event::Failed(e)) => (Finished(End::Failed(e)), None),
        };
        let effect = match (&next, effect) {
            (_, Some(e)) => e,
            (Finished(end), None) => Effect::Finish(end.clone()),
            (_, None) => Effect::Nothing,
        };
        self.phase = next;
        effect
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn run(events: &[Event]) -> (Lifecycle, Vec<Effect>) {
        let mut l = Lifecycle::default();
        let effects = events.iter().map(|e| l.handle(e.clone())).collect();
        (l, effects)
    }

    fn fin(end: End) -> Effect {
        Effect::Finish(end)
    }

    #[rstest]
    #[case::completes(vec![Event::Text, Event::FinishReason("stop".into()), Event::ProviderDone],
        Phase::Finished(End::Completed), vec![Effect::MarkStreaming, Effect::Nothing, fin(End::Completed)])]
    #[case::empty_but_complete(vec![Event::FinishReason("stop".into()), Event::ProviderDone],
        Phase::Finished(End::Completed), vec![Effect::Nothing, fin(End::Completed)])]
    #[case::done_without_a_reason_is_cut_short(vec![Event::Text, Event::ProviderDone],
        Phase::Finished(End::CutShort), vec![Effect::MarkStreaming, fin(End::CutShort)])]
    #[case::length_openai(vec![Event::Text, Event::FinishReason("length".into()), Event::ProviderDone],
        Phase::Finished(End::Length), vec![Effect::MarkStreaming, Effect::Nothing, fin(End::Length)])]
    #[case::length_anthropic(vec![Event::Text, Event::FinishReason("max_tokens".into()), Event::ProviderDone],
        Phase::Finished(End::Length), vec![Effect::MarkStreaming, Effect::Nothing, fin(End::Length)])]
    #[case::stopped_while_streaming(vec![Event::Text, Event::Stop, Event::StreamCut],
        Phase::Finished(End::Stopped), vec![Effect::MarkStreaming, Effect::Nothing, fin(End::Stopped)])]
    #[case::stopped_before_any_text(vec![Event::Stop, Event::Stop],
        Phase::Finished(End::Stopped), vec![Effect::Nothing, fin(End::Stopped)])]
    #[case::a_failure_after_stop_is_a_stop(vec![Event::Text, Event::Stop, Event::Failed("503".into())],
        Phase::Finished(End::Stopped), vec![Effect::MarkStreaming, Effect::Nothing, fin(End::Stopped)])]
    #[case::fails_with_its_reason(vec![Event::Text, Event::Failed("timed out".into())],
        Phase::Finished(End::Failed("timed out".into())), vec![Effect::MarkStreaming, fin(End::Failed("timed out".into()))])]
    #[case::fails_before_text(vec![Event::Failed("401".into())],
        Phase::Finished(End::Failed("401".into())), vec![fin(End::Failed("401".into()))])]
    #[case::cut_short(vec![Event::Text, Event::StreamCut],
        Phase::Finished(End::CutShort), vec![Effect::MarkStreaming, fin(End::CutShort)])]
    #[case::too_long(vec![Event::Text, Event::TooLong],
        Phase::Finished(End::TooLong), vec![Effect::MarkStreaming, fin(End::TooLong)])]
    #[case::interrupted(vec![Event::Text, Event::Shutdown],
        Phase::Finished(End::Interrupted), vec![Effect::MarkStreaming, fin(End::Interrupted)])]
    #[case::interrupted_while_stopping(vec![Event::Stop, Event::Shutdown],
        Phase::Finished(End::Interrupted), vec![Effect::Nothing, fin(End::Interrupted)])]
    #[case::finishes_once(vec![Event::FinishReason("stop".into()), Event::ProviderDone, Event::Failed("late".into()), Event::Stop, Event::Shutdown, Event::Text],
        Phase::Finished(End::Completed), vec![Effect::Nothing, fin(End::Completed), Effect::Nothing, Effect::Nothing, Effect::Nothing, Effect::Nothing])]
    #[case::text_after_stop_changes_nothing(vec![Event::Stop, Event::Text],
        Phase::Stopping, vec![Effect::Nothing, Effect::Nothing])]
    #[case::only_the_first_text_marks_streaming(vec![Event::Text, Event::Text, Event::Text],
        Phase::Streaming, vec![Effect::MarkStreaming, Effect::Nothing, Effect::Nothing])]
    fn transitions(#[case] events: Vec<Event>, #[case] phase: Phase, #[case] effects: Vec<Effect>) {
        let (l, got) = run(&events);
        assert_eq!(l.phase(), &phase);
        assert_eq!(got, effects);
    }

    #[rstest]
    #[case::completed(End::Completed, MessageStatus::Completed, "completed", None)]
    #[case::length(End::Length, MessageStatus::Completed, "length", None)]
    #[case::too_long(End::TooLong, MessageStatus::Completed, "too_long", None)]
    #[case::stopped(End::Stopped, MessageStatus::Cancelled, "stopped", None)]
    #[case::failed(End::Failed("boom".into()), MessageStatus::Failed, "failed", Some("boom"))]
    #[case::interrupted(
        End::Interrupted,
        MessageStatus::Failed,
        "interrupted",
        Some(INTERRUPTED)
    )]
    #[case::cut_short(End::CutShort, MessageStatus::Failed, "cut_short", Some(CUT_SHORT))]
    fn how_each_end_is_stored(
        #[case] end: End,
        #[case] status: MessageStatus,
        #[case] reason: &str,
        #[case] error: Option<&str>,
    ) {
        assert_eq!(end.status(), status);
        assert_eq!(end.reason(), reason);
        assert_eq!(end.error(), error);
    }
}
