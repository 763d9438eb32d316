//! Cable routes: the paths a cable is declared to run along (v2.0.1 through its ducts, `t_cab_cond` then
//! `t_cond_chem`; v3 directly, `t_cab_chem`) must form one continuous walk from its first node to its second;
//! its drawn cable line must follow them; its declared length must agree with theirs.
//!
//! GraceTHD does not order a route's paths, so "continuous" is checked as connectivity: in the graph made of the
//! route's paths, the cable's two nodes are connected and no path of the route is off that connected piece.

use geo::{BoundingRect, Distance, Euclidean, Length};
use geo_types::{LineString, Point};
use petgraph::unionfind::UnionFind;
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use rustc_hash::FxHashMap;
use thd_diag::Diagnostic;
use thd_network::{Cable, Id, Network, Node, Path};

use crate::context::Context;
use crate::rules;

/// The paths of every cable's declared route, deduplicated, in declaration order.
pub(crate) fn routes(net: &Network) -> Vec<Vec<Id<Path>>> {
    let mut by_cable: Vec<Vec<Id<Path>>> = vec![Vec::new(); net.cables.len()];
    if !net.cable_ducts.is_empty() {
        let mut by_duct: Vec<Vec<Id<Path>>> = vec![Vec::new(); net.ducts.len()];
        for &(duct, path) in &net.duct_paths {
            by_duct[duct.index()].push(path);
        }
        for &(cable, duct) in &net.cable_ducts {
            by_cable[cable.index()].extend_from_slice(&by_duct[duct.index()]);
        }
    }
    for &(cable, path) in &net.cable_paths {
        by_cable[cable.index()].push(path);
    }
    for paths in &mut by_cable {
        let mut seen = rustc_hash::FxHashSet::default();
        paths.retain(|p| seen.insert(*p));
    }
    by_cable
}

/// Length of a path: its declared length, else its drawn length.
pub(crate) fn path_length(path: &Path) -> Option<f64> {
    path.length
        .filter(|l| l.is_finite() && *l > 0.0)
        .or_else(|| path.line.as_ref().map(|l| Euclidean.length(l)))
}

pub(crate) fn check(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let net = ctx.network;
    let routes = routes(net);
    let mut lines: FxHashMap<Id<Cable>, (&str, &LineString)> = FxHashMap::default();
    for (_, code, cl) in net.cable_lines.iter() {
        if let (Some(cable), Some(line)) = (cl.cable, cl.line.as_ref()) {
            lines.entry(cable).or_insert((code, line));
        }
    }
    let paths = PathIndex::new(net);
    let ids: Vec<Id<Cable>> = net.cables.ids().collect();
    ids.par_iter()
        .flat_map_iter(|&id| {
            check_cable(
                ctx,
                &paths,
                id,
                &routes[id.index()],
                lines.get(&id).copied(),
            )
        })
        .collect()
}

