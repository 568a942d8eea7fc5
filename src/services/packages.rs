//! Packages: the list and detail read models, and the two workflows a user
//! runs on a package, Edit (the Lead Manager) and Refresh Licenses.
//!
//! Each workflow loads what it needs, lets the domain decide, and commits
//! every write as one `WriteBatch` in which each record expects the
//! revision it was read at: if another tab saved one of them in between,
//! the whole save is refused with a conflict and nothing is written.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use thiserror::Error;

use crate::domain::{
    latest_version, next_refresh_allowed, refresh_licenses as apply_refresh, Field, InstallEvent,
    InstallKind, InstalledVersion, LeadManagerError, License, LicenseStatus, Package,
    PackageVersion, RefreshError, RefreshSources, SfId, Stamp, SubscriberOrgState, User,
};
use crate::services::join::join2;
use crate::services::notifications::UninstallAlerts;
use crate::storage::records::{
    package_name_query, INSTALL_PACKAGE, LICENSE_PACKAGE_NAME, VERSION_PACKAGE,
};
use crate::storage::{
    commit_with_counters, refresh_batch, Query, Repository, StorageError, StoreName, Stored,
    WriteBatch,
};

pub use crate::domain::LICENSE_MANAGEMENT_APP;
pub use crate::format::{date_text, date_time_text};

// ---------------------------------------------------------------------------
// Names of users and stamps
// ---------------------------------------------------------------------------

/// Every user by 18-character ID, to show names.
pub type UsersById = HashMap<String, User>;

pub fn users_by_id(users: impl IntoIterator<Item = User>) -> UsersById {
    users
        .into_iter()
        .map(|u| (u.id.to18().to_string(), u))
        .collect()
}

pub async fn load_users<R: Repository>(repo: &R) -> Result<UsersById, StorageError> {
    Ok(users_by_id(repo.list_records::<User>().await?))
}

/// A user's name; an ID no user has is shown in its 15-character form.
pub fn user_name(users: &UsersById, id: &SfId) -> String {
    users
        .get(id.to18())
        .map_or_else(|| id.to15().to_string(), |u| u.name.clone())
}

/// "Created By" / "Last Modified By": who and when, as the LMA shows it.
pub fn stamp_text(users: &UsersById, stamp: &Stamp) -> String {
    crate::format::stamp_text(stamp, |id| user_name(users, id))
}

/// Parses an ID from a URL or form; anything else is simply "not found".
fn parse_id(id: &str) -> Option<SfId> {
    SfId::parse(id.trim()).ok()
}

fn not_found(store: StoreName, id: &str) -> StorageError {
    StorageError::NotFound {
        what: store.label(),
        id: id.trim().chars().take(40).collect(),
    }
}

// ---------------------------------------------------------------------------
// Package list
// ---------------------------------------------------------------------------

/// One row of the Packages list view.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageRow {
    /// 18-character Package ID, for the link.
    pub id: String,
    pub name: String,
    pub package_id: String,
    pub developer_name: String,
    /// Blank when no released version is registered.
    pub latest_version: String,
    /// Blank when the package has none (the LMA then owns the leads).
    pub lead_manager: String,
    pub release_date: String,
}

