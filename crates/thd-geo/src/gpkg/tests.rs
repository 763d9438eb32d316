//! Tests of the GeoPackage blob codec: byte-for-byte agreement with GDAL, exact round trips, the column
//! coercions of the writer, and refusal (never a panic) of damaged or hostile blobs.

use super::*;
use geo_types::{line_string, point, polygon};
use proptest::prelude::*;

fn blob_of(g: &Geometry<f64>, parts: Parts) -> Vec<u8> {
    let mut out = Vec::new();
    encode(g, 2154, parts, &mut out);
    out
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A little-endian GeoPackage header with no envelope, then `wkb`.
fn raw_blob(srs: i32, wkb: &[u8]) -> Vec<u8> {
    let mut b = vec![b'G', b'P', 0, 0b0000_0001];
    b.extend_from_slice(&srs.to_le_bytes());
    b.extend_from_slice(wkb);
    b
}

fn wkb_point(x: f64, y: f64) -> Vec<u8> {
    let mut w = vec![1];
    w.extend_from_slice(&1u32.to_le_bytes());
    w.extend_from_slice(&x.to_le_bytes());
    w.extend_from_slice(&y.to_le_bytes());
    w
}

fn decoded(blob: &[u8]) -> Geometry<f64> {
    decode(blob)
        .expect("decodes")
        .geometry
        .expect("has a geometry")
}

/// Blobs written by GDAL 3.6.2 (`ogr2ogr -f GPKG ref.gpkg ref.csv -a_srs EPSG:2154 -nlt GEOMETRY` from WKT in
/// a CSV file, then `SELECT hex(geom)`), with the WKT each was made from.
const GDAL: [(&str, &str); 3] = [
    (
        "POINT (351234.5 6789012.25)",
        "475000016A0800000101000000000000000A70154100000010E5E55941",
    ),
    (
        "LINESTRING (351000 6789000,351010.5 6789020.25,351030 6789005)",
        "475000036A08000000000000606C154100000000D86C154100000000E2E5594100000010E7E55941010200000003000000\
         00000000606C154100000000E2E55941000000008A6C154100000010E7E5594100000000D86C154100000040E3E55941",
    ),
    (
        "MULTIPOLYGON (((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 1)))",
        "475000036A08000000000000000000000000000000001040000000000000000000000000000010400106000000010000\
         000103000000020000000500000000000000000000000000000000000000000000000000104000000000000000000000\
         000000001040000000000000104000000000000000000000000000001040000000000000000000000000000000000400\
         0000000000000000F03F000000000000F03F0000000000000040000000000000F03F0000000000000040000000000000\
         0040000000000000F03F000000000000F03F",
    ),
];

fn gdal_geometries() -> [Geometry<f64>; 3] {
    [
        point!(x: 351_234.5, y: 6_789_012.25).into(),
        line_string![(x: 351_000., y: 6_789_000.), (x: 351_010.5, y: 6_789_020.25), (x: 351_030., y: 6_789_005.)]
            .into(),
        MultiPolygon::new(vec![Polygon::new(
            line_string![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.), (x: 0., y: 0.)],
            vec![line_string![(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 1.)]],
        )])
        .into(),
    ]
}

#[test]
fn encoding_gives_the_bytes_gdal_writes() {
    for ((wkt, gdal), g) in GDAL.iter().zip(gdal_geometries()) {
        assert_eq!(blob_of(&g, Parts::AsGiven), hex(gdal), "{wkt}");
    }
}

#[test]
fn gdal_blobs_decode_to_their_geometries() {
    for ((wkt, gdal), g) in GDAL.iter().zip(gdal_geometries()) {
        let d = decode(&hex(gdal)).expect(wkt);
        assert_eq!(d.srs_id, 2154);
        assert!(!d.empty);
        assert_eq!(d.geometry, Some(g), "{wkt}");
    }
    // GDAL's `LINESTRING Z (1 2 3,4 5 6)`: XYZ envelope (indicator 2), ISO type 1002; decoded in 2D.
    let z = hex(
        "475000056A080000000000000000F03F0000000000001040000000000000004000000000000014400000000000000840\
         000000000000184001EA03000002000000000000000000F03F00000000000000400000000000000840000000000000\
         104000000000000014400000000000001840",
    );
    assert_eq!(
        decoded(&z),
        line_string![(x: 1., y: 2.), (x: 4., y: 5.)].into()
    );
}

