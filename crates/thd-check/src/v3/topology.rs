//! The v3 checker's topology controls (`topo_*`), with its thresholds: a declared node farther than 0.01 m
//! from the nearer end of its path or cable line, boxes and racks on another node than the cable end they
//! serve, a ZSRO outside its ZNRO grown by 100 m, cables ending where no path does, and a cable line whose
//! length differs by more than 10 % from the paths it is declared in.
//!
//! Every join is a hash map from code to row, so each control is linear in the rows it reads. `topo_0013`
//! (cable line not OGC-valid) is the decoder's `decode.geometry.invalid` on `t_cableline`, which reports the
//! same degenerate parts; it is not repeated here.

use geo::{Contains, Distance, Euclidean, Length};
use geo_types::{Coord, Geometry, MultiPolygon, Point};
use rustc_hash::{FxHashMap, FxHashSet};
use thd_diag::Diagnostic;

use super::{Table, V3, line_ends, round};

/// The catalogue controls this module implements.
pub(crate) const CONTROLS: &[&str] = &[
    "topo_0001",
    "topo_0002",
    "topo_0003",
    "topo_0004",
    "topo_0005",
    "topo_0006",
    "topo_0007",
    "topo_0008",
    "topo_0009",
    "topo_0010",
    "topo_0011",
    "topo_0012",
];

/// Largest distance between a declared node and the nearer end of its line (m).
const END_TOLERANCE_M: f64 = 0.01;
/// How far a ZSRO may reach outside its ZNRO (m).
const ZNRO_MARGIN_M: f64 = 100.0;
/// Largest relative gap between a cable line's length and the length of its paths.
const ROUTE_GAP: f64 = 0.10;

pub(crate) fn check(v3: &V3<'_, '_>) -> Vec<Diagnostic> {
    let nodes = v3.node_points();
    let mut out = Vec::new();
    path_ends(v3, &nodes, &mut out);
    cable_line_ends(v3, &nodes, &mut out);
    boxes_on_cable_ends(v3, &mut out);
    racks_on_cable_ends(v3, &mut out);
    zsro_in_znro(v3, &mut out);
    cables_on_paths(v3, &mut out);
    cable_line_vs_paths(v3, &mut out);
    out
}

/// Distance from `node` to the nearer of the line's merged ends; `None` when either is missing.
fn end_gap(line: Option<&Geometry>, node: Option<&Coord>) -> Option<f64> {
    let node = Point::from(*node?);
    line_ends(line?)
        .into_iter()
        .map(|c| Euclidean.distance(Point::from(c), node))
        .min_by(f64::total_cmp)
}

fn path_ends(v3: &V3<'_, '_>, nodes: &FxHashMap<&str, Coord>, out: &mut Vec<Diagnostic>) {
    let Some(paths) = v3.table("t_cheminement") else {
        return;
    };
    for (id, column) in [("topo_0001", "cm_ndcode1"), ("topo_0002", "cm_ndcode2")] {
        if !v3.runs(id) {
            continue;
        }
        let col = paths.col(column);
        for row in 0..paths.len() {
            let Some(node) = paths.get(row, col) else {
                continue;
            };
            let Some(gap) = end_gap(paths.geometry(row), nodes.get(node)) else {
                continue;
            };
            if round(gap, 3) > END_TOLERANCE_M {
                let mut d = v3.at_row(
                    id,
                    &paths,
                    row,
                    format!("Le nœud {column} = {node} est à {gap:.3} m de l'extrémité la plus proche du cheminement (tolérance {END_TOLERANCE_M} m)."),
                    format!("Node {column} = {node} is {gap:.3} m from the nearer end of the path (tolerance {END_TOLERANCE_M} m)."),
                );
                d.column = Some(column.to_owned());
                d.value = Some(node.to_owned());
                out.push(d);
            }
        }
    }
}

fn cable_line_ends(v3: &V3<'_, '_>, nodes: &FxHashMap<&str, Coord>, out: &mut Vec<Diagnostic>) {
    let (Some(cables), Some(lines)) = (v3.table("t_cable"), v3.table("t_cableline")) else {
        return;
    };
    let line_of = lines.index(lines.col("cl_cb_code"));
    for (id, column) in [("topo_0003", "cb_nd1"), ("topo_0004", "cb_nd2")] {
        if !v3.runs(id) {
            continue;
        }
        let col = cables.col(column);
        for row in 0..cables.len() {
            let (Some(code), Some(node)) = (cables.code(row), cables.get(row, col)) else {
                continue;
            };
            let Some(&line) = line_of.get(code) else {
                continue;
            };
            let Some(gap) = end_gap(lines.geometry(line), nodes.get(node)) else {
                continue;
            };
            if round(gap, 6) > END_TOLERANCE_M {
                let mut d = v3.at_row(
                    id,
                    &cables,
                    row,
                    format!("Le nœud {column} = {node} est à {gap:.3} m de l'extrémité la plus proche du tracé du câble (tolérance {END_TOLERANCE_M} m)."),
                    format!("Node {column} = {node} is {gap:.3} m from the nearer end of the cable line (tolerance {END_TOLERANCE_M} m)."),
                );
                d.column = Some(column.to_owned());
                d.value = Some(node.to_owned());
                out.push(d);
            }
        }
    }
}

