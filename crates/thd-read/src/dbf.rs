//! dBase (`.dbf`) attribute tables of shapefiles, read from bytes into a [`RawTable`].
//!
//! Hand-written rather than through the `dbase` crate because the crate decodes every record into a `HashMap`
//! of typed values (an allocation per cell, far from the million rows a second a region-scale delivery needs),
//! decodes text before we can look at the raw bytes to choose an encoding, and stops at the first inconsistency
//! of the header. The format is a fixed-width table — a header, 32-byte field descriptors, then records of
//! `1 + Σ field lengths` bytes — so reading it is slicing: each cell is trimmed of its padding and decoded
//! straight into the table's arena. Headers that lie (record count, header or record length) are reported and
//! read around: every complete record the file holds is kept.
//!
//! The records are decoded block by block from a [`Bytes`] source: the whole file in memory ([`read_dbf`]), or a
//! file on disk read in blocks of a few megabytes and fingerprinted on the way ([`read_dbf_file`]). A region's
//! `t_adresse.dbf` is several gigabytes, most of it padding: holding it whole beside the table it becomes was
//! most of the memory a region-scale read needed, and zeroing and copying it most of its time.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, Read};
use std::ops::ControlFlow;
use std::path::Path;
use thd_diag::Diagnostic;
use thd_diag::rules::{READ_DBF_INVALID, READ_EMPTY_FILE, READ_ENCODING_FALLBACK};
use thd_model::{RawTable, RawTableBuilder, SourceFile, SourceFormat};

use crate::cells::Piece;
use crate::context::FileContext;
use crate::encoding::{decode, from_language_driver};
use crate::keys::{key_columns, object_code};

/// Size of the fixed part of a DBF header and of each field descriptor.
const BLOCK: usize = 32;
/// Ends the field descriptors.
const HEADER_END: u8 = 0x0D;
/// Optional end-of-file mark after the last record.
const FILE_END: u8 = 0x1A;
/// First byte of a record: `' '` live, `'*'` deleted.
const DELETED: u8 = b'*';

/// What reading a `.dbf` gave.
#[derive(Debug)]
pub struct DbfRead {
    /// The rows of live records, columns named by lower-cased field names; `None` when the header is unusable.
    pub table: Option<RawTable>,
    /// 0-based record number of each row of `table` (deleted records are skipped), to pair rows with shapes.
    pub records: Vec<usize>,
    /// Complete records in the file, deleted ones included: what the `.shp` must match.
    pub record_count: usize,
    /// The encoding text cells were decoded with.
    pub encoding: &'static Encoding,
    pub diagnostics: Vec<Diagnostic>,
}

/// One field descriptor.
#[derive(Debug, Clone)]
struct Field {
    name: String,
    kind: u8,
    /// Byte offset in the record (after the deletion flag).
    offset: usize,
    len: usize,
}

/// The header as it can be trusted after checking it against the file.
#[derive(Debug)]
struct Layout {
    fields: Vec<Field>,
    data_start: usize,
    stride: usize,
    /// Complete records the file holds, possibly more or fewer than the header announces.
    records: usize,
    /// Records the header announces; records beyond it are only read while they look like records.
    declared: usize,
    language_driver: u8,
}

/// Reads a `.dbf` file. `declared` is the encoding of the layer's `.cpg`, if any; without it the header's
/// language driver is used, else the text is detected (UTF-8 if valid, otherwise Windows-1252 with a warning).
pub fn read_dbf(bytes: &[u8], ctx: &FileContext, declared: Option<&'static Encoding>) -> DbfRead {
    read_from(&mut Memory(bytes), ctx, declared).unwrap_or_else(|never| match never {})
}

/// Reads a `.dbf` file from disk in blocks of about `block_bytes` ([`BLOCK_BYTES`] is a good size), hashing it
/// as it streams when `hash`: the result of [`read_dbf`] on its bytes, and the file's fingerprint named `name`
/// (with an empty hash unless `hash`). Only a failing read is an error.
pub fn read_dbf_file(
    path: &Path,
    name: &str,
    ctx: &FileContext,
    declared: Option<&'static Encoding>,
    block_bytes: usize,
    hash: bool,
) -> io::Result<(DbfRead, SourceFile)> {
    let mut source = Streamed::open(path, block_bytes, hash)?;
    let read = read_from(&mut source, ctx, declared)?;
    let file = SourceFile {
        path: name.to_owned(),
        size: source.len as u64,
        sha256: if hash {
            hex::encode(source.digest()?)
        } else {
            String::new()
        },
    };
    Ok((read, file))
}

