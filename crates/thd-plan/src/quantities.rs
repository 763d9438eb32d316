//! The bill of quantities (détail quantitatif) measured from a network: metres of civil works, ducts and
//! cables, and pieces of technical points, boxes and sites, under the item keys the price schedule prices.
//!
//! | item | unit | measured from |
//! | --- | --- | --- |
//! | `path.<new\|existing>.<cm_typ_imp>` | m | each path: declared length (`cm_long`, else `cm_lgreel`), else the length of its line |
//! | `duct.<new\|existing>` | m | each duct (2.0.1): `cd_long`, else the lengths of the paths it runs in |
//! | `cable.<cb_capafo>` | m | each cable: `cb_lgreel`, else its cable line's declared length, else the line's length |
//! | `ptech.<new\|existing>.<pt_typephy>.<pt_nature>` | u | each technical point (chamber C, pole A, facade anchor F...) |
//! | `box.<bp_typelog>` | u | each box (BPE, PBO, PTO...) |
//! | `site.<st_typelog>.<st_typephy>` | u | each technical site but client sites (NRO shelter, SRO cabinet...) |
//!
//! "existing" is what the delivery marks as existing (`*_avct` = `E`): the incumbent's ducts and poles the
//! network reuses cost an access fee, not civil works. Everything else is new. A missing code reads `unknown`
//! (priced through the fallback of [`crate::prices`]). Objects without any length are counted in
//! [`BillOfQuantities::missing_lengths`] rather than silently costed at zero.

use geo::{Euclidean, Length};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use thd_network::{Enclosure, Id, Lifecycle, Network, Node, Path, Sym};

use crate::prices::PriceUnit;

/// A measured item, before its key is spelt out: cheap to hash for every object of a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Item {
    Path {
        new: bool,
        placement: Option<Sym>,
    },
    Duct {
        new: bool,
    },
    Cable {
        capacity: Option<u32>,
    },
    TechPoint {
        new: bool,
        physical: Option<Sym>,
        nature: Option<Sym>,
    },
    Box {
        logical: Option<Sym>,
    },
    Site {
        logical: Option<Sym>,
        physical: Option<Sym>,
    },
}

impl Item {
    fn unit(self) -> PriceUnit {
        match self {
            Self::Path { .. } | Self::Duct { .. } | Self::Cable { .. } => PriceUnit::Metre,
            _ => PriceUnit::Each,
        }
    }

    fn key(self, network: &Network) -> String {
        let code = |sym: Option<Sym>| sym.map_or("unknown", |s| network.code(s));
        let age = |new: bool| if new { "new" } else { "existing" };
        match self {
            Self::Path { new, placement } => format!("path.{}.{}", age(new), code(placement)),
            Self::Duct { new } => format!("duct.{}", age(new)),
            Self::Cable { capacity } => match capacity {
                Some(c) => format!("cable.{c}"),
                None => "cable.unknown".to_owned(),
            },
            Self::TechPoint {
                new,
                physical,
                nature,
            } => format!("ptech.{}.{}.{}", age(new), code(physical), code(nature)),
            Self::Box { logical } => format!("box.{}", code(logical)),
            Self::Site { logical, physical } => {
                format!("site.{}.{}", code(logical), code(physical))
            }
        }
    }
}

/// One line of a bill of quantities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantity {
    pub unit: PriceUnit,
    pub quantity: f64,
}

/// Quantities by item key.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BillOfQuantities {
    pub lines: BTreeMap<String, Quantity>,
    /// Paths, ducts and cables that have neither a declared length nor a line to measure.
    pub missing_lengths: u64,
}

impl BillOfQuantities {
    /// Adds another bill's quantities to this one.
    pub fn merge(&mut self, other: &BillOfQuantities) {
        for (item, q) in &other.lines {
            self.lines
                .entry(item.clone())
                .or_insert(Quantity {
                    unit: q.unit,
                    quantity: 0.0,
                })
                .quantity += q.quantity;
        }
        self.missing_lengths += other.missing_lengths;
    }
}

/// Measures the whole network as one bill.
pub fn measure(network: &Network) -> BillOfQuantities {
    measure_by(network, 1, |_| 0).pop().unwrap_or_default()
}

fn is_new(network: &Network, life: &Lifecycle) -> bool {
    life.progress.is_none_or(|p| network.code(p) != "E")
}

