//! The licenses list kept current by change notices.
//!
//! Reading every license, lead, account and contact again after each
//! commit took seconds at 100,000 licenses. The list reads them once;
//! after a commit it asks the [`ChangeNotice`] what changed
//! ([`ListRefresh::from_notice`]), reads only the licenses it names and
//! patches their rows ([`LiveList::apply_licenses`]). The leads', accounts'
//! and contacts' companies and emails (search keys only) are read again
//! only when one of those stores changed; a notice that names no records
//! (a restore, the demo load, over 500 records) reads everything again.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::list::{LicenseList, LicenseRow, Lookups};
use crate::domain::License;
use crate::storage::{ChangeNotice, ChangeOrigin, StoreName, Stored};

/// What the list must read again after a commit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRefresh {
    /// Every license and the package names (and the people, when they
    /// were never read).
    pub everything: bool,
    /// The leads', accounts' and contacts' companies and emails.
    pub people: bool,
    /// These licenses (18-character IDs), patched into the rows.
    pub licenses: BTreeSet<String>,
}

impl ListRefresh {
    /// The first read of the page.
    pub fn everything() -> ListRefresh {
        ListRefresh {
            everything: true,
            people: true,
            licenses: BTreeSet::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.everything && !self.people && self.licenses.is_empty()
    }

    /// What `notice` asks of the list: nothing for the stores the list
    /// does not show (history, install events, sync's bookkeeping).
    pub fn from_notice(notice: &ChangeNotice) -> ListRefresh {
        let mut refresh = ListRefresh::default();
        if notice.origin == ChangeOrigin::SchemaUpgrade {
            return ListRefresh::everything();
        }
        let people = [StoreName::Leads, StoreName::Accounts, StoreName::Contacts];
        refresh.people = people.iter().any(|s| notice.touches(*s));
        match &notice.records {
            // A package's name is on many rows: rare enough to read all.
            _ if notice.touches(StoreName::Packages) => refresh.everything = true,
            Some(records) => {
                refresh.licenses = records
                    .iter()
                    .filter(|(store, _)| *store == StoreName::Licenses)
                    .map(|(_, id)| id.clone())
                    .collect();
            }
            None => refresh.everything = notice.touches(StoreName::Licenses),
        }
        refresh
    }

    /// Adds what `other` asks for (notices that arrive while a read runs).
    pub fn merge(&mut self, other: ListRefresh) {
        self.everything |= other.everything;
        self.people |= other.people;
        self.licenses.extend(other.licenses);
    }
}

/// Whether the companies and emails are in the rows yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleState {
    Loading,
    Loaded,
    Failed(String),
}

/// The list's rows, patched in place after commits.
#[derive(Debug, Clone)]
pub struct LiveList {
    /// The package names and, once read, the people.
    lookups: Lookups,
    people: PeopleState,
    list: Arc<LicenseList>,
    /// Moves with every change of the rows (the table redraws them).
    generation: u64,
}

impl LiveList {
    /// The rows of [`load_list_rows`](super::load_list_rows), built with
    /// `lookups` (the package names); the people come with
    /// [`set_people`](LiveList::set_people).
    pub fn new(list: LicenseList, lookups: Lookups) -> LiveList {
        LiveList {
            lookups,
            people: PeopleState::Loading,
            list: Arc::new(list),
            generation: 0,
        }
    }

    pub fn list(&self) -> &Arc<LicenseList> {
        &self.list
    }