/// Bytes a streamed file is read by, rounded to whole records: large enough that a read costs little, small
/// enough to stay in the processor's cache.
pub const BLOCK_BYTES: usize = 8 << 20;
/// How much of a streamed file's start is kept to read the header from: a sane header is at most 65 535 bytes.
const HEAD_BYTES: usize = 1 << 20;

/// The bytes of a `.dbf`, as the decoder needs them: its length, its start and last byte for the header, and its
/// records in consecutive blocks.
trait Bytes {
    type Error;
    fn len(&self) -> usize;
    /// The start of the file: all of it in memory, at least [`HEAD_BYTES`] (or the whole file) when streamed.
    fn head(&self) -> &[u8];
    fn last(&self) -> Option<u8>;
    /// Calls `visit` with the bytes from `from` to the end in consecutive blocks, each a whole number of
    /// `stride`-byte records but the last; stops calling it once it breaks.
    fn blocks(
        &mut self,
        from: usize,
        stride: usize,
        visit: &mut dyn FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<(), Self::Error>;
}

/// A `.dbf` in memory: one block.
struct Memory<'a>(&'a [u8]);

impl Bytes for Memory<'_> {
    type Error = std::convert::Infallible;
    fn len(&self) -> usize {
        self.0.len()
    }
    fn head(&self) -> &[u8] {
        self.0
    }
    fn last(&self) -> Option<u8> {
        self.0.last().copied()
    }
    fn blocks(
        &mut self,
        from: usize,
        _stride: usize,
        visit: &mut dyn FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<(), Self::Error> {
        let _ = visit(self.0.get(from..).unwrap_or(&[]));
        Ok(())
    }
}

/// A `.dbf` on disk, read front to back into one reused buffer on each pass; when hashing, each pass leaves the
/// SHA-256 of the whole file in `digest` (a pass that breaks early still reads and hashes to the end).
struct Streamed {
    file: File,
    len: usize,
    head: Vec<u8>,
    last: Option<u8>,
    buffer: Vec<u8>,
    block_bytes: usize,
    hash: bool,
    digest: Option<[u8; 32]>,
}

impl Streamed {
    fn open(path: &Path, block_bytes: usize, hash: bool) -> io::Result<Self> {
        let mut file = File::open(path)?;
        let len = usize::try_from(file.metadata()?.len())
            .map_err(|_| io::Error::other("file larger than the address space"))?;
        let mut head = vec![0; len.min(HEAD_BYTES)];
        file.read_exact(&mut head)?;
        let last = if len > head.len() {
            use std::os::unix::fs::FileExt;
            let mut byte = [0];
            file.read_exact_at(&mut byte, len as u64 - 1)?;
            Some(byte[0])
        } else {
            head.last().copied()
        };
        Ok(Self {
            file,
            len,
            head,
            last,
            buffer: Vec::new(),
            block_bytes,
            hash,
            digest: None,
        })
    }
}

impl Streamed {
    /// The SHA-256 of the file: from the last pass, or from a pass of its own when the header was unusable and
    /// no record was read.
    fn digest(&mut self) -> io::Result<[u8; 32]> {
        if self.digest.is_none() {
            self.blocks(0, 1, &mut |_| ControlFlow::Break(()))?;
        }
        Ok(self.digest.unwrap_or_default())
    }
}

impl Bytes for Streamed {
    type Error = io::Error;
    fn len(&self) -> usize {
        self.len
    }
    fn head(&self) -> &[u8] {
        &self.head
    }
    fn last(&self) -> Option<u8> {
        self.last
    }
    fn blocks(
        &mut self,
        from: usize,
        stride: usize,
        visit: &mut dyn FnMut(&[u8]) -> ControlFlow<()>,
    ) -> io::Result<()> {
        use std::io::Seek;
        self.file.rewind()?;
        let mut hasher = Sha256::new();
        let mut reader = (&mut self.file).take(self.len as u64);
        // The header, hashed only; then whole records.
        self.buffer.resize(from.min(self.len), 0);
        reader.read_exact(&mut self.buffer)?;
        let hash = self.hash;
        if hash {
            hasher.update(&self.buffer);
        }
        let block = stride.max(1) * (self.block_bytes / stride.max(1)).max(1);
        let mut visiting = true;
        loop {
            self.buffer.clear();
            let read = (&mut reader)
                .take(block as u64)
                .read_to_end(&mut self.buffer)?;
            if read == 0 {
                break;
            }
            if hash {
                hasher.update(&self.buffer);
            }
            if visiting {
                visiting = visit(&self.buffer).is_continue();
            }
            if !visiting && !hash {
                break;
            }
        }
        self.digest = Some(hasher.finalize().into());
        Ok(())
    }
}

