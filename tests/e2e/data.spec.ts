// Import and export (/data): CSV files from a License Management Org go in
// through a preview (nothing is written before Import), bad files are
// refused with a clear message, and a backup downloaded from a desk restores
// the same desk after a Reset. Files are set on the labelled inputs from
// in-memory buffers.
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import { snapshot } from './faults';

import { BAD_LICENSE, LEADS, LICENSES, LICENSE_HEADER, PACKAGES, SMALL_SET, VERSIONS, csv } from './lma_files';

async function openData(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import and export' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Import and export' })).toBeVisible();
}

async function openLicenses(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
}

function licenseCount(page: Page) {
  return page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ });
}

/** Expects the "Rows per object" row of one object: New, Changed, Unchanged, Refused. */
async function expectCounts(page: Page, object: string, counts: string[]): Promise<void> {
  const row = page.getByRole('table', { name: 'Rows per object' }).getByRole('row').filter({
    has: page.getByRole('rowheader', { name: object, exact: true }),
  });
  await expect(row.getByRole('cell')).toHaveText(counts);
}

test('a small LMA export imports through the preview into an empty desk', async ({ page }) => {
  await page.goto('/');
  await openData(page);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);

  const preview = page.getByRole('region', { name: 'Preview' });
  await expect(preview).toBeVisible();
  await expect(preview.getByRole('status')).toHaveText('Nothing is written yet. 7 row(s) would be imported.');
  //                                      New  Changed Unchanged Refused
  await expectCounts(page, 'Packages', ['1', '0', '0', '0']);
  await expectCounts(page, 'Package Versions', ['2', '0', '0', '0']);
  await expectCounts(page, 'Leads', ['2', '0', '0', '0']);
  await expectCounts(page, 'Licenses', ['2', '0', '0', '0']);
  await expect(preview.getByText('Unknown columns, ignored: CreatedDate.')).toBeVisible();
  // Nothing refused: a plain Import.
  await expect(preview.getByRole('button', { name: /valid rows?/ })).toHaveCount(0);

  // Nothing is written before Import.
  await openLicenses(page);
  await expect(page.getByRole('link', { name: 'L-00042' })).toHaveCount(0);
  await openData(page);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Imported 7 record\(s\)/ })).toContainText(
    '2 Licenses (2 new, 0 changed)',
  );

  await openLicenses(page);
  await expect(licenseCount(page)).toHaveText('2 licenses');
  await expect(page.getByRole('link', { name: 'L-00042' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'L-00043' })).toBeVisible();

  // The same files again: every row is unchanged, nothing to import.
  await openData(page);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);
  await expectCounts(page, 'Licenses', ['0', '0', '2', '0']);
  await expect(page.getByRole('alert').filter({ hasText: /^Nothing to import/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toHaveCount(0);
});

test('a refused row is shown by line and column, and Cancel writes nothing', async ({ page }) => {
  await page.goto('/');
  await openData(page);
  const withBadRow = [...SMALL_SET];
  withBadRow[0] = csv('licenses.csv', LICENSES + BAD_LICENSE);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(withBadRow);

  await expectCounts(page, 'Licenses', ['2', '0', '0', '1']);
  const refused = page.getByRole('table', { name: 'Refused rows' }).getByRole('row').filter({ has: page.getByRole('cell') });
  await expect(refused).toHaveCount(1);
  const cells = (await refused.first().getByRole('cell').allInnerTexts()).map((t) => t.trim());
  expect(cells.slice(0, 3)).toEqual(['licenses.csv', '4', 'Id']);
  // The domain's message for an Id whose checksum suffix is wrong.
  expect(cells[3]).toContain("don't match the first 15");

  // An explicit choice: the valid rows, or nothing.
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Import the 7 valid rows' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Import cancelled: nothing was written' })).toBeVisible();

  await openLicenses(page);
  await expect(page.getByRole('link', { name: 'L-00042' })).toHaveCount(0);

  // Now the valid rows, and only them.
  await openData(page);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(withBadRow);
  await page.getByRole('button', { name: 'Import the 7 valid rows' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Imported 7 record\(s\)/ })).toBeVisible();
  await openLicenses(page);
  await expect(licenseCount(page)).toHaveText('2 licenses');
  await expect(page.getByRole('link', { name: 'L-00044' })).toHaveCount(0);
});

