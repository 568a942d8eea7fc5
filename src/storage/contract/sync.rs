//! The sync contract: the outbox in the commit path and the desk's side of
//! sync ([`DeskSync`]), on both repositories. Tests with two desks take two
//! fresh repositories (two databases) and carry documents between them as
//! the server would.

use serde_json::Value;

use super::samples;
use super::{Ctx, Outcome};
use crate::domain::{KeyPrefix, License, Seats, Sequences, SfId};
use crate::storage::{
    Expect, OutboxEntry, Record, Repository, StoreName, SyncDoc, SyncPage, WriteBatch,
    SEQUENCES_KEY, SYNC_PAGE_DOCS,
};
use crate::sync::desk::{DeskSync, Resolution, Side};
use crate::sync::document::{self, SyncRecord};
use crate::sync::local::{Local, Outgoing, SyncError};

fn sync<T>(result: Result<T, SyncError>, what: &str) -> Result<T, String> {
    result.map_err(|e| format!("{what}: unexpected error {e}"))
}

fn license() -> Result<License, String> {
    Ok(samples::world()?.license)
}

fn with_seats(license: &License, seats: &str) -> Result<License, String> {
    let mut changed = license.clone();
    changed.seats = Seats::parse(seats).map_err(|e| e.to_string())?;
    Ok(changed)
}

fn doc_id(license: &License) -> String {
    SyncRecord::License(license.clone()).doc_id()
}

/// How many documents the sync state describes: `SyncDoc`s and entries in
/// pages of first revisions.
async fn described<R: Repository>(repo: &R) -> Result<u64, String> {
    Ok(repo.count::<SyncDoc>().await.ctx("count")?
        + repo
            .count_members(SYNC_PAGE_DOCS)
            .await
            .ctx("count page entries")?)
}

async fn queued<R: Repository>(repo: &R, license: &License) -> Result<bool, String> {
    Ok(repo
        .get::<OutboxEntry>(&OutboxEntry::record_key(
            StoreName::Licenses,
            &license.key(),
        ))
        .await
        .ctx("outbox entry")?
        .is_some())
}

/// Sends what `desk` has queued (as the replicator would) and returns the
/// documents the server got.
async fn push<R: Repository>(desk: &DeskSync<R>) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    loop {
        let out = sync(desk.pending(500).await, "pending")?;
        if out.is_empty() {
            return Ok(docs);
        }
        sync(desk.mark_sent(&out).await, "mark sent")?;
        docs.extend(out.into_iter().map(|o| o.doc));
    }
}

async fn update_license<R: Repository>(repo: &R, license: &License) -> Result<(), String> {
    let stored = repo.load::<License>(&license.key()).await.ctx("load")?;
    repo.update(crate::storage::Stored {
        rev: stored.rev,
        record: license.clone(),
    })
    .await
    .ctx("update")?;
    Ok(())
}

