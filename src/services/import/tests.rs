//! The import service on the in-memory repository: one atomic commit, the
//! preview's numbers, history from the import, and the round trip.

use chrono::{NaiveDate, NaiveDateTime};
use futures::executor::block_on;

use super::*;
use crate::demo::{build_demo_data, DemoSize};
use crate::domain::KeyPrefix;
use crate::domain::{
    seed_users, HistoryEntry, HistoryField, HistoryOrigin, LicenseName, Profile, Seats, SfId,
};
use crate::exchange::{
    accounts_csv, contacts_csv, fixtures, leads_csv, licenses_csv, package_versions_csv,
    packages_csv, ObjectKind,
};
use crate::storage::{Expect, MemoryRepository, StorageError, SEQUENCES_KEY};

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 6, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap()
}

fn user(profile: Profile) -> User {
    seed_users()
        .into_iter()
        .find(|u| u.active && u.profile == profile)
        .unwrap()
}

fn admin() -> User {
    user(Profile::SystemAdministrator)
}

/// An empty desk: only the users, which imports never bring.
fn empty_desk() -> MemoryRepository {
    let repo = MemoryRepository::new();
    block_on(repo.put_all(seed_users(), Expect::Absent)).unwrap();
    repo
}

fn job(files: &[(&str, &str)]) -> ImportJob {
    let mut job = ImportJob::new(&admin().id, now());
    for (name, text) in files {
        job.add_file(name, text.as_bytes().to_vec());
    }
    job
}

fn preview(repo: &MemoryRepository, files: &[(&str, &str)]) -> ImportPlan {
    block_on(preview_import(repo, job(files))).unwrap()
}

fn import(repo: &MemoryRepository, files: &[(&str, &str)]) -> ImportDone {
    let plan = preview(repo, files);
    block_on(commit_import(repo, &admin(), &plan)).unwrap()
}

/// Every fixture, with some replaced by name. Versions must come with the
/// licenses that point at them by the org's record Id (the desk keeps the
/// Version ID only).
fn with<'a>(replaced: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    fixtures::all()
        .into_iter()
        .map(|(name, text)| {
            replaced
                .iter()
                .find(|(n, _)| *n == name)
                .map_or((name, text), |r| *r)
        })
        .collect()
}

fn count<T: crate::storage::Record>(repo: &MemoryRepository) -> u64 {
    block_on(repo.count::<T>()).unwrap()
}

/// Every store's count, to show that a refused import wrote nothing.
fn counts(repo: &MemoryRepository) -> [u64; 8] {
    [
        count::<Package>(repo),
        count::<PackageVersion>(repo),
        count::<Account>(repo),
        count::<Contact>(repo),
        count::<Lead>(repo),
        count::<License>(repo),
        count::<HistoryEntry>(repo),
        count::<Sequences>(repo),
    ]
}

fn license_named(repo: &MemoryRepository, name: &str) -> License {
    block_on(repo.all_records::<License>())
        .unwrap()
        .into_iter()
        .find(|l| l.name.to_string() == name)
        .unwrap()
}

#[test]
fn an_import_writes_every_accepted_record_and_moves_the_license_counter() {
    let repo = empty_desk();
    let done = import(&repo, &fixtures::all());
    assert_eq!(done.records, 10);
    assert_eq!(done.history, 0);
    assert_eq!(counts(&repo), [1, 2, 1, 1, 2, 3, 0, 1]);
    let seq = block_on(repo.get::<Sequences>(SEQUENCES_KEY))
        .unwrap()
        .unwrap()
        .record;
    let mut next = seq.clone();
    // Names are never reused: the next license after L-00042 is L-00043.
    assert_eq!(next.next_license_name(), LicenseName::from_number(43));
    assert_eq!(license_named(&repo, "L-00042").used_licenses, Some(30));
}

