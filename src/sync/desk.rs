//! The desk's side of sync: [`DeskSync`] implements [`Local`] over a
//! [`Repository`], and gives the Sync pages their service API (set sync
//! up, list and resolve conflicts, list refused documents).
//!
//! What the desk keeps is in `storage::sync_records`: per record, the
//! revision path it shares with the server (`sync_docs`); local changes
//! queued by the commit path (`sync_outbox`); refused documents and
//! checkpoints. Every step here commits once, as a batch
//! [from sync](WriteBatch::from_sync), so nothing it writes is queued again.
//!
//! * `pending` makes each queued record's document at a new revision on top
//!   of the shared path (`RevPath::next`: a retry makes the same revision);
//!   `mark_sent` records the sent path and empties the entry unless the
//!   record was saved again since.
//! * `apply` (`apply.rs`): per document, a fast-forward, old news, a
//!   conflict (the winner by `rev::winner` becomes the record on every
//!   desk) or a refusal by the domain.
//! * `resolve` (`resolve.rs`): the user's choice, through the domain, in
//!   one commit with its revisions queued.

mod apply;
mod resolve;
mod typed;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use serde_json::{json, Value};

pub use resolve::{Conflict, FieldVersions, Resolution, Side};
use typed::Loaded;

use super::document::{self, parse_doc_id, SYNCED_STORES};
use super::local::{ApplyReport, Local, Outgoing, PendingPage, Refusal, SyncError};
use super::remote::{RevsByDoc, Seq};
use super::rev::{Rev, RevPath};
use crate::domain::Sequences;
use crate::storage::{
    Expect, OutboxEntry, Progress, Query, Repository, StorageError, StoreName, Stored,
    Subscription, SyncCheckpoint, SyncDoc, SyncPage, SyncSetup, WriteBatch, OUTBOX_QUEUE,
    SEQUENCES_KEY, SYNC_PAGE_DOCS, SYNC_SETUP_KEY,
};

/// How often a sync step is tried when a save in another tab changed what
/// it read (each try reads again).
const RETRIES: usize = 3;

/// Outbox entries written per commit when sync is set up on a desk that
/// already holds records.
const RECONCILE_CHUNK: usize = 5_000;

/// The desk's side of sync, over a repository. Clones share the sweep and
/// the revisions in flight (the push and pull loops of one start use one).
#[derive(Clone)]
pub struct DeskSync<R: Repository> {
    repo: R,
    sweep: Rc<RefCell<Sweep>>,
    /// Revisions `pending` made and not yet marked sent or kept queued, by
    /// document id: the desk has them (they are its records), so a pull that
    /// meets them on the server, sent by this very push, doesn't fetch them.
    in_flight: Rc<RefCell<HashMap<String, HashSet<String>>>>,
    /// Revisions marked sent that the pull has not met in the server's feed
    /// yet, by document id: the desk has them, so `missing` answers for them
    /// without reading its stores (on a first sync the pull beside the push
    /// lists every document the push sends: 53,560 at 10,000 licenses).
    /// Forgotten when a commit empties the sync state (a demo load, a
    /// restore), whose records the feed must bring back.
    sent: Rc<RefCell<HashMap<String, String>>>,
    _emptied: Rc<Subscription>,
}

/// The first sync of a desk that holds records sends them straight from
/// their stores, in outbox key order, beside the outbox: queueing each in
/// the outbox first costs two more writes per record (one to queue, one to
/// empty: 107,000 at 10,000 licenses). Kept in memory: if the tab closes
/// before the sweep is done, the next start's reconcile queues what it left
/// (every record sync doesn't describe).
#[derive(Debug, Default)]
struct Sweep {
    on: bool,
    /// Every record up to this position (an outbox key) was sent, or kept
    /// queued in the outbox when the server refused it.
    done_to: Option<String>,
}

/// Records the sweep found to send, and how far it looked: up to `end`
/// (`None`: to the last record).
struct Swept {
    changes: Vec<Outgoing>,
    end: Option<String>,
}

/// The greater of two positions (`None` is before every one).
fn later(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b).to_string()),
        (a, b) => a.or(b).map(str::to_string),
    }
}

