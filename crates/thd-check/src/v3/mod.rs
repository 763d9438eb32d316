//! The GraceTHD v3 checker's catalogue (dbt-grace-thd, `gracethd/v3/controls.json`), run on v3 deliveries.
//!
//! ```text
//!   generic      ctrl_pt_*  table flagged O at the container absent or empty
//!                ctrl_rem_* attribute flagged O at the container empty
//!                ctrl_uc_*  value of an attribute meant to be unique used more than once
//!   conditional  ctrl_rc_*  attribute empty while the row (or an object it points at) says it is required
//!   topology     topo_*     node vs path and cable-line ends, boxes and racks vs cable ends, ZSRO in ZNRO
//!   business     metier_*   fibres, boxes, counts, ownership, NRO, ZSRO, incumbent poles
//! ```
//!
//! The checker reads the delivery as text, so these controls read the raw cells (trimmed; an empty cell is
//! NULL) rather than the typed network: a value the decoder cannot parse still counts as filled, as in the
//! checker. Its type, list and foreign-key families are the decoder's `decode.*` rules (see `coverage.rs`).
//!
//! A control runs when the catalogue marks it active at the delivery's container ([`Container::of`] the phase)
//! and the operator's configuration does not disable it; its severity is the checker's criticité mapped by
//! [`severity`]. Every lookup is a hash map or an R-tree: a 100 000-plug delivery is checked in linear time.

mod business;
mod conditional;
mod generic;
mod topology;

pub(crate) use business::CONTROLS as BUSINESS;
pub(crate) use conditional::CONTROLS as CONDITIONAL;
pub(crate) use generic::FAMILIES as GENERIC;
pub(crate) use topology::CONTROLS as TOPOLOGY;

use geo::CoordsIter;
use geo_types::{Coord, Geometry, LineString};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use thd_diag::{Category, Diagnostic, Severity};
use thd_model::catalogue::{Container, V3Catalogue, V3Control, V3Family};
use thd_model::{GraceVersion, RawTable};

use crate::context::{Context, row_location};

/// The engine's severity for a criticité of the v3 checker: `bloquante` makes the delivery unusable,
/// `majeure` must be fixed before acceptance, `mineure` (the checker's default for every control) is to review
/// and does not block acceptance, `info` is informative.
pub(crate) fn severity(criticite: &str) -> Severity {
    match criticite {
        "bloquante" => Severity::Critical,
        "majeure" => Severity::Error,
        "mineure" => Severity::Warning,
        _ => Severity::Info,
    }
}

/// The controls of the v3 catalogue on a v3 delivery (none on a v2.0.1 one).
pub(crate) fn check(ctx: &Context<'_>) -> Vec<Diagnostic> {
    if ctx.network.version != GraceVersion::V3 {
        return Vec::new();
    }
    let v3 = V3::new(ctx);
    let (generic, (conditional, (topology, business))) = rayon::join(
        || generic::check(&v3),
        || {
            rayon::join(
                || conditional::check(&v3),
                || rayon::join(|| topology::check(&v3), || business::check(&v3)),
            )
        },
    );
    [generic, conditional, topology, business]
        .into_iter()
        .flatten()
        .collect()
}

/// What the v3 controls share: the check context, the container and the catalogue.
pub(crate) struct V3<'c, 'a> {
    pub ctx: &'c Context<'a>,
    pub container: Container,
    pub catalogue: &'static V3Catalogue,
    /// Control id → control: every diagnostic looks its control up, a linear search would cost 773
    /// comparisons each.
    controls: FxHashMap<&'static str, &'static V3Control>,
}

impl<'c, 'a> V3<'c, 'a> {
    fn new(ctx: &'c Context<'a>) -> Self {
        let catalogue = V3Catalogue::get();
        Self {
            ctx,
            container: Container::of(ctx.phase),
            catalogue,
            controls: catalogue
                .controls
                .iter()
                .map(|c| (c.id.as_str(), c))
                .collect(),
        }
    }

    /// Whether control `id` runs: active at the container and not disabled by the operator. A control the
    /// checker ships disabled (`metier_0008`) runs only when the configuration enables its exact id.
    pub fn runs(&self, id: &str) -> bool {
        let Some(control) = self.controls.get(id) else {
            return false;
        };
        if !control.active {
            return self
                .ctx
                .config
                .controls
                .get(id)
                .and_then(|s| s.enabled)
                .unwrap_or(false);
        }
        control.runs_at(self.container) && self.ctx.enabled(id)
    }

