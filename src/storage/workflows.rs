//! One atomic batch per domain workflow, and the repository methods that
//! commit them.
//!
//! A workflow reads what it needs (keeping the [`Stored`] copies, whose
//! revisions the batch expects), runs the domain function on the records and
//! a working copy of the [`Sequences`] counters, then commits everything the
//! domain returned, counters included, as one unit. If another tab saved any
//! of those records (or used the counters) meanwhile, the commit is refused
//! with [`StorageError::Conflict`](super::StorageError::Conflict) and nothing
//! is written: reload and do it again.
//!
//! ```ignore
//! let mut seq = repo.sequences().await?;
//! let outcome = modify_license(&license.record, &draft, &user, today, now, seq.record_mut())?;
//! repo.save_license_modification(&license, outcome, seq).await?;
//! ```

use super::batch::{Committed, Save, WriteBatch};
use super::error::StorageResult;
use super::record::Stored;
use super::records::SEQUENCES_KEY;
use super::repo::Repository;
use crate::domain::{
    Conversion, InstallEvent, InstallResult, Lead, License, ModifyOutcome, Package, RefreshOutcome,
    Sequences,
};

/// Install (or upgrade, uninstall, log-only event): the install-log entry,
/// and the lead and license the domain created or changed, with the counters.
/// `existing_license` is the org's license as read before the install.
pub fn install_batch(
    result: InstallResult,
    existing_license: Option<&Stored<License>>,
    sequences: Save<Sequences>,
) -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.create(result.event);
    if let Some(lead) = result.lead {
        batch.create(lead);
    }
    if let Some(license) = result.license {
        let before = match existing_license {
            Some(stored) => std::slice::from_ref(stored),
            None => &[],
        };
        batch.save_against(license, before);
    }
    batch.save(sequences);
    batch
}

/// Modify License: the license (expecting the revision it was read at) and
/// its history entries. Nothing to write when nothing changed.
pub fn modify_license_batch(
    before: &Stored<License>,
    outcome: ModifyOutcome,
    sequences: Save<Sequences>,
) -> WriteBatch {
    let mut batch = WriteBatch::new();
    if outcome.history.is_empty() && outcome.license == before.record {
        return batch;
    }
    batch.update(Stored {
        rev: before.rev,
        record: outcome.license,
    });
    for entry in outcome.history {
        batch.create(entry);
    }
    batch.save(sequences);
    batch
}

/// Lead conversion: the converted lead, the new account and contact, and the
/// lead's licenses now linked to them.
pub fn conversion_batch(
    lead_before: &Stored<Lead>,
    licenses_before: &[Stored<License>],
    conversion: Conversion,
    sequences: Save<Sequences>,
) -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.update(Stored {
        rev: lead_before.rev,
        record: conversion.lead,
    });
    batch.create(conversion.account);
    batch.create(conversion.contact);
    for license in conversion.licenses {
        batch.save_against(license, licenses_before);
    }
    batch.save(sequences);
    batch
}

/// Refresh Licenses: the package (Last Refresh), the synced and new
/// licenses, new leads and the retried install events.
pub fn refresh_batch(
    package_before: &Stored<Package>,
    licenses_before: &[Stored<License>],
    installs_before: &[Stored<InstallEvent>],
    outcome: RefreshOutcome,
    sequences: Save<Sequences>,
) -> WriteBatch {
    let mut batch = WriteBatch::new();
    batch.update(Stored {
        rev: package_before.rev,
        record: outcome.package,
    });
    for license in outcome.licenses {
        batch.save_against(license, licenses_before);
    }
    for lead in outcome.leads {
        batch.create(lead);
    }
    for event in outcome.installs {
        batch.save_against(event, installs_before);
    }
    batch.save(sequences);
    batch
}

/// The workflows' reads and commits, for every repository.
#[allow(async_fn_in_trait)]
pub trait Workflows: Repository {
    /// The counters, to pass to a domain workflow as `save.record_mut()` and
    /// then back to its `save_*` method.
    async fn sequences(&self) -> StorageResult<Save<Sequences>> {
        self.load_or(SEQUENCES_KEY, Sequences::default).await
    }

    async fn save_install(
        &self,
        result: InstallResult,
        existing_license: Option<&Stored<License>>,
        sequences: Save<Sequences>,
    ) -> StorageResult<Committed> {
        self.commit(install_batch(result, existing_license, sequences))
            .await
    }

    async fn save_license_modification(
        &self,
        before: &Stored<License>,
        outcome: ModifyOutcome,
        sequences: Save<Sequences>,
    ) -> StorageResult<Committed> {
        self.commit(modify_license_batch(before, outcome, sequences))
            .await
    }

    async fn save_lead_conversion(
        &self,
        lead_before: &Stored<Lead>,
        licenses_before: &[Stored<License>],
        conversion: Conversion,
        sequences: Save<Sequences>,
    ) -> StorageResult<Committed> {
        self.commit(conversion_batch(
            lead_before,
            licenses_before,
            conversion,
            sequences,
        ))
        .await
    }

    async fn save_refresh(
        &self,
        package_before: &Stored<Package>,
        licenses_before: &[Stored<License>],
        installs_before: &[Stored<InstallEvent>],
        outcome: RefreshOutcome,
        sequences: Save<Sequences>,
    ) -> StorageResult<Committed> {
        self.commit(refresh_batch(
            package_before,
            licenses_before,
            installs_before,
            outcome,
            sequences,
        ))
        .await
    }
}

impl<R: Repository> Workflows for R {}
