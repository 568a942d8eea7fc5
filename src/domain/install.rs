//! Install and uninstall events from subscriber orgs, and the leads and
//! licenses they produce.
//!
//! Each workflow is a pure function from the current records to the records
//! to write; storage writes the returned lead, license and event in one
//! transaction, which is what makes an install atomic.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::dates::add_days;
use super::expiration::Expiration;
use super::field::Field;
use super::ids::{KeyPrefix, SfId};
use super::lead::{Lead, LeadOwner, LeadStatus, LEAD_SOURCE_PACKAGE_INSTALLATION};
use super::license::License;
use super::package::{Package, PackageVersion};
use super::seats::Seats;
use super::sequences::Sequences;
use super::stamp::Stamp;
use super::status::{LicenseStatus, LicenseType, OrgStatus};
use super::user::User;
use super::version::VersionNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InstallKind {
    Install,
    Upgrade,
    Uninstall,
    UsedLicensesChanged,
    OrgStatusChanged,
}

impl InstallKind {
    pub fn label(self) -> &'static str {
        match self {
            InstallKind::Install => "Install",
            InstallKind::Upgrade => "Upgrade",
            InstallKind::Uninstall => "Uninstall",
            InstallKind::UsedLicensesChanged => "Used Licenses Changed",
            InstallKind::OrgStatusChanged => "Org Status Changed",
        }
    }
}

impl fmt::Display for InstallKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The subscriber org as it reports itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberOrg {
    pub org_id: SfId,
    pub org_name: String,
    pub edition: String,
    pub instance: String,
    pub status: OrgStatus,
    pub org_expiration_date: Option<NaiveDate>,
    pub sandbox: bool,
}

/// The user who installed the package; becomes the lead.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installer {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub email: String,
}

impl Installer {
    /// Every lead needs a last name and a company, so an installer without
    /// them can't install.
    pub fn check(&self) -> Result<(), InstallError> {
        if self.last_name.trim().is_empty() {
            return Err(InstallError::LastNameMissing);
        }
        if self.company.trim().is_empty() {
            return Err(InstallError::CompanyMissing);
        }
        Ok(())
    }
}

/// Salesforce trial orgs last 30 days; Org Expiration Date is set for them
/// only.
pub const TRIAL_ORG_DAYS: u64 = 30;

/// Org Expiration Date of an org with `status` from `from`: 30 days later
/// for a trial org, none otherwise.
pub fn org_expiration_for(status: OrgStatus, from: NaiveDate) -> Option<NaiveDate> {
    (status == OrgStatus::Trial)
        .then(|| add_days(from, TRIAL_ORG_DAYS))
        .flatten()
}

/// What a subscriber org can't do with a package, as AppExchange and the
/// org itself refuse it before the LMA hears of it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InstallError {
    #[error("Version {version} is a beta: AppExchange installs betas only into sandboxes and Developer Edition orgs. Tick Sandbox, choose the Developer edition, or pick a released version.")]
    BetaIntoProduction { version: VersionNumber },
    #[error("This org already has version {installed} of {package} installed; an upgrade needs a newer version (packages can't be downgraded).")]
    NotNewer {
        installed: VersionNumber,
        package: String,
    },
    #[error("Enter the installer's last name; every lead needs one.")]
    LastNameMissing,
    #[error("Enter the installer's company; every lead needs one.")]
    CompanyMissing,
    #[error("The package is uninstalled in this org, so no one can be assigned a license.")]
    UsedLicensesUninstalled,
    #[error("This license is a Site License: every user of the org may use the package, so Used Licenses stays blank.")]
    UsedLicensesSiteLicense,
    #[error("The license has {seats} seats, so the org's admin can assign at most {seats} users. To see a negative number of available seats, lower Licensed Seats with Modify License instead.")]
    UsedLicensesAboveSeats { seats: u32 },
}

impl InstallError {
    pub fn field(&self) -> Field {
        match self {
            InstallError::BetaIntoProduction { .. } | InstallError::NotNewer { .. } => {
                Field::Version
            }
            InstallError::LastNameMissing => Field::LastName,
            InstallError::CompanyMissing => Field::Company,
            InstallError::UsedLicensesUninstalled
            | InstallError::UsedLicensesSiteLicense
            | InstallError::UsedLicensesAboveSeats { .. } => Field::UsedLicenses,
        }
    }
}

