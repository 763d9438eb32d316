//! The GraceTHD v3 catalogue: one small hand-built v3 delivery, clean at C2 (phase AVP), and one defect per
//! control family on top of it with the exact diagnostics it gives; the ANCT v3 sample with the count per
//! control; a clean generated v3 delivery without blocking defect.
//!
//! The clean delivery (Lambert-93 offsets from (300 000, 6 800 000), metres):
//!
//! ```text
//!   N1 PT1 BP1, NRO LC2 ──CM1── N2 site ST1 (RES LC1) ──CM2── N3 PT2 PBO BP2     cable CB1 N1 → N3, line CL1
//!   (0,0)                        (100,0)                      (200,0)            in CM1 + CM2 (t_cab_chem)
//!   address AD1 (50,50) in ZSRO ZS1 (0,-20)–(200,80), in ZNRO ZN1 (-50,-50)–(250,100) served from LC2
//! ```
//!
//! Every cell the fixture does not set holds `<code>.<column>`: filled, unique, and naming no other object,
//! so only what a test sets can join or meet a condition.

use geo_types::Geometry;
use std::collections::BTreeMap;
use thd_check::{CheckOptions, Checked, Config, Phase, check};
use thd_model::{GraceVersion, RawDelivery, RawTableBuilder, Schema, SourceFormat};

mod common;

use common::{line, pt, rect};

/// One row: column → value, and its geometry.
type Row = (BTreeMap<String, String>, Option<Geometry>);

/// A v3 delivery under construction: per table, its rows.
#[derive(Clone, Default)]
struct Fixture {
    tables: BTreeMap<&'static str, Vec<Row>>,
}

impl Fixture {
    /// Adds a row: its code (first key column) and the cells it sets.
    fn row(
        &mut self,
        table: &'static str,
        code: &str,
        cells: &[(&str, &str)],
        geometry: Option<Geometry>,
    ) {
        let key = &Schema::of(GraceVersion::V3)
            .table(table)
            .expect("v3 table")
            .primary_key[0];
        let mut row: BTreeMap<String, String> = BTreeMap::new();
        row.insert(key.clone(), code.to_owned());
        for (column, value) in cells {
            row.insert((*column).to_owned(), (*value).to_owned());
        }
        self.tables.entry(table).or_default().push((row, geometry));
    }

    /// The row of `table` whose code is `code`.
    fn find(
        &mut self,
        table: &str,
        code: &str,
    ) -> &mut (BTreeMap<String, String>, Option<Geometry>) {
        let key = &Schema::of(GraceVersion::V3)
            .table(table)
            .expect("v3 table")
            .primary_key[0];
        self.tables
            .get_mut(table)
            .and_then(|rows| {
                rows.iter_mut()
                    .find(|(r, _)| r.get(key).map(String::as_str) == Some(code))
            })
            .expect("row")
    }

    fn set(&mut self, table: &str, code: &str, column: &str, value: &str) {
        self.find(table, code)
            .0
            .insert(column.to_owned(), value.to_owned());
    }

    fn geometry(&mut self, table: &str, code: &str, geometry: Option<Geometry>) {
        self.find(table, code).1 = geometry;
    }

    fn delivery(&self) -> RawDelivery {
        let schema = Schema::of(GraceVersion::V3);
        let tables = self
            .tables
            .iter()
            .map(|(name, rows)| {
                let def = schema.table(name).expect("v3 table");
                let spatial = def.geometry.is_some();
                let columns: Vec<String> = def
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .filter(|c| def.geometry.as_ref().is_none_or(|g| g.column != *c))
                    .collect();
                let mut builder = RawTableBuilder::new(
                    *name,
                    format!("{name}.{}", if spatial { "shp" } else { "csv" }),
                    if spatial {
                        SourceFormat::Shapefile
                    } else {
                        SourceFormat::Csv
                    },
                    columns.clone(),
                );
                if spatial {
                    builder = builder.spatial();
                }
                for (cells, geometry) in rows {
                    let code = &cells[&def.primary_key[0]];
                    let values: Vec<String> = columns
                        .iter()
                        .map(|c| {
                            cells
                                .get(c)
                                .cloned()
                                .unwrap_or_else(|| format!("{code}.{c}"))
                        })
                        .collect();
                    builder.push_row(values.iter().map(|v| (!v.is_empty()).then_some(v.as_str())));
                    if spatial {
                        builder.push_geometry(geometry.clone());
                    }
                }
                (name.to_string(), builder.finish())
            })
            .collect();
        RawDelivery {
            origin: "fixture".into(),
            version: Some(GraceVersion::V3),
            files: Vec::new(),
            tables,
            diagnostics: Vec::new(),
        }
    }
}

