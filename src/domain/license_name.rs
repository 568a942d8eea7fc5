//! License Name: the auto-number `L-00001`, `L-00002`, ...

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::Field;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LicenseNameError {
    #[error("\"{input}\" is not a License Name; License Names look like L-00001.")]
    Malformed { input: String },
}

impl LicenseNameError {
    pub fn field(&self) -> Field {
        Field::LicenseName
    }
}

/// The number behind a License Name. Zero-padded to five digits, growing past
/// five when the counter does, like the Salesforce auto-number field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LicenseName(u64);

impl LicenseName {
    /// Numbering starts at 1; 0 is bumped to 1 so no name is `L-00000`.
    pub fn from_number(n: u64) -> LicenseName {
        LicenseName(n.max(1))
    }

    pub fn number(self) -> u64 {
        self.0
    }

    /// Accepts only the exact form the app prints, so each name has one
    /// spelling (`L-1` and `L-000001` are refused).
    pub fn parse(input: &str) -> Result<LicenseName, LicenseNameError> {
        let s = input.trim();
        let malformed = || LicenseNameError::Malformed {
            input: s.chars().take(40).collect(),
        };
        let digits = s.strip_prefix("L-").ok_or_else(malformed)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let n: u64 = digits.parse().map_err(|_| malformed())?;
        let name = LicenseName(n);
        if n == 0 || name.to_string() != s {
            return Err(malformed());
        }
        Ok(name)
    }
}

impl fmt::Display for LicenseName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "L-{:05}", self.0)
    }
}

impl Serialize for LicenseName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LicenseName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        LicenseName::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn five_digits_then_more_when_needed() {
        assert_eq!(LicenseName::from_number(1).to_string(), "L-00001");
        assert_eq!(LicenseName::from_number(99_999).to_string(), "L-99999");
        assert_eq!(LicenseName::from_number(100_000).to_string(), "L-100000");
    }

    #[test]
    fn parses_back_only_the_printed_form() {
        assert_eq!(LicenseName::parse("L-00001").unwrap().number(), 1);
        assert_eq!(LicenseName::parse("L-100000").unwrap().number(), 100_000);
        for bad in [
            "L-1", "L-000001", "l-00001", "L-00000", "L-", "00001", "L-0000a",
        ] {
            assert!(LicenseName::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = LicenseName::parse(&s);
        }

        #[test]
        fn display_round_trips(n in 1u64..) {
            let name = LicenseName::from_number(n);
            prop_assert_eq!(LicenseName::parse(&name.to_string()), Ok(name));
        }
    }
}
