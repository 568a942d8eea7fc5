//! Who may have made a change that arrives from another desk.
//!
//! On one desk every workflow authorizes its actor before it writes. A
//! record that comes from another desk was written there, so this desk
//! checks it again against the profile of the user recorded as its author
//! (its Last Modified By): a desk that skipped the check, or a document
//! written by hand into the shared database, can't slip a change past the
//! permission table. Changes the License Management App made itself
//! (installs, uninstalls, imports of new records) need no profile.

use thiserror::Error;

use super::history::HistoryEntry;
use super::ids::SfId;
use super::lead::{Account, Contact, Lead, LeadStatus};
use super::license::License;
use super::package::{Package, PackageVersion};
use super::stamp::ChangedBy;
use super::user::{Permission, PermissionError, User};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AuthorError {
    #[error("It was changed by user {id}, who is not a user of this desk; a change is taken only from a user whose profile may make it.")]
    UnknownUser { id: SfId },
    #[error("It was changed by {name}: {error}")]
    Denied {
        name: String,
        error: PermissionError,
    },
    #[error(
        "Package versions are read-only for every user, and this changes package version {id}."
    )]
    PackageVersionChanged { id: SfId },
    #[error(
        "License history entries are never changed once written, and this changes entry {id}."
    )]
    HistoryChanged { id: SfId },
}

/// Checks that `author` may make a change needing `needed`: the License
/// Management App may; a user must be known and their profile must allow
/// each permission. An inactive user's earlier changes still count: they
/// may have been made while the user was active.
pub fn check_change(
    author: &ChangedBy,
    needed: &[Permission],
    users: &[User],
) -> Result<(), AuthorError> {
    let Some(id) = author.user_id() else {
        return Ok(());
    };
    if needed.is_empty() {
        return Ok(());
    }
    let user = users
        .iter()
        .find(|u| &u.id == id)
        .ok_or_else(|| AuthorError::UnknownUser { id: id.clone() })?;
    match needed.iter().find(|p| !user.profile.allows(**p)) {
        Some(action) => Err(AuthorError::Denied {
            name: user.name.clone(),
            error: PermissionError::Denied {
                profile: user.profile,
                action: *action,
            },
        }),
        None => Ok(()),
    }
}

/// What changing `previous` into `license` needs. The sync time
/// (Information Current As Of) moves without a new Last Modified when a
/// refresh finds nothing else, so it is no change of its own; linking the
/// license to the Account and Contact of its converted lead is part of
/// Convert Lead; anything else is Modify License (or an import, which needs
/// it too).
pub fn license_change(previous: Option<&License>, license: &License) -> Vec<Permission> {
    let Some(previous) = previous else {
        return vec![Permission::ModifyLicense];
    };
    let mut before = previous.clone();
    before.last_modified = license.last_modified.clone();
    before.information_current_as_of = license.information_current_as_of;
    if &before == license {
        return Vec::new();
    }
    before.account_id = license.account_id.clone();
    before.contact_id = license.contact_id.clone();
    before.lead_name = license.lead_name.clone();
    if &before == license {
        vec![Permission::ConvertLead]
    } else {
        vec![Permission::ModifyLicense]
    }
}

/// What changing `previous` into `package` needs: Register, Refresh
/// Licenses, the Lead Manager and the other fields each have their own
/// permission.
pub fn package_change(previous: Option<&Package>, package: &Package) -> Vec<Permission> {
    let Some(previous) = previous else {
        let mut needed = vec![Permission::EditPackage];
        if package.registration.is_some() {
            needed.push(Permission::RegisterPackage);
        }
        return needed;
    };
    let mut needed = Vec::new();
    if previous.registration != package.registration {
        needed.push(Permission::RegisterPackage);
    }
    if previous.last_refresh != package.last_refresh {
        needed.push(Permission::RefreshLicenses);
    }
    if previous.lead_manager != package.lead_manager {
        needed.push(Permission::EditLeadManager);
    }
    let mut rest = previous.clone();
    rest.registration = package.registration.clone();
    rest.last_refresh = package.last_refresh;
    rest.lead_manager = package.lead_manager.clone();
    rest.last_modified = package.last_modified.clone();
    if &rest != package {
        needed.push(Permission::EditPackage);
    }
    needed
}

/// What changing `previous` into `lead` needs: converting it is Convert
/// Lead; any other change (its status, its fields) is Edit Lead.
pub fn lead_change(previous: Option<&Lead>, lead: &Lead) -> Vec<Permission> {
    let converts = lead.converted.is_some() && previous.is_none_or(|p| p.converted.is_none());
    let mut needed = Vec::new();
    if converts {
        needed.push(Permission::ConvertLead);
    }
    let mut rest = match previous {
        Some(p) => p.clone(),
        None => {
            needed.push(Permission::EditLead);
            return needed;
        }
    };
    rest.last_modified = lead.last_modified.clone();
    if converts {
        rest.converted = lead.converted.clone();
        rest.status = LeadStatus::Converted;
    }
    if &rest != lead {
        needed.push(Permission::EditLead);
    }
    needed
}

/// Accounts and Contacts are made by Convert Lead.
pub fn account_change(previous: Option<&Account>, account: &Account) -> Vec<Permission> {
    if previous == Some(account) {
        Vec::new()
    } else {
        vec![Permission::ConvertLead]
    }
}

pub fn contact_change(previous: Option<&Contact>, contact: &Contact) -> Vec<Permission> {
    if previous == Some(contact) {
        Vec::new()
    } else {
        vec![Permission::ConvertLead]
    }
}

/// History is written by Modify License (and imports, which need it too),
/// and never changed afterwards.
pub fn history_change(
    previous: Option<&HistoryEntry>,
    entry: &HistoryEntry,
) -> Result<Vec<Permission>, AuthorError> {
    match previous {
        None => Ok(vec![Permission::ModifyLicense]),
        Some(p) if p == entry => Ok(Vec::new()),
        Some(_) => Err(AuthorError::HistoryChanged {
            id: entry.id.clone(),
        }),
    }
}

/// Package versions come from AppExchange uploads (the system, an import);
/// an existing one never changes, whoever asks.
pub fn version_change(
    previous: Option<&PackageVersion>,
    version: &PackageVersion,
) -> Result<(), AuthorError> {
    match previous {
        Some(p) if p != version => Err(AuthorError::PackageVersionChanged {
            id: version.id.clone(),
        }),
        _ => Ok(()),
    }
}
