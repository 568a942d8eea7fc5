//! Settings: expiration alert rules ("N days before a license expires,
//! notify user U"). The domain validates a rule; its errors are shown by
//! their input. Due notifications are listed on the Home page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::components::alert_dialog::ConfirmDialog;
use crate::components::fields::{SelectInput, TextInput};
use crate::components::loaded::{on_result, Loaded};
use crate::components::record::{Empty, ErrorNotice, PageHeader};
use crate::domain::{
    new_alert_rule, AlertRule, AlertRuleDraft, AlertRuleError, Field, Sequences, User,
    MAX_DAYS_BEFORE,
};
use crate::storage::records::SEQUENCES_KEY;
use crate::storage::{Expect, Repository, Save, StorageError, StoreName, Stored, WriteBatch};

/// Why a rule was not saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertRuleFailure {
    #[error(transparent)]
    Rule(#[from] AlertRuleError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl AlertRuleFailure {
    pub fn field(&self) -> Field {
        match self {
            AlertRuleFailure::Rule(e) => e.field(),
            AlertRuleFailure::Storage(_) => Field::Form,
        }
    }
}

/// Every alert rule, soonest first.
pub async fn load_rules<R: Repository>(repo: &R) -> Result<Vec<AlertRule>, StorageError> {
    let mut rules: Vec<AlertRule> = repo.all_records::<AlertRule>().await?;
    rules.sort_by_key(|r| (r.days_before, r.id.clone()));
    Ok(rules)
}

/// Validates the draft (domain) and saves the rule with the ID counters in
/// one batch; retried if only the counters were saved in another tab.
pub async fn add_rule<R: Repository>(
    repo: &R,
    draft: &AlertRuleDraft,
    users: &[User],
) -> Result<AlertRule, AlertRuleFailure> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let counters = repo
            .load_or::<Sequences>(SEQUENCES_KEY, Sequences::default)
            .await?;
        let mut seq = counters.record().clone();
        let rule = new_alert_rule(draft, users, &mut seq)?;
        let mut batch = WriteBatch::new();
        batch.create(rule.clone());
        batch.save(match counters {
            Save::Create(_) => Save::Create(seq),
            Save::Update(s) => Save::Update(Stored {
                rev: s.rev,
                record: seq,
            }),
        });
        match repo.commit(batch).await {
            Ok(_) => return Ok(rule),
            Err(StorageError::Conflict { what, .. })
                if what == StoreName::Counters.label() && attempt < 3 =>
            {
                continue
            }
            Err(e) => return Err(e.into()),
        }
    }
}

pub async fn remove_rule<R: Repository>(repo: &R, id: &str) -> Result<(), StorageError> {
    repo.delete::<AlertRule>(id, Expect::Any).await
}

const DAYS_HINT: &str = "0 (the day it expires) to 365.";
const _: () = assert!(MAX_DAYS_BEFORE == 365, "update DAYS_HINT");

