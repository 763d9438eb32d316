//! The declared geometry type of a GeoPackage feature column, from the model and the geometries, and how the
//! blobs of that column are written (`thd_geo::gpkg` encodes them): QGIS and GDAL expect every geometry of a
//! `MULTILINESTRING` column to be a multi-line, so an export fits each geometry to its column.

use geo_types::Geometry;
use thd_geo::gpkg::Parts;
use thd_model::GeometryKind;

/// The shape family of a geometry column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Point,
    Line,
    Polygon,
}

/// The declared type of a geometry column: a family, single or multi, or any geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ColumnGeometry {
    /// `None` for a table the model does not know whose geometries mix families (`GEOMETRY`).
    family: Option<Family>,
    multi: bool,
}

impl ColumnGeometry {
    /// The column type for a table's geometries: the model's kind, made multi when a geometry has several parts
    /// (a shapefile polyline may, whatever the model says); for a table the model does not know, what the
    /// geometries are. `Err((row, reason))` when a geometry is of another family than the model's.
    pub(crate) fn of<'g>(
        kind: Option<GeometryKind>,
        geometries: impl Iterator<Item = (usize, &'g Geometry<f64>)>,
    ) -> Result<Self, (usize, String)> {
        let mut family = kind.map(Family::of_kind);
        let mut multi = kind.is_some_and(|k| {
            matches!(
                k,
                GeometryKind::MultiPoint
                    | GeometryKind::MultiLineString
                    | GeometryKind::MultiPolygon
            )
        });
        let mut mixed = false;
        for (row, geometry) in geometries {
            let Some((f, parts)) = Family::of(geometry) else {
                mixed = true;
                continue;
            };
            match family {
                Some(expected) if expected != f => {
                    if kind.is_some() {
                        return Err((row, format!("a {f:?} geometry in a {expected:?} table")));
                    }
                    mixed = true;
                }
                None => family = Some(f),
                _ => {}
            }
            multi |= parts != 1;
        }
        Ok(ColumnGeometry {
            family: if mixed {
                None
            } else {
                family.or(Some(Family::Point))
            },
            multi,
        })
    }

    /// How the blobs of this column write single and multi geometries: a single-part multi geometry becomes
    /// single in a single column, a single one becomes multi in a multi column, and a `GEOMETRY` column takes
    /// each as it is.
    pub(crate) fn parts(self) -> Parts {
        match (self.family, self.multi) {
            (None, _) => Parts::AsGiven,
            (Some(_), true) => Parts::Multi,
            (Some(_), false) => Parts::Single,
        }
    }

    /// The `geometry_type_name` of `gpkg_geometry_columns`, also the column's declared SQL type.
    pub(crate) fn name(self) -> &'static str {
        match (self.family, self.multi) {
            (None, _) => "GEOMETRY",
            (Some(Family::Point), false) => "POINT",
            (Some(Family::Point), true) => "MULTIPOINT",
            (Some(Family::Line), false) => "LINESTRING",
            (Some(Family::Line), true) => "MULTILINESTRING",
            (Some(Family::Polygon), false) => "POLYGON",
            (Some(Family::Polygon), true) => "MULTIPOLYGON",
        }
    }
}

impl Family {
    fn of_kind(kind: GeometryKind) -> Self {
        match kind {
            GeometryKind::Point | GeometryKind::MultiPoint => Family::Point,
            GeometryKind::LineString | GeometryKind::MultiLineString => Family::Line,
            GeometryKind::Polygon | GeometryKind::MultiPolygon => Family::Polygon,
        }
    }

    /// The family of a geometry and its number of parts; `None` for a collection.
    fn of(geometry: &Geometry<f64>) -> Option<(Self, usize)> {
        Some(match geometry {
            Geometry::Point(_) => (Family::Point, 1),
            Geometry::MultiPoint(m) => (Family::Point, m.0.len()),
            Geometry::Line(_) | Geometry::LineString(_) => (Family::Line, 1),
            Geometry::MultiLineString(m) => (Family::Line, m.0.len()),
            Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
                (Family::Polygon, 1)
            }
            Geometry::MultiPolygon(m) => (Family::Polygon, m.0.len()),
            Geometry::GeometryCollection(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{MultiPolygon, line_string, point, polygon};

    fn column(kind: Option<GeometryKind>, geometries: &[Geometry]) -> ColumnGeometry {
        ColumnGeometry::of(kind, geometries.iter().enumerate()).expect("fits")
    }

    #[test]
    fn column_types_follow_the_model_widened_to_multi_when_parts_say_so() {
        let one: Geometry =
            MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.)]]).into();
        assert_eq!(
            column(Some(GeometryKind::Polygon), &[one]).name(),
            "POLYGON"
        );
        let line: Geometry = line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into();
        let two: Geometry = geo_types::MultiLineString::new(vec![
            line_string![(x: 0., y: 0.), (x: 1., y: 1.)],
            line_string![(x: 2., y: 2.), (x: 3., y: 3.)],
        ])
        .into();
        assert_eq!(
            column(Some(GeometryKind::LineString), &[line.clone(), two]).name(),
            "MULTILINESTRING"
        );
        assert_eq!(
            column(None, std::slice::from_ref(&line)).name(),
            "LINESTRING"
        );
        let mixed = [line.clone(), point!(x: 0., y: 0.).into()];
        assert_eq!(column(None, &mixed).name(), "GEOMETRY");
        let err = ColumnGeometry::of(Some(GeometryKind::Point), mixed.iter().enumerate());
        assert_eq!(err.map_err(|(row, _)| row), Err(0));
    }

    #[test]
    fn blobs_fit_the_column_type() {
        let g: Geometry = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)].into();
        let multi = column(Some(GeometryKind::MultiPolygon), std::slice::from_ref(&g));
        assert_eq!(multi.name(), "MULTIPOLYGON");
        assert_eq!(multi.parts(), Parts::Multi);
        let single = column(Some(GeometryKind::Point), &[point!(x: 1., y: 2.).into()]);
        assert_eq!(single.parts(), Parts::Single);
        let mixed = [g, point!(x: 0., y: 0.).into()];
        assert_eq!(column(None, &mixed).parts(), Parts::AsGiven);
    }
}
