pub mod domain;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <header class="app-header">
                <A href="/">"License Desk"</A>
            </header>
            <main>
                <Routes fallback=|| view! { <h1>"Page not found"</h1> <A href="/">"Go home"</A> }>
                    <Route path=path!("/") view=|| view! { <h1>"Home"</h1> } />
                </Routes>
            </main>
        </Router>
    }
}
