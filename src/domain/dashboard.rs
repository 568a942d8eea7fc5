//! The Home page's dashboard: licenses by License Status, seats licensed
//! and used per package, expirations in the coming weeks, and the licenses
//! expiring soon (their count and the first [`EXPIRING_SOON_SHOWN`]).

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::alerts::{expiring_within, is_expiring_within};
use super::expiration::Expiration;
use super::ids::SfId;
use super::license::License;
use super::license_name::LicenseName;
use super::package::Package;
use super::seats::Seats;
use super::soonest::Soonest;
use super::status::LicenseStatus;

/// Licenses expiring within this many days are "expiring soon".
pub const EXPIRING_SOON_DAYS: u32 = 30;
/// How many of them Home lists (the rest are counted: "and N more").
pub const EXPIRING_SOON_SHOWN: usize = 50;
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
    /// The first [`EXPIRING_SOON_SHOWN`] licenses expiring within
    /// [`EXPIRING_SOON_DAYS`], soonest first ...
    pub expiring_soon: Vec<License>,
    /// ... of this many.
    pub expiring_soon_count: usize,
}

/// What the dashboard counts of a license: a [`License`] and the licenses
/// list's snapshot entry of one give the same figures, so the counts at
/// 100,000 licenses need not read 100,000 full records.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LicenseFigures<'a> {
    pub id: &'a SfId,
    pub name: LicenseName,
    pub package_id: &'a SfId,
    pub status: LicenseStatus,
    pub seats: Seats,
    pub used_licenses: Option<u32>,
    pub expiration: Expiration,
}

impl LicenseFigures<'_> {
    /// Uninstalled licenses hold no seats and expire for no one.
    fn holds_seats(&self) -> bool {
        self.status != LicenseStatus::Uninstalled
    }

    /// Whether the license can still expire within `days` days.
    pub fn is_expiring_within(&self, today: NaiveDate, days: u32) -> bool {
        is_expiring_within(self.status, self.expiration, today, days)
    }
}

impl License {
    pub fn figures(&self) -> LicenseFigures<'_> {
        LicenseFigures {
            id: &self.id,
            name: self.name,
            package_id: &self.package_id,
            status: self.status,
            seats: self.seats,
            used_licenses: self.used_licenses,
            expiration: self.expiration,
        }
    }
}

/// The dashboard's counts, added up one license at a time (a list of
/// 100,000 is never held for them).
#[derive(Debug, Clone)]
pub struct DashboardTally<'a> {
    today: NaiveDate,
    total: usize,
    by_status: Vec<(LicenseStatus, u64)>,
    seats: Vec<PackageSeats>,
    /// Package ID -> its row of `seats`.
    rows: HashMap<&'a SfId, usize>,
    expirations: Vec<(NaiveDate, u64)>,
    expiring_soon_count: usize,
    /// The licenses expiring soon to list, in [`expiring_within`]'s order.
    expiring_soon: Soonest<(NaiveDate, LicenseName, SfId), SfId>,
}

impl<'a> DashboardTally<'a> {
    /// Nothing counted yet: a row of seats for each package (by name), 13
    /// empty weeks from `today`.
    pub fn new(packages: &'a [Package], today: NaiveDate) -> DashboardTally<'a> {
        let mut order: Vec<&Package> = packages.iter().collect();
        crate::sort::sort_by_key(&mut order, |p| p.name.to_string().to_lowercase());
        DashboardTally {
            today,
            total: 0,
            by_status: LicenseStatus::ALL.into_iter().map(|s| (s, 0)).collect(),
            seats: order
                .iter()
                .map(|p| PackageSeats {
                    package: p.name.to_string(),
                    licensed: 0,
                    used: 0,
                    site_licenses: 0,
                })
                .collect(),
            rows: order.iter().enumerate().map(|(i, p)| (&p.id, i)).collect(),
            expirations: (0..EXPIRATION_WEEKS)
                .map(|w| (today + Duration::days(w * 7), 0))
                .collect(),
            expiring_soon_count: 0,
            expiring_soon: Soonest::new(EXPIRING_SOON_SHOWN),
        }
    }

    /// Counts one license: its status; its seats under its package
    /// (Uninstalled licenses hold none); its week if it expires within 13;
    /// whether it expires soon, and keeps it if among the first to list.
    pub fn add(&mut self, l: LicenseFigures<'_>) {
        self.total += 1;
        if let Some(slot) = self.by_status.iter_mut().find(|(s, _)| *s == l.status) {
            slot.1 += 1;
        }
        if let (true, Some(date)) = (
            l.is_expiring_within(self.today, EXPIRING_SOON_DAYS),
            l.expiration.date(),
        ) {
            self.expiring_soon_count += 1;
            self.expiring_soon
                .offer((date, l.name, l.id.clone()), l.id.clone());
        }
        if !l.holds_seats() {
            return;
        }
        if let Some(row) = self
            .rows
            .get(l.package_id)
            .and_then(|&i| self.seats.get_mut(i))
        {
            match l.seats.get() {
                Some(n) => {
                    row.licensed += u64::from(n);
                    row.used += u64::from(l.used_licenses.unwrap_or(0));
                }
                None => row.site_licenses += 1,
            }
        }
        if let Some(left) = l.expiration.days_left(self.today) {
            if (0..EXPIRATION_WEEKS * 7).contains(&left) {
                if let Some(slot) = self.expirations.get_mut((left / 7) as usize) {
                    slot.1 += 1;
                }
            }
        }
    }

    /// The licenses the dashboard lists: read them in full for [`finish`].
    ///
    /// [`finish`]: DashboardTally::finish
    pub fn listed(&self) -> impl Iterator<Item = &SfId> {
        self.expiring_soon.values()
    }

    /// The dashboard of the licenses counted. `listed` holds in full at
    /// least those [`listed`](DashboardTally::listed) names (any others are
    /// left out: they are not among the first to list).
    pub fn finish(self, listed: &[License]) -> Dashboard {
        Dashboard {
            total: self.total,
            by_status: self.by_status,
            seats: self.seats,
            expirations: self.expirations,
            expiring_soon: expiring_within(listed, self.today, EXPIRING_SOON_DAYS)
                .into_iter()
                .take(EXPIRING_SOON_SHOWN)
                .cloned()
                .collect(),
            expiring_soon_count: self.expiring_soon_count,
        }
    }
}

/// The dashboard for `today`: licenses by status; seats licensed and used
/// per package (Uninstalled licenses hold no seats); licenses expiring in
/// each of the next 13 weeks; the licenses expiring within 30 days.
pub fn dashboard(licenses: &[License], packages: &[Package], today: NaiveDate) -> Dashboard {
    let mut tally = DashboardTally::new(packages, today);
    for l in licenses {
        tally.add(l.figures());
    }
    tally.finish(licenses)
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
        let d = dashboard(&[counted, site, gone], &[p], today);
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