/// A document: `body` with `_id`, `_rev` and `_revisions` (and `_deleted`).
fn with_meta(body: Value, doc_id: &str, path: &RevPath, deleted: bool) -> Value {
    let mut doc = match body {
        Value::Object(fields) if !deleted => fields,
        _ => serde_json::Map::new(),
    };
    doc.insert("_id".into(), Value::from(doc_id));
    doc.insert("_rev".into(), Value::from(path.head().to_string()));
    doc.insert("_revisions".into(), path.to_value());
    if deleted {
        doc.insert("_deleted".into(), Value::Bool(true));
    }
    Value::Object(doc)
}

/// The body of a deletion (CouchDB's deleted documents carry no fields).
fn deletion_body() -> Value {
    json!({})
}

/// The local change an outbox entry of this record sends: (path, deleted,
/// body) of a new revision on top of the shared path, or `None` when there
/// is nothing to send (the shared path already describes the record, or it
/// was never sent and is gone, or it can't be read).
fn local_change(sd: Option<&SyncDoc>, loaded: &Loaded) -> Option<(RevPath, bool, Value)> {
    let parent = sd.and_then(|d| d.path.as_ref());
    match loaded {
        Loaded::Found(rev, record) => {
            if sd.is_some_and(|d| d.path.is_some() && !d.deleted && d.store_rev == *rev) {
                return None;
            }
            let body = document::encode(record).ok()?;
            Some((RevPath::next(parent, &body, false), false, body))
        }
        Loaded::Missing => {
            if sd.is_some_and(|d| d.deleted) {
                return None;
            }
            let body = deletion_body();
            Some((RevPath::next(Some(parent?), &body, true), true, body))
        }
        Loaded::Damaged => None,
    }
}

/// What the desk keeps about one document: its [`SyncDoc`] (`rev`: its
/// storage revision), or else its entry in a [`SyncPage`] (`rev: None`).
#[derive(Debug, Clone)]
struct Kept {
    record: SyncDoc,
    rev: Option<u64>,
}

impl Kept {
    /// What a write of the document's `SyncDoc` expects: the one read, or
    /// none (a page entry is never changed: the `SyncDoc` overrides it).
    fn expect(&self) -> Expect {
        self.rev.map_or(Expect::Absent, Expect::Rev)
    }
}

/// The sync state of `ids`, by id: each one's `SyncDoc`, or its page entry
/// (see [`SyncPage`]). The pages are asked for per document type among the
/// ids not found (stores and document types sort differently, so ids of
/// two types may be far apart).
async fn sync_docs<R: Repository>(
    repo: &R,
    ids: &[String],
) -> Result<HashMap<String, Kept>, StorageError> {
    let found = repo.get_many::<SyncDoc>(ids).await?;
    let mut out = HashMap::with_capacity(ids.len());
    let mut rest: Vec<&str> = Vec::new();
    for (id, stored) in ids.iter().zip(found) {
        match stored {
            Some(s) => {
                out.insert(
                    id.clone(),
                    Kept {
                        record: s.record,
                        rev: Some(s.rev),
                    },
                );
            }
            None => rest.push(id),
        }
    }
    rest.sort_unstable();
    rest.dedup();
    let wanted: HashSet<&str> = rest.iter().copied().collect();
    let kind = |id: &str| id.split_once(':').map_or("", |(kind, _)| kind).to_string();
    let mut start = 0;
    while let Some(first) = rest.get(start) {
        let k = kind(first);
        let end = rest[start..]
            .iter()
            .position(|id| kind(id) != k)
            .map_or(rest.len(), |n| start + n);
        let run: Vec<String> = rest[start..end].iter().map(|id| id.to_string()).collect();
        for page in repo.find_members(SYNC_PAGE_DOCS, &run).await? {
            for doc in page.record.entries() {
                if wanted.contains(doc.id.as_str()) && !out.contains_key(&doc.id) {
                    out.insert(
                        doc.id.clone(),
                        Kept {
                            record: doc,
                            rev: None,
                        },
                    );
                }
            }
        }
        start = end;
    }
    Ok(out)
}

