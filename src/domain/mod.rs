//! The License Management App's rules, as pure functions and types.
//!
//! Nothing here touches the browser, async code or the clock: today and now are
//! always arguments, so every rule can be tested natively at its boundaries.

mod dates;
mod expiration;
mod field;
mod history;
mod ids;
mod license;
mod license_name;
mod modify;
mod seats;
mod sequences;
mod stamp;
mod status;
mod user;
mod version;

pub use dates::{add_days, parse_date, DateError};
pub use expiration::Expiration;
pub use field::Field;
pub use history::{HistoryEntry, HistoryField};
pub use ids::{IdError, KeyPrefix, SfId};
pub use license::{License, LicenseWarning};
pub use license_name::{LicenseName, LicenseNameError};
pub use modify::{
    modify_license, modify_license_errors, ModifyLicenseDraft, ModifyLicenseError, ModifyOutcome,
    MAX_TRIAL_DAYS,
};
pub use seats::{group_thousands, SeatCount, Seats, SeatsError, MAX_SEATS};
pub use sequences::Sequences;
pub use stamp::{ChangedBy, Stamp};
pub use status::{LicenseStatus, LicenseType, OrgStatus, PicklistError};
pub use user::{authorize, seed_users, Action, PermissionError, Profile, User};
pub use version::{VersionError, VersionNumber};
