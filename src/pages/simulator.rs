//! The Subscriber simulator: stands in for AppExchange and the subscriber
//! orgs, which the LMA only hears from. Upload a package version, install a
//! version into an org, upgrade, uninstall, change Used Licenses, suspend or
//! delete an org, and register a package. Each event runs the LMA's rules
//! (the domain) and is saved with its Install Log entry in one atomic step.
//! The page is kept visibly apart (dashed card): nothing here is an LMA
//! screen.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::app_context::use_app;
use crate::clock::now;
use crate::components::fields::{CheckboxInput, SelectInput, TextInput};
use crate::components::install_form::{parse_install_form, InstallForm, EDITIONS};
use crate::components::install_outcome::{outcome_license, outcome_text};
use crate::components::license_status::LicenseStatusBadge;
use crate::components::loaded::on_result;
use crate::components::record::{ErrorNotice, PageHeader};
use crate::components::register_package::RegisterPackageForm;
use crate::domain::{
    upgrade_versions, InstallEvent, InstallOutcome, License, LicenseStatus, OrgStatus,
    TRIAL_ORG_DAYS,
};
use crate::services::install::{
    load_simulator, simulate_install, simulate_org_status, simulate_uninstall, simulate_upgrade,
    simulate_used_licenses, suggest_next_version, upload_version, SimField, SimulatorData,
    SimulatorError, UploadForm,
};

type Errors = RwSignal<Option<SimulatorError>>;

fn field_error(errors: Errors, field: SimField) -> Signal<Option<String>> {
    Signal::derive(move || {
        errors
            .get()
            .filter(|e| e.field() == field)
            .map(|e| e.to_string())
    })
}

/// The error of a form that belongs to none of `fields`.
fn form_error(errors: Errors, fields: &'static [SimField]) -> impl Fn() -> Option<AnyView> {
    move || {
        errors
            .get()
            .filter(|e| !fields.contains(&e.field()))
            .map(|e| view! { <ErrorNotice message=e.to_string() /> }.into_any())
    }
}

/// What the LMA did about the events just sent, with a link to what changed.
#[component]
fn EventOutcome(events: RwSignal<Vec<InstallEvent>>, data: Signal<SimulatorData>) -> impl IntoView {
    move || {
        let d = data.get();
        events
            .get()
            .into_iter()
            .map(|e| {
                let package = d
                    .package(&e.package_id)
                    .map(|p| p.name.to_string())
                    .unwrap_or_default();
                let head = format!(
                    "{}: {} {} in {} ({}).",
                    e.kind,
                    package,
                    e.version_number,
                    e.org.org_name,
                    e.org.org_id.to15()
                );
                let text = outcome_text(&e.outcome);
                let license_link = outcome_license(&e.outcome).map(|id| {
                    let href = format!("/licenses/{}", id.to18());
                    view! { " " <A href=href>"Open the license"</A> }
                });
                match &e.outcome {
                    InstallOutcome::Failed { advice, .. } => {
                        let advice = advice
                            .iter()
                            .map(|a| view! { <li>{a.clone()}</li> })
                            .collect_view();
                        view! {
                            <div class="notice error" role="alert">
                                <strong>{head} " Failed. "</strong>
                                {text}
                                <p>"What to check:"</p>
                                <ul>{advice}</ul>
                                <A href="/installs">"See the Install Log"</A>
                            </div>
                        }
                        .into_any()
                    }
                    InstallOutcome::Pending { .. } | InstallOutcome::NoLicense { .. } => view! {
                        <div class="notice warning" role="status">
                            <strong>{head} " Pending. "</strong>
                            {text}
                            " "
                            <A href="/installs">"See the Install Log"</A>
                        </div>
                    }
                    .into_any(),
                    _ => view! {
                        <div class="notice success" role="status">
                            <strong>{head}</strong>
                            " "
                            {text}
                            {license_link}
                        </div>
                    }
                    .into_any(),
                }
            })
            .collect_view()
    }
}

// ---------------------------------------------------------------------------
// Upload a package version
// ---------------------------------------------------------------------------

