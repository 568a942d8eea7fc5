//! How a record looks in IndexedDB.
//!
//! Each record is stored as a plain JS object
//! `{ id, rev, data: <the record, serialized by serde>, ix_<index>: <value>, ... }`.
//! Index fields are top-level strings computed by the record's
//! `Record::index_value`, so renaming a domain field never breaks an index.
//! Records go to JS objects directly through `serde-wasm-bindgen` (no JSON
//! text in between).

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;

use super::damaged::{DamagedRecord, Readable};
use super::error::StorageError;
use super::record::{Record, StoreName, Stored};
use super::repo::RawRecord;

pub(crate) const F_ID: &str = "id";
pub(crate) const F_REV: &str = "rev";

struct Envelope<'a, T: Record> {
    id: &'a str,
    rev: u64,
    data: &'a T,
}

impl<T: Record> Serialize for Envelope<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let defs = T::STORE.indexes();
        let mut s = serializer.serialize_struct("Stored", 3 + defs.len())?;
        s.serialize_field(F_ID, self.id)?;
        s.serialize_field(F_REV, &self.rev)?;
        s.serialize_field("data", self.data)?;
        for def in defs {
            if let Some(value) = self.data.index_value(def.name) {
                s.serialize_field(def.key_path, &value)?;
            }
        }
        s.end()
    }
}

fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true)
}

/// The stored JS object for `record` at revision `rev`.
pub(crate) fn encode<T: Record>(
    record: &T,
    id: &str,
    rev: u64,
) -> Result<JsValue, serde_wasm_bindgen::Error> {
    Envelope {
        id,
        rev,
        data: record,
    }
    .serialize(&serializer())
}

/// The version-1 stored object (no index fields), for migration tests.
#[doc(hidden)]
pub fn encode_v1<T: Record>(record: &T, rev: u64) -> Result<JsValue, StorageError> {
    #[derive(Serialize)]
    struct V1<'a, T> {
        id: String,
        rev: u64,
        data: &'a T,
    }
    V1 {
        id: record.key(),
        rev,
        data: record,
    }
    .serialize(&serializer())
    .map_err(|e| StorageError::Other(format!("could not encode a v1 record: {e}")))
}

#[derive(Deserialize)]
#[serde(bound = "T: Record")]
struct Decoded<T> {
    rev: u64,
    data: T,
}

/// The record stored as `value` (an object written by [`encode`]).
pub(crate) fn decode<T: Record>(value: JsValue) -> Result<Stored<T>, StorageError> {
    match serde_wasm_bindgen::from_value::<Decoded<T>>(value.clone()) {
        Ok(d) => Ok(Stored {
            rev: d.rev,
            record: d.data,
        }),
        Err(e) => Err(StorageError::Corrupt {
            what: T::STORE.label(),
            id: key_of(&value).unwrap_or_else(|| "(no id)".to_string()),
            detail: e.to_string(),
        }),
    }
}

/// A record's `data` given as JSON text (a backup entry, a raw stored value),
/// decoded the way reads decode it: in the browser `JSON.parse`, then the
/// same `serde-wasm-bindgen` decoding as [`decode`], so a record is damaged
/// in a backup exactly when the lists find it damaged, and the wasm carries
/// one decoder per record type, not two. Natively (tests, the in-memory
/// repository) `serde_json` stands in for the browser.
pub(crate) fn record_from_json<T: Record>(text: &str) -> Result<T, String> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).map_err(|e| {
            e.dyn_ref::<js_sys::Error>().map_or_else(
                || "it is not JSON".to_string(),
                |e| String::from(e.message()),
            )
        })?;
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str::<serde_json::Value>(text)
            .and_then(T::deserialize)
            .map_err(|e| e.to_string())
    }
}

/// Adds the stored `value` to `read`: as a record, or as damaged (with the
/// reason and the value as JSON text) when it can't be read.
pub(crate) fn read_into<T: Record>(read: &mut Readable<T>, value: JsValue) {
    match readable::<T>(value) {
        Ok(stored) => read.records.push(stored),
        Err(d) => read.damaged.push(d),
    }
}

/// The stored `value` as a record, or as damaged (with the reason and the
/// value as JSON text) when it can't be read.
pub(crate) fn readable<T: Record>(value: JsValue) -> Result<Stored<T>, DamagedRecord> {
    match serde_wasm_bindgen::from_value::<Decoded<T>>(value.clone()) {
        Ok(d) => Ok(Stored {
            rev: d.rev,
            record: d.data,
        }),
        Err(e) => Err(damaged(T::STORE, &value, e.to_string())),
    }
}

/// The stored `value` as a damaged record of `store`.
pub(crate) fn damaged(store: StoreName, value: &JsValue, reason: String) -> DamagedRecord {
    DamagedRecord {
        store,
        key: key_of(value).unwrap_or_else(|| "(no id)".to_string()),
        reason,
        raw: js_sys::JSON::stringify(value)
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_else(|| "(not representable as JSON)".to_string()),
    }
}

/// The `id` field of a stored object.
pub(crate) fn key_of(value: &JsValue) -> Option<String> {
    js_sys::Reflect::get(value, &JsValue::from_str(F_ID))
        .ok()
        .and_then(|v| v.as_string())
}

/// The `rev` field of a stored object.
pub(crate) fn rev_of(value: &JsValue) -> Option<u64> {
    js_sys::Reflect::get(value, &JsValue::from_str(F_REV))
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|r| r.is_finite() && *r >= 0.0 && r.fract() == 0.0)
        .map(|r| r as u64)
}

/// Re-encodes a stored object of `T` with the current index fields (the
/// migration that added indexes backfills them with this).
pub(crate) fn reencode<T: Record>(value: JsValue) -> Result<JsValue, StorageError> {
    let stored = decode::<T>(value)?;
    let id = stored.record.key();
    encode(&stored.record, &id, stored.rev).map_err(|e| StorageError::Corrupt {
        what: T::STORE.label(),
        id,
        detail: e.to_string(),
    })
}

/// A stored value as it is: its key, revision and the JSON text of its
/// `data`, or of the whole value when it is not an envelope. Never fails:
/// whatever the browser holds is kept (values JSON can't express, such as a
/// `Blob` a foreign writer left, come out as JSON does them, e.g. `{}`).
pub(crate) fn raw(value: &JsValue) -> RawRecord {
    let key = js_sys::Reflect::get(value, &JsValue::from_str(F_ID))
        .ok()
        .map(|k| k.as_string().unwrap_or_else(|| json_text(&k)))
        .unwrap_or_default();
    let rev = rev_of(value);
    let data = js_sys::Reflect::get(value, &JsValue::from_str("data"))
        .ok()
        .filter(|d| !d.is_undefined());
    match (rev, data) {
        (Some(rev), Some(data)) => RawRecord {
            key,
            rev: Some(rev),
            json: json_text(&data),
            enveloped: true,
        },
        (rev, _) => RawRecord {
            key,
            rev,
            json: json_text(value),
            enveloped: false,
        },
    }
}

/// `JSON.stringify(value)`, or `null` for what it can't write (`undefined`,
/// a `BigInt`, a cycle).
fn json_text(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "null".to_string())
}
