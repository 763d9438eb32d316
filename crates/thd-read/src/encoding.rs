//! Text encodings of delivered files: what a `.cpg` or a DBF header declares, and decoding with a fallback.
//!
//! GraceTHD promises UTF-8, but deliveries exported from Windows GIS tools are often Windows-1252, declared or
//! not. The rule everywhere is the same: a declared encoding is trusted; undeclared text that is valid UTF-8 is
//! UTF-8 (the odds of Windows-1252 accented text forming valid multi-byte UTF-8 are negligible); anything else is
//! read as Windows-1252 and reported. `encoding_rs` does the decoding; only the label mapping is written here,
//! because `.cpg` files and DBF language-driver ids use names and numbers WHATWG labels do not know.

use encoding_rs::{
    Encoding, IBM866, UTF_8, WINDOWS_1250, WINDOWS_1251, WINDOWS_1252, WINDOWS_1253, WINDOWS_1254,
};
use std::borrow::Cow;

/// The encoding a `.cpg` file declares (`UTF-8`, `1252`, `ANSI 1252`, `CP1252`, `ISO-8859-1`...), if understood.
///
/// Only ASCII-compatible encodings are accepted: DBF fields are fixed-width byte slices whose padding is ASCII,
/// so a UTF-16 declaration can only be a mistake.
pub fn from_cpg(content: &[u8]) -> Option<&'static Encoding> {
    let text = String::from_utf8_lossy(content);
    let label = text
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_uppercase();
    let label = label.strip_prefix("ANSI").unwrap_or(&label).trim();
    let by_code_page = label
        .strip_prefix("CP")
        .or_else(|| label.strip_prefix("WINDOWS-"))
        .or_else(|| label.strip_prefix("WINDOWS"))
        .unwrap_or(label);
    let encoding = match by_code_page {
        "UTF-8" | "UTF8" | "65001" => Some(UTF_8),
        "1250" => Some(WINDOWS_1250),
        "1251" => Some(WINDOWS_1251),
        "1252" | "88591" | "8859_1" | "8859-1" | "LATIN1" => Some(WINDOWS_1252),
        "1253" => Some(WINDOWS_1253),
        "1254" => Some(WINDOWS_1254),
        "866" => Some(IBM866),
        // `ISO-8859-1`, `ISO-8859-15`, `KOI8-R`...: WHATWG labels (ISO-8859-1 decodes as Windows-1252, a superset).
        _ => Encoding::for_label(label.as_bytes()),
    };
    encoding.filter(|e| e.is_ascii_compatible())
}

/// The encoding a DBF header's language-driver id (byte 29) declares, if it is one `encoding_rs` can decode.
///
/// Ids from the dBase/ESRI table; DOS code pages 437 and 850 (ids 0x01, 0x02) have no decoder in `encoding_rs`
/// and are left to detection, as is 0 (nothing declared).
pub fn from_language_driver(id: u8) -> Option<&'static Encoding> {
    match id {
        0x03 | 0x57 | 0x58 | 0x59 => Some(WINDOWS_1252),
        0x26 | 0x65 => Some(IBM866),
        0xC8 => Some(WINDOWS_1250),
        0xC9 => Some(WINDOWS_1251),
        0xCA => Some(WINDOWS_1254),
        0xCB => Some(WINDOWS_1253),
        _ => None,
    }
}

/// Decodes `bytes` in `encoding`, borrowing when no conversion is needed.
///
/// For UTF-8, bytes that are not valid UTF-8 (only possible for text that failed whole-file validation, or a
/// fixed-width field cutting a character) are read as Windows-1252 rather than replaced, so no byte is lost.
pub fn decode<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    if encoding == UTF_8 {
        match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => WINDOWS_1252.decode_without_bom_handling(bytes).0,
        }
    } else {
        encoding.decode_without_bom_handling(bytes).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpg_labels_seen_in_deliveries_are_understood() {
        for (label, expected) in [
            ("UTF-8", UTF_8),
            ("utf8\r\n", UTF_8),
            ("65001", UTF_8),
            ("1252", WINDOWS_1252),
            ("CP1252", WINDOWS_1252),
            ("ANSI 1252", WINDOWS_1252),
            ("Windows-1252", WINDOWS_1252),
            ("ISO-8859-1", WINDOWS_1252),
            ("8859_1", WINDOWS_1252),
            ("ISO-8859-15", encoding_rs::ISO_8859_15),
            ("1250", WINDOWS_1250),
        ] {
            assert_eq!(from_cpg(label.as_bytes()), Some(expected), "{label}");
        }
        assert_eq!(from_cpg(b"gibberish"), None);
        assert_eq!(from_cpg(b"UTF-16LE"), None, "not ASCII-compatible");
        assert_eq!(from_cpg(b""), None);
    }

    #[test]
    fn language_driver_ids_map_to_code_pages() {
        assert_eq!(from_language_driver(0x57), Some(WINDOWS_1252));
        assert_eq!(from_language_driver(0xC9), Some(WINDOWS_1251));
        assert_eq!(from_language_driver(0), None);
        assert_eq!(from_language_driver(0x02), None, "CP850 has no decoder");
    }

    #[test]
    fn decoding_keeps_every_byte() {
        assert_eq!(decode(UTF_8, "Château".as_bytes()), "Château");
        assert_eq!(decode(WINDOWS_1252, b"Ch\xe2teau"), "Château");
        // Invalid UTF-8 declared as UTF-8 still yields the Windows-1252 reading, not U+FFFD.
        assert_eq!(decode(UTF_8, b"Ch\xe2teau"), "Château");
    }
}
