//! Administration: users, roles and teams.

use crate::domain::{Role, TeamId, UserId};
use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
#[cfg(feature = "ssr")]
pub mod service;
pub mod views;

/// A user as listed on the admin page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    /// The user's id.
    pub id: UserId,
    /// Sign-in name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Team names, comma-separated.
    pub teams: String,
}

/// A team as listed on the admin page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSummary {
    /// The team's id.
    pub id: TeamId,
    /// Its name.
    pub name: String,
    /// Distinct approvals a request of this team needs.
    pub required_approvals: i64,
    /// Member usernames, comma-separated.
    pub members: String,
}

/// Everything the admin page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminData {
    /// Every user.
    pub users: Vec<UserSummary>,
    /// Every team.
    pub teams: Vec<TeamSummary>,
}
