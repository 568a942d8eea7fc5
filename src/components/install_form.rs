//! The simulator's install form: what was typed, checked into an
//! [`InstallRequest`] (each message by its input), and the org editions it
//! offers.

use crate::domain::{Installer, KeyPrefix, OrgStatus, SfId};
use crate::services::install::{InstallRequest, SimField, SimulatorError};

/// Org editions a subscriber org can have, as the LMA reports them.
pub const EDITIONS: [&str; 6] = [
    "Enterprise",
    "Professional",
    "Unlimited",
    "Performance",
    "Developer",
    "Essentials",
];

/// The install form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InstallForm {
    /// Version ID (`04t`) to install.
    pub version_id: String,
    /// Blank: a new org ID is generated.
    pub org_id: String,
    pub org_name: String,
    pub edition: String,
    pub instance: String,
    pub org_status: String,
    pub sandbox: bool,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub email: String,
}

fn required(value: &str, field: SimField, message: &str) -> Result<String, SimulatorError> {
    let v = value.trim();
    if v.is_empty() {
        Err(SimulatorError::input(field, message))
    } else {
        Ok(v.to_string())
    }
}

/// Checks the form's org and installer (blank Org ID: a new org).
pub fn parse_install_form(form: &InstallForm) -> Result<InstallRequest, SimulatorError> {
    let org_id = if form.org_id.trim().is_empty() {
        None
    } else {
        Some(
            SfId::parse_with_prefix(&form.org_id, KeyPrefix::Org)
                .map_err(|e| SimulatorError::input(SimField::OrgId, format!("Org ID: {e}")))?,
        )
    };
    let org_name = required(&form.org_name, SimField::OrgName, "Enter the org's name.")?;
    let edition = required(
        &form.edition,
        SimField::Edition,
        "Choose the org's edition.",
    )?;
    let instance = required(
        &form.instance,
        SimField::Instance,
        "Enter the instance the org lives on, e.g. NA45.",
    )?;
    if !instance.bytes().all(|b| b.is_ascii_alphanumeric()) || instance.len() > 10 {
        return Err(SimulatorError::input(
            SimField::Instance,
            "An instance is a short code of letters and digits, such as NA45 or EU27.",
        ));
    }
    let status = OrgStatus::parse(&form.org_status)
        .map_err(|e| SimulatorError::input(SimField::OrgStatus, e.to_string()))?;
    let installer = Installer {
        first_name: form.first_name.trim().to_string(),
        last_name: form.last_name.trim().to_string(),
        company: form.company.trim().to_string(),
        email: form.email.trim().to_string(),
    };
    installer.check()?;
    let email = form.email.trim().to_string();
    let plausible = |e: &str| {
        e.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && domain.contains('.') && !e.contains(' ')
        })
    };
    if !email.is_empty() && !plausible(&email) {
        return Err(SimulatorError::input(
            SimField::Email,
            format!("\"{email}\" is not an email address; enter one such as ada@example.com, or leave it blank."),
        ));
    }
    Ok(InstallRequest {
        version_id: form.version_id.trim().to_string(),
        org_id,
        org_name,
        edition,
        instance: instance.to_ascii_uppercase(),
        org_status: status,
        sandbox: form.sandbox,
        installer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Sequences;
    use chrono::NaiveDate;

    fn form() -> InstallForm {
        InstallForm {
            version_id: "04t000000000001".into(),
            org_id: String::new(),
            org_name: "Northwind".into(),
            edition: "Enterprise".into(),
            instance: "na45".into(),
            org_status: "Active".into(),
            sandbox: false,
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            company: "Northwind Traders".into(),
            email: "ada@northwind.example".into(),
        }
    }

    #[test]
    fn install_form_generates_an_org_id_and_checks_inputs() {
        let at = NaiveDate::from_ymd_opt(2025, 3, 2)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .unwrap();
        let mut seq = Sequences::default();
        let input = parse_install_form(&form()).unwrap().input(at, &mut seq);
        assert_eq!(input.org.org_id.prefix(), "00D");
        assert_eq!(input.org.instance, "NA45");
        let mut bad = form();
        bad.last_name = " ".into();
        assert_eq!(
            parse_install_form(&bad).unwrap_err().field(),
            SimField::LastName
        );
        let mut bad = form();
        bad.org_id = "001000000000001".into();
        assert_eq!(
            parse_install_form(&bad).unwrap_err().field(),
            SimField::OrgId
        );
        let mut bad = form();
        bad.email = "not an email".into();
        assert_eq!(
            parse_install_form(&bad).unwrap_err().field(),
            SimField::Email
        );
        let mut trial = form();
        trial.org_status = "Trial".into();
        let input = parse_install_form(&trial).unwrap().input(at, &mut seq);
        assert_eq!(
            input.org.org_expiration_date,
            NaiveDate::from_ymd_opt(2025, 4, 1)
        );
    }
}
