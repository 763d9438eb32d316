//! Authentication speed: how many `AccessStore::authenticate` calls per second one caller makes, one after the
//! other, against a SQLite file and a PostgreSQL schema each holding 1 000 tokens.
//!
//! `cargo bench -p thd-access --bench authenticate`. The PostgreSQL case uses a schema of its own in the
//! database `THD_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/thd_test`), dropped at the end, and is
//! left out, saying so, when that database is unreachable. The token's `last_used_at` is written on the first
//! call and then at most once a minute, as in service.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use thd_access::{AccessStore, Role, TokenSecret};

/// The PostgreSQL database when `THD_TEST_PG` is not set (the tests' default).
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/thd_test";

const TOKENS: usize = 1_000;

/// Fills `store` with [`TOKENS`] tokens of one organisation and returns the last one's secret.
async fn fill(store: &AccessStore) -> TokenSecret {
    let org = store.create_organisation("bench").await.expect("org");
    let mut last = None;
    for i in 0..TOKENS {
        let (_, secret) = store
            .create_token(org.id, Role::Engineer, &format!("token {i}"))
            .await
            .expect("token");
        last = Some(secret);
    }
    last.expect("at least one token")
}

fn authenticate(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut group = c.benchmark_group("authenticate");
    group.throughput(Throughput::Elements(1));

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.gpkg");
    let store = runtime
        .block_on(AccessStore::open(&path.to_string_lossy()))
        .expect("open");
    let secret = runtime.block_on(fill(&store));
    group.bench_function("sqlite", |b| {
        b.iter(|| {
            runtime
                .block_on(store.authenticate(secret.expose()))
                .expect("valid")
        })
    });
    runtime.block_on(store.close());

    let url = std::env::var("THD_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    match runtime.block_on(PgConnection::connect(&url)) {
        Err(e) => println!("PostgreSQL case left out: {url} is unreachable ({e})"),
        Ok(mut conn) => {
            let schema = format!("thd_bench_access_{}", std::process::id());
            let mut run = |sql: String| {
                runtime
                    .block_on(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn))
                    .map(drop)
            };
            run(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .expect("schema");
            let join = if url.contains('?') { '&' } else { '?' };
            let location = format!("{url}{join}options=-c%20search_path%3D{schema}");
            let store = runtime
                .block_on(AccessStore::open(&location))
                .expect("open");
            let secret = runtime.block_on(fill(&store));
            group.bench_function("postgres", |b| {
                b.iter(|| {
                    runtime
                        .block_on(store.authenticate(secret.expose()))
                        .expect("valid")
                })
            });
            runtime.block_on(store.close());
            run(format!("DROP SCHEMA {schema} CASCADE")).expect("drop schema");
        }
    }
    group.finish();
}

criterion_group!(benches, authenticate);
criterion_main!(benches);
