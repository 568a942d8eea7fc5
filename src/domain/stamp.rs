//! Created By / Last Modified By: who changed a record, and when.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::ids::SfId;

/// The LMA's own name: Owner of its records, Created By of the records it
/// creates, Lead Owner of the leads it creates.
pub const LICENSE_MANAGEMENT_APP: &str = "License Management App";

/// Records the system creates are changed by the License Management App
/// itself, not by a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangedBy {
    LicenseManagementApp,
    User(SfId),
}

impl ChangedBy {
    pub fn user_id(&self) -> Option<&SfId> {
        match self {
            ChangedBy::User(id) => Some(id),
            ChangedBy::LicenseManagementApp => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub by: ChangedBy,
    pub at: NaiveDateTime,
}

impl Stamp {
    pub fn system(at: NaiveDateTime) -> Stamp {
        Stamp {
            by: ChangedBy::LicenseManagementApp,
            at,
        }
    }

    pub fn user(id: &SfId, at: NaiveDateTime) -> Stamp {
        Stamp {
            by: ChangedBy::User(id.clone()),
            at,
        }
    }
}
