//! The global search on the demo data and at 100,000 licenses.

use futures::executor::block_on;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::demo::{build_demo_data, DemoData, DemoSize};
use crate::domain::{KeyPrefix, LicenseName};
use crate::services::licenses::fixtures::{license, now, today};
use crate::storage::{Expect, MemoryRepository, StoreName};

fn demo() -> DemoData {
    build_demo_data(today(), now(), DemoSize::Normal)
}

fn index_of(data: &DemoData) -> SearchIndex {
    SearchIndex::build(IndexSource {
        licenses: data.licenses.clone(),
        leads: data.leads.clone(),
        contacts: data.contacts.clone(),
        accounts: data.accounts.clone(),
        packages: data.packages.clone(),
        versions: data.versions.clone(),
    })
}

fn group(results: &SearchResults, group: SearchGroup) -> Option<&GroupResults> {
    results.groups.iter().find(|g| g.group == group)
}

fn hrefs(results: &SearchResults, g: SearchGroup) -> Vec<String> {
    group(results, g)
        .map(|g| g.hits.iter().map(|h| h.href.clone()).collect())
        .unwrap_or_default()
}

/// A demo license whose org ID has letters in both cases (so case matters).
fn mixed_case_license(data: &DemoData) -> &License {
    data.licenses
        .iter()
        .find(|l| {
            let body = l.subscriber_org_id.to15();
            body.bytes().any(|b| b.is_ascii_lowercase())
                && body.bytes().any(|b| b.is_ascii_uppercase())
        })
        .expect("a demo org ID with both cases")
}

#[test]
fn an_18_character_org_id_in_any_case_opens_its_license() {
    let data = demo();
    let index = index_of(&data);
    let l = mixed_case_license(&data);
    let href = format!("/licenses/{}", l.id.to18());
    let org = &l.subscriber_org_id;
    for typed in [
        org.to18().to_string(),
        org.to18().to_lowercase(),
        org.to18().to_uppercase(),
        format!("  {}  ", org.to15()),
    ] {
        let results = index.search(&typed);
        let found = hrefs(&results, SearchGroup::Licenses);
        assert!(found.contains(&href), "{typed}: {found:?}");
        // Every license it finds belongs to that org, and it is listed first.
        let licenses = group(&results, SearchGroup::Licenses).unwrap();
        let of_org = data
            .licenses
            .iter()
            .filter(|x| x.subscriber_org_id == *org)
            .count();
        assert_eq!(licenses.total, of_org, "{typed}");
        assert_eq!(results.groups[0].group, SearchGroup::Licenses);
    }
}

#[test]
fn a_15_character_org_id_is_case_sensitive() {
    let data = demo();
    let index = index_of(&data);
    let l = mixed_case_license(&data);
    let flipped: String = l
        .subscriber_org_id
        .to15()
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    let results = index.search(&flipped);
    let href = format!("/licenses/{}", l.id.to18());
    assert!(!hrefs(&results, SearchGroup::Licenses).contains(&href));
}

#[test]
fn part_of_an_org_id_finds_it_while_typing() {
    let data = demo();
    let index = index_of(&data);
    let l = mixed_case_license(&data);
    let part = l.subscriber_org_id.to15()[6..].to_lowercase();
    let results = index.search(&part);
    let href = format!("/licenses/{}", l.id.to18());
    assert!(hrefs(&results, SearchGroup::Licenses).contains(&href));
}

#[test]
fn licenses_by_name_and_company() {
    let data = demo();
    let index = index_of(&data);
    let results = index.search("l-00007");
    let licenses = group(&results, SearchGroup::Licenses).unwrap();
    assert_eq!(licenses.total, 1);
    assert_eq!(licenses.hits[0].title, "L-00007");
    // The company: the account's name once converted, else the lead's.
    let lead = data
        .leads
        .iter()
        .find(|l| !l.is_converted() && !l.company.is_empty())
        .unwrap();
    let results = index.search(&lead.company.to_uppercase());
    let licenses = group(&results, SearchGroup::Licenses).unwrap();
    assert!(licenses.hits[0].detail.contains(&lead.company));
    let licensed = data
        .licenses
        .iter()
        .filter(|l| l.lead_id.as_ref() == Some(&lead.id))
        .count();
    assert!(licenses.total >= licensed);
}

