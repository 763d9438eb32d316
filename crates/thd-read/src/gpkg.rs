//! GeoPackage deliveries (GraceTHD v3 may come as one `.gpkg`): every feature and attribute table listed in
//! `gpkg_contents`, read through sqlx's SQLite driver.
//!
//! The rest of the engine is synchronous, so the read runs on a current-thread tokio runtime of its own, on a
//! scoped thread of its own: it works the same whether or not the caller is itself inside a tokio runtime.
//! Cells are selected `CAST(… AS BLOB)` so that integers, reals and text all arrive as the bytes of their text
//! form, borrowed from the row and decoded like the other formats' cells; geometry blobs go through
//! [`thd_geo::gpkg`]; a blob flagged empty is read as no geometry, like a null shape. Tables are read one after the other on one connection: SQLite reads do not parallelise
//! over a single file the way separate shapefiles do.

use encoding_rs::{UTF_8, WINDOWS_1252};
use futures_util::TryStreamExt;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{AssertSqlSafe, ConnectOptions, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use thd_diag::rules::{
    READ_DUPLICATE_TABLE, READ_ENCODING_FALLBACK, READ_GPKG_INVALID, READ_PRJ_NOT_LAMBERT93,
};
use thd_diag::{Diagnostic, Severity};
use thd_geo::gpkg;
use thd_model::{GraceVersion, RawTable, RawTableBuilder, Schema, SourceFormat};

use crate::cells::Piece;
use crate::context::FileContext;
use crate::delimited::MAX_ROW_DIAGNOSTICS;
use crate::keys::{key_columns, object_code};
use crate::plan::{is_table_name, unknown_file};

/// Lambert-93.
const EPSG_2154: i64 = 2154;

/// What reading a GeoPackage gave.
#[derive(Debug, Default)]
pub(crate) struct GpkgRead {
    /// GraceTHD tables listed in `gpkg_contents`, read or not.
    pub candidates: usize,
    pub tables: Vec<RawTable>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the GraceTHD tables of the GeoPackage at `path`; `file` names it in tables and diagnostics. An `Err`
/// (the reason) means the file is not a readable GeoPackage at all.
pub(crate) fn read_gpkg(path: &Path, file: &str) -> Result<GpkgRead, String> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("no async runtime: {e}"))?;
                runtime.block_on(read_all(path, file))
            })
            .join()
            .unwrap_or_else(|_| Err("the GeoPackage reader stopped unexpectedly".to_owned()))
    })
}

async fn read_all(path: &Path, file: &str) -> Result<GpkgRead, String> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .connect()
        .await
        .map_err(|e| e.to_string())?;
    let contents: Vec<(String, String)> =
        sqlx::query_as("SELECT table_name, data_type FROM gpkg_contents ORDER BY table_name")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| format!("no gpkg_contents table: {e}"))?;
    // Optional in a GeoPackage of attribute tables only: absent means no geometry columns.
    let geometry_columns: BTreeMap<String, (String, i64)> =
        sqlx::query_as::<_, (String, String, i64)>(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(table, column, srs)| (table, (column, srs)))
        .collect();
    let lambert93_srs: BTreeSet<i64> = sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT srs_id, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap_or_default()
    .into_iter()
    .filter(|(_, org, code)| org.eq_ignore_ascii_case("EPSG") && *code == EPSG_2154)
    .map(|(srs, _, _)| srs)
    .chain([EPSG_2154])
    .collect();

    let mut out = GpkgRead::default();
    let mut seen = BTreeSet::new();
    for (table, data_type) in contents {
        let name = table.to_lowercase();
        let ctx = FileContext::new(name.clone(), file);
        let spatial = matches!(data_type.as_str(), "features" | "attributes");
        if !spatial || !is_table_name(&name) {
            out.diagnostics
                .push(unknown_file().file(file).value(table.clone()).message(
                    format!(
                        "Table {table} ({data_type}) qui n'est pas une table GraceTHD : ignorée"
                    ),
                    format!("Table {table} ({data_type}) is not a GraceTHD table: ignored"),
                ));
            continue;
        }
        out.candidates += 1;
        if !seen.insert(name.clone()) {
            out.diagnostics.push(
                ctx.diag(&READ_DUPLICATE_TABLE)
                    .value(table.clone())
                    .message(
                        format!(
                            "Table {name} présente deux fois (casse différente) : {table} ignorée"
                        ),
                        format!("Table {name} appears twice (different case): {table} ignored"),
                    ),
            );
            continue;
        }
        let geometry = geometry_columns
            .get(&table)
            .map(|(name, srs)| GeometryColumn { name, srs: *srs });
        if let Some(srs) = geometry
            .map(|g| g.srs)
            .filter(|srs| !lambert93_srs.contains(srs))
        {
            out.diagnostics.push(
                ctx.diag(&READ_PRJ_NOT_LAMBERT93)
                    .value(srs.to_string())
                    .message(
                        format!("Géométries en SRS {srs}, pas en Lambert-93 (EPSG:2154)"),
                        format!("Geometries in SRS {srs}, not Lambert-93 (EPSG:2154)"),
                    ),
            );
        }
        let mut reader = TableReader {
            ctx: &ctx,
            diagnostics: Vec::new(),
        };
        match reader.read(&mut conn, &table, geometry).await {
            Ok(raw) => out.tables.push(raw),
            Err(e) => reader.diagnostics.push(
                ctx.diag(&READ_GPKG_INVALID)
                    .severity(Severity::Error)
                    .message(
                        format!("Table {table} illisible : {e}"),
                        format!("Table {table} unreadable: {e}"),
                    ),
            ),
        }
        out.diagnostics.append(&mut reader.diagnostics);
    }
    Ok(out)
}

