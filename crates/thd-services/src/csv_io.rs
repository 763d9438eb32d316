//! Reading and writing the catalogue's CSV files.
//!
//! Files come from spreadsheets of public bodies, so the reader is tolerant of form and strict on content:
//! `;` or `,` separators (chosen from the header line), an optional UTF-8 byte-order mark, column names in any
//! case and order, cells trimmed, digits grouped with spaces (`11 440`). Everything else is checked, and every
//! problem of every row is collected as a [`RowError`] before the reader returns: a file is accepted whole or
//! rejected with the full list, never half read. Checks that need the rest of the catalogue (does this
//! service exist? is this id already taken?) are made against the catalogue passed in, so the same reader
//! serves the shipped data, an in-memory import and a store import.
//!
//! Writers produce `;`-separated UTF-8 without BOM, with the same columns the readers expect, so an export
//! imports back unchanged.

use std::collections::HashMap;

use crate::catalogue::Catalogue;
use crate::codes::{InseeCode, Siren, is_department_code, is_region_code};
use crate::error::{InvalidCsv, Problem, RowError};
use crate::model::{
    Body, BodyId, BodyKind, Category, FundingBand, Indicator, IndicatorId, Offer, Service,
    ServiceId, Subscription, UsageFigure,
};

/// Columns of a bodies file (`id;kind;name;insee;siren;epci;population;sample`).
pub const BODY_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "name",
    "insee",
    "siren",
    "epci",
    "population",
    "sample",
];
/// Columns of a subscriptions file (`body;service;since`).
pub const SUBSCRIPTION_COLUMNS: &[&str] = &["body", "service", "since"];
/// Columns of a usage file (`indicator;year;value`).
pub const USAGE_COLUMNS: &[&str] = &["indicator", "year", "value"];

const SERVICE_COLUMNS: &[&str] = &[
    "id",
    "name",
    "name_fr",
    "category",
    "offer",
    "since",
    "description",
];
const INDICATOR_COLUMNS: &[&str] = &["id", "service", "label_en", "label_fr"];
const BAND_COLUMNS: &[&str] = &[
    "tariff_from",
    "tariff_to",
    "min_population",
    "max_population",
    "annual_eur",
    "label",
    "published",
];

/// Years accepted in any year column.
const YEARS: std::ops::RangeInclusive<u16> = 1990..=2100;

/// A file's rows as trimmed text, cells in the order of the expected columns, with the problems found so far.
struct Sheet {
    file: String,
    columns: &'static [&'static str],
    rows: Vec<(u64, Vec<String>)>,
    errors: Vec<RowError>,
}