fn rule_text(rule: &AlertRule, users: &[User]) -> (String, String) {
    let who = users
        .iter()
        .find(|u| u.id == rule.recipient)
        .map(|u| {
            if u.active {
                format!("{} ({})", u.name, u.email)
            } else {
                format!("{} (inactive: gets no notification)", u.name)
            }
        })
        .unwrap_or_else(|| format!("Unknown user {}", rule.recipient.to15()));
    let when = match rule.days_before {
        0 => "On the day a license expires".to_string(),
        1 => "1 day before a license expires".to_string(),
        n => format!("{n} days before a license expires"),
    };
    (when, who)
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let app = use_app();
    let rules = app.live_resource(|repo| async move { load_rules(&repo).await });
    let days = RwSignal::new("30".to_string());
    let recipient = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AlertRuleFailure>);
    let notice = RwSignal::new(None::<String>);
    let to_remove = RwSignal::new(None::<(String, String)>);
    let confirm_open = RwSignal::new(false);

    // Default recipient: the first active user.
    Effect::new(move |_| {
        if recipient.get_untracked().is_empty() {
            if let Some(u) = app.users.get().iter().find(|u| u.active) {
                recipient.set(u.id.to18().to_string());
            }
        }
    });

    let add = Action::new_local(move |draft: &AlertRuleDraft| {
        let repo = app.repo();
        let draft = draft.clone();
        let users = app.users.get_untracked();
        async move { add_rule(&repo, &draft, &users).await }
    });
    on_result(add, move |result| match result {
        Ok(rule) => {
            error.set(None);
            let (when, who) = rule_text(&rule, &app.users.get_untracked());
            notice.set(Some(format!("Alert rule added: {when}, notify {who}.")));
        }
        Err(e) => {
            notice.set(None);
            error.set(Some(e));
        }
    });
    let remove = Action::new_local(move |id: &String| {
        let repo = app.repo();
        let id = id.clone();
        async move { remove_rule(&repo, &id).await }
    });
    on_result(remove, move |result| match result {
        Ok(()) => {
            error.set(None);
            notice.set(Some("Alert rule removed.".to_string()));
        }
        Err(e) => error.set(Some(e.into())),
    });

    let field_error = move |f: Field| {
        Signal::derive(move || {
            error
                .get()
                .filter(|e| e.field() == f)
                .map(|e| e.to_string())
        })
    };
    let user_options = Signal::derive(move || {
        app.users
            .get()
            .into_iter()
            .filter(|u| u.active)
            .map(|u| {
                (
                    u.id.to18().to_string(),
                    format!("{} ({})", u.name, u.profile),
                )
            })
            .collect::<Vec<_>>()
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        add.dispatch_local(AlertRuleDraft {
            days_before: days.get_untracked(),
            recipient: recipient.get_untracked(),
        });
    };

    let list = move |rules: Vec<AlertRule>| {
        if rules.is_empty() {
            return view! { <Empty>"No alert rule yet: add one below."</Empty> }.into_any();
        }
        let users = app.users.get();
        let rows = rules
            .into_iter()
            .map(|r| {
                let (when, who) = rule_text(&r, &users);
                let id = r.id.to18().to_string();
                let label = format!("Remove the rule: {when}, notify {who}");
                let describe = format!("{when}, notify {who}");
                view! {
                    <tr>
                        <th scope="row">{when}</th>
                        <td>{who}</td>
                        <td>
                            <button
                                type="button"
                                class="danger"
                                aria-label=label
                                on:click=move |_| {
                                    to_remove.set(Some((id.clone(), describe.clone())));
                                    confirm_open.set(true);
                                }
                            >
                                "Remove"
                            </button>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Days Before Expiration"</th>
                        <th scope="col">"Notify User"</th>
                        <th scope="col"><span class="hint">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };

    view! {
        <PageHeader object_label="Settings" title=Signal::derive(|| "Settings".to_string()) />
        <section class="card" aria-labelledby="rules-title">
            <header>
                <h2 id="rules-title">"Expiration alert rules"</h2>
                <A href="/">"Notifications due"</A>
            </header>
            <div class="card-body">
                <p>
                    "Before a license expires, the sales rep should discuss its renewal. Each rule says how many days before a license's Expiration Date whom to notify; the notifications due are listed on the Home page with a ready email."
                </p>
            </div>
            <Loaded resource=rules what="Reading the alert rules…" let:r>
                {move || list(r.clone())}
            </Loaded>
            <div class="card-body">
                <h3>"Add an alert rule"</h3>
                <form class="form" on:submit=on_submit novalidate>
                    <TextInput
                        id="rule-days"
                        label="Days Before Expiration"
                        value=days
                        kind="number"
                        hint=DAYS_HINT
                        error=field_error(Field::DaysBefore)
                    />
                    <SelectInput
                        id="rule-recipient"
                        label="Notify User"
                        value=recipient
                        options=user_options
                        error=field_error(Field::Recipient)
                    />
                    {move || {
                        error
                            .get()
                            .filter(|e| e.field() == Field::Form)
                            .map(|e| view! { <ErrorNotice message=e.to_string() /> })
                    }}
                    {move || notice.get().map(|n| view! { <div class="notice success" role="status">{n}</div> })}
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || add.pending().get()>
                            "Add rule"
                        </button>
                    </div>
                </form>
            </div>
            <ConfirmDialog
                open=confirm_open
                title="Remove this alert rule?"
                message=Signal::derive(move || {
                    to_remove
                        .get()
                        .map(|(_, d)| format!("{d}. No more notifications come from this rule."))
                        .unwrap_or_default()
                })
                confirm_label="Remove rule"
                danger=true
                on_confirm=Callback::new(move |()| {
                    if let Some((id, _)) = to_remove.get_untracked() {
                        remove.dispatch_local(id);
                    }
                })
            />
        </section>
    }
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
            assert_eq!(rule_text(&a, &users).0, "7 days before a license expires");
        });
    }
}
