//! Which cells of a row name its object, so that a row-level diagnostic carries the object code.
//!
//! Readers run before the delivery's version is known, so the primary key is looked up in every built-in
//! schema; a table no schema knows is keyed by its first column when that column is a `*_code`, the GraceTHD
//! convention.

use thd_model::{GraceVersion, Schema};

/// Indexes, in `columns`, of the primary-key fields of `table` (empty when no key can be found).
pub fn key_columns(table: &str, columns: &[String]) -> Vec<usize> {
    for version in GraceVersion::ALL {
        let Some(def) = Schema::of(version).table(table) else {
            continue;
        };
        let found: Option<Vec<usize>> = def
            .primary_key
            .iter()
            .map(|key| {
                columns.iter().position(|field| {
                    def.column_for_field(field)
                        .is_some_and(|column| &column.name == key)
                })
            })
            .collect();
        if let Some(found) = found.filter(|f| !f.is_empty()) {
            return found;
        }
    }
    match columns.first() {
        Some(first) if first.ends_with("_code") => vec![0],
        _ => Vec::new(),
    }
}

/// The object code of a row from its key cells (`/`-joined for composite keys); `None` when all are empty.
pub fn object_code<'a>(
    key_columns: &[usize],
    cell: impl Fn(usize) -> Option<&'a str>,
) -> Option<String> {
    let parts: Vec<&str> = key_columns.iter().map(|&c| cell(c).unwrap_or("")).collect();
    parts.iter().any(|p| !p.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn model_keys_are_found_in_any_column_position_and_case() {
        assert_eq!(
            key_columns("t_noeud", &names(&["nd_nom", "nd_code"])),
            vec![1]
        );
        assert_eq!(
            key_columns("t_cond_chem", &names(&["dm_cm_code", "x", "dm_cd_code"])),
            vec![2, 0]
        );
    }

    #[test]
    fn unknown_tables_fall_back_to_a_leading_code_column() {
        assert_eq!(key_columns("t_foo", &names(&["fo_code", "a"])), vec![0]);
        assert!(key_columns("t_foo", &names(&["a", "fo_code"])).is_empty());
        assert!(key_columns("t_noeud", &names(&["nd_nom"])).is_empty());
    }

    #[test]
    fn object_codes_join_composite_keys() {
        let row = ["CD1", "", "CM2"];
        let cell = |c: usize| row.get(c).copied().filter(|s| !s.is_empty());
        assert_eq!(object_code(&[0, 2], cell), Some("CD1/CM2".to_string()));
        assert_eq!(object_code(&[1], cell), None);
        assert_eq!(object_code(&[], cell), None);
    }
}
