//! `/api/deliveries`: the history of deliveries, one delivery's detail, its diagnostics page by page (JSON, CSV,
//! or GeoJSON markers for the map) and its diff with another delivery.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use thd_access::Permission;
use thd_diag::Severity;
use thd_store::{DeliveryDetail, DeliverySummary, DiagnosticQuery, Diff};

use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::table::{self, Format};

/// The largest page of diagnostics a client may ask for.
const MAX_PAGE: u64 = 10_000;

/// The deliveries the caller sees, oldest first.
pub async fn list(
    State(app): State<App>,
    caller: Caller,
) -> Result<Json<Vec<DeliverySummary>>, ApiError> {
    caller.require(Permission::Read)?;
    let mut list = app.store().deliveries().await?;
    list.retain(|d| caller.visibility.can_see(d.id, d.zone.as_deref()));
    Ok(Json(list))
}

pub async fn detail(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<DeliveryDetail>, ApiError> {
    caller.reads(&app, id).await?;
    Ok(Json(app.store().delivery(id).await?))
}

#[derive(Debug, Deserialize)]
pub struct DiagnosticParams {
    min_severity: Option<Severity>,
    rule: Option<String>,
    table: Option<String>,
    #[serde(default = "default_limit")]
    limit: u64,
    #[serde(default)]
    offset: u64,
    #[serde(default)]
    format: DiagnosticFormat,
}

fn default_limit() -> u64 {
    100
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum DiagnosticFormat {
    #[default]
    Json,
    Csv,
    /// Located diagnostics as WGS84 point features, for the map.
    Geojson,
}

pub async fn diagnostics(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(params): Query<DiagnosticParams>,
) -> Result<Response, ApiError> {
    caller.reads(&app, id).await?;
    if params.limit == 0 || params.limit > MAX_PAGE {
        return Err(ApiError::bad_request(format!(
            "limit {}: ask for 1 to {MAX_PAGE} diagnostics a page, and page on with offset",
            params.limit
        )));
    }
    let query = DiagnosticQuery {
        min_severity: params.min_severity,
        rule: params.rule,
        table: params.table,
        limit: params.limit,
        offset: params.offset,
    };
    let page = app.store().diagnostics(id, &query).await?;
    match params.format {
        DiagnosticFormat::Json => table::respond(Format::Json, &page, |_| None, ""),
        DiagnosticFormat::Csv => table::respond(
            Format::Csv,
            &page,
            |v| v["items"].as_array(),
            &format!("livraison-{id}-diagnostics.csv"),
        ),
        DiagnosticFormat::Geojson => {
            let features: Vec<serde_json::Value> = page
                .items
                .iter()
                .filter_map(|d| {
                    let [x, y] = d.location?;
                    let point =
                        thd_geo::wgs84::lambert93_to_wgs84(geo_types::Coord { x, y }).ok()?;
                    Some(serde_json::json!({
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
                        "properties": d,
                    }))
                })
                .collect();
            Ok((
                [(header::CONTENT_TYPE, "application/geo+json")],
                Json(serde_json::json!({
                    "type": "FeatureCollection",
                    "features": features,
                    "total": page.total,
                    "offset": page.offset,
                })),
            )
                .into_response())
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct DiffParams {
    /// The delivery to compare with; by default the previous delivery of the same zone.
    with: Option<i64>,
    /// Metres a geometry may move and still count as unchanged.
    #[serde(default = "default_tolerance")]
    tolerance: f64,
}

fn default_tolerance() -> f64 {
    0.01
}

/// What changed from the older delivery (`with`, else the previous one of the zone) to delivery `id`.
pub async fn diff(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(params): Query<DiffParams>,
) -> Result<Json<Diff>, ApiError> {
    caller.reads(&app, id).await?;
    if !(params.tolerance.is_finite() && params.tolerance >= 0.0) {
        return Err(ApiError::bad_request("tolerance: give metres, 0 or more"));
    }
    let old = match params.with {
        Some(other) => other,
        None => app
            .store()
            .delivery(id)
            .await?
            .summary
            .previous_id
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "delivery {id} has no previous delivery of its zone: name one with ?with=ID"
                ))
            })?,
    };
    caller.reads(&app, old).await?;
    Ok(Json(app.store().diff(old, id, params.tolerance).await?))
}
