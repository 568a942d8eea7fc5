//! An in-memory repository with the same behaviour as IndexedDB: revisions,
//! conflicts, all-or-nothing batches, index queries and change notices.
//!
//! Records are kept as `serde_json::Value`, so a record that can't be
//! serialized or read back fails here as it would in the browser.
//! [`MemoryRepository::other_tab`] opens a second handle on the same data,
//! like a second browser tab, for cross-tab notice tests.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::rc::{Rc, Weak};

use super::batch::{Action, Committed, WriteBatch};
use super::damaged::{DamageLog, DamagedRecord, Readable};
use super::error::{StorageError, StorageResult};
use super::list_snapshot::{self as snap, Patch};
use super::listed::Listed;
use super::notify::{ChangeNotice, ChangeOrigin, Subscribers, Subscription};
use super::paged::{self, Page};
use super::record::{Index, Query, Record, StoreName, Stored};
use super::repo::{RawRecord, RawVisitor, Repository};
use super::sync_records::SYNC_SETUP_KEY;

#[derive(Clone)]
struct Row {
    rev: u64,
    data: serde_json::Value,
    /// Index values, in the order of the store's `indexes()`.
    ix: Vec<Option<String>>,
}

type Tables = HashMap<StoreName, BTreeMap<String, Row>>;

#[derive(Default)]
struct Shared {
    tables: RefCell<Tables>,
    /// The list snapshot's stored values by key (`list_snapshot.rs`).
    snapshot: RefCell<BTreeMap<String, Vec<u8>>>,
    damage: DamageLog,
    tabs: RefCell<Vec<Weak<Tab>>>,
}

struct Tab {
    subscribers: Subscribers,
}

/// See the module docs. Clones share the data and the subscribers.
#[derive(Clone)]
pub struct MemoryRepository {
    shared: Rc<Shared>,
    tab: Rc<Tab>,
}

impl Default for MemoryRepository {
    fn default() -> Self {
        MemoryRepository::new()
    }
}

impl MemoryRepository {
    pub fn new() -> MemoryRepository {
        MemoryRepository::attach(Rc::new(Shared::default()))
    }

    fn attach(shared: Rc<Shared>) -> MemoryRepository {
        let tab = Rc::new(Tab {
            subscribers: Subscribers::default(),
        });
        shared.tabs.borrow_mut().push(Rc::downgrade(&tab));
        MemoryRepository { shared, tab }
    }

    /// A second repository on the same data, as another tab would be: its
    /// subscribers hear of this one's commits as `OtherTab`, and back.
    pub fn other_tab(&self) -> MemoryRepository {
        MemoryRepository::attach(Rc::clone(&self.shared))
    }

    fn decode<T: Record>(id: &str, row: &Row) -> StorageResult<Stored<T>> {
        serde_json::from_value::<T>(row.data.clone())
            .map(|record| Stored {
                rev: row.rev,
                record,
            })
            .map_err(|e| Self::damaged(T::STORE, id, row, e.to_string()).to_error())
    }

