//! The Install Log: every event from the subscriber orgs, newest first, with
//! what the LMA did about it. A pending or failed install says why and what
//! to check (the LMA guide's "Leads and Licenses Aren't Being Created",
//! made the app's own).

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::components::export_button::ExportButton;
use crate::components::install_outcome::{
    outcome_label, outcome_license, outcome_text, troubleshooting_checklist,
};
use crate::components::loaded::{arriving, stayed_on_page, Loaded};
use crate::components::record::{Empty, PageHeader};
use crate::domain::{group_thousands, InstallEvent, InstallOutcome, Package, SfId};
use crate::exchange::install_log_csv;
use crate::services::export::ExportFailed;
use crate::services::install::{
    count_install_log, load_install_log_filtered, load_install_log_page, InstallLogPage,
    INSTALL_LOG_PAGE,
};
use crate::services::join::join2;
use crate::storage::{outcome_key, Repository, StorageError};

/// The outcome filter's choices: (key, label).
const FILTERS: [(&str, &str); 6] = [
    ("all", "All events"),
    ("created", "Lead and license created"),
    ("updated", "License updated"),
    ("pending", "Pending"),
    ("failed", "Failed"),
    ("none", "No license"),
];

/// Whether `outcome` passes the filter `key`.
pub fn matches_filter(outcome: &InstallOutcome, key: &str) -> bool {
    key == "all" || outcome_key(outcome) == key
}

#[derive(Clone)]
struct Log {
    /// The newest events the filter selects, as many as shown.
    page: InstallLogPage,
    packages: HashMap<SfId, String>,
    /// The outcome filter the page was read with.
    filter: String,
}

async fn load_log<R: Repository>(repo: &R, filter: &str, shown: u32) -> Result<Log, StorageError> {
    // Independent reads: IndexedDB serves them together.
    let (page, packages) = join2(
        load_install_log_page(repo, filter, shown),
        repo.list_records::<Package>(),
    )
    .await;
    let (page, packages) = (page?, packages?);
    let packages = packages
        .into_iter()
        .map(|p| (p.id.clone(), p.name.to_string()))
        .collect();
    Ok(Log {
        page,
        packages,
        filter: filter.to_string(),
    })
}

