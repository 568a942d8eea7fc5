//! Import of CSV files from a License Management Org.
//!
//! The page feeds files to an [`ImportJob`] and steps it a chunk of rows at a
//! time (showing progress, able to cancel by dropping it); [`preview_import`]
//! then loads the desk records the plan is compared with and returns the
//! [`ImportPlan`]. Nothing is written until [`commit_import`]: every accepted
//! record, its history entries and the moved counters in ONE `WriteBatch`
//! through storage's single commit path, so an import that can't be saved (a
//! record changed in another tab meanwhile, a full disk) writes nothing.

use thiserror::Error;

use crate::domain::{
    authorize, Account, Contact, Lead, License, Package, PackageVersion, Permission,
    PermissionError, Sequences, User,
};
use crate::exchange::{Desk, ImportJob, ImportPlan, Write};
use crate::storage::{commit_with_counters, Record, Repository, StorageError, WriteBatch};

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

fn put_all<T: Record>(batch: &mut WriteBatch, writes: &[Write<T>]) {
    for w in writes {
        batch.put(w.record.clone(), w.expect);
    }
}

/// The one batch an import commits: accepted records expecting the revision
/// the plan compared them with (or their absence), and history, its IDs
/// taken from `seq` (which the commit saves with the batch).
pub fn import_batch(plan: &ImportPlan, seq: &mut Sequences) -> WriteBatch {
    let w = &plan.writes;
    let mut batch = WriteBatch::new();
    put_all(&mut batch, &w.packages);
    put_all(&mut batch, &w.versions);
    put_all(&mut batch, &w.accounts);
    put_all(&mut batch, &w.contacts);
    put_all(&mut batch, &w.leads);
    put_all(&mut batch, &w.licenses);
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
    commit_with_counters(repo, |seq| {
        let done = ImportDone {
            records: plan.writes.records(),
            history: plan.writes.history.len(),
        };
        Ok::<_, ImportFailure>((import_batch(plan, seq), done))
    })
    .await
}

#[cfg(test)]
mod tests;
