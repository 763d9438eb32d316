//! The cells of the row being read, before they are appended to a table's arena.
//!
//! Most cells of a delivery are ASCII or UTF-8 already: they are borrowed straight from the file's bytes and
//! copied once, into the [`thd_model::RawTableBuilder`] arena. Only cells that need converting (a legacy code
//! page, a dBase date) are written to a per-row scratch buffer first.

use encoding_rs::{Encoding, UTF_8};
use std::borrow::Cow;

/// One cell of the current row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Empty: NULL.
    Null,
    /// Text borrowed from the file.
    Borrowed(&'a str),
    /// Text at this byte range of the row's scratch buffer.
    Scratch(usize, usize),
}

impl<'a> Piece<'a> {
    /// The text of the cell; `scratch` is the buffer `Scratch` ranges point into.
    pub(crate) fn text<'s>(self, scratch: &'s str) -> Option<&'s str>
    where
        'a: 's,
    {
        match self {
            Self::Null => None,
            Self::Borrowed(text) => Some(text).filter(|t| !t.is_empty()),
            Self::Scratch(from, to) => scratch.get(from..to).filter(|t| !t.is_empty()),
        }
    }

    /// Decodes `raw` in `encoding`: borrowed when the bytes are already the text, else appended to `scratch`.
    /// `None` only for UTF-8 bytes that are not valid UTF-8 (every byte is valid in the other encodings used).
    pub(crate) fn decode(
        scratch: &mut String,
        raw: &'a [u8],
        encoding: &'static Encoding,
    ) -> Option<Self> {
        if raw.is_empty() {
            return Some(Self::Null);
        }
        if encoding == UTF_8 {
            return std::str::from_utf8(raw).ok().map(Self::Borrowed);
        }
        match encoding.decode_without_bom_handling(raw).0 {
            Cow::Borrowed(text) => Some(Self::Borrowed(text)),
            Cow::Owned(text) => {
                let from = scratch.len();
                scratch.push_str(&text);
                Some(Self::Scratch(from, scratch.len()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::WINDOWS_1252;

    #[test]
    fn ascii_and_utf8_are_borrowed_legacy_text_goes_to_scratch() {
        let mut scratch = String::new();
        let utf8 = Piece::decode(&mut scratch, "été".as_bytes(), UTF_8);
        assert_eq!(utf8, Some(Piece::Borrowed("été")));
        assert_eq!(Piece::decode(&mut scratch, b"\xe9t\xe9", UTF_8), None);
        let ascii = Piece::decode(&mut scratch, b"abc", WINDOWS_1252);
        assert_eq!(ascii, Some(Piece::Borrowed("abc")));
        let legacy = Piece::decode(&mut scratch, b"\xe9t\xe9", WINDOWS_1252).expect("1252");
        assert_eq!(legacy.text(&scratch), Some("été"));
        assert_eq!(Piece::decode(&mut scratch, b"", UTF_8), Some(Piece::Null));
    }
}
