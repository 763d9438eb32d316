//! Checks of a generated delivery that read it only through the model, as a decoder would.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use thd_diag::rules;
use thd_generate::{GenerateOptions, Generated, InjectedDefect, generate};
use thd_model::{ColumnType, GraceVersion, RawTable, Schema};

pub fn options(version: GraceVersion, plugs: u32, seed: u64, defects: u32) -> GenerateOptions {
    GenerateOptions {
        fibres: true,
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

/// Plugs of a delivery: the sum of the address plug counts (v2) or premise counts (v3).
pub fn plugs(g: &Generated) -> u64 {
    let t = table(g, "t_adresse");
    let columns = match g.version {
        GraceVersion::V2_0_1 => ["ad_nbprhab", "ad_nbprpro"],
        GraceVersion::V3 => ["ad_nblres", "ad_nblpro"],
    };
    columns
        .iter()
        .flat_map(|c| values(t, c))
        .map(|v| v.parse::<u64>().expect("integer"))
        .sum()
}

/// Rows of the defect's table whose key is the defect's object.
fn rows_of(g: &Generated, d: &InjectedDefect) -> Vec<usize> {
    let t = table(g, &d.table);
    let key = &Schema::of(g.version)
        .table(&d.table)
        .expect("table")
        .primary_key[0];
    let k = col(t, key);
    (0..t.len())
        .filter(|&r| t.cell(r, k) == Some(d.object.as_str()))
        .collect()
}

/// Asserts that the defect is in the tables as the manifest describes it.
pub fn assert_present(g: &Generated, d: &InjectedDefect) {
    let t = table(g, &d.table);
    let rows = rows_of(g, d);
    let column = d.column.as_deref().expect("every defect names its column");
    let cell = |r: usize| t.cell(r, col(t, column));
    match d.rule.as_str() {
        r if r == rules::DECODE_DUPLICATE_KEY.id => assert_eq!(rows.len(), 2, "{d:?}"),
        r if r == rules::DECODE_MISSING_KEY.id => {
            assert!(rows.is_empty(), "{d:?}");
            assert!((0..t.len()).any(|r| cell(r).is_none()), "{d:?}");
        }
        r if r == rules::DECODE_GEOMETRY_MISSING.id => {
            assert_eq!(rows.len(), 1, "{d:?}");
            assert!(t.geometry(rows[0]).is_none(), "{d:?}");
        }
        r if [
            rules::DECODE_LIST_VALUE.id,
            rules::DECODE_INTEGER.id,
            rules::DECODE_DATE.id,
            rules::DECODE_DANGLING_REFERENCE.id,
        ]
        .contains(&r) =>
        {
            assert_eq!(rows.len(), 1, "{d:?}");
            assert_eq!(cell(rows[0]), d.value.as_deref(), "{d:?}");
        }
        other => panic!("unexpected rule {other}"),
    }
}
