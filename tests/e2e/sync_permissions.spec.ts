import { test, expect, request as newRequest, type APIRequestContext, type APIResponse } from '@playwright/test';
import { readFileSync } from 'fs';
import path from 'path';
import { couchPort } from '../../playwright.config';

// The server's side of the permissions: License Desk's validate_doc_update
// (src/sync/validate_doc_update.js, installed as _design/license_desk by
// design::design_doc()) against pouchdb-server, with CouchDB users whose
// roles map to the LMA profiles. No browser: every request is the HTTP API
// a desk's replicator uses.
//
// pouchdb-server runs validate_doc_update through pouchdb-validation. Where it
// differs from CouchDB 3 (said again in the tests it concerns):
// - a new database is open to every user (CouchDB 3 makes it admin-only until
//   its `_security` names members: a team's setup must name the lma_* roles
//   there), so this spec sets no `_security` and the role check of
//   validate_doc_update is what refuses a user without an LMA role;
// - `_bulk_docs` with `new_edits: false` (the desks' push): refusals come back
//   as in CouchDB (201, `{id, error: "forbidden", reason}` per refused
//   document), but once a database has a validate_doc_update, pouchdb-server
//   silently drops every accepted `new_edits: false` write to an EXISTING
//   document: pouchdb-validation's validate() sets `newDoc._revisions` to the
//   stored document's `_revisions` before the write, so the new revision's
//   path is replaced by the old one, which the database already holds (the
//   answer is `[]`, as for a success). New documents are stored. CouchDB
//   takes such writes; so the spec checks accepted replicated writes on a
//   new document only, and sync specs that push edits must not install this
//   design document on pouchdb-server.

const couch = `http://127.0.0.1:${couchPort}`;
const admin = { name: 'admin', password: 'admin-pass' };
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const db = `perm_${run}`;

const validateDocUpdate = readFileSync(path.join(__dirname, '../../src/sync/validate_doc_update.js'), 'utf8');

type Who = { name: string; password: string };
const user = (role: string | null): Who & { roles: string[] } => ({
  name: `${role ?? 'no_role'}_${run}`,
  password: `pw-${role ?? 'none'}-${run}`,
  roles: role ? [role] : [],
});
const lmaAdmin = user('lma_admin');
const manager = user('lma_license_manager');
const rep = user('lma_sales_rep');
const readOnly = user('lma_read_only');
const noRole = user(null);

const basic = (who: Who) => ({
  Authorization: `Basic ${Buffer.from(`${who.name}:${who.password}`).toString('base64')}`,
});

const LICENSE_ID = 'a0L000000000001AAA';
const VERSION_ID = '04t000000000001AAA';
const LEAD_ID = '00Q000000000001AAA';

// A license document as document::encode writes it (the fields the function reads, and a few more).
function licenseDoc(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'sfLma__License__c',
    Id: LICENSE_ID,
    Name: 'L-00001',
    sfLma__Status__c: 'Active',
    sfLma__Seats__c: 25,
    sfLma__Account__c: null,
    sfLma__Contact__c: null,
    LicenseDesk__Lead_Name__c: 'Ada Lovelace',
    LastModifiedById: 'License Management App',
    LastModifiedDate: '2026-12-01T09:00:00.000Z',
    ...fields,
  };
}

let api: APIRequestContext;

async function put(who: Who | null, id: string, body: Record<string, unknown>): Promise<APIResponse> {
  return api.put(`${couch}/${db}/${encodeURIComponent(id)}`, {
    headers: who ? basic(who) : {},
    data: body,
  });
}

async function current(id: string): Promise<Record<string, unknown>> {
  const res = await api.get(`${couch}/${db}/${encodeURIComponent(id)}`, { headers: basic(admin) });
  expect(res.status()).toBe(200);
  return res.json();
}

