//! The notification queue (Home and the Notifications page): read it, mark
//! a notification as sent, snooze one. And what every workflow that can
//! uninstall a license (the simulator's uninstall, Refresh Licenses, an
//! import) adds to its save: the uninstall notifications the domain makes.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use thiserror::Error;

use crate::domain::{
    alert_horizon, customer_company, mark_sent, notification_queue, snooze,
    uninstall_notifications, Account, AlertKind, AlertRule, Field, Lead, License, NoticeError,
    NotificationQueue, NotificationRecord, SfId, User,
};
use crate::services::expiring::read_expiring;
use crate::storage::{commit_with_counters, Repository, StorageError, Stored, WriteBatch};

/// The queue on `today`, for `users` (recipients are named from them).
pub async fn load_queue<R: Repository>(
    repo: &R,
    users: &[User],
    today: NaiveDate,
) -> Result<NotificationQueue, StorageError> {
    let rules: Vec<AlertRule> = repo.list_records::<AlertRule>().await?;
    // Only licenses expiring within a rule's days make notifications: the
    // list snapshot tells which, and only those are read in full.
    let licenses = read_expiring(repo, today, alert_horizon(&rules)).await?;
    let stored: Vec<NotificationRecord> = repo.list_records::<NotificationRecord>().await?;
    Ok(notification_queue(&rules, &licenses, users, &stored, today))
}

/// Why a notification was not marked or snoozed. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NoticeFailure {
    #[error(transparent)]
    Notice(#[from] NoticeError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl NoticeFailure {
    pub fn field(&self) -> Field {
        match self {
            NoticeFailure::Notice(e) => e.field(),
            NoticeFailure::Storage(_) => Field::Form,
        }
    }
}

/// Applies `change` to the stored copy of `shown` (an expiration
/// notification is stored the first time it is acted on) and saves it,
/// refused if another tab changed it meanwhile.
async fn act_on<R: Repository>(
    repo: &R,
    shown: &NotificationRecord,
    change: impl Fn(&NotificationRecord) -> Result<NotificationRecord, NoticeError>,
) -> Result<NotificationRecord, NoticeFailure> {
    let stored = repo.get::<NotificationRecord>(&shown.key).await?;
    commit_with_counters(repo, |_| {
        let mut batch = WriteBatch::new();
        let changed = match &stored {
            Some(s) => {
                let changed = change(&s.record)?;
                batch.update(Stored {
                    rev: s.rev,
                    record: changed.clone(),
                });
                changed
            }
            None => {
                let changed = change(shown)?;
                batch.create(changed.clone());
                changed
            }
        };
        Ok((batch, changed))
    })
    .await
}

/// Marks the notification as sent by `actor` at `now`: it leaves the queue
/// for good, and who and when is kept.
pub async fn mark_notification_sent<R: Repository>(
    repo: &R,
    shown: &NotificationRecord,
    actor: &User,
    now: NaiveDateTime,
) -> Result<NotificationRecord, NoticeFailure> {
    act_on(repo, shown, |r| mark_sent(r, actor, now)).await
}

/// Snoozes the notification for `days` (the domain checks them).
pub async fn snooze_notification<R: Repository>(
    repo: &R,
    shown: &NotificationRecord,
    days: &str,
    actor: &User,
    now: NaiveDateTime,
) -> Result<NotificationRecord, NoticeFailure> {
    act_on(repo, shown, |r| snooze(r, days, actor, now)).await
}

/// What a workflow that may uninstall licenses needs to make their
/// notifications inside its own save: the uninstall rules and the
/// companies of the licenses it may uninstall.
#[derive(Debug, Clone, Default)]
pub struct UninstallAlerts {
    rules: Vec<AlertRule>,
    companies: HashMap<SfId, String>,
}

impl UninstallAlerts {
    /// Reads the uninstall rules and, when there are any, the company of
    /// each of `candidates` (the licenses the workflow may uninstall).
    pub async fn load<R: Repository>(
        repo: &R,
        candidates: &[&License],
    ) -> Result<UninstallAlerts, StorageError> {
        let rules: Vec<AlertRule> = repo
            .all_records::<AlertRule>()
            .await?
            .into_iter()
            .filter(|r| r.kind == AlertKind::Uninstall)
            .collect();
        let mut companies = HashMap::new();
        if !rules.is_empty() {
            for license in candidates {
                // A damaged lead or account only costs the email its company.
                let lead = match &license.lead_id {
                    Some(id) => repo.get_shown::<Lead>(id.to18()).await?,
                    None => None,
                };
                let account = match &license.account_id {
                    Some(id) => repo.get_shown::<Account>(id.to18()).await?,
                    None => None,
                };
                companies.insert(
                    license.id.clone(),
                    customer_company(license, lead.as_ref(), account.as_ref()),
                );
            }
        }
        Ok(UninstallAlerts { rules, companies })
    }

