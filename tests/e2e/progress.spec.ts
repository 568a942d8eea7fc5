import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { counts, snapshot } from './faults';

// Long work shows how far it got (issue 10): a progress bar, by role, with
// records done of the total, then the confirmation.

type Bar = { label: string | null; now: string | null; max: string | null };

// Every state a progress bar goes through, noted as the page changes it
// (read back with `bars`).
async function noteBars(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __bars: Bar[] };
    w.__bars = [];
    const note = (el: Element) =>
      w.__bars.push({
        label: el.getAttribute('aria-label'),
        now: el.getAttribute('aria-valuenow'),
        max: el.getAttribute('aria-valuemax'),
      });
    new MutationObserver((changes) => {
      for (const c of changes) {
        if (c.type === 'attributes' && (c.target as Element).getAttribute('role') === 'progressbar') note(c.target as Element);
        for (const n of c.addedNodes) {
          if (!(n instanceof Element)) continue;
          if (n.matches('[role="progressbar"]')) note(n);
          n.querySelectorAll('[role="progressbar"]').forEach(note);
        }
      }
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow', 'aria-label'] });
  });
}

async function bars(page: Page): Promise<Bar[]> {
  return page.evaluate(() => (window as unknown as { __bars: Bar[] }).__bars);
}

test('Load demo data shows a progress bar of the records saved, then the confirmation', async ({ page }) => {
  test.setTimeout(180_000);
  await noteBars(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  // A slow device, so the bar stays up long enough to be seen.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });

  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  const bar = page.getByRole('progressbar', { name: /demo data/ });
  await expect(bar).toBeVisible({ timeout: 60_000 });
  await expect(bar).toHaveAttribute('aria-valuemin', '0');
  const loaded = page.getByRole('status').filter({ hasText: /^Demo data loaded:/ });
  await expect(loaded).toBeVisible({ timeout: 150_000 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await expect(page.getByRole('progressbar')).toHaveCount(0);

  // The bar counted the records saved, in order, up to all of them.
  const records = Number(/([\d,]+) records in/.exec((await loaded.textContent()) ?? '')?.[1]?.replace(/,/g, ''));
  expect(records).toBeGreaterThan(0);
  const seen = await bars(page);
  // While the demo is built, the bar says so without a value (indeterminate).
  expect(seen.some((b) => /^Building the demo data/.test(b.label ?? '') && b.now === null)).toBe(true);
  const saving = seen.filter((b) => /^Saving the demo data/.test(b.label ?? '') && b.now !== null);
  expect(saving.length).toBeGreaterThan(0);
  const total = Number(saving[0].max);
  expect(saving.every((b) => Number(b.max) === total)).toBe(true);
  const done = saving.map((b) => Number(b.now));
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(done[done.length - 1]).toBe(total);
  // The total is every record of the demo plus its users and ID counters.
  expect(total).toBeGreaterThanOrEqual(records);
  expect(total).toBeLessThanOrEqual(records + 10);
});

test('Reset shows its progress bar, then says everything was deleted', async ({ page }) => {
  // A slow device (20 times slower) takes seconds for each step, and more on
  // a loaded machine: the waits have time limits of their own.
  test.setTimeout(120_000);
  await noteBars(page);
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Demo data loaded:/ })).toBeVisible();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 20 });
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('alertdialog', { name: 'Reset License Desk?' }).getByRole('button', { name: 'Delete everything' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Everything was deleted' })).toBeVisible({ timeout: 60_000 });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  const deleting = (await bars(page)).filter((b) => /^Deleting everything/.test(b.label ?? ''));
  expect(deleting.length).toBeGreaterThan(0);
  expect(deleting[deleting.length - 1].now).toBe(deleting[deleting.length - 1].max);
});

test('a reload after the progress bar has counted thousands of records leaves the desk as it was', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  const empty = await counts(page);
  await page.getByLabel('Demo size', { exact: true }).selectOption('10k');
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  // Several steps of the one transaction are written: the page is
  // responsive enough to be asked, and the bar shows the count.
  const bar = page.getByRole('progressbar', { name: /^Saving the demo data/ });
  await expect(bar).toBeVisible({ timeout: 120_000 });
  await expect
    .poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(4_000);
  expect(Number(await bar.getAttribute('aria-valuemax'))).toBeGreaterThan(50_000);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Home' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(await counts(page)).toEqual(empty);
});

test('Cancel while the demo data is saved leaves the desk exactly as it was', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Demo data loaded:/ })).toContainText('190 licenses');
  const before = await snapshot(page);

  // The 10k demo replaces it, one transaction counted in steps; Cancel once
  // thousands of its records are written.
  await page.getByLabel('Demo size', { exact: true }).selectOption('10k');
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  await page.getByRole('alertdialog', { name: 'Replace the data with the demo?' }).getByRole('button', { name: 'Replace with demo data' }).click();
  const bar = page.getByRole('progressbar', { name: /^Saving the demo data/ });
  await expect
    .poll(async () => Number((await bar.getAttribute('aria-valuenow')) ?? 0), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(4_000);
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /cancelled/ })).toHaveText(
    'Loading the demo data was cancelled: nothing was saved, the desk is as it was.',
    { timeout: 60_000 },
  );
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  expect(await snapshot(page)).toEqual(before);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ })).toHaveText('190 licenses');
});
