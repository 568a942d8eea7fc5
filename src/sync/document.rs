//! A record as a CouchDB document that a person can read: `_id` is the LMA
//! object's API name and the record's Id (`sfLma__License__c:a0B...`), the
//! fields carry the LMA's API names (the same names the CSV import and export
//! use, taken from `exchange::columns`), values are in the CSV's formats
//! (dates `yyyy-MM-dd`, date-times `yyyy-MM-ddTHH:mm:ss.SSSZ`, Site License
//! `-1`, Does not expire `null`, picklists by their labels), and `type` names
//! the object. What has no LMA field stays structured as the desk keeps it
//! (a package's registration, an install's outcome; history Field, Origin
//! and install Type by their names: `Seats`, `ByHand`, `Install`). Who created and last changed a record is flattened into the
//! LMA's audit fields `CreatedById`/`CreatedDate`/`LastModifiedById`/
//! `LastModifiedDate`; the Id is a user's, or `"License Management App"` for
//! changes the system made.
//!
//! Coming back, a document is untrusted input: every field is read through
//! the domain's import parsers (the rules of what a record can never be), and
//! one that the domain refuses is never a record; the reason names the field.
//! Fields this desk doesn't know are ignored, so an admin may add notes to a
//! document in the database; values written only for reading (a package's
//! `sfLma__Package_ID__c` and a version's `sfLma__Version_ID__c`, both its
//! Id; a lead's `IsConverted`) are ignored too.

use std::fmt::Display;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::{
    import_bool, import_date, import_date_time, import_expiration, import_id, import_lead_status,
    import_license_name, import_license_status, import_license_type, import_optional_date,
    import_optional_id, import_org_status, import_required_text, import_seats,
    import_used_licenses, import_version_number, Account, ChangedBy, Contact, ConvertedTo,
    HistoryEntry, InstallEvent, Installer, KeyPrefix, Lead, LeadOwner, License, Package,
    PackageName, PackageVersion, Profile, SfId, Stamp, SubscriberOrg, User, LICENSE_MANAGEMENT_APP,
};
use crate::storage::{Record, StoreName};

/// The stores a team shares. Alert rules, notifications and the ID
/// counters stay with each desk.
pub const SYNCED_STORES: [StoreName; 9] = [
    StoreName::Users,
    StoreName::Packages,
    StoreName::PackageVersions,
    StoreName::Accounts,
    StoreName::Contacts,
    StoreName::Leads,
    StoreName::Licenses,
    StoreName::LicenseHistory,
    StoreName::InstallEvents,
];

/// The field of every document that names its object.
pub const TYPE_FIELD: &str = "type";

/// A record of one of the [`SYNCED_STORES`].
#[derive(Debug, Clone, PartialEq)]
pub enum SyncRecord {
    User(User),
    Package(Package),
    PackageVersion(PackageVersion),
    Account(Account),
    Contact(Contact),
    Lead(Lead),
    License(License),
    History(HistoryEntry),
    InstallEvent(InstallEvent),
}

impl SyncRecord {
    pub fn store(&self) -> StoreName {
        match self {
            SyncRecord::User(_) => StoreName::Users,
            SyncRecord::Package(_) => StoreName::Packages,
            SyncRecord::PackageVersion(_) => StoreName::PackageVersions,
            SyncRecord::Account(_) => StoreName::Accounts,
            SyncRecord::Contact(_) => StoreName::Contacts,
            SyncRecord::Lead(_) => StoreName::Leads,
            SyncRecord::License(_) => StoreName::Licenses,
            SyncRecord::History(_) => StoreName::LicenseHistory,
            SyncRecord::InstallEvent(_) => StoreName::InstallEvents,
        }
    }

    pub fn key(&self) -> String {
        match self {
            SyncRecord::User(r) => r.key(),
            SyncRecord::Package(r) => r.key(),
            SyncRecord::PackageVersion(r) => r.key(),
            SyncRecord::Account(r) => r.key(),
            SyncRecord::Contact(r) => r.key(),
            SyncRecord::Lead(r) => r.key(),
            SyncRecord::License(r) => r.key(),
            SyncRecord::History(r) => r.key(),
            SyncRecord::InstallEvent(r) => r.key(),
        }
    }

    /// The document `_id` of this record.
    pub fn doc_id(&self) -> String {
        let store = self.store();
        format!("{}:{}", object_name(store).unwrap_or_default(), self.key())
    }
}

/// The API name of the object a store holds, if the store syncs.
pub fn object_name(store: StoreName) -> Option<&'static str> {
    use crate::exchange::ObjectKind;
    Some(match store {
        StoreName::Users => "User",
        StoreName::Packages => ObjectKind::Package.api_name(),
        StoreName::PackageVersions => ObjectKind::PackageVersion.api_name(),
        StoreName::Accounts => ObjectKind::Account.api_name(),
        StoreName::Contacts => ObjectKind::Contact.api_name(),
        StoreName::Leads => ObjectKind::Lead.api_name(),
        StoreName::Licenses => ObjectKind::License.api_name(),
        StoreName::LicenseHistory => "sfLma__License__History",
        StoreName::InstallEvents => "LicenseDesk__Install_Event__c",
        _ => return None,
    })
}

/// The document `_id` of the record with key `key` in `store`.
pub fn doc_id(store: StoreName, key: &str) -> Option<String> {
    Some(format!("{}:{key}", object_name(store)?))
}

/// The store and record key a document `_id` names.
pub fn parse_doc_id(doc_id: &str) -> Option<(StoreName, String)> {
    let (object, key) = doc_id.split_once(':')?;
    let store = SYNCED_STORES
        .into_iter()
        .find(|s| object_name(*s) == Some(object))?;
    (!key.is_empty()).then(|| (store, key.to_string()))
}

/// The API names of the fields. Where the CSV import and export have the
/// field, the name is taken from their column lists, so a document and a
/// CSV file of the same record never disagree; fields the LMA's objects
/// don't have are `LicenseDesk__` custom fields.
pub mod api {
    use crate::exchange::columns::{self as csv_columns, Column};
    use crate::exchange::rows::{con, lead, lic, pkg, ver};

    const LICENSE_CSV: &[Column] = csv_columns::LICENSE;
    const PACKAGE_CSV: &[Column] = csv_columns::PACKAGE;
    const VERSION_CSV: &[Column] = csv_columns::PACKAGE_VERSION;
    const ACCOUNT_CSV: &[Column] = csv_columns::ACCOUNT;
    const CONTACT_CSV: &[Column] = csv_columns::CONTACT;
    const LEAD_CSV: &[Column] = csv_columns::LEAD;

