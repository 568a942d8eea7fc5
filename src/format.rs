//! How the app writes dates, times and Created By / Last Modified By,
//! everywhere the same way (the LMA's own formats).

use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::{ChangedBy, SfId, Stamp, LICENSE_MANAGEMENT_APP};

/// A date: `2025-03-01`.
pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// A date and time to the minute: `2025-03-01 10:30`.
pub fn date_time_text(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// "Jordan Lee, 2025-03-01 10:30", or the License Management App for
/// system changes; `user_name` names a user by ID.
pub fn stamp_text(stamp: &Stamp, user_name: impl FnOnce(&SfId) -> String) -> String {
    let who = match &stamp.by {
        ChangedBy::User(id) => user_name(id),
        ChangedBy::LicenseManagementApp => LICENSE_MANAGEMENT_APP.to_string(),
    };
    format!("{who}, {}", date_time_text(stamp.at))
}

/// A text built once (a hint stating a limit from the domain's constants)
/// and kept for the life of the app, for props that take `&'static str`.
pub fn built_once(cell: &'static OnceLock<String>, build: impl FnOnce() -> String) -> &'static str {
    cell.get_or_init(build).as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_stamps_read_as_the_lma_writes_them() {
        let at = NaiveDate::from_ymd_opt(2025, 3, 1)
            .and_then(|d| d.and_hms_opt(10, 30, 59))
            .unwrap();
        assert_eq!(date_text(at.date()), "2025-03-01");
        assert_eq!(date_time_text(at), "2025-03-01 10:30");
        assert_eq!(
            stamp_text(&Stamp::system(at), |_| unreachable!()),
            "License Management App, 2025-03-01 10:30"
        );
        let id = SfId::generate(crate::domain::KeyPrefix::User, 1);
        assert_eq!(
            stamp_text(&Stamp::user(&id, at), |_| "Jordan Lee".into()),
            "Jordan Lee, 2025-03-01 10:30"
        );
    }
}
