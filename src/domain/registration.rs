//! Registration: linking a package with the LMA and choosing the default
//! license every install receives. It happens once per package; all its
//! versions share it.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::dates::add_days;
use super::expiration::Expiration;
use super::ids::SfId;
use super::package::Package;
use super::seats::{group_thousands, Seats, SeatsError, MAX_SEATS};
use super::stamp::Stamp;
use super::status::LicenseStatus;
use super::user::{authorize, Permission, PermissionError, User};
use super::Field;

pub const MAX_TRIAL_LENGTH_DAYS: u16 = 90;
/// Ten years: anything longer is, in practice, "does not expire", and a
/// typo like 36500 is more likely than a century-long contract.
pub const MAX_ACTIVE_LENGTH_DAYS: u16 = 3650;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DefaultStatus {
    FreeTrial,
    /// Also the choice for free offerings.
    Active,
}

impl DefaultStatus {
    pub fn label(self) -> &'static str {
        match self {
            DefaultStatus::FreeTrial => "Free Trial",
            DefaultStatus::Active => "Active",
        }
    }

    pub fn license_status(self) -> LicenseStatus {
        match self {
            DefaultStatus::FreeTrial => LicenseStatus::Trial,
            DefaultStatus::Active => LicenseStatus::Active,
        }
    }
}

impl fmt::Display for DefaultStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LicenseLength {
    Days(u16),
    DoesNotExpire,
}

impl fmt::Display for LicenseLength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LicenseLength::Days(1) => f.write_str("1 day"),
            LicenseLength::Days(n) => write!(f, "{n} days"),
            LicenseLength::DoesNotExpire => f.write_str("License does not expire"),
        }
    }
}

/// The default license; its fields are private because the allowed length
/// depends on the status, so only `new` may pair them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawDefaultLicense", into = "RawDefaultLicense")]
pub struct DefaultLicense {
    status: DefaultStatus,
    length: LicenseLength,
    seats: Seats,
}

#[derive(Serialize, Deserialize)]
struct RawDefaultLicense {
    status: DefaultStatus,
    length: LicenseLength,
    seats: Seats,
}

impl TryFrom<RawDefaultLicense> for DefaultLicense {
    type Error = RegistrationError;
    fn try_from(raw: RawDefaultLicense) -> Result<Self, Self::Error> {
        DefaultLicense::new(raw.status, raw.length, raw.seats)
    }
}

impl From<DefaultLicense> for RawDefaultLicense {
    fn from(d: DefaultLicense) -> Self {
        RawDefaultLicense {
            status: d.status,
            length: d.length,
            seats: d.seats,
        }
    }
}

impl DefaultLicense {
    pub fn new(
        status: DefaultStatus,
        length: LicenseLength,
        seats: Seats,
    ) -> Result<DefaultLicense, RegistrationError> {
        match (status, length) {
            (DefaultStatus::FreeTrial, LicenseLength::DoesNotExpire) => {
                return Err(RegistrationError::TrialDoesNotExpire)
            }
            (DefaultStatus::FreeTrial, LicenseLength::Days(n))
                if !(1..=MAX_TRIAL_LENGTH_DAYS).contains(&n) =>
            {
                return Err(RegistrationError::TrialLengthOutOfRange {
                    input: n.to_string(),
                })
            }
            (DefaultStatus::Active, LicenseLength::Days(n))
                if !(1..=MAX_ACTIVE_LENGTH_DAYS).contains(&n) =>
            {
                return Err(RegistrationError::ActiveLengthOutOfRange {
                    input: n.to_string(),
                })
            }
            _ => {}
        }
        Ok(DefaultLicense {
            status,
            length,
            seats,
        })
    }

    pub fn status(&self) -> DefaultStatus {
        self.status
    }
    pub fn length(&self) -> LicenseLength {
        self.length
    }
    pub fn seats(&self) -> Seats {
        self.seats
    }

