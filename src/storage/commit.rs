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

use super::batch::{Committed, Save, WriteBatch};
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
pub async fn commit_with_counters<R, T, E, F>(repo: &R, build: F) -> Result<T, E>
where
    R: Repository,
    E: From<StorageError>,
    F: FnMut(&mut Sequences) -> Result<(WriteBatch, T), E>,
{
    let counters = load_counters(repo).await?;
    let (out, _) = commit_with_read_counters(repo, counters, build).await?;
    Ok(out)
}

/// The counters as [`commit_with_counters`] reads them, for a workflow that
/// reads them beside its own records (one round trip less before its save).
pub async fn load_counters<R: Repository>(repo: &R) -> Result<Save<Sequences>, StorageError> {
    repo.load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)
        .await
}

/// [`commit_with_counters`] with `counters` already read by
/// [`load_counters`]: the first try uses them, a retry reads them again.
/// Also returns what was committed (the new revisions; empty when nothing
/// changed).
pub async fn commit_with_read_counters<R, T, E, F>(
    repo: &R,
    counters: Save<Sequences>,
    mut build: F,
) -> Result<(T, Committed), E>
where
    R: Repository,
    E: From<StorageError>,
    F: FnMut(&mut Sequences) -> Result<(WriteBatch, T), E>,
{
    let mut attempt = 0;
    let mut counters = Some(counters);
    loop {
        attempt += 1;
        let mut counters = match counters.take() {
            Some(read) => read,
            None => load_counters(repo).await?,
        };
        let read = counters.record().clone();
        let (mut batch, out) = build(counters.record_mut())?;
        if batch.is_empty() {
            return Ok((out, Committed::default()));
        }
        // Counters no ID was taken from stay as they are, so a workflow that
        // takes none never makes another tab's save retry.
        if *counters.record() != read {
            batch.save(counters);
        }
        match repo.commit(batch).await {
            Ok(committed) => return Ok((out, committed)),
            Err(StorageError::Conflict {
                store: StoreName::Counters,
                ..
            }) if attempt < COUNTER_RETRIES => continue,
            Err(e) => return Err(e.into()),
        }
    }
}
