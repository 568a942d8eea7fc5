//! The licenses list's snapshot (schema v6): every license in a few large
//! binary values, so the list reads 100,000 licenses with one `getAll` of
//! 64 values instead of 100,000 objects (70× faster measured: docs/perf.md,
//! "What raw IndexedDB can do for a snapshot").
//!
//! The `list_rows` store holds one value per chunk, `{ id: "licenses/NN",
//! rows: <bytes> }`, a license's chunk a hash of its key, and `{ id: "meta" }`
//! once every chunk was built. Each entry of a chunk is a license's key,
//! revision and JSON text, or the reason it can't be read and its stored
//! value. The one commit path patches the chunks a batch touches in the
//! batch's own transaction (both repositories), so they can't disagree with
//! the licenses after a failure; a read that finds no `meta`, or fewer or
//! more entries than licenses, builds them again from the store.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::damaged::DamagedRecord;
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

/// A record's entry: its JSON text, or why it can't be read and its
/// stored value (listed as damaged, as the list reports it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Body {
    Record(Vec<u8>),
    Damaged { reason: String, raw: String },
}

/// One chunk: key -> (revision, entry).
pub(crate) type Chunk = BTreeMap<String, (u64, Body)>;

/// A record's entry bytes.
pub(crate) fn record_bytes<T: Serialize>(record: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(record).map_err(|e| e.to_string())
}

const FORMAT: u8 = 1;

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// The stored bytes of `chunk`.
pub(crate) fn encode_chunk(chunk: &Chunk) -> Vec<u8> {
    let size: usize = chunk
        .iter()
        .map(|(k, (_, b))| {
            k.len()
                + 17
                + match b {
                    Body::Record(bytes) => bytes.len() + 4,
                    Body::Damaged { reason, raw } => reason.len() + raw.len() + 8,
                }
        })
        .sum();
    let mut out = Vec::with_capacity(size + 1);
    out.push(FORMAT);
    for (key, (rev, body)) in chunk {
        put_bytes(&mut out, key.as_bytes());
        out.extend_from_slice(&rev.to_le_bytes());
        match body {
            Body::Record(bytes) => {
                out.push(0);
                put_bytes(&mut out, bytes);
            }
            Body::Damaged { reason, raw } => {
                out.push(1);
                put_bytes(&mut out, reason.as_bytes());
                put_bytes(&mut out, raw.as_bytes());
            }
        }
    }
    out
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

    fn text(&mut self) -> Option<String> {
        String::from_utf8(self.slice()?.to_vec()).ok()
    }
}

