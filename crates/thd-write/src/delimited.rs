//! The CSV files of a delivery, written as the GraceTHD demo's: `;`-separated, a header of column names, LF line
//! ends, quotes only where a value needs them (RFC 4180), an empty field for NULL.

use std::io::Write;

use thd_model::RawTable;

use crate::files::WriteFailure;
use crate::{TextEncoding, WriteOptions};

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `table` as CSV.
pub(crate) fn write(
    table: &RawTable,
    options: &WriteOptions,
    out: &mut dyn Write,
) -> Result<(), WriteFailure> {
    let encoding = options.encoding;
    if options.csv_bom && encoding == TextEncoding::Utf8 {
        out.write_all(UTF8_BOM)?;
    }
    let mut csv = csv::WriterBuilder::new()
        .delimiter(options.csv_separator)
        .terminator(csv::Terminator::Any(b'\n'))
        .buffer_capacity(1 << 16)
        .from_writer(out);
    let header = table.columns.iter().map(|c| {
        if options.upper_case_names {
            c.to_ascii_uppercase()
        } else {
            c.clone()
        }
    });
    csv.write_record(header.map(|c| encoding.encode(&c).into_owned()))?;
    for row in 0..table.len() {
        csv.write_record(
            table
                .row(row)
                .map(|cell| encoding.encode(cell.unwrap_or(""))),
        )?;
    }
    csv.flush()?;
    Ok(())
}

impl From<csv::Error> for WriteFailure {
    fn from(e: csv::Error) -> Self {
        // A raw table is rectangular, so the csv writer can only fail on I/O.
        WriteFailure::Io(e.into())
    }
}
