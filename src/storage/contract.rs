//! The repository contract: one test suite, run against both repositories.
//!
//! Each `contract_*` function takes a fresh, empty repository, exercises one
//! part of the contract and returns `Err(description)` on the first broken
//! promise. Natively they run on [`MemoryRepository`](super::MemoryRepository)
//! (`memory::contract_tests` below); in headless Chromium on
//! [`IdbRepository`](super::IdbRepository) (`tests/storage_indexeddb.rs`),
//! each on a freshly named database.
//!
//! The probe record types below live only here: they borrow real stores (a
//! fresh database per test) so the machinery is tested apart from the
//! domain types; `contract_domain_round_trip` covers every domain type.

use std::cell::RefCell;
use std::fmt::Debug;
use std::future::Future;
use std::ops::Bound;
use std::rc::Rc;

use serde::{Deserialize, Serialize, Serializer};

use super::batch::{Expect, WriteBatch};
use super::error::{StorageError, StorageResult};
use super::listed::Listed;
use super::notify::{ChangeNotice, ChangeOrigin, MAX_IDS_PER_NOTICE};
use super::paged::Page;
use super::record::{Index, Query, Record, StoreName, Stored};
use super::repo::Repository;

pub type Outcome = Result<(), String>;

/// Turns a storage result into the contract's `Err(description)`.
pub trait Ctx<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T> Ctx<T> for StorageResult<T> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: unexpected error {e:?}"))
    }
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

macro_rules! ensure_eq {
    ($left:expr, $right:expr, $what:expr) => {{
        let (l, r) = (&$left, &$right);
        if l != r {
            return Err(format!("{}: expected {:?}, got {:?}", $what, r, l));
        }
    }};
}

/// The error of a result that should have failed.
pub fn failure<T: Debug>(result: StorageResult<T>, what: &str) -> Result<StorageError, String> {
    match result {
        Ok(v) => Err(format!("{what}: expected an error, got Ok({v:?})")),
        Err(e) => Ok(e),
    }
}

// ---- probe records ----

/// A license-like record in the `licenses` store, with the store's indexes:
/// its fields borrow their names (the store has no index by status, package
/// or expiration since schema 8; the names are all a database knows).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub id: String,
    pub status: String,
    pub package: String,
    pub expires: Option<String>,
    pub seats: i64,
    pub note: String,
}

pub const PROBE_STATUS: Index<Probe> = Index::new("org");
pub const PROBE_PACKAGE: Index<Probe> = Index::new("lead");
/// Optional, like a license's Lead: a probe without `expires` is not in it.
pub const PROBE_EXPIRATION: Index<Probe> = Index::new("account");
/// A paged index: package, then key (unique, as paged indexes are).
pub const PROBE_PACKAGE_PAGED: Index<Probe> = Index::new("package_name");

impl Record for Probe {
    const STORE: StoreName = StoreName::Licenses;
    fn key(&self) -> String {
        self.id.clone()
    }
    fn index_value(&self, index: &str) -> Option<String> {
        match index {
            "org" => Some(self.status.clone()),
            "lead" => Some(self.package.clone()),
            "account" => self.expires.clone(),
            "package_name" => Some(format!("{}|{}", self.package, self.id)),
            _ => None,
        }
    }
    fn list_entry(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self).ok()
    }
}

/// Probes are listed whole, as JSON (a license's entry is binary:
/// `listed.rs`).
impl Listed for Probe {
    type Entry = Probe;
    fn entry(&self) -> Probe {
        self.clone()
    }
    fn read_entry(bytes: &[u8]) -> Result<Probe, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

pub fn probe(id: &str, status: &str, package: &str, expires: Option<&str>) -> Probe {
    Probe {
        id: id.to_string(),
        status: status.to_string(),
        package: package.to_string(),
        expires: expires.map(str::to_string),
        seats: 10,
        note: format!("probe {id} — ünïcødé ✓"),
    }
}

/// A record in another store (`accounts`), for batches across stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub id: String,
    pub label: String,
}

impl Record for Tag {
    const STORE: StoreName = StoreName::Accounts;
    fn key(&self) -> String {
        self.id.clone()
    }
}

pub fn tag(id: &str) -> Tag {
    Tag {
        id: id.to_string(),
        label: format!("tag {id}"),
    }
}

/// A record whose serialization always fails.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Unsaveable {
    pub id: String,
}

impl Serialize for Unsaveable {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("this record can't be serialized"))
    }
}

impl Record for Unsaveable {
    const STORE: StoreName = StoreName::Contacts;
    fn key(&self) -> String {
        self.id.clone()
    }
}

/// Reads the `licenses` store expecting a field probes don't have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrictProbe {
    pub id: String,
    pub required_number: u32,
}

impl Record for StrictProbe {
    const STORE: StoreName = StoreName::Licenses;
    fn key(&self) -> String {
        self.id.clone()
    }
    fn list_entry(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self).ok()
    }
}