test('files dropped on the drop zone are read like picked ones', async ({ page }) => {
  await page.goto('/');
  await openData(page);
  const dataTransfer = await page.evaluateHandle(
    ([packages, versions]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([packages], 'packages.csv', { type: 'text/csv' }));
      dt.items.add(new File([versions], 'versions.csv', { type: 'text/csv' }));
      return dt;
    },
    [PACKAGES, VERSIONS],
  );
  await page.getByRole('group', { name: 'CSV files: drop zone' }).dispatchEvent('drop', { dataTransfer });
  await expectCounts(page, 'Packages', ['1', '0', '0', '0']);
  await expectCounts(page, 'Package Versions', ['2', '0', '0', '0']);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Imported 3 record\(s\)/ })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'All Packages' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Invoice Pro' })).toBeVisible();
});

test('bad files get a clear message and write nothing', async ({ page }) => {
  await page.goto('/');
  await openData(page);
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0xff, 0xfe]);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles([
    { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) },
    csv('header-only.csv', `${LICENSE_HEADER}\r\n`),
    { name: 'logo.csv', mimeType: 'text/csv', buffer: png },
  ]);
  const refusedFiles = page.getByRole('list', { name: 'Refused files' });
  await expect(refusedFiles.getByRole('listitem')).toHaveCount(3);
  await expect(refusedFiles).toContainText('empty.csv: The file is empty.');
  await expect(refusedFiles).toContainText('header-only.csv: The file has a header row but no records below it');
  await expect(refusedFiles).toContainText('logo.csv: The file is not a CSV text file');
  await expect(page.getByRole('alert').filter({ hasText: /^Nothing to import/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Import/ })).toHaveCount(0);

  // A JSON file that is not a backup: refused before anything is shown.
  await page.getByLabel('Backup file', { exact: true }).setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"hello": "world"}'),
  });
  await expect(page.getByRole('alert').filter({ hasText: /^This file is not a License Desk backup/ })).toContainText(
    'Nothing was restored.',
  );
  await expect(page.getByRole('button', { name: 'Restore this backup' })).toHaveCount(0);

  await openLicenses(page);
  await expect(page.getByText('No licenses').or(licenseCount(page).filter({ hasText: /^0 licenses$/ })).first()).toBeVisible();
});

test('a backup restores the same desk after a Reset', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Demo data loaded' })).toContainText('190 licenses');

  // One license's values, to find again after the restore.
  await openLicenses(page);
  await expect(licenseCount(page)).toHaveText('190 licenses');
  const first = page.getByRole('region', { name: 'Licenses list' }).getByRole('row').filter({ has: page.getByRole('cell') }).first();
  const before = (await first.getByRole('cell').allInnerTexts()).map((t) => t.trim());
  const name = before[1]; // after the row's checkbox

  await openData(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download backup' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^license-desk-backup-\d{4}-\d{2}-\d{2}-\d{4}\.json$/);
  const file = await download.path();
  const backup = JSON.parse(await readFile(file, 'utf-8'));
  expect(backup.format).toBe('license-desk-backup');
  expect(backup.stores.licenses).toHaveLength(190);
  expect(backup.stores.packages).toHaveLength(4);
  expect(Object.keys(backup.stores)).toEqual(expect.arrayContaining(['leads', 'license_history', 'users', 'counters']));
  await expect(page.getByRole('status').filter({ hasText: /^Backup downloaded/ })).toBeVisible();

  // Reset on Home: the desk is empty.
  await page.getByRole('link', { name: 'License Desk' }).click();
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('alertdialog', { name: 'Reset License Desk?' }).getByRole('button', { name: 'Delete everything' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Everything was deleted' })).toBeVisible();

  await openData(page);
  await page.getByLabel('Backup file', { exact: true }).setInputFiles(file);
  const holds = page.getByRole('table', { name: 'Records per store' });
  await expect(holds).toBeVisible();
  await expect(holds.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'License', exact: true }) })).toContainText('190');
  await page.getByRole('button', { name: 'Restore this backup' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Replace every record on this desk?' });
  await expect(confirm).toContainText('Every record on this desk is deleted and replaced');
  await confirm.getByRole('button', { name: 'Replace with the backup' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Backup restored/ })).toBeVisible();

  await openLicenses(page);
  await expect(licenseCount(page)).toHaveText('190 licenses');
  const again = page.getByRole('region', { name: 'Licenses list' }).getByRole('row').filter({ has: page.getByRole('cell') }).first();
  await expect(again.getByRole('cell').nth(1)).toHaveText(name);
  expect((await again.getByRole('cell').allInnerTexts()).map((t) => t.trim())).toEqual(before);
});