/// The org editions that install betas besides sandboxes.
const BETA_EDITION: &str = "Developer";

/// Whether `version` may be installed into `org`, which holds
/// `existing` (its license for the package, if any): a beta goes only into
/// a sandbox or a Developer Edition org, and an installed package is only
/// upgraded, never downgraded or installed again at the same version (an
/// Uninstalled license takes any version: that is a reinstall).
pub fn check_install(
    package: &Package,
    version: &PackageVersion,
    org: &SubscriberOrg,
    existing: Option<&License>,
) -> Result<(), InstallError> {
    if version.beta && !org.sandbox && org.edition != BETA_EDITION {
        return Err(InstallError::BetaIntoProduction {
            version: version.version,
        });
    }
    if let Some(license) = existing.filter(|l| l.status != LicenseStatus::Uninstalled) {
        if version.version <= license.version_number {
            return Err(InstallError::NotNewer {
                installed: license.version_number,
                package: package.name.to_string(),
            });
        }
    }
    Ok(())
}

/// The versions the org holding `license` may move to, from `versions`
/// (any package's; newest first as given): any version of the package for
/// a reinstall, else only newer ones (see [`check_install`]).
pub fn upgrade_versions<'a>(
    license: &License,
    versions: impl IntoIterator<Item = &'a PackageVersion>,
) -> Vec<&'a PackageVersion> {
    let reinstall = license.status == LicenseStatus::Uninstalled;
    versions
        .into_iter()
        .filter(|v| v.package_id == license.package_id)
        .filter(|v| reinstall || v.version > license.version_number)
        .collect()
}

impl License {
    /// The Used Licenses a subscriber's admin may report: a count from 0 to
    /// Licensed Seats (seats cut below the users already assigned come from
    /// Modify License, not from the org); none for an Uninstalled license or
    /// a Site License, whose Used Licenses stays blank.
    pub fn check_used_licenses(&self, used: u32) -> Result<u32, InstallError> {
        if self.status == LicenseStatus::Uninstalled {
            return Err(InstallError::UsedLicensesUninstalled);
        }
        let Some(seats) = self.seats.get() else {
            return Err(InstallError::UsedLicensesSiteLicense);
        };
        if used > seats {
            return Err(InstallError::UsedLicensesAboveSeats { seats });
        }
        Ok(used)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallInput {
    pub org: SubscriberOrg,
    pub installer: Installer,
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum InstallOutcome {
    LeadAndLicenseCreated {
        lead_id: SfId,
        license_id: SfId,
    },
    LicenseUpdated {
        license_id: SfId,
    },
    /// Kept until the package is registered and licenses are refreshed.
    Pending {
        reason: String,
    },
    /// Nothing was created; `advice` is the troubleshooting checklist.
    Failed {
        reason: String,
        advice: Vec<String>,
    },
    /// An event about an org this package has no license for.
    NoLicense {
        reason: String,
    },
}

impl InstallOutcome {
    /// Pending and failed installs are retried by Refresh Licenses.
    pub fn awaits_refresh(&self) -> bool {
        matches!(
            self,
            InstallOutcome::Pending { .. } | InstallOutcome::Failed { .. }
        )
    }
}

/// The install log: one row per event, with what the LMA did about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstallEvent {
    pub id: SfId,
    pub kind: InstallKind,
    pub org: SubscriberOrg,
    pub installer: Installer,
    pub package_id: SfId,
    pub package_version_id: SfId,
    pub version_number: VersionNumber,
    pub at: NaiveDateTime,
    pub outcome: InstallOutcome,
}

impl InstallEvent {
    pub fn id(&self) -> &SfId {
        &self.id
    }
}

/// What to write: the event always; a lead and/or license when created or
/// updated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstallResult {
    pub event: InstallEvent,
    pub lead: Option<Lead>,
    pub license: Option<License>,
}

/// Handles an install of `version` into `input.org`.
///
/// `existing_license_for_org` is this org's license for this package, if
/// any (an upgrade or reinstall updates it, never adds a second one).
/// `lead_manager` is the user record of `package.lead_manager`, if found.
pub fn install(
    package: &Package,
    version: &PackageVersion,
    existing_license_for_org: Option<&License>,
    lead_manager: Option<&User>,
    input: InstallInput,
    seq: &mut Sequences,
) -> InstallResult {
    let placed = if version.package_id != package.id {
        Placed::failed(
            format!(
                "Version {} ({}) belongs to another package than {}, so no lead or license was created.",
                version.version,
                version.id.to15(),
                package.name
            ),
            vec!["Check that the install event names the right package and version, then select Refresh Licenses.".into()],
        )
    } else {
        place_install(
            &Placement {
                package,
                version_id: &version.id,
                version_number: version.version,
                existing: existing_license_for_org,
                lead_manager,
                org: &input.org,
                installer: &input.installer,
                install_date: input.at.date(),
                start: input.at.date(),
                now: input.at,
            },
            seq,
        )
    };
    InstallResult {
        event: InstallEvent {
            id: seq.next_id(KeyPrefix::InstallEvent),
            kind: placed.kind,
            org: input.org,
            installer: input.installer,
            package_id: package.id.clone(),
            package_version_id: version.id.clone(),
            version_number: version.version,
            at: input.at,
            outcome: placed.outcome,
        },
        lead: placed.lead,
        license: placed.license,
    }
}

pub(crate) struct Placement<'a> {
    pub package: &'a Package,
    pub version_id: &'a SfId,
    pub version_number: VersionNumber,
    pub existing: Option<&'a License>,
    pub lead_manager: Option<&'a User>,
    pub org: &'a SubscriberOrg,
    pub installer: &'a Installer,
    /// The day the customer installed.
    pub install_date: NaiveDate,
    /// The day the license term starts: the install day, or the refresh day
    /// for an install that waited, so the customer still gets the full term.
    pub start: NaiveDate,
    pub now: NaiveDateTime,
}

