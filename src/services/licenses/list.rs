//! The license list model: every license in memory, searched, filtered
//! and sorted on plain types.
//!
//! The list keeps every license in memory: it is read once with `list_records`
//! when the page opens (and again after a commit), then searched, filtered
//! and sorted in memory on every keystroke. Each row carries precomputed,
//! lowercased search keys, so a search over 100,000 licenses is one pass of
//! substring tests and never reads the database.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::related;
use crate::domain::{
    group_thousands, is_expiring_within, EffectiveStatus, Expiration, License, LicenseName,
    LicenseStatus, OrgStatus, Seats, SfId, VersionNumber,
};
use crate::services::join::join2;
use crate::storage::{ListedLicense, Repository, StorageError, Stored};

/// The license list's rows: every license, joined with what the list shows
/// and searches (package name, the lead's or account's company, email).
pub async fn load_license_list<R: Repository>(repo: &R) -> Result<LicenseList, StorageError> {
    let source = load_list_source(repo).await?;
    let people = load_people(repo).await?;
    Ok(source.build(Some(&people)))
}

/// What the list shows first: every license and the package names. The
/// leads', accounts' and contacts' companies and emails ([`load_people`])
/// only add search keys, so the list page shows its rows before they load.
#[derive(Debug, Clone, Default)]
pub struct ListSource {
    pub licenses: Vec<License>,
    /// Package ID (18 characters) -> Package Name.
    pub package_names: HashMap<String, Arc<str>>,
}

impl ListSource {
    /// The list's rows, with the companies and emails of `people` when
    /// loaded (rows without them are found by every other search key).
    pub fn build(&self, people: Option<&Lookups>) -> LicenseList {
        let mut lookups = people.cloned().unwrap_or_default();
        lookups.package_names = self.package_names.clone();
        LicenseList::new(
            self.licenses
                .iter()
                .map(|l| LicenseRow::new(l, &lookups))
                .collect(),
        )
    }
}

pub async fn load_list_source<R: Repository>(repo: &R) -> Result<ListSource, StorageError> {
    let (licenses, package_names) = join2(
        repo.list_records::<License>(),
        related::load_package_names(repo),
    )
    .await;
    let licenses = licenses?;
    let package_names = package_names?;
    Ok(ListSource {
        licenses,
        package_names,
    })
}

/// The list's rows, each built as its license is read (no license is kept:
/// at 100,000 licenses that halves what the list holds), with the package
/// names; the companies and emails come later ([`load_people`]). A damaged
/// license is left out and noted in the damage log.
pub async fn load_list_rows<R: Repository>(
    repo: &R,
) -> Result<(LicenseList, Lookups), StorageError> {
    // The package names and the licenses are read side by side (one round
    // trip to the database instead of two before the first rows). A row
    // needs its package name, and the few packages come back first as a
    // rule; licenses that arrive before them wait as entries in `early`.
    let names = OnceCell::new();
    let mut rows = Vec::new();
    let mut early = Vec::new();
    let read_names = async {
        let package_names = related::load_package_names(repo).await?;
        let _ = names.set(Lookups {
            package_names,
            ..Lookups::default()
        });
        Ok::<(), StorageError>(())
    };
    let mut on_entry = |stored: Stored<ListedLicense>| match names.get() {
        Some(lookups) => rows.push(LicenseRow::listed(stored.record, lookups)),
        None => early.push(stored.record),
    };
    let visit = repo.visit_listed::<License>(&mut on_entry);
    let (read_names, damaged) = join2(read_names, visit).await;
    read_names?;
    let damaged = damaged?;
    let lookups = names.into_inner().unwrap_or_default();
    if !early.is_empty() {
        // In the order read: the early ones came first.
        let mut all: Vec<LicenseRow> = early
            .into_iter()
            .map(|entry| LicenseRow::listed(entry, &lookups))
            .collect();
        all.append(&mut rows);
        rows = all;
    }
    repo.damage_log().note(&damaged);
    Ok((LicenseList::new(rows), lookups))
}

/// The leads' companies and emails, accounts' names and contacts' emails
/// (the `package_names` of the result are left empty).
pub async fn load_people<R: Repository>(repo: &R) -> Result<Lookups, StorageError> {
    related::load_people(repo).await
}

/// What the list joins onto licenses, keyed by 18-character IDs.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Package ID -> Package Name (shared by the rows of the package).
    pub package_names: HashMap<String, Arc<str>>,
    /// Lead ID -> (company, email).
    pub leads: HashMap<String, (String, String)>,
    /// Account ID -> account (company) name.
    pub accounts: HashMap<String, String>,
    /// Contact ID -> email.
    pub contact_emails: HashMap<String, String>,
}

/// One license as the list shows, searches and sorts it. IDs are kept
/// inline ([`SfId`]) and the package name shared, so a row holds few heap
/// strings: 100,000 rows are what the list keeps in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseRow {
    /// 18 characters (the detail page's address).
    pub id: String,
    pub name: String,
    pub number: u64,
    /// The Subscriber Org ID: shown in its 15-character form, as the LMA
    /// shows it; a typed ID in either form is compared with it.
    pub org_id: SfId,
    pub package_id: SfId,
    /// The Package Name, or the 15-character Package ID when unknown.
    pub package_name: Arc<str>,
    pub version: VersionNumber,
    pub status: LicenseStatus,
    pub seats: Seats,
    pub used_licenses: Option<u32>,
    pub expiration: Expiration,
    pub install_date: NaiveDate,
    pub sandbox: bool,
    pub org_status: OrgStatus,
    /// Used Licenses above Licensed Seats.
    pub over_seat_limit: bool,
    pub lead_name: String,
    /// The linked records, whose companies and emails the row shows and
    /// searches.
    pub lead_id: Option<SfId>,
    pub account_id: Option<SfId>,
    pub contact_id: Option<SfId>,
    /// The account's name once the lead is converted, else the lead's company.
    pub company: String,
    pub email: String,
    /// Lowercased name, company, email, lead and package name, separated
    /// by newlines (which a search box can't hold). `None` until the row
    /// is relinked with the companies and emails: the first read leaves it
    /// to the pass after the first paint (at 100,000 rows it is a string
    /// join and a lowercase copy each), and a search before that tests the
    /// row's fields instead.
    search_key: Option<String>,
}

