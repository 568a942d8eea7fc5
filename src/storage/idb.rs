//! The IndexedDB repository (browser), on `indexed_db_futures` 0.6.
//!
//! * One database (default name [`DEFAULT_DB_NAME`]), schema per `schema.rs`,
//!   upgraded step by step from whatever version the browser holds.
//! * A commit is one `readwrite` transaction over the batch's stores: it reads
//!   the current revision of every record whose write expects one (all reads
//!   issued at once), checks them, then issues every put and delete without
//!   awaiting any, and awaits only the commit. Creates use `add`, so a key
//!   taken meanwhile fails the transaction instead of being overwritten. Any
//!   failure aborts the transaction: nothing of the batch is written.
//! * After a commit, subscribers in this tab are called and other tabs are
//!   told on the `license-desk-changes` BroadcastChannel.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::rc::Rc;

use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::error::{Error as IdbError, OpenDbError};
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions, TransactionRef,
};
use indexed_db_futures::{KeyPath, KeyRange};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::batch::{Action, Committed, Expect, WriteBatch};
use super::codec;
use super::damaged::{DamageLog, DamagedRecord, Readable};
use super::error::{StorageError, StorageResult};
use super::idb_scan::{Activity, Busy};
use super::list_snapshot::{self as snap, Patch};
use super::listed::Listed;
use super::notify::{ChangeNotice, ChangeOrigin, Subscribers, Subscription, CHANNEL_NAME};
use super::paged::Page;
use super::progress::{is_report_point, Progress, ProgressSink};
use super::read_stop::ReadStop;
use super::record::{Index, IndexDef, Query, Record, StoreName, Stored};
use super::repo::{RawVisitor, Repository};
use super::schema::{
    KEY_PATH, SCHEMA_VERSION, SYNC_PAGE_INDEX, V1_STORES, V3_STORES, V4_INDEXES, V5_STORES,
    V8_DROPPED_INDEXES,
};
use super::sync_records::{SyncSetup, SYNC_SETUP_KEY};

/// The database the app uses.
pub const DEFAULT_DB_NAME: &str = "license-desk";

/// A store created and deleted inside each upgrade: see [`upgrade`].
const SCRATCH_STORE: &str = "__upgrade_scratch";

/// See the module docs. Clones share one connection; the last one dropped
/// closes it.
#[derive(Clone)]
pub struct IdbRepository {
    inner: Rc<Inner>,
    /// Set on a handle for bulk work (see [`IdbRepository::bulk`]).
    bulk: Option<ProgressSink>,
    /// Set on a page's handle (see [`IdbRepository::stopped_by`]).
    stop: Option<ReadStop>,
    /// Set on a bulk handle whose work has a Cancel (see
    /// [`IdbRepository::cancelled_by`]).
    cancel: Option<ReadStop>,
}

struct Inner {
    name: String,
    db: Database,
    subscribers: Subscribers,
    channel: Option<web_sys::BroadcastChannel>,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
    _on_version_change: Closure<dyn FnMut(web_sys::Event)>,
    closed: Rc<Cell<bool>>,
    damage: DamageLog,
    /// Whether sync is set up on this desk (a [`SyncSetup`] is stored): read
    /// at open, set by a commit that stores it, here or in another tab.
    sync_enabled: Rc<Cell<bool>>,
    /// Reads and commits in flight, for the background scan (`idb_scan.rs`).
    activity: Rc<Activity>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(channel) = &self.channel {
            channel.set_onmessage(None);
            channel.close();
        }
        self.db.as_sys().set_onversionchange(None);
        self.db.clone().close();
    }
}

/// What goes on the BroadcastChannel.
#[derive(Serialize, Deserialize)]
struct WireNotice {
    db: String,
    stores: Vec<StoreName>,
    records: Option<Vec<(StoreName, String)>>,
}

fn idb_error(e: IdbError, context: &str) -> StorageError {
    match e {
        IdbError::DomException(d) => {
            let sys = d.as_sys();
            StorageError::from_dom_name(&sys.name(), &sys.message(), context)
        }
        other => StorageError::Other(format!("Storage failed while {context}: {other}")),
    }
}

pub(super) fn ctx(context: &'static str) -> impl Fn(IdbError) -> StorageError {
    move |e| idb_error(e, context)
}

fn open_error(e: OpenDbError) -> StorageError {
    match e {
        OpenDbError::UnsupportedEnvironment | OpenDbError::NullFactory => {
            StorageError::Unavailable("IndexedDB is not available in this browser".to_string())
        }
        OpenDbError::VersionZero => {
            StorageError::Other("Internal error: database version 0.".to_string())
        }
        OpenDbError::Base(IdbError::DomException(d)) => {
            let sys = d.as_sys();
            let name = sys.name();
            match name.as_str() {
                // Firefox private windows and disabled storage fail the open this way.
                "InvalidStateError" | "UnknownError" | "SecurityError" | "NotAllowedError" => {
                    StorageError::Unavailable(format!("{name}: {}", sys.message()))
                }
                _ => StorageError::from_dom_name(&name, &sys.message(), "opening the database"),
            }
        }
        OpenDbError::Base(e) => idb_error(e, "opening the database"),
    }
}

fn js_error(e: StorageError) -> IdbError {
    js_sys::Error::new(&e.to_string()).into()
}

/// Runs every schema step after `old` up to `new`, in the upgrade transaction.
///
/// `indexed_db_futures` 0.6 does not hand the upgrade callback its
/// `versionchange` transaction (Alorel/rust-indexed-db#66), which is needed
/// to reach stores created by earlier versions. Any store created during the
/// upgrade belongs to that transaction, so a scratch store is created to get
/// at it, and deleted at the end.
async fn upgrade(db: &Database, old: u32, new: u32) -> StorageResult<()> {
    let scratch = db
        .create_object_store(SCRATCH_STORE)
        .build()
        .map_err(ctx("upgrading the database"))?;
    let tx = scratch.transaction();
    // A new database has no records to re-index: its upgrade awaits nothing,
    // so the upgrade transaction can't finish before the steps do.
    let fresh = old == 0;
    for version in (old + 1)..=new {
        match version {
            1 => upgrade_to_v1(db)?,
            2 => upgrade_to_v2(tx, fresh).await?,
            3 => upgrade_to_v3(db)?,
            4 => super::idb_pages::upgrade_to_v4(tx, fresh).await?,
            5 => upgrade_to_v5(db)?,
            6 => upgrade_to_v6(db)?,
            7 => upgrade_to_v7(db)?,
            8 => upgrade_to_v8(tx)?,
            v => {
                return Err(StorageError::Other(format!(
                    "Internal error: no upgrade step for schema version {v}."
                )))
            }
        }
    }
    db.delete_object_store(SCRATCH_STORE)
        .map_err(ctx("upgrading the database"))
}

/// v1: one store per record type, keyed by `id`.
fn upgrade_to_v1(db: &Database) -> StorageResult<()> {
    create_stores(db, &V1_STORES)
}

