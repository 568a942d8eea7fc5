//! Write batches: every workflow's writes, committed as one atomic unit.
//!
//! A [`WriteBatch`] is a list of puts and deletes across stores, each with
//! the revision it expects to find. `Repository::commit` checks every
//! expectation and applies every write in one transaction: if any
//! expectation fails ([`StorageError::Conflict`]) or any write fails, nothing
//! of the batch is written.

use std::sync::Arc;

use super::error::StorageError;
use super::record::{Record, StoreName, Stored};

/// What a write expects to find in storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// No record with this key: the write creates it (revision 1).
    Absent,
    /// The record at exactly this revision: nobody saved it since it was read.
    Rev(u64),
    /// Whatever is there (imports, system refreshes): no conflict check.
    Any,
}

impl Expect {
    /// Whether `current` (the stored revision, if any) meets this expectation.
    pub fn is_met_by(self, current: Option<u64>) -> bool {
        match self {
            Expect::Absent => current.is_none(),
            Expect::Rev(rev) => current == Some(rev),
            Expect::Any => true,
        }
    }
}

/// The revision a put writes, given the stored one.
pub(crate) fn next_rev(current: Option<u64>) -> u64 {
    current.map_or(1, |r| r.saturating_add(1))
}

/// A record to save: new, or loaded earlier at some revision and changed.
#[derive(Debug, Clone, PartialEq)]
pub enum Save<T> {
    Create(T),
    Update(Stored<T>),
}

impl<T: Record> Save<T> {
    pub fn record(&self) -> &T {
        match self {
            Save::Create(r) => r,
            Save::Update(s) => &s.record,
        }
    }

    pub fn record_mut(&mut self) -> &mut T {
        match self {
            Save::Create(r) => r,
            Save::Update(s) => &mut s.record,
        }
    }

    pub fn into_record(self) -> T {
        match self {
            Save::Create(r) => r,
            Save::Update(s) => s.record,
        }
    }

    /// The revision this save expects.
    pub fn expect(&self) -> Expect {
        match self {
            Save::Create(_) => Expect::Absent,
            Save::Update(s) => Expect::Rev(s.rev),
        }
    }
}

/// A record type-erased for the batch; both repositories encode it their way.
pub(crate) trait ErasedRecord {
    /// For the in-memory repository only (native): in the wasm every record
    /// type's `serde_json` encoder would otherwise ship in this vtable.
    #[cfg(not(target_arch = "wasm32"))]
    fn to_json(&self) -> Result<serde_json::Value, String>;
    #[cfg(not(target_arch = "wasm32"))]
    fn index_values(&self) -> Vec<Option<String>>;
    fn to_js(&self, id: &str, rev: u64) -> Result<wasm_bindgen::JsValue, String>;
    /// The record's entry in the list snapshot, for the stores it covers
    /// (`list_snapshot.rs`); one encoder for both repositories.
    fn list_entry(&self) -> Option<Result<Vec<u8>, String>>;
}

struct Erased<T>(T);

/// `record`'s list snapshot entry when its store is covered.
fn list_entry<T: Record>(record: &T) -> Option<Result<Vec<u8>, String>> {
    super::list_snapshot::covers(T::STORE).then(|| record.list_entry().ok_or_else(no_entry::<T>))
}

fn no_entry<T: Record>() -> String {
    format!("{} has no list entry", T::STORE.label())
}