#[test]
fn a_lead_by_email_and_a_contact_and_account_by_name() {
    let data = demo();
    let index = index_of(&data);
    let lead = data.leads.iter().find(|l| !l.is_converted()).unwrap();
    let results = index.search(&lead.email.to_uppercase());
    assert_eq!(
        hrefs(&results, SearchGroup::Leads),
        vec![format!("/leads/{}", lead.id.to18())]
    );
    let hit = &group(&results, SearchGroup::Leads).unwrap().hits[0];
    assert_eq!(hit.title, lead.full_name());
    assert!(hit.detail.contains(&lead.email));

    let contact = data.contacts.first().expect("the demo converts leads");
    let results = index.search(&contact.full_name());
    assert!(hrefs(&results, SearchGroup::Contacts)
        .contains(&format!("/contacts/{}", contact.id.to18())));
    let results = index.search(&contact.email);
    assert!(hrefs(&results, SearchGroup::Contacts)
        .contains(&format!("/contacts/{}", contact.id.to18())));

    let account = data.accounts.first().unwrap();
    let results = index.search(&account.name.to_lowercase());
    assert!(hrefs(&results, SearchGroup::Accounts)
        .contains(&format!("/accounts/{}", account.id.to18())));
}

#[test]
fn several_words_must_all_match_one_record() {
    let data = demo();
    let index = index_of(&data);
    let lead = data
        .leads
        .iter()
        .find(|l| !l.first_name.is_empty() && !l.last_name.is_empty())
        .unwrap();
    let href = format!("/leads/{}", lead.id.to18());
    let both = format!("{} {}", lead.last_name, lead.first_name);
    assert!(hrefs(&index.search(&both), SearchGroup::Leads).contains(&href));
    let wrong = format!("{} zzzzqqq", lead.first_name);
    assert!(group(&index.search(&wrong), SearchGroup::Leads).is_none());
}

#[test]
fn packages_by_name_and_id_and_versions_by_version_id() {
    let data = demo();
    let index = index_of(&data);
    let package = data.packages.first().unwrap();
    let href = format!("/packages/{}", package.id.to18());
    for typed in [
        package.name.as_str().to_lowercase(),
        package.id.to15().to_string(),
        package.id.to18().to_lowercase(),
    ] {
        let results = index.search(&typed);
        assert_eq!(
            hrefs(&results, SearchGroup::Packages),
            vec![href.clone()],
            "{typed}"
        );
    }
    let version = data
        .versions
        .iter()
        .find(|v| v.package_id == package.id)
        .unwrap();
    let results = index.search(&version.id.to18().to_uppercase());
    let versions = group(&results, SearchGroup::PackageVersions).unwrap();
    assert_eq!(versions.total, 1);
    // A version opens its package, whose Versions list shows it.
    assert_eq!(versions.hits[0].href, href);
    assert!(versions.hits[0]
        .title
        .contains(&version.version.to_string()));
    assert!(versions.hits[0].detail.contains(version.id.to15()));
    // A package's name alone does not list every version of it.
    let results = index.search(package.name.as_str());
    assert!(group(&results, SearchGroup::PackageVersions).is_none());
}

#[test]
fn each_group_shows_five_and_counts_the_rest() {
    let data = demo();
    let index = index_of(&data);
    let results = index.search("L-00");
    let licenses = group(&results, SearchGroup::Licenses).unwrap();
    assert_eq!(licenses.hits.len(), RESULTS_PER_GROUP);
    assert_eq!(licenses.total, data.licenses.len());
    assert_eq!(licenses.more(), data.licenses.len() - RESULTS_PER_GROUP);
    // In License Name order.
    let titles: Vec<&str> = licenses.hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(
        titles,
        ["L-00001", "L-00002", "L-00003", "L-00004", "L-00005"]
    );
    assert_eq!(results.shown(), results.hits().count());
    assert!(results.total() >= data.licenses.len());
}

