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

/// Declares rules as `pub const` [`Rule`]s and an `ALL` slice of them (its doc comment comes first), so that each
/// crate raising diagnostics lists its rules once, in one shape:
///
/// ```
/// thd_diag::declare_rules! {
///     /// The rules of this example.
///     EXAMPLE = "example.rule", Value, Warning, "Exemple", "Example", None;
/// }
/// assert_eq!(ALL[0].id, "example.rule");
/// ```
#[macro_export]
macro_rules! declare_rules {
    (#[doc = $all:literal] $($name:ident = $id:literal, $cat:ident, $sev:ident, $fr:literal, $en:literal, $hint:expr;)*) => {
        $(
            pub const $name: $crate::Rule = $crate::Rule {
                id: $id,
                category: $crate::Category::$cat,
                severity: $crate::Severity::$sev,
                title_fr: $fr,
                title_en: $en,
                hint: $hint,
            };
        )*
        #[doc = $all]
        pub const ALL: &[$crate::Rule] = &[$($name),*];
    };
}
