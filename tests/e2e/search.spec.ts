// The header's global search: a combobox (WAI-ARIA 1.2) whose listbox groups
// what it finds by object. An ID pasted in any case opens its record, the
// arrow keys, Enter and Escape work as the pattern says, and `/` focuses it
// unless the user is typing in another field. Data: the Home page's demo.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { loadDemoData } from './faults';

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

function search(page: Page) {
  return page.getByRole('combobox', { name: 'Search' });
}

function results(page: Page) {
  return page.getByRole('listbox', { name: 'Search results' });
}

/** The first row of the Licenses list (License Name order): its name and 15-character org ID. */
async function firstLicense(page: Page): Promise<{ name: string; org15: string }> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  const row = page.getByRole('region', { name: 'Licenses list' }).getByRole('row').filter({ has: page.getByRole('cell') }).first();
  await expect(row).toBeVisible();
  // By content, not position: the row starts with a selection checkbox.
  const cells = (await row.getByRole('cell').allInnerTexts()).map((t) => t.trim());
  const name = cells.find((t) => /^L-\d{5,}$/.test(t)) ?? '';
  const org15 = cells.find((t) => /^00D/.test(t)) ?? '';
  expect(org15).toMatch(/^00D[0-9A-Za-z]{12}$/);
  return { name, org15 };
}

test('an 18-character Subscriber Org ID typed in lowercase opens its license', async ({ page }) => {
  await loadDemoData(page);
  const { name, org15 } = await firstLicense(page);
  const box = search(page);
  await expect(box).toHaveAttribute('aria-expanded', 'false');
  await box.fill(to18(org15).toLowerCase());
  await expect(box).toHaveAttribute('aria-expanded', 'true');
  const licenses = results(page).getByRole('group', { name: /^Licenses/ });
  await expect(licenses.getByRole('option').first()).toContainText(name);
  await expect(licenses.getByRole('option').first()).toContainText(org15);
  // Enter with no option chosen opens the first result.
  await box.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(box).toHaveValue('');
  await expect(box).toHaveAttribute('aria-expanded', 'false');

  // The 15-character form is case-sensitive: the same letters in another case are another org.
  const swapped = [...org15].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
  await box.fill(swapped);
  await expect(page.getByRole('status').filter({ hasText: /^No record matches/ })).toBeVisible();
  await expect(box).toHaveAttribute('aria-expanded', 'false');
});

test('arrow keys move through the results, Enter opens one, Escape closes and then clears', async ({ page }) => {
  await loadDemoData(page);
  // `/` focuses the search from anywhere but a field.
  await page.getByRole('heading', { level: 1, name: 'Home' }).click();
  await page.keyboard.press('/');
  const box = search(page);
  await expect(box).toBeFocused();
  await page.keyboard.type('L-0000');
  const licenses = results(page).getByRole('group', { name: /^Licenses/ });
  const options = licenses.getByRole('option');
  await expect(options).toHaveCount(5);
  // L-00001 to L-00009 match: five shown, the group says how many more.
  await expect(licenses).toHaveAccessibleName('Licenses · 4 more');
  await expect(options.first()).toHaveAttribute('aria-selected', 'false');

  await box.press('ArrowDown');
  await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
  const first = await options.nth(0).getAttribute('id');
  await expect(box).toHaveAttribute('aria-activedescendant', first!);
  await box.press('ArrowDown');
  await box.press('ArrowDown');
  await expect(options.nth(2)).toHaveAttribute('aria-selected', 'true');
  await box.press('ArrowUp');
  await expect(options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await expect(options.nth(0)).toHaveAttribute('aria-selected', 'false');
  await expect(box).toBeFocused();

  // Escape closes the list and keeps the text; a second Escape clears it.
  await box.press('Escape');
  await expect(results(page)).toBeHidden();
  await expect(box).toHaveAttribute('aria-expanded', 'false');
  await expect(box).not.toHaveAttribute('aria-activedescendant', /./);
  await expect(box).toHaveValue('L-0000');
  await box.press('ArrowDown');
  await expect(box).toHaveAttribute('aria-expanded', 'true');
  await expect(options.nth(0)).toHaveAttribute('aria-selected', 'true');
  await box.press('ArrowDown');
  await box.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'L-00002' })).toBeVisible();

  await box.fill('L-0000');
  await box.press('Escape');
  await box.press('Escape');
  await expect(box).toHaveValue('');
});

