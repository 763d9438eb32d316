//! The store against deliveries whose answer is known: the demo delivery and generated ones round-trip through
//! import → load, re-imports change nothing, zones link, a diff lists exactly the changes made, and failures
//! leave the store as it was.
//!
//! # Both backends
//!
//! Every test written as `async fn name(place: Place)` and listed in `on_both_backends!` runs twice, as
//! `name::sqlite` (a file in a temporary folder) and `name::postgis` (a schema of its own, so tests run in
//! parallel, in the database `THD_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/thd_test`, which
//! `scripts/setup.sh` creates with PostGIS). The rule for an unreachable PostgreSQL: **the PostGIS tests fail**,
//! saying why, so CI — which runs `scripts/test.sh` beside a PostgreSQL server — can never pass without them;
//! a developer without a server sets `THD_SKIP_PG=1`, and the tests then print the reason and skip.

use std::collections::BTreeMap;
use std::path::Path;

use geo::Translate;
use geo_types::{Geometry, LineString, Polygon, point};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;
use thd_diag::{Category, Diagnostic, Severity};
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawDelivery, RawTable, RawTableBuilder, SourceFormat};
use thd_store::{AttributeChange, DiagnosticQuery, GeometryChange, ImportMeta, Store, StoreError};

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/samples/gracethd-demo-v2.0.1"
);

/// The test database when `THD_TEST_PG` is not set.
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/thd_test";

fn generated(plugs: u32, seed: u64, version: GraceVersion) -> RawDelivery {
    let g = generate(&GenerateOptions {
        fibres: true,
        plugs,
        seed,
        version,
        defects: 0,
        department: Some("22".into()),
    })
    .expect("generate");
    RawDelivery {
        origin: format!("generated-{seed}"),
        version: Some(g.version),
        tables: g.tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
        ..RawDelivery::default()
    }
}

/// A new, empty store location on one backend, with the direct access the tests need to look behind the store
/// (count rows, inject a failure).
struct Place {
    /// What `Store::open` is given.
    location: String,
    backend: PlaceBackend,
}

enum PlaceBackend {
    Sqlite {
        _dir: tempfile::TempDir,
        path: String,
    },
    Postgis {
        url: String,
        schema: String,
    },
}

impl Place {
    fn sqlite() -> Place {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.gpkg").to_string_lossy().into_owned();
        Place {
            location: path.clone(),
            backend: PlaceBackend::Sqlite { _dir: dir, path },
        }
    }

    /// A schema of its own for test `name` in the PostGIS test database; `None` (with the reason printed) only
    /// when the database is unreachable and `THD_SKIP_PG=1`, and a panic saying why when it is unreachable
    /// otherwise (see the module docs).
    async fn postgis(name: &str) -> Option<Place> {
        let url = std::env::var("THD_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
        let mut conn = match PgConnection::connect(&url).await {
            Ok(conn) => conn,
            Err(e) if std::env::var("THD_SKIP_PG").as_deref() == Ok("1") => {
                println!("skipped on PostGIS: {url} is unreachable ({e}) and THD_SKIP_PG=1");
                return None;
            }
            Err(e) => panic!(
                "the PostGIS store tests need the database {url} ({e}): run scripts/setup.sh with PostgreSQL \
                 running, point THD_TEST_PG at another database, or set THD_SKIP_PG=1 to skip them"
            ),
        };
        // Unique per test and per process; PostgreSQL names are at most 63 bytes.
        let short: String = name.chars().take(40).collect();
        let schema = format!("thd_t_{short}_{}", std::process::id());
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        )))
        .execute(&mut conn)
        .await
        .expect("create the test schema");
        let join = if url.contains('?') { '&' } else { '?' };
        Some(Place {
            location: format!("{url}{join}options=-c%20search_path%3D{schema}%2Cpublic"),
            backend: PlaceBackend::Postgis { url, schema },
        })
    }

    fn is_postgis(&self) -> bool {
        matches!(self.backend, PlaceBackend::Postgis { .. })
    }

    async fn execute(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.backend {
            PlaceBackend::Sqlite { path, .. } => {
                let mut conn = SqliteConnection::connect(&format!("sqlite://{path}"))
                    .await
                    .expect("connect");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("execute");
            }
            PlaceBackend::Postgis { .. } => {
                let mut conn = PgConnection::connect(&self.location)
                    .await
                    .expect("connect");
                sqlx::raw_sql(sql)
                    .execute(&mut conn)
                    .await
                    .expect("execute");
            }
        }
    }

    /// Rows of every table of the store and the number of columns and indexes, to compare a store before and
    /// after an import that must write nothing.
    async fn snapshot(&self) -> BTreeMap<String, i64> {
        match &self.backend {
            PlaceBackend::Sqlite { path, .. } => sqlite_snapshot(path).await,
            PlaceBackend::Postgis { schema, .. } => postgis_snapshot(&self.location, schema).await,
        }
    }

    /// Drops the schema of a PostGIS test (left in place when the test fails, to look at).
    async fn finish(self) {
        if let PlaceBackend::Postgis { url, schema } = &self.backend {
            let mut conn = PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop the test schema");
        }
    }
}

