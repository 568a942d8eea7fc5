//! The list snapshot (`list_snapshot.rs`) in IndexedDB: its chunks read and
//! patched inside a commit's transaction, read whole by the list, and built
//! again from the store when missing or disagreeing.

use std::collections::BTreeMap;

use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::codec;
use super::damaged::DamagedRecord;
use super::error::StorageResult;
use super::idb::{
    ctx, dom_error, get_all_chunk, last_key, request_result, IdbRepository, GET_ALL_CHUNK,
};
use super::list_snapshot::{
    self as snap, Patch, FORMAT, FORMAT_FIELD, META_KEY, ROWS_FIELD, SNAPSHOT_STORE,
};
use super::listed::Listed;
use super::record::{Record, StoreName, Stored};
use super::schema::KEY_PATH;

/// The stored value of a chunk.
fn chunk_value(key: &str, bytes: &[u8]) -> StorageResult<JsValue> {
    let value = Object::new();
    Reflect::set(&value, &KEY_PATH.into(), &key.into())
        .and_then(|_| Reflect::set(&value, &ROWS_FIELD.into(), &Uint8Array::from(bytes).into()))
        .map_err(|e| dom_error(e, "saving the list snapshot"))?;
    Ok(value.into())
}

/// `meta`, with the format of the chunks written beside it.
fn meta_value() -> StorageResult<JsValue> {
    let value = Object::new();
    Reflect::set(&value, &KEY_PATH.into(), &META_KEY.into())
        .and_then(|_| Reflect::set(&value, &FORMAT_FIELD.into(), &f64::from(FORMAT).into()))
        .map_err(|e| dom_error(e, "saving the list snapshot"))?;
    Ok(value.into())
}

/// Whether a stored `meta` says the chunks were built in this format (an
/// older format's snapshot is built again).
fn is_current_meta(value: &JsValue) -> bool {
    Reflect::get(value, &FORMAT_FIELD.into())
        .ok()
        .and_then(|f| f.as_f64())
        == Some(f64::from(FORMAT))
}

/// The bytes of a stored chunk value (`None`: not a chunk this build wrote).
fn rows_of(value: &JsValue) -> Option<Vec<u8>> {
    Reflect::get(value, &ROWS_FIELD.into())
        .ok()?
        .dyn_into::<Uint8Array>()
        .ok()
        .map(|a| a.to_vec())
}

/// Phase 1 of a commit: the chunks `wanted` as stored in `store` (the
/// snapshot's, in the commit's transaction); missing or unreadable ones
/// are left out (they start empty).
pub(super) async fn read_chunks_for_patch(
    store: web_sys::IdbObjectStore,
    wanted: Vec<(StoreName, usize)>,
) -> StorageResult<BTreeMap<(StoreName, usize), Vec<u8>>> {
    chunks_read(ask_chunks(&store, wanted)?).await
}

type ChunkRequests = Vec<(
    (StoreName, usize),
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>>,
)>;

/// Sends the reads of the chunks `wanted` (awaited by [`chunks_read`]).
fn ask_chunks(
    store: &web_sys::IdbObjectStore,
    wanted: Vec<(StoreName, usize)>,
) -> StorageResult<ChunkRequests> {
    let mut requests: ChunkRequests = Vec::with_capacity(wanted.len());
    for (s, n) in wanted {
        let request = store
            .get(&JsValue::from_str(&snap::chunk_key(s, n)))
            .map_err(|e| dom_error(e, "checking for changes"))?;
        requests.push(((s, n), Box::pin(request_result(request)?)));
    }
    Ok(requests)
}

async fn chunks_read(
    requests: ChunkRequests,
) -> StorageResult<BTreeMap<(StoreName, usize), Vec<u8>>> {
    let mut out = BTreeMap::new();
    for (at, request) in requests {
        let value = request
            .await
            .map_err(|e| dom_error(e, "checking for changes"))?;
        if let Some(chunk) = rows_of(&value).filter(|b| snap::is_chunk(b)) {
            out.insert(at, chunk);
        }
    }
    Ok(out)
}

/// Phase 1 of a commit that changes the snapshot: the chunks the records
/// `keys` are in. When the snapshot was never built (no `meta`: a new
/// database, an import into an empty desk) and a covered store is empty,
/// the batch's writes are all of that store: it is patched as emptied, so
/// the commit writes every chunk and `meta`, and the first list read needs
/// no rebuild.
pub(super) async fn read_for_patch(
    snapshot: web_sys::IdbObjectStore,
    records: Vec<(StoreName, web_sys::IdbObjectStore)>,
    mut patch: Patch,
    keys: Vec<(StoreName, String)>,
) -> StorageResult<(Patch, BTreeMap<(StoreName, usize), Vec<u8>>)> {
    let meta = request_result(
        snapshot
            .get(&JsValue::from_str(META_KEY))
            .map_err(|e| dom_error(e, "checking for changes"))?,
    )?;
    let wanted = patch.chunks_of(keys.iter().map(|(s, k)| (*s, k.as_str())));
    // Both read at once; every request is awaited (its callbacks must
    // outlive it).
    let chunks = ask_chunks(&snapshot, wanted)?;
    let meta = meta.await;
    let chunks = chunks_read(chunks).await?;
    let meta = meta.map_err(|e| dom_error(e, "checking for changes"))?;
    // Counted only when the snapshot was never built: `count()` walks the
    // whole store (100,000 licenses on each save otherwise).
    if !is_current_meta(&meta) {
        for (store, raw) in &records {
            if patch.cleared.contains(store) {
                continue;
            }
            let count = request_result(
                raw.count()
                    .map_err(|e| dom_error(e, "checking for changes"))?,
            )?
            .await
            .map_err(|e| dom_error(e, "checking for changes"))?;
            if count.as_f64() == Some(0.0) {
                patch.cleared.push(*store);
            }
        }
    }
    Ok((patch, chunks))
}

