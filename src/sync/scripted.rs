//! Native test doubles for the replicator: [`Scripted`], a CouchDB database
//! in memory (revision trees, `_changes`, `_revs_diff`, `_bulk_get`,
//! `_bulk_docs new_edits:false`, `_local` documents) with a script of faults,
//! and [`Desk`], a desk in memory following SYNC.md's rules (outbox,
//! fast-forward / old news / conflict kept / refusal through the domain).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::document::{self, SyncRecord};
use super::local::{ApplyReport, Local, Outgoing, PendingPage, Refusal, SyncError};
use super::remote::{
    Change, ChangesPage, DbInfo, DocError, Remote, RemoteError, RevsByDoc, Seq, WriteFailure,
};
use super::rev::{self, Rev, RevPath, REVS_LIMIT};

/// The kinds of request a [`Scripted`] server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Call {
    Info,
    GetLocal,
    PutLocal,
    Changes,
    RevsDiff,
    BulkGet,
    BulkDocs,
}

struct Fault {
    call: Call,
    /// Calls of this kind answered normally before the fault starts.
    skip: usize,
    times: usize,
    error: RemoteError,
    /// The server does the work, then the answer is lost on the way back.
    after_work: bool,
}

/// One leaf of a document's revision tree: its path (newest first) and its
/// body. Only leaves keep a body, as after a CouchDB compaction.
#[derive(Clone)]
struct Leaf {
    path: Vec<Rev>,
    body: Value,
    deleted: bool,
}

struct Doc {
    leaves: Vec<Leaf>,
    seq: u64,
}

impl Doc {
    fn winner(&self) -> Option<&Leaf> {
        let head = rev::winner(self.leaves.iter().map(|l| (&l.path[0], l.deleted)))?;
        self.leaves.iter().find(|l| &l.path[0] == head)
    }

    fn knows(&self, rev: &Rev) -> bool {
        self.leaves.iter().any(|l| l.path.contains(rev))
    }

    /// Stores a path as replication does (`new_edits: false`): an extension
    /// of a leaf replaces it, anything else unknown is a new branch.
    /// Whether anything changed.
    fn merge(&mut self, path: Vec<Rev>, body: Value, deleted: bool) -> bool {
        if self.knows(&path[0]) {
            return false;
        }
        let extended = self.leaves.iter().position(|l| path.contains(&l.path[0]));
        match extended {
            Some(i) => {
                let old = &self.leaves[i].path;
                let at = path.iter().position(|r| *r == old[0]).unwrap_or(path.len());
                let mut joined = path[..at].to_vec();
                joined.extend(old.iter().cloned());
                self.leaves[i] = Leaf {
                    path: joined,
                    body,
                    deleted,
                };
            }
            None => self.leaves.push(Leaf {
                path,
                body,
                deleted,
            }),
        }
        true
    }
}

#[derive(Default)]
struct Server {
    docs: BTreeMap<String, Doc>,
    update_seq: u64,
    local: BTreeMap<String, Value>,
    faults: Vec<Fault>,
    calls: BTreeMap<Call, usize>,
    since_asked: Vec<Seq>,
    without_revisions: BTreeSet<String>,
    /// `_bulk_get` answers these documents `not_found` (a revision
    /// replaced and compacted away between `_changes` and `_bulk_get`).
    unreadable: BTreeSet<String>,
    refuse_when: Option<fn(&Value) -> Option<String>>,
    write_local_after_get: usize,
    /// `_changes` leaves `pending` out, as pouchdb-server does.
    no_pending: bool,
}

/// A CouchDB database in memory, with a script of faults.
#[derive(Default)]
pub struct Scripted {
    server: RefCell<Server>,
}

fn conflict() -> RemoteError {
    RemoteError::Server {
        status: 409,
        reason: "Document update conflict.".to_string(),
    }
}

impl Scripted {
    pub fn new() -> Scripted {
        Scripted::default()
    }

    /// `_changes` answers without `pending` from now on, as pouchdb-server
    /// does (CouchDB 3 says how many changes are left after a page).
    pub fn without_pending(&self) {
        self.server.borrow_mut().no_pending = true;
    }

    /// The next `times` calls of kind `call` answer `error`.
    pub fn fail(&self, call: Call, times: usize, error: RemoteError) {
        self.fail_after(call, 0, times, error);
    }

