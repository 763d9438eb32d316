//! The catalogue in memory: services, indicators, bodies, subscriptions, usage and funding bands, with the
//! questions the CLI, the API and the dashboard ask of it.
//!
//! Pure: no file or database work happens here, so every answer is testable with plain values. The store
//! ([`crate::ServicesStore`]) loads a [`Catalogue`] and the shipped data builds one ([`Catalogue::shipped`]).
//! Collections keep insertion order (file order), so listings are deterministic.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde::Serialize;

use crate::csv_io;
use crate::error::{InvalidCsv, ServicesError};
use crate::funding::{self, Contribution};
use crate::model::{
    Body, BodyId, BodyKind, FundingBand, Indicator, IndicatorId, Service, ServiceId, Subscription,
    UsageFigure,
};
use crate::usage::{self, UsageSeries};

/// The shipped data, embedded so that the binary stands alone (see `data/services/README.md`).
const SHIPPED: [(&str, &str); 6] = [
    (
        "data/services/services.csv",
        include_str!("../../../data/services/services.csv"),
    ),
    (
        "data/services/indicators.csv",
        include_str!("../../../data/services/indicators.csv"),
    ),
    (
        "data/services/funding_bands.csv",
        include_str!("../../../data/services/funding_bands.csv"),
    ),
    (
        "data/services/bodies.csv",
        include_str!("../../../data/services/bodies.csv"),
    ),
    (
        "data/services/subscriptions.csv",
        include_str!("../../../data/services/subscriptions.csv"),
    ),
    (
        "data/services/usage.csv",
        include_str!("../../../data/services/usage.csv"),
    ),
];

/// The whole catalogue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalogue {
    services: IndexMap<ServiceId, Service>,
    indicators: IndexMap<IndicatorId, Indicator>,
    bodies: IndexMap<BodyId, Body>,
    /// Commune INSEE code → body id, for the dashboard's look-up of a commune.
    communes: HashMap<String, BodyId>,
    subscriptions: Vec<Subscription>,
    subscription_keys: HashSet<(BodyId, ServiceId)>,
    usage: Vec<UsageFigure>,
    bands: Vec<FundingBand>,
}

/// A service a commune can use, and the bodies whose subscription opens it to the commune (the commune
/// itself, its EPCI, or both).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsedService<'a> {
    pub service: &'a Service,
    pub through: Vec<&'a Body>,
}

/// The services a commune can use, for the dashboard's map (coloured by how many).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommuneServices<'a> {
    pub insee: &'a str,
    pub name: &'a str,
    pub epci: Option<&'a BodyId>,
    /// In catalogue order.
    pub services: Vec<&'a ServiceId>,
}

impl Catalogue {
    /// An empty catalogue (the state of a new store).
    pub fn new() -> Self {
        Self::default()
    }

    /// The catalogue shipped with the engine: the operator's services and published usage figures, the
    /// funding bands, the Breton public bodies and sample subscriptions, as in `data/services/`.
    pub fn shipped() -> Result<Self, ServicesError> {
        let [services, indicators, bands, bodies, subscriptions, usage] = SHIPPED;
        let mut cat = Catalogue::new();
        cat.add_services(
            csv_io::read_services(services.1.as_bytes(), services.0, &cat).map_err(invalid)?,
        );
        cat.add_indicators(
            csv_io::read_indicators(indicators.1.as_bytes(), indicators.0, &cat)
                .map_err(invalid)?,
        );
        cat.bands = csv_io::read_funding_bands(bands.1.as_bytes(), bands.0).map_err(invalid)?;
        cat.import_bodies(bodies.1.as_bytes(), bodies.0)?;
        cat.import_subscriptions(subscriptions.1.as_bytes(), subscriptions.0)?;
        cat.import_usage(usage.1.as_bytes(), usage.0)?;
        Ok(cat)
    }

    /// The reference part only — services, indicators and funding bands, which the engine ships — without
    /// bodies, subscriptions or usage, which the operator imports. What a new store is seeded with when the
    /// operator brings their own bodies.
    pub fn reference(&self) -> Catalogue {
        Catalogue {
            services: self.services.clone(),
            indicators: self.indicators.clone(),
            bands: self.bands.clone(),
            ..Catalogue::default()
        }
    }

