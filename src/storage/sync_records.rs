//! What the desk keeps about team sync (schema v5), beside its records.
//!
//! * [`SyncDoc`] (`sync_docs`): per synced record, the CouchDB revision path
//!   this desk shares with the server and the record's storage revision that
//!   path describes, plus the conflicting versions kept until the user
//!   resolves them.
//! * [`OutboxEntry`] (`sync_outbox`): a local change waiting to be sent,
//!   written by the commit path in the same transaction as the record (see
//!   `outbox.rs`).
//! * [`SyncPage`] (`sync_pages`, schema v7): the sync state of up to a
//!   page of documents at their first revision, written in one object
//!   instead of one [`SyncDoc`] each (a first sync of 10,000 licenses
//!   describes 53,560 documents: one write each costs seconds). A
//!   document's `SyncDoc`, when it has one, wins over its page entry.
//! * [`Refusal`] (`sync_refused`): documents the domain refused.
//! * [`SyncCheckpoint`] (`sync_checkpoints`): the last server sequence
//!   applied, per replication.
//! * [`SyncSetup`] (`sync_state`): present once sync was set up on this desk;
//!   from then on every commit queues its synced records.
//!
//! None of them is in a backup: a restore is a new desk state, and the
//! commit that restores it empties the sync stores (but `sync_state`), so the
//! next sync starts clean.

use serde::{Deserialize, Serialize};

use super::record::{Index, Record, StoreName};
use crate::sync::local::Refusal;
use crate::sync::rev::RevPath;

/// The sync state of one synced record, keyed by its document `_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncDoc {
    /// The document `_id` (`sfLma__License__c:a0B...`).
    pub id: String,
    /// The newest revision this desk and the server both have (sent and
    /// acknowledged, or received); `None` while the record was never sent
    /// (a local version kept beside a conflict).
    pub path: Option<RevPath>,
    /// The record's storage revision that `path` describes (0 when `path`
    /// is a deletion).
    pub store_rev: u64,
    /// Whether `path` ends in a deletion.
    #[serde(default)]
    pub deleted: bool,
    /// The other live branches, kept until the user resolves the conflict.
    #[serde(default)]
    pub conflicts: Vec<ConflictVersion>,
}

/// A conflicting version of a document: its revision path and its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictVersion {
    pub path: RevPath,
    /// The document body as JSON text (API names, no `_` fields).
    pub body: String,
}

/// Documents with a conflict to resolve.
pub const SYNC_CONFLICTED: Index<SyncDoc> = Index::new("conflicted");

impl Record for SyncDoc {
    const STORE: StoreName = StoreName::SyncDocs;

    fn key(&self) -> String {
        self.id.clone()
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "conflicted" if !self.conflicts.is_empty() => Some(self.id.clone()),
            _ => None,
        }
    }
}

/// The sync state of documents at their first revision (`1-<hash>`, no
/// deletion, no conflict), written by one sync step for its page of
/// documents. Keyed by the first document id it holds: a document gets a
/// page entry only while nothing describes it, so no two pages start with
/// the same one (and a second tab writing the same page conflicts).
/// Never changed once written: whatever a document's state becomes later
/// goes to its [`SyncDoc`], which wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncPage {
    pub id: String,
    /// The document ids, indexed ([`SYNC_PAGE_DOCS`]).
    pub ids: Vec<String>,
    /// Per document of `ids`, in the same order: the hash of its first
    /// revision and the record's storage revision that revision describes.
    pub docs: Vec<(String, u64)>,
}

/// The pages by the document ids they hold (multi-entry).
pub const SYNC_PAGE_DOCS: Index<SyncPage> = Index::new("docs");

impl SyncPage {
    /// A page of `entries` (document id, first revision's hash, storage
    /// revision); `None` when there are none.
    pub fn of(entries: Vec<(String, String, u64)>) -> Option<SyncPage> {
        let id = entries.first()?.0.clone();
        let mut ids = Vec::with_capacity(entries.len());
        let mut docs = Vec::with_capacity(entries.len());
        for (doc_id, hash, store_rev) in entries {
            ids.push(doc_id);
            docs.push((hash, store_rev));
        }
        Some(SyncPage { id, ids, docs })
    }

