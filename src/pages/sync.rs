//! Settings → Sync: the CouchDB database this desk syncs with (URL, user
//! name and password), Test connection, Start and Stop; the records that
//! changed on two desks ("Sync conflicts", each shown field by field, kept
//! or merged here); and the documents this desk refused ("Refused
//! documents", with the domain's reason). Remote text is only ever shown as
//! text.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::components::fields::{FormNotice, TextInput};
use crate::components::loaded::{on_result, Loaded};
use crate::components::progress_bar::ProgressBar;
use crate::components::record::{Empty, ErrorNotice, PageHeader};
use crate::services::sync::{
    load_settings, resolve, session_credentials, test_connection, Credentials, SyncService,
};
use crate::storage::Progress;
use crate::sync::couch_json::DbUrl;
use crate::sync::desk::{Conflict, Resolution, Side};
use crate::sync::local::Refusal;
use crate::sync::replicator::Transfer;

const WINNER: &str = "winner";
const OTHER: &str = "other";

#[component]
pub fn SyncPage() -> impl IntoView {
    let sync = expect_context::<SyncService>();
    let settings = load_settings();
    let saved = session_credentials().unwrap_or_default();
    let url = RwSignal::new(settings.db_url);
    let name = RwSignal::new(saved.name);
    let password = RwSignal::new(saved.password);
    let url_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<Result<String, String>>);
    let running = Signal::derive(move || sync.health.with(|h| h.running));
    let status = sync.status();

    // The URL is checked here first, so its message sits by its input.
    let form = move || {
        url_error.set(None);
        notice.set(None);
        let text = url.get_untracked();
        match DbUrl::parse(&text) {
            Ok(_) => Some((
                text,
                Credentials {
                    name: name.get_untracked(),
                    password: password.get_untracked(),
                },
            )),
            Err(e) => {
                url_error.set(Some(e.to_string()));
                None
            }
        }
    };

    let test = Action::new_local(move |(url, credentials): &(String, Credentials)| {
        let (url, credentials) = (url.clone(), credentials.clone());
        async move { test_connection(&url, &credentials).await }
    });
    on_result(test, move |result| {
        notice.set(Some(result.map(|c| c.describe())));
    });
    let start = Action::new_local(move |(url, credentials): &(String, Credentials)| {
        let (url, credentials) = (url.clone(), credentials.clone());
        async move { sync.start(&url, &credentials).await }
    });
    on_result(start, move |result| notice.set(Some(result)));
    let busy = Signal::derive(move || test.pending().get() || start.pending().get());

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = form() {
            start.dispatch_local(input);
        }
    };

    view! {
        <PageHeader object_label="Settings" title=Signal::derive(|| "Sync".to_string()) />
        <p><A href="/settings">"Back to Settings"</A></p>
        <section class="card" aria-labelledby="sync-server-title">
            <header>
                <h2 id="sync-server-title">"Sync server"</h2>
            </header>
            <div class="card-body">
                <p>
                    "Desks of one team share their records through a CouchDB database (one database per team). Changes made offline wait on this desk and are sent when the server answers again. The user name and password are kept for this tab's session only."
                </p>
                <p>
                    "Status: "
                    {move || status.get().to_string()}
                </p>
                <TransferBar
                    label="Sending this desk's changes"
                    transfer=Signal::derive(move || sync.health.with(|h| h.sending))
                />
                <TransferBar
                    label="Receiving the team's changes"
                    transfer=Signal::derive(move || sync.health.with(|h| h.receiving))
                />
                <form class="form" on:submit=on_submit novalidate>
                    <TextInput
                        id="sync-url"
                        label="Database URL"
                        value=url
                        kind="url"
                        hint="For example https://couch.example.com/team_licenses"
                        error=Signal::derive(move || url_error.get())
                    />
                    <TextInput id="sync-user" label="User name" value=name hint="Leave empty when the server asks for none." />
                    <TextInput id="sync-password" label="Password" value=password kind="password" />
                    <FormNotice notice />
                    <div class="form-actions">
                        <button
                            type="button"
                            disabled=move || busy.get()
                            on:click=move |_| {
                                if let Some(input) = form() {
                                    test.dispatch_local(input);
                                }
                            }
                        >
                            "Test connection"
                        </button>
                        <button type="submit" class="primary" disabled=move || busy.get()>
                            "Start sync"
                        </button>
                        <button
                            type="button"
                            disabled=move || !running.get()
                            on:click=move |_| {
                                sync.stop();
                                notice.set(Some(Ok("Sync stopped. Changes made on this desk wait until sync starts again.".to_string())));
                            }
                        >
                            "Stop sync"
                        </button>
                    </div>
                </form>
            </div>
        </section>
        <Conflicts />
        <Refused />
    }
}

/// A push or catch-up of more than one page (a first sync): changes done of
/// the total, or only that it is under way when the server doesn't say how
/// many are left.
#[component]
fn TransferBar(label: &'static str, transfer: Signal<Option<Transfer>>) -> impl IntoView {
    let progress = Signal::derive(move || {
        transfer
            .get()
            .and_then(|t| Some(Progress::new(t.done, t.total?)))
    });
    view! {
        <Show when=move || transfer.with(Option::is_some)>
            <ProgressBar label=label.to_string() progress />
        </Show>
    }
}

