//! Writing a delivery's files into a folder, in parallel.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;

use crate::files::FileJob;
use crate::{WriteError, WriteOptions};

/// Buffer per open file: large enough that a 2.8 kB DBF record or a CSV row is one copy, not a system call.
const BUFFER: usize = 1 << 20;

/// What the written files amount to.
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub(crate) bytes: u64,
    pub(crate) truncated_cells: usize,
}

/// Writes every job under `root`, one file per job, the jobs spread over rayon's threads.
pub(crate) fn write(
    root: &Path,
    jobs: &[FileJob<'_>],
    options: &WriteOptions,
) -> Result<Written, WriteError> {
    for job in jobs {
        if let Some(dir) = root.join(&job.path).parent() {
            fs::create_dir_all(dir).map_err(WriteError::io(dir))?;
        }
    }
    jobs.par_iter()
        .map(|job| {
            let path = root.join(&job.path);
            let file = File::create(&path).map_err(WriteError::io(&path))?;
            let mut out = Counter {
                inner: BufWriter::with_capacity(BUFFER, file),
                bytes: 0,
            };
            let truncated_cells = job.write(options, &mut out).map_err(|e| e.at(&path))?;
            out.flush().map_err(WriteError::io(&path))?;
            Ok(Written {
                bytes: out.bytes,
                truncated_cells,
            })
        })
        .try_reduce(Written::default, |a, b| {
            Ok(Written {
                bytes: a.bytes + b.bytes,
                truncated_cells: a.truncated_cells + b.truncated_cells,
            })
        })
}

/// Counts the bytes that go through, for the report.
struct Counter<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
