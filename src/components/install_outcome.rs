//! What the LMA did about an install event, in words: the Install Log's
//! outcome label and sentence, the license it links to, and the LMA
//! guide's troubleshooting checklist shown under failures.

use crate::domain::{InstallOutcome, SfId};

/// The log's short outcome label.
pub fn outcome_label(outcome: &InstallOutcome) -> &'static str {
    match outcome {
        InstallOutcome::LeadAndLicenseCreated { .. } => "Lead and license created",
        InstallOutcome::LicenseUpdated { .. } => "License updated",
        InstallOutcome::Pending { .. } => "Pending: package not registered",
        InstallOutcome::Failed { .. } => "Failed",
        InstallOutcome::NoLicense { .. } => "No license",
    }
}

/// What the LMA did about an event, in a sentence.
pub fn outcome_text(outcome: &InstallOutcome) -> String {
    match outcome {
        InstallOutcome::LeadAndLicenseCreated { .. } => {
            "A lead and a license were created from the package's default license.".to_string()
        }
        InstallOutcome::LicenseUpdated { .. } => "The org's license was updated.".to_string(),
        InstallOutcome::Pending { reason }
        | InstallOutcome::Failed { reason, .. }
        | InstallOutcome::NoLicense { reason } => reason.clone(),
    }
}

/// The license an event created or updated.
pub fn outcome_license(outcome: &InstallOutcome) -> Option<&SfId> {
    match outcome {
        InstallOutcome::LeadAndLicenseCreated { license_id, .. }
        | InstallOutcome::LicenseUpdated { license_id } => Some(license_id),
        _ => None,
    }
}

/// The general checklist of the LMA guide's "Leads and Licenses Aren't
/// Being Created", as it applies to this app, shown under every failure's
/// own advice.
pub fn troubleshooting_checklist() -> Vec<&'static str> {
    vec![
        "Did the customer really install the package? Get it Now counts as an install, but an installation that was cancelled or failed never creates a license.",
        "Is the package registered (linked) with the License Management App? If not, register it on the package's page, then select Refresh Licenses.",
        "Is the lead manager a valid, active user? If not, the LMA can't create leads and licenses: choose an active System Administrator or License Manager as Lead Manager.",
        "Was the lead converted to an account? Converted leads leave the lead list; the license keeps showing the lead's name and links to the account and contact.",
        "After fixing the cause, select Refresh Licenses on the package (once every 7 days): the leads and licenses of pending and failed installs are created then.",
    ]
}