/// [`read_dbf`] on any [`Bytes`].
fn read_from<B: Bytes>(
    bytes: &mut B,
    ctx: &FileContext,
    declared: Option<&'static Encoding>,
) -> Result<DbfRead, B::Error> {
    let mut diagnostics = Vec::new();
    let Some(layout) = layout(
        bytes.head(),
        bytes.len(),
        bytes.last(),
        ctx,
        &mut diagnostics,
    ) else {
        return Ok(DbfRead {
            table: None,
            records: Vec::new(),
            record_count: 0,
            encoding: declared.unwrap_or(UTF_8),
            diagnostics,
        });
    };
    let declared = declared.or_else(|| from_language_driver(layout.language_driver));
    let mut encoding = declared.unwrap_or(UTF_8);
    let (table, records) = match decode_records(bytes, &layout, ctx, encoding)? {
        Ok(decoded) => decoded,
        Err(bad) => {
            // One encoding per file: a single cell that is not UTF-8 means the whole file was written otherwise.
            diagnostics.push(encoding_fallback(ctx, &layout, &bad, declared.is_some()));
            encoding = WINDOWS_1252;
            // Windows-1252 maps every byte: this second pass cannot fail.
            decode_records(bytes, &layout, ctx, encoding)?
                .unwrap_or_else(|_| (empty_table(&layout, ctx).finish(), Vec::new()))
        }
    };
    Ok(DbfRead {
        table: Some(table),
        records,
        record_count: layout.records,
        encoding,
        diagnostics,
    })
}

/// Checks the header against the file and settles where records start, how long they are and how many there are.
fn layout(
    head: &[u8],
    len: usize,
    last: Option<u8>,
    ctx: &FileContext,
    diags: &mut Vec<Diagnostic>,
) -> Option<Layout> {
    if len == 0 {
        diags.push(ctx.diag(&READ_EMPTY_FILE));
        return None;
    }
    let invalid = |fr: String, en: String| ctx.diag(&READ_DBF_INVALID).message(fr, en);
    if len < BLOCK + 1 {
        diags.push(invalid(
            format!(
                "Fichier de {} octets, trop court pour un en-tête dBase",
                len
            ),
            format!("{}-byte file, too short for a dBase header", len),
        ));
        return None;
    }
    let declared = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
    let header_len = u16::from_le_bytes([head[8], head[9]]) as usize;
    let record_len = u16::from_le_bytes([head[10], head[11]]) as usize;
    let language_driver = head[29];

    // Descriptors run to the 0x0D mark; a plausible header length bounds the search so that a missing mark
    // does not turn records into descriptors.
    let limit = if header_len > BLOCK && header_len <= len {
        header_len
    } else {
        len
    };
    let mut fields = Vec::new();
    let mut pos = BLOCK;
    let mut offset = 1;
    let mut terminator = None;
    while pos < limit.min(head.len()) {
        if head[pos] == HEADER_END {
            terminator = Some(pos);
            break;
        }
        let Some(descriptor) = head.get(pos..pos + BLOCK) else {
            break;
        };
        let raw_name = descriptor[..11].split(|&b| b == 0).next().unwrap_or(&[]);
        let name = WINDOWS_1252
            .decode_without_bom_handling(raw_name)
            .0
            .trim()
            .to_lowercase();
        let len = usize::from(descriptor[16]);
        fields.push(Field {
            name,
            kind: descriptor[11],
            offset,
            len,
        });
        offset += len;
        pos += BLOCK;
    }
    if fields.is_empty() {
        diags.push(invalid(
            "En-tête sans aucune description de champ".into(),
            "Header without any field descriptor".into(),
        ));
        return None;
    }
    let header_end = match terminator {
        Some(t) => t + 1,
        None => {
            diags.push(invalid(
                "Marque de fin d'en-tête (0x0D) absente".into(),
                "End-of-header mark (0x0D) missing".into(),
            ));
            pos
        }
    };
    let fields_len = offset;
    // Whether `declared` records of `stride` bytes from `start` end the file (with or without the 0x1A mark).
    let fits = |start: usize, stride: usize| {
        let available = len.saturating_sub(start);
        let body = declared.checked_mul(stride);
        body == Some(available) || body.and_then(|b| b.checked_add(1)) == Some(available)
    };
    // Some writers leave bytes between the descriptors and the records (dBase 7, FoxPro's backlink), so a header
    // length past the 0x0D mark is trusted, unless the records only line up from the mark.
    let plausible = header_len >= header_end && header_len <= len;
    let misleading =
        header_len != header_end && fits(header_end, fields_len) && !fits(header_len, fields_len);
    let data_start = if plausible && !misleading {
        header_len
    } else {
        diags.push(invalid(
            format!(
                "L'en-tête annonce une longueur d'en-tête de {header_len} octets, les champs se terminent à l'octet {header_end}"
            ),
            format!(
                "The header announces a header length of {header_len} bytes, the field descriptors end at byte {header_end}"
            ),
        ));
        header_end
    };

    let available = len.saturating_sub(data_start);
    let stride = if record_len == fields_len {
        record_len
    } else {
        let stride = if record_len > fields_len && fits(data_start, record_len) {
            record_len
        } else {
            fields_len
        };
        diags.push(invalid(
            format!(
                "L'en-tête annonce des enregistrements de {record_len} octets, les champs en font {fields_len} : lus par pas de {stride} octets"
            ),
            format!(
                "The header announces {record_len}-byte records, the fields make {fields_len}: read with a {stride}-byte stride"
            ),
        ));
        stride
    };

    let records = available / stride;
    let rest = available % stride;
    let clean_end = rest == 0 || (rest == 1 && last == Some(FILE_END));
    if records != declared || !clean_end {
        let partial = if clean_end {
            String::new()
        } else {
            format!(" (+{rest} octets d'un enregistrement tronqué, ignorés)")
        };
        diags.push(invalid(
            format!(
                "L'en-tête annonce {declared} enregistrements, le fichier en contient {records} complets{partial}"
            ),
            format!(
                "The header announces {declared} records, the file holds {records} complete ones{}",
                if clean_end {
                    String::new()
                } else {
                    format!(" (+{rest} bytes of a truncated record, ignored)")
                }
            ),
        ));
    }
    Some(Layout {
        fields,
        data_start,
        stride,
        records,
        declared,
        language_driver,
    })
}

