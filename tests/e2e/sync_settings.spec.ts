// Settings → Sync against the specs' pouchdb-server: the form and its
// messages, Test connection (the database and who we are, or the server's
// reason), Start and Stop, the header's state, sync starting again after a
// reload, credentials kept for the tab's session only, and the design
// document installed when a server admin connects. Each spec has its own
// database, and its own desk (see couch.ts: the browser's network log of the
// sync server's URLs, a 401 or a 404, is not an app error).
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import { ADMIN, COUCH, asAdmin, closeDesks, fillServer, openDesk, openSyncPage, syncStatus, teamDatabase, watch } from './couch';

test.describe.configure({ timeout: 60_000 });

test('the Sync page checks the URL and tests the connection with the server’s answer', async ({ browser, request }, testInfo) => {
  const team = await teamDatabase(request);
  const desk = await openDesk(browser, testInfo, 'desk');
  const page = desk.page;
  await page.goto('/');
  await openSyncPage(page);
  // Sync is off: the header says nothing.
  await expect(syncStatus(page)).toBeHidden();

  const url = page.getByLabel('Database URL');
  await url.fill('couch.example.com/team');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(url).toHaveAccessibleDescription(/must start with http:\/\/ or https:\/\//);
  await url.fill(`${COUCH}/`);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(url).toHaveAccessibleDescription(/must end with the database's name/);

  await fillServer(page, team.url, { name: team.user.name, password: 'wrong-password' });
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'The sync server refused the user name or password: Name or password is incorrect.',
  );

  await fillServer(page, `${COUCH}/no_such_database_here`, team.user);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toContainText('404');

  await fillServer(page, team.url, team.user);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('main').getByRole('status').filter({ hasText: /^Connected/ })).toHaveText(
    `Connected to database ${team.db}: 0 documents. Signed in as ${team.user.name} (roles: lma_license_manager).`,
  );
  // A test does not start sync.
  await expect(syncStatus(page)).toBeHidden();
  await expect(page.getByRole('button', { name: 'Stop sync' })).toBeDisabled();
  await closeDesks(desk);
});

