//! Keeping the catalogue in the same database as the delivery store (`thd-store`), on either of its backends:
//! a SQLite file (the default) or a PostgreSQL schema.
//!
//! The catalogue owns the `svc_*` tables of that database, created by its own embedded migrations and
//! versioned in its own one-row table `svc_schema_version`, so the two crates evolve their schemas
//! independently and neither needs the other. Tables whose `svc_schema_version` is newer than this build
//! knows are refused ([`ServicesError::NewerSchema`]) rather than misread.
//!
//! **Order of opening a new SQLite file.** `thd_store::Store::open` refuses a non-empty SQLite file without
//! its own schema table (so it does not write into someone else's database). On a new file, open the delivery
//! store first, then [`ServicesStore::open`]; on an existing store file either order works. PostgreSQL has no
//! such rule: the delivery store looks for its own table in the schema, not for an empty schema.
//!
//! # One SQL text, two pools
//!
//! As in `thd-access`: [`ServicesStore`] holds an enum of pools, and every query is written once with `$1`
//! placeholders, which both PostgreSQL and sqlx's SQLite driver bind by number; `on_pool!` runs the same text
//! on whichever pool is open, with each backend's own codecs. What differs is gathered in one [`Dialect`] per
//! backend: the DDL, how transactions begin and lock, and the column that keeps import order (SQLite's
//! `rowid`, PostgreSQL's identity column `seq`).
//!
//! # All-or-nothing imports
//!
//! Every seed and import is one write transaction that reads the catalogue back, validates the CSV against
//! it in full and only then writes. Any problem — a bad row or a database error — rolls everything back, so a
//! failed import leaves the store exactly as it was. Two imports at once must not both validate against the
//! catalogue as it was before either: on SQLite `BEGIN IMMEDIATE` takes the file's write lock before the
//! read; on PostgreSQL the transaction first locks the six tables in `SHARE ROW EXCLUSIVE` mode, which one
//! transaction at a time may hold while plain reads go on. The second import then sees what the first stored
//! — a body id already there is a duplicate — instead of inserting beside it and having its clashing rows
//! silently skipped by `ON CONFLICT DO NOTHING`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use crate::catalogue::Catalogue;
use crate::codes::Siren;
use crate::csv_io;
use crate::error::ServicesError;
use crate::model::{
    Body, BodyId, BodyKind, Category, FundingBand, Indicator, IndicatorId, Offer, Service,
    ServiceId, Subscription, UsageFigure,
};

/// The schema version of the `svc_*` tables this build writes: the number of migrations.
pub const SCHEMA_VERSION: i64 = SQLITE.migrations.len() as i64;

/// How long a statement waits for another process's lock on a SQLite file before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections per pool: the CLI runs one operation at a time, a server a few.
const MAX_CONNECTIONS: u32 = 4;

/// The reads of the whole catalogue, each in import order. Only the ordering column differs between the
/// backends, so the texts are built from one template per table by [`reads_ordered_by`].
struct Reads {
    services: &'static str,
    indicators: &'static str,
    bands: &'static str,
    bodies: &'static str,
    subscriptions: &'static str,
    usage: &'static str,
}

/// The [`Reads`] of a backend whose import order is given by the column `$order`.
macro_rules! reads_ordered_by {
    ($order:literal) => {
        Reads {
            services: concat!(
                "SELECT id, name, name_fr, category, offer, since, description FROM svc_service ORDER BY ",
                $order
            ),
            indicators: concat!(
                "SELECT id, service_id, label_en, label_fr FROM svc_indicator ORDER BY ",
                $order
            ),
            bands: concat!(
                "SELECT tariff_from, tariff_to, min_population, max_population, annual_eur, label, published \
                 FROM svc_funding_band ORDER BY ",
                $order
            ),
            bodies: concat!(
                "SELECT id, kind, name, insee, siren, epci_id, population, sample FROM svc_body ORDER BY ",
                $order
            ),
            subscriptions: concat!(
                "SELECT body_id, service_id, since FROM svc_subscription ORDER BY ",
                $order
            ),
            usage: concat!(
                "SELECT indicator_id, year, value FROM svc_usage ORDER BY ",
                $order
            ),
        }
    };
}

