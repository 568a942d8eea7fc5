//! Import of CSV files from a License Management Org.
//!
//! The page feeds files to an [`ImportJob`] and steps it a chunk of rows at a
//! time (showing progress, able to cancel by dropping it); [`preview_import`]
//! then loads the desk records the plan is compared with and returns the
//! [`ImportPlan`]. Nothing is written until [`commit_import`]: every accepted
//! record, its history entries and the moved counters in ONE `WriteBatch`
//! through storage's single commit path, so an import that can't be saved (a
//! record changed in another tab meanwhile, a full disk) writes nothing.

use std::sync::Arc;

use thiserror::Error;

use crate::domain::{
    authorize, Account, Contact, Lead, License, LicenseStatus, Package, PackageVersion, Permission,
    PermissionError, Sequences, User,
};
use crate::exchange::{Desk, ImportJob, ImportPlan, KeptKind, KeptRecord, KeptRecords, Write};
use crate::services::notifications::UninstallAlerts;
use crate::storage::{
    commit_with_counters, Expect, Record, Repository, StorageError, WriteBatch, MAX_IDS_PER_NOTICE,
};

/// Every record an import may be compared with, read from the desk.
pub async fn load_desk<R: Repository>(repo: &R) -> Result<Desk, StorageError> {
    Ok(Desk {
        packages: repo.get_all::<Package>().await?,
        versions: repo.get_all::<PackageVersion>().await?,
        accounts: repo.get_all::<Account>().await?,
        contacts: repo.get_all::<Contact>().await?,
        leads: repo.get_all::<Lead>().await?,
        licenses: repo.get_all::<License>().await?,
        users: repo.all_records::<User>().await?,
    })
}

/// Finishes reading `job` and compares it with the desk: the preview.
pub async fn preview_import<R: Repository>(
    repo: &R,
    job: ImportJob,
) -> Result<ImportPlan, StorageError> {
    let desk = load_desk(repo).await?;
    Ok(job.finish(&desk))
}

/// Shares the plan's records with the batch: no second copy of 100,000
/// licenses while the commit runs.
fn put_all<T: Record>(batch: &mut WriteBatch, writes: &[Write<T>]) {
    for w in writes {
        batch.put_shared(Arc::clone(&w.record), w.expect);
    }
}

/// The record of kept row `i` when it is a `T` (`pick` tells).
fn kept_as<T>(
    kept: &KeptRecords,
    i: usize,
    pick: fn(KeptRecord) -> Option<T>,
) -> Result<T, String> {
    pick(kept.0.record(i)?)
        .ok_or_else(|| format!("Internal error: kept row {i} changed its object."))
}

/// Puts every new record the plan keeps as a row: each is built when the
/// commit writes it (no second form of 250,000 records in memory).
fn put_kept(batch: &mut WriteBatch, kept: &KeptRecords) {
    for (i, kind) in kept.0.kinds() {
        // A row whose ID no longer reads can't build either: the commit
        // fails on it and writes nothing.
        let key = kept
            .0
            .key(i)
            .map_or_else(|| format!("row {i}"), |(id, _)| id.to18().to_string());
        let kept = kept.clone();
        match kind {
            KeptKind::Account => batch.put_built(key, Expect::Absent, move || {
                kept_as(&kept, i, |r| match r {
                    KeptRecord::Account(a) => Some(a),
                    _ => None,
                })
            }),
            KeptKind::Contact => batch.put_built(key, Expect::Absent, move || {
                kept_as(&kept, i, |r| match r {
                    KeptRecord::Contact(c) => Some(c),
                    _ => None,
                })
            }),
            KeptKind::Lead => batch.put_built(key, Expect::Absent, move || {
                kept_as(&kept, i, |r| match r {
                    KeptRecord::Lead(l) => Some(l),
                    _ => None,
                })
            }),
            KeptKind::License => batch.put_built(key, Expect::Absent, move || {
                kept_as(&kept, i, |r| match r {
                    KeptRecord::License(l) => Some(l),
                    _ => None,
                })
            }),
        };
    }
}

