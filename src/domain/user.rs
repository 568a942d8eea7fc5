//! Users of the app and what their profile lets them do.
//!
//! The UI hides controls a profile can't use, but hiding is not enforcement:
//! every workflow calls `authorize` itself, so a denied action is refused
//! with a message even if a button slips through.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ids::{KeyPrefix, SfId};
use super::Field;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Profile {
    SystemAdministrator,
    LicenseManager,
    SalesRep,
    ReadOnly,
}

/// A permission a profile grants: what its users may do (the LMA's object
/// permissions and the workflows guarded by them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    ReadLicenses,
    ModifyLicense,
    ReadPackages,
    /// Editing package fields other than Lead Manager.
    EditPackage,
    EditLeadManager,
    RegisterPackage,
    RefreshLicenses,
    ReadPackageVersions,
    ReadLeads,
    EditLead,
    ConvertLead,
}

impl Permission {
    pub const ALL: [Permission; 11] = [
        Permission::ReadLicenses,
        Permission::ModifyLicense,
        Permission::ReadPackages,
        Permission::EditPackage,
        Permission::EditLeadManager,
        Permission::RegisterPackage,
        Permission::RefreshLicenses,
        Permission::ReadPackageVersions,
        Permission::ReadLeads,
        Permission::EditLead,
        Permission::ConvertLead,
    ];

    /// Completes "... can't {}".
    pub fn describe(self) -> &'static str {
        match self {
            Permission::ReadLicenses => "view licenses",
            Permission::ModifyLicense => "modify licenses",
            Permission::ReadPackages => "view packages",
            Permission::EditPackage => "edit packages",
            Permission::EditLeadManager => "change a package's Lead Manager",
            Permission::RegisterPackage => "register packages with the License Management App",
            Permission::RefreshLicenses => "refresh licenses",
            Permission::ReadPackageVersions => "view package versions",
            Permission::ReadLeads => "view leads",
            Permission::EditLead => "edit leads",
            Permission::ConvertLead => "convert leads",
        }
    }
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::SystemAdministrator,
        Profile::LicenseManager,
        Profile::SalesRep,
        Profile::ReadOnly,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Profile::SystemAdministrator => "System Administrator",
            Profile::LicenseManager => "License Manager",
            Profile::SalesRep => "Sales Rep",
            Profile::ReadOnly => "Read Only",
        }
    }

    /// The SPEC's permission table, one row per profile.
    pub fn allows(self, action: Permission) -> bool {
        use Permission::*;
        match self {
            Profile::SystemAdministrator => true,
            Profile::LicenseManager => matches!(
                action,
                ReadLicenses
                    | ModifyLicense
                    | ReadPackages
                    | EditLeadManager
                    | RefreshLicenses
                    | ReadPackageVersions
                    | ReadLeads
                    | ConvertLead
            ),
            Profile::SalesRep => matches!(
                action,
                ReadLicenses
                    | ReadPackages
                    | ReadPackageVersions
                    | ReadLeads
                    | EditLead
                    | ConvertLead
            ),
            Profile::ReadOnly => {
                matches!(
                    action,
                    ReadLicenses | ReadPackages | ReadPackageVersions | ReadLeads
                )
            }
        }
    }

    pub fn allowed_to(action: Permission) -> Vec<Profile> {
        Profile::ALL
            .into_iter()
            .filter(|p| p.allows(action))
            .collect()
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: SfId,
    pub name: String,
    pub email: String,
    pub profile: Profile,
    pub active: bool,
}

impl User {
    pub fn id(&self) -> &SfId {
        &self.id
    }