impl<T: Record> ErasedRecord for Erased<T> {
    #[cfg(not(target_arch = "wasm32"))]
    fn to_json(&self) -> Result<serde_json::Value, String> {
        serde_json::to_value(&self.0).map_err(|e| e.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    fn index_values(&self) -> Vec<Option<String>> {
        super::record::index_values(&self.0)
    }
    fn to_js(&self, id: &str, rev: u64) -> Result<wasm_bindgen::JsValue, String> {
        super::codec::encode(&self.0, id, rev).map_err(|e| e.to_string())
    }
    fn list_entry(&self) -> Option<Result<Vec<u8>, String>> {
        list_entry(&self.0)
    }
}

/// A record shared with whoever built the batch (an import's plan keeps
/// its records for the preview): put without a copy.
struct Shared<T>(Arc<T>);

impl<T: Record> ErasedRecord for Shared<T> {
    #[cfg(not(target_arch = "wasm32"))]
    fn to_json(&self) -> Result<serde_json::Value, String> {
        serde_json::to_value(&*self.0).map_err(|e| e.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    fn index_values(&self) -> Vec<Option<String>> {
        super::record::index_values(&*self.0)
    }
    fn to_js(&self, id: &str, rev: u64) -> Result<wasm_bindgen::JsValue, String> {
        super::codec::encode(&*self.0, id, rev).map_err(|e| e.to_string())
    }
    fn list_entry(&self) -> Option<Result<Vec<u8>, String>> {
        list_entry(&*self.0)
    }
}

/// A record built only when the commit encodes it (see
/// [`WriteBatch::put_built`]); a build that fails fails the commit.
struct Built<T, F>(F, std::marker::PhantomData<fn() -> T>);

impl<T: Record, F: Fn() -> Result<T, String>> ErasedRecord for Built<T, F> {
    #[cfg(not(target_arch = "wasm32"))]
    fn to_json(&self) -> Result<serde_json::Value, String> {
        serde_json::to_value((self.0)()?).map_err(|e| e.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    fn index_values(&self) -> Vec<Option<String>> {
        (self.0)()
            .map(|r| super::record::index_values(&r))
            .unwrap_or_default()
    }
    fn to_js(&self, id: &str, rev: u64) -> Result<wasm_bindgen::JsValue, String> {
        super::codec::encode(&(self.0)()?, id, rev).map_err(|e| e.to_string())
    }
    fn list_entry(&self) -> Option<Result<Vec<u8>, String>> {
        match (self.0)() {
            Ok(record) => list_entry(&record),
            Err(e) => super::list_snapshot::covers(T::STORE).then_some(Err(e)),
        }
    }
}

pub(crate) enum Action {
    Put(Box<dyn ErasedRecord>),
    Delete,
}

pub(crate) struct Op {
    pub store: StoreName,
    pub id: String,
    pub expect: Expect,
    pub action: Action,
    /// The revision a put writes when it is not the next one: a restore puts
    /// each record back at the revision it had (see [`WriteBatch::restore`]).
    pub at_rev: Option<u64>,
}

impl Op {
    /// The revision this put writes over `current`.
    pub(crate) fn new_rev(&self, current: Option<u64>) -> u64 {
        self.at_rev.unwrap_or_else(|| next_rev(current))
    }
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.action {
            Action::Put(_) => "put",
            Action::Delete => "delete",
        };
        write!(
            f,
            "{kind} {}/{} expecting {:?}",
            self.store, self.id, self.expect
        )
    }
}

/// Operations per block of [`Ops`]: 229 KB of them.
const OPS_PER_BLOCK: usize = 4096;

/// A batch's operations, in blocks of [`OPS_PER_BLOCK`]: an import's
/// 250,000 (14 MB) need no single free 14 MB in the wasm heap, which after
/// the preview rarely has one and would grow for it, and a commit lets each
/// block go once it has written it (docs/perf.md).
#[derive(Default, Debug)]
pub(crate) struct Ops {
    blocks: Vec<Vec<Op>>,
    len: usize,
}

impl Ops {
    fn with_capacity(ops: usize) -> Ops {
        Ops {
            blocks: vec![Vec::with_capacity(ops.min(OPS_PER_BLOCK))],
            len: 0,
        }
    }

    pub(crate) fn push(&mut self, op: Op) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < OPS_PER_BLOCK => block.push(op),
            _ => {
                let mut block = Vec::with_capacity(OPS_PER_BLOCK);
                block.push(op);
                self.blocks.push(block);
            }
        }
        self.len += 1;
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn get(&self, i: usize) -> Option<&Op> {
        self.blocks.get(i / OPS_PER_BLOCK)?.get(i % OPS_PER_BLOCK)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Op> {
        self.blocks.iter().flatten()
    }
}

impl Extend<Op> for Ops {
    fn extend<I: IntoIterator<Item = Op>>(&mut self, ops: I) {
        for op in ops {
            self.push(op);
        }
    }
}

impl IntoIterator for Ops {
    type Item = Op;
    // Each block is dropped once its operations are taken.
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<Op>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.blocks.into_iter().flatten()
    }
}

impl<'a> IntoIterator for &'a Ops {
    type Item = &'a Op;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Op>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.blocks.iter().flatten()
    }
}

/// Puts and deletes across stores, committed atomically by `Repository::commit`.
#[derive(Default, Debug)]
pub struct WriteBatch {
    pub(crate) ops: Ops,
    pub(crate) fail_at: Option<usize>,
    /// Stores emptied, in the same transaction, before any write of `ops`.
    pub(crate) clears: Vec<StoreName>,
    /// Written by sync itself: its synced records are not queued to send.
    pub(crate) from_sync: bool,
    /// The commit names the stores written, not each record (see
    /// [`WriteBatch::without_change_list`]).
    pub(crate) unlisted: bool,
}

impl WriteBatch {
    pub fn new() -> WriteBatch {
        WriteBatch::default()
    }

    /// A batch with room for `writes` writes: a batch of 250,000 (an
    /// import) then never holds its list twice while the list grows.
    pub fn with_capacity(writes: usize) -> WriteBatch {
        WriteBatch {
            ops: Ops::with_capacity(writes),
            ..WriteBatch::default()
        }
    }

    /// A bulk batch (an import, the demo load, Reset): its [`Committed`]
    /// lists no change per record, only the stores written
    /// ([`Committed::unlisted`]), and its change notice names those stores,
    /// as one of more than a few hundred records does anyway. An import of
    /// 250,000 records then doesn't hold 250,000 changes (14 MB) at the end
    /// of its commit. A create refused because its key was taken meanwhile
    /// is reported without naming the record.
    pub fn without_change_list(&mut self) -> &mut Self {
        self.unlisted = true;
        self
    }

    /// Saves `record` expecting `expect`.
    pub fn put<T: Record>(&mut self, record: T, expect: Expect) -> &mut Self {
        self.ops.push(Op {
            store: T::STORE,
            id: record.key(),
            expect,
            action: Action::Put(Box::new(Erased(record))),
            at_rev: None,
        });
        self
    }

    /// Saves a shared `record` expecting `expect`, without copying it.
    pub fn put_shared<T: Record>(&mut self, record: Arc<T>, expect: Expect) -> &mut Self {
        self.ops.push(Op {
            store: T::STORE,
            id: record.key(),
            expect,
            action: Action::Put(Box::new(Shared(record))),
            at_rev: None,
        });
        self
    }

    /// Saves the record `build` makes, under key `id`, expecting `expect`:
    /// built when the commit writes it, so a batch of 250,000 records (an
    /// import, which keeps them as their CSV rows) never holds them all.
    pub fn put_built<T: Record>(
        &mut self,
        id: String,
        expect: Expect,
        build: impl Fn() -> Result<T, String> + 'static,
    ) -> &mut Self {
        self.ops.push(Op {
            store: T::STORE,
            id,
            expect,
            action: Action::Put(Box::new(Built(build, std::marker::PhantomData))),
            at_rev: None,
        });
        self
    }

    /// Creates `record`; refused with a conflict if its key is taken.
    pub fn create<T: Record>(&mut self, record: T) -> &mut Self {
        self.put(record, Expect::Absent)
    }

    /// Saves a record loaded at `stored.rev` and changed since; refused with a
    /// conflict if someone saved it in between.
    pub fn update<T: Record>(&mut self, stored: Stored<T>) -> &mut Self {
        self.put(stored.record, Expect::Rev(stored.rev))
    }

    /// Saves `record` whatever is stored (imports and system refreshes).
    pub fn upsert<T: Record>(&mut self, record: T) -> &mut Self {
        self.put(record, Expect::Any)
    }

    pub fn save<T: Record>(&mut self, save: Save<T>) -> &mut Self {
        match save {
            Save::Create(record) => self.create(record),
            Save::Update(stored) => self.update(stored),
        }
    }

    /// Saves `record` as an update of the copy in `loaded` with the same key
    /// (expecting its revision), or as a create if `loaded` has none: for
    /// workflows that return a mix of changed and new records.
    pub fn save_against<T: Record>(&mut self, record: T, loaded: &[Stored<T>]) -> &mut Self {
        let key = record.key();
        let expect = loaded
            .iter()
            .find(|s| s.record.key() == key)
            .map_or(Expect::Absent, |s| Expect::Rev(s.rev));
        self.put(record, expect)
    }

    /// Deletes the `T` with key `id`, expecting `expect` (`Rev` or `Any`).
    pub fn delete<T: Record>(&mut self, id: impl Into<String>, expect: Expect) -> &mut Self {
        self.ops.push(Op {
            store: T::STORE,
            id: id.into(),
            expect,
            action: Action::Delete,
            at_rev: None,
        });
        self
    }

    /// Empties `store` before the batch's writes, in the same transaction:
    /// with [`restore`](WriteBatch::restore), replacing a store's content
    /// is one atomic step. Writes to a cleared store must expect
    /// [`Expect::Any`] (what they would find is gone), and an upsert there
    /// writes revision 1.
    pub fn clear_store(&mut self, store: StoreName) -> &mut Self {
        if !self.clears.contains(&store) {
            self.clears.push(store);
        }
        self
    }

    /// Puts `stored.record` back at exactly `stored.rev`, whatever is stored
    /// (restoring a backup keeps each record's revision).
    pub fn restore<T: Record>(&mut self, stored: Stored<T>) -> &mut Self {
        self.ops.push(Op {
            store: T::STORE,
            id: stored.record.key(),
            expect: Expect::Any,
            action: Action::Put(Box::new(Erased(stored.record))),
            at_rev: Some(stored.rev),
        });
        self
    }

    /// Marks the batch as sync's own (applying documents from the server,
    /// sync's bookkeeping): the commit path queues none of its records in
    /// the outbox (see `outbox.rs`).
    pub fn from_sync(&mut self) -> &mut Self {
        self.from_sync = true;
        self
    }

    /// Adds every write of `other` after this batch's: workflows that change
    /// many records at once (Bulk Modify License) commit them as one unit.
    pub fn append(&mut self, other: WriteBatch) -> &mut Self {
        self.ops.extend(other.ops);
        for store in other.clears {
            self.clear_store(store);
        }
        self
    }

    /// The stores this batch empties first (see [`clear_store`](WriteBatch::clear_store)).
    pub fn cleared_stores(&self) -> &[StoreName] {
        &self.clears
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty() && self.clears.is_empty()
    }

    /// The stores this batch writes or clears, sorted, without repeats.
    pub fn stores(&self) -> Vec<StoreName> {
        let mut stores: Vec<StoreName> = self.ops.iter().map(|op| op.store).collect();
        stores.extend_from_slice(&self.clears);
        crate::sort::sort_by(&mut stores, Ord::cmp);
        stores.dedup();
        stores
    }

    /// Test hook: the write at index `n` (0-based) fails for real, after the
    /// writes before it were issued, so atomicity tests can see a failure
    /// part-way. The in-memory repository fails it after applying the writes
    /// before it (and rolls them back); IndexedDB issues a request the
    /// browser rejects, which aborts the transaction.
    #[doc(hidden)]
    pub fn fail_at_write(&mut self, n: usize) -> &mut Self {
        self.fail_at = Some(n);
        self
    }

    /// Refuses batches that can't be applied as one unit: the same record
    /// written twice, or a delete that expects the record to be absent.
    pub(crate) fn validate(&self) -> Result<(), StorageError> {
        // Sorted positions rather than a set of keys: for a batch of
        // 250,000 writes (an import) 1 MB instead of a 7 MB table.
        let mut order: Vec<u32> = (0..u32::try_from(self.ops.len()).unwrap_or(u32::MAX)).collect();
        let key = |i: &u32| {
            self.ops
                .get(*i as usize)
                .map(|op| (op.store, op.id.as_str()))
        };
        order.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
        for pair in order.windows(2) {
            let [first, second] = pair else { continue };
            if let (Some(op), true) = (self.ops.get(*second as usize), key(first) == key(second)) {
                return Err(StorageError::Other(format!(
                    "Internal error: {} {} is written twice in one save.",
                    op.store.label(),
                    op.id
                )));
            }
        }
        for op in &self.ops {
            if matches!(op.action, Action::Delete) && op.expect == Expect::Absent {
                return Err(StorageError::Other(format!(
                    "Internal error: deleting {} {} expects it to be absent.",
                    op.store.label(),
                    op.id
                )));
            }
            if op.expect != Expect::Any && self.clears.contains(&op.store) {
                return Err(StorageError::Other(format!(
                    "Internal error: {} {} is written with an expectation in a store the same \
                     save empties.",
                    op.store.label(),
                    op.id
                )));
            }
        }
        Ok(())
    }

    /// The error for an unmet expectation of `op`.
    pub(crate) fn conflict(op: &Op, current: Option<u64>) -> StorageError {
        match (op.expect, current) {
            (Expect::Rev(_), None) => StorageError::NotFound {
                what: op.store.label(),
                id: op.id.clone(),
            },
            _ => StorageError::Conflict {
                store: op.store,
                id: op.id.clone(),
            },
        }
    }
}

/// One write of a committed batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub store: StoreName,
    pub id: String,
    /// The revision now stored; `None` when the record was deleted.
    pub rev: Option<u64>,
}

/// What a commit wrote, with each record's new revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Committed {
    pub changes: Vec<Change>,
    /// The stores emptied before the writes (a restore): every record they
    /// held before may have changed, not only those in `changes`.
    pub cleared: Vec<StoreName>,
    /// The stores a batch [without a change list](WriteBatch::without_change_list)
    /// wrote: their written records are not in `changes`.
    pub unlisted: Vec<StoreName>,
}

impl Committed {
    /// Room for `changes` changes: none for a batch without a change list.
    pub(crate) fn with_capacity(changes: usize) -> Committed {
        Committed {
            changes: Vec::with_capacity(changes),
            ..Committed::default()
        }
    }

