//! Cost per plug: the bill of quantities priced by the schedule (the works), plus the phase-level costs
//! (engineering, other investment, connection subsidies, financial charges), over the plugs, by phase ×
//! department.
//!
//! The same arithmetic ([`CostRow::new`], [`CostTable::new`]) turns the operator's published phase totals into
//! its published cost per plug ([`PhaseTotals`], `data/plan/published_cost_2019.csv`), so the model is checked
//! against figures that were computed by someone else.
//!
//! # Which phase and department an object's cost goes to
//! Phases are assigned zone by zone and departments commune by commune, but a chamber or a cable belongs to no
//! commune in a delivery. An object goes to the cell (phase × department) holding most plugs of the SRO zone
//! its node lies in (a path's first end, a cable's downstream end, a box's technical point); outside every SRO
//! zone (an NRO shelter, transport cables), of its NRO zone; outside both, to the cell with neither phase nor
//! department, which stays visible in the report.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use thd_network::{Id, Network, Node};

use crate::dimensions::Dimension;
use crate::plugs::PlugIndex;
use crate::prices::{PriceSchedule, PriceUnit};
use crate::quantities::{BillOfQuantities, measure_by};
use crate::spatial::ZoneLocator;
use crate::{PlanError, data};

/// A phase-level cost: what a phase costs beyond its works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseCostKind {
    /// Studies and works supervision (maîtrise d'œuvre).
    Engineering,
    OtherInvestment,
    /// Subsidies of the final connections (raccordements) of subscribers.
    ConnectionSubsidies,
    FinancialCharges,
}

impl PhaseCostKind {
    pub const ALL: [PhaseCostKind; 4] = [
        Self::Engineering,
        Self::OtherInvestment,
        Self::ConnectionSubsidies,
        Self::FinancialCharges,
    ];
}

/// How a phase-level cost is reckoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A share of the works (0.05 = 5 %).
    WorksShare,
    /// Euros per plug.
    PerPlug,
    /// Euros for the phase, shared among its departments in proportion to their plugs.
    Amount,
}

/// One rule of the phase-level costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseCostRule {
    /// The phase it applies to; `*` for every phase.
    pub phase: String,
    pub cost: PhaseCostKind,
    pub basis: Basis,
    pub value: f64,
}

const PHASE_HINT: &str = "columns: phase (a phase name or *), cost (engineering, other_investment, connection_subsidies, financial_charges), basis (works_share, per_plug, amount), value";

/// The phase-level cost rules (`data/plan/phase_costs.csv`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PhaseCosts {
    pub rules: Vec<PhaseCostRule>,
}

impl PhaseCosts {
    pub fn parse(text: &str, origin: &str) -> Result<Self, PlanError> {
        let mut rules: Vec<PhaseCostRule> = Vec::new();
        let mut seen: BTreeMap<(String, PhaseCostKind), u64> = BTreeMap::new();
        for (line, rule) in data::records::<PhaseCostRule>(text, origin, PHASE_HINT)? {
            if !(rule.value.is_finite() && rule.value >= 0.0) {
                return Err(PlanError::data(
                    origin,
                    line,
                    format!("value {}", rule.value),
                    PHASE_HINT,
                ));
            }
            if let Some(first) = seen.insert((rule.phase.clone(), rule.cost), line) {
                return Err(PlanError::data(
                    origin,
                    line,
                    format!(
                        "{:?} of phase {} is already given on line {first}",
                        rule.cost, rule.phase
                    ),
                    "one rule per phase and cost; a phase's own rule overrides the * rule",
                ));
            }
            rules.push(rule);
        }
        Ok(Self { rules })
    }

    /// The rule of a cost for a phase: the phase's own, else the `*` one.
    fn rule(&self, phase: Option<&str>, cost: PhaseCostKind) -> Option<&PhaseCostRule> {
        let of = |p: &str| self.rules.iter().find(|r| r.cost == cost && r.phase == p);
        phase.and_then(of).or_else(|| of("*"))
    }
}

/// The prices and the phase-level rules.
#[derive(Debug, Clone)]
pub struct CostModel {
    pub prices: PriceSchedule,
    pub phase_costs: PhaseCosts,
}

const BUILTIN_PHASE_COSTS: &str = include_str!("../../../data/plan/phase_costs.csv");

