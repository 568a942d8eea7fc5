// Team sync end to end: two browser contexts are two desks of one team, on a
// database of the spec's own on the specs' pouchdb-server. Desk A imports a
// small LMA export and starts sync; desk B starts sync on an empty desk and
// receives it. Then: a Modify License on A shows on B; three edits made
// offline arrive once A is back; the same license edited on both desks while
// offline is a conflict both desks show until one resolves it; the server
// unreachable mid-sync loses and doubles nothing; a document put into the
// server by hand with a bad seats value is refused on both desks and nothing
// else is affected. Waits are expect.poll / toHaveText with a timeout, never
// a timed assertion.
import type { APIRequestContext, Browser, Page, TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import {
  COUCH,
  Desk,
  Team,
  asAdmin,
  closeDesks,
  licenseDoc,
  openDesk,
  openSyncPage,
  startSync,
  syncStatus,
  teamDatabase,
} from './couch';
import { LEADS, LICENSE_HEADER, PACKAGES, VERSIONS, csv } from './lma_files';

test.describe.configure({ timeout: 120_000 });

/** Three seat-based licenses (the Modify License form edits Seats alone). */
const LICENSES = [
  LICENSE_HEADER,
  'a0L000000000001,L-00042,Active,25,3,2030-01-31,2025-02-01,NA45,Enterprise Edition,Active,,false,00D000000000101,a0V000000000001,1.0,00Q000000000001,,,Editable',
  'a0L000000000004,L-00045,Active,10,2,2030-01-31,2025-02-01,NA45,Enterprise Edition,Active,,false,00D000000000104,a0V000000000001,1.0,00Q000000000002,,,Editable',
  'a0L000000000005,L-00046,Active,50,5,2030-01-31,2025-02-01,NA45,Enterprise Edition,Active,,false,00D000000000105,a0V000000000002,1.1.0,,,,Editable',
  '',
].join('\r\n');

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

function nav(page: Page, link: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
}

async function importTeamData(page: Page): Promise<void> {
  await nav(page, 'Import and export');
  await page
    .getByLabel('CSV files', { exact: true })
    .setInputFiles([csv('licenses.csv', LICENSES), csv('leads.csv', LEADS), csv('versions.csv', VERSIONS), csv('packages.csv', PACKAGES)]);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Imported \d+ record\(s\)/ })).toContainText('3 Licenses');
}

