//! The reference table of Breton communes (`data/communes/bretagne.csv`) and the choice of the communes a delivery
//! covers.
//!
//! A delivery starts in one commune of the requested department and grows to its nearest neighbours, the
//! department's own communes first: a contractor's package covers contiguous communes of one département.

use rand::Rng;
use std::sync::OnceLock;

use crate::GenerateError;

/// The departments of Brittany, the only ones the table covers.
pub const DEPARTMENTS: [&str; 4] = ["22", "29", "35", "56"];

const CSV: &str = include_str!("../../../data/communes/bretagne.csv");

/// Plugs a commune takes on average when a delivery spans several: a rural NRO zone of a Breton RIP serves a few
/// thousand lines, and one NRO per commune keeps zones nested and communes independent.
const PLUGS_PER_COMMUNE: u32 = 4_000;

/// A commune of the reference table.
#[derive(Debug, Clone, PartialEq)]
pub struct Commune {
    pub insee: &'static str,
    pub name: &'static str,
    pub department: &'static str,
    /// Approximate centre, Lambert-93 metres.
    pub x: f64,
    pub y: f64,
}

/// Every commune of the embedded table, parsed once.
pub fn all() -> Result<&'static [Commune], GenerateError> {
    static TABLE: OnceLock<Result<Vec<Commune>, (usize, String)>> = OnceLock::new();
    match TABLE.get_or_init(|| parse(CSV)) {
        Ok(communes) => Ok(communes),
        Err((line, reason)) => Err(GenerateError::CommuneTable {
            line: *line,
            reason: reason.clone(),
        }),
    }
}

fn parse(csv: &'static str) -> Result<Vec<Commune>, (usize, String)> {
    let mut communes = Vec::new();
    for (i, line) in csv.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(';').collect();
        let [insee, name, department, x, y] = fields[..] else {
            return Err((i + 1, format!("{} fields instead of 5", fields.len())));
        };
        let coord = |s: &str| s.parse::<f64>().map_err(|e| (i + 1, format!("{s:?}: {e}")));
        if insee.len() != 5 || !insee.starts_with(department) {
            return Err((
                i + 1,
                format!("INSEE code {insee:?} not in department {department}"),
            ));
        }
        communes.push(Commune {
            insee,
            name,
            department,
            x: coord(x)?,
            y: coord(y)?,
        });
    }
    Ok(communes)
}

/// Chooses the communes of a delivery and splits the plugs among them (each gets at least one).
pub(crate) fn choose(
    plugs: u32,
    department: Option<&str>,
    rng: &mut impl Rng,
) -> Result<Vec<(&'static Commune, u32)>, GenerateError> {
    let communes = all()?;
    let department = match department {
        Some(d) if DEPARTMENTS.contains(&d) => d,
        Some(d) => return Err(GenerateError::UnknownDepartment(d.to_owned())),
        None => DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())],
    };
    let home: Vec<&Commune> = communes
        .iter()
        .filter(|c| c.department == department)
        .collect();
    let start = home[rng.random_range(0..home.len())];
    let mut ordered: Vec<&'static Commune> = communes.iter().collect();
    ordered.sort_by(|a, b| {
        let key = |c: &Commune| {
            let d2 = (c.x - start.x).powi(2) + (c.y - start.y).powi(2);
            (c.department != department, d2)
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    let wanted = plugs
        .div_ceil(PLUGS_PER_COMMUNE)
        .clamp(1, ordered.len() as u32) as usize;
    ordered.truncate(wanted.min(plugs as usize));
    let shares = split(plugs, ordered.len(), rng);
    Ok(ordered.into_iter().zip(shares).collect())
}

/// Splits `total` into `parts` positive shares of random weight 0.6–1.4, summing exactly to `total`.
pub(crate) fn split(total: u32, parts: usize, rng: &mut impl Rng) -> Vec<u32> {
    debug_assert!(parts >= 1 && total as usize >= parts);
    let weights: Vec<f64> = (0..parts).map(|_| rng.random_range(0.6..1.4)).collect();
    let sum: f64 = weights.iter().sum();
    let spare = (total as usize - parts) as f64;
    let mut shares: Vec<u32> = weights
        .iter()
        .map(|w| 1 + (spare * w / sum).floor() as u32)
        .collect();
    let mut missing = total - shares.iter().sum::<u32>();
    let mut i = 0;
    while missing > 0 {
        shares[i % parts] += 1;
        missing -= 1;
        i += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::collections::BTreeSet;

    #[test]
    fn the_table_covers_the_four_departments_with_unique_codes_inside_brittany() {
        let communes = all().expect("table parses");
        assert!(communes.len() >= 40);
        let codes: BTreeSet<_> = communes.iter().map(|c| c.insee).collect();
        assert_eq!(codes.len(), communes.len(), "duplicate INSEE code");
        for d in DEPARTMENTS {
            assert!(
                communes.iter().filter(|c| c.department == d).count() >= 10,
                "{d}"
            );
        }
        for c in communes {
            assert!((90_000.0..420_000.0).contains(&c.x), "{} x {}", c.name, c.x);
            assert!(
                (6_680_000.0..6_900_000.0).contains(&c.y),
                "{} y {}",
                c.name,
                c.y
            );
        }
        let rennes = communes
            .iter()
            .find(|c| c.insee == "35238")
            .expect("Rennes");
        assert_eq!(rennes.name, "Rennes");
    }

    #[test]
    fn a_large_delivery_spans_neighbours_of_the_requested_department_first() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let chosen = choose(40_000, Some("29"), &mut rng).expect("choose");
        assert_eq!(chosen.len(), 10);
        assert!(chosen.iter().all(|(c, _)| c.department == "29"));
        assert_eq!(chosen.iter().map(|(_, p)| p).sum::<u32>(), 40_000);
    }

    #[test]
    fn unknown_departments_are_refused() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(matches!(
            choose(10, Some("44"), &mut rng),
            Err(GenerateError::UnknownDepartment(_))
        ));
    }

    #[test]
    fn split_is_exact_and_positive() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for (total, parts) in [(1, 1), (7, 7), (1000, 3), (12_345, 11)] {
            let shares = split(total, parts, &mut rng);
            assert_eq!(shares.iter().sum::<u32>(), total);
            assert!(shares.iter().all(|&s| s >= 1));
        }
    }
}
