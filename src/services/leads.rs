//! Leads, and the Accounts and Contacts converted leads become: the list and
//! detail read models, and the Convert workflow.
//!
//! Converting a lead writes the lead (now converted), the new Account and
//! Contact, every license of the lead (linked to both) and the ID counters
//! in one `WriteBatch`; each existing record expects the revision it was
//! read at, so a lead or license saved in another tab meanwhile makes the
//! whole conversion fail with a conflict and nothing is written.

use chrono::NaiveDateTime;
use thiserror::Error;

use crate::domain::{
    convert_lead as apply_conversion, Account, Contact, ConvertLeadError, Field, Lead, LeadOwner,
    License, Package, SfId, User,
};
use crate::storage::records::{CONTACT_ACCOUNT, LICENSE_ACCOUNT, LICENSE_LEAD};
use crate::storage::{
    commit_with_counters, conversion_batch, Query, Repository, StorageError, StoreName, Stored,
};

use super::packages::{
    load_users, sort_licenses_by_name, stamp_text, user_name, UsersById, LICENSE_MANAGEMENT_APP,
};

fn parse_id(id: &str) -> Option<SfId> {
    SfId::parse(id.trim()).ok()
}

/// "Lead Owner": the user's name, or the License Management App.
pub fn owner_name(users: &UsersById, owner: &LeadOwner) -> String {
    match owner {
        LeadOwner::User(id) => user_name(users, id),
        LeadOwner::LicenseManagementApp => LICENSE_MANAGEMENT_APP.to_string(),
    }
}

/// A related record shown as a link: its 18-character ID and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub id: String,
    pub name: String,
}

async fn package_link<R: Repository>(repo: &R, id: &SfId) -> Result<Link, StorageError> {
    let name = repo
        .get_shown::<Package>(id.to18())
        .await?
        .map_or_else(|| id.to15().to_string(), |p| p.name.to_string());
    Ok(Link {
        id: id.to18().to_string(),
        name,
    })
}

// ---------------------------------------------------------------------------
// Lead list
// ---------------------------------------------------------------------------

/// One row of the Leads list view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRow {
    pub id: String,
    pub name: String,
    pub company: String,
    pub email: String,
    pub owner: String,
    pub status: String,
    pub source: String,
    pub converted: bool,
}

