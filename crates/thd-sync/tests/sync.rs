//! The sync store against scenarios whose right answer is known by construction: a subject driven through the
//! workflow has exactly the dates, reservations and audit rows of the commands sent; every refusal (a transition
//! outside the table, a bad payload, a stale version, a reused key) leaves every `sync_*` row as it was; a
//! replay gives back the first outcome; paging through changes sees each write once; racing clients lose
//! nothing.
//!
//! # Both backends
//!
//! Every test written as `async fn name(place: Place)` and listed in `on_both_backends!` runs twice, as
//! `name::sqlite` (a delivery store file in a temporary folder, made by `thd_store::Store::open` first, as the
//! server does) and `name::postgres` (a schema of its own in the database `THD_TEST_PG`, default
//! `postgres://postgres@127.0.0.1:5432/thd_test`). As for the store's tests, **the PostgreSQL tests fail when
//! the database is unreachable**, unless `THD_SKIP_PG=1`, when they print why and skip.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{Place, actor, at, command, date, drive, lift, path_to, valid};
use serde_json::json;
use thd_plan::{ZoneAcceptance, ZoneHandover};
use thd_sync::workflow::{PayloadProblem, TRANSITIONS};
use thd_sync::{
    Action, Applied, AuditEntry, Filter, NewReservation, Registration, State, Subject, SubjectKind,
    SyncError, SyncStore, TransitionRequest, WorkflowError, ZoneStatus,
};

/// Runs each listed `async fn name(place: Place)` as `name::sqlite` and `name::postgres`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name(super::Place::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(place) = super::Place::postgres(stringify!($name)).await {
                    super::$name(place).await;
                }
            }
        }
    )*};
}

on_both_backends!(
    the_full_workflow_keeps_its_dates_reservations_and_audit_trail,
    every_transition_outside_the_table_is_refused_and_writes_nothing,
    a_missing_or_extra_payload_is_refused_and_writes_nothing,
    a_stale_version_is_refused_with_the_current_state_and_writes_nothing,
    a_replayed_key_gives_the_original_outcome_and_writes_nothing,
    a_key_reused_for_another_request_is_refused_and_writes_nothing,
    registering_again_or_writing_an_unknown_subject_changes_nothing,
    lifting_an_unknown_or_lifted_reservation_is_refused,
    changes_since_pages_through_every_write_exactly_once,
    list_filters_by_state_kind_and_delivery,
    acceptances_give_each_zone_its_deciding_delivery,
    the_audit_trail_refuses_updates_and_deletes,
    a_store_of_a_newer_schema_is_refused,
    racing_clients_lose_no_update,
);

fn applied(result: Result<Applied, SyncError>) -> AuditEntry {
    let applied = result.unwrap_or_else(|e| panic!("write refused: {e}"));
    assert!(!applied.replayed);
    applied.entry
}

/// What identifies an audit row in an expected trail.
type Row = (
    Action,
    Option<State>,
    State,
    i64,
    chrono::DateTime<chrono::Utc>,
    Option<String>,
);

fn rows(entries: &[AuditEntry]) -> Vec<Row> {
    entries
        .iter()
        .map(|e| {
            (
                e.action,
                e.from,
                e.to,
                e.version,
                e.at,
                e.idempotency_key.clone(),
            )
        })
        .collect()
}

