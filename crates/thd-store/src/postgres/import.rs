//! Importing a delivery into PostgreSQL: one transaction under the store's advisory lock, every row sent by
//! binary `COPY`. DDL is transactional in PostgreSQL, so a failure anywhere — including after a data table or a
//! column was created — or a killed client (the server rolls back a transaction whose connection drops) leaves
//! the store as it was.

use sqlx::{Connection, PgConnection};
use thd_diag::Diagnostic;
use thd_geo::LAMBERT_93_SRS_ID;
use thd_geo::gpkg::{self, Parts};
use thd_model::{GraceVersion, RawDelivery, RawTable};

use super::copy::CopyIn;
use super::{PgStore, lock, postgis_refuses};
use crate::layout::{self, quote};
use crate::{ImportMeta, ImportOutcome, StoreError, identity};

/// The EWKB flag of a geometry type that is followed by an SRID.
const EWKB_SRID: u32 = 0x2000_0000;

impl PgStore {
    /// Imports `delivery`; see [`crate::Store::import`].
    pub(crate) async fn import(
        &self,
        delivery: &RawDelivery,
        meta: &ImportMeta,
    ) -> Result<ImportOutcome, StoreError> {
        let version = delivery.version.ok_or_else(|| StoreError::NoVersion {
            origin: delivery.origin.clone(),
        })?;
        let fingerprint = identity::fingerprint(delivery);
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = conn.begin().await.map_err(self.db())?;
        // Under the lock, a concurrent import of the same delivery waits here and then finds it.
        lock(&mut tx).await.map_err(self.db())?;
        let known: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, rows FROM thd_delivery WHERE fingerprint = $1")
                .bind(&fingerprint)
                .fetch_optional(&mut *tx)
                .await
                .map_err(self.db())?;
        if let Some((delivery_id, rows)) = known {
            return Ok(ImportOutcome {
                delivery_id,
                already_present: true,
                rows: rows as u64,
            });
        }
        let rows = delivery.rows() as u64;
        let id = insert_delivery(&mut tx, delivery, meta, version, &fingerprint, rows)
            .await
            .map_err(self.db())?;
        write_rows(&mut tx, id, delivery, meta, version)
            .await
            .map_err(self.db())?;
        tx.commit().await.map_err(self.db())?;
        Ok(ImportOutcome {
            delivery_id: id,
            already_present: false,
            rows,
        })
    }
}

