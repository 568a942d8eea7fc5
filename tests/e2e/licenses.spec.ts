// Licenses: the list (search, filters, sort, windowing), the license record
// page, and every Modify License rule through the form. Elements are found by
// role and label, as a user (or a screen reader) finds them. The data comes
// from the Home page's deterministic demo data; dates are relative to the
// browser's local date, which the app uses too.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { loadDemoData } from './faults';

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** `YYYY-MM-DD` of the browser's local date `days` from today. */
function isoDaysFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The 18-character form of a 15-character Salesforce ID (SPEC: Salesforce IDs). */
function to18(id15: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let n = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') n += 1 << i;
    }
    suffix += alphabet[n];
  }
  return id15 + suffix;
}

/** Opens the Licenses list from the navigation bar and waits for its rows. */
async function openLicenses(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  await expect(countText(page)).toBeVisible();
}

function countText(page: Page) {
  return page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ });
}

/** The number in the "N licenses" count. */
async function licenseCount(page: Page): Promise<number> {
  return Number((await countText(page).innerText()).replace(/[^\d]/g, ''));
}

/** The list's data rows (the header row excluded; spacer rows are hidden from roles). */
function dataRows(page: Page) {
  return page
    .getByRole('region', { name: 'Licenses list' })
    .getByRole('row')
    .filter({ has: page.getByRole('cell') });
}

/** Filters the list, opens the first license shown and returns its License Name. */
async function openFirstLicense(
  page: Page,
  filters: { status?: string; orgStatus?: string; search?: string; package?: string } = {},
): Promise<string> {
  await openLicenses(page);
  if (filters.package) {
    await page.getByLabel('Package', { exact: true }).selectOption({ label: filters.package });
  }
  if (filters.status) {
    await page.getByLabel('License Status', { exact: true }).selectOption(filters.status);
  }
  if (filters.orgStatus) {
    await page.getByLabel('Org Status', { exact: true }).selectOption(filters.orgStatus);
  }
  if (filters.search) {
    await page.getByLabel('Search licenses').fill(filters.search);
  }
  const link = dataRows(page).first().getByRole('link');
  const name = (await link.innerText()).trim();
  await link.click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  return name;
}

function historyHeading(page: Page) {
  return page.getByRole('heading', { name: /^License History \(\d+\)$/ });
}

/** The "(N)" of the License History related list. */
async function historyCount(page: Page): Promise<number> {
  await expect(historyHeading(page)).toBeVisible();
  return Number((await historyHeading(page).innerText()).replace(/[^\d]/g, ''));
}

/** A highlight or detail field's value, by its label (the first such field on the page). */
function fieldValue(page: Page, label: string) {
  return page
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .first()
    .locator('xpath=following-sibling::dd[1]');
}

/** Opens Modify License from the license page. */
async function openModify(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Modify License' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Modify License' })).toBeVisible();
  await expect(page.getByLabel('Seats', { exact: true })).toBeVisible();
}

/** Opens Modify License by its address, as a bookmark or a typed URL would. */
async function openModifyByAddress(page: Page): Promise<void> {
  await page.goto(`${page.url().replace(/\?.*$/, '')}/modify`);
  await expect(page.getByRole('heading', { level: 1, name: 'Modify License' })).toBeVisible();
}

async function actAs(page: Page, user: string): Promise<void> {
  await page.getByLabel('Acting as').selectOption({ label: user });
}

test.describe('Licenses list without data', () => {
  test('says what to do when there are no licenses yet', async ({ page }) => {
    await page.goto('/licenses');
    await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
    await expect(page.getByText(/^No licenses yet: load demo data on the Home page or install a package/)).toBeVisible();
    await expect(page.getByRole('link', { name: 'Subscriber simulator' }).last()).toBeVisible();
    await page.getByRole('link', { name: 'Home page' }).click();
    await expect(page.getByRole('button', { name: 'Load demo data', exact: true })).toBeVisible();
  });
});

// ---------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------

