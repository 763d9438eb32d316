//! What several commands print with: JSON documents, `;`-CSV and numbers grouped by thousands, on standard output.

use anyhow::Result;
use serde::Serialize;
use std::io::{self, Write};

/// Standard output, buffered.
pub fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

/// One pretty-printed JSON document.
pub fn print_json(value: &impl Serialize) -> Result<()> {
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// A `;`-separated CSV writer, the project's dialect.
pub fn csv_writer() -> csv::Writer<io::StdoutLock<'static>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(io::stdout().lock())
}

/// `12 345` as the reports write numbers.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Whether a command failed only because standard output was closed under it (`thd ... | head`).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(super::grouped(0), "0");
        assert_eq!(super::grouped(999), "999");
        assert_eq!(super::grouped(1_000), "1 000");
        assert_eq!(super::grouped(673_365), "673 365");
        assert_eq!(super::grouped(1_450_406), "1 450 406");
    }
}
