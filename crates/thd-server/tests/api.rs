//! The API driven without a socket (`tower::ServiceExt::oneshot` on the router), on a store holding a generated
//! delivery whose figures are known from the generator and from reading its tables directly.

mod common;

use std::io::Write;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use geo::BoundingRect;
use serde_json::Value;
use tempfile::TempDir;
use thd_access::{AccessStore, Role, ZonePattern};
use thd_server::{App, Settings};
use thd_store::Store;
use thd_sync::SyncStore;

#[tokio::test]
async fn every_response_has_a_request_id_and_unknown_routes_are_json_errors() {
    let f = fixture(Settings::default()).await;
    let health = f.api.get("/api/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    assert!(health.headers.contains_key("x-request-id"));

    let given = f
        .api
        .send(
            Request::get("/api/health")
                .header("x-request-id", "client-42")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(given.headers["x-request-id"], "client-42");

    let unknown = f.api.get("/api/nowhere").await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::NOT_FOUND, "no_route".into())
    );
    let wrong_method = f
        .api
        .send(
            Request::delete("/api/deliveries")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.code(), "method_not_allowed");
}

#[tokio::test]
async fn deliveries_are_listed_and_detailed_and_bad_ids_are_told_apart() {
    let f = fixture(Settings::default()).await;
    let list = f.api.get("/api/deliveries").await.json();
    assert_eq!(list.as_array().expect("array").len(), 1);
    assert_eq!(list[0]["zone"], "35-ZONE-1");

    let detail = f.api.get(&format!("/api/deliveries/{}", f.id)).await.json();
    for (name, table) in &f.delivery.tables {
        assert_eq!(detail["tables"][name], table.len() as u64, "rows of {name}");
    }

    let missing = f.api.get("/api/deliveries/999").await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "not_found".into())
    );
    let not_a_number = f.api.get("/api/deliveries/abc").await;
    assert_eq!(
        (not_a_number.status, not_a_number.code()),
        (StatusCode::BAD_REQUEST, "bad_request".into())
    );
}

#[tokio::test]
async fn diagnostics_page_and_filter_as_the_store_does_and_come_as_csv_and_geojson() {
    let f = fixture(Settings::default()).await;
    let detail = f.store.delivery(f.id).await.expect("detail");
    let uri = |q: &str| format!("/api/deliveries/{}/diagnostics?{q}", f.id);

    let first = f.api.get(&uri("limit=5")).await.json();
    assert_eq!(first["total"], detail.diagnostics.total);
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        5.min(detail.diagnostics.total as usize)
    );
    let second = f.api.get(&uri("limit=5&offset=5")).await.json();
    let all = f.api.get(&uri("limit=10")).await.json();
    let joined: Vec<&Value> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .collect();
    assert_eq!(
        joined,
        all["items"].as_array().unwrap().iter().collect::<Vec<_>>()
    );

    let (rule, count) = detail
        .diagnostics
        .by_rule
        .iter()
        .max_by_key(|(_, n)| **n)
        .expect("the generated delivery has defects");
    let by_rule = f
        .api
        .get(&uri(&format!("rule={rule}&limit=10000")))
        .await
        .json();
    assert_eq!(by_rule["total"], *count);
    assert!(
        by_rule["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["rule"] == rule.as_str())
    );

    let errors = f
        .api
        .get(&uri("min_severity=error&limit=10000"))
        .await
        .json();
    let expected: u64 = ["error", "critical"]
        .iter()
        .map(|s| detail.diagnostics.by_severity.get(*s).copied().unwrap_or(0))
        .sum();
    assert_eq!(errors["total"], expected);

    let csv = f.api.get(&uri("limit=3&format=csv")).await;
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(
        csv.text().lines().count(),
        1 + 3.min(detail.diagnostics.total as usize)
    );

    let geojson = f.api.get(&uri("limit=10000&format=geojson")).await.json();
    let located = all_located(&f.store, f.id).await;
    assert_eq!(geojson["features"].as_array().unwrap().len(), located);

    for bad in ["limit=0", "limit=10001", "min_severity=fatal", "offset=-1"] {
        let reply = f.api.get(&uri(bad)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "bad_request".into()),
            "{bad}"
        );
    }
}

