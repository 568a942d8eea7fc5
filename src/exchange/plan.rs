//! The import plan: what an import would write, shown before anything is.
//!
//! Rows are added as files are read (in any order); `finish` then resolves
//! every lookup against the records of the import and of the desk, tells
//! new, changed and unchanged records apart, and prepares the writes: the
//! accepted records, a history entry per changed license field (marked as
//! coming from the import) and the counters moved past what came in.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::domain::{
    check_license_name, check_lookup, check_unique_id, Account, Contact, HistoryEntry,
    HistoryField, HistoryOrigin, ImportRowError, ImportValueError, KeyPrefix, Lead, LeadOwner,
    LeadStatus, License, LicenseName, LicenseStatus, Package, PackageVersion, Sequences, SfId,
    Stamp, User, LEAD_SOURCE_PACKAGE_INSTALLATION,
};
use crate::storage::{Expect, Stored};

use super::cells::Cell;
use super::columns::{ColumnMap, ObjectKind};
use super::export::{
    account_cells, contact_cells, header, lead_cells, package_cells, version_cells,
};
use super::kept::{Kept, KeptRecords, Raw};
use super::reader::{Row, RowShapeError};
use super::rows::{
    lic, license_lead_and_version, parse_row, ContactRow, LeadRow, LicenseRow, PackageRow, Parsed,
    Ref, VersionRow,
};

/// How many changed records per object the preview shows field by field.
pub const CHANGE_SAMPLE_PER_OBJECT: usize = 10;

/// The desk's records an import is compared with.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    pub packages: Vec<Stored<Package>>,
    pub versions: Vec<Stored<PackageVersion>>,
    pub accounts: Vec<Stored<Account>>,
    pub contacts: Vec<Stored<Contact>>,
    pub leads: Vec<Stored<Lead>>,
    pub licenses: Vec<Stored<License>>,
    pub users: Vec<User>,
}

/// A refused row (or one refused value of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub kind: ObjectKind,
    pub file: String,
    /// The physical line the row starts on.
    pub line: u64,
    /// The column to fix; empty when the row as a whole is wrong.
    pub column: String,
    pub message: String,
}

/// A whole file that can't be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedFile {
    pub file: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub refused: usize,
}

/// One changed field of one record, old → new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSample {
    pub kind: ObjectKind,
    pub record: String,
    pub field: String,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    pub file: String,
    pub kind: ObjectKind,
    pub rows: u64,
    /// Header cells that are no field of the object: ignored.
    pub unknown_columns: Vec<String>,
}

/// A record to write and what it expects to find. Shared, so the commit's
/// batch holds the plan's records rather than a second copy of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Write<T> {
    pub record: Arc<T>,
    pub expect: Expect,
}

