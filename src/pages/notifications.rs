//! Notifications: the whole queue. Due ones with their ready email, each
//! marked as sent or snoozed for some days; the snoozed ones with the day
//! they are due again; the sent ones with who sent them and when. Home
//! shows the count and the first few ([`DueSummary`]).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::clock::{now, today};
use crate::components::loaded::{on_result, Loaded};
use crate::components::record::{Empty, PageHeader};
use crate::domain::{
    AlertKind, NoticeAbout, NoticeState, NotificationRecord, QueueItem, MAX_SNOOZE_DAYS,
};
use crate::format::{date_text, date_time_text};
use crate::services::notifications::{
    load_queue, mark_notification_sent, snooze_notification, NoticeFailure,
};

fn rule_text(record: &NotificationRecord) -> String {
    match &record.about {
        NoticeAbout::Expiration { days_before, .. } => {
            format!("{days_before} days before expiration")
        }
        NoticeAbout::Uninstall { .. } => "When uninstalled".to_string(),
    }
}

fn snooze_hint() -> &'static str {
    static HINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    crate::format::built_once(&HINT, || format!("1 to {MAX_SNOOZE_DAYS} days."))
}

/// The License cell: a link to the license and the customer.
fn license_cell(item: &QueueItem) -> impl IntoView {
    let href = format!("/licenses/{}", item.record.license_id.to18());
    let extra = match &item.record.about {
        NoticeAbout::Uninstall {
            package_name,
            version_number,
            install_date,
            ..
        } => format!(
            " {}: {package_name} {version_number}, installed {}",
            item.record.company,
            date_text(*install_date)
        ),
        NoticeAbout::Expiration { .. } => format!(" {}", item.record.company),
    };
    let name = item.record.license_name.to_string();
    view! {
        <A href=href>{name}</A>
        {extra}
    }
}

fn email_link(item: &QueueItem) -> impl IntoView {
    let label = format!(
        "Email {} about {}",
        item.recipient_name, item.record.license_name
    );
    view! {
        <a class="button" href=item.mailto.clone() aria-label=label title=item.subject.clone()>
            "Email"
        </a>
    }
}

