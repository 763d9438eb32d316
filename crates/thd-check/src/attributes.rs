//! The reference checker's alphanumeric controls (`*_s8000*`): duplicate address identifiers, cable
//! capacities out of bounds or inconsistent with their reference, and the plug and premises counts of an
//! address against the end-user sites and optical outlets (PTO) attached to it.

use rustc_hash::FxHashMap;
use thd_diag::Diagnostic;
use thd_model::RawTable;
use thd_network::values::parse_integer;

use crate::context::Context;

/// The reference controls this module implements.
pub(crate) const CONTROLS: &[&str] = &[
    "ad_ban_id_1_s80002",
    "ad_hexacle_1_s80001",
    "cb_capafo_1_s80007",
    "cb_capafo_1_s80008",
    "cb_capafo_1_s80009",
    "ad_nblhab_1_s80004",
    "ad_nbprhab_1_s80003",
];

pub(crate) fn check(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    duplicates(ctx, "ad_ban_id_1_s80002", "ad_ban_id", "BAN", &mut out);
    duplicates(
        ctx,
        "ad_hexacle_1_s80001",
        "ad_hexacle",
        "HEXACLE",
        &mut out,
    );
    capacity_bounds(ctx, &mut out);
    capacity_per_reference(ctx, &mut out);
    premises_per_address(ctx, &mut out);
    out
}

/// A column of a delivered table.
fn column<'d>(ctx: &Context<'d>, table: &str, name: &str) -> Option<(&'d RawTable, usize)> {
    let table = ctx.delivery.table(table)?;
    Some((table, table.column_index(name)?))
}

