//! GraceTHD CSV tables (`;`-separated, header row, UTF-8) read from bytes into a [`RawTable`].
//!
//! Deliveries bend every rule of the exchange format, so the reader bends with them and says so: a `,`
//! separator (detected on the header line), a byte-order mark, Windows-1252 text, rows with too few or too many
//! fields, and the trailing `;` some exporters put at the end of every line. The `csv` crate does the quoting
//! (in flexible mode, on byte records, so that neither the field count nor the encoding stops it); cells are
//! borrowed from the file and copied once into the table's arena.

use csv::{ByteRecord, ReaderBuilder};
use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use thd_diag::Diagnostic;
use thd_diag::Severity;
use thd_diag::rules::{
    READ_CSV_RAGGED_ROW, READ_CSV_SEPARATOR, READ_EMPTY_FILE, READ_ENCODING_FALLBACK, READ_IO,
};
use thd_model::{RawTable, RawTableBuilder, SourceFormat};

use crate::cells::Piece;
use crate::context::FileContext;
use crate::keys::{key_columns, object_code};

/// Row-level diagnostics of one kind kept per file; past it, one summary says how many more there were. A
/// file where every row is ragged would otherwise drown the report (and memory) in identical lines.
pub const MAX_ROW_DIAGNOSTICS: usize = 100;

/// Longest raw value quoted in a diagnostic.
const MAX_QUOTED: usize = 200;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What reading a CSV file gave.
#[derive(Debug)]
pub struct CsvRead {
    /// `None` when the file holds no header (empty, or nothing but blanks).
    pub table: Option<RawTable>,
    /// The encoding the text was decoded with.
    pub encoding: &'static Encoding,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a CSV table. Text that is valid UTF-8 is UTF-8; anything else is read as Windows-1252 with a warning.
pub fn read_csv(bytes: &[u8], ctx: &FileContext) -> CsvRead {
    let mut diagnostics = Vec::new();
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let encoding = if std::str::from_utf8(body).is_ok() {
        UTF_8
    } else {
        WINDOWS_1252
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        diagnostics.push(ctx.diag(&READ_EMPTY_FILE));
        return CsvRead {
            table: None,
            encoding,
            diagnostics,
        };
    }
    let separator = detect_separator(body);
    if separator == b',' {
        diagnostics.push(ctx.diag(&READ_CSV_SEPARATOR).message(
            "Séparateur « , » au lieu de « ; » : fichier lu avec « , »",
            "Separator ',' instead of ';': file read with ','",
        ));
    }
    let mut reader = ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut record = ByteRecord::new();
    let mut scratch = String::new();
    // Reading from a slice cannot fail on I/O, and flexible byte records accept any field count and encoding:
    // an error here is a parser limit, reported without losing the rows read so far.
    let header_read = reader.read_byte_record(&mut record);
    if !matches!(header_read, Ok(true)) {
        diagnostics.push(ctx.diag(&READ_EMPTY_FILE));
        return CsvRead {
            table: None,
            encoding,
            diagnostics,
        };
    }
    let columns = header(&record, encoding);
    let mut rows = Rows {
        ctx,
        keys: key_columns(&ctx.table, &columns),
        builder: RawTableBuilder::new(
            ctx.table.clone(),
            ctx.file.clone(),
            SourceFormat::Csv,
            columns.clone(),
        ),
        columns,
        encoding,
        separator,
        ragged: 0,
        fallback_reported: encoding == UTF_8,
        diagnostics,
    };
    // Rows are about as long as the file's average line: reserve once instead of growing the arena.
    let lines = body.iter().filter(|&&b| b == b'\n').count().max(1);
    rows.builder.reserve(lines, body.len() / lines);
    let mut row = 0u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {
                row += 1;
                rows.push(&record, row, &mut scratch);
            }
            Ok(false) => break,
            Err(e) => {
                rows.diagnostics.push(
                    ctx.diag(&READ_IO)
                        .severity(Severity::Error)
                        .row(row + 1)
                        .message(
                            format!("Lecture interrompue après la ligne {row} : {e}"),
                            format!("Reading stopped after row {row}: {e}"),
                        ),
                );
                break;
            }
        }
    }
    rows.finish()
}

/// The separator of the file: `;` unless the header line has `,` and no `;` (quotes are not looked into: a
/// header of GraceTHD column names has none).
fn detect_separator(body: &[u8]) -> u8 {
    let header = body.split(|&b| b == b'\n').next().unwrap_or(body);
    let has = |sep: u8| header.contains(&sep);
    if !has(b';') && has(b',') { b',' } else { b';' }
}

/// Lower-cased, trimmed column names of the header record; trailing empty names (a `;` ending the line) are
/// dropped.
fn header(record: &ByteRecord, encoding: &'static Encoding) -> Vec<String> {
    let mut columns: Vec<String> = record
        .iter()
        .map(|field| {
            let (text, _) = encoding.decode_without_bom_handling(field);
            text.trim().to_lowercase()
        })
        .collect();
    while columns.last().is_some_and(String::is_empty) {
        columns.pop();
    }
    columns
}

