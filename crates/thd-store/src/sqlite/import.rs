//! Importing a delivery into SQLite: everything in one `BEGIN IMMEDIATE` transaction, so a failure anywhere —
//! including the creation of a data table or of a column — leaves the file as it was.
//!
//! # Why rusqlite here when the rest of the backend is sqlx
//!
//! An import is a million-row bulk write, and sqlx costs several allocations and a copy per bound cell (its
//! arguments are boxed values sent to a worker thread, then bound). That capped imports near 110 000 rows/s,
//! most of it spent outside SQLite. The writer therefore opens its own connection with rusqlite (the same
//! bundled SQLite: rusqlite 0.39 and sqlx 0.9 link the same `libsqlite3-sys`) and binds each cell straight from
//! the delivery's string arena into a prepared multi-row `INSERT`. Everything else (open, migrations, reads)
//! stays on sqlx. The write is synchronous: on a multi-thread tokio runtime it runs under `block_in_place` so
//! the worker's other tasks move elsewhere; on a current-thread runtime (the CLI) it simply runs.

use std::path::Path;

use rusqlite::{
    Connection, OpenFlags, OptionalExtension, Statement, ToSql, Transaction, TransactionBehavior,
    params,
};
use thd_diag::Diagnostic;
use thd_geo::LAMBERT_93_SRS_ID;
use thd_geo::gpkg::{self, Envelope, Parts};
use thd_model::{GraceVersion, RawDelivery, RawTable, Schema};

use super::{BUSY_TIMEOUT, SqliteStore};
use crate::layout::{self, quote};
use crate::{ImportMeta, ImportOutcome, StoreError, identity};

/// SQLite's default bound on parameters per statement (`SQLITE_MAX_VARIABLE_NUMBER`) is 32766.
const MAX_PARAMETERS: usize = 32_000;
/// Rows per `INSERT`: enough to amortise a statement's step and reset, few enough to keep its program small.
const MAX_BATCH_ROWS: usize = 256;

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
        blocking(|| import(&self.path, delivery, meta, version, &fingerprint))
            .map_err(|e| StoreError::write(&self.path, e))
    }
}

/// Runs `f`, which blocks for the length of an import, without starving a multi-thread runtime's other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// The import proper, on a connection of its own.
fn import(
    path: &Path,
    delivery: &RawDelivery,
    meta: &ImportMeta,
    version: GraceVersion,
    fingerprint: &str,
) -> rusqlite::Result<ImportOutcome> {
    // The store was created and migrated by `open`: never create a file here.
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Per-connection settings: the same durability and page cache as the pool's (see `SqliteStore::open`;
    // a larger cache measured no faster), and the sort of an index creation in memory.
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; \
         PRAGMA temp_store = MEMORY;",
    )?;
    // IMMEDIATE takes the write lock now: a concurrent importer waits here instead of failing at its first
    // write after having read.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let known: Option<(i64, i64)> = tx
        .prepare("SELECT id, rows FROM thd_delivery WHERE fingerprint = ?")?
        .query_row([fingerprint], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((delivery_id, rows)) = known {
        return Ok(ImportOutcome {
            delivery_id,
            already_present: true,
            rows: rows as u64,
        });
    }
    let rows = delivery.rows() as u64;
    let id = insert_delivery(&tx, delivery, meta, version, fingerprint, rows)?;
    write_rows(&tx, id, delivery, meta, version)?;
    tx.commit()?;
    Ok(ImportOutcome {
        delivery_id: id,
        already_present: false,
        rows,
    })
}

/// The delivery row, linked to the latest delivery of the same zone.
fn insert_delivery(
    tx: &Transaction,
    delivery: &RawDelivery,
    meta: &ImportMeta,
    version: GraceVersion,
    fingerprint: &str,
    rows: u64,
) -> rusqlite::Result<i64> {
    let previous: Option<i64> = match &meta.zone {
        Some(zone) => tx.query_row(
            "SELECT max(id) FROM thd_delivery WHERE zone = ?",
            [zone],
            |r| r.get(0),
        )?,
        None => None,
    };
    tx.query_row(
        "INSERT INTO thd_delivery (fingerprint, version, origin, contractor, zone, label, received_at, \
         phase, previous_id, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        params![
            fingerprint,
            version.as_str(),
            &delivery.origin,
            &meta.contractor,
            &meta.zone,
            &meta.label,
            &meta.received_at,
            identity::phase(delivery),
            previous,
            rows as i64,
        ],
        |r| r.get(0),
    )
}

