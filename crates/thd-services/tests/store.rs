//! The catalogue in the store's database: migrations, all-or-nothing imports, concurrent imports, round trips.
//!
//! # Both backends
//!
//! Every test written as `async fn name(place: Place)` and listed in `on_both_backends!` runs twice, as
//! `name::sqlite` (a file in a temporary folder) and `name::postgres` (a schema of its own in the database
//! `THD_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/thd_test`). As in the store's and the access
//! tables' tests, the PostgreSQL tests **fail** when that database is unreachable, saying why, unless
//! `THD_SKIP_PG=1`, when they print the reason and skip.

mod common;

use common::Place;
use thd_services::{
    BodyKind, Catalogue, Counts, Problem, SCHEMA_VERSION, ServicesError, ServicesStore,
    export_bodies, export_subscriptions, export_usage,
};

/// Runs each listed `async fn name(place: Place)` as `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(super::Place::sqlite()).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(place) = super::Place::postgres(stringify!($name)).await {
                    super::$name(place).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    bad_bodies_report_every_line_and_store_nothing,
    bad_subscriptions_and_usage_store_nothing_and_messages_say_what_to_fix,
    shipped_catalogue_round_trips_through_the_store_and_csv_exports,
    a_commune_may_come_before_its_epci_in_one_file,
    a_newer_schema_is_refused_and_the_current_one_reopens,
    services_tables_live_beside_other_tables_of_the_database,
    concurrent_imports_of_the_same_body_store_one_file_whole_and_refuse_the_other,
    only_a_store_without_services_gets_the_shipped_catalogue,
);

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

async fn bad_bodies_report_every_line_and_store_nothing(place: Place) {
    let store = ServicesStore::open(&place.location).await.expect("open");
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
                    body_kind: BodyKind::Commune
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
    place.finish().await;
}

async fn bad_subscriptions_and_usage_store_nothing_and_messages_say_what_to_fix(place: Place) {
    let store = ServicesStore::open(&place.location).await.expect("open");
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
    let lines: Vec<(u64, &Problem)> = report.errors.iter().map(|e| (e.line, &e.problem)).collect();
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
    place.finish().await;
}

async fn shipped_catalogue_round_trips_through_the_store_and_csv_exports(place: Place) {
    let cat = shipped();
    let a = ServicesStore::open(&place.location).await.expect("open a");
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
    let other = place.another("b").await;
    let b = ServicesStore::open(&other.location).await.expect("open b");
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
    place.finish().await;
    other.finish().await;
}

async fn only_a_store_without_services_gets_the_shipped_catalogue(place: Place) {
    let new = ServicesStore::open(&place.location).await.expect("open");
    let added = new
        .seed_shipped_if_empty()
        .await
        .expect("seed")
        .expect("a new store is seeded");
    assert_eq!(added.bodies, 118);
    assert_eq!(new.catalogue().await.expect("load"), shipped());
    assert_eq!(
        new.seed_shipped_if_empty().await.expect("again"),
        None,
        "a seeded store is left alone"
    );

    // A store whose catalogue is the operator's own (here only the reference part) is not topped up.
    let other = Place::sqlite();
    let own = ServicesStore::open(&other.location).await.expect("open");
    own.seed(&shipped().reference()).await.expect("reference");
    assert_eq!(own.seed_shipped_if_empty().await.expect("check"), None);
    assert_eq!(own.counts().await.expect("counts").bodies, 0);
}

async fn a_commune_may_come_before_its_epci_in_one_file(place: Place) {
    let store = ServicesStore::open(&place.location).await.expect("open");
    store
        .seed(&shipped().reference())
        .await
        .expect("reference data");
    // The commune's EPCI is two lines further down: the reference is checked when the import commits.
    let csv = "id;kind;name;insee;siren;epci;population;sample\n\
               c1;commune;Commune first;29019;;e1;;no\n\
               c2;commune;Another;29020;;e1;;no\n\
               e1;epci;Its EPCI;;;;25000;yes\n";
    assert_eq!(
        store
            .import_bodies(csv.as_bytes(), "bodies.csv")
            .await
            .expect("import"),
        3
    );
    let cat = store.catalogue().await.expect("load");
    let ids: Vec<&str> = cat.bodies().map(|b| b.id.as_str()).collect();
    assert_eq!(
        ids,
        ["c1", "c2", "e1"],
        "read back in the order of the file"
    );
    assert_eq!(
        cat.body("c1")
            .and_then(|b| b.epci.as_ref())
            .map(|e| e.as_str()),
        Some("e1")
    );
    store.close().await;
    place.finish().await;
}

