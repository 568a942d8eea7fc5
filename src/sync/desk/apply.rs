//! Applying documents from the server, all of one call in one commit.
//!
//! Per document id the desk knows some leaves: its own version (at the
//! shared path, or a local change not sent yet on top of it) and the
//! conflicting versions it keeps. Each incoming revision is old news (a
//! leaf's path holds it), extends a leaf (fast-forward), or starts a new
//! branch (a conflict). Then the winner by `rev::winner`, CouchDB's rule,
//! becomes the record, so every desk shows the same one; deleted losers are
//! dropped (a deleted leaf of a conflicting branch ends the conflict).

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::typed::{self, Loaded};
use super::{load_targets, local_change, put_page, put_sync_doc, sync_docs, with_meta};
use crate::domain::Sequences;
use crate::storage::{
    ConflictVersion, Expect, OutboxEntry, Repository, StoreName, Stored, SyncDoc, WriteBatch,
    SEQUENCES_KEY,
};
use crate::sync::document::{self, parse_doc_id, SyncRecord};
use crate::sync::local::{ApplyReport, Refusal, SyncError};
use crate::sync::rev::{self, Rev, RevPath};

/// A document from the server, read.
struct Incoming {
    doc_id: String,
    store: StoreName,
    key: String,
    path: RevPath,
    deleted: bool,
    /// The fields (no `_` ones).
    body: Value,
    /// Through the domain (`None` for a deletion).
    record: Option<SyncRecord>,
}

fn refusal(doc_id: &str, rev: &str, reason: impl Into<String>) -> Refusal {
    Refusal {
        doc_id: doc_id.to_string(),
        rev: rev.to_string(),
        reason: reason.into(),
    }
}

/// Reads one document: `Ok(None)` for documents that are not records
/// (`_design/...`).
fn read(doc: &Value) -> Result<Option<Incoming>, Refusal> {
    let Value::Object(fields) = doc else {
        return Err(refusal("(no _id)", "", "it is not a JSON object"));
    };
    let rev_text = fields.get("_rev").and_then(Value::as_str).unwrap_or("");
    let Some(doc_id) = fields.get("_id").and_then(Value::as_str) else {
        return Err(refusal("(no _id)", rev_text, "it has no _id"));
    };
    if doc_id.starts_with('_') {
        return Ok(None);
    }
    let rev = Rev::parse(rev_text).ok_or_else(|| {
        refusal(
            doc_id,
            rev_text,
            format!("its _rev {rev_text:?} is not a CouchDB revision"),
        )
    })?;
    let (store, key) = parse_doc_id(doc_id).ok_or_else(|| {
        refusal(
            doc_id,
            rev_text,
            format!("its _id {doc_id:?} names no License Desk object"),
        )
    })?;
    let path = fields
        .get("_revisions")
        .and_then(RevPath::from_value)
        .filter(|p| p.head() == rev)
        .unwrap_or_else(|| RevPath::of(&rev));
    let deleted = fields.get("_deleted") == Some(&Value::Bool(true));
    let body: serde_json::Map<String, Value> = fields
        .iter()
        .filter(|(name, _)| !name.starts_with('_'))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let record = if deleted {
        None
    } else {
        Some(document::decode(doc).map_err(|reason| refusal(doc_id, rev_text, reason))?)
    };
    Ok(Some(Incoming {
        doc_id: doc_id.to_string(),
        store,
        key,
        path,
        deleted,
        body: Value::Object(body),
        record,
    }))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// The record as stored, at the shared path.
    Desk,
    /// The record as stored, a local change not sent yet.
    DeskPending,
    /// A conflicting version kept from before.
    Kept,
    /// Arrived in this call.
    Incoming,
}

struct Leaf {
    path: RevPath,
    deleted: bool,
    body: Value,
    record: Option<SyncRecord>,
    origin: Origin,
}

/// The record a leaf holds, decoding a kept body when needed.
fn leaf_record(leaf: &Leaf, doc_id: &str) -> Result<SyncRecord, String> {
    if let Some(record) = &leaf.record {
        return Ok(record.clone());
    }
    let mut doc = leaf.body.clone();
    if let Value::Object(fields) = &mut doc {
        fields.insert("_id".into(), Value::from(doc_id));
    }
    document::decode(&doc)
}

