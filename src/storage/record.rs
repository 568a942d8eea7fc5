//! What storage knows about a record: its store, its key and its index values.
//!
//! The domain types carry no storage concerns. Each one gets a [`Record`]
//! impl (in `records.rs`) that names its store, its primary key and the values
//! of the store's indexes, extracted by accessor functions, so the on-disk
//! index fields never depend on the domain's serde field names.

use std::marker::PhantomData;
use std::ops::Bound;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The object stores. One per record type, plus `counters`, plus the sync
/// state (schema v5, [`StoreName::SYNC`]): those are not records of the
/// desk's own, so they are not in [`StoreName::ALL`] (backups, the damaged
/// records scan and the demo's clears leave them out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreName {
    Packages,
    PackageVersions,
    Licenses,
    LicenseHistory,
    Leads,
    Accounts,
    Contacts,
    Users,
    InstallEvents,
    AlertRules,
    Counters,
    Notifications,
    SyncDocs,
    SyncOutbox,
    SyncRefused,
    SyncCheckpoints,
    SyncState,
    SyncPages,
}

impl StoreName {
    pub const ALL: [StoreName; 12] = [
        StoreName::Packages,
        StoreName::PackageVersions,
        StoreName::Licenses,
        StoreName::LicenseHistory,
        StoreName::Leads,
        StoreName::Accounts,
        StoreName::Contacts,
        StoreName::Users,
        StoreName::InstallEvents,
        StoreName::AlertRules,
        StoreName::Counters,
        StoreName::Notifications,
    ];

    /// The sync state (see `crate::storage::sync_records`).
    pub const SYNC: [StoreName; 6] = [
        StoreName::SyncDocs,
        StoreName::SyncOutbox,
        StoreName::SyncRefused,
        StoreName::SyncCheckpoints,
        StoreName::SyncState,
        StoreName::SyncPages,
    ];

    /// The object store's name in IndexedDB (never change: it is on disk).
    pub const fn as_str(self) -> &'static str {
        match self {
            StoreName::Packages => "packages",
            StoreName::PackageVersions => "package_versions",
            StoreName::Licenses => "licenses",
            StoreName::LicenseHistory => "license_history",
            StoreName::Leads => "leads",
            StoreName::Accounts => "accounts",
            StoreName::Contacts => "contacts",
            StoreName::Users => "users",
            StoreName::InstallEvents => "install_events",
            StoreName::AlertRules => "alert_rules",
            StoreName::Counters => "counters",
            StoreName::Notifications => "notifications",
            StoreName::SyncDocs => "sync_docs",
            StoreName::SyncOutbox => "sync_outbox",
            StoreName::SyncRefused => "sync_refused",
            StoreName::SyncCheckpoints => "sync_checkpoints",
            StoreName::SyncState => "sync_state",
            StoreName::SyncPages => "sync_pages",
        }
    }

    /// What a user calls one record of this store, for error messages.
    pub const fn label(self) -> &'static str {
        match self {
            StoreName::Packages => "Package",
            StoreName::PackageVersions => "Package Version",
            StoreName::Licenses => "License",
            StoreName::LicenseHistory => "License History entry",
            StoreName::Leads => "Lead",
            StoreName::Accounts => "Account",
            StoreName::Contacts => "Contact",
            StoreName::Users => "User",
            StoreName::InstallEvents => "Install log entry",
            StoreName::AlertRules => "Alert rule",
            StoreName::Counters => "Counter",
            StoreName::Notifications => "Notification",
            StoreName::SyncDocs => "Sync revision",
            StoreName::SyncOutbox => "Change waiting to sync",
            StoreName::SyncRefused => "Refused sync document",
            StoreName::SyncCheckpoints => "Sync checkpoint",
            StoreName::SyncState => "Sync setting",
            StoreName::SyncPages => "Page of sync revisions",
        }
    }

    /// A store of [`StoreName::ALL`] by its name (the sync stores are never
    /// in a backup, so a backup naming one is refused).
    pub fn parse(name: &str) -> Option<StoreName> {
        StoreName::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The indexes of this store in the current schema.
    pub fn indexes(self) -> &'static [IndexDef] {
        crate::storage::schema::indexes_of(self)
    }
}

impl std::fmt::Display for StoreName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One index of a store: its name, and the top-level field of the stored
/// object that holds its value (`ix_<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    pub name: &'static str,
    pub key_path: &'static str,
}

/// A typed handle on an index, so a license index can't query leads.
pub struct Index<T> {
    name: &'static str,
    _record: PhantomData<fn() -> T>,
}

