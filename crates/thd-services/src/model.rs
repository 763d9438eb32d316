//! The things the catalogue is about: services, usage indicators, public bodies, subscriptions, usage figures
//! and funding bands, as plain values with no I/O.
//!
//! Keys are newtypes ([`ServiceId`], [`BodyId`], [`IndicatorId`]) so that a body id cannot be passed where a
//! service id is expected. Closed sets the code gives a meaning to ([`BodyKind`], [`Category`], [`Offer`]) are
//! enums; everything else (names, descriptions) is data.

use std::borrow::Borrow;
use std::fmt;

use serde::Serialize;

use crate::codes::{InseeCode, Siren};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// The catalogue's identifier of a service (`procurement`, `archiving`, ...).
    ServiceId
);
id_type!(
    /// The catalogue's identifier of a public body (`region-bretagne`, `epci-brest`, `com-29019`, ...).
    BodyId
);
id_type!(
    /// The identifier of a yearly usage indicator (`archives-deposited`, ...).
    IndicatorId
);

/// Defines a closed set of values written in CSV files and the store as fixed lower-case tokens.
macro_rules! token_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $token:literal $(| $alias:literal)*,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The token written in files and in the store.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $token,)+
                }
            }

            /// Reads a token (case-insensitive; French spellings accepted where listed).
            pub fn parse(text: &str) -> Option<Self> {
                let t = text.trim().to_lowercase();
                match t.as_str() {
                    $($token $(| $alias)* => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The tokens, for error messages.
            pub(crate) fn tokens() -> String {
                let all: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                all.join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

token_enum!(
    /// What a service is for; the dashboard groups the catalogue by it.
    Category {
        Procurement = "procurement" | "marchés",
        Dematerialisation = "dematerialisation" | "dématérialisation",
        Archiving = "archiving" | "archivage",
        Collaboration = "collaboration",
        OpenData = "open-data" | "données ouvertes",
        Support = "support" | "accompagnement",
        UrbanPlanning = "urban-planning" | "urbanisme",
        Mobility = "mobility" | "mobilité",
        Security = "security" | "sécurité",
        Compliance = "compliance" | "conformité",
    }
);

token_enum!(
    /// How a service is offered: in the bundle every EPCI's flat contribution pays for, or through a
    /// cooperative project the bodies join separately.
    Offer {
        Bundle = "bundle" | "bouquet",
        Cooperative = "cooperative" | "coopératif",
    }
);

token_enum!(
    /// The kind of a public body. It decides which identifiers apply (a commune has an INSEE commune code, a
    /// department its department code) and who pays what (the bundle's flat contribution is per EPCI).
    BodyKind {
        Region = "region" | "région",
        Department = "department" | "département" | "departement",
        Epci = "epci",
        Commune = "commune",
        Other = "other" | "autre",
    }
);

impl BodyKind {
    /// Members pay the operator's fixed statutory contribution: the Region, the departments and the EPCI.
    pub fn is_statutory_member(self) -> bool {
        matches!(
            self,
            BodyKind::Region | BodyKind::Department | BodyKind::Epci
        )
    }
}

/// A service of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub id: ServiceId,
    /// English name.
    pub name: String,
    /// French name, as the bodies know it.
    pub name_fr: String,
    pub category: Category,
    pub offer: Offer,
    /// Year the service started, when a source gives it.
    pub since: Option<u16>,
    pub description: String,
}

/// A yearly usage indicator, attached to the service it measures (`None`: the platform as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub id: IndicatorId,
    pub service: Option<ServiceId>,
    pub label_en: String,
    pub label_fr: String,
}

/// A public body: the Region, a department, an EPCI, a commune or another public body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Body {
    pub id: BodyId,
    pub kind: BodyKind,
    pub name: String,
    /// The INSEE code of its kind: commune code for a commune, department code for a department, region code
    /// for the region. `None` for EPCI (identified by SIREN) and other bodies, or when unknown.
    pub insee: Option<String>,
    pub siren: Option<Siren>,
    /// The EPCI a commune belongs to.
    pub epci: Option<BodyId>,
    /// Inhabitants; sets an EPCI's funding band.
    pub population: Option<u64>,
    /// True when the row is illustrative sample data rather than a verified fact.
    pub sample: bool,
}

impl Body {
    /// A commune's INSEE code, typed.
    pub fn commune_code(&self) -> Option<InseeCode> {
        match self.kind {
            BodyKind::Commune => self.insee.as_deref().and_then(InseeCode::parse),
            _ => None,
        }
    }
}

/// A body subscribes to a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    pub body: BodyId,
    pub service: ServiceId,
    /// Year the subscription started, when known.
    pub since: Option<u16>,
}

/// The published value of one indicator for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageFigure {
    pub indicator: IndicatorId,
    pub year: u16,
    pub value: u64,
}

/// One size band of a flat-contribution tariff: EPCI of `min_population..=max_population` inhabitants pay
/// `annual_eur` a year during the years `tariff_from..=tariff_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FundingBand {
    pub tariff_from: u16,
    pub tariff_to: u16,
    pub min_population: u64,
    /// `None`: no upper bound (the metropolis band).
    pub max_population: Option<u64>,
    pub annual_eur: u64,
    pub label: String,
    /// True for an amount taken from the operator's published figures, false for an assumed one.
    pub published: bool,
}

impl FundingBand {
    /// Whether an EPCI of `population` inhabitants falls in this band.
    pub fn contains(&self, population: u64) -> bool {
        population >= self.min_population && self.max_population.is_none_or(|m| population <= m)
    }

    /// Whether this band's tariff applies in `year`.
    pub fn covers_year(&self, year: u16) -> bool {
        (self.tariff_from..=self.tariff_to).contains(&year)
    }
}
