//! Importing a delivery into SQLite: everything in one `BEGIN IMMEDIATE` transaction, rows by multi-row
//! `INSERT`s of one prepared statement per table (sqlx caches it on the connection), so a failure anywhere —
//! including the creation of a data table or of a column — leaves the file as it was.

use sqlx::sqlite::{SqliteArguments, SqliteConnection};
use sqlx::{AssertSqlSafe, Sqlite};
use thd_diag::Diagnostic;
use thd_model::{GraceVersion, RawDelivery, RawTable, Schema};

use super::SqliteStore;
use crate::blob::{self, Envelope};
use crate::layout::{self, quote};
use crate::{ImportMeta, ImportOutcome, StoreError, identity};

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

/// SQLite's default bound on parameters per statement (`SQLITE_MAX_VARIABLE_NUMBER`) is 32766.
const MAX_PARAMETERS: usize = 32_000;
/// Rows per `INSERT`: enough to amortise a statement's execution, few enough to keep its arguments small.
const MAX_BATCH_ROWS: usize = 1_000;

impl SqliteStore {
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
        // IMMEDIATE takes the write lock now: a concurrent importer waits here instead of failing at its first
        // write after having read.
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(self.db())?;
        let known: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, rows FROM thd_delivery WHERE fingerprint = ?")
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
    conn: &mut SqliteConnection,
    delivery: &RawDelivery,
    meta: &ImportMeta,
    version: GraceVersion,
    fingerprint: &str,
    rows: u64,
) -> Result<i64, sqlx::Error> {
    let previous: Option<i64> = match &meta.zone {
        Some(zone) => {
            sqlx::query_scalar("SELECT max(id) FROM thd_delivery WHERE zone = ?")
                .bind(zone)
                .fetch_one(&mut *conn)
                .await?
        }
        None => None,
    };
    sqlx::query_scalar(
        "INSERT INTO thd_delivery (fingerprint, version, origin, contractor, zone, label, received_at, \
         phase, previous_id, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
    .fetch_one(&mut *conn)
    .await
}

/// Files, tables and diagnostics of delivery `id`.
async fn write_rows(
    conn: &mut SqliteConnection,
    id: i64,
    delivery: &RawDelivery,
    meta: &ImportMeta,
    version: GraceVersion,
) -> Result<(), sqlx::Error> {
    let files = &delivery.files;
    let head = "INSERT INTO thd_delivery_file (delivery_id, path, size, sha256) VALUES ";
    insert_batched(
        conn,
        head,
        &format!("({id}, ?, ?, ?)"),
        3,
        files.len(),
        |q, i| {
            let f = &files[i];
            q.bind(&f.path).bind(f.size as i64).bind(&f.sha256)
        },
    )
    .await?;
    for table in delivery.tables.values() {
        write_table(conn, id, version, table).await?;
    }
    let diagnostics: Vec<(&str, &Diagnostic)> = delivery
        .diagnostics
        .iter()
        .map(|d| ("read", d))
        .chain(meta.checks.iter().map(|d| ("check", d)))
        .collect();
    let head = "INSERT INTO thd_diagnostic (delivery_id, seq, stage, rule, severity, table_name, json) VALUES ";
    let row = format!("({id}, ?, ?, ?, ?, ?, ?)");
    insert_batched(conn, head, &row, 6, diagnostics.len(), |q, i| {
        let (stage, d) = diagnostics[i];
        // Serialising a plain struct of strings and numbers cannot fail.
        let json = serde_json::to_string(d).unwrap_or_default();
        q.bind(i as i64)
            .bind(stage)
            .bind(d.rule.as_ref())
            .bind(d.severity.as_str())
            .bind(d.table.as_deref())
            .bind(json)
    })
    .await
}

/// The rows of one table into its data table, and how it was laid out into `thd_delivery_table`.
async fn write_table(
    conn: &mut SqliteConnection,
    id: i64,
    version: GraceVersion,
    table: &RawTable,
) -> Result<(), sqlx::Error> {
    let store_table = layout::store_table(version, &table.name);
    ensure_table(conn, version, table, &store_table).await?;
    let stored = layout::stored_columns(&table.columns);
    ensure_columns(conn, &store_table, &stored).await?;

    let spatial = table.geometries.is_some();
    let mut targets = vec!["delivery_id".to_owned()];
    if spatial {
        targets.push("geom".to_owned());
    }
    targets.extend(stored.iter().map(|c| quote(c)));
    let width = targets.len() - 1;
    let head = format!(
        "INSERT INTO {} ({}) VALUES ",
        quote(&store_table),
        targets.join(", ")
    );
    let row = format!("({id}{})", ", ?".repeat(width));
    let mut extent: Option<Envelope> = None;
    let ncols = table.columns.len();
    insert_batched(conn, &head, &row, width, table.len(), |mut q, r| {
        if spatial {
            let blob = table.geometry(r).map(|g| {
                let mut out = Vec::with_capacity(64);
                if let Some(e) = blob::encode(g, &mut out) {
                    extent = Some(extent.map_or(e, |all| blob::union(all, e)));
                }
                out
            });
            q = q.bind(blob);
        }
        for c in 0..ncols {
            q = q.bind(table.cell(r, c));
        }
        q
    })
    .await?;

    if let Some([min_x, max_x, min_y, max_y]) = extent {
        sqlx::query(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), max_x = max(coalesce(max_x, ?2), ?2), \
             min_y = min(coalesce(min_y, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4), \
             last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = ?5",
        )
        .bind(min_x)
        .bind(max_x)
        .bind(min_y)
        .bind(max_y)
        .bind(&store_table)
        .execute(&mut *conn)
        .await?;
    }
    let columns: Vec<(&String, &String)> = table.columns.iter().zip(&stored).collect();
    let format = table
        .format
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    sqlx::query(
        "INSERT INTO thd_delivery_table (delivery_id, table_name, store_table, file, format, columns, \
         spatial, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(&table.name)
    .bind(&store_table)
    .bind(&table.file)
    .bind(format)
    .bind(serde_json::to_string(&columns).unwrap_or_default())
    .bind(spatial)
    .bind(table.len() as i64)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Creates the data table of `table` with the model's columns, and registers it in the GeoPackage tables, if
/// it does not exist yet. A table is a feature table when the model or the delivery gives it geometries.
async fn ensure_table(
    conn: &mut SqliteConnection,
    version: GraceVersion,
    table: &RawTable,
    store_table: &str,
) -> Result<(), sqlx::Error> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(store_table)
            .fetch_optional(&mut *conn)
            .await?;
    if exists.is_some() {
        return Ok(());
    }
    let columns: String = layout::model_columns(version, &table.name)
        .iter()
        .map(|c| format!(", {} TEXT", quote(c)))
        .collect();
    let name = quote(store_table);
    let create = format!(
        "CREATE TABLE {name} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
         delivery_id INTEGER NOT NULL, geom GEOMETRY{columns});
         CREATE INDEX {} ON {name} (delivery_id);",
        quote(&format!("{store_table}_delivery"))
    );
    sqlx::raw_sql(AssertSqlSafe(create))
        .execute(&mut *conn)
        .await?;
    let features = table.geometries.is_some()
        || Schema::of(version)
            .table(&table.name)
            .is_some_and(|def| def.geometry.is_some());
    sqlx::query(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(store_table)
    .bind(if features { "features" } else { "attributes" })
    .bind(store_table)
    .bind(format!("{} ({version})", table.name))
    .bind(features.then_some(blob::SRS_ID))
    .execute(&mut *conn)
    .await?;
    if features {
        // GEOMETRY, not the model's kind: deliveries mix single and multi parts and the store keeps them as
        // delivered (see `blob`).
        sqlx::query(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) \
             VALUES (?, 'geom', 'GEOMETRY', ?, 0, 0)",
        )
        .bind(store_table)
        .bind(blob::SRS_ID)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Adds the stored columns the data table lacks (columns beyond the model).
async fn ensure_columns(
    conn: &mut SqliteConnection,
    store_table: &str,
    stored: &[String],
) -> Result<(), sqlx::Error> {
    let existing: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
        .bind(store_table)
        .fetch_all(&mut *conn)
        .await?;
    for column in stored {
        if !existing.iter().any(|e| e.eq_ignore_ascii_case(column)) {
            let alter = format!(
                "ALTER TABLE {} ADD COLUMN {} TEXT",
                quote(store_table),
                quote(column)
            );
            sqlx::query(AssertSqlSafe(alter))
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Inserts `rows` rows by multi-row `INSERT`s: `head` is `INSERT INTO t (...) VALUES `, `row` the values of
/// one row with `width` parameters, `bind` binds row `i`'s parameters. The full-size statement is prepared
/// once and reused; only the last, shorter batch has its own.
async fn insert_batched<'a>(
    conn: &mut SqliteConnection,
    head: &str,
    row: &str,
    width: usize,
    rows: usize,
    mut bind: impl FnMut(Query<'a>, usize) -> Query<'a>,
) -> Result<(), sqlx::Error> {
    let batch = (MAX_PARAMETERS / width.max(1)).clamp(1, MAX_BATCH_ROWS);
    let statement = |n: usize| -> String {
        let mut sql = String::with_capacity(head.len() + n * (row.len() + 2));
        sql.push_str(head);
        for i in 0..n {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(row);
        }
        sql
    };
    let full = statement(batch);
    let mut start = 0;
    while start < rows {
        let n = batch.min(rows - start);
        let sql = if n == batch {
            full.clone()
        } else {
            statement(n)
        };
        let mut query = sqlx::query::<Sqlite>(AssertSqlSafe(sql));
        for i in start..start + n {
            query = bind(query, i);
        }
        query.execute(&mut *conn).await?;
        start += n;
    }
    Ok(())
}
