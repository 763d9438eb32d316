//! The operator's published cost table (`../shared/reference/bthd_cost_2019.csv`, millions of euros) fed to the
//! cost model gives its published cost per plug: 1 294 € phase 1, 1 236 € phase 2, 1 072 € phase 3, 906 €
//! extensions, 1 145 € overall, rounded to the euro. The project's own transcription (`data/plan/
//! published_cost_2019.csv`, euros) must say the same as the shared file.

use thd_plan::{PhaseCostKind, PhaseTotals};

const SHARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/bthd_cost_2019.csv"
);
const TRANSCRIPTION: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/plan/published_cost_2019.csv"
);

/// Millions of euros as written in the shared file → euros (whole euros: the file has at most two decimals).
fn meur(cell: &str) -> Option<f64> {
    (!cell.is_empty()).then(|| (cell.parse::<f64>().expect("amount") * 1e6).round())
}

/// The shared table, parsed here independently of the library: (phase totals, published overall total).
fn shared() -> Option<(Vec<PhaseTotals>, PhaseTotals)> {
    let Ok(text) = std::fs::read_to_string(SHARED) else {
        eprintln!(
            "skipped: {SHARED} not found (the shared reference material is not beside the project)"
        );
        return None;
    };
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut phases = Vec::new();
    for record in reader.records() {
        let r = record.expect("shared CSV row");
        phases.push(PhaseTotals {
            phase: r[0].to_owned(),
            plugs: r[1].parse().expect("plugs"),
            works_eur: meur(&r[2]).expect("works"),
            engineering_eur: meur(&r[3]),
            other_investment_eur: meur(&r[4]),
            connection_subsidies_eur: meur(&r[5]),
            financial_charges_eur: meur(&r[6]),
            published_total_eur: meur(&r[7]).expect("total"),
        });
    }
    let total = phases.pop().expect("a total row");
    assert_eq!(
        total.phase, "total",
        "the shared file ends with its total row"
    );
    Some((phases, total))
}

#[test]
fn the_published_cost_per_plug_is_reproduced() {
    let Some((phases, published_total)) = shared() else {
        return;
    };
    let table = PhaseTotals::table(&phases);
    let per_plug: Vec<(&str, Option<i64>)> = table
        .rows
        .iter()
        .map(|r| (r.phase.as_deref().unwrap(), r.per_plug_rounded()))
        .collect();
    assert_eq!(
        per_plug,
        vec![
            ("phase_1", Some(1294)),
            ("phase_2", Some(1236)),
            ("phase_3", Some(1072)),
            ("extensions", Some(906)),
        ]
    );
    assert_eq!(table.total.per_plug_rounded(), Some(1145));

    // The overall row is the sum of the phases, as published.
    assert_eq!(table.total.plugs, published_total.plugs);
    assert!((table.total.works_eur - published_total.works_eur).abs() < 1.0);
    let published_parts = [
        (PhaseCostKind::Engineering, published_total.engineering_eur),
        (
            PhaseCostKind::OtherInvestment,
            published_total.other_investment_eur,
        ),
        (
            PhaseCostKind::ConnectionSubsidies,
            published_total.connection_subsidies_eur,
        ),
        (
            PhaseCostKind::FinancialCharges,
            published_total.financial_charges_eur,
        ),
    ];
    for (kind, amount) in published_parts {
        assert!(
            (table.total.phase_costs[&kind] - amount.unwrap()).abs() < 1.0,
            "{kind:?}"
        );
    }
    // The publisher rounded each amount to 0.1 MEUR (financial charges to 0.01): the sum of the five parts is
    // within 5 × 0.05 MEUR of the rounded total (phase 3: 703.04 against 703.1).
    for (row, phase) in table.rows.iter().zip(&phases) {
        assert!(
            (row.total_eur - phase.published_total_eur).abs() <= 250_000.0,
            "{}: {} computed, {} published",
            phase.phase,
            row.total_eur,
            phase.published_total_eur
        );
    }
    assert!((table.total.total_eur - published_total.published_total_eur).abs() <= 250_000.0);
}

#[test]
fn the_projects_transcription_matches_the_shared_table() {
    let Some((phases, _)) = shared() else {
        return;
    };
    let transcribed =
        PhaseTotals::load(std::path::Path::new(TRANSCRIPTION)).expect("transcription");
    assert_eq!(transcribed, phases);
}
