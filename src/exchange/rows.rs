//! One CSV row to one domain record, through the domain's parsers and
//! constructors. Lookups are parsed here (a malformed ID is this row's
//! error) and resolved later by the plan, once every file has been read:
//! files come in any order.

use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::domain::{
    import_bool, import_date, import_expiration, import_id, import_lead_status,
    import_license_name, import_license_status, import_license_type, import_optional_date,
    import_optional_id, import_org_edition, import_org_status, import_required_text, import_seats,
    import_used_licenses, import_version_number, Account, Contact, ConvertedTo, ImportRowError,
    ImportValueError, KeyPrefix, Lead, LeadOwner, LeadStatus, License, LicenseName, LicenseStatus,
    Package, PackageDraft, PackageError, PackageVersion, PackageVersionDraft, PackageVersionError,
    SfId, Stamp, LEAD_SOURCE_PACKAGE_INSTALLATION,
};

use super::columns::{ColumnMap, ObjectKind};

// Field positions, in the order of the column lists in `columns.rs`.
pub(crate) mod pkg {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const PACKAGE_ID: usize = 2;
    pub const DEVELOPER_NAME: usize = 3;
    pub const DEVELOPER_ORG_ID: usize = 4;
    pub const LEAD_MANAGER: usize = 6;
    pub const RELEASE_DATE: usize = 7;
}
pub(crate) mod ver {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const PACKAGE: usize = 2;
    pub const VERSION: usize = 3;
    pub const VERSION_ID: usize = 4;
    pub const BETA: usize = 5;
    pub const RELEASE_DATE: usize = 6;
}
pub(crate) mod con {
    pub const ID: usize = 0;
    pub const FIRST: usize = 1;
    pub const LAST: usize = 2;
    pub const EMAIL: usize = 3;
    pub const ACCOUNT: usize = 4;
}
pub(crate) mod lead {
    pub const ID: usize = 0;
    pub const FIRST: usize = 1;
    pub const LAST: usize = 2;
    pub const COMPANY: usize = 3;
    pub const EMAIL: usize = 4;
    pub const SOURCE: usize = 5;
    pub const STATUS: usize = 6;
    pub const CONVERTED: usize = 7;
    pub const ACCOUNT: usize = 8;
    pub const CONTACT: usize = 9;
}
pub(crate) mod lic {
    pub const ID: usize = 0;
    pub const NAME: usize = 1;
    pub const STATUS: usize = 2;
    pub const SEATS: usize = 3;
    pub const USED: usize = 4;
    pub const EXPIRATION: usize = 5;
    pub const INSTALL_DATE: usize = 6;
    pub const INSTANCE: usize = 7;
    pub const EDITION: usize = 8;
    pub const ORG_STATUS: usize = 9;
    pub const ORG_EXPIRATION: usize = 10;
    pub const SANDBOX: usize = 11;
    pub const ORG_ID: usize = 12;
    pub const VERSION: usize = 13;
    pub const VERSION_NUMBER: usize = 14;
    pub const LEAD: usize = 15;
    pub const ACCOUNT: usize = 16;
    pub const CONTACT: usize = 17;
    pub const LICENSE_TYPE: usize = 18;
    pub const PACKAGE: usize = 19;
    pub const COUNT: usize = 20;
}

/// A lookup as the file gives it, with the column to blame if it resolves
/// nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub id: SfId,
    /// Shared with the file's column map: no copy per row.
    pub column: Arc<str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PackageRow {
    /// The org's record Id when it differs from the Package ID: versions and
    /// licenses of an LMA export point at it.
    pub alias: Option<SfId>,
    pub package: Package,
    /// `None` when the file has no Lead Manager column (keep the desk's).
    pub lead_manager: Option<Option<Ref>>,
    pub has_developer_name: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VersionRow {
    pub alias: Option<SfId>,
    /// Its `package_id` is set once `package` is resolved.
    pub version: PackageVersion,
    pub package: Ref,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    /// Its `account_id` is the file's, resolved by the plan.
    pub contact: Contact,
    pub account: Ref,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeadRow {
    /// Package, owner and conversion are set by the plan.
    pub lead: Lead,
    pub status: Option<LeadStatus>,
    pub lead_source: Option<String>,
    pub converted: Option<(Ref, Ref)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LicenseRow {
    /// Package, lead name and the lookups are set by the plan.
    pub license: License,
    pub version: Ref,
    pub package: Option<Ref>,
    pub lead: Option<Ref>,
    pub account: Option<Ref>,
    pub contact: Option<Ref>,
    /// Which fields the file has; an absent one keeps the desk's value.
    pub present: [bool; lic::COUNT],
}

#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Package(PackageRow),
    Version(VersionRow),
    Account(Account),
    Contact(ContactRow),
    Lead(LeadRow),
    License(Box<LicenseRow>),
}

impl Parsed {
    /// The record's key, for duplicate checks.
    pub fn id(&self) -> &SfId {
        match self {
            Parsed::Package(p) => &p.package.id,
            Parsed::Version(v) => &v.version.id,
            Parsed::Account(a) => &a.id,
            Parsed::Contact(c) => &c.contact.id,
            Parsed::Lead(l) => &l.lead.id,
            Parsed::License(l) => &l.license.id,
        }
    }
}

/// Reads the cells of one row, collecting every refused value.
struct Cells<'a> {
    map: &'a ColumnMap,
    cells: &'a [&'a str],
    errors: Vec<ImportRowError>,
}

