//! The layout of one commune: lattice nodes and street paths created on demand, districts, cables and boxes,
//! then the phases and supports that follow from what lies where.

use rand::Rng;
use std::collections::BTreeMap;

use super::plan::{Plan, Style};
use super::*;
use crate::streets::{Laying, Owner, Street};

/// A node of a branch street where PBOs stand, with the plugs they serve.
#[derive(Debug)]
struct Stop {
    /// Lattice edges from the trunk.
    e: i32,
    plugs: u32,
    node: u32,
}

pub(super) struct Builder {
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
    pub(super) fn new(net: CommuneNet, style: Style, min_x: i32) -> Self {
        Self {
            net,
            style,
            lattice: BTreeMap::new(),
            edges: BTreeMap::new(),
            rows: BTreeMap::new(),
            columns: BTreeMap::new(),
            min_x,
            nro_link: 0,
        }
    }

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
            transports: 0,
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
            transports: 0,
            distribution: false,
            cables: 0,
        });
        (self.net.paths.len() - 1) as u32
    }

    pub(super) fn add_nro(&mut self, rng: &mut impl Rng) {
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

    pub(super) fn add_district(
        &mut self,
        d: u32,
        plan: &Plan,
        (tx, ty): (i32, i32),
        rng: &mut impl Rng,
    ) {
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

    pub(super) fn add_transport(&mut self, d: u32, base: (i32, i32), rng: &mut impl Rng) {
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
    pub(super) fn settle(mut self) -> CommuneNet {
        let net = &mut self.net;
        for c in &net.cables {
            for &p in &c.route {
                let path = &mut net.paths[p as usize];
                path.phase = path.phase.max(c.phase);
                path.cables += 1;
                match c.role {
                    CableRole::Transport => {
                        path.transport = true;
                        path.transports += 1;
                    }
                    CableRole::Distribution => path.distribution = true,
                }
            }
        }
        // Crowded trunk streets near the NRO: enough ducts for the transport cables, the last one kept for
        // distribution when the path carries both (up to three, as the layout lays).
        for p in &mut net.paths {
            if p.laying == Laying::Underground && p.transports > TRANSPORT_PER_DUCT {
                let wanted = p.transports.div_ceil(TRANSPORT_PER_DUCT) + u32::from(p.distribution);
                p.ducts = p.ducts.max(wanted.min(3));
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
        self.net
    }
}
