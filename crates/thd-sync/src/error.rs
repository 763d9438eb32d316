//! The errors of the sync store. Each refusal of a write says what the client needs to recover, and the doc of
//! each variant gives the HTTP status the server is expected to answer; none of them leaves anything written.

use chrono::{DateTime, Utc};

use crate::records::SubjectStatus;
use crate::subject::Subject;
use crate::workflow::WorkflowError;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The transition is not allowed from the current state, or its payload is invalid (422); the error lists
    /// the allowed states or every problem of the payload.
    #[error("{subject}: {error}")]
    Refused {
        subject: Subject,
        error: WorkflowError,
    },
    /// The subject moved since the version the writer saw (409); `current` is where it stands now.
    #[error("{subject}: version {expected} is stale, the subject is at version {} ({})", current.summary.version, current.summary.state)]
    Stale {
        subject: Subject,
        expected: i64,
        current: Box<SubjectStatus>,
    },
    /// The idempotency key was already used by the organisation for a different request (422).
    #[error("idempotency key {key:?} of {organisation:?} was used for another request")]
    KeyReused { organisation: String, key: String },
    /// A required text of the request is empty (422): the organisation, the idempotency key or a zone code.
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    /// No such subject is registered (404).
    #[error("{0} is not registered")]
    UnknownSubject(Subject),
    /// The subject has no reservation of that number (404).
    #[error("{subject} has no reservation {number}")]
    UnknownReservation { subject: Subject, number: i64 },
    /// The reservation is already lifted (422).
    #[error("reservation {number} of {subject} was lifted at {lifted_at}")]
    AlreadyLifted {
        subject: Subject,
        number: i64,
        lifted_at: DateTime<Utc>,
    },
    #[error(
        "unsupported store location {0:?}: give a SQLite file path, sqlite://PATH or a postgres:// URL"
    )]
    UnsupportedUrl(String),
    #[error(
        "{location}: the sync tables are at schema version {found}, newer than this build's {supported}: upgrade the engine"
    )]
    NewerSchema {
        location: String,
        found: i64,
        supported: i64,
    },
    #[error("{location}: {source}")]
    Database {
        location: String,
        #[source]
        source: sqlx::Error,
    },
    /// A stored value this build cannot read (a hand-edited table, or a newer writer).
    #[error("{location}: unreadable sync data: {detail}")]
    Corrupt { location: String, detail: String },
}
