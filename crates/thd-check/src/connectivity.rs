//! Connectivity through cables: every PBO reaches the SRO of its zone, every SRO the NRO of its zone, every
//! address with plugs is served by a PBO whose zone contains it; and the connected pieces of the cable graph,
//! with the ones that no NRO feeds.
//!
//! The cable graph has the nodes as vertices and one edge per cable (`cb_nd1`–`cb_nd2`); its connected pieces
//! come from a union-find (petgraph's), linear in the number of cables.

use geo::{BoundingRect, Contains, Distance, Euclidean};
use geo_types::Point;
use petgraph::unionfind::UnionFind;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use rustc_hash::FxHashMap;
use serde::Serialize;
use thd_diag::Diagnostic;
use thd_network::{Id, Network, Node, Zone, ZoneKind};

use crate::context::Context;
use crate::rules;

/// A connected piece of the cable graph that no NRO feeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Island {
    /// Nodes the piece's cables touch.
    pub nodes: usize,
    pub cables: usize,
    /// The first of its nodes in delivery order, to find it on a map.
    pub example_node: String,
}

/// The connected pieces of the cable graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Components {
    /// Pieces with at least one cable.
    pub count: usize,
    /// Pieces without an NRO, largest first.
    pub cut_off: Vec<Island>,
}

pub(crate) fn check(ctx: &Context<'_>) -> (Vec<Diagnostic>, Components) {
    let net = ctx.network;
    let graph = cable_graph(ctx);
    let sets = &graph.sets;
    let mut out = Vec::new();
    if ctx.enabled(rules::PBO_CUT_OFF.id) {
        pbo_to_sro(ctx, sets, &mut out);
    }
    if ctx.enabled(rules::SRO_CUT_OFF.id) {
        sro_to_nro(ctx, sets, &mut out);
    }
    if ctx.enabled(rules::ADDRESS_UNSERVED.id) || ctx.enabled(rules::ADDRESS_OUTSIDE_ZONE.id) {
        addresses(ctx, &mut out);
    }
    (out, components(net, &graph))
}

/// The nodes each cable touches, joined: its declared ends (`cb_nd1`, `cb_nd2`), the nodes of the paths of its
/// declared route, and the nodes its drawn line ends on (within the cable-line tolerance). Study-phase deliveries
/// often leave the declared ends empty (the demonstration delivery does), while the route and the line say where
/// the cable runs.
pub(crate) fn cable_graph(ctx: &Context<'_>) -> CableGraph {
    let net = ctx.network;
    let sets = UnionFind::<usize>::new(net.nodes.len());
    let routes = crate::routes::routes(net);
    let mut touched: Vec<Vec<usize>> = vec![Vec::new(); net.cables.len()];
    for (id, _, cable) in net.cables.iter() {
        let nodes = &mut touched[id.index()];
        nodes.extend(
            [cable.from, cable.to]
                .into_iter()
                .flatten()
                .map(|n| n.index()),
        );
        for &path in &routes[id.index()] {
            let path = net.paths.get(path);
            nodes.extend(
                [path.from, path.to]
                    .into_iter()
                    .flatten()
                    .map(|n| n.index()),
            );
        }
    }
    let tol = ctx.t.cable_line_tolerance_m;
    for (_, _, line) in net.cable_lines.iter() {
        let (Some(cable), Some(geometry)) = (line.cable, line.line.as_ref()) else {
            continue;
        };
        for end in [geometry.0.first(), geometry.0.last()]
            .into_iter()
            .flatten()
        {
            let nearest = ctx
                .nodes
                .nearest_neighbor_iter_with_distance_2(&[end.x, end.y])
                .next()
                .filter(|(_, d2)| *d2 <= tol * tol);
            if let Some((node, _)) = nearest {
                touched[cable.index()].push(node.data as usize);
            }
        }
    }
    let mut graph = CableGraph {
        touched: vec![false; net.nodes.len()],
        first_node: Vec::with_capacity(touched.len()),
        sets,
    };
    for nodes in &touched {
        for pair in nodes.windows(2) {
            graph.sets.union(pair[0], pair[1]);
        }
        for &n in nodes {
            graph.touched[n] = true;
        }
        graph.first_node.push(nodes.first().copied());
    }
    graph
}

