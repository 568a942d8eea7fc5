//! The one way a workflow saves: read the ID counters, let the workflow plan
//! its writes with them, commit the writes and the counters as one atomic
//! [`WriteBatch`], and start again if another tab used the counters
//! meanwhile.
//!
//! Every workflow (Modify License, lead conversion, Refresh Licenses, the
//! simulator's events, alert rules, imports) saves through [`commit_with_counters`],
//! building its batch with the `*_batch` functions of `workflows.rs`. A
//! conflict on any other record (a license saved in another tab since it
//! was read) is never retried: the user reloads and sees the latest data.
//!
//! ```ignore
//! let outcome = commit_with_counters(repo, |seq| {
//!     let outcome = modify_license(&license.record, &draft, &user, today, now, seq)?;
//!     Ok((modify_license_batch(&license, outcome.clone()), outcome))
//! })
//! .await?;
//! ```

use super::batch::WriteBatch;
use super::error::StorageError;
use super::record::StoreName;
use super::records::SEQUENCES_KEY;
use super::repo::Repository;
use crate::domain::Sequences;

/// How often a save is tried when only the ID counters were saved in
/// another tab meanwhile (every other record is still checked each time).
pub const COUNTER_RETRIES: usize = 3;

/// Loads the counters, lets `build` plan the writes with them (it may take
/// new IDs), and commits the writes and the counters (when an ID was taken)
/// as one batch. An empty batch means nothing changed: nothing is written.
/// Retried up to [`COUNTER_RETRIES`] times when only the counters conflict.
pub async fn commit_with_counters<R, T, E, F>(repo: &R, mut build: F) -> Result<T, E>
where
    R: Repository,
    E: From<StorageError>,
    F: FnMut(&mut Sequences) -> Result<(WriteBatch, T), E>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut counters = repo
            .load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)
            .await?;
        let read = counters.record().clone();
        let (mut batch, out) = build(counters.record_mut())?;
        if batch.is_empty() {
            return Ok(out);
        }
        // Counters no ID was taken from stay as they are, so a workflow that
        // takes none never makes another tab's save retry.
        if *counters.record() != read {
            batch.save(counters);
        }
        match repo.commit(batch).await {
            Ok(_) => return Ok(out),
            Err(StorageError::Conflict {
                store: StoreName::Counters,
                ..
            }) if attempt < COUNTER_RETRIES => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
