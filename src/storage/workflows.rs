//! The writes of each domain workflow, as one [`WriteBatch`].
//!
//! A workflow reads what it needs (keeping the [`Stored`] copies, whose
//! revisions the batch expects), runs the domain function with the counters
//! [`commit_with_counters`](super::commit_with_counters) hands it, and
//! returns the batch built here; `commit_with_counters` adds the counters
//! and commits everything as one unit. If another tab saved any of those
//! records meanwhile, the commit is refused with
//! [`StorageError::Conflict`](super::StorageError::Conflict) and nothing is
//! written: reload and do it again.

use super::batch::WriteBatch;
use super::record::Stored;
use crate::domain::{
    Conversion, InstallEvent, InstallResult, Lead, License, ModifyOutcome, Package, RefreshOutcome,
};

/// Install (or upgrade, uninstall, log-only event; one result per package of
/// an org whose status changed): each install-log entry, and the lead and
/// license the domain created or changed. `loaded` holds the org's licenses
/// as read before the event, whose revisions the updates expect.
pub fn install_batch(
    results: impl IntoIterator<Item = InstallResult>,
    loaded: &[Stored<License>],
) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for result in results {
        batch.create(result.event);
        if let Some(lead) = result.lead {
            batch.create(lead);
        }
        if let Some(license) = result.license {
            batch.save_against(license, loaded);
        }
    }
    batch
}

/// Modify License: the license (expecting the revision it was read at) and
/// its history entries. Empty when nothing changed: nothing is saved.
pub fn modify_license_batch(before: &Stored<License>, outcome: ModifyOutcome) -> WriteBatch {
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
    batch
}

/// Bulk Modify License: each changed license's [`modify_license_batch`], as
/// one batch (all or nothing).
pub fn bulk_modify_batch<'a>(
    changes: impl IntoIterator<Item = (&'a Stored<License>, ModifyOutcome)>,
) -> WriteBatch {
    let mut batch = WriteBatch::new();
    for (before, outcome) in changes {
        batch.append(modify_license_batch(before, outcome));
    }
    batch
}

/// Lead conversion: the converted lead, the new account and contact, and the
/// lead's licenses now linked to them.
pub fn conversion_batch(
    lead_before: &Stored<Lead>,
    licenses_before: &[Stored<License>],
    conversion: Conversion,
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
    batch
}

/// Refresh Licenses: the package (Last Refresh), the synced and new
/// licenses, new leads and the retried install events.
pub fn refresh_batch(
    package_before: &Stored<Package>,
    licenses_before: &[Stored<License>],
    installs_before: &[Stored<InstallEvent>],
    outcome: RefreshOutcome,
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
    batch
}
