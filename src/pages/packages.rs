//! Packages: the list view, the package record page (details, Package
//! Versions and Licenses related lists, Edit of the Lead Manager, Refresh
//! Licenses), and the Register a Package page.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::app_context::use_app;
use crate::clock;
use crate::components::export_button::ExportButton;
use crate::components::loaded::{arriving, on_result, stayed_on_page, Loaded, LoadedRecord};
use crate::components::package_lead_manager::{
    FieldError, LeadManagerEditor, LeadManagerInput, LeadManagerResult,
};
use crate::components::package_licenses::{PagedLicensesList, RELATED_PAGE};
use crate::components::package_refresh::{RefreshLicensesButton, RefreshLicensesConfirm};
use crate::components::package_versions::PackageVersionsList;
use crate::components::record::{title, Details, Empty, Field, PageHeader, RecordNotFound};
use crate::domain::{check_refresh, LicenseLength, Package, Permission};
use crate::exchange::licenses_csv;
use crate::services::export;
use crate::services::export::ExportFailed;
use crate::services::packages::{
    count_package_licenses, date_text, date_time_text, edit_lead_manager, load_package_detail,
    load_package_licenses, load_package_rows, refresh_licenses, PackageDetail, PackageRow,
    LICENSE_MANAGEMENT_APP,
};

// ---------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------

