//! The ways the catalogue can fail, each carrying what the user needs to fix it.
//!
//! A CSV import never stops at the first bad row: every problem becomes a [`RowError`] (file, line, column,
//! value, what is wrong) and the import fails with all of them at once in [`ServicesError::InvalidCsv`], so
//! an operator fixes a file in one pass. Messages are given in French and in English because the people who
//! prepare these files work in French and the project's reports are bilingual.

use std::fmt;

use crate::model::BodyKind;
use serde::Serialize;

/// What is wrong with one cell, row or header of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// The bytes are not UTF-8 (often a file saved as Windows-1252 by a spreadsheet).
    NotUtf8,
    /// The file has no header line.
    NoHeader,
    /// The CSV syntax itself is broken at this place.
    Syntax { detail: String },
    /// A column the file must have is absent from the header.
    MissingColumn,
    /// A header names a column the file does not have (often a typo).
    UnknownColumn,
    /// A header names the same column twice.
    DuplicateColumn,
    /// The row has a different number of cells than the header.
    FieldCount { expected: usize, found: usize },
    /// A required cell is empty.
    Empty,
    /// A number is not a non-negative whole number.
    BadNumber,
    /// A year is not a year between 1990 and 2100.
    BadYear,
    /// A yes/no cell holds something else.
    BadBoolean,
    /// The value is not one of the allowed values.
    NotAllowed { allowed: String },
    /// An INSEE code of the wrong form for the body's kind (commune, department or region).
    BadInsee { body_kind: BodyKind },
    /// A SIREN that is not nine digits with a valid Luhn check digit.
    BadSiren,
    /// A service id the catalogue does not have.
    UnknownService,
    /// A body id neither the store nor the file has.
    UnknownBody,
    /// A usage indicator id the catalogue does not have.
    UnknownIndicator,
    /// A reference to a body of the wrong kind (e.g. a commune's `epci` naming a department).
    WrongKind { expected: String },
    /// A cell that must be empty for this kind of row.
    NotApplicable,
    /// The key of this row is already in the store or earlier in the file.
    Duplicate { first_line: Option<u64> },
    /// Funding bands of one tariff that leave a gap or overlap (`expected_min`: where this band should
    /// start; `None` when it comes after the open-ended last band).
    BandsNotContiguous { expected_min: Option<u64> },
}

/// One problem found in a CSV file, located precisely enough to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The file name as given by the caller.
    pub file: String,
    /// 1-based physical line (the header is line 1).
    pub line: u64,
    /// The column concerned, when the problem is about one cell or header name.
    pub column: Option<String>,
    /// The offending value as read (trimmed).
    pub value: String,
    pub problem: Problem,
}

