//! The replication protocol's steps over [`Remote`] and [`Local`]: push the
//! outbox (`_revs_diff`, `_bulk_docs new_edits:false`), pull `_changes` from
//! the checkpoint (`_bulk_get`, apply, checkpoint in `_local/<id>` on the
//! server and on the desk).
//!
//! Every step can fail half way (a lost connection, a 500): nothing is
//! marked done before the server or the desk confirmed it, and both sides
//! are idempotent (revisions are made deterministically, applying twice
//! changes nothing), so the caller simply runs the step again.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

use md5::{Digest, Md5};
use serde_json::{Map, Value};

use super::local::{ApplyReport, Local, Outgoing, PendingPage, SyncError};
use super::remote::{ChangesPage, DocError, Remote, RemoteError, RevsByDoc, Seq, WriteFailure};
use super::rev::{Rev, RevPath};
use crate::services::join::join2 as join;

/// Documents per `_bulk_docs` / `_bulk_get` and changes per `_changes` page.
pub const BATCH: usize = 500;

/// Pages a [`Replicator::catch_up`] applies between two saves of its
/// checkpoint (each costs two requests to the server and a commit): a
/// reload replays at most these, and applying again changes nothing.
pub const CHECKPOINT_PAGES: usize = 10;

/// How many earlier checkpoints the server's `_local` document remembers: a
/// desk whose own copy is behind the server's (the desk's save failed after
/// the server's) still finds its place among them.
const HISTORY_LIMIT: usize = 20;

static RUNS: AtomicU64 = AtomicU64::new(1);

/// The id of one desk's replication with one database: the name of its
/// checkpoint documents. The same desk and URL always give the same id.
pub fn replication_id(desk_id: &str, db_url: &str) -> String {
    let url = db_url.trim().trim_end_matches('/');
    let mut hasher = Md5::new();
    hasher.update(desk_id.as_bytes());
    hasher.update([0]);
    hasher.update(url.as_bytes());
    let short: String = hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("license-desk-{short}")
}

/// What one [`Replicator::push`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    /// Local changes the server now holds (sent now, or found already there).
    pub sent: usize,
    /// Changes the server refused (its reason); they stay queued.
    pub refused: Vec<WriteFailure>,
}

/// What one [`Replicator::pull`] round (or a [`Replicator::catch_up`]) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullReport {
    /// Documents fetched from the server and handed to the desk.
    pub received: usize,
    pub applied: ApplyReport,
    /// Revisions listed by `_changes` that `_bulk_get` could not return
    /// (replaced or removed since): a later change brings the newer one.
    pub unavailable: Vec<DocError>,
    /// The page was not full: the desk has everything the server had.
    pub caught_up: bool,
}

impl PullReport {
    /// Adds a later round's report to this one.
    fn add(&mut self, later: PullReport) {
        self.received += later.received;
        self.applied.applied += later.applied.applied;
        self.applied.ignored += later.applied.ignored;
        self.applied.conflicts += later.applied.conflicts;
        self.applied.refused.extend(later.applied.refused);
        self.unavailable.extend(later.unavailable);
        self.caught_up = later.caught_up;
    }
}

/// Which way a [`Transfer`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sending,
    Receiving,
}

/// How far a push or a catch-up of more than one page has got, in changes:
/// those done, of the total when it is known (a push: the queue when it
/// began; a catch-up: what the server says is left, or on a first sync the
/// server's document count; a server that says neither leaves it unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub done: usize,
    pub total: Option<usize>,
}

impl Transfer {
    fn new(done: usize, total: Option<usize>) -> Transfer {
        // A total read before changes were queued or made on the server
        // may fall behind: never less than what is done.
        Transfer {
            done,
            total: total.map(|t| t.max(done)),
        }
    }
}

/// Told each [`Transfer`] of a long push or catch-up.
pub type OnTransfer<'a> = &'a dyn Fn(Direction, Transfer);

/// One page of local changes the server answered for.
#[derive(Default)]
struct Sent {
    /// The server has them (stored now, or it had them already).
    stored: Vec<Outgoing>,
    /// The server refused them, with its reason.
    refused: Vec<(Outgoing, WriteFailure)>,
}

/// Where a [`Replicator::catch_up`] stands: the sequence applied, and the
/// checkpoint as last read or saved.
struct Checkpoint {
    /// The server's checkpoint document as read (taken by the first save;
    /// later saves read it again, as the first changed it).
    server: Option<Option<Value>>,
    desk: Option<Seq>,
    applied: Seq,
    /// Pages applied since the last save.
    unsaved: usize,
}

/// One page of the server's changes, fetched and not yet applied.
struct Fetched {
    /// How many changes the page listed (a full page means more may follow).
    listed: usize,
    last_seq: Seq,
    docs: Vec<Value>,
    unavailable: Vec<DocError>,
}

/// One desk replicating with one database.
///
/// Run one step at a time, pushing before pulling when both are due: a local
/// change that reached the server is a revision there, so an edit pulled over
/// it is a conflict both sides keep, never a silent overwrite.
pub struct Replicator<'a, R, L> {
    remote: &'a R,
    local: &'a L,
    replication_id: String,
    session_id: String,
    batch: usize,
    on_transfer: Option<OnTransfer<'a>>,
}

impl<'a, R: Remote, L: Local> Replicator<'a, R, L> {
    pub fn new(remote: &'a R, local: &'a L, replication_id: String) -> Self {
        // The desk keeps only a sequence (Local::checkpoint), so checkpoints
        // are matched by sequence; the session id only tells a person reading
        // the `_local` document which run of this page wrote each entry.
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        let session_id = format!("{replication_id}-run-{run}");
        Replicator {
            remote,
            local,
            replication_id,
            session_id,
            batch: BATCH,
            on_transfer: None,
        }
    }

    /// Tells `on_transfer` how far a push or a catch-up has got, when it
    /// takes more than one page (the Sync page's progress bars).
    pub fn with_progress(mut self, on_transfer: OnTransfer<'a>) -> Self {
        self.on_transfer = Some(on_transfer);
        self
    }

    fn tell(&self, direction: Direction, transfer: Option<Transfer>) {
        if let (Some(on_transfer), Some(transfer)) = (self.on_transfer, transfer) {
            on_transfer(direction, transfer);
        }
    }

    /// Documents per request and changes per page instead of [`BATCH`]
    /// (tests use small pages to cross many of them).
    pub fn with_batch(mut self, batch: usize) -> Self {
        self.batch = batch.max(1);
        self
    }

    pub fn replication_id(&self) -> &str {
        &self.replication_id
    }

    /// Sends every queued local change, a page of the batch size at a time,
    /// in one pass over the queue: while one page is on its way to the
    /// server, the desk marks the page before as sent and reads the page
    /// after, so the time approaches the larger of the server's and the
    /// desk's share rather than their sum. A change the server refuses stays
    /// queued and is reported; the pass goes on with the changes behind it
    /// (the next push sends it again). Changes queued behind the pass (a
    /// record saved meanwhile) go with the next push, which their commit
    /// wakes.
    pub async fn push(&self) -> Result<PushReport, SyncError> {
        let mut report = PushReport::default();
        let mut page = self.local.pending_after(None, self.batch).await?;
        let total = match (self.on_transfer, &page.next) {
            (Some(_), Some(_)) => Some(usize::try_from(self.local.waiting().await?).ok()),
            _ => None,
        };
        let sending = |report: &PushReport| {
            let done = report.sent + report.refused.len();
            total.map(|total| Transfer::new(done, total))
        };
        self.tell(Direction::Sending, sending(&report));
        let mut previous = Sent::default();
        loop {
            let PendingPage { changes, next } = page;
            let desk = async {
                let settled = self.settle(&previous).await;
                let following = match &next {
                    Some(after) => Some(self.local.pending_after(Some(after), self.batch).await),
                    None => None,
                };
                (settled, following)
            };
            let (sent, (settled, following)) = join(self.send(&changes), desk).await;
            settled?;
            let answered = previous.stored.len() + previous.refused.len();
            report.sent += previous.stored.len();
            report
                .refused
                .extend(previous.refused.into_iter().map(|(_, f)| f));
            if answered > 0 {
                self.tell(Direction::Sending, sending(&report));
            }
            previous = sent?;
            match following {
                Some(following) => page = following?,
                None => break,
            }
        }
        self.settle(&previous).await?;
        report.sent += previous.stored.len();
        report
            .refused
            .extend(previous.refused.into_iter().map(|(_, f)| f));
        self.tell(Direction::Sending, sending(&report));
        Ok(report)
    }

