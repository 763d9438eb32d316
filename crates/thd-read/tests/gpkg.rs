//! GeoPackage deliveries: a hand-made GeoPackage (built here through sqlx) and, when GDAL's `ogr2ogr` is
//! installed, the demo delivery converted by GDAL, read back like the folder.

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{AssertSqlSafe, ConnectOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use thd_model::GraceVersion;
use thd_read::{ReadError, read_delivery};

/// A GeoPackage geometry blob (little-endian, no envelope) around an XY point.
fn point_blob(srs: i32, x: f64, y: f64) -> Vec<u8> {
    let mut b = vec![b'G', b'P', 0, 1];
    b.extend_from_slice(&srs.to_le_bytes());
    b.push(1);
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&x.to_le_bytes());
    b.extend_from_slice(&y.to_le_bytes());
    b
}

/// Geometry blob, nd_code, nd_nom, nd_r1_code, nd_x.
type NodeRow = (
    Vec<u8>,
    &'static str,
    Option<&'static str>,
    Option<i64>,
    f64,
);

/// Builds a small GeoPackage: t_noeud (features, 3 rows, one broken blob), t_cable (attributes), and a QGIS
/// style table; `srs` is the SRS of t_noeud.
fn build(path: &Path, srs: i32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .connect()
            .await
            .expect("create gpkg");
        let statements = [
            "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT)".to_owned(),
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('RGF93 / Lambert-93', 2154, 'EPSG', 2154, ''), ('WGS 84', 4326, 'EPSG', 4326, '')".to_owned(),
            "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT)".to_owned(),
            "INSERT INTO gpkg_contents VALUES ('T_NOEUD', 'features', 'n'), ('t_cable', 'attributes', 'c'), ('layer_styles', 'attributes', 's')".to_owned(),
            "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER)".to_owned(),
            format!("INSERT INTO gpkg_geometry_columns VALUES ('T_NOEUD', 'geom', 'POINT', {srs}, 0, 0)"),
            "CREATE TABLE \"T_NOEUD\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, nd_code TEXT, nd_nom TEXT, nd_r1_code INTEGER, nd_x REAL)".to_owned(),
            "CREATE TABLE t_cable (fid INTEGER PRIMARY KEY, cb_code TEXT, cb_capafo INTEGER)".to_owned(),
            "INSERT INTO t_cable (cb_code, cb_capafo) VALUES ('CB1', 12), ('CB2', NULL)".to_owned(),
            "CREATE TABLE layer_styles (id INTEGER PRIMARY KEY, styleQML TEXT)".to_owned(),
        ];
        for sql in statements {
            sqlx::query(AssertSqlSafe(sql)).execute(&mut conn).await.expect("statement");
        }
        let rows: [NodeRow; 3] = [
            (point_blob(srs, 667456.0, 6677769.0), "ND1", Some("Château d'eau"), Some(1), 1.5),
            (b"GP\0\x01garbage".to_vec(), "ND2", None, None, 2.0),
            (point_blob(srs, 667462.0, 6677751.0), "ND3", Some("Église"), None, 3.25),
        ];
        for (blob, code, name, r1, x) in rows {
            sqlx::query("INSERT INTO \"T_NOEUD\" (geom, nd_code, nd_nom, nd_r1_code, nd_x) VALUES (?, ?, ?, ?, ?)")
                .bind(blob)
                .bind(code)
                .bind(name)
                .bind(r1)
                .bind(x)
                .execute(&mut conn)
                .await
                .expect("insert");
        }
    });
}

fn rules(d: &thd_model::RawDelivery) -> Vec<(&str, Option<&str>, Option<u64>)> {
    d.diagnostics
        .iter()
        .map(|d| (d.rule.as_ref(), d.table.as_deref(), d.row))
        .collect()
}