test('start, reload, stop: the header shows the state and the password stays in the tab’s session', async ({ browser, request }, testInfo) => {
  const team = await teamDatabase(request);
  const desk = await openDesk(browser, testInfo, 'desk');
  const page = desk.page;
  await page.goto('/settings/sync');
  await fillServer(page, team.url, team.user);
  await page.getByRole('button', { name: 'Start sync' }).click();
  await expect(page.getByRole('main').getByRole('status').filter({ hasText: /^Sync started\./ })).toBeVisible();
  await expect(syncStatus(page)).toHaveText('Synced', { timeout: 20_000 });
  await expect(syncStatus(page).getByRole('link', { name: 'Synced' })).toHaveAttribute('href', '/settings/sync');

  // The password is in sessionStorage only: never localStorage or IndexedDB.
  const stored = await page.evaluate(() => ({ local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage) }));
  expect(stored.local).toContain(team.url);
  expect(stored.local).not.toContain(team.user.password);
  expect(stored.session).toContain(team.user.password);
  const inIndexedDb = await page.evaluate(async (secret) => {
    const names = (await indexedDB.databases()).map((d) => d.name!);
    for (const name of names) {
      const db: IDBDatabase = await new Promise((ok, fail) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      for (const store of Array.from(db.objectStoreNames)) {
        const all: unknown[] = await new Promise((ok, fail) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
        if (JSON.stringify(all).includes(secret)) return `${name}/${store}`;
      }
      db.close();
    }
    return null;
  }, team.user.password);
  expect(inIndexedDb).toBeNull();

  // A reload starts sync again by itself, with the session's credentials.
  await page.reload();
  await expect(syncStatus(page)).toHaveText('Synced', { timeout: 20_000 });
  await expect(page.getByLabel('Database URL')).toHaveValue(team.url);
  await expect(page.getByLabel('User name')).toHaveValue(team.user.name);

  // A new tab has no session: it asks for the password again.
  const other = await desk.context.newPage();
  watch(other, 'new tab', desk.errors);
  await other.goto('/');
  await expect(syncStatus(other)).toHaveText(/^Sync error: Enter the user name and password again/);
  await other.close();

  await page.getByRole('button', { name: 'Stop sync' }).click();
  await expect(page.getByRole('main').getByRole('status').filter({ hasText: /^Sync stopped\./ })).toBeVisible();
  await expect(syncStatus(page)).toBeHidden();
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Sync' })).toBeVisible();
  await expect(syncStatus(page)).toBeHidden();
  await closeDesks(desk);
});

test('a wrong password stops sync with the server’s reason', async ({ browser, request }, testInfo) => {
  const team = await teamDatabase(request);
  const desk = await openDesk(browser, testInfo, 'desk');
  const page = desk.page;
  await page.goto('/settings/sync');
  await fillServer(page, team.url, { name: team.user.name, password: 'not-the-password' });
  await page.getByRole('button', { name: 'Start sync' }).click();
  await expect(page.getByRole('alert')).toContainText('Name or password is incorrect.');
  await expect(syncStatus(page)).toHaveText('Sync error: Name or password is incorrect.');
  await expect(page.getByRole('button', { name: 'Stop sync' })).toBeDisabled();
  await closeDesks(desk);
});

test('a server admin connecting installs the design document once', async ({ browser, request }, testInfo) => {
  const team = await teamDatabase(request);
  const desk = await openDesk(browser, testInfo, 'desk');
  const page = desk.page;
  const designUrl = `${team.url}/_design/license_desk`;
  expect((await request.get(designUrl, { headers: asAdmin() })).status()).toBe(404);

  await page.goto('/settings/sync');
  await fillServer(page, team.url, ADMIN);
  await page.getByRole('button', { name: 'Test connection' }).click();
  const connected = page.getByRole('main').getByRole('status').filter({ hasText: /^Connected/ });
  await expect(connected).toContainText(`Signed in as ${ADMIN.name} (roles: _admin).`);
  await expect(connected).toContainText('design document _design/license_desk) were installed');
  const design = await (await request.get(designUrl, { headers: asAdmin() })).json();
  expect(typeof design.validate_doc_update).toBe('string');

  // Connecting again leaves it as it is (no new revision).
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(connected).not.toContainText('installed');
  await expect(connected).toContainText('Signed in as admin');
  const again = await (await request.get(designUrl, { headers: asAdmin() })).json();
  expect(again._rev).toBe(design._rev);

  // A team user (no server admin) does not touch it.
  await fillServer(page, team.url, team.user);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(connected).toContainText(`Signed in as ${team.user.name}`);
  await expect(connected).not.toContainText('installed');
  await closeDesks(desk);
});

test('the Sync page and the header’s sync state have no WCAG 2.1 A/AA violation', async ({ browser, request }, testInfo) => {
  const team = await teamDatabase(request);
  const desk = await openDesk(browser, testInfo, 'desk');
  const page = desk.page;
  await openSyncPage(page);
  await fillServer(page, team.url, { name: team.user.name, password: 'wrong-password' });
  await page.getByRole('button', { name: 'Test connection' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await fillServer(page, team.url, team.user);
  await page.getByRole('button', { name: 'Start sync' }).click();
  await expect(syncStatus(page)).toHaveText('Synced', { timeout: 20_000 });
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
  await closeDesks(desk);
});

// The shared in-memory server can't be stopped mid-spec: "unreachable" is
// every request of this desk to its URL refused (route → abort), then allowed.
test('sync started while the server is unreachable shows Offline, and is Synced once it answers', async ({ browser, request }, testInfo) => {
  const team = await teamDatabase(request);
  const desk = await openDesk(browser, testInfo, 'desk');
  const page = desk.page;
  await openSyncPage(page);
  await fillServer(page, team.url, team.user);
  await desk.context.route(`${COUCH}/**`, (route) => route.abort('connectionrefused'));
  await page.getByRole('button', { name: 'Start sync' }).click();
  await expect(page.getByRole('main').getByRole('status').filter({ hasText: /^Sync started\./ })).toContainText(
    "The sync server can't be reached",
  );
  // The desk's own records (its users) wait to be sent, as many as it has
  // queued by then: the count is the outbox's, not a fixed number.
  await expect(syncStatus(page)).toHaveText(/^Offline \(\d+ waiting\)$/);
  await desk.context.unroute(`${COUCH}/**`);
  await expect(syncStatus(page)).toHaveText('Synced', { timeout: 30_000 });

  // The browser offline, then back: the open long poll fails, sync waits, and
  // resumes as soon as the browser is online again.
  await desk.context.setOffline(true);
  await expect(syncStatus(page)).toHaveText('Offline (0 waiting)', { timeout: 30_000 });
  await desk.context.setOffline(false);
  await expect(syncStatus(page)).toHaveText('Synced', { timeout: 30_000 });
  await closeDesks(desk);
});

// A slow link (each of the server's answers held back) makes the first sync
// of the demo data, more than one page of 500 each way, last long enough to
// watch: the Sync page shows how many changes are sent and received of the
// total, and the bars go once it is done. Every value a bar shows is noted as
// the page sets it (a value may last less than one of Playwright's retries).
type Shown = { label: string; now: number; max: number };

async function noteBars(page: import('@playwright/test').Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __bars: Shown[] };
    w.__bars = [];
    const note = (el: Element) => {
      const now = el.getAttribute('aria-valuenow');
      if (now === null) return;
      w.__bars.push({ label: el.getAttribute('aria-label') ?? '', now: Number(now), max: Number(el.getAttribute('aria-valuemax')) });
    };
    new MutationObserver((changes) => {
      for (const c of changes) {
        if (c.type === 'attributes' && (c.target as Element).getAttribute('role') === 'progressbar') note(c.target as Element);
        for (const n of c.addedNodes) {
          if (!(n instanceof Element)) continue;
          if (n.matches('[role="progressbar"]')) note(n);
          n.querySelectorAll('[role="progressbar"]').forEach(note);
        }
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  });
}

async function shown(page: import('@playwright/test').Page, label: string): Promise<Shown[]> {
  return (await page.evaluate(() => (window as unknown as { __bars: Shown[] }).__bars)).filter((b) => b.label === label);
}

test('a first sync of more than a page shows how far sending and receiving have got', async ({ browser, request }, testInfo) => {
  const team = await teamDatabase(request);
  const slow = (ms: number) => async (route: import('@playwright/test').Route) => {
    await new Promise((done) => setTimeout(done, ms));
    await route.continue();
  };

  const a = await openDesk(browser, testInfo, 'desk A');
  await a.page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(a.page.getByRole('status').filter({ hasText: 'Demo data loaded' })).toContainText('190 licenses');
  await a.context.route(`${team.url}/_bulk_docs`, slow(800));
  await openSyncPage(a.page);
  await fillServer(a.page, team.url, team.user);
  await noteBars(a.page);
  await a.page.getByRole('button', { name: 'Start sync' }).click();
  const sending = a.page.getByRole('progressbar', { name: "Sending this desk's changes" });
  await expect(sending).toBeVisible();
  await expect(sending).toHaveAttribute('aria-valuetext', /^[\d,]+ of [\d,]+ records$/);
  await expect(syncStatus(a.page)).toHaveText('Synced', { timeout: 30_000 });
  await expect(sending).toBeHidden();
  // The queue went out a page at a time (the last page's count and the end
  // of the push come in one turn: the bar goes).
  const sent = await shown(a.page, "Sending this desk's changes");
  const total = sent[0].max;
  expect(total).toBeGreaterThan(1000);
  expect(total).toBeLessThanOrEqual(1500);
  expect(sent.every((b) => b.max === total)).toBe(true);
  expect(sent.map((b) => b.now)).toEqual([0, 500, 1000]);

  // Desk B, empty, receives all of it: pouchdb-server doesn't say how many
  // changes are left, so a first sync counts them from the database (A's,
  // and B's own users if they went out first).
  const b = await openDesk(browser, testInfo, 'desk B');
  await b.context.route(`${team.url}/_changes*`, slow(800));
  await openSyncPage(b.page);
  await fillServer(b.page, team.url, team.user);
  await noteBars(b.page);
  await b.page.getByRole('button', { name: 'Start sync' }).click();
  const receiving = b.page.getByRole('progressbar', { name: "Receiving the team's changes" });
  await expect(receiving).toBeVisible();
  await expect(syncStatus(b.page)).toHaveText('Synced', { timeout: 30_000 });
  await expect(receiving).toBeHidden();
  const received = (await shown(b.page, "Receiving the team's changes")).map((r) => r.now);
  expect(received.slice(0, 3)).toEqual([0, 500, 1000]);
  expect(received).toEqual([...received].sort((x, y) => x - y));
  expect((await shown(b.page, "Receiving the team's changes")).every((r) => r.max >= total)).toBe(true);
  await b.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  await expect(b.page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ })).toHaveText('190 licenses');
  await closeDesks(a, b);
});
