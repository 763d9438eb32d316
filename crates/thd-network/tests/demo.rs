//! The official GraceTHD 2.0.1 demonstration delivery, decoded: the counts its documentation gives, the types of
//! its attributes, and the links between its objects. Read from `../shared`; skipped when it is absent.

use std::path::Path;
use thd_network::{Decoded, decode};

fn demo() -> Option<Decoded> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/gracethd-demo-v2.0.1");
    if !path.is_dir() {
        eprintln!("skipped: {} not found", path.display());
        return None;
    }
    let raw = thd_read::read_delivery(&path).expect("the demo delivery is readable");
    Some(decode(&raw).expect("the demo delivery is GraceTHD 2.0.1"))
}

#[test]
fn the_demo_has_the_documented_counts() {
    let Some(decoded) = demo() else { return };
    let counts = decoded.network.counts();
    for (kind, expected) in [
        ("nodes", 27),
        ("paths", 25),
        ("cable_lines", 22),
        ("cables", 49),
        ("fibres", 1051),
        ("addresses", 16),
        ("premises", 21),
        ("tech_points", 9),
        ("enclosures", 27),
        ("ducts", 25),
        ("duct_paths", 27),
        ("cable_ducts", 12),
    ] {
        assert_eq!(counts[kind], expected, "{kind}");
    }
}

#[test]
fn the_demo_attributes_decode_with_their_types() {
    let Some(decoded) = demo() else { return };
    let network = &decoded.network;

    // Every node stands in Lambert-93 metres over Brittany's latitude band.
    for (_, code, node) in network.nodes.iter() {
        let point = node
            .location
            .unwrap_or_else(|| panic!("{code} has a location"));
        assert!(
            (100_000.0..1_300_000.0).contains(&point.x()),
            "{code} x={}",
            point.x()
        );
        assert!(
            (6_000_000.0..7_200_000.0).contains(&point.y()),
            "{code} y={}",
            point.y()
        );
    }
    // Paths join two known nodes and carry a line whose ends are near them.
    for (_, code, path) in network.paths.iter() {
        let (from, to) = (path.from.expect(code), path.to.expect(code));
        let line = path.line.as_ref().expect(code);
        let start = network.nodes.get(from).location.unwrap();
        let end = network.nodes.get(to).location.unwrap();
        let near =
            |a: geo_types::Coord, b: geo_types::Point| (a.x - b.x()).hypot(a.y - b.y()) < 1.0;
        let (first, last) = (line.0[0], *line.0.last().unwrap());
        assert!(
            (near(first, start) && near(last, end)) || (near(first, end) && near(last, start)),
            "{code} runs between its nodes"
        );
        assert_eq!(
            network.code(path.life.status.unwrap()),
            "AVP",
            "{code} is at AVP"
        );
    }
    // Cables have capacities that are fibre counts; the fibres of each cable never exceed its capacity.
    let mut fibres_per_cable = std::collections::HashMap::new();
    for (_, _, fibre) in network.fibres.iter() {
        *fibres_per_cable.entry(fibre.cable.unwrap()).or_insert(0u32) += 1;
    }
    for (id, code, cable) in network.cables.iter() {
        let capacity = cable.capacity.unwrap_or_else(|| panic!("{code} capacity"));
        assert!(
            [6, 12, 24, 36, 48, 72, 96, 144, 288, 432, 576, 720].contains(&capacity),
            "{code}: {capacity}"
        );
        assert!(
            fibres_per_cable.get(&id).copied().unwrap_or(0) <= capacity,
            "{code}"
        );
    }
    // Boxes are BPE, PBO or PTO and sit on technical points; premises sit at addresses.
    for (_, code, enclosure) in network.enclosures.iter() {
        let kind = network.code(enclosure.logical.unwrap_or_else(|| panic!("{code} type")));
        assert!(
            ["BPE", "PBO", "PTO", "DTI"].contains(&kind),
            "{code}: {kind}"
        );
    }
    assert!(network.premises.iter().all(|(_, _, p)| p.address.is_some()));
    assert!(network.plugs() > 0);
}

#[test]
fn the_demo_decodes_without_value_errors() {
    let Some(decoded) = demo() else { return };
    let errors: Vec<String> = decoded
        .diagnostics
        .iter()
        .filter(|d| d.severity >= thd_diag::Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
