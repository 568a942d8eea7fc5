//! The database schema and its version ladder.
//!
//! | version | change |
//! |---|---|
//! | 1 | one object store per record type (key path `id`); stored objects are `{ id, rev, data }` |
//! | 2 | the list pages' indexes; stored objects gain top-level `ix_<index>` fields, backfilled from `data` |
//! | 3 | the `notifications` store (uninstall notifications, sent and snoozed ones), keyed by `id` |
//! | 4 | paged indexes ([`V4_INDEXES`]): install events newest first (all, and by outcome), licenses of a package by License Name; backfilled |
//! | 5 | team sync ([`V5_STORES`]): `sync_docs` (with the `conflicted` index), `sync_outbox` (with the `queue` index), `sync_refused`, `sync_checkpoints`, `sync_state`; new, so nothing to carry over |
//! | 6 | the licenses list's snapshot: the `list_rows` store (`list_snapshot.rs`), built by the first list read |
//! | 7 | `sync_pages` (`sync_records::SyncPage`): the sync state of first revisions, ~500 documents per object, with the multi-entry index [`SYNC_PAGE_INDEX`] on their ids; new, so nothing to carry over (`sync_docs` keeps describing what it described) |
//! | 8 | the indexes nothing reads are deleted ([`V8_DROPPED_INDEXES`]): each cost every write of its store one more index update. Stored objects keep their old `ix_` fields (reads ignore them) until they are next written |
//!
//! Opening an older database runs every step after its version, in order, in
//! the one upgrade transaction: data already there is kept (and re-indexed).
//! To change the schema, add a step: never edit a step that shipped.

use super::record::{IndexDef, StoreName};

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 8;

/// The primary key's field in every stored object.
pub const KEY_PATH: &str = "id";

const fn ix(name: &'static str, key_path: &'static str) -> IndexDef {
    IndexDef { name, key_path }
}

static LICENSE_INDEXES: [IndexDef; 4] = [
    ix("org", "ix_org"),
    ix("lead", "ix_lead"),
    ix("account", "ix_account"),
    ix("package_name", "ix_package_name"),
];
static PACKAGE_VERSION_INDEXES: [IndexDef; 1] = [ix("package", "ix_package")];
static HISTORY_INDEXES: [IndexDef; 1] = [ix("license", "ix_license")];
static CONTACT_INDEXES: [IndexDef; 1] = [ix("account", "ix_account")];
static INSTALL_EVENT_INDEXES: [IndexDef; 4] = [
    ix("package", "ix_package"),
    ix("org", "ix_org"),
    ix("recent", "ix_recent"),
    ix("outcome_recent", "ix_outcome_recent"),
];
static SYNC_DOC_INDEXES: [IndexDef; 1] = [ix("conflicted", "ix_conflicted")];
static OUTBOX_INDEXES: [IndexDef; 1] = [ix("queue", "ix_queue")];

/// The multi-entry index of `sync_pages`: every document id a page holds
/// (`data.ids`, an array: IndexedDB keys the page under each of them). Not
/// in [`indexes_of`], whose indexes are single `ix_` fields the codec
/// writes; see `Record::index_members`.
pub const SYNC_PAGE_INDEX: IndexDef = ix("docs", "data.ids");

/// The indexes of `store` in the current schema.
pub(crate) fn indexes_of(store: StoreName) -> &'static [IndexDef] {
    match store {
        StoreName::Licenses => &LICENSE_INDEXES,
        StoreName::PackageVersions => &PACKAGE_VERSION_INDEXES,
        StoreName::LicenseHistory => &HISTORY_INDEXES,
        StoreName::Contacts => &CONTACT_INDEXES,
        StoreName::InstallEvents => &INSTALL_EVENT_INDEXES,
        StoreName::SyncDocs => &SYNC_DOC_INDEXES,
        StoreName::SyncOutbox => &OUTBOX_INDEXES,
        StoreName::Packages
        | StoreName::Leads
        | StoreName::Accounts
        | StoreName::AlertRules
        | StoreName::Users
        | StoreName::Counters
        | StoreName::Notifications
        | StoreName::SyncRefused
        | StoreName::SyncCheckpoints
        | StoreName::SyncState
        | StoreName::SyncPages => &[],
    }
}

/// The stores created by version 1.
pub const V1_STORES: [StoreName; 11] = [
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
];

/// The stores created by version 3.
pub const V3_STORES: [StoreName; 1] = [StoreName::Notifications];

/// The stores created by version 5 (with their indexes).
pub const V5_STORES: [StoreName; 5] = [
    StoreName::SyncDocs,
    StoreName::SyncOutbox,
    StoreName::SyncRefused,
    StoreName::SyncCheckpoints,
    StoreName::SyncState,
];

/// The indexes version 4 adds to stores that already exist: paged indexes,
/// whose values are unique (each ends with the record's key), so the last
/// value of one page is where the next one starts.
pub const V4_INDEXES: [(StoreName, &str); 3] = [
    (StoreName::InstallEvents, "recent"),
    (StoreName::InstallEvents, "outcome_recent"),
    (StoreName::Licenses, "package_name"),
];

/// The indexes version 8 deletes: no app code reads them, and every write
/// of their store paid for keeping them (docs/perf.md). The licenses of a
/// package are read from `package_name`, whose values start with the
/// Package ID. A database that upgrades from before version 2 never had
/// them (version 2 makes the indexes of the current schema), so the step
/// deletes only those there.
pub const V8_DROPPED_INDEXES: [(StoreName, &str); 6] = [
    (StoreName::Licenses, "status"),
    (StoreName::Licenses, "package"),
    (StoreName::Licenses, "expiration"),
    (StoreName::Leads, "owner"),
    (StoreName::Leads, "status"),
    (StoreName::AlertRules, "user"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_names_and_paths_are_unique_per_store() {
        for store in StoreName::ALL.into_iter().chain(StoreName::SYNC) {
            let defs = indexes_of(store);
            for (i, a) in defs.iter().enumerate() {
                assert_eq!(a.key_path, format!("ix_{}", a.name));
                for b in defs.iter().skip(i + 1) {
                    assert_ne!(a.name, b.name, "{store}");
                }
            }
        }
    }

    #[test]
    fn every_index_added_by_v4_is_in_the_current_schema() {
        for (store, name) in V4_INDEXES {
            assert!(
                indexes_of(store).iter().any(|d| d.name == name),
                "{store} {name}"
            );
            assert!(
                !V3_STORES.contains(&store),
                "{store} is created with its indexes"
            );
        }
    }

    #[test]
    fn no_index_dropped_by_v8_is_in_the_current_schema() {
        for (store, name) in V8_DROPPED_INDEXES {
            assert!(
                !indexes_of(store).iter().any(|d| d.name == name),
                "{store} {name}"
            );
        }
    }
}
