//! Cell-level validation of a delivery against its model: every value that cannot be decoded becomes a
//! diagnostic, and nothing stops.
//!
//! Driven entirely by the schema (types, value lists, keys, references, geometry kinds from `gracethd/`), so a
//! new column or list value needs no code. Tables are validated in parallel; the key sets that references are
//! checked against are built first, also in parallel. Rules that depend on the project phase (which attributes
//! must be filled at AVP, PRO, EXE...) and on the network as a graph belong to the control catalogue, not here.

use geo::CoordsIter;
use geo_types::Geometry;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use thd_diag::Diagnostic;
use thd_diag::rules::{
    DECODE_ABSENT_TABLE, DECODE_BOOLEAN, DECODE_DANGLING_REFERENCE, DECODE_DATE,
    DECODE_DUPLICATE_KEY, DECODE_GEOMETRY_INVALID, DECODE_GEOMETRY_MISSING, DECODE_GEOMETRY_TYPE,
    DECODE_INTEGER, DECODE_LIST_VALUE, DECODE_MISSING_KEY, DECODE_NUMBER, DECODE_TEXT_TOO_LONG,
};
use thd_model::{
    ColumnDef, ColumnType, GeometryKind, GraceVersion, RawDelivery, RawTable, Schema, TableDef,
};

use crate::values::{parse_boolean, parse_date, parse_integer, parse_number, parse_timestamp};

/// The codes present in each delivered table with a single-column key, to check references against.
type KeySets<'a> = FxHashMap<&'a str, FxHashSet<&'a str>>;

/// Every decoding defect of the tables of `delivery` that `version`'s model knows, in table then row order.
pub fn validate(delivery: &RawDelivery, version: GraceVersion) -> Vec<Diagnostic> {
    let schema = Schema::of(version);
    let known: Vec<(&RawTable, &TableDef)> = delivery
        .tables
        .values()
        .filter_map(|raw| Some((raw, schema.table(&raw.name)?)))
        .collect();
    // Only tables some delivered column refers to need their codes collected (t_fibre, the largest table, is
    // referred to only by the optional t_position and t_ropt).
    let referenced: FxHashSet<&str> = known
        .iter()
        .flat_map(|(raw, def)| {
            def.columns
                .iter()
                .filter(|c| raw.column_index(&c.name).is_some())
                .filter_map(|c| c.references.as_deref()?.split_once('.').map(|(t, _)| t))
        })
        .collect();
    let keys: KeySets<'_> = known
        .par_iter()
        .filter(|(raw, _)| referenced.contains(raw.name.as_str()))
        .filter_map(|&(raw, def)| {
            let [key] = def.primary_key.as_slice() else {
                return None;
            };
            let col = raw.column_index(key)?;
            let codes = (0..raw.len())
                .filter_map(|row| raw.cell(row, col))
                .collect();
            Some((raw.name.as_str(), codes))
        })
        .collect();
    known
        .par_iter()
        .flat_map_iter(|&(raw, def)| TableCheck::new(raw, def, schema, &keys).run())
        .collect()
}

/// What to check in one delivered column.
struct ColumnCheck<'a> {
    index: usize,
    def: &'a ColumnDef,
    list: Option<FxHashSet<&'a str>>,
    reference: Reference<'a>,
}

enum Reference<'a> {
    None,
    /// The target table was delivered: its codes.
    Present {
        table: &'a str,
        codes: &'a FxHashSet<&'a str>,
    },
    /// The target table is missing from the delivery.
    Absent {
        table: &'a str,
    },
}

struct TableCheck<'a> {
    raw: &'a RawTable,
    def: &'a TableDef,
    schema: &'a Schema,
    key: Vec<usize>,
    columns: Vec<ColumnCheck<'a>>,
}

/// What is wrong with a row's key.
#[derive(Debug, Clone, Copy)]
enum KeyIssue {
    Missing,
    Duplicate,
}

/// Rows per parallel validation task: large enough that scheduling is negligible, small enough to share a big
/// table between cores.
const ROWS_PER_CHUNK: usize = 32_768;

impl<'a> TableCheck<'a> {
    fn new(
        raw: &'a RawTable,
        def: &'a TableDef,
        schema: &'a Schema,
        keys: &'a KeySets<'a>,
    ) -> Self {
        let key = def
            .primary_key
            .iter()
            .filter_map(|k| raw.column_index(k))
            .collect();
        let columns = def
            .columns
            .iter()
            .filter_map(|column| {
                let index = raw.column_index(&column.name)?;
                let list = column
                    .list
                    .as_deref()
                    .and_then(|name| schema.list(name))
                    .map(|list| list.values.iter().map(|v| v.code.as_str()).collect());
                let reference = match column.references.as_deref().and_then(|r| r.split_once('.')) {
                    None => Reference::None,
                    Some((table, _)) => match keys.get_key_value(table) {
                        Some((table, codes)) => Reference::Present { table, codes },
                        None if raw.name == table => Reference::None,
                        None => Reference::Absent { table },
                    },
                };
                Some(ColumnCheck {
                    index,
                    def: column,
                    list,
                    reference,
                })
            })
            .collect();
        Self {
            raw,
            def,
            schema,
            key,
            columns,
        }
    }

