//! A hand-built GraceTHD 2.0.1 network whose plugs, quantities, costs and rollout are worked out by hand below.
//!
//! ```text
//!  ZN1 (299 900..300 400 × 6 799 900..6 800 200) ⊃ ZS1 (300 050..300 400 × same), ZS1 ⊃ ZP1 (no area), ZD1 (REC)
//!
//!  ND1 NRO shelter ──CM1 (new trench, 100 m)── ND2 SRO cabinet ──CM2 (existing duct, no length, line 100 m)── ND3
//!  (300 000)                                    (300 100)                                                     (300 200)
//!  ND3: chamber PT1 (new L2T) holding BP1 (PBO, REC, in service 2021-03-15) and BP2 (BPE)
//!  ND3 ──CM3 (existing aerial, 50 m)── ND4: pole PT2 (existing, wooden)
//!
//!  AD1 29019  3+1 plugs, 3+1 premises, DE, site SF1 in ZP1
//!  AD2 29019  1 plug,    1 premise,    EC, site SF2 in ZP1
//!  AD3 35238  2 plugs,   2 premises,   DE, no site: placed by its point in ZS1; no PBO known
//!  AD4 56260  5 plugs,   5 premises,   DE, no site, outside every zone
//! ```

mod common;

use chrono::NaiveDate;
use common::*;
use thd_network::Network;
use thd_plan::rollout::{LateReason, Month};
use thd_plan::{
    CostModel, Dimension, PhaseCostKind, PhaseCosts, PhaseMap, PlugIndex, PriceSchedule,
    RolloutPlan, ZoneAcceptance, ZoneAcceptances, ZoneHandover, cost_report, measure,
    rollout_report,
};

