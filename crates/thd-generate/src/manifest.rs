//! The manifest of a generated delivery: what was asked, what was written, and where the defects are.
//!
//! Tests of the reader, decoder and checks compare their diagnostics with `defects`: each entry names the rule the
//! decoder must raise and the exact table, object, column and value that carry the defect.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a generated delivery contains, written beside it as `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub seed: u64,
    pub plugs: u32,
    /// The GraceTHD version, as `GraceVersion::as_str` spells it (`2.0.1`, `3`).
    pub version: String,
    /// INSEE codes of the communes covered, in the order they were laid out.
    pub communes: Vec<String>,
    /// Rows per table exactly as in the generated tables (after defect injection), every table of the model.
    pub counts: BTreeMap<String, usize>,
    pub defects: Vec<InjectedDefect>,
}

/// One defect placed on purpose, and the diagnostic the decoder must raise for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectedDefect {
    /// The `thd_diag` rule id, e.g. `decode.list_value`.
    pub rule: String,
    pub table: String,
    /// Code of the object carrying the defect; for a key emptied on purpose, the code the row had before.
    pub object: String,
    pub column: Option<String>,
    /// The faulty value as written; `None` when the defect is an absence (empty key, missing geometry).
    pub value: Option<String>,
    pub description_fr: String,
}

impl Manifest {
    /// Pretty JSON, stable for a given manifest (maps are ordered).
    pub fn to_json(&self) -> String {
        // Serializing plain strings, numbers and ordered maps cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| unreachable!("manifest JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips() {
        let manifest = Manifest {
            seed: 7,
            plugs: 12,
            version: "2.0.1".into(),
            communes: vec!["35238".into()],
            counts: BTreeMap::from([("t_noeud".into(), 3)]),
            defects: vec![InjectedDefect {
                rule: "decode.date".into(),
                table: "t_cable".into(),
                object: "CB352380000001".into(),
                column: Some("cb_dateins".into()),
                value: Some("2023-02-30".into()),
                description_fr: "date impossible".into(),
            }],
        };
        let back: Manifest = serde_json::from_str(&manifest.to_json()).expect("parse");
        assert_eq!(back, manifest);
    }
}
