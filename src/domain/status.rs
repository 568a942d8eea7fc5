//! The picklists of a license: License Status, Org Status, License Type.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("\"{input}\" is not a {label}; choose one of: {choices}.")]
pub struct PicklistError {
    pub label: &'static str,
    pub input: String,
    pub choices: String,
}

fn pick<T: Copy>(
    input: &str,
    all: &[T],
    label_of: fn(T) -> &'static str,
    label: &'static str,
) -> Result<T, PicklistError> {
    let s = input.trim();
    all.iter()
        .copied()
        .find(|v| label_of(*v).eq_ignore_ascii_case(s))
        .ok_or_else(|| PicklistError {
            label,
            input: s.chars().take(40).collect(),
            choices: all
                .iter()
                .map(|v| label_of(*v))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LicenseStatus {
    Trial,
    Active,
    Suspended,
    /// Set only by an uninstall; the license is read-only from then on.
    Uninstalled,
}

impl LicenseStatus {
    pub const ALL: [LicenseStatus; 4] = [
        LicenseStatus::Trial,
        LicenseStatus::Active,
        LicenseStatus::Suspended,
        LicenseStatus::Uninstalled,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LicenseStatus::Trial => "Trial",
            LicenseStatus::Active => "Active",
            LicenseStatus::Suspended => "Suspended",
            LicenseStatus::Uninstalled => "Uninstalled",
        }
    }

    /// Case-insensitive, for CSV import.
    pub fn parse(input: &str) -> Result<LicenseStatus, PicklistError> {
        pick(input, &Self::ALL, Self::label, "License Status")
    }
}

impl fmt::Display for LicenseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrgStatus {
    Trial,
    Active,
    Free,
    Suspended,
    Deleted,
}

impl OrgStatus {
    pub const ALL: [OrgStatus; 5] = [
        OrgStatus::Trial,
        OrgStatus::Active,
        OrgStatus::Free,
        OrgStatus::Suspended,
        OrgStatus::Deleted,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OrgStatus::Trial => "Trial",
            OrgStatus::Active => "Active",
            OrgStatus::Free => "Free",
            OrgStatus::Suspended => "Suspended",
            OrgStatus::Deleted => "Deleted",
        }
    }

    pub fn parse(input: &str) -> Result<OrgStatus, PicklistError> {
        pick(input, &Self::ALL, Self::label, "Org Status")
    }

    /// A locked or deleted org can't receive license changes (the LMA's
    /// "proxy user has deactivated" case).
    pub fn is_locked(self) -> bool {
        matches!(self, OrgStatus::Suspended | OrgStatus::Deleted)
    }
}

impl fmt::Display for OrgStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Legacy field kept for CSV compatibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum LicenseType {
    #[default]
    Editable,
    Uneditable,
}

impl LicenseType {
    pub const ALL: [LicenseType; 2] = [LicenseType::Editable, LicenseType::Uneditable];

    pub fn label(self) -> &'static str {
        match self {
            LicenseType::Editable => "Editable",
            LicenseType::Uneditable => "Uneditable",
        }
    }

    pub fn parse(input: &str) -> Result<LicenseType, PicklistError> {
        pick(input, &Self::ALL, Self::label, "License Type")
    }
}

impl fmt::Display for LicenseType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn picklists_parse_their_labels_in_any_case() {
        assert_eq!(LicenseStatus::parse(" active "), Ok(LicenseStatus::Active));
        assert_eq!(OrgStatus::parse("DELETED"), Ok(OrgStatus::Deleted));
        assert_eq!(
            LicenseType::parse("Uneditable"),
            Ok(LicenseType::Uneditable)
        );
        let err = OrgStatus::parse("Gone").unwrap_err();
        assert!(err
            .to_string()
            .contains("Trial, Active, Free, Suspended, Deleted"));
    }

    #[test]
    fn only_suspended_and_deleted_orgs_are_locked() {
        let locked: Vec<_> = OrgStatus::ALL
            .into_iter()
            .filter(|s| s.is_locked())
            .collect();
        assert_eq!(locked, vec![OrgStatus::Suspended, OrgStatus::Deleted]);
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC*") {
            let _ = LicenseStatus::parse(&s);
            let _ = OrgStatus::parse(&s);
            let _ = LicenseType::parse(&s);
        }
    }
}
