//! Saving a file the desk made (a CSV export, a backup, a damaged record's
//! raw content) to the user's downloads, from text in memory: no server.

use wasm_bindgen::{JsCast, JsValue};

/// Offers `text` as a download named `file_name`, of type `mime`.
pub fn download_text(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    download_parts(file_name, mime, &[text])
}

/// Offers the concatenation of `parts` as one download: a large document
/// (a backup) never needs to be one contiguous string.
pub fn download_parts<S: AsRef<str>>(
    file_name: &str,
    mime: &str,
    parts: &[S],
) -> Result<(), String> {
    let fail = |what: &str, e: JsValue| format!("The download could not start ({what}: {e:?}).");
    // As bytes: the text is UTF-8 already, so the blob copies it once
    // instead of decoding it into a JS string and encoding it back.
    let parts: js_sys::Array = parts
        .iter()
        .map(|p| js_sys::Uint8Array::from(p.as_ref().as_bytes()))
        .collect();
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| fail("blob", e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| fail("url", e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "The download could not start (no document).".to_string())?;
    let link = document
        .create_element("a")
        .map_err(|e| fail("link", e))?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "The download could not start (link).".to_string())?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    // Released a little later: some browsers read the blob after the click returns.
    let release = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(release.unchecked_ref(), 10_000);
    }
    Ok(())
}
