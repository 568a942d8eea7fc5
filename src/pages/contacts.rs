//! The Contact record page: a contact is created by converting a lead; it
//! shows its account and the licenses linked to it.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::app_context::use_app;
use crate::components::loaded::LoadedRecord;
use crate::components::package_licenses::LicensesRelatedList;
use crate::components::record::{Details, Field, PageHeader, RecordNotFound};
use crate::pages::accounts::lead_links;
use crate::services::leads::{load_contact_detail, ContactDetail};

#[component]
pub fn ContactDetailPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = app.live_resource(move |repo| {
        let id = id();
        async move { load_contact_detail(&repo, &id).await }
    });
    view! {
        <LoadedRecord
            resource=detail
            what="Loading contact…"
            not_found=|| view! {
                <RecordNotFound object_label="Contact" explanation="There is no contact with this ID. Contacts are created by converting a lead." back_href="/leads" back_label="Go to Leads" />
            }
            let:d
        >
            <ContactRecord d />
        </LoadedRecord>
    }
}

#[component]
fn ContactRecord(d: ContactDetail) -> impl IntoView {
    let c = d.contact;
    let name = c.full_name();
    let key = c.id.to18().to_string();
    let account_href = format!("/accounts/{}", d.account.id);
    let highlights = {
        let account_href = account_href.clone();
        let account_name = d.account.name.clone();
        let email = c.email.clone();
        Box::new(move || {
            view! {
                <Field label="Account Name">
                    <A href=account_href>{account_name}</A>
                </Field>
                <Field label="Email">{email}</Field>
            }
            .into_any()
        })
    };
    view! {
        <PageHeader object_label="Contact" title=Signal::stored(name.clone()) highlights=highlights />
        <Details>
            <Field label="Name">{name}</Field>
            <Field label="Account Name">
                <A href=account_href>{d.account.name}</A>
            </Field>
            <Field label="Email">{c.email}</Field>
            <Field label="Contact ID">{key}</Field>
            <Field label="Converted From Lead">{lead_links(d.converted_from)}</Field>
            <Field label="Created By">{d.created_by}</Field>
        </Details>
        <LicensesRelatedList licenses=d.licenses empty="No licenses are linked to this contact." />
    }
}