    /// One page of changes to the server: those it lacks (`_revs_diff`) are
    /// sent (`_bulk_docs new_edits:false`). First revisions are sent without
    /// asking: a record's first revision is on the server only if this desk
    /// sent it before (its answer lost, or the desk's sync state since
    /// restored or reset), and sending a revision the server has again
    /// changes nothing there (same revision, no new branch, no new change in
    /// its feed). On a desk's first sync that is every document, and the
    /// question costs a third of the server's time.
    async fn send(&self, batch: &[Outgoing]) -> Result<Sent, SyncError> {
        if batch.is_empty() {
            return Ok(Sent::default());
        }
        let mut asked = RevsByDoc::new();
        for outgoing in batch {
            let (id, rev) = id_and_rev(&outgoing.doc)?;
            if !is_first(&rev) {
                asked.entry(id).or_default().push(rev);
            }
        }
        let lacking = if asked.is_empty() {
            RevsByDoc::new()
        } else {
            self.remote.revs_diff(&asked).await?
        };
        let goes = |o: &Outgoing| is_first_doc(&o.doc) || is_listed(&lacking, &o.doc);
        let to_send: Vec<Value> = batch
            .iter()
            .filter(|o| goes(o))
            .map(|o| o.doc.clone())
            .collect();
        let mut failures = if to_send.is_empty() {
            Vec::new()
        } else {
            self.remote.bulk_docs(&to_send).await?
        };
        self.forget_known_refusals(batch, &mut failures).await?;
        let mut sent = Sent::default();
        for outgoing in batch {
            let failure = goes(outgoing)
                .then(|| failures.iter().find(|f| names(f, &outgoing.doc)))
                .flatten();
            match failure {
                Some(failure) => sent.refused.push((outgoing.clone(), failure.clone())),
                None => sent.stored.push(outgoing.clone()),
            }
        }
        Ok(sent)
    }

    /// Drops the refusals of first revisions the server has already: sent
    /// unasked, such a revision may be judged again by the server's
    /// `validate_doc_update` (a person since made a reader refused), though
    /// the server holds it and the desk has nothing left to send.
    async fn forget_known_refusals(
        &self,
        batch: &[Outgoing],
        failures: &mut Vec<WriteFailure>,
    ) -> Result<(), SyncError> {
        let mut asked = RevsByDoc::new();
        for outgoing in batch.iter().filter(|o| is_first_doc(&o.doc)) {
            if failures.iter().any(|f| names(f, &outgoing.doc)) {
                let (id, rev) = id_and_rev(&outgoing.doc)?;
                asked.entry(id).or_default().push(rev);
            }
        }
        if asked.is_empty() {
            return Ok(());
        }
        let lacking = self.remote.revs_diff(&asked).await?;
        failures.retain(|f| {
            let known = batch
                .iter()
                .any(|o| is_first_doc(&o.doc) && names(f, &o.doc) && !is_listed(&lacking, &o.doc));
            !known
        });
        Ok(())
    }

    /// Tells the desk what the server answered for a page: refused changes
    /// stay queued, stored ones are marked sent.
    async fn settle(&self, sent: &Sent) -> Result<(), SyncError> {
        if !sent.refused.is_empty() {
            let refused: Vec<Outgoing> = sent.refused.iter().map(|(o, _)| o.clone()).collect();
            self.local.keep_queued(&refused).await?;
        }
        if !sent.stored.is_empty() {
            self.local.mark_sent(&sent.stored).await?;
        }
        Ok(())
    }

    /// One pull round: the changes after the checkpoint (waiting up to
    /// `wait_ms` for one when given), the revisions the desk lacks, applied
    /// in one commit; the checkpoint moves only once they are applied.
    pub async fn pull(&self, wait_ms: Option<u32>) -> Result<PullReport, SyncError> {
        let server = self.remote.get_local(&self.replication_id).await?;
        let desk = self.local.checkpoint(&self.replication_id).await?;
        let since = start_from(desk.as_ref(), server.as_ref());
        let fetched = self.fetch(&since, wait_ms).await?;
        self.settle_page(fetched, &since, server, desk.as_ref())
            .await
    }

    /// Pull rounds until the desk has everything the server had (the first
    /// waiting up to `wait_ms` for a change when given), as a pipeline: while
    /// the desk applies one page, the server sends the next page's documents
    /// and lists the page after, so the time approaches the larger of the
    /// server's and the desk's share rather than their sum. What the desk
    /// lacks of a page is read before the page before is written (a read
    /// issued after a write waits for it). The checkpoint moves only past
    /// applied pages: every [`CHECKPOINT_PAGES`] pages, at the end, and
    /// before a failure is returned. Once the desk lacks most of a page
    /// (a first sync into an empty desk), the pages after come with their
    /// documents (`include_docs`), and `_bulk_get` only fetches what those
    /// can't give (later revisions, with their path).
    pub async fn catch_up(&self, wait_ms: Option<u32>) -> Result<PullReport, SyncError> {
        let server = self.remote.get_local(&self.replication_id).await?;
        let desk = self.local.checkpoint(&self.replication_id).await?;
        let start = start_from(desk.as_ref(), server.as_ref());
        let mut checkpoint = Checkpoint {
            server: Some(server),
            desk,
            applied: start.clone(),
            unsaved: 0,
        };
        let mut total = PullReport::default();
        let mut page = self
            .remote
            .changes(&start, self.batch as u32, wait_ms)
            .await?;
        let mut receiving = match self.on_transfer {
            Some(_) if self.is_full(&page) => {
                let known = match page.pending {
                    Some(left) => Some(page.results.len() as u64 + left),
                    // A first sync goes through every document once.
                    None if start == Seq::start() => {
                        let info = self.remote.info().await?;
                        Some(info.doc_count + info.doc_del_count)
                    }
                    None => None,
                };
                Some(Transfer::new(
                    0,
                    known.and_then(|n| usize::try_from(n).ok()),
                ))
            }
            _ => None,
        };
        self.tell(Direction::Receiving, receiving);
        let wanted = self.lacking(&page).await?;
        let mut with_docs = lacks_most(&page, &wanted);
        let (mut docs, mut unavailable) = self.documents(HashMap::new(), &wanted).await?;
        let mut next = if self.is_full(&page) {
            Some(self.next_page(&page.last_seq, with_docs).await?)
        } else {
            None
        };
        loop {
            let next_wanted = match &next {
                Some(next) => {
                    let wanted = self.lacking(next).await?;
                    with_docs = lacks_most(next, &wanted);
                    Some(wanted)
                }
                None => None,
            };
            let given = next.as_mut().map(given_docs).unwrap_or_default();
            let received = docs.len();
            let desk_side = async {
                if docs.is_empty() {
                    Ok(ApplyReport::default())
                } else {
                    self.local.apply(docs).await
                }
            };
            let server_side = async {
                let Some(wanted) = next_wanted else {
                    return Ok(None);
                };
                let documents = self.documents(given, &wanted).await?;
                let after = match &next {
                    Some(next) if self.is_full(next) => {
                        Some(self.next_page(&next.last_seq, with_docs).await?)
                    }
                    _ => None,
                };
                Ok::<_, SyncError>(Some((documents, after)))
            };
            let (applied, fetched) = join(desk_side, server_side).await;
            let applied = match applied {
                Ok(applied) => applied,
                Err(e) => {
                    self.keep_place(&mut checkpoint).await?;
                    return Err(e);
                }
            };
            checkpoint.applied = page.last_seq.clone();
            checkpoint.unsaved += 1;
            if let Some(r) = receiving.as_mut().filter(|_| !page.results.is_empty()) {
                let done = r.done + page.results.len();
                let left = next
                    .as_ref()
                    .and_then(|n| Some(n.results.len() + usize::try_from(n.pending?).ok()?));
                *r = Transfer::new(done, left.map(|l| done + l).or(r.total));
                self.tell(Direction::Receiving, receiving);
            }
            total.add(PullReport {
                received,
                applied,
                unavailable: std::mem::take(&mut unavailable),
                caught_up: next.is_none(),
            });
            let fetched = match fetched {
                Ok(fetched) => fetched,
                Err(e) => {
                    self.keep_place(&mut checkpoint).await?;
                    return Err(e);
                }
            };
            let (Some(((following_docs, following_unavailable), after)), Some(following)) =
                (fetched, next.take())
            else {
                self.keep_place(&mut checkpoint).await?;
                return Ok(total);
            };
            if checkpoint.unsaved >= CHECKPOINT_PAGES {
                self.keep_place(&mut checkpoint).await?;
            }
            page = following;
            docs = following_docs;
            unavailable = following_unavailable;
            next = after;
        }
    }