impl LicenseRow {
    pub fn new(license: &License, lookups: &Lookups) -> LicenseRow {
        let mut row = LicenseRow::listed(ListedLicense::of(license), lookups);
        row.relink(lookups);
        row
    }

    /// The row of a license as the list snapshot holds it (the list's read
    /// builds rows from these without a `License`), without its search key
    /// (see [`LicenseRow::relink`]).
    pub fn listed(license: ListedLicense, lookups: &Lookups) -> LicenseRow {
        let mut row = LicenseRow {
            id: license.id.to18().to_string(),
            number: license.number,
            name: LicenseName::from_number(license.number).to_string(),
            org_id: license.org_id,
            package_id: license.package_id,
            package_name: Arc::from(""),
            version: license.version,
            status: license.status,
            seats: license.seats,
            used_licenses: license.used_licenses,
            expiration: license.expiration,
            install_date: license.install_date,
            sandbox: license.sandbox,
            org_status: license.org_status,
            over_seat_limit: license.over_seat_limit,
            lead_name: license.lead_name,
            lead_id: license.lead_id,
            account_id: license.account_id,
            contact_id: license.contact_id,
            company: String::new(),
            email: String::new(),
            search_key: None,
        };
        row.link(lookups);
        row
    }

    /// The package name, company, email and search keys again from
    /// `lookups` (the companies and emails read after the rows).
    pub fn relink(&mut self, lookups: &Lookups) {
        let (lead_company, contact_email) = self.link(lookups);
        self.search_key = Some(
            [
                self.name.as_str(),
                self.company.as_str(),
                lead_company,
                self.email.as_str(),
                self.lead_name.as_str(),
                contact_email,
                &self.package_name,
            ]
            .join("\n")
            .to_lowercase(),
        );
    }

    /// The package name, company and email from `lookups`; returns the
    /// lead's company and the contact's email (searched, not shown).
    fn link<'a>(&mut self, lookups: &'a Lookups) -> (&'a str, &'a str) {
        let package_name = lookups
            .package_names
            .get(self.package_id.to18())
            .cloned()
            .unwrap_or_else(|| Arc::from(self.package_id.to15()));
        let lead = self
            .lead_id
            .as_ref()
            .and_then(|id| lookups.leads.get(id.to18()));
        let account = self
            .account_id
            .as_ref()
            .and_then(|id| lookups.accounts.get(id.to18()));
        let contact_email = self
            .contact_id
            .as_ref()
            .and_then(|id| lookups.contact_emails.get(id.to18()));
        let company = account
            .cloned()
            .or_else(|| lead.map(|(company, _)| company.clone()))
            .unwrap_or_default();
        let email = lead
            .map(|(_, email)| email.clone())
            .or_else(|| contact_email.cloned())
            .unwrap_or_default();
        self.package_name = package_name;
        self.company = company;
        self.email = email;
        (
            lead.map_or("", |(company, _)| company.as_str()),
            contact_email.map_or("", String::as_str),
        )
    }

    /// Whether the row's search key holds `word` (lowercase).
    fn holds(&self, word: &str) -> bool {
        match &self.search_key {
            Some(key) => key.contains(word),
            None => [
                self.name.as_str(),
                self.company.as_str(),
                self.email.as_str(),
                self.lead_name.as_str(),
                &self.package_name,
            ]
            .iter()
            .any(|field| field.to_lowercase().contains(word)),
        }
    }

    /// "Site License", or the seat count with thousands separators.
    pub fn seats_text(&self) -> String {
        seats_text(self.seats)
    }

    /// Blank when Uninstalled or Site License.
    pub fn used_text(&self) -> String {
        self.used_licenses
            .map(|n| group_thousands(i64::from(n)))
            .unwrap_or_default()
    }

    pub fn expiration_text(&self) -> String {
        self.expiration.to_string()
    }

    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expiration.is_expired(today)
    }

    /// The License Status, and "Expired" beside it when in effect.
    pub fn effective_status(&self, today: NaiveDate) -> EffectiveStatus {
        EffectiveStatus::on(self.status, self.expiration, today)
    }
}

/// "Site License", or the seat count with thousands separators.
pub fn seats_text(seats: Seats) -> String {
    match seats.get() {
        Some(n) => group_thousands(i64::from(n)),
        None => Seats::SiteLicense.to_string(),
    }
}

/// A sortable column of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortColumn {
    #[default]
    Name,
    SubscriberOrgId,
    Package,
    Version,
    Status,
    Seats,
    UsedLicenses,
    Expiration,
    InstallDate,
}

impl SortColumn {
    pub const ALL: [SortColumn; 9] = [
        SortColumn::Name,
        SortColumn::SubscriberOrgId,
        SortColumn::Package,
        SortColumn::Version,
        SortColumn::Status,
        SortColumn::Seats,
        SortColumn::UsedLicenses,
        SortColumn::Expiration,
        SortColumn::InstallDate,
    ];