impl<'a> Cells<'a> {
    fn raw(&self, field: usize) -> (&'a str, &'a str) {
        self.map.get(self.cells, field)
    }

    /// The column of `field` as a lookup keeps it.
    fn column(&self, field: usize) -> Arc<str> {
        match self.map.find(self.cells, field).1 {
            Some(name) => Arc::clone(name),
            None => Arc::from(self.raw(field).1),
        }
    }

    fn text(&self, field: usize) -> String {
        self.raw(field).0.trim().to_string()
    }

    fn take<T, E: Into<ImportValueError>>(
        &mut self,
        field: usize,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let (value, column) = self.raw(field);
        match parse(value) {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(ImportRowError::new(column, e));
                None
            }
        }
    }

    fn lookup(&mut self, field: usize, prefix: Option<KeyPrefix>) -> Option<Option<Ref>> {
        let id = self.take(field, |v| import_optional_id(v, prefix))?;
        Some(id.map(|id| Ref {
            id,
            column: self.column(field),
        }))
    }

    fn required_lookup(&mut self, field: usize, prefix: Option<KeyPrefix>) -> Option<Ref> {
        let id = self.take(field, |v| import_id(v, prefix))?;
        Some(Ref {
            id,
            column: self.column(field),
        })
    }

    fn fail(&mut self, field: usize, error: impl Into<ImportValueError>) {
        let column = self.raw(field).1;
        self.errors.push(ImportRowError::new(column, error));
    }
}

/// A placeholder ID for a lookup the plan fills in.
fn unresolved(prefix: KeyPrefix) -> SfId {
    SfId::generate(prefix, 0)
}

/// Builds the record of `cells`, or every reason it can't be one.
pub fn parse_row(
    map: &ColumnMap,
    cells: &[&str],
    actor: &SfId,
    now: NaiveDateTime,
) -> Result<Parsed, Vec<ImportRowError>> {
    let mut c = Cells {
        map,
        cells,
        errors: Vec::new(),
    };
    let parsed = match map.kind {
        ObjectKind::Package => package(&mut c, now).map(Parsed::Package),
        ObjectKind::PackageVersion => version(&mut c).map(Parsed::Version),
        ObjectKind::Account => account(&mut c, now).map(Parsed::Account),
        ObjectKind::Contact => contact(&mut c, now).map(Parsed::Contact),
        ObjectKind::Lead => lead_row(&mut c, actor, now).map(Parsed::Lead),
        ObjectKind::License => license(&mut c, now).map(|l| Parsed::License(Box::new(l))),
    };
    match parsed {
        Some(p) if c.errors.is_empty() => Ok(p),
        _ => {
            if c.errors.is_empty() {
                // Every None above comes with an error; this is a safety net.
                c.errors.push(ImportRowError::new(
                    "Id",
                    ImportValueError::Required { label: "Id" },
                ));
            }
            Err(c.errors)
        }
    }
}

/// The lead (if any) and the package version a license row names, for a
/// row [`parse_row`] accepts: the plan learns the leads' packages from them
/// before it builds any license.
pub fn license_lead_and_version(map: &ColumnMap, cells: &[&str]) -> Option<(Option<SfId>, SfId)> {
    let mut c = Cells {
        map,
        cells,
        errors: Vec::new(),
    };
    let lead = c.lookup(lic::LEAD, Some(KeyPrefix::Lead))?;
    let version = c.required_lookup(lic::VERSION, None)?;
    Some((lead.map(|r| r.id), version.id))
}

/// The Id of an account, contact, lead or license row [`parse_row`]
/// accepts, and a license's License Name, read without building the record:
/// the key of a record the plan keeps as its row.
pub fn row_key(map: &ColumnMap, cells: &[&str]) -> Option<(SfId, Option<LicenseName>)> {
    let mut c = Cells {
        map,
        cells,
        errors: Vec::new(),
    };
    match map.kind {
        ObjectKind::Account => c.take(0, |v| import_id(v, Some(KeyPrefix::Account))),
        ObjectKind::Contact => c.take(con::ID, |v| import_id(v, Some(KeyPrefix::Contact))),
        ObjectKind::Lead => c.take(lead::ID, |v| import_id(v, Some(KeyPrefix::Lead))),
        ObjectKind::License => {
            let id = c.take(lic::ID, |v| import_id(v, None))?;
            let name = c.take(lic::NAME, import_license_name)?;
            return Some((id, Some(name)));
        }
        ObjectKind::Package | ObjectKind::PackageVersion => None,
    }
    .map(|id| (id, None))
}

