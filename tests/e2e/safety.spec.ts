import type { Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { test, expect } from './fixtures';
import { armReload, counts, damage, fillStorage, findKey, loadDemoData, reloadOnNextWrite, shrinkQuota, snapshot, DB } from './faults';
import { SMALL_SET } from './lma_files';

// Keeping the desk's data safe (issue 12): each test is a fault a user could
// meet — damaged records, a full disk, a reload half-way through a save, a
// browser that may evict the data, an old app on a newer database.

test('damaged license, package and history entry: lists show the others, Damaged records lists them, Download works, Modify is refused', async ({ page }) => {
  await loadDemoData(page);
  const license = await damage(page, 'licenses', { status: 'Active', org_status: 'Active' }, 'status', 'Gone Fishing');
  const pkg = await damage(page, 'packages', {}, 'name', 42);
  const entry = await damage(page, 'license_history', {}, 'at', 'the day before yesterday');
  const historyOfEntry = (await snapshot(page)).license_history.filter(
    (v) => JSON.parse(v).ix_license === entry.ix.ix_license,
  ).length;
  await page.reload();

  // One notice, with the count and the way to the Damaged records page.
  const notice = page.getByRole('status').filter({ hasText: "3 stored records can't be read" });
  await expect(notice).toBeVisible();

  // The lists keep every other record.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^189 licenses$/ })).toBeVisible();
  await page.getByLabel('Search licenses').fill(String(license.data.name));
  await expect(page.getByRole('status').filter({ hasText: /^0 licenses$/ })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'All Packages' })).toBeVisible();
  await expect(page.getByRole('link', { name: String(pkg.data.name), exact: true })).toHaveCount(0);
  await expect(page.getByRole('table').first().getByRole('row')).toHaveCount(1 + 3);

  // The license of the damaged history entry lists its other entries.
  await page.goto(`/licenses/${entry.ix.ix_license}`);
  await expect(page.getByRole('heading', { name: `License History (${historyOfEntry - 1})` })).toBeVisible();

  // Damaged records: store, key, reason, content, Download.
  await notice.getByRole('link', { name: 'See Damaged records' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Damaged records' })).toBeVisible();
  // The page says the count once (the notice of the other pages steps aside).
  await expect(page.getByRole('status').filter({ hasText: "can't be read" })).toHaveText('3 stored records can\'t be read.');
  const licenseCard = page.getByRole('region', { name: `License ${license.key}` });
  await expect(licenseCard).toContainText('Gone Fishing');
  await expect(licenseCard.getByRole('definition').nth(0)).toHaveText('licenses');
  await expect(page.getByRole('region', { name: new RegExp(`^Package ${pkg.key}$`) })).toBeVisible();
  await expect(page.getByRole('region', { name: new RegExp(`${entry.key}$`) })).toContainText('the day before yesterday');
  const download = page.waitForEvent('download');
  await licenseCard.getByRole('button', { name: /^Download/ }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe(`damaged-licenses-${license.key}.json`);
  const raw = JSON.parse(await readFile((await file.path()) as string, 'utf8'));
  expect(raw.id).toBe(license.key);
  expect(raw.data.status).toBe('Gone Fishing');

  // Modify License of the damaged license is refused with the reason.
  const before = await snapshot(page);
  await page.goto(`/licenses/${license.key}/modify`);
  const refusal = page.getByRole('alert').filter({ hasText: "can't be read" });
  await expect(refusal).toContainText('Gone Fishing');
  await expect(refusal).toContainText('Damaged records');
  await expect(page.getByRole('button', { name: 'Save' })).toHaveCount(0);
  expect(await snapshot(page)).toEqual(before);
});

test('a full disk: Modify License says so with the space used, and nothing changed', async ({ page }) => {
  await shrinkQuota(page, 100_000_000);
  await loadDemoData(page);
  const key = await findKey(page, 'licenses', { status: 'Active', org_status: 'Active' });
  await page.goto(`/licenses/${key}/modify`);
  await expect(page.getByRole('heading', { level: 1, name: 'Modify License' })).toBeVisible();
  await page.getByLabel('Site License').uncheck();
  await page.getByLabel('Seats', { exact: true }).fill('77');
  await fillStorage(page);
  const before = await snapshot(page);

  await page.getByRole('button', { name: 'Save' }).click();
  const full = page.getByRole('alert').filter({ hasText: 'storage for this site is full' });
  await expect(full).toContainText('nothing was saved');
  await expect(full).toContainText(/The desk uses [\d.]+ (bytes|KB|MB|GB)/);
  await expect(page).toHaveURL(/\/modify$/);
  await expect(page.getByLabel('Seats', { exact: true })).toHaveValue('77');
  expect(await snapshot(page)).toEqual(before);
});

test('a full disk: Load demo data says so with the space used, and the desk stays empty', async ({ page }) => {
  await shrinkQuota(page, 200_000);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const before = await snapshot(page);
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  const full = page.getByRole('alert').filter({ hasText: 'The demo data was not loaded' });
  await expect(full).toContainText('storage for this site is full');
  await expect(full).toContainText(/The desk uses [\d.]+ (bytes|KB|MB|GB)/);
  expect(await snapshot(page)).toEqual(before);
});

test('a reload half-way through the demo load leaves all of it or none, and says nothing misleading', async ({ page }) => {
  // Counts the writes the page issues, so the reload comes while the demo's
  // transaction is under way.
  await page.addInitScript(() => {
    const w = window as unknown as { __puts: number };
    w.__puts = 0;
    for (const name of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[name];
      IDBObjectStore.prototype[name] = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
        w.__puts += 1;
        return original.apply(this, args);
      } as typeof original;
    }
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const empty = await counts(page);
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  await page.waitForFunction(() => (window as unknown as { __puts: number }).__puts > 200);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const after = await counts(page);
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: /Demo data loaded|not loaded/ })).toHaveCount(0);

  // The reference: the whole demo, loaded without interruption.
  await loadDemoData(page);
  const full = await counts(page);
  expect([empty, full]).toContainEqual(after);
});