    /// The rows whose `index` value matches `query`, as (value, key, row), in
    /// (value, key) order.
    fn hits<'t, T: Record>(
        tables: &'t Tables,
        index: Index<T>,
        query: &Query,
    ) -> StorageResult<Vec<(&'t str, &'t String, &'t Row)>> {
        let position = T::STORE
            .indexes()
            .iter()
            .position(|def| def.name == index.name())
            .ok_or_else(|| {
                StorageError::Other(format!(
                    "Internal error: the {} store has no index \"{}\".",
                    T::STORE,
                    index.name()
                ))
            })?;
        let Some(table) = tables.get(&T::STORE) else {
            return Ok(Vec::new());
        };
        // The table iterates by key; a stable sort by value gives (value, key) order.
        let mut hits: Vec<(&str, &String, &Row)> = table
            .iter()
            .filter_map(|(id, row)| {
                let value = row.ix.get(position)?.as_deref()?;
                query.matches(value).then_some((value, id, row))
            })
            .collect();
        hits.sort_by(|a, b| a.0.cmp(b.0));
        Ok(hits)
    }

    /// Adds the row to `read` as a record, or as damaged when it can't be read.
    fn read_into<T: Record>(read: &mut Readable<T>, id: &str, row: &Row) {
        match serde_json::from_value::<T>(row.data.clone()) {
            Ok(record) => read.records.push(Stored {
                rev: row.rev,
                record,
            }),
            Err(e) => read
                .damaged
                .push(Self::damaged(T::STORE, id, row, e.to_string())),
        }
    }

    fn damaged(store: StoreName, id: &str, row: &Row, reason: String) -> DamagedRecord {
        let raw = serde_json::json!({ "id": id, "rev": row.rev, "data": row.data });
        DamagedRecord {
            store,
            key: id.to_string(),
            reason,
            raw: raw.to_string(),
        }
    }

    /// Stores `data` as it is, unchecked, as an old app version or a bug
    /// might have left it (damaged-record tests).
    #[doc(hidden)]
    pub fn put_raw(&self, store: StoreName, id: &str, data: serde_json::Value) {
        let row = Row {
            rev: 1,
            data,
            ix: vec![None; store.indexes().len()],
        };
        self.shared
            .tables
            .borrow_mut()
            .entry(store)
            .or_default()
            .insert(id.to_string(), row);
    }

    /// Patches the snapshot's chunks as the commit path does in IndexedDB.
    fn patch_snapshot(&self, patch: Patch) {
        let mut stored = self.shared.snapshot.borrow_mut();
        let read = patch
            .chunks_to_read()
            .into_iter()
            .filter_map(|(store, n)| {
                let bytes = stored.get(&snap::chunk_key(store, n))?;
                Some(((store, n), bytes.clone()))
            })
            .collect();
        let cleared = !patch.cleared.is_empty();
        for ((store, n), chunk) in patch.apply(&read) {
            stored.insert(snap::chunk_key(store, n), chunk);
        }
        // An emptied store's chunks are all written: the snapshot is whole.
        if cleared {
            stored.insert(snap::META_KEY.to_string(), vec![snap::FORMAT]);
        }
    }

    /// Whether `meta` says the snapshot was built in this build's format
    /// (its value is the format).
    fn snapshot_is_current(&self) -> bool {
        self.shared
            .snapshot
            .borrow()
            .get(snap::META_KEY)
            .is_some_and(|m| m.as_slice() == [snap::FORMAT])
    }

    /// `T`'s snapshot entries as stored, if it is built and its chunks read.
    fn read_snapshot<T: Listed>(
        &self,
        visit: &mut dyn FnMut(Stored<T::Entry>),
        damaged: &mut Vec<DamagedRecord>,
    ) -> Option<u64> {
        let stored = self.shared.snapshot.borrow();
        if !self.snapshot_is_current() {
            return None;
        }
        let empty = Vec::new();
        snap::read_chunks::<T>(
            (0..snap::CHUNKS).map(|n| {
                stored
                    .get(&snap::chunk_key(T::STORE, n))
                    .unwrap_or(&empty)
                    .as_slice()
            }),
            visit,
            damaged,
        )
    }

    fn broadcast(&self, committed: &Committed) {
        let local = ChangeNotice::from_committed(committed, ChangeOrigin::ThisTab);
        let remote = ChangeNotice::from_committed(committed, ChangeOrigin::OtherTab);
        let tabs: Vec<Rc<Tab>> = {
            let mut tabs = self.shared.tabs.borrow_mut();
            tabs.retain(|t| t.strong_count() > 0);
            tabs.iter().filter_map(Weak::upgrade).collect()
        };
        self.tab.subscribers.notify(&local);
        for tab in tabs {
            if !Rc::ptr_eq(&tab, &self.tab) {
                tab.subscribers.notify(&remote);
            }
        }
    }
}

/// Undoes the writes applied so far, newest first.
fn roll_back(tables: &mut Tables, undo: Vec<(StoreName, String, Option<Row>)>) {
    for (store, id, previous) in undo.into_iter().rev() {
        let table = tables.entry(store).or_default();
        match previous {
            Some(row) => {
                table.insert(id, row);
            }
            None => {
                table.remove(&id);
            }
        }
    }
}

