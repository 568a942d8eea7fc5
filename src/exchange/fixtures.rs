//! Hand-made CSV files as License Management Orgs export them, tidy and
//! untidy, shared by the exchange and import service tests.

/// Tidy: Data Loader's columns, the org's record Id next to the Package ID.
pub const PACKAGES: &str = "Id,Name,sfLma__Package_ID__c,sfLma__Developer_Name__c,sfLma__Developer_Org_ID__c,sfLma__Latest_Version__c,sfLma__Lead_Manager__c,sfLma__Release_Date__c
a0P000000000001,Invoice Pro,033000000000001,Invoice Pro Dev,00D000000000001,1.1.0,,2024-11-01
";

/// Untidy: BOM, CRLF, a version pointing at the package's org record Id, the
/// other at its Package ID; checkbox as `no` and `0`; a date-time for a date.
pub const VERSIONS: &str = "\u{FEFF}Id,Name,sfLma__Package__c,sfLma__Version__c,sfLma__Version_ID__c,sfLma__Is_Beta__c,sfLma__Release_Date__c\r
a0V000000000001,\"Invoice Pro 1.0\",a0P000000000001,1.0,04t000000000001,no,2024-11-01T10:00:00.000Z\r
a0V000000000002,\"Invoice Pro 1.1\",033000000000001,1.1.0,04t000000000002,0,2025-01-15\r
";

/// Quotes and a comma inside a name; the SPEC's example ID (15 characters).
pub const ACCOUNTS: &str = "Id,Name
001M000000qfPyS,\"Acme, \"\"The\"\" Company\"
";

/// The account named in its 18-character form.
pub const CONTACTS: &str = "Id,FirstName,LastName,Email,AccountId
003000000000001,Wile,Coyote,wile@acme.test,001M000000qfPySIAU
";

/// One open lead and one converted into the account and contact above.
pub const LEADS: &str = "Id,FirstName,LastName,Company,Email,LeadSource,Status,IsConverted,ConvertedAccountId,ConvertedContactId
00Q000000000001,Ada,Lovelace,Analytical Engines,ada@example.com,Package Installation,Open - Not Contacted,false,,
00Q000000000002,Wile,Coyote,Acme,wile@acme.test,Package Installation,Closed - Converted,true,001M000000qfPyS,003000000000001
";

/// Untidy licenses: the org's text/formula columns instead of the raw ones,
/// picklists in odd case and long labels, an expired license with seats
/// below used, a Trial of 120 days on a Site License, an Uninstalled one
/// that does not expire; an unknown column; a quoted line break.
pub const LICENSES: &str = "Id,Name,sfLma__License_Status__c,sfLma__Licensed_Seats__c,sfLma__Used_Licenses__c,sfLma__Expiration_Date__c,sfLma__Install_Date__c,sfLma__Org_Instance__c,sfLma__Org_Edition__c,sfLma__Org_Status__c,sfLma__Org_Expiration_Date__c,sfLma__Subscriber_Org_Is_Sandbox__c,sfLma__Subscriber_Org_ID__c,sfLma__Package_Version__c,sfLma__Package_Version_Number__c,sfLma__Lead__c,sfLma__Account__c,sfLma__Contact__c,sfLma__License_Type__c,CreatedDate
a0L000000000001,L-00042,active,25,30,2020-01-31,2019-02-01,NA45,Enterprise Edition,Active,,no,00D000000000101,a0V000000000001,1.0.0,00Q000000000001,,,Editable,2019-02-01T08:00:00.000Z
a0L000000000002,L-00007,TRIAL,Site License,,2025-05-01,2025-01-01,\"EU12\",developer,Trial,2025-05-01,YES,00D000000000102,04t000000000002,1.1,00Q000000000002,001M000000qfPyS,003000000000001,,\"created
by hand\"
a0L000000000003,L-00008,Uninstalled,10,,Does not expire,2024-03-01,NA45,PROFESSIONAL EDITION,Free,,false,00D000000000103,04t000000000002,1.1.0,,,,uneditable,2024-03-01T00:00:00.000Z
";

/// The raw License columns, as the desk exports them.
pub const LICENSE_HEADER: &str = "Id,Name,sfLma__Status__c,sfLma__Seats__c,sfLma__Used_Licenses__c,sfLma__Expiration__c,sfLma__Install_Date__c,sfLma__Instance__c,sfLma__Org_Edition__c,sfLma__Org_Status__c,sfLma__Org_Expiration_Date__c,sfLma__Is_Sandbox__c,sfLma__Subscriber_Org_ID__c,sfLma__Package_Version__c,sfLma__Version_Number__c,sfLma__Lead__c,sfLma__Account__c,sfLma__Contact__c,sfLma__License_Type__c";

/// Every fixture, licenses first: files may come in any order.
pub fn all() -> Vec<(&'static str, &'static str)> {
    vec![
        ("licenses.csv", LICENSES),
        ("leads.csv", LEADS),
        ("contacts.csv", CONTACTS),
        ("accounts.csv", ACCOUNTS),
        ("versions.csv", VERSIONS),
        ("packages.csv", PACKAGES),
    ]
}
