//! The IPE file of a hand-built GraceTHD 2.0.1 network whose every line is worked out by hand below, and of the
//! official demo delivery.
//!
//! ```text
//!  SRO zones (areas side by side along x, from x0 = 300 000):
//!   ZS1 [x0, x0+1000)   PM1, EC, street cabinet, installed 2021-01-10, first made available 2021-02-01
//!                       PBO zone ZP1 on ND1 where BP1 (PBO, REC) is in service since 2021-03-15
//!   ZS2 [x0+2000, ..)   PM2, DP, indoor, installed 10/01/2021, commercial opening 2021-04-15
//!                       PBO zone ZP2 on ND2 where BP2 (PBO, existing) was installed 2021-02-01; ZD2 at AVP
//!   ZS3 [x0+4000, ..)   no PM reference
//!   ZS4 [x0+6000, ..)   PM4, PL (planned)
//!
//!  address  zone  ad_ietat  site in  dwellings  notes
//!  AD_CI    ZS1   CI        -        3          forecast from the phase due date (ZS1: 2021-12-31)
//!  AD_SI    ZS1   SI        -        2          ad_idatcab 2021-09-01
//!  AD_EC    ZS1   EC        -        1
//!  AD_DE    ZS1   DE        ZP1      4          raccordable once ZS1 is in operation
//!  AD_DENP  ZS1   DE        -        1          no PBO known
//!  AD_AB    ZS1   AB        -        2
//!  AD_DE2   ZS2   DE        ZP2      5          PBO built, ZS2 not delivered; ad_idatcab 20/02/2021
//!  AD_NOPM  ZS3   CI        -        1          its zone has no PM reference
//!  AD_PL    ZS4   CI        -        1          its PM is only planned
//!  AD_OUT   none  (none)    -        (none)     outside every zone
//! ```

mod common;

use chrono::NaiveDate;
use common::*;
use geo_types::{Geometry, MultiPoint, Point};
use thd_model::{GraceVersion, RawDelivery};
use thd_network::Network;
use thd_plan::ipe::{AccessPointState, Placement};
use thd_plan::{
    IpeRow, PhaseMap, PlugIndex, ZoneAcceptances, ZoneHandover, ipe_columns, ipe_rows, write_ipe,
};

const X: f64 = 300_000.0;
const Y: f64 = 6_800_000.0;

