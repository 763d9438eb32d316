//! Shared by the API tests: the router driven without a socket (`tower::ServiceExt::oneshot`), on a store holding
//! a generated delivery whose figures are known from the generator and from reading its tables directly.

// Each test file uses its own part of these helpers.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use thd_access::{AccessStore, Role, ZonePattern};
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawDelivery};
use thd_server::{App, Settings};
use thd_services::ServicesStore;
use thd_store::{ImportMeta, Store};
use thd_sync::{Actor, SyncStore};
use tower::ServiceExt;

pub const PLUGS: u32 = 1000;

pub fn sro_zones(delivery: &RawDelivery) -> Vec<String> {
    let zones = delivery.table("t_zsro").expect("SRO zones");
    let code = zones.column_index("zs_code").expect("zs_code");
    (0..zones.len())
        .map(|row| zones.cell(row, code).unwrap().to_owned())
        .collect()
}

/// The delivery's PBO zone codes, read from its table.
pub fn pbo_zones(delivery: &RawDelivery) -> Vec<String> {
    let zones = delivery.table("t_zpbo").expect("PBO zones");
    let code = zones.column_index("zp_code").expect("zp_code");
    (0..zones.len())
        .map(|row| zones.cell(row, code).unwrap().to_owned())
        .collect()
}

pub fn import_actor() -> Actor {
    Actor {
        organisation: "thd import".into(),
        token_id: "-".into(),
    }
}

pub struct Fixture {
    pub _dir: TempDir,
    /// The PostgreSQL URL and schema of a PostGIS fixture.
    pub schema: Option<(String, String)>,
    pub store: Store,
    pub access: AccessStore,
    pub sync: SyncStore,
    /// The router with an admin token of the operator, who sees every zone.
    pub api: Api,
    pub delivery: RawDelivery,
    pub id: i64,
    pub zip: Vec<u8>,
}

pub fn generated() -> (RawDelivery, Vec<u8>, TempDir) {
    let g = generate(&GenerateOptions {
        fibres: true,
        plugs: PLUGS,
        seed: 4,
        version: GraceVersion::V2_0_1,
        defects: 4,
        department: Some("35".into()),
    })
    .expect("generate");
    let dir = TempDir::new().expect("temp dir");
    let zip_path = dir.path().join("lot.zip");
    thd_write::write_delivery(
        &g.tables,
        g.version,
        &zip_path,
        &thd_write::WriteOptions {
            container: thd_write::Container::Zip,
            keep_invalid_values: true,
            ..thd_write::WriteOptions::default()
        },
    )
    .expect("write zip");
    let zip = std::fs::read(&zip_path).expect("read zip");
    let delivery = thd_read::read_delivery(&zip_path).expect("read back");
    (delivery, zip, dir)
}

pub async fn fixture(settings: Settings) -> Fixture {
    let (delivery, zip, dir) = generated();
    let location = dir.path().join("store.gpkg").display().to_string();
    fixture_at(location, delivery, zip, dir, settings).await
}

/// The PostgreSQL test database (`THD_TEST_PG`), as the store's own tests use it.
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/thd_test";

/// The fixture on PostgreSQL + PostGIS, in a schema of its own named after `test`; `None` only when the database
/// is unreachable and `THD_SKIP_PG=1` (the store's tests' rule).
pub async fn postgis_fixture(test: &str, settings: Settings) -> Option<Fixture> {
    use sqlx::Connection;
    let url = std::env::var("THD_TEST_PG").unwrap_or_else(|_| DEFAULT_PG.to_owned());
    let mut conn = match sqlx::PgConnection::connect(&url).await {
        Ok(conn) => conn,
        Err(e) if std::env::var("THD_SKIP_PG").as_deref() == Ok("1") => {
            println!("skipped on PostGIS: {url} is unreachable ({e}) and THD_SKIP_PG=1");
            return None;
        }
        Err(e) => panic!(
            "the PostGIS API tests need the database {url} ({e}): run scripts/setup.sh, point THD_TEST_PG at \
             another database, or set THD_SKIP_PG=1"
        ),
    };
    let schema = format!("thd_api_{test}_{}", std::process::id());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
    )))
    .execute(&mut conn)
    .await
    .expect("create the test schema");
    let join = if url.contains('?') { '&' } else { '?' };
    let location = format!("{url}{join}options=-c%20search_path%3D{schema}%2Cpublic");
    let (delivery, zip, dir) = generated();
    let mut fixture = fixture_at(location, delivery, zip, dir, settings).await;
    fixture.schema = Some((url, schema));
    Some(fixture)
}