    pub fn people(&self) -> &PeopleState {
        &self.people
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The companies and emails read again: every row relinked in memory.
    pub fn set_people(&mut self, people: Result<Lookups, String>) {
        match people {
            Ok(people) => {
                self.lookups.leads = people.leads;
                self.lookups.accounts = people.accounts;
                self.lookups.contact_emails = people.contact_emails;
                self.people = PeopleState::Loaded;
                Arc::make_mut(&mut self.list).relink(&self.lookups);
                self.generation = self.generation.wrapping_add(1);
            }
            Err(e) => self.people = PeopleState::Failed(e),
        }
    }

    /// Patches the rows of `changed`: each license ID with what is stored
    /// now (`None`: deleted). A license new to the list is added at the end
    /// (the list sorts its rows anyway). Returns whether a row changed.
    pub fn apply_licenses(&mut self, changed: Vec<(String, Option<Stored<License>>)>) -> bool {
        if changed.is_empty() {
            return false;
        }
        let list = Arc::make_mut(&mut self.list);
        let mut positions: HashMap<String, usize> = if changed.len() > 8 {
            list.rows()
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id.clone(), i))
                .collect()
        } else {
            HashMap::new()
        };
        let mut removed = Vec::new();
        for (id, stored) in changed {
            let at = if positions.is_empty() {
                list.rows().iter().position(|r| r.id == id)
            } else {
                positions.get(&id).copied()
            };
            match (at, stored) {
                (Some(i), Some(stored)) => {
                    list.replace(i, LicenseRow::new(&stored.record, &self.lookups))
                }
                (None, Some(stored)) => {
                    if !positions.is_empty() {
                        positions.insert(id, list.len());
                    }
                    list.push(LicenseRow::new(&stored.record, &self.lookups));
                }
                (Some(i), None) => removed.push(i),
                (None, None) => {}
            }
        }
        // Highest first, so the positions still to remove stay where they are.
        removed.sort_unstable_by(|a, b| b.cmp(a));
        for i in removed {
            list.remove(i);
        }
        self.generation = self.generation.wrapping_add(1);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use futures::executor::block_on;

    use crate::domain::{Account, KeyPrefix, Lead, LeadOwner, LeadStatus, Seats, SfId, Stamp};
    use crate::services::licenses::fixtures::*;
    use crate::services::licenses::{load_list_rows, load_people, LicenseQuery};
    use crate::storage::{Expect, MemoryRepository, Repository, WriteBatch};

    fn notices(repo: &MemoryRepository) -> std::rc::Rc<std::cell::RefCell<Vec<ChangeNotice>>> {
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let keep = seen.clone();
        repo.subscribe(move |n| keep.borrow_mut().push(n.clone()))
            .keep();
        seen
    }

    /// What the page does with a notice: read what it names, patch.
    fn refresh(repo: &MemoryRepository, live: LiveList, refresh: ListRefresh) -> LiveList {
        let mut live = if refresh.everything {
            let (list, lookups) = block_on(load_list_rows(repo)).unwrap();
            LiveList::new(list, lookups)
        } else {
            live
        };
        if refresh.people || refresh.everything {
            live.set_people(block_on(load_people(repo)).map_err(|e| e.to_string()));
        }
        let ids: Vec<String> = refresh.licenses.into_iter().collect();
        let found = block_on(repo.get_many::<License>(&ids)).unwrap();
        live.apply_licenses(ids.into_iter().zip(found).collect());
        live
    }