/// The outbox in the one commit path: queued in the same commit once sync
/// is set up, never by a failed or a sync batch, never before sync is set
/// up, and emptied with the desk's records by a clear.
pub async fn contract_sync_outbox<R: Repository + Clone>(repo: R) -> Outcome {
    let license = license()?;
    repo.create(license.clone()).await.ctx("create")?;
    let desk = DeskSync::new(repo.clone());
    ensure_eq!(
        sync(desk.waiting().await, "waiting")?,
        0,
        "queued before set up"
    );

    ensure_eq!(
        sync(desk.enable().await, "enable")?,
        1,
        "queued by setting up"
    );
    ensure_eq!(
        sync(desk.enable().await, "enable again")?,
        0,
        "queued twice"
    );
    let to_send = sync(desk.pending(10).await, "pending")?;
    ensure!(
        to_send.iter().any(|o| o.doc["_id"] == doc_id(&license)),
        "the license is not waiting to be sent: {to_send:?}"
    );
    push(&desk).await?;
    ensure!(
        !queued(&repo, &license).await?,
        "the sent license is still queued"
    );

    update_license(&repo, &with_seats(&license, "60")?).await?;
    ensure!(
        queued(&repo, &license).await?,
        "a saved license is not queued"
    );

    let mut other = license.clone();
    other.id = SfId::generate(KeyPrefix::License, 998);
    let mut failed = WriteBatch::new();
    failed.create(other.clone()).fail_at_write(0);
    ensure!(
        repo.commit(failed).await.is_err(),
        "the failed commit saved"
    );
    ensure!(!queued(&repo, &other).await?, "a failed commit queued");

    let mut from_sync = WriteBatch::new();
    from_sync.from_sync().create(other.clone());
    repo.commit(from_sync).await.ctx("from sync")?;
    ensure!(!queued(&repo, &other).await?, "a sync batch queued");

    // Not a synced store: the counters.
    repo.put(Sequences::default(), Expect::Any)
        .await
        .ctx("counters")?;
    ensure_eq!(sync(desk.waiting().await, "waiting")?, 1, "queued entries");

    // A clear (demo load, Reset, restore) empties the sync state with the
    // records, and queues only what it writes.
    ensure!(described(&repo).await? > 0, "nothing was recorded as sent");
    let mut replace = WriteBatch::new();
    replace
        .clear_store(StoreName::Licenses)
        .upsert(other.clone());
    repo.commit(replace).await.ctx("replace")?;
    ensure_eq!(described(&repo).await?, 0, "sync docs kept");
    ensure!(
        queued(&repo, &other).await?,
        "the written license is not queued"
    );
    ensure!(
        !queued(&repo, &license).await?,
        "the cleared license is queued"
    );
    ensure_eq!(
        sync(desk.waiting().await, "waiting")?,
        1,
        "queued after the clear"
    );
    let sent = sync(desk.pending(10).await, "pending")?;
    ensure!(
        sent.iter().all(|o| o.doc.get("_deleted").is_none()),
        "a clear sends deletions: {sent:?}"
    );
    Ok(())
}

/// A desk where sync is not set up queues nothing.
pub async fn contract_sync_off<R: Repository + Clone>(repo: R) -> Outcome {
    let license = license()?;
    repo.create(license.clone()).await.ctx("create")?;
    update_license(&repo, &with_seats(&license, "60")?).await?;
    ensure_eq!(repo.count::<OutboxEntry>().await.ctx("count")?, 0, "queued");
    Ok(())
}

/// Pending makes each queued record's document at a new revision on top of
/// the last one sent; mark_sent empties the entry unless the record was
/// saved again meanwhile.
pub async fn contract_sync_pending<R: Repository + Clone>(repo: R) -> Outcome {
    let license = license()?;
    let desk = DeskSync::new(repo.clone());
    sync(desk.enable().await, "enable")?;
    repo.create(license.clone()).await.ctx("create")?;
    let first = sync(desk.pending(10).await, "pending")?;
    ensure_eq!(first.len(), 1, "documents");
    let doc = &first[0].doc;
    ensure_eq!(doc["_id"], Value::from(doc_id(&license)), "_id");
    ensure!(
        doc["_rev"].as_str().is_some_and(|r| r.starts_with("1-")),
        "first revision {}",
        doc["_rev"]
    );
    ensure_eq!(doc["type"], Value::from("sfLma__License__c"), "type");
    ensure_eq!(
        document::decode(doc),
        Ok(SyncRecord::License(license.clone())),
        "the document reads back"
    );
    ensure_eq!(
        sync(desk.pending(10).await, "pending again")?,
        first,
        "a retry makes the same revision"
    );

    // Saved again after pending: it stays queued, on top of what was sent.
    let changed = with_seats(&license, "70")?;
    update_license(&repo, &changed).await?;
    sync(desk.mark_sent(&first).await, "mark sent")?;
    ensure_eq!(sync(desk.waiting().await, "waiting")?, 1, "still queued");
    let second = sync(desk.pending(10).await, "pending")?;
    ensure_eq!(second.len(), 1, "documents");
    let revs = &second[0].doc["_revisions"];
    ensure_eq!(revs["start"], Value::from(2), "second revision");
    ensure_eq!(
        revs["ids"][1],
        Value::from(
            first[0].doc["_rev"]
                .as_str()
                .and_then(|r| r.split_once('-'))
                .map(|(_, h)| h)
                .unwrap_or_default()
        ),
        "parent"
    );
    sync(desk.mark_sent(&second).await, "mark sent")?;
    ensure_eq!(
        sync(desk.waiting().await, "waiting")?,
        0,
        "queued after sending"
    );
    ensure_eq!(
        sync(desk.pending(10).await, "pending")?,
        Vec::<Outgoing>::new(),
        "left"
    );

    // A deletion is sent as one.
    repo.delete::<License>(&license.key(), Expect::Any)
        .await
        .ctx("delete")?;
    let gone = sync(desk.pending(10).await, "pending")?;
    ensure_eq!(gone.len(), 1, "documents");
    ensure_eq!(gone[0].doc["_deleted"], Value::Bool(true), "deleted");
    ensure_eq!(
        gone[0].doc["_revisions"]["start"],
        Value::from(3),
        "its revision"
    );
    Ok(())
}