#[test]
fn geometries_come_back_exactly_as_given() {
    let square = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)];
    let with_hole = Polygon::new(
        square.exterior().clone(),
        vec![line_string![(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 1.)]],
    );
    let holes_only = Polygon::new(LineString::new(vec![]), with_hole.interiors().to_vec());
    let geometries: Vec<Geometry<f64>> = vec![
        point!(x: 351_234.5, y: 6_789_012.25).into(),
        line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into(),
        MultiLineString::new(vec![line_string![(x: 0., y: 0.), (x: 1., y: 1.)]]).into(),
        square.clone().into(),
        holes_only.into(),
        MultiPolygon::new(vec![square, with_hole]).into(),
        MultiPoint::from(vec![(1., 2.), (3., 4.)]).into(),
        Geometry::GeometryCollection(GeometryCollection::new_from(vec![
            point!(x: 1., y: 2.).into(),
            line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into(),
        ])),
        LineString::<f64>::new(vec![]).into(),
        Polygon::<f64>::new(LineString::new(vec![]), vec![]).into(),
    ];
    for g in geometries {
        assert_eq!(decoded(&blob_of(&g, Parts::AsGiven)), g);
    }
}

#[test]
fn the_header_carries_srs_and_envelope() {
    let line: Geometry = line_string![(x: 3., y: 1.), (x: 1., y: 5.)].into();
    let mut out = Vec::new();
    let e = encode(&line, 2154, Parts::AsGiven, &mut out);
    let expected = Envelope {
        min_x: 1.,
        max_x: 3.,
        min_y: 1.,
        max_y: 5.,
    };
    assert_eq!(e, Some(expected));
    assert_eq!(&out[..8], &[b'G', b'P', 0, 3, 0x6a, 0x08, 0, 0]);
    assert_eq!(&out[8..16], &1f64.to_le_bytes());
    assert_eq!(&out[32..40], &5f64.to_le_bytes());
    assert_eq!(decode(&out).map(|d| d.srs_id), Ok(2154));
}

#[test]
fn a_point_has_no_envelope_in_its_header_but_returns_one() {
    let g: Geometry = point!(x: 1.0, y: 2.0).into();
    let mut out = Vec::new();
    let e = encode(&g, 2154, Parts::Single, &mut out);
    let at = |x, y| Envelope {
        min_x: x,
        max_x: x,
        min_y: y,
        max_y: y,
    };
    assert_eq!(e, Some(at(1.0, 2.0)));
    assert_eq!(out.len(), 8 + 21);
    assert_eq!(&out[..4], b"GP\x00\x01");
    assert_eq!(&out[8..13], &[1, 1, 0, 0, 0]);
    assert_eq!(&out[13..21], &1.0f64.to_le_bytes());
    assert_eq!(
        at(1.0, 2.0).union(at(-1.0, 5.0)),
        Envelope {
            min_x: -1.0,
            max_x: 1.0,
            min_y: 2.0,
            max_y: 5.0
        }
    );
}

#[test]
fn parts_fit_a_single_or_multi_column() {
    let triangle = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)];
    let out = blob_of(&triangle.clone().into(), Parts::Multi);
    assert_eq!(
        &out[40..49],
        &[1, 6, 0, 0, 0, 1, 0, 0, 0],
        "multipolygon of one"
    );
    assert_eq!(&out[49..54], &[1, 3, 0, 0, 0], "then the polygon");
    assert_eq!(
        decoded(&out),
        MultiPolygon::new(vec![triangle.clone()]).into()
    );

    let one: Geometry = MultiPolygon::new(vec![triangle.clone()]).into();
    assert_eq!(decoded(&blob_of(&one, Parts::Single)), triangle.into());
    let one_point: Geometry = MultiPoint::from(vec![(1., 2.)]).into();
    let out = blob_of(&one_point, Parts::Single);
    assert_eq!(out.len(), 8 + 21, "written as a point, without envelope");
    assert_eq!(decoded(&out), point!(x: 1., y: 2.).into());
    let line: Geometry = line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into();
    assert_eq!(
        decoded(&blob_of(&line, Parts::Multi)),
        MultiLineString::new(vec![line_string![(x: 0., y: 0.), (x: 1., y: 1.)]]).into()
    );
    // A point in a multi column is a multipoint, and keeps its envelope.
    let out = blob_of(&point!(x: 1., y: 2.).into(), Parts::Multi);
    assert_eq!(out[3], 3);
    // Two parts stay two parts whatever the column says.
    let two = MultiPoint::from(vec![(1., 2.), (3., 4.)]).into();
    assert_eq!(decoded(&blob_of(&two, Parts::Single)), two);
}

