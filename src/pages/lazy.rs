//! The pages a first visit doesn't need, as routes the router awaits.
//!
//! In split builds each page's view function is [`split_off!`](crate::split_off): its code,
//! and all it alone reaches, goes to a wasm chunk of its own that the browser fetches when
//! the route is first opened. A chunk that can't be fetched shows [`PageMissing`], not a
//! dead app.
use leptos::prelude::*;
use leptos_router::LazyRoute;

use crate::browser_turn::{idle_period, sleep};
use crate::components::page_opening::Opening;
use crate::components::record::ErrorNotice;
use crate::split::ChunkMissing;

/// A page whose code could not be fetched: says why, and offers the reload that fetches it
/// (the next visit to the route tries again too).
#[component]
fn PageMissing(missing: ChunkMissing) -> impl IntoView {
    let reload = |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    };
    view! {
        <section class="card">
            <div class="card-body">
                <h1>"This page could not be opened"</h1>
                <ErrorNotice message=missing.to_string() />
                <button type="button" on:click=reload>"Reload"</button>
            </div>
        </section>
    }
}

macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $view:ident, $preload:ident, $page:path) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                let _opening = Opening::begin();
                $view().await.unwrap_or_else(|missing| view! { <PageMissing missing /> }.into_any())
            }
        }

        crate::split_off! {
            fn $view() -> Result<AnyView, ChunkMissing>, preload $preload {
                Ok($page().into_any())
            }
        }
    };
}

/// Declares each page with [`lazy_page!`], and [`PRELOADS`] in the same order.
macro_rules! lazy_pages {
    ($($(#[$doc:meta])* $route:ident, $view:ident, $preload:ident, $page:path;)*) => {
        $(lazy_page!($(#[$doc])* $route, $view, $preload, $page);)*

        /// Every page's [`preload_pages`] step, in the order declared.
        const PRELOADS: &[Preload] = &[$(|| Box::pin($preload())),*];
    };
}

type Preload = fn() -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), leptos::wasm_split::SplitLoaderError>>>,
>;

// The pages most opened first: [`preload_pages`] takes them in this order.
lazy_pages! {
    /// The packages list.
    PackagesRoute, packages_page, preload_packages_page, super::packages::PackagesPage;
    /// A package's record, its versions and licenses.
    PackageDetailRoute, package_detail_page, preload_package_detail_page, super::packages::PackageDetailPage;
    /// The leads list.
    LeadsRoute, leads_page, preload_leads_page, super::leads::LeadsPage;
    /// A lead's record.
    LeadDetailRoute, lead_detail_page, preload_lead_detail_page, super::leads::LeadDetailPage;
    /// The Install Log.
    InstallLogRoute, install_log_page, preload_install_log_page, super::installs::InstallLogPage;
    /// An account's record.
    AccountDetailRoute, account_detail_page, preload_account_detail_page, super::accounts::AccountDetailPage;
    /// A contact's record.
    ContactDetailRoute, contact_detail_page, preload_contact_detail_page, super::contacts::ContactDetailPage;
    /// Register a package.
    RegisterPackageRoute, register_package_page, preload_register_package_page, super::packages::RegisterPackagePage;
    /// Bulk modify of the selected licenses.
    BulkModifyRoute, bulk_modify_page, preload_bulk_modify_page, super::bulk_modify::BulkModifyPage;
    /// The notifications list.
    NotificationsRoute, notifications_page, preload_notifications_page, super::notifications::NotificationsPage;
    /// Settings.
    SettingsRoute, settings_page, preload_settings_page, super::settings::SettingsPage;
    /// Import, export, backup and restore.
    DataRoute, data_page, preload_data_page, super::data::DataPage;
    /// The expiry simulator.
    SimulatorRoute, simulator_page, preload_simulator_page, super::simulator::SimulatorPage;
    /// Settings → Team sync.
    SyncRoute, sync_page, preload_sync_page, super::sync::SyncPage;
    /// Settings → Damaged records.
    DamagedRoute, damaged_page, preload_damaged_page, super::damaged::DamagedRecordsPage;
}

/// Fetches and starts the code of every page above, one after the other, once the app has
/// been open a while: a page then opens at once, as if it were in the main module. Only when
/// the service worker controls the page (it has stored this release): on a first visit it is
/// still downloading them, and they would be downloaded twice.
pub async fn preload_pages() {
    let controlled = web_sys::window()
        .and_then(|w| w.navigator().service_worker().controller())
        .is_some();
    if !cfg!(feature = "split") || !controlled {
        return;
    }
    sleep(PRELOAD_AFTER_MS).await;
    for preload in PRELOADS {
        // Each in an idle moment of the browser: never in the way of a click.
        idle_period(PRELOAD_IDLE_TIMEOUT_MS).await;
        // A page whose code can't be fetched now says so when it is opened.
        if preload().await.is_err() {
            return;
        }
    }
}

/// How long after the start [`preload_pages`] waits: the first page's reads come first.
const PRELOAD_AFTER_MS: i32 = 3_000;
/// The longest [`preload_pages`] waits for an idle moment before each page.
const PRELOAD_IDLE_TIMEOUT_MS: u32 = 2_000;
