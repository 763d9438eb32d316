//! The PostgreSQL + PostGIS backend, for a store shared by a team: the same logical schema as the SQLite store
//! (delivery history, files, table layouts, diagnostics, one data table per GraceTHD table and model version
//! with cells as delivered text), with geometries in a PostGIS `geom geometry(Geometry, 2154)` column under a
//! GiST index, so QGIS opens every data table as a layer.
//!
//! # Where the store lives
//!
//! In the connection's current schema (the first existing schema of its `search_path`): `public` by default,
//! or another one with the standard `options` parameter of the URL,
//! `postgres://host/db?options=-csearch_path%3Dzone_a,public` — which is how the tests give each test its own
//! store in one database. The PostGIS extension may live in another schema of the path (normally `public`).
//!
//! # Geometries PostGIS refuses
//!
//! PostGIS refuses, on input, a line of one point and a polygon ring that is not closed or has fewer than four
//! points; contractors deliver such geometries, and the store must give back what it was given. Those go, as
//! their delivered WKB, into the `geom_wkb bytea` column beside a NULL `geom` ([`postgis_refuses`] says
//! which), so the data table still holds every row and `load` gives back every geometry.
//!
//! # Schema version
//!
//! Kept in the one-row table `thd_store_schema`, as in SQLite; the migrations are embedded and the number
//! applied is the version, which is the same [`crate::SCHEMA_VERSION`] on both backends.

mod copy;
mod import;
mod read;

use std::str::FromStr;

use geo_types::{Geometry, LineString, Polygon};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection};

use crate::StoreError;

/// The store's migrations for PostgreSQL, in order.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/postgres/0001_store.sql")];

// Both backends stand at the same schema version: a migration added to one is added to the other.
const _: () = assert!(MIGRATIONS.len() as i64 == crate::SCHEMA_VERSION);

/// A PostgreSQL store.
#[derive(Debug, Clone)]
pub(crate) struct PgStore {
    pool: PgPool,
    /// The URL without its password, for messages.
    location: String,
}

impl PgStore {
    /// Connects to `url`, makes sure PostGIS is there, and brings the store's schema up to date.
    pub(crate) async fn open(url: &str) -> Result<Self, StoreError> {
        let location = redact(url);
        let db = |source| StoreError::Server {
            location: location.clone(),
            source,
        };
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = PgStore { pool, location };
        store.ensure_postgis().await?;
        store.migrate().await?;
        Ok(store)
    }

    fn db(&self) -> impl Fn(sqlx::Error) -> StoreError + '_ {
        |source| StoreError::Server {
            location: self.location.clone(),
            source,
        }
    }

    /// Creates the PostGIS extension when the database lacks it (which needs the right to), so that a fresh
    /// database works at once and a refusal says what to install.
    async fn ensure_postgis(&self) -> Result<(), StoreError> {
        let present: bool = sqlx::query_scalar("SELECT to_regtype('geometry') IS NOT NULL")
            .fetch_one(&self.pool)
            .await
            .map_err(self.db())?;
        if present {
            return Ok(());
        }
        sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS postgis")
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(|e| StoreError::NoPostgis {
                location: self.location.clone(),
                reason: e.to_string(),
            })
    }

    /// Creates or upgrades the schema in one transaction, under an advisory lock on the store so that two
    /// processes opening a new store at once do not both create it.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(self.db())?;
        let mut tx = conn.begin().await.map_err(self.db())?;
        let schema: Option<String> = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&mut *tx)
            .await
            .map_err(self.db())?;
        if schema.is_none() {
            return Err(StoreError::NoSchema(self.location.clone()));
        }
        lock(&mut tx).await.map_err(self.db())?;
        let exists: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'thd_store_schema')",
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(self.db())?;
        let applied: i64 = if exists {
            sqlx::query_scalar("SELECT version::bigint FROM thd_store_schema")
                .fetch_one(&mut *tx)
                .await
                .map_err(self.db())?
        } else {
            sqlx::raw_sql(
                "CREATE TABLE thd_store_schema (version integer NOT NULL); \
                 INSERT INTO thd_store_schema VALUES (0);",
            )
            .execute(&mut *tx)
            .await
            .map_err(self.db())?;
            0
        };
        if applied > crate::SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                location: self.location.clone(),
                found: applied,
                supported: crate::SCHEMA_VERSION,
            });
        }
        for (done, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            sqlx::raw_sql(AssertSqlSafe(*sql))
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
            sqlx::query("UPDATE thd_store_schema SET version = $1")
                .bind(done as i32 + 1)
                .execute(&mut *tx)
                .await
                .map_err(self.db())?;
        }
        tx.commit().await.map_err(self.db())
    }

    /// Closes the connections.
    pub(crate) async fn close(self) {
        self.pool.close().await;
    }
}

/// Takes the store's write lock until the end of the transaction: one per schema, so stores in other schemas
/// of the same database do not wait for each other. Migrations and imports take it, so imports are serialised
/// (the link to the previous delivery of a zone reads what the last import wrote).
async fn lock(tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('thd-store:' || current_schema()))")
        .execute(tx)
        .await
        .map(drop)
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

/// Whether PostGIS refuses `geometry` on input: a line of fewer than two points, a ring that is not closed or
/// has fewer than four points (its parser's "minimum points" and "closure" checks), anywhere in the geometry.
/// An empty geometry (no coordinates at all) is accepted.
pub(crate) fn postgis_refuses(geometry: &Geometry<f64>) -> bool {
    let line = |l: &LineString| l.0.len() == 1;
    let ring = |r: &LineString| !r.0.is_empty() && (r.0.len() < 4 || r.0.first() != r.0.last());
    let polygon = |p: &Polygon| {
        // An empty exterior with holes is written as a ring of no points, which PostGIS counts as too short.
        let empty_exterior_with_holes = p.exterior().0.is_empty() && !p.interiors().is_empty();
        empty_exterior_with_holes || ring(p.exterior()) || p.interiors().iter().any(ring)
    };
    match geometry {
        Geometry::LineString(l) => line(l),
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiLineString(m) => m.0.iter().any(line),
        Geometry::MultiPolygon(m) => m.0.iter().any(polygon),
        Geometry::GeometryCollection(c) => c.0.iter().any(postgis_refuses),
        Geometry::Point(_)
        | Geometry::MultiPoint(_)
        | Geometry::Line(_)
        | Geometry::Rect(_)
        | Geometry::Triangle(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{LineString, MultiLineString, line_string, point, polygon};

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

    #[test]
    fn degenerate_lines_and_rings_are_those_postgis_refuses() {
        let one_point = LineString::from(vec![(1.0, 2.0)]);
        assert!(postgis_refuses(&Geometry::LineString(one_point.clone())));
        assert!(postgis_refuses(&Geometry::MultiLineString(
            MultiLineString::new(vec![
                line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)],
                one_point
            ])
        )));
        // `Polygon::new` closes the ring: two points make a ring of three, one short of PostGIS's minimum.
        let flat = Polygon::new(LineString::from(vec![(0.0, 0.0), (1.0, 0.0)]), vec![]);
        assert!(postgis_refuses(&Geometry::Polygon(flat)));
        assert!(!postgis_refuses(&Geometry::Polygon(
            polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0)]
        )));
        assert!(!postgis_refuses(&Geometry::LineString(LineString::new(
            vec![]
        ))));
        assert!(!postgis_refuses(&Geometry::Point(point!(x: 1.0, y: 2.0))));
    }
}
