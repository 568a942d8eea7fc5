//! The repository: every read and write of records goes through this trait.
//!
//! Two implementations keep the same contract (checked by one test suite,
//! `contract.rs`): [`IdbRepository`](super::IdbRepository) in the browser and
//! [`MemoryRepository`](super::MemoryRepository) for native tests.
//!
//! The futures are not `Send`: wasm is single-threaded, and IndexedDB
//! handles can't cross threads anyway.

use super::batch::{Committed, Expect, Save, WriteBatch};
use super::damaged::{DamageLog, DamagedRecord, Readable};
use super::error::{StorageError, StorageResult};
use super::listed::Listed;
use super::notify::{ChangeNotice, Subscription};
use super::paged::Page;
use super::record::{Index, Query, Record, StoreName, Stored};

/// One stored value as it is, not decoded into its domain type (backups
/// keep even the records this build can't read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// The primary key (a key that is not a string, as only a foreign writer
    /// could leave, in its JSON form).
    pub key: String,
    /// The stored revision; `None` when the stored value has no readable one.
    pub rev: Option<u64>,
    /// JSON text of the stored record (the `data` of the stored envelope);
    /// when the stored value is not an envelope (`enveloped` false), of the
    /// whole stored value.
    pub json: String,
    pub enveloped: bool,
}

/// Called with each raw record by [`Repository::read_raw`]; an error stops the read.
pub type RawVisitor<'a> = dyn FnMut(StoreName, RawRecord) -> StorageResult<()> + 'a;

#[allow(async_fn_in_trait)]
pub trait Repository {
    /// The record of type `T` with key `id`, if stored.
    async fn get<T: Record>(&self, id: &str) -> StorageResult<Option<Stored<T>>>;

    /// The records with these keys, in the same order (`None` where absent),
    /// read in one transaction.
    async fn get_many<T: Record>(&self, ids: &[String]) -> StorageResult<Vec<Option<Stored<T>>>>;

    /// Every readable record of type `T`, by key, and beside them the stored
    /// values that can't be read (for lists: one damaged record never hides
    /// the others).
    async fn read_all<T: Record>(&self) -> StorageResult<Readable<T>>;

    /// Calls `visit` with every readable record of type `T`, by key, as it
    /// is read, and returns the stored values that can't be read: a list
    /// built from 100,000 records need not hold them all at once.
    ///
    /// This default reads them all first and serves the in-memory
    /// repository and test doubles; IndexedDB hands each over as decoded.
    async fn visit_all<T: Record>(
        &self,
        visit: &mut dyn FnMut(Stored<T>),
    ) -> StorageResult<Vec<DamagedRecord>> {
        let read = self.read_all::<T>().await?;
        read.records.into_iter().for_each(&mut *visit);
        Ok(read.damaged)
    }

    /// Like [`visit_all`](Repository::visit_all), for the list pages: read
    /// from the list snapshot when it covers `T` (`list_snapshot.rs`: a few
    /// large values instead of one per record), built again first when it
    /// is missing or disagrees with the store. Each record as its list
    /// entry ([`Listed`]), in snapshot order.
    async fn visit_listed<T: Listed>(
        &self,
        visit: &mut dyn FnMut(Stored<T::Entry>),
    ) -> StorageResult<Vec<DamagedRecord>> {
        self.visit_all::<T>(&mut |s| {
            visit(Stored {
                rev: s.rev,
                record: s.record.entry(),
            })
        })
        .await
    }

    /// Test hook: the (key, revision) of every entry of `T`'s list
    /// snapshot as stored, sorted, without building it; `None` when it is
    /// not built (or not kept by this repository).
    #[doc(hidden)]
    async fn snapshot_entries<T: Record>(&self) -> StorageResult<Option<Vec<(String, u64)>>> {
        Ok(None)
    }

    /// Test hook: forgets that the list snapshot was built (as a schema step
    /// that rewrites records does), so the next read builds it again.
    #[doc(hidden)]
    async fn forget_snapshot(&self) -> StorageResult<()> {
        Ok(())
    }

    /// Told what the damaged-records scan found: a record damaged in place
    /// (outside the app) that the list snapshot still holds as readable
    /// makes the next list read build the snapshot again.
    async fn snapshot_saw_damaged(&self, damaged: &[DamagedRecord]) -> StorageResult<()> {
        let _ = damaged;
        Ok(())
    }

    /// The readable records whose `index` value matches `query`, ordered by
    /// index value then key, and the matching values that can't be read.
    async fn read_found<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<Readable<T>>;

    /// At most `limit` records whose `index` value matches `query` and comes
    /// after `after` (the [`Page::next`] of the page before; `None` for the
    /// first page), in index-value order, read in one transaction. For the
    /// paged indexes, whose values are unique (see `records.rs`).
    ///
    /// This default reads every match and serves test doubles only; both
    /// repositories read just the page.
    async fn read_page<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<Page<T>> {
        let query = super::paged::after(query, after);
        let read = self.read_found(index, query).await?;
        let mut records = read.records;
        records.truncate(limit as usize);
        let next = records
            .last()
            .filter(|_| records.len() == limit as usize)
            .and_then(|s| s.record.index_value(index.name()));
        Ok(Page {
            read: Readable {
                records,
                damaged: if after.is_none() {
                    read.damaged
                } else {
                    Vec::new()
                },
            },
            next,
        })
    }

