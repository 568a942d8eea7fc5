//! Exports: every list as CSV with API-name headers, in the formats the
//! import reads, so exporting everything and importing it into an empty desk
//! gives the same records.
//!
//! Each object's header and cells come from one function pair here; the
//! import compares records through the same cells to tell what changed.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;

use crate::domain::{
    latest_version, Account, Contact, HistoryEntry, InstallEvent, InstallOutcome, Lead, License,
    Package, PackageVersion, SfId,
};

use super::cells::{self, Cell, Field};
use super::columns::ObjectKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError(String);

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "The CSV file could not be written: {}", self.0)
    }
}

impl std::error::Error for ExportError {}

/// The type a CSV download is offered as.
pub const CSV_MIME: &str = "text/csv;charset=utf-8";

/// `<list>-<yyyy-mm-dd>.csv`: the list's name in lowercase words joined by
/// hyphens ("Install Log" on 2026-12-01 gives `install-log-2026-12-01.csv`),
/// so a day's exports sort together and no name needs quoting in a shell.
pub fn file_name(list: &str, today: NaiveDate) -> String {
    let words: Vec<String> = list
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let list = if words.is_empty() {
        "export".to_string()
    } else {
        words.join("-")
    };
    format!("{list}-{}.csv", today.format("%Y-%m-%d"))
}

/// The header of an object's export: the API name of every field.
pub fn header(kind: ObjectKind) -> Vec<&'static str> {
    kind.columns().iter().map(|c| c.names[0]).collect()
}

fn id(id: &SfId) -> Cell<'_> {
    Cell::text(id.to18())
}

fn opt_id(id: Option<&SfId>) -> Cell<'_> {
    Cell::text(id.map_or("", SfId::to18))
}

/// A license's cells, in [`header`]`(License)` order.
pub fn license_cells(l: &License) -> Vec<Cell<'_>> {
    vec![
        id(&l.id),
        Cell::text(l.name.to_string()),
        Cell::text(l.status.label()),
        Cell::Number(l.seats.to_csv()),
        cells::opt_number(l.used_licenses),
        Cell::text(l.expiration.to_csv()),
        cells::date(l.install_date),
        Cell::text(l.instance.as_str()),
        Cell::text(l.org_edition.as_str()),
        Cell::text(l.org_status.label()),
        cells::opt_date(l.org_expiration_date),
        cells::boolean(l.sandbox),
        Cell::text(l.subscriber_org_id.to15()),
        id(&l.package_version_id),
        Cell::text(l.version_number.to_string()),
        opt_id(l.lead_id.as_ref()),
        opt_id(l.account_id.as_ref()),
        opt_id(l.contact_id.as_ref()),
        Cell::text(l.license_type.label()),
        id(&l.package_id),
    ]
}

/// A package's cells; `latest` is its Latest Version (derived, written for
/// reading, ignored on import).
pub fn package_cells<'a>(p: &'a Package, latest: Option<&PackageVersion>) -> Vec<Cell<'a>> {
    vec![
        id(&p.id),
        Cell::text(p.name.as_str()),
        id(&p.id),
        Cell::text(p.developer_name.as_str()),
        id(&p.developer_org_id),
        Cell::text(latest.map(|v| v.version.to_string()).unwrap_or_default()),
        opt_id(p.lead_manager.as_ref()),
        cells::date(p.release_date),
    ]
}

pub fn version_cells(v: &PackageVersion) -> Vec<Cell<'_>> {
    vec![
        id(&v.id),
        Cell::text(v.name.as_str()),
        id(&v.package_id),
        Cell::text(v.version.to_string()),
        id(&v.id),
        cells::boolean(v.beta),
        cells::date(v.release_date),
    ]
}

pub fn account_cells(a: &Account) -> Vec<Cell<'_>> {
    vec![id(&a.id), Cell::text(a.name.as_str())]
}

pub fn contact_cells(c: &Contact) -> Vec<Cell<'_>> {
    vec![
        id(&c.id),
        Cell::text(c.first_name.as_str()),
        Cell::text(c.last_name.as_str()),
        Cell::text(c.email.as_str()),
        id(&c.account_id),
    ]
}

pub fn lead_cells(l: &Lead) -> Vec<Cell<'_>> {
    let converted = l.converted.as_ref();
    vec![
        id(&l.id),
        Cell::text(l.first_name.as_str()),
        Cell::text(l.last_name.as_str()),
        Cell::text(l.company.as_str()),
        Cell::text(l.email.as_str()),
        Cell::text(l.lead_source.as_str()),
        Cell::text(l.status.label()),
        cells::boolean(converted.is_some()),
        opt_id(converted.map(|c| &c.account_id)),
        opt_id(converted.map(|c| &c.contact_id)),
    ]
}

/// Writes a header and rows as CSV text.
pub fn write_csv<'a, I>(header: &[&str], rows: I) -> Result<String, ExportError>
where
    I: IntoIterator<Item = Vec<Cell<'a>>>,
{
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| ExportError(e.to_string());
    writer.write_record(header).map_err(fail)?;
    for row in rows {
        writer
            .write_record(row.iter().map(Field::of))
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ExportError(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ExportError(e.to_string()))
}

pub fn licenses_csv<'a>(
    licenses: impl IntoIterator<Item = &'a License>,
) -> Result<String, ExportError> {
    write_csv(
        &header(ObjectKind::License),
        licenses.into_iter().map(license_cells),
    )
}

