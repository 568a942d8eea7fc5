//! Dates typed into forms and read from CSV.

use chrono::{Days, NaiveDate};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DateError {
    #[error("Enter a date.")]
    Empty,
    #[error("\"{input}\" is not a date; enter it as year-month-day, e.g. 2025-12-31.")]
    NotADate { input: String },
}

/// Parses the `YYYY-MM-DD` form that date inputs and Salesforce CSV use.
pub fn parse_date(input: &str) -> Result<NaiveDate, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DateError::NotADate {
        input: s.chars().take(40).collect(),
    })
}

/// `date + days`, or `None` past the end of the calendar chrono supports.
pub fn add_days(date: NaiveDate, days: u64) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(
            parse_date(" 2025-02-28 "),
            Ok(NaiveDate::from_ymd_opt(2025, 2, 28).unwrap())
        );
        assert!(matches!(
            parse_date("2025-02-29"),
            Err(DateError::NotADate { .. })
        ));
        assert_eq!(parse_date(""), Err(DateError::Empty));
    }

    #[test]
    fn adding_days_past_the_calendar_is_none() {
        assert_eq!(add_days(NaiveDate::MAX, 1), None);
        assert_eq!(add_days(NaiveDate::MIN, u64::MAX), None);
    }

    proptest! {
        #[test]
        fn parse_date_never_panics(s in "\\PC*") {
            let _ = parse_date(&s);
        }
    }
}