pub(crate) struct Placed {
    pub kind: InstallKind,
    pub outcome: InstallOutcome,
    pub lead: Option<Lead>,
    pub license: Option<License>,
}

impl Placed {
    fn failed(reason: String, advice: Vec<String>) -> Placed {
        Placed {
            kind: InstallKind::Install,
            outcome: InstallOutcome::Failed { reason, advice },
            lead: None,
            license: None,
        }
    }
}

pub(crate) fn place_install(p: &Placement<'_>, seq: &mut Sequences) -> Placed {
    let existing = p
        .existing
        .filter(|l| l.package_id == p.package.id && l.subscriber_org_id == p.org.org_id);
    if let Some(license) = existing {
        let updated = upgrade(license, p.version_id, p.version_number, p.org, p.now);
        return Placed {
            kind: InstallKind::Upgrade,
            outcome: InstallOutcome::LicenseUpdated {
                license_id: updated.id.clone(),
            },
            lead: None,
            license: Some(updated),
        };
    }

    let Some(default) = p.package.default_license() else {
        return Placed {
            kind: InstallKind::Install,
            outcome: InstallOutcome::Pending {
                reason: format!(
                    "{} isn't registered with the License Management App yet, so no lead or license was created. Register the package, then select Refresh Licenses to create this license.",
                    p.package.name
                ),
            },
            lead: None,
            license: None,
        };
    };

    let owner = match &p.package.lead_manager {
        None => LeadOwner::LicenseManagementApp,
        Some(id) => match p.lead_manager.filter(|u| &u.id == id) {
            Some(user) if user.active => LeadOwner::User(user.id.clone()),
            found => return inactive_lead_manager(id, found),
        },
    };

    let Some(expiration) = default.expiration_from(p.start) else {
        return Placed::failed(
            format!(
                "The default license length from {} runs past the last date this app supports.",
                p.start
            ),
            vec!["Choose a shorter default license length, then select Refresh Licenses.".into()],
        );
    };

    let stamp = Stamp::system(p.now);
    let lead = Lead {
        id: seq.next_id(KeyPrefix::Lead),
        first_name: p.installer.first_name.trim().to_string(),
        last_name: p.installer.last_name.trim().to_string(),
        company: p.installer.company.trim().to_string(),
        email: p.installer.email.trim().to_string(),
        lead_source: LEAD_SOURCE_PACKAGE_INSTALLATION.to_string(),
        owner,
        status: LeadStatus::Open,
        package_id: p.package.id.clone(),
        created: stamp.clone(),
        last_modified: stamp.clone(),
        converted: None,
    };
    // A sandbox is a copy of a production org for testing; charging seats
    // there would double-count users, so it gets a Site License.
    let seats = if p.org.sandbox {
        Seats::SiteLicense
    } else {
        default.seats()
    };
    let status = default.status().license_status();
    let license = License {
        id: seq.next_id(KeyPrefix::License),
        name: seq.next_license_name(),
        status,
        ever_active: status == LicenseStatus::Active,
        seats,
        used_licenses: used_after_install(seats),
        expiration,
        install_date: p.install_date,
        information_current_as_of: p.now,
        instance: p.org.instance.clone(),
        org_edition: p.org.edition.clone(),
        org_status: p.org.status,
        org_expiration_date: p.org.org_expiration_date,
        sandbox: p.org.sandbox,
        subscriber_org_id: p.org.org_id.clone(),
        package_id: p.package.id.clone(),
        package_version_id: p.version_id.clone(),
        version_number: p.version_number,
        lead_id: Some(lead.id.clone()),
        lead_name: lead.full_name(),
        account_id: None,
        contact_id: None,
        license_type: LicenseType::Editable,
        created: stamp.clone(),
        last_modified: stamp,
    };
    Placed {
        kind: InstallKind::Install,
        outcome: InstallOutcome::LeadAndLicenseCreated {
            lead_id: lead.id.clone(),
            license_id: license.id.clone(),
        },
        lead: Some(lead),
        license: Some(license),
    }
}

