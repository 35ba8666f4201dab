//! A small in-memory cache whose entries are trusted for a fixed time: EC2 answers shown on
//! pages (`ec2::gateway`) and session records (`auth::session_cache`) use it so that readers
//! within a few seconds of each other do not each ask EC2 or the database.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Values by key, each fresh for `ttl` after it was put; at most `capacity` of them.
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// An empty cache; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The fresh value for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        self.entries()
            .get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Keeps `value` for `key`. When full, stale entries go first, then everything (values
    /// are cheap to fetch again).
    pub fn put(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (at, _)| at.elapsed() < self.ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &K) {
        self.entries().remove(key);
    }

    fn entries(&self) -> MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // A panic elsewhere cannot leave a map half-written: keep using it.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_kept_for_its_time_and_then_forgotten() {
        let cache = TtlCache::new(Duration::from_millis(30), 10);
        cache.put("ami-1", "available");
        assert_eq!(cache.get(&"ami-1"), Some("available"));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get(&"ami-1"), None);
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        let cache = TtlCache::new(Duration::from_secs(60), 3);
        for id in 0..10 {
            cache.put(id, id);
        }
        assert!(cache.len() <= 3);
        assert_eq!(cache.get(&9), Some(9));
    }

    #[test]
    fn a_removed_value_is_gone_and_a_zero_ttl_keeps_nothing() {
        let cache = TtlCache::new(Duration::from_secs(60), 3);
        cache.put(1, "a");
        cache.remove(&1);
        assert_eq!(cache.get(&1), None);
        let off = TtlCache::new(Duration::ZERO, 3);
        off.put(1, "a");
        assert_eq!(off.len(), 0);
    }
}
