//! Leads: the list view (converted leads hidden unless asked for) and the
//! lead record page with its Licenses and Convert.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::app_context::use_app;
use crate::clock;
use crate::components::export_button::ExportButton;
use crate::components::loaded::{on_result, Loaded, LoadedRecord};
use crate::components::package_licenses::{LicensesRelatedList, ShowMore};
use crate::components::record::{title, Details, Empty, Field, PageHeader, RecordNotFound};
use crate::domain::{group_thousands, Permission};
use crate::services::export;
use crate::services::leads::{
    convert_lead, load_lead_detail, load_lead_rows, visible_leads, LeadDetail, LeadRow,
};

// ---------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------

#[component]
pub fn LeadsPage() -> impl IntoView {
    let app = use_app();
    let rows = app.live_resource(|repo| async move { load_lead_rows(&repo).await });
    let show_converted = RwSignal::new(false);
    view! {
        <PageHeader object_label="Leads" title=title("All Leads") />
        <section class="card" aria-label="Leads">
            <div class="filters">
                <label class="inline">
                    <input
                        type="checkbox"
                        prop:checked=move || show_converted.get()
                        on:change=move |ev| show_converted.set(event_target_checked(&ev))
                    />
                    " Show converted leads"
                </label>
            </div>
            <Loaded resource=rows what="Loading leads…" let:all>
                {move || {
                    let total = all.len();
                    let shown = visible_leads(&all, show_converted.get());
                    if total == 0 {
                        view! {
                            <Empty>
                                "No leads yet: a lead is created each time a subscriber installs a registered package. To explore the app with sample data, use "
                                <A href="/">"Load demo data on Home"</A> "."
                            </Empty>
                        }
                            .into_any()
                    } else if shown.is_empty() {
                        view! {
                            <Empty>
                                "Every lead has been converted. Select Show converted leads to see them."
                            </Empty>
                        }
                            .into_any()
                    } else {
                        view! { <LeadsTable rows=shown /> }.into_any()
                    }
                }}
            </Loaded>
        </section>
    }
}

/// Rows shown at first; "Show more" adds more (a large demo has 100,000).
const LIST_PAGE: usize = 200;

#[component]
fn LeadsTable(rows: Vec<LeadRow>) -> impl IntoView {
    let app = use_app();
    let count = rows.len();
    let rows = StoredValue::new(rows);
    let limit = RwSignal::new(LIST_PAGE);
    let export_leads = move || {
        let repo = app.repo();
        let shown = rows.get_value();
        async move { export::leads_csv(&repo, &shown).await }
    };
    let export_accounts = move || {
        let repo = app.repo();
        async move { export::accounts_csv(&repo).await }
    };
    view! {
        <div class="list-actions">
            <p class="list-count" role="status">
                {if count == 1 { "1 lead".to_string() } else { format!("{} leads", group_thousands(count as i64)) }}
            </p>
            <div class="export">
                <ExportButton list="Leads" csv=export_leads />
                <ExportButton list="Accounts" text="Export converted accounts" csv=export_accounts />
            </div>
        </div>
        <div class="table-scroll">
            <table>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Company"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Lead Owner"</th>
                        <th scope="col">"Lead Status"</th>
                        <th scope="col">"Lead Source"</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let limit = limit.get();
                        rows.with_value(|rows| {
                            rows.iter().take(limit).cloned().map(lead_row).collect_view()
                        })
                    }}
                </tbody>
            </table>
        </div>
        <ShowMore total=Some(count) limit />
    }
}

fn lead_row(r: LeadRow) -> impl IntoView {
    let href = format!("/leads/{}", r.id);
    view! {
        <tr>
            <td>
                <A href=href>{r.name}</A>
            </td>
            <td>{r.company}</td>
            <td>{r.email}</td>
            <td>{r.owner}</td>
            <td>{r.status}</td>
            <td>{r.source}</td>
        </tr>
    }
}

// ---------------------------------------------------------------------------
// Detail
// ---------------------------------------------------------------------------

/// What Convert submits: the lead's ID and the revision shown.
type ConvertInput = (String, u64);
/// The new account's ID, or why the lead was not converted.
type ConvertResult = Result<String, String>;