fn package(c: &mut Cells, now: NaiveDateTime) -> Option<PackageRow> {
    let alias = c.lookup(pkg::ID, None);
    let release = c.take(pkg::RELEASE_DATE, import_date);
    let lead_manager = if c.map.has(pkg::LEAD_MANAGER) {
        c.lookup(pkg::LEAD_MANAGER, Some(KeyPrefix::User)).map(Some)
    } else {
        Some(None)
    };
    let draft = PackageDraft {
        name: c.text(pkg::NAME),
        package_id: c.text(pkg::PACKAGE_ID),
        developer_name: c.text(pkg::DEVELOPER_NAME),
        developer_org_id: c.text(pkg::DEVELOPER_ORG_ID),
        release_date: release?.format("%Y-%m-%d").to_string(),
    };
    let package = match Package::from_draft(&draft, now) {
        Ok(p) => p,
        Err(e) => {
            let field = match e {
                PackageError::Name(_) => pkg::NAME,
                PackageError::PackageId(_) => pkg::PACKAGE_ID,
                PackageError::DeveloperOrgId(_) => pkg::DEVELOPER_ORG_ID,
                PackageError::DeveloperNameMissing => pkg::DEVELOPER_NAME,
                PackageError::ReleaseDate(_) => pkg::RELEASE_DATE,
            };
            c.fail(field, e);
            return None;
        }
    };
    let alias = alias?.map(|r| r.id).filter(|id| *id != package.id);
    Some(PackageRow {
        alias,
        package,
        lead_manager: lead_manager?,
        has_developer_name: c.map.has(pkg::DEVELOPER_NAME),
    })
}

fn version(c: &mut Cells) -> Option<VersionRow> {
    let alias = c.lookup(ver::ID, None);
    let package = c.required_lookup(ver::PACKAGE, None);
    let beta = c.take(ver::BETA, import_bool);
    let release = c.take(ver::RELEASE_DATE, import_date);
    let draft = PackageVersionDraft {
        version_id: c.text(ver::VERSION_ID),
        package_id: unresolved(KeyPrefix::Package).to18().to_string(),
        name: c.text(ver::NAME),
        version: c.text(ver::VERSION),
        beta: beta?,
        release_date: release?.format("%Y-%m-%d").to_string(),
    };
    let version = match PackageVersion::try_from(&draft) {
        Ok(v) => v,
        Err(e) => {
            let field = match e {
                PackageVersionError::VersionId(_) => ver::VERSION_ID,
                PackageVersionError::PackageId(_) => ver::PACKAGE,
                PackageVersionError::NameEmpty => ver::NAME,
                PackageVersionError::Version(_)
                | PackageVersionError::VersionTaken { .. }
                | PackageVersionError::VersionNotHigher { .. } => ver::VERSION,
                PackageVersionError::ReleaseDate(_) => ver::RELEASE_DATE,
            };
            c.fail(field, e);
            return None;
        }
    };
    let alias = alias?.map(|r| r.id).filter(|id| *id != version.id);
    Some(VersionRow {
        alias,
        version,
        package: package?,
    })
}

fn account(c: &mut Cells, now: NaiveDateTime) -> Option<Account> {
    let id = c.take(0, |v| import_id(v, Some(KeyPrefix::Account)));
    let name = c.take(1, |v| import_required_text(v, "Account Name"));
    Some(Account {
        id: id?,
        name: name?,
        created: Stamp::system(now),
    })
}

fn contact(c: &mut Cells, now: NaiveDateTime) -> Option<ContactRow> {
    let id = c.take(con::ID, |v| import_id(v, Some(KeyPrefix::Contact)));
    let last_name = c.take(con::LAST, |v| import_required_text(v, "Last Name"));
    let account = c.required_lookup(con::ACCOUNT, Some(KeyPrefix::Account));
    let account = account?;
    Some(ContactRow {
        contact: Contact {
            id: id?,
            first_name: c.text(con::FIRST),
            last_name: last_name?,
            email: c.text(con::EMAIL),
            account_id: account.id.clone(),
            created: Stamp::system(now),
        },
        account,
    })
}

