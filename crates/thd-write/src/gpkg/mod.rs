//! Writing raw tables as one GeoPackage 1.3 (SQLite through sqlx): a feature table per spatial table, an
//! attribute table per other table, column types from the model.
//!
//! Cells are bound as text and SQLite's column affinity stores numbers as numbers; only what affinity cannot do
//! is converted here (booleans to 0/1, dates and timestamps to ISO 8601). A value that is not of its column's
//! type is stored as the text it is, so a defect stays visible to the checks instead of failing the export.
//! Rows go in by multi-row `INSERT`s of one prepared statement per table, in one transaction.

mod column;

use std::path::Path;
use std::sync::Arc;

use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Connection, Sqlite};
use thd_geo::LAMBERT_93_SRS_ID as SRS_ID;
use thd_geo::gpkg::{self, Envelope};
use thd_model::{ColumnType, RawTable, Schema, TableDef};

use crate::shp::LAMBERT_93_PRJ;
use crate::values::{iso_date, iso_timestamp, logical};
use crate::{WriteError, WriteReport};
use column::ColumnGeometry;

/// "GPKG" as the SQLite `application_id`.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.3.0 as the SQLite `user_version`.
const USER_VERSION: i32 = 10300;
/// SQLite's default limit on bound parameters (`SQLITE_MAX_VARIABLE_NUMBER`) is 32766.
const MAX_PARAMETERS: usize = 32_000;
/// Rows per `INSERT`: enough to amortise a statement execution, few enough to keep arguments small.
const MAX_BATCH_ROWS: usize = 256;

const WGS84_WKT: &str = concat!(
    r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],"#,
    r#"AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],"#,
    r#"UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#
);

/// The mandatory tables of a GeoPackage without tiles (GeoPackage 1.3, annex C).
const CORE_SCHEMA: [&str; 3] = [
    "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
        organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
        description TEXT)",
    "CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
        identifier TEXT UNIQUE, description TEXT DEFAULT '',
        last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
        CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))",
    "CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
        geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
        CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
        CONSTRAINT uk_gc_table_name UNIQUE (table_name),
        CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
        CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))",
];

/// How a cell is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    /// As text; SQLite's affinity makes numbers of number-looking text in INTEGER and REAL columns.
    Text,
    Boolean,
    Date,
    Timestamp,
}

/// One attribute column of a GeoPackage table.
#[derive(Debug)]
struct Column {
    name: String,
    sql_type: String,
    storage: Storage,
}

impl Column {
    fn of(def: Option<&TableDef>, name: &str) -> Self {
        let ty = def.and_then(|d| d.column(name)).map(|c| c.ty);
        let (sql_type, storage) = match ty {
            Some(ColumnType::Text { len }) if len > 0 => (format!("TEXT({len})"), Storage::Text),
            Some(ColumnType::Integer | ColumnType::Bigint) => ("INTEGER".into(), Storage::Text),
            Some(ColumnType::Numeric { .. }) => ("REAL".into(), Storage::Text),
            Some(ColumnType::Boolean) => ("BOOLEAN".into(), Storage::Boolean),
            Some(ColumnType::Date) => ("DATE".into(), Storage::Date),
            Some(ColumnType::Timestamp) => ("DATETIME".into(), Storage::Timestamp),
            Some(ColumnType::Text { .. }) | None => ("TEXT".into(), Storage::Text),
        };
        Column {
            name: name.to_owned(),
            sql_type,
            storage,
        }
    }
}

/// One table to write, checked before the file is created.
#[derive(Debug)]
struct Plan<'a> {
    table: &'a RawTable,
    columns: Vec<Column>,
    /// Geometry column name and type, for spatial tables.
    geometry: Option<(String, ColumnGeometry)>,
}

