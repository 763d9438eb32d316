//! Embeds the dashboard: writes `$OUT_DIR/assets.rs`, one `Asset` per file of `web/index.html` and `web/assets/`
//! with its bytes (`include_bytes!` of the file itself, so the binary stands alone) and an entity tag computed
//! from those bytes, so a browser revalidates with `If-None-Match` and gets `304` until the binary changes.
//! Files are listed in sorted order: the generated table, and so the binary, does not depend on directory order.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

fn main() -> io::Result<()> {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let web = manifest.join("../../web").canonicalize()?;
    let index = web.join("index.html");
    let assets = web.join("assets");
    println!("cargo:rerun-if-changed={}", index.display());
    println!("cargo:rerun-if-changed={}", assets.display());

    let mut files = vec![("/".to_owned(), index)];
    let mut found = Vec::new();
    walk(&assets, &mut found)?;
    found.sort();
    for path in found {
        let relative = path.strip_prefix(&web).expect("walked under web/");
        let url = relative
            .components()
            .map(|c| c.as_os_str().to_str().expect("asset names are UTF-8"))
            .collect::<Vec<_>>()
            .join("/");
        files.push((format!("/{url}"), path));
    }

    let mut out =
        String::from("/// Every embedded file: `/` (index.html) and each file under `/assets/`.\n");
    out.push_str("pub(crate) static FILES: &[Asset] = &[\n");
    for (url, path) in &files {
        let bytes = fs::read(path)?;
        writeln!(
            out,
            "    Asset {{ url: {url:?}, bytes: include_bytes!({path:?}), etag: \"\\\"{:016x}\\\"\" }},",
            fnv1a(&bytes),
            path = path.display().to_string(),
        )
        .expect("writing to a String");
    }
    out.push_str("];\n");
    let target = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("assets.rs");
    fs::write(target, out)
}

/// Every file under `dir`, recursively; dot-files (editor and OS droppings) are left out.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, found)?;
        } else {
            found.push(path);
        }
    }
    Ok(())
}

/// FNV-1a, 64 bits: enough to tell two versions of a file apart for caching (not a security boundary), and no
/// build dependency.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
