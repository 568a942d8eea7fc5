// List views on the Licenses list (as in Lightning): the built-in views show
// the rows their filters say, a view saved under a name survives a reload,
// it can be renamed and deleted (built-ins can't), and "Expired" shows beside
// the License Status of a Trial or Active license past its Expiration Date.
// By role and label only; the data is the Home page's demo data.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { loadDemoData } from './faults';

async function openLicenses(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  await expect(countText(page)).toBeVisible();
}

function countText(page: Page) {
  return page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ });
}

async function licenseCount(page: Page): Promise<number> {
  return Number((await countText(page).innerText()).replace(/[^\d]/g, ''));
}

function dataRows(page: Page) {
  return page
    .getByRole('region', { name: 'Licenses list' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
}

function viewButton(page: Page) {
  return page.getByRole('button', { name: /^List view: / });
}

function menu(page: Page) {
  return page.getByRole('menu', { name: /^List view: / });
}

/** Picks a view from the list-view menu and waits for its heading. */
async function pickView(page: Page, name: string): Promise<number> {
  await viewButton(page).click();
  await menu(page).getByRole('menuitemradio', { name, exact: true }).click();
  await expect(menu(page)).toBeHidden();
  await expect(page.getByRole('heading', { level: 1, name, exact: true })).toBeVisible();
  await expect(viewButton(page)).toHaveText(`List view: ${name} ▾`);
  return licenseCount(page);
}

async function menuAction(page: Page, name: string): Promise<void> {
  await viewButton(page).click();
  await menu(page).getByRole('menuitem', { name, exact: true }).click();
}

/** The text of each shown row's cell under `column` (its index among the headers). */
async function columnTexts(page: Page, column: string): Promise<string[]> {
  const headers = await page.getByRole('region', { name: 'Licenses list' }).getByRole('columnheader').allInnerTexts();
  const index = headers.findIndex((h) => h.replace(/[▲▼]/g, '').trim() === column);
  expect(index, `column ${column}`).toBeGreaterThanOrEqual(0);
  const texts: string[] = [];
  for (const row of await dataRows(page).all()) {
    texts.push((await row.getByRole('cell').nth(index).innerText()).trim());
  }
  return texts;
}

function fieldValue(page: Page, label: string) {
  return page
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .first()
    .locator('xpath=following-sibling::dd[1]');
}

test.beforeEach(async ({ page }) => {
  await loadDemoData(page);
});

test('built-in views show the rows their filters say', async ({ page }) => {
  const home = page.getByRole('heading', { name: /^Licenses expiring within 30 days \(\d+\)$/ });
  const expiringOnHome = Number((await home.innerText()).replace(/^.*\((\d+)\)$/, '$1'));
  await openLicenses(page);
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  const total = await licenseCount(page);
  expect(total).toBe(190);

  // Expiring in 30 / 60 / 90 days: the Expires within filter, soonest first;
  // 30 days counts what Home counts.
  const expiring: number[] = [];
  for (const days of [30, 60, 90]) {
    const n = await pickView(page, `Expiring in ${days} days`);
    await expect(page.getByLabel('Expires within (days)')).toHaveValue(String(days));
    await expect(page.getByRole('columnheader', { name: 'Expiration Date' })).toHaveAttribute('aria-sort', 'ascending');
    expiring.push(n);
  }
  expect(expiring[0]).toBe(expiringOnHome);
  expect(expiring[0]).toBeLessThanOrEqual(expiring[1]);
  expect(expiring[1]).toBeLessThanOrEqual(expiring[2]);
  expect(expiring[2]).toBeLessThan(total);

  // Trials: every row is a Trial.
  const trials = await pickView(page, 'Trials');
  await expect(page.getByRole('combobox', { name: 'License Status', exact: true })).toHaveValue('Trial');
  expect(trials).toBeGreaterThan(0);
  for (const status of await columnTexts(page, 'License Status')) expect(status).toMatch(/^Trial( · Expired)?$/);

  // Expired: Trial or Active past the date, "Expired" beside the status.
  const expired = await pickView(page, 'Expired');
  await expect(page.getByRole('combobox', { name: 'Expired', exact: true })).toHaveValue('expired');
  expect(expired).toBeGreaterThan(0);
  for (const status of await columnTexts(page, 'License Status')) expect(status).toMatch(/^(Trial|Active) · Expired$/);

  // Seats over limit: Used Licenses above Licensed Seats on every row.
  const over = await pickView(page, 'Seats over limit');
  await expect(page.getByRole('checkbox', { name: 'Seats over limit' })).toBeChecked();
  expect(over).toBeGreaterThan(0);
  const seats = await columnTexts(page, 'Licensed Seats');
  const used = await columnTexts(page, 'Used Licenses');
  seats.forEach((s, i) => expect(Number(used[i].replace(/,/g, ''))).toBeGreaterThan(Number(s.replace(/,/g, ''))));

  // Production only + Sandbox only make the whole list.
  const production = await pickView(page, 'Production only');
  await expect(page.getByRole('combobox', { name: 'Sandbox', exact: true })).toHaveValue('production');
  await page.getByRole('combobox', { name: 'Sandbox', exact: true }).selectOption({ label: 'Sandbox only' });
  const sandboxes = await licenseCount(page);
  expect(sandboxes).toBeGreaterThan(0);
  expect(production + sandboxes).toBe(total);
  // Changing a filter says the view was changed.
  await expect(page.getByText('Filters, sort or columns changed since this view was picked.')).toBeVisible();

  // Active customers: Active, not expired, production, org Active.
  const customers = await pickView(page, 'Active customers');
  await expect(page.getByText('Filters, sort or columns changed since this view was picked.')).toBeHidden();
  await expect(page.getByRole('combobox', { name: 'License Status', exact: true })).toHaveValue('Active');
  await expect(page.getByRole('combobox', { name: 'Expired', exact: true })).toHaveValue('not_expired');
  await expect(page.getByRole('combobox', { name: 'Sandbox', exact: true })).toHaveValue('production');
  await expect(page.getByRole('combobox', { name: 'Org Status', exact: true })).toHaveValue('Active');
  expect(customers).toBeGreaterThan(0);
  for (const status of await columnTexts(page, 'License Status')) expect(status).toBe('Active');

  // The same filters set by hand on All Licenses give the same count.
  const allCount = await pickView(page, 'All Licenses');
  expect(allCount).toBe(total);
  await page.getByRole('combobox', { name: 'License Status', exact: true }).selectOption('Active');
  await page.getByRole('combobox', { name: 'Expired', exact: true }).selectOption({ label: 'Not expired' });
  await page.getByRole('combobox', { name: 'Sandbox', exact: true }).selectOption({ label: 'Production only' });
  await page.getByRole('combobox', { name: 'Org Status', exact: true }).selectOption('Active');
  await expect(countText(page)).toHaveText(`${customers} licenses`);
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await page.getByRole('combobox', { name: 'Expired', exact: true }).selectOption({ label: 'Expired only' });
  await expect(countText(page)).toHaveText(`${expired} licenses`);
});

test('the menu works from the keyboard', async ({ page }) => {
  await openLicenses(page);
  const button = viewButton(page);
  await button.focus();
  await page.keyboard.press('ArrowDown');
  await expect(menu(page)).toBeVisible();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  // The focus starts on the view shown, and moves with the arrow keys.
  await expect(menu(page).getByRole('menuitemradio', { name: 'All Licenses' })).toBeFocused();
  await expect(menu(page).getByRole('menuitemradio', { name: 'All Licenses' })).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(menu(page).getByRole('menuitemradio', { name: 'Expiring in 30 days' })).toBeFocused();
  await page.keyboard.press('End');
  await expect(menu(page).getByRole('menuitem', { name: 'Delete' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu(page)).toBeHidden();
  await expect(button).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu(page).getByRole('menuitemradio', { name: 'All Licenses' })).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(menu(page).getByRole('menuitemradio', { name: 'Expiring in 30 days' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Expiring in 30 days' })).toBeVisible();
});

test('a saved view keeps its filters, sort and columns after a reload', async ({ page }) => {
  await openLicenses(page);
  const trials = await pickView(page, 'Trials');
  // Sort by Licensed Seats, largest first, and hide Install Date.
  const seatsHeader = page.getByRole('columnheader', { name: 'Licensed Seats' });
  await seatsHeader.getByRole('button').click();
  await seatsHeader.getByRole('button').click();
  await expect(seatsHeader).toHaveAttribute('aria-sort', 'descending');
  await page.getByText('Columns', { exact: true }).click();
  await expect(page.getByRole('checkbox', { name: 'License Name' })).toBeDisabled();
  await page.getByRole('checkbox', { name: 'Install Date' }).uncheck();
  await expect(page.getByRole('columnheader', { name: 'Install Date' })).toHaveCount(0);

  await menuAction(page, 'Save as…');
  const form = page.getByRole('form', { name: 'Save list view as' });
  await expect(page.getByLabel('List View Name')).toBeFocused();
  await page.getByLabel('List View Name').fill('Trials by seats');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved the list view "Trials by seats".' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Trials by seats' })).toBeVisible();

  await page.reload();
  await expect(countText(page)).toHaveText(`${trials} licenses`);
  await expect(page.getByRole('heading', { level: 1, name: 'Trials by seats' })).toBeVisible();
  await expect(viewButton(page)).toHaveText('List view: Trials by seats ▾');
  await expect(page.getByRole('combobox', { name: 'License Status', exact: true })).toHaveValue('Trial');
  await expect(page.getByRole('columnheader', { name: 'Licensed Seats' })).toHaveAttribute('aria-sort', 'descending');
  await expect(page.getByRole('columnheader', { name: 'Install Date' })).toHaveCount(0);

  // Picked again after other views, it shows the same.
  await pickView(page, 'All Licenses');
  await expect(page.getByRole('columnheader', { name: 'Install Date' })).toBeVisible();
  await viewButton(page).click();
  await expect(menu(page).getByRole('group', { name: 'My list views' }).getByRole('menuitemradio')).toHaveAccessibleName('Trials by seats');
  await page.keyboard.press('Escape');
  expect(await pickView(page, 'Trials by seats')).toBe(trials);
  await expect(page.getByRole('columnheader', { name: 'Install Date' })).toHaveCount(0);
});

test('views are renamed and deleted; names must be given and unique; built-ins stay', async ({ page }) => {
  await openLicenses(page);
  await page.getByRole('combobox', { name: 'Sandbox', exact: true }).selectOption({ label: 'Sandbox only' });
  const sandboxes = await licenseCount(page);

  await menuAction(page, 'Save as…');
  const name = page.getByLabel('List View Name');
  const save = page.getByRole('form', { name: 'Save list view as' }).getByRole('button', { name: 'Save' });
  await name.fill('   ');
  await save.click();
  await expect(page.getByRole('alert').filter({ hasText: 'List View Name is required' })).toBeVisible();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await name.fill('production ONLY');
  await save.click();
  await expect(page.getByRole('alert').filter({ hasText: 'A list view named "Production only" already exists' })).toBeVisible();
  await name.fill('x'.repeat(41));
  await save.click();
  await expect(page.getByRole('alert').filter({ hasText: 'at most 40 characters' })).toBeVisible();
  await name.fill('Sandboxes');
  await save.click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sandboxes' })).toBeVisible();

  // Rename: the name form starts with the old name.
  await menuAction(page, 'Rename…');
  const rename = page.getByRole('form', { name: 'Rename list view' });
  await expect(page.getByLabel('List View Name')).toHaveValue('Sandboxes');
  await page.getByLabel('List View Name').fill('Trials');
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'A list view named "Trials" already exists' })).toBeVisible();
  await page.getByLabel('List View Name').fill('Sandbox orgs');
  await rename.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Renamed the list view to "Sandbox orgs".' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'Sandbox orgs' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Sandbox orgs' })).toBeVisible();
  await expect(countText(page)).toHaveText(`${sandboxes} licenses`);

  // Built-in views can't be renamed or deleted: the menu says why.
  await pickView(page, 'Trials');
  await viewButton(page).click();
  await expect(menu(page).getByRole('menuitem', { name: 'Rename…' })).toHaveAttribute('aria-disabled', 'true');
  // Delete is the last item: End, then Enter, as a keyboard user would.
  await page.keyboard.press('End');
  await expect(menu(page).getByRole('menuitem', { name: 'Delete' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: '"Trials" is a built-in view: it can\'t be renamed or deleted.' })).toBeVisible();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);

  // Delete asks first; Cancel keeps the view.
  await pickView(page, 'Sandbox orgs');
  await menuAction(page, 'Delete');
  const confirm = page.getByRole('alertdialog', { name: 'Delete this list view?' });
  await expect(confirm).toContainText('"Sandbox orgs"');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sandbox orgs' })).toBeVisible();
  await menuAction(page, 'Delete');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted the list view "Sandbox orgs".' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  await expect(countText(page)).toHaveText('190 licenses');
  await page.reload();
  await viewButton(page).click();
  await expect(menu(page).getByRole('menuitemradio', { name: 'Sandbox orgs' })).toHaveCount(0);
  await expect(menu(page).getByRole('group', { name: 'My list views' })).toHaveCount(0);
});

