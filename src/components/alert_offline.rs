//! Offline use: registers the service worker (`sw.js`, which caches the built
//! app so it opens with no network after one visit) and tells the user when
//! the browser is offline that everything still works.

use std::cell::Cell;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
}

/// The worker's URL; Trunk copies `sw.js` to the root of `dist/`, and the
/// app is served from `/` (Trunk.toml `public_url`), so its scope is the app.
pub const SERVICE_WORKER_URL: &str = "/sw.js";

/// Registers the service worker once per page load, and only where a browser
/// allows one: served over http(s) in a secure context (https, or localhost
/// and 127.0.0.1). Failures are logged as warnings: the app works without
/// the worker, it just doesn't open offline.
pub fn register_service_worker() {
    if REGISTERED.with(|r| r.replace(true)) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let protocol = window.location().protocol().unwrap_or_default();
    if protocol != "http:" && protocol != "https:" || !window.is_secure_context() {
        return;
    }
    let navigator = window.navigator();
    // `navigator.serviceWorker` is missing in some browsers and private modes;
    // calling through web-sys on undefined would throw.
    let supported = js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker"))
        .map(|v| !v.is_undefined() && !v.is_null())
        .unwrap_or(false);
    if !supported {
        return;
    }
    let promise = navigator.service_worker().register(SERVICE_WORKER_URL);
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            let detail = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}"));
            leptos::logging::warn!("License Desk can't work offline in this browser: {detail}");
        }
    });
}

/// Whether the browser says it is online (`navigator.onLine`).
fn browser_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Registers the service worker and, while the browser is offline, says that
/// the app keeps working from this browser's own data.
#[component]
pub fn OfflineNotice() -> impl IntoView {
    register_service_worker();
    let online = RwSignal::new(browser_online());
    let on = window_event_listener_untyped("online", move |_| online.set(true));
    let off = window_event_listener_untyped("offline", move |_| online.set(false));
    on_cleanup(move || {
        on.remove();
        off.remove();
    });
    view! {
        <Show when=move || !online.get()>
            <div class="notice warning" role="status">
                <strong>"You're offline. "</strong>
                "License Desk keeps working: records are read and saved in this browser."
            </div>
        </Show>
    }
}