#[test]
fn hand_made_geopackage_reads_tables_geometries_and_defects() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("livraison.gpkg");
    build(&path, 2154);
    let d = read_delivery(&path).expect("gpkg reads");
    assert_eq!(d.files.len(), 1);
    assert_eq!(d.files[0].path, "livraison.gpkg");
    let nodes = d.table("t_noeud").expect("t_noeud");
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes.file, "livraison.gpkg");
    // `fid` and `geom` are not attribute columns; integers and reals arrive as their text.
    assert_eq!(nodes.columns, ["nd_code", "nd_nom", "nd_r1_code", "nd_x"]);
    assert_eq!(
        nodes.row(0).collect::<Vec<_>>(),
        [Some("ND1"), Some("Château d'eau"), Some("1"), Some("1.5")]
    );
    assert_eq!(nodes.cell(2, 1), Some("Église"));
    assert!(nodes.geometry(0).is_some());
    assert!(nodes.geometry(1).is_none(), "broken blob");
    assert!(nodes.geometry(2).is_some());
    let cables = d.table("t_cable").expect("t_cable");
    assert_eq!(cables.len(), 2);
    assert!(cables.geometries.is_none());
    assert_eq!(cables.cell(1, 1), None);
    let found = rules(&d);
    assert!(
        found.contains(&("read.gpkg.invalid", Some("t_noeud"), Some(2))),
        "{found:?}"
    );
    assert!(
        found.iter().any(|r| r.0 == "read.unknown_file"),
        "layer_styles: {found:?}"
    );
    assert!(
        !found.iter().any(|r| r.0 == "read.prj.not_lambert93"),
        "{found:?}"
    );
    let broken = d
        .diagnostics
        .iter()
        .find(|d| d.rule == "read.gpkg.invalid")
        .expect("broken blob");
    assert_eq!(broken.object.as_deref(), Some("ND2"));
}

#[test]
fn geopackage_in_another_srs_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("wgs84.gpkg");
    build(&path, 4326);
    let d = read_delivery(&path).expect("gpkg reads");
    let prj: Vec<_> = d
        .diagnostics
        .iter()
        .filter(|d| d.rule == "read.prj.not_lambert93")
        .collect();
    assert_eq!(prj.len(), 1, "{prj:?}");
    assert_eq!(prj[0].value.as_deref(), Some("4326"));
    assert_eq!(prj[0].table.as_deref(), Some("t_noeud"));
}

#[test]
fn a_file_that_is_not_a_geopackage_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("faux.gpkg");
    std::fs::write(&path, b"this is not SQLite").expect("write");
    assert!(matches!(
        read_delivery(&path),
        Err(ReadError::GeoPackage { .. })
    ));
}

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/samples/gracethd-demo-v2.0.1"
);

#[test]
fn demo_converted_by_gdal_reads_like_the_folder() {
    let demo = PathBuf::from(DEMO);
    if !demo.is_dir() {
        eprintln!("note: {DEMO} is absent, test skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let gpkg = dir.path().join("demo.gpkg");
    let converted = Command::new("ogr2ogr")
        .args(["-f", "GPKG", "-oo", "ENCODING=UTF-8"])
        .arg(&gpkg)
        .arg(&demo)
        .output();
    match converted {
        Ok(out) if out.status.success() => {}
        other => {
            eprintln!("note: ogr2ogr unavailable or failed ({other:?}), test skipped");
            return;
        }
    }
    let from_gpkg = read_delivery(&gpkg).expect("gpkg reads");
    let from_dir = read_delivery(&demo).expect("folder reads");
    assert_eq!(from_gpkg.version, Some(GraceVersion::V2_0_1));
    // GDAL opens a folder of shapefiles as one dataset: the shapefile layers are what it converts.
    let layers = from_dir
        .tables
        .iter()
        .filter(|(_, t)| t.format == Some(thd_model::SourceFormat::Shapefile));
    assert_eq!(layers.clone().count(), 10);
    for (name, table) in layers {
        let other = from_gpkg
            .table(name)
            .unwrap_or_else(|| panic!("{name} missing from gpkg"));
        assert_eq!(other.len(), table.len(), "{name}");
        let spatial = table.geometries.is_some();
        assert_eq!(other.geometries.is_some(), spatial, "{name}");
        if spatial {
            assert!(
                (0..other.len()).all(|r| other.geometry(r).is_some()),
                "{name}: geometries"
            );
        }
    }
    let code = |d: &thd_model::RawDelivery| {
        let t = d.table("t_noeud").expect("t_noeud");
        let c = t.column_index("nd_code").expect("nd_code");
        (0..t.len())
            .map(|r| t.cell(r, c).map(str::to_owned))
            .collect::<Vec<_>>()
    };
    assert_eq!(code(&from_gpkg), code(&from_dir));
    let serious: Vec<String> = from_gpkg
        .diagnostics
        .iter()
        .filter(|d| d.severity >= thd_diag::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(serious.is_empty(), "{serious:#?}");
}