    /// The column header: the field's LMA label.
    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Name => "License Name",
            SortColumn::SubscriberOrgId => "Subscriber Org ID",
            SortColumn::Package => "Package",
            SortColumn::Version => "Package Version Number",
            SortColumn::Status => "License Status",
            SortColumn::Seats => "Licensed Seats",
            SortColumn::UsedLicenses => "Used Licenses",
            SortColumn::Expiration => "Expiration Date",
            SortColumn::InstallDate => "Install Date",
        }
    }

    /// A stable name for saved preferences.
    pub fn key(self) -> &'static str {
        match self {
            SortColumn::Name => "name",
            SortColumn::SubscriberOrgId => "org",
            SortColumn::Package => "package",
            SortColumn::Version => "version",
            SortColumn::Status => "status",
            SortColumn::Seats => "seats",
            SortColumn::UsedLicenses => "used",
            SortColumn::Expiration => "expiration",
            SortColumn::InstallDate => "install",
        }
    }

    pub fn from_key(key: &str) -> Option<SortColumn> {
        SortColumn::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Numbers and dates read right-aligned.
    pub fn is_numeric(self) -> bool {
        matches!(self, SortColumn::Seats | SortColumn::UsedLicenses)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

impl SortDirection {
    pub fn flip(self) -> SortDirection {
        match self {
            SortDirection::Ascending => SortDirection::Descending,
            SortDirection::Descending => SortDirection::Ascending,
        }
    }

    /// The `aria-sort` value.
    pub fn aria(self) -> &'static str {
        match self {
            SortDirection::Ascending => "ascending",
            SortDirection::Descending => "descending",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Sort {
    pub column: SortColumn,
    pub direction: SortDirection,
}

impl Sort {
    /// Clicking a column header: the same column flips, another one starts
    /// ascending.
    pub fn toggled(self, column: SortColumn) -> Sort {
        if self.column == column {
            Sort {
                column,
                direction: self.direction.flip(),
            }
        } else {
            Sort {
                column,
                direction: SortDirection::Ascending,
            }
        }
    }

    /// The `aria-sort` value of `column`'s header.
    pub fn aria_for(self, column: SortColumn) -> &'static str {
        if self.column == column {
            self.direction.aria()
        } else {
            "none"
        }
    }
}

/// The list's search box, filters and sort.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseQuery {
    /// License Name, Subscriber Org ID (15 or 18 characters), company,
    /// email, lead or package name; several words must all match.
    pub text: String,
    pub status: Option<LicenseStatus>,
    /// Package ID, 18 characters.
    pub package: Option<String>,
    pub sandbox: Option<bool>,
    /// The subscriber org's status (Suspended and Deleted orgs' licenses
    /// can't be modified).
    pub org_status: Option<OrgStatus>,
    /// Licenses that can still expire (not Uninstalled) with an Expiration
    /// Date from today to today + N days.
    pub expires_within_days: Option<u32>,
    /// Expired in effect (past the date while Trial or Active), or not.
    pub expired: Option<bool>,
    /// Only licenses with Used Licenses above Licensed Seats.
    pub seats_over_limit: bool,
    pub sort: Sort,
}

impl LicenseQuery {
    /// Whether any search or filter narrows the list (the sort does not).
    pub fn is_filtered(&self) -> bool {
        !self.text.trim().is_empty() || self.without_text_and_sort() != LicenseQuery::default()
    }

    /// The filters alone: what a list view keeps besides its sort.
    pub fn without_text_and_sort(&self) -> LicenseQuery {
        LicenseQuery {
            text: String::new(),
            sort: Sort::default(),
            ..self.clone()
        }
    }
}

/// A parsed search text, ready to test many rows.
struct Matcher {
    /// The text as a Subscriber Org ID, when it is one (either form).
    org_id: Option<SfId>,
    /// Lowercased words, each of which must occur in the row's search keys.
    words: Vec<String>,
}

impl Matcher {
    fn new(text: &str) -> Matcher {
        let text = text.trim();
        Matcher {
            org_id: SfId::parse(text).ok(),
            words: text.split_whitespace().map(str::to_lowercase).collect(),
        }
    }

    fn matches(&self, row: &LicenseRow) -> bool {
        match &self.org_id {
            // A whole ID means that org exactly: 15-character IDs are
            // case-sensitive, so a case-blind part match would find others.
            Some(org) => *org == row.org_id || self.words.iter().all(|w| row.holds(w)),
            None => self
                .words
                .iter()
                .all(|w| row.holds(w) || contains_caseless(row.org_id.to15(), w)),
        }
    }
}

/// Whether `hay` holds `lower` (lowercase) ignoring ASCII case: part of an
/// org ID being typed, without a lowercased copy of every row's ID.
fn contains_caseless(hay: &str, lower: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), lower.as_bytes());
    needle.is_empty()
        || hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Every license in memory, searched, filtered and sorted without reading
/// the database again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LicenseList {
    rows: Vec<LicenseRow>,
    order: OrderCache,
}

/// The last order [`LicenseList::sorted`] computed, kept in step when a
/// saved license's row is replaced or a new one added: the row is moved to
/// its place (a binary search) instead of sorting 100,000 rows again on
/// each save (docs/perf.md, "save → the open list").
#[derive(Debug, Default)]
struct OrderCache(Mutex<Option<(Sort, Vec<u32>)>>);