impl Sheet {
    /// Reads `bytes` as a CSV file with exactly the `columns` (all of them present in the header, in any order).
    fn read(bytes: &[u8], file: &str, columns: &'static [&'static str]) -> Sheet {
        let mut sheet = Sheet {
            file: file.to_owned(),
            columns,
            rows: Vec::new(),
            errors: Vec::new(),
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let line = 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                sheet.push(line, None, String::new(), Problem::NotUtf8);
                return sheet;
            }
        };
        let header_line = text.lines().next().unwrap_or("");
        let separator = if header_line.matches(';').count() >= header_line.matches(',').count() {
            b';'
        } else {
            b','
        };
        let lines = LineIndex::new(text);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) if h.iter().any(|c| !c.trim().is_empty()) => h,
            Some(Err(e)) => {
                sheet.push(
                    1,
                    None,
                    String::new(),
                    Problem::Syntax {
                        detail: e.to_string(),
                    },
                );
                return sheet;
            }
            _ => {
                sheet.push(1, None, String::new(), Problem::NoHeader);
                return sheet;
            }
        };
        // For each position of the file, the expected column it holds (None: an unnamed, ignored column).
        let mut position_of: Vec<Option<usize>> = Vec::with_capacity(header.len());
        let mut seen = vec![false; columns.len()];
        for name in header.iter() {
            let name = name.trim().to_lowercase();
            let found = columns.iter().position(|c| *c == name);
            match found {
                Some(i) if seen[i] => {
                    sheet.push(1, Some(name.clone()), name, Problem::DuplicateColumn);
                    position_of.push(None);
                }
                Some(i) => {
                    seen[i] = true;
                    position_of.push(Some(i));
                }
                None if name.is_empty() => position_of.push(None),
                None => {
                    sheet.push(1, Some(name.clone()), name, Problem::UnknownColumn);
                    position_of.push(None);
                }
            }
        }
        for (i, present) in seen.iter().enumerate() {
            if !present {
                sheet.push(
                    1,
                    Some(columns[i].to_owned()),
                    String::new(),
                    Problem::MissingColumn,
                );
            }
        }
        if !sheet.errors.is_empty() {
            return sheet;
        }
        for record in records {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(1, |p| lines.line_at(p.byte()));
                    sheet.push(
                        line,
                        None,
                        String::new(),
                        Problem::Syntax {
                            detail: e.to_string(),
                        },
                    );
                    continue;
                }
            };
            let line = record.position().map_or(1, |p| lines.line_at(p.byte()));
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if record.len() != header.len() {
                sheet.push(
                    line,
                    None,
                    String::new(),
                    Problem::FieldCount {
                        expected: header.len(),
                        found: record.len(),
                    },
                );
                continue;
            }
            let mut cells = vec![String::new(); columns.len()];
            for (pos, cell) in record.iter().enumerate() {
                let cell = cell.trim();
                match position_of[pos] {
                    Some(i) => cells[i] = cell.to_owned(),
                    None if cell.is_empty() => {}
                    None => sheet.push(line, None, cell.to_owned(), Problem::UnknownColumn),
                }
            }
            sheet.rows.push((line, cells));
        }
        sheet
    }

    fn push(&mut self, line: u64, column: Option<String>, value: String, problem: Problem) {
        self.errors.push(RowError {
            file: self.file.clone(),
            line,
            column,
            value,
            problem,
        });
    }

    /// The rows, each with a [`Cells`] that records problems into this sheet.
    fn rows(&mut self) -> (Vec<(u64, Vec<String>)>, Recorder<'_>) {
        let rows = std::mem::take(&mut self.rows);
        (rows, Recorder { sheet: self })
    }

    /// All problems, in file order, or nothing.
    fn finish<T>(mut self, value: T) -> Result<T, InvalidCsv> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            // Stable: problems of one line keep the order of the columns checked.
            self.errors.sort_by_key(|e| e.line);
            Err(InvalidCsv {
                file: self.file,
                errors: self.errors,
            })
        }
    }
}

/// Byte offset → 1-based line number. The csv crate's own line count skips blank lines, which would send the
/// user to the wrong line; byte offsets are exact. A line ends at `\n`, `\r\n` or a lone `\r`, as for the
/// csv reader.
struct LineIndex<'t> {
    text: &'t [u8],
    starts: Vec<u64>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i as u64 + 1);
            }
        }
        LineIndex { text: b, starts }
    }

    /// The line of the record whose reading started at `byte`: the csv reader starts a record at the blank
    /// lines it then skips, so those are skipped here too.
    fn line_at(&self, byte: u64) -> u64 {
        let blanks = self
            .text
            .iter()
            .skip(usize::try_from(byte).unwrap_or(usize::MAX))
            .take_while(|&&c| c == b'\n' || c == b'\r')
            .count() as u64;
        self.starts.partition_point(|&s| s <= byte + blanks) as u64
    }
}

/// Typed access to the cells of one row, recording each problem with its line and column.
struct Recorder<'s> {
    sheet: &'s mut Sheet,
}