    /// A delivered table of the v3 model.
    pub fn table(&self, name: &str) -> Option<Table<'a>> {
        let raw = self.ctx.delivery.table(name)?;
        let key = self
            .ctx
            .network
            .schema()
            .table(name)
            .and_then(|t| t.primary_key.first())
            .and_then(|k| raw.column_index(k))
            .unwrap_or(0);
        Some(Table { raw, key })
    }

    /// Node code → its point (`t_noeud`).
    pub fn node_points(&self) -> FxHashMap<&'a str, Coord> {
        let Some(nodes) = self.table("t_noeud") else {
            return FxHashMap::default();
        };
        (0..nodes.len())
            .filter_map(|row| Some((nodes.code(row)?, point(nodes.geometry(row)?)?)))
            .collect()
    }

    /// A diagnostic of control `id`, with its severity and category, on `table`.
    pub fn diagnostic(&self, id: &str, table: &str, fr: String, en: String) -> Diagnostic {
        let control = self.controls.get(id).copied();
        let category = match control.map(|c| c.family) {
            Some(V3Family::Presence) => Category::Structure,
            Some(V3Family::Filling | V3Family::Conditional) => Category::Filling,
            Some(V3Family::Uniqueness) => Category::Key,
            Some(V3Family::Topology) => Category::Topology,
            _ => Category::Business,
        };
        Diagnostic {
            rule: Cow::Owned(id.to_owned()),
            category,
            severity: control.map_or(Severity::Warning, |c| severity(&c.severity)),
            table: Some(table.to_owned()),
            object: None,
            file: None,
            row: None,
            column: None,
            value: None,
            location: None,
            message_fr: fr,
            message_en: en,
            hint: None,
        }
    }

    /// A diagnostic of control `id` on one row of `table`, placed at the row's geometry or node.
    pub fn at_row(
        &self,
        id: &str,
        table: &Table<'_>,
        row: usize,
        fr: String,
        en: String,
    ) -> Diagnostic {
        let mut d = self.diagnostic(id, &table.raw.name, fr, en);
        d.object = table.code(row).map(str::to_owned);
        d.file = Some(table.raw.file.clone());
        d.row = Some(row as u64 + 1);
        d.location = row_location(table.raw, row, self.ctx.network);
        d
    }
}

/// A delivered table read as the v3 checker reads it: trimmed text, an empty cell is NULL.
#[derive(Clone, Copy)]
pub(crate) struct Table<'d> {
    pub raw: &'d RawTable,
    /// The column of the (first) primary-key attribute.
    key: usize,
}

impl<'d> Table<'d> {
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    pub fn col(&self, name: &str) -> Option<usize> {
        self.raw.column_index(name)
    }

    /// The trimmed value of a cell, `None` when empty or when the column is absent.
    pub fn get(&self, row: usize, column: Option<usize>) -> Option<&'d str> {
        self.raw
            .cell(row, column?)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// The object's code.
    pub fn code(&self, row: usize) -> Option<&'d str> {
        self.get(row, Some(self.key))
    }

    /// Value of `column` → first row holding it.
    pub fn index(&self, column: Option<usize>) -> FxHashMap<&'d str, usize> {
        let mut index = FxHashMap::default();
        for row in 0..self.len() {
            if let Some(value) = self.get(row, column) {
                index.entry(value).or_insert(row);
            }
        }
        index
    }

    /// Object code → row.
    pub fn by_code(&self) -> FxHashMap<&'d str, usize> {
        self.index(Some(self.key))
    }

    pub fn geometry(&self, row: usize) -> Option<&'d Geometry> {
        self.raw.geometry(row)
    }
}

/// The end points of a (multi)line after merging its parts, as PostGIS `ST_LineMerge` then start/end points:
/// the part ends no other part continues. A closed line has none; the ends of every part are then returned.
pub(crate) fn line_ends(geometry: &Geometry) -> Vec<Coord> {
    let parts: Vec<&LineString> = match geometry {
        Geometry::LineString(line) => vec![line],
        Geometry::MultiLineString(lines) => lines.0.iter().collect(),
        _ => return Vec::new(),
    };
    let ends: Vec<Coord> = parts
        .iter()
        .filter_map(|l| Some([*l.0.first()?, *l.0.last()?]))
        .flatten()
        .collect();
    let free: Vec<Coord> = ends
        .iter()
        .filter(|c| ends.iter().filter(|o| o == c).count() == 1)
        .copied()
        .collect();
    if free.is_empty() { ends } else { free }
}

/// The first point of a geometry (a node's point).
pub(crate) fn point(geometry: &Geometry) -> Option<Coord> {
    geometry
        .coords_iter()
        .next()
        .filter(|c| c.x.is_finite() && c.y.is_finite())
}

/// Rounds like PostgreSQL `round(x, places)`.
pub(crate) fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}
