//! Alert rules (expiration and uninstall): list, add (the domain validates
//! the rule and gives it an ID, saved with the counters in one batch) and
//! remove.

use thiserror::Error;

use crate::domain::{
    new_alert_rule, new_uninstall_rule, AlertRule, AlertRuleDraft, AlertRuleError, Field, User,
};
use crate::storage::{commit_with_counters, Expect, Repository, StorageError, WriteBatch};

/// Why a rule was not saved. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AlertRuleFailure {
    #[error(transparent)]
    Rule(#[from] AlertRuleError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl AlertRuleFailure {
    /// The input the message belongs by.
    pub fn field(&self) -> Field {
        match self {
            AlertRuleFailure::Rule(e) => e.field(),
            AlertRuleFailure::Storage(_) => Field::Form,
        }
    }
}

/// Every alert rule, soonest first.
pub async fn load_rules<R: Repository>(repo: &R) -> Result<Vec<AlertRule>, StorageError> {
    let mut rules: Vec<AlertRule> = repo.list_records::<AlertRule>().await?;
    crate::sort::sort_by_key(&mut rules, |r| (r.days_before, r.id.clone()));
    Ok(rules)
}

/// Validates the draft against `users` (domain) and saves the new rule
/// with the ID counters in one batch.
pub async fn add_rule<R: Repository>(
    repo: &R,
    draft: &AlertRuleDraft,
    users: &[User],
) -> Result<AlertRule, AlertRuleFailure> {
    commit_with_counters(repo, |seq| {
        let rule = new_alert_rule(draft, users, seq)?;
        let mut batch = WriteBatch::new();
        batch.create(rule.clone());
        Ok((batch, rule))
    })
    .await
}

/// Saves "when a license becomes Uninstalled, notify `recipient`" (a user
/// ID), validated by the domain, with the ID counters in one batch.
pub async fn add_uninstall_rule<R: Repository>(
    repo: &R,
    recipient: &str,
    users: &[User],
) -> Result<AlertRule, AlertRuleFailure> {
    commit_with_counters(repo, |seq| {
        let rule = new_uninstall_rule(recipient, users, seq)?;
        let mut batch = WriteBatch::new();
        batch.create(rule.clone());
        Ok((batch, rule))
    })
    .await
}

/// Removes a rule, whatever was saved since (a rule is never edited).
pub async fn remove_rule<R: Repository>(repo: &R, id: &str) -> Result<(), StorageError> {
    repo.delete::<AlertRule>(id, Expect::Any).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::seed_users;
    use crate::storage::MemoryRepository;

    #[test]
    fn rules_are_validated_saved_and_removed() {
        futures::executor::block_on(async {
            let repo = MemoryRepository::new();
            let users = seed_users();
            let rep = users.iter().find(|u| u.active).unwrap();
            let bad = AlertRuleDraft {
                days_before: "400".into(),
                recipient: rep.id.to18().into(),
            };
            let err = add_rule(&repo, &bad, &users).await.unwrap_err();
            assert_eq!(err.field(), Field::DaysBefore);
            let inactive = users.iter().find(|u| !u.active).unwrap();
            let err = add_rule(
                &repo,
                &AlertRuleDraft {
                    days_before: "7".into(),
                    recipient: inactive.id.to18().into(),
                },
                &users,
            )
            .await
            .unwrap_err();
            assert_eq!(err.field(), Field::Recipient);
            let ok = AlertRuleDraft {
                days_before: "7".into(),
                recipient: rep.id.to18().into(),
            };
            let a = add_rule(&repo, &ok, &users).await.unwrap();
            let b = add_rule(&repo, &ok, &users).await.unwrap();
            assert_ne!(a.id, b.id);
            assert_eq!(load_rules(&repo).await.unwrap().len(), 2);
            remove_rule(&repo, a.id.to18()).await.unwrap();
            assert_eq!(load_rules(&repo).await.unwrap(), vec![b]);
        });
    }
}
