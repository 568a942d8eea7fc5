//! Which object a CSV file holds, told from its header row of API names.
//!
//! Each object has the columns it needs (without them no record can be
//! built) and the columns it also reads. Some License columns come in two
//! spellings: the raw field and the text/formula field LMA orgs carry next
//! to it (`sfLma__Seats__c` and `sfLma__Licensed_Seats__c`); either one
//! satisfies the need. Names compare without regard to case, as Salesforce
//! API names do.

use std::fmt;
use std::sync::Arc;

/// The objects an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    Package,
    PackageVersion,
    Account,
    Contact,
    Lead,
    License,
}

impl ObjectKind {
    /// In the order the plan resolves them: a record's lookups point to
    /// objects before it (leads come before licenses but learn their package
    /// from them, see `plan.rs`).
    pub const ALL: [ObjectKind; 6] = [
        ObjectKind::Package,
        ObjectKind::PackageVersion,
        ObjectKind::Account,
        ObjectKind::Contact,
        ObjectKind::Lead,
        ObjectKind::License,
    ];

    /// What a user calls these records (plural, as in the navigation).
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Package => "Packages",
            ObjectKind::PackageVersion => "Package Versions",
            ObjectKind::Account => "Accounts",
            ObjectKind::Contact => "Contacts",
            ObjectKind::Lead => "Leads",
            ObjectKind::License => "Licenses",
        }
    }

    /// The object's API name.
    pub fn api_name(self) -> &'static str {
        match self {
            ObjectKind::Package => "sfLma__Package__c",
            ObjectKind::PackageVersion => "sfLma__Package_Version__c",
            ObjectKind::Account => "Account",
            ObjectKind::Contact => "Contact",
            ObjectKind::Lead => "Lead",
            ObjectKind::License => "sfLma__License__c",
        }
    }

    pub fn columns(self) -> &'static [Column] {
        match self {
            ObjectKind::Package => PACKAGE,
            ObjectKind::PackageVersion => PACKAGE_VERSION,
            ObjectKind::Account => ACCOUNT,
            ObjectKind::Contact => CONTACT,
            ObjectKind::Lead => LEAD,
            ObjectKind::License => LICENSE,
        }
    }

    /// The columns a file of this object must have, by their first name.
    pub fn needed(self) -> Vec<&'static str> {
        self.columns()
            .iter()
            .filter(|c| c.needed)
            .map(|c| c.names[0])
            .collect()
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One field of an object, by every column name it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The API name first, then the text/formula variants, in order of
    /// preference when a file has more than one.
    pub names: &'static [&'static str],
    pub needed: bool,
}

const fn need(names: &'static [&'static str]) -> Column {
    Column {
        names,
        needed: true,
    }
}

const fn may(names: &'static [&'static str]) -> Column {
    Column {
        names,
        needed: false,
    }
}

// Field positions in these arrays are the `C_*` constants `rows.rs` uses.

pub(crate) const PACKAGE: &[Column] = &[
    may(&["Id"]),
    need(&["Name"]),
    need(&["sfLma__Package_ID__c"]),
    may(&["sfLma__Developer_Name__c"]),
    need(&["sfLma__Developer_Org_ID__c"]),
    may(&["sfLma__Latest_Version__c"]),
    may(&["sfLma__Lead_Manager__c"]),
    need(&["sfLma__Release_Date__c"]),
];

pub(crate) const PACKAGE_VERSION: &[Column] = &[
    may(&["Id"]),
    need(&["Name"]),
    need(&["sfLma__Package__c"]),
    need(&["sfLma__Version__c"]),
    need(&["sfLma__Version_ID__c"]),
    may(&["sfLma__Is_Beta__c"]),
    need(&["sfLma__Release_Date__c"]),
];

pub(crate) const ACCOUNT: &[Column] = &[need(&["Id"]), need(&["Name"])];

pub(crate) const CONTACT: &[Column] = &[
    need(&["Id"]),
    may(&["FirstName"]),
    need(&["LastName"]),
    may(&["Email"]),
    need(&["AccountId"]),
];

pub(crate) const LEAD: &[Column] = &[
    need(&["Id"]),
    may(&["FirstName"]),
    need(&["LastName"]),
    need(&["Company"]),
    may(&["Email"]),
    may(&["LeadSource"]),
    may(&["Status"]),
    may(&["IsConverted"]),
    may(&["ConvertedAccountId"]),
    may(&["ConvertedContactId"]),
];

