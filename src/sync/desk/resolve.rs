//! Sync conflicts as the user sees them (the two versions side by side,
//! field by field), and their resolution.

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::typed::{self, Loaded};
use super::{deletion_body, target_of, with_meta, DeskSync};
use crate::domain::{
    ChangedBy, HistoryEntry, HistoryField, HistoryOrigin, KeyPrefix, License, SfId,
};
use crate::storage::{
    commit_with_counters, ConflictVersion, Expect, OutboxEntry, Query, Repository, StorageError,
    StoreName, SyncDoc, WriteBatch, SYNC_CONFLICTED,
};
use crate::sync::document::{self, SyncRecord, TYPE_FIELD};
use crate::sync::local::SyncError;
use crate::sync::rev::RevPath;

/// A record changed on two desks: the version this desk shows (the winner,
/// the same on every desk) and the other one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub doc_id: String,
    /// "License L-00042", "Package Acme CPQ", ...
    pub title: String,
    /// Every field whose values differ.
    pub fields: Vec<FieldVersions>,
    /// The revisions of the two versions.
    pub winner_rev: String,
    pub other_rev: String,
    /// How many other versions there are (more than one when three desks
    /// changed the record; resolving handles them all).
    pub others: usize,
}

/// One field of a conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldVersions {
    /// The API name (`sfLma__Seats__c`).
    pub field: String,
    /// What the LMA calls it ("Licensed Seats").
    pub label: String,
    /// The value of the version this desk shows (the winner).
    pub ours: String,
    /// The value of the other version.
    pub theirs: String,
}

/// What the user chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    KeepWinner,
    KeepOther,
    /// Field by field (API names); fields not listed keep the winner's value.
    Merge(Vec<(String, Side)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Winner,
    Other,
}

/// What the LMA calls a field of a synced document, by API name.
pub fn field_label(field: &str) -> String {
    let known = match field {
        "Name" => "License Name",
        "sfLma__Status__c" => "License Status",
        "sfLma__Seats__c" => "Licensed Seats",
        "sfLma__Used_Licenses__c" => "Used Licenses",
        "sfLma__Expiration__c" => "Expiration Date",
        "sfLma__Install_Date__c" => "Install Date",
        "sfLma__Licensed_Information_Current_As_Of__c" => "Licensed Information Current As Of",
        "sfLma__Instance__c" => "Instance",
        "sfLma__Org_Edition__c" => "Org Edition",
        "sfLma__Org_Status__c" => "Org Status",
        "sfLma__Org_Expiration_Date__c" => "Org Expiration Date",
        "sfLma__Is_Sandbox__c" => "Sandbox",
        "sfLma__Subscriber_Org_ID__c" => "Subscriber Org ID",
        "sfLma__Package__c" => "Package",
        "sfLma__Package_Version__c" => "Package Version",
        "sfLma__Version_Number__c" => "Package Version Number",
        "sfLma__Lead__c" => "Lead",
        "sfLma__Account__c" => "Account",
        "sfLma__Contact__c" => "Contact",
        "sfLma__License_Type__c" => "License Type",
        "Created" => "Created By",
        "LastModified" => "Last Modified By",
        "Id" => "ID",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    // Other fields keep their own names: `lead_name` reads "Lead Name".
    field
        .trim_start_matches("sfLma__")
        .trim_end_matches("__c")
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().collect::<String>() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A field's value as text: text as it is, a blank for none, Created By
/// and Last Modified By as "who, when", JSON otherwise.
fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(stamp)) if stamp.contains_key("by") && stamp.contains_key("at") => {
            let by = match stamp.get("by") {
                Some(Value::Object(user)) => shown(user.get("User")),
                Some(Value::String(s)) if s == "LicenseManagementApp" => {
                    crate::domain::LICENSE_MANAGEMENT_APP.to_string()
                }
                other => shown(other),
            };
            format!("{by}, {}", shown(stamp.get("at")).replace('T', " "))
        }
        Some(other) => other.to_string(),
    }
}

fn fields_of(body: &Value) -> Map<String, Value> {
    match body {
        Value::Object(fields) => fields.clone(),
        _ => Map::new(),
    }
}

