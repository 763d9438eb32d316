//! `/api/deliveries/{id}/layers`: the delivery's spatial tables for the map, as GeoJSON in WGS84, only what is in
//! view and simplified to its scale.

use axum::Json;
use axum::extract::State;
use std::sync::Arc;

use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::answers::Answer;
use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::layers::{LayerInfo, View};

/// Features per response unless the client asks for fewer; and the most it may ask for.
const DEFAULT_LIMIT: usize = 5_000;
const MAX_LIMIT: usize = 50_000;

pub async fn layers(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LayerInfo>>, ApiError> {
    caller.reads(&app, id).await?;
    let loaded = app.inner().deliveries.get(app.store(), id).await?;
    Ok(Json(
        loaded
            .layers
            .iter()
            .map(|(name, layer)| layer.info(name))
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct LayerParams {
    /// `min lon,min lat,max lon,max lat` (WGS84).
    bbox: Option<String>,
    limit: Option<usize>,
    /// Simplification tolerance in metres (0 keeps every vertex); by default from the width of the view.
    tolerance: Option<f64>,
}

pub async fn layer(
    State(app): State<App>,
    caller: Caller,
    Path((id, name)): Path<(i64, String)>,
    Query(params): Query<LayerParams>,
    uri: Uri,
) -> Result<Response, ApiError> {
    caller.reads(&app, id).await?;
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit {limit}: ask for 1 to {MAX_LIMIT} features, and zoom in for more detail"
        )));
    }
    if let Some(t) = params.tolerance
        && !(t.is_finite() && t >= 0.0)
    {
        return Err(ApiError::bad_request("tolerance: give metres, 0 or more"));
    }
    let bbox = params.bbox.as_deref().map(parse_bbox).transpose()?;
    let loaded = app.inner().deliveries.get(app.store(), id).await?;
    if !loaded.layers.contains_key(&name) {
        return Err(ApiError::not_found(format!(
            "delivery {id} has no spatial table {name:?}; its layers: {}",
            loaded.layers.keys().cloned().collect::<Vec<_>>().join(", ")
        )));
    }
    let key = uri.to_string();
    if let Some(answer) = loaded.layer_answers.get(&key, &()) {
        return Ok(answer.response());
    }
    let view = View {
        bbox,
        limit,
        tolerance: params.tolerance,
    };
    // Building a large response is CPU work: off the async workers.
    let built = Arc::clone(&loaded);
    let body = tokio::task::spawn_blocking(move || built.layers[&name].features(&view))
        .await
        .map_err(ApiError::internal)??;
    let response = ([(header::CONTENT_TYPE, "application/geo+json")], body).into_response();
    let answer = Arc::new(Answer::of(response).await?);
    loaded.layer_answers.keep(key, (), Arc::clone(&answer));
    Ok(answer.response())
}

fn parse_bbox(text: &str) -> Result<[f64; 4], ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "bbox {text:?}: give four numbers, min lon,min lat,max lon,max lat (WGS84)"
        ))
    };
    let values: Vec<f64> = text
        .split(',')
        .map(|v| v.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    values.try_into().map_err(|_| bad())
}