impl<T> Write<T> {
    fn new(record: T, expect: Expect) -> Write<T> {
        Write {
            record: Arc::new(record),
            expect,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Writes {
    pub packages: Vec<Write<Package>>,
    pub versions: Vec<Write<PackageVersion>>,
    pub accounts: Vec<Write<Account>>,
    pub contacts: Vec<Write<Contact>>,
    pub leads: Vec<Write<Lead>>,
    pub licenses: Vec<Write<License>>,
    /// Without IDs until the commit reserves them ([`Writes::reserve`]).
    pub history: Vec<HistoryEntry>,
    /// The new accounts, contacts, leads and licenses, kept as their rows
    /// until the commit builds them (`kept.rs`); the lists above hold the
    /// packages, the versions and the records that change the desk's.
    pub kept: KeptRecords,
}

impl Writes {
    /// Records written (not counting history and counters).
    pub fn records(&self) -> usize {
        self.packages.len()
            + self.versions.len()
            + self.accounts.len()
            + self.contacts.len()
            + self.leads.len()
            + self.licenses.len()
            + self.kept.len()
    }

    /// Moves `seq` past every imported ID and License Name (so neither is
    /// ever generated again) and gives the history entries their IDs. Run on
    /// the counters read in the commit itself, so another tab's saves since
    /// the preview are taken into account.
    pub fn reserve(&self, seq: &mut Sequences) -> Vec<HistoryEntry> {
        let ids = self
            .packages
            .iter()
            .map(|w| &w.record.id)
            .chain(self.versions.iter().map(|w| &w.record.id))
            .chain(self.accounts.iter().map(|w| &w.record.id))
            .chain(self.contacts.iter().map(|w| &w.record.id))
            .chain(self.leads.iter().map(|w| &w.record.id))
            .chain(self.licenses.iter().map(|w| &w.record.id));
        for id in ids {
            seq.observe_id(id);
        }
        for w in &self.licenses {
            seq.observe_license_name(w.record.name);
        }
        for (id, name) in self.kept.0.keys() {
            seq.observe_id(&id);
            if let Some(name) = name {
                seq.observe_license_name(name);
            }
        }
        self.history
            .iter()
            .map(|entry| HistoryEntry {
                id: seq.next_id(KeyPrefix::LicenseHistory),
                ..entry.clone()
            })
            .collect()
    }
}

/// The preview, and the writes an Import would commit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportPlan {
    pub files: Vec<FileSummary>,
    pub refused_files: Vec<RefusedFile>,
    pub counts: Vec<(ObjectKind, Counts)>,
    pub refused: Vec<Refused>,
    pub changes: Vec<ChangeSample>,
    /// Licenses that come in with fewer seats than used ones (kept, as the
    /// org holds them, with the usual warning on the license).
    pub seats_below_used: usize,
    pub writes: Writes,
}

impl ImportPlan {
    pub fn counts_of(&self, kind: ObjectKind) -> Counts {
        self.counts
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or_else(Counts::default, |(_, c)| *c)
    }

    /// Rows an Import would write (new and changed).
    pub fn accepted_rows(&self) -> usize {
        self.counts.iter().map(|(_, c)| c.new + c.changed).sum()
    }

    pub fn refused_rows(&self) -> usize {
        self.counts.iter().map(|(_, c)| c.refused).sum()
    }

    /// Whether pressing Import would write anything.
    pub fn has_writes(&self) -> bool {
        self.writes.records() > 0
    }
}

/// Rows a builder keeps per chunk of raw rows; a chunk's text is let go as
/// soon as `finish` has built its records.
const RAW_CHUNK_ROWS: usize = 4_096;

/// One kept row: its file, the line it starts on, where its cells end in
/// its chunk's text.
struct RawRow {
    file: u32,
    line: u64,
    end: u32,
}

#[derive(Default)]
struct RawChunk {
    /// The cells of the chunk's rows, each followed by a NUL: never in a
    /// cell, since a file holding one is refused as not text.
    text: String,
    rows: Vec<RawRow>,
}

/// The rows of one object that parsed, kept as their cells' text (about
/// half of what their parsed records take) until `finish` parses them again
/// into the records it resolves. Rows and records are never all in memory
/// at once.
#[derive(Default)]
struct RawRows {
    chunks: Vec<RawChunk>,
}

impl RawRows {
    fn push(&mut self, file: usize, line: u64, cells: &[String]) {
        let full = self
            .chunks
            .last()
            .is_none_or(|c| c.rows.len() >= RAW_CHUNK_ROWS);
        if full {
            if let Some(last) = self.chunks.last_mut() {
                last.text.shrink_to_fit();
            }
            self.chunks.push(RawChunk {
                text: String::new(),
                rows: Vec::with_capacity(RAW_CHUNK_ROWS),
            });
        }
        let Some(chunk) = self.chunks.last_mut() else {
            return;
        };
        for cell in cells {
            chunk.text.push_str(cell);
            chunk.text.push('\0');
        }
        chunk.rows.push(RawRow {
            file: u32::try_from(file).unwrap_or(u32::MAX),
            line,
            end: u32::try_from(chunk.text.len()).unwrap_or(u32::MAX),
        });
    }

    /// Calls `each(file, line, cells)` for every row, in order.
    fn for_each(&self, mut each: impl FnMut(usize, u64, &[&str])) {
        for chunk in &self.chunks {
            chunk.for_each(&mut each);
        }
    }

    /// As [`for_each`](Self::for_each), letting go of each chunk once its
    /// rows are done.
    fn drain(&mut self, mut each: impl FnMut(usize, u64, &[&str])) {
        for chunk in std::mem::take(&mut self.chunks) {
            chunk.for_each(&mut each);
        }
    }
}

impl RawChunk {
    fn for_each(&self, each: &mut impl FnMut(usize, u64, &[&str])) {
        let mut cells: Vec<&str> = Vec::new();
        let mut start = 0;
        for row in &self.rows {
            let end = row.end as usize;
            cells.clear();
            cells.extend(
                self.text
                    .get(start..end)
                    .unwrap_or_default()
                    .split_terminator('\0'),
            );
            each(row.file as usize, row.line, &cells);
            start = end;
        }
    }
}

/// Collects rows as files are read; [`PlanBuilder::finish`] makes the plan.
pub struct PlanBuilder {
    actor: SfId,
    now: NaiveDateTime,
    files: Vec<FileSummary>,
    /// Per file, where its fields are: `finish` reads the kept rows again.
    maps: Vec<ColumnMap>,
    refused_files: Vec<RefusedFile>,
    /// The rows that parsed, per object (in `ObjectKind::ALL` order).
    rows: [RawRows; 6],
    refused: Vec<Refused>,
    refused_counts: HashMap<ObjectKind, usize>,
    /// First line of each Id, per object (in `ObjectKind::ALL` order).
    /// (A u32: a line number of a file in memory fits, and 200,000 entries
    /// take 2 MB less.)
    seen: [HashMap<SfId, u32>; 6],
}

fn slot(kind: ObjectKind) -> usize {
    ObjectKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)
}

impl PlanBuilder {
    /// `actor` is who imports (named in the history), `now` when.
    pub fn new(actor: &SfId, now: NaiveDateTime) -> PlanBuilder {
        PlanBuilder {
            actor: actor.clone(),
            now,
            files: Vec::new(),
            maps: Vec::new(),
            refused_files: Vec::new(),
            rows: Default::default(),
            refused: Vec::new(),
            refused_counts: HashMap::new(),
            seen: Default::default(),
        }
    }

