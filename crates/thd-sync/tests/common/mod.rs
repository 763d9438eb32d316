//! The test fixtures: a fresh store location on each backend, a snapshot of every `sync_*` row to prove that a
//! refused write wrote nothing, builders of commands, and a way to drive a subject to any state through the
//! transition table.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use thd_sync::{Actor, Command, Lift, State, Subject, SyncStore, TransitionRequest};

/// The test database when `THD_TEST_PG` is not set.
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/thd_test";

/// A new, empty store location on one backend, with direct access to look behind the store.
pub struct Place {
    /// What `SyncStore::open` is given.
    pub location: String,
    backend: PlaceBackend,
}

enum PlaceBackend {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { url: String, schema: String },
}

impl Place {
    /// A delivery store file (made by thd-store, so the sync tables are tested beside its tables).
    pub async fn sqlite() -> Place {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = dir.path().join("store.gpkg").to_string_lossy().into_owned();
        thd_store::Store::open(&location)
            .await
            .expect("delivery store")
            .close()
            .await;
        Place {
            location,
            backend: PlaceBackend::Sqlite { _dir: dir },
        }
    }

    /// A schema of its own for test `name`; `None` (with the reason printed) only when the database is
    /// unreachable and `THD_SKIP_PG=1`.
    pub async fn postgres(name: &str) -> Option<Place> {
        let url = std::env::var("THD_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
        let mut conn = match PgConnection::connect(&url).await {
            Ok(conn) => conn,
            Err(e) if std::env::var("THD_SKIP_PG").as_deref() == Ok("1") => {
                println!("skipped on PostgreSQL: {url} is unreachable ({e}) and THD_SKIP_PG=1");
                return None;
            }
            Err(e) => panic!(
                "the PostgreSQL sync tests need the database {url} ({e}): run scripts/setup.sh with \
                 PostgreSQL running, point THD_TEST_PG at another database, or set THD_SKIP_PG=1 to skip them"
            ),
        };
        // Unique per test and per process; PostgreSQL names are at most 63 bytes.
        let short: String = name.chars().take(40).collect();
        let schema = format!("sync_t_{short}_{}", std::process::id());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        )))
        .execute(&mut conn)
        .await
        .expect("create the test schema");
        let join = if url.contains('?') { '&' } else { '?' };
        Some(Place {
            location: format!("{url}{join}options=-c%20search_path%3D{schema}"),
            backend: PlaceBackend::Postgres { url, schema },
        })
    }

    pub async fn open(&self) -> SyncStore {
        SyncStore::open(&self.location)
            .await
            .expect("open the sync store")
    }

    /// Runs `sql` on a connection of its own, outside the sync store.
    pub async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.backend {
            PlaceBackend::Sqlite { .. } => {
                let mut conn =
                    SqliteConnection::connect(&format!("sqlite://{}", self.location)).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await.map(drop)
            }
            PlaceBackend::Postgres { .. } => {
                let mut conn = PgConnection::connect(&self.location).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await.map(drop)
            }
        }
    }

    /// Every row of every `sync_*` table, each as its columns' text joined by `|`, sorted: equal snapshots
    /// mean nothing was written.
    pub async fn snapshot(&self) -> BTreeMap<String, Vec<String>> {
        match &self.backend {
            PlaceBackend::Sqlite { .. } => {
                let mut conn = SqliteConnection::connect(&format!("sqlite://{}", self.location))
                    .await
                    .expect("connect");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'sync\\_%' ESCAPE '\\' \
                     ORDER BY name",
                )
                .fetch_all(&mut conn)
                .await
                .expect("tables");
                let mut out = BTreeMap::new();
                for table in tables {
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                            .bind(&table)
                            .fetch_all(&mut conn)
                            .await
                            .expect("columns");
                    let rows: Vec<String> =
                        sqlx::query_scalar(sqlx::AssertSqlSafe(dump(&table, &columns)))
                            .fetch_all(&mut conn)
                            .await
                            .expect("rows");
                    out.insert(table, rows);
                }
                out
            }
            PlaceBackend::Postgres { schema, .. } => {
                let mut conn = PgConnection::connect(&self.location)
                    .await
                    .expect("connect");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = $1 AND table_name LIKE 'sync\\_%' ORDER BY 1",
                )
                .bind(schema)
                .fetch_all(&mut conn)
                .await
                .expect("tables");
                let mut out = BTreeMap::new();
                for table in tables {
                    let columns: Vec<String> = sqlx::query_scalar(
                        "SELECT column_name::text FROM information_schema.columns \
                         WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                    )
                    .bind(schema)
                    .bind(&table)
                    .fetch_all(&mut conn)
                    .await
                    .expect("columns");
                    let rows: Vec<String> =
                        sqlx::query_scalar(sqlx::AssertSqlSafe(dump(&table, &columns)))
                            .fetch_all(&mut conn)
                            .await
                            .expect("rows");
                    out.insert(table, rows);
                }
                out
            }
        }
    }

    /// Drops the schema of a PostgreSQL test (left in place when the test fails, to look at).
    pub async fn finish(self) {
        if let PlaceBackend::Postgres { url, schema } = &self.backend {
            let mut conn = PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop the test schema");
        }
    }
}

