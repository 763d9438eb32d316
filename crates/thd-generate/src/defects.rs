//! Defects injected on purpose, each one a diagnostic the decoder must raise.
//!
//! Defects are spread round-robin over the decoder's rules, starting at a seeded kind, each on a distinct row of a
//! table with a one-column key (so the manifest can name the object by its code). Each defect raises its own rule
//! and nothing else: list values fit the column width, dangling codes keep the length of a real code, keys are only
//! emptied on objects nothing references, rows are only duplicated in tables without other unique columns.

use rand::Rng;
use rand::seq::SliceRandom;
use std::collections::{BTreeMap, BTreeSet};
use thd_diag::rules;
use thd_model::{ColumnType, GraceVersion, RawTable, RawTableBuilder, Schema, TableDef};

use crate::{GenerateError, InjectedDefect};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ListValue,
    Integer,
    Date,
    DuplicateKey,
    Dangling,
    GeometryMissing,
    MissingKey,
}

const KINDS: [Kind; 7] = [
    Kind::ListValue,
    Kind::Integer,
    Kind::Date,
    Kind::DuplicateKey,
    Kind::Dangling,
    Kind::GeometryMissing,
    Kind::MissingKey,
];

const BAD_INTEGERS: [&str; 5] = ["12,5", "1O", "N/A", "douze", "4 u"];
const BAD_DATES: [&str; 6] = [
    "2023-02-30",
    "2022-13-05",
    "31/02/2024",
    "2021-06-31",
    "00/00/0000",
    "2024-00-10",
];

/// Attempts at finding a free row for one defect before trying the next kind.
const TRIES: usize = 64;

/// The first candidate, in a seeded random order, for which `place` finds a spot.
fn first<T, U, R: Rng>(
    mut candidates: Vec<T>,
    rng: &mut R,
    mut place: impl FnMut(&mut R, T) -> Option<U>,
) -> Option<U> {
    candidates.shuffle(rng);
    candidates.into_iter().find_map(|c| place(rng, c))
}

/// Changes to one table.
#[derive(Debug, Default)]
struct Edits {
    cells: BTreeMap<(usize, usize), Option<String>>,
    no_geometry: BTreeSet<usize>,
    duplicates: Vec<usize>,
}

struct Injector<'a> {
    schema: &'static Schema,
    tables: &'a [RawTable],
    used: BTreeSet<(usize, usize)>,
    edits: BTreeMap<usize, Edits>,
    /// Codes referenced by any foreign key, per referenced table (computed on demand).
    referenced: BTreeMap<usize, BTreeSet<String>>,
}

/// Injects `n` defects into `tables` and describes them.
pub fn inject(
    tables: &mut [RawTable],
    version: GraceVersion,
    n: u32,
    rng: &mut impl Rng,
) -> Result<Vec<InjectedDefect>, GenerateError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let schema = Schema::of(version);
    let mut inj = Injector {
        schema,
        tables,
        used: BTreeSet::new(),
        edits: BTreeMap::new(),
        referenced: BTreeMap::new(),
    };
    let available: usize = (0..tables.len())
        .filter(|&t| inj.keyed(t).is_some())
        .map(|t| tables[t].len())
        .sum();
    if n as usize > available {
        return Err(GenerateError::TooManyDefects {
            requested: n,
            available,
        });
    }
    let start = rng.random_range(0..KINDS.len());
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        let placed =
            (0..KINDS.len()).find_map(|k| inj.place(KINDS[(start + i + k) % KINDS.len()], rng));
        match placed {
            Some(d) => out.push(d),
            None => {
                return Err(GenerateError::TooManyDefects {
                    requested: n,
                    available: out.len(),
                });
            }
        }
    }
    let edits = std::mem::take(&mut inj.edits);
    for (t, e) in edits {
        tables[t] = apply(&tables[t], &e);
    }
    Ok(out)
}

