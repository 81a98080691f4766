//! Deltas paced by the window: after a delta, the next one waits until the
//! window says it has drawn it (`chat_delta_shown`) and carries everything
//! that arrived meanwhile.
//!
//! A window drawing a frame is busy, and a delta sent then waits behind the
//! frame: measured in `docs/BENCHMARKS.md`, pacing keeps the p99 delta
//! latency under 5 ms where a fixed 16 ms clock drifting against the
//! window's 60 Hz did not. The first delta goes at once (nothing is being
//! drawn for it yet). A window that does not answer (hidden, or a test's
//! recorder) still gets a delta every [`SHOWN_WAIT`] (checked four times as
//! often, so 100-125 ms), and the reply's end waits at most that long for
//! the delta before it. The window's half is `ui/views/chat/pacing.js`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::events::Delta;

/// How long a delta waits for the window to say it drew the one before
/// before it is sent anyway.
pub const SHOWN_WAIT: Duration = Duration::from_millis(100);
/// Text that arrives in a burst is gathered into one delta for at most this
/// long once the window is free for it.
pub const GATHER: Duration = Duration::from_millis(2);
/// The most a delta's text takes once written as JSON. A window's channel
/// runs a message under 8 KiB of JSON at once; a bigger one costs the window
/// a second round trip to fetch it, which measured 10-30 ms a delta while
/// the window was busy (`docs/BENCHMARKS.md`). So text that gathered past
/// this goes as several deltas in a row, each under it with room for the
/// envelope.
pub const MAX_DELTA_JSON: usize = 7_000;

/// What the window has said it drew of a reply.
#[derive(Default)]
pub struct Shown {
    /// The highest number answered, plus one (0: nothing yet).
    answered: AtomicU64,
    pub wake: Notify,
}

impl Shown {
    /// The window has drawn delta `seq`.
    pub fn drew(&self, seq: u64) {
        self.answered
            .fetch_max(seq.saturating_add(1), Ordering::AcqRel);
        self.wake.notify_one();
    }

    pub fn has_drawn(&self, seq: u64) -> bool {
        self.answered.load(Ordering::Acquire) > seq
    }
}

/// Text on its way to the window, one delta at a time.
#[derive(Default)]
pub struct Deltas {
    /// Arrived, not yet sent.
    pending: String,
    /// When the oldest of `pending` arrived.
    since: Option<Instant>,
    /// When the delta the window has not yet said it drew was sent.
    in_flight: Option<Instant>,
    /// The number of the last delta sent (0: none).
    sent: u64,
}

impl Deltas {
    pub fn push(&mut self, text: &str) {
        self.since.get_or_insert_with(Instant::now);
        self.pending.push_str(text);
    }

    /// Bytes of text arrived and not yet sent.
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    /// The window answered: the delta in flight is drawn if it said so.
    pub fn answered(&mut self, shown: &Shown) {
        if shown.has_drawn(self.sent) {
            self.in_flight = None;
        }
    }

    /// Text is waiting and the window is free for it (or has not answered
    /// for [`SHOWN_WAIT`]).
    pub fn may_send(&self) -> bool {
        !self.pending.is_empty() && self.in_flight.is_none_or(|t| t.elapsed() >= SHOWN_WAIT)
    }

    /// As [`Self::may_send`], and the oldest text has waited [`GATHER`].
    pub fn overdue(&self) -> bool {
        self.may_send() && self.since.is_some_and(|t| t.elapsed() >= GATHER)
    }

    /// Until the window says it drew the delta in flight, at most until
    /// [`SHOWN_WAIT`] after it was sent.
    pub async fn wait_for_window(&mut self, shown: &Shown) {
        if self.pending.is_empty() {
            return;
        }
        while let Some(sent_at) = self.in_flight {
            if shown.has_drawn(self.sent) {
                self.in_flight = None;
                break;
            }
            let left = SHOWN_WAIT.saturating_sub(sent_at.elapsed());
            if left.is_zero()
                || tokio::time::timeout(left, shown.wake.notified())
                    .await
                    .is_err()
            {
                break;
            }
        }
    }

    /// Everything waiting, as deltas in a row each under
    /// [`MAX_DELTA_JSON`]; none when nothing waits. The window answers for
    /// the last.
    pub fn take(&mut self) -> Vec<Delta> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let now = Instant::now();
        #[cfg_attr(not(feature = "bench-timing"), allow(unused_variables))]
        let queued = self.since.take().map_or(Duration::ZERO, |t| now - t);
        self.in_flight = Some(now);
        let text = std::mem::take(&mut self.pending);
        split_for_json(&text, MAX_DELTA_JSON)
            .into_iter()
            .map(|piece| {
                self.sent += 1;
                Delta {
                    text: piece.to_string(),
                    seq: self.sent,
                    #[cfg(feature = "bench-timing")]
                    emitted_at_ms: std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
                    #[cfg(feature = "bench-timing")]
                    queued_ms: queued.as_secs_f64() * 1000.0,
                }
            })
            .collect()
    }
}

/// How many bytes `c` takes inside a JSON string (serde_json's escapes).
fn json_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
        c if (c as u32) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

/// `text` cut at character boundaries into pieces that each take at most
/// `max` bytes written as a JSON string.
fn split_for_json(text: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (i, c) in text.char_indices() {
        let n = json_len(c);
        if size + n > max && i > start {
            pieces.push(&text[start..i]);
            (start, size) = (i, 0);
        }
        size += n;
    }
    pieces.push(&text[start..]);
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_delta_goes_at_once_and_the_next_waits_for_the_window() {
        let shown = Shown::default();
        let mut d = Deltas::default();
        d.push("Hel");
        assert!(
            d.may_send(),
            "nothing is being drawn: the first text goes at once"
        );
        assert_eq!(d.take()[0].seq, 1);
        d.push("lo");
        assert!(!d.may_send(), "delta 1 is not drawn yet");
        shown.drew(0);
        d.answered(&shown);
        assert!(
            !d.may_send(),
            "an answer for an older delta changes nothing"
        );
        shown.drew(1);
        d.answered(&shown);
        assert!(d.may_send());
        let next = d.take();
        assert_eq!((next[0].text.as_str(), next[0].seq), ("lo", 2));
        assert!(d.take().is_empty());
    }

    #[test]
    fn a_big_delta_goes_as_pieces_under_the_direct_size_and_adds_up() {
        let shown = Shown::default();
        let mut d = Deltas::default();
        let text = "a\"b\\c\nd\u{1}é漢 ".repeat(3_000);
        d.push(&text);
        let pieces = d.take();
        assert!(pieces.len() > 1);
        for p in &pieces {
            let json = serde_json::to_string(&p.text).unwrap();
            assert!(json.len() <= MAX_DELTA_JSON + 2, "{} bytes", json.len());
        }
        let joined: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, text);
        let seqs: Vec<u64> = pieces.iter().map(|p| p.seq).collect();
        assert_eq!(seqs, (1..=pieces.len() as u64).collect::<Vec<_>>());
        // The next waits for the window to draw the last piece.
        d.push("more");
        shown.drew(pieces.len() as u64 - 1);
        d.answered(&shown);
        assert!(!d.may_send());
        shown.drew(pieces.len() as u64);
        d.answered(&shown);
        assert!(d.may_send());
    }
}