fn clean() -> Fixture {
    let mut f = Fixture::default();
    f.row("t_noeud", "N1", &[], pt(0.0, 0.0));
    f.row("t_noeud", "N2", &[], pt(100.0, 0.0));
    f.row("t_noeud", "N3", &[], pt(200.0, 0.0));
    f.row(
        "t_cheminement",
        "CM1",
        &[("cm_ndcode1", "N1"), ("cm_ndcode2", "N2")],
        line(&[(0.0, 0.0), (100.0, 0.0)]),
    );
    f.row(
        "t_cheminement",
        "CM2",
        &[("cm_ndcode1", "N2"), ("cm_ndcode2", "N3")],
        line(&[(100.0, 0.0), (200.0, 0.0)]),
    );
    f.row("t_ptech", "PT1", &[("pt_nd_code", "N1")], None);
    f.row("t_ptech", "PT2", &[("pt_nd_code", "N3")], None);
    f.row("t_ebp", "BP1", &[("bp_pt_code", "PT1")], None);
    f.row(
        "t_ebp",
        "BP2",
        &[("bp_pt_code", "PT2"), ("bp_typelog", "PBO")],
        None,
    );
    f.row(
        "t_cable",
        "CB1",
        &[
            ("cb_nd1", "N1"),
            ("cb_nd2", "N3"),
            ("cb_bp1", "BP1"),
            ("cb_bp2", "BP2"),
            ("cb_typelog", "TR"),
        ],
        None,
    );
    f.row(
        "t_cableline",
        "CL1",
        &[("cl_cb_code", "CB1")],
        line(&[(0.0, 0.0), (200.0, 0.0)]),
    );
    f.row("t_cab_chem", "CB1", &[("cc_cm_code", "CM1")], None);
    f.row("t_cab_chem", "CB1", &[("cc_cm_code", "CM2")], None);
    let counts = [
        ("ad_nblres", "1"),
        ("ad_nblpro", "0"),
        ("ad_nblent", "0"),
        ("ad_nblpub", "0"),
        ("ad_nbfotth", "1"),
    ];
    f.row("t_adresse", "AD1", &counts, pt(50.0, 50.0));
    f.row(
        "t_site",
        "ST1",
        &[("st_ad_code", "AD1"), ("st_nd_code", "N2")],
        None,
    );
    f.row("t_site", "ST2", &[("st_nd_code", "N1")], None);
    f.row(
        "t_local",
        "LC1",
        &[
            ("lc_st_code", "ST1"),
            ("lc_typelog", "RES"),
            ("lc_bp_codf", "BP2"),
        ],
        None,
    );
    f.row(
        "t_local",
        "LC2",
        &[("lc_st_code", "ST2"), ("lc_typelog", "NRO")],
        None,
    );
    f.row("t_baie", "BA1", &[], None);
    f.row("t_organisme", "OR1", &[], None);
    f.row("t_reference", "RF1", &[], None);
    f.row(
        "t_znro",
        "ZN1",
        &[("zn_lc_code", "LC2")],
        rect(-50.0, -50.0, 250.0, 100.0),
    );
    f.row(
        "t_zsro",
        "ZS1",
        &[("zs_zn_code", "ZN1")],
        rect(0.0, -20.0, 200.0, 80.0),
    );
    f
}