/// Writes `doc` in `batch`: into `page` when it can be a page entry (a
/// first revision of a document nothing described: `kept` is `None`), as
/// its own `SyncDoc` otherwise.
fn put_sync_doc(
    batch: &mut WriteBatch,
    page: &mut Vec<(String, String, u64)>,
    doc: SyncDoc,
    kept: Option<&Kept>,
) {
    match (kept, SyncPage::entry_of(&doc)) {
        (None, Some(entry)) => page.push(entry),
        _ => {
            let expect = kept.map_or(Expect::Absent, Kept::expect);
            batch.put(doc, expect);
        }
    }
}

/// Writes the page of entries [`put_sync_doc`] gathered, if any: new, so a
/// second writer of the same page conflicts and reads again.
fn put_page(batch: &mut WriteBatch, page: Vec<(String, String, u64)>) {
    if let Some(page) = SyncPage::of(page) {
        batch.put(page, Expect::Absent);
    }
}

/// The records named by `targets` (store, key), loaded store by store.
async fn load_targets<R: Repository>(
    repo: &R,
    targets: &[(StoreName, String)],
) -> Result<HashMap<(StoreName, String), Loaded>, StorageError> {
    let mut by_store: BTreeMap<StoreName, Vec<String>> = BTreeMap::new();
    for (store, key) in targets {
        by_store.entry(*store).or_default().push(key.clone());
    }
    let mut out = HashMap::with_capacity(targets.len());
    for (store, keys) in by_store {
        let loaded = typed::load_many(repo, store, &keys).await?;
        for (key, l) in keys.into_iter().zip(loaded) {
            out.insert((store, key), l);
        }
    }
    Ok(out)
}

impl<R: Repository> DeskSync<R> {
    pub fn new(repo: R) -> Self {
        let sent: Rc<RefCell<HashMap<String, String>>> = Rc::default();
        let forget = sent.clone();
        // A commit that empties the sync stores names them without listing
        // records (`add_sync_writes`); the checkpoints are written otherwise
        // one at a time, listed.
        let emptied = repo.subscribe(move |notice| {
            if notice.records.is_none() && notice.touches(StoreName::SyncCheckpoints) {
                forget.borrow_mut().clear();
            }
        });
        DeskSync {
            repo,
            sweep: Rc::default(),
            in_flight: Rc::default(),
            sent,
            _emptied: Rc::new(emptied),
        }
    }

    pub fn repo(&self) -> &R {
        &self.repo
    }

    /// Sets sync up on this desk (from then on every commit queues the
    /// synced records it writes) and, the first time only, queues every
    /// record made before (see [`reconcile`](DeskSync::reconcile)). Returns
    /// how many records it queued. Quick at every later start: it reads
    /// one record.
    pub async fn enable(&self) -> Result<u64, SyncError> {
        self.enable_reporting(|_| {}).await
    }

    /// [`enable`](DeskSync::enable), reporting the records queued so far
    /// of those to queue after each chunk (a progress bar: at 100,000
    /// licenses the first start queues about 540,000 records).
    pub async fn enable_reporting(&self, on_progress: impl Fn(Progress)) -> Result<u64, SyncError> {
        if self.repo.get::<SyncSetup>(SYNC_SETUP_KEY).await?.is_some() {
            return Ok(0);
        }
        let mut batch = WriteBatch::new();
        batch.from_sync().put(SyncSetup::default(), Expect::Any);
        self.repo.commit(batch).await?;
        // What the desk holds goes with the sweep (see `Sweep`), not
        // through the outbox.
        let total = self.unswept().await?;
        *self.sweep.borrow_mut() = Sweep {
            on: true,
            done_to: None,
        };
        let total_usize = usize::try_from(total).unwrap_or(usize::MAX);
        on_progress(Progress::new(0, total_usize));
        on_progress(Progress::new(total_usize, total_usize));
        Ok(total)
    }

    /// About how many records the sweep has left: those sync doesn't
    /// describe (an estimate for the header's count, exact on a desk that
    /// never sent anything).
    async fn unswept(&self) -> Result<u64, SyncError> {
        let mut records = 0;
        for store in SYNCED_STORES {
            records += typed::count(&self.repo, store).await?;
        }
        // A document with a page entry and a `SyncDoc` counts twice: an
        // estimate, exact until a document first synced changes again.
        let described =
            self.repo.count::<SyncDoc>().await? + self.repo.count_members(SYNC_PAGE_DOCS).await?;
        Ok(records.saturating_sub(described))
    }

