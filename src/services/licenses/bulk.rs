//! Bulk Modify License: the selected licenses and what Modify License reads
//! for its rules (each license's history, when its own fields don't say
//! whether it has been Active), a preview by the domain, and one atomic
//! commit of every allowed change.
//!
//! Conflicts: a batch commits all or nothing, so the apply reads the
//! licenses again first; a license whose revision differs from the one
//! previewed is refused as changed elsewhere (and listed), the others are
//! committed together, each expecting the revision it was read at. If one
//! of those is saved between that read and the commit, the commit is
//! refused whole, and the apply reads again (at most [`APPLY_ROUNDS`]
//! times), refusing that one too.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use thiserror::Error;

use crate::domain::{
    bulk_modify, BulkDraftError, BulkItem, BulkModifyDraft, BulkOutcome, BulkSummary, Field,
    HistoryEntry, License, Sequences, SfId, User,
};
use crate::storage::records::HISTORY_LICENSE;
use crate::storage::{
    bulk_modify_batch, commit_with_counters, Query, Repository, StorageError, StoreName, Stored,
};

/// How often an apply reads the licenses again when one was saved elsewhere
/// between its read and its commit.
pub const APPLY_ROUNDS: usize = 3;

/// Why a bulk preview or apply did not happen. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BulkFailure {
    /// The typed values themselves are refused (the same for every license).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "))]
    Draft(Vec<BulkDraftError>),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl BulkFailure {
    /// Each message with the input it belongs by, in form order.
    pub fn messages(&self) -> Vec<(Field, String)> {
        match self {
            BulkFailure::Draft(errors) => {
                errors.iter().map(|e| (e.field(), e.to_string())).collect()
            }
            BulkFailure::Storage(e) => vec![(Field::Form, e.to_string())],
        }
    }
}

/// What the bulk change would do, license by license, before anything is
/// written.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkPreview {
    /// In the order of the selection given.
    pub items: Vec<BulkItem>,
    /// The revision each item's license was previewed at.
    pub revs: Vec<u64>,
    pub summary: BulkSummary,
}

/// What the apply did, license by license.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkApplied {
    pub items: Vec<BulkItem>,
    pub summary: BulkSummary,
}

/// The selected licenses as stored now, and the history the rules need.
struct Selected {
    licenses: Vec<Stored<License>>,
    /// License ID (18) -> its License History, for licenses whose own
    /// fields don't tell whether they have been Active.
    history: HashMap<String, Vec<HistoryEntry>>,
}

impl Selected {
    fn history_of(&self, license: &License) -> &[HistoryEntry] {
        self.history
            .get(license.id.to18())
            .map_or(&[][..], Vec::as_slice)
    }
}

async fn load_selected<R: Repository>(repo: &R, ids: &[String]) -> Result<Selected, StorageError> {
    let keys: Vec<String> = ids
        .iter()
        .filter_map(|id| SfId::parse(id).ok())
        .map(|id| id.to18().to_string())
        .collect();
    let licenses: Vec<Stored<License>> = repo
        .get_many::<License>(&keys)
        .await?
        .into_iter()
        .flatten()
        .collect();
    // Modify License reads a license's history to know whether it has been
    // Active (then it can't return to Trial); a license that is or was
    // Active by its own fields needs none. The rest are read in one go.
    let mut need: Vec<&str> = licenses
        .iter()
        .filter(|s| !s.record.has_been_active(&[]))
        .map(|s| s.record.id.to18())
        .collect();
    crate::sort::sort_by(&mut need, Ord::cmp);
    let mut history: HashMap<String, Vec<HistoryEntry>> = HashMap::new();
    if let (Some(first), Some(last)) = (need.first(), need.last()) {
        let entries: Vec<HistoryEntry> = repo
            .find_records(HISTORY_LICENSE, Query::between(*first, *last))
            .await?;
        for entry in entries {
            let key = entry.license_id.to18();
            if need.binary_search(&key).is_ok() {
                history.entry(key.to_string()).or_default().push(entry);
            }
        }
    }
    Ok(Selected { licenses, history })
}

