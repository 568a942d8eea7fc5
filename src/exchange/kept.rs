//! The new records of an import, kept as their CSV rows until the commit
//! writes them.
//!
//! A record takes about twice the memory of its row (a license holds nine
//! 18-byte IDs and two stamps against its 190 bytes of CSV), so an import of
//! 250,000 rows that held every record from the preview to the end of the
//! commit could not stay near the size of its files. The plan keeps each new
//! record's row and what it resolved for it (the version, the lead's name,
//! the lead's package and owner); the commit's batch builds each record
//! through the same parser and the same resolution when it writes it, and
//! lets it go. A record already on the desk (changed) is kept built: its
//! merge needs the desk's copy.

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::domain::{Account, Contact, Lead, LeadOwner, License, LicenseName, SfId};

use super::columns::ColumnMap;
use super::plan::{new_lead, resolved_license};
use super::rows::{parse_row, row_key, Parsed};

/// What the plan resolved for a kept row, beside the row itself.
#[derive(Debug, Clone, PartialEq)]
enum Fill {
    Account,
    Contact,
    /// Index in `Kept::leads_of`: the package and owner of a new lead.
    Lead(u32),
    License {
        /// Index in `Kept::versions`.
        version: u32,
        lead_name: Box<str>,
    },
}

/// Its ID and License Name are read again from `text` when needed: 224,000
/// kept rows each holding them took 5 MB more.
#[derive(Debug, Clone, PartialEq)]
struct KeptRow {
    file: u32,
    /// Its cells, each followed by a NUL (never in a cell: a file holding
    /// one is refused as not text).
    text: Box<str>,
    fill: Fill,
}

/// The new records of a plan, as rows (see the module's comment).
#[derive(Clone, Default, PartialEq)]
pub struct Kept {
    actor: Option<SfId>,
    now: NaiveDateTime,
    /// Per file of the import, where its fields are.
    maps: Vec<ColumnMap>,
    /// (Package ID, Version ID) of the kept licenses.
    versions: Vec<(SfId, SfId)>,
    /// (Package ID, owner) of the kept leads.
    leads_of: Vec<(SfId, LeadOwner)>,
    rows: Vec<KeptRow>,
}

impl fmt::Debug for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kept({} rows)", self.rows.len())
    }
}

/// The index of `value` in `table`, added if new (tables hold a few
/// packages and versions: a scan is enough).
fn intern<T: PartialEq>(table: &mut Vec<T>, value: T) -> u32 {
    let at = match table.iter().position(|v| *v == value) {
        Some(at) => at,
        None => {
            table.push(value);
            table.len() - 1
        }
    };
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// A kept row as the finish found it.
#[derive(Clone, Copy)]
pub(crate) struct Raw<'a> {
    pub file: usize,
    pub cells: &'a [&'a str],
}