#[test]
fn an_empty_geometry_sets_the_empty_flag_and_keeps_its_type() {
    let g: Geometry = LineString::<f64>::new(vec![]).into();
    let mut out = Vec::new();
    assert_eq!(encode(&g, 2154, Parts::Single, &mut out), None);
    assert_eq!(&out[..4], b"GP\x00\x11");
    assert_eq!(&out[8..], &[1, 2, 0, 0, 0, 0, 0, 0, 0]);
    let d = decode(&out).expect("empty line");
    assert!(d.empty);
    assert_eq!(d.geometry, Some(g));
    // Flagged empty with no WKB at all: nothing to give back.
    let mut bare = raw_blob(2154, &[]);
    bare[3] |= EMPTY;
    assert_eq!(
        decode(&bare),
        Ok(GpkgGeometry {
            srs_id: 2154,
            empty: true,
            geometry: None
        })
    );
}

#[test]
fn big_endian_headers_and_wkb_decode() {
    let mut b = vec![b'G', b'P', 0, 0b0000_0010];
    b.extend_from_slice(&4326i32.to_be_bytes());
    for v in [0.0f64, 1.0, 0.0, 1.0] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    b.push(0);
    b.extend_from_slice(&2u32.to_be_bytes());
    b.extend_from_slice(&2u32.to_be_bytes());
    for v in [0.0f64, 0.0, 1.0, 1.0] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    let d = decode(&b).expect("line");
    assert_eq!(d.srs_id, 4326);
    assert_eq!(
        d.geometry,
        Some(line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into())
    );
}

#[test]
fn multipoints_of_z_points_decode_in_2d() {
    let mut w = vec![1];
    w.extend_from_slice(&1004u32.to_le_bytes());
    w.extend_from_slice(&1u32.to_le_bytes());
    w.push(1);
    w.extend_from_slice(&1001u32.to_le_bytes());
    for v in [3.0f64, 4.0, 5.0] {
        w.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(
        decoded(&raw_blob(2154, &w)),
        MultiPoint::from(vec![(3., 4.)]).into()
    );
}

#[test]
fn damaged_headers_are_errors() {
    assert_eq!(decode(b"GP"), Err(BlobError::TooShort(2)));
    assert_eq!(decode(b"XX\0\x01\0\0\0\0"), Err(BlobError::Magic));
    assert_eq!(decode(b"GP\x01\x01\0\0\0\0"), Err(BlobError::Version(1)));
    assert_eq!(decode(b"GP\0\x21\0\0\0\0"), Err(BlobError::Extended));
    assert_eq!(decode(b"GP\0\x0b\0\0\0\0"), Err(BlobError::Envelope(5)));
    // An XY envelope announced but cut short.
    assert_eq!(
        decode(b"GP\0\x03\0\0\0\0\0\0"),
        Err(BlobError::TooShort(10))
    );
    assert_eq!(
        decode(&raw_blob(2154, &[2, 1, 0, 0, 0])),
        Err(BlobError::Wkb("byte order is neither 0 nor 1"))
    );
}

#[test]
fn every_truncation_of_a_blob_is_an_error() {
    for g in gdal_geometries() {
        let out = blob_of(&g, Parts::AsGiven);
        for len in 0..out.len() {
            assert!(decode(&out[..len]).is_err(), "{g:?}: prefix of {len} bytes");
        }
    }
}

#[test]
fn lying_counts_and_unsupported_types_are_errors() {
    let line = blob_of(
        &line_string![(x: 3., y: 1.), (x: 1., y: 5.)].into(),
        Parts::AsGiven,
    );
    let mut huge = line.clone();
    huge[8 + 32 + 5..8 + 32 + 9].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        decode(&huge),
        Err(BlobError::Wkb("count larger than the blob"))
    );
    let mut huge_multi = vec![1];
    huge_multi.extend_from_slice(&7u32.to_le_bytes());
    huge_multi.extend_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(
        decode(&raw_blob(2154, &huge_multi)),
        Err(BlobError::Wkb("count larger than the blob"))
    );
    // A collection of a collection of ... deeper than allowed.
    let mut deep = Vec::new();
    for _ in 0..20 {
        deep.push(1);
        deep.extend_from_slice(&7u32.to_le_bytes());
        deep.extend_from_slice(&1u32.to_le_bytes());
    }
    deep.extend(wkb_point(1.0, 2.0));
    assert_eq!(
        decode(&raw_blob(2154, &deep)),
        Err(BlobError::Wkb("collections nested too deep"))
    );
    // A multipoint holding a line.
    let mut wrong = vec![1];
    wrong.extend_from_slice(&4u32.to_le_bytes());
    wrong.extend_from_slice(&1u32.to_le_bytes());
    wrong.extend_from_slice(&line[40..]);
    assert_eq!(
        decode(&raw_blob(2154, &wrong)),
        Err(BlobError::Wkb("multi-geometry member of the wrong type"))
    );
    // A circular string (curves are not GraceTHD), and EWKB's SRID flag.
    let mut curve = vec![1];
    curve.extend_from_slice(&8u32.to_le_bytes());
    assert_eq!(
        decode(&raw_blob(2154, &curve)),
        Err(BlobError::UnsupportedType(8))
    );
    let mut ewkb = vec![1];
    ewkb.extend_from_slice(&0x2000_0001u32.to_le_bytes());
    assert_eq!(
        decode(&raw_blob(2154, &ewkb)),
        Err(BlobError::UnsupportedType(0x2000_0001))
    );
}