fn plan<'a>(table: &'a RawTable, schema: &Schema) -> Result<Plan<'a>, WriteError> {
    let def = schema.table(&table.name);
    let model_geometry = def.and_then(|d| d.geometry.as_ref());
    let geometries = (0..table.len()).filter_map(|row| table.geometry(row).map(|g| (row, g)));
    let has_geometry = table.geometries.iter().flatten().any(Option::is_some);
    let geometry = if model_geometry.is_some() || has_geometry {
        let ty = ColumnGeometry::of(model_geometry.map(|g| g.kind), geometries).map_err(
            |(row, reason)| WriteError::Geometry {
                table: table.name.clone(),
                row,
                reason,
            },
        )?;
        let name = model_geometry.map_or("geom", |g| g.column.as_str());
        Some((name.to_owned(), ty))
    } else {
        None
    };
    Ok(Plan {
        table,
        columns: table.columns.iter().map(|c| Column::of(def, c)).collect(),
        geometry,
    })
}

/// Writes `tables` as a GeoPackage at `path`, replacing any file there.
///
/// Blocking: it runs its own single-threaded tokio runtime (on a separate thread when called from inside a
/// runtime, where blocking the caller's runtime is not allowed). On error the partial file is removed.
pub fn write_geopackage(
    tables: &[RawTable],
    version: thd_model::GraceVersion,
    path: &Path,
) -> Result<WriteReport, WriteError> {
    let schema = Schema::of(version);
    crate::files::unique_names(tables)?;
    let plans = tables
        .iter()
        .map(|t| plan(t, schema))
        .collect::<Result<Vec<_>, _>>()?;
    remove(path)?;
    let run = || -> Result<(), WriteError> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(WriteError::io(path))?
            .block_on(write(&plans, path))
            .map_err(|source| WriteError::GeoPackage {
                path: path.to_owned(),
                source,
            })
    };
    let result = if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(run)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    } else {
        run()
    };
    if let Err(e) = result {
        // The partial file is not a GeoPackage anyone should open; the error says why.
        let _ = remove(path);
        return Err(e);
    }
    let bytes = std::fs::metadata(path).map_err(WriteError::io(path))?.len();
    Ok(WriteReport {
        files: vec![path.to_owned()],
        rows: tables.iter().map(RawTable::len).sum(),
        bytes,
        truncated_cells: 0,
    })
}

/// Removes a previous file and the SQLite side files another tool may have left beside it.
fn remove(path: &Path) -> Result<(), WriteError> {
    let side = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        std::path::PathBuf::from(name)
    };
    for file in [
        path.to_owned(),
        side("-journal"),
        side("-wal"),
        side("-shm"),
    ] {
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(WriteError::io(file)(e));
            }
            _ => {}
        }
    }
    Ok(())
}

