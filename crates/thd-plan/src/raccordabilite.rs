//! Raccordabilité: the state of each address in the operators' terms, its dated history, and the rule that says
//! whether its premises can be connected now.
//!
//! The states are GraceTHD's `ad_ietat`, which are the `EtatImmeuble` of the IPE file commercial operators read:
//! CI cible, SI signé (the building's owners signed the convention), EC en cours de déploiement, DE déployé,
//! AB abandonné; GraceTHD 3 adds the on-demand track RD raccordable à la demande and RC raccordement à la demande
//! en cours. A state change is accepted only along the tracks the operators' process follows, so a history
//! replayed from successive deliveries or IPE files catches a file that goes back or skips a step:
//!
//! ```text
//!  standard:   CI ──▶ SI ──▶ EC ──▶ DE        (SI is skipped for houses: CI ──▶ EC)
//!  on demand:  CI ──▶ RD ──▶ RC ──▶ DE
//!  any state but AB ──▶ AB,   AB ──▶ CI (targeted again)
//! ```
//!
//! A premise is **raccordable** only when three things hold: its address is DE, its PBO is built, and its zone
//! has been accepted and taken into operation by the delegatee. An address marked DE in a contractor's file is
//! not yet sellable while the zone awaits reception or its reservations are open: commercial operators would
//! order lines that cannot be delivered. The zone's acceptance is an input ([`ZoneAcceptance`]) so that the
//! delegatee's states, synchronised later through the API, replace what the delivery itself says; it comes with
//! the day the zone was taken into operation ([`ZoneHandover`]), before which none of its premises is
//! raccordable.

use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

/// The state of an address (`ad_ietat`, IPE `EtatImmeuble`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AddressState {
    /// CI: in the target, nothing done yet.
    Target,
    /// SI: the convention with the building's owners is signed.
    Signed,
    /// EC: works under way.
    Deploying,
    /// RD: raccordable on demand (the network stops short, the drop is built when a customer orders).
    OnDemand,
    /// RC: an on-demand connection is being built.
    OnDemandDeploying,
    /// DE: deployed.
    Deployed,
    /// AB: abandoned.
    Abandoned,
}

/// Why a state change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Refusal {
    /// The address is already in that state: repeated observations are not transitions.
    Unchanged,
    /// An abandoned address must be targeted again (CI) before anything else.
    FromAbandoned,
    /// Deployment does not go back: abandon the address (AB) and target it again (CI) instead.
    Backwards,
    /// From the standard track (SI, EC) to the on-demand one (RD, RC) or back.
    CrossTrack,
    /// A step of the track is missing (e.g. CI → DE without EC).
    Skipped,
}

impl Refusal {
    pub fn explain(self) -> &'static str {
        match self {
            Self::Unchanged => "the address is already in that state",
            Self::FromAbandoned => "an abandoned address must first be targeted again (CI)",
            Self::Backwards => {
                "deployment does not go back: abandon the address (AB), then target it again (CI)"
            }
            Self::CrossTrack => {
                "the standard track (SI, EC) and the on-demand track (RD, RC) do not cross: go through AB and CI"
            }
            Self::Skipped => {
                "a step is missing: DE follows EC or RC, EC and RC follow CI, SI or RD"
            }
        }
    }
}

/// A refused state change, with what would have been accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransitionError {
    #[error("{from} → {to} refused: {}; allowed from {from}: {}", reason.explain(), list(allowed))]
    Refused {
        from: AddressState,
        to: AddressState,
        reason: Refusal,
        allowed: Vec<AddressState>,
    },
    #[error("a change dated {date} cannot follow the change of {last}: dates must not go back")]
    OutOfOrder { date: NaiveDate, last: NaiveDate },
}

fn list(states: &[AddressState]) -> String {
    states
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(", ")
}

impl AddressState {
    pub const ALL: [AddressState; 7] = [
        Self::Target,
        Self::Signed,
        Self::Deploying,
        Self::OnDemand,
        Self::OnDemandDeploying,
        Self::Deployed,
        Self::Abandoned,
    ];