    /// After `skip` calls of kind `call` answered normally, the next
    /// `times` answer `error`.
    pub fn fail_after(&self, call: Call, skip: usize, times: usize, error: RemoteError) {
        self.server.borrow_mut().faults.push(Fault {
            call,
            skip,
            times,
            error,
            after_work: false,
        });
    }

    /// The next `times` calls of kind `call` do their work, but the answer
    /// is lost: the caller sees `error`.
    pub fn lose_answer(&self, call: Call, times: usize, error: RemoteError) {
        self.server.borrow_mut().faults.push(Fault {
            call,
            skip: 0,
            times,
            error,
            after_work: true,
        });
    }

    /// A server restarted in memory: no documents, no `_local` documents, a
    /// new changes feed.
    pub fn forget(&self) {
        let mut server = self.server.borrow_mut();
        server.docs.clear();
        server.local.clear();
        server.update_seq = 0;
    }

    /// Writes refused as `validate_doc_update` refuses them (403).
    pub fn refuse_when(&self, rule: fn(&Value) -> Option<String>) {
        self.server.borrow_mut().refuse_when = Some(rule);
    }

    /// `_bulk_get` answers this document without its `_revisions`.
    pub fn send_without_revisions(&self, doc_id: &str) {
        self.server
            .borrow_mut()
            .without_revisions
            .insert(doc_id.to_string());
    }

    /// `_bulk_get` can't return this document's revisions any more.
    pub fn make_unreadable(&self, doc_id: &str, unreadable: bool) {
        let mut server = self.server.borrow_mut();
        if unreadable {
            server.unreadable.insert(doc_id.to_string());
        } else {
            server.unreadable.remove(doc_id);
        }
    }

    /// After the next `times` reads of a `_local` document, someone else
    /// writes it (another tab), so a put with the `_rev` just read is stale.
    pub fn write_local_after_get(&self, times: usize) {
        self.server.borrow_mut().write_local_after_get = times;
    }

    /// A document written by hand (Fauxton, curl): a new edit on top of its
    /// winning revision.
    pub fn put_by_hand(&self, doc: Value) -> Rev {
        let mut server = self.server.borrow_mut();
        let id = doc["_id"].as_str().unwrap().to_string();
        let mut body = doc.clone();
        strip(&mut body);
        let parent = server.docs.get(&id).and_then(Doc::winner).map(|l| RevPath {
            start: l.path[0].pos,
            ids: l.path.iter().map(|r| r.hash.clone()).collect(),
        });
        let path = RevPath::next(parent.as_ref(), &body, false);
        let revs = revs_of(&path);
        let head = revs[0].clone();
        server.update_seq += 1;
        let seq = server.update_seq;
        let entry = server.docs.entry(id).or_insert(Doc {
            leaves: Vec::new(),
            seq,
        });
        entry.merge(revs, body, false);
        entry.seq = seq;
        head
    }

    /// How many calls of this kind were made (failed ones included).
    pub fn calls(&self, call: Call) -> usize {
        self.server.borrow().calls.get(&call).copied().unwrap_or(0)
    }

    /// The `since` of every `_changes` call, in order.
    pub fn since_asked(&self) -> Vec<Seq> {
        self.server.borrow().since_asked.clone()
    }

    /// A document's leaf revisions, the winner first.
    pub fn leaves(&self, doc_id: &str) -> Vec<String> {
        let server = self.server.borrow();
        let Some(doc) = server.docs.get(doc_id) else {
            return Vec::new();
        };
        leaf_revs(doc)
    }

    /// The documents whose winner is not deleted.
    pub fn doc_count(&self) -> usize {
        let server = self.server.borrow();
        server
            .docs
            .values()
            .filter(|d| d.winner().is_some_and(|l| !l.deleted))
            .count()
    }

    pub fn local_doc(&self, id: &str) -> Option<Value> {
        self.server.borrow().local.get(id).cloned()
    }

    /// Counts the call; the fault it meets, if any: `Err` before the work,
    /// `Ok(Some)` after it.
    fn enter(&self, call: Call) -> Result<Option<RemoteError>, RemoteError> {
        let mut server = self.server.borrow_mut();
        *server.calls.entry(call).or_default() += 1;
        let Some(i) = server.faults.iter().position(|f| f.call == call) else {
            return Ok(None);
        };
        let fault = &mut server.faults[i];
        if fault.skip > 0 {
            fault.skip -= 1;
            return Ok(None);
        }
        fault.times -= 1;
        let (error, after_work) = (fault.error.clone(), fault.after_work);
        if fault.times == 0 {
            server.faults.remove(i);
        }
        if after_work {
            Ok(Some(error))
        } else {
            Err(error)
        }
    }