fn inactive_lead_manager(id: &SfId, found: Option<&User>) -> Placed {
    let who = found.map_or_else(|| format!("the user {}", id.to15()), |u| u.name.clone());
    let reason = match found {
        Some(_) => format!("The package's Lead Manager, {who}, is not an active user, so the License Management App couldn't create the lead and license."),
        None => format!("The package's Lead Manager, {who}, is not a user of this app, so the License Management App couldn't create the lead and license."),
    };
    Placed::failed(
        reason,
        vec![
            format!("Is the lead manager a valid, active user? If not, the LMA can't create leads and licenses: reactivate {who}, or choose an active System Administrator or License Manager as the package's Lead Manager."),
            "Then select Refresh Licenses on the package; the lead and license for this install are created then, usually within a few days in the LMA and at once here.".into(),
            "Did the customer really install the package? A cancelled or failed installation never creates a license.".into(),
        ],
    )
}

/// Used Licenses is blank for a Site License and starts at 0 otherwise.
fn used_after_install(seats: Seats) -> Option<u32> {
    if seats.is_site_license() {
        None
    } else {
        Some(0)
    }
}

/// A reinstalled license can't come back Trial once it has been Active.
fn status_after_reinstall(license: &License) -> LicenseStatus {
    if license.ever_active {
        LicenseStatus::Active
    } else {
        LicenseStatus::Trial
    }
}

pub(crate) fn apply_org(license: &mut License, org: &SubscriberOrg) {
    license.instance = org.instance.clone();
    license.org_edition = org.edition.clone();
    license.org_status = org.status;
    license.org_expiration_date = org.org_expiration_date;
    license.sandbox = org.sandbox;
}

/// An install into an org that already holds this package's license.
pub fn upgrade(
    license: &License,
    version_id: &SfId,
    version_number: VersionNumber,
    org: &SubscriberOrg,
    at: NaiveDateTime,
) -> License {
    let mut updated = license.clone();
    updated.package_version_id = version_id.clone();
    updated.version_number = version_number;
    apply_org(&mut updated, org);
    if license.status == LicenseStatus::Uninstalled {
        updated.status = status_after_reinstall(license);
        updated.used_licenses = used_after_install(license.seats);
    }
    updated.information_current_as_of = at;
    updated.last_modified = Stamp::system(at);
    updated
}

/// The customer uninstalled: the license becomes Uninstalled (read-only)
/// and Used Licenses blank.
pub fn uninstall(license: &License, at: NaiveDateTime) -> License {
    let mut updated = license.clone();
    updated.status = LicenseStatus::Uninstalled;
    updated.used_licenses = None;
    updated.information_current_as_of = at;
    updated.last_modified = Stamp::system(at);
    updated
}

/// A change a subscriber org reports after the install.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrgChange {
    Uninstall,
    UsedLicenses(u32),
    /// The org's own status, edition or instance changed (`org` carries it).
    OrgStatus,
}