test('persistent storage is asked for with the first data, and Settings shows it kept once granted', async ({ page, context }) => {
  // Counts the app's requests to keep the data.
  await page.addInitScript(() => {
    const w = window as unknown as { __persistAsked: number };
    w.__persistAsked = 0;
    const original = StorageManager.prototype.persist;
    StorageManager.prototype.persist = function (this: StorageManager) {
      w.__persistAsked += 1;
      return original.call(this);
    };
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __persistAsked: number }).__persistAsked)).toBe(0);
  await loadDemoData(page);
  expect(await page.evaluate(() => (window as unknown as { __persistAsked: number }).__persistAsked)).toBe(1);
  // Headless Chromium answers from its own heuristics; the message tells that answer.
  const kept = await page.evaluate(() => navigator.storage.persisted());
  await expect(page.getByRole('status').filter({ hasText: /^Demo data loaded:/ })).toContainText(
    kept ? "The browser keeps the desk's data" : "The browser may delete the desk's data",
  );

  // The browser grants it (as for an installed app): Settings shows it kept.
  const cdp = await context.newCDPSession(page);
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  await cdp.send('Browser.grantPermissions', {
    origin: new URL(page.url()).origin,
    permissions: ['durableStorage'],
    browserContextId: targetInfo.browserContextId,
  });
  expect(await page.evaluate(async () => (await navigator.permissions.query({ name: 'persistent-storage' })).state)).toBe('granted');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const storage = page.getByRole('region', { name: 'Storage on this device' });
  await expect(storage.getByRole('status')).toHaveText(/^Persistent: /);
  await expect(storage).toContainText(/The desk uses [\d.]+ (bytes|KB|MB|GB) of the/);
  await expect(page.getByRole('link', { name: 'Damaged records', exact: true })).toBeVisible();
});

test('an older app meeting a newer database says so, asks to reload and writes nothing', async ({ page }) => {
  await loadDemoData(page);
  // Another tab upgraded the database to a version this build doesn't know.
  await page.evaluate(async (name) => {
    const version: number = await new Promise((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => {
        const v = r.result.version;
        r.result.close();
        resolve(v);
      };
      r.onerror = () => reject(r.error);
    });
    await new Promise((resolve, reject) => {
      const r = indexedDB.open(name, version + 1);
      r.onsuccess = () => {
        r.result.close();
        resolve(null);
      };
      r.onerror = () => reject(r.error);
    });
  }, DB);
  const before = await snapshot(page);
  await page.reload();
  const refusal = page.getByRole('alert');
  await expect(refusal).toContainText("License Desk can't open its data");
  await expect(refusal).toContainText('newer version');
  await expect(refusal).toContainText('Reload');
  await expect(page.getByRole('button', { name: 'Load demo data' })).toHaveCount(0);
  expect(await snapshot(page)).toEqual(before);
});

