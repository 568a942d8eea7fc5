use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn ContactDetailPage() -> impl IntoView {
    view! { <PageHeader object_label="Contact" title=Signal::derive(|| "Contact".to_string()) /> }
}
