//! Message text: personalization, encoding, segments, identifiers.

use std::collections::HashMap;

/// GSM 03.38 basic character set.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// GSM 03.38 extension table (each counts as two characters).
const GSM_EXT: &str = "^{}\\[~]|€\x0c";

/// Replaces every `#name#` with `parameters["name"]`; unknown placeholders stay as written.
pub fn personalize(template: &str, parameters: &HashMap<String, String>) -> String {
    if parameters.is_empty() || !template.contains('#') {
        return template.to_owned();
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('#') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('#') {
            Some(end) => {
                let name = &after[..end];
                let valid = !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
                match parameters.get(name) {
                    Some(value) if valid => {
                        out.push_str(value);
                        rest = &after[end + 1..];
                    }
                    _ => {
                        out.push('#');
                        rest = after;
                    }
                }
            }
            None => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether the text needs UCS-2 (`unicode` mode).
pub fn needs_unicode(text: &str) -> bool {
    text.chars()
        .any(|c| !GSM_BASIC.contains(c) && !GSM_EXT.contains(c))
}

/// Number of SMS parts the text takes in the given encoding.
pub fn segments(text: &str, unicode: bool) -> i64 {
    let (single, multi, len) = if unicode {
        (70, 67, text.encode_utf16().count())
    } else {
        let len = text
            .chars()
            .map(|c| if GSM_EXT.contains(c) { 2 } else { 1 })
            .sum();
        (160, 153, len)
    };
    if len <= single {
        1
    } else {
        len.div_ceil(multi) as i64
    }
}

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn pick(alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| alphabet[fastrand::usize(..alphabet.len())] as char)
        .collect()
}

/// e.g. `samsms_eink1rilz6ucphk`.
pub fn id(prefix: &str) -> String {
    format!("{prefix}_{}", pick(LOWER, 15))
}

/// A UUID-shaped id, e.g. `1ef4d949-7639-6880-bf73-ae7941c2d0aa`.
pub fn uuid() -> String {
    let hex = |n: usize| -> String {
        (0..n)
            .map(|_| char::from_digit(fastrand::u32(..16), 16).unwrap_or('0'))
            .collect()
    };
    format!("1{}-{}-6{}-{}-{}", hex(7), hex(4), hex(3), hex(4), hex(12))
}

/// An OTP reference, e.g. `036BZDUHIX`.
pub fn reference() -> String {
    pick(UPPER, 10)
}

/// A numeric code of `digits` digits.
pub fn code(digits: usize) -> String {
    (0..digits)
        .map(|_| char::from_digit(fastrand::u32(..10), 10).unwrap_or('0'))
        .collect()
}

/// A phone number without the leading `+`.
pub fn normalize(number: &str) -> &str {
    number.trim().strip_prefix('+').unwrap_or(number.trim())
}

/// Documented test numbers: anything ending in `000` fails delivery on every channel.
pub fn fails_delivery(number: &str) -> bool {
    normalize(number).ends_with("000")
}

/// Documented capability rule: a number supports RCS unless its last digit is `0`.
pub fn rcs_capable(number: &str) -> bool {
    !normalize(number).ends_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personalizes_known_variables_only() {
        let p: HashMap<String, String> = [
            ("name".into(), "Sam".into()),
            ("otp".into(), "847291".into()),
        ]
        .into();
        assert_eq!(
            personalize("Hi #name#, your OTP is #otp#", &p),
            "Hi Sam, your OTP is 847291"
        );
        assert_eq!(personalize("Hi #who#, #otp#", &p), "Hi #who#, 847291");
        assert_eq!(personalize("## #name", &p), "## #name");
    }

    #[test]
    fn detects_unicode_and_counts_segments() {
        assert!(!needs_unicode("Hello [world] €5"));
        assert!(needs_unicode("नमस्ते"));
        assert_eq!(segments(&"a".repeat(160), false), 1);
        assert_eq!(segments(&"a".repeat(161), false), 2);
        assert_eq!(segments(&"é".repeat(71), true), 2);
    }
}