async fn the_full_workflow_keeps_its_dates_reservations_and_audit_trail(place: Place) {
    use State::*;
    let store = place.open().await;
    let zone = Subject::sro(1, "ZS-22-001");
    let Registration::Registered { entry } = store
        .register(&zone, at(0), &actor("operator"))
        .await
        .expect("register")
    else {
        panic!("a new subject is registered");
    };
    assert_eq!(
        (entry.seq, entry.version, entry.from, entry.to),
        (1, 1, None, Received)
    );

    applied(
        store
            .apply(&command(&zone, 1, valid(UnderInspection), "k1", 10))
            .await,
    );
    let accepted = applied(
        store
            .apply(&command(
                &zone,
                2,
                valid(AcceptedWithReservations),
                "k2",
                20,
            ))
            .await,
    );
    assert_eq!(
        accepted.payload,
        json!({"reservations": [
            {"number": 1, "object_code": "BP-22-0001", "reason": "label missing on the box", "due_on": "2025-06-30"},
            {"number": 2, "object_code": "CB-22-0107", "reason": "cable slack not coiled in chamber", "due_on": "2025-07-15"},
        ]})
    );
    // The lifting cannot be pronounced while reservations are open.
    match store
        .apply(&command(&zone, 3, valid(ReservationsLifted), "k3", 30))
        .await
    {
        Err(SyncError::Refused {
            error:
                WorkflowError::ReservationsOpen {
                    open: 2, allowed, ..
                },
            ..
        }) => assert!(allowed.is_empty(), "{allowed:?}"),
        other => panic!("reservations open expected, got {other:?}"),
    }
    let first = applied(store.lift_reservation(&lift(&zone, 1, 3, "k4", 40)).await);
    assert_eq!(first.payload, json!({"reservation": 1}));
    let status = store.subject(&zone).await.expect("status");
    let open: Vec<i64> = status.open_reservations().map(|r| r.number).collect();
    assert_eq!(open, [2]);
    applied(store.lift_reservation(&lift(&zone, 2, 4, "k5", 50)).await);
    applied(
        store
            .apply(&command(&zone, 5, valid(ReservationsLifted), "k6", 60))
            .await,
    );
    let operated = applied(
        store
            .apply(&command(&zone, 6, valid(InOperation), "k7", 70))
            .await,
    );
    assert_eq!(operated.payload, json!({"date": "2025-09-01"}));

    let status = store.subject(&zone).await.expect("status");
    assert_eq!(
        (
            status.summary.state,
            status.summary.version,
            status.summary.in_operation_on
        ),
        (InOperation, 7, Some(date("2025-09-01")))
    );
    assert_eq!(
        status.reached,
        BTreeMap::from([
            (Received, at(0)),
            (UnderInspection, at(10)),
            (AcceptedWithReservations, at(20)),
            (ReservationsLifted, at(60)),
            (InOperation, at(70)),
        ])
    );
    let lifted: Vec<_> = status
        .reservations
        .iter()
        .map(|r| (r.number, r.due_on, r.lifted_at))
        .collect();
    assert_eq!(
        lifted,
        [
            (1, date("2025-06-30"), Some(at(40))),
            (2, date("2025-07-15"), Some(at(50)))
        ]
    );
    assert!(status.rejection_reasons.is_empty());

    let trail = store.audit(&zone).await.expect("audit");
    let k = |s: &str| Some(s.to_owned());
    assert_eq!(
        rows(&trail),
        [
            (Action::Register, None, Received, 1, at(0), None),
            (
                Action::Transition,
                Some(Received),
                UnderInspection,
                2,
                at(10),
                k("k1")
            ),
            (
                Action::Transition,
                Some(UnderInspection),
                AcceptedWithReservations,
                3,
                at(20),
                k("k2")
            ),
            (
                Action::LiftReservation,
                Some(AcceptedWithReservations),
                AcceptedWithReservations,
                4,
                at(40),
                k("k4")
            ),
            (
                Action::LiftReservation,
                Some(AcceptedWithReservations),
                AcceptedWithReservations,
                5,
                at(50),
                k("k5")
            ),
            (
                Action::Transition,
                Some(AcceptedWithReservations),
                ReservationsLifted,
                6,
                at(60),
                k("k6")
            ),
            (
                Action::Transition,
                Some(ReservationsLifted),
                InOperation,
                7,
                at(70),
                k("k7")
            ),
        ]
    );
    // The refused write took no sequence number; who wrote is kept.
    let seqs: Vec<i64> = trail.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=7).collect::<Vec<_>>());
    assert_eq!(trail[0].actor, actor("operator"));
    assert_eq!(trail[1].actor, actor("delegatee"));

    // The delivery as a whole goes round the rejection loop; the reasons show while it is rejected.
    let delivery = Subject::delivery(1);
    store
        .register(&delivery, at(1), &actor("operator"))
        .await
        .expect("register");
    let reasons = TransitionRequest {
        reasons: vec![
            "as-built plans missing".into(),
            "  no splice report ".into(),
        ],
        ..TransitionRequest::to(Rejected)
    };
    applied(store.apply(&command(&delivery, 1, reasons, "d1", 80)).await);
    let status = store.subject(&delivery).await.expect("status");
    assert_eq!(
        status.rejection_reasons,
        ["as-built plans missing", "no splice report"]
    );
    applied(
        store
            .apply(&command(&delivery, 2, valid(Received), "d2", 90))
            .await,
    );
    let status = store.subject(&delivery).await.expect("status");
    assert!(status.rejection_reasons.is_empty());
    assert_eq!(
        status.reached[&Received],
        at(90),
        "the last time a state was reached"
    );
    assert_eq!(status.reached[&Rejected], at(80));

    let acceptances = store.acceptances(&[1]).await.expect("acceptances");
    assert_eq!(
        acceptances.sro,
        BTreeMap::from([(
            "ZS-22-001".to_owned(),
            ZoneStatus {
                acceptance: ZoneAcceptance::InOperation,
                in_operation_on: Some(date("2025-09-01")),
                delivery_id: 1,
            }
        )])
    );

    // Everything is still there when the store is opened again.
    let kept = store.subject(&zone).await.expect("status");
    store.close().await;
    let store = place.open().await;
    assert_eq!(store.subject(&zone).await.expect("status"), kept);
    assert_eq!(store.audit(&zone).await.expect("audit"), trail);
    store.close().await;
    place.finish().await;
}

