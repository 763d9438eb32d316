//! Codes of the GraceTHD value lists, read from the model.
//!
//! The generator chooses codes by meaning (a PBO, a chamber, as-built) and resolves each one in the model's list
//! once, before writing a row: a code the model lacks is a typed error, never a silently invalid cell. Where any
//! code of a family fits (chamber sizes, pole materials), the family is read from the list by its labels.

use thd_model::{GraceVersion, Schema};

use crate::GenerateError;
use crate::net::{CableRole, Path, Phase, Support};
use crate::streets::{Laying, Owner};

/// Lookup of codes in a version's value lists.
#[derive(Debug, Clone, Copy)]
pub struct Lists {
    schema: &'static Schema,
    version: GraceVersion,
}

impl Lists {
    pub fn new(version: GraceVersion) -> Self {
        Self {
            schema: Schema::of(version),
            version,
        }
    }

    fn missing(&self, list: &str, code: &str) -> GenerateError {
        GenerateError::UnknownCode {
            version: self.version,
            list: list.to_owned(),
            code: code.to_owned(),
        }
    }

    /// The code as the model spells it.
    pub fn code(&self, list: &str, code: &str) -> Result<&'static str, GenerateError> {
        self.schema
            .list(list)
            .and_then(|l| l.values.iter().find(|v| v.code == code))
            .map(|v| v.code.as_str())
            .ok_or_else(|| self.missing(list, code))
    }

    /// The codes of a list whose label starts with `prefix`, in list order (at least one).
    pub fn labelled(&self, list: &str, prefix: &str) -> Result<Vec<&'static str>, GenerateError> {
        let codes: Vec<&'static str> = self
            .schema
            .list(list)
            .into_iter()
            .flat_map(|l| &l.values)
            .filter(|v| v.label.starts_with(prefix))
            .map(|v| v.code.as_str())
            .collect();
        if codes.is_empty() {
            return Err(self.missing(list, &format!("{prefix}…")));
        }
        Ok(codes)
    }
}

