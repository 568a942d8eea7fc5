//! Licenses: the Modify License workflow, the license detail loader, and the
//! license list model (search, filters, sort and windowing on plain types).
//!
//! The list keeps every license in memory: it is read once with `get_all`
//! when the page opens (and again after a commit), then searched, filtered
//! and sorted in memory on every keystroke. Each row carries precomputed,
//! lowercased search keys, so a search over 100,000 licenses is one pass of
//! substring tests and never reads the database.

use std::collections::{HashMap, HashSet};
use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

use chrono::{NaiveDate, NaiveDateTime};
use thiserror::Error;

use crate::domain::{
    add_days, group_thousands, modify_license as apply_modification, Expiration, Field,
    HistoryEntry, HistoryField, License, LicenseStatus, ModifyLicenseDraft, ModifyLicenseError,
    ModifyOutcome, OrgStatus, Seats, SfId, User, VersionNumber,
};
use crate::storage::records::HISTORY_LICENSE;
use crate::storage::{
    modify_license_batch, Query, Repository, StorageError, StoreName, Stored, Workflows,
};

// ---------------------------------------------------------------------------
// Modify License
// ---------------------------------------------------------------------------

/// Why a Modify License save did not happen. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModifyFailure {
    /// A rule of the domain refused the change (its message says why).
    #[error(transparent)]
    Rule(#[from] ModifyLicenseError),
    /// Storage refused or failed: a conflict with another tab, a full disk…
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ModifyFailure {
    /// The form input the message belongs by; storage failures belong to
    /// the whole form.
    pub fn field(&self) -> Field {
        match self {
            ModifyFailure::Rule(e) => e.field(),
            ModifyFailure::Storage(_) => Field::Form,
        }
    }
}

/// How often a save is retried when only the ID counters were changed in
/// another tab meanwhile (the license itself is still checked every time).
const COUNTER_RETRIES: usize = 3;

/// Modify License: loads the license and its history, lets the domain apply
/// `draft` (it enforces every rule), then saves the license, its new history
/// entries and the ID counters in one atomic batch. A license saved
/// elsewhere since it was read is refused with a conflict.
pub async fn modify_license<R: Repository>(
    repo: &R,
    license_id: &str,
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<ModifyOutcome, ModifyFailure> {
    modify_license_seen(repo, license_id, None, draft, actor, today, now).await
}

/// [`modify_license`] for a form that showed the license at revision
/// `seen_rev`: if the license was saved since (in another tab), the save is
/// refused with a conflict instead of overwriting what the user never saw.
pub async fn modify_license_seen<R: Repository>(
    repo: &R,
    license_id: &str,
    seen_rev: Option<u64>,
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<ModifyOutcome, ModifyFailure> {
    let stored = load_license(repo, license_id)
        .await?
        .ok_or_else(|| not_found(license_id))?;
    // Conflicts name the license as users know it, by its License Name.
    let name = stored.record.name.to_string();
    if seen_rev.is_some_and(|seen| seen != stored.rev) {
        return Err(conflict(&name).into());
    }
    let history = license_history(repo, &stored.record.id).await?;
    let mut license = stored.record.clone();
    // Licenses saved before `ever_active` existed (or imported) may lack the
    // flag; their history still shows that they were Active once.
    license.ever_active |= was_ever_active(&history);

    let mut attempt = 0;
    loop {
        attempt += 1;
        let mut counters = repo.sequences().await?;
        let outcome =
            apply_modification(&license, draft, actor, today, now, counters.record_mut())?;
        if outcome.history.is_empty() {
            // Nothing changed: nothing to save, no history.
            return Ok(outcome);
        }
        let batch = modify_license_batch(&stored, outcome.clone(), counters);
        match repo.commit(batch).await {
            Ok(_) => return Ok(outcome),
            Err(StorageError::Conflict { what, .. })
                if what == StoreName::Counters.label() && attempt < COUNTER_RETRIES =>
            {
                continue
            }
            Err(StorageError::Conflict { what, .. }) if what == StoreName::Licenses.label() => {
                return Err(conflict(&name).into())
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn was_ever_active(history: &[HistoryEntry]) -> bool {
    let active = LicenseStatus::Active.label();
    history.iter().any(|h| {
        h.field == HistoryField::Status && (h.old_value == active || h.new_value == active)
    })
}

fn not_found(id: &str) -> StorageError {
    StorageError::NotFound {
        what: StoreName::Licenses.label(),
        id: id.trim().chars().take(40).collect(),
    }
}

fn conflict(id: &str) -> StorageError {
    StorageError::Conflict {
        what: StoreName::Licenses.label(),
        id: id.to_string(),
    }
}

/// The license with this ID (15 or 18 characters), if stored. An ID that
/// can't be a Salesforce ID is simply not found.
pub async fn load_license<R: Repository>(
    repo: &R,
    id: &str,
) -> Result<Option<Stored<License>>, StorageError> {
    match SfId::parse(id) {
        Ok(id) => repo.get::<License>(id.to18()).await,
        Err(_) => Ok(None),
    }
}

/// A license's history, newest first.
pub async fn license_history<R: Repository>(
    repo: &R,
    license_id: &SfId,
) -> Result<Vec<HistoryEntry>, StorageError> {
    let mut history: Vec<HistoryEntry> = repo
        .find_records(HISTORY_LICENSE, Query::eq(license_id.to18()))
        .await?;
    sort_newest_first(&mut history);
    Ok(history)
}

/// Newest first; entries saved together keep their form order (Expiration,
/// Seats, Status), as their IDs grow in that order.
pub fn sort_newest_first(history: &mut [HistoryEntry]) {
    history.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
}

/// Runs two futures at once and waits for both (the crate has no `futures`
/// dependency outside tests). Never panics: each output is taken once.
async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let mut done_a = None;
    let mut done_b = None;
    poll_fn(move |cx| {
        if done_a.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                done_a = Some(v);
            }
        }
        if done_b.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                done_b = Some(v);
            }
        }
        match (done_a.take(), done_b.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                done_a = x;
                done_b = y;
                Poll::Pending
            }
        }
    })
    .await
}

// ---------------------------------------------------------------------------
// License detail
// ---------------------------------------------------------------------------

/// A related record shown as a link: its ID (18 characters) and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLink {
    pub id: String,
    pub name: String,
}