impl RowError {
    /// What is wrong and how to fix it, in English.
    pub fn message_en(&self) -> String {
        let v = &self.value;
        match &self.problem {
            Problem::NotUtf8 => "the file is not UTF-8: save it as UTF-8 (CSV UTF-8 in a spreadsheet)".into(),
            Problem::NoHeader => "the file is empty: the first line must name the columns".into(),
            Problem::Syntax { detail } => format!("malformed CSV ({detail}): check the quotes on this line"),
            Problem::MissingColumn => "this column is missing from the header: add it (it may be left empty where optional)".into(),
            Problem::UnknownColumn => format!("unknown column {v:?}: remove it or fix its name"),
            Problem::DuplicateColumn => format!("column {v:?} appears twice in the header: keep one"),
            Problem::FieldCount { expected, found } => {
                format!("the row has {found} cells but the header has {expected}: check the separators")
            }
            Problem::Empty => "this cell is required: fill it in".into(),
            Problem::BadNumber => format!("{v:?} is not a whole non-negative number: write digits only"),
            Problem::BadYear => format!("{v:?} is not a year between 1990 and 2100"),
            Problem::BadBoolean => format!("{v:?} is not yes/no: write yes or no (oui/non, true/false, 1/0)"),
            Problem::NotAllowed { allowed } => format!("{v:?} is not allowed here: use one of {allowed}"),
            Problem::BadInsee { body_kind: kind } => {
                let expected = match kind {
                    BodyKind::Commune => "a commune code of 5 digits, or 2A/2B and 3 digits in Corsica",
                    BodyKind::Department => "a department code (2 digits, 2A, 2B or 971 to 976)",
                    _ => "a region code of 2 digits",
                };
                format!("bad INSEE code {v:?}: expected {expected}")
            }
            Problem::BadSiren => {
                format!("bad SIREN {v:?}: a SIREN is 9 digits with a valid Luhn check digit; check for a typo")
            }
            Problem::UnknownService => format!("unknown service {v:?}: use the id of a service of the catalogue"),
            Problem::UnknownBody => {
                format!("unknown body {v:?}: import it first (bodies file) or fix the id")
            }
            Problem::UnknownIndicator => {
                format!("unknown usage indicator {v:?}: use the id of an indicator of the catalogue")
            }
            Problem::WrongKind { expected } => format!("{v:?} is not a body of kind {expected}"),
            Problem::NotApplicable => format!("{v:?} does not apply to this kind of row: leave the cell empty"),
            Problem::Duplicate { first_line: Some(l) } => {
                format!("duplicate {v:?}: already on line {l} of this file; keep one row")
            }
            Problem::Duplicate { first_line: None } => {
                format!("duplicate {v:?}: already in the store; remove the row or change its key")
            }
            Problem::BandsNotContiguous { expected_min: Some(m) } => format!(
                "funding bands must follow each other without gap or overlap: this band should start at {m}"
            ),
            Problem::BandsNotContiguous { expected_min: None } => {
                "this band comes after the open-ended last band of its tariff: remove it or close the last band".into()
            }
        }
    }

    /// Ce qui ne va pas et comment le corriger, en français.
    pub fn message_fr(&self) -> String {
        let v = &self.value;
        match &self.problem {
            Problem::NotUtf8 => "le fichier n'est pas en UTF-8 : enregistrez-le en UTF-8 (CSV UTF-8 dans un tableur)".into(),
            Problem::NoHeader => "le fichier est vide : la première ligne doit nommer les colonnes".into(),
            Problem::Syntax { detail } => format!("CSV mal formé ({detail}) : vérifiez les guillemets de cette ligne"),
            Problem::MissingColumn => "cette colonne manque dans l'en-tête : ajoutez-la (elle peut rester vide si elle est facultative)".into(),
            Problem::UnknownColumn => format!("colonne inconnue {v:?} : supprimez-la ou corrigez son nom"),
            Problem::DuplicateColumn => format!("la colonne {v:?} apparaît deux fois dans l'en-tête : n'en gardez qu'une"),
            Problem::FieldCount { expected, found } => {
                format!("la ligne a {found} cellules mais l'en-tête en a {expected} : vérifiez les séparateurs")
            }
            Problem::Empty => "cette cellule est obligatoire : remplissez-la".into(),
            Problem::BadNumber => format!("{v:?} n'est pas un nombre entier positif : n'écrivez que des chiffres"),
            Problem::BadYear => format!("{v:?} n'est pas une année entre 1990 et 2100"),
            Problem::BadBoolean => format!("{v:?} n'est pas oui/non : écrivez oui ou non (yes/no, true/false, 1/0)"),
            Problem::NotAllowed { allowed } => format!("{v:?} n'est pas permis ici : utilisez l'une des valeurs {allowed}"),
            Problem::BadInsee { body_kind: kind } => {
                let expected = match kind {
                    BodyKind::Commune => "un code commune de 5 chiffres, ou 2A/2B et 3 chiffres en Corse",
                    BodyKind::Department => "un code département (2 chiffres, 2A, 2B ou 971 à 976)",
                    _ => "un code région de 2 chiffres",
                };
                format!("code INSEE {v:?} invalide : attendu {expected}")
            }
            Problem::BadSiren => format!(
                "SIREN {v:?} invalide : un SIREN a 9 chiffres et une clé de Luhn valide ; vérifiez la saisie"
            ),
            Problem::UnknownService => format!("service inconnu {v:?} : utilisez l'identifiant d'un service du catalogue"),
            Problem::UnknownBody => format!(
                "organisme inconnu {v:?} : importez-le d'abord (fichier des organismes) ou corrigez l'identifiant"
            ),
            Problem::UnknownIndicator => {
                format!("indicateur d'usage inconnu {v:?} : utilisez l'identifiant d'un indicateur du catalogue")
            }
            Problem::WrongKind { expected } => format!("{v:?} n'est pas un organisme de type {expected}"),
            Problem::NotApplicable => format!("{v:?} ne s'applique pas à ce type de ligne : laissez la cellule vide"),
            Problem::Duplicate { first_line: Some(l) } => {
                format!("doublon {v:?} : déjà présent ligne {l} de ce fichier ; gardez une seule ligne")
            }
            Problem::Duplicate { first_line: None } => {
                format!("doublon {v:?} : déjà présent dans la base ; supprimez la ligne ou changez sa clé")
            }
            Problem::BandsNotContiguous { expected_min: Some(m) } => format!(
                "les tranches de contribution doivent se suivre sans trou ni chevauchement : celle-ci devrait commencer à {m}"
            ),
            Problem::BandsNotContiguous { expected_min: None } => {
                "cette tranche suit la dernière tranche sans plafond de son barème : supprimez-la ou fixez un plafond à la précédente".into()
            }
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, ": column {c}")?;
        }
        write!(f, ": {} / {}", self.message_en(), self.message_fr())
    }
}

