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
//! The allowed transitions are one table, [`workflow::TRANSITIONS`] (a test keeps this copy equal to it):
//!
//! | from | to | only when | carries |
//! | --- | --- | --- | --- |
//! | `received` | `under_inspection` | | |
//! | `received` | `rejected` | | reasons (at least one) |
//! | `under_inspection` | `accepted` | | |
//! | `under_inspection` | `accepted_with_reservations` | | reservations: object code, reason, due date |
//! | `under_inspection` | `rejected` | | reasons (at least one) |
//! | `accepted_with_reservations` | `reservations_lifted` | every reservation lifted | |
//! | `accepted` | `in_operation` | | the date of taking into operation |
//! | `reservations_lifted` | `in_operation` | | the date of taking into operation |
//! | `rejected` | `received` | | |
//!
//! What each target carries is [`State::needs`]; nothing else may be sent with it. Lifting one reservation is
//! its own command and leaves the state as it is. The [`workflow`] module documents the choices: inspection is
//! not skipped, reservations are fixed when reception is pronounced (none is added later), acceptance is final,
//! `in_operation` is terminal, and a rejected subject is received again when its works are presented again.
//!
//! [`State::acceptance`] maps each state to `thd_plan::ZoneAcceptance`, and [`SyncStore::acceptances`] gives
//! the planning code each zone's acceptance and date of taking into operation, from which its deployed
//! premises are raccordable.
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
//! # Storage
//!
//! The `sync_*` tables live in the delivery store's database (SQLite file or PostgreSQL schema), with their own
//! embedded migrations and one-row version table `sync_schema_version`; a newer schema is refused. On a new
//! SQLite file, open the delivery store first (it refuses a non-empty file that is not yet one of its stores).
//! Every query is written once for both backends, with `$1` placeholders, through sqlx's `Any` driver: the write
//! path — idempotency, version, transition, audit — is where two diverging copies would be a silent bug. Only
//! the DDL (one migration file per backend, same tables and columns), how a write transaction begins and the
//! migration lock differ. The `Any` driver carries integers and text only, so dates and timestamps are stored
//! as fixed-width ISO text on both backends, whose text order is their time order.
//!
//! # Concurrency
//!
//! - **No lost update.** Each write reads the subject, checks the expected version, and then changes it with
//!   `UPDATE ... WHERE id = $n AND version = $expected`, bumping the version. On PostgreSQL (read committed) a
//!   concurrent writer of the same subject waits for the first one's row lock, re-evaluates the condition on
//!   the committed row, matches nothing, and is answered [`SyncError::Stale`]; its whole transaction is rolled
//!   back.
//! - **SQLite writes cannot fail on a lock upgrade.** Write transactions start with `BEGIN IMMEDIATE`, which
//!   takes the write lock first (waiting up to the 5 s busy timeout for another process) instead of reading
//!   under a shared lock and failing with `SQLITE_BUSY` when upgrading. Within a process, writers take turns
//!   on one write connection kept open (a lock, not SQLite's busy handler, which sleeps in steps of up to
//!   100 ms); reads use a pool of their own and, in WAL mode, never wait for writers.
//! - **Idempotency is claimed first.** The first statement of a write inserts `(organisation, key, request)`
//!   into `sync_request` with `ON CONFLICT DO NOTHING`. A key already there is a replay: the same canonical
//!   request (subject, expected version, transition — not who sent it or when) gives back the stored audit
//!   row, another request is [`SyncError::KeyReused`], and nothing is written either way. On PostgreSQL a
//!   concurrent request with the same key waits on the unique index until the first commits, then sees it as a
//!   replay — never as a second write. A refused write is rolled back with its claim, so its key stays free for
//!   the corrected request.
//! - **Cursors see every change once.** The audit row is the last write of a transaction and its sequence
//!   number follows commit order, so a reader that sees number `n` committed also sees every number below it.
//!   A database sequence would not promise this (a transaction holding 10 may commit after one holding 11, and
//!   a reader at 11 would skip 10 for ever). On SQLite the number is the rowid (largest plus one; writers are
//!   serialised and audit rows never deleted); on PostgreSQL a trigger takes it from the one-row
//!   `sync_sequence`, whose row lock, held to the commit, makes writers take numbers in commit order. A
//!   refused write is rolled back whole, its number included, so numbers have no gaps either.

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

/// The codes of a decoded delivery's SRO zones and PBO zones (`zs_code`, `zp_code`): the zone subjects an
/// import registers with [`SyncStore::register_delivery`].
pub fn zone_codes(network: &thd_network::Network) -> (Vec<String>, Vec<String>) {
    let codes = |zones: &thd_network::Entities<thd_network::Zone>| {
        zones.iter().map(|(_, code, _)| code.to_owned()).collect()
    };
    (codes(&network.sro_zones), codes(&network.pbo_zones))
}