/// Runs each listed `async fn name(place: Place)` as `name::sqlite` and `name::postgis`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Place::sqlite()).await;
            }

            #[tokio::test]
            async fn postgis() {
                if let Some(place) = super::Place::postgis(stringify!($name)).await {
                    super::$name(place).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    the_demo_delivery_comes_back_identical_and_is_recognised_when_imported_again,
    generated_deliveries_of_both_versions_come_back_identical_with_their_geometries,
    degenerate_geometries_and_awkward_cells_come_back_as_delivered,
    deliveries_of_a_zone_link_to_the_previous_one,
    a_diff_lists_exactly_the_changes_made,
    an_import_failing_midway_leaves_the_store_unchanged,
    a_store_of_a_newer_schema_is_refused,
    a_delivery_without_version_is_refused,
    diagnostics_page_through_filters_in_stored_order,
);

fn zone(z: &str) -> ImportMeta {
    ImportMeta {
        zone: Some(z.into()),
        contractor: Some("Axione".into()),
        ..ImportMeta::default()
    }
}

/// Everything of a delivery the store promises to give back.
fn assert_same(loaded: &RawDelivery, original: &RawDelivery) {
    assert_eq!(loaded.origin, original.origin);
    assert_eq!(loaded.version, original.version);
    assert_eq!(loaded.files, original.files);
    assert_eq!(loaded.diagnostics, original.diagnostics);
    assert_eq!(
        loaded.tables.keys().collect::<Vec<_>>(),
        original.tables.keys().collect::<Vec<_>>()
    );
    for (name, table) in &original.tables {
        assert!(
            loaded.tables[name] == *table,
            "table {name} differs after load"
        );
    }
}

async fn sqlite_snapshot(path: &str) -> BTreeMap<String, i64> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .expect("connect");
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master ORDER BY name")
        .fetch_all(&mut conn)
        .await
        .expect("tables");
    let mut out = BTreeMap::new();
    for name in names {
        let kind: String = sqlx::query_scalar("SELECT type FROM sqlite_master WHERE name = ?")
            .bind(&name)
            .fetch_one(&mut conn)
            .await
            .expect("type");
        let n = if kind == "table" {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT count(*) FROM \"{name}\""
            )))
            .fetch_one(&mut conn)
            .await
            .expect("count")
        } else {
            -1
        };
        out.insert(name, n);
    }
    let columns: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM sqlite_master m, pragma_table_info(m.name) WHERE m.type = 'table'",
    )
    .fetch_one(&mut conn)
    .await
    .expect("columns");
    out.insert("(all columns)".into(), columns);
    out
}

async fn postgis_snapshot(location: &str, schema: &str) -> BTreeMap<String, i64> {
    let mut conn = PgConnection::connect(location).await.expect("connect");
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
    )
    .bind(schema)
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    let mut out = BTreeMap::new();
    for name in names {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT count(*) FROM \"{name}\""
        )))
        .fetch_one(&mut conn)
        .await
        .expect("count");
        out.insert(name, n);
    }
    for (what, sql) in [
        (
            "(all columns)",
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1",
        ),
        (
            "(all indexes)",
            "SELECT count(*) FROM pg_indexes WHERE schemaname = $1",
        ),
    ] {
        let n: i64 = sqlx::query_scalar(sql)
            .bind(schema)
            .fetch_one(&mut conn)
            .await
            .expect(what);
        out.insert(what.into(), n);
    }
    out
}