/// v3: the notifications store (new, so nothing to carry over).
fn upgrade_to_v3(db: &Database) -> StorageResult<()> {
    create_stores(db, &V3_STORES)
}

/// v5: the sync stores, with their indexes (new, so nothing to carry over).
fn upgrade_to_v5(db: &Database) -> StorageResult<()> {
    for store in V5_STORES {
        let object_store = db
            .create_object_store(store.as_str())
            .with_key_path(KeyPath::One(KEY_PATH))
            .build()
            .map_err(ctx("creating the sync stores"))?;
        for def in store.indexes() {
            object_store
                .create_index(def.name, KeyPath::One(def.key_path))
                .build()
                .map_err(ctx("creating the sync stores"))?;
        }
    }
    Ok(())
}

/// v6: the list snapshot's store. Built by the first list read (it finds
/// no `meta`), as it is rebuilt whenever it is found missing.
fn upgrade_to_v6(db: &Database) -> StorageResult<()> {
    db.create_object_store(super::list_snapshot::SNAPSHOT_STORE)
        .with_key_path(KeyPath::One(KEY_PATH))
        .build()
        .map_err(ctx("creating the list snapshot"))?;
    Ok(())
}

/// v7: the pages of first revisions sync writes (`sync_records::SyncPage`),
/// with the multi-entry index that finds a page by any document it holds.
/// New, so nothing to carry over: the `sync_docs` already there keep
/// describing their documents.
fn upgrade_to_v7(db: &Database) -> StorageResult<()> {
    let def = SYNC_PAGE_INDEX;
    db.create_object_store(StoreName::SyncPages.as_str())
        .with_key_path(KeyPath::One(KEY_PATH))
        .build()
        .map_err(ctx("creating the sync pages"))?
        .create_index(def.name, KeyPath::One(def.key_path))
        .with_multi_entry(true)
        .build()
        .map_err(ctx("creating the sync pages"))?;
    Ok(())
}

/// v8: deletes the indexes nothing reads. One missing is skipped: a
/// database older than version 2 got the indexes of the schema that
/// upgraded it, so it never had them. Records are not rewritten (that
/// would cost as much as the whole store's writes): their stale `ix_`
/// fields are ignored by reads and dropped by their next write.
fn upgrade_to_v8(tx: &TransactionRef<'_>) -> StorageResult<()> {
    for (store, name) in V8_DROPPED_INDEXES {
        let object_store = tx
            .object_store(store.as_str())
            .map_err(ctx("deleting unused indexes"))?;
        if object_store.index_names().any(|n| n == name) {
            object_store
                .delete_index(name)
                .map_err(ctx("deleting unused indexes"))?;
        }
    }
    Ok(())
}

fn create_stores(db: &Database, stores: &[StoreName]) -> StorageResult<()> {
    for store in stores.iter().copied() {
        db.create_object_store(store.as_str())
            .with_key_path(KeyPath::One(KEY_PATH))
            .build()
            .map_err(ctx("creating the stores"))?;
    }
    Ok(())
}

/// v2: the list pages' indexes, and index fields backfilled on every record
/// (of the stores v1 made: later stores get their indexes when created).
async fn upgrade_to_v2(tx: &TransactionRef<'_>, fresh: bool) -> StorageResult<()> {
    for store in V1_STORES {
        // Indexes a later step adds are left to that step: creating one
        // twice fails the whole upgrade.
        let defs: Vec<&IndexDef> = store
            .indexes()
            .iter()
            .filter(|def| !V4_INDEXES.contains(&(store, def.name)))
            .collect();
        if !defs.is_empty() {
            add_indexes(tx, store, &defs, fresh).await?;
        }
    }
    Ok(())
}

/// Creates `defs` on `store` and, unless the database is `fresh` (it has
/// no records yet), re-writes every record with its index fields.
pub(super) async fn add_indexes(
    tx: &TransactionRef<'_>,
    store: StoreName,
    defs: &[&IndexDef],
    fresh: bool,
) -> StorageResult<()> {
    let object_store = tx
        .object_store(store.as_str())
        .map_err(ctx("adding indexes"))?;
    for def in defs {
        object_store
            .create_index(def.name, KeyPath::One(def.key_path))
            .build()
            .map_err(ctx("adding indexes"))?;
    }
    if fresh {
        return Ok(());
    }
    let values = object_store
        .get_all::<JsValue>()
        .primitive()
        .map_err(ctx("re-indexing records"))?
        .await
        .map_err(ctx("re-indexing records"))?;
    for value in values {
        let value = value.map_err(ctx("re-indexing records"))?;
        // A record this build can't read keeps its data but stays out of
        // the indexes; reading it reports it as corrupt.
        if let Ok(reencoded) = super::records::reencode(store, value) {
            let _request = object_store
                .put(reencoded)
                .primitive()
                .map_err(ctx("re-indexing records"))?;
        }
    }
    Ok(())
}

pub(super) fn key_range(query: Query) -> Option<Option<KeyRange<String>>> {
    // Outer None: the range is empty; inner None: everything.
    match query {
        Query::All => Some(None),
        Query::Eq(v) => Some(Some(KeyRange::Only(v))),
        Query::Range(lo, hi) => {
            let lower = match lo {
                Bound::Included(v) => Some((v, false)),
                Bound::Excluded(v) => Some((v, true)),
                Bound::Unbounded => None,
            };
            let upper = match hi {
                Bound::Included(v) => Some((v, false)),
                Bound::Excluded(v) => Some((v, true)),
                Bound::Unbounded => None,
            };
            match (lower, upper) {
                (None, None) => Some(None),
                (Some((l, lo)), None) => Some(Some(KeyRange::LowerBound(l, lo))),
                (None, Some((h, ho))) => Some(Some(KeyRange::UpperBound(h, ho))),
                (Some((l, lo)), Some((h, ho))) => {
                    if l > h || (l == h && (lo || ho)) {
                        None
                    } else {
                        Some(Some(KeyRange::Bound(l, lo, h, ho)))
                    }
                }
            }
        }
    }
}

impl IdbRepository {
    /// Opens (creating or upgrading) the database `name`.
    pub async fn open(name: &str) -> StorageResult<IdbRepository> {
        IdbRepository::open_with(name, || {}).await
    }

    /// Like [`open`](IdbRepository::open); `on_blocked` is called if an older
    /// License Desk tab holds the database open and must be closed before the
    /// upgrade can run (show [`StorageError::UpgradeBlocked`]'s text). The
    /// open completes when that tab is closed.
    pub async fn open_with(
        name: &str,
        on_blocked: impl FnOnce() + 'static,
    ) -> StorageResult<IdbRepository> {
        IdbRepository::open_at_version(name, SCHEMA_VERSION, on_blocked).await
    }

