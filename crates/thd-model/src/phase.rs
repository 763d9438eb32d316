//! The phase of a delivery, which decides what must be filled in.
//!
//! GraceTHD objects carry their study or works phase in `*_statut` (list `l_statut`). The reference checker's
//! filling grid says, per attribute and phase, whether a value is mandatory (O), conditional (C), optional (F)
//! or not applicable (N). A delivery's phase is given by the engineer or, failing that, the most frequent
//! `*_statut` of its objects (a delivery mixes phases only at the edges: existing objects in a new study).

use crate::RawDelivery;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The phases of `l_statut`, in project order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Phase {
    /// Étude préliminaire.
    Pre,
    /// Étude de diagnostic.
    Dia,
    /// Avant-projet.
    Avp,
    /// Projet.
    Pro,
    /// Passation des marchés de travaux.
    Act,
    /// Études d'exécution.
    Exe,
    /// Travaux.
    Tvx,
    /// Récolement (as-built).
    Rec,
    /// Maintien en conditions opérationnelles.
    Mco,
}

impl Phase {
    pub const ALL: [Phase; 9] = [
        Self::Pre,
        Self::Dia,
        Self::Avp,
        Self::Pro,
        Self::Act,
        Self::Exe,
        Self::Tvx,
        Self::Rec,
        Self::Mco,
    ];

    /// The `l_statut` code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pre => "PRE",
            Self::Dia => "DIA",
            Self::Avp => "AVP",
            Self::Pro => "PRO",
            Self::Act => "ACT",
            Self::Exe => "EXE",
            Self::Tvx => "TVX",
            Self::Rec => "REC",
            Self::Mco => "MCO",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown phase {s:?} (expected PRE, DIA, AVP, PRO, ACT, EXE, TVX, REC or MCO)"
                )
            })
    }
}

/// What the filling grid asks of an attribute at a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Obligation {
    /// O: a value is required.
    Mandatory,
    /// C: required under conditions the v2.0.1 grid does not state; not checked.
    Conditional,
    /// F: optional.
    Optional,
    /// N: not applicable.
    NotApplicable,
    /// No letter in the grid.
    Unset,
}

impl Obligation {
    pub fn from_letter(letter: u8) -> Self {
        match letter {
            b'O' => Self::Mandatory,
            b'C' => Self::Conditional,
            b'F' => Self::Optional,
            b'N' => Self::NotApplicable,
            _ => Self::Unset,
        }
    }
}

/// How the phase of a check was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "lowercase")]
pub enum PhaseSource {
    /// Given by the engineer (`--phase`).
    Given,
    /// The most frequent `*_statut` among `votes` objects.
    Detected { votes: usize, of: usize },
    /// No object states its phase: AVP, the first phase at which the grid asks for the network's attributes.
    Default,
}

/// The most frequent `*_statut` of the delivery's objects, with its vote count and the number of votes cast.
pub fn detect(delivery: &RawDelivery) -> Option<(Phase, usize, usize)> {
    let mut votes = [0usize; Phase::ALL.len()];
    for table in delivery.tables.values() {
        for (index, column) in table.columns.iter().enumerate() {
            if !column.ends_with("_statut") {
                continue;
            }
            for row in 0..table.len() {
                if let Some(phase) = table.cell(row, index).and_then(|v| v.parse::<Phase>().ok()) {
                    votes[phase as usize] += 1;
                }
            }
        }
    }
    let total: usize = votes.iter().sum();
    // Ties go to the later phase: a delivery moving to execution still carries some study objects.
    let (index, &count) = votes
        .iter()
        .enumerate()
        .max_by_key(|&(i, &count)| (count, i))?;
    (count > 0).then(|| (Phase::ALL[index], count, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_parse_in_any_case_and_keep_their_order() {
        assert_eq!("avp".parse::<Phase>(), Ok(Phase::Avp));
        assert!("XYZ".parse::<Phase>().is_err());
        assert!(Phase::Avp < Phase::Rec);
        for (i, phase) in Phase::ALL.into_iter().enumerate() {
            assert_eq!(phase as usize, i);
        }
    }
}