#[test]
fn importing_the_same_files_again_changes_nothing() {
    let repo = empty_desk();
    import(&repo, &fixtures::all());
    let before = counts(&repo);
    let plan = preview(&repo, &fixtures::all());
    for kind in ObjectKind::ALL {
        let c = plan.counts_of(kind);
        assert_eq!((c.new, c.changed, c.refused), (0, 0, 0), "{kind}");
        assert!(c.unchanged > 0, "{kind}");
    }
    assert_eq!(
        block_on(commit_import(&repo, &admin(), &plan)).unwrap_err(),
        ImportFailure::NothingToImport
    );
    assert_eq!(counts(&repo), before);
}

#[test]
fn a_changed_license_gets_a_history_entry_per_field_marked_as_import() {
    let repo = empty_desk();
    import(&repo, &fixtures::all());
    let changed = fixtures::LICENSES.replace(
        "L-00042,active,25,30,2020-01-31",
        "L-00042,Suspended,40,30,2026-01-31",
    );
    let plan = preview(&repo, &with(&[("licenses.csv", changed.as_str())]));
    let c = plan.counts_of(ObjectKind::License);
    assert_eq!((c.new, c.changed, c.unchanged), (0, 1, 2));
    let fields: Vec<(String, String, String)> = plan
        .changes
        .iter()
        .map(|s| (s.field.clone(), s.old.clone(), s.new.clone()))
        .collect();
    assert_eq!(
        fields,
        vec![
            ("License Status".into(), "Active".into(), "Suspended".into()),
            ("Licensed Seats".into(), "25".into(), "40".into()),
            (
                "Expiration Date".into(),
                "2020-01-31".into(),
                "2026-01-31".into()
            ),
        ]
    );
    let done = block_on(commit_import(&repo, &admin(), &plan)).unwrap();
    assert_eq!((done.records, done.history), (1, 3));
    let license = license_named(&repo, "L-00042");
    assert_eq!(license.seats, Seats::count(40).unwrap());
    let history = block_on(repo.all_records::<HistoryEntry>()).unwrap();
    assert_eq!(history.len(), 3);
    assert!(history.iter().all(|h| h.origin == HistoryOrigin::Import
        && h.by == admin().id
        && h.at == now()
        && h.license_id == license.id));
    assert!(history.iter().any(|h| h.field == HistoryField::Seats));
    // Once Active, never back to Trial: the flag survives the import.
    assert!(license.ever_active);
}

#[test]
fn an_import_that_uninstalls_a_license_makes_its_notifications_in_the_same_save() {
    let repo = empty_desk();
    import(&repo, &fixtures::all());
    let users = seed_users();
    block_on(crate::services::alerts::add_uninstall_rule(
        &repo,
        admin().id.to18(),
        &users,
    ))
    .unwrap();
    // L-00008 comes in already Uninstalled (new): no notification for it.
    assert_eq!(count::<crate::domain::NotificationRecord>(&repo), 0);
    let gone = fixtures::LICENSES.replace(
        "L-00042,active,25,30,2020-01-31",
        "L-00042,Uninstalled,25,,2020-01-31",
    );
    let files = with(&[("licenses.csv", gone.as_str())]);
    import(&repo, &files);
    let notices = block_on(repo.all_records::<crate::domain::NotificationRecord>()).unwrap();
    assert_eq!(notices.len(), 1);
    let license = license_named(&repo, "L-00042");
    assert_eq!(notices[0].license_id, license.id);
    assert!(matches!(
        &notices[0].about,
        crate::domain::NoticeAbout::Uninstall { uninstalled_at, package_name, .. }
            if *uninstalled_at == now() && !package_name.is_empty()
    ));
    // Importing it again (already Uninstalled) makes none.
    let again = gone.replace("L-00042,Uninstalled,25,", "L-00042,Uninstalled,26,");
    import(&repo, &with(&[("licenses.csv", again.as_str())]));
    assert_eq!(count::<crate::domain::NotificationRecord>(&repo), 1);
}

