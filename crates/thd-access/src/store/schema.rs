//! Opening the database and bringing the `access_*` tables up to date.
//!
//! The crate owns its tables, created by its own embedded migrations and versioned in its own one-row table
//! `access_schema_version`, so it evolves independently of the delivery store and of the services catalogue
//! in the same database. A database whose `access_schema_version` is newer than this build knows is refused
//! ([`AccessError::NewerSchema`]) rather than misread.
//!
//! **Order of opening a new SQLite file.** `thd_store::Store::open` refuses a non-empty SQLite file without its
//! own schema table (so that it never writes into someone else's database). On a new file, open the delivery
//! store first, then [`AccessStore::open`]; on an existing store file either order works. PostgreSQL has no
//! such rule: the store looks for its own table in the schema, not for an empty schema.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use super::{AccessStore, Pool, on_pool};
use crate::error::AccessError;

/// The schema version of the `access_*` tables this build writes: the number of migrations.
pub const SCHEMA_VERSION: i64 = SQLITE.migrations.len() as i64;

/// How long a statement waits for another process's lock on a SQLite file before failing, as in the store.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections per pool: authentication is one short read per request, so a few connections serve many
/// concurrent requests.
const MAX_CONNECTIONS: u32 = 4;

/// What differs between the backends when migrating.
struct Dialect {
    /// Starts the migration's transaction.
    begin: &'static str,
    /// Run first in that transaction, to keep two processes from migrating at once (SQLite's
    /// `BEGIN IMMEDIATE` already takes the file's write lock).
    lock: Option<&'static str>,
    /// Gives 1 when `access_schema_version` exists where the tables are created, 0 otherwise.
    version_table_exists: &'static str,
    /// The migrations, in order.
    migrations: &'static [&'static str],
}

const SQLITE: Dialect = Dialect {
    begin: "BEGIN IMMEDIATE",
    lock: None,
    version_table_exists: "SELECT COUNT(*) FROM sqlite_master \
                           WHERE type = 'table' AND name = 'access_schema_version'",
    migrations: &[include_str!("../../migrations/sqlite/0001_access.sql")],
};

const POSTGRES: Dialect = Dialect {
    begin: "BEGIN",
    // One lock per schema, so that stores in other schemas of the same database do not wait for each other.
    lock: Some("SELECT pg_advisory_xact_lock(hashtext('thd-access:' || current_schema()))"),
    version_table_exists: "SELECT COUNT(*) FROM information_schema.tables \
                           WHERE table_schema = current_schema() AND table_name = 'access_schema_version'",
    migrations: &[include_str!("../../migrations/postgres/0001_access.sql")],
};

// Both backends stand at the same schema version: a migration added to one is added to the other.
const _: () = assert!(SQLITE.migrations.len() == POSTGRES.migrations.len());

impl AccessStore {
    /// Opens the access tables at `location` — a SQLite file path, `sqlite://PATH`, or a `postgres://` /
    /// `postgresql://` URL (the tables live in the connection's current schema) — creating the file if
    /// missing and applying the migrations the tables lack. Tables written by a newer engine are refused
    /// ([`AccessError::NewerSchema`]).
    pub async fn open(location: &str) -> Result<AccessStore, AccessError> {
        let store = if location.starts_with("postgres://") || location.starts_with("postgresql://")
        {
            Self::connect_postgres(location).await?
        } else if let Some(path) = location.strip_prefix("sqlite://") {
            Self::connect_sqlite(Path::new(path)).await?
        } else if location.contains("://") {
            return Err(AccessError::UnsupportedUrl(location.to_owned()));
        } else {
            Self::connect_sqlite(Path::new(location)).await?
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn connect_sqlite(path: &Path) -> Result<AccessStore, AccessError> {
        let location = path.display().to_string();
        // The options the delivery store opens the same file with, so that both pools agree on the journal.
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(|source| AccessError::Database {
                location: location.clone(),
                source,
            })?;
        Ok(AccessStore {
            pool: Pool::Sqlite(pool),
            location,
        })
    }

    async fn connect_postgres(url: &str) -> Result<AccessStore, AccessError> {
        let location = redact(url);
        let db = |source| AccessError::Database {
            location: location.clone(),
            source,
        };
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(AccessStore {
            pool: Pool::Postgres(pool),
            location,
        })
    }

    /// Creates or upgrades the tables in one transaction that holds the database's (SQLite) or the schema's
    /// (PostgreSQL) migration lock, so two processes opening a new database at once do not both create them.
    async fn migrate(&self) -> Result<(), AccessError> {
        let dialect = match self.pool {
            Pool::Sqlite(_) => &SQLITE,
            Pool::Postgres(_) => &POSTGRES,
        };
        on_pool!(self, |pool| {
            let mut conn = pool.acquire().await.map_err(self.db())?;
            let mut tx = Connection::begin_with(&mut *conn, dialect.begin)
                .await
                .map_err(self.db())?;
            if let Some(lock) = dialect.lock {
                sqlx::query(lock)
                    .execute(&mut *tx)
                    .await
                    .map_err(self.db())?;
            }
            let exists: i64 = sqlx::query_scalar(dialect.version_table_exists)
                .fetch_one(&mut *tx)
                .await
                .map_err(self.db())?;
            let applied: i64 = if exists == 0 {
                sqlx::raw_sql(
                    "CREATE TABLE access_schema_version (version bigint NOT NULL); \
                     INSERT INTO access_schema_version VALUES (0);",
                )
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
                0
            } else {
                sqlx::query_scalar("SELECT version FROM access_schema_version")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(self.db())?
            };
            if applied > SCHEMA_VERSION {
                return Err(AccessError::NewerSchema {
                    location: self.location.clone(),
                    found: applied,
                    supported: SCHEMA_VERSION,
                });
            }
            let start = usize::try_from(applied)
                .map_err(|_| self.corrupt(format!("schema version {applied}")))?;
            for (done, sql) in dialect.migrations.iter().enumerate().skip(start) {
                sqlx::raw_sql(*sql)
                    .execute(&mut *tx)
                    .await
                    .map_err(self.db())?;
                sqlx::query("UPDATE access_schema_version SET version = $1")
                    .bind(done as i64 + 1)
                    .execute(&mut *tx)
                    .await
                    .map_err(self.db())?;
            }
            tx.commit().await.map_err(self.db())
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_kept_out_of_messages() {
        assert_eq!(
            redact("postgres://u:secret@db:5432/x?options=a"),
            "postgres://u:***@db:5432/x?options=a"
        );
        assert_eq!(
            redact("postgres://u@127.0.0.1/x"),
            "postgres://u@127.0.0.1/x"
        );
        assert_eq!(redact("postgresql://db/x"), "postgresql://db/x");
    }
}
