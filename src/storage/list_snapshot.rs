//! The licenses list's snapshot (schema v6): every license in a few large
//! binary values, so the list reads 100,000 licenses with one `getAll` of
//! 64 values instead of 100,000 objects (70× faster measured: docs/perf.md,
//! "What raw IndexedDB can do for a snapshot").
//!
//! The `list_rows` store holds one value per chunk, `{ id: "licenses/NN",
//! rows: <bytes> }`, a license's chunk a hash of its key, and `{ id: "meta" }`
//! once every chunk was built (with the chunks' [`FORMAT`]). Each entry of
//! a chunk is a license's key, revision and list entry (`listed.rs`: the
//! row's fields in binary), or the reason it can't be read and its stored
//! value. A commit patches a chunk's bytes without decoding its entries. The one commit path patches the chunks a batch touches in the
//! batch's own transaction (both repositories), so they can't disagree with
//! the licenses after a failure; a read that finds no `meta`, or fewer or
//! more entries than licenses, builds them again from the store.

use std::collections::{BTreeMap, HashMap};

use super::damaged::DamagedRecord;
use super::listed::Listed;
use super::record::{Record, StoreName, Stored};

/// The object store of the snapshot (schema v6).
pub(crate) const SNAPSHOT_STORE: &str = "list_rows";
/// The value whose presence says every chunk was built.
pub(crate) const META_KEY: &str = "meta";
/// The field of a chunk value holding its bytes.
pub(crate) const ROWS_FIELD: &str = "rows";
/// Chunks per store: at 100,000 licenses each is a few hundred KB, the size
/// IndexedDB reads fastest (values under ~100 KB are much slower per byte).
pub(crate) const CHUNKS: usize = 64;

/// Whether `store`'s records are kept in the snapshot.
pub(crate) const fn covers(store: StoreName) -> bool {
    matches!(store, StoreName::Licenses)
}

/// The chunk holding `key`'s entry (FNV-1a: stable across builds).
pub(crate) fn chunk_of(key: &str) -> usize {
    let mut hash: u32 = 0x811c_9dc5;
    for b in key.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash as usize % CHUNKS
}

/// The stored key of chunk `n` of `store`.
pub(crate) fn chunk_key(store: StoreName, n: usize) -> String {
    format!("{}/{n:02}", store.as_str())
}

/// The format of the chunks this build writes, also kept in `meta`: a
/// snapshot of another format (version 1 held each license's JSON text) is
/// built again by the first read, with no schema step.
pub(crate) const FORMAT: u8 = 2;
/// The field of `meta` holding [`FORMAT`].
pub(crate) const FORMAT_FIELD: &str = "format";

/// A chunk with no entry.
pub(crate) fn empty_chunk() -> Vec<u8> {
    vec![FORMAT]
}

/// Whether `bytes` are a chunk of this build's format.
pub(crate) fn is_chunk(bytes: &[u8]) -> bool {
    bytes.first() == Some(&FORMAT)
}

/// An entry as read from a chunk (nothing copied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryRef<'a> {
    /// The record's list entry ([`Record::list_entry`]).
    Record(&'a [u8]),
    /// Why the record can't be read, and its stored value.
    Damaged { reason: &'a str, raw: &'a str },
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Appends one entry to a chunk's bytes.
pub(crate) fn push_entry(out: &mut Vec<u8>, key: &str, rev: u64, entry: EntryRef<'_>) {
    put_bytes(out, key.as_bytes());
    out.extend_from_slice(&rev.to_le_bytes());
    match entry {
        EntryRef::Record(bytes) => {
            out.push(0);
            put_bytes(out, bytes);
        }
        EntryRef::Damaged { reason, raw } => {
            out.push(1);
            put_bytes(out, reason.as_bytes());
            put_bytes(out, raw.as_bytes());
        }
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn slice(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.slice()?).ok()
    }

    /// The next entry and its whole span of bytes.
    fn entry(&mut self) -> Option<(&'a str, u64, EntryRef<'a>, &'a [u8])> {
        let start = self.bytes;
        let key = self.text()?;
        let rev = self.u64()?;
        let entry = match self.take(1)? {
            [0] => EntryRef::Record(self.slice()?),
            [1] => EntryRef::Damaged {
                reason: self.text()?,
                raw: self.text()?,
            },
            _ => return None,
        };
        let span = start.get(..start.len() - self.bytes.len())?;
        Some((key, rev, entry, span))
    }
}

/// Calls `each` with every entry of the stored bytes of a chunk. `None`
/// when the bytes are not a chunk of this format (the snapshot is then
/// built again).
pub(crate) fn visit_chunk<'a>(
    bytes: &'a [u8],
    mut each: impl FnMut(&'a str, u64, EntryRef<'a>),
) -> Option<()> {
    if !is_chunk(bytes) {
        return None;
    }
    let mut reader = Reader {
        bytes: bytes.get(1..)?,
    };
    while !reader.bytes.is_empty() {
        let (key, rev, entry, _) = reader.entry()?;
        each(key, rev, entry);
    }
    Some(())
}

