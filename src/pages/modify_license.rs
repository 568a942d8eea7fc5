use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn ModifyLicensePage() -> impl IntoView {
    view! { <PageHeader object_label="Modify License" title=Signal::derive(|| "Modify License".to_string()) /> }
}