/// The state of reading the data rows of one file.
struct Rows<'c> {
    ctx: &'c FileContext,
    /// Column names, as in the builder.
    columns: Vec<String>,
    /// Positions of the key columns, to name the object of a row-level diagnostic.
    keys: Vec<usize>,
    builder: RawTableBuilder,
    encoding: &'static Encoding,
    separator: u8,
    /// Ragged rows seen so far.
    ragged: usize,
    /// Whether the Windows-1252 fallback has been reported (or does not apply).
    fallback_reported: bool,
    diagnostics: Vec<Diagnostic>,
}

impl Rows<'_> {
    /// Appends one data row (`row` is 1-based, the header not counted), reporting what is wrong with it.
    fn push(&mut self, record: &ByteRecord, row: u64, scratch: &mut String) {
        if self.encoding == UTF_8 && record.len() == self.columns.len() {
            // The common row: nothing to report, every field already text (the whole file is valid UTF-8, and
            // fields split at ASCII bytes stay valid). Straight from the record into the arena.
            self.builder
                .push_row(record.iter().map(|field| std::str::from_utf8(field).ok()));
            return;
        }
        scratch.clear();
        let mut pieces: Vec<Piece<'_>> = Vec::with_capacity(record.len());
        let mut bad_cell = None;
        for (i, field) in record.iter().enumerate() {
            // Whole-file validation chose UTF-8, and fields split at ASCII bytes stay UTF-8; stay total anyway.
            let piece = Piece::decode(scratch, field, self.encoding)
                .or_else(|| Piece::decode(scratch, field, WINDOWS_1252))
                .unwrap_or(Piece::Null);
            if !self.fallback_reported && bad_cell.is_none() && std::str::from_utf8(field).is_err()
            {
                bad_cell = Some(i);
            }
            pieces.push(piece);
        }
        let ncols = self.columns.len();
        // A trailing separator on every line is an exporter habit, not a shifted row: empty fields past the
        // header's count do not count.
        let significant = pieces
            .iter()
            .rposition(|p| p.text(scratch).is_some())
            .map_or(0, |last| last + 1)
            .max(pieces.len().min(ncols));
        if significant != ncols {
            self.report_ragged(row, significant, &pieces, scratch);
        }
        if let Some(col) = bad_cell {
            self.fallback_reported = true;
            let value = pieces.get(col).and_then(|p| p.text(scratch));
            let diag = self
                .row_diag(&READ_ENCODING_FALLBACK, row, &pieces, scratch)
                .column(self.column_name(col))
                .value(quote(value.unwrap_or_default()))
                .message(
                    "Texte qui n'est pas de l'UTF-8 : fichier lu en Windows-1252",
                    "Text is not UTF-8: file read as Windows-1252",
                );
            self.diagnostics.push(diag);
        }
        self.builder
            .push_row(pieces.iter().map(|piece| piece.text(scratch)));
    }

    fn report_ragged(&mut self, row: u64, fields: usize, pieces: &[Piece<'_>], scratch: &str) {
        self.ragged += 1;
        if self.ragged > MAX_ROW_DIAGNOSTICS {
            return;
        }
        let ncols = self.columns.len();
        let (fr, en) = if fields < ncols {
            (
                format!(
                    "{fields} champs au lieu de {ncols} : les colonnes manquantes sont laissées vides"
                ),
                format!("{fields} fields instead of {ncols}: the missing columns are left empty"),
            )
        } else {
            (
                format!("{fields} champs au lieu de {ncols} : les champs en trop sont ignorés"),
                format!("{fields} fields instead of {ncols}: the extra fields are dropped"),
            )
        };
        let separator = char::from(self.separator).to_string();
        let line: Vec<&str> = pieces
            .iter()
            .map(|p| p.text(scratch).unwrap_or_default())
            .collect();
        let diag = self
            .row_diag(&READ_CSV_RAGGED_ROW, row, pieces, scratch)
            .value(quote(&line.join(&separator)))
            .message(fr, en);
        self.diagnostics.push(diag);
    }

    /// A diagnostic about `row`, naming its object when its key cells are filled.
    fn row_diag(
        &self,
        rule: &thd_diag::Rule,
        row: u64,
        pieces: &[Piece<'_>],
        scratch: &str,
    ) -> Diagnostic {
        let diag = self.ctx.diag(rule).row(row);
        let object = object_code(&self.keys, |c| pieces.get(c).and_then(|p| p.text(scratch)));
        match object {
            Some(code) => diag.object(code),
            None => diag,
        }
    }

    fn column_name(&self, index: usize) -> String {
        self.columns
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("#{}", index + 1))
    }

    fn finish(mut self) -> CsvRead {
        if self.ragged > MAX_ROW_DIAGNOSTICS {
            let more = self.ragged - MAX_ROW_DIAGNOSTICS;
            self.diagnostics
                .push(self.ctx.diag(&READ_CSV_RAGGED_ROW).message(
                    format!("{} lignes au total ont un nombre de champs différent de l'en-tête ({more} non détaillées)", self.ragged),
                    format!("{} rows in all have a field count different from the header ({more} not listed)", self.ragged),
                ));
        }
        CsvRead {
            table: Some(self.builder.finish()),
            encoding: self.encoding,
            diagnostics: self.diagnostics,
        }
    }
}

