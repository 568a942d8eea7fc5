//! Synced records by store: sync handles records as [`SyncRecord`]s, the
//! repository by their types; these functions go from one to the other.

use crate::domain::{
    Account, Contact, HistoryEntry, InstallEvent, Lead, License, Package, PackageVersion, User,
};
use crate::storage::{Expect, Record, Repository, StorageError, StoreName, WriteBatch};
use crate::sync::document::SyncRecord;

/// A record as sync found it in storage.
// Nearly every one is `Found`: a box would only add an allocation each.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Loaded {
    Missing,
    /// The record and its storage revision.
    Found(u64, SyncRecord),
    /// Stored, but this build can't read it (left alone by sync).
    Damaged,
}

impl Loaded {
    pub(super) fn rev(&self) -> Option<u64> {
        match self {
            Loaded::Found(rev, _) => Some(*rev),
            _ => None,
        }
    }
}

async fn load_typed<R: Repository, T: Record>(
    repo: &R,
    ids: &[String],
    wrap: fn(T) -> SyncRecord,
) -> Result<Vec<Loaded>, StorageError> {
    let found = match repo.get_many::<T>(ids).await {
        Ok(found) => found,
        // One damaged record: read them one by one to find it.
        Err(StorageError::Corrupt { .. }) => {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.push(match repo.get::<T>(id).await {
                    Ok(Some(s)) => Loaded::Found(s.rev, wrap(s.record)),
                    Ok(None) => Loaded::Missing,
                    Err(StorageError::Corrupt { .. }) => Loaded::Damaged,
                    Err(e) => return Err(e),
                });
            }
            return Ok(out);
        }
        Err(e) => return Err(e),
    };
    Ok(found
        .into_iter()
        .map(|s| s.map_or(Loaded::Missing, |s| Loaded::Found(s.rev, wrap(s.record))))
        .collect())
}

/// The records of `store` with keys `ids`, in the same order.
pub(super) async fn load_many<R: Repository>(
    repo: &R,
    store: StoreName,
    ids: &[String],
) -> Result<Vec<Loaded>, StorageError> {
    match store {
        StoreName::Users => load_typed::<R, User>(repo, ids, SyncRecord::User).await,
        StoreName::Packages => load_typed::<R, Package>(repo, ids, SyncRecord::Package).await,
        StoreName::PackageVersions => {
            load_typed::<R, PackageVersion>(repo, ids, SyncRecord::PackageVersion).await
        }
        StoreName::Accounts => load_typed::<R, Account>(repo, ids, SyncRecord::Account).await,
        StoreName::Contacts => load_typed::<R, Contact>(repo, ids, SyncRecord::Contact).await,
        StoreName::Leads => load_typed::<R, Lead>(repo, ids, SyncRecord::Lead).await,
        StoreName::Licenses => load_typed::<R, License>(repo, ids, SyncRecord::License).await,
        StoreName::LicenseHistory => {
            load_typed::<R, HistoryEntry>(repo, ids, SyncRecord::History).await
        }
        StoreName::InstallEvents => {
            load_typed::<R, InstallEvent>(repo, ids, SyncRecord::InstallEvent).await
        }
        other => Err(StorageError::Other(format!(
            "Internal error: {} records do not sync.",
            other.label()
        ))),
    }
}

async fn page_typed<R: Repository, T: Record>(
    repo: &R,
    after: Option<&str>,
    limit: u32,
    wrap: fn(T) -> SyncRecord,
) -> Result<KeyPage, StorageError> {
    let page = repo.read_after::<T>(after, limit).await?;
    let records = page
        .read
        .records
        .into_iter()
        .map(|s| (s.record.key(), Loaded::Found(s.rev, wrap(s.record))))
        .collect();
    Ok(KeyPage {
        records,
        next: page.next,
    })
}

/// Records of one store in key order (those this build can't read left
/// out), and where the next page starts.
pub(super) struct KeyPage {
    pub records: Vec<(String, Loaded)>,
    pub next: Option<String>,
}