/// The v3 catalogue's diagnostics (rule, object, column) of a check at `phase`.
fn v3_at(
    f: &Fixture,
    phase: Phase,
    config: &Config,
) -> Vec<(String, Option<String>, Option<String>)> {
    let raw = f.delivery();
    let decoded = thd_network::decode(&raw).expect("decode");
    let checked: Checked = check(
        &raw,
        &decoded.network,
        &CheckOptions {
            phase: Some(phase),
            config,
        },
    );
    checked
        .diagnostics
        .into_iter()
        .filter(|d| {
            d.rule.starts_with("ctrl_")
                || d.rule.starts_with("topo_")
                || d.rule.starts_with("metier_")
        })
        .map(|d| (d.rule.into_owned(), d.object, d.column))
        .collect()
}

fn v3(f: &Fixture) -> Vec<(String, Option<String>, Option<String>)> {
    v3_at(f, Phase::Avp, &Config::default())
}

fn d(
    rule: &str,
    object: Option<&str>,
    column: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (
        rule.to_owned(),
        object.map(str::to_owned),
        column.map(str::to_owned),
    )
}

#[test]
fn the_clean_fixture_passes_the_v3_catalogue() {
    assert_eq!(v3(&clean()), []);
}

#[test]
fn presence_absent_or_empty_table_mandatory_at_the_container() {
    let mut f = clean();
    f.tables.remove("t_baie");
    f.tables
        .get_mut("t_reference")
        .expect("t_reference")
        .clear();
    assert_eq!(
        v3(&f),
        [d("ctrl_pt_0002", None, None), d("ctrl_pt_0018", None, None)]
    );
    // At C1 (PRE) neither table is expected.
    assert_eq!(v3_at(&f, Phase::Pre, &Config::default()), []);
}

#[test]
fn presence_follows_the_container_of_the_phase() {
    // At REC (C3) the as-built tables become mandatory and the clean fixture has none of them.
    let ids: Vec<String> = v3_at(&clean(), Phase::Rec, &Config::default())
        .into_iter()
        .filter(|(rule, ..)| rule.starts_with("ctrl_pt_"))
        .map(|(rule, ..)| rule)
        .collect();
    // t_cassette, t_fibre, t_pointaccueil, t_position, t_tiroir, t_tranchee.
    assert_eq!(
        ids,
        [
            "ctrl_pt_0006",
            "ctrl_pt_0009",
            "ctrl_pt_0015",
            "ctrl_pt_0016",
            "ctrl_pt_0020",
            "ctrl_pt_0021"
        ]
    );
}

#[test]
fn filling_empty_attribute_mandatory_at_the_container() {
    let mut f = clean();
    f.set("t_adresse", "AD1", "ad_commune", " ");
    // cb_rf_code is O from C3 only: empty at C2 is not reported.
    f.set("t_cable", "CB1", "cb_rf_code", "");
    assert_eq!(
        v3(&f),
        [d("ctrl_rem_0004", Some("AD1"), Some("ad_commune"))]
    );
}

#[test]
fn uniqueness_every_holder_of_a_repeated_value() {
    let mut f = clean();
    f.set("t_ptech", "PT2", "pt_codeext", "PT1.pt_codeext");
    assert_eq!(
        v3(&f),
        [
            d("ctrl_uc_0008", Some("PT1"), Some("pt_codeext")),
            d("ctrl_uc_0008", Some("PT2"), Some("pt_codeext"))
        ]
    );
}

#[test]
fn conditional_filling_of_a_distribution_cable_and_an_nro_room() {
    let mut f = clean();
    f.set("t_cable", "CB1", "cb_typelog", "DI");
    f.set("t_cable", "CB1", "cb_r3_code", "");
    f.set("t_local", "LC2", "lc_codeext", "");
    assert_eq!(
        v3(&f),
        [
            d("ctrl_rc_0201", Some("CB1"), Some("cb_r3_code")),
            d("ctrl_rc_0604", Some("LC2"), Some("lc_codeext"))
        ]
    );
}