    const fn csv(columns: &'static [Column], field: usize) -> &'static str {
        columns[field].names[0]
    }

    pub const ID: &str = csv(ACCOUNT_CSV, 0);
    pub const NAME: &str = csv(ACCOUNT_CSV, 1);

    // Audit fields of every Salesforce object.
    pub const CREATED_BY_ID: &str = "CreatedById";
    pub const CREATED_DATE: &str = "CreatedDate";
    pub const LAST_MODIFIED_BY_ID: &str = "LastModifiedById";
    pub const LAST_MODIFIED_DATE: &str = "LastModifiedDate";
    pub const OWNER_ID: &str = "OwnerId";

    // License (sfLma__License__c).
    pub const STATUS: &str = csv(LICENSE_CSV, lic::STATUS);
    pub const SEATS: &str = csv(LICENSE_CSV, lic::SEATS);
    pub const USED_LICENSES: &str = csv(LICENSE_CSV, lic::USED);
    pub const EXPIRATION: &str = csv(LICENSE_CSV, lic::EXPIRATION);
    pub const INSTALL_DATE: &str = csv(LICENSE_CSV, lic::INSTALL_DATE);
    pub const INSTANCE: &str = csv(LICENSE_CSV, lic::INSTANCE);
    pub const ORG_EDITION: &str = csv(LICENSE_CSV, lic::EDITION);
    pub const ORG_STATUS: &str = csv(LICENSE_CSV, lic::ORG_STATUS);
    pub const ORG_EXPIRATION_DATE: &str = csv(LICENSE_CSV, lic::ORG_EXPIRATION);
    pub const IS_SANDBOX: &str = csv(LICENSE_CSV, lic::SANDBOX);
    pub const SUBSCRIBER_ORG_ID: &str = csv(LICENSE_CSV, lic::ORG_ID);
    pub const PACKAGE_VERSION: &str = csv(LICENSE_CSV, lic::VERSION);
    pub const VERSION_NUMBER: &str = csv(LICENSE_CSV, lic::VERSION_NUMBER);
    pub const LEAD: &str = csv(LICENSE_CSV, lic::LEAD);
    pub const ACCOUNT: &str = csv(LICENSE_CSV, lic::ACCOUNT);
    pub const CONTACT: &str = csv(LICENSE_CSV, lic::CONTACT);
    pub const LICENSE_TYPE: &str = csv(LICENSE_CSV, lic::LICENSE_TYPE);
    pub const PACKAGE: &str = csv(LICENSE_CSV, lic::PACKAGE);
    pub const INFORMATION_CURRENT_AS_OF: &str = "sfLma__Licensed_Information_Current_As_Of__c";
    pub const EVER_ACTIVE: &str = "LicenseDesk__Ever_Active__c";
    pub const LEAD_NAME: &str = "LicenseDesk__Lead_Name__c";

    // Package (sfLma__Package__c).
    pub const PACKAGE_ID: &str = csv(PACKAGE_CSV, pkg::PACKAGE_ID);
    pub const DEVELOPER_NAME: &str = csv(PACKAGE_CSV, pkg::DEVELOPER_NAME);
    pub const DEVELOPER_ORG_ID: &str = csv(PACKAGE_CSV, pkg::DEVELOPER_ORG_ID);
    pub const LEAD_MANAGER: &str = csv(PACKAGE_CSV, pkg::LEAD_MANAGER);
    pub const RELEASE_DATE: &str = csv(PACKAGE_CSV, pkg::RELEASE_DATE);
    pub const REGISTRATION: &str = "LicenseDesk__Registration__c";
    pub const LAST_REFRESH: &str = "LicenseDesk__Last_Refresh__c";

    // Package Version (sfLma__Package_Version__c).
    pub const VERSION_PACKAGE: &str = csv(VERSION_CSV, ver::PACKAGE);
    pub const VERSION: &str = csv(VERSION_CSV, ver::VERSION);
    pub const VERSION_ID: &str = csv(VERSION_CSV, ver::VERSION_ID);
    pub const IS_BETA: &str = csv(VERSION_CSV, ver::BETA);
    pub const VERSION_RELEASE_DATE: &str = csv(VERSION_CSV, ver::RELEASE_DATE);

    // Contact and Lead.
    pub const FIRST_NAME: &str = csv(CONTACT_CSV, con::FIRST);
    pub const LAST_NAME: &str = csv(CONTACT_CSV, con::LAST);
    pub const EMAIL: &str = csv(CONTACT_CSV, con::EMAIL);
    pub const ACCOUNT_ID: &str = csv(CONTACT_CSV, con::ACCOUNT);
    pub const COMPANY: &str = csv(LEAD_CSV, lead::COMPANY);
    pub const LEAD_SOURCE: &str = csv(LEAD_CSV, lead::SOURCE);
    pub const LEAD_STATUS: &str = csv(LEAD_CSV, lead::STATUS);
    pub const IS_CONVERTED: &str = csv(LEAD_CSV, lead::CONVERTED);
    pub const CONVERTED_ACCOUNT_ID: &str = csv(LEAD_CSV, lead::ACCOUNT);
    pub const CONVERTED_CONTACT_ID: &str = csv(LEAD_CSV, lead::CONTACT);
    pub const CONVERTED_DATE: &str = "ConvertedDate";
    pub const CONVERTED_BY_ID: &str = "LicenseDesk__Converted_By_Id__c";
    pub const LEAD_PACKAGE: &str = "LicenseDesk__Package__c";

    // User.
    pub const PROFILE: &str = "Profile";
    pub const IS_ACTIVE: &str = "IsActive";

    // License History, in the columns of a Salesforce field-history export
    // (as `exchange::export::history_csv` writes them).
    pub const PARENT_ID: &str = "ParentId";
    pub const FIELD: &str = "Field";
    pub const OLD_VALUE: &str = "OldValue";
    pub const NEW_VALUE: &str = "NewValue";
    pub const ORIGIN: &str = "Origin";

    // Install Event, in the columns of the Install Log export.
    pub const EVENT_TYPE: &str = "Type";
    pub const ORG_NAME: &str = "OrgName";
    pub const OUTCOME: &str = "Outcome";
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// `yyyy-MM-ddTHH:mm:ss.SSSZ` as the LMA writes date-times; a time finer
/// than a millisecond keeps all its digits, so decoding gives it back.
/// Written directly: chrono's `format` parses its pattern on every call, and
/// a first sync encodes every record of the desk.
fn date_time_text(at: NaiveDateTime) -> String {
    let nanos = at.nanosecond();
    let fraction = if nanos.is_multiple_of(1_000_000) {
        format!("{:03}", nanos / 1_000_000)
    } else {
        format!("{nanos:09}")
    };
    format!(
        "{}T{:02}:{:02}:{:02}.{fraction}Z",
        date_text(at.date()),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn date_text(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn id_value(id: &SfId) -> Value {
    Value::from(id.to18())
}

fn opt_id_value(id: Option<&SfId>) -> Value {
    id.map_or(Value::Null, id_value)
}

fn opt_date_value(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Value::from(date_text(d)))
}

fn by_value(by: &ChangedBy) -> Value {
    match by {
        ChangedBy::User(id) => id_value(id),
        ChangedBy::LicenseManagementApp => Value::from(LICENSE_MANAGEMENT_APP),
    }
}

fn nested<T: Serialize>(value: &T) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}

/// A document body being written: `type`, then fields by API name.
struct Doc(Map<String, Value>);

impl Doc {
    fn new(store: StoreName) -> Doc {
        let mut doc = Map::new();
        doc.insert(
            TYPE_FIELD.to_string(),
            Value::from(object_name(store).unwrap_or_default()),
        );
        Doc(doc)
    }

    fn put(&mut self, name: &str, value: impl Into<Value>) -> &mut Doc {
        self.0.insert(name.to_string(), value.into());
        self
    }

    fn stamp(&mut self, by: &str, at: &str, stamp: &Stamp) -> &mut Doc {
        self.put(by, by_value(&stamp.by))
            .put(at, date_time_text(stamp.at))
    }

    fn created(&mut self, stamp: &Stamp) -> &mut Doc {
        self.stamp(api::CREATED_BY_ID, api::CREATED_DATE, stamp)
    }

    fn last_modified(&mut self, stamp: &Stamp) -> &mut Doc {
        self.stamp(api::LAST_MODIFIED_BY_ID, api::LAST_MODIFIED_DATE, stamp)
    }

    fn done(&mut self) -> Value {
        Value::Object(std::mem::take(&mut self.0))
    }
}

fn encode_user(u: &User) -> Value {
    Doc::new(StoreName::Users)
        .put(api::ID, id_value(&u.id))
        .put(api::NAME, u.name.as_str())
        .put(api::EMAIL, u.email.as_str())
        .put(api::PROFILE, u.profile.label())
        .put(api::IS_ACTIVE, u.active)
        .done()
}

fn encode_package(p: &Package) -> Result<Value, String> {
    let registration = match &p.registration {
        Some(r) => nested(r)?,
        None => Value::Null,
    };
    Ok(Doc::new(StoreName::Packages)
        .put(api::ID, id_value(&p.id))
        .put(api::NAME, p.name.as_str())
        .put(api::PACKAGE_ID, id_value(&p.id))
        .put(api::DEVELOPER_NAME, p.developer_name.as_str())
        .put(api::DEVELOPER_ORG_ID, id_value(&p.developer_org_id))
        .put(api::LEAD_MANAGER, opt_id_value(p.lead_manager.as_ref()))
        .put(api::RELEASE_DATE, date_text(p.release_date))
        .put(api::REGISTRATION, registration)
        .put(
            api::LAST_REFRESH,
            p.last_refresh
                .map_or(Value::Null, |at| date_time_text(at).into()),
        )
        .created(&p.created)
        .last_modified(&p.last_modified)
        .done())
}

fn encode_version(v: &PackageVersion) -> Value {
    Doc::new(StoreName::PackageVersions)
        .put(api::ID, id_value(&v.id))
        .put(api::NAME, v.name.as_str())
        .put(api::VERSION_PACKAGE, id_value(&v.package_id))
        .put(api::VERSION, v.version.to_string())
        .put(api::VERSION_ID, id_value(&v.id))
        .put(api::IS_BETA, v.beta)
        .put(api::VERSION_RELEASE_DATE, date_text(v.release_date))
        .done()
}

fn encode_account(a: &Account) -> Value {
    Doc::new(StoreName::Accounts)
        .put(api::ID, id_value(&a.id))
        .put(api::NAME, a.name.as_str())
        .created(&a.created)
        .done()
}

fn encode_contact(c: &Contact) -> Value {
    Doc::new(StoreName::Contacts)
        .put(api::ID, id_value(&c.id))
        .put(api::FIRST_NAME, c.first_name.as_str())
        .put(api::LAST_NAME, c.last_name.as_str())
        .put(api::EMAIL, c.email.as_str())
        .put(api::ACCOUNT_ID, id_value(&c.account_id))
        .created(&c.created)
        .done()
}

fn encode_lead(l: &Lead) -> Value {
    let converted = l.converted.as_ref();
    let owner = match &l.owner {
        LeadOwner::User(id) => id_value(id),
        LeadOwner::LicenseManagementApp => Value::from(LICENSE_MANAGEMENT_APP),
    };
    Doc::new(StoreName::Leads)
        .put(api::ID, id_value(&l.id))
        .put(api::FIRST_NAME, l.first_name.as_str())
        .put(api::LAST_NAME, l.last_name.as_str())
        .put(api::COMPANY, l.company.as_str())
        .put(api::EMAIL, l.email.as_str())
        .put(api::LEAD_SOURCE, l.lead_source.as_str())
        .put(api::LEAD_STATUS, l.status.label())
        .put(api::OWNER_ID, owner)
        .put(api::LEAD_PACKAGE, id_value(&l.package_id))
        .put(api::IS_CONVERTED, converted.is_some())
        .put(
            api::CONVERTED_ACCOUNT_ID,
            opt_id_value(converted.map(|c| &c.account_id)),
        )
        .put(
            api::CONVERTED_CONTACT_ID,
            opt_id_value(converted.map(|c| &c.contact_id)),
        )
        .put(api::CONVERTED_BY_ID, opt_id_value(converted.map(|c| &c.by)))
        .put(
            api::CONVERTED_DATE,
            converted.map_or(Value::Null, |c| date_time_text(c.at).into()),
        )
        .created(&l.created)
        .last_modified(&l.last_modified)
        .done()
}

fn encode_license(l: &License) -> Value {
    Doc::new(StoreName::Licenses)
        .put(api::ID, id_value(&l.id))
        .put(api::NAME, l.name.to_string())
        .put(api::STATUS, l.status.label())
        .put(api::EVER_ACTIVE, l.ever_active)
        .put(api::SEATS, l.seats.to_csv())
        .put(api::USED_LICENSES, l.used_licenses)
        .put(api::EXPIRATION, opt_date_value(l.expiration.date()))
        .put(api::INSTALL_DATE, date_text(l.install_date))
        .put(
            api::INFORMATION_CURRENT_AS_OF,
            date_time_text(l.information_current_as_of),
        )
        .put(api::INSTANCE, l.instance.as_str())
        .put(api::ORG_EDITION, l.org_edition.as_str())
        .put(api::ORG_STATUS, l.org_status.label())
        .put(
            api::ORG_EXPIRATION_DATE,
            opt_date_value(l.org_expiration_date),
        )
        .put(api::IS_SANDBOX, l.sandbox)
        .put(api::SUBSCRIBER_ORG_ID, id_value(&l.subscriber_org_id))
        .put(api::PACKAGE, id_value(&l.package_id))
        .put(api::PACKAGE_VERSION, id_value(&l.package_version_id))
        .put(api::VERSION_NUMBER, l.version_number.to_string())
        .put(api::LEAD, opt_id_value(l.lead_id.as_ref()))
        .put(api::LEAD_NAME, l.lead_name.as_str())
        .put(api::ACCOUNT, opt_id_value(l.account_id.as_ref()))
        .put(api::CONTACT, opt_id_value(l.contact_id.as_ref()))
        .put(api::LICENSE_TYPE, l.license_type.label())
        .created(&l.created)
        .last_modified(&l.last_modified)
        .done()
}

fn encode_history(h: &HistoryEntry) -> Result<Value, String> {
    Ok(Doc::new(StoreName::LicenseHistory)
        .put(api::ID, id_value(&h.id))
        .put(api::PARENT_ID, id_value(&h.license_id))
        .put(api::FIELD, nested(&h.field)?)
        .put(api::OLD_VALUE, h.old_value.as_str())
        .put(api::NEW_VALUE, h.new_value.as_str())
        .put(api::ORIGIN, nested(&h.origin)?)
        .stamp(
            api::CREATED_BY_ID,
            api::CREATED_DATE,
            &Stamp::user(&h.by, h.at),
        )
        .done())
}

fn encode_install(e: &InstallEvent) -> Result<Value, String> {
    Ok(Doc::new(StoreName::InstallEvents)
        .put(api::ID, id_value(&e.id))
        .put(api::EVENT_TYPE, nested(&e.kind)?)
        .put(api::SUBSCRIBER_ORG_ID, id_value(&e.org.org_id))
        .put(api::ORG_NAME, e.org.org_name.as_str())
        .put(api::ORG_EDITION, e.org.edition.as_str())
        .put(api::INSTANCE, e.org.instance.as_str())
        .put(api::ORG_STATUS, e.org.status.label())
        .put(
            api::ORG_EXPIRATION_DATE,
            opt_date_value(e.org.org_expiration_date),
        )
        .put(api::IS_SANDBOX, e.org.sandbox)
        .put(api::FIRST_NAME, e.installer.first_name.as_str())
        .put(api::LAST_NAME, e.installer.last_name.as_str())
        .put(api::COMPANY, e.installer.company.as_str())
        .put(api::EMAIL, e.installer.email.as_str())
        .put(api::PACKAGE, id_value(&e.package_id))
        .put(api::PACKAGE_VERSION, id_value(&e.package_version_id))
        .put(api::VERSION_NUMBER, e.version_number.to_string())
        .put(api::CREATED_DATE, date_time_text(e.at))
        .put(api::OUTCOME, nested(&e.outcome)?)
        .done())
}

/// The document body of `record`: its fields by API name and `type`
/// (no `_id`, `_rev` or `_revisions`: the replication adds those). The same
/// record always gives the same body (fields in one order), so a revision
/// made from it is the same on a retry.
pub fn encode(record: &SyncRecord) -> Result<Value, String> {
    match record {
        SyncRecord::User(r) => Ok(encode_user(r)),
        SyncRecord::Package(r) => encode_package(r),
        SyncRecord::PackageVersion(r) => Ok(encode_version(r)),
        SyncRecord::Account(r) => Ok(encode_account(r)),
        SyncRecord::Contact(r) => Ok(encode_contact(r)),
        SyncRecord::Lead(r) => Ok(encode_lead(r)),
        SyncRecord::License(r) => Ok(encode_license(r)),
        SyncRecord::History(r) => encode_history(r),
        SyncRecord::InstallEvent(r) => encode_install(r),
    }
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// The fields of an incoming document, read by API name through the
/// domain's parsers; every error names the field it is about.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    /// A single value as the text the import parsers read: absent or `null`
    /// is empty, numbers and booleans as JSON writes them.
    fn text(&self, name: &str) -> Result<String, String> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) => Ok(b.to_string()),
            Some(_) => Err(format!(
                "{name}: a single value is expected here, not a list or an object."
            )),
        }
    }

