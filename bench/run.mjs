// License Desk benchmark driver: measures the release build served at --base in
// headless Chromium (Debian's, never a downloaded one) and prints a table; writes
// the figures to bench-results/latest.json. Run through scripts/bench.sh, which
// builds dist/ and serves it on 127.0.0.1.
//
//   node bench/run.mjs --base http://127.0.0.1:4180 [--runs 5] [--runs-100k 5]
//                      [--only bundle,storage,demo,list,cold,modify,bulk,sync,search,pages,cold100k,data] [--out FILE]
//
// Every timed figure is the median of several runs, with min and max. Nothing
// here asserts a target: missed targets are reported, never fatal. A section
// that can't run (a page missing) is reported as not measured, with why.

import { chromium } from 'playwright';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = {
    base: 'http://127.0.0.1:4180',
    runs: 5,
    runs100k: 5,
    only: ['bundle', 'storage', 'demo', 'list', 'cold', 'modify', 'bulk', 'sync', 'search', 'pages', 'cold100k', 'data'],
    out: path.join(root, 'bench-results', 'latest.json'),
    dist: path.join(root, 'dist'),
  };
  for (let i = 2; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--base': opts.base = value().replace(/\/$/, ''); break;
      case '--runs': opts.runs = Number(value()); break;
      case '--runs-100k': opts.runs100k = Number(value()); break;
      case '--only': opts.only = value().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--out': opts.out = path.resolve(value()); break;
      case '--dist': opts.dist = path.resolve(value()); break;
      case '-h': case '--help':
        console.log('usage: node bench/run.mjs --base URL [--runs N] [--runs-100k N] [--only bundle,storage,demo,list,cold,modify,bulk,sync,search,pages,cold100k,data] [--out FILE]');
        process.exit(0);
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!(opts.runs >= 1) || !(opts.runs100k >= 1)) throw new Error('--runs and --runs-100k must be at least 1');
  return opts;
}

const opts = parseArgs(process.argv);

// ---------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------

const figures = [];   // { id, section, label, unit, samples, median, min, max, target, met, note }
const sections = {};  // section -> { status: 'ok' | 'not measured' | 'failed', reason? }
const details = {};   // extra numbers per section (breakdowns, counts)

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

// target: { op: '<=' | '>=', value, on?: 'median' | 'max' }, compared with the
// median unless `on` says otherwise.
function record(id, section, label, unit, samples, target, note) {
  const { median, min, max } = stats(samples);
  const judged = target?.on === 'max' ? max : median;
  const met = target ? (target.op === '<=' ? judged <= target.value : judged >= target.value) : null;
  const fig = { id, section, label, unit, samples, median, min, max, target: target ?? null, met, note: note ?? null };
  figures.push(fig);
  return fig;
}

function log(...args) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...args);
}

// ---------------------------------------------------------------------------
// 1. Bundle
// ---------------------------------------------------------------------------

// The lazy pages' wasm chunks (a `split` build, scripts/split.sh): listed in index.html for the
// service worker, fetched by the browser only when their page is first opened.
function lazyChunks() {
  const html = fs.readFileSync(path.join(opts.dist, 'index.html'), 'utf8');
  const m = html.match(/<script type="application\/json" id="ld-lazy-chunks">([^<]*)<\/script>/);
  return new Set(m ? JSON.parse(m[1]).map((u) => u.split('/').pop()) : []);
}

function bundle() {
  const files = fs.readdirSync(opts.dist).filter((f) => f.endsWith('.wasm') || f.endsWith('.js')).sort();
  if (!files.some((f) => f.endsWith('.wasm'))) throw new Error(`no .wasm in ${opts.dist}: build first`);
  const chunks = lazyChunks();
  const rows = [];
  const total = { raw: 0, gzip: 0, brotli: 0 };
  const first = { raw: 0, gzip: 0, brotli: 0 };
  const lazy = { raw: 0, gzip: 0, brotli: 0, files: 0 };
  for (const f of files) {
    const buf = fs.readFileSync(path.join(opts.dist, f));
    const gzip = zlib.gzipSync(buf, { level: 9 }).length;
    const brotli = zlib.brotliCompressSync(buf, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_MODE]: f.endsWith('.js') ? zlib.constants.BROTLI_MODE_TEXT : zlib.constants.BROTLI_MODE_GENERIC,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
      },
    }).length;
    const chunk = chunks.has(f);
    rows.push({ file: f, raw: buf.length, gzip, brotli, lazy: chunk });
    for (const sum of [total, chunk ? lazy : first]) {
      sum.raw += buf.length; sum.gzip += gzip; sum.brotli += brotli;
    }
    if (chunk) lazy.files += 1;
  }
  details.bundle = { files: rows, total, first, lazy };
  for (const r of rows) {
    if (r.lazy) continue;
    const kind = r.file.endsWith('.wasm') ? 'wasm' : 'js';
    const name = r.file.replace(/-[0-9a-f]{16}/, '');
    const key = name.startsWith('__wasm_split') ? 'split_loader' : kind;
    for (const enc of ['raw', 'gzip', 'brotli']) {
      record(`bundle.${key}.${enc}`, 'bundle', `Bundle ${kind} (${name}), ${enc}`, 'KB', [r[enc] / 1000]);
    }
  }
  if (lazy.files > 0) {
    record('bundle.lazy.brotli', 'bundle', `Bundle lazy chunks (${lazy.files} wasm, fetched when their page opens), brotli -q 11`, 'KB', [lazy.brotli / 1000]);
    record('bundle.first.brotli', 'bundle', 'Bundle first download (wasm + js but the lazy chunks), brotli -q 11', 'KB', [first.brotli / 1000], { op: '<=', value: 250 },
      '1 KB = 1000 bytes');
  }
  record('bundle.total.raw', 'bundle', 'Bundle wasm + js, raw', 'KB', [total.raw / 1000]);
  record('bundle.total.gzip', 'bundle', 'Bundle wasm + js, gzip -9', 'KB', [total.gzip / 1000]);
  record('bundle.total.brotli', 'bundle', 'Bundle wasm + js, brotli -q 11', 'KB', [total.brotli / 1000], { op: '<=', value: 250 },
    '1 KB = 1000 bytes');
}

// ---------------------------------------------------------------------------
// Browser helpers
// ---------------------------------------------------------------------------

let browser;
const pageProblems = [];

async function newPage(context) {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') pageProblems.push(`console error: ${msg.text()}`);
  });
  page.setDefaultTimeout(120_000);
  return page;
}

/// Opens the app's Home page and waits for the wasm and the bench entry points.
async function openApp(page, route = '/') {
  await page.goto(opts.base + route);
  await page.waitForFunction(() => typeof window.wasmBindings?.bench_insert === 'function', null, { timeout: 60_000 })
    .catch(() => {
      throw new Error('window.wasmBindings.bench_* missing: is `pub mod bench;` in src/lib.rs and dist/ rebuilt?');
    });
}

// Before a timed run: collect garbage, and give the browser's IndexedDB
// backend a moment to finish flushing and compacting what the last run wrote.
async function quiet(page, ms = 2000) {
  await page.evaluate(() => { if (typeof window.gc === 'function') window.gc(); });
  await page.waitForTimeout(ms);
}

// ---------------------------------------------------------------------------
// 2-3. Repository against raw IndexedDB, 100,000 licenses
// ---------------------------------------------------------------------------

// Raw JS IndexedDB, run in the page, on databases bench_create_db made with the
// app's schema (the same store, the same indexes).
async function installRawJs(page) {
  await page.evaluate(() => {
    const open = (name) => new Promise((ok, ko) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => ok(req.result);
      req.onerror = () => ko(req.error);
      req.onupgradeneeded = () => ko(new Error(`${name} does not exist`));
    });
    window.__rawBench = {
      // One readwrite transaction, every put issued, then await completion.
      async insert(name) {
        const objects = window.__benchObjects;
        const db = await open(name);
        try {
          const t0 = performance.now();
          const tx = db.transaction('licenses', 'readwrite');
          const store = tx.objectStore('licenses');
          for (let i = 0; i < objects.length; i++) store.put(objects[i]);
          await new Promise((ok, ko) => {
            tx.oncomplete = ok;
            tx.onabort = () => ko(tx.error ?? new Error('aborted'));
          });
          return performance.now() - t0;
        } finally {
          db.close();
        }
      },
      async getAll(name, expect) {
        const db = await open(name);
        try {
          const t0 = performance.now();
          const req = db.transaction('licenses').objectStore('licenses').getAll();
          const all = await new Promise((ok, ko) => { req.onsuccess = () => ok(req.result); req.onerror = () => ko(req.error); });
          const ms = performance.now() - t0;
          if (all.length !== expect) throw new Error(`raw getAll read ${all.length}, expected ${expect}`);
          return ms;
        } finally {
          db.close();
        }
      },
      // The same stored object under the same key in both databases?
      async sameObjects(a, b, keys) {
        const dbs = [await open(a), await open(b)];
        try {
          const read = (db, key) => new Promise((ok, ko) => {
            const req = db.transaction('licenses').objectStore('licenses').get(key);
            req.onsuccess = () => ok(req.result); req.onerror = () => ko(req.error);
          });
          for (const key of keys) {
            const [x, y] = [await read(dbs[0], key), await read(dbs[1], key)];
            if (JSON.stringify(x) !== JSON.stringify(y)) return `differ at ${key}: ${JSON.stringify(x)?.slice(0, 200)} vs ${JSON.stringify(y)?.slice(0, 200)}`;
          }
          return null;
        } finally {
          dbs.forEach((db) => db.close());
        }
      },
    };
  });
}

