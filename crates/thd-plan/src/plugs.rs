//! Plug and premises counts of a network, broken down by any combination of [`Dimension`]s.
//!
//! # What is counted
//! - **GraceTHD 2.0.1** counts on addresses (`t_adresse`): the plugs of an address are `ad_nbprhab + ad_nbprpro`
//!   (one per dwelling and business when neither is given), its premises `ad_nblhab + ad_nblpro`.
//! - **GraceTHD 3** counts premises (`t_local`): each client premise is one plug; technical rooms (NRO, SRO,
//!   operator, NRA...) and connected objects are not plugs.
//!
//! # How a plug finds its zones (the rule, in order)
//! 1. **PBO**: the PBO zone of the address's first end-user site (`t_suf.sf_zp_code`, 2.0.1), or the PBO box of
//!    the premise (`t_local.lc_bp_codp`, 3: that version has no PBO zones); else the PBO zone whose area holds
//!    the address.
//! 2. **SRO**: the parent of the PBO zone (`zp_zs_code`); else the SRO zone whose area holds the address.
//! 3. **NRO**: the parent of the SRO zone (`zs_zn_code`); else the NRO zone whose area holds the address.
//! 4. **Deployment zone**: the only deployment zone of the SRO zone (`zd_zs_code`); else the one whose area holds
//!    the address.
//!
//! Links come first because they are what the contractor declared; areas are the fallback because they are
//! drawn by hand and neighbouring zones overlap at their edges (a point on two areas goes to the first zone in
//! delivery order). The address is located by its own point, else by the node of its premise. Commune and
//! department come from the address's INSEE code; phase, tranche and contractor from the [`PhaseMap`].
//!
//! # Raccordable plugs
//! Each plug also carries whether it is raccordable now ([`crate::raccordabilite`]): its address state, whether
//! its PBO box is built (progress existing or in service, or as-built records), and the acceptance of its SRO
//! zone — from [`ZoneAcceptances`] when the delegatee's states are known, else from the delivery's own phase of
//! the zone. The date it became raccordable is the later of its PBO's date of service (else of installation)
//! and the day its zone was taken into operation: a premise cannot be sold before its zone is operated, and a
//! zone handed over before a late PBO was built does not make that PBO's premises raccordable earlier. When only
//! one of the two dates is known it is the date; a delivery alone gives no day of taking into operation.

use chrono::NaiveDate;
use geo_types::Point;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use thd_model::GraceVersion;
use thd_network::{Address, Enclosure, Id, Lifecycle, Network, Node, Zone};

use crate::dimensions::{Dimension, department_of};
use crate::phases::{Assignment, PhaseMap};
use crate::raccordabilite::{AddressState, ZoneAcceptance, ZoneHandover, is_raccordable};
use crate::spatial::ZoneLocator;

const DIMS: usize = Dimension::ALL.len();

/// `t_local` types that are not plugs: technical rooms and connected objects.
const NOT_PLUGS: [&str; 7] = ["TEC", "OPE", "NRO", "SRO", "NRA", "NRAMED", "OBJ"];

/// The acceptance states of SRO zones known from the delegatee (the sync API), with the day each was taken into
/// operation, by SRO zone code. Zones not listed fall back to what the delivery says
/// ([`ZoneAcceptance::from_delivery_status`]), undated.
pub type ZoneAcceptances = BTreeMap<String, ZoneHandover>;

/// Plugs, premises and raccordable plugs of a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub plugs: u64,
    pub premises: u64,
    /// Plugs raccordable now.
    pub raccordable: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Self) {
        self.plugs += other.plugs;
        self.premises += other.premises;
        self.raccordable += other.raccordable;
    }
}

/// One counting unit: an address (2.0.1) or a premise (3).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit {
    /// Value index per dimension (`Dimension::slot`); 0 is "none".
    pub keys: [u32; DIMS],
    /// The address the unit is (2.0.1) or stands at (3, when its site names one).
    pub address: Option<Id<Address>>,
    pub plugs: u32,
    pub premises: u32,
    pub state: Option<AddressState>,
    pub pbo_built: bool,
    pub acceptance: ZoneAcceptance,
    /// When it became raccordable, if it is and the date is known.
    pub since: Option<NaiveDate>,
    /// Position of its assignment in the phase map.
    pub assignment: Option<u32>,
}

