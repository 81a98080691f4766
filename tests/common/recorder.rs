//! A window's reply channel as a test sees it: every event the services
//! send for one reply, in order, and a wait for its one terminal event.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use parley::services::generation::{ReplyEvent, ReplySink};

#[derive(Default)]
pub struct Recorder(Mutex<Vec<ReplyEvent>>);

/// What a reply's start hands the services: a sink feeding a recorder.
struct Tap(Arc<Recorder>);

impl ReplySink for Tap {
    fn send(&self, event: &ReplyEvent) -> bool {
        self.0 .0.lock().unwrap().push(event.clone());
        true
    }
}

impl Recorder {
    pub fn sink(self: &Arc<Self>) -> Box<dyn ReplySink> {
        Box::new(Tap(self.clone()))
    }

    pub fn events(&self) -> Vec<ReplyEvent> {
        self.0.lock().unwrap().clone()
    }

    /// The text of every delta, in order.
    pub fn text(&self) -> String {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                ReplyEvent::Delta(d) => Some(d.text),
                _ => None,
            })
            .collect()
    }

    pub fn terminals(&self) -> Vec<ReplyEvent> {
        self.events()
            .into_iter()
            .filter(|e| {
                matches!(
                    e,
                    ReplyEvent::Done { .. }
                        | ReplyEvent::Error { .. }
                        | ReplyEvent::Cancelled { .. }
                )
            })
            .collect()
    }

    /// The first terminal event, after giving a second one the chance to
    /// show up.
    pub async fn wait_end(&self) -> ReplyEvent {
        for _ in 0..3000 {
            if let Some(e) = self.terminals().into_iter().next() {
                tokio::time::sleep(Duration::from_millis(30)).await;
                return e;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the reply never ended");
    }
}
