//! A new, empty database on one backend for one test, with the direct access the tests need to look behind
//! the library: read every access row, read a stored hash, change the schema version.

use std::collections::BTreeMap;

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;

/// The test database when `THD_TEST_PG` is not set.
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/thd_test";

pub struct Place {
    /// What `AccessStore::open` is given.
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
    },
}

/// Runs `$body` with `$conn` a new connection to the place's database, whichever backend it is.
macro_rules! on_connection {
    ($place:expr, |$conn:ident| $body:expr) => {
        match &$place.backend {
            Backend::Sqlite { path, .. } => {
                let mut $conn = SqliteConnection::connect(&format!("sqlite://{path}"))
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

/// The rows of one table, in key order, as text.
type Rows = Vec<String>;

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
                "the PostgreSQL access tests need the database {url} ({e}): run scripts/setup.sh with \
                 PostgreSQL running, point THD_TEST_PG at another database, or set THD_SKIP_PG=1 to skip them"
            ),
        };
        // Unique per test and per process; PostgreSQL names are at most 63 bytes.
        let short: String = name.chars().take(40).collect();
        let schema = format!("thd_a_{short}_{}", std::process::id());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        )))
        .execute(&mut conn)
        .await
        .expect("create the test schema");
        let join = if url.contains('?') { '&' } else { '?' };
        Some(Place {
            // `public` after the test's schema, for PostGIS, which the delivery store needs.
            location: format!("{url}{join}options=-c%20search_path%3D{schema}%2Cpublic"),
            backend: Backend::Postgres { url, schema },
        })
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

    /// Every row of every `access*` table, by table; a table the tests do not know fails, so that a new one
    /// is added here and its rows are compared too.
    pub async fn snapshot(&self) -> BTreeMap<String, Rows> {
        let list = match self.backend {
            Backend::Sqlite { .. } => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'access%' ORDER BY name"
            }
            Backend::Postgres { .. } => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name LIKE 'access%' ORDER BY 1"
            }
        };
        on_connection!(self, |conn| {
            let tables: Vec<String> = sqlx::query_scalar(list)
                .fetch_all(&mut conn)
                .await
                .expect("tables");
            let mut out = BTreeMap::new();
            for table in tables {
                let rows: Rows = match table.as_str() {
                    "access_schema_version" => {
                        let rows: Vec<(i64,)> =
                            sqlx::query_as("SELECT version FROM access_schema_version")
                                .fetch_all(&mut conn)
                                .await
                                .expect("rows");
                        rows.iter().map(|r| format!("{r:?}")).collect()
                    }
                    "access_organisation" => {
                        let rows: Vec<(i64, String, String)> = sqlx::query_as(
                            "SELECT id, name, created_at FROM access_organisation ORDER BY id",
                        )
                        .fetch_all(&mut conn)
                        .await
                        .expect("rows");
                        rows.iter().map(|r| format!("{r:?}")).collect()
                    }
                    "access_grant" => {
                        let rows: Vec<(i64, String, String)> = sqlx::query_as(
                            "SELECT org_id, pattern, created_at FROM access_grant ORDER BY org_id, pattern",
                        )
                        .fetch_all(&mut conn)
                        .await
                        .expect("rows");
                        rows.iter().map(|r| format!("{r:?}")).collect()
                    }
                    "access_token" => {
                        type Row = (
                            String,
                            i64,
                            String,
                            String,
                            Vec<u8>,
                            String,
                            Option<String>,
                            Option<String>,
                        );
                        let rows: Vec<Row> = sqlx::query_as(
                            "SELECT id, org_id, role, label, secret_sha256, created_at, last_used_at, \
                             revoked_at FROM access_token ORDER BY id",
                        )
                        .fetch_all(&mut conn)
                        .await
                        .expect("rows");
                        rows.iter().map(|r| format!("{r:?}")).collect()
                    }
                    "access_delivery_owner" => {
                        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                            "SELECT delivery_id, org_id, owned_since FROM access_delivery_owner \
                             ORDER BY delivery_id",
                        )
                        .fetch_all(&mut conn)
                        .await
                        .expect("rows");
                        rows.iter().map(|r| format!("{r:?}")).collect()
                    }
                    other => panic!("an access table the tests do not know: {other}"),
                };
                out.insert(table, rows);
            }
            out
        })
    }

    /// The stored `secret_sha256` of token `id`.
    pub async fn stored_hash(&self, id: &str) -> Vec<u8> {
        on_connection!(self, |conn| {
            sqlx::query_scalar("SELECT secret_sha256 FROM access_token WHERE id = $1")
                .bind(id)
                .fetch_one(&mut conn)
                .await
                .expect("token row")
        })
    }

    /// Drops the schema of a PostgreSQL test (left in place when the test fails, to look at).
    pub async fn finish(self) {
        if let Backend::Postgres { url, schema } = &self.backend {
            let mut conn = PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop the test schema");
        }
    }
}
