use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn InstallLogPage() -> impl IntoView {
    view! { <PageHeader object_label="Install Log" title=Signal::derive(|| "Install Log".to_string()) /> }
}