/// Phase 2 of a commit: puts the patched chunks (and `meta` when they make
/// a whole store: it was emptied), not awaited.
pub(super) fn put_chunks(
    store: &web_sys::IdbObjectStore,
    chunks: BTreeMap<(StoreName, usize), Vec<u8>>,
    whole: bool,
) -> StorageResult<()> {
    for ((s, n), chunk) in chunks {
        let value = chunk_value(&snap::chunk_key(s, n), &chunk)?;
        store
            .put(&value)
            .map_err(|e| dom_error(e, "saving the list snapshot"))?;
    }
    if whole {
        store
            .put(&meta_value()?)
            .map_err(|e| dom_error(e, "saving the list snapshot"))?;
    }
    Ok(())
}

impl IdbRepository {
    /// Whether the database has the list snapshot (schema v6 and later).
    pub(super) fn has_snapshot(&self) -> bool {
        self.version() >= 6
    }

    fn snapshot_tx<T: Record>(
        &self,
        mode: TransactionMode,
    ) -> StorageResult<indexed_db_futures::transaction::Transaction<'_>> {
        self.check_open()?;
        self.database()
            .transaction([T::STORE.as_str(), SNAPSHOT_STORE].as_slice())
            .with_mode(mode)
            .build()
            .map_err(ctx("reading"))
    }

    /// `T`'s chunks as stored, if `meta` says they were built.
    async fn stored_chunks<T: Record>(&self) -> StorageResult<(Option<Vec<Vec<u8>>>, u64)> {
        let tx = self.snapshot_tx::<T>(TransactionMode::Readonly)?;
        let records = tx.object_store(T::STORE.as_str()).map_err(ctx("reading"))?;
        let snapshot = tx.object_store(SNAPSHOT_STORE).map_err(ctx("reading"))?;
        let count = request_result(
            records
                .as_sys()
                .count()
                .map_err(|e| dom_error(e, "counting"))?,
        )?;
        let all = request_result(
            snapshot
                .as_sys()
                .get_all()
                .map_err(|e| dom_error(e, "reading"))?,
        )?;
        let count = count.await.map_err(|e| dom_error(e, "counting"))?;
        let all: Array = all
            .await
            .map_err(|e| dom_error(e, "reading"))?
            .unchecked_into();
        let count = count.as_f64().unwrap_or(-1.0);
        let prefix = format!("{}/", T::STORE.as_str());
        let mut meta = false;
        let mut chunks = Vec::with_capacity(snap::CHUNKS);
        for value in all.iter() {
            match codec::key_of(&value) {
                Some(key) if key == META_KEY => meta = is_current_meta(&value),
                Some(key) if key.starts_with(&prefix) => match rows_of(&value) {
                    Some(bytes) => chunks.push(bytes),
                    None => return Ok((None, 0)),
                },
                _ => {}
            }
        }
        let count = if count >= 0.0 { count as u64 } else { u64::MAX };
        Ok((meta.then_some(chunks), count))
    }

    /// [`Repository::visit_listed`] in IndexedDB: one `getAll` of the
    /// snapshot, or a rebuild when it is missing or disagrees.
    pub(super) async fn visit_snapshot<T: Listed>(
        &self,
        visit: &mut dyn FnMut(Stored<T::Entry>),
    ) -> StorageResult<Vec<DamagedRecord>> {
        self.check_stop()?;
        let stored = self.stored_chunks::<T>().await?;
        // Left page: the 100,000 entries are not decoded.
        self.check_stop()?;
        // An empty store with no snapshot yet: nothing to list, and nothing
        // written (a desk that was only looked at stays untouched; the first
        // commit into the store builds the snapshot whole).
        if let (None, 0) = stored {
            return Ok(Vec::new());
        }
        if let (Some(chunks), count) = stored {
            let entries: Option<u64> = chunks
                .iter()
                .map(|b| snap::count_entries(b))
                .sum::<Option<u64>>();
            if entries == Some(count) {
                let mut damaged = Vec::new();
                snap::read_chunks::<T>(chunks.iter().map(Vec::as_slice), visit, &mut damaged);
                return Ok(damaged);
            }
        }
        self.rebuild_snapshot::<T>(visit).await
    }

    /// Builds `T`'s chunks again from its store, in one readwrite
    /// transaction, handing each readable record to `visit`.
    async fn rebuild_snapshot<T: Listed>(
        &self,
        visit: &mut dyn FnMut(Stored<T::Entry>),
    ) -> StorageResult<Vec<DamagedRecord>> {
        let tx = self.snapshot_tx::<T>(TransactionMode::Readwrite)?;
        let records = tx.object_store(T::STORE.as_str()).map_err(ctx("reading"))?;
        let snapshot = tx.object_store(SNAPSHOT_STORE).map_err(ctx("reading"))?;
        let raw_store: &web_sys::IdbObjectStore = records.as_sys();
        let mut entries = Vec::new();
        let mut damaged = Vec::new();
        let mut next = Some(get_all_chunk(raw_store, None)?);
        while let Some(request) = next.take() {
            let chunk = request.await?;
            if chunk.length() == GET_ALL_CHUNK {
                next = Some(get_all_chunk(raw_store, Some(&last_key(&chunk)?))?);
            }
            for value in chunk {
                let key = codec::key_of(&value).unwrap_or_else(|| "(no id)".to_string());
                let rev = codec::rev_of(&value).unwrap_or(0);
                let body = match codec::readable::<T>(value) {
                    Ok(stored) => {
                        let bytes = snap::entry_of(&key, &stored.record);
                        visit(Stored {
                            rev: stored.rev,
                            record: stored.record.entry(),
                        });
                        bytes
                    }
                    Err(d) => {
                        damaged.push(d.clone());
                        Err(d)
                    }
                };
                entries.push((key, rev, body));
            }
        }
        let chunks = snap::build_chunks(entries);
        let raw_snapshot: &web_sys::IdbObjectStore = snapshot.as_sys();
        for (n, chunk) in chunks.iter().enumerate() {
            let value = chunk_value(&snap::chunk_key(T::STORE, n), chunk)?;
            raw_snapshot
                .put(&value)
                .map_err(|e| dom_error(e, "saving the list snapshot"))?;
        }
        raw_snapshot
            .put(&meta_value()?)
            .map_err(|e| dom_error(e, "saving the list snapshot"))?;
        drop((records, snapshot));
        tx.commit().await.map_err(ctx("saving the list snapshot"))?;
        Ok(damaged)
    }

    pub(super) async fn snapshot_entries_of<T: Record>(
        &self,
    ) -> StorageResult<Option<Vec<(String, u64)>>> {
        if !snap::covers(T::STORE) || !self.has_snapshot() {
            return Ok(None);
        }
        let Some(chunks) = self.stored_chunks::<T>().await?.0 else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for bytes in &chunks {
            snap::visit_chunk(bytes, |key, rev, _| out.push((key.to_string(), rev)));
        }
        out.sort();
        Ok(Some(out))
    }

    pub(super) async fn forget_snapshot_meta(&self) -> StorageResult<()> {
        if !self.has_snapshot() {
            return Ok(());
        }
        self.check_open()?;
        let tx = self
            .database()
            .transaction(SNAPSHOT_STORE)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(ctx("saving the list snapshot"))?;
        let store = tx
            .object_store(SNAPSHOT_STORE)
            .map_err(ctx("saving the list snapshot"))?;
        store
            .as_sys()
            .delete(&JsValue::from_str(META_KEY))
            .map_err(|e| dom_error(e, "saving the list snapshot"))?;
        drop(store);
        tx.commit().await.map_err(ctx("saving the list snapshot"))
    }

    /// A record the scan found damaged that the snapshot holds as readable
    /// (changed outside the app): the next list read builds it again.
    pub(super) async fn snapshot_check_damaged(
        &self,
        damaged: &[DamagedRecord],
    ) -> StorageResult<()> {
        let covered: Vec<&DamagedRecord> =
            damaged.iter().filter(|d| snap::covers(d.store)).collect();
        if covered.is_empty() || !self.has_snapshot() {
            return Ok(());
        }
        let wanted: Vec<(StoreName, usize)> = covered
            .iter()
            .map(|d| (d.store, snap::chunk_of(&d.key)))
            .collect();
        let chunks = {
            self.check_open()?;
            let tx = self
                .database()
                .transaction(SNAPSHOT_STORE)
                .build()
                .map_err(ctx("reading"))?;
            let store = tx.object_store(SNAPSHOT_STORE).map_err(ctx("reading"))?;
            read_chunks_for_patch(store.as_sys().clone(), wanted).await?
        };
        let stale = covered.iter().any(|d| {
            chunks
                .get(&(d.store, snap::chunk_of(&d.key)))
                .and_then(|c| snap::find_entry(c, &d.key))
                .is_some_and(|(_, entry)| matches!(entry, snap::EntryRef::Record(_)))
        });
        if stale {
            self.forget_snapshot_meta().await?;
        }
        Ok(())
    }
}
