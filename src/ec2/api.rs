//! Server functions for EC2.

use super::Ec2Status;
use crate::error::AppError;
use leptos::prelude::*;

/// Whether EC2 answers with the service's credentials (cached for a minute).
#[server(endpoint = "ec2/status")]
pub async fn get_ec2_status() -> Result<Ec2Status, AppError> {
    use crate::{auth::guard::require, domain::Role, state::AppState};
    require(Role::Requester).await?;
    let state = AppState::from_context()?;
    Ok(state.ec2.status().await)
}
