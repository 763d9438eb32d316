//! Property: for any small size, seed, version and defect count, generation succeeds and its invariants hold.

mod common;

use proptest::prelude::*;
use thd_model::GraceVersion;

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn generation_never_fails_and_invariants_hold(
        plugs in 1u32..1_500,
        seed in any::<u64>(),
        defects in 0u32..25,
        v3 in any::<bool>(),
    ) {
        let version = if v3 { GraceVersion::V3 } else { GraceVersion::V2_0_1 };
        let g = common::run(version, plugs, seed, defects);
        prop_assert_eq!(g.manifest.defects.len(), defects as usize);
        for d in &g.manifest.defects {
            common::assert_present(&g, d);
        }
        // Each defect raises exactly one problem, so a clean delivery raises none.
        let found = common::problems(&g);
        prop_assert_eq!(found.len(), defects as usize, "{:#?}", found);
        // A duplicated row adds one address at most; plug totals hold otherwise.
        let duplicated_addresses = g.manifest.defects.iter()
            .filter(|d| d.table == "t_adresse" && d.rule == thd_diag::rules::DECODE_DUPLICATE_KEY.id)
            .count();
        let altered_counts = g.manifest.defects.iter()
            .any(|d| d.table == "t_adresse" && d.column.as_deref().is_some_and(|c| c.starts_with("ad_nb")));
        if duplicated_addresses == 0 && !altered_counts {
            prop_assert_eq!(common::plugs(&g), u64::from(plugs));
        }
        for t in &g.tables {
            prop_assert_eq!(g.manifest.counts[&t.name], t.len());
        }
    }
}
