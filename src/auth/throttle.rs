//! Slows down repeated failed sign-ins for one username from one address.
//!
//! Keyed by (username, client address), so an attacker cannot lock a real user out from
//! elsewhere. Each failure adds a growing delay; after `MAX_FAILURES` within the window
//! further attempts are refused until the oldest failure ages out.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Failures allowed within the window before attempts are refused.
pub const MAX_FAILURES: usize = 5;
/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Upper bound on the keys kept, so the table cannot grow without limit.
const MAX_KEYS: usize = 10_000;

/// Failure times by (username, client address).
type FailureTable = HashMap<(String, String), VecDeque<Instant>>;

/// The failure table.
#[derive(Clone, Default)]
pub struct Throttle {
    failures: Arc<Mutex<FailureTable>>,
}

/// What to do with an attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead after waiting this long.
    Proceed(Duration),
    /// Refuse without checking the password.
    Refuse,
}

impl Throttle {
    /// Decides on an attempt for `username` from `client`.
    pub fn check(&self, username: &str, client: &str) -> Verdict {
        let now = Instant::now();
        let Ok(mut table) = self.failures.lock() else {
            return Verdict::Proceed(Duration::ZERO);
        };
        let key = (username.to_string(), client.to_string());
        let count = table.get_mut(&key).map_or(0, |q| {
            prune(q, now);
            q.len()
        });
        if count >= MAX_FAILURES {
            Verdict::Refuse
        } else {
            Verdict::Proceed(Duration::from_millis(
                250 * (1 << count.min(4)) as u64 - 250,
            ))
        }
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: &str, client: &str) {
        let now = Instant::now();
        if let Ok(mut table) = self.failures.lock() {
            if table.len() >= MAX_KEYS {
                table.retain(|_, q| {
                    prune(q, now);
                    !q.is_empty()
                });
            }
            table
                .entry((username.to_string(), client.to_string()))
                .or_default()
                .push_back(now);
        }
    }

    /// Forgets the failures after a successful sign-in.
    pub fn succeed(&self, username: &str, client: &str) {
        if let Ok(mut table) = self.failures.lock() {
            table.remove(&(username.to_string(), client.to_string()));
        }
    }
}

fn prune(queue: &mut VecDeque<Instant>, now: Instant) {
    while queue
        .front()
        .is_some_and(|t| now.duration_since(*t) > WINDOW)
    {
        queue.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_attempt_waits_for_nothing() {
        assert_eq!(
            Throttle::default().check("a", "ip"),
            Verdict::Proceed(Duration::ZERO)
        );
    }

    #[test]
    fn each_failure_makes_the_next_attempt_wait_longer() {
        let t = Throttle::default();
        t.fail("a", "ip");
        let Verdict::Proceed(one) = t.check("a", "ip") else {
            panic!()
        };
        t.fail("a", "ip");
        let Verdict::Proceed(two) = t.check("a", "ip") else {
            panic!()
        };
        assert!(two > one && one > Duration::ZERO);
    }

    #[test]
    fn too_many_failures_are_refused_but_only_for_that_address() {
        let t = Throttle::default();
        for _ in 0..MAX_FAILURES {
            t.fail("a", "attacker");
        }
        assert_eq!(t.check("a", "attacker"), Verdict::Refuse);
        assert_eq!(t.check("a", "office"), Verdict::Proceed(Duration::ZERO));
    }

    #[test]
    fn a_success_clears_the_failures() {
        let t = Throttle::default();
        t.fail("a", "ip");
        t.succeed("a", "ip");
        assert_eq!(t.check("a", "ip"), Verdict::Proceed(Duration::ZERO));
    }
}
