import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { loadDemoData } from './faults';

// The life of a package as the LMA sees it, driven from the Subscriber
// simulator: upload, register, install, upgrade, Used Licenses, uninstall;
// a pending install picked up by Refresh Licenses; a failed install with
// what to check; an expiration alert due on Home. Every test starts with an
// empty browser profile.

async function openSimulator(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriber simulator' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Subscriber simulator' })).toBeVisible();
}

async function openInstallLog(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Install Log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Install Log' })).toBeVisible();
}

/** Selects the option whose text matches `pattern` (selectOption wants exact labels). */
async function selectMatching(select: Locator, pattern: RegExp) {
  const labels = await select.locator('option').allTextContents();
  const label = labels.find((l) => pattern.test(l));
  expect(label, `an option matching ${pattern}`).toBeDefined();
  await select.selectOption({ label: label ?? '' });
}

function section(page: Page, name: string) {
  return page.getByRole('region', { name, exact: true });
}

async function uploadNewPackage(page: Page, name: string, version: string) {
  const upload = section(page, 'Upload a package version');
  await upload.getByLabel('Upload to package').selectOption({ label: 'New package…' });
  await upload.getByLabel('Package Name').fill(name);
  await upload.getByLabel('Developer Name').fill(`${name} Dev Org`);
  await upload.getByLabel('Version', { exact: true }).fill(version);
  await upload.getByRole('button', { name: 'Upload version' }).click();
  await expect(upload.getByRole('status')).toContainText(`Uploaded ${name} ${version}`);
}

async function uploadVersion(page: Page, pkg: string, version: string) {
  const upload = section(page, 'Upload a package version');
  await upload.getByLabel('Upload to package').selectOption({ label: pkg });
  await upload.getByLabel('Version', { exact: true }).fill(version);
  await upload.getByRole('button', { name: 'Upload version' }).click();
  await expect(upload.getByRole('status')).toContainText(`Uploaded ${pkg} ${version}`);
}

async function register(page: Page, pkg: string, status: 'Free Trial' | 'Active', days: string, seats: string) {
  const form = section(page, 'Register a package (Publishing Console)');
  await selectMatching(form.getByLabel('Package to register'), new RegExp(`^${pkg} \\(`));
  await form.getByLabel(status, { exact: true }).check();
  await form.getByLabel('Length in Days').fill(days);
  await form.getByLabel('Seats', { exact: true }).fill(seats);
  await form.getByRole('button', { name: 'Save' }).click();
}

async function install(page: Page, version: string, org: string, installer = { first: 'Ada', last: 'Lovelace', company: 'Analytical Engines Ltd', email: 'ada@analytical.example' }) {
  const form = section(page, 'Install a package into a subscriber org');
  await form.getByLabel('Package version').selectOption({ label: version });
  await form.getByLabel('Org Name').fill(org);
  await form.getByLabel('Installer First Name').fill(installer.first);
  await form.getByLabel('Installer Last Name').fill(installer.last);
  await form.getByLabel('Company').fill(installer.company);
  await form.getByLabel('Email').fill(installer.email);
  await form.getByRole('button', { name: 'Install' }).click();
  return form;
}

test('register a package: errors by their field, then the default license every install gets', async ({ page }) => {
  await page.goto('/simulator');
  await uploadNewPackage(page, 'Expense Tracker', '1.0.0');
  // A Free Trial lasts at most 90 days: the domain's message, by the field.
  await register(page, 'Expense Tracker', 'Free Trial', '91', '10');
  const form = section(page, 'Register a package (Publishing Console)');
  const length = form.getByLabel('Length in Days');
  await expect(length).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('#register-length-error')).toContainText('A Free Trial lasts 1 to 90 days');
  // A Free Trial must end: "License does not expire" is refused for it.
  await form.getByLabel('License does not expire').check();
  await expect(length).toBeDisabled();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.locator('#register-length-error')).toContainText('A Free Trial must end');
  await form.getByLabel('License does not expire').uncheck();
  await form.getByLabel('Length in Days').fill('30');
  await form.getByLabel('Seats', { exact: true }).fill('0');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.locator('#register-seats-error')).toContainText('License is site-wide');

  // Only a System Administrator may register.
  const acting = page.getByLabel('Acting as');
  await acting.selectOption({ label: 'Priya Shah (Sales Rep)' });
  await form.getByLabel('Seats', { exact: true }).fill('10');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toContainText("The Sales Rep profile can't register packages");
  await acting.selectOption({ label: 'Alex Morgan (System Administrator)' });
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toContainText('Expense Tracker is registered');
  await expect(form.getByRole('status')).toContainText('Trial license lasting 30 days with 10 seats');
});