async function storage(context) {
  const page = await newPage(context);
  await openApp(page);
  await installRawJs(page);

  log('building 100,000 demo licenses (demo generator, untimed)');
  const t0 = Date.now();
  const n = await page.evaluate(() => window.wasmBindings.bench_build_licenses('100k'));
  const buildMs = Date.now() - t0;
  // Encoding every license to its stored JS object (serde-wasm-bindgen): the
  // share of the repository's insert that raw JS, handed ready objects, skips.
  const { objects, encodeMs } = await page.evaluate(() => {
    const t = performance.now();
    window.__benchObjects = window.wasmBindings.bench_js_objects();
    return { objects: window.__benchObjects.length, encodeMs: performance.now() - t };
  });
  if (objects !== n) throw new Error(`bench_js_objects gave ${objects} objects for ${n} licenses`);
  log(`${n} licenses built in ${buildMs} ms; the same ${objects} stored objects handed to JS (encoded in ${encodeMs.toFixed(0)} ms)`);

  const ours = [], raw = [], ratio = [], oursRead = [], rawRead = [], readRatio = [];
  const stamp = Date.now();
  for (let run = 0; run < opts.runs100k; run++) {
    const repoDb = `ld-bench-repo-${stamp}-${run}`;
    const rawDb = `ld-bench-raw-${stamp}-${run}`;
    await page.evaluate((name) => window.wasmBindings.bench_create_db(name), rawDb);
    await page.evaluate((name) => window.wasmBindings.bench_create_db(name), repoDb);
    // Alternate which side goes first, so neither always meets a warmer or fuller disk.
    const order = run % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours'];
    const ins = {};
    for (const side of order) {
      await quiet(page);
      ins[side] = side === 'ours'
        ? await page.evaluate((name) => window.wasmBindings.bench_insert(name), repoDb)
        : await page.evaluate((name) => window.__rawBench.insert(name), rawDb);
    }
    if (run === 0) {
      const keys = await page.evaluate(() => [0, 1, 777, window.__benchObjects.length - 1].map((i) => window.__benchObjects[i].id));
      const diff = await page.evaluate(([a, b, k]) => window.__rawBench.sameObjects(a, b, k), [repoDb, rawDb, keys]);
      if (diff) throw new Error(`the repository and raw JS stored different objects: ${diff}`);
    }
    // Both read the repository's database: the same store contents. One
    // untimed read first, so neither side pays alone for reading it cold
    // (without it, whichever side reads second is the faster one).
    await page.evaluate(([name, k]) => window.__rawBench.getAll(name, k), [repoDb, n]);
    const rd = {};
    for (const side of order) {
      await quiet(page);
      rd[side] = side === 'ours'
        ? await page.evaluate(([name, k]) => window.wasmBindings.bench_read(name, k), [repoDb, n])
        : await page.evaluate(([name, k]) => window.__rawBench.getAll(name, k), [repoDb, n]);
    }
    for (const name of [repoDb, rawDb]) await page.evaluate((db) => window.wasmBindings.bench_delete_db(db), name);
    ours.push(n / (ins.ours / 1000)); raw.push(n / (ins.raw / 1000)); ratio.push(ins.raw / ins.ours);
    oursRead.push(n / (rd.ours / 1000)); rawRead.push(n / (rd.raw / 1000)); readRatio.push(rd.raw / rd.ours);
    log(`run ${run + 1}/${opts.runs100k}: insert ours ${ins.ours.toFixed(0)} ms, raw ${ins.raw.toFixed(0)} ms; ` +
        `read ours ${rd.ours.toFixed(0)} ms, raw ${rd.raw.toFixed(0)} ms`);
  }
  details.storage = {
    licenses: n, build_ms: buildMs, encode_to_js_objects_ms: encodeMs,
    insert_ratio_of_medians: stats(ours).median / stats(raw).median,
    read_ratio_of_medians: stats(oursRead).median / stats(rawRead).median,
  };
  record('insert.ours', 'storage', 'Bulk insert 100k, repository put_all', 'records/s', ours);
  record('insert.raw', 'storage', 'Bulk insert 100k, raw JS IndexedDB', 'records/s', raw);
  record('insert.ratio', 'storage', 'Bulk insert speed, ours / raw JS', 'ratio', ratio, { op: '>=', value: 0.8 });
  record('read.ours', 'storage', 'Read all 100k into the licenses list (rows built)', 'records/s', oursRead);
  record('read.raw', 'storage', 'Read all 100k, raw JS getAll', 'records/s', rawRead);
  record('read.ratio', 'storage', 'Read every license into the list, ours / raw JS getAll', 'ratio', readRatio, { op: '>=', value: 3 });
  await page.evaluate(() => { delete window.__benchObjects; });
  await page.close();
}

// ---------------------------------------------------------------------------
// 3b. Loading the demo data: Home, Demo size, Load demo data → "Demo data loaded"
// ---------------------------------------------------------------------------

// BENCH_DEMO_SIZE (default 100k) picks the size. Timed from the click to the
// confirmation, on an emptied desk (Reset first, untimed), with the message's
// own split (built / saved), the progress bar's reports, and the longest the
// page went without running a task (a 0 ms timeout loop): how responsive it
// stayed.
async function demoLoad(context) {
  const size = process.env.BENCH_DEMO_SIZE ?? '100k';
  const page = await newPage(context);
  await openApp(page);
  const samples = [], built = [], saved = [], stalls = [], reports = [], resets = [];
  let records = null;
  for (let run = 0; run <= opts.runs100k; run++) {
    // An empty desk, so each run writes the same and asks nothing; the
    // Resets after a load (of the demo just loaded) are timed too.
    const t = Date.now();
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByRole('alertdialog', { name: 'Reset License Desk?' }).getByRole('button', { name: 'Delete everything' }).click();
    await page.getByRole('status').filter({ hasText: 'Everything was deleted' }).waitFor({ timeout: 600_000 });
    if (run > 0) resets.push(Date.now() - t);
    if (run === opts.runs100k) break;
    await page.getByLabel('Demo size', { exact: true }).selectOption(size);
    await quiet(page);
    await page.evaluate(() => {
      const w = window;
      w.__stall = { max: 0, last: performance.now(), on: true, bars: 0 };
      const tick = () => {
        const t = performance.now();
        w.__stall.max = Math.max(w.__stall.max, t - w.__stall.last);
        w.__stall.last = t;
        if (w.__stall.on) setTimeout(tick, 0);
      };
      setTimeout(tick, 0);
      w.__stallObserver?.disconnect();
      w.__stallObserver = new MutationObserver(() => { w.__stall.bars += 1; });
      w.__stallObserver.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });
    });
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
    const done = page.getByRole('status').filter({ hasText: /^Demo data loaded:/ });
    const failed = page.getByRole('alert').filter({ hasText: /^The demo data was not loaded/ });
    const dialog = page.getByRole('alertdialog');
    await done.or(failed).or(dialog).first().waitFor({ timeout: 900_000 });
    if (await dialog.isVisible()) throw new Error('the desk was not empty after Reset');
    if (await failed.count()) throw new Error(await failed.first().innerText());
    const ms = Date.now() - t0;
    const stall = await page.evaluate(() => { window.__stall.on = false; return window.__stall; });
    const text = await done.innerText();
    const m = /([\d,]+) records in ([\d.]+) s: built in ([\d.]+) s, saved in ([\d.]+) s/.exec(text);
    records = m ? Number(m[1].replace(/,/g, '')) : null;
    samples.push(ms);
    if (m) { built.push(Number(m[3]) * 1000); saved.push(Number(m[4]) * 1000); }
    stalls.push(stall.max);
    reports.push(stall.bars);
    log(`run ${run + 1}/${opts.runs100k}: ${size} demo loaded in ${ms} ms (${text.slice(0, 160)}…); longest stall ${stall.max.toFixed(0)} ms; ${stall.bars} progress updates`);
  }
  details.demo = { size, records, progress_updates: reports };
  record('demo.load', 'demo', `Load the ${size} demo data (${records?.toLocaleString('en-US') ?? '?'} records): click → "Demo data loaded"`, 'ms', samples,
    size === '100k' ? { op: '<=', value: 20_000 } : null);
  if (built.length) {
    record('demo.build', 'demo', 'Demo load: of which building the records (from the page message)', 'ms', built);
    record('demo.save', 'demo', 'Demo load: of which saving them (one transaction)', 'ms', saved);
    const rate = saved.map((x) => (records ?? 0) / (x / 1000));
    record('demo.rate', 'demo', 'Demo load: records saved per second', 'records/s', rate);
  }
  record('demo.reset', 'demo', `Reset with the ${size} demo stored: click "Delete everything" → "Everything was deleted"`, 'ms', resets);
  record('demo.stall', 'demo', 'Demo load: longest time the page ran no task (responsiveness)', 'ms', stalls, null,
    'a 0 ms timeout loop in the page; the build of the records runs in one piece');
  await page.close();
}

// ---------------------------------------------------------------------------
// 4. The licenses list holding 100,000 licenses
// ---------------------------------------------------------------------------

