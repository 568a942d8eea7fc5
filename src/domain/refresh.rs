//! Refresh Licenses: re-sync a package's licenses with the subscriber orgs,
//! and create the licenses of installs that were pending or failed.
//!
//! The LMA allows it once a week per package because every refresh contacts
//! every subscriber org; the app keeps the same limit so its behaviour (and
//! the partner's habits) match the LMA's.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ids::SfId;
use super::install::{
    apply_org, place_install, uninstall, upgrade, InstallEvent, Placement, SubscriberOrg,
};
use super::lead::Lead;
use super::license::License;
use super::package::Package;
use super::sequences::Sequences;
use super::stamp::Stamp;
use super::status::LicenseStatus;
use super::user::{authorize, Permission, PermissionError, User};
use super::version::VersionNumber;
use super::Field;

pub const REFRESH_INTERVAL_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RefreshError {
    #[error(transparent)]
    Permission(#[from] PermissionError),
    #[error("{package} isn't registered with the License Management App; register it first, then refresh its licenses.")]
    NotRegistered { package: String },
    #[error("Licenses for a package can be refreshed once every {REFRESH_INTERVAL_DAYS} days; they were last refreshed on {}. The next refresh is allowed from {}.", last_refresh.format("%Y-%m-%d %H:%M"), next_allowed.format("%Y-%m-%d %H:%M"))]
    TooSoon {
        last_refresh: NaiveDateTime,
        next_allowed: NaiveDateTime,
    },
}

impl RefreshError {
    pub fn field(&self) -> Field {
        Field::Form
    }
}

/// When the package may next be refreshed; `None` if it never was.
pub fn next_refresh_allowed(package: &Package) -> Option<NaiveDateTime> {
    package.last_refresh.map(|last| {
        last.checked_add_signed(Duration::days(REFRESH_INTERVAL_DAYS))
            .unwrap_or(NaiveDateTime::MAX)
    })
}

/// Whether `actor` may refresh `package` at `now`; the UI uses it to enable
/// the button and say when it will be.
pub fn check_refresh(
    package: &Package,
    actor: &User,
    now: NaiveDateTime,
) -> Result<(), RefreshError> {
    authorize(actor, Permission::RefreshLicenses)?;
    if !package.is_registered() {
        return Err(RefreshError::NotRegistered {
            package: package.name.to_string(),
        });
    }
    match (package.last_refresh, next_refresh_allowed(package)) {
        (Some(last_refresh), Some(next_allowed)) if now < next_allowed => {
            Err(RefreshError::TooSoon {
                last_refresh,
                next_allowed,
            })
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledVersion {
    pub version_id: SfId,
    pub version_number: VersionNumber,
}

/// What a subscriber org reports about one package when asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscriberOrgState {
    pub org: SubscriberOrg,
    pub package_id: SfId,
    /// `None` when the package is no longer installed.
    pub installed: Option<InstalledVersion>,
    pub used_licenses: Option<u32>,
}

/// Brings a license in line with its org's state. Uninstalled if the
/// package is gone; version, org fields and Used Licenses otherwise.
pub fn sync_license(license: &License, state: &SubscriberOrgState, now: NaiveDateTime) -> License {
    let Some(installed) = &state.installed else {
        if license.status == LicenseStatus::Uninstalled {
            let mut same = license.clone();
            apply_org(&mut same, &state.org);
            same.information_current_as_of = now;
            return same;
        }
        let mut gone = uninstall(license, now);
        apply_org(&mut gone, &state.org);
        return gone;
    };
    let mut synced = upgrade(
        license,
        &installed.version_id,
        installed.version_number,
        &state.org,
        now,
    );
    if !synced.seats.is_site_license() {
        synced.used_licenses = state.used_licenses.or(synced.used_licenses);
    }
    // Last Modified moves only when something besides the sync time changed.
    let mut unchanged = license.clone();
    unchanged.information_current_as_of = now;
    unchanged.last_modified = synced.last_modified.clone();
    if unchanged == synced {
        synced.last_modified = license.last_modified.clone();
    }
    synced
}

/// The records Refresh Licenses reads.
#[derive(Debug, Clone, Copy)]
pub struct RefreshSources<'a> {
    /// Licenses of this package (others are ignored).
    pub licenses: &'a [License],
    /// Install events; those of this package awaiting refresh are retried.
    pub installs: &'a [InstallEvent],
    pub org_states: &'a [SubscriberOrgState],
    /// The user record of `package.lead_manager`, if found.
    pub lead_manager: Option<&'a User>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshOutcome {
    /// The package with Last Refresh set to now.
    pub package: Package,
    /// Licenses to write: the synced ones that changed and the new ones.
    pub licenses: Vec<License>,
    pub leads: Vec<Lead>,
    /// Retried install events, with their new outcome.
    pub installs: Vec<InstallEvent>,
}

pub fn refresh_licenses(
    package: &Package,
    actor: &User,
    now: NaiveDateTime,
    sources: RefreshSources<'_>,
    seq: &mut Sequences,
) -> Result<RefreshOutcome, RefreshError> {
    check_refresh(package, actor, now)?;
    let state_of = |org_id: &SfId| {
        sources
            .org_states
            .iter()
            .find(|s| &s.org.org_id == org_id && s.package_id == package.id)
    };

    let mut licenses: Vec<License> = sources
        .licenses
        .iter()
        .filter(|l| l.package_id == package.id)
        .map(|l| match state_of(&l.subscriber_org_id) {
            Some(state) => sync_license(l, state, now),
            None => l.clone(),
        })
        .collect();
    let mut changed: Vec<bool> = licenses
        .iter()
        .zip(
            sources
                .licenses
                .iter()
                .filter(|l| l.package_id == package.id),
        )
        .map(|(new, old)| new != old)
        .collect();

    let mut leads = Vec::new();
    let mut installs = Vec::new();
    for event in sources
        .installs
        .iter()
        .filter(|e| e.package_id == package.id && e.outcome.awaits_refresh())
    {
        let existing = licenses
            .iter()
            .position(|l| l.subscriber_org_id == event.org.org_id);
        let placed = place_install(
            &Placement {
                package,
                version_id: &event.package_version_id,
                version_number: event.version_number,
                existing: existing.and_then(|i| licenses.get(i)),
                lead_manager: sources.lead_manager,
                org: &event.org,
                installer: &event.installer,
                install_date: event.at.date(),
                start: now.date(),
                now,
            },
            seq,
        );
        if let Some(mut license) = placed.license {
            if let Some(state) = state_of(&license.subscriber_org_id) {
                license = sync_license(&license, state, now);
            }
            match existing {
                Some(i) => {
                    if let Some(slot) = licenses.get_mut(i) {
                        *slot = license;
                    }
                    if let Some(flag) = changed.get_mut(i) {
                        *flag = true;
                    }
                }
                None => {
                    licenses.push(license);
                    changed.push(true);
                }
            }
        }
        leads.extend(placed.lead);
        let mut retried = event.clone();
        retried.outcome = placed.outcome;
        installs.push(retried);
    }

    let mut refreshed = package.clone();
    refreshed.last_refresh = Some(now);
    refreshed.last_modified = Stamp::user(&actor.id, now);
    Ok(RefreshOutcome {
        package: refreshed,
        licenses: licenses
            .into_iter()
            .zip(changed)
            .filter_map(|(l, c)| c.then_some(l))
            .collect(),
        leads,
        installs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::install::fixtures::{admin, input, org, registered};
    use crate::domain::install::{install, InstallOutcome};
    use crate::domain::license::fixtures::at;
    use crate::domain::package::fixtures::{package, version};
    use crate::domain::registration::{register_package, RegistrationDraft};
    use crate::domain::user::{seed_users, Profile};

    fn no_sources() -> RefreshSources<'static> {
        RefreshSources {
            licenses: &[],
            installs: &[],
            org_states: &[],
            lead_manager: None,
        }
    }

    #[test]
    fn refresh_is_allowed_once_every_7_days() {
        let mut p = registered("Active", "", "10");
        let last = at(2025, 3, 1, 10, 0, 0);
        p.last_refresh = Some(last);
        let just_before = at(2025, 3, 8, 9, 59, 59);
        let err = check_refresh(&p, &admin(), just_before).unwrap_err();
        assert_eq!(
            err,
            RefreshError::TooSoon {
                last_refresh: last,
                next_allowed: at(2025, 3, 8, 10, 0, 0)
            }
        );
        assert!(err.to_string().contains("2025-03-08 10:00"));
        assert!(check_refresh(&p, &admin(), at(2025, 3, 8, 10, 0, 0)).is_ok());

        let out = refresh_licenses(
            &p,
            &admin(),
            at(2025, 3, 8, 10, 0, 0),
            no_sources(),
            &mut Sequences::default(),
        )
        .unwrap();
        assert_eq!(out.package.last_refresh, Some(at(2025, 3, 8, 10, 0, 0)));
        assert!(matches!(
            check_refresh(&out.package, &admin(), at(2025, 3, 9, 0, 0, 0)),
            Err(RefreshError::TooSoon { .. })
        ));
    }

    #[test]
    fn refresh_needs_permission_and_registration() {
        let users = seed_users();
        let rep = users
            .iter()
            .find(|u| u.profile == Profile::SalesRep)
            .unwrap();
        let manager = users
            .iter()
            .find(|u| u.active && u.profile == Profile::LicenseManager)
            .unwrap();
        let now = at(2025, 3, 1, 0, 0, 0);
        assert!(matches!(
            check_refresh(&registered("Active", "", "10"), rep, now),
            Err(RefreshError::Permission(_))
        ));
        assert!(check_refresh(&registered("Active", "", "10"), manager, now).is_ok());
        assert!(matches!(
            check_refresh(&package(), manager, now),
            Err(RefreshError::NotRegistered { .. })
        ));
    }

    #[test]
    fn pending_installs_become_licenses_after_registration_and_refresh() {
        let mut seq = Sequences::default();
        let pending = install(
            &package(),
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 2, 1, 0, 0, 0)),
            &mut seq,
        );
        assert!(matches!(
            pending.event.outcome,
            InstallOutcome::Pending { .. }
        ));

        let p = register_package(
            &package(),
            &RegistrationDraft {
                status: "Free Trial".into(),
                length_days: "30".into(),
                seats: "5".into(),
                ..Default::default()
            },
            &admin(),
            at(2025, 3, 1, 0, 0, 0),
        )
        .unwrap();
        let now = at(2025, 3, 2, 9, 0, 0);
        let events = [pending.event];
        let out = refresh_licenses(
            &p,
            &admin(),
            now,
            RefreshSources {
                installs: &events,
                ..no_sources()
            },
            &mut seq,
        )
        .unwrap();
        assert_eq!(out.leads.len(), 1);
        assert_eq!(out.licenses.len(), 1);
        let license = &out.licenses[0];
        assert_eq!(license.install_date, at(2025, 2, 1, 0, 0, 0).date());
        // The trial runs from the day the license is created, not the install.
        assert_eq!(
            license.expiration.date(),
            Some(at(2025, 4, 1, 0, 0, 0).date())
        );
        assert!(matches!(
            out.installs[0].outcome,
            InstallOutcome::LeadAndLicenseCreated { .. }
        ));
    }

    #[test]
    fn refresh_resyncs_used_licenses_version_and_org_status() {
        let p = registered("Active", "", "10");
        let mut seq = Sequences::default();
        let a = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(1, false, at(2025, 2, 1, 0, 0, 0)),
            &mut seq,
        )
        .license
        .unwrap();
        let b = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(2, false, at(2025, 2, 1, 0, 0, 0)),
            &mut seq,
        )
        .license
        .unwrap();
        let c = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            None,
            input(3, false, at(2025, 2, 1, 0, 0, 0)),
            &mut seq,
        )
        .license
        .unwrap();
        let mut suspended_org = org(1, false);
        suspended_org.status = crate::domain::status::OrgStatus::Suspended;
        let states = [
            SubscriberOrgState {
                org: suspended_org,
                package_id: p.id.clone(),
                installed: Some(InstalledVersion {
                    version_id: version(2, "1.1.0", false).id,
                    version_number: VersionNumber::new(1, 1, 0),
                }),
                used_licenses: Some(12),
            },
            SubscriberOrgState {
                org: org(2, false),
                package_id: p.id.clone(),
                installed: None,
                used_licenses: None,
            },
        ];
        let licenses = [a.clone(), b.clone(), c];
        let now = at(2025, 3, 1, 0, 0, 0);
        let out = refresh_licenses(
            &p,
            &admin(),
            now,
            RefreshSources {
                licenses: &licenses,
                org_states: &states,
                ..no_sources()
            },
            &mut seq,
        )
        .unwrap();
        // The third org reported nothing, so its license is not rewritten.
        assert_eq!(out.licenses.len(), 2);
        let a2 = out.licenses.iter().find(|l| l.id == a.id).unwrap();
        assert_eq!(a2.used_licenses, Some(12));
        assert_eq!(a2.available_seats(), Some(-2));
        assert_eq!(a2.version_number.to_string(), "1.1.0");
        assert_eq!(a2.org_status, crate::domain::status::OrgStatus::Suspended);
        assert_eq!(a2.information_current_as_of, now);
        let b2 = out.licenses.iter().find(|l| l.id == b.id).unwrap();
        assert_eq!(b2.status, LicenseStatus::Uninstalled);
        assert_eq!(b2.used_licenses, None);
    }

    #[test]
    fn failed_installs_retry_once_the_lead_manager_is_fixed() {
        let users = seed_users();
        let inactive = users.iter().find(|u| !u.active).unwrap();
        let mut p = registered("Active", "", "10");
        p.lead_manager = Some(inactive.id.clone());
        let mut seq = Sequences::default();
        let failed = install(
            &p,
            &version(1, "1.0.0", false),
            None,
            Some(inactive),
            input(1, false, at(2025, 2, 1, 0, 0, 0)),
            &mut seq,
        );
        let events = [failed.event];

        let still = refresh_licenses(
            &p,
            &admin(),
            at(2025, 3, 1, 0, 0, 0),
            RefreshSources {
                installs: &events,
                lead_manager: Some(inactive),
                ..no_sources()
            },
            &mut seq,
        )
        .unwrap();
        assert!(still.licenses.is_empty());
        assert!(matches!(
            still.installs[0].outcome,
            InstallOutcome::Failed { .. }
        ));

        p.lead_manager = None;
        let fixed = refresh_licenses(
            &p,
            &admin(),
            at(2025, 3, 1, 0, 0, 0),
            RefreshSources {
                installs: &events,
                ..no_sources()
            },
            &mut seq,
        )
        .unwrap();
        assert_eq!(fixed.licenses.len(), 1);
        assert_eq!(fixed.leads.len(), 1);
    }
}
