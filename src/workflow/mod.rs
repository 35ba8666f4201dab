//! The way from draft to registered image: submit, approve (four eyes, bound to the exact
//! content), reject, withdraw, reopen, and exactly one RegisterImage call.

use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
#[cfg(feature = "ssr")]
pub mod actions;
#[cfg(feature = "ssr")]
pub mod engine;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod views;

/// One approval or rejection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ApprovalView {
    /// Who decided.
    pub approver: String,
    /// `approve` or `reject`.
    pub decision: String,
    /// Their comment.
    pub comment: String,
    /// The content they saw.
    pub content_hash: String,
    /// Whether a later edit voided it.
    pub voided: bool,
    /// When.
    pub created_at: String,
}

/// What the request page shows about the workflow, and what the viewer may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowView {
    /// State name.
    pub state: String,
    /// The content approvals bind to.
    pub content_hash: String,
    /// Revision.
    pub revision: i64,
    /// Distinct approvals the team needs.
    pub required_approvals: i64,
    /// Approvals that count for the current content.
    pub current_approvals: i64,
    /// Every decision, newest first.
    pub approvals: Vec<ApprovalView>,
    /// The viewer may submit.
    pub can_submit: bool,
    /// The viewer may approve or reject; otherwise why not.
    pub approve_blocked: Option<String>,
    /// The viewer may withdraw.
    pub can_withdraw: bool,
    /// The viewer may reopen (failed, rejected or withdrawn → draft).
    pub can_reopen: bool,
    /// The viewer may retry a failed registration.
    pub can_retry: bool,
    /// The registered image.
    pub image_id: Option<String>,
    /// Its last known state.
    pub image_state: Option<String>,
    /// Why registration failed, in a sentence.
    pub error_message: Option<String>,
    /// EC2's error code, when there is one.
    pub error_code: Option<String>,
}

/// One preflight check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightCheck {
    /// What was checked.
    pub name: String,
    /// Whether it passed.
    pub ok: bool,
    /// The evidence.
    pub detail: String,
}

/// Live evidence from EC2 for the approver.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preflight {
    /// Each check.
    pub checks: Vec<PreflightCheck>,
}

impl Preflight {
    /// Whether every check passed.
    pub fn all_ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}
