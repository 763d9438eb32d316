//! The v3 checker's business controls (`metier_*`): fibres, boxes, cables, address counts, ownership of paths,
//! NRO rooms and zones, duplicate incumbent poles. Joins go through hash maps from code to row; the address in
//! several ZSRO goes through an R-tree of the zones' boxes; duplicate poles are grouped by their incumbent
//! suffix, so nothing compares every object with every other.

use geo::{BoundingRect, Contains, Distance, Euclidean, Length};
use geo_types::{Geometry, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use rustc_hash::{FxHashMap, FxHashSet};
use thd_diag::Diagnostic;
use thd_network::values::parse_integer;

use super::{Table, V3, point, round};

/// The catalogue controls this module implements (`metier_0008` only when the operator enables it, as the
/// checker ships it disabled).
pub(crate) const CONTROLS: &[&str] = &[
    "metier_0001",
    "metier_0002",
    "metier_0003",
    "metier_0004",
    "metier_0005",
    "metier_0006",
    "metier_0007",
    "metier_0008",
    "metier_0009",
    "metier_0010",
    "metier_0011",
    "metier_0012",
    "metier_0013",
    "metier_0014",
    "metier_0015",
    "metier_0016",
    "metier_0017",
    "metier_0018",
    "metier_0019",
    "metier_0020",
];

/// Two incumbent poles with the same suffix closer than this are likely one pole (m).
const POLE_DUPLICATE_M: f64 = 50.0;

pub(crate) fn check(v3: &V3<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    fibre_pairs(v3, &mut out);
    boxes(v3, &mut out);
    cables(v3, &mut out);
    address_counts(v3, &mut out);
    rooms_and_zones(v3, &mut out);
    addresses_in_zones(v3, &mut out);
    positions(v3, &mut out);
    path_ownership(v3, &mut out);
    paths_not_communicated(v3, &mut out);
    incumbent_poles(v3, &mut out);
    out
}

/// Shorthand: one diagnostic on a row with the column and value at fault.
fn push(
    v3: &V3<'_, '_>,
    out: &mut Vec<Diagnostic>,
    (id, table, row): (&str, &Table<'_>, usize),
    column: Option<(&str, Option<&str>)>,
    fr: String,
    en: String,
) {
    let mut d = v3.at_row(id, table, row, fr, en);
    if let Some((column, value)) = column {
        d.column = Some(column.to_owned());
        d.value = value.map(str::to_owned);
    }
    out.push(d);
}

/// `metier_0001`: a (tube, fibre-in-tube) pair used twice in one cable; every fibre of the pair is reported.
fn fibre_pairs(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let id = "metier_0001";
    let Some(fibres) = v3.table("t_fibre").filter(|_| v3.runs(id)) else {
        return;
    };
    let (cable, tube, rank) = (
        fibres.col("fo_cb_code"),
        fibres.col("fo_numtub"),
        fibres.col("fo_nintub"),
    );
    let key = |row| {
        Some((
            fibres.get(row, cable)?,
            fibres.get(row, tube)?,
            fibres.get(row, rank)?,
        ))
    };
    let mut counts: FxHashMap<(&str, &str, &str), usize> = FxHashMap::default();
    for row in 0..fibres.len() {
        if let Some(k) = key(row) {
            *counts.entry(k).or_default() += 1;
        }
    }
    for row in 0..fibres.len() {
        let Some(k @ (c, t, r)) = key(row) else {
            continue;
        };
        let n = counts[&k];
        if n > 1 {
            push(
                v3,
                out,
                (id, &fibres, row),
                Some(("fo_nintub", Some(r))),
                format!("Tube {t}, fibre {r} du câble {c} utilisée par {n} fibres."),
                format!("Tube {t}, fibre {r} of cable {c} used by {n} fibres."),
            );
        }
    }
}

/// `metier_0002` a BPE or PBO no cable comes into (`cb_bp2`); `metier_0004` a box neither in a technical
/// point nor in a room.
fn boxes(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let Some(boxes) = v3.table("t_ebp") else {
        return;
    };
    if v3.runs("metier_0002") {
        let fed: FxHashSet<&str> = v3
            .table("t_cable")
            .map(|c| {
                (0..c.len())
                    .filter_map(|r| c.get(r, c.col("cb_bp2")))
                    .collect()
            })
            .unwrap_or_default();
        let kind = boxes.col("bp_typelog");
        for row in 0..boxes.len() {
            let Some(k @ ("BPE" | "PBO")) = boxes.get(row, kind) else {
                continue;
            };
            if boxes.code(row).is_some_and(|c| !fed.contains(c)) {
                push(
                    v3,
                    out,
                    ("metier_0002", &boxes, row),
                    Some(("bp_typelog", Some(k))),
                    format!("{k} sans câble entrant (aucun câble n'a ce boîtier en cb_bp2)."),
                    format!("{k} without an incoming cable (no cable has this box as cb_bp2)."),
                );
            }
        }
    }
    if v3.runs("metier_0004") {
        let (tp, room) = (boxes.col("bp_pt_code"), boxes.col("bp_lc_code"));
        for row in 0..boxes.len() {
            if boxes.get(row, tp).is_none() && boxes.get(row, room).is_none() {
                push(v3, out, ("metier_0004", &boxes, row), None,
                    "Boîtier rattaché ni à un point technique (bp_pt_code) ni à un local (bp_lc_code).".into(),
                    "Box attached neither to a technical point (bp_pt_code) nor to a room (bp_lc_code).".into());
            }
        }
    }
}

/// `metier_0003` a distribution cable without a line between boxes at different places, `metier_0007` a
/// cable of logical type NC, `metier_0012` a cable between two nodes without a line, `metier_0013` a cable
/// spliced in more than two boxes, `metier_0018` a cable line of a non-drop cable in no path.
fn cables(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let Some(cables) = v3.table("t_cable") else {
        return;
    };
    let lines = v3.table("t_cableline");
    let with_line: FxHashSet<&str> = lines
        .map(|l| {
            (0..l.len())
                .filter_map(|r| l.get(r, l.col("cl_cb_code")))
                .collect()
        })
        .unwrap_or_default();
    let kind = cables.col("cb_typelog");
    if v3.runs("metier_0003")
        && let Some(boxes) = v3.table("t_ebp")
    {
        let box_row = boxes.by_code();
        let place = |code: Option<&str>| {
            let row = *box_row.get(code?)?;
            boxes
                .get(row, boxes.col("bp_pt_code"))
                .or_else(|| boxes.get(row, boxes.col("bp_lc_code")))
        };
        for row in 0..cables.len() {
            if cables.get(row, kind) != Some("DI")
                || cables.code(row).is_some_and(|c| with_line.contains(c))
            {
                continue;
            }
            let (a, b) = (
                place(cables.get(row, cables.col("cb_bp1"))),
                place(cables.get(row, cables.col("cb_bp2"))),
            );
            if a != b {
                let fr = |p: Option<&str>| p.unwrap_or("(aucun)").to_owned();
                let en = |p: Option<&str>| p.unwrap_or("(none)").to_owned();
                push(
                    v3,
                    out,
                    ("metier_0003", &cables, row),
                    None,
                    format!(
                        "Câble de distribution sans tracé (t_cableline) entre des boîtiers en des lieux différents ({} et {}).",
                        fr(a),
                        fr(b)
                    ),
                    format!(
                        "Distribution cable without a line (t_cableline) between boxes at different places ({} and {}).",
                        en(a),
                        en(b)
                    ),
                );
            }
        }
    }
    if v3.runs("metier_0007") {
        for row in (0..cables.len()).filter(|&r| cables.get(r, kind) == Some("NC")) {
            push(
                v3,
                out,
                ("metier_0007", &cables, row),
                Some(("cb_typelog", Some("NC"))),
                "Type logique du câble non communiqué (NC).".into(),
                "Logical type of the cable not communicated (NC).".into(),
            );
        }
    }
    if v3.runs("metier_0012") {
        let (nd1, nd2) = (cables.col("cb_nd1"), cables.col("cb_nd2"));
        for row in 0..cables.len() {
            let (Some(a), Some(b)) = (cables.get(row, nd1), cables.get(row, nd2)) else {
                continue;
            };
            if a != b && cables.code(row).is_some_and(|c| !with_line.contains(c)) {
                push(
                    v3,
                    out,
                    ("metier_0012", &cables, row),
                    None,
                    format!("Câble entre les nœuds {a} et {b} sans tracé (t_cableline)."),
                    format!("Cable between nodes {a} and {b} without a line (t_cableline)."),
                );
            }
        }
    }
    if v3.runs("metier_0013") {
        spliced_boxes(v3, &cables, out);
    }
    if v3.runs("metier_0018")
        && let Some(lines) = lines
    {
        let in_path: FxHashSet<&str> = v3
            .table("t_cab_chem")
            .map(|l| {
                (0..l.len())
                    .filter_map(|r| l.get(r, l.col("cc_cb_code")))
                    .collect()
            })
            .unwrap_or_default();
        let cable_row = cables.by_code();
        let cable_col = lines.col("cl_cb_code");
        for row in 0..lines.len() {
            let Some(cable) = lines.get(row, cable_col) else {
                continue;
            };
            let not_drop = cable_row
                .get(cable)
                .and_then(|&r| cables.get(r, kind))
                .is_some_and(|k| k != "RA");
            let length = match lines.geometry(row) {
                Some(Geometry::LineString(l)) => Euclidean.length(l),
                Some(Geometry::MultiLineString(m)) => Euclidean.length(m),
                _ => 0.0,
            };
            if not_drop && round(length, 2) > 0.0 && !in_path.contains(cable) {
                push(
                    v3,
                    out,
                    ("metier_0018", &lines, row),
                    Some(("cl_cb_code", Some(cable))),
                    format!(
                        "Le câble {cable} a un tracé de {length:.2} m mais n'est posé dans aucun cheminement (t_cab_chem)."
                    ),
                    format!(
                        "Cable {cable} has a {length:.2} m line but is laid in no path (t_cab_chem)."
                    ),
                );
            }
        }
    }
}

/// `metier_0013`: the boxes a cable's fibres are spliced or connected in, through positions → cassettes.
fn spliced_boxes(v3: &V3<'_, '_>, cables: &Table<'_>, out: &mut Vec<Diagnostic>) {
    let (Some(fibres), Some(positions), Some(cassettes)) = (
        v3.table("t_fibre"),
        v3.table("t_position"),
        v3.table("t_cassette"),
    ) else {
        return;
    };
    let fibre_row = fibres.by_code();
    let cassette_row = cassettes.by_code();
    let mut boxes_of: FxHashMap<&str, FxHashSet<&str>> = FxHashMap::default();
    let cassette_col = positions.col("ps_cs_code");
    for row in 0..positions.len() {
        let Some(bx) = positions
            .get(row, cassette_col)
            .and_then(|c| cassette_row.get(c))
            .and_then(|&r| cassettes.get(r, cassettes.col("cs_bp_code")))
        else {
            continue;
        };
        for side in ["ps_1", "ps_2"] {
            let cable = positions
                .get(row, positions.col(side))
                .and_then(|f| fibre_row.get(f))
                .and_then(|&r| fibres.get(r, fibres.col("fo_cb_code")));
            if let Some(cable) = cable {
                boxes_of.entry(cable).or_default().insert(bx);
            }
        }
    }
    for row in 0..cables.len() {
        let Some(boxes) = cables.code(row).and_then(|c| boxes_of.get(c)) else {
            continue;
        };
        if boxes.len() > 2 {
            let n = boxes.len();
            push(
                v3,
                out,
                ("metier_0013", cables, row),
                None,
                format!("Fibres du câble épissurées ou connectées dans {n} boîtiers (2 au plus)."),
                format!("Fibres of the cable spliced or connected in {n} boxes (2 at most)."),
            );
        }
    }
}

/// `metier_0005` `ad_nbfotth` against the premises counts, `metier_0006` the rooms at the address against
/// them. Counts are cast as the checker does: a value that is not an integer is NULL, and a NULL term makes
/// the sum NULL (which differs from any number).
fn address_counts(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let Some(addresses) = v3.table("t_adresse") else {
        return;
    };
    let int = |row, name: &str| {
        addresses
            .get(row, addresses.col(name))
            .and_then(parse_integer)
    };
    let declared = |row| -> Option<i64> {
        ["ad_nblres", "ad_nblpro", "ad_nblent", "ad_nblpub"]
            .iter()
            .try_fold(0i64, |sum, c| Some(sum + int(row, c)?))
    };
    let show = |v: Option<i64>| v.map_or_else(|| "NULL".to_owned(), |v| v.to_string());
    if v3.runs("metier_0005") {
        for row in 0..addresses.len() {
            let (fibres, sum) = (int(row, "ad_nbfotth"), declared(row));
            if fibres != sum {
                let (f, s) = (show(fibres), show(sum));
                push(
                    v3,
                    out,
                    ("metier_0005", &addresses, row),
                    Some((
                        "ad_nbfotth",
                        addresses.get(row, addresses.col("ad_nbfotth")),
                    )),
                    format!(
                        "ad_nbfotth = {f} mais ad_nblres + ad_nblpro + ad_nblent + ad_nblpub = {s}."
                    ),
                    format!(
                        "ad_nbfotth = {f} but ad_nblres + ad_nblpro + ad_nblent + ad_nblpub = {s}."
                    ),
                );
            }
        }
    }
    if v3.runs("metier_0006") {
        let mut rooms_per_site: FxHashMap<&str, i64> = FxHashMap::default();
        if let Some(rooms) = v3.table("t_local") {
            for row in 0..rooms.len() {
                if let Some(site) = rooms.get(row, rooms.col("lc_st_code")) {
                    *rooms_per_site.entry(site).or_default() += 1;
                }
            }
        }
        let mut rooms_per_address: FxHashMap<&str, i64> = FxHashMap::default();
        if let Some(sites) = v3.table("t_site") {
            for row in 0..sites.len() {
                let (Some(site), Some(address)) =
                    (sites.code(row), sites.get(row, sites.col("st_ad_code")))
                else {
                    continue;
                };
                *rooms_per_address.entry(address).or_default() +=
                    rooms_per_site.get(site).copied().unwrap_or(0);
            }
        }
        for row in 0..addresses.len() {
            let counted = addresses
                .code(row)
                .and_then(|c| rooms_per_address.get(c))
                .copied()
                .unwrap_or(0);
            let sum = declared(row);
            if sum != Some(counted) {
                let s = show(sum);
                push(
                    v3,
                    out,
                    ("metier_0006", &addresses, row),
                    None,
                    format!(
                        "{counted} local(aux) à l'adresse mais ad_nblres + ad_nblpro + ad_nblent + ad_nblpub = {s}."
                    ),
                    format!(
                        "{counted} room(s) at the address but ad_nblres + ad_nblpro + ad_nblent + ad_nblpub = {s}."
                    ),
                );
            }
        }
    }
}

/// `metier_0008` (disabled by default) a ZSRO whose room's external code is not its `zs_r3_code`,
/// `metier_0015` NRO rooms sharing a node, `metier_0016` an NRO room no ZNRO is served from, `metier_0020`
/// a room several ZSRO are served from.
fn rooms_and_zones(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let Some(rooms) = v3.table("t_local") else {
        return;
    };
    let kind = rooms.col("lc_typelog");
    let nro: Vec<usize> = (0..rooms.len())
        .filter(|&r| rooms.get(r, kind) == Some("NRO"))
        .collect();
    if v3.runs("metier_0015")
        && let Some(sites) = v3.table("t_site")
    {
        let site_row = sites.by_code();
        let node = |row| {
            let site = rooms.get(row, rooms.col("lc_st_code"))?;
            sites.get(*site_row.get(site)?, sites.col("st_nd_code"))
        };
        let mut per_node: FxHashMap<&str, usize> = FxHashMap::default();
        for &row in &nro {
            if let Some(n) = node(row) {
                *per_node.entry(n).or_default() += 1;
            }
        }
        for &row in &nro {
            let Some(n) = node(row).filter(|n| per_node[n] > 1) else {
                continue;
            };
            let count = per_node[n];
            push(
                v3,
                out,
                ("metier_0015", &rooms, row),
                None,
                format!("Local NRO sur le nœud {n}, partagé par {count} locaux NRO."),
                format!("NRO room on node {n}, shared by {count} NRO rooms."),
            );
        }
    }
    let znro = v3.table("t_znro");
    if v3.runs("metier_0016") {
        let served: FxHashSet<&str> = znro
            .map(|z| {
                (0..z.len())
                    .filter_map(|r| z.get(r, z.col("zn_lc_code")))
                    .collect()
            })
            .unwrap_or_default();
        for &row in &nro {
            if rooms.code(row).is_some_and(|c| !served.contains(c)) {
                push(
                    v3,
                    out,
                    ("metier_0016", &rooms, row),
                    None,
                    "Local NRO qu'aucune ZNRO ne référence (zn_lc_code).".into(),
                    "NRO room no ZNRO references (zn_lc_code).".into(),
                );
            }
        }
    }
    let Some(zsro) = v3.table("t_zsro") else {
        return;
    };
    let room_col = zsro.col("zs_lc_code");
    if v3.runs("metier_0008") {
        let room_row = rooms.by_code();
        for row in 0..zsro.len() {
            let Some(room) = zsro.get(row, room_col).and_then(|c| room_row.get(c)) else {
                continue;
            };
            let (ext, r3) = (
                rooms.get(*room, rooms.col("lc_codeext")),
                zsro.get(row, zsro.col("zs_r3_code")),
            );
            if ext != r3 {
                let fr = |v: Option<&str>| v.unwrap_or("(vide)").to_owned();
                let en = |v: Option<&str>| v.unwrap_or("(empty)").to_owned();
                push(
                    v3,
                    out,
                    ("metier_0008", &zsro, row),
                    Some(("zs_r3_code", r3)),
                    format!(
                        "zs_r3_code = {} mais le local de la ZSRO a lc_codeext = {}.",
                        fr(r3),
                        fr(ext)
                    ),
                    format!(
                        "zs_r3_code = {} but the ZSRO's room has lc_codeext = {}.",
                        en(r3),
                        en(ext)
                    ),
                );
            }
        }
    }
    if v3.runs("metier_0020") {
        let mut zones_of: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
        for row in 0..zsro.len() {
            if let (Some(room), Some(zone)) = (zsro.get(row, room_col), zsro.code(row)) {
                zones_of.entry(room).or_default().push(zone);
            }
        }
        for row in 0..zsro.len() {
            let Some(zones) = zsro
                .get(row, room_col)
                .and_then(|r| zones_of.get(r))
                .filter(|z| z.len() > 1)
            else {
                continue;
            };
            let room = zsro.get(row, room_col).unwrap_or_default();
            let list = zones.join(", ");
            push(
                v3,
                out,
                ("metier_0020", &zsro, row),
                Some(("zs_lc_code", Some(room))),
                format!("Le local {room} porte plusieurs ZSRO : {list}."),
                format!("Room {room} is the room of several ZSRO: {list}."),
            );
        }
    }
}

/// `metier_0009`: an address point strictly inside more than one ZSRO.
fn addresses_in_zones(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let id = "metier_0009";
    let (Some(addresses), Some(zsro)) = (v3.table("t_adresse"), v3.table("t_zsro")) else {
        return;
    };
    if !v3.runs(id) {
        return;
    }
    type Zone = GeomWithData<Rectangle<[f64; 2]>, usize>;
    let zones: RTree<Zone> = RTree::bulk_load(
        (0..zsro.len())
            .filter_map(|row| {
                let r = zsro.geometry(row)?.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    row,
                ))
            })
            .collect(),
    );
    for row in 0..addresses.len() {
        let Some(p) = addresses.geometry(row).and_then(point).map(Point::from) else {
            continue;
        };
        let inside: Vec<&str> = zones
            .locate_in_envelope_intersecting(&AABB::from_point([p.x(), p.y()]))
            .filter(|z| zsro.geometry(z.data).is_some_and(|g| g.contains(&p)))
            .filter_map(|z| zsro.code(z.data))
            .collect();
        if inside.len() > 1 {
            let mut inside = inside;
            inside.sort_unstable();
            let list = inside.join(", ");
            push(
                v3,
                out,
                (id, &addresses, row),
                None,
                format!("Adresse dans plusieurs ZSRO : {list}."),
                format!("Address inside several ZSRO: {list}."),
            );
        }
    }
}