/// `text` cut to a length a report can show.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> CsvRead {
        read_csv(bytes, &FileContext::new("t_noeud", "t_noeud.csv"))
    }

    fn rules(read: &CsvRead) -> Vec<&str> {
        read.diagnostics.iter().map(|d| d.rule.as_ref()).collect()
    }

    #[test]
    fn semicolon_utf8_with_quotes_and_crlf() {
        let r = read("nd_code;nd_nom\r\nND1;\"Château; d'eau\"\r\nND2;\r\n".as_bytes());
        let t = r.table.expect("table");
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        assert_eq!(t.columns, ["nd_code", "nd_nom"]);
        assert_eq!(t.len(), 2);
        assert_eq!(t.cell(0, 1), Some("Château; d'eau"));
        assert_eq!(t.cell(1, 1), None);
    }

    #[test]
    fn comma_separator_and_bom_are_handled_and_reported() {
        let r = read(b"\xEF\xBB\xBFND_CODE,ND_NOM\nND1,A\n");
        assert_eq!(rules(&r), ["read.csv.separator"]);
        let t = r.table.expect("table");
        assert_eq!(t.columns, ["nd_code", "nd_nom"]);
        assert_eq!(t.cell(0, 1), Some("A"));
    }

    #[test]
    fn windows_1252_is_decoded_and_reported_once_at_its_first_cell() {
        let r = read(b"nd_code;nd_nom\nND1;ok\nND2;Ch\xe2teau\nND3;\xe9t\xe9\n");
        assert_eq!(r.encoding, WINDOWS_1252);
        assert_eq!(rules(&r), ["read.encoding.fallback"]);
        let d = &r.diagnostics[0];
        assert_eq!((d.row, d.column.as_deref()), (Some(2), Some("nd_nom")));
        assert_eq!(d.object.as_deref(), Some("ND2"));
        assert_eq!(d.value.as_deref(), Some("Château"));
        let t = r.table.expect("table");
        assert_eq!(t.cell(2, 1), Some("été"));
    }

    #[test]
    fn ragged_rows_are_kept_padded_or_cut_and_reported_with_their_object() {
        let r = read(b"nd_code;nd_nom;nd_type\nND1;a\nND2;b;c;d\nND3;e;f;\n");
        let t = r.table.as_ref().expect("table");
        assert_eq!(t.len(), 3);
        assert_eq!(t.row(0).collect::<Vec<_>>(), [Some("ND1"), Some("a"), None]);
        assert_eq!(
            t.row(1).collect::<Vec<_>>(),
            [Some("ND2"), Some("b"), Some("c")]
        );
        let ragged: Vec<_> = r
            .diagnostics
            .iter()
            .map(|d| (d.row, d.object.as_deref()))
            .collect();
        assert_eq!(
            ragged,
            [(Some(1), Some("ND1")), (Some(2), Some("ND2"))],
            "a trailing ';' is not ragged"
        );
        assert_eq!(rules(&r), ["read.csv.ragged_row"; 2]);
    }

    #[test]
    fn ragged_row_reports_are_capped_with_a_summary() {
        let mut text = String::from("a;b\n");
        for _ in 0..MAX_ROW_DIAGNOSTICS + 5 {
            text.push_str("1\n");
        }
        let r = read(text.as_bytes());
        assert_eq!(r.diagnostics.len(), MAX_ROW_DIAGNOSTICS + 1);
        assert!(
            r.diagnostics
                .last()
                .is_some_and(|d| d.row.is_none() && d.message_en.contains("105 rows"))
        );
    }

    #[test]
    fn empty_and_blank_files_have_no_table() {
        for bytes in [&b""[..], b"\xEF\xBB\xBF", b" \r\n\n"] {
            let r = read(bytes);
            assert!(r.table.is_none());
            assert_eq!(rules(&r), ["read.empty_file"]);
        }
    }

    #[test]
    fn a_header_alone_is_an_empty_table_with_trailing_separator_dropped() {
        let r = read(b"nd_code;nd_nom;\n");
        let t = r.table.expect("table");
        assert_eq!(t.columns, ["nd_code", "nd_nom"]);
        assert!(t.is_empty());
        assert!(r.diagnostics.is_empty());
    }
}
