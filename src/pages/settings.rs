use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! { <PageHeader object_label="Settings" title=Signal::derive(|| "Settings".to_string()) /> }
}
