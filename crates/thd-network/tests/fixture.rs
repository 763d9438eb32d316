//! Decoding and validation of a small hand-built v2.0.1 delivery whose every defect is known.

use geo_types::{Geometry, Point, line_string};
use std::collections::BTreeMap;
use thd_model::{GraceVersion, RawDelivery, RawTable, RawTableBuilder, SourceFormat};
use thd_network::{ZoneKind, decode};

fn table(name: &str, columns: &[&str], rows: &[&[&str]]) -> RawTable {
    let mut builder = RawTableBuilder::new(
        name,
        format!("{name}.csv"),
        SourceFormat::Csv,
        columns.iter().map(|c| c.to_string()).collect(),
    );
    for row in rows {
        builder.push_row(row.iter().map(|c| (!c.is_empty()).then_some(*c)));
    }
    builder.finish()
}

fn spatial(name: &str, columns: &[&str], rows: &[(&[&str], Option<Geometry>)]) -> RawTable {
    let mut builder = RawTableBuilder::new(
        name,
        format!("{name}.shp"),
        SourceFormat::Shapefile,
        columns.iter().map(|c| c.to_string()).collect(),
    )
    .spatial();
    for (row, geometry) in rows {
        builder.push_row(row.iter().map(|c| (!c.is_empty()).then_some(*c)));
        builder.push_geometry(geometry.clone());
    }
    builder.finish()
}

fn point(x: f64, y: f64) -> Option<Geometry> {
    Some(Geometry::Point(Point::new(x, y)))
}

fn delivery() -> RawDelivery {
    let tables = vec![
        table(
            "t_organisme",
            &["or_code", "or_nom"],
            &[&["OR1", "Mégalis Bretagne"]],
        ),
        spatial(
            "t_noeud",
            &["nd_code", "nd_type"],
            &[
                (&["ND1", "PT"], point(300_000.0, 6_800_000.0)),
                (&["ND2", "PT"], point(300_100.0, 6_800_000.0)),
                (&["ND3", "XX"], point(300_200.0, 6_800_000.0)), // list value
                (&["ND2", "PT"], point(300_300.0, 6_800_000.0)), // duplicate key
                (&["", "PT"], point(300_400.0, 6_800_000.0)),    // missing key
                (&["ND4", "PT"], None),                          // missing geometry
            ],
        ),
        table(
            "t_ptech",
            &[
                "pt_code",
                "pt_nd_code",
                "pt_typephy",
                "pt_statut",
                "pt_prop",
                "pt_dateins",
            ],
            &[
                &["PT1", "ND1", "C", "REC", "OR1", "2021-03-04"],
                &["PT2", "ND2", "A", "AVP", "OR9", "31/02/2021"], // dangling org, bad date
            ],
        ),
        spatial(
            "t_cheminement",
            &[
                "cm_code",
                "cm_ndcode1",
                "cm_ndcode2",
                "cm_statut",
                "cm_long",
            ],
            &[
                (
                    &["CM1", "ND1", "ND2", "REC", "100.5"],
                    Some(Geometry::LineString(line_string![
                        (x: 300_000.0, y: 6_800_000.0),
                        (x: 300_100.0, y: 6_800_000.0)
                    ])),
                ),
                (
                    &["CM2", "ND2", "ND7", "REC", "cent"], // dangling node, bad number
                    Some(Geometry::LineString(
                        line_string![(x: 300_100.0, y: 6_800_000.0)],
                    )),
                ),
            ],
        ),
        table(
            "t_cable",
            &["cb_code", "cb_nd1", "cb_nd2", "cb_capafo", "cb_statut"],
            &[
                &["CB1", "ND1", "ND2", "12", "REC"],
                &["CB2", "ND1", "ND3", "douze", "REC"], // bad integer
            ],
        ),
        table(
            "t_cab_cond",
            &["cc_cb_code", "cc_cd_code"],
            &[&["CB1", "CD1"]], // t_conduite absent
        ),
    ];
    RawDelivery {
        origin: "fixture".into(),
        version: Some(GraceVersion::V2_0_1),
        tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
        ..RawDelivery::default()
    }
}

/// Where a diagnostic points: table, object code, row.
type Place = (String, Option<String>, Option<u64>);

