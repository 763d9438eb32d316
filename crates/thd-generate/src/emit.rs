//! What the emitters of both versions share: the writers of a set of tables, object codes, dates per district,
//! geometry in Lambert-93.

use geo_types::Geometry;
use std::collections::BTreeMap;
use thd_model::{GraceVersion, RawTable, Schema};

use crate::GenerateError;
use crate::calendar::{date, timestamp};
use crate::net::{CommuneNet, Local, Phase, Rect};
use crate::streets::Owner;
use crate::table::{self, TableWriter};

/// Writers of the tables one emitter fills.
#[derive(Debug)]
pub struct Tables {
    version: GraceVersion,
    writers: BTreeMap<&'static str, TableWriter>,
}

impl Tables {
    pub fn new(version: GraceVersion) -> Self {
        Self {
            version,
            writers: BTreeMap::new(),
        }
    }

    /// The writer of `name`, created on first use.
    pub fn get(&mut self, name: &'static str) -> Result<&mut TableWriter, GenerateError> {
        if !self.writers.contains_key(name) {
            // Emitters name tables as literals, so a missing one is a generator/model mismatch, found by tests.
            let def = Schema::of(self.version).table(name).ok_or_else(|| {
                GenerateError::UnknownTable {
                    version: self.version,
                    table: name.to_owned(),
                }
            })?;
            self.writers
                .insert(name, TableWriter::new(def, self.version));
        }
        Ok(self
            .writers
            .get_mut(name)
            .unwrap_or_else(|| unreachable!("inserted above")))
    }

    pub fn finish(self) -> Result<Vec<RawTable>, GenerateError> {
        self.writers
            .into_values()
            .map(TableWriter::finish)
            .collect()
    }
}

/// Dates written on the objects of one district (or of the NRO level).
#[derive(Debug, Clone)]
pub struct Dates {
    /// Record creation: when the study drew the object.
    pub created: String,
    /// Last update.
    pub updated: String,
    /// Installation (as-built objects only).
    pub installed: String,
    /// Commissioning.
    pub commissioned: String,
    /// Made available to commercial operators (SRO zone), after commissioning.
    pub available: String,
    /// Open to commercial orders: three months after availability (the ARCEP freeze).
    pub commercial: String,
}

impl Dates {
    pub fn new(day: u32, salt: u32) -> Self {
        Self {
            created: timestamp(day, salt),
            updated: timestamp(day + 20 + salt % 40, salt + 1),
            installed: date(day + 180 + salt % 60),
            commissioned: date(day + 260 + salt % 60),
            available: date(day + 290 + salt % 60),
            commercial: date(day + 380 + salt % 60),
        }
    }
}

/// Codes, dates and coordinates of one commune's objects.
#[derive(Debug)]
pub struct Context<'a> {
    pub net: &'a CommuneNet,
    insee: &'static str,
    nro_dates: Dates,
    district_dates: Vec<Dates>,
    /// Commune name as addresses spell it: upper case, no accents, no punctuation.
    pub commune_name: String,
    /// First address of each district, where its SRO cabinet stands.
    first_address: Vec<Option<usize>>,
}

impl<'a> Context<'a> {
    pub fn new(net: &'a CommuneNet) -> Self {
        Self {
            net,
            insee: net.commune.insee,
            nro_dates: Dates::new(net.day, 0),
            district_dates: net
                .districts
                .iter()
                .enumerate()
                .map(|(i, d)| Dates::new(d.day, i as u32 + 1))
                .collect(),
            commune_name: spell(net.commune.name),
            first_address: (0..net.districts.len() as u32)
                .map(|d| net.addresses.iter().position(|a| a.district == d))
                .collect(),
        }
    }

    /// Code of the address of a site: the first premise of the SRO's district, or of the commune for the NRO.
    pub fn site_address(&self, district: Option<u32>) -> Option<String> {
        let first = match district {
            Some(d) => self.first_address[d as usize],
            None => (!self.net.addresses.is_empty()).then_some(0),
        };
        first.map(|a| self.code("AD", a + 1))
    }

    /// An object code: two-letter prefix, INSEE code, 7-digit number (`ND352380000042`), unique per commune.
    pub fn code(&self, prefix: &str, n: usize) -> String {
        format!("{prefix}{}{n:07}", self.insee)
    }

    pub fn dates(&self, district: Option<u32>) -> &Dates {
        match district {
            Some(d) => &self.district_dates[d as usize],
            None => &self.nro_dates,
        }
    }