fn network() -> Network {
    let x = 300_000.0;
    let y = 6_800_000.0;
    decode_v2(vec![
        spatial(
            "t_noeud",
            &["nd_code"],
            &[
                (row(&["ND1"]), point(x, y)),
                (row(&["ND2"]), point(x + 100.0, y)),
                (row(&["ND3"]), point(x + 200.0, y)),
                (row(&["ND4"]), point(x + 200.0, y + 50.0)),
            ],
        ),
        spatial(
            "t_znro",
            &["zn_code", "zn_nd_code"],
            &[(
                row(&["ZN1", "ND1"]),
                rect(x - 100.0, y - 100.0, x + 400.0, y + 200.0),
            )],
        ),
        spatial(
            "t_zsro",
            &["zs_code", "zs_nd_code", "zs_zn_code"],
            &[(
                row(&["ZS1", "ND2", "ZN1"]),
                rect(x + 50.0, y - 100.0, x + 400.0, y + 200.0),
            )],
        ),
        spatial(
            "t_zpbo",
            &["zp_code", "zp_nd_code", "zp_zs_code"],
            &[(row(&["ZP1", "ND3", "ZS1"]), None)],
        ),
        spatial(
            "t_zdep",
            &["zd_code", "zd_zs_code", "zd_statut"],
            &[(row(&["ZD1", "ZS1", "REC"]), None)],
        ),
        spatial(
            "t_adresse",
            &[
                "ad_code",
                "ad_insee",
                "ad_nblhab",
                "ad_nblpro",
                "ad_nbprhab",
                "ad_nbprpro",
                "ad_ietat",
            ],
            &[
                (
                    row(&["AD1", "29019", "3", "1", "3", "1", "DE"]),
                    point(x + 210.0, y + 10.0),
                ),
                (
                    row(&["AD2", "29019", "1", "0", "1", "0", "EC"]),
                    point(x + 220.0, y + 10.0),
                ),
                (
                    row(&["AD3", "35238", "2", "0", "2", "0", "DE"]),
                    point(x + 300.0, y + 100.0),
                ),
                (
                    row(&["AD4", "56260", "5", "0", "5", "0", "DE"]),
                    point(x + 5_000.0, y),
                ),
            ],
        ),
        table(
            "t_suf",
            &["sf_code", "sf_ad_code", "sf_zp_code"],
            &[row(&["SF1", "AD1", "ZP1"]), row(&["SF2", "AD2", "ZP1"])],
        ),
        table(
            "t_ptech",
            &[
                "pt_code",
                "pt_nd_code",
                "pt_typephy",
                "pt_nature",
                "pt_avct",
            ],
            &[
                row(&["PT1", "ND3", "C", "L2T", "C"]),
                row(&["PT2", "ND4", "A", "PBOI", "E"]),
            ],
        ),
        table(
            "t_ebp",
            &[
                "bp_code",
                "bp_pt_code",
                "bp_typelog",
                "bp_statut",
                "bp_avct",
                "bp_datemes",
            ],
            &[
                row(&["BP1", "PT1", "PBO", "REC", "E", "2021-03-15"]),
                row(&["BP2", "PT1", "BPE", "REC", "E", ""]),
            ],
        ),
        table(
            "t_sitetech",
            &["st_code", "st_nd_code", "st_typelog", "st_typephy"],
            &[
                row(&["ST1", "ND1", "NRO", "SHE"]),
                row(&["ST2", "ND2", "SRO", "ADR"]),
            ],
        ),
        spatial(
            "t_cheminement",
            &[
                "cm_code",
                "cm_ndcode1",
                "cm_ndcode2",
                "cm_typ_imp",
                "cm_avct",
                "cm_long",
            ],
            &[
                (
                    row(&["CM1", "ND1", "ND2", "7", "C", "100"]),
                    line(&[(x, y), (x + 100.0, y)]),
                ),
                (
                    row(&["CM2", "ND2", "ND3", "7", "E", ""]),
                    line(&[(x + 100.0, y), (x + 200.0, y)]),
                ),
                (
                    row(&["CM3", "ND3", "ND4", "0", "E", "50"]),
                    line(&[(x + 200.0, y), (x + 200.0, y + 50.0)]),
                ),
            ],
        ),
        table(
            "t_conduite",
            &["cd_code", "cd_long", "cd_avct"],
            &[row(&["CD1", "100", "C"]), row(&["CD2", "", "C"])],
        ),
        table(
            "t_cond_chem",
            &["dm_cd_code", "dm_cm_code"],
            &[row(&["CD1", "CM1"]), row(&["CD2", "CM2"])],
        ),
        table(
            "t_cable",
            &["cb_code", "cb_nd1", "cb_nd2", "cb_capafo", "cb_lgreel"],
            &[
                row(&["CB1", "ND1", "ND2", "72", "110"]),
                row(&["CB2", "ND2", "ND3", "12", ""]),
            ],
        ),
        spatial(
            "t_cableline",
            &["cl_code", "cl_cb_code", "cl_long"],
            &[(
                row(&["CL1", "CB2", "105"]),
                line(&[(x + 100.0, y), (x + 200.0, y)]),
            )],
        ),
    ])
}

const PHASES: &str = "scope,code,phase,tranche,contractor,due\n\
    sro,ZS1,phase_2,t1,Acme,2021-06-30\n\
    commune,56260,phase_3,t2,Breizh TP,2024-12-31\n";

/// Round test prices, so the sums below can be checked by hand; fallbacks price the families.
const PRICES: &str = "item,unit,price_eur,description\n\
    path.new,m,80,new civil works\n\
    path.existing,m,10,reused civil works\n\
    duct.new,m,4,new duct\n\
    cable.12,m,2,cable 12\n\
    cable.72,m,3,cable 72\n\
    ptech.new.C,u,1000,new chamber\n\
    ptech.existing,u,100,existing point\n\
    box.PBO,u,400,PBO\n\
    box.BPE,u,600,BPE\n\
    site.NRO,u,100000,NRO\n\
    site.SRO,u,20000,SRO\n";

const PHASE_COSTS: &str = "phase,cost,basis,value\n\
    *,engineering,works_share,0.1\n\
    *,connection_subsidies,per_plug,100\n\
    phase_3,other_investment,amount,5000\n";

fn index(network: &Network) -> PlugIndex {
    let phases = PhaseMap::parse(PHASES, "phases.csv").unwrap();
    PlugIndex::build(network, &phases, &ZoneAcceptances::new())
}

