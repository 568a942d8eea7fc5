import { test, expect } from './fixtures';
import { loadDemoData } from './faults';
import type { Locator, Page } from '@playwright/test';

async function selectMatching(select: Locator, pattern: RegExp) {
  // The options follow the desk's data, which a save just changed.
  await expect(select.locator('option').filter({ hasText: pattern })).not.toHaveCount(0);
  const labels = await select.locator('option').allTextContents();
  const label = labels.find((l) => pattern.test(l));
  expect(label, `an option matching ${pattern}`).toBeDefined();
  await select.selectOption({ label: label ?? '' });
}

// Uninstall alerts and the notification queue: Home shows the count and the
// first 5 with a link to the whole queue, where each is marked as sent or
// snoozed (who and when kept), and an uninstall makes a due notification.

async function openQueue(page: Page) {
  const due = page.getByRole('region', { name: /Notifications due/ });
  await due.getByRole('link', { name: /^View all \d+$/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Notifications' })).toBeVisible();
}

test('Home lists the first 5 due; the queue marks one as sent and snoozes another', async ({ page }) => {
  await loadDemoData(page);
  const home = page.getByRole('region', { name: /Notifications due/ });
  await expect(home.getByRole('row')).toHaveCount(6);
  await openQueue(page);
  const due = page.getByRole('region', { name: /^Due \(/ });
  const sent = page.getByRole('region', { name: /^Sent \(/ });
  const snoozed = page.getByRole('region', { name: /^Snoozed \(/ });
  await expect(sent.getByRole('heading')).toHaveText('Sent (0)');
  const heading = (await due.getByRole('heading', { level: 2 }).textContent()) ?? '';
  const total = Number(/\((\d+)\)/.exec(heading)?.[1]);

  const first = due.getByRole('row').nth(1);
  const email = await first.getByRole('link', { name: /^Email / }).getAttribute('aria-label');
  const about = (email ?? '').replace(/^Email /, '');
  await first.getByRole('button', { name: /^Mark as sent:/ }).click();
  await expect(due.getByRole('heading', { level: 2 })).toHaveText(`Due (${total - 1})`);
  await expect(sent.getByRole('heading')).toHaveText('Sent (1)');
  await expect(sent.getByRole('row').nth(1)).toContainText(/Sent by .+ on \d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  await expect(sent.getByRole('row').nth(1)).toContainText(about.split(' about ')[1]);

  // Snooze: 0 days is refused with the domain's message, 3 days moves it.
  const next = due.getByRole('row').nth(1);
  await next.getByLabel('Snooze for (days)').fill('0');
  await next.getByRole('button', { name: /^Snooze:/ }).click();
  await expect(next.getByRole('alert')).toContainText('from 1 to 90');
  await next.getByLabel('Snooze for (days)').fill('3');
  await next.getByRole('button', { name: /^Snooze:/ }).click();
  await expect(due.getByRole('heading', { level: 2 })).toHaveText(`Due (${total - 2})`);
  await expect(snoozed.getByRole('heading')).toHaveText('Snoozed (1)');
  await expect(snoozed.getByRole('row').nth(1)).toContainText(/Due again on \d{4}-\d{2}-\d{2}\. Snoozed for 3 days by /);

  // Kept across a reload: sent ones never come back.
  await page.reload();
  await expect(page.getByRole('region', { name: /^Sent \(/ }).getByRole('heading')).toHaveText('Sent (1)');
  await expect(page.getByRole('region', { name: /^Due \(/ }).getByRole('heading', { level: 2 })).toHaveText(`Due (${total - 2})`);
});

test('an uninstall in the simulator with an uninstall rule makes a due notification with a ready email', async ({ page }) => {
  await loadDemoData(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const rules = page.getByRole('region', { name: 'Uninstall alert rules' });
  await rules.getByLabel('Notify User').selectOption({ label: 'Priya Shah (Sales Rep)' });
  await rules.getByRole('button', { name: 'Add uninstall rule' }).click();
  await expect(rules.getByRole('status')).toContainText('When a license becomes Uninstalled, notify Priya Shah');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriber simulator' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Subscriber simulator' })).toBeVisible();
  const form = page.getByRole('region', { name: 'Install a package into a subscriber org', exact: true });
  await selectMatching(form.getByLabel('Package version'), /^FieldForce Scheduler/);
  await form.getByLabel('Org Name').fill('Umbrella Retention');
  await form.getByLabel('Installer Last Name').fill('Wesker');
  await form.getByLabel('Company').fill('Umbrella Corp');
  await form.getByRole('button', { name: 'Install' }).click();
  await expect(form.getByRole('status')).toContainText('A lead and a license were created');
  const org = page.getByRole('region', { name: 'Events from a subscriber org', exact: true });
  await selectMatching(org.getByLabel('Subscriber org'), /^Umbrella Retention \(/);
  await org.getByRole('button', { name: 'Uninstall' }).click();
  await expect(org.getByRole('status')).toContainText('Uninstall: FieldForce Scheduler');

  await page.getByRole('link', { name: 'License Desk' }).click();
  await openQueue(page);
  const due = page.getByRole('region', { name: /^Due \(/ });
  const row = due.getByRole('row').filter({ hasText: 'When uninstalled' });
  await expect(row).toContainText('Umbrella Corp: FieldForce Scheduler');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(/Uninstalled on \d{4}-\d{2}-\d{2}/);
  await expect(row).toContainText(/installed \d{4}-\d{2}-\d{2}/);
  const href = await row.getByRole('link', { name: /^Email Priya Shah about L-/ }).getAttribute('href');
  expect(href).toMatch(/^mailto:priya\.shah@example\.com\?subject=Umbrella%20Corp%20uninstalled%20FieldForce%20Scheduler%20.+&body=Hi%20Priya%20Shah/);
  expect(href).toContain('installed%20it%20on%20');
});
