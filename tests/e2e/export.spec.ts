import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { loadDemoData } from './faults';

// "Export CSV" on the lists: the file a partner manager opens in a
// spreadsheet or imports back. Each test starts with an empty browser profile.

async function open(page: Page, link: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
}

function region(page: Page | Locator, name: string) {
  return page.getByRole('region', { name, exact: true });
}

/** A CSV file's rows as a spreadsheet reads them (RFC 4180: quotes, commas and line breaks in quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += c;
    }
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Presses the button and returns the downloaded file's name, header and rows. */
async function exportCsv(page: Page, button: Locator) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return { name: download.suggestedFilename(), header, rows };
}

/** The rows' cells of the column `name`. */
function column(file: { header: string[]; rows: string[][] }, name: string): string[] {
  const i = file.header.indexOf(name);
  expect(i, `a column ${name}`).toBeGreaterThanOrEqual(0);
  return file.rows.map((r) => r[i]);
}

/** "1,234 licenses" → 1234. */
function countOf(text: string | null): number {
  return Number((text ?? '').replace(/[^0-9]/g, ''));
}

const DAY = /\d{4}-\d{2}-\d{2}/.source;

test('the Licenses list exports every row its filters select, with API-name headers', async ({ page }) => {
  await loadDemoData(page);
  await open(page, 'Licenses');
  const list = region(page, 'Licenses');
  await list.getByLabel('License Status').selectOption('Trial');
  const count = list.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ });
  await expect(count).toBeVisible();
  const shown = countOf(await count.textContent());
  expect(shown).toBeGreaterThan(1);

  const file = await exportCsv(page, list.getByRole('button', { name: 'Export CSV of Licenses' }));
  expect(file.name).toMatch(new RegExp(`^licenses-${DAY}\\.csv$`));
  expect(file.header.slice(0, 6)).toEqual([
    'Id',
    'Name',
    'sfLma__Status__c',
    'sfLma__Seats__c',
    'sfLma__Used_Licenses__c',
    'sfLma__Expiration__c',
  ]);
  expect(file.header).toContain('sfLma__Subscriber_Org_ID__c');
  expect(file.header).toContain('sfLma__Package__c');
  // Every matching license, not only the rows the window draws.
  expect(file.rows).toHaveLength(shown);
  expect(new Set(column(file, 'sfLma__Status__c'))).toEqual(new Set(['Trial']));
  // In the list's sort (License Name, ascending).
  const names = column(file, 'Name');
  expect(names).toEqual([...names].sort());
  // Seats as numbers (a Site License as -1), never a formula-guarded text.
  for (const seats of column(file, 'sfLma__Seats__c')) expect(seats).toMatch(/^(-1|\d+)$/);
});

test('the Install Log, the Packages and a package\'s versions export what they list', async ({ page }) => {
  await loadDemoData(page);

  await open(page, 'Install Log');
  const log = region(page, 'Install Log');
  await log.getByLabel('Outcome').selectOption('Pending');
  const events = log.getByRole('status').filter({ hasText: /events?/ });
  // The filtered count (the demo's pending events fit on one page), not the
  // unfiltered "N events, showing the newest 50" still shown while it loads.
  await expect(events).toHaveText(/^\d+ events?$/);
  const pending = countOf(await events.textContent());
  const file = await exportCsv(page, log.getByRole('button', { name: 'Export CSV of Install Log' }));
  expect(file.name).toMatch(new RegExp(`^install-log-${DAY}\\.csv$`));
  expect(file.header.slice(0, 3)).toEqual(['Id', 'Type', 'sfLma__Subscriber_Org_ID__c']);
  expect(file.rows).toHaveLength(pending);
  expect(new Set(column(file, 'Outcome'))).toEqual(new Set(['Pending']));
  for (const at of column(file, 'CreatedDate')) expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

  await open(page, 'Packages');
  const packages = region(page, 'Packages');
  const packageCount = packages.getByRole('status').filter({ hasText: /packages?$/ });
  await expect(packageCount).toBeVisible();
  const all = await exportCsv(page, packages.getByRole('button', { name: 'Export CSV of Packages' }));
  expect(all.header).toEqual([
    'Id',
    'Name',
    'sfLma__Package_ID__c',
    'sfLma__Developer_Name__c',
    'sfLma__Developer_Org_ID__c',
    'sfLma__Latest_Version__c',
    'sfLma__Lead_Manager__c',
    'sfLma__Release_Date__c',
  ]);
  expect(all.rows).toHaveLength(countOf(await packageCount.textContent()));

  const first = packages.getByRole('table').getByRole('link').first();
  const packageName = (await first.textContent()) ?? '';
  await first.click();
  await expect(page.getByRole('heading', { level: 1, name: packageName })).toBeVisible();
  const packageId = page.url().split('/').pop() ?? '';
  const versions = region(page, 'Package Versions');
  const heading = await versions.getByRole('heading', { level: 2 }).textContent();
  const listed = Number(/\((\d+)\)/.exec(heading ?? '')?.[1]);
  expect(listed).toBeGreaterThan(0);
  const file2 = await exportCsv(page, versions.getByRole('button', { name: 'Export CSV of Package Versions' }));
  expect(file2.name).toMatch(new RegExp(`^package-versions-${DAY}\\.csv$`));
  expect(file2.header).toEqual([
    'Id',
    'Name',
    'sfLma__Package__c',
    'sfLma__Version__c',
    'sfLma__Version_ID__c',
    'sfLma__Is_Beta__c',
    'sfLma__Release_Date__c',
  ]);
  expect(file2.rows).toHaveLength(listed);
  expect(new Set(column(file2, 'sfLma__Package__c'))).toEqual(new Set([packageId]));
  expect(all.rows.find((r) => r[0] === packageId)?.[1]).toBe(packageName);
});

