//! The IPE file (Interop'Fibre « informations préalables enrichies »): what the network operator publishes every
//! two weeks to commercial operators, one line per address, so they know which buildings they can sell, from
//! which PM, and when. `docs/ipe.md` gives the columns, where each comes from, and the sources of the format.
//!
//! The file must not promise what cannot be delivered: a commercial operator orders a line at every address
//! published `DEPLOYE`. So an address is published `DEPLOYE` exactly when its plugs are raccordable
//! ([`crate::raccordabilite`]): delivered `DE` by the contractor, its PBO built, and its SRO zone taken into
//! operation by the delegatee. An address the contractor marks `DE` that misses either of the last two is
//! published `EN COURS DE DEPLOIEMENT`: its works are under way from the operators' point of view (Interop
//! leaves that state without a precise definition), and it becomes `DEPLOYE` in the file that follows its
//! handover. Every other state is published as delivered.
//!
//! Rows are built from the [`PlugIndex`], which already placed every address in its SRO zone and knows, per
//! plug, whether it is raccordable and since when (the later of its PBO's date and its zone's taking into
//! operation); the phase mapping the index was built with gives the forecast cabling date of addresses not yet
//! deployed (the due date of their phase). Building rows is pure; [`write_ipe`] writes them as the IPE text.

use chrono::{Months, NaiveDate};
use serde::Serialize;
use std::borrow::Cow;
use std::io::{self, Write};
use thd_network::{Id, Network, Zone};

use crate::plugs::{PlugIndex, later};
use crate::raccordabilite::{AddressState, ZoneAcceptance};

/// `EtatPM`: where the PM stands in its deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccessPointState {
    /// `EN COURS DE DEPLOIEMENT`: being installed; the state a PM first appears in.
    Deploying,
    /// `DEPLOYE`: installed, to be made available to the operators that bought it.
    Deployed,
    /// `ABANDONNE`: abandoned (shown for 3 months).
    Abandoned,
}

impl AccessPointState {
    /// The value written in the file.
    pub fn label(self) -> &'static str {
        match self {
            Self::Deploying => "EN COURS DE DEPLOIEMENT",
            Self::Deployed => "DEPLOYE",
            Self::Abandoned => "ABANDONNE",
        }
    }
}

/// `TypeEmplacementPM`: where the PM stands, in Interop's list of values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Placement {
    /// Outdoor PM in a street cabinet (GraceTHD `ADR`).
    StreetCabinet,
    /// Outdoor PM in a shelter (`SHE`).
    Shelter,
    /// Outdoor PM in a technical room, e.g. an NRO (`LTE`).
    TechnicalRoom,
    /// Outdoor PM whose housing the operator's system does not know (`PME`).
    Outdoor,
    /// Indoor PM, in a private part that needs a third party's consent (`PMI`).
    Indoor,
}

impl Placement {
    /// From a GraceTHD `l_sro_emplacement` code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "ADR" => Some(Self::StreetCabinet),
            "SHE" => Some(Self::Shelter),
            "LTE" => Some(Self::TechnicalRoom),
            "PME" => Some(Self::Outdoor),
            "PMI" => Some(Self::Indoor),
            _ => None,
        }
    }

    /// The value written in the file, as Interop's definition of the field spells it.
    pub fn label(self) -> &'static str {
        match self {
            Self::StreetCabinet => "PME-Armoire de rue",
            Self::Shelter => "PME-Shelter",
            Self::TechnicalRoom => "PME-Local technique",
            Self::Outdoor => "PME",
            Self::Indoor => "PMI",
        }
    }
}

/// `EtatImmeuble`: the value written for an address state. GraceTHD's `l_adresse_etat` labels are these very
/// values (its v3 list marks each one « Interop:EtatImmeuble »).
pub fn building_state_label(state: AddressState) -> &'static str {
    match state {
        AddressState::Target => "CIBLE",
        AddressState::Signed => "SIGNE",
        AddressState::Deploying => "EN COURS DE DEPLOIEMENT",
        AddressState::OnDemand => "RACCORDABLE DEMANDE",
        AddressState::OnDemandDeploying => "RAD EN COURS DE DEPLOIEMENT",
        AddressState::Deployed => "DEPLOYE",
        AddressState::Abandoned => "ABANDONNE",
    }
}

