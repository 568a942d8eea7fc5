//! Damaged records: stored values this build can't read as records (saved by
//! an old app version, a browser extension or a bug).
//!
//! One damaged record must never hide the others. Lists read with
//! [`Repository::read_all`](super::Repository::read_all) /
//! [`read_found`](super::Repository::read_found), which return the readable
//! records and, beside them, what could not be read; workflows keep the strict
//! reads (`get`, `get_all`, `find`), so a change that needs a damaged record
//! is refused with the reason and writes nothing.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;

use super::error::StorageError;
use super::record::{Record, StoreName, Stored};
use super::repo::RawRecord;
use crate::domain::{
    Account, AlertRule, Contact, HistoryEntry, InstallEvent, Lead, License, NotificationRecord,
    Package, PackageVersion, Sequences, User,
};

/// A stored value that could not be read as its store's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DamagedRecord {
    pub store: StoreName,
    /// The record's key, or a placeholder when the value has none.
    pub key: String,
    /// Why it can't be read (the decoder's or the domain's message).
    pub reason: String,
    /// The stored value as JSON text, exactly as found.
    pub raw: String,
}

impl DamagedRecord {
    /// The error a workflow that needs this record reports.
    pub fn to_error(&self) -> StorageError {
        StorageError::Corrupt {
            what: self.store.label(),
            id: self.key.clone(),
            detail: self.reason.clone(),
        }
    }
}

/// The records of a list: the readable ones and those that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct Readable<T> {
    pub records: Vec<Stored<T>>,
    pub damaged: Vec<DamagedRecord>,
}

impl<T> Default for Readable<T> {
    fn default() -> Self {
        Readable {
            records: Vec::new(),
            damaged: Vec::new(),
        }
    }
}

impl<T> Readable<T> {
    /// Every record, or the first damaged one's error (for workflows).
    pub fn strict(self) -> Result<Vec<Stored<T>>, StorageError> {
        match self.damaged.first() {
            Some(damaged) => Err(damaged.to_error()),
            None => Ok(self.records),
        }
    }

    /// The readable records without revisions, and how many could not be read.
    pub fn into_records(self) -> (Vec<T>, usize) {
        let damaged = self.damaged.len();
        (
            self.records.into_iter().map(|s| s.record).collect(),
            damaged,
        )
    }
}

/// The damaged records lists have met so far in this tab, shared by every
/// clone of a repository, so the app can say once how many can't be read.
#[derive(Clone, Default)]
pub struct DamageLog {
    inner: Rc<DamageLogInner>,
}

type Listener = Rc<dyn Fn(usize)>;

#[derive(Default)]
struct DamageLogInner {
    seen: RefCell<BTreeMap<(StoreName, String), DamagedRecord>>,
    listeners: RefCell<Vec<Listener>>,
}

impl DamageLog {
    /// Adds what a read met; listeners hear the new count when it changed.
    pub fn note(&self, damaged: &[DamagedRecord]) {
        if damaged.is_empty() {
            return;
        }
        let changed = {
            let mut seen = self.inner.seen.borrow_mut();
            let before = seen.len();
            for d in damaged {
                seen.insert((d.store, d.key.clone()), d.clone());
            }
            seen.len() != before
        };
        if changed {
            self.tell();
        }
    }

    /// After a scan of every store: exactly these are damaged.
    pub fn replace(&self, damaged: &[DamagedRecord]) {
        let changed = {
            let mut seen = self.inner.seen.borrow_mut();
            let before: Vec<_> = seen.keys().cloned().collect();
            *seen = damaged
                .iter()
                .map(|d| ((d.store, d.key.clone()), d.clone()))
                .collect();
            before != seen.keys().cloned().collect::<Vec<_>>()
        };
        if changed {
            self.tell();
        }
    }

    /// How many damaged records the tab knows of.
    pub fn count(&self) -> usize {
        self.inner.seen.borrow().len()
    }

    /// Calls `listener` with the count whenever it changes.
    pub fn listen(&self, listener: impl Fn(usize) + 'static) {
        self.inner.listeners.borrow_mut().push(Rc::new(listener));
    }

    fn tell(&self) {
        let count = self.count();
        let listeners: Vec<Listener> = self.inner.listeners.borrow().clone();
        for listener in listeners {
            listener(count);
        }
    }
}

/// Something done with the record type a store holds.
pub(crate) trait ForRecordType {
    type Out;
    fn run<T: Record>(self) -> Self::Out;
}

/// Runs `action` with the record type stored in `store`.
pub(crate) fn for_record_type<A: ForRecordType>(store: StoreName, action: A) -> A::Out {
    match store {
        StoreName::Packages => action.run::<Package>(),
        StoreName::PackageVersions => action.run::<PackageVersion>(),
        StoreName::Licenses => action.run::<License>(),
        StoreName::LicenseHistory => action.run::<HistoryEntry>(),
        StoreName::Leads => action.run::<Lead>(),
        StoreName::Accounts => action.run::<Account>(),
        StoreName::Contacts => action.run::<Contact>(),
        StoreName::Users => action.run::<User>(),
        StoreName::InstallEvents => action.run::<InstallEvent>(),
        StoreName::AlertRules => action.run::<AlertRule>(),
        StoreName::Counters => action.run::<Sequences>(),
        StoreName::Notifications => action.run::<NotificationRecord>(),
        StoreName::SyncDocs => action.run::<super::sync_records::SyncDoc>(),
        StoreName::SyncOutbox => action.run::<super::sync_records::OutboxEntry>(),
        StoreName::SyncRefused => action.run::<crate::sync::local::Refusal>(),
        StoreName::SyncCheckpoints => action.run::<super::sync_records::SyncCheckpoint>(),
        StoreName::SyncState => action.run::<super::sync_records::SyncSetup>(),
        StoreName::SyncPages => action.run::<super::sync_records::SyncPage>(),
    }
}