async fn every_transition_outside_the_table_is_refused_and_writes_nothing(place: Place) {
    let store = place.open().await;
    let mut refused = 0;
    for from in State::ALL {
        let subject = Subject::sro(10, format!("ZS-{from}"));
        let version = drive(&store, &subject, &path_to(from)).await;
        let status = store.subject(&subject).await.expect("status");
        assert_eq!(status.summary.state, from);
        let open = status.open_reservations().count() as u32;
        let before = place.snapshot().await;
        for to in State::ALL {
            if from.steps().any(|s| s.to == to) {
                continue;
            }
            let key = format!("bad-{from}-{to}");
            match store
                .apply(&command(&subject, version, valid(to), &key, 99))
                .await
            {
                Err(SyncError::Refused {
                    error:
                        WorkflowError::NotAllowed {
                            from: f,
                            to: t,
                            allowed,
                        },
                    ..
                }) => {
                    assert_eq!((f, t), (from, to));
                    assert_eq!(allowed, from.allowed(open), "{from} → {to}");
                }
                other => panic!("{from} → {to}: refusal expected, got {other:?}"),
            }
            refused += 1;
        }
        assert_eq!(
            place.snapshot().await,
            before,
            "refusals from {from} wrote nothing"
        );
    }
    assert_eq!(
        refused,
        State::ALL.len() * State::ALL.len() - TRANSITIONS.len()
    );
    store.close().await;
    place.finish().await;
}

async fn a_missing_or_extra_payload_is_refused_and_writes_nothing(place: Place) {
    use State::*;
    let store = place.open().await;
    let inspected = Subject::sro(1, "ZS-A");
    drive(&store, &inspected, &[UnderInspection]).await;
    let accepted = Subject::sro(1, "ZS-B");
    drive(&store, &accepted, &[UnderInspection, Accepted]).await;
    let reservation = |object_code: &str, reason: &str| NewReservation {
        object_code: object_code.into(),
        reason: reason.into(),
        due_on: date("2025-06-30"),
    };
    let cases = [
        (
            &inspected,
            2,
            TransitionRequest::to(AcceptedWithReservations),
            vec![PayloadProblem::MissingReservations],
        ),
        (
            &inspected,
            2,
            TransitionRequest::to(Rejected),
            vec![PayloadProblem::MissingReasons],
        ),
        (
            &inspected,
            2,
            TransitionRequest {
                reasons: vec!["ok".into(), " ".into()],
                ..TransitionRequest::to(Rejected)
            },
            vec![PayloadProblem::EmptyReason { reason: 1 }],
        ),
        (
            &inspected,
            2,
            TransitionRequest {
                reservations: vec![reservation("", "no label"), reservation("BP1", "")],
                ..TransitionRequest::to(AcceptedWithReservations)
            },
            vec![
                PayloadProblem::EmptyObjectCode { reservation: 0 },
                PayloadProblem::EmptyReservationReason { reservation: 1 },
            ],
        ),
        (
            &inspected,
            2,
            TransitionRequest {
                reasons: vec!["why not".into()],
                ..TransitionRequest::to(Accepted)
            },
            vec![PayloadProblem::Unexpected { field: "reasons" }],
        ),
        (
            &accepted,
            3,
            TransitionRequest::to(InOperation),
            vec![PayloadProblem::MissingDate],
        ),
    ];
    let before = place.snapshot().await;
    for (i, (subject, version, request, expected)) in cases.into_iter().enumerate() {
        let to = request.to;
        match store
            .apply(&command(subject, version, request, &format!("p{i}"), 50))
            .await
        {
            Err(SyncError::Refused {
                error: WorkflowError::InvalidPayload { to: t, problems },
                ..
            }) => {
                assert_eq!(t, to);
                assert_eq!(problems, expected, "case {i}");
            }
            other => panic!("case {i}: invalid payload expected, got {other:?}"),
        }
    }
    assert_eq!(place.snapshot().await, before);
    store.close().await;
    place.finish().await;
}