fn filled(table: &RawTable, row: usize, column: usize) -> Option<&str> {
    table
        .cell(row, column)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Every address after the first that repeats an identifier meant to be unique.
fn duplicates(
    ctx: &Context<'_>,
    id: &str,
    attribute: &str,
    label: &str,
    out: &mut Vec<Diagnostic>,
) {
    if !ctx.runs(id) {
        return;
    }
    let Some((table, col)) = column(ctx, "t_adresse", attribute) else {
        return;
    };
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    for row in 0..table.len() {
        let Some(value) = filled(table, row, col) else {
            continue;
        };
        match first.get(value) {
            None => {
                first.insert(value, row);
            }
            Some(&earlier) => {
                let earlier_code = table.cell(earlier, 0).unwrap_or("?");
                out.push(
                    ctx.reference(id)
                        .object(table.cell(row, 0).unwrap_or_default())
                        .value(value)
                        .message(
                            format!("Identifiant {label} {value} déjà porté par l'adresse {earlier_code}."),
                            format!("{label} identifier {value} already used by address {earlier_code}."),
                        ),
                );
            }
        }
    }
}

fn capacity_bounds(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let (min, max) = (ctx.t.cable_capacity_min, ctx.t.cable_capacity_max);
    let low = ctx.runs("cb_capafo_1_s80008");
    let high = ctx.runs("cb_capafo_1_s80009");
    for (_, code, cable) in ctx.network.cables.iter() {
        let Some(capacity) = cable.capacity else {
            continue;
        };
        let (id, fr, en) = if capacity < min && low {
            (
                "cb_capafo_1_s80008",
                format!("Capacité de {capacity} FO inférieure au minimum de {min} FO."),
                format!("Capacity of {capacity} fibres below the minimum of {min}."),
            )
        } else if capacity > max && high {
            (
                "cb_capafo_1_s80009",
                format!("Capacité de {capacity} FO supérieure au maximum de {max} FO."),
                format!("Capacity of {capacity} fibres above the maximum of {max}."),
            )
        } else {
            continue;
        };
        out.push(
            ctx.reference(id)
                .object(code)
                .value(capacity.to_string())
                .message(fr, en),
        );
    }
}

/// Cables of one reference (`cb_rf_code`) should all have its capacity: each cable that differs from the most
/// common capacity of its reference is reported.
fn capacity_per_reference(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let id = "cb_capafo_1_s80007";
    if !ctx.runs(id) {
        return;
    }
    let (Some((table, rf)), Some((_, cap))) = (
        column(ctx, "t_cable", "cb_rf_code"),
        column(ctx, "t_cable", "cb_capafo"),
    ) else {
        return;
    };
    let mut groups: FxHashMap<&str, Vec<(usize, &str)>> = FxHashMap::default();
    for row in 0..table.len() {
        // An unreadable capacity is the decoder's defect (decode.integer), not a disagreement between cables.
        let capacity = filled(table, row, cap).filter(|c| parse_integer(c).is_some());
        if let (Some(reference), Some(capacity)) = (filled(table, row, rf), capacity) {
            groups.entry(reference).or_default().push((row, capacity));
        }
    }
    let mut references: Vec<_> = groups.into_iter().collect();
    references.sort_unstable_by_key(|(_, rows)| rows[0].0);
    for (reference, rows) in references {
        let mut counts: FxHashMap<&str, (usize, usize)> = FxHashMap::default();
        for (row, capacity) in &rows {
            counts.entry(capacity).or_insert((0, *row)).0 += 1;
        }
        if counts.len() < 2 {
            continue;
        }
        // Most common capacity; ties go to the one met first.
        let (usual, _) = counts
            .iter()
            .max_by_key(|(_, (n, first))| (*n, std::cmp::Reverse(*first)))
            .map(|(c, v)| (*c, *v))
            .expect("two capacities at least");
        for (row, capacity) in rows.iter().filter(|(_, c)| *c != usual) {
            out.push(
                ctx.reference(id)
                    .object(table.cell(*row, 0).unwrap_or_default())
                    .value(*capacity)
                    .message(
                        format!("Capacité {capacity} FO alors que les autres câbles de la référence {reference} ont {usual} FO."),
                        format!("Capacity {capacity} while the other cables of reference {reference} have {usual}."),
                    ),
            );
        }
    }
}

/// `ad_nblhab + ad_nblpro` against the end-user sites at the address (`ad_nblhab_1_s80004`) and
/// `ad_nbprhab + ad_nbprpro` against the PTOs of those sites (`ad_nbprhab_1_s80003`), v2.0.1.
fn premises_per_address(ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let net = ctx.network;
    let premises_check = ctx.runs("ad_nblhab_1_s80004");
    let plugs_check = ctx.runs("ad_nbprhab_1_s80003");
    if !(premises_check || plugs_check) || net.version != thd_model::GraceVersion::V2_0_1 {
        return;
    }
    let mut sites = vec![0u32; net.addresses.len()];
    for (_, _, premises) in net.premises.iter() {
        if let Some(address) = premises.address {
            sites[address.index()] += 1;
        }
    }
    let mut ptos = vec![0u32; net.addresses.len()];
    if let Some((table, sf)) = column(ctx, "t_ebp", "bp_sf_code")
        && let Some(kind) = table.column_index("bp_typelog")
    {
        for row in 0..table.len() {
            if table.cell(row, kind) != Some("PTO") {
                continue;
            }
            let address = table
                .cell(row, sf)
                .and_then(|code| net.premises.by_code(code))
                .and_then(|premises| premises.address);
            if let Some(address) = address {
                ptos[address.index()] += 1;
            }
        }
    }
    for (id, code, address) in net.addresses.iter() {
        let declared_premises = address.dwellings.unwrap_or(0) + address.businesses.unwrap_or(0);
        let counted = sites[id.index()];
        if premises_check
            && (address.dwellings.is_some() || address.businesses.is_some())
            && declared_premises != counted
        {
            out.push(
                ctx.reference("ad_nblhab_1_s80004")
                    .object(code)
                    .value(declared_premises.to_string())
                    .message(
                        format!("ad_nblhab + ad_nblpro = {declared_premises} mais {counted} site(s) utilisateur(s) (t_suf) à l'adresse."),
                        format!("ad_nblhab + ad_nblpro = {declared_premises} but {counted} end-user site(s) (t_suf) at the address."),
                    ),
            );
        }
        let declared_plugs =
            address.dwelling_plugs.unwrap_or(0) + address.business_plugs.unwrap_or(0);
        let outlets = ptos[id.index()];
        if plugs_check
            && (address.dwelling_plugs.is_some() || address.business_plugs.is_some())
            && declared_plugs != outlets
        {
            out.push(
                ctx.reference("ad_nbprhab_1_s80003")
                    .object(code)
                    .value(declared_plugs.to_string())
                    .message(
                        format!("ad_nbprhab + ad_nbprpro = {declared_plugs} mais {outlets} PTO à l'adresse."),
                        format!("ad_nbprhab + ad_nbprpro = {declared_plugs} but {outlets} PTO at the address."),
                    ),
            );
        }
    }
}
