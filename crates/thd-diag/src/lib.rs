//! Diagnostics: the one currency every stage of the engine pays defects in.
//!
//! Readers, decoders and checks never stop at the first problem: each problem becomes a [`Diagnostic`] that
//! names its rule, severity, table, object code, file, row, column, raw value, a French and an English message
//! and a hint, and the work goes on. Rules are declared once as [`Rule`] constants so that their ids, default
//! severities and wording are stable across releases (stored reports and the delegatee compare them).

mod rule;
pub mod rules;

pub use rule::{Category, Rule};

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// How bad a defect is. Ordered: `Info < Warning < Error < Critical`.
///
/// `Critical` is reserved for defects that make a table or the whole delivery unusable (a file that cannot be
/// read at all); `Error` for a defect the contractor must fix before acceptance; `Warning` for a doubt to review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Self::Info, Self::Warning, Self::Error, Self::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Critical => "critical",
        }
    }

    /// The French word an engineer reads in a report.
    pub fn label_fr(self) -> &'static str {
        match self {
            Self::Info => "information",
            Self::Warning => "avertissement",
            Self::Error => "erreur",
            Self::Critical => "bloquant",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity {s:?} (expected info, warning, error or critical)")
            })
    }
}

/// One defect found in a delivery.
///
/// Every location field is optional because defects live at different levels: a missing file has no row, a bad
/// value has a row and a column, a topology defect has an object code and a point on the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable rule id, e.g. `read.csv.missing_column` or a GraceTHD-Check id like `cm_ndcode1_1_r00139`.
    pub rule: Cow<'static, str>,
    pub category: Category,
    pub severity: Severity,
    /// GraceTHD table, lower case (`t_noeud`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Code of the object at fault (`ND000180030001`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// File inside the delivery, as found (`SHP/T_NOEUD.DBF`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based data row in that file (the header of a CSV is not counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The raw value as read, when a value is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where on the map, in Lambert-93 metres (EPSG:2154).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<[f64; 2]>,
    pub message_fr: String,
    pub message_en: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `rule` at its default severity, with the rule's titles as messages.
    pub fn new(rule: &Rule) -> Self {
        Self {
            rule: Cow::Borrowed(rule.id),
            category: rule.category,
            severity: rule.severity,
            table: None,
            object: None,
            file: None,
            row: None,
            column: None,
            value: None,
            location: None,
            message_fr: rule.title_fr.to_owned(),
            message_en: rule.title_en.to_owned(),
            hint: rule.hint.map(str::to_owned),
        }
    }

    /// Replaces both messages; `fr` and `en` should say the same thing with the specifics of this case.
    pub fn message(mut self, fr: impl Into<String>, en: impl Into<String>) -> Self {
        self.message_fr = fr.into();
        self.message_en = en.into();
        self
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    pub fn object(mut self, code: impl Into<String>) -> Self {
        self.object = Some(code.into());
        self
    }

    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }

    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    pub fn value(mut self, raw: impl Into<String>) -> Self {
        self.value = Some(raw.into());
        self
    }

    pub fn at(mut self, x: f64, y: f64) -> Self {
        self.location = Some([x, y]);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl Diagnostic {
    /// Where and what, without the message: `error [rule] t_noeud ND001 (t_noeud.dbf row 12, nd_type="X")`.
    pub fn heading(&self) -> String {
        let mut out = format!("{} [{}]", self.severity, self.rule);
        if let Some(table) = &self.table {
            out.push(' ');
            out.push_str(table);
        }
        if let Some(object) = &self.object {
            out.push(' ');
            out.push_str(object);
        }
        let mut place = Vec::new();
        if let Some(file) = &self.file {
            place.push(match self.row {
                Some(row) => format!("{file} row {row}"),
                None => file.clone(),
            });
        }
        if let Some(column) = &self.column {
            place.push(match &self.value {
                Some(value) => format!("{column}={value:?}"),
                None => column.clone(),
            });
        }
        if !place.is_empty() {
            out.push_str(&format!(" ({})", place.join(", ")));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    /// One line an engineer can read in a terminal: the [heading](Diagnostic::heading), the French message and
    /// the hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.heading(), self.message_fr)?;
        if let Some(hint) = &self.hint {
            write!(f, " — {hint}")?;
        }
        Ok(())
    }
}

/// Counts of diagnostics per severity, for summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub info: usize,
    pub warning: usize,
    pub error: usize,
    pub critical: usize,
}

impl SeverityCounts {
    pub fn of<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Self {
        let mut counts = Self::default();
        for d in diagnostics {
            match d.severity {
                Severity::Info => counts.info += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Error => counts.error += 1,
                Severity::Critical => counts.critical += 1,
            }
        }
        counts
    }

    pub fn total(&self) -> usize {
        self.info + self.warning + self.error + self.critical
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_row_column_and_value() {
        let d = Diagnostic::new(&rules::DECODE_INTEGER)
            .table("t_cable")
            .object("CB1")
            .file("t_cable.csv")
            .row(3)
            .column("cb_capafo")
            .value("douze");
        let line = d.to_string();
        assert!(
            line.starts_with(
                "error [decode.integer] t_cable CB1 (t_cable.csv row 3, cb_capafo=\"douze\")"
            ),
            "{line}"
        );
    }

    #[test]
    fn serializes_without_empty_fields_and_round_trips() {
        let d = Diagnostic::new(&rules::READ_EMPTY_FILE).file("t_noeud.dbf");
        let json = serde_json::to_string(&d).expect("serialize");
        assert!(!json.contains("\"row\""));
        let back: Diagnostic = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, d);
    }

    #[test]
    fn severities_parse_and_order() {
        assert_eq!("Error".parse::<Severity>(), Ok(Severity::Error));
        assert!("fatal".parse::<Severity>().is_err());
        assert!(Severity::Warning < Severity::Error);
    }
}
