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
    /// The columns shown, by key, in no particular order; `None` for all.
    pub columns: Option<Vec<String>>,
    /// The name of the list view last picked.
    pub view: Option<String>,
}

/// A list view a user saved under a name: its filters, sort and columns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SavedListView {
    pub name: String,
    pub prefs: ListPrefs,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The 18-character ID of the user the app acts as.
    pub current_user_id: Option<String>,
    /// Per list page (e.g. "licenses", "leads").
    pub lists: BTreeMap<String, ListPrefs>,
    /// The list views saved per list page. A view stored in a shape this
    /// version can't read is left out, not the whole settings.
    #[serde(deserialize_with = "readable_views")]
    pub views: BTreeMap<String, Vec<SavedListView>>,
}

fn readable_views<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, Vec<SavedListView>>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    let serde_json::Value::Object(pages) = value else {
        return Ok(BTreeMap::new());
    };
    Ok(pages
        .into_iter()
        .filter_map(|(page, views)| match views {
            serde_json::Value::Array(views) => Some((
                page,
                views
                    .into_iter()
                    .filter_map(|v| serde_json::from_value(v).ok())
                    .collect(),
            )),
            _ => None,
        })
        .collect())
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

/// The list views saved for `page`.
pub fn list_views(page: &str) -> Vec<SavedListView> {
    load().views.get(page).cloned().unwrap_or_default()
}

pub fn set_list_views(page: &str, views: Vec<SavedListView>) -> Result<(), StorageError> {
    update(|s| {
        s.views.insert(page.to_string(), views);
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
                columns: Some(vec!["name".into(), "status".into()]),
                view: Some("Trials".into()),
            },
        );
        s.views.insert(
            "licenses".into(),
            vec![SavedListView {
                name: "My trials".into(),
                prefs: ListPrefs::default(),
            }],
        );
        assert_eq!(Settings::from_json(&s.to_json()), s);
        assert_eq!(Settings::from_json("not json"), Settings::default());
        assert_eq!(Settings::from_json("{}"), Settings::default());
        assert_eq!(s.list("leads"), ListPrefs::default());
    }

    #[test]
    fn an_unreadable_saved_view_is_left_out_not_the_settings() {
        let text = r#"{"current_user_id":"005000000000001AAA",
            "views":{"licenses":[{"name":"Good","prefs":{"sort_by":"seats"}},
                                 {"name":42},"junk"],
                     "leads":"not a list"}}"#;
        let s = Settings::from_json(text);
        assert_eq!(s.current_user_id.as_deref(), Some("005000000000001AAA"));
        let views = &s.views["licenses"];
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].name, "Good");
        assert_eq!(views[0].prefs.sort_by.as_deref(), Some("seats"));
        assert!(!s.views.contains_key("leads"));
        // Settings saved before views existed still read.
        let old = r#"{"lists":{"licenses":{"sort_by":"name","filters":{"status":"Trial"}}}}"#;
        let s = Settings::from_json(old);
        assert!(s.views.is_empty());
        assert_eq!(s.list("licenses").view, None);
    }
}