async fn a_stale_version_is_refused_with_the_current_state_and_writes_nothing(place: Place) {
    use State::*;
    let store = place.open().await;
    let zone = Subject::pbo(2, "ZP-7");
    drive(&store, &zone, &[UnderInspection]).await;
    let reserved = Subject::pbo(2, "ZP-8");
    drive(
        &store,
        &reserved,
        &[UnderInspection, AcceptedWithReservations],
    )
    .await;
    let before = place.snapshot().await;
    for expected in [1, 3, 0] {
        match store
            .apply(&command(
                &zone,
                expected,
                valid(Accepted),
                &format!("s{expected}"),
                30,
            ))
            .await
        {
            Err(SyncError::Stale {
                subject,
                expected: e,
                current,
            }) => {
                assert_eq!((subject, e), (zone.clone(), expected));
                assert_eq!(
                    (current.summary.state, current.summary.version),
                    (UnderInspection, 2)
                );
                assert_eq!(
                    current.reached.keys().copied().collect::<Vec<_>>(),
                    [Received, UnderInspection]
                );
            }
            other => panic!("stale expected, got {other:?}"),
        }
    }
    match store
        .lift_reservation(&lift(&reserved, 1, 2, "s-lift", 30))
        .await
    {
        Err(SyncError::Stale { current, .. }) => {
            assert_eq!(current.summary.version, 3);
            assert_eq!(current.open_reservations().count(), 2);
        }
        other => panic!("stale expected, got {other:?}"),
    }
    assert_eq!(place.snapshot().await, before);
    // With the current version the same write goes through.
    assert_eq!(
        applied(
            store
                .apply(&command(&zone, 2, valid(Accepted), "s-ok", 40))
                .await
        )
        .version,
        3
    );
    store.close().await;
    place.finish().await;
}

async fn a_replayed_key_gives_the_original_outcome_and_writes_nothing(place: Place) {
    use State::*;
    let store = place.open().await;
    let zone = Subject::sro(3, "ZS-R");
    drive(&store, &zone, &[UnderInspection]).await;
    let first = applied(
        store
            .apply(&command(
                &zone,
                2,
                valid(AcceptedWithReservations),
                "r-1",
                10,
            ))
            .await,
    );
    let lifted = applied(store.lift_reservation(&lift(&zone, 1, 3, "r-2", 20)).await);
    let before = place.snapshot().await;
    // The retry comes later, through another token of the same organisation: still the same request.
    let mut retry = command(&zone, 2, valid(AcceptedWithReservations), "r-1", 45);
    retry.actor.token_id = "delegatee-token-2".into();
    let replay = store.apply(&retry).await.expect("replay");
    assert!(replay.replayed);
    assert_eq!(replay.entry, first);
    let replay = store
        .lift_reservation(&lift(&zone, 1, 3, "r-2", 50))
        .await
        .expect("replay");
    assert!(replay.replayed);
    assert_eq!(replay.entry, lifted);
    assert_eq!(place.snapshot().await, before);
    // Keys belong to an organisation: another one may use the same key for its own write.
    let mut other = lift(&zone, 2, 4, "r-1", 60);
    other.actor = actor("operator");
    assert_eq!(applied(store.lift_reservation(&other).await).version, 5);
    store.close().await;
    place.finish().await;
}

async fn a_key_reused_for_another_request_is_refused_and_writes_nothing(place: Place) {
    use State::*;
    let store = place.open().await;
    let zone = Subject::sro(4, "ZS-K");
    let other_zone = Subject::sro(4, "ZS-L");
    drive(&store, &zone, &[]).await;
    drive(&store, &other_zone, &[]).await;
    applied(
        store
            .apply(&command(&zone, 1, valid(UnderInspection), "k", 10))
            .await,
    );
    let before = place.snapshot().await;
    let reuses = [
        command(&zone, 2, valid(Rejected), "k", 20),
        command(&zone, 1, valid(Rejected), "k", 20),
        command(&other_zone, 1, valid(UnderInspection), "k", 20),
    ];
    for reuse in &reuses {
        match store.apply(reuse).await {
            Err(SyncError::KeyReused { organisation, key }) => {
                assert_eq!((organisation.as_str(), key.as_str()), ("delegatee", "k"))
            }
            other => panic!("key reuse expected, got {other:?}"),
        }
    }
    assert!(matches!(
        store.lift_reservation(&lift(&zone, 1, 2, "k", 20)).await,
        Err(SyncError::KeyReused { .. })
    ));
    // A refused write does not use up its key: the corrected request may carry it.
    assert!(matches!(
        store
            .apply(&command(&zone, 2, valid(InOperation), "fresh", 30))
            .await,
        Err(SyncError::Refused { .. })
    ));
    assert_eq!(place.snapshot().await, before);
    assert_eq!(
        applied(
            store
                .apply(&command(&zone, 2, valid(Accepted), "fresh", 30))
                .await
        )
        .version,
        3
    );
    store.close().await;
    place.finish().await;
}