/// The fields whose values differ between two bodies, in API-name order.
fn differing(ours: &Value, theirs: &Value) -> Vec<FieldVersions> {
    let (ours, theirs) = (fields_of(ours), fields_of(theirs));
    let mut names: Vec<&String> = ours.keys().chain(theirs.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| name.as_str() != TYPE_FIELD && ours.get(*name) != theirs.get(*name))
        .map(|name| FieldVersions {
            field: name.clone(),
            label: field_label(name),
            ours: shown(ours.get(name)),
            theirs: shown(theirs.get(name)),
        })
        .collect()
}

/// The title of a record in the conflicts list.
fn title_of(record: &SyncRecord, body: &Value) -> String {
    let store = record.store();
    match record {
        SyncRecord::License(l) => format!("{} {}", store.label(), l.name),
        _ => {
            let name = ["Name", "name"]
                .iter()
                .find_map(|f| body.get(*f).and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| record.key());
            format!("{} {name}", store.label())
        }
    }
}

/// The conflicting version shown as "the other": the best by CouchDB's
/// order among the losers.
fn other_of(doc: &SyncDoc) -> Option<&ConflictVersion> {
    doc.conflicts.iter().max_by_key(|c| c.path.head())
}

/// History entries for the license fields a resolution changed, by the
/// author of the chosen values (the resolving user when given, else the
/// one who last modified the other version).
fn license_history(
    before: &License,
    after: &License,
    author: Option<(&SfId, NaiveDateTime)>,
    seq: &mut crate::domain::Sequences,
) -> Vec<HistoryEntry> {
    let stamp_author = match &after.last_modified.by {
        ChangedBy::User(id) => Some((id, after.last_modified.at)),
        ChangedBy::LicenseManagementApp => None,
    };
    let Some((by, at)) = author.or(stamp_author) else {
        return Vec::new();
    };
    let changes = [
        (
            HistoryField::Expiration,
            before.expiration.to_string(),
            after.expiration.to_string(),
        ),
        (
            HistoryField::Seats,
            before.seats.to_string(),
            after.seats.to_string(),
        ),
        (
            HistoryField::Status,
            before.status.to_string(),
            after.status.to_string(),
        ),
    ];
    changes
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old_value, new_value)| HistoryEntry {
            id: seq.next_id(KeyPrefix::LicenseHistory),
            license_id: after.id.clone(),
            field,
            old_value,
            new_value,
            by: by.clone(),
            at,
            origin: HistoryOrigin::ByHand,
        })
        .collect()
}

impl<R: Repository> DeskSync<R> {
    /// Every record with a conflict to resolve.
    pub async fn conflicts(&self) -> Result<Vec<Conflict>, SyncError> {
        let docs = self
            .repo
            .find_records::<SyncDoc>(SYNC_CONFLICTED, Query::All)
            .await?;
        let mut out = Vec::with_capacity(docs.len());
        for doc in docs {
            let Some(other) = other_of(&doc) else {
                continue;
            };
            let (store, key) = target_of(&doc.id)?;
            let Loaded::Found(_, record) = typed::load_one(&self.repo, store, &key).await? else {
                continue;
            };
            let ours = document::encode(&record).map_err(SyncError::Other)?;
            let theirs: Value = serde_json::from_str(&other.body).unwrap_or_default();
            out.push(Conflict {
                doc_id: doc.id.clone(),
                title: title_of(&record, &ours),
                fields: differing(&ours, &theirs),
                winner_rev: doc
                    .path
                    .as_ref()
                    .map(|p| p.head().to_string())
                    .unwrap_or_default(),
                other_rev: other.path.head().to_string(),
                others: doc.conflicts.len(),
            });
        }
        Ok(out)
    }

    /// Resolves the conflict of `doc_id` as the user chose; see
    /// [`resolve_by`](DeskSync::resolve_by). History entries are by the
    /// author of the other version (its Last Modified By).
    pub async fn resolve(&self, doc_id: &str, resolution: Resolution) -> Result<(), SyncError> {
        self.resolve_by(doc_id, resolution, None).await
    }

