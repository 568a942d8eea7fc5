use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn AccountDetailPage() -> impl IntoView {
    view! { <PageHeader object_label="Account" title=Signal::derive(|| "Account".to_string()) /> }
}
