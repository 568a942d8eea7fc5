//! Salesforce record IDs.
//!
//! Users paste IDs in either the 15-character (case-sensitive) or 18-character
//! (case-insensitive) form, and both must find the same record, so one
//! canonical form, the 18-character one, is stored and compared.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The first three characters of an ID, which tell what kind of record it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum KeyPrefix {
    Account,
    Contact,
    User,
    Org,
    Lead,
    Package,
    PackageVersion,
    /// Custom objects get prefixes in the `a0x` range, like any managed
    /// package's custom objects; the letters only need to be distinct.
    License,
    LicenseHistory,
    InstallEvent,
    AlertRule,
}

impl KeyPrefix {
    pub const ALL: [KeyPrefix; 11] = [
        KeyPrefix::Account,
        KeyPrefix::Contact,
        KeyPrefix::User,
        KeyPrefix::Org,
        KeyPrefix::Lead,
        KeyPrefix::Package,
        KeyPrefix::PackageVersion,
        KeyPrefix::License,
        KeyPrefix::LicenseHistory,
        KeyPrefix::InstallEvent,
        KeyPrefix::AlertRule,
    ];

    pub fn code(self) -> &'static str {
        match self {
            KeyPrefix::Account => "001",
            KeyPrefix::Contact => "003",
            KeyPrefix::User => "005",
            KeyPrefix::Org => "00D",
            KeyPrefix::Lead => "00Q",
            KeyPrefix::Package => "033",
            KeyPrefix::PackageVersion => "04t",
            KeyPrefix::License => "a0L",
            KeyPrefix::LicenseHistory => "a0H",
            KeyPrefix::InstallEvent => "a0I",
            KeyPrefix::AlertRule => "a0A",
        }
    }

    /// What a user calls a record with this prefix, for error messages.
    pub fn label(self) -> &'static str {
        match self {
            KeyPrefix::Account => "Account",
            KeyPrefix::Contact => "Contact",
            KeyPrefix::User => "User",
            KeyPrefix::Org => "Org",
            KeyPrefix::Lead => "Lead",
            KeyPrefix::Package => "Package",
            KeyPrefix::PackageVersion => "Package Version",
            KeyPrefix::License => "License",
            KeyPrefix::LicenseHistory => "License History",
            KeyPrefix::InstallEvent => "Install Event",
            KeyPrefix::AlertRule => "Alert Rule",
        }
    }

    pub fn from_code(code: &str) -> Option<KeyPrefix> {
        KeyPrefix::ALL.into_iter().find(|p| p.code() == code)
    }
}

impl fmt::Display for KeyPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    #[error("Enter a Salesforce ID: 15 or 18 letters and digits.")]
    Empty,
    #[error(
        "A Salesforce ID has 15 or 18 characters, not {len}; copy the whole ID from the record."
    )]
    WrongLength { len: usize },
    #[error("A Salesforce ID has only letters and digits; remove \"{ch}\".")]
    InvalidCharacter { ch: char },
    #[error("The last 3 characters of this 18-character ID don't match the first 15; check for a typo, or paste the 15-character ID instead.")]
    SuffixMismatch,
    #[error("This ID starts with \"{found}\", but a {} ID starts with \"{}\"; check that you copied the right ID.", expected.label(), expected.code())]
    WrongPrefix { expected: KeyPrefix, found: String },
}

/// A record ID, always held in its 18-character form: inline ASCII, not a
/// `String`, since a desk holds hundreds of thousands of them (a license
/// has nine) and a heap copy each doubled their memory.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SfId([u8; 18]);

impl fmt::Debug for SfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SfId").field(&self.to18()).finish()
    }
}

