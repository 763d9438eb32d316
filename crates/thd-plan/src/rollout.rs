//! Rollout: the plan per phase and year, the plugs made raccordable per month, a forecast from the recent pace,
//! and the zones past their due date with what holds them back.
//!
//! The plan is data (`data/plan/rollout_plan.csv`, built in as [`RolloutPlan::builtin`]): the project's yearly
//! targets change by amendment, not by release. Realised figures come from the [`PlugIndex`]: a plug counts in
//! the month it became raccordable (see [`crate::plugs`] for the rule and the date). The forecast extends the
//! pace of the last complete months, because the pace of a rollout changes with the contractors' teams and a
//! whole-project average hides it.

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use crate::dimensions::Dimension;
use crate::plugs::PlugIndex;
use crate::raccordabilite::{AddressState, ZoneAcceptance};
use crate::{PlanError, data};

const HINT: &str = "columns: phase, year, plugs (plugs to make raccordable that year)";

/// Plugs a phase should make raccordable in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRow {
    pub phase: String,
    pub year: i32,
    pub plugs: u64,
}

/// The rollout plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RolloutPlan {
    pub rows: Vec<PlanRow>,
}

const BUILTIN: &str = include_str!("../../../data/plan/rollout_plan.csv");

impl RolloutPlan {
    pub fn parse(text: &str, origin: &str) -> Result<Self, PlanError> {
        let mut rows: Vec<PlanRow> = Vec::new();
        let mut seen: BTreeMap<(String, i32), u64> = BTreeMap::new();
        for (line, row) in data::records::<PlanRow>(text, origin, HINT)? {
            if let Some(first) = seen.insert((row.phase.clone(), row.year), line) {
                return Err(PlanError::data(
                    origin,
                    line,
                    format!(
                        "{} {} is already planned on line {first}",
                        row.phase, row.year
                    ),
                    "one row per phase and year",
                ));
            }
            rows.push(row);
        }
        Ok(Self { rows })
    }

    pub fn load(path: &Path) -> Result<Self, PlanError> {
        Self::parse(&data::read(path)?, &path.display().to_string())
    }

    /// The defaults of `data/plan/rollout_plan.csv`.
    pub fn builtin() -> Self {
        // Part of the crate, its parse is tested: failing here is a build defect.
        Self::parse(BUILTIN, "data/plan/rollout_plan.csv")
            .unwrap_or_else(|e| panic!("the built-in rollout plan is invalid: {e}"))
    }

    /// Planned plugs per year, for one phase or (`None`) all of them.
    pub fn by_year(&self, phase: Option<&str>) -> BTreeMap<i32, u64> {
        let mut years = BTreeMap::new();
        for row in self
            .rows
            .iter()
            .filter(|r| phase.is_none_or(|p| p == r.phase))
        {
            *years.entry(row.year).or_default() += row.plugs;
        }
        years
    }

    /// Planned plugs of a phase over all years.
    pub fn phase_total(&self, phase: &str) -> u64 {
        self.by_year(Some(phase)).values().sum()
    }
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i64) -> Self {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + n;
        Self {
            year: index.div_euclid(12) as i32,
            month: index.rem_euclid(12) as u32 + 1,
        }
    }
}

/// Plan and realised of one year, for one phase or all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearLine {
    /// `None`: all phases.
    pub phase: Option<String>,
    pub year: i32,
    pub planned: u64,
    pub planned_cumulative: u64,
    pub realised: u64,
    pub realised_cumulative: u64,
}

/// Plugs made raccordable in a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthLine {
    pub month: Month,
    pub raccordable: u64,
    pub cumulative: u64,
}

/// Where the rollout goes at its recent pace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Complete months the pace was measured over (those just before the report's month).
    pub window_months: u32,
    pub pace_per_month: f64,
    /// Plugs of the network not raccordable yet (abandoned addresses left out).
    pub remaining: u64,
    /// The month the last plug would become raccordable; `None` when nothing moved in the window.
    pub completion: Option<Month>,
    /// Forecast raccordable plugs at the end of each year until completion.
    pub year_ends: Vec<(i32, u64)>,
}