pub(crate) const LICENSE: &[Column] = &[
    need(&["Id"]),
    need(&["Name"]),
    need(&["sfLma__Status__c", "sfLma__License_Status__c"]),
    need(&["sfLma__Seats__c", "sfLma__Licensed_Seats__c"]),
    may(&["sfLma__Used_Licenses__c"]),
    may(&["sfLma__Expiration__c", "sfLma__Expiration_Date__c"]),
    need(&["sfLma__Install_Date__c"]),
    may(&["sfLma__Instance__c", "sfLma__Org_Instance__c"]),
    may(&["sfLma__Org_Edition__c"]),
    need(&["sfLma__Org_Status__c"]),
    may(&["sfLma__Org_Expiration_Date__c"]),
    may(&[
        "sfLma__Is_Sandbox__c",
        "sfLma__Subscriber_Org_Is_Sandbox__c",
    ]),
    need(&["sfLma__Subscriber_Org_ID__c"]),
    need(&["sfLma__Package_Version__c"]),
    need(&[
        "sfLma__Version_Number__c",
        "sfLma__Package_Version_Number__c",
    ]),
    may(&["sfLma__Lead__c"]),
    may(&["sfLma__Account__c"]),
    may(&["sfLma__Contact__c"]),
    may(&["sfLma__License_Type__c"]),
    may(&["sfLma__Package__c"]),
];

/// Where each field of the recognised object is in a row: for every field,
/// the positions of the spellings the file has, in order of preference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    pub kind: ObjectKind,
    /// Per field: `(position in the row, column name as the file spells it)`;
    /// shared, so a row's lookups name their column without a copy each.
    slots: Vec<Vec<(usize, Arc<str>)>>,
    /// Header cells that are no field of the object, as the file spells them.
    pub unknown: Vec<String>,
}

impl ColumnMap {
    /// The value of field `field` in `row`: the first non-empty spelling, so
    /// a blank raw field falls back on its formula variant. Also the column
    /// name it came from, for error messages.
    pub fn get<'r>(&self, row: &[&'r str], field: usize) -> (&'r str, &str) {
        let (value, at) = self.find(row, field);
        let name = match at {
            Some(name) => name.as_ref(),
            None => self.kind.columns().get(field).map_or("", |c| c.names[0]),
        };
        (value, name)
    }

    /// As [`get`](Self::get), with the column name shared (`None` when the
    /// file has no such column: its API name is then the one to blame).
    pub fn find<'r>(&self, row: &[&'r str], field: usize) -> (&'r str, Option<&Arc<str>>) {
        let spellings = self.slots.get(field).map(Vec::as_slice).unwrap_or(&[]);
        for (pos, name) in spellings {
            if let Some(value) = row.get(*pos).copied() {
                if !value.trim().is_empty() {
                    return (value, Some(name));
                }
            }
        }
        ("", spellings.first().map(|(_, name)| name))
    }

    /// Whether the file has field `field` at all (an absent optional column
    /// keeps an existing record's value instead of blanking it).
    pub fn has(&self, field: usize) -> bool {
        self.slots.get(field).is_some_and(|s| !s.is_empty())
    }
}

/// Why no object could be recognised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecognised {
    /// Per object, the columns it would need that the file lacks.
    pub missing: Vec<(ObjectKind, Vec<&'static str>)>,
}

impl fmt::Display for Unrecognised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("The header row doesn't match any object License Desk imports; the first row must hold the API names of the columns. It lacks")?;
        for (i, (kind, missing)) in self.missing.iter().enumerate() {
            let sep = if i == 0 { "" } else { ";" };
            write!(
                f,
                "{sep} for {} ({}): {}",
                kind,
                kind.api_name(),
                missing.join(", ")
            )?;
        }
        f.write_str(".")
    }
}

/// Header cells are compared trimmed and without regard to case.
fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b)
}

