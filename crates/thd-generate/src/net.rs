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
use std::collections::BTreeMap;

use crate::communes::{Commune, split};
use crate::streets::{Laying, Owner, Street};

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
type Lattice = (i32, i32);

/// An axis-aligned rectangle of the local frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub min: Local,
    pub max: Local,
}

impl Rect {
    fn around(points: impl IntoIterator<Item = Local>, margin: f64) -> Rect {
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
    pub distribution: bool,
    pub cables: u32,
}

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
        ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
    }

    /// Total plugs of the commune.
    pub fn plugs(&self) -> u32 {
        self.addresses.iter().map(|a| a.hab + a.pro).sum()
    }
}

/// Premises planned in a district's own frame, before the districts are placed.
#[derive(Debug)]
struct PlannedAddress {
    row: i32,
    branch: i32,
    /// Position along the branch in lattice units from the trunk.
    t: f64,
    side: f64,
    hab: u32,
    pro: u32,
    building: bool,
    group: usize,
}

#[derive(Debug)]
struct Group {
    row: i32,
    branch: i32,
    first_t: f64,
    last_t: f64,
    plugs: u32,
}

#[derive(Debug)]
struct Plan {
    half: i32,
    rows: i32,
    phase: Phase,
    day: u32,
    addresses: Vec<PlannedAddress>,
    groups: Vec<Group>,
}

/// Per-commune settings drawn once: they make a town and a rural commune look different.
#[derive(Debug)]
struct Style {
    spacing: f64,
    slots: u32,
    fill: f64,
    aerial: f64,
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
    let mut b = Builder {
        net: CommuneNet {
            commune,
            rotation: (angle.cos(), angle.sin()),
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
        },
        style,
        lattice: BTreeMap::new(),
        edges: BTreeMap::new(),
        rows: BTreeMap::new(),
        columns: BTreeMap::new(),
        min_x: 0,
        nro_link: 0,
    };
    let origins = place(&plans);
    b.min_x = origins
        .iter()
        .zip(&plans)
        .map(|(&(x, _), p)| x - p.half)
        .min()
        .unwrap_or(0);
    b.add_nro(rng);
    for (d, (plan, &origin)) in plans.iter().zip(&origins).enumerate() {
        b.add_district(d as u32, plan, origin, rng);
    }
    let mut order: Vec<usize> = (0..plans.len()).collect();
    order.sort_by_key(|&d| std::cmp::Reverse(plans[d].phase));
    for d in order {
        b.add_transport(d as u32, origins[d], rng);
    }
    b.settle();
    b.net
}

/// Plans a district of `plugs` plugs: branch streets of `half` edges each side of the trunk, filled row by row.
fn plan(plugs: u32, style: &Style, rng: &mut impl Rng) -> Plan {
    let half = rng.random_range(3..=6);
    let mut addresses = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut remaining = plugs;
    let mut row = 0;
    while remaining > 0 {
        for branch in [1, -1] {
            let mut open: Option<(usize, u32)> = None;
            for e in 0..half {
                for j in 0..style.slots {
                    if remaining == 0 {
                        break;
                    }
                    let t = e as f64 + (j as f64 + 0.5) / style.slots as f64;
                    // Close the PBO group at a slot boundary, so facing premises share their PBO.
                    if let Some((g, target)) = open
                        && groups[g].plugs >= target
                    {
                        open = None;
                    }
                    for side in [1.0, -1.0] {
                        if remaining == 0 || !rng.random_bool(style.fill) {
                            continue;
                        }
                        let (mut hab, mut pro, building) = premises(rng);
                        if hab + pro > remaining {
                            pro = pro.min(remaining);
                            hab = remaining - pro;
                        }
                        remaining -= hab + pro;
                        let g = match open {
                            Some((g, _)) => g,
                            None => {
                                groups.push(Group {
                                    row,
                                    branch,
                                    first_t: t,
                                    last_t: t,
                                    plugs: 0,
                                });
                                open = Some((groups.len() - 1, rng.random_range(6..=12)));
                                groups.len() - 1
                            }
                        };
                        groups[g].last_t = t;
                        groups[g].plugs += hab + pro;
                        addresses.push(PlannedAddress {
                            row,
                            branch,
                            t,
                            side,
                            hab,
                            pro,
                            building,
                            group: g,
                        });
                    }
                }
            }
        }
        row += 1;
    }
    Plan {
        half,
        rows: row,
        phase: Phase::draw(rng),
        day: rng.random_range(0..2400),
        addresses,
        groups,
    }
}