impl Unit {
    pub fn raccordable(&self) -> bool {
        is_raccordable(self.state, self.pbo_built, self.acceptance)
    }

    fn counts(&self) -> Counts {
        let plugs = u64::from(self.plugs);
        Counts {
            plugs,
            premises: u64::from(self.premises),
            raccordable: if self.raccordable() { plugs } else { 0 },
        }
    }
}

/// One row of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// One value per dimension of the breakdown, in its order; `None` when the plug has no value for it
    /// (no zone found, no phase assigned...).
    pub key: Vec<Option<String>>,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Counts grouped by some dimensions; rows sorted by key, "none" first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breakdown {
    pub dimensions: Vec<Dimension>,
    pub rows: Vec<Group>,
    pub total: Counts,
}

/// Every plug of a network with its place in every dimension, ready to be grouped.
#[derive(Debug)]
pub struct PlugIndex {
    units: Vec<Unit>,
    /// Per dimension, the value of each key index; index 0 is "none" (an empty string, never shown).
    values: [Vec<Box<str>>; DIMS],
    assignments: Vec<Assignment>,
    /// The SRO zone of each address, by address index: an address without plugs still has its PM.
    address_sro: Vec<Option<Id<Zone>>>,
    /// The acceptance of each SRO zone, by zone index, as resolved for the plugs.
    sro_handover: Vec<ZoneHandover>,
}

/// Whether a box is built: existing or in service, or recorded as built.
fn built(network: &Network, life: &Lifecycle) -> bool {
    let code = |sym| network.code(sym);
    life.progress
        .map(code)
        .is_some_and(|p| matches!(p, "E" | "S"))
        || life
            .status
            .map(code)
            .is_some_and(|s| matches!(s, "REC" | "MCO"))
}

/// The zones an address lies in.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    pbo_zone: Option<Id<Zone>>,
    sro: Option<Id<Zone>>,
    nro: Option<Id<Zone>>,
    deployment: Option<Id<Zone>>,
}

/// Finds zones by link, then by area (see the module documentation).
struct Placer<'n> {
    network: &'n Network,
    pbo: ZoneLocator<'n>,
    sro: ZoneLocator<'n>,
    nro: ZoneLocator<'n>,
    deployment: ZoneLocator<'n>,
    /// The deployment zone of each SRO zone, when it has exactly one.
    only_deployment: Vec<Option<Id<Zone>>>,
}

impl<'n> Placer<'n> {
    fn new(network: &'n Network) -> Self {
        let mut children: Vec<(usize, Option<Id<Zone>>)> = vec![(0, None); network.sro_zones.len()];
        for (id, _, zone) in network.deployment_zones.iter() {
            if let Some(parent) = zone.parent {
                let entry = &mut children[parent.index()];
                *entry = (entry.0 + 1, Some(id));
            }
        }
        Self {
            network,
            pbo: ZoneLocator::new(&network.pbo_zones),
            sro: ZoneLocator::new(&network.sro_zones),
            nro: ZoneLocator::new(&network.nro_zones),
            deployment: ZoneLocator::new(&network.deployment_zones),
            only_deployment: children
                .into_iter()
                .map(|(n, id)| if n == 1 { id } else { None })
                .collect(),
        }
    }

    fn place(&self, pbo_zone: Option<Id<Zone>>, at: Option<Point>) -> Place {
        let n = self.network;
        let pbo_zone = pbo_zone.or_else(|| self.pbo.locate(at?));
        let sro = pbo_zone
            .and_then(|z| n.pbo_zones.get(z).parent)
            .or_else(|| self.sro.locate(at?));
        let nro = sro
            .and_then(|z| n.sro_zones.get(z).parent)
            .or_else(|| self.nro.locate(at?));
        let deployment = sro
            .and_then(|z| self.only_deployment[z.index()])
            .or_else(|| self.deployment.locate(at?));
        Place {
            pbo_zone,
            sro,
            nro,
            deployment,
        }
    }
}

/// Interns strings into a dimension's values.
#[derive(Default)]
struct Interner {
    values: Vec<Box<str>>,
    index: FxHashMap<Box<str>, u32>,
}

impl Interner {
    fn new() -> Self {
        Self {
            values: vec!["".into()],
            index: FxHashMap::default(),
        }
    }

