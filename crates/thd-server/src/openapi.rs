//! The OpenAPI 3.1 document of the API, served at `GET /api/openapi.json`.
//!
//! Written by hand as data (`openapi.json` beside this crate's sources) rather than derived from the handlers:
//! the handlers' types live in the domain crates, which should not carry HTTP annotations. A test checks that
//! its paths and methods are exactly the router's ([`crate::routes::routes`]) and that every path parameter
//! is described.

use axum::http::header;
use axum::response::IntoResponse;

/// The document's text.
pub const DOCUMENT: &str = include_str!("../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