    /// Notes a write: as a change when `listed`, else only its store (a
    /// batch [without a change list](WriteBatch::without_change_list)).
    pub(crate) fn note(&mut self, listed: bool, store: StoreName, id: String, rev: Option<u64>) {
        if listed {
            self.changes.push(Change { store, id, rev });
        } else if !self.unlisted.contains(&store) {
            self.unlisted.push(store);
        }
    }

    /// The new revision of a record the batch saved (`None` for one of a
    /// batch without a change list).
    pub fn rev(&self, store: StoreName, id: &str) -> Option<u64> {
        self.changes
            .iter()
            .find(|c| c.store == store && c.id == id)
            .and_then(|c| c.rev)
    }

    /// `record` paired with the revision this commit gave it, ready for the
    /// next update. `None` if the batch didn't save it.
    pub fn stored<T: Record>(&self, record: T) -> Option<Stored<T>> {
        let rev = self.rev(T::STORE, &record.key())?;
        Some(Stored { rev, record })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_keep_their_order_across_blocks() {
        let mut batch = WriteBatch::with_capacity(10);
        for i in 0..(2 * OPS_PER_BLOCK + 7) {
            batch.delete::<crate::domain::Account>(format!("a-{i}"), Expect::Any);
        }
        let ops = &batch.ops;
        let n = 2 * OPS_PER_BLOCK + 7;
        assert_eq!((ops.len(), ops.blocks.len()), (n, 3));
        let id = |i: usize| format!("a-{i}");
        assert_eq!(
            ops.get(OPS_PER_BLOCK).map(|o| o.id.clone()),
            Some(id(OPS_PER_BLOCK))
        );
        assert!(ops.get(n).is_none());
        assert!(ops
            .iter()
            .map(|o| &o.id)
            .eq((0..n).map(id).collect::<Vec<_>>().iter()));
        let mut more = WriteBatch::new();
        more.delete::<crate::domain::Account>("b", Expect::Any);
        batch.append(more);
        let ids: Vec<String> = batch.ops.into_iter().map(|o| o.id).collect();
        assert_eq!(ids.len(), n + 1);
        assert_eq!((ids[n - 1].as_str(), ids[n].as_str()), ("a-8198", "b"));
    }

    #[test]
    fn expectations() {
        assert!(Expect::Absent.is_met_by(None));
        assert!(!Expect::Absent.is_met_by(Some(1)));
        assert!(Expect::Rev(2).is_met_by(Some(2)));
        assert!(!Expect::Rev(2).is_met_by(Some(3)));
        assert!(!Expect::Rev(2).is_met_by(None));
        assert!(Expect::Any.is_met_by(None) && Expect::Any.is_met_by(Some(9)));
        assert_eq!(next_rev(None), 1);
        assert_eq!(next_rev(Some(4)), 5);
    }
}
