//! Recently used session records, kept in memory in front of the SQL session store: every
//! page reads its session, and a read from memory spares the database a round trip.
//!
//! A record is trusted for the cache's TTL after it was read or written here. Saving and
//! deleting go to the database and to this cache together (tower-sessions'
//! `CachingSessionStore`), so this process never serves a session it ended; another server
//! process sharing the database may serve a session ended elsewhere for at most the TTL.

use crate::ttl_cache::TtlCache;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Result, SessionStore};

/// The in-memory half of the session store (see the module documentation).
#[derive(Clone)]
pub struct SessionCache(Arc<TtlCache<Id, Record>>);

impl SessionCache {
    /// A cache trusting records for `ttl` (zero: off) and holding at most `capacity`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self(Arc::new(TtlCache::new(ttl, capacity)))
    }
}

impl std::fmt::Debug for SessionCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionCache")
    }
}

#[async_trait]
impl SessionStore for SessionCache {
    /// The database store chose the id (it resolves collisions); remember the record.
    async fn create(&self, record: &mut Record) -> Result<()> {
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> Result<()> {
        self.0.put(record.id, record.clone());
        Ok(())
    }

    /// The cached record, unless it has expired as a session.
    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc();
        Ok(self.0.get(id).filter(|record| record.expiry_date > now))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.0.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i128, expires_in: time::Duration) -> Record {
        Record {
            id: Id(id),
            data: Default::default(),
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
    async fn the_newest_record_is_kept_when_the_cache_is_full() {
        let cache = SessionCache::new(Duration::from_secs(60), 3);
        for id in 0..10 {
            cache
                .save(&record(id, time::Duration::hours(1)))
                .await
                .unwrap();
        }
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
