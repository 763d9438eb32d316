//! Which GraceTHD version a delivery follows, judged from the tables and columns it holds.
//!
//! Deliveries do not say their version. Tables and columns do: v3 has `t_site`, `t_local`, `t_cab_chem`; v2.0.1
//! has `t_sitetech`, `t_suf`, `t_cond_chem`; and tables of both differ in columns. Each table counts for one
//! point plus one per column, and a version scores the share of those points its model recognises (through
//! [`thd_model::TableDef::column_for_field`], so DBF-truncated and upper-case names count). The best version wins
//! when most of the delivery fits it and clearly better than the other; otherwise the version is unknown rather
//! than guessed. On the samples the winner scores 1.0 and 0.98, the loser 0.26 and 0.65.

use std::collections::BTreeMap;
use thd_model::{GraceVersion, RawTable, Schema};

/// Share of points the winning version must recognise.
const MIN_SCORE: f64 = 0.5;
/// Lead the winning version must have over the other.
const MIN_LEAD: f64 = 0.1;

/// The share of the delivery's tables and columns each version recognises, in [`GraceVersion::ALL`] order.
pub(crate) fn scores(tables: &BTreeMap<String, RawTable>) -> Vec<(GraceVersion, f64)> {
    GraceVersion::ALL
        .into_iter()
        .map(|version| {
            let schema = Schema::of(version);
            let (mut known, mut total) = (0usize, 0usize);
            for (name, table) in tables {
                total += 1 + table.columns.len();
                if let Some(def) = schema.table(name) {
                    known += 1 + table
                        .columns
                        .iter()
                        .filter(|c| def.column_for_field(c).is_some())
                        .count();
                }
            }
            let score = if total == 0 {
                0.0
            } else {
                known as f64 / total as f64
            };
            (version, score)
        })
        .collect()
}

/// The version the tables follow, or `None` when no version fits well and clearly better than the other.
pub(crate) fn detect(scores: &[(GraceVersion, f64)]) -> Option<GraceVersion> {
    let mut ranked = scores.to_vec();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    match ranked.as_slice() {
        [(best, score), rest @ ..] => {
            let runner_up = rest.first().map_or(0.0, |r| r.1);
            (*score >= MIN_SCORE && score - runner_up >= MIN_LEAD).then_some(*best)
        }
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thd_model::{RawTableBuilder, SourceFormat};

    fn tables(list: &[(&str, &[&str])]) -> BTreeMap<String, RawTable> {
        list.iter()
            .map(|(name, cols)| {
                let cols = cols.iter().map(|c| c.to_string()).collect();
                let t = RawTableBuilder::new(*name, "", SourceFormat::Csv, cols).finish();
                (name.to_string(), t)
            })
            .collect()
    }

    #[test]
    fn version_specific_tables_decide() {
        let v2 = tables(&[
            ("t_suf", &["sf_code", "sf_nd_code"]),
            ("t_noeud", &["nd_code", "nd_nom"]),
        ]);
        assert_eq!(detect(&scores(&v2)), Some(GraceVersion::V2_0_1));
        let v3 = tables(&[("t_site", &["st_code"]), ("t_local", &["lc_code"])]);
        assert_eq!(detect(&scores(&v3)), Some(GraceVersion::V3));
    }

    #[test]
    fn nothing_recognisable_or_a_tie_is_unknown() {
        assert_eq!(detect(&scores(&tables(&[("t_foo", &["a", "b"])]))), None);
        assert_eq!(detect(&scores(&BTreeMap::new())), None);
        let both = [(GraceVersion::V2_0_1, 0.8), (GraceVersion::V3, 0.75)];
        assert_eq!(detect(&both), None);
    }
}
