use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <div class="page-header">
            <div class="titles">
                <p class="object-label">"License Management App"</p>
                <h1>"Home"</h1>
            </div>
        </div>
    }
}
