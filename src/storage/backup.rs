//! Backups: every record of every store in one JSON document, and the way
//! back from it.
//!
//! * [`make_backup`] reads every store as stored ([`Repository::read_raw`],
//!   one read transaction, streamed store by store), so a record this build
//!   can't decode is kept raw and marked `damaged` instead of being dropped
//!   or failing the backup. Each record is decoded once, to know whether it
//!   is readable; its stored JSON is written as it is.
//! * [`read_backup`] checks a whole file before anything is written: it must
//!   be complete JSON, a License Desk backup, of a schema this build knows
//!   (older ones are upgraded); every record goes through the domain, with the
//!   same decoding reading uses. The result is a [`RestorePlan`] to show the
//!   user.
//! * [`restore`] then replaces the desk's data in one atomic commit: every
//!   store emptied and refilled, each record at its backed-up revision. If it
//!   fails, the desk is exactly as before. Settings live in localStorage, not
//!   in the database: the caller saves [`RestorePlan::settings`] afterwards.
//! * Team sync's state (revision paths, outbox, refusals, checkpoints) is
//!   never in a backup: a restore is a new desk state, so the commit that
//!   restores empties it (see `outbox.rs`) and the next sync starts from
//!   the beginning of the server's feed. Whether sync is set up is kept.
//!
//! The document:
//!
//! ```json
//! { "app_version": "0.1.0", "created_at": "2026-12-01T09:30:00",
//!   "format": "license-desk-backup", "format_version": 1, "schema_version": 2,
//!   "settings": { ... },
//!   "stores": { "packages": [ { "key": "033...", "rev": 3, "data": { ... } }, ... ],
//!               "licenses": [ { "key": "a0B...", "rev": 1, "damaged": "why", "data": { ... } } ] } }
//! ```
//!
//! The header fields come before `stores` (also in key order, as `jq -S`
//! writes them), so a file is refused before its records are read. A stored
//! value that is not a `{ id, rev, data }` envelope is written whole as
//! `"stored"` instead of `"data"`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::io::BufRead;

use chrono::NaiveDateTime;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use thiserror::Error;

use super::batch::{Committed, WriteBatch};
use super::codec::record_from_json;
use super::damaged::raw_damage;
use super::error::{StorageError, StorageResult};
use super::record::{Record, StoreName, Stored};
use super::repo::{RawRecord, Repository};
use super::schema::SCHEMA_VERSION;
use super::settings::Settings;
use crate::domain::{
    Account, AlertRule, Contact, HistoryEntry, InstallEvent, Lead, License, NotificationRecord,
    Package, PackageVersion, Sequences, User,
};

/// The `format` field of every backup.
pub const BACKUP_FORMAT: &str = "license-desk-backup";
/// The layout of the document (not of the records: that is the schema version).
pub const BACKUP_FORMAT_VERSION: u32 = 1;
/// The version of License Desk writing backups.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");
/// How many refused records a refusal lists (it counts them all).
pub const MAX_PROBLEMS: usize = 20;

/// Text parts of the document are cut at about this size, so a large desk
/// never needs one huge contiguous string (a `Blob` takes the parts as they are).
const PART_BYTES: usize = 4 << 20;

/// Why a backup can't be read or restored. Each message says what is wrong,
/// what to do, and that nothing was restored.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BackupError {
    #[error(
        "This file is not a License Desk backup ({0}). Choose a file made by \"Download \
         backup\". Nothing was restored."
    )]
    NotABackup(String),

    #[error(
        "This backup file is incomplete: it ends at line {line}, column {column}, before the \
         backup does (an interrupted download or copy?). Nothing was restored; use a complete \
         copy of the backup."
    )]
    Truncated { line: usize, column: usize },

    #[error(
        "This backup file is damaged at line {line}, column {column} ({detail}). Nothing was \
         restored; use an undamaged copy of the backup."
    )]
    Damaged {
        line: usize,
        column: usize,
        detail: String,
    },

    #[error(
        "This backup was made by a newer version of License Desk ({what} {found}; this version \
         reads up to {supported}). Reload License Desk to get the latest version, then restore \
         the backup again. Nothing was restored."
    )]
    Newer {
        what: &'static str,
        found: u32,
        supported: u32,
    },

    #[error(
        "This backup holds {total} record(s) License Desk can't accept, the first: {}. \
         Nothing was restored.", first_problem(.problems)
    )]
    Refused {
        /// The first [`MAX_PROBLEMS`] of them, in file order.
        problems: Vec<RecordProblem>,
        total: usize,
    },

    #[error("{0}")]
    Storage(#[from] StorageError),
}

