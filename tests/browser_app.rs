//! Components that need a browser, mounted into a real DOM in headless Chromium.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn app_mounts_with_its_header() {
    let document = web_sys::window().and_then(|w| w.document()).expect("a document");
    let body = document.body().expect("a body");
    let _handle = leptos::mount::mount_to(body.clone(), license_desk::App);
    let text = body.text_content().unwrap_or_default();
    assert!(text.contains("License Desk"), "header missing from: {text}");
}