    /// The page of changes after `since`, with its documents when the desk
    /// lacked most of the page before (see [`lacks_most`]).
    async fn next_page(&self, since: &Seq, with_docs: bool) -> Result<ChangesPage, SyncError> {
        let limit = self.batch as u32;
        Ok(if with_docs {
            self.remote.changes_with_docs(since, limit).await?
        } else {
            self.remote.changes(since, limit, None).await?
        })
    }

    /// Saves the checkpoint of what `checkpoint` says is applied, unless
    /// both sides have it already.
    async fn keep_place(&self, checkpoint: &mut Checkpoint) -> Result<(), SyncError> {
        if checkpoint.desk.as_ref() == Some(&checkpoint.applied) {
            return Ok(());
        }
        let server = match checkpoint.server.take() {
            Some(read) => read,
            None => self.remote.get_local(&self.replication_id).await?,
        };
        self.save_checkpoint(server, &checkpoint.applied).await?;
        checkpoint.desk = Some(checkpoint.applied.clone());
        checkpoint.unsaved = 0;
        Ok(())
    }

    fn is_full(&self, page: &ChangesPage) -> bool {
        page.results.len() >= self.batch
    }

    /// The changes after `since` and the documents of those the desk lacks.
    async fn fetch(&self, since: &Seq, wait_ms: Option<u32>) -> Result<Fetched, SyncError> {
        let page = self
            .remote
            .changes(since, self.batch as u32, wait_ms)
            .await?;
        let wanted = self.lacking(&page).await?;
        let (docs, unavailable) = self.documents(HashMap::new(), &wanted).await?;
        Ok(Fetched {
            listed: page.results.len(),
            last_seq: page.last_seq,
            docs,
            unavailable,
        })
    }

    /// The revisions of a page of changes the desk lacks, in the feed's
    /// order, each once.
    async fn lacking(&self, page: &ChangesPage) -> Result<Vec<(String, String)>, SyncError> {
        let mut leaves = RevsByDoc::new();
        for change in &page.results {
            let revs = leaves.entry(change.id.clone()).or_default();
            for rev in &change.revs {
                if !revs.contains(rev) {
                    revs.push(rev.clone());
                }
            }
        }
        let lacking = if leaves.is_empty() {
            RevsByDoc::new()
        } else {
            self.local.missing(&leaves).await?
        };
        let mut wanted: Vec<(String, String)> = Vec::new();
        let mut listed: BTreeSet<(&str, &str)> = BTreeSet::new();
        for change in &page.results {
            for rev in lacking.get(&change.id).into_iter().flatten() {
                if listed.insert((change.id.as_str(), rev.as_str())) {
                    wanted.push((change.id.clone(), rev.clone()));
                }
            }
        }
        Ok(wanted)
    }

    /// The documents of `wanted`: those `given` with the feed (see
    /// [`given_docs`]), the rest by `_bulk_get`, a batch at a time (a page of
    /// changes can list more leaves than a batch); and those the server
    /// could not return.
    async fn documents(
        &self,
        mut given: HashMap<(String, String), Value>,
        wanted: &[(String, String)],
    ) -> Result<(Vec<Value>, Vec<DocError>), SyncError> {
        let asked: Vec<(String, String)> = wanted
            .iter()
            .filter(|w| !given.contains_key(*w))
            .cloned()
            .collect();
        let mut fetched = HashMap::with_capacity(asked.len());
        let mut unavailable = Vec::new();
        for chunk in asked.chunks(self.batch) {
            for (answer, key) in self.remote.bulk_get(chunk).await?.into_iter().zip(chunk) {
                match answer {
                    Ok(doc) => {
                        fetched.insert(key.clone(), doc);
                    }
                    Err(error) => unavailable.push(error),
                }
            }
        }
        // In the feed's order, whichever way each came.
        let docs = wanted
            .iter()
            .filter_map(|w| given.remove(w).or_else(|| fetched.remove(w)))
            .collect();
        Ok((docs, unavailable))
    }

    /// Applies a fetched page, then moves the checkpoint past it (`server`:
    /// the server's checkpoint document as read; `desk`: the desk's).
    async fn settle_page(
        &self,
        fetched: Fetched,
        since: &Seq,
        server: Option<Value>,
        desk: Option<&Seq>,
    ) -> Result<PullReport, SyncError> {
        let Fetched {
            listed,
            last_seq,
            docs,
            unavailable,
        } = fetched;
        let received = docs.len();
        let applied = if docs.is_empty() {
            ApplyReport::default()
        } else {
            self.local.apply(docs).await?
        };
        if last_seq != *since || desk != Some(since) {
            self.save_checkpoint(server, &last_seq).await?;
        }
        Ok(PullReport {
            received,
            applied,
            unavailable,
            caught_up: listed < self.batch,
        })
    }

    /// The server's copy first, then the desk's: if the desk's save fails,
    /// the server's history still holds the desk's older sequence, so the
    /// next round starts there (and replays a little, which is safe).
    async fn save_checkpoint(&self, read: Option<Value>, seq: &Seq) -> Result<(), SyncError> {
        let doc = self.checkpoint_doc(read.as_ref(), seq);
        match self.remote.put_local(&self.replication_id, &doc).await {
            Ok(()) => {}
            // Another tab of this desk saved it since we read it.
            Err(RemoteError::Server { status: 409, .. }) => {
                let current = self.remote.get_local(&self.replication_id).await?;
                let doc = self.checkpoint_doc(current.as_ref(), seq);
                self.remote.put_local(&self.replication_id, &doc).await?;
            }
            Err(error) => return Err(error.into()),
        }
        self.local.save_checkpoint(&self.replication_id, seq).await
    }

    /// The `_local` checkpoint document as CouchDB's replicator writes it,
    /// replacing `previous` (its `_rev`, its history).
    fn checkpoint_doc(&self, previous: Option<&Value>, seq: &Seq) -> Value {
        let mut doc = Map::new();
        doc.insert(
            "_id".to_string(),
            Value::from(format!("_local/{}", self.replication_id)),
        );
        if let Some(rev) = previous.and_then(|p| p.get("_rev")) {
            doc.insert("_rev".to_string(), rev.clone());
        }
        doc.insert("last_seq".to_string(), seq.0.clone());
        doc.insert(
            "session_id".to_string(),
            Value::from(self.session_id.clone()),
        );
        let mut history = vec![serde_json::json!({
            "session_id": self.session_id,
            "recorded_seq": seq.0,
        })];
        if let Some(Value::Array(earlier)) = previous.and_then(|p| p.get("history")) {
            history.extend(earlier.iter().take(HISTORY_LIMIT - 1).cloned());
        }
        doc.insert("history".to_string(), Value::Array(history));
        Value::Object(doc)
    }
}

