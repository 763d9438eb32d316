//! The SQLite backend: one file, GeoPackage-compatible, opened in WAL mode with its migrations applied.
//!
//! The file is a GeoPackage 1.3 (`application_id` "GPKG", `user_version` 10300, the mandatory `gpkg_*` tables)
//! so QGIS and GDAL open the data tables as layers. The store's own schema version therefore cannot live in
//! `application_id`/`user_version`; it lives in the one-row table `thd_store_schema`, which also tells a store
//! from any other SQLite file.

mod import;
mod read;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row};

use crate::StoreError;

/// The store's migrations, in order; the schema version of a store is the number applied.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_store.sql")];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// "GPKG" as SQLite's `application_id`.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.3.0 as SQLite's `user_version`.
const USER_VERSION: i32 = 10300;

/// How long a statement waits for another process's lock before the store reports it as locked.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A SQLite store.
#[derive(Debug, Clone)]
pub(crate) struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens the store at `path`, creating it if missing, and brings its schema up to date.
    pub(crate) async fn open(path: &Path) -> Result<Self, StoreError> {
        let db = |e| StoreError::database(path, e);
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode NORMAL syncs at checkpoints, not at each commit: a power cut may lose the last
            // import but never leaves a half one, which is the promise of the store. OFF would gain little
            // more, since an import is one commit.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("cache_size", "-65536");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = SqliteStore {
            pool,
            path: path.to_owned(),
        };
        store.migrate().await?;
        Ok(store)
    }

    fn db(&self) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        |e| StoreError::database(&self.path, e)
    }

    /// Creates or upgrades the schema in one write transaction, so two processes opening a new file at once
    /// do not both create it.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(self.db())?;
        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut *tx)
                .await
                .map_err(self.db())?;
        let applied = if tables.iter().any(|t| t == "thd_store_schema") {
            sqlx::query("SELECT version FROM thd_store_schema")
                .fetch_one(&mut *tx)
                .await
                .map_err(self.db())?
                .try_get::<i64, _>(0)
                .map_err(self.db())?
        } else if tables.is_empty() {
            let init = format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION};
                 CREATE TABLE thd_store_schema (version INTEGER NOT NULL);
                 INSERT INTO thd_store_schema VALUES (0);"
            );
            sqlx::raw_sql(AssertSqlSafe(init))
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
            0
        } else {
            return Err(StoreError::NotAStore(self.path.clone()));
        };
        if applied > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                location: self.path.display().to_string(),
                found: applied,
                supported: SCHEMA_VERSION,
            });
        }
        for (done, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            sqlx::raw_sql(AssertSqlSafe(*sql))
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
            sqlx::query("UPDATE thd_store_schema SET version = ?")
                .bind(done as i64 + 1)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
        }
        tx.commit().await.map_err(self.db())
    }

    /// Closes the connections, checkpointing the WAL into the file.
    pub(crate) async fn close(self) {
        self.pool.close().await;
    }
}
