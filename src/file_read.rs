//! Reading a file the user picked or dropped (a CSV export, a backup), the
//! way back of `download.rs`: the bytes stay in the browser.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

fn unreadable(file: &web_sys::File, e: &JsValue) -> String {
    let why = e
        .as_string()
        .or_else(|| {
            js_sys::Reflect::get(e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "the browser gave no reason".to_string());
    format!(
        "The file {} could not be read ({why}). Check that it still exists and that you may read it, then choose it again.",
        file.name()
    )
}

/// The whole content of `file` as bytes.
pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| unreadable(file, &e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// The whole content of `file` as UTF-8 text (invalid bytes replaced).
pub async fn read_text(file: &web_sys::File) -> Result<String, String> {
    let text = JsFuture::from(file.text())
        .await
        .map_err(|e| unreadable(file, &e))?;
    Ok(text.as_string().unwrap_or_default())
}

/// The files of a `FileList` (an input's or a drop's).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}
