//! Import rules: what a record read from a License Management Org's export may
//! hold.
//!
//! An import records what the org already holds, so the rules that govern a
//! change by hand (expiration not before today, Trial at most 90 days, never
//! back to Trial, seats not below used) do not apply: an expired license or a
//! 120-day Trial comes in as it is. What a record can never be is refused:
//! seats outside 1..=99,000,000 and not Site License, an unknown status, a
//! malformed or wrong-checksum ID, a lookup that resolves nowhere, the same
//! ID twice. Each rule is one function; each refusal names its CSV column.
//!
//! Values are read the way orgs write them: picklists in any letter case and
//! with their long labels ("Enterprise Edition"), checkboxes as
//! `true`/`false`, `1`/`0` or `yes`/`no`, dates as `yyyy-MM-dd` or as a
//! `yyyy-MM-ddTHH:mm:ss.SSSZ` date-time (UTC).

use chrono::{NaiveDate, NaiveDateTime};
use thiserror::Error;

use super::dates::{parse_date, DateError};
use super::expiration::Expiration;
use super::ids::{IdError, KeyPrefix, SfId};
use super::lead::LeadStatus;
use super::license_name::{LicenseName, LicenseNameError};
use super::package::{PackageError, PackageNameError, PackageVersionError};
use super::seats::{Seats, SeatsError};
use super::status::{LicenseStatus, LicenseType, OrgStatus, PicklistError};
use super::version::{VersionError, VersionNumber};

/// Why one value of an imported row can't be stored.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportValueError {
    #[error("{0}")]
    Id(#[from] IdError),
    #[error("{0}")]
    Seats(#[from] SeatsError),
    #[error("{0}")]
    Date(#[from] DateError),
    #[error("{0}")]
    Picklist(#[from] PicklistError),
    #[error("{0}")]
    Version(#[from] VersionError),
    #[error("{0}")]
    LicenseName(#[from] LicenseNameError),
    #[error("{0}")]
    PackageName(#[from] PackageNameError),
    #[error("{0}")]
    Package(#[from] PackageError),
    #[error("{0}")]
    PackageVersion(#[from] PackageVersionError),
    #[error("\"{input}\" is not a checkbox value; use true or false (1/0 and yes/no work too).")]
    NotABoolean { input: String },
    #[error("Used Licenses must be a whole number, 0 or more; \"{input}\" is not.")]
    NotACount { input: String },
    #[error("{label} is required, and this cell is empty.")]
    Required { label: &'static str },
    #[error("{label} {id} is neither in this import nor in the desk; import the file that holds it too, or correct the ID.")]
    Nowhere { label: &'static str, id: String },
    #[error("Id {id} is on an earlier row too (line {first_line}); keep one row per record.")]
    DuplicateId { id: String, first_line: u64 },
    #[error(
        "License Name {name} already belongs to license {other}; License Names are never reused."
    )]
    LicenseNameTaken { name: String, other: String },
    #[error("No license in this import or in the desk names this lead, so its package can't be known; import the licenses file with the leads.")]
    LeadWithoutLicense,
    #[error("A converted lead needs the Account and Contact it became (ConvertedAccountId, ConvertedContactId).")]
    ConvertedWithoutAccount,
    #[error("Status is Closed - Converted but IsConverted is false; a lead becomes converted only with its Account and Contact.")]
    ConvertedStatusWithoutConversion,
    #[error(
        "This license's Package Version belongs to package {version_package}, not to {package}."
    )]
    PackageMismatch {
        package: String,
        version_package: String,
    },
}

/// One refused value, with the CSV column it came from (the API name the
/// file uses), so a preview can point at the cell to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{column}: {error}")]
pub struct ImportRowError {
    pub column: String,
    pub error: ImportValueError,
}

impl ImportRowError {
    pub fn new(column: impl Into<String>, error: impl Into<ImportValueError>) -> Self {
        ImportRowError {
            column: column.into(),
            error: error.into(),
        }
    }

    /// The column the error belongs to.
    pub fn field(&self) -> &str {
        &self.column
    }
}

/// A short copy of what the user's file holds, for messages.
fn shown(input: &str) -> String {
    input.trim().chars().take(40).collect()
}

/// An ID in either form; `prefix` when the column holds one kind of record.
pub fn import_id(input: &str, prefix: Option<KeyPrefix>) -> Result<SfId, IdError> {
    match prefix {
        Some(p) => SfId::parse_with_prefix(input, p),
        None => SfId::parse(input),
    }
}

/// An optional lookup: empty is no record.
pub fn import_optional_id(input: &str, prefix: Option<KeyPrefix>) -> Result<Option<SfId>, IdError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        import_id(input, prefix).map(Some)
    }
}

/// A checkbox: `true`/`false`, `1`/`0`, `yes`/`no` in any case; empty is false
/// (Salesforce exports an unchecked box that way in some reports).
pub fn import_bool(input: &str) -> Result<bool, ImportValueError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(false);
    }
    for (text, value) in [
        ("true", true),
        ("1", true),
        ("yes", true),
        ("false", false),
        ("0", false),
        ("no", false),
    ] {
        if s.eq_ignore_ascii_case(text) {
            return Ok(value);
        }
    }
    Err(ImportValueError::NotABoolean { input: shown(s) })
}

/// A date-time as `yyyy-MM-ddTHH:mm:ss.SSSZ` (UTC), also without the
/// milliseconds or with a `+0000` offset, or a plain date (midnight).
pub fn import_date_time(input: &str) -> Result<NaiveDateTime, DateError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.fZ",
        "%Y-%m-%dT%H:%M:%S%.f+0000",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(at);
        }
    }
    parse_date(s)
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| DateError::NotADate { input: shown(s) })
}