/// Two desks with sync set up that both hold `license`, made on `a` and
/// sent to `b`.
async fn shared_license<R: Repository + Clone>(
    a: &R,
    b: &R,
    license: &License,
) -> Result<(DeskSync<R>, DeskSync<R>), String> {
    let (desk_a, desk_b) = (DeskSync::new(a.clone()), DeskSync::new(b.clone()));
    sync(desk_a.enable().await, "enable a")?;
    sync(desk_b.enable().await, "enable b")?;
    a.create(license.clone()).await.ctx("create")?;
    let first = push(&desk_a).await?;
    sync(desk_b.apply(first).await, "apply")?;
    Ok((desk_a, desk_b))
}

/// Documents from another desk: a new record, a fast-forward, old news
/// ignored, the same documents applied twice changing nothing, a refusal
/// with the domain's reason (the rest applied), a deletion.
pub async fn contract_sync_apply<R: Repository + Clone>(a: R, b: R) -> Outcome {
    let license = license()?;
    let (desk_a, desk_b) = (DeskSync::new(a.clone()), DeskSync::new(b.clone()));
    sync(desk_a.enable().await, "enable a")?;
    sync(desk_b.enable().await, "enable b")?;
    a.create(license.clone()).await.ctx("create")?;
    let first = push(&desk_a).await?;

    let report = sync(desk_b.apply(first.clone()).await, "apply")?;
    ensure_eq!(report.applied, 1, "applied");
    let on_b = b.load::<License>(&license.key()).await.ctx("load b")?;
    ensure_eq!(on_b.record, license, "the license on b");
    ensure_eq!(
        sync(desk_b.waiting().await, "waiting")?,
        0,
        "b queued what it got"
    );
    let counters = b
        .load::<Sequences>(SEQUENCES_KEY)
        .await
        .ctx("counters")?
        .record;
    ensure!(
        counters.peek_license_number() > license.name.number(),
        "b may give {} again",
        license.name
    );

    let again = sync(desk_b.apply(first.clone()).await, "apply again")?;
    ensure_eq!((again.applied, again.ignored), (0, 1), "applied twice");
    ensure_eq!(
        b.load::<License>(&license.key()).await.ctx("load b")?.rev,
        on_b.rev,
        "re-applying saved"
    );
    let missing = sync(
        desk_b
            .missing(
                &[(
                    doc_id(&license),
                    vec![first[0]["_rev"].as_str().unwrap_or("").to_string()],
                )]
                .into_iter()
                .collect(),
            )
            .await,
        "missing",
    )?;
    ensure!(missing.is_empty(), "b lacks what it has: {missing:?}");

    let changed = with_seats(&license, "80")?;
    update_license(&a, &changed).await?;
    let second = push(&desk_a).await?;
    let mut bad = second[0].clone();
    let bad_id = SfId::generate(KeyPrefix::License, 999).to18().to_string();
    bad["_id"] = Value::from(format!("sfLma__License__c:{bad_id}"));
    bad["Id"] = Value::from(bad_id);
    bad["sfLma__Seats__c"] = Value::from(99_000_001);
    let report = sync(desk_b.apply(vec![bad, second[0].clone()]).await, "apply")?;
    ensure_eq!(report.applied, 1, "fast-forward");
    ensure_eq!(report.refused.len(), 1, "refused");
    ensure!(
        report.refused[0].reason.contains("99,000,000"),
        "the domain's reason: {}",
        report.refused[0].reason
    );
    ensure_eq!(
        sync(desk_b.refused().await, "refused")?,
        report.refused.clone(),
        "kept refusals"
    );
    ensure_eq!(
        b.load::<License>(&license.key())
            .await
            .ctx("load b")?
            .record,
        changed,
        "fast-forwarded license"
    );
    ensure_eq!(
        b.count::<License>().await.ctx("count")?,
        1,
        "the refused one stored"
    );
    let old = sync(desk_b.apply(first).await, "old news")?;
    ensure_eq!((old.applied, old.ignored), (0, 1), "old news");
    ensure_eq!(
        b.load::<License>(&license.key())
            .await
            .ctx("load b")?
            .record,
        changed,
        "old news applied"
    );

    a.delete::<License>(&license.key(), Expect::Any)
        .await
        .ctx("delete")?;
    let deleted = push(&desk_a).await?;
    let report = sync(desk_b.apply(deleted).await, "apply deletion")?;
    ensure_eq!(report.applied, 1, "deletion applied");
    ensure!(
        b.get::<License>(&license.key()).await.ctx("get")?.is_none(),
        "the deleted license is still on b"
    );
    Ok(())
}

