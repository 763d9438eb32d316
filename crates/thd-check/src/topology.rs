//! Topology of the planar graph: nodes, paths (cheminements) and cable lines, snapped with a tolerance through
//! an R-tree, so every control is `O(n log n)` where the reference checker compares every path with every other.
//!
//! - `graph.node.too_close`: two nodes closer than the tolerance;
//! - `graph.path.zero_length`, `graph.path.end_off_node` (an end away from its declared node);
//! - `cm_geom_1_g80013` / `cm_geom_1_m80011`: a path end touching no node (or no node carrying a site, technical
//!   point, end-user site or emission site) and no other path end;
//! - `cl_geom_1_g80012` / `cl_geom_1_g80010` / `cl_geom_1_m80010`: a cable line end touching no node, no box or
//!   technical site, no box or site of any kind.

use geo::{Distance, Euclidean, Length};
use geo_types::{Coord, LineString, Point};
use rayon::prelude::*;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use thd_diag::Diagnostic;
use thd_network::{Id, Node};

use crate::context::{Context, NodeRoles};
use crate::rules;

/// The reference controls this module implements.
pub(crate) const CONTROLS: &[&str] = &[
    "cm_geom_1_g80013",
    "cm_geom_1_m80011",
    "cl_geom_1_g80012",
    "cl_geom_1_g80010",
    "cl_geom_1_m80010",
];

pub(crate) fn check(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = close_nodes(ctx);
    out.extend(paths(ctx));
    out.extend(cable_lines(ctx));
    out
}

fn xy(c: Coord) -> [f64; 2] {
    [c.x, c.y]
}

fn ends(line: &LineString) -> Option<(Coord, Coord)> {
    Some((*line.0.first()?, *line.0.last()?))
}

/// Nodes whose point lies within `tolerance` of `at`.
fn nodes_near<'c>(
    ctx: &'c Context<'_>,
    at: [f64; 2],
    tolerance: f64,
) -> impl Iterator<Item = usize> + 'c {
    ctx.nodes
        .locate_within_distance(at, tolerance * tolerance)
        .map(|n| n.data as usize)
}

