// The server's share of a first sync, by batch size: the replicator's requests
// straight from node to a CouchDB (pouchdb-server in memory), without a desk.
//
//   node bench/couch_batches.mjs --url http://127.0.0.1:4311 --docs /tmp/docs.jsonl \
//        --sizes 200,500,1000,2000 [--user admin --password admin-pass] [--ask all]
//
// --docs: one document per line, as the desk sends them (`_id`, `_rev`,
// `_revisions`, the fields). Per size: a fresh database; push = `_revs_diff`
// + `_bulk_docs new_edits:false` per batch; pull = `_changes?style=all_docs&limit`
// + `_bulk_get?revs=true` per page, as `src/sync/replicator.rs` does them.
// First revisions (`1-…`) go without `_revs_diff`, as the desk sends them;
// `--ask all` asks for every document (the desk before it stopped asking).
import fs from 'node:fs';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const base = args.url ?? 'http://127.0.0.1:4311';
const askAll = args.ask === 'all';
const sizes = (args.sizes ?? '200,500,1000,2000').split(',').map(Number);
const auth = args.user ? { Authorization: 'Basic ' + Buffer.from(`${args.user}:${args.password}`).toString('base64') } : {};
const docs = fs.readFileSync(args.docs, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

async function call(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

async function push(db, size) {
  let revsDiffMs = 0, bulkDocsMs = 0;
  for (let i = 0; i < docs.length; i += size) {
    const batch = docs.slice(i, i + size);
    const unasked = (d) => !askAll && d._rev.startsWith('1-');
    const asked = {};
    for (const d of batch) if (!unasked(d)) asked[d._id] = [d._rev];
    let t = performance.now();
    const lacking = Object.keys(asked).length ? await call('POST', `${db}/_revs_diff`, asked) : {};
    revsDiffMs += performance.now() - t;
    const toSend = batch.filter((d) => unasked(d) || lacking[d._id]?.missing?.includes(d._rev));
    t = performance.now();
    await call('POST', `${db}/_bulk_docs`, { docs: toSend, new_edits: false });
    bulkDocsMs += performance.now() - t;
  }
  return { revsDiffMs, bulkDocsMs };
}

async function pull(db, size) {
  let changesMs = 0, bulkGetMs = 0, got = 0, since = 0;
  for (;;) {
    let t = performance.now();
    const page = await call('GET', `${db}/_changes?style=all_docs&since=${encodeURIComponent(since)}&limit=${size}`);
    changesMs += performance.now() - t;
    const wanted = page.results.flatMap((r) => r.changes.map((c) => ({ id: r.id, rev: c.rev })));
    if (wanted.length) {
      t = performance.now();
      const answer = await call('POST', `${db}/_bulk_get?revs=true`, { docs: wanted });
      bulkGetMs += performance.now() - t;
      got += answer.results.length;
    }
    since = page.last_seq;
    if (page.results.length < size) break;
  }
  return { changesMs, bulkGetMs, got };
}

const rows = [];
for (const size of sizes) {
  const db = `${base}/batches_${size}_${Date.now().toString(36)}`;
  await call('PUT', db);
  const t0 = performance.now();
  const p = await push(db, size);
  const pushMs = performance.now() - t0;
  const t1 = performance.now();
  const q = await pull(db, size);
  const pullMs = performance.now() - t1;
  await call('DELETE', db);
  const row = {
    size, docs: docs.length, push_ms: Math.round(pushMs), revs_diff_ms: Math.round(p.revsDiffMs),
    bulk_docs_ms: Math.round(p.bulkDocsMs), pull_ms: Math.round(pullMs), changes_ms: Math.round(q.changesMs),
    bulk_get_ms: Math.round(q.bulkGetMs), pulled: q.got,
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
console.table(rows);