async fn all_located(store: &Store, id: i64) -> usize {
    let page = store
        .diagnostics(
            id,
            &thd_store::DiagnosticQuery {
                limit: 10_000,
                ..thd_store::DiagnosticQuery::default()
            },
        )
        .await
        .expect("page");
    page.items.iter().filter(|d| d.location.is_some()).count()
}

/// The WGS84 point of each code of `table` (column `key`) found by following `link` to the node table.
fn expected_positions(
    f: &common::Fixture,
    table: &str,
    key: &str,
    to_node: &dyn Fn(&str) -> Option<String>,
    link: &str,
) -> std::collections::BTreeMap<String, (f64, f64)> {
    let nodes = f.delivery.table("t_noeud").expect("nodes");
    let nd_code = nodes.column_index("nd_code").unwrap();
    let node_at: std::collections::HashMap<&str, (f64, f64)> = (0..nodes.len())
        .map(|row| {
            let c = nodes.geometry(row).unwrap().bounding_rect().unwrap().min();
            let w = thd_geo::wgs84::lambert93_to_wgs84(c).unwrap();
            (nodes.cell(row, nd_code).unwrap(), (w.x, w.y))
        })
        .collect();
    let t = f.delivery.table(table).expect("table");
    let (k, l) = (t.column_index(key).unwrap(), t.column_index(link).unwrap());
    (0..t.len())
        .filter_map(|row| {
            let node = to_node(t.cell(row, l)?)?;
            Some((t.cell(row, k)?.to_owned(), *node_at.get(node.as_str())?))
        })
        .collect()
}