    fn read<T, E: Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, String> {
        let text = self.text(name)?;
        parse(&text).map_err(|e| format!("{name}: {e}"))
    }

    fn id(&self, name: &str, prefix: Option<KeyPrefix>) -> Result<SfId, String> {
        self.read(name, |v| import_id(v, prefix))
    }

    fn opt_id(&self, name: &str, prefix: Option<KeyPrefix>) -> Result<Option<SfId>, String> {
        self.read(name, |v| import_optional_id(v, prefix))
    }

    fn required(&self, name: &str, label: &'static str) -> Result<String, String> {
        self.read(name, |v| import_required_text(v, label))
    }

    fn at(&self, name: &str) -> Result<NaiveDateTime, String> {
        self.read(name, import_date_time)
    }

    fn opt_at(&self, name: &str) -> Result<Option<NaiveDateTime>, String> {
        self.read(name, |v| {
            if v.trim().is_empty() {
                Ok(None)
            } else {
                import_date_time(v).map(Some)
            }
        })
    }

    /// A user's Id, or the License Management App.
    fn by(&self, name: &str) -> Result<ChangedBy, String> {
        self.read(name, |v| {
            if v.trim().eq_ignore_ascii_case(LICENSE_MANAGEMENT_APP) {
                Ok(ChangedBy::LicenseManagementApp)
            } else {
                import_id(v, Some(KeyPrefix::User)).map(ChangedBy::User)
            }
        })
    }