fn rows(index: &PlugIndex, by: &[Dimension]) -> Vec<(Vec<Option<&'static str>>, u64, u64, u64)> {
    let leak = |s: &Option<String>| s.clone().map(|s| &*Box::leak(s.into_boxed_str()));
    index
        .group_by(by)
        .rows
        .iter()
        .map(|g| {
            (
                g.key.iter().map(leak).collect(),
                g.counts.plugs,
                g.counts.premises,
                g.counts.raccordable,
            )
        })
        .collect()
}

#[test]
fn plugs_by_every_dimension() {
    let network = network();
    let index = index(&network);
    // 4 + 1 + 2 + 5 plugs and premises; raccordable: only AD1 (DE, PBO BP1 built, ZD1 as-built → in operation).
    // AD2 is EC, AD3 has no PBO, AD4 no zone.
    let total = index.total();
    assert_eq!(
        (total.plugs, total.premises, total.raccordable),
        (12, 12, 4)
    );
    assert_eq!(network.plugs(), 12);

    let s = Some;
    assert_eq!(
        rows(&index, &[Dimension::Department]),
        vec![
            (vec![s("29")], 5, 5, 4),
            (vec![s("35")], 2, 2, 0),
            (vec![s("56")], 5, 5, 0)
        ]
    );
    // AD3 reaches ZS1 by its point, AD4 no zone at all.
    assert_eq!(
        rows(
            &index,
            &[
                Dimension::Nro,
                Dimension::Sro,
                Dimension::Pbo,
                Dimension::Deployment
            ]
        ),
        vec![
            (vec![None, None, None, None], 5, 5, 0),
            (vec![s("ZN1"), s("ZS1"), None, s("ZD1")], 2, 2, 0),
            (vec![s("ZN1"), s("ZS1"), s("ZP1"), s("ZD1")], 5, 5, 4),
        ]
    );
    assert_eq!(
        rows(
            &index,
            &[Dimension::Phase, Dimension::Tranche, Dimension::Contractor]
        ),
        vec![
            (vec![s("phase_2"), s("t1"), s("Acme")], 7, 7, 4),
            (vec![s("phase_3"), s("t2"), s("Breizh TP")], 5, 5, 0),
        ]
    );
    assert_eq!(
        rows(&index, &[Dimension::Commune]),
        vec![
            (vec![s("29019")], 5, 5, 4),
            (vec![s("35238")], 2, 2, 0),
            (vec![s("56260")], 5, 5, 0)
        ]
    );
    assert_eq!(rows(&index, &[]), vec![(vec![], 12, 12, 4)]);
}

#[test]
fn the_delegatees_acceptance_overrides_the_delivery() {
    let network = network();
    let phases = PhaseMap::parse(PHASES, "phases.csv").unwrap();
    let acceptances =
        ZoneAcceptances::from([("ZS1".to_owned(), ZoneAcceptance::ReservationsOpen.into())]);
    let index = PlugIndex::build(&network, &phases, &acceptances);
    assert_eq!(
        index.total().raccordable,
        0,
        "reservations open: AD1 is not sellable yet"
    );
}

#[test]
fn a_premise_is_raccordable_from_the_later_of_its_pbo_and_its_zones_operation() {
    let network = network();
    let phases = PhaseMap::parse(PHASES, "phases.csv").unwrap();
    let plan = RolloutPlan::default();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let months = |handover: ZoneHandover| {
        let acceptances = ZoneAcceptances::from([("ZS1".to_owned(), handover)]);
        let index = PlugIndex::build(&network, &phases, &acceptances);
        let report = rollout_report(&index, &plan, day(2022, 1, 1), 6);
        let months: Vec<(i32, u32, u64)> = report
            .months
            .iter()
            .map(|m| (m.month.year, m.month.month, m.raccordable))
            .collect();
        (months, report.undated)
    };
    // BP1, AD1's PBO, is in service on 2021-03-15. ZS1 taken into operation after it: AD1's 4 plugs date from
    // the handover, not from the PBO.
    assert_eq!(
        months(ZoneHandover::in_operation(day(2021, 6, 1))),
        (vec![(2021, 6, 4)], 0)
    );
    // Taken into operation before the PBO was built: the PBO's date.
    assert_eq!(
        months(ZoneHandover::in_operation(day(2021, 1, 10))),
        (vec![(2021, 3, 4)], 0)
    );
    // In operation with no known day: the PBO's date, as when the delivery alone decides.
    assert_eq!(
        months(ZoneAcceptance::InOperation.into()),
        (vec![(2021, 3, 4)], 0)
    );
    // A date given with a state before operation dates nothing: nothing is raccordable.
    assert_eq!(
        months((ZoneAcceptance::Accepted, Some(day(2021, 6, 1))).into()),
        (vec![], 0)
    );
    // On a day between the PBO and the handover, the plugs are not raccordable yet.
    let acceptances = ZoneAcceptances::from([(
        "ZS1".to_owned(),
        ZoneHandover::in_operation(day(2021, 6, 1)),
    )]);
    let index = PlugIndex::build(&network, &phases, &acceptances);
    assert_eq!(
        rollout_report(&index, &plan, day(2021, 5, 1), 6).raccordable,
        0
    );
}

