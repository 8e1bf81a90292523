//! Cache keys, compact: the app's keys are 64 lowercase hex characters and
//! are kept as the 32 bytes they spell; any other key is kept as text.
//!
//! Equality, ordering and hashing are those of the text, so a sorted run of
//! keys is in string order whichever way each one is stored.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Key(Repr);

/// Always canonical: text that would fit `Hex` is never stored as `Text`,
/// so the derived equality is the text's.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Hex([u8; 32]),
    Text(Box<str>),
}

/// Decodes 64 lowercase hex digits (uppercase would not round-trip). A
/// million keys are decoded per scan: the digits are checked with one
/// branch-free pass the compiler turns into vector code, then decoded with
/// SIMD (`const-hex`, which alone would also take uppercase and a `0x`).
fn decode_hex(s: &[u8]) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let lower_hex = s.iter().fold(true, |ok, &b| ok & ((b.wrapping_sub(b'0') < 10) | (b.wrapping_sub(b'a') < 6)));
    if !lower_hex {
        return None;
    }
    const_hex::decode_to_array(s).ok()
}

/// A key from raw bytes that are the app's kind of key, without a detour
/// through text; `None` for anything else.
pub fn hex_key(bytes: &[u8]) -> Option<Key> {
    decode_hex(bytes).map(|b| Key(Repr::Hex(b)))
}

fn encode_hex(b: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    // The lengths match, so this cannot fail.
    let _ = const_hex::encode_to_slice(b, &mut out);
    out
}

impl Key {
    pub fn new(s: &str) -> Key {
        match decode_hex(s.as_bytes()) {
            Some(b) => Key(Repr::Hex(b)),
            None => Key(Repr::Text(s.into())),
        }
    }

    /// Whether this is the app's kind of key (64 lower-case hex digits).
    pub fn is_hex(&self) -> bool {
        matches!(self.0, Repr::Hex(_))
    }

    /// The key as text: borrowed, or spelled out on the stack.
    pub fn as_str(&self) -> KeyStr<'_> {
        match &self.0 {
            Repr::Hex(b) => KeyStr::Hex(encode_hex(b)),
            Repr::Text(s) => KeyStr::Text(s),
        }
    }

    /// Compares with a key given as text, as the texts would compare.
    pub fn cmp_str(&self, other: &str) -> Ordering {
        match (&self.0, decode_hex(other.as_bytes())) {
            (Repr::Hex(a), Some(b)) => a.cmp(&b),
            _ => (*self.as_str()).cmp(other),
        }
    }

    /// The first eight bytes of the text, big-endian and zero-padded: a
    /// number that orders like the text wherever it differs.
    pub fn prefix(&self) -> u64 {
        match &self.0 {
            Repr::Hex(b) => {
                // The first four bytes are the first eight digits: each
                // nibble spread into a byte of its own, then made a digit
                // ('0'..'9' or 'a'..'f') in all eight bytes at once.
                let x = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as u64;
                let mut nibbles = 0u64;
                for i in 0..8 {
                    nibbles |= ((x >> (28 - 4 * i)) & 0xf) << (56 - 8 * i);
                }
                let letters = ((nibbles + 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101;
                nibbles + 0x3030_3030_3030_3030 + letters * u64::from(b'a' - b'0' - 10)
            }
            Repr::Text(s) => prefix_of(s.as_bytes()),
        }
    }
}

/// Big-endian number of the first eight bytes, zero-padded: orders like the
/// bytes wherever they differ in those eight.
pub fn prefix_of(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_be_bytes(buf)
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Hex(a), Repr::Hex(b)) => a.cmp(b),
            (Repr::Text(a), Repr::Text(b)) => a.cmp(b),
            _ => (*self.as_str()).cmp(&*other.as_str()),
        }
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        self.cmp_str(other) == Ordering::Equal
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.as_str(), f)
    }
}

impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

/// A key's text, from [`Key::as_str`].
pub enum KeyStr<'a> {
    Hex([u8; 64]),
    Text(&'a str),
}

impl Deref for KeyStr<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            // Always ASCII hex digits.
            KeyStr::Hex(b) => std::str::from_utf8(b).unwrap_or_default(),
            KeyStr::Text(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_key() -> impl Strategy<Value = String> {
        prop_oneof!["[0-9a-f]{64}", "[0-9a-fA-F]{63,65}", "[0-9a-z_-]{0,70}", any::<String>(),]
    }

    proptest! {
        #[test]
        fn keys_order_and_compare_like_their_text(a in any_key(), b in any_key()) {
            let (ka, kb) = (Key::new(&a), Key::new(&b));
            prop_assert_eq!(&*ka.as_str(), a.as_str());
            prop_assert_eq!(ka.to_string(), a.clone());
            prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            prop_assert_eq!(ka == kb, a == b);
            prop_assert_eq!(ka.cmp_str(&b), a.cmp(&b));
            prop_assert!(ka.prefix() <= kb.prefix() || a > b);
            prop_assert_eq!(ka.prefix(), prefix_of(a.as_bytes()));
        }
    }

    #[test]
    fn app_keys_are_compact() {
        let k = Key::new(&"ab".repeat(32));
        assert!(matches!(k.0, Repr::Hex(_)));
        assert!(matches!(Key::new(&"AB".repeat(32)).0, Repr::Text(_)));
        assert!(std::mem::size_of::<Key>() <= 40);
    }

    /// Only 64 lower-case hex digits are the app's kind of key: a `0x`, an
    /// upper-case digit or a byte just outside the digit ranges keeps the
    /// key as its text, which then spells itself back unchanged.
    #[test]
    fn near_hex_keys_stay_text() {
        let hex = "0123456789abcdef".repeat(4);
        assert!(Key::new(&hex).is_hex() && hex_key(hex.as_bytes()).is_some());
        let near = [
            format!("0x{}", &hex[2..]),
            format!("{}A", &hex[1..]),
            format!("{}/", &hex[1..]),
            format!("{}:", &hex[1..]),
            format!("{}`", &hex[1..]),
            format!("{}g", &hex[1..]),
            hex[1..].to_string(),
            format!("{hex}0"),
        ];
        for k in near {
            let key = Key::new(&k);
            assert!(!key.is_hex(), "{k} taken as hex");
            assert!(hex_key(k.as_bytes()).is_none(), "{k} taken as hex from bytes");
            assert_eq!(key.to_string(), k);
        }
    }
}