test('install, upgrade, Used Licenses and uninstall through the simulator', async ({ page }) => {
  await page.goto('/simulator');
  await uploadNewPackage(page, 'Route Planner', '1.0.0');
  await register(page, 'Route Planner', 'Active', '365', '20');
  await expect(section(page, 'Register a package (Publishing Console)').getByRole('status')).toContainText('is registered');

  const form = await install(page, 'Route Planner 1.0.0', 'Globex Corporation');
  await expect(form.getByRole('status')).toContainText('Install: Route Planner 1.0.0 in Globex Corporation');
  await expect(form.getByRole('status')).toContainText('A lead and a license were created');

  // A missing last name is refused by its field; nothing is installed.
  await form.getByLabel('Installer Last Name').fill('');
  await form.getByRole('button', { name: 'Install' }).click();
  await expect(form.locator('#install-last-name-error')).toContainText('last name');

  await uploadVersion(page, 'Route Planner', '1.1.0');
  const org = section(page, 'Events from a subscriber org');
  await selectMatching(org.getByLabel('Subscriber org'), /^Globex Corporation \(/);
  const licenses = org.getByRole('table', { name: 'Licenses of this org' });
  await expect(licenses).toContainText('1.0.0');
  await org.getByLabel('Upgrade to version').selectOption({ label: '1.1.0' });
  await org.getByRole('button', { name: 'Upgrade' }).click();
  await expect(org.getByRole('status')).toContainText("Upgrade: Route Planner 1.1.0 in Globex Corporation");
  await expect(licenses).toContainText('1.1.0');

  await org.getByLabel('Used Licenses').fill('25');
  await org.getByRole('button', { name: 'Set Used Licenses' }).click();
  await expect(org.locator('#org-used-error')).toContainText('at most 20 users');
  await org.getByLabel('Used Licenses').fill('12');
  await org.getByRole('button', { name: 'Set Used Licenses' }).click();
  await expect(org.getByRole('status')).toContainText('Used Licenses Changed');
  await expect(licenses.getByRole('row').nth(1)).toContainText('12');

  await org.getByRole('button', { name: 'Uninstall' }).click();
  await expect(org.getByRole('status')).toContainText('Uninstall: Route Planner');
  await expect(licenses.getByRole('row').nth(1)).toContainText('Uninstalled');

  // The license page shows the same license.
  await org.getByRole('status').getByRole('link', { name: 'Open the license' }).click();
  await expect(page).toHaveURL(/\/licenses\/a0L/);

  // Every event is in the Install Log, newest first.
  await openInstallLog(page);
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows.nth(1)).toContainText('Uninstall');
  await expect(rows.nth(2)).toContainText('Used Licenses Changed');
  await expect(rows.nth(3)).toContainText('Upgrade');
  await expect(rows.nth(4)).toContainText('Lead and license created');
});

