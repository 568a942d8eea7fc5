//! License Desk: an offline-first License Management App.
//!
//! `domain` holds every rule; `storage` keeps records in IndexedDB; `pages` and
//! `components` are the Leptos UI, which asks the domain and shows its messages.

// No path a user can reach panics: every failure is a typed, readable error.
// Tests may unwrap (integration tests under `tests/` are crates of their own).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod app_context;
pub mod bench;
pub mod browser_turn;
pub mod clock;
pub mod components;
pub mod demo;
pub mod domain;
pub mod download;
pub mod exchange;
pub mod file_read;
pub mod format;
pub mod pages;
pub mod services;
pub mod sort;
pub mod split;
pub mod storage;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy};

use app_context::{open_app, AppContext};
use components::layout::Layout;
use pages::not_found::NotFound;

#[component]
pub fn App() -> impl IntoView {
    let opened = LocalResource::new(|| async {
        let ctx = open_app().await?;
        // Before the shell mounts: the list's read then runs beside it.
        services::licenses::start_first_read_if_on_list(&ctx.repo());
        Ok::<_, storage::StorageError>(ctx)
    });
    view! {
        <Router>
            {move || match opened.get() {
                None => view! { <p class="loading" role="status">"Opening License Desk…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <main id="main">
                        <div class="notice error" role="alert">
                            <strong>"License Desk can't open its data. "</strong>
                            {e.to_string()}
                        </div>
                    </main>
                }
                .into_any(),
                Some(Ok(ctx)) => view! { <Shell ctx /> }.into_any(),
            }}
        </Router>
    }
}

/// The app once its database is open: header, navigation and every route.
#[component]
fn Shell(ctx: AppContext) -> impl IntoView {
    provide_context(ctx);
    provide_context(components::bulk_modify::Selection::new());
    // Starts sync again when it was on before the reload.
    provide_context(services::sync::SyncService::new(ctx.repo()));
    leptos::task::spawn_local(pages::lazy::preload_pages());
    view! {
        <Layout>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=pages::home::HomePage />
                <Route path=path!("/packages") view={Lazy::<pages::lazy::PackagesRoute>::new()} />
                <Route path=path!("/packages/new") view={Lazy::<pages::lazy::RegisterPackageRoute>::new()} />
                <Route path=path!("/packages/:id") view={Lazy::<pages::lazy::PackageDetailRoute>::new()} />
                <Route path=path!("/licenses") view=pages::licenses::LicensesPage />
                <Route path=path!("/licenses/bulk") view={Lazy::<pages::lazy::BulkModifyRoute>::new()} />
                <Route path=path!("/licenses/:id") view=pages::license_detail::LicenseDetailPage />
                <Route path=path!("/licenses/:id/modify") view=pages::modify_license::ModifyLicensePage />
                <Route path=path!("/leads") view={Lazy::<pages::lazy::LeadsRoute>::new()} />
                <Route path=path!("/leads/:id") view={Lazy::<pages::lazy::LeadDetailRoute>::new()} />
                <Route path=path!("/accounts/:id") view={Lazy::<pages::lazy::AccountDetailRoute>::new()} />
                <Route path=path!("/contacts/:id") view={Lazy::<pages::lazy::ContactDetailRoute>::new()} />
                <Route path=path!("/installs") view={Lazy::<pages::lazy::InstallLogRoute>::new()} />
                <Route path=path!("/simulator") view={Lazy::<pages::lazy::SimulatorRoute>::new()} />
                <Route path=path!("/data") view={Lazy::<pages::lazy::DataRoute>::new()} />
                <Route path=path!("/notifications") view={Lazy::<pages::lazy::NotificationsRoute>::new()} />
                <Route path=path!("/settings") view={Lazy::<pages::lazy::SettingsRoute>::new()} />
                <Route path=path!("/settings/damaged") view={Lazy::<pages::lazy::DamagedRoute>::new()} />
                <Route path=path!("/settings/sync") view={Lazy::<pages::lazy::SyncRoute>::new()} />
            </Routes>
        </Layout>
    }
}