impl CostModel {
    /// The defaults of `data/plan/` (`prices.csv`, `phase_costs.csv`).
    pub fn builtin() -> Self {
        Self {
            prices: PriceSchedule::builtin(),
            // Part of the crate, its parse is tested: failing here is a build defect.
            phase_costs: PhaseCosts::parse(BUILTIN_PHASE_COSTS, "data/plan/phase_costs.csv")
                .unwrap_or_else(|e| panic!("the built-in phase costs are invalid: {e}")),
        }
    }

    /// Reads `prices.csv` and `phase_costs.csv` from a folder laid out like `data/plan/`.
    pub fn load(folder: &Path) -> Result<Self, PlanError> {
        let phase_costs = folder.join("phase_costs.csv");
        Ok(Self {
            prices: PriceSchedule::load(&folder.join("prices.csv"))?,
            phase_costs: PhaseCosts::parse(
                &data::read(&phase_costs)?,
                &phase_costs.display().to_string(),
            )?,
        })
    }
}

/// Costs of one group of plugs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostRow {
    pub phase: Option<String>,
    pub department: Option<String>,
    pub plugs: u64,
    /// Works: the priced bill of quantities (or the published works amount).
    pub works_eur: f64,
    pub phase_costs: BTreeMap<PhaseCostKind, f64>,
    pub total_eur: f64,
    /// `total_eur / plugs`; `None` without plugs.
    pub per_plug_eur: Option<f64>,
}

impl CostRow {
    pub fn new(
        phase: Option<String>,
        department: Option<String>,
        plugs: u64,
        works_eur: f64,
        phase_costs: BTreeMap<PhaseCostKind, f64>,
    ) -> Self {
        let total_eur = works_eur + phase_costs.values().sum::<f64>();
        Self {
            phase,
            department,
            plugs,
            works_eur,
            phase_costs,
            total_eur,
            per_plug_eur: (plugs > 0).then(|| total_eur / plugs as f64),
        }
    }

    /// Cost per plug rounded to the euro, as published.
    pub fn per_plug_rounded(&self) -> Option<i64> {
        self.per_plug_eur.map(|c| c.round() as i64)
    }
}

/// Rows and their total (the sum of the rows, its cost per plug computed from the sums).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostTable {
    pub rows: Vec<CostRow>,
    pub total: CostRow,
}

impl CostTable {
    pub fn new(rows: Vec<CostRow>) -> Self {
        let total = sum_rows(None, None, rows.iter());
        Self { rows, total }
    }
}

fn sum_rows<'a>(
    phase: Option<String>,
    department: Option<String>,
    rows: impl Iterator<Item = &'a CostRow>,
) -> CostRow {
    let (mut plugs, mut works) = (0, 0.0);
    let mut phase_costs: BTreeMap<PhaseCostKind, f64> = BTreeMap::new();
    for row in rows {
        plugs += row.plugs;
        works += row.works_eur;
        for (kind, amount) in &row.phase_costs {
            *phase_costs.entry(*kind).or_default() += amount;
        }
    }
    CostRow::new(phase, department, plugs, works, phase_costs)
}

/// A phase's published totals: plugs, works and phase-level costs in euros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseTotals {
    pub phase: String,
    pub plugs: u64,
    pub works_eur: f64,
    pub engineering_eur: Option<f64>,
    pub other_investment_eur: Option<f64>,
    pub connection_subsidies_eur: Option<f64>,
    pub financial_charges_eur: Option<f64>,
    /// The total as published, rounded by its publisher: kept to check the sum of the parts against it.
    pub published_total_eur: f64,
}

const TOTALS_HINT: &str = "columns: phase, plugs, works_eur, engineering_eur, other_investment_eur, connection_subsidies_eur, financial_charges_eur, published_total_eur (euros; empty = no amount)";

impl PhaseTotals {
    /// Parses phase totals in the project's format (`data/plan/published_cost_2019.csv`).
    pub fn parse(text: &str, origin: &str) -> Result<Vec<Self>, PlanError> {
        Ok(data::records::<Self>(text, origin, TOTALS_HINT)?
            .into_iter()
            .map(|(_, row)| row)
            .collect())
    }

    pub fn load(path: &Path) -> Result<Vec<Self>, PlanError> {
        Self::parse(&data::read(path)?, &path.display().to_string())
    }

    /// The phase's cost row: works plus the phase-level amounts given.
    pub fn row(&self) -> CostRow {
        let phase_costs = [
            (PhaseCostKind::Engineering, self.engineering_eur),
            (PhaseCostKind::OtherInvestment, self.other_investment_eur),
            (
                PhaseCostKind::ConnectionSubsidies,
                self.connection_subsidies_eur,
            ),
            (PhaseCostKind::FinancialCharges, self.financial_charges_eur),
        ]
        .into_iter()
        .filter_map(|(kind, amount)| Some((kind, amount?)))
        .collect();
        CostRow::new(
            Some(self.phase.clone()),
            None,
            self.plugs,
            self.works_eur,
            phase_costs,
        )
    }

