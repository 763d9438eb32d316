//! The synthetic network of one commune, independent of any GraceTHD version.
//!
//! Layout, in a local frame of metres centred on the commune (rotated into Lambert-93 at the end):
//! - a square street lattice of spacing 45–65 m; every lattice row and column is a street ([`Street`]);
//! - SRO districts are rectangles of the lattice packed in shelves around the centre, one lattice street apart:
//!   a vertical trunk street from the SRO cabinet, and horizontal branch streets left and right of it, lined on
//!   both sides with premises;
//! - premises along a branch are grouped, in street order, into PBO groups of about 6–12 plugs; the PBO sits on the
//!   lattice node in the middle of its group;
//! - the NRO sits at the lattice centre; one transport cable per SRO follows the streets (along the centre row,
//!   then up the SRO's column);
//! - distribution is a tree of cable sections between boxes: SRO → BPE at each branch street's trunk node → BPE of
//!   the next branch street, and from each BPE along the branch from PBO to PBO. Each section is sized to the plugs
//!   downstream, rounded up to a standard capacity.
//!
//! Every lattice edge a cable or a premise needs becomes a civil-works path; every lattice node a path touches
//! gets a chamber (if any of its streets is underground) or a pole. Phases are drawn per SRO district; after the
//! layout, a path takes the most advanced phase of what it carries and a node of what it touches, so no built
//! cable ever lies in unbuilt civil works.

use rand::Rng;

use crate::communes::{Commune, split};
use crate::streets::{Laying, Owner, Street};

mod layout;
mod plan;

use layout::Builder;
use plan::{Plan, Style, place, plan};

/// Standard fibre counts of optical cables.
pub const CAPACITIES: [u32; 11] = [12, 24, 36, 48, 72, 96, 144, 288, 432, 576, 720];

/// The smallest standard capacity holding `fibres` (the largest when none does).
pub fn capacity_for(fibres: u32) -> u32 {
    CAPACITIES
        .iter()
        .copied()
        .find(|&c| c >= fibres)
        .unwrap_or(CAPACITIES[CAPACITIES.len() - 1])
}

/// The study/works phase of an object (GraceTHD `*_statut`), in the order a project goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Avp,
    Pro,
    Exe,
    Tvx,
    Rec,
}

impl Phase {
    /// The phase's code in `l_statut` (both versions).
    pub fn code(self) -> &'static str {
        match self {
            Phase::Avp => "AVP",
            Phase::Pro => "PRO",
            Phase::Exe => "EXE",
            Phase::Tvx => "TVX",
            Phase::Rec => "REC",
        }
    }

    /// Draws a district's phase: a rollout in its second half is mostly as-built (REC) or in execution studies
    /// (EXE), with works under way and the last districts still in outline or project design.
    fn draw(rng: &mut impl Rng) -> Phase {
        match rng.random_range(0..100) {
            0..45 => Phase::Rec,
            45..70 => Phase::Exe,
            70..78 => Phase::Tvx,
            78..90 => Phase::Pro,
            _ => Phase::Avp,
        }
    }
}

/// A point of the plane in the commune's local frame (metres).
pub type Local = (f64, f64);

/// A node of the street lattice: (column, row).
pub(crate) type Lattice = (i32, i32);

/// An axis-aligned rectangle of the local frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub min: Local,
    pub max: Local,
}

impl Rect {
    pub(crate) fn around(points: impl IntoIterator<Item = Local>, margin: f64) -> Rect {
        let mut r = Rect {
            min: (f64::INFINITY, f64::INFINITY),
            max: (f64::NEG_INFINITY, f64::NEG_INFINITY),
        };
        for (x, y) in points {
            r.min = (r.min.0.min(x - margin), r.min.1.min(y - margin));
            r.max = (r.max.0.max(x + margin), r.max.1.max(y + margin));
        }
        r
    }

    pub fn corners(&self) -> [Local; 4] {
        [
            self.min,
            (self.max.0, self.min.1),
            self.max,
            (self.min.0, self.max.1),
        ]
    }
}

/// What stands on a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// A lattice node: a chamber or a pole (decided from its paths).
    Point { support: Support },
    /// The NRO shelter.
    Nro,
    /// The SRO street cabinet of a district.
    Sro { district: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    Chamber,
    Pole,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub local: Local,
    pub kind: NodeKind,
    pub owner: Owner,
    pub street: u32,
    pub phase: Phase,
    /// District whose dates the node takes; `None` for the NRO level.
    pub district: Option<u32>,
    /// Boxes (BPE, PBO) in the node's chamber or on its pole.
    pub boxes: u32,
}

#[derive(Debug, Clone)]
pub struct Path {
    pub a: u32,
    pub b: u32,
    pub street: u32,
    pub laying: Laying,
    pub owner: Owner,
    /// Number of ducts in the path (one virtual duct on aerial spans).
    pub ducts: u32,
    pub phase: Phase,
    pub district: Option<u32>,
    pub transport: bool,
    /// Transport cables through the path: where many leave a large NRO, the path gets more ducts.
    pub transports: u32,
    pub distribution: bool,
    pub cables: u32,
}

