//! The browser's clock, read in one place: the domain takes today and now as
//! arguments and never reads a clock itself.

use chrono::{NaiveDate, NaiveDateTime};

/// The local date and time in the user's browser.
pub fn now() -> NaiveDateTime {
    let d = js_sys::Date::new_0();
    // The Date object always holds a valid time, so these fall back only on
    // nonsense (a year chrono can't hold); the epoch is then a visible oddity,
    // not a crash.
    NaiveDate::from_ymd_opt(d.get_full_year() as i32, d.get_month() + 1, d.get_date())
        .and_then(|day| day.and_hms_opt(d.get_hours(), d.get_minutes(), d.get_seconds()))
        .unwrap_or_default()
}

/// The user's local calendar day.
pub fn today() -> NaiveDate {
    now().date()
}