impl Listed for StrictProbe {
    type Entry = StrictProbe;
    fn entry(&self) -> StrictProbe {
        self.clone()
    }
    fn read_entry(bytes: &[u8]) -> Result<StrictProbe, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

async fn ids_of<R: Repository, T: Record>(repo: &R) -> Result<Vec<String>, String> {
    Ok(repo
        .get_all::<T>()
        .await
        .ctx("get_all")?
        .into_iter()
        .map(|s| s.record.key())
        .collect())
}

// ---- the contract ----

/// Create, read back (get, get_many, get_all, count), update: revisions 1, 2.
pub async fn contract_round_trip<R: Repository>(repo: R) -> Outcome {
    ensure_eq!(
        repo.count::<Probe>().await.ctx("count empty")?,
        0,
        "empty count"
    );
    ensure!(
        repo.get::<Probe>("nope")
            .await
            .ctx("get missing")?
            .is_none(),
        "a missing record was found"
    );
    let a = probe("a-1", "Active", "pkg-1", Some("2030-01-31"));
    let created = repo.create(a.clone()).await.ctx("create")?;
    ensure_eq!(
        created,
        Stored {
            rev: 1,
            record: a.clone()
        },
        "created"
    );
    let read = repo.get::<Probe>("a-1").await.ctx("get")?;
    ensure_eq!(
        read,
        Some(Stored {
            rev: 1,
            record: a.clone()
        }),
        "read back"
    );

    let mut changed = created.clone();
    changed.record.seats = -1;
    changed.record.expires = None;
    let updated = repo.update(changed.clone()).await.ctx("update")?;
    ensure_eq!(updated.rev, 2, "revision after update");
    ensure_eq!(
        repo.load::<Probe>("a-1").await.ctx("load")?,
        updated,
        "updated read back"
    );

    let b = probe("b-2", "Trial", "pkg-2", None);
    repo.create(b.clone()).await.ctx("create b")?;
    let many = repo
        .get_many::<Probe>(&["b-2".to_string(), "zz".to_string(), "a-1".to_string()])
        .await
        .ctx("get_many")?;
    ensure_eq!(
        many,
        vec![Some(Stored { rev: 1, record: b }), None, Some(updated)],
        "get_many keeps the order and reports absent keys"
    );
    ensure_eq!(
        ids_of::<R, Probe>(&repo).await?,
        vec!["a-1", "b-2"],
        "get_all by key"
    );
    ensure_eq!(repo.count::<Probe>().await.ctx("count")?, 2, "count");
    ensure_eq!(
        repo.count::<Tag>().await.ctx("count other store")?,
        0,
        "other store count"
    );

    let missing = failure(repo.load::<Probe>("nope").await, "load missing")?;
    ensure!(
        matches!(missing, StorageError::NotFound { what: "License", ref id } if id == "nope"),
        "load of a missing record: {missing:?}"
    );
    Ok(())
}

/// A save based on an old revision is refused; so is creating a taken key.
pub async fn contract_conflicts<R: Repository>(repo: R) -> Outcome {
    let first = repo
        .create(probe("c-1", "Active", "p", None))
        .await
        .ctx("create")?;
    // "Another tab" saves first...
    let mut theirs = first.clone();
    theirs.record.note = "saved in another tab".into();
    let theirs = repo.update(theirs).await.ctx("their update")?;
    // ...then this tab saves its copy of revision 1.
    let mut mine = first.clone();
    mine.record.seats = 99;
    let err = failure(repo.update(mine).await, "stale update")?;
    ensure_eq!(
        err,
        StorageError::Conflict {
            store: StoreName::Licenses,
            id: "c-1".into()
        },
        "stale update error"
    );
    ensure_eq!(
        err.to_string(),
        "License c-1 was changed elsewhere (in another tab?). Reload to see the latest version, \
         then make your change again."
            .to_string(),
        "conflict message"
    );
    ensure_eq!(
        repo.get::<Probe>("c-1").await.ctx("get")?,
        Some(theirs),
        "their save kept"
    );

    let err = failure(
        repo.create(probe("c-1", "Trial", "p", None)).await,
        "create taken",
    )?;
    ensure!(err.is_conflict(), "creating a taken key: {err:?}");

    let err = failure(
        repo.put(probe("ghost", "Active", "p", None), Expect::Rev(3))
            .await,
        "update missing",
    )?;
    ensure!(
        matches!(err, StorageError::NotFound { ref id, .. } if id == "ghost"),
        "updating a missing record: {err:?}"
    );
    ensure!(
        repo.get::<Probe>("ghost").await.ctx("get ghost")?.is_none(),
        "a refused update created the record"
    );

    // `Any` ignores revisions and still counts them up.
    let forced = repo
        .put(probe("c-1", "Suspended", "p", None), Expect::Any)
        .await
        .ctx("forced put")?;
    ensure_eq!(forced.rev, 3, "revision after an Any put");
    let fresh = repo
        .put(probe("c-2", "Trial", "p", None), Expect::Any)
        .await
        .ctx("Any put of a new record")?;
    ensure_eq!(fresh.rev, 1, "revision of a new record saved with Any");
    Ok(())
}

/// A conflict on the last write of a batch leaves the earlier writes unwritten.
pub async fn contract_atomic_conflict<R: Repository>(repo: R) -> Outcome {
    let old = repo
        .create(probe("x", "Active", "p", None))
        .await
        .ctx("seed")?;
    repo.update(old.clone()).await.ctx("bump x to rev 2")?;

    let mut batch = WriteBatch::new();
    batch
        .create(probe("new-1", "Trial", "p", None))
        .create(tag("t-1"))
        .update(old); // stale: rev 1
    let err = failure(repo.commit(batch).await, "batch with a stale write")?;
    ensure!(err.is_conflict(), "stale write in a batch: {err:?}");
    ensure!(
        repo.get::<Probe>("new-1").await.ctx("get")?.is_none(),
        "new-1 was written"
    );
    ensure!(
        repo.get::<Tag>("t-1").await.ctx("get")?.is_none(),
        "t-1 was written"
    );
    ensure_eq!(
        repo.load::<Probe>("x").await.ctx("load x")?.rev,
        2,
        "x's revision"
    );
    Ok(())
}

/// A create whose key is taken, after other writes, writes nothing.
pub async fn contract_atomic_taken_key<R: Repository>(repo: R) -> Outcome {
    let x = repo
        .create(probe("x", "Active", "p", None))
        .await
        .ctx("seed x")?;
    repo.create(tag("taken")).await.ctx("seed tag")?;

    let mut changed = x.clone();
    changed.record.note = "changed".into();
    let mut batch = WriteBatch::new();
    batch
        .update(changed)
        .create(probe("new-1", "Trial", "p", None))
        .create(tag("taken"))
        .create(tag("after"));
    let err = failure(repo.commit(batch).await, "batch creating a taken key")?;
    ensure_eq!(
        err,
        StorageError::Conflict {
            store: StoreName::Accounts,
            id: "taken".into()
        },
        "taken key error names the record"
    );
    ensure_eq!(
        repo.load::<Probe>("x").await.ctx("load x")?,
        x,
        "x unchanged"
    );
    ensure!(
        repo.get::<Probe>("new-1").await.ctx("get")?.is_none(),
        "new-1 was written"
    );
    ensure!(
        repo.get::<Tag>("after").await.ctx("get")?.is_none(),
        "after was written"
    );
    ensure_eq!(
        repo.load::<Tag>("taken").await.ctx("load")?.rev,
        1,
        "taken's revision"
    );
    Ok(())
}

/// A failure injected part-way (after some writes were issued) writes nothing.
pub async fn contract_atomic_injected_failure<R: Repository>(repo: R) -> Outcome {
    let x = repo
        .create(probe("x", "Active", "p", None))
        .await
        .ctx("seed x")?;
    for fail_at in [0usize, 2, 4] {
        let mut changed = x.clone();
        changed.record.status = "Suspended".into();
        let mut batch = WriteBatch::new();
        batch
            .update(changed)
            .create(probe("n-1", "Trial", "p", Some("2031-01-01")))
            .create(tag("t-1"))
            .create(tag("t-2"))
            .create(probe("n-2", "Trial", "p", None))
            .delete::<Tag>("nothing-here", Expect::Any);
        batch.fail_at_write(fail_at);
        let err = failure(repo.commit(batch).await, "batch with an injected failure")?;
        ensure!(
            !err.is_conflict(),
            "an injected failure is not a conflict: {err:?}"
        );
        ensure_eq!(
            repo.load::<Probe>("x").await.ctx("load x")?,
            x.clone(),
            "x unchanged"
        );
        ensure_eq!(
            ids_of::<R, Probe>(&repo).await?,
            vec!["x"],
            "probes after the failure"
        );
        ensure_eq!(
            ids_of::<R, Tag>(&repo).await?,
            Vec::<String>::new(),
            "tags after"
        );
        ensure_eq!(
            repo.find(PROBE_STATUS, Query::eq("Suspended"))
                .await
                .ctx("find")?
                .len(),
            0,
            "index entries after the failure"
        );
    }
    Ok(())
}

/// A record that can't be serialized, after other writes, writes nothing.
pub async fn contract_atomic_unserializable<R: Repository>(repo: R) -> Outcome {
    let mut batch = WriteBatch::new();
    batch
        .create(probe("ok-1", "Active", "p", None))
        .create(tag("t-1"))
        .create(Unsaveable { id: "bad".into() })
        .create(probe("ok-2", "Active", "p", None));
    let err = failure(repo.commit(batch).await, "batch with an unsaveable record")?;
    ensure!(
        err.to_string().contains("bad"),
        "the error names the record: {err}"
    );
    ensure_eq!(
        repo.count::<Probe>().await.ctx("count")?,
        0,
        "probes written"
    );
    ensure_eq!(repo.count::<Tag>().await.ctx("count")?, 0, "tags written");
    Ok(())
}

/// A record built when the commit writes it is stored as a put one is; a
/// build that fails fails the whole batch, naming the record.
pub async fn contract_built_records<R: Repository>(repo: R) -> Outcome {
    let mut batch = WriteBatch::new();
    batch
        .create(tag("t-1"))
        .put_built("built".to_string(), Expect::Absent, || {
            Ok(probe("built", "Trial", "p", None))
        })
        .put_built("broken".to_string(), Expect::Absent, || {
            Err::<Probe, _>("its row no longer reads".to_string())
        })
        .create(probe("ok-2", "Active", "p", None));
    let err = failure(repo.commit(batch).await, "batch with a failing build")?;
    ensure!(
        err.to_string().contains("broken"),
        "the error names the record: {err}"
    );
    ensure_eq!(
        repo.count::<Probe>().await.ctx("count")?,
        0,
        "probes written"
    );
    ensure_eq!(repo.count::<Tag>().await.ctx("count")?, 0, "tags written");

    let mut batch = WriteBatch::new();
    batch.put_built("built".to_string(), Expect::Absent, || {
        Ok(probe("built", "Trial", "p", None))
    });
    repo.commit(batch).await.ctx("commit a built record")?;
    let stored = repo.get::<Probe>("built").await.ctx("get")?;
    ensure_eq!(
        stored.map(|s| (s.rev, s.record)),
        Some((1, probe("built", "Trial", "p", None))),
        "the built record"
    );
    Ok(())
}

/// Batches that can't be one unit are refused before anything is written.
pub async fn contract_invalid_batches<R: Repository>(repo: R) -> Outcome {
    let mut batch = WriteBatch::new();
    batch
        .create(tag("once"))
        .create(probe("twice", "Active", "p", None))
        .upsert(probe("twice", "Trial", "p", None));
    let err = failure(repo.commit(batch).await, "the same record twice")?;
    ensure!(
        matches!(err, StorageError::Other(_)),
        "duplicate write error: {err:?}"
    );
    ensure_eq!(repo.count::<Tag>().await.ctx("count")?, 0, "tags written");
    let empty = repo.commit(WriteBatch::new()).await.ctx("empty batch")?;
    ensure!(empty.changes.is_empty(), "an empty batch changed something");
    Ok(())
}

/// Deletes check revisions too, and report `rev: None`.
pub async fn contract_deletes<R: Repository>(repo: R) -> Outcome {
    let d = repo.create(tag("d")).await.ctx("create")?;
    let d2 = repo.update(d.clone()).await.ctx("update")?;
    let err = failure(
        repo.delete::<Tag>("d", Expect::Rev(d.rev)).await,
        "stale delete",
    )?;
    ensure!(err.is_conflict(), "stale delete: {err:?}");
    ensure!(
        repo.get::<Tag>("d").await.ctx("get")?.is_some(),
        "stale delete deleted"
    );

    let mut batch = WriteBatch::new();
    batch.delete::<Tag>("d", Expect::Rev(d2.rev));
    let committed = repo.commit(batch).await.ctx("delete")?;
    ensure_eq!(committed.changes.len(), 1, "changes of a delete");
    ensure_eq!(
        committed.changes.first().and_then(|c| c.rev),
        None,
        "rev of a delete"
    );
    ensure!(
        repo.get::<Tag>("d").await.ctx("get")?.is_none(),
        "deleted record still there"
    );
    repo.delete::<Tag>("d", Expect::Any)
        .await
        .ctx("deleting a missing record with Any")?;
    // A deleted key can be created again.
    ensure_eq!(
        repo.create(tag("d")).await.ctx("recreate")?.rev,
        1,
        "recreated rev"
    );
    Ok(())
}

/// Index queries: equality, ranges, order (value, then key), absent values,
/// and index entries following updates.
pub async fn contract_index_queries<R: Repository>(repo: R) -> Outcome {
    let records = vec![
        probe("l-5", "Active", "pkg-b", Some("2025-03-01")),
        probe("l-1", "Active", "pkg-a", Some("2025-01-15")),
        probe("l-3", "Trial", "pkg-a", Some("2025-02-10")),
        probe("l-2", "Suspended", "pkg-a", None),
        probe("l-4", "Active", "pkg-a", Some("2025-02-10")),
    ];
    repo.put_all(records, Expect::Absent).await.ctx("put_all")?;
    let keys = |found: Vec<Stored<Probe>>| -> Vec<String> {
        found.into_iter().map(|s| s.record.id).collect()
    };

    let active = repo
        .find(PROBE_STATUS, Query::eq("Active"))
        .await
        .ctx("find active")?;
    ensure_eq!(keys(active), vec!["l-1", "l-4", "l-5"], "Active, by key");
    let pkg_a = repo
        .find(PROBE_PACKAGE, Query::eq("pkg-a"))
        .await
        .ctx("find pkg-a")?;
    ensure_eq!(keys(pkg_a), vec!["l-1", "l-2", "l-3", "l-4"], "pkg-a");
    let none = repo
        .find(PROBE_STATUS, Query::eq("Uninstalled"))
        .await
        .ctx("find none")?;
    ensure!(none.is_empty(), "found Uninstalled probes");

    let feb = repo
        .find(PROBE_EXPIRATION, Query::between("2025-02-01", "2025-02-28"))
        .await
        .ctx("find february")?;
    ensure_eq!(keys(feb), vec!["l-3", "l-4"], "February, by date then key");
    let all_dated = repo
        .find(PROBE_EXPIRATION, Query::All)
        .await
        .ctx("find dated")?;
    ensure_eq!(
        keys(all_dated),
        vec!["l-1", "l-3", "l-4", "l-5"],
        "every dated probe, by date (no-date probe left out)"
    );
    let upto = repo
        .find(PROBE_EXPIRATION, Query::at_most("2025-02-10"))
        .await
        .ctx("find at most")?;
    ensure_eq!(keys(upto), vec!["l-1", "l-3", "l-4"], "expiring by Feb 10");
    let from = repo
        .find(PROBE_EXPIRATION, Query::at_least("2025-02-11"))
        .await
        .ctx("find at least")?;
    ensure_eq!(keys(from), vec!["l-5"], "expiring from Feb 11");
    let empty = repo
        .find(PROBE_EXPIRATION, Query::between("2026-01-01", "2025-01-01"))
        .await
        .ctx("find inverted range")?;
    ensure!(empty.is_empty(), "an inverted range found records");

    // Index entries follow updates.
    let mut l1 = repo.load::<Probe>("l-1").await.ctx("load l-1")?;
    l1.record.status = "Suspended".into();
    l1.record.expires = None;
    repo.update(l1).await.ctx("update l-1")?;
    let active = repo
        .find(PROBE_STATUS, Query::eq("Active"))
        .await
        .ctx("find active again")?;
    ensure_eq!(keys(active), vec!["l-4", "l-5"], "Active after the update");
    let suspended = repo
        .find(PROBE_STATUS, Query::eq("Suspended"))
        .await
        .ctx("find suspended")?;
    ensure_eq!(
        keys(suspended),
        vec!["l-1", "l-2"],
        "Suspended after the update"
    );
    let dated = repo
        .find(PROBE_EXPIRATION, Query::All)
        .await
        .ctx("find dated again")?;
    ensure_eq!(
        keys(dated),
        vec!["l-3", "l-4", "l-5"],
        "dated after the update"
    );
    Ok(())
}

/// Paged reads: a page at a time in index order, each page starting after
/// the last value of the one before, saves in between included; counts
/// without reading.
/// Many records asked at once, as an export of every license asks them: whole reads of
/// 10,000 (IndexedDB's read chunk), 10,001 and 9,999 come back in the order asked.
pub async fn contract_many_at_once<R: Repository>(repo: R) -> Outcome {
    let id = |i: usize| format!("m-{i:05}");
    let records: Vec<Probe> = (0..10_001)
        .map(|i| probe(&id(i), "Active", "pkg-a", None))
        .collect();
    repo.put_all(records, Expect::Absent).await.ctx("put_all")?;
    for n in [10_000, 10_001, 9_999] {
        let mut ids: Vec<String> = (0..n).map(id).collect();
        ids.reverse();
        let got = repo.get_many::<Probe>(&ids).await.ctx("get_many")?;
        let found: Vec<Option<String>> = got.into_iter().map(|s| s.map(|s| s.record.id)).collect();
        let expected: Vec<Option<String>> = ids.into_iter().map(Some).collect();
        ensure!(
            found == expected,
            "get_many of {n} records: not every record came back in the order asked"
        );
    }
    Ok(())
}

pub async fn contract_paged_reads<R: Repository>(repo: R) -> Outcome {
    let records = vec![
        probe("l-5", "Active", "pkg-a", None),
        probe("l-1", "Active", "pkg-a", None),
        probe("l-7", "Trial", "pkg-b", None),
        probe("l-3", "Trial", "pkg-a", None),
        probe("l-2", "Suspended", "pkg-a", None),
        probe("l-6", "Active", "pkg-b", None),
        probe("l-4", "Active", "pkg-a", None),
    ];
    repo.put_all(records, Expect::Absent).await.ctx("put_all")?;
    let pkg = |p: &str| {
        Query::Range(
            Bound::Included(format!("{p}|")),
            Bound::Excluded(format!("{p}}}")),
        )
    };

    let first = repo
        .read_page(PROBE_PACKAGE_PAGED, pkg("pkg-a"), None, 2)
        .await
        .ctx("page 1")?;
    ensure_eq!(ids(&first), vec!["l-1", "l-2"], "page 1");
    ensure_eq!(first.next.as_deref(), Some("pkg-a|l-2"), "page 1's next");
    ensure_eq!(first.read.records[0].rev, 1, "revision read with the page");

    // Saved between two pages: one after the cursor shows on a later page,
    // one before it does not come back.
    repo.put(probe("l-0", "Active", "pkg-a", None), Expect::Absent)
        .await
        .ctx("put l-0")?;
    repo.put(probe("l-35", "Active", "pkg-a", None), Expect::Absent)
        .await
        .ctx("put l-35")?;
    let second = repo
        .read_page(PROBE_PACKAGE_PAGED, pkg("pkg-a"), first.next.as_deref(), 2)
        .await
        .ctx("page 2")?;
    ensure_eq!(ids(&second), vec!["l-3", "l-35"], "page 2");
    let third = repo
        .read_page(PROBE_PACKAGE_PAGED, pkg("pkg-a"), second.next.as_deref(), 2)
        .await
        .ctx("page 3")?;
    ensure_eq!(ids(&third), vec!["l-4", "l-5"], "page 3");
    ensure_eq!(third.next, None, "a full last page says there is no next");

    let b = repo
        .read_page(PROBE_PACKAGE_PAGED, pkg("pkg-b"), None, 50)
        .await
        .ctx("pkg-b")?;
    ensure_eq!(ids(&b), vec!["l-6", "l-7"], "pkg-b in one page");
    ensure_eq!(b.next, None, "pkg-b has no next page");
    let all = repo
        .read_page(PROBE_PACKAGE_PAGED, Query::All, None, 4)
        .await
        .ctx("all")?;
    ensure_eq!(
        ids(&all),
        vec!["l-0", "l-1", "l-2", "l-3"],
        "Query::All, page 1"
    );
    let none = repo
        .read_page(PROBE_PACKAGE_PAGED, pkg("pkg-c"), None, 4)
        .await
        .ctx("pkg-c")?;
    ensure!(none.read.records.is_empty() && none.next.is_none(), "pkg-c");
    let zero = repo
        .read_page(PROBE_PACKAGE_PAGED, pkg("pkg-a"), None, 0)
        .await
        .ctx("limit 0")?;
    ensure!(zero.read.records.is_empty(), "limit 0 read records");

    ensure_eq!(
        repo.count_found(PROBE_PACKAGE_PAGED, pkg("pkg-a"))
            .await
            .ctx("count pkg-a")?,
        7,
        "pkg-a count"
    );
    ensure_eq!(
        repo.count_found(PROBE_STATUS, Query::eq("Active"))
            .await
            .ctx("count Active")?,
        6,
        "Active count"
    );
    ensure_eq!(
        repo.count_found(PROBE_PACKAGE_PAGED, Query::All)
            .await
            .ctx("count all")?,
        9,
        "count of the whole index"
    );

    // Moved to another package: the pages follow the update.
    let mut l1 = repo.load::<Probe>("l-1").await.ctx("load l-1")?;
    l1.record.package = "pkg-b".into();
    repo.update(l1).await.ctx("update l-1")?;
    let b = repo
        .read_page(PROBE_PACKAGE_PAGED, pkg("pkg-b"), None, 50)
        .await
        .ctx("pkg-b again")?;
    ensure_eq!(ids(&b), vec!["l-1", "l-6", "l-7"], "pkg-b after the update");
    Ok(())
}

/// The ids of a page's records, in order.
fn ids(page: &Page<Probe>) -> Vec<String> {
    page.read
        .records
        .iter()
        .map(|s| s.record.id.clone())
        .collect()
}

/// Pages in key order: each after the last key of the one before, whatever
/// was saved in between.
pub async fn contract_key_pages<R: Repository>(repo: R) -> Outcome {
    let records = ["l-5", "l-1", "l-3", "l-2", "l-4"].map(|id| probe(id, "Active", "pkg-a", None));
    repo.put_all(records, Expect::Absent).await.ctx("put_all")?;
    let first = repo.read_after::<Probe>(None, 2).await.ctx("page 1")?;
    ensure_eq!(ids(&first), vec!["l-1", "l-2"], "page 1");
    ensure_eq!(first.next.as_deref(), Some("l-2"), "page 1's next");
    ensure_eq!(first.read.records[0].rev, 1, "revision read with the page");

    repo.put(probe("l-0", "Active", "pkg-a", None), Expect::Absent)
        .await
        .ctx("put l-0")?;
    repo.put(probe("l-25", "Active", "pkg-a", None), Expect::Absent)
        .await
        .ctx("put l-25")?;
    let second = repo
        .read_after::<Probe>(first.next.as_deref(), 2)
        .await
        .ctx("page 2")?;
    ensure_eq!(ids(&second), vec!["l-25", "l-3"], "page 2");
    let third = repo
        .read_after::<Probe>(second.next.as_deref(), 2)
        .await
        .ctx("page 3")?;
    ensure_eq!(ids(&third), vec!["l-4", "l-5"], "page 3");
    ensure_eq!(third.next, None, "a full last page says there is no next");
    let rest = repo
        .read_after::<Probe>(Some("l-5"), 2)
        .await
        .ctx("after the last")?;
    ensure!(
        rest.read.records.is_empty() && rest.next.is_none(),
        "after the last"
    );
    let zero = repo.read_after::<Probe>(None, 0).await.ctx("limit 0")?;
    ensure!(zero.read.records.is_empty(), "limit 0 read records");
    Ok(())
}

/// Subscribers hear of each commit of this repository, until unsubscribed.
pub async fn contract_notices<R: Repository>(repo: R) -> Outcome {
    let heard: Rc<RefCell<Vec<ChangeNotice>>> = Rc::default();
    let sink = Rc::clone(&heard);
    let subscription = repo.subscribe(move |notice| sink.borrow_mut().push(notice.clone()));

    let mut batch = WriteBatch::new();
    batch
        .create(probe("n-1", "Active", "p", None))
        .create(tag("t-1"));
    repo.commit(batch).await.ctx("commit")?;
    let first = heard.borrow().first().cloned();
    ensure_eq!(
        first,
        Some(ChangeNotice {
            origin: ChangeOrigin::ThisTab,
            stores: vec![StoreName::Licenses, StoreName::Accounts],
            records: Some(vec![
                (StoreName::Licenses, "n-1".to_string()),
                (StoreName::Accounts, "t-1".to_string()),
            ]),
        }),
        "the notice of a commit"
    );
    ensure!(
        first.is_some_and(
            |n| n.touches_record(StoreName::Accounts, "t-1") && !n.touches(StoreName::Leads)
        ),
        "touches()"
    );

    // A failed commit says nothing.
    let failed = repo.create(tag("t-1")).await;
    ensure!(failed.is_err(), "creating t-1 twice succeeded");
    ensure_eq!(heard.borrow().len(), 1, "notices after a failed commit");

    // A big batch names only its stores.
    let many = (0..=MAX_IDS_PER_NOTICE).map(|i| tag(&format!("bulk-{i:04}")));
    repo.put_all(many, Expect::Absent).await.ctx("bulk")?;
    let last = heard.borrow().last().cloned();
    ensure_eq!(
        last.map(|n| (n.stores, n.records)),
        Some((vec![StoreName::Accounts], None)),
        "the notice of a big batch"
    );

    // A bulk batch without a change list writes everything and names only
    // its stores, however few records it holds.
    let mut batch = WriteBatch::new();
    batch
        .without_change_list()
        .create(probe("n-2", "Active", "p", None))
        .create(tag("t-2"))
        .delete::<Tag>("t-1", Expect::Any);
    let committed = repo.commit(batch).await.ctx("unlisted commit")?;
    ensure!(
        committed.changes.is_empty(),
        "unlisted changes: {:?}",
        committed.changes
    );
    let mut unlisted = committed.unlisted.clone();
    unlisted.sort();
    ensure_eq!(
        unlisted,
        vec![StoreName::Licenses, StoreName::Accounts],
        "the stores an unlisted commit wrote"
    );
    ensure!(
        repo.get::<Probe>("n-2").await.ctx("n-2")?.is_some()
            && repo.get::<Tag>("t-2").await.ctx("t-2")?.is_some()
            && repo.get::<Tag>("t-1").await.ctx("t-1")?.is_none(),
        "an unlisted commit's writes"
    );
    let last = heard.borrow().last().cloned();
    ensure_eq!(
        last.map(|n| (n.stores, n.records)),
        Some((vec![StoreName::Licenses, StoreName::Accounts], None)),
        "the notice of an unlisted commit"
    );

    drop(subscription);
    repo.create(tag("quiet"))
        .await
        .ctx("create after unsubscribing")?;
    ensure_eq!(heard.borrow().len(), 3, "notices after unsubscribing");
    Ok(())
}

/// A commit through `a` reaches `b`'s subscribers as `OtherTab` (another
/// tab on the same database). `settle` lets the notice travel (a timer in
/// the browser); it is awaited up to 50 times.
pub async fn contract_other_tab_notices<R, F, Fut>(a: R, b: R, settle: F) -> Outcome
where
    R: Repository,
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let heard: Rc<RefCell<Vec<ChangeNotice>>> = Rc::default();
    let sink = Rc::clone(&heard);
    let _subscription = b.subscribe(move |notice| sink.borrow_mut().push(notice.clone()));
    a.create(probe("shared", "Active", "p", None))
        .await
        .ctx("commit in tab a")?;
    for _ in 0..50 {
        if !heard.borrow().is_empty() {
            break;
        }
        settle().await;
    }
    let notice = heard.borrow().first().cloned();
    ensure_eq!(
        notice,
        Some(ChangeNotice {
            origin: ChangeOrigin::OtherTab,
            stores: vec![StoreName::Licenses],
            records: Some(vec![(StoreName::Licenses, "shared".to_string())]),
        }),
        "the other tab's notice"
    );
    // And the other tab reads the new record, then loses a race to save it.
    let theirs = b.load::<Probe>("shared").await.ctx("read in tab b")?;
    a.update(theirs.clone()).await.ctx("save in tab a")?;
    let err = failure(b.update(theirs).await, "stale save in tab b")?;
    ensure!(err.is_conflict(), "stale save across tabs: {err:?}");
    Ok(())
}