/// Reads one table, collecting its row-level diagnostics.
struct TableReader<'c> {
    ctx: &'c FileContext,
    diagnostics: Vec<Diagnostic>,
}

/// The geometry column of a feature table and the SRS id its table declares.
#[derive(Debug, Clone, Copy)]
struct GeometryColumn<'a> {
    name: &'a str,
    srs: i64,
}

/// Counts of per-row geometry problems, reported once per table past the first few.
#[derive(Debug, Default)]
struct GeometryTally {
    unreadable: usize,
    /// Rows whose blob declares another SRS than the table, and the first such SRS.
    other_srs: usize,
    first_other_srs: Option<i32>,
}

impl TableReader<'_> {
    async fn read(
        &mut self,
        conn: &mut SqliteConnection,
        table: &str,
        geometry: Option<GeometryColumn<'_>>,
    ) -> Result<RawTable, sqlx::Error> {
        let info = sqlx::query(AssertSqlSafe(format!(
            "PRAGMA table_info({})",
            ident(table)
        )))
        .fetch_all(&mut *conn)
        .await?;
        if info.is_empty() {
            return Err(sqlx::Error::Protocol(
                "listed in gpkg_contents but absent from the database".into(),
            ));
        }
        let columns = attribute_columns(&self.ctx.table, &info, geometry.map(|g| g.name))?;
        let mut select: Vec<String> = columns
            .iter()
            .map(|c| format!("CAST({} AS BLOB)", ident(c)))
            .collect();
        // The geometry (or a NULL stand-in) always comes last, at index `ncols`.
        select.push(geometry.map_or_else(|| "NULL".to_owned(), |g| ident(g.name)));
        let sql = format!("SELECT {} FROM {}", select.join(", "), ident(table));
        let names: Vec<String> = columns.iter().map(|c| c.to_lowercase()).collect();
        let keys = key_columns(&self.ctx.table, &names);
        let mut builder = RawTableBuilder::new(
            self.ctx.table.clone(),
            self.ctx.file.clone(),
            SourceFormat::GeoPackage,
            names.clone(),
        );
        if geometry.is_some() {
            builder = builder.spatial();
        }
        let ncols = columns.len();
        let mut rows = sqlx::query(AssertSqlSafe(sql)).fetch(&mut *conn);
        let mut row_no = 0u64;
        let mut tally = GeometryTally::default();
        let mut fallback_reported = false;
        let mut scratch = String::new();
        while let Some(row) = rows.try_next().await? {
            row_no += 1;
            scratch.clear();
            let mut pieces: Vec<Piece<'_>> = Vec::with_capacity(ncols);
            for i in 0..ncols {
                let raw: Option<&[u8]> = row.try_get(i)?;
                let raw = raw.unwrap_or_default();
                // SQLite text is UTF-8 by contract, but a BLOB column may hold anything.
                let piece = match Piece::decode(&mut scratch, raw, UTF_8) {
                    Some(piece) => piece,
                    None => {
                        if !fallback_reported {
                            fallback_reported = true;
                            self.diagnostics.push(
                                self.ctx
                                    .diag(&READ_ENCODING_FALLBACK)
                                    .row(row_no)
                                    .column(names.get(i).cloned().unwrap_or_default())
                                    .message(
                                        "Texte qui n'est pas de l'UTF-8 : lu en Windows-1252",
                                        "Text is not UTF-8: read as Windows-1252",
                                    ),
                            );
                        }
                        Piece::decode(&mut scratch, raw, WINDOWS_1252).unwrap_or(Piece::Null)
                    }
                };
                pieces.push(piece);
            }
            if let Some(column) = geometry {
                let blob: Option<&[u8]> = row.try_get(ncols)?;
                let shape = match blob.map(gpkg::decode) {
                    None => None,
                    Some(Ok(decoded)) => {
                        if i64::from(decoded.srs_id) != column.srs && !decoded.empty {
                            tally.other_srs += 1;
                            tally.first_other_srs.get_or_insert(decoded.srs_id);
                        }
                        decoded.geometry.filter(|_| !decoded.empty)
                    }
                    Some(Err(e)) => {
                        tally.unreadable += 1;
                        if tally.unreadable <= MAX_ROW_DIAGNOSTICS {
                            let object = object_code(&keys, |c| {
                                pieces.get(c).and_then(|p| p.text(&scratch))
                            });
                            let mut d = self
                                .ctx
                                .diag(&READ_GPKG_INVALID)
                                .severity(Severity::Error)
                                .row(row_no)
                                .column(column.name)
                                .message(
                                    format!("Géométrie illisible : {e}"),
                                    format!("Unreadable geometry: {e}"),
                                );
                            if let Some(code) = object {
                                d = d.object(code);
                            }
                            self.diagnostics.push(d);
                        }
                        None
                    }
                };
                builder.push_row(pieces.iter().map(|p| p.text(&scratch)));
                builder.push_geometry(shape);
            } else {
                builder.push_row(pieces.iter().map(|p| p.text(&scratch)));
            }
        }
        self.report(&tally, geometry);
        Ok(builder.finish())
    }

    /// The per-table summaries of geometry problems.
    fn report(&mut self, tally: &GeometryTally, geometry: Option<GeometryColumn<'_>>) {
        if tally.unreadable > MAX_ROW_DIAGNOSTICS {
            let n = tally.unreadable;
            self.diagnostics.push(
                self.ctx
                    .diag(&READ_GPKG_INVALID)
                    .severity(Severity::Error)
                    .message(
                        format!("{n} géométries illisibles au total dans la table"),
                        format!("{n} unreadable geometries in all in the table"),
                    ),
            );
        }
        if let (Some(srs), Some(column)) = (tally.first_other_srs, geometry) {
            let (n, table_srs) = (tally.other_srs, column.srs);
            self.diagnostics.push(
                self.ctx
                    .diag(&READ_PRJ_NOT_LAMBERT93)
                    .column(column.name)
                    .value(srs.to_string())
                    .message(
                        format!("{n} géométries déclarent le SRS {srs} au lieu de celui de la table ({table_srs})"),
                        format!("{n} geometries declare SRS {srs} instead of the table's ({table_srs})"),
                    ),
            );
        }
    }
}

/// The attribute columns of a table, in table order: all but the geometry and the GeoPackage's own integer
/// primary key (`fid`), unless a model knows that key as a GraceTHD column.
fn attribute_columns(
    table: &str,
    info: &[SqliteRow],
    geometry: Option<&str>,
) -> Result<Vec<String>, sqlx::Error> {
    let mut columns = Vec::with_capacity(info.len());
    for column in info {
        let name: String = column.try_get("name")?;
        let ty: String = column.try_get("type")?;
        let pk: i64 = column.try_get("pk")?;
        if geometry.is_some_and(|g| g.eq_ignore_ascii_case(&name)) {
            continue;
        }
        let in_model = GraceVersion::ALL.into_iter().any(|v| {
            Schema::of(v)
                .table(table)
                .is_some_and(|def| def.column_for_field(&name).is_some())
        });
        if pk == 1 && ty.eq_ignore_ascii_case("INTEGER") && !in_model {
            continue;
        }
        columns.push(name);
    }
    Ok(columns)
}

/// An SQL identifier, quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
