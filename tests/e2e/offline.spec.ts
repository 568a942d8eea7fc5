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