    /// Up to `want` records the sweep sends, at positions after `from`
    /// and not after `stop`, with the documents to send.
    async fn sweep_from(
        &self,
        from: Option<&str>,
        want: usize,
        stop: Option<&str>,
    ) -> Result<Swept, SyncError> {
        let mut stores = SYNCED_STORES;
        stores.sort_by_key(|s| s.as_str());
        let chunk = u32::try_from(want.max(1)).unwrap_or(u32::MAX);
        let stopped = |found| Swept {
            changes: found,
            end: stop.map(str::to_string),
        };
        let mut found = Vec::new();
        for store in stores {
            // Positions are outbox keys, `<store>/<key>`: a store's records
            // sort together, stores by name.
            let prefix = format!("{}/", store.as_str());
            if stop.is_some_and(|s| s < prefix.as_str()) {
                return Ok(stopped(found));
            }
            let mut after = match from {
                Some(f) if f >= prefix.as_str() => match f.strip_prefix(prefix.as_str()) {
                    Some(key) => Some(key.to_string()),
                    None => continue,
                },
                _ => None,
            };
            loop {
                let page = typed::page_after(&self.repo, store, after.as_deref(), chunk).await?;
                let doc_ids: Vec<String> = page
                    .records
                    .iter()
                    .map(|(key, _)| document::doc_id(store, key).unwrap_or_default())
                    .collect();
                let docs = sync_docs(&self.repo, &doc_ids).await?;
                for ((key, loaded), doc_id) in page.records.into_iter().zip(doc_ids) {
                    let position = format!("{prefix}{key}");
                    if stop.is_some_and(|s| position.as_str() > s) {
                        return Ok(stopped(found));
                    }
                    let sd = docs.get(&doc_id).map(|s| &s.record);
                    if let Some((path, deleted, body)) = local_change(sd, &loaded) {
                        found.push(Outgoing {
                            doc: with_meta(body, &doc_id, &path, deleted),
                            outbox_key: position.clone(),
                            store_rev: loaded.rev().unwrap_or(0),
                        });
                        if found.len() >= want {
                            return Ok(Swept {
                                changes: found,
                                end: Some(position),
                            });
                        }
                    }
                }
                match page.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
        }
        Ok(Swept {
            changes: found,
            end: None,
        })
    }

    /// The outbox entries' changes (and the entries with nothing to send).
    async fn queued_changes(
        &self,
        entries: Vec<Stored<OutboxEntry>>,
    ) -> Result<(Vec<Outgoing>, Vec<Stored<OutboxEntry>>), SyncError> {
        let mut out = Vec::new();
        let mut stale = Vec::new();
        let mut targets = Vec::new();
        let mut doc_ids = Vec::new();
        for entry in &entries {
            if entry.record.doc.is_none() {
                if let Some((store, key)) = entry.record.target() {
                    doc_ids.push(document::doc_id(store, &key).unwrap_or_default());
                    targets.push((store, key));
                }
            }
        }
        let records = load_targets(&self.repo, &targets).await?;
        let docs = sync_docs(&self.repo, &doc_ids).await?;
        for entry in entries {
            if let Some(text) = &entry.record.doc {
                match serde_json::from_str::<Value>(text) {
                    Ok(doc) => out.push(Outgoing {
                        doc,
                        outbox_key: entry.record.id.clone(),
                        store_rev: 0,
                    }),
                    Err(_) => stale.push(entry),
                }
                continue;
            }
            let Some((store, key)) = entry.record.target() else {
                stale.push(entry);
                continue;
            };
            let doc_id = document::doc_id(store, &key).unwrap_or_default();
            let loaded = records
                .get(&(store, key))
                .cloned()
                .unwrap_or(Loaded::Missing);
            let sd = docs.get(&doc_id).map(|s| &s.record);
            match local_change(sd, &loaded) {
                Some((path, deleted, body)) => out.push(Outgoing {
                    doc: with_meta(body, &doc_id, &path, deleted),
                    outbox_key: entry.record.id.clone(),
                    store_rev: loaded.rev().unwrap_or(0),
                }),
                None => {
                    // Nothing to send because the shared path says it
                    // all; a record that can't be read or encoded stays
                    // queued until it is mended.
                    let said = match &loaded {
                        Loaded::Found(rev, _) => sd
                            .is_some_and(|d| d.path.is_some() && !d.deleted && d.store_rev == *rev),
                        Loaded::Missing => true,
                        Loaded::Damaged => false,
                    };
                    if said {
                        stale.push(entry);
                    }
                }
            }
        }
        Ok((out, stale))
    }

    /// Queues every synced record the sync state doesn't describe at its
    /// current revision, in chunks, so nothing made before sync was set up
    /// (or in a tab that had not heard of it yet) is left out. It reads
    /// every synced record (seconds at 100,000 licenses): run it in the
    /// background at a later start of sync, as a safety net.
    pub async fn reconcile(&self) -> Result<u64, SyncError> {
        self.reconcile_reporting(|_| {}).await
    }

    async fn reconcile_reporting(&self, on_progress: impl Fn(Progress)) -> Result<u64, SyncError> {
        let mut records: Vec<(StoreName, String, u64)> = Vec::new();
        self.repo
            .read_raw(&SYNCED_STORES, &mut |store, raw| {
                if let Some(rev) = raw.rev {
                    records.push((store, raw.key, rev));
                }
                Ok(())
            })
            .await?;
        // Page entries first: a document's `SyncDoc` wins over its entry.
        let pages = self.repo.read_all::<SyncPage>().await?.records;
        let docs = self.repo.read_all::<SyncDoc>().await?.records;
        let described: HashMap<String, u64> = pages
            .iter()
            .flat_map(|p| p.record.entries())
            .chain(docs.into_iter().map(|s| s.record))
            .map(|d| {
                let said = (d.path.is_some() && !d.deleted).then_some(d.store_rev);
                (d.id, said)
            })
            .collect::<HashMap<String, Option<u64>>>()
            .into_iter()
            .filter_map(|(id, rev)| Some((id, rev?)))
            .collect();
        let queued: HashSet<String> = self
            .repo
            .read_all::<OutboxEntry>()
            .await?
            .records
            .into_iter()
            .map(|s| s.record.id)
            .collect();
        let to_queue: Vec<OutboxEntry> = records
            .into_iter()
            .filter(|(store, key, rev)| {
                let doc_id = document::doc_id(*store, key).unwrap_or_default();
                described.get(&doc_id) != Some(rev)
                    && !queued.contains(&OutboxEntry::record_key(*store, key))
            })
            .map(|(store, key, _)| OutboxEntry::record(store, &key))
            .collect();
        let total = to_queue.len();
        on_progress(Progress::new(0, total));
        let mut done = 0;
        for chunk in to_queue.chunks(RECONCILE_CHUNK) {
            let mut batch = WriteBatch::new();
            batch.from_sync();
            for entry in chunk {
                batch.put(entry.clone(), Expect::Any);
            }
            self.repo.commit(batch).await?;
            done += chunk.len();
            on_progress(Progress::new(done, total));
        }
        Ok(total as u64)
    }

    /// Gives this desk its number in the team (kept if it has one), so the
    /// IDs it makes from now on never equal another desk's: `draw` is a
    /// number the caller drew at random (see `Sequences::claim_desk`).
    /// Called at every start of sync: a demo load or a restore replaces the
    /// counters, and the next start gives the desk a number again.
    pub async fn claim_desk(&self, draw: u64) -> Result<u64, SyncError> {
        let mut counters = self
            .repo
            .load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)
            .await?;
        if let Some(desk) = counters.record().desk() {
            return Ok(desk);
        }
        let desk = counters.record_mut().claim_desk(draw);
        let mut batch = WriteBatch::new();
        batch.save(counters);
        self.repo.commit(batch).await?;
        Ok(desk)
    }

