//! Argon2's working memory (19 MiB a hash), kept for a moment between sign-ins.
//!
//! Memory freshly taken from the operating system is mapped in page by page on first touch,
//! and on this machine that cost about as much as a third of the hash itself (BENCHMARKS.md,
//! budget 3). Memory a previous hash used a moment ago is already mapped. Spares are dropped
//! once sign-ins pause, so an idle server holds none; at most one spare exists per hash that
//! may run at once, because a hash holds its memory until it is done.

use argon2::Block;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Memory blocks kept between hashes, each with when it was last given back.
pub struct HashMemory {
    spares: Mutex<Vec<(Vec<Block>, Instant)>>,
    keep: Duration,
}

impl HashMemory {
    /// A pool that keeps a spare for `keep` after its last use.
    pub fn new(keep: Duration) -> Self {
        Self {
            spares: Mutex::new(Vec::new()),
            keep,
        }
    }

    /// How long a spare is kept after its last use.
    pub fn keep(&self) -> Duration {
        self.keep
    }

    /// Memory for at least `blocks` blocks: a spare when one is big enough, else new.
    pub fn take(&self, blocks: usize) -> Vec<Block> {
        let spare = self.spares.lock().ok().and_then(|mut spares| {
            let at = spares
                .iter()
                .position(|(memory, _)| memory.len() >= blocks)?;
            Some(spares.swap_remove(at).0)
        });
        spare.unwrap_or_else(|| vec![Block::default(); blocks])
    }

    /// Keeps `memory` for the next hash.
    pub fn give_back(&self, memory: Vec<Block>) {
        if let Ok(mut spares) = self.spares.lock() {
            spares.push((memory, Instant::now()));
        }
    }

    /// Drops the spares unused for longer than the keep time; how many are left.
    pub fn drop_idle(&self) -> usize {
        let Ok(mut spares) = self.spares.lock() else {
            return 0;
        };
        spares.retain(|(_, returned)| returned.elapsed() < self.keep);
        spares.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_given_back_is_handed_out_again() {
        let pool = HashMemory::new(Duration::from_secs(60));
        let memory = pool.take(64);
        let address = memory.as_ptr();
        pool.give_back(memory);
        let again = pool.take(32);
        assert_eq!(again.as_ptr(), address);
        assert_eq!(again.len(), 64);
    }

    #[test]
    fn a_spare_too_small_is_not_used() {
        let pool = HashMemory::new(Duration::from_secs(60));
        pool.give_back(pool.take(8));
        assert_eq!(pool.take(64).len(), 64);
        assert_eq!(pool.drop_idle(), 1);
    }

    #[test]
    fn spares_are_dropped_once_unused_for_the_keep_time() {
        let pool = HashMemory::new(Duration::ZERO);
        pool.give_back(pool.take(8));
        assert_eq!(pool.drop_idle(), 0);
    }
}