impl<T> Index<T> {
    pub const fn new(name: &'static str) -> Self {
        Index {
            name,
            _record: PhantomData,
        }
    }

    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<T> Clone for Index<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Index<T> {}

impl<T> std::fmt::Debug for Index<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index({})", self.name)
    }
}

/// A record type that storage can keep.
pub trait Record: Serialize + DeserializeOwned + Clone + 'static {
    /// The store holding records of this type.
    const STORE: StoreName;

    /// The primary key (for Salesforce records, the 18-character ID).
    fn key(&self) -> String;

    /// The value of index `index` (one of `Self::STORE.indexes()`), or `None`
    /// to leave the record out of that index. Values are compared as strings:
    /// dates must be ISO `YYYY-MM-DD` so ranges sort by time.
    fn index_value(&self, index: &str) -> Option<String> {
        let _ = index;
        None
    }

    /// The values of multi-valued index `index` (IndexedDB's `multiEntry`,
    /// over an array field of `data`): the record is found by any of them.
    /// Only the sync pages have one (`schema::SYNC_PAGE_INDEX`).
    fn index_members(&self, index: &str) -> Vec<String> {
        let _ = index;
        Vec::new()
    }

    /// The record's entry in the list snapshot (`list_snapshot.rs`), for
    /// the stores it covers: what a list reads of it, read back by
    /// [`Listed::read_entry`](super::listed::Listed::read_entry).
    fn list_entry(&self) -> Option<Vec<u8>> {
        None
    }
}

/// The values of every index of `T`'s store, in the order of `T::STORE.indexes()`
/// (the in-memory repository's indexes; IndexedDB computes its own).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn index_values<T: Record>(record: &T) -> Vec<Option<String>> {
    T::STORE
        .indexes()
        .iter()
        .map(|def| record.index_value(def.name))
        .collect()
}

/// A record as stored: with its revision, which grows by one on every save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored<T> {
    pub rev: u64,
    pub record: T,
}

impl<T: Record> Stored<T> {
    pub fn key(&self) -> String {
        self.record.key()
    }
}

impl<T> Stored<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Stored<U> {
        Stored {
            rev: self.rev,
            record: f(self.record),
        }
    }
}

/// Which index values an index query selects. Bounds compare as strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Every record in the index (records with no value are not in it).
    All,
    /// Records whose value equals this one.
    Eq(String),
    /// Records whose value lies between the bounds.
    Range(Bound<String>, Bound<String>),
}

impl Query {
    pub fn eq(value: impl Into<String>) -> Query {
        Query::Eq(value.into())
    }

    /// `from..=to`, both included.
    pub fn between(from: impl Into<String>, to: impl Into<String>) -> Query {
        Query::Range(Bound::Included(from.into()), Bound::Included(to.into()))
    }

    /// Values `>= from`.
    pub fn at_least(from: impl Into<String>) -> Query {
        Query::Range(Bound::Included(from.into()), Bound::Unbounded)
    }

    /// Values `<= to`.
    pub fn at_most(to: impl Into<String>) -> Query {
        Query::Range(Bound::Unbounded, Bound::Included(to.into()))
    }

    pub fn matches(&self, value: &str) -> bool {
        match self {
            Query::All => true,
            Query::Eq(v) => v == value,
            Query::Range(lo, hi) => {
                let above = match lo {
                    Bound::Included(l) => value >= l.as_str(),
                    Bound::Excluded(l) => value > l.as_str(),
                    Bound::Unbounded => true,
                };
                let below = match hi {
                    Bound::Included(h) => value <= h.as_str(),
                    Bound::Excluded(h) => value < h.as_str(),
                    Bound::Unbounded => true,
                };
                above && below
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_names_round_trip() {
        for s in StoreName::ALL {
            assert_eq!(StoreName::parse(s.as_str()), Some(s));
        }
        assert_eq!(StoreName::parse("nope"), None);
    }

    #[test]
    fn query_bounds() {
        assert!(Query::between("2024-01-01", "2024-12-31").matches("2024-06-01"));
        assert!(!Query::between("2024-01-01", "2024-12-31").matches("2025-01-01"));
        assert!(Query::at_most("b").matches("b"));
        assert!(!Query::Range(Bound::Excluded("b".into()), Bound::Unbounded).matches("b"));
        assert!(Query::eq("x").matches("x") && !Query::eq("x").matches("y"));
        assert!(Query::All.matches("anything"));
    }
}