fn first_problem(problems: &[RecordProblem]) -> String {
    problems
        .first()
        .map_or_else(|| "(none listed)".to_string(), ToString::to_string)
}

/// A record of a backup that can't be restored, or of a desk that can't be
/// read: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub store: StoreName,
    pub key: String,
    pub reason: String,
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (store {}): {}",
            self.store.label(),
            self.key,
            self.store,
            self.reason
        )
    }
}

/// How many records of one store a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreCount {
    pub store: StoreName,
    /// Records the domain reads (in a restore: the records it writes).
    pub records: usize,
    /// Damaged records: kept raw in a backup, left out of a restore.
    pub damaged: usize,
}

// ---------------------------------------------------------------------------
// Writing a backup
// ---------------------------------------------------------------------------

/// A backup document, in text parts (their concatenation is the JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    parts: Vec<String>,
    /// Per store, in [`StoreName::ALL`] order.
    pub stores: Vec<StoreCount>,
    /// The records kept raw because this build can't read them.
    pub damaged: Vec<RecordProblem>,
    pub created_at: NaiveDateTime,
}

impl Backup {
    /// The document's text, in parts to write one after the other.
    pub fn parts(&self) -> &[String] {
        &self.parts
    }

    pub fn into_parts(self) -> Vec<String> {
        self.parts
    }

    /// The whole document as one string.
    pub fn to_text(&self) -> String {
        self.parts.concat()
    }

