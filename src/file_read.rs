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

/// The content of `file`, left in the browser's memory: read from it with
/// [`JsBytes`] a slice at a time, so the app's (never shrinking) wasm memory
/// doesn't hold a copy of a large file (a backup, a CSV export).
pub async fn read_buffer(file: &web_sys::File) -> Result<js_sys::Uint8Array, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| unreadable(file, &e))?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

/// Reads a browser-side byte array from its start, copying only what each
/// read asks for into wasm memory.
pub struct JsBytes {
    bytes: js_sys::Uint8Array,
    at: u32,
}

impl JsBytes {
    pub fn new(bytes: js_sys::Uint8Array) -> JsBytes {
        JsBytes { bytes, at: 0 }
    }
}

impl std::io::Read for JsBytes {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.bytes.length().saturating_sub(self.at);
        let n = left.min(u32::try_from(buf.len()).unwrap_or(u32::MAX));
        if let Some(out) = buf.get_mut(..n as usize) {
            self.bytes.subarray(self.at, self.at + n).copy_to(out);
        }
        self.at += n;
        Ok(n as usize)
    }
}

impl crate::exchange::FileBytes for JsBytes {
    fn size(&self) -> u64 {
        u64::from(self.bytes.length())
    }

    fn rewind(&mut self) {
        self.at = 0;
    }
}

/// The files of a `FileList` (an input's or a drop's).
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}
