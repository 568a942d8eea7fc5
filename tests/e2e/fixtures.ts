import { test as base, expect } from '@playwright/test';

// Every spec fails on an uncaught page error or a console error: a broken wasm build
// or a panic shows up only there.
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') errors.push(`console error: ${msg.text()}`);
      });
      await use(errors);
      expect(errors, 'no page or console errors').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
