//! The Home page's dashboard: licenses by License Status, seats licensed
//! and used per package, expirations in the coming weeks, the licenses
//! expiring soon and the alert notifications due.

use chrono::{Duration, NaiveDate};

use super::alerts::{due_notifications, expiring_within, AlertRule, Notification};
use super::license::License;
use super::package::Package;
use super::status::LicenseStatus;
use super::user::User;

/// Licenses expiring within this many days are "expiring soon".
pub const EXPIRING_SOON_DAYS: u32 = 30;
/// The expirations chart looks this far ahead, in weeks.
pub const EXPIRATION_WEEKS: i64 = 13;

/// Seats of one package's licenses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSeats {
    pub package: String,
    /// Licensed Seats of its installed, counted licenses.
    pub licensed: u64,
    /// Their Used Licenses.
    pub used: u64,
    /// Installed licenses that are Site Licenses (no seat count).
    pub site_licenses: u64,
}

/// What the dashboard shows, computed from the records.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub total: usize,
    pub by_status: Vec<(LicenseStatus, u64)>,
    pub seats: Vec<PackageSeats>,
    /// (first day of the week, licenses expiring that week), from today.
    pub expirations: Vec<(NaiveDate, u64)>,
    pub expiring_soon: Vec<License>,
    pub notifications: Vec<Notification>,
}

/// The dashboard for `today`: licenses by status; seats licensed and used
/// per package (Uninstalled licenses hold no seats); licenses expiring in
/// each of the next 13 weeks; the licenses expiring within 30 days and the
/// alert notifications due (both from the domain's alert rules).
pub fn dashboard(
    licenses: &[License],
    packages: &[Package],
    rules: &[AlertRule],
    users: &[User],
    today: NaiveDate,
) -> Dashboard {
    let by_status = LicenseStatus::ALL
        .into_iter()
        .map(|s| (s, licenses.iter().filter(|l| l.status == s).count() as u64))
        .collect();
    let mut seats: Vec<PackageSeats> = packages
        .iter()
        .map(|p| {
            let installed = licenses
                .iter()
                .filter(|l| l.package_id == p.id && l.holds_seats());
            let mut row = PackageSeats {
                package: p.name.to_string(),
                licensed: 0,
                used: 0,
                site_licenses: 0,
            };
            for l in installed {
                match l.seats.get() {
                    Some(n) => {
                        row.licensed += u64::from(n);
                        row.used += u64::from(l.used_licenses.unwrap_or(0));
                    }
                    None => row.site_licenses += 1,
                }
            }
            row
        })
        .collect();
    crate::sort::sort_by_key(&mut seats, |a| a.package.to_lowercase());
    let mut expirations: Vec<(NaiveDate, u64)> = (0..EXPIRATION_WEEKS)
        .map(|w| (today + Duration::days(w * 7), 0))
        .collect();
    for l in licenses.iter().filter(|l| l.holds_seats()) {
        if let Some(left) = l.expiration.days_left(today) {
            if (0..EXPIRATION_WEEKS * 7).contains(&left) {
                if let Some(slot) = expirations.get_mut((left / 7) as usize) {
                    slot.1 += 1;
                }
            }
        }
    }
    Dashboard {
        total: licenses.len(),
        by_status,
        seats,
        expirations,
        expiring_soon: expiring_within(licenses, today, EXPIRING_SOON_DAYS)
            .into_iter()
            .cloned()
            .collect(),
        notifications: due_notifications(rules, licenses, users, today),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::license::fixtures::{date, license};
    use crate::domain::package::fixtures::package;
    use crate::domain::{Expiration, Seats};

    #[test]
    fn uninstalled_licenses_hold_no_seats_and_expire_for_no_one() {
        let today = date(2025, 3, 1);
        let p = package();
        let mut counted = license(); // 10 seats, 4 used
        counted.package_id = p.id.clone();
        counted.expiration = Expiration::Date(today);
        let mut site = counted.clone();
        site.id = crate::domain::SfId::generate(crate::domain::KeyPrefix::License, 2);
        site.seats = Seats::SiteLicense;
        site.used_licenses = None;
        let mut gone = counted.clone();
        gone.id = crate::domain::SfId::generate(crate::domain::KeyPrefix::License, 3);
        gone.status = LicenseStatus::Uninstalled;
        let d = dashboard(&[counted, site, gone], &[p], &[], &[], today);
        assert_eq!(d.total, 3);
        assert_eq!(
            d.seats,
            vec![PackageSeats {
                package: "Invoice Pro".into(),
                licensed: 10,
                used: 4,
                site_licenses: 1,
            }]
        );
        let by = |s: LicenseStatus| d.by_status.iter().find(|(x, _)| *x == s).map(|(_, n)| *n);
        assert_eq!(by(LicenseStatus::Active), Some(2));
        assert_eq!(by(LicenseStatus::Uninstalled), Some(1));
        // Expiring today counts in the first week; the Uninstalled one not.
        assert_eq!(d.expirations[0], (today, 2));
        assert_eq!(d.expirations.len() as i64, EXPIRATION_WEEKS);
    }

    #[test]
    fn expirations_are_counted_by_week_up_to_13_weeks_ahead() {
        let today = date(2025, 3, 1);
        let at = |days: i64| {
            let mut l = license();
            l.expiration = Expiration::Date(today + Duration::days(days));
            l
        };
        let last_day = EXPIRATION_WEEKS * 7 - 1;
        let d = dashboard(
            &[at(6), at(7), at(last_day), at(last_day + 1), at(-1)],
            &[],
            &[],
            &[],
            today,
        );
        let counts: Vec<u64> = d.expirations.iter().map(|(_, n)| *n).collect();
        assert_eq!(counts.first(), Some(&1));
        assert_eq!(counts.get(1), Some(&1));
        assert_eq!(counts.last(), Some(&1));
        assert_eq!(counts.iter().sum::<u64>(), 3);
        assert_eq!(d.expirations[1].0, today + Duration::days(7));
    }
}