impl SfId {
    /// Accepts the 15- or 18-character form, with surrounding whitespace.
    ///
    /// An 18-character ID whose letters were all lower- or upper-cased (by an
    /// email client, a spreadsheet, a search box) still resolves: the suffix
    /// records which letters are capitals, so the original case is rebuilt
    /// from it. A mixed-case ID whose suffix disagrees is a typo and refused.
    pub fn parse(input: &str) -> Result<SfId, IdError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if let Some(ch) = s.chars().find(|c| !c.is_ascii_alphanumeric()) {
            return Err(IdError::InvalidCharacter { ch });
        }
        // All ASCII from here, so byte length is character count.
        let (body, suffix) = match s.len() {
            15 => return Ok(SfId::from_parts(s, &suffix_of(s.as_bytes()))),
            18 => (s.get(..15).unwrap_or(""), s.get(15..).unwrap_or("")),
            len => return Err(IdError::WrongLength { len }),
        };
        let suffix = suffix.to_ascii_uppercase();
        if suffix_of(body.as_bytes()) == suffix {
            return Ok(SfId::from_parts(body, &suffix));
        }
        let has_upper = body.bytes().any(|b| b.is_ascii_uppercase());
        let has_lower = body.bytes().any(|b| b.is_ascii_lowercase());
        if has_upper && has_lower {
            return Err(IdError::SuffixMismatch);
        }
        let recased = recase(body, &suffix).ok_or(IdError::SuffixMismatch)?;
        Ok(SfId::from_parts(&recased, &suffix))
    }

    /// Parses and also requires the kind of record the field expects, so a
    /// user who pastes an Org ID into Package ID hears about it at once.
    pub fn parse_with_prefix(input: &str, expected: KeyPrefix) -> Result<SfId, IdError> {
        let id = SfId::parse(input)?;
        if id.prefix() == expected.code() {
            Ok(id)
        } else {
            Err(IdError::WrongPrefix {
                expected,
                found: id.prefix().to_string(),
            })
        }
    }

    /// A well-formed ID for a record the app creates: the prefix, then `seq`
    /// in base 62 over 12 characters. Distinct sequence numbers give distinct
    /// IDs, and the same number always gives the same ID (reproducible demos).
    pub fn generate(prefix: KeyPrefix, seq: u64) -> SfId {
        let mut digits = [b'0'; 12];
        write_base62(&mut digits, seq);
        SfId::from_digits(prefix, &digits)
    }

    /// A desk's ID: the desk number in the leading [`DESK_DIGITS`] of the 12
    /// digits, `seq` in the rest, so desks with different numbers never make
    /// the same ID. A `seq` beyond the rest's 62^8 is cut to its low digits
    /// (2 x 10^14 records of one kind on one desk can't be reached).
    pub fn generate_for_desk(prefix: KeyPrefix, desk: u64, seq: u64) -> SfId {
        let mut digits = [b'0'; 12];
        let (lead, rest) = digits.split_at_mut(DESK_DIGITS);
        write_base62(lead, desk);
        write_base62(rest, seq);
        SfId::from_digits(prefix, &digits)
    }

    fn from_digits(prefix: KeyPrefix, digits: &[u8; 12]) -> SfId {
        let body: String = prefix
            .code()
            .bytes()
            .chain(digits.iter().copied())
            .map(char::from)
            .collect();
        let suffix = suffix_of(body.as_bytes());
        SfId::from_parts(&body, &suffix)
    }

    /// The sequence number an ID from [`SfId::generate`] was made from, so
    /// counters can continue after imported data. `None` for IDs of unknown
    /// kind or too large to have been generated.
    pub fn generated_seq(&self) -> Option<(KeyPrefix, u64)> {
        let prefix = self.key_prefix()?;
        let digits = self.to18().get(3..15)?;
        Some((prefix, read_base62(digits.as_bytes())?))
    }

    /// The desk number and sequence number an ID from
    /// [`SfId::generate_for_desk`] was made from (any ID of a known kind
    /// reads as one: an ID from [`SfId::generate`] below 62^8 is desk 0's).
    pub fn desk_seq(&self) -> Option<(KeyPrefix, u64, u64)> {
        let prefix = self.key_prefix()?;
        let digits = self.to18().get(3..15)?.as_bytes();
        let (lead, rest) = digits.split_at(DESK_DIGITS);
        Some((prefix, read_base62(lead)?, read_base62(rest)?))
    }

    /// A checked 15-character ASCII body and its 3-character suffix.
    fn from_parts(body: &str, suffix: &str) -> SfId {
        let mut id = [b'0'; 18];
        for (slot, b) in id.iter_mut().zip(body.bytes().chain(suffix.bytes())) {
            *slot = b;
        }
        SfId(id)
    }

    /// An ID as storage wrote it (`to18`'s bytes, read back from the list
    /// snapshot): only checked to be ASCII letters and digits, since
    /// [`parse`](SfId::parse) per ID was a cost of reading 100,000 rows.
    pub fn from_stored(bytes: &[u8; 18]) -> Option<SfId> {
        bytes
            .iter()
            .all(u8::is_ascii_alphanumeric)
            .then_some(SfId(*bytes))
    }

    pub fn to15(&self) -> &str {
        self.to18().get(..15).unwrap_or_default()
    }

    pub fn to18(&self) -> &str {
        // Only ASCII letters and digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The three-character key prefix, e.g. `"00D"`.
    pub fn prefix(&self) -> &str {
        self.to18().get(..3).unwrap_or_default()
    }

    /// The kind of record, when the prefix is one this app knows.
    pub fn key_prefix(&self) -> Option<KeyPrefix> {
        KeyPrefix::from_code(self.prefix())
    }
}

