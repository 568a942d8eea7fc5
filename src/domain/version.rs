//! Package version numbers, compared numerically so that 1.10.0 is newer
//! than 1.9.2 (a text sort would say the opposite).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VersionError {
    #[error("Enter a version number such as 3.1.0.")]
    Empty,
    #[error("\"{input}\" is not a version number; use major.minor.patch with whole numbers, e.g. 3.1.0.")]
    Malformed { input: String },
}

impl VersionError {
    pub fn field(&self) -> super::Field {
        super::Field::Version
    }
}

/// `major.minor.patch`; field order makes the derived ordering numeric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionNumber {
    major: u32,
    minor: u32,
    patch: u32,
}

impl VersionNumber {
    pub fn new(major: u32, minor: u32, patch: u32) -> Self {
        VersionNumber {
            major,
            minor,
            patch,
        }
    }

    /// Accepts `3.1.0`, and `3.1` as `3.1.0` because AppExchange listings
    /// often drop a zero patch.
    pub fn parse(input: &str) -> Result<VersionNumber, VersionError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(VersionError::Empty);
        }
        let malformed = || VersionError::Malformed {
            input: s.chars().take(40).collect(),
        };
        let parts: Vec<u32> = s
            .split('.')
            .map(|p| {
                if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                    p.parse::<u32>().ok()
                } else {
                    None
                }
            })
            .collect::<Option<_>>()
            .ok_or_else(malformed)?;
        match parts.as_slice() {
            [major, minor] => Ok(VersionNumber::new(*major, *minor, 0)),
            [major, minor, patch] => Ok(VersionNumber::new(*major, *minor, *patch)),
            _ => Err(malformed()),
        }
    }

    pub fn major(&self) -> u32 {
        self.major
    }
    pub fn minor(&self) -> u32 {
        self.minor
    }
    pub fn patch(&self) -> u32 {
        self.patch
    }
}

impl fmt::Display for VersionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for VersionNumber {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        VersionNumber::parse(s)
    }
}

impl Serialize for VersionNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for VersionNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        VersionNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(s: &str) -> VersionNumber {
        VersionNumber::parse(s).unwrap()
    }

    #[test]
    fn orders_numerically_not_as_text() {
        assert!(v("1.10.0") > v("1.9.2"));
        assert!(v("2.0.0") > v("1.99.99"));
        assert!(v("1.0.1") > v("1.0.0"));
        assert_eq!(v("3.1"), v("3.1.0"));
    }

    #[test]
    fn refuses_what_is_not_a_version() {
        for bad in [
            "",
            "3",
            "3.",
            "3.1.0.4",
            "a.b.c",
            "3.-1.0",
            "3.+1.0",
            "99999999999.0.0",
        ] {
            assert!(VersionNumber::parse(bad).is_err(), "{bad} should fail");
        }
    }

    #[test]
    fn displays_and_serializes_as_dotted_text() {
        assert_eq!(v(" 3.1 ").to_string(), "3.1.0");
        assert_eq!(serde_json::to_string(&v("1.2.3")).unwrap(), "\"1.2.3\"");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = VersionNumber::parse(&s);
        }

        #[test]
        fn display_round_trips(a in any::<u32>(), b in any::<u32>(), c in any::<u32>()) {
            let version = VersionNumber::new(a, b, c);
            prop_assert_eq!(VersionNumber::parse(&version.to_string()), Ok(version));
        }
    }
}
