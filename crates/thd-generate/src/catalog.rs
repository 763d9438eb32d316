//! The organisations and equipment references every generated delivery shares.
//!
//! Codes are fixed so that deliveries of different seeds reference the same owners, as the deliveries of one
//! operator do: the public operator builds and owns, its delegatee operates, Orange and Enedis own the ducts and
//! poles the network rents, two manufacturers supply cables and boxes. Each commune of a delivery is added as an
//! organisation of its own by the emitters ([`commune_org`]): it manages the roads under and along which the
//! network runs.

use crate::net::CAPACITIES;
use crate::streets::Owner;

/// An organisation of `t_organisme`.
#[derive(Debug, Clone, Copy)]
pub struct Org {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    /// SIREN of real organisations (as in the demo delivery and the GraceTHD reference data); the fictitious
    /// operator, delegatee and manufacturers have none.
    pub siren: Option<&'static str>,
}

pub const OPERATOR: Org = Org {
    code: "OR035000000001",
    name: "OPERATEUR PUBLIC THD BRETAGNE",
    kind: "Collectivite",
    siren: None,
};
pub const DELEGATEE: Org = Org {
    code: "OR035000000002",
    name: "DELEGATAIRE FIBRE BRETAGNE",
    kind: "Operateur",
    siren: None,
};
pub const ORANGE: Org = Org {
    code: "OR035000000003",
    name: "ORANGE",
    kind: "Operateur",
    siren: Some("380129866"),
};
pub const ENEDIS: Org = Org {
    code: "OR035000000004",
    name: "ENEDIS",
    kind: "Concessionnaire",
    siren: Some("444608442"),
};
pub const CABLE_MAKER: Org = Org {
    code: "OR035000000005",
    name: "CABLES OPTIQUES DE L OUEST",
    kind: "Equipementier",
    siren: None,
};
pub const BOX_MAKER: Org = Org {
    code: "OR035000000006",
    name: "BOITIERS FIBRE ARMOR",
    kind: "Equipementier",
    siren: None,
};

pub const ORGS: [Org; 6] = [OPERATOR, DELEGATEE, ORANGE, ENEDIS, CABLE_MAKER, BOX_MAKER];

/// Code of a commune as an organisation: the manager of the public roads the network runs under and along.
pub fn commune_org(insee: &str) -> String {
    format!("ORCOM{insee}")
}

/// The organisation owning infrastructure of this owner.
pub fn org(owner: Owner) -> &'static str {
    match owner {
        Owner::Operator => OPERATOR.code,
        Owner::Orange => ORANGE.code,
        Owner::Enedis => ENEDIS.code,
    }
}

/// An equipment reference of `t_reference`.
#[derive(Debug, Clone)]
pub struct Reference {
    pub code: String,
    pub cable: bool,
    pub maker: &'static str,
    pub design: String,
}

/// Reference code of a cable of `capacity` fibres.
pub fn cable_ref(capacity: u32) -> String {
    format!("RF{:012}", 100_000 + capacity)
}

/// Reference code of a box of `fibres` fibres (`0` for the optical outlet).
pub fn box_ref(fibres: u32) -> String {
    format!("RF{:012}", 200_000 + fibres)
}

/// Reference code of a trench cross-section (v3 `t_tranchee.tr_couptyp`): conventional or micro-trench.
pub fn trench_ref(micro: bool) -> String {
    format!("RF{:012}", 300_000 + u32::from(micro))
}

/// Trench cross-sections the operator builds (v3 only: v2 has no trench table).
pub fn trench_references() -> [(String, &'static str); 2] {
    [
        (trench_ref(false), "COUPE TYPE TRANCHEE SOUS TROTTOIR"),
        (trench_ref(true), "COUPE TYPE MICRO TRANCHEE"),
    ]
}

/// Every reference: one cable and one box per standard capacity, and the optical outlet.
pub fn references() -> Vec<Reference> {
    let cables = CAPACITIES.iter().map(|&c| Reference {
        code: cable_ref(c),
        cable: true,
        maker: CABLE_MAKER.code,
        design: format!("CABLE OPTIQUE {c} FO G657A2"),
    });
    let boxes = CAPACITIES.iter().map(|&c| Reference {
        code: box_ref(c),
        cable: false,
        maker: BOX_MAKER.code,
        design: format!("BOITIER {c} FO"),
    });
    let outlet = Reference {
        code: box_ref(0),
        cable: false,
        maker: BOX_MAKER.code,
        design: "PRISE TERMINALE OPTIQUE 1 FO".to_owned(),
    };
    cables.chain(boxes).chain([outlet]).collect()
}
