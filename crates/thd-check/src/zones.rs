//! Zones: nesting (a PBO zone inside its SRO zone, an SRO zone inside its NRO zone: `zp_geom_1_m80015`,
//! `zs_geom_1_m80014`), overlaps between zones of one level (`zn_geom_1_g80016`, `zs_geom_1_g80017`,
//! `zp_geom_1_g80018`) and the serving node inside its zone (`zn_geom_1_m80019`, `zs_geom_1_m80020`,
//! `zp_geom_1_m80021`).
//!
//! Containment and overlap are decided on vertices with a depth tolerance instead of polygon clipping: a zone A
//! spills out of B beyond the tolerance exactly when a vertex of A lies outside B farther than the tolerance or
//! a vertex of B lies inside A farther than the tolerance (between two simple polygons, a boundary can only
//! enter the other's interior and leave again around one of its own vertices or by cutting off one of the other's).
//! Zones of one level overlap when a vertex of one lies inside the other deeper than the tolerance; two zones
//! crossing like a plus sign, with no vertex inside the other, are the one overlap this does not see. It costs
//! `O(vertices × edges)` per pair of neighbouring zones found through an R-tree of their bounding boxes, where
//! clipping every neighbouring pair would dominate the whole check at region scale.

use geo::{BoundingRect, Contains, Distance, Euclidean};
use geo_types::{Coord, LineString, MultiPolygon, Point, Rect};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use thd_diag::Diagnostic;
use thd_network::{Entities, Zone, ZoneKind};

use crate::context::Context;

/// The reference controls this module implements.
pub(crate) const CONTROLS: &[&str] = &[
    "zp_geom_1_m80015",
    "zs_geom_1_m80014",
    "zn_geom_1_g80016",
    "zs_geom_1_g80017",
    "zp_geom_1_g80018",
    "zn_geom_1_m80019",
    "zs_geom_1_m80020",
    "zp_geom_1_m80021",
];

pub(crate) fn check(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let net = ctx.network;
    let mut out = Vec::new();
    if ctx.runs("zp_geom_1_m80015") {
        out.extend(nesting(ctx, ZoneKind::Pbo, "zp_geom_1_m80015"));
    }
    if ctx.runs("zs_geom_1_m80014") {
        out.extend(nesting(ctx, ZoneKind::Sro, "zs_geom_1_m80014"));
    }
    for (kind, id) in [
        (ZoneKind::Nro, "zn_geom_1_g80016"),
        (ZoneKind::Sro, "zs_geom_1_g80017"),
        (ZoneKind::Pbo, "zp_geom_1_g80018"),
    ] {
        if ctx.runs(id) {
            out.extend(overlaps(ctx, net.zones(kind), kind, id));
        }
    }
    for (kind, id, allowed) in [
        (ZoneKind::Nro, "zn_geom_1_m80019", ctx.t.nro_zone_distance_m),
        (ZoneKind::Sro, "zs_geom_1_m80020", ctx.t.sro_zone_distance_m),
        (ZoneKind::Pbo, "zp_geom_1_m80021", ctx.t.pbo_zone_distance_m),
    ] {
        if ctx.runs(id) {
            out.extend(node_in_zone(ctx, kind, id, allowed));
        }
    }
    out
}

fn rings(area: &MultiPolygon) -> impl Iterator<Item = &LineString> {
    area.0
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

fn vertices(area: &MultiPolygon) -> impl Iterator<Item = Coord> + '_ {
    rings(area).flat_map(|r| r.0.iter().copied())
}

fn boundary_distance(p: Point, area: &MultiPolygon) -> f64 {
    rings(area)
        .map(|r| Euclidean.distance(&p, r))
        .fold(f64::INFINITY, f64::min)
}

/// A vertex of `a` outside `b` farther than `tol`, with its distance.
fn vertex_outside(a: &MultiPolygon, b: &MultiPolygon, tol: f64) -> Option<(Coord, f64)> {
    vertices(a).find_map(|c| {
        let p = Point::from(c);
        (!b.contains(&p))
            .then(|| boundary_distance(p, b))
            .filter(|d| *d > tol)
            .map(|d| (c, d))
    })
}

/// A vertex of `a` inside `b` deeper than `tol` (only vertices within `b`'s bounding box are tried).
fn vertex_inside(
    a: &MultiPolygon,
    b: &MultiPolygon,
    b_box: Rect,
    tol: f64,
) -> Option<(Coord, f64)> {
    vertices(a).filter(|c| b_box.contains(c)).find_map(|c| {
        let p = Point::from(c);
        b.contains(&p)
            .then(|| boundary_distance(p, b))
            .filter(|d| *d > tol)
            .map(|d| (c, d))
    })
}

