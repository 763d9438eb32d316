//! `/api/services/...` against answers known without the engine: the shipped CSV files of `data/services/`
//! read here with plain string splitting, and the operator's published figures
//! (`../shared/reference/digital_services_catalogue.md`: archives ×4.2 from 2018 to 2019, contributions from
//! 400 € to 30 000 € a year in 2016).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use common::{Fixture, fixture, postgis_fixture};
use serde_json::Value;
use thd_server::Settings;

/// The rows of a shipped `;`-separated file as maps from column name to text.
fn shipped(file: &str) -> Vec<BTreeMap<String, String>> {
    let path = format!("{}/../../data/services/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(';').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split(';'))
                .map(|(k, v)| ((*k).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn strings(values: &Value) -> BTreeSet<String> {
    values
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string").to_owned())
        .collect()
}

#[tokio::test]
async fn the_catalogue_lists_every_shipped_service_with_its_subscribers() {
    let f = fixture(Settings::default()).await;
    let reply = f.api.get("/api/services").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let listed = reply.json()["services"]
        .as_array()
        .expect("services")
        .clone();
    let services = shipped("services.csv");
    assert_eq!(listed.len(), services.len());
    let subscriptions = shipped("subscriptions.csv");
    for (row, expected) in listed.iter().zip(&services) {
        assert_eq!(row["id"], expected["id"].as_str());
        assert_eq!(row["name_fr"], expected["name_fr"].as_str());
        let subscribers = subscriptions
            .iter()
            .filter(|s| s["service"] == expected["id"])
            .count();
        assert_eq!(row["subscribers"], subscribers, "{}", expected["id"]);
    }

    let csv = f.api.get("/api/services?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.text().lines().count(), services.len() + 1);

    let unknown = f.api.get("/api/services/teleportation").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.code(), "not_found");
}

#[tokio::test]
async fn a_service_gives_its_subscribers_and_its_usage_with_the_published_growth() {
    let f = fixture(Settings::default()).await;
    let reply = f.api.get("/api/services/archiving").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let doc = reply.json();
    let expected: BTreeSet<String> = shipped("subscriptions.csv")
        .into_iter()
        .filter(|s| s["service"] == "archiving")
        .map(|s| s["body"].clone())
        .collect();
    let subscribers: BTreeSet<String> = doc["subscribers"]
        .as_array()
        .expect("subscribers")
        .iter()
        .map(|b| b["id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(subscribers, expected);

    // Published: 159 631 archives deposited in 2018, 673 365 in 2019, a ratio the engine computes.
    let usage = doc["usage"].as_array().expect("usage");
    let year = |y: u64| {
        usage
            .iter()
            .find(|r| r["year"] == y)
            .unwrap_or_else(|| panic!("no {y} row"))
    };
    assert_eq!(year(2018)["value"], 159_631);
    assert_eq!(year(2019)["value"], 673_365);
    assert_eq!(year(2018)["growth"], Value::Null);
    let growth = year(2019)["growth"].as_f64().expect("growth");
    assert_eq!(format!("{growth:.1}"), "4.2");
    assert_eq!(year(2019)["growth_from"], 2018);
}

#[tokio::test]
async fn usage_rows_are_the_shipped_figures_and_download_as_csv() {
    let f = fixture(Settings::default()).await;
    let reply = f.api.get("/api/services/usage").await;
    assert_eq!(reply.status, StatusCode::OK);
    let rows = reply.json()["usage"].as_array().expect("usage").clone();
    let figures = shipped("usage.csv");
    assert_eq!(rows.len(), figures.len());
    for figure in &figures {
        let year: u64 = figure["year"].parse().expect("year");
        let value: u64 = figure["value"].parse().expect("value");
        let row = rows
            .iter()
            .find(|r| r["indicator"] == figure["indicator"].as_str() && r["year"] == year)
            .unwrap_or_else(|| panic!("no row for {figure:?}"));
        assert_eq!(row["value"], value);
    }
    let csv = f.api.get("/api/services/usage?format=csv").await;
    let text = csv.text();
    let header = text.lines().next().expect("header");
    for column in ["indicator", "year", "value", "growth"] {
        assert!(header.split(';').any(|c| c == column), "{header}");
    }
    assert_eq!(text.lines().count(), figures.len() + 1);
}

#[tokio::test]
async fn contributions_give_the_published_extremes_and_explain_what_cannot_be_answered() {
    let f = fixture(Settings::default()).await;
    let eur = |doc: Value| doc["annual_eur"].as_u64().expect("annual_eur");
    let small = f
        .api
        .get("/api/services/contribution?population=4500&year=2016")
        .await;
    assert_eq!(small.status, StatusCode::OK, "{}", small.text());
    assert_eq!(eur(small.json()), 400);
    let metropolis = f
        .api
        .get("/api/services/contribution?population=450000&year=2016")
        .await;
    assert_eq!(eur(metropolis.json()), 30_000);

    // An EPCI of the catalogue pays the band of its own population.
    let bodies = shipped("bodies.csv");
    let epci = bodies
        .iter()
        .find(|b| b["kind"] == "epci" && !b["population"].is_empty())
        .expect("an EPCI with a population");
    let population: u64 = epci["population"].parse().expect("population");
    let band = shipped("funding_bands.csv")
        .into_iter()
        .find(|b| {
            b["tariff_from"] == "2016"
                && population >= b["min_population"].parse::<u64>().unwrap()
                && (b["max_population"].is_empty()
                    || population <= b["max_population"].parse::<u64>().unwrap())
        })
        .expect("a band");
    let reply = f
        .api
        .get(&format!(
            "/api/services/contribution?epci={}&year=2016",
            epci["id"]
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(
        eur(reply.json()),
        band["annual_eur"].parse::<u64>().unwrap()
    );
    let detail = f
        .api
        .get(&format!("/api/services/bodies/{}?year=2016", epci["id"]))
        .await
        .json();
    assert_eq!(
        eur(detail["contribution"].clone()),
        band["annual_eur"].parse::<u64>().unwrap()
    );
    let members: BTreeSet<String> = bodies
        .iter()
        .filter(|b| b["epci"] == epci["id"])
        .map(|b| b["id"].clone())
        .collect();
    let communes: BTreeSet<String> = detail["communes"]
        .as_array()
        .expect("communes")
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(communes, members);

    let neither = f.api.get("/api/services/contribution").await;
    assert_eq!(neither.status, StatusCode::BAD_REQUEST);
    let commune = f.api.get("/api/services/contribution?epci=com-22278").await;
    assert_eq!(commune.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(commune.code(), "no_contribution");
    let no_tariff = f
        .api
        .get("/api/services/contribution?population=100&year=1990")
        .await;
    assert_eq!(no_tariff.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = f
        .api
        .get("/api/services/contribution?epci=epci-atlantis")
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The services each commune can use, from the shipped files: its own subscriptions and its EPCI's.
fn expected_commune_services() -> BTreeMap<String, BTreeSet<String>> {
    let bodies = shipped("bodies.csv");
    let subscriptions = shipped("subscriptions.csv");
    let of = |body: &str| -> BTreeSet<String> {
        subscriptions
            .iter()
            .filter(|s| s["body"] == body)
            .map(|s| s["service"].clone())
            .collect()
    };
    bodies
        .iter()
        .filter(|b| b["kind"] == "commune")
        .map(|b| {
            let mut services = of(&b["id"]);
            services.extend(of(&b["epci"]));
            (b["insee"].clone(), services)
        })
        .collect()
}

#[tokio::test]
async fn every_commune_is_placed_in_brittany_with_the_services_it_and_its_epci_subscribe_to() {
    let f = fixture(Settings::default()).await;
    let reply = f.api.get("/api/services/communes").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let expected = expected_commune_services();
    let communes = reply.json()["communes"]
        .as_array()
        .expect("communes")
        .clone();
    assert_eq!(communes.len(), expected.len());
    for c in &communes {
        let insee = c["insee"].as_str().expect("insee");
        let services = strings(&c["service_ids"]);
        assert_eq!(services, expected[insee], "commune {insee}");
        assert_eq!(c["services"], services.len());
        let (lon, lat) = (
            c["lon"].as_f64().expect("lon"),
            c["lat"].as_f64().expect("lat"),
        );
        assert!(
            (-5.2..=-1.0).contains(&lon) && (47.2..=49.0).contains(&lat),
            "{insee} placed at {lon}, {lat}, outside Brittany"
        );
    }
    // Brest is west of Rennes, whatever the projection did.
    let at = |insee: &str| {
        communes
            .iter()
            .find(|c| c["insee"] == insee)
            .map(|c| c["lon"].as_f64().unwrap())
    };
    if let (Some(brest), Some(rennes)) = (at("29019"), at("35238")) {
        assert!(brest < rennes);
    }

    let (insee, services) = expected
        .iter()
        .find(|(_, s)| !s.is_empty())
        .expect("a commune using services");
    let detail = f.api.get(&format!("/api/services/communes/{insee}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    let doc = detail.json();
    let used: BTreeSet<String> = doc["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(&used, services);
    let epci = doc["epci"]["id"].as_str().map(str::to_owned);
    for s in doc["services"].as_array().unwrap() {
        let through = strings(&s["through"]);
        assert!(!through.is_empty());
        assert!(
            through
                .iter()
                .all(|b| Some(b) == epci.as_ref() || b == doc["commune"]["id"].as_str().unwrap())
        );
    }
    let unknown = f.api.get("/api/services/communes/99999").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bodies_filter_by_kind_and_epci_and_refuse_an_unknown_kind() {
    let f = fixture(Settings::default()).await;
    let bodies = shipped("bodies.csv");
    let reply = f.api.get("/api/services/bodies?kind=epci").await;
    assert_eq!(reply.status, StatusCode::OK);
    let epcis = reply.json()["bodies"].as_array().unwrap().clone();
    assert_eq!(
        epcis.len(),
        bodies.iter().filter(|b| b["kind"] == "epci").count()
    );
    assert!(epcis.iter().all(|b| b["kind"] == "epci"));
    let all = f.api.get("/api/services/bodies").await.json();
    assert_eq!(all["bodies"].as_array().unwrap().len(), bodies.len());

    let epci = epcis[0]["id"].as_str().unwrap();
    let members = f
        .api
        .get(&format!("/api/services/bodies?epci={epci}"))
        .await
        .json();
    let expected = bodies.iter().filter(|b| b["epci"] == epci).count();
    assert_eq!(members["bodies"].as_array().unwrap().len(), expected);

    let bad = f.api.get("/api/services/bodies?kind=village").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("village")
    );
}

#[tokio::test]
async fn the_catalogue_needs_a_token_unless_the_dashboard_is_public() {
    let f = fixture(Settings::default()).await;
    let anonymous = f.api.with(None).get("/api/services").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let public = fixture(Settings {
        public_read: true,
        ..Settings::default()
    })
    .await;
    let reply = public.api.with(None).get("/api/services/communes").await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn the_catalogue_is_served_from_postgis_too() {
    let Some(f): Option<Fixture> = postgis_fixture("services", Settings::default()).await else {
        return;
    };
    let reply = f.api.get("/api/services/communes").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let communes = reply.json()["communes"].as_array().unwrap().clone();
    let expected = expected_commune_services();
    assert_eq!(communes.len(), expected.len());
    for c in &communes {
        assert_eq!(
            strings(&c["service_ids"]),
            expected[c["insee"].as_str().unwrap()]
        );
    }
    let usage = f.api.get("/api/services/archiving").await.json();
    assert_eq!(usage["usage"].as_array().unwrap().len(), 2);
    f.finish().await;
}
