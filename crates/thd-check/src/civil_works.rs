//! Civil works and premises on the ground: ducts laid in paths and not overfilled, path ends on supports that
//! fit their laying (poles and façades for aerial paths, chambers for underground ones), and end-user sites
//! close to their address (`ad_geom_1_g80005`).

use geo::{Distance, Euclidean};
use std::f64::consts::PI;
use thd_diag::Diagnostic;
use thd_network::values::parse_number;

use crate::context::Context;
use crate::rules;

/// The reference controls this module implements.
pub(crate) const CONTROLS: &[&str] = &["ad_geom_1_g80005"];

pub(crate) fn check(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    ducts(ctx, &mut out);
    supports(ctx, &mut out);
    premises_near_address(ctx, &mut out);
    out
}

fn ducts(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let net = ctx.network;
    if net.ducts.is_empty() {
        return;
    }
    if ctx.enabled(rules::DUCT_NO_PATH.id) && ctx.delivery.table("t_cond_chem").is_some() {
        let mut laid = vec![false; net.ducts.len()];
        for &(duct, _) in &net.duct_paths {
            laid[duct.index()] = true;
        }
        // A sub-duct is laid where its parent is.
        for (id, _, duct) in net.ducts.iter() {
            if duct.parent.is_some_and(|p| laid[p.index()]) {
                laid[id.index()] = true;
            }
        }
        for (id, code, _) in net.ducts.iter() {
            if !laid[id.index()] {
                out.push(
                    Diagnostic::new(&rules::DUCT_NO_PATH)
                        .table("t_conduite")
                        .object(code),
                );
            }
        }
    }
    let mut cables_in = vec![Vec::new(); net.ducts.len()];
    for &(cable, duct) in &net.cable_ducts {
        cables_in[duct.index()].push(cable);
    }
    if ctx.enabled(rules::DUCT_CABLE_COUNT.id)
        && let Some(table) = ctx.delivery.table("t_conduite")
        && let Some(column) = table.column_index("cd_nbcable")
    {
        for row in 0..table.len() {
            let (Some(code), Some(declared)) = (
                table.cell(row, 0),
                table
                    .cell(row, column)
                    .and_then(|v| v.trim().parse::<usize>().ok()),
            ) else {
                continue;
            };
            let Some(duct) = net.ducts.id(code) else {
                continue;
            };
            let laid = cables_in[duct.index()].len();
            if laid != declared {
                out.push(
                    Diagnostic::new(&rules::DUCT_CABLE_COUNT)
                        .table("t_conduite")
                        .object(code)
                        .column("cd_nbcable")
                        .value(declared.to_string())
                        .message(
                            format!(
                                "cd_nbcable = {declared} mais {laid} câble(s) dans t_cab_cond."
                            ),
                            format!("cd_nbcable = {declared} but {laid} cable(s) in t_cab_cond."),
                        ),
                );
            }
        }
    }
    if !ctx.enabled(rules::DUCT_OVER_CAPACITY.id) {
        return;
    }
    let Some(cables) = ctx.delivery.table("t_cable") else {
        return;
    };
    let Some(diam) = cables.column_index("cb_diam") else {
        return;
    };
    let mut diameter = vec![None; net.cables.len()];
    for row in 0..cables.len() {
        if let (Some(cable), Some(d)) = (
            cables.cell(row, 0).and_then(|c| net.cables.id(c)),
            cables.cell(row, diam).and_then(parse_number),
        ) && d > 0.0
        {
            diameter[cable.index()] = Some(d);
        }
    }
    let fill_max = ctx.t.duct_fill_max;
    for (id, code, duct) in net.ducts.iter() {
        let Some(inner) = duct.inner_diameter.filter(|d| *d > 0.0) else {
            continue;
        };
        let inside: Vec<f64> = cables_in[id.index()]
            .iter()
            .filter_map(|c| diameter[c.index()])
            .collect();
        if inside.is_empty() {
            continue;
        }
        let area = |d: f64| PI * d * d / 4.0;
        let fill = inside.iter().map(|&d| area(d)).sum::<f64>() / area(inner);
        let widest = inside.iter().copied().fold(0.0, f64::max);
        if fill > fill_max || widest >= inner {
            out.push(
                Diagnostic::new(&rules::DUCT_OVER_CAPACITY)
                    .table("t_conduite")
                    .object(code)
                    .message(
                        format!(
                            "{} câble(s) remplissent {:.0} % de la section de la conduite de {inner} mm (admis {:.0} %, plus gros câble {widest} mm).",
                            inside.len(), fill * 100.0, fill_max * 100.0
                        ),
                        format!(
                            "{} cable(s) fill {:.0} % of the {inner} mm duct's cross-section ({:.0} % allowed, widest cable {widest} mm).",
                            inside.len(), fill * 100.0, fill_max * 100.0
                        ),
                    ),
            );
        }
    }
}