/// The one batch an import commits: accepted records expecting the revision
/// the plan compared them with (or their absence), and history, its IDs
/// taken from `seq` (which the commit saves with the batch).
pub fn import_batch(plan: &ImportPlan, seq: &mut Sequences) -> WriteBatch {
    let w = &plan.writes;
    let mut batch = WriteBatch::with_capacity(w.records() + w.history.len() + 1);
    // Its notice names stores only anyway: no change per record to hold.
    if w.records() > MAX_IDS_PER_NOTICE {
        batch.without_change_list();
    }
    put_all(&mut batch, &w.packages);
    put_all(&mut batch, &w.versions);
    put_all(&mut batch, &w.accounts);
    put_all(&mut batch, &w.contacts);
    put_all(&mut batch, &w.leads);
    put_all(&mut batch, &w.licenses);
    put_kept(&mut batch, &w.kept);
    for h in w.reserve(seq) {
        batch.create(h);
    }
    batch
}

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ImportFailure {
    #[error(transparent)]
    Permission(#[from] PermissionError),
    #[error("Nothing to import: every row is either unchanged or refused.")]
    NothingToImport,
    #[error("{0} Nothing was imported; preview the files again and retry.")]
    Storage(#[from] StorageError),
}

/// What a committed import wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportDone {
    pub records: usize,
    pub history: usize,
}

/// An import creates and changes packages and licenses, which only a
/// profile that may both edit packages and modify licenses can do.
pub fn may_import(actor: &User) -> Result<(), PermissionError> {
    authorize(actor, Permission::EditPackage)?;
    authorize(actor, Permission::ModifyLicense)
}

/// The licenses an import changes from installed to Uninstalled, with what
/// their notifications need (one per uninstall rule, made by the domain),
/// read before the commit so each attempt of it adds the same ones. A
/// license new to the desk records an uninstall that happened elsewhere,
/// before: none for it.
struct ImportUninstalls<'p> {
    alerts: Option<UninstallAlerts>,
    /// Before, after (as imported), package name.
    changed: Vec<(License, &'p License, String)>,
}

impl<'p> ImportUninstalls<'p> {
    async fn load<R: Repository>(
        repo: &R,
        plan: &'p ImportPlan,
    ) -> Result<ImportUninstalls<'p>, StorageError> {
        let none = ImportUninstalls {
            alerts: None,
            changed: Vec::new(),
        };
        let uninstalled: Vec<&License> = plan
            .writes
            .licenses
            .iter()
            .map(|w| &*w.record)
            .filter(|l| l.status == LicenseStatus::Uninstalled)
            .collect();
        if uninstalled.is_empty() {
            return Ok(none);
        }
        let ids: Vec<String> = uninstalled.iter().map(|l| l.key()).collect();
        let before = repo.get_many::<License>(&ids).await?;
        let changed: Vec<(License, &License)> = before
            .into_iter()
            .zip(uninstalled)
            .filter_map(|(b, after)| b.map(|b| (b.record, after)))
            .filter(|(b, _)| b.status != LicenseStatus::Uninstalled)
            .collect();
        if changed.is_empty() {
            return Ok(none);
        }
        let candidates: Vec<&License> = changed.iter().map(|(b, _)| b).collect();
        let alerts = UninstallAlerts::load(repo, &candidates).await?;
        let mut named = Vec::with_capacity(changed.len());
        for (before, after) in changed {
            let imported = plan
                .writes
                .packages
                .iter()
                .find(|p| p.record.id == after.package_id)
                .map(|p| p.record.name.to_string());
            let package_name = match imported {
                Some(name) => name,
                None => repo
                    .get_shown::<Package>(after.package_id.to18())
                    .await?
                    .map(|p| p.name.to_string())
                    .unwrap_or_default(),
            };
            named.push((before, after, package_name));
        }
        Ok(ImportUninstalls {
            alerts: Some(alerts),
            changed: named,
        })
    }

    /// Adds the notifications, dated when the import changed each license.
    fn add_to(&self, batch: &mut WriteBatch) {
        let Some(alerts) = &self.alerts else {
            return;
        };
        for (before, after, package_name) in &self.changed {
            alerts.add_to(
                batch,
                Some(before),
                after,
                package_name,
                after.last_modified.at,
            );
        }
    }
}

/// Writes the accepted rows of `plan`, all or nothing.
pub async fn commit_import<R: Repository>(
    repo: &R,
    actor: &User,
    plan: &ImportPlan,
) -> Result<ImportDone, ImportFailure> {
    may_import(actor)?;
    if !plan.has_writes() {
        return Err(ImportFailure::NothingToImport);
    }
    let uninstalls = ImportUninstalls::load(repo, plan).await?;
    commit_with_counters(repo, |seq| {
        let done = ImportDone {
            records: plan.writes.records(),
            history: plan.writes.history.len(),
        };
        let mut batch = import_batch(plan, seq);
        uninstalls.add_to(&mut batch);
        Ok::<_, ImportFailure>((batch, done))
    })
    .await
}

#[cfg(test)]
mod tests;
