//! Acceptance of the delivered works by the delegatee, synchronised with its information system: the workflow
//! of each subject (a delivery, or an SRO or PBO zone of a delivery), its persistence beside the delivery store,
//! and the audit trail both sides read. No HTTP here: the server maps [`SyncStore`]'s operations and
//! [`SyncError`]s to its routes and status codes.
//!
//! # The workflow
//!
//! ```text
//!  received ─▶ under_inspection ─▶ accepted ─────────────────────────────────────────┐
//!     │ ▲              │       └─▶ accepted_with_reservations ─▶ reservations_lifted ─┴─▶ in_operation
//!     ▼ │              │            (each reservation lifted     (only when none is
//!   rejected ◀─────────┘             by its own command)          open any more)
//! ```
//!
//! The allowed transitions are one table, [`workflow::TRANSITIONS`]; what each target needs is
//! [`State::needs`]: reservations (object code, reason, due date) for `accepted_with_reservations`, reasons for
//! `rejected`, the date for `in_operation`. The [`workflow`] module documents the choices (reservations are
//! fixed when reception is pronounced, acceptance is final, `in_operation` is terminal). [`State::acceptance`]
//! maps each state to `thd_plan::ZoneAcceptance`, and [`SyncStore::acceptances`] gives the planning code each
//! zone's acceptance and date of taking into operation, from which its deployed premises are raccordable.
//!
//! # Writes
//!
//! [`SyncStore::register`] enters a subject in `received` (the server does it for a delivery and its SRO zones
//! on import; doing it again changes nothing). [`SyncStore::apply`] and [`SyncStore::lift_reservation`] are
//! each one transaction that is:
//! - **idempotent**: a key (scoped to the writer's organisation) replayed with the same request gives back the
//!   original outcome and writes nothing; the same key with another request is refused;
//! - **versioned**: the writer sends the version it saw; a stale one is refused with the current state;
//! - **validated**: a transition not in the table, a guard not met or a payload missing or extra is refused
//!   with the allowed states or every problem found;
//! - **audited**: who (organisation, token), when, from and to which state, the new version, the payload and
//!   the key, in `sync_audit`, which refuses updates and deletes.
//!
//! Any refusal leaves every `sync_*` table as it was.
//!
//! # Reads
//!
//! [`SyncStore::subject`] (state, version, when each state was reached, reservations, rejection reasons),
//! [`SyncStore::list`], [`SyncStore::audit`], and [`SyncStore::changes_since`], which pages through every
//! write after a cursor so that a client pulling repeatedly sees each change exactly once.
//!
//! # Storage and concurrency
//!
//! The `sync_*` tables live in the delivery store's database (SQLite file or PostgreSQL schema), with their own
//! embedded migrations and one-row version table `sync_schema_version`; a newer schema is refused. The SQL is
//! written once for both backends through sqlx's `Any` driver. Lost updates are impossible (conditional
//! `UPDATE ... WHERE version = $n`), SQLite write transactions begin `IMMEDIATE`, and audit sequence numbers
//! are taken in commit order; the `store` module docs explain each.

mod error;
mod records;
mod store;
mod subject;
pub mod workflow;

pub use error::SyncError;
pub use records::{
    Acceptances, Action, Actor, Applied, AuditEntry, Changes, Command, Filter, Lift, Registration,
    Reservation, SubjectStatus, SubjectSummary, ZoneStatus,
};
pub use store::{SCHEMA_VERSION, SyncStore};
pub use subject::{Subject, SubjectKind};
pub use workflow::{NewReservation, State, Transition, TransitionRequest, WorkflowError};
