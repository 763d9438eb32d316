//! No CSV text makes an import panic: it is accepted or rejected with located errors.

use std::sync::OnceLock;

use proptest::prelude::*;
use thd_services::{Catalogue, ServicesError};

fn check(bytes: &[u8]) {
    static BASE: OnceLock<Catalogue> = OnceLock::new();
    let base = BASE.get_or_init(|| Catalogue::shipped().expect("the shipped catalogue is valid"));
    for kind in 0..3 {
        let mut cat = base.clone();
        let before = cat.clone();
        let result = match kind {
            0 => cat.import_bodies(bytes, "x.csv"),
            1 => cat.import_subscriptions(bytes, "x.csv"),
            _ => cat.import_usage(bytes, "x.csv"),
        };
        match result {
            Ok(_) => {}
            Err(ServicesError::InvalidCsv(report)) => {
                assert!(!report.errors.is_empty());
                assert!(
                    report
                        .errors
                        .iter()
                        .all(|e| e.line >= 1 && e.file == "x.csv")
                );
                assert_eq!(cat, before, "a rejected file changes nothing");
            }
            Err(other) => panic!("unexpected error {other}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes);
    }

    /// Text built from the characters CSV cares about, after a valid header, to reach the row checks.
    #[test]
    fn csv_like_text(
        header in prop::sample::select(vec![
            "id;kind;name;insee;siren;epci;population;sample\n",
            "body;service;since\n",
            "indicator,year,value\n",
        ]),
        body in "[a-z0-9;,\"\n\r 2AB\u{a0}é-]{0,300}",
    ) {
        check(format!("{header}{body}").as_bytes());
    }
}