/// Measures the network into `cells` bills, each object going to the cell of its node (`cell_of`): a path's
/// first end, a cable's downstream end, a duct's first path, a box's technical point.
pub(crate) fn measure_by(
    network: &Network,
    cells: usize,
    cell_of: impl Fn(Option<Id<Node>>) -> usize,
) -> Vec<BillOfQuantities> {
    let mut sums: FxHashMap<(usize, Item), f64> = FxHashMap::default();
    let mut missing = vec![0u64; cells];
    let mut add = |cell: usize, item: Item, quantity: Option<f64>| match quantity {
        Some(q) => *sums.entry((cell, item)).or_default() += q,
        None => missing[cell] += 1,
    };

    let mut path_lengths = Vec::with_capacity(network.paths.len());
    for (_, _, path) in network.paths.iter() {
        let length = path
            .length
            .or_else(|| path.line.as_ref().map(|l| Euclidean.length(l)));
        path_lengths.push(length);
        let item = Item::Path {
            new: is_new(network, &path.life),
            placement: path.placement,
        };
        add(cell_of(path.from.or(path.to)), item, length);
    }

    let mut duct_paths: FxHashMap<usize, Vec<Id<Path>>> = FxHashMap::default();
    for &(duct, path) in &network.duct_paths {
        duct_paths.entry(duct.index()).or_default().push(path);
    }
    for (id, _, duct) in network.ducts.iter() {
        let paths = duct_paths
            .get(&id.index())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let length = duct.length.or_else(|| {
            let lengths: Option<Vec<f64>> = paths.iter().map(|p| path_lengths[p.index()]).collect();
            lengths.filter(|l| !l.is_empty()).map(|l| l.iter().sum())
        });
        let node = paths.first().and_then(|&p| {
            let path = network.paths.get(p);
            path.from.or(path.to)
        });
        add(
            cell_of(node),
            Item::Duct {
                new: is_new(network, &duct.life),
            },
            length,
        );
    }

    let mut line_lengths: FxHashMap<usize, f64> = FxHashMap::default();
    for (_, _, line) in network.cable_lines.iter() {
        if let Some(cable) = line.cable {
            let length = line
                .length
                .or_else(|| line.line.as_ref().map(|l| Euclidean.length(l)));
            if let Some(length) = length {
                line_lengths.entry(cable.index()).or_insert(length);
            }
        }
    }
    let box_node = |b: Option<Id<Enclosure>>| {
        b.and_then(|b| network.enclosures.get(b).tech_point)
            .and_then(|t| network.tech_points.get(t).node)
    };
    for (id, _, cable) in network.cables.iter() {
        let length = cable
            .length
            .or_else(|| line_lengths.get(&id.index()).copied());
        let node = cable
            .to
            .or_else(|| box_node(cable.to_box))
            .or(cable.from)
            .or_else(|| box_node(cable.from_box));
        add(
            cell_of(node),
            Item::Cable {
                capacity: cable.capacity,
            },
            length,
        );
    }

    for (_, _, point) in network.tech_points.iter() {
        let item = Item::TechPoint {
            new: is_new(network, &point.life),
            physical: point.physical,
            nature: point.nature,
        };
        add(cell_of(point.node), item, Some(1.0));
    }
    for (_, _, enclosure) in network.enclosures.iter() {
        let node = enclosure
            .tech_point
            .and_then(|t| network.tech_points.get(t).node);
        let item = Item::Box {
            logical: enclosure.logical,
        };
        add(cell_of(node), item, Some(1.0));
    }
    for (_, _, site) in network.sites.iter() {
        if site.logical.is_some_and(|s| network.code(s) == "CLIENT") {
            continue;
        }
        let item = Item::Site {
            logical: site.logical,
            physical: site.physical,
        };
        add(cell_of(site.node), item, Some(1.0));
    }

    let mut bills: Vec<BillOfQuantities> = missing
        .into_iter()
        .map(|missing_lengths| BillOfQuantities {
            lines: BTreeMap::new(),
            missing_lengths,
        })
        .collect();
    let mut keys: FxHashMap<Item, String> = FxHashMap::default();
    for ((cell, item), quantity) in sums {
        let key = keys
            .entry(item)
            .or_insert_with(|| item.key(network))
            .clone();
        bills[cell]
            .lines
            .entry(key)
            .or_insert(Quantity {
                unit: item.unit(),
                quantity: 0.0,
            })
            .quantity += quantity;
    }
    bills
}
