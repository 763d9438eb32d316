//! The stored things: organisations and tokens (never their secrets), with their typed ids.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::AccessError;
use crate::role::Role;
use crate::secret::TokenId;

/// The longest organisation name, token label or zone pattern kept: enough for any real name, short enough
/// that listings stay readable.
pub(crate) const MAX_TEXT: usize = 200;

/// The id of an organisation, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct OrgId(pub i64);

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A company or public body whose people hold tokens: the operator, a design office, the délégataire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: OrgId,
    /// Unique among organisations.
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A token as listed: everything but its secret and the secret's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: TokenId,
    pub org: OrgId,
    pub role: Role,
    /// What the token is for, given at creation ("QGIS plug-in of the Rennes office").
    pub label: String,
    pub created_at: DateTime<Utc>,
    /// When the token last authenticated, to the minute (see [`crate::AccessStore::authenticate`]).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set once, when revoked; a revoked token never authenticates again.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Token {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// Checks a name or label given by a person: not blank, no surrounding spaces (two names differing only by a
/// trailing space would look the same in every listing), no control characters, at most [`MAX_TEXT`]
/// characters.
pub(crate) fn check_text(what: &'static str, text: &str) -> Result<(), AccessError> {
    let problem = if text.trim().is_empty() {
        Some("is empty")
    } else if text.trim() != text {
        Some("starts or ends with spaces")
    } else if text.chars().any(char::is_control) {
        Some("contains control characters")
    } else if text.chars().count() > MAX_TEXT {
        Some("is longer than 200 characters")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(AccessError::InvalidText {
            what,
            text: text.to_owned(),
            problem,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_be_confused_or_unreadable_are_refused() {
        assert!(check_text("name", "Axione Bretagne").is_ok());
        assert!(check_text("name", "Région « Est »").is_ok());
        for bad in ["", "  ", " Axione", "Axione ", "a\tb", "a\nb"] {
            assert!(check_text("name", bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_text("name", &"é".repeat(200)).is_ok());
        assert!(check_text("name", &"é".repeat(201)).is_err());
    }
}
