//! Refresh Licenses on a package, with the LMA's confirmation step: the
//! first "Refresh Licenses" asks "Refresh licenses for this package?", and a
//! second "Refresh Licenses" runs it. A refresh the domain refuses (within
//! 7 days of the last one, not registered, no permission) shows its message,
//! which says when the next refresh is allowed.

use leptos::prelude::*;

/// The header button; hidden while the confirmation is shown.
#[component]
pub fn RefreshLicensesButton(confirming: RwSignal<bool>, on_start: Callback<()>) -> impl IntoView {
    view! {
        <Show when=move || !confirming.get()>
            <button type="button" on:click=move |_| on_start.run(())>
                "Refresh Licenses"
            </button>
        </Show>
    }
}

/// The confirmation, shown under the header while `confirming`.
#[component]
pub fn RefreshLicensesConfirm(
    package_name: String,
    confirming: RwSignal<bool>,
    pending: Signal<bool>,
    on_confirm: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || confirming.get()>
            <section
                class="card"
                role="alertdialog"
                aria-labelledby="refresh-title"
                aria-describedby="refresh-message"
            >
                <h2 id="refresh-title">"Refresh Licenses"</h2>
                <div class="card-body">
                    <p id="refresh-message">
                        <strong>"Refresh licenses for this package?"</strong>
                        " Every license of " {package_name.clone()}
                        " is re-synced with its subscriber org, and licenses are created for installs that were pending. You can refresh a package's licenses once every 7 days."
                    </p>
                    <div class="form-actions">
                        <button type="button" on:click=move |_| confirming.set(false)>
                            "Cancel"
                        </button>
                        <button
                            type="button"
                            class="primary"
                            disabled=move || pending.get()
                            on:click=move |_| on_confirm.run(())
                        >
                            "Refresh Licenses"
                        </button>
                    </div>
                </div>
            </section>
        </Show>
    }
}