    fn get(&mut self, value: Option<&str>) -> u32 {
        let Some(value) = value else { return 0 };
        if let Some(&i) = self.index.get(value) {
            return i;
        }
        let i = self.values.len() as u32;
        self.values.push(value.into());
        self.index.insert(value.into(), i);
        i
    }
}

fn codes<T>(entities: &thd_network::Entities<T>) -> Vec<Box<str>> {
    std::iter::once("".into())
        .chain(entities.iter().map(|(_, code, _)| code.into()))
        .collect()
}

fn key<T>(id: Option<Id<T>>) -> u32 {
    id.map_or(0, |id| id.index() as u32 + 1)
}

impl PlugIndex {
    /// Places every plug of `network`. `acceptances` are the delegatee's zone states where known (pass an empty
    /// map to rely on the delivery alone).
    pub fn build(network: &Network, phases: &PhaseMap, acceptances: &ZoneAcceptances) -> Self {
        let placer = Placer::new(network);
        let v3 = network.version == GraceVersion::V3;

        // The PBO box standing at each node, for 2.0.1 PBO zones (which name their node, not their box).
        let mut pbo_at: FxHashMap<Id<Node>, Id<Enclosure>> = FxHashMap::default();
        if !v3 {
            for (id, _, enclosure) in network.enclosures.iter() {
                let is_pbo = enclosure.logical.is_some_and(|s| network.code(s) == "PBO");
                let node = enclosure
                    .tech_point
                    .and_then(|t| network.tech_points.get(t).node);
                if let (true, Some(node)) = (is_pbo, node) {
                    pbo_at.entry(node).or_insert(id);
                }
            }
        }
        // 2.0.1: the PBO zone of each address, from its first end-user site that names one.
        let mut address_pbo_zone: Vec<Option<Id<Zone>>> = vec![None; network.addresses.len()];
        if !v3 {
            for (_, _, premise) in network.premises.iter() {
                if let (Some(a), Some(z)) = (premise.address, premise.pbo_zone) {
                    address_pbo_zone[a.index()].get_or_insert(z);
                }
            }
        }
        let located = |address: &Address, node: Option<Id<Node>>| {
            address
                .location
                .or_else(|| node.and_then(|n| network.nodes.get(n).location))
        };
        let address_node: Vec<Option<Id<Node>>> = {
            let mut nodes = vec![None; network.addresses.len()];
            for (_, _, premise) in network.premises.iter() {
                if let (Some(a), Some(n)) = (premise.address, premise.node) {
                    nodes[a.index()].get_or_insert(n);
                }
            }
            nodes
        };
        let places: Vec<Place> = network
            .addresses
            .iter()
            .collect::<Vec<_>>()
            .par_iter()
            .map(|&(id, _, address)| {
                placer.place(
                    address_pbo_zone[id.index()],
                    located(address, address_node[id.index()]),
                )
            })
            .collect();

        let mut communes = Interner::new();
        let address_commune: Vec<u32> = network
            .addresses
            .iter()
            .map(|(_, _, a)| communes.get(a.insee.as_deref()))
            .collect();
        let mut departments = Interner::new();
        let commune_department: Vec<u32> = communes
            .values
            .iter()
            .map(|c| departments.get(department_of(c)))
            .collect();

        let sro_handover = sro_handover(network, acceptances);
        let sro_codes = codes(&network.sro_zones);
        let deployment_codes = codes(&network.deployment_zones);
        // The assignment of each deployment zone, SRO zone and commune, resolved once: per plug, three array
        // reads instead of three string hashes.
        let assign =
            |codes: &[Box<str>], lookup: &dyn Fn(&str) -> Option<usize>| -> Vec<Option<u32>> {
                codes
                    .iter()
                    .map(|c| {
                        (!c.is_empty())
                            .then(|| lookup(c))
                            .flatten()
                            .map(|i| i as u32)
                    })
                    .collect()
            };
        let by_deployment = assign(&deployment_codes, &|c| phases.position(Some(c), None, None));
        let by_sro = assign(&sro_codes, &|c| phases.position(None, Some(c), None));
        let by_commune = assign(&communes.values, &|c| phases.position(None, None, Some(c)));
        let assignment_of = |place: &Place, commune: u32| {
            by_deployment[key(place.deployment) as usize]
                .or(by_sro[key(place.sro) as usize])
                .or(by_commune[commune as usize])
        };
        let state_of = |address: &Address| {
            address
                .building_state
                .and_then(|s| AddressState::from_code(network.code(s)))
        };
        let pbo_of = |pbo: Option<Id<Enclosure>>| {
            pbo.map(|b| {
                let life = &network.enclosures.get(b).life;
                (built(network, life), life.in_service.or(life.installed))
            })
            .unwrap_or((false, None))
        };
        let unit =
            |place: &Place, address, commune: u32, pbo_key: u32, pbo, state, plugs, premises| {
                let (pbo_built, pbo_date) = pbo_of(pbo);
                let handover = place.sro.map_or(ZoneAcceptance::NotDelivered.into(), |z| {
                    sro_handover[z.index()]
                });
                let mut keys = [0; DIMS];
                keys[Dimension::Department.slot()] = commune_department[commune as usize];
                keys[Dimension::Commune.slot()] = commune;
                keys[Dimension::Nro.slot()] = key(place.nro);
                keys[Dimension::Sro.slot()] = key(place.sro);
                keys[Dimension::Pbo.slot()] = pbo_key;
                keys[Dimension::Deployment.slot()] = key(place.deployment);
                let mut unit = Unit {
                    keys,
                    address,
                    plugs,
                    premises,
                    state,
                    pbo_built,
                    acceptance: handover.acceptance,
                    since: None,
                    assignment: assignment_of(place, commune),
                };
                if unit.raccordable() {
                    unit.since = later(pbo_date, handover.operating_since());
                }
                unit
            };

        let units: Vec<Unit> = if v3 {
            network
                .premises
                .iter()
                .collect::<Vec<_>>()
                .par_iter()
                .filter(|(_, _, p)| p.kind.is_none_or(|k| !NOT_PLUGS.contains(&network.code(k))))
                .map(|&(_, _, premise)| {
                    let (place, commune, state) = match premise.address {
                        Some(a) => {
                            let address = network.addresses.get(a);
                            (
                                places[a.index()],
                                address_commune[a.index()],
                                state_of(address),
                            )
                        }
                        None => {
                            let at = premise.node.and_then(|n| network.nodes.get(n).location);
                            (placer.place(None, at), 0, None)
                        }
                    };
                    unit(
                        &place,
                        premise.address,
                        commune,
                        key(premise.pbo),
                        premise.pbo,
                        state,
                        1,
                        1,
                    )
                })
                .collect()
        } else {
            network
                .addresses
                .iter()
                .collect::<Vec<_>>()
                .par_iter()
                .map(|&(id, _, address)| {
                    let place = places[id.index()];
                    let pbo = place
                        .pbo_zone
                        .and_then(|z| network.pbo_zones.get(z).node)
                        .and_then(|n| pbo_at.get(&n).copied());
                    unit(
                        &place,
                        Some(id),
                        address_commune[id.index()],
                        key(place.pbo_zone),
                        pbo,
                        state_of(address),
                        address.plugs(),
                        address.dwellings.unwrap_or(0) + address.businesses.unwrap_or(0),
                    )
                })
                .collect()
        };

        let assignments = phases.assignments().to_vec();
        let mut phase_names = Interner::new();
        let mut tranches = Interner::new();
        let mut contractors = Interner::new();
        let assignment_keys: Vec<[u32; 3]> = assignments
            .iter()
            .map(|a| {
                [
                    phase_names.get(Some(&a.phase)),
                    tranches.get(a.tranche.as_deref()),
                    contractors.get(a.contractor.as_deref()),
                ]
            })
            .collect();
        let units = units
            .into_par_iter()
            .map(|mut unit| {
                if let Some(a) = unit.assignment {
                    let [phase, tranche, contractor] = assignment_keys[a as usize];
                    unit.keys[Dimension::Phase.slot()] = phase;
                    unit.keys[Dimension::Tranche.slot()] = tranche;
                    unit.keys[Dimension::Contractor.slot()] = contractor;
                }
                unit
            })
            .collect();

        let values = [
            departments.values,
            communes.values,
            codes(&network.nro_zones),
            sro_codes,
            if v3 {
                codes(&network.enclosures)
            } else {
                codes(&network.pbo_zones)
            },
            deployment_codes,
            phase_names.values,
            tranches.values,
            contractors.values,
        ];
        Self {
            units,
            values,
            assignments,
            address_sro: places.iter().map(|p| p.sro).collect(),
            sro_handover,
        }
    }

