//! Account values: usernames, display names, passwords and team names, each parsed once.

use serde::{Deserialize, Serialize};

/// A sign-in name: 2–64 characters, lowercase letters, digits, `.`, `_` or `-`,
/// starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    /// Parses a username, folding it to lowercase.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim().to_ascii_lowercase();
        if !(2..=64).contains(&name.chars().count()) {
            return Err("Username must be 2 to 64 characters long.".into());
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err("Username must start with a letter.".into());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err("Username may contain only letters, digits, '.', '_' and '-'.".into());
        }
        Ok(Self(name))
    }

    /// The username as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown in the dashboard: 1–100 printable characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    /// Parses a display name, trimming surrounding space.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err("Display name must be 1 to 100 characters long.".into());
        }
        if name.chars().any(char::is_control) {
            return Err("Display name must not contain control characters.".into());
        }
        Ok(Self(name.to_string()))
    }

    /// The display name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 12–256 characters. (Checked only when a password is set, never at sign-in.)
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Parses a new password.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let count = raw.chars().count();
        if count < 12 {
            return Err("Password must be at least 12 characters long.".into());
        }
        if count > 256 {
            return Err("Password must be at most 256 characters long.".into());
        }
        Ok(Self(raw.to_string()))
    }

    /// The password as text (for hashing only).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A team name: 2–64 characters of letters, digits, spaces, `-`, `_` or `.`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TeamName(String);

impl TeamName {
    /// Parses a team name, trimming surrounding space.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if !(2..=64).contains(&name.chars().count()) {
            return Err("Team name must be 2 to 64 characters long.".into());
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
        {
            return Err(
                "Team name may contain only letters, digits, spaces, '-', '_' and '.'.".into(),
            );
        }
        Ok(Self(name.to_string()))
    }

    /// The team name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_folded_to_lowercase() {
        assert_eq!(Username::parse(" Alice ").unwrap().as_str(), "alice");
    }

    #[test]
    fn usernames_with_spaces_or_leading_digits_are_refused() {
        assert!(Username::parse("al ice").is_err());
        assert!(Username::parse("1alice").is_err());
        assert!(Username::parse("a").is_err());
    }

    #[test]
    fn short_passwords_are_refused_and_never_printed() {
        assert!(Password::parse("short").is_err());
        let p = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }

    #[test]
    fn team_names_allow_spaces_but_not_punctuation() {
        assert!(TeamName::parse("Platform Team").is_ok());
        assert!(TeamName::parse("team;drop").is_err());
    }
}
