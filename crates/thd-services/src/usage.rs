//! Usage indicators over the years, with the growth from one year to the next computed from the figures,
//! never typed in: a published "×4.2" must follow from the two published counts, or it is a typo.

use std::fmt;

use serde::Serialize;

use crate::model::{Indicator, UsageFigure};

/// How much an indicator grew from one year to another, as a ratio (`to / from`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Growth {
    pub from_year: u16,
    pub to_year: u16,
    /// `value(to_year) / value(from_year)`: 2.0 means doubled.
    pub ratio: f64,
}

impl Growth {
    /// The growth from `(year, value)` to `(year, value)`; `None` when the first value is 0 (no ratio).
    pub fn between(from: (u16, u64), to: (u16, u64)) -> Option<Growth> {
        (from.1 > 0).then(|| Growth {
            from_year: from.0,
            to_year: to.0,
            // Counts stay far below 2^53, where u64 → f64 is exact.
            ratio: to.1 as f64 / from.1 as f64,
        })
    }

    /// The change in percent (`+47.8` for a ratio of 1.478).
    pub fn percent(&self) -> f64 {
        (self.ratio - 1.0) * 100.0
    }
}

/// As the reports write it: `×4.2`.
impl fmt::Display for Growth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "×{:.1}", self.ratio)
    }
}

/// One year of an indicator.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct UsagePoint {
    pub year: u16,
    pub value: u64,
    /// Growth over the previous year that has a figure (`None` for the first year, or after a 0).
    pub growth: Option<Growth>,
}

/// An indicator's figures, oldest year first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageSeries<'a> {
    pub indicator: &'a Indicator,
    pub points: Vec<UsagePoint>,
}

impl UsageSeries<'_> {
    /// The point of `year`, if the indicator has a figure for it.
    pub fn year(&self, year: u16) -> Option<&UsagePoint> {
        self.points.iter().find(|p| p.year == year)
    }
}

/// The series of `indicator` among `figures`.
pub(crate) fn series<'a>(indicator: &'a Indicator, figures: &[UsageFigure]) -> UsageSeries<'a> {
    let mut years: Vec<(u16, u64)> = figures
        .iter()
        .filter(|f| f.indicator == indicator.id)
        .map(|f| (f.year, f.value))
        .collect();
    years.sort_unstable();
    let points = years
        .iter()
        .enumerate()
        .map(|(i, &(year, value))| UsagePoint {
            year,
            value,
            growth: i
                .checked_sub(1)
                .and_then(|p| Growth::between(years[p], (year, value))),
        })
        .collect();
    UsageSeries { indicator, points }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::IndicatorId;

    fn figure(year: u16, value: u64) -> UsageFigure {
        UsageFigure {
            indicator: IndicatorId::new("x"),
            year,
            value,
        }
    }

    #[test]
    fn growth_is_computed_between_consecutive_figures_in_year_order() {
        let indicator = Indicator {
            id: IndicatorId::new("x"),
            service: None,
            label_en: "x".into(),
            label_fr: "x".into(),
        };
        let other = UsageFigure {
            indicator: IndicatorId::new("y"),
            year: 2019,
            value: 1,
        };
        let s = series(
            &indicator,
            &[figure(2019, 300), other, figure(2017, 0), figure(2018, 100)],
        );
        let years: Vec<u16> = s.points.iter().map(|p| p.year).collect();
        assert_eq!(years, [2017, 2018, 2019]);
        assert_eq!(s.points[0].growth, None);
        assert_eq!(s.points[1].growth, None, "no ratio from 0");
        let g = s.points[2].growth.expect("growth 2018→2019");
        assert_eq!((g.from_year, g.to_year), (2018, 2019));
        assert_eq!(g.ratio, 3.0);
        assert_eq!(g.percent(), 200.0);
        assert_eq!(g.to_string(), "×3.0");
        assert_eq!(s.year(2018).map(|p| p.value), Some(100));
    }
}