    /// The code of the state in GraceTHD and IPE files.
    pub fn code(self) -> &'static str {
        match self {
            Self::Target => "CI",
            Self::Signed => "SI",
            Self::Deploying => "EC",
            Self::OnDemand => "RD",
            Self::OnDemandDeploying => "RC",
            Self::Deployed => "DE",
            Self::Abandoned => "AB",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Position along a track: CI 0, SI/RD 1, EC/RC 2, DE 3 (AB has none).
    fn rank(self) -> Option<u8> {
        match self {
            Self::Target => Some(0),
            Self::Signed | Self::OnDemand => Some(1),
            Self::Deploying | Self::OnDemandDeploying => Some(2),
            Self::Deployed => Some(3),
            Self::Abandoned => None,
        }
    }

    /// Whether the state lies on the on-demand track (`Some(true)`), the standard one (`Some(false)`) or both.
    fn on_demand(self) -> Option<bool> {
        match self {
            Self::Signed | Self::Deploying => Some(false),
            Self::OnDemand | Self::OnDemandDeploying => Some(true),
            _ => None,
        }
    }

    /// The states an address can move to from this one.
    pub fn next(self) -> &'static [AddressState] {
        use AddressState::*;
        match self {
            Target => &[Signed, Deploying, OnDemand, Abandoned],
            Signed => &[Deploying, Abandoned],
            Deploying => &[Deployed, Abandoned],
            OnDemand => &[OnDemandDeploying, Abandoned],
            OnDemandDeploying => &[Deployed, Abandoned],
            Deployed => &[Abandoned],
            Abandoned => &[Target],
        }
    }

    /// Checks a change of state; the error says why it is refused and what is allowed instead.
    pub fn check(self, to: AddressState) -> Result<(), TransitionError> {
        if self.next().contains(&to) {
            return Ok(());
        }
        let reason = if self == to {
            Refusal::Unchanged
        } else if self == Self::Abandoned {
            Refusal::FromAbandoned
        } else if to.rank() <= self.rank() {
            // Abandoned (rank None) is always allowed, so `to` has a rank here.
            Refusal::Backwards
        } else if matches!((self.on_demand(), to.on_demand()), (Some(a), Some(b)) if a != b) {
            Refusal::CrossTrack
        } else {
            Refusal::Skipped
        };
        Err(TransitionError::Refused {
            from: self,
            to,
            reason,
            allowed: self.next().to_vec(),
        })
    }
}

impl fmt::Display for AddressState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One accepted change of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub from: AddressState,
    pub to: AddressState,
    #[serde(serialize_with = "crate::data::iso_date::serialize")]
    pub date: NaiveDate,
}

/// The dated states of one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    pub initial: AddressState,
    /// When the initial state was first seen.
    #[serde(serialize_with = "crate::data::iso_date::serialize")]
    pub since: NaiveDate,
    pub transitions: Vec<Transition>,
}

/// A history that could not be replayed: which event, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event {index} of the history: {error}")]
pub struct ReplayError {
    /// Position of the refused event in the list given (0-based).
    pub index: usize,
    pub error: TransitionError,
}

impl History {
    pub fn new(initial: AddressState, since: NaiveDate) -> Self {
        Self {
            initial,
            since,
            transitions: Vec::new(),
        }
    }

    /// Rebuilds a history from dated observations in order, refusing the first invalid one.
    pub fn replay(
        initial: AddressState,
        since: NaiveDate,
        events: impl IntoIterator<Item = (NaiveDate, AddressState)>,
    ) -> Result<Self, ReplayError> {
        let mut history = Self::new(initial, since);
        for (index, (date, state)) in events.into_iter().enumerate() {
            history
                .apply(state, date)
                .map_err(|error| ReplayError { index, error })?;
        }
        Ok(history)
    }

    pub fn state(&self) -> AddressState {
        self.transitions.last().map_or(self.initial, |t| t.to)
    }

    fn last_date(&self) -> NaiveDate {
        self.transitions.last().map_or(self.since, |t| t.date)
    }

    /// Records a change of state on `date`; the history is unchanged when it is refused.
    pub fn apply(&mut self, to: AddressState, date: NaiveDate) -> Result<(), TransitionError> {
        let last = self.last_date();
        if date < last {
            return Err(TransitionError::OutOfOrder { date, last });
        }
        let from = self.state();
        from.check(to)?;
        self.transitions.push(Transition { from, to, date });
        Ok(())
    }

    /// The state on a date; `None` before the history starts.
    pub fn state_on(&self, date: NaiveDate) -> Option<AddressState> {
        if date < self.since {
            return None;
        }
        Some(
            self.transitions
                .iter()
                .take_while(|t| t.date <= date)
                .last()
                .map_or(self.initial, |t| t.to),
        )
    }

    /// When the address last became deployed, if it is deployed now.
    pub fn deployed_since(&self) -> Option<NaiveDate> {
        if self.state() != AddressState::Deployed {
            return None;
        }
        Some(
            self.transitions
                .iter()
                .rev()
                .find(|t| t.to == AddressState::Deployed)
                .map_or(self.since, |t| t.date),
        )
    }
}

