//! Reading the text of a cell as the typed value a format needs: number, boolean, date.
//!
//! Cells of a raw table are text in the forms deliveries use (`t`/`f` or `T`/`F`, `2015-05-28` or `28/05/2015`);
//! the DBF and GeoPackage writers need one form per type.

/// A decimal number as dBase stores it: sign, digits, optional fraction and exponent.
pub(crate) fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (s, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    !(int.is_empty() && frac.is_empty())
        && digits(int)
        && digits(frac)
        && exponent.is_none_or(|e| !e.is_empty() && digits(e))
}

/// A boolean cell: GraceTHD CSV writes `t`/`f`, DBF readers give `T`/`F`, people write `oui`/`non`.
pub(crate) fn logical(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "1" | "y" | "yes" | "o" | "oui" => Some(true),
        "f" | "false" | "0" | "n" | "no" | "non" => Some(false),
        _ => None,
    }
}

/// A date cell as `YYYYMMDD`, from the forms deliveries use: `YYYY-MM-DD` (with or without a time), `YYYYMMDD`,
/// `DD/MM/YYYY`. The digits are not checked against the calendar: an impossible date stays visible to checks.
pub(crate) fn date(s: &str) -> Option<[u8; 8]> {
    let s = s.trim().as_bytes();
    let digits = |b: &[u8]| b.iter().all(u8::is_ascii_digit);
    let mut out = [0u8; 8];
    match s {
        _ if s.len() == 8 && digits(s) => out.copy_from_slice(s),
        [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, rest @ ..]
            if rest.is_empty() || rest[0] == b' ' || rest[0] == b'T' =>
        {
            out = [*y0, *y1, *y2, *y3, *m0, *m1, *d0, *d1];
        }
        [d0, d1, b'/', m0, m1, b'/', y0, y1, y2, y3] => {
            out = [*y0, *y1, *y2, *y3, *m0, *m1, *d0, *d1];
        }
        _ => return None,
    }
    digits(&out).then_some(out)
}

/// A date cell as GeoPackage's ISO 8601 `YYYY-MM-DD`, from the forms [`date`] reads.
pub(crate) fn iso_date(s: &str) -> Option<String> {
    let digits = date(s)?;
    let mut iso = String::with_capacity(10);
    for (i, &b) in digits.iter().enumerate() {
        if i == 4 || i == 6 {
            iso.push('-');
        }
        iso.push(char::from(b));
    }
    Some(iso)
}

/// A timestamp cell (`YYYY-MM-DD HH:MM:SS`, the form of GraceTHD files, or with a `T`, a fraction, a `Z`) as
/// GeoPackage's `YYYY-MM-DDTHH:MM:SS.SSS`, which GDAL reads without complaint. The `Z` (UTC) is kept only when
/// given: GraceTHD times carry no zone, and claiming UTC would shift them. Digits past milliseconds are dropped.
pub(crate) fn iso_timestamp(s: &str) -> Option<String> {
    let s = s.trim();
    let (s, utc) = s.strip_suffix('Z').map_or((s, false), |rest| (rest, true));
    let bytes = s.as_bytes();
    let (main, fraction) = bytes.split_at_checked(19)?;
    let shaped = main.iter().enumerate().all(|(i, &c)| match i {
        4 | 7 => c == b'-',
        10 => c == b' ' || c == b'T',
        13 | 16 => c == b':',
        _ => c.is_ascii_digit(),
    });
    let fraction = match fraction {
        [] => "",
        [b'.', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            &s[20..]
        }
        _ => return None,
    };
    if !shaped {
        return None;
    }
    let millis: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(3)
        .collect();
    let zone = if utc { "Z" } else { "" };
    Some(format!("{}T{}.{millis}{zone}", &s[..10], &s[11..19]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_decimal_text() {
        for ok in ["0", "-12", "25.00", ".5", "1.", "+3e-2", "1E10"] {
            assert!(is_number(ok), "{ok}");
        }
        for bad in ["", "-", ".", "1,5", "abc", "1e", "1.2.3", "0x10", " 1"] {
            assert!(!is_number(bad), "{bad}");
        }
    }

    #[test]
    fn dates_come_from_the_forms_deliveries_use() {
        assert_eq!(date("2015-05-28"), Some(*b"20150528"));
        assert_eq!(date("2015-05-28 00:00:00"), Some(*b"20150528"));
        assert_eq!(date("20150528"), Some(*b"20150528"));
        assert_eq!(date("28/05/2015"), Some(*b"20150528"));
        assert_eq!(date("2015-13-45"), Some(*b"20151345"));
        assert_eq!(date("28/05/15"), None);
        assert_eq!(date("yesterday"), None);
    }

    #[test]
    fn booleans_accept_csv_and_dbf_spellings() {
        assert_eq!(logical("t"), Some(true));
        assert_eq!(logical("FALSE"), Some(false));
        assert_eq!(logical("maybe"), None);
    }

    #[test]
    fn timestamps_take_the_geopackage_form_without_inventing_a_zone() {
        assert_eq!(
            iso_timestamp("2015-05-28 00:00:00").as_deref(),
            Some("2015-05-28T00:00:00.000")
        );
        assert_eq!(
            iso_timestamp("2015-05-28T13:04:05.5Z").as_deref(),
            Some("2015-05-28T13:04:05.500Z")
        );
        assert_eq!(iso_timestamp("2015-05-28"), None);
        assert_eq!(iso_timestamp("2015-05-28 00:00:00+02"), None);
        assert_eq!(iso_date("28/05/2015").as_deref(), Some("2015-05-28"));
    }
}