const NEW_PACKAGE: &str = "";

#[component]
fn UploadSection(data: Signal<SimulatorData>) -> impl IntoView {
    let app = use_app();
    let package = RwSignal::new(NEW_PACKAGE.to_string());
    let name = RwSignal::new(String::new());
    let developer = RwSignal::new(String::new());
    let version_name = RwSignal::new(String::new());
    let version = RwSignal::new("1.0.0".to_string());
    let beta = RwSignal::new(false);
    let errors: Errors = RwSignal::new(None);
    let notice = RwSignal::new(None::<String>);

    // Suggest the next version number when the package changes.
    Effect::new(move |_| {
        let id = package.get();
        let d = data.get_untracked();
        let next = d
            .packages
            .iter()
            .find(|p| p.id.to18() == id)
            .map(|p| {
                let versions: Vec<_> = d
                    .versions
                    .iter()
                    .filter(|v| v.package_id == p.id)
                    .cloned()
                    .collect();
                suggest_next_version(&versions).to_string()
            })
            .unwrap_or_else(|| "1.0.0".to_string());
        version.set(next);
    });

    let upload = Action::new_local(move |form: &UploadForm| {
        let repo = app.repo();
        let form = form.clone();
        async move { upload_version(&repo, &form, now()).await }
    });
    on_result(upload, move |result| match result {
        Ok(v) => {
            errors.set(None);
            let pkg = data
                .get_untracked()
                .package(&v.package_id)
                .map(|p| p.name.to_string())
                .unwrap_or_else(|| name.get_untracked());
            notice.set(Some(format!(
                "Uploaded {pkg} {} ({}){}; it can be installed now.",
                v.version,
                v.id.to15(),
                if v.beta { ", a beta" } else { "" }
            )));
            if package.get_untracked().is_empty() {
                package.set(v.package_id.to18().to_string());
            }
        }
        Err(e) => {
            notice.set(None);
            errors.set(Some(e));
        }
    });

    let options = Signal::derive(move || {
        let mut o = vec![(NEW_PACKAGE.to_string(), "New package…".to_string())];
        o.extend(
            data.get()
                .packages
                .iter()
                .map(|p| (p.id.to18().to_string(), p.name.to_string())),
        );
        o
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        upload.dispatch_local(UploadForm {
            package_id: package.get_untracked(),
            package_name: name.get_untracked(),
            developer_name: developer.get_untracked(),
            version_name: version_name.get_untracked(),
            version: version.get_untracked(),
            beta: beta.get_untracked(),
        });
    };
    const FIELDS: &[SimField] = &[
        SimField::Package,
        SimField::PackageName,
        SimField::DeveloperName,
        SimField::VersionName,
        SimField::VersionNumber,
    ];
    view! {
        <section class="card" aria-labelledby="upload-title">
            <header>
                <h2 id="upload-title">"Upload a package version"</h2>
            </header>
            <div class="card-body">
                <form class="form" on:submit=on_submit novalidate>
                    <SelectInput
                        id="upload-package"
                        label="Upload to package"
                        value=package
                        options
                        error=field_error(errors, SimField::Package)
                    />
                    <Show when=move || package.get().is_empty()>
                        <TextInput id="upload-name" label="Package Name" value=name required=true error=field_error(errors, SimField::PackageName) />
                        <TextInput
                            id="upload-developer"
                            label="Developer Name"
                            value=developer
                            required=true
                            hint="The name of the org the package was developed in."
                            error=field_error(errors, SimField::DeveloperName)
                        />
                    </Show>
                    <TextInput
                        id="upload-version-name"
                        label="Package Version Name"
                        value=version_name
                        hint="Blank: the package's name."
                        error=field_error(errors, SimField::VersionName)
                    />
                    <TextInput
                        id="upload-version"
                        label="Version"
                        value=version
                        required=true
                        hint="major.minor.patch, higher than every uploaded version."
                        error=field_error(errors, SimField::VersionNumber)
                    />
                    <CheckboxInput
                        id="upload-beta"
                        label="Beta"
                        value=beta
                        hint="Betas install only into sandboxes and Developer Edition orgs."
                    />
                    {form_error(errors, FIELDS)}
                    {move || notice.get().map(|n| view! { <div class="notice success" role="status">{n}</div> })}
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || upload.pending().get()>
                            "Upload version"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

// ---------------------------------------------------------------------------
// Install
// ---------------------------------------------------------------------------

fn version_options(d: &SimulatorData) -> Vec<(String, String)> {
    let mut o = vec![(String::new(), "Choose a version…".to_string())];
    for p in &d.packages {
        for v in d.versions_of(&p.id) {
            let label = format!(
                "{} {}{}{}",
                p.name,
                v.version,
                if v.beta { " (beta)" } else { "" },
                if p.is_registered() {
                    ""
                } else {
                    " (not registered)"
                }
            );
            o.push((v.id.to18().to_string(), label));
        }
    }
    o
}

fn strings(items: &[&str]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|s| (s.to_string(), s.to_string()))
        .collect()
}

#[component]
fn InstallSection(data: Signal<SimulatorData>) -> impl IntoView {
    let app = use_app();
    let version = RwSignal::new(String::new());
    let org_id = RwSignal::new(String::new());
    let org_name = RwSignal::new(String::new());
    let edition = RwSignal::new("Enterprise".to_string());
    let instance = RwSignal::new("NA45".to_string());
    let org_status = RwSignal::new("Active".to_string());
    let sandbox = RwSignal::new(false);
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let errors: Errors = RwSignal::new(None);
    let outcome = RwSignal::new(Vec::<InstallEvent>::new());

    let run = Action::new_local(move |form: &InstallForm| {
        let repo = app.repo();
        let form = form.clone();
        async move {
            let request = parse_install_form(&form)?;
            simulate_install(&repo, &request, now()).await
        }
    });
    on_result(run, move |result| match result {
        Ok(event) => {
            errors.set(None);
            outcome.set(vec![event]);
        }
        Err(e) => {
            outcome.set(Vec::new());
            errors.set(Some(e));
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        outcome.set(Vec::new());
        run.dispatch_local(InstallForm {
            version_id: version.get_untracked(),
            org_id: org_id.get_untracked(),
            org_name: org_name.get_untracked(),
            edition: edition.get_untracked(),
            instance: instance.get_untracked(),
            org_status: org_status.get_untracked(),
            sandbox: sandbox.get_untracked(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            company: company.get_untracked(),
            email: email.get_untracked(),
        });
    };
    const FIELDS: &[SimField] = &[
        SimField::Version,
        SimField::OrgId,
        SimField::OrgName,
        SimField::Edition,
        SimField::Instance,
        SimField::OrgStatus,
        SimField::FirstName,
        SimField::LastName,
        SimField::Company,
        SimField::Email,
    ];
    view! {
        <section class="card" aria-labelledby="install-title">
            <header>
                <h2 id="install-title">"Install a package into a subscriber org"</h2>
            </header>
            <div class="card-body">
                <form class="form" on:submit=on_submit novalidate>
                    <SelectInput
                        id="install-version"
                        label="Package version"
                        value=version
                        options=Signal::derive(move || version_options(&data.get()))
                        error=field_error(errors, SimField::Version)
                    />
                    <TextInput
                        id="install-org-id"
                        label="Org ID"
                        value=org_id
                        hint="15 or 18 characters starting with 00D. Blank: a new org ID is generated. An org that already has the package is upgraded."
                        error=field_error(errors, SimField::OrgId)
                    />
                    <TextInput id="install-org-name" label="Org Name" value=org_name required=true error=field_error(errors, SimField::OrgName) />
                    <SelectInput
                        id="install-edition"
                        label="Org Edition"
                        value=edition
                        options=Signal::derive(|| strings(&EDITIONS))
                        error=field_error(errors, SimField::Edition)
                    />
                    <TextInput id="install-instance" label="Instance" value=instance required=true error=field_error(errors, SimField::Instance) />
                    <SelectInput
                        id="install-org-status"
                        label="Org Status"
                        value=org_status
                        options=Signal::derive(|| strings(&["Active", "Trial", "Free"]))
                        hint=trial_org_hint()
                        error=field_error(errors, SimField::OrgStatus)
                    />
                    <CheckboxInput id="install-sandbox" label="Sandbox" value=sandbox hint="A sandbox install gets a Site License." />
                    <TextInput id="install-first-name" label="Installer First Name" value=first error=field_error(errors, SimField::FirstName) />
                    <TextInput id="install-last-name" label="Installer Last Name" value=last required=true error=field_error(errors, SimField::LastName) />
                    <TextInput id="install-company" label="Company" value=company required=true error=field_error(errors, SimField::Company) />
                    <TextInput id="install-email" label="Email" value=email kind="email" error=field_error(errors, SimField::Email) />
                    {form_error(errors, FIELDS)}
                    <EventOutcome events=outcome data />
                    <div class="form-actions">
                        <button type="submit" class="primary" disabled=move || run.pending().get()>
                            "Install"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

// ---------------------------------------------------------------------------
// Events of a known org
// ---------------------------------------------------------------------------

#[derive(Clone, PartialEq)]
enum OrgEvent {
    Upgrade { version_id: String },
    Uninstall { package_id: String },
    Used { package_id: String, used: String },
    Status { status: String },
}

fn license_label(d: &SimulatorData, l: &License) -> String {
    let name = d
        .package(&l.package_id)
        .map(|p| p.name.to_string())
        .unwrap_or_default();
    format!("{name} {} ({}, {})", l.version_number, l.name, l.status)
}

#[component]
fn OrgSection(data: Signal<SimulatorData>) -> impl IntoView {
    let app = use_app();
    let org = RwSignal::new(String::new());
    let package = RwSignal::new(String::new());
    let upgrade_to = RwSignal::new(String::new());
    let used = RwSignal::new(String::new());
    let new_status = RwSignal::new("Suspended".to_string());
    let errors: Errors = RwSignal::new(None);
    let outcome = RwSignal::new(Vec::<InstallEvent>::new());

    let org_options = Signal::derive(move || {
        let d = data.get();
        let mut o = vec![(String::new(), "Choose an org…".to_string())];
        o.extend(d.orgs.iter().map(|(org, held)| {
            (
                org.org_id.to18().to_string(),
                format!(
                    "{} ({}, {}, {} license{})",
                    org.org_name,
                    org.org_id.to15(),
                    org.status,
                    held.len(),
                    if held.len() == 1 { "" } else { "s" }
                ),
            )
        }));
        o
    });
    let held = Signal::derive(move || {
        let id = org.get();
        data.get()
            .orgs
            .into_iter()
            .find(|(o, _)| o.org_id.to18() == id)
            .map(|(_, held)| held)
            .unwrap_or_default()
    });
    // Keep the package choice on one of the org's licenses.
    Effect::new(move |_| {
        let held = held.get();
        let current = package.get_untracked();
        if !held.iter().any(|l| l.package_id.to18() == current) {
            package.set(
                held.first()
                    .map(|l| l.package_id.to18().to_string())
                    .unwrap_or_default(),
            );
        }
    });
    let package_options = Signal::derive(move || {
        let d = data.get();
        held.get()
            .iter()
            .map(|l| (l.package_id.to18().to_string(), license_label(&d, l)))
            .collect::<Vec<_>>()
    });
    let chosen_license = move || {
        let p = package.get();
        held.get().into_iter().find(|l| l.package_id.to18() == p)
    };
    let upgrade_options = Signal::derive(move || {
        let d = data.get();
        let Some(l) = chosen_license() else {
            return vec![];
        };
        upgrade_versions(&l, d.versions_of(&l.package_id))
            .into_iter()
            .map(|v| {
                (
                    v.id.to18().to_string(),
                    format!("{}{}", v.version, if v.beta { " (beta)" } else { "" }),
                )
            })
            .collect::<Vec<_>>()
    });
    Effect::new(move |_| {
        let options = upgrade_options.get();
        let current = upgrade_to.get_untracked();
        if !options.iter().any(|(v, _)| *v == current) {
            upgrade_to.set(options.first().map(|(v, _)| v.clone()).unwrap_or_default());
        }
    });

    let run = Action::new_local(move |event: &OrgEvent| {
        let repo = app.repo();
        let event = event.clone();
        let org_id = org.get_untracked();
        async move {
            let at = now();
            match event {
                OrgEvent::Upgrade { version_id } => {
                    simulate_upgrade(&repo, &org_id, &version_id, at)
                        .await
                        .map(|e| vec![e])
                }
                OrgEvent::Uninstall { package_id } => {
                    simulate_uninstall(&repo, &org_id, &package_id, at)
                        .await
                        .map(|e| vec![e])
                }
                OrgEvent::Used { package_id, used } => {
                    simulate_used_licenses(&repo, &org_id, &package_id, &used, at)
                        .await
                        .map(|e| vec![e])
                }
                OrgEvent::Status { status } => {
                    simulate_org_status(&repo, &org_id, &status, at).await
                }
            }
        }
    });
    on_result(run, move |result| match result {
        Ok(events) => {
            errors.set(None);
            outcome.set(events);
        }
        Err(e) => {
            outcome.set(Vec::new());
            errors.set(Some(e));
        }
    });
    let send = move |event: OrgEvent| {
        outcome.set(Vec::new());
        errors.set(None);
        run.dispatch_local(event);
    };
    let held_rows = move || {
        let d = data.get();
        let today = crate::clock::today();
        held.get()
            .into_iter()
            .map(|l| {
                let href = format!("/licenses/{}", l.id.to18());
                let pkg = d
                    .package(&l.package_id)
                    .map(|p| p.name.to_string())
                    .unwrap_or_default();
                let used = l.used_licenses.map(|u| u.to_string()).unwrap_or_default();
                view! {
                    <tr>
                        <th scope="row"><A href=href>{l.name.to_string()}</A></th>
                        <td>{pkg}</td>
                        <td>{l.version_number.to_string()}</td>
                        <td>
                            <LicenseStatusBadge status=l.effective_status(today) />
                        </td>
                        <td>{l.seats.to_string()}</td>
                        <td>{used}</td>
                        <td>{l.org_status.label()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    const FIELDS: &[SimField] = &[
        SimField::OrgId,
        SimField::Package,
        SimField::Version,
        SimField::UsedLicenses,
        SimField::OrgStatus,
    ];
    let busy = move || run.pending().get();
    view! {
        <section class="card" aria-labelledby="org-title">
            <header>
                <h2 id="org-title">"Events from a subscriber org"</h2>
            </header>
            <div class="card-body">
                <div class="form">
                    <SelectInput
                        id="org-choice"
                        label="Subscriber org"
                        value=org
                        options=org_options
                        hint="Orgs known from the Install Log, by name."
                        error=field_error(errors, SimField::OrgId)
                    />
                    {move || {
                        let d = data.get();
                        (d.orgs_total > d.orgs.len())
                            .then(|| {
                                view! {
                                    <p class="hint">
                                        {format!(
                                            "Offering the {} orgs with the most recent events, of {} in the Install Log.",
                                            d.orgs.len(),
                                            d.orgs_total,
                                        )}
                                    </p>
                                }
                            })
                    }}
                    <Show when=move || !org.get().is_empty()>
                        <table aria-label="Licenses of this org">
                            <thead>
                                <tr>
                                    <th scope="col">"License Name"</th>
                                    <th scope="col">"Package"</th>
                                    <th scope="col">"Version"</th>
                                    <th scope="col">"License Status"</th>
                                    <th scope="col">"Licensed Seats"</th>
                                    <th scope="col">"Used Licenses"</th>
                                    <th scope="col">"Org Status"</th>
                                </tr>
                            </thead>
                            <tbody>{held_rows}</tbody>
                        </table>
                        <SelectInput
                            id="org-package"
                            label="Installed package"
                            value=package
                            options=package_options
                            error=field_error(errors, SimField::Package)
                        />
                        <div class="filters" style="padding:0;border:0">
                            <SelectInput
                                id="org-upgrade-version"
                                label="Upgrade to version"
                                value=upgrade_to
                                options=upgrade_options
                                error=field_error(errors, SimField::Version)
                            />
                            <button
                                type="button"
                                disabled=move || busy() || upgrade_to.get().is_empty()
                                on:click=move |_| send(OrgEvent::Upgrade { version_id: upgrade_to.get_untracked() })
                            >
                                {move || {
                                    if chosen_license().is_some_and(|l| l.status == LicenseStatus::Uninstalled) {
                                        "Reinstall"
                                    } else {
                                        "Upgrade"
                                    }
                                }}
                            </button>
                            <button
                                type="button"
                                class="danger"
                                disabled=move || busy() || package.get().is_empty()
                                on:click=move |_| send(OrgEvent::Uninstall { package_id: package.get_untracked() })
                            >
                                "Uninstall"
                            </button>
                        </div>
                        <div class="filters" style="padding:0;border:0">
                            <TextInput
                                id="org-used"
                                label="Used Licenses"
                                value=used
                                kind="number"
                                hint="Users the org's admin assigned a license to."
                                error=field_error(errors, SimField::UsedLicenses)
                            />
                            <button
                                type="button"
                                disabled=move || busy() || package.get().is_empty()
                                on:click=move |_| {
                                    send(OrgEvent::Used {
                                        package_id: package.get_untracked(),
                                        used: used.get_untracked(),
                                    })
                                }
                            >
                                "Set Used Licenses"
                            </button>
                        </div>
                        <div class="filters" style="padding:0;border:0">
                            <SelectInput
                                id="org-new-status"
                                label="New org status"
                                value=new_status
                                options=Signal::derive(|| {
                                    OrgStatus::ALL.iter().map(|s| (s.label().to_string(), s.label().to_string())).collect::<Vec<_>>()
                                })
                                hint="Suspended or Deleted orgs are locked: their licenses can't be modified."
                                error=field_error(errors, SimField::OrgStatus)
                            />
                            <button
                                type="button"
                                disabled=busy
                                on:click=move |_| send(OrgEvent::Status { status: new_status.get_untracked() })
                            >
                                "Change org status"
                            </button>
                        </div>
                    </Show>
                    {form_error(errors, FIELDS)}
                    <EventOutcome events=outcome data />
                </div>
            </div>
        </section>
    }
}

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let app = use_app();
    let loaded = app.live_resource(|repo| async move { load_simulator(&repo).await });
    let data = Signal::derive(move || loaded.get().and_then(|r| r.ok()).unwrap_or_default());
    let load_error = move || {
        loaded
            .get()
            .and_then(|r| r.err())
            .map(|e| view! { <ErrorNotice message=e.to_string() /> })
    };
    view! {
        <PageHeader object_label="Simulator" title=Signal::derive(|| "Subscriber simulator".to_string()) />
        <section class="card simulator" aria-labelledby="simulator-title">
            <header>
                <h2 id="simulator-title">"Events from AppExchange and subscriber orgs"</h2>
            </header>
            <div class="card-body">
                <p>
                    "Not part of the License Management App: this panel plays AppExchange and the customers' orgs, which send the LMA its packages and install events. Each event goes through the LMA's rules and is recorded in the "
                    <A href="/installs">"Install Log"</A>
                    " together with the lead and license it creates or updates."
                </p>
                {load_error}
                <UploadSection data />
                <InstallSection data />
                <OrgSection data />
                <section class="card" aria-labelledby="register-title">
                    <header>
                        <h2 id="register-title">"Register a package (Publishing Console)"</h2>
                    </header>
                    <div class="card-body">
                        <p>
                            "Links a package with the License Management App and sets the default license its installs receive. A package is registered once; all its versions share the registration."
                        </p>
                        <RegisterPackageForm />
                    </div>
                </section>
            </div>
        </section>
    }
}

/// The Org Status hint, from the domain's trial length.
fn trial_org_hint() -> &'static str {
    static HINT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    crate::format::built_once(&HINT, || {
        format!("A Trial org expires {TRIAL_ORG_DAYS} days after the install.")
    })
}
