//! `amidesk audit seed --events N`: fills a database with realistic, correctly chained
//! events, for the audit benchmarks.

use super::chain::ChainedEvent;
use rand::{rngs::StdRng, Rng, SeedableRng};
use sqlx::SqlitePool;

const ACTIONS: &[(&str, u32)] = &[
    ("auth.sign_in", 30),
    ("request.save", 25),
    ("request.create", 8),
    ("ec2.register_image_dry_run", 8),
    ("request.submit", 6),
    ("request.approve", 6),
    ("auth.sign_in_failed", 4),
    ("access.refused", 3),
    ("request.registering", 3),
    ("request.registered", 3),
    ("request.reject", 2),
    ("auth.sign_out", 2),
];

/// Appends `count` events after the current head, in transactions of 10,000.
pub async fn seed(pool: &SqlitePool, count: u64) -> Result<u64, sqlx::Error> {
    let mut rng = StdRng::seed_from_u64(42);
    let total: u32 = ACTIONS.iter().map(|(_, w)| w).sum();
    let start = time::OffsetDateTime::now_utc() - time::Duration::days(365);
    let step_ms = (365 * 24 * 3600 * 1000) / count.max(1) as i64;
    let head = super::store::read_head(&mut *pool.acquire().await?).await?;
    let (mut seq, mut prev) = (head.seq, head.hash);
    let mut written = 0u64;
    while written < count {
        let mut tx = crate::db::begin_write(pool).await?;
        for _ in 0..(count - written).min(10_000) {
            seq += 1;
            let mut pick = rng.gen_range(0..total);
            let action = ACTIONS
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map_or("auth.sign_in", |(a, _)| a);
            let user = rng.gen_range(1..=200);
            let team = rng.gen_range(1..=20);
            let request = rng.gen_range(1..=50_000);
            let is_request = action.starts_with("request.") || action.starts_with("ec2.");
            let event = ChainedEvent {
                seq,
                at: crate::db::format_time(
                    start + time::Duration::milliseconds(step_ms * written as i64),
                ),
                actor_id: Some(user),
                actor_name: format!("user{user}"),
                action: action.to_string(),
                subject_type: is_request.then(|| "request".to_string()),
                subject_id: is_request.then(|| request.to_string()),
                team_id: is_request.then_some(team),
                details: format!(r#"{{"revision":{},"seeded":true}}"#, rng.gen_range(1..20)),
                client_addr: Some(format!(
                    "10.{}.{}.{}",
                    rng.gen_range(0..255),
                    rng.gen_range(0..255),
                    rng.gen_range(1..255)
                )),
                correlation_id: Some(format!("{:016x}", rng.gen::<u64>())),
                prev_hash: prev.clone(),
            };
            let hash = super::store::insert_chained(&mut tx, &event).await?;
            prev = hash;
            written += 1;
        }
        tx.commit().await?;
    }
    Ok(written)
}