async fn the_demo_delivery_comes_back_identical_and_is_recognised_when_imported_again(
    place: Place,
) {
    if !Path::new(DEMO).exists() {
        println!("skipped: the demo delivery is not at {DEMO}");
        return;
    }
    let demo = thd_read::read_delivery(Path::new(DEMO)).expect("read demo");
    let store = Store::open(&place.location).await.expect("open");
    let first = store
        .import(&demo, &zone("PM-29001"))
        .await
        .expect("import");
    assert!(!first.already_present);
    assert_eq!(first.rows, demo.rows() as u64);
    assert_same(&store.load(first.delivery_id).await.expect("load"), &demo);

    let detail = store.delivery(first.delivery_id).await.expect("detail");
    let counts: BTreeMap<String, u64> = demo
        .tables
        .iter()
        .map(|(n, t)| (n.clone(), t.len() as u64))
        .collect();
    assert_eq!(detail.tables, counts);
    assert_eq!(detail.diagnostics.total, demo.diagnostics.len() as u64);
    assert_eq!(detail.files, demo.files);
    assert_eq!(detail.summary.version, GraceVersion::V2_0_1);
    assert!(detail.summary.phase.is_some(), "the demo fills *_statut");

    let before = place.snapshot().await;
    let again = store
        .import(&demo, &zone("PM-29001"))
        .await
        .expect("import");
    assert_eq!(
        (again.delivery_id, again.already_present, again.rows),
        (first.delivery_id, true, first.rows)
    );
    assert_eq!(place.snapshot().await, before, "a re-import writes nothing");
    store.close().await;
    place.finish().await;
}

async fn generated_deliveries_of_both_versions_come_back_identical_with_their_geometries(
    place: Place,
) {
    let store = Store::open(&place.location).await.expect("open");
    for version in GraceVersion::ALL {
        let delivery = generated(400, 3, version);
        assert!(
            delivery.tables.values().any(|t| t.geometries.is_some()),
            "spatial tables"
        );
        let outcome = store
            .import(&delivery, &ImportMeta::default())
            .await
            .expect("import");
        assert_same(
            &store.load(outcome.delivery_id).await.expect("load"),
            &delivery,
        );
    }
    store.close().await;
    // Reopening an up-to-date store applies nothing and keeps everything.
    let store = Store::open(&place.location).await.expect("reopen");
    assert_eq!(store.deliveries().await.expect("list").len(), 2);
    store.close().await;
    place.finish().await;
}

/// Geometries PostGIS refuses on input (a line of one point, a ring of three points), empty ones, and cells
/// with the characters a bulk format must escape come back exactly; a later delivery adding a column of
/// another case keeps both columns.
async fn degenerate_geometries_and_awkward_cells_come_back_as_delivered(place: Place) {
    let columns = vec!["cm_code".to_owned(), "cm_comment".to_owned()];
    let mut b = RawTableBuilder::new(
        "t_cheminement",
        "t_cheminement.shp",
        SourceFormat::Shapefile,
        columns,
    )
    .spatial();
    let geometries: Vec<Option<Geometry>> = vec![
        Some(Geometry::LineString(LineString::from(vec![(
            350_000.5,
            6_790_000.25,
        )]))),
        Some(Geometry::Polygon(Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0)]),
            vec![],
        ))),
        Some(Geometry::LineString(LineString::new(vec![]))),
        Some(Geometry::LineString(LineString::from(vec![
            (1.0, 2.0),
            (3.0, 4.0),
        ]))),
        Some(Geometry::Point(point!(x: 350_000.0, y: 6_790_000.0))),
        None,
    ];
    let comments = [
        Some("tab\there"),
        Some("line\nbreak\r\n"),
        Some("back\\slash \\N"),
        Some("accentué « guillemets » €"),
        Some(""),
        None,
    ];
    for (i, (g, comment)) in geometries.into_iter().zip(comments).enumerate() {
        let code = format!("CM{i}");
        b.push_row([Some(code.as_str()), comment]);
        b.push_geometry(g);
    }
    let mut delivery = RawDelivery {
        origin: "hand-made".into(),
        version: Some(GraceVersion::V2_0_1),
        ..RawDelivery::default()
    };
    delivery.tables.insert("t_cheminement".into(), b.finish());

    let store = Store::open(&place.location).await.expect("open");
    let first = store
        .import(&delivery, &ImportMeta::default())
        .await
        .expect("import");
    assert_same(
        &store.load(first.delivery_id).await.expect("load"),
        &delivery,
    );

    let t = &delivery.tables["t_cheminement"];
    let mut columns = t.columns.clone();
    columns.push("CM_COMMENT".into());
    let mut b = RawTableBuilder::new(t.name.clone(), t.file.clone(), SourceFormat::Csv, columns);
    for r in 0..t.len() {
        b.push_row(t.row(r).chain([Some("upper")]));
    }
    let mut second = delivery.clone();
    second.tables.insert("t_cheminement".into(), b.finish());
    let outcome = store
        .import(&second, &ImportMeta::default())
        .await
        .expect("import");
    assert_same(
        &store.load(outcome.delivery_id).await.expect("load"),
        &second,
    );
    assert_same(
        &store.load(first.delivery_id).await.expect("load"),
        &delivery,
    );
    store.close().await;
    place.finish().await;
}