// Loads the demo data of `size` ("10k", "100k") as a person would: Home, Demo
// size, Load demo data, confirm. Falls back to bench_load_demo (the same
// load_demo_data) if the Home page has no such controls. Untimed.
async function loadDemo(context, size) {
  const page = await newPage(context);
  await openApp(page);
  const t0 = Date.now();
  let n, via, message = null;
  const sizeSelect = page.getByLabel('Demo size', { exact: true });
  if (await sizeSelect.waitFor({ timeout: 15_000 }).then(() => true, () => false)) {
    via = 'Home page: Load demo data';
    log(`loading the ${size} demo data from the Home page (untimed)`);
    await sizeSelect.selectOption(size);
    await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
    const done = page.getByRole('status').filter({ hasText: /^Demo data loaded:/ });
    const dialog = page.getByRole('alertdialog');
    const failed = page.getByRole('alert').filter({ hasText: /^The demo data was not loaded/ });
    await done.or(dialog).or(failed).first().waitFor({ timeout: 900_000 });
    if (await dialog.isVisible()) {
      await dialog.getByRole('button', { name: 'Replace with demo data' }).click();
    }
    await done.or(failed).first().waitFor({ timeout: 900_000 });
    if (await failed.count()) throw new Error(await failed.first().innerText());
    const text = await done.first().innerText();
    message = text;
    n = Number(/([\d,]+) licenses/.exec(text)?.[1]?.replace(/,/g, '') ?? NaN);
  } else {
    via = 'bench_load_demo (no "Demo size" control on the Home page within 15 s)';
    log(`loading the ${size} demo data through bench_load_demo (untimed)`);
    n = await page.evaluate((s) => window.wasmBindings.bench_load_demo(s), size);
  }
  log(`${n} licenses loaded in ${Date.now() - t0} ms via ${via}`);
  details.demo_load = { ...(details.demo_load ?? {}), [size]: { via, ms: Date.now() - t0, licenses: n, message } };
  await page.close();
  return n;
}

// Waits for the licenses list to show its first data row.
async function listReady(page) {
  const region = page.getByRole('region', { name: 'Licenses list' });
  await region.getByRole('row').filter({ has: page.getByRole('link') }).first().waitFor();
  return region;
}

// In the page: from setting a control's value and dispatching `event` to the
// rows painted (first mutation of the table body, then two animation frames).
async function timeChange(region, control, value, event) {
  const body = await region.locator('tbody').elementHandle();
  const handle = await control.elementHandle();
  return handle.evaluate((el, [tbody, v, ev]) => new Promise((resolve, reject) => {
    let t0 = 0;
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`no change of the rows within 30 s after ${ev} "${v}"`)); }, 30_000);
    const observer = new MutationObserver(() => {
      observer.disconnect();
      clearTimeout(timer);
      const changed = performance.now() - t0;
      requestAnimationFrame(() => requestAnimationFrame(() => resolve({
        ms: performance.now() - t0,
        dom_ms: changed,
        rows: document.querySelectorAll('tr').length,
        data_rows: tbody.querySelectorAll('tr:not([aria-hidden="true"])').length,
      })));
    });
    observer.observe(tbody, { childList: true, subtree: true, characterData: true, attributes: true });
    t0 = performance.now();
    el.value = v;
    el.dispatchEvent(new Event(ev, { bubbles: true }));
  }), [body, value, event]);
}

async function settle(page) {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))));
}

async function list(context) {
  const n = await loadDemo(context, '100k');
  const page = await newPage(context);
  await page.goto(opts.base + '/licenses');
  const region = await listReady(page);
  const status = page.getByRole('status').filter({ hasText: /licenses?$/ });
  await status.filter({ hasText: n.toLocaleString('en-US') }).first().waitFor()
    .catch(() => { throw new Error(`the list does not say "${n.toLocaleString('en-US')} licenses"`); });
  const search = page.getByRole('searchbox', { name: 'Search licenses' });
  const statusFilter = page.getByLabel('License Status', { exact: true });

  const terms = ['labs', 'inc', 'partners', 'gmbh', 'consulting', 'llc', 'group', 'realty'];
  const statuses = ['Trial', 'Active', 'Suspended', 'Uninstalled', 'Trial', 'Active', 'Suspended', 'Uninstalled'];
  const searchMs = [], filterMs = [], rowCounts = [], searchDom = [], filterDom = [];
  // One untimed warm-up of each, so the first timed run is no outlier of first-use costs.
  for (let run = -1; run < opts.runs100k; run++) {
    const term = terms[(run + terms.length) % terms.length];
    const s = await timeChange(region, search, term, 'input');
    await settle(page);
    const cleared = await timeChange(region, search, '', 'input');
    await settle(page);
    const st = statuses[(run + statuses.length) % statuses.length];
    const f = await timeChange(region, statusFilter, st, 'change');
    await settle(page);
    const back = await timeChange(region, statusFilter, '', 'change');
    await settle(page);
    if (run < 0) continue;
    searchMs.push(s.ms, cleared.ms); searchDom.push(s.dom_ms, cleared.dom_ms);
    filterMs.push(f.ms, back.ms); filterDom.push(f.dom_ms, back.dom_ms);
    rowCounts.push(s.rows, cleared.rows, f.rows, back.rows);
    log(`run ${run + 1}/${opts.runs100k}: search "${term}" ${s.ms.toFixed(1)} ms, cleared ${cleared.ms.toFixed(1)} ms; ` +
        `status ${st} ${f.ms.toFixed(1)} ms, all ${back.ms.toFixed(1)} ms; <tr> in DOM ${s.rows}/${cleared.rows}/${f.rows}/${back.rows}`);
  }
  details.list = { licenses: n, search_to_dom_ms: stats(searchDom), filter_to_dom_ms: stats(filterDom) };
  record('list.search', 'list', 'List 100k: search text changed to rows painted', 'ms', searchMs, { op: '<=', value: 100 },
    'typing a word, and clearing it: 2 samples per run');
  record('list.filter', 'list', 'List 100k: License Status filter changed to rows painted', 'ms', filterMs, { op: '<=', value: 100 },
    'choosing a status, and All statuses: 2 samples per run');
  record('list.rows', 'list', 'List 100k: <tr> elements in the DOM', 'rows', rowCounts, { op: '<=', value: 150, on: 'max' },
    'all <tr> of the page (header, 2 spacers, data rows) after each change; the target is on the max');
  await page.close();
}

// ---------------------------------------------------------------------------
// 5. Cold start with 10,000 licenses
// ---------------------------------------------------------------------------

// Before any script of the page: note when the wasm started and when the first
// data row of the licenses list appeared, on the page's performance.now() clock
// (0 = navigation start, performance.timeOrigin).
const COLD_INIT = () => {
  window.__bench = {};
  addEventListener('TrunkApplicationStarted', () => { window.__bench.wasm = performance.now(); });
  const seen = () => {
    if (window.__bench.shell === undefined && document.querySelector('h1')) window.__bench.shell = performance.now();
    const region = document.querySelector('[role="region"][aria-label="Licenses list"]');
    const row = region && [...region.querySelectorAll('tr')].find((tr) => tr.querySelector('a[href]'));
    if (row && window.__bench.row === undefined) {
      window.__bench.row = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => { window.__bench.painted = performance.now(); }));
      return true;
    }
    return false;
  };
  new MutationObserver((_, obs) => { if (seen()) obs.disconnect(); })
    .observe(document, { childList: true, subtree: true });
};

// The app's performance marks (src/bench.rs `mark`), on the page's clock.
const MARKS = ['ld:db-open', 'ld:rows-built', 'ld:people-read'];

// One cold start of /licenses in a new tab: the HTTP cache and the service
// worker on (`cache`) or off, to the first data row painted. Returns the
// open tab, its DevTools session and the page's timings: the first row
// (in the DOM and painted), the page header, the wasm's download (request
// sent, first byte, last byte: the server's on-the-fly compression of a
// 2.9 MB wasm shows between the first two) and start, and the app's marks.
async function coldStart(context, cache, marks = MARKS) {
  // Each start on a quiet tab set: the last one's tab has closed.
  await new Promise((r) => setTimeout(r, 1000));
  const page = await newPage(context);
  await page.addInitScript(COLD_INIT);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: !cache });
  await cdp.send('Network.setBypassServiceWorker', { bypass: !cache });
  await page.goto(opts.base + '/licenses');
  await listReady(page);
  await page.waitForFunction(() => window.__bench.painted !== undefined);
  const times = () => page.evaluate((names) => {
    const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'));
    return {
      ...window.__bench,
      wasmRequested: wasm?.requestStart || wasm?.startTime || null,
      wasmFirstByte: wasm?.responseStart || null,
      wasmFetched: wasm?.responseEnd ?? null,
      marks: Object.fromEntries(names.map((m) => [m, performance.getEntriesByName(m)[0]?.startTime ?? null])),
    };
  }, marks);
  return { page, cdp, times };
}

// "wasm fetched 393 (first byte 120), started 529, …" of coldStart's timings.
function coldParts(b, marks = MARKS) {
  const ms = (x) => (x === null || x === undefined ? '-' : x.toFixed(0));
  return `wasm requested ${ms(b.wasmRequested)}, first byte ${ms(b.wasmFirstByte)}, fetched ${ms(b.wasmFetched)}, ` +
    `started ${ms(b.wasm)}, header ${ms(b.shell)}, ` + marks.map((m) => `${m.slice(3)} ${ms(b.marks[m])}`).join(', ');
}

// Per-part samples of coldStart's timings, for the details.
function coldPartsInit(marks = MARKS) {
  const parts = { wasm_requested: [], wasm_first_byte: [], wasm_fetched: [], wasm_started: [], header_shown: [], painted: [] };
  for (const m of marks) parts[m] = [];
  return parts;
}

