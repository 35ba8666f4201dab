//! Roles: what a user may do. They are ordered: an approver may do all a requester may,
//! and an admin all an approver may.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A user's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Fills out and submits requests for their teams.
    Requester,
    /// Reviews and approves other people's requests; edits team templates.
    Approver,
    /// Manages users and teams, and may do everything an approver may.
    Admin,
}

impl Role {
    /// Every role, lowest first.
    pub const ALL: [Role; 3] = [Role::Requester, Role::Approver, Role::Admin];

    /// The stable name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Requester => "requester",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    /// Whether a user with this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("Role must be one of requester, approver, admin (got {s:?})."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_may_do_what_an_approver_may_but_not_the_reverse() {
        assert!(Role::Admin.allows(Role::Approver));
        assert!(!Role::Approver.allows(Role::Admin));
        assert!(Role::Requester.allows(Role::Requester));
    }

    #[test]
    fn roles_parse_from_their_names_in_any_case() {
        for role in Role::ALL {
            assert_eq!(role.as_str().to_uppercase().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
    }
}
