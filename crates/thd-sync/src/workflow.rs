//! The acceptance workflow as data, without I/O: the states, the one table of allowed transitions, what each
//! target state must be given, and the check of a requested transition against the current state. The store
//! runs these checks inside its write transaction; the server can run them too, to explain a refusal.
//!
//! ```text
//!  received ──▶ under_inspection ──▶ accepted ───────────────────────────────┐
//!     │  ▲             │        └──▶ accepted_with_reservations              ├──▶ in_operation
//!     │  │             │                    │ (every reservation lifted)     │
//!     │  │             │                    └──▶ reservations_lifted ────────┘
//!     ▼  │             ▼
//!   rejected ◀─────────┘
//! ```
//!
//! Choices a demanding user can rely on:
//! - **Inspection is not skipped**: nothing is accepted or taken into operation straight from `received`; a
//!   delivery can be rejected at once, though (a package that is obviously incomplete).
//! - **Reservations are fixed when reception is pronounced.** `accepted_with_reservations` carries them all; none
//!   can be added later. This follows public works practice (CCAG-Travaux): reservations are part of the
//!   reception decision, and a defect found afterwards is a warranty claim, not a new reservation. Each is then
//!   lifted by its own command, and `reservations_lifted` is only allowed once none is open (the formal record
//!   that they are all lifted stays an explicit decision of the delegatee, not a side effect of the last lift).
//! - **Acceptance is final**: an accepted subject cannot be rejected any more, and `in_operation` is terminal.
//! - **A rejected subject is received again** (`rejected → received`) when its works are presented again — the
//!   same delivery after repairs on site; corrected data come as a new delivery, which is a new subject.
//! - **Every payload is checked and nothing extra is accepted**: reasons sent with `accepted` are refused rather
//!   than silently dropped, and all problems of a request are reported at once.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thd_plan::ZoneAcceptance;

/// Where a subject stands in its acceptance; the snake_case code is the one the API and the tables use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Delivered, waiting for the delegatee to inspect it.
    Received,
    UnderInspection,
    /// Accepted without reservation.
    Accepted,
    AcceptedWithReservations,
    /// Every reservation lifted, and the lifting pronounced.
    ReservationsLifted,
    /// Taken into operation by the delegatee: its deployed premises can be sold.
    InOperation,
    Rejected,
}

use State::*;

/// A condition a transition needs beyond the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    None,
    /// No reservation of the subject is still open.
    AllReservationsLifted,
}

/// One allowed step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    pub from: State,
    pub to: State,
    pub guard: Guard,
}

const fn step(from: State, to: State) -> Step {
    Step {
        from,
        to,
        guard: Guard::None,
    }
}

/// Every allowed transition: the workflow is this table (see the module documentation for the choices).
pub const TRANSITIONS: &[Step] = &[
    step(Received, UnderInspection),
    step(Received, Rejected),
    step(UnderInspection, Accepted),
    step(UnderInspection, AcceptedWithReservations),
    step(UnderInspection, Rejected),
    Step {
        from: AcceptedWithReservations,
        to: ReservationsLifted,
        guard: Guard::AllReservationsLifted,
    },
    step(Accepted, InOperation),
    step(ReservationsLifted, InOperation),
    step(Rejected, Received),
];

/// What a transition to a state must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Needs {
    Nothing,
    /// At least one reservation (object code, reason, due date).
    Reservations,
    /// At least one reason.
    Reasons,
    /// The date of taking into operation.
    Date,
}

impl State {
    pub const ALL: [State; 7] = [
        Received,
        UnderInspection,
        Accepted,
        AcceptedWithReservations,
        ReservationsLifted,
        InOperation,
        Rejected,
    ];

