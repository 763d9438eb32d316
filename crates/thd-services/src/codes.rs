//! The official identifiers a public body carries: INSEE codes (commune, department, region) and SIREN numbers.
//!
//! They are checked on import because a wrong code silently breaks the link between the catalogue and the
//! fibre rollout (a commune is found by its INSEE code on the dashboard), and a SIREN typed with one wrong digit
//! still looks plausible unless its check digit is verified.

use std::fmt;

use serde::Serialize;

/// A commune's INSEE code: five digits, or `2A`/`2B` followed by three digits for Corsica.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct InseeCode(String);

impl InseeCode {
    /// Parses a commune code; `None` when `text` is not one.
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let corsica = b.len() == 5 && b[0] == b'2' && matches!(b[1], b'A' | b'B');
        let ok = b.len() == 5
            && (b.iter().all(u8::is_ascii_digit) || corsica)
            && b[2..].iter().all(u8::is_ascii_digit);
        ok.then(|| InseeCode(text.to_owned()))
    }

    /// The code of the department the commune lies in: 3 characters overseas (`97x`), else 2.
    pub fn department(&self) -> &str {
        if self.0.starts_with("97") {
            &self.0[..3]
        } else {
            &self.0[..2]
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InseeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `text` is a department code: `01`–`95` (without `20`), `2A`, `2B`, or `971`–`976`.
pub fn is_department_code(text: &str) -> bool {
    match text.as_bytes() {
        [b'2', b'A' | b'B'] => true,
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            !matches!(text, "00" | "20" | "96" | "97" | "98" | "99")
        }
        [b'9', b'7', c] => (b'1'..=b'6').contains(c),
        _ => false,
    }
}

/// Whether `text` is a region code: two digits (`01`–`06` overseas, `11`–`94` in mainland France).
pub fn is_region_code(text: &str) -> bool {
    text.len() == 2 && text.bytes().all(|b| b.is_ascii_digit()) && text != "00"
}

/// A SIREN number: nine digits whose Luhn checksum is valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Siren(String);

impl Siren {
    /// Parses a SIREN, tolerating the spaces it is often printed with (`233 500 016`); `None` when it is not
    /// nine digits or its check digit is wrong.
    pub fn parse(text: &str) -> Option<Self> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) && luhn_valid(&digits))
            .then_some(Siren(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Siren {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Luhn check of a string of ASCII digits: from the right, every second digit is doubled (minus 9 above 9)
/// and the sum must be a multiple of 10.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commune_codes() {
        for ok in ["29019", "35238", "2A004", "2B033", "97411"] {
            assert!(InseeCode::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "2901", "290190", "2C004", "2A0B4", "29 19", "", "A9019", "3A004",
        ] {
            assert!(InseeCode::parse(bad).is_none(), "{bad}");
        }
        assert_eq!(
            InseeCode::parse("29019").map(|c| c.department().to_owned()),
            Some("29".into())
        );
        assert_eq!(
            InseeCode::parse("97411").map(|c| c.department().to_owned()),
            Some("974".into())
        );
        assert_eq!(
            InseeCode::parse("2A004").map(|c| c.department().to_owned()),
            Some("2A".into())
        );
    }

    #[test]
    fn department_and_region_codes() {
        for ok in ["22", "29", "35", "56", "2A", "2B", "971", "976", "01", "95"] {
            assert!(is_department_code(ok), "{ok}");
        }
        for bad in ["20", "00", "2C", "977", "3", "290", ""] {
            assert!(!is_department_code(bad), "{bad}");
        }
        assert!(is_region_code("53"));
        assert!(!is_region_code("5"));
        assert!(!is_region_code("5A"));
    }

    #[test]
    fn siren_luhn() {
        // The Region's SIREN, with and without the usual spaces.
        assert!(Siren::parse("233500016").is_some());
        assert_eq!(
            Siren::parse("233 500 016").map(|s| s.to_string()),
            Some("233500016".into())
        );
        // One digit changed, two digits swapped, wrong lengths, letters.
        for bad in [
            "233500017",
            "235300016",
            "23350001",
            "2335000160",
            "23350001A",
            "",
        ] {
            assert!(Siren::parse(bad).is_none(), "{bad}");
        }
    }
}