impl Repository for MemoryRepository {
    async fn get<T: Record>(&self, id: &str) -> StorageResult<Option<Stored<T>>> {
        let tables = self.shared.tables.borrow();
        match tables.get(&T::STORE).and_then(|t| t.get(id)) {
            Some(row) => Self::decode(id, row).map(Some),
            None => Ok(None),
        }
    }

    async fn get_many<T: Record>(&self, ids: &[String]) -> StorageResult<Vec<Option<Stored<T>>>> {
        let tables = self.shared.tables.borrow();
        let table = tables.get(&T::STORE);
        ids.iter()
            .map(|id| match table.and_then(|t| t.get(id)) {
                Some(row) => Self::decode(id, row).map(Some),
                None => Ok(None),
            })
            .collect()
    }

    async fn read_all<T: Record>(&self) -> StorageResult<Readable<T>> {
        let tables = self.shared.tables.borrow();
        let mut read = Readable::default();
        for (id, row) in tables.get(&T::STORE).into_iter().flatten() {
            Self::read_into(&mut read, id, row);
        }
        Ok(read)
    }

    async fn read_found<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<Readable<T>> {
        let tables = self.shared.tables.borrow();
        let mut read = Readable::default();
        for (_, id, row) in Self::hits(&tables, index, &query)? {
            Self::read_into(&mut read, id, row);
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
        let query = paged::after(query, after);
        let tables = self.shared.tables.borrow();
        let hits = Self::hits(&tables, index, &query)?;
        let mut page = Page::empty();
        let limit = limit as usize;
        for (value, id, row) in hits.iter().take(limit) {
            Self::read_into(&mut page.read, id, row);
            if hits.len() > limit {
                page.next = Some((*value).to_string());
            }
        }
        Ok(page)
    }

    async fn read_after<T: Record>(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<Page<T>> {
        let tables = self.shared.tables.borrow();
        let mut page = Page::empty();
        let Some(table) = tables.get(&T::STORE) else {
            return Ok(page);
        };
        let lower = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.to_string()));
        let mut rows = table.range::<String, _>((lower, Bound::Unbounded));
        for (id, row) in rows.by_ref().take(limit as usize) {
            Self::read_into(&mut page.read, id, row);
            page.next = Some(id.clone());
        }
        if rows.next().is_none() {
            page.next = None;
        }
        Ok(page)
    }

    async fn count_found<T: Record>(&self, index: Index<T>, query: Query) -> StorageResult<u64> {
        let tables = self.shared.tables.borrow();
        Ok(Self::hits(&tables, index, &query)?.len() as u64)
    }

    fn damage_log(&self) -> &DamageLog {
        &self.shared.damage
    }

    async fn count<T: Record>(&self) -> StorageResult<u64> {
        let tables = self.shared.tables.borrow();
        Ok(tables.get(&T::STORE).map_or(0, |t| t.len() as u64))
    }