    /// Adds the bodies of a CSV file (see [`csv_io::BODY_COLUMNS`]); all or nothing. Returns how many.
    pub fn import_bodies(&mut self, bytes: &[u8], file: &str) -> Result<usize, ServicesError> {
        let bodies = csv_io::read_bodies(bytes, file, self).map_err(invalid)?;
        let n = bodies.len();
        self.add_bodies(bodies);
        Ok(n)
    }

    /// Adds the subscriptions of a CSV file (see [`csv_io::SUBSCRIPTION_COLUMNS`]); all or nothing.
    pub fn import_subscriptions(
        &mut self,
        bytes: &[u8],
        file: &str,
    ) -> Result<usize, ServicesError> {
        let subscriptions = csv_io::read_subscriptions(bytes, file, self).map_err(invalid)?;
        let n = subscriptions.len();
        self.add_subscriptions(subscriptions);
        Ok(n)
    }

    /// Adds the usage figures of a CSV file (see [`csv_io::USAGE_COLUMNS`]); all or nothing.
    pub fn import_usage(&mut self, bytes: &[u8], file: &str) -> Result<usize, ServicesError> {
        let usage = csv_io::read_usage(bytes, file, self).map_err(invalid)?;
        let n = usage.len();
        self.add_usage(usage);
        Ok(n)
    }

    pub(crate) fn add_services(&mut self, services: impl IntoIterator<Item = Service>) {
        self.services
            .extend(services.into_iter().map(|s| (s.id.clone(), s)));
    }

    pub(crate) fn add_indicators(&mut self, indicators: impl IntoIterator<Item = Indicator>) {
        self.indicators
            .extend(indicators.into_iter().map(|i| (i.id.clone(), i)));
    }

    pub(crate) fn add_bands(&mut self, bands: impl IntoIterator<Item = FundingBand>) {
        self.bands.extend(bands);
    }

    pub(crate) fn add_bodies(&mut self, bodies: impl IntoIterator<Item = Body>) {
        for body in bodies {
            if let Some(code) = body.commune_code() {
                self.communes
                    .insert(code.as_str().to_owned(), body.id.clone());
            }
            self.bodies.insert(body.id.clone(), body);
        }
    }

    pub(crate) fn add_subscriptions(
        &mut self,
        subscriptions: impl IntoIterator<Item = Subscription>,
    ) {
        for s in subscriptions {
            self.subscription_keys
                .insert((s.body.clone(), s.service.clone()));
            self.subscriptions.push(s);
        }
    }

    pub(crate) fn add_usage(&mut self, usage: impl IntoIterator<Item = UsageFigure>) {
        self.usage.extend(usage);
    }