/// Codes both versions write, under each version's list names.
#[derive(Debug, Clone)]
pub struct Vocab {
    pub lists: Lists,
    statut: [&'static str; 5],
    /// `*_avct`: E existing (as-built), C to create, T works.
    pub avct_existing: &'static str,
    pub avct_create: &'static str,
    pub avct_works: &'static str,
    pub etat_ok: &'static str,
    pub etat_nc: &'static str,
    pub prop_build: &'static str,
    pub prop_rent: &'static str,
    imp_aerial_telecom: &'static str,
    imp_aerial_power: &'static str,
    imp_duct: &'static str,
    pub chamber_natures: Vec<&'static str>,
    pub pole_natures: Vec<&'static str>,
    pub pt_chamber: &'static str,
    pub pt_pole: &'static str,
    pub bp_bpe: &'static str,
    pub bp_pbo: &'static str,
    pub bp_pto: &'static str,
    pub bp_other: &'static str,
    pub cable: &'static str,
    pub typelog_transport: &'static str,
    pub typelog_distribution: &'static str,
    pub typelog_both: &'static str,
    pub fo_type: &'static str,
    /// Fibre colours 1–12 (index 0 = colour 1).
    pub fo_colors: Vec<&'static str>,
    pub ad_target: &'static str,
    pub ad_signed: &'static str,
    pub ad_works: &'static str,
    pub ad_deployed: &'static str,
    pub house: &'static str,
    pub building: &'static str,
    pub class_surveyed: &'static str,
    pub class_drawn: &'static str,
    pub mode_surveyed: &'static str,
    pub mode_ortho: &'static str,
    pub mode_cadastre: &'static str,
    pub zone_planned: &'static str,
    pub zone_works: &'static str,
    pub zone_deployed: &'static str,
    pub ref_cable: &'static str,
    pub ref_box: &'static str,
    pub pon: &'static str,
}

impl Vocab {
    pub fn new(version: GraceVersion) -> Result<Self, GenerateError> {
        let l = Lists::new(version);
        let v2 = version == GraceVersion::V2_0_1;
        let etat = if v2 { "l_etat_type" } else { "l_etat" };
        let prop = if v2 {
            "l_propriete_type"
        } else {
            "l_propriete"
        };
        let imp = if v2 {
            "l_implantation_type"
        } else {
            "l_implantation"
        };
        let typelog = if v2 {
            "l_infra_type_log"
        } else {
            "l_cable_chem_type_log"
        };
        let immeuble = if v2 { "l_immeuble_type" } else { "l_immeuble" };
        let statut = |p: Phase| l.code("l_statut", p.code());
        Ok(Self {
            lists: l,
            statut: [
                statut(Phase::Avp)?,
                statut(Phase::Pro)?,
                statut(Phase::Exe)?,
                statut(Phase::Tvx)?,
                statut(Phase::Rec)?,
            ],
            avct_existing: l.code("l_avancement", "E")?,
            avct_create: l.code("l_avancement", "C")?,
            avct_works: l.code("l_avancement", "T")?,
            etat_ok: l.code(etat, "OK")?,
            etat_nc: l.code(etat, "NC")?,
            prop_build: l.code(prop, "CST")?,
            prop_rent: l.code(prop, "LOC")?,
            imp_aerial_telecom: l.code(imp, "0")?,
            imp_aerial_power: l.code(imp, "1")?,
            imp_duct: l.code(imp, "7")?,
            chamber_natures: l.labelled("l_ptech_nature", "CHAMBRE L")?,
            pole_natures: l.labelled("l_ptech_nature", "POTEAU")?,
            pt_chamber: l.code("l_ptech_type_phy", "C")?,
            pt_pole: l.code("l_ptech_type_phy", "A")?,
            bp_bpe: l.code("l_bp_type_log", "BPE")?,
            bp_pbo: l.code("l_bp_type_log", "PBO")?,
            bp_pto: l.code("l_bp_type_log", "PTO")?,
            bp_other: l.code("l_bp_type_phy", "AUTR")?,
            cable: l.code("l_cable_type", "C")?,
            typelog_transport: l.code(typelog, "TR")?,
            typelog_distribution: l.code(typelog, "DI")?,
            typelog_both: l.code(typelog, "TD")?,
            fo_type: l.code("l_fo_type", "G657A2")?,
            fo_colors: (1..=12)
                .map(|c| l.code("l_fo_color", &c.to_string()))
                .collect::<Result<_, _>>()?,
            ad_target: l.code("l_adresse_etat", "CI")?,
            ad_signed: l.code("l_adresse_etat", "SI")?,
            ad_works: l.code("l_adresse_etat", "EC")?,
            ad_deployed: l.code("l_adresse_etat", "DE")?,
            house: l.code(immeuble, "P")?,
            building: l.code(immeuble, "I")?,
            class_surveyed: l.code("l_geoloc_classe", "B")?,
            class_drawn: l.code("l_geoloc_classe", "C")?,
            mode_surveyed: l.code("l_geoloc_mode", "LTRO")?,
            mode_ortho: l.code("l_geoloc_mode", "ORTO")?,
            mode_cadastre: l.code("l_geoloc_mode", "CADA")?,
            zone_planned: l.code("l_sro_etat", "PL")?,
            zone_works: l.code("l_sro_etat", "EC")?,
            zone_deployed: l.code("l_sro_etat", "DP")?,
            ref_cable: l.code("l_reference_type", "CA")?,
            ref_box: l.code("l_reference_type", "BP")?,
            pon: l.code("l_nro_type", "PON")?,
        })
    }

    pub fn statut(&self, phase: Phase) -> &'static str {
        self.statut[phase as usize]
    }

