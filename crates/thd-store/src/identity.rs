//! What identifies a delivery (its fingerprint) and what phase it is at, computed from the delivery alone.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use thd_model::RawDelivery;

use thd_geo::LAMBERT_93_SRS_ID;
use thd_geo::gpkg::{self, Parts};

/// The fingerprint that recognises a re-delivery: the SHA-256 of the sorted SHA-256 of its files, so the same
/// files delivered again under other names or in another order are the same delivery. A delivery built in
/// memory (no files) is fingerprinted by its content instead: table names, columns, cells and geometries.
pub(crate) fn fingerprint(delivery: &RawDelivery) -> String {
    let mut hash = Sha256::new();
    if delivery.files.is_empty() {
        hash.update(b"content\0");
        for (name, table) in &delivery.tables {
            hash.update(name.as_bytes());
            hash.update(b"\0");
            for column in &table.columns {
                hash.update(column.as_bytes());
                hash.update(b"\x1f");
            }
            let mut geometry = Vec::new();
            for row in 0..table.len() {
                hash.update(b"\x1e");
                for cell in table.row(row) {
                    // A marker before each cell tells NULL from empty and keeps cell boundaries unambiguous.
                    match cell {
                        None => hash.update(b"\x00"),
                        Some(text) => {
                            hash.update((text.len() as u64).to_le_bytes());
                            hash.update(text.as_bytes());
                        }
                    }
                }
                if let Some(g) = table.geometry(row) {
                    geometry.clear();
                    gpkg::encode(g, LAMBERT_93_SRS_ID, Parts::AsGiven, &mut geometry);
                    hash.update(&geometry);
                }
            }
        }
    } else {
        let mut shas: Vec<&str> = delivery.files.iter().map(|f| f.sha256.as_str()).collect();
        shas.sort_unstable();
        hash.update(b"files\0");
        for sha in shas {
            hash.update(sha.as_bytes());
            hash.update(b"\n");
        }
    }
    hex::encode(hash.finalize())
}

/// The phase of a delivery: the most frequent value of the `*_statut` columns of all its tables (GraceTHD
/// codes such as `AVP`, `PRO`, `EXE`, `REC`), ties going to the first in alphabetical order; `None` when no
/// status is filled.
pub(crate) fn phase(delivery: &RawDelivery) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for table in delivery.tables.values() {
        for (col, _) in table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.ends_with("_statut"))
        {
            for row in 0..table.len() {
                if let Some(value) = table.cell(row, col) {
                    *counts.entry(value).or_default() += 1;
                }
            }
        }
    }
    let mut best: Option<(&str, usize)> = None;
    for (value, n) in counts {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((value, n));
        }
    }
    best.map(|(value, _)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use thd_model::{RawTableBuilder, SourceFile, SourceFormat};

    fn delivery(statuses: &[Option<&str>]) -> RawDelivery {
        let columns = vec!["nd_code".to_owned(), "nd_statut".to_owned()];
        let mut b =
            RawTableBuilder::new("t_noeud", "t_noeud.dbf", SourceFormat::Shapefile, columns);
        for (i, s) in statuses.iter().enumerate() {
            let code = format!("ND{i}");
            b.push_row([Some(code.as_str()), *s]);
        }
        let mut d = RawDelivery::default();
        d.tables.insert("t_noeud".into(), b.finish());
        d
    }

    #[test]
    fn the_phase_is_the_most_frequent_status() {
        let d = delivery(&[Some("REC"), Some("EXE"), Some("REC"), None]);
        assert_eq!(phase(&d).as_deref(), Some("REC"));
        assert_eq!(
            phase(&delivery(&[Some("PRO"), Some("AVP")])).as_deref(),
            Some("AVP")
        );
        assert_eq!(phase(&delivery(&[None])), None);
    }

    #[test]
    fn file_fingerprints_ignore_names_and_order() {
        let file = |path: &str, sha: &str| SourceFile {
            path: path.into(),
            size: 1,
            sha256: sha.into(),
        };
        let a = RawDelivery {
            files: vec![file("a.csv", "11"), file("b.csv", "22")],
            ..RawDelivery::default()
        };
        let mut b = RawDelivery {
            files: vec![file("B.CSV", "22"), file("x/a.csv", "11")],
            ..RawDelivery::default()
        };
        assert_eq!(fingerprint(&a), fingerprint(&b));
        b.files[0].sha256 = "23".into();
        assert_ne!(fingerprint(&a), fingerprint(&b));
    }

    #[test]
    fn content_fingerprints_see_every_cell() {
        let a = delivery(&[Some("REC"), None]);
        let b = delivery(&[Some("REC"), Some("")]);
        let c = delivery(&[Some("REC"), Some("EXE")]);
        assert_eq!(fingerprint(&a), fingerprint(&b), "an empty cell is NULL");
        assert_ne!(fingerprint(&a), fingerprint(&c));
    }
}
