//! Reading the project's small CSV data files (prices, phases, plans): one serde record per row, `#` comment
//! lines allowed (the files document themselves), and every error tied to its file and line.

use serde::de::DeserializeOwned;
use std::path::Path;

use crate::PlanError;

/// Reads a whole data file; the parsers themselves work on text so they stay free of I/O.
pub(crate) fn read(path: &Path) -> Result<String, PlanError> {
    std::fs::read_to_string(path).map_err(|source| PlanError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The rows of a CSV text as `T`, each with its line number in the file.
pub(crate) fn records<T: DeserializeOwned>(
    text: &str,
    origin: &str,
    hint: &str,
) -> Result<Vec<(u64, T)>, PlanError> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| PlanError::data(origin, 1, format!("no header row: {e}"), hint))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            PlanError::data(origin, line, e.to_string(), hint)
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let row = record
            .deserialize(Some(&headers))
            .map_err(|e| PlanError::data(origin, line, e.to_string(), hint))?;
        rows.push((line, row));
    }
    Ok(rows)
}

/// Parses `YYYY-MM-DD`.
pub(crate) fn date(
    text: &str,
    origin: &str,
    line: u64,
    hint: &str,
) -> Result<chrono::NaiveDate, PlanError> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
        PlanError::data(
            origin,
            line,
            format!("date {text:?}: {e}"),
            format!("write dates as YYYY-MM-DD; {hint}"),
        )
    })
}

/// Dates in JSON as `YYYY-MM-DD` (the workspace's chrono is built without its serde feature).
pub(crate) mod iso_date {
    use chrono::NaiveDate;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(date)
    }

    pub mod option {
        use super::*;

        pub fn serialize<S: Serializer>(
            date: &Option<NaiveDate>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match date {
                Some(date) => serializer.collect_str(date),
                None => serializer.serialize_none(),
            }
        }
    }
}
