//! The typed network: what the objects of a delivery are and how they refer to each other.
//!
//! One set of types serves both GraceTHD versions: the decoder maps each version's tables onto them (v2.0.1's
//! `t_sitetech` and v3's `t_site` are both [`Site`]s; v2.0.1's `t_suf` and v3's `t_local` are both
//! [`Premises`]). A field a version does not have is `None`. List-coded attributes are [`Sym`]s, references are
//! typed [`Id`]s, geometries are `geo` types in Lambert-93 (EPSG:2154).

use chrono::NaiveDate;
use geo_types::{LineString, MultiPolygon, Point};
use std::collections::BTreeMap;
use thd_model::{GraceVersion, Schema};

use crate::entities::{Entities, Id};
use crate::symbols::{Sym, Symbols};

/// Where an object stands in its life: the phase of the project (`*_statut`: AVP, PRO, EXE, REC...), the
/// progress of the works (`*_avct`: existing, to create, works, in service), its physical state (`*_etat`) and
/// who owns and manages it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Lifecycle {
    pub status: Option<Sym>,
    pub progress: Option<Sym>,
    pub state: Option<Sym>,
    pub owner: Option<Id<Organisation>>,
    pub manager: Option<Id<Organisation>>,
    /// Date of installation (`*_dateins`) or construction.
    pub installed: Option<NaiveDate>,
    /// Date put into service (`*_datemes`).
    pub in_service: Option<NaiveDate>,
}

/// An organisation (owner, manager, operator, manufacturer): `t_organisme`.
#[derive(Debug, Clone, PartialEq)]
pub struct Organisation {
    pub name: Option<String>,
    pub siret: Option<String>,
}

/// A point of the network graph (`t_noeud`): every chamber, pole, site and premises stands on one.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub location: Option<Point>,
    /// `nd_type` (v2.0.1): technical point, technical site, end-user site...
    pub kind: Option<Sym>,
}

/// A technical point (`t_ptech`): a chamber, a pole, a façade anchor.
#[derive(Debug, Clone, PartialEq)]
pub struct TechPoint {
    pub node: Option<Id<Node>>,
    /// `pt_typephy`: A pole, C chamber, F façade...
    pub physical: Option<Sym>,
    /// `pt_nature`: the chamber or pole model (L2T, A1...).
    pub nature: Option<Sym>,
    pub life: Lifecycle,
}

/// A technical site (`t_sitetech` in v2.0.1, `t_site` in v3): NRO, SRO (shelter, street cabinet), building.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub node: Option<Id<Node>>,
    pub address: Option<Id<Address>>,
    /// `st_typelog`: NRO, SRO, CLIENT...
    pub logical: Option<Sym>,
    /// `st_typephy`: shelter, cabinet, building...
    pub physical: Option<Sym>,
    pub life: Lifecycle,
}

/// Premises that a plug serves: v2.0.1's end-user site (`t_suf`) or v3's local (`t_local`).
#[derive(Debug, Clone, PartialEq)]
pub struct Premises {
    pub node: Option<Id<Node>>,
    pub address: Option<Id<Address>>,
    /// The PBO zone serving it (v2.0.1 `sf_zp_code`).
    pub pbo_zone: Option<Id<Zone>>,
    /// The site it belongs to (v3 `lc_st_code`).
    pub site: Option<Id<Site>>,
    /// The PBO box serving it (v3 `lc_bp_codp`).
    pub pbo: Option<Id<Enclosure>>,
    /// `sf_type` (v2.0.1) or `lc_typelog` (v3).
    pub kind: Option<Sym>,
    pub life: Lifecycle,
}

/// A postal address (`t_adresse`), with the number of premises and of plugs it counts and what the IPE file
/// publishes of it (the `ad_i*` attributes are GraceTHD's copy of the IPE fields).
#[derive(Debug, Clone, PartialEq)]
pub struct Address {
    pub location: Option<Point>,
    /// INSEE code of the commune (`ad_insee`).
    pub insee: Option<String>,
    /// `ad_postal`.
    pub postal_code: Option<String>,
    pub commune: Option<String>,
    /// Street name as delivered, type included (`ad_nomvoie`: `RUE DU MAIL`).
    pub street: Option<String>,
    pub number: Option<i64>,
    /// Repetition index after the number (`ad_rep`: `B`, `BIS`...).
    pub number_suffix: Option<String>,
    /// La Poste's address key (`ad_hexacle`), the address identifier operators exchange.
    pub hexacle: Option<String>,
    /// The building's name as the network operator describes it (`ad_nombat`).
    pub building_name: Option<String>,
    /// The building's identifier in an external base: IGN, OSM, DGFiP... (`ad_batcode`).
    pub building_code: Option<String>,
    /// Dwellings (`ad_nblhab` in v2.0.1, `ad_nblres` in v3).
    pub dwellings: Option<u32>,
    /// Business premises (`ad_nblpro`).
    pub businesses: Option<u32>,
    /// Plugs planned for dwellings (`ad_nbprhab`, v2.0.1).
    pub dwelling_plugs: Option<u32>,
    /// Plugs planned for businesses (`ad_nbprpro`, v2.0.1).
    pub business_plugs: Option<u32>,
    /// `ad_ietat`: state of the building's connection (target, signed, cabled, connectable...).
    pub building_state: Option<Sym>,
    /// Planned or actual date the address is cabled, i.e. becomes connectable (`ad_idatcab`, 2.0.1).
    pub cabled: Option<NaiveDate>,
    /// Date a customer may be connected under the regulation: commercial opening (`ad_idatcom`, 2.0.1).
    pub commercial_opening: Option<NaiveDate>,
}

