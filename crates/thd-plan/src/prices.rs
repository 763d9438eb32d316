//! The unit-price schedule (bordereau de prix unitaires, BPU): what one metre or one piece of each item of the
//! bill of quantities costs.
//!
//! The schedule is data (`data/plan/prices.csv`, compiled in as [`PriceSchedule::builtin`]), because prices are
//! the contracts' and change with each award:
//!
//! ```text
//! item,unit,price_eur,description
//! path.new.7,m,68,Trench with new ducts (GraceTHD placement 7 CONDUITE), reinstated
//! cable.144,m,4.10,Optical cable 144 fibres, pulled
//! ptech.new.C,u,1250,New chamber, any model
//! ```
//!
//! Item keys are the ones [`crate::quantities`] measures, built from GraceTHD list codes so that a new code in
//! the model needs a new price row, not a code change. Looking a price up ([`PriceSchedule::price`]):
//! 1. the exact item;
//! 2. for a cable (`cable.<fibres>`), the smallest priced capacity that holds it: a 100-fibre cable is bought
//!    as a 144;
//! 3. else the item with its last segment dropped, repeatedly: `ptech.new.C.L2T` falls back on `ptech.new.C`,
//!    then `ptech.new`, so a schedule prices a family once and the models that differ one by one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

use crate::{PlanError, data};

const HINT: &str =
    "columns: item, unit (m or u), price_eur (a number ≥ 0, dot as decimal separator), description";

/// The unit an item is measured and priced in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PriceUnit {
    /// Metres.
    #[serde(rename = "m")]
    Metre,
    /// Pieces (unité).
    #[serde(rename = "u")]
    Each,
}

impl PriceUnit {
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Metre => "m",
            Self::Each => "u",
        }
    }
}

/// One row of the schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Price {
    pub unit: PriceUnit,
    pub eur: f64,
    pub description: String,
}

#[derive(Deserialize)]
struct Row {
    item: String,
    unit: PriceUnit,
    price_eur: f64,
    description: String,
}

/// A unit-price schedule.
#[derive(Debug, Clone, Default)]
pub struct PriceSchedule {
    items: BTreeMap<String, Price>,
    /// Priced cable capacities, ascending, for the "smallest that holds it" rule.
    cables: Vec<u32>,
}

const BUILTIN: &str = include_str!("../../../data/plan/prices.csv");

impl PriceSchedule {
    pub fn parse(text: &str, origin: &str) -> Result<Self, PlanError> {
        let mut schedule = Self::default();
        let mut lines: BTreeMap<String, u64> = BTreeMap::new();
        for (line, row) in data::records::<Row>(text, origin, HINT)? {
            if row.item.is_empty() || row.item.contains(char::is_whitespace) {
                return Err(PlanError::data(
                    origin,
                    line,
                    format!("item {:?} is empty or has spaces", row.item),
                    "items are dot-separated keys such as path.new.7 (see data/plan/README.md)",
                ));
            }
            if !(row.price_eur.is_finite() && row.price_eur >= 0.0) {
                return Err(PlanError::data(
                    origin,
                    line,
                    format!("price {} of {}", row.price_eur, row.item),
                    HINT,
                ));
            }
            if let Some(first) = lines.insert(row.item.clone(), line) {
                return Err(PlanError::data(
                    origin,
                    line,
                    format!("{} is already priced on line {first}", row.item),
                    "keep one row per item",
                ));
            }
            if let Some(capacity) = row.item.strip_prefix("cable.") {
                let capacity: u32 = capacity.parse().map_err(|_| {
                    PlanError::data(
                        origin,
                        line,
                        format!("{} does not name a capacity", row.item),
                        "cables are priced as cable.<fibres>, e.g. cable.144",
                    )
                })?;
                schedule.cables.push(capacity);
            }
            schedule.items.insert(
                row.item,
                Price {
                    unit: row.unit,
                    eur: row.price_eur,
                    description: row.description,
                },
            );
        }
        schedule.cables.sort_unstable();
        Ok(schedule)
    }

    pub fn load(path: &Path) -> Result<Self, PlanError> {
        Self::parse(&data::read(path)?, &path.display().to_string())
    }

    /// The default schedule shipped in `data/plan/prices.csv`.
    pub fn builtin() -> Self {
        // The file is part of the crate and its parse is tested: failing here is a build defect.
        Self::parse(BUILTIN, "data/plan/prices.csv")
            .unwrap_or_else(|e| panic!("the built-in price schedule is invalid: {e}"))
    }

    /// The price of an item, with the key it was found under (see the module documentation for the rule).
    pub fn price(&self, item: &str) -> Option<(&str, &Price)> {
        if let Some((key, price)) = self.items.get_key_value(item) {
            return Some((key, price));
        }
        if let Some(capacity) = item
            .strip_prefix("cable.")
            .and_then(|c| c.parse::<u32>().ok())
            && let Some(&priced) = self.cables.iter().find(|&&c| c >= capacity)
        {
            return self
                .items
                .get_key_value(&format!("cable.{priced}"))
                .map(|(k, p)| (k.as_str(), p));
        }
        let mut key = item;
        while let Some((parent, _)) = key.rsplit_once('.') {
            if let Some((found, price)) = self.items.get_key_value(parent) {
                return Some((found, price));
            }
            key = parent;
        }
        None
    }

    /// Every row, by item.
    pub fn items(&self) -> impl Iterator<Item = (&str, &Price)> {
        self.items.iter().map(|(k, p)| (k.as_str(), p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: &str = "item,unit,price_eur,description\n\
        # a comment line\n\
        ptech.new,u,900,chamber or pole\n\
        ptech.new.C.L2T,u,1400,chamber L2T\n\
        cable.12,m,1.5,cable 12\n\
        cable.144,m,4.1,cable 144\n";

    #[test]
    fn lookup_falls_back_on_capacity_then_parent_items() {
        let s = PriceSchedule::parse(SCHEDULE, "prices.csv").unwrap();
        let found = |item| s.price(item).map(|(k, p)| (k.to_owned(), p.eur));
        assert_eq!(
            found("ptech.new.C.L2T"),
            Some(("ptech.new.C.L2T".into(), 1400.0))
        );
        assert_eq!(found("ptech.new.C.L1T"), Some(("ptech.new".into(), 900.0)));
        assert_eq!(found("cable.12"), Some(("cable.12".into(), 1.5)));
        assert_eq!(found("cable.6"), Some(("cable.12".into(), 1.5)));
        assert_eq!(found("cable.96"), Some(("cable.144".into(), 4.1)));
        assert_eq!(found("cable.288"), None, "no priced capacity holds it");
        assert_eq!(found("box.PBO"), None);
    }

    #[test]
    fn bad_rows_are_refused_at_their_line() {
        let check = |extra: &str, expect: &str| {
            let text = format!("{SCHEDULE}{extra}\n");
            let error = PriceSchedule::parse(&text, "prices.csv")
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("prices.csv, line 7") && error.contains(expect),
                "{error}"
            );
        };
        check("cable.12,m,2,again", "already priced on line 5");
        check("box.PBO,kg,2,box", "unknown variant");
        check("box.PBO,u,-2,box", "price -2");
        check("cable.big,m,2,cable", "cable.<fibres>");
    }

    #[test]
    fn the_builtin_schedule_parses() {
        let s = PriceSchedule::builtin();
        assert!(s.items().count() > 30);
        assert!(s.price("path.new.7").is_some());
    }
}
