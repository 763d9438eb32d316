//! Filling controls: the reference checker's grid (669 `*_r*` controls: an attribute mandatory at the delivery's
//! phase is empty) and the model's NOT NULL columns (`schema_notnull_*`), on the raw cells.
//!
//! A cell that is both NOT NULL in the model and mandatory in the grid is reported once, under the grid's id
//! (the one an engineer can compare with the reference checker). Primary keys and non-nullable geometries are
//! left to the decoder, which already reports them (`decode.missing_key`, `decode.geometry.missing`).

use rayon::prelude::*;
use std::borrow::Cow;
use thd_diag::{Category, Diagnostic, Severity};
use thd_model::{RawTable, Schema};

use crate::context::{Context, row_location};
use crate::severity::severity_of;
use thd_model::Obligation;
use thd_model::catalogue::{Catalogue, FillingControl};

/// One attribute to check: which table and column, under which id and wording.
struct Required<'c> {
    id: Cow<'c, str>,
    table: &'c str,
    column: &'c str,
    severity: Severity,
    fr: Cow<'c, str>,
    en: Cow<'c, str>,
}

pub(crate) fn check(ctx: &Context<'_>) -> Vec<Diagnostic> {
    let schema = ctx.network.schema();
    let required = required(ctx, schema);
    let mut out = absent_tables(ctx);
    out.par_extend(required.par_iter().flat_map_iter(|req| {
        let Some(table) = ctx.delivery.table(req.table) else {
            return Vec::new();
        };
        empty_cells(ctx, table, req)
    }));
    out
}

/// Tables the table grid requires at the phase (`filltab_<table>`, v2.0.1) that the delivery does not contain at
/// all. An empty table is not reported: the grid says which files a delivery of the phase carries, and a
/// network may have no object of a kind (no coaxial zone, no cabinet rack yet).
fn absent_tables(ctx: &Context<'_>) -> Vec<Diagnostic> {
    if ctx.network.version != thd_model::GraceVersion::V2_0_1 {
        return Vec::new();
    }
    Catalogue::v2()
        .tables
        .iter()
        .filter(|t| t.obligation(ctx.phase) == Obligation::Mandatory)
        .filter(|t| ctx.delivery.table(&t.table).is_none())
        .filter_map(|t| {
            let id = format!("filltab_{}", t.table);
            ctx.enabled(&id).then(|| Diagnostic {
                rule: Cow::Owned(id),
                category: Category::Structure,
                severity: Severity::Error,
                table: Some(t.table.clone()),
                object: None,
                file: None,
                row: None,
                column: None,
                value: None,
                location: None,
                message_fr: format!(
                    "Table {} absente de la livraison, attendue à la phase {} (grille des tables).",
                    t.table, ctx.phase
                ),
                message_en: format!(
                    "Table {} is missing from the delivery; the table grid expects it at phase {}.",
                    t.table, ctx.phase
                ),
                hint: Some(format!(
                    "Livrer {} (même vide s'il n'y a aucun objet).",
                    t.table
                )),
            })
        })
        .collect()
}

/// The attributes required at the phase, from the grid then the model.
fn required<'c>(ctx: &Context<'_>, schema: &'c Schema) -> Vec<Required<'c>> {
    let catalogue = Catalogue::v2();
    let grid_applies = ctx.network.version == thd_model::GraceVersion::V2_0_1;
    let mut out: Vec<Required<'c>> = Vec::new();
    let mut mandatory_in_grid = rustc_hash::FxHashSet::default();
    if grid_applies {
        for control in &catalogue.filling {
            if control.obligation(ctx.phase) == Obligation::Mandatory {
                mandatory_in_grid.insert((control.table.as_str(), control.attribute.as_str()));
            }
            if control.obligation(ctx.phase) != Obligation::Mandatory
                || !ctx.enabled(&control.id)
                || left_to_decoder(schema, control)
            {
                continue;
            }
            out.push(grid_control(control, ctx));
        }
    }
    for table in &schema.tables {
        for column in &table.columns {
            let key = table.primary_key.contains(&column.name);
            if column.nullable || key {
                continue;
            }
            if mandatory_in_grid.contains(&(table.name.as_str(), column.name.as_str())) {
                continue;
            }
            let id = format!("schema_notnull_{}.{}", table.name, column.name);
            if !ctx.enabled(&id) {
                continue;
            }
            out.push(Required {
                fr: Cow::Owned(format!(
                    "Valeur vide pour {}.{}, obligatoire dans le modèle GraceTHD.",
                    table.name, column.name
                )),
                en: Cow::Owned(format!(
                    "Empty value for {}.{}, which the GraceTHD model makes mandatory.",
                    table.name, column.name
                )),
                id: Cow::Owned(id),
                table: &table.name,
                column: &column.name,
                severity: Severity::Error,
            });
        }
    }
    out
}

fn grid_control<'c>(control: &'c FillingControl, ctx: &Context<'_>) -> Required<'c> {
    Required {
        id: Cow::Borrowed(&control.id),
        table: &control.table,
        column: &control.attribute,
        severity: severity_of(control.severity),
        fr: Cow::Owned(format!(
            "{} (phase {})",
            control.fr.trim_end_matches('.'),
            ctx.phase
        )),
        en: Cow::Owned(format!(
            "Empty value for {}.{}, mandatory at phase {}.",
            control.table, control.attribute, ctx.phase
        )),
    }
}

/// Primary keys and non-nullable geometries: the decoder reports them.
fn left_to_decoder(schema: &Schema, control: &FillingControl) -> bool {
    let Some(table) = schema.table(&control.table) else {
        return true;
    };
    if table.primary_key.contains(&control.attribute) {
        return true;
    }
    match &table.geometry {
        Some(g) if g.column == control.attribute => !g.nullable,
        _ => false,
    }
}

fn empty_cells(ctx: &Context<'_>, table: &RawTable, req: &Required<'_>) -> Vec<Diagnostic> {
    let diagnostic = |row: Option<usize>| {
        let mut d = Diagnostic {
            rule: Cow::Owned(req.id.to_string()),
            category: Category::Filling,
            severity: req.severity,
            table: Some(table.name.clone()),
            object: None,
            file: Some(table.file.clone()),
            row: None,
            column: Some(req.column.to_owned()),
            value: None,
            location: None,
            message_fr: req.fr.to_string(),
            message_en: req.en.to_string(),
            hint: Some(format!(
                "Renseigner {} : la valeur est obligatoire à la phase {}.",
                req.column, ctx.phase
            )),
        };
        if let Some(row) = row {
            d.row = Some(row as u64 + 1);
            d.object = table.cell(row, 0).map(str::to_owned);
            d.location = row_location(table, row, ctx.network);
        }
        d
    };
    let is_geometry = table
        .geometries
        .as_ref()
        .is_some_and(|_| req.column == "geom");
    if is_geometry {
        return (0..table.len())
            .filter(|&row| table.geometry(row).is_none())
            .map(|row| diagnostic(Some(row)))
            .collect();
    }
    let Some(column) = table.column_index(req.column) else {
        // The reader already reported the missing column; one line here says it is mandatory.
        if table.is_empty() {
            return Vec::new();
        }
        let mut d = diagnostic(None);
        d.message_fr = format!(
            "{} — colonne absente, vide pour les {} objets",
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
        .filter(|&row| table.cell(row, column).is_none_or(|v| v.trim().is_empty()))
        .map(|row| diagnostic(Some(row)))
        .collect()
}
