//! Personal access tokens: a signed-in user creates, lists and revokes tokens for the
//! automation API on their profile page. A token acts as its user (optionally read-only), is
//! shown once and stored only as a SHA-256 hash.

use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod store;
pub mod views;

/// A token as listed (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct TokenInfo {
    /// Its id.
    pub id: i64,
    /// The name its owner gave it (shown in the audit history as "via token NAME").
    pub name: String,
    /// Whether it may only read.
    pub read_only: bool,
    /// Created (UTC).
    pub created_at: String,
    /// Last used (UTC), if ever.
    pub last_used_at: Option<String>,
    /// Revoked (UTC), if revoked.
    pub revoked_at: Option<String>,
}

/// A token just created: the only time its secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    /// The token.
    pub info: TokenInfo,
    /// The secret to send as `Authorization: Bearer …`.
    pub secret: String,
}

/// Checks a token name: 1 to 60 characters, letters, digits, spaces, `-`, `_` and `.`.
pub fn parse_token_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err("Token name must be 1 to 60 characters long.".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
    {
        return Err("Token name may use letters, digits, spaces, '-', '_' and '.' only.".into());
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_names_are_short_and_plain() {
        assert_eq!(parse_token_name(" ci pipeline ").unwrap(), "ci pipeline");
        assert!(parse_token_name("").is_err());
        assert!(parse_token_name(&"x".repeat(61)).is_err());
        assert!(parse_token_name("a<b>").is_err());
    }
}
