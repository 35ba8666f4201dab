//! Sign-in, sessions, users, teams and roles, and the one guard every door calls.

use crate::domain::{Role, TeamId, UserId};
use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
pub mod views;

#[cfg(feature = "ssr")]
pub mod active_users;
#[cfg(feature = "ssr")]
pub mod bootstrap;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod hash_memory;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod session_cache;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;

/// A team as shown next to a user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    /// The team's id.
    pub id: TeamId,
    /// The team's name.
    pub name: String,
}

/// The signed-in user, as every page and server function sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The user's id.
    pub id: UserId,
    /// The sign-in name.
    pub username: String,
    /// The name shown in the dashboard.
    pub display_name: String,
    /// What the user may do.
    pub role: Role,
    /// The teams the user belongs to.
    pub teams: Vec<TeamRef>,
    /// The name of the personal access token the user is acting through (API calls only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_token: Option<String>,
}

impl CurrentUser {
    /// Whether the user belongs to `team`.
    pub fn in_team(&self, team: TeamId) -> bool {
        self.teams.iter().any(|t| t.id == team)
    }

    /// Whether the user may see and use what `team` owns: members, and admins everywhere.
    pub fn sees_team(&self, team: TeamId) -> bool {
        self.role == Role::Admin || self.in_team(team)
    }

    /// The user's teams as one line of text.
    pub fn team_names(&self) -> String {
        self.teams
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Limits shared by every sign-in: the password-hashing pool and failure throttling.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct AuthRuntime {
    /// Bounds how many Argon2 hashes run at once.
    pub hashers: std::sync::Arc<tokio::sync::Semaphore>,
    /// Recent failed sign-ins.
    pub throttle: throttle::Throttle,
    /// Signed-in users read recently.
    pub users: std::sync::Arc<active_users::ActiveUsers>,
    /// Argon2 working memory kept between sign-ins.
    pub memory: std::sync::Arc<hash_memory::HashMemory>,
}

#[cfg(feature = "ssr")]
impl AuthRuntime {
    /// A runtime allowing `max_hashes` concurrent hashes, keeping users read for
    /// `user_ttl`.
    pub fn new(max_hashes: usize, user_ttl: std::time::Duration) -> Self {
        Self {
            hashers: std::sync::Arc::new(tokio::sync::Semaphore::new(max_hashes.max(1))),
            throttle: throttle::Throttle::default(),
            users: std::sync::Arc::new(active_users::ActiveUsers::new(user_ttl)),
            memory: std::sync::Arc::new(hash_memory::HashMemory::new(
                std::time::Duration::from_secs(2),
            )),
        }
    }
}

impl From<CurrentUser> for crate::audit::Actor {
    fn from(user: CurrentUser) -> Self {
        match &user.via_token {
            Some(token) => {
                crate::audit::Actor::user(user.id, &format!("{} via token {token}", user.username))
            }
            None => crate::audit::Actor::user(user.id, &user.username),
        }
    }
}
