//! `Record` impls for the domain's record types, and their typed indexes.
//!
//! Index values come from the domain types' fields and accessors, never from
//! their serde field names: IDs in their 18-character form, and the paged
//! indexes' values built so that their string order is the list's order.

use std::ops::Bound;

use chrono::NaiveDateTime;
use wasm_bindgen::JsValue;

use super::codec;
use super::error::StorageError;
use super::record::{Index, Query, Record, StoreName};
use crate::domain::{
    Account, AlertRule, Contact, HistoryEntry, InstallEvent, InstallOutcome, Lead, License,
    NotificationRecord, Package, PackageVersion, Sequences, SfId, User,
};

/// The key of the one [`Sequences`] record (license numbers and ID counters).
pub const SEQUENCES_KEY: &str = "sequences";

fn id(value: &SfId) -> String {
    value.to18().to_string()
}

fn opt_id(value: Option<&SfId>) -> Option<String> {
    value.map(id)
}

// ---- licenses ----

/// Licenses by Subscriber Org ID (18 characters).
pub const LICENSE_ORG: Index<License> = Index::new("org");
/// Licenses by Lead ID.
pub const LICENSE_LEAD: Index<License> = Index::new("lead");
/// Licenses by Account ID.
pub const LICENSE_ACCOUNT: Index<License> = Index::new("account");
/// Licenses by Package ID, then License Name: a paged index (see
/// [`package_name_key`]); [`package_name_query`] selects one package's
/// (the only way to find them: schema 8 deleted the index by Package ID).
pub const LICENSE_PACKAGE_NAME: Index<License> = Index::new("package_name");

/// The `package_name` index value: Package ID, the License Name's number
/// zero-padded (so `L-00002` sorts before `L-100000`), and the key, which
/// makes it unique.
pub fn package_name_key(license: &License) -> String {
    format!(
        "{}|{:020}|{}",
        license.package_id.to18(),
        license.name.number(),
        license.id.to18()
    )
}

/// The licenses of one package in the `package_name` index.
pub fn package_name_query(package_id: &SfId) -> Query {
    prefix_query(package_id.to18())
}

/// Every value of a paged index that starts with `prefix` and the `|` after it.
fn prefix_query(prefix: &str) -> Query {
    // `}` is the character after `|`.
    Query::Range(
        Bound::Included(format!("{prefix}|")),
        Bound::Excluded(format!("{prefix}}}")),
    )
}

impl Record for License {
    const STORE: StoreName = StoreName::Licenses;

    fn key(&self) -> String {
        id(self.id())
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "org" => Some(id(&self.subscriber_org_id)),
            "lead" => opt_id(self.lead_id.as_ref()),
            "account" => opt_id(self.account_id.as_ref()),
            "package_name" => Some(package_name_key(self)),
            _ => None,
        }
    }

    fn list_entry(&self) -> Option<Vec<u8>> {
        Some(super::listed::ListedLicense::of(self).encode())
    }
}

// ---- license history ----

/// History entries by License ID.
pub const HISTORY_LICENSE: Index<HistoryEntry> = Index::new("license");

impl Record for HistoryEntry {
    const STORE: StoreName = StoreName::LicenseHistory;

    fn key(&self) -> String {
        id(self.id())
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "license" => Some(id(&self.license_id)),
            _ => None,
        }
    }
}

// ---- packages and versions ----

impl Record for Package {
    const STORE: StoreName = StoreName::Packages;

    fn key(&self) -> String {
        id(self.id())
    }
}

/// Package versions by Package ID.
pub const VERSION_PACKAGE: Index<PackageVersion> = Index::new("package");

impl Record for PackageVersion {
    const STORE: StoreName = StoreName::PackageVersions;

    fn key(&self) -> String {
        id(self.id())
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "package" => Some(id(&self.package_id)),
            _ => None,
        }
    }
}

// ---- leads, accounts, contacts ----

impl Record for Lead {
    const STORE: StoreName = StoreName::Leads;

    fn key(&self) -> String {
        id(self.id())
    }
}

impl Record for Account {
    const STORE: StoreName = StoreName::Accounts;

