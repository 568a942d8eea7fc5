//! Small pieces the license pages share: texts in the LMA's words and user
//! names.

use leptos::prelude::*;

use crate::app_context::AppContext;
pub use crate::domain::LICENSE_MANAGEMENT_APP;
use crate::domain::{SfId, Stamp};
pub use crate::format::{date_text, date_time_text};

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
    crate::format::stamp_text(stamp, |id| user_name(app, id))
}