function coldPartsPush(parts, b, marks = MARKS) {
  parts.wasm_requested.push(b.wasmRequested ?? NaN); parts.wasm_first_byte.push(b.wasmFirstByte ?? NaN);
  parts.wasm_fetched.push(b.wasmFetched ?? NaN); parts.wasm_started.push(b.wasm ?? NaN);
  parts.header_shown.push(b.shell ?? NaN); parts.painted.push(b.painted);
  for (const m of marks) parts[m].push(b.marks[m] ?? NaN);
}

// Both cold sections measure the same thing: navigation start to the first
// data row in the DOM (COLD_INIT), each run in a new tab of the same context
// (the IndexedDB data of the demo, the service worker registered by the
// warm-up run), a second after the last tab closed; they differ in the data
// (10k or 100k demo) and in what `cold100k` measures after (the memory).
async function cold(context) {
  const n = await loadDemo(context, '10k');
  const variants = [
    // As on a first visit: the app fetched and compiled again (no HTTP cache, no service worker).
    { id: 'cold.nocache', label: 'Cold start, 10k licenses, no cache (HTTP cache off, service worker bypassed)', cache: false },
    // As a returning user: the service worker's cache (and the HTTP cache) serve the app.
    { id: 'cold.repeat', label: 'Cold start, 10k licenses, repeat visit (service worker, HTTP cache)', cache: true },
  ];
  const marks = MARKS.slice(0, 2); // the people are read after the first rows: not waited for
  details.cold = { licenses: n };
  for (const v of variants) {
    const samples = [], parts = coldPartsInit(marks);
    for (let run = -1; run < opts.runs; run++) {
      const { page, cdp, times } = await coldStart(context, v.cache, marks);
      const b = await times();
      await cdp.detach();
      await page.close();
      if (run < 0) continue; // warm-up: first visit of this context
      samples.push(b.row); coldPartsPush(parts, b, marks);
      log(`${v.id} run ${run + 1}/${opts.runs}: first row ${b.row.toFixed(0)} ms (painted ${b.painted.toFixed(0)}; ${coldParts(b, marks)})`);
    }
    record(v.id, 'cold', v.label, 'ms', samples, { op: '<=', value: 400 },
      'navigation start (performance.timeOrigin) to the first data row in the DOM');
    details.cold[v.id] = { first_row: stats(samples), parts_ms: Object.fromEntries(Object.entries(parts).map(([k, x]) => [k, stats(x)])) };
  }
}

// ---------------------------------------------------------------------------
// 5b. Cold start with 100,000 licenses, and the tab's memory on /licenses
// ---------------------------------------------------------------------------

// No cache, as a first visit; with where the time went: the wasm fetched and
// started, the database open, the licenses read, the rows built, the first
// row painted, and the companies and emails read (after the first rows).
// Then the memory of a tab left on /licenses once everything is read: the
// JS heap (DevTools protocol, after a gc) and the wasm linear memory (it
// only grows: its size is the high-water mark of the start).
async function cold100k(context) {
  const listed = ['list', 'search', 'pages'].some((s) => opts.only.includes(s));
  const n = listed ? null : await loadDemo(context, '100k');
  details.cold100k = { licenses: n };
  const samples = [], painted = [], parts = coldPartsInit();
  const heap = [], wasmMem = [], total = [];
  for (let run = -1; run < opts.runs100k; run++) {
    const { page, cdp, times } = await coldStart(context, false);
    // Everything read: the search note about companies and emails is gone.
    await page.getByText('Loading companies and emails for the search…').waitFor({ state: 'detached', timeout: 300_000 });
    // A build without the marks (before they were added) is timed without them.
    await page.waitForFunction(() => performance.getEntriesByName('ld:db-open').length === 0
      || performance.getEntriesByName('ld:people-read').length > 0, null, { timeout: 300_000 });
    const b = await times();
    await quiet(page, 3000);
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const js = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    const wasmBytes = await page.evaluate(() => window.wasmBindings.bench_wasm_memory_bytes());
    await cdp.detach();
    await page.close();
    const mb = (x) => x / 1e6;
    log(`cold100k run ${run + 1}/${opts.runs100k}${run < 0 ? ' (warm-up)' : ''}: first row ${b.row.toFixed(0)} ms (painted ${b.painted.toFixed(0)}; ` +
        `${coldParts(b)}); JS heap ${mb(js).toFixed(1)} MB, wasm memory ${mb(wasmBytes).toFixed(1)} MB`);
    if (run < 0) continue;
    samples.push(b.row); painted.push(b.painted); coldPartsPush(parts, b);
    heap.push(mb(js)); wasmMem.push(mb(wasmBytes)); total.push(mb(js + wasmBytes));
  }
  details.cold100k.parts_ms = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, stats(v)]));
  record('cold100k.nocache', 'cold100k', 'Cold start, 100k licenses, no cache: navigation to the first data row', 'ms', samples,
    { op: '<=', value: 1000 }, 'navigation start to the first data row in the DOM');
  record('cold100k.painted', 'cold100k', 'Cold start, 100k licenses, no cache: first rows painted', 'ms', painted);
  record('memory.js', 'cold100k', 'Tab on /licenses at 100k, everything read: JS heap', 'MB', heap);
  record('memory.wasm', 'cold100k', 'Tab on /licenses at 100k, everything read: wasm memory', 'MB', wasmMem);
  record('memory.total', 'cold100k', 'Tab on /licenses at 100k: JS heap + wasm memory', 'MB', total, { op: '<=', value: 200 });
}

// ---------------------------------------------------------------------------
// 6. Modify License: Save to the detail page showing the new values
// ---------------------------------------------------------------------------

// The detail page of the first Active production Invoice Pro license (seats
// per license) that this user may modify, found through the list's filters,
// which are put back as they were.
async function findModifiableLicense(page) {
  return (await findModifiable(page)).href;
}

// Like findModifiableLicense, with the license's name: { href, name }.
async function findModifiable(page) {
  await page.goto(opts.base + '/licenses');
  const region = await listReady(page);
  await page.getByLabel('License Status', { exact: true }).selectOption('Active');
  await page.getByLabel('Sandbox', { exact: true }).selectOption('production');
  await page.getByLabel('Package', { exact: true }).selectOption({ label: 'Invoice Pro' });
  await settle(page);
  let detailUrl = null;
  let detailName = null;
  const links = await region.getByRole('row').getByRole('link')
    .evaluateAll((as) => as.slice(0, 10).map((a) => ({ href: a.getAttribute('href'), name: a.textContent.trim() })));
  for (const { href, name } of links) {
    if (detailUrl) break;
    await page.goto(opts.base + href);
    const modifyLink = page.getByRole('link', { name: 'Modify License' });
    await page.getByRole('heading', { name: 'License Detail' }).waitFor();
    if (!(await modifyLink.isVisible()) || (await page.getByText("This license can't be modified.").count()) > 0) continue;
    const seats = await page.evaluate(() => [...document.querySelectorAll('dt')]
      .find((dt) => dt.textContent.trim() === 'Licensed Seats')?.nextElementSibling?.textContent.trim() ?? '');
    if (!/^\d[\d,]*$/.test(seats)) continue;
    detailUrl = href;
    detailName = name;
  }
  if (!detailUrl) throw new Error('found no Active production Invoice Pro license with seats this user may modify among the first 10');
  await page.goto(opts.base + '/licenses');
  await listReady(page);
  await page.getByLabel('License Status', { exact: true }).selectOption('');
  await page.getByLabel('Sandbox', { exact: true }).selectOption('');
  await page.getByLabel('Package', { exact: true }).selectOption('');
  return { href: detailUrl, name: detailName };
}

// The saving tab's commit marks (src/storage/idb.rs `commit_batch`) after
// `t0` (the machine's clock), as "start 12 / read 15 / ..." in ms after t0.
const COMMIT_MARKS = ['ld:commit-start', 'ld:commit-read', 'ld:commit-patched', 'ld:commit-written', 'ld:commit-done', 'ld:save-done', 'ld:detail-view'];
async function commitMarks(page, t0) {
  const marks = await page.evaluate((names) => Object.fromEntries(names
    .map((m) => [m, performance.getEntriesByName(m).at(-1)?.startTime ?? null])
    .map(([m, t]) => [m, t === null ? null : performance.timeOrigin + t])), COMMIT_MARKS);
  return COMMIT_MARKS
    .filter((m) => marks[m] !== null && marks[m] >= t0)
    .map((m) => `${m.replace('ld:commit-', '')} ${(marks[m] - t0).toFixed(0)}`)
    .join(' / ') || 'no commit marks';
}