/// The due notifications Home shows: the count, the first few, and the way
/// to the whole queue.
#[component]
pub fn DueSummary(
    /// How many are due ...
    count: usize,
    /// ... and the first of them.
    due: Vec<QueueItem>,
) -> impl IntoView {
    let shown = due.len();
    let rows = due
        .iter()
        .map(|item| {
            view! {
                <tr>
                    <th scope="row">{item.recipient_name.clone()}</th>
                    <td>{license_cell(item)}</td>
                    <td>{item.what.clone()}</td>
                    <td>{rule_text(&item.record)}</td>
                    <td>{email_link(item)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="notifications-title">
            <header>
                <h2 id="notifications-title">{format!("Notifications due ({count})")}</h2>
                <A href="/notifications">{format!("View all {count}")}</A>
            </header>
            {if count == 0 {
                view! {
                    <Empty>
                        "No notification is due. Alert rules (Settings) say whom to notify before a license expires or when it is uninstalled."
                    </Empty>
                }
                    .into_any()
            } else {
                view! {
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Notify"</th>
                                <th scope="col">"License"</th>
                                <th scope="col">"What"</th>
                                <th scope="col">"Alert rule"</th>
                                <th scope="col">"Email"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {(count > shown)
                        .then(|| {
                            view! {
                                <p class="list-count">
                                    {format!("Showing the first {shown} of {count}.")}
                                </p>
                            }
                        })}
                }
                    .into_any()
            }}
        </section>
    }
}

/// Mark as sent and Snooze for one due notification.
#[component]
fn DueActions(record: NotificationRecord, label: String) -> impl IntoView {
    let app = use_app();
    let days = RwSignal::new("3".to_string());
    let error = RwSignal::new(None::<NoticeFailure>);
    let send = Action::new_local(move |record: &NotificationRecord| {
        let repo = app.repo();
        let record = record.clone();
        let actor = app.user.get_untracked();
        async move { mark_notification_sent(&repo, &record, &actor, now()).await }
    });
    let pause = Action::new_local(move |(record, days): &(NotificationRecord, String)| {
        let repo = app.repo();
        let (record, days) = (record.clone(), days.clone());
        let actor = app.user.get_untracked();
        async move { snooze_notification(&repo, &record, &days, &actor, now()).await }
    });
    on_result(send, move |r| error.set(r.err()));
    on_result(pause, move |r| error.set(r.err()));
    let input_id = format!("snooze-{}", record.key);
    let error_id = format!("{input_id}-error");
    let busy = move || send.pending().get() || pause.pending().get();
    let for_send = record.clone();
    let on_snooze = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pause.dispatch_local((record.clone(), days.get_untracked()));
    };
    view! {
        <div class="notice-actions">
            <button
                type="button"
                class="primary"
                aria-label=format!("Mark as sent: {label}")
                disabled=busy
                on:click=move |_| {
                    send.dispatch_local(for_send.clone());
                }
            >
                "Mark as sent"
            </button>
            <form class="inline-form" on:submit=on_snooze novalidate>
                <label for=input_id.clone()>"Snooze for (days)"</label>
                <input
                    id=input_id.clone()
                    type="number"
                    min="1"
                    max=MAX_SNOOZE_DAYS.to_string()
                    title=snooze_hint()
                    aria-describedby=error_id.clone()
                    prop:value=move || days.get()
                    on:input=move |ev| days.set(event_target_value(&ev))
                />
                <button type="submit" aria-label=format!("Snooze: {label}") disabled=busy>
                    "Snooze"
                </button>
            </form>
            <p id=error_id class="field-error" role="alert">
                {move || error.get().map(|e| e.to_string())}
            </p>
        </div>
    }
}

fn due_table(items: Vec<QueueItem>) -> impl IntoView {
    if items.is_empty() {
        return view! { <Empty>"No notification is due."</Empty> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|item| {
            let label = format!("{} about {}", item.recipient_name, item.record.license_name);
            view! {
                <tr>
                    <th scope="row">{item.recipient_name.clone()}</th>
                    <td>{license_cell(&item)}</td>
                    <td>{item.what.clone()}</td>
                    <td>{rule_text(&item.record)}</td>
                    <td>{email_link(&item)}</td>
                    <td><DueActions record=item.record.clone() label /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Notify"</th>
                    <th scope="col">"License"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Alert rule"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Actions"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

/// Snoozed or sent notifications, with who did it and when.
fn done_table(items: Vec<QueueItem>, empty: &'static str) -> impl IntoView {
    if items.is_empty() {
        return view! { <Empty>{empty}</Empty> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|item| {
            let done = match item.state {
                NoticeState::Snoozed { until } => item
                    .record
                    .snoozes
                    .last()
                    .map(|s| {
                        format!(
                            "Due again on {}. Snoozed for {} days by {} on {}.",
                            date_text(until),
                            s.days,
                            s.acted.by_name,
                            date_time_text(s.acted.at)
                        )
                    })
                    .unwrap_or_default(),
                _ => item
                    .record
                    .sent
                    .as_ref()
                    .map(|s| format!("Sent by {} on {}", s.by_name, date_time_text(s.at)))
                    .unwrap_or_default(),
            };
            view! {
                <tr>
                    <th scope="row">{item.recipient_name.clone()}</th>
                    <td>{license_cell(&item)}</td>
                    <td>{item.what.clone()}</td>
                    <td>{rule_text(&item.record)}</td>
                    <td>{done}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <thead>
                <tr>
                    <th scope="col">"Notify"</th>
                    <th scope="col">"License"</th>
                    <th scope="col">"What"</th>
                    <th scope="col">"Alert rule"</th>
                    <th scope="col">"Done"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let app = use_app();
    let queue = app.live_resource(move |repo| {
        let users = app.users.get();
        async move { load_queue(&repo, &users, today()).await }
    });
    view! {
        <PageHeader object_label="Alerts" title=Signal::derive(|| "Notifications".to_string()) />
        <Loaded resource=queue what="Reading the notifications…" let:q>
            {
                let uninstall_due = q
                    .due
                    .iter()
                    .filter(|i| i.record.kind() == AlertKind::Uninstall)
                    .count();
                view! {
                    <section class="card" aria-labelledby="due-title">
                        <header>
                            <h2 id="due-title">{format!("Due ({})", q.due.len())}</h2>
                            <A href="/settings">"Alert rules"</A>
                        </header>
                        <div class="card-body">
                            <p>
                                {format!(
                                    "Send each email, then mark it as sent; or snooze it for {} and it is due again then. {uninstall_due} of them are about uninstalls.",
                                    snooze_hint().trim_end_matches('.'),
                                )}
                            </p>
                        </div>
                        {due_table(q.due.clone())}
                    </section>
                    <section class="card" aria-labelledby="snoozed-title">
                        <header>
                            <h2 id="snoozed-title">{format!("Snoozed ({})", q.snoozed.len())}</h2>
                        </header>
                        {done_table(q.snoozed.clone(), "No notification is snoozed.")}
                    </section>
                    <section class="card" aria-labelledby="sent-title">
                        <header>
                            <h2 id="sent-title">{format!("Sent ({})", q.sent.len())}</h2>
                        </header>
                        {done_table(q.sent.clone(), "No notification was marked as sent yet.")}
                    </section>
                }
            }
        </Loaded>
    }
}
