//! One CSV cell: the formats exports write (and imports read back), and the
//! defence against spreadsheet formulas.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and,
//! in some, a tab or carriage return) as a formula, so a lead whose company
//! is `=HYPERLINK(...)` could run code on the partner manager's laptop.
//! Text cells starting that way are written with a leading `'`, which
//! spreadsheets treat as "this is text"; the importer drops that quote again,
//! so a round trip gives the same value. Number cells (seats of -1) are
//! written as they are: they are numbers.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// A cell to write: text borrowed from the record where it can be, so an
/// export of 100,000 licenses doesn't copy every field first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    /// Digits, optionally negative: never a formula.
    Number(i64),
}

impl<'a> Cell<'a> {
    pub fn text(value: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Text(value.into())
    }

    /// What goes into the file.
    pub fn to_csv(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) if starts_formula(s) => Cow::Owned(format!("'{s}")),
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Number(n) => Cow::Owned(n.to_string()),
        }
    }
}

/// A written cell as the CSV writer takes it.
pub struct Field<'a>(Cow<'a, str>);

impl<'a> Field<'a> {
    pub fn of(cell: &'a Cell<'_>) -> Field<'a> {
        Field(cell.to_csv())
    }
}

impl AsRef<[u8]> for Field<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

fn starts_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Reads back a text cell written by [`Cell::to_csv`].
pub fn unescape_text(s: &str) -> String {
    match s.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest.to_string(),
        _ => s.to_string(),
    }
}

/// `yyyy-MM-dd` (written directly: chrono's `format` parses its pattern
/// every call, a second of an export of 100,000 licenses).
fn ymd(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

pub fn date(d: NaiveDate) -> Cell<'static> {
    Cell::Text(Cow::Owned(ymd(d)))
}

pub fn opt_date(d: Option<NaiveDate>) -> Cell<'static> {
    Cell::Text(d.map(ymd).map_or(Cow::Borrowed(""), Cow::Owned))
}

/// `yyyy-MM-ddTHH:mm:ss.SSSZ`, in UTC as the desk keeps times.
pub fn date_time(at: NaiveDateTime) -> Cell<'static> {
    Cell::Text(Cow::Owned(at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()))
}

pub fn boolean(b: bool) -> Cell<'static> {
    Cell::text(if b { "true" } else { "false" })
}

pub fn opt_number(n: Option<u32>) -> Cell<'static> {
    n.map_or(Cell::Text(Cow::Borrowed("")), |n| {
        Cell::Number(i64::from(n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_are_written_as_text_but_numbers_stay_numbers() {
        for bad in ["=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            let written = Cell::text(bad).to_csv().into_owned();
            assert!(written.starts_with('\''), "{bad:?}");
            assert_eq!(unescape_text(&written), bad);
        }
        assert_eq!(Cell::Number(-1).to_csv(), "-1");
        assert_eq!(Cell::text("Acme").to_csv(), "Acme");
        assert_eq!(Cell::text("'quoted").to_csv(), "'quoted");
        assert_eq!(unescape_text("'quoted"), "'quoted");
    }

    #[test]
    fn formats_are_the_ones_imports_read() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        assert_eq!(date(d).to_csv(), "2025-06-30");
        let at = d.and_hms_milli_opt(23, 5, 1, 42).unwrap();
        assert_eq!(date_time(at).to_csv(), "2025-06-30T23:05:01.042Z");
        assert_eq!(boolean(true).to_csv(), "true");
        assert_eq!(opt_number(None).to_csv(), "");
        assert_eq!(opt_date(None).to_csv(), "");
    }

    proptest! {
        #[test]
        fn no_written_text_cell_starts_a_formula_and_it_reads_back(s in "\\PC*") {
            let written = Cell::text(s.clone()).to_csv().into_owned();
            prop_assert!(!starts_formula(&written));
            if !s.starts_with('\'') {
                prop_assert_eq!(unescape_text(&written), s);
            }
        }
    }
}