#[test]
fn bill_of_quantities() {
    let bill = measure(&network());
    let lines: Vec<(&str, f64)> = bill
        .lines
        .iter()
        .map(|(k, q)| (k.as_str(), q.quantity))
        .collect();
    assert_eq!(
        lines,
        vec![
            ("box.BPE", 1.0),
            ("box.PBO", 1.0),
            ("cable.12", 105.0), // CB2: no cb_lgreel, its cable line's cl_long
            ("cable.72", 110.0), // CB1: cb_lgreel
            ("duct.new", 200.0), // CD1 100 + CD2 (no cd_long) the 100 m of CM2 it runs in
            ("path.existing.0", 50.0),
            ("path.existing.7", 100.0), // CM2: no cm_long, its line measures 100 m
            ("path.new.7", 100.0),
            ("ptech.existing.A.PBOI", 1.0),
            ("ptech.new.C.L2T", 1.0),
            ("site.NRO.SHE", 1.0),
            ("site.SRO.ADR", 1.0),
        ]
    );
    assert_eq!(bill.missing_lengths, 0);
}

#[test]
fn cost_per_plug_by_phase_and_department() {
    let network = network();
    let index = index(&network);
    let model = CostModel {
        prices: PriceSchedule::parse(PRICES, "prices.csv").unwrap(),
        phase_costs: PhaseCosts::parse(PHASE_COSTS, "phase_costs.csv").unwrap(),
    };
    let report = cost_report(&network, &index, &model);
    assert!(report.unpriced.is_empty(), "{:?}", report.unpriced);

    // Every node lies in ZN1, all but ND1 in ZS1; both zones hold most plugs in (phase_2, 29): AD1 + AD2 = 5
    // against AD3's 2 in (phase_2, 35). All works go there:
    //   path.new.7 100 m × 80 = 8 000; path.existing.{7,0} (100 + 50) m × 10 = 1 500; duct.new 200 m × 4 = 800;
    //   cable.12 105 m × 2 = 210; cable.72 110 m × 3 = 330; ptech.new.C.L2T → ptech.new.C 1 000;
    //   ptech.existing.A.PBOI → ptech.existing 100; box.PBO 400; box.BPE 600; site.NRO.SHE → site.NRO 100 000;
    //   site.SRO.ADR → site.SRO 20 000.  Works = 132 940.
    // (phase_2, 29): engineering 10 % = 13 294, subsidies 5 × 100 = 500 → 146 734 / 5 = 29 346.8 per plug.
    // (phase_2, 35): no works, subsidies 2 × 100 = 200 → 100 per plug.
    // (phase_3, 56): no works, subsidies 500, other investment 5 000 (all of phase_3) → 5 500 / 5 = 1 100.
    let cells: Vec<_> = report
        .table
        .rows
        .iter()
        .map(|r| {
            (
                r.phase.as_deref(),
                r.department.as_deref(),
                r.plugs,
                r.works_eur,
                r.total_eur,
            )
        })
        .collect();
    assert_eq!(
        cells,
        vec![
            (Some("phase_2"), Some("29"), 5, 132_940.0, 146_734.0),
            (Some("phase_2"), Some("35"), 2, 0.0, 200.0),
            (Some("phase_3"), Some("56"), 5, 0.0, 5_500.0),
        ]
    );
    let first = &report.table.rows[0];
    assert_eq!(first.phase_costs[&PhaseCostKind::Engineering], 13_294.0);
    assert!((first.per_plug_eur.unwrap() - 29_346.8).abs() < 1e-9);
    assert_eq!(report.table.rows[1].per_plug_eur, Some(100.0));
    assert_eq!(report.table.rows[2].per_plug_eur, Some(1_100.0));
    // Total 146 734 + 200 + 5 500 = 152 434 over 12 plugs.
    assert_eq!(report.table.total.total_eur, 152_434.0);
    assert_eq!(report.table.total.per_plug_rounded(), Some(12_703));

    // By phase: phase_2 146 934 / 7 = 20 990.57, phase_3 1 100.
    let by_phase = report.by(&[Dimension::Phase]).unwrap();
    let per_plug: Vec<_> = by_phase.rows.iter().map(|r| r.per_plug_rounded()).collect();
    assert_eq!(per_plug, vec![Some(20_991), Some(1_100)]);
    assert_eq!(by_phase.total, report.table.total);
    assert!(report.by(&[Dimension::Commune]).is_err());

    // The bill behind the first cell is the whole network's, priced.
    let bill = &report.bills[0];
    let pbo = bill
        .lines
        .iter()
        .find(|l| l.item == "ptech.existing.A.PBOI")
        .unwrap();
    assert_eq!(
        (pbo.priced_as.as_deref(), pbo.amount_eur),
        (Some("ptech.existing"), 100.0)
    );
}