    fn run(self) -> Vec<Diagnostic> {
        let key_issues = self.key_issues();
        let missing_geometry_column = self.def.geometry.is_some() && self.raw.geometries.is_none();
        // Rows are checked in parallel chunks (a region's t_fibre has millions of rows); chunks are concatenated
        // in order, so the output is the same as a sequential walk.
        let chunks: Vec<(Vec<Diagnostic>, Vec<usize>)> = (0..self.raw.len())
            .into_par_iter()
            .chunks(ROWS_PER_CHUNK)
            .map(|rows| self.check_rows(&rows, &key_issues, missing_geometry_column))
            .collect();
        let mut out = Vec::new();
        let mut absent_refs = vec![0usize; self.columns.len()];
        for (diagnostics, absent) in chunks {
            out.extend(diagnostics);
            for (total, n) in absent_refs.iter_mut().zip(absent) {
                *total += n;
            }
        }
        if missing_geometry_column && !self.raw.is_empty() {
            out.push(
                Diagnostic::new(&DECODE_GEOMETRY_MISSING)
                    .table(self.raw.name.clone())
                    .file(self.raw.file.clone())
                    .message(
                        format!(
                            "La table {} est livrée sans géométrie ({} objets)",
                            self.raw.name,
                            self.raw.len()
                        ),
                        format!(
                            "Table {} is delivered without geometries ({} objects)",
                            self.raw.name,
                            self.raw.len()
                        ),
                    )
                    .hint("Livrer la table spatiale en shapefile ou en GeoPackage."),
            );
        }
        for (check, count) in self.columns.iter().zip(absent_refs) {
            if let (Reference::Absent { table }, 1..) = (&check.reference, count) {
                out.push(
                    Diagnostic::new(&DECODE_ABSENT_TABLE)
                        .table(self.raw.name.clone())
                        .file(self.raw.file.clone())
                        .column(check.def.name.clone())
                        .message(
                            format!("{count} valeurs de {} font référence à la table {table}, absente de la livraison", check.def.name),
                            format!("{count} values of {} refer to table {table}, absent from the delivery", check.def.name),
                        ),
                );
            }
        }
        out
    }

    /// Rows without a key, and rows repeating a key seen earlier: a sequential pass, since "earlier" is an order.
    fn key_issues(&self) -> FxHashMap<usize, KeyIssue> {
        let mut issues = FxHashMap::default();
        if self.key.is_empty() {
            return issues;
        }
        let mut seen: FxHashSet<Cow<'a, str>> =
            FxHashSet::with_capacity_and_hasher(self.raw.len(), Default::default());
        for row in 0..self.raw.len() {
            match self.object(row) {
                None => {
                    issues.insert(row, KeyIssue::Missing);
                }
                Some(code) => {
                    if !seen.insert(code) {
                        issues.insert(row, KeyIssue::Duplicate);
                    }
                }
            }
        }
        issues
    }

    /// The diagnostics of some rows, in row order, and how many references each column makes to absent tables.
    fn check_rows(
        &self,
        rows: &[usize],
        key_issues: &FxHashMap<usize, KeyIssue>,
        missing_geometry_column: bool,
    ) -> (Vec<Diagnostic>, Vec<usize>) {
        let mut out = Vec::new();
        let mut absent_refs = vec![0usize; self.columns.len()];
        let key_label = || self.def.primary_key.join(", ");
        for &row in rows {
            let object = self.object(row);
            let mut found = Vec::new();
            match key_issues.get(&row) {
                Some(KeyIssue::Missing) => found.push(
                    Diagnostic::new(&DECODE_MISSING_KEY)
                        .column(self.def.primary_key.join("/"))
                        .message(
                            format!("Ligne sans identifiant ({}) : ignorée", key_label()),
                            format!("Row without identifier ({}): skipped", key_label()),
                        ),
                ),
                Some(KeyIssue::Duplicate) => {
                    let code = object.as_deref().unwrap_or_default();
                    found.push(
                        Diagnostic::new(&DECODE_DUPLICATE_KEY)
                            .column(self.def.primary_key.join("/"))
                            .value(code)
                            .message(
                                format!(
                                    "L'identifiant {code} apparaît plusieurs fois dans {}",
                                    self.raw.name
                                ),
                                format!(
                                    "Identifier {code} appears more than once in {}",
                                    self.raw.name
                                ),
                            ),
                    );
                }
                None => {}
            }
            for (check, absent) in self.columns.iter().zip(&mut absent_refs) {
                let Some(text) = self.raw.cell(row, check.index) else {
                    continue;
                };
                found.extend(self.check_cell(check, text));
                if matches!(check.reference, Reference::Absent { .. }) {
                    *absent += 1;
                }
            }
            if self.def.geometry.is_some() && !missing_geometry_column {
                found.extend(self.check_geometry(row));
            }
            out.extend(
                found
                    .into_iter()
                    .map(|diagnostic| self.locate(row, object.as_deref(), diagnostic)),
            );
        }
        (out, absent_refs)
    }