/// Rows sorted by Package Name (case-insensitive), then Package ID.
pub fn package_rows(
    packages: &[Package],
    versions: &[PackageVersion],
    users: &UsersById,
) -> Vec<PackageRow> {
    let mut by_package: HashMap<&SfId, Vec<PackageVersion>> = HashMap::new();
    for v in versions {
        by_package.entry(&v.package_id).or_default().push(v.clone());
    }
    let mut rows: Vec<PackageRow> = packages
        .iter()
        .map(|p| PackageRow {
            id: p.id.to18().to_string(),
            name: p.name.to_string(),
            package_id: p.id.to18().to_string(),
            developer_name: p.developer_name.clone(),
            latest_version: by_package
                .get(&p.id)
                .and_then(|vs| latest_version(vs))
                .map(|v| v.version.to_string())
                .unwrap_or_default(),
            lead_manager: p
                .lead_manager
                .as_ref()
                .map(|id| user_name(users, id))
                .unwrap_or_default(),
            release_date: date_text(p.release_date),
        })
        .collect();
    crate::sort::sort_by(&mut rows, |a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

pub async fn load_package_rows<R: Repository>(repo: &R) -> Result<Vec<PackageRow>, StorageError> {
    let packages: Vec<Package> = repo.list_records::<Package>().await?;
    let versions: Vec<PackageVersion> = repo.list_records::<PackageVersion>().await?;
    let users = load_users(repo).await?;
    Ok(package_rows(&packages, &versions, &users))
}

// ---------------------------------------------------------------------------
// Package detail
// ---------------------------------------------------------------------------

/// Everything the package page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageDetail {
    pub package: Stored<Package>,
    /// Newest first, in numeric version order (`1.10.0` before `1.9.2`).
    pub versions: Vec<PackageVersion>,
    /// The package's first licenses by License Name (as many as asked for).
    pub licenses: Vec<License>,
    /// Whether the package has more licenses than these: then how many is a
    /// separate read, [`count_package_licenses`] (an index count visits every
    /// one, too slow to make the page wait at 25,000).
    pub more_licenses: bool,
    pub latest_version: Option<PackageVersion>,
    /// The Lead Manager's user record, if the package has one and it exists.
    pub lead_manager: Option<User>,
    /// The Lead Manager's name as shown (blank when none).
    pub lead_manager_name: String,
    pub created_by: String,
    pub last_modified_by: String,
    /// When Refresh Licenses is next allowed (`None`: never refreshed).
    pub next_refresh: Option<NaiveDateTime>,
}

/// Newest version first: by version number, then release date.
pub fn sort_versions_newest_first(versions: &mut [PackageVersion]) {
    crate::sort::sort_by(versions, |a, b| {
        b.version
            .cmp(&a.version)
            .then_with(|| b.release_date.cmp(&a.release_date))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// By License Name (`L-00001` first).
pub fn sort_licenses_by_name(licenses: &mut [License]) {
    crate::sort::sort_by_key(licenses, |l| l.name.number());
}

/// The package with this ID (15 or 18 characters) and its related records,
/// of its licenses the first `licenses_shown` by License Name (read through
/// an index, not the whole store); `None` if there is no such package.
pub async fn load_package_detail<R: Repository>(
    repo: &R,
    id: &str,
    licenses_shown: u32,
) -> Result<Option<PackageDetail>, StorageError> {
    let Some(id) = parse_id(id) else {
        return Ok(None);
    };
    // The reads need only the ID: IndexedDB serves them together.
    let ((package, versions), (page, users)) = join2(
        join2(
            repo.get::<Package>(id.to18()),
            repo.list_found(VERSION_PACKAGE, Query::eq(id.to18())),
        ),
        join2(
            repo.list_page(
                LICENSE_PACKAGE_NAME,
                package_name_query(&id),
                None,
                licenses_shown,
            ),
            load_users(repo),
        ),
    )
    .await;
    let Some(package) = package? else {
        return Ok(None);
    };
    let mut versions: Vec<PackageVersion> = versions?;
    sort_versions_newest_first(&mut versions);
    let (licenses, next) = page?;
    let users = users?;
    let p = &package.record;
    Ok(Some(PackageDetail {
        latest_version: latest_version(&versions).cloned(),
        lead_manager: p
            .lead_manager
            .as_ref()
            .and_then(|m| users.get(m.to18()).cloned()),
        lead_manager_name: p
            .lead_manager
            .as_ref()
            .map(|m| user_name(&users, m))
            .unwrap_or_default(),
        created_by: stamp_text(&users, &p.created),
        last_modified_by: stamp_text(&users, &p.last_modified),
        next_refresh: next_refresh_allowed(p),
        versions,
        licenses,
        more_licenses: next.is_some(),
        package,
    }))
}

/// How many licenses the package with this ID has (an index count).
pub async fn count_package_licenses<R: Repository>(
    repo: &R,
    package_id: &str,
) -> Result<u64, StorageError> {
    match parse_id(package_id) {
        Some(id) => {
            repo.count_found(LICENSE_PACKAGE_NAME, package_name_query(&id))
                .await
        }
        None => Ok(0),
    }
}

/// Every license of the package, by License Name (the related list's CSV).
pub async fn load_package_licenses<R: Repository>(
    repo: &R,
    package_id: &str,
) -> Result<Vec<License>, StorageError> {
    match parse_id(package_id) {
        Some(id) => {
            repo.list_found(LICENSE_PACKAGE_NAME, package_name_query(&id))
                .await
        }
        None => Ok(Vec::new()),
    }
}

// ---------------------------------------------------------------------------
// Edit: Lead Manager
// ---------------------------------------------------------------------------

/// Why the Lead Manager was not saved. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LeadManagerFailure {
    #[error(transparent)]
    Rule(#[from] LeadManagerError),
    #[error("The chosen Lead Manager ({id}) is not a user of this app. Choose another user.")]
    UnknownUser { id: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl LeadManagerFailure {
    /// The form input the message belongs by.
    pub fn field(&self) -> Field {
        match self {
            LeadManagerFailure::Rule(e) => e.field(),
            LeadManagerFailure::UnknownUser { .. } => Field::LeadManager,
            LeadManagerFailure::Storage(_) => Field::Form,
        }
    }
}

/// Sets (or, with `None`, clears) the package's Lead Manager, if the domain
/// allows: the actor needs Edit Lead Manager, and the new manager must be
/// an active user with Read+Edit on licenses. `seen_rev` is the revision
/// the form showed: if the package was saved since (in another tab), the
/// save is refused with a conflict instead of overwriting what the user
/// never saw.
pub async fn edit_lead_manager<R: Repository>(
    repo: &R,
    package_id: &str,
    seen_rev: Option<u64>,
    new_manager: Option<&str>,
    actor: &User,
    now: NaiveDateTime,
) -> Result<Stored<Package>, LeadManagerFailure> {
    let stored = match parse_id(package_id) {
        Some(id) => repo.get::<Package>(id.to18()).await?,
        None => None,
    }
    .ok_or_else(|| not_found(StoreName::Packages, package_id))?;
    if seen_rev.is_some_and(|seen| seen != stored.rev) {
        return Err(StorageError::Conflict {
            store: StoreName::Packages,
            id: stored.record.name.to_string(),
        }
        .into());
    }
    let manager = match new_manager.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => {
            let found = match parse_id(raw) {
                Some(id) => repo.get::<User>(id.to18()).await?,
                None => None,
            };
            Some(
                found
                    .map(|s| s.record)
                    .ok_or_else(|| LeadManagerFailure::UnknownUser {
                        id: raw.chars().take(40).collect(),
                    })?,
            )
        }
    };
    let updated = stored
        .record
        .edit_lead_manager(manager.as_ref(), actor, now)?;
    if updated.lead_manager == stored.record.lead_manager {
        // Nothing changed: nothing to save.
        return Ok(stored);
    }
    let rev = stored.rev;
    commit_with_counters(repo, |_| {
        let mut batch = WriteBatch::new();
        batch.update(Stored {
            rev,
            record: updated.clone(),
        });
        // The update expected `rev`, so the commit stored the next one.
        Ok((batch, rev.saturating_add(1)))
    })
    .await
    .map(|rev| Stored {
        rev,
        record: updated,
    })
}

// ---------------------------------------------------------------------------
// Refresh Licenses
// ---------------------------------------------------------------------------

/// Why Refresh Licenses did not run. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefreshFailure {
    #[error(transparent)]
    Rule(#[from] RefreshError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What a refresh did, for the success notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSummary {
    pub package_name: String,
    /// Existing licenses re-synced with their subscriber org.
    pub licenses_updated: usize,
    /// Licenses created for installs that were pending or had failed.
    pub licenses_created: usize,
    pub leads_created: usize,
    /// Pending or failed installs retried (created or not).
    pub installs_retried: usize,
    pub refreshed_at: NaiveDateTime,
    pub next_allowed: Option<NaiveDateTime>,
}

impl RefreshSummary {
    /// The success notice.
    pub fn message(&self) -> String {
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let mut text = format!(
            "Licenses for {} were refreshed: {} re-synced, {} created",
            self.package_name,
            plural(self.licenses_updated, "license", "licenses"),
            plural(self.licenses_created, "license", "licenses"),
        );
        if self.installs_retried > 0 {
            text.push_str(&format!(
                " ({} retried)",
                plural(self.installs_retried, "pending install", "pending installs")
            ));
        }
        text.push('.');
        if let Some(next) = self.next_allowed {
            text.push_str(&format!(
                " The next refresh is allowed from {}.",
                date_time_text(next)
            ));
        }
        text
    }
}

/// What each subscriber org reports about `package_id`, as told by its
/// install events (the latest Install, Upgrade or Uninstall per org, with
/// the org as last reported). Orgs without events report nothing, so their
/// licenses are left as they are.
pub fn org_states_from_events(
    package_id: &SfId,
    events: &[InstallEvent],
) -> Vec<SubscriberOrgState> {
    let mut ordered: Vec<&InstallEvent> = events
        .iter()
        .filter(|e| &e.package_id == package_id)
        .collect();
    crate::sort::sort_by(&mut ordered, |a, b| {
        a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id))
    });
    let mut states: Vec<SubscriberOrgState> = Vec::new();
    for event in ordered {
        let slot = match states.iter().position(|s| s.org.org_id == event.org.org_id) {
            Some(i) => i,
            None => {
                states.push(SubscriberOrgState {
                    org: event.org.clone(),
                    package_id: package_id.clone(),
                    installed: None,
                    used_licenses: None,
                });
                states.len() - 1
            }
        };
        let Some(state) = states.get_mut(slot) else {
            continue;
        };
        state.org = event.org.clone();
        match event.kind {
            InstallKind::Install | InstallKind::Upgrade => {
                state.installed = Some(InstalledVersion {
                    version_id: event.package_version_id.clone(),
                    version_number: event.version_number,
                });
            }
            InstallKind::Uninstall => state.installed = None,
            InstallKind::UsedLicensesChanged | InstallKind::OrgStatusChanged => {}
        }
    }
    states
}

/// Refresh Licenses for one package: at most once every 7 days (the
/// domain's refusal says when the next refresh is allowed). Re-syncs every
/// license of the package with what its subscriber org's install events
/// report, retries the package's pending and failed installs, and records
/// the refresh time on the package, all in one atomic save.
pub async fn refresh_licenses<R: Repository>(
    repo: &R,
    package_id: &str,
    actor: &User,
    now: NaiveDateTime,
) -> Result<RefreshSummary, RefreshFailure> {
    let stored = match parse_id(package_id) {
        Some(id) => repo.get::<Package>(id.to18()).await?,
        None => None,
    }
    .ok_or_else(|| not_found(StoreName::Packages, package_id))?;
    // Refused early (permission, not registered, within 7 days) before
    // reading every license.
    crate::domain::check_refresh(&stored.record, actor, now)?;
    let key = stored.record.id.to18().to_string();
    let mut licenses = repo
        .find(LICENSE_PACKAGE_NAME, package_name_query(&stored.record.id))
        .await?;
    // In key order, the order the index by Package ID (deleted by schema 8)
    // gave: the refresh matches a license to an org's installs by the
    // first it finds.
    licenses.sort_unstable_by(|a, b| a.record.id.to18().cmp(b.record.id.to18()));
    let events = repo.find(INSTALL_PACKAGE, Query::eq(key.clone())).await?;
    let lead_manager = match &stored.record.lead_manager {
        Some(id) => repo.get::<User>(id.to18()).await?.map(|s| s.record),
        None => None,
    };
    let license_records: Vec<License> = licenses.iter().map(|s| s.record.clone()).collect();
    let event_records: Vec<InstallEvent> = events.iter().map(|s| s.record.clone()).collect();
    let org_states = org_states_from_events(&stored.record.id, &event_records);
    // The licenses this refresh may uninstall: installed ones whose org
    // reports the package gone.
    let may_uninstall: Vec<&License> = license_records
        .iter()
        .filter(|l| l.status != LicenseStatus::Uninstalled)
        .filter(|l| {
            org_states
                .iter()
                .any(|s| s.org.org_id == l.subscriber_org_id && s.installed.is_none())
        })
        .collect();
    let alerts = UninstallAlerts::load(repo, &may_uninstall).await?;

    commit_with_counters(repo, |seq| {
        let outcome = apply_refresh(
            &stored.record,
            actor,
            now,
            RefreshSources {
                licenses: &license_records,
                installs: &event_records,
                org_states: &org_states,
                lead_manager: lead_manager.as_ref(),
            },
            seq,
        )?;
        let created = outcome
            .licenses
            .iter()
            .filter(|l| !licenses.iter().any(|s| s.record.id == l.id))
            .count();
        let summary = RefreshSummary {
            package_name: outcome.package.name.to_string(),
            licenses_updated: outcome.licenses.len() - created,
            licenses_created: created,
            leads_created: outcome.leads.len(),
            installs_retried: outcome.installs.len(),
            refreshed_at: now,
            next_allowed: next_refresh_allowed(&outcome.package),
        };
        let package_name = outcome.package.name.to_string();
        let after: Vec<License> = outcome.licenses.clone();
        let mut batch = refresh_batch(&stored, &licenses, &events, outcome);
        // One due notification per uninstall rule for each license the
        // refresh found uninstalled, in the same save.
        for license in &after {
            let before = license_records.iter().find(|l| l.id == license.id);
            alerts.add_to(&mut batch, before, license, &package_name, now);
        }
        Ok((batch, summary))
    })
    .await
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A small stored world for the services' tests: the seed users, one
    //! registered package with versions, and installs made by the domain.

    use chrono::{NaiveDate, NaiveDateTime};

    use crate::domain::{
        install, register_package, seed_users, InstallInput, Installer, KeyPrefix, OrgStatus,
        Package, PackageDraft, PackageVersion, PackageVersionDraft, Profile, RegistrationDraft,
        SfId, SubscriberOrg, User,
    };
    use crate::storage::{
        commit_with_counters, install_batch, Expect, MemoryRepository, Repository, StorageError,
    };
    use futures::executor::block_on;

    pub fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|day| day.and_hms_opt(h, 0, 0))
            .unwrap()
    }

    pub fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == profile)
            .unwrap()
    }

    pub fn inactive_user() -> User {
        seed_users().into_iter().find(|u| !u.active).unwrap()
    }

    pub fn package(seq: u64, name: &str) -> Package {
        Package::from_draft(
            &PackageDraft {
                name: name.into(),
                package_id: SfId::generate(KeyPrefix::Package, seq).to18().into(),
                developer_name: format!("{name} Dev"),
                developer_org_id: SfId::generate(KeyPrefix::Org, seq).to18().into(),
                release_date: "2024-11-01".into(),
            },
            at(2025, 1, 1, 8),
        )
        .unwrap()
    }

    pub fn registered(seq: u64, name: &str) -> Package {
        register_package(
            &package(seq, name),
            &RegistrationDraft {
                status: "Free Trial".into(),
                length_days: "30".into(),
                does_not_expire: false,
                seats: "10".into(),
                site_wide: false,
            },
            &user(Profile::SystemAdministrator),
            at(2025, 1, 2, 8),
        )
        .unwrap()
    }

    pub fn version(package: &Package, seq: u64, v: &str, beta: bool) -> PackageVersion {
        PackageVersion::try_from(&PackageVersionDraft {
            version_id: SfId::generate(KeyPrefix::PackageVersion, seq).to18().into(),
            package_id: package.id.to18().into(),
            name: format!("{} {v}", package.name),
            version: v.into(),
            beta,
            release_date: "2024-12-01".into(),
        })
        .unwrap()
    }

    pub fn org(seq: u64) -> SubscriberOrg {
        SubscriberOrg {
            org_id: SfId::generate(KeyPrefix::Org, 100 + seq),
            org_name: format!("Org {seq}"),
            edition: "Enterprise".into(),
            instance: "NA45".into(),
            status: OrgStatus::Active,
            org_expiration_date: None,
            sandbox: false,
        }
    }

    pub fn installer(first: &str, last: &str, company: &str) -> Installer {
        Installer {
            first_name: first.into(),
            last_name: last.into(),
            company: company.into(),
            email: format!("{}@example.com", first.to_lowercase()),
        }
    }

    /// Stores the seed users, `packages` and their `versions`.
    pub fn world(packages: Vec<Package>, versions: Vec<PackageVersion>) -> MemoryRepository {
        let repo = MemoryRepository::new();
        block_on(repo.put_all(seed_users(), Expect::Absent)).unwrap();
        block_on(repo.put_all(packages, Expect::Absent)).unwrap();
        block_on(repo.put_all(versions, Expect::Absent)).unwrap();
        repo
    }

    /// Installs `version` into org `org_seq` through the domain, stored as
    /// the simulator would store it.
    pub fn install_into(
        repo: &MemoryRepository,
        package_id: &SfId,
        version: &PackageVersion,
        org_seq: u64,
        who: Installer,
        when: NaiveDateTime,
    ) {
        let package = block_on(repo.get::<Package>(package_id.to18()))
            .unwrap()
            .unwrap()
            .record;
        let lead_manager = package.lead_manager.as_ref().and_then(|id| {
            block_on(repo.get::<User>(id.to18()))
                .unwrap()
                .map(|s| s.record)
        });
        block_on(commit_with_counters(repo, |seq| {
            let result = install(
                &package,
                version,
                None,
                lead_manager.as_ref(),
                InstallInput {
                    org: org(org_seq),
                    installer: who.clone(),
                    at: when,
                },
                seq,
            );
            Ok::<_, StorageError>((install_batch([result], &[]), ()))
        }))
        .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::tests_racing::racing;
    use super::*;
    use crate::domain::{InstallOutcome, KeyPrefix, Lead, LicenseStatus, Profile};
    use crate::storage::MemoryRepository;
    use futures::executor::block_on;

    fn stored_package(repo: &MemoryRepository, id: &SfId) -> Stored<Package> {
        block_on(repo.get::<Package>(id.to18())).unwrap().unwrap()
    }

    // ---- read models ----

    #[test]
    fn package_rows_show_the_numeric_latest_version_and_the_lead_manager() {
        let mut a = registered(1, "Invoice Pro");
        let b = package(2, "analytics Hub");
        a.lead_manager = Some(user(Profile::LicenseManager).id);
        let versions = vec![
            version(&a, 1, "1.9.2", false),
            version(&a, 2, "1.10.0", false),
            version(&a, 3, "2.0.0", true),
        ];
        let users = users_by_id(crate::domain::seed_users());
        let rows = package_rows(&[a.clone(), b], &versions, &users);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0].name, "analytics Hub",
            "sorted by name, ignoring case"
        );
        assert_eq!(rows[0].latest_version, "");
        assert_eq!(rows[0].lead_manager, "");
        assert_eq!(rows[1].latest_version, "1.10.0");
        assert_eq!(rows[1].lead_manager, "Jordan Lee");
        assert_eq!(rows[1].package_id, a.id.to18());
        assert_eq!(rows[1].release_date, "2024-11-01");
    }

    #[test]
    fn package_detail_lists_versions_newest_first_and_the_package_s_licenses() {
        let p = registered(1, "Invoice Pro");
        let other = registered(2, "Other");
        let v = vec![
            version(&p, 1, "1.9.2", false),
            version(&p, 2, "1.10.0", false),
            version(&p, 3, "1.2.0", true),
            version(&other, 4, "9.0.0", false),
        ];
        let repo = world(vec![p.clone(), other.clone()], v.clone());
        install_into(
            &repo,
            &p.id,
            &v[1],
            1,
            installer("Ada", "Lovelace", "AE"),
            at(2025, 2, 1, 9),
        );
        install_into(
            &repo,
            &other.id,
            &v[3],
            2,
            installer("Alan", "Turing", "B"),
            at(2025, 2, 1, 9),
        );

        let d = block_on(load_package_detail(&repo, p.id.to15(), 50))
            .unwrap()
            .unwrap();
        let order: Vec<String> = d.versions.iter().map(|v| v.version.to_string()).collect();
        assert_eq!(order, ["1.10.0", "1.9.2", "1.2.0"]);
        assert_eq!(d.latest_version.unwrap().version.to_string(), "1.10.0");
        assert_eq!((d.licenses.len(), d.more_licenses), (1, false));
        assert_eq!(
            block_on(count_package_licenses(&repo, p.id.to15())).unwrap(),
            1
        );
        assert_eq!(d.licenses[0].lead_name, "Ada Lovelace");
        let all = block_on(load_package_licenses(&repo, p.id.to18())).unwrap();
        assert_eq!(all, d.licenses);
        assert_eq!(d.created_by, "License Management App, 2025-01-01 08:00");
        assert_eq!(d.last_modified_by, "Alex Morgan, 2025-01-02 08:00");
        assert_eq!(d.next_refresh, None);
        assert!(block_on(load_package_detail(&repo, "nonsense", 50))
            .unwrap()
            .is_none());
        let unknown = SfId::generate(KeyPrefix::Package, 99);
        assert!(block_on(load_package_detail(&repo, unknown.to18(), 50))
            .unwrap()
            .is_none());
    }

    // ---- Edit: Lead Manager ----

    #[test]
    fn a_valid_lead_manager_is_saved() {
        let p = registered(1, "Invoice Pro");
        let repo = world(vec![p.clone()], vec![]);
        let manager = user(Profile::LicenseManager);
        let now = at(2025, 3, 1, 10);
        let saved = block_on(edit_lead_manager(
            &repo,
            p.id.to15(),
            None,
            Some(manager.id.to18()),
            &user(Profile::SystemAdministrator),
            now,
        ))
        .unwrap();
        assert_eq!(saved.rev, 2);
        let stored = stored_package(&repo, &p.id);
        assert_eq!(stored, saved);
        assert_eq!(stored.record.lead_manager, Some(manager.id.clone()));
        assert_eq!(
            stored.record.last_modified,
            Stamp::user(&user(Profile::SystemAdministrator).id, now)
        );

        // Clearing it: the License Management App owns new leads again.
        let cleared = block_on(edit_lead_manager(
            &repo,
            p.id.to18(),
            None,
            None,
            &manager,
            now,
        ))
        .unwrap();
        assert_eq!(cleared.record.lead_manager, None);
        assert_eq!(cleared.rev, 3);
    }

    #[test]
    fn refused_lead_managers_write_nothing_and_point_at_the_field() {
        let p = registered(1, "Invoice Pro");
        let repo = world(vec![p.clone()], vec![]);
        let admin = user(Profile::SystemAdministrator);
        let now = at(2025, 3, 1, 10);

        let inactive = inactive_user();
        let err = block_on(edit_lead_manager(
            &repo,
            p.id.to18(),
            None,
            Some(inactive.id.to18()),
            &admin,
            now,
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            LeadManagerFailure::Rule(LeadManagerError::Inactive { .. })
        ));
        assert_eq!(err.field(), Field::LeadManager);
        assert!(err
            .to_string()
            .contains("Dana Whitfield is an inactive user"));

        let rep = user(Profile::SalesRep);
        let err = block_on(edit_lead_manager(
            &repo,
            p.id.to18(),
            None,
            Some(rep.id.to18()),
            &admin,
            now,
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            LeadManagerFailure::Rule(LeadManagerError::CannotEditLicenses { .. })
        ));

        // A Sales Rep may not change it at all.
        let err = block_on(edit_lead_manager(
            &repo,
            p.id.to18(),
            None,
            Some(admin.id.to18()),
            &rep,
            now,
        ))
        .unwrap_err();
        assert_eq!(err.field(), Field::Form);
        assert!(err
            .to_string()
            .starts_with("The Sales Rep profile can't change a package's Lead Manager."));

        let nobody = SfId::generate(KeyPrefix::User, 77);
        let err = block_on(edit_lead_manager(
            &repo,
            p.id.to18(),
            None,
            Some(nobody.to18()),
            &admin,
            now,
        ))
        .unwrap_err();
        assert!(matches!(err, LeadManagerFailure::UnknownUser { .. }));
        assert_eq!(err.field(), Field::LeadManager);

        let stored = stored_package(&repo, &p.id);
        assert_eq!(stored.rev, 1, "nothing was written");
        assert_eq!(stored.record, p);

        let missing = block_on(edit_lead_manager(
            &repo,
            "033000000000ZZZ",
            None,
            None,
            &admin,
            now,
        ))
        .unwrap_err();
        assert!(matches!(
            missing,
            LeadManagerFailure::Storage(StorageError::NotFound { .. })
        ));
    }

    #[test]
    fn a_lead_manager_edit_over_a_stale_page_is_a_conflict() {
        let p = registered(1, "Invoice Pro");
        let repo = world(vec![p.clone()], vec![]);
        let admin = user(Profile::SystemAdministrator);
        let manager = user(Profile::LicenseManager);
        let now = at(2025, 3, 1, 10);
        // Another tab saved the package (rev 2) after this page showed rev 1.
        block_on(edit_lead_manager(
            &repo.other_tab(),
            p.id.to18(),
            None,
            Some(admin.id.to18()),
            &admin,
            now,
        ))
        .unwrap();
        let err = block_on(edit_lead_manager(
            &repo,
            p.id.to18(),
            Some(1),
            Some(manager.id.to18()),
            &admin,
            now,
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            LeadManagerFailure::Storage(StorageError::Conflict { .. })
        ));
        assert_eq!(
            stored_package(&repo, &p.id).record.lead_manager,
            Some(admin.id.clone())
        );
    }

    #[test]
    fn a_package_saved_between_read_and_save_is_a_conflict() {
        let p = registered(1, "Invoice Pro");
        let admin = user(Profile::SystemAdministrator);
        let repo = racing(world(vec![p.clone()], vec![]), {
            let id = p.id.clone();
            let admin = admin.clone();
            move |other: MemoryRepository| {
                Box::pin(async move {
                    edit_lead_manager(
                        &other,
                        id.to18(),
                        None,
                        Some(admin.id.to18()),
                        &admin,
                        at(2025, 3, 1, 9),
                    )
                    .await
                    .unwrap();
                })
            }
        });
        let manager = user(Profile::LicenseManager);
        let err = block_on(edit_lead_manager(
            &repo,
            p.id.to18(),
            None,
            Some(manager.id.to18()),
            &admin,
            at(2025, 3, 1, 10),
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            LeadManagerFailure::Storage(StorageError::Conflict { .. })
        ));
        let stored = stored_package(&repo.inner, &p.id);
        assert_eq!(stored.rev, 2, "only the other tab's save");
        assert_eq!(stored.record.lead_manager, Some(admin.id.clone()));
    }

    // ---- Refresh Licenses ----

    #[test]
    fn refresh_records_the_time_and_creates_licenses_for_pending_installs() {
        // Installed before registration: pending, no lead or license.
        let unregistered = package(1, "Invoice Pro");
        let v = version(&unregistered, 1, "1.0.0", false);
        let repo = world(vec![unregistered.clone()], vec![v.clone()]);
        install_into(
            &repo,
            &unregistered.id,
            &v,
            1,
            installer("Ada", "Lovelace", "AE"),
            at(2025, 2, 1, 9),
        );
        assert_eq!(block_on(repo.count::<License>()).unwrap(), 0);

        // Then registered (as the registration page would save it).
        let mut p = stored_package(&repo, &unregistered.id);
        p.record.registration = registered(1, "Invoice Pro").registration;
        block_on(repo.update(p)).unwrap();

        let manager = user(Profile::LicenseManager);
        let now = at(2025, 3, 1, 10);
        let summary = block_on(refresh_licenses(
            &repo,
            unregistered.id.to15(),
            &manager,
            now,
        ))
        .unwrap();
        assert_eq!(summary.licenses_created, 1);
        assert_eq!(summary.licenses_updated, 0);
        assert_eq!(summary.leads_created, 1);
        assert_eq!(summary.installs_retried, 1);
        assert_eq!(summary.next_allowed, Some(at(2025, 3, 8, 10)));
        assert_eq!(
            summary.message(),
            "Licenses for Invoice Pro were refreshed: 0 licenses re-synced, 1 license created \
             (1 pending install retried). The next refresh is allowed from 2025-03-08 10:00."
        );

        let stored = stored_package(&repo, &unregistered.id);
        assert_eq!(stored.record.last_refresh, Some(now));
        let licenses = block_on(repo.get_all::<License>()).unwrap();
        assert_eq!(licenses.len(), 1);
        assert_eq!(licenses[0].record.lead_name, "Ada Lovelace");
        assert_eq!(block_on(repo.count::<Lead>()).unwrap(), 1);
        let events = block_on(repo.get_all::<InstallEvent>()).unwrap();
        assert!(matches!(
            events[0].record.outcome,
            InstallOutcome::LeadAndLicenseCreated { .. }
        ));
    }

    #[test]
    fn a_refresh_that_finds_a_license_uninstalled_makes_its_notifications_once() {
        let p = registered(1, "Invoice Pro");
        let v1 = version(&p, 1, "1.0.0", false);
        let repo = world(vec![p.clone()], vec![v1.clone()]);
        for org in [1, 2] {
            install_into(
                &repo,
                &p.id,
                &v1,
                org,
                installer("Ada", "Lovelace", "Acme"),
                at(2025, 2, 1, 9),
            );
        }
        let admin = user(Profile::SystemAdministrator);
        let users = crate::domain::seed_users();
        block_on(crate::services::alerts::add_uninstall_rule(
            &repo,
            admin.id.to18(),
            &users,
        ))
        .unwrap();
        // The org reported an uninstall the license doesn't reflect yet.
        let mut events = block_on(repo.get_all::<InstallEvent>()).unwrap();
        events.sort_by_key(|e| e.record.org.org_id.clone());
        let mut gone = events[0].record.clone();
        gone.id = SfId::generate(KeyPrefix::InstallEvent, 600);
        gone.kind = InstallKind::Uninstall;
        gone.at = at(2025, 2, 10, 9);
        block_on(repo.create(gone.clone())).unwrap();

        let now = at(2025, 3, 1, 10);
        block_on(refresh_licenses(&repo, p.id.to18(), &admin, now)).unwrap();
        let notices = block_on(repo.all_records::<crate::domain::NotificationRecord>()).unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].company, "Acme");
        assert_eq!(notices[0].subscriber_org_id, gone.org.org_id);
        // The next refresh finds it already Uninstalled: nothing new.
        let later = at(2025, 3, 9, 10);
        block_on(refresh_licenses(&repo, p.id.to18(), &admin, later)).unwrap();
        assert_eq!(
            block_on(repo.count::<crate::domain::NotificationRecord>()).unwrap(),
            1
        );
    }

    #[test]
    fn refresh_resyncs_licenses_with_their_org_s_latest_event() {
        let p = registered(1, "Invoice Pro");
        let v1 = version(&p, 1, "1.0.0", false);
        let v2 = version(&p, 2, "1.1.0", false);
        let repo = world(vec![p.clone()], vec![v1.clone(), v2.clone()]);
        install_into(
            &repo,
            &p.id,
            &v1,
            1,
            installer("Ada", "Lovelace", "AE"),
            at(2025, 2, 1, 9),
        );
        install_into(
            &repo,
            &p.id,
            &v1,
            2,
            installer("Alan", "Turing", "B"),
            at(2025, 2, 1, 9),
        );
        // A later upgrade event the license doesn't reflect yet (as after a
        // move to a new org): the refresh brings it in line.
        let mut events = block_on(repo.get_all::<InstallEvent>()).unwrap();
        events.sort_by_key(|e| e.record.org.org_id.clone());
        let mut upgrade = events[0].record.clone();
        upgrade.id = SfId::generate(KeyPrefix::InstallEvent, 500);
        upgrade.kind = InstallKind::Upgrade;
        upgrade.package_version_id = v2.id.clone();
        upgrade.version_number = v2.version;
        upgrade.at = at(2025, 2, 10, 9);
        block_on(repo.create(upgrade.clone())).unwrap();

        let now = at(2025, 3, 1, 10);
        let summary = block_on(refresh_licenses(
            &repo,
            p.id.to18(),
            &user(Profile::SystemAdministrator),
            now,
        ))
        .unwrap();
        assert_eq!(
            summary.licenses_updated, 2,
            "both re-synced (Information Current As Of)"
        );
        assert_eq!(summary.licenses_created, 0);
        let licenses = block_on(repo.get_all::<License>()).unwrap();
        let upgraded = licenses
            .iter()
            .find(|l| l.record.subscriber_org_id == upgrade.org.org_id)
            .unwrap();
        assert_eq!(upgraded.record.version_number.to_string(), "1.1.0");
        assert!(licenses
            .iter()
            .all(|l| l.record.information_current_as_of == now));
        assert!(licenses
            .iter()
            .all(|l| l.record.status == LicenseStatus::Trial));
    }

    #[test]
    fn a_second_refresh_within_7_days_is_refused_and_writes_nothing() {
        let p = registered(1, "Invoice Pro");
        let repo = world(vec![p.clone()], vec![]);
        let admin = user(Profile::SystemAdministrator);
        block_on(refresh_licenses(
            &repo,
            p.id.to18(),
            &admin,
            at(2025, 3, 1, 10),
        ))
        .unwrap();
        let before = stored_package(&repo, &p.id);

        let err = block_on(refresh_licenses(
            &repo,
            p.id.to18(),
            &admin,
            at(2025, 3, 5, 10),
        ))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Licenses for a package can be refreshed once every 7 days; they were last refreshed \
             on 2025-03-01 10:00. The next refresh is allowed from 2025-03-08 10:00."
        );
        assert_eq!(stored_package(&repo, &p.id), before, "nothing was written");
        // Seven days later it runs again.
        assert!(block_on(refresh_licenses(
            &repo,
            p.id.to18(),
            &admin,
            at(2025, 3, 8, 10)
        ))
        .is_ok());
    }

    #[test]
    fn refresh_needs_permission_and_registration() {
        let p = registered(1, "Invoice Pro");
        let unregistered = package(2, "Draft");
        let repo = world(vec![p.clone(), unregistered.clone()], vec![]);
        let now = at(2025, 3, 1, 10);
        let err = block_on(refresh_licenses(
            &repo,
            p.id.to18(),
            &user(Profile::ReadOnly),
            now,
        ))
        .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("The Read Only profile can't refresh licenses."));
        let err = block_on(refresh_licenses(
            &repo,
            unregistered.id.to18(),
            &user(Profile::SystemAdministrator),
            now,
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            RefreshFailure::Rule(RefreshError::NotRegistered { .. })
        ));
        assert_eq!(stored_package(&repo, &p.id).rev, 1);
        assert_eq!(stored_package(&repo, &unregistered.id).rev, 1);
    }

    #[test]
    fn a_license_saved_during_a_refresh_makes_it_a_conflict() {
        let p = registered(1, "Invoice Pro");
        let v = version(&p, 1, "1.0.0", false);
        let memory = world(vec![p.clone()], vec![v.clone()]);
        install_into(
            &memory,
            &p.id,
            &v,
            1,
            installer("Ada", "Lovelace", "AE"),
            at(2025, 2, 1, 9),
        );
        let repo = racing(memory, |other: MemoryRepository| {
            Box::pin(async move {
                let mut l = other.get_all::<License>().await.unwrap().remove(0);
                l.record.used_licenses = Some(3);
                other.update(l).await.unwrap();
            })
        });
        let err = block_on(refresh_licenses(
            &repo,
            p.id.to18(),
            &user(Profile::SystemAdministrator),
            at(2025, 3, 1, 10),
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            RefreshFailure::Storage(StorageError::Conflict { .. })
        ));
        assert_eq!(stored_package(&repo.inner, &p.id).record.last_refresh, None);
    }

    #[test]
    fn org_states_follow_each_org_s_latest_event() {
        let p = registered(1, "Invoice Pro");
        let v = version(&p, 1, "1.0.0", false);
        let repo = world(vec![p.clone()], vec![v.clone()]);
        install_into(
            &repo,
            &p.id,
            &v,
            1,
            installer("Ada", "Lovelace", "AE"),
            at(2025, 2, 1, 9),
        );
        let mut events: Vec<InstallEvent> = block_on(repo.get_all::<InstallEvent>())
            .unwrap()
            .into_iter()
            .map(|s| s.record)
            .collect();
        let mut gone = events[0].clone();
        gone.id = SfId::generate(KeyPrefix::InstallEvent, 900);
        gone.kind = InstallKind::Uninstall;
        gone.at = at(2025, 2, 5, 9);
        // Out of order on purpose: the time decides.
        events.insert(0, gone);
        let states = org_states_from_events(&p.id, &events);
        assert_eq!(states.len(), 1);
        assert_eq!(states[0].installed, None);
        assert!(org_states_from_events(&SfId::generate(KeyPrefix::Package, 9), &events).is_empty());
    }
}