/// What differs between the backends.
struct Dialect {
    /// Starts a transaction that writes (a migration, a seed, an import).
    begin_write: &'static str,
    /// Starts a transaction that only reads, so that the six tables are read as of one moment.
    begin_read: &'static str,
    /// Run first in a migration's transaction, to keep two processes from migrating at once (SQLite's
    /// `BEGIN IMMEDIATE` already takes the file's write lock).
    migration_lock: Option<&'static str>,
    /// Run first in a seed's or an import's transaction, before the catalogue is read back (see the module
    /// documentation; `BEGIN IMMEDIATE` again does it on SQLite).
    write_lock: Option<&'static str>,
    /// Gives 1 when `svc_schema_version` exists where the tables are created, 0 otherwise.
    version_table_exists: &'static str,
    /// The migrations, in order.
    migrations: &'static [&'static str],
    reads: Reads,
}

const SQLITE: Dialect = Dialect {
    begin_write: "BEGIN IMMEDIATE",
    // In WAL mode a deferred transaction reads from one snapshot, taken at its first read.
    begin_read: "BEGIN",
    migration_lock: None,
    write_lock: None,
    version_table_exists: "SELECT COUNT(*) FROM sqlite_master \
                           WHERE type = 'table' AND name = 'svc_schema_version'",
    migrations: &[include_str!("../migrations/sqlite/0001_services.sql")],
    reads: reads_ordered_by!("rowid"),
};

const POSTGRES: Dialect = Dialect {
    begin_write: "BEGIN",
    // Read committed would take a new snapshot per statement, so that an import committed between two reads
    // could give subscriptions of bodies not read.
    begin_read: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    // One lock per schema, so that stores in other schemas of the same database do not wait for each other.
    migration_lock: Some(
        "SELECT pg_advisory_xact_lock(hashtext('thd-services:' || current_schema()))",
    ),
    write_lock: Some(
        "LOCK TABLE svc_service, svc_indicator, svc_funding_band, svc_body, svc_subscription, svc_usage \
         IN SHARE ROW EXCLUSIVE MODE",
    ),
    version_table_exists: "SELECT COUNT(*) FROM information_schema.tables \
                           WHERE table_schema = current_schema() AND table_name = 'svc_schema_version'",
    migrations: &[include_str!("../migrations/postgres/0001_services.sql")],
    reads: reads_ordered_by!("seq"),
};

// Both backends stand at the same schema version: a migration added to one is added to the other.
const _: () = assert!(SQLITE.migrations.len() == POSTGRES.migrations.len());

/// Runs `$body` with `$pool` bound to the open pool, whichever backend it is: the body is compiled once per
/// backend, with that backend's types.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// Reads every `svc_*` row through `$conn` (a transaction on either backend) into [`StoredRows`], failing
/// the enclosing function on a database error. A macro rather than a function so that, used inside
/// `on_pool!`, it is compiled with each backend's connection and codecs.
macro_rules! read_rows {
    ($store:expr, $conn:expr, $reads:expr) => {
        StoredRows {
            services: sqlx::query_as($reads.services)
                .fetch_all(&mut *$conn)
                .await
                .map_err($store.db())?,
            indicators: sqlx::query_as($reads.indicators)
                .fetch_all(&mut *$conn)
                .await
                .map_err($store.db())?,
            bands: sqlx::query_as($reads.bands)
                .fetch_all(&mut *$conn)
                .await
                .map_err($store.db())?,
            bodies: sqlx::query_as($reads.bodies)
                .fetch_all(&mut *$conn)
                .await
                .map_err($store.db())?,
            subscriptions: sqlx::query_as($reads.subscriptions)
                .fetch_all(&mut *$conn)
                .await
                .map_err($store.db())?,
            usage: sqlx::query_as($reads.usage)
                .fetch_all(&mut *$conn)
                .await
                .map_err($store.db())?,
        }
    };
}

type ServiceRow = (String, String, String, String, String, Option<i64>, String);
type IndicatorRow = (String, Option<String>, String, String);
type BandRow = (i64, i64, i64, Option<i64>, i64, String, bool);
type BodyRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    bool,
);
type SubscriptionRow = (String, String, Option<i64>);
type UsageRow = (String, i64, i64);

/// The `svc_*` rows as read, before they are checked and made into a [`Catalogue`].
struct StoredRows {
    services: Vec<ServiceRow>,
    indicators: Vec<IndicatorRow>,
    bands: Vec<BandRow>,
    bodies: Vec<BodyRow>,
    subscriptions: Vec<SubscriptionRow>,
    usage: Vec<UsageRow>,
}

