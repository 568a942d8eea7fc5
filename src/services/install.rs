//! The subscriber simulator's workflows: what AppExchange and the subscriber
//! orgs would send the LMA (a new package or version, an install, an
//! upgrade, an uninstall, a change of Used Licenses or of the org's status),
//! and registering a package.
//!
//! Each event runs the domain's workflow (`install`, `uninstall`,
//! `sync_license`) and is committed atomically with its install-log entry:
//! the event, the lead, the license and the ID counters in one
//! `WriteBatch`. The planners (`plan_*`) are pure, so the demo data is built
//! by the very same code.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use thiserror::Error;

use crate::domain::{
    check_install, install, org_expiration_for, record_org_change,
    register_package as apply_registration, Field, InstallError, InstallEvent, InstallInput,
    InstallResult, Installer, KeyPrefix, License, LicenseStatus, OrgChange, OrgStatus, Package,
    PackageDraft, PackageError, PackageVersion, PackageVersionDraft, PackageVersionError,
    RegistrationDraft, RegistrationError, Sequences, SfId, SubscriberOrg, User, VersionNumber,
    MAX_SEATS,
};
use crate::services::notifications::UninstallAlerts;
use crate::storage::records::{
    outcome_query, INSTALL_ORG, INSTALL_OUTCOME_RECENT, INSTALL_RECENT, LICENSE_ORG,
    VERSION_PACKAGE,
};
use crate::storage::{
    commit_with_counters, install_batch, Index, Query, Repository, StorageError, Stored, WriteBatch,
};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// The simulator form input an error belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimField {
    Form,
    Package,
    Version,
    OrgId,
    OrgName,
    Edition,
    Instance,
    OrgStatus,
    FirstName,
    LastName,
    Company,
    Email,
    UsedLicenses,
    PackageName,
    PackageId,
    DeveloperName,
    DeveloperOrgId,
    VersionName,
    VersionNumber,
    /// The registration form's inputs, as the domain names them.
    Domain(Field),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SimulatorError {
    #[error("{message}")]
    Input { field: SimField, message: String },
    #[error(transparent)]
    Registration(#[from] RegistrationError),
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(transparent)]
    Version(#[from] PackageVersionError),
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl SimulatorError {
    /// A message for one input of a simulator form.
    pub fn input(field: SimField, message: impl Into<String>) -> SimulatorError {
        SimulatorError::Input {
            field,
            message: message.into(),
        }
    }

    /// The input to show the message next to.
    pub fn field(&self) -> SimField {
        match self {
            SimulatorError::Input { field, .. } => *field,
            SimulatorError::Registration(e) => SimField::Domain(e.field()),
            SimulatorError::Package(e) => match e.field() {
                Field::PackageName => SimField::PackageName,
                Field::PackageId => SimField::PackageId,
                Field::DeveloperOrgId => SimField::DeveloperOrgId,
                Field::DeveloperName => SimField::DeveloperName,
                _ => SimField::Form,
            },
            SimulatorError::Install(e) => match e.field() {
                Field::LastName => SimField::LastName,
                Field::Company => SimField::Company,
                Field::UsedLicenses => SimField::UsedLicenses,
                _ => SimField::Version,
            },
            SimulatorError::Version(e) => match e.field() {
                Field::Version => SimField::VersionNumber,
                Field::VersionId => SimField::Form,
                _ => SimField::VersionName,
            },
            SimulatorError::Storage(_) => SimField::Form,
        }
    }
}

// ---------------------------------------------------------------------------
// Pure planners (shared with the demo data)
// ---------------------------------------------------------------------------

/// Installs `version` into `input.org`: a new lead and license from the
/// default license, an upgrade of the org's license, a pending install (not
/// registered) or a failed one (inactive lead manager), as the domain
/// decides. Refuses what the platform itself would not send (the domain's
/// [`check_install`]): a beta into a production org, or a version that
/// isn't newer than the one installed.
pub fn plan_install(
    package: &Package,
    version: &PackageVersion,
    existing: Option<&License>,
    lead_manager: Option<&User>,
    input: InstallInput,
    seq: &mut Sequences,
) -> Result<InstallResult, SimulatorError> {
    if version.package_id != package.id {
        return Err(SimulatorError::input(
            SimField::Version,
            format!(
                "Version {} is not a version of {}.",
                version.version, package.name
            ),
        ));
    }
    check_install(package, version, &input.org, existing)?;
    Ok(install(
        package,
        version,
        existing,
        lead_manager,
        input,
        seq,
    ))
}

/// The customer uninstalled the package: the license becomes Uninstalled
/// and Used Licenses blank (the domain's `record_org_change`).
pub fn plan_uninstall(
    package: &Package,
    version: &PackageVersion,
    license: &License,
    org: SubscriberOrg,
    at: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<InstallResult, SimulatorError> {
    if license.status == LicenseStatus::Uninstalled {
        return Err(SimulatorError::input(
            SimField::Package,
            format!(
                "The package isn't installed in this org: license {} is already Uninstalled.",
                license.name
            ),
        ));
    }
    Ok(record_org_change(
        package,
        version,
        Some(license),
        org,
        OrgChange::Uninstall,
        at,
        seq,
    )?)
}

/// Reads the Used Licenses a subscriber admin assigned: a whole number,
/// which the domain then checks against the license
/// ([`License::check_used_licenses`]: 0 to Licensed Seats, none for an
/// Uninstalled license or a Site License).
pub fn parse_used_licenses(input: &str, license: &License) -> Result<u32, SimulatorError> {
    let text = input.trim();
    let parsed = text
        .parse::<u32>()
        .ok()
        .filter(|_| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
        .filter(|n| *n <= MAX_SEATS);
    match (parsed, license.seats.get()) {
        (Some(used), _) => Ok(license.check_used_licenses(used)?),
        (None, Some(seats)) if license.status != LicenseStatus::Uninstalled => {
            Err(SimulatorError::input(
                SimField::UsedLicenses,
                format!("Enter how many users have a license: a whole number from 0 to {seats}."),
            ))
        }
        // No number can be assigned: the domain says why.
        (None, _) => Ok(license.check_used_licenses(0)?),
    }
}

/// The subscriber's admin assigned licenses to `used` users (checked with
/// [`parse_used_licenses`] first).
pub fn plan_used_licenses(
    package: &Package,
    version: &PackageVersion,
    license: &License,
    org: SubscriberOrg,
    used: u32,
    at: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<InstallResult, SimulatorError> {
    Ok(record_org_change(
        package,
        version,
        Some(license),
        org,
        OrgChange::UsedLicenses(used),
        at,
        seq,
    )?)
}

/// The org's status changed (suspended, deleted, reactivated, trial
/// converted): every license the org holds follows, one log entry per
/// package. `lookup` finds a license's package and installed version.
pub fn plan_org_status<'a>(
    licenses_of_org: &[License],
    org: SubscriberOrg,
    lookup: impl Fn(&License) -> Option<(&'a Package, &'a PackageVersion)>,
    at: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<Vec<InstallResult>, SimulatorError> {
    let mut results = Vec::new();
    for license in licenses_of_org
        .iter()
        .filter(|l| l.subscriber_org_id == org.org_id)
    {
        let Some((package, version)) = lookup(license) else {
            return Err(SimulatorError::input(
                SimField::Form,
                format!(
                    "The package or installed version of license {} is missing; reload and try again.",
                    license.name
                ),
            ));
        };
        results.push(record_org_change(
            package,
            version,
            Some(license),
            org.clone(),
            OrgChange::OrgStatus,
            at,
            seq,
        )?);
    }
    if results.is_empty() {
        return Err(SimulatorError::input(
            SimField::OrgId,
            "No package is licensed to this org, so the LMA has nothing to update.",
        ));
    }
    Ok(results)
}

/// Every subscriber org the install log knows, as it last reported itself,
/// by name.
pub fn known_orgs(events: &[InstallEvent]) -> Vec<SubscriberOrg> {
    recent_orgs(events, usize::MAX)
}

/// The `limit` orgs with the most recent events, as they last reported
/// themselves, by name (the simulator's org picker stays short with 100,000
/// orgs).
pub fn recent_orgs(events: &[InstallEvent], limit: usize) -> Vec<SubscriberOrg> {
    let mut latest: HashMap<&SfId, &InstallEvent> = HashMap::new();
    for e in events {
        let newer = latest
            .get(&e.org.org_id)
            .is_none_or(|seen| (e.at, &e.id) > (seen.at, &seen.id));
        if newer {
            latest.insert(&e.org.org_id, e);
        }
    }
    let mut newest: Vec<&InstallEvent> = latest.into_values().collect();
    if newest.len() > limit {
        crate::sort::sort_by(&mut newest, |a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
        newest.truncate(limit);
    }
    let mut orgs: Vec<SubscriberOrg> = newest.into_iter().map(|e| e.org.clone()).collect();
    crate::sort::sort_by(&mut orgs, |a, b| {
        a.org_name
            .to_lowercase()
            .cmp(&b.org_name.to_lowercase())
            .then_with(|| a.org_id.cmp(&b.org_id))
    });
    orgs
}

/// The next version number after `versions` (minor + 1), for the upload form.
pub fn suggest_next_version(versions: &[PackageVersion]) -> VersionNumber {
    versions
        .iter()
        .map(|v| v.version)
        .max()
        .map_or(VersionNumber::new(1, 0, 0), |v| {
            VersionNumber::new(v.major(), v.minor().saturating_add(1), 0)
        })
}

/// A new version of an existing package: a unique, higher version number,
/// released `today`.
pub fn plan_version(
    package: &Package,
    existing: &[PackageVersion],
    name: &str,
    version: &str,
    beta: bool,
    today: NaiveDate,
    seq: &mut Sequences,
) -> Result<PackageVersion, SimulatorError> {
    let name = if name.trim().is_empty() {
        package.name.to_string()
    } else {
        name.trim().to_string()
    };
    let draft = PackageVersionDraft {
        version_id: seq.next_id(KeyPrefix::PackageVersion).to18().to_string(),
        package_id: package.id.to18().to_string(),
        name,
        version: version.to_string(),
        beta,
        release_date: today.format("%Y-%m-%d").to_string(),
    };
    let new = PackageVersion::try_from(&draft)?;
    new.check_new(package, existing)?;
    Ok(new)
}

/// A package uploaded for the first time, with its first version.
pub fn plan_new_package(
    name: &str,
    developer_name: &str,
    version: &str,
    beta: bool,
    today: NaiveDate,
    now: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<(Package, PackageVersion), SimulatorError> {
    let draft = PackageDraft {
        name: name.to_string(),
        package_id: seq.next_id(KeyPrefix::Package).to18().to_string(),
        developer_name: developer_name.to_string(),
        developer_org_id: seq.next_id(KeyPrefix::Org).to18().to_string(),
        release_date: today.format("%Y-%m-%d").to_string(),
    };
    let package = Package::from_draft(&draft, now)?;
    let first = plan_version(&package, &[], "", version, beta, today, seq)?;
    Ok((package, first))
}

// ---------------------------------------------------------------------------
// Install requests
// ---------------------------------------------------------------------------

/// An install the simulator asks for, its inputs already checked (the
/// install form is read in `components/install_form.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallRequest {
    /// Version ID (`04t`) to install.
    pub version_id: String,
    /// `None`: a new org, whose ID is generated.
    pub org_id: Option<SfId>,
    pub org_name: String,
    pub edition: String,
    pub instance: String,
    pub org_status: OrgStatus,
    pub sandbox: bool,
    pub installer: Installer,
}

impl InstallRequest {
    /// The install as the domain takes it, at `at`: a new org gets the next
    /// org ID, a trial org its Org Expiration Date.
    pub fn input(&self, at: NaiveDateTime, seq: &mut Sequences) -> InstallInput {
        InstallInput {
            org: SubscriberOrg {
                org_id: self
                    .org_id
                    .clone()
                    .unwrap_or_else(|| seq.next_id(KeyPrefix::Org)),
                org_name: self.org_name.clone(),
                edition: self.edition.clone(),
                instance: self.instance.clone(),
                status: self.org_status,
                org_expiration_date: org_expiration_for(self.org_status, at.date()),
                sandbox: self.sandbox,
            },
            installer: self.installer.clone(),
            at,
        }
    }
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// What the simulator page shows and picks from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimulatorData {
    pub packages: Vec<Package>,
    pub versions: Vec<PackageVersion>,
    /// The known orgs with the most recent events (at most
    /// [`SIMULATOR_ORGS`]), by name, with the licenses each holds.
    pub orgs: Vec<(SubscriberOrg, Vec<License>)>,
    /// How many orgs the Install Log knows in all.
    pub orgs_total: usize,
}

/// How many orgs the simulator offers to pick from.
pub const SIMULATOR_ORGS: usize = 500;

impl SimulatorData {
    pub fn package(&self, id: &SfId) -> Option<&Package> {
        self.packages.iter().find(|p| &p.id == id)
    }

    /// A package's versions, newest first.
    pub fn versions_of(&self, package_id: &SfId) -> Vec<&PackageVersion> {
        let mut vs: Vec<&PackageVersion> = self
            .versions
            .iter()
            .filter(|v| &v.package_id == package_id)
            .collect();
        crate::sort::sort_by_key(&mut vs, |v| std::cmp::Reverse(v.version));
        vs
    }
}

pub async fn load_simulator<R: Repository>(repo: &R) -> Result<SimulatorData, StorageError> {
    let mut packages: Vec<Package> = repo.list_records::<Package>().await?;
    crate::sort::sort_by(&mut packages, |a, b| {
        a.name
            .as_str()
            .to_lowercase()
            .cmp(&b.name.as_str().to_lowercase())
    });
    let versions: Vec<PackageVersion> = repo.list_records::<PackageVersion>().await?;
    let events: Vec<InstallEvent> = repo.list_records::<InstallEvent>().await?;
    let licenses: Vec<License> = repo.list_records::<License>().await?;
    let mut by_org: HashMap<SfId, Vec<License>> = HashMap::new();
    for l in licenses {
        by_org
            .entry(l.subscriber_org_id.clone())
            .or_default()
            .push(l);
    }
    let orgs_total = events
        .iter()
        .map(|e| &e.org.org_id)
        .collect::<std::collections::HashSet<_>>()
        .len();
    let orgs = recent_orgs(&events, SIMULATOR_ORGS)
        .into_iter()
        .map(|org| {
            let mut held = by_org.remove(&org.org_id).unwrap_or_default();
            crate::sort::sort_by_key(&mut held, |l| l.name);
            (org, held)
        })
        .collect();
    Ok(SimulatorData {
        packages,
        versions,
        orgs,
        orgs_total,
    })
}

/// The install log, newest first.
pub async fn load_install_log<R: Repository>(repo: &R) -> Result<Vec<InstallEvent>, StorageError> {
    let mut events: Vec<InstallEvent> = repo.list_records::<InstallEvent>().await?;
    sort_newest_first(&mut events);
    Ok(events)
}

/// What the Install Log shows: the newest events its outcome filter selects,
/// read through an index a page at a time. How many there are in all is a
/// separate read ([`count_install_log`]): an index count visits every entry
/// (seconds at 241,282 events), so the page is shown without waiting for it.
#[derive(Debug, Clone, PartialEq)]
pub struct InstallLogPage {
    /// Newest first.
    pub events: Vec<InstallEvent>,
    /// Whether events older than these are left to read.
    pub more: bool,
}

impl InstallLogPage {
    /// How many events the filter selects, when the page alone tells: every
    /// one is shown.
    pub fn total_if_all_shown(&self) -> Option<u64> {
        (!self.more).then_some(self.events.len() as u64)
    }
}

/// Events the Install Log reads at first, and adds on each "Show more".
pub const INSTALL_LOG_PAGE: u32 = 50;

/// The index read and the values selected for the outcome filter `filter`
/// (`"all"`, or an [`outcome_key`](crate::storage::outcome_key)).
fn install_log_query(filter: &str) -> (Index<InstallEvent>, Query) {
    match filter {
        "" | "all" => (INSTALL_RECENT, Query::All),
        outcome => (INSTALL_OUTCOME_RECENT, outcome_query(outcome)),
    }
}

/// The newest `shown` events of the filter `filter`.
pub async fn load_install_log_page<R: Repository>(
    repo: &R,
    filter: &str,
    shown: u32,
) -> Result<InstallLogPage, StorageError> {
    let (index, query) = install_log_query(filter);
    let (events, next) = repo.list_page(index, query, None, shown).await?;
    Ok(InstallLogPage {
        events,
        more: next.is_some(),
    })
}

/// How many events the filter `filter` selects (an index count, without
/// reading them).
pub async fn count_install_log<R: Repository>(repo: &R, filter: &str) -> Result<u64, StorageError> {
    let (index, query) = install_log_query(filter);
    repo.count_found(index, query).await
}

/// Every event of the filter `filter`, newest first (the CSV export).
pub async fn load_install_log_filtered<R: Repository>(
    repo: &R,
    filter: &str,
) -> Result<Vec<InstallEvent>, StorageError> {
    let (index, query) = install_log_query(filter);
    repo.list_found(index, query).await
}

pub fn sort_newest_first(events: &mut [InstallEvent]) {
    crate::sort::sort_by(events, |a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// The org's licenses, as read (the install's updates expect these revisions).
async fn licenses_of_org<R: Repository>(
    repo: &R,
    org_id: &SfId,
) -> Result<Vec<Stored<License>>, StorageError> {
    repo.find(LICENSE_ORG, Query::eq(org_id.to18())).await
}

async fn lead_manager_of<R: Repository>(
    repo: &R,
    package: &Package,
) -> Result<Option<User>, StorageError> {
    match &package.lead_manager {
        Some(id) => Ok(repo.get::<User>(id.to18()).await?.map(|s| s.record)),
        None => Ok(None),
    }
}

async fn load_version<R: Repository>(
    repo: &R,
    version_id: &str,
) -> Result<(Package, PackageVersion), SimulatorError> {
    let unknown =
        || SimulatorError::input(SimField::Version, "Choose a package version to install.");
    let id =
        SfId::parse_with_prefix(version_id, KeyPrefix::PackageVersion).map_err(|_| unknown())?;
    let version = repo
        .get::<PackageVersion>(id.to18())
        .await?
        .ok_or_else(unknown)?
        .record;
    let package = repo
        .get::<Package>(version.package_id.to18())
        .await?
        .ok_or_else(unknown)?
        .record;
    Ok((package, version))
}

fn parse_org_id(org_id: &str) -> Result<SfId, SimulatorError> {
    SfId::parse_with_prefix(org_id, KeyPrefix::Org)
        .map_err(|e| SimulatorError::input(SimField::OrgId, format!("Org ID: {e}")))
}

/// The org as it last reported itself.
async fn known_org<R: Repository>(
    repo: &R,
    org_id: &SfId,
) -> Result<SubscriberOrg, SimulatorError> {
    let events: Vec<InstallEvent> = repo
        .find_records(INSTALL_ORG, Query::eq(org_id.to18()))
        .await?;
    known_orgs(&events).into_iter().next().ok_or_else(|| {
        SimulatorError::input(
            SimField::OrgId,
            "No install is known for this org; install a package into it first.",
        )
    })
}

/// An install the simulator asked for: a new lead and license, an upgrade,
/// a pending or a failed install; committed with its log entry. The
/// installer needs a last name and a company (the domain's
/// [`Installer::check`]).
pub async fn simulate_install<R: Repository>(
    repo: &R,
    request: &InstallRequest,
    now: NaiveDateTime,
) -> Result<InstallEvent, SimulatorError> {
    request.installer.check()?;
    let (package, version) = load_version(repo, &request.version_id).await?;
    let lead_manager = lead_manager_of(repo, &package).await?;
    // A known org may already hold this package's license (an upgrade).
    let held = match &request.org_id {
        Some(id) => licenses_of_org(repo, id).await?,
        None => Vec::new(),
    };
    commit_with_counters(repo, |seq| {
        let input = request.input(now, seq);
        let existing = held
            .iter()
            .map(|s| &s.record)
            .find(|l| l.package_id == package.id && l.subscriber_org_id == input.org.org_id);
        let result = plan_install(
            &package,
            &version,
            existing,
            lead_manager.as_ref(),
            input,
            seq,
        )?;
        let event = result.event.clone();
        Ok((install_batch([result], &held), event))
    })
    .await
}

/// Upgrades (or reinstalls) `version_id` in a known org.
pub async fn simulate_upgrade<R: Repository>(
    repo: &R,
    org_id: &str,
    version_id: &str,
    now: NaiveDateTime,
) -> Result<InstallEvent, SimulatorError> {
    let org_id = parse_org_id(org_id)?;
    let org = known_org(repo, &org_id).await?;
    let (package, version) = load_version(repo, version_id).await?;
    let lead_manager = lead_manager_of(repo, &package).await?;
    let held = licenses_of_org(repo, &org_id).await?;
    let existing = held
        .iter()
        .map(|s| &s.record)
        .find(|l| l.package_id == package.id);
    if existing.is_none() {
        return Err(SimulatorError::input(
            SimField::Package,
            format!(
                "{} holds no license for {}; use Install instead.",
                org.org_name, package.name
            ),
        ));
    }
    commit_with_counters(repo, |seq| {
        let input = InstallInput {
            org: org.clone(),
            installer: Installer::default(),
            at: now,
        };
        let result = plan_install(
            &package,
            &version,
            existing,
            lead_manager.as_ref(),
            input,
            seq,
        )?;
        let event = result.event.clone();
        Ok((install_batch([result], &held), event))
    })
    .await
}

/// The package and the installed version a license points at.
async fn package_and_version<R: Repository>(
    repo: &R,
    license: &License,
) -> Result<(Package, PackageVersion), SimulatorError> {
    let missing = || {
        SimulatorError::input(
            SimField::Form,
            format!(
                "The package or installed version of license {} is missing; reload and try again.",
                license.name
            ),
        )
    };
    let package = repo
        .get::<Package>(license.package_id.to18())
        .await?
        .ok_or_else(missing)?
        .record;
    let version = repo
        .get::<PackageVersion>(license.package_version_id.to18())
        .await?
        .ok_or_else(missing)?
        .record;
    Ok((package, version))
}

struct OrgLicense {
    org: SubscriberOrg,
    package: Package,
    version: PackageVersion,
    license: License,
    /// The org's licenses as read, whose revisions the save expects.
    held: Vec<Stored<License>>,
}

async fn org_license<R: Repository>(
    repo: &R,
    org_id: &str,
    package_id: &str,
) -> Result<OrgLicense, SimulatorError> {
    let org_id = parse_org_id(org_id)?;
    let org = known_org(repo, &org_id).await?;
    let package_id = SfId::parse_with_prefix(package_id, KeyPrefix::Package)
        .map_err(|_| SimulatorError::input(SimField::Package, "Choose a package."))?;
    let held = licenses_of_org(repo, &org_id).await?;
    let license = held
        .iter()
        .map(|s| &s.record)
        .find(|l| l.package_id == package_id)
        .cloned()
        .ok_or_else(|| {
            SimulatorError::input(
                SimField::Package,
                format!("{} holds no license for this package.", org.org_name),
            )
        })?;
    let (package, version) = package_and_version(repo, &license).await?;
    Ok(OrgLicense {
        org,
        package,
        version,
        license,
        held,
    })
}

pub async fn simulate_uninstall<R: Repository>(
    repo: &R,
    org_id: &str,
    package_id: &str,
    now: NaiveDateTime,
) -> Result<InstallEvent, SimulatorError> {
    let o = org_license(repo, org_id, package_id).await?;
    let alerts = UninstallAlerts::load(repo, &[&o.license]).await?;
    commit_with_counters(repo, |seq| {
        let result = plan_uninstall(&o.package, &o.version, &o.license, o.org.clone(), now, seq)?;
        let event = result.event.clone();
        let after = result.license.clone();
        let mut batch = install_batch([result], &o.held);
        // One due notification per uninstall rule, in the same save.
        if let Some(after) = &after {
            alerts.add_to(
                &mut batch,
                Some(&o.license),
                after,
                o.package.name.as_str(),
                now,
            );
        }
        Ok((batch, event))
    })
    .await
}

pub async fn simulate_used_licenses<R: Repository>(
    repo: &R,
    org_id: &str,
    package_id: &str,
    used: &str,
    now: NaiveDateTime,
) -> Result<InstallEvent, SimulatorError> {
    let o = org_license(repo, org_id, package_id).await?;
    let used = parse_used_licenses(used, &o.license)?;
    commit_with_counters(repo, |seq| {
        let result = plan_used_licenses(
            &o.package,
            &o.version,
            &o.license,
            o.org.clone(),
            used,
            now,
            seq,
        )?;
        let event = result.event.clone();
        Ok((install_batch([result], &o.held), event))
    })
    .await
}

/// Suspends, deletes or reactivates an org: every license it holds follows.
pub async fn simulate_org_status<R: Repository>(
    repo: &R,
    org_id: &str,
    status: &str,
    now: NaiveDateTime,
) -> Result<Vec<InstallEvent>, SimulatorError> {
    let org_id = parse_org_id(org_id)?;
    let mut org = known_org(repo, &org_id).await?;
    let status = OrgStatus::parse(status)
        .map_err(|e| SimulatorError::input(SimField::OrgStatus, e.to_string()))?;
    if status == org.status {
        return Err(SimulatorError::input(
            SimField::OrgStatus,
            format!("{} is already {}.", org.org_name, status),
        ));
    }
    org.org_expiration_date = match (status, org.org_expiration_date) {
        (OrgStatus::Trial, Some(date)) => Some(date),
        (s, _) => org_expiration_for(s, now.date()),
    };
    org.status = status;
    let held = licenses_of_org(repo, &org_id).await?;
    let records: Vec<License> = held.iter().map(|s| s.record.clone()).collect();
    let mut sources = Vec::with_capacity(records.len());
    for license in &records {
        sources.push(package_and_version(repo, license).await?);
    }
    commit_with_counters(repo, |seq| {
        let lookup = |l: &License| {
            sources
                .iter()
                .find(|(p, v)| p.id == l.package_id && v.id == l.package_version_id)
                .map(|(p, v)| (p, v))
        };
        let results = plan_org_status(&records, org.clone(), lookup, now, seq)?;
        let events = results.iter().map(|r| r.event.clone()).collect();
        Ok((install_batch(results, &held), events))
    })
    .await
}

/// The upload form: a new version of a package, or a new package (when
/// `package_id` is blank) with its first version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadForm {
    /// Blank: a new package named `package_name`.
    pub package_id: String,
    pub package_name: String,
    pub developer_name: String,
    pub version_name: String,
    pub version: String,
    pub beta: bool,
}

/// Uploads a version (and the package, when new). Returns the version.
pub async fn upload_version<R: Repository>(
    repo: &R,
    form: &UploadForm,
    now: NaiveDateTime,
) -> Result<PackageVersion, SimulatorError> {
    let today = now.date();
    if form.package_id.trim().is_empty() {
        return commit_with_counters(repo, |seq| {
            let (package, version) = plan_new_package(
                &form.package_name,
                &form.developer_name,
                &form.version,
                form.beta,
                today,
                now,
                seq,
            )?;
            let mut batch = WriteBatch::new();
            batch.create(package);
            batch.create(version.clone());
            Ok((batch, version))
        })
        .await;
    }
    let id = SfId::parse_with_prefix(&form.package_id, KeyPrefix::Package)
        .map_err(|_| SimulatorError::input(SimField::Package, "Choose a package."))?;
    let package = repo
        .get::<Package>(id.to18())
        .await?
        .ok_or_else(|| SimulatorError::input(SimField::Package, "Choose a package."))?
        .record;
    let existing: Vec<PackageVersion> = repo
        .find_records(VERSION_PACKAGE, Query::eq(package.id.to18()))
        .await?;
    commit_with_counters(repo, |seq| {
        let version = plan_version(
            &package,
            &existing,
            &form.version_name,
            &form.version,
            form.beta,
            today,
            seq,
        )?;
        let mut batch = WriteBatch::new();
        batch.create(version.clone());
        Ok((batch, version))
    })
    .await
}

/// Registers (links) a package with the LMA: the domain checks the System
/// Administrator profile, that it isn't registered yet, and the default
/// license. Saved at the revision read, so a registration in another tab
/// meanwhile is refused.
pub async fn register_package<R: Repository>(
    repo: &R,
    package_id: &str,
    draft: &RegistrationDraft,
    actor: &User,
    now: NaiveDateTime,
) -> Result<Package, SimulatorError> {
    let id = SfId::parse_with_prefix(package_id, KeyPrefix::Package)
        .map_err(|_| SimulatorError::input(SimField::Package, "Choose the package to register."))?;
    let stored = repo.get::<Package>(id.to18()).await?.ok_or_else(|| {
        SimulatorError::input(SimField::Package, "Choose the package to register.")
    })?;
    let registered = apply_registration(&stored.record, draft, actor, now)?;
    commit_with_counters(repo, |_| {
        let mut batch = WriteBatch::new();
        batch.update(Stored {
            rev: stored.rev,
            record: registered.clone(),
        });
        Ok::<_, SimulatorError>((batch, ()))
    })
    .await?;
    Ok(registered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{seed_users, InstallKind, InstallOutcome, Profile, RegistrationDraft};
    use crate::storage::MemoryRepository;
    use chrono::NaiveDate;

    fn at(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 3, d)
            .and_then(|x| x.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    fn admin() -> User {
        seed_users()
            .into_iter()
            .find(|u| u.profile == Profile::SystemAdministrator)
            .unwrap()
    }

    fn setup(seq: &mut Sequences) -> (Package, PackageVersion) {
        let (p, v) = plan_new_package(
            "Invoice Pro",
            "Invoice Pro Dev",
            "1.0.0",
            false,
            at(1, 9).date(),
            at(1, 9),
            seq,
        )
        .unwrap();
        let p = crate::domain::register_package(
            &p,
            &RegistrationDraft {
                status: "Active".into(),
                length_days: "365".into(),
                does_not_expire: false,
                seats: "25".into(),
                site_wide: false,
            },
            &admin(),
            at(1, 10),
        )
        .unwrap();
        (p, v)
    }

    fn request(version: &PackageVersion) -> InstallRequest {
        InstallRequest {
            version_id: version.id.to18().into(),
            org_id: None,
            org_name: "Northwind".into(),
            edition: "Enterprise".into(),
            instance: "NA45".into(),
            org_status: OrgStatus::Active,
            sandbox: false,
            installer: Installer {
                first_name: "Ada".into(),
                last_name: "Lovelace".into(),
                company: "Northwind Traders".into(),
                email: "ada@northwind.example".into(),
            },
        }
    }

    #[test]
    fn upgrades_need_a_newer_version_and_betas_a_sandbox() {
        let mut seq = Sequences::default();
        let (p, v1) = setup(&mut seq);
        let input = request(&v1).input(at(2, 9), &mut seq);
        let org = input.org.clone();
        let first = plan_install(&p, &v1, None, None, input, &mut seq).unwrap();
        let license = first.license.unwrap();
        let again = InstallInput {
            org: org.clone(),
            installer: Installer::default(),
            at: at(3, 9),
        };
        let err = plan_install(&p, &v1, Some(&license), None, again.clone(), &mut seq).unwrap_err();
        assert_eq!(err.field(), SimField::Version);
        let beta = plan_version(
            &p,
            std::slice::from_ref(&v1),
            "",
            "2.0.0",
            true,
            at(3, 9).date(),
            &mut seq,
        )
        .unwrap();
        let err =
            plan_install(&p, &beta, Some(&license), None, again.clone(), &mut seq).unwrap_err();
        assert!(err.to_string().contains("beta"));
        let v2 = plan_version(
            &p,
            std::slice::from_ref(&v1),
            "",
            "1.10.0",
            false,
            at(3, 9).date(),
            &mut seq,
        )
        .unwrap();
        let up = plan_install(&p, &v2, Some(&license), None, again, &mut seq).unwrap();
        assert_eq!(up.event.kind, InstallKind::Upgrade);
        assert_eq!(up.license.unwrap().version_number.to_string(), "1.10.0");
        // Lower and repeated numbers are refused on upload.
        let err = plan_version(
            &p,
            &[v1.clone(), v2.clone()],
            "",
            "1.9.0",
            false,
            at(3, 9).date(),
            &mut seq,
        )
        .unwrap_err();
        assert_eq!(err.field(), SimField::VersionNumber);
        let err = plan_version(
            &p,
            &[v1, v2],
            "",
            "1.10.0",
            false,
            at(3, 9).date(),
            &mut seq,
        )
        .unwrap_err();
        assert_eq!(err.field(), SimField::VersionNumber);
    }

    #[test]
    fn used_licenses_stay_within_seats_and_follow_uninstall() {
        let mut seq = Sequences::default();
        let (p, v1) = setup(&mut seq);
        let input = request(&v1).input(at(2, 9), &mut seq);
        let org = input.org.clone();
        let license = plan_install(&p, &v1, None, None, input, &mut seq)
            .unwrap()
            .license
            .unwrap();
        assert_eq!(parse_used_licenses("25", &license), Ok(25));
        assert!(parse_used_licenses("26", &license).is_err());
        assert!(parse_used_licenses("-1", &license).is_err());
        let used =
            plan_used_licenses(&p, &v1, &license, org.clone(), 12, at(4, 9), &mut seq).unwrap();
        let license = used.license.unwrap();
        assert_eq!(license.used_licenses, Some(12));
        assert_eq!(used.event.kind, InstallKind::UsedLicensesChanged);
        let gone = plan_uninstall(&p, &v1, &license, org.clone(), at(5, 9), &mut seq).unwrap();
        let license = gone.license.unwrap();
        assert_eq!(license.status, LicenseStatus::Uninstalled);
        assert_eq!(license.used_licenses, None);
        assert!(plan_uninstall(&p, &v1, &license, org, at(6, 9), &mut seq).is_err());
        assert!(parse_used_licenses("3", &license).is_err());
    }

    #[test]
    fn the_org_picker_keeps_the_most_recent_orgs() {
        let d = crate::demo::build_demo_data(
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            at(1, 9),
            crate::demo::DemoSize::Normal,
        );
        let all = known_orgs(&d.installs);
        let recent = recent_orgs(&d.installs, 10);
        assert_eq!(recent.len(), 10);
        assert!(all.len() > 150);
        let newest = d
            .installs
            .iter()
            .max_by_key(|e| (e.at, e.id.clone()))
            .unwrap();
        assert!(recent.iter().any(|o| o.org_id == newest.org.org_id));
        let names: Vec<String> = recent.iter().map(|o| o.org_name.to_lowercase()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
    }

    #[test]
    fn org_status_changes_every_license_of_the_org() {
        let mut seq = Sequences::default();
        let (p, v1) = setup(&mut seq);
        let input = request(&v1).input(at(2, 9), &mut seq);
        let mut org = input.org.clone();
        let license = plan_install(&p, &v1, None, None, input, &mut seq)
            .unwrap()
            .license
            .unwrap();
        org.status = OrgStatus::Suspended;
        let results =
            plan_org_status(&[license], org, |_| Some((&p, &v1)), at(3, 9), &mut seq).unwrap();
        assert_eq!(results.len(), 1);
        let l = results[0].license.as_ref().unwrap();
        assert_eq!(l.org_status, OrgStatus::Suspended);
        assert_eq!(results[0].event.kind, InstallKind::OrgStatusChanged);
    }

    #[test]
    fn simulated_events_commit_with_their_log_entry() {
        futures::executor::block_on(async {
            let repo = MemoryRepository::new();
            repo.put_all(seed_users(), crate::storage::Expect::Any)
                .await
                .unwrap();
            let upload = UploadForm {
                package_name: "Invoice Pro".into(),
                developer_name: "Invoice Pro Dev".into(),
                version: "1.0.0".into(),
                ..Default::default()
            };
            let v1 = upload_version(&repo, &upload, at(1, 9)).await.unwrap();
            // Not registered yet: the install is pending, nothing else is written.
            let event = simulate_install(&repo, &request(&v1), at(2, 9))
                .await
                .unwrap();
            assert!(matches!(event.outcome, InstallOutcome::Pending { .. }));
            assert_eq!(repo.count::<License>().await.unwrap(), 0);
            assert_eq!(repo.count::<InstallEvent>().await.unwrap(), 1);

            let draft = RegistrationDraft {
                status: "Free Trial".into(),
                length_days: "30".into(),
                does_not_expire: false,
                seats: "10".into(),
                site_wide: false,
            };
            let err = register_package(
                &repo,
                v1.package_id.to18(),
                &draft,
                &seed_users()[2],
                at(2, 10),
            )
            .await
            .unwrap_err();
            assert!(matches!(err, SimulatorError::Registration(_)));
            register_package(&repo, v1.package_id.to18(), &draft, &admin(), at(2, 10))
                .await
                .unwrap();

            let event = simulate_install(&repo, &request(&v1), at(3, 9))
                .await
                .unwrap();
            assert!(matches!(
                event.outcome,
                InstallOutcome::LeadAndLicenseCreated { .. }
            ));
            let org = event.org.org_id.to18().to_string();
            let upload2 = UploadForm {
                package_id: v1.package_id.to18().into(),
                version: "1.1.0".into(),
                ..Default::default()
            };
            let v2 = upload_version(&repo, &upload2, at(4, 9)).await.unwrap();
            let up = simulate_upgrade(&repo, &org, v2.id.to18(), at(5, 9))
                .await
                .unwrap();
            assert_eq!(up.kind, InstallKind::Upgrade);
            let used = simulate_used_licenses(&repo, &org, v1.package_id.to18(), "7", at(6, 9))
                .await
                .unwrap();
            assert_eq!(used.kind, InstallKind::UsedLicensesChanged);
            let status = simulate_org_status(&repo, &org, "Suspended", at(7, 9))
                .await
                .unwrap();
            assert_eq!(status.len(), 1);
            // Two uninstall rules (and an expiration rule, which makes none).
            let users = seed_users();
            let rep = users.iter().find(|u| u.active).unwrap();
            for _ in 0..2 {
                crate::services::alerts::add_uninstall_rule(&repo, rep.id.to18(), &users)
                    .await
                    .unwrap();
            }
            crate::services::alerts::add_rule(
                &repo,
                &crate::domain::AlertRuleDraft {
                    days_before: "30".into(),
                    recipient: rep.id.to18().into(),
                },
                &users,
            )
            .await
            .unwrap();
            simulate_uninstall(&repo, &org, v1.package_id.to18(), at(8, 9))
                .await
                .unwrap();
            let notices = repo
                .all_records::<crate::domain::NotificationRecord>()
                .await
                .unwrap();
            assert_eq!(notices.len(), 2, "one per uninstall rule");
            let queue = crate::services::notifications::load_queue(&repo, &users, at(8, 9).date())
                .await
                .unwrap();
            assert_eq!(queue.due.len(), 2);
            let company = &request(&v1).installer.company;
            assert!(queue.due[0]
                .subject
                .starts_with(&format!("{company} uninstalled Invoice Pro 1.1.0")));
            assert!(queue.due[0].body.contains("installed it on 2025-"));
            // Already Uninstalled: refused, and no notification is added.
            assert!(
                simulate_uninstall(&repo, &org, v1.package_id.to18(), at(9, 9))
                    .await
                    .is_err()
            );
            assert_eq!(
                repo.count::<crate::domain::NotificationRecord>()
                    .await
                    .unwrap(),
                2
            );
            let licenses = repo.get_all::<License>().await.unwrap();
            assert_eq!(licenses.len(), 1);
            let l = &licenses[0].record;
            assert_eq!(l.status, LicenseStatus::Uninstalled);
            assert_eq!(l.version_number.to_string(), "1.1.0");
            assert_eq!(l.org_status, OrgStatus::Suspended);
            let log = load_install_log(&repo).await.unwrap();
            assert_eq!(log.len(), 6);
            assert_eq!(log[0].kind, InstallKind::Uninstall);
            // Read through the index a page at a time: the same, newest first.
            let page = load_install_log_page(&repo, "all", 4).await.unwrap();
            assert_eq!((page.total_if_all_shown(), page.more), (None, true));
            assert_eq!(count_install_log(&repo, "all").await.unwrap(), 6);
            assert_eq!(page.events, log[..4].to_vec());
            let whole = load_install_log_page(&repo, "all", 50).await.unwrap();
            assert_eq!((whole.events.clone(), whole.more), (log.clone(), false));
            assert_eq!(whole.total_if_all_shown(), Some(6));
            for filter in ["created", "updated", "pending", "failed", "none"] {
                let wanted: Vec<InstallEvent> = log
                    .iter()
                    .filter(|e| crate::storage::outcome_key(&e.outcome) == filter)
                    .cloned()
                    .collect();
                let page = load_install_log_page(&repo, filter, 50).await.unwrap();
                assert_eq!(page.events, wanted, "{filter}");
                let total = count_install_log(&repo, filter).await.unwrap();
                assert_eq!(total as usize, wanted.len(), "{filter}");
                assert_eq!(page.total_if_all_shown(), Some(total), "{filter}");
                let export = load_install_log_filtered(&repo, filter).await.unwrap();
                assert_eq!(export, wanted, "{filter}");
            }
            let sim = load_simulator(&repo).await.unwrap();
            assert_eq!(sim.orgs.len(), 2);
        });
    }
}
