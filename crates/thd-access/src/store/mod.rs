//! The access tables (`access_*`) in the same database as the delivery store, on either of its backends.
//!
//! # One SQL text, two pools
//!
//! [`AccessStore`] holds an enum of pools, a SQLite one or a PostgreSQL one, and every query is written once,
//! with `$1` placeholders, which both PostgreSQL and sqlx's SQLite driver bind by number (SQLite reads `$1` as
//! a named parameter, and sqlx maps `$N` to the N-th argument). The `on_pool!` macro runs the same query text
//! against whichever pool is open, with each backend's own codecs. Only the DDL and the way a migration locks
//! the database differ ([`schema`]).
//!
//! Why not sqlx's `Any` driver, which also runs one text on both: its connections can only be configured by
//! URL, so the SQLite pool could not be given the WAL journal, foreign keys and busy timeout the delivery
//! store opens the same file with (a file path would also have to be made into a URL); it converts every
//! argument and row through its own value type, which costs on the one hot path, authentication; and it
//! decodes only a few types. The enum costs a `match` per query and nothing else.
//!
//! # Times
//!
//! Kept as text in one fixed UTC format with milliseconds (`2025-03-01T09:30:00.125Z`), like the store's
//! `imported_at`: the same on both backends, readable in any SQL client, and ordered as text. Values are
//! truncated to milliseconds before they are returned, so what a call returns equals what a later listing reads.

mod organisations;
mod schema;
mod tokens;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::error::AccessError;

pub use schema::SCHEMA_VERSION;

/// Runs `$body` with `$pool` bound to the open pool, whichever backend it is: the body is compiled once per
/// backend, with that backend's types.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}
use on_pool;

/// The access tables of one database.
#[derive(Debug, Clone)]
pub struct AccessStore {
    pool: Pool,
    /// The file path, or the URL without its password, for messages.
    location: String,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl AccessStore {
    fn db(&self) -> impl Fn(sqlx::Error) -> AccessError + '_ {
        |source| AccessError::Database {
            location: self.location.clone(),
            source,
        }
    }

    fn corrupt(&self, detail: String) -> AccessError {
        AccessError::Corrupt {
            location: self.location.clone(),
            detail,
        }
    }

    /// Reads a stored time back.
    fn time(&self, text: &str) -> Result<DateTime<Utc>, AccessError> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| self.corrupt(format!("time {text:?}: {e}")))
    }

    /// Closes the connections.
    pub async fn close(self) {
        on_pool!(self, |pool| pool.close().await)
    }
}

/// Now, to the millisecond (what is stored).
fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now()).trunc_subsecs(3)
}

/// A time as stored: fixed width, so that text order is time order.
fn stamp(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_times_are_fixed_width_and_read_back_exactly() {
        let t = Utc
            .with_ymd_and_hms(2025, 3, 1, 9, 5, 0)
            .single()
            .expect("valid date");
        assert_eq!(stamp(t), "2025-03-01T09:05:00.000Z");
        let n = now();
        assert_eq!(
            DateTime::parse_from_rfc3339(&stamp(n)).expect("parse"),
            n,
            "now() keeps no more precision than is stored"
        );
        assert!(stamp(t) < stamp(n));
    }
}