    fn run<T>(
        &self,
        call: Call,
        work: impl FnOnce(&mut Server) -> Result<T, RemoteError>,
    ) -> Result<T, RemoteError> {
        let lost = self.enter(call)?;
        let answer = work(&mut self.server.borrow_mut())?;
        match lost {
            Some(error) => Err(error),
            None => Ok(answer),
        }
    }
}

fn revs_of(path: &RevPath) -> Vec<Rev> {
    path.ids
        .iter()
        .enumerate()
        .map(|(back, hash)| Rev {
            pos: path.start - back as u64,
            hash: hash.clone(),
        })
        .collect()
}

fn leaf_revs(doc: &Doc) -> Vec<String> {
    let mut leaves: Vec<&Leaf> = doc.leaves.iter().collect();
    leaves.sort_by(|a, b| {
        b.deleted
            .cmp(&a.deleted)
            .then_with(|| a.path[0].cmp(&b.path[0]))
            .reverse()
    });
    leaves.iter().map(|l| l.path[0].to_string()).collect()
}

/// The body without the fields replication adds.
fn strip(doc: &mut Value) {
    if let Value::Object(fields) = doc {
        fields.retain(|k, _| !k.starts_with('_'));
    }
}

impl Scripted {
    /// `_changes`, with each change's winning document (as `include_docs`
    /// gives it: no `_revisions`) when `with_docs`; an unreadable document
    /// is left out, as `_bulk_get` can't read it either.
    fn changes_page(
        &self,
        since: &Seq,
        limit: u32,
        with_docs: bool,
    ) -> Result<ChangesPage, RemoteError> {
        self.run(Call::Changes, |s| {
            s.since_asked.push(since.clone());
            let from = seq_number(since)?;
            let mut docs: Vec<(&String, &Doc)> =
                s.docs.iter().filter(|(_, d)| d.seq > from).collect();
            docs.sort_by_key(|(_, d)| d.seq);
            let after = docs.len().saturating_sub(limit as usize) as u64;
            let pending = (!s.no_pending).then_some(after);
            let results: Vec<Change> = docs
                .into_iter()
                .take(limit as usize)
                .map(|(id, d)| Change {
                    seq: Seq(Value::from(d.seq)),
                    id: id.clone(),
                    revs: leaf_revs(d),
                    deleted: d.winner().is_some_and(|l| l.deleted),
                    doc: d
                        .winner()
                        .filter(|_| with_docs && !s.unreadable.contains(id))
                        .map(|leaf| {
                            let mut doc = leaf.body.clone();
                            doc["_id"] = Value::from(id.clone());
                            doc["_rev"] = Value::from(leaf.path[0].to_string());
                            if leaf.deleted {
                                doc["_deleted"] = Value::from(true);
                            }
                            doc
                        }),
                })
                .collect();
            let last_seq = results.last().map_or(since.clone(), |c| c.seq.clone());
            Ok(ChangesPage {
                results,
                last_seq,
                pending,
            })
        })
    }
}

fn seq_number(seq: &Seq) -> Result<u64, RemoteError> {
    seq.to_param().parse().map_err(|_| RemoteError::Server {
        status: 400,
        reason: format!("Malformed sequence {:?}", seq.to_param()),
    })
}

impl Remote for Scripted {
    async fn info(&self) -> Result<DbInfo, RemoteError> {
        let count = self.doc_count() as u64;
        self.run(Call::Info, |s| {
            let deleted = s
                .docs
                .values()
                .filter(|d| d.winner().is_some_and(|l| l.deleted))
                .count() as u64;
            Ok(DbInfo {
                db_name: "scripted".to_string(),
                doc_count: count,
                doc_del_count: deleted,
                update_seq: Seq(Value::from(s.update_seq)),
            })
        })
    }

    async fn get_local(&self, id: &str) -> Result<Option<Value>, RemoteError> {
        self.run(Call::GetLocal, |s| {
            let doc = s.local.get(id).cloned();
            if s.write_local_after_get > 0 {
                if let Some(stored) = s.local.get_mut(id) {
                    s.write_local_after_get -= 1;
                    let n = local_rev(stored) + 1;
                    stored["_rev"] = Value::from(format!("0-{n}"));
                }
            }
            Ok(doc)
        })
    }

