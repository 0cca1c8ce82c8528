//! Message text: personalization and identifiers (segments: `noxitel_types::segments`).

use std::collections::HashMap;

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
}
