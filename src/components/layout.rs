//! The global header and navigation bar around every page.
//!
//! Wide screens show the header as Lightning does: the app's name, the
//! search and the user switcher on top, the navigation bar below. Narrow
//! screens (phones, a tablet held upright) keep the name, the search and a
//! Menu button; the navigation and the user switcher open under Menu, which
//! comes right before them (the next Tab after Menu is the first link). The
//! layout itself is the stylesheet's (`.app-header`); this component only
//! says whether the menu is open.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use super::alert_offline::OfflineNotice;
use super::damaged_notice::DamagedNotice;
use super::global_search::GlobalSearch;
use super::page_opening::PageOpening;
use super::sync_status::SyncStatusLine;
use super::user_switcher::UserSwitcher;

const MENU_ID: &str = "app-menu";

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let menu_open = RwSignal::new(false);
    let menu_button = NodeRef::<leptos::html::Button>::new();
    // Following a link closes the menu.
    let on_menu_click = move |ev: ev::MouseEvent| {
        let on_link = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a").ok().flatten())
            .is_some();
        if on_link {
            menu_open.set(false);
        }
    };
    // Escape closes it and gives the focus back to the button (unless the
    // search used the Escape to close its own list).
    let on_keydown = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" && menu_open.get_untracked() && !ev.default_prevented() {
            menu_open.set(false);
            if let Some(button) = menu_button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header
            class="app-header"
            class:menu-open=move || menu_open.get()
            on:keydown=on_keydown
        >
            <A href="/" attr:class="app-name">"License Desk"</A>
            <GlobalSearch />
            <SyncStatusLine />
            <button
                type="button"
                class="menu-button"
                node_ref=menu_button
                aria-controls=MENU_ID
                aria-expanded=move || if menu_open.get() { "true" } else { "false" }
                on:click=move |_| menu_open.update(|open| *open = !*open)
            >
                <span class="menu-icon" aria-hidden="true"></span>
                "Menu"
            </button>
            <div id=MENU_ID class="app-menu" on:click=on_menu_click>
                <nav class="app-nav" aria-label="Main">
                    <A href="/packages">"Packages"</A>
                    <A href="/licenses">"Licenses"</A>
                    <A href="/leads">"Leads"</A>
                    <A href="/installs">"Install Log"</A>
                    <A href="/simulator">"Subscriber simulator"</A>
                    <A href="/data">"Import and export"</A>
                    <A href="/settings">"Settings"</A>
                </nav>
                <UserSwitcher />
            </div>
        </header>
        <main id="main">
            <OfflineNotice />
            <DamagedNotice />
            <PageOpening />
            {children()}
        </main>
    }
}
