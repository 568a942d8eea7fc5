//! A license's status as shown everywhere: the stored License Status as a
//! badge, and "Expired" beside it while the domain says it is in effect
//! ("Active · Expired"), so the words read the same as they look.

use leptos::prelude::*;

use crate::domain::{EffectiveStatus, EXPIRED_LABEL};

#[component]
pub fn LicenseStatusBadge(status: EffectiveStatus) -> impl IntoView {
    let stored = status.stored().label();
    view! {
        <span class=format!("badge {stored}")>{stored}</span>
        {status
            .is_expired()
            .then(|| view! { " · " <span class="badge expired">{EXPIRED_LABEL}</span> })}
    }
}