    /// The document's size in bytes (UTF-8).
    pub fn len(&self) -> usize {
        self.parts.iter().map(String::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every record in it, damaged ones included.
    pub fn record_count(&self) -> usize {
        self.stores.iter().map(|c| c.records + c.damaged).sum()
    }

    /// A file name for the download, dated by the backup.
    pub fn file_name(&self) -> String {
        format!(
            "license-desk-backup-{}.json",
            self.created_at.format("%Y-%m-%d-%H%M")
        )
    }
}

/// Text that grows in parts of about [`PART_BYTES`].
struct Parts {
    done: Vec<String>,
    current: String,
}

impl Parts {
    fn new() -> Parts {
        Parts {
            done: Vec::new(),
            current: String::with_capacity(PART_BYTES + (64 << 10)),
        }
    }

    fn push(&mut self, text: &str) {
        self.current.push_str(text);
    }

    /// Ends the current part if it is big enough (only between records, so
    /// parts stay readable on their own when debugging).
    fn cut(&mut self) {
        if self.current.len() >= PART_BYTES {
            let full = std::mem::replace(
                &mut self.current,
                String::with_capacity(PART_BYTES + (64 << 10)),
            );
            self.done.push(full);
        }
    }

    fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

fn json_string(text: &str) -> String {
    // Serializing a string can't fail; the fallback keeps the document valid anyway.
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// Writes a backup of everything `repo` holds, with `settings`, made at
/// `created_at` (the caller's clock). Records this build can't read are
/// kept raw and listed in [`Backup::damaged`].
pub async fn make_backup<R: Repository>(
    repo: &R,
    settings: &Settings,
    created_at: NaiveDateTime,
) -> Result<Backup, BackupError> {
    let mut out = Parts::new();
    let settings_json = serde_json::to_string(settings).map_err(|e| {
        StorageError::Other(format!(
            "The settings could not be written into the backup: {e}"
        ))
    })?;
    out.push(&format!(
        "{{\"app_version\":{},\"created_at\":{},\"format\":{},\"format_version\":{},\
         \"schema_version\":{},\"settings\":{},\"stores\":{{",
        json_string(APP_VERSION),
        json_string(&created_at.format("%Y-%m-%dT%H:%M:%S").to_string()),
        json_string(BACKUP_FORMAT),
        BACKUP_FORMAT_VERSION,
        SCHEMA_VERSION,
        settings_json,
    ));

    let mut stores: Vec<StoreCount> = Vec::with_capacity(StoreName::ALL.len());
    let mut damaged = Vec::new();
    let mut visit = |store: StoreName, raw: RawRecord| -> StorageResult<()> {
        // A store opens with the first record read from it; empty ones after.
        let first = stores.last().is_none_or(|c| c.store != store);
        if first {
            if !stores.is_empty() {
                out.push("],");
            }
            out.push(&json_string(store.as_str()));
            out.push(":[");
            stores.push(StoreCount {
                store,
                records: 0,
                damaged: 0,
            });
        } else {
            out.push(",");
        }
        out.push("{\"key\":");
        out.push(&json_string(&raw.key));
        out.push(",\"rev\":");
        out.push(
            &raw.rev
                .map_or_else(|| "null".to_string(), |r| r.to_string()),
        );
        let problem = raw_damage(store, &raw);
        if let Some(reason) = &problem {
            out.push(",\"damaged\":");
            out.push(&json_string(reason));
        }
        out.push(if raw.enveloped {
            ",\"data\":"
        } else {
            ",\"stored\":"
        });
        out.push(&raw.json);
        out.push("}");
        out.cut();
        if let Some(count) = stores.last_mut() {
            match problem {
                Some(reason) => {
                    count.damaged += 1;
                    damaged.push(RecordProblem {
                        store,
                        key: raw.key,
                        reason,
                    });
                }
                None => count.records += 1,
            }
        }
        Ok(())
    };
    repo.read_raw(&StoreName::ALL, &mut visit).await?;
    if !stores.is_empty() {
        out.push("]");
    }
    for store in StoreName::ALL {
        if !stores.iter().any(|c| c.store == store) {
            out.push(if stores.is_empty() { "" } else { "," });
            out.push(&json_string(store.as_str()));
            out.push(":[]");
            stores.push(StoreCount {
                store,
                records: 0,
                damaged: 0,
            });
        }
    }
    out.push("}}");
    crate::sort::sort_by_key(&mut stores, |c| {
        StoreName::ALL.iter().position(|s| *s == c.store)
    });
    Ok(Backup {
        parts: out.finish(),
        stores,
        damaged,
        created_at,
    })
}

// ---------------------------------------------------------------------------
// Reading a backup
// ---------------------------------------------------------------------------

/// A checked backup, ready to replace the desk's data.
#[derive(Debug)]
pub struct RestorePlan {
    pub app_version: String,
    pub created_at: Option<String>,
    /// The schema the backup was written in; older ones were upgraded.
    pub schema_version: u32,
    /// The settings to save (in localStorage) once the restore is committed.
    pub settings: Settings,
    /// Per store, in the backup's order; stores it doesn't list are emptied.
    pub stores: Vec<StoreCount>,
    /// Records the backup marked damaged and the domain still refuses: left
    /// out of the restore (the UI must say so before the user confirms).
    pub skipped: Vec<RecordProblem>,
    batch: WriteBatch,
}

impl RestorePlan {
    /// The records the restore writes.
    pub fn record_count(&self) -> usize {
        self.stores.iter().map(|c| c.records).sum()
    }

    /// Whether the backup was written in an older schema and upgraded.
    pub fn upgraded(&self) -> bool {
        self.schema_version < SCHEMA_VERSION
    }

    /// Test hook: the restore's write number `n` fails (see
    /// [`WriteBatch::fail_at_write`]).
    #[doc(hidden)]
    pub fn fail_at_write(&mut self, n: usize) {
        self.batch.fail_at_write(n);
    }
}

/// One record as the backup holds it; `data` stays JSON text until it is
/// decoded into the domain type, at once.
#[derive(Deserialize)]
struct Entry {
    key: String,
    rev: Option<u64>,
    #[serde(default)]
    damaged: Option<String>,
    /// Kept as its JSON text and decoded with the reads' decoder
    /// ([`record_from_json`]).
    #[serde(default)]
    data: Option<Box<RawValue>>,
    #[serde(default)]
    stored: Option<IgnoredAny>,
}

/// What the parse has learnt so far; it lives outside the serde visitors so
/// a refusal keeps its own typed error rather than a serde message.
struct Reader {
    format: Option<String>,
    format_version: Option<u32>,
    schema_version: Option<u32>,
    app_version: Option<String>,
    created_at: Option<String>,
    settings: Option<Settings>,
    seen_stores: bool,
    entered: bool,
    /// A refusal found inside the parse (the parse is stopped with it).
    refusal: Option<BackupError>,
    stores: Vec<StoreCount>,
    skipped: Vec<RecordProblem>,
    problems: Vec<RecordProblem>,
    total_problems: usize,
    batch: WriteBatch,
}

impl Reader {
    fn new() -> Reader {
        Reader {
            format: None,
            format_version: None,
            schema_version: None,
            app_version: None,
            created_at: None,
            settings: None,
            seen_stores: false,
            entered: false,
            refusal: None,
            stores: Vec::new(),
            skipped: Vec::new(),
            problems: Vec::new(),
            total_problems: 0,
            batch: WriteBatch::new(),
        }
    }

    /// The header's verdict: the schema version to upgrade from, or a refusal.
    fn check_header(&self) -> Result<u32, BackupError> {
        match self.format.as_deref() {
            Some(BACKUP_FORMAT) => {}
            Some(other) => {
                return Err(BackupError::NotABackup(format!(
                    "its \"format\" is {}, not \"{BACKUP_FORMAT}\"",
                    json_string(other)
                )))
            }
            None => {
                return Err(BackupError::NotABackup(format!(
                    "it has no \"format\": \"{BACKUP_FORMAT}\" before its records"
                )))
            }
        }
        match self.format_version {
            Some(v) if v > BACKUP_FORMAT_VERSION => {
                return Err(BackupError::Newer {
                    what: "backup format",
                    found: v,
                    supported: BACKUP_FORMAT_VERSION,
                })
            }
            Some(0) | None => {
                return Err(BackupError::NotABackup(
                    "it has no valid \"format_version\" before its records".into(),
                ))
            }
            Some(_) => {}
        }
        match self.schema_version {
            Some(v) if v > SCHEMA_VERSION => Err(BackupError::Newer {
                what: "data schema",
                found: v,
                supported: SCHEMA_VERSION,
            }),
            Some(0) | None => Err(BackupError::NotABackup(
                "it has no valid \"schema_version\" before its records".into(),
            )),
            Some(v) => Ok(v),
        }
    }

    fn problem(&mut self, store: StoreName, key: &str, reason: String) {
        self.total_problems += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(RecordProblem {
                store,
                key: key.to_string(),
                reason,
            });
        }
    }

    /// Checks one record through the domain and queues it for the restore.
    fn accept<T: Record>(&mut self, from_schema: u32, entry: Entry, keys: &mut HashSet<String>) {
        let store = T::STORE;
        let Entry {
            key,
            rev,
            damaged,
            data,
            stored,
        } = entry;
        let decoded = decode_entry::<T>(from_schema, &key, rev, data, stored);
        let duplicate = !keys.insert(key.clone());
        let (records, skipped) = match (decoded, duplicate) {
            (_, true) => {
                self.problem(store, &key, "the backup holds this key twice".into());
                (0, 0)
            }
            (Ok(stored), false) => {
                self.batch.restore(stored);
                (1, 0)
            }
            (Err(reason), false) if damaged.is_some() => {
                self.skipped.push(RecordProblem { store, key, reason });
                (0, 1)
            }
            (Err(reason), false) => {
                self.problem(store, &key, reason);
                (0, 0)
            }
        };
        if let Some(count) = self.stores.last_mut() {
            count.records += records;
            count.damaged += skipped;
        }
    }
}

/// The domain's record for one backup entry, or why it is refused.
fn decode_entry<T: Record>(
    from_schema: u32,
    key: &str,
    rev: Option<u64>,
    data: Option<Box<RawValue>>,
    stored: Option<IgnoredAny>,
) -> Result<Stored<T>, String> {
    let Some(data) = data else {
        return Err(if stored.is_some() {
            "it was not a License Desk record when it was backed up".to_string()
        } else {
            "it has no \"data\"".to_string()
        });
    };
    let rev = match rev {
        Some(rev) if rev >= 1 => rev,
        _ => return Err("it has no revision (1 or more)".to_string()),
    };
    let data = upgrade_data(from_schema, T::STORE, data.get())?;
    let record = record_from_json::<T>(&data)?;
    let inside = record.key();
    if inside != key {
        return Err(format!(
            "it is listed under key {key} but holds record {inside}"
        ));
    }
    Ok(Stored { rev, record })
}

/// Brings one record's data from schema `from` to [`SCHEMA_VERSION`], step by
/// step like the database upgrade (`schema.rs`). Never edit a step that shipped.
/// A step that changes the data parses the text, changes it and returns the new text.
fn upgrade_data(from: u32, store: StoreName, data: &str) -> Result<Cow<'_, str>, String> {
    let _ = store;
    for version in (from + 1)..=SCHEMA_VERSION {
        match version {
            // v2 added indexes, kept beside `data` (never in a backup) and
            // computed from the record when it is written: nothing to change.
            2 => {}
            // v3 added the notifications store (an older backup has none:
            // it is restored empty) and alert rules' `kind`, which reads
            // as Expiration when absent: nothing to change.
            3 => {}
            // v4 added the paged indexes, beside `data` like v2's: nothing to change.
            4 => {}
            // v5 added the sync stores, never in a backup: nothing to change.
            5 => {}
            // v6 added the list snapshot, derived, never in a backup: nothing to change.
            6 => {}
            // v7 added the sync pages, never in a backup: nothing to change.
            7 => {}
            // v8 deleted indexes, never in a backup: nothing to change.
            8 => {}
            v => return Err(format!("no upgrade step to data schema {v}")),
        }
    }
    Ok(Cow::Borrowed(data))
}

/// Stops the parse; the reason is in [`Reader::refusal`].
fn stop<E: de::Error>(reader: &mut Reader, refusal: BackupError) -> E {
    reader.refusal = Some(refusal);
    E::custom("refused")
}

struct Top<'r>(&'r mut Reader);

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a License Desk backup (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reader = self.0;
        reader.entered = true;
        while let Some(field) = map.next_key::<String>()? {
            match field.as_str() {
                "format" => reader.format = Some(map.next_value()?),
                "format_version" => reader.format_version = Some(map.next_value()?),
                "schema_version" => reader.schema_version = Some(map.next_value()?),
                "app_version" => reader.app_version = Some(map.next_value()?),
                "created_at" => reader.created_at = map.next_value()?,
                "settings" => reader.settings = Some(map.next_value()?),
                "stores" => {
                    if reader.seen_stores {
                        return Err(de::Error::custom("\"stores\" appears twice"));
                    }
                    let from_schema = match reader.check_header() {
                        Ok(v) => v,
                        Err(refusal) => return Err(stop(reader, refusal)),
                    };
                    reader.seen_stores = true;
                    map.next_value_seed(Stores {
                        reader: &mut *reader,
                        from_schema,
                    })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Stores<'r> {
    reader: &'r mut Reader,
    from_schema: u32,
}

impl<'de> DeserializeSeed<'de> for Stores<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Stores<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the stores: an object of store names and their records")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let reader = self.reader;
        while let Some(name) = map.next_key::<String>()? {
            let Some(store) = StoreName::parse(&name) else {
                let refusal = BackupError::NotABackup(format!(
                    "it holds a store \"{name}\" this version of License Desk doesn't know; \
                     if a newer version made it, reload License Desk to get that version"
                ));
                return Err(stop(reader, refusal));
            };
            if reader.stores.iter().any(|c| c.store == store) {
                return Err(de::Error::custom(format!("store \"{name}\" appears twice")));
            }
            reader.stores.push(StoreCount {
                store,
                records: 0,
                damaged: 0,
            });
            map.next_value_seed(Records {
                reader: &mut *reader,
                store,
                from_schema: self.from_schema,
            })?;
        }
        Ok(())
    }
}

struct Records<'r> {
    reader: &'r mut Reader,
    store: StoreName,
    from_schema: u32,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the records of store {}: an array", self.store)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Records {
            reader,
            store,
            from_schema,
        } = self;
        let mut keys = HashSet::new();
        while let Some(entry) = seq.next_element::<Entry>()? {
            match store {
                StoreName::Packages => reader.accept::<Package>(from_schema, entry, &mut keys),
                StoreName::PackageVersions => {
                    reader.accept::<PackageVersion>(from_schema, entry, &mut keys)
                }
                StoreName::Licenses => reader.accept::<License>(from_schema, entry, &mut keys),
                StoreName::LicenseHistory => {
                    reader.accept::<HistoryEntry>(from_schema, entry, &mut keys)
                }
                StoreName::Leads => reader.accept::<Lead>(from_schema, entry, &mut keys),
                StoreName::Accounts => reader.accept::<Account>(from_schema, entry, &mut keys),
                StoreName::Contacts => reader.accept::<Contact>(from_schema, entry, &mut keys),
                StoreName::Users => reader.accept::<User>(from_schema, entry, &mut keys),
                StoreName::InstallEvents => {
                    reader.accept::<InstallEvent>(from_schema, entry, &mut keys)
                }
                StoreName::AlertRules => reader.accept::<AlertRule>(from_schema, entry, &mut keys),
                StoreName::Counters => reader.accept::<Sequences>(from_schema, entry, &mut keys),
                StoreName::Notifications => {
                    reader.accept::<NotificationRecord>(from_schema, entry, &mut keys)
                }
                // Never in a backup (`StoreName::parse` refuses their names):
                // a restore is a new desk state, and sync starts clean.
                StoreName::SyncDocs
                | StoreName::SyncOutbox
                | StoreName::SyncRefused
                | StoreName::SyncCheckpoints
                | StoreName::SyncState
                | StoreName::SyncPages => {}
            }
        }
        Ok(())
    }
}

