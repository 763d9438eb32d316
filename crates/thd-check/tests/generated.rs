//! Generated deliveries: a clean one has no blocking defect at any phase of its objects; one with injected
//! defects has each of them found, by the decoder or by the checks.

use std::collections::BTreeMap;
use thd_check::{CheckOptions, Config, check};
use thd_generate::{GenerateOptions, Generated, generate};
use thd_model::{GraceVersion, RawDelivery};

fn delivery(generated: &Generated) -> RawDelivery {
    RawDelivery {
        origin: "generated".into(),
        version: Some(generated.version),
        files: Vec::new(),
        tables: generated
            .tables
            .iter()
            .map(|t| (t.name.clone(), t.clone()))
            .collect::<BTreeMap<_, _>>(),
        diagnostics: Vec::new(),
    }
}

fn generated(version: GraceVersion, defects: u32) -> Generated {
    generate(&GenerateOptions {
        fibres: true,
        plugs: 2_000,
        seed: 11,
        version,
        defects,
        department: Some("35".into()),
    })
    .expect("generate")
}

#[test]
fn clean_generated_deliveries_have_no_blocking_defect() {
    let config = Config::default();
    for version in [GraceVersion::V2_0_1, GraceVersion::V3] {
        let raw = delivery(&generated(version, 0));
        let decoded = thd_network::decode(&raw).expect("decode");
        let checked = check(
            &raw,
            &decoded.network,
            &CheckOptions {
                phase: None,
                config: &config,
            },
        );
        let blocking: Vec<String> = checked
            .diagnostics
            .iter()
            .filter(|d| config.is_blocking(d))
            .map(|d| d.to_string())
            .collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for d in &checked.diagnostics {
            *counts.entry(&d.rule).or_default() += 1;
        }
        println!("{version:?} {:?} {counts:?}", checked.phase);
        assert!(
            blocking.is_empty(),
            "{version:?}: {} blocking defects, first: {:#?}",
            blocking.len(),
            &blocking[..blocking.len().min(10)]
        );
        assert!(
            checked.components.cut_off.is_empty(),
            "{:?}",
            checked.components
        );
    }
}

#[test]
fn every_injected_defect_is_found() {
    let config = Config::default();
    for version in [GraceVersion::V2_0_1, GraceVersion::V3] {
        let generated = generated(version, 12);
        let raw = delivery(&generated);
        let decoded = thd_network::decode(&raw).expect("decode");
        let checked = check(
            &raw,
            &decoded.network,
            &CheckOptions {
                phase: None,
                config: &config,
            },
        );
        let all: Vec<_> = decoded
            .diagnostics
            .iter()
            .chain(&checked.diagnostics)
            .collect();
        assert_eq!(generated.manifest.defects.len(), 12);
        for defect in &generated.manifest.defects {
            assert!(
                all.iter().any(|d| d.rule == defect.rule
                    && d.table.as_deref() == Some(defect.table.as_str())
                    // An emptied key leaves the row without its code: matched by rule and table.
                    && (defect.rule == "decode.missing_key"
                        || d.object.as_deref() == Some(defect.object.as_str()))),
                "{version:?}: injected {defect:?} not found"
            );
        }
    }
}
