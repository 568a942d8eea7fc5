// Small CSV exports of a License Management Org (Data Loader style: API
// names in the header), shared by the import specs.

export const PACKAGES = `Id,Name,sfLma__Package_ID__c,sfLma__Developer_Name__c,sfLma__Developer_Org_ID__c,sfLma__Latest_Version__c,sfLma__Lead_Manager__c,sfLma__Release_Date__c
a0P000000000001,Invoice Pro,033000000000001,Invoice Pro Dev,00D000000000001,1.1.0,,2024-11-01
`;

export const VERSIONS = `Id,Name,sfLma__Package__c,sfLma__Version__c,sfLma__Version_ID__c,sfLma__Is_Beta__c,sfLma__Release_Date__c
a0V000000000001,Invoice Pro 1.0,a0P000000000001,1.0,04t000000000001,false,2024-11-01
a0V000000000002,Invoice Pro 1.1,a0P000000000001,1.1.0,04t000000000002,false,2025-01-15
`;

export const LEADS = `Id,FirstName,LastName,Company,Email,LeadSource,Status,IsConverted,ConvertedAccountId,ConvertedContactId
00Q000000000001,Ada,Lovelace,Analytical Engines,ada@example.com,Package Installation,Open - Not Contacted,false,,
00Q000000000002,Grace,Hopper,Navy Labs,grace@example.com,Package Installation,Open - Not Contacted,false,,
`;

export const LICENSE_HEADER =
  'Id,Name,sfLma__Status__c,sfLma__Seats__c,sfLma__Used_Licenses__c,sfLma__Expiration__c,sfLma__Install_Date__c,sfLma__Instance__c,sfLma__Org_Edition__c,sfLma__Org_Status__c,sfLma__Org_Expiration_Date__c,sfLma__Is_Sandbox__c,sfLma__Subscriber_Org_ID__c,sfLma__Package_Version__c,sfLma__Version_Number__c,sfLma__Lead__c,sfLma__Account__c,sfLma__Contact__c,sfLma__License_Type__c';

// Untidy on purpose: a BOM, CRLF line ends, an unknown column.
export const LICENSES =
  '\uFEFF' +
  [
    `${LICENSE_HEADER},CreatedDate`,
    'a0L000000000001,L-00042,Active,25,3,2030-01-31,2025-02-01,NA45,Enterprise Edition,Active,,false,00D000000000101,a0V000000000001,1.0,00Q000000000001,,,Editable,2025-02-01T08:00:00.000Z',
    'a0L000000000002,L-00043,Active,Site License,,Does not expire,2025-01-01,EU12,Unlimited,Active,,false,00D000000000102,04t000000000002,1.1.0,00Q000000000002,,,Editable,2025-01-01T08:00:00.000Z',
    '',
  ].join('\r\n');

/** A license row whose 18-character Id has a wrong checksum suffix (line 4). */
export const BAD_LICENSE =
  'a0L000000000003AAA,L-00044,Active,10,1,2030-01-31,2025-02-01,NA45,Enterprise,Active,,false,00D000000000103,a0V000000000001,1.0,,,,Editable,2025-02-01T08:00:00.000Z\r\n';

export function csv(name: string, text: string) {
  return { name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf-8') };
}

export const SMALL_SET = [
  csv('licenses.csv', LICENSES),
  csv('leads.csv', LEADS),
  csv('versions.csv', VERSIONS),
  csv('packages.csv', PACKAGES),
];