/// Where a pull starts: the desk's checkpoint when the server's checkpoint
/// knows it (as its last sequence or in its history), else the beginning.
/// A server that lost its copy (restarted in memory, database recreated)
/// has a new changes feed, where the desk's old sequence means nothing.
fn start_from(desk: Option<&Seq>, server: Option<&Value>) -> Seq {
    let (Some(desk), Some(server)) = (desk, server) else {
        return Seq::start();
    };
    let known = server.get("last_seq") == Some(&desk.0)
        || server
            .get("history")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|h| h.get("recorded_seq") == Some(&desk.0));
    if known {
        desk.clone()
    } else {
        Seq::start()
    }
}

fn id_and_rev(doc: &Value) -> Result<(String, String), SyncError> {
    let id = doc.get("_id").and_then(Value::as_str);
    let rev = doc.get("_rev").and_then(Value::as_str);
    match (id, rev) {
        (Some(id), Some(rev)) => Ok((id.to_string(), rev.to_string())),
        _ => Err(SyncError::Other(
            "A queued change has no _id or _rev; it can't be sent.".to_string(),
        )),
    }
}

/// Whether the desk lacked most of `page`: then the page after is asked
/// with its documents (a first sync into an empty desk). A desk that knows
/// most of what the feed lists (its own push coming back) asks without:
/// the server would read documents for nothing.
fn lacks_most(page: &ChangesPage, wanted: &[(String, String)]) -> bool {
    2 * wanted.len() > page.results.len()
}

/// Takes out of `page` the documents it came with that are complete: a
/// first revision, the document's only leaf (its path is the revision
/// itself, added as `_bulk_get` gives it; a later revision needs
/// `_bulk_get` for its `_revisions`), by (id, revision).
fn given_docs(page: &mut ChangesPage) -> HashMap<(String, String), Value> {
    let mut given = HashMap::new();
    for change in &mut page.results {
        let Some(Value::Object(mut doc)) = change.doc.take() else {
            continue;
        };
        let [rev] = change.revs.as_slice() else {
            continue;
        };
        let Some(first) = Rev::parse(rev).filter(|r| r.pos == 1) else {
            continue;
        };
        if doc.get("_rev").and_then(Value::as_str) == Some(rev.as_str()) {
            doc.insert("_revisions".into(), RevPath::of(&first).to_value());
            given.insert((change.id.clone(), rev.clone()), Value::Object(doc));
        }
    }
    given
}

/// Whether `rev` is a first revision (generation 1: it has no parent).
fn is_first(rev: &str) -> bool {
    Rev::parse(rev).is_some_and(|r| r.pos == 1)
}

fn is_first_doc(doc: &Value) -> bool {
    doc.get("_rev")
        .and_then(Value::as_str)
        .is_some_and(is_first)
}

/// Whether `doc`'s revision is among `revs` (a `_revs_diff` answer).
fn is_listed(revs: &BTreeMap<String, Vec<String>>, doc: &Value) -> bool {
    let id = doc.get("_id").and_then(Value::as_str).unwrap_or_default();
    let rev = doc.get("_rev").and_then(Value::as_str).unwrap_or_default();
    revs.get(id).is_some_and(|r| r.iter().any(|r| r == rev))
}