impl Recorder<'_> {
    fn error(&mut self, line: u64, col: usize, value: &str, problem: Problem) {
        let column = Some(self.sheet.columns[col].to_owned());
        self.sheet.push(line, column, value.to_owned(), problem);
    }

    /// A required text cell.
    fn required<'c>(&mut self, line: u64, cells: &'c [String], col: usize) -> Option<&'c str> {
        let v = cells[col].as_str();
        if v.is_empty() {
            self.error(line, col, v, Problem::Empty);
            None
        } else {
            Some(v)
        }
    }

    /// An optional whole number: `Ok(None)` when empty, `Err(())` when bad (already recorded).
    fn number(&mut self, line: u64, cells: &[String], col: usize) -> Result<Option<u64>, ()> {
        let v = cells[col].as_str();
        if v.is_empty() {
            return Ok(None);
        }
        match parse_number(v) {
            Some(n) => Ok(Some(n)),
            None => {
                self.error(line, col, v, Problem::BadNumber);
                Err(())
            }
        }
    }

    /// A required whole number.
    fn required_number(&mut self, line: u64, cells: &[String], col: usize) -> Option<u64> {
        match self.number(line, cells, col) {
            Ok(Some(n)) => Some(n),
            Ok(None) => {
                self.error(line, col, "", Problem::Empty);
                None
            }
            Err(()) => None,
        }
    }

    /// An optional year.
    fn year(&mut self, line: u64, cells: &[String], col: usize) -> Result<Option<u16>, ()> {
        let v = cells[col].as_str();
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<u16>() {
            Ok(y) if YEARS.contains(&y) => Ok(Some(y)),
            _ => {
                self.error(line, col, v, Problem::BadYear);
                Err(())
            }
        }
    }

    /// A required year.
    fn required_year(&mut self, line: u64, cells: &[String], col: usize) -> Option<u16> {
        match self.year(line, cells, col) {
            Ok(Some(y)) => Some(y),
            Ok(None) => {
                self.error(line, col, "", Problem::Empty);
                None
            }
            Err(()) => None,
        }
    }

    /// A yes/no cell; empty means no.
    fn boolean(&mut self, line: u64, cells: &[String], col: usize) -> Option<bool> {
        let v = cells[col].as_str();
        match v.to_lowercase().as_str() {
            "" | "no" | "non" | "false" | "0" => Some(false),
            "yes" | "oui" | "true" | "1" => Some(true),
            _ => {
                self.error(line, col, v, Problem::BadBoolean);
                None
            }
        }
    }

    /// A required token of a closed set.
    fn token<T>(
        &mut self,
        line: u64,
        cells: &[String],
        col: usize,
        parse: fn(&str) -> Option<T>,
        allowed: String,
    ) -> Option<T> {
        let v = self.required(line, cells, col)?;
        let parsed = parse(v);
        if parsed.is_none() {
            self.error(line, col, v, Problem::NotAllowed { allowed });
        }
        parsed
    }

    /// Checks that `key` is new: not in the store (`exists`) and not on an earlier line of the file.
    fn unique(
        &mut self,
        line: u64,
        col: usize,
        key: &str,
        exists: bool,
        seen: &mut HashMap<String, u64>,
    ) -> bool {
        if exists {
            self.error(line, col, key, Problem::Duplicate { first_line: None });
            return false;
        }
        if let Some(&first) = seen.get(key) {
            self.error(
                line,
                col,
                key,
                Problem::Duplicate {
                    first_line: Some(first),
                },
            );
            return false;
        }
        seen.insert(key.to_owned(), line);
        true
    }
}

/// A whole non-negative number, digits possibly grouped by (non-breaking) spaces, at most `i64::MAX` so that
/// every store can hold it.
fn parse_number(text: &str) -> Option<u64> {
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u64>()
        .ok()
        .filter(|&n| i64::try_from(n).is_ok())
}

