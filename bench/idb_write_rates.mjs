// A throwaway experiment (issue 10, "Writing 100k"): raw IndexedDB write
// rates in headless Chromium for 100,000 license-shaped objects, varying one
// thing at a time: put vs add, durability, one transaction vs chunks,
// transactions on several stores at once, indexes, value shape.
//
//   node bench/idb_write_rates.mjs [--port 4312] [--n 100000] [--repeat 2]
//
// Prints one line per variant (median of --repeat runs, records/s) and the
// machine's load average. The figures are in docs/perf.md.

import { chromium } from 'playwright';
import http from 'node:http';
import os from 'node:os';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const port = arg('port', 4312);
const n = arg('n', 100_000);
const repeat = arg('repeat', 2);

const server = http.createServer((_, res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<!doctype html><title>idb</title>');
});
await new Promise((ok) => server.listen(port, '127.0.0.1', ok));

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--js-flags=--expose-gc'],
});
const page = await browser.newPage();
page.setDefaultTimeout(600_000);
await page.goto(`http://127.0.0.1:${port}/`);

await page.evaluate((n) => {
  // The shape the repository stores: { id, rev, data: License, ix_* }.
  const id = (p, i) => (p + String(i).padStart(15, '0')).slice(0, 18);
  const license = (i) => ({
    id: id('a0B', i), name: `L-${String(i).padStart(5, '0')}`, status: ['Trial', 'Active', 'Suspended', 'Uninstalled'][i % 4],
    ever_active: i % 3 === 0, seats: i % 7 === 0 ? 'SiteLicense' : { Seats: 10 + (i % 90) }, used_licenses: i % 5 ? 3 + (i % 40) : null,
    expiration: i % 6 === 0 ? 'DoesNotExpire' : { On: '2027-03-14' }, install_date: '2025-10-02',
    information_current_as_of: '2026-11-20T10:31:00', instance: `NA${100 + (i % 80)}`, org_edition: 'Enterprise Edition',
    org_status: 'Active', org_expiration_date: i % 9 === 0 ? '2026-12-30' : null, sandbox: i % 8 === 0,
    subscriber_org_id: id('00D', i), package_id: id('033', i % 4), package_version_id: id('04t', i % 16),
    version_number: '2.1.0', lead_id: id('00Q', i), lead_name: `Lead Name ${i} of Company ${i % 977} Inc`,
    account_id: i % 4 === 0 ? id('001', i) : null, contact_id: i % 4 === 0 ? id('003', i) : null, license_type: 'Editable',
    created: { at: '2025-10-02T09:00:00', by: 'Jordan Lee' }, last_modified: { at: '2026-11-20T10:31:00', by: 'Jordan Lee' },
  });
  const ix = (o, l) => Object.assign(o, {
    ix_status: l.status, ix_package: l.package_id, ix_expiration: l.expiration.On ?? '9999-12-31',
    ix_org: l.subscriber_org_id, ix_lead: l.lead_id ?? undefined, ix_account: l.account_id ?? undefined,
  });
  const full = [], json = [];
  for (let i = 0; i < n; i++) {
    const l = license(i);
    full.push(ix({ id: l.id, rev: 1, data: l }, l));
    json.push(ix({ id: l.id, rev: 1, data: JSON.stringify(l) }, l));
    if (!full[i].ix_lead) delete full[i].ix_lead;
  }
  window.__shapes = { full, json, keysOnly: full.map((o) => ({ id: o.id, rev: 1 })) };
  const INDEXES = ['status', 'package', 'expiration', 'org', 'lead', 'account'];
  const req = (r) => new Promise((ok, ko) => { r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
  const done = (tx) => new Promise((ok, ko) => { tx.oncomplete = ok; tx.onabort = () => ko(tx.error ?? new Error('aborted')); });
  let seq = 0;
  async function fresh(stores, withIndexes) {
    const name = `exp-${Date.now()}-${seq++}`;
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => {
      for (const s of stores) {
        const os = r.result.createObjectStore(s, { keyPath: 'id' });
        if (withIndexes) for (const ix of INDEXES) os.createIndex(ix, `ix_${ix}`);
      }
    };
    return [name, await req(r)];
  }
  // One variant: returns ms from the first request to the last commit.
  window.__run = async (v) => {
    const objects = window.__shapes[v.shape ?? 'full'];
    const stores = Array.from({ length: v.stores ?? 1 }, (_, i) => `s${i}`);
    const [name, db] = await fresh(stores, v.indexes ?? true);
    const opt = v.durability ? { durability: v.durability } : undefined;
    const op = v.op ?? 'put';
    const chunk = v.chunk ?? objects.length;
    const t0 = performance.now();
    try {
      if (stores.length > 1) {
        // The objects split between stores, one transaction per store, all at once.
        const per = Math.ceil(objects.length / stores.length);
        await Promise.all(stores.map((s, k) => {
          const tx = db.transaction(s, 'readwrite', opt);
          const os = tx.objectStore(s);
          for (let i = k * per; i < Math.min(objects.length, (k + 1) * per); i++) os[op](objects[i]);
          return done(tx);
        }));
      } else if (v.pipeline) {
        // Chunks in separate transactions, the next one issued before the last commits.
        const pending = [];
        for (let start = 0; start < objects.length; start += chunk) {
          const tx = db.transaction('s0', 'readwrite', opt);
          const os = tx.objectStore('s0');
          for (let i = start; i < Math.min(objects.length, start + chunk); i++) os[op](objects[i]);
          pending.push(done(tx));
          if (pending.length > v.pipeline) await pending.shift();
        }
        await Promise.all(pending);
      } else {
        for (let start = 0; start < objects.length; start += chunk) {
          const tx = db.transaction('s0', 'readwrite', opt);
          const os = tx.objectStore('s0');
          let last;
          for (let i = start; i < Math.min(objects.length, start + chunk); i++) last = os[op](objects[i]);
          if (v.awaitEvery) {
            // Progress inside one transaction: await every Nth request's success.
            for (let i = start; i < Math.min(objects.length, start + chunk); i += v.awaitEvery) { /* issued above */ }
          }
          void last;
          await done(tx);
        }
      }
      return performance.now() - t0;
    } finally {
      db.close();
      await req(indexedDB.deleteDatabase(name));
    }
  };
  // One transaction, awaiting every Nth request while issuing (the progress
  // idea): requests complete in order, so the Nth's success means N written.
  window.__runProgress = async (every, durability) => {
    const objects = window.__shapes.full;
    const [name, db] = await fresh(['s0'], true);
    const t0 = performance.now();
    let reports = 0;
    try {
      const tx = db.transaction('s0', 'readwrite', durability ? { durability } : undefined);
      const os = tx.objectStore('s0');
      const finished = done(tx);
      for (let start = 0; start < objects.length; start += every) {
        let last;
        for (let i = start; i < Math.min(objects.length, start + every); i++) last = os.put(objects[i]);
        await req(last);
        reports++;
      }
      await finished;
      return performance.now() - t0;
    } finally {
      db.close();
      await req(indexedDB.deleteDatabase(name));
    }
  };
}, n);

const variants = [
  ['put, default durability, one transaction (today)', {}],
  ['add, default durability, one transaction', { op: 'add' }],
  ['put, relaxed, one transaction', { durability: 'relaxed' }],
  ['put, strict, one transaction', { durability: 'strict' }],
  ['put, relaxed, chunks of 5,000 (sequential)', { durability: 'relaxed', chunk: 5000 }],
  ['put, relaxed, chunks of 20,000 (sequential)', { durability: 'relaxed', chunk: 20000 }],
  ['put, relaxed, chunks of 10,000, next issued before the last commits', { durability: 'relaxed', chunk: 10000, pipeline: 2 }],
  ['put, relaxed, 2 stores in parallel (50k each)', { durability: 'relaxed', stores: 2 }],
  ['put, relaxed, 4 stores in parallel (25k each)', { durability: 'relaxed', stores: 4 }],
  ['put, relaxed, no indexes', { durability: 'relaxed', indexes: false }],
  ['put, relaxed, data as one JSON string (indexes kept)', { durability: 'relaxed', shape: 'json' }],
  ['put, relaxed, { id, rev } only, no indexes (floor)', { durability: 'relaxed', shape: 'keysOnly', indexes: false }],
];

const results = [];
for (const [label, v] of variants) {
  const ms = [];
  for (let r = 0; r < repeat; r++) {
    await page.evaluate(() => window.gc?.());
    await page.waitForTimeout(1000);
    ms.push(await page.evaluate((v) => window.__run(v), v));
  }
  ms.sort((a, b) => a - b);
  const med = ms[ms.length >> 1];
  results.push({ label, ms, rate: Math.round(n / (med / 1000)) });
  console.log(`${label}: ${ms.map((x) => x.toFixed(0)).join(' / ')} ms → ${Math.round(n / (med / 1000)).toLocaleString('en-US')} records/s (load ${os.loadavg()[0].toFixed(2)})`);
}
for (const every of [1000, 5000]) {
  const ms = [];
  for (let r = 0; r < repeat; r++) {
    await page.evaluate(() => window.gc?.());
    await page.waitForTimeout(1000);
    ms.push(await page.evaluate((e) => window.__runProgress(e, 'relaxed'), every));
  }
  ms.sort((a, b) => a - b);
  const med = ms[ms.length >> 1];
  console.log(`put, relaxed, one transaction, awaiting every ${every}th request (progress): ${ms.map((x) => x.toFixed(0)).join(' / ')} ms → ${Math.round(n / (med / 1000)).toLocaleString('en-US')} records/s (load ${os.loadavg()[0].toFixed(2)})`);
}
await browser.close();
server.close();
