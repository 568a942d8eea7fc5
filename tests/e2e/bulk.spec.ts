// Bulk Modify License: tick licenses in the list (or every license matching
// the filters), preview what Modify License's rules do to each one, apply
// them in one step, and find the history on each changed license. Elements
// are found by role and label; the data is the Home page's demo data.
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { loadDemoData, snapshot } from './faults';

/** `YYYY-MM-DD` of the browser's local date `days` from today. */
function isoDaysFromToday(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function openLicenses(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Licenses' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'All Licenses' })).toBeVisible();
  await expect(countText(page)).toBeVisible();
}

function countText(page: Page) {
  return page.getByRole('status').filter({ hasText: /^[\d,]+ licenses?$/ });
}

function selectedText(page: Page) {
  return page.getByRole('group', { name: 'Selected licenses' }).getByRole('status');
}

const number = (text: string) => Number(text.replace(/[^\d]/g, ''));

async function actAs(page: Page, profile: RegExp): Promise<void> {
  const select = page.getByLabel('Acting as');
  const label = await select
    .getByRole('option')
    .filter({ hasText: profile })
    .first()
    .innerText();
  await select.selectOption({ label: label.trim() });
}

function historyHeading(page: Page) {
  return page.getByRole('heading', { name: /^License History \(\d+\)$/ });
}

test('select all matching, preview, apply: each changed license has its history, refused ones are untouched', async ({ page }) => {
  test.setTimeout(90_000);
  await loadDemoData(page);
  await openLicenses(page);

  // Production licenses of every status: some can't be modified.
  await page.getByLabel('Sandbox', { exact: true }).selectOption({ label: 'Production only' });
  const matching = number(await countText(page).innerText());
  expect(matching).toBeGreaterThan(20);
  await expect(selectedText(page)).toHaveText('No licenses selected');

  // One row by its checkbox, then every matching license (not only the rows drawn).
  const list = page.getByRole('region', { name: 'Licenses list' });
  await list.getByRole('checkbox', { name: /^Select L-\d+$/ }).first().check();
  await expect(selectedText(page)).toHaveText('1 license selected');
  await page.getByRole('button', { name: `Select all ${matching.toLocaleString('en-US')} matching` }).click();
  await expect(selectedText(page)).toHaveText(`${matching.toLocaleString('en-US')} licenses selected`);
  await expect(list.getByRole('checkbox', { name: 'Select all matching licenses' })).toBeChecked();

  await page.getByRole('link', { name: `Modify ${matching.toLocaleString('en-US')} licenses` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Modify ${matching.toLocaleString('en-US')} licenses` })).toBeVisible();

  // Every field starts at Leave unchanged: that alone is refused by the form.
  await expect(page.getByLabel('Seats', { exact: true })).toHaveValue('');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /Leave unchanged/ })).toBeVisible();

  // A seat count below the minimum is refused by the domain, by its input.
  await page.getByLabel('Seats', { exact: true }).selectOption({ label: 'Set a number of seats' });
  await page.getByLabel('Licensed Seats').fill('0');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect(page.getByLabel('Licensed Seats')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Licensed Seats').fill('30');
  await page.getByLabel('Expiration', { exact: true }).selectOption({ label: 'Set a date' });
  await page.getByLabel('Expiration Date').fill(isoDaysFromToday(200));
  await page.getByRole('button', { name: 'Preview changes' }).click();

  const summary = page.getByRole('status').filter({ hasText: /will change/ });
  await expect(summary).toBeVisible();
  const text = await summary.innerText();
  const m = /^([\d,]+) will change, ([\d,]+) refused: (.*?)(?:; ([\d,]+) already have these values)?\./.exec(text);
  expect(m, text).not.toBeNull();
  const changing = number(m![1]);
  const refused = number(m![2]);
  const unchanged = m![4] ? number(m![4]) : 0;
  expect(changing + refused + unchanged).toBe(matching);
  expect(changing).toBeGreaterThan(0);
  // Uninstalled licenses and trials longer than 90 days are refused by Modify License's rules.
  expect(m![3]).toMatch(/\d+ Uninstalled/);
  expect(m![3]).toMatch(/\d+ Trial over 90 days/);
  await expect(page.getByRole('list', { name: 'Refused licenses' })).toContainText('can\'t be modified');

  // Per license: the new values or the refusal (refusals first; "Show" picks one outcome).
  const preview = page.getByRole('region', { name: 'Preview by license' });
  await expect(preview.getByRole('row').filter({ hasText: 'Refused' }).first()).toBeVisible();
  await page.getByLabel('Show', { exact: true }).selectOption({ label: `Will change (${changing.toLocaleString('en-US')})` });
  await expect(preview.getByRole('row').filter({ hasText: 'Will change' }).first()).toContainText(/Licensed Seats [^;]+ → 30/);
  await expect(preview.getByRole('row').filter({ hasText: 'Refused' })).toHaveCount(0);

  await page.getByRole('button', { name: `Apply to ${changing.toLocaleString('en-US')} licenses` }).click();
  const result = page.getByRole('status').filter({ hasText: / changed/ });
  await expect(result).toHaveText(new RegExp(`^${changing.toLocaleString('en-US')} changed, ${refused.toLocaleString('en-US')} refused`));
  await expect(page.getByRole('region', { name: 'Preview by license' })).toHaveCount(0);

  // A changed license: its new seats and a history entry per changed field.
  await page.getByLabel('Show', { exact: true }).selectOption({ label: `Changed (${changing.toLocaleString('en-US')})` });
  const changedLink = page.getByRole('region', { name: 'Result by license' }).getByRole('row')
    .filter({ hasText: /Licensed Seats [^;]+ → 30/ }).first().getByRole('link');
  const changedName = (await changedLink.innerText()).trim();
  await changedLink.click();
  await expect(page.getByRole('heading', { level: 1, name: changedName })).toBeVisible();
  const history = page.getByRole('region', { name: 'License History' });
  await expect(history.getByRole('row').filter({ hasText: 'Licensed Seats' }).filter({ hasText: '30' }).first()).toBeVisible();
  await expect(history.getByRole('row').filter({ hasText: 'Expiration Date' }).filter({ hasText: isoDaysFromToday(200) }).first()).toBeVisible();

  // A refused (Uninstalled) license is untouched: nothing of the bulk change in its history.
  await openLicenses(page);
  await page.getByLabel('License Status', { exact: true }).selectOption('Uninstalled');
  const uninstalled = page.getByRole('region', { name: 'Licenses list' }).getByRole('row').filter({ has: page.getByRole('cell') }).first().getByRole('link');
  const uninstalledName = (await uninstalled.innerText()).trim();
  await uninstalled.click();
  await expect(page.getByRole('heading', { level: 1, name: uninstalledName })).toBeVisible();
  await expect(historyHeading(page)).toBeVisible();
  const refusedHistory = page.getByRole('region', { name: 'License History' });
  await expect(refusedHistory.getByRole('row').filter({ hasText: isoDaysFromToday(200) })).toHaveCount(0);
  await expect(refusedHistory.getByRole('row').filter({ hasText: 'Licensed Seats' }).filter({ hasText: /\b30\b/ })).toHaveCount(0);
});

test('a Read Only or Sales Rep profile is not offered Modify, and the bulk page refuses it', async ({ page }) => {
  await loadDemoData(page);
  await openLicenses(page);
  const list = page.getByRole('region', { name: 'Licenses list' });
  await list.getByRole('checkbox', { name: /^Select L-\d+$/ }).first().check();
  await expect(page.getByRole('link', { name: 'Modify 1 license' })).toBeVisible();

  for (const profile of [/Read Only/, /Sales Rep/]) {
    await actAs(page, profile);
    await expect(selectedText(page)).toHaveText('1 license selected');
    await expect(page.getByRole('link', { name: /^Modify \d/ })).toHaveCount(0);
  }

  // Reached by its address, the page says why and offers no preview.
  await actAs(page, /License Manager/);
  await page.getByRole('link', { name: 'Modify 1 license' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Modify 1 license' })).toBeVisible();
  await actAs(page, /Read Only/);
  await expect(page.getByRole('alert').filter({ hasText: /Read Only/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Preview changes' })).toBeDisabled();
});

test('Cancel while the changes are applied leaves every license as it was, and the preview stands', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await page.getByLabel('Demo size', { exact: true }).selectOption('10k');
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Demo data loaded:/ })).toContainText('10,000 licenses', { timeout: 120_000 });
  await openLicenses(page);
  const list = page.getByRole('region', { name: 'Licenses list' });
  await list.getByRole('checkbox', { name: /^Select L-\d+$/ }).first().check();
  await page.getByRole('button', { name: 'Select all 10,000 matching' }).click();
  await page.getByRole('link', { name: 'Modify 10,000 licenses' }).click();
  await page.getByLabel('Seats', { exact: true }).selectOption({ label: 'Set a number of seats' });
  await page.getByLabel('Licensed Seats').fill('30');
  await page.getByRole('button', { name: 'Preview changes' }).click();
  await expect(page.getByRole('status').filter({ hasText: /will change/ })).toBeVisible({ timeout: 60_000 });
  const before = await snapshot(page);

  const apply = page.getByRole('button', { name: /^Apply to [\d,]+ licenses$/ });
  await apply.click();
  // Cancel once the bar counts (about a second of writing is left then).
  const bar = page.getByRole('progressbar', { name: 'Applying the changes' });
  await expect(bar).toHaveAttribute('aria-valuenow', /^\d+$/, { timeout: 60_000 });
  // The click goes to the button itself, below the long preview table, at
  // once: the page takes it between the write's steps.
  await page.getByRole('button', { name: 'Cancel', exact: true }).dispatchEvent('click');
  await expect(page.getByRole('status').filter({ hasText: /^Apply cancelled/ })).toContainText('no license was changed', { timeout: 60_000 });
  await expect(page.getByRole('progressbar')).toHaveCount(0);
  expect(await snapshot(page)).toEqual(before);
  await expect(apply).toBeEnabled();
});