    /// The stable code of the state (API, tables, audit).
    pub fn code(self) -> &'static str {
        match self {
            Received => "received",
            UnderInspection => "under_inspection",
            Accepted => "accepted",
            AcceptedWithReservations => "accepted_with_reservations",
            ReservationsLifted => "reservations_lifted",
            InOperation => "in_operation",
            Rejected => "rejected",
        }
    }

    pub fn from_code(code: &str) -> Option<State> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// What a transition to this state must carry.
    pub fn needs(self) -> Needs {
        match self {
            AcceptedWithReservations => Needs::Reservations,
            Rejected => Needs::Reasons,
            InOperation => Needs::Date,
            Received | UnderInspection | Accepted | ReservationsLifted => Needs::Nothing,
        }
    }

    /// The steps of [`TRANSITIONS`] leaving this state, guards not considered.
    pub fn steps(self) -> impl Iterator<Item = &'static Step> {
        TRANSITIONS.iter().filter(move |s| s.from == self)
    }

    /// The states a subject in this state can move to now, given how many of its reservations are open.
    pub fn allowed(self, open_reservations: u32) -> Vec<State> {
        self.steps()
            .filter(|s| guard_holds(s.guard, open_reservations))
            .map(|s| s.to)
            .collect()
    }

    /// The zone's acceptance in the planning code's terms: a registered subject has been delivered, so
    /// [`ZoneAcceptance::NotDelivered`] never comes from here; lifted reservations count as accepted.
    pub fn acceptance(self) -> ZoneAcceptance {
        match self {
            Received | UnderInspection => ZoneAcceptance::Delivered,
            Accepted | ReservationsLifted => ZoneAcceptance::Accepted,
            AcceptedWithReservations => ZoneAcceptance::ReservationsOpen,
            InOperation => ZoneAcceptance::InOperation,
            Rejected => ZoneAcceptance::Rejected,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

fn guard_holds(guard: Guard, open_reservations: u32) -> bool {
    match guard {
        Guard::None => true,
        Guard::AllReservationsLifted => open_reservations == 0,
    }
}

/// Checks the move of a subject in state `from`, with `open_reservations` open, to `to`; the error lists the
/// states allowed instead.
pub fn check(from: State, to: State, open_reservations: u32) -> Result<(), WorkflowError> {
    let allowed = from.allowed(open_reservations);
    if allowed.contains(&to) {
        return Ok(());
    }
    match from.steps().find(|s| s.to == to) {
        Some(_) => Err(WorkflowError::ReservationsOpen {
            from,
            to,
            open: open_reservations,
            allowed,
        }),
        None => Err(WorkflowError::NotAllowed { from, to, allowed }),
    }
}

/// A reservation as the delegatee pronounces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReservation {
    /// The code of the object concerned (a GraceTHD code: box, cable, technical point...).
    pub object_code: String,
    pub reason: String,
    /// When it must be lifted (YYYY-MM-DD).
    pub due_on: NaiveDate,
}

/// A requested transition as the API receives it: the target state and whatever was sent with it. Checked by
/// [`TransitionRequest::validate`] into a [`Transition`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    pub to: State,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reservations: Vec<NewReservation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// The date of taking into operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

impl TransitionRequest {
    /// A request to move to `to` with nothing attached.
    pub fn to(to: State) -> Self {
        TransitionRequest {
            to,
            reservations: Vec::new(),
            reasons: Vec::new(),
            date: None,
        }
    }

    /// The transition this request asks for, its texts trimmed, or every problem of its payload.
    pub fn validate(&self) -> Result<Transition, WorkflowError> {
        let mut problems = Vec::new();
        let needs = self.to.needs();
        if needs != Needs::Reservations && !self.reservations.is_empty() {
            problems.push(PayloadProblem::Unexpected {
                field: "reservations",
            });
        }
        if needs != Needs::Reasons && !self.reasons.is_empty() {
            problems.push(PayloadProblem::Unexpected { field: "reasons" });
        }
        if needs != Needs::Date && self.date.is_some() {
            problems.push(PayloadProblem::Unexpected { field: "date" });
        }
        let transition = match self.to {
            Received => Some(Transition::Received),
            UnderInspection => Some(Transition::UnderInspection),
            Accepted => Some(Transition::Accepted),
            ReservationsLifted => Some(Transition::ReservationsLifted),
            AcceptedWithReservations => {
                if self.reservations.is_empty() {
                    problems.push(PayloadProblem::MissingReservations);
                }
                let mut reservations = Vec::with_capacity(self.reservations.len());
                for (index, r) in self.reservations.iter().enumerate() {
                    let object_code = r.object_code.trim();
                    let reason = r.reason.trim();
                    if object_code.is_empty() {
                        problems.push(PayloadProblem::EmptyObjectCode { reservation: index });
                    }
                    if reason.is_empty() {
                        problems
                            .push(PayloadProblem::EmptyReservationReason { reservation: index });
                    }
                    reservations.push(NewReservation {
                        object_code: object_code.to_owned(),
                        reason: reason.to_owned(),
                        due_on: r.due_on,
                    });
                }
                Some(Transition::AcceptedWithReservations { reservations })
            }
            Rejected => {
                if self.reasons.is_empty() {
                    problems.push(PayloadProblem::MissingReasons);
                }
                let mut reasons = Vec::with_capacity(self.reasons.len());
                for (index, reason) in self.reasons.iter().enumerate() {
                    let reason = reason.trim();
                    if reason.is_empty() {
                        problems.push(PayloadProblem::EmptyReason { reason: index });
                    }
                    reasons.push(reason.to_owned());
                }
                Some(Transition::Rejected { reasons })
            }
            InOperation => {
                if self.date.is_none() {
                    problems.push(PayloadProblem::MissingDate);
                }
                self.date.map(|date| Transition::InOperation { date })
            }
        };
        match transition {
            Some(transition) if problems.is_empty() => Ok(transition),
            _ => Err(WorkflowError::InvalidPayload {
                to: self.to,
                problems,
            }),
        }
    }
}

/// A checked transition with what it carries. Serialised (tagged by `to`) it is the payload the audit keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Transition {
    Received,
    UnderInspection,
    Accepted,
    AcceptedWithReservations { reservations: Vec<NewReservation> },
    ReservationsLifted,
    InOperation { date: NaiveDate },
    Rejected { reasons: Vec<String> },
}

