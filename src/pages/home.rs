//! Home: load the demo data or reset everything, the licenses expiring soon
//! with the notifications due, and a dashboard of the licenses.

use leptos::prelude::*;

use crate::app_context::use_app;
use crate::clock::{now, today};
use crate::components::alert_dialog::ConfirmDialog;
use crate::components::alert_offline::OfflineNotice;
use crate::components::record::PageHeader;
use crate::demo::{has_data, load_demo_data, reset, DemoSize, DemoSummary};
use crate::domain::group_thousands;
use crate::storage::StorageError;

/// Milliseconds since the page opened, for timing the demo load.
fn clock_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn loaded_message(summary: &DemoSummary, ms: f64) -> String {
    let n = |x: usize| group_thousands(i64::try_from(x).unwrap_or(i64::MAX));
    format!(
        "Demo data loaded: {} packages, {} licenses, {} leads and {} install log entries ({} records in {:.1} s).",
        n(summary.packages),
        n(summary.licenses),
        n(summary.leads),
        n(summary.installs),
        n(summary.records),
        ms / 1000.0
    )
}

/// The "Load demo data" and "Reset" buttons, each confirmed in an in-page
/// dialog when it would delete records.
#[component]
fn DemoControls() -> impl IntoView {
    let app = use_app();
    let size = RwSignal::new(DemoSize::Normal);
    let confirm_load = RwSignal::new(false);
    let confirm_reset = RwSignal::new(false);
    let notice = RwSignal::new(None::<Result<String, String>>);

    let load = Action::new_local(move |size: &DemoSize| {
        let size = *size;
        let repo = app.repo();
        async move {
            let started = clock_ms();
            let result = load_demo_data(&repo, today(), now(), size).await;
            let ms = clock_ms() - started;
            match result {
                Ok(summary) => Ok(loaded_message(&summary, ms)),
                Err(e) => Err(format!("The demo data was not loaded: {e}")),
            }
        }
    });
    let clear = Action::new_local(move |_: &()| {
        let repo = app.repo();
        async move {
            reset(&repo)
                .await
                .map(|()| "Everything was deleted: License Desk is empty. Load the demo data or upload a package in the Subscriber simulator to start again.".to_string())
                .map_err(|e: StorageError| format!("Nothing was deleted: {e}"))
        }
    });
    // Whether there is data to replace, asked when the button is clicked.
    let check = Action::new_local(move |_: &()| {
        let repo = app.repo();
        async move { has_data(&repo).await }
    });

    Effect::new(move |_| {
        if let Some(result) = load.value().get() {
            notice.set(Some(result));
        }
    });
    Effect::new(move |_| {
        if let Some(result) = clear.value().get() {
            notice.set(Some(result));
        }
    });
    Effect::new(move |_| match check.value().get() {
        Some(Ok(true)) => confirm_load.set(true),
        Some(Ok(false)) => {
            notice.set(None);
            load.dispatch_local(size.get_untracked());
        }
        Some(Err(e)) => notice.set(Some(Err(format!("The demo data was not loaded: {e}")))),
        None => {}
    });

    let busy = move || load.pending().get() || clear.pending().get() || check.pending().get();
    let on_load = move |_| {
        notice.set(None);
        check.dispatch_local(());
    };
    let on_reset = move |_| {
        notice.set(None);
        confirm_reset.set(true);
    };
    let size_label = move || size.get().label();

    view! {
        <section class="card" aria-labelledby="demo-title">
            <header>
                <h2 id="demo-title">"Demo data"</h2>
            </header>
            <div class="card-body">
                <p>
                    "A realistic License Management App to explore offline: four packages, about 200 installs with their leads and licenses, upgrades, uninstalls, a suspended and a deleted org, converted leads, a pending and a failed install, and expiration alerts."
                </p>
                <div class="filters" style="padding:0;border:0">
                    <div class="form-field">
                        <label for="demo-size">"Demo size"</label>
                        <select
                            id="demo-size"
                            on:change=move |ev| {
                                if let Some(s) = DemoSize::from_key(&event_target_value(&ev)) {
                                    size.set(s);
                                }
                            }
                        >
                            {DemoSize::ALL
                                .into_iter()
                                .map(|s| {
                                    view! {
                                        <option value=s.key() selected=move || size.get() == s>
                                            {s.label()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <button type="button" class="primary" on:click=on_load disabled=busy>
                        "Load demo data"
                    </button>
                    <button type="button" class="danger" on:click=on_reset disabled=busy>
                        "Reset"
                    </button>
                </div>
                <Show when=move || load.pending().get()>
                    <p class="loading" role="status">
                        "Loading the demo data (" {size_label} ")…"
                    </p>
                </Show>
                <Show when=move || clear.pending().get()>
                    <p class="loading" role="status">"Deleting everything…"</p>
                </Show>
                {move || {
                    notice
                        .get()
                        .map(|n| match n {
                            Ok(text) => {
                                view! {
                                    <div class="notice success" role="status">
                                        {text}
                                    </div>
                                }
                                    .into_any()
                            }
                            Err(text) => {
                                view! {
                                    <div class="notice error" role="alert">
                                        {text}
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </div>
            <ConfirmDialog
                open=confirm_load
                title="Replace the data with the demo?"
                message=Signal::derive(move || {
                    format!(
                        "License Desk already holds records in this browser. Loading the demo data ({}) deletes every package, license, lead, account, contact, install log entry and alert rule here and replaces them with the demo's. This can't be undone.",
                        size.get().label(),
                    )
                })
                confirm_label="Replace with demo data"
                danger=true
                on_confirm=Callback::new(move |()| {
                    load.dispatch_local(size.get_untracked());
                })
            />
            <ConfirmDialog
                open=confirm_reset
                title="Reset License Desk?"
                message="Every package, package version, license, lead, account, contact, install log entry and alert rule in this browser is deleted. This can't be undone."
                    .to_string()
                confirm_label="Delete everything"
                danger=true
                on_confirm=Callback::new(move |()| {
                    clear.dispatch_local(());
                })
            />
        </section>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageHeader object_label="License Management App" title=Signal::derive(|| "Home".to_string()) />
        <OfflineNotice />
        <DemoControls />
    }
}
