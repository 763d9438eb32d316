//! Folder and zip deliveries written from hand-built tables, read back with the `shapefile`, `dbase`, `csv` and
//! `zip` crates.

mod common;
mod fixtures;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use dbase::FieldValue;
use geo_types::{Geometry, MultiLineString, MultiPolygon, line_string, point};
use thd_model::{GraceVersion, RawTable};
use thd_write::{Container, TextEncoding, WriteError, WriteOptions, write_delivery};

use common::table;
use fixtures::{cables, delivery, paths, zones};

const V2: GraceVersion = GraceVersion::V2_0_1;

fn write(tables: &[RawTable], options: &WriteOptions) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("delivery");
    write_delivery(tables, V2, &out, options).expect("written");
    (dir, out)
}

fn dbf_records(path: &Path) -> Vec<dbase::Record> {
    dbase::Reader::from_path(path)
        .expect("dbf opens")
        .read()
        .expect("dbf reads")
}

fn geometries(path: &Path) -> Vec<Option<Geometry>> {
    shapefile::ShapeReader::from_path(path)
        .expect("shp opens")
        .read()
        .expect("shp reads")
        .into_iter()
        .map(|shape| match shape {
            shapefile::Shape::NullShape => None,
            shape => Some(Geometry::try_from(shape).expect("geo-types")),
        })
        .collect()
}

fn text(record: &dbase::Record, field: &str) -> Option<String> {
    match record.get(field) {
        Some(FieldValue::Character(value)) => value.clone(),
        other => panic!("{field}: {other:?}"),
    }
}

fn number(record: &dbase::Record, field: &str) -> Option<f64> {
    match record.get(field) {
        Some(FieldValue::Numeric(value)) => *value,
        other => panic!("{field}: {other:?}"),
    }
}

#[test]
fn points_and_their_attributes_read_back() {
    let (_dir, out) = write(&delivery(), &WriteOptions::default());
    let shapes = geometries(&out.join("t_noeud.shp"));
    assert_eq!(
        shapes,
        [Some(point!(x: 652_000.25, y: 6_862_000.5).into()), None]
    );

    let records = dbf_records(&out.join("t_noeud.dbf"));
    assert_eq!(records.len(), 2);
    let (first, second) = (&records[0], &records[1]);
    assert_eq!(text(first, "nd_code").as_deref(), Some("ND0001"));
    assert_eq!(text(first, "nd_nom").as_deref(), Some("Rue de l'Église"));
    assert_eq!(text(first, "nd_type").as_deref(), Some("PT"), "cut to 2");
    assert_eq!(number(first, "nd_geolqlt"), Some(25.5));
    assert_eq!(
        text(first, "nd_creadat").as_deref(),
        Some("2015-05-28 00:00:00")
    );
    assert_eq!(
        first.get("nd_abddate"),
        Some(&FieldValue::Date(Some(
            dbase::Date::new(1, 6, 2015).unwrap()
        )))
    );
    // "éa" does not fit 2 bytes of UTF-8 whole: the cut keeps "é", never half of it.
    assert_eq!(text(second, "nd_type").as_deref(), Some("é"));
    assert_eq!(text(second, "nd_nom"), None);
    assert_eq!(number(second, "nd_geolqlt"), None);
    assert_eq!(second.get("nd_abddate"), Some(&FieldValue::Date(None)));

    assert_eq!(
        fs::read_to_string(out.join("t_noeud.cpg")).unwrap(),
        "UTF-8"
    );
    assert!(
        fs::read_to_string(out.join("t_noeud.prj"))
            .unwrap()
            .ends_with(r#"AUTHORITY["EPSG","2154"]]"#)
    );
}

#[test]
fn lines_and_polygons_with_holes_read_back() {
    let (_dir, out) = write(&delivery(), &WriteOptions::default());

    let lines = geometries(&out.join("t_cheminement.shp"));
    let expected_first =
        MultiLineString::new(vec![line_string![(x: 10., y: 20.), (x: 30., y: 40.)]]);
    assert_eq!(lines[0], Some(expected_first.into()));
    assert_eq!(lines[1], paths().geometry(1).cloned());
    let records = dbf_records(&out.join("t_cheminement.dbf"));
    assert_eq!(number(&records[0], "cm_long"), Some(12.3));
    assert_eq!(
        records[0].get("cm_fildtec"),
        Some(&FieldValue::Logical(Some(true)))
    );
    assert_eq!(
        records[1].get("cm_fildtec"),
        Some(&FieldValue::Logical(Some(false)))
    );

    let zones_back = geometries(&out.join("t_zsro.shp"));
    let source = zones();
    let Some(Geometry::Polygon(holed)) = source.geometry(0) else {
        panic!("polygon")
    };
    assert_eq!(
        zones_back[0],
        Some(MultiPolygon::new(vec![holed.clone()]).into())
    );
    assert_eq!(zones_back[1], source.geometry(1).cloned());
    assert_eq!(zones_back[2], None);
    let records = dbf_records(&out.join("t_zsro.dbf"));
    assert_eq!(number(&records[0], "zs_capamax"), Some(480.0));
    assert_eq!(number(&records[1], "zs_capamax"), None);
}

#[test]
fn csv_tables_quote_only_what_needs_it() {
    let (_dir, out) = write(&delivery(), &WriteOptions::default());
    let bytes = fs::read(out.join("t_cable.csv")).unwrap();
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        "cb_code;cb_etiquet;cb_comment\nCB1;\"a;b\";\"dit \"\"fort\"\"\"\nCB2;;\"ligne 1\nligne 2, été\"\n"
    );
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[..]);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let source = cables();
    for (i, row) in rows.iter().enumerate() {
        let expected: Vec<String> = source
            .row(i)
            .map(|c| c.unwrap_or_default().to_owned())
            .collect();
        assert_eq!(row, &expected);
    }
}