fn coord() -> impl Strategy<Value = Coord> {
    (100_000.0..1_200_000.0f64, 6_000_000.0..7_200_000.0f64).prop_map(|(x, y)| Coord { x, y })
}

fn line() -> impl Strategy<Value = LineString> {
    prop::collection::vec(coord(), 0..6).prop_map(LineString::new)
}

fn closed_ring() -> impl Strategy<Value = LineString> {
    prop::collection::vec(coord(), 3..6).prop_map(|mut c| {
        c.push(c[0]);
        LineString::new(c)
    })
}

fn polygon() -> impl Strategy<Value = Polygon> {
    (closed_ring(), prop::collection::vec(closed_ring(), 0..3))
        .prop_map(|(exterior, holes)| Polygon::new(exterior, holes))
}

fn geometry() -> impl Strategy<Value = Geometry<f64>> {
    prop_oneof![
        coord().prop_map(|c| Point(c).into()),
        line().prop_map(Geometry::from),
        polygon().prop_map(Geometry::from),
        prop::collection::vec(coord().prop_map(Point), 0..4)
            .prop_map(|p| MultiPoint::new(p).into()),
        prop::collection::vec(line(), 0..4).prop_map(|l| MultiLineString::new(l).into()),
        prop::collection::vec(polygon(), 0..3).prop_map(|p| MultiPolygon::new(p).into()),
    ]
}

proptest! {
    #[test]
    fn any_geometry_round_trips(g in geometry()) {
        let blob = blob_of(&g, Parts::AsGiven);
        let d = decode(&blob).expect("own blob decodes");
        prop_assert_eq!(d.empty, Envelope::of(&g).is_none());
        prop_assert_eq!(d.geometry, Some(g));
    }

    #[test]
    fn decoding_never_panics(
        noise in prop::collection::vec(any::<u8>(), 0..300),
        flags in any::<u8>(),
        wkb in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let _ = decode(&noise);
        let mut blob = vec![b'G', b'P', 0, flags, 0x6A, 0x08, 0, 0];
        blob.extend(wkb);
        let _ = decode(&blob);
    }

    #[test]
    fn damaged_own_blobs_never_panic(g in geometry(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut blob = blob_of(&g, Parts::AsGiven);
        let i = at.index(blob.len());
        blob[i] = byte;
        let _ = decode(&blob);
    }
}