    /// Can this user receive leads as a package's Lead Manager? The LMA asks
    /// for an active user who can read and edit licenses.
    pub fn can_be_lead_manager(&self) -> bool {
        self.active && self.profile.allows(Permission::ModifyLicense)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PermissionError {
    #[error("The {profile} profile can't {}. Ask a user with the {} profile to do it.", action.describe(), who_can(*action))]
    Denied {
        profile: Profile,
        action: Permission,
    },
    #[error("{name} is an inactive user and can't {}. Switch to an active user, or ask a System Administrator to reactivate {name}.", action.describe())]
    Inactive { name: String, action: Permission },
}

impl PermissionError {
    pub fn field(&self) -> Field {
        Field::Form
    }
}

fn who_can(action: Permission) -> String {
    let labels: Vec<&str> = Profile::allowed_to(action)
        .into_iter()
        .map(Profile::label)
        .collect();
    match labels.as_slice() {
        [] => "no".to_string(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

pub fn authorize(user: &User, action: Permission) -> Result<(), PermissionError> {
    if !user.active {
        return Err(PermissionError::Inactive {
            name: user.name.clone(),
            action,
        });
    }
    if !user.profile.allows(action) {
        return Err(PermissionError::Denied {
            profile: user.profile,
            action,
        });
    }
    Ok(())
}

/// One active user per profile, plus an inactive License Manager (to show
/// what happens when an inactive user is the Lead Manager). IDs are fixed so
/// a demo and its saved data agree across reloads.
pub fn seed_users() -> Vec<User> {
    let user = |seq: u64, name: &str, email: &str, profile: Profile, active: bool| User {
        id: SfId::generate(KeyPrefix::User, seq),
        name: name.to_string(),
        email: email.to_string(),
        profile,
        active,
    };
    vec![
        user(
            1,
            "Alex Morgan",
            "alex.morgan@example.com",
            Profile::SystemAdministrator,
            true,
        ),
        user(
            2,
            "Jordan Lee",
            "jordan.lee@example.com",
            Profile::LicenseManager,
            true,
        ),
        user(
            3,
            "Priya Shah",
            "priya.shah@example.com",
            Profile::SalesRep,
            true,
        ),
        user(
            4,
            "Chris Park",
            "chris.park@example.com",
            Profile::ReadOnly,
            true,
        ),
        user(
            5,
            "Dana Whitfield",
            "dana.whitfield@example.com",
            Profile::LicenseManager,
            false,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    fn allowed(profile: Profile) -> Vec<Permission> {
        Permission::ALL
            .into_iter()
            .filter(|a| profile.allows(*a))
            .collect()
    }

    #[test]
    fn permission_table_matches_the_spec() {
        assert_eq!(
            allowed(Profile::SystemAdministrator),
            Permission::ALL.to_vec()
        );
        assert_eq!(
            allowed(Profile::LicenseManager),
            vec![
                ReadLicenses,
                ModifyLicense,
                ReadPackages,
                EditLeadManager,
                RefreshLicenses,
                ReadPackageVersions,
                ReadLeads,
                ConvertLead
            ]
        );
        assert_eq!(
            allowed(Profile::SalesRep),
            vec![
                ReadLicenses,
                ReadPackages,
                ReadPackageVersions,
                ReadLeads,
                EditLead,
                ConvertLead
            ]
        );
        assert_eq!(
            allowed(Profile::ReadOnly),
            vec![ReadLicenses, ReadPackages, ReadPackageVersions, ReadLeads]
        );
    }

    #[test]
    fn denial_names_the_profile_and_who_can() {
        let users = seed_users();
        let sales = users
            .iter()
            .find(|u| u.profile == Profile::SalesRep)
            .unwrap();
        let err = authorize(sales, ModifyLicense).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The Sales Rep profile can't modify licenses. Ask a user with the System Administrator or License Manager profile to do it."
        );
        assert!(authorize(sales, ConvertLead).is_ok());
    }

    #[test]
    fn inactive_users_are_refused_everything() {
        let users = seed_users();
        let inactive = users.iter().find(|u| !u.active).unwrap();
        assert!(inactive.profile.allows(ReadLicenses));
        let err = authorize(inactive, ReadLicenses).unwrap_err();
        assert!(matches!(err, PermissionError::Inactive { .. }));
        assert!(err.to_string().contains("Dana Whitfield"));
        assert!(!inactive.can_be_lead_manager());
    }

    #[test]
    fn seed_has_one_active_user_per_profile_with_distinct_ids() {
        let users = seed_users();
        for profile in Profile::ALL {
            assert_eq!(
                users
                    .iter()
                    .filter(|u| u.active && u.profile == profile)
                    .count(),
                1
            );
        }
        let mut ids: Vec<_> = users.iter().map(|u| u.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), users.len());
        assert!(users.iter().all(|u| u.id.prefix() == "005"));
    }

    #[test]
    fn only_license_editors_can_be_lead_managers() {
        let users = seed_users();
        let eligible: Vec<_> = users
            .iter()
            .filter(|u| u.can_be_lead_manager())
            .map(|u| u.profile)
            .collect();
        assert_eq!(
            eligible,
            vec![Profile::SystemAdministrator, Profile::LicenseManager]
        );
    }
}
