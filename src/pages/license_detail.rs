use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn LicenseDetailPage() -> impl IntoView {
    view! { <PageHeader object_label="License" title=Signal::derive(|| "License".to_string()) /> }
}
