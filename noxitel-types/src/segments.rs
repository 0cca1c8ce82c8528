//! How many SMS parts (segments) a text takes, offline: GSM-7 or UCS-2 detection and the
//! concatenated-SMS limits, so a program can know the cost before sending.
//!
//! * GSM-7 (GSM 03.38): 160 septets in a single SMS, 153 per part of a multi-part SMS. The
//!   characters of the extension table (`^ { } \ [ ~ ] | €` and form feed) take two septets
//!   (an escape plus the character).
//! * UCS-2: any character outside GSM-7 switches the whole text to UCS-2: 70 UTF-16 code units
//!   in a single SMS, 67 per part. Characters outside the Basic Multilingual Plane (most emoji)
//!   are surrogate pairs and count as two units.
//!
//! When a text is split, a two-septet escape sequence or a surrogate pair is never cut between
//! two parts (phones and SMSCs move it to the next part), so a part may hold one unit less.
//!
//! ```
//! use noxitel_types::segments::{count, Encoding};
//!
//! let sms = count("Hi Sam, your OTP is 847291");
//! assert_eq!((sms.encoding, sms.segments), (Encoding::Gsm7, 1));
//!
//! let sms = count(&"€".repeat(81)); // 162 septets
//! assert_eq!((sms.units, sms.segments), (162, 2));
//!
//! let sms = count("Order shipped 📦");
//! assert_eq!((sms.encoding, sms.units, sms.segments), (Encoding::Ucs2, 16, 1));
//! ```

use std::fmt;

/// GSM 03.38 default alphabet (basic character set).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// GSM 03.38 extension table: each takes two septets (escape + character).
const GSM_EXTENSION: &str = "^{}\\[~]|€\u{0c}";

/// Septets in a single GSM-7 SMS.
pub const GSM7_SINGLE: usize = 160;
/// Septets per part of a multi-part GSM-7 SMS (7 go to the concatenation header).
pub const GSM7_MULTI: usize = 153;
/// UTF-16 code units in a single UCS-2 SMS.
pub const UCS2_SINGLE: usize = 70;
/// UTF-16 code units per part of a multi-part UCS-2 SMS.
pub const UCS2_MULTI: usize = 67;

/// The encoding a text is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GSM 03.38 7-bit default alphabet (the API's `text` mode).
    Gsm7,
    /// UCS-2 / UTF-16 (the API's `unicode` mode).
    Ucs2,
}

impl Encoding {
    /// The API's `mode` value for this encoding: `text` or `unicode`.
    pub fn api_mode(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "text",
            Encoding::Ucs2 => "unicode",
        }
    }

    /// Units in a single SMS and per part of a multi-part SMS.
    pub fn limits(self) -> (usize, usize) {
        match self {
            Encoding::Gsm7 => (GSM7_SINGLE, GSM7_MULTI),
            Encoding::Ucs2 => (UCS2_SINGLE, UCS2_MULTI),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        })
    }
}

/// The result of [`count`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentCount {
    /// The encoding the text needs.
    pub encoding: Encoding,
    /// Characters (Unicode scalar values) in the text.
    pub chars: usize,
    /// Encoded length: septets for GSM-7 (extension characters count 2), UTF-16 code units
    /// for UCS-2 (surrogate pairs count 2).
    pub units: usize,
    /// Number of SMS parts (0 for an empty text).
    pub segments: usize,
    /// Units one part holds: 160/153 for GSM-7, 70/67 for UCS-2, depending on `segments`.
    pub per_segment: usize,
    /// Units still free in the last part.
    pub remaining: usize,
}

