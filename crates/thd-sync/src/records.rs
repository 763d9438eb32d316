//! What the store is given (commands) and what it gives back (states, reservations, audit rows, pages of
//! changes, zone acceptances). All of it is serde-ready for the HTTP API.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thd_plan::{ZoneAcceptance, ZoneAcceptances};

use crate::subject::{Subject, SubjectKind};
use crate::workflow::{State, TransitionRequest};

/// Who writes: the organisation (idempotency keys are scoped to it) and the API token it used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub organisation: String,
    pub token_id: String,
}

/// A request to move a subject to another state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub subject: Subject,
    /// The version the writer last saw; the write is refused ([`crate::SyncError::Stale`]) if the subject has
    /// moved since.
    pub expected_version: i64,
    pub transition: TransitionRequest,
    pub actor: Actor,
    /// Unique per organisation for each distinct write; sending it again replays the first outcome.
    pub idempotency_key: String,
    /// When the write is recorded (the server's clock); business dates travel in the payload.
    pub at: DateTime<Utc>,
}

/// A request to lift one reservation of a subject accepted with reservations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lift {
    pub subject: Subject,
    /// The reservation's number within its subject (1, 2, ... in the order pronounced).
    pub reservation: i64,
    pub expected_version: i64,
    pub actor: Actor,
    pub idempotency_key: String,
    pub at: DateTime<Utc>,
}

/// What an audit row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// The subject entered the workflow (`received`).
    Register,
    Transition,
    /// One reservation lifted; the state does not change.
    LiftReservation,
}

impl Action {
    pub(crate) const ALL: [Action; 3] = [Self::Register, Self::Transition, Self::LiftReservation];

    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Transition => "transition",
            Self::LiftReservation => "lift_reservation",
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// One accepted write, kept forever (the audit table refuses updates and deletes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the sequence of all writes: the cursor of [`crate::SyncStore::changes_since`].
    pub seq: i64,
    pub subject: Subject,
    pub action: Action,
    /// `None` when the subject was registered.
    pub from: Option<State>,
    pub to: State,
    /// The subject's version after the write (1 when registered, so the version counts the subject's audit rows).
    pub version: i64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub idempotency_key: Option<String>,
    /// What the write carried: the reservations with their numbers, the reasons, the date, the lifted
    /// reservation.
    pub payload: serde_json::Value,
}

/// The outcome of [`crate::SyncStore::apply`] or [`crate::SyncStore::lift_reservation`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub entry: AuditEntry,
    /// The idempotency key had been used for this same request: `entry` is the original outcome and nothing
    /// was written.
    pub replayed: bool,
}

/// The outcome of [`crate::SyncStore::register`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Registration {
    Registered {
        entry: AuditEntry,
    },
    /// The subject was already there; nothing was written.
    AlreadyRegistered {
        current: SubjectSummary,
    },
}

/// A subject's current state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectSummary {
    pub subject: Subject,
    pub state: State,
    pub version: i64,
    /// The date it was taken into operation (from the `in_operation` payload).
    pub in_operation_on: Option<NaiveDate>,
}

/// A subject's current state with its dates, reservations and, when rejected, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectStatus {
    #[serde(flatten)]
    pub summary: SubjectSummary,
    /// When each state was last reached (the audit trail has every time).
    pub reached: BTreeMap<State, DateTime<Utc>>,
    /// Every reservation pronounced, lifted or not, by number.
    pub reservations: Vec<Reservation>,
    /// The reasons of the rejection when the subject is rejected, else empty.
    pub rejection_reasons: Vec<String>,
}

impl SubjectStatus {
    pub fn open_reservations(&self) -> impl Iterator<Item = &Reservation> {
        self.reservations.iter().filter(|r| r.lifted_at.is_none())
    }
}

/// A reservation and whether it is lifted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reservation {
    pub number: i64,
    pub object_code: String,
    pub reason: String,
    pub due_on: NaiveDate,
    pub lifted_at: Option<DateTime<Utc>>,
}

/// Which subjects [`crate::SyncStore::list`] gives; every field left `None` matches all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    pub state: Option<State>,
    pub kind: Option<SubjectKind>,
    pub delivery_ids: Option<Vec<i64>>,
}

/// A page of the audit trail after a cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub entries: Vec<AuditEntry>,
    /// The cursor to ask with next time: the last `seq` given, or the cursor asked with when nothing is new.
    pub next_cursor: i64,
    /// More changes wait after this page.
    pub more: bool,
}

/// Where a zone stands for the planning code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ZoneStatus {
    pub acceptance: ZoneAcceptance,
    /// When it was taken into operation: from then its deployed premises are raccordable.
    pub in_operation_on: Option<NaiveDate>,
    /// The delivery whose subject decided (see [`crate::SyncStore::acceptances`]).
    pub delivery_id: i64,
}

/// The acceptance of every zone of some deliveries, by zone code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Acceptances {
    pub sro: BTreeMap<String, ZoneStatus>,
    pub pbo: BTreeMap<String, ZoneStatus>,
}

impl Acceptances {
    /// The SRO zones' acceptances, with their days of taking into operation, as `thd_plan::PlugIndex::build`
    /// takes them.
    pub fn sro_acceptances(&self) -> ZoneAcceptances {
        self.sro
            .iter()
            .map(|(code, z)| (code.clone(), (z.acceptance, z.in_operation_on).into()))
            .collect()
    }
}
