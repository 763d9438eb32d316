//! The sync tables (`sync_*`) in the store's database, SQLite or PostgreSQL, behind one [`SyncStore`].
//!
//! # One SQL for both backends
//!
//! Every query is written once, with `$1` placeholders, and runs through sqlx's `Any` driver (sqlx 0.9's
//! SQLite driver reads `$N` as the N-th argument, so the same text binds the same way on both; the tests run
//! every operation on both). The write path — idempotency, version check, transition check, audit — is the
//! part where a divergence between two copies would be a silent bug, so it exists once. What differs is kept
//! to three places: the DDL (one migration file per backend, same tables and columns), how a write
//! transaction begins (`BEGIN IMMEDIATE` on SQLite) and the lock that serialises migrations on PostgreSQL.
//! The price is the `Any` driver's types: integers and text only, so dates and timestamps are fixed-width ISO
//! text on both backends, which also keeps their text order their time order. SQLite's options are not
//! reachable through `Any` (it takes a URL), so its pragmas are set on each new connection.
//!
//! How writes stay correct under concurrency is in the crate documentation.

mod read;
mod text;
mod write;

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Transaction};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use crate::SyncError;

/// The migrations of each backend, in order; the schema version is the number applied.
const SQLITE_MIGRATIONS: &[&str] = &[include_str!("../../migrations/sqlite/0001_sync.sql")];
const POSTGRES_MIGRATIONS: &[&str] = &[include_str!("../../migrations/postgres/0001_sync.sql")];

// Both backends stand at the same version: a migration added to one is added to the other.
const _: () = assert!(SQLITE_MIGRATIONS.len() == POSTGRES_MIGRATIONS.len());

/// The schema version of the `sync_*` tables this build writes.
pub const SCHEMA_VERSION: i64 = SQLITE_MIGRATIONS.len() as i64;

/// Connections of the read pool (and of the one PostgreSQL pool).
const READERS: u32 = 4;
const POSTGRES_CONNECTIONS: u32 = 8;

/// The acceptance sync tables of a store. Clones share the connections.
#[derive(Debug, Clone)]
pub struct SyncStore {
    writer: Writer,
    reader: AnyPool,
    /// The file or URL (without password), for messages.
    location: String,
}

/// Where write transactions run.
#[derive(Debug, Clone)]
enum Writer {
    /// One connection kept for the life of the store, taken in turn (`None` once closed). SQLite has one
    /// writer at a time anyway, and a pool would hand the connection back through a spawned task after each
    /// commit: a thread wake-up that took about a third of a write's time.
    Sqlite(Arc<Mutex<Option<AnyConnection>>>),
    /// The pool shared with the reads: PostgreSQL writers run side by side.
    Postgres(AnyPool),
}

/// A connection held for one write transaction.
enum WriteConnection<'a> {
    Sqlite(MappedMutexGuard<'a, AnyConnection>),
    Postgres(PoolConnection<Any>),
}

impl Deref for WriteConnection<'_> {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            Self::Sqlite(conn) => conn,
            Self::Postgres(conn) => conn,
        }
    }
}

impl DerefMut for WriteConnection<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Self::Sqlite(conn) => conn,
            Self::Postgres(conn) => conn,
        }
    }
}

