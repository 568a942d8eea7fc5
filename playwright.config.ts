import { defineConfig } from '@playwright/test';

// Chromium comes from Debian (/usr/bin/chromium): browser downloads are not possible here.
const port = Number(process.env.E2E_PORT ?? 4173);
// The sync specs' CouchDB (pouchdb-server, in memory): see scripts/couch.sh.
export const couchPort = Number(process.env.COUCH_PORT ?? 5990);

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    },
  },
  webServer: [{
    // -s: single-page app, so deep links such as /licenses/… fall back to index.html.
    command: `npx serve -s dist -l tcp://127.0.0.1:${port} --no-clipboard --no-port-switching`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 30_000,
  }, {
    command: 'bash scripts/couch.sh',
    url: `http://127.0.0.1:${couchPort}/ready`,
    reuseExistingServer: false,
    timeout: 60_000,
  }],
});
