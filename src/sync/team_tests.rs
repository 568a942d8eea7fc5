//! Two real desks (the in-memory repository behind `DeskSync`) and the real
//! replicator, against the scripted CouchDB: the pieces that the other sync
//! tests check one at a time, working together as a team uses them.

use chrono::{NaiveDate, NaiveDateTime};
use futures::executor::block_on;

use super::desk::{DeskSync, Resolution};
use super::document::SYNCED_STORES;
use super::local::Local;
use super::remote::{Remote, RemoteError, Seq};
use super::replicator::{replication_id, Replicator};
use super::scripted::{Call, Scripted};
use crate::demo::{load_demo_data, DemoSize};
use crate::domain::{check_modifiable, License, ModifyLicenseDraft, Profile, User};
use crate::services::licenses::modify_license;
use crate::storage::{MemoryRepository, Repository, WriteBatch};
use crate::storage::{OutboxEntry, SyncDoc, SyncPage, SYNC_PAGE_DOCS};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(9, 0, 0).unwrap()
}

/// Documents per page: the demo data spans several.
const PAGE: usize = 200;

struct Team {
    server: Scripted,
    a: DeskSync<MemoryRepository>,
    b: DeskSync<MemoryRepository>,
}

impl Team {
    /// Desk A holds the demo data, desk B nothing; sync is not set up yet.
    fn unsent() -> Team {
        let a = MemoryRepository::new();
        block_on(load_demo_data(&a, today(), now(), DemoSize::Normal)).unwrap();
        let team = Team {
            server: Scripted::new(),
            a: DeskSync::new(a),
            b: DeskSync::new(MemoryRepository::new()),
        };
        // Two different draws: each desk makes IDs in its own range.
        block_on(team.a.claim_desk(7)).unwrap();
        block_on(team.b.claim_desk(8)).unwrap();
        team
    }

    /// Desk A holds the demo data and has sent it; desk B started empty and
    /// has received it.
    fn synced() -> Team {
        let team = Team::unsent();
        block_on(team.a.enable()).unwrap();
        block_on(team.b.enable()).unwrap();
        team.push(&team.a);
        team.pull(&team.b);
        team
    }

    fn replicator<'a>(
        &'a self,
        desk: &'a DeskSync<MemoryRepository>,
    ) -> Replicator<'a, Scripted, DeskSync<MemoryRepository>> {
        let desk_name = if std::ptr::eq(desk, &self.a) {
            "a"
        } else {
            "b"
        };
        Replicator::new(
            &self.server,
            desk,
            replication_id(desk_name, "http://127.0.0.1:5984/team"),
        )
        .with_batch(PAGE)
    }

    fn push(&self, desk: &DeskSync<MemoryRepository>) {
        let report = block_on(self.replicator(desk).push()).unwrap();
        assert!(report.refused.is_empty(), "{:?}", report.refused);
    }

    fn pull(&self, desk: &DeskSync<MemoryRepository>) {
        let r = self.replicator(desk);
        while !block_on(r.pull(None)).unwrap().caught_up {}
    }
}

fn licenses(desk: &DeskSync<MemoryRepository>) -> Vec<License> {
    let mut all: Vec<License> = block_on(desk.repo().get_all::<License>())
        .unwrap()
        .into_iter()
        .map(|s| s.record)
        .collect();
    all.sort_by(|x, y| x.id.cmp(&y.id));
    all
}

fn manager(desk: &DeskSync<MemoryRepository>) -> User {
    block_on(desk.repo().get_all::<User>())
        .unwrap()
        .into_iter()
        .map(|s| s.record)
        .find(|u| u.profile == Profile::LicenseManager && u.active)
        .unwrap()
}

/// A license the manager may modify, with a number of seats.
fn modifiable(desk: &DeskSync<MemoryRepository>) -> License {
    let user = manager(desk);
    licenses(desk)
        .into_iter()
        .find(|l| check_modifiable(l, &user).is_ok() && l.seats.to_string().parse::<u32>().is_ok())
        .unwrap()
}

