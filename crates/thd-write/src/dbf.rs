//! The `.dbf` of a shapefile: dBase III fields from the model's column types, records in fixed width.
//!
//! Written by hand rather than with the `dbase` crate: dBase III is a header plus fixed-width text records, and
//! filling one record buffer per row is several times faster than building a `dbase::Record` (a map of boxed
//! values) per row, which matters for region-scale deliveries. The layout copies the GraceTHD demo delivery:
//! integers `N 11`, numerics `N 32.10` whatever their precision, booleans `L 2`, dates `D 8`, timestamps
//! `C 29`, numbers left-aligned, a NULL number as `*`, a NULL boolean as `?`.

use std::collections::HashSet;
use std::io::Write;

use thd_model::{ColumnType, RawTable, TableDef};

use crate::files::WriteFailure;
use crate::values::{date, is_number, logical};
use crate::{TextEncoding, WriteError, WriteOptions};

/// Longest DBF character field.
const MAX_TEXT: u32 = 254;
/// Longest DBF field name, in bytes.
const MAX_NAME: usize = 10;
/// The demo's exporter fills at most 16 characters of a NULL number with `*`.
const MAX_NULL_STARS: usize = 16;
/// Last-update date of the header (1995-07-26, as the demo and GDAL write it): fixed so that the same tables
/// give the same bytes, and a re-delivery is recognised by its checksum.
const HEADER_DATE: [u8; 3] = [95, 7, 26];

/// How a cell becomes the bytes of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Number,
    Logical,
    Date,
}

/// One field of the DBF, bound to a column of the table.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    name: String,
    kind: Kind,
    width: u8,
    decimals: u8,
}

impl Field {
    /// The field a column is written to: the model's type when the table and column are known, else text.
    fn of(def: Option<&TableDef>, column: &str, upper: bool) -> Self {
        let col = def.and_then(|d| d.column(column));
        let (kind, width, decimals) = match col.map(|c| c.ty) {
            Some(ColumnType::Text { len }) => (Kind::Text, len.clamp(1, MAX_TEXT), 0),
            Some(ColumnType::Integer) => (Kind::Number, 11, 0),
            Some(ColumnType::Bigint) => (Kind::Number, 20, 0),
            Some(ColumnType::Numeric { .. }) => (Kind::Number, 32, 10),
            Some(ColumnType::Boolean) => (Kind::Logical, 2, 0),
            Some(ColumnType::Date) => (Kind::Date, 8, 0),
            Some(ColumnType::Timestamp) => (Kind::Text, 29, 0),
            None => (Kind::Text, MAX_TEXT, 0),
        };
        let name = col.and_then(|c| c.dbf_name.as_deref()).unwrap_or(column);
        let name = if upper {
            name.to_ascii_uppercase()
        } else {
            name.to_owned()
        };
        Field {
            name,
            kind,
            // Every width above is at most 254.
            width: width as u8,
            decimals,
        }
    }

    fn type_byte(&self) -> u8 {
        match self.kind {
            Kind::Text => b'C',
            Kind::Number => b'N',
            Kind::Logical => b'L',
            Kind::Date => b'D',
        }
    }
}

/// The field layout of a table's DBF.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    fields: Vec<Field>,
    record_len: u16,
}

impl Layout {
    /// One field per column of the table, in the table's order. Names longer than DBF's 10 characters are cut
    /// (the model gives a short name where it has one); two columns ending with the same name are an error.
    pub(crate) fn new(
        table: &RawTable,
        def: Option<&TableDef>,
        upper: bool,
    ) -> Result<Self, WriteError> {
        let name_error = |column: &str, reason| WriteError::FieldName {
            table: table.name.clone(),
            column: column.to_owned(),
            reason,
        };
        if table.columns.len() > 255 {
            return Err(WriteError::TooLarge {
                table: table.name.clone(),
                reason: format!("{} columns, a DBF holds 255", table.columns.len()),
            });
        }
        let mut seen = HashSet::new();
        let mut fields = Vec::with_capacity(table.columns.len());
        let mut record_len = 1usize;
        for column in &table.columns {
            let mut field = Field::of(def, column, upper);
            if !field.name.is_ascii() || field.name.is_empty() {
                return Err(name_error(column, "DBF field names are ASCII"));
            }
            field.name.truncate(MAX_NAME);
            if !seen.insert(field.name.to_ascii_lowercase()) {
                return Err(name_error(column, "another column has the same DBF name"));
            }
            record_len += usize::from(field.width);
            fields.push(field);
        }
        let record_len = u16::try_from(record_len).map_err(|_| WriteError::TooLarge {
            table: table.name.clone(),
            reason: format!("records of {record_len} bytes, a DBF holds 65535"),
        })?;
        Ok(Layout { fields, record_len })
    }

    fn header_len(&self) -> u16 {
        // 32-byte header, 32 bytes per field (at most 255), terminator.
        (32 + 32 * self.fields.len() + 1) as u16
    }

    /// Size of the file for `rows` records: known before writing, for archive entries and bench figures.
    pub(crate) fn file_len(&self, rows: usize) -> u64 {
        u64::from(self.header_len()) + rows as u64 * u64::from(self.record_len) + 1
    }