test('unreadable saved settings open the list on All Licenses', async ({ page }) => {
  await openLicenses(page);
  await page.evaluate(() => {
    localStorage.setItem(
      'license-desk.settings',
      JSON.stringify({
        lists: { licenses: { view: 'Gone view', filters: { status: 'Trial' }, columns: 42 } },
        views: { licenses: [{ name: 17 }, 'junk', { name: 'Kept', prefs: { filters: { status: 'Nonsense' } } }] },
      }),
    );
  });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  await expect(countText(page)).toHaveText('190 licenses');
  await page.evaluate(() => {
    localStorage.setItem(
      'license-desk.settings',
      JSON.stringify({
        lists: { licenses: { view: 'Gone view', filters: { status: 'Trial' } } },
        views: { licenses: [{ name: 17 }, 'junk', { name: 'Kept', prefs: { filters: { status: 'Nonsense' } } }] },
      }),
    );
  });
  await page.reload();
  // The view picked last is gone: All Licenses, unfiltered; the readable view stays.
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  await expect(countText(page)).toHaveText('190 licenses');
  expect(await pickView(page, 'Kept')).toBe(190);
});

test('"Expired" shows beside the License Status on the list, the license page and related lists', async ({ page }) => {
  await openLicenses(page);
  await pickView(page, 'Expired');
  const row = dataRows(page).first();
  const status = row.getByRole('cell').filter({ hasText: /· Expired$/ });
  await expect(status).toHaveText(/^(Trial|Active) · Expired$/);
  const stored = (await status.innerText()).replace(/ · Expired$/, '').trim();
  // The visible badge reads "Expired".
  await expect(status.getByText('Expired', { exact: true })).toBeVisible();
  const link = row.getByRole('link');
  const name = (await link.innerText()).trim();
  await link.click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(fieldValue(page, 'License Status')).toHaveText(`${stored} · Expired`);

  // The lead's (or, once converted, the account's) page lists the license
  // with the same status.
  await fieldValue(page, 'Lead').getByRole('link').or(fieldValue(page, 'Account').getByRole('link')).first().click();
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText(name);
  const related = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  await expect(related.getByRole('cell').filter({ hasText: /· Expired$/ })).toHaveText(`${stored} · Expired`);
});