impl Address {
    /// Plugs the address counts: its planned plugs when the delivery gives them, else one per premises.
    pub fn plugs(&self) -> u32 {
        match (self.dwelling_plugs, self.business_plugs) {
            (None, None) => self.dwellings.unwrap_or(0) + self.businesses.unwrap_or(0),
            (dwellings, businesses) => dwellings.unwrap_or(0) + businesses.unwrap_or(0),
        }
    }
}

/// Which level of the network a zone covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZoneKind {
    /// Served by an optical connection node (`t_znro`).
    Nro,
    /// Served by an optical sub-distributor (`t_zsro`).
    Sro,
    /// Served by an optical branching point (`t_zpbo`, v2.0.1).
    Pbo,
    /// A deployment zone (`t_zdep`).
    Deployment,
}

impl ZoneKind {
    pub const ALL: [ZoneKind; 4] = [Self::Nro, Self::Sro, Self::Pbo, Self::Deployment];

    pub fn table(self) -> &'static str {
        match self {
            Self::Nro => "t_znro",
            Self::Sro => "t_zsro",
            Self::Pbo => "t_zpbo",
            Self::Deployment => "t_zdep",
        }
    }
}

/// A served area. Zones of each kind live in their own collection; `parent` points into the collection of the
/// level above (an SRO zone's parent is an NRO zone, a PBO or deployment zone's parent is an SRO zone).
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub kind: ZoneKind,
    pub node: Option<Id<Node>>,
    pub parent: Option<Id<Zone>>,
    pub area: Option<MultiPolygon>,
    /// Maximum number of premises (`zs_capamax`, `zp_capamax`).
    pub capacity: Option<u32>,
    pub name: Option<String>,
    pub life: Lifecycle,
    /// The shared access point (PM) of an SRO zone as published to operators; `None` for other kinds. Its
    /// installation date is the zone's `life.installed` (`zs_dateins`).
    pub access_point: Option<AccessPoint>,
}

/// What an SRO zone (`t_zsro`) says of its access point (point de mutualisation) for the IPE file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessPoint {
    /// The PM reference, lasting and proper to the network operator (`zs_refpm`).
    pub reference: Option<String>,
    /// `zs_etatpm`: PL planned, EC being deployed, DP deployed, AB abandoned.
    pub state: Option<Sym>,
    /// `zs_typeemp` (2.0.1): street cabinet, shelter, technical room, outdoor or indoor PM.
    pub placement: Option<Sym>,
    /// First made available to a commercial operator, which starts the 3-month freeze (`zs_datemad`, 2.0.1).
    pub first_available: Option<NaiveDate>,
    /// Date a customer may be connected to it under the regulation (`zs_datcomr`, 2.0.1).
    pub commercial_opening: Option<NaiveDate>,
}

/// A civil-works path between two nodes (`t_cheminement`): a trench, an aerial span, a gallery.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub from: Option<Id<Node>>,
    pub to: Option<Id<Node>>,
    pub line: Option<LineString>,
    /// `cm_typ_imp`: underground, aerial, façade...
    pub placement: Option<Sym>,
    /// `cm_typelog`: transport, distribution, connection...
    pub logical: Option<Sym>,
    /// Declared length in metres (`cm_long`, else `cm_lgreel`).
    pub length: Option<f64>,
    pub life: Lifecycle,
}

/// A duct (`t_conduite`, v2.0.1), possibly a sub-duct of another.
#[derive(Debug, Clone, PartialEq)]
pub struct Duct {
    pub parent: Option<Id<Duct>>,
    /// `cd_type`: duct, sub-duct, micro-duct...
    pub kind: Option<Sym>,
    /// Inner diameter in millimetres.
    pub inner_diameter: Option<f64>,
    pub length: Option<f64>,
    pub life: Lifecycle,
}

