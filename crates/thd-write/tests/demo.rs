//! The official GraceTHD v2.0.1 demo delivery, read and written again, must come out byte for byte: the DBF
//! layout (field names, types, widths), the NULL marks, the shapes and their order of rings and points, the
//! `.prj`, `.cpg` and the CSV dialect. Skipped when `../shared` is absent.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use geo_types::Geometry;
use thd_model::{GraceVersion, RawTable};
use thd_write::{WriteOptions, write_delivery};

use common::table;

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/samples/gracethd-demo-v2.0.1"
);

fn demo_files(ext: &str) -> Option<Vec<PathBuf>> {
    let dir = Path::new(DEMO);
    if !dir.is_dir() {
        eprintln!("skipped: {DEMO} is absent");
        return None;
    }
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    Some(files)
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// A demo shapefile as a raw table: a minimal DBF parse (the test must not trust the writer's own layout code),
/// with the NULL marks of the demo (`*` numbers, `?` booleans, blank dates) read as NULL.
fn read_shapefile(dbf_path: &Path) -> RawTable {
    let dbf = fs::read(dbf_path).unwrap();
    let header_len = usize::from(u16::from_le_bytes([dbf[8], dbf[9]]));
    let record_len = usize::from(u16::from_le_bytes([dbf[10], dbf[11]]));
    let rows = u32::from_le_bytes(dbf[4..8].try_into().unwrap()) as usize;
    let fields: Vec<(String, u8, usize)> = dbf[32..header_len - 1]
        .chunks(32)
        .map(|f| {
            let name = String::from_utf8(f[..11].iter().copied().take_while(|&b| b != 0).collect());
            (name.unwrap().to_lowercase(), f[11], usize::from(f[16]))
        })
        .collect();
    let cells: Vec<Vec<Option<String>>> = (0..rows)
        .map(|row| {
            let mut at = header_len + row * record_len + 1;
            fields
                .iter()
                .map(|&(_, kind, width)| {
                    let raw = std::str::from_utf8(&dbf[at..at + width])
                        .unwrap()
                        .trim_end();
                    at += width;
                    let null = raw.is_empty()
                        || (kind == b'N' && raw.bytes().all(|b| b == b'*'))
                        || (kind == b'L' && raw == "?");
                    (!null).then(|| raw.to_owned())
                })
                .collect()
        })
        .collect();
    let geometries = shapefile::ShapeReader::from_path(dbf_path.with_extension("shp"))
        .unwrap()
        .read()
        .unwrap()
        .into_iter()
        .map(|shape| match shape {
            shapefile::Shape::NullShape => None,
            shape => Some(Geometry::try_from(shape).unwrap()),
        })
        .collect();
    let names: Vec<&str> = fields.iter().map(|(n, _, _)| n.as_str()).collect();
    let rows: Vec<Vec<Option<&str>>> = cells
        .iter()
        .map(|r| r.iter().map(|c| c.as_deref()).collect())
        .collect();
    let rows: Vec<&[Option<&str>]> = rows.iter().map(Vec::as_slice).collect();
    table(&stem(dbf_path), &names, &rows, Some(geometries))
}

fn read_csv(path: &Path) -> RawTable {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .unwrap();
    let names: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let rows: Vec<Vec<Option<&str>>> = records
        .iter()
        .map(|r| r.iter().map(|c| (!c.is_empty()).then_some(c)).collect())
        .collect();
    let rows: Vec<&[Option<&str>]> = rows.iter().map(Vec::as_slice).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    table(&stem(path), &names, &rows, None)
}

#[test]
fn the_demo_delivery_comes_out_byte_for_byte() {
    let (Some(dbfs), Some(csvs)) = (demo_files("dbf"), demo_files("csv")) else {
        return;
    };
    assert_eq!((dbfs.len(), csvs.len()), (10, 23));
    let tables: Vec<RawTable> = dbfs
        .iter()
        .map(|p| read_shapefile(p))
        .chain(csvs.iter().map(|p| read_csv(p)))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let report = write_delivery(
        &tables,
        GraceVersion::V2_0_1,
        dir.path(),
        &WriteOptions::default(),
    )
    .unwrap();
    assert_eq!(report.files.len(), 10 * 5 + 23);
    assert_eq!(report.truncated_cells, 0);

    for file in &report.files {
        let ours = fs::read(dir.path().join(file)).unwrap();
        let theirs = fs::read(Path::new(DEMO).join(file)).unwrap();
        let name = file.display();
        if file.extension().is_some_and(|e| e == "dbf") {
            // The demo leaves out dBase's end-of-file mark; everything else is the same.
            assert_eq!(ours.last(), Some(&0x1A), "{name}");
            assert!(ours[..ours.len() - 1] == theirs[..], "{name} differs");
        } else {
            assert!(ours == theirs, "{name} differs");
        }
    }
}