/// A first sync describes its documents in pages of first revisions: one
/// object per page sent or applied (not one per document), found by any
/// id it holds; a later revision's own `SyncDoc` wins over the entry, and
/// re-applying or re-listing what a page describes changes nothing.
pub async fn contract_sync_pages<R: Repository + Clone>(a: R, b: R) -> Outcome {
    let (desk_a, desk_b) = (DeskSync::new(a.clone()), DeskSync::new(b.clone()));
    sync(desk_a.enable().await, "enable a")?;
    sync(desk_b.enable().await, "enable b")?;
    let base = license()?;
    let mut licenses = Vec::new();
    for n in 0..3 {
        let mut l = base.clone();
        l.id = SfId::generate(KeyPrefix::License, 700 + n);
        a.create(l.clone()).await.ctx("create")?;
        licenses.push(l);
    }
    let ids: Vec<String> = licenses.iter().map(doc_id).collect();
    let first = push(&desk_a).await?;
    ensure_eq!(first.len(), 3, "sent");
    ensure_eq!(
        (
            a.count::<SyncDoc>().await.ctx("count")?,
            a.count::<SyncPage>().await.ctx("count")?
        ),
        (0, 1),
        "sync docs and pages on a"
    );
    ensure_eq!(described(&a).await?, 3, "described on a");
    ensure_eq!(sync(desk_a.waiting().await, "waiting")?, 0, "left on a");
    let found = a
        .find_members(SYNC_PAGE_DOCS, std::slice::from_ref(&ids[1]))
        .await
        .ctx("find")?;
    ensure!(
        found.len() == 1 && found[0].record.ids.contains(&ids[1]),
        "the page by one of its ids: {found:?}"
    );
    ensure!(
        a.find_members(SYNC_PAGE_DOCS, &["a".to_string(), ids[0].replace(':', ";")])
            .await
            .ctx("find")?
            .is_empty(),
        "a page by ids it doesn't hold"
    );
    // Many values (asked as one range on IndexedDB): only the pages that
    // hold one of them, each once.
    let mut many: Vec<String> = (0..70).map(|n| format!("{}{n:03}", ids[0])).collect();
    ensure!(
        a.find_members(SYNC_PAGE_DOCS, &many)
            .await
            .ctx("find")?
            .is_empty(),
        "a page by many ids it doesn't hold"
    );
    many.push(ids[1].clone());
    many.push(ids[2].clone());
    let found = a.find_members(SYNC_PAGE_DOCS, &many).await.ctx("find")?;
    ensure_eq!(found.len(), 1, "the page by many ids, two of them its own");

    let report = sync(desk_b.apply(first.clone()).await, "apply")?;
    ensure_eq!(report.applied, 3, "applied");
    ensure_eq!(
        (
            b.count::<SyncDoc>().await.ctx("count")?,
            b.count::<SyncPage>().await.ctx("count")?
        ),
        (0, 1),
        "sync docs and pages on b"
    );
    let listed = first
        .iter()
        .map(|d| {
            let id = d["_id"].as_str().unwrap_or("").to_string();
            (id, vec![d["_rev"].as_str().unwrap_or("").to_string()])
        })
        .collect();
    let missing = sync(desk_b.missing(&listed).await, "missing")?;
    ensure!(missing.is_empty(), "b lacks what a page says: {missing:?}");
    let again = sync(desk_b.apply(first.clone()).await, "apply again")?;
    ensure_eq!((again.applied, again.ignored), (0, 3), "applied twice");

    let changed = with_seats(&licenses[0], "80")?;
    update_license(&a, &changed).await?;
    let second = push(&desk_a).await?;
    ensure_eq!(second.len(), 1, "sent the edit");
    ensure_eq!(
        a.count::<SyncDoc>().await.ctx("count")?,
        1,
        "the edit's sync doc"
    );
    ensure_eq!(sync(desk_a.waiting().await, "waiting")?, 0, "left on a");
    let report = sync(desk_b.apply(second).await, "apply the edit")?;
    ensure_eq!(report.applied, 1, "fast-forward over a page entry");
    let old = sync(desk_b.apply(first).await, "old news")?;
    ensure_eq!((old.applied, old.ignored), (0, 3), "old news");
    ensure_eq!(
        b.load::<License>(&changed.key())
            .await
            .ctx("load b")?
            .record,
        changed,
        "the edit on b"
    );
    Ok(())
}

