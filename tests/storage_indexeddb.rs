//! The repository contract (`src/storage/contract.rs`) on IndexedDB in
//! headless Chromium, plus what only a browser can show: data surviving a
//! reopen, the v1 -> current schema upgrade, a blocked upgrade, cross-tab
//! notices, and localStorage settings. Each test uses a fresh database.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyPath;
use license_desk::domain::{
    AlertRule, HistoryEntry, InstallEvent, Lead, License, NotificationRecord, Sequences, User,
};
use license_desk::storage::contract::sync::ResolveBy;
use license_desk::storage::contract::{self, samples, Outcome};
use license_desk::storage::{
    encode_v1, schema, settings, ChangeOrigin, Expect, IdbRepository, ListedLicense, Progress,
    Query, ReadStop, Record, Repository, StorageError, Stored, WriteBatch, HISTORY_LICENSE,
    INSTALL_OUTCOME_RECENT, INSTALL_RECENT, LICENSE_LEAD, LICENSE_ORG, LICENSE_PACKAGE_NAME,
    PROGRESS_STEP, SEQUENCES_KEY,
};
use license_desk::storage::{outcome_key, outcome_query, package_name_query};
use license_desk::storage::{OutboxEntry, StoreName, SyncDoc, SyncPage, SyncSetup, SYNC_PAGE_DOCS};
use license_desk::sync::desk::DeskSync;
use license_desk::sync::document::SyncRecord;
use license_desk::sync::local::Local;
use license_desk::sync::rev::{Rev, RevPath};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn fresh_name(label: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("ld-test-{label}-{n}-{}", js_sys::Date::now())
}

async fn open(name: &str) -> IdbRepository {
    match IdbRepository::open(name).await {
        Ok(repo) => repo,
        Err(e) => panic!("opening {name}: {e}"),
    }
}

async fn fresh(label: &str) -> IdbRepository {
    open(&fresh_name(label)).await
}

fn run(outcome: Outcome) {
    if let Err(broken) = outcome {
        panic!("contract broken: {broken}");
    }
}

fn ok<T>(result: Result<T, StorageError>, what: &str) -> T {
    match result {
        Ok(v) => v,
        Err(e) => panic!("{what}: {e:?}"),
    }
}

/// Lets the event loop run (BroadcastChannel messages, closes).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

// ---- the contract ----

#[wasm_bindgen_test]
async fn round_trip() {
    run(contract::contract_round_trip(fresh("round-trip").await).await);
}

#[wasm_bindgen_test]
async fn conflicts() {
    run(contract::contract_conflicts(fresh("conflicts").await).await);
}

#[wasm_bindgen_test]
async fn atomic_conflict() {
    run(contract::contract_atomic_conflict(fresh("atomic-conflict").await).await);
}

#[wasm_bindgen_test]
async fn atomic_taken_key() {
    run(contract::contract_atomic_taken_key(fresh("atomic-taken").await).await);
}

#[wasm_bindgen_test]
async fn atomic_injected_failure() {
    run(contract::contract_atomic_injected_failure(fresh("atomic-fault").await).await);
}

#[wasm_bindgen_test]
async fn atomic_unserializable() {
    run(contract::contract_atomic_unserializable(fresh("atomic-serde").await).await);
}

#[wasm_bindgen_test]
async fn built_records() {
    run(contract::contract_built_records(fresh("built").await).await);
}

#[wasm_bindgen_test]
async fn invalid_batches() {
    run(contract::contract_invalid_batches(fresh("invalid").await).await);
}

#[wasm_bindgen_test]
async fn deletes() {
    run(contract::contract_deletes(fresh("deletes").await).await);
}

#[wasm_bindgen_test]
async fn index_queries() {
    run(contract::contract_index_queries(fresh("index").await).await);
}

#[wasm_bindgen_test]
async fn paged_reads() {
    run(contract::contract_paged_reads(fresh("paged").await).await);
}

#[wasm_bindgen_test]
async fn many_at_once() {
    run(contract::contract_many_at_once(fresh("many-at-once").await).await);
}

#[wasm_bindgen_test]
async fn key_pages() {
    run(contract::contract_key_pages(fresh("key-pages").await).await);
}

#[wasm_bindgen_test]
async fn notices() {
    run(contract::contract_notices(fresh("notices").await).await);
}

#[wasm_bindgen_test]
async fn other_tab_notices() {
    let name = fresh_name("tabs");
    let a = open(&name).await;
    let b = open(&name).await;
    run(contract::contract_other_tab_notices(a, b, || sleep(20)).await);
}

#[wasm_bindgen_test]
async fn list_snapshot() {
    run(contract::contract_list_snapshot(fresh("list-snapshot").await).await);
}

#[wasm_bindgen_test]
async fn corrupt_records() {
    run(contract::contract_corrupt_records(fresh("corrupt").await).await);
}

#[wasm_bindgen_test]
async fn bulk() {
    run(contract::contract_bulk(fresh("bulk").await, 21_000).await);
}

#[wasm_bindgen_test]
async fn domain_round_trip() {
    run(contract::contract_domain_round_trip(fresh("domain").await).await);
}

#[wasm_bindgen_test]
async fn workflows() {
    run(contract::contract_workflows(fresh("workflows").await).await);
}

#[wasm_bindgen_test]
async fn replace_stores() {
    run(contract::contract_replace_stores(fresh("replace-stores").await).await);
}

#[wasm_bindgen_test]
async fn backup_round_trip() {
    run(contract::contract_backup_round_trip(fresh("backup-round-trip").await).await);
}

#[wasm_bindgen_test]
async fn backup_refusals() {
    run(contract::contract_backup_refusals(fresh("backup-refusals").await).await);
}

#[wasm_bindgen_test]
async fn backup_restore_atomic() {
    run(contract::contract_backup_restore_atomic(fresh("backup-atomic").await).await);
}

#[wasm_bindgen_test]
async fn backup_keeps_damaged() {
    run(contract::contract_backup_keeps_damaged(fresh("backup-damaged").await).await);
}

#[wasm_bindgen_test]
async fn sync_outbox() {
    run(contract::sync::contract_sync_outbox(fresh("sync-outbox").await).await);
}

#[wasm_bindgen_test]
async fn sync_off() {
    run(contract::sync::contract_sync_off(fresh("sync-off").await).await);
}

#[wasm_bindgen_test]
async fn sync_pending() {
    run(contract::sync::contract_sync_pending(fresh("sync-pending").await).await);
}

#[wasm_bindgen_test]
async fn sync_apply() {
    run(contract::sync::contract_sync_apply(
        fresh("sync-apply-a").await,
        fresh("sync-apply-b").await,
    )
    .await);
}

#[wasm_bindgen_test]
async fn sync_pages() {
    run(contract::sync::contract_sync_pages(
        fresh("sync-pages-a").await,
        fresh("sync-pages-b").await,
    )
    .await);
}

#[wasm_bindgen_test]
async fn sync_conflict() {
    run(contract::sync::contract_sync_conflict(
        fresh("sync-conflict-a").await,
        fresh("sync-conflict-b").await,
    )
    .await);
}

#[wasm_bindgen_test]
async fn sync_demo_and_reset() {
    run(contract::sync::contract_sync_demo_and_reset(fresh("sync-demo").await).await);
}

#[wasm_bindgen_test]
async fn sync_pull_before_push() {
    for seats in [(60, 70), (70, 60)] {
        run(contract::sync::contract_sync_pull_before_push(
            fresh("sync-pull-a").await,
            fresh("sync-pull-b").await,
            seats,
        )
        .await);
    }
}

#[wasm_bindgen_test]
async fn sync_resolve_keep_winner() {
    run(contract::sync::contract_sync_resolve(
        fresh("sync-keep-a").await,
        fresh("sync-keep-b").await,
        ResolveBy::KeepWinner,
    )
    .await);
}

#[wasm_bindgen_test]
async fn sync_resolve_keep_other() {
    run(contract::sync::contract_sync_resolve(
        fresh("sync-other-a").await,
        fresh("sync-other-b").await,
        ResolveBy::KeepOther,
    )
    .await);
}

#[wasm_bindgen_test]
async fn sync_resolve_merge() {
    run(contract::sync::contract_sync_resolve(
        fresh("sync-merge-a").await,
        fresh("sync-merge-b").await,
        ResolveBy::Merge,
    )
    .await);
}

