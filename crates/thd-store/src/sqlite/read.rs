//! Reading the history back: the list of deliveries, one delivery's counts, and a whole delivery as the
//! [`RawDelivery`] it was imported from.

use std::collections::BTreeMap;

use sqlx::sqlite::SqliteRow;
use sqlx::{AssertSqlSafe, Row};
use thd_diag::Diagnostic;
use thd_geo::gpkg;
use thd_model::{RawDelivery, RawTableBuilder, SourceFile, SourceFormat};

use super::SqliteStore;
use crate::layout::quote;
use crate::query::{Bind, DiagnosticPage, DiagnosticQuery};
use crate::types::parse_version;
use crate::{DeliveryDetail, DeliverySummary, DiagnosticSummary, StoreError};

const SUMMARY: &str = "SELECT id, version, origin, contractor, zone, label, received_at, imported_at, phase, \
                       previous_id, rows, fingerprint FROM thd_delivery";

fn summary(row: &SqliteRow) -> Result<DeliverySummary, StoreError> {
    let corrupt = |e: sqlx::Error| StoreError::Corrupt(format!("thd_delivery: {e}"));
    let version: String = row.try_get("version").map_err(corrupt)?;
    Ok(DeliverySummary {
        id: row.try_get("id").map_err(corrupt)?,
        version: parse_version(&version)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown GraceTHD version {version:?}")))?,
        origin: row.try_get("origin").map_err(corrupt)?,
        contractor: row.try_get("contractor").map_err(corrupt)?,
        zone: row.try_get("zone").map_err(corrupt)?,
        label: row.try_get("label").map_err(corrupt)?,
        received_at: row.try_get("received_at").map_err(corrupt)?,
        imported_at: row.try_get("imported_at").map_err(corrupt)?,
        phase: row.try_get("phase").map_err(corrupt)?,
        previous_id: row.try_get("previous_id").map_err(corrupt)?,
        rows: row.try_get::<i64, _>("rows").map_err(corrupt)? as u64,
        fingerprint: row.try_get("fingerprint").map_err(corrupt)?,
    })
}

