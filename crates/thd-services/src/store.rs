//! Keeping the catalogue in the same SQLite file as the delivery store (`thd-store`).
//!
//! The catalogue owns the `svc_*` tables of that file, created by its own embedded migrations and versioned in
//! its own one-row table `svc_schema_version`, so the two crates evolve their schemas independently and
//! neither needs the other. A file whose `svc_schema_version` is newer than this build knows is refused
//! ([`ServicesError::NewerSchema`]) rather than misread.
//!
//! **Order of opening a new file.** `thd_store::Store::open` refuses a non-empty SQLite file without its own
//! schema table (so it does not write into someone else's database). On a new file, open the delivery store
//! first, then [`ServicesStore::open`]; on an existing store file either order works.
//!
//! Every import is one `BEGIN IMMEDIATE` transaction: the file is locked, the catalogue is read back inside the
//! transaction, the CSV is validated against it in full and only then written. Any problem — a bad row or a
//! database error — rolls everything back, so a failed import leaves the store exactly as it was.
//!
//! **Other backends.** The public functions speak of catalogues and CSV bytes, never of SQL, and all SQL of
//! the crate lives in this module as static strings. A PostgreSQL backend can therefore be added later behind
//! these same functions — as `thd_store::Store` plans it, by turning `ServicesStore` into one type over an
//! enum of backends chosen by [`ServicesStore::open`] from the location (`postgres://...`) — without
//! changing callers. It is not built yet.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};
use sqlx::{Connection, SqliteConnection};

use crate::catalogue::Catalogue;
use crate::codes::Siren;
use crate::csv_io;
use crate::error::ServicesError;
use crate::model::{
    Body, BodyId, BodyKind, Category, FundingBand, Indicator, IndicatorId, Offer, Service,
    ServiceId, Subscription, UsageFigure,
};

/// The catalogue's migrations, in order; the schema version is the number applied.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_services.sql")];

/// The schema version of the `svc_*` tables this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a statement waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

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

/// The catalogue's tables in a store file.
#[derive(Debug, Clone)]
pub struct ServicesStore {
    pool: SqlitePool,
    location: String,
}

