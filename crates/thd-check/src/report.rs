//! A report an engineer can act on, in four forms: JSON (machines, the API), CSV (spreadsheets), GeoJSON of the
//! located defects in WGS84 (any web map or QGIS) and a self-contained HTML page (summary by category and
//! severity, the worst objects, a map of the defects drawn in SVG, every defect with its place).

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use thd_diag::{Category, Diagnostic, Severity, SeverityCounts};

use crate::connectivity::Components;
use thd_model::phase::{Phase, PhaseSource};

/// Defects of one control.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub category: Category,
    /// The most severe of its defects.
    pub severity: Severity,
    pub count: usize,
    /// Its French message, from its first defect.
    pub message_fr: String,
}

/// Defects of one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectCount {
    pub table: String,
    pub object: String,
    pub count: usize,
    pub worst: Severity,
}

/// Counts for the top of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub total: usize,
    pub severities: SeverityCounts,
    /// Defects at or above the blocking severity.
    pub blocking: usize,
    pub by_category: BTreeMap<Category, SeverityCounts>,
    /// Controls by number of defects, most first.
    pub by_rule: Vec<RuleCount>,
    /// The 20 objects with the most defects.
    pub worst_objects: Vec<ObjectCount>,
}

impl Summary {
    pub fn of(diagnostics: &[Diagnostic], blocking: Severity) -> Self {
        let mut by_category: BTreeMap<Category, Vec<&Diagnostic>> = BTreeMap::new();
        let mut rules: BTreeMap<&str, RuleCount> = BTreeMap::new();
        let mut objects: BTreeMap<(&str, &str), ObjectCount> = BTreeMap::new();
        for d in diagnostics {
            by_category.entry(d.category).or_default().push(d);
            let rule = rules.entry(&d.rule).or_insert_with(|| RuleCount {
                rule: d.rule.to_string(),
                category: d.category,
                severity: d.severity,
                count: 0,
                message_fr: d.message_fr.clone(),
            });
            rule.count += 1;
            rule.severity = rule.severity.max(d.severity);
            if let (Some(table), Some(object)) = (&d.table, &d.object) {
                let o = objects
                    .entry((table, object))
                    .or_insert_with(|| ObjectCount {
                        table: table.clone(),
                        object: object.clone(),
                        count: 0,
                        worst: d.severity,
                    });
                o.count += 1;
                o.worst = o.worst.max(d.severity);
            }
        }
        let mut by_rule: Vec<RuleCount> = rules.into_values().collect();
        by_rule.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
        let mut worst_objects: Vec<ObjectCount> = objects.into_values().collect();
        worst_objects.sort_by(|a, b| {
            (b.worst, b.count)
                .cmp(&(a.worst, a.count))
                .then_with(|| a.object.cmp(&b.object))
        });
        worst_objects.truncate(20);
        Self {
            total: diagnostics.len(),
            severities: SeverityCounts::of(diagnostics),
            blocking: diagnostics
                .iter()
                .filter(|d| d.severity >= blocking)
                .count(),
            by_category: by_category
                .into_iter()
                .map(|(c, ds)| (c, SeverityCounts::of(ds)))
                .collect(),
            by_rule,
            worst_objects,
        }
    }
}

/// Everything a report shows.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    /// The delivery as the engineer named it (path or store id).
    pub origin: &'a str,
    pub version: &'a str,
    pub phase: Phase,
    pub phase_source: &'a PhaseSource,
    pub blocking_severity: Severity,
    pub summary: Summary,
    pub components: &'a Components,
    pub diagnostics: &'a [Diagnostic],
}

pub fn write_json(report: &Report<'_>, out: impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(out, report).map_err(io::Error::other)
}

/// One row per defect; coordinates in Lambert-93.
pub fn write_csv(diagnostics: &[Diagnostic], out: impl Write) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_writer(out);
    let err = |e: csv::Error| io::Error::other(e.to_string());
    w.write_record([
        "severity",
        "rule",
        "category",
        "table",
        "object",
        "file",
        "row",
        "column",
        "value",
        "x_l93",
        "y_l93",
        "message_fr",
        "message_en",
        "hint",
    ])
    .map_err(err)?;
    for d in diagnostics {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let [x, y] = d.location.map_or([String::new(), String::new()], |[x, y]| {
            [format!("{x:.2}"), format!("{y:.2}")]
        });
        w.write_record([
            d.severity.as_str().to_owned(),
            d.rule.to_string(),
            format!("{:?}", d.category).to_lowercase(),
            opt(&d.table),
            opt(&d.object),
            opt(&d.file),
            d.row.map(|r| r.to_string()).unwrap_or_default(),
            opt(&d.column),
            opt(&d.value),
            x,
            y,
            d.message_fr.clone(),
            d.message_en.clone(),
            opt(&d.hint),
        ])
        .map_err(err)?;
    }
    w.flush()
}

