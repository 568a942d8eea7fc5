//! Small pieces the license pages share: texts in the LMA's words and user
//! names.

use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;

use crate::app_context::AppContext;
use crate::domain::{ChangedBy, SfId, Stamp};

/// What Owner, and Created By for system records, show.
pub const LICENSE_MANAGEMENT_APP: &str = "License Management App";

pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

pub fn date_time_text(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// A user's name by ID; a user who is gone shows their 15-character ID.
pub fn user_name(app: &AppContext, id: &SfId) -> String {
    app.users.with(|users| {
        users
            .iter()
            .find(|u| &u.id == id)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| id.to15().to_string())
    })
}

/// "Jordan Lee, 2025-03-01 10:30", or the License Management App for
/// system changes.
pub fn stamp_text(app: &AppContext, stamp: &Stamp) -> String {
    let who = match &stamp.by {
        ChangedBy::User(id) => user_name(app, id),
        ChangedBy::LicenseManagementApp => LICENSE_MANAGEMENT_APP.to_string(),
    };
    format!("{who}, {}", date_time_text(stamp.at))
}