#[test]
fn blank_text_finds_nothing_and_unknown_text_finds_nothing() {
    let index = index_of(&demo());
    assert!(index.search("").is_empty());
    assert!(index.search("   \t").is_empty());
    assert!(index.search("no-such-record-anywhere").is_empty());
    assert!(SearchIndex::default().search("L-00001").is_empty());
}

#[test]
fn a_damaged_record_leaves_the_others_searchable() {
    let repo = MemoryRepository::new();
    block_on(repo.put_all(vec![license(1), license(3)], Expect::Absent)).unwrap();
    let damaged = license(2);
    let mut value = serde_json::to_value(&damaged).unwrap();
    value["status"] = json!("Gone Fishing");
    repo.put_raw(StoreName::Licenses, damaged.id.to18(), value);
    let index = block_on(load_search_index(&repo)).unwrap();
    assert_eq!(index.len(SearchGroup::Licenses), 2);
    let results = index.search("L-0000");
    let titles: Vec<&str> = results.hits().map(|h| h.title.as_str()).collect();
    assert_eq!(titles, ["L-00001", "L-00003"]);
    assert_eq!(repo.damage_log().count(), 1);
}

#[test]
fn a_hundred_thousand_licenses_are_searched_in_memory() {
    let base = license(1);
    let licenses: Vec<License> = (1..=100_000u64)
        .rev()
        .map(|n| {
            let mut l = base.clone();
            l.id = SfId::generate(KeyPrefix::License, n);
            l.name = LicenseName::from_number(n);
            l.subscriber_org_id = SfId::generate(KeyPrefix::Org, 1000 + n * 7919);
            l
        })
        .collect();
    let index = SearchIndex::build(IndexSource {
        licenses,
        ..IndexSource::default()
    });
    let org = SfId::generate(KeyPrefix::Org, 1000 + 77_777 * 7919);
    for typed in [
        org.to15().to_string(),
        org.to18().to_lowercase(),
        "l-77777".to_string(),
    ] {
        let results = index.search(&typed);
        let titles: Vec<&str> = results.hits().map(|h| h.title.as_str()).collect();
        assert_eq!(titles, ["L-77777"], "{typed}");
    }
    let every = index.search("l-");
    assert_eq!(every.total(), 100_000);
    assert_eq!(every.shown(), RESULTS_PER_GROUP);
}

proptest! {
    #[test]
    fn any_text_is_searched_without_panicking(text in "\\PC{0,40}") {
        let index = index_of(&demo_small());
        let results = index.search(&text);
        for g in &results.groups {
            prop_assert!(g.hits.len() <= RESULTS_PER_GROUP);
            prop_assert!(g.total >= g.hits.len());
            prop_assert!(g.total > 0);
        }
    }

    #[test]
    fn every_hit_holds_each_word_or_is_named_by_the_id(text in "[a-zA-Z0-9@. -]{1,12}") {
        let data = demo_small();
        let index = index_of(&data);
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        for hit in index.search(&text).groups.iter().filter(|g| g.group == SearchGroup::Licenses).flat_map(|g| &g.hits) {
            let l = data.licenses.iter().find(|l| hit.href.ends_with(l.id.to18())).unwrap();
            let haystack = format!("{}\n{}\n{}", hit.title, hit.detail, l.subscriber_org_id.to15()).to_lowercase();
            for w in &words {
                prop_assert!(haystack.contains(w.as_str()), "{w} in {haystack}");
            }
        }
    }
}

/// The demo, built once for the property tests.
fn demo_small() -> DemoData {
    use std::sync::OnceLock;
    static DEMO: OnceLock<DemoData> = OnceLock::new();
    DEMO.get_or_init(demo).clone()
}
