//! Checks of a generated delivery that read it only through the model, as a decoder would.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use thd_generate::{GenerateOptions, Generated, generate};
use thd_model::{ColumnType, GraceVersion, RawTable, Schema};

pub fn options(version: GraceVersion, plugs: u32, seed: u64, defects: u32) -> GenerateOptions {
    GenerateOptions {
        plugs,
        seed,
        version,
        defects,
        department: None,
    }
}

pub fn run(version: GraceVersion, plugs: u32, seed: u64, defects: u32) -> Generated {
    generate(&options(version, plugs, seed, defects)).expect("generation succeeds")
}

pub fn table<'a>(g: &'a Generated, name: &str) -> &'a RawTable {
    g.table(name).unwrap_or_else(|| panic!("table {name}"))
}

pub fn col(t: &RawTable, name: &str) -> usize {
    t.column_index(name)
        .unwrap_or_else(|| panic!("column {}.{name}", t.name))
}

/// Values of a column, NULLs skipped.
pub fn values<'a>(t: &'a RawTable, name: &str) -> impl Iterator<Item = &'a str> + 'a {
    let c = col(t, name);
    (0..t.len()).filter_map(move |r| t.cell(r, c))
}

/// Every problem a decoder would find in a delivery that should be clean.
pub fn problems(g: &Generated) -> Vec<String> {
    let schema = Schema::of(g.version);
    let mut out = Vec::new();
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &g.tables {
        let def = schema.table(&t.name).expect("model table");
        let names: Vec<&str> = def.columns.iter().map(|c| c.name.as_str()).collect();
        if t.columns != names {
            out.push(format!("{}: columns differ from the model", t.name));
        }
        if let [key] = def.primary_key.as_slice() {
            let mut seen = BTreeSet::new();
            for v in values(t, key) {
                if !seen.insert(v.to_owned()) {
                    out.push(format!("{}: duplicate key {v}", t.name));
                }
            }
            keys.insert(format!("{}.{key}", t.name), seen);
        }
    }
    for t in &g.tables {
        let def = schema.table(&t.name).expect("model table");
        for (c, column) in def.columns.iter().enumerate() {
            let list = column
                .list
                .as_deref()
                .map(|l| schema.list(l).expect("list"));
            for r in 0..t.len() {
                let Some(v) = t.cell(r, c) else {
                    if !column.nullable {
                        out.push(format!(
                            "{}.{} row {r}: NULL in a mandatory column",
                            t.name, column.name
                        ));
                    }
                    continue;
                };
                if let Some(l) = list
                    && !l.contains(v)
                {
                    out.push(format!(
                        "{}.{} row {r}: {v:?} not in {}",
                        t.name, column.name, l.name
                    ));
                }
                if let Some(target) = &column.references
                    && !keys.get(target).is_some_and(|k| k.contains(v))
                {
                    out.push(format!(
                        "{}.{} row {r}: {v} absent from {target}",
                        t.name, column.name
                    ));
                }
                let typed = match column.ty {
                    ColumnType::Integer | ColumnType::Bigint => v.parse::<i64>().is_ok(),
                    ColumnType::Numeric { .. } => v.parse::<f64>().is_ok(),
                    ColumnType::Date => is_date(v),
                    ColumnType::Timestamp => v.len() == 19 && is_date(&v[..10]),
                    ColumnType::Boolean => matches!(v, "t" | "f"),
                    ColumnType::Text { len } => v.chars().count() <= len as usize,
                };
                if !typed {
                    out.push(format!(
                        "{}.{} row {r}: {v:?} does not fit {:?}",
                        t.name, column.name, column.ty
                    ));
                }
            }
        }
        if let Some(geom) = &def.geometry {
            let geometries = t.geometries.as_ref().map(Vec::len);
            if geometries != Some(t.len()) {
                out.push(format!(
                    "{}: {geometries:?} geometries for {} rows",
                    t.name,
                    t.len()
                ));
            }
            for r in (0..t.len()).filter(|&r| !geom.nullable && t.geometry(r).is_none()) {
                out.push(format!("{} row {r}: missing geometry", t.name));
            }
        }
    }
    out
}

fn is_date(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts[..] else { return false };
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => return false,
    };
    y.to_string().len() == 4 && (1..=days).contains(&d)
}

/// Plugs of a delivery: the sum of the address plug counts.
pub fn plugs(g: &Generated) -> u64 {
    let t = table(g, "t_adresse");
    ["ad_nbprhab", "ad_nbprpro"]
        .iter()
        .flat_map(|c| values(t, c))
        .map(|v| v.parse::<u64>().expect("integer"))
        .sum()
}