/** Opens a license's page through the Licenses list (no reload: works offline). */
async function openLicense(page: Page, name: string): Promise<void> {
  await nav(page, 'Licenses');
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  await page.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

function fieldValue(page: Page, label: string) {
  return page
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .first()
    .locator('xpath=following-sibling::dd[1]');
}

const seatsShown = (page: Page) => fieldValue(page, 'Licensed Seats');

function historyHeading(page: Page) {
  return page.getByRole('heading', { name: /^License History \(\d+\)$/ });
}

async function historyCount(page: Page): Promise<number> {
  return Number((await historyHeading(page).innerText()).replace(/[^\d]/g, ''));
}

async function setSeats(page: Page, name: string, seats: number): Promise<void> {
  await openLicense(page, name);
  await page.getByRole('link', { name: 'Modify License' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Modify License' })).toBeVisible();
  await page.getByLabel('Seats', { exact: true }).fill(String(seats));
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved: 1 field changed' })).toBeVisible();
}

/** Desk A with the team's records, desk B empty, both syncing; B has received A's licenses. */
async function twoDesks(browser: Browser, testInfo: TestInfo, request: APIRequestContext): Promise<{ team: Team; a: Desk; b: Desk }> {
  const team = await teamDatabase(request);
  const a = await openDesk(browser, testInfo, 'desk A');
  const b = await openDesk(browser, testInfo, 'desk B');
  await importTeamData(a.page);
  await startSync(a, team);
  await licenseDoc(request, team.db, 'L-00046');
  await startSync(b, team);
  await nav(b.page, 'Licenses');
  await expect(b.page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ })).toHaveText('3 licenses', { timeout: 20_000 });
  return { team, a, b };
}

test('a Modify License on desk A shows on desk B within seconds', async ({ browser, request }, testInfo) => {
  const { team, a, b } = await twoDesks(browser, testInfo, request);
  await openLicense(b.page, 'L-00042');
  await expect(seatsShown(b.page)).toHaveText('25');
  const historyBefore = await historyCount(b.page);

  await setSeats(a.page, 'L-00042', 30);
  // B stays on the license's page: it reads again when the change arrives.
  await expect(seatsShown(b.page)).toHaveText('30', { timeout: 10_000 });
  await expect(historyHeading(b.page)).toHaveText(`License History (${historyBefore + 1})`);
  await expect(syncStatus(a.page)).toHaveText('Synced');
  await expect(syncStatus(b.page)).toHaveText('Synced');
  expect((await licenseDoc(request, team.db, 'L-00042')).sfLma__Seats__c).toBe(30);
  await closeDesks(a, b);
});

test('desk A offline edits three licenses; back online, desk B gets all three', async ({ browser, request }, testInfo) => {
  const { team, a, b } = await twoDesks(browser, testInfo, request);
  await a.context.setOffline(true);
  await setSeats(a.page, 'L-00042', 31);
  await setSeats(a.page, 'L-00045', 11);
  await setSeats(a.page, 'L-00046', 51);
  // Each Modify License queues two documents: the license and its history entry.
  await expect(syncStatus(a.page)).toHaveText('Offline (6 waiting)', { timeout: 20_000 });
  // Nothing reached the server meanwhile.
  expect((await licenseDoc(request, team.db, 'L-00045')).sfLma__Seats__c).toBe(10);

  await a.context.setOffline(false);
  await expect(syncStatus(a.page)).toHaveText('Synced', { timeout: 30_000 });
  for (const [name, seats] of [['L-00042', '31'], ['L-00045', '11'], ['L-00046', '51']]) {
    await openLicense(b.page, name);
    await expect(seatsShown(b.page)).toHaveText(seats, { timeout: 15_000 });
    expect((await licenseDoc(request, team.db, name))._conflicts).toBeUndefined();
  }
  await expect(syncStatus(b.page)).toHaveText('Synced');
  await closeDesks(a, b);
});

/** The conflict's table on the Sync page, and its row for Seats. */
function conflictTable(page: Page) {
  return page.getByRole('region', { name: 'Sync conflicts' }).getByRole('table');
}

test('both desks edit the same license offline: both show the conflict, one resolves it, both converge', async ({ browser, request }, testInfo) => {
  const { a, b } = await twoDesks(browser, testInfo, request);
  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await setSeats(a.page, 'L-00042', 30);
  await setSeats(b.page, 'L-00042', 40);
  await a.context.setOffline(false);
  await b.context.setOffline(false);

  // Both desks list it, with the two versions side by side, and show the same winner.
  const winners: string[] = [];
  for (const desk of [a, b]) {
    await openSyncPage(desk.page);
    const table = conflictTable(desk.page);
    await expect(table).toHaveCount(1, { timeout: 30_000 });
    await expect(table.getByRole('columnheader')).toHaveText(['Field', 'Winner', 'Other', 'Keep']);
    const row = table.getByRole('row').filter({ has: desk.page.getByRole('rowheader', { name: /Seats/ }) });
    const cells = row.getByRole('cell');
    await expect(cells.nth(0)).toHaveText(/^(30|40)$/);
    const winner = await cells.nth(0).innerText();
    await expect(cells.nth(1)).toHaveText(winner === '30' ? '40' : '30');
    winners.push(winner);
  }
  expect(winners[0]).toBe(winners[1]);
  // The two versions side by side are accessible (the table, its choices, the buttons).
  const scan = await new AxeBuilder({ page: b.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(scan.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  const other = winners[0] === '30' ? '40' : '30';

  // Desk B keeps the other version (a merge choosing Other for Seats).
  const table = conflictTable(b.page);
  await b.page.getByLabel(/^Keep for .*Seats/).selectOption({ label: 'Other' });
  await b.page.getByRole('button', { name: 'Save merged version' }).click();
  await expect(table).toHaveCount(0);
  await expect(b.page.getByRole('region', { name: 'Sync conflicts' }).getByText('No sync conflict.')).toBeVisible();
  await expect(conflictTable(a.page)).toHaveCount(0, { timeout: 20_000 });

  for (const desk of [a, b]) {
    await openLicense(desk.page, 'L-00042');
    await expect(seatsShown(desk.page)).toHaveText(other, { timeout: 15_000 });
    // The license's history keeps both changes.
    const history = desk.page.getByRole('region', { name: 'License History' });
    await expect(history.getByRole('cell', { name: '30', exact: true }).first()).toBeVisible();
    await expect(history.getByRole('cell', { name: '40', exact: true }).first()).toBeVisible();
    await expect(syncStatus(desk.page)).toHaveText('Synced', { timeout: 20_000 });
  }
  await closeDesks(a, b);
});

// The specs share one in-memory pouchdb-server, which can't be stopped and
// started again mid-spec: "unreachable" here is every request from desk A to
// the server's URL refused (route → abort), then allowed again. Resuming from
// the checkpoint after a real restart is the replicator's scripted-server test.
test('the server unreachable mid-sync, then back: sync resumes with nothing lost or doubled', async ({ browser, request }, testInfo) => {
  const { team, a, b } = await twoDesks(browser, testInfo, request);
  await openLicense(b.page, 'L-00045');
  const historyBefore = await historyCount(b.page);

  await a.context.route(`${COUCH}/**`, (route) => route.abort('connectionrefused'));
  await setSeats(a.page, 'L-00045', 12);
  // The license and its history entry.
  await expect(syncStatus(a.page)).toHaveText('Offline (2 waiting)', { timeout: 20_000 });
  await setSeats(a.page, 'L-00046', 52);
  await expect(syncStatus(a.page)).toHaveText('Offline (4 waiting)', { timeout: 20_000 });

  await a.context.unroute(`${COUCH}/**`);
  await expect(syncStatus(a.page)).toHaveText('Synced', { timeout: 30_000 });
  await expect(seatsShown(b.page)).toHaveText('12', { timeout: 15_000 });
  // Exactly one new history entry on B, one leaf on the server.
  await expect(historyHeading(b.page)).toHaveText(`License History (${historyBefore + 1})`);
  const doc = await licenseDoc(request, team.db, 'L-00045');
  expect(doc._conflicts).toBeUndefined();
  expect(doc.sfLma__Seats__c).toBe(12);
  expect((await licenseDoc(request, team.db, 'L-00046')).sfLma__Seats__c).toBe(52);
  await closeDesks(a, b);
});

test('a document with a bad seats value put into the server by hand is refused on both desks; nothing else is affected', async ({ browser, request }, testInfo) => {
  const { team, a, b } = await twoDesks(browser, testInfo, request);
  const good = await licenseDoc(request, team.db, 'L-00042');
  const id18 = to18('a0L000000000099');
  const bad = { ...good, _id: `sfLma__License__c:${id18}`, Id: id18, Name: 'L-00099', sfLma__Seats__c: 100_000_000, sfLma__Subscriber_Org_ID__c: '00D000000000199' };
  delete bad._rev;
  delete bad._conflicts;
  const put = await request.put(`${COUCH}/${team.db}/${encodeURIComponent(bad._id)}`, { headers: asAdmin(), data: bad });
  expect(put.status()).toBeLessThan(300);

  for (const desk of [a, b]) {
    await openSyncPage(desk.page);
    const refused = desk.page.getByRole('table', { name: 'Refused documents' });
    const row = refused.getByRole('row').filter({ has: desk.page.getByRole('rowheader', { name: bad._id }) });
    await expect(row).toHaveCount(1, { timeout: 20_000 });
    await expect(row.getByRole('cell').last()).toContainText('99,000,000');
    // Not a record: the three licenses only.
    await nav(desk.page, 'Licenses');
    await expect(desk.page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ })).toHaveText('3 licenses');
    await expect(desk.page.getByRole('link', { name: 'L-00099' })).toHaveCount(0);
    await expect(syncStatus(desk.page)).toHaveText('Synced');
  }
  // The rest of the sync goes on.
  await setSeats(a.page, 'L-00046', 53);
  await openLicense(b.page, 'L-00046');
  await expect(seatsShown(b.page)).toHaveText('53', { timeout: 15_000 });
  await closeDesks(a, b);
});
