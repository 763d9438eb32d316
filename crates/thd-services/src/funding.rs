//! The funding model: the flat annual contribution an EPCI pays for the whole bundle, by size band.
//!
//! One contribution per EPCI covers all its communes (mutualisation at EPCI level), and bands make the large
//! bodies pay more (equalisation). Tariffs are data with their years of validity, because the published
//! amounts (2016) were raised for 2020–2024: asking for a year no tariff covers is an error, not a silent
//! reuse of another year's amounts.

use serde::Serialize;

use crate::error::ServicesError;
use crate::model::FundingBand;

/// What an EPCI pays in a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contribution<'a> {
    pub year: u16,
    pub population: u64,
    /// Euros a year.
    pub annual_eur: u64,
    /// The band applied (whose `published` flag says if the amount is published or assumed).
    pub band: &'a FundingBand,
}

/// The contribution of an EPCI of `population` inhabitants in `year`. When several tariffs cover the year,
/// the one that started last applies.
pub(crate) fn contribution(
    bands: &[FundingBand],
    population: u64,
    year: u16,
) -> Result<Contribution<'_>, ServicesError> {
    let latest = bands
        .iter()
        .filter(|b| b.covers_year(year))
        .map(|b| b.tariff_from)
        .max();
    let band = latest.and_then(|from| {
        bands
            .iter()
            .find(|b| b.tariff_from == from && b.covers_year(year) && b.contains(population))
    });
    match band {
        Some(band) => Ok(Contribution {
            year,
            population,
            annual_eur: band.annual_eur,
            band,
        }),
        None => {
            let mut periods: Vec<String> = bands
                .iter()
                .map(|b| {
                    if b.tariff_from == b.tariff_to {
                        b.tariff_from.to_string()
                    } else {
                        format!("{}–{}", b.tariff_from, b.tariff_to)
                    }
                })
                .collect();
            periods.dedup();
            let known = if periods.is_empty() {
                "none".to_owned()
            } else {
                periods.join(", ")
            };
            Err(ServicesError::NoTariff { year, known })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(from: u16, to: u16, min: u64, max: Option<u64>, eur: u64) -> FundingBand {
        FundingBand {
            tariff_from: from,
            tariff_to: to,
            min_population: min,
            max_population: max,
            annual_eur: eur,
            label: String::new(),
            published: false,
        }
    }

    #[test]
    fn band_boundaries_and_latest_tariff() {
        let bands = [
            band(2016, 2019, 0, Some(9_999), 400),
            band(2016, 2019, 10_000, None, 1_000),
            band(2018, 2018, 0, None, 700),
        ];
        let eur = |p, y| contribution(&bands, p, y).map(|c| c.annual_eur).ok();
        assert_eq!(eur(0, 2016), Some(400));
        assert_eq!(eur(9_999, 2016), Some(400));
        assert_eq!(eur(10_000, 2016), Some(1_000));
        assert_eq!(eur(u64::MAX, 2019), Some(1_000));
        assert_eq!(eur(50, 2018), Some(700), "the later tariff wins in 2018");
        let err = contribution(&bands, 10, 2022).expect_err("no tariff in 2022");
        assert_eq!(
            err.to_string(),
            "no contribution tariff covers 2022 (tariffs known: 2016–2019, 2018)"
        );
    }
}
