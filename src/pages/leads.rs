use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn LeadsPage() -> impl IntoView {
    view! { <PageHeader object_label="Leads" title=Signal::derive(|| "Leads".to_string()) /> }
}

#[component]
pub fn LeadDetailPage() -> impl IntoView {
    view! { <PageHeader object_label="Lead" title=Signal::derive(|| "Lead".to_string()) /> }
}