#[tokio::test]
async fn chambers_poles_and_boxes_are_layers_placed_on_their_nodes() {
    let f = fixture(Settings::default()).await;
    let layers = f
        .api
        .get(&format!("/api/deliveries/{}/layers", f.id))
        .await
        .json();
    let count = |name: &str| {
        layers
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .unwrap_or_else(|| panic!("no {name} layer"))["features"]
            .as_u64()
            .unwrap()
    };
    let ptech = f.delivery.table("t_ptech").expect("technical points");
    let ebp = f.delivery.table("t_ebp").expect("boxes");
    assert_eq!(count("t_ptech"), ptech.len() as u64);
    assert_eq!(count("t_ebp"), ebp.len() as u64);

    // Each technical point at its node, each box at its technical point's node, read from the tables here.
    let pt_node: std::collections::HashMap<String, String> = {
        let (pt, nd) = (
            ptech.column_index("pt_code").unwrap(),
            ptech.column_index("pt_nd_code").unwrap(),
        );
        (0..ptech.len())
            .map(|r| {
                (
                    ptech.cell(r, pt).unwrap().to_owned(),
                    ptech.cell(r, nd).unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    let points = expected_positions(
        &f,
        "t_ptech",
        "pt_code",
        &|nd| Some(nd.to_owned()),
        "pt_nd_code",
    );
    let boxes = expected_positions(
        &f,
        "t_ebp",
        "bp_code",
        &|pt| pt_node.get(pt).cloned(),
        "bp_pt_code",
    );
    assert!(!points.is_empty() && !boxes.is_empty());
    for (layer, expected) in [("t_ptech", &points), ("t_ebp", &boxes)] {
        let doc = f
            .api
            .get(&format!(
                "/api/deliveries/{}/layers/{layer}?limit=50000&tolerance=0",
                f.id
            ))
            .await
            .json();
        let features = doc["features"].as_array().unwrap();
        assert_eq!(features.len(), expected.len(), "{layer}");
        for feature in features {
            let id = feature["id"].as_str().unwrap();
            let c = &feature["geometry"]["coordinates"];
            let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
            let (ex, ey) = expected[id];
            assert!(
                (x - ex).abs() < 1e-7 && (y - ey).abs() < 1e-7,
                "{layer} {id} at {x},{y}, its node at {ex},{ey}"
            );
        }
    }
}

#[tokio::test]
async fn a_layer_gives_the_features_in_view_and_no_more_than_asked() {
    let f = fixture(Settings::default()).await;
    let layers = f
        .api
        .get(&format!("/api/deliveries/{}/layers", f.id))
        .await
        .json();
    let nodes = f.delivery.table("t_noeud").expect("nodes");
    let listed = layers
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "t_noeud")
        .expect("t_noeud layer");
    assert_eq!(listed["features"], nodes.len());

    // The nodes in the south-west quarter of the layer's extent, counted from the delivery itself.
    let points: Vec<(f64, f64)> = (0..nodes.len())
        .filter_map(|row| nodes.geometry(row))
        .map(|g| {
            let c = g.bounding_rect().expect("point").min();
            let w = thd_geo::wgs84::lambert93_to_wgs84(c).expect("project");
            (w.x, w.y)
        })
        .collect();
    let (min_x, max_x) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_y, max_y) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let bbox = [
        min_x - 1e-6,
        min_y - 1e-6,
        (min_x + max_x) / 2.0,
        (min_y + max_y) / 2.0,
    ];
    let inside = points
        .iter()
        .filter(|(x, y)| *x >= bbox[0] && *x <= bbox[2] && *y >= bbox[1] && *y <= bbox[3])
        .count();
    assert!(inside > 0 && inside < points.len());
    let bbox_text = bbox.map(|v| v.to_string()).join(",");
    let uri = format!(
        "/api/deliveries/{}/layers/t_noeud?bbox={bbox_text}&limit=50000",
        f.id
    );
    let view = f.api.get(&uri).await;
    assert_eq!(view.headers["content-type"], "application/geo+json");
    let view = view.json();
    // The Lambert-93 search box holds the view's whole image, a little more at its bulging edges: every node in
    // view is there, and the extra ones lie within a few metres of the view.
    let matched = view["matched"].as_u64().unwrap() as usize;
    assert!(
        matched >= inside,
        "{matched} features for {inside} nodes in view"
    );
    assert!(
        matched <= inside + inside / 20 + 2,
        "{matched} features for {inside} nodes in view"
    );
    let returned = view["features"].as_array().unwrap();
    assert_eq!(returned.len(), matched);
    assert_eq!(view["truncated"], false);
    assert!(
        returned
            .iter()
            .all(|f| f["id"].as_str().unwrap().starts_with("ND"))
    );

    let limited = f
        .api
        .get(&format!("{uri}&limit=7").replace("&limit=50000", ""))
        .await
        .json();
    assert_eq!(limited["features"].as_array().unwrap().len(), 7);
    assert_eq!(limited["truncated"], true);

    let unknown = f
        .api
        .get(&format!("/api/deliveries/{}/layers/t_nothing", f.id))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("t_noeud")
    );
    for bad in [
        "bbox=1,2,3",
        "bbox=3,48,2,49",
        "limit=0",
        "tolerance=-1",
        "bbox=a,b,c,d",
    ] {
        let reply = f
            .api
            .get(&format!("/api/deliveries/{}/layers/t_noeud?{bad}", f.id))
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "bad_request".into()),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn simplification_keeps_fewer_vertices_at_small_scales_and_all_when_asked() {
    let f = fixture(Settings::default()).await;
    let vertices = |v: &Value| -> usize {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f["geometry"]["coordinates"]
                    .to_string()
                    .matches('[')
                    .count()
            })
            .sum()
    };
    let base = format!("/api/deliveries/{}/layers/t_zpbo?limit=50000", f.id);
    let exact = f.api.get(&format!("{base}&tolerance=0")).await.json();
    let coarse = f.api.get(&format!("{base}&tolerance=50")).await.json();
    assert_eq!(exact["matched"], coarse["matched"]);
    assert!(
        vertices(&coarse) < vertices(&exact),
        "{} vs {}",
        vertices(&coarse),
        vertices(&exact)
    );
}

