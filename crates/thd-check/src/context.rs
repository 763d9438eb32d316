//! What every control needs: the delivery, its typed network, the thresholds, the phase, a spatial index of
//! the nodes, what each node carries, and the means to place a defect on the map.

use geo::Coord;
use geo_types::Point;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use thd_diag::{Category, Diagnostic, Severity};
use thd_model::{RawDelivery, RawTable};
use thd_network::{Id, Network, Node};

use crate::config::{Config, Thresholds};
use crate::severity::severity_of;
use thd_model::Phase;
use thd_model::catalogue::Catalogue;

/// A node's point in the spatial index, with the node's index.
pub(crate) type IndexedNode = GeomWithData<[f64; 2], u32>;

/// What stands on a node, as the reference checker's topology controls ask it ("a node carrying a st, pt, sf
/// or se").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NodeRoles {
    /// `pt_typephy` of the technical point on it (`A` pole, `C` chamber, `F` façade, `I` building...).
    pub tech_point: Option<u8>,
    /// A technical site (NRO, SRO, building) stands on it.
    pub site: bool,
    /// An end-user site or local.
    pub premises: bool,
    /// An emission site (`t_siteemission`).
    pub emission: bool,
    /// A splice box (BPE) is in a technical point on it.
    pub splice_box: bool,
    /// A passive box of any kind (BPE, PBO, PTO, DTI).
    pub any_box: bool,
}

impl NodeRoles {
    /// Whether anything of the network stands on the node.
    pub fn carries_anything(&self) -> bool {
        self.tech_point.is_some() || self.site || self.premises || self.emission
    }
}

pub(crate) struct Context<'a> {
    pub delivery: &'a RawDelivery,
    pub network: &'a Network,
    pub config: &'a Config,
    pub t: Thresholds,
    pub phase: Phase,
    pub nodes: RTree<IndexedNode>,
    pub roles: Vec<NodeRoles>,
}

impl<'a> Context<'a> {
    pub fn new(
        delivery: &'a RawDelivery,
        network: &'a Network,
        config: &'a Config,
        phase: Phase,
    ) -> Self {
        let points: Vec<IndexedNode> = network
            .nodes
            .iter()
            .filter_map(|(id, _, node)| {
                let p = node.location?;
                (p.x().is_finite() && p.y().is_finite())
                    .then(|| GeomWithData::new([p.x(), p.y()], id.index() as u32))
            })
            .collect();
        Self {
            delivery,
            network,
            config,
            t: config.thresholds,
            phase,
            nodes: RTree::bulk_load(points),
            roles: node_roles(delivery, network),
        }
    }

    pub fn enabled(&self, id: &str) -> bool {
        self.config.enabled(id)
    }

    /// Whether a reference control runs at this phase: not when disabled or not applicable (N) at the phase.
    /// The grid marks some controls optional (F) or conditional (C) at early phases: they run, as warnings.
    pub fn runs(&self, id: &str) -> bool {
        self.enabled(id)
            && Catalogue::v2()
                .control(id)
                .is_some_and(|c| c.grid.as_bytes().get(self.phase as usize).copied() != Some(b'N'))
    }

    pub fn node_point(&self, node: Id<Node>) -> Option<Point> {
        self.network.nodes.get(node).location
    }

    /// A diagnostic of a reference-checker control, with its catalogue wording and severity.
    pub fn reference(&self, id: &str) -> Diagnostic {
        let control = Catalogue::v2()
            .control(id)
            .unwrap_or_else(|| panic!("control {id} is in gracethd/v2.0.1/controls.json"));
        let category = match control.kind.as_str() {
            "G" => Category::Topology,
            _ => Category::Business,
        };
        let severity = match control.grid.as_bytes().get(self.phase as usize) {
            Some(b'O') | None => severity_of(control.severity),
            Some(_) => severity_of(control.severity).min(Severity::Warning),
        };
        Diagnostic {
            rule: Cow::Owned(control.id.clone()),
            category,
            severity,
            table: Some(control.table.clone()),
            object: None,
            file: None,
            row: None,
            column: (!control.attribute.is_empty() && control.attribute != "geom")
                .then(|| control.attribute.clone()),
            value: None,
            location: None,
            message_fr: control.fr.clone(),
            message_en: control.en.clone(),
            hint: None,
        }
    }
}