impl ServicesStore {
    /// Opens the SQLite file at `path` (creating it if missing) and brings the `svc_*` tables up to date.
    pub async fn open(path: &Path) -> Result<Self, ServicesError> {
        let location = path.display().to_string();
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // The delivery store runs the file in WAL mode; asking for the same keeps both pools consistent.
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| ServicesError::Database {
                location: location.clone(),
                source,
            })?;
        Self::from_pool(pool, &location).await
    }

    /// Uses a pool the caller already has on the store file (the server shares one), bringing the `svc_*`
    /// tables up to date. The pool must enforce foreign keys (sqlx's SQLite default). `location` names the
    /// file in error messages.
    pub async fn from_pool(pool: SqlitePool, location: &str) -> Result<Self, ServicesError> {
        let store = ServicesStore {
            pool,
            location: location.to_owned(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The pool, for callers that share it.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn db(&self) -> impl Fn(sqlx::Error) -> ServicesError + '_ {
        |source| ServicesError::Database {
            location: self.location.clone(),
            source,
        }
    }

    /// Creates or upgrades the `svc_*` tables in one write transaction.
    async fn migrate(&self) -> Result<(), ServicesError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(self.db())?;
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'svc_schema_version'",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(self.db())?;
        let applied: i64 = if exists == 0 {
            sqlx::raw_sql(
                "CREATE TABLE svc_schema_version (version INTEGER NOT NULL);
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
        for (done, sql) in MIGRATIONS.iter().enumerate().skip(start) {
            sqlx::raw_sql(*sql)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
            sqlx::query("UPDATE svc_schema_version SET version = ?")
                .bind(done as i64 + 1)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
        }
        tx.commit().await.map_err(self.db())
    }

    fn corrupt(&self, detail: String) -> ServicesError {
        ServicesError::Corrupt {
            location: self.location.clone(),
            detail,
        }
    }

    /// The whole catalogue the store holds.
    pub async fn catalogue(&self) -> Result<Catalogue, ServicesError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        self.load(&mut conn).await
    }

    /// How many rows of each kind the store holds.
    pub async fn counts(&self) -> Result<Counts, ServicesError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let queries = [
            "SELECT COUNT(*) FROM svc_service",
            "SELECT COUNT(*) FROM svc_indicator",
            "SELECT COUNT(*) FROM svc_funding_band",
            "SELECT COUNT(*) FROM svc_body",
            "SELECT COUNT(*) FROM svc_subscription",
            "SELECT COUNT(*) FROM svc_usage",
        ];
        let mut n = [0u64; 6];
        for (slot, sql) in n.iter_mut().zip(queries) {
            let count: i64 = sqlx::query_scalar(sql)
                .fetch_one(&mut *conn)
                .await
                .map_err(self.db())?;
            *slot =
                u64::try_from(count).map_err(|_| self.corrupt(format!("{sql} gave {count}")))?;
        }
        let [
            services,
            indicators,
            funding_bands,
            bodies,
            subscriptions,
            usage,
        ] = n;
        Ok(Counts {
            services,
            indicators,
            funding_bands,
            bodies,
            subscriptions,
            usage,
        })
    }

    /// Writes what the store lacks of `catalogue` — rows whose key is already stored are kept as they are —
    /// in one transaction, and says how many rows of each kind were added. Seeding with
    /// [`Catalogue::shipped`] gives a new store the shipped catalogue; with [`Catalogue::reference`] only the
    /// services, indicators and funding bands. Running it again adds nothing.
    pub async fn seed(&self, catalogue: &Catalogue) -> Result<Counts, ServicesError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(self.db())?;
        let added = Counts {
            services: self.insert_services(&mut tx, catalogue.services()).await?,
            indicators: self
                .insert_indicators(&mut tx, catalogue.indicators())
                .await?,
            funding_bands: self
                .insert_bands(&mut tx, catalogue.funding_bands())
                .await?,
            bodies: self.insert_bodies(&mut tx, catalogue.bodies()).await?,
            subscriptions: self
                .insert_subscriptions(&mut tx, catalogue.subscriptions())
                .await?,
            usage: self
                .insert_usage(&mut tx, catalogue.usage_figures())
                .await?,
        };
        tx.commit().await.map_err(self.db())?;
        Ok(added)
    }

    /// Imports a bodies CSV file (columns [`csv_io::BODY_COLUMNS`]) checked against the stored catalogue:
    /// all rows or, on any problem, none ([`ServicesError::InvalidCsv`] lists them all). Returns how many.
    pub async fn import_bodies(&self, bytes: &[u8], file: &str) -> Result<u64, ServicesError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(self.db())?;
        let current = self.load(&mut tx).await?;
        let bodies =
            csv_io::read_bodies(bytes, file, &current).map_err(ServicesError::InvalidCsv)?;
        let n = self.insert_bodies(&mut tx, bodies.iter()).await?;
        tx.commit().await.map_err(self.db())?;
        Ok(n)
    }

    /// Imports a subscriptions CSV file (columns [`csv_io::SUBSCRIPTION_COLUMNS`]); bodies and services must be
    /// in the store. All or nothing, like [`ServicesStore::import_bodies`].
    pub async fn import_subscriptions(
        &self,
        bytes: &[u8],
        file: &str,
    ) -> Result<u64, ServicesError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(self.db())?;
        let current = self.load(&mut tx).await?;
        let subscriptions =
            csv_io::read_subscriptions(bytes, file, &current).map_err(ServicesError::InvalidCsv)?;
        let n = self.insert_subscriptions(&mut tx, &subscriptions).await?;
        tx.commit().await.map_err(self.db())?;
        Ok(n)
    }

    /// Imports a usage CSV file (columns [`csv_io::USAGE_COLUMNS`]); indicators must be in the store, and a
    /// year already stored for an indicator is a duplicate. All or nothing.
    pub async fn import_usage(&self, bytes: &[u8], file: &str) -> Result<u64, ServicesError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE")
            .await
            .map_err(self.db())?;
        let current = self.load(&mut tx).await?;
        let usage = csv_io::read_usage(bytes, file, &current).map_err(ServicesError::InvalidCsv)?;
        let n = self.insert_usage(&mut tx, &usage).await?;
        tx.commit().await.map_err(self.db())?;
        Ok(n)
    }

    /// Closes the connections.
    pub async fn close(self) {
        self.pool.close().await;
    }

    async fn load(&self, conn: &mut SqliteConnection) -> Result<Catalogue, ServicesError> {
        let mut cat = Catalogue::new();
        let corrupt = |table: &str, what: &str, value: &dyn std::fmt::Debug| {
            self.corrupt(format!("{table}: {what} {value:?}"))
        };
        let year = |table: &str, y: i64| u16::try_from(y).map_err(|_| corrupt(table, "year", &y));
        let count =
            |table: &str, n: i64| u64::try_from(n).map_err(|_| corrupt(table, "number", &n));

        type ServiceRow = (String, String, String, String, String, Option<i64>, String);
        let rows: Vec<ServiceRow> = sqlx::query_as(
            "SELECT id, name, name_fr, category, offer, since, description FROM svc_service ORDER BY rowid",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(self.db())?;
        let mut services = Vec::with_capacity(rows.len());
        for (id, name, name_fr, category, offer, since, description) in rows {
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

        let rows: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, service_id, label_en, label_fr FROM svc_indicator ORDER BY rowid",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(self.db())?;
        cat.add_indicators(
            rows.into_iter()
                .map(|(id, service, label_en, label_fr)| Indicator {
                    id: IndicatorId::new(id),
                    service: service.map(ServiceId::new),
                    label_en,
                    label_fr,
                }),
        );

        type BandRow = (i64, i64, i64, Option<i64>, i64, String, bool);
        let rows: Vec<BandRow> = sqlx::query_as(
            "SELECT tariff_from, tariff_to, min_population, max_population, annual_eur, label, published \
             FROM svc_funding_band ORDER BY rowid",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(self.db())?;
        let mut bands = Vec::with_capacity(rows.len());
        for (from, to, min, max, eur, label, published) in rows {
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
        let rows: Vec<BodyRow> = sqlx::query_as(
            "SELECT id, kind, name, insee, siren, epci_id, population, sample FROM svc_body ORDER BY rowid",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(self.db())?;
        let mut bodies = Vec::with_capacity(rows.len());
        for (id, kind, name, insee, siren, epci, population, sample) in rows {
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

        let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
            "SELECT body_id, service_id, since FROM svc_subscription ORDER BY rowid",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(self.db())?;
        let mut subscriptions = Vec::with_capacity(rows.len());
        for (body, service, since) in rows {
            subscriptions.push(Subscription {
                body: BodyId::new(body),
                service: ServiceId::new(service),
                since: since.map(|y| year("svc_subscription", y)).transpose()?,
            });
        }
        cat.add_subscriptions(subscriptions);

        let rows: Vec<(String, i64, i64)> =
            sqlx::query_as("SELECT indicator_id, year, value FROM svc_usage ORDER BY rowid")
                .fetch_all(&mut *conn)
                .await
                .map_err(self.db())?;
        let mut usage = Vec::with_capacity(rows.len());
        for (indicator, y, value) in rows {
            usage.push(UsageFigure {
                indicator: IndicatorId::new(indicator),
                year: year("svc_usage", y)?,
                value: count("svc_usage", value)?,
            });
        }
        cat.add_usage(usage);
        Ok(cat)
    }

    async fn insert_services(
        &self,
        conn: &mut SqliteConnection,
        services: impl Iterator<Item = &Service>,
    ) -> Result<u64, ServicesError> {
        let mut n = 0;
        for s in services {
            n += sqlx::query(
                "INSERT OR IGNORE INTO svc_service (id, name, name_fr, category, offer, since, description) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(s.id.as_str())
            .bind(&s.name)
            .bind(&s.name_fr)
            .bind(s.category.as_str())
            .bind(s.offer.as_str())
            .bind(s.since.map(i64::from))
            .bind(&s.description)
            .execute(&mut *conn)
            .await
            .map_err(self.db())?
            .rows_affected();
        }
        Ok(n)
    }

    async fn insert_indicators(
        &self,
        conn: &mut SqliteConnection,
        indicators: impl Iterator<Item = &Indicator>,
    ) -> Result<u64, ServicesError> {
        let mut n = 0;
        for i in indicators {
            n += sqlx::query(
                "INSERT OR IGNORE INTO svc_indicator (id, service_id, label_en, label_fr) VALUES (?, ?, ?, ?)",
            )
            .bind(i.id.as_str())
            .bind(i.service.as_ref().map(ServiceId::as_str))
            .bind(&i.label_en)
            .bind(&i.label_fr)
            .execute(&mut *conn)
            .await
            .map_err(self.db())?
            .rows_affected();
        }
        Ok(n)
    }

    async fn insert_bands(
        &self,
        conn: &mut SqliteConnection,
        bands: &[FundingBand],
    ) -> Result<u64, ServicesError> {
        let mut n = 0;
        for b in bands {
            n += sqlx::query(
                "INSERT OR IGNORE INTO svc_funding_band \
                 (tariff_from, tariff_to, min_population, max_population, annual_eur, label, published) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(i64::from(b.tariff_from))
            .bind(i64::from(b.tariff_to))
            .bind(self.to_i64(b.min_population)?)
            .bind(b.max_population.map(|m| self.to_i64(m)).transpose()?)
            .bind(self.to_i64(b.annual_eur)?)
            .bind(&b.label)
            .bind(b.published)
            .execute(&mut *conn)
            .await
            .map_err(self.db())?
            .rows_affected();
        }
        Ok(n)
    }

    async fn insert_bodies(
        &self,
        conn: &mut SqliteConnection,
        bodies: impl Iterator<Item = &Body>,
    ) -> Result<u64, ServicesError> {
        let mut n = 0;
        for b in bodies {
            n += sqlx::query(
                "INSERT OR IGNORE INTO svc_body (id, kind, name, insee, siren, epci_id, population, sample) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(b.id.as_str())
            .bind(b.kind.as_str())
            .bind(&b.name)
            .bind(b.insee.as_deref())
            .bind(b.siren.as_ref().map(Siren::as_str))
            .bind(b.epci.as_ref().map(BodyId::as_str))
            .bind(b.population.map(|p| self.to_i64(p)).transpose()?)
            .bind(b.sample)
            .execute(&mut *conn)
            .await
            .map_err(self.db())?
            .rows_affected();
        }
        Ok(n)
    }

    async fn insert_subscriptions(
        &self,
        conn: &mut SqliteConnection,
        subscriptions: &[Subscription],
    ) -> Result<u64, ServicesError> {
        let mut n = 0;
        for s in subscriptions {
            n += sqlx::query("INSERT OR IGNORE INTO svc_subscription (body_id, service_id, since) VALUES (?, ?, ?)")
                .bind(s.body.as_str())
                .bind(s.service.as_str())
                .bind(s.since.map(i64::from))
                .execute(&mut *conn)
                .await
                .map_err(self.db())?
                .rows_affected();
        }
        Ok(n)
    }

    async fn insert_usage(
        &self,
        conn: &mut SqliteConnection,
        usage: &[UsageFigure],
    ) -> Result<u64, ServicesError> {
        let mut n = 0;
        for u in usage {
            n += sqlx::query(
                "INSERT OR IGNORE INTO svc_usage (indicator_id, year, value) VALUES (?, ?, ?)",
            )
            .bind(u.indicator.as_str())
            .bind(i64::from(u.year))
            .bind(self.to_i64(u.value)?)
            .execute(&mut *conn)
            .await
            .map_err(self.db())?
            .rows_affected();
        }
        Ok(n)
    }

    /// SQLite integers are signed; the CSV readers already cap numbers at `i64::MAX`, so this only fails on a
    /// catalogue built by hand with a larger value.
    fn to_i64(&self, n: u64) -> Result<i64, ServicesError> {
        i64::try_from(n).map_err(|_| self.corrupt(format!("{n} is too large to store")))
    }
}
