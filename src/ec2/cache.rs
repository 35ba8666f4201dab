//! A short-lived cache of EC2 answers, so that pages showing EC2 data (image state, the
//! preflight's snapshots) do not ask EC2 again for every reader within a few seconds.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most entries kept; the cache empties itself beyond that (answers are cheap to refetch).
const MAX_ENTRIES: usize = 4_096;

/// Answers by key, each fresh for `ttl`.
pub struct TtlCache<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// An empty cache whose answers stay fresh for `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The fresh answer for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` as the answer for `key`.
    pub fn put(&self, key: K, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (Instant::now(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_for_its_time_and_then_forgotten() {
        let cache = TtlCache::new(Duration::from_millis(30));
        cache.put("ami-1", "available");
        assert_eq!(cache.get(&"ami-1"), Some("available"));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get(&"ami-1"), None);
    }
}