pub(super) async fn apply_once<R: Repository>(
    repo: &R,
    docs: &[Value],
) -> Result<ApplyReport, SyncError> {
    let mut report = ApplyReport::default();
    // Documents by id, in the order they came.
    let mut groups: Vec<(String, Vec<Incoming>)> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for doc in docs {
        match read(doc) {
            Ok(Some(incoming)) => match group_of.get(&incoming.doc_id) {
                Some(&i) => {
                    if let Some((_, group)) = groups.get_mut(i) {
                        group.push(incoming);
                    }
                }
                None => {
                    group_of.insert(incoming.doc_id.clone(), groups.len());
                    groups.push((incoming.doc_id.clone(), vec![incoming]));
                }
            },
            Ok(None) => report.ignored += 1,
            Err(refused) => report.refused.push(refused),
        }
    }

    let doc_ids: Vec<String> = groups.iter().map(|(id, _)| id.clone()).collect();
    let targets: Vec<(StoreName, String)> = groups
        .iter()
        .filter_map(|(_, g)| g.first().map(|i| (i.store, i.key.clone())))
        .collect();
    let records = load_targets(repo, &targets).await?;
    let kept = sync_docs(repo, &doc_ids).await?;
    let outbox_keys: Vec<String> = targets
        .iter()
        .map(|(store, key)| OutboxEntry::record_key(*store, key))
        .collect();
    let outbox: HashMap<String, Stored<OutboxEntry>> = outbox_keys
        .iter()
        .cloned()
        .zip(repo.get_many::<OutboxEntry>(&outbox_keys).await?)
        .filter_map(|(k, e)| Some((k, e?)))
        .collect();
    let mut refusal_ids: Vec<String> = doc_ids.clone();
    refusal_ids.extend(report.refused.iter().map(|r| r.doc_id.clone()));
    let old_refusals: HashSet<String> = refusal_ids
        .iter()
        .cloned()
        .zip(repo.get_many::<Refusal>(&refusal_ids).await?)
        .filter_map(|(id, r)| r.map(|_| id))
        .collect();
    let mut counters = repo
        .load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)
        .await?;
    let counters_read = counters.record().clone();

    let mut batch = WriteBatch::new();
    batch.from_sync();
    let mut page = Vec::new();
    let mut refusals_written: HashSet<String> = HashSet::new();
    for refused in &report.refused {
        refusals_written.insert(refused.doc_id.clone());
        batch.put(refused.clone(), Expect::Any);
    }

    for (doc_id, group) in groups {
        let Some(first) = group.first() else {
            continue;
        };
        let (store, key) = (first.store, first.key.clone());
        let loaded = records
            .get(&(store, key.clone()))
            .cloned()
            .unwrap_or(Loaded::Missing);
        if loaded == Loaded::Damaged {
            // Sync leaves a record this build can't read alone.
            report.ignored += group.len();
            continue;
        }
        let stored_doc = kept.get(&doc_id);
        let sd = stored_doc.map(|s| &s.record);
        let entry = outbox.get(&OutboxEntry::record_key(store, &key));

        let mut leaves: Vec<Leaf> = Vec::new();
        let record = match &loaded {
            Loaded::Found(_, r) => Some(r.clone()),
            _ => None,
        };
        let pending = if entry.is_some() || sd.is_none() {
            local_change(sd, &loaded)
        } else {
            None
        };
        if let Some((path, deleted, body)) = pending {
            leaves.push(Leaf {
                path,
                deleted,
                body,
                record: record.clone(),
                origin: Origin::DeskPending,
            });
        } else if let Some((d, path)) = sd.and_then(|d| Some((d, d.path.clone()?))) {
            let body = match &record {
                Some(r) => document::encode(r).map_err(SyncError::Other)?,
                None => super::deletion_body(),
            };
            leaves.push(Leaf {
                path,
                deleted: d.deleted || record.is_none(),
                body,
                record: record.clone(),
                origin: Origin::Desk,
            });
        }
        for c in sd.map(|d| d.conflicts.as_slice()).unwrap_or_default() {
            leaves.push(Leaf {
                path: c.path.clone(),
                deleted: false,
                body: serde_json::from_str(&c.body).unwrap_or_default(),
                record: None,
                origin: Origin::Kept,
            });
        }

        let mut changed = false;
        for incoming in group {
            let head = incoming.path.head();
            let leaf = Leaf {
                path: incoming.path,
                deleted: incoming.deleted,
                body: incoming.body,
                record: incoming.record,
                origin: Origin::Incoming,
            };
            if leaves.iter().any(|l| l.path.contains(&head)) {
                report.ignored += 1;
            } else if let Some(i) = leaves
                .iter()
                .position(|l| leaf.path.contains(&l.path.head()))
            {
                leaves[i] = leaf;
                report.applied += 1;
                changed = true;
            } else if leaves.is_empty() {
                leaves.push(leaf);
                report.applied += 1;
                changed = true;
            } else if leaf.deleted {
                // A deleted branch of nothing the desk holds: nothing to show.
                report.ignored += 1;
            } else {
                leaves.push(leaf);
                report.conflicts += 1;
                changed = true;
            }
        }
        if !changed {
            continue;
        }

        let heads: Vec<(Rev, bool)> = leaves.iter().map(|l| (l.path.head(), l.deleted)).collect();
        let Some(best) = rev::winner(heads.iter().map(|(r, d)| (r, *d))).cloned() else {
            continue;
        };
        let Some(wi) = heads.iter().position(|(r, _)| *r == best) else {
            continue;
        };
        let winner = &leaves[wi];
        let mut new_doc = SyncDoc {
            id: doc_id.clone(),
            path: sd.and_then(|d| d.path.clone()),
            store_rev: sd.map_or(0, |d| d.store_rev),
            deleted: sd.is_some_and(|d| d.deleted),
            conflicts: Vec::new(),
        };
        let expect = loaded.rev().map_or(Expect::Absent, Expect::Rev);
        match winner.origin {
            Origin::Desk | Origin::DeskPending => {}
            Origin::Kept | Origin::Incoming => {
                if winner.deleted {
                    if let Some(rev) = loaded.rev() {
                        typed::delete(&mut batch, store, &key, Expect::Rev(rev));
                    }
                    new_doc.store_rev = 0;
                } else {
                    let record = match leaf_record(winner, &doc_id) {
                        Ok(record) => record,
                        Err(reason) => {
                            let rev = winner.path.head().to_string();
                            let refused = refusal(&doc_id, &rev, reason);
                            if refusals_written.insert(doc_id.clone()) {
                                batch.put(refused.clone(), Expect::Any);
                            }
                            report.refused.push(refused);
                            continue;
                        }
                    };
                    if let SyncRecord::License(license) = &record {
                        counters.record_mut().observe_license_name(license.name);
                    }
                    typed::put(&mut batch, record, expect);
                    new_doc.store_rev = loaded.rev().map_or(1, |r| r.saturating_add(1));
                }
                new_doc.path = Some(winner.path.clone());
                new_doc.deleted = winner.deleted;
                if let Some(entry) = entry {
                    batch.delete::<OutboxEntry>(entry.record.id.clone(), Expect::Rev(entry.rev));
                }
            }
        }
        for (i, leaf) in leaves.iter().enumerate() {
            if i == wi || leaf.deleted {
                continue;
            }
            if leaf.origin == Origin::DeskPending {
                // A local change that lost before it was sent: the server
                // must still get it, so every desk sees the conflict.
                let doc = with_meta(leaf.body.clone(), &doc_id, &leaf.path, false);
                let head = leaf.path.head().to_string();
                batch.put(
                    OutboxEntry::document(store, &key, &head, doc.to_string()),
                    Expect::Any,
                );
            }
            new_doc.conflicts.push(ConflictVersion {
                path: leaf.path.clone(),
                body: leaf.body.to_string(),
            });
        }
        if winner.origin == Origin::DeskPending && entry.is_none() {
            // A record from before sync was set up: send it too.
            batch.put(OutboxEntry::record(store, &key), Expect::Any);
        }
        put_sync_doc(&mut batch, &mut page, new_doc, stored_doc);
        if old_refusals.contains(&doc_id) && refusals_written.insert(doc_id.clone()) {
            batch.delete::<Refusal>(doc_id.clone(), Expect::Any);
        }
    }

    put_page(&mut batch, page);
    if *counters.record() != counters_read {
        batch.save(counters);
    }
    if !batch.is_empty() {
        repo.commit(batch).await?;
    }
    Ok(report)
}