impl Transition {
    pub fn to(&self) -> State {
        match self {
            Self::Received => Received,
            Self::UnderInspection => UnderInspection,
            Self::Accepted => Accepted,
            Self::AcceptedWithReservations { .. } => AcceptedWithReservations,
            Self::ReservationsLifted => ReservationsLifted,
            Self::InOperation { .. } => InOperation,
            Self::Rejected { .. } => Rejected,
        }
    }
}

/// One problem of a request's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PayloadProblem {
    MissingReservations,
    MissingReasons,
    MissingDate,
    /// Reservation `reservation` (0-based) has an empty object code.
    EmptyObjectCode {
        reservation: usize,
    },
    EmptyReservationReason {
        reservation: usize,
    },
    /// Reason `reason` (0-based) is empty.
    EmptyReason {
        reason: usize,
    },
    /// A field the target state does not take.
    Unexpected {
        field: &'static str,
    },
}

impl fmt::Display for PayloadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingReservations => f.write_str("at least one reservation is needed"),
            Self::MissingReasons => f.write_str("at least one reason is needed"),
            Self::MissingDate => f.write_str("the date of taking into operation is needed"),
            Self::EmptyObjectCode { reservation } => {
                write!(f, "reservation {reservation} has no object code")
            }
            Self::EmptyReservationReason { reservation } => {
                write!(f, "reservation {reservation} has no reason")
            }
            Self::EmptyReason { reason } => write!(f, "reason {reason} is empty"),
            Self::Unexpected { field } => write!(f, "`{field}` is not taken by this state"),
        }
    }
}

/// A refused transition (the server answers 422), with what is allowed instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "error", rename_all = "snake_case")]
#[non_exhaustive]
pub enum WorkflowError {
    #[error(
        "{from} → {to} is not a step of the workflow; allowed from {from}: {}",
        list(allowed)
    )]
    NotAllowed {
        from: State,
        to: State,
        allowed: Vec<State>,
    },
    #[error(
        "{from} → {to} needs every reservation lifted and {open} are open: lift them first; allowed now: {}",
        list(allowed)
    )]
    ReservationsOpen {
        from: State,
        to: State,
        open: u32,
        allowed: Vec<State>,
    },
    #[error("the request for {to} is invalid: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidPayload {
        to: State,
        problems: Vec<PayloadProblem>,
    },
}