    async fn commit(&self, mut batch: WriteBatch) -> StorageResult<Committed> {
        let sync_enabled = self
            .shared
            .tables
            .borrow()
            .get(&StoreName::SyncState)
            .is_some_and(|t| t.contains_key(SYNC_SETUP_KEY));
        super::outbox::add_sync_writes(&mut batch, sync_enabled, true);
        batch.validate()?;
        let WriteBatch {
            ops,
            fail_at,
            clears,
            from_sync: _,
            unlisted,
        } = batch;
        let committed = {
            let mut tables = self.shared.tables.borrow_mut();
            // Every expectation is checked against the state before the batch.
            let mut current = Vec::with_capacity(ops.len());
            for op in &ops {
                // A write into a store the batch empties finds nothing there.
                let rev = if clears.contains(&op.store) {
                    None
                } else {
                    tables
                        .get(&op.store)
                        .and_then(|t| t.get(&op.id))
                        .map(|r| r.rev)
                };
                if !op.expect.is_met_by(rev) {
                    return Err(WriteBatch::conflict(op, rev));
                }
                current.push(rev);
            }
            // Cleared stores are set aside whole, to be put back on failure.
            let mut emptied: Vec<(StoreName, BTreeMap<String, Row>)> = clears
                .iter()
                .map(|store| (*store, std::mem::take(tables.entry(*store).or_default())))
                .collect();
            // Writes are applied one by one with an undo log, like a transaction.
            let mut undo: Vec<(StoreName, String, Option<Row>)> = Vec::with_capacity(ops.len());
            let mut abort = |tables: &mut Tables, undo: Vec<(StoreName, String, Option<Row>)>| {
                roll_back(tables, undo);
                for (store, table) in emptied.drain(..) {
                    tables.insert(store, table);
                }
            };
            let mut committed = Committed::with_capacity(if unlisted { 0 } else { ops.len() });
            let mut patch = Patch::emptying(&clears);
            // Never built and the store empty: the batch's writes are all of
            // it (as in IndexedDB, see `idb_snapshot::read_for_patch`).
            if !self.snapshot_is_current() {
                for op in &ops {
                    if snap::covers(op.store)
                        && !patch.cleared.contains(&op.store)
                        && tables.get(&op.store).is_none_or(BTreeMap::is_empty)
                    {
                        patch.cleared.push(op.store);
                    }
                }
            }
            for (i, (op, rev)) in ops.into_iter().zip(current).enumerate() {
                let new_rev = op.new_rev(rev);
                if fail_at == Some(i) {
                    abort(&mut tables, undo);
                    return Err(StorageError::Other(format!(
                        "Injected failure at write {i}: nothing was saved."
                    )));
                }
                match op.action {
                    Action::Put(record) => {
                        let data = match record.to_json() {
                            Ok(data) => data,
                            Err(e) => {
                                abort(&mut tables, undo);
                                return Err(StorageError::Other(format!(
                                    "{} {} could not be saved ({e}); nothing was saved.",
                                    op.store.label(),
                                    op.id
                                )));
                            }
                        };
                        match record.list_entry() {
                            Some(Ok(bytes)) => {
                                patch.put(op.store, &op.id, new_rev, &bytes);
                            }
                            Some(Err(e)) => {
                                abort(&mut tables, undo);
                                return Err(StorageError::Other(format!(
                                    "{} {} could not be saved ({e}); nothing was saved.",
                                    op.store.label(),
                                    op.id
                                )));
                            }
                            None => {}
                        }
                        let row = Row {
                            rev: new_rev,
                            data,
                            ix: record.index_values(),
                        };
                        let table = tables.entry(op.store).or_default();
                        let previous = table.insert(op.id.clone(), row);
                        undo.push((op.store, op.id.clone(), previous));
                        committed.note(!unlisted, op.store, op.id, Some(new_rev));
                    }
                    Action::Delete => {
                        if snap::covers(op.store) {
                            patch.delete(op.store, &op.id);
                        }
                        let table = tables.entry(op.store).or_default();
                        let previous = table.remove(&op.id);
                        undo.push((op.store, op.id.clone(), previous));
                        committed.note(!unlisted, op.store, op.id, None);
                    }
                }
            }
            // Nothing fails from here: the snapshot changes with the tables.
            if !patch.is_empty() {
                self.patch_snapshot(patch);
            }
            committed.cleared = clears;
            committed
        };
        if !committed.changes.is_empty()
            || !committed.cleared.is_empty()
            || !committed.unlisted.is_empty()
        {
            self.broadcast(&committed);
        }
        Ok(committed)
    }

    async fn visit_listed<T: Listed>(
        &self,
        visit: &mut dyn FnMut(Stored<T::Entry>),
    ) -> StorageResult<Vec<DamagedRecord>> {
        if !snap::covers(T::STORE) {
            return self
                .visit_all::<T>(&mut |s| {
                    visit(Stored {
                        rev: s.rev,
                        record: s.record.entry(),
                    })
                })
                .await;
        }
        let count = self.count::<T>().await?;
        let mut records = Vec::new();
        let mut damaged = Vec::new();
        let read = self.read_snapshot::<T>(&mut |s| records.push(s), &mut damaged);
        if read != Some(count) {
            let chunks = {
                let tables = self.shared.tables.borrow();
                let rows = tables.get(&T::STORE).into_iter().flatten();
                snap::build_chunks(rows.map(|(id, row)| {
                    let body = serde_json::from_value::<T>(row.data.clone())
                        .map_err(|e| Self::damaged(T::STORE, id, row, e.to_string()))
                        .and_then(|r| snap::entry_of(id, &r));
                    (id.clone(), row.rev, body)
                }))
            };
            {
                let mut stored = self.shared.snapshot.borrow_mut();
                for (n, chunk) in chunks.into_iter().enumerate() {
                    stored.insert(snap::chunk_key(T::STORE, n), chunk);
                }
                stored.insert(snap::META_KEY.to_string(), vec![snap::FORMAT]);
            }
            records.clear();
            damaged.clear();
            self.read_snapshot::<T>(&mut |s| records.push(s), &mut damaged);
        }
        records.into_iter().for_each(&mut *visit);
        Ok(damaged)
    }