#[tokio::test]
async fn plug_counts_add_up_to_the_generated_plugs_and_download_as_csv() {
    let f = fixture(Settings::default()).await;
    let stats = f
        .api
        .get(&format!(
            "/api/deliveries/{}/stats?by=department,commune",
            f.id
        ))
        .await
        .json();
    assert_eq!(stats["total"]["plugs"], PLUGS);
    let sum: u64 = stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["plugs"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, u64::from(PLUGS));
    assert!(
        stats["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["department"] == "35")
    );

    let csv = f
        .api
        .get(&format!(
            "/api/deliveries/{}/stats?by=department,commune&format=csv",
            f.id
        ))
        .await;
    let text = csv.text();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("department;commune;plugs;premises;raccordable")
    );
    let csv_sum: u64 = lines
        .map(|l| l.split(';').nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(csv_sum, u64::from(PLUGS));

    let cost = f
        .api
        .get(&format!("/api/deliveries/{}/cost", f.id))
        .await
        .json();
    assert_eq!(cost["total"]["plugs"], PLUGS);
    let rollout = f
        .api
        .get(&format!(
            "/api/deliveries/{}/rollout?as_of=2026-01-31",
            f.id
        ))
        .await
        .json();
    assert_eq!(rollout["as_of"], "2026-01-31");
    for bad in [
        "stats?by=planet",
        "cost?by=commune",
        "rollout?as_of=31/01/2026",
        "rollout?table=weeks",
    ] {
        let reply = f.api.get(&format!("/api/deliveries/{}/{bad}", f.id)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "bad_request".into()),
            "{bad}"
        );
    }
}