/// `metier_0010`/`metier_0011`: a fibre upstream (`ps_1`) or downstream (`ps_2`) of several positions.
fn positions(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let Some(positions) = v3.table("t_position") else {
        return;
    };
    for (id, side) in [("metier_0010", "ps_1"), ("metier_0011", "ps_2")] {
        if !v3.runs(id) {
            continue;
        }
        let col = positions.col(side);
        let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
        for row in 0..positions.len() {
            if let Some(f) = positions.get(row, col) {
                *counts.entry(f).or_default() += 1;
            }
        }
        for row in 0..positions.len() {
            let Some(f) = positions.get(row, col).filter(|f| counts[f] > 1) else {
                continue;
            };
            let n = counts[f];
            push(
                v3,
                out,
                (id, &positions, row),
                Some((side, Some(f))),
                format!("La fibre {f} est en {side} de {n} positions (erreur de route optique)."),
                format!("Fibre {f} is the {side} of {n} positions (optical route error)."),
            );
        }
    }
}

/// `metier_0014`: both end nodes carry a technical point of the same owner, and the path has another owner.
fn path_ownership(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let id = "metier_0014";
    let (Some(paths), Some(points)) = (v3.table("t_cheminement"), v3.table("t_ptech")) else {
        return;
    };
    if !v3.runs(id) {
        return;
    }
    let owner_col = points.col("pt_prop");
    let owner_of_node: FxHashMap<&str, &str> = (0..points.len())
        .filter_map(|r| {
            Some((
                points.get(r, points.col("pt_nd_code"))?,
                points.get(r, owner_col)?,
            ))
        })
        .collect();
    let (a, b, prop) = (
        paths.col("cm_ndcode1"),
        paths.col("cm_ndcode2"),
        paths.col("cm_prop"),
    );
    for row in 0..paths.len() {
        let owner = |c| {
            paths
                .get(row, c)
                .and_then(|n| owner_of_node.get(n))
                .copied()
        };
        let (Some(o1), Some(o2)) = (owner(a), owner(b)) else {
            continue;
        };
        let declared = paths.get(row, prop);
        if o1 == o2 && declared != Some(o1) {
            push(
                v3,
                out,
                (id, &paths, row),
                Some(("cm_prop", declared)),
                format!(
                    "Les deux points techniques aux extrémités appartiennent à {o1} mais cm_prop = {}.",
                    declared.unwrap_or("(vide)")
                ),
                format!(
                    "Both technical points at the ends belong to {o1} but cm_prop = {}.",
                    declared.unwrap_or("(empty)")
                ),
            );
        }
    }
}