#[component]
pub fn LeadDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = app.live_resource(move |repo| {
        let id = id();
        async move { load_lead_detail(&repo, &id).await }
    });
    let convert_error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let convert: Action<ConvertInput, ConvertResult> =
        Action::new_local(move |(lead_id, rev): &ConvertInput| {
            let repo = app.repo();
            let actor = app.user.get_untracked();
            let lead_id = lead_id.clone();
            let rev = *rev;
            async move {
                convert_lead(&repo, &lead_id, Some(rev), &actor, clock::now())
                    .await
                    .map(|done| done.account_id.to_string())
                    .map_err(|e| e.to_string())
            }
        });
    on_result(convert, move |result| match result {
        Ok(account_id) => {
            convert_error.set(None);
            navigate(
                &format!("/accounts/{account_id}"),
                NavigateOptions::default(),
            );
        }
        Err(e) => convert_error.set(Some(e)),
    });
    Effect::new(move |_| {
        let _ = id();
        convert_error.set(None);
    });
    view! {
        <LoadedRecord
            resource=detail
            what="Loading lead…"
            not_found=|| view! {
                <RecordNotFound object_label="Lead" explanation="There is no lead with this ID. The address may have been mistyped." back_href="/leads" back_label="Back to Leads" />
            }
            let:d
        >
            <LeadRecord d convert convert_error />
        </LoadedRecord>
    }
}

#[component]
fn LeadRecord(
    d: LeadDetail,
    convert: Action<ConvertInput, ConvertResult>,
    convert_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let app = use_app();
    let lead = d.lead.record.clone();
    let rev = d.lead.rev;
    let key = lead.id.to18().to_string();
    let name = lead.full_name();
    let converted = lead.is_converted();
    let may_convert = move || app.user.get().profile.allows(Permission::ConvertLead);
    let pending = convert.pending();
    let on_convert = {
        let key = key.clone();
        move |_| {
            convert_error.set(None);
            convert.dispatch_local((key.clone(), rev));
        }
    };
    let actions = Box::new(move || {
        view! {
            <Show when=move || may_convert() && !converted>
                <button
                    type="button"
                    class="primary"
                    disabled=move || pending.get()
                    on:click=on_convert.clone()
                >
                    "Convert"
                </button>
            </Show>
        }
        .into_any()
    });
    let highlights = {
        let company = lead.company.clone();
        let email = lead.email.clone();
        let status = lead.status.label();
        let owner = d.owner.clone();
        Box::new(move || {
            view! {
                <Field label="Company">{company}</Field>
                <Field label="Email">{email}</Field>
                <Field label="Lead Status">{status}</Field>
                <Field label="Lead Owner">{owner}</Field>
            }
            .into_any()
        })
    };
    let converted_notice = match (d.account.clone(), d.contact.clone()) {
        (Some(account), Some(contact)) => Some(view! {
            <div class="notice success" role="status">
                "This lead was converted"
                {d.converted_by.clone().map(|by| format!(" by {by}"))}
                ". It became the account "
                <A href=format!("/accounts/{}", account.id)>{account.name}</A>
                " and the contact "
                <A href=format!("/contacts/{}", contact.id)>{contact.name}</A>
                ", and its licenses are linked to them."
            </div>
        }),
        _ => None,
    };
    view! {
        <PageHeader object_label="Lead" title=title(&name) actions=actions highlights=highlights />
        {converted_notice}
        {move || {
            convert_error.get().map(|m| view! { <div class="notice error" role="alert">{m}</div> })
        }}
        <Details>
            <Field label="Name">{name.clone()}</Field>
            <Field label="Company">{lead.company.clone()}</Field>
            <Field label="Email">{lead.email.clone()}</Field>
            <Field label="Lead Owner">{d.owner.clone()}</Field>
            <Field label="Lead Status">{lead.status.label()}</Field>
            <Field label="Lead Source">{lead.lead_source.clone()}</Field>
            <Field label="Package">
                <A href=format!("/packages/{}", d.package.id)>{d.package.name.clone()}</A>
            </Field>
            <Field label="Lead ID">{key.clone()}</Field>
            <Field label="Created By">{d.created_by.clone()}</Field>
            <Field label="Last Modified By">{d.last_modified_by.clone()}</Field>
        </Details>
        <LicensesRelatedList licenses=d.licenses.clone() empty="This lead has no licenses." />
    }
}
