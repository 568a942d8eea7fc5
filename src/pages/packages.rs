use leptos::prelude::*;

use crate::components::record::PageHeader;

#[component]
pub fn PackagesPage() -> impl IntoView {
    view! { <PageHeader object_label="Packages" title=Signal::derive(|| "Packages".to_string()) /> }
}

#[component]
pub fn PackageDetailPage() -> impl IntoView {
    view! { <PageHeader object_label="Package" title=Signal::derive(|| "Package".to_string()) /> }
}

#[component]
pub fn RegisterPackagePage() -> impl IntoView {
    view! { <PageHeader object_label="Package" title=Signal::derive(|| "Register a Package".to_string()) /> }
}