test('a reload the moment Modify License writes leaves the whole change or none of it', async ({ page }) => {
  await reloadOnNextWrite(page);
  await loadDemoData(page);
  const key = await findKey(page, 'licenses', { status: 'Active', org_status: 'Active' });
  const historyOf = (all: Record<string, string[]>) =>
    all.license_history.filter((v) => JSON.parse(v).ix_license === key).length;
  const licenseOf = (all: Record<string, string[]>) =>
    JSON.parse(all.licenses.find((v) => JSON.parse(v).id === key) as string);
  const before = await snapshot(page);

  await page.goto(`/licenses/${key}/modify`);
  await expect(page.getByRole('heading', { level: 1, name: 'Modify License' })).toBeVisible();
  await page.getByLabel('Site License').uncheck();
  await page.getByLabel('Seats', { exact: true }).fill('77');
  await armReload(page);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Save' }).click()]);
  await expect(page.getByRole('heading', { level: 1, name: 'Modify License' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  const after = await snapshot(page);
  const saved = licenseOf(after).rev !== licenseOf(before).rev;
  if (saved) {
    expect(licenseOf(after).data.seats).not.toEqual(licenseOf(before).data.seats);
    expect(historyOf(after)).toBeGreaterThan(historyOf(before));
  } else {
    expect(after).toEqual(before);
  }
  test.info().annotations.push({ type: 'reload during save', description: saved ? 'whole change kept' : 'nothing kept' });
});

async function openData(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import and export' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Import and export' })).toBeVisible();
}

test('a full disk: Import says so with the space used, and nothing changed', async ({ page }) => {
  await shrinkQuota(page, 100_000_000);
  await page.goto('/');
  await openData(page);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);
  await expect(page.getByRole('region', { name: 'Preview' })).toBeVisible();
  await fillStorage(page);
  const before = await snapshot(page);

  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const full = page.getByRole('alert').filter({ hasText: 'storage for this site is full' });
  await expect(full).toContainText('Nothing was imported');
  await expect(full).toContainText(/The desk uses [\d.]+ (bytes|KB|MB|GB)/);
  expect(await snapshot(page)).toEqual(before);
});

test('a reload the moment Import writes leaves every row or none of them', async ({ page }) => {
  await reloadOnNextWrite(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const before = await counts(page);
  await openData(page);
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);
  await expect(page.getByRole('region', { name: 'Preview' })).toBeVisible();
  await armReload(page);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Import', exact: true }).click()]);
  await expect(page.getByRole('heading', { level: 1, name: 'Import and export' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('status').filter({ hasText: /^Imported/ })).toHaveCount(0);
  const after = await counts(page);

  // The reference: the same files imported without interruption (or, when
  // the interrupted import was kept whole, nothing left to import).
  await page.getByLabel('CSV files', { exact: true }).setInputFiles(SMALL_SET);
  const nothingLeft = page.getByRole('alert').filter({ hasText: /^Nothing to import/ });
  const importButton = page.getByRole('button', { name: 'Import', exact: true });
  await expect(nothingLeft.or(importButton)).toBeVisible();
  if (await importButton.isVisible()) {
    await importButton.click();
    await expect(page.getByRole('status').filter({ hasText: /^Imported 7 record\(s\)/ })).toBeVisible();
  }
  const full = await counts(page);
  expect(full.licenses).toBe(before.licenses + 2);
  expect([before, full]).toContainEqual(after);
  test.info().annotations.push({ type: 'reload during import', description: after.licenses === before.licenses ? 'nothing kept' : 'whole import kept' });
});

test('a reload the moment a lead conversion writes leaves the whole conversion or none of it', async ({ page }) => {
  await reloadOnNextWrite(page);
  await loadDemoData(page);
  // An unconverted lead: its stored `converted` is absent.
  const key = await findKey(page, 'leads', { converted: undefined });
  const before = await snapshot(page);
  await page.goto(`/leads/${key}`);
  await expect(page.getByRole('button', { name: 'Convert' })).toBeVisible();
  await armReload(page);
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Convert' }).click()]);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);

  const after = await snapshot(page);
  const lead = (all: Record<string, string[]>) =>
    JSON.parse(all.leads.find((v) => JSON.parse(v).id === key) as string);
  const converted = lead(after).data.converted;
  if (converted) {
    // All of it: the lead points at an account and a contact that exist.
    // Keys are 18-character Ids; the first 15 characters name the record.
    const ids = (store: string) => after[store].map((v) => String(JSON.parse(v).id).slice(0, 15));
    expect(ids('accounts')).toContain(String(converted.account_id).slice(0, 15));
    expect(ids('contacts')).toContain(String(converted.contact_id).slice(0, 15));
    expect(after.accounts.length).toBe(before.accounts.length + 1);
  } else {
    expect(after).toEqual(before);
  }
  test.info().annotations.push({ type: 'reload during conversion', description: converted ? 'whole conversion kept' : 'nothing kept' });
});