    async fn snapshot_entries<T: Record>(&self) -> StorageResult<Option<Vec<(String, u64)>>> {
        if !snap::covers(T::STORE) || !self.snapshot_is_current() {
            return Ok(None);
        }
        let stored = self.shared.snapshot.borrow();
        let mut out = Vec::new();
        for n in 0..snap::CHUNKS {
            if let Some(bytes) = stored.get(&snap::chunk_key(T::STORE, n)) {
                snap::visit_chunk(bytes, |key, rev, _| out.push((key.to_string(), rev)));
            }
        }
        out.sort();
        Ok(Some(out))
    }

    async fn forget_snapshot(&self) -> StorageResult<()> {
        self.shared.snapshot.borrow_mut().remove(snap::META_KEY);
        Ok(())
    }

    async fn snapshot_saw_damaged(&self, damaged: &[DamagedRecord]) -> StorageResult<()> {
        let stale = {
            let stored = self.shared.snapshot.borrow();
            damaged.iter().any(|d| {
                snap::covers(d.store)
                    && stored
                        .get(&snap::chunk_key(d.store, snap::chunk_of(&d.key)))
                        .and_then(|b| snap::find_entry(b, &d.key))
                        .is_some_and(|(_, e)| matches!(e, snap::EntryRef::Record(_)))
            })
        };
        if stale {
            self.forget_snapshot().await?;
        }
        Ok(())
    }

    async fn read_raw(
        &self,
        stores: &[StoreName],
        visit: &mut RawVisitor<'_>,
    ) -> StorageResult<()> {
        // A copy of each store is taken first, so `visit` may use the repository.
        for store in stores {
            let rows: Vec<(String, u64, String)> = {
                let tables = self.shared.tables.borrow();
                tables.get(store).map_or_else(Vec::new, |table| {
                    table
                        .iter()
                        .map(|(id, row)| (id.clone(), row.rev, row.data.to_string()))
                        .collect()
                })
            };
            for (key, rev, json) in rows {
                visit(
                    *store,
                    RawRecord {
                        key,
                        rev: Some(rev),
                        json,
                        enveloped: true,
                    },
                )?;
            }
        }
        Ok(())
    }

    fn subscribe(&self, callback: impl Fn(&ChangeNotice) + 'static) -> Subscription {
        self.tab.subscribers.add(callback)
    }
}

#[cfg(test)]
mod contract_tests {
    //! The repository contract (`contract.rs`) on the in-memory repository.

    use super::MemoryRepository;
    use crate::storage::contract::{self, Outcome};
    use futures::executor::block_on;

    fn run(outcome: Outcome) {
        if let Err(broken) = outcome {
            panic!("contract broken: {broken}");
        }
    }

