//! Leads from installs, and converting them into an Account and a Contact.

use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ids::{KeyPrefix, SfId};
use super::license::License;
use super::sequences::Sequences;
use super::stamp::Stamp;
use super::user::{authorize, Permission, PermissionError, User};
use super::Field;

pub const LEAD_SOURCE_PACKAGE_INSTALLATION: &str = "Package Installation";

/// The package's Lead Manager, or the License Management App when the
/// package has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeadOwner {
    User(SfId),
    LicenseManagementApp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeadStatus {
    Open,
    Working,
    ClosedNotConverted,
    /// Set only by conversion.
    Converted,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 4] = [
        LeadStatus::Open,
        LeadStatus::Working,
        LeadStatus::ClosedNotConverted,
        LeadStatus::Converted,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::Open => "Open - Not Contacted",
            LeadStatus::Working => "Working - Contacted",
            LeadStatus::ClosedNotConverted => "Closed - Not Converted",
            LeadStatus::Converted => "Closed - Converted",
        }
    }
}

impl fmt::Display for LeadStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lead {
    pub id: SfId,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub email: String,
    pub lead_source: String,
    pub owner: LeadOwner,
    pub status: LeadStatus,
    /// The installed package's Package ID (`033`).
    pub package_id: SfId,
    pub created: Stamp,
    pub last_modified: Stamp,
    pub converted: Option<ConvertedTo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConvertedTo {
    pub account_id: SfId,
    pub contact_id: SfId,
    pub by: SfId,
    pub at: NaiveDateTime,
}

impl Lead {
    pub fn id(&self) -> &SfId {
        &self.id
    }

    pub fn full_name(&self) -> String {
        join_name(&self.first_name, &self.last_name)
    }