    /// Progress of an object at this phase: as-built objects exist, works are under way, the rest is to create.
    pub fn avct(&self, phase: Phase) -> &'static str {
        match phase {
            Phase::Rec => self.avct_existing,
            Phase::Tvx => self.avct_works,
            _ => self.avct_create,
        }
    }

    /// Condition of an object: only what has been built has one.
    pub fn etat(&self, phase: Phase) -> &'static str {
        if phase == Phase::Rec {
            self.etat_ok
        } else {
            self.etat_nc
        }
    }

    /// Implantation of a street's civil works (`*_typ_imp`, `ad_racc`).
    pub fn implantation(&self, laying: Laying, owner: Owner) -> &'static str {
        match (laying, owner) {
            (Laying::Underground, _) => self.imp_duct,
            (Laying::Aerial, Owner::Enedis) => self.imp_aerial_power,
            (Laying::Aerial, _) => self.imp_aerial_telecom,
        }
    }

    /// Ownership type: the operator builds, and rents the incumbent's and the distributor's infrastructure.
    pub fn proptyp(&self, owner: Owner) -> &'static str {
        if owner == Owner::Operator {
            self.prop_build
        } else {
            self.prop_rent
        }
    }

    /// Deployment state of an SRO or NRO zone at this phase.
    pub fn zone_state(&self, phase: Phase) -> &'static str {
        match phase {
            Phase::Rec => self.zone_deployed,
            Phase::Tvx | Phase::Exe => self.zone_works,
            _ => self.zone_planned,
        }
    }

    /// IPE state of an address at its district's phase.
    pub fn address_state(&self, phase: Phase) -> &'static str {
        match phase {
            Phase::Rec => self.ad_deployed,
            Phase::Tvx => self.ad_works,
            Phase::Exe => self.ad_signed,
            _ => self.ad_target,
        }
    }

    /// Logical type of a path, from the cables it carries.
    pub fn path_typelog(&self, path: &Path) -> &'static str {
        match (path.transport, path.distribution) {
            (true, true) => self.typelog_both,
            (true, false) => self.typelog_transport,
            _ => self.typelog_distribution,
        }
    }

    pub fn cable_typelog(&self, role: CableRole) -> &'static str {
        match role {
            CableRole::Transport => self.typelog_transport,
            CableRole::Distribution => self.typelog_distribution,
        }
    }

    /// Physical type and nature of the chamber or pole on node `node` (natures cycle through the list's family).
    pub fn ptech(&self, support: Support, node: usize) -> (&'static str, &'static str) {
        match support {
            Support::Chamber => (
                self.pt_chamber,
                self.chamber_natures[node % self.chamber_natures.len()],
            ),
            Support::Pole => (
                self.pt_pole,
                self.pole_natures[node % self.pole_natures.len()],
            ),
        }
    }

    /// Box type of a box of `fibres` fibres (`B012`, `B144`...).
    pub fn box_type(&self, fibres: u32) -> Result<&'static str, GenerateError> {
        self.lists.code("l_bp_type_phy", &format!("B{fibres:03}"))
    }

    /// Geolocation class and mode: as-built objects are surveyed (class B), studies are drawn on orthophotos.
    pub fn geoloc(&self, phase: Phase) -> (&'static str, &'static str) {
        if phase == Phase::Rec {
            (self.class_surveyed, self.mode_surveyed)
        } else {
            (self.class_drawn, self.mode_ortho)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_resolve_every_code() {
        for version in GraceVersion::ALL {
            let v = Vocab::new(version).unwrap_or_else(|e| panic!("{version}: {e}"));
            assert_eq!(v.statut(Phase::Rec), "REC");
            assert!(v.box_type(144).is_ok());
            assert_eq!(v.fo_colors.len(), 12);
        }
    }

    #[test]
    fn an_absent_code_is_a_typed_error() {
        let l = Lists::new(GraceVersion::V2_0_1);
        assert!(matches!(
            l.code("l_statut", "XYZ"),
            Err(GenerateError::UnknownCode { .. })
        ));
        assert!(matches!(
            l.code("l_nothing", "A"),
            Err(GenerateError::UnknownCode { .. })
        ));
    }
}
