//! `/api/acceptance/...`: the delegatee's acceptance of delivered works, synchronised both ways.
//!
//! The delegatee pushes state changes (`POST /api/acceptance/transitions`, `POST /api/acceptance/lifts`) and
//! pulls ours (`GET /api/acceptance/changes?cursor=N`). Every write names the version it saw and carries an
//! `Idempotency-Key` header; the workflow, the versions, the replays and the audit trail are `thd-sync`'s, and
//! this module maps its answers onto HTTP: `409 stale_version` with the current state, `422
//! invalid_transition` with the allowed states, a replay answered with the original outcome. A subject is seen
//! and written only by those who see its delivery.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use thd_access::Permission;
use thd_sync::{
    Actor, AuditEntry, Changes, Command, Filter, Lift, State as AcceptanceState, Subject,
    SubjectKind, SubjectStatus, SubjectSummary, SyncError, TransitionRequest,
};

use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{self, Query};

/// The most changes a pull returns.
const MAX_CHANGES: u32 = 1_000;

impl From<SyncError> for ApiError {
    fn from(error: SyncError) -> Self {
        let message = error.to_string();
        match error {
            SyncError::Refused { error, .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_transition",
                message,
            )
            .with_details(json!(error)),
            SyncError::Stale { current, .. } => {
                ApiError::new(StatusCode::CONFLICT, "stale_version", message)
                    .with_details(json!({ "current": current }))
            }
            SyncError::KeyReused { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                message,
            ),
            SyncError::Empty { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", message)
            }
            SyncError::AlreadyLifted { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "already_lifted", message)
            }
            SyncError::UnknownSubject(_) | SyncError::UnknownReservation { .. } => {
                ApiError::not_found(message)
            }
            other => ApiError::internal(other),
        }
    }
}

/// A subject the caller may see: its delivery must be visible (else it does not exist for the caller).
async fn visible(app: &App, caller: &Caller, subject: &Subject) -> Result<(), ApiError> {
    caller
        .sees(app, subject.delivery_id())
        .await
        .map_err(|_| ApiError::from(SyncError::UnknownSubject(subject.clone())))
}

/// The deliveries the caller sees, for filtering lists; `None` when it sees them all.
async fn visible_deliveries(app: &App, caller: &Caller) -> Result<Option<Vec<i64>>, ApiError> {
    if caller.visibility.sees_everything() {
        return Ok(None);
    }
    Ok(Some(
        app.store()
            .deliveries()
            .await?
            .into_iter()
            .filter(|d| caller.visibility.can_see(d.id, d.zone.as_deref()))
            .map(|d| d.id)
            .collect(),
    ))
}

/// Who writes, for the audit trail: the caller's organisation by name, and its token.
pub(crate) async fn actor(app: &App, caller: &Caller) -> Result<Actor, ApiError> {
    let (org, token_id) = match &caller.principal {
        thd_access::Principal::Token { org, token_id, .. } => (*org, token_id.as_str().to_owned()),
        thd_access::Principal::Public => {
            return Err(ApiError::from(thd_access::AccessError::Forbidden {
                permission: Permission::Sync,
            }));
        }
    };
    let organisation = app.organisation_name(org).await?;
    Ok(Actor {
        organisation,
        token_id,
    })
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            ApiError::bad_request(
                "every write needs an Idempotency-Key header: a unique text per distinct write (a UUID), sent \
                 again unchanged when retrying the same write",
            )
        })
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    state: Option<AcceptanceState>,
    kind: Option<SubjectKind>,
    delivery: Option<i64>,
}

/// Subjects by state, kind and delivery.
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<SubjectSummary>>, ApiError> {
    caller.require(Permission::Read)?;
    let mut delivery_ids = visible_deliveries(&app, &caller).await?;
    if let Some(id) = params.delivery {
        delivery_ids = Some(match delivery_ids {
            Some(ids) => ids.into_iter().filter(|d| *d == id).collect(),
            None => vec![id],
        });
    }
    let filter = Filter {
        state: params.state,
        kind: params.kind,
        delivery_ids,
    };
    Ok(Json(app.sync().list(&filter).await?))
}

