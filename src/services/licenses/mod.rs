//! Licenses: the Modify License workflow (`modify.rs`), Bulk Modify License
//! (`bulk.rs`), the license page's
//! loader (`detail.rs`, with the linked records of `related.rs`) and the
//! license list model (`list.rs`, its first read at start-up in `first_read.rs`) and its list views (`views.rs`). Windowed rendering of the list is the
//! table component's (`components/table_window.rs`).

mod bulk;
mod detail;
mod first_read;
mod list;
mod live;
mod modify;
mod related;
mod selection;
mod views;

pub use bulk::*;
pub use detail::*;
pub use first_read::*;
pub use list::*;
pub use live::*;
pub use modify::*;
pub use selection::*;
pub use views::*;

#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::{NaiveDate, NaiveDateTime};

    use crate::domain::{
        seed_users, Expiration, HistoryEntry, KeyPrefix, License, LicenseName, LicenseStatus,
        LicenseType, ModifyLicenseDraft, OrgStatus, Package, PackageName, Profile, Seats, SfId,
        Stamp, User, VersionNumber,
    };
    use crate::storage::{MemoryRepository, Repository, Stored};
    use futures::executor::block_on;

    pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    pub fn today() -> NaiveDate {
        date(2025, 3, 1)
    }

    pub fn now() -> NaiveDateTime {
        today().and_hms_opt(10, 30, 0).unwrap()
    }

    pub fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == profile)
            .unwrap()
    }

    pub fn license(n: u64) -> License {
        let at = date(2025, 1, 15).and_hms_opt(9, 0, 0).unwrap();
        License {
            id: SfId::generate(KeyPrefix::License, n),
            name: LicenseName::from_number(n),
            status: LicenseStatus::Active,
            ever_active: true,
            seats: Seats::count(10).unwrap(),
            used_licenses: Some(4),
            expiration: Expiration::Date(date(2025, 12, 31)),
            install_date: date(2025, 1, 15),
            information_current_as_of: at,
            instance: "NA45".into(),
            org_edition: "Enterprise".into(),
            org_status: OrgStatus::Active,
            org_expiration_date: None,
            sandbox: false,
            subscriber_org_id: SfId::generate(KeyPrefix::Org, 1000 + n),
            package_id: SfId::generate(KeyPrefix::Package, 1),
            package_version_id: SfId::generate(KeyPrefix::PackageVersion, 1),
            version_number: VersionNumber::new(1, 0, 0),
            lead_id: Some(SfId::generate(KeyPrefix::Lead, n)),
            lead_name: format!("Lead {n}"),
            account_id: None,
            contact_id: None,
            license_type: LicenseType::Editable,
            created: Stamp::system(at),
            last_modified: Stamp::system(at),
        }
    }

    /// Package 1 (the fixture licenses' package), named `name`.
    pub fn package(name: &str) -> Package {
        Package {
            id: SfId::generate(KeyPrefix::Package, 1),
            name: PackageName::parse(name).unwrap(),
            developer_name: "Acme Dev".into(),
            developer_org_id: SfId::generate(KeyPrefix::Org, 1),
            lead_manager: None,
            release_date: date(2024, 1, 1),
            registration: None,
            last_refresh: None,
            created: Stamp::system(now()),
            last_modified: Stamp::system(now()),
        }
    }

    pub fn draft(expiration: &str, seats: &str, status: &str) -> ModifyLicenseDraft {
        ModifyLicenseDraft {
            expiration_date: expiration.into(),
            does_not_expire: false,
            seats: seats.into(),
            site_license: false,
            status: status.into(),
        }
    }

    pub fn stored_license(repo: &MemoryRepository, id: &SfId) -> Stored<License> {
        block_on(repo.get::<License>(id.to18())).unwrap().unwrap()
    }

    pub fn history_count(repo: &MemoryRepository) -> usize {
        block_on(repo.get_all::<HistoryEntry>()).unwrap().len()
    }

    pub fn repo_with(license: &License) -> MemoryRepository {
        let repo = MemoryRepository::new();
        block_on(repo.create(license.clone())).unwrap();
        repo
    }
}