    /// Expiration of a license that starts on `start`; `None` only past the
    /// end of the calendar.
    pub fn expiration_from(&self, start: NaiveDate) -> Option<Expiration> {
        match self.length {
            LicenseLength::Days(n) => add_days(start, u64::from(n)).map(Expiration::Date),
            LicenseLength::DoesNotExpire => Some(Expiration::DoesNotExpire),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    pub default_license: DefaultLicense,
    pub registered: Stamp,
}

/// What the registration form submits, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationDraft {
    /// "Free Trial" or "Active".
    pub status: String,
    pub length_days: String,
    pub does_not_expire: bool,
    pub seats: String,
    pub site_wide: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegistrationError {
    #[error(transparent)]
    Permission(#[from] PermissionError),
    #[error("{package} is already registered with the License Management App; all its versions share that registration, and it can't be registered again.")]
    AlreadyRegistered { package: String },
    #[error("Choose whether the default license is Free Trial or Active (choose Active if you don't charge for it).")]
    StatusMissing,
    #[error("\"{input}\" is not a default license status; choose Free Trial or Active.")]
    StatusUnknown { input: String },
    #[error("Enter the license length in days, or select License does not expire.")]
    LengthMissing,
    #[error("\"{input}\" is not a whole number of days; enter a length such as 30, or select License does not expire.")]
    LengthNotANumber { input: String },
    #[error("A Free Trial lasts 1 to {MAX_TRIAL_LENGTH_DAYS} days, not {input}; enter a length from 1 to {MAX_TRIAL_LENGTH_DAYS}, or choose Active.")]
    TrialLengthOutOfRange { input: String },
    #[error("A Free Trial must end: enter a length from 1 to {MAX_TRIAL_LENGTH_DAYS} days, or choose Active for a license that does not expire.")]
    TrialDoesNotExpire,
    #[error("An Active license length is 1 to {} days, not {input}; enter a length in that range, or select License does not expire.", group_thousands(i64::from(MAX_ACTIVE_LENGTH_DAYS)))]
    ActiveLengthOutOfRange { input: String },
    #[error(
        "Seats must be a whole number from 1 to {}, or select License is site-wide.",
        group_thousands(i64::from(MAX_SEATS))
    )]
    Seats(SeatsError),
}

impl RegistrationError {
    pub fn field(&self) -> Field {
        use RegistrationError::*;
        match self {
            Permission(_) | AlreadyRegistered { .. } => Field::Form,
            StatusMissing | StatusUnknown { .. } => Field::DefaultStatus,
            LengthMissing
            | LengthNotANumber { .. }
            | TrialLengthOutOfRange { .. }
            | TrialDoesNotExpire
            | ActiveLengthOutOfRange { .. } => Field::LicenseLength,
            Seats(_) => Field::DefaultSeats,
        }
    }
}

impl TryFrom<&RegistrationDraft> for DefaultLicense {
    type Error = RegistrationError;
    fn try_from(draft: &RegistrationDraft) -> Result<Self, Self::Error> {
        let status = match draft.status.trim().to_ascii_lowercase().as_str() {
            "" => return Err(RegistrationError::StatusMissing),
            "free trial" | "trial" => DefaultStatus::FreeTrial,
            "active" => DefaultStatus::Active,
            _ => {
                return Err(RegistrationError::StatusUnknown {
                    input: draft.status.trim().chars().take(40).collect(),
                })
            }
        };
        let length = if draft.does_not_expire {
            LicenseLength::DoesNotExpire
        } else {
            parse_length(&draft.length_days, status)?
        };
        let seats = if draft.site_wide {
            Seats::SiteLicense
        } else {
            Seats::parse(&draft.seats).map_err(RegistrationError::Seats)?
        };
        DefaultLicense::new(status, length, seats)
    }
}

fn parse_length(input: &str, status: DefaultStatus) -> Result<LicenseLength, RegistrationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(RegistrationError::LengthMissing);
    }
    let shown: String = s.chars().take(40).collect();
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RegistrationError::LengthNotANumber { input: shown });
    }
    let out_of_range = || match status {
        DefaultStatus::FreeTrial => RegistrationError::TrialLengthOutOfRange {
            input: shown.clone(),
        },
        DefaultStatus::Active => RegistrationError::ActiveLengthOutOfRange {
            input: shown.clone(),
        },
    };
    s.parse::<u16>()
        .map(LicenseLength::Days)
        .map_err(|_| out_of_range())
}

/// Links the package with the LMA. Only a System Administrator may, and only
/// once.
pub fn register_package(
    package: &Package,
    draft: &RegistrationDraft,
    actor: &User,
    now: NaiveDateTime,
) -> Result<Package, RegistrationError> {
    authorize(actor, Permission::RegisterPackage)?;
    if package.is_registered() {
        return Err(RegistrationError::AlreadyRegistered {
            package: package.name.to_string(),
        });
    }
    let default_license = DefaultLicense::try_from(draft)?;
    let mut updated = package.clone();
    updated.registration = Some(Registration {
        default_license,
        registered: Stamp::user(&actor.id, now),
    });
    updated.last_modified = Stamp::user(&actor.id, now);
    Ok(updated)
}

impl Package {
    pub fn default_license(&self) -> Option<&DefaultLicense> {
        self.registration.as_ref().map(|r| &r.default_license)
    }
}