async function modify(context) {
  // Uses the 10k demo data the cold start loaded (loads it if run alone).
  if (!opts.only.includes('cold')) await loadDemo(context, '10k');
  const page = await newPage(context);
  const detailUrl = await findModifiableLicense(page);

  const samples = [], domMs = [], navMs = [];
  for (let run = -1; run < opts.runs; run++) {
    // Untimed: from the detail page, the Modify License link, as a person would.
    await page.goto(opts.base + detailUrl);
    await page.getByRole('link', { name: 'Modify License' }).click();
    const seatsInput = page.getByLabel('Seats', { exact: true });
    await seatsInput.waitFor();
    const current = Number((await seatsInput.inputValue()).replace(/,/g, ''));
    const next = current + 1;
    await seatsInput.fill(String(next));
    const save = page.getByRole('button', { name: 'Save', exact: true });
    const handle = await save.elementHandle();
    const expected = next.toLocaleString('en-US');
    const r = await handle.evaluate((button, value) => new Promise((resolve, reject) => {
      let t0 = 0;
      let navigated = null; // the save committed and the router left the form
      const shows = () => {
        if (location.pathname.endsWith('/modify')) return false;
        navigated ??= performance.now() - t0;
        return [...document.querySelectorAll('dt')].some((dt) => dt.textContent.trim() === 'Licensed Seats'
          && dt.nextElementSibling?.textContent.trim() === value);
      };
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`the detail page did not show ${value} seats within 30 s`)); }, 30_000);
      const observer = new MutationObserver(() => {
        if (!shows()) return;
        observer.disconnect();
        clearTimeout(timer);
        const shown = performance.now() - t0;
        requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ms: performance.now() - t0, dom_ms: shown, nav_ms: navigated, t0: performance.timeOrigin + t0 })));
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      t0 = performance.now();
      button.click();
    }), expected);
    // The saved notice confirms it went through the save, not a stale page.
    await page.getByRole('status').filter({ hasText: /^Saved: / }).first().waitFor();
    if (run < 0) continue;
    samples.push(r.ms); domMs.push(r.dom_ms); navMs.push(r.nav_ms);
    log(`run ${run + 1}/${opts.runs}: Save to ${expected} seats shown ${r.ms.toFixed(1)} ms ` +
        `(left the form at ${r.nav_ms.toFixed(1)} ms, new value in the DOM at ${r.dom_ms.toFixed(1)} ms; commit: ${await commitMarks(page, r.t0)})`);
  }
  details.modify = { license: detailUrl, left_form_ms: stats(navMs), in_dom_ms: stats(domMs) };
  record('modify.save', 'modify', 'Modify License: Save to detail page showing the new value', 'ms', samples, { op: '<=', value: 25 },
    'Seats + 1, on the 10k demo data; until painted (2 animation frames)');
  await page.close();
}

// ---------------------------------------------------------------------------
// 7. Bulk Modify License: preview and apply for 10,000 selected licenses
// ---------------------------------------------------------------------------

// In the page: from clicking `button` to the first element with `role=status`
// whose text matches `pattern` painted (2 animation frames).
async function timeClickUntil(page, button, pattern) {
  const handle = await button.elementHandle();
  return handle.evaluate((el, source) => new Promise((resolve, reject) => {
    const re = new RegExp(source);
    const shows = () => [...document.querySelectorAll('[role=status]')].some((n) => re.test(n.textContent.trim()));
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`no status matching ${source} within 120 s`)); }, 120_000);
    const observer = new MutationObserver(() => {
      if (!shows()) return;
      observer.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    const t0 = performance.now();
    el.click();
  }), pattern.source);
}

async function bulk(context) {
  // Uses the 10k demo data the cold start loaded (loads it if run without it).
  if (!opts.only.includes('cold') && !opts.only.includes('modify')) await loadDemo(context, '10k');
  const page = await newPage(context);
  const previewMs = [], applyMs = [], counts = [];
  for (let run = -1; run < opts.runs100k; run++) {
    // Untimed: "L-0" finds L-00001 … L-09999 (9,999 licenses), then select all matching.
    await page.goto(opts.base + '/licenses');
    await listReady(page);
    for (const [label, value] of [['License Status', ''], ['Package', ''], ['Sandbox', ''], ['Org Status', '']]) {
      await page.getByLabel(label, { exact: true }).selectOption(value);
    }
    await page.getByLabel('Search licenses').fill('L-0');
    await settle(page);
    const selectAll = page.getByRole('button', { name: /^Select all [\d,]+ matching$/ });
    const selected = Number((await selectAll.innerText()).replace(/[^\d]/g, ''));
    await selectAll.click();
    await page.getByRole('link', { name: /^Modify [\d,]+ licenses$/ }).click();
    await page.getByLabel('Seats', { exact: true }).selectOption({ label: 'Set a number of seats' });
    await page.getByLabel('Licensed Seats').fill(String(40 + run));
    await page.getByLabel('Expiration', { exact: true }).selectOption({ label: 'Set a date' });
    const d = new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Expiration Date').fill(d);
    await page.evaluate(() => window.gc?.());
    const p = await timeClickUntil(page, page.getByRole('button', { name: 'Preview changes' }), /will change/);
    const summary = await page.getByRole('status').filter({ hasText: /will change/ }).innerText();
    const a = await timeClickUntil(page, page.getByRole('button', { name: /^Apply to / }), /^[\d,]+ changed/);
    if (run < 0) continue;
    previewMs.push(p); applyMs.push(a); counts.push({ selected, summary });
    log(`run ${run + 1}/${opts.runs100k}: ${selected} selected; preview ${p.toFixed(0)} ms, apply ${a.toFixed(0)} ms (${summary})`);
  }
  details.bulk = { runs: counts };
  record('bulk.preview', 'bulk', 'Bulk Modify: Preview for 9,999 selected licenses, painted', 'ms', previewMs, { op: '<=', value: 1000 },
    '10k demo, search "L-0", Select all matching; Seats and Expiration set');
  record('bulk.apply', 'bulk', 'Bulk Modify: Apply (one atomic commit) to the result painted', 'ms', applyMs, { op: '<=', value: 5000 },
    'same selection; re-reads, checks each license again, commits licenses + history in one batch');
  await page.close();
}

// ---------------------------------------------------------------------------
// Team sync through CouchDB (pouchdb-server started by scripts/bench.sh)
// ---------------------------------------------------------------------------

const couch = {
  url: process.env.BENCH_COUCH_URL,
  admin: { name: process.env.COUCH_ADMIN ?? 'admin', password: process.env.COUCH_ADMIN_PASSWORD ?? 'admin-pass' },
};

