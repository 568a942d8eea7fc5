import { test, expect } from './fixtures';

// The demo data: loaded with one click, replaced only after an in-page
// confirmation, and cleared by Reset after another one.

test('demo data loads, asks before replacing, and reset clears it', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  const loaded = page.getByRole('status').filter({ hasText: 'Demo data loaded' });
  await expect(loaded).toContainText('4 packages, 190 licenses');
  test.info().annotations.push({ type: 'demo load', description: (await loaded.textContent()) ?? '' });
  // The message says how many records were saved and how long it took (the
  // speed itself is measured by scripts/bench.sh, not asserted here).
  await expect(loaded).toContainText(/[\d,]+ records in [\d.]+ s/);

  // Loading again would delete what is there: an in-page dialog asks first.
  await page.getByRole('button', { name: 'Load demo data' }).click();
  const replace = page.getByRole('alertdialog', { name: 'Replace the data with the demo?' });
  await expect(replace).toBeVisible();
  await replace.getByRole('button', { name: 'Cancel' }).click();
  await expect(replace).toBeHidden();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await replace.getByRole('button', { name: 'Replace with demo data' }).click();
  await expect(loaded).toContainText('190 licenses');

  // Reset, confirmed in its own dialog; Escape cancels it.
  await page.getByRole('button', { name: 'Reset' }).click();
  const resetDialog = page.getByRole('alertdialog', { name: 'Reset License Desk?' });
  await expect(resetDialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(resetDialog).toBeHidden();
  await page.getByRole('button', { name: 'Reset' }).click();
  await resetDialog.getByRole('button', { name: 'Delete everything' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Everything was deleted' })).toBeVisible();

  // Empty again: the next load doesn't ask.
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(loaded).toBeVisible();
  await expect(replace).toBeHidden();
});

test('the demo data survives a reload', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Demo data loaded' })).toBeVisible();
  await page.reload();
  await page.getByRole('button', { name: 'Load demo data' }).click();
  await expect(page.getByRole('alertdialog', { name: 'Replace the data with the demo?' })).toBeVisible();
});
