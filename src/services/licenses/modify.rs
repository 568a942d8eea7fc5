//! Modify License: the one workflow that changes a license by hand. The
//! service reads the license, its history and the ID counters once (side by
//! side: a [`ModifyStart`], which the form reads when it opens), the domain
//! applies the draft (reporting every field's error at once), and the
//! license, its history entries and the ID counters are committed as one
//! batch. The license page's data comes back with it, so the page shown
//! after the save need not read it all again.

use chrono::{NaiveDate, NaiveDateTime};
use thiserror::Error;

use super::detail::{history_to_change, load_license, sort_newest_first, LicenseDetail};
use super::related::{load_links, Links};
use crate::domain::{
    modify_license_reporting_all as apply_modification, Field, HistoryEntry, License,
    ModifyLicenseDraft, ModifyLicenseError, ModifyOutcome, Sequences, SfId, User,
};
use crate::services::join::join2;
use crate::storage::{
    commit_with_read_counters, load_counters, modify_license_batch, Committed, Repository, Save,
    StorageError, StoreName, Stored,
};

/// Why a Modify License save did not happen. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ModifyFailure {
    /// Rules of the domain refused the change: every field's error, in form
    /// order (never empty), so the form shows them all at once.
    #[error("{}", join_messages(.0))]
    Rules(Vec<ModifyLicenseError>),
    /// Storage refused or failed: a conflict with another tab, a full disk…
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn join_messages(errors: &[ModifyLicenseError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl ModifyFailure {
    /// The form input the (first) message belongs by; storage failures
    /// belong to the whole form.
    pub fn field(&self) -> Field {
        match self {
            ModifyFailure::Rules(errors) => errors.first().map_or(Field::Form, |e| e.field()),
            ModifyFailure::Storage(_) => Field::Form,
        }
    }

    /// Each message with the input it belongs by, in form order.
    pub fn messages(&self) -> Vec<(Field, String)> {
        match self {
            ModifyFailure::Rules(errors) => {
                errors.iter().map(|e| (e.field(), e.to_string())).collect()
            }
            ModifyFailure::Storage(e) => vec![(Field::Form, e.to_string())],
        }
    }
}

impl From<Vec<ModifyLicenseError>> for ModifyFailure {
    fn from(errors: Vec<ModifyLicenseError>) -> Self {
        ModifyFailure::Rules(errors)
    }
}

/// A Modify License save.
#[derive(Debug, Clone, PartialEq)]
pub struct Modified {
    /// The license as the domain changed it and its new history entries
    /// (none: nothing changed, and nothing was saved).
    pub outcome: ModifyOutcome,
    /// Whether anything was written (one commit, so one change notice).
    pub wrote: bool,
    /// The license page as the save left it: the license at its new
    /// revision, its whole history newest first, and the records it links
    /// to, read beside the commit. `None` when those could not be read (the
    /// save itself went through): the page then reads everything.
    pub detail: Option<LicenseDetail>,
}

/// What a Modify License save starts from: the license, its history and
/// the ID counters (read in one round trip), and the records it links to.
/// The form reads it when it opens, so a save that nothing changed in
/// between only commits: no read before it, none beside it. A stale start
/// is safe: the commit refuses a license saved since (a conflict) and reads
/// counters taken since again (a retry).
#[derive(Debug, Clone, PartialEq)]
pub struct ModifyStart {
    pub license: Stored<License>,
    // Their failures belong to the save (e.g. a damaged history entry
    // refuses the change), not to opening the form.
    history: Result<Vec<HistoryEntry>, StorageError>,
    counters: Result<Save<Sequences>, StorageError>,
    /// For the license page after the save; `None`: read beside the commit.
    links: Option<Links>,
}

/// The license `license_id` names, with what a save of it needs and the
/// records it links to; `None` when no license has that ID.
pub async fn load_modify_start<R: Repository>(
    repo: &R,
    license_id: &str,
) -> Result<Option<ModifyStart>, StorageError> {
    let Some(mut start) = read_start(repo, license_id).await? else {
        return Ok(None);
    };
    // Unreadable links are read again by the save (and reported there).
    start.links = load_links(repo, &start.license.record).await.ok();
    Ok(Some(start))
}

/// [`ModifyStart`] without the links: one round trip.
async fn read_start<R: Repository>(
    repo: &R,
    license_id: &str,
) -> Result<Option<ModifyStart>, StorageError> {
    let Ok(id) = SfId::parse(license_id) else {
        return Ok(None);
    };
    let ((license, history), counters) = join2(
        join2(load_license(repo, id.to18()), history_to_change(repo, &id)),
        load_counters(repo),
    )
    .await;
    Ok(license?.map(|license| ModifyStart {
        license,
        history,
        counters,
        links: None,
    }))
}

/// Modify License for a form that showed the license at revision
/// `seen_rev` (`None`: whatever is stored now): reads a [`ModifyStart`] and
/// saves from it ([`modify_from`]). A license saved elsewhere since it was
/// shown is refused with a conflict instead of overwriting what the user
/// never saw.
pub async fn modify_license<R: Repository>(
    repo: &R,
    license_id: &str,
    seen_rev: Option<u64>,
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Modified, ModifyFailure> {
    let start = read_start(repo, license_id)
        .await?
        .ok_or_else(|| not_found(license_id))?;
    if seen_rev.is_some_and(|seen| seen != start.license.rev) {
        return Err(conflict(&start.license.record.name.to_string()).into());
    }
    modify_from(repo, start, draft, actor, today, now).await
}

/// Modify License from `start`: the domain applies `draft` (it enforces
/// every rule and reports every field's error), then the license, its new
/// history entries and the ID counters are saved in one atomic batch. A
/// license saved elsewhere since `start` was read is refused with a
/// conflict.
pub async fn modify_from<R: Repository>(
    repo: &R,
    start: ModifyStart,
    draft: &ModifyLicenseDraft,
    actor: &User,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Modified, ModifyFailure> {
    let ModifyStart {
        license: stored,
        history,
        counters,
        links,
    } = start;
    // Conflicts name the license as users know it, by its License Name.
    let name = stored.record.name.to_string();
    let history = history?;
    let commit = commit_with_read_counters(repo, counters?, |seq| {
        let outcome = apply_modification(&stored.record, &history, draft, actor, today, now, seq)?;
        Ok((modify_license_batch(&stored, outcome.clone()), outcome))
    });
    // The linked records are in other stores than the commit's: read while
    // it runs (unless the form read them), for the license page shown after
    // the save.
    let (saved, links) = match links {
        Some(links) => (commit.await, Ok(links)),
        None => join2(commit, load_links(repo, &stored.record)).await,
    };
    let (outcome, committed) = saved.map_err(|failure| match failure {
        ModifyFailure::Storage(StorageError::Conflict {
            store: StoreName::Licenses,
            ..
        }) => conflict(&name).into(),
        other => other,
    })?;
    let detail = links
        .ok()
        .and_then(|links| saved_detail(&stored, history, &outcome, &committed, links));
    Ok(Modified {
        outcome,
        wrote: !committed.changes.is_empty(),
        detail,
    })
}

/// The license page's data after `outcome` was committed over `before`
/// (whose history was `history`); `None` if the commit does not name the
/// license's new revision.
fn saved_detail(
    before: &Stored<License>,
    mut history: Vec<HistoryEntry>,
    outcome: &ModifyOutcome,
    committed: &Committed,
    links: Links,
) -> Option<LicenseDetail> {
    let rev = if outcome.history.is_empty() && outcome.license == before.record {
        before.rev
    } else {
        committed.rev(StoreName::Licenses, before.record.id.to18())?
    };
    history.extend(outcome.history.iter().cloned());
    sort_newest_first(&mut history);
    Some(LicenseDetail::new(
        Stored {
            rev,
            record: outcome.license.clone(),
        },
        history,
        links,
    ))
}

fn not_found(id: &str) -> StorageError {
    StorageError::NotFound {
        what: StoreName::Licenses.label(),
        id: id.trim().chars().take(40).collect(),
    }
}

fn conflict(name: &str) -> StorageError {
    StorageError::Conflict {
        store: StoreName::Licenses,
        id: name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Sequences;
    use crate::domain::{ChangedBy, KeyPrefix, Profile};
    use crate::domain::{
        HistoryEntry, HistoryField, License, LicenseStatus, OrgStatus, Seats, SfId,
    };
    use crate::services::licenses::fixtures::*;
    #[allow(unused_imports)]
    use crate::services::licenses::*;
    use crate::services::packages::tests_racing::Racing;
    use crate::storage::records::SEQUENCES_KEY;
    use crate::storage::{Expect, MemoryRepository, Save};
    use futures::executor::block_on;
    use futures::future::LocalBoxFuture;
    use std::collections::HashSet;

    #[test]
    fn a_successful_change_saves_the_license_and_its_history_together() {
        let l = license(1);
        let repo = repo_with(&l);
        let manager = user(Profile::LicenseManager);
        let out = block_on(modify_license(
            &repo,
            l.id.to15(),
            None,
            &draft("2025-12-31", "25", "Suspended"),
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        assert_eq!(out.outcome.history.len(), 2);

        let saved = stored_license(&repo, &l.id);
        assert_eq!(saved.rev, 2);
        assert_eq!(saved.record.seats, Seats::count(25).unwrap());
        assert_eq!(saved.record.status, LicenseStatus::Suspended);
        assert_eq!(
            saved.record.last_modified.by,
            ChangedBy::User(manager.id.clone())
        );

        let history = block_on(history_to_change(&repo, &l.id)).unwrap();
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
            None,
            &draft("2025-12-31", "30", "Suspended"),
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        let history = block_on(history_to_change(&repo, &l.id)).unwrap();
        assert_eq!(history.len(), 3);
        let ids: HashSet<_> = history.iter().map(|h| h.id.clone()).collect();
        assert_eq!(ids.len(), 3);
    }

    #[test]
    fn the_license_page_it_returns_is_the_one_stored() {
        let l = license(1);
        let repo = repo_with(&l);
        block_on(repo.create(package("Invoice Pro"))).unwrap();
        let manager = user(Profile::LicenseManager);
        let later = now() + chrono::Duration::minutes(5);
        for (seats, status, at) in [("25", "Suspended", now()), ("30", "Suspended", later)] {
            let shown = stored_license(&repo, &l.id);
            let out = block_on(modify_license(
                &repo,
                l.id.to18(),
                Some(shown.rev),
                &draft("2025-12-31", seats, status),
                &manager,
                today(),
                at,
            ))
            .unwrap();
            assert!(out.wrote);
            let read = block_on(load_license_detail(&repo, l.id.to18())).unwrap();
            assert_eq!(out.detail, read);
        }
        let detail = block_on(load_license_detail(&repo, l.id.to18()))
            .unwrap()
            .unwrap();
        assert_eq!(
            detail.package.as_ref().map(|p| p.name.as_str()),
            Some("Invoice Pro")
        );
        assert_eq!(detail.history.len(), 3);

        // Nothing changed: nothing written, the page as it is.
        let out = block_on(modify_license(
            &repo,
            l.id.to18(),
            None,
            &draft("2025-12-31", "30", "Suspended"),
            &manager,
            today(),
            later,
        ))
        .unwrap();
        assert!(!out.wrote);
        assert_eq!(out.detail, Some(detail));
    }

    #[test]
    fn every_field_error_comes_back_from_one_save() {
        let l = license(1);
        let repo = repo_with(&l);
        let err = block_on(modify_license(
            &repo,
            l.id.to18(),
            None,
            &draft("2025-02-28", "0", "Gone"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap_err();
        let fields: Vec<Field> = err.messages().into_iter().map(|(f, _)| f).collect();
        assert_eq!(fields, vec![Field::Expiration, Field::Seats, Field::Status]);
        assert_eq!(err.field(), Field::Expiration);
        assert_eq!(stored_license(&repo, &l.id).rev, 1);
        assert_eq!(history_count(&repo), 0);
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
                None,
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
            None,
            &draft("2025-12-31", "20", "Active"),
            &manager,
            today(),
            now(),
        ))
        .unwrap_err();
        assert_eq!(
            err,
            ModifyFailure::Rules(vec![ModifyLicenseError::Uninstalled])
        );
        let err = block_on(modify_license(
            &repo,
            locked.id.to18(),
            None,
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

        let err = block_on(modify_license(
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

    #[test]
    fn a_save_from_what_the_form_read_saves_like_a_save_that_reads() {
        let l = license(1);
        let (read_first, from_start) = (repo_with(&l), repo_with(&l));
        for repo in [&read_first, &from_start] {
            block_on(repo.create(package("Invoice Pro"))).unwrap();
        }
        let manager = user(Profile::LicenseManager);
        let d = draft("2025-12-31", "25", "Suspended");
        let read = block_on(modify_license(
            &read_first,
            l.id.to18(),
            Some(1),
            &d,
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        let start = block_on(load_modify_start(&from_start, l.id.to15()))
            .unwrap()
            .unwrap();
        assert_eq!(start.license, stored_license(&from_start, &l.id));
        let saved = block_on(modify_from(
            &from_start,
            start,
            &d,
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        assert_eq!(saved, read);
        // The license page it hands over names the package the form read.
        let detail = saved.detail.unwrap();
        assert_eq!(
            detail.package.as_ref().map(|p| p.name.as_str()),
            Some("Invoice Pro")
        );
        assert_eq!(
            Some(detail),
            block_on(load_license_detail(&from_start, l.id.to18())).unwrap()
        );
        assert_eq!(
            stored_license(&from_start, &l.id),
            stored_license(&read_first, &l.id)
        );
        assert_eq!(history_count(&from_start), 2);
        assert_eq!(
            block_on(load_modify_start(&from_start, "nonsense")).unwrap(),
            None
        );
    }

    /// Saves Seats 25 from what a form read before `meanwhile` changed the
    /// repository (as another tab would).
    fn save_from_start_after(
        l: &License,
        meanwhile: impl FnOnce(&MemoryRepository, &ModifyStart),
    ) -> (MemoryRepository, Result<Modified, ModifyFailure>) {
        let repo = repo_with(l);
        let start = block_on(load_modify_start(&repo, l.id.to18()))
            .unwrap()
            .unwrap();
        meanwhile(&repo.other_tab(), &start);
        let saved = block_on(modify_from(
            &repo,
            start,
            &draft("2025-12-31", "25", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ));
        (repo, saved)
    }

    #[test]
    fn a_license_saved_elsewhere_after_the_form_read_it_is_a_conflict() {
        let l = license(1);
        let (repo, saved) = save_from_start_after(&l, |other_tab, start| {
            let mut theirs = start.license.clone();
            theirs.record.used_licenses = Some(5);
            block_on(other_tab.update(theirs)).unwrap();
        });
        let err = saved.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("License L-00001 was changed elsewhere"),
            "{err}"
        );
        assert_eq!(stored_license(&repo, &l.id).record.used_licenses, Some(5));
        assert_eq!(history_count(&repo), 0);
    }

    #[test]
    fn counters_taken_after_the_form_read_them_are_read_again() {
        let l = license(1);
        let (repo, saved) = save_from_start_after(&l, |other_tab, _| {
            let mut seq = Sequences::default();
            seq.next_id(KeyPrefix::LicenseHistory);
            block_on(other_tab.create(seq)).unwrap();
        });
        let out = saved.unwrap();
        assert_eq!(
            out.outcome.history[0].id,
            SfId::generate(KeyPrefix::LicenseHistory, 2)
        );
        assert_eq!(history_count(&repo), 1);
    }

    fn racing(
        l: &License,
        race: impl FnOnce(MemoryRepository) -> LocalBoxFuture<'static, ()> + 'static,
    ) -> Racing {
        crate::services::packages::tests_racing::racing(repo_with(l), race)
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
            None,
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
            None,
            &draft("2025-12-31", "25", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap();
        // The other tab's history ID 1 was taken; this save used the next one.
        assert_eq!(
            out.outcome.history[0].id,
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
            None,
            &ModifyLicenseDraft::from_license(&l),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap();
        assert!(out.outcome.history.is_empty());
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
            None,
            &draft("2025-03-20", "10", "Trial"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap_err();
        assert_eq!(
            err,
            ModifyFailure::Rules(vec![ModifyLicenseError::BackToTrial])
        );
    }

    #[test]
    fn unknown_licenses_are_not_found() {
        let repo = MemoryRepository::new();
        for id in ["", "nonsense", SfId::generate(KeyPrefix::License, 7).to18()] {
            let err = block_on(modify_license(
                &repo,
                id,
                None,
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
    fn counters_continue_from_the_stored_ones() {
        let l = license(1);
        let repo = repo_with(&l);
        let mut seq = Sequences::starting_at(10);
        seq.reserve_id_seq(KeyPrefix::LicenseHistory, 41);
        block_on(repo.create(seq)).unwrap();
        let out = block_on(modify_license(
            &repo,
            l.id.to18(),
            None,
            &draft("2025-12-31", "25", "Active"),
            &user(Profile::LicenseManager),
            today(),
            now(),
        ))
        .unwrap();
        assert_eq!(
            out.outcome.history[0].id,
            SfId::generate(KeyPrefix::LicenseHistory, 42)
        );
        let saved = block_on(repo.load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)).unwrap();
        assert!(matches!(saved, Save::Update(ref s) if s.rev == 2));
        assert_eq!(saved.record().peek_license_number(), 10);
    }
}
