//! Global search: one in-memory index over every license, lead, contact,
//! account, package and package version, built once after each change of
//! the data and searched on every keystroke without reading the database.
//!
//! Each group keeps its entries' lowercased search texts in one string, one
//! entry after another, each ended by a newline (which a search box can't
//! hold, so no word matches across two entries). A search is then one scan
//! of that string per group for the query's longest word, and a check of the
//! other words in the entries it finds: at 100,000 licenses that is a few
//! megabytes scanned per keystroke, with no allocation per entry.
//!
//! A whole Salesforce ID (15 characters, case-sensitive, or 18 in any case)
//! also finds the records it names exactly: a license by its Subscriber Org
//! ID, a package by its Package ID, a version by its Version ID, any record
//! by its own ID. [`SfId::parse`] rebuilds the exact 15-character ID from
//! an 18-character one typed in lowercase.

use std::collections::HashMap;

use crate::domain::{Account, Contact, Lead, License, Package, PackageVersion, SfId};
use crate::services::join::join2;
use crate::storage::{Repository, StorageError};

/// Results shown per group; the group says how many more match.
pub const RESULTS_PER_GROUP: usize = 5;

/// The kinds of record the search finds, in the order the results list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchGroup {
    Licenses,
    Leads,
    Contacts,
    Accounts,
    Packages,
    PackageVersions,
}

impl SearchGroup {
    pub const ALL: [SearchGroup; 6] = [
        SearchGroup::Licenses,
        SearchGroup::Leads,
        SearchGroup::Contacts,
        SearchGroup::Accounts,
        SearchGroup::Packages,
        SearchGroup::PackageVersions,
    ];

    /// The group's heading: the LMA's plural object label.
    pub fn label(self) -> &'static str {
        match self {
            SearchGroup::Licenses => "Licenses",
            SearchGroup::Leads => "Leads",
            SearchGroup::Contacts => "Contacts",
            SearchGroup::Accounts => "Accounts",
            SearchGroup::Packages => "Packages",
            SearchGroup::PackageVersions => "Package Versions",
        }
    }

    /// A stable name for element IDs.
    pub fn key(self) -> &'static str {
        match self {
            SearchGroup::Licenses => "licenses",
            SearchGroup::Leads => "leads",
            SearchGroup::Contacts => "contacts",
            SearchGroup::Accounts => "accounts",
            SearchGroup::Packages => "packages",
            SearchGroup::PackageVersions => "versions",
        }
    }
}

/// One record found: where it opens and how the result reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// The record page's address.
    pub href: String,
    /// License Name, the person's or company's name, the package's name…
    pub title: String,
    /// What tells two similar results apart (company, email, IDs).
    pub detail: String,
}

/// The results of one group: the first [`RESULTS_PER_GROUP`] and how many
/// matched in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupResults {
    pub group: SearchGroup,
    pub hits: Vec<Hit>,
    pub total: usize,
}

impl GroupResults {
    /// How many matching records are not shown.
    pub fn more(&self) -> usize {
        self.total.saturating_sub(self.hits.len())
    }
}

/// The records one search found, grouped by object; groups without a
/// match are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResults {
    pub groups: Vec<GroupResults>,
}

impl SearchResults {
    /// Every shown hit in order, as the results list them (what the arrow
    /// keys move through).
    pub fn hits(&self) -> impl Iterator<Item = &Hit> {
        self.groups.iter().flat_map(|g| g.hits.iter())
    }

    pub fn shown(&self) -> usize {
        self.groups.iter().map(|g| g.hits.len()).sum()
    }