    /// Every service, in catalogue order.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.values()
    }

    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.get(id)
    }

    /// Every usage indicator, in catalogue order.
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.values()
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.get(id)
    }

    /// Every public body, in import order.
    pub fn bodies(&self) -> impl Iterator<Item = &Body> {
        self.bodies.values()
    }

    pub fn body(&self, id: &str) -> Option<&Body> {
        self.bodies.get(id)
    }

    /// The commune body with this INSEE code.
    pub fn commune(&self, insee: &str) -> Option<&Body> {
        self.communes.get(insee).and_then(|id| self.bodies.get(id))
    }

    pub fn subscriptions(&self) -> &[Subscription] {
        &self.subscriptions
    }

    /// Whether `body` subscribes to `service` itself (not through its EPCI).
    pub fn subscribes(&self, body: &str, service: &str) -> bool {
        self.subscription_keys
            .contains(&(BodyId::new(body), ServiceId::new(service)))
    }

    pub fn usage_figures(&self) -> &[UsageFigure] {
        &self.usage
    }

    /// The figure of `indicator` for `year`, if any.
    pub fn usage_value(&self, indicator: &str, year: u16) -> Option<u64> {
        self.usage
            .iter()
            .find(|u| u.indicator.as_str() == indicator && u.year == year)
            .map(|u| u.value)
    }

    pub fn funding_bands(&self) -> &[FundingBand] {
        &self.bands
    }

    /// The bodies that pay the fixed statutory contribution (Region, departments, EPCI). Its amounts are not
    /// published, so the catalogue knows who pays, not how much.
    pub fn statutory_members(&self) -> impl Iterator<Item = &Body> {
        self.bodies().filter(|b| b.kind.is_statutory_member())
    }

    /// The services `body` subscribes to itself, in catalogue order.
    pub fn body_services(&self, body: &str) -> Result<Vec<&Service>, ServicesError> {
        let body = self
            .body(body)
            .ok_or_else(|| ServicesError::UnknownBody(body.to_owned()))?;
        Ok(self
            .services()
            .filter(|s| self.subscribes(body.id.as_str(), s.id.as_str()))
            .collect())
    }

    /// The bodies subscribing to `service` themselves, in import order.
    pub fn service_bodies(&self, service: &str) -> Result<Vec<&Body>, ServicesError> {
        let service = self
            .service(service)
            .ok_or_else(|| ServicesError::UnknownService(service.to_owned()))?;
        Ok(self
            .bodies()
            .filter(|b| self.subscribes(b.id.as_str(), service.id.as_str()))
            .collect())
    }

    /// The communes of an EPCI, in import order.
    pub fn epci_communes(&self, epci: &str) -> Result<Vec<&Body>, ServicesError> {
        let epci = self.epci(epci)?;
        Ok(self
            .bodies()
            .filter(|b| b.epci.as_ref() == Some(&epci.id))
            .collect())
    }

    fn epci(&self, id: &str) -> Result<&Body, ServicesError> {
        let body = self
            .body(id)
            .ok_or_else(|| ServicesError::UnknownBody(id.to_owned()))?;
        if body.kind == BodyKind::Epci {
            Ok(body)
        } else {
            Err(ServicesError::NotAnEpci(id.to_owned()))
        }
    }

    /// The services the commune with INSEE code `insee` can use: those it subscribes to and those its EPCI
    /// subscribes to (the EPCI's flat contribution covers all its communes), in catalogue order.
    pub fn commune_services(&self, insee: &str) -> Result<Vec<UsedService<'_>>, ServicesError> {
        let commune = self
            .commune(insee)
            .ok_or_else(|| ServicesError::UnknownCommune(insee.to_owned()))?;
        Ok(self.used_services(commune))
    }

    fn used_services<'a>(&'a self, commune: &'a Body) -> Vec<UsedService<'a>> {
        let epci = commune.epci.as_ref().and_then(|id| self.bodies.get(id));
        let holders: Vec<&Body> = std::iter::once(commune).chain(epci).collect();
        self.services()
            .filter_map(|service| {
                let through: Vec<&Body> = holders
                    .iter()
                    .copied()
                    .filter(|b| self.subscribes(b.id.as_str(), service.id.as_str()))
                    .collect();
                (!through.is_empty()).then_some(UsedService { service, through })
            })
            .collect()
    }

    /// For every commune of the catalogue, the services it can use (see [`Catalogue::commune_services`]):
    /// what colours the dashboard's map.
    pub fn services_per_commune(&self) -> Vec<CommuneServices<'_>> {
        self.bodies()
            .filter(|b| b.kind == BodyKind::Commune)
            .filter_map(|b| {
                let insee = b.insee.as_deref()?;
                Some(CommuneServices {
                    insee,
                    name: &b.name,
                    epci: b.epci.as_ref(),
                    services: self
                        .used_services(b)
                        .into_iter()
                        .map(|u| &u.service.id)
                        .collect(),
                })
            })
            .collect()
    }

    /// The usage of `service` over the years: one series per indicator measuring it, each year with its
    /// growth over the previous year given.
    pub fn service_usage(&self, service: &str) -> Result<Vec<UsageSeries<'_>>, ServicesError> {
        let service = self
            .service(service)
            .ok_or_else(|| ServicesError::UnknownService(service.to_owned()))?;
        Ok(self
            .indicators()
            .filter(|i| i.service.as_ref() == Some(&service.id))
            .map(|i| usage::series(i, &self.usage))
            .collect())
    }

    /// Every indicator's series, including those of the platform as a whole, in catalogue order.
    pub fn usage(&self) -> Vec<UsageSeries<'_>> {
        self.indicators()
            .map(|i| usage::series(i, &self.usage))
            .collect()
    }

    /// The flat annual contribution to the bundle of an EPCI of `population` inhabitants in `year`.
    pub fn contribution(
        &self,
        population: u64,
        year: u16,
    ) -> Result<Contribution<'_>, ServicesError> {
        funding::contribution(&self.bands, population, year)
    }

    /// The flat annual contribution of the EPCI `epci` in `year`, from its population in the catalogue.
    pub fn epci_contribution(
        &self,
        epci: &str,
        year: u16,
    ) -> Result<Contribution<'_>, ServicesError> {
        let body = self.epci(epci)?;
        let population = body
            .population
            .ok_or_else(|| ServicesError::NoPopulation(epci.to_owned()))?;
        self.contribution(population, year)
    }
}

