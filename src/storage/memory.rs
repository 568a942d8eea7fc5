//! An in-memory repository with the same behaviour as IndexedDB: revisions,
//! conflicts, all-or-nothing batches, index queries and change notices.
//!
//! Records are kept as `serde_json::Value`, so a record that can't be
//! serialized or read back fails here as it would in the browser.
//! [`MemoryRepository::other_tab`] opens a second handle on the same data,
//! like a second browser tab, for cross-tab notice tests.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};

use super::batch::{next_rev, Action, Change, Committed, WriteBatch};
use super::error::{StorageError, StorageResult};
use super::notify::{ChangeNotice, ChangeOrigin, Subscribers, Subscription};
use super::record::{Index, Query, Record, StoreName, Stored};
use super::repo::Repository;

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
            .map_err(|e| StorageError::Corrupt {
                what: T::STORE.label(),
                id: id.to_string(),
                detail: e.to_string(),
            })
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

    async fn get_all<T: Record>(&self) -> StorageResult<Vec<Stored<T>>> {
        let tables = self.shared.tables.borrow();
        match tables.get(&T::STORE) {
            Some(table) => table
                .iter()
                .map(|(id, row)| Self::decode(id, row))
                .collect(),
            None => Ok(Vec::new()),
        }
    }

    async fn find<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<Vec<Stored<T>>> {
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
        let tables = self.shared.tables.borrow();
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
        hits.into_iter()
            .map(|(_, id, row)| Self::decode(id, row))
            .collect()
    }

    async fn count<T: Record>(&self) -> StorageResult<u64> {
        let tables = self.shared.tables.borrow();
        Ok(tables.get(&T::STORE).map_or(0, |t| t.len() as u64))
    }

    async fn commit(&self, batch: WriteBatch) -> StorageResult<Committed> {
        batch.validate()?;
        let WriteBatch { ops, fail_at } = batch;
        let committed = {
            let mut tables = self.shared.tables.borrow_mut();
            // Every expectation is checked against the state before the batch.
            let mut current = Vec::with_capacity(ops.len());
            for op in &ops {
                let rev = tables
                    .get(&op.store)
                    .and_then(|t| t.get(&op.id))
                    .map(|r| r.rev);
                if !op.expect.is_met_by(rev) {
                    return Err(WriteBatch::conflict(op, rev));
                }
                current.push(rev);
            }
            // Writes are applied one by one with an undo log, like a transaction.
            let mut undo: Vec<(StoreName, String, Option<Row>)> = Vec::with_capacity(ops.len());
            let mut changes = Vec::with_capacity(ops.len());
            for (i, (op, rev)) in ops.into_iter().zip(current).enumerate() {
                if fail_at == Some(i) {
                    roll_back(&mut tables, undo);
                    return Err(StorageError::Other(format!(
                        "Injected failure at write {i}: nothing was saved."
                    )));
                }
                match op.action {
                    Action::Put(record) => {
                        let data = match record.to_json() {
                            Ok(data) => data,
                            Err(e) => {
                                roll_back(&mut tables, undo);
                                return Err(StorageError::Other(format!(
                                    "{} {} could not be saved ({e}); nothing was saved.",
                                    op.store.label(),
                                    op.id
                                )));
                            }
                        };
                        let new_rev = next_rev(rev);
                        let row = Row {
                            rev: new_rev,
                            data,
                            ix: record.index_values(),
                        };
                        let table = tables.entry(op.store).or_default();
                        let previous = table.insert(op.id.clone(), row);
                        undo.push((op.store, op.id.clone(), previous));
                        changes.push(Change {
                            store: op.store,
                            id: op.id,
                            rev: Some(new_rev),
                        });
                    }
                    Action::Delete => {
                        let table = tables.entry(op.store).or_default();
                        let previous = table.remove(&op.id);
                        undo.push((op.store, op.id.clone(), previous));
                        changes.push(Change {
                            store: op.store,
                            id: op.id,
                            rev: None,
                        });
                    }
                }
            }
            Committed { changes }
        };
        if !committed.changes.is_empty() {
            self.broadcast(&committed);
        }
        Ok(committed)
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
    fn invalid_batches() {
        run(block_on(contract::contract_invalid_batches(
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
}
