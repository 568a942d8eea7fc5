//! The header's sync state ("Synced", "Syncing (3 to send)", "Offline (2
//! waiting)", "Sync error: …"), a live region so a change is announced, and
//! a link to the Sync page. Hidden while sync is off.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::services::sync::SyncService;
use crate::sync::status::SyncStatus;

#[component]
pub fn SyncStatusLine() -> impl IntoView {
    let sync = expect_context::<SyncService>();
    let status = sync.status();
    let off = move || status.with(|s| *s == SyncStatus::Off);
    let class = move || match status.get() {
        SyncStatus::Error(_) => "sync-status error",
        SyncStatus::Offline { .. } => "sync-status offline",
        _ => "sync-status",
    };
    view! {
        <p class=class role="status" hidden=off>
            {move || {
                (!off()).then(|| view! { <A href="/settings/sync">{status.get().to_string()}</A> })
            }}
        </p>
    }
}