/// What holds a late zone back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LateReason {
    /// The zone is not in operation: not delivered, rejected, reservations open...
    Zone(ZoneAcceptance),
    /// Plugs whose PBO is not built.
    PboNotBuilt { plugs: u64 },
    /// Plugs whose address is not deployed (DE).
    NotDeployed { plugs: u64 },
}

impl LateReason {
    /// The reason in the words of a report.
    pub fn explain(&self) -> String {
        match self {
            Self::Zone(acceptance) => acceptance.explain().to_owned(),
            Self::PboNotBuilt { plugs } => format!("{plugs} plugs without a built PBO"),
            Self::NotDeployed { plugs } => format!("{plugs} plugs at addresses not deployed"),
        }
    }
}

/// An SRO zone past its due date with plugs not raccordable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LateZone {
    pub sro: String,
    pub phase: Option<String>,
    #[serde(serialize_with = "crate::data::iso_date::serialize")]
    pub due: NaiveDate,
    pub plugs: u64,
    pub raccordable: u64,
    pub reasons: Vec<LateReason>,
}

/// Plan vs realised vs forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RolloutReport {
    #[serde(serialize_with = "crate::data::iso_date::serialize")]
    pub as_of: NaiveDate,
    /// Plugs of the network, abandoned addresses left out.
    pub target: u64,
    pub raccordable: u64,
    /// Raccordable plugs whose date is unknown (not in the monthly figures).
    pub undated: u64,
    pub years: Vec<YearLine>,
    pub months: Vec<MonthLine>,
    pub forecast: Forecast,
    pub late_zones: Vec<LateZone>,
}

/// The rollout report on `as_of`, with a forecast from the pace of the `window_months` complete months before.
pub fn rollout_report(
    index: &PlugIndex,
    plan: &RolloutPlan,
    as_of: NaiveDate,
    window_months: u32,
) -> RolloutReport {
    let mut target = 0;
    let mut raccordable = 0;
    let mut undated = 0;
    let mut months: BTreeMap<Month, u64> = BTreeMap::new();
    // Realised plugs per (phase key, year).
    let mut realised: FxHashMap<(u32, i32), u64> = FxHashMap::default();
    for unit in index.units() {
        if unit.state == Some(AddressState::Abandoned) {
            continue;
        }
        let plugs = u64::from(unit.plugs);
        target += plugs;
        if !unit.raccordable() {
            continue;
        }
        match unit.since.filter(|d| *d <= as_of) {
            Some(date) => {
                raccordable += plugs;
                *months.entry(Month::of(date)).or_default() += plugs;
                *realised
                    .entry((unit.keys[Dimension::Phase.slot()], date.year()))
                    .or_default() += plugs;
            }
            // Dated after the report: not raccordable yet on that day.
            None if unit.since.is_some() => {}
            None => {
                raccordable += plugs;
                undated += plugs;
            }
        }
    }

    let mut cumulative = 0;
    let months: Vec<MonthLine> = months
        .into_iter()
        .map(|(month, n)| {
            cumulative += n;
            MonthLine {
                month,
                raccordable: n,
                cumulative,
            }
        })
        .collect();

    let years = year_lines(index, plan, &realised);

    let this_month = Month::of(as_of);
    let window_start = this_month.plus(-i64::from(window_months));
    let moved: u64 = months
        .iter()
        .filter(|m| m.month >= window_start && m.month < this_month)
        .map(|m| m.raccordable)
        .sum();
    let pace = if window_months == 0 {
        0.0
    } else {
        moved as f64 / f64::from(window_months)
    };
    let remaining = target - raccordable;
    let completion = if remaining == 0 {
        Some(this_month)
    } else if pace > 0.0 {
        Some(this_month.plus((remaining as f64 / pace).ceil() as i64))
    } else {
        None
    };
    let mut year_ends = Vec::new();
    if let Some(end) = completion {
        for year in as_of.year()..=end.year {
            let months_ahead =
                i64::from(year - as_of.year()) * 12 + 12 - i64::from(as_of.month()) + 1;
            let reached = raccordable as f64 + pace * months_ahead as f64;
            year_ends.push((year, (reached.round() as u64).min(target)));
        }
    }

    RolloutReport {
        as_of,
        target,
        raccordable,
        undated,
        years,
        months,
        forecast: Forecast {
            window_months,
            pace_per_month: pace,
            remaining,
            completion,
            year_ends,
        },
        late_zones: late_zones(index, as_of),
    }
}