impl SqliteStore {
    /// Every delivery, oldest first.
    pub(crate) async fn deliveries(&self) -> Result<Vec<DeliverySummary>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!("{SUMMARY} ORDER BY id")))
            .fetch_all(&self.pool)
            .await
            .map_err(self.db())?;
        rows.iter().map(summary).collect()
    }

    async fn summary(&self, id: i64) -> Result<DeliverySummary, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!("{SUMMARY} WHERE id = ?")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(self.db())?
            .ok_or(StoreError::NoDelivery(id))?;
        summary(&row)
    }

    async fn files(&self, id: i64) -> Result<Vec<SourceFile>, StoreError> {
        let rows: Vec<(String, i64, String)> = sqlx::query_as(
            "SELECT path, size, sha256 FROM thd_delivery_file WHERE delivery_id = ? ORDER BY rowid",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(self.db())?;
        Ok(rows
            .into_iter()
            .map(|(path, size, sha256)| SourceFile {
                path,
                size: size as u64,
                sha256,
            })
            .collect())
    }

    /// One page of delivery `id`'s diagnostics matching `query`, in stored order.
    pub(crate) async fn diagnostics(
        &self,
        id: i64,
        query: &DiagnosticQuery,
    ) -> Result<DiagnosticPage, StoreError> {
        self.summary(id).await?;
        let (filter, binds) = query.filter(id, |_| "?".to_owned());
        let count = format!("SELECT count(*) FROM thd_diagnostic {filter}");
        let mut counted = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count));
        for bind in &binds {
            counted = match bind {
                Bind::Int(v) => counted.bind(*v),
                Bind::Text(v) => counted.bind(v.clone()),
            };
        }
        let total = counted.fetch_one(&self.pool).await.map_err(self.db())?;
        let page = format!(
            "SELECT json FROM thd_diagnostic {filter} ORDER BY seq LIMIT {} OFFSET {}",
            query.limit, query.offset
        );
        let mut listed = sqlx::query_scalar::<_, String>(AssertSqlSafe(page));
        for bind in &binds {
            listed = match bind {
                Bind::Int(v) => listed.bind(*v),
                Bind::Text(v) => listed.bind(v.clone()),
            };
        }
        let items = listed
            .fetch_all(&self.pool)
            .await
            .map_err(self.db())?
            .iter()
            .map(|j| serde_json::from_str::<Diagnostic>(j))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("diagnostic: {e}")))?;
        Ok(DiagnosticPage {
            total: total as u64,
            offset: query.offset,
            items,
        })
    }

    /// Counts per table, files and a diagnostic summary of delivery `id`.
    pub(crate) async fn delivery(&self, id: i64) -> Result<DeliveryDetail, StoreError> {
        let summary = self.summary(id).await?;
        let tables: Vec<(String, i64)> =
            sqlx::query_as("SELECT table_name, rows FROM thd_delivery_table WHERE delivery_id = ?")
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(self.db())?;
        let mut diagnostics = DiagnosticSummary::default();
        for (column, into) in [
            ("severity", &mut diagnostics.by_severity),
            ("rule", &mut diagnostics.by_rule),
        ] {
            let counts: Vec<(String, i64)> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {column}, count(*) FROM thd_diagnostic WHERE delivery_id = ? GROUP BY {column}"
            )))
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(self.db())?;
            into.extend(counts.into_iter().map(|(k, n)| (k, n as u64)));
        }
        diagnostics.total = diagnostics.by_severity.values().sum();
        Ok(DeliveryDetail {
            summary,
            tables: tables.into_iter().map(|(t, n)| (t, n as u64)).collect(),
            files: self.files(id).await?,
            diagnostics,
        })
    }

    /// Delivery `id` as it was imported: tables with their delivered columns, cells and geometries, files, and
    /// the read diagnostics.
    pub(crate) async fn load(&self, id: i64) -> Result<RawDelivery, StoreError> {
        let summary = self.summary(id).await?;
        let layouts: Vec<(String, String, String, Option<String>, String, bool)> = sqlx::query_as(
            "SELECT table_name, store_table, file, format, columns, spatial FROM thd_delivery_table \
             WHERE delivery_id = ?",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(self.db())?;
        let mut tables = BTreeMap::new();
        for (name, store_table, file, format, columns, spatial) in layouts {
            let columns: Vec<(String, String)> = serde_json::from_str(&columns)
                .map_err(|e| StoreError::Corrupt(format!("columns of {name}: {e}")))?;
            let format: Option<SourceFormat> = format
                .map(|f| serde_json::from_value(serde_json::Value::String(f)))
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("format of {name}: {e}")))?;
            let select: Vec<String> = std::iter::once("geom".to_owned())
                .chain(columns.iter().map(|(_, stored)| quote(stored)))
                .collect();
            let sql = format!(
                "SELECT {} FROM {} WHERE delivery_id = ? ORDER BY fid",
                select.join(", "),
                quote(&store_table)
            );
            let rows = sqlx::query(AssertSqlSafe(sql))
                .bind(id)
                .fetch_all(&self.pool)
                .await
                .map_err(self.db())?;
            let delivered = columns.into_iter().map(|(d, _)| d).collect();
            let mut builder = RawTableBuilder::new(
                name.clone(),
                file,
                format.unwrap_or(SourceFormat::Csv),
                delivered,
            );
            if spatial {
                builder = builder.spatial();
            }
            let corrupt = |e: String| StoreError::Corrupt(format!("{store_table}: {e}"));
            for row in &rows {
                let cells = (1..row.len())
                    .map(|i| row.try_get::<Option<&str>, _>(i))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| corrupt(e.to_string()))?;
                builder.push_row(cells);
                if spatial {
                    let geom: Option<&[u8]> = row.try_get(0).map_err(|e| corrupt(e.to_string()))?;
                    let decoded = geom.map(gpkg::decode).transpose();
                    let decoded = decoded.map_err(|e| corrupt(e.to_string()))?;
                    builder.push_geometry(decoded.and_then(|d| d.geometry));
                }
            }
            let mut table = builder.finish();
            table.format = format;
            tables.insert(name, table);
        }
        let diagnostics: Vec<String> = sqlx::query_scalar(
            "SELECT json FROM thd_diagnostic WHERE delivery_id = ? AND stage = 'read' ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(self.db())?;
        let diagnostics = diagnostics
            .iter()
            .map(|j| serde_json::from_str::<Diagnostic>(j))
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("diagnostic: {e}")))?;
        Ok(RawDelivery {
            origin: summary.origin,
            version: Some(summary.version),
            files: self.files(id).await?,
            tables,
            diagnostics,
        })
    }
}