/// Reads and checks a whole backup file (see the module docs). Nothing is
/// written: the plan is what [`restore`] will write, to show first.
pub fn read_backup(text: &str) -> Result<RestorePlan, BackupError> {
    if text.trim().is_empty() {
        return Err(BackupError::NotABackup("the file is empty".into()));
    }
    read_with(serde_json::Deserializer::from_str(text))
}

/// As [`read_backup`], streaming: the file is read from `bytes` as the parse
/// goes, so a 300 MB backup is never one string in memory (the app's wasm
/// memory never shrinks once grown).
pub fn read_backup_from<R: BufRead>(mut bytes: R) -> Result<RestorePlan, BackupError> {
    let unreadable = |e: std::io::Error| BackupError::NotABackup(format!("it can't be read: {e}"));
    // Leading white space, and telling an empty file from a truncated one.
    loop {
        let buffer = bytes.fill_buf().map_err(unreadable)?;
        if buffer.is_empty() {
            return Err(BackupError::NotABackup("the file is empty".into()));
        }
        let blank = buffer
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let more = blank == buffer.len();
        bytes.consume(blank);
        if !more {
            break;
        }
    }
    read_with(serde_json::Deserializer::from_reader(bytes))
}

fn read_with<'de, R: serde_json::de::Read<'de>>(
    mut deserializer: serde_json::Deserializer<R>,
) -> Result<RestorePlan, BackupError> {
    let mut reader = Reader::new();
    let parsed = Top(&mut reader)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    if let Err(e) = parsed {
        if let Some(refusal) = reader.refusal.take() {
            return Err(refusal);
        }
        return Err(match e.classify() {
            serde_json::error::Category::Eof => BackupError::Truncated {
                line: e.line(),
                column: e.column(),
            },
            serde_json::error::Category::Data if !reader.entered => {
                BackupError::NotABackup("it is JSON, but not an object".into())
            }
            _ if !reader.entered => BackupError::NotABackup(format!("it is not JSON: {e}")),
            _ => BackupError::Damaged {
                line: e.line(),
                column: e.column(),
                detail: e.to_string(),
            },
        });
    }
    if !reader.seen_stores {
        // A header without records: say what is wrong with the header first.
        reader.check_header()?;
        return Err(BackupError::NotABackup("it has no \"stores\"".into()));
    }
    if reader.total_problems > 0 {
        return Err(BackupError::Refused {
            problems: reader.problems,
            total: reader.total_problems,
        });
    }
    let schema_version = reader.check_header()?;
    let Reader {
        app_version,
        created_at,
        settings,
        mut stores,
        skipped,
        mut batch,
        ..
    } = reader;
    // A store the backup doesn't list is emptied too: the desk becomes the backup.
    for store in StoreName::ALL {
        batch.clear_store(store);
        if !stores.iter().any(|c| c.store == store) {
            stores.push(StoreCount {
                store,
                records: 0,
                damaged: 0,
            });
        }
    }
    Ok(RestorePlan {
        app_version: app_version.unwrap_or_default(),
        created_at,
        schema_version,
        settings: settings.unwrap_or_default(),
        stores,
        skipped,
        batch,
    })
}

