//! The shipped data against the operator's published figures (`../shared/reference/digital_services_catalogue.md`).

use thd_services::{Catalogue, ServicesError};

const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/digital_services_catalogue.md"
);

fn shipped() -> Catalogue {
    Catalogue::shipped().expect("the shipped catalogue is valid")
}

/// The rows of the published usage table: (indicator label, [(year, value)]).
fn published_usage(md: &str) -> Vec<(String, Vec<(u16, u64)>)> {
    let mut lines = md.lines().skip_while(|l| l.trim() != "## Usage").skip(1);
    let header = lines
        .find(|l| l.starts_with('|'))
        .expect("usage table header");
    let cells = |l: &str| -> Vec<String> {
        l.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect()
    };
    let years: Vec<u16> = cells(header)[1..]
        .iter()
        .map(|y| y.parse().expect("a year in the header"))
        .collect();
    lines
        .take_while(|l| l.starts_with('|'))
        .filter(|l| !l.contains("---"))
        .map(|l| {
            let c = cells(l);
            let values = years
                .iter()
                .zip(&c[1..])
                .map(|(&y, v)| {
                    let digits: String = v.chars().filter(char::is_ascii_digit).collect();
                    (y, digits.parse().expect("a published figure"))
                })
                .collect();
            (c[0].clone(), values)
        })
        .collect()
}

#[test]
fn shipped_usage_reproduces_every_published_figure() {
    let Ok(md) = std::fs::read_to_string(REFERENCE) else {
        println!("skipped: {REFERENCE} is absent (../shared is not beside the project)");
        return;
    };
    let table = published_usage(&md);
    assert_eq!(table.len(), 7, "the published table has 7 indicators");
    let cat = shipped();
    let mut compared = 0;
    for (label, values) in &table {
        let indicator = cat
            .indicators()
            .find(|i| i.label_en == *label)
            .unwrap_or_else(|| panic!("no shipped indicator labelled {label:?}"));
        for &(year, value) in values {
            assert_eq!(
                cat.usage_value(indicator.id.as_str(), year),
                Some(value),
                "{label} in {year}"
            );
            compared += 1;
        }
    }
    // And nothing shipped that the table does not publish.
    assert_eq!(compared, 14);
    assert_eq!(cat.usage_figures().len(), compared);
    assert_eq!(cat.indicators().count(), table.len());
}

#[test]
fn archives_growth_2018_2019_is_computed_as_x4_2() {
    let cat = shipped();
    let series = cat.service_usage("archiving").expect("archiving service");
    assert_eq!(series.len(), 1);
    let s = &series[0];
    assert_eq!(s.indicator.id.as_str(), "archives-deposited");
    assert_eq!(s.year(2018).map(|p| p.value), Some(159_631));
    let p2019 = s.year(2019).expect("2019 figure");
    assert_eq!(p2019.value, 673_365);
    assert!(
        s.year(2018).and_then(|p| p.growth).is_none(),
        "first year has no growth"
    );
    let g = p2019.growth.expect("growth 2018→2019");
    assert_eq!((g.from_year, g.to_year), (2018, 2019));
    assert!((g.ratio - 673_365.0 / 159_631.0).abs() < 1e-12);
    assert_eq!(g.to_string(), "×4.2");
}

#[test]
fn every_indicator_with_two_years_has_a_growth() {
    let cat = shipped();
    let all = cat.usage();
    assert_eq!(all.len(), 7);
    for s in &all {
        let years: Vec<u16> = s.points.iter().map(|p| p.year).collect();
        assert_eq!(years, [2018, 2019], "{}", s.indicator.id);
        assert!(
            s.points[1].growth.is_some_and(|g| g.ratio > 1.0),
            "{} grew",
            s.indicator.id
        );
    }
    // Procurement has three indicators, the platform-wide one belongs to no service.
    assert_eq!(
        cat.service_usage("procurement").map(|s| s.len()).ok(),
        Some(3)
    );
    assert!(all.iter().any(|s| s.indicator.service.is_none()));
    assert!(matches!(
        cat.service_usage("nope"),
        Err(ServicesError::UnknownService(_))
    ));
}

#[test]
fn contribution_bands_give_the_published_extremes_in_2016() {
    let cat = shipped();
    let smallest = cat
        .contribution(3_000, 2016)
        .expect("small community of communes");
    assert_eq!(smallest.annual_eur, 400);
    assert!(smallest.band.published);
    let metropolis = cat.contribution(450_000, 2016).expect("metropolis");
    assert_eq!(metropolis.annual_eur, 30_000);
    assert!(metropolis.band.published);
    let amounts: Vec<u64> = cat.funding_bands().iter().map(|b| b.annual_eur).collect();
    assert_eq!(amounts.iter().min(), Some(&400));
    assert_eq!(amounts.iter().max(), Some(&30_000));
    assert!(
        amounts.windows(2).all(|w| w[0] < w[1]),
        "larger bands pay more"
    );
    // Every intermediate band is flagged as assumed, not published.
    let published: Vec<u64> = cat
        .funding_bands()
        .iter()
        .filter(|b| b.published)
        .map(|b| b.annual_eur)
        .collect();
    assert_eq!(published, [400, 30_000]);
}

#[test]
fn epci_contribution_uses_its_population_and_refuses_other_years_and_bodies() {
    let cat = shipped();
    let brest = cat
        .epci_contribution("epci-brest", 2016)
        .expect("Brest métropole");
    assert_eq!(brest.annual_eur, 30_000);
    assert_eq!(
        brest.population,
        cat.body("epci-brest")
            .and_then(|b| b.population)
            .unwrap_or(0)
    );
    assert!(matches!(
        cat.epci_contribution("epci-brest", 2022),
        Err(ServicesError::NoTariff { year: 2022, .. })
    ));
    assert!(matches!(
        cat.epci_contribution("com-29019", 2016),
        Err(ServicesError::NotAnEpci(_))
    ));
    assert!(matches!(
        cat.epci_contribution("nope", 2016),
        Err(ServicesError::UnknownBody(_))
    ));
}
