//! A record as a CouchDB document that a person can read: `_id` is the LMA
//! object's API name and the record's Id (`sfLma__License__c:a0B...`), the
//! fields carry the LMA's API names, and `type` names the object.
//!
//! Coming back, a document is untrusted input: it is read through the
//! domain's types (their `Deserialize` goes through each value's `parse`),
//! and one that the domain refuses is never a record.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::domain::{
    Account, Contact, HistoryEntry, InstallEvent, Lead, License, Package, PackageVersion, User,
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
    Some(match store {
        StoreName::Users => "User",
        StoreName::Packages => "sfLma__Package__c",
        StoreName::PackageVersions => "sfLma__Package_Version__c",
        StoreName::Accounts => "Account",
        StoreName::Contacts => "Contact",
        StoreName::Leads => "Lead",
        StoreName::Licenses => "sfLma__License__c",
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

/// The record's field names (its serde names) and the API names its
/// documents use, per store. A field not listed keeps its own name.
fn api_names(store: StoreName) -> &'static [(&'static str, &'static str)] {
    match store {
        StoreName::Licenses => &[
            ("id", "Id"),
            ("name", "Name"),
            ("status", "sfLma__Status__c"),
            ("seats", "sfLma__Seats__c"),
            ("used_licenses", "sfLma__Used_Licenses__c"),
            ("expiration", "sfLma__Expiration__c"),
            ("install_date", "sfLma__Install_Date__c"),
            (
                "information_current_as_of",
                "sfLma__Licensed_Information_Current_As_Of__c",
            ),
            ("instance", "sfLma__Instance__c"),
            ("org_edition", "sfLma__Org_Edition__c"),
            ("org_status", "sfLma__Org_Status__c"),
            ("org_expiration_date", "sfLma__Org_Expiration_Date__c"),
            ("sandbox", "sfLma__Is_Sandbox__c"),
            ("subscriber_org_id", "sfLma__Subscriber_Org_ID__c"),
            ("package_id", "sfLma__Package__c"),
            ("package_version_id", "sfLma__Package_Version__c"),
            ("version_number", "sfLma__Version_Number__c"),
            ("lead_id", "sfLma__Lead__c"),
            ("account_id", "sfLma__Account__c"),
            ("contact_id", "sfLma__Contact__c"),
            ("license_type", "sfLma__License_Type__c"),
            ("created", "Created"),
            ("last_modified", "LastModified"),
        ],
        _ => &[("id", "Id")],
    }
}

fn encode_as<T: Serialize>(store: StoreName, record: &T) -> Result<Value, String> {
    let Value::Object(fields) = serde_json::to_value(record).map_err(|e| e.to_string())? else {
        return Err(format!("a {} is not a JSON object", store.label()));
    };
    let names = api_names(store);
    let mut doc = Map::new();
    doc.insert(
        TYPE_FIELD.to_string(),
        Value::from(object_name(store).unwrap_or_default()),
    );
    for (field, value) in fields {
        let name = names
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(field, |(_, api)| (*api).to_string());
        doc.insert(name, value);
    }
    Ok(Value::Object(doc))
}

/// The document body of `record`: its fields by API name and `type`
/// (no `_id`, `_rev` or `_revisions`: the replication adds those).
pub fn encode(record: &SyncRecord) -> Result<Value, String> {
    let store = record.store();
    match record {
        SyncRecord::User(r) => encode_as(store, r),
        SyncRecord::Package(r) => encode_as(store, r),
        SyncRecord::PackageVersion(r) => encode_as(store, r),
        SyncRecord::Account(r) => encode_as(store, r),
        SyncRecord::Contact(r) => encode_as(store, r),
        SyncRecord::Lead(r) => encode_as(store, r),
        SyncRecord::License(r) => encode_as(store, r),
        SyncRecord::History(r) => encode_as(store, r),
        SyncRecord::InstallEvent(r) => encode_as(store, r),
    }
}

fn decode_as<T: Record + DeserializeOwned>(
    doc: &Map<String, Value>,
    key: &str,
) -> Result<T, String> {
    let names = api_names(T::STORE);
    let mut fields = Map::new();
    for (name, value) in doc {
        if name.starts_with('_') || name == TYPE_FIELD {
            continue;
        }
        let field = names
            .iter()
            .find(|(_, api)| *api == name)
            .map_or(name.clone(), |(f, _)| (*f).to_string());
        fields.insert(field, value.clone());
    }
    let record: T = serde_json::from_value(Value::Object(fields)).map_err(|e| e.to_string())?;
    if record.key() != key {
        return Err(format!(
            "its _id names {key} but its Id is {}",
            record.key()
        ));
    }
    Ok(record)
}

/// The record a document holds, or why it is not one this desk can store.
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
    Ok(match store {
        StoreName::Users => SyncRecord::User(decode_as(doc, &key)?),
        StoreName::Packages => SyncRecord::Package(decode_as(doc, &key)?),
        StoreName::PackageVersions => SyncRecord::PackageVersion(decode_as(doc, &key)?),
        StoreName::Accounts => SyncRecord::Account(decode_as(doc, &key)?),
        StoreName::Contacts => SyncRecord::Contact(decode_as(doc, &key)?),
        StoreName::Leads => SyncRecord::Lead(decode_as(doc, &key)?),
        StoreName::Licenses => SyncRecord::License(decode_as(doc, &key)?),
        StoreName::LicenseHistory => SyncRecord::History(decode_as(doc, &key)?),
        StoreName::InstallEvents => SyncRecord::InstallEvent(decode_as(doc, &key)?),
        other => return Err(format!("{} records do not sync", other.label())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{build_demo_data, DemoData, DemoSize};
    use chrono::NaiveDate;

    fn demo() -> DemoData {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        build_demo_data(today, today.and_hms_opt(9, 0, 0).unwrap(), DemoSize::Normal)
    }

    #[test]
    fn a_demo_license_round_trips_with_api_names() {
        let desk = demo();
        let license = desk.licenses[0].clone();
        let record = SyncRecord::License(license.clone());
        let mut doc = encode(&record).unwrap();
        assert_eq!(doc["type"], "sfLma__License__c");
        assert!(doc.get("sfLma__Seats__c").is_some());
        doc["_id"] = Value::from(record.doc_id());
        assert_eq!(decode(&doc), Ok(SyncRecord::License(license)));
    }

    #[test]
    fn a_document_with_bad_seats_is_refused_with_the_domains_reason() {
        let desk = demo();
        let record = SyncRecord::License(desk.licenses[0].clone());
        let mut doc = encode(&record).unwrap();
        doc["_id"] = Value::from(record.doc_id());
        doc["sfLma__Seats__c"] = Value::from(99_000_001);
        let reason = decode(&doc).unwrap_err();
        assert!(reason.contains("99,000,000"), "{reason}");
    }
}