/// Reads a services file; ids must be new to `catalogue`.
pub(crate) fn read_services(
    bytes: &[u8],
    file: &str,
    catalogue: &Catalogue,
) -> Result<Vec<Service>, InvalidCsv> {
    let mut sheet = Sheet::read(bytes, file, SERVICE_COLUMNS);
    let (rows, mut rec) = sheet.rows();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, c) in &rows {
        let line = *line;
        let id = rec.required(line, c, 0);
        let id_ok = id
            .is_some_and(|id| rec.unique(line, 0, id, catalogue.service(id).is_some(), &mut seen));
        let name = rec.required(line, c, 1);
        let name_fr = rec.required(line, c, 2);
        let category = rec.token(line, c, 3, Category::parse, Category::tokens());
        let offer = rec.token(line, c, 4, Offer::parse, Offer::tokens());
        let since = rec.year(line, c, 5);
        if let (Some(id), true, Some(name), Some(name_fr), Some(category), Some(offer), Ok(since)) =
            (id, id_ok, name, name_fr, category, offer, since)
        {
            out.push(Service {
                id: ServiceId::new(id),
                name: name.to_owned(),
                name_fr: name_fr.to_owned(),
                category,
                offer,
                since,
                description: c[6].clone(),
            });
        }
    }
    sheet.finish(out)
}

/// Reads an indicators file; ids must be new, services known to `catalogue`.
pub(crate) fn read_indicators(
    bytes: &[u8],
    file: &str,
    catalogue: &Catalogue,
) -> Result<Vec<Indicator>, InvalidCsv> {
    let mut sheet = Sheet::read(bytes, file, INDICATOR_COLUMNS);
    let (rows, mut rec) = sheet.rows();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, c) in &rows {
        let line = *line;
        let id = rec.required(line, c, 0);
        let id_ok = id.is_some_and(|id| {
            rec.unique(line, 0, id, catalogue.indicator(id).is_some(), &mut seen)
        });
        let service = match c[1].as_str() {
            "" => Ok(None),
            s if catalogue.service(s).is_some() => Ok(Some(ServiceId::new(s))),
            s => {
                rec.error(line, 1, s, Problem::UnknownService);
                Err(())
            }
        };
        let label_en = rec.required(line, c, 2);
        let label_fr = rec.required(line, c, 3);
        if let (Some(id), true, Ok(service), Some(label_en), Some(label_fr)) =
            (id, id_ok, service, label_en, label_fr)
        {
            out.push(Indicator {
                id: IndicatorId::new(id),
                service,
                label_en: label_en.to_owned(),
                label_fr: label_fr.to_owned(),
            });
        }
    }
    sheet.finish(out)
}

/// Reads a funding-bands file. Bands of one tariff must start at 0 and follow each other without gap or
/// overlap, the last one open-ended, so that every population falls in exactly one band.
pub(crate) fn read_funding_bands(bytes: &[u8], file: &str) -> Result<Vec<FundingBand>, InvalidCsv> {
    let mut sheet = Sheet::read(bytes, file, BAND_COLUMNS);
    let (rows, mut rec) = sheet.rows();
    let mut out: Vec<(u64, FundingBand)> = Vec::with_capacity(rows.len());
    for (line, c) in &rows {
        let line = *line;
        let from = rec.required_year(line, c, 0);
        let to = rec.required_year(line, c, 1);
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            rec.error(line, 1, &c[1], Problem::BadYear);
            continue;
        }
        let min = rec.required_number(line, c, 2);
        let max = rec.number(line, c, 3);
        let eur = rec.required_number(line, c, 4);
        let label = rec.required(line, c, 5);
        let published = rec.boolean(line, c, 6);
        if let (
            Some(tariff_from),
            Some(tariff_to),
            Some(min_population),
            Ok(max_population),
            Some(annual_eur),
        ) = (from, to, min, max, eur)
            && let (Some(label), Some(published)) = (label, published)
        {
            out.push((
                line,
                FundingBand {
                    tariff_from,
                    tariff_to,
                    min_population,
                    max_population,
                    annual_eur,
                    label: label.to_owned(),
                    published,
                },
            ));
        }
    }
    // Contiguity, per tariff, in file order.
    let mut next_min: HashMap<(u16, u16), Option<u64>> = HashMap::new();
    for (line, band) in &out {
        let expected = next_min
            .entry((band.tariff_from, band.tariff_to))
            .or_insert(Some(0));
        match *expected {
            Some(m) if m == band.min_population => {}
            // `None`: a band after the open-ended one overlaps it.
            m => rec.error(
                *line,
                2,
                &band.min_population.to_string(),
                Problem::BandsNotContiguous { expected_min: m },
            ),
        }
        *expected = band.max_population.map(|m| m.saturating_add(1));
    }
    for (&(from, _), last) in &next_min {
        if let Some(m) = last {
            // The tariff's last band must be open-ended, else large EPCI have no band.
            let line = out
                .iter()
                .rev()
                .find(|(_, b)| b.tariff_from == from)
                .map_or(1, |(l, _)| *l);
            rec.error(
                line,
                3,
                &m.saturating_sub(1).to_string(),
                Problem::NotApplicable,
            );
        }
    }
    sheet.finish(out.into_iter().map(|(_, b)| b).collect())
}