/// The PM serving an address, as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpeAccessPoint {
    /// `ReferencePM` (`zs_refpm`).
    pub reference: String,
    /// `EtatPM`.
    pub state: AccessPointState,
    /// `DateInstallationPM` (`zs_dateins`).
    #[serde(serialize_with = "crate::data::iso_date::option::serialize")]
    pub installed: Option<NaiveDate>,
    /// `TypeEmplacementPM` (`zs_typeemp`).
    pub placement: Option<Placement>,
    /// `DateMiseEnServiceCommercialePM`: `zs_datcomr`, else first made available + 3 months.
    #[serde(serialize_with = "crate::data::iso_date::option::serialize")]
    pub commercial_opening: Option<NaiveDate>,
}

/// One line of the IPE file: an address (a building, or a house).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpeRow {
    /// `IdentifiantImmeuble`: the address's code in the delivery (`ad_code`).
    pub address: String,
    /// `CodeAdresseImmeuble`: the hexaclé (`ad_hexacle`).
    pub hexacle: Option<String>,
    pub insee: Option<String>,
    pub postal_code: Option<String>,
    pub commune: Option<String>,
    /// `NomVoieImmeuble`: the street as delivered, its type included.
    pub street: Option<String>,
    pub number: Option<i64>,
    pub number_suffix: Option<String>,
    /// `BatimentImmeuble`: the building's name, else its external code.
    pub building: Option<String>,
    /// `NombreLogementsAdresseIPE`: dwellings (`ad_nblhab`, v3 `ad_nblres`).
    pub dwellings: Option<u32>,
    /// `EtatImmeuble`, after the raccordabilité rule (see the module documentation).
    pub state: Option<AddressState>,
    /// The cabling date: when the address became (or is expected to become) `DEPLOYE`.
    #[serde(serialize_with = "crate::data::iso_date::option::serialize")]
    pub cabling: Option<NaiveDate>,
    /// `DateMiseEnServiceCommercialeImmeuble`: when a customer may be connected under the regulation.
    #[serde(serialize_with = "crate::data::iso_date::option::serialize")]
    pub commercial_opening: Option<NaiveDate>,
    /// `CoordonneeImmeubleX`, `CoordonneeImmeubleY`: Lambert-93 metres, as delivered.
    pub location: Option<[f64; 2]>,
    /// The PM of the address's SRO zone; `None` when the address has no SRO zone, its zone no PM reference, or
    /// its PM is only planned (a PM reference may not appear before the PM is being deployed).
    pub access_point: Option<IpeAccessPoint>,
}

/// What the plugs at one address say.
#[derive(Debug, Clone, Copy, Default)]
struct Served {
    plugs: u32,
    raccordable: u32,
    /// When the last of its raccordable plugs became raccordable.
    since: Option<NaiveDate>,
    /// The due date of the address's phase.
    due: Option<NaiveDate>,
}