    fn stamp(&self, by: &str, at: &str) -> Result<Stamp, String> {
        Ok(Stamp {
            by: self.by(by)?,
            at: self.at(at)?,
        })
    }

    fn created(&self) -> Result<Stamp, String> {
        self.stamp(api::CREATED_BY_ID, api::CREATED_DATE)
    }

    fn last_modified(&self) -> Result<Stamp, String> {
        self.stamp(api::LAST_MODIFIED_BY_ID, api::LAST_MODIFIED_DATE)
    }

    /// A structured value (a registration, an install's outcome) through its
    /// domain type; `None` when absent or `null`.
    fn nested<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, String> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|e| format!("{name}: {e}")),
        }
    }

    fn required_nested<T: DeserializeOwned>(&self, name: &str) -> Result<T, String> {
        self.nested(name)?
            .ok_or_else(|| format!("{name} is required, and this document has none."))
    }
}

fn decode_user(f: &Fields) -> Result<User, String> {
    Ok(User {
        id: f.id(api::ID, Some(KeyPrefix::User))?,
        name: f.required(api::NAME, "Name")?,
        email: f.text(api::EMAIL)?,
        profile: f.read(api::PROFILE, |v| {
            Profile::ALL
                .into_iter()
                .find(|p| p.label().eq_ignore_ascii_case(v.trim()))
                .ok_or_else(|| {
                    let choices: Vec<&str> = Profile::ALL.iter().map(|p| p.label()).collect();
                    format!(
                        "\"{}\" is not a profile; choose one of: {}.",
                        v.trim().chars().take(40).collect::<String>(),
                        choices.join(", ")
                    )
                })
        })?,
        active: f.read(api::IS_ACTIVE, import_bool)?,
    })
}

fn decode_package(f: &Fields) -> Result<Package, String> {
    Ok(Package {
        id: f.id(api::ID, Some(KeyPrefix::Package))?,
        name: f.read(api::NAME, PackageName::parse)?,
        developer_name: f.text(api::DEVELOPER_NAME)?,
        developer_org_id: f.id(api::DEVELOPER_ORG_ID, Some(KeyPrefix::Org))?,
        lead_manager: f.opt_id(api::LEAD_MANAGER, Some(KeyPrefix::User))?,
        release_date: f.read(api::RELEASE_DATE, import_date)?,
        registration: f.nested(api::REGISTRATION)?,
        last_refresh: f.opt_at(api::LAST_REFRESH)?,
        created: f.created()?,
        last_modified: f.last_modified()?,
    })
}

fn decode_version(f: &Fields) -> Result<PackageVersion, String> {
    Ok(PackageVersion {
        id: f.id(api::ID, Some(KeyPrefix::PackageVersion))?,
        package_id: f.id(api::VERSION_PACKAGE, Some(KeyPrefix::Package))?,
        name: f.required(api::NAME, "Package Version Name")?,
        version: f.read(api::VERSION, import_version_number)?,
        beta: f.read(api::IS_BETA, import_bool)?,
        release_date: f.read(api::VERSION_RELEASE_DATE, import_date)?,
    })
}

fn decode_account(f: &Fields) -> Result<Account, String> {
    Ok(Account {
        id: f.id(api::ID, Some(KeyPrefix::Account))?,
        name: f.required(api::NAME, "Account Name")?,
        created: f.created()?,
    })
}

fn decode_contact(f: &Fields) -> Result<Contact, String> {
    Ok(Contact {
        id: f.id(api::ID, Some(KeyPrefix::Contact))?,
        first_name: f.text(api::FIRST_NAME)?,
        last_name: f.required(api::LAST_NAME, "Last Name")?,
        email: f.text(api::EMAIL)?,
        account_id: f.id(api::ACCOUNT_ID, Some(KeyPrefix::Account))?,
        created: f.created()?,
    })
}

fn decode_lead(f: &Fields) -> Result<Lead, String> {
    let owner = match f.by(api::OWNER_ID)? {
        ChangedBy::User(id) => LeadOwner::User(id),
        ChangedBy::LicenseManagementApp => LeadOwner::LicenseManagementApp,
    };
    let converted = match f.opt_id(api::CONVERTED_ACCOUNT_ID, Some(KeyPrefix::Account))? {
        Some(account_id) => Some(ConvertedTo {
            account_id,
            contact_id: f.id(api::CONVERTED_CONTACT_ID, Some(KeyPrefix::Contact))?,
            by: f.id(api::CONVERTED_BY_ID, Some(KeyPrefix::User))?,
            at: f.at(api::CONVERTED_DATE)?,
        }),
        None => None,
    };
    Ok(Lead {
        id: f.id(api::ID, Some(KeyPrefix::Lead))?,
        first_name: f.text(api::FIRST_NAME)?,
        last_name: f.required(api::LAST_NAME, "Last Name")?,
        company: f.required(api::COMPANY, "Company")?,
        email: f.text(api::EMAIL)?,
        lead_source: f.text(api::LEAD_SOURCE)?,
        owner,
        status: f.read(api::LEAD_STATUS, import_lead_status)?,
        package_id: f.id(api::LEAD_PACKAGE, Some(KeyPrefix::Package))?,
        created: f.created()?,
        last_modified: f.last_modified()?,
        converted,
    })
}