    /// The object code of a row: its key cell, or its key cells `/`-joined for a composite key. Borrowed for
    /// the usual single key, so the duplicate check costs no allocation per row.
    fn object(&self, row: usize) -> Option<Cow<'a, str>> {
        let raw: &'a RawTable = self.raw;
        match self.key.as_slice() {
            [] => None,
            [col] => raw.cell(row, *col).map(Cow::Borrowed),
            cols => {
                let parts: Option<Vec<&str>> = cols.iter().map(|&col| raw.cell(row, col)).collect();
                parts.map(|parts| Cow::Owned(parts.join("/")))
            }
        }
    }

    /// Adds where a row-level diagnostic is: table, file, row, object code and the row's first coordinate.
    fn locate(&self, row: usize, object: Option<&str>, diagnostic: Diagnostic) -> Diagnostic {
        let mut diagnostic = diagnostic
            .table(self.raw.name.clone())
            .file(self.raw.file.clone())
            .row(row as u64 + 1);
        if let Some(object) = object {
            diagnostic = diagnostic.object(object);
        }
        if let Some(coord) = self.raw.geometry(row).and_then(|g| g.coords_iter().next())
            && coord.x.is_finite()
            && coord.y.is_finite()
        {
            diagnostic = diagnostic.at(coord.x, coord.y);
        }
        diagnostic
    }

    fn check_cell(&self, check: &ColumnCheck<'_>, text: &str) -> Option<Diagnostic> {
        let column = check.def;
        let bad = |rule, fr: String, en: String| {
            Some(
                Diagnostic::new(rule)
                    .column(column.name.clone())
                    .value(text)
                    .message(fr, en),
            )
        };
        match column.ty {
            ColumnType::Integer | ColumnType::Bigint if parse_integer(text).is_none() => {
                return bad(
                    &DECODE_INTEGER,
                    format!("{} = « {text} » n'est pas un entier", column.name),
                    format!("{} = {text:?} is not an integer", column.name),
                );
            }
            ColumnType::Numeric { .. } if parse_number(text).is_none() => {
                return bad(
                    &DECODE_NUMBER,
                    format!("{} = « {text} » n'est pas un nombre", column.name),
                    format!("{} = {text:?} is not a number", column.name),
                );
            }
            ColumnType::Boolean if parse_boolean(text).is_none() => {
                return bad(
                    &DECODE_BOOLEAN,
                    format!("{} = « {text} » n'est pas un booléen", column.name),
                    format!("{} = {text:?} is not a boolean", column.name),
                );
            }
            ColumnType::Date if parse_date(text).is_none() => {
                return bad(
                    &DECODE_DATE,
                    format!("{} = « {text} » n'est pas une date", column.name),
                    format!("{} = {text:?} is not a date", column.name),
                );
            }
            ColumnType::Timestamp if parse_timestamp(text).is_none() => {
                return bad(
                    &DECODE_DATE,
                    format!("{} = « {text} » n'est pas une date et heure", column.name),
                    format!("{} = {text:?} is not a timestamp", column.name),
                );
            }
            ColumnType::Text { len } if len > 0 && text.chars().count() > len as usize => {
                return bad(
                    &DECODE_TEXT_TOO_LONG,
                    format!(
                        "{} dépasse {len} caractères ({})",
                        column.name,
                        text.chars().count()
                    ),
                    format!(
                        "{} is longer than {len} characters ({})",
                        column.name,
                        text.chars().count()
                    ),
                );
            }
            _ => {}
        }
        if let Some(codes) = &check.list
            && !codes.contains(text)
        {
            let list = column.list.as_deref().unwrap_or_default();
            return bad(
                &DECODE_LIST_VALUE,
                format!(
                    "{} = « {text} » n'est pas un code de la liste {list}",
                    column.name
                ),
                format!("{} = {text:?} is not a code of list {list}", column.name),
            )
            .map(|d| d.hint(self.list_hint(list)));
        }
        if let Reference::Present { table, codes } = &check.reference
            && !codes.contains(text)
        {
            return bad(
                &DECODE_DANGLING_REFERENCE,
                format!(
                    "{} = {text} : aucun objet de ce code dans {table}",
                    column.name
                ),
                format!(
                    "{} = {text}: no object with this code in {table}",
                    column.name
                ),
            )
            .map(|d| {
                d.hint(format!(
                    "Livrer l'objet {text} dans {table}, ou corriger {}.",
                    column.name
                ))
            });
        }
        None
    }

    /// The admissible codes of a list, spelled out when there are few enough to read.
    fn list_hint(&self, list: &str) -> String {
        match self.schema.list(list) {
            Some(values) if values.values.len() <= 16 => format!(
                "Codes admis ({list}) : {}.",
                values
                    .values
                    .iter()
                    .map(|v| format!("{} ({})", v.code, v.label))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => format!("Utiliser un code de la liste {list} du modèle GraceTHD."),
        }
    }

    fn check_geometry(&self, row: usize) -> Option<Diagnostic> {
        let def = self.def.geometry.as_ref()?;
        let Some(geometry) = self.raw.geometry(row) else {
            return (!def.nullable).then(|| {
                Diagnostic::new(&DECODE_GEOMETRY_MISSING).message(
                    format!("Objet de {} sans géométrie", self.raw.name),
                    format!("{} object without geometry", self.raw.name),
                )
            });
        };
        if !kind_matches(def.kind, geometry) {
            let found = geometry_name(geometry);
            return Some(Diagnostic::new(&DECODE_GEOMETRY_TYPE).value(found).message(
                format!("Géométrie {found} là où le modèle attend {:?}", def.kind),
                format!("{found} geometry where the model expects {:?}", def.kind),
            ));
        }
        invalid_reason(geometry).map(|(fr, en)| {
            Diagnostic::new(&DECODE_GEOMETRY_INVALID).message(
                format!("Géométrie invalide : {fr}"),
                format!("Invalid geometry: {en}"),
            )
        })
    }
}