/// Everything the license page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseDetail {
    pub license: Stored<License>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
    pub package: Option<RecordLink>,
    /// The lead while it exists (converted leads are gone; the license keeps
    /// the lead's name in `lead_name`).
    pub lead: Option<RecordLink>,
    pub account: Option<RecordLink>,
    pub contact: Option<RecordLink>,
}

/// The license page's data, or `None` when there is no such license.
pub async fn load_license_detail<R: Repository>(
    repo: &R,
    id: &str,
) -> Result<Option<LicenseDetail>, StorageError> {
    let Some(license) = load_license(repo, id).await? else {
        return Ok(None);
    };
    // The reads don't depend on each other: IndexedDB serves them together.
    let (history, related) = join2(
        license_history(repo, &license.record.id),
        related::load_links(repo, &license.record),
    )
    .await;
    let (history, related) = (history?, related?);
    Ok(Some(LicenseDetail {
        license,
        history,
        package: related.package,
        lead: related.lead,
        account: related.account,
        contact: related.contact,
    }))
}

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
    pub package_names: HashMap<String, String>,
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
    let (licenses, package_names) =
        join2(repo.get_all::<License>(), related::load_package_names(repo)).await;
    let licenses: Vec<License> = licenses?.into_iter().map(|s| s.record).collect();
    let package_names = package_names?;
    Ok(ListSource {
        licenses,
        package_names,
    })
}

/// The leads' companies and emails, accounts' names and contacts' emails
/// (the `package_names` of the result are left empty).
pub async fn load_people<R: Repository>(repo: &R) -> Result<Lookups, StorageError> {
    related::load_people(repo).await
}

/// Reads the records a license links to: its package, lead, account and
/// contact. A link whose record is gone (a converted lead, say) is left out;
/// the license's own fields (lead name, Package ID) stand in for it.
mod related {
    use super::*;
    use crate::domain::{Account, Contact, Lead, Package};

    #[derive(Default)]
    pub(super) struct Links {
        pub package: Option<RecordLink>,
        pub lead: Option<RecordLink>,
        pub account: Option<RecordLink>,
        pub contact: Option<RecordLink>,
    }

    fn link(id: &SfId, name: String) -> RecordLink {
        RecordLink {
            id: id.to18().to_string(),
            name,
        }
    }

    pub(super) async fn load_links<R: Repository>(
        repo: &R,
        license: &License,
    ) -> Result<Links, StorageError> {
        let package = async {
            repo.get::<Package>(license.package_id.to18())
                .await
                .map(|p| p.map(|p| link(&p.record.id, p.record.name.as_str().to_string())))
        };
        let lead = async {
            match &license.lead_id {
                Some(id) => repo
                    .get::<Lead>(id.to18())
                    .await
                    .map(|l| l.map(|l| link(&l.record.id, l.record.full_name()))),
                None => Ok(None),
            }
        };
        let account = async {
            match &license.account_id {
                Some(id) => repo
                    .get::<Account>(id.to18())
                    .await
                    .map(|a| a.map(|a| link(&a.record.id, a.record.name.clone()))),
                None => Ok(None),
            }
        };
        let contact = async {
            match &license.contact_id {
                Some(id) => repo
                    .get::<Contact>(id.to18())
                    .await
                    .map(|c| c.map(|c| link(&c.record.id, c.record.full_name()))),
                None => Ok(None),
            }
        };
        let ((package, lead), (account, contact)) =
            join2(join2(package, lead), join2(account, contact)).await;
        let (package, lead, account, contact) = (package?, lead?, account?, contact?);
        Ok(Links {
            package,
            lead,
            account,
            contact,
        })
    }