/// Draws one address's premises: mostly single houses, some small buildings, shops and home offices, as in the
/// low-density areas a RIP covers.
fn premises(rng: &mut impl Rng) -> (u32, u32, bool) {
    match rng.random_range(0..100) {
        0..86 => (1, 0, false),
        86..92 => (rng.random_range(3..=8), 0, true),
        92..97 => (0, 1, false),
        _ => (1, 1, false),
    }
}

/// Packs districts in shelves, one lattice street apart, centred on the lattice origin. Returns each district's
/// trunk base (lattice column of its trunk, lattice row of its first branch street).
fn place(plans: &[Plan]) -> Vec<(i32, i32)> {
    let per_shelf = (plans.len() as f64).sqrt().ceil() as usize;
    let mut origins = Vec::with_capacity(plans.len());
    let mut y = 0;
    for shelf in plans.chunks(per_shelf) {
        let mut x = 0;
        for p in shelf {
            origins.push((x + p.half, y));
            x += 2 * p.half + 2;
        }
        y += shelf.iter().map(|p| p.rows).max().unwrap_or(1) + 1;
    }
    let max_x = origins
        .iter()
        .zip(plans)
        .map(|(&(x, _), p)| x + p.half)
        .max()
        .unwrap_or(0);
    let (dx, dy) = (max_x / 2, (y - 1) / 2);
    origins.iter().map(|&(x, y)| (x - dx, y - dy)).collect()
}

/// A node of a branch street where PBOs stand, with the plugs they serve.
#[derive(Debug)]
struct Stop {
    /// Lattice edges from the trunk.
    e: i32,
    plugs: u32,
    node: u32,
}

struct Builder {
    net: CommuneNet,
    style: Style,
    lattice: BTreeMap<Lattice, u32>,
    edges: BTreeMap<(Lattice, Lattice), u32>,
    rows: BTreeMap<i32, u32>,
    columns: BTreeMap<i32, u32>,
    min_x: i32,
    /// The path from the NRO shelter to the chamber in front of it.
    nro_link: u32,
}

impl Builder {
    fn street(&mut self, horizontal: bool, at: i32, rng: &mut impl Rng) -> u32 {
        let map = if horizontal {
            &mut self.rows
        } else {
            &mut self.columns
        };
        if let Some(&s) = map.get(&at) {
            return s;
        }
        let index = self.net.streets.len();
        self.net
            .streets
            .push(Street::draw(index, self.style.aerial, rng));
        map.insert(at, index as u32);
        index as u32
    }

    fn local(&self, (x, y): (i32, i32)) -> Local {
        (x as f64 * self.style.spacing, y as f64 * self.style.spacing)
    }

    fn push_node(
        &mut self,
        local: Local,
        kind: NodeKind,
        street: u32,
        phase: Phase,
        district: Option<u32>,
    ) -> u32 {
        self.net.nodes.push(Node {
            local,
            kind,
            owner: Owner::Operator,
            street,
            phase,
            district,
            boxes: 0,
        });
        (self.net.nodes.len() - 1) as u32
    }