#[test]
fn refused_rows_are_left_out_and_the_valid_ones_come_in() {
    let repo = empty_desk();
    let bad = fixtures::LICENSES.replace("L-00008,Uninstalled,10", "L-00008,Uninstalled,0");
    let plan = preview(
        &repo,
        &[
            ("licenses.csv", bad.as_str()),
            ("leads.csv", fixtures::LEADS),
            ("contacts.csv", fixtures::CONTACTS),
            ("accounts.csv", fixtures::ACCOUNTS),
            ("versions.csv", fixtures::VERSIONS),
            ("packages.csv", fixtures::PACKAGES),
        ],
    );
    assert_eq!(plan.refused_rows(), 1);
    let r = &plan.refused[0];
    // The third license starts on line 5: the second holds a line break.
    assert_eq!(
        (r.file.as_str(), r.line, r.column.as_str()),
        ("licenses.csv", 5, "sfLma__Licensed_Seats__c")
    );
    let done = block_on(commit_import(&repo, &admin(), &plan)).unwrap();
    assert_eq!(done.records, 9);
    assert_eq!(count::<License>(&repo), 2);
}

#[test]
fn bad_files_write_nothing() {
    let repo = empty_desk();
    let before = counts(&repo);
    let png = "\u{0089}PNG\r\n\u{001a}\n";
    let long = "x".repeat(2 * 1024 * 1024);
    let dup = "Id,Name\n001000000000001,A\n001000000000001,B\n";
    let no_package = "Id,Name,sfLma__Package__c,sfLma__Version__c,sfLma__Version_ID__c,sfLma__Release_Date__c\na0V000000000001,V,033000000000099,1.0,04t000000000001,2025-01-01\n";
    for files in [
        vec![("empty.csv", "")],
        vec![("header.csv", "Id,Name\n")],
        vec![("logo.csv", png)],
        vec![("long.csv", long.as_str())],
        vec![("versions.csv", no_package)],
    ] {
        let plan = preview(&repo, &files);
        assert!(!plan.has_writes(), "{}", files[0].0);
        assert!(
            !plan.refused_files.is_empty() || !plan.refused.is_empty(),
            "{}",
            files[0].0
        );
        assert_eq!(
            block_on(commit_import(&repo, &admin(), &plan)).unwrap_err(),
            ImportFailure::NothingToImport
        );
    }
    // Duplicates: the first row comes in, the second is refused.
    let plan = preview(&repo, &[("a.csv", dup)]);
    assert_eq!(plan.refused_rows(), 1);
    assert_eq!(counts(&repo), before);
    let png_bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut j = job(&[]);
    j.add_file("logo.csv", png_bytes);
    let plan = block_on(preview_import(&repo, j)).unwrap();
    assert!(plan.refused_files[0].message.contains("not UTF-8 text"));
}

#[test]
fn a_record_saved_elsewhere_after_the_preview_makes_the_whole_import_fail() {
    let repo = empty_desk();
    import(&repo, &fixtures::all());
    let changed = fixtures::LICENSES.replace("L-00042,active,25", "L-00042,active,26");
    let more = format!("{}001000000000005,New Account\n", fixtures::ACCOUNTS);
    let plan = preview(
        &repo,
        &with(&[
            ("licenses.csv", changed.as_str()),
            ("accounts.csv", more.as_str()),
        ]),
    );
    assert_eq!(plan.accepted_rows(), 2);
    // Another tab saves the license in between.
    let other = repo.other_tab();
    let mut stored = block_on(other.get::<License>(license_named(&repo, "L-00042").id.to18()))
        .unwrap()
        .unwrap();
    stored.record.instance = "NA99".into();
    block_on(other.update(stored)).unwrap();
    let before = counts(&repo);
    let err = block_on(commit_import(&repo, &admin(), &plan)).unwrap_err();
    assert!(matches!(
        err,
        ImportFailure::Storage(StorageError::Conflict { .. })
    ));
    assert!(err.to_string().contains("Nothing was imported"));
    assert_eq!(counts(&repo), before);
    assert_eq!(
        license_named(&repo, "L-00042").seats,
        Seats::count(25).unwrap()
    );
}

