//! The outbox in the one commit path: both repositories call
//! [`add_sync_writes`] on every batch before committing it, so a local
//! change is queued to send in the same transaction as the change itself
//! (a tab closed before sending loses nothing).

use super::batch::{Expect, WriteBatch};
use super::record::StoreName;
use super::sync_records::OutboxEntry;
use crate::sync::document::SYNCED_STORES;

/// The sync stores a clear of the desk's records empties with them.
const RESET_WITH_RECORDS: [StoreName; 5] = [
    StoreName::SyncDocs,
    StoreName::SyncOutbox,
    StoreName::SyncRefused,
    StoreName::SyncCheckpoints,
    StoreName::SyncPages,
];

/// Adds to `batch` the sync writes it implies:
///
/// * a batch that empties a synced store (Load demo data, Reset, restoring
///   a backup) empties the sync state too (revision paths, outbox,
///   refusals, checkpoints; not whether sync is set up). Emptying is a
///   local act: the records it removes are never sent as deletions, and
///   the next sync starts from the beginning of the server's feed, so the
///   team's records come back from the server;
/// * once sync is set up (`sync_enabled`), every write of a synced record
///   in a batch not [from sync](WriteBatch::from_sync) queues an
///   [`OutboxEntry`] (so a demo load while sync is set up queues what it
///   writes).
///
/// `has_sync_stores` is false on a database opened at a schema before v5
/// (upgrade tests only).
pub(crate) fn add_sync_writes(batch: &mut WriteBatch, sync_enabled: bool, has_sync_stores: bool) {
    if !has_sync_stores {
        return;
    }
    if batch.clears.iter().any(|s| SYNCED_STORES.contains(s)) {
        for store in RESET_WITH_RECORDS {
            batch.clear_store(store);
        }
    }
    if !sync_enabled || batch.from_sync {
        return;
    }
    let queued: Vec<OutboxEntry> = batch
        .ops
        .iter()
        .filter(|op| SYNCED_STORES.contains(&op.store))
        .map(|op| OutboxEntry::record(op.store, &op.id))
        .collect();
    for entry in queued {
        batch.put(entry, Expect::Any);
    }
}