    fn key(&self) -> String {
        id(self.id())
    }
}

/// Contacts by Account ID.
pub const CONTACT_ACCOUNT: Index<Contact> = Index::new("account");

impl Record for Contact {
    const STORE: StoreName = StoreName::Contacts;

    fn key(&self) -> String {
        id(self.id())
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "account" => Some(id(&self.account_id)),
            _ => None,
        }
    }
}

// ---- install log ----

/// Install events by Package ID.
pub const INSTALL_PACKAGE: Index<InstallEvent> = Index::new("package");
/// Install events by subscriber Org ID (18 characters).
pub const INSTALL_ORG: Index<InstallEvent> = Index::new("org");
/// Install events newest first: a paged index (see [`recent_key`]).
pub const INSTALL_RECENT: Index<InstallEvent> = Index::new("recent");
/// Install events by outcome ([`outcome_key`]), then newest first: a paged
/// index; [`outcome_query`] selects one outcome's.
pub const INSTALL_OUTCOME_RECENT: Index<InstallEvent> = Index::new("outcome_recent");

/// The outcome of an install event as the Install Log filters it.
pub fn outcome_key(outcome: &InstallOutcome) -> &'static str {
    match outcome {
        InstallOutcome::LeadAndLicenseCreated { .. } => "created",
        InstallOutcome::LicenseUpdated { .. } => "updated",
        InstallOutcome::Pending { .. } => "pending",
        InstallOutcome::Failed { .. } => "failed",
        InstallOutcome::NoLicense { .. } => "none",
    }
}

/// The `recent` index value: the time with every digit complemented
/// (9 - d), then the key (which makes it unique) with every character
/// mirrored in the ID alphabet `0-9A-Za-z`, so that ascending index order,
/// the only order a paged read takes, is newest first and, at the same
/// time, the later ID first: the order the Install Log always had.
pub fn recent_key(at: NaiveDateTime, id: &SfId) -> String {
    const ID_ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mirror = |c: char, alphabet: &[u8]| {
        alphabet
            .iter()
            .position(|&a| char::from(a) == c)
            .and_then(|i| alphabet.get(alphabet.len() - 1 - i))
            .map_or(c, |&m| char::from(m))
    };
    let digits = at.format("%Y%m%d%H%M%S%9f").to_string();
    let mut key: String = digits
        .chars()
        .map(|c| mirror(c, &ID_ALPHABET[..10]))
        .collect();
    key.push('|');
    key.extend(id.to18().chars().map(|c| mirror(c, ID_ALPHABET)));
    key
}

/// The install events with this outcome in the `outcome_recent` index.
pub fn outcome_query(outcome: &str) -> Query {
    prefix_query(outcome)
}

impl Record for InstallEvent {
    const STORE: StoreName = StoreName::InstallEvents;

    fn key(&self) -> String {
        id(self.id())
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "package" => Some(id(&self.package_id)),
            "org" => Some(id(&self.org.org_id)),
            "recent" => Some(recent_key(self.at, &self.id)),
            "outcome_recent" => Some(format!(
                "{}|{}",
                outcome_key(&self.outcome),
                recent_key(self.at, &self.id)
            )),
            _ => None,
        }
    }
}

// ---- alert rules ----

impl Record for AlertRule {
    const STORE: StoreName = StoreName::AlertRules;

    fn key(&self) -> String {
        id(self.id())
    }
}

// ---- notifications ----

impl Record for NotificationRecord {
    const STORE: StoreName = StoreName::Notifications;

    fn key(&self) -> String {
        self.key().to_string()
    }
}

// ---- users ----

impl Record for User {
    const STORE: StoreName = StoreName::Users;

    fn key(&self) -> String {
        id(self.id())
    }
}

// ---- counters ----

impl Record for Sequences {
    const STORE: StoreName = StoreName::Counters;

    fn key(&self) -> String {
        SEQUENCES_KEY.to_string()
    }
}