/// Who registered the package, if a user did.
pub fn registered_by(package: &Package) -> Option<&SfId> {
    package
        .registration
        .as_ref()
        .and_then(|r| r.registered.by.user_id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::license::fixtures::{at, date};
    use crate::domain::package::fixtures::package;
    use crate::domain::user::{seed_users, Profile};
    use proptest::prelude::*;

    fn draft(status: &str, days: &str, seats: &str) -> RegistrationDraft {
        RegistrationDraft {
            status: status.into(),
            length_days: days.into(),
            does_not_expire: false,
            seats: seats.into(),
            site_wide: false,
        }
    }

    fn parse(d: &RegistrationDraft) -> Result<DefaultLicense, RegistrationError> {
        DefaultLicense::try_from(d)
    }

    #[test]
    fn trial_default_lasts_1_to_90_days() {
        assert!(parse(&draft("Free Trial", "1", "10")).is_ok());
        assert!(parse(&draft("Free Trial", "90", "10")).is_ok());
        for bad in ["0", "91", "70000"] {
            let err = parse(&draft("Free Trial", bad, "10")).unwrap_err();
            assert!(
                matches!(err, RegistrationError::TrialLengthOutOfRange { .. }),
                "{bad}"
            );
            assert_eq!(err.field(), Field::LicenseLength);
        }
        let never = RegistrationDraft {
            does_not_expire: true,
            ..draft("Free Trial", "", "10")
        };
        assert_eq!(parse(&never), Err(RegistrationError::TrialDoesNotExpire));
    }

    #[test]
    fn active_default_may_be_long_or_unlimited() {
        assert!(parse(&draft("Active", "3650", "10")).is_ok());
        assert!(matches!(
            parse(&draft("Active", "3651", "10")),
            Err(RegistrationError::ActiveLengthOutOfRange { .. })
        ));
        let never = RegistrationDraft {
            does_not_expire: true,
            site_wide: true,
            ..draft("active", "", "")
        };
        let d = parse(&never).unwrap();
        assert_eq!(d.length(), LicenseLength::DoesNotExpire);
        assert_eq!(d.seats(), Seats::SiteLicense);
    }

    #[test]
    fn draft_errors_point_at_their_input() {
        assert_eq!(
            parse(&draft("", "30", "10")).unwrap_err().field(),
            Field::DefaultStatus
        );
        assert_eq!(
            parse(&draft("Paid", "30", "10")).unwrap_err().field(),
            Field::DefaultStatus
        );
        assert_eq!(
            parse(&draft("Active", "", "10")).unwrap_err().field(),
            Field::LicenseLength
        );
        assert_eq!(
            parse(&draft("Active", "3.5", "10")).unwrap_err().field(),
            Field::LicenseLength
        );
        let seats = parse(&draft("Active", "30", "0")).unwrap_err();
        assert_eq!(seats.field(), Field::DefaultSeats);
        assert!(seats.to_string().contains("License is site-wide"));
    }

    #[test]
    fn expiration_is_start_plus_length() {
        let d = parse(&draft("Free Trial", "30", "10")).unwrap();
        assert_eq!(
            d.expiration_from(date(2025, 1, 1)),
            Some(Expiration::Date(date(2025, 1, 31)))
        );
        assert_eq!(d.expiration_from(NaiveDate::MAX), None);
    }

    #[test]
    fn registers_once_and_only_as_admin() {
        let users = seed_users();
        let by = |p: Profile| users.iter().find(|u| u.active && u.profile == p).unwrap();
        let admin = by(Profile::SystemAdministrator);
        let now = at(2025, 1, 2, 9, 0, 0);
        let d = draft("Free Trial", "30", "10");
        for p in [
            Profile::LicenseManager,
            Profile::SalesRep,
            Profile::ReadOnly,
        ] {
            assert!(matches!(
                register_package(&package(), &d, by(p), now),
                Err(RegistrationError::Permission(_))
            ));
        }
        let registered = register_package(&package(), &d, admin, now).unwrap();
        assert!(registered.is_registered());
        assert_eq!(registered_by(&registered), Some(&admin.id));
        assert!(matches!(
            register_package(&registered, &d, admin, now),
            Err(RegistrationError::AlreadyRegistered { .. })
        ));
    }

    #[test]
    fn stored_defaults_are_validated_on_load() {
        let d = parse(&draft("Free Trial", "30", "10")).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(serde_json::from_str::<DefaultLicense>(&json).unwrap(), d);
        let bad = json.replace("30", "91");
        assert!(serde_json::from_str::<DefaultLicense>(&bad).is_err());
    }

    proptest! {
        #[test]
        fn no_draft_panics(status in "\\PC*", days in "\\PC*", dne in any::<bool>(), seats in "\\PC*", site in any::<bool>()) {
            let _ = parse(&RegistrationDraft { status, length_days: days, does_not_expire: dne, seats, site_wide: site });
        }
    }
}
