//! What the replicator needs of the desk, as a trait: `desk` implements it
//! over the repository; native tests use it over the in-memory one.

use serde_json::Value;

use super::remote::{RevsByDoc, Seq};
use crate::storage::StorageError;

/// A local change ready to send: the document at its new revision, with
/// `_id`, `_rev` and the `_revisions` path that replication needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub doc: Value,
    /// The outbox entry it empties once the server has it: the store's
    /// revision of the record it was made from (a record saved again since
    /// stays queued).
    pub outbox_key: String,
    pub store_rev: u64,
}

/// A document the desk did not store, and why (shown in the Sync page).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refusal {
    pub doc_id: String,
    pub rev: String,
    /// The domain's message (or the reason the document can't be read).
    pub reason: String,
}

/// What applying a batch of incoming documents did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Stored as the record's new state (or deletion).
    pub applied: usize,
    /// Already known, or an older revision than the desk's: nothing to do.
    pub ignored: usize,
    /// Kept beside the desk's version for the user to resolve.
    pub conflicts: usize,
    pub refused: Vec<Refusal>,
}

/// Why the desk's side of a sync step failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Remote(#[from] super::remote::RemoteError),
    #[error("{0}")]
    Other(String),
}

/// A page of [`Local::pending_after`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PendingPage {
    pub changes: Vec<Outgoing>,
    /// Where the next page starts, or `None` when nothing is queued after
    /// this page. A page may hold fewer than asked (even none) and still
    /// have a next one.
    pub next: Option<String>,
}

#[allow(async_fn_in_trait)]
pub trait Local {
    /// Up to `limit` queued local changes after `after` (the
    /// [`next`](PendingPage::next) of the page before; from the first when
    /// `None`), in the order the desk keeps them. Reading a page changes
    /// nothing: the same call gives the same changes until they are marked
    /// sent, so a push can read the next page while the last one is on its
    /// way.
    async fn pending_after(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<PendingPage, SyncError>;

    /// Up to `limit` queued local changes, from the first.
    async fn pending(&self, limit: usize) -> Result<Vec<Outgoing>, SyncError> {
        Ok(self.pending_after(None, limit).await?.changes)
    }

    /// The server refused these changes: they stay queued, to be sent again
    /// by a later push (those of the outbox are queued already).
    async fn keep_queued(&self, refused: &[Outgoing]) -> Result<(), SyncError> {
        let _ = refused;
        Ok(())
    }

    /// How many local changes are queued.
    async fn waiting(&self) -> Result<u64, SyncError>;

    /// The server has these: their outbox entries go (unless the record was
    /// saved again since), and the desk remembers their revisions.
    async fn mark_sent(&self, sent: &[Outgoing]) -> Result<(), SyncError>;

    /// Of these revisions (from the server's `_changes`), those the desk lacks.
    async fn missing(&self, revs: &RevsByDoc) -> Result<RevsByDoc, SyncError>;

    /// Stores documents from the server (each with `_revisions`) in one
    /// commit: through the domain, as a new state, a conflict or a refusal.
    /// Applying the same documents twice changes nothing the second time.
    async fn apply(&self, docs: Vec<Value>) -> Result<ApplyReport, SyncError>;

    /// The last server sequence fully applied, for this replication.
    async fn checkpoint(&self, replication_id: &str) -> Result<Option<Seq>, SyncError>;

    async fn save_checkpoint(&self, replication_id: &str, seq: &Seq) -> Result<(), SyncError>;
}
