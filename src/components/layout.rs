//! The global header and navigation bar around every page.

use leptos::prelude::*;
use leptos_router::components::A;

use super::alert_offline::OfflineNotice;
use super::damaged_notice::DamagedNotice;
use super::user_switcher::UserSwitcher;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <A href="/" attr:class="app-name">"License Desk"</A>
            <nav class="app-nav" aria-label="Main">
                <A href="/packages">"Packages"</A>
                <A href="/licenses">"Licenses"</A>
                <A href="/leads">"Leads"</A>
                <A href="/installs">"Install Log"</A>
                <A href="/simulator">"Subscriber simulator"</A>
                <A href="/data">"Import and export"</A>
                <A href="/settings">"Settings"</A>
            </nav>
            <span class="header-spacer"></span>
            <UserSwitcher />
        </header>
        <main id="main">
            <OfflineNotice />
            <DamagedNotice />
            {children()}
        </main>
    }
}
