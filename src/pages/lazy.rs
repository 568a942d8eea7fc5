//! The pages a first visit doesn't need, as routes the router awaits.
//!
//! With the `split` feature (release builds, scripts/build.sh) each page's view function is
//! `#[lazy]`: its code, and all it alone reaches, goes to a wasm chunk of its own that the
//! browser fetches when the route is first opened (scripts/split.sh cuts it out after the
//! build). Without the feature they are plain async functions: one wasm, as in dev builds
//! and the browser tests.
use leptos::prelude::*;
use leptos_router::LazyRoute;

macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $view:ident, $page:path) => {
        $(#[$doc])*
        pub struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            async fn view(_this: Self) -> AnyView {
                $view().await
            }
        }

        #[cfg_attr(feature = "split", leptos::lazy)]
        async fn $view() -> AnyView {
            $page().into_any()
        }
    };
}

lazy_page!(
    /// Settings → Team sync.
    SyncRoute, sync_page, super::sync::SyncPage
);
lazy_page!(
    /// Import, export, backup and restore.
    DataRoute, data_page, super::data::DataPage
);
lazy_page!(
    /// Settings.
    SettingsRoute, settings_page, super::settings::SettingsPage
);
lazy_page!(
    /// Settings → Damaged records.
    DamagedRoute, damaged_page, super::damaged::DamagedRecordsPage
);
lazy_page!(
    /// The expiry simulator.
    SimulatorRoute, simulator_page, super::simulator::SimulatorPage
);
lazy_page!(
    /// The notifications list.
    NotificationsRoute, notifications_page, super::notifications::NotificationsPage
);
lazy_page!(
    /// Bulk modify of the selected licenses.
    BulkModifyRoute, bulk_modify_page, super::bulk_modify::BulkModifyPage
);