/// Where a cell failed to decode as UTF-8, with its record's bytes (a streamed file's block is gone by the time
/// the warning is written).
#[derive(Debug)]
struct BadCell {
    record: usize,
    field: usize,
    bytes: Vec<u8>,
}

fn empty_table(layout: &Layout, ctx: &FileContext) -> RawTableBuilder {
    RawTableBuilder::new(
        ctx.table.clone(),
        ctx.file.clone(),
        SourceFormat::Shapefile,
        layout.fields.iter().map(|f| f.name.clone()).collect(),
    )
}

/// Decodes every live record in `encoding` into a table, with the record number of each row.
///
/// In UTF-8 the first cell that is not valid UTF-8 stops the pass (the caller starts again in Windows-1252);
/// other encodings map every byte and cannot fail. The outer error is the source's (a failing disk).
#[allow(clippy::type_complexity)] // one layer of result per kind of failure, each handled once by the caller
fn decode_records<B: Bytes>(
    bytes: &mut B,
    layout: &Layout,
    ctx: &FileContext,
    encoding: &'static Encoding,
) -> Result<Result<(RawTable, Vec<usize>), BadCell>, B::Error> {
    let mut builder = empty_table(layout, ctx);
    builder.reserve(layout.records, layout.stride / 4);
    let mut records = Vec::with_capacity(layout.records);
    let mut scratch = String::new();
    let mut index = 0;
    let mut bad = None;
    bytes.blocks(layout.data_start, layout.stride, &mut |block| {
        let mut pieces = Vec::with_capacity(layout.fields.len());
        for record in block.chunks_exact(layout.stride) {
            if index >= layout.records {
                return ControlFlow::Break(());
            }
            let flag = record.first().copied().unwrap_or(DELETED);
            if index >= layout.declared && flag != b' ' && flag != DELETED {
                // Past the announced count, only bytes that look like records are records.
                return ControlFlow::Break(());
            }
            if flag != DELETED {
                if let Err(field) = decode_record(
                    record,
                    layout,
                    encoding,
                    &mut scratch,
                    &mut pieces,
                    &mut builder,
                ) {
                    bad = Some(BadCell {
                        record: index,
                        field,
                        bytes: record.to_vec(),
                    });
                    return ControlFlow::Break(());
                }
                records.push(index);
            }
            index += 1;
        }
        ControlFlow::Continue(())
    })?;
    Ok(match bad {
        Some(bad) => Err(bad),
        None => Ok((builder.finish(), records)),
    })
}