/// Two desks change one license while apart; once both sent and got the
/// other's change, both keep both versions and show the same winner.
/// Returns the two desks in conflict and the two versions.
async fn conflict<R: Repository + Clone>(
    a: &R,
    b: &R,
) -> Result<(DeskSync<R>, DeskSync<R>, License, License), String> {
    let license = license()?;
    let (desk_a, desk_b) = shared_license(a, b, &license).await?;

    let (on_a, on_b) = (with_seats(&license, "60")?, with_seats(&license, "70")?);
    update_license(a, &on_a).await?;
    update_license(b, &on_b).await?;
    let from_a = push(&desk_a).await?;
    let from_b = push(&desk_b).await?;
    let report = sync(desk_a.apply(from_b).await, "apply on a")?;
    ensure_eq!(report.conflicts, 1, "conflicts on a");
    let report = sync(desk_b.apply(from_a).await, "apply on b")?;
    ensure_eq!(report.conflicts, 1, "conflicts on b");
    Ok((desk_a, desk_b, on_a, on_b))
}

pub async fn contract_sync_conflict<R: Repository + Clone>(a: R, b: R) -> Outcome {
    let (desk_a, desk_b, on_a, on_b) = conflict(&a, &b).await?;
    let key = on_a.key();
    let shown_a = a.load::<License>(&key).await.ctx("a")?.record;
    let shown_b = b.load::<License>(&key).await.ctx("b")?.record;
    ensure_eq!(shown_a, shown_b, "the same winner on both desks");
    ensure!(
        shown_a == on_a || shown_a == on_b,
        "the winner is neither version"
    );
    let (conflicts_a, conflicts_b) = (
        sync(desk_a.conflicts().await, "conflicts a")?,
        sync(desk_b.conflicts().await, "conflicts b")?,
    );
    ensure_eq!(conflicts_a.len(), 1, "conflicts on a");
    ensure_eq!(conflicts_a, conflicts_b, "the same conflict on both desks");
    let conflict = &conflicts_a[0];
    ensure_eq!(conflict.title, format!("License {}", on_a.name), "title");
    ensure!(
        conflict.fields.len() == 1,
        "differing fields {:?}",
        conflict.fields
    );
    let seats = &conflict.fields[0];
    ensure_eq!(
        (seats.field.as_str(), seats.label.as_str()),
        ("sfLma__Seats__c", "Licensed Seats"),
        "field"
    );
    let mut values = [seats.ours.clone(), seats.theirs.clone()];
    values.sort();
    ensure_eq!(values, ["60".to_string(), "70".to_string()], "values");
    Ok(())
}