// A write on top of the current revision, as a desk's next edit.
async function edit(who: Who, id: string, change: Record<string, unknown>): Promise<APIResponse> {
  const doc = await current(id);
  return put(who, id, { ...doc, ...change });
}

async function refused(res: APIResponse, status: number, reason: string | RegExp) {
  const body = await res.json();
  expect(res.status(), JSON.stringify(body)).toBe(status);
  expect(body.error).toBe(status === 401 ? 'unauthorized' : 'forbidden');
  expect(body.reason).toMatch(reason);
}

async function accepted(res: APIResponse) {
  const body = await res.json();
  expect(res.status(), JSON.stringify(body)).toBe(201);
  expect(body.ok).toBe(true);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  api = await newRequest.newContext();
  const created = await api.put(`${couch}/${db}`, { headers: basic(admin) });
  expect(created.status()).toBe(201);
  // The same design document design::design_doc() returns.
  const design = await api.put(`${couch}/${db}/_design/license_desk`, {
    headers: basic(admin),
    data: { _id: '_design/license_desk', validate_doc_update: validateDocUpdate },
  });
  expect(design.status()).toBe(201);
  for (const u of [lmaAdmin, manager, rep, readOnly, noRole]) {
    const res = await api.put(`${couch}/_users/org.couchdb.user:${u.name}`, {
      headers: basic(admin),
      data: { _id: `org.couchdb.user:${u.name}`, name: u.name, password: u.password, roles: u.roles, type: 'user' },
    });
    expect(res.status(), await res.text()).toBe(201);
  }
  // The records the tests change, written by the License Management App's side (a manager).
  await accepted(await put(manager, `sfLma__License__c:${LICENSE_ID}`, licenseDoc()));
  await accepted(
    await put(lmaAdmin, `sfLma__Package_Version__c:${VERSION_ID}`, {
      type: 'sfLma__Package_Version__c',
      Id: VERSION_ID,
      Name: 'Spring release',
      sfLma__Version__c: '1.2.0',
      sfLma__Is_Beta__c: false,
    }),
  );
  await accepted(
    await put(rep, `Lead:${LEAD_ID}`, { type: 'Lead', Id: LEAD_ID, LastName: 'Lovelace', Company: 'Analytical Engines' }),
  );
});

test.afterAll(async () => {
  await api.delete(`${couch}/${db}`, { headers: basic(admin) });
  for (const u of [lmaAdmin, manager, rep, readOnly, noRole]) {
    const id = `org.couchdb.user:${u.name}`;
    const res = await api.get(`${couch}/_users/${id}`, { headers: basic(admin) });
    if (res.ok()) {
      const { _rev } = await res.json();
      await api.delete(`${couch}/_users/${id}?rev=${_rev}`, { headers: basic(admin) });
    }
  }
  await api.dispose();
});

test('a write with no user is unauthorized, one by a user without an LMA role is forbidden', async () => {
  const doc = await current(`sfLma__License__c:${LICENSE_ID}`);
  await refused(await put(null, `sfLma__License__c:${LICENSE_ID}`, { ...doc, sfLma__Seats__c: 26 }), 401, /^Log in to write/);
  await refused(
    await edit(noRole, `sfLma__License__c:${LICENSE_ID}`, { sfLma__Seats__c: 30 }),
    403,
    new RegExp(`${noRole.name} has none of the License Desk roles`),
  );
});