/// Appends one live record to `builder`; the error is the field that is not valid in `encoding`.
fn decode_record<'a>(
    record: &'a [u8],
    layout: &Layout,
    encoding: &'static Encoding,
    scratch: &mut String,
    pieces: &mut Vec<Piece<'a>>,
    builder: &mut RawTableBuilder,
) -> Result<(), usize> {
    scratch.clear();
    pieces.clear();
    for (f, field) in layout.fields.iter().enumerate() {
        let raw = record
            .get(field.offset..field.offset + field.len)
            .unwrap_or(&[]);
        pieces.push(piece(scratch, field.kind, trim(raw), encoding).ok_or(f)?);
    }
    builder.push_row(pieces.iter().map(|piece| piece.text(scratch)));
    Ok(())
}

/// The text of one cell, or `None` when its bytes are not valid in `encoding` (only UTF-8 can fail).
///
/// Numbers stay text (the decoder types them against the model); a number made of `*` is dBase's mark of a value
/// that did not fit or of NULL, written by common exporters for empty numeric fields. Dates `YYYYMMDD` become
/// `YYYY-MM-DD`, the form of the CSV files; a logical `?` is dBase's "not set".
fn piece<'a>(
    scratch: &mut String,
    kind: u8,
    raw: &'a [u8],
    encoding: &'static Encoding,
) -> Option<Piece<'a>> {
    match kind {
        b'N' | b'F' if raw.iter().all(|&b| b == b'*') => Some(Piece::Null),
        b'D' if raw.iter().all(|&b| b == b'0') => Some(Piece::Null),
        b'D' if raw.len() == 8 && raw.iter().all(u8::is_ascii_digit) => {
            let from = scratch.len();
            for (i, &b) in raw.iter().enumerate() {
                if i == 4 || i == 6 {
                    scratch.push('-');
                }
                scratch.push(char::from(b));
            }
            Some(Piece::Scratch(from, scratch.len()))
        }
        b'L' if raw == b"?" => Some(Piece::Null),
        _ => Piece::decode(scratch, raw, encoding),
    }
}

/// Strips fixed-width padding (spaces, NULs, and any surrounding whitespace).
///
/// Text fields are mostly padding (254-byte fields holding a 14-character code), so trailing spaces are skipped
/// eight bytes at a time.
fn trim(field: &[u8]) -> &[u8] {
    let mut end = field.len();
    while end >= 8 && field[end - 8..end] == [b' '; 8] {
        end -= 8;
    }
    while end > 0 && (field[end - 1] == 0 || field[end - 1].is_ascii_whitespace()) {
        end -= 1;
    }
    let mut start = 0;
    while start < end && (field[start] == 0 || field[start].is_ascii_whitespace()) {
        start += 1;
    }
    &field[start..end]
}

/// The warning for text read as Windows-1252, located at the first cell that is not UTF-8.
fn encoding_fallback(
    ctx: &FileContext,
    layout: &Layout,
    bad: &BadCell,
    declared: bool,
) -> Diagnostic {
    let (name, raw) = layout.fields.get(bad.field).map_or(("", &[][..]), |field| {
        (
            field.name.as_str(),
            bad.bytes
                .get(field.offset..field.offset + field.len)
                .unwrap_or(&[]),
        )
    });
    let (fr, en) = if declared {
        (
            "Encodage déclaré UTF-8 mais le texte n'est pas de l'UTF-8 : lu en Windows-1252",
            "Declared UTF-8 but the text is not UTF-8: read as Windows-1252",
        )
    } else {
        (
            "Aucun encodage déclaré (.cpg) et le texte n'est pas de l'UTF-8 : lu en Windows-1252",
            "No declared encoding (.cpg) and the text is not UTF-8: read as Windows-1252",
        )
    };
    let mut diag = ctx
        .diag(&READ_ENCODING_FALLBACK)
        .message(fr, en)
        .row(bad.record as u64 + 1)
        .column(name)
        .value(decode(WINDOWS_1252, trim(raw)).into_owned());
    if let Some(code) = record_object(&bad.bytes, layout, ctx) {
        diag = diag.object(code);
    }
    diag
}

/// The object code of a record, read straight from its key fields (used before the table is decoded).
fn record_object(record: &[u8], layout: &Layout, ctx: &FileContext) -> Option<String> {
    let names: Vec<String> = layout.fields.iter().map(|f| f.name.clone()).collect();
    let cells: Vec<String> = layout
        .fields
        .iter()
        .map(|f| {
            let raw = record.get(f.offset..f.offset + f.len).unwrap_or(&[]);
            decode(WINDOWS_1252, trim(raw)).into_owned()
        })
        .collect();
    let keys = key_columns(&ctx.table, &names);
    object_code(&keys, |c| {
        cells.get(c).map(String::as_str).filter(|s| !s.is_empty())
    })
}
