//! Where a reader is: the table and the file it reads, so that every diagnostic it raises says so.
//!
//! Readers of single formats (DBF, SHP, CSV) are called with a [`FileContext`] instead of bare names so that a
//! diagnostic can never be raised without its table and file filled in.

use thd_diag::{Diagnostic, Rule};

/// The table being read and the file (relative to the delivery root, `/`-separated) being parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileContext {
    /// Lower-case table name (`t_noeud`).
    pub table: String,
    /// File path as found in the delivery (`SHP/T_NOEUD.DBF`).
    pub file: String,
}

impl FileContext {
    pub fn new(table: impl Into<String>, file: impl Into<String>) -> Self {
        Self {
            table: table.into(),
            file: file.into(),
        }
    }

    /// A diagnostic of `rule` located in this table and file.
    pub fn diag(&self, rule: &Rule) -> Diagnostic {
        Diagnostic::new(rule)
            .table(self.table.clone())
            .file(self.file.clone())
    }

    /// The same table, another of its files (the `.shp` beside a `.dbf`).
    pub fn with_file(&self, file: impl Into<String>) -> Self {
        Self::new(self.table.clone(), file)
    }
}
