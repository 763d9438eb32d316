//! The API's routes, declared once in a table: the router is built from it, and the OpenAPI document is checked
//! against it by a test, so the two cannot drift apart.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use crate::api::{acceptance, deliveries, map, planning, services, uploads};
use crate::app::App;
use crate::openapi;

/// One route: its method and path (axum's `{param}` syntax, the same as OpenAPI's) and its handler.
#[derive(Debug)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub(crate) handler: MethodRouter<App>,
}

fn route<H, T>(method: Method, path: &'static str, handler: H) -> Route
where
    H: Handler<T, App>,
    T: 'static,
{
    let handler = match method {
        Method::GET => get(handler),
        Method::POST => post(handler),
        ref other => unreachable!("no route uses {other}"),
    };
    Route {
        method,
        path,
        handler,
    }
}

/// Every route of the API.
pub fn routes() -> Vec<Route> {
    vec![
        route(Method::GET, "/api/health", health),
        route(Method::GET, "/api/openapi.json", openapi::document),
        route(Method::GET, "/api/deliveries", deliveries::list),
        route(Method::GET, "/api/deliveries/{id}", deliveries::detail),
        route(
            Method::GET,
            "/api/deliveries/{id}/diagnostics",
            deliveries::diagnostics,
        ),
        route(Method::GET, "/api/deliveries/{id}/diff", deliveries::diff),
        route(Method::GET, "/api/deliveries/{id}/layers", map::layers),
        route(
            Method::GET,
            "/api/deliveries/{id}/layers/{layer}",
            map::layer,
        ),
        route(Method::GET, "/api/deliveries/{id}/stats", planning::stats),
        route(Method::GET, "/api/deliveries/{id}/cost", planning::cost),
        route(
            Method::GET,
            "/api/deliveries/{id}/rollout",
            planning::rollout,
        ),
        route(Method::GET, "/api/deliveries/{id}/ipe", planning::ipe),
        route(Method::POST, "/api/uploads", uploads::upload),
        route(Method::GET, "/api/uploads/{job}", uploads::job),
        route(Method::GET, "/api/acceptance/subjects", acceptance::list),
        route(Method::GET, "/api/acceptance/subject", acceptance::subject),
        route(Method::GET, "/api/acceptance/audit", acceptance::audit),
        route(Method::GET, "/api/acceptance/changes", acceptance::changes),
        route(
            Method::POST,
            "/api/acceptance/transitions",
            acceptance::transition,
        ),
        route(Method::POST, "/api/acceptance/lifts", acceptance::lift),
        route(Method::GET, "/api/services", services::list),
        route(Method::GET, "/api/services/usage", services::usage),
        route(Method::GET, "/api/services/funding", services::funding),
        route(
            Method::GET,
            "/api/services/contribution",
            services::contribution,
        ),
        route(Method::GET, "/api/services/bodies", services::bodies),
        route(Method::GET, "/api/services/bodies/{body}", services::body),
        route(Method::GET, "/api/services/communes", services::communes),
        route(
            Method::GET,
            "/api/services/communes/{insee}",
            services::commune,
        ),
        route(Method::GET, "/api/services/{service}", services::service),
    ]
}

/// The routes as a router (without state or middleware; see [`crate::router`]).
pub(crate) fn router() -> Router<App> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, r| router.route(r.path, r.handler))
}

/// The server answers, and which engine it is.
async fn health() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