/// Which supports (`pt_typephy` letters) a laying (`l_implantation_type`) may end on; `None` for layings without
/// a rule (building, specific).
fn allowed_supports(placement: &str) -> Option<&'static [u8]> {
    match placement {
        // Aerial (telecom or power poles): poles, façade anchors, buildings.
        "0" | "1" => Some(b"AFI"),
        // Façade: façade anchors, poles, buildings.
        "2" => Some(b"FAI"),
        // Underground (open ground, gutter, gallery, duct, sewer): chambers, buildings, and poles where the
        // network rises from underground to aerial (remontée aéro-souterraine).
        "4" | "5" | "6" | "7" | "8" => Some(b"CIA"),
        _ => None,
    }
}

fn supports(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if !ctx.enabled(rules::PATH_SUPPORT.id) {
        return;
    }
    let net = ctx.network;
    for (_, code, path) in net.paths.iter() {
        let Some(placement) = path.placement.map(|s| net.code(s)) else {
            continue;
        };
        let Some(allowed) = allowed_supports(placement) else {
            continue;
        };
        for node in [path.from, path.to].into_iter().flatten() {
            let roles = ctx.roles[node.index()];
            // Sites and premises end any path; bare nodes are the topology controls' business.
            if roles.site || roles.premises || roles.emission {
                continue;
            }
            let Some(support) = roles.tech_point else {
                continue;
            };
            if allowed.contains(&support) {
                continue;
            }
            let node_code = net.nodes.code(node);
            let mut d = Diagnostic::new(&rules::PATH_SUPPORT)
                .table("t_cheminement")
                .object(code)
                .column("cm_typ_imp")
                .value(placement)
                .message(
                    format!(
                        "Cheminement de pose « {} » aboutissant au nœud {node_code} sur un point technique de type {}.",
                        net.symbols.label(path.placement.expect("checked above")),
                        support as char
                    ),
                    format!(
                        "Path laid as {placement:?} ends at node {node_code} on a technical point of type {}.",
                        support as char
                    ),
                );
            if let Some(p) = ctx.node_point(node) {
                d = d.at(p.x(), p.y());
            }
            out.push(d);
        }
    }
}

fn premises_near_address(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let id = "ad_geom_1_g80005";
    if !ctx.runs(id) {
        return;
    }
    let net = ctx.network;
    let max = ctx.t.suf_address_max_m;
    let table = if net.version == thd_model::GraceVersion::V2_0_1 {
        "t_suf"
    } else {
        "t_local"
    };
    for (_, code, premises) in net.premises.iter() {
        let (Some(node), Some(address)) = (premises.node, premises.address) else {
            continue;
        };
        let (Some(p), Some(a)) = (ctx.node_point(node), net.addresses.get(address).location) else {
            continue;
        };
        let gap = Euclidean.distance(&p, &a);
        if gap > max {
            let address_code = net.addresses.code(address);
            out.push(
                ctx.reference(id)
                    .table(table)
                    .object(code)
                    .value(address_code)
                    .at(p.x(), p.y())
                    .message(
                        format!("Le nœud du site utilisateur est à {gap:.1} m de son adresse {address_code} (admis {max} m)."),
                        format!("The end-user site's node is {gap:.1} m from its address {address_code} ({max} m allowed)."),
                    ),
            );
        }
    }
}
