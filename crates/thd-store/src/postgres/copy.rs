//! Bulk writing through `COPY ... FROM STDIN (FORMAT binary)`.
//!
//! Binary rather than text: cells go out as their bytes behind a length, with nothing to escape (tabs,
//! newlines and backslashes are common in delivered comments), and geometries as EWKB that PostGIS's binary
//! input reads without the hex round trip of the text format. Rows are encoded into one buffer sent in chunks
//! of [`CHUNK`] bytes, so the server parses one chunk while the next is encoded.

use sqlx::PgConnection;
use sqlx::postgres::PgCopyIn;

/// Bytes encoded before they are sent: large enough that a send costs little per row, small enough to keep
/// the server busy while the next chunk is encoded.
const CHUNK: usize = 1 << 20;

/// The signature, flags and header-extension length that open binary COPY data.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// One `COPY FROM STDIN` in progress.
pub(super) struct CopyIn<'c> {
    copy: PgCopyIn<&'c mut PgConnection>,
    buf: Vec<u8>,
}

impl<'c> CopyIn<'c> {
    /// Starts `COPY {target} FROM STDIN (FORMAT binary)`; `target` is a quoted table and its column list.
    pub(super) async fn start(
        conn: &'c mut PgConnection,
        target: &str,
    ) -> Result<Self, sqlx::Error> {
        let copy = conn
            .copy_in_raw(&format!("COPY {target} FROM STDIN (FORMAT binary)"))
            .await?;
        let mut buf = Vec::with_capacity(CHUNK + CHUNK / 8);
        buf.extend_from_slice(HEADER);
        Ok(CopyIn { copy, buf })
    }

    /// Starts a row of `fields` fields; the caller then writes exactly that many.
    pub(super) fn row(&mut self, fields: usize) {
        // A table has at most 1600 columns in PostgreSQL, far below i16::MAX.
        self.buf.extend_from_slice(&(fields as i16).to_be_bytes());
    }

    /// A `bigint` field.
    pub(super) fn int8(&mut self, value: i64) {
        self.buf.extend_from_slice(&8i32.to_be_bytes());
        self.buf.extend_from_slice(&value.to_be_bytes());
    }

    /// A `text` field (UTF-8 bytes) or NULL.
    pub(super) fn text(&mut self, value: Option<&str>) {
        self.bytes(value.map(str::as_bytes));
    }

    /// A field given as the bytes of its binary form (`bytea`, or EWKB for `geometry`), or NULL.
    pub(super) fn bytes(&mut self, value: Option<&[u8]>) {
        match value {
            // A field longer than 2 GiB would be refused by the server anyway (1 GiB limit).
            Some(v) => {
                self.buf.extend_from_slice(&(v.len() as i32).to_be_bytes());
                self.buf.extend_from_slice(v);
            }
            None => self.buf.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    /// A field whose binary form the caller appends to the given buffer (no copy through a scratch buffer).
    pub(super) fn with(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        let at = self.buf.len();
        self.buf.extend_from_slice(&0i32.to_be_bytes());
        write(&mut self.buf);
        let len = (self.buf.len() - at - 4) as i32;
        self.buf[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }

    /// Sends what is encoded once a chunk is full; call after each row.
    pub(super) async fn flush_if_full(&mut self) -> Result<(), sqlx::Error> {
        if self.buf.len() >= CHUNK {
            self.copy.send(self.buf.as_slice()).await?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Sends the rest and the trailer; returns the rows the server copied.
    pub(super) async fn finish(mut self) -> Result<u64, sqlx::Error> {
        self.buf.extend_from_slice(&(-1i16).to_be_bytes());
        self.copy.send(self.buf.as_slice()).await?;
        self.copy.finish().await
    }
}