    /// Opens at an older schema version (upgrade ladder tests only).
    #[doc(hidden)]
    pub async fn open_at_version(
        name: &str,
        version: u32,
        on_blocked: impl FnOnce() + 'static,
    ) -> StorageResult<IdbRepository> {
        let db = Database::open(name)
            .with_version(version)
            .with_on_blocked(move |_event: VersionChangeEvent| {
                on_blocked();
                Ok(())
            })
            .with_on_upgrade_needed_fut(move |event: VersionChangeEvent, db: Database| async move {
                let old = event.old_version() as u32;
                let new = event.new_version().map_or(version, |v| v as u32);
                upgrade(&db, old, new).await.map_err(js_error)
            })
            .await
            .map_err(open_error)?;
        let repo = IdbRepository::wrap(name, db);
        if repo.has_sync_stores() {
            // Something stored there, even unreadable, means sync was set
            // up: queueing a change too many is safe, one too few is not.
            let enabled = match repo.get::<SyncSetup>(SYNC_SETUP_KEY).await {
                Ok(setup) => setup.is_some(),
                Err(StorageError::Corrupt { .. }) => true,
                Err(e) => return Err(e),
            };
            repo.inner.sync_enabled.set(enabled);
        }
        Ok(repo)
    }

    /// Whether the database has the sync stores (schema v5 and later).
    fn has_sync_stores(&self) -> bool {
        self.version() >= 5
    }

