//! Components that need a browser, mounted into a real DOM in headless Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Lets the browser run its event loop (IndexedDB callbacks, rendering).
async fn tick(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Waits (up to ~10 s) until the body's text contains `needle`.
async fn body_text_containing(needle: &str) -> String {
    let body = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .expect("a body");
    let mut text = String::new();
    for _ in 0..200 {
        text = body.text_content().unwrap_or_default();
        if text.contains(needle) {
            break;
        }
        tick(50).await;
    }
    text
}

#[wasm_bindgen_test]
async fn app_opens_its_database_and_offers_the_user_switcher() {
    let body = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .expect("a body");
    let handle = leptos::mount::mount_to(body, license_desk::App);
    // The switcher appears only once IndexedDB opened and the seed users were stored.
    let text = body_text_containing("Acting as").await;
    assert!(
        text.contains("Acting as"),
        "the app did not finish opening: {text}"
    );
    assert!(
        text.contains("System Administrator"),
        "seed users missing from: {text}"
    );
    assert!(
        !text.contains("can't open its data"),
        "storage failed: {text}"
    );
    drop(handle);
}