/// A fibre cable (`t_cable`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cable {
    pub from: Option<Id<Node>>,
    pub to: Option<Id<Node>>,
    /// Boxes at its ends (v3 `cb_bp1`, `cb_bp2`).
    pub from_box: Option<Id<Enclosure>>,
    pub to_box: Option<Id<Enclosure>>,
    /// Number of fibres (`cb_capafo`).
    pub capacity: Option<u32>,
    /// `cb_typelog`: transport, distribution, connection...
    pub logical: Option<Sym>,
    /// `cb_typephy`: cable, breakout, jumper.
    pub physical: Option<Sym>,
    /// Real length in metres (`cb_lgreel`).
    pub length: Option<f64>,
    pub life: Lifecycle,
}

/// The drawn route of a cable (`t_cableline`).
#[derive(Debug, Clone, PartialEq)]
pub struct CableLine {
    pub cable: Option<Id<Cable>>,
    pub line: Option<LineString>,
    pub length: Option<f64>,
}

/// A passive box (boîtier) (`t_ebp`): BPE, PBO, PTO, DTI.
#[derive(Debug, Clone, PartialEq)]
pub struct Enclosure {
    pub tech_point: Option<Id<TechPoint>>,
    /// `bp_typelog`: BPE, PBO, PTO, DTI.
    pub logical: Option<Sym>,
    pub physical: Option<Sym>,
    pub life: Lifecycle,
}

/// A fibre of a cable (`t_fibre`).
#[derive(Debug, Clone, PartialEq)]
pub struct Fibre {
    pub cable: Option<Id<Cable>>,
    /// Rank of the fibre in its cable (`fo_nincab`).
    pub number: Option<u32>,
    pub state: Option<Sym>,
}

/// The typed network of one delivery.
#[derive(Debug)]
pub struct Network {
    pub version: GraceVersion,
    pub symbols: Symbols,
    pub organisations: Entities<Organisation>,
    pub nodes: Entities<Node>,
    pub addresses: Entities<Address>,
    pub tech_points: Entities<TechPoint>,
    pub sites: Entities<Site>,
    pub premises: Entities<Premises>,
    pub nro_zones: Entities<Zone>,
    pub sro_zones: Entities<Zone>,
    pub pbo_zones: Entities<Zone>,
    pub deployment_zones: Entities<Zone>,
    pub paths: Entities<Path>,
    pub ducts: Entities<Duct>,
    pub cables: Entities<Cable>,
    pub cable_lines: Entities<CableLine>,
    pub enclosures: Entities<Enclosure>,
    pub fibres: Entities<Fibre>,
    /// Which ducts run in which paths (`t_cond_chem`).
    pub duct_paths: Vec<(Id<Duct>, Id<Path>)>,
    /// Which cables run in which ducts (`t_cab_cond`, v2.0.1).
    pub cable_ducts: Vec<(Id<Cable>, Id<Duct>)>,
    /// Which cables run along which paths (`t_cab_chem`, v3).
    pub cable_paths: Vec<(Id<Cable>, Id<Path>)>,
}

impl Network {
    pub fn schema(&self) -> &'static Schema {
        Schema::of(self.version)
    }

    /// The zones of one kind.
    pub fn zones(&self, kind: ZoneKind) -> &Entities<Zone> {
        match kind {
            ZoneKind::Nro => &self.nro_zones,
            ZoneKind::Sro => &self.sro_zones,
            ZoneKind::Pbo => &self.pbo_zones,
            ZoneKind::Deployment => &self.deployment_zones,
        }
    }

    /// The code of a list symbol (`REC`).
    pub fn code(&self, sym: Sym) -> &str {
        self.symbols.code(sym)
    }

    /// Number of objects of each kind, under stable English names, for reports and tests.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        BTreeMap::from([
            ("organisations", self.organisations.len()),
            ("nodes", self.nodes.len()),
            ("addresses", self.addresses.len()),
            ("tech_points", self.tech_points.len()),
            ("sites", self.sites.len()),
            ("premises", self.premises.len()),
            ("nro_zones", self.nro_zones.len()),
            ("sro_zones", self.sro_zones.len()),
            ("pbo_zones", self.pbo_zones.len()),
            ("deployment_zones", self.deployment_zones.len()),
            ("paths", self.paths.len()),
            ("ducts", self.ducts.len()),
            ("cables", self.cables.len()),
            ("cable_lines", self.cable_lines.len()),
            ("enclosures", self.enclosures.len()),
            ("fibres", self.fibres.len()),
            ("duct_paths", self.duct_paths.len()),
            ("cable_ducts", self.cable_ducts.len()),
            ("cable_paths", self.cable_paths.len()),
        ])
    }

    /// Plugs counted by the addresses of the delivery.
    pub fn plugs(&self) -> u64 {
        self.addresses
            .iter()
            .map(|(_, _, address)| u64::from(address.plugs()))
            .sum()
    }
}
