//! The License Management App's rules, as pure functions and types.
//!
//! Nothing here touches the browser, async code or the clock: today and now are
//! always arguments, so every rule can be tested natively at its boundaries.

mod alerts;
mod authorship;
mod bulk_modify;
mod dashboard;
mod dates;
mod expiration;
mod field;
mod history;
mod ids;
mod import;
mod install;
mod lead;
mod license;
mod license_name;
mod modifiable;
mod modify;
mod notifications;
mod package;
mod refresh;
mod registration;
mod seats;
mod sequences;
mod soonest;
mod stamp;
mod status;
mod user;
mod version;

pub use alerts::{
    alert_horizon, due_notifications, expiration_key, expiring_within, is_expiring_within, mailto,
    new_alert_rule, new_uninstall_rule, AlertKind, AlertRule, AlertRuleDraft, AlertRuleError,
    Notification, MAX_DAYS_BEFORE,
};
pub use authorship::{
    account_change, check_change, contact_change, history_change, lead_change, license_change,
    package_change, version_change, AuthorError,
};
pub use bulk_modify::{
    bulk_modify, BulkDraftError, BulkItem, BulkModifyDraft, BulkOutcome, BulkSummary,
    ExpirationChange, RefusalReason, SeatsChange,
};
pub use dashboard::{
    dashboard, Dashboard, DashboardTally, LicenseFigures, PackageSeats, EXPIRATION_WEEKS,
    EXPIRING_SOON_DAYS, EXPIRING_SOON_SHOWN,
};
pub use dates::{add_days, parse_date, DateError};
pub use expiration::Expiration;
pub use field::Field;
pub use history::{HistoryEntry, HistoryField, HistoryOrigin};
pub use ids::{IdError, KeyPrefix, SfId};
pub use import::{
    check_license_name, check_lookup, check_unique_id, import_bool, import_date, import_date_time,
    import_expiration, import_id, import_lead_status, import_license_name, import_license_status,
    import_license_type, import_optional_date, import_optional_id, import_org_edition,
    import_org_status, import_required_text, import_seats, import_used_licenses,
    import_version_number, ImportRowError, ImportValueError,
};
pub use install::{
    check_install, default_expiration, install, org_expiration_for, record_org_change, uninstall,
    upgrade, upgrade_versions, InstallError, InstallEvent, InstallInput, InstallKind,
    InstallOutcome, InstallResult, Installer, OrgChange, SubscriberOrg, TRIAL_ORG_DAYS,
};
pub use lead::{
    convert_lead, set_lead_status, Account, Contact, Conversion, ConvertLeadError, ConvertedTo,
    EditLeadError, Lead, LeadOwner, LeadStatus, LEAD_SOURCE_PACKAGE_INSTALLATION,
};
pub use license::{seats_over_limit, EffectiveStatus, License, LicenseWarning, EXPIRED_LABEL};
pub use license_name::{LicenseName, LicenseNameError};
pub use modifiable::check_modifiable;
pub use modify::{
    modify_license, modify_license_errors, modify_license_reporting_all, ModifyLicenseDraft,
    ModifyLicenseError, ModifyOutcome, MAX_TRIAL_DAYS,
};
pub use notifications::{
    customer_company, expiration_record, mark_sent, notification_queue, snooze, uninstall_key,
    uninstall_notifications, Acted, DueTally, NoticeAbout, NoticeError, NoticeState,
    NotificationQueue, NotificationRecord, QueueItem, Snooze, DUE_SHOWN, MAX_SNOOZE_DAYS,
};
pub use package::{
    latest_version, LeadManagerError, Package, PackageDraft, PackageError, PackageName,
    PackageNameError, PackageVersion, PackageVersionDraft, PackageVersionError,
    MAX_PACKAGE_NAME_CHARS,
};
pub use refresh::{
    check_refresh, next_refresh_allowed, refresh_licenses, sync_license, InstalledVersion,
    RefreshError, RefreshOutcome, RefreshSources, SubscriberOrgState, REFRESH_INTERVAL_DAYS,
};
pub use registration::{
    register_package, registered_by, DefaultLicense, DefaultStatus, LicenseLength, Registration,
    RegistrationDraft, RegistrationError, MAX_ACTIVE_LENGTH_DAYS, MAX_TRIAL_LENGTH_DAYS,
};
pub use seats::{group_thousands, SeatCount, Seats, SeatsError, MAX_SEATS};
pub use sequences::{Sequences, MAX_DESK_NUMBER};
pub use stamp::{ChangedBy, Stamp, LICENSE_MANAGEMENT_APP};
pub use status::{LicenseStatus, LicenseType, OrgStatus, PicklistError};
pub use user::{authorize, seed_users, Permission, PermissionError, Profile, User};
pub use version::{VersionError, VersionNumber};