    async fn put_local(&self, id: &str, doc: &Value) -> Result<(), RemoteError> {
        self.run(Call::PutLocal, |s| {
            let given = doc.get("_rev");
            let n = match s.local.get(id) {
                Some(current) if current.get("_rev") == given => local_rev(current),
                None if given.is_none() => 0,
                _ => return Err(conflict()),
            };
            let mut stored = doc.clone();
            stored["_rev"] = Value::from(format!("0-{}", n + 1));
            s.local.insert(id.to_string(), stored);
            Ok(())
        })
    }

    async fn changes(
        &self,
        since: &Seq,
        limit: u32,
        _wait_ms: Option<u32>,
    ) -> Result<ChangesPage, RemoteError> {
        self.changes_page(since, limit, false)
    }

    async fn changes_with_docs(&self, since: &Seq, limit: u32) -> Result<ChangesPage, RemoteError> {
        self.changes_page(since, limit, true)
    }

    async fn revs_diff(&self, revs: &RevsByDoc) -> Result<RevsByDoc, RemoteError> {
        self.run(Call::RevsDiff, |s| {
            let mut missing = RevsByDoc::new();
            for (id, asked) in revs {
                let lacking: Vec<String> = asked
                    .iter()
                    .filter(|r| {
                        let known = Rev::parse(r)
                            .is_some_and(|rev| s.docs.get(id).is_some_and(|d| d.knows(&rev)));
                        !known
                    })
                    .cloned()
                    .collect();
                if !lacking.is_empty() {
                    missing.insert(id.clone(), lacking);
                }
            }
            Ok(missing)
        })
    }

    async fn bulk_get(
        &self,
        wanted: &[(String, String)],
    ) -> Result<Vec<Result<Value, DocError>>, RemoteError> {
        self.run(Call::BulkGet, |s| {
            Ok(wanted
                .iter()
                .map(|(id, rev)| {
                    let leaf = s
                        .docs
                        .get(id)
                        .filter(|_| !s.unreadable.contains(id))
                        .and_then(|d| d.leaves.iter().find(|l| l.path[0].to_string() == *rev));
                    let Some(leaf) = leaf else {
                        return Err(DocError {
                            id: id.clone(),
                            rev: rev.clone(),
                            error: "not_found".to_string(),
                            reason: "missing".to_string(),
                        });
                    };
                    let mut doc = leaf.body.clone();
                    doc["_id"] = Value::from(id.clone());
                    doc["_rev"] = Value::from(rev.clone());
                    if leaf.deleted {
                        doc["_deleted"] = Value::from(true);
                    }
                    if !s.without_revisions.contains(id) {
                        doc["_revisions"] = json!({
                            "start": leaf.path[0].pos,
                            "ids": leaf.path.iter().take(REVS_LIMIT).map(|r| r.hash.clone()).collect::<Vec<_>>(),
                        });
                    }
                    Ok(doc)
                })
                .collect())
        })
    }

    async fn bulk_docs(&self, docs: &[Value]) -> Result<Vec<WriteFailure>, RemoteError> {
        self.run(Call::BulkDocs, |s| {
            let mut failures = Vec::new();
            for doc in docs {
                let id = doc.get("_id").and_then(Value::as_str).unwrap_or_default();
                let rev = doc.get("_rev").and_then(Value::as_str);
                let fail = |error: &str, reason: String| WriteFailure {
                    id: id.to_string(),
                    rev: rev.map(str::to_string),
                    error: error.to_string(),
                    reason,
                };
                let Some(head) = rev.and_then(Rev::parse) else {
                    failures.push(fail("bad_request", "Invalid rev format".to_string()));
                    continue;
                };
                let path = match doc.get("_revisions") {
                    None => vec![head.clone()],
                    Some(value) => match RevPath::from_value(value) {
                        Some(path) if path.head() == head => revs_of(&path),
                        _ => {
                            failures.push(fail("bad_request", "Invalid _revisions".to_string()));
                            continue;
                        }
                    },
                };
                if let Some(reason) = s.refuse_when.and_then(|rule| rule(doc)) {
                    failures.push(fail("forbidden", reason));
                    continue;
                }
                let deleted = doc.get("_deleted") == Some(&Value::Bool(true));
                let mut body = doc.clone();
                strip(&mut body);
                let next_seq = s.update_seq + 1;
                let entry = s.docs.entry(id.to_string()).or_insert(Doc {
                    leaves: Vec::new(),
                    seq: next_seq,
                });
                if entry.merge(path, body, deleted) {
                    entry.seq = next_seq;
                    s.update_seq = next_seq;
                }
            }
            Ok(failures)
        })
    }
}