fn decode_license(f: &Fields) -> Result<License, String> {
    Ok(License {
        id: f.id(api::ID, None)?,
        name: f.read(api::NAME, import_license_name)?,
        status: f.read(api::STATUS, import_license_status)?,
        ever_active: f.read(api::EVER_ACTIVE, import_bool)?,
        seats: f.read(api::SEATS, import_seats)?,
        used_licenses: f.read(api::USED_LICENSES, import_used_licenses)?,
        expiration: f.read(api::EXPIRATION, import_expiration)?,
        install_date: f.read(api::INSTALL_DATE, import_date)?,
        information_current_as_of: f.at(api::INFORMATION_CURRENT_AS_OF)?,
        instance: f.text(api::INSTANCE)?,
        org_edition: f.text(api::ORG_EDITION)?,
        org_status: f.read(api::ORG_STATUS, import_org_status)?,
        org_expiration_date: f.read(api::ORG_EXPIRATION_DATE, import_optional_date)?,
        sandbox: f.read(api::IS_SANDBOX, import_bool)?,
        subscriber_org_id: f.id(api::SUBSCRIBER_ORG_ID, Some(KeyPrefix::Org))?,
        package_id: f.id(api::PACKAGE, Some(KeyPrefix::Package))?,
        package_version_id: f.id(api::PACKAGE_VERSION, Some(KeyPrefix::PackageVersion))?,
        version_number: f.read(api::VERSION_NUMBER, import_version_number)?,
        lead_id: f.opt_id(api::LEAD, Some(KeyPrefix::Lead))?,
        lead_name: f.text(api::LEAD_NAME)?,
        account_id: f.opt_id(api::ACCOUNT, Some(KeyPrefix::Account))?,
        contact_id: f.opt_id(api::CONTACT, Some(KeyPrefix::Contact))?,
        license_type: f.read(api::LICENSE_TYPE, import_license_type)?,
        created: f.created()?,
        last_modified: f.last_modified()?,
    })
}

fn decode_history(f: &Fields) -> Result<HistoryEntry, String> {
    Ok(HistoryEntry {
        id: f.id(api::ID, None)?,
        license_id: f.id(api::PARENT_ID, None)?,
        field: f.required_nested(api::FIELD)?,
        old_value: f.text(api::OLD_VALUE)?,
        new_value: f.text(api::NEW_VALUE)?,
        by: f.id(api::CREATED_BY_ID, Some(KeyPrefix::User))?,
        at: f.at(api::CREATED_DATE)?,
        origin: f.nested(api::ORIGIN)?.unwrap_or_default(),
    })
}

fn decode_install(f: &Fields) -> Result<InstallEvent, String> {
    Ok(InstallEvent {
        id: f.id(api::ID, None)?,
        kind: f.required_nested(api::EVENT_TYPE)?,
        org: SubscriberOrg {
            org_id: f.id(api::SUBSCRIBER_ORG_ID, Some(KeyPrefix::Org))?,
            org_name: f.text(api::ORG_NAME)?,
            edition: f.text(api::ORG_EDITION)?,
            instance: f.text(api::INSTANCE)?,
            status: f.read(api::ORG_STATUS, import_org_status)?,
            org_expiration_date: f.read(api::ORG_EXPIRATION_DATE, import_optional_date)?,
            sandbox: f.read(api::IS_SANDBOX, import_bool)?,
        },
        installer: Installer {
            first_name: f.text(api::FIRST_NAME)?,
            last_name: f.text(api::LAST_NAME)?,
            company: f.text(api::COMPANY)?,
            email: f.text(api::EMAIL)?,
        },
        package_id: f.id(api::PACKAGE, Some(KeyPrefix::Package))?,
        package_version_id: f.id(api::PACKAGE_VERSION, Some(KeyPrefix::PackageVersion))?,
        version_number: f.read(api::VERSION_NUMBER, import_version_number)?,
        at: f.at(api::CREATED_DATE)?,
        outcome: f.required_nested(api::OUTCOME)?,
    })
}

/// The record a document holds, or why it is not one this desk can store.
///
/// The document's `type` must name the object its `_id` names, and its `Id`
/// must be the one in its `_id`. Fields this desk doesn't know are ignored
/// (an admin may add notes to a document); `_rev`, `_revisions` and other
/// CouchDB fields are the replication's, not the record's.
pub fn decode(doc: &Value) -> Result<SyncRecord, String> {
    let Value::Object(doc) = doc else {
        return Err("it is not a JSON object".to_string());
    };
    let id = doc
        .get("_id")
        .and_then(Value::as_str)
        .ok_or("it has no _id")?;
    let (store, key) =
        parse_doc_id(id).ok_or_else(|| format!("its _id {id:?} names no License Desk object"))?;
    let object = object_name(store).unwrap_or_default();
    match doc.get(TYPE_FIELD) {
        Some(Value::String(t)) if t == object => {}
        Some(other) => {
            return Err(format!(
                "its type is {other} but its _id names a {object}; the two must agree"
            ))
        }
        None => return Err(format!("it has no type; a {object} has type {object:?}")),
    }
    let f = Fields(doc);
    let record = match store {
        StoreName::Users => SyncRecord::User(decode_user(&f)?),
        StoreName::Packages => SyncRecord::Package(decode_package(&f)?),
        StoreName::PackageVersions => SyncRecord::PackageVersion(decode_version(&f)?),
        StoreName::Accounts => SyncRecord::Account(decode_account(&f)?),
        StoreName::Contacts => SyncRecord::Contact(decode_contact(&f)?),
        StoreName::Leads => SyncRecord::Lead(decode_lead(&f)?),
        StoreName::Licenses => SyncRecord::License(decode_license(&f)?),
        StoreName::LicenseHistory => SyncRecord::History(decode_history(&f)?),
        StoreName::InstallEvents => SyncRecord::InstallEvent(decode_install(&f)?),
        other => return Err(format!("{} records do not sync", other.label())),
    };
    if record.key() != key {
        return Err(format!(
            "its _id names {key} but its Id is {}",
            record.key()
        ));
    }
    Ok(record)
}