    /// Writes the whole DBF of `table`; returns the number of text cells cut to their field's width.
    pub(crate) fn write(
        &self,
        table: &RawTable,
        options: &WriteOptions,
        out: &mut dyn Write,
    ) -> Result<usize, WriteFailure> {
        let encoding = options.encoding;
        let rows = u32::try_from(table.len()).map_err(|_| {
            WriteFailure::Table(WriteError::TooLarge {
                table: table.name.clone(),
                reason: format!("{} rows, a DBF holds 2^32 - 1", table.len()),
            })
        })?;
        out.write_all(&self.header(rows, encoding))?;
        let mut record = vec![b' '; usize::from(self.record_len)];
        let mut truncated = 0;
        for row in 0..table.len() {
            let mut at = 1;
            for (col, field) in self.fields.iter().enumerate() {
                let slot = &mut record[at..at + usize::from(field.width)];
                at += slot.len();
                let cell = table.cell(row, col);
                truncated += usize::from(match fill(slot, field, cell, encoding) {
                    Ok(cut) => cut,
                    Err(_) if options.keep_invalid_values => {
                        fill_text(slot, cell.unwrap_or_default(), encoding)
                    }
                    Err(expected) => {
                        return Err(WriteFailure::Table(WriteError::Value {
                            table: table.name.clone(),
                            row,
                            column: table.columns[col].clone(),
                            value: cell.unwrap_or_default().to_owned(),
                            expected,
                        }));
                    }
                });
            }
            out.write_all(&record)?;
        }
        // End-of-file mark of the dBase format (the demo omits it; readers accept both).
        out.write_all(&[0x1A])?;
        Ok(truncated)
    }

    fn header(&self, rows: u32, encoding: TextEncoding) -> Vec<u8> {
        let mut h = Vec::with_capacity(usize::from(self.header_len()));
        h.push(0x03); // dBase III without memo
        h.extend_from_slice(&HEADER_DATE);
        h.extend_from_slice(&rows.to_le_bytes());
        h.extend_from_slice(&self.header_len().to_le_bytes());
        h.extend_from_slice(&self.record_len.to_le_bytes());
        h.extend_from_slice(&[0; 17]);
        h.push(encoding.dbf_language_driver());
        h.extend_from_slice(&[0; 2]);
        for field in &self.fields {
            let mut name = [0u8; 11];
            name[..field.name.len()].copy_from_slice(field.name.as_bytes());
            h.extend_from_slice(&name);
            h.push(field.type_byte());
            h.extend_from_slice(&[0; 4]);
            h.push(field.width);
            h.push(field.decimals);
            h.extend_from_slice(&[0; 14]);
        }
        h.push(0x0D);
        h
    }
}

/// Fills a field's bytes with text, cut at a character boundary to fit; `true` when it was cut.
fn fill_text(slot: &mut [u8], value: &str, encoding: TextEncoding) -> bool {
    let bytes = encoding.encode(value);
    let fitted = encoding.fit(&bytes, slot.len());
    put(slot, fitted);
    fitted.len() < bytes.len()
}

/// Fills one field's bytes with a cell; `Ok(true)` when text was cut to fit, `Err` naming what the field takes
/// when the cell cannot be written to it.
fn fill(
    slot: &mut [u8],
    field: &Field,
    cell: Option<&str>,
    encoding: TextEncoding,
) -> Result<bool, &'static str> {
    let Some(value) = cell else {
        slot.fill(b' ');
        match field.kind {
            Kind::Number => {
                let stars = slot.len().min(MAX_NULL_STARS);
                slot[..stars].fill(b'*');
            }
            Kind::Logical => slot[0] = b'?',
            Kind::Text | Kind::Date => {}
        }
        return Ok(false);
    };
    match field.kind {
        Kind::Text => Ok(fill_text(slot, value, encoding)),
        Kind::Number => {
            let number = value.trim();
            if !is_number(number) {
                return Err("a number");
            }
            if number.len() > slot.len() {
                return Err("a number that fits its DBF field");
            }
            put(slot, number.as_bytes());
            Ok(false)
        }
        Kind::Logical => {
            let mark = if logical(value).ok_or("a boolean")? {
                b'T'
            } else {
                b'F'
            };
            put(slot, &[mark]);
            Ok(false)
        }
        Kind::Date => {
            put(slot, &date(value).ok_or("a date")?);
            Ok(false)
        }
    }
}

/// Copies `value` to the start of `slot` and pads the rest with spaces (left-aligned, as the demo writes).
fn put(slot: &mut [u8], value: &[u8]) {
    slot[..value.len()].copy_from_slice(value);
    slot[value.len()..].fill(b' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_cells_take_the_demo_marks() {
        let field = |kind, width| Field {
            name: "x".into(),
            kind,
            width,
            decimals: 0,
        };
        let mut slot = [0u8; 32];
        fill(
            &mut slot,
            &field(Kind::Number, 32),
            None,
            TextEncoding::Utf8,
        )
        .unwrap();
        assert_eq!(&slot, b"****************                ");
        let mut slot = [0u8; 2];
        fill(
            &mut slot,
            &field(Kind::Logical, 2),
            None,
            TextEncoding::Utf8,
        )
        .unwrap();
        assert_eq!(&slot, b"? ");
        let mut slot = [0u8; 3];
        let cut = fill(
            &mut slot,
            &field(Kind::Text, 3),
            Some("abcd"),
            TextEncoding::Utf8,
        );
        assert_eq!((cut, &slot), (Ok(true), b"abc"));
        let bad = fill(
            &mut slot,
            &field(Kind::Number, 3),
            Some("1234"),
            TextEncoding::Utf8,
        );
        assert!(bad.is_err());
    }
}
