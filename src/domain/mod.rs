//! Pure domain types and rules, with no I/O: compiled for the browser and the server
//! alike, so that a rule is written once and enforced in both places.

pub mod account;
pub mod ids;
pub mod register_image;
pub mod role;
pub mod template;
pub mod validation;
pub mod workflow;

pub use account::{DisplayName, Password, TeamName, Username};
pub use ids::{RequestId, TeamId, UserId};
pub use role::Role;
pub use validation::{FieldError, FieldErrors};
pub use workflow::RequestState;