    /// Starts a recognised file; returns its index for [`add_row`](Self::add_row).
    pub fn add_file(&mut self, name: &str, map: &ColumnMap) -> usize {
        self.files.push(FileSummary {
            file: name.to_string(),
            kind: map.kind,
            rows: 0,
            unknown_columns: map.unknown.clone(),
        });
        self.maps.push(map.clone());
        self.files.len() - 1
    }

    /// A file refused as a whole.
    pub fn refuse_file(&mut self, name: &str, message: String) {
        self.refused_files.push(RefusedFile {
            file: name.to_string(),
            message,
        });
    }

    fn refuse(&mut self, kind: ObjectKind, file: usize, line: u64, errors: Vec<(String, String)>) {
        let name = self
            .files
            .get(file)
            .map(|f| f.file.clone())
            .unwrap_or_default();
        *self.refused_counts.entry(kind).or_default() += 1;
        for (column, message) in errors {
            self.refused.push(Refused {
                kind,
                file: name.clone(),
                line,
                column,
                message,
            });
        }
    }

    /// Checks one row of file `file` through the domain and keeps it, or
    /// records why not.
    pub fn add_row(&mut self, file: usize, map: &ColumnMap, row: Result<Row, RowShapeError>) {
        let kind = map.kind;
        if let Some(f) = self.files.get_mut(file) {
            f.rows += 1;
        }
        let row = match row {
            Ok(row) => row,
            Err(e) => return self.refuse(kind, file, e.line, vec![(String::new(), e.message)]),
        };
        let cells: Vec<&str> = row.cells.iter().map(String::as_str).collect();
        let id = match parse_row(map, &cells, &self.actor, self.now) {
            Ok(parsed) => parsed.id().clone(),
            Err(errors) => return self.refuse_row(kind, file, row.line, errors),
        };
        let seen = &mut self.seen[slot(kind)];
        let first = seen.get(&id).copied().map(u64::from);
        if let Err(e) = check_unique_id(&id, first) {
            return self.refuse(kind, file, row.line, vec![("Id".into(), e.to_string())]);
        }
        seen.insert(id, u32::try_from(row.line).unwrap_or(u32::MAX));
        self.rows[slot(kind)].push(file, row.line, &row.cells);
    }

    fn refuse_row(
        &mut self,
        kind: ObjectKind,
        file: usize,
        line: u64,
        errors: Vec<ImportRowError>,
    ) {
        let errors = errors
            .into_iter()
            .map(|e| (e.column, e.error.to_string()))
            .collect();
        self.refuse(kind, file, line, errors);
    }

    /// Parses every kept row of `kind` again (a row parsed once parses the
    /// same again) and hands its record to `each`, chunk by chunk; a record
    /// `each` refuses is listed with its line.
    fn build(
        &mut self,
        kind: ObjectKind,
        plan: &mut Finishing<'_>,
        mut each: impl FnMut(&mut Finishing<'_>, Parsed, Raw<'_>) -> Result<(), (String, String)>,
    ) {
        let mut rows = std::mem::take(&mut self.rows[slot(kind)]);
        let mut refused = Vec::new();
        rows.drain(|file, line, cells| {
            let map = self.maps.get(file);
            let parsed = map.map(|map| parse_row(map, cells, &self.actor, self.now));
            match parsed {
                Some(Ok(parsed)) => {
                    if let Err(e) = each(plan, parsed, Raw { file, cells }) {
                        refused.push((file, line, vec![e]));
                    }
                }
                Some(Err(errors)) => refused.push((
                    file,
                    line,
                    errors
                        .into_iter()
                        .map(|e| (e.column, e.error.to_string()))
                        .collect(),
                )),
                None => {}
            }
        });
        for (file, line, errors) in refused {
            self.refuse(kind, file, line, errors);
            plan.counts(kind).refused += 1;
        }
    }

