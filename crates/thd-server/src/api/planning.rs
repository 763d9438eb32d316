//! `/api/deliveries/{id}/stats|cost|rollout`: plugs, premises and raccordables by any breakdown, cost per plug
//! by phase and department, the rollout against its plan — the figures of `thd stats|cost|rollout`, as JSON or
//! CSV.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thd_plan::{
    Breakdown, Counts, Dimension, PlugIndex, ZoneAcceptances, cost_report, ipe_rows,
    rollout_report, write_ipe,
};

use crate::answers::Answer;
use crate::app::App;
use crate::auth::Caller;
use crate::cache::Loaded;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::table::{self, Format};
use thd_sync::{Filter, State as AcceptanceState, SubjectKind};

#[derive(Debug, Deserialize)]
pub struct StatsParams {
    /// Comma-separated dimensions: department, commune, nro, sro, pbo, deployment, phase, tranche, contractor.
    #[serde(default = "default_stats_by")]
    by: String,
    #[serde(default)]
    format: Format,
}

fn default_stats_by() -> String {
    "department".to_owned()
}

fn dimensions(text: &str) -> Result<Vec<Dimension>, ApiError> {
    Dimension::parse_list(text).map_err(|e| ApiError::bad_request(format!("by: {e}")))
}

/// The delivery's plugs placed in their zones, phases and communes; CPU work, done off the async workers.
async fn placed<T: Send + 'static>(
    app: &App,
    id: i64,
    acceptances: ZoneAcceptances,
    then: impl FnOnce(&App, &Loaded, &PlugIndex) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let loaded: Arc<Loaded> = app.inner().deliveries.get(app.store(), id).await?;
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let index = loaded.plugs(&app.inner().settings.planning.phases, acceptances);
        then(&app, &loaded, &index)
    })
    .await
    .map_err(ApiError::internal)
}

/// The answer to `uri` for delivery `id`: remembered from an identical earlier request while the delegatee's zone
/// states are the same, else computed by `compute` (with those states) and remembered.
async fn remembered<F, Fut>(app: &App, id: i64, uri: &Uri, compute: F) -> Result<Response, ApiError>
where
    F: FnOnce(ZoneAcceptances) -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let loaded = app.inner().deliveries.get(app.store(), id).await?;
    let version = acceptances(app, id).await?;
    let key = uri.to_string();
    if let Some(answer) = loaded.planning_answers.get(&key, &version) {
        return Ok(answer.response());
    }
    let response = compute(version.clone()).await?;
    let answer = Arc::new(Answer::of(response).await?);
    loaded
        .planning_answers
        .keep(key, version, Arc::clone(&answer));
    Ok(answer.response())
}

/// The acceptance of delivery `id`'s SRO zones as the delegatee synchronised it. A zone still `received` — the
/// delegatee has done nothing with it yet — is left out, so the planning code falls back on the delivery's own
/// phase for it, as it does before any sync.
///
/// Read at most once a [`FRESH`] period per delivery unless a write through this server came since: every
/// dashboard request asks, and the answer changes only when the delegatee syncs.
async fn acceptances(app: &App, id: i64) -> Result<ZoneAcceptances, ApiError> {
    let loaded = app.inner().deliveries.get(app.store(), id).await?;
    let writes = app.sync_writes();
    if let Some(known) = loaded.acceptances_read(writes, FRESH) {
        return Ok(known);
    }
    let filter = Filter {
        state: None,
        kind: Some(SubjectKind::Sro),
        delivery_ids: Some(vec![id]),
    };
    let acceptances: ZoneAcceptances = app
        .sync()
        .list(&filter)
        .await?
        .into_iter()
        .filter(|s| s.state != AcceptanceState::Received)
        .map(|s| {
            let handover = (s.state.acceptance(), s.in_operation_on).into();
            (s.subject.code().to_owned(), handover)
        })
        .collect();
    loaded.acceptances_were(writes, acceptances.clone());
    Ok(acceptances)
}

/// How long zone acceptances read from the database are trusted when no write came through this server: the
/// delay after which another server process's sync (on a shared PostgreSQL store) shows.
const FRESH: Duration = Duration::from_secs(1);

pub async fn stats(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(params): Query<StatsParams>,
    uri: Uri,
) -> Result<Response, ApiError> {
    caller.reads(&app, id).await?;
    remembered(&app.clone(), id, &uri, |acceptances| async move {
        let by = dimensions(&params.by)?;
        let breakdown = placed(&app, id, acceptances, move |_, _, index| {
            index.group_by(&by)
        })
        .await?;
        let table = StatsTable::from(&breakdown);
        let mut columns: Vec<String> = table.dimensions.iter().map(|d| d.to_string()).collect();
        columns.extend(["plugs", "premises", "raccordable"].map(String::from));
        table::respond_with_columns(
            params.format,
            &table,
            |v| v["rows"].as_array(),
            Some(columns),
            &format!("livraison-{id}-prises.csv"),
        )
    })
    .await
}