fn set_seats(desk: &DeskSync<MemoryRepository>, license: &License, seats: u32) {
    let mut draft = ModifyLicenseDraft::from_license(license);
    draft.seats = seats.to_string();
    draft.site_license = false;
    block_on(modify_license(
        desk.repo(),
        license.id.to18(),
        None,
        &draft,
        &manager(desk),
        today(),
        now(),
    ))
    .unwrap();
}

fn seats_of(desk: &DeskSync<MemoryRepository>, license: &License) -> String {
    block_on(desk.repo().get::<License>(license.id.to18()))
        .unwrap()
        .unwrap()
        .record
        .seats
        .to_string()
}

#[test]
fn an_empty_desk_receives_every_license_of_the_team() {
    let team = Team::synced();
    assert_eq!(licenses(&team.b), licenses(&team.a));
    assert!(!licenses(&team.b).is_empty());
    assert_eq!(block_on(team.a.waiting()).unwrap(), 0);
}

#[test]
fn a_first_sync_describes_its_documents_in_pages_on_both_desks() {
    let team = Team::synced();
    let mut records = 0;
    block_on(team.a.repo().read_raw(&SYNCED_STORES, &mut |_, raw| {
        records += u64::from(raw.rev.is_some());
        Ok(())
    }))
    .unwrap();
    assert!(records > 2 * PAGE as u64, "the demo spans pages");
    for desk in [&team.a, &team.b] {
        let repo = desk.repo();
        // One object per page sent or received, none per document.
        assert_eq!(block_on(repo.count::<SyncDoc>()).unwrap(), 0);
        let pages = block_on(repo.count::<SyncPage>()).unwrap();
        assert!(pages <= records.div_ceil(PAGE as u64) + SYNCED_STORES.len() as u64);
        assert_eq!(
            block_on(repo.count_members(SYNC_PAGE_DOCS)).unwrap(),
            records
        );
        assert_eq!(block_on(desk.waiting()).unwrap(), 0);
    }
    // Nothing moves again, either way.
    assert_eq!(block_on(team.a.reconcile()).unwrap(), 0);
    assert_eq!(block_on(team.b.reconcile()).unwrap(), 0);
    team.push(&team.b);
    team.pull(&team.a);
    assert_eq!(block_on(team.a.repo().count::<SyncDoc>()).unwrap(), 0);
    assert_eq!(licenses(&team.a), licenses(&team.b));
}

#[test]
fn a_modify_license_on_one_desk_shows_on_the_other_with_its_history() {
    let team = Team::synced();
    let license = modifiable(&team.a);
    set_seats(&team.a, &license, 4_321);
    assert_eq!(
        block_on(team.a.waiting()).unwrap(),
        2,
        "the license and its history entry"
    );
    team.push(&team.a);
    team.pull(&team.b);
    assert_eq!(seats_of(&team.b, &license), "4,321");
    let history_a = block_on(team.a.repo().get_all::<crate::domain::HistoryEntry>()).unwrap();
    let history_b = block_on(team.b.repo().get_all::<crate::domain::HistoryEntry>()).unwrap();
    assert_eq!(history_a.len(), history_b.len());
    assert!(history_b
        .iter()
        .any(|h| h.record.license_id == license.id && h.record.new_value == "4,321"));
}

