//! The form field an error belongs to, so a form can show the message next to
//! the input the user has to fix instead of in a generic banner.

use serde::{Deserialize, Serialize};

/// A form input, named by its LMA label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// Not tied to one input: permission, read-only record, locked org.
    Form,
    LicenseName,
    Seats,
    Expiration,
    Status,
    PackageName,
    PackageId,
    DeveloperOrgId,
    LeadManager,
    VersionId,
    Version,
    SubscriberOrgId,
    DefaultStatus,
    LicenseLength,
    DefaultSeats,
    DaysBefore,
    Recipient,
    DeveloperName,
    LastName,
    Company,
    UsedLicenses,
    SnoozeDays,
}

impl Field {
    /// The LMA's own label, which users already know.
    pub fn label(self) -> &'static str {
        match self {
            Field::Form => "Form",
            Field::LicenseName => "License Name",
            Field::Seats => "Licensed Seats",
            Field::Expiration => "Expiration Date",
            Field::Status => "License Status",
            Field::PackageName => "Package Name",
            Field::PackageId => "Package ID",
            Field::DeveloperOrgId => "Developer Org ID",
            Field::LeadManager => "Lead Manager",
            Field::VersionId => "Version ID",
            Field::Version => "Version",
            Field::SubscriberOrgId => "Subscriber Org ID",
            Field::DefaultStatus => "License Status",
            Field::LicenseLength => "Length in Days",
            Field::DefaultSeats => "Seats",
            Field::DaysBefore => "Days Before Expiration",
            Field::Recipient => "Notify User",
            Field::DeveloperName => "Developer Name",
            Field::LastName => "Last Name",
            Field::Company => "Company",
            Field::UsedLicenses => "Used Licenses",
            Field::SnoozeDays => "Snooze for (days)",
        }
    }
}
