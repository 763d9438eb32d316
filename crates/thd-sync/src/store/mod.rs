//! The sync tables (`sync_*`) in the store's database, SQLite or PostgreSQL, behind one [`SyncStore`].
//!
//! # One SQL for both backends
//!
//! Every query is written once, with `$1` placeholders, and runs through sqlx's `Any` driver (sqlx 0.9's
//! SQLite driver reads `$N` as the N-th argument, so the same text binds the same way on both). The write
//! path — idempotency, version check, transition check, audit — is the part where a divergence between two
//! copies would be a silent bug, so it exists once. What differs is kept to three places: the DDL (one
//! migration file per backend, same tables and columns), how a write transaction starts (below) and the lock
//! that serialises migrations. The price is the `Any` driver's types: integers and text only, so dates and
//! timestamps are fixed-width ISO text on both backends, which also keeps their text order their time order.
//!
//! # Concurrency
//!
//! - **No lost update.** Each write reads the subject, checks the expected version, and then changes it with
//!   `UPDATE ... WHERE id = $n AND version = $expected`, bumping the version. On PostgreSQL (read committed) a
//!   concurrent writer of the same subject waits for the first one's row lock, re-evaluates the condition on
//!   the committed row, matches nothing, and is answered [`SyncError::Stale`](crate::SyncError::Stale); its
//!   whole transaction is rolled back.
//! - **SQLite writes cannot fail on a lock upgrade.** Write transactions start with `BEGIN IMMEDIATE`, which
//!   takes the write lock first (waiting up to the 5 s busy timeout for another process) instead of reading
//!   under a shared lock and failing with `SQLITE_BUSY` when upgrading. Within a process, writers queue for a
//!   pool of one write connection rather than in SQLite's busy handler (which sleeps by steps of up to 100 ms);
//!   reads use their own pool and, in WAL mode, never wait for writers.
//! - **Idempotency is claimed first.** The first statement of a write inserts `(organisation, key, request)`
//!   into `sync_request` with `ON CONFLICT DO NOTHING`. A key already there is a replay: the same canonical
//!   request gives back the stored audit row, another request is [`SyncError::KeyReused`](crate::SyncError::KeyReused),
//!   and nothing is written either way. On PostgreSQL a concurrent request with the same key waits on the
//!   unique index until the first commits, then sees it as a replay — never as a second write.
//! - **Cursors see every change once.** Audit sequence numbers come from the one-row `sync_sequence`, bumped as
//!   the last steps of a write: the row lock makes writers take numbers in commit order, so a reader that has
//!   seen number `n` committed has also seen every number below it (a database sequence would not promise
//!   this: a transaction holding 10 may commit after one holding 11). On SQLite writers are serialised anyway.
//!   A failed write is rolled back whole, its number included, so numbers have no gaps either.

mod read;
mod text;
mod write;

use std::path::Path;
use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, ConnectOptions, Transaction};

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

/// The acceptance sync tables of a store.
#[derive(Debug, Clone)]
pub struct SyncStore {
    /// Write transactions: one connection on SQLite, the shared pool on PostgreSQL.
    writer: AnyPool,
    reader: AnyPool,
    backend: Backend,
    /// The file or URL (without password), for messages.
    location: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
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
        let pool = |size| {
            AnyPoolOptions::new()
                .max_connections(size)
                // In WAL mode NORMAL syncs at checkpoints, not at each commit, as the delivery store does: a
                // power cut may lose the last writes, never half of one.
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        sqlx::raw_sql("PRAGMA synchronous = NORMAL")
                            .execute(conn)
                            .await
                            .map(drop)
                    })
                })
        };
        let writer = pool(1).connect_with(options.clone()).await.map_err(db)?;
        // Once, before the readers connect: WAL lets them read while a write is under way. A store file is
        // in WAL mode already, and then this changes nothing.
        sqlx::raw_sql("PRAGMA journal_mode = WAL")
            .execute(&writer)
            .await
            .map_err(db)?;
        let reader = pool(READERS).connect_with(options).await.map_err(db)?;
        let store = SyncStore {
            writer,
            reader,
            backend: Backend::Sqlite,
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
            writer: pool.clone(),
            reader: pool,
            backend: Backend::Postgres,
            location,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Closes the connections.
    pub async fn close(self) {
        self.writer.close().await;
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

    /// Starts a write transaction: `BEGIN IMMEDIATE` on SQLite (see the module docs), `BEGIN` (read committed)
    /// on PostgreSQL.
    async fn begin_write(&self) -> Result<Transaction<'static, Any>, SyncError> {
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        self.writer.begin_with(begin).await.map_err(self.db())
    }

    /// Creates or upgrades the `sync_*` tables in one write transaction; on PostgreSQL under an advisory lock
    /// per schema, so two processes opening a new store at once do not both create them.
    async fn migrate(&self) -> Result<(), SyncError> {
        let mut tx = self.begin_write().await?;
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => {
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