#[test]
fn conditional_filling_through_references() {
    // AD1 → ST1 → RES room LC1 → PBO BP2 on technical point PT2: the PBO is outside, ad_distinf is needed.
    let mut f = clean();
    f.set("t_adresse", "AD1", "ad_distinf", "");
    assert_eq!(v3(&f), [d("ctrl_rc_0102", Some("AD1"), Some("ad_distinf"))]);
    // A PBO in a room (no technical point) is inside the building: nothing to fill.
    f.set("t_ebp", "BP2", "bp_pt_code", "");
    f.set("t_ebp", "BP2", "bp_lc_code", "LC1");
    assert_eq!(v3(&f), [d("topo_0006", Some("CB1"), Some("cb_bp2"))]);
}

#[test]
fn topology_node_away_from_the_ends_of_its_path_and_cable_line() {
    let mut f = clean();
    // N3 moves 0.5 m north: CM2 and CL1 end 0.5 m from it; the box chain BP2 → PT2 → N3 still holds.
    f.geometry("t_noeud", "N3", pt(200.0, 0.5));
    assert_eq!(
        v3(&f),
        [
            d("topo_0002", Some("CM2"), Some("cm_ndcode2")),
            d("topo_0004", Some("CB1"), Some("cb_nd2"))
        ]
    );
}

#[test]
fn topology_zsro_beyond_its_znro_and_cable_line_longer_than_its_route() {
    let mut f = clean();
    f.geometry("t_zsro", "ZS1", rect(0.0, -20.0, 400.0, 80.0));
    f.geometry(
        "t_cableline",
        "CL1",
        line(&[(0.0, 0.0), (0.0, 30.0), (200.0, 30.0), (200.0, 0.0)]),
    );
    assert_eq!(
        v3(&f),
        [
            d("topo_0007", Some("ZS1"), Some("zs_zn_code")),
            d("topo_0012", Some("CL1"), None)
        ]
    );
}

#[test]
fn business_address_counts() {
    let mut f = clean();
    f.set("t_adresse", "AD1", "ad_nblres", "2");
    assert_eq!(
        v3(&f),
        [
            d("metier_0005", Some("AD1"), Some("ad_nbfotth")),
            d("metier_0006", Some("AD1"), None)
        ]
    );
}

#[test]
fn business_nro_room_without_znro_and_box_without_incoming_cable() {
    let mut f = clean();
    f.set("t_znro", "ZN1", "zn_lc_code", "LC9");
    f.set("t_ebp", "BP1", "bp_typelog", "BPE");
    assert_eq!(
        v3(&f),
        [
            d("metier_0002", Some("BP1"), Some("bp_typelog")),
            d("metier_0016", Some("LC2"), None)
        ]
    );
}

#[test]
fn configuration_disables_by_pattern_and_enables_the_checkers_disabled_control() {
    let mut f = clean();
    f.set("t_adresse", "AD1", "ad_nblres", "2");
    f.set("t_zsro", "ZS1", "zs_lc_code", "LC2");
    f.set("t_zsro", "ZS1", "zs_r3_code", "other");
    let config = Config::parse(
        "[controls]\n\"metier_*\" = { enabled = false }\n\"metier_0008\" = { enabled = true, severity = \"error\" }\n",
        "test.toml",
    )
    .expect("config");
    assert_eq!(
        v3_at(&f, Phase::Avp, &config),
        [d("metier_0008", Some("ZS1"), Some("zs_r3_code"))]
    );
    // By default metier_0008 does not run (the checker ships it disabled).
    assert_eq!(
        v3(&f),
        [
            d("metier_0005", Some("AD1"), Some("ad_nbfotth")),
            d("metier_0006", Some("AD1"), None)
        ]
    );
}

#[test]
fn v3_controls_default_to_warnings() {
    let mut f = clean();
    f.set("t_adresse", "AD1", "ad_commune", "");
    let raw = f.delivery();
    let decoded = thd_network::decode(&raw).expect("decode");
    let config = Config::default();
    let checked = check(
        &raw,
        &decoded.network,
        &CheckOptions {
            phase: Some(Phase::Avp),
            config: &config,
        },
    );
    let rem = checked
        .diagnostics
        .iter()
        .find(|d| d.rule == "ctrl_rem_0004")
        .expect("ctrl_rem_0004");
    assert_eq!(rem.severity, thd_diag::Severity::Warning);
    assert_eq!(rem.row, Some(1));
    assert_eq!(rem.file.as_deref(), Some("t_adresse.shp"));
}

