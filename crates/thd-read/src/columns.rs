//! Columns of a table renamed to the model's names, and the differences with the model reported.
//!
//! Files name columns in any case and DBF cuts names to 10 characters; once the version is known every column
//! the model knows takes the model's name, so later stages look columns up by one name only. Missing columns
//! are reported, not added (an absent column and an empty one are different findings); extra columns are kept,
//! since they may carry what the contractor meant.

use thd_diag::rules::{READ_EXTRA_COLUMN, READ_MISSING_COLUMN};
use thd_diag::{Diagnostic, Severity};
use thd_model::{GraceVersion, RawTable, TableDef};

/// What to do about a column the model does not know (the rule itself has no hint).
const EXTRA_COLUMN_HINT: &str =
    "Vérifier le nom : une faute de frappe rend une colonne du modèle inconnue ; sinon la retirer.";

/// Renames the columns of `table` to the names of `def` and reports the differences.
pub(crate) fn normalise(
    table: &mut RawTable,
    def: &TableDef,
    version: GraceVersion,
    diags: &mut Vec<Diagnostic>,
) {
    let mut matched = vec![false; def.columns.len()];
    for column in &mut table.columns {
        let found = def
            .column_for_field(column)
            .and_then(|field| def.columns.iter().position(|c| c.name == field.name));
        let diag = || {
            Diagnostic::new(&READ_EXTRA_COLUMN)
                .hint(EXTRA_COLUMN_HINT)
                .table(table.name.clone())
                .file(table.file.clone())
                .column(column.clone())
        };
        match found {
            Some(i) if !matched.get(i).copied().unwrap_or(true) => {
                if let (Some(slot), Some(canonical)) = (matched.get_mut(i), def.columns.get(i)) {
                    *slot = true;
                    column.clone_from(&canonical.name);
                }
            }
            Some(_) => diags.push(diag().message(
                format!("Colonne {column} en double : la première est seule prise pour la colonne du modèle"),
                format!("Column {column} appears twice: only the first stands for the model's column"),
            )),
            None => diags.push(diag().message(
                format!("Colonne {column} hors du modèle {version} : conservée"),
                format!("Column {column} is not in the {version} model: kept"),
            )),
        }
    }
    for (column, _) in def.columns.iter().zip(&matched).filter(|(_, m)| !**m) {
        diags.push(
            Diagnostic::new(&READ_MISSING_COLUMN)
                .severity(Severity::Warning)
                .table(table.name.clone())
                .file(table.file.clone())
                .column(column.name.clone())
                .message(
                    format!("Colonne {} absente (modèle {version})", column.name),
                    format!("Column {} is missing ({version} model)", column.name),
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thd_model::{RawTableBuilder, Schema, SourceFormat};

    #[test]
    fn columns_take_model_names_missing_and_extra_are_reported() {
        let def = Schema::of(GraceVersion::V2_0_1)
            .table("t_noeud")
            .expect("t_noeud");
        let all: Vec<String> = def.columns.iter().map(|c| c.name.to_uppercase()).collect();
        let mut cols: Vec<String> = all.iter().filter(|c| *c != "ND_NOM").cloned().collect();
        cols.push("nd_extra".into());
        cols.push("ND_CODE".into());
        let mut table =
            RawTableBuilder::new("t_noeud", "t_noeud.csv", SourceFormat::Csv, cols).finish();
        let mut diags = Vec::new();
        normalise(&mut table, def, GraceVersion::V2_0_1, &mut diags);
        assert_eq!(table.columns[0], "nd_code");
        assert!(
            table
                .columns
                .iter()
                .take(all.len() - 1)
                .all(|c| def.column(c).is_some())
        );
        let found: Vec<(&str, Option<&str>, Severity)> = diags
            .iter()
            .map(|d| (d.rule.as_ref(), d.column.as_deref(), d.severity))
            .collect();
        assert_eq!(
            found,
            [
                ("read.extra_column", Some("nd_extra"), Severity::Info),
                ("read.extra_column", Some("ND_CODE"), Severity::Info),
                ("read.missing_column", Some("nd_nom"), Severity::Warning),
            ]
        );
    }
}
