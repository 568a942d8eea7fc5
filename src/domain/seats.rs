//! Licensed Seats: how many users in the subscriber org may use the package.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use super::Field;

/// The LMA's limit per subscriber license.
pub const MAX_SEATS: u32 = 99_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SeatsError {
    #[error(
        "Enter the number of seats (1 to {}), or choose Site License.",
        group_thousands(i64::from(MAX_SEATS))
    )]
    Empty,
    #[error("Seats must be a whole number from 1 to {}, or choose Site License; \"{input}\" is not a whole number.", group_thousands(i64::from(MAX_SEATS)))]
    NotAWholeNumber { input: String },
    #[error("Seats must be a whole number from 1 to {}, or choose Site License; {input} is out of range.", group_thousands(i64::from(MAX_SEATS)))]
    OutOfRange { input: String },
}

impl SeatsError {
    pub fn field(&self) -> Field {
        Field::Seats
    }
}

/// A seat count known to be within 1..=99,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeatCount(u32);

impl SeatCount {
    pub fn new(n: u32) -> Result<SeatCount, SeatsError> {
        if (1..=MAX_SEATS).contains(&n) {
            Ok(SeatCount(n))
        } else {
            Err(SeatsError::OutOfRange {
                input: n.to_string(),
            })
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Seats {
    Count(SeatCount),
    /// Every user in the subscriber org may use the package.
    SiteLicense,
}

impl Seats {
    pub fn count(n: u32) -> Result<Seats, SeatsError> {
        SeatCount::new(n).map(Seats::Count)
    }

    /// Parses what a user typed in the Seats input. Thousands separators are
    /// allowed because the limit itself is shown as "99,000,000".
    pub fn parse(input: &str) -> Result<Seats, SeatsError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(SeatsError::Empty);
        }
        let shown: String = s.chars().take(40).collect();
        let digits: String = s.chars().filter(|c| *c != ',' && *c != '_').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SeatsError::NotAWholeNumber { input: shown });
        }
        let out_of_range = || SeatsError::OutOfRange {
            input: shown.clone(),
        };
        let n: u32 = digits.parse().map_err(|_| out_of_range())?;
        Seats::count(n).map_err(|_| out_of_range())
    }

    /// Reads `sfLma__Seats__c`, where -1 means Site License.
    pub fn from_csv(input: &str) -> Result<Seats, SeatsError> {
        if input.trim() == "-1" {
            Ok(Seats::SiteLicense)
        } else {
            Seats::parse(input)
        }
    }

    pub fn to_csv(self) -> i64 {
        match self {
            Seats::Count(n) => i64::from(n.get()),
            Seats::SiteLicense => -1,
        }
    }

    pub fn get(self) -> Option<u32> {
        match self {
            Seats::Count(n) => Some(n.get()),
            Seats::SiteLicense => None,
        }
    }

    pub fn is_site_license(self) -> bool {
        self == Seats::SiteLicense
    }

    /// The text a Seats input starts with: the number, or empty for Site
    /// License (whose checkbox is ticked instead).
    pub fn input_text(self) -> String {
        self.get().map(|n| n.to_string()).unwrap_or_default()
    }
}

/// Groups thousands so large counts are readable.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

impl fmt::Display for Seats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seats::Count(n) => f.write_str(&group_thousands(i64::from(n.get()))),
            Seats::SiteLicense => f.write_str("Site License"),
        }
    }
}

// Stored as the CSV number so records and exports agree.
impl Serialize for Seats {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.to_csv())
    }
}

impl<'de> Deserialize<'de> for Seats {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(deserializer)?;
        if n == -1 {
            return Ok(Seats::SiteLicense);
        }
        u32::try_from(n)
            .map_err(|_| serde::de::Error::custom(format!("seats {n} out of range")))
            .and_then(|n| Seats::count(n).map_err(serde::de::Error::custom))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn seats_limits_are_inclusive() {
        assert_eq!(Seats::parse("1").unwrap().get(), Some(1));
        assert_eq!(Seats::parse("99000000").unwrap().get(), Some(99_000_000));
        assert_eq!(Seats::parse("99,000,000").unwrap().get(), Some(99_000_000));
        assert!(matches!(
            Seats::parse("99000001"),
            Err(SeatsError::OutOfRange { .. })
        ));
        assert!(matches!(
            Seats::parse("0"),
            Err(SeatsError::OutOfRange { .. })
        ));
        assert!(matches!(
            Seats::parse("99999999999999999999"),
            Err(SeatsError::OutOfRange { .. })
        ));
    }

    #[test]
    fn non_numbers_are_explained() {
        for bad in ["-5", "1.5", "ten", "+3", ",", "1 000"] {
            let err = Seats::parse(bad).unwrap_err();
            assert!(matches!(err, SeatsError::NotAWholeNumber { .. }), "{bad}");
            assert!(err.to_string().contains("Site License"));
        }
        assert_eq!(Seats::parse("  "), Err(SeatsError::Empty));
    }

    #[test]
    fn csv_uses_minus_one_for_site_license() {
        assert_eq!(Seats::from_csv("-1"), Ok(Seats::SiteLicense));
        assert_eq!(Seats::SiteLicense.to_csv(), -1);
        assert_eq!(Seats::from_csv("25").unwrap().to_csv(), 25);
        assert_eq!(serde_json::to_string(&Seats::SiteLicense).unwrap(), "-1");
        assert!(serde_json::from_str::<Seats>("0").is_err());
        assert!(serde_json::from_str::<Seats>("-2").is_err());
    }

    #[test]
    fn displays_with_thousands() {
        assert_eq!(Seats::count(1_250_000).unwrap().to_string(), "1,250,000");
        assert_eq!(Seats::SiteLicense.to_string(), "Site License");
        assert_eq!(group_thousands(-1234), "-1,234");
        assert_eq!(group_thousands(999), "999");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = Seats::parse(&s);
            let _ = Seats::from_csv(&s);
        }

        #[test]
        fn every_count_in_range_round_trips(n in 1u32..=MAX_SEATS) {
            prop_assert_eq!(Seats::parse(&n.to_string()).unwrap().get(), Some(n));
        }
    }
}