/// Transport cables one duct takes before a path gets another: the largest duct (100 mm) holds about fifty of
/// them within the 60 % fill the checks allow, and an NRO serving 19 000 plugs sends out sixty or more.
pub const TRANSPORT_PER_DUCT: u32 = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CableRole {
    /// NRO → SRO.
    Transport,
    /// SRO → BPE → PBO.
    Distribution,
}

#[derive(Debug, Clone)]
pub struct Cable {
    pub a: u32,
    pub b: u32,
    /// Paths from `a` to `b`, in order.
    pub route: Vec<u32>,
    pub capacity: u32,
    /// Fibres used downstream (plugs served, or transport fibres needed).
    pub used: u32,
    pub role: CableRole,
    pub phase: Phase,
    pub district: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoxRole {
    /// Splice closure at a branch street's trunk node.
    Bpe,
    /// Distribution point serving a group of premises.
    Pbo,
}

#[derive(Debug, Clone)]
pub struct BoxItem {
    pub node: u32,
    pub role: BoxRole,
    /// Fibres the box can take (sizes its type).
    pub fibres: u32,
    pub phase: Phase,
    pub district: u32,
}

/// A premise address (a house, a small building, a shop).
#[derive(Debug, Clone)]
pub struct Address {
    pub local: Local,
    pub street: u32,
    pub number: u32,
    /// Dwellings = residential plugs.
    pub hab: u32,
    /// Business premises = professional plugs.
    pub pro: u32,
    pub building: bool,
    /// Index of its PBO in `boxes`.
    pub pbo: u32,
    pub district: u32,
}

#[derive(Debug, Clone)]
pub struct District {
    pub sro: u32,
    /// The path from the SRO cabinet to the chamber in front of it.
    pub sro_link: u32,
    pub phase: Phase,
    pub plugs: u32,
    pub rect: Rect,
    /// Days since 2018-01-01 when the district's study started.
    pub day: u32,
}

/// The area served by one PBO.
#[derive(Debug, Clone)]
pub struct Zpbo {
    pub pbo: u32,
    pub rect: Rect,
}

/// The network of one commune.
#[derive(Debug, Clone)]
pub struct CommuneNet {
    pub commune: &'static Commune,
    /// Rotation of the local frame (cos, sin).
    rotation: (f64, f64),
    /// Metres on the ground per local metre: below 1 when the commune's network must shrink to stay clear of a
    /// neighbouring commune's ([`CommuneNet::fit_within`]).
    scale: f64,
    pub nro: u32,
    pub nro_phase: Phase,
    pub day: u32,
    pub nodes: Vec<Node>,
    pub paths: Vec<Path>,
    pub cables: Vec<Cable>,
    pub boxes: Vec<BoxItem>,
    pub addresses: Vec<Address>,
    pub districts: Vec<District>,
    pub zpbos: Vec<Zpbo>,
    pub streets: Vec<Street>,
    pub rect: Rect,
}

impl CommuneNet {
    /// Lambert-93 coordinates of a local point, rounded to the centimetre as surveyed data would be.
    pub fn world(&self, (u, v): Local) -> (f64, f64) {
        let (c, s) = self.rotation;
        let (u, v) = (u * self.scale, v * self.scale);
        let round = |m: f64| (m * 100.0).round() / 100.0;
        (
            round(self.commune.x + c * u - s * v),
            round(self.commune.y + s * u + c * v),
        )
    }

    /// The node a walk along `path` reaches when it starts from `from`.
    pub fn other_end(&self, path: u32, from: u32) -> u32 {
        let p = &self.paths[path as usize];
        if p.a == from { p.b } else { p.a }
    }

    /// Cable geometry: the polylines of its paths, end to end, from `a` to `b`.
    pub fn cable_line(&self, cable: &Cable) -> Vec<Local> {
        let mut at = cable.a;
        let mut line = vec![self.nodes[at as usize].local];
        for &p in &cable.route {
            at = self.other_end(p, at);
            line.push(self.nodes[at as usize].local);
        }
        line
    }

    /// Length of a path in metres.
    pub fn path_length(&self, path: &Path) -> f64 {
        let (a, b) = (
            self.nodes[path.a as usize].local,
            self.nodes[path.b as usize].local,
        );
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() * self.scale
    }

    /// Farthest distance on the ground from the commune's point to a corner of its network's extent.
    pub fn radius(&self) -> f64 {
        let Rect { min, max } = self.rect;
        [min, max, (min.0, max.1), (max.0, min.1)]
            .iter()
            .map(|&(x, y)| (x * x + y * y).sqrt())
            .fold(0.0, f64::max)
            * self.scale
    }