/// Whether a `_bulk_docs` failure is about `doc` (CouchDB names the id, and
/// the revision when it knows it).
fn names(failure: &WriteFailure, doc: &Value) -> bool {
    let id = doc.get("_id").and_then(Value::as_str).unwrap_or_default();
    let rev = doc.get("_rev").and_then(Value::as_str).unwrap_or_default();
    failure.id == id && failure.rev.as_deref().is_none_or(|r| r == rev)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{build_demo_data, DemoData, DemoSize};
    use crate::domain::{License, Seats};
    use crate::sync::document::SyncRecord;
    use crate::sync::local::Refusal;
    use crate::sync::rev::{self, Rev};
    use crate::sync::scripted::{doc_of, Call, Desk, Scripted};
    use chrono::NaiveDate;
    use futures::executor::block_on;
    use serde_json::{json, Value};

    const URL: &str = "https://couch.example.com/team";
    /// Small pages, so the demo data crosses many of them.
    const BATCH: usize = 200;

    /// Desk A holding every demo record of a synced store, desk B empty,
    /// one scripted server.
    struct Team {
        demo: DemoData,
        all: Vec<SyncRecord>,
        server: Scripted,
        a: Desk,
        b: Desk,
    }

    impl Team {
        fn new() -> Team {
            let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            let demo =
                build_demo_data(today, today.and_hms_opt(9, 0, 0).unwrap(), DemoSize::Normal);
            let all = records(&demo);
            Team {
                a: desk_with(&all),
                b: Desk::new(),
                server: Scripted::new(),
                demo,
                all,
            }
        }

        /// A pushed everything and B pulled it: both start from one base.
        fn shared() -> Team {
            let team = Team::new();
            block_on(team.ra().push()).unwrap();
            pull_all(&team.rb());
            team
        }

        fn n(&self) -> usize {
            self.all.len()
        }

        /// A's replicator; a new one is what a reload makes.
        fn ra(&self) -> Replicator<'_, Scripted, Desk> {
            Replicator::new(&self.server, &self.a, replication_id("desk-a", URL)).with_batch(BATCH)
        }

        fn rb(&self) -> Replicator<'_, Scripted, Desk> {
            Replicator::new(&self.server, &self.b, replication_id("desk-b", URL)).with_batch(BATCH)
        }

        fn license(&self, i: usize) -> License {
            self.demo.licenses[i].clone()
        }
    }

    /// Every record the demo has in a synced store.
    fn records(d: &DemoData) -> Vec<SyncRecord> {
        let mut all: Vec<SyncRecord> = Vec::new();
        all.extend(d.users.iter().cloned().map(SyncRecord::User));
        all.extend(d.packages.iter().cloned().map(SyncRecord::Package));
        all.extend(d.versions.iter().cloned().map(SyncRecord::PackageVersion));
        all.extend(d.accounts.iter().cloned().map(SyncRecord::Account));
        all.extend(d.contacts.iter().cloned().map(SyncRecord::Contact));
        all.extend(d.leads.iter().cloned().map(SyncRecord::Lead));
        all.extend(d.licenses.iter().cloned().map(SyncRecord::License));
        all.extend(d.history.iter().cloned().map(SyncRecord::History));
        all.extend(d.installs.iter().cloned().map(SyncRecord::InstallEvent));
        all
    }

    fn desk_with(records: &[SyncRecord]) -> Desk {
        let desk = Desk::new();
        for record in records {
            desk.save(record);
        }
        desk
    }

    #[derive(Debug, Default)]
    struct Totals {
        rounds: usize,
        received: usize,
        applied: usize,
        ignored: usize,
        conflicts: usize,
        refused: Vec<Refusal>,
        unavailable: Vec<DocError>,
    }

    /// Pull rounds until caught up (at most 100: a replicator that never
    /// catches up fails the test).
    fn pull_all(r: &Replicator<'_, Scripted, Desk>) -> Totals {
        let mut totals = Totals::default();
        for _ in 0..100 {
            let report = block_on(r.pull(None)).unwrap();
            totals.rounds += 1;
            totals.received += report.received;
            totals.applied += report.applied.applied;
            totals.ignored += report.applied.ignored;
            totals.conflicts += report.applied.conflicts;
            totals.refused.extend(report.applied.refused);
            totals.unavailable.extend(report.unavailable);
            if report.caught_up {
                return totals;
            }
        }
        panic!("never caught up: {totals:?}");
    }

    fn with_seats(l: &License, n: u32) -> SyncRecord {
        let mut l = l.clone();
        l.seats = Seats::count(n).unwrap();
        SyncRecord::License(l)
    }

    fn doc_id(l: &License) -> String {
        SyncRecord::License(l.clone()).doc_id()
    }

    fn seats(record: Option<SyncRecord>) -> Seats {
        match record {
            Some(SyncRecord::License(l)) => l.seats,
            other => panic!("not a license: {other:?}"),
        }
    }

    fn no_duplicates(written: &[(String, String)]) {
        let mut seen = BTreeSet::new();
        for w in written {
            assert!(seen.insert(w), "applied twice: {w:?}");
        }
    }

    fn internal() -> RemoteError {
        RemoteError::Server {
            status: 500,
            reason: "internal".into(),
        }
    }

    #[test]
    fn a_first_push_reaches_a_second_desk_whole() {
        let t = Team::new();
        let n = t.n();
        assert!(n > 3 * BATCH, "the demo spans several batches: {n}");
        let pushed = block_on(t.ra().push()).unwrap();
        assert_eq!(pushed.sent, n);
        assert!(pushed.refused.is_empty());
        assert!(t.a.outbox().is_empty());
        assert_eq!(t.server.doc_count(), n);
        assert_eq!(t.server.calls(Call::BulkDocs), n.div_ceil(BATCH));

        let got = pull_all(&t.rb());
        assert_eq!((got.received, got.applied, got.conflicts), (n, n, 0));
        assert!(got.refused.is_empty());
        assert_eq!(
            got.rounds,
            n.div_ceil(BATCH) + usize::from(n.is_multiple_of(BATCH))
        );
        for record in &t.all {
            assert_eq!(t.b.record(&record.doc_id()).as_ref(), Some(record));
        }
        // What a desk receives is not sent back.
        assert!(t.b.outbox().is_empty());
        no_duplicates(&t.b.written());

        // Desk A already has its own revisions: its pull fetches nothing.
        let gets = t.server.calls(Call::BulkGet);
        let own = pull_all(&t.ra());
        assert_eq!((own.received, own.applied), (0, 0));
        assert_eq!(t.server.calls(Call::BulkGet), gets);
    }

    /// Every transfer a step told, in order.
    fn told<T>(step: impl FnOnce(OnTransfer<'_>) -> T) -> (T, Vec<(Direction, Transfer)>) {
        let seen = std::cell::RefCell::new(Vec::new());
        let tell = |d: Direction, t: Transfer| seen.borrow_mut().push((d, t));
        let out = step(&tell);
        (out, seen.into_inner())
    }

    /// Counts from 0 up to `last`, never back, each with `total`.
    fn counts_up(
        seen: &[(Direction, Transfer)],
        way: Direction,
        total: Option<usize>,
        last: usize,
    ) {
        assert!(seen.len() > 2, "{seen:?}");
        assert!(
            seen.iter().all(|(d, t)| *d == way && t.total == total),
            "{seen:?}"
        );
        assert_eq!(seen[0].1.done, 0);
        assert!(
            seen.windows(2).all(|w| w[0].1.done < w[1].1.done),
            "{seen:?}"
        );
        assert_eq!(seen.last().map(|(_, t)| t.done), Some(last));
    }

    #[test]
    fn a_first_sync_tells_how_far_it_has_got_of_the_total() {
        let t = Team::new();
        let n = t.n();
        let (pushed, seen) = told(|tell| block_on(t.ra().with_progress(tell).push()));
        assert_eq!(pushed.unwrap().sent, n);
        // The queue's length when the push began, a page at a time.
        counts_up(&seen, Direction::Sending, Some(n), n);
        assert_eq!(seen.len(), n.div_ceil(BATCH) + 1, "{seen:?}");

        // The server says how many changes are left after each page.
        let (got, seen) = told(|tell| block_on(t.rb().with_progress(tell).catch_up(None)));
        assert_eq!(got.unwrap().received, n);
        counts_up(&seen, Direction::Receiving, Some(n), n);

        // One that doesn't (pouchdb-server): a first sync goes through
        // every document once, which the database's counts give.
        t.server.without_pending();
        let c = Desk::new();
        let rc = Replicator::new(&t.server, &c, replication_id("desk-c", URL)).with_batch(BATCH);
        let (got, seen) = told(|tell| block_on(rc.with_progress(tell).catch_up(None)));
        assert_eq!(got.unwrap().received, n);
        counts_up(&seen, Direction::Receiving, Some(n), n);
    }

    #[test]
    fn a_sync_of_one_page_tells_nothing_and_an_unknown_total_stays_unknown() {
        let t = Team::shared();
        t.a.save(&with_seats(&t.license(0), 444));
        let (_, seen) = told(|tell| block_on(t.ra().with_progress(tell).push()));
        assert!(seen.is_empty(), "{seen:?}");
        let (_, seen) = told(|tell| block_on(t.rb().with_progress(tell).catch_up(None)));
        assert!(seen.is_empty(), "{seen:?}");

        // Pages of changes after B's checkpoint, from a server that doesn't
        // say how many are left: B knows how far it got, not of how many.
        let edited = 150;
        for i in 0..edited {
            t.a.save(&with_seats(&t.license(i), 500));
        }
        block_on(t.ra().push()).unwrap();
        t.server.without_pending();
        let rb = t.rb().with_batch(50);
        let (got, seen) = told(|tell| block_on(rb.with_progress(tell).catch_up(None)));
        assert_eq!(got.unwrap().applied.applied, edited);
        counts_up(&seen, Direction::Receiving, None, edited);
    }

    #[test]
    fn catching_up_applies_everything_once_and_saves_its_checkpoint_every_few_pages() {
        let t = Team::new();
        let n = t.n();
        block_on(t.ra().push()).unwrap();
        let got = block_on(t.rb().with_batch(50).catch_up(None)).unwrap();
        assert!(got.caught_up);
        assert_eq!((got.received, got.applied.applied), (n, n));
        // Full pages, then one that is not (or empty).
        let pages = n / 50 + 1;
        assert_eq!(
            t.server.calls(Call::PutLocal),
            pages.div_ceil(CHECKPOINT_PAGES)
        );
        let id = replication_id("desk-b", URL);
        let saved = block_on(t.b.checkpoint(&id)).unwrap();
        assert_eq!(saved, Some(Seq(Value::from(n as u64))));
        assert_eq!(t.b.record_ids().len(), n);
        no_duplicates(&t.b.written());
    }

    #[test]
    fn an_empty_desk_takes_first_revisions_from_the_feed_and_later_ones_with_their_path() {
        let t = Team::new();
        let n = t.n();
        block_on(t.ra().push()).unwrap();
        // Two licenses edited on A since: second revisions, at the feed's end.
        let edited = [t.license(0), t.license(1)];
        for l in &edited {
            t.a.save(&with_seats(l, 321));
        }
        block_on(t.ra().push()).unwrap();

        let got = block_on(t.rb().with_batch(50).catch_up(None)).unwrap();
        assert!(got.caught_up && n > 20 * 50);
        assert_eq!((got.received, got.applied.applied), (n, n));
        assert_eq!(got.applied.conflicts, 0);
        // `_bulk_get` only for the first page (asked before the desk knew
        // it lacks most of the feed) and for the second revisions.
        assert!(t.server.calls(Call::BulkGet) <= 3);
        for id in t.a.record_ids() {
            assert_eq!(t.b.record(&id), t.a.record(&id), "{id}");
            assert_eq!(t.b.rev(&id), t.a.rev(&id), "{id}");
        }
        // B has the second revisions' path: its edit of one is a plain
        // third revision on A, no conflict.
        t.b.save(&with_seats(&edited[0], 322));
        block_on(t.rb().push()).unwrap();
        let on_a = pull_all(&t.ra());
        assert_eq!((on_a.applied, on_a.conflicts), (1, 0));
        let id = doc_id(&edited[0]);
        assert_eq!(t.a.rev(&id).map(|r| r.pos), Some(3));
        assert_eq!(t.server.leaves(&id).len(), 1);
        assert_eq!(seats(t.a.record(&id)), Seats::count(322).unwrap());
    }

    #[test]
    fn a_pull_resumes_from_its_checkpoint_after_a_reload() {
        let t = Team::shared();
        let id = replication_id("desk-b", URL);
        let checkpoint = block_on(t.b.checkpoint(&id)).unwrap().unwrap();
        assert_eq!(checkpoint, Seq(Value::from(t.n() as u64)));
        assert_eq!(t.server.local_doc(&id).unwrap()["last_seq"], checkpoint.0);

        let gets = t.server.calls(Call::BulkGet);
        let again = block_on(t.rb().pull(Some(20_000))).unwrap();
        assert_eq!(t.server.since_asked().last(), Some(&checkpoint));
        assert_eq!(again.received, 0);
        assert!(again.caught_up);
        assert_eq!(t.server.calls(Call::BulkGet), gets);

        // One edit on A: B receives exactly that one.
        let l = t.license(0);
        t.a.save(&with_seats(&l, 4321));
        assert_eq!(block_on(t.ra().push()).unwrap().sent, 1);
        let one = block_on(t.rb().pull(None)).unwrap();
        assert_eq!(t.server.since_asked().last(), Some(&checkpoint));
        assert_eq!((one.received, one.applied.applied), (1, 1));
        assert_eq!(t.b.record(&doc_id(&l)), Some(with_seats(&l, 4321)));
    }

    #[test]
    fn a_push_retried_after_a_lost_answer_makes_no_second_branch() {
        let t = Team::new();
        let n = t.n();
        let reset = RemoteError::Offline("connection reset".into());
        t.server.lose_answer(Call::BulkDocs, 1, reset.clone());
        assert_eq!(block_on(t.ra().push()), Err(SyncError::Remote(reset)));
        // The server stored the first batch, the desk doesn't know it.
        assert_eq!(t.server.doc_count(), BATCH);
        assert_eq!(t.a.outbox().len(), n);

        let retried = block_on(t.ra().push()).unwrap();
        assert_eq!(retried.sent, n);
        assert!(retried.refused.is_empty());
        assert!(t.a.outbox().is_empty());
        // First revisions go unasked: the first batch was sent again, and
        // the server kept one copy of each, one branch, one change.
        assert_eq!(t.server.calls(Call::RevsDiff), 0);
        assert_eq!(t.server.doc_count(), n);
        for record in &t.all {
            let id = record.doc_id();
            assert_eq!(t.server.leaves(&id).len(), 1, "{id}");
        }
        let got = pull_all(&t.rb());
        assert_eq!((got.received, got.applied, got.conflicts), (n, n, 0));
        assert_eq!(
            got.rounds,
            n.div_ceil(BATCH) + usize::from(n.is_multiple_of(BATCH))
        );
        assert_eq!(t.b.record_ids().len(), n);
        no_duplicates(&t.b.written());
        for record in &t.all {
            assert_eq!(t.b.record(&record.doc_id()).as_ref(), Some(record));
        }
    }

    #[test]
    fn a_desk_that_lost_its_sync_state_sends_again_without_doubling_anything() {
        let t = Team::shared();
        let n = t.n();
        // A's records, as a desk restored from a backup taken before sync
        // (no revisions known, everything queued), while the server now
        // refuses every write (its user was made a reader).
        let restored = desk_with(&t.all);
        t.server
            .refuse_when(|_| Some("Readers can't change records.".into()));
        let r =
            Replicator::new(&t.server, &restored, replication_id("desk-a", URL)).with_batch(BATCH);
        let again = block_on(r.push()).unwrap();
        // The server has every one of them: nothing refused, nothing left.
        assert_eq!(again.sent, n);
        assert!(again.refused.is_empty(), "{:?}", again.refused.first());
        assert!(restored.outbox().is_empty());
        assert_eq!(t.server.doc_count(), n);
        for record in &t.all {
            let id = record.doc_id();
            assert_eq!(t.server.leaves(&id).len(), 1, "{id}");
        }
        // Nothing new in the feed: B receives nothing.
        let got = pull_all(&t.rb());
        assert_eq!((got.received, got.conflicts), (0, 0));

        // The restored desk's next edit is a second revision, on the
        // server's first one: B takes it as a plain update.
        t.server.refuse_when(|_| None);
        let l = t.license(0);
        restored.save(&with_seats(&l, 77));
        assert_eq!(block_on(r.push()).unwrap().sent, 1);
        let one = pull_all(&t.rb());
        assert_eq!((one.applied, one.conflicts), (1, 0));
        assert_eq!(t.b.record(&doc_id(&l)), Some(with_seats(&l, 77)));
        assert_eq!(t.server.leaves(&doc_id(&l)).len(), 1);
    }

    #[test]
    fn a_500_mid_push_keeps_the_unconfirmed_changes_queued() {
        let t = Team::new();
        let n = t.n();
        t.server.fail_after(Call::BulkDocs, 1, 1, internal());
        assert_eq!(block_on(t.ra().push()), Err(SyncError::Remote(internal())));
        assert_eq!(t.server.doc_count(), BATCH);
        assert_eq!(t.a.outbox().len(), n - BATCH);
        let rest = block_on(t.ra().push()).unwrap();
        assert_eq!(rest.sent, n - BATCH);
        assert!(t.a.outbox().is_empty());
        assert_eq!(t.server.doc_count(), n);
    }

    #[test]
    fn a_500_mid_pull_applies_nothing_twice_and_keeps_the_checkpoint() {
        let t = Team::new();
        let n = t.n();
        block_on(t.ra().push()).unwrap();
        let rb = t.rb();
        let id = replication_id("desk-b", URL);
        t.server.fail_after(Call::BulkGet, 1, 1, internal());

        let first = block_on(rb.pull(None)).unwrap();
        assert_eq!(first.applied.applied, BATCH);
        let checkpoint = block_on(t.b.checkpoint(&id)).unwrap().unwrap();
        assert_eq!(block_on(rb.pull(None)), Err(SyncError::Remote(internal())));
        assert_eq!(
            block_on(t.b.checkpoint(&id)).unwrap(),
            Some(checkpoint.clone())
        );
        assert_eq!(t.server.local_doc(&id).unwrap()["last_seq"], checkpoint.0);
        assert_eq!(t.b.record_ids().len(), BATCH);

        let rest = pull_all(&rb);
        assert_eq!(t.server.since_asked()[2], checkpoint);
        assert_eq!((rest.applied, rest.ignored), (n - BATCH, 0));
        assert_eq!(t.b.record_ids().len(), n);
        assert_eq!(t.b.written().len(), n);
        no_duplicates(&t.b.written());
    }

    #[test]
    fn a_checkpoint_the_server_failed_to_save_replays_the_page_harmlessly() {
        let t = Team::new();
        let n = t.n();
        block_on(t.ra().push()).unwrap();
        t.server.fail(Call::PutLocal, 1, internal());
        assert_eq!(
            block_on(t.rb().pull(None)),
            Err(SyncError::Remote(internal()))
        );
        // Applied, but not checkpointed on either side.
        assert_eq!(t.b.record_ids().len(), BATCH);
        let id = replication_id("desk-b", URL);
        assert_eq!(block_on(t.b.checkpoint(&id)).unwrap(), None);

        let rest = pull_all(&t.rb());
        assert_eq!(t.server.since_asked()[1], Seq::start());
        // The replayed page is all known: nothing fetched or written again.
        assert_eq!(rest.received, n - BATCH);
        assert_eq!(t.b.written().len(), n);
        no_duplicates(&t.b.written());
    }

    #[test]
    fn a_401_stops_the_step_and_changes_nothing() {
        let t = Team::new();
        let refused = RemoteError::Unauthorized("Name or password is incorrect.".into());
        // A first push asks nothing (first revisions): its first write is
        // refused.
        t.server.fail(Call::BulkDocs, 1, refused.clone());
        let push = block_on(t.ra().push());
        assert_eq!(push, Err(SyncError::Remote(refused.clone())));
        assert_eq!(t.a.outbox().len(), t.n());
        assert_eq!(t.server.doc_count(), 0);
        assert_eq!(t.server.calls(Call::BulkDocs), 1);

        block_on(t.ra().push()).unwrap();
        t.server.fail(Call::Changes, 1, refused.clone());
        let pull = block_on(t.rb().pull(None));
        assert_eq!(pull, Err(SyncError::Remote(refused)));
        assert!(t.b.record_ids().is_empty());
        let id = replication_id("desk-b", URL);
        assert_eq!(block_on(t.b.checkpoint(&id)).unwrap(), None);
        assert_eq!(t.server.local_doc(&id), None);
    }

    #[test]
    fn malformed_documents_are_refused_with_a_reason_and_the_rest_applied() {
        let t = Team::new();
        let n = t.n();
        block_on(t.ra().push()).unwrap();
        pull_all(&t.ra());

        let too_many = SyncRecord::License(t.license(0));
        let mut doc = doc_of(&too_many);
        doc["sfLma__Seats__c"] = Value::from(99_000_001);
        t.server.put_by_hand(doc);
        let no_path = with_seats(&t.license(1), 42);
        t.server.put_by_hand(doc_of(&no_path));
        t.server.send_without_revisions(&no_path.doc_id());
        let unknown = "Opportunity:0065g00000AbCdEAAZ";
        t.server
            .put_by_hand(json!({"_id": unknown, "type": "Opportunity", "Name": "Big deal"}));

        let got = pull_all(&t.rb());
        assert_eq!(got.applied, n - 2);
        let reason_of = |id: &str| {
            let found = got.refused.iter().find(|r| r.doc_id == id);
            found.map(|r| r.reason.clone()).unwrap_or_default()
        };
        assert_eq!(got.refused.len(), 3, "{:?}", got.refused);
        assert!(
            reason_of(&too_many.doc_id()).contains("99,000,000"),
            "{:?}",
            got.refused
        );
        assert!(
            reason_of(&no_path.doc_id()).contains("_revisions"),
            "{:?}",
            got.refused
        );
        assert!(
            reason_of(unknown).contains("names no License Desk object"),
            "{:?}",
            got.refused
        );
        assert_eq!(t.b.refused().len(), 3);
        assert_eq!(t.b.record(&too_many.doc_id()), None);
        assert_eq!(t.b.record_ids().len(), n - 2);

        // Desk A keeps its good versions of the two licenses.
        let on_a = pull_all(&t.ra());
        assert_eq!((on_a.refused.len(), on_a.applied), (3, 0));
        assert_eq!(t.a.record(&too_many.doc_id()), Some(too_many));
        assert_eq!(
            t.a.record(&no_path.doc_id()),
            Some(SyncRecord::License(t.license(1)))
        );

        // The checkpoint moved past them: not fetched again, not listed twice.
        let again = block_on(t.rb().pull(None)).unwrap();
        assert_eq!(again.received, 0);
        assert_eq!(t.b.refused().len(), 3);
    }

    #[test]
    fn two_desks_editing_one_license_both_keep_the_same_winner_and_the_conflict() {
        let t = Team::shared();
        let l = t.license(3);
        let id = doc_id(&l);
        t.a.save(&with_seats(&l, 11));
        t.b.save(&with_seats(&l, 22));
        assert_eq!(block_on(t.ra().push()).unwrap().sent, 1);
        assert_eq!(block_on(t.rb().push()).unwrap().sent, 1);
        let leaves = t.server.leaves(&id);
        assert_eq!(leaves.len(), 2, "CouchDB keeps both branches");

        let on_a = pull_all(&t.ra());
        let on_b = pull_all(&t.rb());
        assert_eq!((on_a.received, on_a.conflicts), (1, 1));
        assert_eq!((on_b.received, on_b.conflicts), (1, 1));
        let heads: Vec<Rev> = leaves.iter().map(|r| Rev::parse(r).unwrap()).collect();
        let winner = rev::winner(heads.iter().map(|r| (r, false)))
            .unwrap()
            .clone();
        assert_eq!(
            leaves[0],
            winner.to_string(),
            "the server's winner is rev::winner's"
        );
        assert_eq!(t.a.rev(&id), Some(winner.clone()));
        assert_eq!(t.b.rev(&id), Some(winner));
        assert_eq!(t.a.record(&id), t.b.record(&id));
        let kept = seats(t.a.record(&id));
        let other = if kept == Seats::count(11).unwrap() {
            22
        } else {
            11
        };
        for desk in [&t.a, &t.b] {
            let conflicts = desk.conflicts(&id);
            assert_eq!(conflicts.len(), 1);
            assert_eq!(conflicts[0].1["sfLma__Seats__c"], json!(other));
            assert!(desk.outbox().is_empty());
        }
    }

    #[test]
    fn a_conflict_resolved_on_one_desk_is_resolved_on_both() {
        let t = Team::shared();
        let l = t.license(3);
        let id = doc_id(&l);
        t.a.save(&with_seats(&l, 11));
        t.b.save(&with_seats(&l, 22));
        block_on(t.ra().push()).unwrap();
        block_on(t.rb().push()).unwrap();
        pull_all(&t.ra());
        pull_all(&t.rb());
        assert_eq!((t.a.conflicts(&id).len(), t.b.conflicts(&id).len()), (1, 1));

        // A merges: 33 seats, on top of the winner; the losing branch closed.
        t.a.resolve(&with_seats(&l, 33));
        assert_eq!(block_on(t.ra().push()).unwrap().sent, 2);
        let leaves = t.server.leaves(&id);
        assert_eq!(leaves.len(), 2, "the closed branch stays as a deleted leaf");
        assert_eq!(Some(Rev::parse(&leaves[0]).unwrap()), t.a.rev(&id));

        let on_b = pull_all(&t.rb());
        assert_eq!((on_b.received, on_b.conflicts), (2, 0));
        assert_eq!(t.b.conflicts(&id), Vec::new());
        assert_eq!(seats(t.b.record(&id)), Seats::count(33).unwrap());
        assert_eq!(t.a.rev(&id), t.b.rev(&id));
        let on_a = pull_all(&t.ra());
        assert_eq!((on_a.received, on_a.conflicts), (0, 0));
        assert_eq!(t.a.record(&id), t.b.record(&id));
        assert!(t.a.outbox().is_empty() && t.b.outbox().is_empty());
    }

    #[test]
    fn a_revision_gone_before_bulk_get_is_reported_and_its_next_one_arrives() {
        let t = Team::new();
        let n = t.n();
        block_on(t.ra().push()).unwrap();
        let l = t.license(7);
        t.server.make_unreadable(&doc_id(&l), true);
        let got = pull_all(&t.rb());
        assert_eq!((got.received, got.applied), (n - 1, n - 1));
        let gone: Vec<(&str, &str)> = got
            .unavailable
            .iter()
            .map(|e| (e.id.as_str(), e.error.as_str()))
            .collect();
        assert_eq!(gone, [(doc_id(&l).as_str(), "not_found")]);
        assert_eq!(t.b.record(&doc_id(&l)), None);
        let id = replication_id("desk-b", URL);
        let checkpoint = block_on(t.b.checkpoint(&id)).unwrap();
        assert_eq!(checkpoint, Some(Seq(Value::from(n as u64))));

        // The newer revision that replaced it comes with the next change.
        t.server.make_unreadable(&doc_id(&l), false);
        t.a.save(&with_seats(&l, 77));
        block_on(t.ra().push()).unwrap();
        let next = block_on(t.rb().pull(None)).unwrap();
        assert_eq!((next.received, next.applied.applied), (1, 1));
        assert!(next.unavailable.is_empty());
        assert_eq!(t.b.record(&doc_id(&l)), Some(with_seats(&l, 77)));
    }

    #[test]
    fn after_a_server_restart_desks_start_again_from_zero_and_double_nothing() {
        let t = Team::shared();
        let n = t.n();
        t.server.forget();
        let l = t.license(5);
        t.a.save(&with_seats(&l, 33));
        assert_eq!(block_on(t.ra().push()).unwrap().sent, 1);
        assert_eq!(t.server.doc_count(), 1);

        let asked = t.server.since_asked().len();
        let got = pull_all(&t.rb());
        let since = &t.server.since_asked()[asked];
        assert_eq!(
            since,
            &Seq::start(),
            "the old checkpoint means nothing on a new feed"
        );
        assert_eq!((got.received, got.applied, got.conflicts), (1, 1, 0));
        assert_eq!(t.b.record(&doc_id(&l)), Some(with_seats(&l, 33)));
        assert_eq!(t.b.record_ids().len(), n);
        no_duplicates(&t.b.written());

        let own = pull_all(&t.ra());
        assert_eq!(own.received, 0);
        assert_eq!(t.a.record_ids().len(), n);
    }

    #[test]
    fn revisions_grow_along_one_path_across_desks_and_the_same_edit_is_one_revision() {
        let t = Team::new();
        let l = t.license(0);
        let id = doc_id(&l);
        // Desk C starts with this one license; B receives it from C.
        let c = desk_with(&[SyncRecord::License(l.clone())]);
        let rc = Replicator::new(&t.server, &c, replication_id("desk-c", URL)).with_batch(BATCH);
        let rb = t.rb();

        block_on(rc.push()).unwrap();
        pull_all(&rb);
        let first = t.b.rev(&id).unwrap();
        assert_eq!((first.pos, Some(first.clone())), (1, c.rev(&id)));

        t.b.save(&with_seats(&l, 500));
        block_on(rb.push()).unwrap();
        let on_c = pull_all(&rc);
        assert_eq!((on_c.applied, on_c.conflicts), (1, 0));
        let second = c.rev(&id).unwrap();
        assert_eq!((second.pos, Some(second.clone())), (2, t.b.rev(&id)));

        c.save(&with_seats(&l, 600));
        block_on(rc.push()).unwrap();
        pull_all(&rb);
        let third = t.b.rev(&id).unwrap();
        assert_eq!(third.pos, 3);
        assert!(first < second && second < third);
        assert_eq!(t.server.leaves(&id), vec![third.to_string()]);

        // Both desks make the very same edit: one revision, no conflict.
        c.save(&with_seats(&l, 700));
        t.b.save(&with_seats(&l, 700));
        block_on(rc.push()).unwrap();
        block_on(rb.push()).unwrap();
        assert_eq!(t.server.leaves(&id).len(), 1);
        let (on_c, on_b) = (pull_all(&rc), pull_all(&rb));
        assert_eq!((on_c.received, on_b.received), (0, 0));
        assert_eq!(on_c.conflicts + on_b.conflicts, 0);
        assert_eq!(c.rev(&id), t.b.rev(&id));
    }

    #[test]
    fn a_deletion_on_one_desk_removes_the_record_on_the_other() {
        let t = Team::shared();
        let gone = SyncRecord::Contact(t.demo.contacts[0].clone()).doc_id();
        t.a.delete(&gone);
        assert_eq!(block_on(t.ra().push()).unwrap().sent, 1);
        assert_eq!(t.server.doc_count(), t.n() - 1);
        let got = pull_all(&t.rb());
        assert_eq!((got.received, got.applied), (1, 1));
        assert_eq!(t.b.record(&gone), None);
        assert_eq!(t.b.record_ids().len(), t.n() - 1);
        assert_eq!(t.a.rev(&gone), t.b.rev(&gone));
    }

    fn no_license_changes(doc: &Value) -> Option<String> {
        let t = doc["type"].as_str().unwrap_or_default();
        (t == "sfLma__License__c" || t == "sfLma__License__History")
            .then(|| "Sales Reps can't change licenses.".to_string())
    }

    #[test]
    fn refused_changes_stay_queued_are_reported_once_and_block_nothing_behind_them() {
        let t = Team::new();
        let mut all = t.all.clone();
        // The refused ones first in the outbox.
        all.sort_by_key(|r| !matches!(r, SyncRecord::License(_) | SyncRecord::History(_)));
        let forbidden = t.demo.licenses.len() + t.demo.history.len();
        assert!(
            forbidden > BATCH,
            "more refusals than one batch: {forbidden}"
        );
        let n = all.len();
        t.server.refuse_when(no_license_changes);
        let a = desk_with(&all);
        let ra = Replicator::new(&t.server, &a, replication_id("desk-a", URL)).with_batch(BATCH);

        let report = block_on(ra.push()).unwrap();
        assert_eq!(report.sent, n - forbidden);
        assert_eq!(report.refused.len(), forbidden);
        let reason = "Sales Reps can't change licenses.";
        assert!(report
            .refused
            .iter()
            .all(|f| f.error == "forbidden" && f.reason == reason));
        let ids: BTreeSet<&str> = report.refused.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids.len(), forbidden, "each refusal once");
        assert_eq!(a.outbox().len(), forbidden);
        assert_eq!(t.server.doc_count(), n - forbidden);

        // Again: the same refusals, and the push ends.
        let calls = t.server.calls(Call::BulkDocs);
        let again = block_on(ra.push()).unwrap();
        assert_eq!((again.sent, again.refused.len()), (0, forbidden));
        assert_eq!(
            t.server.calls(Call::BulkDocs) - calls,
            forbidden.div_ceil(BATCH)
        );
        assert_eq!(a.outbox().len(), forbidden);
    }

    #[test]
    fn a_stale_checkpoint_rev_is_read_again_and_saved() {
        let t = Team::new();
        block_on(t.ra().push()).unwrap();
        let rb = t.rb();
        let id = replication_id("desk-b", URL);
        block_on(rb.pull(None)).unwrap();

        // Another tab writes the checkpoint between our read and our put.
        t.server.write_local_after_get(1);
        let puts = t.server.calls(Call::PutLocal);
        block_on(rb.pull(None)).unwrap();
        assert_eq!(t.server.calls(Call::PutLocal) - puts, 2);
        let saved = block_on(t.b.checkpoint(&id)).unwrap().unwrap();
        assert_eq!(saved, Seq(Value::from(2 * BATCH as u64)));
        let on_server = t.server.local_doc(&id).unwrap();
        assert_eq!(on_server["last_seq"], saved.0);
        assert_eq!(on_server["history"].as_array().unwrap().len(), 2);

        // Stale twice: the round fails and the desk's checkpoint stays.
        t.server.write_local_after_get(2);
        let failed = block_on(rb.pull(None));
        let conflict = RemoteError::Server {
            status: 409,
            reason: "Document update conflict.".into(),
        };
        assert_eq!(failed, Err(SyncError::Remote(conflict)));
        assert_eq!(block_on(t.b.checkpoint(&id)).unwrap(), Some(saved));
    }

    #[test]
    fn a_pull_starts_where_both_sides_agree_else_from_zero() {
        let seq = |n: u64| Seq(Value::from(n));
        let server = json!({"last_seq": 30, "history": [
            {"session_id": "s", "recorded_seq": 30}, {"session_id": "s", "recorded_seq": 20}]});
        assert_eq!(start_from(Some(&seq(30)), Some(&server)), seq(30));
        // The desk's save failed after the server's: its older one is known.
        assert_eq!(start_from(Some(&seq(20)), Some(&server)), seq(20));
        // Unknown to the server, or the server lost its copy, or the desk did.
        assert_eq!(start_from(Some(&seq(40)), Some(&server)), Seq::start());
        assert_eq!(start_from(Some(&seq(30)), None), Seq::start());
        assert_eq!(start_from(None, Some(&server)), Seq::start());
        // CouchDB 3 writes sequences as strings.
        let text = Seq(Value::from("12-g1AAAA"));
        let server = json!({"last_seq": "12-g1AAAA", "history": []});
        assert_eq!(start_from(Some(&text), Some(&server)), text);
    }

    #[test]
    fn replication_ids_are_stable_per_desk_and_database() {
        let id = replication_id("desk-a", URL);
        assert!(id.starts_with("license-desk-"), "{id}");
        assert_eq!(id, replication_id("desk-a", URL));
        assert_eq!(id, replication_id("desk-a", &format!("{URL}/")));
        assert_ne!(id, replication_id("desk-b", URL));
        let other = replication_id("desk-a", "https://couch.example.com/other");
        assert_ne!(id, other);
    }
}
