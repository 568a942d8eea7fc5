//! The few licenses a page shows in full out of many: those expiring within
//! some days (the dashboard's "expiring soon", the alert notifications due).
//! The licenses list's snapshot tells which they are (one `getAll` of its
//! chunks, well under a second at 100,000 licenses, where reading every
//! full license took 9-11 s); only those are read as records, by key.

use chrono::NaiveDate;

use crate::domain::{License, LicenseFigures};
use crate::storage::{Repository, StorageError};

/// The licenses that can still expire within `days` days of `today`,
/// after calling `count` with the figures of every readable license. A
/// damaged license is left out and noted in the damage log.
pub async fn read_expiring<R: Repository>(
    repo: &R,
    today: NaiveDate,
    days: u32,
    count: &mut dyn FnMut(LicenseFigures<'_>),
) -> Result<Vec<License>, StorageError> {
    let mut wanted = Vec::new();
    let damaged = repo
        .visit_listed::<License>(&mut |stored| {
            let figures = stored.record.figures();
            count(figures);
            if figures.is_expiring_within(today, days) {
                wanted.push(stored.record.id.to18().to_string());
            }
        })
        .await?;
    repo.damage_log().note(&damaged);
    match repo.get_many::<License>(&wanted).await {
        // Deleted since the snapshot was read: no longer expiring.
        Ok(found) => Ok(found.into_iter().flatten().map(|s| s.record).collect()),
        // One damaged in place (outside the desk) since the snapshot was
        // made fails the whole read: read them one by one to leave it out.
        Err(StorageError::Corrupt { .. }) => {
            let mut found = Vec::with_capacity(wanted.len());
            for id in &wanted {
                found.extend(repo.get_shown::<License>(id).await?);
            }
            Ok(found)
        }
        Err(e) => Err(e),
    }
}