#[test]
fn edits_on_both_desks_while_offline_conflict_on_both_and_converge_once_resolved() {
    let team = Team::synced();
    let license = modifiable(&team.a);
    set_seats(&team.a, &license, 111);
    set_seats(&team.b, &license, 222);
    team.push(&team.a);
    team.push(&team.b);
    team.pull(&team.a);
    team.pull(&team.b);
    // Both desks show the same winner and list the same conflict.
    assert_eq!(seats_of(&team.a, &license), seats_of(&team.b, &license));
    let on_a = block_on(team.a.conflicts()).unwrap();
    let on_b = block_on(team.b.conflicts()).unwrap();
    assert_eq!(on_a.len(), 1);
    assert_eq!(on_b.len(), 1);
    assert_eq!(on_a[0].doc_id, on_b[0].doc_id);
    let seats = on_a[0]
        .fields
        .iter()
        .find(|f| f.field == "sfLma__Seats__c")
        .unwrap();
    let mut both = [seats.ours.clone(), seats.theirs.clone()];
    both.sort();
    assert_eq!(both, ["111".to_string(), "222".to_string()]);
    // The history keeps both desks' changes.
    let history = block_on(team.b.repo().get_all::<crate::domain::HistoryEntry>()).unwrap();
    for value in ["111", "222"] {
        assert!(
            history
                .iter()
                .any(|h| h.record.license_id == license.id && h.record.new_value == value),
            "history has the change to {value}"
        );
    }

    // A keeps the other version; both desks converge on it with no conflict.
    let other = seats.theirs.clone();
    block_on(team.a.resolve(&on_a[0].doc_id, Resolution::KeepOther)).unwrap();
    team.push(&team.a);
    team.pull(&team.b);
    team.pull(&team.a);
    assert_eq!(seats_of(&team.a, &license), other);
    assert_eq!(seats_of(&team.b, &license), other);
    assert!(block_on(team.a.conflicts()).unwrap().is_empty());
    assert!(block_on(team.b.conflicts()).unwrap().is_empty());
    assert_eq!(licenses(&team.a), licenses(&team.b));
}

fn synced_records(desk: &DeskSync<MemoryRepository>) -> usize {
    let mut n = 0;
    block_on(desk.repo().read_raw(&SYNCED_STORES, &mut |_, _| {
        n += 1;
        Ok(())
    }))
    .unwrap();
    n
}

#[test]
fn a_first_sync_sends_what_the_desk_held_without_queueing_it_and_a_reload_mid_way_loses_nothing() {
    let team = Team::unsent();
    let held = synced_records(&team.a);
    assert_eq!(block_on(team.a.enable()).unwrap(), held as u64);
    // The sweep sends the records from their stores: nothing is queued.
    assert_eq!(block_on(team.a.repo().count::<OutboxEntry>()).unwrap(), 0);
    assert_eq!(block_on(team.a.waiting()).unwrap(), held as u64);

    // The connection drops after two pages; the tab is closed.
    team.server.fail_after(
        Call::BulkDocs,
        2,
        1,
        RemoteError::Offline("connection reset".into()),
    );
    assert!(block_on(team.replicator(&team.a).push()).is_err());
    let on_server = team.server.doc_count();
    assert_eq!(on_server, 2 * PAGE);

    // The next start (a new page: a new DeskSync) queues what is left.
    let reloaded = DeskSync::new(team.a.repo().clone());
    assert_eq!(block_on(reloaded.enable()).unwrap(), 0);
    let queued = block_on(reloaded.reconcile()).unwrap();
    assert_eq!(queued as usize, held - on_server);
    let report = block_on(team.replicator(&reloaded).push()).unwrap();
    assert_eq!(report.sent, held - on_server);
    assert_eq!(team.server.doc_count(), held);
    assert_eq!(block_on(reloaded.waiting()).unwrap(), 0);

    block_on(team.b.enable()).unwrap();
    team.pull(&team.b);
    assert_eq!(licenses(&team.b), licenses(&team.a));
    assert_eq!(synced_records(&team.b), held);
}

#[test]
fn the_sweep_goes_on_behind_an_edit_and_ends_once_everything_is_sent() {
    let team = Team::unsent();
    let held = synced_records(&team.a);
    block_on(team.a.enable()).unwrap();
    // Saved after sync was set up: queued, and sent once, not twice.
    let license = modifiable(&team.a);
    set_seats(&team.a, &license, 777);
    let report = block_on(team.replicator(&team.a).push()).unwrap();
    assert!(report.refused.is_empty());
    // Every record once; the edit added a history entry.
    assert_eq!(report.sent, held + 1);
    assert_eq!(team.server.doc_count(), held + 1);
    assert_eq!(block_on(team.a.waiting()).unwrap(), 0);
    // Nothing left: a push sends nothing, and the desk's records made
    // later by sync itself (not queued) are not swept up.
    let again = block_on(team.replicator(&team.a).push()).unwrap();
    assert_eq!(again.sent, 0);
    block_on(team.b.enable()).unwrap();
    team.pull(&team.b);
    assert_eq!(seats_of(&team.b, &license), "777");
}

fn no_licenses(doc: &serde_json::Value) -> Option<String> {
    (doc["type"] == "sfLma__License__c").then(|| "Not licenses.".to_string())
}