/// Which resolution [`contract_sync_resolve`] makes.
#[derive(Debug, Clone, Copy)]
pub enum ResolveBy {
    KeepWinner,
    KeepOther,
    Merge,
}

/// Resolving leaves no conflict and queues a new revision on top of the
/// winner and a deletion of the losing branch; the other desk that gets
/// them has no conflict either, and both show the same license.
pub async fn contract_sync_resolve<R: Repository + Clone>(a: R, b: R, by: ResolveBy) -> Outcome {
    let (desk_a, desk_b, on_a, on_b) = conflict(&a, &b).await?;
    let key = on_a.key();
    let winner = a.load::<License>(&key).await.ctx("a")?.record;
    let other = if winner == on_a { on_b } else { on_a };
    let conflict = sync(desk_a.conflicts().await, "conflicts")?
        .pop()
        .ok_or("no conflict")?;

    // A field neither version has: refused, nothing changes.
    let refused = desk_a
        .resolve(
            &conflict.doc_id,
            Resolution::Merge(vec![("Nope".into(), Side::Other)]),
        )
        .await;
    ensure!(refused.is_err(), "a merge of an unknown field was taken");
    ensure_eq!(
        sync(desk_a.conflicts().await, "conflicts")?.len(),
        1,
        "conflicts"
    );

    let (resolution, expected) = match by {
        ResolveBy::KeepWinner => (Resolution::KeepWinner, winner.clone()),
        ResolveBy::KeepOther => (Resolution::KeepOther, other.clone()),
        ResolveBy::Merge => (
            Resolution::Merge(vec![("sfLma__Seats__c".into(), Side::Other)]),
            other.clone(),
        ),
    };
    let history_before = a
        .count::<crate::domain::HistoryEntry>()
        .await
        .ctx("history")?;
    sync(
        desk_a.resolve(&conflict.doc_id, resolution).await,
        "resolve",
    )?;
    ensure_eq!(
        sync(desk_a.conflicts().await, "conflicts")?,
        Vec::new(),
        "left on a"
    );
    ensure_eq!(
        a.load::<License>(&key).await.ctx("a")?.record,
        expected,
        "the resolved license"
    );
    let history_after = a
        .count::<crate::domain::HistoryEntry>()
        .await
        .ctx("history")?;
    let changed = expected != winner;
    ensure_eq!(
        history_after - history_before,
        u64::from(changed),
        "history entries of the resolution"
    );

    let sent = push(&desk_a).await?;
    let of_license: Vec<&Value> = sent
        .iter()
        .filter(|d| d["_id"] == conflict.doc_id.as_str())
        .collect();
    ensure!(of_license.len() == 2, "revisions sent {sent:?}");
    ensure!(
        of_license.iter().any(|d| d["_deleted"] == Value::Bool(true)
            && d["_revisions"]["ids"][1] == rev_hash(&conflict.other_rev).as_str()),
        "no deletion of the losing branch: {of_license:?}"
    );
    ensure!(
        of_license.iter().any(|d| d.get("_deleted").is_none()
            && d["_revisions"]["ids"][1] == rev_hash(&conflict.winner_rev).as_str()),
        "no revision on top of the winner: {of_license:?}"
    );
    ensure_eq!(sync(desk_a.waiting().await, "waiting")?, 0, "left to send");

    sync(desk_b.apply(sent).await, "apply on b")?;
    ensure_eq!(
        sync(desk_b.conflicts().await, "conflicts")?,
        Vec::new(),
        "left on b"
    );
    ensure_eq!(
        b.load::<License>(&key).await.ctx("b")?.record,
        expected,
        "b's license"
    );
    Ok(())
}