test.describe('Licenses list', () => {
  test.beforeEach(async ({ page }) => {
    await loadDemoData(page);
  });

  test('shows every license with the LMA columns and words', async ({ page }) => {
    await openLicenses(page);
    for (const column of [
      'License Name',
      'Subscriber Org ID',
      'Package',
      'Package Version Number',
      'License Status',
      'Licensed Seats',
      'Used Licenses',
      'Expiration Date',
      'Install Date',
    ]) {
      await expect(page.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
    }
    expect(await licenseCount(page)).toBeGreaterThan(100);
    const list = page.getByRole('region', { name: 'Licenses list' });
    await expect(list.getByRole('cell', { name: 'Does not expire' }).first()).toBeVisible();
    await page.getByLabel('Sandbox', { exact: true }).selectOption({ label: 'Sandbox only' });
    await expect(list.getByRole('cell', { name: 'Site License' }).first()).toBeVisible();
    // Subscriber Org IDs in their 15-character form (after the row's checkbox and License Name).
    const org = (await dataRows(page).first().getByRole('cell').nth(2).innerText()).trim();
    expect(org).toMatch(/^00D[0-9A-Za-z]{12}$/);
  });

  test('searches by License Name, and by Subscriber Org ID in its 15- and 18-character forms', async ({ page }) => {
    await openLicenses(page);
    const total = await licenseCount(page);
    const row = dataRows(page).nth(3);
    const name = (await row.getByRole('cell').nth(1).innerText()).trim();
    const org15 = (await row.getByRole('cell').nth(2).innerText()).trim();
    const search = page.getByLabel('Search licenses');
    await expect(search).toHaveAttribute('type', 'search');

    await search.fill(name);
    await expect(countText(page)).toHaveText('1 license');
    await expect(dataRows(page)).toHaveCount(1);
    await expect(dataRows(page).getByRole('link', { name })).toBeVisible();

    for (const id of [org15, to18(org15), to18(org15).toLowerCase()]) {
      await search.fill(id);
      await expect(dataRows(page).getByRole('link', { name, exact: true })).toBeVisible();
      expect(await licenseCount(page)).toBeLessThan(total);
      for (const cell of await dataRows(page).getByRole('cell').filter({ hasText: /^00D/ }).all()) {
        await expect(cell).toHaveText(org15);
      }
    }

    await search.fill('no such license anywhere');
    await expect(countText(page)).toHaveText('0 licenses');
    await expect(page.getByText('No licenses match this search and these filters.')).toBeVisible();
    await page.getByRole('button', { name: 'Show all licenses' }).click();
    await expect(countText(page)).toHaveText(`${total.toLocaleString('en-US')} licenses`);
  });

  test('filters by License Status, and clears the filters', async ({ page }) => {
    await openLicenses(page);
    const total = await licenseCount(page);
    await page.getByLabel('License Status', { exact: true }).selectOption('Uninstalled');
    const uninstalled = await licenseCount(page);
    expect(uninstalled).toBeGreaterThan(0);
    expect(uninstalled).toBeLessThan(total);
    const statuses = dataRows(page).getByRole('cell').filter({ hasText: /^(Trial|Active|Suspended|Uninstalled)$/ });
    for (const cell of await statuses.all()) {
      await expect(cell).toHaveText('Uninstalled');
    }
    // Uninstalled licenses have a blank Used Licenses.
    await page.getByLabel('Expires within (days)').fill('30');
    expect(await licenseCount(page)).toBeLessThanOrEqual(uninstalled);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect(page.getByLabel('License Status', { exact: true })).toHaveValue('');
    await expect(countText(page)).toHaveText(`${total.toLocaleString('en-US')} licenses`);

    await page.getByLabel('Expires within (days)').fill('7');
    const soon = await licenseCount(page);
    expect(soon).toBeGreaterThan(0);
    expect(soon).toBeLessThan(total);
  });

  test('sorts by a column header, and renders only the rows in view', async ({ page }) => {
    await openLicenses(page);
    const total = await licenseCount(page);
    const nameHeader = page.getByRole('columnheader', { name: 'License Name', exact: true });
    await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
    const first = (await dataRows(page).first().getByRole('link').innerText()).trim();

    await nameHeader.getByRole('button').click();
    await expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
    const last = (await dataRows(page).first().getByRole('link').innerText()).trim();
    expect(last > first).toBe(true);

    const seatsHeader = page.getByRole('columnheader', { name: 'Licensed Seats', exact: true });
    await seatsHeader.getByRole('button').click();
    await expect(seatsHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect(nameHeader).toHaveAttribute('aria-sort', 'none');
    await seatsHeader.getByRole('button').click();
    await expect(seatsHeader).toHaveAttribute('aria-sort', 'descending');
    // Site License is the most seats.
    await expect(dataRows(page).first().getByRole('cell', { name: 'Site License' })).toBeVisible();

    // Windowing: far fewer rows than licenses in the DOM; scrolling to the end shows the last.
    await nameHeader.getByRole('button').click();
    await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');
    const rendered = await dataRows(page).count();
    expect(rendered).toBeLessThan(Math.min(total, 150));
    const list = page.getByRole('region', { name: 'Licenses list' });
    await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
    const lastRow = dataRows(page).filter({ has: page.getByRole('link', { name: last, exact: true }) });
    await expect(lastRow).toHaveCount(1);
    // The last row sits inside the list's visible box.
    const box = await list.boundingBox();
    const rowBox = await lastRow.boundingBox();
    expect(box && rowBox).toBeTruthy();
    if (box && rowBox) {
      expect(rowBox.y).toBeGreaterThanOrEqual(box.y);
      expect(rowBox.y + rowBox.height).toBeLessThanOrEqual(box.y + box.height + 1);
    }
    expect(await dataRows(page).count()).toBeLessThan(Math.min(total, 150));
  });
});

// ---------------------------------------------------------------------------
// The license record page
// ---------------------------------------------------------------------------

test.describe('License record page', () => {
  test.beforeEach(async ({ page }) => {
    await loadDemoData(page);
  });

  test('shows every field by its LMA label, and survives a reload', async ({ page }) => {
    const name = await openFirstLicense(page, { status: 'Active', orgStatus: 'Active' });
    for (const label of ['License Status', 'Licensed Seats', 'Used Licenses', 'Expiration Date']) {
      await expect(page.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }).first()).toBeVisible();
    }
    for (const label of [
      'Package',
      'Package Version Number',
      'Subscriber Org ID',
      'Org Edition',
      'Org Status',
      'Org Expiration Date',
      'Instance',
      'Sandbox',
      'Install Date',
      'Information Current As Of',
      'Lead',
      'Account',
      'Contact',
      'License Type',
      'Owner',
      'Created By',
      'Last Modified By',
      'Available Seats',
    ]) {
      await expect(page.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) })).toBeVisible();
    }
    await expect(fieldValue(page, 'Owner')).toHaveText('License Management App');
    await expect(fieldValue(page, 'Org Status')).toHaveText('Active');
    await expect(fieldValue(page, 'Subscriber Org ID')).toHaveText(/^00D[0-9A-Za-z]{12}$/);
    await expect(fieldValue(page, 'Package').getByRole('link')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Modify License' })).toBeVisible();
    await expect(historyHeading(page)).toBeVisible();

    const url = page.url();
    await page.reload();
    await expect(page).toHaveURL(url);
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(fieldValue(page, 'Owner')).toHaveText('License Management App');
  });

  test('an unknown license says so and leads back to the list', async ({ page }) => {
    await page.goto('/licenses/a0L000000000zzz');
    await expect(page.getByRole('heading', { name: 'License not found' })).toBeVisible();
    await page.getByRole('link', { name: 'Back to Licenses' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  });
});