/// The records changed on two desks, each to keep or merge.
#[component]
fn Conflicts() -> impl IntoView {
    let app = use_app();
    let conflicts = app.live_sync_resource(crate::services::sync::conflicts);
    view! {
        <section class="card" aria-labelledby="sync-conflicts-title">
            <header>
                <h2 id="sync-conflicts-title">"Sync conflicts"</h2>
            </header>
            <div class="card-body">
                <p>
                    "A record changed on two desks before they synced. Every desk shows the winner until someone keeps one version or merges them field by field; the license's history keeps both changes."
                </p>
            </div>
            <Loaded resource=conflicts what="Reading the sync conflicts…" let:list>
                {if list.is_empty() {
                    view! { <Empty>"No sync conflict."</Empty> }.into_any()
                } else {
                    list.into_iter()
                        .map(|conflict| view! { <ConflictCard conflict /> })
                        .collect_view()
                        .into_any()
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn ConflictCard(conflict: Conflict) -> impl IntoView {
    let app = use_app();
    let sync = expect_context::<SyncService>();
    let error = RwSignal::new(None::<String>);
    let choices: Vec<(String, RwSignal<String>)> = conflict
        .fields
        .iter()
        .map(|f| (f.field.clone(), RwSignal::new(WINNER.to_string())))
        .collect();
    let doc_id = conflict.doc_id.clone();
    let resolve_action = Action::new_local(move |how: &Resolution| {
        let (repo, doc_id, how) = (app.repo(), doc_id.clone(), how.clone());
        let user = app.user.get_untracked().id;
        async move { resolve(repo, doc_id, how, user, crate::clock::now()).await }
    });
    on_result(resolve_action, move |result| match result {
        Ok(()) => {
            error.set(None);
            sync.wake();
        }
        Err(e) => error.set(Some(e)),
    });
    let merged = {
        let choices = choices.clone();
        move || {
            Resolution::Merge(
                choices
                    .iter()
                    .map(|(field, side)| {
                        let side = if side.get_untracked() == OTHER {
                            Side::Other
                        } else {
                            Side::Winner
                        };
                        (field.clone(), side)
                    })
                    .collect(),
            )
        }
    };
    let title_id = format!(
        "conflict-{}",
        conflict
            .doc_id
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let rows = conflict
        .fields
        .iter()
        .zip(choices.iter())
        .map(|(f, (_, choice))| {
            let choice = *choice;
            let label = format!("Keep for {}", f.label);
            view! {
                <tr>
                    <th scope="row">{f.label.clone()}</th>
                    <td>{f.ours.clone()}</td>
                    <td>{f.theirs.clone()}</td>
                    <td>
                        <select
                            aria-label=label
                            on:change=move |ev| choice.set(event_target_value(&ev))
                            prop:value=move || choice.get()
                        >
                            <option value=WINNER>"Winner"</option>
                            <option value=OTHER>"Other"</option>
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let pending = move || resolve_action.pending().get();
    let labelled_by = title_id.clone();
    view! {
        <section class="card-body" aria-labelledby=labelled_by>
            <h3 id=title_id>{conflict.title.clone()}</h3>
            {(conflict.others > 1).then(|| view! {
                <p>{format!("{} desks changed it: the table shows one other version; keeping or merging settles them all.", conflict.others + 1)}</p>
            })}
            <table>
                <caption>{format!("{}: the winner (shown on every desk) and the other version", conflict.title)}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Field"</th>
                        <th scope="col">"Winner"</th>
                        <th scope="col">"Other"</th>
                        <th scope="col">"Keep"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {move || error.get().map(|e| view! { <ErrorNotice message=e /> })}
            <div class="form-actions">
                <button type="button" disabled=pending on:click=move |_| { resolve_action.dispatch_local(Resolution::KeepWinner); }>
                    "Keep this version"
                </button>
                <button type="button" disabled=pending on:click=move |_| { resolve_action.dispatch_local(Resolution::KeepOther); }>
                    "Keep the other version"
                </button>
                <button type="button" class="primary" disabled=pending on:click=move |_| { resolve_action.dispatch_local(merged()); }>
                    "Save merged version"
                </button>
            </div>
        </section>
    }
}

/// Documents from the server this desk did not store, and why.
#[component]
fn Refused() -> impl IntoView {
    let app = use_app();
    let refused = app.live_sync_resource(crate::services::sync::refused);
    let table = |list: Vec<Refusal>| {
        if list.is_empty() {
            return view! { <Empty>"No refused document."</Empty> }.into_any();
        }
        let rows = list
            .into_iter()
            .map(|r| {
                view! {
                    <tr>
                        <th scope="row">{r.doc_id}</th>
                        <td>{r.rev}</td>
                        <td>{r.reason}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table>
                <caption>"Refused documents"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Document"</th>
                        <th scope="col">"Revision"</th>
                        <th scope="col">"Reason"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="sync-refused-title">
            <header>
                <h2 id="sync-refused-title">"Refused documents"</h2>
            </header>
            <div class="card-body">
                <p>
                    "Documents from the server that this desk did not store because they break a rule (a malformed record, a value out of range). The rest of the sync went on; fix them on the desk that wrote them or in the database."
                </p>
            </div>
            <Loaded resource=refused what="Reading the refused documents…" let:list>
                {table(list)}
            </Loaded>
        </section>
    }
}
