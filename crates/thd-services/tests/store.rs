//! The catalogue in a SQLite store file: migrations, all-or-nothing imports, round trips.

use std::path::Path;

use thd_services::{
    Catalogue, Counts, Problem, SCHEMA_VERSION, ServicesError, ServicesStore, export_bodies,
    export_subscriptions, export_usage,
};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn shipped() -> Catalogue {
    Catalogue::shipped().expect("the shipped catalogue is valid")
}

/// The (line, column, problem) of each error of an import that must fail on its CSV.
fn csv_problems(result: Result<u64, ServicesError>) -> Vec<(u64, Option<String>, Problem)> {
    match result {
        Err(ServicesError::InvalidCsv(e)) => e
            .errors
            .into_iter()
            .map(|e| (e.line, e.column, e.problem))
            .collect(),
        other => panic!("expected an invalid CSV, got {other:?}"),
    }
}

fn col(name: &str) -> Option<String> {
    Some(name.to_owned())
}

#[test]
fn bad_bodies_report_every_line_and_store_nothing() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ServicesStore::open(&dir.path().join("store.gpkg"))
            .await
            .expect("open");
        store
            .seed(&shipped().reference())
            .await
            .expect("reference data");
        let before = store.counts().await.expect("counts");
        assert_eq!(before.bodies, 0);
        let csv = "id;kind;name;insee;siren;epci;population;sample\n\
                   e1;epci;Good EPCI;;;;25000;yes\n\
                   c1;commune;Good commune;29019;;e1;;no\n\
                   c2;commune;Bad INSEE;2901;;e1;;no\n\
                   c3;commune;Bad SIREN;29020;233500017;e1;;no\n\
                   e1;epci;Same id;;;;10;no\n\
                   c4;commune;Unknown EPCI;29024;;e9;;no\n\
                   e2;epci;Bad number;;;;12k;no\n\
                   c5;village;Bad kind;29026;;;;no\n\
                   c6;commune;Corsica ok, EPCI is a commune;2A004;;c1;;no\n";
        let problems = csv_problems(store.import_bodies(csv.as_bytes(), "bodies.csv").await);
        assert_eq!(
            problems,
            vec![
                (
                    4,
                    col("insee"),
                    Problem::BadInsee {
                        expected: "a commune code of 5 digits, or 2A/2B and 3 digits in Corsica"
                            .into()
                    }
                ),
                (5, col("siren"), Problem::BadSiren),
                (
                    6,
                    col("id"),
                    Problem::Duplicate {
                        first_line: Some(2)
                    }
                ),
                (7, col("epci"), Problem::UnknownBody),
                (8, col("population"), Problem::BadNumber),
                (
                    9,
                    col("kind"),
                    Problem::NotAllowed {
                        allowed: "region, department, epci, commune, other".into()
                    }
                ),
                (
                    10,
                    col("epci"),
                    Problem::WrongKind {
                        expected: "epci".into()
                    }
                ),
            ]
        );
        assert_eq!(
            store.counts().await.expect("counts"),
            before,
            "nothing stored"
        );
        // The same file without its bad rows goes in whole.
        let good: String = csv.lines().take(3).map(|l| format!("{l}\n")).collect();
        assert_eq!(
            store
                .import_bodies(good.as_bytes(), "bodies.csv")
                .await
                .expect("import"),
            2
        );
        // And a second import of it is all duplicates of the store, ids and the commune's INSEE code alike.
        let problems = csv_problems(store.import_bodies(good.as_bytes(), "bodies.csv").await);
        assert_eq!(
            problems,
            vec![
                (2, col("id"), Problem::Duplicate { first_line: None }),
                (3, col("id"), Problem::Duplicate { first_line: None }),
                (3, col("insee"), Problem::Duplicate { first_line: None }),
            ]
        );
        store.close().await;
    });
}

#[test]
fn bad_subscriptions_and_usage_store_nothing_and_messages_say_what_to_fix() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ServicesStore::open(&dir.path().join("store.sqlite"))
            .await
            .expect("open");
        let cat = shipped();
        store.seed(&cat).await.expect("seed");
        let before = store.counts().await.expect("counts");

        let subs = "body,service,since\n\
                    com-29019,archiving,2021\n\
                    com-29019,teleportation,\n\
                    com-99999,archiving,\n\
                    region-bretagne,procurement,\n\
                    com-29019,archiving,\n\
                    com-29020,ged,20x1\n";
        let err = store
            .import_subscriptions(subs.as_bytes(), "subs.csv")
            .await;
        let Err(ServicesError::InvalidCsv(report)) = err else {
            panic!("expected an invalid CSV, got {err:?}");
        };
        let lines: Vec<(u64, &Problem)> =
            report.errors.iter().map(|e| (e.line, &e.problem)).collect();
        assert_eq!(
            lines,
            vec![
                (3, &Problem::UnknownService),
                (4, &Problem::UnknownBody),
                (5, &Problem::Duplicate { first_line: None }),
                (
                    6,
                    &Problem::Duplicate {
                        first_line: Some(2)
                    }
                ),
                (7, &Problem::BadYear),
            ]
        );
        let first = report.errors[0].to_string();
        assert!(
            first.starts_with("subs.csv:3: column service: unknown service \"teleportation\""),
            "{first}"
        );
        assert!(
            first.contains("service inconnu \"teleportation\""),
            "{first}"
        );
        assert!(
            report
                .to_string()
                .contains("5 problem(s), nothing imported")
        );

        let usage = "indicator;year;value\n\
                     support-tickets;2020;21 000\n\
                     archives-deposited;2019;1\n\
                     unknown-thing;2020;5\n\
                     support-tickets;1820;5\n\
                     support-tickets;2021;-4\n";
        let problems = csv_problems(store.import_usage(usage.as_bytes(), "usage.csv").await);
        assert_eq!(
            problems,
            vec![
                (3, col("year"), Problem::Duplicate { first_line: None }),
                (4, col("indicator"), Problem::UnknownIndicator),
                (5, col("year"), Problem::BadYear),
                (6, col("value"), Problem::BadNumber),
            ]
        );
        assert_eq!(
            store.counts().await.expect("counts"),
            before,
            "nothing stored"
        );
        assert_eq!(
            store
                .catalogue()
                .await
                .expect("load")
                .usage_value("support-tickets", 2020),
            None
        );
        store.close().await;
    });
}