/// Recognises the object from the header: of the objects whose needed
/// columns are all there, the one with the most needed columns (a Package
/// file also has an Account's Id and Name).
pub fn recognise(header: &[String]) -> Result<ColumnMap, Unrecognised> {
    let fits = |kind: ObjectKind| -> Vec<&'static str> {
        kind.columns()
            .iter()
            .filter(|c| c.needed && !c.names.iter().any(|n| header.iter().any(|h| same(h, n))))
            .map(|c| c.names[0])
            .collect()
    };
    let best = ObjectKind::ALL
        .into_iter()
        .filter(|k| fits(*k).is_empty())
        .max_by_key(|k| {
            let needed = k.columns().iter().filter(|c| c.needed).count();
            let known = k
                .columns()
                .iter()
                .filter(|c| c.names.iter().any(|n| header.iter().any(|h| same(h, n))))
                .count();
            (needed, known)
        });
    let Some(kind) = best else {
        return Err(Unrecognised {
            missing: ObjectKind::ALL.into_iter().map(|k| (k, fits(k))).collect(),
        });
    };
    let mut used = vec![false; header.len()];
    let slots = kind
        .columns()
        .iter()
        .map(|c| {
            let mut found = Vec::new();
            for name in c.names {
                // The first cell of a name counts; a repeat is unknown.
                if let Some(pos) = header.iter().position(|h| same(h, name)) {
                    if let Some(flag) = used.get_mut(pos) {
                        *flag = true;
                    }
                    found.push((pos, Arc::from(header.get(pos).map_or("", |h| h.trim()))));
                }
            }
            found
        })
        .collect();
    let unknown = header
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(h, _)| h.trim().chars().take(80).collect::<String>())
        .collect();
    Ok(ColumnMap {
        kind,
        slots,
        unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn each_object_is_recognised_from_its_columns() {
        let cases = [
            (
                ObjectKind::Package,
                header(&[
                    "Id",
                    "Name",
                    "sfLma__Package_ID__c",
                    "sfLma__Developer_Org_ID__c",
                    "sfLma__Release_Date__c",
                ]),
            ),
            (
                ObjectKind::PackageVersion,
                header(&[
                    "Id",
                    "Name",
                    "sfLma__Package__c",
                    "sfLma__Version__c",
                    "sfLma__Version_ID__c",
                    "sfLma__Release_Date__c",
                ]),
            ),
            (ObjectKind::Account, header(&["ID", "name"])),
            (
                ObjectKind::Contact,
                header(&["Id", "FirstName", "LastName", "Email", "AccountId"]),
            ),
            (
                ObjectKind::Lead,
                header(&["Id", "FirstName", "LastName", "Company", "Status"]),
            ),
        ];
        for (kind, header) in cases {
            assert_eq!(recognise(&header).map(|m| m.kind), Ok(kind), "{kind}");
        }
    }

    #[test]
    fn formula_variants_satisfy_a_need_and_unknown_columns_are_listed() {
        let h = header(&[
            "Id",
            "Name",
            "sfLma__License_Status__c",
            "sfLma__Licensed_Seats__c",
            "sfLma__Install_Date__c",
            "sfLma__Org_Status__c",
            "sfLma__Subscriber_Org_ID__c",
            "sfLma__Package_Version__c",
            "sfLma__Package_Version_Number__c",
            "CreatedDate",
            "sfLma__Seats__c",
        ]);
        let map = recognise(&h).unwrap();
        assert_eq!(map.kind, ObjectKind::License);
        assert_eq!(map.unknown, vec!["CreatedDate".to_string()]);
        // The raw field is preferred; a blank one falls back on the formula.
        let mut row = vec![
            "",
            "",
            "Active",
            "Site License",
            "",
            "",
            "",
            "",
            "",
            "",
            "25",
        ];
        assert_eq!(map.get(&row, 3), ("25", "sfLma__Seats__c"));
        row[10] = "";
        assert_eq!(
            map.get(&row, 3),
            ("Site License", "sfLma__Licensed_Seats__c")
        );
        assert!(!map.has(4));
        assert_eq!(map.get(&row, 4), ("", "sfLma__Used_Licenses__c"));
    }

    #[test]
    fn an_unknown_header_says_what_each_object_needs() {
        let err = recognise(&header(&["Foo", "Bar"])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("for Licenses (sfLma__License__c): Id, Name, sfLma__Status__c"));
        assert!(text.contains("for Accounts (Account): Id, Name"));
        assert_eq!(err.missing.len(), ObjectKind::ALL.len());
    }
}