/// Reports a cable whose end box or rack stands on another node than its declared end.
fn report_end(
    v3: &V3<'_, '_>,
    cables: &Table<'_>,
    row: usize,
    (id, via, end): (&str, &str, &str),
    declared: Option<&str>,
    found: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    if declared.is_some() && declared == found {
        return;
    }
    let holder = cables.get(row, cables.col(via)).unwrap_or_default();
    let mut d = v3.at_row(
        id,
        cables,
        row,
        format!(
            "{via} = {holder} est sur le nœud {}, pas sur {end} = {}.",
            found.unwrap_or("(aucun)"),
            declared.unwrap_or("(vide)")
        ),
        format!(
            "{via} = {holder} stands on node {}, not on {end} = {}.",
            found.unwrap_or("(none)"),
            declared.unwrap_or("(empty)")
        ),
    );
    d.column = Some(via.to_owned());
    d.value = Some(holder.to_owned());
    out.push(d);
}

/// `cb_bp1`/`cb_bp2` → `t_ebp.bp_pt_code` → `t_ptech.pt_nd_code` must be `cb_nd1`/`cb_nd2`; a box in a room
/// (no technical point) is reported too, as the checker does.
fn boxes_on_cable_ends(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (Some(cables), Some(boxes)) = (v3.table("t_cable"), v3.table("t_ebp")) else {
        return;
    };
    let box_row = boxes.by_code();
    let points = v3.table("t_ptech");
    let point_row = points.map(|p| p.by_code()).unwrap_or_default();
    let node_of_box = |code: &str| {
        let points = points?;
        let tp = boxes.get(*box_row.get(code)?, boxes.col("bp_pt_code"))?;
        points.get(*point_row.get(tp)?, points.col("pt_nd_code"))
    };
    for (id, via, end) in [
        ("topo_0005", "cb_bp1", "cb_nd1"),
        ("topo_0006", "cb_bp2", "cb_nd2"),
    ] {
        if !v3.runs(id) {
            continue;
        }
        let (via_col, end_col) = (cables.col(via), cables.col(end));
        for row in 0..cables.len() {
            let Some(code) = cables.get(row, via_col) else {
                continue;
            };
            if !box_row.contains_key(code) {
                continue; // a dangling reference: the decoder's
            }
            report_end(
                v3,
                &cables,
                row,
                (id, via, end),
                cables.get(row, end_col),
                node_of_box(code),
                out,
            );
        }
    }
}

/// `cb_ba1`/`cb_ba2` → `t_baie.ba_lc_code` → `t_local.lc_st_code` → `t_site.st_nd_code` must be the cable end,
/// when the chain of references resolves.
fn racks_on_cable_ends(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (Some(cables), Some(racks), Some(rooms), Some(sites)) = (
        v3.table("t_cable"),
        v3.table("t_baie"),
        v3.table("t_local"),
        v3.table("t_site"),
    ) else {
        return;
    };
    let (rack_row, room_row, site_row) = (racks.by_code(), rooms.by_code(), sites.by_code());
    // `Some(node)` when the chain resolves (the node itself may be empty).
    let node_of_rack = |code: &str| -> Option<Option<&str>> {
        let room = racks.get(*rack_row.get(code)?, racks.col("ba_lc_code"))?;
        let site = rooms.get(*room_row.get(room)?, rooms.col("lc_st_code"))?;
        Some(sites.get(*site_row.get(site)?, sites.col("st_nd_code")))
    };
    for (id, via, end) in [
        ("topo_0008", "cb_ba1", "cb_nd1"),
        ("topo_0009", "cb_ba2", "cb_nd2"),
    ] {
        if !v3.runs(id) {
            continue;
        }
        let (via_col, end_col) = (cables.col(via), cables.col(end));
        for row in 0..cables.len() {
            let Some(found) = cables.get(row, via_col).and_then(node_of_rack) else {
                continue;
            };
            report_end(
                v3,
                &cables,
                row,
                (id, via, end),
                cables.get(row, end_col),
                found,
                out,
            );
        }
    }
}

fn polygons(geometry: &Geometry) -> Option<MultiPolygon> {
    match geometry {
        Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    }
}