    fn wrap(name: &str, db: Database) -> IdbRepository {
        let subscribers = Subscribers::default();
        let closed = Rc::new(Cell::new(false));

        let on_version_change = {
            let db = db.clone();
            let closed = Rc::clone(&closed);
            let subscribers = subscribers.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
                // Let the other tab upgrade; this one must reload.
                db.clone().close();
                closed.set(true);
                subscribers.notify(&ChangeNotice {
                    origin: ChangeOrigin::SchemaUpgrade,
                    stores: StoreName::ALL.to_vec(),
                    records: None,
                });
            })
        };
        db.as_sys()
            .set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));

        let sync_enabled = Rc::new(Cell::new(false));
        let channel = web_sys::BroadcastChannel::new(CHANNEL_NAME).ok();
        let activity = Rc::new(Activity::default());
        let on_message = channel.as_ref().map(|channel| {
            let subscribers = subscribers.clone();
            let activity = Rc::clone(&activity);
            let sync_enabled = Rc::clone(&sync_enabled);
            let db_name = name.to_string();
            let closure = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |event: web_sys::MessageEvent| {
                    if let Ok(wire) = serde_wasm_bindgen::from_value::<WireNotice>(event.data()) {
                        if wire.db == db_name {
                            // Only setting sync up writes `sync_state`.
                            if wire.stores.contains(&StoreName::SyncState) {
                                sync_enabled.set(true);
                            }
                            // This tab's lists read again: the scan waits.
                            activity.touch();
                            subscribers.notify(&ChangeNotice {
                                origin: ChangeOrigin::OtherTab,
                                stores: wire.stores,
                                records: wire.records,
                            });
                        }
                    }
                },
            );
            channel.set_onmessage(Some(closure.as_ref().unchecked_ref()));
            closure
        });

        IdbRepository {
            inner: Rc::new(Inner {
                name: name.to_string(),
                db,
                subscribers,
                channel,
                _on_message: on_message,
                _on_version_change: on_version_change,
                closed,
                damage: DamageLog::default(),
                sync_enabled,
                activity,
            }),
            bulk: None,
            stop: None,
            cancel: None,
        }
    }

    /// A handle on the same database for bulk work (demo load, reset,
    /// import, restore, bulk apply): its commits are still one atomic
    /// transaction each, but they use relaxed durability (the browser reports
    /// the commit once the operating system has the data, without waiting
    /// for the disk: measured faster, see docs/perf.md; a power cut right
    /// after may lose the whole commit, never part of it) and report their
    /// progress to `on_progress`, handing the page back to the browser
    /// between steps. Hand edits keep using the plain handle.
    pub fn bulk(&self, on_progress: impl Fn(Progress) + 'static) -> IdbRepository {
        IdbRepository {
            inner: Rc::clone(&self.inner),
            bulk: Some(Rc::new(on_progress)),
            stop: self.stop.clone(),
            cancel: self.cancel.clone(),
        }
    }

    /// A bulk handle whose commit stops once `cancel` is set: at its next
    /// progress step the transaction is aborted, so nothing of it is written,
    /// and the commit fails with [`StorageError::WriteCancelled`] (so does a
    /// commit that starts after it was set). Reads don't look at it.
    pub fn cancelled_by(&self, cancel: &ReadStop) -> IdbRepository {
        IdbRepository {
            inner: Rc::clone(&self.inner),
            bulk: self.bulk.clone(),
            stop: self.stop.clone(),
            cancel: Some(cancel.clone()),
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(ReadStop::is_stopped)
    }

    /// A handle on the same database for a page's reads: once `stop` is set
    /// (the page was left), each read on it is refused with
    /// [`StorageError::Cancelled`] before it starts, and a read in chunks
    /// stops after the chunk in flight. Other handles are not affected.
    pub fn stopped_by(&self, stop: &ReadStop) -> IdbRepository {
        IdbRepository {
            inner: Rc::clone(&self.inner),
            bulk: self.bulk.clone(),
            stop: Some(stop.clone()),
            cancel: self.cancel.clone(),
        }
    }

    /// `Err(Cancelled)` once this handle's page was left.
    pub(super) fn check_stop(&self) -> StorageResult<()> {
        self.stop.as_ref().map_or(Ok(()), ReadStop::check)
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The database's schema version.
    pub fn version(&self) -> u32 {
        self.inner.db.version() as u32
    }

    /// True once another tab upgraded the database: this tab must reload.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.get()
    }

    /// Deletes the database `name` (tests, "clear demo data"). Other
    /// repositories on it must be dropped first, or this waits for them.
    pub async fn delete_database(name: &str) -> StorageResult<()> {
        Database::delete_by_name(name)
            .map_err(open_error)?
            .await
            .map_err(ctx("deleting the database"))
    }

    pub(super) fn database(&self) -> &Database {
        &self.inner.db
    }

    pub(super) fn check_open(&self) -> StorageResult<()> {
        if self.is_closed() {
            Err(StorageError::Other(
                "License Desk was updated in another tab. Reload this tab to continue.".to_string(),
            ))
        } else {
            Ok(())
        }
    }

    /// Marks a read or commit in flight (see `idb_scan.rs`).
    pub(super) fn busy(&self) -> Busy {
        self.inner.activity.busy()
    }

    pub(super) fn activity(&self) -> &Activity {
        &self.inner.activity
    }

    pub(super) fn read_tx(&self, store: StoreName) -> StorageResult<Transaction<'_>> {
        self.check_open()?;
        self.check_stop()?;
        self.inner
            .db
            .transaction(store.as_str())
            .build()
            .map_err(ctx("reading"))
    }

    fn notify(&self, committed: &Committed) {
        let notice = ChangeNotice::from_committed(committed, ChangeOrigin::ThisTab);
        if let Some(channel) = &self.inner.channel {
            let wire = WireNotice {
                db: self.inner.name.clone(),
                stores: notice.stores.clone(),
                records: notice.records.clone(),
            };
            // The save succeeded: a tab that misses the notice only shows
            // older data until it reloads, so a failed post is not an error.
            if let Ok(message) = serde_wasm_bindgen::to_value(&wire) {
                let _ = channel.post_message(&message);
            }
        }
        self.inner.subscribers.notify(&notice);
    }

    /// Calls `each` with every stored value of `store`, by key, read in
    /// chunks: the next chunk is requested before this one is handled, so the
    /// browser reads it while the records are converted.
    async fn each_value(
        &self,
        store: StoreName,
        each: &mut dyn FnMut(JsValue),
    ) -> StorageResult<()> {
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        let raw_store: &web_sys::IdbObjectStore = object_store.as_sys();
        let mut next = Some(get_all_chunk(raw_store, None)?);
        while let Some(request) = next.take() {
            let chunk = request.await?;
            // Left page: no next chunk is asked for (none is out).
            self.check_stop()?;
            let len = chunk.length();
            if len == GET_ALL_CHUNK {
                next = Some(get_all_chunk(raw_store, Some(&last_key(&chunk)?))?);
            }
            for value in chunk {
                each(value);
            }
        }
        Ok(())
    }

    /// [`Repository::get_many`] for many keys that are most of the records
    /// between the lowest and the highest: one `getAll` per chunk of that
    /// key range costs far less than a `get` per key (9,999 gets took 1.6 s,
    /// bench `bulk`). `None` when the range holds over twice as many records
    /// as asked for (then a get per key reads less), and nothing was read.
    ///
    /// `each` gets every value found with its place in `ids` as its chunk
    /// arrives, while the browser reads the next one: decoding 100,000
    /// licenses for an export overlaps the reading instead of following it.
    async fn get_dense(
        &self,
        store: StoreName,
        ids: &[String],
        each: &mut dyn FnMut(usize, JsValue) -> StorageResult<()>,
    ) -> StorageResult<bool> {
        let mut wanted: HashMap<&str, Vec<usize>> = HashMap::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            wanted.entry(id.as_str()).or_default().push(i);
        }
        let (Some(low), Some(high)) = (wanted.keys().min(), wanted.keys().max()) else {
            return Ok(true);
        };
        let last = (*high).to_string();
        let (low, high) = (JsValue::from_str(low), JsValue::from_str(high));
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        let raw_store: &web_sys::IdbObjectStore = object_store.as_sys();
        let range =
            web_sys::IdbKeyRange::bound(&low, &high).map_err(|e| dom_error(e, "reading"))?;
        let count_request = raw_store
            .count_with_key(&range)
            .map_err(|e| dom_error(e, "reading"))?;
        let in_range = request_result(count_request)?
            .await
            .map_err(|e| dom_error(e, "reading"))?
            .as_f64()
            .unwrap_or(f64::INFINITY);
        self.check_stop()?;
        if in_range > 2.0 * wanted.len() as f64 {
            return Ok(false);
        }
        let mut next = Some(get_range_chunk(raw_store, &low, false, &high)?);
        while let Some(request) = next.take() {
            let chunk = request.await?;
            self.check_stop()?;
            if chunk.length() == GET_ALL_CHUNK {
                // A full chunk that ends on the range's last key is the last one: a range
                // after it would be empty, which IndexedDB refuses to build.
                let after = last_key(&chunk)?;
                if after.as_string().as_deref() != Some(last.as_str()) {
                    next = Some(get_range_chunk(raw_store, &after, true, &high)?);
                }
            }
            for value in chunk {
                let Some(slots) = codec::key_of(&value).and_then(|key| wanted.remove(key.as_str()))
                else {
                    continue;
                };
                for i in slots {
                    each(i, value.clone())?;
                }
            }
        }
        Ok(true)
    }

    // The reads below take a store, not a record type: the trait's generic
    // methods only decode what they return, so the transaction and request
    // code is in the wasm once, not once per record type (docs/perf.md,
    // "Bundle, second pass").

    /// The stored value with key `id` in `store`, if any.
    async fn value_of(&self, store: StoreName, id: &str) -> StorageResult<Option<JsValue>> {
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        object_store
            .get::<JsValue, _, _>(id)
            .primitive()
            .map_err(ctx("reading"))?
            .await
            .map_err(ctx("reading"))
    }

    /// The stored values with keys `ids` in `store`, each given to `each`
    /// with its place in `ids` (absent keys are skipped), read in one
    /// transaction.
    async fn values_of(
        &self,
        store: StoreName,
        ids: &[String],
        each: &mut dyn FnMut(usize, JsValue) -> StorageResult<()>,
    ) -> StorageResult<()> {
        if ids.len() >= DENSE_MIN && self.get_dense(store, ids, each).await? {
            return Ok(());
        }
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        let found = get_each(&object_store, ids.iter().map(String::as_str)).await?;
        for (i, value) in found.into_iter().enumerate() {
            if let Some(value) = value {
                each(i, value)?;
            }
        }
        Ok(())
    }

    /// The stored values of `store` whose index `index` matches `query`.
    async fn found_values(
        &self,
        store: StoreName,
        index: &str,
        query: Query,
    ) -> StorageResult<Vec<JsValue>> {
        let Some(range) = key_range(query) else {
            return Ok(Vec::new());
        };
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        let idb_index = object_store.index(index).map_err(ctx("searching"))?;
        let request = match range {
            None => idb_index.get_all::<JsValue>().primitive(),
            Some(range) => idb_index
                .get_all::<JsValue>()
                .with_query::<String, KeyRange<String>>(range)
                .primitive(),
        };
        request
            .map_err(ctx("searching"))?
            .await
            .map_err(ctx("searching"))?
            .map(|value| value.map_err(ctx("searching")))
            .collect()
    }

    /// The stored values of `store` with any of `values` in the
    /// multi-entry index `index`, each once, in key order: the index's
    /// keys first (small), then each record, in one transaction. A few
    /// values are asked one by one (scattered ids would otherwise span the
    /// pages between them); many, as one range from the least to the
    /// greatest (a first sync's ids come in runs: a page or two).
    async fn member_values(
        &self,
        store: StoreName,
        index: &str,
        values: &[String],
    ) -> StorageResult<Vec<JsValue>> {
        let (Some(least), Some(greatest)) = (values.iter().min(), values.iter().max()) else {
            return Ok(Vec::new());
        };
        let ranges = if values.len() <= MEMBERS_ONE_BY_ONE {
            values.iter().map(|v| KeyRange::Only(v.clone())).collect()
        } else {
            vec![KeyRange::Bound(
                least.clone(),
                false,
                greatest.clone(),
                false,
            )]
        };
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        let idb_index = object_store.index(index).map_err(ctx("searching"))?;
        let mut requests = Vec::with_capacity(ranges.len());
        for range in ranges {
            requests.push(
                idb_index
                    .get_all_keys::<String>()
                    .with_query::<String, KeyRange<String>>(range)
                    .serde()
                    .map_err(ctx("searching"))?,
            );
        }
        let mut keys = Vec::new();
        for request in requests {
            for key in request.await.map_err(ctx("searching"))? {
                keys.push(key.map_err(ctx("searching"))?);
            }
        }
        let keys: std::collections::BTreeSet<String> = keys.into_iter().collect();
        let found = get_each(&object_store, keys.iter().map(String::as_str)).await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// At most `limit` stored values of `store` with keys after `after`, and
    /// the last one's key when more follow: one `getAll` from the key after
    /// `after`, limited to one record past the page.
    async fn values_after(
        &self,
        store: StoreName,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<(Vec<JsValue>, Option<String>)> {
        if limit == 0 {
            return Ok((Vec::new(), None));
        }
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        let after = after.map(JsValue::from_str);
        let values = get_chunk_of(
            object_store.as_sys(),
            after.as_ref(),
            limit.saturating_add(1),
        )?
        .await?;
        let mut out = Vec::with_capacity(values.length().min(limit) as usize);
        let mut next = None;
        for (i, value) in values.iter().enumerate() {
            if i as u64 >= u64::from(limit) {
                next = out.last().and_then(codec::key_of);
                break;
            }
            out.push(value);
        }
        Ok((out, next))
    }

    /// How many records `store` holds.
    async fn count_store(&self, store: StoreName) -> StorageResult<u64> {
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("counting"))?;
        let n = object_store
            .count()
            .primitive()
            .map_err(ctx("counting"))?
            .await
            .map_err(ctx("counting"))?;
        Ok(u64::from(n))
    }

    /// After a transaction failed: the create whose key was taken, if any.
    async fn taken_key(&self, creates: &[(StoreName, &str)]) -> Option<(StoreName, String)> {
        let mut stores: Vec<&str> = creates.iter().map(|(s, _)| s.as_str()).collect();
        stores.sort_unstable();
        stores.dedup();
        let tx = self.inner.db.transaction(stores.as_slice()).build().ok()?;
        let mut requests = Vec::with_capacity(creates.len());
        for (store, id) in creates {
            let object_store = tx.object_store(store.as_str()).ok()?;
            let request = object_store.get::<JsValue, _, _>(*id).primitive().ok()?;
            requests.push((store, id, request));
        }
        for (store, id, request) in requests {
            if let Ok(Some(_)) = request.await {
                return Some((*store, id.to_string()));
            }
        }
        None
    }
}

