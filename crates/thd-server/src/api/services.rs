//! `/api/services/...`: the operator's digital-services catalogue — the services and who subscribes, the public
//! bodies and what they use, usage over the years with its growth, what an EPCI pays, and, for the dashboard's
//! map, what each commune can use, placed at its centre.
//!
//! The catalogue is not network data: any caller allowed to read sees all of it (the public too, on a public
//! deployment). Every table-like answer is also a CSV download (`?format=csv`).

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use geo_types::Coord;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thd_access::Permission;
use thd_services::{
    Body, BodyKind, Catalogue, Contribution, FundingBand, Service, ServicesError, UsageSeries,
};

use crate::app::App;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Path, Query};
use crate::table::{self, Format};

impl From<ServicesError> for ApiError {
    fn from(error: ServicesError) -> Self {
        match error {
            ServicesError::UnknownService(_)
            | ServicesError::UnknownBody(_)
            | ServicesError::UnknownCommune(_) => ApiError::not_found(error.to_string()),
            ServicesError::NotAnEpci(_)
            | ServicesError::NoPopulation(_)
            | ServicesError::NoTariff { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no_contribution",
                error.to_string(),
            ),
            other => ApiError::internal(other),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FormatParam {
    #[serde(default)]
    format: Format,
}

/// The catalogue the caller may read.
async fn catalogue(app: &App, caller: &Caller) -> Result<std::sync::Arc<Catalogue>, ApiError> {
    caller.require(Permission::Read)?;
    app.catalogue().await
}

/// A service of the catalogue with how many bodies subscribe to it themselves.
#[derive(Debug, Serialize)]
struct ListedService<'a> {
    #[serde(flatten)]
    service: &'a Service,
    subscribers: usize,
}

#[derive(Debug, Serialize)]
struct ServiceList<'a> {
    services: Vec<ListedService<'a>>,
}

/// `GET /api/services`: the catalogue's services, in catalogue order.
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<FormatParam>,
) -> Result<Response, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let document = ServiceList {
        services: cat
            .services()
            .map(|service| ListedService {
                service,
                subscribers: cat
                    .service_bodies(service.id.as_str())
                    .map_or(0, |b| b.len()),
            })
            .collect(),
    };
    table::respond(
        params.format,
        &document,
        |v| v["services"].as_array(),
        "services.csv",
    )
}

/// One year of one usage indicator, flat (a table row), with its growth over the previous year stated.
#[derive(Debug, Serialize)]
struct UsageRow<'a> {
    indicator: &'a str,
    /// The service measured; `None` for the platform as a whole.
    service: Option<&'a str>,
    label_en: &'a str,
    label_fr: &'a str,
    year: u16,
    value: u64,
    /// Value over the previous year's value, when there is a previous year with a non-zero value.
    growth: Option<f64>,
    growth_from: Option<u16>,
}

fn usage_rows<'a>(series: &[UsageSeries<'a>]) -> Vec<UsageRow<'a>> {
    series
        .iter()
        .flat_map(|s| {
            s.points.iter().map(|p| UsageRow {
                indicator: s.indicator.id.as_str(),
                service: s.indicator.service.as_ref().map(|id| id.as_str()),
                label_en: &s.indicator.label_en,
                label_fr: &s.indicator.label_fr,
                year: p.year,
                value: p.value,
                growth: p.growth.map(|g| g.ratio),
                growth_from: p.growth.map(|g| g.from_year),
            })
        })
        .collect()
}

#[derive(Debug, Serialize)]
struct Usage<'a> {
    usage: Vec<UsageRow<'a>>,
}

/// `GET /api/services/usage`: every indicator's published figures by year, growth computed.
pub async fn usage(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<FormatParam>,
) -> Result<Response, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let document = Usage {
        usage: usage_rows(&cat.usage()),
    };
    table::respond(
        params.format,
        &document,
        |v| v["usage"].as_array(),
        "services-usage.csv",
    )
}

#[derive(Debug, Serialize)]
struct ServiceDetail<'a> {
    service: &'a Service,
    /// The bodies subscribing themselves (a commune may also use it through its EPCI).
    subscribers: Vec<&'a Body>,
    usage: Vec<UsageRow<'a>>,
}

/// `GET /api/services/{service}`: one service, its subscribers and its usage; the CSV lists the subscribers.
pub async fn service(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<FormatParam>,
) -> Result<Response, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let service = cat
        .service(&id)
        .ok_or_else(|| ServicesError::UnknownService(id.clone()))?;
    let document = ServiceDetail {
        service,
        subscribers: cat.service_bodies(&id)?,
        usage: usage_rows(&cat.service_usage(&id)?),
    };
    table::respond(
        params.format,
        &document,
        |v| v["subscribers"].as_array(),
        &format!("service-{id}.csv"),
    )
}

