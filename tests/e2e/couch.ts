// The sync specs' helpers: a CouchDB database of their own on the specs'
// pouchdb-server (playwright.config.ts starts it on `couchPort`), and desks:
// browser contexts of their own (their own IndexedDB, localStorage and
// sessionStorage), each failing its spec on a page error or a console error.
import type { APIRequestContext, Browser, BrowserContext, Page, TestInfo } from '@playwright/test';
import { expect } from './fixtures';
import { couchPort } from '../../playwright.config';

export const COUCH = `http://127.0.0.1:${couchPort}`;
export const ADMIN = {
  name: process.env.COUCH_ADMIN ?? 'admin',
  password: process.env.COUCH_ADMIN_PASSWORD ?? 'admin-pass',
};

export type Team = { db: string; url: string; user: { name: string; password: string } };

function basic(name: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` };
}

export const asAdmin = () => basic(ADMIN.name, ADMIN.password);

/**
 * A database of the spec's own (a unique name), readable only by the LMA
 * roles, and a team user with role `lma_license_manager`, made as the
 * server admin.
 */
export async function teamDatabase(request: APIRequestContext): Promise<Team> {
  const db = `lma_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const headers = asAdmin();
  expect((await request.put(`${COUCH}/${db}`, { headers })).status()).toBe(201);
  const user = { name: `${db}_manager`, password: 'manager-pass-1' };
  const created = await request.put(`${COUCH}/_users/org.couchdb.user:${user.name}`, {
    headers,
    data: { name: user.name, password: user.password, roles: ['lma_license_manager'], type: 'user' },
  });
  expect(created.status()).toBeLessThan(300);
  const security = await request.put(`${COUCH}/${db}/_security`, {
    headers,
    data: {
      admins: { names: [], roles: [] },
      members: { names: [], roles: ['lma_admin', 'lma_license_manager', 'lma_sales_rep', 'lma_read_only'] },
    },
  });
  expect(security.ok()).toBe(true);
  return { db, url: `${COUCH}/${db}`, user };
}

/** Every document of the database (as the admin sees it). */
export async function allDocs(request: APIRequestContext, db: string): Promise<Record<string, any>[]> {
  const res = await request.get(`${COUCH}/${db}/_all_docs?include_docs=true&conflicts=true`, { headers: asAdmin() });
  expect(res.ok()).toBe(true);
  return (await res.json()).rows.map((r: any) => r.doc);
}

/** The license document whose License Name is `name`, once the server has it. */
export async function licenseDoc(request: APIRequestContext, db: string, name: string): Promise<Record<string, any>> {
  let found: Record<string, any> | undefined;
  await expect
    .poll(async () => {
      found = (await allDocs(request, db)).find((d) => d.type === 'sfLma__License__c' && d.Name === name);
      return found !== undefined;
    }, { timeout: 15_000 })
    .toBe(true);
  return found!;
}

export type Desk = {
  name: string;
  context: BrowserContext;
  page: Page;
  errors: string[];
};

/**
 * A desk: a browser context with one page. A console error fails the spec,
 * except the browser's own network log of the sync server's URLs ("Failed to
 * load resource: …"): a missing checkpoint is a 404 the protocol expects, and
 * the specs cut the network on purpose. CORS refusals and app errors still fail.
 */
export async function openDesk(browser: Browser, testInfo: TestInfo, name: string): Promise<Desk> {
  const context = await browser.newContext({ baseURL: testInfo.project.use.baseURL });
  const page = await context.newPage();
  const errors: string[] = [];
  watch(page, name, errors);
  await page.goto('/');
  await expect(page.getByRole('link', { name: 'License Desk' })).toBeVisible();
  return { name, context, page, errors };
}

/** Collects `page`'s errors into `errors` (see [`openDesk`]). */
export function watch(page: Page, name: string, errors: string[]): void {
  page.on('pageerror', (err) => errors.push(`${name}: page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const network = msg.text().startsWith('Failed to load resource') && msg.location().url.startsWith(COUCH);
    if (!network) errors.push(`${name}: console error: ${msg.text()}`);
  });
}

/** Closes the desks; any page or console error they met fails the spec. */
export async function closeDesks(...desks: Desk[]): Promise<void> {
  for (const desk of desks) {
    await desk.context.close();
  }
  expect(desks.flatMap((d) => d.errors), 'no page or console errors').toEqual([]);
}

/** The header's sync state (a live region). */
export function syncStatus(page: Page) {
  return page.getByRole('banner').getByRole('status');
}

/** Settings → Sync, through the links. */
export async function openSyncPage(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('main').getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sync' })).toBeVisible();
}

export async function fillServer(page: Page, url: string, user: { name: string; password: string }): Promise<void> {
  await page.getByLabel('Database URL').fill(url);
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(user.password);
}

/** Starts sync on `desk` with the team's user and waits until it is Synced. */
export async function startSync(desk: Desk, team: Team): Promise<void> {
  await openSyncPage(desk.page);
  await fillServer(desk.page, team.url, team.user);
  await desk.page.getByRole('button', { name: 'Start sync' }).click();
  await expect(desk.page.getByRole('status').filter({ hasText: /^Sync started\./ })).toBeVisible();
  await expect(syncStatus(desk.page)).toHaveText('Synced', { timeout: 20_000 });
}
