//! The coverage table: which control of the reference catalogue is implemented where in this engine, generated
//! from the catalogue and from the lists of ids each module declares, so it cannot drift from the code.
//! `docs/controls.md` is this table; a test fails when it is stale.

use std::fmt::Write;

use crate::{attributes, civil_works, rules, topology, v3, zones};
use thd_model::catalogue::{Catalogue, V3Catalogue, V3Control, V3Family};

/// Where this engine implements a reference control, if it does.
pub fn implemented_by(id: &str) -> Option<&'static str> {
    let modules: [(&str, &[&str]); 4] = [
        ("thd-check attributes", attributes::CONTROLS),
        ("thd-check topology", topology::CONTROLS),
        ("thd-check zones", zones::CONTROLS),
        ("thd-check civil_works", civil_works::CONTROLS),
    ];
    modules
        .iter()
        .find(|(_, ids)| ids.contains(&id))
        .map(|(module, _)| *module)
}

/// How the families of the model's DDL checks are reported (the decoder's rules, or the filling controls).
pub fn ddl_family(family: &str) -> Option<&'static str> {
    Some(match family {
        "schema_type" => {
            "thd-network validate: decode.integer, decode.number, decode.boolean, decode.date, decode.text_too_long"
        }
        "schema_list" => "thd-network validate: decode.list_value",
        "schema_pk" => "thd-network validate: decode.missing_key, decode.duplicate_key",
        "schema_fk" => "thd-network validate: decode.dangling_reference, decode.absent_table",
        "schema_geom" => {
            "thd-network validate: decode.geometry.missing, decode.geometry.type, decode.geometry.invalid"
        }
        "schema_notnull" => "thd-check filling: schema_notnull_<table>.<column>",
        _ => return None,
    })
}

/// The v3 checker's conditional, topology and business controls this engine's code declares it implements.
pub fn v3_declared() -> impl Iterator<Item = &'static str> {
    [v3::CONDITIONAL, v3::TOPOLOGY, v3::BUSINESS]
        .into_iter()
        .flatten()
        .copied()
}

/// Where this engine implements a control of the v3 checker, if it does.
pub fn implemented_by_v3(id: &str) -> Option<&'static str> {
    let control = V3Catalogue::get().control(id)?;
    v3_place(control).ok()
}

/// Where a v3 control is implemented, or why it is not.
fn v3_place(control: &V3Control) -> Result<&'static str, &'static str> {
    let declared = |ids: &[&str], module| {
        if ids.contains(&control.id.as_str()) {
            Ok(module)
        } else {
            Err("not implemented")
        }
    };
    let catalogue = V3Catalogue::get();
    match control.family {
        V3Family::Presence if !control.active => {
            Err("not run by the checker: the table is never O (only C or N)")
        }
        V3Family::Filling => {
            let filling = catalogue.filling.iter().find(|f| f.id == control.id);
            let Some(filling) = filling.filter(|f| f.active) else {
                return Err(
                    "not run by the checker (actif=false): the attribute is only conditional; see its ctrl_rc_* if any",
                );
            };
            let schema = thd_model::Schema::of(thd_model::GraceVersion::V3);
            let table = schema.table(&filling.table);
            if table.is_some_and(|t| t.primary_key.contains(&filling.attribute)) {
                Ok("thd-network validate: decode.missing_key (primary key, every container)")
            } else if table.is_some_and(|t| {
                t.geometry
                    .as_ref()
                    .is_some_and(|g| g.column == filling.attribute)
            }) {
                Ok("thd-network validate: decode.geometry.missing (every container)")
            } else {
                Ok("thd-check v3 generic")
            }
        }
        family if v3::GENERIC.contains(&family) => Ok("thd-check v3 generic"),
        V3Family::ForeignKey => Ok("thd-network validate: decode.dangling_reference"),
        V3Family::List => Ok("thd-network validate: decode.list_value"),
        V3Family::Type => Ok(
            "thd-network validate: decode.integer, decode.number, decode.date, decode.text_too_long",
        ),
        V3Family::Conditional => declared(v3::CONDITIONAL, "thd-check v3 conditional"),
        V3Family::Topology if control.id == "topo_0013" => {
            Ok("thd-network validate: decode.geometry.invalid (t_cableline)")
        }
        V3Family::Topology => declared(v3::TOPOLOGY, "thd-check v3 topology"),
        V3Family::Business => declared(v3::BUSINESS, "thd-check v3 business"),
        _ => Err("not implemented"),
    }
}

