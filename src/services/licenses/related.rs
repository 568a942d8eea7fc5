//! Reads the records a license links to: its package, lead, account and
//! contact, and the names and emails the license list searches. A link
//! whose record is gone (a converted lead, say) or damaged is left out; the license's
//! own fields (lead name, Package ID) stand in for it.

use std::collections::HashMap;
use std::sync::Arc;

use super::detail::RecordLink;
use super::list::Lookups;
use crate::domain::{License, SfId};
use crate::services::join::join2;
use crate::storage::{Repository, StorageError};

use crate::domain::{Account, Contact, Lead, Package, PackageVersion};

#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Links {
    pub package: Option<RecordLink>,
    pub lead: Option<RecordLink>,
    pub account: Option<RecordLink>,
    pub contact: Option<RecordLink>,
    /// The installed version's name (not empty).
    pub version: Option<String>,
}

fn link(id: &SfId, name: String) -> RecordLink {
    RecordLink {
        id: id.to18().to_string(),
        name,
    }
}

pub(super) async fn load_links<R: Repository>(
    repo: &R,
    license: &License,
) -> Result<Links, StorageError> {
    let package = async {
        repo.get_shown::<Package>(license.package_id.to18())
            .await
            .map(|p| p.map(|p| link(&p.id, p.name.as_str().to_string())))
    };
    let lead = async {
        match &license.lead_id {
            Some(id) => repo
                .get_shown::<Lead>(id.to18())
                .await
                .map(|l| l.map(|l| link(&l.id, l.full_name()))),
            None => Ok(None),
        }
    };
    let account = async {
        match &license.account_id {
            Some(id) => repo
                .get_shown::<Account>(id.to18())
                .await
                .map(|a| a.map(|a| link(&a.id, a.name))),
            None => Ok(None),
        }
    };
    let contact = async {
        match &license.contact_id {
            Some(id) => repo
                .get_shown::<Contact>(id.to18())
                .await
                .map(|c| c.map(|c| link(&c.id, c.full_name()))),
            None => Ok(None),
        }
    };
    let version = async {
        repo.get_shown::<PackageVersion>(license.package_version_id.to18())
            .await
            .map(|v| v.map(|v| v.name).filter(|name| !name.is_empty()))
    };
    let ((package, lead), ((account, contact), version)) = join2(
        join2(package, lead),
        join2(join2(account, contact), version),
    )
    .await;
    Ok(Links {
        package: package?,
        lead: lead?,
        account: account?,
        contact: contact?,
        version: version?,
    })
}

pub(super) async fn load_package_names<R: Repository>(
    repo: &R,
) -> Result<HashMap<String, Arc<str>>, StorageError> {
    Ok(repo
        .list_records::<Package>()
        .await?
        .into_iter()
        .map(|p| (p.id.to18().to_string(), Arc::from(p.name.as_str())))
        .collect())
}

/// Leads' companies and emails, account names and contacts' emails,
/// each read once with `list_records` (a damaged one is left out).
pub(super) async fn load_people<R: Repository>(repo: &R) -> Result<Lookups, StorageError> {
    let mut lookups = Lookups::default();
    for l in repo.list_records::<Lead>().await? {
        lookups
            .leads
            .insert(l.id.to18().to_string(), (l.company, l.email));
    }
    for a in repo.list_records::<Account>().await? {
        lookups.accounts.insert(a.id.to18().to_string(), a.name);
    }
    for c in repo.list_records::<Contact>().await? {
        lookups
            .contact_emails
            .insert(c.id.to18().to_string(), c.email);
    }
    Ok(lookups)
}
