//! The delegatee's acceptance sync over HTTP: the workflow driven through the API, every refusal with its status
//! and nothing changed, replays, pulls by cursor, access by organisation, many clients at once, and what taking
//! a zone into operation does to the raccordable plugs.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{Value, json};
use thd_access::Role;
use thd_server::Settings;

/// The delegatee of the fixture's zone.
async fn delegatee(f: &Fixture) -> Api {
    let token = token(&f.access, "délégataire", Role::Delegatee, "35-ZONE-1").await;
    f.api.with(Some(&token))
}

fn sro(f: &Fixture, code: &str) -> Value {
    json!({"kind": "sro", "delivery_id": f.id, "code": code})
}

/// POSTs `body` to `path` with idempotency key `key`.
async fn write(api: &Api, path: &str, key: &str, body: &Value) -> Reply {
    api.send(
        Request::post(path)
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

async fn transition(api: &Api, key: &str, subject: &Value, version: i64, to: Value) -> Reply {
    let body = json!({"subject": subject, "expected_version": version, "transition": to});
    write(api, "/api/acceptance/transitions", key, &body).await
}

/// Every row the sync tables hold, as the API shows it: each subject's status and audit trail.
async fn snapshot(api: &Api, f: &Fixture) -> Vec<Value> {
    let mut out = Vec::new();
    for code in sro_zones(&f.delivery) {
        let query = format!("delivery={}&kind=sro&code={code}", f.id);
        out.push(
            api.get(&format!("/api/acceptance/subject?{query}"))
                .await
                .json(),
        );
        out.push(
            api.get(&format!("/api/acceptance/audit?{query}"))
                .await
                .json(),
        );
    }
    out
}

#[tokio::test]
async fn a_zone_goes_from_received_to_in_operation_and_its_plugs_become_raccordable() {
    let f = fixture(Settings::default()).await;
    let api = delegatee(&f).await;
    let zones = sro_zones(&f.delivery);
    assert!(zones.len() >= 2, "the fixture needs two SRO zones");
    let (a, b) = (&zones[0], &zones[1]);
    // Before any sync, the delivery's own as-built phase puts both zones in operation.
    let before = f
        .api
        .get(&format!("/api/deliveries/{}/stats?by=sro", f.id))
        .await
        .json();
    assert!(
        before["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["raccordable"].as_u64().unwrap() > 0),
        "{before}"
    );
    let listed = api
        .get(&format!(
            "/api/acceptance/subjects?delivery={}&kind=sro",
            f.id
        ))
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), zones.len());

    // Zone a: inspected, accepted with one reservation, lifted, taken into operation on 2026-03-01.
    let za = sro(&f, a);
    let steps = [
        json!({"to": "under_inspection"}),
        json!({"to": "accepted_with_reservations", "reservations": [
            {"object_code": "BP0001", "reason": "étiquetage manquant", "due_on": "2026-02-15"}]}),
    ];
    for (i, to) in steps.iter().enumerate() {
        let reply = transition(&api, &format!("a-{i}"), &za, i as i64 + 1, to.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        assert_eq!(reply.json()["entry"]["version"], i as i64 + 2);
    }
    let lifted = write(
        &api,
        "/api/acceptance/lifts",
        "a-lift",
        &json!({"subject": za, "reservation": 1, "expected_version": 3}),
    )
    .await;
    assert_eq!(lifted.status, StatusCode::OK, "{}", lifted.text());
    for (key, version, to) in [
        ("a-2", 4, json!({"to": "reservations_lifted"})),
        (
            "a-3",
            5,
            json!({"to": "in_operation", "date": "2026-03-01"}),
        ),
    ] {
        let reply = transition(&api, key, &za, version, to).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    let status = api
        .get(&format!(
            "/api/acceptance/subject?delivery={}&kind=sro&code={a}",
            f.id
        ))
        .await
        .json();
    assert_eq!(status["state"], "in_operation");
    assert_eq!(status["version"], 6);
    assert_eq!(status["in_operation_on"], "2026-03-01");
    assert!(status["reservations"][0]["lifted_at"].is_string());
    let audit = api
        .get(&format!(
            "/api/acceptance/audit?delivery={}&kind=sro&code={a}",
            f.id
        ))
        .await
        .json();
    let trail: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        trail,
        [
            ("register", "received"),
            ("transition", "under_inspection"),
            ("transition", "accepted_with_reservations"),
            ("lift_reservation", "accepted_with_reservations"),
            ("transition", "reservations_lifted"),
            ("transition", "in_operation"),
        ]
    );
    assert!(
        audit.as_array().unwrap()[1..]
            .iter()
            .all(|e| e["actor"]["organisation"] == "délégataire")
    );

    // Zone b: under inspection holds its plugs back, whatever the delivery says; zone a's are raccordable from
    // the day it was taken into operation.
    let reply = transition(
        &api,
        "b-0",
        &sro(&f, b),
        1,
        json!({"to": "under_inspection"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    let stats = f
        .api
        .get(&format!("/api/deliveries/{}/stats?by=sro", f.id))
        .await
        .json();
    let row = |code: &str| {
        stats["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["sro"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("no row for {code}: {stats}"))
    };
    assert_eq!(row(b)["raccordable"], 0, "zone b is under inspection");
    assert_eq!(
        row(a)["raccordable"],
        row(a)["plugs"],
        "zone a is in operation and deployed"
    );
    let rollout = f
        .api
        .get(&format!(
            "/api/deliveries/{}/rollout?as_of=2026-11-01",
            f.id
        ))
        .await
        .json();
    // Every raccordable plug of the delivery became so on the day zone a was taken into operation.
    assert_eq!(
        rollout["months"],
        json!([{"month": {"year": 2026, "month": 3}, "raccordable": row(a)["plugs"], "cumulative": row(a)["plugs"]}])
    );

    // The IPE file publishes zone a's addresses as deployed, zone b's (its PM) no longer.
    let zsro = f.delivery.table("t_zsro").unwrap();
    let code_at = zsro.column_index("zs_code").unwrap();
    let pm_at = zsro.column_index("zs_refpm").unwrap();
    let pm = |code: &str| {
        (0..zsro.len())
            .find(|&r| zsro.cell(r, code_at) == Some(code))
            .and_then(|r| zsro.cell(r, pm_at))
            .unwrap()
            .to_owned()
    };
    let ipe = f
        .api
        .get(&format!("/api/deliveries/{}/ipe", f.id))
        .await
        .text();
    let states = |pm: &str| -> Vec<String> {
        ipe.lines()
            .filter(|l| l.contains(&format!(";{pm};")))
            .map(|l| l.split(';').nth(11).unwrap().to_owned())
            .collect()
    };
    let (in_a, in_b) = (states(&pm(a)), states(&pm(b)));
    assert!(
        !in_a.is_empty() && in_a.iter().all(|s| s == "DEPLOYE"),
        "{in_a:?}"
    );
    assert!(
        !in_b.is_empty() && in_b.iter().all(|s| s == "EN COURS DE DEPLOIEMENT"),
        "{in_b:?}"
    );
}

#[tokio::test]
async fn refused_writes_say_why_with_the_right_status_and_change_nothing() {
    let f = fixture(Settings::default()).await;
    let api = delegatee(&f).await;
    let code = sro_zones(&f.delivery)[0].clone();
    let zone = sro(&f, &code);
    let before = snapshot(&api, &f).await;

    // A step outside the workflow: 422 with the allowed states.
    let skip = transition(
        &api,
        "k1",
        &zone,
        1,
        json!({"to": "in_operation", "date": "2026-01-01"}),
    )
    .await;
    assert_eq!(
        (skip.status, skip.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_transition".into()
        )
    );
    assert_eq!(
        skip.json()["error"]["details"]["allowed"],
        json!(["under_inspection", "rejected"])
    );
    // A stale version: 409 with the current state.
    let stale = transition(&api, "k2", &zone, 7, json!({"to": "under_inspection"})).await;
    assert_eq!(
        (stale.status, stale.code()),
        (StatusCode::CONFLICT, "stale_version".into())
    );
    assert_eq!(stale.json()["error"]["details"]["current"]["version"], 1);
    assert_eq!(
        stale.json()["error"]["details"]["current"]["state"],
        "received"
    );
    // A payload missing what the target needs.
    let rejected = transition(&api, "k3", &zone, 1, json!({"to": "rejected"})).await;
    assert_eq!(rejected.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Bodies that are not what the route takes.
    for body in [
        json!({"subject": zone, "transition": {"to": "under_inspection"}}),
        json!({"subject": zone, "expected_version": "one", "transition": {"to": "under_inspection"}}),
        json!({"subject": zone, "expected_version": 1, "transition": {"to": "accepted_quickly"}}),
        json!({"subject": zone, "expected_version": 1, "transition": {"to": "under_inspection"}, "extra": 1}),
    ] {
        let reply = write(&api, "/api/acceptance/transitions", "k4", &body).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "invalid_body".into()),
            "{body}"
        );
    }
    let not_json = api
        .send(
            Request::post("/api/acceptance/transitions")
                .header("content-type", "application/json")
                .header("idempotency-key", "k5")
                .body(Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    // No idempotency key.
    let unkeyed = api
        .send(
            Request::post("/api/acceptance/transitions")
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"subject": zone, "expected_version": 1, "transition": {"to": "under_inspection"}})
                        .to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(unkeyed.status, StatusCode::BAD_REQUEST);
    // An unknown subject, an unknown reservation.
    let unknown = transition(
        &api,
        "k6",
        &sro(&f, "ZS-NOWHERE"),
        1,
        json!({"to": "under_inspection"}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let lift = write(
        &api,
        "/api/acceptance/lifts",
        "k7",
        &json!({"subject": zone, "reservation": 9, "expected_version": 1}),
    )
    .await;
    assert_eq!(lift.status, StatusCode::NOT_FOUND);
    // A manager may read but not sync; another delegatee does not see the zone; no token, no write.
    let manager = token(&f.access, "operator", Role::Manager, "*").await;
    let manager = f.api.with(Some(&manager));
    let forbidden = transition(&manager, "k8", &zone, 1, json!({"to": "under_inspection"})).await;
    assert_eq!(
        (forbidden.status, forbidden.code()),
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    let stranger = token(&f.access, "autre délégataire", Role::Delegatee, "29-ZONE-2").await;
    let stranger = f.api.with(Some(&stranger));
    let hidden = transition(&stranger, "k9", &zone, 1, json!({"to": "under_inspection"})).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(
        stranger
            .get(&format!("/api/acceptance/subjects?delivery={}", f.id))
            .await
            .json(),
        json!([])
    );
    assert_eq!(
        stranger.get("/api/acceptance/changes").await.json()["entries"],
        json!([])
    );
    let anonymous = transition(
        &f.api.with(None),
        "k10",
        &zone,
        1,
        json!({"to": "under_inspection"}),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    assert_eq!(
        snapshot(&api, &f).await,
        before,
        "no refused write changed anything"
    );
}

#[tokio::test]
async fn a_replayed_key_gives_the_first_outcome_and_a_reused_one_is_refused() {
    let f = fixture(Settings::default()).await;
    let api = delegatee(&f).await;
    let zone = sro(&f, &sro_zones(&f.delivery)[0]);
    let first = transition(&api, "same", &zone, 1, json!({"to": "under_inspection"})).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.json()["replayed"], false);
    let after_first = snapshot(&api, &f).await;
    let again = transition(&api, "same", &zone, 1, json!({"to": "under_inspection"})).await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "a retry of the same write succeeds"
    );
    assert_eq!(again.json()["replayed"], true);
    assert_eq!(again.json()["entry"], first.json()["entry"]);
    let reused = transition(
        &api,
        "same",
        &zone,
        2,
        json!({"to": "rejected", "reasons": ["x"]}),
    )
    .await;
    assert_eq!(
        (reused.status, reused.code()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused".into()
        )
    );
    assert_eq!(snapshot(&api, &f).await, after_first);
}

#[tokio::test]
async fn a_client_pulling_changes_by_cursor_sees_each_once() {
    let f = fixture(Settings::default()).await;
    let api = delegatee(&f).await;
    let zones = sro_zones(&f.delivery);
    for (i, code) in zones.iter().enumerate() {
        let reply = transition(
            &api,
            &format!("p{i}"),
            &sro(&f, code),
            1,
            json!({"to": "under_inspection"}),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    // Registration rows (the delivery, its SRO and PBO zones) and the transitions, two at a time.
    let mut seen = Vec::new();
    let mut cursor = 0;
    loop {
        let page = api
            .get(&format!("/api/acceptance/changes?cursor={cursor}&limit=2"))
            .await
            .json();
        seen.extend(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["seq"].as_i64().unwrap()),
        );
        cursor = page["next_cursor"].as_i64().unwrap();
        if page["more"] == false {
            break;
        }
    }
    let registered = 1 + zones.len() + pbo_zones(&f.delivery).len();
    let expected: Vec<i64> = (1..=(registered + zones.len()) as i64).collect();
    assert_eq!(seen, expected);
    let nothing_new = api
        .get(&format!("/api/acceptance/changes?cursor={cursor}"))
        .await
        .json();
    assert_eq!(nothing_new["entries"], json!([]));
    for bad in ["limit=0", "limit=1001", "cursor=-1"] {
        let reply = api.get(&format!("/api/acceptance/changes?{bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_clients_syncing_the_same_zones_lose_no_update() {
    let f = fixture(Settings::default()).await;
    let api = delegatee(&f).await;
    let zones: Vec<String> = sro_zones(&f.delivery).into_iter().take(3).collect();
    // Each client tries to move each zone one step along received → under_inspection → accepted →
    // in_operation, reading the version first and retrying when another client got there first.
    let path = [
        json!({"to": "under_inspection"}),
        json!({"to": "accepted"}),
        json!({"to": "in_operation", "date": "2026-06-01"}),
    ];
    let mut clients = Vec::new();
    for client in 0..12 {
        let (api, zones, path, id) = (
            api.with(api.token.as_deref()),
            zones.clone(),
            path.clone(),
            f.id,
        );
        clients.push(tokio::spawn(async move {
            let mut accepted = 0;
            for code in &zones {
                let query = format!("/api/acceptance/subject?delivery={id}&kind=sro&code={code}");
                for attempt in 0.. {
                    let status = api.get(&query).await.json();
                    let version = status["version"].as_i64().unwrap();
                    let Some(to) = path.get(version as usize - 1) else {
                        break;
                    };
                    let subject = json!({"kind": "sro", "delivery_id": id, "code": code});
                    let key = format!("c{client}-{code}-{attempt}");
                    let reply = transition(&api, &key, &subject, version, to.clone()).await;
                    match reply.status {
                        StatusCode::OK => accepted += 1,
                        StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => {}
                        other => panic!("unexpected {other}: {}", reply.text()),
                    }
                }
            }
            accepted
        }));
    }
    let mut accepted = 0;
    for client in clients {
        accepted += client.await.unwrap();
    }
    // Every zone went the whole way exactly once: three accepted writes per zone, whoever made them.
    assert_eq!(accepted, 3 * zones.len());
    for code in &zones {
        let query = format!("delivery={}&kind=sro&code={code}", f.id);
        let status = api
            .get(&format!("/api/acceptance/subject?{query}"))
            .await
            .json();
        assert_eq!(
            (status["state"].as_str(), status["version"].as_i64()),
            (Some("in_operation"), Some(4))
        );
        let audit = api
            .get(&format!("/api/acceptance/audit?{query}"))
            .await
            .json();
        let versions: Vec<i64> = audit
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["version"].as_i64().unwrap())
            .collect();
        assert_eq!(versions, [1, 2, 3, 4], "an unbroken chain of versions");
    }
}

/// The same API on the shared PostgreSQL + PostGIS store: reads, map, figures, the acceptance workflow with its
/// refusals, and an upload.
#[tokio::test]
async fn the_api_works_the_same_on_postgis() {
    let Some(f) = postgis_fixture("same_on_postgis", Settings::default()).await else {
        return;
    };
    let list = f.api.get("/api/deliveries").await.json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let detail = f.api.get(&format!("/api/deliveries/{}", f.id)).await.json();
    let nodes = f.delivery.table("t_noeud").unwrap().len();
    assert_eq!(detail["tables"]["t_noeud"], nodes);
    let page = f
        .api
        .get(&format!("/api/deliveries/{}/diagnostics?limit=3", f.id))
        .await
        .json();
    assert_eq!(page["total"], detail["diagnostics"]["total"]);
    let layer = f
        .api
        .get(&format!(
            "/api/deliveries/{}/layers/t_noeud?limit=50000",
            f.id
        ))
        .await
        .json();
    assert_eq!(layer["matched"], nodes);
    let stats = f
        .api
        .get(&format!("/api/deliveries/{}/stats", f.id))
        .await
        .json();
    assert_eq!(stats["total"]["plugs"], PLUGS);

    let api = delegatee(&f).await;
    let zone = sro(&f, &sro_zones(&f.delivery)[0]);
    let ok = transition(&api, "pg-1", &zone, 1, json!({"to": "under_inspection"})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let replay = transition(&api, "pg-1", &zone, 1, json!({"to": "under_inspection"})).await;
    assert_eq!(replay.json()["replayed"], true);
    let stale = transition(&api, "pg-2", &zone, 1, json!({"to": "accepted"})).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let invalid = transition(&api, "pg-3", &zone, 2, json!({"to": "received"})).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);

    let upload = f.api.post("/api/uploads", f.zip.clone()).await;
    assert_eq!(upload.status, StatusCode::ACCEPTED);
    let location = upload.headers["location"].to_str().unwrap().to_owned();
    let job = loop {
        let job = f.api.get(&location).await.json();
        if job["stage"] == "done" || job["stage"] == "failed" {
            break job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        (job["stage"].as_str(), job["already_present"].as_bool()),
        (Some("done"), Some(true))
    );
    f.finish().await;
}
