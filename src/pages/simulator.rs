use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn SimulatorPage() -> impl IntoView {
    view! { <PageHeader object_label="Subscriber simulator" title=Signal::derive(|| "Subscriber simulator".to_string()) /> }
}
