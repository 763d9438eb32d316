//! The same figures as JSON or as a CSV download: `?format=csv` on any table-like endpoint.
//!
//! A CSV is made from the JSON rows themselves — one column per member of the first row (in serde_json's
//! alphabetical order); a nested value is written as its JSON text — so the two formats can never disagree.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::ApiError;

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Json,
    Csv,
}

/// `document` as JSON, or, as CSV, the array `rows` of it, downloaded as `file_name`.
pub fn respond(
    format: Format,
    document: &impl Serialize,
    rows: impl FnOnce(&Value) -> Option<&Vec<Value>>,
    file_name: &str,
) -> Result<Response, ApiError> {
    respond_with_columns(format, document, rows, None, file_name)
}

/// [`respond`], with the CSV's columns in the order given rather than the first row's.
pub fn respond_with_columns(
    format: Format,
    document: &impl Serialize,
    rows: impl FnOnce(&Value) -> Option<&Vec<Value>>,
    columns: Option<Vec<String>>,
    file_name: &str,
) -> Result<Response, ApiError> {
    let value = serde_json::to_value(document).map_err(ApiError::internal)?;
    match format {
        Format::Json => Ok(axum::Json(value).into_response()),
        Format::Csv => {
            let empty = Vec::new();
            let rows = rows(&value).unwrap_or(&empty);
            let text = csv(rows, columns)?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{file_name}\""),
                    ),
                ],
                text,
            )
                .into_response())
        }
    }
}

/// `;`-separated (the GraceTHD and French spreadsheet convention), header row first.
fn csv(rows: &[Value], columns: Option<Vec<String>>) -> Result<String, ApiError> {
    let columns: Vec<String> = columns.unwrap_or_else(|| match rows.first() {
        Some(Value::Object(first)) => first.keys().cloned().collect(),
        _ => Vec::new(),
    });
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    writer.write_record(&columns).map_err(ApiError::internal)?;
    for row in rows {
        let record = columns.iter().map(|c| match row.get(c) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        });
        writer.write_record(record).map_err(ApiError::internal)?;
    }
    String::from_utf8(writer.into_inner().map_err(ApiError::internal)?).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_csv_has_the_first_rows_members_as_columns() {
        let rows = vec![
            json!({"department": "35", "plugs": 12, "key": ["35", null]}),
            json!({"department": null, "plugs": 3, "key": []}),
        ];
        assert_eq!(
            csv(&rows, None).unwrap(),
            "department;key;plugs\n35;\"[\"\"35\"\",null]\";12\n;[];3\n"
        );
    }
}