fn local_rev(doc: &Value) -> u64 {
    doc.get("_rev")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("0-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// What a desk knows of one document: the revision its record is at, and
/// the conflicting versions kept beside it.
#[derive(Clone)]
struct SyncDoc {
    path: RevPath,
    deleted: bool,
    body: Value,
    conflicts: Vec<(RevPath, Value)>,
}

#[derive(Default)]
struct DeskState {
    /// Document id → the record's document body (no `_` fields).
    records: BTreeMap<String, Value>,
    store_revs: BTreeMap<String, u64>,
    next_store_rev: u64,
    sync_docs: BTreeMap<String, SyncDoc>,
    /// Keys of the changes to send, oldest first: a document id (the
    /// record's change), or a key of `closing`.
    outbox: Vec<String>,
    /// Losing branches of resolved conflicts, to close with a `_deleted`
    /// revision: outbox key → (document id, the branch's path).
    closing: BTreeMap<String, (String, RevPath)>,
    /// Those the server has: (document id, the deletion's path).
    closed: Vec<(String, RevPath)>,
    checkpoints: BTreeMap<String, Seq>,
    refused: Vec<Refusal>,
    /// Every revision written as a record by `apply`, in order.
    written: Vec<(String, String)>,
}

/// A desk in memory with SYNC.md's rules.
#[derive(Default)]
pub struct Desk {
    state: RefCell<DeskState>,
}

impl Desk {
    pub fn new() -> Desk {
        Desk::default()
    }

    /// A user's edit: the record is saved and queued in the same step.
    pub fn save(&self, record: &SyncRecord) {
        let body = document::encode(record).unwrap();
        self.state.borrow_mut().edit(&record.doc_id(), Some(body));
    }

    /// The user resolves a conflict keeping `keep`: a new revision on top of
    /// the winner, and each losing branch closed by a deletion.
    pub fn resolve(&self, keep: &SyncRecord) {
        let id = keep.doc_id();
        let mut state = self.state.borrow_mut();
        let losers = state
            .sync_docs
            .get_mut(&id)
            .map(|d| std::mem::take(&mut d.conflicts))
            .unwrap_or_default();
        for (path, _) in losers {
            let key = format!("{id}#{}", path.head());
            state.closing.insert(key.clone(), (id.clone(), path));
            state.outbox.push(key);
        }
        state.edit(&id, Some(document::encode(keep).unwrap()));
    }

    /// A user's deletion: the record goes and its deletion is queued.
    pub fn delete(&self, doc_id: &str) {
        self.state.borrow_mut().edit(doc_id, None);
    }

    /// The record a document id names, as the domain reads it.
    pub fn record(&self, doc_id: &str) -> Option<SyncRecord> {
        let mut doc = self.state.borrow().records.get(doc_id)?.clone();
        doc["_id"] = Value::from(doc_id);
        Some(document::decode(&doc).unwrap())
    }

    pub fn record_ids(&self) -> Vec<String> {
        self.state.borrow().records.keys().cloned().collect()
    }

    /// The revision the desk's record is at.
    pub fn rev(&self, doc_id: &str) -> Option<Rev> {
        Some(self.state.borrow().sync_docs.get(doc_id)?.path.head())
    }

    /// The other versions kept beside the record: (revision, body).
    pub fn conflicts(&self, doc_id: &str) -> Vec<(Rev, Value)> {
        self.state
            .borrow()
            .sync_docs
            .get(doc_id)
            .map(|d| {
                d.conflicts
                    .iter()
                    .map(|(p, b)| (p.head(), b.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn refused(&self) -> Vec<Refusal> {
        self.state.borrow().refused.clone()
    }

    /// Every (document, revision) `apply` wrote as a record.
    pub fn written(&self) -> Vec<(String, String)> {
        self.state.borrow().written.clone()
    }

    pub fn outbox(&self) -> Vec<String> {
        self.state.borrow().outbox.clone()
    }
}

fn refusal(doc: &Value, reason: impl Into<String>) -> Refusal {
    Refusal {
        doc_id: doc
            .get("_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        rev: doc
            .get("_rev")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        reason: reason.into(),
    }
}

enum Outcome {
    Stored,
    Ignored,
    Conflict,
}

impl DeskState {
    /// Whether the desk has this revision: its record's path, a conflict
    /// kept beside it, or a losing branch it is closing.
    fn knows(&self, id: &str, rev: &Rev) -> bool {
        let synced = self.sync_docs.get(id).is_some_and(|k| {
            k.path.contains(rev) || k.conflicts.iter().any(|(p, _)| p.contains(rev))
        });
        let mut branches = self.closing.values().chain(&self.closed);
        synced || branches.any(|(d, p)| d == id && p.contains(rev))
    }

    /// Stores the record (or deletes it), as any commit does: a new
    /// storage revision.
    fn write(&mut self, id: &str, body: Option<Value>) {
        match body {
            Some(body) => self.records.insert(id.to_string(), body),
            None => self.records.remove(id),
        };
        self.next_store_rev += 1;
        self.store_revs.insert(id.to_string(), self.next_store_rev);
    }

    /// A user's change: written and queued in the same step.
    fn edit(&mut self, id: &str, body: Option<Value>) {
        self.write(id, body);
        if !self.outbox.iter().any(|k| k == id) {
            self.outbox.push(id.to_string());
        }
    }

    fn apply_one(&mut self, doc: &Value) -> Result<Outcome, Refusal> {
        let id = doc
            .get("_id")
            .and_then(Value::as_str)
            .ok_or_else(|| refusal(doc, "it has no _id"))?
            .to_string();
        let head = doc
            .get("_rev")
            .and_then(Value::as_str)
            .and_then(Rev::parse)
            .ok_or_else(|| refusal(doc, "its _rev is not a revision"))?;
        let path = doc
            .get("_revisions")
            .and_then(RevPath::from_value)
            .ok_or_else(|| refusal(doc, "it has no _revisions (its revision path)"))?;
        if path.head() != head {
            return Err(refusal(doc, "its _revisions do not end at its _rev"));
        }
        let deleted = doc.get("_deleted") == Some(&Value::Bool(true));
        if deleted {
            document::parse_doc_id(&id)
                .ok_or_else(|| refusal(doc, format!("its _id {id:?} names no object")))?;
        } else {
            document::decode(doc).map_err(|reason| refusal(doc, reason))?;
        }
        let mut body = doc.clone();
        strip(&mut body);

        // The desk's leaves: its record's revision first, then conflicts.
        let mut leaves: Vec<(RevPath, Value, bool)> = Vec::new();
        if let Some(known) = self.sync_docs.get(&id) {
            leaves.push((known.path.clone(), known.body.clone(), known.deleted));
            leaves.extend(
                known
                    .conflicts
                    .iter()
                    .map(|(p, b)| (p.clone(), b.clone(), false)),
            );
        }
        if self.knows(&id, &head) {
            return Ok(Outcome::Ignored);
        }
        let outcome = match leaves.iter().position(|(p, _, _)| path.contains(&p.head())) {
            Some(i) => {
                leaves[i] = (path, body, deleted);
                Outcome::Stored
            }
            None if leaves.is_empty() => {
                leaves.push((path, body, deleted));
                Outcome::Stored
            }
            // The deletion of a branch this desk never held: nothing to keep.
            None if deleted => return Ok(Outcome::Ignored),
            None => {
                leaves.push((path, body, deleted));
                Outcome::Conflict
            }
        };
        let heads: Vec<(Rev, bool)> = leaves.iter().map(|(p, _, d)| (p.head(), *d)).collect();
        let winner = rev::winner(heads.iter().map(|(r, d)| (r, *d)))
            .cloned()
            .unwrap_or(head);
        let at = leaves
            .iter()
            .position(|(p, _, _)| p.head() == winner)
            .unwrap_or(0);
        let (win_path, win_body, win_deleted) = leaves.remove(at);
        // A deleted leaf beside the record is a resolved conflict: gone.
        let conflicts = leaves
            .into_iter()
            .filter(|(_, _, d)| !d)
            .map(|(p, b, _)| (p, b))
            .collect();
        let changed = self.sync_docs.get(&id).is_none_or(|d| d.path != win_path);
        if changed {
            let stored = (!win_deleted).then(|| win_body.clone());
            self.write(&id, stored);
            self.written.push((id.clone(), winner.to_string()));
        }
        self.sync_docs.insert(
            id,
            SyncDoc {
                path: win_path,
                deleted: win_deleted,
                body: win_body,
                conflicts,
            },
        );
        Ok(outcome)
    }
}

impl Local for Desk {
    /// In outbox order (oldest first); a page starts after the entry named
    /// by `after`, which stays queued until it is marked sent.
    async fn pending_after(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<PendingPage, SyncError> {
        let state = self.state.borrow();
        let start = after
            .and_then(|a| state.outbox.iter().position(|k| k == a))
            .map_or(0, |i| i + 1);
        let rest = state.outbox.get(start..).unwrap_or_default();
        let next = (rest.len() > limit)
            .then(|| rest.get(limit.saturating_sub(1)).cloned())
            .flatten();
        let changes = rest
            .iter()
            .take(limit)
            .map(|id| {
                if let Some((doc_id, branch)) = state.closing.get(id) {
                    let path = RevPath::next(Some(branch), &json!({}), true);
                    let doc = json!({
                        "_id": doc_id,
                        "_rev": path.head().to_string(),
                        "_revisions": path.to_value(),
                        "_deleted": true,
                    });
                    return Outgoing {
                        doc,
                        outbox_key: id.clone(),
                        store_rev: 0,
                    };
                }
                let known = state.sync_docs.get(id);
                let (body, deleted) = match state.records.get(id) {
                    Some(body) => (body.clone(), false),
                    None => (json!({}), true),
                };
                let path = RevPath::next(known.map(|k| &k.path), &body, deleted);
                let mut doc = body;
                doc["_id"] = Value::from(id.clone());
                doc["_rev"] = Value::from(path.head().to_string());
                doc["_revisions"] = path.to_value();
                if deleted {
                    doc["_deleted"] = Value::from(true);
                }
                Outgoing {
                    doc,
                    outbox_key: id.clone(),
                    store_rev: state.store_revs.get(id).copied().unwrap_or(0),
                }
            })
            .collect();
        Ok(PendingPage { changes, next })
    }

    async fn waiting(&self) -> Result<u64, SyncError> {
        Ok(self.state.borrow().outbox.len() as u64)
    }

    async fn mark_sent(&self, sent: &[Outgoing]) -> Result<(), SyncError> {
        let mut state = self.state.borrow_mut();
        for outgoing in sent {
            let id = outgoing.outbox_key.clone();
            if let Some((doc_id, _)) = state.closing.remove(&id) {
                state.outbox.retain(|k| *k != id);
                let path = RevPath::from_value(&outgoing.doc["_revisions"]);
                state.closed.extend(path.map(|p| (doc_id, p)));
                continue;
            }
            let path = RevPath::from_value(&outgoing.doc["_revisions"])
                .ok_or_else(|| SyncError::Other("sent without _revisions".to_string()))?;
            let deleted = outgoing.doc.get("_deleted") == Some(&Value::Bool(true));
            let mut body = outgoing.doc.clone();
            strip(&mut body);
            let conflicts = state
                .sync_docs
                .get(&id)
                .map(|d| d.conflicts.clone())
                .unwrap_or_default();
            state.sync_docs.insert(
                id.clone(),
                SyncDoc {
                    path,
                    deleted,
                    body,
                    conflicts,
                },
            );
            if state.store_revs.get(&id) == Some(&outgoing.store_rev) {
                state.outbox.retain(|k| *k != id);
            }
        }
        Ok(())
    }

    async fn missing(&self, revs: &RevsByDoc) -> Result<RevsByDoc, SyncError> {
        let state = self.state.borrow();
        let mut missing = RevsByDoc::new();
        for (id, asked) in revs {
            let lacking: Vec<String> = asked
                .iter()
                .filter(|r| {
                    let Some(rev) = Rev::parse(r) else {
                        return true;
                    };
                    !state.knows(id, &rev)
                })
                .cloned()
                .collect();
            if !lacking.is_empty() {
                missing.insert(id.clone(), lacking);
            }
        }
        Ok(missing)
    }

    async fn apply(&self, docs: Vec<Value>) -> Result<ApplyReport, SyncError> {
        let mut state = self.state.borrow_mut();
        let mut report = ApplyReport::default();
        for doc in &docs {
            match state.apply_one(doc) {
                Ok(Outcome::Stored) => report.applied += 1,
                Ok(Outcome::Ignored) => report.ignored += 1,
                Ok(Outcome::Conflict) => report.conflicts += 1,
                Err(refusal) => {
                    if !state.refused.contains(&refusal) {
                        state.refused.push(refusal.clone());
                    }
                    report.refused.push(refusal);
                }
            }
        }
        Ok(report)
    }

    async fn checkpoint(&self, replication_id: &str) -> Result<Option<Seq>, SyncError> {
        Ok(self.state.borrow().checkpoints.get(replication_id).cloned())
    }

    async fn save_checkpoint(&self, replication_id: &str, seq: &Seq) -> Result<(), SyncError> {
        self.state
            .borrow_mut()
            .checkpoints
            .insert(replication_id.to_string(), seq.clone());
        Ok(())
    }
}

/// A document body with `_id` and the fields of `record`, for the server.
pub fn doc_of(record: &SyncRecord) -> Value {
    let mut doc = document::encode(record).unwrap();
    doc["_id"] = Value::from(record.doc_id());
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    fn doc(id: &str, path: &RevPath, body: Value, deleted: bool) -> Value {
        let mut doc = body;
        doc["_id"] = Value::from(id);
        doc["_rev"] = Value::from(path.head().to_string());
        doc["_revisions"] = path.to_value();
        if deleted {
            doc["_deleted"] = Value::from(true);
        }
        doc
    }

    #[test]
    fn the_server_keeps_branches_extends_leaves_and_lists_every_leaf() {
        let server = Scripted::new();
        let base = RevPath::next(None, &json!({"n": 1}), false);
        let left = RevPath::next(Some(&base), &json!({"n": 2}), false);
        let right = RevPath::next(Some(&base), &json!({"n": 3}), false);
        let on_left = RevPath::next(Some(&left), &json!({"n": 4}), false);
        for p in [&base, &left, &right, &on_left] {
            let body = json!({"n": p.start});
            assert!(block_on(server.bulk_docs(&[doc("d", p, body, false)]))
                .unwrap()
                .is_empty());
        }
        // The same revision again changes nothing.
        block_on(server.bulk_docs(&[doc("d", &left, json!({}), false)])).unwrap();
        let page = block_on(server.changes(&Seq::start(), 10, None)).unwrap();
        assert_eq!(page.results.len(), 1);
        assert_eq!(page.last_seq, Seq(Value::from(4)));
        let mut leaves = page.results[0].revs.clone();
        assert_eq!(
            leaves[0],
            on_left.head().to_string(),
            "the longer path wins"
        );
        leaves.sort();
        let mut expected = vec![on_left.head().to_string(), right.head().to_string()];
        expected.sort();
        assert_eq!(leaves, expected);

        let asked = RevsByDoc::from([(
            "d".to_string(),
            vec![base.head().to_string(), "9-abc".to_string()],
        )]);
        let lacking = block_on(server.revs_diff(&asked)).unwrap();
        assert_eq!(lacking["d"], vec!["9-abc".to_string()]);

        let got = block_on(server.bulk_get(&[
            ("d".to_string(), on_left.head().to_string()),
            ("d".to_string(), left.head().to_string()),
        ]))
        .unwrap();
        let full = got[0].as_ref().unwrap();
        assert_eq!(RevPath::from_value(&full["_revisions"]), Some(on_left));
        // Only leaves keep a body.
        assert_eq!(got[1].as_ref().unwrap_err().error, "not_found");
    }

    #[test]
    fn a_local_document_needs_its_current_rev() {
        let server = Scripted::new();
        block_on(server.put_local("r", &json!({"last_seq": 1}))).unwrap();
        let read = block_on(server.get_local("r")).unwrap().unwrap();
        assert_eq!(read["_rev"], "0-1");
        let stale = block_on(server.put_local("r", &json!({"last_seq": 2})));
        assert_eq!(stale, Err(conflict()));
        let mut next = read.clone();
        next["last_seq"] = Value::from(2);
        block_on(server.put_local("r", &next)).unwrap();
        assert_eq!(block_on(server.put_local("r", &next)), Err(conflict()));
        assert_eq!(server.local_doc("r").unwrap()["last_seq"], 2);
    }

    #[test]
    fn faults_answer_the_scripted_calls_and_are_counted() {
        let server = Scripted::new();
        let offline = RemoteError::Offline("down".to_string());
        server.fail_after(Call::Info, 1, 2, offline.clone());
        let answers: Vec<bool> = (0..4).map(|_| block_on(server.info()).is_ok()).collect();
        assert_eq!(answers, [true, false, false, true]);
        assert_eq!(server.calls(Call::Info), 4);

        let path = RevPath::next(None, &json!({}), false);
        server.lose_answer(Call::BulkDocs, 1, offline.clone());
        let lost = block_on(server.bulk_docs(&[doc("d", &path, json!({}), false)]));
        assert_eq!(lost, Err(offline));
        assert_eq!(server.leaves("d"), vec![path.head().to_string()]);
        server.forget();
        assert_eq!(server.leaves("d"), Vec::<String>::new());
    }
}
