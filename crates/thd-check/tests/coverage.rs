//! The coverage table in `docs/controls.md` is generated from the catalogue and the code: it must be current,
//! and every control the reference checker implements must have a counterpart here.

use thd_check::coverage;
use thd_model::catalogue::Catalogue;

#[test]
fn every_implemented_reference_control_is_covered() {
    let catalogue = Catalogue::v2();
    let missing: Vec<&str> = catalogue
        .controls
        .iter()
        .filter(|c| c.implemented && coverage::implemented_by(&c.id).is_none())
        .map(|c| c.id.as_str())
        .collect();
    assert!(missing.is_empty(), "not covered: {missing:?}");
    for family in &catalogue.ddl {
        if family.family != "schema_unique" {
            assert!(
                coverage::ddl_family(&family.family).is_some(),
                "{}",
                family.family
            );
        }
    }
}

#[test]
fn docs_controls_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/controls.md");
    let table = coverage::markdown();
    if std::env::var_os("THD_UPDATE_DOCS").is_some() {
        std::fs::write(path, &table).expect("write docs/controls.md");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == table,
        "docs/controls.md is stale: run THD_UPDATE_DOCS=1 cargo test -p thd-check --test coverage"
    );
}

#[test]
fn v3_controls_claimed_are_declared_by_the_code() {
    use thd_model::catalogue::{V3Catalogue, V3Family};
    let catalogue = V3Catalogue::get();
    // Every id the code declares is a v3 control of a family it can implement.
    for id in coverage::v3_declared() {
        let control = catalogue
            .control(id)
            .unwrap_or_else(|| panic!("{id} is not in the v3 catalogue"));
        assert!(
            matches!(
                control.family,
                V3Family::Conditional | V3Family::Topology | V3Family::Business
            ),
            "{id}"
        );
        assert!(
            coverage::implemented_by_v3(id).is_some_and(|m| m.starts_with("thd-check v3")),
            "{id}"
        );
    }
    // Every conditional, topology and business control the checker runs is implemented here or by the decoder.
    let missing: Vec<&str> = catalogue
        .controls
        .iter()
        .filter(|c| c.active && coverage::implemented_by_v3(&c.id).is_none())
        .map(|c| c.id.as_str())
        .collect();
    assert!(missing.is_empty(), "v3 controls not covered: {missing:?}");
    assert_eq!(
        coverage::implemented_by_v3("ctrl_rc_0815"),
        Some("thd-check v3 conditional")
    );
    assert_eq!(
        coverage::implemented_by_v3("ctrl_rem_0003"),
        None,
        "inactive in the checker"
    );
}
