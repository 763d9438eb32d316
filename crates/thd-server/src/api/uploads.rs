//! `/api/uploads`: an engineer sends a delivery (a .zip of shapefiles and CSV, or a GeoPackage) as the request
//! body; it is streamed to disk under a size limit, never trusted, then read, checked and imported in the
//! background while the client polls `/api/uploads/{job}`.
//!
//! The body is the file itself (`Content-Type: application/zip` or `application/geopackage+sqlite3`, or
//! `application/octet-stream`): simpler than a multipart form for scripts (`curl --data-binary @lot3.zip`) and
//! streamed as it comes. What the file is comes from its first bytes, not from what the client says. Reading a
//! zip refuses entries that would escape their folder or inflate absurdly (`thd-read`'s archive module); a
//! failure at any stage leaves nothing in the store, since the import is one transaction.

use std::io::Write;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::Deserialize;
use thd_access::{OrgId, Permission};
use thd_diag::rules::{READ_ZIP_TOO_LARGE, READ_ZIP_UNSAFE_ENTRY};
use thd_read::{ReadOptions, ReadProgress};
use thd_store::ImportMeta;
use thd_sync::Actor;

use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::jobs::{Job, Stage};

#[derive(Debug, Deserialize)]
pub struct UploadParams {
    /// The file's name, for the history (`lot3-doe.zip`).
    file_name: Option<String>,
    contractor: Option<String>,
    /// The zone the delivery covers; a delivery of a zone already stored is linked to the previous one.
    zone: Option<String>,
    label: Option<String>,
    /// When it was received, YYYY-MM-DD; today by default.
    received: Option<chrono::NaiveDate>,
}

/// What the first bytes of an upload say it is.
fn kind_of(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"PK\x03\x04") {
        Some("zip")
    } else if head.starts_with(b"SQLite format 3\0") {
        Some("gpkg")
    } else {
        None
    }
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "the upload exceeds the server's limit of {limit} bytes; split the delivery by zone"
        ),
    )
}

pub async fn upload(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<UploadParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    caller.require(Permission::Upload)?;
    let org = caller.principal.org().ok_or_else(|| {
        ApiError::from(thd_access::AccessError::Forbidden {
            permission: Permission::Upload,
        })
    })?;
    let settings = &app.inner().settings;
    let limit = settings.upload_limit;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let folder = tempfile::Builder::new()
        .prefix("thd-upload-")
        .tempdir_in(&settings.upload_dir)
        .map_err(ApiError::internal)?;
    let partial = folder.path().join("upload.part");
    let (bytes, head) = receive(body, &partial, limit).await?;
    let kind = kind_of(&head).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the upload is neither a zip archive nor a GeoPackage: send the delivery as a .zip of its \
             shapefiles and CSV files, or as a .gpkg",
        )
    })?;
    let path = folder.path().join(format!("upload.{kind}"));
    std::fs::rename(&partial, &path).map_err(ApiError::internal)?;

    let actor = crate::api::acceptance::actor(&app, &caller).await?;
    let job = app.inner().jobs.start(org, params.file_name.clone(), bytes);
    let meta = ImportMeta {
        contractor: params.contractor,
        zone: params.zone,
        label: params.label.or(params.file_name),
        received_at: Some(
            params
                .received
                .unwrap_or_else(|| chrono::Utc::now().date_naive())
                .to_string(),
        ),
        checks: Vec::new(),
    };
    let worker = app.clone();
    let id = job.id;
    tokio::spawn(async move {
        let outcome = import(&worker, id, org, actor, &path, meta).await;
        if let Err(error) = outcome {
            worker.inner().jobs.update(id, |job| {
                job.stage = Stage::Failed;
                job.error = Some(error);
            });
        }
        // The upload's folder goes once the job is over, whatever its outcome.
        drop(folder);
    });
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, format!("/api/uploads/{id}"))],
        Json(job),
    )
        .into_response())
}

