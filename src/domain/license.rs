//! The License record: what a subscriber org may use, and for how long.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::expiration::Expiration;
use super::history::{HistoryEntry, HistoryField};
use super::ids::SfId;
use super::license_name::LicenseName;
use super::seats::{group_thousands, Seats};
use super::stamp::Stamp;
use super::status::{LicenseStatus, LicenseType, OrgStatus};
use super::version::VersionNumber;

/// Field types carry their own invariants (seat range, ID form, ...), so the
/// fields are public: storage and import build licenses field by field.
/// Changes by hand go through `modify_license` only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct License {
    pub id: SfId,
    pub name: LicenseName,
    pub status: LicenseStatus,
    /// Once Active, a license never returns to Trial; its current status
    /// alone can't tell (Active then Suspended looks like any Suspended).
    #[serde(default)]
    pub ever_active: bool,
    pub seats: Seats,
    /// Blank when Uninstalled or Site License.
    pub used_licenses: Option<u32>,
    pub expiration: Expiration,
    pub install_date: NaiveDate,
    pub information_current_as_of: NaiveDateTime,
    pub instance: String,
    pub org_edition: String,
    pub org_status: OrgStatus,
    /// Only for trial orgs.
    pub org_expiration_date: Option<NaiveDate>,
    pub sandbox: bool,
    /// Shown in its 15-character form (`to15()`), as the LMA does.
    pub subscriber_org_id: SfId,
    /// The package's Package ID (`033`).
    pub package_id: SfId,
    /// The installed Package Version's Version ID (`04t`).
    pub package_version_id: SfId,
    pub version_number: VersionNumber,
    pub lead_id: Option<SfId>,
    /// Kept after the lead is converted, when the lead itself is gone.
    pub lead_name: String,
    pub account_id: Option<SfId>,
    pub contact_id: Option<SfId>,
    pub license_type: LicenseType,
    pub created: Stamp,
    pub last_modified: Stamp,
}

/// The word shown beside the License Status of a license past its date.
pub const EXPIRED_LABEL: &str = "Expired";

/// A license's status as it is in effect on a day: the stored License
/// Status, and whether the license has expired. The LMA leaves a Trial or
/// Active license past its Expiration Date marked as it was, though the
/// customer has lost access; a Suspended or Uninstalled license has no
/// access to lose, so it is never "Expired".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EffectiveStatus {
    stored: LicenseStatus,
    expired: bool,
}

impl EffectiveStatus {
    pub fn on(status: LicenseStatus, expiration: Expiration, today: NaiveDate) -> EffectiveStatus {
        let grants_access = matches!(status, LicenseStatus::Trial | LicenseStatus::Active);
        EffectiveStatus {
            stored: status,
            expired: grants_access && expiration.is_expired(today),
        }
    }

    /// The License Status as stored (and exported).
    pub fn stored(self) -> LicenseStatus {
        self.stored
    }

    pub fn is_expired(self) -> bool {
        self.expired
    }

    /// "Active", or "Active · Expired".
    pub fn label(self) -> String {
        if self.expired {
            format!("{} · {EXPIRED_LABEL}", self.stored.label())
        } else {
            self.stored.label().to_string()
        }
    }
}

/// Whether more users hold the package than the license has seats for
/// (Used Licenses above Licensed Seats). A Site License or a blank Used
/// Licenses is never over its limit.
pub fn seats_over_limit(seats: Seats, used_licenses: Option<u32>) -> bool {
    match (seats.get(), used_licenses) {
        (Some(seats), Some(used)) => used > seats,
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Error)]
pub enum LicenseWarning {
    #[error("Licensed Seats ({}) are fewer than Used Licenses ({}): the license shows {} available seats until the subscriber's administrator revokes access for {} users.", group_thousands(i64::from(*seats)), group_thousands(i64::from(*used)), group_thousands(i64::from(*seats) - i64::from(*used)), group_thousands(i64::from(*used) - i64::from(*seats)))]
    SeatsBelowUsed { seats: u32, used: u32 },
}

impl License {
    pub fn id(&self) -> &SfId {
        &self.id
    }

    /// Seats minus Used Licenses. Negative when seats were cut below the
    /// users who already have access (they keep it until revoked). `None`
    /// for a Site License or when Used Licenses is blank.
    pub fn available_seats(&self) -> Option<i64> {
        let seats = self.seats.get()?;
        let used = self.used_licenses?;
        Some(i64::from(seats) - i64::from(used))
    }

