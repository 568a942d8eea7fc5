//! `Record` impls for the domain's record types, and their typed indexes.
//!
//! Index values come from the domain types' fields and accessors, never from
//! their serde field names: IDs in their 18-character form, statuses by label,
//! dates as ISO `YYYY-MM-DD` (so a range of dates is a range of strings).

use chrono::NaiveDate;
use wasm_bindgen::JsValue;

use super::codec;
use super::error::StorageError;
use super::record::{Index, Record, StoreName};
use crate::domain::{HistoryEntry, License, Sequences, SfId, User};

/// The key of the one [`Sequences`] record (license numbers and ID counters).
pub const SEQUENCES_KEY: &str = "sequences";

fn id(value: &SfId) -> String {
    value.to18().to_string()
}

fn opt_id(value: Option<&SfId>) -> Option<String> {
    value.map(id)
}

fn date(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

// ---- licenses ----

/// Licenses by License Status label (`Trial`, `Active`, `Suspended`, `Uninstalled`).
pub const LICENSE_STATUS: Index<License> = Index::new("status");
/// Licenses by Package ID (18 characters).
pub const LICENSE_PACKAGE: Index<License> = Index::new("package");
/// Licenses by Expiration Date (`YYYY-MM-DD`); "Does not expire" is not indexed.
pub const LICENSE_EXPIRATION: Index<License> = Index::new("expiration");
/// Licenses by Subscriber Org ID (18 characters).
pub const LICENSE_ORG: Index<License> = Index::new("org");
/// Licenses by Lead ID.
pub const LICENSE_LEAD: Index<License> = Index::new("lead");
/// Licenses by Account ID.
pub const LICENSE_ACCOUNT: Index<License> = Index::new("account");

impl Record for License {
    const STORE: StoreName = StoreName::Licenses;

    fn key(&self) -> String {
        id(self.id())
    }

    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "status" => Some(self.status.label().to_string()),
            "package" => Some(id(&self.package_id)),
            "expiration" => self.expiration.date().map(date),
            "org" => Some(id(&self.subscriber_org_id)),
            "lead" => opt_id(self.lead_id.as_ref()),
            "account" => opt_id(self.account_id.as_ref()),
            _ => None,
        }
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
        StoreName::Licenses => codec::reencode::<License>(value),
        StoreName::LicenseHistory => codec::reencode::<HistoryEntry>(value),
        StoreName::Users => codec::reencode::<User>(value),
        StoreName::Counters => codec::reencode::<Sequences>(value),
        other => Err(StorageError::Other(format!(
            "Internal error: no record type for the {other} store yet."
        ))),
    }
}