fn invalid(e: InvalidCsv) -> ServicesError {
    ServicesError::InvalidCsv(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Catalogue {
        Catalogue::shipped().expect("the shipped catalogue is valid")
    }

    #[test]
    fn shipped_catalogue_has_the_bundle_and_the_cooperative_services() {
        let cat = shipped();
        let offers: Vec<_> = cat.services().map(|s| s.offer).collect();
        assert_eq!(
            offers
                .iter()
                .filter(|o| **o == crate::Offer::Bundle)
                .count(),
            9
        );
        assert_eq!(
            offers
                .iter()
                .filter(|o| **o == crate::Offer::Cooperative)
                .count(),
            5
        );
    }

    #[test]
    fn shipped_bodies_cover_every_commune_of_the_project() {
        let cat = shipped();
        let communes = include_str!("../../../data/communes/bretagne.csv");
        let mut n = 0;
        for line in communes.lines().skip(1) {
            let insee = line.split(';').next().unwrap_or_default();
            let body = cat
                .commune(insee)
                .unwrap_or_else(|| panic!("commune {insee} missing"));
            let epci = body.epci.as_ref().and_then(|e| cat.body(e.as_str()));
            assert_eq!(
                epci.map(|e| e.kind),
                Some(BodyKind::Epci),
                "{insee} has no EPCI"
            );
            n += 1;
        }
        assert_eq!(n, 77);
        assert_eq!(
            cat.bodies()
                .filter(|b| b.kind == BodyKind::Department)
                .count(),
            4
        );
        assert_eq!(
            cat.bodies().filter(|b| b.kind == BodyKind::Region).count(),
            1
        );
    }

    #[test]
    fn commune_services_come_from_the_commune_and_its_epci() {
        let mut cat = Catalogue::new();
        cat.add_services(shipped().services().cloned());
        cat.import_bodies(
            b"id;kind;name;insee;siren;epci;population;sample\n\
              e;epci;E;;;;12000;yes\nc;commune;C;29019;;e;;yes\nd;commune;D;29020;;e;;yes\n",
            "b.csv",
        )
        .expect("bodies");
        cat.import_subscriptions(
            b"body;service;since\ne;procurement;\nc;procurement;\nc;open-data;\ne;archiving;\n",
            "s.csv",
        )
        .expect("subscriptions");
        let used = cat.commune_services("29019").expect("commune");
        let summary: Vec<(&str, Vec<&str>)> = used
            .iter()
            .map(|u| {
                (
                    u.service.id.as_str(),
                    u.through.iter().map(|b| b.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("procurement", vec!["c", "e"]),
                ("archiving", vec!["e"]),
                ("open-data", vec!["c"]),
            ]
        );
        let counts: Vec<(&str, usize)> = cat
            .services_per_commune()
            .iter()
            .map(|c| (c.insee, c.services.len()))
            .collect();
        assert_eq!(counts, vec![("29019", 3), ("29020", 2)]);
        assert!(matches!(
            cat.commune_services("29999"),
            Err(ServicesError::UnknownCommune(_))
        ));
        let names: Vec<&str> = cat
            .epci_communes("e")
            .expect("epci")
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(names, ["C", "D"]);
        assert!(matches!(
            cat.epci_communes("c"),
            Err(ServicesError::NotAnEpci(_))
        ));
        let subscribers: Vec<&str> = cat
            .service_bodies("procurement")
            .expect("service")
            .iter()
            .map(|b| b.id.as_str())
            .collect();
        assert_eq!(subscribers, ["e", "c"]);
        let own: Vec<&str> = cat
            .body_services("c")
            .expect("body")
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(own, ["procurement", "open-data"]);
    }

    #[test]
    fn statutory_members_are_region_departments_and_epci() {
        let cat = shipped();
        let mut kinds: Vec<BodyKind> = cat.statutory_members().map(|b| b.kind).collect();
        kinds.dedup();
        assert_eq!(
            kinds,
            [BodyKind::Region, BodyKind::Department, BodyKind::Epci]
        );
        // 1 region, 4 departments, 34 EPCI; no commune and no other body.
        assert_eq!(cat.statutory_members().count(), 39);
    }
}
