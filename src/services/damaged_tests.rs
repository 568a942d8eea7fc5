//! One damaged record never hides the others: lists and the dashboard read
//! the readable records and note the damaged one; a workflow that needs the
//! damaged record refuses with its reason and writes nothing.

use futures::executor::block_on;
use serde_json::json;

use crate::domain::{seed_users, License, Package, Profile, Sequences};
use crate::services::dashboard::load_home;
use crate::services::licenses::fixtures::{draft, history_count, license, now, today, user};
use crate::services::licenses::{load_license_list, modify_license, ModifyFailure};
use crate::storage::{MemoryRepository, Repository, StorageError, StoreName, SEQUENCES_KEY};

/// Licenses 1 and 3 as saved by the desk, license 2 with a status no
/// version of License Desk knows (as an old version or an extension might
/// leave it).
fn repo_with_a_damaged_license() -> (MemoryRepository, License) {
    let repo = MemoryRepository::new();
    block_on(repo.put_all(seed_users(), crate::storage::Expect::Absent)).unwrap();
    block_on(repo.create(license(1))).unwrap();
    block_on(repo.create(license(3))).unwrap();
    let damaged = license(2);
    let mut value = serde_json::to_value(&damaged).unwrap();
    value["status"] = json!("Gone Fishing");
    repo.put_raw(StoreName::Licenses, damaged.id.to18(), value);
    (repo, damaged)
}

#[test]
fn a_damaged_license_leaves_the_others_in_the_licenses_list() {
    let (repo, damaged) = repo_with_a_damaged_license();
    let list = block_on(load_license_list(&repo)).unwrap();
    let mut names: Vec<String> = list.rows().iter().map(|r| r.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["L-00001", "L-00003"]);
    assert_eq!(repo.damage_log().count(), 1);
    let found = block_on(repo.damaged_records()).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].store, StoreName::Licenses);
    assert_eq!(found[0].key, damaged.id.to18());
    assert!(
        found[0].reason.contains("Gone Fishing"),
        "{}",
        found[0].reason
    );
    assert!(found[0].raw.contains("Gone Fishing"));
}

#[test]
fn a_damaged_license_leaves_the_others_on_the_dashboard() {
    let (repo, _) = repo_with_a_damaged_license();
    let users = seed_users();
    let dashboard = block_on(load_home(&repo, &users, today()))
        .unwrap()
        .dashboard;
    assert_eq!(dashboard.total, 2);
    assert_eq!(
        dashboard.by_status.iter().map(|(_, n)| n).sum::<u64>(),
        2,
        "{:?}",
        dashboard.by_status
    );
    assert_eq!(repo.damage_log().count(), 1);
}

#[test]
fn a_damaged_package_leaves_the_licenses_list_whole() {
    let (repo, _) = repo_with_a_damaged_license();
    let package_id = license(1).package_id;
    repo.put_raw(
        StoreName::Packages,
        package_id.to18(),
        json!({"id": package_id.to18(), "name": 42}),
    );
    let list = block_on(load_license_list(&repo)).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(repo.damage_log().count(), 2);
    assert!(block_on(repo.list_records::<Package>()).unwrap().is_empty());
}

#[test]
fn modify_license_of_a_damaged_license_is_refused_with_the_reason_and_writes_nothing() {
    let (repo, damaged) = repo_with_a_damaged_license();
    let before = block_on(repo.damaged_records()).unwrap();
    let err = block_on(modify_license(
        &repo,
        damaged.id.to18(),
        None,
        &draft("2026-12-31", "20", "Active"),
        &user(Profile::LicenseManager),
        today(),
        now(),
    ))
    .unwrap_err();
    let ModifyFailure::Storage(StorageError::Corrupt { id, detail, .. }) = &err else {
        panic!("expected a damaged-record refusal, got {err:?}");
    };
    assert_eq!(id, damaged.id.to18());
    assert!(detail.contains("Gone Fishing"), "{detail}");
    let message = err.to_string();
    assert!(message.contains("nothing was changed"), "{message}");
    assert!(message.contains("Settings > Damaged records"), "{message}");
    // Nothing written: the damaged value as it was, no history, no counters.
    assert_eq!(block_on(repo.damaged_records()).unwrap(), before);
    assert_eq!(history_count(&repo), 0);
    assert!(block_on(repo.get::<Sequences>(SEQUENCES_KEY))
        .unwrap()
        .is_none());
    // The readable licenses can still be modified.
    block_on(modify_license(
        &repo,
        license(1).id.to18(),
        None,
        &draft("2026-12-31", "20", "Active"),
        &user(Profile::LicenseManager),
        today(),
        now(),
    ))
    .unwrap();
}

#[test]
fn loading_the_demo_replaces_damaged_records() {
    let (repo, _) = repo_with_a_damaged_license();
    let data = crate::demo::build_demo_data(today(), now(), crate::demo::DemoSize::Normal);
    block_on(crate::demo::save_demo_data(&repo, data)).unwrap();
    assert!(block_on(repo.damaged_records()).unwrap().is_empty());
}

#[test]
fn a_damaged_converted_lead_leaves_the_account_page_whole() {
    let (repo, _) = repo_with_a_damaged_license();
    let account = crate::domain::Account {
        id: crate::domain::SfId::generate(crate::domain::KeyPrefix::Account, 7),
        name: "Analytical Engines".into(),
        created: crate::domain::Stamp::system(now()),
    };
    block_on(repo.create(account.clone())).unwrap();
    let mut licensed = license(4);
    licensed.account_id = Some(account.id.clone());
    block_on(repo.create(licensed.clone())).unwrap();
    let lead_id = licensed.lead_id.clone().unwrap();
    repo.put_raw(
        StoreName::Leads,
        lead_id.to18(),
        json!({"id": lead_id.to18(), "last_name": 7}),
    );
    let detail = block_on(crate::services::leads::load_account_detail(
        &repo,
        account.id.to18(),
    ))
    .unwrap()
    .unwrap();
    assert_eq!(detail.account.name, "Analytical Engines");
    assert_eq!(detail.licenses.len(), 1);
    assert!(detail.converted_from.is_empty());
    assert_eq!(repo.damage_log().count(), 1);
}

#[test]
fn an_export_writes_the_readable_records_and_leaves_out_a_damaged_one() {
    let repo = MemoryRepository::new();
    for (n, name) in [(1, "Globex"), (2, "Initech")] {
        block_on(repo.create(crate::domain::Account {
            id: crate::domain::SfId::generate(crate::domain::KeyPrefix::Account, n),
            name: name.into(),
            created: crate::domain::Stamp::system(now()),
        }))
        .unwrap();
    }
    let bad = crate::domain::SfId::generate(crate::domain::KeyPrefix::Account, 3);
    repo.put_raw(
        StoreName::Accounts,
        bad.to18(),
        json!({"id": bad.to18(), "name": ["not", "text"]}),
    );
    let csv = block_on(crate::services::export::accounts_csv(&repo)).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].contains("Globex") && lines[2].contains("Initech"));
    assert_eq!(repo.damage_log().count(), 1);
}