    /// Plugs, premises and raccordable plugs of the whole network.
    pub fn total(&self) -> Counts {
        self.units.iter().fold(Counts::default(), |mut sum, u| {
            sum += u.counts();
            sum
        })
    }

    /// Counts grouped by `dimensions` (none: one row, the total).
    pub fn group_by(&self, dimensions: &[Dimension]) -> Breakdown {
        let mut mask = [false; DIMS];
        for d in dimensions {
            mask[d.slot()] = true;
        }
        let masked = |unit: &Unit| {
            let mut key = unit.keys;
            for (k, keep) in key.iter_mut().zip(mask) {
                if !keep {
                    *k = 0;
                }
            }
            key
        };
        let groups = self
            .units
            .par_iter()
            .fold(
                FxHashMap::<[u32; DIMS], Counts>::default,
                |mut map, unit| {
                    *map.entry(masked(unit)).or_default() += unit.counts();
                    map
                },
            )
            .reduce(FxHashMap::default, |mut a, b| {
                for (k, c) in b {
                    *a.entry(k).or_default() += c;
                }
                a
            });
        let mut total = Counts::default();
        let mut rows: Vec<Group> = groups
            .into_iter()
            .map(|(key, counts)| {
                total += counts;
                Group {
                    key: dimensions
                        .iter()
                        .map(|d| self.value(*d, key[d.slot()]).map(str::to_owned))
                        .collect(),
                    counts,
                }
            })
            .collect();
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        Breakdown {
            dimensions: dimensions.to_vec(),
            rows,
            total,
        }
    }