    /// Resolves, compares with `desk` and prepares the writes.
    pub fn finish(mut self, desk: &Desk) -> ImportPlan {
        // Only the reading needs them.
        self.seen = Default::default();
        let mut plan = Finishing::new(desk, &self.actor, self.now, self.maps.clone());
        let refused_before: Vec<(ObjectKind, usize)> =
            self.refused_counts.iter().map(|(k, n)| (*k, *n)).collect();
        for (kind, n) in refused_before {
            plan.counts(kind).refused += n;
        }
        self.build(
            ObjectKind::Package,
            &mut plan,
            |plan, parsed, _| match parsed {
                Parsed::Package(row) => plan.package(row),
                _ => Ok(()),
            },
        );
        self.build(
            ObjectKind::PackageVersion,
            &mut plan,
            |plan, parsed, _| match parsed {
                Parsed::Version(row) => plan.version(row),
                _ => Ok(()),
            },
        );
        self.build(ObjectKind::Account, &mut plan, |plan, parsed, raw| {
            if let Parsed::Account(row) = parsed {
                plan.account(row, raw);
            }
            Ok(())
        });
        self.build(
            ObjectKind::Contact,
            &mut plan,
            |plan, parsed, raw| match parsed {
                Parsed::Contact(row) => plan.contact(row, raw),
                _ => Ok(()),
            },
        );
        // A lead learns its package from the licenses that name it.
        self.rows[slot(ObjectKind::License)].for_each(|file, _, cells| {
            let named = self
                .maps
                .get(file)
                .and_then(|map| license_lead_and_version(map, cells));
            if let Some((Some(lead), version)) = named {
                if let Some((_, package)) = plan.version_of(&version) {
                    plan.lead_packages.entry(lead).or_insert(package);
                }
            }
        });
        self.build(
            ObjectKind::Lead,
            &mut plan,
            |plan, parsed, raw| match parsed {
                Parsed::Lead(row) => plan.lead(row, raw),
                _ => Ok(()),
            },
        );
        self.build(
            ObjectKind::License,
            &mut plan,
            |plan, parsed, raw| match parsed {
                Parsed::License(row) => plan.license(*row, raw),
                _ => Ok(()),
            },
        );
        // refuse() counted these rows in refused_counts too; the plan's
        // counts are the ones shown.
        let mut out = plan.done();
        out.files = self.files;
        out.refused_files = self.refused_files;
        crate::sort::sort_by(&mut self.refused, |a, b| {
            (a.kind, &a.file, a.line).cmp(&(b.kind, &b.file, b.line))
        });
        out.refused = self.refused;
        out
    }
}

fn err(r: &Ref, error: impl Into<ImportValueError>) -> (String, String) {
    let e = ImportRowError::new(r.column.as_ref(), error);
    (e.column, e.error.to_string())
}

fn col(column: &str, error: impl Into<ImportValueError>) -> (String, String) {
    (column.to_string(), error.into().to_string())
}

enum Outcome {
    New,
    Changed,
    Unchanged,
}

/// The state of `finish`: the desk indexed, and what is accepted so far.
struct Finishing<'d> {
    actor: SfId,
    now: NaiveDateTime,
    desk_packages: HashMap<&'d SfId, &'d Stored<Package>>,
    desk_versions: HashMap<&'d SfId, &'d Stored<PackageVersion>>,
    desk_accounts: HashMap<&'d SfId, &'d Stored<Account>>,
    desk_contacts: HashMap<&'d SfId, &'d Stored<Contact>>,
    desk_leads: HashMap<&'d SfId, &'d Stored<Lead>>,
    desk_licenses: HashMap<&'d SfId, &'d Stored<License>>,
    users: HashSet<&'d SfId>,
    /// Alias or Package ID → Package ID, of accepted packages.
    package_keys: HashMap<SfId, SfId>,
    lead_managers: HashMap<SfId, Option<SfId>>,
    /// Alias or Version ID → (Version ID, Package ID), of accepted versions.
    version_keys: HashMap<SfId, (SfId, SfId)>,
    accounts: HashSet<SfId>,
    contacts: HashMap<SfId, String>,
    lead_names: HashMap<SfId, String>,
    lead_packages: HashMap<SfId, SfId>,
    license_names: HashMap<LicenseName, SfId>,
    counts: Vec<(ObjectKind, Counts)>,
    changes: Vec<ChangeSample>,
    sampled: HashMap<ObjectKind, usize>,
    seats_below_used: usize,
    writes: Writes,
    kept: Kept,
}

fn index<T, F: Fn(&T) -> &SfId>(items: &[Stored<T>], key: F) -> HashMap<&SfId, &Stored<T>> {
    items.iter().map(|s| (key(&s.record), s)).collect()
}

fn expect_of<T>(existing: Option<&Stored<T>>) -> Expect {
    existing.map_or(Expect::Absent, |s| Expect::Rev(s.rev))
}

/// A cell as the preview shows it.
fn shown(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.to_string(),
        Cell::Number(n) => n.to_string(),
    }
}

