//! The import plan on hand-made files, tidy and untidy, and on bad files.

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;

use super::fixtures;
use super::*;
use crate::domain::{
    seed_users, Account, Contact, Expiration, Lead, LeadOwner, LeadStatus, License, LicenseStatus,
    LicenseType, OrgStatus, Seats, Sequences, SfId,
};

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2025, 6, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap()
}

fn actor() -> SfId {
    seed_users().remove(0).id
}

fn desk() -> Desk {
    Desk {
        users: seed_users(),
        ..Desk::default()
    }
}

fn plan_of(files: &[(&str, &str)], desk: &Desk) -> ImportPlan {
    let mut job = ImportJob::new(&actor(), now());
    for (name, text) in files {
        job.add_file(name, text.as_bytes().to_vec());
    }
    job.finish(desk)
}

/// Every account, contact, lead and license the plan writes, built (the
/// new ones are kept as rows until the commit).
#[derive(Default)]
struct Written {
    accounts: Vec<Account>,
    contacts: Vec<Contact>,
    leads: Vec<Lead>,
    licenses: Vec<License>,
}

fn written(plan: &ImportPlan) -> Written {
    let w = &plan.writes;
    let mut out = Written {
        accounts: w.accounts.iter().map(|x| (*x.record).clone()).collect(),
        contacts: w.contacts.iter().map(|x| (*x.record).clone()).collect(),
        leads: w.leads.iter().map(|x| (*x.record).clone()).collect(),
        licenses: w.licenses.iter().map(|x| (*x.record).clone()).collect(),
    };
    for record in w.kept.0.records() {
        match record.unwrap() {
            KeptRecord::Account(a) => out.accounts.push(a),
            KeptRecord::Contact(c) => out.contacts.push(c),
            KeptRecord::Lead(l) => out.leads.push(l),
            KeptRecord::License(l) => out.licenses.push(l),
        }
    }
    out
}

fn licenses_written(plan: &ImportPlan) -> usize {
    written(plan).licenses.len()
}

fn id(s: &str) -> SfId {
    SfId::parse(s).unwrap()
}

#[test]
fn every_fixture_comes_in_whatever_the_file_order() {
    let plan = plan_of(&fixtures::all(), &desk());
    assert!(plan.refused.is_empty(), "{:#?}", plan.refused);
    assert!(plan.refused_files.is_empty());
    for (kind, new) in [
        (ObjectKind::Package, 1),
        (ObjectKind::PackageVersion, 2),
        (ObjectKind::Account, 1),
        (ObjectKind::Contact, 1),
        (ObjectKind::Lead, 2),
        (ObjectKind::License, 3),
    ] {
        assert_eq!(
            plan.counts_of(kind),
            Counts {
                new,
                ..Counts::default()
            },
            "{kind}"
        );
    }
    assert_eq!(plan.accepted_rows(), 10);
    let licenses_file = plan
        .files
        .iter()
        .find(|f| f.file == "licenses.csv")
        .unwrap();
    assert_eq!(licenses_file.kind, ObjectKind::License);
    assert_eq!(
        licenses_file.unknown_columns,
        vec!["CreatedDate".to_string()]
    );
    assert_eq!(licenses_file.rows, 3);
}

