//! The values the store takes and gives back: what the caller says about a delivery, and what is kept of it.

use std::collections::BTreeMap;

use serde::Serialize;
use thd_diag::Diagnostic;
use thd_model::{GraceVersion, SourceFile};

/// What the operator says about a delivery, beside what is read from it.
#[derive(Debug, Clone, Default)]
pub struct ImportMeta {
    pub contractor: Option<String>,
    /// The zone the delivery covers; a delivery of a zone already in the store is linked to the latest one.
    pub zone: Option<String>,
    pub label: Option<String>,
    /// When the delivery was received, ISO 8601 text as given (`2024-05-03`).
    pub received_at: Option<String>,
    /// Diagnostics of checks run after reading (`thd_network::validate`), kept beside the delivery's own read
    /// diagnostics. Passed in rather than computed here so a caller that has already checked the delivery does
    /// not pay for it twice, and so the store does not depend on the checks.
    pub checks: Vec<Diagnostic>,
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub delivery_id: i64,
    /// The same files were imported before: nothing was written and `delivery_id` is the earlier delivery.
    pub already_present: bool,
    /// Rows of all tables of the delivery.
    pub rows: u64,
}

/// One delivery in the store's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliverySummary {
    pub id: i64,
    pub version: GraceVersion,
    /// The path the delivery was read from.
    pub origin: String,
    pub contractor: Option<String>,
    pub zone: Option<String>,
    pub label: Option<String>,
    pub received_at: Option<String>,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`.
    pub imported_at: String,
    /// The most frequent `*_statut` value of the delivery (`AVP`, `PRO`, `EXE`, `REC`...).
    pub phase: Option<String>,
    /// The previous delivery of the same zone.
    pub previous_id: Option<i64>,
    pub rows: u64,
    pub fingerprint: String,
}

/// A delivery in detail: rows per table, its files and a summary of its diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryDetail {
    pub summary: DeliverySummary,
    /// Rows per delivered table, by GraceTHD table name.
    pub tables: BTreeMap<String, u64>,
    pub files: Vec<SourceFile>,
    pub diagnostics: DiagnosticSummary,
}

/// Diagnostic counts of a delivery.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DiagnosticSummary {
    pub total: u64,
    /// By severity (`info`, `warning`, `error`, `critical`).
    pub by_severity: BTreeMap<String, u64>,
    /// By rule id.
    pub by_rule: BTreeMap<String, u64>,
}

/// Stored text of a delivery's version, and back.
pub(crate) fn parse_version(text: &str) -> Option<GraceVersion> {
    GraceVersion::ALL.into_iter().find(|v| v.as_str() == text)
}
