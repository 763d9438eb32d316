//! One shapefile layer: its `.dbf`, `.shp`, `.shx`, `.cpg` and `.prj` read together into one table.
//!
//! The `.dbf` carries the rows, so a layer without one is unreadable; a layer without a `.shp` is read as a
//! table without geometries; a missing `.shx` only means reading the `.shp` sequentially. Rows and shapes are
//! paired by record number (deleted dBase records keep their number), and any disagreement in counts is
//! reported once for the layer rather than once per row.

use std::path::Path;
use thd_diag::rules::{
    READ_ENCODING_FALLBACK, READ_PRJ_NOT_LAMBERT93, READ_SHP_COUNT_MISMATCH, READ_SHP_MISSING_PART,
};
use thd_diag::{Diagnostic, Severity};
use thd_model::{RawTable, SourceFile};

use crate::context::FileContext;
use crate::dbf::{BLOCK_BYTES, read_dbf, read_dbf_file};
use crate::delimited::quote;
use crate::encoding::from_cpg;
use crate::keys::{key_columns, object_code};
use crate::shp::read_shp;
use crate::source::unreadable;

/// One file of a layer: its path in the delivery and its content.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// The `.dbf` of a layer: loaded with the other parts, or left on disk to be streamed (a region's attribute
/// files are gigabytes of padding).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Dbf<'a> {
    Loaded(Part<'a>),
    OnDisk { path: &'a str, file: &'a Path },
}

impl<'a> Dbf<'a> {
    fn path(&self) -> &'a str {
        match self {
            Dbf::Loaded(part) => part.path,
            Dbf::OnDisk { path, .. } => path,
        }
    }
}

/// The files of one layer, found by stem; any may be missing.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Layer<'a> {
    pub dbf: Option<Dbf<'a>>,
    pub shp: Option<Part<'a>>,
    pub shx: Option<Part<'a>>,
    pub cpg: Option<Part<'a>>,
    pub prj: Option<Part<'a>>,
}

/// Reads a layer into table `name`; `base` names the layer in diagnostics about missing parts (`SHP/T_NOEUD`).
/// A `.dbf` streamed from disk is fingerprinted on the way (hashed only if `hash`), into `streamed`.
pub(crate) fn read_layer(
    name: &str,
    base: &str,
    layer: &Layer<'_>,
    hash: bool,
    streamed: &mut Vec<SourceFile>,
) -> (Option<RawTable>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let missing = |ext: &str, severity: Severity, fr: &str, en: &str| {
        FileContext::new(name, format!("{base}.{ext}"))
            .diag(&READ_SHP_MISSING_PART)
            .severity(severity)
            .message(
                format!("Fichier .{ext} absent : {fr}"),
                format!("No .{ext} file: {en}"),
            )
    };
    let Some(dbf) = layer.dbf else {
        diags.push(missing(
            "dbf",
            Severity::Error,
            "la couche n'a pas d'attributs et n'est pas lue",
            "the layer has no attributes and is not read",
        ));
        return (None, diags);
    };
    let ctx = FileContext::new(name, dbf.path());
    let declared = layer.cpg.and_then(|cpg| {
        let encoding = from_cpg(cpg.bytes);
        if encoding.is_none() {
            let label = String::from_utf8_lossy(cpg.bytes);
            diags.push(
                ctx.with_file(cpg.path)
                    .diag(&READ_ENCODING_FALLBACK)
                    .value(quote(label.trim()))
                    .message(
                        "Encodage déclaré par le .cpg non reconnu : ignoré, encodage détecté",
                        "Encoding declared by the .cpg not recognised: ignored, encoding detected",
                    ),
            );
        }
        encoding
    });
    let read = match dbf {
        Dbf::Loaded(part) => read_dbf(part.bytes, &ctx, declared),
        Dbf::OnDisk { path, file } => {
            match read_dbf_file(file, path, &ctx, declared, BLOCK_BYTES, hash) {
                Ok((read, fingerprint)) => {
                    streamed.push(fingerprint);
                    read
                }
                Err(e) => {
                    diags.push(unreadable(path, &e).table(name.to_owned()));
                    return (None, diags);
                }
            }
        }
    };
    diags.extend(read.diagnostics);
    let Some(mut table) = read.table else {
        return (None, diags);
    };
    match layer.prj {
        Some(prj) if !is_lambert93(&String::from_utf8_lossy(prj.bytes)) => {
            let wkt = String::from_utf8_lossy(prj.bytes);
            diags.push(
                ctx.with_file(prj.path)
                    .diag(&READ_PRJ_NOT_LAMBERT93)
                    .value(quote(wkt.trim())),
            );
        }
        Some(_) => {}
        None if layer.shp.is_some() => diags.push(missing(
            "prj",
            Severity::Warning,
            "projection non déclarée, supposée Lambert-93",
            "projection not declared, assumed Lambert-93",
        )),
        None => {}
    }
    let Some(shp) = layer.shp else {
        diags.push(missing(
            "shp",
            Severity::Error,
            "la table est lue sans géométries",
            "the table is read without geometries",
        ));
        return (Some(table), diags);
    };
    if layer.shx.is_none() {
        diags.push(missing(
            "shx",
            Severity::Warning,
            "géométries lues séquentiellement",
            "geometries read sequentially",
        ));
    }
    let shp_ctx = ctx.with_file(shp.path);
    let shapes = read_shp(
        shp.bytes,
        layer.shx.map(|shx| (shx.bytes, shx.path)),
        &shp_ctx,
    );
    // A shape's record number names its attribute row, whose key names the object at fault.
    let keys = key_columns(name, &table.columns);
    diags.extend(shapes.diagnostics.into_iter().map(|diag| {
        let row = diag
            .row
            .and_then(|r| usize::try_from(r).ok()?.checked_sub(1))
            .and_then(|record| read.records.binary_search(&record).ok());
        match row.and_then(|row| object_code(&keys, |c| table.cell(row, c))) {
            Some(code) => diag.object(code),
            None => diag,
        }
    }));
    if shapes.shapes.len() != read.record_count {
        let (n_shp, n_dbf) = (shapes.shapes.len(), read.record_count);
        diags.push(shp_ctx.diag(&READ_SHP_COUNT_MISMATCH).message(
            format!("{n_shp} géométries dans le .shp, {n_dbf} enregistrements dans le .dbf : les lignes sans géométrie restent sans"),
            format!("{n_shp} geometries in the .shp, {n_dbf} records in the .dbf: rows without one are left without"),
        ));
    }
    let mut shapes = shapes.shapes;
    table.geometries = Some(
        read.records
            .iter()
            .map(|&record| shapes.get_mut(record).and_then(Option::take))
            .collect(),
    );
    (Some(table), diags)
}