/// A stored record this build can't read is reported as corrupt, by id.
pub async fn contract_corrupt_records<R: Repository>(repo: R) -> Outcome {
    repo.create(probe("old-shape", "Active", "p", None))
        .await
        .ctx("create")?;
    let err = failure(
        repo.get::<StrictProbe>("old-shape").await,
        "reading as another shape",
    )?;
    ensure!(
        matches!(err, StorageError::Corrupt { what: "License", ref id, .. } if id == "old-shape"),
        "corrupt record error: {err:?}"
    );
    let err = failure(
        repo.get_all::<StrictProbe>().await,
        "get_all as another shape",
    )?;
    ensure!(
        matches!(err, StorageError::Corrupt { .. }),
        "get_all of corrupt: {err:?}"
    );

    // Lists go on with the readable records and say which could not be read.
    let readable = StrictProbe {
        id: "new-shape".into(),
        required_number: 7,
    };
    repo.create(readable.clone()).await.ctx("create readable")?;
    let read = repo.read_all::<StrictProbe>().await.ctx("read_all")?;
    ensure_eq!(
        read.records
            .iter()
            .map(|s| s.record.clone())
            .collect::<Vec<_>>(),
        vec![readable],
        "the readable record"
    );
    ensure_eq!(read.damaged.len(), 1, "damaged records beside it");
    let damaged = &read.damaged[0];
    ensure_eq!(damaged.store, StoreName::Licenses, "damaged store");
    ensure_eq!(damaged.key.as_str(), "old-shape", "damaged key");
    ensure!(
        damaged.reason.contains("required_number"),
        "the reason names what is missing: {}",
        damaged.reason
    );
    ensure!(
        damaged.raw.contains("probe old-shape") && damaged.raw.contains("\"rev\":1"),
        "the stored value as it is: {}",
        damaged.raw
    );

    // Read as it streams: the same readable record, the same damaged one.
    let mut visited = Vec::new();
    let damaged = repo
        .visit_all::<StrictProbe>(&mut |s| visited.push(s.record))
        .await
        .ctx("visit_all")?;
    ensure_eq!(
        visited,
        read.records
            .iter()
            .map(|s| s.record.clone())
            .collect::<Vec<_>>(),
        "visited records"
    );
    ensure_eq!(
        damaged.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(),
        vec!["old-shape"],
        "visited damaged records"
    );

    // The scan of every store finds both probes: neither is a License.
    let scan = repo.damaged_records().await.ctx("damaged_records")?;
    let keys: Vec<(StoreName, &str)> = scan.iter().map(|d| (d.store, d.key.as_str())).collect();
    ensure_eq!(
        keys,
        vec![
            (StoreName::Licenses, "new-shape"),
            (StoreName::Licenses, "old-shape")
        ],
        "damaged records of every store"
    );
    Ok(())
}