async fn registering_again_or_writing_an_unknown_subject_changes_nothing(place: Place) {
    use State::*;
    let store = place.open().await;
    let zone = Subject::sro(5, "ZS-5");
    assert!(matches!(
        store.register(&zone, at(0), &actor("operator")).await,
        Ok(Registration::Registered { .. })
    ));
    applied(
        store
            .apply(&command(&zone, 1, valid(UnderInspection), "u", 10))
            .await,
    );
    let before = place.snapshot().await;
    match store.register(&zone, at(20), &actor("other")).await {
        Ok(Registration::AlreadyRegistered { current }) => {
            assert_eq!(
                (current.subject, current.state, current.version),
                (zone.clone(), UnderInspection, 2)
            )
        }
        other => panic!("already registered expected, got {other:?}"),
    }
    let unknown = Subject::sro(5, "ZS-6");
    assert!(matches!(
        store.apply(&command(&unknown, 1, valid(UnderInspection), "v", 30)).await,
        Err(SyncError::UnknownSubject(s)) if s == unknown
    ));
    assert!(matches!(
        store.subject(&unknown).await,
        Err(SyncError::UnknownSubject(_))
    ));
    assert!(matches!(
        store.audit(&unknown).await,
        Err(SyncError::UnknownSubject(_))
    ));
    assert!(matches!(
        store
            .register(&Subject::pbo(5, " "), at(0), &actor("operator"))
            .await,
        Err(SyncError::Empty { field: "zone code" })
    ));
    assert!(matches!(
        store
            .apply(&command(&zone, 2, valid(Accepted), "", 30))
            .await,
        Err(SyncError::Empty {
            field: "idempotency key"
        })
    ));
    assert_eq!(place.snapshot().await, before);
    store.close().await;
    place.finish().await;
}

async fn lifting_an_unknown_or_lifted_reservation_is_refused(place: Place) {
    use State::*;
    let store = place.open().await;
    let zone = Subject::sro(6, "ZS-6");
    drive(&store, &zone, &[UnderInspection, AcceptedWithReservations]).await;
    applied(store.lift_reservation(&lift(&zone, 1, 3, "l1", 10)).await);
    let before = place.snapshot().await;
    assert!(matches!(
        store.lift_reservation(&lift(&zone, 3, 4, "l2", 20)).await,
        Err(SyncError::UnknownReservation { number: 3, .. })
    ));
    match store.lift_reservation(&lift(&zone, 1, 4, "l3", 20)).await {
        Err(SyncError::AlreadyLifted {
            number, lifted_at, ..
        }) => assert_eq!((number, lifted_at), (1, at(10))),
        other => panic!("already lifted expected, got {other:?}"),
    }
    assert_eq!(place.snapshot().await, before);
    // A subject accepted without reservation has none to lift.
    let plain = Subject::sro(6, "ZS-7");
    drive(&store, &plain, &[UnderInspection, Accepted]).await;
    let before = place.snapshot().await;
    assert!(matches!(
        store.lift_reservation(&lift(&plain, 1, 3, "l4", 20)).await,
        Err(SyncError::UnknownReservation { .. })
    ));
    assert_eq!(place.snapshot().await, before);
    store.close().await;
    place.finish().await;
}