#[test]
fn untidy_license_values_are_read_as_the_org_meant_them() {
    let plan = plan_of(&fixtures::all(), &desk());
    let w = &plan.writes;
    let built = written(&plan);
    let by_name = |name: &str| {
        built
            .licenses
            .iter()
            .find(|l| l.name.to_string() == name)
            .unwrap()
    };
    let package = id("033000000000001");
    // Expired, seats below used: both kept.
    let l = by_name("L-00042");
    assert_eq!(l.status, LicenseStatus::Active);
    assert_eq!(l.seats, Seats::count(25).unwrap());
    assert_eq!(l.used_licenses, Some(30));
    assert!(l.is_expired(now().date()));
    assert_eq!(l.org_edition, "Enterprise");
    assert_eq!(l.package_id, package);
    // Pointed at the version's org record Id; stored under its Version ID.
    assert_eq!(l.package_version_id, id("04t000000000001"));
    assert_eq!(l.lead_name, "Ada Lovelace");
    assert_eq!(plan.seats_below_used, 1);
    // A Trial of 120 days on a Site License, in a sandbox.
    let l = by_name("L-00007");
    assert_eq!(l.status, LicenseStatus::Trial);
    assert_eq!(l.seats, Seats::SiteLicense);
    assert_eq!(l.used_licenses, None);
    assert_eq!(
        l.expiration.days_left(l.install_date),
        Some(120),
        "{:?}",
        l.expiration
    );
    assert!(l.sandbox);
    assert_eq!(l.org_edition, "Developer");
    assert_eq!(l.org_status, OrgStatus::Trial);
    assert_eq!(l.account_id, Some(id("001M000000qfPyS")));
    assert_eq!(l.version_number.to_string(), "1.1.0");
    let l = by_name("L-00008");
    assert_eq!(l.status, LicenseStatus::Uninstalled);
    assert_eq!(l.expiration, Expiration::DoesNotExpire);
    assert_eq!(l.license_type, LicenseType::Uneditable);
    assert_eq!(l.org_edition, "Professional");
    assert_eq!(l.lead_id, None);
    // The License Name counter moves past the highest imported number.
    let mut seq = Sequences::default();
    let history = w.reserve(&mut seq);
    assert_eq!(seq.peek_license_number(), 43);
    // History IDs are taken after the imported IDs, so none is reused.
    let ids: std::collections::HashSet<_> = history.iter().map(|h| h.id.clone()).collect();
    assert_eq!(ids.len(), history.len());
}

#[test]
fn accounts_contacts_leads_and_versions_through_their_lookups() {
    let plan = plan_of(&fixtures::all(), &desk());
    let w = &plan.writes;
    let built = written(&plan);
    assert_eq!(built.accounts[0].name, "Acme, \"The\" Company");
    assert_eq!(built.contacts[0].account_id, id("001M000000qfPyS"));
    let converted = built
        .leads
        .iter()
        .find(|l| l.last_name == "Coyote")
        .unwrap();
    assert_eq!(converted.status, LeadStatus::Converted);
    assert_eq!(
        converted.converted.as_ref().map(|c| c.contact_id.clone()),
        Some(id("003000000000001"))
    );
    assert_eq!(converted.package_id, id("033000000000001"));
    assert_eq!(converted.owner, LeadOwner::LicenseManagementApp);
    let v = &w.versions[0].record;
    assert_eq!(v.package_id, id("033000000000001"));
    assert!(!v.beta);
    assert_eq!(v.version.to_string(), "1.0.0");
    assert_eq!(
        v.release_date,
        NaiveDate::from_ymd_opt(2024, 11, 1).unwrap()
    );
}

fn license_row(cells: &[(&str, &str)]) -> String {
    // A valid uninstalled license on version 04t...2 (imported with it),
    // with `cells` replaced by column name.
    let header: Vec<&str> = fixtures::LICENSE_HEADER.split(',').collect();
    let base = [
        "a0L000000000009",
        "L-00009",
        "Active",
        "5",
        "1",
        "",
        "2025-01-01",
        "NA1",
        "Enterprise",
        "Active",
        "",
        "false",
        "00D000000000109",
        "04t000000000002",
        "1.1.0",
        "",
        "",
        "",
        "Editable",
    ];
    let row: Vec<String> = header
        .iter()
        .zip(base)
        .map(|(h, v)| {
            cells
                .iter()
                .find(|(c, _)| c == h)
                .map_or(v.to_string(), |(_, x)| x.to_string())
        })
        .collect();
    format!("{}\n{}\n", fixtures::LICENSE_HEADER, row.join(","))
}

fn refused_one(cells: &[(&str, &str)]) -> Refused {
    let text = license_row(cells);
    let plan = plan_of(
        &[
            ("packages.csv", fixtures::PACKAGES),
            ("versions.csv", fixtures::VERSIONS),
            ("l.csv", text.as_str()),
        ],
        &desk(),
    );
    assert_eq!(plan.counts_of(ObjectKind::License).refused, 1, "{cells:?}");
    assert_eq!(licenses_written(&plan), 0);
    plan.refused.into_iter().next().unwrap()
}