/// Many records in one batch (imports, demo data): all there, in key order.
pub async fn contract_bulk<R: Repository>(repo: R, n: usize) -> Outcome {
    let records = (0..n).map(|i| {
        let status = ["Active", "Trial", "Suspended"][i % 3];
        let expires = format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
        probe(&format!("bulk-{i:06}"), status, "pkg", Some(&expires))
    });
    let committed = repo
        .put_all(records, Expect::Absent)
        .await
        .ctx("bulk put")?;
    ensure_eq!(committed.changes.len(), n, "changes");
    ensure_eq!(repo.count::<Probe>().await.ctx("count")?, n as u64, "count");
    let all = repo.get_all::<Probe>().await.ctx("get_all")?;
    ensure_eq!(all.len(), n, "get_all length");
    ensure!(
        all.windows(2).all(|w| match w {
            [x, y] => x.record.id < y.record.id,
            _ => true,
        }),
        "get_all is in key order"
    );
    ensure!(all.iter().all(|s| s.rev == 1), "every revision is 1");
    let trials = repo
        .find(PROBE_STATUS, Query::eq("Trial"))
        .await
        .ctx("find")?;
    ensure_eq!(trials.len(), n / 3 + usize::from(n % 3 == 2), "trials");

    // Many keys, as a bulk selection asks for them: most of the store in
    // reverse order with a gap, a key twice and an absent one; then few
    // keys spread thinly over the store. Both give what get_all holds.
    let by_id: std::collections::HashMap<&str, &Stored<Probe>> =
        all.iter().map(|s| (s.record.id.as_str(), s)).collect();
    let mut dense: Vec<String> = (0..n)
        .rev()
        .filter(|i| i % 7 != 3)
        .map(|i| format!("bulk-{i:06}"))
        .collect();
    dense.insert(dense.len() / 2, "bulk-000000".to_string());
    dense.insert(1, "bulk-0000005".to_string());
    let sparse: Vec<String> = (0..n).step_by(97).map(|i| format!("bulk-{i:06}")).collect();
    for (what, keys) in [("dense", dense), ("sparse", sparse)] {
        let got = repo.get_many::<Probe>(&keys).await.ctx(what)?;
        let expected: Vec<_> = keys
            .iter()
            .map(|k| by_id.get(k.as_str()).map(|s| (*s).clone()))
            .collect();
        ensure!(
            got == expected,
            "get_many of {} {what} keys differs from get_all",
            keys.len()
        );
    }

    // A probe is no License: the damaged-records scan finds each one once,
    // however many chunks it reads them in.
    let damaged = repo.damaged_records().await.ctx("damaged_records")?;
    ensure_eq!(damaged.len(), n, "damaged records found");
    ensure!(
        damaged.windows(2).all(|w| match w {
            [a, b] => a.key < b.key,
            _ => true,
        }),
        "each damaged record once, by key"
    );
    Ok(())
}

// ---- the domain's records, made by the domain's own workflows ----

pub mod samples {
    //! A small world of every domain record type, made by the domain's own
    //! workflow functions (so it has the shapes the app really stores).

    use chrono::{NaiveDate, NaiveDateTime};