// ---- IndexedDB only ----

/// Sync set up in one tab: the other tab hears of it and queues its next
/// save; a tab opened later reads it at open.
#[wasm_bindgen_test]
async fn another_tab_learns_that_sync_is_set_up() {
    let name = fresh_name("sync-tabs");
    let a = open(&name).await;
    let b = open(&name).await;
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    ok(
        DeskSync::new(a.clone())
            .enable()
            .await
            .map_err(|e| StorageError::Other(e.to_string())),
        "enable",
    );
    sleep(20).await;
    ok(b.create(w.lead.clone()).await, "lead in b");
    let entry = OutboxEntry::record_key(StoreName::Leads, &w.lead.key());
    assert!(
        ok(a.get::<OutboxEntry>(&entry).await, "entry").is_some(),
        "the other tab's save was not queued"
    );
    drop((a, b));
    sleep(10).await;
    let c = open(&name).await;
    ok(c.create(w.account.clone()).await, "account in c");
    let entry = OutboxEntry::record_key(StoreName::Accounts, &w.account.key());
    assert!(
        ok(c.get::<OutboxEntry>(&entry).await, "entry").is_some(),
        "a tab opened later did not queue"
    );
}

/// v4 -> v5: every record kept, the sync stores made, and sync works.
#[wasm_bindgen_test]
async fn upgrades_a_v4_database_keeping_its_data_and_syncs_it() {
    let name = fresh_name("v4");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    {
        let old = match IdbRepository::open_at_version(&name, 4, || {}).await {
            Ok(repo) => repo,
            Err(e) => panic!("opening at v4: {e}"),
        };
        assert_eq!(old.version(), 4);
        ok(old.create(w.converted_license.clone()).await, "license");
        ok(old.create(w.lead.clone()).await, "lead");
        ok(old.create(w.event.clone()).await, "event");
        ok(old.create(w.alert_rule.clone()).await, "alert rule");
        ok(old.create(w.notification.clone()).await, "notification");
        ok(old.create(w.sequences.clone()).await, "counters");
        ok(
            old.put_all(w.history.clone(), Expect::Absent).await,
            "history",
        );
    }
    sleep(10).await;

    let repo = open(&name).await;
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    assert_eq!(
        ok(
            repo.load::<License>(&w.converted_license.key()).await,
            "license"
        )
        .record,
        w.converted_license
    );
    assert_eq!(
        ok(repo.load::<Lead>(&w.lead.key()).await, "lead").record,
        w.lead
    );
    assert_eq!(
        ok(repo.load::<InstallEvent>(&w.event.key()).await, "event").record,
        w.event
    );
    assert_eq!(
        ok(repo.load::<AlertRule>(&w.alert_rule.key()).await, "rule").record,
        w.alert_rule
    );
    assert_eq!(
        ok(
            repo.load::<NotificationRecord>(&w.notification.key).await,
            "notification"
        )
        .record,
        w.notification
    );
    assert_eq!(
        ok(repo.load::<Sequences>(SEQUENCES_KEY).await, "counters").record,
        w.sequences
    );
    assert_eq!(
        ok(
            repo.find(HISTORY_LICENSE, Query::eq(w.converted_license.key()))
                .await,
            "history"
        )
        .len(),
        w.history
            .iter()
            .filter(|h| h.license_id == w.converted_license.id)
            .count()
    );
    // Nothing is queued until sync is set up; then everything synced is.
    assert_eq!(ok(repo.count::<OutboxEntry>().await, "outbox"), 0);
    let desk = DeskSync::new(repo.clone());
    let queued = match desk.enable().await {
        Ok(n) => n,
        Err(e) => panic!("enable: {e}"),
    };
    let synced = 3 + w.history.len() as u64; // license, lead, event, history
    assert_eq!(queued, synced);
    let docs = match desk.pending(1_000).await {
        Ok(docs) => docs,
        Err(e) => panic!("pending: {e}"),
    };
    assert_eq!(docs.len() as u64, synced);
    assert_eq!(ok(repo.count::<SyncDoc>().await, "sync docs"), 0);
}

#[wasm_bindgen_test]
async fn data_survives_closing_and_reopening() {
    let name = fresh_name("reopen");
    let world = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    {
        let repo = open(&name).await;
        let created = ok(repo.create(world.license.clone()).await, "create license");
        ok(repo.update(created).await, "update license");
        ok(
            repo.put_all(
                world.catalog.users.clone(),
                license_desk::storage::Expect::Absent,
            )
            .await,
            "users",
        );
        assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    } // dropped: the connection closes
    sleep(10).await;
    let repo = open(&name).await;
    let license = ok(
        repo.load::<License>(&world.license.key()).await,
        "load license",
    );
    assert_eq!(
        license,
        Stored {
            rev: 2,
            record: world.license.clone()
        }
    );
    let users = ok(repo.get_all::<User>().await, "users");
    assert_eq!(users.len(), world.catalog.users.len());
    let found = ok(
        repo.find(
            LICENSE_ORG,
            Query::eq(world.license.subscriber_org_id.to18()),
        )
        .await,
        "find",
    );
    assert_eq!(found.len(), 1);
}