/// Rows by Name (case-insensitive), then ID.
pub fn lead_rows(leads: &[Lead], users: &UsersById) -> Vec<LeadRow> {
    let mut rows: Vec<LeadRow> = leads
        .iter()
        .map(|l| LeadRow {
            id: l.id.to18().to_string(),
            name: l.full_name(),
            company: l.company.clone(),
            email: l.email.clone(),
            owner: owner_name(users, &l.owner),
            status: l.status.label().to_string(),
            source: l.lead_source.clone(),
            converted: l.is_converted(),
        })
        .collect();
    crate::sort::sort_by(&mut rows, |a, b| {
        a.name
            .to_lowercase()
            .cmp(&b.name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

/// The rows the list shows: converted leads leave the list unless asked for.
pub fn visible_leads(rows: &[LeadRow], show_converted: bool) -> Vec<LeadRow> {
    rows.iter()
        .filter(|r| show_converted || !r.converted)
        .cloned()
        .collect()
}

pub async fn load_lead_rows<R: Repository>(repo: &R) -> Result<Vec<LeadRow>, StorageError> {
    let leads: Vec<Lead> = repo.list_records::<Lead>().await?;
    let users = load_users(repo).await?;
    Ok(lead_rows(&leads, &users))
}

// ---------------------------------------------------------------------------
// Lead detail
// ---------------------------------------------------------------------------

/// Everything the lead page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadDetail {
    pub lead: Stored<Lead>,
    pub owner: String,
    pub package: Link,
    /// The lead's licenses, by License Name.
    pub licenses: Vec<License>,
    /// After conversion: the Account and Contact the lead became.
    pub account: Option<Link>,
    pub contact: Option<Link>,
    pub converted_by: Option<String>,
    pub created_by: String,
    pub last_modified_by: String,
}

pub async fn load_lead_detail<R: Repository>(
    repo: &R,
    id: &str,
) -> Result<Option<LeadDetail>, StorageError> {
    let Some(id) = parse_id(id) else {
        return Ok(None);
    };
    let Some(lead) = repo.get::<Lead>(id.to18()).await? else {
        return Ok(None);
    };
    let mut licenses = licenses_of_lead(repo, &lead.record.id).await?;
    sort_licenses_by_name(&mut licenses);
    let users = load_users(repo).await?;
    let l = &lead.record;
    let (account, contact, converted_by) = match &l.converted {
        Some(c) => {
            let account = repo
                .get_shown::<Account>(c.account_id.to18())
                .await?
                .map_or_else(|| c.account_id.to15().to_string(), |a| a.name);
            let contact = repo
                .get_shown::<Contact>(c.contact_id.to18())
                .await?
                .map_or_else(|| c.contact_id.to15().to_string(), |ct| ct.full_name());
            (
                Some(Link {
                    id: c.account_id.to18().to_string(),
                    name: account,
                }),
                Some(Link {
                    id: c.contact_id.to18().to_string(),
                    name: contact,
                }),
                Some(format!(
                    "{}, {}",
                    user_name(&users, &c.by),
                    crate::format::date_time_text(c.at)
                )),
            )
        }
        None => (None, None, None),
    };
    Ok(Some(LeadDetail {
        owner: owner_name(&users, &l.owner),
        package: package_link(repo, &l.package_id).await?,
        created_by: stamp_text(&users, &l.created),
        last_modified_by: stamp_text(&users, &l.last_modified),
        licenses,
        account,
        contact,
        converted_by,
        lead,
    }))
}

async fn licenses_of_lead<R: Repository>(
    repo: &R,
    lead_id: &SfId,
) -> Result<Vec<License>, StorageError> {
    repo.list_found(LICENSE_LEAD, Query::eq(lead_id.to18()))
        .await
}

// ---------------------------------------------------------------------------
// Convert
// ---------------------------------------------------------------------------

/// Why a lead was not converted. Either way nothing was saved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvertFailure {
    #[error(transparent)]
    Rule(#[from] ConvertLeadError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ConvertFailure {
    pub fn field(&self) -> Field {
        match self {
            ConvertFailure::Rule(e) => e.field(),
            ConvertFailure::Storage(_) => Field::Form,
        }
    }
}

/// What a conversion created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub account_id: String,
    pub contact_id: String,
    pub licenses_linked: usize,
}

/// Converts a lead into an Account and a Contact and links every license of
/// the lead to them (the domain checks Convert Lead permission and refuses a
/// lead converted already). `seen_rev` is the revision the page showed: a
/// lead saved since (in another tab) is refused with a conflict.
pub async fn convert_lead<R: Repository>(
    repo: &R,
    lead_id: &str,
    seen_rev: Option<u64>,
    actor: &User,
    now: NaiveDateTime,
) -> Result<Converted, ConvertFailure> {
    let stored = match parse_id(lead_id) {
        Some(id) => repo.get::<Lead>(id.to18()).await?,
        None => None,
    }
    .ok_or_else(|| StorageError::NotFound {
        what: StoreName::Leads.label(),
        id: lead_id.trim().chars().take(40).collect(),
    })?;
    if seen_rev.is_some_and(|seen| seen != stored.rev) {
        return Err(StorageError::Conflict {
            store: StoreName::Leads,
            id: stored.record.full_name(),
        }
        .into());
    }
    let licenses = repo
        .find(LICENSE_LEAD, Query::eq(stored.record.id.to18()))
        .await?;
    let records: Vec<License> = licenses.iter().map(|s| s.record.clone()).collect();

    commit_with_counters(repo, |seq| {
        let conversion = apply_conversion(&stored.record, records.clone(), actor, now, seq)?;
        let done = Converted {
            account_id: conversion.account.id.to18().to_string(),
            contact_id: conversion.contact.id.to18().to_string(),
            licenses_linked: conversion.licenses.len(),
        };
        Ok((conversion_batch(&stored, &licenses, conversion), done))
    })
    .await
}

// ---------------------------------------------------------------------------
// Account and Contact detail
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct AccountDetail {
    pub account: Account,
    /// By name.
    pub contacts: Vec<Contact>,
    /// By License Name.
    pub licenses: Vec<License>,
    pub created_by: String,
    /// The lead(s) converted into this account.
    pub converted_from: Vec<Link>,
}

pub async fn load_account_detail<R: Repository>(
    repo: &R,
    id: &str,
) -> Result<Option<AccountDetail>, StorageError> {
    let Some(id) = parse_id(id) else {
        return Ok(None);
    };
    let Some(account) = repo.get::<Account>(id.to18()).await? else {
        return Ok(None);
    };
    let mut contacts: Vec<Contact> = repo
        .list_found(CONTACT_ACCOUNT, Query::eq(id.to18()))
        .await?;
    crate::sort::sort_by(&mut contacts, |a, b| {
        a.full_name()
            .to_lowercase()
            .cmp(&b.full_name().to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut licenses: Vec<License> = repo
        .list_found(LICENSE_ACCOUNT, Query::eq(id.to18()))
        .await?;
    sort_licenses_by_name(&mut licenses);
    let users = load_users(repo).await?;
    let converted_from = converted_leads(repo, &licenses).await?;
    Ok(Some(AccountDetail {
        created_by: stamp_text(&users, &account.record.created),
        account: account.record,
        contacts,
        licenses,
        converted_from,
    }))
}

/// The leads of these licenses (converted ones, for a converted account).
async fn converted_leads<R: Repository>(
    repo: &R,
    licenses: &[License],
) -> Result<Vec<Link>, StorageError> {
    let mut ids: Vec<String> = licenses
        .iter()
        .filter_map(|l| l.lead_id.as_ref().map(|id| id.to18().to_string()))
        .collect();
    ids.sort();
    ids.dedup();
    // A damaged lead is left out (and noted), never hiding the page.
    let mut links = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(lead) = repo.get_shown::<Lead>(id).await? {
            links.push(Link {
                id: lead.id.to18().to_string(),
                name: lead.full_name(),
            });
        }
    }
    Ok(links)
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactDetail {
    pub contact: Contact,
    pub account: Link,
    /// By License Name.
    pub licenses: Vec<License>,
    pub created_by: String,
    pub converted_from: Vec<Link>,
}

pub async fn load_contact_detail<R: Repository>(
    repo: &R,
    id: &str,
) -> Result<Option<ContactDetail>, StorageError> {
    let Some(id) = parse_id(id) else {
        return Ok(None);
    };
    let Some(contact) = repo.get::<Contact>(id.to18()).await? else {
        return Ok(None);
    };
    let c = contact.record;
    let account_name = repo
        .get_shown::<Account>(c.account_id.to18())
        .await?
        .map_or_else(|| c.account_id.to15().to_string(), |a| a.name);
    // Licenses have no contact index: the contact's are among its account's.
    let mut licenses: Vec<License> = repo
        .list_found(LICENSE_ACCOUNT, Query::eq(c.account_id.to18()))
        .await?
        .into_iter()
        .filter(|l| l.contact_id.as_ref() == Some(&c.id))
        .collect();
    sort_licenses_by_name(&mut licenses);
    let users = load_users(repo).await?;
    let converted_from = converted_leads(repo, &licenses).await?;
    Ok(Some(ContactDetail {
        account: Link {
            id: c.account_id.to18().to_string(),
            name: account_name,
        },
        created_by: stamp_text(&users, &c.created),
        contact: c,
        licenses,
        converted_from,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LeadStatus, Profile};
    use crate::services::packages::test_support::*;
    use crate::storage::MemoryRepository;
    use futures::executor::block_on;

    /// A registered package with two installs (two leads, one license each).
    fn setup() -> (MemoryRepository, Lead, Lead) {
        let p = registered(1, "Invoice Pro");
        let v = version(&p, 1, "1.0.0", false);
        let repo = world(vec![p.clone()], vec![v.clone()]);
        install_into(
            &repo,
            &p.id,
            &v,
            1,
            installer("Ada", "Lovelace", "Analytical Engines"),
            at(2025, 2, 1, 9),
        );
        install_into(
            &repo,
            &p.id,
            &v,
            2,
            installer("Alan", "Turing", "Bletchley"),
            at(2025, 2, 2, 9),
        );
        let mut leads: Vec<Lead> = block_on(repo.get_all::<Lead>())
            .unwrap()
            .into_iter()
            .map(|s| s.record)
            .collect();
        leads.sort_by_key(|l| l.first_name.clone());
        let alan = leads.pop().unwrap();
        let ada = leads.pop().unwrap();
        (repo, ada, alan)
    }

    fn licenses_of(repo: &MemoryRepository, lead: &Lead) -> Vec<Stored<License>> {
        block_on(repo.find(LICENSE_LEAD, Query::eq(lead.id.to18()))).unwrap()
    }

    #[test]
    fn lead_rows_name_the_owner_and_hide_converted_leads_unless_asked() {
        let (repo, ada, _) = setup();
        let rows = block_on(load_lead_rows(&repo)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Ada Lovelace");
        assert_eq!(rows[0].owner, "License Management App");
        assert_eq!(rows[0].source, "Package Installation");
        assert_eq!(rows[0].status, "Open - Not Contacted");

        block_on(convert_lead(
            &repo,
            ada.id.to18(),
            None,
            &user(Profile::SalesRep),
            at(2025, 3, 1, 10),
        ))
        .unwrap();
        let rows = block_on(load_lead_rows(&repo)).unwrap();
        let shown: Vec<String> = visible_leads(&rows, false)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(shown, ["Alan Turing"]);
        let all: Vec<String> = visible_leads(&rows, true)
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(all, ["Ada Lovelace", "Alan Turing"]);

        let mut owned = ada.clone();
        owned.owner = LeadOwner::User(user(Profile::LicenseManager).id);
        let users = crate::services::packages::users_by_id(crate::domain::seed_users());
        assert_eq!(lead_rows(&[owned], &users)[0].owner, "Jordan Lee");
    }

    #[test]
    fn converting_writes_lead_account_contact_and_licenses_together() {
        let (repo, ada, alan) = setup();
        let rep = user(Profile::SalesRep);
        let now = at(2025, 3, 1, 10);
        let done = block_on(convert_lead(&repo, ada.id.to15(), None, &rep, now)).unwrap();
        assert_eq!(done.licenses_linked, 1);

        let lead = block_on(repo.get::<Lead>(ada.id.to18())).unwrap().unwrap();
        assert_eq!(lead.rev, 2);
        assert_eq!(lead.record.status, LeadStatus::Converted);
        let account = block_on(repo.get::<Account>(&done.account_id))
            .unwrap()
            .unwrap()
            .record;
        assert_eq!(account.name, "Analytical Engines");
        let contact = block_on(repo.get::<Contact>(&done.contact_id))
            .unwrap()
            .unwrap()
            .record;
        assert_eq!(contact.full_name(), "Ada Lovelace");
        assert_eq!(contact.account_id, account.id);
        let license = &licenses_of(&repo, &ada)[0];
        assert_eq!(license.rev, 2);
        assert_eq!(license.record.account_id.as_ref(), Some(&account.id));
        assert_eq!(license.record.contact_id.as_ref(), Some(&contact.id));
        assert_eq!(license.record.lead_name, "Ada Lovelace");
        // Alan's license is untouched.
        assert_eq!(licenses_of(&repo, &alan)[0].rev, 1);

        // The account and contact pages list the license; the lead page links them.
        let a = block_on(load_account_detail(&repo, &done.account_id))
            .unwrap()
            .unwrap();
        assert_eq!(a.contacts.len(), 1);
        assert_eq!(a.licenses.len(), 1);
        assert_eq!(a.converted_from[0].name, "Ada Lovelace");
        let c = block_on(load_contact_detail(&repo, &done.contact_id))
            .unwrap()
            .unwrap();
        assert_eq!(c.licenses.len(), 1);
        assert_eq!(c.account.name, "Analytical Engines");
        let d = block_on(load_lead_detail(&repo, ada.id.to18()))
            .unwrap()
            .unwrap();
        assert_eq!(d.account.unwrap().id, done.account_id);
        assert_eq!(d.contact.unwrap().name, "Ada Lovelace");
        assert_eq!(
            d.converted_by.as_deref(),
            Some("Priya Shah, 2025-03-01 10:00")
        );
        assert_eq!(d.package.name, "Invoice Pro");
        assert_eq!(d.licenses.len(), 1);

        // The next conversion gets new IDs (the counters were saved too).
        let again = block_on(convert_lead(&repo, alan.id.to18(), None, &rep, now)).unwrap();
        assert_ne!(again.account_id, done.account_id);
        assert_ne!(again.contact_id, done.contact_id);
    }

    #[test]
    fn refused_conversions_write_nothing() {
        let (repo, ada, _) = setup();
        let now = at(2025, 3, 1, 10);
        let err = block_on(convert_lead(
            &repo,
            ada.id.to18(),
            None,
            &user(Profile::ReadOnly),
            now,
        ))
        .unwrap_err();
        assert!(err
            .to_string()
            .starts_with("The Read Only profile can't convert leads."));
        assert_eq!(err.field(), Field::Form);
        assert_eq!(block_on(repo.count::<Account>()).unwrap(), 0);
        assert_eq!(block_on(repo.count::<Contact>()).unwrap(), 0);
        assert_eq!(
            block_on(repo.get::<Lead>(ada.id.to18()))
                .unwrap()
                .unwrap()
                .rev,
            1
        );
        assert_eq!(licenses_of(&repo, &ada)[0].rev, 1);

        let manager = user(Profile::LicenseManager);
        block_on(convert_lead(&repo, ada.id.to18(), None, &manager, now)).unwrap();
        let err = block_on(convert_lead(&repo, ada.id.to18(), None, &manager, now)).unwrap_err();
        assert!(matches!(
            err,
            ConvertFailure::Rule(ConvertLeadError::AlreadyConverted { .. })
        ));
        assert_eq!(block_on(repo.count::<Account>()).unwrap(), 1);

        let err = block_on(convert_lead(&repo, "not an id", None, &manager, now)).unwrap_err();
        assert!(matches!(
            err,
            ConvertFailure::Storage(StorageError::NotFound { .. })
        ));
    }

    #[test]
    fn a_lead_changed_elsewhere_is_a_conflict_and_nothing_is_written() {
        let (repo, ada, _) = setup();
        let now = at(2025, 3, 1, 10);
        let rep = user(Profile::SalesRep);
        // The page showed rev 1; another tab converted it meanwhile.
        block_on(convert_lead(
            &repo.other_tab(),
            ada.id.to18(),
            None,
            &rep,
            now,
        ))
        .unwrap();
        let err = block_on(convert_lead(&repo, ada.id.to18(), Some(1), &rep, now)).unwrap_err();
        assert!(matches!(
            err,
            ConvertFailure::Storage(StorageError::Conflict { .. })
        ));
        assert_eq!(
            block_on(repo.count::<Account>()).unwrap(),
            1,
            "only the other tab's"
        );
    }

    #[test]
    fn a_license_saved_between_read_and_save_is_a_conflict() {
        use crate::services::packages::tests_racing::racing;
        let (memory, ada, _) = setup();
        let id = ada.id.clone();
        let repo = racing(memory, move |other: MemoryRepository| {
            Box::pin(async move {
                let mut l = other
                    .find(LICENSE_LEAD, Query::eq(id.to18()))
                    .await
                    .unwrap()
                    .remove(0);
                l.record.used_licenses = Some(2);
                other.update(l).await.unwrap();
            })
        });
        let err = block_on(convert_lead(
            &repo,
            ada.id.to18(),
            None,
            &user(Profile::SalesRep),
            at(2025, 3, 1, 10),
        ))
        .unwrap_err();
        assert!(matches!(
            err,
            ConvertFailure::Storage(StorageError::Conflict { .. })
        ));
        assert_eq!(block_on(repo.inner.count::<Account>()).unwrap(), 0);
        assert_eq!(block_on(repo.inner.count::<Contact>()).unwrap(), 0);
        let lead = block_on(repo.inner.get::<Lead>(ada.id.to18()))
            .unwrap()
            .unwrap();
        assert_eq!(lead.rev, 1);
        assert!(!lead.record.is_converted());
    }
}