/// Streams `body` into `path`, refusing it past `limit` bytes; returns its size and its first bytes.
async fn receive(
    body: Body,
    path: &std::path::Path,
    limit: u64,
) -> Result<(u64, Vec<u8>), ApiError> {
    let mut body = body;
    let mut file =
        std::io::BufWriter::new(std::fs::File::create(path).map_err(ApiError::internal)?);
    let mut head = Vec::with_capacity(16);
    let mut bytes = 0u64;
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| ApiError::bad_request(format!("the upload was interrupted: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        bytes += data.len() as u64;
        if bytes > limit {
            return Err(too_large(limit));
        }
        if head.len() < 16 {
            head.extend(data.iter().take(16 - head.len()));
        }
        file.write_all(&data).map_err(ApiError::internal)?;
    }
    file.flush().map_err(ApiError::internal)?;
    if bytes == 0 {
        return Err(ApiError::bad_request(
            "the upload is empty: send the delivery file as the request body",
        ));
    }
    Ok((bytes, head))
}

/// Reads, checks and imports the uploaded delivery, keeping job `id` up to date; the error is the job's message.
async fn import(
    app: &App,
    id: u64,
    org: OrgId,
    actor: Actor,
    path: &std::path::Path,
    mut meta: ImportMeta,
) -> Result<(), String> {
    let jobs = &app.inner().jobs;
    let worker = app.clone();
    let path = path.to_owned();
    let (raw, diagnostics, (sro_zones, pbo_zones)) = tokio::task::spawn_blocking(move || {
        let jobs = &worker.inner().jobs;
        jobs.update(id, |job| job.stage = Stage::Reading);
        let on_progress = |event: ReadProgress| match event {
            ReadProgress::Started { bytes, .. } => jobs.update(id, |job| job.bytes_to_read = bytes),
            ReadProgress::FileRead { bytes, .. } => jobs.update(id, |job| job.bytes_read += bytes),
        };
        let options = ReadOptions {
            progress: Some(&on_progress),
            max_unpacked_bytes: Some(worker.inner().settings.unpack_limit),
            // The upload is stored: its fingerprints recognise a re-delivery.
            skip_fingerprints: false,
        };
        let raw = thd_read::read_delivery_with(&path, &options).map_err(|e| e.to_string())?;
        refuse_hostile(&raw)?;
        if raw.version.is_none() {
            return Err(
                "no GraceTHD version recognised (2.0.1 or 3) in the upload: nothing imported"
                    .to_owned(),
            );
        }
        jobs.update(id, |job| job.stage = Stage::Checking);
        let inspection = thd_check::inspect(
            &raw,
            &thd_check::CheckOptions {
                phase: None,
                config: &worker.inner().settings.checks,
            },
        )
        .map_err(|e| e.to_string())?;
        let zones = thd_sync::zone_codes(&inspection.network);
        Ok((raw, inspection.diagnostics, zones))
    })
    .await
    .map_err(|e| format!("the import worker failed: {e}"))??;
    meta.checks = diagnostics;
    jobs.update(id, |job| job.stage = Stage::Importing);
    let outcome = app
        .store()
        .import(&raw, &meta)
        .await
        .map_err(|e| e.to_string())?;
    // The uploader's organisation owns what it uploaded. Files another organisation uploaded first stay
    // theirs, and the uploader is told no more than that they were already delivered.
    match app.access().set_owner(outcome.delivery_id, org).await {
        Ok(()) => {}
        Err(thd_access::AccessError::AlreadyOwned { .. }) => {
            return Err(
                "these files were already delivered by another organisation: nothing imported; \
                 ask the operator"
                    .to_owned(),
            );
        }
        Err(e) => return Err(format!("recording the delivery's owner failed: {e}")),
    }
    // The delivery and its SRO and PBO zones enter the delegatee's acceptance workflow, received.
    app.sync()
        .register_delivery(
            outcome.delivery_id,
            &sro_zones,
            &pbo_zones,
            chrono::Utc::now(),
            &actor,
        )
        .await
        .map_err(|e| format!("registering the delivery for acceptance failed: {e}"))?;
    let detail = app
        .store()
        .delivery(outcome.delivery_id)
        .await
        .map_err(|e| e.to_string())?;
    jobs.update(id, |job| {
        job.stage = Stage::Done;
        job.delivery_id = Some(outcome.delivery_id);
        job.already_present = Some(outcome.already_present);
        job.rows = Some(outcome.rows);
        job.report = Some(detail.diagnostics);
    });
    Ok(())
}

/// An archive with an entry that escapes its folder or inflates past the limit is refused whole: such an
/// archive is hostile or broken, and importing the rest would store a delivery that is not the one sent.
fn refuse_hostile(raw: &thd_model::RawDelivery) -> Result<(), String> {
    let hostile: Vec<String> = raw
        .diagnostics
        .iter()
        .filter(|d| [READ_ZIP_UNSAFE_ENTRY.id, READ_ZIP_TOO_LARGE.id].contains(&&*d.rule))
        .map(|d| format!("{}: {}", d.file.as_deref().unwrap_or("?"), d.message_en))
        .collect();
    if hostile.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the archive was refused, nothing imported: {}; send an archive of the delivery's files only",
        hostile.join("; ")
    ))
}

/// An upload job of the caller's organisation (another's is answered as nonexistent).
pub async fn job(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<u64>,
) -> Result<Json<Job>, ApiError> {
    caller.require(Permission::Read)?;
    app.inner()
        .jobs
        .get(id)
        .filter(|job| caller.principal.org() == Some(job.org))
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no upload job {id} on this server")))
}