/// Whether a `.prj` WKT describes RGF93 / Lambert-93 (EPSG:2154), in the ESRI or the OGC dialect.
///
/// Names are matched loosely (`Lambert_93`, `Lambert-93`, `RGF93_Lambert_93`) and, failing a name, an EPSG
/// authority code of 2154 or an RGF93 Lambert conformal conic with Lambert-93's standard parallels does.
/// RGF93 alone is not enough: geographic RGF93 and the CC zones are RGF93 too.
pub(crate) fn is_lambert93(wkt: &str) -> bool {
    let norm: String = wkt
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    norm.contains("lambert_93")
        || norm.contains("lambert93")
        || norm.contains("\"epsg\",\"2154\"")
        || norm.contains("\"epsg\",2154")
        || (norm.contains("rgf93")
            && norm.contains("lambert_conformal_conic")
            && norm.contains("\"standard_parallel_1\",49")
            && norm.contains("\"standard_parallel_2\",44"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambert93_is_recognised_in_its_usual_spellings() {
        let ogc = r#"PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93"],PROJECTION["Lambert_Conformal_Conic_2SP"],AUTHORITY["EPSG","2154"]]"#;
        let esri = r#"PROJCS["RGF_1993_Lambert_93",GEOGCS["GCS_RGF_1993"],PROJECTION["Lambert_Conformal_Conic"]]"#;
        let unnamed = r#"PROJCS["unnamed",GEOGCS["RGF93"],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44]]"#;
        for wkt in [ogc, esri, unnamed] {
            assert!(is_lambert93(wkt), "{wkt}");
        }
        let wgs84 = r#"GEOGCS["WGS 84",DATUM["WGS_1984"],AUTHORITY["EPSG","4326"]]"#;
        let cc48 = r#"PROJCS["RGF93 / CC48",GEOGCS["RGF93"],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",47.25],PARAMETER["standard_parallel_2",48.75],AUTHORITY["EPSG","3948"]]"#;
        let rgf93_geographic = r#"GEOGCS["RGF93",AUTHORITY["EPSG","4171"]]"#;
        for wkt in [wgs84, cc48, rgf93_geographic, ""] {
            assert!(!is_lambert93(wkt), "{wkt}");
        }
    }
}