/// `metier_0017`: a path of logical type NC (not communicated).
fn paths_not_communicated(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let id = "metier_0017";
    let Some(paths) = v3.table("t_cheminement").filter(|_| v3.runs(id)) else {
        return;
    };
    let kind = paths.col("cm_typelog");
    for row in (0..paths.len()).filter(|&r| paths.get(r, kind) == Some("NC")) {
        push(
            v3,
            out,
            (id, &paths, row),
            Some(("cm_typelog", Some("NC"))),
            "Type logique du cheminement non communiqué (NC).".into(),
            "Logical type of the path not communicated (NC).".into(),
        );
    }
}

/// `metier_0019`: two incumbent poles (`pt_codeext` containing `-FT-`) with the same suffix whose nodes are
/// less than 50 m apart; the lower `pt_code` of the pair is reported.
fn incumbent_poles(v3: &V3<'_, '_>, out: &mut Vec<Diagnostic>) {
    let id = "metier_0019";
    let Some(points) = v3.table("t_ptech").filter(|_| v3.runs(id)) else {
        return;
    };
    let nodes = v3.node_points();
    let (ext, node) = (points.col("pt_codeext"), points.col("pt_nd_code"));
    let mut by_suffix: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for row in 0..points.len() {
        if let Some((_, suffix)) = points.get(row, ext).and_then(|e| e.split_once("-FT-")) {
            by_suffix.entry(suffix).or_default().push(row);
        }
    }
    let mut reported: Vec<usize> = Vec::new();
    for rows in by_suffix.values().filter(|r| r.len() > 1) {
        // Poles sharing an incumbent suffix are a handful: comparing them pairwise stays linear overall.
        for (i, &a) in rows.iter().enumerate() {
            for &b in &rows[i + 1..] {
                let at = |r| {
                    points
                        .get(r, node)
                        .and_then(|n| nodes.get(n))
                        .copied()
                        .map(Point::from)
                };
                let (Some(pa), Some(pb)) = (at(a), at(b)) else {
                    continue;
                };
                let d = Euclidean.distance(pa, pb);
                if d < POLE_DUPLICATE_M {
                    let lower = if points.code(a) <= points.code(b) {
                        a
                    } else {
                        b
                    };
                    reported.push(lower);
                }
            }
        }
    }
    reported.sort_unstable();
    reported.dedup();
    for row in reported {
        let value = points.get(row, ext);
        push(
            v3,
            out,
            (id, &points, row),
            Some(("pt_codeext", value)),
            format!(
                "Appui ORANGE probablement en double : même suffixe d'identifiant ({}) qu'un autre appui à moins de {POLE_DUPLICATE_M} m.",
                value.unwrap_or_default()
            ),
            format!(
                "Probable duplicate ORANGE pole: same identifier suffix ({}) as another pole less than {POLE_DUPLICATE_M} m away.",
                value.unwrap_or_default()
            ),
        );
    }
}