async function couchCall(method, url, body, who = couch.admin) {
  const res = await fetch(url, {
    method,
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${who.name}:${who.password}`).toString('base64')}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// A team database: members by LMA role, one License Manager user. Without the
// desk's validate_doc_update: pouchdb-server drops every replicated edit of an
// existing document once a database has one (pouchdb-validation replaces the
// edit's _revisions), so the save-to-other-desk figure could not be measured.
async function teamDatabase() {
  const db = `bench_${Date.now().toString(36)}`;
  const url = `${couch.url}/${db}`;
  await couchCall('PUT', url);
  await couchCall('PUT', `${url}/_security`, {
    admins: { names: [], roles: [] },
    members: { names: [], roles: ['lma_admin', 'lma_license_manager', 'lma_sales_rep', 'lma_read_only'] },
  });
  const user = { name: `${db}_manager`, password: 'bench-pass-1' };
  await couchCall('PUT', `${couch.url}/_users/org.couchdb.user:${user.name}`,
    { name: user.name, password: user.password, roles: ['lma_license_manager'], type: 'user' });
  return { db, url, user };
}

// Settings → Sync: fills in the server and starts sync; resolves with the ms
// from Start sync until the header says Synced.
async function startSync(page, team) {
  await page.goto(opts.base + '/settings/sync');
  await page.getByLabel('Database URL').fill(team.url);
  await page.getByLabel('User name').fill(team.user.name);
  await page.getByLabel('Password').fill(team.user.password);
  const status = page.getByRole('banner').getByRole('status');
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start sync' }).click();
  await status.filter({ hasText: /^Synced$/ }).waitFor({ timeout: 600_000 });
  return Date.now() - t0;
}

async function syncSection(context) {
  if (!couch.url) throw new Error('no CouchDB: BENCH_COUCH_URL is set by scripts/bench.sh');
  // Uses the 10k demo data the sections before loaded (loads it if run alone).
  if (!['cold', 'modify', 'bulk'].some((s) => opts.only.includes(s))) await loadDemo(context, '10k');
  const team = await teamDatabase();
  const deskA = await newPage(context);
  const detailUrl = await findModifiableLicense(deskA);

  log('first sync of desk A (the 10k demo data) to an empty server');
  const pushMs = await startSync(deskA, team);
  const onServer = (await couchCall('GET', team.url)).doc_count;
  log(`desk A synced in ${pushMs} ms: ${onServer} documents on the server`);
  record('sync.first_push', 'sync', 'First sync of the 10k demo desk to an empty CouchDB', 'ms', [pushMs], { op: '<=', value: 15_000 },
    `${onServer} documents; pouchdb-server in memory on loopback`);

  log('first sync of an empty desk B from that server');
  const contextB = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await contextB.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
  const deskB = await newPage(contextB);
  await openApp(deskB);
  const pullMs = await startSync(deskB, team);
  log(`desk B synced in ${pullMs} ms`);
  record('sync.first_pull', 'sync', 'First sync of an empty desk from that CouchDB', 'ms', [pullMs], { op: '<=', value: 15_000 },
    `${onServer} documents`);

  // Save on A → the new value painted on B, each run a new seats value.
  await deskB.goto(opts.base + detailUrl);
  await deskB.getByRole('heading', { name: 'License Detail' }).waitFor({ timeout: 60_000 });
  // Desk A moves inside the app (a page load would restart its sync), one
  // untimed run first.
  await deskA.goto(opts.base + detailUrl);
  const samples = [];
  for (let run = -1; run < opts.runs; run++) {
    await deskA.getByRole('link', { name: 'Modify License' }).click();
    const seatsInput = deskA.getByLabel('Seats', { exact: true });
    await seatsInput.waitFor();
    const next = Number((await seatsInput.inputValue()).replace(/,/g, '')) + 1;
    await seatsInput.fill(String(next));
    const expected = next.toLocaleString('en-US');
    const shown = deskB.evaluate((value) => new Promise((resolve, reject) => {
      const shows = () => [...document.querySelectorAll('dt')].some((dt) => dt.textContent.trim() === 'Licensed Seats'
        && dt.nextElementSibling?.textContent.trim() === value);
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`desk B did not show ${value} seats within 60 s`)); }, 60_000);
      const observer = new MutationObserver(() => {
        if (!shows()) return;
        observer.disconnect();
        clearTimeout(timer);
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(Date.now())));
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    }), expected);
    const clicked = await deskA.getByRole('button', { name: 'Save', exact: true }).evaluate((button) => {
      const t = Date.now();
      button.click();
      return t;
    });
    const ms = (await shown) - clicked;
    await deskA.getByRole('status').filter({ hasText: /^Saved: / }).first().waitFor();
    if (run < 0) continue;
    samples.push(ms);
    log(`run ${run + 1}/${opts.runs}: Save on desk A to ${expected} seats painted on desk B ${ms} ms`);
  }
  record('sync.save_to_other_desk', 'sync', 'Save on desk A to the new value painted on desk B', 'ms', samples, null,
    'Seats + 1 on the license detail page B has open; both desks syncing with the same server');
  details.sync = { documents: onServer, license: detailUrl };
  await contextB.close();
  await deskA.close();
}

// ---------------------------------------------------------------------------
// 8. Global search with 100,000 licenses
// ---------------------------------------------------------------------------

/** The 18-character form of a 15-character Salesforce ID (SPEC: Salesforce IDs). */
function to18(id15) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let n = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i])) n += 1 << i;
    suffix += alphabet[n];
  }
  return id15 + suffix;
}

// The header's search: from a keystroke (the input's value set and an input
// event) to the results painted (first mutation of the search's box, then two
// animation frames). The index is read when the search is first used: that
// first read is untimed, reported as a detail.
async function globalSearch(context) {
  // Uses the 100k demo data the list section loaded (loads it if run alone).
  const n = opts.only.includes('list') ? null : await loadDemo(context, '100k');
  const page = await newPage(context);
  await page.goto(opts.base + '/data');
  const box = page.getByRole('combobox', { name: 'Search' });
  const listbox = page.getByRole('listbox', { name: 'Search results' });
  const t0 = Date.now();
  await box.click();
  await box.fill('L-00001');
  const first = listbox.getByRole('option').first();
  await first.waitFor({ timeout: 120_000 });
  const indexMs = Date.now() - t0;
  const org15 = /Org (00D[0-9A-Za-z]{12})/.exec(await first.innerText())?.[1];
  if (!org15) throw new Error('the first result shows no Subscriber Org ID');
  log(`search index of ${n ?? 'the loaded'} licenses ready ${indexMs} ms after the first keystroke (untimed)`);
  await box.fill('');
  await settle(page);

  const region = page.getByRole('search');
  const typed = async (value) => {
    const handle = await box.elementHandle();
    const root = await region.elementHandle();
    return handle.evaluate((el, [container, v]) => new Promise((resolve, reject) => {
      let t = 0;
      const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`no change of the results within 30 s after "${v}"`)); }, 30_000);
      const observer = new MutationObserver(() => {
        observer.disconnect();
        clearTimeout(timer);
        const dom = performance.now() - t;
        requestAnimationFrame(() => requestAnimationFrame(() => resolve({
          ms: performance.now() - t,
          dom_ms: dom,
          options: container.querySelectorAll('[role="option"]').length,
        })));
      });
      observer.observe(container, { childList: true, subtree: true, characterData: true, attributes: true });
      t = performance.now();
      el.value = v;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }), [root, value]);
  };

  const terms = ['labs', to18(org15).toLowerCase(), 'gmbh', 'l-0777', 'consulting', 'partners', 'inc', 'group'];
  const samples = [], dom = [];
  for (let run = -1; run < opts.runs100k; run++) {
    const term = terms[(run + terms.length) % terms.length];
    const found = await typed(term);
    await settle(page);
    const cleared = await typed('');
    await settle(page);
    if (run < 0) continue;
    samples.push(found.ms, cleared.ms); dom.push(found.dom_ms, cleared.dom_ms);
    log(`run ${run + 1}/${opts.runs100k}: "${term}" ${found.ms.toFixed(1)} ms (${found.options} options), cleared ${cleared.ms.toFixed(1)} ms`);
  }
  details.search = { first_use_index_ms: indexMs, to_dom_ms: stats(dom) };
  record('search.keystroke', 'search', 'Search 100k: keystroke to results painted', 'ms', samples, { op: '<=', value: 50 },
    'a word or an 18-character org ID in lowercase, and clearing it: 2 samples per run');
  await page.close();
}

// ---------------------------------------------------------------------------
// 8. Record pages at 100,000 licenses, and a save seen by an open list
// ---------------------------------------------------------------------------

// In the page: from clicking `link` (an in-app link: the app is loaded) to
// `ready()` true, then painted (two animation frames). `ready` is the source
// of a function run in the page after every DOM mutation.
async function timeOpen(page, link, ready) {
  const handle = await link.elementHandle();
  return handle.evaluate((el, source) => new Promise((resolve, reject) => {
    const done = new Function(`return (${source})();`);
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`the page was not shown within 90 s (${source})`)); }, 90_000);
    let t0 = 0;
    const observer = new MutationObserver(() => {
      if (!done()) return;
      observer.disconnect();
      clearTimeout(timer);
      const dom = performance.now() - t0;
      requestAnimationFrame(() => requestAnimationFrame(() => resolve({ ms: performance.now() - t0, dom_ms: dom })));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    t0 = performance.now();
    el.click();
  }), ready.toString());
}

// What each record page shows once loaded (run in the page).
const INSTALL_LOG_SHOWN = () => location.pathname === '/installs'
  && !!document.querySelector('section[aria-label="Install Log"] tbody tr');
// The Licenses related list: its rows, or its "no licenses" line.
const PACKAGE_SHOWN = () => location.pathname.startsWith('/packages/')
  && [...document.querySelectorAll('dt')].some((dt) => dt.textContent.trim() === 'Developer Name')
  && !!document.querySelector('section[aria-label="Licenses"]');
const LEAD_SHOWN = () => location.pathname.startsWith('/leads/')
  && [...document.querySelectorAll('dt')].some((dt) => dt.textContent.trim() === 'Lead Status')
  && [...document.querySelectorAll('main a[href^="/licenses/"]')].length > 0;

// The names and addresses of the links on the page whose address starts with `prefix`.
async function linksTo(page, prefix, scope = page) {
  return scope.getByRole('link').evaluateAll((links, p) => links
    .filter((a) => (a.getAttribute('href') ?? '').startsWith(p))
    .map((a) => ({ name: a.textContent.trim(), href: a.getAttribute('href') })), prefix);
}

async function pages(context) {
  // Uses the 100k demo data the list or search section loaded (loads it if run without them).
  const n = (opts.only.includes('list') || opts.only.includes('search')) ? null : await loadDemo(context, '100k');
  const page = await newPage(context);

  // Untimed: licenses from the list, their leads and an Active one with seats to save.
  await page.goto(opts.base + '/licenses');
  const region = await listReady(page);
  const licenseLinks = (await linksTo(page, '/licenses/', region)).slice(0, 12);
  const leads = [];
  let modifiable = null;
  for (const l of licenseLinks) {
    await page.goto(opts.base + l.href);
    await page.getByRole('heading', { name: 'License Detail' }).waitFor();
    await page.getByRole('link', { name: 'Modify License' }).or(page.getByText("This license can't be modified.")).first().waitFor().catch(() => {});
    const lead = (await linksTo(page, '/leads/'))[0];
    if (lead) leads.push({ license: l.href, lead });
    if (!modifiable && await page.getByRole('link', { name: 'Modify License' }).isVisible()
        && (await page.getByText("This license can't be modified.").count()) === 0) {
      const seats = await page.evaluate(() => [...document.querySelectorAll('dt')]
        .find((dt) => dt.textContent.trim() === 'Licensed Seats')?.nextElementSibling?.textContent.trim() ?? '');
      if (/^\d[\d,]*$/.test(seats)) modifiable = l;
    }
  }
  if (!leads.length) throw new Error('none of the first licenses of the list links to a lead');
  // None of the first rows may be modified by this user: look for one the
  // way the modify section does (Active, production, Invoice Pro).
  if (!modifiable) modifiable = await findModifiable(page).catch((e) => { log(`save-to-list: ${e.message}`); return null; });

  const installMs = [], packageMs = [], leadMs = [], dom = { install: [], package: [], lead: [] };
  // One untimed warm-up of each page.
  for (let run = -1; run < opts.runs100k; run++) {
    await page.goto(opts.base + '/');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.waitFor();
    await settle(page);
    const failedOpen = (what) => (e) => { log(`${what} not measured in this run: ${e.message.split('\n')[0]}`); return null; };
    const opened = await timeOpen(page, nav.getByRole('link', { name: 'Install Log', exact: true }), INSTALL_LOG_SHOWN)
      .catch(failedOpen('Install Log'));
    const events = opened ? await page.getByRole('region', { name: 'Install Log' }).getByRole('status').first().innerText() : '-';

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Packages', exact: true }).click();
    const packageLinks = page.getByRole('main').getByRole('table').getByRole('link');
    await packageLinks.first().waitFor();
    await settle(page);
    const count = await packageLinks.count();
    const pkgLink = packageLinks.nth((run + count) % count);
    const pkgName = await pkgLink.innerText();
    const pkg = await timeOpen(page, pkgLink, PACKAGE_SHOWN).catch(failedOpen('package page'));

    const { license, lead } = leads[(run + leads.length) % leads.length];
    await page.goto(opts.base + license);
    const leadLink = page.getByRole('link', { name: lead.name, exact: true }).first();
    await leadLink.waitFor();
    await settle(page);
    const ld = await timeOpen(page, leadLink, LEAD_SHOWN).catch(failedOpen('lead page'));
    if (run < 0) continue;
    if (opened) { installMs.push(opened.ms); dom.install.push(opened.dom_ms); }
    if (pkg) { packageMs.push(pkg.ms); dom.package.push(pkg.dom_ms); }
    if (ld) { leadMs.push(ld.ms); dom.lead.push(ld.dom_ms); }
    const ms = (r) => (r ? `${r.ms.toFixed(1)} ms` : 'not shown');
    log(`run ${run + 1}/${opts.runs100k}: Install Log ${ms(opened)} (${events}); package ${pkgName} ${ms(pkg)}; lead ${lead.name} ${ms(ld)}`);
  }
  record('pages.installs', 'pages', 'Pages 100k: Install Log link clicked to the newest events painted', 'ms', installMs, { op: '<=', value: 300 },
    'from Home, the Main navigation\'s Install Log link');
  record('pages.package', 'pages', 'Pages 100k: package link clicked to its page and licenses painted', 'ms', packageMs, { op: '<=', value: 300 },
    'from Packages, each package in turn');
  record('pages.lead', 'pages', 'Pages 100k: lead link clicked to its page and licenses painted', 'ms', leadMs, { op: '<=', value: 300 },
    'from a license page, its Lead link');

  // A save in one tab seen by the licenses list open in another: from Save
  // clicked to the list's row painted with the new value (both clocks are
  // the machine's: performance.timeOrigin + performance.now()).
  const saveMs = [];
  if (!modifiable) {
    log('no modifiable license with seats among the first of the list: save-to-list not measured');
  } else {
    const listPage = await newPage(context);
    await listPage.goto(opts.base + '/licenses');
    const listRegion = await listReady(listPage);
    await listPage.getByRole('searchbox', { name: 'Search licenses' }).fill(modifiable.name);
    const row = listRegion.getByRole('row').filter({ has: listPage.getByRole('link', { name: modifiable.name, exact: true }) });
    await row.first().waitFor();
    for (let run = -1; run < opts.runs100k; run++) {
      await page.goto(opts.base + modifiable.href);
      await page.getByRole('link', { name: 'Modify License' }).click();
      const seatsInput = page.getByLabel('Seats', { exact: true });
      await seatsInput.waitFor();
      const next = Number((await seatsInput.inputValue()).replace(/,/g, '')) + 1;
      await seatsInput.fill(String(next));
      const expected = next.toLocaleString('en-US');
      // The row is looked up on each change: the list may draw it anew. The watcher is
      // in place before Save is clicked (an evaluate not awaited could start after the
      // list had already changed, and wait for a change that never comes).
      await listPage.evaluate(([value, name]) => { window.__ldSeen = new Promise((resolve, reject) => {
        // The whole page is watched: the list may draw its table anew (a
        // `<table>` watched alone would miss the change once replaced).
        const table = document.body;
        const has = () => [...table.querySelectorAll('tr')]
          .filter((r) => [...r.querySelectorAll('a')].some((a) => a.textContent.trim() === name))
          .some((r) => [...r.querySelectorAll('td')].some((td) => td.textContent.trim() === value));
        const timer = setTimeout(() => { observer.disconnect(); reject(new Error(`the list did not show ${value} seats within 180 s`)); }, 180_000);
        const observer = new MutationObserver(() => {
          if (!has()) return;
          observer.disconnect();
          clearTimeout(timer);
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now())));
        });
        observer.observe(table, { childList: true, subtree: true, characterData: true });
      }); }, [expected, modifiable.name]);
      const t0 = await page.getByRole('button', { name: 'Save', exact: true })
        .evaluate((button) => { const t = performance.timeOrigin + performance.now(); button.click(); return t; });
      const shown = await listPage.evaluate(() => window.__ldSeen);
      await page.getByRole('status').filter({ hasText: /^Saved: / }).first().waitFor();
      // The list tab's marks (src/pages/licenses.rs), on the machine's clock.
      const marks = await listPage.evaluate(() => Object.fromEntries(['ld:notice', 'ld:licenses-got', 'ld:patched']
        .map((m) => [m, performance.getEntriesByName(m).at(-1)?.startTime ?? null])
        .map(([m, t]) => [m, t === null ? null : performance.timeOrigin + t])));
      if (run < 0) continue;
      saveMs.push(shown - t0);
      const at = (m) => (marks[m] === null ? '-' : `${(marks[m] - t0).toFixed(0)}`);
      log(`run ${run + 1}/${opts.runs100k}: ${modifiable.name} saved with ${expected} seats, shown by the open list ${(shown - t0).toFixed(1)} ms later ` +
          `(list tab: notice at ${at('ld:notice')}, license read at ${at('ld:licenses-got')}, rows patched at ${at('ld:patched')} ms; ` +
          `saving tab's commit: ${await commitMarks(page, t0)})`);
    }
    await listPage.close();
  }
  details.pages = {
    licenses: n,
    to_dom_ms: { install_log: stats(dom.install), package: stats(dom.package), lead: stats(dom.lead) },
    save_license: modifiable?.href ?? null,
  };
  if (saveMs.length) {
    record('pages.save_to_list', 'pages', 'Pages 100k: Save in Modify License to the open list (another tab) painting the new value', 'ms', saveMs,
      { op: '<=', value: 100 }, 'Seats + 1; the list in a second tab, searched to the license; the clocks are the machine\'s');
  }
  await page.close();
}

// ---------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------

function gitOut(args) {
  try { return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim(); } catch { return null; }
}

function machine(browserVersion) {
  const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim(); } catch { return null; } };
  const model = (sh('lscpu', []) ?? '').split('\n').find((l) => /^Model name:/.test(l))?.replace(/^Model name:\s*/, '') ?? os.cpus()[0]?.model;
  return {
    nproc: Number(sh('nproc', [])) || os.cpus().length,
    cpu: model,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    chromium: browserVersion,
  };
}

