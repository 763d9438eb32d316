//! Errors as the API gives them: an HTTP status and a JSON body `{"error": {"code", "message", "details"?}}`
//! whose `code` is stable (clients branch on it) and whose `message` says what to do.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use thd_store::StoreError;

/// An error answered to a request.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, snake_case: `not_found`, `bad_request`, `payload_too_large`...
    pub code: &'static str,
    pub message: String,
    /// Structured context, e.g. the current state on a version conflict.
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// A failure of the server itself: logged in full, answered without internals.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details (search it for this request's x-request-id)",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(details) = self.details {
            error["details"] = details;
        }
        (self.status, Json(json!({ "error": error }))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NoDelivery(id) => Self::not_found(format!("no delivery {id} in the store")),
            StoreError::Locked(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_locked",
                error.to_string(),
            ),
            other => Self::internal(other),
        }
    }
}
