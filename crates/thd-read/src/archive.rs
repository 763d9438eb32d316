//! Zip archives of deliveries, unpacked into memory with guards against hostile archives.
//!
//! An archive comes from outside: an entry may try to escape the delivery (`../x`, `/etc/x`, `C:\x`, a
//! symbolic link), or inflate to far more than it looks (a zip bomb, possibly with sizes that lie in the
//! headers). Such entries are reported and skipped; inflation is capped by counting the bytes actually
//! produced, not the declared sizes. Nothing is written to disk.

use std::io::Read;
use thd_diag::Diagnostic;
use thd_diag::rules::{READ_ZIP_INVALID, READ_ZIP_TOO_LARGE, READ_ZIP_UNSAFE_ENTRY};

/// Largest total of inflated bytes accepted from one archive (4 GiB): well above a region-scale delivery, well
/// below what would exhaust memory.
pub const MAX_UNPACKED_BYTES: u64 = 4 << 30;

/// Largest allocation made on the word of an entry's declared size.
const PREALLOCATE_AT_MOST: u64 = 64 << 20;

/// The files of an archive.
#[derive(Debug, Default)]
pub struct Unpacked {
    /// `(path inside the archive, content)`, sorted by path; directories and refused entries are not listed.
    pub files: Vec<(String, Vec<u8>)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Why an archive cannot be opened at all.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ArchiveError(String);

/// Unpacks a zip archive, within [`MAX_UNPACKED_BYTES`].
pub fn unpack(bytes: &[u8]) -> Result<Unpacked, ArchiveError> {
    unpack_within(bytes, MAX_UNPACKED_BYTES)
}

/// Unpacks a zip archive, inflating at most `limit` bytes in all.
pub fn unpack_within(bytes: &[u8], limit: u64) -> Result<Unpacked, ArchiveError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ArchiveError(e.to_string()))?;
    let mut out = Unpacked::default();
    let mut budget = limit;
    for index in 0..archive.len() {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => {
                out.diagnostics.push(
                    Diagnostic::new(&READ_ZIP_INVALID)
                        .value(format!("#{}", index + 1))
                        .message(
                            format!("Entrée n° {} illisible : {e}", index + 1),
                            format!("Entry #{} unreadable: {e}", index + 1),
                        ),
                );
                continue;
            }
        };
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if entry.is_dir() {
            continue;
        }
        if let Some((fr, en)) = unsafe_reason(&name, entry.is_symlink()) {
            out.diagnostics.push(
                Diagnostic::new(&READ_ZIP_UNSAFE_ENTRY)
                    .file(name.clone())
                    .value(name)
                    .message(
                        format!("Entrée refusée ({fr}) et ignorée"),
                        format!("Entry refused ({en}) and skipped"),
                    ),
            );
            continue;
        }
        // Read one byte past the budget to tell "exactly the budget" from "more than it".
        // Declared sizes may lie: they size the first allocation, never more than a modest one.
        let hint = entry.size().min(budget).min(PREALLOCATE_AT_MOST);
        let mut content = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        let read = (&mut entry)
            .take(budget.saturating_add(1))
            .read_to_end(&mut content);
        match read {
            Ok(n) if n as u64 > budget => {
                out.diagnostics.push(
                    Diagnostic::new(&READ_ZIP_TOO_LARGE).file(name).message(
                        format!("L'archive se décompresse au-delà de {limit} octets : lecture arrêtée à cette entrée"),
                        format!("The archive inflates beyond {limit} bytes: reading stopped at this entry"),
                    ),
                );
                break;
            }
            Ok(n) => {
                budget -= n as u64;
                out.files.push((normalise_separators(&name), content));
            }
            Err(e) => out.diagnostics.push(
                Diagnostic::new(&READ_ZIP_INVALID)
                    .severity(thd_diag::Severity::Error)
                    .file(name)
                    .message(
                        format!("Entrée illisible (corrompue ou chiffrée) : {e}"),
                        format!("Entry unreadable (corrupt or encrypted): {e}"),
                    ),
            ),
        }
    }
    out.files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Why an entry may not be unpacked, in French and English; `None` when it is a plain relative file.
fn unsafe_reason(name: &str, symlink: bool) -> Option<(&'static str, &'static str)> {
    if symlink {
        return Some(("lien symbolique", "symbolic link"));
    }
    let absolute = name.starts_with('/')
        || name.starts_with('\\')
        || name
            .split(['/', '\\'])
            .next()
            .is_some_and(|first| first.contains(':'));
    if absolute {
        return Some(("chemin absolu", "absolute path"));
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Some(("chemin qui remonte avec « .. »", "path going up with '..'"));
    }
    if name.contains('\0') {
        return Some(("nom contenant un octet nul", "name containing a NUL byte"));
    }
    None
}

/// Archive paths with `/` only (some Windows tools write `\`).
fn normalise_separators(name: &str) -> String {
    name.replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer
                .start_file(*name, SimpleFileOptions::default())
                .expect("start");
            writer.write_all(content).expect("write");
        }
        writer.finish().expect("finish").into_inner()
    }

    #[test]
    fn plain_entries_are_unpacked_sorted() {
        let z = zip_of(&[("b/t_cable.csv", b"x"), ("a\\t_noeud.csv", b"yz")]);
        let u = unpack(&z).expect("zip");
        let names: Vec<&str> = u.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a/t_noeud.csv", "b/t_cable.csv"]);
        assert!(u.diagnostics.is_empty());
    }

    #[test]
    fn escaping_entries_are_refused() {
        let z = zip_of(&[
            ("../evil.csv", b"x"),
            ("/etc/passwd", b"x"),
            ("a/../../b.csv", b"x"),
            ("C:\\x.csv", b"x"),
            ("ok.csv", b"x"),
        ]);
        let u = unpack(&z).expect("zip");
        assert_eq!(u.files.len(), 1);
        assert_eq!(u.diagnostics.len(), 4);
        assert!(
            u.diagnostics
                .iter()
                .all(|d| d.rule == "read.zip.unsafe_entry")
        );
    }

    #[test]
    fn inflation_is_capped_by_bytes_actually_produced() {
        let z = zip_of(&[("a.csv", &[b'a'; 600]), ("b.csv", &[b'b'; 600])]);
        let u = unpack_within(&z, 1000).expect("zip");
        assert_eq!(u.files.len(), 1);
        assert_eq!(u.diagnostics.len(), 1);
        assert_eq!(u.diagnostics[0].rule, "read.zip.too_large");
        assert_eq!(unpack_within(&z, 1200).expect("zip").files.len(), 2);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(unpack(b"PK\x03\x04 not really").is_err());
        assert!(unpack(b"").is_err());
    }
}