    /// At most `limit` records of type `T` with keys after `after` (from the
    /// first key when `None`), in key order, read in one transaction;
    /// [`Page::next`] is the last key read when more records follow. Sync
    /// walks a store with it without holding the whole store.
    ///
    /// This default reads every record and serves test doubles only; both
    /// repositories read just the page.
    async fn read_after<T: Record>(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<Page<T>> {
        let read = self.read_all::<T>().await?;
        let mut records: Vec<Stored<T>> = read
            .records
            .into_iter()
            .filter(|s| after.is_none_or(|a| s.record.key().as_str() > a))
            .collect();
        let more = records.len() > limit as usize;
        records.truncate(limit as usize);
        let next = records.last().filter(|_| more).map(|s| s.record.key());
        Ok(Page {
            read: Readable {
                records,
                damaged: read
                    .damaged
                    .into_iter()
                    .filter(|d| after.is_none_or(|a| d.key.as_str() > a))
                    .collect(),
            },
            next,
        })
    }

    /// How many records' `index` value matches `query` (without reading them).
    ///
    /// The default serves test doubles only, as for [`read_page`](Repository::read_page).
    async fn count_found<T: Record>(&self, index: Index<T>, query: Query) -> StorageResult<u64> {
        Ok(self.read_found(index, query).await?.records.len() as u64)
    }

    /// The records of `T` whose multi-valued index `index` (see
    /// [`Record::index_members`]) holds any of `values`, each once, in key
    /// order, read in one transaction.
    ///
    /// This default reads every record of `T` (the in-memory repository,
    /// whose stores of pages are small); IndexedDB reads the index.
    async fn find_members<T: Record>(
        &self,
        index: Index<T>,
        values: &[String],
    ) -> StorageResult<Vec<Stored<T>>> {
        let read = self.read_all::<T>().await?;
        Ok(read
            .records
            .into_iter()
            .filter(|s| {
                s.record
                    .index_members(index.name())
                    .iter()
                    .any(|v| values.contains(v))
            })
            .collect())
    }

    /// How many values the multi-valued index `index` holds over all
    /// records of `T` (a record counts once per value).
    async fn count_members<T: Record>(&self, index: Index<T>) -> StorageResult<u64> {
        let read = self.read_all::<T>().await?;
        Ok(read
            .records
            .iter()
            .map(|s| s.record.index_members(index.name()).len() as u64)
            .sum())
    }

    /// The damaged records this tab's lists have met (shared by clones).
    fn damage_log(&self) -> &DamageLog;

    /// How many records of type `T` are stored.
    async fn count<T: Record>(&self) -> StorageResult<u64>;

    /// Applies every write of `batch` or none: see [`WriteBatch`]. On success,
    /// subscribers of this repository and other tabs are told what changed.
    async fn commit(&self, batch: WriteBatch) -> StorageResult<Committed>;

    /// Calls `visit` with every stored value of `stores`, store by store in
    /// the given order, each in key order, undecoded, all read in one read
    /// transaction (a consistent snapshot). Values are handed over as they
    /// are read, so a caller can stream them without holding them all.
    ///
    /// Both repositories implement it; the default only serves test doubles
    /// that wrap one for other purposes (they never make backups).
    async fn read_raw(
        &self,
        stores: &[StoreName],
        visit: &mut RawVisitor<'_>,
    ) -> StorageResult<()> {
        let _ = (stores, visit);
        Err(StorageError::Other(
            "Internal error: this repository can't read stored values as they are.".to_string(),
        ))
    }

    /// Calls `callback` after every commit, in this tab or another one, until
    /// the returned [`Subscription`] is dropped.
    fn subscribe(&self, callback: impl Fn(&ChangeNotice) + 'static) -> Subscription;

    // ---- conveniences, all built on the methods above ----

    /// Every record of type `T`, by key; a damaged one fails the read (for
    /// workflows, which must not act on part of the data).
    async fn get_all<T: Record>(&self) -> StorageResult<Vec<Stored<T>>> {
        self.read_all::<T>().await?.strict()
    }

    /// The records whose `index` value matches `query`, ordered by index value
    /// then key; a damaged one fails the read.
    async fn find<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<Vec<Stored<T>>> {
        self.read_found(index, query).await?.strict()
    }

    /// Every record of type `T`, without revisions: for pages and workflows
    /// that only read them.
    async fn all_records<T: Record>(&self) -> StorageResult<Vec<T>> {
        Ok(self
            .get_all::<T>()
            .await?
            .into_iter()
            .map(|s| s.record)
            .collect())
    }

    /// Like [`find`](Repository::find), without revisions.
    async fn find_records<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<Vec<T>> {
        Ok(self
            .find(index, query)
            .await?
            .into_iter()
            .map(|s| s.record)
            .collect())
    }

    /// The readable records of type `T`, for a list or a related list: a
    /// damaged one is left out and noted in the [`damage_log`](Repository::damage_log).
    async fn list_records<T: Record>(&self) -> StorageResult<Vec<T>> {
        let read = self.read_all::<T>().await?;
        self.damage_log().note(&read.damaged);
        Ok(read.into_records().0)
    }

    /// A page of [`read_page`](Repository::read_page) for a list: damaged
    /// records are left out and noted in the [`damage_log`](Repository::damage_log).
    async fn list_page<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<(Vec<T>, Option<String>)> {
        let page = self.read_page(index, query, after, limit).await?;
        self.damage_log().note(&page.read.damaged);
        Ok((page.read.into_records().0, page.next))
    }

    /// Like [`list_records`](Repository::list_records), for an index query.
    async fn list_found<T: Record>(&self, index: Index<T>, query: Query) -> StorageResult<Vec<T>> {
        let read = self.read_found(index, query).await?;
        self.damage_log().note(&read.damaged);
        Ok(read.into_records().0)
    }

    /// The record with key `id` for a page that links to it: a damaged one is
    /// shown as absent (the page keeps its own fields for it) and noted in
    /// the [`damage_log`](Repository::damage_log).
    async fn get_shown<T: Record>(&self, id: &str) -> StorageResult<Option<T>> {
        match self.get::<T>(id).await {
            Ok(found) => Ok(found.map(|s| s.record)),
            Err(StorageError::Corrupt { detail, .. }) => {
                self.damage_log().note(&[DamagedRecord {
                    store: T::STORE,
                    key: id.to_string(),
                    reason: detail,
                    raw: String::new(),
                }]);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Every stored value of every store that can't be read as its record,
    /// by store and key (the "Damaged records" page).
    async fn damaged_records(&self) -> StorageResult<Vec<DamagedRecord>> {
        let mut damaged = Vec::new();
        self.read_raw(&StoreName::ALL, &mut |store, raw| {
            damaged.extend(DamagedRecord::from_raw(store, &raw));
            Ok(())
        })
        .await?;
        Ok(damaged)
    }

    /// Every damaged record of every store, and the log brought up to date.
    async fn scan_damaged(&self) -> StorageResult<Vec<DamagedRecord>> {
        let damaged = self.damaged_records().await?;
        // The snapshot first: once the count shows, the lists agree with it.
        self.snapshot_saw_damaged(&damaged).await?;
        self.damage_log().replace(&damaged);
        Ok(damaged)
    }

    /// Like [`get`](Repository::get), but a missing record is an error.
    async fn load<T: Record>(&self, id: &str) -> StorageResult<Stored<T>> {
        self.get::<T>(id)
            .await?
            .ok_or_else(|| StorageError::NotFound {
                what: T::STORE.label(),
                id: id.to_string(),
            })
    }

    /// The stored record to update, or `default()` to create when absent (for
    /// singletons such as the counters).
    async fn load_or<T: Record>(
        &self,
        id: &str,
        default: impl FnOnce() -> T,
    ) -> StorageResult<Save<T>> {
        Ok(match self.get::<T>(id).await? {
            Some(stored) => Save::Update(stored),
            None => Save::Create(default()),
        })
    }

    /// Creates one record (conflict if its key is taken).
    async fn create<T: Record>(&self, record: T) -> StorageResult<Stored<T>> {
        self.put(record, Expect::Absent).await
    }

    /// Saves a record loaded at `stored.rev` (conflict if saved elsewhere since).
    async fn update<T: Record>(&self, stored: Stored<T>) -> StorageResult<Stored<T>> {
        self.put(stored.record, Expect::Rev(stored.rev)).await
    }

    /// Saves one record with the given expectation.
    async fn put<T: Record>(&self, record: T, expect: Expect) -> StorageResult<Stored<T>> {
        let key = record.key();
        let mut batch = WriteBatch::new();
        batch.put(record.clone(), expect);
        let committed = self.commit(batch).await?;
        let rev = committed.rev(T::STORE, &key).ok_or_else(|| {
            StorageError::Other(format!(
                "Internal error: {} {key} was not saved.",
                T::STORE.label()
            ))
        })?;
        Ok(Stored { rev, record })
    }

    /// Deletes one record (`expect`: `Rev` of the copy shown, or `Any`).
    async fn delete<T: Record>(&self, id: &str, expect: Expect) -> StorageResult<()> {
        let mut batch = WriteBatch::new();
        batch.delete::<T>(id, expect);
        self.commit(batch).await.map(|_| ())
    }

    /// Saves many records of one type in one transaction (imports, demo
    /// data): all or nothing.
    async fn put_all<T: Record>(
        &self,
        records: impl IntoIterator<Item = T>,
        expect: Expect,
    ) -> StorageResult<Committed> {
        let mut batch = WriteBatch::new();
        for record in records {
            batch.put(record, expect);
        }
        self.commit(batch).await
    }
}
