//! What each list's "Export CSV" writes: the records behind the rows the
//! list shows, in the list's order, written by `exchange::export` (API-name
//! headers, the formats the import reads back).
//!
//! The Leads and Packages lists hold only what they show (names, labels), so
//! their export reads the records when asked rather than every list keeping
//! a second copy of 100,000 leads in memory.

use std::collections::HashMap;

use thiserror::Error;

use super::leads::LeadRow;
use super::licenses::LicenseList;
use super::packages::PackageRow;
use crate::domain::{Account, Lead, License, Package, PackageVersion, SfId};
use crate::exchange::{self, ExportError};
use crate::storage::{Repository, StorageError};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExportFailed {
    #[error("The records to export could not be read: {0}")]
    Read(#[from] StorageError),
    #[error(transparent)]
    Write(#[from] ExportError),
    /// The rows on screen and the records differ: a commit (in this tab or
    /// another) landed between the list's read and the export's.
    #[error("The list changed while it was being exported. Press Export CSV again.")]
    ListChanged,
}

/// The records of `ids` (18-character IDs, as list rows keep them), in that
/// order; [`ExportFailed::ListChanged`] when one of them is gone.
pub fn in_list_order<T, S>(
    records: &[T],
    ids: impl IntoIterator<Item = S>,
    id_of: impl Fn(&T) -> &SfId,
) -> Result<Vec<&T>, ExportFailed>
where
    S: AsRef<str>,
{
    let by_id: HashMap<&str, &T> = records.iter().map(|r| (id_of(r).to18(), r)).collect();
    ids.into_iter()
        .map(|id| {
            by_id
                .get(id.as_ref())
                .copied()
                .ok_or(ExportFailed::ListChanged)
        })
        .collect()
}

/// The Licenses list's export: the licenses of the rows at `shown` (every
/// row the search and filters select, in the list's sort, not only the ones
/// drawn on screen), read when asked: the list keeps only its rows.
pub async fn shown_licenses_csv<R: Repository>(
    repo: &R,
    list: &LicenseList,
    shown: &[u32],
) -> Result<String, ExportFailed> {
    let ids = shown
        .iter()
        .map(|&i| list.row(i).map(|r| r.id.clone()))
        .collect::<Option<Vec<String>>>()
        .ok_or(ExportFailed::ListChanged)?;
    let licenses = repo
        .get_many::<License>(&ids)
        .await?
        .into_iter()
        .map(|found| found.map(|s| s.record))
        .collect::<Option<Vec<License>>>()
        .ok_or(ExportFailed::ListChanged)?;
    Ok(exchange::licenses_csv(&licenses)?)
}

/// The Leads list's export: the leads of `rows`, in their order.
pub async fn leads_csv<R: Repository>(repo: &R, rows: &[LeadRow]) -> Result<String, ExportFailed> {
    let leads = repo.list_records::<Lead>().await?;
    let shown = in_list_order(&leads, rows.iter().map(|r| r.id.as_str()), |l| &l.id)?;
    Ok(exchange::leads_csv(shown)?)
}

/// The Packages list's export: the packages of `rows`, in their order, with
/// their Latest Version.
pub async fn packages_csv<R: Repository>(
    repo: &R,
    rows: &[PackageRow],
) -> Result<String, ExportFailed> {
    let packages = repo.list_records::<Package>().await?;
    let versions = repo.list_records::<PackageVersion>().await?;
    let shown = in_list_order(&packages, rows.iter().map(|r| r.id.as_str()), |p| &p.id)?;
    Ok(exchange::packages_csv(shown, &versions)?)
}

/// Every account (accounts come from converting leads and have no list page
/// of their own), by name.
pub async fn accounts_csv<R: Repository>(repo: &R) -> Result<String, ExportFailed> {
    let mut accounts = repo.list_records::<Account>().await?;
    crate::sort::sort_by(&mut accounts, |a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(exchange::accounts_csv(&accounts)?)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveDateTime};
    use futures::executor::block_on;

    use super::*;
    use crate::demo::{build_demo_data, save_demo_data, DemoData, DemoSize};
    use crate::domain::LicenseStatus;
    use crate::services::leads::{lead_rows, visible_leads};
    use crate::services::licenses::{
        load_list_rows, LicenseQuery, Sort, SortColumn, SortDirection,
    };
    use crate::services::packages::{load_package_rows, load_users};
    use crate::storage::MemoryRepository;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn now() -> NaiveDateTime {
        today().and_hms_opt(9, 0, 0).unwrap()
    }

    fn demo() -> DemoData {
        build_demo_data(today(), now(), DemoSize::Normal)
    }

    fn desk(data: DemoData) -> MemoryRepository {
        let repo = MemoryRepository::new();
        block_on(save_demo_data(&repo, data)).unwrap();
        repo
    }

    /// The header and the rows of a CSV file, as a spreadsheet reads them.
    fn read(csv: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    fn column(header: &[String], name: &str) -> usize {
        header.iter().position(|h| h == name).unwrap()
    }

    #[test]
    fn the_licenses_export_is_every_filtered_row_in_the_lists_sort() {
        let repo = desk(demo());
        let (list, _) = block_on(load_list_rows(&repo)).unwrap();
        let query = LicenseQuery {
            status: Some(LicenseStatus::Active),
            sort: Sort {
                column: SortColumn::Seats,
                direction: SortDirection::Descending,
            },
            ..LicenseQuery::default()
        };
        let shown = list.filter(&list.sorted(query.sort), &query, today());
        assert!(
            shown.len() > 1 && shown.len() < list.len(),
            "{}",
            shown.len()
        );

        let (header, rows) = read(&block_on(shown_licenses_csv(&repo, &list, &shown)).unwrap());
        assert_eq!(
            header[..4],
            ["Id", "Name", "sfLma__Status__c", "sfLma__Seats__c"]
        );
        assert_eq!(rows.len(), shown.len());
        let status = column(&header, "sfLma__Status__c");
        assert!(rows.iter().all(|r| r[status] == "Active"));
        let expected: Vec<String> = shown
            .iter()
            .map(|&i| list.row(i).unwrap().name.clone())
            .collect();
        let names: Vec<String> = rows.iter().map(|r| r[1].clone()).collect();
        assert_eq!(names, expected);

        // Nothing selected: the header alone.
        let (header, rows) = read(&block_on(shown_licenses_csv(&repo, &list, &[])).unwrap());
        assert_eq!(header.len(), 20);
        assert!(rows.is_empty());
    }

    #[test]
    fn a_licenses_list_of_another_load_is_not_exported_as_this_one() {
        let repo = desk(demo());
        let (list, _) = block_on(load_list_rows(&repo)).unwrap();
        let all: Vec<u32> = (0..list.len() as u32).collect();
        assert!(block_on(shown_licenses_csv(&repo, &list, &all)).is_ok());

        // A license deleted since the list was read.
        let gone = list.row(0).unwrap().id.clone();
        block_on(repo.delete::<License>(&gone, crate::storage::Expect::Any)).unwrap();
        assert_eq!(
            block_on(shown_licenses_csv(&repo, &list, &all[..1])),
            Err(ExportFailed::ListChanged)
        );
        // An index past the list.
        assert_eq!(
            block_on(shown_licenses_csv(&repo, &list, &[list.len() as u32])),
            Err(ExportFailed::ListChanged)
        );
    }

    #[test]
    fn the_leads_export_follows_the_list_hiding_converted_leads() {
        let repo = desk(demo());
        let leads = block_on(repo.all_records::<Lead>()).unwrap();
        let users = block_on(load_users(&repo)).unwrap();
        let all = lead_rows(&leads, &users);
        let open = visible_leads(&all, false);
        assert!(open.len() < all.len(), "the demo converts some leads");

        let (header, rows) = read(&block_on(leads_csv(&repo, &open)).unwrap());
        assert_eq!(header[0], "Id");
        let converted = column(&header, "IsConverted");
        assert_eq!(rows.len(), open.len());
        assert!(rows.iter().all(|r| r[converted] == "false"));
        let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        let expected: Vec<&str> = open.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, expected);

        let (_, rows) = read(&block_on(leads_csv(&repo, &all)).unwrap());
        assert_eq!(rows.len(), all.len());
        assert!(rows.iter().any(|r| r[converted] == "true"));
    }

    #[test]
    fn a_company_written_as_a_formula_is_exported_as_text() {
        let mut data = demo();
        data.leads[0].company = "=HYPERLINK(\"http://evil.example\",\"x\")".into();
        data.leads[1].company = "-1".into();
        let repo = desk(data);
        let leads = block_on(repo.all_records::<Lead>()).unwrap();
        let users = block_on(load_users(&repo)).unwrap();
        let rows = lead_rows(&leads, &users);
        let (header, cells) = read(&block_on(leads_csv(&repo, &rows)).unwrap());
        let company = column(&header, "Company");
        let companies: Vec<&str> = cells.iter().map(|r| r[company].as_str()).collect();
        assert!(companies.contains(&"'=HYPERLINK(\"http://evil.example\",\"x\")"));
        assert!(companies.contains(&"'-1"));
        assert!(!companies
            .iter()
            .any(|c| c.starts_with(['=', '+', '-', '@'])));
    }

    #[test]
    fn the_packages_export_follows_the_list_with_latest_versions() {
        let repo = desk(demo());
        let rows = block_on(load_package_rows(&repo)).unwrap();
        let (header, cells) = read(&block_on(packages_csv(&repo, &rows)).unwrap());
        assert_eq!(cells.len(), rows.len());
        let latest = column(&header, "sfLma__Latest_Version__c");
        for (row, cells) in rows.iter().zip(&cells) {
            assert_eq!(cells[0], row.id);
            assert_eq!(cells[1], row.name);
            assert_eq!(cells[latest], row.latest_version);
        }
        // Two rows of the list: two packages, in the list's order.
        let two = [rows[1].clone(), rows[0].clone()];
        let (_, cells) = read(&block_on(packages_csv(&repo, &two)).unwrap());
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0][0], rows[1].id);
    }

    #[test]
    fn a_row_whose_record_is_gone_fails_the_export_instead_of_dropping_it() {
        let licenses: Vec<License> = demo().licenses.into_iter().take(3).collect();
        let ids: Vec<String> = licenses.iter().map(|l| l.id.to18().to_string()).collect();
        let ordered = in_list_order(&licenses, ids.iter().rev(), |l| &l.id).unwrap();
        assert_eq!(ordered[0].id, licenses[2].id);
        assert_eq!(
            in_list_order(&licenses[..2], &ids, |l| &l.id),
            Err(ExportFailed::ListChanged)
        );
    }

    #[test]
    fn accounts_export_every_account_by_name() {
        let data = demo();
        let count = data.accounts.len();
        assert!(count > 0);
        let repo = desk(data);
        let (header, rows) = read(&block_on(accounts_csv(&repo)).unwrap());
        assert_eq!(header, ["Id", "Name"]);
        assert_eq!(rows.len(), count);
        let names: Vec<String> = rows.iter().map(|r| r[1].to_lowercase()).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]));
    }
}