test('a changed license shows old → new, and the page passes a WCAG 2.1 AA scan', async ({ page }) => {
  await page.goto('/');
  await openData(page);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Imported 7 record\(s\)/ })).toBeVisible();

  // L-00042 with 40 seats instead of 25, and a row refused. The desk keeps
  // a version by its Version ID (04t), not the org's record Id (a0V).
  const changed = LICENSES.replace(',Active,25,3,', ',Active,40,3,').replace(',a0V000000000001,', ',04t000000000001,') + BAD_LICENSE;
  await page.getByLabel('CSV files', { exact: true }).setInputFiles([csv('licenses.csv', changed)]);
  await expectCounts(page, 'Licenses', ['0', '1', '1', '1']);
  const sample = page.getByRole('table', { name: 'A sample of the changes' });
  await expect(sample.getByRole('row').filter({ hasText: 'L-00042' })).toContainText('25 → 40');

  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);

  await page.getByRole('button', { name: 'Import the 1 valid row' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Imported 1 record\(s\)/ })).toContainText(
    '1 License History entry records the changed fields.',
  );
});

test('a profile that may not import previews, is told why, and is not offered Import', async ({ page }) => {
  await page.goto('/');
  const select = page.getByLabel('Acting as');
  const value = await select.getByRole('option', { name: /\(Read Only\)$/ }).first().getAttribute('value');
  await select.selectOption(value ?? '');
  await openData(page);
  await expect(page.getByText(/^You can preview files, but not import them: The Read Only profile can't/)).toBeVisible();
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);
  await expectCounts(page, 'Licenses', ['2', '0', '0', '0']);
  await expect(page.getByRole('alert').filter({ hasText: /^The Read Only profile can't/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Import/ })).toHaveCount(0);
});

test('Cancel while a backup is restored leaves the desk exactly as it was', async ({ page }) => {
  test.setTimeout(180_000);
  // A backup of the 10k demo: its restore is one transaction counted in steps.
  await page.goto('/');
  await page.getByLabel('Demo size', { exact: true }).selectOption('10k');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Demo data loaded' })).toContainText('10,000 licenses', { timeout: 120_000 });
  await openData(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download backup' }).click(),
  ]);
  const file = await download.path();

  // The desk holds the normal demo when the restore is cancelled.
  await page.getByRole('link', { name: 'License Desk' }).click();
  await page.getByLabel('Demo size', { exact: true }).selectOption('normal');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await page.getByRole('alertdialog', { name: 'Replace the data with the demo?' }).getByRole('button', { name: 'Replace with demo data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Demo data loaded' })).toContainText('190 licenses');
  const before = await snapshot(page);

  await openData(page);
  await page.getByLabel('Backup file', { exact: true }).setInputFiles(file);
  await expect(page.getByRole('table', { name: 'Records per store' })).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Restore this backup' }).click();
  await page.getByRole('alertdialog', { name: 'Replace every record on this desk?' }).getByRole('button', { name: 'Replace with the backup' }).click();
  const bar = page.getByRole('progressbar', { name: 'Restoring the backup' });
  await expect
    .poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(4_000);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Restore cancelled/ })).toHaveText(
    'Restore cancelled: nothing changed, the desk is as it was.',
    { timeout: 60_000 },
  );
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  expect(await snapshot(page)).toEqual(before);
  await openLicenses(page);
  await expect(licenseCount(page)).toHaveText('190 licenses');
});

test('Cancel while an import is written leaves the desk exactly as it was', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const before = await snapshot(page);
  // 60,000 licenses of one package: written in one transaction counted in steps.
  const rows = Array.from({ length: 60_000 }, (_, i) => {
    const n = String(i + 1).padStart(12, '0');
    return `a0L${n},L-${String(i + 1).padStart(5, '0')},Active,25,3,2030-01-31,2025-02-01,NA45,Enterprise Edition,Active,,false,00D${n},a0V000000000001,1.0,,,,Editable`;
  });
  await openData(page);
  await page
    .getByLabel('CSV files', { exact: true })
    .setInputFiles([csv('packages.csv', PACKAGES), csv('versions.csv', VERSIONS), csv('licenses.csv', [LICENSE_HEADER, ...rows, ''].join('\n'))]);
  await expectCounts(page, 'Licenses', ['60,000', '0', '0', '0']);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const bar = page.getByRole('progressbar', { name: 'Importing' });
  await expect
    .poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(4_000);
  // Clicked at once, as a person does (the page takes the click between the
  // write's steps): Playwright's wait for a steady button, in animation
  // frames of a page busy writing, outlasted a smaller import here.
  await page.getByRole('button', { name: 'Cancel', exact: true }).click({ force: true });
  await expect(page.getByRole('status').filter({ hasText: /^Import cancelled/ })).toHaveText(
    'Import cancelled: nothing was written; the desk is as it was.',
    { timeout: 60_000 },
  );
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  expect(await snapshot(page)).toEqual(before);
});