    /// The value of key index `index` of a dimension; `None` for "none".
    pub(crate) fn value(&self, dimension: Dimension, index: u32) -> Option<&str> {
        (index != 0).then(|| &*self.values[dimension.slot()][index as usize])
    }

    /// Number of key indices of a dimension, "none" included.
    pub(crate) fn cardinality(&self, dimension: Dimension) -> usize {
        self.values[dimension.slot()].len()
    }

    pub(crate) fn units(&self) -> &[Unit] {
        &self.units
    }

    pub(crate) fn assignment(&self, index: u32) -> &Assignment {
        &self.assignments[index as usize]
    }

    /// The SRO zone an address was placed in.
    pub(crate) fn address_sro(&self, address: Id<Address>) -> Option<Id<Zone>> {
        self.address_sro.get(address.index()).copied().flatten()
    }

    /// The acceptance of an SRO zone the plugs were counted with.
    pub(crate) fn sro_handover(&self, zone: Id<Zone>) -> ZoneHandover {
        self.sro_handover[zone.index()]
    }
}

/// The later of two dates, or the one that is known.
pub(crate) fn later(a: Option<NaiveDate>, b: Option<NaiveDate>) -> Option<NaiveDate> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The acceptance of each SRO zone: the delegatee's where known, else the delivery's phase of the zone or, when
/// the zone has none (2.0.1 `t_zsro` has no status), of its deployment zones, the least advanced one counting.
fn sro_handover(network: &Network, acceptances: &ZoneAcceptances) -> Vec<ZoneHandover> {
    let status = |zone: &Zone| zone.life.status.map(|s| network.code(s));
    let mut from_deployment: Vec<Option<ZoneAcceptance>> = vec![None; network.sro_zones.len()];
    for (_, _, zone) in network.deployment_zones.iter() {
        if let Some(parent) = zone.parent {
            let acceptance = ZoneAcceptance::from_delivery_status(status(zone));
            let slot = &mut from_deployment[parent.index()];
            *slot = Some(slot.map_or(acceptance, |a| a.min(acceptance)));
        }
    }
    network
        .sro_zones
        .iter()
        .map(|(id, code, zone)| {
            acceptances.get(code).copied().unwrap_or_else(|| {
                match (status(zone), from_deployment[id.index()]) {
                    (None, Some(acceptance)) => acceptance,
                    (status, _) => ZoneAcceptance::from_delivery_status(status),
                }
                .into()
            })
        })
        .collect()
}
