//! A delivery's spatial tables as map layers: GeoJSON in WGS84, only what is in view, at most so many features,
//! simplified to the scale of the view.
//!
//! Each layer keeps its table as delivered (cells and Lambert-93 geometries) with an R-tree of the rows'
//! bounding boxes, so a request reads only the rows that cross its view. The view arrives in WGS84 (what web
//! maps speak) and is turned into a Lambert-93 search box by projecting points along its edges: a
//! longitude/latitude rectangle is not a rectangle in Lambert-93, and its corners alone would cut off the
//! bulge of its edges.

use std::collections::HashMap;

use geo::{BoundingRect, Simplify};
use geo_types::{Coord, Geometry, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::Serialize;
use serde_json::{Map, Value};
use thd_model::{RawDelivery, RawTable, Schema};

use crate::error::ApiError;

/// A row's bounding box in Lambert-93, with the row's index.
type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// One spatial table, indexed.
#[derive(Debug)]
pub struct Layer {
    table: RawTable,
    /// Column of the table's primary key (the feature id).
    key: Option<usize>,
    tree: RTree<Entry>,
}

/// What a client asks of a layer.
#[derive(Debug, Clone, Copy)]
pub struct View {
    /// `[min lon, min lat, max lon, max lat]` in WGS84; `None` for the whole layer.
    pub bbox: Option<[f64; 4]>,
    pub limit: usize,
    /// Simplification tolerance in metres; `None` picks one from the view's width, `Some(0.0)` keeps every vertex.
    pub tolerance: Option<f64>,
}

/// How many pixels wide a view is assumed to be when no tolerance is given: one tolerance step is then about
/// half a pixel, invisible on screen.
const VIEW_PIXELS: f64 = 2000.0;

/// A layer's summary, for the list of layers.
#[derive(Debug, Serialize)]
pub struct LayerInfo {
    pub name: String,
    pub features: usize,
    /// WGS84 `[min lon, min lat, max lon, max lat]` of the features with a geometry.
    pub bbox: Option<[f64; 4]>,
}

impl Layer {
    pub fn new(table: RawTable, schema: &Schema) -> Self {
        let key = schema
            .table(&table.name)
            .and_then(|def| match def.primary_key.as_slice() {
                [key] => table.column_index(key),
                _ => None,
            });
        let entries: Vec<Entry> = (0..table.len())
            .filter_map(|row| {
                let rect = table.geometry(row)?.bounding_rect()?;
                let (lo, hi) = (rect.min(), rect.max());
                Some(GeomWithData::new(
                    Rectangle::from_corners([lo.x, lo.y], [hi.x, hi.y]),
                    row as u32,
                ))
            })
            .collect();
        Layer {
            table,
            key,
            tree: RTree::bulk_load(entries),
        }
    }

    pub fn info(&self, name: &str) -> LayerInfo {
        let bbox = (self.tree.size() > 0).then(|| {
            let envelope = self.tree.root().envelope();
            let (lo, hi) = (envelope.lower(), envelope.upper());
            wgs84_box(Rect::new(
                Coord { x: lo[0], y: lo[1] },
                Coord { x: hi[0], y: hi[1] },
            ))
        });
        LayerInfo {
            name: name.to_owned(),
            features: self.table.len(),
            bbox: bbox.flatten(),
        }
    }

    /// The features in `view` as a GeoJSON FeatureCollection (WGS84), with `matched` (features in view) and
    /// `truncated` (more matched than `limit`) members beside `features`.
    pub fn features(&self, view: &View) -> Result<String, ApiError> {
        let search = match view.bbox {
            Some(bbox) => lambert_box(bbox)?,
            None => {
                let e = self.tree.root().envelope();
                Rect::new(
                    Coord {
                        x: e.lower()[0],
                        y: e.lower()[1],
                    },
                    Coord {
                        x: e.upper()[0],
                        y: e.upper()[1],
                    },
                )
            }
        };
        let tolerance = view
            .tolerance
            .unwrap_or_else(|| search.width().max(search.height()) / VIEW_PIXELS);
        let envelope = AABB::from_corners(
            [search.min().x, search.min().y],
            [search.max().x, search.max().y],
        );
        let mut rows: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(&envelope)
            .map(|entry| entry.data)
            .collect();
        // Delivered order, so that the same view gives the same features whatever the tree's layout.
        rows.sort_unstable();
        let matched = rows.len();
        rows.truncate(view.limit);
        let mut out = String::with_capacity(rows.len() * 256 + 64);
        out.push_str(r#"{"type":"FeatureCollection","features":["#);
        for (i, &row) in rows.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.feature(row as usize, tolerance, &mut out)?;
        }
        out.push_str(&format!(
            r#"],"matched":{matched},"truncated":{}}}"#,
            matched > view.limit
        ));
        Ok(out)
    }

    fn feature(&self, row: usize, tolerance: f64, out: &mut String) -> Result<(), ApiError> {
        let geometry = match self.table.geometry(row) {
            Some(g) if tolerance > 0.0 => simplified(g, tolerance),
            Some(g) => g.clone(),
            None => unreachable!("only rows with a geometry are indexed"),
        };
        let geojson = thd_write::geometry_to_geojson(&geometry)
            .map_err(|e| ApiError::internal(format!("{} row {}: {e}", self.table.name, row + 1)))?;
        let mut properties = Map::new();
        for (column, cell) in self.table.columns.iter().zip(self.table.row(row)) {
            if let Some(cell) = cell.filter(|c| !c.is_empty()) {
                properties.insert(column.clone(), Value::String(cell.to_owned()));
            }
        }
        out.push_str(r#"{"type":"Feature","#);
        if let Some(id) = self.key.and_then(|k| self.table.cell(row, k)) {
            out.push_str(r#""id":"#);
            out.push_str(&Value::String(id.to_owned()).to_string());
            out.push(',');
        }
        out.push_str(r#""geometry":"#);
        out.push_str(&geojson);
        out.push_str(r#","properties":"#);
        out.push_str(&Value::Object(properties).to_string());
        out.push('}');
        Ok(())
    }
}

/// Gives the technical points (`t_ptech`: chambers, poles, façade anchors) and the boxes (`t_ebp`: splice
/// closures, PBOs) the geometry of the node they stand on, so that the map can show them as layers of their
/// own: GraceTHD stores no geometry for them, a technical point names its node (`pt_nd_code`) and a box its
/// technical point (`bp_pt_code`), in both versions of the model. A row whose node cannot be found keeps no
/// geometry (the checks report the broken reference) and is left out of the layer's index.
pub fn place_on_nodes(raw: &mut RawDelivery) {
    let Some(nodes) = raw.tables.get("t_noeud") else {
        return;
    };
    let (Some(code), Some(geometries)) = (nodes.column_index("nd_code"), &nodes.geometries) else {
        return;
    };
    let node_at: HashMap<&str, &Geometry<f64>> = (0..nodes.len())
        .filter_map(|row| Some((nodes.cell(row, code)?, geometries[row].as_ref()?)))
        .collect();
    let place =
        |table: Option<&RawTable>, column: &str, at: &dyn Fn(&str) -> Option<Geometry<f64>>| {
            let table = table?;
            let c = table.column_index(column)?;
            Some(
                (0..table.len())
                    .map(|row| table.cell(row, c).and_then(at))
                    .collect::<Vec<_>>(),
            )
        };
    let on_node = |code: &str| node_at.get(code).map(|g| (*g).clone());
    let points = place(raw.tables.get("t_ptech"), "pt_nd_code", &on_node);
    let point_node: HashMap<&str, &str> = raw
        .tables
        .get("t_ptech")
        .and_then(|t| Some((t, t.column_index("pt_code")?, t.column_index("pt_nd_code")?)))
        .map(|(t, pt, nd)| {
            (0..t.len())
                .filter_map(|row| Some((t.cell(row, pt)?, t.cell(row, nd)?)))
                .collect()
        })
        .unwrap_or_default();
    let in_point = |code: &str| point_node.get(code).and_then(|nd| on_node(nd));
    let boxes = place(raw.tables.get("t_ebp"), "bp_pt_code", &in_point);
    for (name, placed) in [("t_ptech", points), ("t_ebp", boxes)] {
        if let (Some(table), Some(placed)) = (raw.tables.get_mut(name), placed) {
            table.geometries = Some(placed);
        }
    }
}

/// `g` with vertices closer than `tolerance` metres to the simplified line dropped (Ramer–Douglas–Peucker);
/// points are kept as they are.
fn simplified(g: &Geometry<f64>, tolerance: f64) -> Geometry<f64> {
    match g {
        Geometry::LineString(l) => Geometry::LineString(l.simplify(tolerance)),
        Geometry::MultiLineString(m) => Geometry::MultiLineString(m.simplify(tolerance)),
        Geometry::Polygon(p) => Geometry::Polygon(p.simplify(tolerance)),
        Geometry::MultiPolygon(m) => Geometry::MultiPolygon(m.simplify(tolerance)),
        other => other.clone(),
    }
}

/// Points projected along each edge of a WGS84 box, enough for the Lambert-93 envelope to contain the box's
/// image within centimetres at regional sizes.
const EDGE_SAMPLES: usize = 8;

/// The Lambert-93 envelope of a WGS84 box.
fn lambert_box([west, south, east, north]: [f64; 4]) -> Result<Rect<f64>, ApiError> {
    if !(west < east && south < north) || [west, south, east, north].iter().any(|v| !v.is_finite())
    {
        return Err(ApiError::bad_request(format!(
            "bbox {west},{south},{east},{north}: give min lon, min lat, max lon, max lat with min < max"
        )));
    }
    let mut points = Vec::with_capacity(4 * EDGE_SAMPLES);
    for i in 0..EDGE_SAMPLES {
        let t = i as f64 / (EDGE_SAMPLES - 1) as f64;
        let (lon, lat) = (west + t * (east - west), south + t * (north - south));
        for c in [
            Coord { x: lon, y: south },
            Coord { x: lon, y: north },
            Coord { x: west, y: lat },
            Coord { x: east, y: lat },
        ] {
            points.push(thd_geo::wgs84::wgs84_to_lambert93(c).map_err(|e| {
                ApiError::bad_request(format!("bbox point {c:?} cannot be projected: {e}"))
            })?);
        }
    }
    Ok(geo_types::MultiPoint::from(points)
        .bounding_rect()
        .expect("the box has points"))
}

/// The WGS84 box of a Lambert-93 rectangle (corners and edge points projected), when it can be projected.
fn wgs84_box(rect: Rect<f64>) -> Option<[f64; 4]> {
    let (lo, hi) = (rect.min(), rect.max());
    let mut points = Vec::with_capacity(4 * EDGE_SAMPLES);
    for i in 0..EDGE_SAMPLES {
        let t = i as f64 / (EDGE_SAMPLES - 1) as f64;
        let (x, y) = (lo.x + t * (hi.x - lo.x), lo.y + t * (hi.y - lo.y));
        for c in [
            Coord { x, y: lo.y },
            Coord { x, y: hi.y },
            Coord { x: lo.x, y },
            Coord { x: hi.x, y },
        ] {
            points.push(thd_geo::wgs84::lambert93_to_wgs84(c).ok()?);
        }
    }
    let r = geo_types::MultiPoint::from(points).bounding_rect()?;
    Some([r.min().x, r.min().y, r.max().x, r.max().y])
}
