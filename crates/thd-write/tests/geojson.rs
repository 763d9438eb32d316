//! GeoJSON export: the hand-built delivery, a generated one and the GraceTHD demo delivery written as GeoJSON,
//! parsed back with `serde_json`, and checked against the tables (one feature per row, ids, properties), against
//! coordinates computed by PROJ, and against RFC 7946's ring orientation; `ogrinfo` opens the files when GDAL is
//! installed.

mod common;
mod fixtures;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use geo_types::Coord;
use serde_json::Value;
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawTable};
use thd_write::{WriteError, write_geojson};

use common::table;

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/samples/gracethd-demo-v2.0.1"
);

const V2: GraceVersion = GraceVersion::V2_0_1;

fn parse(path: &Path) -> Value {
    let text = fs::read_to_string(path).expect("file written");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

fn features(collection: &Value) -> &[Value] {
    assert_eq!(collection["type"], "FeatureCollection");
    collection["features"].as_array().expect("features")
}

fn position(v: &Value) -> Coord {
    Coord {
        x: v[0].as_f64().expect("longitude"),
        y: v[1].as_f64().expect("latitude"),
    }
}

/// Every written table has one feature per row, in row order, with the primary key as `id` and the cells as
/// properties (text as delivered, `null` when empty).
fn assert_matches_tables(tables: &[RawTable], dir: &Path, key_of: impl Fn(&str) -> &'static str) {
    for t in tables.iter().filter(|t| t.geometries.is_some()) {
        let collection = parse(&dir.join(format!("{}.geojson", t.name)));
        let features = features(&collection);
        assert_eq!(features.len(), t.len(), "{}", t.name);
        let key = t.column_index(key_of(&t.name)).expect("key column");
        for (row, f) in features.iter().enumerate() {
            assert_eq!(f["type"], "Feature");
            assert_eq!(f["id"].as_str(), t.cell(row, key), "{} row {row}", t.name);
            let properties = f["properties"].as_object().expect("properties");
            assert_eq!(properties.len(), t.columns.len());
            for (col, name) in t.columns.iter().enumerate() {
                assert_eq!(
                    properties[name].as_str(),
                    t.cell(row, col),
                    "{} {name}",
                    t.name
                );
            }
            assert_eq!(f["geometry"].is_null(), t.geometry(row).is_none());
        }
    }
}

/// `ogrinfo` reads the file and counts `features` features, when GDAL is installed.
fn assert_ogrinfo_counts(path: &Path, features: usize) {
    let Ok(out) = Command::new("ogrinfo")
        .args(["-ro", "-so", "-al"])
        .arg(path)
        .output()
    else {
        eprintln!("ogrinfo check skipped: GDAL's ogrinfo is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ogrinfo failed on {}: {text}",
        path.display()
    );
    assert!(
        text.contains(&format!("Feature Count: {features}")),
        "{}: {text}",
        path.display()
    );
}

/// Twice the signed area of a ring of positions: positive when counterclockwise.
fn signed_area(ring: &Value) -> f64 {
    let points: Vec<Coord> = ring
        .as_array()
        .expect("ring")
        .iter()
        .map(position)
        .collect();
    points
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

#[test]
fn the_hand_built_delivery_becomes_one_collection_per_spatial_table() {
    let dir = tempfile::tempdir().unwrap();
    let tables = fixtures::delivery();
    let report = write_geojson(&tables, V2, dir.path()).expect("written");
    let names = ["t_cheminement.geojson", "t_noeud.geojson", "t_zsro.geojson"];
    assert_eq!(report.files, names.map(PathBuf::from));
    assert_eq!(report.rows, 2 + 2 + 3);
    let on_disk: u64 = names
        .iter()
        .map(|n| fs::metadata(dir.path().join(n)).unwrap().len())
        .sum();
    assert_eq!(report.bytes, on_disk);
    assert!(
        !dir.path().join("t_cable.geojson").exists(),
        "t_cable has no geometry"
    );
    assert_matches_tables(&tables, dir.path(), |name| match name {
        "t_noeud" => "nd_code",
        "t_cheminement" => "cm_code",
        _ => "zs_code",
    });

    // The node at (652 000.25, 6 862 000.5): PROJ 9.1.1 (`echo 652000.25 6862000.5 | cs2cs -f %.12f EPSG:2154
    // EPSG:4326`) puts it at 48.856252656041 N, 2.345815309299 E, in Paris; 7 decimals are written.
    let nodes = parse(&dir.path().join("t_noeud.geojson"));
    let node = &features(&nodes)[0];
    assert_eq!(node["geometry"]["type"], "Point");
    let p = position(&node["geometry"]["coordinates"]);
    assert_eq!((p.x, p.y), (2.3458153, 48.8562527));
    assert_eq!(node["properties"]["nd_nom"], "Rue de l'Église");
    assert!(
        node["properties"]["nd_geolqlt"].is_string(),
        "text as delivered"
    );
    assert!(features(&nodes)[1]["properties"]["nd_nom"].is_null());

    let paths = parse(&dir.path().join("t_cheminement.geojson"));
    let kinds: Vec<&Value> = features(&paths)
        .iter()
        .map(|f| &f["geometry"]["type"])
        .collect();
    assert_eq!(kinds, ["LineString", "MultiLineString"]);

    // The fixtures' rings are in shapefile order (outer clockwise); RFC 7946 wants outer counterclockwise and
    // holes clockwise.
    let zones = parse(&dir.path().join("t_zsro.geojson"));
    let holed = &features(&zones)[0]["geometry"];
    assert_eq!(holed["type"], "Polygon");
    let rings = holed["coordinates"].as_array().unwrap();
    assert_eq!(rings.len(), 2);
    assert!(signed_area(&rings[0]) > 0.0, "outer ring counterclockwise");
    assert!(signed_area(&rings[1]) < 0.0, "hole clockwise");
    let pair = &features(&zones)[1]["geometry"];
    assert_eq!(pair["type"], "MultiPolygon");
    for polygon in pair["coordinates"].as_array().unwrap() {
        assert!(signed_area(&polygon[0]) > 0.0);
    }

    for name in names {
        let path = dir.path().join(name);
        let rows = features(&parse(&path)).len();
        assert_ogrinfo_counts(&path, rows);
    }
}

#[test]
fn a_geometry_without_a_wgs84_image_names_its_table_and_row() {
    let dir = tempfile::tempdir().unwrap();
    let bad = table(
        "t_noeud",
        &["nd_code"],
        &[&[Some("ND1")], &[Some("ND2")]],
        Some(vec![
            Some(geo_types::point!(x: 352_100., y: 6_789_970.).into()),
            Some(geo_types::point!(x: f64::NAN, y: 6_789_970.).into()),
        ]),
    );
    let err = write_geojson(&[bad], V2, dir.path()).expect_err("NaN has no image");
    assert!(
        matches!(err, WriteError::Geometry { ref table, row: 1, .. } if table == "t_noeud"),
        "{err}"
    );
}

#[test]
fn a_generated_delivery_lands_in_brittany() {
    let generated = generate(&GenerateOptions {
        fibres: true,
        plugs: 300,
        seed: 7,
        version: V2,
        defects: 0,
        department: Some("29".into()),
    })
    .expect("generated");
    let dir = tempfile::tempdir().unwrap();
    let report = write_geojson(&generated.tables, V2, dir.path()).expect("written");
    let spatial: Vec<&RawTable> = generated
        .tables
        .iter()
        .filter(|t| t.geometries.is_some())
        .collect();
    assert_eq!(report.files.len(), spatial.len());
    let schema = thd_model::Schema::of(V2);
    assert_matches_tables(&generated.tables, dir.path(), |name| {
        schema.table(name).expect("model table").primary_key[0].as_str()
    });
    // Finistère lies within 5.2° W – 3.3° W, 47.7° N – 48.8° N.
    for file in &report.files {
        let collection = parse(&dir.path().join(file));
        let text = collection.to_string();
        assert!(!text.contains("NaN"));
        for f in features(&collection) {
            let mut first = &f["geometry"]["coordinates"];
            while first[0].is_array() {
                first = &first[0];
            }
            if first.is_null() {
                continue;
            }
            let p = position(first);
            assert!(
                (-5.3..-3.2).contains(&p.x) && (47.6..48.9).contains(&p.y),
                "{file:?}: {p:?}"
            );
        }
    }
}

#[test]
fn the_demo_delivery_exports_every_spatial_table() {
    if !Path::new(DEMO).is_dir() {
        eprintln!("skipped: {DEMO} is absent");
        return;
    }
    let delivery = thd_read::read_delivery(Path::new(DEMO)).expect("demo reads");
    let tables: Vec<RawTable> = delivery.tables.values().cloned().collect();
    let dir = tempfile::tempdir().unwrap();
    let report = write_geojson(&tables, V2, dir.path()).expect("written");
    let spatial = tables.iter().filter(|t| t.geometries.is_some()).count();
    assert_eq!(report.files.len(), spatial);
    assert!(report.files.contains(&PathBuf::from("t_noeud.geojson")));
    let schema = thd_model::Schema::of(V2);
    assert_matches_tables(&tables, dir.path(), |name| {
        schema.table(name).expect("model table").primary_key[0].as_str()
    });

    // The demo's node ND000180030001 is at (667 657.3690874791, 6 677 741.356360175) in its shapefile; PROJ
    // 9.1.1 (`cs2cs -f %.12f EPSG:2154 EPSG:4326`) puts it at 47.199175282592 N, 2.572786172165 E.
    let nodes = delivery.table("t_noeud").expect("t_noeud");
    let code = nodes.column_index("nd_code").unwrap();
    let row = (0..nodes.len())
        .find(|&r| nodes.cell(r, code) == Some("ND000180030001"))
        .expect("known node");
    let l93 = match nodes.geometry(row) {
        Some(geo_types::Geometry::Point(p)) => p.0,
        other => panic!("a point, not {other:?}"),
    };
    assert!(
        (l93.x - 667_657.369_087_479_1).abs() < 1e-6
            && (l93.y - 6_677_741.356_360_175).abs() < 1e-6
    );
    let projected = thd_geo::wgs84::lambert93_to_wgs84(l93).unwrap();
    let collection = parse(&dir.path().join("t_noeud.geojson"));
    let feature = features(&collection)
        .iter()
        .find(|f| f["id"] == "ND000180030001")
        .expect("feature of the node");
    let written = position(&feature["geometry"]["coordinates"]);
    // Rounded to 7 decimals: half a unit of the 7th decimal from the exact value, PROJ's or thd-geo's.
    for exact in [
        projected,
        Coord {
            x: 2.572_786_172_165,
            y: 47.199_175_282_592,
        },
    ] {
        assert!(
            (written.x - exact.x).abs() <= 0.5e-7 + 1e-12,
            "{written:?} vs {exact:?}"
        );
        assert!(
            (written.y - exact.y).abs() <= 0.5e-7 + 1e-12,
            "{written:?} vs {exact:?}"
        );
    }
    assert_ogrinfo_counts(&dir.path().join("t_noeud.geojson"), nodes.len());
}
