//! The hand-built delivery written as a GeoPackage and read back with sqlx: SQLite header ids, the core tables,
//! typed columns and geometry blobs.

mod common;
mod fixtures;

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, Row, SqliteConnection};
use thd_model::GraceVersion;
use thd_write::{WriteError, write_geopackage};

use common::table;
use fixtures::delivery;
use geo_types::line_string;

fn write(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("delivery.gpkg");
    let report = write_geopackage(&delivery(), GraceVersion::V2_0_1, &path).expect("written");
    assert_eq!(report.rows, 9);
    assert_eq!(report.files, std::slice::from_ref(&path));
    assert_eq!(report.bytes, std::fs::metadata(&path).unwrap().len());
    path
}

/// Runs `f` on a read-only connection to the GeoPackage.
fn read<T>(path: &Path, f: impl AsyncFnOnce(&mut SqliteConnection) -> T) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async {
            let options = SqliteConnectOptions::new().filename(path).read_only(true);
            let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
            f(&mut conn).await
        })
}

#[test]
fn the_file_says_it_is_a_geopackage_1_3() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(write(dir.path())).unwrap();
    assert_eq!(&bytes[..16], b"SQLite format 3\0");
    assert_eq!(&bytes[68..72], b"GPKG", "application_id");
    assert_eq!(&bytes[60..64], &10300u32.to_be_bytes(), "user_version");
}

#[test]
fn core_tables_describe_features_and_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let (srs, contents, columns, integrity) = read(&path, async |conn| {
        let srs: Vec<i64> = sqlx::query("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        let contents: Vec<(String, String, Option<i64>, Option<f64>)> = sqlx::query(
            "SELECT table_name, data_type, srs_id, min_x FROM gpkg_contents ORDER BY table_name",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
        let columns: Vec<(String, String, String)> = sqlx::query(
            "SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns \
             ORDER BY table_name",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        let integrity: String = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get(0);
        (srs, contents, columns, integrity)
    });
    assert_eq!(srs, [-1, 0, 2154, 4326]);
    let s = |v: &str| v.to_owned();
    assert_eq!(
        contents,
        [
            (s("t_cable"), s("attributes"), None, None),
            (s("t_cheminement"), s("features"), Some(2154), Some(0.0)),
            (s("t_noeud"), s("features"), Some(2154), Some(652_000.25)),
            (s("t_zsro"), s("features"), Some(2154), Some(0.0)),
        ]
    );
    assert_eq!(
        columns,
        [
            // Multi: one path has two parts.
            (s("t_cheminement"), s("geom"), s("MULTILINESTRING")),
            (s("t_noeud"), s("geom"), s("POINT")),
            (s("t_zsro"), s("geom"), s("MULTIPOLYGON")),
        ]
    );
    assert_eq!(integrity, "ok");
}

#[test]
fn cells_are_stored_with_their_column_types() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    read(&path, async |conn| {
        let rows = sqlx::query(
            "SELECT nd_code, nd_nom, nd_type, nd_geolqlt, typeof(nd_geolqlt), nd_abddate, geom \
             FROM t_noeud ORDER BY fid",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let first = &rows[0];
        assert_eq!(first.get::<String, _>(0), "ND0001");
        assert_eq!(first.get::<String, _>(1), "Rue de l'Église");
        // No width limit in a GeoPackage: nothing is cut.
        assert_eq!(first.get::<String, _>(2), "PTX");
        assert_eq!(first.get::<f64, _>(3), 25.5);
        assert_eq!(first.get::<String, _>(4), "real");
        assert_eq!(first.get::<String, _>(5), "2015-06-01");
        let blob: Vec<u8> = first.get(6);
        // As GDAL writes a point: little-endian, Lambert-93, no envelope (the point is its own).
        assert_eq!(&blob[..8], b"GP\x00\x01\x6a\x08\x00\x00");
        assert_eq!(&blob[8..13], &[1, 1, 0, 0, 0], "little-endian WKB point");
        let second = &rows[1];
        assert_eq!(second.get::<Option<String>, _>(1), None);
        assert_eq!(second.get::<Option<f64>, _>(3), None);
        assert_eq!(second.get::<Option<Vec<u8>>, _>(6), None);

        let flags: Vec<(String, i64)> =
            sqlx::query("SELECT cm_code, cm_fildtec FROM t_cheminement ORDER BY fid")
                .fetch_all(&mut *conn)
                .await
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        assert_eq!(flags, [("CM1".to_owned(), 1), ("CM2".to_owned(), 0)]);

        let zone: Vec<u8> = sqlx::query("SELECT geom FROM t_zsro ORDER BY fid")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get(0);
        let wkb = &zone[40..];
        // A multipolygon of one polygon of two rings (the hole kept).
        assert_eq!(&wkb[..9], &[1, 6, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&wkb[9..18], &[1, 3, 0, 0, 0, 2, 0, 0, 0]);

        let comment: String = sqlx::query("SELECT cb_comment FROM t_cable WHERE cb_code = 'CB2'")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get(0);
        assert_eq!(comment, "ligne 1\nligne 2, été");
    });
}

#[test]
fn a_value_of_another_type_is_kept_as_text_and_a_second_write_replaces_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path());
    let odd = table(
        "t_zsro",
        &["zs_code", "zs_capamax"],
        &[&[Some("ZS1"), Some("beaucoup")]],
        Some(vec![None]),
    );
    write_geopackage(&[odd], GraceVersion::V2_0_1, &path).unwrap();
    let (tables, value) = read(&path, async |conn| {
        let tables: i64 = sqlx::query("SELECT count(*) FROM gpkg_contents")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get(0);
        let value: String = sqlx::query("SELECT zs_capamax FROM t_zsro")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get(0);
        (tables, value)
    });
    assert_eq!((tables, value.as_str()), (1, "beaucoup"));
}

#[test]
fn it_can_be_called_from_inside_a_tokio_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in-runtime.gpkg");
    let rows = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(async { write_geopackage(&delivery(), GraceVersion::V2_0_1, &path) })
        .unwrap()
        .rows;
    assert_eq!(rows, 9);
}

#[test]
fn a_geometry_of_another_family_is_refused_and_no_file_is_left() {
    let bad = table(
        "t_noeud",
        &["nd_code"],
        &[&[Some("ND1")]],
        Some(vec![Some(
            line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into(),
        )]),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.gpkg");
    let err = write_geopackage(&[bad], GraceVersion::V2_0_1, &path).unwrap_err();
    assert!(matches!(err, WriteError::Geometry { row: 0, .. }), "{err}");
    assert!(!path.exists());
}