    /// Every document of the page with the sync state its entry says.
    pub fn entries(&self) -> impl Iterator<Item = SyncDoc> + '_ {
        self.ids
            .iter()
            .zip(&self.docs)
            .map(|(id, (hash, store_rev))| SyncDoc {
                id: id.clone(),
                path: Some(RevPath {
                    start: 1,
                    ids: vec![hash.clone()],
                }),
                store_rev: *store_rev,
                deleted: false,
                conflicts: Vec::new(),
            })
    }

    /// The page entry `doc` can be, when it is a first revision with no
    /// conflict: (document id, hash, storage revision).
    pub fn entry_of(doc: &SyncDoc) -> Option<(String, String, u64)> {
        let path = doc.path.as_ref()?;
        (path.start == 1 && path.ids.len() == 1 && !doc.deleted && doc.conflicts.is_empty())
            .then(|| (doc.id.clone(), path.ids[0].clone(), doc.store_rev))
    }
}

impl Record for SyncPage {
    const STORE: StoreName = StoreName::SyncPages;

    fn key(&self) -> String {
        self.id.clone()
    }

    fn index_members(&self, index: &str) -> Vec<String> {
        match index {
            "docs" => self.ids.clone(),
            _ => Vec::new(),
        }
    }
}

/// A change waiting to be sent. Keyed `<store>/<id>` for a record's latest
/// local state (the document is made when it is sent), or
/// `<store>/<id>#<rev>` for one document made already (a resolved
/// conflict's deletion of the losing branch, a local edit that lost a
/// conflict before it was sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: String,
    /// The document to send, as JSON text, for `#` entries.
    #[serde(default)]
    pub doc: Option<String>,
}

/// The outbox in key order (a paged index: keys are unique).
pub const OUTBOX_QUEUE: Index<OutboxEntry> = Index::new("queue");

impl OutboxEntry {
    /// The entry for the latest local state of record `id` of `store`.
    pub fn record(store: StoreName, id: &str) -> OutboxEntry {
        OutboxEntry {
            id: OutboxEntry::record_key(store, id),
            doc: None,
        }
    }

    pub fn record_key(store: StoreName, id: &str) -> String {
        format!("{}/{id}", store.as_str())
    }

    /// An entry that sends `doc` (revision `rev` of record `id`) as it is.
    pub fn document(store: StoreName, id: &str, rev: &str, doc: String) -> OutboxEntry {
        OutboxEntry {
            id: format!("{}/{id}#{rev}", store.as_str()),
            doc: Some(doc),
        }
    }

    /// The store and record key the entry is about.
    pub fn target(&self) -> Option<(StoreName, String)> {
        let (store, rest) = self.id.split_once('/')?;
        let store = crate::sync::document::SYNCED_STORES
            .into_iter()
            .find(|s| s.as_str() == store)?;
        let id = rest.split_once('#').map_or(rest, |(id, _)| id);
        (!id.is_empty()).then(|| (store, id.to_string()))
    }
}

impl Record for OutboxEntry {
    const STORE: StoreName = StoreName::SyncOutbox;

    fn key(&self) -> String {
        self.id.clone()
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "queue" => Some(self.id.clone()),
            _ => None,
        }
    }
}

impl Record for Refusal {
    const STORE: StoreName = StoreName::SyncRefused;

    fn key(&self) -> String {
        self.doc_id.clone()
    }
}

/// The last server sequence applied by one replication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCheckpoint {
    /// The replication id.
    pub id: String,
    /// The sequence as JSON text (CouchDB writes strings, pouchdb-server numbers).
    pub seq: String,
}

impl Record for SyncCheckpoint {
    const STORE: StoreName = StoreName::SyncCheckpoints;

    fn key(&self) -> String {
        self.id.clone()
    }
}

/// The key of the one [`SyncSetup`] record.
pub const SYNC_SETUP_KEY: &str = "setup";

/// Present once sync was set up on this desk: from then on every commit
/// that writes a synced record queues it (the outbox costs one more write
/// per record, so a desk that never syncs doesn't pay it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSetup {
    pub id: String,
}

impl Default for SyncSetup {
    fn default() -> Self {
        SyncSetup {
            id: SYNC_SETUP_KEY.to_string(),
        }
    }
}

impl Record for SyncSetup {
    const STORE: StoreName = StoreName::SyncState;

    fn key(&self) -> String {
        self.id.clone()
    }
}