/// Where a zone stands in the acceptance of its works by the client and its handover to the delegatee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ZoneAcceptance {
    /// Works not yet delivered as built.
    NotDelivered,
    /// As-built delivered, reception not pronounced.
    Delivered,
    /// The delivery was rejected: it must be delivered again.
    Rejected,
    /// Received with reservations that are not all lifted.
    ReservationsOpen,
    /// Received (no reservation, or all lifted), not yet handed over to the delegatee.
    Accepted,
    /// Taken into operation by the delegatee: its plugs can be sold.
    InOperation,
}

impl ZoneAcceptance {
    /// What a delivery alone says of its zone, used until the delegatee's states are synchronised: a zone whose
    /// as-built (`REC`) or operation (`MCO`) records were delivered is taken as in operation, since a delivery
    /// carries no reception step; any earlier phase means the works are not delivered.
    pub fn from_delivery_status(status: Option<&str>) -> Self {
        match status {
            Some("REC" | "MCO") => Self::InOperation,
            _ => Self::NotDelivered,
        }
    }

    /// Why the zone holds its plugs back, in the words of the rollout report.
    pub fn explain(self) -> &'static str {
        match self {
            Self::NotDelivered => "works not delivered",
            Self::Delivered => "delivered, awaiting reception",
            Self::Rejected => "delivery rejected",
            Self::ReservationsOpen => "reservations open",
            Self::Accepted => "accepted, awaiting handover to the delegatee",
            Self::InOperation => "in operation",
        }
    }
}

/// What the delegatee says of an SRO zone: where its acceptance stands and, once it took the zone into
/// operation, on which day. The day matters because a premise cannot be raccordable before its zone is operated:
/// it dates the premises whose PBO was built earlier ([`crate::plugs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ZoneHandover {
    pub acceptance: ZoneAcceptance,
    /// The day the zone was taken into operation; read only when `acceptance` is [`ZoneAcceptance::InOperation`],
    /// so a date left over from an earlier state cannot date anything.
    #[serde(serialize_with = "crate::data::iso_date::option::serialize")]
    pub in_operation_since: Option<NaiveDate>,
}

impl ZoneHandover {
    /// Taken into operation on `date`.
    pub fn in_operation(date: NaiveDate) -> Self {
        Self {
            acceptance: ZoneAcceptance::InOperation,
            in_operation_since: Some(date),
        }
    }

    /// The day from which the zone's premises may be raccordable: its date of taking into operation, `None` when
    /// it is not in operation or the day is unknown.
    pub fn operating_since(self) -> Option<NaiveDate> {
        self.in_operation_since
            .filter(|_| self.acceptance == ZoneAcceptance::InOperation)
    }
}

/// A state without a date: what a delivery alone can say, or a state before operation.
impl From<ZoneAcceptance> for ZoneHandover {
    fn from(acceptance: ZoneAcceptance) -> Self {
        Self {
            acceptance,
            in_operation_since: None,
        }
    }
}

/// The pair the delegatee's sync gives: state and date of taking into operation.
impl From<(ZoneAcceptance, Option<NaiveDate>)> for ZoneHandover {
    fn from((acceptance, in_operation_since): (ZoneAcceptance, Option<NaiveDate>)) -> Self {
        Self {
            acceptance,
            in_operation_since,
        }
    }
}

/// What keeps a premise from being raccordable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Blocker {
    /// The address is not deployed (its state, or `None` when the delivery gives none).
    NotDeployed(Option<AddressState>),
    PboNotBuilt,
    ZoneNotInOperation(ZoneAcceptance),
}

/// Whether a premise can be connected now (see the module documentation for why all three are needed).
pub fn is_raccordable(state: Option<AddressState>, pbo_built: bool, zone: ZoneAcceptance) -> bool {
    state == Some(AddressState::Deployed) && pbo_built && zone == ZoneAcceptance::InOperation
}

/// Everything that keeps a premise from being raccordable; empty when it is.
pub fn blockers(
    state: Option<AddressState>,
    pbo_built: bool,
    zone: ZoneAcceptance,
) -> Vec<Blocker> {
    let mut found = Vec::new();
    if state != Some(AddressState::Deployed) {
        found.push(Blocker::NotDeployed(state));
    }
    if !pbo_built {
        found.push(Blocker::PboNotBuilt);
    }
    if zone != ZoneAcceptance::InOperation {
        found.push(Blocker::ZoneNotInOperation(zone));
    }
    found
}
