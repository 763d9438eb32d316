//! Parsing of cell text into typed values, tolerant of the spellings real deliveries use.
//!
//! Each parser accepts what the standard asks plus the variants seen in the field (booleans as `t`/`f`/`0`/`1`/
//! `true`/`false`, dates as `YYYY-MM-DD` or `DD/MM/YYYY`, a DBF `D` field's `YYYYMMDD`, a timestamp where a date
//! is expected) and returns `None` for anything else, so the caller decides how to report it. Dates are parsed
//! by hand rather than with `chrono`'s format strings: trying several formats one after the other through
//! `NaiveDate::parse_from_str` costs a failed parse per format on every cell, and these are the hottest loops of
//! an import.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// An integer cell: `12`, `-3`, `+4`, or a DBF numeric with a zero fraction (`12.000`).
pub fn parse_integer(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(value) = text.parse::<i64>() {
        return Some(value);
    }
    let (whole, fraction) = text.split_once('.')?;
    if fraction.is_empty() || !fraction.bytes().all(|b| b == b'0') {
        return None;
    }
    whole.parse().ok()
}

/// A decimal cell with a `.` separator (`12.5`, `-0.25`, `3`). Non-finite values are refused.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    // `f64::from_str` accepts `inf`, `NaN` and `1e5`; only plain decimals are values a delivery may hold.
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A boolean cell, in any of the spellings GIS tools and the two model versions use.
pub fn parse_boolean(text: &str) -> Option<bool> {
    match text.trim() {
        "t" | "T" | "1" | "true" | "TRUE" | "True" | "y" | "Y" | "o" | "O" | "oui" | "OUI"
        | "Oui" => Some(true),
        "f" | "F" | "0" | "false" | "FALSE" | "False" | "n" | "N" | "non" | "NON" | "Non" => {
            Some(false)
        }
        _ => None,
    }
}

