//! List codes (`REC`, `PBO`, `C`...) as small copyable symbols.
//!
//! Every attribute backed by a GraceTHD value list (phase, progress, state, box type...) holds one of a few dozen
//! codes. Storing them as strings would cost an allocation per cell at region scale; storing them as Rust enums
//! would turn a new list value into a code change. A [`Sym`] is the position of the code in the schema's list,
//! so it is as cheap as an enum and as open as the model data: the schema says what the codes are.

use rustc_hash::FxHashMap;
use thd_model::{Schema, ValueList};

/// A value of a GraceTHD list: which list, and which entry of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym {
    list: u16,
    value: u16,
}

/// The value lists of one schema, indexed for lookup by code.
#[derive(Debug)]
pub struct Symbols {
    schema: &'static Schema,
    by_name: FxHashMap<&'static str, u16>,
    by_code: Vec<FxHashMap<&'static str, u16>>,
}

/// One list's codes, resolved once per column so the per-cell lookup is a single hash probe.
#[derive(Debug, Clone, Copy)]
pub struct ListIndex<'a> {
    list: u16,
    codes: &'a FxHashMap<&'static str, u16>,
}

impl Symbols {
    pub fn new(schema: &'static Schema) -> Self {
        let mut by_name = FxHashMap::default();
        let mut by_code = Vec::with_capacity(schema.lists.len());
        for (index, list) in schema.lists.iter().enumerate() {
            let index = u16::try_from(index).expect("a schema has far fewer than 65 536 lists");
            by_name.insert(list.name.as_str(), index);
            by_code.push(
                list.values
                    .iter()
                    .enumerate()
                    .map(|(i, value)| {
                        let i = u16::try_from(i).expect("a list has far fewer than 65 536 values");
                        (value.code.as_str(), i)
                    })
                    .collect(),
            );
        }
        Self {
            schema,
            by_name,
            by_code,
        }
    }

    /// The index of list `name` (`l_statut`), if the schema has it.
    pub fn list(&self, name: &str) -> Option<ListIndex<'_>> {
        let list = *self.by_name.get(name)?;
        Some(ListIndex {
            list,
            codes: &self.by_code[usize::from(list)],
        })
    }

    /// The symbol of `code` in list `name`, if both exist.
    pub fn lookup(&self, list: &str, code: &str) -> Option<Sym> {
        self.list(list)?.get(code)
    }

    fn entry(&self, sym: Sym) -> (&ValueList, usize) {
        (
            &self.schema.lists[usize::from(sym.list)],
            usize::from(sym.value),
        )
    }

    /// The code of a symbol, as written in deliveries (`REC`).
    pub fn code(&self, sym: Sym) -> &str {
        let (list, value) = self.entry(sym);
        &list.values[value].code
    }

    /// The French label of a symbol (`RECOLEMENT`).
    pub fn label(&self, sym: Sym) -> &str {
        let (list, value) = self.entry(sym);
        &list.values[value].label
    }

    /// The name of the list a symbol belongs to (`l_statut`).
    pub fn list_name(&self, sym: Sym) -> &str {
        &self.entry(sym).0.name
    }
}

impl ListIndex<'_> {
    pub fn get(&self, code: &str) -> Option<Sym> {
        self.codes.get(code).map(|&value| Sym {
            list: self.list,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use thd_model::GraceVersion;

    #[test]
    fn codes_round_trip_through_symbols() {
        let symbols = Symbols::new(Schema::of(GraceVersion::V2_0_1));
        let rec = symbols.lookup("l_statut", "REC").unwrap();
        assert_eq!(symbols.code(rec), "REC");
        assert_eq!(symbols.label(rec), "RECOLEMENT");
        assert_eq!(symbols.list_name(rec), "l_statut");
        assert_ne!(symbols.lookup("l_statut", "AVP"), Some(rec));
        assert_eq!(symbols.lookup("l_statut", "XYZ"), None);
        assert_eq!(symbols.lookup("l_nope", "REC"), None);
    }

    #[test]
    fn the_same_code_in_two_lists_gives_two_symbols() {
        let symbols = Symbols::new(Schema::of(GraceVersion::V2_0_1));
        let etat = symbols.lookup("l_etat_type", "NC").unwrap();
        let infra = symbols.lookup("l_infra_type_log", "NC").unwrap();
        assert_ne!(etat, infra);
        assert_eq!(symbols.code(etat), symbols.code(infra));
    }
}