fn nesting(ctx: &Context<'_>, kind: ZoneKind, id: &str) -> Vec<Diagnostic> {
    let net = ctx.network;
    let tol = ctx.t.topology_tolerance_m;
    let zones = net.zones(kind);
    let parents = match kind {
        ZoneKind::Pbo => &net.sro_zones,
        _ => &net.nro_zones,
    };
    let ids: Vec<_> = zones.ids().collect();
    ids.par_iter()
        .filter_map(|&zid| {
            let zone = zones.get(zid);
            let (Some(area), Some(parent)) = (zone.area.as_ref(), zone.parent) else {
                return None;
            };
            let parent_area = parents.get(parent).area.as_ref()?;
            let code = zones.code(zid);
            let parent_code = parents.code(parent);
            let spill = vertex_outside(area, parent_area, tol).or_else(|| {
                let b = area.bounding_rect()?;
                vertex_inside(parent_area, area, b, tol)
            })?;
            let (c, gap) = spill;
            Some(
                ctx.reference(id)
                    .object(code)
                    .value(parent_code)
                    .at(c.x, c.y)
                    .message(
                        format!("La zone {code} déborde de {gap:.2} m de sa zone mère {parent_code} (tolérance {tol} m)."),
                        format!("Zone {code} spills {gap:.2} m out of its parent zone {parent_code} (tolerance {tol} m)."),
                    ),
            )
        })
        .collect()
}

fn overlaps(
    ctx: &Context<'_>,
    zones: &Entities<Zone>,
    kind: ZoneKind,
    id: &str,
) -> Vec<Diagnostic> {
    let tol = ctx.t.topology_tolerance_m;
    let boxes: Vec<(usize, Rect)> = zones
        .iter()
        .filter_map(|(zid, _, z)| Some((zid.index(), z.area.as_ref()?.bounding_rect()?)))
        .collect();
    let tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>> = RTree::bulk_load(
        boxes
            .iter()
            .map(|(i, r)| {
                GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    *i,
                )
            })
            .collect(),
    );
    let mut out: Vec<Diagnostic> = boxes
        .par_iter()
        .flat_map_iter(|&(i, rect)| {
            let envelope = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
            let a_id = zones.id_at(i).expect("index from the collection");
            let a = zones.get(a_id).area.as_ref().expect("zones with an area only");
            tree.locate_in_envelope_intersecting(&envelope)
                .filter(move |other| other.data > i)
                .filter_map(move |other| {
                    let b_id = zones.id_at(other.data)?;
                    let b = zones.get(b_id).area.as_ref()?;
                    let b_box = b.bounding_rect()?;
                    let (c, depth) = vertex_inside(a, b, b_box, tol)
                        .or_else(|| vertex_inside(b, a, rect, tol))?;
                    let (code_a, code_b) = (zones.code(a_id), zones.code(b_id));
                    Some(
                        ctx.reference(id)
                            .table(kind.table())
                            .object(code_b)
                            .value(code_a)
                            .at(c.x, c.y)
                            .message(
                                format!("Les zones {code_a} et {code_b} se superposent sur {depth:.2} m au moins (tolérance {tol} m)."),
                                format!("Zones {code_a} and {code_b} overlap by at least {depth:.2} m (tolerance {tol} m)."),
                            ),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_by(|a, b| (&a.object, &a.value).cmp(&(&b.object, &b.value)));
    out
}

fn node_in_zone(ctx: &Context<'_>, kind: ZoneKind, id: &str, allowed: f64) -> Vec<Diagnostic> {
    let zones = ctx.network.zones(kind);
    let tol = ctx.t.topology_tolerance_m;
    zones
        .iter()
        .filter_map(|(_, code, zone)| {
            let area = zone.area.as_ref()?;
            let node = zone.node?;
            let p = ctx.node_point(node)?;
            if area.contains(&p) {
                return None;
            }
            let gap = Euclidean.distance(&p, area);
            (gap > allowed.max(tol)).then(|| {
                let node_code = ctx.network.nodes.code(node);
                ctx.reference(id)
                    .object(code)
                    .value(node_code)
                    .at(p.x(), p.y())
                    .message(
                        format!("Le nœud {node_code} est à {gap:.1} m hors de la zone {code} qu'il dessert (admis {allowed} m)."),
                        format!("Node {node_code} lies {gap:.1} m outside zone {code}, which it serves ({allowed} m allowed)."),
                    )
            })
        })
        .collect()
}