async fn changes_since_pages_through_every_write_exactly_once(place: Place) {
    use State::*;
    let store = place.open().await;
    drive(&store, &Subject::delivery(1), &path_to(InOperation)).await;
    drive(
        &store,
        &Subject::sro(1, "ZS-1"),
        &path_to(ReservationsLifted),
    )
    .await;
    drive(&store, &Subject::sro(2, "ZS-2"), &path_to(Rejected)).await;
    drive(&store, &Subject::pbo(3, "ZP-3"), &path_to(Accepted)).await;
    let mut everything = Vec::new();
    for subject in [
        Subject::delivery(1),
        Subject::sro(1, "ZS-1"),
        Subject::sro(2, "ZS-2"),
        Subject::pbo(3, "ZP-3"),
    ] {
        everything.extend(store.audit(&subject).await.expect("audit"));
    }
    everything.sort_by_key(|e| e.seq);
    let total = everything.len() as i64;
    assert_eq!(
        everything.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=total).collect::<Vec<_>>()
    );

    let pull = |cursor, limit, deliveries: Option<Vec<i64>>| {
        let store = store.clone();
        async move {
            store
                .changes_since(cursor, limit, deliveries.as_deref())
                .await
                .expect("changes")
        }
    };
    // Pages of 3 give everything once, in order; the last page says nothing more waits.
    let (mut cursor, mut seen) = (0, Vec::new());
    loop {
        let page = pull(cursor, 3, None).await;
        assert!(page.entries.len() <= 3);
        seen.extend(page.entries);
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, everything);
    assert_eq!(cursor, total);
    let idle = pull(cursor, 3, None).await;
    assert_eq!(
        (idle.entries.len(), idle.next_cursor, idle.more),
        (0, total, false)
    );

    // Filtered by delivery, and with writes landing between two pages.
    let first = pull(0, 2, Some(vec![1, 3])).await;
    assert!(first.more);
    let late = Subject::sro(3, "ZS-late");
    drive(&store, &late, &[UnderInspection]).await;
    applied(
        store
            .apply(&command(
                &Subject::sro(2, "ZS-2"),
                2,
                valid(Received),
                "late-2",
                99,
            ))
            .await,
    );
    let (mut cursor, mut filtered) = (first.next_cursor, first.entries);
    loop {
        let page = pull(cursor, 2, Some(vec![1, 3])).await;
        filtered.extend(page.entries);
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    let mut expected: Vec<AuditEntry> = everything
        .iter()
        .filter(|e| [1, 3].contains(&e.subject.delivery_id()))
        .cloned()
        .collect();
    expected.extend(store.audit(&late).await.expect("audit"));
    assert_eq!(filtered, expected);
    assert!(pull(0, 10, Some(vec![])).await.entries.is_empty());
    store.close().await;
    place.finish().await;
}