// ---------------------------------------------------------------------------
// Modify License
// ---------------------------------------------------------------------------

test.describe('Modify License', () => {
  test.beforeEach(async ({ page }) => {
    await loadDemoData(page);
  });

  test('99,000,001 seats are refused by the Seats field and nothing is saved; 99,000,000 is saved with a history row', async ({ page }) => {
    const name = await openFirstLicense(page, { status: 'Active', orgStatus: 'Active' });
    const seatsBefore = await fieldValue(page, 'Licensed Seats').innerText();
    const historyBefore = await historyCount(page);
    await openModify(page);

    const seats = page.getByLabel('Seats', { exact: true });
    await page.getByLabel('Site License').uncheck();
    await seats.fill('99000001');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(seats).toHaveAttribute('aria-invalid', 'true');
    await expect(seats).toHaveAccessibleDescription(/99,000,000.*out of range/);
    await expect(page.getByRole('alert').filter({ hasText: 'out of range' })).toBeVisible();
    await expect(page).toHaveURL(/\/modify$/);
    // What was typed is kept.
    await expect(seats).toHaveValue('99000001');

    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(fieldValue(page, 'Licensed Seats')).toHaveText(seatsBefore);
    expect(await historyCount(page)).toBe(historyBefore);

    await openModify(page);
    await page.getByLabel('Site License').uncheck();
    await page.getByLabel('Seats', { exact: true }).fill('99000000');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\/licenses\/[0-9A-Za-z]{18}\?saved=1$/);
    await expect(page.getByRole('status').filter({ hasText: 'Saved: 1 field changed' })).toBeVisible();
    await expect(fieldValue(page, 'Licensed Seats')).toHaveText('99,000,000');
    await expect(historyHeading(page)).toHaveText(`License History (${historyBefore + 1})`);
    const newest = page.getByRole('region', { name: 'License History' }).getByRole('row').nth(1);
    await expect(newest.getByRole('cell').nth(1)).toHaveText('Licensed Seats');
    await expect(newest.getByRole('cell').nth(2)).toHaveText('Alex Morgan');
    await expect(newest.getByRole('cell').nth(3)).toHaveText(seatsBefore);
    await expect(newest.getByRole('cell').nth(4)).toHaveText('99,000,000');

    // The saved license is in IndexedDB: a reload shows it.
    await page.reload();
    await expect(fieldValue(page, 'Licensed Seats')).toHaveText('99,000,000');
    await expect(historyHeading(page)).toHaveText(`License History (${historyBefore + 1})`);
  });

  test('a Trial of 91 days is refused, 90 days is saved', async ({ page }) => {
    await openFirstLicense(page, { status: 'Trial' });
    await openModify(page);
    const expiration = page.getByLabel('Expiration', { exact: true });
    await page.getByLabel('Does not expire').uncheck();
    await expect(page.getByLabel('Status', { exact: true })).toHaveValue('Trial');

    await expiration.fill(isoDaysFromToday(91));
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(expiration).toHaveAttribute('aria-invalid', 'true');
    await expect(expiration).toHaveAccessibleDescription(/A Trial lasts at most 90 days/);
    await expect(page).toHaveURL(/\/modify$/);
    await expect(expiration).toHaveValue(isoDaysFromToday(91));

    await expiration.fill(isoDaysFromToday(90));
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\?saved=\d+$/);
    await expect(fieldValue(page, 'Expiration Date')).toHaveText(isoDaysFromToday(90));
  });

  test('an expiration date before today is refused by the Expiration field', async ({ page }) => {
    await openFirstLicense(page, { status: 'Active', orgStatus: 'Active' });
    await openModify(page);
    await page.getByLabel('Does not expire').uncheck();
    const expiration = page.getByLabel('Expiration', { exact: true });
    await expiration.fill(isoDaysFromToday(-1));
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(expiration).toHaveAccessibleDescription(/is in the past/);
    await expect(page).toHaveURL(/\/modify$/);
  });

  test('an Active license can never return to Trial', async ({ page }) => {
    await openFirstLicense(page, { status: 'Active', orgStatus: 'Active' });
    await openModify(page);
    await page.getByLabel('Does not expire').uncheck();
    await page.getByLabel('Expiration', { exact: true }).fill(isoDaysFromToday(30));
    const status = page.getByLabel('Status', { exact: true });
    await status.selectOption('Trial');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(status).toHaveAttribute('aria-invalid', 'true');
    await expect(status).toHaveAccessibleDescription(/can't return to Trial/);
    await expect(page).toHaveURL(/\/modify$/);
    await expect(status).toHaveValue('Trial');
  });

  test('seats below Used Licenses are saved with the warning and negative available seats', async ({ page }) => {
    // Contract Vault licenses have counted seats and Used Licenses.
    await openFirstLicense(page, { status: 'Active', orgStatus: 'Active', package: 'Contract Vault' });
    const used = Number((await fieldValue(page, 'Used Licenses').innerText()).replace(/[^\d]/g, ''));
    expect(used).toBeGreaterThanOrEqual(2);
    await openModify(page);
    await page.getByLabel('Site License').uncheck();
    await page.getByLabel('Seats', { exact: true }).fill('1');
    // The license may have expired: renew it for a year at the same time.
    await page.getByLabel('Does not expire').uncheck();
    await page.getByLabel('Expiration', { exact: true }).fill(isoDaysFromToday(365));
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page).toHaveURL(/\?saved=\d+$/);
    await expect(page.getByRole('status').filter({ hasText: 'are fewer than Used Licenses' })).toBeVisible();
    await expect(fieldValue(page, 'Available Seats')).toHaveText(`-${(used - 1).toLocaleString('en-US')}`);
  });

  test('a save over a license changed in another tab since the form opened is refused', async ({ page }) => {
    const name = await openFirstLicense(page, { status: 'Active', orgStatus: 'Active', package: 'Contract Vault' });
    const url = page.url();
    await openModify(page);

    // Another tab modifies the same license and saves first.
    const other = await page.context().newPage();
    await other.goto(`${url}/modify`);
    await other.getByLabel('Seats', { exact: true }).fill('31');
    await other.getByLabel('Does not expire').check();
    await other.getByRole('button', { name: 'Save' }).click();
    await expect(other).toHaveURL(/\?saved=\d+$/);
    await other.close();

    await page.getByLabel('Seats', { exact: true }).fill('32');
    await page.getByLabel('Does not expire').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(
      page.getByRole('alert').filter({ hasText: `License ${name} was changed elsewhere (in another tab?)` }),
    ).toBeVisible();
    await expect(page).toHaveURL(/\/modify$/);
    await expect(page.getByLabel('Seats', { exact: true })).toHaveValue('32');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await expect(fieldValue(page, 'Licensed Seats')).toHaveText('31');
  });

  test('an Uninstalled license is not offered Modify License, says why, and is refused at its address', async ({ page }) => {
    await openFirstLicense(page, { status: 'Uninstalled' });
    const message = /This license is Uninstalled, so it can't be modified/;
    await expect(page.getByRole('status').filter({ hasText: message })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Modify License' })).toHaveCount(0);
    await openModifyByAddress(page);
    await expect(page.getByRole('alert').filter({ hasText: message })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
  });

  for (const orgStatus of ['Suspended', 'Deleted']) {
    test(`a license of a ${orgStatus} org is not offered Modify License and gets the proxy-user-has-deactivated message`, async ({ page }) => {
      await openFirstLicense(page, { orgStatus });
      const message = /proxy user has deactivated.*locked, deleted or disabled/;
      await expect(page.getByRole('status').filter({ hasText: message })).toBeVisible();
      await expect(page.getByRole('link', { name: 'Modify License' })).toHaveCount(0);
      await openModifyByAddress(page);
      await expect(page.getByRole('alert').filter({ hasText: message })).toBeVisible();
      await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
    });
  }

  test('seats below Used Licenses show the warning while they are typed, before Save', async ({ page }) => {
    await openFirstLicense(page, { status: 'Active', orgStatus: 'Active', package: 'Contract Vault' });
    const used = Number((await fieldValue(page, 'Used Licenses').innerText()).replace(/[^\d]/g, ''));
    expect(used).toBeGreaterThanOrEqual(2);
    await openModify(page);
    await page.getByLabel('Site License').uncheck();
    const seats = page.getByLabel('Seats', { exact: true });
    const warning = page.getByRole('status').filter({ hasText: 'are fewer than Used Licenses' });
    await seats.fill(String(used));
    await expect(warning).toHaveCount(0);
    await seats.fill(String(used - 1));
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('-1 available seats');
    // Nothing was saved: the form is still open.
    await expect(page).toHaveURL(/\/modify$/);
    await page.getByLabel('Site License').check();
    await expect(warning).toHaveCount(0);
  });

  for (const user of ['Chris Park (Read Only)', 'Priya Shah (Sales Rep)']) {
    test(`${user} is not offered Modify License, and is refused at its address`, async ({ page }) => {
      await openFirstLicense(page, { status: 'Active', orgStatus: 'Active' });
      await expect(page.getByRole('link', { name: 'Modify License' })).toBeVisible();
      await actAs(page, user);
      await expect(page.getByRole('link', { name: 'Modify License' })).toHaveCount(0);

      const profile = user.replace(/.*\((.*)\)/, '$1');
      await page.goto(`${page.url().replace(/\?.*$/, '')}/modify`);
      await expect(page.getByLabel('Acting as')).toHaveValue(/.+/);
      await expect(
        page.getByRole('alert').filter({ hasText: `The ${profile} profile can't modify licenses.` }),
      ).toBeVisible();
      await expect(page.getByRole('button', { name: 'Save' })).toBeDisabled();
    });
  }
});