/// Creates database `name` at schema version 1 the way version 1 of the app
/// did (one store per record type, keyed by `id`, no indexes) and fills it
/// with version-1 objects `{ id, rev, data }`.
async fn create_v1_database(name: &str, values: Vec<(&'static str, JsValue)>) {
    let make = |db: &Database| {
        for store in schema::V1_STORES {
            db.create_object_store(store.as_str())
                .with_key_path(KeyPath::One("id"))
                .build()?;
        }
        Ok(())
    };
    create_database(name, 1, make, values).await;
}

/// Creates database `name` at `version` with what `make` creates (as that
/// version of the app did) and fills it with `values` as they are.
async fn create_database(
    name: &str,
    version: u32,
    make: impl FnOnce(&Database) -> indexed_db_futures::Result<()> + 'static,
    values: Vec<(&'static str, JsValue)>,
) {
    let db = match Database::open(name)
        .with_version(version)
        .with_on_upgrade_needed(move |_event, db| make(&db))
        .await
    {
        Ok(db) => db,
        Err(e) => panic!("creating the v{version} database: {e}"),
    };
    put_values(&db, values).await;
    assert_eq!(db.version() as u32, version);
    db.close();
}

fn v1<T: Record>(record: &T, rev: u64) -> (&'static str, JsValue) {
    (T::STORE.as_str(), ok(encode_v1(record, rev), "encode v1"))
}

#[wasm_bindgen_test]
async fn upgrades_a_v1_database_keeping_its_data() {
    let name = fresh_name("v1");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    let mut values = vec![
        v1(&w.license, 3),
        v1(&w.lead, 1),
        v1(&w.catalog.package, 2),
        v1(&w.event, 1),
        v1(&w.sequences, 5),
    ];
    for entry in &w.history {
        values.push(v1(entry, 1));
    }
    for user in &w.catalog.users {
        values.push(v1(user, 1));
    }
    create_v1_database(&name, values).await;

    let repo = open(&name).await;
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    let license = ok(repo.load::<License>(&w.license.key()).await, "license");
    assert_eq!(
        license,
        Stored {
            rev: 3,
            record: w.license.clone()
        }
    );
    let seq = ok(repo.load::<Sequences>(SEQUENCES_KEY).await, "sequences");
    assert_eq!(seq.rev, 5);
    assert_eq!(
        ok(repo.count::<User>().await, "users") as usize,
        w.catalog.users.len()
    );
    // The upgrade indexed the old records.
    let by_org = ok(
        repo.find(LICENSE_ORG, Query::eq(w.license.subscriber_org_id.to18()))
            .await,
        "by org",
    );
    assert_eq!(by_org.len(), 1);
    let of_package = ok(
        repo.find(
            LICENSE_PACKAGE_NAME,
            package_name_query(&w.license.package_id),
        )
        .await,
        "by package",
    );
    assert_eq!(of_package.len(), 1);
    let history = ok(
        repo.find(HISTORY_LICENSE, Query::eq(w.license.key())).await,
        "history",
    );
    assert_eq!(history.len(), w.history.len());
    let of_lead = ok(
        repo.find(LICENSE_LEAD, Query::eq(w.lead.key())).await,
        "by lead",
    );
    assert_eq!(of_lead.len(), 1);
    // And revisions carry on.
    let updated = ok(repo.update(license).await, "update after the upgrade");
    assert_eq!(updated.rev, 4);
    let _ = ok(repo.load::<Lead>(&w.lead.key()).await, "lead");
    let _ = ok(repo.get_all::<HistoryEntry>().await, "history entries");
}

/// A database the previous version of the app (schema 2, no notifications
/// store) filled opens at the current version with nothing lost, and the
/// new store works at once.
#[wasm_bindgen_test]
async fn upgrades_a_v2_database_keeping_its_data() {
    let name = fresh_name("v2");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    {
        let old = match IdbRepository::open_at_version(&name, 2, || {}).await {
            Ok(repo) => repo,
            Err(e) => panic!("opening at v2: {e}"),
        };
        assert_eq!(old.version(), 2);
        let created = ok(old.create(w.license.clone()).await, "license");
        ok(old.update(created).await, "license again");
        ok(old.create(w.alert_rule.clone()).await, "alert rule");
        ok(old.create(w.lead.clone()).await, "lead");
        ok(old.create(w.sequences.clone()).await, "counters");
        ok(
            old.put_all(
                w.catalog.users.clone(),
                license_desk::storage::Expect::Absent,
            )
            .await,
            "users",
        );
    } // dropped: the old app's connection closes
    sleep(10).await;

    let repo = open(&name).await;
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    assert_eq!(
        ok(repo.load::<License>(&w.license.key()).await, "license"),
        Stored {
            rev: 2,
            record: w.license.clone()
        }
    );
    let rule = ok(
        repo.load::<AlertRule>(&w.alert_rule.key()).await,
        "alert rule",
    );
    assert_eq!(rule.record, w.alert_rule);
    assert_eq!(
        ok(repo.count::<User>().await, "users") as usize,
        w.catalog.users.len()
    );
    let _ = ok(repo.load::<Lead>(&w.lead.key()).await, "lead");
    assert_eq!(
        ok(repo.load::<Sequences>(SEQUENCES_KEY).await, "counters").record,
        w.sequences
    );
    assert_eq!(
        ok(
            repo.find(LICENSE_ORG, Query::eq(w.license.subscriber_org_id.to18()))
                .await,
            "by org"
        )
        .len(),
        1
    );
    // The new store is there, empty, and keeps a notification.
    assert_eq!(
        ok(repo.count::<NotificationRecord>().await, "notifications"),
        0
    );
    let made = ok(repo.create(w.notification.clone()).await, "notification");
    assert_eq!(
        ok(
            repo.load::<NotificationRecord>(&w.notification.key).await,
            "notification back"
        ),
        made
    );
}

/// Puts stored values into the database `name` as they are, at its version.
async fn put_raw(name: &str, version: u32, values: Vec<(&'static str, JsValue)>) {
    let db = match Database::open(name).with_version(version).await {
        Ok(db) => db,
        Err(e) => panic!("opening {name} at v{version}: {e}"),
    };
    put_values(&db, values).await;
    db.close();
}

/// Writes `(store, value)` pairs into `db` as they are, in one transaction.
async fn put_values(db: &Database, values: Vec<(&'static str, JsValue)>) {
    let mut stores: Vec<&str> = values.iter().map(|(s, _)| *s).collect();
    stores.sort_unstable();
    stores.dedup();
    let tx = match db
        .transaction(stores.as_slice())
        .with_mode(TransactionMode::Readwrite)
        .build()
    {
        Ok(tx) => tx,
        Err(e) => panic!("raw transaction: {e}"),
    };
    for (store, value) in values {
        let object_store = match tx.object_store(store) {
            Ok(s) => s,
            Err(e) => panic!("raw store {store}: {e}"),
        };
        if let Err(e) = object_store.put(value).primitive() {
            panic!("raw put: {e}");
        }
    }
    if let Err(e) = tx.commit().await {
        panic!("raw commit: {e}");
    }
}

/// A database of schema 3 (before the paged indexes) opens at the current
/// version with nothing lost, and its old records are in the new indexes:
/// those saved with no index fields at all (re-encoded by the upgrade) and
/// those saved by a v3 app.
#[wasm_bindgen_test]
async fn upgrades_a_v3_database_keeping_its_data_and_paging_it() {
    let name = fresh_name("v3");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    {
        let old = match IdbRepository::open_at_version(&name, 3, || {}).await {
            Ok(repo) => repo,
            Err(e) => panic!("opening at v3: {e}"),
        };
        assert_eq!(old.version(), 3);
        // The license is stored raw below (the converted one has its key).
        ok(old.create(w.lead.clone()).await, "lead");
        ok(old.create(w.alert_rule.clone()).await, "alert rule");
        ok(old.create(w.notification.clone()).await, "notification");
        ok(old.create(w.sequences.clone()).await, "counters");
        ok(
            old.put_all(
                w.catalog.users.clone(),
                license_desk::storage::Expect::Absent,
            )
            .await,
            "users",
        );
    } // dropped: the old app's connection closes
    sleep(10).await;
    // Stored with no index fields, as the oldest builds left them.
    put_raw(&name, 3, vec![v1(&w.event, 4), v1(&w.converted_license, 2)]).await;

    let repo = open(&name).await;
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    assert_eq!(
        ok(
            repo.load::<License>(&w.converted_license.key()).await,
            "raw license"
        ),
        Stored {
            rev: 2,
            record: w.converted_license.clone()
        }
    );
    assert_eq!(
        ok(repo.load::<InstallEvent>(&w.event.key()).await, "event"),
        Stored {
            rev: 4,
            record: w.event.clone()
        }
    );
    let _ = ok(repo.load::<Lead>(&w.lead.key()).await, "lead");
    assert_eq!(
        ok(repo.load::<AlertRule>(&w.alert_rule.key()).await, "rule").record,
        w.alert_rule
    );
    assert_eq!(
        ok(
            repo.load::<NotificationRecord>(&w.notification.key).await,
            "notification"
        )
        .record,
        w.notification
    );
    assert_eq!(
        ok(repo.load::<Sequences>(SEQUENCES_KEY).await, "counters").record,
        w.sequences
    );
    assert_eq!(
        ok(repo.count::<User>().await, "users") as usize,
        w.catalog.users.len()
    );
    // The new indexes hold the old records.
    let events = ok(
        repo.read_page(INSTALL_RECENT, Query::All, None, 50).await,
        "events by time",
    );
    assert_eq!(events.read.records.len(), 1);
    assert_eq!(events.read.records[0].record, w.event);
    let outcome = outcome_key(&w.event.outcome);
    assert_eq!(
        ok(
            repo.count_found(INSTALL_OUTCOME_RECENT, outcome_query(outcome))
                .await,
            "events by outcome"
        ),
        1
    );
    {
        let license = &w.converted_license;
        let page = ok(
            repo.read_page(
                LICENSE_PACKAGE_NAME,
                package_name_query(&license.package_id),
                None,
                50,
            )
            .await,
            "licenses of the package",
        );
        assert!(
            page.read.records.iter().any(|s| &s.record == license),
            "{} not in its package's pages",
            license.name
        );
    }
    // And the old indexes still work.
    assert_eq!(
        ok(
            repo.find(
                LICENSE_ORG,
                Query::eq(w.converted_license.subscriber_org_id.to18())
            )
            .await,
            "by org"
        )
        .iter()
        .filter(|s| s.record == w.converted_license)
        .count(),
        1
    );
}

/// The indexes version 7 had and version 8 deleted, by store, as version 7
/// made them (key path `ix_<name>`): spelled out here, not taken from
/// `schema::V8_DROPPED_INDEXES`, so a step that forgot one fails the test.
const V7_DROPPED: [(StoreName, &str); 6] = [
    (StoreName::Licenses, "status"),
    (StoreName::Licenses, "package"),
    (StoreName::Licenses, "expiration"),
    (StoreName::Leads, "owner"),
    (StoreName::Leads, "status"),
    (StoreName::AlertRules, "user"),
];

/// Creates database `name` at schema version 7 as version 7 of the app
/// left it (every store, the current schema's indexes, the sync pages'
/// multi-entry one and those version 8 deleted) and fills it with `values`
/// as they are.
async fn create_v7_database(name: &str, values: Vec<(&'static str, JsValue)>) {
    let make = |db: &Database| {
        for store in StoreName::ALL.into_iter().chain(StoreName::SYNC) {
            let object_store = db
                .create_object_store(store.as_str())
                .with_key_path(KeyPath::One("id"))
                .build()?;
            for def in store.indexes() {
                object_store
                    .create_index(def.name, KeyPath::One(def.key_path))
                    .build()?;
            }
            for (_, index) in V7_DROPPED.iter().filter(|(s, _)| *s == store) {
                let key_path = format!("ix_{index}");
                object_store
                    .create_index(*index, KeyPath::One(key_path.as_str()))
                    .build()?;
            }
            if store == StoreName::SyncPages {
                let def = schema::SYNC_PAGE_INDEX;
                object_store
                    .create_index(def.name, KeyPath::One(def.key_path))
                    .with_multi_entry(true)
                    .build()?;
            }
        }
        // The licenses list's snapshot (version 6), rebuilt when empty.
        db.create_object_store("list_rows")
            .with_key_path(KeyPath::One("id"))
            .build()?;
        Ok(())
    };
    create_database(name, 7, make, values).await;
}

/// `record` as version 7 stored it: `{ id, rev, data }` with the `ix_`
/// field of every index it had, `dropped` giving those of the indexes
/// version 8 deleted.
fn v7<T: Record>(
    record: &T,
    rev: u64,
    dropped: &[(&str, Option<String>)],
) -> (&'static str, JsValue) {
    let (store, value) = v1(record, rev);
    let kept = T::STORE
        .indexes()
        .iter()
        .map(|def| (def.key_path.to_string(), record.index_value(def.name)));
    let dropped = dropped
        .iter()
        .map(|(name, v)| (format!("ix_{name}"), v.clone()));
    for (field, v) in kept.chain(dropped) {
        if let Some(v) = v {
            let _ = js_sys::Reflect::set(&value, &field.as_str().into(), &v.as_str().into());
        }
    }
    (store, value)
}

/// The index names of every store of database `name`, as it is now.
async fn index_names(name: &str) -> Vec<(String, Vec<String>)> {
    let db = match Database::open(name).await {
        Ok(db) => db,
        Err(e) => panic!("opening {name}: {e}"),
    };
    let stores: Vec<String> = db.object_store_names().collect();
    let tx = match db.transaction(stores.as_slice()).build() {
        Ok(tx) => tx,
        Err(e) => panic!("transaction: {e}"),
    };
    let mut out = Vec::new();
    for store in stores {
        let names = match tx.object_store(&store) {
            Ok(s) => {
                let mut names: Vec<String> = s.index_names().collect();
                names.sort();
                names
            }
            Err(e) => panic!("store {store}: {e}"),
        };
        out.push((store, names));
    }
    drop(tx);
    db.close();
    out
}

/// The stored object with key `key` in `store`, as it is.
async fn raw_value(name: &str, store: StoreName, key: &str) -> JsValue {
    let db = match Database::open(name).await {
        Ok(db) => db,
        Err(e) => panic!("opening {name}: {e}"),
    };
    let value = {
        let tx = match db.transaction(store.as_str()).build() {
            Ok(tx) => tx,
            Err(e) => panic!("transaction: {e}"),
        };
        let object_store = match tx.object_store(store.as_str()) {
            Ok(s) => s,
            Err(e) => panic!("store {store}: {e}"),
        };
        let request = match object_store.get::<JsValue, _, _>(key).primitive() {
            Ok(r) => r,
            Err(e) => panic!("get {key}: {e}"),
        };
        match request.await {
            Ok(Some(value)) => value,
            Ok(None) => panic!("{store} {key} is not stored"),
            Err(e) => panic!("get {key}: {e}"),
        }
    };
    db.close();
    value
}

/// `record` at `rev` is all its store holds, and nothing there is damaged.
async fn assert_only_stored<T: Record + PartialEq + std::fmt::Debug>(
    repo: &IdbRepository,
    rev: u64,
    record: &T,
) {
    let read = ok(repo.read_all::<T>().await, T::STORE.as_str());
    assert!(read.damaged.is_empty(), "{:?}", read.damaged);
    assert_eq!(
        read.records,
        vec![Stored {
            rev,
            record: record.clone()
        }]
    );
}

fn has_field(value: &JsValue, field: &str) -> bool {
    js_sys::Reflect::has(value, &field.into()).unwrap_or(false)
}

/// A database of schema 7, with the indexes version 8 deletes and records
/// carrying their fields, opens at the current version: those indexes are
/// gone, the others are all there and answer, and every record reads back
/// as it was. (A database older than version 2 never had them: the v1, v2,
/// v3 and v4 upgrade tests above open such databases.)
#[wasm_bindgen_test]
async fn upgrades_a_v7_database_deleting_the_unused_indexes() {
    let name = fresh_name("v7");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    let license = &w.converted_license;
    let lead = &w.converted_lead;
    let owner = |owner: &license_desk::domain::LeadOwner| match owner {
        license_desk::domain::LeadOwner::User(user) => user.to18().to_string(),
        license_desk::domain::LeadOwner::LicenseManagementApp => {
            "License Management App".to_string()
        }
    };
    let mut values = vec![
        v7(
            license,
            3,
            &[
                ("status", Some(license.status.label().to_string())),
                ("package", Some(license.package_id.to18().to_string())),
                (
                    "expiration",
                    license.expiration.date().map(|d| d.to_string()),
                ),
            ],
        ),
        v7(
            lead,
            2,
            &[
                ("owner", Some(owner(&lead.owner))),
                ("status", Some(lead.status.label().to_string())),
            ],
        ),
        v7(
            &w.alert_rule,
            1,
            &[("user", Some(w.alert_rule.recipient.to18().to_string()))],
        ),
        v7(&w.event, 1, &[]),
        v7(&w.catalog.package, 1, &[]),
        v7(&w.catalog.version, 1, &[]),
        v7(&w.account, 1, &[]),
        v7(&w.contact, 1, &[]),
        v7(&w.notification, 1, &[]),
        v7(&w.sequences, 4, &[]),
    ];
    for entry in &w.history {
        values.push(v7(entry, 1, &[]));
    }
    for user in &w.catalog.users {
        values.push(v7(user, 1, &[]));
    }
    create_v7_database(&name, values).await;
    let before = raw_value(&name, StoreName::Licenses, &license.key()).await;
    assert!(has_field(&before, "ix_status"), "the v7 license's fields");

    let repo = open(&name).await;
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);

    // The deleted indexes are gone, every other one is there.
    for (store, names) in index_names(&name).await {
        let Some(known) = StoreName::ALL
            .into_iter()
            .chain(StoreName::SYNC)
            .find(|s| s.as_str() == store)
        else {
            assert!(names.is_empty(), "{store}: {names:?}");
            continue;
        };
        let mut expected: Vec<String> =
            known.indexes().iter().map(|d| d.name.to_string()).collect();
        if known == StoreName::SyncPages {
            expected.push(schema::SYNC_PAGE_INDEX.name.to_string());
        }
        expected.sort();
        assert_eq!(names, expected, "the indexes of {store}");
    }

    // Every record reads back as it was, none damaged.
    assert_only_stored(&repo, 3, license).await;
    assert_only_stored(&repo, 2, lead).await;
    assert_only_stored(&repo, 1, &w.alert_rule).await;
    assert_only_stored(&repo, 1, &w.event).await;
    assert_only_stored(&repo, 1, &w.notification).await;
    assert_only_stored(&repo, 4, &w.sequences).await;
    assert_eq!(
        ok(repo.count::<User>().await, "users") as usize,
        w.catalog.users.len()
    );

    // The indexes that stay answer: equality, a range, and a paged read.
    let keys = |found: Vec<Stored<License>>| -> Vec<String> {
        found.into_iter().map(|s| s.record.key()).collect()
    };
    assert_eq!(
        keys(ok(
            repo.find(LICENSE_ORG, Query::eq(license.subscriber_org_id.to18()))
                .await,
            "by org"
        )),
        vec![license.key()]
    );
    let of_package = || {
        repo.find(
            LICENSE_PACKAGE_NAME,
            package_name_query(&license.package_id),
        )
    };
    assert_eq!(
        keys(ok(of_package().await, "by package")),
        vec![license.key()]
    );
    if let Some(lead_id) = &license.lead_id {
        assert_eq!(
            keys(ok(
                repo.find(LICENSE_LEAD, Query::eq(lead_id.to18())).await,
                "by lead"
            )),
            vec![license.key()]
        );
    }
    assert_eq!(
        ok(
            repo.find(HISTORY_LICENSE, Query::eq(license.key())).await,
            "history"
        )
        .len(),
        w.history
            .iter()
            .filter(|h| h.license_id == license.id)
            .count()
    );
    let events = ok(
        repo.read_page(INSTALL_RECENT, Query::All, None, 50).await,
        "events by time",
    );
    assert_eq!(events.read.records.len(), 1);

    // The old fields stay until the record is next written, which drops them.
    let still = raw_value(&name, StoreName::Licenses, &license.key()).await;
    assert!(
        has_field(&still, "ix_status"),
        "the upgrade rewrote the license"
    );
    let updated = ok(
        repo.update(Stored {
            rev: 3,
            record: license.clone(),
        })
        .await,
        "save after the upgrade",
    );
    assert_eq!(updated.rev, 4);
    let after = raw_value(&name, StoreName::Licenses, &license.key()).await;
    for (store, index) in V7_DROPPED {
        if store == StoreName::Licenses {
            assert!(!has_field(&after, &format!("ix_{index}")), "ix_{index}");
        }
    }
    assert!(has_field(&after, "ix_package_name"));
    assert_eq!(
        keys(ok(of_package().await, "by package after the save")),
        vec![license.key()]
    );
}

#[wasm_bindgen_test]
async fn a_newer_tab_closes_an_older_connection_instead_of_blocking() {
    let name = fresh_name("versionchange");
    let old = match IdbRepository::open_at_version(&name, 1, || {}).await {
        Ok(repo) => repo,
        Err(e) => panic!("open v1: {e}"),
    };
    let heard = Rc::new(Cell::new(None));
    let sink = Rc::clone(&heard);
    let _sub = old.subscribe(move |notice| sink.set(Some(notice.origin)));
    let blocked = Rc::new(Cell::new(false));
    let flag = Rc::clone(&blocked);
    let new = match IdbRepository::open_with(&name, move || flag.set(true)).await {
        Ok(repo) => repo,
        Err(e) => panic!("open current: {e}"),
    };
    assert!(!blocked.get(), "the upgrade was blocked");
    assert_eq!(new.version(), schema::SCHEMA_VERSION);
    assert!(old.is_closed());
    assert_eq!(heard.get(), Some(ChangeOrigin::SchemaUpgrade));
    let err = old.get::<User>("x").await;
    assert!(
        matches!(&err, Err(StorageError::Other(m)) if m.contains("Reload")),
        "{err:?}"
    );
}

#[wasm_bindgen_test]
async fn an_upgrade_blocked_by_an_old_connection_waits_for_it() {
    let name = fresh_name("blocked");
    // An old version of the app, which doesn't close on versionchange.
    let stale = match Database::open(name.as_str())
        .with_version(1u32)
        .with_on_upgrade_needed(|_event, db| {
            for store in schema::V1_STORES {
                db.create_object_store(store.as_str())
                    .with_key_path(KeyPath::One("id"))
                    .build()?;
            }
            Ok(())
        })
        .await
    {
        Ok(db) => db,
        Err(e) => panic!("open stale: {e}"),
    };
    let blocked = Rc::new(Cell::new(false));
    let flag = Rc::clone(&blocked);
    let opening = IdbRepository::open_with(&name, move || flag.set(true));
    let closer = async {
        for _ in 0..100 {
            if blocked.get() {
                break;
            }
            sleep(10).await;
        }
        let was_blocked = blocked.get();
        stale.close();
        was_blocked
    };
    let (repo, was_blocked) = futures::join!(opening, closer);
    assert!(was_blocked, "on_blocked was not called");
    let repo = ok(repo, "open after the old tab closed");
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    assert!(StorageError::UpgradeBlocked
        .to_string()
        .contains("Close the other License Desk tabs"));
}

#[wasm_bindgen_test]
async fn deleting_a_database_removes_its_data() {
    let name = fresh_name("delete");
    {
        let repo = open(&name).await;
        ok(repo.create(contract::tag("t")).await, "create");
    }
    sleep(10).await;
    ok(IdbRepository::delete_database(&name).await, "delete");
    let repo = open(&name).await;
    assert_eq!(ok(repo.count::<contract::Tag>().await, "count"), 0);
}

#[wasm_bindgen_test]
fn settings_live_in_local_storage() {
    let mut s = settings::load();
    s.current_user_id = Some("005000000000001AAA".into());
    ok(settings::save(&s), "save settings");
    assert_eq!(
        settings::current_user_id().as_deref(),
        Some("005000000000001AAA")
    );
    settings::set_current_user_id("005000000000002AAA");
    assert_eq!(
        settings::current_user_id().as_deref(),
        Some("005000000000002AAA")
    );
    let prefs = settings::ListPrefs {
        sort_by: Some("expiration".into()),
        descending: true,
        page_size: Some(25),
        filters: Default::default(),
        columns: Some(vec!["name".into(), "expiration".into()]),
        view: Some("Expiring in 30 days".into()),
    };
    ok(
        settings::set_list_prefs("licenses", prefs.clone()),
        "list prefs",
    );
    assert_eq!(settings::list_prefs("licenses"), prefs);
    assert_eq!(
        settings::list_prefs("leads"),
        settings::ListPrefs::default()
    );
}

/// A failed commit (an injected request failure aborting a transaction with
/// many pending writes) leaves no uncaught exception behind.
#[wasm_bindgen_test]
async fn a_failed_commit_raises_no_uncaught_errors() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let repo = fresh("uncaught").await;
    let errors = Rc::new(Cell::new(0u32));
    let count = Rc::clone(&errors);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
        count.set(count.get() + 1);
    });
    let window = match web_sys::window() {
        Some(w) => w,
        None => panic!("no window"),
    };
    let _ = window.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    let mut batch = license_desk::storage::WriteBatch::new();
    for i in 0..200 {
        batch.create(contract::tag(&format!("t-{i:03}")));
    }
    batch.fail_at_write(100);
    let result = repo.commit(batch).await;
    assert!(result.is_err());
    assert_eq!(ok(repo.count::<contract::Tag>().await, "count"), 0);
    // IndexedDB runs a database's read-write transactions in order and
    // dispatches an aborted one's events before a later one completes: once
    // this next save is done, any uncaught error of the failed one has been
    // raised.
    ok(repo.create(contract::tag("after")).await, "the next save");
    let _ = window.remove_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
    assert_eq!(errors.get(), 0, "uncaught errors after a failed commit");
}

/// A value a foreign writer left in a store (not a `{ id, rev, data }`
/// record) is kept whole in a backup, marked damaged, and a restore of that
/// backup leaves it out and restores the rest.
#[wasm_bindgen_test]
async fn a_backup_keeps_a_foreign_value_whole() {
    use license_desk::storage::backup::{make_backup, read_backup, restore};

    let name = fresh_name("backup-foreign");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    let foreign = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&foreign, &"id".into(), &"foreign-1".into());
    let _ = js_sys::Reflect::set(
        &foreign,
        &"note".into(),
        &"<b>left by an extension</b>".into(),
    );
    create_v1_database(&name, vec![v1(&w.license, 4), ("licenses", foreign.into())]).await;
    let repo = open(&name).await;
    let backup = match make_backup(
        &repo,
        &settings::Settings::default(),
        samples::at(2026, 12, 1, 9).unwrap_or_default(),
    )
    .await
    {
        Ok(b) => b,
        Err(e) => panic!("backup: {e}"),
    };
    assert_eq!(backup.damaged.len(), 1, "{:?}", backup.damaged);
    assert_eq!(backup.damaged[0].key, "foreign-1");
    let text = backup.to_text();
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(doc) => doc,
        Err(e) => panic!("backup JSON: {e}"),
    };
    let records = doc
        .pointer("/stores/licenses")
        .and_then(|v| v.as_array())
        .cloned()
        .unwrap_or_default();
    let kept = records
        .iter()
        .find(|r| r["key"] == "foreign-1")
        .cloned()
        .unwrap_or_default();
    assert_eq!(kept["stored"]["note"], "<b>left by an extension</b>");
    assert_eq!(kept["rev"], serde_json::Value::Null);
    let license = records
        .iter()
        .find(|r| r["key"] == w.license.key().as_str())
        .cloned()
        .unwrap_or_default();
    assert_eq!(license["rev"], 4);

    let plan = match read_backup(&text) {
        Ok(plan) => plan,
        Err(e) => panic!("read_backup: {e}"),
    };
    assert_eq!(plan.skipped.len(), 1);
    ok(
        restore(&repo, plan)
            .await
            .map_err(|e| StorageError::Other(e.to_string())),
        "restore",
    );
    let licenses = ok(repo.get_all::<License>().await, "licenses");
    assert_eq!(
        licenses,
        vec![Stored {
            rev: 4,
            record: w.license.clone()
        }]
    );
}