    fn node_at(
        &mut self,
        at: (i32, i32),
        phase: Phase,
        district: Option<u32>,
        rng: &mut impl Rng,
    ) -> u32 {
        if let Some(&n) = self.lattice.get(&at) {
            return n;
        }
        let street = self.street(true, at.1, rng);
        let kind = NodeKind::Point {
            support: Support::Pole,
        };
        let n = self.push_node(self.local(at), kind, street, phase, district);
        self.lattice.insert(at, n);
        n
    }

    fn push_path(
        &mut self,
        a: u32,
        b: u32,
        street: u32,
        phase: Phase,
        district: Option<u32>,
        rng: &mut impl Rng,
    ) -> u32 {
        let s = &self.net.streets[street as usize];
        let ducts = match (s.laying, s.owner) {
            (Laying::Underground, Owner::Operator) => rng.random_range(1..=3),
            _ => 1,
        };
        self.net.paths.push(Path {
            a,
            b,
            street,
            laying: s.laying,
            owner: s.owner,
            ducts,
            phase,
            district,
            transport: false,
            distribution: false,
            cables: 0,
        });
        (self.net.paths.len() - 1) as u32
    }

    /// The path of a lattice edge between neighbours `p` and `q`, created on first use.
    fn edge(
        &mut self,
        p: (i32, i32),
        q: (i32, i32),
        phase: Phase,
        district: Option<u32>,
        rng: &mut impl Rng,
    ) -> u32 {
        let key = if p <= q { (p, q) } else { (q, p) };
        if let Some(&e) = self.edges.get(&key) {
            return e;
        }
        let (a, b) = (
            self.node_at(key.0, phase, district, rng),
            self.node_at(key.1, phase, district, rng),
        );
        let street = if p.1 == q.1 {
            self.street(true, p.1, rng)
        } else {
            self.street(false, p.0, rng)
        };
        let e = self.push_path(a, b, street, phase, district, rng);
        self.edges.insert(key, e);
        e
    }

    /// Paths along the lattice from `p` to `q`: along `p`'s row first, then along `q`'s column.
    fn route(
        &mut self,
        p: (i32, i32),
        q: (i32, i32),
        phase: Phase,
        district: Option<u32>,
        rng: &mut impl Rng,
    ) -> Vec<u32> {
        let mut route = Vec::new();
        let mut at = p;
        while at.0 != q.0 {
            let next = (at.0 + (q.0 - at.0).signum(), at.1);
            route.push(self.edge(at, next, phase, district, rng));
            at = next;
        }
        while at.1 != q.1 {
            let next = (at.0, at.1 + (q.1 - at.1).signum());
            route.push(self.edge(at, next, phase, district, rng));
            at = next;
        }
        route
    }

    /// A short underground link from a site (NRO shelter, SRO cabinet) to the chamber in front of it.
    fn link(&mut self, site: u32, chamber: u32, phase: Phase, district: Option<u32>) -> u32 {
        let street = self.net.nodes[chamber as usize].street;
        self.net.paths.push(Path {
            a: site,
            b: chamber,
            street,
            laying: Laying::Underground,
            owner: Owner::Operator,
            ducts: 2,
            phase,
            district,
            transport: false,
            distribution: false,
            cables: 0,
        });
        (self.net.paths.len() - 1) as u32
    }

    fn add_nro(&mut self, rng: &mut impl Rng) {
        let phase = self.net.nro_phase;
        let chamber = self.node_at((0, 0), phase, None, rng);
        let s = self.style.spacing;
        let street = self.net.nodes[chamber as usize].street;
        let nro = self.push_node((-0.25 * s, -0.3 * s), NodeKind::Nro, street, phase, None);
        self.net.nro = nro;
        self.nro_link = self.link(nro, chamber, phase, None);
    }

    fn add_box(
        &mut self,
        node: u32,
        role: BoxRole,
        fibres: u32,
        phase: Phase,
        district: u32,
    ) -> u32 {
        self.net.boxes.push(BoxItem {
            node,
            role,
            fibres,
            phase,
            district,
        });
        (self.net.boxes.len() - 1) as u32
    }