/// How many records one `getAll` request of [`Repository::get_all`] reads.
pub(super) const GET_ALL_CHUNK: u32 = 10_000;

/// Requests up to [`GET_ALL_CHUNK`] records with keys after `after` (from the
/// first key when `None`); the future resolves to the array of them.
/// Up to this many values, [`IdbRepository::member_values`] asks the index
/// for each; more, for one range.
const MEMBERS_ONE_BY_ONE: usize = 64;

/// The stored values under `keys` (`None` where absent), in order: every
/// `get` issued at once, then awaited (one round trip, not one per key).
async fn get_each(
    object_store: &ObjectStore<'_>,
    keys: impl Iterator<Item = &str>,
) -> StorageResult<Vec<Option<JsValue>>> {
    let mut requests = Vec::new();
    for key in keys {
        requests.push(
            object_store
                .get::<JsValue, _, _>(key)
                .primitive()
                .map_err(ctx("reading"))?,
        );
    }
    let mut out = Vec::with_capacity(requests.len());
    for request in requests {
        out.push(request.await.map_err(ctx("reading"))?);
    }
    Ok(out)
}

pub(super) fn get_all_chunk(
    store: &web_sys::IdbObjectStore,
    after: Option<&JsValue>,
) -> StorageResult<impl std::future::Future<Output = StorageResult<js_sys::Array>>> {
    get_chunk_of(store, after, GET_ALL_CHUNK)
}

/// Like [`get_all_chunk`], up to `limit` records.
pub(super) fn get_chunk_of(
    store: &web_sys::IdbObjectStore,
    after: Option<&JsValue>,
    limit: u32,
) -> StorageResult<impl std::future::Future<Output = StorageResult<js_sys::Array>>> {
    let range = match after {
        Some(key) => web_sys::IdbKeyRange::lower_bound_with_open(key, true)
            .map_err(|e| dom_error(e, "reading"))?
            .into(),
        None => JsValue::UNDEFINED,
    };
    get_all_in(store, &range, limit)
}

/// Requests up to `limit` records of `range` (every record when it is
/// `undefined`); the future resolves to the array of them.
fn get_all_in(
    store: &web_sys::IdbObjectStore,
    range: &JsValue,
    limit: u32,
) -> StorageResult<impl std::future::Future<Output = StorageResult<js_sys::Array>>> {
    let request = store
        .get_all_with_key_and_limit(range, limit)
        .map_err(|e| dom_error(e, "reading"))?;
    let result = request_result(request)?;
    Ok(async move {
        match result.await {
            Ok(value) => Ok(value.unchecked_into::<js_sys::Array>()),
            Err(e) => Err(dom_error(e, "reading")),
        }
    })
}

/// From how many keys [`Repository::get_many`] considers reading their key
/// range instead of each key.
const DENSE_MIN: usize = 64;

/// Requests up to [`GET_ALL_CHUNK`] records with keys from `low` (after it
/// when `open`) to `high`.
fn get_range_chunk(
    store: &web_sys::IdbObjectStore,
    low: &JsValue,
    open: bool,
    high: &JsValue,
) -> StorageResult<impl std::future::Future<Output = StorageResult<js_sys::Array>>> {
    let range = web_sys::IdbKeyRange::bound_with_lower_open_and_upper_open(low, high, open, false)
        .map_err(|e| dom_error(e, "reading"))?;
    get_all_in(store, &range, GET_ALL_CHUNK)
}

/// The key of the last record of a chunk, where the next chunk starts after.
pub(super) fn last_key(chunk: &js_sys::Array) -> StorageResult<JsValue> {
    let last = chunk.get(chunk.length().saturating_sub(1));
    js_sys::Reflect::get(&last, &JsValue::from_str(KEY_PATH))
        .map_err(|_| StorageError::Other("Internal error: a stored record has no id.".into()))
}