impl Injector<'_> {
    /// The table definition and key column of table `t`, when it has a one-column key and rows.
    fn keyed(&self, t: usize) -> Option<(&'static TableDef, usize)> {
        let table = &self.tables[t];
        let def = self.schema.table(&table.name)?;
        let [key] = def.primary_key.as_slice() else {
            return None;
        };
        (!table.is_empty()).then_some(())?;
        Some((def, table.column_index(key)?))
    }

    /// A random unused row of table `t` satisfying `ok`.
    fn row(&self, t: usize, rng: &mut impl Rng, ok: impl Fn(usize) -> bool) -> Option<usize> {
        let len = self.tables[t].len();
        (0..TRIES)
            .map(|_| rng.random_range(0..len))
            .find(|&r| !self.used.contains(&(t, r)) && ok(r))
    }

    /// Candidate (table, column) pairs for a kind of cell defect.
    fn columns(
        &self,
        pred: impl Fn(&TableDef, &thd_model::ColumnDef) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for t in 0..self.tables.len() {
            let Some((def, key)) = self.keyed(t) else {
                continue;
            };
            for (c, col) in def.columns.iter().enumerate() {
                if c != key && pred(def, col) {
                    out.push((t, c));
                }
            }
        }
        out
    }

    fn place(&mut self, kind: Kind, rng: &mut impl Rng) -> Option<InjectedDefect> {
        match kind {
            Kind::ListValue => self.list_value(rng),
            Kind::Integer => self.cell_value(rng, kind),
            Kind::Date => self.cell_value(rng, kind),
            Kind::DuplicateKey => self.duplicate(rng),
            Kind::Dangling => self.dangling(rng),
            Kind::GeometryMissing => self.no_geometry(rng),
            Kind::MissingKey => self.missing_key(rng),
        }
    }

    fn object(&self, t: usize, r: usize) -> String {
        let (_, key) = self
            .keyed(t)
            .unwrap_or_else(|| unreachable!("defects only go to keyed tables"));
        self.tables[t].cell(r, key).unwrap_or_default().to_owned()
    }

    fn record(&mut self, t: usize, r: usize, column: usize, value: Option<String>) {
        self.used.insert((t, r));
        self.edits
            .entry(t)
            .or_default()
            .cells
            .insert((r, column), value);
    }

    fn defect(
        &self,
        rule: &str,
        t: usize,
        object: String,
        column: Option<&str>,
        value: Option<&str>,
        fr: String,
    ) -> InjectedDefect {
        InjectedDefect {
            rule: rule.to_owned(),
            table: self.tables[t].name.clone(),
            object,
            column: column.map(str::to_owned),
            value: value.map(str::to_owned),
            description_fr: fr,
        }
    }

    fn list_value(&mut self, rng: &mut impl Rng) -> Option<InjectedDefect> {
        let candidates = self.columns(|_, c| c.list.is_some());
        let (t, c, r) = first(candidates, rng, |rng, (t, c)| {
            let table = &self.tables[t];
            let r = self.row(t, rng, |r| table.cell(r, c).is_some())?;
            Some((t, c, r))
        })?;
        let (def, _) = self.keyed(t)?;
        let col = &def.columns[c];
        let list_name = col.list.as_deref()?;
        let list = self.schema.list(list_name)?;
        let width = match col.ty {
            ColumnType::Text { len } => len as usize,
            _ => 4,
        };
        let value = ["ZZZ", "XYQ", "Q", "9", "#"]
            .iter()
            .map(|v| &v[..v.len().min(width)])
            .find(|v| !list.contains(v))?
            .to_owned();
        let object = self.object(t, r);
        let fr = format!(
            "Valeur « {value} » absente de la liste {list_name} dans {}",
            col.name
        );
        let d = self.defect(
            rules::DECODE_LIST_VALUE.id,
            t,
            object,
            Some(&col.name),
            Some(&value),
            fr,
        );
        self.record(t, r, c, Some(value));
        Some(d)
    }

    fn cell_value(&mut self, rng: &mut impl Rng, kind: Kind) -> Option<InjectedDefect> {
        let candidates = self.columns(|_, c| match kind {
            Kind::Integer => matches!(c.ty, ColumnType::Integer | ColumnType::Bigint),
            _ => c.ty == ColumnType::Date,
        });
        let (t, c, r) = first(candidates, rng, |rng, (t, c)| {
            let table = &self.tables[t];
            let r = self
                .row(t, rng, |r| table.cell(r, c).is_some())
                .or_else(|| self.row(t, rng, |_| true))?;
            Some((t, c, r))
        })?;
        let name = self.tables[t].columns[c].clone();
        let (rule, value, fr) = if kind == Kind::Integer {
            let v = BAD_INTEGERS[rng.random_range(0..BAD_INTEGERS.len())];
            (
                rules::DECODE_INTEGER.id,
                v,
                format!("Valeur « {v} » qui n'est pas un entier dans {name}"),
            )
        } else {
            let v = BAD_DATES[rng.random_range(0..BAD_DATES.len())];
            (
                rules::DECODE_DATE.id,
                v,
                format!("Date impossible « {v} » dans {name}"),
            )
        };
        let object = self.object(t, r);
        let d = self.defect(rule, t, object, Some(&name), Some(value), fr);
        self.record(t, r, c, Some(value.to_owned()));
        Some(d)
    }

    fn duplicate(&mut self, rng: &mut impl Rng) -> Option<InjectedDefect> {
        let candidates: Vec<usize> = (0..self.tables.len())
            .filter(|&t| {
                self.keyed(t).is_some_and(|(def, key)| {
                    def.columns
                        .iter()
                        .enumerate()
                        .all(|(i, c)| i == key || !c.unique)
                })
            })
            .collect();
        let (t, r) = first(candidates, rng, |rng, t| {
            Some((t, self.row(t, rng, |_| true)?))
        })?;
        let object = self.object(t, r);
        let fr = format!("Objet {object} livré deux fois");
        let (def, _) = self.keyed(t)?;
        let d = self.defect(
            rules::DECODE_DUPLICATE_KEY.id,
            t,
            object.clone(),
            Some(&def.primary_key[0]),
            Some(&object),
            fr,
        );
        self.used.insert((t, r));
        self.edits.entry(t).or_default().duplicates.push(r);
        Some(d)
    }

    fn table_index(&self, name: &str) -> Option<usize> {
        self.tables.iter().position(|t| t.name == name)
    }

    fn dangling(&mut self, rng: &mut impl Rng) -> Option<InjectedDefect> {
        let candidates = self.columns(|_, c| {
            c.references.as_deref().is_some_and(|r| {
                let target = r.split('.').next().unwrap_or_default();
                self.table_index(target)
                    .is_some_and(|i| !self.tables[i].is_empty())
            })
        });
        let (t, c, r) = first(candidates, rng, |rng, (t, c)| {
            let table = &self.tables[t];
            Some((t, c, self.row(t, rng, |r| table.cell(r, c).is_some())?))
        })?;
        let original = self.tables[t].cell(r, c)?;
        let mut value: String = original
            .chars()
            .take(original.chars().count().saturating_sub(1))
            .collect();
        value.push('X');
        let (def, _) = self.keyed(t)?;
        let col = &def.columns[c];
        let target = col.references.as_deref()?.split('.').next()?.to_owned();
        let object = self.object(t, r);
        let fr = format!("{} désigne {value}, absent de {target}", col.name);
        let d = self.defect(
            rules::DECODE_DANGLING_REFERENCE.id,
            t,
            object,
            Some(&col.name),
            Some(&value),
            fr,
        );
        self.record(t, r, c, Some(value));
        Some(d)
    }

    fn no_geometry(&mut self, rng: &mut impl Rng) -> Option<InjectedDefect> {
        let candidates: Vec<usize> = (0..self.tables.len())
            .filter(|&t| {
                self.keyed(t)
                    .is_some_and(|(def, _)| def.geometry.as_ref().is_some_and(|g| !g.nullable))
            })
            .collect();
        let (t, r) = first(candidates, rng, |rng, t| {
            Some((t, self.row(t, rng, |_| true)?))
        })?;
        let (def, _) = self.keyed(t)?;
        let column = def.geometry.as_ref().map(|g| g.column.clone());
        let object = self.object(t, r);
        let fr = format!("Objet {object} livré sans géométrie");
        let d = self.defect(
            rules::DECODE_GEOMETRY_MISSING.id,
            t,
            object,
            column.as_deref(),
            None,
            fr,
        );
        self.used.insert((t, r));
        self.edits.entry(t).or_default().no_geometry.insert(r);
        Some(d)
    }

    /// Computes (once) the codes of table `t` that some foreign key of the delivery references.
    fn referenced(&mut self, t: usize) {
        if !self.referenced.contains_key(&t) {
            let name = &self.tables[t].name;
            let mut codes = BTreeSet::new();
            for table in self.tables {
                let Some(def) = self.schema.table(&table.name) else {
                    continue;
                };
                for col in &def.columns {
                    let points_here = col
                        .references
                        .as_deref()
                        .is_some_and(|r| r.split('.').next() == Some(name.as_str()));
                    if let (true, Some(c)) = (points_here, table.column_index(&col.name)) {
                        codes.extend(
                            (0..table.len())
                                .filter_map(|r| table.cell(r, c))
                                .map(str::to_owned),
                        );
                    }
                }
            }
            self.referenced.insert(t, codes);
        }
    }

    fn missing_key(&mut self, rng: &mut impl Rng) -> Option<InjectedDefect> {
        let mut candidates: Vec<usize> = (0..self.tables.len())
            .filter(|&t| self.keyed(t).is_some())
            .collect();
        candidates.shuffle(rng);
        for &t in &candidates {
            self.referenced(t);
        }
        let (t, r) = candidates.into_iter().find_map(|t| {
            let (_, key) = self.keyed(t)?;
            let referenced = &self.referenced[&t];
            let table = &self.tables[t];
            let free = |r: usize| table.cell(r, key).is_some_and(|k| !referenced.contains(k));
            Some((t, self.row(t, rng, free)?))
        })?;
        let (def, key) = self.keyed(t)?;
        let object = self.object(t, r);
        let column = def.primary_key[0].clone();
        let fr = format!("Identifiant {column} vide (l'objet était {object})");
        let d = self.defect(
            rules::DECODE_MISSING_KEY.id,
            t,
            object,
            Some(&column),
            None,
            fr,
        );
        self.record(t, r, key, None);
        Some(d)
    }
}

/// The table with its edits applied; duplicated rows are appended at the end, as a second export would.
fn apply(table: &RawTable, edits: &Edits) -> RawTable {
    let mut b = RawTableBuilder::new(
        table.name.clone(),
        table.file.clone(),
        table.format.unwrap_or(thd_model::SourceFormat::Csv),
        table.columns.clone(),
    );
    if table.geometries.is_some() {
        b = b.spatial();
    }
    b.reserve(
        table.len() + edits.duplicates.len(),
        table.text_bytes() / table.len().max(1),
    );
    for r in 0..table.len() {
        b.push_row(
            (0..table.columns.len()).map(|c| match edits.cells.get(&(r, c)) {
                Some(v) => v.as_deref(),
                None => table.cell(r, c),
            }),
        );
        if table.geometries.is_some() {
            let keep = !edits.no_geometry.contains(&r);
            b.push_geometry(table.geometry(r).filter(|_| keep).cloned());
        }
    }
    for &r in &edits.duplicates {
        b.push_row(table.row(r));
        if table.geometries.is_some() {
            b.push_geometry(table.geometry(r).cloned());
        }
    }
    b.finish()
}