    /// A cable section of district `district` (whose phase it takes) carrying `used` fibres.
    fn add_cable(
        &mut self,
        (a, b): (u32, u32),
        route: Vec<u32>,
        used: u32,
        role: CableRole,
        district: u32,
    ) {
        let phase = self.net.districts[district as usize].phase;
        self.net.cables.push(Cable {
            a,
            b,
            route,
            capacity: capacity_for(used),
            used,
            role,
            phase,
            district,
        });
    }

    fn add_district(&mut self, d: u32, plan: &Plan, (tx, ty): (i32, i32), rng: &mut impl Rng) {
        let (phase, dist) = (plan.phase, Some(d));
        let s = self.style.spacing;
        let base = self.node_at((tx, ty), phase, dist, rng);
        let street = self.net.nodes[base as usize].street;
        let sro_local = ((tx as f64 - 0.2) * s, (ty as f64 - 0.35) * s);
        let sro = self.push_node(
            sro_local,
            NodeKind::Sro { district: d },
            street,
            phase,
            dist,
        );
        let sro_link = self.link(sro, base, phase, dist);
        let plugs = plan.addresses.iter().map(|a| a.hab + a.pro).sum();
        self.net.districts.push(District {
            sro,
            sro_link,
            phase,
            plugs,
            rect: Rect {
                min: ((tx - plan.half) as f64 * s - 0.5 * s, (ty as f64 - 0.5) * s),
                max: (
                    (tx + plan.half) as f64 * s + 0.5 * s,
                    (ty + plan.rows - 1) as f64 * s + 0.5 * s,
                ),
            },
            day: plan.day,
        });

        // Branch streets: their paths out to the last premise, PBOs on their nodes.
        let mut row_plugs = vec![0u32; plan.rows as usize];
        // (row, branch) → PBO nodes along the branch with the plugs they serve, in street order.
        let mut chains: BTreeMap<(i32, i32), Vec<Stop>> = BTreeMap::new();
        let mut group_box = Vec::with_capacity(plan.groups.len());
        for g in &plan.groups {
            let y = ty + g.row;
            let e = (((g.first_t + g.last_t) / 2.0).round() as i32).clamp(1, plan.half);
            let reach = (g.last_t.ceil() as i32).max(e);
            let mut at = (tx, y);
            for k in 1..=reach {
                let next = (tx + g.branch * k, y);
                self.edge(at, next, phase, dist, rng);
                at = next;
            }
            let node = self.node_at((tx + g.branch * e, y), phase, dist, rng);
            let bx = self.add_box(node, BoxRole::Pbo, capacity_for(g.plugs), phase, d);
            group_box.push(bx);
            row_plugs[g.row as usize] += g.plugs;
            let chain = chains.entry((g.row, g.branch)).or_default();
            match chain.last_mut() {
                Some(last) if last.e == e => last.plugs += g.plugs,
                _ => chain.push(Stop {
                    e,
                    plugs: g.plugs,
                    node,
                }),
            }
            let margin = 0.5 / self.style.slots as f64;
            let (u0, u1) = if g.branch > 0 {
                (
                    tx as f64 + g.first_t - margin,
                    tx as f64 + g.last_t + margin,
                )
            } else {
                (
                    tx as f64 - g.last_t - margin,
                    tx as f64 - g.first_t + margin,
                )
            };
            self.net.zpbos.push(Zpbo {
                pbo: bx,
                rect: Rect {
                    min: (u0 * s, (y as f64 - 0.45) * s),
                    max: (u1 * s, (y as f64 + 0.45) * s),
                },
            });
        }
        for a in &plan.addresses {
            let y = ty + a.row;
            let u = tx as f64 + a.branch as f64 * a.t;
            let slot = (u * self.style.slots as f64).floor() as i64
                - (self.min_x as i64 * self.style.slots as i64);
            let number = 2 * slot as u32 + if a.side > 0.0 { 1 } else { 2 };
            let street = self.street(true, y, rng);
            self.net.addresses.push(Address {
                local: (u * s, (y as f64 + 0.3 * a.side) * s),
                street,
                number,
                hab: a.hab,
                pro: a.pro,
                building: a.building,
                pbo: group_box[a.group],
                district: d,
            });
        }

        // Trunk: SRO → BPE of the first branch street → BPE of the next one...
        let mut downstream: u32 = row_plugs.iter().sum();
        let mut prev = (sro, None::<(i32, i32)>);
        for r in 0..plan.rows {
            let at = (tx, ty + r);
            let node = self.node_at(at, phase, dist, rng);
            let route = match prev.1 {
                None => vec![sro_link],
                Some(from) => self.route(from, at, phase, dist, rng),
            };
            self.add_cable(
                (prev.0, node),
                route,
                downstream,
                CableRole::Distribution,
                d,
            );
            self.add_box(node, BoxRole::Bpe, capacity_for(downstream), phase, d);
            downstream -= row_plugs[r as usize];
            prev = (node, Some(at));
            // Branches from this BPE, PBO to PBO.
            for branch in [1, -1] {
                let Some(chain) = chains.get(&(r, branch)) else {
                    continue;
                };
                let mut left: u32 = chain.iter().map(|c| c.plugs).sum();
                let mut from = (at, node);
                for stop in chain {
                    let to = (tx + branch * stop.e, ty + r);
                    let route = self.route(from.0, to, phase, dist, rng);
                    self.add_cable((from.1, stop.node), route, left, CableRole::Distribution, d);
                    left -= stop.plugs;
                    from = (to, stop.node);
                }
            }
        }
    }