/// Replaces every record of the desk with the plan's, in one atomic commit
/// (every store emptied and refilled, each record at its backed-up
/// revision). Subscribers hear of every store; on failure nothing changed.
pub async fn restore<R: Repository>(repo: &R, plan: RestorePlan) -> Result<Committed, BackupError> {
    Ok(repo.commit(plan.batch).await?)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use futures::executor::block_on;
    use proptest::prelude::*;

    use super::*;
    use crate::storage::contract::samples;
    use crate::storage::MemoryRepository;
    use serde_json::Value;

    fn world_backup() -> String {
        static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        TEXT.get_or_init(make_world_backup).clone()
    }

    fn make_world_backup() -> String {
        let repo = MemoryRepository::new();
        let w = match samples::world() {
            Ok(w) => w,
            Err(e) => panic!("samples: {e}"),
        };
        let mut batch = WriteBatch::new();
        batch
            .create(w.catalog.package.clone())
            .create(w.license.clone())
            .create(w.sequences.clone());
        for user in w.catalog.users.clone() {
            batch.create(user);
        }
        if let Err(e) = block_on(repo.commit(batch)) {
            panic!("save: {e}");
        }
        let now = match samples::at(2026, 12, 1, 9) {
            Ok(now) => now,
            Err(e) => panic!("{e}"),
        };
        match block_on(make_backup(&repo, &Settings::default(), now)) {
            Ok(b) => b.to_text(),
            Err(e) => panic!("backup: {e}"),
        }
    }

    #[test]
    fn an_empty_desk_backs_up_every_store_empty() {
        let repo = MemoryRepository::new();
        let now = chrono::NaiveDateTime::default();
        let backup = match block_on(make_backup(&repo, &Settings::default(), now)) {
            Ok(b) => b,
            Err(e) => panic!("backup: {e}"),
        };
        assert_eq!(backup.record_count(), 0);
        let plan = match read_backup(&backup.to_text()) {
            Ok(plan) => plan,
            Err(e) => panic!("read: {e}"),
        };
        assert_eq!(plan.record_count(), 0);
        assert_eq!(plan.stores.len(), StoreName::ALL.len());
        assert_eq!(
            backup.file_name(),
            "license-desk-backup-1970-01-01-0000.json"
        );
    }

    #[test]
    fn every_cut_of_a_backup_is_refused_as_incomplete() {
        let text = world_backup();
        let cuts = (1..text.len()).step_by(7).chain([text.len() - 1]);
        for cut in cuts.filter(|c| text.is_char_boundary(*c)) {
            match read_backup(&text[..cut]) {
                Err(BackupError::Truncated { .. }) | Err(BackupError::NotABackup(_)) => {}
                other => panic!("cut at {cut}: {other:?}"),
            }
        }
    }

    /// Reads `text` as the Restore page does: streamed, in small slices.
    fn read_streamed(text: &str) -> Result<RestorePlan, BackupError> {
        read_backup_from(std::io::BufReader::with_capacity(61, text.as_bytes()))
    }

    #[test]
    fn a_streamed_read_gives_what_a_whole_text_read_gives() {
        let text = world_backup();
        let (whole, streamed) = match (read_backup(&text), read_streamed(&text)) {
            (Ok(a), Ok(b)) => (a, b),
            other => panic!("{other:?}"),
        };
        assert!(whole.record_count() > 0);
        assert_eq!(whole.stores, streamed.stores);
        assert_eq!(whole.skipped, streamed.skipped);
        assert_eq!(whole.app_version, streamed.app_version);
        assert_eq!(
            format!("{:?}", whole.batch),
            format!("{:?}", streamed.batch)
        );
        for bad in [
            String::new(),
            " \n\n ".to_string(),
            text[..text.len() / 2].to_string(),
            text.replacen("\"packages\":", "\"gadgets\":", 1),
            format!("{text} {{}}"),
            "\u{89}PNG\r\n".to_string(),
        ] {
            assert_eq!(
                read_streamed(&bad).map(|p| p.record_count()),
                read_backup(&bad).map(|p| p.record_count()),
                "{:?}",
                bad.get(..40)
            );
        }
    }

    #[test]
    fn header_refusals_say_why() {
        let text = world_backup();
        let other_format = text.replacen(BACKUP_FORMAT, "something-else", 1);
        assert!(
            matches!(read_backup(&other_format), Err(BackupError::NotABackup(m)) if m.contains("something-else"))
        );
        let newer_format = text.replacen("\"format_version\":1", "\"format_version\":9", 1);
        assert!(matches!(
            read_backup(&newer_format),
            Err(BackupError::Newer {
                what: "backup format",
                found: 9,
                ..
            })
        ));
        let unknown_store = text.replacen("\"packages\":", "\"gadgets\":", 1);
        assert!(
            matches!(read_backup(&unknown_store), Err(BackupError::NotABackup(m)) if m.contains("gadgets"))
        );
        let header_only =
            "{\"format\":\"license-desk-backup\",\"format_version\":1,\"schema_version\":2}";
        assert!(
            matches!(read_backup(header_only), Err(BackupError::NotABackup(m)) if m.contains("no \"stores\""))
        );
        let extra = format!("{text} {{}}");
        assert!(matches!(
            read_backup(&extra),
            Err(BackupError::Damaged { .. })
        ));
        assert!(
            matches!(read_backup(" \n"), Err(BackupError::NotABackup(m)) if m.contains("empty"))
        );
        assert!(matches!(
            read_backup("\u{89}PNG\r\n"),
            Err(BackupError::NotABackup(_))
        ));
    }

    #[test]
    fn a_record_twice_or_without_revision_is_refused() {
        let text = world_backup();
        let mut doc: Value = match serde_json::from_str(&text) {
            Ok(doc) => doc,
            Err(e) => panic!("{e}"),
        };
        let Some(users) = doc
            .pointer_mut("/stores/users")
            .and_then(Value::as_array_mut)
        else {
            panic!("no users");
        };
        let first = users[0].clone();
        users.push(first);
        users[1]["rev"] = Value::Null;
        let key = users[1]["key"].as_str().unwrap_or_default().to_string();
        match read_backup(&doc.to_string()) {
            Err(BackupError::Refused { problems, total }) => {
                assert_eq!(total, 2);
                assert!(problems[0].key == key && problems[0].reason.contains("revision"));
                assert!(problems[1].reason.contains("twice"));
            }
            other => panic!("{other:?}"),
        }
    }

    proptest! {
        #[test]
        fn no_input_panics_the_reader(text in ".{0,400}") {
            let _ = read_backup(&text);
        }

        #[test]
        fn no_edit_of_a_backup_panics_the_reader(at in 0usize..2000, insert in ".{0,8}") {
            let text = world_backup();
            let at = at % text.len();
            if text.is_char_boundary(at) {
                let mut edited = text.clone();
                edited.insert_str(at, &insert);
                let _ = read_backup(&edited);
            }
        }
    }

    /// Not a test: how long the 100k demo (about 540,000 records) takes to
    /// back up and restore on the in-memory repository. Run with
    /// `cargo test --release --lib backup::tests::measure -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn measure_100k_demo() {
        use crate::demo::{build_demo_data, save_demo_data, DemoSize};
        use std::time::Instant;

        let now = match samples::at(2026, 12, 1, 9) {
            Ok(now) => now,
            Err(e) => panic!("{e}"),
        };
        let repo = MemoryRepository::new();
        let data = build_demo_data(now.date(), now, DemoSize::Large100k);
        if let Err(e) = block_on(save_demo_data(&repo, data)) {
            panic!("demo: {e}");
        }
        let t = Instant::now();
        let backup = match block_on(make_backup(&repo, &Settings::default(), now)) {
            Ok(b) => b,
            Err(e) => panic!("backup: {e}"),
        };
        let made = t.elapsed();
        let text = backup.to_text();
        let t = Instant::now();
        let plan = match read_backup(&text) {
            Ok(plan) => plan,
            Err(e) => panic!("read: {e}"),
        };
        let read = t.elapsed();
        let t = Instant::now();
        if let Err(e) = block_on(restore(&repo, plan)) {
            panic!("restore: {e}");
        }
        let restored = t.elapsed();
        println!(
            "100k demo: {} records, {} bytes in {} parts; backup {:?}, read+validate {:?}, commit {:?}",
            backup.record_count(),
            backup.len(),
            backup.parts().len(),
            made,
            read,
            restored
        );
    }
}