/// Checks a record that arrives from another desk against the profile of
/// its author, as recorded in it (Last Modified By; Created By for Accounts,
/// Contacts and history entries): the change from `previous` (this desk's
/// version, if any) must be one that profile may make, or one the License
/// Management App made. `users` are this desk's users. Users and install
/// events carry no author: they are taken as they come (the server's
/// `validate_doc_update` lets only admins write users).
pub fn check_author(
    record: &SyncRecord,
    previous: Option<&SyncRecord>,
    users: &[User],
) -> Result<(), String> {
    use crate::domain::{
        account_change, check_change, contact_change, history_change, lead_change, license_change,
        package_change, version_change, ChangedBy,
    };
    let checked = match record {
        SyncRecord::License(r) => {
            let p = match previous {
                Some(SyncRecord::License(p)) => Some(p),
                _ => None,
            };
            check_change(&r.last_modified.by, &license_change(p, r), users)
        }
        SyncRecord::Package(r) => {
            let p = match previous {
                Some(SyncRecord::Package(p)) => Some(p),
                _ => None,
            };
            check_change(&r.last_modified.by, &package_change(p, r), users)
        }
        SyncRecord::PackageVersion(r) => {
            let p = match previous {
                Some(SyncRecord::PackageVersion(p)) => Some(p),
                _ => None,
            };
            version_change(p, r)
        }
        SyncRecord::Lead(r) => {
            let p = match previous {
                Some(SyncRecord::Lead(p)) => Some(p),
                _ => None,
            };
            check_change(&r.last_modified.by, &lead_change(p, r), users)
        }
        SyncRecord::Account(r) => {
            let p = match previous {
                Some(SyncRecord::Account(p)) => Some(p),
                _ => None,
            };
            check_change(&r.created.by, &account_change(p, r), users)
        }
        SyncRecord::Contact(r) => {
            let p = match previous {
                Some(SyncRecord::Contact(p)) => Some(p),
                _ => None,
            };
            check_change(&r.created.by, &contact_change(p, r), users)
        }
        SyncRecord::History(r) => {
            let p = match previous {
                Some(SyncRecord::History(p)) => Some(p),
                _ => None,
            };
            history_change(p, r)
                .and_then(|needed| check_change(&ChangedBy::User(r.by.clone()), &needed, users))
        }
        SyncRecord::User(_) | SyncRecord::InstallEvent(_) => Ok(()),
    };
    checked.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{build_demo_data, DemoData, DemoSize};
    use crate::exchange::export::header;
    use crate::exchange::{history_csv, install_log_csv, ObjectKind};
    use proptest::prelude::*;

    pub(super) fn demo() -> DemoData {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        build_demo_data(today, today.and_hms_opt(9, 0, 0).unwrap(), DemoSize::Normal)
    }

    /// Every record of the demo, of every synced kind.
    fn records(desk: &DemoData) -> Vec<SyncRecord> {
        let mut all = Vec::new();
        all.extend(desk.users.iter().cloned().map(SyncRecord::User));
        all.extend(desk.packages.iter().cloned().map(SyncRecord::Package));
        all.extend(
            desk.versions
                .iter()
                .cloned()
                .map(SyncRecord::PackageVersion),
        );
        all.extend(desk.accounts.iter().cloned().map(SyncRecord::Account));
        all.extend(desk.contacts.iter().cloned().map(SyncRecord::Contact));
        all.extend(desk.leads.iter().cloned().map(SyncRecord::Lead));
        all.extend(desk.licenses.iter().cloned().map(SyncRecord::License));
        all.extend(desk.history.iter().cloned().map(SyncRecord::History));
        all.extend(desk.installs.iter().cloned().map(SyncRecord::InstallEvent));
        all
    }

    /// The document as the server holds it: the body and its `_id`.
    fn document(record: &SyncRecord) -> Value {
        let mut doc = encode(record).unwrap();
        doc["_id"] = Value::from(record.doc_id());
        doc["_rev"] = Value::from("1-abc");
        doc
    }

    fn license_doc() -> (License, Value) {
        let desk = demo();
        let license = desk
            .licenses
            .iter()
            .find(|l| l.seats.get().is_some() && l.expiration.date().is_some())
            .unwrap()
            .clone();
        let doc = document(&SyncRecord::License(license.clone()));
        (license, doc)
    }

    #[test]
    fn every_record_of_the_demo_round_trips() {
        let desk = demo();
        let all = records(&desk);
        for store in SYNCED_STORES {
            assert!(
                all.iter().any(|r| r.store() == store),
                "the demo has no {}",
                store.label()
            );
        }
        // The demo covers the shapes that need care: converted leads,
        // registered packages, site licenses, licenses that do not expire.
        assert!(desk.leads.iter().any(|l| l.converted.is_some()));
        assert!(desk.packages.iter().any(|p| p.registration.is_some()));
        assert!(desk.licenses.iter().any(|l| l.seats.is_site_license()));
        assert!(desk
            .licenses
            .iter()
            .any(|l| l.expiration == crate::domain::Expiration::DoesNotExpire));
        for record in all {
            let doc = document(&record);
            assert_eq!(decode(&doc), Ok(record.clone()), "{doc}");
            // Encoding the decoded record gives the same body: revisions
            // made from it agree.
            assert_eq!(encode(&decode(&doc).unwrap()), encode(&record));
        }
    }

    #[test]
    fn documents_use_the_csv_api_names_and_the_audit_fields() {
        let desk = demo();
        let cases: [(ObjectKind, SyncRecord); 6] = [
            (
                ObjectKind::Package,
                SyncRecord::Package(desk.packages[0].clone()),
            ),
            (
                ObjectKind::PackageVersion,
                SyncRecord::PackageVersion(desk.versions[0].clone()),
            ),
            (
                ObjectKind::Account,
                SyncRecord::Account(desk.accounts[0].clone()),
            ),
            (
                ObjectKind::Contact,
                SyncRecord::Contact(desk.contacts[0].clone()),
            ),
            (ObjectKind::Lead, SyncRecord::Lead(desk.leads[0].clone())),
            (
                ObjectKind::License,
                SyncRecord::License(desk.licenses[0].clone()),
            ),
        ];
        for (kind, record) in cases {
            let doc = encode(&record).unwrap();
            assert_eq!(doc[TYPE_FIELD], kind.api_name());
            for column in header(kind) {
                // Latest Version is derived from the package's versions.
                if column != "sfLma__Latest_Version__c" {
                    assert!(doc.get(column).is_some(), "{kind}: no {column} in {doc}");
                }
            }
            // Package versions carry no audit fields of their own.
            let audited = kind != ObjectKind::PackageVersion;
            assert_eq!(doc.get(api::CREATED_BY_ID).is_some(), audited, "{kind}");
            assert!(doc.get("created").is_none() && doc.get("id").is_none());
        }
        // History and install events use the columns of their exports.
        let history = encode(&SyncRecord::History(desk.history[0].clone())).unwrap();
        let history_header = history_csv(&desk.history[..1]).unwrap();
        let install = encode(&SyncRecord::InstallEvent(desk.installs[0].clone())).unwrap();
        let install_header = install_log_csv(&desk.installs[..1]).unwrap();
        for (doc, csv) in [(history, history_header), (install, install_header)] {
            let columns: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
            for name in doc.as_object().unwrap().keys() {
                if name != TYPE_FIELD && name != api::OUTCOME {
                    assert!(columns.contains(&name.as_str()), "{name} not in {csv}");
                }
            }
        }
    }

    #[test]
    fn stamps_are_flattened_into_the_lmas_audit_fields() {
        let (license, doc) = license_doc();
        assert_eq!(doc["sfLma__Status__c"], license.status.label());
        let by = |stamp: &Stamp| match &stamp.by {
            ChangedBy::User(id) => id.to18().to_string(),
            ChangedBy::LicenseManagementApp => "License Management App".to_string(),
        };
        assert_eq!(doc["CreatedById"], by(&license.created));
        assert_eq!(doc["LastModifiedById"], by(&license.last_modified));
        let created = doc["CreatedDate"].as_str().unwrap();
        assert_eq!(created.len(), "2026-12-01T09:00:00.000Z".len(), "{created}");
        assert!(created.ends_with('Z'));

        let user = seed_user_id();
        let mut doc = doc.clone();
        doc["LastModifiedById"] = Value::from(user.to15());
        doc["LastModifiedDate"] = Value::from("2026-12-02T10:30:00.000Z");
        let SyncRecord::License(read) = decode(&doc).unwrap() else {
            panic!("not a license")
        };
        assert_eq!(
            read.last_modified,
            Stamp::user(
                &user,
                NaiveDate::from_ymd_opt(2026, 12, 2)
                    .unwrap()
                    .and_hms_opt(10, 30, 0)
                    .unwrap()
            )
        );
        doc["LastModifiedById"] = Value::from("License Management App");
        let SyncRecord::License(read) = decode(&doc).unwrap() else {
            panic!("not a license")
        };
        assert_eq!(read.last_modified.by, ChangedBy::LicenseManagementApp);
        doc["LastModifiedById"] = Value::from(license.subscriber_org_id.to18());
        let reason = decode(&doc).unwrap_err();
        assert!(reason.starts_with("LastModifiedById: "), "{reason}");
    }

    fn seed_user_id() -> SfId {
        crate::domain::seed_users()[1].id.clone()
    }

    fn refused(doc: &Value, field: &str, value: Value) -> String {
        let mut doc = doc.clone();
        doc[field] = value;
        decode(&doc).unwrap_err()
    }

    #[test]
    fn seats_are_refused_outside_the_domains_range() {
        let (_, doc) = license_doc();
        let reason = refused(&doc, "sfLma__Seats__c", Value::from(99_000_001));
        assert!(reason.starts_with("sfLma__Seats__c: "), "{reason}");
        assert!(reason.contains("99,000,000"), "{reason}");
        for bad in [
            Value::from(0),
            Value::from(-2),
            Value::from("many"),
            Value::from(2.5),
        ] {
            refused(&doc, "sfLma__Seats__c", bad);
        }
        for (value, seats) in [
            (Value::from(99_000_000), Seats::count(99_000_000).unwrap()),
            (Value::from(1), Seats::count(1).unwrap()),
            (Value::from(-1), Seats::SiteLicense),
        ] {
            let mut doc = doc.clone();
            doc["sfLma__Seats__c"] = value;
            let SyncRecord::License(read) = decode(&doc).unwrap() else {
                panic!("not a license")
            };
            assert_eq!(read.seats, seats);
        }
    }

    use crate::domain::Seats;

    #[test]
    fn a_bad_value_of_each_kind_is_refused_with_the_domains_message() {
        let (license, doc) = license_doc();
        let status = refused(&doc, "sfLma__Status__c", Value::from("Expired"));
        assert_eq!(
            status,
            "sfLma__Status__c: \"Expired\" is not a License Status; choose one of: Trial, Active, Suspended, Uninstalled."
        );
        let missing = refused(&doc, "sfLma__Status__c", Value::Null);
        assert!(missing.starts_with("sfLma__Status__c: "), "{missing}");
        let malformed = refused(&doc, "sfLma__Package_Version__c", Value::from("04t12"));
        assert!(malformed.contains("15 or 18 characters"), "{malformed}");
        let mut wrong_checksum = license.package_version_id.to18().to_string();
        let last = wrong_checksum.pop().unwrap();
        wrong_checksum.push(if last == 'A' { 'B' } else { 'A' });
        let checksum = refused(
            &doc,
            "sfLma__Package_Version__c",
            Value::from(wrong_checksum),
        );
        assert!(checksum.contains("don't match"), "{checksum}");
        let prefix = refused(
            &doc,
            "sfLma__Package_Version__c",
            Value::from(license.package_id.to18()),
        );
        assert!(prefix.contains("04t"), "{prefix}");
        let date = refused(&doc, "sfLma__Install_Date__c", Value::from("31/12/2026"));
        assert!(date.starts_with("sfLma__Install_Date__c: "), "{date}");
        let boolean = refused(&doc, "sfLma__Is_Sandbox__c", Value::from("maybe"));
        assert!(boolean.contains("true or false"), "{boolean}");
        let version = refused(&doc, "sfLma__Version_Number__c", Value::from("one"));
        assert!(
            version.starts_with("sfLma__Version_Number__c: "),
            "{version}"
        );
        let name = refused(&doc, "Name", Value::from("License 7"));
        assert!(name.starts_with("Name: "), "{name}");
        let used = refused(&doc, "sfLma__Used_Licenses__c", Value::from(-3));
        assert!(used.contains("whole number"), "{used}");
        let object = refused(&doc, "sfLma__Instance__c", serde_json::json!({"a": 1}));
        assert!(object.contains("single value"), "{object}");
        let org_status = refused(&doc, "sfLma__Org_Status__c", Value::from("Gone"));
        assert!(org_status.contains("Org Status"), "{org_status}");
    }

    #[test]
    fn the_document_must_agree_with_its_id_and_type() {
        let (license, doc) = license_doc();
        let reason = refused(&doc, TYPE_FIELD, Value::from("sfLma__Package__c"));
        assert!(reason.contains("type"), "{reason}");
        let mut untyped = doc.clone();
        untyped.as_object_mut().unwrap().remove(TYPE_FIELD);
        assert!(decode(&untyped).unwrap_err().contains("no type"));

        let other = SfId::generate(KeyPrefix::License, 999_999);
        let reason = refused(&doc, "Id", Value::from(other.to18()));
        assert_eq!(
            reason,
            format!(
                "its _id names {} but its Id is {}",
                license.id.to18(),
                other.to18()
            )
        );
        let reason = refused(&doc, "Id", Value::from("a0Lxyz"));
        assert!(reason.starts_with("Id: "), "{reason}");
        let reason = refused(&doc, "_id", Value::from("Opportunity:006000000000001"));
        assert!(reason.contains("names no License Desk object"), "{reason}");
        assert_eq!(
            decode(&Value::from("a license")),
            Err("it is not a JSON object".to_string())
        );
        // A license document whose `_id` says it is a package.
        let reason = refused(
            &doc,
            "_id",
            Value::from(format!("sfLma__Package__c:{}", license.package_id.to18())),
        );
        assert!(reason.contains("type"), "{reason}");
    }

    #[test]
    fn date_times_keep_their_precision() {
        let (mut license, _) = license_doc();
        let day = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        for at in [
            day.and_hms_opt(3, 4, 5).unwrap(),
            day.and_hms_milli_opt(3, 4, 5, 7).unwrap(),
            day.and_hms_micro_opt(23, 59, 59, 123_456).unwrap(),
            day.and_hms_nano_opt(0, 0, 0, 1).unwrap(),
        ] {
            license.information_current_as_of = at;
            let doc = document(&SyncRecord::License(license.clone()));
            assert_eq!(decode(&doc), Ok(SyncRecord::License(license.clone())));
        }
        assert_eq!(
            date_time_text(day.and_hms_milli_opt(3, 4, 5, 7).unwrap()),
            "2026-01-02T03:04:05.007Z"
        );
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let (license, mut doc) = license_doc();
        doc["Notes"] = Value::from("Called the customer on Monday");
        doc["seats"] = Value::from(-7);
        doc["Admin__c"] = serde_json::json!({"reviewed": true});
        assert_eq!(decode(&doc), Ok(SyncRecord::License(license)));
    }

    #[test]
    fn doc_ids_name_the_object_and_the_record() {
        for store in SYNCED_STORES {
            let id = doc_id(store, "a0L000000000001AAA").unwrap();
            assert_eq!(
                parse_doc_id(&id),
                Some((store, "a0L000000000001AAA".to_string()))
            );
        }
        assert_eq!(doc_id(StoreName::AlertRules, "x"), None);
        assert_eq!(parse_doc_id("sfLma__License__c:"), None);
        assert_eq!(parse_doc_id("no colon"), None);
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            "\\PC{0,20}".prop_map(Value::from),
            "[a-zA-Z0-9]{15,18}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map("[a-zA-Z_]{1,12}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn decode_of_any_json_never_panics(doc in any_json()) {
            let _ = decode(&doc);
        }

        #[test]
        fn decode_of_a_damaged_document_never_panics(
            kind in 0usize..9,
            field in any::<prop::sample::Index>(),
            value in any_json(),
        ) {
            let desk = demo_once();
            let all = records(desk);
            let of_kind: Vec<&SyncRecord> =
                all.iter().filter(|r| r.store() == SYNCED_STORES[kind]).collect();
            let mut doc = document(of_kind[0]);
            let names: Vec<String> = doc.as_object().unwrap().keys().cloned().collect();
            let name = field.get(&names).clone();
            doc[name.as_str()] = value;
            if let Ok(record) = decode(&doc) {
                // Whatever is accepted is a record that encodes again.
                prop_assert!(encode(&record).is_ok());
            }
        }
    }

    fn demo_once() -> &'static DemoData {
        static DEMO: std::sync::OnceLock<DemoData> = std::sync::OnceLock::new();
        DEMO.get_or_init(demo)
    }
}