    use crate::domain::{
        convert_lead, install, mark_sent, modify_license, new_alert_rule, new_uninstall_rule,
        register_package, seed_users, uninstall, uninstall_notifications, Account, AlertRule,
        AlertRuleDraft, Contact, HistoryEntry, InstallEvent, InstallInput, Installer, KeyPrefix,
        Lead, License, ModifyLicenseDraft, NotificationRecord, OrgStatus, Package, PackageDraft,
        PackageVersion, PackageVersionDraft, Profile, RegistrationDraft, Sequences, SfId,
        SubscriberOrg, User,
    };

    pub fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, String> {
        NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("bad date {y}-{m}-{d}"))
    }

    pub fn at(y: i32, m: u32, d: u32, h: u32) -> Result<NaiveDateTime, String> {
        day(y, m, d)?
            .and_hms_opt(h, 0, 0)
            .ok_or_else(|| format!("bad hour {h}"))
    }

    /// Before any install: users, a registered package and one version.
    #[derive(Debug, Clone)]
    pub struct Catalog {
        pub users: Vec<User>,
        pub admin: User,
        pub lead_manager: User,
        pub package: Package,
        pub version: PackageVersion,
        pub now: NaiveDateTime,
    }

    pub fn catalog() -> Result<Catalog, String> {
        let now = at(2025, 3, 1, 9)?;
        let users = seed_users();
        let admin = users
            .iter()
            .find(|u| u.profile == Profile::SystemAdministrator && u.active)
            .cloned()
            .ok_or("no active administrator")?;
        let lead_manager = users
            .iter()
            .find(|u| u.profile == Profile::LicenseManager && u.active)
            .cloned()
            .ok_or("no active license manager")?;
        let mut package = Package::from_draft(
            &PackageDraft {
                name: "Invoice Pro".into(),
                package_id: SfId::generate(KeyPrefix::Package, 7).to18().into(),
                developer_name: "Invoice Pro Dev".into(),
                developer_org_id: SfId::generate(KeyPrefix::Org, 1).to15().into(),
                release_date: "2024-11-01".into(),
            },
            now,
        )
        .map_err(|e| format!("package: {e}"))?;
        package.lead_manager = Some(lead_manager.id.clone());
        let package = register_package(
            &package,
            &RegistrationDraft {
                status: "Free Trial".into(),
                length_days: "30".into(),
                does_not_expire: false,
                seats: "25".into(),
                site_wide: false,
            },
            &admin,
            now,
        )
        .map_err(|e| format!("registration: {e}"))?;
        let version = PackageVersion::try_from(&PackageVersionDraft {
            version_id: SfId::generate(KeyPrefix::PackageVersion, 3).to18().into(),
            package_id: package.id.to18().into(),
            name: "Invoice Pro 1.10.0".into(),
            version: "1.10.0".into(),
            beta: false,
            release_date: "2025-01-15".into(),
        })
        .map_err(|e| format!("version: {e}"))?;
        Ok(Catalog {
            users,
            admin,
            lead_manager,
            package,
            version,
            now,
        })
    }

    /// An install of the catalog's version into org number `org`.
    pub fn install_input(org: u64, now: NaiveDateTime) -> InstallInput {
        InstallInput {
            org: SubscriberOrg {
                org_id: SfId::generate(KeyPrefix::Org, 1000 + org),
                org_name: format!("Acme {org}"),
                edition: "Enterprise".into(),
                instance: "NA45".into(),
                status: OrgStatus::Active,
                org_expiration_date: None,
                sandbox: false,
            },
            installer: Installer {
                first_name: "Dana".into(),
                last_name: format!("Rivera {org}"),
                company: format!("Acme {org} Inc."),
                email: format!("dana{org}@acme.example"),
            },
            at: now,
        }
    }

    /// One record of every type.
    #[derive(Debug, Clone)]
    pub struct World {
        pub catalog: Catalog,
        pub event: InstallEvent,
        pub lead: Lead,
        pub license: License,
        pub history: Vec<HistoryEntry>,
        pub account: Account,
        pub contact: Contact,
        pub converted_lead: Lead,
        pub converted_license: License,
        pub alert_rule: AlertRule,
        /// Made when `license` was uninstalled (by an uninstall rule), then sent.
        pub notification: NotificationRecord,
        pub sequences: Sequences,
    }

    pub fn modify_draft() -> ModifyLicenseDraft {
        ModifyLicenseDraft {
            expiration_date: "2026-03-01".into(),
            does_not_expire: false,
            seats: "50".into(),
            site_license: false,
            status: "Active".into(),
        }
    }

    pub fn world() -> Result<World, String> {
        let catalog = catalog()?;
        let now = catalog.now;
        let mut seq = Sequences::default();
        let result = install(
            &catalog.package,
            &catalog.version,
            None,
            Some(&catalog.lead_manager),
            install_input(1, now),
            &mut seq,
        );
        let lead = result.lead.ok_or("the install created no lead")?;
        let license = result.license.ok_or("the install created no license")?;
        let modified = modify_license(
            &license,
            &modify_draft(),
            &catalog.admin,
            now.date(),
            now,
            &mut seq,
        )
        .map_err(|e| format!("modify: {e}"))?;
        let conversion = convert_lead(
            &lead,
            vec![modified.license.clone()],
            &catalog.admin,
            now,
            &mut seq,
        )
        .map_err(|e| format!("conversion: {e}"))?;
        let converted_license = conversion
            .licenses
            .first()
            .cloned()
            .ok_or("the conversion returned no license")?;
        let alert_rule = new_alert_rule(
            &AlertRuleDraft {
                days_before: "30".into(),
                recipient: catalog.admin.id.to18().into(),
            },
            &catalog.users,
            &mut seq,
        )
        .map_err(|e| format!("alert rule: {e}"))?;
        let uninstall_rule = new_uninstall_rule(catalog.admin.id.to18(), &catalog.users, &mut seq)
            .map_err(|e| format!("uninstall rule: {e}"))?;
        let gone = uninstall(&modified.license, now);
        let made = uninstall_notifications(
            Some(&modified.license),
            &gone,
            catalog.package.name.as_str(),
            &lead.company,
            &[uninstall_rule],
            now,
        );
        let notification = mark_sent(
            made.first().ok_or("the uninstall made no notification")?,
            &catalog.admin,
            now,
        )
        .map_err(|e| format!("mark sent: {e}"))?;
        Ok(World {
            notification,
            event: result.event,
            lead,
            license: modified.license,
            history: modified.history,
            account: conversion.account,
            contact: conversion.contact,
            converted_lead: conversion.lead,
            converted_license,
            alert_rule,
            sequences: seq,
            catalog,
        })
    }
}

async fn round_trip_one<R: Repository, T: Record + PartialEq + Debug>(
    repo: &R,
    record: T,
) -> Outcome {
    let key = record.key();
    repo.create(record.clone())
        .await
        .ctx(&format!("create {} {key}", T::STORE))?;
    let back = repo
        .load::<T>(&key)
        .await
        .ctx(&format!("load {} {key}", T::STORE))?;
    ensure_eq!(
        back,
        Stored { rev: 1, record },
        format!("{} {key} read back", T::STORE)
    );
    Ok(())
}

/// Every domain record type is stored and read back unchanged, and each
/// index finds it by the value the list pages filter on.
pub async fn contract_domain_round_trip<R: Repository>(repo: R) -> Outcome {
    use super::records::*;

    let w = samples::world()?;
    for user in w.catalog.users.clone() {
        round_trip_one(&repo, user).await?;
    }
    round_trip_one(&repo, w.catalog.package.clone()).await?;
    round_trip_one(&repo, w.catalog.version.clone()).await?;
    round_trip_one(&repo, w.event.clone()).await?;
    round_trip_one(&repo, w.lead.clone()).await?;
    round_trip_one(&repo, w.license.clone()).await?;
    for entry in w.history.clone() {
        round_trip_one(&repo, entry).await?;
    }
    round_trip_one(&repo, w.account.clone()).await?;
    round_trip_one(&repo, w.contact.clone()).await?;
    round_trip_one(&repo, w.alert_rule.clone()).await?;
    round_trip_one(&repo, w.notification.clone()).await?;
    round_trip_one(&repo, w.sequences.clone()).await?;
    ensure!(!w.history.is_empty(), "the modification made no history");

    let license_id = w.license.key();
    let found = |v: Vec<Stored<crate::domain::License>>| -> Vec<String> {
        v.into_iter().map(|s| s.record.key()).collect()
    };
    ensure_eq!(
        found(
            repo.find(
                LICENSE_PACKAGE_NAME,
                package_name_query(&w.catalog.package.id)
            )
            .await
            .ctx("package")?
        ),
        vec![license_id.clone()],
        "licenses by package"
    );
    ensure_eq!(
        found(
            repo.find(LICENSE_ORG, Query::eq(w.license.subscriber_org_id.to18()))
                .await
                .ctx("org")?
        ),
        vec![license_id.clone()],
        "licenses by subscriber org"
    );
    ensure_eq!(
        found(
            repo.find(LICENSE_LEAD, Query::eq(w.lead.key()))
                .await
                .ctx("lead")?
        ),
        vec![license_id.clone()],
        "licenses by lead"
    );
    let history = repo
        .find(HISTORY_LICENSE, Query::eq(license_id.clone()))
        .await
        .ctx("history")?;
    ensure_eq!(history.len(), w.history.len(), "history by license");
    let events = repo
        .find(INSTALL_PACKAGE, Query::eq(w.catalog.package.key()))
        .await
        .ctx("installs by package")?;
    ensure_eq!(events.len(), 1, "installs by package");
    let events = repo
        .find(INSTALL_ORG, Query::eq(w.event.org.org_id.to18()))
        .await
        .ctx("installs by org")?;
    ensure_eq!(events.len(), 1, "installs by org");
    let versions = repo
        .find(VERSION_PACKAGE, Query::eq(w.catalog.package.key()))
        .await
        .ctx("versions by package")?;
    ensure_eq!(versions.len(), 1, "versions by package");
    let contacts = repo
        .find(CONTACT_ACCOUNT, Query::eq(w.account.key()))
        .await
        .ctx("contacts by account")?;
    ensure_eq!(contacts.len(), 1, "contacts by account");
    ensure_eq!(
        repo.get::<crate::domain::Sequences>(SEQUENCES_KEY)
            .await
            .ctx("sequences")?
            .map(|s| s.record),
        Some(w.sequences.clone()),
        "sequences"
    );
    Ok(())
}

