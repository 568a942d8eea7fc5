//! The one line the desk shows, on every page, once lists have met records
//! that can't be read: how many, and the way to the Damaged records page.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::app_context::use_app;

/// The page that lists them says the count itself.
const DAMAGED_PAGE: &str = "/settings/damaged";

#[component]
pub fn DamagedNotice() -> impl IntoView {
    let app = use_app();
    let path = use_location().pathname;
    move || {
        let count = app.damaged.get();
        (count > 0 && path.get() != DAMAGED_PAGE).then(|| {
            let what = if count == 1 {
                "1 stored record can't be read and is left out of the lists.".to_string()
            } else {
                format!("{count} stored records can't be read and are left out of the lists.")
            };
            view! {
                <div class="notice warning" role="status">
                    {what} " Every other record works as usual. "
                    <A href=DAMAGED_PAGE>"See Damaged records"</A>
                </div>
            }
        })
    }
}
