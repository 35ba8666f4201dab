//! The EC2 side: the gateway the server uses with its own credentials, and the status
//! line that tells everyone whether those credentials work.

use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
#[cfg(feature = "ssr")]
pub mod gateway;
pub mod messages;
#[cfg(feature = "ssr")]
pub mod register;
#[cfg(feature = "ssr")]
pub use gateway::Ec2Gateway;
pub mod views;

/// Whether EC2 answers with the service's credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ec2Status {
    /// Whether the last check succeeded.
    pub reachable: bool,
    /// The Region that was asked.
    pub region: String,
    /// A sentence for the status line.
    pub message: String,
    /// When it was checked (RFC 3339 UTC).
    pub checked_at: String,
}