/// Packages with their Latest Version, taken from `versions`.
pub fn packages_csv<'a>(
    packages: impl IntoIterator<Item = &'a Package>,
    versions: &[PackageVersion],
) -> Result<String, ExportError> {
    let mut by_package: HashMap<&SfId, Vec<PackageVersion>> = HashMap::new();
    for v in versions {
        by_package.entry(&v.package_id).or_default().push(v.clone());
    }
    write_csv(
        &header(ObjectKind::Package),
        packages.into_iter().map(|p| {
            let of_package = by_package.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
            package_cells(p, latest_version(of_package))
        }),
    )
}

pub fn package_versions_csv<'a>(
    versions: impl IntoIterator<Item = &'a PackageVersion>,
) -> Result<String, ExportError> {
    write_csv(
        &header(ObjectKind::PackageVersion),
        versions.into_iter().map(version_cells),
    )
}

pub fn accounts_csv<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
) -> Result<String, ExportError> {
    write_csv(
        &header(ObjectKind::Account),
        accounts.into_iter().map(account_cells),
    )
}

pub fn contacts_csv<'a>(
    contacts: impl IntoIterator<Item = &'a Contact>,
) -> Result<String, ExportError> {
    write_csv(
        &header(ObjectKind::Contact),
        contacts.into_iter().map(contact_cells),
    )
}

pub fn leads_csv<'a>(leads: impl IntoIterator<Item = &'a Lead>) -> Result<String, ExportError> {
    write_csv(&header(ObjectKind::Lead), leads.into_iter().map(lead_cells))
}

const INSTALL_LOG: [&str; 19] = [
    "Id",
    "Type",
    "sfLma__Subscriber_Org_ID__c",
    "OrgName",
    "sfLma__Org_Edition__c",
    "sfLma__Instance__c",
    "sfLma__Org_Status__c",
    "sfLma__Org_Expiration_Date__c",
    "sfLma__Is_Sandbox__c",
    "FirstName",
    "LastName",
    "Company",
    "Email",
    "sfLma__Package__c",
    "sfLma__Package_Version__c",
    "sfLma__Version_Number__c",
    "CreatedDate",
    "Outcome",
    "Reason",
];

fn outcome_cells(outcome: &InstallOutcome) -> [Cell<'static>; 2] {
    let (label, reason) = match outcome {
        InstallOutcome::LeadAndLicenseCreated { license_id, .. } => {
            ("Lead and license created", license_id.to18().to_string())
        }
        InstallOutcome::LicenseUpdated { license_id } => {
            ("License updated", license_id.to18().to_string())
        }
        InstallOutcome::Pending { reason } => ("Pending", reason.clone()),
        InstallOutcome::Failed { reason, advice } => {
            ("Failed", format!("{reason} {}", advice.join(" ")))
        }
        InstallOutcome::NoLicense { reason } => ("No license", reason.clone()),
    };
    [Cell::text(label), Cell::text(reason)]
}

/// The Install Log (not imported: events happen in subscriber orgs).
pub fn install_log_csv<'a>(
    events: impl IntoIterator<Item = &'a InstallEvent>,
) -> Result<String, ExportError> {
    write_csv(
        &INSTALL_LOG,
        events.into_iter().map(|e| {
            let [outcome, reason] = outcome_cells(&e.outcome);
            vec![
                id(&e.id),
                Cell::text(e.kind.label()),
                Cell::text(e.org.org_id.to15()),
                Cell::text(e.org.org_name.as_str()),
                Cell::text(e.org.edition.as_str()),
                Cell::text(e.org.instance.as_str()),
                Cell::text(e.org.status.label()),
                cells::opt_date(e.org.org_expiration_date),
                cells::boolean(e.org.sandbox),
                Cell::text(e.installer.first_name.as_str()),
                Cell::text(e.installer.last_name.as_str()),
                Cell::text(e.installer.company.as_str()),
                Cell::text(e.installer.email.as_str()),
                id(&e.package_id),
                id(&e.package_version_id),
                Cell::text(e.version_number.to_string()),
                cells::date_time(e.at),
                outcome,
                reason,
            ]
        }),
    )
}

/// License History, in the columns of a Salesforce field-history export.
const HISTORY: [&str; 8] = [
    "Id",
    "ParentId",
    "Field",
    "OldValue",
    "NewValue",
    "CreatedById",
    "CreatedDate",
    "Origin",
];

pub fn history_csv<'a>(
    history: impl IntoIterator<Item = &'a HistoryEntry>,
) -> Result<String, ExportError> {
    write_csv(
        &HISTORY,
        history.into_iter().map(|h| {
            vec![
                id(&h.id),
                id(&h.license_id),
                Cell::text(h.field.label()),
                Cell::text(h.old_value.as_str()),
                Cell::text(h.new_value.as_str()),
                id(&h.by),
                cells::date_time(h.at),
                Cell::text(h.origin.label()),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_the_list_and_the_day() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(file_name("Licenses", day), "licenses-2026-12-01.csv");
        assert_eq!(file_name("Install Log", day), "install-log-2026-12-01.csv");
        assert_eq!(
            file_name("Package Versions", day),
            "package-versions-2026-12-01.csv"
        );
        assert_eq!(file_name(" / ", day), "export-2026-12-01.csv");
    }
}