#[test]
fn the_valid_base_row_is_accepted() {
    let text = license_row(&[]);
    let plan = plan_of(
        &[
            ("packages.csv", fixtures::PACKAGES),
            ("versions.csv", fixtures::VERSIONS),
            ("l.csv", text.as_str()),
        ],
        &desk(),
    );
    assert!(plan.refused.is_empty(), "{:#?}", plan.refused);
    assert_eq!(plan.counts_of(ObjectKind::License).new, 1);
}

#[test]
fn what_a_license_can_never_be_is_refused_with_line_column_and_message() {
    for (column, value, says) in [
        ("sfLma__Seats__c", "0", "out of range"),
        ("sfLma__Seats__c", "99000001", "out of range"),
        ("sfLma__Seats__c", "-2", "not a whole number"),
        ("sfLma__Status__c", "Expired", "is not a License Status"),
        ("Id", "a0L000000000009AAB", "don't match"),
        ("Id", "a0L00000000000", "15 or 18 characters"),
        (
            "sfLma__Subscriber_Org_ID__c",
            "001000000000109",
            "starts with \"001\"",
        ),
        (
            "sfLma__Package_Version__c",
            "04t00000000000Z",
            "neither in this import nor in the desk",
        ),
        (
            "sfLma__Lead__c",
            "00Q000000000077",
            "neither in this import nor in the desk",
        ),
        ("sfLma__Org_Status__c", "", "is not a Org Status"),
        ("sfLma__Install_Date__c", "31/01/2025", "year-month-day"),
        ("sfLma__Is_Sandbox__c", "maybe", "checkbox"),
        ("Name", "L-9", "License Names look like"),
    ] {
        let r = refused_one(&[(column, value)]);
        assert_eq!(r.kind, ObjectKind::License);
        assert_eq!(r.line, 2, "{column}");
        assert_eq!(r.column, column, "{column}={value}: {}", r.message);
        assert!(r.message.contains(says), "{column}={value}: {}", r.message);
    }
}

#[test]
fn rules_of_changes_by_hand_do_not_refuse_an_import() {
    // Seats 1 and 99,000,000 are the bounds; a past expiration, a Trial far
    // beyond 90 days and seats below used all come in.
    for cells in [
        vec![("sfLma__Seats__c", "1"), ("sfLma__Used_Licenses__c", "7")],
        vec![("sfLma__Seats__c", "99000000")],
        vec![("sfLma__Seats__c", "-1")],
        vec![
            ("sfLma__Status__c", "Trial"),
            ("sfLma__Expiration__c", "2026-12-31"),
        ],
        vec![("sfLma__Expiration__c", "2000-01-01")],
        vec![
            ("sfLma__Status__c", "suspended"),
            ("sfLma__Org_Status__c", "deleted"),
        ],
    ] {
        let text = license_row(&cells);
        let plan = plan_of(
            &[
                ("packages.csv", fixtures::PACKAGES),
                ("versions.csv", fixtures::VERSIONS),
                ("l.csv", text.as_str()),
            ],
            &desk(),
        );
        assert!(plan.refused.is_empty(), "{cells:?}: {:#?}", plan.refused);
        assert_eq!(licenses_written(&plan), 1);
    }
}

#[test]
fn a_license_whose_package_exists_nowhere_is_refused_and_so_are_its_versions() {
    // The versions file without its package: versions and licenses cascade.
    let text = license_row(&[]);
    let plan = plan_of(
        &[
            ("versions.csv", fixtures::VERSIONS),
            ("l.csv", text.as_str()),
        ],
        &desk(),
    );
    assert_eq!(plan.counts_of(ObjectKind::PackageVersion).refused, 2);
    assert_eq!(plan.counts_of(ObjectKind::License).refused, 1);
    assert!(!plan.has_writes());
    let v = &plan.refused[0];
    assert_eq!(v.column, "sfLma__Package__c");
    assert!(v.message.starts_with("Package a0P000000000001 is neither"));
    let l = plan
        .refused
        .iter()
        .find(|r| r.kind == ObjectKind::License)
        .unwrap();
    assert_eq!(l.column, "sfLma__Package_Version__c");
    assert_eq!(l.line, 2);
}

