// The desk on a phone (390 × 844) and a tablet held upright (768 × 1024): no
// page is wider than the screen (wide tables scroll inside their own card),
// the navigation opens from a Menu button (aria-expanded, Escape closes it)
// and the search stays in reach. Data: the Home page's demo.
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { loadDemoData } from './faults';

function heading(page: Page, name: string | RegExp) {
  return page.getByRole('heading', { level: 1, name });
}

/** Each main page and what shows once its records are read. */
const PAGES: { path: string; ready: (page: Page) => Locator }[] = [
  { path: '/', ready: (p) => p.getByRole('heading', { level: 2, name: /^Dashboard \([\d,]+ licenses\)$/ }) },
  { path: '/packages', ready: (p) => p.getByRole('status').filter({ hasText: /^\d+ packages?$/ }) },
  { path: '/licenses', ready: (p) => p.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ }) },
  { path: '/leads', ready: (p) => p.getByRole('status').filter({ hasText: /^[\d,]+ leads?$/ }) },
  { path: '/installs', ready: (p) => p.getByRole('table').getByRole('row').nth(1) },
  { path: '/simulator', ready: (p) => p.getByLabel('Version', { exact: true }).first() },
  { path: '/data', ready: (p) => heading(p, 'Import and export') },
  { path: '/settings', ready: (p) => p.getByRole('button', { name: 'Add rule' }) },
];

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${what} is no wider than the screen`).toBeLessThanOrEqual(innerWidth);
}

for (const viewport of [{ width: 390, height: 844 }, { width: 768, height: 1024 }]) {
  test.describe(`at ${viewport.width} × ${viewport.height}`, () => {
    test.use({ viewport });

    test('no page scrolls sideways', async ({ page }) => {
      test.setTimeout(90_000);
      await loadDemoData(page);
      for (const { path, ready } of PAGES) {
        await page.goto(path);
        await expect(ready(page)).toBeVisible();
        await expectNoSidewaysScroll(page, path);
      }
      // A license's page, with its related lists.
      await page.goto('/licenses');
      const first = page.getByRole('region', { name: 'Licenses list' }).getByRole('row').filter({ has: page.getByRole('cell') }).first().getByRole('link');
      const name = (await first.innerText()).trim();
      await first.click();
      await expect(heading(page, name)).toBeVisible();
      await expect(page.getByRole('heading', { name: /^License History \(\d+\)$/ })).toBeVisible();
      await expectNoSidewaysScroll(page, 'a license');
      // The header stays one compact block: the name, Menu and the search.
      const header = await page.getByRole('banner').boundingBox();
      expect(header!.height).toBeLessThanOrEqual(120);
    });

    test('the Menu button opens the navigation, and the search is in reach', async ({ page }) => {
      await loadDemoData(page);
      const menu = page.getByRole('button', { name: 'Menu' });
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
      await expect(nav).toBeHidden();

      await menu.click();
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      await expect(nav).toBeVisible();
      await expect(page.getByLabel('Acting as')).toBeVisible();
      await nav.getByRole('link', { name: 'Leads' }).click();
      await expect(heading(page, 'All Leads')).toBeVisible();
      // Following a link closes the menu.
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
      await expect(nav).toBeHidden();

      // By keyboard: Enter opens it, the next Tab is its first link, Escape
      // closes it and gives the focus back to the button.
      await menu.focus();
      await page.keyboard.press('Enter');
      await expect(menu).toHaveAttribute('aria-expanded', 'true');
      await page.keyboard.press('Tab');
      await expect(nav.getByRole('link', { name: 'Packages' })).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(menu).toHaveAttribute('aria-expanded', 'false');
      await expect(menu).toBeFocused();

      // The search: visible without opening anything, and its results fit the screen.
      const search = page.getByRole('combobox', { name: 'Search' });
      await expect(search).toBeInViewport();
      await search.fill('L-0000');
      const results = page.getByRole('listbox', { name: 'Search results' });
      await expect(results.getByRole('option').first()).toBeVisible();
      const box = await results.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      await search.press('ArrowDown');
      await search.press('Enter');
      await expect(heading(page, 'L-00001')).toBeVisible();
    });
  });
}