    /// `r1`–`r3` reference codes: department, commune, SRO zone.
    pub fn regions(&self, district: Option<u32>) -> [Option<String>; 3] {
        [
            Some(self.net.commune.department.to_owned()),
            Some(self.insee.to_owned()),
            district.map(|d| format!("PM{:03}", d + 1)),
        ]
    }

    /// Fills `{prefix}_r1_code`… with the first `levels` reference codes of [`Self::regions`].
    pub fn set_regions(
        &self,
        t: &mut TableWriter,
        prefix: &str,
        district: Option<u32>,
        levels: usize,
    ) {
        for (i, r) in self.regions(district).iter().take(levels).enumerate() {
            t.set_opt(&format!("{prefix}_r{}_code", i + 1), r.as_deref());
        }
    }

    pub fn point(&self, local: Local) -> Geometry<f64> {
        let (x, y) = self.net.world(local);
        table::point(x, y)
    }

    pub fn line(&self, locals: &[Local]) -> Geometry<f64> {
        table::line(locals.iter().map(|&l| self.net.world(l)).collect())
    }

    pub fn polygon(&self, rect: &Rect) -> Geometry<f64> {
        let mut ring: Vec<(f64, f64)> = rect.corners().iter().map(|&c| self.net.world(c)).collect();
        ring.push(ring[0]);
        table::polygon(ring)
    }
}

/// Upper case without accents, hyphens and apostrophes as spaces, as BAN extracts spell communes.
pub fn spell(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'é' | 'è' | 'ê' | 'ë' | 'É' => 'E',
            'à' | 'â' => 'A',
            'î' | 'ï' => 'I',
            'ô' => 'O',
            'ù' | 'û' | 'ü' => 'U',
            'ç' => 'C',
            '-' | '\'' => ' ',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Geolocation quality in metres written with the class: surveyed as-built vs drawn on orthophotos.
pub fn geoloc_quality(phase: Phase) -> &'static str {
    if phase == Phase::Rec { "0.40" } else { "2.50" }
}

/// Where a location comes from, in words.
pub fn geoloc_source(phase: Phase) -> &'static str {
    if phase == Phase::Rec {
        "LEVE TOPOGRAPHIQUE RECOLEMENT"
    } else {
        "ORTHOPHOTO IGN"
    }
}

/// Whether an object carries installation and commissioning dates: as-built objects, and objects under works
/// (planned dates), as the reference checker's filling grid asks of both.
pub fn dated(phase: Phase) -> bool {
    phase >= Phase::Tvx
}

/// Height of a pole in metres: the distributor's low-voltage poles are taller than telecom poles.
pub fn pole_height(owner: Owner) -> &'static str {
    if owner == Owner::Enedis {
        "10.00"
    } else {
        "8.00"
    }
}

/// A boolean as the demo's CSV files write them.
pub fn boolean(b: bool) -> &'static str {
    if b { "t" } else { "f" }
}

/// Lines an SRO cabinet is sized for: standard cabinets of 360, 576 or 720 lines, or more for large zones.
pub fn sro_capacity(plugs: u32) -> u32 {
    [360, 576, 720]
        .into_iter()
        .find(|&c| c >= plugs)
        .unwrap_or(plugs.div_ceil(144) * 144)
}

/// Fibres per tube: 12 in large cables, 6 in small ones (as in the demo delivery).
pub fn modulo(capacity: u32) -> u32 {
    if capacity >= 72 { 12 } else { 6 }
}

/// Outer diameter in millimetres, growing with the fibre count as in manufacturers' ranges.
pub fn cable_diameter(capacity: u32) -> f64 {
    6.0 + f64::from(capacity).sqrt() * 0.5
}

/// Whether the `k`-th premise of a connectable district has subscribed (a PTO is installed): about 30 %.
pub fn subscribed(address: usize, k: u32) -> bool {
    (address as u32)
        .wrapping_mul(2_654_435_761)
        .wrapping_add(k.wrapping_mul(40_503))
        % 10
        < 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commune_names_are_spelled_as_in_the_ban() {
        assert_eq!(spell("Saint-Pol-de-Léon"), "SAINT POL DE LEON");
        assert_eq!(spell("Châteaulin"), "CHATEAULIN");
        assert_eq!(spell("Ergué-Gabéric"), "ERGUE GABERIC");
    }
}
