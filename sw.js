// License Desk service worker: keeps the built app (index.html, the wasm, its
// JavaScript glue and the stylesheet) in the Cache Storage so the app opens
// with no network after one visit. Records live in IndexedDB, not here.
//
// * install: fetches index.html and every asset it names (Trunk gives them
//   hashed names, so they are read from the page, never hard-coded), and the
//   icons the web app manifest names.
// * navigations: network first (a new release is picked up at once when
//   online), the cached index.html when the network fails (offline; the app
//   routes on the client, so every path is index.html). Navigation preload
//   starts that request while the worker itself starts, and a page identical
//   to the cached one costs nothing more: the release is walked again only when
//   index.html changed, so a repeat visit doesn't compete with the app's start.
// * other same-origin GETs inside the scope: cache first, then the network,
//   and what the network returns is cached for next time.
// * a new release keeps the assets of the one before it (see cacheRelease).
// * activate: deletes the caches of older versions of this worker.

const VERSION = 'v2';
const CACHE = `license-desk-${VERSION}`;
const SCOPE = new URL('./', self.location).href;
const INDEX = new URL('index.html', SCOPE).href;

function inScope(url) {
  return url.startsWith(SCOPE);
}

// The asset URLs index.html refers to: href/src attributes and the quoted
// paths in Trunk's loader script ('/license-desk-….js', '…_bg.wasm').
function assetUrls(html) {
  const found = new Set();
  const pattern = /["']([^"'\s<>]+\.(?:js|wasm|css|ico|png|svg|webmanifest|woff2?))["']/g;
  let m;
  while ((m = pattern.exec(html)) !== null) {
    const url = new URL(m[1], SCOPE).href;
    if (inScope(url) && !url.endsWith('/sw.js')) found.add(url);
  }
  return [...found];
}

// The icons a web app manifest names (the installed app's window and dock icons).
async function manifestIcons(url) {
  const res = await fetch(url, { cache: 'no-cache' });
  if (!res.ok) return [];
  const manifest = await res.json();
  return (manifest.icons || [])
    .map((icon) => new URL(icon.src, url).href)
    .filter(inScope);
}

// Caches index.html and its assets, then drops the assets of older releases
// but the one it replaces: a tab still running that release fetches its lazy
// chunks (scripts/split.sh) when one of its pages is first opened, perhaps
// after the server dropped them.
async function cacheRelease(cache, response) {
  const previous = await cache.match(INDEX);
  const kept = previous ? assetUrls(await previous.text()) : [];
  const html = await response.clone().text();
  const urls = assetUrls(html);
  for (const url of [...urls]) {
    if (url.endsWith('.webmanifest')) urls.push(...(await manifestIcons(url)));
  }
  await Promise.all(
    urls.map(async (url) => {
      if (await cache.match(url)) return;
      const res = await fetch(url, { cache: 'no-cache' });
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      await cache.put(url, res);
    }),
  );
  // A fresh Response: one that followed a redirect can't answer a navigation.
  const body = await response.blob();
  await cache.put(INDEX, new Response(body, { status: 200, headers: response.headers }));
  const keep = new Set([INDEX, ...urls, ...kept]);
  for (const request of await cache.keys()) {
    if (!keep.has(request.url)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // The app's root serves index.html (without a redirect, unlike /index.html on some servers).
      const response = await fetch(SCOPE, { cache: 'no-cache' });
      if (!response.ok) throw new Error(`index.html: HTTP ${response.status}`);
      await cacheRelease(cache, response);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('license-desk-') && name !== CACHE) await caches.delete(name);
      }
      // Not in every browser; where missing, navigations simply wait for the worker.
      if (self.registration.navigationPreload) await self.registration.navigationPreload.enable();
      await self.clients.claim();
    })(),
  );
});

// Keeps a release whose index.html differs from the cached one (with its assets).
async function keepRelease(cache, response) {
  const cached = await cache.match(INDEX);
  if (cached && (await cached.text()) === (await response.clone().text())) return;
  await cacheRelease(cache, response);
}

async function navigate(event) {
  const cache = await caches.open(CACHE);
  try {
    const response = (await event.preloadResponse) || (await fetch(event.request));
    const type = response.headers.get('content-type') || '';
    if (response.ok && type.includes('text/html')) {
      // A new release: keep it and its assets for the next offline start.
      event.waitUntil(keepRelease(cache, response.clone()).catch(() => {}));
    }
    return response;
  } catch (offline) {
    const cached = await cache.match(INDEX);
    if (cached) return cached;
    throw offline;
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') cache.put(request, response.clone()).catch(() => {});
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !inScope(request.url)) return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(event));
  } else {
    event.respondWith(asset(request));
  }
});