/// Whether `c` is in the GSM-7 alphabet, and how many septets it takes (1 or 2).
pub fn gsm7_width(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// The encoding `text` needs: GSM-7 if every character is in the GSM 03.38 alphabet
/// (basic or extension table), UCS-2 otherwise.
pub fn encoding(text: &str) -> Encoding {
    if text.chars().all(|c| gsm7_width(c).is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}

/// Detects the encoding of `text` and counts its SMS parts.
pub fn count(text: &str) -> SegmentCount {
    count_as(text, encoding(text))
}

/// Counts the SMS parts of `text` sent in `encoding` (e.g. UCS-2 when `mode: unicode` is
/// forced on a GSM-7 text). Characters outside GSM-7 count as one septet in [`Encoding::Gsm7`].
pub fn count_as(text: &str, encoding: Encoding) -> SegmentCount {
    let width = |c: char| match encoding {
        Encoding::Gsm7 => gsm7_width(c).unwrap_or(1),
        Encoding::Ucs2 => c.len_utf16(),
    };
    let chars = text.chars().count();
    let units: usize = text.chars().map(width).sum();
    let (single, multi) = encoding.limits();
    if units == 0 {
        return SegmentCount {
            encoding,
            chars,
            units,
            segments: 0,
            per_segment: single,
            remaining: single,
        };
    }
    if units <= single {
        return SegmentCount {
            encoding,
            chars,
            units,
            segments: 1,
            per_segment: single,
            remaining: single - units,
        };
    }
    // Pack the characters into parts without cutting a two-unit character.
    let mut segments = 1;
    let mut used = 0;
    for c in text.chars() {
        let w = width(c);
        if used + w > multi {
            segments += 1;
            used = 0;
        }
        used += w;
    }
    SegmentCount {
        encoding,
        chars,
        units,
        segments,
        per_segment: multi,
        remaining: multi - used,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (encoding, chars, units, segments, remaining) of `text`.
    fn counted(text: &str) -> (Encoding, usize, usize, usize, usize) {
        let c = count(text);
        (c.encoding, c.chars, c.units, c.segments, c.remaining)
    }

    /// Asserts how many parts `n` repetitions of `text` take, for each `(n, parts)`.
    #[track_caller]
    fn assert_parts(text: &str, cases: &[(usize, usize)]) {
        for &(n, parts) in cases {
            assert_eq!(count(&text.repeat(n)).segments, parts, "{n} × {text:?}");
        }
    }

    #[test]
    fn forced_ucs2_counts_a_gsm_text_in_utf16_units() {
        let text = "a".repeat(71);
        assert_eq!(count(&text).segments, 1);
        let forced = count_as(&text, Encoding::Ucs2);
        assert_eq!((forced.encoding, forced.segments), (Encoding::Ucs2, 2));
    }

    #[test]
    fn empty_text_has_no_segment() {
        assert_eq!(counted(""), (Encoding::Gsm7, 0, 0, 0, 160));
    }

    #[test]
    fn gsm7_single_part_boundary() {
        assert_eq!(counted(&"a".repeat(160)), (Encoding::Gsm7, 160, 160, 1, 0));
        let c = count(&"a".repeat(161));
        assert_eq!((c.units, c.segments, c.per_segment), (161, 2, 153));
        assert_eq!(c.remaining, 153 * 2 - 161);
    }

    #[test]
    fn gsm7_multi_part_boundaries() {
        assert_parts("a", &[(306, 2), (307, 3), (459, 3), (460, 4)]);
    }

    #[test]
    fn extension_characters_count_double() {
        for c in ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\u{0c}'] {
            let n = count(&c.to_string());
            assert_eq!(
                (n.encoding, n.chars, n.units),
                (Encoding::Gsm7, 1, 2),
                "{c:?}"
            );
        }
        // 80 euro signs = 160 septets: still one SMS; 81 = 162: two.
        assert_eq!(count(&"€".repeat(80)).segments, 1);
        let c = count(&"€".repeat(81));
        assert_eq!((c.chars, c.units, c.segments), (81, 162, 2));
        // 159 plain + one extension character = 161 septets.
        let c = count(&format!("{}€", "a".repeat(159)));
        assert_eq!((c.units, c.segments), (161, 2));
    }

    #[test]
    fn escape_sequence_is_not_split_between_parts() {
        // 152 septets, then an extension character (2 septets) that would straddle the
        // 153-septet boundary: it moves to the next part.
        let text = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        let c = count(&text);
        assert_eq!((c.units, c.segments), (306, 3), "the escape cannot be cut");
    }

    #[test]
    fn gsm7_accented_latin_stays_gsm7() {
        let c = count("Café à Genève, ÄÖÜ ñ ¿¡ £$¥ @");
        assert_eq!(c.encoding, Encoding::Gsm7);
        assert_eq!(c.units, c.chars);
    }

    #[test]
    fn non_gsm_character_switches_to_ucs2() {
        // 'ç' (lower case) and 'â' are not in GSM 03.38.
        assert_eq!(encoding("garçon"), Encoding::Ucs2);
        assert_eq!(encoding("pâte"), Encoding::Ucs2);
        assert_eq!(encoding("नमस्ते"), Encoding::Ucs2);
        let c = count(&format!("{}ç", "a".repeat(69)));
        assert_eq!((c.encoding, c.units, c.segments), (Encoding::Ucs2, 70, 1));
        let c = count(&format!("{}ç", "a".repeat(70)));
        assert_eq!((c.units, c.segments, c.per_segment), (71, 2, 67));
        assert_eq!(encoding("a").api_mode(), "text");
        assert_eq!(encoding("ç").api_mode(), "unicode");
    }

    #[test]
    fn extension_characters_count_once_in_ucs2() {
        let c = count("€ ç");
        assert_eq!((c.encoding, c.units), (Encoding::Ucs2, 3));
    }

    #[test]
    fn emoji_surrogate_pairs_count_two_units() {
        assert_eq!(counted("😀"), (Encoding::Ucs2, 1, 2, 1, 68));
        // 35 emoji = 70 units: one SMS; 36 = 72: two.
        assert_eq!(count(&"😀".repeat(35)).segments, 1);
        let c = count(&"😀".repeat(36));
        assert_eq!((c.units, c.segments), (72, 2));
        // A ZWJ sequence: 👩‍💻 = U+1F469 U+200D U+1F4BB = 5 units.
        assert_eq!(count("👩\u{200d}💻").units, 5);
    }

    #[test]
    fn surrogate_pair_is_not_split_between_parts() {
        // 66 units, then an emoji that would straddle the 67-unit boundary.
        let text = format!("{}😀{}", "ç".repeat(66), "ç".repeat(66));
        let c = count(&text);
        assert_eq!((c.units, c.segments), (134, 3), "the pair cannot be cut");
        assert_eq!(count(&"ç".repeat(134)).segments, 2);
    }

    #[test]
    fn ucs2_multi_part_boundaries() {
        assert_parts("ç", &[(134, 2), (135, 3), (201, 3), (202, 4)]);
    }
}