/// Reads a bodies file: ids must be new to `catalogue`; a commune's `epci` must name an EPCI of the file or of
/// the catalogue; identifiers are checked against the kind of the body.
pub fn read_bodies(
    bytes: &[u8],
    file: &str,
    catalogue: &Catalogue,
) -> Result<Vec<Body>, InvalidCsv> {
    let mut sheet = Sheet::read(bytes, file, BODY_COLUMNS);
    let (rows, mut rec) = sheet.rows();
    let mut seen_ids = HashMap::new();
    let mut seen_insee = HashMap::new();
    // Bodies whose cells are all valid, with their line; `epci` references are checked once all are known.
    let mut parsed: Vec<(u64, Body)> = Vec::with_capacity(rows.len());
    for (line, c) in &rows {
        let line = *line;
        let id = rec.required(line, c, 0);
        let id_ok = id
            .is_some_and(|id| rec.unique(line, 0, id, catalogue.body(id).is_some(), &mut seen_ids));
        let kind = rec.token(line, c, 1, BodyKind::parse, BodyKind::tokens());
        let name = rec.required(line, c, 2);
        let insee = match (kind, c[3].as_str()) {
            (_, "") => Ok(None),
            (Some(k), v) => check_insee(&mut rec, line, k, v, catalogue, &mut seen_insee),
            (None, _) => Err(()),
        };
        let siren = match c[4].as_str() {
            "" => Ok(None),
            v => match Siren::parse(v) {
                Some(s) => Ok(Some(s)),
                None => {
                    rec.error(line, 4, v, Problem::BadSiren);
                    Err(())
                }
            },
        };
        let epci = match (kind, c[5].as_str()) {
            (_, "") => Ok(None),
            (Some(BodyKind::Commune), v) => Ok(Some(BodyId::new(v))),
            (_, v) => {
                rec.error(line, 5, v, Problem::NotApplicable);
                Err(())
            }
        };
        let population = rec.number(line, c, 6);
        let sample = rec.boolean(line, c, 7);
        if let (Some(id), true, Some(kind), Some(name), Ok(insee), Ok(siren)) =
            (id, id_ok, kind, name, insee, siren)
            && let (Ok(epci), Ok(population), Some(sample)) = (epci, population, sample)
        {
            parsed.push((
                line,
                Body {
                    id: BodyId::new(id),
                    kind,
                    name: name.to_owned(),
                    insee,
                    siren,
                    epci,
                    population,
                    sample,
                },
            ));
        }
    }
    let kinds_in_file: HashMap<&str, BodyKind> = parsed
        .iter()
        .map(|(_, b)| (b.id.as_str(), b.kind))
        .collect();
    for (line, body) in &parsed {
        if let Some(epci) = &body.epci {
            let kind = kinds_in_file
                .get(epci.as_str())
                .copied()
                .or_else(|| catalogue.body(epci.as_str()).map(|b| b.kind));
            match kind {
                Some(BodyKind::Epci) => {}
                Some(_) => rec.error(
                    *line,
                    5,
                    epci.as_str(),
                    Problem::WrongKind {
                        expected: BodyKind::Epci.to_string(),
                    },
                ),
                // An id that failed its own checks is reported there; only a truly absent one is unknown.
                None if seen_ids.contains_key(epci.as_str()) => {}
                None => rec.error(*line, 5, epci.as_str(), Problem::UnknownBody),
            }
        }
    }
    sheet.finish(parsed.into_iter().map(|(_, b)| b).collect())
}