/// The cable graph's connected pieces.
pub(crate) struct CableGraph {
    pub sets: UnionFind<usize>,
    /// Whether a node is touched by some cable.
    pub touched: Vec<bool>,
    /// A node of each cable, if it touches any.
    pub first_node: Vec<Option<usize>>,
}

fn point_of(ctx: &Context<'_>, node: Id<Node>) -> Option<[f64; 2]> {
    ctx.node_point(node).map(|p| [p.x(), p.y()])
}

/// Each PBO box against the SRO of its zone (the PBO zone whose node is the box's node), or any SRO when it
/// has no zone.
fn pbo_to_sro(ctx: &Context<'_>, sets: &UnionFind<usize>, out: &mut Vec<Diagnostic>) {
    let net = ctx.network;
    let zone_of_node: FxHashMap<Id<Node>, _> = net
        .pbo_zones
        .iter()
        .filter_map(|(id, _, z)| Some((z.node?, id)))
        .collect();
    let sro_nodes: Vec<Id<Node>> = net
        .sites
        .iter()
        .filter(|(_, _, s)| s.logical.is_some_and(|l| net.code(l).starts_with("SRO")))
        .filter_map(|(_, _, s)| s.node)
        .collect();
    for (_, code, enclosure) in net.enclosures.iter() {
        if enclosure.logical.is_none_or(|l| net.code(l) != "PBO") {
            continue;
        }
        let Some(node) = enclosure
            .tech_point
            .and_then(|tp| net.tech_points.get(tp).node)
        else {
            continue;
        };
        let sro = zone_of_node
            .get(&node)
            .and_then(|&zone| net.pbo_zones.get(zone).parent)
            .and_then(|parent| net.sro_zones.get(parent).node);
        let reached = match sro {
            Some(sro) => sets.equiv(node.index(), sro.index()),
            None if sro_nodes.is_empty() => continue,
            None => sro_nodes
                .iter()
                .any(|s| sets.equiv(node.index(), s.index())),
        };
        if !reached {
            let target = sro.map_or("un SRO".to_owned(), |s| net.nodes.code(s).to_owned());
            let mut d = Diagnostic::new(&rules::PBO_CUT_OFF)
                .table("t_ebp")
                .object(code)
                .message(
                    format!("Aucun chemin de câbles entre le PBO {code} et {target}."),
                    format!(
                        "No cable path between PBO {code} and {}.",
                        sro.map_or("any SRO", |s| net.nodes.code(s))
                    ),
                );
            if let Some([x, y]) = point_of(ctx, node) {
                d = d.at(x, y);
            }
            out.push(d);
        }
    }
}

/// Each SRO zone's node against its NRO zone's node.
fn sro_to_nro(ctx: &Context<'_>, sets: &UnionFind<usize>, out: &mut Vec<Diagnostic>) {
    let net = ctx.network;
    for (_, code, zone) in net.sro_zones.iter() {
        let (Some(node), Some(parent)) = (zone.node, zone.parent) else {
            continue;
        };
        let Some(parent_node) = net.nro_zones.get(parent).node else {
            continue;
        };
        if sets.equiv(node.index(), parent_node.index()) {
            continue;
        }
        let (here, there) = (net.nodes.code(node), net.nodes.code(parent_node));
        let mut d = Diagnostic::new(&rules::SRO_CUT_OFF).table(ZoneKind::Sro.table()).object(code).message(
            format!("Aucun chemin de câbles entre le nœud {here} de la zone et le nœud {there} de sa zone mère."),
            format!("No cable path between the zone's node {here} and its parent zone's node {there}."),
        );
        if let Some([x, y]) = point_of(ctx, node) {
            d = d.at(x, y);
        }
        out.push(d);
    }
}

