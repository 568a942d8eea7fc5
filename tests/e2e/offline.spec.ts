import { test, expect } from './fixtures';

// After one visit the service worker has cached the app: with the browser
// offline, it still opens, reads and saves (records live in IndexedDB).

test('the app opens and works with the network off after one visit', async ({ page, context }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Demo data loaded' })).toBeVisible();
  // The worker has cached the release once it is active.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: "You're offline" })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Dashboard (190 licenses)' })).toBeVisible();

  // A deep link opens too (every path is the cached index.html).
  await page.goto('/installs');
  await expect(page.getByRole('heading', { level: 1, name: 'Install Log' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'events' })).toContainText('473 events');

  // Saving works offline.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const rules = page.getByRole('region', { name: 'Expiration alert rules' });
  await rules.getByLabel('Days Before Expiration').fill('45');
  await rules.getByRole('button', { name: 'Add rule' }).click();
  await expect(rules.getByRole('status')).toContainText('45 days before a license expires');

  await context.setOffline(false);
});

// A tab still running the release before keeps finding that release's lazy
// chunks (fetched when one of its pages is first opened), even after another
// navigation brought a new release; two releases back they are dropped.
test('a new release keeps the assets of the one before it, and only that one', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  const cachedOld = () =>
    page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('license-desk-')) as string);
      return Boolean(await cache.match('/older-release-chunk.wasm'));
    });
  // As if the cached release were an older one naming a chunk of its own.
  await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith('license-desk-')) as string);
    const index = new URL('/index.html', location.href).href;
    const html = await (await cache.match(index))!.text();
    await cache.put('/older-release-chunk.wasm', new Response(new Uint8Array([0, 97, 115, 109])));
    await cache.put(index, new Response(html.replace('</head>', '<link rel="prefetch" href="/older-release-chunk.wasm"></head>'), {
      headers: { 'content-type': 'text/html; charset=utf-8' },
    }));
  });
  expect(await cachedOld()).toBe(true);

  // The server's release replaces it: the older release's chunk stays.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect.poll(async () => {
    const names = await page.evaluate(() => caches.keys());
    return page.evaluate(async (name) => {
      const cache = await caches.open(name);
      const index = await cache.match(new URL('/index.html', location.href).href);
      return (await index!.text()).includes('older-release-chunk');
    }, names.find((n) => n.startsWith('license-desk-')) as string);
  }).toBe(false);
  expect(await cachedOld()).toBe(true);

  // A release after that one drops it.
  await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names.find((n) => n.startsWith('license-desk-')) as string);
    const index = new URL('/index.html', location.href).href;
    const html = await (await cache.match(index))!.text();
    await cache.put(index, new Response(html + '\n', { headers: { 'content-type': 'text/html; charset=utf-8' } }));
  });
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect.poll(cachedOld).toBe(false);
});

// Once the service worker controls the tab, the split-off pages' code is fetched and
// started in the background a little after the start: opening one later waits for nothing.
test('split-off pages are made ready in the background, so they open without a fetch', async ({ page }) => {
  await page.goto('/');
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (/\/(split_|chunk_)[a-z_0-9]+-[0-9a-f]+\.wasm$/.test(r.url())) fetched.push(r.url());
  });
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();

  // Nothing is opened, yet the Packages and Install Log pages' code arrives.
  await expect.poll(() => fetched.filter((u) => /\/split_(packages|install_log)_page-/.test(u)).length, { timeout: 15_000 }).toBe(2);
  await expect.poll(() => fetched.filter((u) => /\/split_damaged_page-/.test(u)).length, { timeout: 15_000 }).toBe(1);
  const before = fetched.length;

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'All Packages' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Install Log' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Install Log' })).toBeVisible();
  expect(fetched.length, 'no code fetched when the pages opened').toBe(before);
});

// In the release build some pages' code is fetched when the page is first opened. A fetch
// that fails (offline before the service worker stored them, or a release the server no
// longer holds) must not kill the app: the page says so, the others go on working, and
// Reload fetches it once the network is back.
test.describe('a page whose code cannot be downloaded', () => {
  test.use({ serviceWorkers: 'block' });

  test('says so, the rest of the app goes on, and Reload opens it once the network is back', async ({ page, pageErrors }) => {
    let offline = true;
    const refused: string[] = [];
    await page.route(/\/chunk_[0-9]+-[0-9a-f]+\.wasm$/, (route) => {
      if (!offline) return route.continue();
      refused.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
    const nav = page.getByRole('navigation', { name: 'Main' });

    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'This page could not be opened' })).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('could not be downloaded');
    expect(refused.length, 'the Settings page is a chunk of its own in the release build').toBeGreaterThan(0);

    // The app is alive: a page in the main module opens and reads its data.
    await nav.getByRole('link', { name: 'Licenses' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Licenses' })).toContainText('No licenses yet');

    // Opening it again tries again.
    const tries = refused.length;
    await nav.getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'This page could not be opened' })).toBeVisible();
    expect(refused.length).toBeGreaterThan(tries);

    offline = false;
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(page.getByRole('region', { name: 'Expiration alert rules' })).toBeVisible();

    // The refused fetches are the only errors: the browser's and the loader's report of them.
    const others = pageErrors.filter(
      (e) => !/^console error: (Failed to load resource: net::ERR_INTERNET_DISCONNECTED$|TypeError: Failed to fetch\n\s+at \S+\/__wasm_split-)/.test(e),
    );
    expect(pageErrors.length).toBeGreaterThan(0);
    pageErrors.splice(0, pageErrors.length, ...others);
  });

  // Over a slow network a page's first open waits for its code while the previous page
  // stays on screen: the app says it heard the click, and the line goes once the page is in.
  test('a page whose code is still on its way says it is opening', async ({ page }) => {
    let hold = true;
    const held: (() => Promise<void>)[] = [];
    await page.route(/\/chunk_[0-9]+-[0-9a-f]+\.wasm$/, (route) => {
      if (!hold) return route.continue();
      held.push(() => route.continue());
    });
    await page.goto('/');
    await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
    const opening = page.getByRole('status').filter({ hasText: 'Opening the page…' });
    await expect(opening).toHaveCount(0);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages' }).click();
    await expect(opening).toBeVisible();
    await expect(page.getByRole('progressbar', { name: 'Opening the page' })).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
    expect(held.length, 'the Packages page is a chunk of its own in the release build').toBeGreaterThan(0);

    // The network delivers: the page opens and the line goes.
    hold = false;
    await Promise.all(held.splice(0).map((go) => go()));
    await expect(page.getByRole('heading', { level: 1, name: 'All Packages' })).toBeVisible();
    await expect(opening).toHaveCount(0);
  });
});