async fn list_filters_by_state_kind_and_delivery(place: Place) {
    use State::*;
    let store = place.open().await;
    drive(&store, &Subject::delivery(1), &[UnderInspection]).await;
    drive(&store, &Subject::sro(1, "ZS-A"), &[UnderInspection]).await;
    drive(&store, &Subject::sro(2, "ZS-B"), &[]).await;
    drive(&store, &Subject::pbo(2, "ZP-C"), &[UnderInspection]).await;
    let listed = |filter: Filter| {
        let store = store.clone();
        async move {
            store
                .list(&filter)
                .await
                .expect("list")
                .into_iter()
                .map(|s| s.subject)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(listed(Filter::default()).await.len(), 4);
    assert_eq!(
        listed(Filter {
            state: Some(UnderInspection),
            ..Filter::default()
        })
        .await,
        [
            Subject::delivery(1),
            Subject::sro(1, "ZS-A"),
            Subject::pbo(2, "ZP-C")
        ]
    );
    assert_eq!(
        listed(Filter {
            kind: Some(SubjectKind::Sro),
            ..Filter::default()
        })
        .await,
        [Subject::sro(1, "ZS-A"), Subject::sro(2, "ZS-B")]
    );
    assert_eq!(
        listed(Filter {
            state: Some(UnderInspection),
            kind: None,
            delivery_ids: Some(vec![2, 9])
        })
        .await,
        [Subject::pbo(2, "ZP-C")]
    );
    assert!(
        listed(Filter {
            delivery_ids: Some(vec![]),
            ..Filter::default()
        })
        .await
        .is_empty()
    );
    store.close().await;
    place.finish().await;
}

async fn acceptances_give_each_zone_its_deciding_delivery(place: Place) {
    use State::*;
    let store = place.open().await;
    // Delivery 1: ZS-1 operated from 2025-09-01, ZS-2 rejected, ZP-1 under reservations.
    drive(&store, &Subject::sro(1, "ZS-1"), &path_to(InOperation)).await;
    drive(&store, &Subject::sro(1, "ZS-2"), &path_to(Rejected)).await;
    drive(
        &store,
        &Subject::pbo(1, "ZP-1"),
        &path_to(AcceptedWithReservations),
    )
    .await;
    drive(&store, &Subject::delivery(1), &[]).await;
    // Delivery 2, later: an update of ZS-1, ZS-2 delivered again, a new ZS-3 under inspection.
    drive(&store, &Subject::sro(2, "ZS-1"), &[]).await;
    drive(&store, &Subject::sro(2, "ZS-2"), &[]).await;
    drive(&store, &Subject::sro(2, "ZS-3"), &[UnderInspection]).await;
    // Delivery 3, later still: ZS-1 taken into operation again, on a later date.
    let again = Subject::sro(3, "ZS-1");
    let version = drive(&store, &again, &[UnderInspection, Accepted]).await;
    let later = TransitionRequest {
        date: Some(date("2025-10-15")),
        ..TransitionRequest::to(InOperation)
    };
    applied(
        store
            .apply(&command(&again, version, later, "later", 50))
            .await,
    );
    let zone = |acceptance, in_operation_on: Option<&str>, delivery_id| ZoneStatus {
        acceptance,
        in_operation_on: in_operation_on.map(date),
        delivery_id,
    };
    let both = store.acceptances(&[1, 2]).await.expect("acceptances");
    assert_eq!(
        both.sro,
        BTreeMap::from([
            (
                "ZS-1".to_owned(),
                zone(ZoneAcceptance::InOperation, Some("2025-09-01"), 1)
            ),
            ("ZS-2".to_owned(), zone(ZoneAcceptance::Delivered, None, 2)),
            ("ZS-3".to_owned(), zone(ZoneAcceptance::Delivered, None, 2)),
        ])
    );
    assert_eq!(
        both.pbo,
        BTreeMap::from([(
            "ZP-1".to_owned(),
            zone(ZoneAcceptance::ReservationsOpen, None, 1)
        )])
    );
    assert_eq!(
        both.sro_acceptances(),
        BTreeMap::from([
            (
                "ZS-1".to_owned(),
                ZoneHandover::in_operation(date("2025-09-01"))
            ),
            ("ZS-2".to_owned(), ZoneAcceptance::Delivered.into()),
            ("ZS-3".to_owned(), ZoneAcceptance::Delivered.into()),
        ])
    );
    let first = store.acceptances(&[1]).await.expect("acceptances");
    assert_eq!(first.sro["ZS-2"], zone(ZoneAcceptance::Rejected, None, 1));
    // Two deliveries operating the same zone: the earliest date counts, whatever the order given.
    let operated = store.acceptances(&[3, 1]).await.expect("acceptances");
    assert_eq!(
        operated.sro["ZS-1"],
        zone(ZoneAcceptance::InOperation, Some("2025-09-01"), 1)
    );
    let third = store.acceptances(&[3]).await.expect("acceptances");
    assert_eq!(
        third.sro["ZS-1"],
        zone(ZoneAcceptance::InOperation, Some("2025-10-15"), 3)
    );
    assert!(
        store
            .acceptances(&[])
            .await
            .expect("acceptances")
            .sro
            .is_empty()
    );
    store.close().await;
    place.finish().await;
}

async fn the_audit_trail_refuses_updates_and_deletes(place: Place) {
    let store = place.open().await;
    drive(&store, &Subject::sro(1, "ZS-1"), &[State::UnderInspection]).await;
    store.close().await;
    let before = place.snapshot().await;
    assert!(
        place
            .execute("UPDATE sync_audit SET organisation = 'someone else'")
            .await
            .is_err()
    );
    assert!(place.execute("DELETE FROM sync_audit").await.is_err());
    assert_eq!(place.snapshot().await, before);
    place.finish().await;
}

async fn a_store_of_a_newer_schema_is_refused(place: Place) {
    place.open().await.close().await;
    place
        .execute("UPDATE sync_schema_version SET version = version + 1")
        .await
        .expect("bump the version");
    match SyncStore::open(&place.location).await {
        Err(SyncError::NewerSchema {
            found, supported, ..
        }) => {
            assert_eq!(
                (found, supported),
                (thd_sync::SCHEMA_VERSION + 1, thd_sync::SCHEMA_VERSION)
            )
        }
        other => panic!("newer schema expected, got {other:?}"),
    }
    place.finish().await;
}

/// The cycle the racing clients drive: received → under_inspection → rejected → received...
fn next_in_cycle(state: State) -> State {
    match state {
        State::Received => State::UnderInspection,
        State::UnderInspection => State::Rejected,
        _ => State::Received,
    }
}

async fn racing_clients_lose_no_update(place: Place) {
    const CLIENTS: usize = 16;
    const WRITES: usize = 12;
    let store = place.open().await;
    let subjects: Vec<Subject> = (0..3).map(|i| Subject::sro(1, format!("ZS-{i}"))).collect();
    for subject in &subjects {
        store
            .register(subject, at(0), &actor("operator"))
            .await
            .expect("register");
    }
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (store, subjects) = (store.clone(), subjects.clone());
        clients.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut stale = 0;
            for write in 0..WRITES {
                let subject = &subjects[(client + write) % subjects.len()];
                let key = format!("c{client}-w{write}");
                loop {
                    let current = store.subject(subject).await.expect("status");
                    let to = next_in_cycle(current.summary.state);
                    let cmd = command(
                        subject,
                        current.summary.version,
                        valid(to),
                        &key,
                        write as i64,
                    );
                    match store.apply(&cmd).await {
                        Ok(first) => {
                            assert!(!first.replayed);
                            // A retry of a write that went through is a replay, whatever happened since.
                            let again = store.apply(&cmd).await.expect("replay");
                            assert!(again.replayed);
                            assert_eq!(again.entry, first.entry);
                            mine.push(first.entry);
                            break;
                        }
                        Err(SyncError::Stale { .. }) => stale += 1,
                        Err(e) => panic!("client {client}: {e}"),
                    }
                }
            }
            (mine, stale)
        }));
    }
    let mut accepted = Vec::new();
    let mut stale = 0;
    for client in clients {
        let (mine, s) = client.await.expect("client");
        accepted.extend(mine);
        stale += s;
    }
    println!(
        "{} writes accepted, {stale} stale attempts retried",
        accepted.len()
    );
    assert_eq!(accepted.len(), CLIENTS * WRITES);

    // Every accepted write is in the trail, once, as returned; the trail holds nothing else.
    let all = store.changes_since(0, 10_000, None).await.expect("changes");
    let writes: Vec<&AuditEntry> = all
        .entries
        .iter()
        .filter(|e| e.action != Action::Register)
        .collect();
    assert_eq!(writes.len(), accepted.len());
    let by_seq: BTreeMap<i64, &AuditEntry> = writes.iter().map(|e| (e.seq, *e)).collect();
    for entry in &accepted {
        assert_eq!(by_seq.get(&entry.seq), Some(&entry), "seq {}", entry.seq);
    }
    let keys: BTreeSet<_> = accepted.iter().map(|e| e.idempotency_key.clone()).collect();
    assert_eq!(keys.len(), accepted.len());

    // Versions count the writes, and each subject's trail is one unbroken chain: no write was lost or based
    // on a state another had replaced.
    let mut versions = 0;
    for subject in &subjects {
        let status = store.subject(subject).await.expect("status");
        let trail = store.audit(subject).await.expect("audit");
        assert_eq!(trail.len() as i64, status.summary.version);
        for (i, pair) in trail.windows(2).enumerate() {
            assert_eq!(pair[1].version, i as i64 + 2);
            assert_eq!(
                pair[1].from,
                Some(pair[0].to),
                "{subject}: chain broken at {}",
                pair[1].seq
            );
        }
        assert_eq!(trail.last().map(|e| e.to), Some(status.summary.state));
        versions += status.summary.version - 1;
    }
    assert_eq!(versions as usize, accepted.len());
    store.close().await;
    place.finish().await;
}

#[tokio::test]
async fn the_delivery_store_opens_a_file_holding_the_sync_tables() {
    let place = Place::sqlite().await;
    let store = place.open().await;
    drive(&store, &Subject::sro(1, "ZS-1"), &[]).await;
    store.close().await;
    let deliveries = thd_store::Store::open(&place.location)
        .await
        .expect("delivery store");
    assert!(
        deliveries
            .deliveries()
            .await
            .expect("deliveries")
            .is_empty()
    );
    deliveries.close().await;
    let store = SyncStore::open(&format!("sqlite://{}", place.location))
        .await
        .expect("reopen");
    assert_eq!(
        store
            .subject(&Subject::sro(1, "ZS-1"))
            .await
            .expect("status")
            .summary
            .version,
        1
    );
    store.close().await;
}

#[tokio::test]
async fn an_unknown_location_scheme_is_refused() {
    assert!(matches!(
        SyncStore::open("mysql://localhost/thd").await,
        Err(SyncError::UnsupportedUrl(_))
    ));
}