test('a company typed as a formula comes out of the export as text', async ({ page }) => {
  const formula = '=HYPERLINK("http://evil.example","Click")';
  await page.goto('/simulator');
  const upload = region(page, 'Upload a package version');
  await upload.getByLabel('Upload to package').selectOption({ label: 'New package…' });
  await upload.getByLabel('Package Name').fill('Formula Check');
  await upload.getByLabel('Developer Name').fill('Formula Check Dev Org');
  await upload.getByLabel('Version', { exact: true }).fill('1.0.0');
  await upload.getByRole('button', { name: 'Upload version' }).click();
  await expect(upload.getByRole('status')).toContainText('Uploaded Formula Check 1.0.0');

  const register = region(page, 'Register a package (Publishing Console)');
  const choices = await register.getByLabel('Package to register').locator('option').allTextContents();
  await register.getByLabel('Package to register').selectOption({ label: choices.find((c) => c.startsWith('Formula Check (')) ?? '' });
  await register.getByLabel('Active', { exact: true }).check();
  await register.getByLabel('Length in Days').fill('365');
  await register.getByLabel('Seats', { exact: true }).fill('10');
  await register.getByRole('button', { name: 'Save' }).click();
  await expect(register.getByRole('status')).toContainText('is registered');

  const install = region(page, 'Install a package into a subscriber org');
  await install.getByLabel('Package version').selectOption({ label: 'Formula Check 1.0.0' });
  await install.getByLabel('Org Name').fill('Spreadsheet Corp');
  await install.getByLabel('Installer First Name').fill('Eve');
  await install.getByLabel('Installer Last Name').fill('Mallory');
  await install.getByLabel('Company').fill(formula);
  await install.getByLabel('Email').fill('eve@evil.example');
  await install.getByRole('button', { name: 'Install' }).click();
  await expect(install.getByRole('status')).toContainText('A lead and a license were created');

  await open(page, 'Leads');
  const leads = region(page, 'Leads');
  // The desk shows the text as typed.
  await expect(leads.getByRole('cell', { name: formula })).toBeVisible();
  const file = await exportCsv(page, leads.getByRole('button', { name: 'Export CSV of Leads' }));
  expect(file.name).toMatch(new RegExp(`^leads-${DAY}\\.csv$`));
  expect(file.rows).toHaveLength(1);
  expect(column(file, 'Company')).toEqual([`'${formula}`]);
  expect(column(file, 'LastName')).toEqual(['Mallory']);

  await open(page, 'Install Log');
  const log = await exportCsv(page, region(page, 'Install Log').getByRole('button', { name: 'Export CSV of Install Log' }));
  expect(column(log, 'Company')).toContain(`'${formula}`);
  for (const cell of log.rows.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
});

test('an account\'s Contacts and Licenses, and a license\'s History, export their related lists', async ({ page }) => {
  await loadDemoData(page);
  await open(page, 'Leads');
  const leads = region(page, 'Leads');
  await page.getByLabel('Show converted leads').check();
  await leads.getByRole('row').filter({ hasText: 'Closed - Converted' }).first().getByRole('link').click();
  await page.getByRole('status').filter({ hasText: 'This lead was converted' }).getByRole('link').first().click();
  await expect(page).toHaveURL(/\/accounts\/001/);
  const accountId = page.url().split('/').pop() ?? '';

  const related = async (name: string) => {
    const list = region(page, name);
    const heading = await list.getByRole('heading', { level: 2 }).textContent();
    const count = Number(/\((\d+)\)/.exec(heading ?? '')?.[1]);
    const file = await exportCsv(page, list.getByRole('button', { name: `Export CSV of ${name}` }));
    expect(file.rows).toHaveLength(count);
    return file;
  };
  const contacts = await related('Contacts');
  expect(contacts.name).toMatch(new RegExp(`^contacts-${DAY}\\.csv$`));
  expect(contacts.header).toEqual(['Id', 'FirstName', 'LastName', 'Email', 'AccountId']);
  expect(new Set(column(contacts, 'AccountId'))).toEqual(new Set([accountId]));
  const licenses = await related('Licenses');
  expect(licenses.rows.length).toBeGreaterThan(0);
  expect(new Set(column(licenses, 'sfLma__Account__c'))).toEqual(new Set([accountId]));

  await region(page, 'Licenses').getByRole('link').first().click();
  await expect(page).toHaveURL(/\/licenses\/a0L/);
  const history = await related('License History');
  expect(history.name).toMatch(new RegExp(`^license-history-${DAY}\\.csv$`));
  expect(history.header).toEqual(['Id', 'ParentId', 'Field', 'OldValue', 'NewValue', 'CreatedById', 'CreatedDate', 'Origin']);
  const licenseId = page.url().split('/').pop() ?? '';
  for (const parent of column(history, 'ParentId')) expect(parent).toBe(licenseId);
});