/// How many entries a chunk's stored bytes hold (`None`: not a chunk).
pub(crate) fn count_entries(bytes: &[u8]) -> Option<u64> {
    let mut n = 0;
    visit_chunk(bytes, |_, _, _| n += 1)?;
    Some(n)
}

/// `key`'s entry in a chunk's stored bytes, if there.
pub(crate) fn find_entry<'a>(bytes: &'a [u8], key: &str) -> Option<(u64, EntryRef<'a>)> {
    let mut found = None;
    visit_chunk(bytes, |k, rev, entry| {
        if k == key {
            found = Some((rev, entry));
        }
    })?;
    found
}

/// A record's new (revision, entry bytes) in a chunk, `None`: deleted.
pub(crate) type EntryWrite<'a> = (&'a str, Option<(u64, &'a [u8])>);

/// A chunk's bytes with `writes` made: every other entry's bytes copied as
/// they are (nothing decoded), the written ones left out and their new
/// entries appended. A missing or unreadable chunk starts empty.
pub(crate) fn patch_chunk(old: Option<&[u8]>, writes: &[EntryWrite<'_>]) -> Vec<u8> {
    let old = old.filter(|b| is_chunk(b)).unwrap_or(&[FORMAT]);
    let added: usize = writes
        .iter()
        .map(|(k, w)| w.map_or(0, |(_, b)| k.len() + b.len() + 17))
        .sum();
    let mut out = Vec::with_capacity(old.len() + added);
    out.push(FORMAT);
    // Each key's last write (a record written twice in one batch: its last
    // write counts). A map, not a scan of `writes` per entry: an import of
    // 100,000 licenses writes about 1,600 per chunk.
    let last: HashMap<&str, usize> = writes
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (*k, i))
        .collect();
    let written = |key: &str| last.contains_key(key);
    let mut reader = Reader {
        bytes: old.get(1..).unwrap_or_default(),
    };
    while !reader.bytes.is_empty() {
        match reader.entry() {
            Some((key, _, _, span)) => {
                if !written(key) {
                    out.extend_from_slice(span);
                }
            }
            // Unreadable from here on: dropped, so counted short (rebuilt).
            None => break,
        }
    }
    for (i, (key, write)) in writes.iter().enumerate() {
        if let (true, Some((rev, bytes))) = (last.get(key) == Some(&i), write) {
            push_entry(&mut out, key, *rev, EntryRef::Record(bytes));
        }
    }
    out
}

/// The tag of a deletion in a [`Patch`]'s log (a chunk's entries use 0 and 1).
const DELETED: u8 = 2;

/// What a committed batch changes in the snapshot: for each written record
/// of a covered store, its new entry or its deletion, appended to its
/// chunk's log in the entries' own layout. One growing buffer per chunk,
/// not two allocations per entry: an import of 100,000 licenses holds 22 MB
/// of entries, not 30 (docs/perf.md).
#[derive(Debug, Default)]
pub(crate) struct Patch {
    /// Covered stores the batch empties first.
    pub cleared: Vec<StoreName>,
    logs: BTreeMap<(StoreName, usize), Vec<u8>>,
}

impl Patch {
    /// An empty patch for a batch that empties `clears` first.
    pub fn emptying(clears: &[StoreName]) -> Patch {
        Patch {
            cleared: clears.iter().copied().filter(|s| covers(*s)).collect(),
            logs: BTreeMap::new(),
        }
    }

    fn log(&mut self, store: StoreName, key: &str) -> &mut Vec<u8> {
        self.logs.entry((store, chunk_of(key))).or_default()
    }

    /// `key` of `store` now holds `entry` at `rev`.
    pub fn put(&mut self, store: StoreName, key: &str, rev: u64, entry: &[u8]) {
        push_entry(self.log(store, key), key, rev, EntryRef::Record(entry));
    }

    /// `key` of `store` was deleted.
    pub fn delete(&mut self, store: StoreName, key: &str) {
        let log = self.log(store, key);
        put_bytes(log, key.as_bytes());
        log.extend_from_slice(&0u64.to_le_bytes());
        log.push(DELETED);
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn is_empty(&self) -> bool {
        self.cleared.is_empty() && self.logs.is_empty()
    }

    /// The chunks to read before patching: those written into, in a store
    /// not emptied (an emptied store's chunks all start empty).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn chunks_to_read(&self) -> Vec<(StoreName, usize)> {
        self.logs
            .keys()
            .filter(|(store, _)| !self.cleared.contains(store))
            .copied()
            .collect()
    }

    /// [`chunks_to_read`](Patch::chunks_to_read) for the records `keys`.
    pub fn chunks_of<'k>(
        &self,
        keys: impl IntoIterator<Item = (StoreName, &'k str)>,
    ) -> Vec<(StoreName, usize)> {
        let mut out: Vec<(StoreName, usize)> = keys
            .into_iter()
            .filter(|(store, _)| !self.cleared.contains(store))
            .map(|(store, key)| (store, chunk_of(key)))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The chunks to write: `read` are the stored bytes of the chunks
    /// [`chunks_to_read`] found (a missing or unreadable one starts empty:
    /// its entries are then counted short, and the next read builds the
    /// snapshot again). Each chunk's log is let go once the chunk is built.
    pub fn apply(
        self,
        read: &BTreeMap<(StoreName, usize), Vec<u8>>,
    ) -> BTreeMap<(StoreName, usize), Vec<u8>> {
        let Patch { cleared, mut logs } = self;
        for store in &cleared {
            for n in 0..CHUNKS {
                logs.entry((*store, n)).or_default();
            }
        }
        logs.into_iter()
            .map(|(at, log)| {
                let old = if cleared.contains(&at.0) {
                    None
                } else {
                    read.get(&at).map(Vec::as_slice)
                };
                (at, patch_chunk(old, &log_writes(&log)))
            })
            .collect()
    }
}

/// The writes of a chunk's log, in the order made.
fn log_writes(log: &[u8]) -> Vec<EntryWrite<'_>> {
    let mut reader = Reader { bytes: log };
    let mut out = Vec::new();
    while !reader.bytes.is_empty() {
        let Some(key) = reader.text() else { break };
        let Some(rev) = reader.u64() else { break };
        match reader.take(1) {
            Some([0]) => match reader.slice() {
                Some(bytes) => out.push((key, Some((rev, bytes)))),
                None => break,
            },
            Some([DELETED]) => out.push((key, None)),
            _ => break,
        }
    }
    out
}

/// Builds every chunk of a covered store from its stored values, given as
/// (key, revision, the record's list entry or why it can't be read).
pub(crate) fn build_chunks(
    entries: impl IntoIterator<Item = (String, u64, Result<Vec<u8>, DamagedRecord>)>,
) -> Vec<Vec<u8>> {
    let mut chunks = vec![empty_chunk(); CHUNKS];
    for (key, rev, body) in entries {
        if let Some(chunk) = chunks.get_mut(chunk_of(&key)) {
            let entry = match &body {
                Ok(bytes) => EntryRef::Record(bytes),
                Err(d) => EntryRef::Damaged {
                    reason: &d.reason,
                    raw: &d.raw,
                },
            };
            push_entry(chunk, &key, rev, entry);
        }
    }
    chunks
}

/// A stored record's list entry, or why it has none.
pub(crate) fn entry_of<T: Record>(key: &str, record: &T) -> Result<Vec<u8>, DamagedRecord> {
    record.list_entry().ok_or_else(|| DamagedRecord {
        store: T::STORE,
        key: key.to_string(),
        reason: "it has no list entry".to_string(),
        raw: String::new(),
    })
}

/// Reads every entry of `chunks` (the stored bytes of one store's chunks):
/// records to `visit`, the damaged ones returned. `None` when a chunk is
/// not of this format; else the number of entries.
pub(crate) fn read_chunks<'c, T: Listed>(
    chunks: impl IntoIterator<Item = &'c [u8]>,
    visit: &mut dyn FnMut(Stored<T::Entry>),
    damaged: &mut Vec<DamagedRecord>,
) -> Option<u64> {
    let mut n = 0;
    for bytes in chunks {
        visit_chunk(bytes, |key, rev, entry| {
            n += 1;
            match entry {
                EntryRef::Record(b) => match T::read_entry(b) {
                    Ok(record) => visit(Stored { rev, record }),
                    Err(reason) => damaged.push(DamagedRecord {
                        store: T::STORE,
                        key: key.to_string(),
                        reason,
                        raw: String::from_utf8_lossy(b).into_owned(),
                    }),
                },
                EntryRef::Damaged { reason, raw } => damaged.push(DamagedRecord {
                    store: T::STORE,
                    key: key.to_string(),
                    reason: reason.to_string(),
                    raw: raw.to_string(),
                }),
            }
        })?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(bytes: &[u8]) -> Option<Vec<(String, u64, String)>> {
        let mut out = Vec::new();
        visit_chunk(bytes, |k, rev, e| {
            let body = match e {
                EntryRef::Record(b) => String::from_utf8_lossy(b).into_owned(),
                EntryRef::Damaged { reason, raw } => format!("damaged {reason} {raw}"),
            };
            out.push((k.to_string(), rev, body));
        })?;
        Some(out)
    }

    fn e(k: &str, rev: u64, body: &str) -> (String, u64, String) {
        (k.to_string(), rev, body.to_string())
    }

    #[test]
    fn a_chunk_reads_back_as_written() {
        let mut chunk = empty_chunk();
        push_entry(&mut chunk, "a", 3, EntryRef::Record(b"x1"));
        push_entry(
            &mut chunk,
            "b",
            1,
            EntryRef::Damaged {
                reason: "bad",
                raw: "{}",
            },
        );
        assert_eq!(
            entries(&chunk),
            Some(vec![e("a", 3, "x1"), e("b", 1, "damaged bad {}")])
        );
        assert_eq!(count_entries(&chunk), Some(2));
        assert_eq!(find_entry(&chunk, "a"), Some((3, EntryRef::Record(b"x1"))));
        assert_eq!(find_entry(&chunk, "c"), None);
        assert_eq!(entries(&empty_chunk()), Some(vec![]));
        // Version 1's chunks, or anything else, are not read.
        assert_eq!(entries(&[1, 1, 0, 0, 0, b'a']), None);
        assert_eq!(entries(&[FORMAT, 1, 0, 0]), None);
    }

    #[test]
    fn a_patch_copies_the_other_entries_and_replaces_the_written_ones() {
        let mut chunk = empty_chunk();
        for (k, rev) in [("a", 1), ("b", 4), ("c", 2)] {
            push_entry(&mut chunk, k, rev, EntryRef::Record(k.as_bytes()));
        }
        let patched = patch_chunk(
            Some(&chunk),
            &[
                ("b", Some((5, b"B".as_slice()))),
                ("c", None),
                ("d", Some((1, b"d".as_slice()))),
                ("d", Some((2, b"D".as_slice()))),
            ],
        );
        assert_eq!(
            entries(&patched),
            Some(vec![e("a", 1, "a"), e("b", 5, "B"), e("d", 2, "D")])
        );
        // An old-format or missing chunk starts empty.
        for old in [None, Some([1u8, 9, 9].as_slice())] {
            assert_eq!(
                entries(&patch_chunk(old, &[("x", Some((1, b"x".as_slice())))])),
                Some(vec![e("x", 1, "x")])
            );
        }
    }

    #[test]
    fn a_batch_patch_applies_its_writes_to_their_chunks_in_order() {
        let lic = StoreName::Licenses;
        // Keys that share a chunk, and one in another.
        let (a, b) = ("a0B000000000001XYZ", "a0B000000000002XYZ");
        let same = (3..500)
            .map(|i| format!("a0B000000{i:06}XYZ"))
            .find(|k| chunk_of(k) == chunk_of(a))
            .unwrap();
        assert_ne!(chunk_of(a), chunk_of(b), "pick other test keys");
        let mut stored = empty_chunk();
        push_entry(&mut stored, a, 1, EntryRef::Record(b"old a"));
        push_entry(&mut stored, &same, 7, EntryRef::Record(b"kept"));
        let read = BTreeMap::from([((lic, chunk_of(a)), stored)]);

        let mut patch = Patch::emptying(&[]);
        patch.put(lic, a, 2, b"new a");
        patch.put(lic, b, 1, b"b");
        patch.delete(lic, b);
        patch.put(lic, b, 3, b"b again");
        assert_eq!(
            patch.chunks_to_read(),
            vec![
                (lic, chunk_of(a).min(chunk_of(b))),
                (lic, chunk_of(a).max(chunk_of(b)))
            ]
        );
        let chunks = patch.apply(&read);
        assert_eq!(chunks.len(), 2);
        assert_eq!(
            entries(&chunks[&(lic, chunk_of(a))]),
            Some(vec![e(&same, 7, "kept"), e(a, 2, "new a")])
        );
        assert_eq!(
            entries(&chunks[&(lic, chunk_of(b))]),
            Some(vec![e(b, 3, "b again")])
        );

        // A deletion is the last word too; an emptied store gets every chunk.
        let mut patch = Patch::emptying(&[lic]);
        patch.put(lic, a, 1, b"a");
        patch.delete(lic, a);
        assert!(patch.chunks_to_read().is_empty());
        let chunks = patch.apply(&read);
        assert_eq!(chunks.len(), CHUNKS);
        assert!(chunks.values().all(|c| entries(c) == Some(vec![])));
    }

    #[test]
    fn keys_spread_over_every_chunk() {
        let mut used = vec![0usize; CHUNKS];
        for i in 0..10_000 {
            used[chunk_of(&format!("a0B000000{i:06}XYZ"))] += 1;
        }
        assert!(used.iter().all(|n| *n > 50), "{used:?}");
    }
}
