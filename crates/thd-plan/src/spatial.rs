//! Finding the zone a point lies in, for objects the delivery does not link to a zone.
//!
//! GraceTHD 3 has no PBO zones and does not link premises to SRO zones; GraceTHD 2.0.1 links end-user sites to
//! PBO zones but not addresses without one. The zones' areas are then the only link, so an R-tree over the
//! zones' bounding boxes narrows each lookup to a few candidates before the exact point-in-polygon test.

use geo::{BoundingRect, Intersects};
use geo_types::Point;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use thd_network::{Entities, Id, Zone};

/// The zones of one kind that have an area, indexed by bounding box.
#[derive(Debug)]
pub(crate) struct ZoneLocator<'n> {
    zones: &'n Entities<Zone>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, Id<Zone>>>,
}

impl<'n> ZoneLocator<'n> {
    pub fn new(zones: &'n Entities<Zone>) -> Self {
        let boxes = zones
            .iter()
            .filter_map(|(id, _, zone)| {
                let rect = zone.area.as_ref()?.bounding_rect()?;
                let (min, max) = (rect.min(), rect.max());
                Some(GeomWithData::new(
                    Rectangle::from_corners([min.x, min.y], [max.x, max.y]),
                    id,
                ))
            })
            .collect();
        Self {
            zones,
            tree: RTree::bulk_load(boxes),
        }
    }

    /// The zone whose area holds `point` (its boundary included); when areas overlap, the first in delivery
    /// order, so the answer does not depend on the tree's layout.
    pub fn locate(&self, point: Point) -> Option<Id<Zone>> {
        if self.tree.size() == 0 {
            return None;
        }
        let at = [point.x(), point.y()];
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_point(at))
            .map(|candidate| candidate.data)
            .filter(|&id| {
                self.zones
                    .get(id)
                    .area
                    .as_ref()
                    .is_some_and(|area| area.intersects(&point))
            })
            .min()
    }
}
