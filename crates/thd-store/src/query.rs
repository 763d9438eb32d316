//! Paging through a delivery's diagnostics with filters: the query is written once here, and each backend only
//! says how it spells a bind placeholder (`?` for SQLite, `$n` for PostgreSQL).

use serde::Serialize;
use thd_diag::{Diagnostic, Severity};

/// Which diagnostics of a delivery to return, and which page of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosticQuery {
    /// Only diagnostics at this severity or above.
    pub min_severity: Option<Severity>,
    /// Only this rule id.
    pub rule: Option<String>,
    /// Only this GraceTHD table (`t_noeud`).
    pub table: Option<String>,
    pub limit: u64,
    pub offset: u64,
}

impl Default for DiagnosticQuery {
    fn default() -> Self {
        DiagnosticQuery {
            min_severity: None,
            rule: None,
            table: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// One page of diagnostics, in the order they were stored (reading, then checks, in control order).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiagnosticPage {
    /// Diagnostics matching the filters, over all pages.
    pub total: u64,
    pub offset: u64,
    pub items: Vec<Diagnostic>,
}

/// A bind value of the filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    Int(i64),
    Text(String),
}

impl DiagnosticQuery {
    /// The `WHERE` clause selecting delivery `id` and the filters, and its binds in order; `placeholder(n)` spells
    /// the n-th (1-based) placeholder of the backend.
    pub(crate) fn filter(
        &self,
        id: i64,
        placeholder: impl Fn(usize) -> String,
    ) -> (String, Vec<Bind>) {
        let mut binds = vec![Bind::Int(id)];
        let mut sql = format!("WHERE delivery_id = {}", placeholder(1));
        let mut add = |sql: &mut String, clause: &str, value: Bind| {
            binds.push(value);
            sql.push_str(&clause.replace('#', &placeholder(binds.len())));
        };
        if let Some(min) = self.min_severity {
            let wanted: Vec<&str> = Severity::ALL
                .into_iter()
                .filter(|s| *s >= min)
                .map(Severity::as_str)
                .collect();
            // Few values: one placeholder each keeps the statement cacheable per filter shape.
            sql.push_str(" AND severity IN (");
            for (i, severity) in wanted.into_iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                add(&mut sql, "#", Bind::Text(severity.to_owned()));
            }
            sql.push(')');
        }
        if let Some(rule) = &self.rule {
            add(&mut sql, " AND rule = #", Bind::Text(rule.clone()));
        }
        if let Some(table) = &self.table {
            add(&mut sql, " AND table_name = #", Bind::Text(table.clone()));
        }
        (sql, binds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_numbers_its_placeholders_in_bind_order() {
        let query = DiagnosticQuery {
            min_severity: Some(Severity::Error),
            rule: Some("graph.path.end_off_node".into()),
            table: None,
            ..DiagnosticQuery::default()
        };
        let (sql, binds) = query.filter(7, |n| format!("${n}"));
        assert_eq!(
            sql,
            "WHERE delivery_id = $1 AND severity IN ($2, $3) AND rule = $4"
        );
        assert_eq!(
            binds,
            vec![
                Bind::Int(7),
                Bind::Text("error".into()),
                Bind::Text("critical".into()),
                Bind::Text("graph.path.end_off_node".into()),
            ]
        );
    }
}
