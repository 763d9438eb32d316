//! Axum's extractors with the API's JSON errors: a bad query string or path segment is a `400 bad_request`
//! that names the parameter, like every other error of the API, not axum's plain-text rejection.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

/// Query parameters, deserialised into `T`.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// Path parameters, deserialised into `T`.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::bad_request(format!("query string: {}", rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        ApiError::bad_request(format!("path: {}", rejection.body_text()))
    }
}

/// A JSON request body, deserialised into `T`; a body that is not JSON, or not of the expected shape (a field
/// missing, of the wrong type, or unknown), is a `400 invalid_body` naming the problem.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("request body: {}", rejection.body_text()),
        )
    }
}