/// Re-encodes a stored object of `store` with the current index fields (the
/// schema step that adds indexes backfills existing records with it).
pub(crate) fn reencode(store: StoreName, value: JsValue) -> Result<JsValue, StorageError> {
    match store {
        StoreName::Packages => codec::reencode::<Package>(value),
        StoreName::PackageVersions => codec::reencode::<PackageVersion>(value),
        StoreName::Licenses => codec::reencode::<License>(value),
        StoreName::LicenseHistory => codec::reencode::<HistoryEntry>(value),
        StoreName::Leads => codec::reencode::<Lead>(value),
        StoreName::Accounts => codec::reencode::<Account>(value),
        StoreName::Contacts => codec::reencode::<Contact>(value),
        StoreName::Users => codec::reencode::<User>(value),
        StoreName::InstallEvents => codec::reencode::<InstallEvent>(value),
        StoreName::AlertRules => codec::reencode::<AlertRule>(value),
        StoreName::Counters => codec::reencode::<Sequences>(value),
        StoreName::Notifications => codec::reencode::<NotificationRecord>(value),
        StoreName::SyncDocs => codec::reencode::<super::sync_records::SyncDoc>(value),
        StoreName::SyncOutbox => codec::reencode::<super::sync_records::OutboxEntry>(value),
        StoreName::SyncRefused => codec::reencode::<crate::sync::local::Refusal>(value),
        StoreName::SyncCheckpoints => codec::reencode::<super::sync_records::SyncCheckpoint>(value),
        StoreName::SyncState => codec::reencode::<super::sync_records::SyncSetup>(value),
        StoreName::SyncPages => codec::reencode::<super::sync_records::SyncPage>(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::contract::samples;

    #[test]
    fn index_values_come_from_the_domain_fields() {
        let w = match samples::world() {
            Ok(w) => w,
            Err(e) => panic!("samples: {e}"),
        };
        let license = &w.license;
        assert_eq!(
            license.index_value("package_name"),
            Some(package_name_key(license))
        );
        assert_eq!(
            license.index_value("org"),
            Some(license.subscriber_org_id.to18().to_string())
        );
        assert_eq!(license.index_value("nope"), None);
        // Indexes schema 8 deleted get no value (so no `ix_` field is written).
        for (store, name) in crate::storage::schema::V8_DROPPED_INDEXES {
            let value = match store {
                StoreName::Licenses => license.index_value(name),
                StoreName::Leads => w.lead.index_value(name),
                StoreName::AlertRules => w.alert_rule.index_value(name),
                other => panic!("no sample record of {other}"),
            };
            assert_eq!(value, None, "{store} {name}");
        }
        // Every index of every store has a value for the sample records.
        for def in StoreName::Licenses.indexes() {
            if def.name != "lead" && def.name != "account" {
                assert!(license.index_value(def.name).is_some(), "{}", def.name);
            }
        }
    }

    #[test]
    fn recent_keys_order_newest_first_then_the_later_id_first() {
        let id = |s: &str| match SfId::parse(s) {
            Ok(id) => id,
            Err(e) => panic!("{s}: {e}"),
        };
        let at = |h: u32, m: u32, s: u32| match chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .and_then(|d| d.and_hms_opt(h, m, s))
        {
            Some(t) => t,
            None => panic!("time"),
        };
        // Newest first, and among events of the same time the later ID
        // (IDs whose characters differ in digits, upper and lower case).
        let expected = [
            recent_key(at(10, 0, 1), &id("a0I000000000001")),
            recent_key(at(10, 0, 0), &id("a0I00000000000z")),
            recent_key(at(10, 0, 0), &id("a0I00000000000a")),
            recent_key(at(10, 0, 0), &id("a0I00000000000Z")),
            recent_key(at(10, 0, 0), &id("a0I000000000009")),
            recent_key(at(9, 59, 59), &id("a0I00000000000z")),
        ];
        let mut sorted = expected.clone();
        sorted.sort();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn keys_are_the_18_character_ids() {
        let w = match samples::world() {
            Ok(w) => w,
            Err(e) => panic!("samples: {e}"),
        };
        assert_eq!(w.license.key().len(), 18);
        assert_eq!(w.license.key(), w.license.id.to18());
        assert_eq!(w.sequences.key(), SEQUENCES_KEY);
    }
}
