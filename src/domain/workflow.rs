//! Request states and what may happen in each.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestState {
    /// Being written; editable.
    Draft,
    /// Submitted, waiting for approvals; content frozen.
    Pending,
    /// Has its approvals; about to be registered.
    Approved,
    /// RegisterImage is being called.
    Registering,
    /// The image exists.
    Registered,
    /// Registration failed; may be reopened.
    Failed,
    /// An approver sent it back.
    Rejected,
    /// The author gave up on it.
    Withdrawn,
}

impl RequestState {
    /// Every state.
    pub const ALL: [RequestState; 8] = [
        RequestState::Draft,
        RequestState::Pending,
        RequestState::Approved,
        RequestState::Registering,
        RequestState::Registered,
        RequestState::Failed,
        RequestState::Rejected,
        RequestState::Withdrawn,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Draft => "draft",
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Registering => "registering",
            RequestState::Registered => "registered",
            RequestState::Failed => "failed",
            RequestState::Rejected => "rejected",
            RequestState::Withdrawn => "withdrawn",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| format!("Unknown request state {raw:?}."))
    }

    /// Whether the content may still be edited (and saved as a new revision). Editing a
    /// pending request returns it to draft and voids its approvals.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            RequestState::Draft | RequestState::Rejected | RequestState::Pending
        )
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.as_str()), Ok(s));
        }
    }

    #[test]
    fn drafts_pending_and_rejected_requests_are_editable() {
        let editable: Vec<_> = RequestState::ALL
            .into_iter()
            .filter(|s| s.is_editable())
            .collect();
        assert_eq!(
            editable,
            vec![
                RequestState::Draft,
                RequestState::Pending,
                RequestState::Rejected
            ]
        );
    }
}