impl fmt::Display for SfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.to18())
    }
}

impl AsRef<str> for SfId {
    fn as_ref(&self) -> &str {
        self.to18()
    }
}

impl TryFrom<&str> for SfId {
    type Error = IdError;
    fn try_from(value: &str) -> Result<Self, Self::Error> {
        SfId::parse(value)
    }
}

impl Serialize for SfId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.to18())
    }
}

impl<'de> Deserialize<'de> for SfId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        SfId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How many of the 12 digits of a desk's generated ID hold its desk number.
pub const DESK_DIGITS: usize = 4;

/// `n` in base 62, right-aligned over `slot` (higher digits dropped).
fn write_base62(slot: &mut [u8], n: u64) {
    let mut n = n;
    for digit in slot.iter_mut().rev() {
        // n % 62 < 62, so the index is always in range.
        *digit = BASE62[(n % 62) as usize];
        n /= 62;
    }
}

/// The number base-62 `digits` spell; `None` past u64 or on a non-digit.
fn read_base62(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, b| {
        let d = BASE62.iter().position(|c| c == b)?;
        acc.checked_mul(62)?.checked_add(d as u64)
    })
}

/// The 3-character checksum suffix of a 15-character body.
fn suffix_of(body: &[u8]) -> String {
    body.chunks(5)
        .take(3)
        .map(|chunk| {
            let n = chunk
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            char::from(SUFFIX_ALPHABET[n & 31])
        })
        .collect()
}

