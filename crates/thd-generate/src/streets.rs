//! Street names and their civil works: each lattice row and column of a commune is one street.
//!
//! Names combine a way type and a Breton or common French name, upper-case without accents as cadastral and BAN
//! extracts spell them. Whether a street is aerial or underground, and whose infrastructure it reuses, is decided
//! per street: an engineer reuses Orange's ducts or poles street by street, not span by span.

use rand::Rng;

const TYPES: [&str; 6] = ["RUE", "ALLEE", "CHEMIN", "IMPASSE", "ROUTE", "AVENUE"];

const NAMES: [&str; 60] = [
    "DES AJONCS",
    "DES GENETS",
    "DES BRUYERES",
    "DE LA MAIRIE",
    "DU STADE",
    "DE L EGLISE",
    "DU MOULIN",
    "DE LA FONTAINE",
    "DES CHENES",
    "DES HORTENSIAS",
    "DES CAMELIAS",
    "DU PRESBYTERE",
    "DE LA GARE",
    "DE KERVENO",
    "DE KERHUEL",
    "DE KERLAN",
    "DE PENHOET",
    "DE LANVEUR",
    "DU LAVOIR",
    "DES ECOLES",
    "DE LA CHAPELLE",
    "DU CALVAIRE",
    "DES MOUETTES",
    "DES GOELANDS",
    "DU PORT",
    "DES TILLEULS",
    "DES PEUPLIERS",
    "DE BREST",
    "DE RENNES",
    "DE QUIMPER",
    "DE VANNES",
    "DE LORIENT",
    "DE SAINT BRIEUC",
    "ANNE DE BRETAGNE",
    "DES DRUIDES",
    "DE BROCELIANDE",
    "DU MENHIR",
    "DU DOLMEN",
    "DES LANDES",
    "DU BOURG",
    "DE LA VALLEE",
    "DES PRES",
    "DU CHATEAU",
    "DE LA RIVIERE",
    "DU PONT",
    "DES VERGERS",
    "DES POMMIERS",
    "DE LA LANDE",
    "DU BOIS",
    "DES SAULES",
    "JEAN JAURES",
    "VICTOR HUGO",
    "JULES FERRY",
    "PASTEUR",
    "DE LA LIBERATION",
    "DU GENERAL DE GAULLE",
    "DE LA RESISTANCE",
    "DES TISSERANDS",
    "DES MEUNIERS",
    "DES CORSAIRES",
];

/// Who owns the infrastructure a street's cables run in or on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// The public operator, for civil works it builds.
    Operator,
    /// The incumbent, whose ducts and poles a RIP rents (the usual case in Brittany).
    Orange,
    /// The electricity distributor, whose low-voltage poles carry fibre in rural areas.
    Enedis,
}

/// How a street's cables are laid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Laying {
    Underground,
    Aerial,
}

/// One street of a commune.
#[derive(Debug, Clone)]
pub struct Street {
    pub name: String,
    /// FANTOIR-like street identifier within the commune.
    pub fantoir: String,
    pub laying: Laying,
    pub owner: Owner,
}

impl Street {
    /// Draws the `index`-th street of a commune where a share `aerial` of streets is aerial.
    pub fn draw(index: usize, aerial: f64, rng: &mut impl Rng) -> Self {
        let combos = TYPES.len() * NAMES.len();
        let k = index % combos;
        // Walk names first, so consecutive streets read differently.
        let mut name = format!("{} {}", TYPES[k / NAMES.len()], NAMES[k % NAMES.len()]);
        if index >= combos {
            name.push_str(&format!(" {}", index / combos + 1));
        }
        let (laying, owner) = if rng.random_bool(aerial) {
            let owner = if rng.random_bool(0.6) {
                Owner::Orange
            } else {
                Owner::Enedis
            };
            (Laying::Aerial, owner)
        } else {
            let owner = if rng.random_bool(0.65) {
                Owner::Orange
            } else {
                Owner::Operator
            };
            (Laying::Underground, owner)
        };
        Street {
            name,
            fantoir: format!("{:04}", index + 1),
            laying,
            owner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::collections::BTreeSet;

    #[test]
    fn names_stay_unique_beyond_the_combinations() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let names: BTreeSet<String> = (0..1000)
            .map(|i| Street::draw(i, 0.3, &mut rng).name)
            .collect();
        assert_eq!(names.len(), 1000);
    }

    #[test]
    fn aerial_streets_hang_on_orange_or_enedis_poles() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for i in 0..200 {
            let s = Street::draw(i, 1.0, &mut rng);
            assert_eq!(s.laying, Laying::Aerial);
            assert_ne!(s.owner, Owner::Operator);
        }
    }
}
