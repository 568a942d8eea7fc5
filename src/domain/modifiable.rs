//! Why a license can't be modified at all, whatever values are typed: the
//! user's profile, an Uninstalled license, a locked subscriber org. Pages ask
//! this before offering Modify License; the Modify workflow asks it first.

use super::license::License;
use super::modify::ModifyLicenseError;
use super::user::{authorize, Permission, User};

/// `Ok` when `actor` may open Modify License on `license`; otherwise the
/// refusal (its field is always [`super::Field::Form`]), as a save would get it.
pub fn check_modifiable(license: &License, actor: &User) -> Result<(), ModifyLicenseError> {
    authorize(actor, Permission::ModifyLicense)?;
    if license.is_read_only() {
        return Err(ModifyLicenseError::Uninstalled);
    }
    if license.org_status.is_locked() {
        return Err(ModifyLicenseError::OrgLocked {
            org_status: license.org_status,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::license::fixtures::license;
    use crate::domain::user::{seed_users, PermissionError, Profile};
    use crate::domain::{Field, LicenseStatus, OrgStatus};

    fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == profile)
            .unwrap()
    }

    #[test]
    fn an_active_license_of_an_active_org_is_modifiable() {
        assert_eq!(
            check_modifiable(&license(), &user(Profile::LicenseManager)),
            Ok(())
        );
        assert_eq!(
            check_modifiable(&license(), &user(Profile::SystemAdministrator)),
            Ok(())
        );
    }

    #[test]
    fn an_uninstalled_license_is_not() {
        let mut l = license();
        l.status = LicenseStatus::Uninstalled;
        let err = check_modifiable(&l, &user(Profile::LicenseManager)).unwrap_err();
        assert_eq!(err, ModifyLicenseError::Uninstalled);
        assert_eq!(err.field(), Field::Form);
    }

    #[test]
    fn a_suspended_or_deleted_org_locks_its_license() {
        for org_status in [OrgStatus::Suspended, OrgStatus::Deleted] {
            let mut l = license();
            l.org_status = org_status;
            let err = check_modifiable(&l, &user(Profile::LicenseManager)).unwrap_err();
            assert_eq!(err, ModifyLicenseError::OrgLocked { org_status });
            assert!(err.to_string().contains("proxy user has deactivated"));
        }
    }

    #[test]
    fn every_org_status_but_suspended_and_deleted_is_modifiable() {
        for org_status in [OrgStatus::Active, OrgStatus::Trial, OrgStatus::Free] {
            let mut l = license();
            l.org_status = org_status;
            assert_eq!(check_modifiable(&l, &user(Profile::LicenseManager)), Ok(()));
        }
    }

    #[test]
    fn a_profile_without_modify_permission_is_refused_first() {
        // Even on an Uninstalled license, the profile is what the user hears.
        let mut l = license();
        l.status = LicenseStatus::Uninstalled;
        for profile in [Profile::SalesRep, Profile::ReadOnly] {
            let err = check_modifiable(&l, &user(profile)).unwrap_err();
            assert_eq!(
                err,
                ModifyLicenseError::Permission(PermissionError::Denied {
                    profile,
                    action: Permission::ModifyLicense
                })
            );
            assert_eq!(err.field(), Field::Form);
        }
    }

    #[test]
    fn an_inactive_user_is_refused() {
        let inactive = seed_users().into_iter().find(|u| !u.active).unwrap();
        assert!(matches!(
            check_modifiable(&license(), &inactive),
            Err(ModifyLicenseError::Permission(
                PermissionError::Inactive { .. }
            ))
        ));
    }
}