/// Every problem of one CSV file. Nothing of the file was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidCsv {
    pub file: String,
    /// In the order of the file.
    pub errors: Vec<RowError>,
}

impl fmt::Display for InvalidCsv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(
            f,
            "{}: {n} problem(s), nothing imported / {n} problème(s), rien n'a été importé",
            self.file
        )?;
        for e in &self.errors {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// Why an operation of the catalogue failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServicesError {
    /// A CSV file had problems; all of them are listed and nothing was stored.
    #[error("{0}")]
    InvalidCsv(InvalidCsv),
    #[error("unknown service {0:?}")]
    UnknownService(String),
    #[error("unknown public body {0:?}")]
    UnknownBody(String),
    /// No body of kind commune has this INSEE code.
    #[error("no commune with INSEE code {0:?} in the catalogue")]
    UnknownCommune(String),
    /// The body exists but is not an EPCI, so the bundle's flat contribution does not apply to it.
    #[error("{0:?} is not an EPCI: the flat contribution to the bundle is paid per EPCI")]
    NotAnEpci(String),
    /// The EPCI has no population in the catalogue, so its size band is unknown.
    #[error("the EPCI {0:?} has no population in the catalogue: its size band is unknown")]
    NoPopulation(String),
    /// No funding tariff covers the year asked.
    #[error("no contribution tariff covers {year} (tariffs known: {known})")]
    NoTariff { year: u16, known: String },
    /// The store location is a URL of a kind the catalogue cannot open.
    #[error(
        "unsupported store location {0:?}: give a SQLite file path, a sqlite:// URL or a postgres:// URL / \
         emplacement de magasin non pris en charge {0:?} : donnez le chemin d'un fichier SQLite, une URL \
         sqlite:// ou une URL postgres://"
    )]
    UnsupportedUrl(String),
    /// The services tables were written by a newer engine: reading them could misread or damage them.
    #[error(
        "the services tables of {location} have schema version {found}, newer than the {supported} this \
         engine knows: upgrade the engine to open them"
    )]
    NewerSchema {
        location: String,
        found: i64,
        supported: i64,
    },
    /// A row of the store that cannot be read back (edited by hand, or damaged).
    #[error("the services tables of {location} are inconsistent: {detail}")]
    Corrupt { location: String, detail: String },
    #[error("database error on {location}: {source}")]
    Database {
        location: String,
        #[source]
        source: sqlx::Error,
    },
}