/// Checks an INSEE code against the form its body kind requires; a commune code must also be new.
fn check_insee(
    rec: &mut Recorder<'_>,
    line: u64,
    kind: BodyKind,
    value: &str,
    catalogue: &Catalogue,
    seen: &mut HashMap<String, u64>,
) -> Result<Option<String>, ()> {
    let bad = |rec: &mut Recorder<'_>| {
        rec.error(line, 3, value, Problem::BadInsee { body_kind: kind });
        Err(())
    };
    match kind {
        BodyKind::Commune => {
            let Some(code) = InseeCode::parse(value) else {
                return bad(rec);
            };
            let exists = catalogue.commune(code.as_str()).is_some();
            if rec.unique(line, 3, code.as_str(), exists, seen) {
                Ok(Some(code.as_str().to_owned()))
            } else {
                Err(())
            }
        }
        BodyKind::Department if is_department_code(value) => Ok(Some(value.to_owned())),
        BodyKind::Department => bad(rec),
        BodyKind::Region if is_region_code(value) => Ok(Some(value.to_owned())),
        BodyKind::Region => bad(rec),
        BodyKind::Epci | BodyKind::Other => {
            rec.error(line, 3, value, Problem::NotApplicable);
            Err(())
        }
    }
}

/// Reads a subscriptions file: bodies and services must be in `catalogue`, each (body, service) pair new.
pub fn read_subscriptions(
    bytes: &[u8],
    file: &str,
    catalogue: &Catalogue,
) -> Result<Vec<Subscription>, InvalidCsv> {
    let mut sheet = Sheet::read(bytes, file, SUBSCRIPTION_COLUMNS);
    let (rows, mut rec) = sheet.rows();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, c) in &rows {
        let line = *line;
        let body = rec.required(line, c, 0).filter(|b| {
            let known = catalogue.body(b).is_some();
            if !known {
                rec.error(line, 0, b, Problem::UnknownBody);
            }
            known
        });
        let service = rec.required(line, c, 1).filter(|s| {
            let known = catalogue.service(s).is_some();
            if !known {
                rec.error(line, 1, s, Problem::UnknownService);
            }
            known
        });
        let since = rec.year(line, c, 2);
        if let (Some(body), Some(service), Ok(since)) = (body, service, since) {
            let key = format!("{body} / {service}");
            let exists = catalogue.subscribes(body, service);
            if rec.unique(line, 1, &key, exists, &mut seen) {
                out.push(Subscription {
                    body: BodyId::new(body),
                    service: ServiceId::new(service),
                    since,
                });
            }
        }
    }
    sheet.finish(out)
}