function fmt(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (unit === 'records/s' || unit === 'rows') return Math.round(v).toLocaleString('en-US');
  if (unit === 'ratio') return v.toFixed(2);
  if (unit === 'KB') return v.toFixed(1);
  return v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0);
}

function table() {
  const head = ['figure', 'median', 'min', 'max', 'unit', 'n', 'target', 'met'];
  const rows = figures.map((f) => {
    const one = f.samples.length === 1;
    const target = f.target ? `${f.target.on === 'max' ? 'max ' : ''}${f.target.op} ${fmt(f.target.value, f.unit)}` : '';
    const met = f.met === null ? '' : f.met ? 'yes' : 'NO';
    return [f.label, fmt(f.median, f.unit), one ? '' : fmt(f.min, f.unit), one ? '' : fmt(f.max, f.unit), f.unit,
      String(f.samples.length), target, met];
  });
  for (const [name, s] of Object.entries(sections)) {
    if (s.status !== 'ok') rows.push([`${name}: ${s.status}`, '', '', '', '', '', '', s.reason.slice(0, 120)]);
  }
  return [head, ...rows];
}

function printTable(t) {
  const widths = t[0].map((_, i) => Math.max(...t.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 || i === 7 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(t[0]));
  console.log(`|${widths.map((w, i) => (i === 0 || i === 7 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of t.slice(1)) console.log(line(r));
}

// ---------------------------------------------------------------------------
// 9. Your data in and out at 100,000 licenses: export, backup, restore, import
// ---------------------------------------------------------------------------

// Samples the page's JS heap (DevTools protocol) every 250 ms while `work`
// runs; returns [work's result, the highest JS heap seen in bytes].
// The last withHeapPeak's samples: [time, JS heap bytes].
const heapSamples = [];

async function withHeapPeak(page, work) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  let peak = 0;
  let running = true;
  heapSamples.length = 0;
  const sampler = (async () => {
    while (running) {
      const { metrics } = await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] }));
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      heapSamples.push([Date.now(), heap]);
      peak = Math.max(peak, heap);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  try {
    return [await work(), peak];
  } finally {
    running = false;
    await sampler;
    await cdp.detach().catch(() => {});
  }
}

async function openData(page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import and export' }).click();
  await page.getByRole('heading', { level: 1, name: 'Import and export' }).waitFor();
}

async function resetDesk(page) {
  await page.getByRole('link', { name: 'License Desk' }).click();
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByRole('alertdialog', { name: 'Reset License Desk?' }).getByRole('button', { name: 'Delete everything' }).click();
  await page.getByRole('status').filter({ hasText: 'Everything was deleted' }).waitFor({ timeout: 600_000 });
}

async function data(context) {
  // BENCH_DATA_SIZE=normal tries the section quickly; the figures are for 100k.
  const size = process.env.BENCH_DATA_SIZE ?? '100k';
  const n = await loadDemo(context, size);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'license-desk-bench-'));
  const page = await newPage(context);
  try {
    // Export CSV of every license, from the Licenses list (no filter).
    await openApp(page, '/licenses');
    const region = await listReady(page);
    const button = page.getByRole('button', { name: 'Export CSV of Licenses' });
    const exportMs = [];
    let exported = 0;
    for (let i = 0; i < opts.runs100k; i++) {
      await quiet(page, 1000);
      const t0 = Date.now();
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), button.click()]);
      exportMs.push(Date.now() - t0);
      const file = path.join(tmp, 'export.csv');
      await download.saveAs(file);
      exported = fs.readFileSync(file, 'utf8').split('\n').filter((l) => /^[a-zA-Z0-9]{18},/.test(l)).length;
    }
    void region;
    record('data.export', 'data', `Export CSV of ${n.toLocaleString('en-US')} licenses: click → download`, 'ms', exportMs,
      { op: '<=', value: 3000 }, `${exported.toLocaleString('en-US')} license rows in the file`);

    // The LMA files the import reads, written by the app's own CSV writers.
    const files = await page.evaluate(() => window.wasmBindings.bench_export_files());
    const paths = [];
    let fileBytes = 0;
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, text);
      fileBytes += Buffer.byteLength(text);
      paths.push(file);
    }
    details.data = { files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.byteLength(v)])), file_bytes: fileBytes };

    const refused = page.getByRole('alert');
    // BENCH_DATA_SKIP_BACKUP=1 leaves out backup and restore (minutes at 100k).
    if (process.env.BENCH_DATA_SKIP_BACKUP !== '1') {
    // Backup: Download backup → the file.
    await openData(page);
    await quiet(page, 1000);
    let t0 = Date.now();
    const [backupDownload] = await Promise.all([
      page.waitForEvent('download', { timeout: 600_000 }),
      page.getByRole('button', { name: 'Download backup' }).click(),
    ]);
    const backupFile = path.join(tmp, 'backup.json');
    await backupDownload.saveAs(backupFile);
    const backupMs = Date.now() - t0;
    const backupBytes = fs.statSync(backupFile).size;
    record('data.backup', 'data', `Download backup of the ${size} demo`, 'ms', [backupMs], null,
      `${(backupBytes / 1e6).toFixed(1)} MB file`);

    // Restore: choose the file → what it holds shown, then Restore → done.
    await resetDesk(page);
    await openData(page);
    await quiet(page, 1000);
    t0 = Date.now();
    await page.getByLabel('Backup file', { exact: true }).setInputFiles(backupFile);
    const checked = page.getByRole('table', { name: 'Records per store' });
    await checked.or(refused).first().waitFor({ timeout: 900_000 });
    if (!(await checked.isVisible())) throw new Error(`restore: ${await refused.first().innerText()}`);
    const checkMs = Date.now() - t0;
    t0 = Date.now();
    await page.getByRole('button', { name: 'Restore this backup' }).click();
    await page.getByRole('alertdialog', { name: 'Replace every record on this desk?' })
      .getByRole('button', { name: 'Replace with the backup' }).click();
    const restored = page.getByRole('status').filter({ hasText: /^Backup restored/ });
    await restored.or(refused).first().waitFor({ timeout: 900_000 });
    if (!(await restored.isVisible())) throw new Error(`restore: ${await refused.first().innerText()}`);
    const restoreMs = Date.now() - t0;
    record('data.restore.check', 'data', `Restore the ${size} backup: file chosen → contents shown (checked)`, 'ms', [checkMs]);
    record('data.restore.commit', 'data', `Restore the ${size} backup: confirm → restored`, 'ms', [restoreMs]);
    }

    // Import into an empty desk: files chosen → preview; Import → imported.
    await resetDesk(page);
    await page.reload();
    await openData(page);
    await quiet(page, 2000);
    const wasmBefore = await page.evaluate(() => window.wasmBindings.bench_wasm_memory_bytes());
    const [, heapBefore] = await withHeapPeak(page, () => new Promise((r) => setTimeout(r, 300)));
    const [[previewMs, commitMs], heapPeak] = await withHeapPeak(page, async () => {
      let t = Date.now();
      await page.getByLabel('CSV files', { exact: true }).setInputFiles(paths);
      const preview = page.getByRole('region', { name: 'Preview' }).getByRole('status');
      await preview.waitFor({ timeout: 900_000 });
      const previewText = await preview.innerText();
      const p = Date.now() - t;
      details.data.wasm_after_preview = await page.evaluate(() => window.wasmBindings.bench_wasm_memory_bytes());
      details.data.preview = previewText;
      const importAll = page.getByRole('button', { name: 'Import', exact: true });
      const importValid = page.getByRole('button', { name: /^Import the [\d,]+ valid rows?$/ });
      await importAll.or(importValid).first().waitFor();
      t = Date.now();
      details.data.commit_started = t;
      await importAll.or(importValid).first().click();
      const imported = page.getByRole('status').filter({ hasText: /^Imported/ });
      await imported.or(refused).first().waitFor({ timeout: 900_000 });
      if (!(await imported.isVisible())) throw new Error(`import: ${await refused.first().innerText()}`);
      details.data.imported = await imported.innerText();
      return [p, Date.now() - t];
    });
    const wasmAfter = await page.evaluate(() => window.wasmBindings.bench_wasm_memory_bytes());
    const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
    record('data.import.preview', 'data', `Import ${n.toLocaleString('en-US')} licenses with their packages and leads: files → preview`, 'ms',
      [previewMs], { op: '<=', value: 10_000 }, `${mb(fileBytes)} of CSV; ${details.data.preview}`);
    record('data.import.commit', 'data', 'Import: Import pressed → imported', 'ms', [commitMs], { op: '<=', value: 15_000 });
    const peak = heapPeak + wasmAfter;
    record('data.import.memory', 'data', 'Import: peak JS heap + wasm memory, ÷ CSV bytes', 'x', [peak / fileBytes], { op: '<=', value: 3 },
      `JS heap ${mb(heapBefore)} before, peak ${mb(heapPeak)}; wasm memory ${mb(wasmBefore)} before, ${mb(wasmAfter)} after ` +
      `(${mb(details.data.wasm_after_preview)} once the preview shows); JS heap peak while reading ` +
      `${mb(Math.max(0, ...heapSamples.filter(([t]) => t < details.data.commit_started).map(([, h]) => h)))}, while committing ` +
      `${mb(Math.max(0, ...heapSamples.filter(([t]) => t >= details.data.commit_started).map(([, h]) => h)))}; ` +
      `(the import's own growth: ${((heapPeak - heapBefore + wasmAfter - wasmBefore) / fileBytes).toFixed(2)}× the CSV)`);
  } finally {
    await page.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------

async function main() {
  const started = new Date();
  const loadStart = os.loadavg().map((x) => +x.toFixed(2));
  const want = (s) => opts.only.includes(s);
  let browserVersion = null;

  if (want('bundle')) {
    try { bundle(); sections.bundle = { status: 'ok' }; } catch (e) { sections.bundle = { status: 'failed', reason: e.message }; }
  }
  // 10k before 100k: loading the 10k demo over the 100k one first deletes 100k.
  const browserSections = ['storage', 'demo', 'cold', 'modify', 'bulk', 'sync', 'list', 'search', 'pages', 'cold100k', 'data'].filter(want);
  if (browserSections.length) {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
        // window.gc() between timed runs, so one run's garbage is not collected in the next.
        '--js-flags=--expose-gc'],
    });
    browserVersion = browser.version();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Nothing but loopback.
    await context.route((url) => !['127.0.0.1', 'localhost'].includes(url.hostname), (route) => route.abort());
    const runners = { storage, demo: demoLoad, list, cold, modify, bulk, sync: syncSection, search: globalSearch, pages, cold100k, data };
    for (const s of browserSections) {
      log(`== ${s}`);
      try {
        await runners[s](context);
        sections[s] = { status: 'ok' };
      } catch (e) {
        sections[s] = { status: 'failed', reason: e.message.split('\n')[0] };
        log(`${s} failed: ${e.stack ?? e.message}`);
      }
    }
    await context.close();
    await browser.close();
  }

  const result = {
    date: started.toISOString(),
    // Other work on the machine skews every timed figure: recorded, not controlled.
    load_average: { start: loadStart, end: os.loadavg().map((x) => +x.toFixed(2)) },
    duration_s: Math.round((Date.now() - started.getTime()) / 1000),
    base: opts.base,
    // What was measured: dist/ is built from the working tree, which may hold uncommitted changes.
    git: {
      head: gitOut(['rev-parse', '--short', 'HEAD']),
      uncommitted_src_files: (gitOut(['status', '--porcelain', '--', 'src', 'index.html', 'style', 'Cargo.toml']) ?? '')
        .split('\n').filter(Boolean).length,
    },
    runs: { default: opts.runs, runs_100k: opts.runs100k },
    machine: machine(browserVersion),
    sections,
    figures,
    details,
    page_problems: pageProblems,
  };
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(result, null, 2) + '\n');

  console.log();
  console.log(`License Desk benchmark, ${result.date.slice(0, 10)}, ${result.machine.nproc} cores ${result.machine.cpu}, ` +
    `Chromium ${browserVersion ?? '-'}, load average ${loadStart[0]} at the start, ${result.load_average.end[0]} at the end, ` +
    `git ${result.git.head}${result.git.uncommitted_src_files ? ` + ${result.git.uncommitted_src_files} uncommitted source files` : ''}`);
  printTable(table());
  if (pageProblems.length) {
    console.log(`\npage errors during the run (${pageProblems.length}):`);
    for (const p of pageProblems.slice(0, 20)) console.log(`  ${p}`);
  }
  const missed = figures.filter((f) => f.met === false).map((f) => f.label);
  console.log(`\ntargets missed: ${missed.length ? missed.join('; ') : 'none'}`);
  console.log(`figures written to ${path.relative(process.cwd(), opts.out)}`);
  const failed = Object.entries(sections).filter(([, s]) => s.status !== 'ok');
  if (failed.length) {
    console.error(`sections not measured: ${failed.map(([n, s]) => `${n} (${s.reason})`).join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
