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

    /// The next delta, with everything waiting; `None` when nothing is.
    pub fn take(&mut self) -> Option<Delta> {
        if self.pending.is_empty() {
            return None;
        }
        let now = Instant::now();
        #[cfg_attr(not(feature = "bench-timing"), allow(unused_variables))]
        let queued = self.since.take().map_or(Duration::ZERO, |t| now - t);
        self.since = None;
        self.in_flight = Some(now);
        self.sent += 1;
        Some(Delta {
            text: std::mem::take(&mut self.pending),
            seq: self.sent,
            #[cfg(feature = "bench-timing")]
            emitted_at_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            #[cfg(feature = "bench-timing")]
            queued_ms: queued.as_secs_f64() * 1000.0,
        })
    }
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
        assert_eq!(d.take().unwrap().seq, 1);
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
        let next = d.take().unwrap();
        assert_eq!((next.text.as_str(), next.seq), ("lo", 2));
        assert!(d.take().is_none());
    }
}