/// A query giving each row of `table` as one text, the same SQL on both backends.
fn dump(table: &str, columns: &[String]) -> String {
    let cells: Vec<String> = columns
        .iter()
        .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), 'NULL')"))
        .collect();
    format!(
        "SELECT {} FROM \"{table}\" ORDER BY 1",
        cells.join(" || '|' || ")
    )
}

/// `minutes` after 2025-03-01 08:00 UTC.
pub fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_740_816_000, 0).expect("time") + Duration::minutes(minutes)
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

pub fn actor(organisation: &str) -> Actor {
    Actor {
        organisation: organisation.to_owned(),
        token_id: format!("{organisation}-token-1"),
    }
}

/// A request to move to `to` with a valid payload: two reservations, one reason, a date.
pub fn valid(to: State) -> TransitionRequest {
    let mut request = TransitionRequest::to(to);
    match to {
        State::AcceptedWithReservations => {
            request.reservations = vec![
                thd_sync::NewReservation {
                    object_code: "BP-22-0001".into(),
                    reason: "label missing on the box".into(),
                    due_on: date("2025-06-30"),
                },
                thd_sync::NewReservation {
                    object_code: "CB-22-0107".into(),
                    reason: "cable slack not coiled in chamber".into(),
                    due_on: date("2025-07-15"),
                },
            ]
        }
        State::Rejected => {
            request.reasons = vec!["splice losses above the contract's limit".into()]
        }
        State::InOperation => request.date = Some(date("2025-09-01")),
        _ => {}
    }
    request
}

pub fn command(
    subject: &Subject,
    expected_version: i64,
    transition: TransitionRequest,
    key: &str,
    minutes: i64,
) -> Command {
    Command {
        subject: subject.clone(),
        expected_version,
        transition,
        actor: actor("delegatee"),
        idempotency_key: key.to_owned(),
        at: at(minutes),
    }
}

pub fn lift(
    subject: &Subject,
    reservation: i64,
    expected_version: i64,
    key: &str,
    minutes: i64,
) -> Lift {
    Lift {
        subject: subject.clone(),
        reservation,
        expected_version,
        actor: actor("delegatee"),
        idempotency_key: key.to_owned(),
        at: at(minutes),
    }
}

/// The shortest way from `received` to `target` through the transition table (breadth first), as the
/// states entered in order.
pub fn path_to(target: State) -> Vec<State> {
    let mut previous: BTreeMap<State, State> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([State::Received]);
    while let Some(state) = queue.pop_front() {
        for step in state.steps() {
            if step.to != State::Received && !previous.contains_key(&step.to) {
                previous.insert(step.to, state);
                queue.push_back(step.to);
            }
        }
    }
    let mut path = vec![target];
    while let Some(&before) = path.last().and_then(|s| previous.get(s)) {
        path.push(before);
    }
    path.pop(); // received, where a registered subject already is
    path.reverse();
    path
}

/// Registers `subject` and drives it along `path` with valid payloads, lifting every reservation before a
/// guarded step; returns its version.
pub async fn drive(store: &SyncStore, subject: &Subject, path: &[State]) -> i64 {
    store
        .register(subject, at(0), &actor("operator"))
        .await
        .expect("register");
    let mut version = 1;
    for (i, &to) in path.iter().enumerate() {
        let minutes = i as i64 + 1;
        if to == State::ReservationsLifted {
            let status = store.subject(subject).await.expect("status");
            for r in status.reservations {
                let key = format!("drive-{subject}-lift-{}", r.number);
                version = store
                    .lift_reservation(&lift(subject, r.number, version, &key, minutes))
                    .await
                    .expect("lift")
                    .entry
                    .version;
            }
        }
        let key = format!("drive-{subject}-{i}");
        version = store
            .apply(&command(subject, version, valid(to), &key, minutes))
            .await
            .unwrap_or_else(|e| panic!("drive {subject} to {to}: {e}"))
            .entry
            .version;
    }
    version
}
