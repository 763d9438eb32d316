//! Writing a delivery's files into one zip archive.
//!
//! Entries are compressed one after the other, streamed from the tables into the archive: nothing is staged on
//! disk or held whole in memory, so a region-scale delivery needs no more room than its archive.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::files::FileJob;
use crate::folder::Written;
use crate::{WriteError, WriteOptions};

/// Deflate level: DBF padding compresses about as well at level 1 as at 6, several times faster.
const LEVEL: i64 = 1;

/// Writes every job as an entry of the archive at `path`, in path order.
pub(crate) fn write(
    path: &Path,
    jobs: &[FileJob<'_>],
    options: &WriteOptions,
) -> Result<Written, WriteError> {
    let zip_error = |source| WriteError::Zip {
        path: path.to_owned(),
        source,
    };
    let file = File::create(path).map_err(WriteError::io(path))?;
    // Zip64 entries when a file passes 4 GiB, as a region's t_fibre.dbf can.
    let mut zip = ZipWriter::new(BufWriter::with_capacity(1 << 20, file)).set_auto_large_file();
    // No timestamp (the format's 1980-01-01) so that the same tables give the same archive.
    let entry = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .unix_permissions(0o644);
    let mut ordered: Vec<&FileJob<'_>> = jobs.iter().collect();
    ordered.sort_by(|a, b| a.path.cmp(&b.path));
    let mut written = Written::default();
    for job in ordered {
        zip.start_file(job.path.as_str(), entry)
            .map_err(zip_error)?;
        let mut out = BufWriter::with_capacity(1 << 18, &mut zip);
        written.truncated_cells += job
            .write(options, &mut out)
            .map_err(|e| e.at(path.join(&job.path)))?;
        out.flush().map_err(WriteError::io(path.join(&job.path)))?;
    }
    let mut file = zip.finish().map_err(zip_error)?;
    file.flush().map_err(WriteError::io(path))?;
    written.bytes = file
        .get_ref()
        .metadata()
        .map_err(WriteError::io(path))?
        .len();
    Ok(written)
}
