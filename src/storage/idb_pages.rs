//! IndexedDB's side of the paged reads (`paged.rs`) and of schema version 4,
//! which adds the paged indexes.

use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionRef;
use indexed_db_futures::KeyRange;
use wasm_bindgen::JsValue;

use super::codec;
use super::error::{StorageError, StorageResult};
use super::idb::{add_indexes, ctx, key_range, IdbRepository};
use super::paged::{self, Page};
use super::record::{Index, Query, Record, StoreName};
use super::schema::V4_INDEXES;

/// Every string: the range of `Query::All` when a range is needed.
fn everything() -> KeyRange<String> {
    KeyRange::LowerBound(String::new(), false)
}

/// The `ix_<name>` field of index `index` of `store`.
fn key_path_of(store: StoreName, index: &str) -> StorageResult<&'static str> {
    store
        .indexes()
        .iter()
        .find(|def| def.name == index)
        .map(|def| def.key_path)
        .ok_or_else(|| {
            StorageError::Other(format!(
                "Internal error: the {store} store has no index \"{index}\"."
            ))
        })
}

impl IdbRepository {
    /// See [`Repository::read_page`](super::Repository::read_page): one
    /// `getAll` of the index, limited to one record past the page (which
    /// tells whether there is a next page).
    pub(super) async fn page_of<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<Page<T>> {
        let (values, next) = self
            .page_values(T::STORE, index.name(), query, after, limit)
            .await?;
        let mut page = Page::empty();
        page.next = next;
        for value in values {
            codec::read_into(&mut page.read, value);
        }
        Ok(page)
    }

    /// [`page_of`](IdbRepository::page_of)'s stored values and where the
    /// next page starts; by store, so this code is in the wasm once, not
    /// once per record type.
    async fn page_values(
        &self,
        store: StoreName,
        index: &str,
        query: Query,
        after: Option<&str>,
        limit: u32,
    ) -> StorageResult<(Vec<JsValue>, Option<String>)> {
        let key_path = key_path_of(store, index)?;
        let Some(range) = key_range(paged::after(query, after)) else {
            return Ok((Vec::new(), None));
        };
        if limit == 0 {
            return Ok((Vec::new(), None));
        }
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("reading"))?;
        let idb_index = object_store.index(index).map_err(ctx("searching"))?;
        let values = idb_index
            .get_all::<JsValue>()
            .with_query::<String, KeyRange<String>>(range.unwrap_or_else(everything))
            .with_limit(limit.saturating_add(1))
            .primitive()
            .map_err(ctx("searching"))?
            .await
            .map_err(ctx("searching"))?;
        let mut out = Vec::new();
        let mut last = None;
        let mut next = None;
        for (i, value) in values.enumerate() {
            let value = value.map_err(ctx("searching"))?;
            if i as u64 >= u64::from(limit) {
                next = last.take();
                break;
            }
            last = js_sys::Reflect::get(&value, &JsValue::from_str(key_path))
                .ok()
                .and_then(|v| v.as_string());
            out.push(value);
        }
        Ok((out, next))
    }

    /// See [`Repository::count_found`](super::Repository::count_found).
    pub(super) async fn count_of<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<u64> {
        self.count_in(T::STORE, index.name(), query).await
    }

    async fn count_in(&self, store: StoreName, index: &str, query: Query) -> StorageResult<u64> {
        let Some(range) = key_range(query) else {
            return Ok(0);
        };
        let tx = self.read_tx(store)?;
        let object_store = tx.object_store(store.as_str()).map_err(ctx("counting"))?;
        let idb_index = object_store.index(index).map_err(ctx("counting"))?;
        let n = idb_index
            .count()
            .with_query::<String, KeyRange<String>>(range.unwrap_or_else(everything))
            .primitive()
            .map_err(ctx("counting"))?
            .await
            .map_err(ctx("counting"))?;
        Ok(u64::from(n))
    }
}

/// v4: the paged indexes, and every record of their stores re-encoded so its
/// new index fields are filled in (a record this build can't read keeps its
/// data and stays out of the new indexes, as in v2). A `fresh` database has
/// no records to re-encode.
pub(super) async fn upgrade_to_v4(tx: &TransactionRef<'_>, fresh: bool) -> StorageResult<()> {
    let mut stores: Vec<_> = V4_INDEXES.iter().map(|(store, _)| *store).collect();
    stores.dedup();
    for store in stores {
        let defs = V4_INDEXES
            .iter()
            .filter(|(s, _)| *s == store)
            .map(|(_, name)| {
                store
                    .indexes()
                    .iter()
                    .find(|def| def.name == *name)
                    .ok_or_else(|| {
                        StorageError::Other(format!(
                            "Internal error: the schema has no index \"{name}\" on {store}."
                        ))
                    })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        add_indexes(tx, store, &defs, fresh).await?;
    }
    Ok(())
}