/// The domain workflows saved through `commit_with_counters`: install,
/// Modify License (and a stale one refused whole), lead conversion, and two
/// tabs racing for the counters.
pub async fn contract_workflows<R: Repository>(repo: R) -> Outcome {
    use super::commit::commit_with_counters;
    use super::records::*;
    use super::workflows::{conversion_batch, install_batch, modify_license_batch};
    use crate::domain::Sequences;
    use crate::domain::{convert_lead, install, modify_license, HistoryEntry, Lead, License};

    let c = samples::catalog()?;
    let now = c.now;
    repo.put_all(c.users.clone(), Expect::Absent)
        .await
        .ctx("users")?;
    repo.create(c.package.clone()).await.ctx("package")?;
    repo.create(c.version.clone()).await.ctx("version")?;

    // Install: event, lead, license and counters in one commit.
    let writes = commit_with_counters(&repo, |seq| {
        let result = install(
            &c.package,
            &c.version,
            None,
            Some(&c.lead_manager),
            samples::install_input(1, now),
            seq,
        );
        let batch = install_batch([result], &[]);
        let writes = batch.len() + 1;
        Ok::<_, StorageError>((batch, writes))
    })
    .await
    .ctx("save install")?;
    ensure_eq!(writes, 4, "writes of an install");
    let licenses = repo.get_all::<License>().await.ctx("licenses")?;
    ensure_eq!(licenses.len(), 1, "licenses after the install");
    let license = licenses.into_iter().next().ok_or("no license")?;
    ensure!(
        license.record.name.to_string() == "L-00001",
        "first license name"
    );
    ensure_eq!(
        repo.count::<Lead>().await.ctx("leads")?,
        1,
        "leads after the install"
    );

    // Modify License: license and history in one commit.
    let n_history = commit_with_counters(&repo, |seq| {
        let outcome = modify_license(
            &license.record,
            &samples::modify_draft(),
            &c.admin,
            now.date(),
            now,
            seq,
        )
        .map_err(|e| StorageError::Other(format!("modify: {e}")))?;
        let n_history = outcome.history.len();
        Ok((modify_license_batch(&license, outcome), n_history))
    })
    .await
    .ctx("save modification")?;
    let modified = repo.load::<License>(&license.key()).await.ctx("load")?;
    ensure_eq!(modified.rev, 2, "license revision after Modify License");
    let history = repo
        .find(HISTORY_LICENSE, Query::eq(license.key()))
        .await
        .ctx("history")?;
    ensure_eq!(history.len(), n_history, "history entries saved");

    // The same modification from a tab still showing revision 1 is refused
    // whole: no second set of history entries.
    let mut draft = samples::modify_draft();
    draft.seats = "70".into();
    let stale = commit_with_counters(&repo, |seq| {
        let stale = modify_license(&license.record, &draft, &c.admin, now.date(), now, seq)
            .map_err(|e| StorageError::Other(format!("stale modify: {e}")))?;
        Ok((modify_license_batch(&license, stale), ()))
    })
    .await;
    let err = failure(stale, "stale modification")?;
    ensure!(err.is_conflict(), "stale Modify License: {err:?}");
    ensure_eq!(
        repo.count::<HistoryEntry>().await.ctx("count history")?,
        n_history as u64,
        "history after the refused modification"
    );

    // Lead conversion: lead, account, contact and linked licenses together.
    let lead = repo
        .get_all::<Lead>()
        .await
        .ctx("leads")?
        .into_iter()
        .next()
        .ok_or("no lead")?;
    let lead_licenses = repo
        .find(LICENSE_LEAD, Query::eq(lead.key()))
        .await
        .ctx("licenses of the lead")?;
    let account_id = commit_with_counters(&repo, |seq| {
        let conversion = convert_lead(
            &lead.record,
            lead_licenses.iter().map(|s| s.record.clone()).collect(),
            &c.admin,
            now,
            seq,
        )
        .map_err(|e| StorageError::Other(format!("convert: {e}")))?;
        let account_id = conversion.account.key();
        Ok((
            conversion_batch(&lead, &lead_licenses, conversion),
            account_id,
        ))
    })
    .await
    .ctx("save conversion")?;
    let linked = repo
        .find(LICENSE_ACCOUNT, Query::eq(account_id.clone()))
        .await
        .ctx("licenses of the account")?;
    ensure_eq!(linked.len(), 1, "licenses linked to the account");
    ensure!(
        repo.load::<Lead>(&lead.key())
            .await
            .ctx("lead")?
            .record
            .is_converted(),
        "the lead is converted"
    );
    let contacts = repo
        .find(CONTACT_ACCOUNT, Query::eq(account_id))
        .await
        .ctx("contacts")?;
    ensure_eq!(contacts.len(), 1, "contact of the account");

    // Two tabs install at once from the same counters: the second is refused
    // (`commit_with_counters` then reads the counters again and retries).
    let seq_a = repo
        .load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)
        .await
        .ctx("sequences a")?;
    let seq_b = repo
        .load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)
        .await
        .ctx("sequences b")?;
    let mut installs = Vec::new();
    for (n, mut seq) in [(2u64, seq_a), (3u64, seq_b)] {
        let result = install(
            &c.package,
            &c.version,
            None,
            Some(&c.lead_manager),
            samples::install_input(n, now),
            seq.record_mut(),
        );
        installs.push((result, seq));
    }
    let mut installs = installs.into_iter();
    let (first, first_seq) = installs.next().ok_or("no first install")?;
    let (second, second_seq) = installs.next().ok_or("no second install")?;
    let mut first_batch = install_batch([first], &[]);
    first_batch.save(first_seq);
    repo.commit(first_batch).await.ctx("first tab's install")?;
    let mut second_batch = install_batch([second], &[]);
    second_batch.save(second_seq);
    let err = failure(
        repo.commit(second_batch).await,
        "second tab's install from the same counters",
    )?;
    ensure!(err.is_conflict(), "racing installs: {err:?}");
    ensure_eq!(
        repo.count::<License>().await.ctx("count")?,
        2,
        "licenses after the race"
    );
    Ok(())
}

// ---- replacing whole stores, backups and restores ----

/// A batch that empties stores and puts records back at given revisions
/// replaces the stores' content in one step: earlier records gone, the
/// revisions kept, one notice naming the stores; with a failure part-way,
/// nothing changes. Expectations in an emptied store are refused.
pub async fn contract_replace_stores<R: Repository>(repo: R) -> Outcome {
    repo.put_all(
        ["old-1", "old-2", "kept"].map(|id| probe(id, "Active", "p", None)),
        Expect::Absent,
    )
    .await
    .ctx("seed probes")?;
    repo.create(tag("t-old")).await.ctx("seed tag")?;
    let before = ids_of::<R, Probe>(&repo).await?;

    // A failure after the clears and some writes changes nothing.
    for fail_at in [0usize, 1, 2] {
        let mut batch = WriteBatch::new();
        batch
            .clear_store(StoreName::Licenses)
            .clear_store(StoreName::Accounts)
            .restore(Stored {
                rev: 7,
                record: probe("kept", "Trial", "p", None),
            })
            .restore(Stored {
                rev: 2,
                record: probe("new", "Trial", "p", None),
            })
            .restore(Stored {
                rev: 1,
                record: tag("t-new"),
            });
        batch.fail_at_write(fail_at);
        failure(repo.commit(batch).await, "replace with a failure")?;
        ensure_eq!(
            ids_of::<R, Probe>(&repo).await?,
            before.clone(),
            "probes after a failed replace"
        );
        ensure_eq!(
            ids_of::<R, Tag>(&repo).await?,
            vec!["t-old"],
            "tags after a failed replace"
        );
        ensure_eq!(
            repo.find(PROBE_STATUS, Query::eq("Active"))
                .await
                .ctx("find after failure")?
                .len(),
            3,
            "index entries after a failed replace"
        );
    }

    // Expecting anything of a record in an emptied store makes no sense.
    let mut batch = WriteBatch::new();
    batch
        .clear_store(StoreName::Licenses)
        .create(probe("n", "Active", "p", None));
    failure(repo.commit(batch).await, "create in a cleared store")?;
    ensure_eq!(
        ids_of::<R, Probe>(&repo).await?,
        before.clone(),
        "probes after a refused batch"
    );

    let notices: Rc<RefCell<Vec<ChangeNotice>>> = Rc::default();
    let sink = Rc::clone(&notices);
    let _subscription = repo.subscribe(move |n| sink.borrow_mut().push(n.clone()));
    let mut batch = WriteBatch::new();
    batch
        .clear_store(StoreName::Licenses)
        .clear_store(StoreName::Accounts)
        .clear_store(StoreName::Contacts)
        .restore(Stored {
            rev: 7,
            record: probe("kept", "Trial", "p", None),
        })
        .restore(Stored {
            rev: 2,
            record: probe("new", "Trial", "p", None),
        });
    let committed = repo.commit(batch).await.ctx("replace")?;
    ensure_eq!(
        committed.rev(StoreName::Licenses, "kept"),
        Some(7),
        "kept's rev"
    );
    ensure_eq!(
        ids_of::<R, Probe>(&repo).await?,
        vec!["kept", "new"],
        "probes after the replace"
    );
    ensure_eq!(
        repo.load::<Probe>("kept").await.ctx("load kept")?,
        Stored {
            rev: 7,
            record: probe("kept", "Trial", "p", None)
        },
        "kept, at the given revision"
    );
    ensure_eq!(repo.count::<Tag>().await.ctx("count tags")?, 0, "tags");
    ensure_eq!(
        repo.find(PROBE_STATUS, Query::eq("Active"))
            .await
            .ctx("find Active")?
            .len(),
        0,
        "no index entry of the emptied records"
    );
    ensure_eq!(
        repo.find(PROBE_STATUS, Query::eq("Trial"))
            .await
            .ctx("find Trial")?
            .len(),
        2,
        "index entries of the new records"
    );
    // The next save continues from the restored revision.
    let kept = repo.load::<Probe>("kept").await.ctx("load")?;
    ensure_eq!(
        repo.update(kept).await.ctx("update kept")?.rev,
        8,
        "revision after the restore"
    );
    let seen = notices.borrow().clone();
    let replace = seen.first().ok_or("no notice of the replace")?;
    ensure_eq!(
        replace.stores.clone(),
        vec![
            StoreName::Licenses,
            StoreName::Accounts,
            StoreName::Contacts,
            // Emptying synced stores empties the sync state with them.
            StoreName::SyncDocs,
            StoreName::SyncOutbox,
            StoreName::SyncRefused,
            StoreName::SyncCheckpoints,
            StoreName::SyncPages,
        ],
        "the notice names every emptied store"
    );
    ensure!(
        replace.records.is_none() && replace.touches_record(StoreName::Accounts, "t-old"),
        "an emptied store's notice touches all its records: {replace:?}"
    );
    Ok(())
}