/// The result of `request`, as a future. Awaiting it keeps the transaction
/// alive: the continuation runs in a microtask of the success event's task.
pub(super) fn request_result(
    request: web_sys::IdbRequest,
) -> StorageResult<impl std::future::Future<Output = Result<JsValue, JsValue>>> {
    let mut settle = None;
    let promise = js_sys::Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let Some((resolve, reject)) = settle else {
        return Err(StorageError::Other(
            "Internal error: a promise did not start.".to_string(),
        ));
    };
    let req = request.clone();
    let on_success = Closure::<dyn FnMut(web_sys::Event)>::new(move |_event: web_sys::Event| {
        let value = match req.result() {
            Ok(value) => value,
            Err(e) => e,
        };
        let _ = resolve.call1(&JsValue::NULL, &value);
    });
    let req = request.clone();
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        // Reported by the awaiting code, not as an uncaught error.
        event.prevent_default();
        let error: JsValue = match req.error() {
            Ok(Some(e)) => e.into(),
            _ => JsValue::from_str("UnknownError"),
        };
        let _ = reject.call1(&JsValue::NULL, &error);
    });
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(async move {
        let result = wasm_bindgen_futures::JsFuture::from(promise).await;
        request.set_onsuccess(None);
        request.set_onerror(None);
        drop((on_success, on_error));
        result
    })
}

/// A thrown `DOMException` (or other JS value) as a readable error.
pub(super) fn dom_error(e: JsValue, context: &str) -> StorageError {
    match e.dyn_into::<web_sys::DomException>() {
        Ok(d) => StorageError::from_dom_name(&d.name(), &d.message(), context),
        Err(other) => StorageError::Other(format!("Storage failed while {context}: {other:?}")),
    }
}

/// Issues a request the browser rejects asynchronously (a second `add` of
/// the same key), which aborts the transaction: the atomicity tests' fault.
fn issue_fault(object_store: &ObjectStore<'_>) -> StorageResult<()> {
    let sentinel = js_sys::Object::new();
    let set = |k: &str, v: JsValue| js_sys::Reflect::set(&sentinel, &JsValue::from_str(k), &v);
    set(KEY_PATH, JsValue::from_str("\u{1}injected-fault"))
        .and_then(|_| set("rev", JsValue::from_f64(0.0)))
        .map_err(|_| StorageError::Other("could not build the injected fault".to_string()))?;
    let sentinel: JsValue = sentinel.into();
    for _ in 0..2 {
        let _request = object_store
            .add(sentinel.clone())
            .primitive()
            .map_err(ctx("injecting a fault"))?;
    }
    Ok(())
}

/// A promise that settles when the write `request` does, with its event
/// (`success` or `error`). It never rejects and needs no Rust closure, so
/// dropping it unawaited (a commit given up) leaves nothing behind, and a
/// failed write keeps its default action: it aborts the transaction.
fn write_settled(request: &web_sys::IdbRequest) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&resolve));
    })
}

/// Whether the write whose [`write_settled`] promise this is succeeded.
/// Awaited inside the transaction: the continuation runs in a microtask of
/// the request's event, while the transaction is still active.
async fn write_succeeded(settled: js_sys::Promise) -> bool {
    match wasm_bindgen_futures::JsFuture::from(settled).await {
        Ok(event) => event
            .dyn_ref::<web_sys::Event>()
            .is_some_and(|e| e.type_() == "success"),
        Err(_) => false,
    }
}