    pub fn total(&self) -> usize {
        self.groups.iter().map(|g| g.total).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Everything the index is built from.
#[derive(Debug, Clone, Default)]
pub struct IndexSource {
    pub licenses: Vec<License>,
    pub leads: Vec<Lead>,
    pub contacts: Vec<Contact>,
    pub accounts: Vec<Account>,
    pub packages: Vec<Package>,
    pub versions: Vec<PackageVersion>,
}

/// Reads every record the search finds (a damaged one is left out and
/// counted, as in the lists).
pub async fn load_search_index<R: Repository>(repo: &R) -> Result<SearchIndex, StorageError> {
    let ((licenses, leads), ((contacts, accounts), (packages, versions))) = join2(
        join2(repo.list_records::<License>(), repo.list_records::<Lead>()),
        join2(
            join2(
                repo.list_records::<Contact>(),
                repo.list_records::<Account>(),
            ),
            join2(
                repo.list_records::<Package>(),
                repo.list_records::<PackageVersion>(),
            ),
        ),
    )
    .await;
    Ok(SearchIndex::build(IndexSource {
        licenses: licenses?,
        leads: leads?,
        contacts: contacts?,
        accounts: accounts?,
        packages: packages?,
        versions: versions?,
    }))
}

/// One result as stored in the index.
#[derive(Debug, Clone)]
struct Entry {
    href: String,
    title: String,
    detail: String,
}

/// The entries of one group and what finds them.
#[derive(Debug, Clone, Default)]
struct GroupIndex {
    entries: Vec<Entry>,
    /// Every entry's lowercased search text, each ended by `\n`.
    text: String,
    /// Where each entry's text starts in `text`.
    starts: Vec<usize>,
    /// Where each entry's typed IDs start in `text` (after its names).
    id_starts: Vec<usize>,
    /// (18-character ID, entry) for each ID that names an entry exactly,
    /// sorted by ID.
    ids: Vec<(String, usize)>,
}

impl GroupIndex {
    /// Adds an entry found by the words of its `names`, exactly by `ids`,
    /// and by part of any of `typed_ids` (an ID being typed, any case).
    fn push(&mut self, entry: Entry, names: &[&str], ids: &[&SfId], typed_ids: &[&SfId]) {
        let n = self.entries.len();
        self.starts.push(self.text.len());
        for name in names {
            // A newline in a stored field would split the entry; a space
            // keeps its words apart just as well.
            self.text.push_str(&name.to_lowercase().replace('\n', " "));
            // Fields are apart too: no word runs from one into the next.
            self.text.push('\n');
        }
        self.id_starts.push(self.text.len());
        for id in typed_ids {
            self.text.push_str(&id.to15().to_lowercase());
            self.text.push('\n');
        }
        self.ids
            .extend(ids.iter().map(|id| (id.to18().to_string(), n)));
        self.entries.push(entry);
    }

    fn finish(&mut self) {
        self.ids.sort();
    }

    /// The entry whose text holds byte `offset`.
    fn entry_at(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1)
    }

    /// The entry's text: its names, and its typed IDs unless `names_only`.
    fn entry_text(&self, entry: usize, names_only: bool) -> &str {
        let start = self.starts.get(entry).copied().unwrap_or(0);
        let end = if names_only {
            self.id_starts.get(entry).copied()
        } else {
            self.starts.get(entry + 1).copied()
        };
        self.text
            .get(start..end.unwrap_or(self.text.len()))
            .unwrap_or("")
    }

    /// The entries the query finds, in index order, exact ID matches first.
    fn search(&self, query: &Query) -> Found {
        let mut found = Vec::new();
        if let Some(id) = &query.id {
            let first = self.ids.partition_point(|(k, _)| k.as_str() < id.as_str());
            found.extend(
                self.ids[first..]
                    .iter()
                    .take_while(|(k, _)| k == id)
                    .map(|&(_, n)| n),
            );
            crate::sort::sort_by(&mut found, Ord::cmp);
            found.dedup();
        }
        let exact = found.len();
        let mut total = exact;
        // A whole ID is case-sensitive in its 15-character form: the
        // case-blind match of part of an ID would find other records.
        let names_only = query.id.is_some();
        if let Some((anchor, others)) = query.anchor() {
            let mut pos = 0;
            while let Some(at) = self.text.get(pos..).and_then(|rest| rest.find(anchor)) {
                let entry = self.entry_at(pos + at);
                // The first match in an entry is in its names when any is.
                let in_names = self.id_starts.get(entry).is_some_and(|&ids| pos + at < ids);
                let text = self.entry_text(entry, names_only);
                if (in_names || !names_only)
                    && others.iter().all(|w| text.contains(w.as_str()))
                    && !found[..exact].contains(&entry)
                {
                    total += 1;
                    if found.len() < RESULTS_PER_GROUP.max(exact) {
                        found.push(entry);
                    }
                }
                // One match per entry: go on after its text.
                pos = self
                    .starts
                    .get(entry + 1)
                    .copied()
                    .unwrap_or(self.text.len());
            }
        }
        found.truncate(RESULTS_PER_GROUP);
        Found { found, total }
    }
}

/// A group's matching entries: the first few, and how many in all.
struct Found {
    found: Vec<usize>,
    total: usize,
}

/// A search text, parsed once for every group.
struct Query {
    /// The text as a whole Salesforce ID (18 characters), when it is one.
    id: Option<String>,
    /// Lowercased words, each of which must occur in a matching entry.
    words: Vec<String>,
}

impl Query {
    fn parse(text: &str) -> Query {
        let text = text.trim();
        Query {
            id: SfId::parse(text).ok().map(|id| id.to18().to_string()),
            words: text.split_whitespace().map(str::to_lowercase).collect(),
        }
    }

