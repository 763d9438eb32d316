//! A rule: the stable identity of one kind of defect.

use serde::{Deserialize, Serialize};

use crate::Severity;

/// What a defect is about, for grouping a report the way an engineer reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Files, archives, tables and columns present or not.
    Structure,
    /// Text encoding and file formats.
    Encoding,
    /// A value that does not fit its column's type.
    Value,
    /// A value outside its GraceTHD value list.
    List,
    /// Primary keys and uniqueness.
    Key,
    /// Foreign keys: a code that names nothing.
    Reference,
    /// Geometry validity and projection.
    Geometry,
    /// Attributes mandatory at the delivery's phase.
    Filling,
    /// The network as a graph.
    Topology,
    /// Business rules of FTTH engineering.
    Business,
}

/// A kind of defect: its id, category, default severity and wording, declared once as a constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub title_fr: &'static str,
    pub title_en: &'static str,
    pub hint: Option<&'static str>,
}
