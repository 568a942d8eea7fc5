//! Import of CSV files from a License Management Org.
//!
//! The page feeds files to an [`ImportJob`] and steps it a chunk of rows at a
//! time (showing progress, able to cancel by dropping it); [`preview_import`]
//! then loads the desk records the plan is compared with and returns the
//! [`ImportPlan`]. Nothing is written until [`commit_import`]: every accepted
//! record, its history entries and the moved counters in ONE `WriteBatch`, so
//! an import that can't be saved (a record changed in another tab meanwhile,
//! a full disk) writes nothing at all.

use thiserror::Error;

use crate::domain::{
    authorize, Account, Contact, Lead, License, LicenseStatus, Package, PackageVersion, Permission,
    PermissionError, Sequences, User,
};
use crate::exchange::{Desk, ImportJob, ImportPlan, Write};
use crate::services::notifications::UninstallAlerts;
use crate::storage::records::SEQUENCES_KEY;
use crate::storage::{Committed, Record, Repository, StorageError, WriteBatch};

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
        sequences: repo.get::<Sequences>(SEQUENCES_KEY).await?,
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

fn put_all<T: Record>(batch: &mut WriteBatch, writes: &[Write<T>]) {
    for w in writes {
        batch.put(w.record.clone(), w.expect);
    }
}

/// The one batch an import commits: accepted records expecting the revision
/// the plan compared them with (or their absence), history, counters.
pub fn import_batch(plan: &ImportPlan) -> WriteBatch {
    let w = &plan.writes;
    let mut batch = WriteBatch::new();
    put_all(&mut batch, &w.packages);
    put_all(&mut batch, &w.versions);
    put_all(&mut batch, &w.accounts);
    put_all(&mut batch, &w.contacts);
    put_all(&mut batch, &w.leads);
    put_all(&mut batch, &w.licenses);
    for h in &w.history {
        batch.create(h.clone());
    }
    if let Some(s) = &w.sequences {
        batch.put(s.record.clone(), s.expect);
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
    pub committed: Committed,
}

/// An import creates and changes packages and licenses, which only a
/// profile that may both edit packages and modify licenses can do.
pub fn may_import(actor: &User) -> Result<(), PermissionError> {
    authorize(actor, Permission::EditPackage)?;
    authorize(actor, Permission::ModifyLicense)
}

/// Adds to `batch` the notifications of every license the import changes
/// from installed to Uninstalled (one per uninstall rule, made by the
/// domain), dated when the import changed it. A license new to the desk
/// records an uninstall that happened elsewhere, before: none for it.
async fn add_uninstall_notifications<R: Repository>(
    repo: &R,
    plan: &ImportPlan,
    batch: &mut WriteBatch,
) -> Result<(), StorageError> {
    let uninstalled: Vec<&License> = plan
        .writes
        .licenses
        .iter()
        .map(|w| &w.record)
        .filter(|l| l.status == LicenseStatus::Uninstalled)
        .collect();
    if uninstalled.is_empty() {
        return Ok(());
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
        return Ok(());
    }
    let candidates: Vec<&License> = changed.iter().map(|(b, _)| b).collect();
    let alerts = UninstallAlerts::load(repo, &candidates).await?;
    for (before, after) in &changed {
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
        alerts.add_to(
            batch,
            Some(before),
            after,
            &package_name,
            after.last_modified.at,
        );
    }
    Ok(())
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
    let mut batch = import_batch(plan);
    add_uninstall_notifications(repo, plan, &mut batch).await?;
    let committed = repo.commit(batch).await?;
    Ok(ImportDone {
        records: plan.writes.records(),
        history: plan.writes.history.len(),
        committed,
    })
}

#[cfg(test)]
mod tests;