/// Rebuilds the case of `body` from the capitals recorded in `suffix`; `None`
/// when the suffix marks a digit as a capital (no such ID exists).
fn recase(body: &str, suffix: &str) -> Option<String> {
    let bits: Vec<usize> = suffix
        .bytes()
        .map(|c| SUFFIX_ALPHABET.iter().position(|&a| a == c))
        .collect::<Option<_>>()?;
    body.bytes()
        .enumerate()
        .map(|(i, b)| {
            let upper = bits.get(i / 5).is_some_and(|n| n & (1 << (i % 5)) != 0);
            match (upper, b.is_ascii_alphabetic()) {
                (true, true) => Some(char::from(b.to_ascii_uppercase())),
                (true, false) => None,
                (false, _) => Some(char::from(b.to_ascii_lowercase())),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_examples_get_their_suffix() {
        for (short, long) in [
            ("001M000000qfPyS", "001M000000qfPySIAU"),
            ("aaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaAAA"),
            ("a0RE000000IJmcN", "a0RE000000IJmcNMAT"),
        ] {
            let id = SfId::parse(short).unwrap();
            assert_eq!(id.to18(), long);
            assert_eq!(id.to15(), short);
            assert_eq!(SfId::parse(long).unwrap(), id);
        }
    }

    #[test]
    fn both_forms_mean_the_same_record_even_when_recased() {
        let id = SfId::parse("001M000000qfPyS").unwrap();
        assert_eq!(SfId::parse("001m000000qfpysiau").unwrap(), id);
        assert_eq!(SfId::parse("001M000000QFPYSIAU").unwrap(), id);
        assert_eq!(SfId::parse("  001M000000qfPySIAU\n").unwrap(), id);
    }

    #[test]
    fn a_wrong_suffix_is_refused() {
        assert_eq!(
            SfId::parse("001M000000qfPySIAV"),
            Err(IdError::SuffixMismatch)
        );
        // The suffix marks a digit as a capital: no real ID looks like this.
        assert_eq!(
            SfId::parse("00100000000000055A"),
            Err(IdError::SuffixMismatch)
        );
    }

    #[test]
    fn case_matters_in_the_15_character_form() {
        assert_ne!(
            SfId::parse("001M000000qfPyS").unwrap(),
            SfId::parse("001m000000qfPyS").unwrap()
        );
    }

    #[test]
    fn malformed_input_is_explained() {
        assert_eq!(SfId::parse("   "), Err(IdError::Empty));
        assert_eq!(
            SfId::parse("001M000000qfPy"),
            Err(IdError::WrongLength { len: 14 })
        );
        assert_eq!(
            SfId::parse("001M00000-qfPyS"),
            Err(IdError::InvalidCharacter { ch: '-' })
        );
        assert_eq!(
            SfId::parse("001M00000éqfPyS"),
            Err(IdError::InvalidCharacter { ch: 'é' })
        );
    }

    #[test]
    fn prefix_is_checked_where_a_field_needs_one() {
        let err = SfId::parse_with_prefix("001M000000qfPyS", KeyPrefix::Package).unwrap_err();
        assert_eq!(
            err,
            IdError::WrongPrefix {
                expected: KeyPrefix::Package,
                found: "001".into()
            }
        );
        assert!(err.to_string().contains("033"));
        let id = SfId::parse_with_prefix("001M000000qfPyS", KeyPrefix::Account).unwrap();
        assert_eq!(id.key_prefix(), Some(KeyPrefix::Account));
    }

    #[test]
    fn generated_ids_are_distinct_and_stable() {
        let a = SfId::generate(KeyPrefix::License, 1);
        assert_eq!(a, SfId::generate(KeyPrefix::License, 1));
        assert_ne!(a, SfId::generate(KeyPrefix::License, 2));
        assert_eq!(a.to15(), "a0L000000000001");
        assert_eq!(
            SfId::generate(KeyPrefix::User, 62).to15(),
            "005000000000010"
        );
    }

    #[test]
    fn generated_seq_reads_the_number_back() {
        let id = SfId::generate(KeyPrefix::Lead, 123_456_789);
        assert_eq!(id.generated_seq(), Some((KeyPrefix::Lead, 123_456_789)));
        let huge = SfId::parse("00Qzzzzzzzzzzzz").unwrap();
        assert_eq!(huge.generated_seq(), None);
    }

    #[test]
    fn serializes_as_the_18_character_string() {
        let id = SfId::parse("001M000000qfPyS").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"001M000000qfPySIAU\"");
        assert_eq!(serde_json::from_str::<SfId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<SfId>("\"nope\"").is_err());
    }

    fn prefix_strategy() -> impl Strategy<Value = KeyPrefix> {
        proptest::sample::select(KeyPrefix::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = SfId::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_ids(s in "[a-zA-Z0-9]{14,19}") {
            let _ = SfId::parse(&s);
        }

        #[test]
        fn round_trips_15_to_18_to_15(s in "[a-zA-Z0-9]{15}") {
            let id = SfId::parse(&s).unwrap();
            prop_assert_eq!(id.to15(), s.as_str());
            let again = SfId::parse(id.to18()).unwrap();
            prop_assert_eq!(&again, &id);
            prop_assert_eq!(SfId::parse(&id.to18().to_lowercase()).unwrap(), id.clone());
            prop_assert_eq!(SfId::parse(&id.to18().to_uppercase()).unwrap(), id);
        }

        #[test]
        fn desk_ids_read_back_and_keep_to_their_desk(
            prefix in prefix_strategy(),
            desk in 0u64..62u64.pow(4),
            seq in 0u64..62u64.pow(8),
        ) {
            let id = SfId::generate_for_desk(prefix, desk, seq);
            prop_assert_eq!(SfId::parse_with_prefix(id.to18(), prefix).unwrap(), id.clone());
            prop_assert_eq!(id.desk_seq(), Some((prefix, desk, seq)));
        }

        #[test]
        fn generated_ids_parse_with_their_prefix(prefix in prefix_strategy(), seq in any::<u64>()) {
            let id = SfId::generate(prefix, seq);
            prop_assert_eq!(SfId::parse_with_prefix(id.to18(), prefix).unwrap(), id.clone());
            prop_assert_eq!(SfId::parse_with_prefix(id.to15(), prefix).unwrap(), id.clone());
            prop_assert_eq!(id.generated_seq(), Some((prefix, seq)));
        }
    }
}