/// Every domain record type saved, some at revisions above 1: the world the
/// backup tests save and restore.
async fn save_world<R: Repository>(repo: &R) -> Result<samples::World, String> {
    let w = samples::world()?;
    let mut batch = WriteBatch::new();
    for user in w.catalog.users.clone() {
        batch.create(user);
    }
    batch
        .create(w.catalog.package.clone())
        .create(w.catalog.version.clone())
        .create(w.event.clone())
        .create(w.converted_lead.clone())
        .create(w.converted_license.clone())
        .create(w.account.clone())
        .create(w.contact.clone())
        .create(w.alert_rule.clone())
        .create(w.notification.clone())
        .create(w.sequences.clone());
    for entry in w.history.clone() {
        batch.create(entry);
    }
    repo.commit(batch).await.ctx("save the world")?;
    for _ in 0..2 {
        let license = repo
            .load::<crate::domain::License>(&w.converted_license.key())
            .await
            .ctx("load the license")?;
        repo.update(license).await.ctx("save the license again")?;
    }
    Ok(w)
}

fn backup_time() -> Result<chrono::NaiveDateTime, String> {
    samples::at(2026, 12, 1, 9)
}

async fn backup_text<R: Repository>(repo: &R) -> Result<String, String> {
    use super::backup::make_backup;
    let settings = super::settings::Settings::default();
    make_backup(repo, &settings, backup_time()?)
        .await
        .map(|b| b.to_text())
        .map_err(|e| format!("backup: {e}"))
}

/// Backup, reset, restore: the same records at the same revisions, indexes
/// that find them, the settings, and a notice naming every store.
pub async fn contract_backup_round_trip<R: Repository>(repo: R) -> Outcome {
    use super::backup::{make_backup, read_backup, restore};
    use super::records::{LICENSE_ORG, SEQUENCES_KEY};
    use super::settings::{ListPrefs, Settings};

    let w = save_world(&repo).await?;
    let mut settings = Settings {
        current_user_id: Some(w.catalog.admin.key()),
        ..Settings::default()
    };
    settings.lists.insert(
        "licenses".into(),
        ListPrefs {
            sort_by: Some("expiration".into()),
            ..ListPrefs::default()
        },
    );
    let backup = make_backup(&repo, &settings, backup_time()?)
        .await
        .map_err(|e| format!("backup: {e}"))?;
    ensure!(backup.damaged.is_empty(), "damaged: {:?}", backup.damaged);
    let license_count = backup
        .stores
        .iter()
        .find(|c| c.store == StoreName::Licenses)
        .map(|c| c.records);
    ensure_eq!(license_count, Some(1), "licenses in the backup");
    ensure_eq!(
        backup.stores.len(),
        StoreName::ALL.len(),
        "every store is listed"
    );
    let text = backup.to_text();
    ensure!(
        text.contains(&format!(
            "\"schema_version\":{}",
            super::schema::SCHEMA_VERSION
        )) && text.contains(super::backup::APP_VERSION),
        "the versions are in the backup"
    );
    let before = backup_text(&repo).await?;

    crate::demo::reset(&repo).await.ctx("reset")?;
    ensure_eq!(
        repo.count::<crate::domain::License>().await.ctx("count")?,
        0,
        "licenses after the reset"
    );

    let plan = read_backup(&text).map_err(|e| format!("read_backup: {e}"))?;
    ensure_eq!(plan.settings.clone(), settings, "settings in the plan");
    ensure!(!plan.upgraded(), "a current backup is not upgraded");
    ensure_eq!(
        plan.record_count(),
        backup.record_count(),
        "records planned"
    );
    let notices: Rc<RefCell<Vec<ChangeNotice>>> = Rc::default();
    let sink = Rc::clone(&notices);
    let _subscription = repo.subscribe(move |n| sink.borrow_mut().push(n.clone()));
    restore(&repo, plan)
        .await
        .map_err(|e| format!("restore: {e}"))?;

    ensure_eq!(
        backup_text(&repo).await?,
        before,
        "the desk after the restore (records and revisions)"
    );
    let license = repo
        .load::<crate::domain::License>(&w.converted_license.key())
        .await
        .ctx("load the license")?;
    ensure_eq!(license.rev, 3, "the license's revision");
    ensure_eq!(license.record, w.converted_license, "the license");
    ensure_eq!(
        repo.find(
            LICENSE_ORG,
            Query::eq(w.converted_license.subscriber_org_id.to18())
        )
        .await
        .ctx("find by org")?
        .len(),
        1,
        "the restored license is indexed"
    );
    ensure!(
        repo.get::<crate::domain::Sequences>(SEQUENCES_KEY)
            .await
            .ctx("sequences")?
            .is_some(),
        "the counters are restored"
    );
    let seen = notices.borrow().clone();
    ensure_eq!(seen.len(), 1, "one notice for the restore");
    ensure!(
        seen.iter()
            .all(|n| StoreName::ALL.iter().all(|s| n.touches(*s))),
        "the notice names every store: {seen:?}"
    );
    Ok(())
}

/// Files that can't be restored are refused with their reason, and the desk
/// is left as it was: a newer schema, a cut-off file, JSON that is not a
/// backup, a record the domain refuses (named by store and key). A backup
/// from an older schema is upgraded.
pub async fn contract_backup_refusals<R: Repository>(repo: R) -> Outcome {
    use super::backup::{read_backup, restore, BackupError};

    let w = save_world(&repo).await?;
    let text = backup_text(&repo).await?;
    let refused = |candidate: &str, what: &str| -> Result<BackupError, String> {
        match read_backup(candidate) {
            Ok(_) => Err(format!("{what}: accepted")),
            Err(e) => Ok(e),
        }
    };

    let current = format!("\"schema_version\":{}", super::schema::SCHEMA_VERSION);
    let next = super::schema::SCHEMA_VERSION + 1;
    let newer = text.replacen(&current, &format!("\"schema_version\":{next}"), 1);
    let err = refused(&newer, "a newer schema")?;
    ensure!(
        matches!(err, BackupError::Newer { found, .. } if found == next)
            && err.to_string().contains("newer version of License Desk"),
        "newer schema: {err}"
    );

    for cut in [text.len() / 2, text.len() - 1, 40] {
        let err = refused(&text[..cut], "a cut-off file")?;
        ensure!(
            matches!(err, BackupError::Truncated { .. }) && err.to_string().contains("incomplete"),
            "cut at {cut}: {err}"
        );
    }

    for other in [
        "{\"hello\": 1}",
        "[1, 2, 3]",
        "\"text\"",
        "{}",
        "name,seats\n",
    ] {
        let err = refused(other, "not a backup")?;
        ensure!(
            matches!(err, BackupError::NotABackup(_))
                && err.to_string().contains("not a License Desk backup"),
            "{other:?}: {err}"
        );
    }

    // A license whose License Name the domain refuses.
    let key = w.converted_license.key();
    let mut doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("backup JSON: {e}"))?;
    let entry = doc
        .pointer_mut("/stores/licenses/0/data/name")
        .ok_or("no license name in the backup")?;
    *entry = serde_json::Value::from("License forty-two");
    let err = refused(&doc.to_string(), "a record the domain refuses")?;
    match &err {
        BackupError::Refused { problems, total } => {
            ensure_eq!(*total, 1, "refused records");
            let first = problems.first().ok_or("no problem listed")?;
            ensure_eq!(first.store, StoreName::Licenses, "the store named");
            ensure_eq!(first.key.clone(), key.clone(), "the key named");
            ensure!(
                err.to_string().contains(&key),
                "the message names the key: {err}"
            );
        }
        other => return Err(format!("a refused record: {other}")),
    }

    // An older schema is upgraded (v1 -> v2 only added indexes, v2 -> v3
    // the notifications store and alert rules' kind).
    for old in [1, 2] {
        let older = text.replacen(&current, &format!("\"schema_version\":{old}"), 1);
        let plan = read_backup(&older).map_err(|e| format!("an older backup: {e}"))?;
        ensure!(plan.upgraded(), "an older backup is upgraded");
        restore(&repo, plan)
            .await
            .map_err(|e| format!("restore an older backup: {e}"))?;
    }

    // A v2 backup has no notifications store and alert rules without a
    // kind: it restores, with the rules as expiration rules.
    let mut v2: serde_json::Value =
        serde_json::from_str(&text.replacen(&current, "\"schema_version\":2", 1))
            .map_err(|e| format!("backup JSON: {e}"))?;
    let stores = v2
        .pointer_mut("/stores")
        .and_then(|s| s.as_object_mut())
        .ok_or("no stores in the backup")?;
    stores.remove(StoreName::Notifications.as_str());
    for rule in stores
        .get_mut(StoreName::AlertRules.as_str())
        .and_then(|r| r.as_array_mut())
        .ok_or("no alert rules in the backup")?
    {
        if let Some(data) = rule.pointer_mut("/data").and_then(|d| d.as_object_mut()) {
            data.remove("kind");
        }
    }
    let plan = read_backup(&v2.to_string()).map_err(|e| format!("a v2 backup: {e}"))?;
    restore(&repo, plan)
        .await
        .map_err(|e| format!("restore a v2 backup: {e}"))?;
    ensure_eq!(
        repo.count::<crate::domain::NotificationRecord>()
            .await
            .ctx("count notifications")?,
        0,
        "notifications after restoring a v2 backup"
    );
    let rule = repo
        .load::<crate::domain::AlertRule>(&w.alert_rule.key())
        .await
        .ctx("the rule of a v2 backup")?;
    ensure_eq!(rule.record, w.alert_rule.clone(), "the rule of a v2 backup");
    let plan = read_backup(&text).map_err(|e| format!("read_backup: {e}"))?;
    restore(&repo, plan)
        .await
        .map_err(|e| format!("restore the current backup: {e}"))?;

    ensure_eq!(
        backup_text(&repo).await?,
        text,
        "the desk after the refusals and the restore"
    );
    Ok(())
}

