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
use super::record::{Index, Query, Record};
use super::schema::V4_INDEXES;

/// Every string: the range of `Query::All` when a range is needed.
fn everything() -> KeyRange<String> {
    KeyRange::LowerBound(String::new(), false)
}

/// The `ix_<name>` field of index `index` of `T`'s store.
fn key_path_of<T: Record>(index: Index<T>) -> StorageResult<&'static str> {
    T::STORE
        .indexes()
        .iter()
        .find(|def| def.name == index.name())
        .map(|def| def.key_path)
        .ok_or_else(|| {
            StorageError::Other(format!(
                "Internal error: the {} store has no index \"{}\".",
                T::STORE,
                index.name()
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
        let key_path = key_path_of(index)?;
        let mut page = Page::empty();
        let Some(range) = key_range(paged::after(query, after)) else {
            return Ok(page);
        };
        if limit == 0 {
            return Ok(page);
        }
        let tx = self.read_tx(T::STORE)?;
        let store = tx.object_store(T::STORE.as_str()).map_err(ctx("reading"))?;
        let idb_index = store.index(index.name()).map_err(ctx("searching"))?;
        let values = idb_index
            .get_all::<JsValue>()
            .with_query::<String, KeyRange<String>>(range.unwrap_or_else(everything))
            .with_limit(limit.saturating_add(1))
            .primitive()
            .map_err(ctx("searching"))?
            .await
            .map_err(ctx("searching"))?;
        let mut last = None;
        for (i, value) in values.enumerate() {
            let value = value.map_err(ctx("searching"))?;
            if i as u64 >= u64::from(limit) {
                page.next = last.take();
                break;
            }
            last = js_sys::Reflect::get(&value, &JsValue::from_str(key_path))
                .ok()
                .and_then(|v| v.as_string());
            codec::read_into(&mut page.read, value);
        }
        Ok(page)
    }

    /// See [`Repository::count_found`](super::Repository::count_found).
    pub(super) async fn count_of<T: Record>(
        &self,
        index: Index<T>,
        query: Query,
    ) -> StorageResult<u64> {
        let Some(range) = key_range(query) else {
            return Ok(0);
        };
        let tx = self.read_tx(T::STORE)?;
        let store = tx
            .object_store(T::STORE.as_str())
            .map_err(ctx("counting"))?;
        let idb_index = store.index(index.name()).map_err(ctx("counting"))?;
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