// ---- bulk handles (demo load, import, restore, bulk apply) ----

/// A bulk handle and the progress it reported.
fn bulk_handle(repo: &IdbRepository) -> (IdbRepository, Rc<std::cell::RefCell<Vec<Progress>>>) {
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    let sink = Rc::clone(&seen);
    (repo.bulk(move |p| sink.borrow_mut().push(p)), seen)
}

fn probes(from: usize, n: usize) -> impl Iterator<Item = contract::Probe> {
    (from..from + n).map(|i| contract::probe(&format!("p-{i:06}"), "Active", "pkg", None))
}

#[wasm_bindgen_test]
async fn bulk_handle_keeps_the_contract() {
    let bulk = |repo: IdbRepository| repo.bulk(|_| {});
    run(contract::contract_atomic_conflict(bulk(fresh("b-conflict").await)).await);
    run(contract::contract_atomic_taken_key(bulk(fresh("b-taken").await)).await);
    run(contract::contract_atomic_injected_failure(bulk(fresh("b-fault").await)).await);
    run(contract::contract_atomic_unserializable(bulk(fresh("b-unser").await)).await);
    run(contract::contract_built_records(bulk(fresh("b-built").await)).await);
    run(contract::contract_replace_stores(bulk(fresh("b-replace").await)).await);
    run(contract::contract_bulk(bulk(fresh("b-bulk").await), 21_000).await);
}

