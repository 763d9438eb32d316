//! How a delivery is laid out: container, text encoding, names, CSV dialect.

/// Where the files of a delivery go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Container {
    /// A folder at the output path, created if missing.
    #[default]
    Folder,
    /// One `.zip` archive at the output path (`.zip` is appended when the path has another extension).
    Zip,
}

/// The character encoding of DBF text fields and CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextEncoding {
    /// What GraceTHD asks for; the `.cpg` says `UTF-8`.
    #[default]
    Utf8,
    /// What older GIS tools produce; the `.cpg` says `1252` and the DBF language driver is 0x57. Characters
    /// Windows-1252 lacks are written as `?`.
    Windows1252,
}

/// Options of [`crate::write_delivery`]. The default is what the GraceTHD standard asks for, and what its demo
/// delivery does.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub container: Container,
    pub encoding: TextEncoding,
    /// Write a `.cpg` beside each shapefile naming its encoding (readers otherwise guess).
    pub write_cpg: bool,
    /// Upper-case file names, extensions, DBF field names and CSV headers (`T_NOEUD.SHP`, `ND_CODE`), as some
    /// contractors' tools do.
    pub upper_case_names: bool,
    /// Put shapefiles under `SHP/` and CSV files under `CSV/` instead of side by side.
    pub subfolders: bool,
    pub csv_separator: u8,
    /// Start each UTF-8 CSV file with a byte-order mark, as spreadsheet exports do (ignored for Windows-1252).
    pub csv_bom: bool,
    /// Write a cell that a typed DBF field cannot hold (`douze` in a number field) as its text, cut to the
    /// field's width, instead of refusing the table. Off by default, so an export never writes a value a reader
    /// will not take back; on for synthetic deliveries, whose injected defects must reach the files.
    pub keep_invalid_values: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            container: Container::Folder,
            encoding: TextEncoding::Utf8,
            write_cpg: true,
            upper_case_names: false,
            subfolders: false,
            csv_separator: b';',
            csv_bom: false,
            keep_invalid_values: false,
        }
    }
}
