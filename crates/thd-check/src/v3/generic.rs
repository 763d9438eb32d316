//! The v3 checker's generic controls that the decoder does not already make: table presence (`ctrl_pt_*`),
//! mandatory filling at the container (`ctrl_rem_*`) and uniqueness of external codes, labels and 1:1 links
//! (`ctrl_uc_*`), all driven by the catalogue.
//!
//! Primary keys and the geometry of spatial tables are left to the decoder (`decode.missing_key`,
//! `decode.geometry.missing`), which reports every empty one whatever the container, so a defect is reported
//! once.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use thd_diag::Diagnostic;
use thd_model::catalogue::{Requirement, V3Family, V3Filling};

use super::V3;

/// The families of the catalogue this module implements for every one of their controls.
pub(crate) const FAMILIES: &[V3Family] =
    &[V3Family::Presence, V3Family::Filling, V3Family::Uniqueness];

pub(crate) fn check(v3: &V3<'_, '_>) -> Vec<Diagnostic> {
    let mut out = presence(v3);
    out.extend(
        v3.catalogue
            .filling
            .par_iter()
            .filter(|f| {
                f.active
                    && f.requirement(v3.container) == Requirement::Mandatory
                    && v3.ctx.enabled(&f.id)
                    && !left_to_decoder(v3, f)
            })
            .flat_map_iter(|f| filling(v3, f))
            .collect::<Vec<_>>(),
    );
    out.extend(uniqueness(v3));
    out
}

fn presence(v3: &V3<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for t in &v3.catalogue.tables {
        if t.requirement(v3.container) != Requirement::Mandatory || !v3.ctx.enabled(&t.id) {
            continue;
        }
        let (fr, en) = match v3.ctx.delivery.table(&t.table) {
            None => (
                format!(
                    "Table {} absente du schéma source, obligatoire au conteneur {}.",
                    t.table, v3.container
                ),
                format!(
                    "Table {} is absent, mandatory at container {}.",
                    t.table, v3.container
                ),
            ),
            Some(table) if table.is_empty() => (
                format!(
                    "Table {} présente mais vide, obligatoire au conteneur {}.",
                    t.table, v3.container
                ),
                format!(
                    "Table {} is present but empty, mandatory at container {}.",
                    t.table, v3.container
                ),
            ),
            Some(_) => continue,
        };
        out.push(v3.diagnostic(&t.id, &t.table, fr, en));
    }
    out
}

/// Primary keys and non-nullable geometries: the decoder reports them.
fn left_to_decoder(v3: &V3<'_, '_>, f: &V3Filling) -> bool {
    let Some(table) = v3.ctx.network.schema().table(&f.table) else {
        return true;
    };
    if table.primary_key.contains(&f.attribute) {
        return true;
    }
    matches!(&table.geometry, Some(g) if g.column == f.attribute && !g.nullable)
}

fn filling(v3: &V3<'_, '_>, f: &V3Filling) -> Vec<Diagnostic> {
    let Some(table) = v3.table(&f.table) else {
        return Vec::new();
    };
    let fr = || {
        format!(
            "Valeur vide pour {}.{}, obligatoire au conteneur {}.",
            f.table, f.attribute, v3.container
        )
    };
    let en = || {
        format!(
            "Empty value for {}.{}, mandatory at container {}.",
            f.table, f.attribute, v3.container
        )
    };
    let Some(column) = table.col(&f.attribute) else {
        // The reader reported the missing column; one line says it is mandatory.
        if table.len() == 0 {
            return Vec::new();
        }
        let mut d = v3.diagnostic(&f.id, &f.table, fr(), en());
        d.column = Some(f.attribute.clone());
        d.message_fr = format!(
            "{} Colonne absente : vide pour les {} objets.",
            d.message_fr,
            table.len()
        );
        d.message_en = format!(
            "{} The column is absent: empty for all {} objects.",
            d.message_en,
            table.len()
        );
        return vec![d];
    };
    (0..table.len())
        .filter(|&row| table.get(row, Some(column)).is_none())
        .map(|row| {
            let mut d = v3.at_row(&f.id, &table, row, fr(), en());
            d.column = Some(f.attribute.clone());
            d.hint = Some(format!(
                "Renseigner {} : la valeur est obligatoire au conteneur {}.",
                f.attribute, v3.container
            ));
            d
        })
        .collect()
}

/// Every row whose value occurs more than once in its table, with the number of occurrences.
fn uniqueness(v3: &V3<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for control in v3
        .catalogue
        .controls
        .iter()
        .filter(|c| c.family == V3Family::Uniqueness)
    {
        let (Some(name), Some(attribute)) = (control.tables.first(), control.attribute.as_deref())
        else {
            continue;
        };
        if !v3.runs(&control.id) {
            continue;
        }
        let Some(table) = v3.table(name) else {
            continue;
        };
        let Some(column) = table.col(attribute) else {
            continue;
        };
        let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
        for row in 0..table.len() {
            if let Some(value) = table.get(row, Some(column)) {
                *counts.entry(value).or_default() += 1;
            }
        }
        for row in 0..table.len() {
            let Some(value) = table.get(row, Some(column)) else {
                continue;
            };
            let n = counts[value];
            if n < 2 {
                continue;
            }
            let mut d = v3.at_row(
                &control.id,
                &table,
                row,
                format!("{name}.{attribute} = {value} : valeur portée par {n} objets, elle doit être unique."),
                format!("{name}.{attribute} = {value}: value held by {n} objects, it must be unique."),
            );
            d.column = Some(attribute.to_owned());
            d.value = Some(value.to_owned());
            out.push(d);
        }
    }
    out
}