fn network() -> Network {
    let zone = |i: f64| {
        rect(
            X + i * 2000.0,
            Y - 500.0,
            X + i * 2000.0 + 1000.0,
            Y + 500.0,
        )
    };
    let at = |dx: f64| point(X + dx, Y);
    decode_v2(vec![
        spatial(
            "t_noeud",
            &["nd_code"],
            &[(row(&["ND1"]), at(100.0)), (row(&["ND2"]), at(2100.0))],
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
                    row(&["ZS1", "PM1", "EC", "ADR", "2021-01-10", "2021-02-01", ""]),
                    zone(0.0),
                ),
                (
                    row(&["ZS2", "PM2", "DP", "PMI", "10/01/2021", "", "2021-04-15"]),
                    zone(1.0),
                ),
                (row(&["ZS3", "", "", "", "", "", ""]), zone(2.0)),
                (row(&["ZS4", "PM4", "PL", "", "", "", ""]), zone(3.0)),
            ],
        ),
        spatial(
            "t_zpbo",
            &["zp_code", "zp_nd_code", "zp_zs_code"],
            &[
                (row(&["ZP1", "ND1", "ZS1"]), None),
                (row(&["ZP2", "ND2", "ZS2"]), None),
            ],
        ),
        spatial(
            "t_zdep",
            &["zd_code", "zd_zs_code", "zd_statut"],
            &[(row(&["ZD2", "ZS2", "AVP"]), None)],
        ),
        table(
            "t_ptech",
            &["pt_code", "pt_nd_code"],
            &[row(&["PT1", "ND1"]), row(&["PT2", "ND2"])],
        ),
        table(
            "t_ebp",
            &[
                "bp_code",
                "bp_pt_code",
                "bp_typelog",
                "bp_statut",
                "bp_avct",
                "bp_dateins",
                "bp_datemes",
            ],
            &[
                row(&["BP1", "PT1", "PBO", "REC", "E", "", "2021-03-15"]),
                row(&["BP2", "PT2", "PBO", "EXE", "E", "2021-02-01", ""]),
            ],
        ),
        spatial(
            "t_adresse",
            &[
                "ad_code",
                "ad_hexacle",
                "ad_insee",
                "ad_postal",
                "ad_commune",
                "ad_nomvoie",
                "ad_numero",
                "ad_rep",
                "ad_nombat",
                "ad_batcode",
                "ad_nblhab",
                "ad_ietat",
                "ad_idatcab",
            ],
            &[
                (
                    row(&[
                        "AD_CI",
                        "2901922201",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE SIAM",
                        "1",
                        "",
                        "",
                        "",
                        "3",
                        "CI",
                        "",
                    ]),
                    at(10.0),
                ),
                (
                    row(&[
                        "AD_SI",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE SIAM",
                        "3",
                        "B",
                        "",
                        "BAT-E",
                        "2",
                        "SI",
                        "2021-09-01",
                    ]),
                    at(20.0),
                ),
                (
                    row(&[
                        "AD_EC",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE SIAM",
                        "5",
                        "",
                        "",
                        "",
                        "1",
                        "EC",
                        "",
                    ]),
                    at(30.0),
                ),
                (
                    row(&[
                        "AD_DE",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE SIAM",
                        "7",
                        "",
                        "RESIDENCE;LES PINS",
                        "BAT-D",
                        "4",
                        "DE",
                        "",
                    ]),
                    at(40.0),
                ),
                (
                    row(&[
                        "AD_DENP",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE SIAM",
                        "9",
                        "",
                        "",
                        "",
                        "1",
                        "DE",
                        "",
                    ]),
                    at(50.0),
                ),
                (
                    row(&[
                        "AD_AB",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE SIAM",
                        "11",
                        "",
                        "",
                        "",
                        "2",
                        "AB",
                        "",
                    ]),
                    at(60.0),
                ),
                (
                    row(&[
                        "AD_DE2",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE KERABECAM",
                        "2",
                        "",
                        "",
                        "",
                        "5",
                        "DE",
                        "20/02/2021",
                    ]),
                    at(2010.0),
                ),
                (
                    row(&[
                        "AD_NOPM",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE LYON",
                        "4",
                        "",
                        "",
                        "",
                        "1",
                        "CI",
                        "",
                    ]),
                    at(4010.0),
                ),
                (
                    row(&[
                        "AD_PL",
                        "",
                        "29019",
                        "29200",
                        "BREST",
                        "RUE DE LYON",
                        "6",
                        "",
                        "",
                        "",
                        "1",
                        "CI",
                        "",
                    ]),
                    at(6010.0),
                ),
                (
                    row(&[
                        "AD_OUT", "", "29019", "", "", "", "", "", "", "", "", "", "",
                    ]),
                    at(9010.0),
                ),
            ],
        ),
        table(
            "t_suf",
            &["sf_code", "sf_ad_code", "sf_zp_code"],
            &[
                row(&["SF1", "AD_DE", "ZP1"]),
                row(&["SF2", "AD_DE2", "ZP2"]),
            ],
        ),
    ])
}

const PHASES: &str =
    "scope,code,phase,tranche,contractor,due\nsro,ZS1,phase_1,t1,Acme,2021-12-31\n";

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn rows(network: &Network, acceptances: &ZoneAcceptances) -> Vec<IpeRow> {
    let phases = PhaseMap::parse(PHASES, "phases.csv").unwrap();
    ipe_rows(network, &PlugIndex::build(network, &phases, acceptances))
}

