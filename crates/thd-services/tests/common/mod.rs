//! A new, empty database on one backend for one test, with the direct access the tests need to look behind
//! the library: run SQL, list the tables, read values as text, hold the write lock another writer would.

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;

/// The test database when `THD_TEST_PG` is not set.
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/thd_test";

pub struct Place {
    /// What `ServicesStore::open` is given.
    pub location: String,
    backend: Backend,
}

enum Backend {
    Sqlite {
        _dir: tempfile::TempDir,
        path: String,
    },
    Postgres {
        url: String,
        schema: String,
        /// The test's name, for the schemas of further places ([`Place::another`]).
        name: String,
    },
}

/// Runs `$body` with `$conn` a new connection to the place's database, whichever backend it is.
macro_rules! on_connection {
    ($place:expr, |$conn:ident| $body:expr) => {
        match &$place.backend {
            Backend::Sqlite { path, .. } => {
                // `rwc`: a test may write into the file before the store has created it.
                let mut $conn = SqliteConnection::connect(&format!("sqlite://{path}?mode=rwc"))
                    .await
                    .expect("connect");
                $body
            }
            Backend::Postgres { .. } => {
                let mut $conn = PgConnection::connect(&$place.location)
                    .await
                    .expect("connect");
                $body
            }
        }
    };
}

/// A transaction of the test's own that holds the catalogue's write lock (the file's on SQLite, the tables'
/// on PostgreSQL), as an import of another process would, until [`HeldWrites::release`].
pub enum HeldWrites {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl HeldWrites {
    pub async fn release(self) {
        match self {
            HeldWrites::Sqlite(mut conn) => {
                sqlx::raw_sql("COMMIT")
                    .execute(&mut conn)
                    .await
                    .expect("commit");
            }
            HeldWrites::Postgres(mut conn) => {
                sqlx::raw_sql("COMMIT")
                    .execute(&mut conn)
                    .await
                    .expect("commit");
            }
        }
    }
}

impl Place {
    pub fn sqlite() -> Place {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.gpkg").to_string_lossy().into_owned();
        Place {
            location: path.clone(),
            backend: Backend::Sqlite { _dir: dir, path },
        }
    }

    /// A schema of its own for test `name` in the PostgreSQL test database; `None` (with the reason printed)
    /// only when the database is unreachable and `THD_SKIP_PG=1`, and a panic saying why when it is
    /// unreachable otherwise.
    pub async fn postgres(name: &str) -> Option<Place> {
        let url = std::env::var("THD_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
        let mut conn = match PgConnection::connect(&url).await {
            Ok(conn) => conn,
            Err(e) if std::env::var("THD_SKIP_PG").as_deref() == Ok("1") => {
                println!("skipped on PostgreSQL: {url} is unreachable ({e}) and THD_SKIP_PG=1");
                return None;
            }
            Err(e) => panic!(
                "the PostgreSQL services tests need the database {url} ({e}): run scripts/setup.sh with \
                 PostgreSQL running, point THD_TEST_PG at another database, or set THD_SKIP_PG=1 to skip them"
            ),
        };
        // Unique per test and per process; PostgreSQL names are at most 63 bytes.
        let short: String = name.chars().take(40).collect();
        let schema = format!("thd_s_{short}_{}", std::process::id());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        )))
        .execute(&mut conn)
        .await
        .expect("create the test schema");
        let join = if url.contains('?') { '&' } else { '?' };
        Some(Place {
            location: format!("{url}{join}options=-c%20search_path%3D{schema}"),
            backend: Backend::Postgres {
                url,
                schema,
                name: name.to_owned(),
            },
        })
    }

    /// Another new, empty database on the same backend (`suffix` tells it from the first on PostgreSQL).
    pub async fn another(&self, suffix: &str) -> Place {
        match &self.backend {
            Backend::Sqlite { .. } => Place::sqlite(),
            // The suffix first: the schema name keeps only the start of the test's name.
            Backend::Postgres { name, .. } => Place::postgres(&format!("{suffix}_{name}"))
                .await
                .expect("the first place was reachable"),
        }
    }

    pub async fn execute(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        on_connection!(self, |conn| {
            sqlx::raw_sql(sql)
                .execute(&mut conn)
                .await
                .expect("execute");
        })
    }

    /// The first column of what `sql` gives, which must be text (`CAST(... AS TEXT)` on both backends).
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        on_connection!(self, |conn| {
            sqlx::query_scalar(sql)
                .fetch_all(&mut conn)
                .await
                .expect("query")
        })
    }

    /// Every table of the database (SQLite) or of the test's schema (PostgreSQL), by name.
    pub async fn tables(&self) -> Vec<String> {
        self.strings(match self.backend {
            Backend::Sqlite { .. } => {
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            }
            Backend::Postgres { .. } => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() ORDER BY 1"
            }
        })
        .await
    }

    /// Takes the catalogue's write lock in a transaction of the test's own.
    pub async fn hold_writes(&self) -> HeldWrites {
        match &self.backend {
            Backend::Sqlite { path, .. } => {
                let mut conn = SqliteConnection::connect(&format!("sqlite://{path}"))
                    .await
                    .expect("connect");
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut conn)
                    .await
                    .expect("write lock");
                HeldWrites::Sqlite(conn)
            }
            Backend::Postgres { .. } => {
                let mut conn = PgConnection::connect(&self.location)
                    .await
                    .expect("connect");
                sqlx::raw_sql("BEGIN; LOCK TABLE svc_body IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut conn)
                    .await
                    .expect("table lock");
                HeldWrites::Postgres(conn)
            }
        }
    }

    /// Drops the schema of a PostgreSQL test (left in place when the test fails, to look at).
    pub async fn finish(self) {
        if let Backend::Postgres { url, schema, .. } = &self.backend {
            let mut conn = PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop the test schema");
        }
    }
}
