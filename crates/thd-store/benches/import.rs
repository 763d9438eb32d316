//! Import speed: a generated 100 000-plug GraceTHD v2.0.1 delivery into a new store, SQLite and PostGIS, in rows
//! per second (rows of all tables).
//!
//! `cargo bench -p thd-store --bench import`. Each iteration imports into a fresh SQLite file in a temporary
//! folder, or a fresh schema of the PostGIS database `THD_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/thd_test`), so the figure includes creating the data tables, their
//! indexes and the commit. The PostGIS case is left out, saying so, when that database is unreachable.

use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawDelivery};
use thd_store::{ImportMeta, Store};

const PLUGS: u32 = 100_000;

/// The PostGIS database when `THD_TEST_PG` is not set (the tests' default).
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/thd_test";

fn delivery() -> RawDelivery {
    let generated = generate(&GenerateOptions {
        fibres: true,
        plugs: PLUGS,
        seed: 7,
        version: GraceVersion::V2_0_1,
        defects: 0,
        department: Some("29".into()),
    })
    .expect("generate");
    RawDelivery {
        origin: "generated".into(),
        version: Some(generated.version),
        tables: generated
            .tables
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect(),
        ..RawDelivery::default()
    }
}

fn import(c: &mut Criterion) {
    let delivery = delivery();
    let rows = delivery.rows() as u64;
    println!(
        "{PLUGS} plugs: {rows} rows in {} tables",
        delivery.tables.len()
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(rows));
    group.bench_function("sqlite_100k_plugs", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                runtime.block_on(async {
                    let path = dir.path().join("store.gpkg");
                    let store = Store::open(path.to_str().expect("utf-8 path"))
                        .await
                        .expect("open");
                    let outcome = store
                        .import(&delivery, &ImportMeta::default())
                        .await
                        .expect("import");
                    assert_eq!(outcome.rows, rows);
                    store.close().await;
                });
                dir
            },
            criterion::BatchSize::PerIteration,
        );
    });

    let url = std::env::var("THD_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    match runtime.block_on(PgConnection::connect(&url)) {
        Err(e) => println!("postgis_100k_plugs left out: {url} is unreachable ({e})"),
        Ok(mut admin) => {
            // Each iteration gets a new schema; the previous one is dropped in the (untimed) setup.
            let mut n = 0;
            let mut sql = |sql: String| {
                runtime
                    .block_on(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin))
                    .expect("schema");
            };
            let schema = |n: u32| format!("thd_bench_{}_{n}", std::process::id());
            let join = if url.contains('?') { '&' } else { '?' };
            group.bench_function("postgis_100k_plugs", |b| {
                b.iter_batched(
                    || {
                        sql(format!(
                            "DROP SCHEMA IF EXISTS {} CASCADE; CREATE SCHEMA {}",
                            schema(n),
                            schema(n + 1)
                        ));
                        n += 1;
                        format!(
                            "{url}{join}options=-c%20search_path%3D{}%2Cpublic",
                            schema(n)
                        )
                    },
                    |location| {
                        runtime.block_on(async {
                            let store = Store::open(&location).await.expect("open");
                            let outcome = store
                                .import(&delivery, &ImportMeta::default())
                                .await
                                .expect("import");
                            assert_eq!(outcome.rows, rows);
                            store.close().await;
                        });
                    },
                    criterion::BatchSize::PerIteration,
                );
            });
            sql(format!("DROP SCHEMA IF EXISTS {} CASCADE", schema(n)));
        }
    }
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