#[test]
fn duplicate_ids_in_one_file_refuse_the_later_rows() {
    let text = "Id,Name\n001000000000001,A\n001000000000002,B\n001000000000001AAA,C\n";
    let plan = plan_of(&[("a.csv", text)], &desk());
    assert_eq!(plan.counts_of(ObjectKind::Account).new, 2);
    assert_eq!(plan.counts_of(ObjectKind::Account).refused, 1);
    let r = &plan.refused[0];
    assert_eq!((r.line, r.column.as_str()), (4, "Id"));
    assert!(r.message.contains("line 2"), "{}", r.message);
    assert_eq!(written(&plan).accounts.len(), 2);
}

#[test]
fn a_license_name_held_by_another_license_is_refused() {
    let a = license_row(&[]);
    let b = license_row(&[("Id", "a0L000000000010")]);
    let b_row = b.lines().nth(1).unwrap();
    let text = format!("{a}{b_row}\n");
    let plan = plan_of(
        &[
            ("packages.csv", fixtures::PACKAGES),
            ("versions.csv", fixtures::VERSIONS),
            ("l.csv", text.as_str()),
        ],
        &desk(),
    );
    assert_eq!(plan.counts_of(ObjectKind::License).refused, 1);
    assert!(plan.refused[0].message.contains("never reused"));
}

#[test]
fn bad_files_are_refused_whole_with_a_reason() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10".to_vec();
    let long = "z".repeat(2 * 1024 * 1024);
    let mut job = ImportJob::new(&actor(), now());
    assert!(!job.add_file("empty.csv", Vec::new()));
    assert!(!job.add_file("header.csv", b"Id,Name\r\n".to_vec()));
    assert!(!job.add_file("logo.csv", png));
    assert!(!job.add_file("long.csv", long.into_bytes()));
    let plan = job.finish(&desk());
    let messages: Vec<&str> = plan
        .refused_files
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 4);
    assert!(messages[0].contains("empty"));
    assert!(messages[1].contains("no records"));
    assert!(messages[2].contains("not UTF-8 text"));
    assert!(messages[3].contains("doesn't match any object"));
    assert!(messages[3].len() < 2_000);
    assert!(!plan.has_writes());
}

#[test]
fn the_job_reads_in_steps_and_reports_rows_and_bytes() {
    let mut text = String::from("Id,Name\n");
    for i in 0..250u64 {
        text.push_str(&format!(
            "{},Account {i}\n",
            SfId::generate(crate::domain::KeyPrefix::Account, i + 1).to15()
        ));
    }
    let mut job = ImportJob::new(&actor(), now());
    assert!(job.add_file("a.csv", text.into_bytes()));
    let first = job.step(100);
    assert_eq!(first.rows_read, 100);
    assert!(first.bytes_read < first.bytes_total);
    assert!(!job.is_done());
    job.step(100);
    let last = job.step(100);
    assert_eq!(last.rows_read, 250);
    assert!(job.is_done());
    assert_eq!(last.bytes_read, last.bytes_total);
    let plan = job.finish(&desk());
    assert_eq!(plan.counts_of(ObjectKind::Account).new, 250);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_file_content_panics_the_importer(s in "\\PC*", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let mut job = ImportJob::new(&actor(), now());
        job.add_file("any.csv", s.clone().into_bytes());
        job.add_file("bytes.csv", bytes);
        job.add_file("rows.csv", format!("{}\n{s}", fixtures::LICENSE_HEADER).into_bytes());
        job.add_file("leads.csv", format!("Id,LastName,Company,IsConverted,ConvertedAccountId\n{s}").into_bytes());
        let _ = job.finish(&desk());
    }

    #[test]
    fn no_license_cell_panics_the_importer(cell in "\\PC{0,30}", column in 0usize..19) {
        let header: Vec<&str> = fixtures::LICENSE_HEADER.split(',').collect();
        let name = header[column];
        let quoted = format!("\"{}\"", cell.replace('"', "\"\""));
        let text = license_row(&[(name, quoted.as_str())]);
        let _ = plan_of(&[("p.csv", fixtures::PACKAGES), ("v.csv", fixtures::VERSIONS), ("l.csv", text.as_str())], &desk());
    }
}
