//! Packages and their versions, as the LMA receives them from AppExchange.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::dates::{parse_date, DateError};
use super::ids::{IdError, KeyPrefix, SfId};
use super::registration::Registration;
use super::stamp::Stamp;
use super::user::{authorize, Permission, PermissionError, User};
use super::version::{VersionError, VersionNumber};
use super::Field;

pub const MAX_PACKAGE_NAME_CHARS: usize = 80;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PackageNameError {
    #[error("Enter a Package Name.")]
    Empty,
    #[error("Package Name can have at most {MAX_PACKAGE_NAME_CHARS} characters; this one has {len}. Shorten it.")]
    TooLong { len: usize },
}

/// Package Name: required, at most 80 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PackageName(String);

impl PackageName {
    pub fn parse(input: &str) -> Result<PackageName, PackageNameError> {
        let s = input.trim();
        let len = s.chars().count();
        if len == 0 {
            Err(PackageNameError::Empty)
        } else if len > MAX_PACKAGE_NAME_CHARS {
            Err(PackageNameError::TooLong { len })
        } else {
            Ok(PackageName(s.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PackageName {
    type Error = PackageNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        PackageName::parse(&value)
    }
}

impl From<PackageName> for String {
    fn from(value: PackageName) -> Self {
        value.0
    }
}

impl fmt::Display for PackageName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The package's record ID is its Package ID (`033`): the LMA shows one
/// 18-character ID per package, and a second key would only drift from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub id: SfId,
    pub name: PackageName,
    /// Name of the org the package was developed in.
    pub developer_name: String,
    pub developer_org_id: SfId,
    /// Owner of the leads installs create; `None` means the License
    /// Management App owns them.
    pub lead_manager: Option<SfId>,
    pub release_date: NaiveDate,
    /// Set once, when the package is linked with the LMA.
    pub registration: Option<Registration>,
    pub last_refresh: Option<NaiveDateTime>,
    pub created: Stamp,
    pub last_modified: Stamp,
}

/// The values an import row or demo seed gives for a new package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageDraft {
    pub name: String,
    pub package_id: String,
    pub developer_name: String,
    pub developer_org_id: String,
    pub release_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PackageError {
    #[error(transparent)]
    Name(#[from] PackageNameError),
    #[error("Package ID: {0}")]
    PackageId(IdError),
    #[error("Developer Org ID: {0}")]
    DeveloperOrgId(IdError),
    #[error("Enter the Developer Name: the name of the org the package was developed in.")]
    DeveloperNameMissing,
    #[error("Release Date: {0}")]
    ReleaseDate(DateError),
}

impl PackageError {
    pub fn field(&self) -> Field {
        match self {
            PackageError::Name(_) => Field::PackageName,
            PackageError::PackageId(_) => Field::PackageId,
            PackageError::DeveloperOrgId(_) => Field::DeveloperOrgId,
            PackageError::DeveloperNameMissing => Field::DeveloperName,
            PackageError::ReleaseDate(_) => Field::Form,
        }
    }
}

impl Package {
    pub fn id(&self) -> &SfId {
        &self.id
    }

    /// Package ID, the same value as `id`.
    pub fn package_id(&self) -> &SfId {
        &self.id
    }

    pub fn is_registered(&self) -> bool {
        self.registration.is_some()
    }

    /// Packages are created by the system (import, demo seed), never by a
    /// user, so the creator is the License Management App.
    pub fn from_draft(draft: &PackageDraft, now: NaiveDateTime) -> Result<Package, PackageError> {
        // Every package is developed in a named org; the LMA shows it.
        if draft.developer_name.trim().is_empty() {
            return Err(PackageError::DeveloperNameMissing);
        }
        Ok(Package {
            id: SfId::parse_with_prefix(&draft.package_id, KeyPrefix::Package)
                .map_err(PackageError::PackageId)?,
            name: PackageName::parse(&draft.name)?,
            developer_name: draft.developer_name.trim().to_string(),
            developer_org_id: SfId::parse_with_prefix(&draft.developer_org_id, KeyPrefix::Org)
                .map_err(PackageError::DeveloperOrgId)?,
            lead_manager: None,
            release_date: parse_date(&draft.release_date).map_err(PackageError::ReleaseDate)?,
            registration: None,
            last_refresh: None,
            created: Stamp::system(now),
            last_modified: Stamp::system(now),
        })
    }

    /// Sets or clears the Lead Manager. The new manager must be an active
    /// user who can read and edit licenses: leads assigned to anyone else
    /// would make installs fail.
    pub fn edit_lead_manager(
        &self,
        new_manager: Option<&User>,
        actor: &User,
        now: NaiveDateTime,
    ) -> Result<Package, LeadManagerError> {
        authorize(actor, Permission::EditLeadManager)?;
        if let Some(user) = new_manager {
            if !user.active {
                return Err(LeadManagerError::Inactive {
                    name: user.name.clone(),
                });
            }
            if !user.can_be_lead_manager() {
                return Err(LeadManagerError::CannotEditLicenses {
                    name: user.name.clone(),
                    profile: user.profile.label(),
                });
            }
        }
        let mut updated = self.clone();
        updated.lead_manager = new_manager.map(|u| u.id.clone());
        updated.last_modified = Stamp::user(&actor.id, now);
        Ok(updated)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LeadManagerError {
    #[error(transparent)]
    Permission(#[from] PermissionError),
    #[error("{name} is an inactive user, and installs would fail to create leads and licenses for an inactive Lead Manager. Choose an active user with the System Administrator or License Manager profile.")]
    Inactive { name: String },
    #[error("{name} has the {profile} profile, which can't read and edit licenses. Choose a user with the System Administrator or License Manager profile.")]
    CannotEditLicenses { name: String, profile: &'static str },
}

impl LeadManagerError {
    pub fn field(&self) -> Field {
        match self {
            LeadManagerError::Permission(_) => Field::Form,
            _ => Field::LeadManager,
        }
    }
}

/// A Package Version; read-only for every user. Its record ID is its
/// Version ID (`04t`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageVersion {
    pub id: SfId,
    /// The parent package's Package ID (`033`).
    pub package_id: SfId,
    pub name: String,
    pub version: VersionNumber,
    pub beta: bool,
    pub release_date: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageVersionDraft {
    pub version_id: String,
    pub package_id: String,
    pub name: String,
    pub version: String,
    pub beta: bool,
    pub release_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PackageVersionError {
    #[error("Version ID: {0}")]
    VersionId(IdError),
    #[error("Package ID: {0}")]
    PackageId(IdError),
    #[error("Enter a Package Version Name.")]
    NameEmpty,
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error("Release Date: {0}")]
    ReleaseDate(DateError),
    #[error("{package} already has a version {version}; every upload needs a new version number.")]
    VersionTaken {
        package: String,
        version: VersionNumber,
    },
    #[error("{version} is older than {highest}, the highest version of {package}; a new upload needs a higher version number.")]
    VersionNotHigher {
        package: String,
        version: VersionNumber,
        highest: VersionNumber,
    },
}

impl PackageVersionError {
    pub fn field(&self) -> Field {
        match self {
            PackageVersionError::VersionId(_) => Field::VersionId,
            PackageVersionError::PackageId(_) => Field::PackageId,
            PackageVersionError::NameEmpty => Field::Form,
            PackageVersionError::Version(_)
            | PackageVersionError::VersionTaken { .. }
            | PackageVersionError::VersionNotHigher { .. } => Field::Version,
            PackageVersionError::ReleaseDate(_) => Field::Form,
        }
    }
}

impl TryFrom<&PackageVersionDraft> for PackageVersion {
    type Error = PackageVersionError;
    fn try_from(draft: &PackageVersionDraft) -> Result<Self, Self::Error> {
        let name = draft.name.trim();
        if name.is_empty() {
            return Err(PackageVersionError::NameEmpty);
        }
        Ok(PackageVersion {
            id: SfId::parse_with_prefix(&draft.version_id, KeyPrefix::PackageVersion)
                .map_err(PackageVersionError::VersionId)?,
            package_id: SfId::parse_with_prefix(&draft.package_id, KeyPrefix::Package)
                .map_err(PackageVersionError::PackageId)?,
            name: name.to_string(),
            version: VersionNumber::parse(&draft.version)?,
            beta: draft.beta,
            release_date: parse_date(&draft.release_date)
                .map_err(PackageVersionError::ReleaseDate)?,
        })
    }
}

impl PackageVersion {
    pub fn id(&self) -> &SfId {
        &self.id
    }

    /// A new upload of `package`: its version number must be new, and
    /// higher than every version of the package uploaded before.
    /// `existing` may hold other packages' versions; they don't count.
    pub fn check_new(
        &self,
        package: &Package,
        existing: &[PackageVersion],
    ) -> Result<(), PackageVersionError> {
        let mine = existing.iter().filter(|v| v.package_id == package.id);
        if mine.clone().any(|v| v.version == self.version) {
            return Err(PackageVersionError::VersionTaken {
                package: package.name.to_string(),
                version: self.version,
            });
        }
        match mine.map(|v| v.version).max() {
            Some(highest) if self.version < highest => Err(PackageVersionError::VersionNotHigher {
                package: package.name.to_string(),
                version: self.version,
                highest,
            }),
            _ => Ok(()),
        }
    }
}

/// Latest Version: the highest released version. Betas don't count: a beta
/// is a test build that can't be installed in production orgs or upgraded
/// from, so showing it as "latest" would point sales at a build customers
/// can't get. Pass one package's versions.
pub fn latest_version(versions: &[PackageVersion]) -> Option<&PackageVersion> {
    versions.iter().filter(|v| !v.beta).max_by(|a, b| {
        a.version
            .cmp(&b.version)
            .then(a.release_date.cmp(&b.release_date))
    })
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::domain::license::fixtures::{at, date};

    pub fn package() -> Package {
        Package::from_draft(
            &PackageDraft {
                name: "Invoice Pro".into(),
                package_id: SfId::generate(KeyPrefix::Package, 1).to18().into(),
                developer_name: "Invoice Pro Dev".into(),
                developer_org_id: SfId::generate(KeyPrefix::Org, 1).to15().into(),
                release_date: "2024-11-01".into(),
            },
            at(2025, 1, 1, 8, 0, 0),
        )
        .unwrap()
    }

    pub fn version(seq: u64, v: &str, beta: bool) -> PackageVersion {
        PackageVersion {
            id: SfId::generate(KeyPrefix::PackageVersion, seq),
            package_id: SfId::generate(KeyPrefix::Package, 1),
            name: format!("Invoice Pro {v}"),
            version: VersionNumber::parse(v).unwrap(),
            beta,
            release_date: date(2024, 11, 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::domain::license::fixtures::at;
    use crate::domain::user::{seed_users, Profile};
    use proptest::prelude::*;

    #[test]
    fn package_name_is_required_and_at_most_80_chars() {
        assert!(PackageName::parse(&"x".repeat(80)).is_ok());
        assert_eq!(
            PackageName::parse(&"é".repeat(81)),
            Err(PackageNameError::TooLong { len: 81 })
        );
        assert_eq!(PackageName::parse("  "), Err(PackageNameError::Empty));
        assert!(serde_json::from_str::<PackageName>("\"\"").is_err());
    }

    #[test]
    fn developer_name_is_required() {
        let mut draft = PackageDraft {
            name: "Invoice Pro".into(),
            package_id: SfId::generate(KeyPrefix::Package, 1).to18().into(),
            developer_name: " ".into(),
            developer_org_id: SfId::generate(KeyPrefix::Org, 1).to18().into(),
            release_date: "2024-11-01".into(),
        };
        let err = Package::from_draft(&draft, at(2025, 1, 1, 0, 0, 0)).unwrap_err();
        assert_eq!(err, PackageError::DeveloperNameMissing);
        assert_eq!(err.field(), Field::DeveloperName);
        draft.developer_name = "D".into();
        assert!(Package::from_draft(&draft, at(2025, 1, 1, 0, 0, 0)).is_ok());
    }

    #[test]
    fn a_new_version_number_is_unique_and_higher_than_every_upload() {
        let p = package();
        let uploaded = [version(1, "1.0.0", false), version(2, "1.10.0", false)];
        let new = |seq: u64, v: &str| version(seq, v, false);
        // Just above the highest: accepted; equal or below: refused.
        assert!(new(3, "1.10.1").check_new(&p, &uploaded).is_ok());
        assert!(new(3, "1.11.0").check_new(&p, &uploaded).is_ok());
        let taken = new(3, "1.10.0").check_new(&p, &uploaded).unwrap_err();
        assert!(matches!(taken, PackageVersionError::VersionTaken { .. }));
        assert_eq!(taken.field(), Field::Version);
        let lower = new(3, "1.9.9").check_new(&p, &uploaded).unwrap_err();
        assert!(matches!(
            lower,
            PackageVersionError::VersionNotHigher { .. }
        ));
        assert_eq!(lower.field(), Field::Version);
        // The first upload and other packages' versions set no bar.
        assert!(new(3, "0.0.1").check_new(&p, &[]).is_ok());
        let mut other = version(4, "9.0.0", false);
        other.package_id = SfId::generate(KeyPrefix::Package, 99);
        assert!(new(3, "1.11.0").check_new(&p, &[other]).is_ok());
    }

    #[test]
    fn package_ids_need_their_prefixes() {
        let mut draft = PackageDraft {
            name: "Invoice Pro".into(),
            package_id: SfId::generate(KeyPrefix::Org, 1).to18().into(),
            developer_name: "Dev".into(),
            developer_org_id: SfId::generate(KeyPrefix::Org, 1).to18().into(),
            release_date: "2024-11-01".into(),
        };
        let err = Package::from_draft(&draft, at(2025, 1, 1, 0, 0, 0)).unwrap_err();
        assert_eq!(err.field(), Field::PackageId);
        draft.package_id = SfId::generate(KeyPrefix::Package, 1).to18().into();
        draft.developer_org_id = draft.package_id.clone();
        let err = Package::from_draft(&draft, at(2025, 1, 1, 0, 0, 0)).unwrap_err();
        assert_eq!(err.field(), Field::DeveloperOrgId);
    }

    #[test]
    fn latest_version_is_numeric_and_skips_betas() {
        let versions = vec![
            version(1, "1.9.2", false),
            version(2, "1.10.0", false),
            version(3, "2.0.0", true),
        ];
        assert_eq!(
            latest_version(&versions).unwrap().version.to_string(),
            "1.10.0"
        );
        assert!(latest_version(&[version(3, "2.0.0", true)]).is_none());
        assert!(latest_version(&[]).is_none());
    }

    #[test]
    fn lead_manager_must_be_active_and_able_to_edit_licenses() {
        let users = seed_users();
        let by = |p: Profile| users.iter().find(|u| u.active && u.profile == p).unwrap();
        let admin = by(Profile::SystemAdministrator);
        let manager = by(Profile::LicenseManager);
        let inactive = users.iter().find(|u| !u.active).unwrap();
        let p = package();
        let now = at(2025, 2, 1, 9, 0, 0);

        let updated = p.edit_lead_manager(Some(manager), manager, now).unwrap();
        assert_eq!(updated.lead_manager.as_ref(), Some(&manager.id));
        assert_eq!(updated.last_modified, Stamp::user(&manager.id, now));

        let err = p.edit_lead_manager(Some(inactive), admin, now).unwrap_err();
        assert!(matches!(err, LeadManagerError::Inactive { .. }));
        assert_eq!(err.field(), Field::LeadManager);
        let err = p
            .edit_lead_manager(Some(by(Profile::SalesRep)), admin, now)
            .unwrap_err();
        assert!(matches!(err, LeadManagerError::CannotEditLicenses { .. }));
        let err = p
            .edit_lead_manager(None, by(Profile::SalesRep), now)
            .unwrap_err();
        assert!(matches!(err, LeadManagerError::Permission(_)));
        assert_eq!(
            p.edit_lead_manager(None, admin, now).unwrap().lead_manager,
            None
        );
    }

    proptest! {
        #[test]
        fn drafts_never_panic(
            name in "\\PC*", package_id in "\\PC*", org in "\\PC*", date in "\\PC*",
            version_text in "\\PC*", beta in any::<bool>(),
        ) {
            let now = at(2025, 1, 1, 0, 0, 0);
            let _ = Package::from_draft(&PackageDraft {
                name: name.clone(), package_id: package_id.clone(), developer_name: name.clone(),
                developer_org_id: org.clone(), release_date: date.clone(),
            }, now);
            let _ = PackageVersion::try_from(&PackageVersionDraft {
                version_id: org, package_id, name, version: version_text, beta, release_date: date,
            });
        }
    }
}