/// Reads a usage file: indicators must be in `catalogue`, each (indicator, year) pair new.
pub fn read_usage(
    bytes: &[u8],
    file: &str,
    catalogue: &Catalogue,
) -> Result<Vec<UsageFigure>, InvalidCsv> {
    let mut sheet = Sheet::read(bytes, file, USAGE_COLUMNS);
    let (rows, mut rec) = sheet.rows();
    let mut seen = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (line, c) in &rows {
        let line = *line;
        let indicator = rec.required(line, c, 0).filter(|i| {
            let known = catalogue.indicator(i).is_some();
            if !known {
                rec.error(line, 0, i, Problem::UnknownIndicator);
            }
            known
        });
        let year = rec.required_year(line, c, 1);
        let value = rec.required_number(line, c, 2);
        if let (Some(indicator), Some(year), Some(value)) = (indicator, year, value) {
            let key = format!("{indicator} {year}");
            let exists = catalogue.usage_value(indicator, year).is_some();
            if rec.unique(line, 1, &key, exists, &mut seen) {
                out.push(UsageFigure {
                    indicator: IndicatorId::new(indicator),
                    year,
                    value,
                });
            }
        }
    }
    sheet.finish(out)
}

/// Writes rows as `;`-separated CSV, quoting the cells that need it.
fn write_csv<'a>(columns: &[&str], rows: impl Iterator<Item = Vec<Option<&'a str>>>) -> String {
    fn cell(out: &mut String, value: &str) {
        if value.contains([';', ',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&value.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(value);
        }
    }
    let mut out = columns.join(";");
    out.push('\n');
    for row in rows {
        for (i, value) in row.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            cell(&mut out, value.unwrap_or(""));
        }
        out.push('\n');
    }
    out
}

/// The bodies of `catalogue` as a bodies file.
pub fn export_bodies(catalogue: &Catalogue) -> String {
    let numbers: Vec<(Option<String>, String)> = catalogue
        .bodies()
        .map(|b| {
            (
                b.population.map(|p| p.to_string()),
                yes_no(b.sample).to_owned(),
            )
        })
        .collect();
    let rows = catalogue
        .bodies()
        .zip(&numbers)
        .map(|(b, (population, sample))| {
            vec![
                Some(b.id.as_str()),
                Some(b.kind.as_str()),
                Some(b.name.as_str()),
                b.insee.as_deref(),
                b.siren.as_ref().map(Siren::as_str),
                b.epci.as_ref().map(BodyId::as_str),
                population.as_deref(),
                Some(sample.as_str()),
            ]
        });
    write_csv(BODY_COLUMNS, rows)
}

/// The subscriptions of `catalogue` as a subscriptions file.
pub fn export_subscriptions(catalogue: &Catalogue) -> String {
    let years: Vec<Option<String>> = catalogue
        .subscriptions()
        .iter()
        .map(|s| s.since.map(|y| y.to_string()))
        .collect();
    let rows = catalogue
        .subscriptions()
        .iter()
        .zip(&years)
        .map(|(s, since)| {
            vec![
                Some(s.body.as_str()),
                Some(s.service.as_str()),
                since.as_deref(),
            ]
        });
    write_csv(SUBSCRIPTION_COLUMNS, rows)
}

