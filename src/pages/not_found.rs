use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <div class="card-body">
                <h1>"Page not found"</h1>
                <p>"There is no page at this address. It may have been mistyped, or the record no longer exists."</p>
                <A href="/">"Go home"</A>
            </div>
        </section>
    }
}