async fn write(plans: &[Plan<'_>], path: &Path) -> Result<(), sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // A new file nobody reads before it is complete: no durability to pay for.
        .journal_mode(SqliteJournalMode::Memory)
        .synchronous(SqliteSynchronous::Off)
        .pragma("application_id", APPLICATION_ID.to_string())
        .pragma("user_version", USER_VERSION.to_string());
    let mut conn = SqliteConnection::connect_with(&options).await?;
    let mut tx = conn.begin().await?;
    for sql in CORE_SCHEMA {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    let srs = [
        (
            "Undefined cartesian SRS",
            -1,
            "NONE",
            -1,
            "undefined",
            "undefined cartesian coordinate reference system",
        ),
        (
            "Undefined geographic SRS",
            0,
            "NONE",
            0,
            "undefined",
            "undefined geographic coordinate reference system",
        ),
        (
            "WGS 84 geodetic",
            4326,
            "EPSG",
            4326,
            WGS84_WKT,
            "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
        ),
        (
            "RGF93 v1 / Lambert-93",
            SRS_ID,
            "EPSG",
            SRS_ID,
            LAMBERT_93_PRJ,
            "the projection of GraceTHD deliveries",
        ),
    ];
    for (name, id, org, org_id, definition, description) in srs {
        sqlx::query(
            "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, \
             organization_coordsys_id, definition, description) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(name)
        .bind(id)
        .bind(org)
        .bind(org_id)
        .bind(definition)
        .bind(description)
        .execute(&mut *tx)
        .await?;
    }
    for plan in plans {
        write_table(plan, &mut tx).await?;
    }
    tx.commit().await?;
    conn.close().await
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

async fn write_table(plan: &Plan<'_>, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    let table = plan.table;
    let name = quote(&table.name);
    let mut definitions = vec!["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL".to_owned()];
    let mut targets = Vec::new();
    if let Some((column, ty)) = &plan.geometry {
        definitions.push(format!("{} {}", quote(column), ty.name()));
        targets.push(quote(column));
    }
    for column in &plan.columns {
        definitions.push(format!("{} {}", quote(&column.name), column.sql_type));
        targets.push(quote(&column.name));
    }
    let create = format!("CREATE TABLE {name} ({})", definitions.join(", "));
    sqlx::query(AssertSqlSafe(create))
        .execute(&mut *conn)
        .await?;

    let extent = insert_rows(plan, &name, &targets, conn).await?;
    let data_type = if plan.geometry.is_some() {
        "features"
    } else {
        "attributes"
    };
    let [min_x, max_x, min_y, max_y] = extent.map_or([None; 4], |e| {
        [e.min_x, e.max_x, e.min_y, e.max_y].map(Some)
    });
    sqlx::query(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, max_y, \
         srs_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&table.name)
    .bind(data_type)
    .bind(&table.name)
    .bind(min_x)
    .bind(min_y)
    .bind(max_x)
    .bind(max_y)
    .bind(plan.geometry.as_ref().map(|_| SRS_ID))
    .execute(&mut *conn)
    .await?;
    if let Some((column, ty)) = &plan.geometry {
        sqlx::query(
            "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) \
             VALUES (?, ?, ?, ?, 0, 0)",
        )
        .bind(&table.name)
        .bind(column)
        .bind(ty.name())
        .bind(SRS_ID)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Inserts the rows of a table; returns the extent of its geometries.
async fn insert_rows(
    plan: &Plan<'_>,
    name: &str,
    targets: &[String],
    conn: &mut SqliteConnection,
) -> Result<Option<Envelope>, sqlx::Error> {
    let table = plan.table;
    let per_row = targets.len().max(1);
    let batch = (MAX_PARAMETERS / per_row).clamp(1, MAX_BATCH_ROWS);
    let statement = |rows: usize| -> Arc<str> {
        let row = format!("({})", vec!["?"; targets.len()].join(", "));
        let values = vec![row; rows].join(", ");
        format!(
            "INSERT INTO {name} ({}) VALUES {values}",
            targets.join(", ")
        )
        .into()
    };
    let full = statement(batch);
    let mut extent: Option<Envelope> = None;
    let mut start = 0;
    // A table without columns has no rows (`RawTable::len`), so every batch has values to insert.
    while start < table.len() {
        let rows = batch.min(table.len() - start);
        let sql = if rows == batch {
            full.clone()
        } else {
            statement(rows)
        };
        let mut arguments = sqlx::query::<Sqlite>(AssertSqlSafe(sql));
        for row in start..start + rows {
            if let Some((_, ty)) = &plan.geometry {
                let blob = table.geometry(row).map(|g| {
                    let mut out = Vec::with_capacity(64);
                    if let Some(e) = gpkg::encode(g, SRS_ID, ty.parts(), &mut out) {
                        extent = Some(extent.map_or(e, |all| all.union(e)));
                    }
                    out
                });
                arguments = arguments.bind(blob);
            }
            for (col, column) in plan.columns.iter().enumerate() {
                arguments = bind_cell(arguments, column.storage, table.cell(row, col));
            }
        }
        arguments.execute(&mut *conn).await?;
        start += rows;
    }
    Ok(extent)
}

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

fn bind_cell<'q>(query: Query<'q>, storage: Storage, cell: Option<&'q str>) -> Query<'q> {
    let Some(value) = cell else {
        return query.bind(None::<&str>);
    };
    match storage {
        Storage::Boolean => match logical(value) {
            Some(b) => query.bind(i64::from(b)),
            None => query.bind(value),
        },
        Storage::Date => match iso_date(value) {
            Some(iso) => query.bind(iso),
            None => query.bind(value),
        },
        Storage::Timestamp => match iso_timestamp(value) {
            Some(iso) => query.bind(iso),
            None => query.bind(value),
        },
        Storage::Text => query.bind(value),
    }
}
