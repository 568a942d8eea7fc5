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
    // The fields below change only by import: an import records what the
    // License Management Org holds, field by field.
    LicenseName,
    UsedLicenses,
    InstallDate,
    Instance,
    OrgEdition,
    OrgStatus,
    OrgExpirationDate,
    Sandbox,
    SubscriberOrgId,
    PackageVersion,
    VersionNumber,
    Lead,
    Account,
    Contact,
    LicenseType,
}

impl HistoryField {
    pub fn label(self) -> &'static str {
        match self {
            HistoryField::Seats => "Licensed Seats",
            HistoryField::Expiration => "Expiration Date",
            HistoryField::Status => "License Status",
            HistoryField::LicenseName => "License Name",
            HistoryField::UsedLicenses => "Used Licenses",
            HistoryField::InstallDate => "Install Date",
            HistoryField::Instance => "Instance",
            HistoryField::OrgEdition => "Org Edition",
            HistoryField::OrgStatus => "Org Status",
            HistoryField::OrgExpirationDate => "Org Expiration Date",
            HistoryField::Sandbox => "Sandbox",
            HistoryField::SubscriberOrgId => "Subscriber Org ID",
            HistoryField::PackageVersion => "Package Version",
            HistoryField::VersionNumber => "Package Version Number",
            HistoryField::Lead => "Lead",
            HistoryField::Account => "Account",
            HistoryField::Contact => "Contact",
            HistoryField::LicenseType => "License Type",
        }
    }
}

/// How a change came about: by hand (Modify License) or by an import of a
/// License Management Org's data, which the history must tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum HistoryOrigin {
    #[default]
    ByHand,
    Import,
}

impl HistoryOrigin {
    pub fn label(self) -> &'static str {
        match self {
            HistoryOrigin::ByHand => "By hand",
            HistoryOrigin::Import => "Import",
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
    /// Entries saved before imports existed were all by hand.
    #[serde(default)]
    pub origin: HistoryOrigin,
}

impl HistoryEntry {
    pub fn id(&self) -> &SfId {
        &self.id
    }
}
