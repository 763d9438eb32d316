//! The address and SRO-zone attributes the IPE file publishes, decoded from hand-built 2.0.1 and 3 deliveries:
//! each value below is the one written in the cells, dates in both spellings deliveries use.

use chrono::NaiveDate;
use geo_types::{Geometry, MultiPoint, Point};
use thd_model::{GraceVersion, RawDelivery, RawTable, RawTableBuilder, SourceFormat};
use thd_network::{Network, decode};

fn spatial(name: &str, columns: &[&str], rows: &[(&[&str], Option<Geometry>)]) -> RawTable {
    let mut builder = RawTableBuilder::new(
        name,
        format!("{name}.shp"),
        SourceFormat::Shapefile,
        columns.iter().map(|c| c.to_string()).collect(),
    )
    .spatial();
    for (row, geometry) in rows {
        builder.push_row(row.iter().map(|c| (!c.is_empty()).then_some(*c)));
        builder.push_geometry(geometry.clone());
    }
    builder.finish()
}

fn network(version: GraceVersion, tables: Vec<RawTable>) -> Network {
    let raw = RawDelivery {
        origin: "ipe attributes".into(),
        version: Some(version),
        tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
        ..RawDelivery::default()
    };
    decode(&raw).unwrap().network
}

fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[test]
fn addresses_and_sro_zones_of_2_0_1_carry_their_ipe_attributes() {
    let at = Some(Geometry::Point(Point::new(300_000.0, 6_800_000.0)));
    let network = network(
        GraceVersion::V2_0_1,
        vec![
            spatial(
                "t_adresse",
                &[
                    "ad_code",
                    "ad_postal",
                    "ad_nomvoie",
                    "ad_numero",
                    "ad_rep",
                    "ad_hexacle",
                    "ad_nombat",
                    "ad_batcode",
                    "ad_idatcab",
                    "ad_idatcom",
                ],
                &[
                    (
                        &[
                            "AD1",
                            "29200",
                            "RUE DE SIAM",
                            "12",
                            "B",
                            "29019222AB",
                            "BAT A",
                            "BATIMENT0000000295374065",
                            "2022-03-01",
                            "01/06/2022",
                        ],
                        at.clone(),
                    ),
                    (&["AD2", "", "", "", "", "", "", "", "mars", ""], at.clone()),
                ],
            ),
            spatial(
                "t_zsro",
                &[
                    "zs_code",
                    "zs_refpm",
                    "zs_etatpm",
                    "zs_typeemp",
                    "zs_dateins",
                    "zs_datemad",
                    "zs_datcomr",
                ],
                &[
                    (
                        &[
                            "ZS1",
                            "PM_29019_1",
                            "DP",
                            "ADR",
                            "15/01/2022",
                            "2022-02-01",
                            "2022-05-01",
                        ],
                        None,
                    ),
                    (&["ZS2", "", "", "", "", "", ""], None),
                ],
            ),
            spatial(
                "t_zpbo",
                &["zp_code", "zp_zs_code"],
                &[(&["ZP1", "ZS1"], None)],
            ),
        ],
    );

    let ad1 = network.addresses.by_code("AD1").unwrap();
    assert_eq!(ad1.postal_code.as_deref(), Some("29200"));
    assert_eq!(ad1.street.as_deref(), Some("RUE DE SIAM"));
    assert_eq!(ad1.number, Some(12));
    assert_eq!(ad1.number_suffix.as_deref(), Some("B"));
    assert_eq!(ad1.hexacle.as_deref(), Some("29019222AB"));
    assert_eq!(ad1.building_name.as_deref(), Some("BAT A"));
    assert_eq!(
        ad1.building_code.as_deref(),
        Some("BATIMENT0000000295374065")
    );
    assert_eq!(ad1.cabled, day(2022, 3, 1), "ISO date");
    assert_eq!(ad1.commercial_opening, day(2022, 6, 1), "French date");
    let ad2 = network.addresses.by_code("AD2").unwrap();
    assert_eq!(
        (&ad2.postal_code, &ad2.number_suffix, ad2.cabled),
        (&None, &None, None),
        "empty cells and an unreadable date read as absent"
    );

    let zs1 = network.sro_zones.by_code("ZS1").unwrap();
    let pm = zs1.access_point.as_ref().unwrap();
    assert_eq!(pm.reference.as_deref(), Some("PM_29019_1"));
    assert_eq!(network.code(pm.state.unwrap()), "DP");
    assert_eq!(network.code(pm.placement.unwrap()), "ADR");
    assert_eq!(zs1.life.installed, day(2022, 1, 15), "zs_dateins");
    assert_eq!(pm.first_available, day(2022, 2, 1));
    assert_eq!(pm.commercial_opening, day(2022, 5, 1));
    let zs2 = network.sro_zones.by_code("ZS2").unwrap();
    assert_eq!(
        zs2.access_point,
        Some(Default::default()),
        "an SRO zone always has an access point, here with nothing known"
    );
    assert_eq!(
        network.pbo_zones.by_code("ZP1").unwrap().access_point,
        None,
        "only SRO zones have one"
    );
}

#[test]
fn version_3_gives_the_attributes_it_has_and_none_for_the_others() {
    let at = Some(Geometry::MultiPoint(MultiPoint::new(vec![Point::new(
        300_000.0,
        6_800_000.0,
    )])));
    let network = network(
        GraceVersion::V3,
        vec![
            spatial(
                "t_adresse",
                &[
                    "ad_code",
                    "ad_postal",
                    "ad_rep",
                    "ad_hexacle",
                    "ad_nombat",
                    "ad_batcode",
                    "ad_nblres",
                ],
                &[(
                    &["AD1", "35000", "T", "35238111XY", "TOUR 2", "B35", "40"],
                    at,
                )],
            ),
            spatial(
                "t_zsro",
                &["zs_code", "zs_refpm", "zs_etatpm"],
                &[(&["ZS1", "PM_35238_4", "EC"], None)],
            ),
        ],
    );
    let ad1 = network.addresses.by_code("AD1").unwrap();
    assert_eq!(ad1.postal_code.as_deref(), Some("35000"));
    assert_eq!(ad1.number_suffix.as_deref(), Some("T"));
    assert_eq!(ad1.hexacle.as_deref(), Some("35238111XY"));
    assert_eq!(ad1.building_name.as_deref(), Some("TOUR 2"));
    assert_eq!(ad1.building_code.as_deref(), Some("B35"));
    assert_eq!(ad1.dwellings, Some(40));
    assert_eq!(
        (ad1.cabled, ad1.commercial_opening),
        (None, None),
        "v3 has no ad_idatcab nor ad_idatcom"
    );
    let pm = network
        .sro_zones
        .by_code("ZS1")
        .unwrap()
        .access_point
        .clone()
        .unwrap();
    assert_eq!(pm.reference.as_deref(), Some("PM_35238_4"));
    assert_eq!(network.code(pm.state.unwrap()), "EC");
    assert_eq!(
        (pm.placement, pm.first_available, pm.commercial_opening),
        (None, None, None)
    );
}
