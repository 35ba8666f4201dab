//! Recently used session records, kept in memory in front of the SQL session store: every
//! page reads its session, and a read from memory spares the database a round trip.
//!
//! A record is trusted for [`SessionCache::ttl`] after it was read or written here. Saving
//! and deleting go to the database and to this cache together (tower-sessions'
//! `CachingSessionStore`), so this process never serves a session it ended; another server
//! process sharing the database may serve a session ended elsewhere for at most the TTL.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

/// The in-memory half of the session store (see the module documentation).
#[derive(Clone, Debug)]
pub struct SessionCache {
    records: Arc<Mutex<HashMap<Id, (Record, Instant)>>>,
    ttl: Duration,
    capacity: usize,
}

impl SessionCache {
    /// A cache trusting records for `ttl` and holding at most `capacity` of them.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            records: Arc::default(),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// How long a cached record is trusted.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<Id, (Record, Instant)>) -> T) -> T {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut records)
    }
}

#[async_trait]
impl SessionStore for SessionCache {
    /// The database store chose the id (it resolves collisions); remember the record.
    async fn create(&self, record: &mut Record) -> Result<()> {
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        if self.ttl.is_zero() {
            return Ok(());
        }
        let (ttl, capacity) = (self.ttl, self.capacity);
        self.with(|records| {
            if records.len() >= capacity && !records.contains_key(&record.id) {
                records.retain(|_, (_, at)| at.elapsed() < ttl);
                if records.len() >= capacity {
                    records.clear();
                }
            }
            records.insert(record.id, (record.clone(), Instant::now()));
        });
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc();
        let ttl = self.ttl;
        Ok(self.with(|records| match records.get(id) {
            Some((record, at)) if at.elapsed() < ttl && record.expiry_date > now => {
                Some(record.clone())
            }
            Some(_) => {
                records.remove(id);
                None
            }
            None => None,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.with(|records| records.remove(id));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i128, expires_in: time::Duration) -> Record {
        Record {
            id: Id(id),
            data: HashMap::new(),
            expiry_date: time::OffsetDateTime::now_utc() + expires_in,
        }
    }

    #[tokio::test]
    async fn a_saved_record_is_served_until_its_ttl_passes() {
        let cache = SessionCache::new(Duration::from_millis(50), 10);
        cache
            .save(&record(1, time::Duration::hours(1)))
            .await
            .unwrap();
        assert!(cache.load(&Id(1)).await.unwrap().is_some());
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert!(cache.load(&Id(1)).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn an_expired_or_deleted_session_is_never_served() {
        let cache = SessionCache::new(Duration::from_secs(60), 10);
        cache
            .save(&record(1, time::Duration::seconds(-1)))
            .await
            .unwrap();
        assert!(cache.load(&Id(1)).await.unwrap().is_none());
        cache
            .save(&record(2, time::Duration::hours(1)))
            .await
            .unwrap();
        cache.delete(&Id(2)).await.unwrap();
        assert!(cache.load(&Id(2)).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn the_cache_never_holds_more_than_its_capacity() {
        let cache = SessionCache::new(Duration::from_secs(60), 3);
        for id in 0..10 {
            cache
                .save(&record(id, time::Duration::hours(1)))
                .await
                .unwrap();
        }
        assert!(cache.with(|records| records.len()) <= 3);
        assert!(cache.load(&Id(9)).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_zero_ttl_turns_the_cache_off() {
        let cache = SessionCache::new(Duration::ZERO, 3);
        cache
            .save(&record(1, time::Duration::hours(1)))
            .await
            .unwrap();
        assert!(cache.load(&Id(1)).await.unwrap().is_none());
    }
}
