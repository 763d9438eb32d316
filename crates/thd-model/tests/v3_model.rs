//! The embedded GraceTHD v3 model (`gracethd/v3/model.json`): its shape, its consistency, a few facts of the
//! v3.0.1 exchange subset, the columns of the ANCT v3.0 sample, and that the file is what the generator makes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use thd_model::{ColumnType, GeometryKind, GraceVersion, Schema, TableFormat};

fn v3() -> &'static Schema {
    Schema::of(GraceVersion::V3)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/anct-v3.0-sample")
}

#[test]
fn v3_model_has_the_24_tables_and_44_lists_of_the_exchange_subset() {
    let schema = v3();
    assert_eq!(schema.version, "3.0.1");
    assert_eq!(schema.srid, 2154);
    assert_eq!(schema.tables.len(), 24);
    assert_eq!(schema.lists.len(), 44);
    let attributes: usize = schema
        .tables
        .iter()
        .map(|t| t.columns.len() + usize::from(t.geometry.is_some()))
        .sum();
    assert_eq!(attributes, 283, "attributes, geometry columns included");
}

#[test]
fn the_ten_spatial_tables_are_shapefiles_of_multi_geometries_in_lambert_93() {
    use GeometryKind::*;
    let expected = [
        ("t_adresse", MultiPoint),
        ("t_noeud", MultiPoint),
        ("t_pointaccueil", MultiPoint),
        ("t_point_leve", MultiPoint),
        ("t_cableline", MultiLineString),
        ("t_cheminement", MultiLineString),
        ("t_tranchee", MultiLineString),
        ("t_zdep", MultiPolygon),
        ("t_znro", MultiPolygon),
        ("t_zsro", MultiPolygon),
    ];
    let schema = v3();
    for (name, kind) in expected {
        let table = schema.table(name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!(table.format, TableFormat::Shapefile, "{name}");
        let geom = table.geometry.as_ref().unwrap_or_else(|| panic!("{name}"));
        assert_eq!(
            (geom.column.as_str(), geom.kind, geom.srid, geom.nullable),
            ("geom", kind, 2154, false),
            "{name}"
        );
    }
    let csv: Vec<_> = schema
        .tables
        .iter()
        .filter(|t| t.format == TableFormat::Csv)
        .collect();
    assert_eq!(csv.len(), 14);
    assert!(csv.iter().all(|t| t.geometry.is_none()));
}

#[test]
fn keys_references_and_lists_point_inside_the_model() {
    let schema = v3();
    for table in &schema.tables {
        assert!(!table.primary_key.is_empty(), "{}", table.name);
        for key in &table.primary_key {
            let col = table
                .column(key)
                .unwrap_or_else(|| panic!("{}.{key}", table.name));
            assert!(!col.nullable, "{}.{key} is a key", table.name);
        }
        for col in &table.columns {
            let at = format!("{}.{}", table.name, col.name);
            if let Some(reference) = &col.references {
                let (t, c) = reference
                    .split_once('.')
                    .unwrap_or_else(|| panic!("{at}: {reference}"));
                let target = schema
                    .table(t)
                    .unwrap_or_else(|| panic!("{at} -> {reference}"));
                assert!(target.column(c).is_some(), "{at} -> {reference}");
            }
            if let Some(list) = &col.list {
                let values = schema
                    .list(list)
                    .unwrap_or_else(|| panic!("{at} -> {list}"));
                if let ColumnType::Text { len } = col.ty {
                    let longest = values.values.iter().map(|v| v.code.len()).max();
                    assert!(longest.unwrap_or(0) <= len as usize, "{at}: {list}");
                }
            }
            // Shapefile fields hold at most 10 characters: a longer name needs its DBF name.
            assert!(col.name.len() <= 10 || col.dbf_name.is_some(), "{at}");
        }
    }
    for list in &schema.lists {
        assert!(!list.values.is_empty(), "{}", list.name);
        if let Some(n) = list.code_len {
            assert!(
                list.values.iter().all(|v| v.code.len() <= n as usize),
                "{}",
                list.name
            );
        }
    }
}

#[test]
fn cables_sit_directly_in_paths_through_t_cab_chem() {
    let schema = v3();
    let cab_chem = schema.table("t_cab_chem").expect("t_cab_chem");
    assert_eq!(cab_chem.format, TableFormat::Csv);
    assert_eq!(cab_chem.primary_key, ["cc_cb_code", "cc_cm_code"]);
    let refs: Vec<_> = cab_chem
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.references.as_deref()))
        .collect();
    assert_eq!(
        refs,
        [
            ("cc_cb_code", Some("t_cable.cb_code")),
            ("cc_cm_code", Some("t_cheminement.cm_code")),
        ]
    );
    let paths = schema.table("t_cheminement").expect("t_cheminement");
    for end in ["cm_ndcode1", "cm_ndcode2"] {
        assert_eq!(
            paths.column(end).and_then(|c| c.references.as_deref()),
            Some("t_noeud.nd_code")
        );
    }
    // The v2 duct tables are gone.
    for gone in [
        "t_conduite",
        "t_cond_chem",
        "t_cab_cond",
        "t_sitetech",
        "t_ltech",
        "t_suf",
    ] {
        assert!(schema.table(gone).is_none(), "{gone}");
    }
}