#[wasm_bindgen_test]
async fn bulk_commit_reports_progress_in_order_up_to_the_total() {
    let repo = fresh("progress").await;
    let (bulk, seen) = bulk_handle(&repo);
    let n = 2 * PROGRESS_STEP + 1;
    ok(bulk.put_all(probes(0, n), Expect::Absent).await, "bulk put");
    let seen = seen.borrow().clone();
    let expected: Vec<Progress> = [0, PROGRESS_STEP, 2 * PROGRESS_STEP, n]
        .into_iter()
        .map(|done| Progress::new(done, n))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(ok(repo.count::<contract::Probe>().await, "count"), n as u64);
    // The plain handle reports nothing and still commits.
    ok(
        repo.put_all(probes(n, 10), Expect::Absent).await,
        "plain put",
    );
    assert_eq!(seen.len(), 4);
}

#[wasm_bindgen_test]
async fn a_bulk_commit_failing_after_several_progress_steps_writes_nothing() {
    let repo = fresh("bulk-late-failure").await;
    ok(repo.put_all(probes(0, 3), Expect::Absent).await, "seed");
    // An injected failure, and a key already taken, each after 2 steps.
    let late = 2 * PROGRESS_STEP + 500;
    let mut batch = WriteBatch::new();
    for probe in probes(100, 3 * PROGRESS_STEP) {
        batch.create(probe);
    }
    batch.fail_at_write(late);
    let (bulk, seen) = bulk_handle(&repo);
    assert!(bulk.commit(batch).await.is_err());
    assert!(seen.borrow().iter().any(|p| p.done >= PROGRESS_STEP));
    assert!(seen.borrow().iter().all(|p| p.done < p.total));
    assert_eq!(ok(repo.count::<contract::Probe>().await, "count"), 3);

    let mut batch = WriteBatch::new();
    for probe in probes(100, late)
        .chain(probes(1, 1))
        .chain(probes(5_000, 10))
    {
        batch.create(probe);
    }
    let (bulk, _) = bulk_handle(&repo);
    match bulk.commit(batch).await {
        Err(StorageError::Conflict { id, .. }) => assert_eq!(id, "p-000001"),
        other => panic!("expected a conflict on p-000001, got {other:?}"),
    }
    assert_eq!(ok(repo.count::<contract::Probe>().await, "count"), 3);
}

