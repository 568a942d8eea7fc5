//! Persistent storage: until the browser grants it, it may delete the desk's
//! IndexedDB under storage pressure without asking, and the desk is often the
//! only copy of a partner's working data.
//!
//! The desk asks once real data arrives (demo, import, restore, sync) and
//! Settings shows the answer with the space used and available.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// What the browser says about the site's storage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StorageUse {
    /// Whether the browser keeps the data under storage pressure.
    pub persisted: bool,
    /// Bytes the site uses (IndexedDB, caches, ...), when the browser tells.
    pub used: Option<f64>,
    /// Bytes the site may use, when the browser tells.
    pub quota: Option<f64>,
}

impl StorageUse {
    /// One line for Settings and for a "storage is full" message.
    pub fn summary(&self) -> String {
        match (self.used, self.quota) {
            (Some(used), Some(quota)) => format!(
                "The desk uses {} of the {} this browser allows it.",
                bytes_text(used),
                bytes_text(quota)
            ),
            (Some(used), None) => format!("The desk uses {}.", bytes_text(used)),
            _ => "This browser does not say how much space the desk uses.".to_string(),
        }
    }
}

/// Bytes in the unit a person reads at a glance: `950 bytes`, `12.3 KB`, `1.5 GB`.
pub fn bytes_text(bytes: f64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if !bytes.is_finite() || bytes < 1000.0 {
        return format!("{} bytes", bytes.max(0.0).round());
    }
    let mut value = bytes / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn manager() -> Option<web_sys::StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Missing outside a secure context (plain http other than localhost).
    let storage = js_sys::Reflect::get(&navigator, &JsValue::from_str("storage")).ok()?;
    storage.dyn_into::<web_sys::StorageManager>().ok()
}

async fn promised_bool(promise: Result<js_sys::Promise, JsValue>) -> bool {
    match promise {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// Asks the browser to keep the desk's data (`navigator.storage.persist()`).
/// Chromium answers without a prompt, from how the site is used (installed,
/// bookmarked, visited often). `false` when refused or not supported.
pub async fn request_persistence() -> bool {
    match manager() {
        Some(manager) => {
            if promised_bool(manager.persisted()).await {
                return true;
            }
            promised_bool(manager.persist()).await
        }
        None => false,
    }
}

/// Whether the data is persistent, and the space used and allowed.
pub async fn storage_use() -> StorageUse {
    let Some(manager) = manager() else {
        return StorageUse {
            persisted: false,
            used: None,
            quota: None,
        };
    };
    let persisted = promised_bool(manager.persisted()).await;
    let estimate = match manager.estimate() {
        Ok(promise) => JsFuture::from(promise).await.ok(),
        Err(_) => None,
    };
    let number = |name: &str| {
        estimate
            .as_ref()
            .and_then(|e| js_sys::Reflect::get(e, &JsValue::from_str(name)).ok())
            .and_then(|v| v.as_f64())
    };
    StorageUse {
        persisted,
        used: number("usage"),
        quota: number("quota"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_at_a_glance() {
        assert_eq!(bytes_text(0.0), "0 bytes");
        assert_eq!(bytes_text(999.0), "999 bytes");
        assert_eq!(bytes_text(1000.0), "1.0 KB");
        assert_eq!(bytes_text(12_345.0), "12.3 KB");
        assert_eq!(bytes_text(250_000_000.0), "250 MB");
        assert_eq!(bytes_text(1_500_000_000.0), "1.5 GB");
        assert_eq!(bytes_text(f64::NAN), "0 bytes");
    }

    #[test]
    fn summary_says_what_the_browser_told() {
        let known = StorageUse {
            persisted: false,
            used: Some(2_500_000.0),
            quota: Some(10_000_000_000.0),
        };
        assert_eq!(
            known.summary(),
            "The desk uses 2.5 MB of the 10.0 GB this browser allows it."
        );
        let unknown = StorageUse {
            persisted: true,
            used: None,
            quota: None,
        };
        assert!(unknown.summary().contains("does not say"));
    }
}