#[test]
fn report_lists_files_rows_bytes_and_cut_cells() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    let report = write_delivery(&delivery(), V2, &out, &WriteOptions::default()).unwrap();
    let names: Vec<String> = report
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut expected = vec!["t_cable.csv".to_owned()];
    for t in ["t_cheminement", "t_noeud", "t_zsro"] {
        for ext in ["cpg", "dbf", "prj", "shp", "shx"] {
            expected.push(format!("{t}.{ext}"));
        }
    }
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(report.rows, 9);
    let on_disk: u64 = report
        .files
        .iter()
        .map(|f| fs::metadata(out.join(f)).unwrap().len())
        .sum();
    assert_eq!(report.bytes, on_disk);
    assert_eq!(report.truncated_cells, 2);
}

#[test]
fn windows_1252_writes_e_acute_as_one_byte_and_says_so() {
    let options = WriteOptions {
        encoding: TextEncoding::Windows1252,
        ..WriteOptions::default()
    };
    let (_dir, out) = write(&delivery(), &options);
    let dbf = fs::read(out.join("t_noeud.dbf")).unwrap();
    assert_eq!(dbf[29], 0x57, "language driver of Windows-1252");
    assert!(dbf.windows(7).any(|w| w == b"l'\xC9glis"));
    // With one byte per character, "éa" now fits the 2-byte field whole.
    assert!(dbf.windows(2).any(|w| w == b"\xE9a"));
    assert_eq!(fs::read(out.join("t_noeud.cpg")).unwrap(), b"1252");
    let csv = fs::read(out.join("t_cable.csv")).unwrap();
    assert!(csv.windows(4).any(|w| w == b" \xE9t\xE9"));
    assert!(std::str::from_utf8(&csv).is_err());
}

#[test]
fn upper_case_names_and_subfolders_follow_the_contractor_layout() {
    let options = WriteOptions {
        upper_case_names: true,
        subfolders: true,
        csv_separator: b',',
        csv_bom: true,
        write_cpg: false,
        ..WriteOptions::default()
    };
    let (_dir, out) = write(&delivery(), &options);
    assert!(out.join("SHP/T_NOEUD.SHP").is_file());
    assert!(out.join("SHP/T_NOEUD.DBF").is_file());
    assert!(!out.join("SHP/T_NOEUD.CPG").exists());
    let csv = fs::read(out.join("CSV/T_CABLE.CSV")).unwrap();
    assert!(csv.starts_with(b"\xEF\xBB\xBFCB_CODE,CB_ETIQUET,CB_COMMENT\nCB1,a;b,"));
    let reader = dbase::Reader::from_path(out.join("SHP/T_NOEUD.DBF")).unwrap();
    assert_eq!(reader.fields()[0].name(), "ND_CODE");
}