    /// The longest word (the rarest, most likely), scanned for, and the
    /// others, checked in what it finds.
    fn anchor(&self) -> Option<(&str, Vec<&String>)> {
        let (i, anchor) = self.words.iter().enumerate().max_by_key(|(_, w)| w.len())?;
        let others = self
            .words
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, w)| w)
            .collect();
        Some((anchor.as_str(), others))
    }
}

/// Every searchable record, ready for a search per keystroke.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    groups: Vec<(SearchGroup, GroupIndex)>,
}

impl SearchIndex {
    pub fn build(source: IndexSource) -> SearchIndex {
        let IndexSource {
            mut licenses,
            mut leads,
            mut contacts,
            mut accounts,
            mut packages,
            mut versions,
        } = source;
        crate::sort::sort_by_key(&mut licenses, |l| l.name.number());
        sort_by_name(&mut leads, Lead::full_name);
        sort_by_name(&mut contacts, Contact::full_name);
        sort_by_name(&mut accounts, |a| a.name.clone());
        sort_by_name(&mut packages, |p| p.name.as_str().to_string());
        let package_names: HashMap<&str, &str> = packages
            .iter()
            .map(|p| (p.id.to18(), p.name.as_str()))
            .collect();
        let package_name = |id: &SfId| -> String {
            package_names
                .get(id.to18())
                .map_or_else(|| id.to15().to_string(), |name| name.to_string())
        };
        let lead_companies: HashMap<&str, &str> = leads
            .iter()
            .map(|l| (l.id.to18(), l.company.as_str()))
            .collect();
        let account_names: HashMap<&str, &str> = accounts
            .iter()
            .map(|a| (a.id.to18(), a.name.as_str()))
            .collect();

        let mut by_license = GroupIndex::default();
        for l in &licenses {
            // The account's name once the lead is converted, else the
            // lead's company (as the license list shows it).
            let company = l
                .account_id
                .as_ref()
                .and_then(|id| account_names.get(id.to18()))
                .or_else(|| {
                    l.lead_id
                        .as_ref()
                        .and_then(|id| lead_companies.get(id.to18()))
                })
                .copied()
                .unwrap_or("");
            let org15 = l.subscriber_org_id.to15();
            let name = l.name.to_string();
            let detail = [
                company,
                &package_name(&l.package_id),
                &format!("Org {org15}"),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            by_license.push(
                Entry {
                    href: format!("/licenses/{}", l.id.to18()),
                    title: name.clone(),
                    detail,
                },
                &[&name, company],
                &[&l.id, &l.subscriber_org_id],
                &[&l.subscriber_org_id],
            );
        }

        let mut by_lead = GroupIndex::default();
        for l in &leads {
            let name = l.full_name();
            let status = if l.is_converted() { "Converted" } else { "" };
            by_lead.push(
                Entry {
                    href: format!("/leads/{}", l.id.to18()),
                    title: name.clone(),
                    detail: joined(&[l.company.as_str(), l.email.as_str(), status]),
                },
                &[&name, &l.email],
                &[&l.id],
                &[],
            );
        }

        let mut by_contact = GroupIndex::default();
        for c in &contacts {
            let name = c.full_name();
            let account = account_names
                .get(c.account_id.to18())
                .copied()
                .unwrap_or("");
            by_contact.push(
                Entry {
                    href: format!("/contacts/{}", c.id.to18()),
                    title: name.clone(),
                    detail: joined(&[c.email.as_str(), account]),
                },
                &[&name, &c.email],
                &[&c.id],
                &[],
            );
        }

        let mut by_account = GroupIndex::default();
        for a in &accounts {
            by_account.push(
                Entry {
                    href: format!("/accounts/{}", a.id.to18()),
                    title: a.name.clone(),
                    detail: String::new(),
                },
                &[&a.name],
                &[&a.id],
                &[],
            );
        }

        let mut by_package = GroupIndex::default();
        for p in &packages {
            let id15 = p.id.to15();
            by_package.push(
                Entry {
                    href: format!("/packages/{}", p.id.to18()),
                    title: p.name.as_str().to_string(),
                    detail: format!("Package ID {id15}"),
                },
                &[p.name.as_str()],
                &[&p.id],
                &[&p.id],
            );
        }

        // Versions have no page of their own: a result opens the package,
        // whose Versions list shows it.
        crate::sort::sort_by(&mut versions, |a, b| {
            (package_name(&a.package_id).to_lowercase(), b.version)
                .cmp(&(package_name(&b.package_id).to_lowercase(), a.version))
        });
        let mut by_version = GroupIndex::default();
        for v in &versions {
            let id15 = v.id.to15();
            by_version.push(
                Entry {
                    href: format!("/packages/{}", v.package_id.to18()),
                    title: format!("{} {}", package_name(&v.package_id), v.version),
                    detail: joined(&[v.name.as_str(), &format!("Version ID {id15}")]),
                },
                &[],
                &[&v.id],
                &[&v.id],
            );
        }

        let mut groups = vec![
            (SearchGroup::Licenses, by_license),
            (SearchGroup::Leads, by_lead),
            (SearchGroup::Contacts, by_contact),
            (SearchGroup::Accounts, by_account),
            (SearchGroup::Packages, by_package),
            (SearchGroup::PackageVersions, by_version),
        ];
        for (_, g) in &mut groups {
            g.finish();
        }
        SearchIndex { groups }
    }

    /// How many records of `group` the index holds.
    pub fn len(&self, group: SearchGroup) -> usize {
        self.groups
            .iter()
            .find(|(g, _)| *g == group)
            .map_or(0, |(_, g)| g.entries.len())
    }

    /// The records `text` finds: every word (any case) in a record's
    /// searched fields, or the whole text as an ID naming it. Blank text
    /// finds nothing.
    pub fn search(&self, text: &str) -> SearchResults {
        let query = Query::parse(text);
        if query.words.is_empty() {
            return SearchResults::default();
        }
        let groups = self
            .groups
            .iter()
            .filter_map(|(group, index)| {
                let found = index.search(&query);
                (found.total > 0).then(|| GroupResults {
                    group: *group,
                    hits: found
                        .found
                        .iter()
                        .filter_map(|&n| index.entries.get(n))
                        .map(|e| Hit {
                            href: e.href.clone(),
                            title: e.title.clone(),
                            detail: e.detail.clone(),
                        })
                        .collect(),
                    total: found.total,
                })
            })
            .collect();
        SearchResults { groups }
    }
}

/// Sorts by name, ignoring case (how a person scans a short list).
fn sort_by_name<T>(records: &mut [T], name: impl Fn(&T) -> String) {
    records.sort_by_cached_key(|r| name(r).to_lowercase());
}

/// The non-empty parts, separated by a middle dot.
fn joined(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|s| !s.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