async fn deliveries_of_a_zone_link_to_the_previous_one(place: Place) {
    let store = Store::open(&place.location).await.expect("open");
    let a = store
        .import(&generated(50, 1, GraceVersion::V2_0_1), &zone("Z1"))
        .await
        .expect("a");
    let b = store
        .import(&generated(50, 2, GraceVersion::V2_0_1), &zone("Z2"))
        .await
        .expect("b");
    let c = store
        .import(&generated(50, 3, GraceVersion::V2_0_1), &zone("Z1"))
        .await
        .expect("c");
    let list = store.deliveries().await.expect("list");
    let links: Vec<(i64, Option<i64>)> = list.iter().map(|d| (d.id, d.previous_id)).collect();
    assert_eq!(
        links,
        [
            (a.delivery_id, None),
            (b.delivery_id, None),
            (c.delivery_id, Some(a.delivery_id))
        ]
    );
    assert_eq!(list[0].contractor.as_deref(), Some("Axione"));
    assert!(matches!(
        store.delivery(999).await,
        Err(StoreError::NoDelivery(999))
    ));
    store.close().await;
    place.finish().await;
}

/// Changes known objects of a table: removes the first two rows, changes `column` of the next three, moves
/// the geometry of the sixth by 5 m east, and adds a copy of the seventh under a new key.
struct Edit {
    removed: Vec<String>,
    changed: Vec<(String, Option<String>)>,
    moved: String,
    added: String,
}

fn edit(table: &RawTable, key: &str, column: &str) -> (RawTable, Edit) {
    let k = table.column_index(key).expect("key column");
    let c = table.column_index(column).expect("changed column");
    let code = |r: usize| table.cell(r, k).expect("key").to_owned();
    let mut b = RawTableBuilder::new(
        table.name.clone(),
        table.file.clone(),
        table.format.unwrap_or(SourceFormat::Shapefile),
        table.columns.clone(),
    );
    let added = format!("{}NEW", code(6));
    let mut edit = Edit {
        removed: vec![code(0), code(1)],
        changed: Vec::new(),
        moved: code(5),
        added: added.clone(),
    };
    let push =
        |b: &mut RawTableBuilder, r: usize, new_key: Option<&str>, new_value: Option<&str>| {
            let cells: Vec<Option<&str>> = (0..table.columns.len())
                .map(|i| match i {
                    _ if i == k && new_key.is_some() => new_key,
                    _ if i == c && new_value.is_some() => new_value,
                    _ => table.cell(r, i),
                })
                .collect();
            b.push_row(cells);
            let mut g = table.geometry(r).cloned();
            if r == 5 && new_key.is_none() {
                g = g.map(|g| g.translate(5.0, 0.0));
            }
            b.push_geometry(g);
        };
    for r in 2..table.len() {
        if (2..5).contains(&r) {
            let value = format!("{}-modifié", table.cell(r, c).unwrap_or(""));
            push(&mut b, r, None, Some(&value));
            edit.changed
                .push((code(r), table.cell(r, c).map(str::to_owned)));
        } else {
            push(&mut b, r, None, None);
        }
    }
    push(&mut b, 6, Some(&added), None);
    (b.finish(), edit)
}