test('a pending install is picked up by Refresh Licenses once the package is registered', async ({ page }) => {
  await loadDemoData(page);
  await openInstallLog(page);
  await page.getByLabel('Outcome').selectOption('Pending');
  await expect(page.getByRole('status').filter({ hasText: 'events' })).toHaveText('3 events');
  await expect(page.getByRole('table')).toContainText("Survey Genie isn't registered");

  await openSimulator(page);
  await register(page, 'Survey Genie', 'Free Trial', '14', '5');
  await expect(section(page, 'Register a package (Publishing Console)').getByRole('status')).toContainText('Survey Genie is registered');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages' }).click();
  await page.getByRole('region', { name: 'Packages', exact: true }).getByRole('link', { name: 'Survey Genie' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Survey Genie' })).toBeVisible();
  await page.getByRole('button', { name: 'Refresh Licenses' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Refresh Licenses' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'were refreshed' })).toContainText('3 licenses created');

  await openInstallLog(page);
  await page.getByLabel('Outcome').selectOption('Pending');
  await expect(page.getByText('No event matches')).toBeVisible();
  await page.getByLabel('Outcome').selectOption('Lead and license created');
  await expect(page.getByRole('table')).toContainText('Survey Genie');
});

test('a failed install says why and what to check', async ({ page }) => {
  await loadDemoData(page);
  await openInstallLog(page);
  await page.getByLabel('Outcome').selectOption('Failed');
  await expect(page.getByRole('status').filter({ hasText: 'events' })).toHaveText('3 events');
  const first = page.getByRole('table').getByRole('row').nth(1);
  await expect(first).toContainText('Contract Vault');
  await expect(first).toContainText('Dana Whitfield, is not an active user');
  await expect(first).toContainText('What to check');
  await expect(first).toContainText('Is the lead manager a valid, active user?');
  await first.getByText('More checks: leads and licenses aren\'t being created').click();
  await expect(first).toContainText('Did the customer really install the package?');

  // A new install of Contract Vault fails the same way, with its advice at once.
  await openSimulator(page);
  const form = await install(page, 'Contract Vault 1.3.0', 'Initech');
  await expect(form.getByRole('alert')).toContainText('Failed.');
  await expect(form.getByRole('alert')).toContainText('Is the lead manager a valid, active user?');
});

test('an expiration alert is due on Home with a ready email, and rules are edited in Settings', async ({ page }) => {
  await loadDemoData(page);
  await expect(page.getByRole('region', { name: /Notifications due/ })).toBeVisible();
  await page.getByRole('region', { name: /Notifications due/ }).getByRole('link', { name: /^View all \d+$/ }).click();
  const due = page.getByRole('region', { name: /^Due \(/ });
  const email = due.getByRole('link', { name: /^Email Priya Shah about L-/ }).first();
  const href = await email.getAttribute('href');
  expect(href).toMatch(/^mailto:priya\.shah@example\.com\?subject=License%20L-\d+/);
  expect(href).toContain('&body=Hi%20Priya%20Shah');
  await page.goto('/');
  await expect(page.getByRole('region', { name: /Licenses expiring within 30 days/ }).getByRole('row')).not.toHaveCount(0);
  await expect(page.getByRole('img', { name: /Licenses by status/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Seats licensed vs used per package/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Expirations over the next 90 days/ })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const rules = page.getByRole('region', { name: 'Expiration alert rules' });
  await expect(rules.getByRole('row')).toHaveCount(4);
  await rules.getByLabel('Days Before Expiration').fill('400');
  await rules.getByRole('button', { name: 'Add rule' }).click();
  await expect(rules.locator('#rule-days-error')).toContainText('0 to 365');
  await rules.getByLabel('Days Before Expiration').fill('14');
  await rules.getByLabel('Notify User').selectOption({ label: 'Chris Park (Read Only)' });
  await rules.getByRole('button', { name: 'Add rule' }).click();
  await expect(rules.getByRole('status')).toContainText('14 days before a license expires, notify Chris Park');
  await expect(rules.getByRole('row')).toHaveCount(5);
  await rules.getByRole('button', { name: /^Remove the rule: 14 days/ }).click();
  await page.getByRole('alertdialog', { name: 'Remove this alert rule?' }).getByRole('button', { name: 'Remove rule' }).click();
  await expect(rules.getByRole('row')).toHaveCount(4);

  await page.goto('/notifications');
  await expect(page.getByRole('region', { name: /^Due \(/ }).getByRole('link', { name: /^Email Chris Park/ })).toHaveCount(0);
});