impl Fixture {
    /// Drops the PostgreSQL schema of a passed test (left in place when the test fails, to look at).
    pub async fn finish(self) {
        use sqlx::Connection;
        if let Some((url, schema)) = &self.schema {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                .execute(&mut conn)
                .await
                .expect("drop the test schema");
        }
    }
}

async fn fixture_at(
    location: String,
    delivery: RawDelivery,
    zip: Vec<u8>,
    dir: TempDir,
    settings: Settings,
) -> Fixture {
    let store = Store::open(&location).await.expect("open store");
    let inspection = thd_check::inspect(
        &delivery,
        &thd_check::CheckOptions {
            phase: None,
            config: &thd_check::Config::default(),
        },
    )
    .expect("inspect");
    let meta = ImportMeta {
        zone: Some("35-ZONE-1".into()),
        checks: inspection.diagnostics,
        ..ImportMeta::default()
    };
    let id = store
        .import(&delivery, &meta)
        .await
        .expect("import")
        .delivery_id;
    let settings = Settings {
        upload_dir: dir.path().to_owned(),
        ..settings
    };
    let access = AccessStore::open(&location).await.expect("open access");
    let sync = SyncStore::open(&location).await.expect("open sync");
    let services = ServicesStore::open(&location).await.expect("open services");
    services
        .seed_shipped_if_empty()
        .await
        .expect("shipped catalogue");
    // As an import does: the delivery and its SRO and PBO zones enter the acceptance workflow.
    sync.register_delivery(
        id,
        &sro_zones(&delivery),
        &pbo_zones(&delivery),
        chrono::Utc::now(),
        &import_actor(),
    )
    .await
    .expect("register");
    let token = token(&access, "operator", Role::Admin, "*").await;
    let router = thd_server::router(App::new(
        store.clone(),
        access.clone(),
        sync.clone(),
        services,
        settings,
    ));
    Fixture {
        _dir: dir,
        schema: None,
        store,
        access,
        sync,
        api: Api {
            router,
            token: Some(token),
        },
        delivery,
        id,
        zip,
    }
}

/// A new token of `role` for organisation `org` (created if new), which sees zone pattern `grant`.
pub async fn token(access: &AccessStore, org: &str, role: Role, grant: &str) -> String {
    let org = match access.organisation_named(org).await.unwrap() {
        Some(org) => org,
        None => access.create_organisation(org).await.unwrap(),
    };
    access
        .grant(org.id, &ZonePattern::parse(grant).unwrap())
        .await
        .unwrap();
    let (_, secret) = access.create_token(org.id, role, "test").await.unwrap();
    secret.expose().to_owned()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8")
    }

    /// The error code of a JSON error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .expect("error code")
            .to_owned()
    }
}

/// The router, and the token its requests carry unless they bring their own `Authorization`.
pub struct Api {
    pub router: Router,
    pub token: Option<String>,
}

impl Api {
    pub async fn send(&self, mut request: Request<Body>) -> Reply {
        if let Some(token) = &self.token
            && !request.headers().contains_key("authorization")
        {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {token}").parse().unwrap());
        }
        send(&self.router, request).await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post(&self, uri: &str, body: Vec<u8>) -> Reply {
        self.send(
            Request::post(uri)
                .header("content-type", "application/zip")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// The same router with another token (or none).
    pub fn with(&self, token: Option<&str>) -> Api {
        Api {
            router: self.router.clone(),
            token: token.map(str::to_owned),
        }
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}
