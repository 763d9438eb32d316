//! The v3 checker's conditional-filling controls (`ctrl_rc_*`): an attribute flagged C at the container is
//! empty while its row, or an object the row points at, says it is required.
//!
//! Each control is one line of [`RULES`]: the attribute and the conditions, all of which must hold. Most
//! conditions read the row itself (`cb_typelog = 'DI'`); three follow a reference, through maps built once:
//! the PBO of an address's residential premises (`ctrl_rc_0102`), the owner of a path (`ctrl_rc_0401`) and the
//! site of a technical room (`ctrl_rc_0610`). As in the checker, a comparison with an empty cell is false.

use rustc_hash::FxHashSet;
use thd_diag::Diagnostic;

use super::{Table, V3};

/// One condition on a row.
#[derive(Clone, Copy)]
enum When {
    /// The column holds one of the values.
    In(&'static str, &'static [&'static str]),
    /// The column is empty.
    Empty(&'static str),
    /// Both columns are filled and differ.
    Differ(&'static str, &'static str),
    /// The address's site has a residential premises whose fibre PBO stands on a technical point (outside the
    /// building): address → `t_site.st_ad_code` → `t_local.lc_st_code` (`RES`) → `lc_bp_codf` → `bp_pt_code`.
    PboOutsideBuilding,
    /// Civil works to build (`cm_avct = 'C'`), or a conduit (`cm_typ_imp = '7'`) of the incumbent
    /// (`cm_prop` → `t_organisme.or_nom = 'ORANGE'`).
    ToBuildOrIncumbentConduit,
    /// The premises' site (`lc_st_code`) is a client site (`st_typelog = 'CLIENT'`).
    ClientSite,
}

struct Rule {
    id: &'static str,
    table: &'static str,
    attribute: &'static str,
    when: &'static [When],
}

const NRO_SRO: When = When::In("lc_typelog", &["SRO", "NRO"]);
const NETWORK_SITE: When = When::In("st_typelog", &["RESEAU"]);
const BUILT: &[&str] = &["REC", "MCO"];

macro_rules! rules {
    ($($id:literal $table:literal $attribute:literal [$($when:expr),+];)*) => {
        const RULES: &[Rule] = &[$(Rule { id: $id, table: $table, attribute: $attribute, when: &[$($when),+] }),*];
        /// The catalogue controls this module implements.
        pub(crate) const CONTROLS: &[&str] = &[$($id),*];
    };
}

rules! {
    "ctrl_rc_0101" "t_adresse" "ad_codtemp" [When::Empty("ad_batcode")];
    "ctrl_rc_0102" "t_adresse" "ad_distinf" [When::PboOutsideBuilding];
    "ctrl_rc_0201" "t_cable" "cb_r3_code" [When::In("cb_typelog", &["DI"])];
    "ctrl_rc_0202" "t_cable" "cb_dateins" [When::In("cb_statut", BUILT)];
    "ctrl_rc_0203" "t_cable" "cb_lgreel" [When::Differ("cb_nd1", "cb_nd2")];
    "ctrl_rc_0204" "t_cable" "cb_r2_code" [When::In("cb_typelog", &["TR", "DI", "CT"])];
    "ctrl_rc_0301" "t_cassette" "cs_bp_code" [When::In("cs_type", &["E"])];
    "ctrl_rc_0401" "t_cheminement" "cm_compo" [When::ToBuildOrIncumbentConduit];
    "ctrl_rc_0501" "t_ebp" "bp_dateins" [When::In("bp_statut", BUILT)];
    "ctrl_rc_0601" "t_local" "lc_avct" [NRO_SRO];
    "ctrl_rc_0602" "t_local" "lc_bp_codf" [When::In("lc_typelog", &["RES", "PRO"])];
    "ctrl_rc_0603" "t_local" "lc_bp_codp" [When::In("lc_typelog", &["ENT"])];
    "ctrl_rc_0604" "t_local" "lc_codeext" [NRO_SRO];
    "ctrl_rc_0605" "t_local" "lc_dateins" [NRO_SRO, When::In("lc_statut", BUILT)];
    "ctrl_rc_0606" "t_local" "lc_elec" [NRO_SRO];
    "ctrl_rc_0607" "t_local" "lc_etiquet" [NRO_SRO];
    "ctrl_rc_0608" "t_local" "lc_gest" [NRO_SRO];
    "ctrl_rc_0609" "t_local" "lc_prop" [NRO_SRO];
    "ctrl_rc_0610" "t_local" "lc_proptyp" [NRO_SRO, When::ClientSite];
    "ctrl_rc_0611" "t_local" "lc_statut" [NRO_SRO];
    "ctrl_rc_0701" "t_pointaccueil" "pa_a_haut" [When::In("pa_typephy", &["APP"])];
    "ctrl_rc_0702" "t_pointaccueil" "pa_a_struc" [When::In("pa_typephy", &["APP"])];
    "ctrl_rc_0703" "t_pointaccueil" "pa_codtemp" [When::Empty("pa_codeext")];
    "ctrl_rc_0704" "t_pointaccueil" "pa_rotatio" [When::In("pa_typephy", &["CHB"])];
    "ctrl_rc_0801" "t_site" "st_ad_code" [When::In("st_typelog", &["CLIENT"])];
    "ctrl_rc_0802" "t_site" "st_avct" [NETWORK_SITE];
    "ctrl_rc_0803" "t_site" "st_codeext" [NETWORK_SITE];
    "ctrl_rc_0804" "t_site" "st_commune" [NETWORK_SITE];
    "ctrl_rc_0805" "t_site" "st_dateins" [NETWORK_SITE, When::In("st_statut", BUILT)];
    "ctrl_rc_0806" "t_site" "st_gest" [NETWORK_SITE];
    "ctrl_rc_0807" "t_site" "st_insee" [NETWORK_SITE];
    "ctrl_rc_0808" "t_site" "st_nomvoie" [NETWORK_SITE];
    "ctrl_rc_0809" "t_site" "st_postal" [NETWORK_SITE];
    "ctrl_rc_0810" "t_site" "st_prop" [NETWORK_SITE];
    "ctrl_rc_0811" "t_site" "st_proptyp" [NETWORK_SITE];
    "ctrl_rc_0812" "t_site" "st_statut" [NETWORK_SITE];
    "ctrl_rc_0814" "t_site" "st_numero" [NETWORK_SITE];
    "ctrl_rc_0815" "t_site" "st_design" [When::In("st_typephy", &["ADR", "SHE"])];
}

/// What the conditions that follow a reference need, built once per check.
#[derive(Default)]
struct Lookups<'d> {
    /// Addresses whose residential premises hang on a PBO standing on a technical point.
    pbo_outside: FxHashSet<&'d str>,
    /// Organisations named ORANGE.
    incumbent: FxHashSet<&'d str>,
    /// Sites of type CLIENT.
    client_sites: FxHashSet<&'d str>,
}

impl<'d> Lookups<'d> {
    fn new(v3: &V3<'_, 'd>) -> Self {
        let mut out = Self::default();
        if let (Some(sites), Some(premises), Some(boxes)) =
            (v3.table("t_site"), v3.table("t_local"), v3.table("t_ebp"))
        {
            let outside: FxHashSet<&str> = (0..boxes.len())
                .filter(|&r| boxes.get(r, boxes.col("bp_pt_code")).is_some())
                .filter_map(|r| boxes.code(r))
                .collect();
            let (kind, pbo, site) = (
                premises.col("lc_typelog"),
                premises.col("lc_bp_codf"),
                premises.col("lc_st_code"),
            );
            let sites_outside: FxHashSet<&str> = (0..premises.len())
                .filter(|&r| premises.get(r, kind) == Some("RES"))
                .filter(|&r| premises.get(r, pbo).is_some_and(|b| outside.contains(b)))
                .filter_map(|r| premises.get(r, site))
                .collect();
            let address = sites.col("st_ad_code");
            out.pbo_outside = (0..sites.len())
                .filter(|&r| sites.code(r).is_some_and(|c| sites_outside.contains(c)))
                .filter_map(|r| sites.get(r, address))
                .collect();
            let typelog = sites.col("st_typelog");
            out.client_sites = (0..sites.len())
                .filter(|&r| sites.get(r, typelog) == Some("CLIENT"))
                .filter_map(|r| sites.code(r))
                .collect();
        }
        if let Some(organisations) = v3.table("t_organisme") {
            let name = organisations.col("or_nom");
            out.incumbent = (0..organisations.len())
                .filter(|&r| organisations.get(r, name) == Some("ORANGE"))
                .filter_map(|r| organisations.code(r))
                .collect();
        }
        out
    }
}

impl When {
    fn holds(self, table: &Table<'_>, row: usize, lookups: &Lookups<'_>) -> bool {
        let cell = |name: &str| table.get(row, table.col(name));
        match self {
            Self::In(column, values) => cell(column).is_some_and(|v| values.contains(&v)),
            Self::Empty(column) => cell(column).is_none(),
            Self::Differ(a, b) => matches!((cell(a), cell(b)), (Some(a), Some(b)) if a != b),
            Self::PboOutsideBuilding => table
                .code(row)
                .is_some_and(|c| lookups.pbo_outside.contains(c)),
            Self::ToBuildOrIncumbentConduit => {
                cell("cm_avct") == Some("C")
                    || (cell("cm_typ_imp") == Some("7")
                        && cell("cm_prop").is_some_and(|o| lookups.incumbent.contains(o)))
            }
            Self::ClientSite => {
                cell("lc_st_code").is_some_and(|s| lookups.client_sites.contains(s))
            }
        }
    }

    /// The condition as an engineer reads it, French then English.
    fn describe(self) -> (String, String) {
        match self {
            Self::In(column, [value]) => (format!("{column} = {value}"), format!("{column} = {value}")),
            Self::In(column, values) => {
                let list = values.join(", ");
                (format!("{column} ∈ {{{list}}}"), format!("{column} in {{{list}}}"))
            }
            Self::Empty(column) => (format!("{column} est vide"), format!("{column} is empty")),
            Self::Differ(a, b) => (format!("{a} ≠ {b}"), format!("{a} ≠ {b}")),
            Self::PboOutsideBuilding => (
                "le PBO des locaux résidentiels est hors de l'immeuble (sur un point technique)".into(),
                "the PBO of the residential premises is outside the building (on a technical point)".into(),
            ),
            Self::ToBuildOrIncumbentConduit => (
                "génie civil à construire (cm_avct = C) ou conduite (cm_typ_imp = 7) d'ORANGE".into(),
                "civil works to build (cm_avct = C) or a conduit (cm_typ_imp = 7) of ORANGE".into(),
            ),
            Self::ClientSite => (
                "le site du local est un site client (st_typelog = CLIENT)".into(),
                "the premises' site is a client site (st_typelog = CLIENT)".into(),
            ),
        }
    }
}

pub(crate) fn check(v3: &V3<'_, '_>) -> Vec<Diagnostic> {
    let running: Vec<&Rule> = RULES.iter().filter(|r| v3.runs(r.id)).collect();
    if running.is_empty() {
        return Vec::new();
    }
    let lookups = Lookups::new(v3);
    let mut out = Vec::new();
    for rule in running {
        let Some(table) = v3.table(rule.table) else {
            continue;
        };
        let column = table.col(rule.attribute);
        let (fr, en): (Vec<String>, Vec<String>) = rule.when.iter().map(|w| w.describe()).unzip();
        let (fr, en) = (fr.join(" et "), en.join(" and "));
        for row in 0..table.len() {
            if table.get(row, column).is_some()
                || !rule.when.iter().all(|w| w.holds(&table, row, &lookups))
            {
                continue;
            }
            let mut d = v3.at_row(
                rule.id,
                &table,
                row,
                format!("{}.{} vide alors que {fr}.", rule.table, rule.attribute),
                format!("{}.{} is empty while {en}.", rule.table, rule.attribute),
            );
            d.column = Some(rule.attribute.to_owned());
            out.push(d);
        }
    }
    out
}
