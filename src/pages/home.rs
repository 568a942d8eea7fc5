//! Home: load the demo data or reset everything, the licenses expiring soon
//! with the notifications due, and a dashboard of the licenses.

use leptos::prelude::*;

use crate::app_context::use_app;
use crate::clock::{now, today};
use crate::components::alert_dialog::ConfirmDialog;
use crate::components::chart_bars::{BarChart, BarGroup, Series};
use crate::components::fields::FormNotice;
use crate::components::loaded::{on_result, Loaded};
use crate::components::progress_bar::{after_paint, ProgressBar};
use crate::components::record::{Empty, PageHeader};
use crate::demo::{build_demo_data_lazily, has_data, reset, save_demo_data, DemoSize, DemoSummary};
use crate::domain::{group_thousands, Dashboard, License, SfId, EXPIRING_SOON_DAYS};
use crate::pages::notifications::DueSummary;
use crate::services::dashboard::load_home;
use crate::storage::persistence::request_persistence;
use crate::storage::{Progress, ReadStop, StorageError};
use chrono::{Duration, NaiveDate};
use leptos_router::components::A;

/// Milliseconds since the page opened, for timing the demo load.
fn clock_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn loaded_message(summary: &DemoSummary, ms: f64, build_ms: f64) -> String {
    let n = |x: usize| group_thousands(i64::try_from(x).unwrap_or(i64::MAX));
    format!(
        "Demo data loaded: {} packages, {} licenses, {} leads and {} install log entries ({} records in {:.1} s: built in {:.1} s, saved in {:.1} s).",
        n(summary.packages),
        n(summary.licenses),
        n(summary.leads),
        n(summary.installs),
        n(summary.records),
        ms / 1000.0,
        build_ms / 1000.0,
        (ms - build_ms) / 1000.0,
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
    // The long work under way: what it is, and how far the commit got.
    let work = RwSignal::new(String::new());
    let progress = RwSignal::new(None::<Progress>);
    // The Cancel of the work under way (each run has its own).
    let cancel = StoredValue::new(ReadStop::new());
    let cancelling = RwSignal::new(false);
    let bulk_repo = move |what: &str| {
        work.set(what.to_string());
        cancelling.set(false);
        app.bulk_repo(progress, cancel)
    };

    let load = Action::new_local(move |size: &DemoSize| {
        let size = *size;
        let repo = bulk_repo("Building the demo data");
        async move {
            let started = clock_ms();
            // The bar is on screen before the (synchronous) build starts.
            after_paint().await;
            // Built, then saved: timed apart for performance work.
            let data = build_demo_data_lazily(today(), now(), size)
                .await
                .map_err(|missing| format!("The demo data was not loaded: {missing}"))?;
            let built = clock_ms();
            work.set("Saving the demo data".to_string());
            let result = save_demo_data(&repo, data).await;
            let done = clock_ms();
            match result {
                Ok(summary) => {
                    // The first real data: ask the browser not to evict it.
                    let kept = if request_persistence().await {
                        " The browser keeps the desk's data even when space runs low."
                    } else {
                        " The browser may delete the desk's data when space runs low: Settings says how to keep it."
                    };
                    Ok(format!(
                        "{}{kept}",
                        loaded_message(&summary, done - started, built - started)
                    ))
                }
                Err(StorageError::WriteCancelled) => Ok(
                    "Loading the demo data was cancelled: nothing was saved, the desk is as it was."
                        .to_string(),
                ),
                Err(e) => Err(format!("The demo data was not loaded: {e}")),
            }
        }
    });
    let clear = Action::new_local(move |_: &()| {
        let repo = bulk_repo("Deleting everything");
        async move {
            match reset(&repo).await {
                Ok(()) => Ok("Everything was deleted: License Desk is empty. Load the demo data or upload a package in the Subscriber simulator to start again.".to_string()),
                Err(StorageError::WriteCancelled) => {
                    Ok("Reset was cancelled: nothing was deleted.".to_string())
                }
                Err(e) => Err(format!("Nothing was deleted: {e}")),
            }
        }
    });
    // Whether there is data to replace, asked when the button is clicked.
    let check = Action::new_local(move |_: &()| {
        let repo = app.repo();
        async move { has_data(&repo).await }
    });

    on_result(load, move |result| notice.set(Some(result)));
    on_result(clear, move |result| notice.set(Some(result)));
    on_result(check, move |result| match result {
        Ok(true) => confirm_load.set(true),
        Ok(false) => {
            notice.set(None);
            load.dispatch_local(size.get_untracked());
        }
        Err(e) => notice.set(Some(Err(format!("The demo data was not loaded: {e}")))),
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
                <Show when=move || load.pending().get() || clear.pending().get()>
                    <ProgressBar
                        label=Signal::derive(move || {
                            if load.pending().get() {
                                format!("{} ({})", work.get(), size_label())
                            } else {
                                work.get()
                            }
                        })
                        progress=progress
                    />
                    // The commit is one transaction: stopped at its next
                    // step, it leaves the desk as it was.
                    <button
                        type="button"
                        disabled=move || cancelling.get()
                        on:click=move |_| {
                            cancelling.set(true);
                            cancel.with_value(ReadStop::stop);
                        }
                    >
                        "Cancel"
                    </button>
                </Show>
                <FormNotice notice />
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

// ---------------------------------------------------------------------------
// Dashboard
// ---------------------------------------------------------------------------

fn week_label(start: NaiveDate) -> String {
    let end = start + Duration::days(6);
    format!("{} – {}", start.format("%b %-d"), end.format("%b %-d"))
}

fn days_left_text(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        n => format!("in {n} days"),
    }
}

/// The first licenses expiring soon (`licenses`) of `count`.
#[component]
fn ExpiringSoon(
    licenses: Vec<License>,
    count: usize,
    packages: Vec<(SfId, String)>,
) -> impl IntoView {
    let today = today();
    let more = count.saturating_sub(licenses.len());
    let package_name = move |id: &SfId| {
        packages
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let rows = licenses
        .into_iter()
        .map(|l| {
            let href = format!("/licenses/{}", l.id.to18());
            let left = l.expiration.days_left(today).unwrap_or(0);
            let status = l.status.label();
            view! {
                <tr>
                    <th scope="row"><A href=href>{l.name.to_string()}</A></th>
                    <td>{l.lead_name.clone()}</td>
                    <td>{package_name(&l.package_id)}</td>
                    <td><span class=format!("badge {status}")>{status}</span></td>
                    <td>{l.expiration.to_string()}</td>
                    <td>{days_left_text(left)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="expiring-title">
            <header>
                <h2 id="expiring-title">
                    {format!("Licenses expiring within {EXPIRING_SOON_DAYS} days ({count})")}
                </h2>
            </header>
            {if count == 0 {
                view! { <Empty>"No license expires in the next 30 days."</Empty> }.into_any()
            } else {
                view! {
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"License Name"</th>
                                <th scope="col">"Lead"</th>
                                <th scope="col">"Package"</th>
                                <th scope="col">"License Status"</th>
                                <th scope="col">"Expiration Date"</th>
                                <th scope="col">"Expires"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                    {(more > 0).then(|| view! { <p class="list-count">{format!("and {more} more")}</p> })}
                }
                    .into_any()
            }}
        </section>
    }
}

#[component]
fn Charts(d: Dashboard) -> impl IntoView {
    let status_groups: Vec<BarGroup> = d
        .by_status
        .iter()
        .map(|(s, n)| BarGroup::new(s.label(), vec![*n]))
        .collect();
    let status_summary = d
        .by_status
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let seat_groups: Vec<BarGroup> = d
        .seats
        .iter()
        .map(|p| {
            let mut g = BarGroup::new(p.package.clone(), vec![p.licensed, p.used]);
            if p.licensed == 0 && p.site_licenses > 0 {
                g.note = Some(format!("Site License only ({} licenses)", p.site_licenses));
            }
            g
        })
        .collect();
    let seat_summary = d
        .seats
        .iter()
        .map(|p| format!("{}: {} licensed, {} used", p.package, p.licensed, p.used))
        .collect::<Vec<_>>()
        .join("; ");
    let expiring_total: u64 = d.expirations.iter().map(|(_, n)| n).sum();
    let expiration_groups: Vec<BarGroup> = d
        .expirations
        .iter()
        .map(|(start, n)| BarGroup::new(week_label(*start), vec![*n]))
        .collect();
    view! {
        <section class="card" aria-labelledby="dashboard-title">
            <header>
                <h2 id="dashboard-title">{format!("Dashboard ({} licenses)", d.total)}</h2>
            </header>
            <div class="card-body dashboard">
                <BarChart
                    id="chart-status"
                    title="Licenses by status"
                    summary=format!("Licenses by License Status. {status_summary}.")
                    series=vec![Series::new("Licenses", "#0176d3")]
                    groups=status_groups
                />
                <BarChart
                    id="chart-seats"
                    title="Seats licensed vs used per package"
                    summary=format!("Licensed Seats and Used Licenses of installed licenses, per package (Site Licenses have no seat count). {seat_summary}.")
                    series=vec![Series::new("Licensed", "#0176d3"), Series::new("Used", "#2e844a")]
                    groups=seat_groups
                />
                <BarChart
                    id="chart-expirations"
                    title="Expirations over the next 90 days"
                    summary=format!("Licenses expiring in each of the next 13 weeks, {expiring_total} in all.")
                    series=vec![Series::new("Licenses expiring", "#9e6a00")]
                    groups=expiration_groups
                />
            </div>
        </section>
    }
}

/// The notifications due, the licenses expiring soon and the charts: one
/// read (`load_home`) for all three.
#[component]
fn DashboardSection() -> impl IntoView {
    let app = use_app();
    let data = app.live_resource(move |repo| {
        let users = app.users.get();
        async move { load_home(&repo, &users, today()).await }
    });
    view! {
        <Loaded resource=data what="Reading the licenses…" let:home>
            {if home.dashboard.total == 0 {
                view! {
                    <section class="card">
                        <Empty>
                            "No licenses yet. Load the demo data above, or install a package into a subscriber org in the "
                            <A href="/simulator">"Subscriber simulator"</A> "."
                        </Empty>
                    </section>
                }
                    .into_any()
            } else {
                let d = home.dashboard;
                view! {
                    <DueSummary count=home.due_count due=home.due />
                    <ExpiringSoon
                        licenses=d.expiring_soon.clone()
                        count=d.expiring_soon_count
                        packages=home.package_names
                    />
                    <Charts d=d />
                }
                    .into_any()
            }}
        </Loaded>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <PageHeader object_label="License Management App" title=Signal::derive(|| "Home".to_string()) />
        <DemoControls />
        <DashboardSection />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(week_label(d), "Nov 23 – Nov 29");
        assert_eq!(days_left_text(0), "today");
        assert_eq!(days_left_text(5), "in 5 days");
    }
}