#[test]
fn ids_taken_in_another_tab_after_the_preview_do_not_stop_the_import() {
    let repo = empty_desk();
    import(&repo, &fixtures::all());
    let changed = fixtures::LICENSES.replace("L-00042,active,25", "L-00042,active,26");
    let plan = preview(&repo, &with(&[("licenses.csv", changed.as_str())]));
    // Another tab takes a history ID (a Modify License) in between: only
    // the counters moved, so the import takes its IDs after that one.
    let other = repo.other_tab();
    let taken = block_on(commit_with_counters(&other, |seq| {
        let entry = HistoryEntry {
            id: seq.next_id(KeyPrefix::LicenseHistory),
            ..plan.writes.history[0].clone()
        };
        let mut batch = WriteBatch::new();
        batch.create(entry.clone());
        Ok::<_, StorageError>((batch, entry.id))
    }))
    .unwrap();
    let done = block_on(commit_import(&repo, &admin(), &plan)).unwrap();
    assert_eq!(done.history, 1);
    let history = block_on(repo.all_records::<HistoryEntry>()).unwrap();
    assert_eq!(history.len(), 2, "the other tab's entry and the import's");
    assert!(history.iter().any(|h| h.id == taken));
    assert_eq!(
        license_named(&repo, "L-00042").seats,
        Seats::count(26).unwrap()
    );
}

#[test]
fn only_a_profile_that_edits_packages_and_licenses_may_import() {
    let repo = empty_desk();
    let plan = preview(&repo, &fixtures::all());
    for profile in [
        Profile::LicenseManager,
        Profile::SalesRep,
        Profile::ReadOnly,
    ] {
        let err = block_on(commit_import(&repo, &user(profile), &plan)).unwrap_err();
        assert!(matches!(err, ImportFailure::Permission(_)), "{profile}");
    }
    assert_eq!(count::<License>(&repo), 0);
}

/// Every importable list of a desk, exported.
fn export_all(repo: &MemoryRepository) -> Vec<(&'static str, String)> {
    let mut packages = block_on(repo.all_records::<Package>()).unwrap();
    let mut versions = block_on(repo.all_records::<PackageVersion>()).unwrap();
    let mut accounts = block_on(repo.all_records::<Account>()).unwrap();
    let mut contacts = block_on(repo.all_records::<Contact>()).unwrap();
    let mut leads = block_on(repo.all_records::<Lead>()).unwrap();
    let mut licenses = block_on(repo.all_records::<License>()).unwrap();
    packages.sort_by(|a, b| a.id.cmp(&b.id));
    versions.sort_by(|a, b| a.id.cmp(&b.id));
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    contacts.sort_by(|a, b| a.id.cmp(&b.id));
    leads.sort_by(|a, b| a.id.cmp(&b.id));
    licenses.sort_by(|a, b| a.id.cmp(&b.id));
    vec![
        ("licenses.csv", licenses_csv(&licenses).unwrap()),
        ("leads.csv", leads_csv(&leads).unwrap()),
        ("contacts.csv", contacts_csv(&contacts).unwrap()),
        ("accounts.csv", accounts_csv(&accounts).unwrap()),
        ("versions.csv", package_versions_csv(&versions).unwrap()),
        ("packages.csv", packages_csv(&packages, &versions).unwrap()),
    ]
}