/// What one write transaction adds, in the order it is inserted (which is the order it is read back in).
#[derive(Default)]
struct Batch {
    services: Vec<Service>,
    indicators: Vec<Indicator>,
    bands: Vec<FundingBand>,
    bodies: Vec<Body>,
    subscriptions: Vec<Subscription>,
    usage: Vec<UsageFigure>,
}

impl Batch {
    /// Every row of `catalogue`.
    fn all_of(catalogue: &Catalogue) -> Batch {
        Batch {
            services: catalogue.services().cloned().collect(),
            indicators: catalogue.indicators().cloned().collect(),
            bands: catalogue.funding_bands().to_vec(),
            bodies: catalogue.bodies().cloned().collect(),
            subscriptions: catalogue.subscriptions().to_vec(),
            usage: catalogue.usage_figures().to_vec(),
        }
    }
}

/// How many rows of each kind a store holds (or an operation wrote).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub services: u64,
    pub indicators: u64,
    pub funding_bands: u64,
    pub bodies: u64,
    pub subscriptions: u64,
    pub usage: u64,
}

/// The catalogue's tables in the store's database.
#[derive(Debug, Clone)]
pub struct ServicesStore {
    pool: Pool,
    /// The file path, or the URL without its password, for messages.
    location: String,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl ServicesStore {
    /// Opens the catalogue's tables at `location` — a SQLite file path, `sqlite://PATH`, or a `postgres://` /
    /// `postgresql://` URL (the tables live in the connection's current schema) — creating the file if
    /// missing and applying the migrations the tables lack. Tables written by a newer engine are refused
    /// ([`ServicesError::NewerSchema`]), another `scheme://` with [`ServicesError::UnsupportedUrl`].
    pub async fn open(location: &str) -> Result<Self, ServicesError> {
        let store = if location.starts_with("postgres://") || location.starts_with("postgresql://")
        {
            Self::connect_postgres(location).await?
        } else if let Some(path) = location.strip_prefix("sqlite://") {
            Self::connect_sqlite(Path::new(path)).await?
        } else if location.contains("://") {
            return Err(ServicesError::UnsupportedUrl(location.to_owned()));
        } else {
            Self::connect_sqlite(Path::new(location)).await?
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn connect_sqlite(path: &Path) -> Result<Self, ServicesError> {
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
            .map_err(|source| ServicesError::Database {
                location: location.clone(),
                source,
            })?;
        Ok(ServicesStore {
            pool: Pool::Sqlite(pool),
            location,
        })
    }

    async fn connect_postgres(url: &str) -> Result<Self, ServicesError> {
        let location = redact(url);
        let db = |source| ServicesError::Database {
            location: location.clone(),
            source,
        };
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(ServicesStore {
            pool: Pool::Postgres(pool),
            location,
        })
    }

    fn dialect(&self) -> &'static Dialect {
        match self.pool {
            Pool::Sqlite(_) => &SQLITE,
            Pool::Postgres(_) => &POSTGRES,
        }
    }

    fn db(&self) -> impl Fn(sqlx::Error) -> ServicesError + '_ {
        |source| ServicesError::Database {
            location: self.location.clone(),
            source,
        }
    }

    fn corrupt(&self, detail: String) -> ServicesError {
        ServicesError::Corrupt {
            location: self.location.clone(),
            detail,
        }
    }

    /// Creates or upgrades the `svc_*` tables in one transaction that holds the database's (SQLite) or the
    /// schema's (PostgreSQL) migration lock, so two processes opening a new database at once do not both
    /// create them.
    async fn migrate(&self) -> Result<(), ServicesError> {
        let dialect = self.dialect();
        on_pool!(self, |pool| {
            let mut conn = pool.acquire().await.map_err(self.db())?;
            let mut tx = Connection::begin_with(&mut *conn, dialect.begin_write)
                .await
                .map_err(self.db())?;
            if let Some(lock) = dialect.migration_lock {
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
                // BIGINT so that PostgreSQL gives the 64-bit integer read back (SQLite's INTEGER is 64-bit
                // whatever the declared type).
                sqlx::raw_sql(
                    "CREATE TABLE svc_schema_version (version BIGINT NOT NULL);
                     INSERT INTO svc_schema_version VALUES (0);",
                )
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
                0
            } else {
                sqlx::query_scalar("SELECT version FROM svc_schema_version")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(self.db())?
            };
            if applied > SCHEMA_VERSION {
                return Err(ServicesError::NewerSchema {
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
                sqlx::query("UPDATE svc_schema_version SET version = $1")
                    .bind(done as i64 + 1)
                    .execute(&mut *tx)
                    .await
                    .map_err(self.db())?;
            }
            tx.commit().await.map_err(self.db())
        })
    }

    /// The whole catalogue the store holds, as of one moment.
    pub async fn catalogue(&self) -> Result<Catalogue, ServicesError> {
        let dialect = self.dialect();
        let rows = on_pool!(self, |pool| {
            let mut conn = pool.acquire().await.map_err(self.db())?;
            let mut tx = Connection::begin_with(&mut *conn, dialect.begin_read)
                .await
                .map_err(self.db())?;
            let rows = read_rows!(self, tx, dialect.reads);
            tx.commit().await.map_err(self.db())?;
            rows
        });
        self.assemble(rows)
    }

    /// How many rows of each kind the store holds, as of one moment.
    pub async fn counts(&self) -> Result<Counts, ServicesError> {
        const QUERIES: [&str; 6] = [
            "SELECT COUNT(*) FROM svc_service",
            "SELECT COUNT(*) FROM svc_indicator",
            "SELECT COUNT(*) FROM svc_funding_band",
            "SELECT COUNT(*) FROM svc_body",
            "SELECT COUNT(*) FROM svc_subscription",
            "SELECT COUNT(*) FROM svc_usage",
        ];
        let dialect = self.dialect();
        let mut n = [0i64; 6];
        on_pool!(self, |pool| {
            let mut conn = pool.acquire().await.map_err(self.db())?;
            let mut tx = Connection::begin_with(&mut *conn, dialect.begin_read)
                .await
                .map_err(self.db())?;
            for (slot, sql) in n.iter_mut().zip(QUERIES) {
                *slot = sqlx::query_scalar(sql)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(self.db())?;
            }
            tx.commit().await.map_err(self.db())?;
        });
        let count = |i: usize| {
            u64::try_from(n[i]).map_err(|_| self.corrupt(format!("{} gave {}", QUERIES[i], n[i])))
        };
        Ok(Counts {
            services: count(0)?,
            indicators: count(1)?,
            funding_bands: count(2)?,
            bodies: count(3)?,
            subscriptions: count(4)?,
            usage: count(5)?,
        })
    }

    /// Writes what the store lacks of `catalogue` — rows whose key is already stored are kept as they are —
    /// in one transaction, and says how many rows of each kind were added. Seeding with
    /// [`Catalogue::shipped`] gives a new store the shipped catalogue; with [`Catalogue::reference`] only the
    /// services, indicators and funding bands. Running it again adds nothing.
    pub async fn seed(&self, catalogue: &Catalogue) -> Result<Counts, ServicesError> {
        self.write(|_stored| Ok(Batch::all_of(catalogue))).await
    }

    /// Gives a store without any service the shipped catalogue ([`Catalogue::shipped`]) and says what was
    /// added; a store that has services is left alone (`None`), even if they are not the shipped ones. The
    /// check and the write are one transaction, so two processes opening a new store at once seed it once.
    pub async fn seed_shipped_if_empty(&self) -> Result<Option<Counts>, ServicesError> {
        let shipped = Catalogue::shipped()?;
        let mut empty = false;
        let added = self
            .write(|stored| {
                empty = stored.services().next().is_none();
                Ok(if empty {
                    Batch::all_of(&shipped)
                } else {
                    Batch::default()
                })
            })
            .await?;
        Ok(empty.then_some(added))
    }

    /// Imports a bodies CSV file (columns [`csv_io::BODY_COLUMNS`]) checked against the stored catalogue:
    /// all rows or, on any problem, none ([`ServicesError::InvalidCsv`] lists them all). Returns how many.
    pub async fn import_bodies(&self, bytes: &[u8], file: &str) -> Result<u64, ServicesError> {
        let added = self
            .write(|stored| {
                Ok(Batch {
                    bodies: csv_io::read_bodies(bytes, file, stored)
                        .map_err(ServicesError::InvalidCsv)?,
                    ..Batch::default()
                })
            })
            .await?;
        Ok(added.bodies)
    }

    /// Imports a subscriptions CSV file (columns [`csv_io::SUBSCRIPTION_COLUMNS`]); bodies and services must be
    /// in the store. All or nothing, like [`ServicesStore::import_bodies`].
    pub async fn import_subscriptions(
        &self,
        bytes: &[u8],
        file: &str,
    ) -> Result<u64, ServicesError> {
        let added = self
            .write(|stored| {
                Ok(Batch {
                    subscriptions: csv_io::read_subscriptions(bytes, file, stored)
                        .map_err(ServicesError::InvalidCsv)?,
                    ..Batch::default()
                })
            })
            .await?;
        Ok(added.subscriptions)
    }

    /// Imports a usage CSV file (columns [`csv_io::USAGE_COLUMNS`]); indicators must be in the store, and a
    /// year already stored for an indicator is a duplicate. All or nothing.
    pub async fn import_usage(&self, bytes: &[u8], file: &str) -> Result<u64, ServicesError> {
        let added = self
            .write(|stored| {
                Ok(Batch {
                    usage: csv_io::read_usage(bytes, file, stored)
                        .map_err(ServicesError::InvalidCsv)?,
                    ..Batch::default()
                })
            })
            .await?;
        Ok(added.usage)
    }

    /// Closes the connections.
    pub async fn close(self) {
        on_pool!(self, |pool| pool.close().await)
    }

    /// The one write path: in a write transaction that holds the backend's write lock, reads the stored
    /// catalogue, asks `batch` what to add given it (an error rolls everything back), inserts that — rows
    /// whose key is already stored are skipped — and commits. Returns how many rows of each kind were added.
    /// A seed reads the catalogue without needing it: one read of a few thousand rows, once per store, for a
    /// single write path.
    async fn write(
        &self,
        batch: impl FnOnce(&Catalogue) -> Result<Batch, ServicesError>,
    ) -> Result<Counts, ServicesError> {
        let dialect = self.dialect();
        on_pool!(self, |pool| {
            let mut conn = pool.acquire().await.map_err(self.db())?;
            let mut tx = Connection::begin_with(&mut *conn, dialect.begin_write)
                .await
                .map_err(self.db())?;
            if let Some(lock) = dialect.write_lock {
                sqlx::query(lock)
                    .execute(&mut *tx)
                    .await
                    .map_err(self.db())?;
            }
            let stored = self.assemble(read_rows!(self, tx, dialect.reads))?;
            let batch = match batch(&stored) {
                Ok(batch) => batch,
                Err(refused) => {
                    // Explicitly, so that PostgreSQL's table locks go at once rather than when the pool
                    // next touches the connection.
                    tx.rollback().await.map_err(self.db())?;
                    return Err(refused);
                }
            };
            let mut added = Counts::default();
            for s in &batch.services {
                added.services += sqlx::query(
                    "INSERT INTO svc_service (id, name, name_fr, category, offer, since, description) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                )
                .bind(s.id.as_str())
                .bind(&s.name)
                .bind(&s.name_fr)
                .bind(s.category.as_str())
                .bind(s.offer.as_str())
                .bind(s.since.map(i64::from))
                .bind(&s.description)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?
                .rows_affected();
            }
            for i in &batch.indicators {
                added.indicators += sqlx::query(
                    "INSERT INTO svc_indicator (id, service_id, label_en, label_fr) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(i.id.as_str())
                .bind(i.service.as_ref().map(ServiceId::as_str))
                .bind(&i.label_en)
                .bind(&i.label_fr)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?
                .rows_affected();
            }
            for b in &batch.bands {
                added.funding_bands += sqlx::query(
                    "INSERT INTO svc_funding_band \
                     (tariff_from, tariff_to, min_population, max_population, annual_eur, label, published) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
                )
                .bind(i64::from(b.tariff_from))
                .bind(i64::from(b.tariff_to))
                .bind(self.to_i64(b.min_population)?)
                .bind(b.max_population.map(|m| self.to_i64(m)).transpose()?)
                .bind(self.to_i64(b.annual_eur)?)
                .bind(&b.label)
                .bind(b.published)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?
                .rows_affected();
            }
            for b in &batch.bodies {
                added.bodies += sqlx::query(
                    "INSERT INTO svc_body (id, kind, name, insee, siren, epci_id, population, sample) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                )
                .bind(b.id.as_str())
                .bind(b.kind.as_str())
                .bind(&b.name)
                .bind(b.insee.as_deref())
                .bind(b.siren.as_ref().map(Siren::as_str))
                .bind(b.epci.as_ref().map(BodyId::as_str))
                .bind(b.population.map(|p| self.to_i64(p)).transpose()?)
                .bind(b.sample)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?
                .rows_affected();
            }
            for s in &batch.subscriptions {
                added.subscriptions += sqlx::query(
                    "INSERT INTO svc_subscription (body_id, service_id, since) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(s.body.as_str())
                .bind(s.service.as_str())
                .bind(s.since.map(i64::from))
                .execute(&mut *tx)
                .await
                .map_err(self.db())?
                .rows_affected();
            }
            for u in &batch.usage {
                added.usage += sqlx::query(
                    "INSERT INTO svc_usage (indicator_id, year, value) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(u.indicator.as_str())
                .bind(i64::from(u.year))
                .bind(self.to_i64(u.value)?)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?
                .rows_affected();
            }
            tx.commit().await.map_err(self.db())?;
            Ok(added)
        })
    }

    /// Checks the rows read and makes them into a catalogue; a value the engine would not have written is
    /// [`ServicesError::Corrupt`].
    fn assemble(&self, rows: StoredRows) -> Result<Catalogue, ServicesError> {
        let mut cat = Catalogue::new();
        let corrupt = |table: &str, what: &str, value: &dyn std::fmt::Debug| {
            self.corrupt(format!("{table}: {what} {value:?}"))
        };
        let year = |table: &str, y: i64| u16::try_from(y).map_err(|_| corrupt(table, "year", &y));
        let count =
            |table: &str, n: i64| u64::try_from(n).map_err(|_| corrupt(table, "number", &n));

        let mut services = Vec::with_capacity(rows.services.len());
        for (id, name, name_fr, category, offer, since, description) in rows.services {
            services.push(Service {
                category: Category::parse(&category)
                    .ok_or_else(|| corrupt("svc_service", "category", &category))?,
                offer: Offer::parse(&offer)
                    .ok_or_else(|| corrupt("svc_service", "offer", &offer))?,
                since: since.map(|y| year("svc_service", y)).transpose()?,
                id: ServiceId::new(id),
                name,
                name_fr,
                description,
            });
        }
        cat.add_services(services);

        cat.add_indicators(
            rows.indicators
                .into_iter()
                .map(|(id, service, label_en, label_fr)| Indicator {
                    id: IndicatorId::new(id),
                    service: service.map(ServiceId::new),
                    label_en,
                    label_fr,
                }),
        );

        let mut bands = Vec::with_capacity(rows.bands.len());
        for (from, to, min, max, eur, label, published) in rows.bands {
            bands.push(FundingBand {
                tariff_from: year("svc_funding_band", from)?,
                tariff_to: year("svc_funding_band", to)?,
                min_population: count("svc_funding_band", min)?,
                max_population: max.map(|m| count("svc_funding_band", m)).transpose()?,
                annual_eur: count("svc_funding_band", eur)?,
                label,
                published,
            });
        }
        cat.add_bands(bands);

        let mut bodies = Vec::with_capacity(rows.bodies.len());
        for (id, kind, name, insee, siren, epci, population, sample) in rows.bodies {
            bodies.push(Body {
                kind: BodyKind::parse(&kind).ok_or_else(|| corrupt("svc_body", "kind", &kind))?,
                siren: match siren {
                    Some(s) => {
                        Some(Siren::parse(&s).ok_or_else(|| corrupt("svc_body", "SIREN", &s))?)
                    }
                    None => None,
                },
                population: population.map(|p| count("svc_body", p)).transpose()?,
                id: BodyId::new(id),
                name,
                insee,
                epci: epci.map(BodyId::new),
                sample,
            });
        }
        cat.add_bodies(bodies);

        let mut subscriptions = Vec::with_capacity(rows.subscriptions.len());
        for (body, service, since) in rows.subscriptions {
            subscriptions.push(Subscription {
                body: BodyId::new(body),
                service: ServiceId::new(service),
                since: since.map(|y| year("svc_subscription", y)).transpose()?,
            });
        }
        cat.add_subscriptions(subscriptions);

        let mut usage = Vec::with_capacity(rows.usage.len());
        for (indicator, y, value) in rows.usage {
            usage.push(UsageFigure {
                indicator: IndicatorId::new(indicator),
                year: year("svc_usage", y)?,
                value: count("svc_usage", value)?,
            });
        }
        cat.add_usage(usage);
        Ok(cat)
    }

    /// Both backends store signed 64-bit integers; the CSV readers already cap numbers at `i64::MAX`, so this
    /// only fails on a catalogue built by hand with a larger value.
    fn to_i64(&self, n: u64) -> Result<i64, ServicesError> {
        i64::try_from(n).map_err(|_| self.corrupt(format!("{n} is too large to store")))
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