    #[test]
    fn round_trip() {
        run(block_on(contract::contract_round_trip(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn conflicts() {
        run(block_on(contract::contract_conflicts(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn atomic_conflict() {
        run(block_on(contract::contract_atomic_conflict(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn atomic_taken_key() {
        run(block_on(contract::contract_atomic_taken_key(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn atomic_injected_failure() {
        run(block_on(contract::contract_atomic_injected_failure(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn atomic_unserializable() {
        run(block_on(contract::contract_atomic_unserializable(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn built_records() {
        run(block_on(contract::contract_built_records(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn invalid_batches() {
        run(block_on(contract::contract_invalid_batches(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn key_pages() {
        run(block_on(contract::contract_key_pages(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn deletes() {
        run(block_on(
            contract::contract_deletes(MemoryRepository::new()),
        ));
    }

    #[test]
    fn index_queries() {
        run(block_on(contract::contract_index_queries(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn many_at_once() {
        run(block_on(contract::contract_many_at_once(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn paged_reads() {
        run(block_on(contract::contract_paged_reads(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn notices() {
        run(block_on(
            contract::contract_notices(MemoryRepository::new()),
        ));
    }

    #[test]
    fn other_tab_notices() {
        let a = MemoryRepository::new();
        let b = a.other_tab();
        run(block_on(contract::contract_other_tab_notices(
            a,
            b,
            || async {},
        )));
    }

    #[test]
    fn list_snapshot() {
        run(block_on(contract::contract_list_snapshot(
            MemoryRepository::new(),
        )));
    }

    /// Written outside the commit path (one more license than entries) or
    /// damaged in place (found by the scan): the list snapshot is rebuilt.
    #[test]
    fn list_snapshot_disagreeing_with_the_store_is_rebuilt() {
        use crate::storage::contract::{probe, Probe};
        use crate::storage::{Repository, StoreName};
        let repo = MemoryRepository::new();
        let listed = |repo: &MemoryRepository| {
            let mut keys = Vec::new();
            let damaged = block_on(repo.visit_listed::<Probe>(&mut |s| keys.push(s.record.id)))
                .unwrap_or_else(|e| panic!("{e}"));
            keys.sort();
            let damaged: Vec<String> = damaged.into_iter().map(|d| d.key).collect();
            (keys, damaged)
        };
        for id in ["a", "b"] {
            block_on(repo.create(probe(id, "Active", "p", None))).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(listed(&repo).0, vec!["a", "b"]);
        let c = serde_json::to_value(probe("c", "Active", "p", None)).unwrap_or_default();
        repo.put_raw(StoreName::Licenses, "c", c);
        assert_eq!(
            listed(&repo),
            (vec!["a".into(), "b".into(), "c".into()], vec![])
        );
        repo.put_raw(StoreName::Licenses, "a", serde_json::json!({ "id": "a" }));
        block_on(repo.scan_damaged()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            listed(&repo),
            (vec!["b".into(), "c".into()], vec!["a".into()])
        );
    }

    #[test]
    fn corrupt_records() {
        run(block_on(contract::contract_corrupt_records(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn bulk() {
        run(block_on(contract::contract_bulk(
            MemoryRepository::new(),
            3_000,
        )));
    }

    #[test]
    fn domain_round_trip() {
        run(block_on(contract::contract_domain_round_trip(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn workflows() {
        run(block_on(contract::contract_workflows(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn replace_stores() {
        run(block_on(contract::contract_replace_stores(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn backup_round_trip() {
        run(block_on(contract::contract_backup_round_trip(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn backup_refusals() {
        run(block_on(contract::contract_backup_refusals(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn backup_restore_atomic() {
        run(block_on(contract::contract_backup_restore_atomic(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_outbox() {
        run(block_on(contract::sync::contract_sync_outbox(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_off() {
        run(block_on(contract::sync::contract_sync_off(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_pending() {
        run(block_on(contract::sync::contract_sync_pending(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_apply() {
        run(block_on(contract::sync::contract_sync_apply(
            MemoryRepository::new(),
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_pages() {
        run(block_on(contract::sync::contract_sync_pages(
            MemoryRepository::new(),
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_conflict() {
        run(block_on(contract::sync::contract_sync_conflict(
            MemoryRepository::new(),
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_pull_before_push() {
        // Both orders: the seats decide which version's revision wins.
        for seats in [(60, 70), (70, 60)] {
            run(block_on(contract::sync::contract_sync_pull_before_push(
                MemoryRepository::new(),
                MemoryRepository::new(),
                seats,
            )));
        }
    }

    #[test]
    fn sync_demo_and_reset() {
        run(block_on(contract::sync::contract_sync_demo_and_reset(
            MemoryRepository::new(),
        )));
    }

    #[test]
    fn sync_resolve() {
        use contract::sync::ResolveBy;
        for by in [
            ResolveBy::KeepWinner,
            ResolveBy::KeepOther,
            ResolveBy::Merge,
        ] {
            if let Err(broken) = block_on(contract::sync::contract_sync_resolve(
                MemoryRepository::new(),
                MemoryRepository::new(),
                by,
            )) {
                panic!("contract broken ({by:?}): {broken}");
            }
        }
    }

    #[test]
    fn backup_keeps_damaged() {
        run(block_on(contract::contract_backup_keeps_damaged(
            MemoryRepository::new(),
        )));
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod model_tests {
    //! Random batches against a model of the contract: a batch applies whole
    //! when every expectation holds and nothing fails, and not at all otherwise.

    use std::collections::HashMap;

    use futures::executor::block_on;
    use proptest::prelude::*;

    use super::MemoryRepository;
    use crate::storage::batch::{next_rev, Expect, WriteBatch};
    use crate::storage::contract::{probe, tag, Probe, Tag};
    use crate::storage::repo::Repository;

    const IDS: [&str; 4] = ["a", "b", "c", "d"];

    #[derive(Debug, Clone)]
    struct Op {
        probe: bool,
        id: usize,
        delete: bool,
        expect: Expect,
    }

    fn expect() -> impl Strategy<Value = Expect> {
        prop_oneof![
            Just(Expect::Absent),
            Just(Expect::Any),
            (0u64..4).prop_map(Expect::Rev),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        (any::<bool>(), 0..IDS.len(), any::<bool>(), expect()).prop_map(
            |(probe, id, delete, expect)| Op {
                probe,
                id,
                delete,
                expect,
            },
        )
    }

    fn batch() -> impl Strategy<Value = (Vec<Op>, Option<usize>)> {
        (
            prop::collection::vec(op(), 1..6),
            prop::option::weighted(0.2, 0usize..6),
        )
            .prop_map(|(mut ops, fault)| {
                let mut seen = Vec::new();
                ops.retain(|o| {
                    let key = (o.probe, o.id);
                    let fresh = !seen.contains(&key);
                    seen.push(key);
                    fresh
                });
                (ops, fault)
            })
    }

    type Model = HashMap<(bool, usize), u64>;

    /// What the contract says the batch does to `model`: `true` if it applies.
    fn apply(model: &mut Model, ops: &[Op], fault: Option<usize>) -> bool {
        if ops.iter().any(|o| o.delete && o.expect == Expect::Absent) {
            return false;
        }
        if !ops
            .iter()
            .all(|o| o.expect.is_met_by(model.get(&(o.probe, o.id)).copied()))
        {
            return false;
        }
        if fault.is_some_and(|f| f < ops.len()) {
            return false;
        }
        for o in ops {
            let key = (o.probe, o.id);
            if o.delete {
                model.remove(&key);
            } else {
                let rev = next_rev(model.get(&key).copied());
                model.insert(key, rev);
            }
        }
        true
    }

    proptest! {
        #[test]
        fn batches_apply_whole_or_not_at_all(batches in prop::collection::vec(batch(), 1..12)) {
            let repo = MemoryRepository::new();
            let mut model = Model::new();
            for (ops, fault) in batches {
                let mut batch = WriteBatch::new();
                for o in &ops {
                    let id = IDS[o.id];
                    match (o.probe, o.delete) {
                        (true, false) => batch.put(probe(id, "Active", "p", None), o.expect),
                        (false, false) => batch.put(tag(id), o.expect),
                        (true, true) => batch.delete::<Probe>(id, o.expect),
                        (false, true) => batch.delete::<Tag>(id, o.expect),
                    };
                }
                if let Some(f) = fault {
                    batch.fail_at_write(f);
                }
                let applied = apply(&mut model, &ops, fault);
                let result = block_on(repo.commit(batch));
                prop_assert_eq!(result.is_ok(), applied, "ops {:?} fault {:?}: {:?}", ops, fault, result);
                for (i, id) in IDS.iter().enumerate() {
                    let p = block_on(repo.get::<Probe>(id)).map(|s| s.map(|s| s.rev));
                    let t = block_on(repo.get::<Tag>(id)).map(|s| s.map(|s| s.rev));
                    prop_assert_eq!(p, Ok(model.get(&(true, i)).copied()), "probe {}", id);
                    prop_assert_eq!(t, Ok(model.get(&(false, i)).copied()), "tag {}", id);
                }
            }
        }
    }
}