#[cfg(test)]
pub(crate) mod tests_racing {
    //! A repository racing another tab, for the conflict tests.

    use crate::storage::{
        ChangeNotice, Committed, DamageLog, Index, MemoryRepository, Query, Readable, Record,
        Repository, StorageResult, Stored, Subscription, WriteBatch,
    };
    use futures::future::LocalBoxFuture;

    type RaceFn = Box<dyn FnOnce(MemoryRepository) -> LocalBoxFuture<'static, ()>>;

    /// A repository whose first commit is preceded by another tab's save:
    /// the race between a workflow's read and its save.
    pub(crate) struct Racing {
        pub inner: MemoryRepository,
        other_tab: MemoryRepository,
        race: std::cell::RefCell<Option<RaceFn>>,
    }

    pub(crate) fn racing(
        inner: MemoryRepository,
        race: impl FnOnce(MemoryRepository) -> LocalBoxFuture<'static, ()> + 'static,
    ) -> Racing {
        Racing {
            other_tab: inner.other_tab(),
            inner,
            race: std::cell::RefCell::new(Some(Box::new(race))),
        }
    }

    impl Repository for Racing {
        async fn get<T: Record>(&self, id: &str) -> StorageResult<Option<Stored<T>>> {
            self.inner.get(id).await
        }
        async fn get_many<T: Record>(
            &self,
            ids: &[String],
        ) -> StorageResult<Vec<Option<Stored<T>>>> {
            self.inner.get_many(ids).await
        }
        async fn read_all<T: Record>(&self) -> StorageResult<Readable<T>> {
            self.inner.read_all().await
        }
        async fn read_found<T: Record>(
            &self,
            index: Index<T>,
            query: Query,
        ) -> StorageResult<Readable<T>> {
            self.inner.read_found(index, query).await
        }
        fn damage_log(&self) -> &DamageLog {
            self.inner.damage_log()
        }
        async fn count<T: Record>(&self) -> StorageResult<u64> {
            self.inner.count::<T>().await
        }
        async fn commit(&self, batch: WriteBatch) -> StorageResult<Committed> {
            let race = self.race.borrow_mut().take();
            if let Some(race) = race {
                race(self.other_tab.clone()).await;
            }
            self.inner.commit(batch).await
        }
        fn subscribe(&self, callback: impl Fn(&ChangeNotice) + 'static) -> Subscription {
            self.inner.subscribe(callback)
        }
    }
}
