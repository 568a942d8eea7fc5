import { test, expect } from './fixtures';

// A rep running demos from a laptop installs the desk as an app: its own window and
// icon, opened offline from the dock. Chromium decides from the manifest and the
// service worker whether the page can be installed.

test('the desk is installable, and its manifest and icons open offline', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });

  const manifestUrl = await page.evaluate(
    () => (document.querySelector('link[rel="manifest"]') as HTMLLinkElement | null)?.href ?? '',
  );
  expect(manifestUrl).toMatch(/\/manifest\.webmanifest$/);
  const manifest = await (await page.request.get(manifestUrl)).json();
  expect(manifest).toMatchObject({ name: 'License Desk', start_url: '/', display: 'standalone' });
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  const sizes = manifest.icons.map((icon: { sizes: string }) => icon.sizes);
  expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));

  // Chromium's own verdict: no reason left that keeps the app from being installed.
  // Playwright's browser contexts are incognito, where Chromium never offers to
  // install ("in-incognito"); every other reason (no manifest, no usable icon,
  // no service worker, wrong display or start URL) would still be reported.
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors.filter((e) => e.errorId !== 'in-incognito')).toEqual([]);

  // Offline, the service worker answers for the manifest and every icon.
  await context.setOffline(true);
  const offline = await page.evaluate(async (url) => {
    const manifest = await (await fetch(url)).json();
    const icons = await Promise.all(
      manifest.icons.map(async (icon: { src: string }) => {
        const res = await fetch(icon.src);
        return { ok: res.ok, type: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength };
      }),
    );
    return { name: manifest.name, icons };
  }, manifestUrl);
  await context.setOffline(false);
  expect(offline.name).toBe('License Desk');
  for (const icon of offline.icons) {
    expect(icon.ok).toBe(true);
    expect(icon.type).toContain('image/png');
    expect(icon.bytes).toBeGreaterThan(0);
  }
});
