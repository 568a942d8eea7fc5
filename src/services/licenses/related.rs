//! Reads the records a license links to: its package, lead, account and
//! contact, and the names and emails the license list searches. A link
//! whose record is gone (a converted lead, say) is left out; the license's
//! own fields (lead name, Package ID) stand in for it.

use std::collections::HashMap;

use super::detail::RecordLink;
use super::list::Lookups;
use crate::domain::{License, SfId};
use crate::services::join::join2;
use crate::storage::{Repository, StorageError};

use crate::domain::{Account, Contact, Lead, Package};

#[derive(Default)]
pub(super) struct Links {
    pub package: Option<RecordLink>,
    pub lead: Option<RecordLink>,
    pub account: Option<RecordLink>,
    pub contact: Option<RecordLink>,
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
        repo.get::<Package>(license.package_id.to18())
            .await
            .map(|p| p.map(|p| link(&p.record.id, p.record.name.as_str().to_string())))
    };
    let lead = async {
        match &license.lead_id {
            Some(id) => repo
                .get::<Lead>(id.to18())
                .await
                .map(|l| l.map(|l| link(&l.record.id, l.record.full_name()))),
            None => Ok(None),
        }
    };
    let account = async {
        match &license.account_id {
            Some(id) => repo
                .get::<Account>(id.to18())
                .await
                .map(|a| a.map(|a| link(&a.record.id, a.record.name.clone()))),
            None => Ok(None),
        }
    };
    let contact = async {
        match &license.contact_id {
            Some(id) => repo
                .get::<Contact>(id.to18())
                .await
                .map(|c| c.map(|c| link(&c.record.id, c.record.full_name()))),
            None => Ok(None),
        }
    };
    let ((package, lead), (account, contact)) =
        join2(join2(package, lead), join2(account, contact)).await;
    let (package, lead, account, contact) = (package?, lead?, account?, contact?);
    Ok(Links {
        package,
        lead,
        account,
        contact,
    })
}

pub(super) async fn load_package_names<R: Repository>(
    repo: &R,
) -> Result<HashMap<String, String>, StorageError> {
    Ok(repo
        .get_all::<Package>()
        .await?
        .into_iter()
        .map(|p| {
            (
                p.record.id.to18().to_string(),
                p.record.name.as_str().to_string(),
            )
        })
        .collect())
}

/// Leads' companies and emails, account names and contacts' emails,
/// each read once with `get_all`.
pub(super) async fn load_people<R: Repository>(repo: &R) -> Result<Lookups, StorageError> {
    let mut lookups = Lookups::default();
    for l in repo.get_all::<Lead>().await? {
        let l = l.record;
        lookups
            .leads
            .insert(l.id.to18().to_string(), (l.company, l.email));
    }
    for a in repo.get_all::<Account>().await? {
        let a = a.record;
        lookups.accounts.insert(a.id.to18().to_string(), a.name);
    }
    for c in repo.get_all::<Contact>().await? {
        let c = c.record;
        lookups
            .contact_emails
            .insert(c.id.to18().to_string(), c.email);
    }
    Ok(lookups)
}
