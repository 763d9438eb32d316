//! Plans and tracks the rollout: plug counts, cost per plug by phase and department, raccordabilité, plan vs
//! realised vs forecast.
//!
//! Project managers and elected officials ask four questions, one module each:
//!
//! | question | module | entry point |
//! | --- | --- | --- |
//! | how many plugs, where? | [`plugs`] | [`PlugIndex::build`], [`PlugIndex::group_by`] |
//! | at what cost per plug? | [`quantities`], [`prices`], [`cost`] | [`measure`], [`CostModel`], [`cost_report`] |
//! | which premises can be connected now? | [`raccordabilite`] | [`History`], [`is_raccordable`] |
//! | when will the rest be? | [`rollout`] | [`RolloutPlan`], [`rollout_report`] |
//! | what do commercial operators read? | [`ipe`] | [`ipe_rows`], [`write_ipe`] |
//!
//! Everything here is a pure computation on a decoded [`thd_network::Network`] and small data files parsed
//! from text (`data/plan/` holds the project's defaults); reading networks from the store and printing tables
//! belongs to the CLI and the API.

pub mod cost;
mod data;
pub mod dimensions;
mod error;
pub mod ipe;
pub mod phases;
pub mod plugs;
pub mod prices;
pub mod quantities;
pub mod raccordabilite;
pub mod rollout;
mod spatial;

pub use cost::{
    CostModel, CostReport, CostRow, PhaseCostKind, PhaseCosts, PhaseTotals, cost_report,
};
pub use dimensions::Dimension;
pub use error::PlanError;
pub use ipe::{IpeAccessPoint, IpeRow, ipe_columns, ipe_rows, write_ipe};
pub use phases::{Assignment, PhaseMap, Scope};
pub use plugs::{Breakdown, Counts, Group, PlugIndex, ZoneAcceptances};
pub use prices::{Price, PriceSchedule, PriceUnit};
pub use quantities::{BillOfQuantities, measure};
pub use raccordabilite::{
    AddressState, Blocker, History, Refusal, ReplayError, Transition, TransitionError,
    ZoneAcceptance, ZoneHandover, blockers, is_raccordable,
};
pub use rollout::{RolloutPlan, RolloutReport, rollout_report};