fn lead_row(c: &mut Cells, actor: &SfId, now: NaiveDateTime) -> Option<LeadRow> {
    let id = c.take(lead::ID, |v| import_id(v, Some(KeyPrefix::Lead)));
    let last_name = c.take(lead::LAST, |v| import_required_text(v, "Last Name"));
    let status = if c.map.has(lead::STATUS) {
        c.take(lead::STATUS, import_lead_status).map(Some)
    } else {
        Some(None)
    };
    let is_converted = c.take(lead::CONVERTED, import_bool);
    let account = c.lookup(lead::ACCOUNT, Some(KeyPrefix::Account));
    let contact = c.lookup(lead::CONTACT, Some(KeyPrefix::Contact));
    let (status, is_converted, account, contact) = (status?, is_converted?, account?, contact?);
    let converted = match (is_converted, account, contact) {
        (false, _, _) => {
            if status == Some(LeadStatus::Converted) {
                c.fail(
                    lead::STATUS,
                    ImportValueError::ConvertedStatusWithoutConversion,
                );
                return None;
            }
            None
        }
        (true, Some(a), Some(k)) => Some((a, k)),
        (true, _, _) => {
            c.fail(lead::CONVERTED, ImportValueError::ConvertedWithoutAccount);
            return None;
        }
    };
    let lead_source = c.map.has(lead::SOURCE).then(|| c.text(lead::SOURCE));
    let stamp = Stamp::system(now);
    Some(LeadRow {
        lead: Lead {
            id: id?,
            first_name: c.text(lead::FIRST),
            last_name: last_name?,
            company: c.text(lead::COMPANY),
            email: c.text(lead::EMAIL),
            lead_source: lead_source
                .clone()
                .unwrap_or_else(|| LEAD_SOURCE_PACKAGE_INSTALLATION.to_string()),
            owner: LeadOwner::LicenseManagementApp,
            status: if converted.is_some() {
                LeadStatus::Converted
            } else {
                status.unwrap_or(LeadStatus::Open)
            },
            package_id: unresolved(KeyPrefix::Package),
            created: stamp.clone(),
            last_modified: stamp,
            converted: converted.as_ref().map(|(a, k)| ConvertedTo {
                account_id: a.id.clone(),
                contact_id: k.id.clone(),
                by: actor.clone(),
                at: now,
            }),
        },
        status,
        lead_source,
        converted,
    })
}

fn license(c: &mut Cells, now: NaiveDateTime) -> Option<LicenseRow> {
    let id = c.take(lic::ID, |v| import_id(v, None));
    let name = c.take(lic::NAME, import_license_name);
    let status = c.take(lic::STATUS, import_license_status);
    let seats = c.take(lic::SEATS, import_seats);
    let used = c.take(lic::USED, import_used_licenses);
    let expiration = c.take(lic::EXPIRATION, import_expiration);
    let install_date = c.take(lic::INSTALL_DATE, import_date);
    let org_status = c.take(lic::ORG_STATUS, import_org_status);
    let org_expiration = c.take(lic::ORG_EXPIRATION, import_optional_date);
    let sandbox = c.take(lic::SANDBOX, import_bool);
    let org_id = c.take(lic::ORG_ID, |v| import_id(v, Some(KeyPrefix::Org)));
    let version = c.required_lookup(lic::VERSION, None);
    let version_number = c.take(lic::VERSION_NUMBER, import_version_number);
    let lead = c.lookup(lic::LEAD, Some(KeyPrefix::Lead));
    let account = c.lookup(lic::ACCOUNT, Some(KeyPrefix::Account));
    let contact = c.lookup(lic::CONTACT, Some(KeyPrefix::Contact));
    let license_type = c.take(lic::LICENSE_TYPE, import_license_type);
    let package = c.lookup(lic::PACKAGE, None);
    let mut present = [false; lic::COUNT];
    for (field, slot) in present.iter_mut().enumerate() {
        *slot = c.map.has(field);
    }
    let status = status?;
    let seats = seats?;
    Some(LicenseRow {
        license: License {
            id: id?,
            name: name?,
            status,
            ever_active: status == LicenseStatus::Active,
            seats,
            // Blank for a Site License, whatever the file says.
            used_licenses: if seats.is_site_license() { None } else { used? },
            expiration: expiration?,
            install_date: install_date?,
            information_current_as_of: now,
            instance: c.text(lic::INSTANCE),
            org_edition: import_org_edition(&c.text(lic::EDITION)),
            org_status: org_status?,
            org_expiration_date: org_expiration?,
            sandbox: sandbox?,
            subscriber_org_id: org_id?,
            package_id: unresolved(KeyPrefix::Package),
            package_version_id: unresolved(KeyPrefix::PackageVersion),
            version_number: version_number?,
            lead_id: None,
            lead_name: String::new(),
            account_id: None,
            contact_id: None,
            license_type: license_type?,
            created: Stamp::system(now),
            last_modified: Stamp::system(now),
        },
        version: version?,
        package: package?,
        lead: lead?,
        account: account?,
        contact: contact?,
        present,
    })
}