fn rev_hash(rev: &str) -> String {
    rev.split_once('-')
        .map(|(_, h)| h.to_string())
        .unwrap_or_default()
}

/// A desk that gets the other desk's change before sending its own: both
/// versions are kept, its own is still sent (even when it lost), and the
/// other desk then shows the same conflict and the same winner. `seats`:
/// the two desks' values (swapping them swaps which version wins).
pub async fn contract_sync_pull_before_push<R: Repository + Clone>(
    a: R,
    b: R,
    seats: (u32, u32),
) -> Outcome {
    let license = license()?;
    let (desk_a, desk_b) = shared_license(&a, &b, &license).await?;

    update_license(&a, &with_seats(&license, &seats.0.to_string())?).await?;
    update_license(&b, &with_seats(&license, &seats.1.to_string())?).await?;
    let from_b = push(&desk_b).await?;
    let report = sync(desk_a.apply(from_b).await, "apply on a")?;
    ensure_eq!(report.conflicts, 1, "conflicts on a");
    let from_a = push(&desk_a).await?;
    ensure!(
        from_a.iter().any(|d| d["sfLma__Seats__c"] == seats.0),
        "a's own change was not sent: {from_a:?}"
    );
    ensure_eq!(sync(desk_a.waiting().await, "waiting")?, 0, "left on a");
    let report = sync(desk_b.apply(from_a).await, "apply on b")?;
    ensure_eq!(report.conflicts, 1, "conflicts on b");
    let key = license.key();
    ensure_eq!(
        a.load::<License>(&key).await.ctx("a")?.record,
        b.load::<License>(&key).await.ctx("b")?.record,
        "the same winner on both desks"
    );
    ensure_eq!(
        sync(desk_a.conflicts().await, "conflicts a")?,
        sync(desk_b.conflicts().await, "conflicts b")?,
        "the same conflict on both desks"
    );
    Ok(())
}

/// Load demo data and Reset while sync is set up: each queues what it
/// writes, and sends no deletion of what it cleared.
pub async fn contract_sync_demo_and_reset<R: Repository + Clone>(repo: R) -> Outcome {
    use crate::demo::{build_demo_data, reset, save_demo_data, DemoSize};
    use crate::domain::seed_users;

    let desk = DeskSync::new(repo.clone());
    let now = samples::at(2026, 12, 1, 9)?;
    let data = build_demo_data(now.date(), now, DemoSize::Normal);
    let synced = (data.record_count() - data.alert_rules.len() + data.users.len()) as u64;
    // Loaded before sync is set up: setting it up queues all of it, in
    // chunks, reporting each.
    save_demo_data(&repo, data.clone()).await.ctx("demo")?;
    let seen = std::cell::RefCell::new(Vec::new());
    let queued = sync(
        desk.enable_reporting(|p| seen.borrow_mut().push(p)).await,
        "enable",
    )?;
    ensure_eq!(queued, synced, "queued by setting up");
    let seen = seen.into_inner();
    ensure!(
        seen.first().is_some_and(|p| p.done == 0)
            && seen.last().is_some_and(|p| p.done as u64 == synced)
            && seen.windows(2).all(|w| w[0].done <= w[1].done),
        "progress {seen:?}"
    );
    push(&desk).await?;
    // Loaded while sync is set up: it queues what it writes.
    save_demo_data(&repo, data).await.ctx("demo")?;
    ensure_eq!(
        sync(desk.waiting().await, "waiting")?,
        synced,
        "queued by the demo"
    );
    let sent = push(&desk).await?;
    ensure_eq!(sent.len() as u64, synced, "sent");
    ensure_eq!(
        sync(desk.waiting().await, "waiting")?,
        0,
        "left after sending"
    );

    reset(&repo).await.ctx("reset")?;
    ensure_eq!(described(&repo).await?, 0, "sync docs kept");
    let after = sync(desk.pending(100_000).await, "pending")?;
    ensure_eq!(after.len(), seed_users().len(), "queued by the reset");
    ensure!(
        after.iter().all(|o| o.doc.get("_deleted").is_none()),
        "a reset sends deletions"
    );
    Ok(())
}