#[wasm_bindgen_test]
async fn a_bulk_commit_cancelled_after_several_progress_steps_leaves_the_desk_as_it_was() {
    let repo = fresh("bulk-cancel").await;
    ok(repo.put_all(probes(0, 3), Expect::Any).await, "seed");
    let before = ok(repo.get_all::<contract::Probe>().await, "before");
    // Replaces the store (as the demo load does), cancelled once two steps
    // are written.
    let cancel = ReadStop::new();
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    let (sink, stop) = (Rc::clone(&seen), cancel.clone());
    let bulk = repo
        .bulk(move |p: Progress| {
            sink.borrow_mut().push(p);
            if p.done >= 2 * PROGRESS_STEP {
                stop.stop();
            }
        })
        .cancelled_by(&cancel);
    let mut batch = WriteBatch::new();
    batch.clear_store(contract::Probe::STORE);
    for probe in probes(100, 5 * PROGRESS_STEP) {
        batch.upsert(probe);
    }
    assert_eq!(
        bulk.commit(batch).await.err(),
        Some(StorageError::WriteCancelled)
    );
    let last = seen.borrow().last().copied();
    assert_eq!(last.map(|p| p.done), Some(2 * PROGRESS_STEP));
    assert_eq!(ok(repo.get_all::<contract::Probe>().await, "after"), before);

    // Once cancelled, the handle's next commit is refused before it starts;
    // the plain handle goes on.
    assert_eq!(
        bulk.put_all(probes(200, 1), Expect::Absent).await.err(),
        Some(StorageError::WriteCancelled)
    );
    ok(
        repo.put_all(probes(200, 1), Expect::Absent).await,
        "plain put",
    );
    assert_eq!(ok(repo.count::<contract::Probe>().await, "count"), 4);
}

#[wasm_bindgen_test]
async fn an_upsert_into_a_store_the_batch_empties_writes_revision_1() {
    let repo = fresh("clear-upsert").await;
    ok(repo.put_all(probes(0, 2), Expect::Absent).await, "seed");
    ok(repo.put_all(probes(0, 1), Expect::Any).await, "second save");
    assert_eq!(
        ok(repo.load::<contract::Probe>("p-000000").await, "load").rev,
        2
    );
    let mut batch = WriteBatch::new();
    batch.clear_store(contract::Probe::STORE);
    for probe in probes(0, 1) {
        batch.upsert(probe);
    }
    let (bulk, _) = bulk_handle(&repo);
    ok(bulk.commit(batch).await, "replace");
    let all = ok(repo.get_all::<contract::Probe>().await, "read");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].rev, 1);
}

/// Listing an empty desk writes nothing (a desk only looked at stays as it
/// was); the first license committed builds the snapshot whole.
#[wasm_bindgen_test]
async fn listing_an_empty_desk_writes_nothing() {
    let repo = fresh("empty-list").await;
    let mut listed = Vec::new();
    let damaged = ok(
        repo.visit_listed::<License>(&mut |s| listed.push(s)).await,
        "list",
    );
    assert!(listed.is_empty() && damaged.is_empty());
    assert_eq!(
        ok(repo.snapshot_entries::<License>().await, "entries"),
        None
    );
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    ok(repo.create(w.license.clone()).await, "license");
    assert_eq!(
        ok(repo.snapshot_entries::<License>().await, "entries"),
        Some(vec![(w.license.key(), 1)])
    );
    let mut listed = Vec::new();
    ok(
        repo.visit_listed::<License>(&mut |s| listed.push(s.record.id.to18().to_string()))
            .await,
        "list again",
    );
    assert_eq!(listed, vec![w.license.key()]);
}