/// The v3 diagnostics of a whole check, counted per rule.
fn counts(checked: &Checked) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for d in &checked.diagnostics {
        if d.rule.starts_with("ctrl_")
            || d.rule.starts_with("topo_")
            || d.rule.starts_with("metier_")
        {
            *counts.entry(d.rule.to_string()).or_default() += 1;
        }
    }
    counts
}

#[test]
fn anct_v3_sample_counts_per_control() {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/samples/anct-v3.0-sample"
    ));
    if !path.exists() {
        println!("skipped: the ANCT v3 sample is not at {}", path.display());
        return;
    }
    let raw = thd_read::read_delivery(path).expect("read");
    assert_eq!(raw.version, Some(GraceVersion::V3));
    let decoded = thd_network::decode(&raw).expect("decode");
    let config = Config::default();
    let checked = check(
        &raw,
        &decoded.network,
        &CheckOptions {
            phase: None,
            config: &config,
        },
    );
    // The sample's objects are as-built (REC → container C3); its 10 spatial tables are not in the folder.
    assert_eq!(checked.phase, Phase::Rec);
    let expected: BTreeMap<String, usize> = [
        // Spatial tables O at C3, absent: t_adresse, t_cableline, t_cheminement, t_noeud, t_pointaccueil,
        // t_tranchee, t_znro, t_zsro.
        ("ctrl_pt_0001", 1),
        ("ctrl_pt_0005", 1),
        ("ctrl_pt_0007", 1),
        ("ctrl_pt_0012", 1),
        ("ctrl_pt_0015", 1),
        ("ctrl_pt_0021", 1),
        ("ctrl_pt_0023", 1),
        ("ctrl_pt_0024", 1),
        // The NRO and SRO network sites lack commune, INSEE code, postcode and designation.
        ("ctrl_rc_0804", 2),
        ("ctrl_rc_0807", 2),
        ("ctrl_rc_0809", 2),
        ("ctrl_rc_0815", 2),
        // The duplicated box external code OPE_BPE001, on both boxes.
        ("ctrl_uc_0003", 2),
        // Tube 1 fibre 1 and tube 4 fibre 12 of CB000180030003 used twice: 4 fibres.
        ("metier_0001", 4),
        // Without t_cableline every cable between two places is line-less.
        ("metier_0003", 6),
        ("metier_0012", 9),
        // No t_znro: the NRO room is referenced by none.
        ("metier_0016", 1),
        // Two cables whose downstream box stands on another node than cb_nd2.
        ("topo_0006", 2),
    ]
    .into_iter()
    .map(|(rule, n)| (rule.to_owned(), n))
    .collect();
    assert_eq!(counts(&checked), expected);
}

#[test]
fn clean_generated_v3_delivery_has_no_blocking_v3_defect() {
    let generated = thd_generate::generate(&thd_generate::GenerateOptions {
        fibres: true,
        plugs: 2_000,
        seed: 11,
        version: GraceVersion::V3,
        defects: 0,
        department: Some("35".into()),
    })
    .expect("generate");
    let raw = RawDelivery {
        origin: "generated".into(),
        version: Some(generated.version),
        files: Vec::new(),
        tables: generated
            .tables
            .iter()
            .map(|t| (t.name.clone(), t.clone()))
            .collect(),
        diagnostics: Vec::new(),
    };
    let decoded = thd_network::decode(&raw).expect("decode");
    let config = Config::default();
    let checked = check(
        &raw,
        &decoded.network,
        &CheckOptions {
            phase: None,
            config: &config,
        },
    );
    // What the generator leaves for a reviewer (warnings), per control: see the report of this work.
    println!("{:?} {:?}", checked.phase, counts(&checked));
    let blocking: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| config.is_blocking(d))
        .map(|d| d.to_string())
        .collect();
    assert!(
        blocking.is_empty(),
        "{} blocking, first: {:#?}",
        blocking.len(),
        &blocking[..blocking.len().min(5)]
    );
}
