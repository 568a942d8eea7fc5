//! The few licenses a page shows in full out of many: those expiring within
//! some days (the Notifications page's queue), or those Home lists. The
//! licenses list's snapshot tells which they are (one `getAll` of its
//! chunks, well under a second at 100,000 licenses, where reading every
//! full license took 9-11 s); only those are read as records, by key.

use chrono::NaiveDate;

use crate::domain::{License, LicenseFigures};
use crate::storage::{Repository, StorageError};

/// Calls `each` with the figures of every readable license (from the list
/// snapshot). A damaged license is left out and noted in the damage log.
pub async fn visit_figures<R: Repository>(
    repo: &R,
    each: &mut dyn FnMut(LicenseFigures<'_>),
) -> Result<(), StorageError> {
    let damaged = repo
        .visit_listed::<License>(&mut |stored| each(stored.record.figures()))
        .await?;
    repo.damage_log().note(&damaged);
    Ok(())
}

/// The licenses that can still expire within `days` days of `today`.
pub async fn read_expiring<R: Repository>(
    repo: &R,
    today: NaiveDate,
    days: u32,
) -> Result<Vec<License>, StorageError> {
    let mut wanted = Vec::new();
    visit_figures(repo, &mut |figures| {
        if figures.is_expiring_within(today, days) {
            wanted.push(figures.id.to18().to_string());
        }
    })
    .await?;
    read_licenses(repo, &wanted).await
}

/// The licenses with IDs `ids` (from the snapshot) that are still there
/// and readable.
pub async fn read_licenses<R: Repository>(
    repo: &R,
    ids: &[String],
) -> Result<Vec<License>, StorageError> {
    match repo.get_many::<License>(ids).await {
        // Deleted since the snapshot was read: no longer listed.
        Ok(found) => Ok(found.into_iter().flatten().map(|s| s.record).collect()),
        // One damaged in place (outside the desk) since the snapshot was
        // made fails the whole read: read them one by one to leave it out.
        Err(StorageError::Corrupt { .. }) => {
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                found.extend(repo.get_shown::<License>(id).await?);
            }
            Ok(found)
        }
        Err(e) => Err(e),
    }
}