async fn a_newer_schema_is_refused_and_the_current_one_reopens(place: Place) {
    ServicesStore::open(&place.location)
        .await
        .expect("create")
        .close()
        .await;
    ServicesStore::open(&place.location)
        .await
        .expect("reopen")
        .close()
        .await;
    assert_eq!(
        place
            .strings("SELECT CAST(version AS TEXT) FROM svc_schema_version")
            .await,
        [SCHEMA_VERSION.to_string()]
    );
    // As a newer engine would have left it.
    place
        .execute(&format!(
            "UPDATE svc_schema_version SET version = {}",
            SCHEMA_VERSION + 1
        ))
        .await;
    match ServicesStore::open(&place.location).await {
        Err(ServicesError::NewerSchema {
            found, supported, ..
        }) => {
            assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    place.finish().await;
}

async fn services_tables_live_beside_other_tables_of_the_database(place: Place) {
    // A database that already holds another component's tables (as the delivery store's would).
    place
        .execute(
            "CREATE TABLE thd_store_schema (version BIGINT NOT NULL); INSERT INTO thd_store_schema VALUES (7);
             CREATE TABLE v201_t_noeud (delivery_id BIGINT, nd_code TEXT); INSERT INTO v201_t_noeud VALUES (1, 'N1');",
        )
        .await;
    let store = ServicesStore::open(&place.location)
        .await
        .expect("services beside them");
    store.seed(&shipped()).await.expect("seed");
    let tables = place.tables().await;
    let theirs: Vec<&str> = tables
        .iter()
        .map(String::as_str)
        .filter(|t| !t.starts_with("svc_"))
        .collect();
    assert_eq!(theirs, ["thd_store_schema", "v201_t_noeud"]);
    assert_eq!(
        place
            .strings("SELECT CAST(version AS TEXT) FROM thd_store_schema")
            .await,
        ["7"],
        "the other component's schema version is untouched"
    );
    assert_eq!(
        place.strings("SELECT nd_code FROM v201_t_noeud").await,
        ["N1"]
    );
    assert_eq!(store.counts().await.expect("counts").bodies, 118);
    store.close().await;
    place.finish().await;
}

/// Two imports of files that share a body id, by two stores (two processes) at once. Each import must read
/// the catalogue as the other left it: one file goes in whole, the other is refused whole for its duplicate,
/// never both in part (which is what `ON CONFLICT DO NOTHING` alone would give, skipping the clashing row).
async fn concurrent_imports_of_the_same_body_store_one_file_whole_and_refuse_the_other(
    place: Place,
) {
    let first = ServicesStore::open(&place.location).await.expect("open");
    first
        .seed(&shipped().reference())
        .await
        .expect("reference data");
    let second = ServicesStore::open(&place.location)
        .await
        .expect("open again");
    let header = "id;kind;name;insee;siren;epci;population;sample\n";
    let mut stored = 0;
    for round in 0..5 {
        let shared = format!("shared-{round}");
        let a = format!(
            "{header}{shared};epci;EPCI of A;;;;30000;no\na-{round};commune;Commune of A;29{:03};;{shared};;no\n",
            2 * round
        );
        let b = format!(
            "{header}b-{round};commune;Commune of B;29{:03};;{shared};;no\n{shared};epci;EPCI of B;;;;12000;no\n\
             b-epci-{round};epci;Other EPCI of B;;;;5000;no\n",
            2 * round + 1
        );
        // Another writer holds the lock while both imports start, so that both wait for it at once.
        let held = place.hold_writes().await;
        let (from_a, from_b, ()) = tokio::join!(
            first.import_bodies(a.as_bytes(), "a.csv"),
            second.import_bodies(b.as_bytes(), "b.csv"),
            async {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                held.release().await;
            }
        );
        let (winner, loser, refused, duplicate_line) = match (from_a, from_b) {
            (Ok(2), refused @ Err(_)) => ("A", "B", refused, 3),
            (refused @ Err(_), Ok(3)) => ("B", "A", refused, 2),
            other => {
                panic!("round {round}: expected exactly one import to succeed whole, got {other:?}")
            }
        };
        assert_eq!(
            csv_problems(refused),
            [(
                duplicate_line,
                col("id"),
                Problem::Duplicate { first_line: None }
            )],
            "round {round}: {loser} is refused for the body {winner} stored"
        );
        stored += if winner == "A" { 2 } else { 3 };
        let cat = first.catalogue().await.expect("load");
        assert_eq!(
            cat.bodies().count(),
            stored,
            "round {round}: nothing of {loser} stored"
        );
        assert_eq!(
            cat.body(&shared).map(|b| b.name.as_str()),
            Some(format!("EPCI of {winner}").as_str())
        );
        let losers_own = if loser == "A" {
            vec![format!("a-{round}")]
        } else {
            vec![format!("b-{round}"), format!("b-epci-{round}")]
        };
        for id in losers_own {
            assert!(
                cat.body(&id).is_none(),
                "round {round}: {id} of {loser} stored"
            );
        }
    }
    first.close().await;
    second.close().await;
    place.finish().await;
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

/// A store file is named by its path or by a `sqlite://` URL alike; what one wrote, the other reads.
#[tokio::test]
async fn a_sqlite_url_and_a_path_open_the_same_file() {
    let place = Place::sqlite();
    let store = ServicesStore::open(&place.location).await.expect("path");
    store.seed(&shipped()).await.expect("seed");
    store.close().await;
    let again = ServicesStore::open(&format!("sqlite://{}", place.location))
        .await
        .expect("sqlite URL");
    assert_eq!(again.catalogue().await.expect("load"), shipped());
    again.close().await;
}

#[tokio::test]
async fn other_urls_are_refused_and_passwords_stay_out_of_errors() {
    match ServicesStore::open("mysql://db/thd").await {
        Err(e @ ServicesError::UnsupportedUrl(_)) => {
            let message = e.to_string();
            assert!(message.contains("\"mysql://db/thd\""), "{message}");
            assert!(message.contains("postgres://"), "{message}");
            assert!(message.contains("non pris en charge"), "{message}");
        }
        other => panic!("expected UnsupportedUrl, got {other:?}"),
    }
    // A URL that does not parse fails before any connection; the message names it without the password.
    match ServicesStore::open("postgres://thd:s3cret@127.0.0.1:port/thd").await {
        Err(e @ ServicesError::Database { .. }) => {
            let message = e.to_string();
            assert!(
                message.contains("postgres://thd:***@127.0.0.1:port/thd"),
                "{message}"
            );
            assert!(!message.contains("s3cret"), "{message}");
        }
        other => panic!("expected a database error, got {other:?}"),
    }
}