/// Polls upload job `id` until it is over.
async fn finished(api: &Api, location: &str) -> Value {
    for _ in 0..600 {
        let job = api.get(location).await.json();
        if job["stage"] == "done" || job["stage"] == "failed" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the upload job at {location} did not finish in 30 s");
}

#[tokio::test]
async fn an_upload_is_imported_in_the_background_and_reported() {
    let f = fixture(Settings::default()).await;
    let upload = f
        .api
        .post(
            "/api/uploads?file_name=lot.zip&zone=35-ZONE-1&contractor=Axione",
            f.zip.clone(),
        )
        .await;
    assert_eq!(upload.status, StatusCode::ACCEPTED, "{}", upload.text());
    let location = upload.headers["location"].to_str().unwrap().to_owned();
    let job = finished(&f.api, &location).await;
    assert_eq!(job["stage"], "done", "{job}");
    // The same files as the fixture's delivery: recognised, nothing written.
    assert_eq!(job["already_present"], true);
    assert_eq!(job["delivery_id"], f.id);
    assert_eq!(job["rows"], f.delivery.rows() as u64);
    assert_eq!(job["bytes"], f.zip.len() as u64);
    assert!(job["bytes_read"].as_u64().unwrap() > 0);
    assert_eq!(f.store.deliveries().await.unwrap().len(), 1);

    let missing = f.api.get("/api/uploads/999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_upload_becomes_a_delivery_linked_to_its_zone_with_its_report() {
    let dir = TempDir::new().unwrap();
    let location = dir.path().join("s.gpkg").display().to_string();
    let store = Store::open(&location).await.unwrap();
    let access = AccessStore::open(&location).await.unwrap();
    let sync = SyncStore::open(&location).await.unwrap();
    let engineer = token(&access, "bureau d'études", Role::Engineer, "35-ZONE-8").await;
    let api = Api {
        router: thd_server::router(App::new(
            store.clone(),
            access.clone(),
            sync.clone(),
            thd_services::ServicesStore::open(&location).await.unwrap(),
            Settings {
                upload_dir: dir.path().to_owned(),
                ..Settings::default()
            },
        )),
        token: Some(engineer),
    };
    let (delivery, zip, _keep) = generated();
    let upload = api
        .post("/api/uploads?zone=35-ZONE-9&received=2026-03-02", zip)
        .await;
    assert_eq!(upload.status, StatusCode::ACCEPTED);
    let job = finished(&api, upload.headers["location"].to_str().unwrap()).await;
    assert_eq!(job["stage"], "done", "{job}");
    assert_eq!(job["already_present"], false);
    let id = job["delivery_id"].as_i64().unwrap();
    let stored = store.delivery(id).await.unwrap();
    assert_eq!(stored.summary.rows, delivery.rows() as u64);
    assert_eq!(stored.summary.zone.as_deref(), Some("35-ZONE-9"));
    assert_eq!(stored.summary.received_at.as_deref(), Some("2026-03-02"));
    assert_eq!(job["report"]["total"], stored.diagnostics.total);
    assert!(stored.diagnostics.total > 0, "4 defects were injected");
    // The uploader's organisation owns it, and so sees it although it is granted another zone only.
    assert_eq!(
        api.get(&format!("/api/deliveries/{id}")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        api.get("/api/deliveries")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // It entered the acceptance workflow, received: the delivery, its SRO zones and its PBO zones.
    let subjects = api
        .get(&format!("/api/acceptance/subjects?delivery={id}"))
        .await
        .json();
    let subjects = subjects.as_array().unwrap();
    assert_eq!(
        subjects.len(),
        1 + sro_zones(&delivery).len() + pbo_zones(&delivery).len()
    );
    assert!(subjects.iter().all(|s| s["state"] == "received"));
    let pbo = subjects
        .iter()
        .filter(|s| s["subject"]["kind"] == "pbo")
        .count();
    assert_eq!(pbo, pbo_zones(&delivery).len());
    // The upload's folder is gone once the job is over.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("thd-upload-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A zip archive of `entries` (name, content), deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in entries {
        out.start_file(*name, options).unwrap();
        out.write_all(content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test]
async fn bad_uploads_are_refused_with_a_reason_and_leave_the_store_as_it_was() {
    let f = fixture(Settings {
        upload_limit: 64 * 1024 * 1024,
        unpack_limit: 4 * 1024 * 1024,
        ..Settings::default()
    })
    .await;
    let before = f.store.deliveries().await.unwrap();

    let garbage = f
        .api
        .post("/api/uploads", b"not a delivery at all".to_vec())
        .await;
    assert_eq!(
        (garbage.status, garbage.code()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type".into()
        )
    );
    let empty = f.api.post("/api/uploads", Vec::new()).await;
    assert_eq!(
        (empty.status, empty.code()),
        (StatusCode::BAD_REQUEST, "bad_request".into())
    );

    // An entry climbing out of the delivery's folder, beside a real table.
    let nodes = b"nd_code;nd_type\nND1;PT\n";
    let traversal = zip_of(&[
        ("t_noeud.csv", nodes),
        ("../../etc/cron.d/evil", b"* * * * * root true\n"),
    ]);
    let job = f.api.post("/api/uploads", traversal).await;
    assert_eq!(job.status, StatusCode::ACCEPTED);
    let job = finished(&f.api, job.headers["location"].to_str().unwrap()).await;
    assert_eq!(job["stage"], "failed");
    assert!(job["error"].as_str().unwrap().contains("refused"), "{job}");

    // A zip bomb: 8 MiB of zeros deflate to a few kilobytes, past the 4 MiB inflation limit.
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let bomb = zip_of(&[("t_noeud.csv", &zeros)]);
    assert!(bomb.len() < 64 * 1024);
    let job = f.api.post("/api/uploads", bomb).await;
    let job = finished(&f.api, job.headers["location"].to_str().unwrap()).await;
    assert_eq!(job["stage"], "failed", "{job}");

    assert_eq!(
        f.store.deliveries().await.unwrap(),
        before,
        "nothing was stored"
    );
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_before_and_while_it_streams() {
    let f = fixture(Settings {
        upload_limit: 1024,
        ..Settings::default()
    })
    .await;
    let announced = f.api.post("/api/uploads", vec![b'P'; 4096]).await;
    assert_eq!(
        (announced.status, announced.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large".into())
    );
    // No Content-Length: the limit is counted as the body streams in.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..8).map(|_| Ok(vec![b'P'; 512])).collect();
    let streamed = f
        .api
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/uploads")
                .body(Body::from_stream(stream_of(chunks)))
                .unwrap(),
        )
        .await;
    assert_eq!(streamed.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(f.store.deliveries().await.unwrap().len(), 1);
}

fn stream_of(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    struct Chunks(std::vec::IntoIter<Result<Vec<u8>, std::io::Error>>);
    impl futures_core::Stream for Chunks {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Chunks(chunks.into_iter())
}

#[tokio::test]
async fn the_openapi_document_describes_exactly_the_routes() {
    let f = fixture(Settings::default()).await;
    let doc = f.api.get("/api/openapi.json").await.json();
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            described.push((method.to_uppercase(), path.clone()));
            // Every {param} of the path is a declared path parameter.
            let declared: Vec<&str> = operation["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| p["name"].as_str().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            let in_path: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            assert_eq!(declared, in_path, "{method} {path}");
        }
    }
    let mut routed: Vec<(String, String)> = thd_server::routes::routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    described.sort();
    routed.sort();
    assert_eq!(described, routed);
}

#[tokio::test]
async fn the_ipe_file_has_one_line_per_address() {
    let f = fixture(Settings::default()).await;
    let addresses = f.delivery.table("t_adresse").expect("addresses").len();
    let file = f.api.get(&format!("/api/deliveries/{}/ipe", f.id)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(
        file.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = file.text();
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    assert!(header.contains("EtatImmeuble"), "{header}");
    assert_eq!(lines.count(), addresses);
    let rows = f
        .api
        .get(&format!("/api/deliveries/{}/ipe?format=json", f.id))
        .await
        .json();
    assert_eq!(rows.as_array().unwrap().len(), addresses);
}

#[tokio::test]
async fn a_request_without_a_valid_token_is_refused_and_changes_nothing() {
    let f = fixture(Settings::default()).await;
    let anonymous = f.api.with(None);
    let missing = anonymous.get("/api/deliveries").await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    // Health and the API's description stay open.
    assert_eq!(anonymous.get("/api/health").await.status, StatusCode::OK);
    assert_eq!(
        anonymous.get("/api/openapi.json").await.status,
        StatusCode::OK
    );

    let forged =
        "thd_0123456789abcdef_0000000000000000000000000000000000000000000000000000000000000000";
    for token in [forged, "nonsense"] {
        let wrong = f.api.with(Some(token)).get("/api/deliveries").await;
        assert_eq!(
            (wrong.status, wrong.code()),
            (StatusCode::UNAUTHORIZED, "invalid_token".into()),
            "{token}"
        );
    }
    let not_bearer = f
        .api
        .send(
            Request::get("/api/deliveries")
                .header("authorization", "Basic YWRtaW46YWRtaW4=")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(not_bearer.status, StatusCode::UNAUTHORIZED);

    let before = f.store.deliveries().await.unwrap();
    let upload = anonymous.post("/api/uploads", f.zip.clone()).await;
    assert_eq!(upload.status, StatusCode::UNAUTHORIZED);
    let upload = f
        .api
        .with(Some(forged))
        .post("/api/uploads", f.zip.clone())
        .await;
    assert_eq!(upload.status, StatusCode::UNAUTHORIZED);
    assert_eq!(f.store.deliveries().await.unwrap(), before);
}

#[tokio::test]
async fn an_organisation_never_sees_another_ones_deliveries() {
    let f = fixture(Settings::default()).await;
    // A delegatee granted another zone: the fixture's delivery (zone 35-ZONE-1) does not exist for it.
    let other = token(&f.access, "délégataire", Role::Delegatee, "29-ZONE-7").await;
    let other = f.api.with(Some(&other));
    assert_eq!(
        other.get("/api/deliveries").await.json(),
        serde_json::json!([])
    );
    for path in [
        "",
        "/diagnostics",
        "/layers",
        "/layers/t_noeud",
        "/stats",
        "/cost",
        "/rollout",
        "/ipe",
        "/diff?with=1",
    ] {
        let reply = other.get(&format!("/api/deliveries/{}{path}", f.id)).await;
        let nonexistent = other.get(&format!("/api/deliveries/999{path}")).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "not_found".into()),
            "{path}"
        );
        assert_eq!(
            reply.json()["error"]["message"],
            nonexistent.json()["error"]["message"]
                .as_str()
                .unwrap()
                .replace("999", &f.id.to_string()),
            "{path}: not visible reads as nonexistent"
        );
    }
    // Granted the zone, it sees it.
    let org = f
        .access
        .organisation_named("délégataire")
        .await
        .unwrap()
        .unwrap();
    f.access
        .grant(org.id, &ZonePattern::parse("35-ZONE-1").unwrap())
        .await
        .unwrap();
    assert_eq!(
        other.get(&format!("/api/deliveries/{}", f.id)).await.status,
        StatusCode::OK
    );

    // An upload job is its uploader's alone.
    let upload = f.api.post("/api/uploads", f.zip.clone()).await;
    let location = upload.headers["location"].to_str().unwrap().to_owned();
    finished(&f.api, &location).await;
    assert_eq!(other.get(&location).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn roles_bound_what_a_token_may_do() {
    let f = fixture(Settings::default()).await;
    let manager = token(&f.access, "operator", Role::Manager, "*").await;
    let manager = f.api.with(Some(&manager));
    assert_eq!(manager.get("/api/deliveries").await.status, StatusCode::OK);
    let upload = manager.post("/api/uploads", f.zip.clone()).await;
    assert_eq!(
        (upload.status, upload.code()),
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
}

#[tokio::test]
async fn a_public_dashboard_reads_without_a_token_but_never_writes() {
    let f = fixture(Settings {
        public_read: true,
        ..Settings::default()
    })
    .await;
    let public = f.api.with(None);
    assert_eq!(
        public
            .get("/api/deliveries")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        public
            .get(&format!("/api/deliveries/{}/stats", f.id))
            .await
            .status,
        StatusCode::OK
    );
    let upload = public.post("/api/uploads", f.zip.clone()).await;
    assert_eq!(
        (upload.status, upload.code()),
        (StatusCode::FORBIDDEN, "forbidden".into())
    );
    // A token still counts: a wrong one is refused rather than read as the public.
    let wrong = f.api.with(Some("thd_nope")).get("/api/deliveries").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_dashboard_is_served_beside_the_api() {
    let f = fixture(Settings::default()).await;
    let anonymous = f.api.with(None);
    let page = anonymous.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    assert!(page.headers.contains_key("x-request-id"));
    // The API's own fallback still answers unknown API routes, in JSON.
    let unknown = anonymous.get("/api/nope").await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::NOT_FOUND, "no_route".into())
    );
}

#[tokio::test]
async fn warming_loads_the_newest_delivery_and_an_empty_store_has_none() {
    let f = fixture(Settings::default()).await;
    let location = f._dir.path().join("store.gpkg").display().to_string();
    let services = thd_services::ServicesStore::open(&location).await.unwrap();
    let app = App::new(
        f.store.clone(),
        f.access.clone(),
        f.sync.clone(),
        services,
        Settings::default(),
    );
    let (id, _took) = app.warm().await.unwrap().expect("a delivery to load");
    assert_eq!(id, f.id);

    let dir = TempDir::new().unwrap();
    let empty = App::open(
        &dir.path().join("empty.gpkg").display().to_string(),
        Settings::default(),
    )
    .await
    .unwrap();
    assert_eq!(empty.warm().await.unwrap(), None);
}