impl SyncStore {
    /// Opens the sync tables of the store at `location` — a SQLite file path, `sqlite://PATH`, or a
    /// `postgres://`/`postgresql://` URL (the tables live in the connection's current schema, as the
    /// delivery store's do) — creating or upgrading them; tables of a newer schema are refused
    /// ([`SyncError::NewerSchema`]).
    ///
    /// On a new SQLite file, open the delivery store (`thd_store::Store::open`) first: it refuses a non-empty
    /// file that is not yet one of its stores.
    pub async fn open(location: &str) -> Result<Self, SyncError> {
        sqlx::any::install_default_drivers();
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Self::open_postgres(location).await;
        }
        if let Some(path) = location.strip_prefix("sqlite://") {
            return Self::open_sqlite(Path::new(path)).await;
        }
        if location.contains("://") {
            return Err(SyncError::UnsupportedUrl(location.to_owned()));
        }
        Self::open_sqlite(Path::new(location)).await
    }

    async fn open_sqlite(path: &Path) -> Result<Self, SyncError> {
        let location = path.display().to_string();
        let db = |source| SyncError::Database {
            location: location.clone(),
            source,
        };
        // The SQLite driver's own URL for the file (it percent-encodes the path), read by the Any driver.
        let url = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .to_url_lossy();
        let options = AnyConnectOptions::from_url(&url).map_err(db)?;
        // In WAL mode NORMAL syncs at checkpoints, not at each commit, as the delivery store does: a power cut
        // may lose the last writes, never half of one.
        const PER_CONNECTION: &str = "PRAGMA synchronous = NORMAL";
        let mut writer = options.connect().await.map_err(db)?;
        // Before the readers connect: WAL lets them read while a write is under way. A store file is in WAL
        // mode already, and then this changes nothing.
        sqlx::raw_sql("PRAGMA journal_mode = WAL")
            .execute(&mut writer)
            .await
            .map_err(db)?;
        sqlx::raw_sql(PER_CONNECTION)
            .execute(&mut writer)
            .await
            .map_err(db)?;
        let reader = AnyPoolOptions::new()
            .max_connections(READERS)
            // A file does not drop connections: pinging each one before handing it out would only cost a
            // round trip to its worker thread.
            .test_before_acquire(false)
            .after_connect(|conn, _| {
                Box::pin(async move { sqlx::raw_sql(PER_CONNECTION).execute(conn).await.map(drop) })
            })
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = SyncStore {
            writer: Writer::Sqlite(Arc::new(Mutex::new(Some(writer)))),
            reader,
            location,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn open_postgres(url: &str) -> Result<Self, SyncError> {
        let location = redact(url);
        let db = |source| SyncError::Database {
            location: location.clone(),
            source,
        };
        let options = AnyConnectOptions::from_str(url).map_err(db)?;
        let pool = AnyPoolOptions::new()
            .max_connections(POSTGRES_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = SyncStore {
            writer: Writer::Postgres(pool.clone()),
            reader: pool,
            location,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Closes the connections (those of every clone: writes through a clone then fail).
    pub async fn close(self) {
        match self.writer {
            Writer::Sqlite(conn) => {
                if let Some(conn) = conn.lock().await.take() {
                    // Nothing to do about a failure to close: the file is consistent after every commit.
                    let _ = conn.close().await;
                }
            }
            Writer::Postgres(pool) => pool.close().await,
        }
        self.reader.close().await;
    }

    fn db(&self) -> impl Fn(sqlx::Error) -> SyncError + '_ {
        |source| SyncError::Database {
            location: self.location.clone(),
            source,
        }
    }

    fn corrupt(&self, detail: impl Into<String>) -> SyncError {
        SyncError::Corrupt {
            location: self.location.clone(),
            detail: detail.into(),
        }
    }

    /// The connection to run a write transaction on, once it is free.
    async fn write_connection(&self) -> Result<WriteConnection<'_>, SyncError> {
        match &self.writer {
            Writer::Sqlite(conn) => MutexGuard::try_map(conn.lock().await, Option::as_mut)
                .map(WriteConnection::Sqlite)
                .map_err(|_| self.db()(sqlx::Error::PoolClosed)),
            Writer::Postgres(pool) => pool
                .acquire()
                .await
                .map(WriteConnection::Postgres)
                .map_err(self.db()),
        }
    }

    /// Starts a write transaction on `conn`: `BEGIN IMMEDIATE` on SQLite (see the crate documentation),
    /// `BEGIN` (read committed) on PostgreSQL.
    async fn begin<'c>(
        &self,
        conn: &'c mut AnyConnection,
    ) -> Result<Transaction<'c, Any>, SyncError> {
        let begin = match self.writer {
            Writer::Sqlite(_) => "BEGIN IMMEDIATE",
            Writer::Postgres(_) => "BEGIN",
        };
        conn.begin_with(begin).await.map_err(self.db())
    }

    /// Creates or upgrades the `sync_*` tables in one write transaction; on PostgreSQL under an advisory lock
    /// per schema, so two processes opening a new store at once do not both create them.
    async fn migrate(&self) -> Result<(), SyncError> {
        let mut conn = self.write_connection().await?;
        let mut tx = self.begin(&mut conn).await?;
        let migrations = match self.writer {
            Writer::Sqlite(_) => SQLITE_MIGRATIONS,
            Writer::Postgres(_) => {
                sqlx::query(
                    "SELECT 1 FROM pg_advisory_xact_lock(hashtext('thd-sync:' || current_schema()))",
                )
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
                POSTGRES_MIGRATIONS
            }
        };
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS sync_schema_version (version BIGINT NOT NULL);
             INSERT INTO sync_schema_version (version)
                 SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM sync_schema_version);",
        )
        .execute(&mut *tx)
        .await
        .map_err(self.db())?;
        let applied: i64 = sqlx::query_scalar("SELECT version FROM sync_schema_version")
            .fetch_one(&mut *tx)
            .await
            .map_err(self.db())?;
        if applied > SCHEMA_VERSION {
            return Err(SyncError::NewerSchema {
                location: self.location.clone(),
                found: applied,
                supported: SCHEMA_VERSION,
            });
        }
        let start = usize::try_from(applied)
            .map_err(|_| self.corrupt(format!("sync schema version {applied}")))?;
        for (done, sql) in migrations.iter().enumerate().skip(start) {
            sqlx::raw_sql(*sql)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
            sqlx::query("UPDATE sync_schema_version SET version = $1")
                .bind(done as i64 + 1)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
        }
        tx.commit().await.map_err(self.db())
    }
}

/// `url` without its password, for messages and errors.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// `$start, $start+1, ...` for `n` values of an `IN (...)` list.
fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_from_messages() {
        assert_eq!(
            redact("postgres://sync:s3cret@db:5432/thd?options=x"),
            "postgres://sync:***@db:5432/thd?options=x"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/thd_test"),
            "postgres://postgres@127.0.0.1/thd_test"
        );
    }

    #[test]
    fn placeholders_number_from_the_start_given() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 1), "$1");
    }
}
