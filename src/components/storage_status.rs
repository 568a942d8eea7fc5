//! Settings' "Storage on this device" card: whether the browser keeps the
//! desk's data under storage pressure, and the space used and available.

use leptos::prelude::*;

use crate::storage::persistence::{request_persistence, storage_use, StorageUse};

#[component]
pub fn StorageStatus() -> impl IntoView {
    let asked = RwSignal::new(0u32);
    let status = LocalResource::new(move || {
        asked.track();
        storage_use()
    });
    let ask = Action::new_local(move |_: &()| async move {
        request_persistence().await;
        asked.update(|n| *n += 1);
    });
    let body = move |state: StorageUse| {
        let (label, advice) = if state.persisted {
            (
                "Persistent: the browser keeps the desk's data even when space runs low.",
                None,
            )
        } else {
            (
                "Not persistent: the browser may delete the desk's data when space runs low.",
                Some(view! {
                    <p>
                        "Download a backup regularly (Import and export), or install License Desk as an app, which makes the browser more willing to keep the data."
                    </p>
                    <button type="button" on:click=move |_| { ask.dispatch_local(()); }>
                        "Ask the browser to keep the data"
                    </button>
                }),
            )
        };
        view! {
            <p role="status">{label}</p>
            <p>{state.summary()}</p>
            {advice}
        }
    };
    view! {
        <section class="card" aria-labelledby="storage-title">
            <header>
                <h2 id="storage-title">"Storage on this device"</h2>
            </header>
            <div class="card-body">
                {move || status.get().map(body)}
            </div>
        </section>
    }
}