/// Plan and realised per year: every phase of the plan, then all phases together.
fn year_lines(
    index: &PlugIndex,
    plan: &RolloutPlan,
    realised: &FxHashMap<(u32, i32), u64>,
) -> Vec<YearLine> {
    let mut realised_by_phase: BTreeMap<Option<&str>, BTreeMap<i32, u64>> = BTreeMap::new();
    for (&(phase, year), &n) in realised {
        let phase = index.value(Dimension::Phase, phase);
        *realised_by_phase
            .entry(phase)
            .or_default()
            .entry(year)
            .or_default() += n;
        *realised_by_phase
            .entry(None)
            .or_default()
            .entry(year)
            .or_default() += n;
    }
    let mut phases: Vec<Option<&str>> = plan.rows.iter().map(|r| Some(r.phase.as_str())).collect();
    phases.sort();
    phases.dedup();
    phases.push(None);
    let empty = BTreeMap::new();
    let mut lines = Vec::new();
    for phase in phases {
        let planned = plan.by_year(phase);
        let done = realised_by_phase.get(&phase).unwrap_or(&empty);
        let years: std::collections::BTreeSet<i32> =
            planned.keys().chain(done.keys()).copied().collect();
        let (mut planned_cumulative, mut realised_cumulative) = (0, 0);
        for year in years {
            let (p, r) = (
                planned.get(&year).copied().unwrap_or(0),
                done.get(&year).copied().unwrap_or(0),
            );
            planned_cumulative += p;
            realised_cumulative += r;
            lines.push(YearLine {
                phase: phase.map(str::to_owned),
                year,
                planned: p,
                planned_cumulative,
                realised: r,
                realised_cumulative,
            });
        }
    }
    lines
}

/// SRO zones whose due date (from the phase mapping) has passed with plugs still not raccordable.
fn late_zones(index: &PlugIndex, as_of: NaiveDate) -> Vec<LateZone> {
    #[derive(Default)]
    struct Zone {
        due: Option<NaiveDate>,
        phase: u32,
        plugs: u64,
        raccordable: u64,
        pbo_missing: u64,
        not_deployed: u64,
        acceptance: Option<ZoneAcceptance>,
    }
    let mut zones: BTreeMap<u32, Zone> = BTreeMap::new();
    for unit in index.units() {
        let sro = unit.keys[Dimension::Sro.slot()];
        let Some(due) = unit.assignment.and_then(|a| index.assignment(a).due) else {
            continue;
        };
        if sro == 0 || due >= as_of || unit.state == Some(AddressState::Abandoned) {
            continue;
        }
        let zone = zones.entry(sro).or_default();
        zone.due = Some(zone.due.map_or(due, |d| d.min(due)));
        zone.phase = unit.keys[Dimension::Phase.slot()];
        let plugs = u64::from(unit.plugs);
        zone.plugs += plugs;
        if unit.raccordable() && unit.since.is_none_or(|d| d <= as_of) {
            zone.raccordable += plugs;
        }
        if !unit.pbo_built {
            zone.pbo_missing += plugs;
        }
        if unit.state != Some(AddressState::Deployed) {
            zone.not_deployed += plugs;
        }
        zone.acceptance = Some(unit.acceptance);
    }
    zones
        .into_iter()
        .filter(|(_, z)| z.raccordable < z.plugs)
        .filter_map(|(sro, z)| {
            let mut reasons = Vec::new();
            if let Some(a) = z.acceptance.filter(|a| *a != ZoneAcceptance::InOperation) {
                reasons.push(LateReason::Zone(a));
            }
            if z.pbo_missing > 0 {
                reasons.push(LateReason::PboNotBuilt {
                    plugs: z.pbo_missing,
                });
            }
            if z.not_deployed > 0 {
                reasons.push(LateReason::NotDeployed {
                    plugs: z.not_deployed,
                });
            }
            Some(LateZone {
                sro: index.value(Dimension::Sro, sro)?.to_owned(),
                phase: index.value(Dimension::Phase, z.phase).map(str::to_owned),
                due: z.due?,
                plugs: z.plugs,
                raccordable: z.raccordable,
                reasons,
            })
        })
        .collect()
}
