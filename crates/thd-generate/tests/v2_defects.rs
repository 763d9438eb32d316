//! Injected defects: as many as asked, spread over the decoder's rules, each where the manifest says and each
//! raising exactly one problem.

mod common;

use common::{assert_present, problems, run};
use std::collections::BTreeSet;
use thd_diag::rules;
use thd_generate::GenerateError;
use thd_model::GraceVersion;

const V2: GraceVersion = GraceVersion::V2_0_1;

#[test]
fn the_manifest_lists_exactly_the_defects_asked_for_each_where_it_says() {
    for (plugs, seed, n) in [(300, 1, 1), (2_000, 2, 7), (5_000, 3, 60)] {
        let g = run(V2, plugs, seed, n);
        assert_eq!(g.manifest.defects.len(), n as usize);
        for d in &g.manifest.defects {
            assert_present(&g, d);
        }
        for t in &g.tables {
            assert_eq!(g.manifest.counts[&t.name], t.len(), "{}", t.name);
        }
    }
}

#[test]
fn each_defect_raises_exactly_one_problem() {
    for (plugs, seed, n) in [(800, 4, 14), (4_000, 5, 100)] {
        let g = run(V2, plugs, seed, n);
        let found = problems(&g);
        assert_eq!(
            found.len(),
            n as usize,
            "{found:#?}\n{:#?}",
            g.manifest.defects
        );
    }
}

#[test]
fn defects_are_spread_over_every_decoder_rule() {
    let g = run(V2, 3_000, 6, 21);
    let kinds: BTreeSet<&str> = g.manifest.defects.iter().map(|d| d.rule.as_str()).collect();
    let expected: BTreeSet<&str> = [
        rules::DECODE_LIST_VALUE,
        rules::DECODE_INTEGER,
        rules::DECODE_DATE,
        rules::DECODE_DUPLICATE_KEY,
        rules::DECODE_DANGLING_REFERENCE,
        rules::DECODE_GEOMETRY_MISSING,
        rules::DECODE_MISSING_KEY,
    ]
    .iter()
    .map(|r| r.id)
    .collect();
    assert_eq!(kinds, expected);
}

#[test]
fn defects_are_deterministic() {
    assert_eq!(run(V2, 1_000, 7, 9).manifest, run(V2, 1_000, 7, 9).manifest);
}

#[test]
fn more_defects_than_rows_is_an_error() {
    let o = common::options(V2, 1, 8, 1_000_000);
    assert!(matches!(
        thd_generate::generate(&o),
        Err(GenerateError::TooManyDefects { .. })
    ));
}
