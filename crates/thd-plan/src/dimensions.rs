//! The dimensions plug counts and costs are broken down by, as project managers name them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::PlanError;

/// One axis of a breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Département: the first two characters of the commune's INSEE code (three overseas).
    Department,
    /// Commune, by INSEE code.
    Commune,
    /// NRO zone code.
    Nro,
    /// SRO (PM) zone code.
    Sro,
    /// PBO: the PBO zone code (GraceTHD 2.0.1) or the PBO box code (GraceTHD 3, which has no PBO zones).
    Pbo,
    /// Deployment zone code.
    Deployment,
    /// Phase of the project, from the project's phase mapping.
    Phase,
    /// Tranche within a phase, from the same mapping.
    Tranche,
    /// Contractor who holds the works contract of the zone, from the same mapping.
    Contractor,
}

impl Dimension {
    pub const ALL: [Dimension; 9] = [
        Self::Department,
        Self::Commune,
        Self::Nro,
        Self::Sro,
        Self::Pbo,
        Self::Deployment,
        Self::Phase,
        Self::Tranche,
        Self::Contractor,
    ];

    /// The name used on the command line, in JSON and in CSV headers.
    pub fn name(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Commune => "commune",
            Self::Nro => "nro",
            Self::Sro => "sro",
            Self::Pbo => "pbo",
            Self::Deployment => "deployment",
            Self::Phase => "phase",
            Self::Tranche => "tranche",
            Self::Contractor => "contractor",
        }
    }

    /// Position of the dimension in a unit's key array.
    pub(crate) fn slot(self) -> usize {
        self as usize
    }

    /// Parses a comma-separated list (`department,phase`), as `--by` takes it. Repeated names count once.
    pub fn parse_list(list: &str) -> Result<Vec<Dimension>, PlanError> {
        let mut dims = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let dim: Dimension = name.parse()?;
            if !dims.contains(&dim) {
                dims.push(dim);
            }
        }
        Ok(dims)
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dimension {
    type Err = PlanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|d| d.name() == wanted)
            .ok_or_else(|| PlanError::UnknownDimension {
                given: s.to_owned(),
                known: Self::ALL.map(Self::name).join(", "),
            })
    }
}

/// The département of an INSEE commune code: two characters, three for overseas (`97x`).
pub fn department_of(insee: &str) -> Option<&str> {
    let len = if insee.starts_with("97") { 3 } else { 2 };
    insee.get(..len).filter(|d| d.len() == len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_unknown_names_are_refused_with_the_known_ones() {
        assert_eq!(
            Dimension::parse_list("department, Phase,department").unwrap(),
            vec![Dimension::Department, Dimension::Phase]
        );
        let error = Dimension::parse_list("department,region")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("\"region\"") && error.contains("contractor"),
            "{error}"
        );
    }

    #[test]
    fn departments_come_from_insee_codes() {
        assert_eq!(department_of("29019"), Some("29"));
        assert_eq!(department_of("97411"), Some("974"));
        assert_eq!(department_of("2"), None);
    }
}