#[derive(Debug, Deserialize)]
pub struct BodyParams {
    /// Only bodies of this kind: region, department, epci, commune, other.
    kind: Option<String>,
    /// Only the communes of this EPCI.
    epci: Option<String>,
    #[serde(default)]
    format: Format,
}

/// A body with how many services it subscribes to itself.
#[derive(Debug, Serialize)]
struct ListedBody<'a> {
    #[serde(flatten)]
    body: &'a Body,
    services: usize,
}

#[derive(Debug, Serialize)]
struct BodyList<'a> {
    bodies: Vec<ListedBody<'a>>,
}

/// `GET /api/services/bodies[?kind=][&epci=]`: the public bodies, in catalogue order.
pub async fn bodies(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<BodyParams>,
) -> Result<Response, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let kind = params
        .kind
        .as_deref()
        .map(|k| {
            BodyKind::parse(k).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "kind: {k:?} is not one of region, department, epci, commune, other"
                ))
            })
        })
        .transpose()?;
    let listed: Vec<&Body> = match params.epci.as_deref() {
        Some(epci) => cat.epci_communes(epci)?,
        None => cat.bodies().collect(),
    };
    let document = BodyList {
        bodies: listed
            .into_iter()
            .filter(|b| kind.is_none_or(|k| b.kind == k))
            .map(|body| ListedBody {
                body,
                services: cat.body_services(body.id.as_str()).map_or(0, |s| s.len()),
            })
            .collect(),
    };
    table::respond(
        params.format,
        &document,
        |v| v["bodies"].as_array(),
        "bodies.csv",
    )
}

#[derive(Debug, Deserialize)]
pub struct YearParam {
    /// The year of the tariff; the latest tariff's first year when absent.
    year: Option<u16>,
}

#[derive(Debug, Serialize)]
struct BodyDetail<'a> {
    body: &'a Body,
    /// The services it subscribes to itself.
    services: Vec<&'a Service>,
    /// An EPCI's communes (empty for other bodies).
    communes: Vec<&'a Body>,
    /// An EPCI's flat annual contribution, when its population and a tariff for the year are known.
    contribution: Option<Contribution<'a>>,
}

/// `GET /api/services/bodies/{body}`: one body, its services, and for an EPCI its communes and contribution.
pub async fn body(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<YearParam>,
) -> Result<axum::Json<Value>, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let body = cat
        .body(&id)
        .ok_or_else(|| ServicesError::UnknownBody(id.clone()))?;
    let is_epci = body.kind == BodyKind::Epci;
    let year = params
        .year
        .unwrap_or_else(|| latest_tariff(cat.funding_bands()));
    let document = BodyDetail {
        body,
        services: cat.body_services(&id)?,
        communes: if is_epci {
            cat.epci_communes(&id)?
        } else {
            Vec::new()
        },
        contribution: if is_epci {
            cat.epci_contribution(&id, year).ok()
        } else {
            None
        },
    };
    Ok(axum::Json(
        serde_json::to_value(document).map_err(ApiError::internal)?,
    ))
}

/// The first year of the latest tariff: the default year of a contribution.
fn latest_tariff(bands: &[FundingBand]) -> u16 {
    bands
        .iter()
        .map(|b| b.tariff_from)
        .max()
        .unwrap_or_default()
}

/// A commune as the services map draws it.
#[derive(Debug, Serialize)]
struct CommuneRow<'a> {
    insee: &'a str,
    name: &'a str,
    epci: Option<&'a str>,
    epci_name: Option<&'a str>,
    /// How many services it can use, itself or through its EPCI.
    services: usize,
    service_ids: Vec<&'a str>,
    /// Its centre in WGS84, when the reference table of communes knows it.
    lon: Option<f64>,
    lat: Option<f64>,
}

#[derive(Debug, Serialize)]
struct CommuneList<'a> {
    communes: Vec<CommuneRow<'a>>,
}