/// A date: `yyyy-MM-dd`, or the date of a date-time (reports export some
/// date fields that way).
pub fn import_date(input: &str) -> Result<NaiveDate, DateError> {
    parse_date(input).or_else(|err| match err {
        DateError::Empty => Err(DateError::Empty),
        DateError::NotADate { .. } => import_date_time(input).map(|at| at.date()).map_err(|_| err),
    })
}

/// An optional date: empty is none.
pub fn import_optional_date(input: &str) -> Result<Option<NaiveDate>, DateError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        import_date(input).map(Some)
    }
}

/// Licensed Seats: a number, `-1` or the text `Site License` (the
/// `sfLma__Licensed_Seats__c` formula). A number out of 1..=99,000,000 is
/// refused: no license can hold it. A Salesforce number may come as `25.0`.
pub fn import_seats(input: &str) -> Result<Seats, SeatsError> {
    let s = input.trim();
    if s.eq_ignore_ascii_case("site license") || s.eq_ignore_ascii_case("site-wide") {
        return Ok(Seats::SiteLicense);
    }
    let whole = s
        .strip_suffix(".0")
        .or_else(|| s.strip_suffix(".00"))
        .unwrap_or(s);
    Seats::from_csv(whole)
}

/// Expiration: a date, or empty or the text `Does not expire` (the
/// `sfLma__Expiration_Date__c` formula). A date in the past is kept: the
/// license comes in as expired.
pub fn import_expiration(input: &str) -> Result<Expiration, DateError> {
    let s = input.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("does not expire") {
        return Ok(Expiration::DoesNotExpire);
    }
    import_date(s).map(Expiration::Date)
}

/// License Status in any letter case; anything else is refused. "Free Trial"
/// is how registration's default status reads and means Trial.
pub fn import_license_status(input: &str) -> Result<LicenseStatus, PicklistError> {
    let s = input.trim();
    if s.eq_ignore_ascii_case("free trial") {
        return Ok(LicenseStatus::Trial);
    }
    LicenseStatus::parse(s)
}

pub fn import_org_status(input: &str) -> Result<OrgStatus, PicklistError> {
    OrgStatus::parse(input)
}

/// License Type; an empty cell is the LMA's default (Editable).
pub fn import_license_type(input: &str) -> Result<LicenseType, PicklistError> {
    if input.trim().is_empty() {
        Ok(LicenseType::default())
    } else {
        LicenseType::parse(input)
    }
}

/// The editions the app names; orgs write them with or without "Edition".
const ORG_EDITIONS: [&str; 11] = [
    "Enterprise",
    "Professional",
    "Unlimited",
    "Performance",
    "Developer",
    "Group",
    "Essentials",
    "Personal",
    "Team",
    "Contact Manager",
    "Base",
];

/// Org Edition as the app writes it: `Enterprise Edition`, `enterprise` and
/// `Enterprise` are one edition. An edition the app doesn't know is kept as
/// written: Salesforce adds editions, and the field is informational.
pub fn import_org_edition(input: &str) -> String {
    let s = input.trim();
    let lower = s.to_ascii_lowercase();
    let base = lower.strip_suffix(" edition").unwrap_or(&lower).trim();
    ORG_EDITIONS
        .iter()
        .find(|e| e.eq_ignore_ascii_case(base))
        .map_or_else(|| s.to_string(), |e| (*e).to_string())
}

