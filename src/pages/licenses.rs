use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn LicensesPage() -> impl IntoView {
    view! { <PageHeader object_label="Licenses" title=Signal::derive(|| "Licenses".to_string()) /> }
}