    pub(super) async fn load_package_names<R: Repository>(
        repo: &R,
    ) -> Result<HashMap<String, String>, StorageError> {
        Ok(repo
            .get_all::<Package>()
            .await?
            .into_iter()
            .map(|p| {
                (
                    p.record.id.to18().to_string(),
                    p.record.name.as_str().to_string(),
                )
            })
            .collect())
    }

    /// Leads' companies and emails, account names and contacts' emails,
    /// each read once with `get_all`.
    pub(super) async fn load_people<R: Repository>(repo: &R) -> Result<Lookups, StorageError> {
        let mut lookups = Lookups::default();
        for l in repo.get_all::<Lead>().await? {
            let l = l.record;
            lookups
                .leads
                .insert(l.id.to18().to_string(), (l.company, l.email));
        }
        for a in repo.get_all::<Account>().await? {
            let a = a.record;
            lookups.accounts.insert(a.id.to18().to_string(), a.name);
        }
        for c in repo.get_all::<Contact>().await? {
            let c = c.record;
            lookups
                .contact_emails
                .insert(c.id.to18().to_string(), c.email);
        }
        Ok(lookups)
    }
}

// ---------------------------------------------------------------------------
// License list model
// ---------------------------------------------------------------------------

/// What the list joins onto licenses, keyed by 18-character IDs.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Package ID -> Package Name.
    pub package_names: HashMap<String, String>,
    /// Lead ID -> (company, email).
    pub leads: HashMap<String, (String, String)>,
    /// Account ID -> account (company) name.
    pub accounts: HashMap<String, String>,
    /// Contact ID -> email.
    pub contact_emails: HashMap<String, String>,
}

/// One license as the list shows, searches and sorts it.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseRow {
    /// 18 characters (the detail page's address).
    pub id: String,
    pub name: String,
    pub number: u64,
    /// 15 characters, as the LMA shows it.
    pub org_id15: String,
    /// 18 characters: what a typed ID in either form is compared with.
    pub org_id18: String,
    pub package_id: String,
    /// The Package Name, or the 15-character Package ID when unknown.
    pub package_name: String,
    pub version: VersionNumber,
    pub status: LicenseStatus,
    pub seats: Seats,
    pub used_licenses: Option<u32>,
    pub expiration: Expiration,
    pub install_date: NaiveDate,
    pub sandbox: bool,
    pub org_status: OrgStatus,
    pub lead_name: String,
    /// The account's name once the lead is converted, else the lead's company.
    pub company: String,
    pub email: String,
    /// Lowercased name, company, email, lead and package name, separated
    /// by newlines (which a search box can't hold).
    search_key: String,
    /// The lowercased 15-character org ID, for part of an ID being typed.
    org_key: String,
    package_key: String,
}