/// A breakdown with each row's key spelled out by dimension (`{"department": "35", "plugs": ...}`): what a
/// dashboard or a spreadsheet wants, rather than positional keys.
#[derive(Debug, Serialize)]
struct StatsTable {
    dimensions: Vec<&'static str>,
    rows: Vec<Map<String, Value>>,
    total: Counts,
}

impl From<&Breakdown> for StatsTable {
    fn from(breakdown: &Breakdown) -> Self {
        let dimensions: Vec<&'static str> = breakdown.dimensions.iter().map(|d| d.name()).collect();
        let rows = breakdown
            .rows
            .iter()
            .map(|group| {
                let mut row = Map::new();
                for (name, value) in dimensions.iter().zip(&group.key) {
                    row.insert(
                        (*name).to_owned(),
                        value.clone().map_or(Value::Null, Value::String),
                    );
                }
                for (name, n) in [
                    ("plugs", group.counts.plugs),
                    ("premises", group.counts.premises),
                    ("raccordable", group.counts.raccordable),
                ] {
                    row.insert(name.to_owned(), Value::from(n));
                }
                row
            })
            .collect();
        StatsTable {
            dimensions,
            rows,
            total: breakdown.total,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CostParams {
    /// phase and/or department, comma-separated; empty for the total alone.
    #[serde(default = "default_cost_by")]
    by: String,
    #[serde(default)]
    format: Format,
}

fn default_cost_by() -> String {
    "phase,department".to_owned()
}

pub async fn cost(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(params): Query<CostParams>,
    uri: Uri,
) -> Result<Response, ApiError> {
    caller.reads(&app, id).await?;
    remembered(&app.clone(), id, &uri, |acceptances| async move {
        let by = dimensions(&params.by)?;
        let table = placed(&app, id, acceptances, move |app, loaded, index| {
            let report = cost_report(&loaded.network, index, &app.inner().settings.planning.costs);
            report.by(&by)
        })
        .await?
        .map_err(|e| ApiError::bad_request(format!("by: {e}")))?;
        table::respond(
            params.format,
            &table,
            |v| v["rows"].as_array(),
            &format!("livraison-{id}-cout-par-prise.csv"),
        )
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct RolloutParams {
    /// The day of the report, YYYY-MM-DD; today by default.
    as_of: Option<NaiveDate>,
    /// Complete months the forecast pace is measured over.
    #[serde(default = "default_window")]
    window: u32,
    /// For CSV: which table, `years`, `months` or `late_zones`.
    #[serde(default = "default_rollout_table")]
    table: String,
    #[serde(default)]
    format: Format,
}

fn default_window() -> u32 {
    6
}

fn default_rollout_table() -> String {
    "months".to_owned()
}

pub async fn rollout(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(params): Query<RolloutParams>,
    uri: Uri,
) -> Result<Response, ApiError> {
    caller.reads(&app, id).await?;
    remembered(&app.clone(), id, &uri, |acceptances| async move {
        if !matches!(params.table.as_str(), "years" | "months" | "late_zones") {
            return Err(ApiError::bad_request(format!(
                "table {:?}: years, months or late_zones",
                params.table
            )));
        }
        if params.window == 0 || params.window > 120 {
            return Err(ApiError::bad_request("window: 1 to 120 months"));
        }
        let as_of = params
            .as_of
            .unwrap_or_else(|| chrono::Utc::now().date_naive());
        let window = params.window;
        let report = placed(&app, id, acceptances, move |app, _, index| {
            rollout_report(index, &app.inner().settings.planning.plan, as_of, window)
        })
        .await?;
        let name = params.table.clone();
        table::respond(
            params.format,
            &report,
            |v| v[name.as_str()].as_array(),
            &format!("livraison-{id}-deploiement-{}.csv", params.table),
        )
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct IpeParams {
    /// `csv` (default): the IPE file itself, as commercial operators take it; `json`: the same rows typed.
    #[serde(default = "default_ipe_format")]
    format: Format,
}

fn default_ipe_format() -> Format {
    Format::Csv
}

/// The delivery's IPE file (Interop'Fibre, one line per address; see docs/ipe.md): an address is published
/// DEPLOYE only when its plugs are raccordable, its zone taken into operation by the delegatee.
pub async fn ipe(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(params): Query<IpeParams>,
    uri: Uri,
) -> Result<Response, ApiError> {
    caller.reads(&app, id).await?;
    remembered(&app.clone(), id, &uri, |acceptances| async move {
        let rows = placed(&app, id, acceptances, |_, loaded, index| {
            ipe_rows(&loaded.network, index)
        })
        .await?;
        match params.format {
            Format::Json => Ok(axum::Json(rows).into_response()),
            Format::Csv => {
                let mut text = Vec::new();
                write_ipe(&rows, &mut text).map_err(ApiError::internal)?;
                Ok((
                    [
                        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"livraison-{id}-ipe.csv\""),
                        ),
                    ],
                    text,
                )
                    .into_response())
            }
        }
    })
    .await
}
