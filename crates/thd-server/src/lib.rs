//! The HTTP API of the FTTH rollout engine (axum): the store's deliveries and their diagnostics, the network as
//! map layers, the planning figures, and uploads of new deliveries checked and imported in the background.
//!
//! [`router`] builds the whole application from an [`App`] — tests drive it without a socket, with
//! `tower::ServiceExt::oneshot` — and [`serve`] runs it on an address until Ctrl-C or SIGTERM, finishing the
//! requests in flight. Every response carries an `x-request-id` (the client's, or a new UUID), every request is
//! logged with it through `tracing`, and every error is JSON with a stable `code` ([`ApiError`]). The routes are
//! declared once in [`routes`]; `GET /api/openapi.json` describes them, and a test holds the two together.

mod answers;
pub mod api;
mod app;
mod auth;
mod cache;
mod error;
mod extract;
mod jobs;
mod layers;
pub mod openapi;
pub mod routes;
mod table;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderName, Request, StatusCode};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use app::{App, OpenError, Planning, Settings};
pub use auth::Caller;
pub use error::ApiError;
pub use jobs::{Job, Stage};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The application: the dashboard (`thd-web`, at `/`) and every API route, with request ids, request logs and
/// JSON errors for unknown routes.
pub fn router(app: App) -> Router {
    routes::router()
        .merge(thd_web::router())
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no_route",
                "no such API route; GET /api/openapi.json lists them",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method; GET /api/openapi.json lists them",
            )
        })
        .with_state(app)
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", id, method = %request.method(), uri = %request.uri())
            })
            // One line per answered request at the default log level: status and latency, in the span above.
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves `app` on `addr` until Ctrl-C or SIGTERM; requests in flight are finished before it returns.
pub async fn serve(app: App, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(address = %listener.local_addr()?, "serving");
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown())
        .await
}

/// Resolves on Ctrl-C, or on SIGTERM where there are signals (what a service manager sends).
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
