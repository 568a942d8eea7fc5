import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';

// Data comes from the Home page's "Load demo data" (Invoice Pro with several
// versions and Jordan Lee as Lead Manager, FieldForce Scheduler without one,
// Contract Vault whose Lead Manager Dana Whitfield is inactive, Survey Genie
// not registered). Every test starts with an empty browser profile.

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
  await openPackages(page);
  await expect(packagesTable(page).getByRole('link', { name: 'Invoice Pro' })).toBeVisible({
    timeout: 20_000,
  });
}

async function openPackages(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages' }).click();
  await expect(page).toHaveURL(/\/packages$/);
  // A split-off page: the one before stays on screen until its code is in.
  await expect(page.getByRole('heading', { level: 1, name: 'All Packages' })).toBeVisible();
}

function packagesTable(page: Page) {
  return page.getByRole('region', { name: 'Packages', exact: true });
}

async function actAs(page: Page, label: RegExp) {
  const select = page.getByLabel('Acting as');
  const option = select.getByRole('option', { name: label });
  const value = await option.getAttribute('value');
  await select.selectOption(value ?? '');
}

async function openPackage(page: Page, name: string) {
  await openPackages(page);
  await packagesTable(page).getByRole('link', { name }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** The text of one label/value pair in the Details card. */
function detail(page: Page, label: string) {
  return page
    .getByRole('region', { name: 'Details', exact: true })
    .locator('dl > div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) })
    .locator('dd');
}

test('with no packages the list says how to get some', async ({ page }) => {
  await page.goto('/packages');
  const list = packagesTable(page);
  await expect(list).toContainText('No packages yet: register one');
  await expect(list.getByRole('link', { name: 'register one' })).toHaveAttribute('href', '/packages/new');
  await expect(list.getByRole('link', { name: /Load demo data/ })).toBeVisible();
});

test('packages list leads to a package with its versions (newest first) and licenses', async ({ page }) => {
  await loadDemoData(page);
  const list = packagesTable(page);
  for (const column of ['Package Name', 'Package ID', 'Developer Name', 'Latest Version', 'Lead Manager', 'Release Date']) {
    await expect(list.getByRole('columnheader', { name: column })).toBeVisible();
  }
  const invoiceRow = list.getByRole('row', { name: /Invoice Pro/ });
  await expect(invoiceRow).toContainText('Jordan Lee');
  await expect(invoiceRow.getByRole('cell').nth(1)).toHaveText(/^033[0-9A-Za-z]{15}$/);

  await invoiceRow.getByRole('link', { name: 'Invoice Pro' }).click();
  await expect(page).toHaveURL(/\/packages\/033/);
  await expect(page.getByRole('heading', { level: 1, name: 'Invoice Pro' })).toBeVisible();
  await expect(detail(page, 'Owner')).toHaveText('License Management App');
  await expect(detail(page, 'Lead Manager')).toHaveText('Jordan Lee');
  await expect(detail(page, 'Developer Org ID')).toHaveText(/^00D[0-9A-Za-z]{15}$/);
  await expect(detail(page, 'Default License')).toHaveText('Free Trial, 30 days, 10 seats');
  for (const label of ['Package Name', 'Package ID', 'Developer Name', 'Latest Version', 'Release Date', 'Created By', 'Last Modified By']) {
    await expect(detail(page, label)).not.toBeEmpty();
  }

  const versions = page.getByRole('region', { name: 'Package Versions', exact: true });
  await expect(versions.getByRole('heading')).toHaveText(/Package Versions \(\d+\)/);
  const versionCells = versions.locator('tbody tr td:nth-child(2)');
  const numbers = await versionCells.allTextContents();
  expect(numbers.length).toBeGreaterThan(1);
  const key = (v: string) => v.split('.').map(Number);
  const newestFirst = [...numbers].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return y[i] - x[i];
    return 0;
  });
  expect(numbers).toEqual(newestFirst);
  for (const column of ['Package Version Name', 'Version', 'Version ID', 'Beta', 'Release Date']) {
    await expect(versions.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
  }

  const licenses = page.getByRole('region', { name: 'Licenses', exact: true });
  const licenseLinks = licenses.getByRole('link', { name: /^L-\d{5,}$/ });
  expect(await licenseLinks.count()).toBeGreaterThan(0);
  for (const column of ['License Name', 'Subscriber Org ID', 'License Status', 'Licensed Seats', 'Expiration Date']) {
    await expect(licenses.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
  }
  const first = (await licenseLinks.first().textContent()) ?? '';
  await licenseLinks.first().click();
  await expect(page).toHaveURL(/\/licenses\//);
  await expect(page.getByRole('heading', { level: 1, name: first })).toBeVisible();
});

test('Edit saves a valid Lead Manager and refuses an inactive one by the field', async ({ page }) => {
  await loadDemoData(page);
  await openPackage(page, 'Invoice Pro');

  await page.getByRole('button', { name: 'Edit' }).click();
  const select = page.getByLabel('Lead Manager');
  await select.selectOption({ label: 'Alex Morgan (System Administrator)' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Lead Manager saved.' })).toBeVisible();
  await expect(detail(page, 'Lead Manager')).toHaveText('Alex Morgan');
  await expect(page.getByLabel('Lead Manager')).toHaveCount(0);

  // An inactive user is offered (as in the LMA's user lookup) and refused
  // by the domain, with its reason next to the field.
  await page.getByRole('button', { name: 'Edit' }).click();
  await page.getByLabel('Lead Manager').selectOption({ label: 'Dana Whitfield (License Manager, inactive)' });
  await page.getByRole('button', { name: 'Save' }).click();
  const error = page.getByRole('alert').filter({ hasText: 'Dana Whitfield is an inactive user' });
  await expect(error).toBeVisible();
  await expect(page.getByLabel('Lead Manager')).toHaveAttribute('aria-invalid', 'true');
  await expect(detail(page, 'Lead Manager')).toHaveText('Alex Morgan');

  // A Sales Rep profile can't receive leads either.
  await page.getByLabel('Lead Manager').selectOption({ label: 'Priya Shah (Sales Rep)' });
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "can't read and edit licenses" })).toBeVisible();

  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await expect(detail(page, 'Lead Manager')).toHaveText('Alex Morgan');
  await openPackages(page);
  await expect(packagesTable(page).getByRole('row', { name: /Invoice Pro/ })).toContainText('Alex Morgan');
});

test('Refresh Licenses asks first, then refuses a second refresh within 7 days saying when', async ({ page }) => {
  await loadDemoData(page);
  await openPackage(page, 'FieldForce Scheduler');

  await page.getByRole('button', { name: 'Refresh Licenses' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Refresh Licenses' });
  await expect(confirm).toContainText('Refresh licenses for this package?');
  // Cancel leaves everything as it was.
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(detail(page, 'Licenses Last Refreshed')).toContainText('Never');

  await page.getByRole('button', { name: 'Refresh Licenses' }).click();
  await confirm.getByRole('button', { name: 'Refresh Licenses' }).click();
  const done = page.getByRole('status').filter({ hasText: 'Licenses for FieldForce Scheduler were refreshed' });
  await expect(done).toBeVisible();
  await expect(done).toContainText('The next refresh is allowed from');
  await expect(detail(page, 'Licenses Last Refreshed')).not.toContainText('Never');

  // The next allowed date is a week from now, in the browser's time.
  const nextDay = await page.evaluate(() => {
    const d = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  });
  await page.getByRole('button', { name: 'Refresh Licenses' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'once every 7 days' });
  await expect(refused).toBeVisible();
  await expect(refused).toContainText(`The next refresh is allowed from ${nextDay}`);
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
});

test('a Read Only user is offered neither Edit nor Refresh Licenses', async ({ page }) => {
  await loadDemoData(page);
  await actAs(page, /Read Only/);
  await openPackage(page, 'Invoice Pro');
  await expect(page.getByRole('region', { name: 'Licenses', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Refresh Licenses' })).toHaveCount(0);

  // A License Manager may change the Lead Manager and refresh.
  await actAs(page, /Jordan Lee/);
  await expect(page.getByRole('button', { name: 'Edit' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Refresh Licenses' })).toBeVisible();
});

test('a package whose Lead Manager is inactive warns that installs fail', async ({ page }) => {
  await loadDemoData(page);
  await openPackage(page, 'Contract Vault');
  await expect(detail(page, 'Lead Manager')).toHaveText('Dana Whitfield');
  await expect(page.getByRole('main')).toContainText(
    'The Lead Manager, Dana Whitfield, is an inactive user, so installs of this package fail to create leads and licenses.',
  );
});

test('a long Licenses related list shows the first 50 and more on request', async ({ page }) => {
  await loadDemoData(page);
  await openPackage(page, 'Invoice Pro');
  const licenses = page.getByRole('region', { name: 'Licenses', exact: true });
  // The first licenses come before their count ("Licenses (50+)" meanwhile).
  await expect(licenses.getByRole('heading')).toHaveText(/^Licenses \(\d+\)$/);
  const heading = (await licenses.getByRole('heading').textContent()) ?? '';
  const total = Number(/\((\d+)\)/.exec(heading)?.[1] ?? '0');
  expect(total, 'Invoice Pro has more licenses than one page').toBeGreaterThan(50);
  const links = licenses.getByRole('link', { name: /^L-\d{5,}$/ });
  await expect(links).toHaveCount(50);
  await expect(licenses).toContainText(`Showing 50 of ${total}.`);
  await licenses.getByRole('button', { name: /^Show \d+ more$/ }).click();
  await expect(links).toHaveCount(Math.min(total, 100));
  // By License Name.
  const names = await links.allTextContents();
  expect(names).toEqual([...names].sort());
});