fn text(rows: &[IpeRow]) -> String {
    let mut out = Vec::new();
    write_ipe(rows, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The delegatee took ZS1 into operation on 2021-06-01.
fn zs1_in_operation() -> ZoneAcceptances {
    ZoneAcceptances::from([(
        "ZS1".to_owned(),
        ZoneHandover::in_operation(day(2021, 6, 1)),
    )])
}

#[test]
fn the_file_of_the_hand_built_network_line_by_line() {
    let network = network();
    let written = text(&rows(&network, &zs1_in_operation()));
    // Worked out from the table at the top of this file:
    // - PM1 is published DEPLOYE although its file says EC, since ZS1 is in operation; its commercial opening is
    //   its first making available (2021-02-01) + 3 months. PM2 is DP as delivered, opening as delivered. ZS3 has
    //   no reference and PM4 is only planned: no PM on their lines.
    // - AD_DE is DEPLOYE from 2021-06-01, the later of BP1's service (2021-03-15) and ZS1's handover; its
    //   commercial opening is the later of that and PM1's (2021-05-01).
    // - AD_DENP (no PBO) and AD_DE2 (ZS2 not delivered) are DE in the delivery but EN COURS DE DEPLOIEMENT here.
    // - AD_CI and AD_EC have no ad_idatcab: the due date of their phase (2021-12-31) is the forecast; AD_SI and
    //   AD_DE2 keep theirs; AD_AB gets no forecast.
    // - AD_DE's building name holds a `;`, written as a space.
    let expected = [
        "IdentifiantImmeuble;CodeAdresseImmeuble;CodeInseeImmeuble;CodePostalImmeuble;CommuneImmeuble;\
         TypeVoieImmeuble;NomVoieImmeuble;NumeroVoieImmeuble;ComplementNumeroVoieImmeuble;BatimentImmeuble;\
         NombreLogementsAdresseIPE;EtatImmeuble;DateCablageAdresse;DateMiseEnServiceCommercialeImmeuble;\
         CoordonneeImmeubleX;CoordonneeImmeubleY;TypeProjectionGeographique;ReferencePM;EtatPM;\
         DateInstallationPM;TypeEmplacementPM;DateMiseEnServiceCommercialePM",
        "AD_CI;2901922201;29019;29200;BREST;;RUE DE SIAM;1;;;3;CIBLE;20211231;;300010.00;6800000.00;RGF93;\
         PM1;DEPLOYE;20210110;PME-Armoire de rue;20210501",
        "AD_SI;;29019;29200;BREST;;RUE DE SIAM;3;B;BAT-E;2;SIGNE;20210901;;300020.00;6800000.00;RGF93;\
         PM1;DEPLOYE;20210110;PME-Armoire de rue;20210501",
        "AD_EC;;29019;29200;BREST;;RUE DE SIAM;5;;;1;EN COURS DE DEPLOIEMENT;20211231;;300030.00;6800000.00;\
         RGF93;PM1;DEPLOYE;20210110;PME-Armoire de rue;20210501",
        "AD_DE;;29019;29200;BREST;;RUE DE SIAM;7;;RESIDENCE LES PINS;4;DEPLOYE;20210601;20210601;300040.00;\
         6800000.00;RGF93;PM1;DEPLOYE;20210110;PME-Armoire de rue;20210501",
        "AD_DENP;;29019;29200;BREST;;RUE DE SIAM;9;;;1;EN COURS DE DEPLOIEMENT;20211231;;300050.00;\
         6800000.00;RGF93;PM1;DEPLOYE;20210110;PME-Armoire de rue;20210501",
        "AD_AB;;29019;29200;BREST;;RUE DE SIAM;11;;;2;ABANDONNE;;;300060.00;6800000.00;RGF93;\
         PM1;DEPLOYE;20210110;PME-Armoire de rue;20210501",
        "AD_DE2;;29019;29200;BREST;;RUE KERABECAM;2;;;5;EN COURS DE DEPLOIEMENT;20210220;;302010.00;\
         6800000.00;RGF93;PM2;DEPLOYE;20210110;PMI;20210415",
        "AD_NOPM;;29019;29200;BREST;;RUE DE LYON;4;;;1;CIBLE;;;304010.00;6800000.00;RGF93;;;;;",
        "AD_PL;;29019;29200;BREST;;RUE DE LYON;6;;;1;CIBLE;;;306010.00;6800000.00;RGF93;;;;;",
        "AD_OUT;;29019;;;;;;;;;;;;309010.00;6800000.00;RGF93;;;;;",
    ];
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines, expected);
    assert!(written.ends_with('\n'));
    let columns = ipe_columns().count();
    assert!(
        lines.iter().all(|l| l.split(';').count() == columns),
        "every line has the header's {columns} fields"
    );
}

#[test]
fn a_deployed_address_waits_for_its_zone_to_be_in_operation() {
    let network = network();
    let state_of = |rows: &[IpeRow], code: &str| {
        let row = rows.iter().find(|r| r.address == code).unwrap();
        (
            row.state.map(|s| s.code()),
            row.cabling,
            row.access_point.as_ref().map(|p| p.state),
        )
    };

    // Without the delegatee's word, ZS1 (no phase in its file, no deployment zone) is not delivered: AD_DE, whose
    // PBO is built, is still only being deployed, its PM as its file says.
    let before = rows(&network, &ZoneAcceptances::new());
    assert_eq!(
        state_of(&before, "AD_DE"),
        (
            Some("EC"),
            Some(day(2021, 12, 31)),
            Some(AccessPointState::Deploying)
        )
    );
    // Reception with reservations is not operation either.
    let reserved = ZoneAcceptances::from([(
        "ZS1".to_owned(),
        thd_plan::ZoneAcceptance::ReservationsOpen.into(),
    )]);
    assert_eq!(state_of(&rows(&network, &reserved), "AD_DE").0, Some("EC"));

    // Taken into operation before the PBO was in service: deployed from the PBO's date.
    let early = ZoneAcceptances::from([(
        "ZS1".to_owned(),
        ZoneHandover::in_operation(day(2021, 1, 20)),
    )]);
    let after = rows(&network, &early);
    assert_eq!(
        state_of(&after, "AD_DE"),
        (
            Some("DE"),
            Some(day(2021, 3, 15)),
            Some(AccessPointState::Deployed)
        )
    );
    // The other addresses of the zone keep their states: the handover makes nothing deployed that was not.
    for code in ["AD_CI", "AD_SI", "AD_EC", "AD_DENP", "AD_AB"] {
        assert_eq!(
            state_of(&after, code).0,
            state_of(&before, code).0,
            "{code}"
        );
    }
}

#[test]
fn rows_carry_typed_values_for_the_api() {
    let rows = rows(&network(), &zs1_in_operation());
    assert_eq!(rows.len(), 10, "one row per address");
    let de = rows.iter().find(|r| r.address == "AD_DE").unwrap();
    let pm = de.access_point.as_ref().unwrap();
    assert_eq!(pm.reference, "PM1");
    assert_eq!(pm.placement, Some(Placement::StreetCabinet));
    assert_eq!(pm.installed, Some(day(2021, 1, 10)));
    assert_eq!(de.location, Some([X + 40.0, Y]));
    assert_eq!(
        de.building.as_deref(),
        Some("RESIDENCE;LES PINS"),
        "as delivered"
    );
    let json = serde_json::to_value(de).unwrap();
    assert_eq!(json["state"], "Deployed");
    assert_eq!(json["cabling"], "2021-06-01");
    assert_eq!(json["access_point"]["commercial_opening"], "2021-05-01");
    let out = rows.iter().find(|r| r.address == "AD_OUT").unwrap();
    assert_eq!(
        (out.state, &out.access_point, out.dwellings),
        (None, &None, None)
    );
}

/// GraceTHD 3 counts premises (`t_local`), each with its own PBO: an address is `DEPLOYE` only when all its
/// premises are raccordable, from the day the last one became so.
///
/// ```text
///  ZS1 (PM1, EC), taken into operation on 2022-02-01
///  AD1 DE: LC1 on BP1 (existing, installed 2022-01-10), LC2 on BP2 (REC, installed 2022-02-20)
///  AD2 DE: LC3 on BP1, LC4 on BP3 (to be built)
///  AD3 RD: no premises
/// ```
#[test]
fn a_version_3_address_is_deployed_when_all_its_premises_are_raccordable() {
    let at = |dx: f64| {
        Some(Geometry::MultiPoint(MultiPoint::new(vec![Point::new(
            X + dx,
            Y,
        )])))
    };
    let tables = vec![
        spatial(
            "t_zsro",
            &["zs_code", "zs_refpm", "zs_etatpm"],
            &[(
                row(&["ZS1", "PM1", "EC"]),
                rect(X - 500.0, Y - 500.0, X + 500.0, Y + 500.0),
            )],
        ),
        spatial(
            "t_adresse",
            &["ad_code", "ad_nblres", "ad_ietat"],
            &[
                (row(&["AD1", "2", "DE"]), at(10.0)),
                (row(&["AD2", "2", "DE"]), at(20.0)),
                (row(&["AD3", "1", "RD"]), at(30.0)),
            ],
        ),
        table(
            "t_site",
            &["st_code", "st_ad_code"],
            &[row(&["ST1", "AD1"]), row(&["ST2", "AD2"])],
        ),
        table(
            "t_ebp",
            &[
                "bp_code",
                "bp_typelog",
                "bp_avct",
                "bp_statut",
                "bp_dateins",
            ],
            &[
                row(&["BP1", "PBO", "E", "", "2022-01-10"]),
                row(&["BP2", "PBO", "", "REC", "2022-02-20"]),
                row(&["BP3", "PBO", "C", "EXE", ""]),
            ],
        ),
        table(
            "t_local",
            &["lc_code", "lc_st_code", "lc_bp_codp", "lc_typelog"],
            &[
                row(&["LC1", "ST1", "BP1", "RES"]),
                row(&["LC2", "ST1", "BP2", "RES"]),
                row(&["LC3", "ST2", "BP1", "RES"]),
                row(&["LC4", "ST2", "BP3", "RES"]),
            ],
        ),
    ];
    let raw = RawDelivery {
        origin: "v3".into(),
        version: Some(GraceVersion::V3),
        tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
        ..RawDelivery::default()
    };
    let network = thd_network::decode(&raw).unwrap().network;
    let acceptances = ZoneAcceptances::from([(
        "ZS1".to_owned(),
        ZoneHandover::in_operation(day(2022, 2, 1)),
    )]);
    let rows = ipe_rows(
        &network,
        &PlugIndex::build(&network, &PhaseMap::default(), &acceptances),
    );
    let published: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.address.as_str(),
                r.state.map(|s| s.code()),
                r.cabling,
                r.dwellings,
            )
        })
        .collect();
    assert_eq!(
        published,
        [
            ("AD1", Some("DE"), Some(day(2022, 2, 20)), Some(2)),
            ("AD2", Some("EC"), None, Some(2)),
            ("AD3", Some("RD"), None, Some(1)),
        ]
    );
    assert!(rows.iter().all(|r| {
        r.access_point
            .as_ref()
            .map(|p| (p.reference.as_str(), p.state))
            == Some(("PM1", AccessPointState::Deployed))
    }));
    let text = text(&rows);
    assert!(
        text.lines()
            .nth(3)
            .unwrap()
            .contains(";RACCORDABLE DEMANDE;"),
        "{text}"
    );
}