#[cfg(test)]
mod author_tests {
    use super::tests::demo;
    use super::*;
    use crate::domain::{seed_users, Seats};

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(11, 0, 0)
            .unwrap()
    }

    fn user(profile: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == profile)
            .unwrap()
    }

    /// A license edited on another desk by `by`.
    fn modified(license: &License, by: &User) -> License {
        let mut changed = license.clone();
        changed.seats = Seats::count(77).unwrap();
        changed.last_modified = Stamp::user(&by.id, now());
        changed
    }

    fn check(record: SyncRecord, previous: SyncRecord) -> Result<(), String> {
        check_author(&record, Some(&previous), &seed_users())
    }

    #[test]
    fn only_profiles_that_modify_licenses_may_change_one() {
        let license = demo().licenses[0].clone();
        let before = SyncRecord::License(license.clone());
        for profile in [Profile::SystemAdministrator, Profile::LicenseManager] {
            let after = SyncRecord::License(modified(&license, &user(profile)));
            assert_eq!(check(after, before.clone()), Ok(()), "{profile}");
        }
        let rep = check(
            SyncRecord::License(modified(&license, &user(Profile::SalesRep))),
            before.clone(),
        )
        .unwrap_err();
        assert_eq!(rep, "It was changed by Priya Shah: The Sales Rep profile can't modify licenses. Ask a user with the System Administrator or License Manager profile to do it.");
        let read_only = check(
            SyncRecord::License(modified(&license, &user(Profile::ReadOnly))),
            before.clone(),
        )
        .unwrap_err();
        assert!(read_only.contains("Read Only profile"), "{read_only}");
        // The same license, unchanged, needs nobody.
        assert_eq!(check(before.clone(), before.clone()), Ok(()));
        // Nor does a new license the License Management App made.
        let mut installed = license.clone();
        installed.last_modified = Stamp::system(now());
        assert_eq!(
            check_author(&SyncRecord::License(installed), None, &seed_users()),
            Ok(())
        );
    }

    #[test]
    fn an_inactive_users_earlier_change_still_counts() {
        // Made while Dana was an active License Manager; it arrives later.
        let dana = seed_users().into_iter().find(|u| !u.active).unwrap();
        assert_eq!(dana.profile, Profile::LicenseManager);
        let license = demo().licenses[0].clone();
        assert_eq!(
            check(
                SyncRecord::License(modified(&license, &dana)),
                SyncRecord::License(license)
            ),
            Ok(())
        );
    }

    #[test]
    fn an_unknown_author_is_refused() {
        let license = demo().licenses[0].clone();
        let stranger = User {
            id: SfId::generate(KeyPrefix::User, 4_242),
            name: "Mallory".into(),
            email: String::new(),
            profile: Profile::SystemAdministrator,
            active: true,
        };
        let reason = check(
            SyncRecord::License(modified(&license, &stranger)),
            SyncRecord::License(license),
        )
        .unwrap_err();
        assert!(reason.contains(stranger.id.to18()), "{reason}");
        assert!(reason.contains("not a user of this desk"), "{reason}");
    }

    #[test]
    fn the_system_and_lead_conversion_may_touch_a_license() {
        let desk = demo();
        let license = desk.licenses[0].clone();
        let rep = user(Profile::SalesRep);
        // A Sales Rep converting the lead links its licenses.
        let mut linked = license.clone();
        linked.account_id = Some(desk.accounts[0].id.clone());
        linked.contact_id = Some(desk.contacts[0].id.clone());
        linked.last_modified = Stamp::user(&rep.id, now());
        let before = SyncRecord::License(license.clone());
        assert_eq!(
            check(SyncRecord::License(linked.clone()), before.clone()),
            Ok(())
        );
        let mut read_only_link = linked.clone();
        read_only_link.last_modified = Stamp::user(&user(Profile::ReadOnly).id, now());
        let reason = check(SyncRecord::License(read_only_link), before.clone()).unwrap_err();
        assert!(reason.contains("convert leads"), "{reason}");
        // ...but linking and changing seats at once is a modification.
        linked.seats = Seats::count(12_345).unwrap();
        assert!(check(SyncRecord::License(linked), before.clone()).is_err());
        // A refresh moves only the sync time and keeps Last Modified, even
        // when a Sales Rep was the last to change the license.
        let mut by_rep = license.clone();
        by_rep.last_modified = Stamp::user(&rep.id, now());
        let mut refreshed = by_rep.clone();
        refreshed.information_current_as_of = now();
        assert_eq!(
            check(SyncRecord::License(refreshed), SyncRecord::License(by_rep)),
            Ok(())
        );
        // An uninstall is the system's.
        let mut gone = license.clone();
        gone.status = crate::domain::LicenseStatus::Uninstalled;
        gone.last_modified = Stamp::system(now());
        assert_eq!(check(SyncRecord::License(gone), before), Ok(()));
    }

    #[test]
    fn nobody_changes_an_existing_package_version() {
        let version = demo().versions[0].clone();
        let before = SyncRecord::PackageVersion(version.clone());
        let mut renamed = version.clone();
        renamed.name = "Renamed".into();
        let reason = check(SyncRecord::PackageVersion(renamed), before.clone()).unwrap_err();
        assert!(reason.contains("read-only for every user"), "{reason}");
        let mut beta = version.clone();
        beta.beta = !beta.beta;
        assert!(check(SyncRecord::PackageVersion(beta), before.clone()).is_err());
        assert_eq!(check(before.clone(), before.clone()), Ok(()));
        assert_eq!(check_author(&before, None, &[]), Ok(()));
    }

    #[test]
    fn package_changes_need_their_own_permission() {
        let package = demo().packages[0].clone();
        let before = SyncRecord::Package(package.clone());
        let manager = user(Profile::LicenseManager);
        let mut lead_manager = package.clone();
        lead_manager.lead_manager = Some(manager.id.clone());
        lead_manager.last_modified = Stamp::user(&manager.id, now());
        assert_eq!(
            check(SyncRecord::Package(lead_manager.clone()), before.clone()),
            Ok(())
        );
        let mut renamed = lead_manager.clone();
        renamed.developer_name = "Someone else".into();
        let reason = check(SyncRecord::Package(renamed.clone()), before.clone()).unwrap_err();
        assert!(reason.contains("can't edit packages"), "{reason}");
        renamed.last_modified = Stamp::user(&user(Profile::SystemAdministrator).id, now());
        assert_eq!(check(SyncRecord::Package(renamed), before.clone()), Ok(()));
        let mut refreshed = package.clone();
        refreshed.last_refresh = Some(now());
        refreshed.last_modified = Stamp::user(&user(Profile::SalesRep).id, now());
        let reason = check(SyncRecord::Package(refreshed), before).unwrap_err();
        assert!(reason.contains("refresh licenses"), "{reason}");
    }

    #[test]
    fn leads_accounts_and_history_follow_the_permission_table() {
        let desk = demo();
        let lead = desk.leads.iter().find(|l| l.converted.is_none()).unwrap();
        let mut working = lead.clone();
        working.status = crate::domain::LeadStatus::Working;
        working.last_modified = Stamp::user(&user(Profile::SalesRep).id, now());
        let before = SyncRecord::Lead(lead.clone());
        assert_eq!(
            check(SyncRecord::Lead(working.clone()), before.clone()),
            Ok(())
        );
        working.last_modified = Stamp::user(&user(Profile::LicenseManager).id, now());
        let reason = check(SyncRecord::Lead(working), before).unwrap_err();
        assert!(reason.contains("can't edit leads"), "{reason}");

        let mut account = desk.accounts[0].clone();
        account.created = Stamp::user(&user(Profile::ReadOnly).id, now());
        assert!(check_author(&SyncRecord::Account(account.clone()), None, &seed_users()).is_err());
        account.created = Stamp::user(&user(Profile::SalesRep).id, now());
        assert_eq!(
            check_author(&SyncRecord::Account(account), None, &seed_users()),
            Ok(())
        );

        let mut entry = desk.history[0].clone();
        entry.by = user(Profile::SalesRep).id.clone();
        assert!(check_author(&SyncRecord::History(entry.clone()), None, &seed_users()).is_err());
        entry.by = user(Profile::LicenseManager).id.clone();
        let written = SyncRecord::History(entry.clone());
        assert_eq!(check_author(&written, None, &seed_users()), Ok(()));
        assert_eq!(check(written.clone(), written.clone()), Ok(()));
        entry.new_value = "1,000,000".into();
        let reason = check(SyncRecord::History(entry), written).unwrap_err();
        assert!(reason.contains("never changed"), "{reason}");
    }
}