    /// Converted leads leave the lead list; their licenses keep the name.
    pub fn is_converted(&self) -> bool {
        self.status == LeadStatus::Converted
    }
}

fn join_name(first: &str, last: &str) -> String {
    match (first.trim(), last.trim()) {
        ("", last) => last.to_string(),
        (first, "") => first.to_string(),
        (first, last) => format!("{first} {last}"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: SfId,
    pub name: String,
    pub created: Stamp,
}

impl Account {
    pub fn id(&self) -> &SfId {
        &self.id
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: SfId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub account_id: SfId,
    pub created: Stamp,
}

impl Contact {
    pub fn id(&self) -> &SfId {
        &self.id
    }

    pub fn full_name(&self) -> String {
        join_name(&self.first_name, &self.last_name)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    pub lead: Lead,
    pub account: Account,
    pub contact: Contact,
    /// The lead's licenses, now pointing at the account and contact.
    pub licenses: Vec<License>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvertLeadError {
    #[error(transparent)]
    Permission(#[from] PermissionError),
    #[error("{name} was already converted; open the Account or Contact it became instead.")]
    AlreadyConverted { name: String },
}

impl ConvertLeadError {
    pub fn field(&self) -> Field {
        Field::Form
    }
}

/// Converts a lead: creates the Account (the company) and Contact (the
/// person) and links every license of the lead to them. Licenses passed in
/// that belong to another lead are left out, so a caller's filtering slip
/// can't relink someone else's license.
pub fn convert_lead(
    lead: &Lead,
    licenses_of_lead: Vec<License>,
    actor: &User,
    now: NaiveDateTime,
    seq: &mut Sequences,
) -> Result<Conversion, ConvertLeadError> {
    authorize(actor, Permission::ConvertLead)?;
    if lead.is_converted() {
        return Err(ConvertLeadError::AlreadyConverted {
            name: lead.full_name(),
        });
    }
    let stamp = Stamp::user(&actor.id, now);
    // An installer may leave Company blank; an account still needs a name.
    let account_name = match lead.company.trim() {
        "" => lead.full_name(),
        company => company.to_string(),
    };
    let account = Account {
        id: seq.next_id(KeyPrefix::Account),
        name: account_name,
        created: stamp.clone(),
    };
    let contact = Contact {
        id: seq.next_id(KeyPrefix::Contact),
        first_name: lead.first_name.trim().to_string(),
        last_name: lead.last_name.trim().to_string(),
        email: lead.email.trim().to_string(),
        account_id: account.id.clone(),
        created: stamp.clone(),
    };
    let licenses = licenses_of_lead
        .into_iter()
        .filter(|l| l.lead_id.as_ref() == Some(&lead.id))
        .map(|mut l| {
            l.account_id = Some(account.id.clone());
            l.contact_id = Some(contact.id.clone());
            l.lead_name = lead.full_name();
            l.last_modified = stamp.clone();
            l
        })
        .collect();
    let mut converted = lead.clone();
    converted.status = LeadStatus::Converted;
    converted.last_modified = stamp;
    converted.converted = Some(ConvertedTo {
        account_id: account.id.clone(),
        contact_id: contact.id.clone(),
        by: actor.id.clone(),
        at: now,
    });
    Ok(Conversion {
        lead: converted,
        account,
        contact,
        licenses,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditLeadError {
    #[error(transparent)]
    Permission(#[from] PermissionError),
    #[error(
        "{name} was converted, so the lead can't be changed; edit the Account or Contact instead."
    )]
    Converted { name: String },
    #[error("A lead becomes Closed - Converted only by converting it; use Convert instead.")]
    ConvertedByHand,
}

impl EditLeadError {
    pub fn field(&self) -> Field {
        match self {
            EditLeadError::ConvertedByHand => Field::Status,
            _ => Field::Form,
        }
    }
}

/// Follow-up by a sales rep: moves an open lead along its status.
pub fn set_lead_status(
    lead: &Lead,
    status: LeadStatus,
    actor: &User,
    now: NaiveDateTime,
) -> Result<Lead, EditLeadError> {
    authorize(actor, Permission::EditLead)?;
    if lead.is_converted() {
        return Err(EditLeadError::Converted {
            name: lead.full_name(),
        });
    }
    if status == LeadStatus::Converted {
        return Err(EditLeadError::ConvertedByHand);
    }
    let mut updated = lead.clone();
    updated.status = status;
    updated.last_modified = Stamp::user(&actor.id, now);
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::license::fixtures::{at, license};
    use crate::domain::user::{seed_users, Profile};

    fn user(p: Profile) -> User {
        seed_users()
            .into_iter()
            .find(|u| u.active && u.profile == p)
            .unwrap()
    }

    fn lead() -> Lead {
        let now = at(2025, 1, 15, 9, 0, 0);
        Lead {
            id: SfId::generate(KeyPrefix::Lead, 1),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            company: "Analytical Engines Ltd".into(),
            email: "ada@example.com".into(),
            lead_source: LEAD_SOURCE_PACKAGE_INSTALLATION.into(),
            owner: LeadOwner::LicenseManagementApp,
            status: LeadStatus::Open,
            package_id: SfId::generate(KeyPrefix::Package, 1),
            created: Stamp::system(now),
            last_modified: Stamp::system(now),
            converted: None,
        }
    }

    #[test]
    fn conversion_creates_account_and_contact_and_links_licenses() {
        let rep = user(Profile::SalesRep);
        let mine = license(); // lead_id = Lead seq 1
        let mut other = license();
        other.lead_id = Some(SfId::generate(KeyPrefix::Lead, 2));
        let now = at(2025, 2, 1, 12, 0, 0);
        let c = convert_lead(
            &lead(),
            vec![mine.clone(), other],
            &rep,
            now,
            &mut Sequences::default(),
        )
        .unwrap();
        assert_eq!(c.account.name, "Analytical Engines Ltd");
        assert_eq!(c.account.id.prefix(), "001");
        assert_eq!(c.contact.id.prefix(), "003");
        assert_eq!(c.contact.full_name(), "Ada Lovelace");
        assert_eq!(c.contact.account_id, c.account.id);
        assert!(c.lead.is_converted());
        assert_eq!(c.licenses.len(), 1);
        assert_eq!(c.licenses[0].id, mine.id);
        assert_eq!(c.licenses[0].account_id.as_ref(), Some(&c.account.id));
        assert_eq!(c.licenses[0].contact_id.as_ref(), Some(&c.contact.id));
        assert_eq!(c.licenses[0].lead_name, "Ada Lovelace");
    }

    #[test]
    fn converting_twice_or_without_permission_is_refused() {
        let rep = user(Profile::SalesRep);
        let now = at(2025, 2, 1, 12, 0, 0);
        let c = convert_lead(&lead(), vec![], &rep, now, &mut Sequences::default()).unwrap();
        assert!(matches!(
            convert_lead(&c.lead, vec![], &rep, now, &mut Sequences::default()),
            Err(ConvertLeadError::AlreadyConverted { .. })
        ));
        assert!(matches!(
            convert_lead(
                &lead(),
                vec![],
                &user(Profile::ReadOnly),
                now,
                &mut Sequences::default()
            ),
            Err(ConvertLeadError::Permission(_))
        ));
        assert!(convert_lead(
            &lead(),
            vec![],
            &user(Profile::LicenseManager),
            now,
            &mut Sequences::default()
        )
        .is_ok());
    }

    #[test]
    fn a_blank_company_becomes_the_person_s_name() {
        let mut l = lead();
        l.company = " ".into();
        let c = convert_lead(
            &l,
            vec![],
            &user(Profile::SalesRep),
            at(2025, 2, 1, 0, 0, 0),
            &mut Sequences::default(),
        )
        .unwrap();
        assert_eq!(c.account.name, "Ada Lovelace");
    }

    #[test]
    fn lead_status_edits_follow_the_permission_table() {
        let now = at(2025, 2, 1, 0, 0, 0);
        let worked =
            set_lead_status(&lead(), LeadStatus::Working, &user(Profile::SalesRep), now).unwrap();
        assert_eq!(worked.status, LeadStatus::Working);
        assert!(matches!(
            set_lead_status(
                &lead(),
                LeadStatus::Working,
                &user(Profile::LicenseManager),
                now
            ),
            Err(EditLeadError::Permission(_))
        ));
        assert_eq!(
            set_lead_status(
                &lead(),
                LeadStatus::Converted,
                &user(Profile::SalesRep),
                now
            ),
            Err(EditLeadError::ConvertedByHand)
        );
    }
}