#[test]
fn every_defect_is_reported_once_at_its_place() {
    let decoded = decode(&delivery()).unwrap();
    let mut by_rule: BTreeMap<&str, Vec<Place>> = BTreeMap::new();
    for d in &decoded.diagnostics {
        by_rule.entry(&d.rule).or_default().push((
            d.table.clone().unwrap(),
            d.object.clone(),
            d.row,
        ));
    }
    let expect = |rule: &str, found: &[(&str, Option<&str>, Option<u64>)]| {
        let found: Vec<_> = found
            .iter()
            .map(|(t, o, r)| (t.to_string(), o.map(str::to_string), *r))
            .collect();
        assert_eq!(
            by_rule.get(rule).cloned().unwrap_or_default(),
            found,
            "{rule}"
        );
    };
    expect("decode.list_value", &[("t_noeud", Some("ND3"), Some(3))]);
    expect("decode.duplicate_key", &[("t_noeud", Some("ND2"), Some(4))]);
    expect("decode.missing_key", &[("t_noeud", None, Some(5))]);
    expect(
        "decode.geometry.missing",
        &[("t_noeud", Some("ND4"), Some(6))],
    );
    expect("decode.date", &[("t_ptech", Some("PT2"), Some(2))]);
    expect("decode.number", &[("t_cheminement", Some("CM2"), Some(2))]);
    expect("decode.integer", &[("t_cable", Some("CB2"), Some(2))]);
    expect(
        "decode.geometry.invalid",
        &[("t_cheminement", Some("CM2"), Some(2))],
    );
    expect(
        "decode.dangling_reference",
        &[
            ("t_cheminement", Some("CM2"), Some(2)),
            ("t_ptech", Some("PT2"), Some(2)),
        ],
    );
    expect("decode.absent_table", &[("t_cab_cond", None, None)]);
    assert_eq!(decoded.diagnostics.len(), 11, "{:#?}", decoded.diagnostics);

    let list = decoded
        .diagnostics
        .iter()
        .find(|d| d.rule == "decode.list_value")
        .unwrap();
    assert_eq!(list.column.as_deref(), Some("nd_type"));
    assert_eq!(list.value.as_deref(), Some("XX"));
    assert_eq!(
        list.location,
        Some([300_200.0, 6_800_000.0]),
        "located on the map"
    );
    assert!(
        list.hint
            .as_deref()
            .unwrap()
            .contains("PT (POINT TECHNIQUE)")
    );
}

#[test]
fn the_network_keeps_every_good_object_and_resolves_references() {
    let network = decode(&delivery()).unwrap().network;
    let counts = network.counts();
    assert_eq!(
        counts["nodes"], 4,
        "ND1, ND2, ND3, ND4: first ND2 kept, keyless row left out"
    );
    assert_eq!(counts["tech_points"], 2);
    assert_eq!(counts["paths"], 2);
    assert_eq!(counts["cables"], 2);
    assert_eq!(counts["cable_ducts"], 0, "its duct is absent");

    let nd2 = network.nodes.by_code("ND2").unwrap();
    assert_eq!(nd2.location, Some(Point::new(300_100.0, 6_800_000.0)));
    assert_eq!(network.nodes.by_code("ND3").unwrap().kind, None);

    let cm1 = network.paths.by_code("CM1").unwrap();
    assert_eq!(cm1.from, network.nodes.id("ND1"));
    assert_eq!(cm1.to, network.nodes.id("ND2"));
    assert_eq!(cm1.length, Some(100.5));
    assert_eq!(network.code(cm1.life.status.unwrap()), "REC");
    let cm2 = network.paths.by_code("CM2").unwrap();
    assert_eq!((cm2.to, cm2.length), (None, None));

    let pt1 = network.tech_points.by_code("PT1").unwrap();
    assert_eq!(network.code(pt1.physical.unwrap()), "C");
    assert_eq!(pt1.life.owner, network.organisations.id("OR1"));
    assert_eq!(pt1.life.installed.unwrap().to_string(), "2021-03-04");
    let pt2 = network.tech_points.by_code("PT2").unwrap();
    assert_eq!((pt2.life.owner, pt2.life.installed), (None, None));

    assert_eq!(network.cables.by_code("CB1").unwrap().capacity, Some(12));
    assert_eq!(network.cables.by_code("CB2").unwrap().capacity, None);
    assert!(network.zones(ZoneKind::Nro).is_empty());
}

#[test]
fn a_delivery_of_unknown_version_is_refused_with_its_origin() {
    let mut raw = delivery();
    raw.version = None;
    let error = decode(&raw).unwrap_err().to_string();
    assert!(error.contains("fixture"), "{error}");
}