/// Logs an uninstall, Used Licenses change or org status change and applies
/// it to the org's license. An org with no license for the package gets a
/// `NoLicense` log row and nothing else. Used Licenses the license can't
/// have ([`License::check_used_licenses`]) are refused.
pub fn record_org_change(
    package: &Package,
    version: &PackageVersion,
    license_for_org: Option<&License>,
    org: SubscriberOrg,
    change: OrgChange,
    at: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<InstallResult, InstallError> {
    let kind = match change {
        OrgChange::Uninstall => InstallKind::Uninstall,
        OrgChange::UsedLicenses(_) => InstallKind::UsedLicensesChanged,
        OrgChange::OrgStatus => InstallKind::OrgStatusChanged,
    };
    let license = match license_for_org
        .filter(|l| l.package_id == package.id && l.subscriber_org_id == org.org_id)
    {
        None => None,
        Some(l) => {
            let mut updated = match change {
                OrgChange::Uninstall => uninstall(l, at),
                OrgChange::UsedLicenses(used) => {
                    let mut u = l.clone();
                    u.used_licenses = Some(l.check_used_licenses(used)?);
                    u
                }
                OrgChange::OrgStatus => l.clone(),
            };
            apply_org(&mut updated, &org);
            updated.information_current_as_of = at;
            updated.last_modified = Stamp::system(at);
            Some(updated)
        }
    };
    let outcome = match &license {
        Some(l) => InstallOutcome::LicenseUpdated {
            license_id: l.id.clone(),
        },
        None => InstallOutcome::NoLicense {
            reason: format!(
                "Org {} has no license for {}, so there was nothing to update.",
                org.org_id.to15(),
                package.name
            ),
        },
    };
    Ok(InstallResult {
        event: InstallEvent {
            id: seq.next_id(KeyPrefix::InstallEvent),
            kind,
            org,
            installer: Installer::default(),
            package_id: package.id.clone(),
            package_version_id: version.id.clone(),
            version_number: version.version,
            at,
            outcome,
        },
        lead: None,
        license,
    })
}

/// Expiration the default license would give an install starting `start`;
/// for previews in the registration form.
pub fn default_expiration(package: &Package, start: NaiveDate) -> Option<Expiration> {
    package.default_license()?.expiration_from(start)
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::domain::license::fixtures::at;
    use crate::domain::package::fixtures::package;
    use crate::domain::registration::{register_package, RegistrationDraft};
    use crate::domain::user::{seed_users, Profile};

    pub fn admin() -> User {
        seed_users()
            .into_iter()
            .find(|u| u.profile == Profile::SystemAdministrator)
            .unwrap()
    }

    pub fn registered(status: &str, days: &str, seats: &str) -> Package {
        register_package(
            &package(),
            &RegistrationDraft {
                status: status.into(),
                length_days: days.into(),
                does_not_expire: days.is_empty(),
                seats: seats.into(),
                site_wide: false,
            },
            &admin(),
            at(2025, 1, 2, 0, 0, 0),
        )
        .unwrap()
    }

    pub fn org(seq: u64, sandbox: bool) -> SubscriberOrg {
        SubscriberOrg {
            org_id: SfId::generate(KeyPrefix::Org, 100 + seq),
            org_name: "Analytical Engines".into(),
            edition: "Enterprise".into(),
            instance: "NA45".into(),
            status: OrgStatus::Active,
            org_expiration_date: None,
            sandbox,
        }
    }

    pub fn input(seq: u64, sandbox: bool, at: NaiveDateTime) -> InstallInput {
        InstallInput {
            org: org(seq, sandbox),
            installer: Installer {
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                company: "Analytical Engines Ltd".into(),
                email: "ada@example.com".into(),
            },
            at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::domain::license::fixtures::{at, date};
    use crate::domain::package::fixtures::{package, version};
    use crate::domain::user::{seed_users, Profile};

    #[test]
    fn registered_install_creates_lead_and_license_from_the_default() {
        let p = registered("Free Trial", "30", "25");
        let mut seq = Sequences::default();
        let r = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 3, 1, 14, 0, 0)),
            &mut seq,
        );
        let lead = r.lead.unwrap();
        let license = r.license.unwrap();
        assert_eq!(
            r.event.outcome,
            InstallOutcome::LeadAndLicenseCreated {
                lead_id: lead.id.clone(),
                license_id: license.id.clone()
            }
        );
        assert_eq!(lead.lead_source, "Package Installation");
        assert_eq!(lead.owner, LeadOwner::LicenseManagementApp);
        assert_eq!(lead.company, "Analytical Engines Ltd");
        assert_eq!(license.name.to_string(), "L-00001");
        assert_eq!(license.status, LicenseStatus::Trial);
        assert!(!license.ever_active);
        assert_eq!(license.install_date, date(2025, 3, 1));
        assert_eq!(license.expiration, Expiration::Date(date(2025, 3, 31)));
        assert_eq!(license.seats.get(), Some(25));
        assert_eq!(license.used_licenses, Some(0));
        assert_eq!(license.lead_id.as_ref(), Some(&lead.id));
        assert_eq!(license.lead_name, "Ada Lovelace");
        assert_eq!(license.version_number.to_string(), "1.0.0");
        assert_eq!(license.id.prefix(), "a0L");
        assert_eq!(lead.id.prefix(), "00Q");

        let second = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(2, false, at(2025, 3, 2, 0, 0, 0)),
            &mut seq,
        );
        assert_eq!(second.license.unwrap().name.to_string(), "L-00002");
    }

    #[test]
    fn active_default_that_does_not_expire() {
        let p = registered("Active", "", "10");
        let r = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut Sequences::default(),
        );
        let license = r.license.unwrap();
        assert_eq!(license.status, LicenseStatus::Active);
        assert!(license.ever_active);
        assert_eq!(license.expiration, Expiration::DoesNotExpire);
    }

    #[test]
    fn sandbox_installs_get_a_site_license() {
        let p = registered("Free Trial", "30", "25");
        let r = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, true, at(2025, 3, 1, 0, 0, 0)),
            &mut Sequences::default(),
        );
        let license = r.license.unwrap();
        assert_eq!(license.seats, Seats::SiteLicense);
        assert_eq!(license.used_licenses, None);
        assert!(license.sandbox);
    }

    #[test]
    fn unregistered_package_keeps_the_install_pending() {
        let r = install(
            &package(),
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut Sequences::default(),
        );
        assert!(r.lead.is_none() && r.license.is_none());
        assert!(matches!(r.event.outcome, InstallOutcome::Pending { .. }));
        assert!(r.event.outcome.awaits_refresh());
    }

    #[test]
    fn inactive_lead_manager_fails_with_troubleshooting() {
        let users = seed_users();
        let inactive = users.iter().find(|u| !u.active).unwrap();
        let mut p = registered("Free Trial", "30", "25");
        p.lead_manager = Some(inactive.id.clone());
        let mut seq = Sequences::default();
        let r = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            Some(inactive),
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut seq,
        );
        assert!(r.lead.is_none() && r.license.is_none());
        let InstallOutcome::Failed { reason, advice } = r.event.outcome else {
            panic!("expected Failed");
        };
        assert!(reason.contains("Dana Whitfield"));
        assert!(advice[0].contains("valid, active user"));
        // No License Name was used up by the failed install.
        assert_eq!(seq.next_license_name().to_string(), "L-00001");

        // A lead manager id with no user record fails too.
        let r = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut seq,
        );
        assert!(matches!(r.event.outcome, InstallOutcome::Failed { .. }));
    }

    #[test]
    fn active_lead_manager_owns_the_lead() {
        let users = seed_users();
        let manager = users
            .iter()
            .find(|u| u.active && u.profile == Profile::LicenseManager)
            .unwrap();
        let mut p = registered("Free Trial", "30", "25");
        p.lead_manager = Some(manager.id.clone());
        let r = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            Some(manager),
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut Sequences::default(),
        );
        assert_eq!(r.lead.unwrap().owner, LeadOwner::User(manager.id.clone()));
    }

    #[test]
    fn install_into_an_org_with_a_license_upgrades_it() {
        let p = registered("Free Trial", "30", "25");
        let mut seq = Sequences::default();
        let first = install(
            &p,
            &version(1, "1.9.2", false),
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut seq,
        );
        let license = first.license.unwrap();
        let r = install(
            &p,
            &version(2, "1.10.0", false),
            Some(&license),
            None,
            input(1, false, at(2025, 4, 1, 0, 0, 0)),
            &mut seq,
        );
        assert_eq!(r.event.kind, InstallKind::Upgrade);
        assert!(r.lead.is_none());
        let upgraded = r.license.unwrap();
        assert_eq!(upgraded.id, license.id);
        assert_eq!(upgraded.name, license.name);
        assert_eq!(upgraded.version_number.to_string(), "1.10.0");
        assert_eq!(upgraded.package_version_id, version(2, "1.10.0", false).id);
        assert_eq!(upgraded.expiration, license.expiration);
    }

    #[test]
    fn uninstall_blanks_used_and_reinstall_restores() {
        let p = registered("Active", "", "25");
        let mut seq = Sequences::default();
        let license = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut seq,
        )
        .license
        .unwrap();
        let gone = uninstall(&license, at(2025, 5, 1, 0, 0, 0));
        assert_eq!(gone.status, LicenseStatus::Uninstalled);
        assert_eq!(gone.used_licenses, None);
        assert!(gone.is_read_only());

        let back = install(
            &p,
            &version(1, "1.0.0", false),
            Some(&gone),
            None,
            input(1, false, at(2025, 6, 1, 0, 0, 0)),
            &mut seq,
        );
        let back = back.license.unwrap();
        assert_eq!(back.id, license.id);
        assert_eq!(back.status, LicenseStatus::Active);
        assert_eq!(back.used_licenses, Some(0));
    }

    #[test]
    fn org_changes_update_the_license_and_are_logged() {
        let p = registered("Active", "", "10");
        let v = version(1, "1.0.0", false);
        let mut seq = Sequences::default();
        let license = install(
            &p,
            &v,
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut seq,
        )
        .license
        .unwrap();
        let when = at(2025, 3, 5, 0, 0, 0);

        // An org's admin assigns at most the licensed seats (10).
        assert_eq!(
            record_org_change(
                &p,
                &v,
                Some(&license),
                org(1, false),
                OrgChange::UsedLicenses(11),
                when,
                &mut seq,
            ),
            Err(InstallError::UsedLicensesAboveSeats { seats: 10 })
        );
        let used = record_org_change(
            &p,
            &v,
            Some(&license),
            org(1, false),
            OrgChange::UsedLicenses(10),
            when,
            &mut seq,
        )
        .unwrap();
        assert_eq!(used.event.kind, InstallKind::UsedLicensesChanged);
        let used = used.license.unwrap();
        assert_eq!(used.available_seats(), Some(0));
        assert_eq!(used.information_current_as_of, when);

        let mut locked = org(1, false);
        locked.status = OrgStatus::Suspended;
        let status = record_org_change(
            &p,
            &v,
            Some(&used),
            locked,
            OrgChange::OrgStatus,
            when,
            &mut seq,
        )
        .unwrap();
        assert_eq!(status.license.unwrap().org_status, OrgStatus::Suspended);

        let gone = record_org_change(
            &p,
            &v,
            Some(&used),
            org(1, false),
            OrgChange::Uninstall,
            when,
            &mut seq,
        )
        .unwrap();
        assert_eq!(gone.event.kind, InstallKind::Uninstall);
        let gone = gone.license.unwrap();
        assert_eq!(gone.status, LicenseStatus::Uninstalled);
        assert_eq!(gone.used_licenses, None);
        // Used Licenses stays blank for an Uninstalled license.
        let refused = record_org_change(
            &p,
            &v,
            Some(&gone),
            org(1, false),
            OrgChange::UsedLicenses(3),
            when,
            &mut seq,
        );
        assert_eq!(refused, Err(InstallError::UsedLicensesUninstalled));
        assert_eq!(gone.used_licenses, None);

        let stranger = record_org_change(
            &p,
            &v,
            None,
            org(9, false),
            OrgChange::Uninstall,
            when,
            &mut seq,
        )
        .unwrap();
        assert!(stranger.license.is_none());
        assert!(matches!(
            stranger.event.outcome,
            InstallOutcome::NoLicense { .. }
        ));
    }

    #[test]
    fn betas_install_only_into_sandboxes_and_developer_edition_orgs() {
        let p = registered("Active", "", "10");
        let beta = version(2, "2.0.0", true);
        let mut production = org(1, false);
        let err = check_install(&p, &beta, &production, None).unwrap_err();
        assert_eq!(
            err,
            InstallError::BetaIntoProduction {
                version: beta.version
            }
        );
        assert_eq!(err.field(), Field::Version);
        assert!(check_install(&p, &beta, &org(1, true), None).is_ok());
        production.edition = "Developer".into();
        assert!(check_install(&p, &beta, &production, None).is_ok());
        assert!(check_install(&p, &version(3, "2.0.0", false), &org(1, false), None).is_ok());
    }

    #[test]
    fn an_installed_package_is_only_upgraded() {
        let p = registered("Active", "", "10");
        let v1 = version(1, "1.2.0", false);
        let mut seq = Sequences::default();
        let mut license = install(
            &p,
            &v1,
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut seq,
        )
        .license
        .unwrap();
        let o = org(1, false);
        let same = check_install(&p, &v1, &o, Some(&license)).unwrap_err();
        assert_eq!(same.field(), Field::Version);
        assert!(matches!(same, InstallError::NotNewer { .. }));
        assert!(check_install(&p, &version(2, "1.1.9", false), &o, Some(&license)).is_err());
        assert!(check_install(&p, &version(3, "1.2.1", false), &o, Some(&license)).is_ok());
        let versions = [
            version(4, "1.3.0", false),
            version(3, "1.2.1", false),
            v1.clone(),
            version(2, "1.1.9", false),
        ];
        let offered: Vec<_> = upgrade_versions(&license, &versions)
            .iter()
            .map(|v| v.version.to_string())
            .collect();
        assert_eq!(offered, ["1.3.0", "1.2.1"]);
        // Uninstalled: any version reinstalls.
        license.status = LicenseStatus::Uninstalled;
        assert!(check_install(&p, &version(2, "1.1.9", false), &o, Some(&license)).is_ok());
        assert_eq!(upgrade_versions(&license, &versions).len(), 4);
        let mut other = version(5, "9.0.0", false);
        other.package_id = SfId::generate(KeyPrefix::Package, 99);
        assert!(upgrade_versions(&license, [&other]).is_empty());
    }

    #[test]
    fn an_installer_needs_a_last_name_and_a_company() {
        let ok = input(1, false, at(2025, 3, 1, 0, 0, 0)).installer;
        assert_eq!(ok.check(), Ok(()));
        let mut no_last = ok.clone();
        no_last.last_name = " ".into();
        assert_eq!(no_last.check(), Err(InstallError::LastNameMissing));
        assert_eq!(InstallError::LastNameMissing.field(), Field::LastName);
        let mut no_company = ok.clone();
        no_company.company = String::new();
        assert_eq!(no_company.check(), Err(InstallError::CompanyMissing));
        assert_eq!(InstallError::CompanyMissing.field(), Field::Company);
        let mut no_first = ok;
        no_first.first_name = String::new();
        no_first.email = String::new();
        assert_eq!(no_first.check(), Ok(()));
    }

    #[test]
    fn a_trial_org_lasts_30_days() {
        let from = date(2025, 3, 2);
        assert_eq!(
            org_expiration_for(OrgStatus::Trial, from),
            Some(date(2025, 4, 1))
        );
        for status in [
            OrgStatus::Active,
            OrgStatus::Free,
            OrgStatus::Suspended,
            OrgStatus::Deleted,
        ] {
            assert_eq!(org_expiration_for(status, from), None);
        }
        assert_eq!(org_expiration_for(OrgStatus::Trial, NaiveDate::MAX), None);
    }

    #[test]
    fn used_licenses_run_from_0_to_the_licensed_seats() {
        let p = registered("Active", "", "10");
        let mut license = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut Sequences::default(),
        )
        .license
        .unwrap();
        assert_eq!(license.check_used_licenses(0), Ok(0));
        assert_eq!(license.check_used_licenses(10), Ok(10));
        assert_eq!(
            license.check_used_licenses(11),
            Err(InstallError::UsedLicensesAboveSeats { seats: 10 })
        );
        license.seats = Seats::SiteLicense;
        assert_eq!(
            license.check_used_licenses(0),
            Err(InstallError::UsedLicensesSiteLicense)
        );
        license.seats = Seats::count(10).unwrap();
        license.status = LicenseStatus::Uninstalled;
        let err = license.check_used_licenses(0).unwrap_err();
        assert_eq!(err, InstallError::UsedLicensesUninstalled);
        assert_eq!(err.field(), Field::UsedLicenses);
    }

    #[test]
    fn a_version_of_another_package_is_refused() {
        let p = registered("Active", "", "25");
        let mut v = version(1, "1.0.0", false);
        v.package_id = SfId::generate(KeyPrefix::Package, 99);
        let r = install(
            &p,
            &v,
            None,
            None,
            input(1, false, at(2025, 3, 1, 0, 0, 0)),
            &mut Sequences::default(),
        );
        assert!(matches!(r.event.outcome, InstallOutcome::Failed { .. }));
        assert!(r.license.is_none());
    }
}
