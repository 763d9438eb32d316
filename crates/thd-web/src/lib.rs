//! The rollout dashboard: the pages of `web/` (plain ES modules, MapLibre GL and Chart.js vendored under
//! `web/assets/vendor/`) embedded in the binary at build time and served by [`router`], so `thd serve` stands
//! alone and works offline. The pages read everything from the JSON API of `thd-server`; this crate knows
//! nothing of it and only serves files.
//!
//! Caching: every response carries a strong `ETag` computed from the file's bytes and `Cache-Control:
//! no-cache`, so a browser keeps its copy but asks each time whether it is still current, and a conditional
//! request answers `304 Not Modified` without a body. The files' names carry no version, so anything longer-lived
//! would serve stale scripts after an upgrade; a revalidation is one small round trip on a dashboard loaded a few
//! times a day.

mod assets;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The dashboard at `/` and its files under `/assets/...`, for any router state, so it merges with the API's
/// router (`thd_server::router` does). It declares no fallback, which `Router::merge`
/// requires of one of the two.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            "/",
            get(|headers: HeaderMap| async move { serve("/", &headers) }),
        )
        .route(
            "/assets/{*path}",
            get(|Path(path): Path<String>, headers: HeaderMap| async move {
                serve(&format!("/assets/{path}"), &headers)
            }),
        )
}

/// The embedded file at `url`, `304` when the client's copy is current, or `404`.
fn serve(url: &str, request: &HeaderMap) -> Response {
    let Some(asset) = assets::find(url) else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("no dashboard file at {url}"),
        )
            .into_response();
    };
    let headers = [
        (header::ETAG, HeaderValue::from_static(asset.etag)),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    if client_has(request, asset.etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    (
        headers,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(assets::content_type(url)),
        )],
        asset.bytes,
    )
        .into_response()
}

/// Whether `If-None-Match` names `etag` (or `*`): the list form `"a", "b"` and weak tags `W/"a"` included, as a
/// proxy may have weakened the tag.
fn client_has(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

#[cfg(test)]
mod tests;