/// A license's fields as its history shows them.
fn license_fields(l: &License) -> [(HistoryField, String); 16] {
    let id = |i: Option<&SfId>| i.map(|i| i.to15().to_string()).unwrap_or_default();
    [
        (HistoryField::LicenseName, l.name.to_string()),
        (HistoryField::Status, l.status.to_string()),
        (HistoryField::Seats, l.seats.to_string()),
        (
            HistoryField::UsedLicenses,
            l.used_licenses.map(|u| u.to_string()).unwrap_or_default(),
        ),
        (HistoryField::Expiration, l.expiration.to_string()),
        (HistoryField::InstallDate, l.install_date.to_string()),
        (HistoryField::Instance, l.instance.clone()),
        (HistoryField::OrgEdition, l.org_edition.clone()),
        (HistoryField::OrgStatus, l.org_status.to_string()),
        (
            HistoryField::OrgExpirationDate,
            l.org_expiration_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        (HistoryField::Sandbox, l.sandbox.to_string()),
        (
            HistoryField::SubscriberOrgId,
            l.subscriber_org_id.to15().to_string(),
        ),
        (
            HistoryField::PackageVersion,
            id(Some(&l.package_version_id)),
        ),
        (HistoryField::VersionNumber, l.version_number.to_string()),
        (HistoryField::Lead, id(l.lead_id.as_ref())),
        (HistoryField::LicenseType, l.license_type.to_string()),
    ]
}

impl<'d> Finishing<'d> {
    fn new(desk: &'d Desk, actor: &SfId, now: NaiveDateTime, maps: Vec<ColumnMap>) -> Self {
        let desk_licenses = index(&desk.licenses, |l: &License| &l.id);
        let license_names = desk
            .licenses
            .iter()
            .map(|s| (s.record.name, s.record.id.clone()))
            .collect();
        let mut lead_packages = HashMap::new();
        for s in &desk.leads {
            lead_packages.insert(s.record.id.clone(), s.record.package_id.clone());
        }
        for s in &desk.licenses {
            if let Some(lead) = &s.record.lead_id {
                lead_packages
                    .entry(lead.clone())
                    .or_insert_with(|| s.record.package_id.clone());
            }
        }
        Finishing {
            actor: actor.clone(),
            now,
            desk_packages: index(&desk.packages, |p: &Package| &p.id),
            desk_versions: index(&desk.versions, |v: &PackageVersion| &v.id),
            desk_accounts: index(&desk.accounts, |a: &Account| &a.id),
            desk_contacts: index(&desk.contacts, |c: &Contact| &c.id),
            desk_leads: index(&desk.leads, |l: &Lead| &l.id),
            desk_licenses,
            users: desk.users.iter().map(|u| &u.id).collect(),
            package_keys: HashMap::new(),
            lead_managers: HashMap::new(),
            version_keys: HashMap::new(),
            accounts: HashSet::new(),
            contacts: HashMap::new(),
            lead_names: HashMap::new(),
            lead_packages,
            license_names,
            counts: ObjectKind::ALL
                .into_iter()
                .map(|k| (k, Counts::default()))
                .collect(),
            changes: Vec::new(),
            sampled: HashMap::new(),
            seats_below_used: 0,
            writes: Writes::default(),
            kept: Kept::new(actor, now, maps),
        }
    }

    fn counts(&mut self, kind: ObjectKind) -> &mut Counts {
        let i = ObjectKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        // `counts` holds every kind, in `ALL` order.
        &mut self.counts[i].1
    }

    fn tally(&mut self, kind: ObjectKind, outcome: &Outcome) {
        let c = self.counts(kind);
        match outcome {
            Outcome::New => c.new += 1,
            Outcome::Changed => c.changed += 1,
            Outcome::Unchanged => c.unchanged += 1,
        }
    }

    fn sample(&mut self, kind: ObjectKind, record: &str, diffs: &[(String, String, String)]) {
        let taken = self.sampled.entry(kind).or_default();
        if *taken >= CHANGE_SAMPLE_PER_OBJECT {
            return;
        }
        *taken += 1;
        for (field, old, new) in diffs {
            self.changes.push(ChangeSample {
                kind,
                record: record.to_string(),
                field: field.clone(),
                old: old.clone(),
                new: new.clone(),
            });
        }
    }

    /// Field-by-field differences through the export's cells.
    fn cell_diffs(
        kind: ObjectKind,
        old: Vec<Cell<'_>>,
        new: Vec<Cell<'_>>,
    ) -> Vec<(String, String, String)> {
        header(kind)
            .into_iter()
            .zip(old.iter().zip(&new))
            .filter(|(_, (o, n))| o != n)
            .map(|(h, (o, n))| (h.to_string(), shown(o), shown(n)))
            .collect()
    }

    fn outcome<T: PartialEq>(existing: Option<&Stored<T>>, merged: &T) -> Outcome {
        match existing {
            None => Outcome::New,
            Some(s) if s.record == *merged => Outcome::Unchanged,
            Some(_) => Outcome::Changed,
        }
    }

    fn package_of(&self, id: &SfId) -> Option<SfId> {
        self.package_keys
            .get(id)
            .cloned()
            .or_else(|| self.desk_packages.get(id).map(|s| s.record.id.clone()))
    }

    /// (Version ID, Package ID) of an accepted or stored version.
    fn version_of(&self, id: &SfId) -> Option<(SfId, SfId)> {
        self.version_keys.get(id).cloned().or_else(|| {
            self.desk_versions
                .get(id)
                .map(|s| (s.record.id.clone(), s.record.package_id.clone()))
        })
    }

    fn package(&mut self, row: PackageRow) -> Result<(), (String, String)> {
        let existing = self.desk_packages.get(&row.package.id).copied();
        let mut merged = row.package;
        if let Some(Some(manager)) = &row.lead_manager {
            check_lookup(
                self.users.contains(&manager.id),
                KeyPrefix::User,
                &manager.id,
            )
            .map_err(|e| err(manager, e))?;
        }
        merged.lead_manager = match (&row.lead_manager, existing) {
            (Some(m), _) => m.as_ref().map(|r| r.id.clone()),
            (None, Some(e)) => e.record.lead_manager.clone(),
            (None, None) => None,
        };
        if let Some(e) = existing {
            merged.registration = e.record.registration.clone();
            merged.last_refresh = e.record.last_refresh;
            merged.created = e.record.created.clone();
            merged.last_modified = e.record.last_modified.clone();
            if !row.has_developer_name {
                merged.developer_name = e.record.developer_name.clone();
            }
        }
        let outcome = Self::outcome(existing, &merged);
        if let (Outcome::Changed, Some(e)) = (&outcome, existing) {
            let diffs = Self::cell_diffs(
                ObjectKind::Package,
                package_cells(&e.record, None),
                package_cells(&merged, None),
            );
            self.sample(ObjectKind::Package, merged.name.as_str(), &diffs);
            merged.last_modified = Stamp::user(&self.actor, self.now);
        }
        self.tally(ObjectKind::Package, &outcome);
        if let Some(alias) = row.alias {
            self.package_keys.insert(alias, merged.id.clone());
        }
        self.package_keys
            .insert(merged.id.clone(), merged.id.clone());
        self.lead_managers
            .insert(merged.id.clone(), merged.lead_manager.clone());
        if !matches!(outcome, Outcome::Unchanged) {
            self.writes
                .packages
                .push(Write::new(merged, expect_of(existing)));
        }
        Ok(())
    }

    fn version(&mut self, row: VersionRow) -> Result<(), (String, String)> {
        let package = self.package_of(&row.package.id);
        check_lookup(package.is_some(), KeyPrefix::Package, &row.package.id)
            .map_err(|e| err(&row.package, e))?;
        let mut merged = row.version;
        if let Some(p) = package {
            merged.package_id = p;
        }
        let existing = self.desk_versions.get(&merged.id).copied();
        let outcome = Self::outcome(existing, &merged);
        if let (Outcome::Changed, Some(e)) = (&outcome, existing) {
            let diffs = Self::cell_diffs(
                ObjectKind::PackageVersion,
                version_cells(&e.record),
                version_cells(&merged),
            );
            self.sample(ObjectKind::PackageVersion, &merged.name, &diffs);
        }
        self.tally(ObjectKind::PackageVersion, &outcome);
        let key = (merged.id.clone(), merged.package_id.clone());
        if let Some(alias) = row.alias {
            self.version_keys.insert(alias, key.clone());
        }
        self.version_keys.insert(merged.id.clone(), key);
        if !matches!(outcome, Outcome::Unchanged) {
            self.writes
                .versions
                .push(Write::new(merged, expect_of(existing)));
        }
        Ok(())
    }

    fn account(&mut self, mut merged: Account, raw: Raw<'_>) {
        let existing = self.desk_accounts.get(&merged.id).copied();
        if let Some(e) = existing {
            merged.created = e.record.created.clone();
        }
        let outcome = Self::outcome(existing, &merged);
        if let (Outcome::Changed, Some(e)) = (&outcome, existing) {
            let diffs = Self::cell_diffs(
                ObjectKind::Account,
                account_cells(&e.record),
                account_cells(&merged),
            );
            self.sample(ObjectKind::Account, &merged.name, &diffs);
        }
        self.tally(ObjectKind::Account, &outcome);
        self.accounts.insert(merged.id.clone());
        match (outcome, existing) {
            (Outcome::Unchanged, _) => {}
            (_, None) => self.kept.account(raw, &merged),
            (_, Some(e)) => self
                .writes
                .accounts
                .push(Write::new(merged, expect_of(Some(e)))),
        }
    }

    fn has_account(&self, id: &SfId) -> bool {
        self.accounts.contains(id) || self.desk_accounts.contains_key(id)
    }

    fn has_contact(&self, id: &SfId) -> bool {
        self.contacts.contains_key(id) || self.desk_contacts.contains_key(id)
    }

    fn contact(&mut self, row: ContactRow, raw: Raw<'_>) -> Result<(), (String, String)> {
        check_lookup(
            self.has_account(&row.account.id),
            KeyPrefix::Account,
            &row.account.id,
        )
        .map_err(|e| err(&row.account, e))?;
        let mut merged = row.contact;
        let existing = self.desk_contacts.get(&merged.id).copied();
        if let Some(e) = existing {
            merged.created = e.record.created.clone();
        }
        let outcome = Self::outcome(existing, &merged);
        if let (Outcome::Changed, Some(e)) = (&outcome, existing) {
            let diffs = Self::cell_diffs(
                ObjectKind::Contact,
                contact_cells(&e.record),
                contact_cells(&merged),
            );
            self.sample(ObjectKind::Contact, &merged.full_name(), &diffs);
        }
        self.tally(ObjectKind::Contact, &outcome);
        self.contacts.insert(merged.id.clone(), merged.full_name());
        match (outcome, existing) {
            (Outcome::Unchanged, _) => {}
            (_, None) => self.kept.contact(raw, &merged),
            (_, Some(e)) => self
                .writes
                .contacts
                .push(Write::new(merged, expect_of(Some(e)))),
        }
        Ok(())
    }

    fn lead(&mut self, row: LeadRow, raw: Raw<'_>) -> Result<(), (String, String)> {
        if let Some((account, contact)) = &row.converted {
            check_lookup(
                self.has_account(&account.id),
                KeyPrefix::Account,
                &account.id,
            )
            .map_err(|e| err(account, e))?;
            check_lookup(
                self.has_contact(&contact.id),
                KeyPrefix::Contact,
                &contact.id,
            )
            .map_err(|e| err(contact, e))?;
        }
        let mut merged = row.lead;
        let existing = self.desk_leads.get(&merged.id).copied();
        let package = self
            .lead_packages
            .get(&merged.id)
            .cloned()
            .ok_or_else(|| col("Id", ImportValueError::LeadWithoutLicense))?;
        match existing {
            Some(e) => {
                merged.package_id = package;
                merged.owner = e.record.owner.clone();
                merged.created = e.record.created.clone();
                merged.last_modified = e.record.last_modified.clone();
                if row.lead_source.is_none() {
                    merged.lead_source = e.record.lead_source.clone();
                }
                if row.status.is_none() && row.converted.is_none() {
                    merged.status = e.record.status;
                }
                if let (Some(old), Some(new)) = (&e.record.converted, &merged.converted) {
                    if old.account_id == new.account_id && old.contact_id == new.contact_id {
                        merged.converted = Some(old.clone());
                    }
                }
                if merged.converted.is_some() {
                    merged.status = LeadStatus::Converted;
                }
            }
            None => {
                let owner = match self.lead_managers.get(&package).cloned().or_else(|| {
                    self.desk_packages
                        .get(&package)
                        .map(|p| p.record.lead_manager.clone())
                }) {
                    Some(Some(user)) => LeadOwner::User(user),
                    _ => LeadOwner::LicenseManagementApp,
                };
                new_lead(&mut merged, package, owner);
            }
        }
        let outcome = Self::outcome(existing, &merged);
        if let (Outcome::Changed, Some(e)) = (&outcome, existing) {
            let diffs =
                Self::cell_diffs(ObjectKind::Lead, lead_cells(&e.record), lead_cells(&merged));
            self.sample(ObjectKind::Lead, &merged.full_name(), &diffs);
            merged.last_modified = Stamp::user(&self.actor, self.now);
        }
        self.tally(ObjectKind::Lead, &outcome);
        self.lead_names
            .insert(merged.id.clone(), merged.full_name());
        match (outcome, existing) {
            (Outcome::Unchanged, _) => {}
            (_, None) => self.kept.lead(raw, &merged),
            (_, Some(e)) => self
                .writes
                .leads
                .push(Write::new(merged, expect_of(Some(e)))),
        }
        Ok(())
    }

    fn lead_name(&self, id: &SfId) -> Option<String> {
        self.lead_names
            .get(id)
            .cloned()
            .or_else(|| self.desk_leads.get(id).map(|l| l.record.full_name()))
    }

    fn license(&mut self, row: LicenseRow, raw: Raw<'_>) -> Result<(), (String, String)> {
        let (version_id, package_id) = self.version_of(&row.version.id).ok_or_else(|| {
            err(
                &row.version,
                ImportValueError::Nowhere {
                    label: KeyPrefix::PackageVersion.label(),
                    id: row.version.id.to15().to_string(),
                },
            )
        })?;
        if let Some(p) = &row.package {
            let named = self.package_of(&p.id);
            check_lookup(named.is_some(), KeyPrefix::Package, &p.id).map_err(|e| err(p, e))?;
            if named.as_ref() != Some(&package_id) {
                return Err(err(
                    p,
                    ImportValueError::PackageMismatch {
                        package: p.id.to15().to_string(),
                        version_package: package_id.to15().to_string(),
                    },
                ));
            }
        }
        if let Some(lead) = &row.lead {
            let found =
                self.lead_names.contains_key(&lead.id) || self.desk_leads.contains_key(&lead.id);
            check_lookup(found, KeyPrefix::Lead, &lead.id).map_err(|e| err(lead, e))?;
        }
        if let Some(a) = &row.account {
            check_lookup(self.has_account(&a.id), KeyPrefix::Account, &a.id)
                .map_err(|e| err(a, e))?;
        }
        if let Some(c) = &row.contact {
            check_lookup(self.has_contact(&c.id), KeyPrefix::Contact, &c.id)
                .map_err(|e| err(c, e))?;
        }
        let name_column = "Name";
        check_license_name(
            row.license.name,
            &row.license.id,
            self.license_names.get(&row.license.name),
        )
        .map_err(|e| col(name_column, e))?;
        let present = row.present;
        let mut merged = resolved_license(row, package_id, version_id, String::new());
        let existing = self.desk_licenses.get(&merged.id).copied();
        if let Some(e) = existing {
            keep_absent(&mut merged, &e.record, &present);
            merged.ever_active = e.record.ever_active || merged.status == LicenseStatus::Active;
            merged.information_current_as_of = e.record.information_current_as_of;
            merged.created = e.record.created.clone();
            merged.last_modified = e.record.last_modified.clone();
        }
        merged.lead_name = merged
            .lead_id
            .as_ref()
            .and_then(|id| self.lead_name(id))
            .or_else(|| existing.map(|e| e.record.lead_name.clone()))
            .or_else(|| {
                merged.contact_id.as_ref().and_then(|c| {
                    self.contacts
                        .get(c)
                        .cloned()
                        .or_else(|| self.desk_contacts.get(c).map(|s| s.record.full_name()))
                })
            })
            .unwrap_or_default();
        let outcome = Self::outcome(existing, &merged);
        if let (Outcome::Changed, Some(e)) = (&outcome, existing) {
            let diffs: Vec<(HistoryField, String, String)> = license_fields(&e.record)
                .into_iter()
                .zip(license_fields(&merged))
                .filter(|((_, old), (_, new))| old != new)
                .map(|((field, old), (_, new))| (field, old, new))
                .collect();
            let shown: Vec<(String, String, String)> = diffs
                .iter()
                .map(|(f, o, n)| (f.label().to_string(), o.clone(), n.clone()))
                .collect();
            self.sample(ObjectKind::License, &merged.name.to_string(), &shown);
            for (field, old_value, new_value) in diffs {
                self.writes.history.push(HistoryEntry {
                    id: SfId::generate(KeyPrefix::LicenseHistory, 0),
                    license_id: merged.id.clone(),
                    field,
                    old_value,
                    new_value,
                    by: self.actor.clone(),
                    at: self.now,
                    origin: HistoryOrigin::Import,
                });
            }
            merged.last_modified = Stamp::user(&self.actor, self.now);
        }
        self.tally(ObjectKind::License, &outcome);
        if !merged.warnings().is_empty() {
            self.seats_below_used += 1;
        }
        self.license_names.insert(merged.name, merged.id.clone());
        match (outcome, existing) {
            (Outcome::Unchanged, _) => {}
            (_, None) => self.kept.license(raw, &merged),
            (_, Some(e)) => self
                .writes
                .licenses
                .push(Write::new(merged, expect_of(Some(e)))),
        }
        Ok(())
    }

    fn done(self) -> ImportPlan {
        ImportPlan {
            files: Vec::new(),
            refused_files: Vec::new(),
            counts: self.counts,
            refused: Vec::new(),
            changes: self.changes,
            seats_below_used: self.seats_below_used,
            writes: Writes {
                kept: KeptRecords(Arc::new(self.kept)),
                ..self.writes
            },
        }
    }
}

/// A lead new to the desk as an import accepts it: in the package its
/// licenses name, owned as that package's leads are. Shared with `kept.rs`,
/// which builds the record again at the commit.
pub(crate) fn new_lead(lead: &mut Lead, package: SfId, owner: LeadOwner) {
    lead.package_id = package;
    lead.owner = owner;
    if lead.lead_source.is_empty() {
        lead.lead_source = LEAD_SOURCE_PACKAGE_INSTALLATION.to_string();
    }
    if lead.converted.is_some() {
        lead.status = LeadStatus::Converted;
    }
}

/// A license row with its lookups resolved: its package and version, and
/// the lead, account and contact its row names. Shared with `kept.rs`.
pub(crate) fn resolved_license(
    row: LicenseRow,
    package_id: SfId,
    version_id: SfId,
    lead_name: String,
) -> License {
    let mut license = row.license;
    license.package_id = package_id;
    license.package_version_id = version_id;
    license.lead_id = row.lead.map(|r| r.id);
    license.account_id = row.account.map(|r| r.id);
    license.contact_id = row.contact.map(|r| r.id);
    license.lead_name = lead_name;
    license
}

/// Fields whose column the file doesn't have keep the desk's value.
fn keep_absent(merged: &mut License, existing: &License, present: &[bool; lic::COUNT]) {
    let absent = |field: usize| !present.get(field).copied().unwrap_or(false);
    if absent(lic::USED) {
        merged.used_licenses = existing.used_licenses;
    }
    if absent(lic::EXPIRATION) {
        merged.expiration = existing.expiration;
    }
    if absent(lic::INSTANCE) {
        merged.instance = existing.instance.clone();
    }
    if absent(lic::EDITION) {
        merged.org_edition = existing.org_edition.clone();
    }
    if absent(lic::ORG_EXPIRATION) {
        merged.org_expiration_date = existing.org_expiration_date;
    }
    if absent(lic::SANDBOX) {
        merged.sandbox = existing.sandbox;
    }
    if absent(lic::LEAD) {
        merged.lead_id = existing.lead_id.clone();
    }
    if absent(lic::ACCOUNT) {
        merged.account_id = existing.account_id.clone();
    }
    if absent(lic::CONTACT) {
        merged.contact_id = existing.contact_id.clone();
    }
    if absent(lic::LICENSE_TYPE) {
        merged.license_type = existing.license_type;
    }
}