#[test]
fn shipped_catalogue_round_trips_through_the_store_and_csv_exports() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let cat = shipped();
        let a = ServicesStore::open(&dir.path().join("a.sqlite"))
            .await
            .expect("open a");
        let added = a.seed(&cat).await.expect("seed");
        assert_eq!(
            added,
            Counts {
                services: 14,
                indicators: 7,
                funding_bands: 6,
                bodies: 118,
                subscriptions: 305,
                usage: 14,
            }
        );
        assert_eq!(
            a.seed(&cat).await.expect("seed again"),
            Counts::default(),
            "seeding twice adds nothing"
        );
        let loaded = a.catalogue().await.expect("load a");
        assert_eq!(
            loaded, cat,
            "store → catalogue gives back the shipped catalogue"
        );

        // Export from store A, import into a store B that only has the reference data.
        let (bodies, subscriptions, usage) = (
            export_bodies(&loaded),
            export_subscriptions(&loaded),
            export_usage(&loaded),
        );
        let b = ServicesStore::open(&dir.path().join("b.sqlite"))
            .await
            .expect("open b");
        b.seed(&loaded.reference()).await.expect("reference");
        assert_eq!(
            b.import_bodies(bodies.as_bytes(), "bodies.csv")
                .await
                .expect("bodies"),
            118
        );
        assert_eq!(
            b.import_subscriptions(subscriptions.as_bytes(), "subs.csv")
                .await
                .expect("subs"),
            305
        );
        assert_eq!(
            b.import_usage(usage.as_bytes(), "usage.csv")
                .await
                .expect("usage"),
            14
        );
        let again = b.catalogue().await.expect("load b");
        assert_eq!(again, cat);
        assert_eq!(export_bodies(&again), bodies);
        a.close().await;
        b.close().await;
    });
}

#[test]
fn names_with_separators_and_quotes_survive_export_and_import() {
    let mut cat = shipped().reference();
    let csv = "id,kind,name,insee,siren,epci,population,sample\n\
               x,other,\"Syndicat \"\"mixte\"\"; eau, assainissement\",,,,,yes\n";
    cat.import_bodies(csv.as_bytes(), "b.csv").expect("import");
    let exported = export_bodies(&cat);
    let mut back = shipped().reference();
    back.import_bodies(exported.as_bytes(), "b.csv")
        .expect("re-import");
    assert_eq!(
        back.body("x").map(|b| b.name.as_str()),
        Some("Syndicat \"mixte\"; eau, assainissement")
    );
    assert_eq!(back, cat);
}

/// Sets the services schema version of the file at `path` by hand, as a newer engine would have.
async fn set_schema_version(path: &Path, version: i64) {
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    let pool = sqlx::SqlitePool::connect_with(opts)
        .await
        .expect("raw pool");
    sqlx::query("UPDATE svc_schema_version SET version = ?")
        .bind(version)
        .execute(&pool)
        .await
        .expect("update");
    pool.close().await;
}

#[test]
fn a_newer_schema_is_refused_and_the_current_one_reopens() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.sqlite");
        ServicesStore::open(&path)
            .await
            .expect("create")
            .close()
            .await;
        ServicesStore::open(&path)
            .await
            .expect("reopen")
            .close()
            .await;
        set_schema_version(&path, SCHEMA_VERSION + 1).await;
        match ServicesStore::open(&path).await {
            Err(ServicesError::NewerSchema {
                found, supported, ..
            }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    });
}

#[test]
fn services_tables_live_beside_other_tables_of_the_file() {
    rt().block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("network.gpkg");
        // A file that already holds another component's tables (as the delivery store's would).
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.expect("raw pool");
        sqlx::raw_sql(
            "CREATE TABLE thd_store_schema (version INTEGER NOT NULL); INSERT INTO thd_store_schema VALUES (7);
             CREATE TABLE v201_t_noeud (delivery_id INTEGER, nd_code TEXT); INSERT INTO v201_t_noeud VALUES (1, 'N1');",
        )
        .execute(&pool)
        .await
        .expect("other tables");
        let store = ServicesStore::from_pool(pool.clone(), "network.gpkg").await.expect("services on the pool");
        store.seed(&shipped()).await.expect("seed");
        let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&pool)
            .await
            .expect("tables");
        let theirs: Vec<&str> = tables.iter().map(String::as_str).filter(|t| !t.starts_with("svc_")).collect();
        assert_eq!(theirs, ["thd_store_schema", "v201_t_noeud"]);
        let version: i64 = sqlx::query_scalar("SELECT version FROM thd_store_schema").fetch_one(&pool).await.expect("v");
        assert_eq!(version, 7, "the other component's schema version is untouched");
        let node: String = sqlx::query_scalar("SELECT nd_code FROM v201_t_noeud").fetch_one(&pool).await.expect("row");
        assert_eq!(node, "N1");
        assert_eq!(store.counts().await.expect("counts").bodies, 118);
        pool.close().await;
    });
}
