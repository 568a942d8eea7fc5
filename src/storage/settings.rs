//! Settings kept in localStorage: the current user and list preferences.
//!
//! Only small preferences live here (records never do), under one key. They
//! are conveniences: when localStorage is unavailable (some private windows)
//! reads give the defaults and writes report [`StorageError`], which callers
//! may ignore.

use std::collections::BTreeMap;

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

use super::error::StorageError;

/// The localStorage key holding every setting.
pub const SETTINGS_KEY: &str = "license-desk.settings";

/// How one list page was last sorted, filtered and paged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListPrefs {
    pub sort_by: Option<String>,
    pub descending: bool,
    pub page_size: Option<u32>,
    pub filters: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The 18-character ID of the user the app acts as.
    pub current_user_id: Option<String>,
    /// Per list page (e.g. "licenses", "leads").
    pub lists: BTreeMap<String, ListPrefs>,
}

impl Settings {
    /// Settings from their stored JSON text; unreadable text gives the defaults.
    pub fn from_json(text: &str) -> Settings {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        match serde_json::to_string(self) {
            Ok(text) => text,
            Err(_) => "{}".to_string(),
        }
    }

    pub fn list(&self, page: &str) -> ListPrefs {
        self.lists.get(page).cloned().unwrap_or_default()
    }
}

fn storage_error(e: gloo_storage::errors::StorageError) -> StorageError {
    match e {
        gloo_storage::errors::StorageError::JsError(js) if js.name == "QuotaExceededError" => {
            StorageError::QuotaExceeded {
                usage: String::new(),
            }
        }
        gloo_storage::errors::StorageError::JsError(js) => {
            StorageError::Unavailable(format!("localStorage: {}: {}", js.name, js.message))
        }
        other => StorageError::Other(format!("Settings could not be saved: {other}")),
    }
}

/// Whether this browser lets the page use localStorage (gloo-storage would
/// throw otherwise).
fn available() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .is_some()
}

/// The stored settings, or the defaults.
pub fn load() -> Settings {
    if !available() {
        return Settings::default();
    }
    // Unreadable settings (an older format, hand edits) fall back to the defaults.
    LocalStorage::get::<Settings>(SETTINGS_KEY).unwrap_or_default()
}

pub fn save(settings: &Settings) -> Result<(), StorageError> {
    if !available() {
        return Err(StorageError::Unavailable(
            "localStorage is not available".to_string(),
        ));
    }
    LocalStorage::set(SETTINGS_KEY, settings).map_err(storage_error)
}

/// Changes the settings with `change` and saves them.
pub fn update(change: impl FnOnce(&mut Settings)) -> Result<(), StorageError> {
    let mut settings = load();
    change(&mut settings);
    save(&settings)
}

/// The 18-character ID of the user the app last acted as.
pub fn current_user_id() -> Option<String> {
    load().current_user_id
}

/// Remembers the current user. Best effort: a browser without localStorage
/// just asks again next time.
pub fn set_current_user_id(id: &str) {
    let _ = update(|s| s.current_user_id = Some(id.to_string()));
}

pub fn list_prefs(page: &str) -> ListPrefs {
    load().list(page)
}

pub fn set_list_prefs(page: &str, prefs: ListPrefs) -> Result<(), StorageError> {
    update(|s| {
        s.lists.insert(page.to_string(), prefs);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_tolerate_garbage() {
        let mut s = Settings {
            current_user_id: Some("005000000000001AAA".into()),
            ..Settings::default()
        };
        s.lists.insert(
            "licenses".into(),
            ListPrefs {
                sort_by: Some("expiration".into()),
                descending: true,
                page_size: Some(50),
                filters: BTreeMap::from([("status".into(), "Active".into())]),
            },
        );
        assert_eq!(Settings::from_json(&s.to_json()), s);
        assert_eq!(Settings::from_json("not json"), Settings::default());
        assert_eq!(Settings::from_json("{}"), Settings::default());
        assert_eq!(s.list("leads"), ListPrefs::default());
    }
}