    /// Shrinks the network so that it reaches no farther than `radius` metres from the commune's point: two
    /// neighbouring communes each kept within half their distance never overlap.
    pub fn fit_within(&mut self, radius: f64) {
        let reach = self.radius();
        if reach > radius && reach > 0.0 {
            self.scale *= radius / reach;
        }
    }

    /// Total plugs of the commune.
    pub fn plugs(&self) -> u32 {
        self.addresses.iter().map(|a| a.hab + a.pro).sum()
    }
}

/// Lays out the network of `commune` with exactly `plugs` plugs.
pub fn build(commune: &'static Commune, plugs: u32, rng: &mut impl Rng) -> CommuneNet {
    let style = Style {
        spacing: rng.random_range(45.0..65.0),
        slots: rng.random_range(2..=4),
        fill: rng.random_range(0.75..0.95),
        aerial: rng.random_range(0.15..0.55),
    };
    let per_sro: u32 = rng.random_range(300..=700);
    let n = ((plugs + per_sro / 2) / per_sro).clamp(1, plugs);
    let plans: Vec<Plan> = split(plugs, n as usize, rng)
        .into_iter()
        .map(|p| plan(p, &style, rng))
        .collect();
    let angle: f64 = rng.random_range(-0.5..0.5);
    let origins = place(&plans);
    let min_x = origins
        .iter()
        .zip(&plans)
        .map(|(&(x, _), p)| x - p.half)
        .min()
        .unwrap_or(0);
    let net = CommuneNet {
        commune,
        rotation: (angle.cos(), angle.sin()),
        scale: 1.0,
        nro: 0,
        nro_phase: plans.iter().map(|p| p.phase).max().unwrap_or(Phase::Avp),
        day: plans.iter().map(|p| p.day).min().unwrap_or(0),
        nodes: Vec::new(),
        paths: Vec::new(),
        cables: Vec::new(),
        boxes: Vec::new(),
        addresses: Vec::new(),
        districts: Vec::new(),
        zpbos: Vec::new(),
        streets: Vec::new(),
        rect: Rect::around([(0.0, 0.0)], 0.0),
    };
    let mut b = Builder::new(net, style, min_x);
    b.add_nro(rng);
    for (d, (plan, &origin)) in plans.iter().zip(&origins).enumerate() {
        b.add_district(d as u32, plan, origin, rng);
    }
    let mut order: Vec<usize> = (0..plans.len()).collect();
    order.sort_by_key(|&d| std::cmp::Reverse(plans[d].phase));
    for d in order {
        b.add_transport(d as u32, origins[d], rng);
    }
    b.settle()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::communes;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn net(plugs: u32, seed: u64) -> CommuneNet {
        let commune = &communes::all().expect("communes")[0];
        build(commune, plugs, &mut ChaCha8Rng::seed_from_u64(seed))
    }

    #[test]
    fn plugs_are_exact_and_each_pbo_serves_its_addresses() {
        for (plugs, seed) in [(1, 1), (17, 2), (650, 3), (4_321, 4)] {
            let n = net(plugs, seed);
            assert_eq!(n.plugs(), plugs);
            for a in &n.addresses {
                assert_eq!(n.boxes[a.pbo as usize].role, BoxRole::Pbo);
            }
            for (i, b) in n.boxes.iter().enumerate() {
                let served: u32 = n
                    .addresses
                    .iter()
                    .filter(|a| a.pbo == i as u32)
                    .map(|a| a.hab + a.pro)
                    .sum();
                match b.role {
                    BoxRole::Pbo => {
                        assert!(served >= 1 && served <= b.fibres, "PBO {i} serves {served}")
                    }
                    BoxRole::Bpe => assert_eq!(served, 0),
                }
            }
        }
    }

    #[test]
    fn cable_routes_are_connected_walks_between_their_ends() {
        let n = net(2_000, 5);
        for c in &n.cables {
            let mut at = c.a;
            for &p in &c.route {
                let path = &n.paths[p as usize];
                assert!(path.a == at || path.b == at, "route breaks at path {p}");
                at = n.other_end(p, at);
            }
            assert_eq!(at, c.b);
            assert!(c.capacity >= c.used.min(720));
        }
    }

    #[test]
    fn built_cables_never_lie_in_less_advanced_paths() {
        let n = net(3_000, 6);
        for c in &n.cables {
            for &p in &c.route {
                assert!(n.paths[p as usize].phase >= c.phase);
            }
        }
    }

    #[test]
    fn addresses_lie_in_their_pbo_zone_inside_their_district() {
        let n = net(1_500, 7);
        let inside =
            |r: &Rect, (x, y): Local| r.min.0 <= x && x <= r.max.0 && r.min.1 <= y && y <= r.max.1;
        for a in &n.addresses {
            let zone = n.zpbos.iter().find(|z| z.pbo == a.pbo).expect("zone");
            assert!(inside(&zone.rect, a.local));
            assert!(inside(&n.districts[a.district as usize].rect, a.local));
        }
    }
}
