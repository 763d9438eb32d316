//! Shapefile polygon rings assembled into polygons.
//!
//! A shapefile Polygon record is a flat list of rings: the specification says outer rings run clockwise and
//! holes counter-clockwise, and that a hole lies inside its outer ring, but it does not say which outer ring owns
//! which hole. Exporters also break the orientation rule. So: clockwise (or flat) rings are outers; each
//! counter-clockwise ring is a hole of the smallest outer that contains it; a counter-clockwise ring that no
//! outer contains is taken as an outer of its own (the usual reading of GDAL and the `shapefile` crate), so no
//! ring is ever dropped. Validity (self-intersections, too few points) is the geometry checks' business, not the
//! reader's: garbage in (NaN, open or two-point rings) gives the same garbage out, without a panic.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// Groups shapefile rings into the polygons they form, closing rings that are not closed.
pub fn multipolygon_from_rings(rings: Vec<LineString<f64>>) -> MultiPolygon<f64> {
    let mut outers: Vec<(LineString<f64>, f64, Vec<LineString<f64>>)> = Vec::new();
    let mut holes = Vec::new();
    for mut ring in rings {
        if ring.0.is_empty() {
            continue;
        }
        ring.close();
        let area = signed_area(&ring.0);
        // Shoelace area is positive for counter-clockwise rings (x east, y north).
        if area > 0.0 {
            holes.push(ring);
        } else {
            outers.push((ring, area.abs(), Vec::new()));
        }
    }
    for hole in holes {
        let owner = hole.0.first().and_then(|&probe| {
            outers
                .iter()
                .enumerate()
                .filter(|(_, (outer, _, _))| contains(&outer.0, probe))
                .min_by(|a, b| a.1.1.total_cmp(&b.1.1))
                .map(|(i, _)| i)
        });
        match owner.and_then(|i| outers.get_mut(i)) {
            Some((_, _, owned)) => owned.push(hole),
            None => {
                let area = signed_area(&hole.0).abs();
                outers.push((hole, area, Vec::new()));
            }
        }
    }
    MultiPolygon(
        outers
            .into_iter()
            .map(|(exterior, _, interiors)| Polygon::new(exterior, interiors))
            .collect(),
    )
}

/// The signed area of a closed ring (positive when counter-clockwise); NaN propagates.
fn signed_area(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2)
        .map(|w| match w {
            [a, b] => a.x * b.y - b.x * a.y,
            _ => 0.0,
        })
        .sum::<f64>()
        / 2.0
}

/// Whether `p` lies strictly inside the closed `ring` (even-odd crossing rule; points on an edge may go either
/// way, which only matters for rings that touch, where either owner is acceptable).
fn contains(ring: &[Coord<f64>], p: Coord<f64>) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let [a, b] = w else { continue };
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x {
                inside = !inside;
            }
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> LineString<f64> {
        LineString::from(points.to_vec())
    }

    /// Clockwise square from (x0, y0) with side `s`.
    fn cw(x0: f64, y0: f64, s: f64) -> LineString<f64> {
        ring(&[
            (x0, y0),
            (x0, y0 + s),
            (x0 + s, y0 + s),
            (x0 + s, y0),
            (x0, y0),
        ])
    }

    fn ccw(x0: f64, y0: f64, s: f64) -> LineString<f64> {
        let mut r = cw(x0, y0, s);
        r.0.reverse();
        r
    }

    #[test]
    fn holes_go_to_the_smallest_outer_containing_them() {
        let mp = multipolygon_from_rings(vec![
            cw(0.0, 0.0, 100.0),
            cw(10.0, 10.0, 50.0),
            ccw(20.0, 20.0, 5.0),
            ccw(80.0, 80.0, 5.0),
        ]);
        assert_eq!(mp.0.len(), 2);
        assert_eq!(
            mp.0[0].interiors().len(),
            1,
            "the big square owns the hole at 80,80"
        );
        assert_eq!(mp.0[0].interiors()[0].0[0], Coord { x: 80.0, y: 80.0 });
        assert_eq!(
            mp.0[1].interiors().len(),
            1,
            "the inner square owns the hole at 20,20"
        );
    }

    #[test]
    fn orphan_counter_clockwise_rings_become_polygons() {
        let mp = multipolygon_from_rings(vec![ccw(0.0, 0.0, 1.0), ccw(5.0, 5.0, 1.0)]);
        assert_eq!(mp.0.len(), 2);
        assert!(mp.0.iter().all(|p| p.interiors().is_empty()));
    }

    #[test]
    fn open_rings_are_closed_and_garbage_does_not_panic() {
        let mp = multipolygon_from_rings(vec![ring(&[(0.0, 0.0), (0.0, 1.0), (1.0, 1.0)])]);
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 4);
        let nan = multipolygon_from_rings(vec![
            ring(&[(f64::NAN, 0.0), (1.0, f64::NAN)]),
            ring(&[]),
            ring(&[(1.0, 1.0)]),
            ccw(f64::INFINITY, 0.0, 1.0),
        ]);
        assert_eq!(
            nan.0.len(),
            3,
            "empty rings are dropped, every other ring kept"
        );
    }
}