/// The IPE rows of a network, one per address in delivery order. `index` must be built from `network`, with the
/// delegatee's acceptances and the project's phase mapping.
pub fn ipe_rows(network: &Network, index: &PlugIndex) -> Vec<IpeRow> {
    let mut served = vec![Served::default(); network.addresses.len()];
    for unit in index.units() {
        let Some(address) = unit.address else {
            continue;
        };
        let at = &mut served[address.index()];
        at.plugs += 1;
        if unit.raccordable() {
            at.raccordable += 1;
            at.since = later(at.since, unit.since);
        }
        if at.due.is_none() {
            at.due = unit.assignment.and_then(|a| index.assignment(a).due);
        }
    }
    // The PM of each SRO zone is the same for all its addresses: resolved once.
    let access_points: Vec<Option<IpeAccessPoint>> = network
        .sro_zones
        .ids()
        .map(|zone| access_point(network, index, zone))
        .collect();

    network
        .addresses
        .iter()
        .map(|(id, code, address)| {
            let served = served[id.index()];
            // Every plug of the address must be raccordable for the building to be sold as deployed.
            let raccordable = served.plugs > 0 && served.raccordable == served.plugs;
            let delivered = address
                .building_state
                .and_then(|s| AddressState::from_code(network.code(s)));
            let state = match delivered {
                Some(AddressState::Deployed) if !raccordable => Some(AddressState::Deploying),
                other => other,
            };
            let access_point = index
                .address_sro(id)
                .and_then(|zone| access_points[zone.index()].clone());
            let deployed = state == Some(AddressState::Deployed);
            let cabling = match state {
                Some(AddressState::Deployed) => served.since.or(address.cabled),
                Some(AddressState::Abandoned) => address.cabled,
                _ => address.cabled.or(served.due),
            };
            let commercial_opening = building_opening(
                address.commercial_opening,
                deployed,
                served.since,
                access_point.as_ref().and_then(|p| p.commercial_opening),
            );
            IpeRow {
                address: code.to_owned(),
                hexacle: address.hexacle.clone(),
                insee: address.insee.clone(),
                postal_code: address.postal_code.clone(),
                commune: address.commune.clone(),
                street: address.street.clone(),
                number: address.number,
                number_suffix: address.number_suffix.clone(),
                building: address
                    .building_name
                    .clone()
                    .or_else(|| address.building_code.clone()),
                dwellings: address.dwellings,
                state,
                cabling,
                commercial_opening,
                location: address.location.map(|p| [p.x(), p.y()]),
                access_point,
            }
        })
        .collect()
}

/// `DateMiseEnServiceCommercialeImmeuble`: the delivered `ad_idatcom`; else, for an address published
/// `DEPLOYE`, the later of the day its PM opened commercially and the day it became raccordable. It stays empty
/// while the PM's opening is unknown: the regulation's 3-month freeze runs from the PM's first making available,
/// so a date without it could promise a sale the regulation does not yet allow.
fn building_opening(
    delivered: Option<NaiveDate>,
    deployed: bool,
    raccordable_since: Option<NaiveDate>,
    pm_opening: Option<NaiveDate>,
) -> Option<NaiveDate> {
    delivered.or_else(|| {
        let pm_opening = pm_opening.filter(|_| deployed)?;
        Some(raccordable_since.map_or(pm_opening, |since| since.max(pm_opening)))
    })
}

/// The PM of an SRO zone as published, or `None` when it may not be (see [`IpeRow::access_point`]).
///
/// `EtatPM` is the delivered `zs_etatpm`, except that a zone the delegatee operates has a deployed PM whatever
/// the contractor's file still says (an address cannot be `DEPLOYE` behind a PM that is not), and a PM whose
/// state is not given is `EN COURS DE DEPLOIEMENT`, the state Interop gives a PM when it first appears.
fn access_point(network: &Network, index: &PlugIndex, id: Id<Zone>) -> Option<IpeAccessPoint> {
    let zone = network.sro_zones.get(id);
    let pm = zone.access_point.as_ref()?;
    let reference = pm.reference.clone()?;
    let in_operation = index.sro_handover(id).acceptance == ZoneAcceptance::InOperation;
    let state = match pm.state.map(|s| network.code(s)) {
        Some("AB") => AccessPointState::Abandoned,
        _ if in_operation => AccessPointState::Deployed,
        Some("DP") => AccessPointState::Deployed,
        Some("EC") | None => AccessPointState::Deploying,
        // PL, planned: not published yet.
        Some(_) => return None,
    };
    Some(IpeAccessPoint {
        reference,
        state,
        installed: zone.life.installed,
        placement: pm
            .placement
            .and_then(|s| Placement::from_code(network.code(s))),
        // Interop: the commercial opening of a PM is its first making available plus the 3-month freeze.
        commercial_opening: pm
            .commercial_opening
            .or_else(|| pm.first_available?.checked_add_months(Months::new(3))),
    })
}

/// A column of the file: its header and how a row fills it.
type Column = (&'static str, fn(&IpeRow) -> Cow<'_, str>);

