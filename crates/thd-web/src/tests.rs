//! The router against the embedded files: every file the page references (transitively, through our modules'
//! imports and MapLibre's worker) is served with the right type, nothing is embedded that nothing references,
//! conditional requests answer 304, and the router merges with the API's.

use std::collections::{BTreeSet, VecDeque};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use super::{assets, router};

async fn get(
    url: &str,
    if_none_match: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(url);
    if let Some(tag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    let response = router::<()>()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

/// The quoted strings that follow `marker` in `text` (`src="x"`, `from './y.js'`, `import('z')`).
fn quoted_after(text: &str, marker: &str) -> Vec<String> {
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = text[at + marker.len()..].trim_start();
            let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
            let inner = &rest[1..];
            Some(inner[..inner.find(quote)?].to_owned())
        })
        .collect()
}

/// `reference` as a URL, seen from the file at `base` (relative references are resolved; `./` and `../`).
fn resolve(base: &str, reference: &str) -> Option<String> {
    if reference.starts_with('/') {
        return Some(reference.to_owned());
    }
    if !reference.starts_with('.') {
        return None; // data:, blob:, https: ... nothing the server serves
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for part in reference.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// What the file at `url` makes the browser load.
fn references(url: &str, body: &str) -> Vec<String> {
    let found = if url == "/" {
        [quoted_after(body, "src="), quoted_after(body, "href=")].concat()
    } else if url.starts_with("/assets/js/") {
        [
            quoted_after(body, "from"),
            quoted_after(body, "import"),
            quoted_after(body, "import("),
        ]
        .concat()
    } else if url.ends_with("/maplibre-gl.mjs") {
        // MapLibre starts its worker from the module beside its own file (see web/vendor.sh).
        assert!(body.contains("maplibre-gl-worker.mjs"));
        vec!["./maplibre-gl-worker.mjs".to_owned()]
    } else {
        Vec::new()
    };
    found.iter().filter_map(|r| resolve(url, r)).collect()
}

#[tokio::test]
async fn every_referenced_file_is_served_and_every_served_file_is_referenced() {
    let mut seen = BTreeSet::from(["/".to_owned()]);
    let mut queue = VecDeque::from(["/".to_owned()]);
    while let Some(url) = queue.pop_front() {
        let (status, headers, body) = get(&url, None).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        let expected = assets::content_type(&url);
        assert_eq!(headers[header::CONTENT_TYPE], expected, "{url}");
        assert_ne!(
            expected, "application/octet-stream",
            "{url} has no known type"
        );
        let text = String::from_utf8(body).unwrap();
        for next in references(&url, &text) {
            if seen.insert(next.clone()) {
                queue.push_back(next);
            }
        }
    }
    for expected in [
        "/assets/vendor/maplibre-gl/maplibre-gl.mjs",
        "/assets/vendor/maplibre-gl/maplibre-gl-worker.mjs",
        "/assets/vendor/maplibre-gl/maplibre-gl.css",
        "/assets/vendor/chart.js/chart.umd.min.js",
    ] {
        assert!(seen.contains(expected), "the page never loads {expected}");
    }
    // The licences and versions of the vendored libraries ship with them, referenced or not; anything else
    // embedded but never loaded is dead weight in the binary.
    let unreferenced: Vec<&str> = assets::FILES
        .iter()
        .map(|a| a.url)
        .filter(|url| !seen.contains(*url))
        .filter(|url| !url.ends_with("/LICENSE.txt") && !url.ends_with("/LICENSE.md"))
        .filter(|url| !url.ends_with("/VERSION.txt"))
        .collect();
    assert!(
        unreferenced.is_empty(),
        "embedded, never loaded: {unreferenced:?}"
    );
}

#[tokio::test]
async fn modules_are_javascript_and_the_page_is_html() {
    let (_, headers, body) = get("/", None).await;
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert!(String::from_utf8(body).unwrap().contains("<!doctype html>"));
    let (_, headers, _) = get("/assets/vendor/maplibre-gl/maplibre-gl.mjs", None).await;
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let (_, headers, _) = get("/assets/vendor/maplibre-gl/maplibre-gl.css", None).await;
    assert_eq!(headers[header::CONTENT_TYPE], "text/css; charset=utf-8");
    for asset in assets::FILES {
        assert_ne!(
            assets::content_type(asset.url),
            "application/octet-stream",
            "{} would be served without a type",
            asset.url
        );
    }
}

#[tokio::test]
async fn a_current_copy_is_revalidated_with_304() {
    let url = "/assets/vendor/chart.js/chart.umd.min.js";
    let (status, headers, body) = get(url, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    assert!(body.len() > 100_000);
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();

    let (status, headers, body) = get(url, Some(&etag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(headers[header::ETAG], etag.as_str());
    assert!(body.is_empty());
    let (status, _, _) = get(url, Some(&format!("\"other\", W/{etag}"))).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED, "a weakened tag in a list");
    let (status, _, body) = get(url, Some("\"0000000000000000\"")).await;
    assert_eq!(status, StatusCode::OK, "a stale copy gets the file");
    assert!(!body.is_empty());

    let (_, page, _) = get("/", None).await;
    assert_ne!(
        page[header::ETAG],
        etag.as_str(),
        "each file has its own tag"
    );
}

#[tokio::test]
async fn unknown_files_are_404_and_paths_never_reach_the_file_system() {
    for url in [
        "/assets/js/nope.js",
        "/assets/../Cargo.toml",
        "/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/assets/",
        "/index.html",
    ] {
        let (status, _, _) = get(url, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}");
    }
}