/// The drawn paths in an R-tree of their bounding boxes, so that each vertex of a cable line finds the paths
/// near it without measuring its distance to every path of a route hundreds of paths long.
struct PathIndex {
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl PathIndex {
    fn new(net: &Network) -> Self {
        Self {
            tree: RTree::bulk_load(
                net.paths
                    .iter()
                    .filter_map(|(id, _, p)| {
                        let r = p.line.as_ref()?.bounding_rect()?;
                        Some(GeomWithData::new(
                            Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                            id.index() as u32,
                        ))
                    })
                    .collect(),
            ),
        }
    }

    /// Whether a path among `members` (sorted path indices) passes within `offset` of `p`.
    fn near(&self, net: &Network, p: Point, members: &[u32], offset: f64) -> bool {
        let envelope = AABB::from_corners(
            [p.x() - offset, p.y() - offset],
            [p.x() + offset, p.y() + offset],
        );
        self.tree
            .locate_in_envelope_intersecting(&envelope)
            .filter(|e| members.binary_search(&e.data).is_ok())
            .filter_map(|e| net.paths.id_at(e.data as usize))
            .filter_map(|id| net.paths.get(id).line.as_ref())
            .any(|l| Euclidean.distance(&p, l) <= offset)
    }
}

fn check_cable(
    ctx: &Context<'_>,
    paths: &PathIndex,
    id: Id<Cable>,
    route: &[Id<Path>],
    line: Option<(&str, &LineString)>,
) -> Vec<Diagnostic> {
    let net = ctx.network;
    let cable = net.cables.get(id);
    let code = net.cables.code(id);
    let mut out = Vec::new();
    let diagnostic = |rule| {
        let mut d = Diagnostic::new(rule).table("t_cable").object(code);
        if let Some(p) = cable.from.and_then(|n| ctx.node_point(n)) {
            d = d.at(p.x(), p.y());
        }
        d
    };
    // Patch cords and cables inside one site have no route.
    let jumper = cable.physical.is_some_and(|s| net.code(s) == "J");
    let same_site = cable.from.is_some() && cable.from == cable.to;
    if route.is_empty() {
        if !same_site && !jumper && ctx.enabled(rules::CABLE_NO_ROUTE.id) {
            out.push(diagnostic(&rules::CABLE_NO_ROUTE));
        }
        return out;
    }
    if ctx.enabled(rules::CABLE_ROUTE_BROKEN.id)
        && let Some((fr, en)) = broken(net, route, cable.from, cable.to)
    {
        out.push(diagnostic(&rules::CABLE_ROUTE_BROKEN).message(fr, en));
    }
    let route_length: f64 = route
        .iter()
        .filter_map(|&p| path_length(net.paths.get(p)))
        .sum();
    if ctx.enabled(rules::CABLE_LENGTH.id)
        && let Some(length) = cable.length.filter(|l| *l > 0.0)
        && route_length > 0.0
    {
        let gap = (length - route_length).abs() / route_length;
        if gap > ctx.t.route_length_tolerance {
            out.push(
                diagnostic(&rules::CABLE_LENGTH)
                    .column("cb_lgreel")
                    .value(format!("{length}"))
                    .message(
                        format!("Longueur déclarée {length:.1} m pour un parcours de {route_length:.1} m (écart {:.0} %).", gap * 100.0),
                        format!("Declared length {length:.1} m for a route of {route_length:.1} m ({:.0} % apart).", gap * 100.0),
                    ),
            );
        }
    }
    if ctx.enabled(rules::CABLE_LINE_OFF_ROUTE.id)
        && let Some((line_code, line)) = line
    {
        let offset = ctx.t.cable_line_route_offset_m;
        let route_lines: Vec<&LineString> = route
            .iter()
            .filter_map(|&p| net.paths.get(p).line.as_ref())
            .collect();
        if !route_lines.is_empty() {
            let mut members: Vec<u32> = route.iter().map(|p| p.index() as u32).collect();
            members.sort_unstable();
            // Only the vertices with no route path nearby are measured against the whole route.
            let farthest = line
                .points()
                .filter(|&p| !paths.near(net, p, &members, offset))
                .map(|p| {
                    (
                        p,
                        route_lines
                            .iter()
                            .map(|l| Euclidean.distance(&p, *l))
                            .fold(f64::INFINITY, f64::min),
                    )
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((p, gap)) = farthest.filter(|(_, gap)| *gap > offset) {
                out.push(
                    Diagnostic::new(&rules::CABLE_LINE_OFF_ROUTE)
                        .table("t_cableline")
                        .object(line_code)
                        .at(p.x(), p.y())
                        .message(
                            format!("Le tracé du câble {code} s'écarte de {gap:.1} m de son parcours (admis {offset} m)."),
                            format!("The line of cable {code} strays {gap:.1} m from its route ({offset} m allowed)."),
                        ),
                );
            }
        }
    }
    out
}

/// Why a route is not one continuous walk from `from` to `to` (or, when the cable does not declare its ends,
/// not one connected piece), in French and English; `None` when it is.
fn broken(
    net: &Network,
    route: &[Id<Path>],
    from: Option<Id<Node>>,
    to: Option<Id<Node>>,
) -> Option<(String, String)> {
    let mut local: FxHashMap<usize, usize> = FxHashMap::default();
    let mut index = |node: usize| {
        let next = local.len();
        *local.entry(node).or_insert(next)
    };
    let ends = from
        .zip(to)
        .map(|(a, b)| (index(a.index()), index(b.index())));
    let mut edges = Vec::with_capacity(route.len());
    for &p in route {
        let path = net.paths.get(p);
        let (Some(x), Some(y)) = (path.from, path.to) else {
            continue;
        };
        edges.push((p, index(x.index()), index(y.index())));
    }
    let mut sets = UnionFind::<usize>::new(local.len());
    for &(_, x, y) in &edges {
        sets.union(x, y);
    }
    let code = |n: Id<Node>| net.nodes.code(n);
    let anchor = match ends {
        Some((a, b)) if !sets.equiv(a, b) => {
            let (from, to) = (code(from?), code(to?));
            return Some((
                format!("Les cheminements du parcours ne relient pas {from} à {to}."),
                format!("The route's paths do not connect {from} to {to}."),
            ));
        }
        Some((a, _)) => a,
        None => edges.first()?.1,
    };
    let stray: Vec<&str> = edges
        .iter()
        .filter(|&&(_, x, _)| !sets.equiv(x, anchor))
        .map(|&(p, _, _)| net.paths.code(p))
        .collect();
    (!stray.is_empty()).then(|| {
        let list = stray.join(", ");
        (
            format!("Cheminement(s) du parcours hors du trajet continu : {list}."),
            format!("Route path(s) off the continuous walk: {list}."),
        )
    })
}