    pub fn warnings(&self) -> Vec<LicenseWarning> {
        self.warnings_with_seats(self.seats)
    }

    /// The warnings the license would have with `seats` instead: what Modify
    /// License shows while seats are typed, before the save.
    pub fn warnings_with_seats(&self, seats: Seats) -> Vec<LicenseWarning> {
        match (seats.get(), self.used_licenses) {
            (Some(seats), Some(used)) if used > seats => {
                vec![LicenseWarning::SeatsBelowUsed { seats, used }]
            }
            _ => Vec::new(),
        }
    }

    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expiration.is_expired(today)
    }

    /// The status in effect on `today`: see [`EffectiveStatus`].
    pub fn effective_status(&self, today: NaiveDate) -> EffectiveStatus {
        EffectiveStatus::on(self.status, self.expiration, today)
    }

    /// Used Licenses above Licensed Seats: see [`seats_over_limit`].
    pub fn is_over_seat_limit(&self) -> bool {
        seats_over_limit(self.seats, self.used_licenses)
    }

    /// Whether this license has ever been Active (it then never returns to
    /// Trial): now, by its flag, or by its history. Licenses saved before
    /// the flag existed (or imported) lack it, but their history still shows
    /// a License Status change from or to Active.
    pub fn has_been_active(&self, history: &[HistoryEntry]) -> bool {
        let active = LicenseStatus::Active.label();
        self.ever_active
            || self.status == LicenseStatus::Active
            || history.iter().any(|h| {
                h.license_id == self.id
                    && h.field == HistoryField::Status
                    && (h.old_value == active || h.new_value == active)
            })
    }

    /// Whether the license counts its seats and expiration: an Uninstalled
    /// license holds no seats (its Used Licenses are blank) and expires for
    /// no one.
    pub fn holds_seats(&self) -> bool {
        self.status != LicenseStatus::Uninstalled
    }

    /// Uninstalled licenses can't be modified.
    pub fn is_read_only(&self) -> bool {
        self.status == LicenseStatus::Uninstalled
    }

    pub fn subscriber_org_id_15(&self) -> &str {
        self.subscriber_org_id.to15()
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::domain::ids::KeyPrefix;

    pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
        date(y, m, d).and_hms_opt(h, min, s).unwrap()
    }

    /// An Active 10-seat license with 4 used, expiring 2025-12-31.
    pub fn license() -> License {
        let now = at(2025, 1, 15, 9, 0, 0);
        License {
            id: SfId::generate(KeyPrefix::License, 1),
            name: LicenseName::from_number(1),
            status: LicenseStatus::Active,
            ever_active: true,
            seats: Seats::count(10).unwrap(),
            used_licenses: Some(4),
            expiration: Expiration::Date(date(2025, 12, 31)),
            install_date: date(2025, 1, 15),
            information_current_as_of: now,
            instance: "NA45".into(),
            org_edition: "Enterprise".into(),
            org_status: OrgStatus::Active,
            org_expiration_date: None,
            sandbox: false,
            subscriber_org_id: SfId::generate(KeyPrefix::Org, 7),
            package_id: SfId::generate(KeyPrefix::Package, 1),
            package_version_id: SfId::generate(KeyPrefix::PackageVersion, 1),
            version_number: VersionNumber::new(1, 0, 0),
            lead_id: Some(SfId::generate(KeyPrefix::Lead, 1)),
            lead_name: "Ada Lovelace".into(),
            account_id: None,
            contact_id: None,
            license_type: LicenseType::Editable,
            created: Stamp::system(now),
            last_modified: Stamp::system(now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::domain::ids::KeyPrefix;

    #[test]
    fn available_seats_can_go_negative_with_a_warning() {
        let mut l = license();
        assert_eq!(l.available_seats(), Some(6));
        assert!(l.warnings().is_empty());
        l.used_licenses = Some(13);
        assert_eq!(l.available_seats(), Some(-3));
        let warning = l.warnings().remove(0);
        assert_eq!(
            warning,
            LicenseWarning::SeatsBelowUsed {
                seats: 10,
                used: 13
            }
        );
        assert!(warning.to_string().contains("-3 available seats"));
        assert!(warning.to_string().contains("revokes access for 3 users"));
    }

    #[test]
    fn typed_seats_warn_only_below_used() {
        let l = license();
        assert!(l.warnings_with_seats(Seats::count(4).unwrap()).is_empty());
        assert_eq!(
            l.warnings_with_seats(Seats::count(3).unwrap()),
            vec![LicenseWarning::SeatsBelowUsed { seats: 3, used: 4 }]
        );
        assert!(l.warnings_with_seats(Seats::SiteLicense).is_empty());
    }

    #[test]
    fn site_licenses_and_blank_used_have_no_available_count() {
        let mut l = license();
        l.seats = Seats::SiteLicense;
        l.used_licenses = None;
        assert_eq!(l.available_seats(), None);
        assert!(l.warnings().is_empty());
    }

    #[test]
    fn expired_only_after_the_expiration_date() {
        let l = license();
        assert!(!l.is_expired(date(2025, 12, 31)));
        assert!(l.is_expired(date(2026, 1, 1)));
    }

    #[test]
    fn effective_status_is_expired_only_after_the_date_while_trial_or_active() {
        let today = date(2026, 3, 10);
        let mut l = license();
        for status in [LicenseStatus::Trial, LicenseStatus::Active] {
            l.status = status;
            // Expires today: the last day of access, not expired.
            l.expiration = Expiration::Date(today);
            let e = l.effective_status(today);
            assert!(!e.is_expired());
            assert_eq!(e.label(), status.label());
            // Expired yesterday: expired, beside the stored status.
            l.expiration = Expiration::Date(date(2026, 3, 9));
            let e = l.effective_status(today);
            assert!(e.is_expired());
            assert_eq!(e.stored(), status);
            assert_eq!(e.label(), format!("{} · Expired", status.label()));
            // Does not expire: never expired.
            l.expiration = Expiration::DoesNotExpire;
            assert!(!l.effective_status(today).is_expired());
        }
        // Suspended and Uninstalled licenses past their date are not "Expired".
        for status in [LicenseStatus::Suspended, LicenseStatus::Uninstalled] {
            l.status = status;
            l.expiration = Expiration::Date(date(2020, 1, 1));
            let e = l.effective_status(today);
            assert!(!e.is_expired());
            assert_eq!(e.label(), status.label());
        }
    }

    #[test]
    fn seats_are_over_the_limit_only_when_used_exceeds_licensed() {
        let mut l = license();
        l.used_licenses = Some(10);
        assert!(!l.is_over_seat_limit());
        l.used_licenses = Some(11);
        assert!(l.is_over_seat_limit());
        l.used_licenses = None;
        assert!(!l.is_over_seat_limit());
        l.seats = Seats::SiteLicense;
        assert!(!seats_over_limit(l.seats, Some(500)));
    }

    #[test]
    fn ever_active_by_flag_status_or_history() {
        let mut l = license();
        l.status = LicenseStatus::Suspended;
        l.ever_active = false;
        assert!(!l.has_been_active(&[]));
        let entry = |old: &str, new: &str, field: HistoryField| HistoryEntry {
            id: SfId::generate(KeyPrefix::LicenseHistory, 1),
            license_id: l.id.clone(),
            field,
            old_value: old.into(),
            new_value: new.into(),
            by: SfId::generate(KeyPrefix::User, 1),
            at: at(2025, 2, 1, 9, 0, 0),
            origin: Default::default(),
        };
        assert!(l.has_been_active(&[entry("Active", "Suspended", HistoryField::Status)]));
        assert!(l.has_been_active(&[entry("Trial", "Active", HistoryField::Status)]));
        assert!(!l.has_been_active(&[entry("Trial", "Suspended", HistoryField::Status)]));
        // "Active" in another field's values says nothing about the status.
        assert!(!l.has_been_active(&[entry("Active", "10", HistoryField::Seats)]));
        // Another license's history says nothing about this one.
        let mut other = entry("Trial", "Active", HistoryField::Status);
        other.license_id = SfId::generate(KeyPrefix::License, 2);
        assert!(!l.has_been_active(&[other]));
        l.status = LicenseStatus::Active;
        assert!(l.has_been_active(&[]));
        l.status = LicenseStatus::Suspended;
        l.ever_active = true;
        assert!(l.has_been_active(&[]));
    }

    #[test]
    fn serializes_and_reads_back() {
        let l = license();
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(serde_json::from_str::<License>(&json).unwrap(), l);
        assert_eq!(l.subscriber_org_id_15().len(), 15);
    }
}