/// Previews `draft` on the licenses with these IDs (unknown ones are left
/// out): per license the new values or Modify License's refusal, and the
/// grouped counts. Writes nothing.
pub async fn preview_bulk_modify<R: Repository>(
    repo: &R,
    ids: &[String],
    draft: &BulkModifyDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<BulkPreview, BulkFailure> {
    check_draft(draft, today)?;
    let selected = load_selected(repo, ids).await?;
    // History IDs taken here are never saved: the apply takes its own.
    let items = bulk_modify(
        selected
            .licenses
            .iter()
            .map(|s| (&s.record, selected.history_of(&s.record))),
        draft,
        actor,
        today,
        now,
        &mut Sequences::default(),
    );
    let summary = BulkSummary::of(&items);
    Ok(BulkPreview {
        revs: selected.licenses.iter().map(|s| s.rev).collect(),
        items,
        summary,
    })
}

/// Applies `draft` to the licenses of `preview`: every allowed change (by
/// Modify License's rules, checked again now), with a history entry per
/// license and field, in one atomic commit. A license saved elsewhere since
/// the preview is refused as [`BulkOutcome::ChangedElsewhere`], never
/// overwritten.
pub async fn apply_bulk_modify<R: Repository>(
    repo: &R,
    preview: &BulkPreview,
    draft: &BulkModifyDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<BulkApplied, BulkFailure> {
    check_draft(draft, today)?;
    let ids: Vec<String> = preview
        .items
        .iter()
        .map(|i| i.license_id.to18().to_string())
        .collect();
    let seen: HashMap<&str, u64> = ids
        .iter()
        .map(String::as_str)
        .zip(preview.revs.iter().copied())
        .collect();
    let mut round = 0;
    loop {
        round += 1;
        let selected = load_selected(repo, &ids).await?;
        let current: Vec<&Stored<License>> = selected
            .licenses
            .iter()
            .filter(|s| seen.get(s.record.id.to18()) == Some(&s.rev))
            .collect();
        let committed = commit_with_counters(repo, |seq| {
            let items = bulk_modify(
                current
                    .iter()
                    .map(|s| (&s.record, selected.history_of(&s.record))),
                draft,
                actor,
                today,
                now,
                seq,
            );
            let batch =
                bulk_modify_batch(current.iter().zip(&items).filter_map(|(before, item)| {
                    match &item.outcome {
                        BulkOutcome::Changes(out) => Some((*before, (**out).clone())),
                        _ => None,
                    }
                }));
            Ok::<_, BulkFailure>((batch, items))
        })
        .await;
        match committed {
            Ok(items) => {
                let mut by_id: HashMap<String, BulkItem> = items
                    .into_iter()
                    .map(|i| (i.license_id.to18().to_string(), i))
                    .collect();
                // In the preview's order; a license gone or saved elsewhere
                // since the preview is listed as changed elsewhere.
                let items: Vec<BulkItem> = preview
                    .items
                    .iter()
                    .map(|p| {
                        by_id
                            .remove(p.license_id.to18())
                            .unwrap_or_else(|| BulkItem {
                                outcome: BulkOutcome::ChangedElsewhere,
                                ..p.clone()
                            })
                    })
                    .collect();
                let summary = BulkSummary::of(&items);
                return Ok(BulkApplied { items, summary });
            }
            Err(BulkFailure::Storage(StorageError::Conflict {
                store: StoreName::Licenses,
                ..
            })) if round < APPLY_ROUNDS => continue,
            Err(e) => return Err(e),
        }
    }
}

fn check_draft(draft: &BulkModifyDraft, today: NaiveDate) -> Result<(), BulkFailure> {
    let errors = draft.errors(today);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(BulkFailure::Draft(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        ExpirationChange, HistoryField, KeyPrefix, LicenseStatus, OrgStatus, Profile,
        RefusalReason, Seats, SeatsChange,
    };
    use crate::services::licenses::fixtures::*;
    use crate::services::licenses::history_to_change;
    use crate::services::packages::tests_racing::racing;
    use crate::storage::{Expect, MemoryRepository};
    use futures::executor::block_on;

    /// Licenses 1..=6 active, 7 Uninstalled, 8 of a suspended org, 9 a
    /// Trial never Active.
    fn desk() -> (MemoryRepository, Vec<String>) {
        let mut licenses: Vec<License> = (1..=9).map(license).collect();
        licenses[6].status = LicenseStatus::Uninstalled;
        licenses[6].used_licenses = None;
        licenses[7].org_status = OrgStatus::Suspended;
        licenses[8].status = LicenseStatus::Trial;
        licenses[8].ever_active = false;
        licenses[8].expiration = crate::domain::Expiration::Date(date(2025, 3, 20));
        let ids = licenses.iter().map(|l| l.id.to18().to_string()).collect();
        let repo = MemoryRepository::new();
        block_on(repo.put_all(licenses, Expect::Absent)).unwrap();
        (repo, ids)
    }

    fn seats_and_status(seats: &str, status: &str) -> BulkModifyDraft {
        BulkModifyDraft {
            seats: SeatsChange::Count(seats.into()),
            status: Some(status.into()),
            ..BulkModifyDraft::default()
        }
    }

    fn preview(repo: &MemoryRepository, ids: &[String], draft: &BulkModifyDraft) -> BulkPreview {
        block_on(preview_bulk_modify(
            repo,
            ids,
            draft,
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap()
    }

    fn apply(
        repo: &impl Repository,
        preview: &BulkPreview,
        draft: &BulkModifyDraft,
    ) -> BulkApplied {
        block_on(apply_bulk_modify(
            repo,
            preview,
            draft,
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap()
    }

    fn license_at(repo: &MemoryRepository, n: u64) -> Stored<License> {
        stored_license(repo, &SfId::generate(KeyPrefix::License, n))
    }

    #[test]
    fn the_preview_shows_changes_and_refusals_and_writes_nothing() {
        let (repo, ids) = desk();
        let draft = seats_and_status("3", "Suspended");
        let p = preview(&repo, &ids, &draft);
        assert_eq!(p.items.len(), 9);
        assert_eq!(p.summary.changing, 7); // 1..=6 and the Trial
        assert_eq!(
            p.summary.refused,
            vec![
                (RefusalReason::Uninstalled, 1),
                (RefusalReason::OrgLocked(OrgStatus::Suspended), 1)
            ]
        );
        // 4 used everywhere but the Trial's 4 too: 3 seats are below used.
        assert_eq!(p.summary.seats_below_used, 7);
        assert_eq!(
            p.items[0].description(),
            "Licensed Seats 10 → 3; License Status Active → Suspended"
        );
        assert!(p.items[7]
            .description()
            .contains("proxy user has deactivated"));
        assert!(p
            .summary
            .preview_text()
            .starts_with("7 will change, 2 refused: 1 Uninstalled, 1 org Suspended"));
        assert!(p.revs.iter().all(|&r| r == 1));
        assert_eq!(history_count(&repo), 0);
        assert_eq!(license_at(&repo, 1).rev, 1);
    }

    #[test]
    fn apply_commits_every_allowed_change_with_its_history_at_once() {
        let (repo, ids) = desk();
        let draft = BulkModifyDraft {
            expiration: ExpirationChange::Date("2025-05-01".into()),
            ..seats_and_status("25", "Active")
        };
        let p = preview(&repo, &ids, &draft);
        let commits = std::rc::Rc::new(std::cell::Cell::new(0));
        let counter = commits.clone();
        let _sub = repo.subscribe(move |_| counter.set(counter.get() + 1));
        let done = apply(&repo, &p, &draft);
        assert_eq!(commits.get(), 1, "one atomic commit");
        assert_eq!(done.summary.changing, 7);
        assert!(done
            .summary
            .applied_text()
            .starts_with("7 changed, 2 refused"));
        for n in 1..=6 {
            let l = license_at(&repo, n);
            assert_eq!(l.rev, 2);
            assert_eq!(l.record.seats, Seats::count(25).unwrap());
            let history = block_on(history_to_change(&repo, &l.record.id)).unwrap();
            let fields: Vec<_> = history.iter().map(|h| h.field).collect();
            assert_eq!(fields, vec![HistoryField::Expiration, HistoryField::Seats]);
        }
        // The Trial became Active: three fields changed.
        let trial = license_at(&repo, 9);
        assert_eq!(trial.record.status, LicenseStatus::Active);
        assert!(trial.record.ever_active);
        assert_eq!(
            block_on(history_to_change(&repo, &trial.record.id))
                .unwrap()
                .len(),
            3
        );
        // Refused ones are untouched.
        for n in [7, 8] {
            let l = license_at(&repo, n);
            assert_eq!(l.rev, 1);
            assert_eq!(l.record.seats, Seats::count(10).unwrap());
        }
        assert_eq!(history_count(&repo), 6 * 2 + 3);
        // History IDs are unique and the counters were saved with them.
        let all = block_on(repo.get_all::<HistoryEntry>()).unwrap();
        let mut hist_ids: Vec<_> = all.iter().map(|h| h.record.id.clone()).collect();
        hist_ids.sort();
        hist_ids.dedup();
        assert_eq!(hist_ids.len(), 15);
    }

    #[test]
    fn a_license_saved_elsewhere_since_the_preview_is_listed_not_overwritten() {
        let (repo, ids) = desk();
        let draft = seats_and_status("25", "Active");
        let p = preview(&repo, &ids, &draft);
        let mut theirs = license_at(&repo, 2);
        theirs.record.seats = Seats::count(40).unwrap();
        block_on(repo.other_tab().update(theirs)).unwrap();

        let done = apply(&repo, &p, &draft);
        assert_eq!(done.items[1].outcome, BulkOutcome::ChangedElsewhere);
        assert!(done.items[1].description().contains("L-00002"));
        assert_eq!(license_at(&repo, 2).record.seats, Seats::count(40).unwrap());
        assert_eq!(done.summary.changing, 6);
        assert!(done
            .summary
            .refused
            .contains(&(RefusalReason::ChangedElsewhere, 1)));
        assert_eq!(license_at(&repo, 1).record.seats, Seats::count(25).unwrap());
    }

    #[test]
    fn a_license_saved_between_the_apply_read_and_its_commit_is_refused_too() {
        let (inner, ids) = desk();
        let draft = seats_and_status("25", "Active");
        let p = preview(&inner, &ids, &draft);
        let id3 = SfId::generate(KeyPrefix::License, 3);
        let repo = racing(inner, move |other| {
            Box::pin(async move {
                let mut theirs = other.get::<License>(id3.to18()).await.unwrap().unwrap();
                theirs.record.seats = Seats::count(50).unwrap();
                other.update(theirs).await.unwrap();
            })
        });
        let done = apply(&repo, &p, &draft);
        assert_eq!(done.items[2].outcome, BulkOutcome::ChangedElsewhere);
        assert_eq!(
            license_at(&repo.inner, 3).record.seats,
            Seats::count(50).unwrap()
        );
        assert_eq!(done.summary.changing, 6);
        assert_eq!(
            license_at(&repo.inner, 1).record.seats,
            Seats::count(25).unwrap()
        );
    }

    #[test]
    fn a_profile_without_modify_license_is_refused_and_nothing_is_written() {
        let (repo, ids) = desk();
        let draft = seats_and_status("25", "Active");
        for profile in [Profile::ReadOnly, Profile::SalesRep] {
            let actor = user(profile);
            let p = block_on(preview_bulk_modify(
                &repo,
                &ids,
                &draft,
                &actor,
                today(),
                now(),
            ))
            .unwrap();
            assert_eq!(p.summary.changing, 0);
            assert_eq!(p.summary.refused, vec![(RefusalReason::Permission, 9)]);
            let done =
                block_on(apply_bulk_modify(&repo, &p, &draft, &actor, today(), now())).unwrap();
            assert_eq!(done.summary.changing, 0);
        }
        assert_eq!(history_count(&repo), 0);
        assert_eq!(license_at(&repo, 1).rev, 1);
    }

    #[test]
    fn fields_left_unchanged_stay_and_a_draft_error_belongs_by_its_input() {
        let (repo, ids) = desk();
        let status_only = BulkModifyDraft {
            status: Some("Suspended".into()),
            ..BulkModifyDraft::default()
        };
        let p = preview(&repo, &ids[..2], &status_only);
        apply(&repo, &p, &status_only);
        let l = license_at(&repo, 1);
        assert_eq!(l.record.status, LicenseStatus::Suspended);
        assert_eq!(l.record.seats, Seats::count(10).unwrap());
        assert_eq!(l.record.expiration, license(1).expiration);

        let err = block_on(preview_bulk_modify(
            &repo,
            &ids,
            &BulkModifyDraft::default(),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap_err();
        assert_eq!(err.messages()[0].0, Field::Form);
        let err = block_on(preview_bulk_modify(
            &repo,
            &ids,
            &seats_and_status("0", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap_err();
        assert_eq!(err.messages()[0].0, Field::Seats);
        assert_eq!(history_count(&repo), 2);
    }

    #[test]
    fn history_showing_active_blocks_a_bulk_return_to_trial() {
        let (repo, ids) = desk();
        let mut l = license(20);
        l.status = LicenseStatus::Suspended;
        l.ever_active = false;
        block_on(repo.create(l.clone())).unwrap();
        block_on(repo.create(HistoryEntry {
            id: SfId::generate(KeyPrefix::LicenseHistory, 900),
            license_id: l.id.clone(),
            field: HistoryField::Status,
            old_value: "Active".into(),
            new_value: "Suspended".into(),
            by: user(Profile::LicenseManager).id,
            at: now(),
            origin: Default::default(),
        }))
        .unwrap();
        let draft = BulkModifyDraft {
            status: Some("Trial".into()),
            expiration: ExpirationChange::Date("2025-03-30".into()),
            ..BulkModifyDraft::default()
        };
        let mut with = ids.clone();
        with.push(l.id.to18().to_string());
        let p = preview(&repo, &with, &draft);
        let last = p.items.last().unwrap();
        assert_eq!(
            RefusalReason::of(&last.outcome),
            Some(RefusalReason::BackToTrial)
        );
        // The Trial never Active may stay a Trial with a new date.
        assert!(matches!(p.items[8].outcome, BulkOutcome::Changes(_)));
    }
}