impl IdbRepository {
    /// The commit itself: every check and write in one readwrite
    /// transaction; any failure aborts it, so nothing is written.
    async fn commit_batch(&self, mut batch: WriteBatch) -> StorageResult<Committed> {
        super::outbox::add_sync_writes(
            &mut batch,
            self.inner.sync_enabled.get(),
            self.has_sync_stores(),
        );
        if self.version() < 7 {
            // A database opened at an older schema (upgrade tests) has no
            // sync pages to empty.
            batch.clears.retain(|s| *s != StoreName::SyncPages);
        }
        batch.validate()?;
        if batch.is_empty() {
            return Ok(Committed::default());
        }
        if self.is_cancelled() {
            return Err(StorageError::WriteCancelled);
        }
        self.check_open()?;
        // Where a save's time goes (bench/profile-save.mjs reads these).
        crate::bench::mark("ld:commit-start");
        let store_names = batch.stores();
        let WriteBatch {
            ops,
            fail_at,
            clears,
            from_sync: _,
            unlisted,
        } = batch;
        let mut patch = (self.has_snapshot()
            && (ops.iter().any(|op| snap::covers(op.store))
                || clears.iter().any(|s| snap::covers(*s))))
        .then(|| Patch::emptying(&clears));
        let mut names: Vec<&str> = store_names.iter().map(|s| s.as_str()).collect();
        if patch.is_some() {
            names.push(snap::SNAPSHOT_STORE);
        }
        let builder = self
            .inner
            .db
            .transaction(names.as_slice())
            .with_mode(TransactionMode::Readwrite);
        let tx = match self.bulk {
            Some(_) => builder
                .with_options(
                    TransactionOptions::new().with_durability(TransactionDurability::Relaxed),
                )
                .build(),
            None => builder.build(),
        }
        .map_err(ctx("starting the save"))?;
        let raw_tx: web_sys::IdbTransaction = tx.as_sys().clone().unchecked_into();
        let mut stores = Vec::with_capacity(store_names.len());
        for name in &store_names {
            stores.push((
                *name,
                tx.object_store(name.as_str())
                    .map_err(ctx("starting the save"))?,
            ));
        }
        let snapshot_store = match patch {
            Some(_) => Some(
                tx.object_store(snap::SNAPSHOT_STORE)
                    .map_err(ctx("starting the save"))?,
            ),
            None => None,
        };
        let store_of = |name: StoreName| -> StorageResult<&ObjectStore<'_>> {
            stores
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s)
                .ok_or_else(|| {
                    StorageError::Other(format!("Internal error: store {name} not open."))
                })
        };
        let total = ops.len();
        let report = |done: usize| {
            if let Some(sink) = &self.bulk {
                sink(Progress::new(done, total));
            }
        };
        report(0);

        // 1. The current revision of every record whose write expects one;
        //    all reads go out at once. Creates are checked by `add` itself.
        //    (Empty when nothing is read: an import of 250,000 creates.)
        let mut current: Vec<Option<u64>> = Vec::new();
        let mut reads = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            // A restore's puts need neither a check nor the current revision,
            // and a write into a store this batch empties finds nothing
            // there (the demo load: 540,000 reads saved).
            if op.expect != Expect::Absent && op.at_rev.is_none() && !clears.contains(&op.store) {
                let request = store_of(op.store)?
                    .get::<JsValue, _, _>(op.id.as_str())
                    .primitive()
                    .map_err(ctx("checking for changes"))?;
                reads.push((i, request));
            }
        }
        if !reads.is_empty() {
            current = vec![None; ops.len()];
        }
        // The chunks of the list snapshot this batch changes, read with them.
        let snapshot_chunks = match (&snapshot_store, patch.take()) {
            (Some(store), Some(p)) => {
                let keys: Vec<(StoreName, String)> = ops
                    .iter()
                    .filter(|op| snap::covers(op.store))
                    .map(|op| (op.store, op.id.clone()))
                    .collect();
                let mut covered: Vec<StoreName> = keys.iter().map(|(s, _)| *s).collect();
                covered.dedup();
                let mut records = Vec::with_capacity(covered.len());
                for s in covered {
                    records.push((s, store_of(s)?.as_sys().clone()));
                }
                Some(super::idb_snapshot::read_for_patch(
                    store.as_sys().clone(),
                    records,
                    p,
                    keys,
                ))
            }
            (_, p) => {
                patch = p;
                None
            }
        };
        for (i, request) in reads {
            let value = request.await.map_err(ctx("checking for changes"))?;
            if let Some(slot) = current.get_mut(i) {
                *slot = value.as_ref().and_then(codec::rev_of);
            }
        }
        let snapshot_chunks = match snapshot_chunks {
            Some(read) => {
                let (p, chunks) = read.await?;
                patch = Some(p);
                chunks
            }
            None => BTreeMap::new(),
        };
        crate::bench::mark("ld:commit-read");
        let current_of = |i: usize| current.get(i).copied().flatten();
        for (i, op) in ops.iter().enumerate() {
            let rev = current_of(i);
            if !op.expect.is_met_by(rev) {
                // Dropping `tx` aborts it: nothing was written.
                return Err(WriteBatch::conflict(op, rev));
            }
        }

        // 2. Clears, then every write (a transaction runs its requests in
        //    order, so the writes land in the emptied stores). None is
        //    awaited, except on a bulk handle every PROGRESS_STEP-th, one
        //    step behind: the browser always has a step queued while the
        //    next one is encoded, and the page gets to paint in between.
        for store in &clears {
            store_of(*store)?
                .as_sys()
                .clear()
                .map_err(|e| dom_error(e, "emptying a store"))?;
        }
        let mut committed = Committed::with_capacity(if unlisted { 0 } else { ops.len() });
        let mut creates = Vec::new();
        let mut step_behind = None;
        let mut failed = false;
        let mut cancelled = false;
        for (i, op) in ops.into_iter().enumerate() {
            let new_rev = op.new_rev(current_of(i));
            let object_store = store_of(op.store)?;
            if fail_at == Some(i) {
                issue_fault(object_store)?;
            }
            let object_store = object_store.as_sys();
            let request = match op.action {
                Action::Put(record) => {
                    if let Some(patch) = &mut patch {
                        if let Some(entry) = record.list_entry() {
                            let bytes = entry.map_err(|e| {
                                StorageError::Other(format!(
                                    "{} {} could not be saved ({e}); nothing was saved.",
                                    op.store.label(),
                                    op.id
                                ))
                            })?;
                            patch.put(op.store, &op.id, new_rev, &bytes);
                        }
                    }
                    let value = record.to_js(&op.id, new_rev).map_err(|e| {
                        StorageError::Other(format!(
                            "{} {} could not be saved ({e}); nothing was saved.",
                            op.store.label(),
                            op.id
                        ))
                    })?;
                    let request = if op.expect == Expect::Absent {
                        // Its place in `changes`: no second copy of the ID.
                        if !unlisted {
                            creates.push(committed.changes.len());
                        }
                        object_store.add(&value)
                    } else {
                        object_store.put(&value)
                    };
                    committed.note(!unlisted, op.store, op.id, Some(new_rev));
                    request
                }
                Action::Delete => {
                    if let Some(patch) = &mut patch {
                        if snap::covers(op.store) {
                            patch.delete(op.store, &op.id);
                        }
                    }
                    let request = object_store.delete(&JsValue::from_str(op.id.as_str()));
                    committed.note(!unlisted, op.store, op.id, None);
                    request
                }
            };
            let request = match request {
                Ok(request) => request,
                // A write the browser refused at once (the transaction was
                // aborted by an earlier failed write): say why below.
                Err(_) if raw_tx.error().is_some() || fail_at.is_some() => {
                    failed = true;
                    break;
                }
                Err(e) => return Err(dom_error(e, "saving")),
            };
            if self.bulk.is_some() && is_report_point(i + 1, total) {
                if self.is_cancelled() {
                    cancelled = true;
                    failed = true;
                    break;
                }
                let this_step = (write_settled(&request), i + 1);
                if let Some((previous, done)) = step_behind.replace(this_step) {
                    if !write_succeeded(previous).await {
                        failed = true;
                        break;
                    }
                    report(done);
                }
            }
        }
        if !failed {
            if let Some((last, done)) = step_behind.take() {
                failed = !write_succeeded(last).await;
                if !failed {
                    report(done);
                }
            }
        }
        // A Cancel heard while the last step was written still stops it.
        if !failed && self.is_cancelled() {
            cancelled = true;
            failed = true;
        }
        if !failed {
            if let (Some(store), Some(patch)) = (&snapshot_store, patch) {
                let whole = !patch.cleared.is_empty();
                let chunks = patch.apply(&snapshot_chunks);
                crate::bench::mark("ld:commit-patched");
                super::idb_snapshot::put_chunks(store.as_sys(), chunks, whole)?;
            }
        }
        crate::bench::mark("ld:commit-written");
        drop(stores);
        drop(snapshot_store);

        // 3. Commit, and explain a failure.
        let outcome = if failed {
            // Already aborted by the failed write; make sure of it.
            let _ = raw_tx.abort();
            Err(IdbError::from(JsValue::from_str("aborted")))
        } else {
            tx.commit().await
        };
        if cancelled {
            return Err(StorageError::WriteCancelled);
        }
        if let Err(e) = outcome {
            if let Some(n) = fail_at {
                return Err(StorageError::Other(format!(
                    "Injected failure at write {n}: nothing was saved."
                )));
            }
            let dom_name = match (raw_tx.error(), &e) {
                (Some(d), _) => Some(d.name()),
                (None, IdbError::DomException(d)) => Some(d.as_sys().name()),
                (None, _) => None,
            };
            if dom_name.as_deref() == Some("ConstraintError") && !creates.is_empty() {
                let creates: Vec<(StoreName, &str)> = creates
                    .iter()
                    .filter_map(|i| committed.changes.get(*i))
                    .map(|c| (c.store, c.id.as_str()))
                    .collect();
                if let Some((store, id)) = self.taken_key(&creates).await {
                    return Err(StorageError::Conflict { store, id });
                }
            }
            return Err(match (dom_name, raw_tx.error()) {
                (_, Some(d)) => StorageError::from_dom_name(&d.name(), &d.message(), "saving"),
                (Some(name), None) => StorageError::from_dom_name(&name, "", "saving"),
                (None, None) => idb_error(e, "saving"),
            });
        }
        crate::bench::mark("ld:commit-done");
        committed.cleared = clears;
        if committed.unlisted.contains(&StoreName::SyncState)
            || committed
                .changes
                .iter()
                .any(|c| c.store == StoreName::SyncState && c.rev.is_some())
        {
            self.inner.sync_enabled.set(true);
        }
        self.notify(&committed);
        Ok(committed)
    }
}