    /// The cost table of a list of phase totals: one row per phase and the overall total.
    pub fn table(totals: &[PhaseTotals]) -> CostTable {
        CostTable::new(totals.iter().map(Self::row).collect())
    }
}

/// One priced line of a cell's bill.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PricedLine {
    pub item: String,
    pub unit: PriceUnit,
    pub quantity: f64,
    /// The schedule item that priced it (it may be a fallback, see [`crate::prices`]); `None` when unpriced.
    pub priced_as: Option<String>,
    pub unit_price_eur: Option<f64>,
    pub amount_eur: f64,
}

/// The bill of one phase × department cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellBill {
    pub phase: Option<String>,
    pub department: Option<String>,
    pub lines: Vec<PricedLine>,
    pub missing_lengths: u64,
}

/// Costs of a network by phase × department, with the bill of quantities behind them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostReport {
    pub table: CostTable,
    pub bills: Vec<CellBill>,
    /// Items the schedule has no price for (nor a fallback), with their quantity over the network: the works
    /// are understated by these; add a row to the schedule.
    pub unpriced: BTreeMap<String, f64>,
}

impl CostReport {
    /// The costs grouped by phase and/or department (no dimension: the total alone).
    pub fn by(&self, dimensions: &[Dimension]) -> Result<CostTable, PlanError> {
        for &dimension in dimensions {
            if !matches!(dimension, Dimension::Phase | Dimension::Department) {
                return Err(PlanError::NotACostDimension { dimension });
            }
        }
        let (by_phase, by_department) = (
            dimensions.contains(&Dimension::Phase),
            dimensions.contains(&Dimension::Department),
        );
        let mut groups: BTreeMap<(Option<String>, Option<String>), Vec<&CostRow>> = BTreeMap::new();
        for row in &self.table.rows {
            let key = (
                row.phase.clone().filter(|_| by_phase),
                row.department.clone().filter(|_| by_department),
            );
            groups.entry(key).or_default().push(row);
        }
        Ok(CostTable::new(
            groups
                .into_iter()
                .map(|((phase, department), rows)| sum_rows(phase, department, rows.into_iter()))
                .collect(),
        ))
    }
}

/// For each node, the index of its phase × department cell, from the cell of each plug (`unit_cells`).
fn node_cells(
    network: &Network,
    index: &PlugIndex,
    unit_cells: &[usize],
    cells: usize,
    outside: usize,
) -> Vec<usize> {
    // The cell holding most plugs of each SRO and NRO zone (the first cell on a tie).
    let majority = |dimension: Dimension| {
        let zones = index.cardinality(dimension);
        let mut plugs = vec![0u64; zones * cells];
        for (unit, &cell) in index.units().iter().zip(unit_cells) {
            plugs[unit.keys[dimension.slot()] as usize * cells + cell] += u64::from(unit.plugs);
        }
        plugs
            .chunks(cells)
            .map(|row| {
                let (cell, &n) = row.iter().enumerate().rev().max_by_key(|&(_, n)| *n)?;
                (n > 0).then_some(cell)
            })
            .collect::<Vec<Option<usize>>>()
    };
    let (sro_cells, nro_cells) = (majority(Dimension::Sro), majority(Dimension::Nro));
    let (sro, nro) = (
        ZoneLocator::new(&network.sro_zones),
        ZoneLocator::new(&network.nro_zones),
    );
    network
        .nodes
        .iter()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|(_, _, node)| {
            let Some(at) = node.location else {
                return outside;
            };
            sro.locate(at)
                .and_then(|z| sro_cells[z.index() + 1])
                .or_else(|| nro.locate(at).and_then(|z| nro_cells[z.index() + 1]))
                .unwrap_or(outside)
        })
        .collect()
}