/// Addresses with plugs: served by the PBO zone their end-user sites declare (v2.0.1 `sf_zp_code`, and then the
/// address must lie in it), by the PBO box their locals declare (v3), or else by the PBO zone that contains them.
fn addresses(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let net = ctx.network;
    #[derive(Clone, Copy)]
    enum Served {
        Zone(Id<Zone>),
        Box,
    }
    let mut served: Vec<Option<Served>> = vec![None; net.addresses.len()];
    for (_, _, premises) in net.premises.iter() {
        let Some(address) = premises.address else {
            continue;
        };
        let slot = &mut served[address.index()];
        if let Some(zone) = premises.pbo_zone {
            *slot = Some(Served::Zone(zone));
        } else if premises.pbo.is_some() && slot.is_none() {
            *slot = Some(Served::Box);
        }
    }
    let zones: RTree<GeomWithData<Rectangle<[f64; 2]>, Id<Zone>>> = RTree::bulk_load(
        net.pbo_zones
            .iter()
            .filter_map(|(id, _, z)| {
                let r = z.area.as_ref()?.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    id,
                ))
            })
            .collect(),
    );
    let tol = ctx.t.topology_tolerance_m;
    let inside = |zone: Id<Zone>, point: &Point| {
        net.pbo_zones
            .get(zone)
            .area
            .as_ref()
            .is_some_and(|area| area.contains(point) || Euclidean.distance(point, area) <= tol)
    };
    for (id, code, address) in net.addresses.iter() {
        if address.plugs() == 0 {
            continue;
        }
        let at = |d: Diagnostic| match address.location {
            Some(p) => d.at(p.x(), p.y()),
            None => d,
        };
        match (served[id.index()], address.location) {
            (Some(Served::Box), _) | (Some(Served::Zone(_)), None) => {}
            (Some(Served::Zone(zone)), Some(point)) => {
                if ctx.enabled(rules::ADDRESS_OUTSIDE_ZONE.id)
                    && net.pbo_zones.get(zone).area.is_some()
                    && !inside(zone, &point)
                {
                    let zone_code = net.pbo_zones.code(zone);
                    out.push(at(Diagnostic::new(&rules::ADDRESS_OUTSIDE_ZONE)
                        .table("t_adresse")
                        .object(code)
                        .value(zone_code)
                        .message(
                            format!(
                                "L'adresse est hors de la zone PBO {zone_code} qui la dessert."
                            ),
                            format!(
                                "The address lies outside PBO zone {zone_code}, which serves it."
                            ),
                        )));
                }
            }
            (None, location) => {
                let contained = location.is_some_and(|point| {
                    zones
                        .locate_in_envelope_intersecting(&AABB::from_point([point.x(), point.y()]))
                        .any(|z| inside(z.data, &point))
                });
                if !contained && ctx.enabled(rules::ADDRESS_UNSERVED.id) {
                    out.push(at(Diagnostic::new(&rules::ADDRESS_UNSERVED)
                        .table("t_adresse")
                        .object(code)
                        .message(
                            format!("L'adresse compte {} prise(s) mais n'est ni rattachée à une zone PBO ni située dans l'une d'elles.", address.plugs()),
                            format!("The address counts {} plug(s) but is neither attached to a PBO zone nor inside one.", address.plugs()),
                        )));
                }
            }
        }
    }
}

fn components(net: &Network, graph: &CableGraph) -> Components {
    // Per piece (by its union-find root): nodes, cables, first node, whether an NRO stands in it.
    #[derive(Default)]
    struct Piece {
        nodes: usize,
        cables: usize,
        first: Option<usize>,
        nro: bool,
    }
    let sets = &graph.sets;
    let mut pieces: FxHashMap<usize, Piece> = FxHashMap::default();
    for node in graph.first_node.iter().flatten() {
        pieces.entry(sets.find(*node)).or_default().cables += 1;
    }
    for (node, _) in graph.touched.iter().enumerate().filter(|(_, t)| **t) {
        let piece = pieces.entry(sets.find(node)).or_default();
        piece.nodes += 1;
        piece.first.get_or_insert(node);
    }
    let nro_nodes = net
        .sites
        .iter()
        .filter(|(_, _, s)| s.logical.is_some_and(|l| net.code(l) == "NRO"))
        .filter_map(|(_, _, s)| s.node)
        .chain(net.nro_zones.iter().filter_map(|(_, _, z)| z.node));
    for node in nro_nodes {
        if let Some(piece) = pieces.get_mut(&sets.find(node.index())) {
            piece.nro = true;
        }
    }
    let count = pieces.len();
    let mut cut_off: Vec<Island> = pieces
        .into_values()
        .filter(|p| !p.nro)
        .map(|p| Island {
            nodes: p.nodes,
            cables: p.cables,
            example_node: p
                .first
                .and_then(|i| net.nodes.id_at(i))
                .map_or_else(String::new, |id| net.nodes.code(id).to_owned()),
        })
        .collect();
    cut_off.sort_by(|a, b| {
        b.nodes
            .cmp(&a.nodes)
            .then_with(|| a.example_node.cmp(&b.example_node))
    });
    Components { count, cut_off }
}