/// The old and new deliveries of the diff tests, and the edit between them.
fn old_and_new() -> (RawDelivery, RawDelivery, Edit) {
    let old = generated(300, 11, GraceVersion::V2_0_1);
    let mut new = old.clone();
    new.origin = "corrected".into();
    let (nodes, edit) = edit(&old.tables["t_noeud"], "nd_code", "nd_comment");
    new.tables.insert("t_noeud".into(), nodes);
    (old, new, edit)
}

async fn a_diff_lists_exactly_the_changes_made(place: Place) {
    let (old, new, edit) = old_and_new();
    let store = Store::open(&place.location).await.expect("open");
    let a = store.import(&old, &zone("Z")).await.expect("old");
    let b = store.import(&new, &zone("Z")).await.expect("new");
    let diff = store
        .diff(a.delivery_id, b.delivery_id, 1.0)
        .await
        .expect("diff");
    assert_eq!(diff.tables.len(), 1, "{:?}", diff.tables);
    let t = &diff.tables[0];
    assert_eq!(t.table, "t_noeud");
    assert_eq!(t.removed, edit.removed);
    assert_eq!(t.added, [edit.added]);
    let expected_changes: Vec<_> = edit
        .changed
        .iter()
        .map(|(key, old)| {
            (
                key.clone(),
                vec![AttributeChange {
                    column: "nd_comment".into(),
                    old: old.clone(),
                    new: Some(format!("{}-modifié", old.as_deref().unwrap_or(""))),
                }],
                None,
            )
        })
        .chain([(edit.moved, vec![], Some(5.0))])
        .collect();
    let changes: Vec<_> = t
        .changed
        .iter()
        .map(|c| {
            let moved = c.geometry.map(|g| match g {
                GeometryChange::Moved { distance_m } => distance_m,
                other => panic!("unexpected {other:?}"),
            });
            (c.key.clone(), c.attributes.clone(), moved)
        })
        .collect();
    assert_eq!(changes.len(), 4);
    for (got, want) in changes.iter().zip(&expected_changes) {
        assert_eq!((&got.0, &got.1), (&want.0, &want.1));
        match (got.2, want.2) {
            (Some(g), Some(w)) => assert!((g - w).abs() < 1e-6, "moved {g} m"),
            (g, w) => assert_eq!(g, w),
        }
    }
    let json = serde_json::to_value(&diff).expect("json");
    assert_eq!(
        json["tables"][0]["changed"][3]["geometry"]["change"],
        "moved"
    );
    // Beyond the move, nothing changes; within a larger tolerance the move disappears.
    let loose = store
        .diff(a.delivery_id, b.delivery_id, 6.0)
        .await
        .expect("diff");
    assert_eq!(loose.tables[0].changed.len(), 3);
    store.close().await;
    place.finish().await;
}

