//! One computation of an answer at a time per key: when identical requests miss the read
//! cache together (the first reads after a write, a dashboard of many panels opened at once),
//! the first computes the answer and the others wait for it and are served what it kept,
//! instead of each computing the same answer.
//!
//! A follower waits until the leader's [`Lead`] is dropped: when its answer was kept, when it
//! failed, and when its request was cancelled. Whatever the follower then finds in the cache
//! at its own version is an answer it may be served; if there is none, it computes its own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// The computations under way: by key, the number of its lead and what its followers wait on.
type Running = Arc<Mutex<HashMap<String, (u64, watch::Receiver<()>)>>>;

/// The computations under way, by key.
#[derive(Default)]
pub struct Flights {
    running: Running,
    /// Numbers the leads, so a lead removes its own entry only.
    next: AtomicU64,
}

/// What a request does on a miss.
pub enum Flight {
    /// Compute the answer; hold this until it is kept (or given up).
    Lead(Lead),
    /// Another request is computing it: wait with [`Follow::landed`].
    Follow(Follow),
}

/// The computation of one key; dropping it wakes the followers.
pub struct Lead {
    running: Running,
    key: String,
    number: u64,
    _done: watch::Sender<()>,
}

/// A wait for another request's computation.
pub struct Follow(watch::Receiver<()>);

impl Follow {
    /// Returns when the leader is done (its answer kept, failed or cancelled).
    pub async fn landed(mut self) {
        // The sender is never used to send: `changed` returns when it is dropped.
        while self.0.changed().await.is_ok() {}
    }
}

impl Flights {
    /// Leads the computation of `key`, or follows the one under way.
    pub fn join(&self, key: &str) -> Flight {
        let Ok(mut running) = self.running.lock() else {
            // A panic while the map was held: no coordination, every request computes.
            return Flight::Lead(self.lead_without_entry(key));
        };
        if let Some((_, done)) = running.get(key) {
            return Flight::Follow(Follow(done.clone()));
        }
        let number = self.number();
        let (sender, receiver) = watch::channel(());
        running.insert(key.to_owned(), (number, receiver));
        Flight::Lead(Lead {
            running: self.running.clone(),
            key: key.to_owned(),
            number,
            _done: sender,
        })
    }

    fn number(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    fn lead_without_entry(&self, key: &str) -> Lead {
        Lead {
            running: self.running.clone(),
            key: key.to_owned(),
            number: 0,
            _done: watch::channel(()).0,
        }
    }

    /// How many computations are under way.
    pub fn len(&self) -> usize {
        self.running.lock().map(|r| r.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Drop for Lead {
    fn drop(&mut self) {
        if let Ok(mut running) = self.running.lock()
            && running
                .get(&self.key)
                .is_some_and(|(n, _)| *n == self.number)
        {
            running.remove(&self.key);
        }
        // `_done` drops after this: the followers wake when the entry is gone, so a request
        // arriving now leads (and finds the kept answer first) rather than following a
        // computation that has ended.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_leads_the_others_follow_until_it_is_dropped() {
        let flights = Flights::default();
        let Flight::Lead(lead) = flights.join("k") else {
            panic!("the first request leads");
        };
        let Flight::Follow(follow) = flights.join("k") else {
            panic!("the second follows");
        };
        assert!(
            matches!(flights.join("other"), Flight::Lead(_)),
            "keys are apart"
        );
        let waiting = tokio::spawn(follow.landed());
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the follower waits for the leader");
        drop(lead);
        waiting.await.expect("the follower wakes");
        assert!(flights.is_empty(), "nothing is left under way");
        assert!(
            matches!(flights.join("k"), Flight::Lead(_)),
            "the next request leads"
        );
    }

    #[tokio::test]
    async fn a_cancelled_leader_wakes_its_followers() {
        let flights = Arc::new(Flights::default());
        let Flight::Follow(follow) = ({
            let Flight::Lead(lead) = flights.join("k") else {
                panic!("leads");
            };
            let task = tokio::spawn(async move {
                let _lead = lead;
                std::future::pending::<()>().await;
            });
            let follow = flights.join("k");
            task.abort();
            follow
        }) else {
            panic!("follows");
        };
        tokio::time::timeout(std::time::Duration::from_secs(5), follow.landed())
            .await
            .expect("woken when the leader's task is dropped");
    }
}
