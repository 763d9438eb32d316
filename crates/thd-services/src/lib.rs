//! The operator's digital-services catalogue: services, public bodies, subscriptions, usage, funding.
//!
//! Besides the fibre network, the operator runs a bundle of shared digital services (procurement platform,
//! tele-transmission, e-signature, archiving, ...) for about 2 500 public bodies. This crate models that
//! catalogue and answers what the CLI (`thd services ...`), the HTTP API (`/api/services/...`) and the
//! dashboard ask: the services, the bodies and what they subscribe to, what a commune can use, usage over the
//! years with growth, and what an EPCI pays.
//!
//! - [`Catalogue`] (pure, in memory): [`Catalogue::shipped`] is the data of `data/services/`, embedded so the
//!   binary stands alone; queries such as [`Catalogue::commune_services`], [`Catalogue::service_usage`] and
//!   [`Catalogue::epci_contribution`] work on it.
//! - [`csv_io`]: reading (validated, every problem reported at once) and writing the bodies, subscriptions
//!   and usage CSV files.
//! - [`ServicesStore`]: the catalogue's `svc_*` tables in the delivery store's database — its SQLite file by
//!   default, or its PostgreSQL schema — with all-or-nothing imports.
//!
//! The crate depends on no other crate of the workspace: a commune is joined to the fibre rollout by its
//! INSEE code, which both sides know.

mod catalogue;
pub mod codes;
pub mod csv_io;
mod error;
mod funding;
mod model;
mod store;
mod usage;

pub use catalogue::{Catalogue, CommuneServices, UsedService};
pub use codes::{InseeCode, Siren};
pub use csv_io::{export_bodies, export_subscriptions, export_usage};
pub use error::{InvalidCsv, Problem, RowError, ServicesError};
pub use funding::Contribution;
pub use model::{
    Body, BodyId, BodyKind, Category, FundingBand, Indicator, IndicatorId, Offer, Service,
    ServiceId, Subscription, UsageFigure,
};
pub use store::{Counts, SCHEMA_VERSION, ServicesStore};
pub use usage::{Growth, UsagePoint, UsageSeries};
