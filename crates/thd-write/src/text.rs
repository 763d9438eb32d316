//! Text to bytes in the delivery's encoding, and cutting to a fixed width without breaking a character.

use encoding_rs::{EncoderResult, WINDOWS_1252};
use std::borrow::Cow;

use crate::TextEncoding;

impl TextEncoding {
    /// The bytes of `text` in this encoding. ASCII text (nearly all GraceTHD codes) is borrowed, not copied.
    ///
    /// Windows-1252 lacks most of Unicode: a missing character becomes `?`, as GIS tools do, rather than the
    /// HTML character reference `encoding_rs` would write by default (`&#8364;` would be read back as data).
    pub(crate) fn encode(self, text: &str) -> Cow<'_, [u8]> {
        if self == TextEncoding::Utf8 || text.is_ascii() {
            return Cow::Borrowed(text.as_bytes());
        }
        let mut encoder = WINDOWS_1252.new_encoder();
        // One byte per character at most, and UTF-8 takes at least one per character.
        let mut out = vec![0; text.len()];
        let (mut read, mut written) = (0, 0);
        loop {
            let (result, r, w) = encoder.encode_from_utf8_without_replacement(
                &text[read..],
                &mut out[written..],
                true,
            );
            read += r;
            written += w;
            match result {
                EncoderResult::InputEmpty | EncoderResult::OutputFull => break,
                EncoderResult::Unmappable(_) => {
                    out[written] = b'?';
                    written += 1;
                }
            }
        }
        out.truncate(written);
        Cow::Owned(out)
    }

    /// The longest prefix of `bytes` (text in this encoding) that fits in `width` bytes and ends on a character
    /// boundary, so a cut value never leaves half a UTF-8 sequence (which readers turn into garbage).
    pub(crate) fn fit(self, bytes: &[u8], width: usize) -> &[u8] {
        if bytes.len() <= width {
            return bytes;
        }
        let mut end = width;
        if self == TextEncoding::Utf8 {
            // Back up over continuation bytes (0b10xxxxxx) to the start of the cut character.
            while end > 0 && bytes[end] & 0xC0 == 0x80 {
                end -= 1;
            }
        }
        &bytes[..end]
    }

    /// What a `.cpg` file says for this encoding.
    pub(crate) fn cpg(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Windows1252 => "1252",
        }
    }

    /// The DBF header's language driver byte. UTF-8 has none (0, as the demo delivery and GDAL write, the `.cpg`
    /// saying the rest); 0x57 is "ANSI / Windows-1252".
    pub(crate) fn dbf_language_driver(self) -> u8 {
        match self {
            TextEncoding::Utf8 => 0,
            TextEncoding::Windows1252 => 0x57,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn windows_1252_writes_latin_letters_in_one_byte_and_unknown_characters_as_question_marks() {
        let enc = TextEncoding::Windows1252;
        assert_eq!(&*enc.encode("é"), [0xE9]);
        assert_eq!(
            &*enc.encode("Rue de l'Église €"),
            b"Rue de l'\xC9glise \x80"
        );
        assert_eq!(&*enc.encode("a→b"), b"a?b");
        assert!(matches!(enc.encode("ND0001"), Cow::Borrowed(_)));
    }

    #[test]
    fn utf8_cut_backs_up_to_a_character_boundary() {
        let enc = TextEncoding::Utf8;
        assert_eq!(enc.fit("aé".as_bytes(), 2), b"a");
        assert_eq!(enc.fit("aé".as_bytes(), 3), "aé".as_bytes());
        assert_eq!(enc.fit("€".as_bytes(), 2), b"");
    }

    proptest! {
        #[test]
        fn a_cut_utf8_value_is_a_prefix_and_valid(text in "\\PC{0,20}", width in 0usize..40) {
            let cut = TextEncoding::Utf8.fit(text.as_bytes(), width);
            let cut = std::str::from_utf8(cut).expect("valid UTF-8");
            prop_assert!(cut.len() <= width);
            prop_assert!(text.starts_with(cut));
            prop_assert!(cut.len() + 4 > width.min(text.len()));
        }
    }
}