/// A ZSRO must lie within its ZNRO grown by 100 m. Tested vertex by vertex: every vertex of the ZSRO inside
/// the ZNRO or within 100 m of it (an edge bulging out between two vertices that are both inside is not
/// seen; ZSRO edges are short next to 100 m in practice).
fn zsro_in_znro(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let id = "topo_0007";
    let (Some(zsro), Some(znro)) = (v3.table("t_zsro"), v3.table("t_znro")) else {
        return;
    };
    if !v3.runs(id) {
        return;
    }
    let znro_row = znro.by_code();
    let parent_col = zsro.col("zs_zn_code");
    for row in 0..zsro.len() {
        let Some(zone) = zsro.geometry(row).and_then(polygons) else {
            continue;
        };
        let parent = zsro.get(row, parent_col);
        let area = parent
            .and_then(|p| znro_row.get(p))
            .and_then(|&r| znro.geometry(r))
            .and_then(polygons);
        let (fr, en) = match &area {
            None => (
                format!(
                    "ZNRO parente {} introuvable ou sans géométrie.",
                    parent.unwrap_or("(vide)")
                ),
                format!(
                    "Parent ZNRO {} not found or without geometry.",
                    parent.unwrap_or("(empty)")
                ),
            ),
            Some(area) => {
                let worst = geo::CoordsIter::coords_iter(&zone)
                    .map(Point::from)
                    .filter(|p| !area.contains(p))
                    .map(|p| Euclidean.distance(&p, area))
                    .fold(0.0, f64::max);
                if worst <= ZNRO_MARGIN_M {
                    continue;
                }
                (
                    format!(
                        "La ZSRO sort de sa ZNRO {} de {worst:.1} m (marge {ZNRO_MARGIN_M} m).",
                        parent.unwrap_or_default()
                    ),
                    format!(
                        "The ZSRO reaches {worst:.1} m outside its ZNRO {} (margin {ZNRO_MARGIN_M} m).",
                        parent.unwrap_or_default()
                    ),
                )
            }
        };
        let mut d = v3.at_row(id, &zsro, row, fr, en);
        d.column = Some("zs_zn_code".into());
        d.value = parent.map(str::to_owned);
        out.push(d);
    }
}

/// A cable other than a drop (`cb_typelog` filled and not `RA`) must end on a node some path touches. An
/// empty end is left to the filling controls.
fn cables_on_paths(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let (Some(cables), Some(paths)) = (v3.table("t_cable"), v3.table("t_cheminement")) else {
        return;
    };
    let mut touched: FxHashSet<&str> = FxHashSet::default();
    for row in 0..paths.len() {
        touched.extend(paths.get(row, paths.col("cm_ndcode1")));
        touched.extend(paths.get(row, paths.col("cm_ndcode2")));
    }
    let kind = cables.col("cb_typelog");
    for (id, column) in [("topo_0010", "cb_nd1"), ("topo_0011", "cb_nd2")] {
        if !v3.runs(id) {
            continue;
        }
        let col = cables.col(column);
        for row in 0..cables.len() {
            if cables.get(row, kind).is_none_or(|k| k == "RA") {
                continue;
            }
            let Some(node) = cables.get(row, col) else {
                continue;
            };
            if touched.contains(node) {
                continue;
            }
            let mut d = v3.at_row(
                id,
                &cables,
                row,
                format!("Aucun cheminement n'aboutit au nœud {column} = {node} du câble."),
                format!("No path reaches the cable's node {column} = {node}."),
            );
            d.column = Some(column.to_owned());
            d.value = Some(node.to_owned());
            out.push(d);
        }
    }
}

/// The length of a cable line against the summed length of the paths its cable is declared in (`t_cab_chem`),
/// when both are positive.
fn cable_line_vs_paths(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let id = "topo_0012";
    let (Some(lines), Some(links), Some(paths)) = (
        v3.table("t_cableline"),
        v3.table("t_cab_chem"),
        v3.table("t_cheminement"),
    ) else {
        return;
    };
    if !v3.runs(id) {
        return;
    }
    let path_row = paths.by_code();
    let length = |g: Option<&Geometry>| match g {
        Some(Geometry::LineString(l)) => Euclidean.length(l),
        Some(Geometry::MultiLineString(m)) => Euclidean.length(m),
        _ => 0.0,
    };
    let mut route: FxHashMap<&str, f64> = FxHashMap::default();
    let (cable_col, path_col) = (links.col("cc_cb_code"), links.col("cc_cm_code"));
    for row in 0..links.len() {
        let (Some(cable), Some(path)) = (links.get(row, cable_col), links.get(row, path_col))
        else {
            continue;
        };
        if let Some(&p) = path_row.get(path) {
            *route.entry(cable).or_default() += length(paths.geometry(p));
        }
    }
    let cable_col = lines.col("cl_cb_code");
    for row in 0..lines.len() {
        let line = length(lines.geometry(row));
        let Some(cable) = lines.get(row, cable_col) else {
            continue;
        };
        let along = route.get(cable).copied().unwrap_or(0.0);
        if line <= 0.0 || along <= 0.0 || (line - along).abs() <= ROUTE_GAP * line {
            continue;
        }
        let share = 100.0 * (line - along).abs() / line;
        let mut d = v3.at_row(
            id,
            &lines,
            row,
            format!("Tracé du câble {cable} de {line:.2} m pour {along:.2} m de cheminements déclarés (écart {share:.1} %, admis 10 %)."),
            format!("Cable line of {cable} is {line:.2} m for {along:.2} m of declared paths (gap {share:.1} %, 10 % allowed)."),
        );
        d.value = Some(format!("{line:.2}"));
        out.push(d);
    }
}