    fn add_transport(&mut self, d: u32, base: (i32, i32), rng: &mut impl Rng) {
        let district = &self.net.districts[d as usize];
        let (sro, sro_link, phase, plugs) = (
            district.sro,
            district.sro_link,
            district.phase,
            district.plugs,
        );
        let mut route = vec![self.nro_link];
        route.extend(self.route((0, 0), base, phase, None, rng));
        route.push(sro_link);
        // Transport fibres: one per 8 plugs (PON couplers at the SRO, room for several operators), at least 24.
        let used = plugs.div_ceil(8).max(24);
        self.add_cable((self.net.nro, sro), route, used, CableRole::Transport, d);
    }

    /// Phases, supports and owners that follow from what the layout put where; zone of the NRO.
    fn settle(&mut self) {
        let net = &mut self.net;
        for c in &net.cables {
            for &p in &c.route {
                let path = &mut net.paths[p as usize];
                path.phase = path.phase.max(c.phase);
                path.cables += 1;
                match c.role {
                    CableRole::Transport => path.transport = true,
                    CableRole::Distribution => path.distribution = true,
                }
            }
        }
        for p in &net.paths {
            for n in [p.a, p.b] {
                let node = &mut net.nodes[n as usize];
                node.phase = node.phase.max(p.phase);
                if let NodeKind::Point { support } = &mut node.kind {
                    match p.laying {
                        Laying::Underground if *support == Support::Pole => {
                            *support = Support::Chamber;
                            node.owner = p.owner;
                        }
                        Laying::Aerial if *support == Support::Pole => node.owner = p.owner,
                        _ => {}
                    }
                }
            }
        }
        for bx in &net.boxes {
            let node = &mut net.nodes[bx.node as usize];
            node.phase = node.phase.max(bx.phase);
            node.boxes += 1;
        }
        let corners = net
            .districts
            .iter()
            .flat_map(|d| d.rect.corners())
            .chain([net.nodes[net.nro as usize].local, (0.0, 0.0)]);
        net.rect = Rect::around(corners, 0.5 * self.style.spacing);
    }
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