    /// Adds to `batch` the notifications the domain makes for `before`
    /// becoming `after` at `at`; returns how many.
    pub fn add_to(
        &self,
        batch: &mut WriteBatch,
        before: Option<&License>,
        after: &License,
        package_name: &str,
        at: NaiveDateTime,
    ) -> usize {
        if self.rules.is_empty() {
            return 0;
        }
        let company = self
            .companies
            .get(&after.id)
            .cloned()
            .unwrap_or_else(|| customer_company(after, None, None));
        let made = uninstall_notifications(before, after, package_name, &company, &self.rules, at);
        let n = made.len();
        for notice in made {
            batch.create(notice);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        new_uninstall_rule, seed_users, Expiration, NoticeState, Profile, Sequences,
    };
    use crate::services::alerts::add_rule;
    use crate::storage::contract::samples;
    use crate::storage::MemoryRepository;
    use futures::executor::block_on;

    fn world_with_rule(repo: &MemoryRepository) -> samples::World {
        let w = samples::world().unwrap();
        block_on(async {
            for u in w.catalog.users.clone() {
                repo.create(u).await.unwrap();
            }
            let mut seq = Sequences::default();
            let rule =
                new_uninstall_rule(w.catalog.admin.id.to18(), &w.catalog.users, &mut seq).unwrap();
            repo.create(rule).await.unwrap();
        });
        w
    }

    #[test]
    fn a_notification_marked_as_sent_leaves_the_queue_and_keeps_who_and_when() {
        let repo = MemoryRepository::new();
        let w = world_with_rule(&repo);
        let users = w.catalog.users.clone();
        let mut notice = w.notification.clone();
        notice.sent = None;
        block_on(repo.create(notice.clone())).unwrap();
        let today = w.catalog.now.date();
        let q = block_on(load_queue(&repo, &users, today)).unwrap();
        assert_eq!(q.due.len(), 1);
        let actor = users
            .iter()
            .find(|u| u.profile == Profile::SalesRep)
            .unwrap();
        let sent = block_on(mark_notification_sent(
            &repo,
            &q.due[0].record,
            actor,
            w.catalog.now,
        ))
        .unwrap();
        let q = block_on(load_queue(&repo, &users, today)).unwrap();
        assert!(q.due.is_empty());
        assert_eq!(q.sent[0].record.sent.as_ref().unwrap().by_name, actor.name);
        assert_eq!(q.sent[0].state, NoticeState::Sent);
        // A second tab that still shows it due is refused; nothing changes.
        let err = block_on(snooze_notification(
            &repo,
            &notice,
            "3",
            actor,
            w.catalog.now,
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            NoticeFailure::Notice(NoticeError::AlreadySent { .. })
        ));
        assert_eq!(
            block_on(repo.load::<NotificationRecord>(&sent.key))
                .unwrap()
                .record,
            sent
        );
    }

    #[test]
    fn an_expiration_notification_is_stored_when_first_snoozed() {
        let repo = MemoryRepository::new();
        let users = seed_users();
        let rep = users
            .iter()
            .find(|u| u.profile == Profile::SalesRep)
            .unwrap();
        let w = samples::world().unwrap();
        let mut license = w.license.clone();
        let today = w.catalog.now.date();
        license.expiration = Expiration::Date(today + chrono::Days::new(5));
        block_on(async {
            repo.create(license).await.unwrap();
            add_rule(
                &repo,
                &crate::domain::AlertRuleDraft {
                    days_before: "7".into(),
                    recipient: rep.id.to18().into(),
                },
                &users,
            )
            .await
            .unwrap();
        });
        let q = block_on(load_queue(&repo, &users, today)).unwrap();
        assert_eq!(q.due.len(), 1);
        assert_eq!(block_on(repo.count::<NotificationRecord>()).unwrap(), 0);
        let err = block_on(snooze_notification(
            &repo,
            &q.due[0].record,
            "0",
            rep,
            w.catalog.now,
        ))
        .unwrap_err();
        assert_eq!(err.field(), Field::SnoozeDays);
        assert_eq!(block_on(repo.count::<NotificationRecord>()).unwrap(), 0);
        block_on(snooze_notification(
            &repo,
            &q.due[0].record,
            "2",
            rep,
            w.catalog.now,
        ))
        .unwrap();
        let q = block_on(load_queue(&repo, &users, today)).unwrap();
        assert_eq!((q.due.len(), q.snoozed.len()), (0, 1));
        let later = today + chrono::Days::new(2);
        let q = block_on(load_queue(&repo, &users, later)).unwrap();
        assert_eq!((q.due.len(), q.snoozed.len()), (1, 0));
    }
}
