import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

// Data comes from the Home page's "Load demo data" (leads from installs, some
// of them converted into accounts and contacts). Every test starts with an
// empty browser profile.

async function loadDemoData(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  // Confirm if the app asks (it replaces whatever the browser holds), then
  // wait until the data is saved.
  const loaded = page.getByRole('main').getByText(/Demo data loaded/);
  const dialog = page.getByRole('alertdialog');
  await expect(loaded.or(dialog)).toBeVisible({ timeout: 30_000 });
  if (await dialog.isVisible()) {
    await dialog
      .getByRole('button')
      .filter({ hasNotText: /cancel/i })
      .first()
      .click();
  }
  await expect(loaded).toBeVisible({ timeout: 30_000 });
  await openLeads(page);
  await expect(leadsList(page).getByRole('row').nth(1)).toBeVisible({ timeout: 20_000 });
}

async function openLeads(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).click();
  await expect(page).toHaveURL(/\/leads$/);
  // A split-off page: the one before stays on screen until its code is in.
  await expect(page.getByRole('heading', { level: 1, name: 'All Leads' })).toBeVisible();
}

function leadsList(page: Page) {
  return page.getByRole('region', { name: 'Leads', exact: true });
}

function licensesOf(page: Page) {
  return page.getByRole('region', { name: 'Licenses', exact: true });
}

async function actAs(page: Page, label: RegExp) {
  const select = page.getByLabel('Acting as');
  const value = await select.getByRole('option', { name: label }).getAttribute('value');
  await select.selectOption(value ?? '');
}

/** The first lead of the list whose Lead Status is `status`. */
function leadRow(page: Page, status: string) {
  return leadsList(page).getByRole('row').filter({ hasText: status }).first();
}

/**
 * An open lead whose name no other lead has (converted ones included), so
 * the list can be checked by name alone. Leaves the list as it found it.
 */
async function uniqueOpenLead(page: Page): Promise<{ name: string; company: string }> {
  const show = page.getByLabel('Show converted leads');
  await show.check();
  const rows = leadsList(page).getByRole('row');
  await expect(rows.filter({ hasText: 'Closed - Converted' }).first()).toBeVisible();
  const cells = await rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td.textContent ?? '').trim())),
  );
  await show.uncheck();
  const named = cells.filter((c) => c.length >= 5);
  const count = (n: string) => named.filter((c) => c[0] === n).length;
  const pick = named.find((c) => c[4] === 'Open - Not Contacted' && count(c[0]) === 1);
  expect(pick, 'an open lead with a name of its own').toBeTruthy();
  return { name: pick?.[0] ?? '', company: pick?.[1] ?? '' };
}

test('with no leads the list says where they come from', async ({ page }) => {
  await page.goto('/leads');
  await expect(leadsList(page)).toContainText('No leads yet');
  await expect(leadsList(page).getByRole('link', { name: /Load demo data/ })).toBeVisible();
});

test('the lead list shows the LMA columns and hides converted leads unless asked', async ({ page }) => {
  await loadDemoData(page);
  const list = leadsList(page);
  for (const column of ['Name', 'Company', 'Email', 'Lead Owner', 'Lead Status', 'Lead Source']) {
    await expect(list.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
  }
  await expect(list.getByRole('cell', { name: 'Package Installation' }).first()).toBeVisible();
  await expect(list.getByRole('cell', { name: 'License Management App' }).first()).toBeVisible();
  await expect(list.getByRole('cell', { name: 'Closed - Converted' })).toHaveCount(0);

  await page.getByLabel('Show converted leads').check();
  await expect(list.getByRole('cell', { name: 'Closed - Converted' }).first()).toBeVisible();

  // A converted lead's page says what it became, with links.
  const converted = leadRow(page, 'Closed - Converted');
  const name = (await converted.getByRole('link').textContent()) ?? '';
  await converted.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const notice = page.getByRole('status').filter({ hasText: 'This lead was converted' });
  await expect(notice).toBeVisible();
  await expect(page.getByRole('button', { name: 'Convert' })).toHaveCount(0);
  await notice.getByRole('link').last().click();
  await expect(page).toHaveURL(/\/contacts\/003/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
});

test('converting a lead links its license to the new account and contact', async ({ page }) => {
  await loadDemoData(page);
  const { name, company } = await uniqueOpenLead(page);
  await leadsList(page).getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(/\/leads\/00Q/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const license = licensesOf(page).getByRole('link', { name: /^L-\d{5,}$/ }).first();
  const licenseName = ((await license.textContent()) ?? '').trim();
  expect(licenseName).toMatch(/^L-\d{5,}$/);

  await page.getByRole('button', { name: 'Convert' }).click();

  // The new Account page, listing the contact and the license.
  await expect(page).toHaveURL(/\/accounts\/001/);
  await expect(page.getByRole('heading', { level: 1, name: company || name })).toBeVisible();
  await expect(licensesOf(page).getByRole('link', { name: licenseName })).toBeVisible();
  const contacts = page.getByRole('region', { name: 'Contacts', exact: true });
  await contacts.getByRole('link', { name }).click();

  // The Contact page lists the license too, and links back to the account.
  await expect(page).toHaveURL(/\/contacts\/003/);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(licensesOf(page).getByRole('link', { name: licenseName })).toBeVisible();

  // The lead left the list, and is back with "Show converted leads".
  await openLeads(page);
  const list = leadsList(page);
  await expect(list.getByRole('row').nth(1)).toBeVisible();
  await expect(list.getByRole('link', { name, exact: true })).toHaveCount(0);
  await page.getByLabel('Show converted leads').check();
  const back = list.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect(back).toHaveCount(1);
  await expect(back).toContainText('Closed - Converted');
});

test('a Read Only user is not offered Convert; a Sales Rep is', async ({ page }) => {
  await loadDemoData(page);
  await actAs(page, /Read Only/);
  const row = leadRow(page, 'Open - Not Contacted');
  const name = ((await row.getByRole('link').textContent()) ?? '').trim();
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(licensesOf(page)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Convert' })).toHaveCount(0);

  await actAs(page, /Sales Rep/);
  await expect(page.getByRole('button', { name: 'Convert' })).toBeVisible();
});

test('a reload on a lead page keeps the page and its data', async ({ page }) => {
  await loadDemoData(page);
  const row = leadRow(page, 'Open - Not Contacted');
  const name = ((await row.getByRole('link').textContent()) ?? '').trim();
  await row.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  const url = page.url();
  const licenses = await licensesOf(page).getByRole('link').allTextContents();
  expect(licenses.length).toBeGreaterThan(0);

  await page.reload();
  await expect(page).toHaveURL(url);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(licensesOf(page).getByRole('link')).toHaveText(licenses);
  await expect(page.getByRole('region', { name: 'Details', exact: true })).toContainText('Package Installation');
});