/// A date cell: `YYYY-MM-DD`, `YYYY/MM/DD`, `DD/MM/YYYY`, `DD-MM-YYYY` or `YYYYMMDD`, optionally followed by a
/// time (which is ignored: a date column holds a day).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let day_part = text.split([' ', 'T']).next().unwrap_or(text);
    let bytes = day_part.as_bytes();
    let (year, month, day) = match bytes {
        [y0, y1, y2, y3, s1, m0, m1, s2, d0, d1] if matches!(s1, b'-' | b'/') && s1 == s2 => (
            digits(&[*y0, *y1, *y2, *y3])?,
            digits(&[*m0, *m1])?,
            digits(&[*d0, *d1])?,
        ),
        [d0, d1, s1, m0, m1, s2, y0, y1, y2, y3] if matches!(s1, b'-' | b'/') && s1 == s2 => (
            digits(&[*y0, *y1, *y2, *y3])?,
            digits(&[*m0, *m1])?,
            digits(&[*d0, *d1])?,
        ),
        [y0, y1, y2, y3, m0, m1, d0, d1] => (
            digits(&[*y0, *y1, *y2, *y3])?,
            digits(&[*m0, *m1])?,
            digits(&[*d0, *d1])?,
        ),
        _ => return None,
    };
    let year = i32::try_from(year).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A timestamp cell: a date as [`parse_date`] reads it, optionally followed by ` HH:MM[:SS[.fff]]` (or `T`).
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    let date = parse_date(text)?;
    let time = match text.split_once([' ', 'T']) {
        None => NaiveTime::MIN,
        Some((_, time)) => parse_time(time.trim().trim_end_matches('Z'))?,
    };
    Some(date.and_time(time))
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, by hand for the same reason as dates: every row of a region-scale
/// delivery has two timestamps (`*_creadat`, `*_majdate`).
fn parse_time(text: &str) -> Option<NaiveTime> {
    let (clock, fraction) = text.split_once('.').unwrap_or((text, ""));
    let (hour, minute, second) = match clock.as_bytes() {
        [h0, h1, b':', m0, m1] => (digits(&[*h0, *h1])?, digits(&[*m0, *m1])?, 0),
        [h0, h1, b':', m0, m1, b':', s0, s1] => (
            digits(&[*h0, *h1])?,
            digits(&[*m0, *m1])?,
            digits(&[*s0, *s1])?,
        ),
        _ => return None,
    };
    let nanos = match fraction.len() {
        0 => 0,
        1..=9 => digits(fraction.as_bytes())? * 10u32.pow(9 - fraction.len() as u32),
        _ => return None,
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers_accept_dbf_fractions_of_zero_only() {
        assert_eq!(parse_integer("12"), Some(12));
        assert_eq!(parse_integer(" -3 "), Some(-3));
        assert_eq!(parse_integer("12.000"), Some(12));
        assert_eq!(parse_integer("12.5"), None);
        assert_eq!(parse_integer("12."), None);
        assert_eq!(parse_integer("douze"), None);
        assert_eq!(parse_integer(""), None);
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(parse_number("12.5"), Some(12.5));
        assert_eq!(parse_number("-0.25"), Some(-0.25));
        assert_eq!(parse_number("12,5"), None, "decimal comma is a defect");
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("1e5"), None);
    }

    #[test]
    fn booleans_in_every_spelling_seen() {
        for yes in ["t", "T", "1", "true", "TRUE", "oui", "O"] {
            assert_eq!(parse_boolean(yes), Some(true), "{yes}");
        }
        for no in ["f", "F", "0", "false", "FALSE", "non", "N"] {
            assert_eq!(parse_boolean(no), Some(false), "{no}");
        }
        assert_eq!(parse_boolean("peut-être"), None);
        assert_eq!(parse_boolean("2"), None);
    }

    #[test]
    fn dates_in_iso_french_and_dbf_forms() {
        let d = NaiveDate::from_ymd_opt(2019, 5, 8).unwrap();
        assert_eq!(parse_date("2019-05-08"), Some(d));
        assert_eq!(parse_date("2019/05/08"), Some(d));
        assert_eq!(parse_date("08/05/2019"), Some(d));
        assert_eq!(parse_date("08-05-2019"), Some(d));
        assert_eq!(parse_date("20190508"), Some(d));
        assert_eq!(parse_date("2019-05-08 00:00:00"), Some(d));
        assert_eq!(parse_date("2019-02-30"), None, "no 30 February");
        assert_eq!(parse_date("2019-05/08"), None, "mixed separators");
        assert_eq!(parse_date("8/5/2019"), None);
        assert_eq!(parse_date("hier"), None);
    }

    #[test]
    fn timestamps_with_and_without_time() {
        let t = parse_timestamp("2015-06-01 13:45:10").unwrap();
        assert_eq!(t.to_string(), "2015-06-01 13:45:10");
        assert_eq!(
            parse_timestamp("01/06/2015").unwrap().to_string(),
            "2015-06-01 00:00:00"
        );
        assert_eq!(
            parse_timestamp("2015-06-01T13:45").unwrap().to_string(),
            "2015-06-01 13:45:00"
        );
        assert_eq!(parse_timestamp("2015-06-01 25:00:00"), None);
        assert_eq!(
            parse_timestamp("2015-06-01 13:45:10.250")
                .unwrap()
                .to_string(),
            "2015-06-01 13:45:10.250"
        );
        assert_eq!(parse_timestamp("2015-06-01 13:45:1"), None);
        assert_eq!(parse_timestamp("2015-06-01 13h45"), None);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in "\\PC{0,24}") {
            let _ = parse_integer(&text);
            let _ = parse_number(&text);
            let _ = parse_boolean(&text);
            let _ = parse_date(&text);
            let _ = parse_timestamp(&text);
        }

        #[test]
        fn every_valid_date_round_trips(days in 0i64..80_000) {
            let date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(days as u64);
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Some(date));
            prop_assert_eq!(parse_date(&date.format("%d/%m/%Y").to_string()), Some(date));
            prop_assert_eq!(parse_date(&date.format("%Y%m%d").to_string()), Some(date));
        }
    }
}