/// The located defects as an RFC 7946 FeatureCollection; `to_wgs84` turns a Lambert-93 point into
/// longitude/latitude (unlocated defects and points it cannot transform are left out).
pub fn write_geojson(
    diagnostics: &[Diagnostic],
    to_wgs84: impl Fn([f64; 2]) -> Option<[f64; 2]>,
    mut out: impl Write,
) -> io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    let mut first = true;
    for d in diagnostics {
        let Some([lon, lat]) = d.location.and_then(&to_wgs84) else {
            continue;
        };
        if !first {
            out.write_all(b",\n")?;
        }
        first = false;
        let feature = serde_json::json!({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round7(lon), round7(lat)]},
            "properties": d,
        });
        serde_json::to_writer(&mut out, &feature).map_err(io::Error::other)?;
    }
    out.write_all(b"]}\n")
}

/// Seven decimals of a degree are about a centimetre.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "#7b1fa2",
        Severity::Error => "#d32f2f",
        Severity::Warning => "#f9a825",
        Severity::Info => "#1976d2",
    }
}

/// Defects listed one by one in the page; the JSON and CSV reports have them all.
const HTML_ROWS: usize = 5_000;

/// A self-contained page (no script, no external resource), in French.
pub fn write_html(report: &Report<'_>, mut out: impl Write) -> io::Result<()> {
    let s = &report.summary;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Contrôle GraceTHD — {origin}</title>\
         <style>body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}\
         td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}\
         .n{{text-align:right}}.critical{{color:#7b1fa2}}.error{{color:#d32f2f}}.warning{{color:#b28704}}.info{{color:#1976d2}}\
         svg{{border:1px solid #ccc;background:#fafafa}}</style></head><body>\
         <h1>Contrôle de la livraison {origin}</h1><p>GraceTHD {version}, phase {phase} ({source}). \
         <strong>{total}</strong> défaut(s), dont <strong>{blocking}</strong> bloquant(s) (gravité ≥ {blocking_sev}).</p>",
        origin = escape(report.origin),
        version = escape(report.version),
        phase = report.phase,
        source = match report.phase_source {
            PhaseSource::Given => "donnée".to_owned(),
            PhaseSource::Detected { votes, of } => format!("détectée : {votes} objets sur {of}"),
            PhaseSource::Default => "par défaut".to_owned(),
        },
        total = s.total,
        blocking = s.blocking,
        blocking_sev = report.blocking_severity.label_fr(),
    );
    html.push_str("<h2>Par catégorie et gravité</h2><table><tr><th>catégorie</th>");
    for sev in Severity::ALL.iter().rev() {
        let _ = write!(
            html,
            "<th class=\"{}\">{}</th>",
            sev.as_str(),
            sev.label_fr()
        );
    }
    html.push_str("</tr>");
    for (category, counts) in &s.by_category {
        let _ = write!(html, "<tr><td>{category:?}</td>");
        for n in [counts.critical, counts.error, counts.warning, counts.info] {
            let _ = write!(html, "<td class=\"n\">{n}</td>");
        }
        html.push_str("</tr>");
    }
    html.push_str("</table><h2>Par contrôle</h2><table><tr><th>contrôle</th><th>gravité</th><th>nombre</th><th>message</th></tr>");
    for r in &s.by_rule {
        let _ = write!(
            html,
            "<tr><td><code>{}</code></td><td class=\"{}\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&r.rule),
            r.severity.as_str(),
            r.severity.label_fr(),
            r.count,
            escape(&r.message_fr)
        );
    }
    html.push_str("</table><h2>Objets les plus touchés</h2><table><tr><th>table</th><th>objet</th><th>défauts</th><th>pire gravité</th></tr>");
    for o in &s.worst_objects {
        let _ = write!(
            html,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"{}\">{}</td></tr>",
            escape(&o.table),
            escape(&o.object),
            o.count,
            o.worst.as_str(),
            o.worst.label_fr()
        );
    }
    html.push_str("</table>");
    if !report.components.cut_off.is_empty() {
        let _ = write!(
            html,
            "<h2>Réseau</h2><p>{} partie(s) connexe(s) de câbles, dont {} sans NRO :</p><ul>",
            report.components.count,
            report.components.cut_off.len()
        );
        for island in report.components.cut_off.iter().take(50) {
            let _ = write!(
                html,
                "<li>{} nœud(s), {} câble(s), autour du nœud <code>{}</code></li>",
                island.nodes,
                island.cables,
                escape(&island.example_node)
            );
        }
        html.push_str("</ul>");
    }
    html.push_str(&svg_map(report.diagnostics));
    let _ = write!(
        html,
        "<h2>Défauts</h2><table><tr><th>gravité</th><th>contrôle</th><th>table</th><th>objet</th><th>fichier, ligne</th>\
         <th>colonne = valeur</th><th>X, Y (Lambert-93)</th><th>message</th><th>que faire</th></tr>"
    );
    for d in report.diagnostics.iter().take(HTML_ROWS) {
        let place = match (&d.file, d.row) {
            (Some(f), Some(r)) => format!("{f}, {r}"),
            (Some(f), None) => f.clone(),
            _ => String::new(),
        };
        let cell = match (&d.column, &d.value) {
            (Some(c), Some(v)) => format!("{c} = {v}"),
            (Some(c), None) => c.clone(),
            _ => String::new(),
        };
        let xy = d
            .location
            .map_or(String::new(), |[x, y]| format!("{x:.2}, {y:.2}"));
        let _ = write!(
            html,
            "<tr><td class=\"{sev}\">{label}</td><td><code>{rule}</code></td><td>{table}</td><td><code>{object}</code></td>\
             <td>{place}</td><td>{cell}</td><td>{xy}</td><td>{msg}</td><td>{hint}</td></tr>",
            sev = d.severity.as_str(),
            label = d.severity.label_fr(),
            rule = escape(&d.rule),
            table = escape(d.table.as_deref().unwrap_or("")),
            object = escape(d.object.as_deref().unwrap_or("")),
            place = escape(&place),
            cell = escape(&cell),
            msg = escape(&d.message_fr),
            hint = escape(d.hint.as_deref().unwrap_or("")),
        );
    }
    html.push_str("</table>");
    if report.diagnostics.len() > HTML_ROWS {
        let _ = write!(
            html,
            "<p>… et {} autres défauts : voir les rapports JSON ou CSV.</p>",
            report.diagnostics.len() - HTML_ROWS
        );
    }
    html.push_str("</body></html>\n");
    out.write_all(html.as_bytes())
}

/// The located defects as dots on a plain SVG map, coloured by severity, each with its message as a tooltip.
fn svg_map(diagnostics: &[Diagnostic]) -> String {
    let located: Vec<(&Diagnostic, [f64; 2])> = diagnostics
        .iter()
        .filter_map(|d| Some((d, d.location?)))
        .take(HTML_ROWS)
        .collect();
    if located.is_empty() {
        return String::new();
    }
    let (mut min, mut max) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for (_, [x, y]) in &located {
        min = [min[0].min(*x), min[1].min(*y)];
        max = [max[0].max(*x), max[1].max(*y)];
    }
    let (w, h) = (800.0, 500.0);
    let span = ((max[0] - min[0]) / w).max((max[1] - min[1]) / h).max(1e-9);
    let mut svg = format!(
        "<h2>Carte des défauts</h2><p>Emprise Lambert-93 : X {:.0} – {:.0}, Y {:.0} – {:.0}.</p>\
         <svg width=\"{w}\" height=\"{h}\" viewBox=\"-10 -10 {} {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        min[0],
        max[0],
        min[1],
        max[1],
        w + 20.0,
        h + 20.0
    );
    for (d, [x, y]) in located {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{}\" fill-opacity=\"0.7\"><title>{} {} — {}</title></circle>",
            (x - min[0]) / span,
            h - (y - min[1]) / span,
            colour(d.severity),
            escape(&d.rule),
            escape(d.object.as_deref().unwrap_or("")),
            escape(&d.message_fr)
        );
    }
    svg.push_str("</svg>");
    svg
}