#[test]
fn sites_and_locals_replace_the_v2_technical_sites_and_end_user_sites() {
    let schema = v3();
    let site = schema.table("t_site").expect("t_site");
    assert_eq!(site.prefix(), Some("st"));
    assert_eq!(
        site.column("st_nd_code")
            .and_then(|c| c.references.as_deref()),
        Some("t_noeud.nd_code")
    );
    let local = schema.table("t_local").expect("t_local");
    assert_eq!(local.primary_key, ["lc_code"]);
    assert_eq!(
        local
            .column("lc_st_code")
            .and_then(|c| c.references.as_deref()),
        Some("t_site.st_code")
    );
    assert_eq!(
        local.column("lc_typelog").and_then(|c| c.list.as_deref()),
        Some("l_local_type_log")
    );
    // Boxes and racks hang off locals.
    for (table, col) in [("t_ebp", "bp_lc_code"), ("t_baie", "ba_lc_code")] {
        assert_eq!(
            schema
                .table(table)
                .and_then(|t| t.column(col))
                .and_then(|c| c.references.as_deref()),
            Some("t_local.lc_code"),
            "{table}.{col}"
        );
    }
}

#[test]
fn address_states_gain_rd_and_rc_and_booleans_are_a_0_1_list() {
    let schema = v3();
    let states = schema.list("l_adresse_etat").expect("l_adresse_etat");
    for code in ["CI", "RD", "RC", "SI", "EC", "DE", "AB"] {
        assert!(states.contains(code), "{code}");
    }
    assert_eq!(states.label("RD"), Some("RACCORDABLE DEMANDE"));
    assert_eq!(states.code_len, Some(2));
    let ad_ietat = schema
        .table("t_adresse")
        .and_then(|t| t.column("ad_ietat"))
        .expect("ad_ietat");
    assert_eq!(ad_ietat.list.as_deref(), Some("l_adresse_etat"));

    let bools = schema.list("l_bool").expect("l_bool");
    let codes: Vec<_> = bools.values.iter().map(|v| v.code.as_str()).collect();
    assert_eq!(codes, ["0", "1"]);
    let isole = schema
        .table("t_adresse")
        .and_then(|t| t.column("ad_isole"))
        .expect("ad_isole");
    assert_eq!(isole.ty, ColumnType::Text { len: 1 });
    assert_eq!(isole.list.as_deref(), Some("l_bool"));
}

