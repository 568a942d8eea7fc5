//! Settings: storage on this device (persistent or not, space used), the
//! way to Damaged records, expiration alert rules ("N days before a
//! license expires, notify user U") and uninstall alert rules ("when a
//! license becomes Uninstalled, notify user U"). The domain validates a
//! rule; its errors are shown by their input. Due notifications are on Home
//! and the Notifications page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::components::alert_dialog::ConfirmDialog;
use crate::components::fields::{SelectInput, TextInput};
use crate::components::loaded::{on_result, Loaded};
use crate::components::record::{Empty, ErrorNotice, PageHeader};
use crate::components::storage_status::StorageStatus;
use crate::domain::{AlertKind, AlertRule, AlertRuleDraft, Field, User, MAX_DAYS_BEFORE};
use crate::services::alerts::{
    add_rule, add_uninstall_rule, load_rules, remove_rule, AlertRuleFailure,
};

/// The Days Before Expiration hint, from the domain's limit.
fn days_hint() -> &'static str {
    static HINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    crate::format::built_once(&HINT, || {
        format!("0 (the day it expires) to {MAX_DAYS_BEFORE}.")
    })
}

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
    if rule.kind == AlertKind::Uninstall {
        return ("When a license becomes Uninstalled".to_string(), who);
    }
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
    // Uninstall rules: only whom to notify.
    let uninstall_recipient = RwSignal::new(String::new());
    let uninstall_error = RwSignal::new(None::<AlertRuleFailure>);
    let uninstall_notice = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if uninstall_recipient.get_untracked().is_empty() {
            if let Some(u) = app.users.get().iter().find(|u| u.active) {
                uninstall_recipient.set(u.id.to18().to_string());
            }
        }
    });
    let add_uninstall = Action::new_local(move |recipient: &String| {
        let repo = app.repo();
        let recipient = recipient.clone();
        let users = app.users.get_untracked();
        async move { add_uninstall_rule(&repo, &recipient, &users).await }
    });
    on_result(add_uninstall, move |result| match result {
        Ok(rule) => {
            uninstall_error.set(None);
            let (when, who) = rule_text(&rule, &app.users.get_untracked());
            uninstall_notice.set(Some(format!("Alert rule added: {when}, notify {who}.")));
        }
        Err(e) => {
            uninstall_notice.set(None);
            uninstall_error.set(Some(e));
        }
    });
    let on_uninstall_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        uninstall_notice.set(None);
        add_uninstall.dispatch_local(uninstall_recipient.get_untracked());
    };
    let uninstall_field_error = Signal::derive(move || {
        uninstall_error
            .get()
            .filter(|e| e.field() == Field::Recipient)
            .map(|e| e.to_string())
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        add.dispatch_local(AlertRuleDraft {
            days_before: days.get_untracked(),
            recipient: recipient.get_untracked(),
        });
    };

    let list = move |rules: Vec<AlertRule>, kind: AlertKind| {
        let rules: Vec<AlertRule> = rules.into_iter().filter(|r| r.kind == kind).collect();
        if rules.is_empty() {
            return view! { <Empty>"No alert rule yet: add one below."</Empty> }.into_any();
        }
        let first_column = match kind {
            AlertKind::Expiration => "Days Before Expiration",
            AlertKind::Uninstall => "When",
        };
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
                        <th scope="col">{first_column}</th>
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
        <StorageStatus />
        <section class="card" aria-labelledby="damaged-title">
            <header>
                <h2 id="damaged-title">"Damaged records"</h2>
                <A href="/settings/damaged">"Damaged records"</A>
            </header>
            <div class="card-body">
                <p>
                    "Stored records this version of License Desk can't read (left by an old version, a browser extension or a bug) are left out of the lists; each is listed there with the reason and its stored content, to download."
                </p>
            </div>
        </section>
        <section class="card" aria-labelledby="sync-title">
            <header>
                <h2 id="sync-title">"Sync"</h2>
                <A href="/settings/sync">"Sync"</A>
            </header>
            <div class="card-body">
                <p>
                    "Share this desk's records with the team's other desks through a CouchDB database: its URL, the user name and password, start and stop, and the records changed on two desks at once."
                </p>
            </div>
        </section>
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
                {move || list(r.clone(), AlertKind::Expiration)}
            </Loaded>
            <div class="card-body">
                <h3>"Add an alert rule"</h3>
                <form class="form" on:submit=on_submit novalidate>
                    <TextInput
                        id="rule-days"
                        label="Days Before Expiration"
                        value=days
                        kind="number"
                        hint=days_hint()
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
        </section>
        <section class="card" aria-labelledby="uninstall-rules-title">
            <header>
                <h2 id="uninstall-rules-title">"Uninstall alert rules"</h2>
                <A href="/notifications">"Notifications"</A>
            </header>
            <div class="card-body">
                <p>
                    "When a customer uninstalls a package, a customer-retention specialist should find out why. Each rule says whom to notify: every license that becomes Uninstalled (in the Subscriber simulator, by Refresh Licenses or by an import) makes one due notification per rule, with a ready email naming the company, package, version and install date."
                </p>
            </div>
            <Loaded resource=rules what="Reading the alert rules…" let:r>
                {move || list(r.clone(), AlertKind::Uninstall)}
            </Loaded>
            <div class="card-body">
                <h3>"Add an uninstall alert rule"</h3>
                <form class="form" on:submit=on_uninstall_submit novalidate>
                    <SelectInput
                        id="uninstall-rule-recipient"
                        label="Notify User"
                        value=uninstall_recipient
                        options=user_options
                        error=uninstall_field_error
                    />
                    {move || {
                        uninstall_error
                            .get()
                            .filter(|e| e.field() == Field::Form)
                            .map(|e| view! { <ErrorNotice message=e.to_string() /> })
                    }}
                    {move || uninstall_notice.get().map(|n| view! { <div class="notice success" role="status">{n}</div> })}
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || add_uninstall.pending().get()>
                            "Add uninstall rule"
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
    use crate::domain::{seed_users, KeyPrefix, SfId};

    #[test]
    fn a_rule_reads_as_when_and_who() {
        let users = seed_users();
        let rep = users.iter().find(|u| u.active).unwrap();
        let a = AlertRule {
            id: SfId::generate(KeyPrefix::AlertRule, 1),
            kind: crate::domain::AlertKind::Expiration,
            days_before: 7,
            recipient: rep.id.clone(),
        };
        assert_eq!(rule_text(&a, &users).0, "7 days before a license expires");
        assert_eq!(days_hint(), "0 (the day it expires) to 365.");
    }
}