/// What stands on each node, from the tables that point at nodes.
fn node_roles(delivery: &RawDelivery, network: &Network) -> Vec<NodeRoles> {
    let mut roles = vec![NodeRoles::default(); network.nodes.len()];
    for (_, _, tp) in network.tech_points.iter() {
        if let Some(node) = tp.node {
            let letter = tp
                .physical
                .and_then(|s| network.code(s).bytes().next())
                .unwrap_or(b'Z');
            roles[node.index()].tech_point = Some(letter);
        }
    }
    for (_, _, site) in network.sites.iter() {
        if let Some(node) = site.node {
            roles[node.index()].site = true;
        }
    }
    for (_, _, premises) in network.premises.iter() {
        if let Some(node) = premises.node {
            roles[node.index()].premises = true;
        }
    }
    for (_, _, enclosure) in network.enclosures.iter() {
        let Some(node) = enclosure
            .tech_point
            .and_then(|tp| network.tech_points.get(tp).node)
        else {
            continue;
        };
        roles[node.index()].any_box = true;
        if enclosure.logical.is_some_and(|s| network.code(s) == "BPE") {
            roles[node.index()].splice_box = true;
        }
    }
    // Optical outlets (PTO) are boxes in end-user sites (`bp_sf_code`) rather than in technical points.
    if let Some(table) = delivery.table("t_ebp")
        && let Some(column) = table.column_index("bp_sf_code")
    {
        for row in 0..table.len() {
            let node = table
                .cell(row, column)
                .and_then(|c| network.premises.by_code(c))
                .and_then(|p| p.node);
            if let Some(node) = node {
                roles[node.index()].any_box = true;
            }
        }
    }
    if let Some(table) = delivery.table("t_siteemission")
        && let Some(column) = table.column_index("se_nd_code")
    {
        for row in 0..table.len() {
            if let Some(node) = table.cell(row, column).and_then(|c| network.nodes.id(c)) {
                roles[node.index()].emission = true;
            }
        }
    }
    roles
}

/// Places diagnostics that name an object but no row: the file and row of the object, and a point on the map
/// (its geometry's first point, else the point of the node it references).
pub(crate) fn locate(delivery: &RawDelivery, network: &Network, diagnostics: &mut [Diagnostic]) {
    let mut rows: FxHashMap<&str, FxHashMap<&str, usize>> = FxHashMap::default();
    for d in diagnostics.iter_mut() {
        if d.row.is_some() {
            continue;
        }
        let (Some(table_name), Some(object)) = (d.table.as_deref(), d.object.as_deref()) else {
            continue;
        };
        let Some(table) = delivery.table(table_name) else {
            continue;
        };
        let by_code = rows
            .entry(table.name.as_str())
            .or_insert_with(|| row_index(table));
        let Some(&row) = by_code.get(object) else {
            continue;
        };
        d.file = Some(table.file.clone());
        d.row = Some(row as u64 + 1);
        if d.location.is_none() {
            d.location = row_location(table, row, network);
        }
    }
}

/// Code → row of a table keyed by its first column.
fn row_index(table: &RawTable) -> FxHashMap<&str, usize> {
    (0..table.len())
        .filter_map(|row| table.cell(row, 0).map(|code| (code, row)))
        .collect()
}

/// Where a row is: its own geometry, else the node one of its `*_nd_code` columns names.
pub(crate) fn row_location(table: &RawTable, row: usize, network: &Network) -> Option<[f64; 2]> {
    if let Some(c) = table.geometry(row).and_then(first_coord) {
        return Some([c.x, c.y]);
    }
    table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, name)| name.contains("_nd"))
        .find_map(|(index, _)| {
            let node = network.nodes.id(table.cell(row, index)?)?;
            let p = network.nodes.get(node).location?;
            Some([p.x(), p.y()])
        })
}

fn first_coord(geometry: &geo_types::Geometry) -> Option<Coord> {
    use geo::CoordsIter;
    geometry
        .coords_iter()
        .next()
        .filter(|c| c.x.is_finite() && c.y.is_finite())
}