#[test]
fn a_change_of_the_sweep_the_server_refuses_stays_queued() {
    let team = Team::unsent();
    let held = synced_records(&team.a);
    let n_licenses = licenses(&team.a).len();
    block_on(team.a.enable()).unwrap();
    team.server.refuse_when(no_licenses);
    let report = block_on(team.replicator(&team.a).push()).unwrap();
    assert_eq!(report.refused.len(), n_licenses);
    assert_eq!(report.sent, held - n_licenses);
    assert_eq!(block_on(team.a.waiting()).unwrap(), n_licenses as u64);
    // Allowed again: the next push sends them.
    team.server.refuse_when(|_| None);
    let report = block_on(team.replicator(&team.a).push()).unwrap();
    assert_eq!((report.sent, report.refused.len()), (n_licenses, 0));
    assert_eq!(block_on(team.a.waiting()).unwrap(), 0);
    assert_eq!(team.server.doc_count(), held);
}

#[test]
fn a_pull_meeting_the_revisions_its_own_push_is_sending_fetches_nothing() {
    let team = Team::unsent();
    block_on(team.a.enable()).unwrap();
    // The documents reach the server before the desk marks them sent (its
    // pull runs beside its push).
    let out = block_on(team.a.pending(100_000)).unwrap();
    let docs: Vec<serde_json::Value> = out.iter().map(|o| o.doc.clone()).collect();
    block_on(team.server.bulk_docs(&docs)).unwrap();
    let gets = team.server.calls(Call::BulkGet);
    team.pull(&team.a);
    assert_eq!(team.server.calls(Call::BulkGet), gets);
    block_on(team.a.mark_sent(&out)).unwrap();
    assert_eq!(block_on(team.replicator(&team.a).push()).unwrap().sent, 0);
}

#[test]
fn catching_up_applies_every_page_and_a_failure_keeps_the_last_checkpoint() {
    let team = Team::unsent();
    let held = synced_records(&team.a);
    block_on(team.a.enable()).unwrap();
    team.push(&team.a);
    block_on(team.b.enable()).unwrap();
    let rb = team.replicator(&team.b);
    // The fifth page can't be fetched: desk B lacks every document, so
    // from the second page on each comes with its documents, asked for
    // beside the apply of the page two before it (the third).
    team.server
        .fail_after(Call::Changes, 4, 1, RemoteError::Offline("reset".into()));
    assert!(block_on(rb.catch_up(None)).is_err());
    let id = rb.replication_id().to_string();
    let checkpoint = block_on(team.b.checkpoint(&id)).unwrap();
    assert_eq!(
        checkpoint,
        Some(Seq(serde_json::Value::from(3 * PAGE as u64)))
    );
    // What the fifth page was fetched beside was applied, no more.
    assert_eq!(synced_records(&team.b), 3 * PAGE);

    let report = block_on(rb.catch_up(None)).unwrap();
    assert!(report.caught_up);
    assert_eq!(report.applied.applied, held - 3 * PAGE);
    assert_eq!(report.applied.ignored, 0);
    assert_eq!(licenses(&team.b), licenses(&team.a));
}

#[test]
fn a_desk_emptied_after_its_push_gets_its_records_back_from_the_feed() {
    let team = Team::unsent();
    let held = synced_records(&team.a);
    block_on(team.a.enable()).unwrap();
    team.push(&team.a);
    // Its pull meets what it just sent: nothing to fetch.
    let gets = team.server.calls(Call::BulkGet);
    let own = block_on(team.replicator(&team.a).pull(None)).unwrap();
    assert_eq!((own.received, team.server.calls(Call::BulkGet)), (0, gets));

    // Emptied (as Load demo data or a restore empties it) before its pull
    // met the rest of its push in the feed: the feed brings every record back.
    let mut batch = WriteBatch::new();
    for store in SYNCED_STORES {
        batch.clear_store(store);
    }
    block_on(team.a.repo().commit(batch)).unwrap();
    assert_eq!(synced_records(&team.a), 0);
    team.pull(&team.a);
    assert_eq!(synced_records(&team.a), held);
}