/// A subject named in a query string: `delivery=3&kind=sro&code=ZS001` (no code for a delivery).
#[derive(Debug, Deserialize)]
pub struct SubjectParams {
    delivery: i64,
    #[serde(default = "delivery_kind")]
    kind: SubjectKind,
    code: Option<String>,
}

fn delivery_kind() -> SubjectKind {
    SubjectKind::Delivery
}

impl SubjectParams {
    fn subject(&self) -> Result<Subject, ApiError> {
        match (self.kind, &self.code) {
            (SubjectKind::Delivery, None) => Ok(Subject::delivery(self.delivery)),
            (SubjectKind::Sro, Some(code)) => Ok(Subject::sro(self.delivery, code.clone())),
            (SubjectKind::Pbo, Some(code)) => Ok(Subject::pbo(self.delivery, code.clone())),
            (SubjectKind::Delivery, Some(_)) => {
                Err(ApiError::bad_request("a delivery subject takes no code"))
            }
            (_, None) => Err(ApiError::bad_request(
                "a zone subject needs its code (zs_code or zp_code)",
            )),
        }
    }
}

/// A subject's state, version, dates and reservations.
pub async fn subject(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<SubjectParams>,
) -> Result<Json<SubjectStatus>, ApiError> {
    caller.require(Permission::Read)?;
    let subject = params.subject()?;
    visible(&app, &caller, &subject).await?;
    Ok(Json(app.sync().subject(&subject).await?))
}

/// A subject's audit trail, oldest first.
pub async fn audit(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<SubjectParams>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    caller.require(Permission::Read)?;
    let subject = params.subject()?;
    visible(&app, &caller, &subject).await?;
    Ok(Json(app.sync().audit(&subject).await?))
}

#[derive(Debug, Deserialize)]
pub struct ChangesParams {
    #[serde(default)]
    cursor: i64,
    #[serde(default = "default_changes")]
    limit: u32,
}

fn default_changes() -> u32 {
    100
}

/// Every write after `cursor`, in order; ask again with `next_cursor` until `more` is false.
pub async fn changes(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<ChangesParams>,
) -> Result<Json<Changes>, ApiError> {
    caller.require(Permission::Read)?;
    if params.limit == 0 || params.limit > MAX_CHANGES {
        return Err(ApiError::bad_request(format!(
            "limit {}: 1 to {MAX_CHANGES} changes a page",
            params.limit
        )));
    }
    if params.cursor < 0 {
        return Err(ApiError::bad_request(
            "cursor: 0 or a next_cursor given before",
        ));
    }
    let visible = visible_deliveries(&app, &caller).await?;
    Ok(Json(
        app.sync()
            .changes_since(params.cursor, params.limit, visible.as_deref())
            .await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    subject: Subject,
    /// The version the writer last saw.
    expected_version: i64,
    transition: TransitionRequest,
}

/// Moves a subject to another state. `200` with the audit entry (also when replayed: `replayed` says so).
pub async fn transition(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    extract::Json(body): extract::Json<TransitionBody>,
) -> Result<Response, ApiError> {
    caller.require(Permission::Sync)?;
    let key = idempotency_key(&headers)?;
    visible(&app, &caller, &body.subject).await?;
    let command = Command {
        subject: body.subject,
        expected_version: body.expected_version,
        transition: body.transition,
        actor: actor(&app, &caller).await?,
        idempotency_key: key,
        at: chrono::Utc::now(),
    };
    let applied = app.sync().apply(&command).await?;
    app.synced();
    Ok(Json(applied).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiftBody {
    subject: Subject,
    /// The reservation's number within its subject.
    reservation: i64,
    expected_version: i64,
}

/// Lifts one reservation of a subject accepted with reservations.
pub async fn lift(
    State(app): State<App>,
    caller: Caller,
    headers: HeaderMap,
    extract::Json(body): extract::Json<LiftBody>,
) -> Result<Response, ApiError> {
    caller.require(Permission::Sync)?;
    let key = idempotency_key(&headers)?;
    visible(&app, &caller, &body.subject).await?;
    let lift = Lift {
        subject: body.subject,
        reservation: body.reservation,
        expected_version: body.expected_version,
        actor: actor(&app, &caller).await?,
        idempotency_key: key,
        at: chrono::Utc::now(),
    };
    let applied = app.sync().lift_reservation(&lift).await?;
    app.synced();
    Ok(Json(applied).into_response())
}