async fn an_import_failing_midway_leaves_the_store_unchanged(place: Place) {
    let store = Store::open(&place.location).await.expect("open");
    let first = generated(200, 5, GraceVersion::V2_0_1);
    store
        .import(&first, &zone("Z"))
        .await
        .expect("first import");

    // The second delivery adds a column (DDL inside the transaction) to a table written early, then meets a
    // trigger that aborts the insert into the last non-empty table: tables, columns and rows written before
    // the failure must all be rolled back.
    let mut second = generated(200, 6, GraceVersion::V2_0_1);
    let last = second
        .tables
        .iter()
        .rev()
        .find(|(_, t)| !t.is_empty())
        .map(|(n, _)| n.clone())
        .expect("a table");
    let early = second
        .tables
        .keys()
        .find(|n| **n != last)
        .cloned()
        .expect("another table");
    let t = &second.tables[&early];
    let mut columns = t.columns.clone();
    columns.push("zz_extra".into());
    let mut b = RawTableBuilder::new(t.name.clone(), t.file.clone(), SourceFormat::Csv, columns);
    for r in 0..t.len() {
        b.push_row(t.row(r).chain([Some("x")]));
    }
    second.tables.insert(early, b.finish());
    let trigger = if place.is_postgis() {
        format!(
            "CREATE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE 'injected'; END $$; \
             CREATE TRIGGER fail BEFORE INSERT ON v201_{last} FOR EACH ROW EXECUTE FUNCTION fail()"
        )
    } else {
        format!(
            "CREATE TRIGGER fail BEFORE INSERT ON v201_{last} BEGIN SELECT RAISE(ABORT, 'injected'); END"
        )
    };
    place.execute(&trigger).await;

    let before = place.snapshot().await;
    let err = store
        .import(&second, &zone("Z"))
        .await
        .expect_err("the trigger fails the import");
    assert!(err.to_string().contains("injected"), "{err}");
    assert_eq!(place.snapshot().await, before);
    assert_eq!(store.deliveries().await.expect("list").len(), 1);
    store.close().await;
    place.finish().await;
}

async fn a_store_of_a_newer_schema_is_refused(place: Place) {
    Store::open(&place.location)
        .await
        .expect("create")
        .close()
        .await;
    place
        .execute("UPDATE thd_store_schema SET version = 99")
        .await;
    match Store::open(&place.location).await {
        Err(
            err @ StoreError::NewerSchema {
                found, supported, ..
            },
        ) => {
            assert_eq!((found, supported), (99, thd_store::SCHEMA_VERSION));
            assert!(err.to_string().contains("upgrade the engine"), "{err}");
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    place.finish().await;
}

#[tokio::test]
async fn another_database_or_an_unknown_url_is_refused() {
    let place = Place::sqlite();
    let PlaceBackend::Sqlite { path, .. } = &place.backend else {
        unreachable!("a SQLite place")
    };
    let other = Path::new(path).with_file_name("other.sqlite");
    let other = other.to_string_lossy();
    Store::open(&other).await.expect("create").close().await;
    let mut conn = SqliteConnection::connect(&format!("sqlite://{other}"))
        .await
        .expect("connect");
    sqlx::raw_sql("DROP TABLE thd_store_schema")
        .execute(&mut conn)
        .await
        .expect("drop");
    assert!(matches!(
        Store::open(&other).await,
        Err(StoreError::NotAStore(_))
    ));
    assert!(matches!(
        Store::open("mysql://localhost/x").await,
        Err(StoreError::UnsupportedUrl(_))
    ));
}

async fn a_delivery_without_version_is_refused(place: Place) {
    let store = Store::open(&place.location).await.expect("open");
    let err = store
        .import(&RawDelivery::default(), &ImportMeta::default())
        .await
        .expect_err("no version");
    assert!(matches!(err, StoreError::NoVersion { .. }));
    store.close().await;
    place.finish().await;
}

/// The same deliveries give the same loads, details and diffs on both backends.
#[tokio::test]
async fn both_backends_give_the_same_answers() {
    let Some(pg) = Place::postgis("both_backends_give_the_same_answers").await else {
        return;
    };
    let lite = Place::sqlite();
    let (old, new, _) = old_and_new();
    let mut answers = Vec::new();
    for place in [&lite, &pg] {
        let store = Store::open(&place.location).await.expect("open");
        let a = store.import(&old, &zone("Z")).await.expect("old");
        let b = store.import(&new, &zone("Z")).await.expect("new");
        let diff = store
            .diff(a.delivery_id, b.delivery_id, 1.0)
            .await
            .expect("diff");
        let mut detail = store.delivery(b.delivery_id).await.expect("detail");
        detail.summary.imported_at.clear();
        let loaded = store.load(b.delivery_id).await.expect("load");
        answers.push((diff, detail, loaded));
        store.close().await;
    }
    assert_eq!(answers[0].0, answers[1].0, "diff");
    assert_eq!(answers[0].1, answers[1].1, "detail");
    assert_same(&answers[1].2, &answers[0].2);
    pg.finish().await;
}

/// Another process writing: the import waits for the busy timeout, then fails with `Locked` and writes
/// nothing; once the other writer is gone the same import succeeds. On a multi-thread runtime, which also
/// exercises the import running under `block_in_place`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_into_a_store_locked_by_another_writer_fails_with_locked() {
    let place = Place::sqlite();
    let PlaceBackend::Sqlite { path, .. } = &place.backend else {
        unreachable!("a SQLite place")
    };
    let store = Store::open(path).await.expect("open");
    let delivery = generated(50, 8, GraceVersion::V2_0_1);
    let before = place.snapshot().await;

    let mut other = SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .expect("connect");
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("take the write lock");
    let err = store
        .import(&delivery, &zone("Z"))
        .await
        .expect_err("the store is locked");
    assert!(matches!(err, StoreError::Locked(_)), "{err:?}");
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut other)
        .await
        .expect("release the lock");
    other.close().await.expect("close");
    assert_eq!(place.snapshot().await, before);

    let outcome = store
        .import(&delivery, &zone("Z"))
        .await
        .expect("import once unlocked");
    assert!(!outcome.already_present);
    assert_same(
        &store.load(outcome.delivery_id).await.expect("load"),
        &delivery,
    );
}

