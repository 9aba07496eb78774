//! Answers kept between writes: a dashboard asks for the same lists and stats again and again,
//! and until something is written their answer for one caller is the same bytes.
//!
//! An answer is kept with the [`DataVersion`] it was computed at, and served again only while
//! the data is still at that version; any committed write moves the version, on this instance
//! or on another one on the same database. An answer is kept only when the version was the
//! same before and after computing it (nothing landed in between) and no write was under way
//! (`store::generations::current`), so a kept answer is exactly what the request would compute
//! now. The cache holds at most its byte budget (the answers served least recently go first)
//! and no answer larger than a quarter of it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hashlink::LinkedHashMap;
use sea_orm::ConnectionTrait;

use crate::app::single_flight::{Flight, Flights};
use crate::error::ApiError;
pub use crate::store::generations::DataVersion;
use crate::store::generations::{self, current};

/// A compressed form of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Gzip = 0,
    Brotli = 1,
}

/// A kept answer.
#[derive(Debug)]
pub struct Kept {
    pub version: DataVersion,
    /// Its strong entity tag.
    pub tag: String,
    pub body: Bytes,
    /// Its compressed forms, made when first asked for (by [`Coding`]).
    encoded: [std::sync::OnceLock<Bytes>; 2],
}

impl Kept {
    /// Its form in `coding`, when made.
    pub fn encoded(&self, coding: Coding) -> Option<&Bytes> {
        self.encoded[coding as usize].get()
    }

    /// The bytes it holds.
    fn size(&self) -> usize {
        self.body.len()
            + self
                .encoded
                .iter()
                .filter_map(|e| e.get())
                .map(Bytes::len)
                .sum::<usize>()
    }
}

/// Answers by key, least recently served first, and the bytes they hold.
#[derive(Default)]
struct Entries {
    map: LinkedHashMap<String, Arc<Kept>>,
    bytes: usize,
}

impl Entries {
    fn remove(&mut self, key: &str) {
        if let Some(gone) = self.map.remove(key) {
            self.bytes = self.bytes.saturating_sub(key.len() + gone.size());
        }
    }

    /// Drops the answers served least recently until `more` bytes fit in `budget`.
    fn make_room(&mut self, more: usize, budget: usize) {
        while self.bytes + more > budget {
            let Some((oldest, gone)) = self.map.pop_front() else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(oldest.len() + gone.size());
        }
    }
}

/// The cache of one instance.
pub struct ReadCache {
    budget: usize,
    entries: Mutex<Entries>,
    gate: VersionGate,
    flights: Flights,
}

/// One reading of the data version shared by every request that arrived before it began:
/// under many connections the requests wait for the reading under way to end and share the
/// next one, instead of each sending its own query.
#[derive(Default)]
struct VersionGate {
    /// How many readings have begun.
    begun: AtomicU64,
    /// The last reading (its number and what it read), held while a reading runs.
    last: tokio::sync::Mutex<Option<(u64, Option<DataVersion>)>>,
}

impl VersionGate {
    /// A version read by a query sent after this call began, so it shows every write
    /// committed before the request did.
    async fn read(&self, db: &impl ConnectionTrait) -> Result<Option<DataVersion>, ApiError> {
        // Readings numbered from `arrival` on begin after this point.
        let arrival = self.begun.load(Ordering::SeqCst);
        let mut last = self.last.lock().await;
        if let Some((number, version)) = *last
            && number >= arrival
        {
            return Ok(version);
        }
        let number = self.begun.fetch_add(1, Ordering::SeqCst);
        *last = None;
        let version = data_version(db).await?;
        *last = Some((number, version));
        Ok(version)
    }
}

/// The data's version now, `None` while a write may be under way (nothing is kept or served
/// then: the request computes its answer).
pub async fn data_version(db: &impl ConnectionTrait) -> Result<Option<DataVersion>, ApiError> {
    Ok(current(db).await?)
}

/// Counts one write of data that the change feed does not carry but the cached answers show
/// (`regions`: their names), in the writer's transaction, so that kept answers are not served
/// after it. (Rule sets and their defaults are read by writes only: a stored evaluation keeps
/// the score it was given.)
pub async fn data_changed(db: &impl ConnectionTrait, name: &str) -> Result<(), ApiError> {
    Ok(generations::bump(db, name).await?)
}