    /// Resolves the conflict of `doc_id`: the chosen record goes through
    /// the domain (a merge it refuses returns its message and changes
    /// nothing), then one commit writes it, queues its new revision on top
    /// of the winner and a deletion of every losing branch, and, for a
    /// license whose fields changed, License History entries by `author`
    /// (the user resolving and the time) when given.
    pub async fn resolve_by(
        &self,
        doc_id: &str,
        resolution: Resolution,
        author: Option<(&SfId, NaiveDateTime)>,
    ) -> Result<(), SyncError> {
        let (store, key) = target_of(doc_id)?;
        let Some(kept) = self.repo.get::<SyncDoc>(doc_id).await? else {
            return Err(no_conflict(doc_id));
        };
        let Some(other) = other_of(&kept.record).cloned() else {
            return Err(no_conflict(doc_id));
        };
        let Loaded::Found(rev, winner) = typed::load_one(&self.repo, store, &key).await? else {
            return Err(SyncError::Other(format!(
                "The {} of this conflict can't be read on this desk, so it can't be resolved.",
                store.label()
            )));
        };
        let ours = document::encode(&winner).map_err(SyncError::Other)?;
        let theirs: Value = serde_json::from_str(&other.body).unwrap_or_default();
        let mut chosen = match &resolution {
            Resolution::KeepWinner => ours.clone(),
            Resolution::KeepOther => theirs.clone(),
            Resolution::Merge(choices) => {
                let mut merged = fields_of(&ours);
                let theirs = fields_of(&theirs);
                for (field, side) in choices {
                    if !merged.contains_key(field) && !theirs.contains_key(field) {
                        return Err(SyncError::Other(format!(
                            "{} has no field {field}.",
                            store.label()
                        )));
                    }
                    if *side == Side::Other {
                        match theirs.get(field) {
                            Some(value) => merged.insert(field.clone(), value.clone()),
                            None => merged.remove(field),
                        };
                    }
                }
                Value::Object(merged)
            }
        };
        if let Value::Object(fields) = &mut chosen {
            fields.insert("_id".into(), Value::from(doc_id));
        }
        let record = document::decode(&chosen).map_err(SyncError::Other)?;
        let losers: Vec<RevPath> = kept
            .record
            .conflicts
            .iter()
            .map(|c| c.path.clone())
            .collect();
        let resolved = SyncDoc {
            conflicts: Vec::new(),
            ..kept.record.clone()
        };
        let kept_rev = kept.rev;
        let result = commit_with_counters(&self.repo, |seq| {
            let mut batch = WriteBatch::new();
            batch.from_sync();
            if let (SyncRecord::License(before), SyncRecord::License(after)) = (&winner, &record) {
                for entry in license_history(before, after, author, seq) {
                    batch.put(
                        OutboxEntry::record(StoreName::LicenseHistory, entry.id.to18()),
                        Expect::Any,
                    );
                    batch.create(entry);
                }
            }
            typed::put(&mut batch, record.clone(), Expect::Rev(rev));
            batch.put(OutboxEntry::record(store, &key), Expect::Any);
            for loser in &losers {
                let body = deletion_body();
                let path = RevPath::next(Some(loser), &body, true);
                let doc = with_meta(body, doc_id, &path, true);
                batch.put(
                    OutboxEntry::document(store, &key, &path.head().to_string(), doc.to_string()),
                    Expect::Any,
                );
            }
            batch.put(resolved.clone(), Expect::Rev(kept_rev));
            Ok::<_, StorageError>((batch, ()))
        })
        .await;
        Ok(result?)
    }
}

fn no_conflict(doc_id: &str) -> SyncError {
    SyncError::Other(format!(
        "{doc_id} has no conflict to resolve (another tab may have resolved it)."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_differing_fields_are_listed_with_the_lmas_labels() {
        let ours = json!({"type": "sfLma__License__c", "sfLma__Seats__c": 60, "sfLma__Status__c": "Active",
            "LastModified": {"by": {"User": "005000000000001AAA"}, "at": "2026-12-01T09:00:00"}});
        let theirs = json!({"type": "x", "sfLma__Seats__c": 70, "sfLma__Status__c": "Active",
            "LastModified": {"by": "LicenseManagementApp", "at": "2026-12-02T10:30:00"},
            "lead_name": "Ada"});
        let fields = differing(&ours, &theirs);
        let listed: Vec<(&str, &str, &str, &str)> = fields
            .iter()
            .map(|f| {
                (
                    f.field.as_str(),
                    f.label.as_str(),
                    f.ours.as_str(),
                    f.theirs.as_str(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            vec![
                (
                    "LastModified",
                    "Last Modified By",
                    "005000000000001AAA, 2026-12-01 09:00:00",
                    "License Management App, 2026-12-02 10:30:00"
                ),
                ("lead_name", "Lead Name", "", "Ada"),
                ("sfLma__Seats__c", "Licensed Seats", "60", "70"),
            ]
        );
    }
}