/// A hand-made diagnostic: rule `rule`, on table `table`, at `severity`, numbered `n` in its message.
fn diagnostic(n: usize, rule: &'static str, table: &str, severity: Severity) -> Diagnostic {
    Diagnostic {
        rule: rule.into(),
        category: Category::Topology,
        severity,
        table: Some(table.to_owned()),
        object: None,
        file: None,
        row: None,
        column: None,
        value: None,
        location: None,
        message_fr: format!("défaut {n}"),
        message_en: format!("defect {n}"),
        hint: None,
    }
}

async fn diagnostics_page_through_filters_in_stored_order(place: Place) {
    let delivery = generated(40, 3, GraceVersion::V2_0_1);
    // 30 diagnostics whose filters' answers are known by construction: every third an error on t_noeud, the
    // others warnings on t_cable; rule a for even n, b for odd n.
    let checks: Vec<Diagnostic> = (0..30)
        .map(|n| {
            let (table, severity) = if n % 3 == 0 {
                ("t_noeud", Severity::Error)
            } else {
                ("t_cable", Severity::Warning)
            };
            diagnostic(
                n,
                if n % 2 == 0 { "rule.a" } else { "rule.b" },
                table,
                severity,
            )
        })
        .collect();
    let read = delivery.diagnostics.len() as u64;
    let store = Store::open(&place.location).await.expect("open");
    let meta = ImportMeta {
        checks,
        ..ImportMeta::default()
    };
    let id = store
        .import(&delivery, &meta)
        .await
        .expect("import")
        .delivery_id;

    let all = store
        .diagnostics(
            id,
            &DiagnosticQuery {
                limit: 1000,
                ..DiagnosticQuery::default()
            },
        )
        .await
        .expect("all");
    assert_eq!(all.total, read + 30);
    let errors = store
        .diagnostics(
            id,
            &DiagnosticQuery {
                min_severity: Some(Severity::Error),
                table: Some("t_noeud".into()),
                limit: 4,
                offset: 2,
                ..DiagnosticQuery::default()
            },
        )
        .await
        .expect("errors");
    assert_eq!(errors.total, 10, "n = 0, 3, ..., 27");
    let messages: Vec<&str> = errors.items.iter().map(|d| d.message_en.as_str()).collect();
    assert_eq!(messages, ["defect 6", "defect 9", "defect 12", "defect 15"]);
    let rule_b = store
        .diagnostics(
            id,
            &DiagnosticQuery {
                rule: Some("rule.b".into()),
                table: Some("t_cable".into()),
                ..DiagnosticQuery::default()
            },
        )
        .await
        .expect("rule b");
    // Odd n not divisible by 3 below 30: 1, 5, 7, 11, 13, 17, 19, 23, 25, 29.
    assert_eq!(rule_b.total, 10);
    assert_eq!(rule_b.items.len(), 10);
    assert!(matches!(
        store.diagnostics(id + 1, &DiagnosticQuery::default()).await,
        Err(StoreError::NoDelivery(_))
    ));
    store.close().await;
    place.finish().await;
}