fn close_nodes(ctx: &Context<'_>) -> Vec<Diagnostic> {
    if !ctx.enabled(rules::NODES_TOO_CLOSE.id) {
        return Vec::new();
    }
    let tol = ctx.t.topology_tolerance_m;
    let mut out: Vec<Diagnostic> = ctx
        .nodes
        .iter()
        .par_bridge()
        .flat_map_iter(|node| {
            let here = node.data as usize;
            nodes_near(ctx, *node.geom(), tol)
                .filter(move |&other| other > here)
                .map(move |other| {
                    let net = &ctx.network.nodes;
                    let code = |i: usize| net.id_at(i).map_or("?", |id| net.code(id));
                    let (a, b) = (code(here), code(other));
                    let [x, y] = *node.geom();
                    Diagnostic::new(&rules::NODES_TOO_CLOSE)
                        .table("t_noeud")
                        .object(b)
                        .at(x, y)
                        .message(
                            format!("Le nœud {b} est à moins de {tol} m du nœud {a}."),
                            format!("Node {b} is less than {tol} m from node {a}."),
                        )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    // par_bridge does not keep order: sort for deterministic reports.
    out.sort_by(|a, b| a.object.cmp(&b.object));
    out
}

/// The end points of all paths, to find an end touching another path's end.
type PathEnd = GeomWithData<[f64; 2], u32>;

fn paths(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let net = ctx.network;
    let tol = ctx.t.topology_tolerance_m;
    let path_ends: RTree<PathEnd> = RTree::bulk_load(
        net.paths
            .iter()
            .filter_map(|(id, _, p)| Some((id, ends(p.line.as_ref()?)?)))
            .flat_map(|(id, (a, b))| {
                [
                    GeomWithData::new(xy(a), id.index() as u32),
                    GeomWithData::new(xy(b), id.index() as u32),
                ]
            })
            .collect(),
    );
    let zero = ctx.enabled(rules::PATH_ZERO_LENGTH.id);
    let declared = ctx.enabled(rules::PATH_END_OFF_NODE.id);
    let any_node = ctx.runs("cm_geom_1_g80013");
    let carrying_node = ctx.runs("cm_geom_1_m80011");
    let ids: Vec<_> = net.paths.ids().collect();
    ids.par_iter()
        .flat_map_iter(|&id| {
            let mut out = Vec::new();
            let path = net.paths.get(id);
            let code = net.paths.code(id);
            let Some(line) = path.line.as_ref() else {
                return out;
            };
            let Some((first, last)) = ends(line) else {
                return out;
            };
            let at = |c: Coord, d: Diagnostic| d.table("t_cheminement").object(code).at(c.x, c.y);
            if zero && Euclidean.length(line) < 1e-6 {
                out.push(at(first, Diagnostic::new(&rules::PATH_ZERO_LENGTH)));
            }
            if declared {
                out.extend(off_declared_nodes(
                    ctx, path.from, path.to, first, last, tol, at,
                ));
            }
            for end in [first, last] {
                let touches_path = path_ends
                    .locate_within_distance(xy(end), tol * tol)
                    .any(|e| e.data != id.index() as u32);
                if touches_path {
                    continue;
                }
                let mut near = nodes_near(ctx, xy(end), tol).peekable();
                let touches_node = near.peek().is_some();
                let touches_carrier = near.any(|n| ctx.roles[n].carries_anything());
                if any_node && !touches_node {
                    out.push(at(end, ctx.reference("cm_geom_1_g80013")));
                }
                if carrying_node && !touches_carrier {
                    out.push(at(end, ctx.reference("cm_geom_1_m80011")));
                }
            }
            out
        })
        .collect()
}

/// A path's ends against the nodes it declares (`cm_ndcode1`, `cm_ndcode2`), in either drawing direction.
fn off_declared_nodes(
    ctx: &Context<'_>,
    from: Option<Id<Node>>,
    to: Option<Id<Node>>,
    first: Coord,
    last: Coord,
    tol: f64,
    at: impl Fn(Coord, Diagnostic) -> Diagnostic,
) -> Vec<Diagnostic> {
    let point = |n: Option<Id<Node>>| n.and_then(|n| ctx.node_point(n).map(|p| (n, p)));
    let (Some((from, a)), Some((to, b))) = (point(from), point(to)) else {
        // A missing or unknown node is the decoder's and the filling controls' business.
        return Vec::new();
    };
    let d = |c: Coord, p: Point| Euclidean.distance(Point::from(c), p);
    let forward = d(first, a).max(d(last, b));
    let backward = d(first, b).max(d(last, a));
    if forward.min(backward) <= tol {
        return Vec::new();
    }
    let pairs = if forward <= backward {
        [(first, from, a), (last, to, b)]
    } else {
        [(first, to, b), (last, from, a)]
    };
    let nodes = &ctx.network.nodes;
    pairs
        .into_iter()
        .filter(|&(end, _, p)| d(end, p) > tol)
        .map(|(end, node, p)| {
            let gap = d(end, p);
            let code = nodes.code(node);
            at(
                end,
                Diagnostic::new(&rules::PATH_END_OFF_NODE)
                    .value(code)
                    .message(
                        format!(
                            "Extrémité à {gap:.2} m de son nœud déclaré {code} (tolérance {tol} m)."
                        ),
                        format!(
                            "End {gap:.2} m away from its declared node {code} (tolerance {tol} m)."
                        ),
                    ),
            )
        })
        .collect()
}

fn cable_lines(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let net = ctx.network;
    let topo = ctx.t.topology_tolerance_m;
    let box_tol = ctx.t.cable_line_tolerance_m;
    let any_node = ctx.runs("cl_geom_1_g80012");
    let box_or_room = ctx.runs("cl_geom_1_g80010");
    let box_or_site = ctx.runs("cl_geom_1_m80010");
    let ids: Vec<_> = net.cable_lines.ids().collect();
    ids.par_iter()
        .flat_map_iter(|&id| {
            let mut out = Vec::new();
            let code = net.cable_lines.code(id);
            let Some((first, last)) = net.cable_lines.get(id).line.as_ref().and_then(ends) else {
                return out;
            };
            for end in [first, last] {
                let at = |d: Diagnostic| d.table("t_cableline").object(code).at(end.x, end.y);
                let roles = |tol| -> Vec<NodeRoles> {
                    nodes_near(ctx, xy(end), tol)
                        .map(|n| ctx.roles[n])
                        .collect()
                };
                let near_topo = roles(topo);
                if any_node && near_topo.is_empty() {
                    out.push(at(ctx.reference("cl_geom_1_g80012")));
                }
                let near_box = roles(box_tol);
                if box_or_room && !near_box.iter().any(|r| r.any_box || r.site) {
                    out.push(at(ctx.reference("cl_geom_1_g80010")));
                }
                if box_or_site
                    && !near_topo
                        .iter()
                        .any(|r| r.any_box || r.site || r.premises || r.emission)
                {
                    out.push(at(ctx.reference("cl_geom_1_m80010")));
                }
            }
            out
        })
        .collect()
}
