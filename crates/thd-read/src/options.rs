//! How a caller follows and tunes a read.

use std::fmt;

/// Options of [`crate::read_delivery_with`]; `ReadOptions::default()` reads silently.
#[derive(Default)]
pub struct ReadOptions<'a> {
    /// Called as files are read (from several threads at once: tables are read in parallel), for progress bars.
    pub progress: Option<&'a (dyn Fn(ReadProgress) + Sync)>,
    /// Most bytes a zip archive may inflate to; `None` for [`crate::archive::MAX_UNPACKED_BYTES`]. A server
    /// taking uploads from outside sets a bound that fits its memory.
    pub max_unpacked_bytes: Option<u64>,
    /// Leave every [`thd_model::SourceFile::sha256`] empty. Fingerprints are how the store recognises a
    /// re-delivery; commands that only look at the content (check, stats) skip them, a fifth of the work of
    /// reading a region-scale delivery.
    pub skip_fingerprints: bool,
}

impl fmt::Debug for ReadOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOptions")
            .field("progress", &self.progress.map(|_| "callback"))
            .field("max_unpacked_bytes", &self.max_unpacked_bytes)
            .field("skip_fingerprints", &self.skip_fingerprints)
            .finish()
    }
}

impl ReadOptions<'_> {
    pub(crate) fn report(&self, event: ReadProgress) {
        if let Some(progress) = self.progress {
            progress(event);
        }
    }
}

/// A step of reading a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProgress {
    /// The delivery's files are listed: how many and how many bytes, to size a progress bar.
    Started { files: usize, bytes: u64 },
    /// One file has been read (paths relative to the delivery root, `/`-separated).
    FileRead { path: String, bytes: u64 },
}