/// A database of schema 6 opens at schema 7 with nothing lost: the
/// `sync_docs` an older build wrote keep describing their documents (a
/// revision they hold is not missing, the record they describe is not
/// queued again), and the next first revisions sent go to a page.
#[wasm_bindgen_test]
async fn upgrades_a_v6_database_keeping_its_sync_state() {
    let name = fresh_name("v6");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    let synced_id = SyncRecord::License(w.license.clone()).doc_id();
    let rev = match Rev::parse("1-0123456789abcdef0123456789abcdef") {
        Some(rev) => rev,
        None => panic!("rev"),
    };
    {
        let old = match IdbRepository::open_at_version(&name, 6, || {}).await {
            Ok(repo) => repo,
            Err(e) => panic!("opening at v6: {e}"),
        };
        assert_eq!(old.version(), 6);
        ok(old.put(SyncSetup::default(), Expect::Any).await, "setup");
        let created = ok(old.create(w.license.clone()).await, "license");
        let mut batch = WriteBatch::new();
        batch.from_sync().put(
            SyncDoc {
                id: synced_id.clone(),
                path: Some(RevPath::of(&rev)),
                store_rev: created.rev,
                deleted: false,
                conflicts: Vec::new(),
            },
            Expect::Absent,
        );
        ok(old.commit(batch).await, "sync doc");
        let outbox = ok(old.get_all::<OutboxEntry>().await, "outbox");
        let mut batch = WriteBatch::new();
        batch.from_sync();
        for entry in outbox {
            batch.delete::<OutboxEntry>(entry.record.id, Expect::Any);
        }
        ok(old.commit(batch).await, "sent");
    }
    sleep(10).await;

    let repo = open(&name).await;
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    let kept = ok(repo.get::<SyncDoc>(&synced_id).await, "sync doc");
    assert_eq!(
        kept.map(|s| s.record.path),
        Some(Some(RevPath::of(&rev))),
        "the sync doc is kept"
    );
    assert_eq!(ok(repo.count::<SyncPage>().await, "pages"), 0);
    let desk = DeskSync::new(repo.clone());
    let listed = [(synced_id.clone(), vec![rev.to_string()])]
        .into_iter()
        .collect();
    match desk.missing(&listed).await {
        Ok(missing) => assert!(missing.is_empty(), "{missing:?}"),
        Err(e) => panic!("missing: {e}"),
    }
    match desk.reconcile().await {
        Ok(queued) => assert_eq!(queued, 0, "the described license queued again"),
        Err(e) => panic!("reconcile: {e}"),
    }
    // A record made now is sent and described by a page.
    ok(repo.create(w.lead.clone()).await, "lead");
    let docs = match desk.pending(100).await {
        Ok(docs) => docs,
        Err(e) => panic!("pending: {e}"),
    };
    assert_eq!(docs.len(), 1, "sent after the upgrade");
    if let Err(e) = desk.mark_sent(&docs).await {
        panic!("mark sent: {e}");
    }
    assert_eq!(ok(repo.count::<SyncPage>().await, "pages"), 1);
    assert_eq!(ok(repo.count::<SyncDoc>().await, "sync docs"), 1);
    let lead_id = SyncRecord::Lead(w.lead.clone()).doc_id();
    let pages = ok(
        repo.find_members(SYNC_PAGE_DOCS, std::slice::from_ref(&lead_id))
            .await,
        "find",
    );
    assert_eq!(pages.len(), 1, "the page by its document");
    match desk.waiting().await {
        Ok(n) => assert_eq!(n, 0, "waiting"),
        Err(e) => panic!("waiting: {e}"),
    }
}

/// A database of schema 5 opens at schema 6 with nothing lost: the list
/// snapshot is built by the first list read, holds every license (the
/// damaged one reported as before), and is then kept by commits.
#[wasm_bindgen_test]
async fn upgrades_a_v5_database_keeping_its_data_and_listing_it() {
    let name = fresh_name("v5");
    let w = match samples::world() {
        Ok(w) => w,
        Err(e) => panic!("samples: {e}"),
    };
    {
        let old = match IdbRepository::open_at_version(&name, 5, || {}).await {
            Ok(repo) => repo,
            Err(e) => panic!("opening at v5: {e}"),
        };
        assert_eq!(old.version(), 5);
        let created = ok(old.create(w.license.clone()).await, "license");
        ok(old.update(created).await, "license again");
        ok(old.create(w.lead.clone()).await, "lead");
        ok(old.create(w.sequences.clone()).await, "counters");
        ok(
            old.put_all(w.catalog.users.clone(), Expect::Absent).await,
            "users",
        );
    }
    sleep(10).await;
    // A license an older app left unreadable.
    put_raw(
        &name,
        5,
        vec![v1(
            &contract::StrictProbe {
                id: "damaged-license".into(),
                required_number: 1,
            },
            4,
        )],
    )
    .await;

    let repo = open(&name).await;
    assert_eq!(repo.version(), schema::SCHEMA_VERSION);
    assert_eq!(
        ok(repo.snapshot_entries::<License>().await, "entries"),
        None
    );
    let mut listed = Vec::new();
    let damaged = ok(
        repo.visit_listed::<License>(&mut |s| listed.push(s)).await,
        "list",
    );
    assert_eq!(
        listed,
        vec![Stored {
            rev: 2,
            record: ListedLicense::of(&w.license),
        }]
    );
    assert_eq!(
        damaged.iter().map(|d| d.key.as_str()).collect::<Vec<_>>(),
        vec!["damaged-license"]
    );
    assert_eq!(
        ok(repo.snapshot_entries::<License>().await, "entries").map(|e| e.len()),
        Some(2)
    );
    // Every other record is still there.
    assert_eq!(
        ok(repo.load::<License>(&w.license.key()).await, "license").rev,
        2
    );
    assert_eq!(
        ok(repo.get_all::<User>().await, "users").len(),
        w.catalog.users.len()
    );
    ok(repo.load::<Lead>(&w.lead.key()).await, "lead");
    // And the snapshot is kept by the next commit.
    let license = ok(repo.load::<License>(&w.license.key()).await, "license");
    ok(repo.update(license).await, "update");
    let mut listed = Vec::new();
    ok(
        repo.visit_listed::<License>(&mut |s| listed.push((s.record.id.to18().to_string(), s.rev)))
            .await,
        "list again",
    );
    assert!(listed.contains(&(w.license.key(), 3)), "{listed:?}");
}

/// A snapshot in the first format (each license's JSON text, `meta` without
/// a format), as the previous build left it: a commit meeting it and the
/// next read leave nothing out; the read builds it again in this format.
#[wasm_bindgen_test]
async fn an_old_format_list_snapshot_is_rebuilt_with_nothing_lost() {
    let name = fresh_name("snapshot-v1-format");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default();
    let licenses = license_desk::demo::build_demo_data(
        day,
        day.and_time(Default::default()),
        license_desk::demo::DemoSize::Normal,
    )
    .licenses;
    let repo = open(&name).await;
    ok(repo.put_all(licenses.clone(), Expect::Absent).await, "put");
    // The first format: one byte 1, then key, revision, 0 and JSON text.
    let mut old = vec![1u8];
    for l in &licenses {
        let key = l.key();
        let json = serde_json::to_vec(l).unwrap_or_else(|e| panic!("json: {e}"));
        old.extend_from_slice(&(key.len() as u32).to_le_bytes());
        old.extend_from_slice(key.as_bytes());
        old.extend_from_slice(&1u64.to_le_bytes());
        old.push(0);
        old.extend_from_slice(&(json.len() as u32).to_le_bytes());
        old.extend_from_slice(&json);
    }
    let chunk = |n: usize, bytes: &[u8]| {
        let value = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&value, &"id".into(), &format!("licenses/{n:02}").into());
        let _ = js_sys::Reflect::set(&value, &"rows".into(), &js_sys::Uint8Array::from(bytes));
        ("list_rows", JsValue::from(value))
    };
    let mut values: Vec<(&'static str, JsValue)> = (1..64).map(|n| chunk(n, &[1])).collect();
    values.push(chunk(0, &old));
    let meta = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&meta, &"id".into(), &"meta".into());
    values.push(("list_rows", meta.into()));
    put_raw(&name, schema::SCHEMA_VERSION, values).await;
    assert_eq!(
        ok(repo.snapshot_entries::<License>().await, "entries"),
        None,
        "an old format is not read"
    );

    // A save meeting the old snapshot, then the list's read.
    let first = ok(repo.load::<License>(&licenses[0].key()).await, "load");
    ok(repo.update(first).await, "update");
    let mut listed = Vec::new();
    let damaged = ok(
        repo.visit_listed::<License>(&mut |s| {
            listed.push((s.record.id.to18().to_string(), s.rev, s.record))
        })
        .await,
        "list",
    );
    assert!(damaged.is_empty(), "{damaged:?}");
    listed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected: Vec<(String, u64, ListedLicense)> = licenses
        .iter()
        .enumerate()
        .map(|(i, l)| (l.key(), if i == 0 { 2 } else { 1 }, ListedLicense::of(l)))
        .collect();
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(listed, expected);
    assert_eq!(
        ok(repo.snapshot_entries::<License>().await, "entries").map(|e| e.len()),
        Some(licenses.len()),
        "built again in this format"
    );
}