#[test]
fn rollout_on_a_date() {
    let network = network();
    let index = index(&network);
    let plan = RolloutPlan::parse(
        "phase,year,plugs\nphase_2,2021,10\nphase_3,2022,5\n",
        "plan.csv",
    )
    .unwrap();
    let as_of = NaiveDate::from_ymd_opt(2021, 9, 1).unwrap();
    let report = rollout_report(&index, &plan, as_of, 6);
    // AD1's 4 plugs became raccordable with BP1 on 2021-03-15.
    assert_eq!(
        (report.target, report.raccordable, report.undated),
        (12, 4, 0)
    );
    assert_eq!(report.months.len(), 1);
    assert_eq!(
        report.months[0].month,
        Month {
            year: 2021,
            month: 3
        }
    );
    // Window March–August 2021: 4 plugs in 6 months; 8 remain → 12 months after September 2021.
    assert!((report.forecast.pace_per_month - 4.0 / 6.0).abs() < 1e-12);
    assert_eq!(report.forecast.remaining, 8);
    assert_eq!(
        report.forecast.completion,
        Some(Month {
            year: 2022,
            month: 9
        })
    );
    // End of 2021: 4 + 4 months (Sep–Dec) × 2/3 = 6.67 → 7.
    assert_eq!(report.forecast.year_ends, vec![(2021, 7), (2022, 12)]);

    let phase_2: Vec<_> = report
        .years
        .iter()
        .filter(|y| y.phase.as_deref() == Some("phase_2"))
        .map(|y| (y.year, y.planned, y.realised))
        .collect();
    assert_eq!(phase_2, vec![(2021, 10, 4)]);

    // ZS1 was due on 2021-06-30 with 7 plugs, 4 raccordable: AD3 has no PBO, AD2 is EC. ZS1 is in operation.
    assert_eq!(report.late_zones.len(), 1);
    let late = &report.late_zones[0];
    assert_eq!(
        (late.sro.as_str(), late.plugs, late.raccordable),
        ("ZS1", 7, 4)
    );
    assert_eq!(
        late.reasons,
        vec![
            LateReason::PboNotBuilt { plugs: 2 },
            LateReason::NotDeployed { plugs: 1 }
        ]
    );
    // Before its due date the zone is not late.
    let early = rollout_report(
        &index,
        &plan,
        NaiveDate::from_ymd_opt(2021, 6, 1).unwrap(),
        6,
    );
    assert!(early.late_zones.is_empty());
    assert_eq!(early.raccordable, 4);
    // Before BP1's service date nothing is raccordable.
    let before = rollout_report(
        &index,
        &plan,
        NaiveDate::from_ymd_opt(2021, 3, 1).unwrap(),
        6,
    );
    assert_eq!((before.raccordable, before.forecast.completion), (0, None));
}