impl OrderCache {
    fn get(&self, sort: Sort) -> Option<Vec<u32>> {
        let cached = self.0.lock().ok()?;
        cached
            .as_ref()
            .filter(|(s, _)| *s == sort)
            .map(|(_, order)| order.clone())
    }

    fn set(&self, sort: Sort, order: &[u32]) {
        if let Ok(mut cached) = self.0.lock() {
            *cached = Some((sort, order.to_vec()));
        }
    }

    fn clear(&mut self) {
        if let Ok(cached) = self.0.get_mut() {
            *cached = None;
        }
    }

    /// Moves row `index` (changed, or new at the end) to its place.
    fn place(&mut self, rows: &[LicenseRow], index: u32) {
        let Ok(cached) = self.0.get_mut() else {
            return;
        };
        let Some((sort, order)) = cached.as_mut() else {
            return;
        };
        // The package order needs every row's package name: sorted anew.
        if sort.column == SortColumn::Package {
            *cached = None;
            return;
        }
        let sort = *sort;
        if let Some(at) = order.iter().position(|&i| i == index) {
            order.remove(at);
        }
        let Some(row) = rows.get(index as usize) else {
            *cached = None;
            return;
        };
        let empty = HashMap::new();
        let at = order.partition_point(|&i| {
            rows.get(i as usize)
                .is_some_and(|r| in_order(r, row, sort, &empty).is_lt())
        });
        order.insert(at, index);
    }
}

/// Only the rows are compared: the cache is how they were sorted last.
impl PartialEq for OrderCache {
    fn eq(&self, _: &OrderCache) -> bool {
        true
    }
}

impl Clone for OrderCache {
    fn clone(&self) -> OrderCache {
        OrderCache(Mutex::new(self.0.lock().ok().and_then(|c| c.clone())))
    }
}

/// `a` against `b` in `sort` order, License Name breaking ties.
fn in_order(
    a: &LicenseRow,
    b: &LicenseRow,
    sort: Sort,
    packages: &HashMap<&str, usize>,
) -> std::cmp::Ordering {
    let by_column = match sort.column {
        SortColumn::Package => packages
            .get(&*a.package_name)
            .cmp(&packages.get(&*b.package_name)),
        column => compare(a, b, column),
    }
    .then(a.number.cmp(&b.number));
    match sort.direction {
        SortDirection::Ascending => by_column,
        SortDirection::Descending => by_column.reverse(),
    }
}

impl LicenseList {
    pub fn new(rows: Vec<LicenseRow>) -> LicenseList {
        LicenseList {
            rows,
            order: OrderCache::default(),
        }
    }