/// Why a stored value, as read raw, is not a readable record of `store`
/// under its key, or `None` when it is.
pub(crate) fn raw_damage(store: StoreName, raw: &RawRecord) -> Option<String> {
    struct KeyOf<'a>(&'a str);
    impl ForRecordType for KeyOf<'_> {
        type Out = Result<String, String>;
        fn run<T: Record>(self) -> Result<String, String> {
            super::codec::record_from_json::<T>(self.0).map(|record| record.key())
        }
    }
    if !raw.enveloped {
        return Some("the stored value is not a License Desk record (no revision or data)".into());
    }
    match for_record_type(store, KeyOf(&raw.json)) {
        Ok(key) if key == raw.key => None,
        Ok(key) => Some(format!(
            "it is stored under key {} but holds record {key}",
            raw.key
        )),
        Err(reason) => Some(reason),
    }
}

/// The stored `value` of `store` as a damaged record, or `None` when it is a
/// readable record under its key. Decoded once, exactly as the reads decode
/// it (`codec::readable`); only a value that fails is read raw again, for
/// the same reason and text as [`raw_damage`] gives (the scan's records per
/// second: docs/perf.md).
pub(crate) fn value_damage(
    store: StoreName,
    value: &wasm_bindgen::JsValue,
) -> Option<DamagedRecord> {
    struct Reads<'a>(&'a wasm_bindgen::JsValue);
    impl ForRecordType for Reads<'_> {
        type Out = bool;
        fn run<T: Record>(self) -> bool {
            super::codec::readable::<T>(self.0.clone()).is_ok_and(|stored| {
                super::codec::key_of(self.0).is_some_and(|key| key == stored.record.key())
            })
        }
    }
    if for_record_type(store, Reads(value)) {
        return None;
    }
    DamagedRecord::from_raw(store, &super::codec::raw(value))
}

impl DamagedRecord {
    /// The raw value as a damaged record of `store`, if it is one.
    pub(crate) fn from_raw(store: StoreName, raw: &RawRecord) -> Option<DamagedRecord> {
        let reason = raw_damage(store, raw)?;
        let text = if raw.enveloped {
            let key = serde_json::to_string(&raw.key).unwrap_or_default();
            let rev = raw.rev.map_or("null".to_string(), |r| r.to_string());
            format!("{{\"id\":{key},\"rev\":{rev},\"data\":{}}}", raw.json)
        } else {
            raw.json.clone()
        };
        Some(DamagedRecord {
            store,
            key: raw.key.clone(),
            reason,
            raw: text,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_reads_refuse_with_the_damaged_records_reason() {
        let damaged = DamagedRecord {
            store: StoreName::Licenses,
            key: "a0R000000000001AAA".into(),
            reason: "unknown License Status \"Gone\"".into(),
            raw: "{}".into(),
        };
        let read: Readable<License> = Readable {
            records: Vec::new(),
            damaged: vec![damaged.clone()],
        };
        let err = read.strict().unwrap_err();
        assert_eq!(err, damaged.to_error());
        assert!(err.to_string().contains("a0R000000000001AAA"));
        assert!(err.to_string().contains("unknown License Status"));
    }

    fn damaged(key: &str) -> DamagedRecord {
        DamagedRecord {
            store: StoreName::Leads,
            key: key.into(),
            reason: "bad".into(),
            raw: "{}".into(),
        }
    }

    #[test]
    fn the_log_counts_each_damaged_record_once_and_tells_listeners() {
        let log = DamageLog::default();
        let heard = Rc::new(RefCell::new(Vec::new()));
        let h = Rc::clone(&heard);
        log.listen(move |n| h.borrow_mut().push(n));
        log.note(&[damaged("a"), damaged("b")]);
        log.note(&[damaged("a")]);
        assert_eq!(log.count(), 2);
        log.clone().replace(&[damaged("b")]);
        log.replace(&[damaged("b")]);
        assert_eq!(*heard.borrow(), vec![2, 1]);
    }

    #[test]
    fn every_store_names_a_record_type_that_checks_its_data() {
        for store in StoreName::ALL {
            let raw = RawRecord {
                key: "k".into(),
                rev: Some(1),
                json: r#"{"nonsense":true}"#.into(),
                enveloped: true,
            };
            let damaged = DamagedRecord::from_raw(store, &raw).expect("nonsense is damaged");
            assert_eq!(
                damaged.raw,
                r#"{"id":"k","rev":1,"data":{"nonsense":true}}"#
            );
        }
        let foreign = RawRecord {
            key: "k".into(),
            rev: None,
            json: "42".into(),
            enveloped: false,
        };
        let damaged = DamagedRecord::from_raw(StoreName::Leads, &foreign).expect("damaged");
        assert_eq!(damaged.raw, "42");
        assert!(damaged.reason.contains("not a License Desk record"));
    }
}
