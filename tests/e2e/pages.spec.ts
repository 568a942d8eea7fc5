import { test, expect } from './fixtures';
import { loadDemoData } from './faults';

// Record pages read a page of their related records at a time through an
// index: the Install Log shows the newest 50 events and more on request, a
// package page the first 50 of its licenses by License Name.

test('the Install Log shows the newest 50 events, 50 more on request, and filters by outcome', async ({ page }) => {
  await loadDemoData(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Install Log', exact: true }).click();
  const log = page.getByRole('region', { name: 'Install Log' });
  const count = log.getByRole('status').filter({ hasText: 'events' });
  await expect(count).toHaveText('473 events, showing the newest 50');
  const rows = log.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(51); // the header and 50 events
  const when = async () => (await log.getByRole('table').getByRole('cell').allInnerTexts())
    .filter((t) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(t));
  const first = await when();
  expect(first).toHaveLength(50);
  expect([...first].sort().reverse()).toEqual(first); // newest first

  await log.getByRole('button', { name: 'Show 50 more' }).click();
  await expect(count).toHaveText('473 events, showing the newest 100');
  await expect(rows).toHaveCount(101);
  const more = await when();
  expect(more.slice(0, 50)).toEqual(first);
  expect([...more].sort().reverse()).toEqual(more);

  // An outcome: only its events, counted without reading them all.
  await log.getByLabel('Outcome').selectOption('failed');
  await expect(count).toHaveText(/^\d+ events?$/);
  const failed = Number((await count.innerText()).replace(/[^0-9]/g, ''));
  expect(failed).toBeGreaterThan(0);
  await expect(log.getByRole('table').getByRole('row')).toHaveCount(failed + 1);
  await expect(log.getByRole('button', { name: /^Show \d+ more$/ })).toHaveCount(0);
});

test("a package page lists its first 50 licenses by name and shows more on request", async ({ page }) => {
  await loadDemoData(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages', exact: true }).click();
  await page.getByRole('region', { name: 'Packages' }).getByRole('link', { name: 'Invoice Pro', exact: true }).click();
  const licenses = page.getByRole('region', { name: 'Licenses' });
  const heading = licenses.getByRole('heading', { level: 2 });
  await expect(heading).toHaveText(/^Licenses \(\d+\)$/);
  const total = Number((await heading.innerText()).replace(/[^0-9]/g, ''));
  const names = () => licenses.getByRole('table').getByRole('link').allInnerTexts();
  if (total <= 50) {
    await expect(licenses.getByRole('table').getByRole('link')).toHaveCount(total);
    return;
  }
  await expect(licenses.getByRole('table').getByRole('link')).toHaveCount(50);
  const first = await names();
  const byNumber = (a: string, b: string) => Number(a.slice(2)) - Number(b.slice(2));
  expect([...first].sort(byNumber)).toEqual(first);
  await licenses.getByRole('button', { name: /^Show [\d,]+ more$/ }).click();
  await expect(licenses.getByRole('table').getByRole('link')).toHaveCount(Math.min(total, 100));
  const more = await names();
  expect(more.slice(0, 50)).toEqual(first);
  expect([...more].sort(byNumber)).toEqual(more);
});