/// Files, tables and diagnostics of delivery `id`.
fn write_rows(
    tx: &Transaction,
    id: i64,
    delivery: &RawDelivery,
    meta: &ImportMeta,
    version: GraceVersion,
) -> rusqlite::Result<()> {
    let files = &delivery.files;
    let head = "INSERT INTO thd_delivery_file (delivery_id, path, size, sha256) VALUES ";
    insert_batched(
        tx,
        head,
        &format!("({id}, ?, ?, ?)"),
        3,
        files.len(),
        |b, i| {
            let f = &files[i];
            b.bind(&f.path)?;
            b.bind(f.size as i64)?;
            b.bind(&f.sha256)
        },
    )?;
    for table in delivery.tables.values() {
        write_table(tx, id, version, table)?;
    }
    let diagnostics: Vec<(&str, &Diagnostic)> = delivery
        .diagnostics
        .iter()
        .map(|d| ("read", d))
        .chain(meta.checks.iter().map(|d| ("check", d)))
        .collect();
    let head = "INSERT INTO thd_diagnostic (delivery_id, seq, stage, rule, severity, table_name, json) VALUES ";
    let row = format!("({id}, ?, ?, ?, ?, ?, ?)");
    insert_batched(tx, head, &row, 6, diagnostics.len(), |b, i| {
        let (stage, d) = diagnostics[i];
        // Serialising a plain struct of strings and numbers cannot fail.
        let json = serde_json::to_string(d).unwrap_or_default();
        b.bind(i as i64)?;
        b.bind(stage)?;
        b.bind(d.rule.as_ref())?;
        b.bind(d.severity.as_str())?;
        b.bind(d.table.as_deref())?;
        b.bind(json)
    })
}

/// The rows of one table into its data table, and how it was laid out into `thd_delivery_table`.
fn write_table(
    tx: &Transaction,
    id: i64,
    version: GraceVersion,
    table: &RawTable,
) -> rusqlite::Result<()> {
    let store_table = layout::store_table(version, &table.name);
    let created = ensure_table(tx, version, table, &store_table)?;
    let stored = layout::stored_columns(&table.columns);
    ensure_columns(tx, &store_table, &stored)?;

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
    // One buffer for every blob: SQLite copies a bound blob, so it is free again after the bind.
    let mut blob = Vec::with_capacity(256);
    insert_batched(tx, &head, &row, width, table.len(), |b, r| {
        if spatial {
            match table.geometry(r) {
                Some(g) => {
                    blob.clear();
                    // As given: the store gives back exactly what it was given (the column is `GEOMETRY`).
                    if let Some(e) = gpkg::encode(g, LAMBERT_93_SRS_ID, Parts::AsGiven, &mut blob) {
                        extent = Some(extent.map_or(e, |all| all.union(e)));
                    }
                    b.bind(blob.as_slice())?;
                }
                None => b.bind(None::<&[u8]>)?,
            }
        }
        for c in 0..ncols {
            b.bind(table.cell(r, c))?;
        }
        Ok(())
    })?;
    if created {
        // A new table gets its index after its rows: one sorted build instead of a b-tree insert per row.
        tx.execute_batch(&format!(
            "CREATE INDEX {} ON {} (delivery_id)",
            quote(&format!("{store_table}_delivery")),
            quote(&store_table)
        ))?;
    }

    if let Some(Envelope {
        min_x,
        max_x,
        min_y,
        max_y,
    }) = extent
    {
        tx.execute(
            "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1), max_x = max(coalesce(max_x, ?2), ?2), \
             min_y = min(coalesce(min_y, ?3), ?3), max_y = max(coalesce(max_y, ?4), ?4), \
             last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = ?5",
            params![min_x, max_x, min_y, max_y, &store_table],
        )?;
    }
    let columns: Vec<(&String, &String)> = table.columns.iter().zip(&stored).collect();
    let format = table
        .format
        .and_then(|f| serde_json::to_value(f).ok())
        .and_then(|v| v.as_str().map(str::to_owned));
    tx.execute(
        "INSERT INTO thd_delivery_table (delivery_id, table_name, store_table, file, format, columns, \
         spatial, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            &table.name,
            &store_table,
            &table.file,
            format,
            serde_json::to_string(&columns).unwrap_or_default(),
            spatial,
            table.len() as i64,
        ],
    )?;
    Ok(())
}