/// The usage figures of `catalogue` as a usage file.
pub fn export_usage(catalogue: &Catalogue) -> String {
    let numbers: Vec<(String, String)> = catalogue
        .usage_figures()
        .iter()
        .map(|u| (u.year.to_string(), u.value.to_string()))
        .collect();
    let rows = catalogue
        .usage_figures()
        .iter()
        .zip(&numbers)
        .map(|(u, (year, value))| {
            vec![
                Some(u.indicator.as_str()),
                Some(year.as_str()),
                Some(value.as_str()),
            ]
        });
    write_csv(USAGE_COLUMNS, rows)
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(err: &InvalidCsv) -> Vec<(u64, Option<&str>, &Problem)> {
        err.errors
            .iter()
            .map(|e| (e.line, e.column.as_deref(), &e.problem))
            .collect()
    }

    #[test]
    fn numbers_tolerate_grouping_spaces_only() {
        assert_eq!(parse_number("11 440"), Some(11_440));
        assert_eq!(parse_number("673\u{a0}365"), Some(673_365));
        assert_eq!(parse_number("0"), Some(0));
        for bad in ["", "-3", "1.5", "1,5", "12a", "99999999999999999999", " "] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn separator_bom_and_column_order() {
        let cat = Catalogue::shipped().expect("shipped catalogue");
        let text = "\u{feff}Year,VALUE,indicator\n2020,\"12 000\",support-tickets\n";
        let usage = read_usage(text.as_bytes(), "u.csv", &cat).expect("valid");
        assert_eq!(
            usage,
            vec![UsageFigure {
                indicator: IndicatorId::new("support-tickets"),
                year: 2020,
                value: 12_000
            }]
        );
    }

    #[test]
    fn header_problems_are_all_reported() {
        let cat = Catalogue::shipped().expect("shipped catalogue");
        let err = read_usage(b"indicator;yaer;value;value\nx;2020;1;1\n", "u.csv", &cat)
            .expect_err("bad header");
        assert_eq!(
            problems(&err),
            vec![
                (1, Some("yaer"), &Problem::UnknownColumn),
                (1, Some("value"), &Problem::DuplicateColumn),
                (1, Some("year"), &Problem::MissingColumn),
            ]
        );
        let err = read_usage(b"", "u.csv", &cat).expect_err("empty");
        assert_eq!(problems(&err), vec![(1, None, &Problem::NoHeader)]);
        let err = read_usage(
            b"indicator;year;value\nsupport-tickets;2020;\xE9\n",
            "u.csv",
            &cat,
        )
        .expect_err("latin-1");
        assert_eq!(problems(&err), vec![(2, None, &Problem::NotUtf8)]);
    }

    #[test]
    fn field_count_and_blank_lines() {
        let cat = Catalogue::shipped().expect("shipped catalogue");
        let text = "indicator;year;value\n\nsupport-tickets;2020\n;;\r\n\r\nsupport-tickets;2021;5;\rx;2022;1\n";
        let err = read_usage(text.as_bytes(), "u.csv", &cat).expect_err("short row");
        assert_eq!(
            problems(&err),
            vec![
                (
                    3,
                    None,
                    &Problem::FieldCount {
                        expected: 3,
                        found: 2
                    }
                ),
                (
                    6,
                    None,
                    &Problem::FieldCount {
                        expected: 3,
                        found: 4
                    }
                ),
                (7, Some("indicator"), &Problem::UnknownIndicator),
            ]
        );
    }

    #[test]
    fn band_gaps_and_missing_open_band_are_reported() {
        let head =
            "tariff_from;tariff_to;min_population;max_population;annual_eur;label;published\n";
        let gap = format!("{head}2016;2016;0;9999;400;a;yes\n2016;2016;20000;;900;b;no\n");
        let err = read_funding_bands(gap.as_bytes(), "f.csv").expect_err("gap");
        assert_eq!(
            problems(&err),
            vec![(
                3,
                Some("min_population"),
                &Problem::BandsNotContiguous {
                    expected_min: Some(10_000)
                }
            )]
        );
        let closed = format!("{head}2016;2016;0;9999;400;a;yes\n");
        let err = read_funding_bands(closed.as_bytes(), "f.csv").expect_err("no open band");
        assert_eq!(
            problems(&err),
            vec![(2, Some("max_population"), &Problem::NotApplicable)]
        );
        let reversed = format!("{head}2017;2016;0;;400;a;yes\n");
        let err = read_funding_bands(reversed.as_bytes(), "f.csv").expect_err("years reversed");
        assert_eq!(
            problems(&err),
            vec![(2, Some("tariff_to"), &Problem::BadYear)]
        );
    }

    #[test]
    fn writer_quotes_what_needs_it() {
        let out = write_csv(
            &["a", "b"],
            [vec![Some("x;y"), Some("say \"hi\"")], vec![None, Some("z")]].into_iter(),
        );
        assert_eq!(out, "a;b\n\"x;y\";\"say \"\"hi\"\"\"\n;z\n");
    }
}
