// Accessibility: an axe-core scan (WCAG 2.1 A and AA rules) of every main page
// with the demo data loaded finds no violation. A failure lists each rule with
// the elements it flagged.
import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function expectNoViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    help: v.help,
    elements: v.nodes.length,
    first: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
  }));
  expect(found, `WCAG 2.1 A/AA violations on ${what}`).toEqual([]);
}

function heading(page: Page, name: string | RegExp) {
  return page.getByRole('heading', { level: 1, name });
}

test('every main page has no WCAG 2.1 A/AA violation with the demo data', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Demo data loaded:/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('heading', { level: 2, name: /^Dashboard \([\d,]+ licenses\)$/ })).toBeVisible();
  await expectNoViolations(page, 'Home');

  // The header's search with its grouped results open.
  const search = page.getByRole('combobox', { name: 'Search' });
  await search.fill('L-0000');
  await expect(page.getByRole('listbox', { name: 'Search results' }).getByRole('option').first()).toBeVisible();
  await search.press('ArrowDown');
  await expectNoViolations(page, 'the search results');
  await search.press('Escape');
  await search.press('Escape');

  const nav = page.getByRole('navigation', { name: 'Main' });

  await nav.getByRole('link', { name: 'Packages' }).click();
  await expect(heading(page, 'All Packages')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /^\d+ packages?$/ })).toBeVisible();
  await expectNoViolations(page, 'Packages');

  await nav.getByRole('link', { name: 'Licenses' }).click();
  await expect(heading(page, 'All Licenses')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ })).toBeVisible();
  await expectNoViolations(page, 'Licenses');

  await page.getByLabel('License Status', { exact: true }).selectOption('Active');
  await page.getByLabel('Org Status', { exact: true }).selectOption('Active');
  const first = page.getByRole('region', { name: 'Licenses list' }).getByRole('row').filter({ has: page.getByRole('cell') }).first().getByRole('link');
  const name = (await first.innerText()).trim();
  await first.click();
  await expect(heading(page, name)).toBeVisible();
  await expect(page.getByRole('heading', { name: /^License History \(\d+\)$/ })).toBeVisible();
  await expectNoViolations(page, 'a license');

  await page.getByRole('link', { name: 'Modify License' }).click();
  await expect(heading(page, 'Modify License')).toBeVisible();
  await expect(page.getByLabel('Seats', { exact: true })).toBeVisible();
  await expectNoViolations(page, 'Modify License');

  await nav.getByRole('link', { name: 'Leads' }).click();
  await expect(heading(page, 'All Leads')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: /^[\d,]+ leads?$/ })).toBeVisible();
  await expectNoViolations(page, 'Leads');

  await nav.getByRole('link', { name: 'Install Log' }).click();
  await expect(heading(page, 'Install Log')).toBeVisible();
  await expect(page.getByRole('table').getByRole('row').nth(1)).toBeVisible();
  await expectNoViolations(page, 'Install Log');

  await page.goto('/simulator');
  await expect(heading(page, 'Subscriber simulator')).toBeVisible();
  await expect(page.getByLabel('Version', { exact: true }).first()).toBeVisible();
  await expectNoViolations(page, 'the Subscriber simulator');

  await page.goto('/settings');
  await expect(heading(page, 'Settings')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add rule' })).toBeVisible();
  await expectNoViolations(page, 'Settings');

  // On a phone: the navigation open under the Menu button.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Menu' }).click();
  await expect(nav).toBeVisible();
  await expectNoViolations(page, 'the menu on a phone');
});
