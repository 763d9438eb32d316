//! The ways an access operation fails, each with what the caller needs to act on it.

use crate::model::OrgId;
use crate::role::Permission;
use crate::secret::TokenId;

/// Why an access operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The presented token is malformed, unknown or revoked. Deliberately one variant with one message: telling
    /// a caller which would help someone probing for valid token ids.
    #[error("invalid token")]
    InvalidToken,
    /// The caller's role (or anonymous access) does not allow this.
    #[error("not allowed to {permission}")]
    Forbidden { permission: Permission },
    #[error("no organisation {0}")]
    NoOrganisation(OrgId),
    #[error("an organisation named {0:?} already exists")]
    DuplicateOrganisation(String),
    /// No such token — or, for a caller of another organisation, one it may not know about.
    #[error("no token {0}")]
    NoToken(TokenId),
    /// The delivery already belongs to another organisation; its owner is kept.
    #[error("delivery {delivery_id} already belongs to another organisation")]
    AlreadyOwned { delivery_id: i64 },
    /// A name or label that would be confusing in listings.
    #[error("the {what} {text:?} {problem}")]
    InvalidText {
        what: &'static str,
        text: String,
        problem: &'static str,
    },
    /// A zone pattern that is neither `*` nor a zone label.
    #[error("invalid zone pattern {pattern:?}: {problem}")]
    InvalidPattern {
        pattern: String,
        problem: &'static str,
    },
    /// The operating system's random number generator failed, so no secret could be drawn.
    #[error("no random bytes from the operating system: {0}")]
    Random(#[from] getrandom::Error),
    /// The location names no backend this build knows.
    #[error(
        "unsupported access location {0:?}: give a SQLite file path, a sqlite:// URL or a postgres:// URL"
    )]
    UnsupportedUrl(String),
    /// The access tables were written by a newer engine: using them could misread or damage them.
    #[error(
        "the access tables of {location} have schema version {found}, newer than the {supported} this engine \
         knows: upgrade the engine to open them"
    )]
    NewerSchema {
        location: String,
        found: i64,
        supported: i64,
    },
    /// A row the engine cannot read back (edited by hand, or damaged).
    #[error("the access tables of {location} are inconsistent: {detail}")]
    Corrupt { location: String, detail: String },
    /// A database error; `location` is the file path, or the URL without its password.
    #[error("access database error on {location}: {source}")]
    Database {
        location: String,
        #[source]
        source: sqlx::Error,
    },
}
