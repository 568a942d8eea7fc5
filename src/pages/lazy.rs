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
lazy_page!(
    /// Home (the dashboard).
    HomeRoute, home_page, super::home::HomePage
);
lazy_page!(
    /// Packages.
    PackagesRoute, packages_page, super::packages::PackagesPage
);
lazy_page!(
    /// Register a package.
    RegisterPackageRoute, register_package_page, super::packages::RegisterPackagePage
);
lazy_page!(
    /// A package.
    PackageDetailRoute, package_detail_page, super::packages::PackageDetailPage
);
lazy_page!(
    /// A license.
    LicenseDetailRoute, license_detail_page, super::license_detail::LicenseDetailPage
);
lazy_page!(
    /// Modify License.
    ModifyLicenseRoute, modify_license_page, super::modify_license::ModifyLicensePage
);
lazy_page!(
    /// Leads.
    LeadsRoute, leads_page, super::leads::LeadsPage
);
lazy_page!(
    /// A lead.
    LeadDetailRoute, lead_detail_page, super::leads::LeadDetailPage
);
lazy_page!(
    /// An account.
    AccountDetailRoute, account_detail_page, super::accounts::AccountDetailPage
);
lazy_page!(
    /// A contact.
    ContactDetailRoute, contact_detail_page, super::contacts::ContactDetailPage
);
lazy_page!(
    /// The Install Log.
    InstallLogRoute, install_log_page, super::installs::InstallLogPage
);