#[test]
fn export_then_import_into_an_empty_desk_gives_the_same_records() {
    let today = now().date();
    let data = build_demo_data(today, now(), DemoSize::Normal);
    let source = MemoryRepository::new();
    block_on(crate::demo::save_demo_data(&source, data)).unwrap();
    let exported = export_all(&source);
    let files: Vec<(&str, &str)> = exported.iter().map(|(n, t)| (*n, t.as_str())).collect();

    let target = empty_desk();
    let plan = preview(&target, &files);
    assert!(
        plan.refused.is_empty(),
        "{:#?}",
        &plan.refused[..plan.refused.len().min(5)]
    );
    assert!(plan.files.iter().all(|f| f.unknown_columns.is_empty()));
    block_on(commit_import(&target, &admin(), &plan)).unwrap();

    assert_eq!(export_all(&target), exported);
    // Beyond the columns: packages' lead managers, leads' owners and
    // licenses' lead names, which the import derives, are the same too.
    let same = |f: fn(&MemoryRepository) -> Vec<String>| assert_eq!(f(&source), f(&target));
    same(|r| {
        let mut v: Vec<String> = block_on(r.all_records::<Lead>())
            .unwrap()
            .iter()
            .map(|l| format!("{} {:?} {} {}", l.id, l.owner, l.package_id, l.status))
            .collect();
        v.sort();
        v
    });
    same(|r| {
        let mut v: Vec<String> = block_on(r.all_records::<License>())
            .unwrap()
            .iter()
            .map(|l| format!("{} {} {}", l.id, l.lead_name, l.package_id))
            .collect();
        v.sort();
        v
    });
    // The License Name counter continues after the highest one.
    let source_seq = block_on(source.get::<Sequences>(SEQUENCES_KEY))
        .unwrap()
        .unwrap();
    let target_seq = block_on(target.get::<Sequences>(SEQUENCES_KEY))
        .unwrap()
        .unwrap();
    assert_eq!(
        target_seq.record.peek_license_number(),
        source_seq.record.peek_license_number()
    );
    // And a second import of the same files changes nothing.
    let again = preview(&target, &files);
    assert_eq!(again.accepted_rows(), 0);
}

#[test]
fn an_exported_formula_cell_comes_out_as_text_and_back_in_as_it_was() {
    let repo = empty_desk();
    let evil = "Id,Name\n001000000000001,\"'=HYPERLINK(\"\"http://x\"\")\"\n";
    import(&repo, &[("a.csv", evil)]);
    let accounts = block_on(repo.all_records::<Account>()).unwrap();
    assert_eq!(accounts[0].name, "=HYPERLINK(\"http://x\")");
    let csv = accounts_csv(&accounts).unwrap();
    assert!(csv.contains(",\"'=HYPERLINK"), "{csv}");
    let _ = SfId::parse(accounts[0].id.to18()).unwrap();
}

/// Reads a CSV export back as rows of cells (header first).
fn read_back(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn install_log_and_history_export_every_row_with_api_name_headers() {
    let data = build_demo_data(now().date(), now(), DemoSize::Normal);
    let log = read_back(&crate::exchange::install_log_csv(&data.installs).unwrap());
    assert_eq!(log.len(), data.installs.len() + 1);
    assert_eq!(log[0][0], "Id");
    assert_eq!(log[0][2], "sfLma__Subscriber_Org_ID__c");
    assert!(log[1..].iter().all(|row| row.len() == log[0].len()));
    assert!(log[1..]
        .iter()
        .all(|row| SfId::parse(&row[0]).is_ok() && row[16].ends_with('Z')));
    let history = read_back(&crate::exchange::history_csv(&data.history).unwrap());
    assert_eq!(history.len(), data.history.len() + 1);
    assert_eq!(
        history[0],
        vec![
            "Id",
            "ParentId",
            "Field",
            "OldValue",
            "NewValue",
            "CreatedById",
            "CreatedDate",
            "Origin"
        ]
    );

    // An imported change shows as such in the exported history.
    let repo = empty_desk();
    import(&repo, &fixtures::all());
    let changed = fixtures::LICENSES.replace("L-00042,active,25", "L-00042,active,26");
    import(&repo, &with(&[("licenses.csv", changed.as_str())]));
    let entries = block_on(repo.all_records::<HistoryEntry>()).unwrap();
    let rows = read_back(&crate::exchange::history_csv(&entries).unwrap());
    assert_eq!(rows[1][2..5], ["Licensed Seats", "25", "26"]);
    assert_eq!(rows[1][7], "Import");
}