/// Calls `each` with every entry of the stored bytes of a chunk, in key
/// order. `None` when the bytes are not a chunk this build wrote (the
/// snapshot is then built again).
pub(crate) fn visit_chunk(
    bytes: &[u8],
    mut each: impl FnMut(String, u64, EntryRef<'_>),
) -> Option<()> {
    let mut reader = Reader { bytes };
    if reader.take(1)? != [FORMAT] {
        return None;
    }
    while !reader.bytes.is_empty() {
        let key = reader.text()?;
        let rev = reader.u64()?;
        match reader.take(1)? {
            [0] => each(key, rev, EntryRef::Record(reader.slice()?)),
            [1] => {
                let reason = reader.text()?;
                let raw = reader.text()?;
                each(key, rev, EntryRef::Damaged { reason, raw });
            }
            _ => return None,
        }
    }
    Some(())
}

/// How many entries a chunk's stored bytes hold (`None`: not a chunk).
pub(crate) fn count_entries(bytes: &[u8]) -> Option<u64> {
    let mut n = 0;
    visit_chunk(bytes, |_, _, _| n += 1)?;
    Some(n)
}

/// An entry as read from a chunk (a record's bytes are not copied).
pub(crate) enum EntryRef<'a> {
    Record(&'a [u8]),
    Damaged { reason: String, raw: String },
}

/// The stored bytes of a chunk, as a map to patch.
pub(crate) fn decode_chunk(bytes: &[u8]) -> Option<Chunk> {
    let mut chunk = Chunk::new();
    visit_chunk(bytes, |key, rev, entry| {
        let body = match entry {
            EntryRef::Record(b) => Body::Record(b.to_vec()),
            EntryRef::Damaged { reason, raw } => Body::Damaged { reason, raw },
        };
        chunk.insert(key, (rev, body));
    })?;
    Some(chunk)
}

/// A record written by a batch: its store, key and new (revision, entry
/// bytes), `None` when deleted.
pub(crate) type Write = (StoreName, String, Option<(u64, Vec<u8>)>);

/// What a committed batch changes in the snapshot: for each written record
/// of a covered store, its new entry (`None`: deleted).
#[derive(Debug, Default)]
pub(crate) struct Patch {
    /// Covered stores the batch empties first.
    pub cleared: Vec<StoreName>,
    pub writes: Vec<Write>,
}

impl Patch {
    /// An empty patch for a batch that empties `clears` first.
    pub fn emptying(clears: &[StoreName]) -> Patch {
        Patch {
            cleared: clears.iter().copied().filter(|s| covers(*s)).collect(),
            writes: Vec::new(),
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn is_empty(&self) -> bool {
        self.cleared.is_empty() && self.writes.is_empty()
    }

    /// The chunks to read before patching: those written into, in a store
    /// not emptied (an emptied store's chunks all start empty).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn chunks_to_read(&self) -> Vec<(StoreName, usize)> {
        self.chunks_of(
            self.writes
                .iter()
                .map(|(store, key, _)| (*store, key.as_str())),
        )
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

    /// The chunks to write: `read` are the chunks [`chunks_to_read`] found
    /// (a missing or unreadable one starts empty: its entries are then
    /// counted short, and the next read builds the snapshot again).
    pub fn apply(
        self,
        mut read: BTreeMap<(StoreName, usize), Chunk>,
    ) -> BTreeMap<(StoreName, usize), Chunk> {
        for store in &self.cleared {
            for n in 0..CHUNKS {
                read.insert((*store, n), Chunk::new());
            }
        }
        for (store, key, entry) in self.writes {
            let chunk = read.entry((store, chunk_of(&key))).or_default();
            match entry {
                Some((rev, bytes)) => {
                    chunk.insert(key, (rev, Body::Record(bytes)));
                }
                None => {
                    chunk.remove(&key);
                }
            }
        }
        read
    }
}

/// Builds every chunk of a covered store from its stored values, given as
/// (key, revision, the record or why it can't be read).
pub(crate) fn build_chunks(
    entries: impl IntoIterator<Item = (String, u64, Result<Vec<u8>, DamagedRecord>)>,
) -> Vec<Chunk> {
    let mut chunks = vec![Chunk::new(); CHUNKS];
    for (key, rev, body) in entries {
        let body = match body {
            Ok(bytes) => Body::Record(bytes),
            Err(d) => Body::Damaged {
                reason: d.reason,
                raw: d.raw,
            },
        };
        if let Some(chunk) = chunks.get_mut(chunk_of(&key)) {
            chunk.insert(key, (rev, body));
        }
    }
    chunks
}

/// Reads every entry of `chunks` (the stored bytes of one store's chunks):
/// records to `visit`, the damaged ones returned. `None` when a chunk is
/// not one this build wrote; else the number of entries.
pub(crate) fn read_chunks<'c, T: Record + DeserializeOwned>(
    chunks: impl IntoIterator<Item = &'c [u8]>,
    visit: &mut dyn FnMut(Stored<T>),
    damaged: &mut Vec<DamagedRecord>,
) -> Option<u64> {
    let mut n = 0;
    for bytes in chunks {
        visit_chunk(bytes, |key, rev, entry| {
            n += 1;
            match entry {
                EntryRef::Record(b) => match serde_json::from_slice::<T>(b) {
                    Ok(record) => visit(Stored { rev, record }),
                    Err(e) => damaged.push(DamagedRecord {
                        store: T::STORE,
                        key,
                        reason: e.to_string(),
                        raw: String::from_utf8_lossy(b).into_owned(),
                    }),
                },
                EntryRef::Damaged { reason, raw } => damaged.push(DamagedRecord {
                    store: T::STORE,
                    key,
                    reason,
                    raw,
                }),
            }
        })?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_reads_back_as_written() {
        let mut chunk = Chunk::new();
        chunk.insert("a".into(), (3, Body::Record(b"{\"x\":1}".to_vec())));
        chunk.insert(
            "b".into(),
            (
                1,
                Body::Damaged {
                    reason: "bad".into(),
                    raw: "{}".into(),
                },
            ),
        );
        assert_eq!(decode_chunk(&encode_chunk(&chunk)), Some(chunk));
        assert_eq!(
            decode_chunk(&encode_chunk(&Chunk::new())),
            Some(Chunk::new())
        );
        assert_eq!(decode_chunk(&[9, 1, 2]), None);
        assert_eq!(decode_chunk(&[FORMAT, 1, 0, 0]), None);
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
