//! The design document that makes the server enforce License Desk's
//! permissions: `validate_doc_update` (in `validate_doc_update.js`), which
//! CouchDB runs on every write, replicated ones included. CouchDB roles map
//! to the LMA profiles: `lma_admin` (System Administrator),
//! `lma_license_manager` (License Manager), `lma_sales_rep` (Sales Rep),
//! `lma_read_only` (Read Only); server admins (`_admin`) may write too.
//!
//! It refuses, with a reason the desk shows: a write by a user without one
//! of those roles (`unauthorized` when no one is logged in); a license
//! change by a Sales Rep or Read Only user (a Sales Rep may link a license
//! to the Account and Contact of a converted lead); any change to an
//! existing package version, and new ones from anyone but admins and
//! managers; deletions by anyone but admins and managers; a change to a
//! User by anyone but a System Administrator; a malformed record (`type`,
//! `_id` and `Id` that disagree, seats outside 1..=99,000,000 and not -1,
//! an unknown License Status).
//!
//! The server can't tell which LMA user a CouchDB user is, so it checks the
//! logged-in user's role; each desk also checks the author recorded in the
//! document ([`super::document::check_author`]).

use serde_json::{json, Value};

/// The design document's `_id`.
pub const DESIGN_DOC_ID: &str = "_design/license_desk";

/// The function's source, as CouchDB stores it.
pub const VALIDATE_DOC_UPDATE: &str = include_str!("validate_doc_update.js");

/// The design document a desk installs when an admin connects (PUT it at
/// `DESIGN_DOC_ID`, with the current `_rev` if there is one).
pub fn design_doc() -> Value {
    json!({
        "_id": DESIGN_DOC_ID,
        "validate_doc_update": VALIDATE_DOC_UPDATE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LicenseStatus, Seats, MAX_SEATS};
    use crate::sync::document::{api, object_name, SYNCED_STORES};

    fn js_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
        let quoted: Vec<String> = items.into_iter().map(|s| format!("{s:?}")).collect();
        format!("[{}]", quoted.join(", "))
    }

    fn declares(line: &str) {
        assert!(
            VALIDATE_DOC_UPDATE.lines().any(|l| l.trim() == line),
            "validate_doc_update.js should declare `{line}` (the domain's value)"
        );
    }

    #[test]
    fn the_function_refuses_what_the_domain_refuses() {
        declares(&format!("var MAX_SEATS = {MAX_SEATS};"));
        declares(&format!(
            "var SITE_LICENSE = {};",
            Seats::SiteLicense.to_csv()
        ));
        declares(&format!(
            "var LICENSE_STATUSES = {};",
            js_list(LicenseStatus::ALL.iter().map(|s| s.label()))
        ));
        declares(&format!(
            "var OBJECTS = {};",
            js_list(SYNCED_STORES.iter().filter_map(|s| object_name(*s)))
        ));
        declares(&format!("var LICENSE = {:?};", "sfLma__License__c"));
        declares(&format!("var SEATS = {:?};", api::SEATS));
        declares(&format!("var STATUS = {:?};", api::STATUS));
        declares(&format!(
            "var CONVERSION_FIELDS = {};",
            js_list([
                api::ACCOUNT,
                api::CONTACT,
                api::LEAD_NAME,
                api::LAST_MODIFIED_BY_ID,
                api::LAST_MODIFIED_DATE
            ])
        ));
    }

    #[test]
    fn the_design_document_carries_the_function() {
        let doc = design_doc();
        assert_eq!(doc["_id"], "_design/license_desk");
        let source = doc["validate_doc_update"].as_str().unwrap();
        assert!(source.starts_with("function (newDoc, oldDoc, userCtx, secObj) {"));
        assert!(source.trim_end().ends_with('}'));
    }
}
