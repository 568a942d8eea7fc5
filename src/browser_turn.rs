//! A turn of the browser between two steps of long work on the main thread,
//! so it paints and handles input meanwhile.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Resolves after a zero-delay timeout: the browser has run what was queued
/// before it (input, a paint).
pub async fn browser_turn() {
    sleep(0).await;
}

/// Resolves after `ms` milliseconds (a timeout), or at once without a window.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let scheduled = web_sys::window().is_some_and(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .is_ok()
        });
        if !scheduled {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}
