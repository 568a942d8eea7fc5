//! The license page: the license, its history newest first, and the
//! records it links to.

use super::related;
use crate::domain::{HistoryEntry, License, SfId};
use crate::services::join::join2;
use crate::storage::records::HISTORY_LICENSE;
use crate::storage::{Query, Repository, StorageError, Stored};

/// The license with this ID (15 or 18 characters), if stored. An ID that
/// can't be a Salesforce ID is simply not found.
pub async fn load_license<R: Repository>(
    repo: &R,
    id: &str,
) -> Result<Option<Stored<License>>, StorageError> {
    match SfId::parse(id) {
        Ok(id) => repo.get::<License>(id.to18()).await,
        Err(_) => Ok(None),
    }
}

/// A license's history for a change: newest first, and a damaged entry
/// refuses the change (the domain must see the whole history).
pub(super) async fn history_to_change<R: Repository>(
    repo: &R,
    license_id: &SfId,
) -> Result<Vec<HistoryEntry>, StorageError> {
    let mut history: Vec<HistoryEntry> = repo
        .find_records(HISTORY_LICENSE, Query::eq(license_id.to18()))
        .await?;
    sort_newest_first(&mut history);
    Ok(history)
}

/// A license's history as its page lists it, newest first (a damaged entry
/// is left out).
pub async fn license_history<R: Repository>(
    repo: &R,
    license_id: &SfId,
) -> Result<Vec<HistoryEntry>, StorageError> {
    let mut history: Vec<HistoryEntry> = repo
        .list_found(HISTORY_LICENSE, Query::eq(license_id.to18()))
        .await?;
    sort_newest_first(&mut history);
    Ok(history)
}

/// Newest first; entries saved together keep their form order (Expiration,
/// Seats, Status), as their IDs grow in that order.
pub fn sort_newest_first(history: &mut [HistoryEntry]) {
    crate::sort::sort_by(history, |a, b| {
        b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id))
    });
}

/// A related record shown as a link: its ID (18 characters) and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLink {
    pub id: String,
    pub name: String,
}

/// Everything the license page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseDetail {
    pub license: Stored<License>,
    /// Newest first.
    pub history: Vec<HistoryEntry>,
    pub package: Option<RecordLink>,
    /// The lead while it exists (converted leads are gone; the license keeps
    /// the lead's name in `lead_name`).
    pub lead: Option<RecordLink>,
    pub account: Option<RecordLink>,
    pub contact: Option<RecordLink>,
    /// The installed version's name while it is stored (the page shows its
    /// ID otherwise).
    pub version: Option<String>,
}

impl LicenseDetail {
    pub(super) fn new(
        license: Stored<License>,
        history: Vec<HistoryEntry>,
        links: related::Links,
    ) -> LicenseDetail {
        LicenseDetail {
            license,
            history,
            package: links.package,
            lead: links.lead,
            account: links.account,
            contact: links.contact,
            version: links.version,
        }
    }
}

/// The license page's data, or `None` when there is no such license.
pub async fn load_license_detail<R: Repository>(
    repo: &R,
    id: &str,
) -> Result<Option<LicenseDetail>, StorageError> {
    let Ok(id) = SfId::parse(id) else {
        return Ok(None);
    };
    // The license and its history need only the ID: IndexedDB serves them
    // together; the linked records (the installed version's name too) need
    // the license.
    let (license, history) = join2(load_license(repo, id.to18()), license_history(repo, &id)).await;
    let Some(license) = license? else {
        return Ok(None);
    };
    let history = history?;
    let links = related::load_links(repo, &license.record).await?;
    Ok(Some(LicenseDetail::new(license, history, links)))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::Profile;

    use crate::services::licenses::fixtures::*;
    #[allow(unused_imports)]
    use crate::services::licenses::*;
    use futures::executor::block_on;

    #[test]
    fn the_detail_has_the_history_newest_first() {
        let l = license(1);
        let repo = repo_with(&l);
        let manager = user(Profile::LicenseManager);
        let later = now() + chrono::Duration::minutes(5);
        block_on(modify_license(
            &repo,
            l.id.to18(),
            None,
            &draft("2025-12-31", "20", "Active"),
            &manager,
            today(),
            now(),
        ))
        .unwrap();
        block_on(modify_license(
            &repo,
            l.id.to18(),
            None,
            &draft("2025-12-31", "30", "Active"),
            &manager,
            today(),
            later,
        ))
        .unwrap();
        let detail = block_on(load_license_detail(&repo, l.id.to15()))
            .unwrap()
            .unwrap();
        assert_eq!(detail.license.rev, 3);
        let news: Vec<_> = detail
            .history
            .iter()
            .map(|h| h.new_value.as_str())
            .collect();
        assert_eq!(news, vec!["30", "20"]);
    }
}
