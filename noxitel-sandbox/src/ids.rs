//! Generated identifiers: batch ids, message ids, OTP references and codes, in the forms the
//! reference's examples show.

const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn pick(alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| alphabet[fastrand::usize(..alphabet.len())] as char)
        .collect()
}

/// e.g. `samsms_eink1rilz6ucphk`.
pub fn prefixed(prefix: &str) -> String {
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
pub fn otp_reference() -> String {
    pick(UPPER, 10)
}

/// A numeric code of `digits` digits.
pub fn otp_code(digits: usize) -> String {
    (0..digits)
        .map(|_| char::from_digit(fastrand::u32(..10), 10).unwrap_or('0'))
        .collect()
}
