//! `thd services` from the command line: usage growth computed from the figures, the contribution bands, and an
//! all-or-nothing import that names every bad line.

use std::process::{Command, Output};

fn thd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thd"))
        .args(args)
        .env_remove("THD_DB")
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let output = thd(args);
    assert!(
        output.status.success(),
        "thd {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).unwrap()
}

#[test]
fn usage_gives_the_archives_growth_computed_from_the_published_counts() {
    let table = ok(&["services", "usage", "archiving"]);
    let line = table
        .lines()
        .find(|l| l.contains("archives-deposited") && l.contains("2019"))
        .unwrap_or_else(|| panic!("no 2019 archives line in\n{table}"));
    assert!(line.contains("×4.2"), "{line}");
    assert!(line.contains("673 365"), "{line}");

    let series = json(&["services", "usage", "--format", "json"]);
    let archives = series
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["indicator"]["id"] == "archives-deposited")
        .unwrap();
    let ratio = archives["points"][1]["growth"]["ratio"].as_f64().unwrap();
    assert!((ratio - 673_365.0 / 159_631.0).abs() < 1e-12, "{ratio}");

    let csv = ok(&["services", "usage", "archiving", "--format", "csv"]);
    assert_eq!(csv.lines().next(), Some("indicator;year;value;growth"));
    assert_eq!(csv.lines().count(), 3, "{csv}");
}

#[test]
fn the_2016_contribution_runs_from_400_to_30_000_euros() {
    let smallest = json(&[
        "services",
        "contribution",
        "--population",
        "0",
        "--year",
        "2016",
        "--format",
        "json",
    ]);
    assert_eq!(smallest["annual_eur"], 400);
    assert_eq!(smallest["band"]["published"], true);
    let metropolis = json(&[
        "services",
        "contribution",
        "--population",
        "210000",
        "--year",
        "2016",
        "--format",
        "json",
    ]);
    assert_eq!(metropolis["annual_eur"], 30_000);
    let text = ok(&[
        "services",
        "contribution",
        "--population",
        "9999",
        "--year",
        "2016",
    ]);
    assert!(text.contains("400 € par an en 2016"), "{text}");
    let text = ok(&[
        "services",
        "contribution",
        "--population",
        "1000000",
        "--year",
        "2016",
    ]);
    assert!(text.contains("30 000 € par an"), "{text}");

    // An EPCI of the catalogue pays by its own population; a year without tariff is refused.
    let epci = json(&[
        "services",
        "contribution",
        "--epci",
        "epci-loudeac",
        "--year",
        "2016",
        "--format",
        "json",
    ]);
    assert_eq!(epci["population"], 51_000);
    assert_eq!(epci["annual_eur"], 6_000);
    let refused = thd(&[
        "services",
        "contribution",
        "--population",
        "5000",
        "--year",
        "2031",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("2031"));
}

#[test]
fn a_bad_bodies_file_names_every_bad_line_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.gpkg");
    let db = db.to_str().unwrap();
    let counts =
        |db: &str| json(&["services", "list", "--db", db, "--format", "json"])["counts"].clone();

    // A new store is created and given the shipped catalogue.
    let before = counts(db);
    assert_eq!(
        before,
        json(&["services", "list", "--format", "json"])["counts"]
    );
    assert!(before["bodies"].as_u64().unwrap() > 100);

    let bad = dir.path().join("bodies.csv");
    std::fs::write(
        &bad,
        "id;kind;name;insee;siren;epci;population;sample\n\
         epci-new;epci;Nouvelle communauté;;;;12000;no\n\
         commune-a;commune;A;2227;;epci-new;;no\n\
         commune-b;kommune;B;22001;;;;no\n\
         commune-c;commune;C;22002;;epci-new;;no\n\
         commune-d;commune;D;22003;123456789;epci-new;;no\n",
    )
    .unwrap();
    let output = thd(&[
        "services",
        "import",
        "bodies",
        bad.to_str().unwrap(),
        "--db",
        db,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let file = bad.display().to_string();
    for (line, column) in [(3, "insee"), (4, "kind"), (6, "siren")] {
        assert!(
            stderr.contains(&format!("{file}:{line}: column {column}:")),
            "line {line} ({column}) not reported in\n{stderr}"
        );
    }
    assert!(!stderr.contains(&format!("{file}:2:")), "{stderr}");
    assert!(!stderr.contains(&format!("{file}:5:")), "{stderr}");
    assert_eq!(counts(db), before, "nothing of the file was stored");

    // The same rows, fixed, go in; export gives them back.
    std::fs::write(
        &bad,
        "id;kind;name;insee;siren;epci;population;sample\n\
         epci-new;epci;Nouvelle communauté;;;;12000;no\n\
         commune-c;commune;C;22002;;epci-new;;no\n",
    )
    .unwrap();
    let out = ok(&[
        "services",
        "import",
        "bodies",
        bad.to_str().unwrap(),
        "--db",
        db,
    ]);
    assert!(out.contains("2 organismes importés"), "{out}");
    let after = counts(db);
    assert_eq!(
        after["bodies"].as_u64(),
        before["bodies"].as_u64().map(|n| n + 2)
    );
    let exported = ok(&["services", "export", "bodies", "--db", db]);
    assert!(
        exported.contains("commune-c;commune;C;22002;;epci-new;;no"),
        "{exported}"
    );
    let contribution = json(&[
        "services",
        "contribution",
        "--epci",
        "epci-new",
        "--year",
        "2016",
        "--format",
        "json",
        "--db",
        db,
    ]);
    assert_eq!(contribution["annual_eur"], 1_000);
}

#[test]
fn a_commune_uses_the_services_of_its_epci() {
    let used = json(&["services", "commune", "22278", "--format", "json"]);
    let used = used.as_array().unwrap();
    assert!(!used.is_empty());
    // Saint-Brieuc subscribes to nothing itself: every service comes through its agglomeration.
    for u in used {
        assert_eq!(u["through"][0]["id"], "epci-saint-brieuc-armor", "{u}");
    }
    let unknown = thd(&["services", "commune", "99999"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("99999"));
}
