//! The files of a delivery before they are read: on disk (a folder) or in memory (a zip archive).
//!
//! Files on disk are only listed here and read later by the task that reads their table, so that reading is
//! spread over the threads along with parsing.

use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use thd_diag::Diagnostic;
use thd_diag::rules::READ_IO;
use thd_model::SourceFile;

use crate::error::ReadError;

/// One file of a delivery.
#[derive(Debug)]
pub(crate) struct Entry {
    /// Path relative to the delivery root, `/`-separated, as found.
    pub path: String,
    pub size: u64,
    pub content: Content,
}

/// Where the bytes of an [`Entry`] are.
#[derive(Debug)]
pub(crate) enum Content {
    Disk(PathBuf),
    Memory(Vec<u8>),
}

impl Entry {
    /// The bytes of the file (read from disk now for a folder).
    pub fn load(&self) -> io::Result<Cow<'_, [u8]>> {
        match &self.content {
            Content::Disk(path) => fs::read(path).map(Cow::Owned),
            Content::Memory(bytes) => Ok(Cow::Borrowed(bytes)),
        }
    }
}

/// The fingerprint of a file's content (its size only, with an empty hash, unless `hash`).
pub(crate) fn fingerprint(path: &str, bytes: &[u8], hash: bool) -> SourceFile {
    SourceFile {
        path: path.to_owned(),
        size: bytes.len() as u64,
        sha256: if hash {
            hex::encode(Sha256::digest(bytes))
        } else {
            String::new()
        },
    }
}

/// The fingerprint of a file on disk, hashed as it streams (a GeoPackage may be larger than memory allows).
pub(crate) fn fingerprint_file(path: &Path, name: &str, hash: bool) -> io::Result<SourceFile> {
    if !hash {
        return Ok(SourceFile {
            path: name.to_owned(),
            size: fs::metadata(path)?.len(),
            sha256: String::new(),
        });
    }
    let mut hasher = Sha256::new();
    let size = io::copy(&mut fs::File::open(path)?, &mut hasher)?;
    Ok(SourceFile {
        path: name.to_owned(),
        size,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Every file under `root`, sorted by path so that "the first" of two copies of a table is well defined.
///
/// Symbolic links to folders are not followed (a link back up would never end); a subfolder that cannot be
/// listed is reported and skipped; only an unreadable root is an error.
pub(crate) fn list_folder(root: &Path) -> Result<(Vec<Entry>, Vec<Diagnostic>), ReadError> {
    let mut entries = Vec::new();
    let mut diagnostics = Vec::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let listing = match fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(source) if prefix.is_empty() => {
                return Err(ReadError::Io {
                    path: root.to_path_buf(),
                    source,
                });
            }
            Err(e) => {
                diagnostics.push(unreadable(&prefix, &e));
                continue;
            }
        };
        for item in listing {
            let item = match item {
                Ok(item) => item,
                Err(e) => {
                    diagnostics.push(unreadable(&prefix, &e));
                    continue;
                }
            };
            let name = item.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = item.path();
            let is_link = item.file_type().is_ok_and(|t| t.is_symlink());
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() && !is_link => pending.push((path, rel)),
                Ok(meta) if meta.is_file() => entries.push(Entry {
                    path: rel,
                    size: meta.len(),
                    content: Content::Disk(path),
                }),
                Ok(_) => {}
                Err(e) => diagnostics.push(unreadable(&rel, &e)),
            }
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((entries, diagnostics))
}

/// The diagnostic of a file or folder of the delivery that cannot be read.
pub(crate) fn unreadable(path: &str, error: &io::Error) -> Diagnostic {
    Diagnostic::new(&READ_IO).file(path).message(
        format!("Lecture impossible : {error}"),
        format!("Cannot be read: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_recursively_and_sorted() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("SHP/sub")).expect("mkdir");
        fs::write(dir.path().join("SHP/T_NOEUD.DBF"), b"x").expect("write");
        fs::write(dir.path().join("SHP/sub/a.txt"), b"yy").expect("write");
        fs::write(dir.path().join("t_cable.csv"), b"zzz").expect("write");
        let (entries, diags) = list_folder(dir.path()).expect("list");
        assert!(diags.is_empty());
        let listed: Vec<(&str, u64)> = entries.iter().map(|e| (e.path.as_str(), e.size)).collect();
        assert_eq!(
            listed,
            [
                ("SHP/T_NOEUD.DBF", 1),
                ("SHP/sub/a.txt", 2),
                ("t_cable.csv", 3)
            ]
        );
        assert_eq!(entries[2].load().expect("load").as_ref(), b"zzz");
    }

    #[test]
    fn fingerprints_are_sha256_hex() {
        let f = fingerprint("a", b"abc", true);
        assert_eq!(f.size, 3);
        assert_eq!(
            f.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