/// At most `limit` records of `store` with keys after `after`, in key order.
pub(super) async fn page_after<R: Repository>(
    repo: &R,
    store: StoreName,
    after: Option<&str>,
    limit: u32,
) -> Result<KeyPage, StorageError> {
    match store {
        StoreName::Users => page_typed::<R, User>(repo, after, limit, SyncRecord::User).await,
        StoreName::Packages => {
            page_typed::<R, Package>(repo, after, limit, SyncRecord::Package).await
        }
        StoreName::PackageVersions => {
            page_typed::<R, PackageVersion>(repo, after, limit, SyncRecord::PackageVersion).await
        }
        StoreName::Accounts => {
            page_typed::<R, Account>(repo, after, limit, SyncRecord::Account).await
        }
        StoreName::Contacts => {
            page_typed::<R, Contact>(repo, after, limit, SyncRecord::Contact).await
        }
        StoreName::Leads => page_typed::<R, Lead>(repo, after, limit, SyncRecord::Lead).await,
        StoreName::Licenses => {
            page_typed::<R, License>(repo, after, limit, SyncRecord::License).await
        }
        StoreName::LicenseHistory => {
            page_typed::<R, HistoryEntry>(repo, after, limit, SyncRecord::History).await
        }
        StoreName::InstallEvents => {
            page_typed::<R, InstallEvent>(repo, after, limit, SyncRecord::InstallEvent).await
        }
        other => Err(StorageError::Other(format!(
            "Internal error: {} records do not sync.",
            other.label()
        ))),
    }
}

/// How many records `store` holds.
pub(super) async fn count<R: Repository>(repo: &R, store: StoreName) -> Result<u64, StorageError> {
    match store {
        StoreName::Users => repo.count::<User>().await,
        StoreName::Packages => repo.count::<Package>().await,
        StoreName::PackageVersions => repo.count::<PackageVersion>().await,
        StoreName::Accounts => repo.count::<Account>().await,
        StoreName::Contacts => repo.count::<Contact>().await,
        StoreName::Leads => repo.count::<Lead>().await,
        StoreName::Licenses => repo.count::<License>().await,
        StoreName::LicenseHistory => repo.count::<HistoryEntry>().await,
        StoreName::InstallEvents => repo.count::<InstallEvent>().await,
        _ => Ok(0),
    }
}

/// One record of `store`.
pub(super) async fn load_one<R: Repository>(
    repo: &R,
    store: StoreName,
    id: &str,
) -> Result<Loaded, StorageError> {
    let mut found = load_many(repo, store, &[id.to_string()]).await?;
    Ok(found.pop().unwrap_or(Loaded::Missing))
}

/// Adds a put of `record` to `batch`.
pub(super) fn put(batch: &mut WriteBatch, record: SyncRecord, expect: Expect) {
    match record {
        SyncRecord::User(r) => batch.put(r, expect),
        SyncRecord::Package(r) => batch.put(r, expect),
        SyncRecord::PackageVersion(r) => batch.put(r, expect),
        SyncRecord::Account(r) => batch.put(r, expect),
        SyncRecord::Contact(r) => batch.put(r, expect),
        SyncRecord::Lead(r) => batch.put(r, expect),
        SyncRecord::License(r) => batch.put(r, expect),
        SyncRecord::History(r) => batch.put(r, expect),
        SyncRecord::InstallEvent(r) => batch.put(r, expect),
    };
}

/// Adds a delete of record `id` of `store` to `batch`.
pub(super) fn delete(batch: &mut WriteBatch, store: StoreName, id: &str, expect: Expect) {
    match store {
        StoreName::Users => batch.delete::<User>(id, expect),
        StoreName::Packages => batch.delete::<Package>(id, expect),
        StoreName::PackageVersions => batch.delete::<PackageVersion>(id, expect),
        StoreName::Accounts => batch.delete::<Account>(id, expect),
        StoreName::Contacts => batch.delete::<Contact>(id, expect),
        StoreName::Leads => batch.delete::<Lead>(id, expect),
        StoreName::Licenses => batch.delete::<License>(id, expect),
        StoreName::LicenseHistory => batch.delete::<HistoryEntry>(id, expect),
        StoreName::InstallEvents => batch.delete::<InstallEvent>(id, expect),
        _ => batch,
    };
}