impl Repository for IdbRepository {
    async fn get<T: Record>(&self, id: &str) -> StorageResult<Option<Stored<T>>> {
        // The background scan for damaged records makes way for it.
        let _busy = self.busy();
        self.value_of(T::STORE, id)
            .await?
            .map(codec::decode::<T>)
            .transpose()
    }

    async fn get_many<T: Record>(&self, ids: &[String]) -> StorageResult<Vec<Option<Stored<T>>>> {
        let _busy = self.busy();
        let mut out: Vec<Option<Stored<T>>> =
            std::iter::repeat_with(|| None).take(ids.len()).collect();
        self.values_of(T::STORE, ids, &mut |i, value| {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(codec::decode::<T>(value)?);
            }
            Ok(())
        })
        .await?;
        Ok(out)
    }

    async fn read_all<T: Record>(&self) -> StorageResult<Readable<T>> {
        let _busy = self.busy();
        let mut read = Readable::default();
        self.each_value(T::STORE, &mut |value| codec::read_into(&mut read, value))
            .await?;
        Ok(read)
    }

    async fn visit_all<T: Record>(
        &self,
        visit: &mut dyn FnMut(Stored<T>),
    ) -> StorageResult<Vec<DamagedRecord>> {
        let _busy = self.busy();
        let mut damaged = Vec::new();
        self.each_value(T::STORE, &mut |value| match codec::readable::<T>(value) {
            Ok(stored) => visit(stored),
            Err(d) => damaged.push(d),
        })
        .await?;
        Ok(damaged)
    }

    async fn visit_listed<T: Listed>(
        &self,
        visit: &mut dyn FnMut(Stored<T::Entry>),
    ) -> StorageResult<Vec<DamagedRecord>> {
        let _busy = self.busy();
        if snap::covers(T::STORE) && self.has_snapshot() {
            self.visit_snapshot::<T>(visit).await
        } else {
            self.visit_all::<T>(&mut |s| {
                visit(Stored {
                    rev: s.rev,
                    record: s.record.entry(),
                })
            })
            .await
        }
    }

    async fn snapshot_entries<T: Record>(&self) -> StorageResult<Option<Vec<(String, u64)>>> {
        let _busy = self.busy();
        self.snapshot_entries_of::<T>().await
    }

    async fn forget_snapshot(&self) -> StorageResult<()> {
        let _busy = self.busy();
        self.forget_snapshot_meta().await
    }

    async fn snapshot_saw_damaged(&self, damaged: &[DamagedRecord]) -> StorageResult<()> {
        self.snapshot_check_damaged(damaged).await
    }

    async fn read_found<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<Readable<T>> {
        let _busy = self.busy();
        let values = self.found_values(T::STORE, index.name(), query).await?;
        let mut read = Readable::default();
        read.records.reserve(values.len());
        for value in values {
            codec::read_into(&mut read, value);
        }
        Ok(read)
    }

    async fn read_page<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<Page<T>> {
        let _busy = self.busy();
        self.page_of(index, query, after, limit).await
    }

    async fn count_found<T: Record>(&self, index: Index<T>, query: Query) -> StorageResult<u64> {
        let _busy = self.busy();
        self.count_of(index, query).await
    }

    async fn find_members<T: Record>(
        &self,
        index: Index<T>,
        values: &[String],
    ) -> StorageResult<Vec<Stored<T>>> {
        let _busy = self.busy();
        let mut out = Vec::new();
        for value in self.member_values(T::STORE, index.name(), values).await? {
            out.push(codec::decode::<T>(value)?);
        }
        Ok(out)
    }

    async fn count_members<T: Record>(&self, index: Index<T>) -> StorageResult<u64> {
        let _busy = self.busy();
        // A multi-entry index holds one entry per value.
        self.count_of(index, Query::All).await
    }

    async fn read_after<T: Record>(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<Page<T>> {
        let _busy = self.busy();
        let (values, next) = self.values_after(T::STORE, after, limit).await?;
        let mut page = Page::empty();
        page.next = next;
        for value in values {
            codec::read_into(&mut page.read, value);
        }
        Ok(page)
    }

    fn damage_log(&self) -> &DamageLog {
        &self.inner.damage
    }

    async fn count<T: Record>(&self) -> StorageResult<u64> {
        let _busy = self.busy();
        self.count_store(T::STORE).await
    }

    async fn commit(&self, batch: WriteBatch) -> StorageResult<Committed> {
        let _busy = self.busy();
        match self.commit_batch(batch).await {
            // The transaction was aborted: say how much space the desk uses.
            Err(StorageError::QuotaExceeded { .. }) => {
                let used = super::persistence::storage_use().await;
                Err(StorageError::QuotaExceeded {
                    usage: format!("{} ", used.summary()),
                })
            }
            other => other,
        }
    }

    /// The Damaged records page's scan: the user waits for it, so its chunks
    /// wait only for a turn of the browser (`idb_scan.rs`).
    async fn damaged_records(&self) -> StorageResult<Vec<DamagedRecord>> {
        let _busy = self.busy();
        self.scan_stores(false).await
    }

    async fn read_raw(
        &self,
        stores: &[StoreName],
        visit: &mut RawVisitor<'_>,
    ) -> StorageResult<()> {
        let _busy = self.busy();
        if stores.is_empty() {
            return Ok(());
        }
        self.check_open()?;
        self.check_stop()?;
        let names: Vec<&str> = stores.iter().map(|s| s.as_str()).collect();
        let tx = self
            .inner
            .db
            .transaction(names.as_slice())
            .build()
            .map_err(ctx("reading"))?;
        // One transaction for every store, kept alive by always having a
        // request out: each chunk is requested before the previous one is
        // handed to `visit`, and the next store's first chunk before the last
        // chunk of the store before it.
        let mut queue = Vec::with_capacity(stores.len());
        for store in stores {
            let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
            queue.push((*store, object_store.as_sys().clone()));
        }
        let mut queue = queue.into_iter();
        let Some((mut store, mut raw_store)) = queue.next() else {
            return Ok(());
        };
        let mut next = Some(get_all_chunk(&raw_store, None)?);
        while let Some(request) = next.take() {
            let chunk = request.await?;
            self.check_stop()?;
            let len = chunk.length();
            let this_store = store;
            if len == GET_ALL_CHUNK {
                next = Some(get_all_chunk(&raw_store, Some(&last_key(&chunk)?))?);
            } else if let Some((following, following_raw)) = queue.next() {
                store = following;
                raw_store = following_raw;
                next = Some(get_all_chunk(&raw_store, None)?);
            }
            for value in chunk {
                visit(this_store, codec::raw(&value))?;
            }
        }
        Ok(())
    }

    fn subscribe(&self, callback: impl Fn(&ChangeNotice) + 'static) -> Subscription {
        self.inner.subscribers.add(callback)
    }
}