impl ReadCache {
    /// A cache of at most `budget` bytes of answers (0: keeps nothing).
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            entries: Mutex::new(Entries::default()),
            gate: VersionGate::default(),
            flights: Flights::default(),
        }
    }

    /// The data's version, read after this call began (shared with the requests that wait
    /// for the same reading); `None` while a write may be under way.
    pub async fn version(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Option<DataVersion>, ApiError> {
        self.gate.read(db).await
    }

    /// Whether it keeps anything at all.
    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// The largest answer it keeps (with its key): a quarter of the budget (a page of 100
    /// whole evaluations, 1.9 MB, fits the default 8 MiB).
    pub fn largest(&self) -> usize {
        self.budget / 4
    }

    /// The answer kept for `key` at `version` (which then counts as served last).
    pub fn get(&self, key: &str, version: DataVersion) -> Option<Arc<Kept>> {
        let mut entries = self.entries.lock().ok()?;
        let kept = entries.map.to_back(key)?;
        (kept.version == version).then(|| kept.clone())
    }

    /// Keeps `body` for `key`, computed at `before` when the data is still there (`after`,
    /// read once the answer was computed); the answers served least recently make room.
    /// Whether it was kept.
    pub fn put(
        &self,
        key: String,
        before: DataVersion,
        after: Option<DataVersion>,
        tag: String,
        body: Bytes,
    ) -> bool {
        let size = key.len() + body.len();
        if after != Some(before) || !self.enabled() || size > self.largest() {
            return false;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        entries.remove(&key);
        entries.make_room(size, self.budget);
        entries.bytes += size;
        let kept = Kept {
            version: before,
            tag,
            body,
            encoded: Default::default(),
        };
        entries.map.insert(key, Arc::new(kept));
        true
    }

    /// Keeps `bytes` as the `coding` form of the answer `kept` for `key`, while that answer is
    /// still the one kept there (counted in the budget like the answer).
    pub fn put_encoded(&self, key: &str, kept: &Arc<Kept>, coding: Coding, bytes: Bytes) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if !entries.map.get(key).is_some_and(|k| Arc::ptr_eq(k, kept)) {
            return;
        }
        let size = bytes.len();
        if kept.encoded[coding as usize].set(bytes).is_ok() {
            entries.bytes += size;
            entries.make_room(0, self.budget);
        }
    }

    /// On a miss: compute the answer of `key` (hold the [`Lead`] until it is kept), or wait
    /// for the identical request computing it and look again
    /// ([`crate::app::single_flight`]).
    pub fn join(&self, key: &str) -> Flight {
        self.flights.join(key)
    }

    /// The bytes it holds now.
    pub fn bytes(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: DataVersion = DataVersion {
        feed: 1,
        generations: 0,
    };
    const V2: DataVersion = DataVersion {
        feed: 2,
        generations: 0,
    };

    fn body(n: usize) -> Bytes {
        Bytes::from(vec![b'x'; n])
    }

    #[test]
    fn an_answer_is_served_only_at_its_version() {
        let cache = ReadCache::new(16 * 1024);
        cache.put("a".into(), V1, Some(V1), "\"t\"".into(), body(10));
        assert_eq!(cache.get("a", V1).map(|k| k.body.len()), Some(10));
        assert!(cache.get("a", V2).is_none());
        assert!(cache.get("b", V1).is_none());
    }

    #[test]
    fn an_answer_computed_across_a_write_or_during_one_is_not_kept() {
        let cache = ReadCache::new(16 * 1024);
        cache.put("a".into(), V1, Some(V2), "\"t\"".into(), body(10));
        cache.put("b".into(), V1, None, "\"t\"".into(), body(10));
        assert!(cache.get("a", V1).is_none() && cache.get("a", V2).is_none());
        assert!(cache.get("b", V1).is_none());
    }

    #[test]
    fn the_budget_holds_and_the_oldest_go_first() {
        let cache = ReadCache::new(4 * 400);
        for i in 0..40 {
            cache.put(format!("k{i:02}"), V1, Some(V1), "\"t\"".into(), body(96));
            assert!(cache.bytes() <= 1600, "{}", cache.bytes());
        }
        assert!(cache.get("k00", V1).is_none());
        assert!(cache.get("k39", V1).is_some());
        // Served lately, so kept when the next ones make room.
        assert!(cache.get("k30", V1).is_some());
        for i in 40..43 {
            cache.put(format!("k{i:02}"), V1, Some(V1), "\"t\"".into(), body(96));
        }
        assert!(cache.get("k30", V1).is_some());
        assert!(cache.get("k26", V1).is_none());
        assert!(cache.get("k27", V1).is_some());
        // Too large to keep at all.
        cache.put("big".into(), V1, Some(V1), "\"t\"".into(), body(398));
        assert!(cache.get("big", V1).is_none());
    }

    #[test]
    fn replacing_a_key_does_not_count_it_twice() {
        let cache = ReadCache::new(4 * 100);
        for _ in 0..100 {
            cache.put("a".into(), V1, Some(V1), "\"t\"".into(), body(90));
        }
        assert_eq!(cache.bytes(), 91);
        assert_eq!(cache.entries.lock().unwrap().map.len(), 1);
        cache.put("a".into(), V2, Some(V2), "\"u\"".into(), body(90));
        assert_eq!(
            cache.get("a", V2).map(|k| k.tag.clone()).as_deref(),
            Some("\"u\"")
        );
        assert!(cache.get("a", V1).is_none());
    }

    #[test]
    fn compressed_forms_count_in_the_budget_and_go_with_their_answer() {
        let cache = ReadCache::new(4 * 100);
        cache.put("a".into(), V1, Some(V1), "\"t\"".into(), body(90));
        let kept = cache.get("a", V1).unwrap();
        cache.put_encoded("a", &kept, Coding::Gzip, body(10));
        assert_eq!(cache.bytes(), 101);
        assert_eq!(kept.encoded(Coding::Gzip).map(Bytes::len), Some(10));
        assert!(kept.encoded(Coding::Brotli).is_none());
        // A form of an answer no longer kept is not counted.
        cache.put("a".into(), V2, Some(V2), "\"u\"".into(), body(90));
        assert_eq!(cache.bytes(), 91);
        cache.put_encoded("a", &kept, Coding::Brotli, body(10));
        assert_eq!(cache.bytes(), 91);
    }

    #[test]
    fn a_cache_of_no_bytes_keeps_nothing() {
        let cache = ReadCache::new(0);
        assert!(!cache.enabled());
        cache.put("a".into(), V1, Some(V1), "\"t\"".into(), body(0));
        assert!(cache.get("a", V1).is_none());
    }
}