/// Prices the network's bill of quantities and adds the phase-level costs, by phase × department.
pub fn cost_report(network: &Network, index: &PlugIndex, model: &CostModel) -> CostReport {
    // Cells: every phase × department with plugs, plus the cell of objects outside every zone.
    let departments = index.cardinality(Dimension::Department);
    let mut dense: Vec<Option<usize>> =
        vec![None; index.cardinality(Dimension::Phase) * departments];
    let mut cell_plugs: Vec<(Option<String>, Option<String>, u64)> = Vec::new();
    let mut cell_of = |phase: u32, department: u32| {
        let slot = &mut dense[phase as usize * departments + department as usize];
        *slot.get_or_insert_with(|| {
            cell_plugs.push((
                index.value(Dimension::Phase, phase).map(str::to_owned),
                index
                    .value(Dimension::Department, department)
                    .map(str::to_owned),
                0,
            ));
            cell_plugs.len() - 1
        })
    };
    let unit_cells: Vec<usize> = index
        .units()
        .iter()
        .map(|u| {
            cell_of(
                u.keys[Dimension::Phase.slot()],
                u.keys[Dimension::Department.slot()],
            )
        })
        .collect();
    let outside = cell_of(0, 0);
    for (unit, &cell) in index.units().iter().zip(&unit_cells) {
        cell_plugs[cell].2 += u64::from(unit.plugs);
    }

    let node_cell = node_cells(network, index, &unit_cells, cell_plugs.len(), outside);
    let bills = measure_by(network, cell_plugs.len(), |node: Option<Id<Node>>| {
        node.map_or(outside, |n| node_cell[n.index()])
    });

    let mut unpriced: BTreeMap<String, f64> = BTreeMap::new();
    let priced: Vec<(CellBill, f64)> = bills
        .into_iter()
        .zip(&cell_plugs)
        .map(|(bill, (phase, department, _))| {
            price_bill(bill, model, phase, department, &mut unpriced)
        })
        .collect();

    // Amount-based phase costs are shared by the phase's cells in proportion to their plugs.
    let mut phase_plugs: BTreeMap<Option<&str>, u64> = BTreeMap::new();
    for (phase, _, n) in &cell_plugs {
        *phase_plugs.entry(phase.as_deref()).or_default() += n;
    }
    let mut rows = Vec::new();
    let mut cell_bills = Vec::new();
    for ((bill, works), (phase, department, n)) in priced.into_iter().zip(&cell_plugs) {
        let mut phase_costs = BTreeMap::new();
        for kind in PhaseCostKind::ALL {
            let Some(rule) = model.phase_costs.rule(phase.as_deref(), kind) else {
                continue;
            };
            let amount = match rule.basis {
                Basis::WorksShare => rule.value * works,
                Basis::PerPlug => rule.value * *n as f64,
                Basis::Amount => match phase_plugs[&phase.as_deref()] {
                    0 => 0.0,
                    all => rule.value * *n as f64 / all as f64,
                },
            };
            phase_costs.insert(kind, amount);
        }
        let empty = *n == 0 && works == 0.0 && bill.missing_lengths == 0;
        if !empty {
            rows.push(CostRow::new(
                phase.clone(),
                department.clone(),
                *n,
                works,
                phase_costs,
            ));
            cell_bills.push(bill);
        }
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        (&rows[a].phase, &rows[a].department).cmp(&(&rows[b].phase, &rows[b].department))
    });
    let rows: Vec<CostRow> = order.iter().map(|&i| rows[i].clone()).collect();
    let bills: Vec<CellBill> = order.iter().map(|&i| cell_bills[i].clone()).collect();
    CostReport {
        table: CostTable::new(rows),
        bills,
        unpriced,
    }
}

/// Prices one cell's bill; returns it with the works amount.
fn price_bill(
    bill: BillOfQuantities,
    model: &CostModel,
    phase: &Option<String>,
    department: &Option<String>,
    unpriced: &mut BTreeMap<String, f64>,
) -> (CellBill, f64) {
    let mut works = 0.0;
    let lines = bill
        .lines
        .into_iter()
        .map(|(item, q)| {
            // A price in another unit than the measure cannot apply: the line stays unpriced.
            let price = model.prices.price(&item).filter(|(_, p)| p.unit == q.unit);
            let amount = price.map_or(0.0, |(_, p)| p.eur * q.quantity);
            if price.is_none() {
                *unpriced.entry(item.clone()).or_default() += q.quantity;
            }
            works += amount;
            PricedLine {
                priced_as: price.map(|(k, _)| k.to_owned()),
                unit_price_eur: price.map(|(_, p)| p.eur),
                item,
                unit: q.unit,
                quantity: q.quantity,
                amount_eur: amount,
            }
        })
        .collect();
    (
        CellBill {
            phase: phase.clone(),
            department: department.clone(),
            lines,
            missing_lengths: bill.missing_lengths,
        },
        works,
    )
}