    fn seats_of(live: &LiveList, name: &str) -> String {
        live.list()
            .rows()
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.seats_text())
            .unwrap_or_default()
    }

    fn search(live: &LiveList, text: &str) -> Vec<String> {
        let q = LicenseQuery {
            text: text.into(),
            ..LicenseQuery::default()
        };
        live.list()
            .apply(&q, today())
            .iter()
            .map(|r| r.name.clone())
            .collect()
    }

    fn lead(n: u64, company: &str) -> Lead {
        Lead {
            id: SfId::generate(KeyPrefix::Lead, n),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            company: company.into(),
            email: format!("lead{n}@example.com"),
            lead_source: "Package Installation".into(),
            owner: LeadOwner::LicenseManagementApp,
            status: LeadStatus::Open,
            package_id: SfId::generate(KeyPrefix::Package, 1),
            created: Stamp::system(now()),
            last_modified: Stamp::system(now()),
            converted: None,
        }
    }

    fn started(repo: &MemoryRepository) -> LiveList {
        let (list, lookups) = block_on(load_list_rows(repo)).unwrap();
        let live = LiveList::new(list, lookups);
        assert_eq!(live.people(), &PeopleState::Loading);
        refresh(repo, live, ListRefresh::everything())
    }

    #[test]
    fn a_saved_license_is_patched_into_its_row_and_nothing_else_is_read() {
        let repo = MemoryRepository::new();
        block_on(repo.put_all((1..=5).map(license), Expect::Absent)).unwrap();
        block_on(repo.create(lead(3, "Globex"))).unwrap();
        let mut live = started(&repo);
        assert_eq!(search(&live, "globex"), vec!["L-00003"]);
        let seen = notices(&repo);

        let mut stored = block_on(repo.get::<License>(license(2).id.to18()))
            .unwrap()
            .unwrap();
        stored.record.seats = Seats::count(77).unwrap();
        block_on(repo.update(stored)).unwrap();
        let ask = ListRefresh::from_notice(&seen.borrow()[0]);
        assert!(!ask.everything && !ask.people);
        assert_eq!(
            ask.licenses.iter().collect::<Vec<_>>(),
            vec![license(2).id.to18()]
        );
        let before = live.generation();
        live = refresh(&repo, live, ask);
        assert!(live.generation() != before);
        assert_eq!(seats_of(&live, "L-00002"), "77");
        assert_eq!(live.list().len(), 5);
        // The companies stay searchable.
        assert_eq!(search(&live, "globex"), vec!["L-00003"]);
    }

    #[test]
    fn new_and_deleted_licenses_come_and_go() {
        let repo = MemoryRepository::new();
        block_on(repo.put_all((1..=20).map(license), Expect::Absent)).unwrap();
        let mut live = started(&repo);
        let seen = notices(&repo);
        let mut batch = WriteBatch::new();
        batch.create(license(21));
        batch.delete::<License>(license(4).id.to18(), Expect::Any);
        batch.delete::<License>(license(9).id.to18(), Expect::Any);
        // Over 8 changes: the patch looks them up in a map.
        for n in [1, 2, 3, 5, 6, 7, 8] {
            let mut l = license(n);
            l.seats = Seats::count(100 + n as u32).unwrap();
            batch.upsert(l);
        }
        block_on(repo.commit(batch)).unwrap();
        live = refresh(&repo, live, ListRefresh::from_notice(&seen.borrow()[0]));
        let mut names: Vec<String> = live.list().rows().iter().map(|r| r.name.clone()).collect();
        names.sort();
        let mut expected: Vec<String> = (1..=21)
            .filter(|n| *n != 4 && *n != 9)
            .map(|n| format!("L-{n:05}"))
            .collect();
        expected.sort();
        assert_eq!(names, expected);
        assert_eq!(seats_of(&live, "L-00007"), "107");
    }

    #[test]
    fn people_are_read_again_only_when_leads_accounts_or_contacts_change() {
        let repo = MemoryRepository::new();
        block_on(repo.put_all((1..=3).map(license), Expect::Absent)).unwrap();
        block_on(repo.create(lead(1, "Initech"))).unwrap();
        let mut live = started(&repo);
        let seen = notices(&repo);
        let mut renamed = block_on(repo.get::<Lead>(lead(1, "").id.to18()))
            .unwrap()
            .unwrap();
        renamed.record.company = "Initrode".into();
        block_on(repo.update(renamed)).unwrap();
        let ask = ListRefresh::from_notice(&seen.borrow()[0]);
        assert!(ask.people && !ask.everything && ask.licenses.is_empty());
        live = refresh(&repo, live, ask);
        assert_eq!(search(&live, "initrode"), vec!["L-00001"]);
        assert!(search(&live, "initech").is_empty());

        block_on(repo.create(Account {
            id: SfId::generate(KeyPrefix::Account, 9),
            name: "Umbrella".into(),
            created: Stamp::system(now()),
        }))
        .unwrap();
        assert!(ListRefresh::from_notice(&seen.borrow()[1]).people);
    }

    #[test]
    fn packages_restores_and_big_commits_read_everything_and_other_stores_nothing() {
        let repo = MemoryRepository::new();
        block_on(repo.put_all((1..=600).map(license), Expect::Absent)).unwrap();
        let seen = notices(&repo);
        block_on(repo.create(package("Expense Tracker"))).unwrap();
        // Over 500 records: the notice names only the stores.
        block_on(repo.put_all((1..=600).map(license), Expect::Any)).unwrap();
        let mut history = WriteBatch::new();
        history.clear_store(StoreName::LicenseHistory);
        block_on(repo.commit(history)).unwrap();
        let seen = seen.borrow();
        assert!(ListRefresh::from_notice(&seen[0]).everything);
        assert!(ListRefresh::from_notice(&seen[1]).everything);
        assert!(ListRefresh::from_notice(&seen[2]).is_empty());

        let live = started(&repo);
        assert_eq!(&*live.list().rows()[0].package_name, "Expense Tracker");
        assert_eq!(live.people(), &PeopleState::Loaded);
    }
}
