//! Property tests: whatever the bytes, the format readers return (tables and diagnostics), never panic.
//!
//! Inputs are random bytes and, more usefully, valid files with random damage (bytes overwritten, the file
//! cut), which reach deeper into the parsers than pure noise.

use proptest::prelude::*;
use sha2::{Digest, Sha256};
use thd_read::context::FileContext;
use thd_read::{archive, dbf, delimited, shp};

fn ctx() -> FileContext {
    FileContext::new("t_noeud", "t_noeud.x")
}

/// A small valid DBF: two character fields, three records.
fn valid_dbf() -> Vec<u8> {
    let fields: [(&[u8], u8); 2] = [(b"nd_code", 14), (b"nd_nom", 20)];
    let mut b = vec![3, 124, 1, 1, 3, 0, 0, 0];
    b.extend_from_slice(&(32u16 + 64 + 1).to_le_bytes());
    b.extend_from_slice(&35u16.to_le_bytes());
    b.extend_from_slice(&[0; 20]);
    for (name, len) in fields {
        let mut d = name.to_vec();
        d.resize(11, 0);
        d.push(b'C');
        d.extend_from_slice(&[0; 4]);
        d.push(len);
        d.extend_from_slice(&[0; 15]);
        b.extend(d);
    }
    b.push(0x0D);
    for i in 0..3u8 {
        b.push(b' ');
        b.extend_from_slice(format!("ND{i:012}").as_bytes());
        b.extend_from_slice(
            format!("{:<20}", "Église")
                .as_bytes()
                .get(..20)
                .unwrap_or_default(),
        );
    }
    b.push(0x1A);
    b
}

/// A small valid polyline `.shp` and its `.shx`.
fn valid_shp() -> (Vec<u8>, Vec<u8>) {
    let mut content = Vec::new();
    content.extend_from_slice(&3i32.to_le_bytes());
    content.extend_from_slice(&[0; 32]);
    content.extend_from_slice(&1i32.to_le_bytes());
    content.extend_from_slice(&3i32.to_le_bytes());
    content.extend_from_slice(&0i32.to_le_bytes());
    for v in [0.0f64, 0.0, 1.0, 1.0, 2.0, 0.0] {
        content.extend_from_slice(&v.to_le_bytes());
    }
    let header = |len: usize| {
        let mut h = vec![0u8; 100];
        h[..4].copy_from_slice(&9994i32.to_be_bytes());
        h[24..28].copy_from_slice(&((len / 2) as i32).to_be_bytes());
        h[28..32].copy_from_slice(&1000i32.to_le_bytes());
        h[32..36].copy_from_slice(&3i32.to_le_bytes());
        h
    };
    let mut records = Vec::new();
    let mut index = Vec::new();
    for n in 1..=2i32 {
        index.extend_from_slice(&(((100 + records.len()) / 2) as i32).to_be_bytes());
        index.extend_from_slice(&((content.len() / 2) as i32).to_be_bytes());
        records.extend_from_slice(&n.to_be_bytes());
        records.extend_from_slice(&((content.len() / 2) as i32).to_be_bytes());
        records.extend_from_slice(&content);
    }
    let mut shp = header(100 + records.len());
    shp.extend(records);
    let mut shx = header(100 + index.len());
    shx.extend(index);
    (shp, shx)
}

/// `bytes` with some positions overwritten and possibly cut short.
fn damage(bytes: Vec<u8>, edits: Vec<(usize, u8)>, cut: Option<usize>) -> Vec<u8> {
    let mut b = bytes;
    for (at, value) in edits {
        if !b.is_empty() {
            let i = at % b.len();
            b[i] = value;
        }
    }
    if let Some(cut) = cut {
        b.truncate(cut % (b.len() + 1));
    }
    b
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8)>> {
    prop::collection::vec((any::<usize>(), any::<u8>()), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dbf_never_panics(noise in prop::collection::vec(any::<u8>(), 0..600), e in edits(), cut in any::<Option<usize>>()) {
        let _ = dbf::read_dbf(&noise, &ctx(), None);
        let damaged = damage(valid_dbf(), e, cut);
        let read = dbf::read_dbf(&damaged, &ctx(), None);
        if let Some(t) = read.table {
            prop_assert!(t.len() <= read.record_count);
        }
    }

    /// Streaming a `.dbf` from disk in blocks of any size reads exactly what reading it whole does, diagnostics
    /// and encoding fallback included, and fingerprints the whole file.
    #[test]
    fn dbf_streamed_from_disk_reads_as_in_memory(e in edits(), cut in any::<Option<usize>>(), latin1 in any::<bool>(), block in 1usize..200) {
        let mut bytes = valid_dbf();
        if latin1 {
            let at = bytes.len() - 10;
            bytes[at] = 0xE9; // é in Windows-1252, invalid UTF-8
        }
        let bytes = damage(bytes, e, cut);
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("t_noeud.dbf");
        std::fs::write(&path, &bytes).expect("write");
        let whole = dbf::read_dbf(&bytes, &ctx(), None);
        let (streamed, file) = dbf::read_dbf_file(&path, "t_noeud.dbf", &ctx(), None, block, true).expect("read");
        prop_assert_eq!(&streamed.table, &whole.table);
        prop_assert_eq!(&streamed.records, &whole.records);
        prop_assert_eq!(streamed.record_count, whole.record_count);
        prop_assert_eq!(streamed.encoding, whole.encoding);
        prop_assert_eq!(&streamed.diagnostics, &whole.diagnostics);
        prop_assert_eq!(file.size, bytes.len() as u64);
        prop_assert_eq!(file.sha256, hex::encode(Sha256::digest(&bytes)));
    }

    #[test]
    fn shp_never_panics(noise in prop::collection::vec(any::<u8>(), 0..600), e in edits(), e2 in edits(), cut in any::<Option<usize>>()) {
        let _ = shp::read_shp(&noise, Some((&noise, "x.shx")), &ctx());
        let (shp_bytes, shx_bytes) = valid_shp();
        let shp_bytes = damage(shp_bytes, e, cut);
        let shx_bytes = damage(shx_bytes, e2, None);
        let read = shp::read_shp(&shp_bytes, Some((&shx_bytes, "x.shx")), &ctx());
        prop_assert!(read.shapes.len() <= shp_bytes.len() / 8 + 1);
        let _ = shp::read_shp(&shp_bytes, None, &ctx());
    }

    #[test]
    fn csv_never_panics(noise in prop::collection::vec(any::<u8>(), 0..600), text in "[a-z;,\"\r\n\u{e9}\u{feff}]{0,200}") {
        let _ = delimited::read_csv(&noise, &ctx());
        let read = delimited::read_csv(text.as_bytes(), &ctx());
        if let Some(t) = read.table {
            for r in 0..t.len() {
                prop_assert_eq!(t.row(r).count(), t.columns.len());
            }
        }
    }

    #[test]
    fn zip_never_panics(noise in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(noise);
        let _ = archive::unpack(&bytes);
    }
}

#[test]
fn the_undamaged_fixtures_are_valid() {
    let read = dbf::read_dbf(&valid_dbf(), &ctx(), None);
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let table = read.table.expect("table");
    assert_eq!((table.len(), table.cell(2, 1)), (3, Some("Église")));
    let (shp_bytes, shx_bytes) = valid_shp();
    let read = shp::read_shp(&shp_bytes, Some((&shx_bytes, "x.shx")), &ctx());
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    assert_eq!(read.shapes.iter().flatten().count(), 2);
}