#[test]
fn types_labels_and_uniqueness_come_through() {
    let schema = v3();
    let cable = schema.table("t_cable").expect("t_cable");
    assert_eq!(cable.label, "Cable");
    let capa = cable.column("cb_capafo").expect("cb_capafo");
    assert_eq!(capa.ty, ColumnType::Integer);
    assert!(capa.label.starts_with("Capacité du câble"));
    assert_eq!(
        cable.column("cb_lgreel").map(|c| c.ty),
        Some(ColumnType::Numeric {
            precision: Some(7),
            scale: Some(2)
        })
    );
    assert!(cable.column("cb_etiquet").is_some_and(|c| c.unique));
    assert_eq!(
        schema
            .table("t_love")
            .and_then(|t| t.column("lv_id"))
            .map(|c| c.ty),
        Some(ColumnType::Bigint)
    );
    assert_eq!(
        schema
            .table("t_adresse")
            .and_then(|t| t.column("ad_datmodi"))
            .map(|c| c.ty),
        Some(ColumnType::Date)
    );
    assert_eq!(
        schema.table("t_pointaccueil").map(|t| t.label.as_str()),
        Some("PointAccueil")
    );
}

/// The fields the engine does not deserialize yet: the O/C/N obligation per container, on tables and columns.
#[test]
fn obligations_per_container_are_in_the_file() {
    let path = workspace_root().join("gracethd/v3/model.json");
    let text = std::fs::read_to_string(&path).expect("gracethd/v3/model.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let ok = |levels: &serde_json::Value| {
        ["c1", "c2", "c3", "c4"].iter().all(|c| {
            matches!(
                levels.get(c).and_then(|v| v.as_str()),
                Some("O" | "C" | "N")
            )
        })
    };
    let tables = doc["tables"].as_array().expect("tables");
    for table in tables {
        assert!(ok(&table["levels"]), "{}", table["name"]);
        for col in table["columns"].as_array().expect("columns") {
            assert!(ok(&col["levels"]), "{}.{}", table["name"], col["name"]);
        }
    }
    let find = |name: &str| {
        tables
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let levels = |v: &serde_json::Value| {
        ["c1", "c2", "c3", "c4"]
            .map(|c| v["levels"][c].as_str().unwrap_or_default().to_owned())
            .concat()
    };
    assert_eq!(levels(find("t_love")), "NCCC");
    assert_eq!(levels(find("t_fibre")), "NNOO");
    let ad_code = find("t_adresse")["columns"]
        .as_array()
        .and_then(|cols| cols.iter().find(|c| c["name"] == "ad_code"))
        .expect("ad_code");
    assert_eq!(levels(ad_code), "OOOO");
}

fn header(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let first = text.lines().next().unwrap_or_default();
    first
        .trim_start_matches('\u{feff}')
        .trim_end_matches('\r')
        .split(';')
        .map(|f| f.trim().to_ascii_lowercase())
        .collect()
}

#[test]
fn the_anct_v3_0_sample_tables_are_in_the_model_with_known_column_differences() {
    let dir = sample_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{} (shared samples beside the project): {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 14, "{}", dir.display());

    let schema = v3();
    let mut absent = BTreeSet::new();
    for file in &files {
        let name = file.file_stem().and_then(|s| s.to_str()).expect("name");
        let table = schema
            .table(name)
            .unwrap_or_else(|| panic!("{name} is not a v3 table"));
        assert_eq!(table.format, TableFormat::Csv, "{name}");
        for field in header(file) {
            if table.column(&field).is_none() {
                absent.insert(format!("{name}.{field}"));
            }
        }
    }
    // v3.0 columns the v3.0.1 exchange subset does not carry.
    let expected: BTreeSet<String> = [
        "t_cable.cb_r4_code",
        "t_cable.cb_user",
        "t_ptech.pt_typelog",
        "t_site.st_hexacle",
    ]
    .map(String::from)
    .into();
    assert_eq!(absent, expected);
}

#[test]
fn the_committed_model_is_what_the_generator_makes() {
    let root = workspace_root();
    let output = match Command::new("python3")
        .arg(root.join("scripts/gen_gracethd_v3.py"))
        .arg("--check")
        .current_dir(&root)
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            println!("skipped: python3 is not available ({e})");
            return;
        }
    };
    assert!(
        output.status.success(),
        "scripts/gen_gracethd_v3.py --check failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
