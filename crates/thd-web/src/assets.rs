//! The dashboard's files as embedded by `build.rs`, looked up by URL, with the content type each one is served
//! with (from its extension: the files are ours, so the table only needs the kinds `web/` holds).

/// One embedded file.
#[derive(Debug)]
pub(crate) struct Asset {
    /// Where it is served: `/` for the page, `/assets/...` for the rest.
    pub url: &'static str,
    pub bytes: &'static [u8],
    /// A strong entity tag (quoted) derived from the bytes.
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The embedded file served at `url`, if any.
pub(crate) fn find(url: &str) -> Option<&'static Asset> {
    FILES.iter().find(|asset| asset.url == url)
}

/// The `Content-Type` of a file served at `url`. `.mjs` must be JavaScript: browsers refuse to run an ES module
/// served with any other type, and MapLibre ships only modules.
pub(crate) fn content_type(url: &str) -> &'static str {
    if url == "/" {
        return "text/html; charset=utf-8";
    }
    let extension = url.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
