//! Signed-in users by id, kept in memory for a few seconds: every page and server function
//! asks who is calling, and reading the user and their teams from the database was a second
//! query on every page (BENCHMARKS.md, budget 1).
//!
//! A change to users or memberships made by this process takes effect at once: the admin
//! service calls [`ActiveUsers::changed`] after its transaction commits, and entries read
//! before that are no longer used. Another process sharing the database (the PostgreSQL
//! scale-out) sees such a change within the cache's time, like sessions
//! (`AMIDESK_SESSION_CACHE_SECS`).

use super::{store, CurrentUser};
use crate::domain::UserId;
use crate::ttl_cache::TtlCache;
use sqlx::SqlitePool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Most users kept in memory.
const MAX_CACHED_USERS: usize = 10_000;

/// Active users read recently, each with the generation it was read in.
pub struct ActiveUsers {
    generation: AtomicU64,
    users: TtlCache<UserId, (u64, CurrentUser)>,
}

impl ActiveUsers {
    /// Keeps users for `ttl` (zero: read the database every time).
    pub fn new(ttl: Duration) -> Self {
        Self {
            generation: AtomicU64::new(0),
            users: TtlCache::new(ttl, MAX_CACHED_USERS),
        }
    }

    /// The active (not disabled) user `id`, from memory when read since the last change.
    pub async fn load(
        &self,
        pool: &SqlitePool,
        id: UserId,
    ) -> Result<Option<CurrentUser>, sqlx::Error> {
        let generation = self.generation.load(Ordering::Acquire);
        if let Some((read_in, user)) = self.users.get(&id) {
            if read_in == generation {
                return Ok(Some(user));
            }
        }
        let user = store::load_active_user(pool, id).await?;
        if let Some(user) = &user {
            self.users.put(id, (generation, user.clone()));
        }
        Ok(user)
    }

    /// Forgets every user read so far; called after a change to users, roles or
    /// memberships has committed. A read that raced with the change is not kept either: it
    /// was stored under the old generation.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    async fn pool_with_user() -> (tempfile::TempDir, SqlitePool, UserId) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = crate::db::connect(&url).await.unwrap();
        let mut conn = pool.acquire().await.unwrap();
        let id = store::insert_user(&mut conn, "rick", "Rick", "x", Role::Requester)
            .await
            .unwrap();
        (dir, pool, id)
    }

    #[tokio::test]
    async fn a_user_is_read_once_and_again_after_a_change() {
        let (_dir, pool, id) = pool_with_user().await;
        let users = ActiveUsers::new(Duration::from_secs(60));
        assert_eq!(
            users.load(&pool, id).await.unwrap().unwrap().role,
            Role::Requester
        );
        let mut conn = pool.acquire().await.unwrap();
        store::update_role(&mut conn, id, Role::Approver)
            .await
            .unwrap();
        let cached = users.load(&pool, id).await.unwrap().unwrap();
        assert_eq!(
            cached.role,
            Role::Requester,
            "served from memory until told"
        );
        users.changed();
        assert_eq!(
            users.load(&pool, id).await.unwrap().unwrap().role,
            Role::Approver
        );
    }

    #[tokio::test]
    async fn a_disabled_user_is_gone_once_the_change_is_known() {
        let (_dir, pool, id) = pool_with_user().await;
        let users = ActiveUsers::new(Duration::from_secs(60));
        assert!(users.load(&pool, id).await.unwrap().is_some());
        let mut conn = pool.acquire().await.unwrap();
        store::update_disabled(&mut conn, id, true).await.unwrap();
        users.changed();
        assert!(users.load(&pool, id).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_zero_time_reads_the_database_every_time() {
        let (_dir, pool, id) = pool_with_user().await;
        let users = ActiveUsers::new(Duration::ZERO);
        assert!(users.load(&pool, id).await.unwrap().is_some());
        let mut conn = pool.acquire().await.unwrap();
        store::update_role(&mut conn, id, Role::Admin)
            .await
            .unwrap();
        assert_eq!(
            users.load(&pool, id).await.unwrap().unwrap().role,
            Role::Admin
        );
    }
}