    /// Whether sync was set up on this desk.
    pub async fn is_enabled(&self) -> Result<bool, SyncError> {
        Ok(self.repo.get::<SyncSetup>(SYNC_SETUP_KEY).await?.is_some())
    }

    /// The documents the desk refused, by document id.
    pub async fn refused(&self) -> Result<Vec<Refusal>, SyncError> {
        Ok(self.repo.all_records::<Refusal>().await?)
    }

    /// Deletes outbox entries that have nothing to send (unless they were
    /// written again meanwhile).
    async fn drop_stale(&self, stale: Vec<Stored<OutboxEntry>>) -> Result<(), SyncError> {
        if stale.is_empty() {
            return Ok(());
        }
        let mut batch = WriteBatch::new();
        batch.from_sync();
        for entry in stale {
            batch.delete::<OutboxEntry>(entry.record.id, Expect::Rev(entry.rev));
        }
        match self.repo.commit(batch).await {
            Ok(_) | Err(StorageError::Conflict { .. }) | Err(StorageError::NotFound { .. }) => {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn mark_sent_once(&self, sent: &[Outgoing]) -> Result<(), StorageError> {
        // The last of each entry counts (a caller may send one twice).
        let mut by_key: BTreeMap<&str, &Outgoing> = BTreeMap::new();
        for out in sent {
            by_key.insert(out.outbox_key.as_str(), out);
        }
        let keys: Vec<String> = by_key.keys().map(|k| (*k).to_string()).collect();
        let entries = self.repo.get_many::<OutboxEntry>(&keys).await?;
        let mut targets = Vec::new();
        let mut doc_ids = Vec::new();
        for (out, entry) in by_key.values().zip(&entries) {
            if out.outbox_key.contains('#') {
                continue;
            }
            let probe = OutboxEntry {
                id: out.outbox_key.clone(),
                doc: None,
            };
            if let (Some(target), Some(id)) = (probe.target(), out.doc["_id"].as_str()) {
                // The record's revision only decides whether its entry
                // goes (the sweep's changes have none).
                if entry.is_some() {
                    targets.push(target);
                }
                doc_ids.push(id.to_string());
            }
        }
        let records = load_targets(&self.repo, &targets).await?;
        let docs = sync_docs(&self.repo, &doc_ids).await?;
        let mut batch = WriteBatch::new();
        batch.from_sync();
        let mut page = Vec::new();
        let mut written_docs = HashSet::new();
        for (out, entry) in by_key.values().zip(entries) {
            if out.outbox_key.contains('#') {
                if let Some(entry) = entry {
                    batch.delete::<OutboxEntry>(entry.record.id, Expect::Rev(entry.rev));
                }
                continue;
            }
            let target = OutboxEntry {
                id: out.outbox_key.clone(),
                doc: None,
            }
            .target();
            let (Some(target), Some(doc_id)) = (target, out.doc["_id"].as_str()) else {
                continue;
            };
            let Some(path) = RevPath::from_value(&out.doc["_revisions"]) else {
                continue;
            };
            let deleted = out.doc["_deleted"] == Value::Bool(true);
            let now = records.get(&target).and_then(Loaded::rev);
            let unchanged = if deleted {
                now.is_none()
            } else {
                now == Some(out.store_rev)
            };
            let existing = docs.get(doc_id);
            // Only a newer path than the one kept (an apply may have
            // fast-forwarded the record meanwhile).
            let newer = existing
                .and_then(|s| s.record.path.as_ref())
                .is_none_or(|kept| path.contains(&kept.head()));
            if newer && written_docs.insert(doc_id.to_string()) {
                let doc = SyncDoc {
                    id: doc_id.to_string(),
                    path: Some(path),
                    store_rev: if deleted { 0 } else { out.store_rev },
                    deleted,
                    conflicts: existing
                        .map(|s| s.record.conflicts.clone())
                        .unwrap_or_default(),
                };
                put_sync_doc(&mut batch, &mut page, doc, existing);
            }
            if let (true, Some(entry)) = (unchanged, entry) {
                batch.delete::<OutboxEntry>(entry.record.id, Expect::Rev(entry.rev));
            }
        }
        put_page(&mut batch, page);
        if !batch.is_empty() {
            self.repo.commit(batch).await?;
        }
        let mut sweep = self.sweep.borrow_mut();
        if sweep.on {
            sweep.done_to = later(sweep.done_to.as_deref(), keys.last().map(String::as_str));
        }
        drop(sweep);
        self.landed(sent);
        let mut known = self.sent.borrow_mut();
        for (id, rev) in sent.iter().filter_map(|o| id_and_rev(&o.doc)) {
            known.insert(id, rev);
        }
        Ok(())
    }

    /// Notes revisions made by `pending` as in flight.
    fn in_flight(&self, changes: &[Outgoing]) {
        let mut in_flight = self.in_flight.borrow_mut();
        for (id, rev) in changes.iter().filter_map(|o| id_and_rev(&o.doc)) {
            in_flight.entry(id).or_default().insert(rev);
        }
    }

    /// These revisions are no longer in flight (sent, or refused).
    fn landed(&self, changes: &[Outgoing]) {
        let mut in_flight = self.in_flight.borrow_mut();
        for (id, rev) in changes.iter().filter_map(|o| id_and_rev(&o.doc)) {
            if let Some(revs) = in_flight.get_mut(&id) {
                revs.remove(&rev);
                if revs.is_empty() {
                    in_flight.remove(&id);
                }
            }
        }
    }
}

/// A document's `_id` and `_rev`.
fn id_and_rev(doc: &Value) -> Option<(String, String)> {
    Some((
        doc.get("_id")?.as_str()?.to_string(),
        doc.get("_rev")?.as_str()?.to_string(),
    ))
}

/// Retries `step` while a save elsewhere changed what it read.
fn is_retry(e: &StorageError) -> bool {
    matches!(
        e,
        StorageError::Conflict { .. } | StorageError::NotFound { .. }
    )
}

impl<R: Repository> Local for DeskSync<R> {
    /// Queued changes in outbox key order (store, then record key): CouchDB
    /// needs no order, and a sequence number would cost a read in every
    /// commit. While the sweep is on, the records it sends are merged in at
    /// their outbox key.
    async fn pending_after(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<PendingPage, SyncError> {
        let want = u32::try_from(limit).unwrap_or(u32::MAX);
        let page = self
            .repo
            .read_page(OUTBOX_QUEUE, Query::All, after, want)
            .await?;
        // The outbox is read up to here (`None`: to its end).
        let outbox_end = page.next;
        let (mut out, stale) = self.queued_changes(page.read.records).await?;
        let mut sweep_end = None;
        let (sweeping, done_to) = {
            let sweep = self.sweep.borrow();
            (sweep.on, sweep.done_to.clone())
        };
        if sweeping {
            let from = later(after, done_to.as_deref());
            let swept = self
                .sweep_from(from.as_deref(), limit, outbox_end.as_deref())
                .await?;
            if from == done_to && swept.changes.is_empty() && swept.end.is_none() {
                // Everything before the cursor was sent, nothing after it
                // is left: from now on the outbox says it all.
                self.sweep.borrow_mut().on = false;
            }
            let queued: HashSet<String> = out
                .iter()
                .map(|o| o.outbox_key.clone())
                .chain(stale.iter().map(|e| e.record.id.clone()))
                .collect();
            out.extend(
                swept
                    .changes
                    .into_iter()
                    .filter(|o| !queued.contains(&o.outbox_key)),
            );
            sweep_end = swept.end;
        }
        out.sort_by(|a, b| a.outbox_key.cmp(&b.outbox_key));
        let end = match (outbox_end, sweep_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, None) => a,
            (None, b) => b,
        };
        if let Some(end) = &end {
            out.retain(|o| o.outbox_key <= *end);
        }
        let next = if out.len() > limit {
            out.truncate(limit);
            out.last().map(|o| o.outbox_key.clone())
        } else {
            end
        };
        self.drop_stale(stale).await?;
        self.in_flight(&out);
        Ok(PendingPage { changes: out, next })
    }

    async fn keep_queued(&self, refused: &[Outgoing]) -> Result<(), SyncError> {
        self.landed(refused);
        let keys: Vec<String> = refused
            .iter()
            .filter(|o| !o.outbox_key.contains('#'))
            .map(|o| o.outbox_key.clone())
            .collect();
        if keys.is_empty() {
            return Ok(());
        }
        let entries = self.repo.get_many::<OutboxEntry>(&keys).await?;
        let mut batch = WriteBatch::new();
        batch.from_sync();
        for (key, entry) in keys.into_iter().zip(entries) {
            // A change of the sweep: into the outbox, so it is sent again.
            if entry.is_none() {
                batch.put(OutboxEntry { id: key, doc: None }, Expect::Any);
            }
        }
        if !batch.is_empty() {
            self.repo.commit(batch).await?;
        }
        Ok(())
    }

    async fn waiting(&self) -> Result<u64, SyncError> {
        let queued = self.repo.count::<OutboxEntry>().await?;
        let sweeping = self.sweep.borrow().on;
        if sweeping {
            // The outbox's entries are mostly records the sweep has not
            // reached yet (or refused ones it left there): the larger
            // count, not the sum.
            Ok(queued.max(self.unswept().await?))
        } else {
            Ok(queued)
        }
    }

    async fn mark_sent(&self, sent: &[Outgoing]) -> Result<(), SyncError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.mark_sent_once(sent).await {
                Err(e) if is_retry(&e) && attempt < RETRIES => continue,
                other => return Ok(other?),
            }
        }
    }

    /// A revision is known when it is on the shared path, on a kept
    /// conflict's path, or was refused (refused again it would be, so it
    /// is not fetched at every pull). Documents that are not records
    /// (`_design/...`) are never missing.
    async fn missing(&self, revs: &RevsByDoc) -> Result<RevsByDoc, SyncError> {
        // Documents whose every listed revision is in flight or just sent
        // need no read (each sent one is met once: then forgotten).
        let ids: Vec<String> = {
            let in_flight = self.in_flight.borrow();
            let mut sent = self.sent.borrow_mut();
            revs.iter()
                .filter(|(id, _)| !id.starts_with('_'))
                .filter(|(id, listed)| {
                    let sending = in_flight.get(*id);
                    let landed = sent.get(*id);
                    let known = listed
                        .iter()
                        .all(|rev| sending.is_some_and(|r| r.contains(rev)) || landed == Some(rev));
                    if known && landed.is_some_and(|r| listed.contains(r)) {
                        sent.remove(*id);
                    }
                    !known
                })
                .map(|(id, _)| id.clone())
                .collect()
        };
        if ids.is_empty() {
            return Ok(RevsByDoc::new());
        }
        let docs = sync_docs(&self.repo, &ids).await?;
        let refused = self.repo.get_many::<Refusal>(&ids).await?;
        let refused: HashMap<&String, String> = ids
            .iter()
            .zip(refused)
            .filter_map(|(id, r)| Some((id, r?.record.rev)))
            .collect();
        let in_flight = self.in_flight.borrow();
        let mut missing = RevsByDoc::new();
        for id in &ids {
            let sd = docs.get(id).map(|s| &s.record);
            let lacking: Vec<String> = revs
                .get(id)
                .into_iter()
                .flatten()
                .filter(|text| {
                    let Some(rev) = Rev::parse(text) else {
                        return true;
                    };
                    let known = sd.is_some_and(|d| {
                        d.path.as_ref().is_some_and(|p| p.contains(&rev))
                            || d.conflicts.iter().any(|c| c.path.contains(&rev))
                    });
                    let sending = in_flight.get(id).is_some_and(|r| r.contains(text.as_str()));
                    !known && !sending && refused.get(id) != Some(*text)
                })
                .cloned()
                .collect();
            if !lacking.is_empty() {
                missing.insert(id.clone(), lacking);
            }
        }
        Ok(missing)
    }

    async fn apply(&self, docs: Vec<Value>) -> Result<ApplyReport, SyncError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match apply::apply_once(&self.repo, &docs).await {
                Err(SyncError::Storage(e)) if is_retry(&e) && attempt < RETRIES => continue,
                other => return other,
            }
        }
    }

    async fn checkpoint(&self, replication_id: &str) -> Result<Option<Seq>, SyncError> {
        Ok(self
            .repo
            .get::<SyncCheckpoint>(replication_id)
            .await?
            .and_then(|c| serde_json::from_str::<Value>(&c.record.seq).ok())
            .map(Seq))
    }

    async fn save_checkpoint(&self, replication_id: &str, seq: &Seq) -> Result<(), SyncError> {
        let mut batch = WriteBatch::new();
        batch.from_sync().put(
            SyncCheckpoint {
                id: replication_id.to_string(),
                seq: seq.0.to_string(),
            },
            Expect::Any,
        );
        self.repo.commit(batch).await?;
        Ok(())
    }
}

/// The store and key of a document id, or why it names no record.
fn target_of(doc_id: &str) -> Result<(StoreName, String), SyncError> {
    parse_doc_id(doc_id).ok_or_else(|| {
        SyncError::Other(format!(
            "{doc_id:?} names no License Desk record, so there is nothing to resolve."
        ))
    })
}
