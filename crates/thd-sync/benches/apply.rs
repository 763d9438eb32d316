//! Sync writes per second on SQLite (the target is at least 2 000/s): each write is one `apply` — its own
//! transaction with idempotency claim, version check, conditional update and audit row — on a store file in
//! WAL mode, as the server runs it.
//!
//! - `apply/sequential`: one client, one write after the other (each waits for its commit).
//! - `apply/concurrent_16`: 16 clients at once on 64 subjects, as when the delegatee's workers sync in parallel.
//!
//! Writes cycle through received → under_inspection → rejected → received, so every write is a valid
//! transition however many criterion asks for. Run with `cargo bench -p thd-sync --bench apply`; criterion
//! prints the throughput in elements (writes) per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use thd_sync::{Actor, Command, State, Subject, SyncStore, TransitionRequest};

const SUBJECTS: usize = 64;
const CLIENTS: usize = 16;

/// The next step of the cycle and what it carries.
fn next(state: State) -> TransitionRequest {
    match state {
        State::Received => TransitionRequest::to(State::UnderInspection),
        State::UnderInspection => TransitionRequest {
            reasons: vec!["splice losses above the contract's limit".into()],
            ..TransitionRequest::to(State::Rejected)
        },
        _ => TransitionRequest::to(State::Received),
    }
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_740_823_200, 0).expect("time")
}

/// A subject's place in the cycle, kept by the one client that writes it.
struct Cursor {
    subject: Subject,
    state: State,
    version: i64,
}

async fn write(store: &SyncStore, actor: &Actor, cursor: &mut Cursor, key: u64) {
    let applied = store
        .apply(&Command {
            subject: cursor.subject.clone(),
            expected_version: cursor.version,
            transition: next(cursor.state),
            actor: actor.clone(),
            idempotency_key: format!("k{key}"),
            at: at(),
        })
        .await
        .expect("apply");
    cursor.state = applied.entry.to;
    cursor.version = applied.entry.version;
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("store.gpkg");
    let location = path.to_string_lossy().into_owned();
    let actor = Actor {
        organisation: "delegatee".into(),
        token_id: "bench".into(),
    };
    let (store, cursors) = runtime.block_on(async {
        thd_store::Store::open(&location)
            .await
            .expect("delivery store")
            .close()
            .await;
        let store = SyncStore::open(&location).await.expect("sync store");
        let mut cursors = Vec::new();
        for i in 0..SUBJECTS {
            let subject = Subject::sro(1, format!("ZS{i:03}"));
            store
                .register(&subject, at(), &actor)
                .await
                .expect("register");
            cursors.push(Cursor {
                subject,
                state: State::Received,
                version: 1,
            });
        }
        (store, cursors)
    });
    let keys = Arc::new(AtomicU64::new(0));
    let mut cursors = cursors;

    let mut group = c.benchmark_group("apply");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("sequential", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for i in 0..iters {
                    let cursor = &mut cursors[i as usize % SUBJECTS];
                    write(&store, &actor, cursor, keys.fetch_add(1, Ordering::Relaxed)).await;
                }
                start.elapsed()
            })
        })
    });

    // Each client owns SUBJECTS / CLIENTS subjects, so no write is stale and every one counts.
    let mut groups: Vec<Vec<Cursor>> = (0..CLIENTS).map(|_| Vec::new()).collect();
    for (i, cursor) in cursors.into_iter().enumerate() {
        groups[i % CLIENTS].push(cursor);
    }
    group.bench_function("concurrent_16", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                let mut tasks = Vec::new();
                for (client, mine) in groups.iter_mut().enumerate() {
                    let share = iters / CLIENTS as u64
                        + u64::from((client as u64) < iters % CLIENTS as u64);
                    let mut mine = std::mem::take(mine);
                    let (store, actor, keys) = (store.clone(), actor.clone(), keys.clone());
                    tasks.push(tokio::spawn(async move {
                        let n = mine.len();
                        for i in 0..share {
                            let key = keys.fetch_add(1, Ordering::Relaxed);
                            write(&store, &actor, &mut mine[i as usize % n], key).await;
                        }
                        mine
                    }));
                }
                for (slot, task) in groups.iter_mut().zip(tasks) {
                    *slot = task.await.expect("client");
                }
                start.elapsed()
            })
        })
    });
    group.finish();
    runtime.block_on(store.close());
}

criterion_group!(benches, bench);
criterion_main!(benches);