/// Creates the data table of `table` with the model's columns, and registers it in the GeoPackage tables, if
/// it does not exist yet; tells whether it created it (the caller then indexes it once filled). A table is a
/// feature table when the model or the delivery gives it geometries.
fn ensure_table(
    tx: &Transaction,
    version: GraceVersion,
    table: &RawTable,
    store_table: &str,
) -> rusqlite::Result<bool> {
    let exists = tx
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")?
        .exists([store_table])?;
    if exists {
        return Ok(false);
    }
    let columns: String = layout::model_columns(version, &table.name)
        .iter()
        .map(|c| format!(", {} TEXT", quote(c)))
        .collect();
    let name = quote(store_table);
    tx.execute_batch(&format!(
        "CREATE TABLE {name} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
         delivery_id INTEGER NOT NULL, geom GEOMETRY{columns})"
    ))?;
    let features = table.geometries.is_some()
        || Schema::of(version)
            .table(&table.name)
            .is_some_and(|def| def.geometry.is_some());
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) \
         VALUES (?, ?, ?, ?, ?)",
        params![
            store_table,
            if features { "features" } else { "attributes" },
            store_table,
            format!("{} ({version})", table.name),
            features.then_some(LAMBERT_93_SRS_ID),
        ],
    )?;
    if features {
        // GEOMETRY, not the model's kind: deliveries mix single and multi parts and the store keeps them as
        // delivered.
        tx.execute(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) \
             VALUES (?, 'geom', 'GEOMETRY', ?, 0, 0)",
            params![store_table, LAMBERT_93_SRS_ID],
        )?;
    }
    Ok(true)
}

/// Adds the stored columns the data table lacks (columns beyond the model).
fn ensure_columns(tx: &Transaction, store_table: &str, stored: &[String]) -> rusqlite::Result<()> {
    let existing: Vec<String> = tx
        .prepare("SELECT name FROM pragma_table_info(?)")?
        .query_map([store_table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for column in stored {
        if !existing.iter().any(|e| e.eq_ignore_ascii_case(column)) {
            tx.execute_batch(&format!(
                "ALTER TABLE {} ADD COLUMN {} TEXT",
                quote(store_table),
                quote(column)
            ))?;
        }
    }
    Ok(())
}

/// Binds the parameters of a multi-row statement in order, straight into SQLite (no intermediate values).
struct Binder<'s, 'c> {
    statement: &'s mut Statement<'c>,
    next: usize,
}

impl Binder<'_, '_> {
    fn bind(&mut self, value: impl ToSql) -> rusqlite::Result<()> {
        self.next += 1;
        self.statement.raw_bind_parameter(self.next, value)
    }
}

/// Inserts `rows` rows by multi-row `INSERT`s: `head` is `INSERT INTO t (...) VALUES `, `row` the values of
/// one row with `width` parameters, `bind` binds row `i`'s parameters. The full-size statement is prepared
/// once and reused; only the last, shorter batch has its own.
fn insert_batched(
    tx: &Transaction,
    head: &str,
    row: &str,
    width: usize,
    rows: usize,
    mut bind: impl FnMut(&mut Binder, usize) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
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
    let mut full = None;
    let mut start = 0;
    while start < rows {
        let n = batch.min(rows - start);
        let mut tail;
        let statement = if n == batch {
            match &mut full {
                Some(s) => s,
                None => full.insert(tx.prepare(&statement(batch))?),
            }
        } else {
            tail = tx.prepare(&statement(n))?;
            &mut tail
        };
        let mut binder = Binder { statement, next: 0 };
        for i in start..start + n {
            bind(&mut binder, i)?;
        }
        binder.statement.raw_execute()?;
        start += n;
    }
    Ok(())
}