/// The columns written, in order (`docs/ipe.md` documents each).
const COLUMNS: [Column; 22] = [
    ("IdentifiantImmeuble", |r| text(Some(&r.address))),
    ("CodeAdresseImmeuble", |r| text(r.hexacle.as_deref())),
    ("CodeInseeImmeuble", |r| text(r.insee.as_deref())),
    ("CodePostalImmeuble", |r| text(r.postal_code.as_deref())),
    ("CommuneImmeuble", |r| text(r.commune.as_deref())),
    // GraceTHD keeps the street type inside the street name: it is not split off by guessing.
    ("TypeVoieImmeuble", |_| Cow::Borrowed("")),
    ("NomVoieImmeuble", |r| text(r.street.as_deref())),
    ("NumeroVoieImmeuble", |r| number(r.number)),
    ("ComplementNumeroVoieImmeuble", |r| {
        text(r.number_suffix.as_deref())
    }),
    ("BatimentImmeuble", |r| text(r.building.as_deref())),
    ("NombreLogementsAdresseIPE", |r| {
        number(r.dwellings.map(i64::from))
    }),
    ("EtatImmeuble", |r| {
        Cow::Borrowed(r.state.map_or("", building_state_label))
    }),
    ("DateCablageAdresse", |r| date(r.cabling)),
    ("DateMiseEnServiceCommercialeImmeuble", |r| {
        date(r.commercial_opening)
    }),
    ("CoordonneeImmeubleX", |r| {
        coordinate(r.location.map(|p| p[0]))
    }),
    ("CoordonneeImmeubleY", |r| {
        coordinate(r.location.map(|p| p[1]))
    }),
    // RGF93 is how IPE files name Lambert-93 (EPSG:2154), the frame GraceTHD delivers in.
    ("TypeProjectionGeographique", |r| {
        Cow::Borrowed(if r.location.is_some() { "RGF93" } else { "" })
    }),
    ("ReferencePM", |r| {
        text(r.access_point.as_ref().map(|p| p.reference.as_str()))
    }),
    ("EtatPM", |r| {
        Cow::Borrowed(r.access_point.as_ref().map_or("", |p| p.state.label()))
    }),
    ("DateInstallationPM", |r| {
        date(r.access_point.as_ref().and_then(|p| p.installed))
    }),
    ("TypeEmplacementPM", |r| {
        Cow::Borrowed(
            r.access_point
                .as_ref()
                .and_then(|p| p.placement)
                .map_or("", Placement::label),
        )
    }),
    ("DateMiseEnServiceCommercialePM", |r| {
        date(r.access_point.as_ref().and_then(|p| p.commercial_opening))
    }),
];

/// The header of the file, in column order.
pub fn ipe_columns() -> impl ExactSizeIterator<Item = &'static str> {
    COLUMNS.iter().map(|(name, _)| *name)
}

/// Writes rows as an IPE file: a header row, then one line per row, fields separated by `;` and never quoted,
/// dates `YYYYMMDD`, coordinates in metres to the centimetre, UTF-8, lines ending with `\n`.
pub fn write_ipe(rows: &[IpeRow], out: &mut impl Write) -> io::Result<()> {
    let header: Vec<&str> = ipe_columns().collect();
    writeln!(out, "{}", header.join(";"))?;
    let mut line = String::new();
    for row in rows {
        line.clear();
        for (i, (_, cell)) in COLUMNS.iter().enumerate() {
            if i > 0 {
                line.push(';');
            }
            line.push_str(&cell(row));
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// A text cell. The format has no quoting, so a `;` or a line break inside a value (GraceTHD forbids both, but
/// a delivery may still hold them) becomes a space instead of shifting the columns.
fn text(value: Option<&str>) -> Cow<'_, str> {
    match value {
        None => Cow::Borrowed(""),
        Some(v) if v.contains([';', '\n', '\r']) => Cow::Owned(v.replace([';', '\n', '\r'], " ")),
        Some(v) => Cow::Borrowed(v),
    }
}

fn number(value: Option<i64>) -> Cow<'static, str> {
    value.map_or(Cow::Borrowed(""), |n| Cow::Owned(n.to_string()))
}

fn date(value: Option<NaiveDate>) -> Cow<'static, str> {
    value.map_or(Cow::Borrowed(""), |d| {
        Cow::Owned(d.format("%Y%m%d").to_string())
    })
}