fn installer_text(e: &InstallEvent) -> String {
    let i = &e.installer;
    let name = [i.first_name.trim(), i.last_name.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [name.as_str(), i.company.trim(), i.email.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "241,282 events, showing the newest 50"; without the count (`total` None:
/// more events than shown, still `counting` or not countable), an honest
/// "more than".
fn count_text(total: Option<u64>, counting: bool, listed: usize) -> String {
    let events = |n: u64| {
        if n == 1 {
            "1 event".to_string()
        } else {
            format!("{} events", group_thousands(n as i64))
        }
    };
    match total {
        Some(total) if total as usize <= listed => events(total),
        Some(total) => format!("{}, showing the newest {listed}", events(total)),
        None => format!(
            "More than {listed} events, showing the newest {listed}{}",
            if counting { " (counting…)" } else { "" }
        ),
    }
}

#[component]
fn OutcomeCell(event: InstallEvent) -> impl IntoView {
    let label = outcome_label(&event.outcome);
    let text = outcome_text(&event.outcome);
    let package_href = format!("/packages/{}", event.package_id.to18());
    match event.outcome {
        InstallOutcome::Failed { advice, .. } => {
            let advice = advice
                .into_iter()
                .map(|a| view! { <li>{a}</li> })
                .collect_view();
            let general = troubleshooting_checklist()
                .into_iter()
                .map(|a| view! { <li>{a}</li> })
                .collect_view();
            view! {
                <span class="badge Suspended">{label}</span>
                <p>{text}</p>
                <p><strong>"What to check"</strong></p>
                <ul>{advice}</ul>
                <details>
                    <summary>"More checks: leads and licenses aren't being created"</summary>
                    <ul>{general}</ul>
                </details>
                <A href=package_href>"Open the package"</A>
            }
            .into_any()
        }
        InstallOutcome::Pending { .. } => view! {
            <span class="badge Trial">{label}</span>
            <p>{text}</p>
            <A href=package_href>"Open the package to register it and refresh its licenses"</A>
        }
        .into_any(),
        InstallOutcome::NoLicense { .. } => view! {
            <span class="badge">{label}</span>
            <p>{text}</p>
        }
        .into_any(),
        ref outcome => {
            let link = outcome_license(outcome).map(|id| {
                let href = format!("/licenses/{}", id.to18());
                view! { " " <A href=href>"Open the license"</A> }
            });
            view! {
                <span class="badge Active">{label}</span>
                {link}
            }
            .into_any()
        }
    }
}

#[component]
pub fn InstallLogPage() -> impl IntoView {
    let app = use_app();
    let filter = RwSignal::new("all".to_string());
    // How many of the newest events are shown: one index read of that many.
    let shown = RwSignal::new(INSTALL_LOG_PAGE);
    let log = app.live_resource(move |repo| {
        let key = filter.get();
        let n = shown.get();
        async move { load_log(&repo, &key, n).await }
    });
    // The filter whose events outnumber the page, once its page is read: an
    // index count visits every entry (seconds at 241,282 events), so it runs
    // after the page is shown, never before it, and only for someone who
    // stays; it fills the count in.
    let to_count = Memo::new(move |_| {
        log.read()
            .as_ref()
            .and_then(|read| read.as_ref().ok())
            .filter(|l| l.page.more)
            .map(|l| l.filter.clone())
    });
    let counted = arriving(app.live_resource(move |repo| {
        let key = to_count.get();
        async move {
            match key {
                Some(key) => {
                    if !stayed_on_page(to_count).await {
                        return None;
                    }
                    let n = count_install_log(&repo, &key).await.ok();
                    Some((key, n))
                }
                None => None,
            }
        }
    }));

    let table = move |log: Log| {
        let key = log.filter.clone();
        // Every event the outcome filter selects, not only the newest shown:
        // read when the button is pressed.
        let export_csv = {
            let key = key.clone();
            move || {
                let repo = app.repo();
                let key = key.clone();
                async move {
                    let selected = load_install_log_filtered(&repo, &key)
                        .await
                        .map_err(ExportFailed::from)?;
                    install_log_csv(selected.iter()).map_err(ExportFailed::from)
                }
            }
        };
        let listed = log.page.events.len();
        let empty = listed == 0 && !log.page.more;
        if empty && key != "all" {
            return view! { <Empty>"No event matches this outcome."</Empty> }.into_any();
        }
        if empty {
            return view! {
                <Empty>
                    "No event here yet. Install a package into a subscriber org in the "
                    <A href="/simulator">"Subscriber simulator"</A>
                    ", or load the demo data on the Home page."
                </Empty>
            }
            .into_any();
        }
        let rows = log
            .page
            .events
            .iter()
            .map(|e| {
                let package = log
                    .packages
                    .get(&e.package_id)
                    .cloned()
                    .unwrap_or_else(|| e.package_id.to15().to_string());
                let org = format!("{} ({})", e.org.org_name, e.org.org_id.to15());
                let org_details = format!(
                    "{}, {}, {}{}",
                    e.org.edition,
                    e.org.instance,
                    e.org.status,
                    if e.org.sandbox { ", sandbox" } else { "" }
                );
                view! {
                    <tr>
                        <td>{e.at.format("%Y-%m-%d %H:%M").to_string()}</td>
                        <th scope="row">{e.kind.label()}</th>
                        <td>{package} " " {e.version_number.to_string()}</td>
                        <td>{org} <br /> <span class="hint">{org_details}</span></td>
                        <td>{installer_text(e)}</td>
                        <td><OutcomeCell event=e.clone() /></td>
                    </tr>
                }
            })
            .collect_view();
        let more = log.page.more;
        let known = log.page.total_if_all_shown();
        // The count of this page's filter once read (a count of the filter
        // before stays out): `None` while counting, `Some(None)` if it failed.
        let count = move || {
            known.map(Some).or_else(|| {
                counted
                    .read()
                    .as_ref()
                    .and_then(|c| c.as_ref())
                    .filter(|(k, _)| *k == key)
                    .map(|(_, n)| *n)
            })
        };
        let total = {
            let count = count.clone();
            move || count().flatten()
        };
        let next = {
            let total = total.clone();
            move || {
                total()
                    .map_or(u64::from(INSTALL_LOG_PAGE), |t| {
                        t.saturating_sub(listed as u64)
                    })
                    .clamp(1, u64::from(INSTALL_LOG_PAGE))
            }
        };
        view! {
            <div class="list-actions">
                <p class="list-count" role="status">
                    {move || count_text(total(), count().is_none(), listed)}
                </p>
                <ExportButton list="Install Log" csv=export_csv />
            </div>
            <table>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Event"</th>
                        <th scope="col">"Package Version"</th>
                        <th scope="col">"Subscriber Org"</th>
                        <th scope="col">"Installer"</th>
                        <th scope="col">"Outcome"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {more.then(|| view! {
                <p style="padding:0.75rem 1rem">
                    <button
                        type="button"
                        on:click=move |_| shown.update(|n| *n = n.saturating_add(INSTALL_LOG_PAGE))
                    >
                        {move || format!("Show {} more", next())}
                    </button>
                </p>
            })}
        }
        .into_any()
    };

    view! {
        <PageHeader object_label="License Management App" title=Signal::derive(|| "Install Log".to_string()) />
        <section class="card" aria-label="Install Log">
            <div class="filters">
                <div class="form-field">
                    <label for="install-filter">"Outcome"</label>
                    <select
                        id="install-filter"
                        on:change=move |ev| {
                            filter.set(event_target_value(&ev));
                            shown.set(INSTALL_LOG_PAGE);
                        }
                    >
                        {FILTERS
                            .into_iter()
                            .map(|(k, l)| view! { <option value=k selected=move || filter.get() == k>{l}</option> })
                            .collect_view()}
                    </select>
                </div>
            </div>
            <Loaded resource=log what="Reading the Install Log…" let:l>
                {move || table(l.clone())}
            </Loaded>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_pick_their_outcomes() {
        let pending = InstallOutcome::Pending { reason: "x".into() };
        let failed = InstallOutcome::Failed {
            reason: "x".into(),
            advice: vec![],
        };
        assert!(matches_filter(&pending, "pending") && !matches_filter(&pending, "failed"));
        assert!(matches_filter(&failed, "failed") && matches_filter(&failed, "all"));
        assert!(!matches_filter(&failed, "created"));
    }

    #[test]
    fn the_count_says_how_many_or_more_than_the_page_while_counting() {
        assert_eq!(count_text(Some(1), false, 1), "1 event");
        assert_eq!(count_text(Some(473), false, 473), "473 events");
        assert_eq!(
            count_text(Some(241_282), false, 50),
            "241,282 events, showing the newest 50"
        );
        assert_eq!(
            count_text(None, true, 50),
            "More than 50 events, showing the newest 50 (counting…)"
        );
        assert_eq!(
            count_text(None, false, 100),
            "More than 100 events, showing the newest 100"
        );
    }
}