    pub fn rows(&self) -> &[LicenseRow] {
        &self.rows
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn row(&self, index: u32) -> Option<&LicenseRow> {
        self.rows.get(index as usize)
    }

    /// Every row's joined columns and search keys again from `lookups`.
    pub fn relink(&mut self, lookups: &Lookups) {
        for row in &mut self.rows {
            row.relink(lookups);
        }
        self.order.clear();
    }

    /// Replaces the row at `index` (a license saved since the list was read).
    pub fn replace(&mut self, index: usize, row: LicenseRow) {
        if let Some(slot) = self.rows.get_mut(index) {
            *slot = row;
            self.order.place(&self.rows, index as u32);
        }
    }

    /// Adds a row at the end (a new license).
    pub fn push(&mut self, row: LicenseRow) {
        self.rows.push(row);
        self.order.place(&self.rows, self.rows.len() as u32 - 1);
    }

    /// Removes the row at `index` (a deleted license); the rows after it move up.
    pub fn remove(&mut self, index: usize) {
        if index < self.rows.len() {
            self.rows.remove(index);
            self.order.clear();
        }
    }

    /// The packages the licenses belong to, as (Package ID, name), by name.
    pub fn packages(&self) -> Vec<(String, String)> {
        let mut seen = HashSet::new();
        let mut packages: Vec<(String, String)> = self
            .rows
            .iter()
            .filter(|r| seen.insert(&r.package_id))
            .map(|r| (r.package_id.to18().to_string(), r.package_name.to_string()))
            .collect();
        packages.sort_by(|a, b| {
            a.1.to_lowercase()
                .cmp(&b.1.to_lowercase())
                .then(a.0.cmp(&b.0))
        });
        packages
    }

    /// Row indexes in `sort` order (License Name breaks ties). Compute it
    /// when the rows or the sort change, not on each keystroke.
    pub fn sorted(&self, sort: Sort) -> Vec<u32> {
        if let Some(order) = self.order.get(sort) {
            return order;
        }
        let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
        let rows = &self.rows;
        let packages = if sort.column == SortColumn::Package {
            package_ranks(rows)
        } else {
            HashMap::new()
        };
        order.sort_by(|&a, &b| {
            let (Some(a), Some(b)) = (rows.get(a as usize), rows.get(b as usize)) else {
                return std::cmp::Ordering::Equal;
            };
            in_order(a, b, sort, &packages)
        });
        self.order.set(sort, &order);
        order
    }

    /// The indexes of `order` whose rows match the search and filters of
    /// `query` (its sort is not used), keeping `order`'s order.
    pub fn filter(&self, order: &[u32], query: &LicenseQuery, today: NaiveDate) -> Vec<u32> {
        let matcher = Matcher::new(&query.text);
        order
            .iter()
            .copied()
            .filter(|&i| {
                let Some(row) = self.rows.get(i as usize) else {
                    return false;
                };
                query.status.is_none_or(|s| row.status == s)
                    && query
                        .package
                        .as_ref()
                        .is_none_or(|p| row.package_id.to18() == p.as_str())
                    && query.sandbox.is_none_or(|s| row.sandbox == s)
                    && query.org_status.is_none_or(|s| row.org_status == s)
                    && query.expires_within_days.is_none_or(|days| {
                        is_expiring_within(row.status, row.expiration, today, days)
                    })
                    && query
                        .expired
                        .is_none_or(|e| row.effective_status(today).is_expired() == e)
                    && (!query.seats_over_limit || row.over_seat_limit)
                    && matcher.matches(row)
            })
            .collect()
    }

    /// Sorts and filters in one go: the rows `query` selects, in its order.
    pub fn apply(&self, query: &LicenseQuery, today: NaiveDate) -> Vec<&LicenseRow> {
        self.filter(&self.sorted(query.sort), query, today)
            .into_iter()
            .filter_map(|i| self.row(i))
            .collect()
    }
}

fn status_rank(status: LicenseStatus) -> usize {
    LicenseStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(usize::MAX)
}

/// Site License sorts above every count; Does not expire after every date;
/// a blank Used Licenses before every number.
fn compare(a: &LicenseRow, b: &LicenseRow, column: SortColumn) -> std::cmp::Ordering {
    match column {
        SortColumn::Name => a.number.cmp(&b.number),
        SortColumn::SubscriberOrgId => a.org_id.to15().cmp(b.org_id.to15()),
        // Sorted by rank (see `package_ranks`); never compared here.
        SortColumn::Package => std::cmp::Ordering::Equal,
        SortColumn::Version => a.version.cmp(&b.version),
        SortColumn::Status => status_rank(a.status).cmp(&status_rank(b.status)),
        SortColumn::Seats => seat_rank(a.seats).cmp(&seat_rank(b.seats)),
        SortColumn::UsedLicenses => a.used_licenses.cmp(&b.used_licenses),
        SortColumn::Expiration => expiration_rank(a.expiration).cmp(&expiration_rank(b.expiration)),
        SortColumn::InstallDate => a.install_date.cmp(&b.install_date),
    }
}

/// Each package name's place in case-blind order: a list has a handful of
/// packages, so they are ranked once rather than lowercased per comparison.
fn package_ranks(rows: &[LicenseRow]) -> HashMap<&str, usize> {
    let mut names: Vec<&str> = rows.iter().map(|r| &*r.package_name).collect();
    names.sort_unstable();
    names.dedup();
    names.sort_by_cached_key(|n| n.to_lowercase());
    names.into_iter().enumerate().map(|(i, n)| (n, i)).collect()
}

fn seat_rank(seats: Seats) -> u64 {
    seats.get().map_or(u64::MAX, u64::from)
}

fn expiration_rank(expiration: Expiration) -> NaiveDate {
    expiration.date().unwrap_or(NaiveDate::MAX)
}

/// "1 license", "12,345 licenses".
pub fn count_text(n: usize) -> String {
    let grouped = group_thousands(i64::try_from(n).unwrap_or(i64::MAX));
    if n == 1 {
        format!("{grouped} license")
    } else {
        format!("{grouped} licenses")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::{KeyPrefix, LicenseName, Stamp};

    use crate::services::licenses::fixtures::*;
    #[allow(unused_imports)]
    use crate::services::licenses::*;
    use crate::storage::{Expect, MemoryRepository};
    use futures::executor::block_on;

    #[test]
    fn the_list_and_detail_join_package_lead_account_and_contact() {
        use crate::domain::{Account, Contact, Lead, LeadOwner, LeadStatus};
        let at = now();
        let mut l = license(1);
        let package = package("Expense Tracker");
        let lead = Lead {
            id: l.lead_id.clone().unwrap(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            company: "Analytical Engines".into(),
            email: "ada@engines.example".into(),
            lead_source: "Package Installation".into(),
            owner: LeadOwner::LicenseManagementApp,
            status: LeadStatus::Open,
            package_id: l.package_id.clone(),
            created: Stamp::system(at),
            last_modified: Stamp::system(at),
            converted: None,
        };
        let account = Account {
            id: SfId::generate(KeyPrefix::Account, 1),
            name: "Engines Ltd".into(),
            created: Stamp::system(at),
        };
        let contact = Contact {
            id: SfId::generate(KeyPrefix::Contact, 1),
            first_name: "Ada".into(),
            last_name: "King".into(),
            email: "ada.king@engines.example".into(),
            account_id: account.id.clone(),
            created: Stamp::system(at),
        };
        l.account_id = Some(account.id.clone());
        l.contact_id = Some(contact.id.clone());
        let mut other = license(2);
        other.lead_id = None; // its lead is gone: only the name remains
        let repo = MemoryRepository::new();
        block_on(repo.put_all([l.clone(), other.clone()], Expect::Absent)).unwrap();
        block_on(repo.create(package)).unwrap();
        block_on(repo.create(lead)).unwrap();
        block_on(repo.create(account)).unwrap();
        block_on(repo.create(contact)).unwrap();

        let detail = block_on(load_license_detail(&repo, l.id.to18()))
            .unwrap()
            .unwrap();
        assert_eq!(detail.package.unwrap().name, "Expense Tracker");
        assert_eq!(detail.lead.unwrap().name, "Ada Lovelace");
        assert_eq!(detail.account.unwrap().name, "Engines Ltd");
        assert_eq!(detail.contact.unwrap().name, "Ada King");
        let detail = block_on(load_license_detail(&repo, other.id.to18()))
            .unwrap()
            .unwrap();
        assert_eq!(detail.lead, None);
        assert_eq!(detail.license.record.lead_name, "Lead 2");

        // Before the people load, rows show and are found by name, not company.
        let source = block_on(load_list_source(&repo)).unwrap();
        let early = source.build(None);
        assert_eq!(early.len(), 2);
        assert_eq!(&*early.rows()[0].package_name, "Expense Tracker");
        let q0 = LicenseQuery {
            text: "analytical".into(),
            ..LicenseQuery::default()
        };
        assert!(early.apply(&q0, today()).is_empty());

        let list = block_on(load_license_list(&repo)).unwrap();
        let row = list.rows().iter().find(|r| r.name == "L-00001").unwrap();
        assert_eq!(&*row.package_name, "Expense Tracker");
        assert_eq!(row.company, "Engines Ltd");
        assert_eq!(row.email, "ada@engines.example");
        let q = |text: &str| LicenseQuery {
            text: text.into(),
            ..LicenseQuery::default()
        };
        for text in [
            "analytical",
            "engines ltd",
            "ada.king@",
            "ada@engines.example",
        ] {
            assert_eq!(
                names(&list.apply(&q(text), today())),
                vec!["L-00001"],
                "{text}"
            );
        }
    }
    // ---- list model ----

    fn lookups() -> Lookups {
        let mut lookups = Lookups::default();
        lookups.package_names.insert(
            SfId::generate(KeyPrefix::Package, 1).to18().to_string(),
            "Expense Tracker".into(),
        );
        lookups.package_names.insert(
            SfId::generate(KeyPrefix::Package, 2).to18().to_string(),
            "Asset Hub".into(),
        );
        lookups.leads.insert(
            SfId::generate(KeyPrefix::Lead, 2).to18().to_string(),
            ("Globex Corporation".into(), "hank@globex.example".into()),
        );
        lookups.leads.insert(
            SfId::generate(KeyPrefix::Lead, 3).to18().to_string(),
            ("Initech".into(), "peter@initech.example".into()),
        );
        lookups.accounts.insert(
            SfId::generate(KeyPrefix::Account, 3).to18().to_string(),
            "Initech LLC".into(),
        );
        lookups
    }

    fn sample() -> LicenseList {
        let mut a = license(1);
        a.status = LicenseStatus::Trial;
        a.ever_active = false;
        a.expiration = Expiration::Date(date(2025, 3, 10));
        a.seats = Seats::count(5).unwrap();
        a.used_licenses = Some(1);
        let mut b = license(2);
        b.package_id = SfId::generate(KeyPrefix::Package, 2);
        b.seats = Seats::SiteLicense;
        b.used_licenses = None;
        b.expiration = Expiration::DoesNotExpire;
        b.sandbox = true;
        b.version_number = VersionNumber::new(1, 10, 0);
        let mut c = license(3);
        c.status = LicenseStatus::Uninstalled;
        c.used_licenses = None;
        c.expiration = Expiration::Date(date(2025, 2, 1));
        c.seats = Seats::count(1200).unwrap();
        c.account_id = Some(SfId::generate(KeyPrefix::Account, 3));
        c.version_number = VersionNumber::new(1, 9, 2);
        let lookups = lookups();
        LicenseList::new(
            [c, a, b]
                .iter()
                .map(|l| LicenseRow::new(l, &lookups))
                .collect(),
        )
    }

    fn names(rows: &[&LicenseRow]) -> Vec<String> {
        rows.iter().map(|r| r.name.clone()).collect()
    }

    fn search(list: &LicenseList, text: &str) -> Vec<String> {
        let q = LicenseQuery {
            text: text.into(),
            ..LicenseQuery::default()
        };
        names(&list.apply(&q, today()))
    }

    /// A saved or new license's row keeps the order a full sort gives, for
    /// every column and direction (the order is patched, not sorted again).
    #[test]
    fn a_patched_row_takes_its_place_in_the_sorted_order() {
        for column in SortColumn::ALL {
            for direction in [SortDirection::Ascending, SortDirection::Descending] {
                let sort = Sort { column, direction };
                let mut list = sample();
                list.sorted(sort);
                let lookups = lookups();
                let mut changed = license(1);
                changed.seats = Seats::count(99_000).unwrap();
                changed.install_date = date(2020, 1, 1);
                changed.expiration = Expiration::DoesNotExpire;
                changed.version_number = VersionNumber::new(9, 0, 0);
                changed.status = LicenseStatus::Suspended;
                let at = list
                    .rows()
                    .iter()
                    .position(|r| r.name == "L-00001")
                    .unwrap();
                list.replace(at, LicenseRow::new(&changed, &lookups));
                list.push(LicenseRow::new(&license(4), &lookups));
                let fresh = LicenseList::new(list.rows().to_vec());
                assert_eq!(list.sorted(sort), fresh.sorted(sort), "{sort:?}");
            }
        }
    }

    #[test]
    fn search_by_license_name_company_email_and_lead() {
        let list = sample();
        assert_eq!(search(&list, ""), vec!["L-00001", "L-00002", "L-00003"]);
        assert_eq!(search(&list, "l-00002"), vec!["L-00002"]);
        assert_eq!(search(&list, "  L-00003 "), vec!["L-00003"]);
        assert_eq!(search(&list, "globex"), vec!["L-00002"]);
        assert_eq!(search(&list, "HANK@globex"), vec!["L-00002"]);
        // A converted lead's account name is the company.
        assert_eq!(search(&list, "initech llc"), vec!["L-00003"]);
        assert_eq!(search(&list, "peter@initech.example"), vec!["L-00003"]);
        assert_eq!(search(&list, "lead 1"), vec!["L-00001"]);
        assert_eq!(search(&list, "asset hub"), vec!["L-00002"]);
        assert!(search(&list, "nobody").is_empty());
    }

    /// The first read's rows have no search key yet (it is built with the
    /// companies and emails); a search typed before then finds what the
    /// key would find.
    #[test]
    fn a_search_before_the_search_keys_are_built_finds_the_same_rows() {
        let package_names = Lookups {
            package_names: lookups().package_names,
            ..Lookups::default()
        };
        let mut licenses = [license(1), license(2), license(3)];
        licenses[1].package_id = SfId::generate(KeyPrefix::Package, 2);
        licenses[2].lead_name = "Ölaf Straße".into();
        let keyless = LicenseList::new(
            licenses
                .iter()
                .map(|l| LicenseRow::listed(ListedLicense::of(l), &package_names))
                .collect(),
        );
        let keyed = LicenseList::new(
            licenses
                .iter()
                .map(|l| LicenseRow::new(l, &package_names))
                .collect(),
        );
        assert!(keyless.rows().iter().all(|r| r.search_key.is_none()));
        assert!(keyed.rows().iter().all(|r| r.search_key.is_some()));
        for text in [
            "",
            "l-0000",
            "L-00002",
            "lead",
            "LEAD 1",
            "asset hub",
            "expense",
            "ölaf",
            "STRASSE",
            "straße",
            "tracker l-00001",
            "nobody",
            "\n",
        ] {
            assert_eq!(search(&keyless, text), search(&keyed, text), "{text:?}");
        }
        assert_eq!(search(&keyless, "asset"), vec!["L-00002"]);
        assert_eq!(search(&keyless, "ÖLAF"), vec!["L-00003"]);
    }

    #[test]
    fn search_by_subscriber_org_id_in_either_form() {
        let list = sample();
        let org = SfId::generate(KeyPrefix::Org, 1002);
        assert_eq!(search(&list, org.to15()), vec!["L-00002"]);
        assert_eq!(search(&list, org.to18()), vec!["L-00002"]);
        // An 18-character ID lowercased (by a mail client) still resolves.
        assert_eq!(search(&list, &org.to18().to_lowercase()), vec!["L-00002"]);
        // Part of an ID matches too, while typing.
        assert_eq!(search(&list, &org.to15()[..12]).len(), 3);
        assert_eq!(search(&list, &org.to15()[9..]), vec!["L-00002"]);
    }

    #[test]
    fn filters_combine() {
        let list = sample();
        let q = |f: &dyn Fn(&mut LicenseQuery)| {
            let mut q = LicenseQuery::default();
            f(&mut q);
            names(&list.apply(&q, today()))
        };
        assert_eq!(
            q(&|q| q.status = Some(LicenseStatus::Uninstalled)),
            vec!["L-00003"]
        );
        assert_eq!(
            q(&|q| q.package = Some(SfId::generate(KeyPrefix::Package, 1).to18().to_string())),
            vec!["L-00001", "L-00003"]
        );
        assert_eq!(q(&|q| q.sandbox = Some(true)), vec!["L-00002"]);
        assert_eq!(q(&|q| q.sandbox = Some(false)), vec!["L-00001", "L-00003"]);
        assert_eq!(q(&|q| q.org_status = Some(OrgStatus::Active)).len(), 3);
        assert!(q(&|q| q.org_status = Some(OrgStatus::Suspended)).is_empty());
        // Expires within 9 days of 2025-03-01: 2025-03-10 is day 9.
        assert_eq!(q(&|q| q.expires_within_days = Some(9)), vec!["L-00001"]);
        assert!(q(&|q| q.expires_within_days = Some(8)).is_empty());
        // Already expired and never-expiring licenses are not "expiring".
        assert_eq!(
            q(&|q| q.expires_within_days = Some(100_000)),
            vec!["L-00001"]
        );
        assert!(q(&|q| {
            q.status = Some(LicenseStatus::Trial);
            q.text = "globex".into();
        })
        .is_empty());
        assert_eq!(list.packages()[0].1, "Asset Hub");
    }

    #[test]
    fn filters_by_effective_expiry_and_seats_over_limit() {
        let mut active_past = license(1);
        active_past.expiration = Expiration::Date(date(2025, 2, 28)); // yesterday
        active_past.used_licenses = Some(11);
        let mut trial_today = license(2);
        trial_today.status = LicenseStatus::Trial;
        trial_today.expiration = Expiration::Date(today());
        let mut suspended_past = license(3);
        suspended_past.status = LicenseStatus::Suspended;
        suspended_past.expiration = Expiration::Date(date(2024, 1, 1));
        suspended_past.used_licenses = Some(10);
        let mut uninstalled_soon = license(4);
        uninstalled_soon.status = LicenseStatus::Uninstalled;
        uninstalled_soon.used_licenses = None;
        uninstalled_soon.expiration = Expiration::Date(date(2025, 3, 5));
        let lookups = lookups();
        let list = LicenseList::new(
            [active_past, trial_today, suspended_past, uninstalled_soon]
                .iter()
                .map(|l| LicenseRow::new(l, &lookups))
                .collect(),
        );
        let q = |f: &dyn Fn(&mut LicenseQuery)| {
            let mut q = LicenseQuery::default();
            f(&mut q);
            names(&list.apply(&q, today()))
        };
        assert_eq!(q(&|q| q.expired = Some(true)), vec!["L-00001"]);
        assert_eq!(
            q(&|q| q.expired = Some(false)),
            vec!["L-00002", "L-00003", "L-00004"]
        );
        assert_eq!(q(&|q| q.seats_over_limit = true), vec!["L-00001"]);
        // An Uninstalled license expires for no one: it is never "expiring".
        assert_eq!(q(&|q| q.expires_within_days = Some(30)), vec!["L-00002"]);
        assert_eq!(q(&|q| q.expires_within_days = Some(0)), vec!["L-00002"]);
    }

    #[test]
    fn a_query_is_filtered_by_any_filter_or_search_but_not_its_sort() {
        let mut q = LicenseQuery::default();
        assert!(!q.is_filtered());
        q.sort = Sort {
            column: SortColumn::Seats,
            direction: SortDirection::Descending,
        };
        assert!(!q.is_filtered());
        q.text = "  ".into();
        assert!(!q.is_filtered());
        q.seats_over_limit = true;
        assert!(q.is_filtered());
        q.seats_over_limit = false;
        q.expired = Some(false);
        assert!(q.is_filtered());
    }

    #[test]
    fn sorts_by_every_column() {
        let list = sample();
        let sorted = |column: SortColumn, direction: SortDirection| {
            let q = LicenseQuery {
                sort: Sort { column, direction },
                ..LicenseQuery::default()
            };
            names(&list.apply(&q, today()))
        };
        use SortColumn::*;
        use SortDirection::*;
        assert_eq!(
            sorted(Name, Descending),
            vec!["L-00003", "L-00002", "L-00001"]
        );
        assert_eq!(
            sorted(SubscriberOrgId, Ascending),
            vec!["L-00001", "L-00002", "L-00003"]
        );
        assert_eq!(
            sorted(Package, Ascending),
            vec!["L-00002", "L-00001", "L-00003"]
        );
        // Versions compare numerically: 1.10.0 > 1.9.2 > 1.0.0.
        assert_eq!(
            sorted(Version, Descending),
            vec!["L-00002", "L-00003", "L-00001"]
        );
        assert_eq!(
            sorted(Status, Ascending),
            vec!["L-00001", "L-00002", "L-00003"]
        );
        // Site License is the most seats.
        assert_eq!(
            sorted(Seats, Ascending),
            vec!["L-00001", "L-00003", "L-00002"]
        );
        // Blank Used Licenses first; ties by License Name.
        assert_eq!(
            sorted(UsedLicenses, Ascending),
            vec!["L-00002", "L-00003", "L-00001"]
        );
        // Does not expire sorts last.
        assert_eq!(
            sorted(Expiration, Ascending),
            vec!["L-00003", "L-00001", "L-00002"]
        );
        assert_eq!(
            sorted(InstallDate, Ascending),
            vec!["L-00001", "L-00002", "L-00003"]
        );
        for c in SortColumn::ALL {
            assert_eq!(SortColumn::from_key(c.key()), Some(c));
        }
    }

    #[test]
    fn sort_toggles_and_aria() {
        let s = Sort::default();
        assert_eq!(s.aria_for(SortColumn::Name), "ascending");
        assert_eq!(s.aria_for(SortColumn::Seats), "none");
        let s = s.toggled(SortColumn::Name);
        assert_eq!(s.direction, SortDirection::Descending);
        let s = s.toggled(SortColumn::Seats);
        assert_eq!(
            s,
            Sort {
                column: SortColumn::Seats,
                direction: SortDirection::Ascending
            }
        );
    }

    #[test]
    fn row_texts_use_the_lma_words() {
        let list = sample();
        let b = list.rows().iter().find(|r| r.name == "L-00002").unwrap();
        assert_eq!(b.seats_text(), "Site License");
        assert_eq!(b.used_text(), "");
        assert_eq!(b.expiration_text(), "Does not expire");
        let c = list.rows().iter().find(|r| r.name == "L-00003").unwrap();
        assert_eq!(c.seats_text(), "1,200");
        assert!(c.is_expired(today()));
        assert_eq!(c.org_id.to15().len(), 15);
        assert_eq!(count_text(1), "1 license");
        assert_eq!(count_text(100_000), "100,000 licenses");
    }

    #[test]
    fn a_hundred_thousand_licenses_search_in_memory() {
        let lookups = lookups();
        let base = license(1);
        let rows: Vec<LicenseRow> = (1..=100_000u64)
            .map(|n| {
                let mut l = base.clone();
                l.id = SfId::generate(KeyPrefix::License, n);
                l.name = LicenseName::from_number(n);
                l.subscriber_org_id = SfId::generate(KeyPrefix::Org, 1000 + n);
                l.status = LicenseStatus::ALL[(n % 4) as usize];
                LicenseRow::new(&l, &lookups)
            })
            .collect();
        let list = LicenseList::new(rows);
        let order = list.sorted(Sort {
            column: SortColumn::Seats,
            direction: SortDirection::Descending,
        });
        assert_eq!(order.len(), 100_000);
        let org = SfId::generate(KeyPrefix::Org, 1000 + 77_777);
        for text in [org.to15(), org.to18(), "L-77777"] {
            let q = LicenseQuery {
                text: text.into(),
                ..LicenseQuery::default()
            };
            let hits = list.filter(&order, &q, today());
            assert_eq!(hits.len(), 1, "{text}");
            assert_eq!(list.row(hits[0]).unwrap().name, "L-77777");
        }
        let q = LicenseQuery {
            status: Some(LicenseStatus::Trial),
            ..LicenseQuery::default()
        };
        assert_eq!(list.filter(&order, &q, today()).len(), 25_000);
    }
}