/// A restore that fails part-way leaves the desk exactly as it was.
pub async fn contract_backup_restore_atomic<R: Repository>(repo: R) -> Outcome {
    use super::backup::{read_backup, restore};

    save_world(&repo).await?;
    let text = backup_text(&repo).await?;
    // The desk is then changed, so a partial restore would show.
    crate::demo::reset(&repo).await.ctx("reset")?;
    repo.create(probe("after-the-backup", "Active", "p", None))
        .await
        .ctx("a record made after the backup")?;
    let desk = backup_text(&repo).await?;
    let planned = read_backup(&text)
        .map_err(|e| format!("read_backup: {e}"))?
        .record_count();
    for fail_at in [0, planned / 2, planned - 1] {
        let mut plan = read_backup(&text).map_err(|e| format!("read_backup: {e}"))?;
        plan.fail_at_write(fail_at);
        let result = restore(&repo, plan).await;
        ensure!(result.is_err(), "a restore failing at {fail_at} succeeded");
        ensure_eq!(
            backup_text(&repo).await?,
            desk.clone(),
            format!("the desk after a restore failing at write {fail_at}")
        );
    }
    Ok(())
}

/// A record the domain can't read is kept raw in the backup, marked
/// damaged with its store and key; restoring that backup leaves it out
/// (and says so) and restores the rest.
pub async fn contract_backup_keeps_damaged<R: Repository>(repo: R) -> Outcome {
    use super::backup::{make_backup, read_backup, restore};

    let w = save_world(&repo).await?;
    // A probe in the licenses store is a license the domain can't read.
    let damaged = probe("damaged-license", "Active", "p", Some("2030-01-01"));
    repo.create(damaged.clone())
        .await
        .ctx("store a damaged record")?;
    let backup = make_backup(&repo, &super::settings::Settings::default(), backup_time()?)
        .await
        .map_err(|e| format!("backup of a desk with a damaged record: {e}"))?;
    ensure_eq!(backup.damaged.len(), 1, "damaged records listed");
    let listed = backup.damaged.first().ok_or("nothing listed")?;
    ensure_eq!(
        listed.store,
        StoreName::Licenses,
        "the damaged record's store"
    );
    ensure_eq!(listed.key.as_str(), "damaged-license", "its key");
    let licenses = backup
        .stores
        .iter()
        .find(|c| c.store == StoreName::Licenses)
        .copied()
        .ok_or("no license count")?;
    ensure_eq!(
        (licenses.records, licenses.damaged),
        (1, 1),
        "license counts"
    );

    // Kept raw: its stored data is in the file as it was.
    let doc: serde_json::Value =
        serde_json::from_str(&backup.to_text()).map_err(|e| format!("backup JSON: {e}"))?;
    let kept = doc
        .pointer("/stores/licenses")
        .and_then(|v| v.as_array())
        .and_then(|records| {
            records
                .iter()
                .find(|r| r.get("key").and_then(|k| k.as_str()) == Some("damaged-license"))
        })
        .ok_or("the damaged record is not in the backup")?;
    ensure_eq!(
        kept.get("data").cloned(),
        serde_json::to_value(&damaged).ok(),
        "its raw data"
    );
    ensure_eq!(kept.get("rev").cloned(), Some(1.into()), "its revision");
    ensure!(
        kept.get("damaged").and_then(|d| d.as_str()).is_some(),
        "it is marked damaged"
    );

    let plan = read_backup(&backup.to_text()).map_err(|e| format!("read_backup: {e}"))?;
    ensure_eq!(plan.skipped.len(), 1, "damaged records left out");
    ensure_eq!(
        plan.skipped.first().map(|p| p.key.clone()),
        Some("damaged-license".to_string()),
        "the one left out"
    );
    // The restore empties every store, the damaged record's too.
    restore(&repo, plan)
        .await
        .map_err(|e| format!("restore: {e}"))?;
    ensure_eq!(
        ids_of::<R, crate::domain::License>(&repo).await?,
        vec![w.converted_license.key()],
        "licenses after the restore"
    );
    Ok(())
}

pub mod sync;

/// The licenses list's snapshot (schema v6): what the list reads
/// (`visit_listed`) is what the store holds, whatever the commit; a failed
/// commit leaves it as it was; missing, it is built again.
pub async fn contract_list_snapshot<R: Repository>(repo: R) -> Outcome {
    async fn listed<R: Repository>(repo: &R) -> Result<Vec<(String, u64)>, String> {
        let mut seen = Vec::new();
        let damaged = repo
            .visit_listed::<Probe>(&mut |s| seen.push((s.record.id.clone(), s.rev)))
            .await
            .ctx("visit_listed")?;
        ensure!(damaged.is_empty(), "no damaged records: {damaged:?}");
        seen.sort();
        let mut stored: Vec<(String, u64)> = repo
            .read_all::<Probe>()
            .await
            .ctx("read_all")?
            .records
            .into_iter()
            .map(|s| (s.record.id, s.rev))
            .collect();
        stored.sort();
        ensure_eq!(seen, stored, "the list reads what the store holds");
        Ok(seen)
    }
    fn entries(keys: &[(&str, u64)]) -> Option<Vec<(String, u64)>> {
        Some(keys.iter().map(|(k, r)| (k.to_string(), *r)).collect())
    }
    for id in ["a", "b", "c"] {
        repo.create(probe(id, "Active", "p", None))
            .await
            .ctx("create")?;
    }
    // Built by the first commit into the empty store, kept by the others.
    let built = repo.snapshot_entries::<Probe>().await.ctx("entries")?;
    ensure_eq!(built, entries(&[("a", 1), ("b", 1), ("c", 1)]), "built");
    listed(&repo).await?;

    // Kept by every kind of write, in the commit itself.
    let b = repo.load::<Probe>("b").await.ctx("load b")?;
    let mut batch = WriteBatch::new();
    batch
        .update(b)
        .delete::<Probe>("c", Expect::Any)
        .create(probe("d", "Active", "p", None));
    repo.commit(batch).await.ctx("commit")?;
    let kept = repo.snapshot_entries::<Probe>().await.ctx("entries")?;
    ensure_eq!(kept, entries(&[("a", 1), ("b", 2), ("d", 1)]), "patched");
    ensure_eq!(
        listed(&repo).await?,
        kept.clone().unwrap_or_default(),
        "read"
    );

    // A failed commit leaves it as it was.
    let mut batch = WriteBatch::new();
    batch
        .upsert(probe("a", "Expired", "p", None))
        .create(probe("e", "Active", "p", None))
        .fail_at_write(1);
    failure(repo.commit(batch).await, "injected failure")?;
    ensure_eq!(
        repo.snapshot_entries::<Probe>().await.ctx("entries")?,
        kept,
        "after a failed commit"
    );
    let a = repo.load::<Probe>("a").await.ctx("load a")?;
    let mut batch = WriteBatch::new();
    batch.update(Stored { rev: 7, ..a });
    failure(repo.commit(batch).await, "conflict")?;
    ensure_eq!(
        repo.snapshot_entries::<Probe>().await.ctx("entries")?,
        kept,
        "after a conflict"
    );

    // A store emptied and filled in one batch (restore, demo load, reset).
    let mut batch = WriteBatch::new();
    batch
        .clear_store(StoreName::Licenses)
        .upsert(probe("f", "Active", "p", None));
    repo.commit(batch).await.ctx("replace")?;
    ensure_eq!(
        repo.snapshot_entries::<Probe>().await.ctx("entries")?,
        entries(&[("f", 1)]),
        "replaced"
    );
    listed(&repo).await?;

    // Missing: built again by the next read.
    repo.forget_snapshot().await.ctx("forget")?;
    ensure_eq!(
        repo.snapshot_entries::<Probe>().await.ctx("entries")?,
        None,
        "forgotten"
    );
    repo.put(probe("g", "Active", "p", None), Expect::Any)
        .await
        .ctx("upsert")?;
    ensure_eq!(listed(&repo).await?.len(), 2, "read after forgetting");
    ensure_eq!(
        repo.snapshot_entries::<Probe>().await.ctx("entries")?,
        entries(&[("f", 1), ("g", 1)]),
        "rebuilt"
    );

    // Damaged records: left out of the list and reported, as `visit_all` does.
    repo.create(StrictProbe {
        id: "strict".into(),
        required_number: 3,
    })
    .await
    .ctx("create strict")?;
    for fresh in [false, true] {
        if fresh {
            repo.forget_snapshot().await.ctx("forget")?;
        }
        let mut seen = Vec::new();
        let damaged = repo
            .visit_listed::<StrictProbe>(&mut |s| seen.push(s.record.id))
            .await
            .ctx("visit_listed strict")?;
        let mut damaged: Vec<String> = damaged.into_iter().map(|d| d.key).collect();
        damaged.sort();
        ensure_eq!(
            seen,
            vec!["strict".to_string()],
            "readable (rebuilt: {fresh})"
        );
        ensure_eq!(
            damaged,
            vec!["f".to_string(), "g".to_string()],
            "damaged (rebuilt: {fresh})"
        );
    }
    Ok(())
}