#[test]
fn a_zip_holds_the_files_of_the_folder_byte_for_byte() {
    let (_dir, folder) = write(&delivery(), &WriteOptions::default());
    let zip_options = WriteOptions {
        container: Container::Zip,
        ..WriteOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let report = write_delivery(&delivery(), V2, &dir.path().join("d.zip"), &zip_options).unwrap();
    let zip_path = dir.path().join("d.zip");
    assert_eq!(report.bytes, fs::metadata(&zip_path).unwrap().len());

    let mut archive = zip::ZipArchive::new(fs::File::open(&zip_path).unwrap()).unwrap();
    let mut entries = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        entries.insert(entry.name().unwrap().into_owned(), bytes);
    }
    let mut on_disk = BTreeMap::new();
    for entry in fs::read_dir(&folder).unwrap() {
        let entry = entry.unwrap();
        on_disk.insert(
            entry.file_name().into_string().unwrap(),
            fs::read(entry.path()).unwrap(),
        );
    }
    assert_eq!(entries, on_disk);

    // Without `.zip` in the path, the archive gets the extension; the same tables give the same bytes.
    write_delivery(&delivery(), V2, &dir.path().join("again"), &zip_options).unwrap();
    assert_eq!(
        fs::read(dir.path().join("again.zip")).unwrap(),
        fs::read(&zip_path).unwrap()
    );
}

#[test]
fn tables_the_model_does_not_know_are_csv_or_shapefiles_with_text_fields() {
    let custom_points = table(
        "x_points",
        &["identifiant_long", "valeur"],
        &[&[Some("P1"), Some("42")]],
        Some(vec![Some(point!(x: 1., y: 2.).into())]),
    );
    let custom_rows = table("x_rows", &["a"], &[&[Some("1")]], None);
    let (_dir, out) = write(&[custom_points, custom_rows], &WriteOptions::default());
    let reader = dbase::Reader::from_path(out.join("x_points.dbf")).unwrap();
    let fields: Vec<(String, usize)> = reader
        .fields()
        .iter()
        .map(|f| (f.name().to_owned(), f.length() as usize))
        .collect();
    assert_eq!(
        fields,
        [("identifian".to_owned(), 254), ("valeur".to_owned(), 254)]
    );
    assert_eq!(
        fs::read_to_string(out.join("x_rows.csv")).unwrap(),
        "a\n1\n"
    );
}

#[test]
fn a_value_a_typed_field_cannot_hold_is_an_error_naming_the_cell() {
    let bad = table(
        "t_zsro",
        &["zs_code", "zs_capamax"],
        &[&[Some("ZS1"), Some("beaucoup")]],
        Some(vec![None]),
    );
    let dir = tempfile::tempdir().unwrap();
    let err = write_delivery(&[bad], V2, dir.path(), &WriteOptions::default()).unwrap_err();
    match err {
        WriteError::Value {
            table, row, column, ..
        } => assert_eq!(
            (table.as_str(), row, column.as_str()),
            ("t_zsro", 0, "zs_capamax")
        ),
        other => panic!("{other}"),
    }
}

#[test]
fn invalid_values_can_be_kept_as_text_for_synthetic_defects() {
    let bad = table(
        "t_zsro",
        &["zs_code", "zs_capamax"],
        &[
            &[Some("ZS1"), Some("beaucoup de prises")],
            &[Some("ZS2"), Some("12")],
        ],
        Some(vec![None, None]),
    );
    let options = WriteOptions {
        keep_invalid_values: true,
        ..WriteOptions::default()
    };
    let (_dir, out) = write(&[bad], &options);
    let bytes = fs::read(out.join("t_zsro.dbf")).unwrap();
    let found = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        found(b"beaucoup de"),
        "the bad value reaches the file, cut to the field"
    );
    assert!(found(b"12 "), "the good value is written as a number");
}

#[test]
fn a_geometry_of_the_wrong_kind_is_refused_before_any_file_is_written() {
    let bad = table(
        "t_noeud",
        &["nd_code"],
        &[&[Some("ND1")], &[Some("ND2")]],
        Some(vec![
            Some(point!(x: 0., y: 0.).into()),
            Some(line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into()),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d");
    let err = write_delivery(&[bad], V2, &out, &WriteOptions::default()).unwrap_err();
    assert!(matches!(err, WriteError::Geometry { row: 1, .. }), "{err}");
    assert!(!out.exists());
}

#[test]
fn two_tables_of_the_same_name_are_refused() {
    let upper = table("T_CABLE", &["cb_code"], &[&[Some("CB9")]], None);
    let dir = tempfile::tempdir().unwrap();
    let err =
        write_delivery(&[cables(), upper], V2, dir.path(), &WriteOptions::default()).unwrap_err();
    assert!(
        matches!(err, WriteError::DuplicateTable { ref table } if table == "T_CABLE"),
        "{err}"
    );
}
