//! Uploads imported in the background: an upload returns at once with a job id, and the client polls the job
//! for its progress and, at the end, the delivery it became and its report.
//!
//! Jobs live in memory: they describe work in progress of this server process. What lasts — the delivery and
//! its diagnostics — is in the store once the job is done; a job lost with a restart left nothing behind,
//! since an import is one transaction.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use thd_access::OrgId;
use thd_store::DiagnosticSummary;

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Received, waiting for a worker.
    Queued,
    /// Reading the delivery's files.
    Reading,
    /// Decoding and running the controls.
    Checking,
    /// Writing into the store (one transaction).
    Importing,
    Done,
    /// Nothing was stored; `error` says why.
    Failed,
}

/// A job as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: u64,
    /// The organisation that uploaded it: the only one that sees the job.
    #[serde(skip)]
    pub org: OrgId,
    pub stage: Stage,
    /// The upload's file name as the client gave it.
    pub file_name: Option<String>,
    pub bytes: u64,
    /// Bytes of the delivery's files read so far, of `bytes_to_read`.
    pub bytes_read: u64,
    pub bytes_to_read: u64,
    /// Once done: the delivery stored (or found already stored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub already_present: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    /// Once done: the delivery's diagnostics by severity and rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<DiagnosticSummary>,
    /// Once failed: what went wrong and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The jobs of this server process.
#[derive(Debug, Default)]
pub struct Jobs {
    next: AtomicU64,
    jobs: Mutex<BTreeMap<u64, Job>>,
}

impl Jobs {
    /// A new queued job for an upload of `bytes` bytes.
    pub fn start(&self, org: OrgId, file_name: Option<String>, bytes: u64) -> Job {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Job {
            id,
            org,
            stage: Stage::Queued,
            file_name,
            bytes,
            bytes_read: 0,
            bytes_to_read: 0,
            delivery_id: None,
            already_present: None,
            rows: None,
            report: None,
            error: None,
        };
        self.lock().insert(id, job.clone());
        job
    }

    pub fn get(&self, id: u64) -> Option<Job> {
        self.lock().get(&id).cloned()
    }

    /// Changes job `id` in place.
    pub fn update(&self, id: u64, change: impl FnOnce(&mut Job)) {
        if let Some(job) = self.lock().get_mut(&id) {
            change(job);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }
}
