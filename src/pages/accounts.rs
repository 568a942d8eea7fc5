//! The Account record page: an account is created by converting a lead; it
//! shows its contacts and the licenses linked to it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::app_context::use_app;
use crate::components::export_button::ExportButton;
use crate::components::loaded::LoadedRecord;
use crate::components::package_licenses::LicensesRelatedList;
use crate::components::record::{Details, Empty, Field, PageHeader, RecordNotFound, RelatedList};
use crate::domain::Contact;
use crate::exchange::contacts_csv;
use crate::services::export::ExportFailed;
use crate::services::leads::{load_account_detail, AccountDetail, Link};

#[component]
pub fn AccountDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = app.live_resource(move |repo| {
        let id = id();
        async move { load_account_detail(&repo, &id).await }
    });
    view! {
        <LoadedRecord
            resource=detail
            what="Loading account…"
            not_found=|| view! {
                <RecordNotFound object_label="Account" explanation="There is no account with this ID. Accounts are created by converting a lead." back_href="/leads" back_label="Go to Leads" />
            }
            let:d
        >
            <AccountRecord d />
        </LoadedRecord>
    }
}

/// Links to the leads a record was converted from, comma-separated.
pub fn lead_links(leads: Vec<Link>) -> impl IntoView {
    if leads.is_empty() {
        return view! { "" }.into_any();
    }
    let last = leads.len() - 1;
    leads
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            view! {
                <A href=format!("/leads/{}", l.id)>{l.name}</A>
                {(i < last).then_some(", ")}
            }
        })
        .collect_view()
        .into_any()
}

#[component]
fn AccountRecord(d: AccountDetail) -> impl IntoView {
    let a = d.account;
    let name = a.name.clone();
    let key = a.id.to18().to_string();
    let contacts_count = d.contacts.len();
    let licenses_count = d.licenses.len();
    let highlights = {
        let key = key.clone();
        Box::new(move || {
            view! {
                <Field label="Account ID">{key}</Field>
                <Field label="Contacts">{contacts_count.to_string()}</Field>
                <Field label="Licenses">{licenses_count.to_string()}</Field>
            }
            .into_any()
        })
    };
    view! {
        <PageHeader
            object_label="Account"
            title=Signal::stored(name.clone())
            highlights=highlights
        />
        <Details>
            <Field label="Account Name">{name}</Field>
            <Field label="Account ID">{key}</Field>
            <Field label="Converted From Lead">{lead_links(d.converted_from)}</Field>
            <Field label="Created By">{d.created_by}</Field>
        </Details>
        <ContactsRelatedList contacts=d.contacts />
        <LicensesRelatedList licenses=d.licenses empty="No licenses are linked to this account." />
    }
}

#[component]
fn ContactsRelatedList(contacts: Vec<Contact>) -> impl IntoView {
    let count = contacts.len();
    let actions = {
        let contacts = contacts.clone();
        Box::new(move || {
            let csv =
                move || std::future::ready(contacts_csv(&contacts).map_err(ExportFailed::from));
            view! { <ExportButton list="Contacts" csv /> }.into_any()
        })
    };
    let body = if contacts.is_empty() {
        view! { <Empty>"This account has no contacts."</Empty> }.into_any()
    } else {
        view! {
            <div class="table-scroll">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {contacts
                            .into_iter()
                            .map(|c| {
                                let href = format!("/contacts/{}", c.id.to18());
                                let name = c.full_name();
                                view! {
                                    <tr>
                                        <td>
                                            <A href=href>{name}</A>
                                        </td>
                                        <td>{c.email}</td>
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <RelatedList title="Contacts" count=Signal::stored(count) actions=actions>
            {body}
        </RelatedList>
    }
}