impl Kept {
    pub(crate) fn new(actor: &SfId, now: NaiveDateTime, maps: Vec<ColumnMap>) -> Kept {
        Kept {
            actor: Some(actor.clone()),
            now,
            maps,
            ..Kept::default()
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn push(&mut self, raw: Raw<'_>, fill: Fill) {
        let mut text = String::with_capacity(raw.cells.iter().map(|c| c.len() + 1).sum());
        for cell in raw.cells {
            text.push_str(cell);
            text.push('\0');
        }
        self.rows.push(KeptRow {
            file: u32::try_from(raw.file).unwrap_or(u32::MAX),
            text: text.into_boxed_str(),
            fill,
        });
    }

    pub(crate) fn account(&mut self, raw: Raw<'_>, account: &Account) {
        let _ = account;
        self.push(raw, Fill::Account);
    }

    pub(crate) fn contact(&mut self, raw: Raw<'_>, contact: &Contact) {
        let _ = contact;
        self.push(raw, Fill::Contact);
    }

    pub(crate) fn lead(&mut self, raw: Raw<'_>, lead: &Lead) {
        let of = intern(
            &mut self.leads_of,
            (lead.package_id.clone(), lead.owner.clone()),
        );
        self.push(raw, Fill::Lead(of));
    }

    pub(crate) fn license(&mut self, raw: Raw<'_>, license: &License) {
        let version = intern(
            &mut self.versions,
            (
                license.package_id.clone(),
                license.package_version_id.clone(),
            ),
        );
        let fill = Fill::License {
            version,
            lead_name: license.lead_name.as_str().into(),
        };
        self.push(raw, fill);
    }

    /// The ID of kept row `i`, and its License Name if it is a license.
    pub fn key(&self, i: usize) -> Option<(SfId, Option<LicenseName>)> {
        let row = self.rows.get(i)?;
        let map = self.maps.get(row.file as usize)?;
        let cells: Vec<&str> = row.text.split_terminator('\0').collect();
        row_key(map, &cells)
    }

    /// The IDs and License Names of the kept records.
    pub fn keys(&self) -> impl Iterator<Item = (SfId, Option<LicenseName>)> + '_ {
        (0..self.rows.len()).filter_map(|i| self.key(i))
    }

    fn parsed(&self, i: usize) -> Result<(Parsed, &Fill), String> {
        let row = self
            .rows
            .get(i)
            .ok_or_else(|| format!("Internal error: no kept row {i}."))?;
        let map = self
            .maps
            .get(row.file as usize)
            .ok_or_else(|| format!("Internal error: no file {} for a kept row.", row.file))?;
        let actor = self
            .actor
            .as_ref()
            .ok_or_else(|| "Internal error: kept rows without their importer.".to_string())?;
        let cells: Vec<&str> = row.text.split_terminator('\0').collect();
        let parsed = parse_row(map, &cells, actor, self.now).map_err(|errors| {
            let why: Vec<String> = errors.iter().map(|e| e.error.to_string()).collect();
            format!(
                "Internal error: an imported row no longer reads ({})",
                why.join("; ")
            )
        })?;
        Ok((parsed, &row.fill))
    }

    /// The record of kept row `i`, as the plan accepted it.
    pub fn record(&self, i: usize) -> Result<KeptRecord, String> {
        let mismatch = || Err(format!("Internal error: kept row {i} changed its object."));
        match self.parsed(i)? {
            (Parsed::Account(a), Fill::Account) => Ok(KeptRecord::Account(a)),
            (Parsed::Contact(c), Fill::Contact) => Ok(KeptRecord::Contact(c.contact)),
            (Parsed::Lead(row), Fill::Lead(of)) => {
                let (package, owner) = self
                    .leads_of
                    .get(*of as usize)
                    .cloned()
                    .ok_or_else(|| format!("Internal error: no package for kept lead {i}."))?;
                let mut lead = row.lead;
                new_lead(&mut lead, package, owner);
                Ok(KeptRecord::Lead(lead))
            }
            (
                Parsed::License(row),
                Fill::License {
                    version, lead_name, ..
                },
            ) => {
                let (package, version) = self
                    .versions
                    .get(*version as usize)
                    .cloned()
                    .ok_or_else(|| format!("Internal error: no version for kept license {i}."))?;
                Ok(KeptRecord::License(resolved_license(
                    *row,
                    package,
                    version,
                    lead_name.to_string(),
                )))
            }
            _ => mismatch(),
        }
    }

    /// Every kept record, built (tests and small imports).
    pub fn records(&self) -> impl Iterator<Item = Result<KeptRecord, String>> + '_ {
        (0..self.rows.len()).map(|i| self.record(i))
    }

    /// What each kept row is, by index: for the batch.
    pub fn kinds(&self) -> impl Iterator<Item = (usize, KeptKind)> + '_ {
        self.rows.iter().enumerate().map(|(i, r)| {
            let kind = match r.fill {
                Fill::Account => KeptKind::Account,
                Fill::Contact => KeptKind::Contact,
                Fill::Lead(_) => KeptKind::Lead,
                Fill::License { .. } => KeptKind::License,
            };
            (i, kind)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeptKind {
    Account,
    Contact,
    Lead,
    License,
}

/// A kept row's record.
#[derive(Debug, Clone, PartialEq)]
pub enum KeptRecord {
    Account(Account),
    Contact(Contact),
    Lead(Lead),
    License(License),
}

/// The kept rows of a finished plan, shared with the batch that writes them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeptRecords(pub Arc<Kept>);

impl KeptRecords {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