test('a lead is found by email, a package by its Package ID', async ({ page }) => {
  await loadDemoData(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }).click();
  // A split-off page: Home stays on screen until its code is in.
  await expect(page.getByRole('heading', { level: 1, name: 'All Leads' })).toBeVisible();
  const row = page.getByRole('row').filter({ has: page.getByRole('cell') }).first();
  await expect(row).toBeVisible();
  const leadName = (await row.getByRole('cell').nth(0).innerText()).trim();
  const email = (await row.getByRole('cell').nth(2).innerText()).trim();
  expect(email).toContain('@');

  const box = search(page);
  await box.fill(email.toUpperCase());
  const leads = results(page).getByRole('group', { name: /^Leads/ });
  await expect(leads.getByRole('option')).toHaveCount(1);
  await expect(leads.getByRole('option')).toContainText(leadName);
  await leads.getByRole('option').click();
  await expect(page.getByRole('heading', { level: 1, name: leadName })).toBeVisible();

  // A package by its name, then by its 18-character Package ID in capitals.
  await box.fill('invoice pro');
  const packages = results(page).getByRole('group', { name: /^Packages/ });
  await expect(packages.getByRole('option')).toHaveCount(1);
  const detail = (await packages.getByRole('option').innerText());
  const id15 = /Package ID (033[0-9A-Za-z]{12})/.exec(detail)?.[1];
  expect(id15, detail).toBeTruthy();
  await box.fill(to18(id15!).toUpperCase());
  await expect(packages.getByRole('option')).toContainText('Invoice Pro');
  await box.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Invoice Pro' })).toBeVisible();
});

test('`/` is typed, not a shortcut, in another field', async ({ page }) => {
  await loadDemoData(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  const own = page.getByRole('searchbox', { name: 'Search licenses' });
  await own.click();
  await page.keyboard.type('a/b');
  await expect(own).toHaveValue('a/b');
  await expect(own).toBeFocused();
  await expect(search(page)).toHaveValue('');
});

// In the release build the search's index and its matching are code of their own, fetched
// when the search is first used. What is typed before that code is in is kept: the results
// come once it arrives, and Enter then opens the first one.
test.describe('the search before its code is in', () => {
  // The requests go to the network, where the test can hold them.
  test.use({ serviceWorkers: 'block' });

  test('the text typed meanwhile finds its record once the code arrives', async ({ page }) => {
    await loadDemoData(page);
    const { name, org15 } = await firstLicense(page);
    let hold = true;
    const held: (() => Promise<void>)[] = [];
    await page.route(/\/split_load_searcher-[0-9a-f]+\.wasm$/, (route) => {
      if (!hold) return route.continue();
      held.push(() => route.continue());
    });
    const box = search(page);
    await box.fill(org15);
    await expect(page.getByRole('status').filter({ hasText: 'Preparing search…' })).toBeVisible();
    await expect(box).toHaveAttribute('aria-expanded', 'false');
    await expect.poll(() => held.length, { message: 'the search is a chunk of its own in the release build' }).toBeGreaterThan(0);

    hold = false;
    await Promise.all(held.splice(0).map((go) => go()));
    const licenses = results(page).getByRole('group', { name: /^Licenses/ });
    await expect(licenses.getByRole('option').first()).toContainText(name);
    await expect(box).toHaveAttribute('aria-expanded', 'true');
    await box.press('Enter');
    await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  });
});