impl LicenseRow {
    pub fn new(license: &License, lookups: &Lookups) -> LicenseRow {
        let package_id = license.package_id.to18().to_string();
        let package_name = lookups
            .package_names
            .get(&package_id)
            .cloned()
            .unwrap_or_else(|| license.package_id.to15().to_string());
        let lead = license
            .lead_id
            .as_ref()
            .and_then(|id| lookups.leads.get(id.to18()));
        let account = license
            .account_id
            .as_ref()
            .and_then(|id| lookups.accounts.get(id.to18()));
        let contact_email = license
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
        let name = license.name.to_string();
        let org_id15 = license.subscriber_org_id.to15().to_string();
        let search_key = [
            name.as_str(),
            company.as_str(),
            lead.map_or("", |(company, _)| company.as_str()),
            email.as_str(),
            license.lead_name.as_str(),
            contact_email.map_or("", String::as_str),
            package_name.as_str(),
        ]
        .join("\n")
        .to_lowercase();
        LicenseRow {
            org_key: org_id15.to_lowercase(),
            id: license.id.to18().to_string(),
            number: license.name.number(),
            name,
            org_id18: license.subscriber_org_id.to18().to_string(),
            org_id15,
            package_key: package_name.to_lowercase(),
            package_id,
            package_name,
            version: license.version_number,
            status: license.status,
            seats: license.seats,
            used_licenses: license.used_licenses,
            expiration: license.expiration,
            install_date: license.install_date,
            sandbox: license.sandbox,
            org_status: license.org_status,
            lead_name: license.lead_name.clone(),
            company,
            email,
            search_key,
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
            SortColumn::Version => "Version",
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
    /// Licenses whose Expiration Date is from today to today + N days.
    pub expires_within_days: Option<u32>,
    pub sort: Sort,
}

/// A parsed search text, ready to test many rows.
struct Matcher {
    /// The text as a Subscriber Org ID, when it is one (either form).
    org_id18: Option<String>,
    /// Lowercased words, each of which must occur in the row's search keys.
    words: Vec<String>,
}

impl Matcher {
    fn new(text: &str) -> Matcher {
        let text = text.trim();
        Matcher {
            org_id18: SfId::parse(text).ok().map(|id| id.to18().to_string()),
            words: text.split_whitespace().map(str::to_lowercase).collect(),
        }
    }

    fn matches(&self, row: &LicenseRow) -> bool {
        match &self.org_id18 {
            // A whole ID means that org exactly: 15-character IDs are
            // case-sensitive, so a case-blind part match would find others.
            Some(org) => {
                *org == row.org_id18
                    || self
                        .words
                        .iter()
                        .all(|w| row.search_key.contains(w.as_str()))
            }
            None => self
                .words
                .iter()
                .all(|w| row.search_key.contains(w.as_str()) || row.org_key.contains(w.as_str())),
        }
    }
}

/// Every license in memory, searched, filtered and sorted without reading
/// the database again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LicenseList {
    rows: Vec<LicenseRow>,
}

impl LicenseList {
    pub fn new(rows: Vec<LicenseRow>) -> LicenseList {
        LicenseList { rows }
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

    /// The packages the licenses belong to, as (Package ID, name), by name.
    pub fn packages(&self) -> Vec<(String, String)> {
        let mut seen = HashSet::new();
        let mut packages: Vec<(String, String)> = self
            .rows
            .iter()
            .filter(|r| seen.insert(r.package_id.as_str()))
            .map(|r| (r.package_id.clone(), r.package_name.clone()))
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
        let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
        let rows = &self.rows;
        order.sort_by(|&a, &b| {
            let (Some(a), Some(b)) = (rows.get(a as usize), rows.get(b as usize)) else {
                return std::cmp::Ordering::Equal;
            };
            let by_column = compare(a, b, sort.column).then(a.number.cmp(&b.number));
            match sort.direction {
                SortDirection::Ascending => by_column,
                SortDirection::Descending => by_column.reverse(),
            }
        });
        order
    }

    /// The indexes of `order` whose rows match the search and filters of
    /// `query` (its sort is not used), keeping `order`'s order.
    pub fn filter(&self, order: &[u32], query: &LicenseQuery, today: NaiveDate) -> Vec<u32> {
        let matcher = Matcher::new(&query.text);
        let latest = query
            .expires_within_days
            .map(|days| add_days(today, u64::from(days)).unwrap_or(NaiveDate::MAX));
        order
            .iter()
            .copied()
            .filter(|&i| {
                let Some(row) = self.rows.get(i as usize) else {
                    return false;
                };
                query.status.is_none_or(|s| row.status == s)
                    && query.package.as_ref().is_none_or(|p| &row.package_id == p)
                    && query.sandbox.is_none_or(|s| row.sandbox == s)
                    && query.org_status.is_none_or(|s| row.org_status == s)
                    && latest.is_none_or(|latest| {
                        row.expiration
                            .date()
                            .is_some_and(|d| d >= today && d <= latest)
                    })
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
        SortColumn::SubscriberOrgId => a.org_id15.cmp(&b.org_id15),
        SortColumn::Package => a.package_key.cmp(&b.package_key),
        SortColumn::Version => a.version.cmp(&b.version),
        SortColumn::Status => status_rank(a.status).cmp(&status_rank(b.status)),
        SortColumn::Seats => seat_rank(a.seats).cmp(&seat_rank(b.seats)),
        SortColumn::UsedLicenses => a.used_licenses.cmp(&b.used_licenses),
        SortColumn::Expiration => expiration_rank(a.expiration).cmp(&expiration_rank(b.expiration)),
        SortColumn::InstallDate => a.install_date.cmp(&b.install_date),
    }
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

// ---------------------------------------------------------------------------
// Windowed rendering
// ---------------------------------------------------------------------------

/// The slice of a long list worth rendering: rows `start..end`, with empty
/// space of `top_px` above and `bottom_px` below so the scrollbar stays true.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub top_px: f64,
    pub bottom_px: f64,
}

/// Which rows of `total` (each `row_px` high) are visible in a viewport of
/// `viewport_px` scrolled to `scroll_px`, plus `overscan` rows either side,
/// never more than `max_rows`.
pub fn visible_window(
    scroll_px: f64,
    viewport_px: f64,
    total: usize,
    row_px: f64,
    overscan: usize,
    max_rows: usize,
) -> Window {
    let row_px = if row_px.is_finite() && row_px > 0.0 {
        row_px
    } else {
        1.0
    };
    let rows_at = |px: f64| -> usize {
        if px.is_finite() && px > 0.0 {
            // Saturating float-to-int conversion: huge values clamp.
            (px / row_px) as usize
        } else {
            0
        }
    };
    let first = rows_at(scroll_px).min(total);
    let shown = rows_at(viewport_px).saturating_add(1);
    let start = first.saturating_sub(overscan);
    let end = first
        .saturating_add(shown)
        .saturating_add(overscan)
        .min(total)
        .min(start.saturating_add(max_rows));
    let px = |rows: usize| rows as f64 * row_px;
    Window {
        start,
        end,
        top_px: px(start),
        bottom_px: px(total.saturating_sub(end)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Sequences;
    use crate::domain::{
        seed_users, ChangedBy, KeyPrefix, LicenseName, LicenseType, Profile, Stamp,
    };
    use crate::storage::records::SEQUENCES_KEY;
    use crate::storage::{Expect, MemoryRepository, Save, WriteBatch};
    use futures::executor::block_on;
    use futures::future::LocalBoxFuture;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2025, 3, 1)
    }

    fn now() -> NaiveDateTime {
        today().and_hms_opt(10, 30, 0).unwrap()
    }

    fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == profile)
            .unwrap()
    }

    fn license(n: u64) -> License {
        let at = date(2025, 1, 15).and_hms_opt(9, 0, 0).unwrap();
        License {
            id: SfId::generate(KeyPrefix::License, n),
            name: LicenseName::from_number(n),
            status: LicenseStatus::Active,
            ever_active: true,
            seats: Seats::count(10).unwrap(),
            used_licenses: Some(4),
            expiration: Expiration::Date(date(2025, 12, 31)),
            install_date: date(2025, 1, 15),
            information_current_as_of: at,
            instance: "NA45".into(),
            org_edition: "Enterprise".into(),
            org_status: OrgStatus::Active,
            org_expiration_date: None,
            sandbox: false,
            subscriber_org_id: SfId::generate(KeyPrefix::Org, 1000 + n),
            package_id: SfId::generate(KeyPrefix::Package, 1),
            package_version_id: SfId::generate(KeyPrefix::PackageVersion, 1),
            version_number: VersionNumber::new(1, 0, 0),
            lead_id: Some(SfId::generate(KeyPrefix::Lead, n)),
            lead_name: format!("Lead {n}"),
            account_id: None,
            contact_id: None,
            license_type: LicenseType::Editable,
            created: Stamp::system(at),
            last_modified: Stamp::system(at),
        }
    }

    fn draft(expiration: &str, seats: &str, status: &str) -> ModifyLicenseDraft {
        ModifyLicenseDraft {
            expiration_date: expiration.into(),
            does_not_expire: false,
            seats: seats.into(),
            site_license: false,
            status: status.into(),
        }
    }

    fn stored_license(repo: &MemoryRepository, id: &SfId) -> Stored<License> {
        block_on(repo.get::<License>(id.to18())).unwrap().unwrap()
    }

    fn history_count(repo: &MemoryRepository) -> usize {
        block_on(repo.get_all::<HistoryEntry>()).unwrap().len()
    }

    fn repo_with(license: &License) -> MemoryRepository {
        let repo = MemoryRepository::new();
        block_on(repo.create(license.clone())).unwrap();
        repo
    }

    // ---- Modify License ----

    #[test]
    fn a_successful_change_saves_the_license_and_its_history_together() {
        let l = license(1);
        let repo = repo_with(&l);
        let manager = user(Profile::LicenseManager);
        let out = block_on(modify_license(
            &repo,
            l.id.to15(),
            &draft("2025-12-31", "25", "Suspended"),
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        assert_eq!(out.history.len(), 2);

        let saved = stored_license(&repo, &l.id);
        assert_eq!(saved.rev, 2);
        assert_eq!(saved.record.seats, Seats::count(25).unwrap());
        assert_eq!(saved.record.status, LicenseStatus::Suspended);
        assert_eq!(
            saved.record.last_modified.by,
            ChangedBy::User(manager.id.clone())
        );

        let history = block_on(license_history(&repo, &l.id)).unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].field, HistoryField::Seats);
        assert_eq!(
            (history[0].old_value.as_str(), history[0].new_value.as_str()),
            ("10", "25")
        );
        assert_eq!(history[1].field, HistoryField::Status);
        assert!(history.iter().all(|h| h.by == manager.id && h.at == now()));

        // The counters were saved in the same batch, so the next change gets new IDs.
        block_on(modify_license(
            &repo,
            l.id.to18(),
            &draft("2025-12-31", "30", "Suspended"),
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        let history = block_on(license_history(&repo, &l.id)).unwrap();
        assert_eq!(history.len(), 3);
        let ids: HashSet<_> = history.iter().map(|h| h.id.clone()).collect();
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn refused_changes_write_nothing() {
        let l = license(1);
        let repo = repo_with(&l);
        let manager = user(Profile::LicenseManager);
        let cases = [
            (
                draft("2025-12-31", "99000001", "Active"),
                manager.clone(),
                Field::Seats,
            ),
            (
                draft("2025-02-28", "10", "Active"),
                manager.clone(),
                Field::Expiration,
            ),
            (
                draft("2025-03-20", "10", "Trial"),
                manager.clone(),
                Field::Status,
            ),
            (
                draft("2025-12-31", "20", "Active"),
                user(Profile::ReadOnly),
                Field::Form,
            ),
            (
                draft("2025-12-31", "20", "Active"),
                user(Profile::SalesRep),
                Field::Form,
            ),
        ];
        for (d, actor, field) in cases {
            let err = block_on(modify_license(
                &repo,
                l.id.to18(),
                &d,
                &actor,
                today(),
                now(),
            ))
            .unwrap_err();
            assert_eq!(err.field(), field, "{err}");
        }
        assert_eq!(stored_license(&repo, &l.id).rev, 1);
        assert_eq!(history_count(&repo), 0);
        assert!(block_on(repo.get::<Sequences>(SEQUENCES_KEY))
            .unwrap()
            .is_none());
    }

    #[test]
    fn uninstalled_and_locked_org_licenses_are_refused_with_the_domain_message() {
        let manager = user(Profile::SystemAdministrator);
        let mut gone = license(1);
        gone.status = LicenseStatus::Uninstalled;
        gone.used_licenses = None;
        let mut locked = license(2);
        locked.org_status = OrgStatus::Suspended;
        let repo = MemoryRepository::new();
        block_on(repo.put_all([gone.clone(), locked.clone()], Expect::Absent)).unwrap();

        let err = block_on(modify_license(
            &repo,
            gone.id.to18(),
            &draft("2025-12-31", "20", "Active"),
            &manager,
            today(),
            now(),
        ))
        .unwrap_err();
        assert_eq!(err, ModifyFailure::Rule(ModifyLicenseError::Uninstalled));
        let err = block_on(modify_license(
            &repo,
            locked.id.to18(),
            &draft("2025-12-31", "20", "Active"),
            &manager,
            today(),
            now(),
        ))
        .unwrap_err();
        assert!(err.to_string().contains("proxy user has deactivated"));
        assert_eq!(err.field(), Field::Form);
        assert_eq!(history_count(&repo), 0);
    }

    #[test]
    fn a_license_saved_in_another_tab_since_it_was_shown_is_a_conflict() {
        let l = license(1);
        let repo = repo_with(&l);
        let other_tab = repo.other_tab();
        let shown = stored_license(&repo, &l.id);
        // The other tab saves the license after this tab showed it.
        let mut theirs = shown.clone();
        theirs.record.used_licenses = Some(5);
        block_on(other_tab.update(theirs)).unwrap();

        let err = block_on(modify_license_seen(
            &repo,
            l.id.to18(),
            Some(shown.rev),
            &draft("2025-12-31", "25", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap_err();
        assert!(
            matches!(err, ModifyFailure::Storage(StorageError::Conflict { .. })),
            "{err}"
        );
        assert!(err
            .to_string()
            .starts_with("License L-00001 was changed elsewhere"));
        assert_eq!(stored_license(&repo, &l.id).record.used_licenses, Some(5));
        assert_eq!(history_count(&repo), 0);
    }

    type RaceFn = Box<dyn FnOnce(MemoryRepository) -> LocalBoxFuture<'static, ()>>;

    /// A repository whose first commit is preceded by another tab's save of
    /// a record: the race between the service's read and its save.
    struct Racing {
        inner: MemoryRepository,
        other_tab: MemoryRepository,
        race: std::cell::RefCell<Option<RaceFn>>,
    }

    impl Repository for Racing {
        async fn get<T: crate::storage::Record>(
            &self,
            id: &str,
        ) -> crate::storage::StorageResult<Option<Stored<T>>> {
            self.inner.get(id).await
        }
        async fn get_many<T: crate::storage::Record>(
            &self,
            ids: &[String],
        ) -> crate::storage::StorageResult<Vec<Option<Stored<T>>>> {
            self.inner.get_many(ids).await
        }
        async fn get_all<T: crate::storage::Record>(
            &self,
        ) -> crate::storage::StorageResult<Vec<Stored<T>>> {
            self.inner.get_all().await
        }
        async fn find<T: crate::storage::Record>(
            &self,
            index: crate::storage::Index<T>,
            query: Query,
        ) -> crate::storage::StorageResult<Vec<Stored<T>>> {
            self.inner.find(index, query).await
        }
        async fn count<T: crate::storage::Record>(&self) -> crate::storage::StorageResult<u64> {
            self.inner.count::<T>().await
        }
        async fn commit(
            &self,
            batch: WriteBatch,
        ) -> crate::storage::StorageResult<crate::storage::Committed> {
            let race = self.race.borrow_mut().take();
            if let Some(race) = race {
                race(self.other_tab.clone()).await;
            }
            self.inner.commit(batch).await
        }
        fn subscribe(
            &self,
            callback: impl Fn(&crate::storage::ChangeNotice) + 'static,
        ) -> crate::storage::Subscription {
            self.inner.subscribe(callback)
        }
    }

    fn racing(
        l: &License,
        race: impl FnOnce(MemoryRepository) -> LocalBoxFuture<'static, ()> + 'static,
    ) -> Racing {
        let inner = repo_with(l);
        Racing {
            other_tab: inner.other_tab(),
            inner,
            race: std::cell::RefCell::new(Some(Box::new(race))),
        }
    }

    #[test]
    fn a_license_saved_in_another_tab_between_read_and_save_is_refused() {
        let l = license(1);
        let id = l.id.clone();
        let repo = racing(&l, move |other| {
            Box::pin(async move {
                let mut theirs = other.get::<License>(id.to18()).await.unwrap().unwrap();
                theirs.record.seats = Seats::count(50).unwrap();
                other.update(theirs).await.unwrap();
            })
        });
        let err = block_on(modify_license(
            &repo,
            l.id.to18(),
            &draft("2025-12-31", "25", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap_err();
        assert!(
            matches!(err, ModifyFailure::Storage(StorageError::Conflict { .. })),
            "{err}"
        );
        assert!(err.to_string().contains("L-00001"));
        let saved = stored_license(&repo.inner, &l.id);
        assert_eq!(saved.record.seats, Seats::count(50).unwrap());
        assert_eq!(history_count(&repo.inner), 0);
    }

    #[test]
    fn counters_saved_in_another_tab_meanwhile_are_retried() {
        let l = license(1);
        let repo = racing(&l, |other| {
            Box::pin(async move {
                let mut seq = Sequences::default();
                seq.next_id(KeyPrefix::LicenseHistory);
                other.create(seq).await.unwrap();
            })
        });
        let out = block_on(modify_license(
            &repo,
            l.id.to18(),
            &draft("2025-12-31", "25", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap();
        // The other tab's history ID 1 was taken; this save used the next one.
        assert_eq!(
            out.history[0].id,
            SfId::generate(KeyPrefix::LicenseHistory, 2)
        );
        assert_eq!(history_count(&repo.inner), 1);
    }

    #[test]
    fn an_unchanged_draft_saves_nothing() {
        let l = license(1);
        let repo = repo_with(&l);
        let out = block_on(modify_license(
            &repo,
            l.id.to18(),
            &ModifyLicenseDraft::from_license(&l),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap();
        assert!(out.history.is_empty());
        assert_eq!(stored_license(&repo, &l.id).rev, 1);
    }

    #[test]
    fn history_showing_active_blocks_a_return_to_trial() {
        let mut l = license(1);
        l.status = LicenseStatus::Suspended;
        l.ever_active = false; // e.g. imported without the flag
        let repo = repo_with(&l);
        let entry = HistoryEntry {
            id: SfId::generate(KeyPrefix::LicenseHistory, 900),
            license_id: l.id.clone(),
            field: HistoryField::Status,
            old_value: "Active".into(),
            new_value: "Suspended".into(),
            by: user(Profile::LicenseManager).id,
            at: now(),
            origin: Default::default(),
        };
        block_on(repo.create(entry)).unwrap();
        let err = block_on(modify_license(
            &repo,
            l.id.to18(),
            &draft("2025-03-20", "10", "Trial"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap_err();
        assert_eq!(err, ModifyFailure::Rule(ModifyLicenseError::BackToTrial));
    }

    #[test]
    fn unknown_licenses_are_not_found() {
        let repo = MemoryRepository::new();
        for id in ["", "nonsense", SfId::generate(KeyPrefix::License, 7).to18()] {
            let err = block_on(modify_license(
                &repo,
                id,
                &draft("2025-12-31", "25", "Active"),
                &user(Profile::LicenseManager),
                today(),
                now(),
            ))
            .unwrap_err();
            assert!(matches!(
                err,
                ModifyFailure::Storage(StorageError::NotFound { .. })
            ));
        }
        assert_eq!(
            block_on(load_license_detail(&repo, "nonsense")).unwrap(),
            None
        );
    }

    #[test]
    fn the_detail_has_the_history_newest_first() {
        let l = license(1);
        let repo = repo_with(&l);
        let manager = user(Profile::LicenseManager);
        let later = now() + chrono::Duration::minutes(5);
        block_on(modify_license(
            &repo,
            l.id.to18(),
            &draft("2025-12-31", "20", "Active"),
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        block_on(modify_license(
            &repo,
            l.id.to18(),
            &draft("2025-12-31", "30", "Active"),
            &manager,
            today(),
            later,
        ))
        .unwrap();
        let detail = block_on(load_license_detail(&repo, l.id.to15()))
            .unwrap()
            .unwrap();
        assert_eq!(detail.license.rev, 3);
        let news: Vec<_> = detail
            .history
            .iter()
            .map(|h| h.new_value.as_str())
            .collect();
        assert_eq!(news, vec!["30", "20"]);
    }

    #[test]
    fn counters_continue_from_the_stored_ones() {
        let l = license(1);
        let repo = repo_with(&l);
        let mut seq = Sequences::starting_at(10);
        seq.reserve_id_seq(KeyPrefix::LicenseHistory, 41);
        block_on(repo.create(seq)).unwrap();
        let out = block_on(modify_license(
            &repo,
            l.id.to18(),
            &draft("2025-12-31", "25", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap();
        assert_eq!(
            out.history[0].id,
            SfId::generate(KeyPrefix::LicenseHistory, 42)
        );
        let saved = block_on(repo.load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)).unwrap();
        assert!(matches!(saved, Save::Update(ref s) if s.rev == 2));
        assert_eq!(saved.record().peek_license_number(), 10);
    }

    #[test]
    fn the_list_and_detail_join_package_lead_account_and_contact() {
        use crate::domain::{Account, Contact, Lead, LeadOwner, LeadStatus, Package, PackageName};
        let at = now();
        let mut l = license(1);
        let package = Package {
            id: l.package_id.clone(),
            name: PackageName::parse("Expense Tracker").unwrap(),
            developer_name: "Acme Dev".into(),
            developer_org_id: SfId::generate(KeyPrefix::Org, 1),
            lead_manager: None,
            release_date: date(2024, 1, 1),
            registration: None,
            last_refresh: None,
            created: Stamp::system(at),
            last_modified: Stamp::system(at),
        };
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
        assert_eq!(early.rows()[0].package_name, "Expense Tracker");
        let q0 = LicenseQuery {
            text: "analytical".into(),
            ..LicenseQuery::default()
        };
        assert!(early.apply(&q0, today()).is_empty());

        let list = block_on(load_license_list(&repo)).unwrap();
        let row = list.rows().iter().find(|r| r.name == "L-00001").unwrap();
        assert_eq!(row.package_name, "Expense Tracker");
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

    /// Pending on its first poll (waking itself), ready on the second.
    struct YieldOnce<T>(Option<T>, bool);

    impl<T: Unpin> Future for YieldOnce<T> {
        type Output = T;
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<T> {
            if self.1 {
                match self.0.take() {
                    Some(v) => Poll::Ready(v),
                    None => Poll::Pending,
                }
            } else {
                self.1 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn join2_waits_for_both() {
        let (a, b) = block_on(join2(YieldOnce(Some(1), false), async { "ready" }));
        assert_eq!((a, b), (1, "ready"));
        let (a, b) = block_on(join2(async { 2 }, YieldOnce(Some('x'), false)));
        assert_eq!((a, b), (2, 'x'));
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
        assert_eq!(c.org_id15.len(), 15);
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

    // ---- windowing ----

    #[test]
    fn the_window_holds_the_visible_rows_and_overscan_only() {
        let w = visible_window(0.0, 700.0, 100_000, 36.0, 10, 150);
        assert_eq!((w.start, w.end), (0, 30));
        assert_eq!(w.top_px, 0.0);
        assert_eq!(w.bottom_px, (100_000 - 30) as f64 * 36.0);

        let w = visible_window(36.0 * 50_000.0, 700.0, 100_000, 36.0, 10, 150);
        assert_eq!((w.start, w.end), (49_990, 50_030));
        assert_eq!(
            w.top_px + w.bottom_px + (w.end - w.start) as f64 * 36.0,
            3_600_000.0
        );

        // Scrolled past the end (the list shrank): clamps, never panics.
        let w = visible_window(1e12, 700.0, 12, 36.0, 10, 150);
        assert!(w.start <= w.end && w.end <= 12);
        // A huge viewport never renders more than the cap.
        let w = visible_window(0.0, 1e9, 100_000, 36.0, 10, 150);
        assert_eq!(w.end - w.start, 150);
        let w = visible_window(f64::NAN, f64::NAN, 5, 0.0, 2, 150);
        assert!(w.end <= 5);
        assert_eq!(visible_window(0.0, 700.0, 0, 36.0, 10, 150).end, 0);
    }
}