test('Sales Rep and Read Only users may not modify a license; managers and admins may', async () => {
  const id = `sfLma__License__c:${LICENSE_ID}`;
  await refused(
    await edit(rep, id, { sfLma__Seats__c: 30 }),
    403,
    "The Sales Rep profile can't modify licenses. Ask a user with the System Administrator or License Manager profile to do it.",
  );
  await refused(await edit(readOnly, id, { sfLma__Status__c: 'Suspended' }), 403, /^The Read Only profile can't modify licenses/);
  await refused(
    await put(rep, 'sfLma__License__c:a0L000000000002AAA', licenseDoc({ Id: 'a0L000000000002AAA' })),
    403,
    /Sales Rep profile can't modify licenses/,
  );
  await accepted(await edit(manager, id, { sfLma__Seats__c: 30 }));
  await accepted(await edit(lmaAdmin, id, { sfLma__Status__c: 'Suspended' }));
  await accepted(await edit(admin, id, { sfLma__Status__c: 'Active' }));
  expect((await current(id)).sfLma__Seats__c).toBe(30);
});

test('a Sales Rep converting a lead may link its license to the Account and Contact, nothing more', async () => {
  const id = `sfLma__License__c:${LICENSE_ID}`;
  const link = {
    sfLma__Account__c: '001000000000001AAA',
    sfLma__Contact__c: '003000000000001AAA',
    LastModifiedById: '005000000000003AAA',
    LastModifiedDate: '2026-12-02T10:00:00.000Z',
  };
  await refused(await edit(rep, id, { ...link, sfLma__Seats__c: 31 }), 403, /Sales Rep profile can't modify licenses/);
  await refused(await edit(readOnly, id, link), 403, /Read Only profile can't modify licenses/);
  await accepted(await edit(rep, id, link));
});

test('nobody changes an existing package version; only admins and managers add one', async () => {
  const id = `sfLma__Package_Version__c:${VERSION_ID}`;
  for (const who of [lmaAdmin, manager, admin]) {
    await refused(await edit(who, id, { Name: 'Renamed' }), 403, /Package versions are read-only for every user/);
  }
  await refused(await edit(lmaAdmin, id, { _deleted: true }), 403, /read-only for every user; .* can't be deleted/);
  // The same version sent again (a retry) changes nothing and is taken.
  await accepted(await edit(manager, id, {}));
  const newer = { type: 'sfLma__Package_Version__c', Id: '04t000000000002AAA', Name: 'Summer', sfLma__Version__c: '1.3.0' };
  await refused(await put(rep, `sfLma__Package_Version__c:${newer.Id}`, newer), 403, /Sales Rep profile can't add package versions/);
  await accepted(await put(manager, `sfLma__Package_Version__c:${newer.Id}`, newer));
});

test('a malformed record is refused whoever writes it', async () => {
  const fresh = (n: number) => `a0L00000000000${n}AAA`;
  const license = (n: number, fields: Record<string, unknown>) =>
    put(lmaAdmin, `sfLma__License__c:${fresh(n)}`, licenseDoc({ Id: fresh(n), ...fields }));
  await refused(await license(3, { sfLma__Seats__c: 99_000_001 }), 403, /^sfLma__Seats__c: Licensed Seats must be a whole number from 1 to 99,000,000/);
  await refused(await license(3, { sfLma__Seats__c: 0 }), 403, /sfLma__Seats__c/);
  await refused(await license(3, { sfLma__Seats__c: 2.5 }), 403, /sfLma__Seats__c/);
  await refused(await license(3, { sfLma__Seats__c: '25' }), 403, /sfLma__Seats__c/);
  await refused(await license(3, { sfLma__Seats__c: -2 }), 403, /sfLma__Seats__c/);
  await accepted(await license(3, { sfLma__Seats__c: 99_000_000 }));
  await accepted(await license(4, { sfLma__Seats__c: -1 }));
  await refused(
    await license(5, { sfLma__Status__c: 'Expired' }),
    403,
    'sfLma__Status__c: "Expired" is not a License Status; choose one of: Trial, Active, Suspended, Uninstalled.',
  );
  await refused(await license(5, { type: 'sfLma__Package__c' }), 403, /type is "sfLma__Package__c" but its _id names a sfLma__License__c/);
  await refused(await license(5, { Id: fresh(6) }), 403, /Id is "a0L000000000006AAA" but its _id names a0L000000000005AAA/);
  await refused(await put(admin, 'Opportunity:006000000000001AAA', { type: 'Opportunity' }), 403, /names no License Desk object/);
  await refused(await put(admin, `sfLma__License__c:${fresh(7)}`, licenseDoc({ Id: fresh(7), sfLma__Seats__c: null })), 403, /sfLma__Seats__c/);
});

test('only admins and managers delete records; only System Administrators change users', async () => {
  const lead = `Lead:${LEAD_ID}`;
  await refused(await edit(rep, lead, { _deleted: true }), 403, /^The Sales Rep profile can't delete records/);
  await refused(await edit(readOnly, lead, { _deleted: true }), 403, /^The Read Only profile can't delete records/);
  await accepted(await edit(manager, lead, { _deleted: true }));
  const userDoc = { type: 'User', Id: '005000000000009AAA', Name: 'New Rep', Profile: 'System Administrator', IsActive: true };
  await refused(await put(manager, `User:${userDoc.Id}`, userDoc), 403, /License Manager profile can't change users/);
  await accepted(await put(lmaAdmin, `User:${userDoc.Id}`, userDoc));
});

test('a cookie session (POST /_session) is checked like basic auth', async () => {
  const session = await newRequest.newContext();
  try {
    const login = await session.post(`${couch}/_session`, { data: { name: rep.name, password: rep.password } });
    expect(login.status(), await login.text()).toBe(200);
    expect((await login.json()).roles).toContain('lma_sales_rep');
    const doc = await current(`sfLma__License__c:${LICENSE_ID}`);
    const res = await session.put(`${couch}/${db}/sfLma__License__c:${LICENSE_ID}`, { data: { ...doc, sfLma__Seats__c: 99 } });
    await refused(res, 403, /Sales Rep profile can't modify licenses/);
  } finally {
    await session.dispose();
  }
});

test('a replicated write (_bulk_docs, new_edits: false) is checked too', async () => {
  const doc = await current(`sfLma__License__c:${LICENSE_ID}`);
  const [pos] = String(doc._rev).split('-');
  const next = Number(pos) + 1;
  const body = {
    new_edits: false,
    docs: [{ ...doc, _rev: `${next}-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`, _revisions: { start: next, ids: ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', String(doc._rev).split('-')[1]] }, sfLma__Seats__c: 7 }],
  };
  const res = await api.post(`${couch}/${db}/_bulk_docs`, { headers: basic(rep), data: body });
  const answer = await res.json();
  // CouchDB's answer: 201, one entry per refused document with its reason.
  expect(res.status(), JSON.stringify(answer)).toBe(201);
  expect(answer).toEqual([
    {
      id: `sfLma__License__c:${LICENSE_ID}`,
      error: 'forbidden',
      reason: "The Sales Rep profile can't modify licenses. Ask a user with the System Administrator or License Manager profile to do it.",
    },
  ]);
  expect((await current(`sfLma__License__c:${LICENSE_ID}`)).sfLma__Seats__c).toBe(doc.sfLma__Seats__c);
  // A manager's replicated write of a new record is taken. (Of an existing one
  // too, on CouchDB; pouchdb-server can't show it: see the note at the top.)
  const newId = 'a0L000000000009AAA';
  const fresh = { ...licenseDoc({ Id: newId }), _id: `sfLma__License__c:${newId}`, _rev: '1-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' };
  const refusedNew = await api.post(`${couch}/${db}/_bulk_docs`, {
    headers: basic(readOnly),
    data: { new_edits: false, docs: [fresh] },
  });
  expect((await refusedNew.json())[0].reason).toMatch(/^The Read Only profile can't modify licenses/);
  const ok = await api.post(`${couch}/${db}/_bulk_docs`, { headers: basic(manager), data: { new_edits: false, docs: [fresh] } });
  expect(ok.status(), await ok.text()).toBe(201);
  expect((await current(`sfLma__License__c:${newId}`))._rev).toBe(fresh._rev);
});