#[component]
pub fn PackagesPage() -> impl IntoView {
    let app = use_app();
    let rows = app.live_resource(|repo| async move { load_package_rows(&repo).await });
    let may_register = move || app.user.get().profile.allows(Permission::RegisterPackage);
    view! {
        <PageHeader object_label="Packages" title=title("All Packages") />
        <section class="card" aria-label="Packages">
            <Loaded resource=rows what="Loading packages…" let:rows>
                {if rows.is_empty() {
                    view! {
                        <Empty>
                            "No packages yet: "
                            {move || {
                                if may_register() {
                                    view! { <A href="/packages/new">"register one"</A> }.into_any()
                                } else {
                                    view! { "register one (a System Administrator can)" }.into_any()
                                }
                            }}
                            ". To explore the app with sample packages, licenses and leads, use "
                            <A href="/">"Load demo data on Home"</A>
                            "."
                        </Empty>
                    }
                        .into_any()
                } else {
                    view! { <PackagesTable rows /> }.into_any()
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn PackagesTable(rows: Vec<PackageRow>) -> impl IntoView {
    let app = use_app();
    let count = rows.len();
    let export_csv = {
        let rows = rows.clone();
        move || {
            let repo = app.repo();
            let rows = rows.clone();
            async move { export::packages_csv(&repo, &rows).await }
        }
    };
    view! {
        <div class="list-actions">
            <p class="list-count" role="status">
                {if count == 1 { "1 package".to_string() } else { format!("{count} packages") }}
            </p>
            <ExportButton list="Packages" csv=export_csv />
        </div>
        <div class="table-scroll">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Package Name"</th>
                        <th scope="col">"Package ID"</th>
                        <th scope="col">"Developer Name"</th>
                        <th scope="col">"Latest Version"</th>
                        <th scope="col">"Lead Manager"</th>
                        <th scope="col">"Release Date"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let href = format!("/packages/{}", r.id);
                            view! {
                                <tr>
                                    <td>
                                        <A href=href>{r.name}</A>
                                    </td>
                                    <td>{r.package_id}</td>
                                    <td>{r.developer_name}</td>
                                    <td>{r.latest_version}</td>
                                    <td>{r.lead_manager}</td>
                                    <td>{r.release_date}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

// ---------------------------------------------------------------------------
// Detail
// ---------------------------------------------------------------------------

/// "Free Trial, 30 days, 10 seats", or why there is none.
fn default_license_text(package: &Package) -> String {
    match package.default_license() {
        None => "None: the package isn't registered with the License Management App yet".into(),
        Some(d) => {
            let length = match d.length() {
                LicenseLength::Days(_) => d.length().to_string(),
                LicenseLength::DoesNotExpire => "License does not expire".to_string(),
            };
            let seats = match d.seats().get() {
                Some(1) => "1 seat".to_string(),
                Some(_) => format!("{} seats", d.seats()),
                None => "License is site-wide".to_string(),
            };
            format!("{}, {length}, {seats}", d.status().label())
        }
    }
}

#[component]
pub fn PackageDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // How many of the package's licenses the related list shows ("Show more"
    // raises it, and the page reads that many through the index).
    let licenses_shown = RwSignal::new(RELATED_PAGE);
    let detail = app.live_resource(move |repo| {
        let id = id();
        let shown = u32::try_from(licenses_shown.get()).unwrap_or(u32::MAX);
        async move { load_package_detail(&repo, &id, shown).await }
    });
    // How many licenses a package with more than shown has, once its page is
    // read: an index count visits every one (a second at 30,000), so it runs
    // after the page is shown, only for someone who stays, and fills the
    // count in.
    let to_count = Memo::new(move |_| {
        detail
            .read()
            .as_ref()
            .and_then(|read| read.as_ref().ok())
            .and_then(|d| d.as_ref())
            .filter(|d| d.more_licenses)
            .map(|d| d.package.record.id.to18().to_string())
    });
    let license_count = arriving(app.live_resource(move |repo| {
        let key = to_count.get();
        async move {
            let key = key?;
            if !stayed_on_page(to_count).await {
                return None;
            }
            let n = count_package_licenses(&repo, &key).await.ok()?;
            Some((key, n))
        }
    }));

    // Page state lives here, outside the record view, so it survives the
    // re-render that follows every save.
    let editing = RwSignal::new(false);
    let edit_error = RwSignal::new(None::<FieldError>);
    let confirming = RwSignal::new(false);
    let refresh_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);

    let save_lead_manager: Action<LeadManagerInput, LeadManagerResult> =
        Action::new_local(move |(package_id, rev, manager): &LeadManagerInput| {
            let repo = app.repo();
            let actor = app.user.get_untracked();
            let package_id = package_id.clone();
            let rev = *rev;
            let manager = manager.clone();
            async move {
                let chosen = Some(manager.as_str()).filter(|m| !m.is_empty());
                edit_lead_manager(&repo, &package_id, Some(rev), chosen, &actor, clock::now())
                    .await
                    .map(|_| ())
                    .map_err(|e| FieldError {
                        field: e.field(),
                        message: e.to_string(),
                    })
            }
        });
    on_result(save_lead_manager, move |result| match result {
        Ok(()) => {
            edit_error.set(None);
            editing.set(false);
            notice.set(Some("Lead Manager saved.".to_string()));
        }
        Err(e) => edit_error.set(Some(e)),
    });

    let run_refresh: Action<String, Result<String, String>> =
        Action::new_local(move |package_id: &String| {
            let repo = app.repo();
            let actor = app.user.get_untracked();
            let package_id = package_id.clone();
            async move {
                refresh_licenses(&repo, &package_id, &actor, clock::now())
                    .await
                    .map(|summary| summary.message())
                    .map_err(|e| e.to_string())
            }
        });
    on_result(run_refresh, move |result| {
        confirming.set(false);
        match result {
            Ok(message) => {
                refresh_error.set(None);
                notice.set(Some(message));
            }
            Err(e) => refresh_error.set(Some(e)),
        }
    });

    // A new package (another URL) starts with a clean page.
    Effect::new(move |_| {
        let _ = id();
        licenses_shown.set(RELATED_PAGE);
        editing.set(false);
        confirming.set(false);
        edit_error.set(None);
        refresh_error.set(None);
        notice.set(None);
    });

    view! {
        <LoadedRecord resource=detail what="Loading package…" not_found=PackageNotFound let:d>
            <PackageRecord
                d
                editing
                edit_error
                confirming
                refresh_error
                notice
                save_lead_manager
                run_refresh
                licenses_shown
                license_count
            />
        </LoadedRecord>
    }
}

#[component]
fn PackageNotFound() -> impl IntoView {
    view! {
        <RecordNotFound object_label="Package" explanation="There is no package with this ID. It may have been removed, or the address was mistyped." back_href="/packages" back_label="Back to Packages" />
    }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn PackageRecord(
    d: PackageDetail,
    editing: RwSignal<bool>,
    edit_error: RwSignal<Option<FieldError>>,
    confirming: RwSignal<bool>,
    refresh_error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    save_lead_manager: Action<LeadManagerInput, LeadManagerResult>,
    run_refresh: Action<String, Result<String, String>>,
    licenses_shown: RwSignal<usize>,
    license_count: ReadSignal<Option<Option<(String, u64)>>>,
) -> impl IntoView {
    let app = use_app();
    let p = d.package.record.clone();
    let rev = d.package.rev;
    let key = p.id.to18().to_string();
    let licenses_key = key.clone();
    // Exact when the page holds every license, else once counted.
    let licenses_total = {
        let shown = (!d.more_licenses).then_some(d.licenses.len());
        let key = key.clone();
        Signal::derive(move || {
            shown.or_else(|| {
                license_count
                    .read()
                    .as_ref()
                    .and_then(|c| c.as_ref())
                    .filter(|(k, _)| *k == key)
                    .map(|(_, n)| usize::try_from(*n).unwrap_or(usize::MAX))
            })
        })
    };
    let name = p.name.to_string();
    let latest = d
        .latest_version
        .as_ref()
        .map(|v| v.version.to_string())
        .unwrap_or_default();
    let lead_manager = d.lead_manager_name.clone();
    let release = date_text(p.release_date);
    let may_edit = move || {
        let profile = app.user.get().profile;
        profile.allows(Permission::EditLeadManager) || profile.allows(Permission::EditPackage)
    };
    let may_refresh = move || app.user.get().profile.allows(Permission::RefreshLicenses);

    // The first "Refresh Licenses": a refresh the domain would refuse (too
    // soon, not registered) says why at once instead of asking to confirm.
    let package_for_check = p.clone();
    let start_refresh = Callback::new(move |()| {
        notice.set(None);
        match check_refresh(&package_for_check, &app.user.get_untracked(), clock::now()) {
            Ok(()) => {
                refresh_error.set(None);
                confirming.set(true);
            }
            Err(e) => refresh_error.set(Some(e.to_string())),
        }
    });
    let refresh_key = key.clone();
    let confirm_refresh = Callback::new(move |()| {
        run_refresh.dispatch_local(refresh_key.clone());
    });
    let refresh_pending = Signal::derive(move || run_refresh.pending().get());

    let start_edit = move |_| {
        notice.set(None);
        edit_error.set(None);
        confirming.set(false);
        editing.set(true);
    };

    let actions = Box::new(move || {
        view! {
            <Show when=move || may_edit() && !editing.get()>
                <button type="button" on:click=start_edit>
                    "Edit"
                </button>
            </Show>
            <Show when=may_refresh>
                <RefreshLicensesButton confirming on_start=start_refresh />
            </Show>
        }
        .into_any()
    });
    let highlights = {
        let key = key.clone();
        let latest = latest.clone();
        let lead_manager = lead_manager.clone();
        let release = release.clone();
        Box::new(move || {
            view! {
                <Field label="Package ID">{key}</Field>
                <Field label="Latest Version">{latest}</Field>
                <Field label="Lead Manager">{lead_manager}</Field>
                <Field label="Release Date">{release}</Field>
            }
            .into_any()
        })
    };

    let editor = {
        let users = app.users.get_untracked();
        let current = p.lead_manager.as_ref().map(|m| m.to18().to_string());
        let key = key.clone();
        move || {
            (editing.get() && may_edit()).then(|| {
                view! {
                    <LeadManagerEditor
                        package_id=key.clone()
                        rev
                        current=current.clone()
                        users=users.clone()
                        editing
                        error=edit_error
                        save=save_lead_manager
                    />
                }
            })
        }
    };

    let developer_name = p.developer_name.clone();
    let developer_org_id = p.developer_org_id.to18().to_string();
    let default_license = default_license_text(&p);
    let last_refresh = p
        .last_refresh
        .map(date_time_text)
        .unwrap_or_else(|| "Never".to_string());
    let next_refresh = d
        .next_refresh
        .map(|n| format!("Next refresh allowed from {}", date_time_text(n)))
        .unwrap_or_else(|| "Allowed now".to_string());

    // The LMA's first troubleshooting question: is the Lead Manager a
    // valid, active user? If not, installs create no lead or license.
    let lead_manager_warning = match (&p.lead_manager, &d.lead_manager) {
        (Some(_), Some(user)) if !user.active => Some(format!(
            "The Lead Manager, {}, is an inactive user, so installs of this package fail to create leads and licenses. Choose an active Lead Manager with Edit, then select Refresh Licenses to create the missing ones.",
            user.name
        )),
        (Some(_), None) => Some(format!(
            "The Lead Manager, {}, is not a user of this app, so installs of this package fail to create leads and licenses. Choose an active Lead Manager with Edit, then select Refresh Licenses to create the missing ones.",
            d.lead_manager_name
        )),
        _ => None,
    };
    view! {
        <PageHeader
            object_label="Package"
            title=title(&name)
            actions=actions
            highlights=highlights
        />
        {lead_manager_warning.map(|m| view! { <div class="notice warning">{m}</div> })}
        {move || {
            notice.get().map(|m| view! { <div class="notice success" role="status">{m}</div> })
        }}
        {move || {
            refresh_error.get().map(|m| view! { <div class="notice error" role="alert">{m}</div> })
        }}
        <RefreshLicensesConfirm
            package_name=name.clone()
            confirming
            pending=refresh_pending
            on_confirm=confirm_refresh
        />
        {editor}
        <Details>
            <Field label="Package Name">{name.clone()}</Field>
            <Field label="Package ID">{key.clone()}</Field>
            <Field label="Developer Name">{developer_name}</Field>
            <Field label="Developer Org ID">{developer_org_id}</Field>
            <Field label="Latest Version">{latest}</Field>
            <Field label="Lead Manager">{lead_manager}</Field>
            <Field label="Release Date">{release}</Field>
            <Field label="Owner">{LICENSE_MANAGEMENT_APP}</Field>
            <Field label="Created By">{d.created_by.clone()}</Field>
            <Field label="Last Modified By">{d.last_modified_by.clone()}</Field>
            <Field label="Default License">{default_license}</Field>
            <Field label="Licenses Last Refreshed">
                {last_refresh} <span class="hint">" (" {next_refresh} ")"</span>
            </Field>
        </Details>
        <PackageVersionsList versions=d.versions.clone() />
        <PagedLicensesList
            licenses=d.licenses.clone()
            total=licenses_total
            limit=licenses_shown
            empty="No licenses yet: they appear when subscribers install this package."
            csv=move || {
                let repo = app.repo();
                let key = licenses_key.clone();
                async move {
                    let licenses = load_package_licenses(&repo, &key).await?;
                    licenses_csv(&licenses).map_err(ExportFailed::from)
                }
            }
        />
    }
}

// ---------------------------------------------------------------------------
// Register a Package
// ---------------------------------------------------------------------------

#[component]
pub fn RegisterPackagePage() -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let query = leptos_router::hooks::use_query_map();
    // `?package=<Package ID>` preselects the package, e.g. from its record page.
    let package_id = query.with_untracked(|q| q.get("package"));
    let on_registered = Callback::new(move |package: crate::domain::Package| {
        navigate(
            &format!("/packages/{}", package.id.to18()),
            Default::default(),
        );
    });
    view! {
        <PageHeader object_label="Package" title=title("Register a Package") />
        <crate::components::register_package::RegisterPackageForm
            package_id=package_id.unwrap_or_default()
            on_registered
        />
    }
}
