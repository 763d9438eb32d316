//! Which phase, tranche and contractor each part of the territory belongs to.
//!
//! Deliveries do not say which phase of the project they belong to: the project decides it, zone by zone, when it
//! awards the works. The mapping is a small CSV of the project's data (`data/plan/phases.csv` is an example):
//!
//! ```text
//! scope,code,phase,tranche,contractor,due
//! deployment,ZD222780000001,phase_2,t1,Axians,2021-06-30
//! sro,ZS222780000002,phase_2,t2,Axians,
//! commune,29019,phase_3,,Sogetrel,2025-12-31
//! ```
//!
//! A plug takes the assignment of its deployment zone, else of its SRO zone, else of its commune: the finest
//! scope wins, so a commune can be assigned wholesale and a few of its zones moved to another tranche. `due` is
//! the date by which the zone should be raccordable; the rollout report lists zones past it as late.

use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

use crate::{PlanError, data};

const HINT: &str = "columns: scope (deployment, sro or commune), code, phase, tranche, contractor, due (YYYY-MM-DD); one row per zone or commune";

/// What a mapping row applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Deployment,
    Sro,
    Commune,
}

/// The phase, tranche and contractor of a zone or commune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub phase: String,
    pub tranche: Option<String>,
    pub contractor: Option<String>,
    /// The date the zone should be raccordable by.
    #[serde(serialize_with = "crate::data::iso_date::option::serialize")]
    pub due: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct Row {
    scope: Scope,
    code: String,
    phase: String,
    tranche: Option<String>,
    contractor: Option<String>,
    due: Option<String>,
}

/// The project's phase mapping. The empty map assigns nothing: every plug is then in no phase.
#[derive(Debug, Clone, Default)]
pub struct PhaseMap {
    assignments: Vec<Assignment>,
    deployment: FxHashMap<String, usize>,
    sro: FxHashMap<String, usize>,
    commune: FxHashMap<String, usize>,
}

impl PhaseMap {
    /// Parses a mapping; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PlanError> {
        let mut map = Self::default();
        let mut lines: FxHashMap<(Scope, String), u64> = FxHashMap::default();
        for (line, row) in data::records::<Row>(text, origin, HINT)? {
            if row.code.is_empty() || row.phase.is_empty() {
                return Err(PlanError::data(origin, line, "empty code or phase", HINT));
            }
            if let Some(first) = lines.insert((row.scope, row.code.clone()), line) {
                return Err(PlanError::data(
                    origin,
                    line,
                    format!(
                        "{:?} {} is already mapped on line {first}",
                        row.scope, row.code
                    ),
                    "keep one row per zone or commune",
                ));
            }
            let due = row
                .due
                .as_deref()
                .map(|d| data::date(d, origin, line, HINT))
                .transpose()?;
            let assignment = Assignment {
                phase: row.phase,
                tranche: row.tranche,
                contractor: row.contractor,
                due,
            };
            map.assign(row.scope, &row.code, assignment);
        }
        Ok(map)
    }

    /// Reads and parses a mapping file.
    pub fn load(path: &Path) -> Result<Self, PlanError> {
        Self::parse(&data::read(path)?, &path.display().to_string())
    }

    /// Adds or replaces one assignment (for projects that keep their mapping elsewhere than in a CSV).
    pub fn assign(&mut self, scope: Scope, code: &str, assignment: Assignment) {
        let target = match scope {
            Scope::Deployment => &mut self.deployment,
            Scope::Sro => &mut self.sro,
            Scope::Commune => &mut self.commune,
        };
        match target.get(code) {
            Some(&index) => self.assignments[index] = assignment,
            None => {
                target.insert(code.to_owned(), self.assignments.len());
                self.assignments.push(assignment);
            }
        }
    }

    /// The assignment of a plug from its deployment zone, SRO zone and commune codes: the finest scope wins.
    pub fn lookup(
        &self,
        deployment: Option<&str>,
        sro: Option<&str>,
        commune: Option<&str>,
    ) -> Option<&Assignment> {
        self.position(deployment, sro, commune)
            .map(|index| &self.assignments[index])
    }

    /// Like [`PhaseMap::lookup`], the position of the assignment in [`PhaseMap::assignments`].
    pub(crate) fn position(
        &self,
        deployment: Option<&str>,
        sro: Option<&str>,
        commune: Option<&str>,
    ) -> Option<usize> {
        deployment
            .and_then(|c| self.deployment.get(c))
            .or_else(|| sro.and_then(|c| self.sro.get(c)))
            .or_else(|| commune.and_then(|c| self.commune.get(c)))
            .copied()
    }

    /// Every assignment, in the order of the file.
    pub fn assignments(&self) -> &[Assignment] {
        &self.assignments
    }

    pub fn len(&self) -> usize {
        self.assignments.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = "# example\nscope,code,phase,tranche,contractor,due\n\
        commune,29019,phase_3,,Sogetrel,2025-12-31\n\
        sro,ZS1,phase_2,t2,Axians,\n\
        deployment,ZD1,phase_1,t1,,2019-06-30\n";

    #[test]
    fn the_finest_scope_wins() {
        let map = PhaseMap::parse(MAP, "phases.csv").unwrap();
        assert_eq!(map.len(), 3);
        let phase = |d, s, c| map.lookup(d, s, c).map(|a| a.phase.as_str());
        assert_eq!(
            phase(Some("ZD1"), Some("ZS1"), Some("29019")),
            Some("phase_1")
        );
        assert_eq!(
            phase(Some("ZD9"), Some("ZS1"), Some("29019")),
            Some("phase_2")
        );
        assert_eq!(phase(None, Some("ZS9"), Some("29019")), Some("phase_3"));
        assert_eq!(phase(None, None, Some("35238")), None);
        let commune = map.lookup(None, None, Some("29019")).unwrap();
        assert_eq!(commune.tranche, None);
        assert_eq!(commune.contractor.as_deref(), Some("Sogetrel"));
        assert_eq!(commune.due, NaiveDate::from_ymd_opt(2025, 12, 31));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let duplicate = format!("{MAP}sro,ZS1,phase_3,,,\n");
        let error = PhaseMap::parse(&duplicate, "phases.csv")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("phases.csv, line 6") && error.contains("line 4"),
            "{error}"
        );
        let bad_date = "scope,code,phase,tranche,contractor,due\nsro,ZS1,phase_2,,,31/12/2025\n";
        let error = PhaseMap::parse(bad_date, "p.csv").unwrap_err().to_string();
        assert!(
            error.contains("p.csv, line 2") && error.contains("YYYY-MM-DD"),
            "{error}"
        );
        let bad_scope = "scope,code,phase,tranche,contractor,due\nregion,53,phase_2,,,\n";
        let error = PhaseMap::parse(bad_scope, "p.csv").unwrap_err().to_string();
        assert!(
            error.contains("line 2") && error.contains("scope"),
            "{error}"
        );
    }
}