fn list(states: &[State]) -> String {
    if states.is_empty() {
        return "none".to_owned();
    }
    states
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn codes_round_trip_and_match_serde() {
        for state in State::ALL {
            assert_eq!(State::from_code(state.code()), Some(state));
            let json = serde_json::to_string(&state).expect("json");
            assert_eq!(json, format!("\"{}\"", state.code()));
        }
        assert_eq!(State::from_code("accepted_with_reserves"), None);
    }

    #[test]
    fn the_table_has_no_duplicate_and_every_state_is_reachable_from_received() {
        for (i, a) in TRANSITIONS.iter().enumerate() {
            assert!(
                TRANSITIONS[i + 1..]
                    .iter()
                    .all(|b| (a.from, a.to) != (b.from, b.to)),
                "{a:?} twice"
            );
        }
        let mut reached = vec![Received];
        let mut i = 0;
        while i < reached.len() {
            for s in reached[i].steps() {
                if !reached.contains(&s.to) {
                    reached.push(s.to);
                }
            }
            i += 1;
        }
        reached.sort();
        assert_eq!(reached, State::ALL.to_vec());
        assert!(
            InOperation.allowed(0).is_empty(),
            "in_operation is terminal"
        );
    }

    #[test]
    fn the_table_in_the_crate_docs_is_this_table() {
        let docs: Vec<(State, State, bool)> = include_str!("lib.rs")
            .lines()
            .filter_map(|line| line.strip_prefix("//! | `"))
            .map(|row| {
                let cells: Vec<&str> = row.split('|').map(|c| c.trim().trim_matches('`')).collect();
                let state =
                    |code: &str| State::from_code(code).unwrap_or_else(|| panic!("{code:?}"));
                (state(cells[0]), state(cells[1]), !cells[2].is_empty())
            })
            .collect();
        let table: Vec<(State, State, bool)> = TRANSITIONS
            .iter()
            .map(|s| (s.from, s.to, s.guard != Guard::None))
            .collect();
        assert_eq!(docs, table);
    }

    #[test]
    fn lifting_needs_every_reservation_lifted() {
        assert_eq!(
            check(AcceptedWithReservations, ReservationsLifted, 2),
            Err(WorkflowError::ReservationsOpen {
                from: AcceptedWithReservations,
                to: ReservationsLifted,
                open: 2,
                allowed: vec![],
            })
        );
        assert_eq!(
            check(AcceptedWithReservations, ReservationsLifted, 0),
            Ok(())
        );
        // Nothing else leaves accepted_with_reservations: no rejection after reception.
        assert_eq!(
            check(AcceptedWithReservations, Rejected, 0),
            Err(WorkflowError::NotAllowed {
                from: AcceptedWithReservations,
                to: Rejected,
                allowed: vec![ReservationsLifted],
            })
        );
    }

    #[test]
    fn a_request_reports_every_problem_of_its_payload() {
        let request = TransitionRequest {
            to: AcceptedWithReservations,
            reservations: vec![
                NewReservation {
                    object_code: " BP001 ".into(),
                    reason: "missing label".into(),
                    due_on: date("2025-06-30"),
                },
                NewReservation {
                    object_code: "  ".into(),
                    reason: "".into(),
                    due_on: date("2025-06-30"),
                },
            ],
            reasons: vec!["not for this state".into()],
            date: Some(date("2025-07-01")),
        };
        let Err(WorkflowError::InvalidPayload { to, problems }) = request.validate() else {
            panic!("invalid payload expected");
        };
        assert_eq!(to, AcceptedWithReservations);
        assert_eq!(
            problems,
            vec![
                PayloadProblem::Unexpected { field: "reasons" },
                PayloadProblem::Unexpected { field: "date" },
                PayloadProblem::EmptyObjectCode { reservation: 1 },
                PayloadProblem::EmptyReservationReason { reservation: 1 },
            ]
        );
    }

    #[test]
    fn each_target_gets_what_it_needs() {
        let missing = |to| match TransitionRequest::to(to).validate() {
            Err(WorkflowError::InvalidPayload { problems, .. }) => problems,
            other => panic!("{to}: {other:?}"),
        };
        assert_eq!(
            missing(AcceptedWithReservations),
            [PayloadProblem::MissingReservations]
        );
        assert_eq!(missing(Rejected), [PayloadProblem::MissingReasons]);
        assert_eq!(missing(InOperation), [PayloadProblem::MissingDate]);
        for to in State::ALL {
            if to.needs() == Needs::Nothing {
                assert_eq!(TransitionRequest::to(to).validate().map(|t| t.to()), Ok(to));
            }
        }
        let rejected = TransitionRequest {
            reasons: vec!["  splices not measured ".into()],
            ..TransitionRequest::to(Rejected)
        };
        assert_eq!(
            rejected.validate(),
            Ok(Transition::Rejected {
                reasons: vec!["splices not measured".into()]
            })
        );
    }

    #[test]
    fn every_state_maps_to_a_zone_acceptance() {
        use ZoneAcceptance as Z;
        let mapped: Vec<_> = State::ALL.iter().map(|s| s.acceptance()).collect();
        assert_eq!(
            mapped,
            [
                Z::Delivered,
                Z::Delivered,
                Z::Accepted,
                Z::ReservationsOpen,
                Z::Accepted,
                Z::InOperation,
                Z::Rejected
            ]
        );
    }

    #[test]
    fn a_request_parses_from_the_api_json_and_refuses_unknown_fields() {
        let request: TransitionRequest = serde_json::from_str(
            r#"{"to":"accepted_with_reservations","reservations":[{"object_code":"BP1","reason":"r","due_on":"2025-09-01"}]}"#,
        )
        .expect("parse");
        assert_eq!(request.reservations[0].due_on, date("2025-09-01"));
        assert!(
            serde_json::from_str::<TransitionRequest>(r#"{"to":"accepted","note":"x"}"#).is_err()
        );
        assert!(
            serde_json::from_str::<TransitionRequest>(
                r#"{"to":"in_operation","date":"2025-13-01"}"#
            )
            .is_err()
        );
    }
}
