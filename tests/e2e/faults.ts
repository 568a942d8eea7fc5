import type { Page } from '@playwright/test';
import { expect } from './fixtures';

// Faults a user could meet, made in the page's own IndexedDB: a record left
// damaged by an old version or an extension, and reads that check what the
// desk holds without going through the app.

export const DB = 'license-desk';

/** Loads the demo data from Home, confirming the replacement if asked. */
export async function loadDemoData(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Load demo data', exact: true }).click();
  const replace = page.getByRole('alertdialog', { name: 'Replace the data with the demo?' });
  const loaded = page.getByRole('status').filter({ hasText: /^Demo data loaded:/ });
  // A desk that holds records asks first; wait for whichever comes.
  await expect(replace.or(loaded).first()).toBeVisible({ timeout: 30_000 });
  if (await replace.isVisible()) {
    await replace.getByRole('button', { name: 'Replace with demo data' }).click();
  }
  await expect(loaded).toBeVisible({ timeout: 30_000 });
}

export interface Damaged {
  /** The stored record's key. */
  key: string;
  /** Its data before the damage. */
  data: Record<string, unknown>;
  /** Its index fields (`ix_license`, ...). */
  ix: Record<string, string>;
}

/**
 * Writes a bad value straight into `store`: the first record whose data
 * matches `where` gets `data[field] = value`. Returns what it was.
 */
export async function damage(
  page: Page,
  store: string,
  where: Record<string, unknown>,
  field: string,
  value: unknown,
): Promise<Damaged> {
  return page.evaluate(
    async ({ db: name, store, where, field, value }) => {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      try {
        const tx = db.transaction(store, 'readwrite');
        const os = tx.objectStore(store);
        const all: any[] = await new Promise((resolve, reject) => {
          const r = os.getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        const rec = all.find((r) => Object.entries(where).every(([k, v]) => r.data[k] === v));
        if (!rec) throw new Error(`no ${store} record matches ${JSON.stringify(where)}`);
        const before = structuredClone(rec.data);
        rec.data[field] = value;
        os.put(rec);
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
        const ix: Record<string, string> = {};
        for (const [k, v] of Object.entries(rec)) if (k.startsWith('ix_')) ix[k] = v as string;
        return { key: rec.id as string, data: before, ix };
      } finally {
        db.close();
      }
    },
    { db: DB, store, where, field, value },
  );
}

/** Every store's stored values, as JSON text, by store then key: what the desk holds. */
export async function snapshot(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async (name) => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      const stores = Array.from(db.objectStoreNames);
      const tx = db.transaction(stores);
      const out: Record<string, string[]> = {};
      await Promise.all(
        stores.map(
          (s) =>
            new Promise<void>((resolve, reject) => {
              const r = tx.objectStore(s).getAll();
              r.onsuccess = () => {
                out[s] = r.result.map((v) => JSON.stringify(v));
                resolve();
              };
              r.onerror = () => reject(r.error);
            }),
        ),
      );
      return out;
    } finally {
      db.close();
    }
  }, DB);
}

/** How many values each store holds. */
export async function counts(page: Page): Promise<Record<string, number>> {
  const all = await snapshot(page);
  return Object.fromEntries(Object.entries(all).map(([s, v]) => [s, v.length]));
}

/** The key of the first stored record of `store` whose data matches `where`. */
export async function findKey(page: Page, store: string, where: Record<string, unknown>): Promise<string> {
  const all = (await snapshot(page))[store].map((v) => JSON.parse(v));
  const rec = all.find((r) => Object.entries(where).every(([k, v]) => r.data[k] === v));
  if (!rec) throw new Error(`no ${store} record matches ${JSON.stringify(where)}`);
  return rec.id as string;
}

/**
 * Shrinks the origin's storage quota to `bytes` (Chromium reads the quota when
 * a database is first opened, so call this before the first page load).
 */
export async function shrinkQuota(page: Page, bytes: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const origin = `http://127.0.0.1:${process.env.E2E_PORT ?? 4173}`;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: bytes });
}

/**
 * Fills what is left of the origin's quota with incompressible data in a
 * database of its own, until even a small write is refused: the disk is full.
 */
export async function fillStorage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const r = indexedDB.open('filler', 1);
      r.onupgradeneeded = () => r.result.createObjectStore('chunks', { autoIncrement: true });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const write = (size: number): Promise<boolean> => {
      const bytes = new Uint8Array(size);
      for (let o = 0; o < size; o += 65536) crypto.getRandomValues(bytes.subarray(o, Math.min(size, o + 65536)));
      const tx = db.transaction('chunks', 'readwrite');
      tx.objectStore('chunks').add(bytes);
      return new Promise((resolve) => {
        tx.oncomplete = () => resolve(true);
        tx.onabort = () => resolve(false);
      });
    };
    for (const size of [4_000_000, 1_000_000, 250_000, 50_000, 10_000, 2_000, 500]) {
      while (await write(size));
    }
    db.close();
  });
}

/**
 * Makes the page reload itself the moment the app issues its next IndexedDB
 * write after {@link armReload}: a tab closed half-way through a save.
 */
export async function reloadOnNextWrite(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __reloadOnWrite: boolean };
    w.__reloadOnWrite = false;
    for (const name of ['put', 'add'] as const) {
      const original = IDBObjectStore.prototype[name];
      IDBObjectStore.prototype[name] = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
        const request = original.apply(this, args);
        if (w.__reloadOnWrite) {
          w.__reloadOnWrite = false;
          location.reload();
        }
        return request;
      } as typeof original;
    }
  });
}

/** Arms {@link reloadOnNextWrite} for the next write. */
export async function armReload(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __reloadOnWrite: boolean }).__reloadOnWrite = true;
  });
}