/// Used Licenses: a whole number, or empty (blank for Site License and
/// Uninstalled). More used than licensed is kept, with the usual warning.
pub fn import_used_licenses(input: &str) -> Result<Option<u32>, ImportValueError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let whole = s.strip_suffix(".0").unwrap_or(s);
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ImportValueError::NotACount { input: shown(s) });
    }
    whole
        .parse::<u32>()
        .map(Some)
        .map_err(|_| ImportValueError::NotACount { input: shown(s) })
}

pub fn import_license_name(input: &str) -> Result<LicenseName, LicenseNameError> {
    LicenseName::parse(input)
}

pub fn import_version_number(input: &str) -> Result<VersionNumber, VersionError> {
    VersionNumber::parse(input)
}

/// Lead Status by its label (`Open - Not Contacted`), or by its first word
/// (`Open`, `Working`), in any case; empty is a new lead's status (Open).
pub fn import_lead_status(input: &str) -> Result<LeadStatus, PicklistError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(LeadStatus::Open);
    }
    LeadStatus::ALL
        .into_iter()
        .find(|status| {
            let label = status.label();
            label.eq_ignore_ascii_case(s)
                || (*status != LeadStatus::ClosedNotConverted
                    && *status != LeadStatus::Converted
                    && label
                        .split(" - ")
                        .next()
                        .is_some_and(|first| first.eq_ignore_ascii_case(s)))
        })
        .ok_or_else(|| PicklistError {
            label: "Lead Status",
            input: shown(s),
            choices: LeadStatus::ALL
                .iter()
                .map(|v| v.label())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// A required text cell.
pub fn import_required_text(input: &str, label: &'static str) -> Result<String, ImportValueError> {
    let s = input.trim();
    if s.is_empty() {
        Err(ImportValueError::Required { label })
    } else {
        Ok(s.to_string())
    }
}

/// A lookup must point at a record of the import or of the desk.
pub fn check_lookup(found: bool, prefix: KeyPrefix, id: &SfId) -> Result<(), ImportValueError> {
    if found {
        Ok(())
    } else {
        Err(ImportValueError::Nowhere {
            label: prefix.label(),
            id: id.to15().to_string(),
        })
    }
}

/// One row per record: an Id already read on `first_line` is refused.
pub fn check_unique_id(id: &SfId, first_line: Option<u64>) -> Result<(), ImportValueError> {
    match first_line {
        None => Ok(()),
        Some(first_line) => Err(ImportValueError::DuplicateId {
            id: id.to15().to_string(),
            first_line,
        }),
    }
}

/// A License Name is never reused: one held by another license is refused.
pub fn check_license_name(
    name: LicenseName,
    own_id: &SfId,
    holder: Option<&SfId>,
) -> Result<(), ImportValueError> {
    match holder {
        Some(other) if other != own_id => Err(ImportValueError::LicenseNameTaken {
            name: name.to_string(),
            other: other.to15().to_string(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn checkboxes_read_every_spelling_orgs_write() {
        for yes in ["true", "TRUE", "1", "Yes", " yes "] {
            assert_eq!(import_bool(yes), Ok(true), "{yes}");
        }
        for no in ["false", "False", "0", "no", ""] {
            assert_eq!(import_bool(no), Ok(false), "{no}");
        }
        let err = import_bool("maybe").unwrap_err();
        assert!(err.to_string().contains("\"maybe\""));
    }

    #[test]
    fn dates_and_date_times_in_salesforce_form() {
        assert_eq!(import_date("2025-06-30"), Ok(d(2025, 6, 30)));
        assert_eq!(import_date("2025-06-30T23:10:00.000Z"), Ok(d(2025, 6, 30)));
        let at = import_date_time("2025-06-30T23:10:05.123Z").unwrap();
        assert_eq!(at.date(), d(2025, 6, 30));
        assert_eq!(at.format("%H:%M:%S%.3f").to_string(), "23:10:05.123");
        assert!(import_date_time("2025-06-30T23:10:05Z").is_ok());
        assert!(import_date_time("2025-06-30T23:10:05.000+0000").is_ok());
        assert!(matches!(
            import_date("30/06/2025"),
            Err(DateError::NotADate { .. })
        ));
        assert_eq!(import_date(" "), Err(DateError::Empty));
        assert_eq!(import_optional_date(""), Ok(None));
    }

    #[test]
    fn seats_take_numbers_minus_one_and_site_license_within_the_limits() {
        assert_eq!(import_seats("-1"), Ok(Seats::SiteLicense));
        assert_eq!(import_seats("Site License"), Ok(Seats::SiteLicense));
        assert_eq!(import_seats("site license"), Ok(Seats::SiteLicense));
        assert_eq!(import_seats("25").unwrap().get(), Some(25));
        assert_eq!(import_seats("25.0").unwrap().get(), Some(25));
        assert_eq!(import_seats("1").unwrap().get(), Some(1));
        assert_eq!(import_seats("99000000").unwrap().get(), Some(99_000_000));
        assert!(matches!(
            import_seats("99000001"),
            Err(SeatsError::OutOfRange { .. })
        ));
        assert!(matches!(
            import_seats("0"),
            Err(SeatsError::OutOfRange { .. })
        ));
        assert!(import_seats("-2").is_err());
        assert_eq!(import_seats(""), Err(SeatsError::Empty));
    }

    #[test]
    fn expiration_empty_or_does_not_expire_and_past_dates_are_kept() {
        assert_eq!(import_expiration(""), Ok(Expiration::DoesNotExpire));
        assert_eq!(
            import_expiration("Does not expire"),
            Ok(Expiration::DoesNotExpire)
        );
        assert_eq!(
            import_expiration("2001-01-01"),
            Ok(Expiration::Date(d(2001, 1, 1)))
        );
        assert!(import_expiration("never").is_err());
    }

    #[test]
    fn picklists_in_any_case_and_long_labels() {
        assert_eq!(import_license_status("ACTIVE"), Ok(LicenseStatus::Active));
        assert_eq!(
            import_license_status("Free Trial"),
            Ok(LicenseStatus::Trial)
        );
        let err = import_license_status("Expired").unwrap_err();
        assert!(err
            .to_string()
            .contains("Trial, Active, Suspended, Uninstalled"));
        assert_eq!(import_org_edition("Enterprise Edition"), "Enterprise");
        assert_eq!(import_org_edition("enterprise"), "Enterprise");
        assert_eq!(
            import_org_edition("CONTACT MANAGER EDITION"),
            "Contact Manager"
        );
        assert_eq!(import_org_edition(" Starter "), "Starter");
        assert_eq!(import_org_status("deleted"), Ok(OrgStatus::Deleted));
        assert_eq!(import_license_type(""), Ok(LicenseType::Editable));
        assert_eq!(import_lead_status("working"), Ok(LeadStatus::Working));
        assert_eq!(
            import_lead_status("closed - not converted"),
            Ok(LeadStatus::ClosedNotConverted)
        );
        assert_eq!(import_lead_status(""), Ok(LeadStatus::Open));
        assert!(import_lead_status("Closed").is_err());
    }

    #[test]
    fn used_licenses_are_counts_or_blank() {
        assert_eq!(import_used_licenses(""), Ok(None));
        assert_eq!(import_used_licenses("0"), Ok(Some(0)));
        assert_eq!(import_used_licenses("12.0"), Ok(Some(12)));
        assert!(import_used_licenses("-3").is_err());
        assert!(import_used_licenses("99999999999").is_err());
    }

    #[test]
    fn lookups_duplicates_and_names_are_refused_with_the_record() {
        let id = SfId::generate(KeyPrefix::Package, 9);
        let err = check_lookup(false, KeyPrefix::Package, &id).unwrap_err();
        assert!(err.to_string().starts_with("Package "));
        assert!(check_lookup(true, KeyPrefix::Package, &id).is_ok());
        let err = check_unique_id(&id, Some(3)).unwrap_err();
        assert!(err.to_string().contains("line 3"));
        let name = LicenseName::from_number(42);
        let other = SfId::generate(KeyPrefix::License, 1);
        let own = SfId::generate(KeyPrefix::License, 2);
        assert!(check_license_name(name, &own, Some(&other)).is_err());
        assert!(check_license_name(name, &own, Some(&own)).is_ok());
        assert!(check_license_name(name, &own, None).is_ok());
        let row = ImportRowError::new("sfLma__Package_Version__c", err);
        assert_eq!(row.field(), "sfLma__Package_Version__c");
    }

    proptest! {
        #[test]
        fn import_rules_never_panic(s in "\\PC*") {
            let _ = import_bool(&s);
            let _ = import_date_time(&s);
            let _ = import_date(&s);
            let _ = import_seats(&s);
            let _ = import_expiration(&s);
            let _ = import_license_status(&s);
            let _ = import_org_edition(&s);
            let _ = import_used_licenses(&s);
            let _ = import_lead_status(&s);
            let _ = import_optional_id(&s, Some(KeyPrefix::Lead));
        }
    }
}