/// Whether a delivered geometry can stand for the model's kind (a single part is accepted where the model
/// asks for a multi-geometry and the reverse, since shapefiles do not distinguish them).
fn kind_matches(kind: GeometryKind, geometry: &Geometry) -> bool {
    use GeometryKind as K;
    match (kind, geometry) {
        (K::Point | K::MultiPoint, Geometry::Point(_)) => true,
        (K::Point, Geometry::MultiPoint(points)) => points.0.len() == 1,
        (K::MultiPoint, Geometry::MultiPoint(_)) => true,
        (K::LineString | K::MultiLineString, Geometry::LineString(_)) => true,
        (K::LineString | K::MultiLineString, Geometry::MultiLineString(_)) => true,
        (K::Polygon | K::MultiPolygon, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => true,
        _ => false,
    }
}

fn geometry_name(geometry: &Geometry) -> &'static str {
    match geometry {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// Why a geometry is unusable, in French and English; `None` when it is fine.
fn invalid_reason(geometry: &Geometry) -> Option<(&'static str, &'static str)> {
    if geometry
        .coords_iter()
        .any(|c| !c.x.is_finite() || !c.y.is_finite())
    {
        return Some(("coordonnée non finie", "non-finite coordinate"));
    }
    let short_line =
        |line: &geo_types::LineString| line.0.len() < 2 || line.0.iter().all(|c| *c == line.0[0]);
    let bad_ring = |ring: &geo_types::LineString| ring.0.len() < 4;
    match geometry {
        Geometry::LineString(line) if short_line(line) => Some((
            "ligne de moins de deux points distincts",
            "line with fewer than two distinct points",
        )),
        Geometry::MultiLineString(lines)
            if lines.0.is_empty() || lines.0.iter().any(short_line) =>
        {
            Some((
                "ligne de moins de deux points distincts",
                "line with fewer than two distinct points",
            ))
        }
        Geometry::MultiPoint(points) if points.0.is_empty() => {
            Some(("multipoint vide", "empty multipoint"))
        }
        Geometry::Polygon(polygon) if bad_ring(polygon.exterior()) => Some((
            "anneau de moins de quatre sommets",
            "ring with fewer than four vertices",
        )),
        Geometry::MultiPolygon(polygons)
            if polygons.0.is_empty() || polygons.0.iter().any(|p| bad_ring(p.exterior())) =>
        {
            Some((
                "anneau de moins de quatre sommets",
                "ring with fewer than four vertices",
            ))
        }
        _ => None,
    }
}