fn coordinate(value: Option<f64>) -> Cow<'static, str> {
    value.map_or(Cow::Borrowed(""), |v| Cow::Owned(format!("{v:.2}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use thd_model::{GraceVersion, Schema};

    /// The IPE values of `EtatImmeuble` and `EtatPM` are the labels of GraceTHD's lists in both versions: the
    /// model and the file speak the same words, so a state decoded from either version is published unchanged.
    #[test]
    fn published_states_are_the_labels_of_the_gracethd_lists() {
        for version in [GraceVersion::V2_0_1, GraceVersion::V3] {
            let schema = Schema::of(version);
            let addresses = schema.list("l_adresse_etat").unwrap();
            for value in &addresses.values {
                let state = AddressState::from_code(&value.code).unwrap();
                assert_eq!(building_state_label(state), value.label, "{version}");
            }
            let pm = schema.list("l_sro_etat").unwrap();
            for (code, state) in [
                ("EC", AccessPointState::Deploying),
                ("DP", AccessPointState::Deployed),
                ("AB", AccessPointState::Abandoned),
            ] {
                assert_eq!(Some(state.label()), pm.label(code), "{version} {code}");
            }
        }
        assert_eq!(
            Schema::of(GraceVersion::V3)
                .list("l_adresse_etat")
                .unwrap()
                .values
                .len(),
            AddressState::ALL.len(),
            "v3 lists every state"
        );
    }

    #[test]
    fn every_placement_code_of_the_model_has_a_value() {
        let list = Schema::of(GraceVersion::V2_0_1)
            .list("l_sro_emplacement")
            .unwrap();
        let labels: Vec<&str> = list
            .values
            .iter()
            .map(|v| Placement::from_code(&v.code).unwrap().label())
            .collect();
        assert_eq!(
            labels,
            [
                "PME-Armoire de rue",
                "PME-Shelter",
                "PME-Local technique",
                "PME",
                "PMI"
            ]
        );
    }

    #[test]
    fn a_building_opens_commercially_after_its_pm_and_its_raccordability() {
        let day = |m| NaiveDate::from_ymd_opt(2021, m, 1);
        // (delivered ad_idatcom, published DEPLOYE, raccordable since, PM opening) → published opening.
        for (delivered, deployed, since, pm, expected) in [
            (day(9), true, day(6), day(5), day(9)), // the delivery's date wins
            (day(9), false, None, None, day(9)),    // whatever the state
            (None, true, day(6), day(5), day(6)),   // raccordable after the PM opened
            (None, true, day(4), day(5), day(5)),   // the PM's freeze not over when raccordable
            (None, true, None, day(5), day(5)),     // undated raccordability
            (None, true, day(6), None, None),       // PM opening unknown: nothing promised
            (None, false, None, day(5), None),      // not deployed: no opening
        ] {
            assert_eq!(
                building_opening(delivered, deployed, since, pm),
                expected,
                "{delivered:?} {deployed} {since:?} {pm:?}"
            );
        }
    }

    /// `docs/ipe.md` documents every column written, in the order written.
    #[test]
    fn the_documented_columns_are_the_written_ones() {
        let doc = include_str!("../../../docs/ipe.md");
        let table = doc.split("## Columns").nth(1).unwrap();
        let documented: Vec<&str> = table
            .lines()
            .take_while(|l| !l.starts_with("## "))
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        assert_eq!(documented, ipe_columns().collect::<Vec<_>>());
    }

    #[test]
    fn cells_never_break_the_line() {
        assert_eq!(text(Some("RUE;DU\nMAIL\r")), "RUE DU MAIL ");
        assert_eq!(text(Some("RUE DU MAIL")), "RUE DU MAIL");
        assert_eq!(text(None), "");
        assert_eq!(date(NaiveDate::from_ymd_opt(2021, 3, 5)), "20210305");
        assert_eq!(coordinate(Some(667_452.7)), "667452.70");
        assert_eq!(number(Some(-3)), "-3");
    }
}