/// The delivery row, linked to the latest delivery of the same zone.
async fn insert_delivery(
    tx: &mut PgConnection,
    delivery: &RawDelivery,
    meta: &ImportMeta,
    version: GraceVersion,
    fingerprint: &str,
    rows: u64,
) -> Result<i64, sqlx::Error> {
    let previous: Option<i64> = match &meta.zone {
        Some(zone) => {
            sqlx::query_scalar("SELECT max(id) FROM thd_delivery WHERE zone = $1")
                .bind(zone)
                .fetch_one(&mut *tx)
                .await?
        }
        None => None,
    };
    sqlx::query_scalar(
        "INSERT INTO thd_delivery (fingerprint, version, origin, contractor, zone, label, received_at, \
         phase, previous_id, rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(fingerprint)
    .bind(version.as_str())
    .bind(&delivery.origin)
    .bind(&meta.contractor)
    .bind(&meta.zone)
    .bind(&meta.label)
    .bind(&meta.received_at)
    .bind(identity::phase(delivery))
    .bind(previous)
    .bind(rows as i64)
    .fetch_one(tx)
    .await
}

/// Files, tables and diagnostics of delivery `id`.
async fn write_rows(
    tx: &mut PgConnection,
    id: i64,
    delivery: &RawDelivery,
    meta: &ImportMeta,
    version: GraceVersion,
) -> Result<(), sqlx::Error> {
    let mut copy = CopyIn::start(
        tx,
        "thd_delivery_file (delivery_id, seq, path, size, sha256)",
    )
    .await?;
    for (seq, f) in delivery.files.iter().enumerate() {
        copy.row(5);
        copy.int8(id);
        copy.int8(seq as i64);
        copy.text(Some(&f.path));
        copy.int8(f.size as i64);
        copy.text(Some(&f.sha256));
        copy.flush_if_full().await?;
    }
    copy.finish().await?;

    for table in delivery.tables.values() {
        write_table(tx, id, version, table).await?;
    }

    let diagnostics = delivery
        .diagnostics
        .iter()
        .map(|d| ("read", d))
        .chain(meta.checks.iter().map(|d| ("check", d)));
    let mut copy = CopyIn::start(
        tx,
        "thd_diagnostic (delivery_id, seq, stage, rule, severity, table_name, json)",
    )
    .await?;
    for (seq, (stage, d)) in diagnostics.enumerate() {
        let d: &Diagnostic = d;
        copy.row(7);
        copy.int8(id);
        copy.int8(seq as i64);
        copy.text(Some(stage));
        copy.text(Some(d.rule.as_ref()));
        copy.text(Some(d.severity.as_str()));
        copy.text(d.table.as_deref());
        // Serialising a plain struct of strings and numbers cannot fail.
        copy.text(Some(&serde_json::to_string(d).unwrap_or_default()));
        copy.flush_if_full().await?;
    }
    copy.finish().await.map(drop)
}

/// The rows of one table into its data table, and how it was laid out into `thd_delivery_table`.
async fn write_table(
    tx: &mut PgConnection,
    id: i64,
    version: GraceVersion,
    table: &RawTable,
) -> Result<(), sqlx::Error> {
    let store_table = layout::store_table(version, &table.name);
    let mut existing: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(&store_table)
    .fetch_all(&mut *tx)
    .await?;
    let created = existing.is_empty();
    if created {
        existing = create_table(tx, version, table, &store_table).await?;
    }
    let stored = layout::stored_columns(&table.columns);
    for column in &stored {
        // PostgreSQL names are case-sensitive once quoted: `ND_CODE_2` beside `nd_code_2` is another column.
        if !existing.contains(column) {
            let sql = format!(
                "ALTER TABLE {} ADD COLUMN {} text",
                quote(&store_table),
                quote(column)
            );
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
        }
    }

    let spatial = table.geometries.is_some();
    let mut targets = vec!["delivery_id".to_owned()];
    if spatial {
        targets.extend(["geom".to_owned(), "geom_wkb".to_owned()]);
    }
    targets.extend(stored.iter().map(|c| quote(c)));
    let fields = targets.len();
    let target = format!("{} ({})", quote(&store_table), targets.join(", "));
    let mut copy = CopyIn::start(tx, &target).await?;
    let mut blob = Vec::with_capacity(256);
    for r in 0..table.len() {
        copy.row(fields);
        copy.int8(id);
        if spatial {
            match table.geometry(r) {
                Some(g) => {
                    blob.clear();
                    gpkg::encode(g, LAMBERT_93_SRS_ID, Parts::AsGiven, &mut blob);
                    let wkb = &blob[gpkg_header_len(&blob)..];
                    if postgis_refuses(g) {
                        copy.bytes(None);
                        copy.bytes(Some(wkb));
                    } else {
                        copy.with(|out| ewkb(wkb, out));
                        copy.bytes(None);
                    }
                }
                None => {
                    copy.bytes(None);
                    copy.bytes(None);
                }
            }
        }
        for cell in table.row(r) {
            copy.text(cell);
        }
        copy.flush_if_full().await?;
    }
    copy.finish().await?;
    if created {
        // A new table gets its indexes after its rows: one sorted build instead of an insert per row.
        let name = quote(&store_table);
        let sql = format!(
            "CREATE INDEX {} ON {name} (delivery_id); CREATE INDEX {} ON {name} USING gist (geom);",
            quote(&format!("{store_table}_delivery")),
            quote(&format!("{store_table}_geom")),
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await?;
    }

    let columns: Vec<(&String, &String)> = table.columns.iter().zip(&stored).collect();
    let format = table
        .format
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    sqlx::query(
        "INSERT INTO thd_delivery_table (delivery_id, table_name, store_table, file, format, columns, \
         spatial, rows) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(&table.name)
    .bind(&store_table)
    .bind(&table.file)
    .bind(format)
    .bind(serde_json::to_string(&columns).unwrap_or_default())
    .bind(spatial)
    .bind(table.len() as i64)
    .execute(tx)
    .await
    .map(drop)
}

/// Creates the data table of `table` with the model's columns; returns its columns. Every data table has a
/// geometry column, as in the SQLite store, so a table delivered without geometries once and with them later
/// keeps one layout. `Geometry` rather than the model's kind: deliveries mix single and multi parts and the
/// store keeps them as delivered.
async fn create_table(
    tx: &mut PgConnection,
    version: GraceVersion,
    table: &RawTable,
    store_table: &str,
) -> Result<Vec<String>, sqlx::Error> {
    let model = layout::model_columns(version, &table.name);
    let columns: String = model
        .iter()
        .map(|c| format!(", {} text", quote(c)))
        .collect();
    let sql = format!(
        "CREATE TABLE {} (fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \
         delivery_id bigint NOT NULL, geom geometry(Geometry, {LAMBERT_93_SRS_ID}), geom_wkb bytea{columns})",
        quote(store_table)
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut *tx)
        .await?;
    Ok(layout::RESERVED
        .iter()
        .map(|c| c.to_string())
        .chain(model)
        .collect())
}

/// The length of the header of a GeoPackage blob written by `gpkg::encode`: 8 bytes, then the envelope its
/// flags announce (GeoPackage 1.3 §2.1.3).
fn gpkg_header_len(blob: &[u8]) -> usize {
    let envelope = match (blob[3] >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        _ => 64,
    };
    8 + envelope
}

/// Appends the EWKB of little-endian WKB `wkb` (as `gpkg::encode` writes it) in Lambert-93: the type gets
/// the SRID flag and the SRID follows it; the rest is the same bytes.
fn ewkb(wkb: &[u8], out: &mut Vec<u8>) {
    let kind = u32::from_le_bytes([wkb[1], wkb[2], wkb[3], wkb[4]]) | EWKB_SRID;
    out.push(wkb[0]);
    out.extend_from_slice(&kind.to_le_bytes());
    out.extend_from_slice(&LAMBERT_93_SRS_ID.to_le_bytes());
    out.extend_from_slice(&wkb[5..]);
}
