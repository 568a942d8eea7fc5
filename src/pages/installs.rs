//! The Install Log: every event from the subscriber orgs, newest first, with
//! what the LMA did about it. A pending or failed install says why and what
//! to check (the LMA guide's "Leads and Licenses Aren't Being Created",
//! made the app's own).

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::components::export_button::ExportButton;
use crate::components::install_outcome::{
    outcome_label, outcome_license, outcome_text, troubleshooting_checklist,
};
use crate::components::loaded::Loaded;
use crate::components::record::{Empty, PageHeader};
use crate::domain::{InstallEvent, InstallOutcome, Package, SfId};
use crate::exchange::install_log_csv;
use crate::services::export::ExportFailed;
use crate::services::install::load_install_log;
use crate::storage::{Repository, StorageError};

/// Rows shown at first, and added by "Show more".
const PAGE: usize = 100;

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
    match key {
        "created" => matches!(outcome, InstallOutcome::LeadAndLicenseCreated { .. }),
        "updated" => matches!(outcome, InstallOutcome::LicenseUpdated { .. }),
        "pending" => matches!(outcome, InstallOutcome::Pending { .. }),
        "failed" => matches!(outcome, InstallOutcome::Failed { .. }),
        "none" => matches!(outcome, InstallOutcome::NoLicense { .. }),
        _ => true,
    }
}

#[derive(Clone)]
struct Log {
    events: Vec<InstallEvent>,
    packages: HashMap<SfId, String>,
}

async fn load_log<R: Repository>(repo: &R) -> Result<Log, StorageError> {
    let events = load_install_log(repo).await?;
    let packages = repo
        .list_records::<Package>()
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p.name.to_string()))
        .collect();
    Ok(Log { events, packages })
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
    let log = app.live_resource(|repo| async move { load_log(&repo).await });
    let filter = RwSignal::new("all".to_string());
    let shown = RwSignal::new(PAGE);

    let table = move |log: Log| {
        let key = filter.get();
        let log = Arc::new(log);
        // Every event the outcome filter selects, not only the newest shown.
        let export_csv = {
            let log = Arc::clone(&log);
            let key = key.clone();
            move || {
                let selected = log
                    .events
                    .iter()
                    .filter(|e| matches_filter(&e.outcome, &key));
                std::future::ready(install_log_csv(selected).map_err(ExportFailed::from))
            }
        };
        let matching: Vec<&InstallEvent> = log
            .events
            .iter()
            .filter(|e| matches_filter(&e.outcome, &key))
            .collect();
        let total = matching.len();
        let limit = shown.get();
        if total == 0 && key != "all" {
            return view! { <Empty>"No event matches this outcome."</Empty> }.into_any();
        }
        if total == 0 {
            return view! {
                <Empty>
                    "No event here yet. Install a package into a subscriber org in the "
                    <A href="/simulator">"Subscriber simulator"</A>
                    ", or load the demo data on the Home page."
                </Empty>
            }
            .into_any();
        }
        let rows = matching
            .into_iter()
            .take(limit)
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
        let more = total.saturating_sub(limit);
        view! {
            <div class="list-actions">
                <p class="list-count" role="status">
                    {if total == 1 { "1 event".to_string() } else { format!("{total} events") }}
                    {(more > 0).then(|| format!(", showing the newest {limit}"))}
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
            {(more > 0).then(|| view! {
                <p style="padding:0.75rem 1rem">
                    <button type="button" on:click=move |_| shown.update(|n| *n += PAGE)>
                        {format!("Show {} more", more.min(PAGE))}
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
                            shown.set(PAGE);
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
}