/// `GET /api/services/communes`: every commune of the catalogue with the services it can use and its centre.
pub async fn communes(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<FormatParam>,
) -> Result<Response, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let centres = commune_centres();
    let communes = cat
        .services_per_commune()
        .into_iter()
        .map(|c| {
            let centre = centres.get(c.insee);
            CommuneRow {
                insee: c.insee,
                name: c.name,
                epci: c.epci.map(|id| id.as_str()),
                epci_name: c
                    .epci
                    .and_then(|id| cat.body(id.as_str()))
                    .map(|b| b.name.as_str()),
                services: c.services.len(),
                service_ids: c.services.iter().map(|id| id.as_str()).collect(),
                lon: centre.map(|c| c.x),
                lat: centre.map(|c| c.y),
            }
        })
        .collect();
    let document = CommuneList { communes };
    table::respond(
        params.format,
        &document,
        |v| v["communes"].as_array(),
        "services-communes.csv",
    )
}

/// A service a commune can use and the bodies (the commune, its EPCI) whose subscription opens it.
#[derive(Debug, Serialize)]
struct UsedRow<'a> {
    #[serde(flatten)]
    service: &'a Service,
    through: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
struct CommuneDetail<'a> {
    commune: &'a Body,
    epci: Option<&'a Body>,
    services: Vec<UsedRow<'a>>,
    lon: Option<f64>,
    lat: Option<f64>,
}

/// `GET /api/services/communes/{insee}`: what one commune can use, and through whom.
pub async fn commune(
    State(app): State<App>,
    caller: Caller,
    Path(insee): Path<String>,
    Query(params): Query<FormatParam>,
) -> Result<Response, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let commune = cat
        .commune(&insee)
        .ok_or_else(|| ServicesError::UnknownCommune(insee.clone()))?;
    let centre = commune_centres().get(insee.as_str());
    let document = CommuneDetail {
        commune,
        epci: commune.epci.as_ref().and_then(|id| cat.body(id.as_str())),
        services: cat
            .commune_services(&insee)?
            .into_iter()
            .map(|u| UsedRow {
                service: u.service,
                through: u.through.iter().map(|b| b.id.as_str()).collect(),
            })
            .collect(),
        lon: centre.map(|c| c.x),
        lat: centre.map(|c| c.y),
    };
    table::respond(
        params.format,
        &document,
        |v| v["services"].as_array(),
        &format!("services-{insee}.csv"),
    )
}

#[derive(Debug, Deserialize)]
pub struct ContributionParams {
    /// The EPCI whose contribution is asked (its population is in the catalogue)...
    epci: Option<String>,
    /// ... or the population of a hypothetical EPCI.
    population: Option<u64>,
    year: Option<u16>,
}

/// `GET /api/services/contribution?epci=ID|population=N[&year=Y]`: the flat annual contribution to the bundle.
pub async fn contribution(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<ContributionParams>,
) -> Result<axum::Json<Value>, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    let year = params
        .year
        .unwrap_or_else(|| latest_tariff(cat.funding_bands()));
    let contribution = match (params.epci.as_deref(), params.population) {
        (Some(epci), None) => cat.epci_contribution(epci, year)?,
        (None, Some(population)) => cat.contribution(population, year)?,
        _ => {
            return Err(ApiError::bad_request(
                "give either epci=<body id> or population=<inhabitants>",
            ));
        }
    };
    Ok(axum::Json(
        serde_json::to_value(contribution).map_err(ApiError::internal)?,
    ))
}

#[derive(Debug, Serialize)]
struct Funding<'a> {
    bands: &'a [FundingBand],
}

/// `GET /api/services/funding`: the size bands of the flat contribution, every tariff year.
pub async fn funding(
    State(app): State<App>,
    caller: Caller,
    Query(params): Query<FormatParam>,
) -> Result<Response, ApiError> {
    let cat = catalogue(&app, &caller).await?;
    table::respond(
        params.format,
        &Funding {
            bands: cat.funding_bands(),
        },
        |v| v["bands"].as_array(),
        "funding-bands.csv",
    )
}

/// The centre of each commune of the project's reference table (`data/communes/`), in WGS84, by INSEE code.
///
/// The catalogue knows communes by code only; the map needs a place to draw them, and the reference table
/// the sample deliveries are generated from has the centre of every commune the shipped catalogue names.
fn commune_centres() -> &'static HashMap<&'static str, Coord> {
    static CENTRES: OnceLock<HashMap<&'static str, Coord>> = OnceLock::new();
    CENTRES.get_or_init(|| {
        let Ok(communes) = thd_generate::communes::all() else {
            // The table is embedded and checked by thd-generate's tests; without it, no centres.
            return HashMap::new();
        };
        communes
            .iter()
            .filter_map(|c| {
                let wgs84 = thd_geo::wgs84::lambert93_to_wgs84(Coord { x: c.x, y: c.y }).ok()?;
                Some((c.insee, wgs84))
            })
            .collect()
    })
}