/// The v3 section of the coverage document.
fn v3_markdown(out: &mut String) {
    let catalogue = V3Catalogue::get();
    let active: Vec<&V3Control> = catalogue.controls.iter().filter(|c| c.active).collect();
    let covered = active.iter().filter(|c| v3_place(c).is_ok()).count();
    let _ = writeln!(
        out,
        "\n## GraceTHD v3 ({})\n\nFrom `gracethd/v3/controls.json` (generated by `scripts/gen_gracethd_v3_controls.py`). \
         **{covered} of the {} controls the v3 checker runs are covered ({:.0} %)**; {} more are catalogued but \
         inactive in the checker. A v3 delivery is checked at the container of its phase: PRE, DIA → C1; AVP, PRO, \
         ACT, EXE, TVX → C2; REC → C3; MCO → C4. Severity: the checker's criticité, bloquante → critical, \
         majeure → error, mineure (its default, so every control here) → warning, info → info.\n",
        catalogue.checker,
        active.len(),
        100.0 * covered as f64 / active.len() as f64,
        catalogue.controls.len() - active.len(),
    );
    for rule in &catalogue.families {
        let _ = writeln!(
            out,
            "- `{}`: {}",
            rule.pattern,
            rule.description.replace('|', "/")
        );
    }
    let _ = writeln!(
        out,
        "\n| id | tables | control | containers | here |\n|---|---|---|---|---|"
    );
    for c in &catalogue.controls {
        let containers: Vec<&str> = thd_model::catalogue::Container::ALL
            .into_iter()
            .filter(|k| c.runs_at(*k))
            .map(|k| k.code())
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            c.id,
            c.tables.join(", "),
            c.description.replace('|', "/"),
            if containers.is_empty() {
                "—".to_owned()
            } else {
                containers.join(" ")
            },
            v3_place(c).unwrap_or_else(|why| why)
        );
    }
}

/// The coverage table as Markdown.
pub fn markdown() -> String {
    let catalogue = Catalogue::v2();
    let mut out = String::new();
    let implemented: Vec<_> = catalogue
        .controls
        .iter()
        .filter(|c| c.implemented)
        .collect();
    let covered = implemented
        .iter()
        .filter(|c| implemented_by(&c.id).is_some())
        .count();
    let filling = catalogue.filling.len();
    let _ = writeln!(
        out,
        "# Control coverage\n\nGenerated by `cargo test -p thd-check --test coverage` from `gracethd/v2.0.1/controls.json` \
         (the reference checker GraceTHD-Check v0.02.2 and the GraceTHD-MCD v2.0.1 model) and from the ids each \
         module of `crates/thd-check` declares. Do not edit by hand.\n"
    );
    let _ = writeln!(
        out,
        "**Reference checker: {} of {} implemented controls covered ({:.0} %)**: {filling} filling-grid controls \
         (`*_r*`, generic, `thd-check filling`) and {covered} of {} alphanumeric, geometry and business controls.\n",
        filling + covered,
        filling + implemented.len(),
        100.0 * (filling + covered) as f64 / (filling + implemented.len()) as f64,
        implemented.len(),
    );
    let _ = writeln!(out, "## Alphanumeric, geometry and business controls\n");
    let _ = writeln!(
        out,
        "| id | table | control | reference implements | here |\n|---|---|---|---|---|"
    );
    for c in &catalogue.controls {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            c.id,
            c.table,
            c.en.replace('|', "/"),
            if c.implemented { "yes" } else { "no" },
            implemented_by(&c.id).unwrap_or("—")
        );
    }
    let _ = writeln!(out, "\n## Filling grid\n");
    let _ = writeln!(
        out,
        "All {filling} `*_r*` controls: an attribute whose grid letter is O at the delivery's phase must not be empty \
         (C and F are not checked; N is not applicable). Severity: the catalogue's, mapped 1 → critical, 2/3 → error, \
         4 → info.\n"
    );
    let _ = writeln!(
        out,
        "The table grid (`t_ct_conf_filltab`, {} tables): a table whose letter is O at the delivery's phase and that \
         the delivery does not contain gives `filltab_<table>` (error, `thd-check filling`).\n",
        catalogue.tables.len()
    );
    let _ = writeln!(out, "## Checks the model's DDL enforces at load time\n");
    let _ = writeln!(
        out,
        "| family | category | columns | here |\n|---|---|---|---|"
    );
    for f in &catalogue.ddl {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            f.family,
            f.category,
            f.count,
            ddl_family(&f.family).unwrap_or("not covered (multi-column uniqueness)")
        );
    }
    let _ = writeln!(out, "\n## Rules of the model document\n");
    let _ = writeln!(
        out,
        "| id | category | rule | reference checker |\n|---|---|---|---|"
    );
    for r in &catalogue.normative {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            r.id,
            r.category,
            r.en.replace('|', "/"),
            r.implemented
        );
    }
    let _ = writeln!(out, "\n## Controls this engine adds\n");
    let _ = writeln!(
        out,
        "| id | category | default severity | control |\n|---|---|---|---|"
    );
    for r in rules::ALL {
        let _ = writeln!(
            out,
            "| `{}` | {:?} | {} | {} |",
            r.id, r.category, r.severity, r.title_en
        );
    }
    v3_markdown(&mut out);
    out
}
