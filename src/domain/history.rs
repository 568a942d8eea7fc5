//! License history: one row per field a user changed, so a manager can see
//! who granted what and when.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::ids::SfId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HistoryField {
    Seats,
    Expiration,
    Status,
}

impl HistoryField {
    pub fn label(self) -> &'static str {
        match self {
            HistoryField::Seats => "Licensed Seats",
            HistoryField::Expiration => "Expiration Date",
            HistoryField::Status => "License Status",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: SfId,
    pub license_id: SfId,
    pub field: HistoryField,
    /// Values as the user saw them ("Site License", "Does not expire").
    pub old_value: String,
    pub new_value: String,
    pub by: SfId,
    pub at: NaiveDateTime,
}

impl HistoryEntry {
    pub fn id(&self) -> &SfId {
        &self.id
    }
}
