//! The IPE file of the official GraceTHD 2.0.1 demonstration delivery, checked against figures read another way:
//! the raw cells of `t_adresse` (not the typed network) and the SRO zone's polygon (not the plug index's zone
//! locator). Read from `../shared`; skipped when it is absent.

use geo::Contains;
use std::path::Path;
use thd_model::RawDelivery;
use thd_plan::{PhaseMap, PlugIndex, ZoneAcceptances, ipe_rows, write_ipe};

fn demo() -> Option<RawDelivery> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/gracethd-demo-v2.0.1");
    if !path.is_dir() {
        eprintln!("skipped: {} not found", path.display());
        return None;
    }
    Some(thd_read::read_delivery(&path).expect("the demo delivery is readable"))
}

/// The cells of one column of the raw `t_adresse`, in file order.
fn cells<'a>(raw: &'a RawDelivery, column: &str) -> Vec<Option<&'a str>> {
    let table = raw.table("t_adresse").unwrap();
    let index = table.column_index(column).unwrap();
    (0..table.len()).map(|row| table.cell(row, index)).collect()
}

#[test]
fn the_demo_gives_one_line_per_address_with_its_dwellings_and_pm() {
    let Some(raw) = demo() else { return };
    let network = thd_network::decode(&raw).unwrap().network;
    let index = PlugIndex::build(&network, &PhaseMap::default(), &ZoneAcceptances::new());
    let rows = ipe_rows(&network, &index);
    let mut out = Vec::new();
    write_ipe(&rows, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(';').collect())
        .collect();
    let header: Vec<&str> = text.lines().next().unwrap().split(';').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();

    // 16 addresses in the DBF, 16 lines, in the file's order.
    let codes: Vec<&str> = cells(&raw, "ad_code").into_iter().flatten().collect();
    assert_eq!(codes.len(), 16);
    let written: Vec<&str> = lines
        .iter()
        .map(|l| l[column("IdentifiantImmeuble")])
        .collect();
    assert_eq!(written, codes);

    // Dwellings: the sum of the raw ad_nblhab cells (19 by a DBF dump; one address leaves it empty).
    let raw_sum: u64 = cells(&raw, "ad_nblhab")
        .into_iter()
        .flatten()
        .filter_map(|c| c.trim().parse::<u64>().ok())
        .sum();
    assert_eq!(raw_sum, 19);
    let written_sum: u64 = lines
        .iter()
        .filter_map(|l| l[column("NombreLogementsAdresseIPE")].parse::<u64>().ok())
        .sum();
    assert_eq!(written_sum, raw_sum);

    // Every address the DBF marks CI is published CIBLE; the one without ad_ietat has no state.
    let targeted = cells(&raw, "ad_ietat")
        .into_iter()
        .filter(|c| *c == Some("CI"))
        .count();
    assert_eq!(targeted, 15);
    let states: Vec<&str> = lines.iter().map(|l| l[column("EtatImmeuble")]).collect();
    assert_eq!(states.iter().filter(|s| **s == "CIBLE").count(), targeted);
    assert_eq!(states.iter().filter(|s| s.is_empty()).count(), 1);

    // PM7 (zs_refpm of the only SRO zone, with no zs_etatpm: first-appearance state) serves exactly the
    // addresses inside the zone's polygon.
    let zone = network.sro_zones.by_code("ZS000000000007").unwrap();
    let area = zone.area.as_ref().unwrap();
    for (line, (_, code, address)) in lines.iter().zip(network.addresses.iter()) {
        let inside = area.contains(&address.location.unwrap());
        let pm = (line[column("ReferencePM")], line[column("EtatPM")]);
        let expected = if inside {
            ("PM7", "EN COURS DE DEPLOIEMENT")
        } else {
            ("", "")
        };
        assert_eq!(pm, expected, "{code}");
    }
    assert_eq!(
        lines
            .iter()
            .filter(|l| l[column("ReferencePM")] == "PM7")
            .count(),
        15,
        "all but the address 500 m north-east of the others"
    );
}
