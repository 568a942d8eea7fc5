//! License Desk: an offline-first License Management App.
//!
//! `domain` holds every rule; `storage` keeps records in IndexedDB; `pages` and
//! `components` are the Leptos UI, which asks the domain and shows its messages.

pub mod components;
pub mod domain;
pub mod pages;
pub mod storage;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use components::layout::Layout;
use pages::not_found::NotFound;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=pages::home::HomePage />
                </Routes>
            </Layout>
        </Router>
    }
}