/// A snapshot that disagrees with the store (a record written outside the
/// app) is built again; a record damaged in place, which leaves the count
/// as it was, is caught by the damaged-records scan.
#[wasm_bindgen_test]
async fn list_snapshot_disagreeing_with_the_store_is_rebuilt() {
    let name = fresh_name("snapshot-disagrees");
    let repo = open(&name).await;
    for id in ["a", "b"] {
        ok(
            repo.create(contract::probe(id, "Active", "p", None)).await,
            "create",
        );
    }
    let listed = |repo: &IdbRepository| {
        let repo = repo.clone();
        async move {
            let mut keys = Vec::new();
            let damaged = ok(
                repo.visit_listed::<contract::Probe>(&mut |s| keys.push(s.record.id))
                    .await,
                "list",
            );
            keys.sort();
            let damaged: Vec<String> = damaged.into_iter().map(|d| d.key).collect();
            (keys, damaged)
        }
    };
    assert_eq!(listed(&repo).await.0, vec!["a", "b"]);

    // Written outside the app: one more license than entries.
    put_raw(
        &name,
        schema::SCHEMA_VERSION,
        vec![v1(&contract::probe("c", "Active", "p", None), 1)],
    )
    .await;
    assert_eq!(
        listed(&repo).await,
        (vec!["a".into(), "b".into(), "c".into()], vec![])
    );

    // Damaged in place: the same count, found by the start-up scan.
    put_raw(
        &name,
        schema::SCHEMA_VERSION,
        vec![v1(
            &contract::StrictProbe {
                id: "a".into(),
                required_number: 1,
            },
            1,
        )],
    )
    .await;
    ok(repo.scan_damaged().await, "scan");
    assert_eq!(
        listed(&repo).await,
        (vec!["b".into(), "c".into()], vec!["a".into()])
    );
}

/// The start-up scan in the background (`storage/idb_scan.rs`) makes way for
/// the tab's reads, each of which comes back whole while it runs, and counts
/// every damaged value, one that no read met included. Asked again while it
/// runs (after a commit), it returns at once, and the one running gives the
/// count.
#[wasm_bindgen_test]
async fn background_scan_counts_every_damaged_record_and_lets_reads_through() {
    use license_desk::demo::{build_demo_data, DemoSize};
    let name = fresh_name("background-scan");
    let repo = open(&name).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let demo = build_demo_data(
        today,
        today.and_time(chrono::NaiveTime::MIN),
        DemoSize::Normal,
    );
    let ids: Vec<String> = demo.licenses.iter().map(|l| l.key()).collect();
    ok(
        repo.put_all(demo.licenses, Expect::Absent).await,
        "licenses",
    );
    // More than one chunk of the scan.
    ok(
        repo.put_all(demo.installs, Expect::Absent).await,
        "installs",
    );
    ok(repo.put_all(demo.history, Expect::Absent).await, "history");
    // Damaged in place: no read meets it before the scan.
    let damaged_id = ids[7].clone();
    put_raw(
        &name,
        schema::SCHEMA_VERSION,
        vec![v1(
            &contract::StrictProbe {
                id: damaged_id.clone(),
                required_number: 1,
            },
            1,
        )],
    )
    .await;

    let scan = repo.scan_damaged_in_background();
    let reads = async {
        let mut got = Vec::new();
        for id in ids.iter().step_by(20).filter(|id| **id != damaged_id) {
            let found = ok(repo.get::<License>(id).await, "read during the scan");
            got.push(found.map(|s| s.record.key()));
            sleep(100).await;
        }
        // A commit's rescan, asked while the scan runs.
        ok(repo.scan_damaged_in_background().await, "asked again");
        got
    };
    let (scanned, got) = futures::join!(scan, reads);
    ok(scanned, "scan");
    let expected: Vec<Option<String>> = ids
        .iter()
        .step_by(20)
        .filter(|id| **id != damaged_id)
        .map(|id| Some(id.clone()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(repo.damage_log().count(), 1);
    let damaged = ok(repo.damaged_records().await, "damaged records");
    assert_eq!(
        damaged.iter().map(|d| d.key.clone()).collect::<Vec<_>>(),
        vec![damaged_id]
    );
}

// ---- reads stop when their page is left ----

/// A page's read stops after the chunk in flight once its page is left
/// (`ReadStop`, set by the page's clean-up), ends with `Cancelled`, and
/// leaves the repository as usable as before for every other handle.
#[wasm_bindgen_test]
async fn a_read_whose_page_was_left_stops_after_the_chunk_in_flight() {
    use license_desk::domain::{KeyPrefix, LicenseName, SfId};
    use license_desk::storage::ReadStop;
    // The storage's `getAll` chunk (`GET_ALL_CHUNK`).
    const CHUNK: usize = 10_000;
    const TOTAL: usize = 25_000;
    let repo = fresh("read-stop").await;
    let base = samples::world()
        .map(|w| w.license)
        .unwrap_or_else(|e| panic!("{e}"));
    let licenses: Vec<License> = (1..=TOTAL as u64)
        .map(|n| {
            let mut l = base.clone();
            l.id = SfId::generate(KeyPrefix::License, n);
            l.name = LicenseName::from_number(n);
            l
        })
        .collect();
    ok(repo.put_all(licenses, Expect::Absent).await, "licenses");
    let first = SfId::generate(KeyPrefix::License, 1).to18().to_string();

    // The page is left while its read handles the first chunk: the second
    // chunk, already asked for, is the last read; nothing of it is handed on.
    let page = ReadStop::new();
    let on_page = repo.stopped_by(&page);
    let mut seen = 0usize;
    let read = on_page
        .visit_all::<License>(&mut |_| {
            seen += 1;
            page.stop();
        })
        .await;
    assert_eq!(read, Err(StorageError::Cancelled));
    assert_eq!(seen, CHUNK);
    // Any later read of the left page is refused before it starts.
    assert_eq!(
        on_page.get::<License>(&first).await.map(|_| ()),
        Err(StorageError::Cancelled)
    );
    assert_eq!(
        on_page.read_all::<License>().await.map(|r| r.records.len()),
        Err(StorageError::Cancelled)
    );

    // The repository reads and commits as before, on the plain handle and
    // on another page's.
    let all = ok(repo.read_all::<License>().await, "read after the stop");
    assert_eq!(all.records.len(), TOTAL);
    let other_page = repo.stopped_by(&ReadStop::new());
    let mut counted = 0usize;
    ok(
        other_page.visit_all::<License>(&mut |_| counted += 1).await,
        "another page's read",
    );
    assert_eq!(counted, TOTAL);
    let mut changed = ok(repo.load::<License>(&first).await, "load");
    changed.record.used_licenses = Some(1);
    let mut batch = WriteBatch::new();
    batch.update(changed);
    ok(repo.commit(batch).await, "commit after the stop");
    let mut listed = 0usize;
    ok(
        repo.visit_listed::<License>(&mut |_| listed += 1).await,
        "the list snapshot after the stop",
    );
    assert_eq!(listed, TOTAL);
}
