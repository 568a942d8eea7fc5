//! Expiration Date: the last day the customer can use the package.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dates::{parse_date, DateError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Expiration {
    Date(NaiveDate),
    /// The LMA's default.
    #[default]
    DoesNotExpire,
}

impl Expiration {
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            Expiration::Date(d) => Some(d),
            Expiration::DoesNotExpire => None,
        }
    }

    /// The expiration date is the last day of access, so a license is
    /// expired only from the day after.
    pub fn is_expired(self, today: NaiveDate) -> bool {
        self.date().is_some_and(|d| d < today)
    }

    /// Days from `today` to the expiration date (0 on the last day, negative
    /// once expired); `None` when it does not expire.
    pub fn days_left(self, today: NaiveDate) -> Option<i64> {
        self.date().map(|d| (d - today).num_days())
    }

    /// Reads `sfLma__Expiration__c`, where empty means Does not expire.
    pub fn from_csv(input: &str) -> Result<Expiration, DateError> {
        if input.trim().is_empty() {
            Ok(Expiration::DoesNotExpire)
        } else {
            parse_date(input).map(Expiration::Date)
        }
    }

    pub fn to_csv(self) -> String {
        self.date()
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }
}

impl fmt::Display for Expiration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expiration::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Expiration::DoesNotExpire => f.write_str("Does not expire"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_expiration_day_itself_is_still_usable() {
        let exp = Expiration::Date(d(2025, 6, 30));
        assert!(!exp.is_expired(d(2025, 6, 30)));
        assert!(exp.is_expired(d(2025, 7, 1)));
        assert_eq!(exp.days_left(d(2025, 6, 20)), Some(10));
        assert!(!Expiration::DoesNotExpire.is_expired(d(9999, 1, 1)));
    }

    #[test]
    fn csv_empty_means_does_not_expire() {
        assert_eq!(Expiration::from_csv(""), Ok(Expiration::DoesNotExpire));
        assert_eq!(
            Expiration::from_csv("2025-06-30"),
            Ok(Expiration::Date(d(2025, 6, 30)))
        );
        assert_eq!(Expiration::DoesNotExpire.to_csv(), "");
        assert_eq!(Expiration::DoesNotExpire.to_string(), "Does not expire");
    }

    proptest! {
        #[test]
        fn csv_parse_never_panics(s in "\\PC*") {
            let _ = Expiration::from_csv(&s);
        }
    }
}
