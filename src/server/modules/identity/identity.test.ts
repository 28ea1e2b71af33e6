import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { and, asc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../../contracts/tenancy';
import { Client, TEST_ORIGIN, createTestApp, type TestApp } from '../../../../test/support/app';
import { PASSWORD, seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { sessions } from '../../platform/auth/schema';
import { hashPassword } from '../../platform/auth/passwords';
import { mails } from '../../platform/mail/schema';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { invitations } from './schema';

let t: TestApp;
let world: World;
let passwordHash: string;

before(async () => {
  t = await createTestApp();
  world = await seedWorld(t.platform.db);
  passwordHash = await hashPassword(PASSWORD);
});
after(async () => {
  await t?.close();
});

// --- helpers --------------------------------------------------------------------------

const GOOD_PASSWORD = 'une longue phrase de passe pour Hygie';
const api = (path: string) => `/api/v1${path}`;

/** One signed-in client per address, reused across tests (sessions die when the clock jumps: see forgetSessions). */
const clients = new Map<string, Client>();
async function clientFor(email: string): Promise<Client> {
  let c = clients.get(email);
  if (!c) {
    c = await signIn(t, email);
    clients.set(email, c);
  }
  return c;
}
const as = (who: WorldUser) => clientFor(world.users[who].email);
const forgetSessions = () => clients.clear();

/** A person of our own, with a password and memberships, written directly in the database. */
async function newUser(local: string, roles: [orgId: string, role: Role][]): Promise<{ id: string; email: string }> {
  const email = `${local}@test.hygie.fr`;
  const [u] = await t.platform.db.insert(users).values({ email, displayName: `Personne ${local}`, passwordHash }).returning({ id: users.id });
  for (const [orgId, role] of roles) await t.platform.db.insert(memberships).values({ userId: u.id, orgId, role });
  return { id: u.id, email };
}

async function count(table: 'organisations' | 'users' | 'memberships' | 'invitations' | 'audit_log' | 'mails'): Promise<number> {
  const { rows } = await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return Number(rows[0].n);
}

async function counts() {
  return {
    organisations: await count('organisations'),
    users: await count('users'),
    memberships: await count('memberships'),
    invitations: await count('invitations'),
    mails: await count('mails'),
  };
}

/** A French message: an accented letter or a common French word (messages are short, often unaccented). */
const FRENCH = /[àâçéèêëîïôûùüœ]|\b(le|la|les|de|des|du|un|une|est|ce|cette|vous|votre|pas|ou|et|au|inconnue?|invalide|attendue?|obligatoire|choisissez|veuillez)\b/i;
const ENGLISH = /\b(invalid|expected|required|must|received)\b/i;
function assertFrench(message: string, context: string) {
  assert.ok(typeof message === 'string' && message.length > 0, `${context}: no message`);
  assert.match(message, FRENCH, `${context}: message not in French: ${message}`);
  assert.doesNotMatch(message, ENGLISH, `${context}: message in English: ${message}`);
}

/** A 400 naming the field to fix, in French; `message` is matched exactly when given. */
function assertInvalid(res: LightMyRequestResponse, field: string, message?: string | RegExp, context = field) {
  assert.equal(res.statusCode, 400, `${context}: ${res.body}`);
  const { error } = res.json();
  assert.equal(error.code, 'validation', context);
  assert.equal(error.fields?.[0]?.path, field, `${context}: ${res.body}`);
  assertFrench(error.fields[0].message, context);
  assertFrench(error.message, context);
  if (typeof message === 'string') assert.equal(error.fields[0].message, message, context);
  else if (message) assert.match(error.fields[0].message, message, context);
}

function assertStatus(res: LightMyRequestResponse, status: number, code: string, context: string) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  assert.equal(res.json().error.code, code, context);
  assertFrench(res.json().error.message, context);
}

async function orgRow(id: string) {
  const [row] = await t.platform.db.select().from(organisations).where(eq(organisations.id, id));
  return row;
}
async function userRow(id: string) {
  const [row] = await t.platform.db.select().from(users).where(eq(users.id, id));
  return row;
}
async function usersByEmail(email: string) {
  return t.platform.db.select().from(users).where(eq(users.email, email));
}
async function membershipOf(userId: string, orgId: string) {
  const [row] = await t.platform.db.select().from(memberships).where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)));
  return row;
}
async function auditOf(action: string) {
  return t.platform.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.seq));
}
async function invitationRow(id: string) {
  const [row] = await t.platform.db.select().from(invitations).where(eq(invitations.id, id));
  return row;
}

/** Invites through the API and returns the token found in the mail kept in the database. */
async function invite(client: Client, body: { email: string; orgId: string; role: Role }) {
  const seen = new Set((await t.platform.db.select({ id: mails.id }).from(mails).where(eq(mails.to, body.email))).map((m) => m.id));
  const res = await client.post(api('/invitations'), body);
  assert.equal(res.statusCode, 200, res.body);
  const fresh = (await t.platform.db.select().from(mails).where(eq(mails.to, body.email))).filter((m) => !seen.has(m.id));
  assert.equal(fresh.length, 1, 'exactly one new mail per invitation');
  const match = /\/invitation#token=([A-Za-z0-9_-]+)/.exec(fresh[0].text ?? '');
  assert.ok(match, `no invitation link in the mail: ${fresh[0].text}`);
  return { token: match[1], invitation: res.json().invitation as { id: string; status: string; role: Role; orgId: string; orgName: string; email: string; expiresAt: string }, mail: fresh[0], body: res.body };
}

const anonymous = () => new Client(t.app);
const orgIdsOf = (res: LightMyRequestResponse) => (res.json().organisations as { id: string }[]).map((o) => o.id);

// --- the signed-in user ------------------------------------------------------------------

test('GET /me: the person, the memberships, the active organisation and the MFA status', async () => {
  const rssi = await (await as('rssi')).get(api('/me'));
  assert.equal(rssi.statusCode, 200);
  const me = rssi.json();
  assert.equal(me.user.id, world.users.rssi.id);
  assert.equal(me.user.email, world.users.rssi.email);
  assert.equal(me.user.platformAdmin, false);
  assert.equal(me.user.mfaEnabled, true); // enrolled by signIn: compulsory for an RSSI
  assert.equal(me.user.mfaCompulsory, true);
  assert.deepEqual(me.memberships, [{ orgId: world.orgs.hospital, orgName: 'CH Nord', orgKind: 'establishment', role: 'rssi' }]);
  assert.equal(me.activeOrgId, world.orgs.hospital);
  assert.equal(me.demo, false);

  const agent = (await (await as('agent')).get(api('/me'))).json();
  assert.equal(agent.user.mfaEnabled, false);
  assert.equal(agent.user.mfaCompulsory, false);
  assert.deepEqual(agent.memberships, [{ orgId: world.orgs.service, orgName: 'Urgences', orgKind: 'service', role: 'agent' }]);
  assert.equal(agent.activeOrgId, world.orgs.service);

  const admin = (await (await as('admin')).get(api('/me'))).json();
  assert.equal(admin.user.platformAdmin, true);
  assert.equal(admin.user.mfaCompulsory, true);
  assert.equal(admin.user.mfaEnabled, true);
  assert.deepEqual(admin.memberships, []);
  assert.equal(admin.activeOrgId, null);

  assertStatus(await anonymous().get(api('/me')), 401, 'unauthenticated', 'GET /me without a session');
});

test('PATCH /me changes the name and the language; bad input gets 400 with the field and writes nothing', async () => {
  const person = await newUser('profile.person', [[world.orgs.hospital, 'agent']]);
  const c = await clientFor(person.email);

  const ok = await c.patch(api('/me'), { displayName: '  Camille Martin  ', locale: 'en' });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().user.displayName, 'Camille Martin');
  assert.equal(ok.json().user.locale, 'en');
  const row = await userRow(person.id);
  assert.equal(row.displayName, 'Camille Martin');
  assert.equal(row.locale, 'en');
  assert.equal((await c.get(api('/me'))).json().user.displayName, 'Camille Martin');

  assertInvalid(await c.patch(api('/me'), { displayName: 'x' }), 'displayName', 'Le nom doit contenir au moins 2 caractères.');
  assertInvalid(await c.patch(api('/me'), { displayName: 'x'.repeat(121) }), 'displayName', 'Le nom doit contenir au plus 120 caractères.');
  assertInvalid(await c.patch(api('/me'), { locale: 'de' }), 'locale');
  const after = await userRow(person.id);
  assert.equal(after.displayName, 'Camille Martin');
  assert.equal(after.locale, 'en');

  // Nothing to change is not an error (it used to answer 500).
  const empty = await c.patch(api('/me'), {});
  assert.equal(empty.statusCode, 200, empty.body);
  assert.equal(empty.json().user.displayName, 'Camille Martin');
  assert.equal((await userRow(person.id)).displayName, 'Camille Martin');
});

test('POST /me/active-organisation: one of one’s own memberships only; the choice lasts for the session', async () => {
  const person = await newUser('switch.person', [
    [world.orgs.hospital, 'referent'],
    [world.orgs.ehpad, 'agent'],
  ]);
  const c = await clientFor(person.email);
  const me = (await c.get(api('/me'))).json();
  assert.equal(me.memberships.length, 2);
  const other = me.activeOrgId === world.orgs.hospital ? world.orgs.ehpad : world.orgs.hospital;

  const res = await c.post(api('/me/active-organisation'), { orgId: other });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().activeOrgId, other);
  assert.equal((await c.get(api('/me'))).json().activeOrgId, other);
  const stored = await t.platform.db.select().from(sessions).where(eq(sessions.userId, person.id));
  assert.deepEqual(
    stored.map((s) => s.activeOrgId),
    [other],
  );

  for (const [label, orgId] of [
    ['a foreign organisation', world.orgs.clinic],
    ['an organisation above his own, without membership', world.orgs.north],
    ['an organisation that does not exist', randomUUID()],
  ] as const) {
    assertStatus(await c.post(api('/me/active-organisation'), { orgId }), 404, 'not_found', label);
  }
  assertInvalid(await c.post(api('/me/active-organisation'), { orgId: 'pas-un-uuid' }), 'orgId', 'Choisissez une organisation.');
  assert.equal((await c.get(api('/me'))).json().activeOrgId, other, 'the refused switches changed nothing');
});

// --- organisations -------------------------------------------------------------------------

test('GET /organisations is scoped to what the person may see', async () => {
  const o = world.orgs;
  const rssi = orgIdsOf(await (await as('rssi')).get(api('/organisations')));
  for (const id of [o.hospital, o.site, o.service]) assert.ok(rssi.includes(id), 'the RSSI sees his establishment and below');
  for (const id of [o.north, o.ght, o.ehpad, o.south, o.clinic]) assert.ok(!rssi.includes(id), 'nothing above, beside or in the other region');

  const agent = orgIdsOf(await (await as('agent')).get(api('/organisations')));
  assert.deepEqual(agent, [o.service]);

  const coord = orgIdsOf(await (await as('coordRegion')).get(api('/organisations')));
  for (const id of [o.north, o.ght, o.hospital, o.site, o.service, o.ehpad]) assert.ok(coord.includes(id));
  for (const id of [o.south, o.clinic]) assert.ok(!coord.includes(id), 'a regional coordinator never sees another region');

  const foreign = orgIdsOf(await (await as('foreignRssi')).get(api('/organisations')));
  assert.ok(foreign.includes(o.clinic));
  for (const id of [o.north, o.ght, o.hospital, o.site, o.service, o.ehpad, o.south]) assert.ok(!foreign.includes(id));

  const admin = orgIdsOf(await (await as('admin')).get(api('/organisations')));
  for (const id of Object.values(o)) assert.ok(admin.includes(id), 'the administrator sees every organisation');

  const c = await as('rssi');
  assert.deepEqual(new Set(orgIdsOf(await c.get(api(`/organisations?under=${o.site}`)))), new Set([o.site, o.service]));
  for (const [label, id] of [
    ['the other region', o.clinic],
    ['the other establishment of the GHT', o.ehpad],
    ['the GHT above', o.ght],
  ] as const) {
    const res = await c.get(api(`/organisations?under=${id}`));
    assert.ok([403, 404].includes(res.statusCode), `under=${label}: ${res.statusCode}`);
    assert.equal(res.json().organisations, undefined, `under=${label} reveals no list`);
  }
  assertStatus(await c.get(api(`/organisations?under=${randomUUID()}`)), 404, 'not_found', 'under an unknown organisation');

  const urg = (await c.get(api('/organisations?q=urg'))).json().organisations;
  assert.deepEqual(
    urg.map((x: { name: string }) => x.name),
    ['Urgences'],
    'search is case-insensitive and matches part of the name',
  );
  assert.deepEqual((await c.get(api('/organisations?q=Clinique'))).json().organisations, [], 'search never reaches outside the scope');
  const sud = (await (await as('admin')).get(api('/organisations?q=sud'))).json().organisations.map((x: { id: string }) => x.id);
  assert.ok(sud.includes(o.south) && sud.includes(o.clinic) && !sud.includes(o.north));
  const sites = (await c.get(api('/organisations?kind=site'))).json().organisations as { kind: string }[];
  assert.ok(sites.length >= 1 && sites.every((x) => x.kind === 'site'));
});

test('POST /organisations: a regional coordinator creates a GHT and an establishment in his region, nowhere else', async () => {
  const c = await as('coordRegion');
  const ght = await c.post(api('/organisations'), { kind: 'ght', name: 'GHT Littoral', parentId: world.orgs.north });
  assert.equal(ght.statusCode, 200, ght.body);
  const g = ght.json().organisation;
  assert.equal(g.kind, 'ght');
  assert.equal(g.parentId, world.orgs.north);
  assert.deepEqual((await orgRow(g.id)).ancestors, [world.orgs.north]);
  const created = (await auditOf('identity.organisation.created')).find((e) => e.targetId === g.id);
  assert.equal(created?.actorId, world.users.coordRegion.id);

  const est = await c.post(api('/organisations'), { kind: 'establishment', name: 'CH Littoral', parentId: g.id, finess: '590000037', category: 'CH' });
  assert.equal(est.statusCode, 200, est.body);
  const e = est.json().organisation;
  assert.equal(e.finess, '590000037');
  assert.equal(e.category, 'CH');
  assert.deepEqual((await orgRow(e.id)).ancestors, [world.orgs.north, g.id]);

  const before = await counts();
  assertStatus(await c.post(api('/organisations'), { kind: 'ght', name: 'GHT Provence', parentId: world.orgs.south }), 403, 'forbidden', 'in the other region');
  assertStatus(await c.post(api('/organisations'), { kind: 'region', name: 'Région Est', parentId: null }), 403, 'forbidden', 'a region (administrators only)');
  assert.deepEqual(await counts(), before);

  const region = await (await as('admin')).post(api('/organisations'), { kind: 'region', name: 'Région Est', parentId: null });
  assert.equal(region.statusCode, 200, region.body);
  assert.deepEqual((await orgRow(region.json().organisation.id)).ancestors, []);
});

test('POST /organisations: an RSSI creates sites and services under his establishment, but no establishment; an agent creates nothing', async () => {
  const c = await as('rssi');
  const site = await c.post(api('/organisations'), { kind: 'site', name: 'Site B', parentId: world.orgs.hospital });
  assert.equal(site.statusCode, 200, site.body);
  const s = site.json().organisation;
  const service = await c.post(api('/organisations'), { kind: 'service', name: 'Cardiologie', parentId: s.id });
  assert.equal(service.statusCode, 200, service.body);
  assert.deepEqual((await orgRow(service.json().organisation.id)).ancestors, [world.orgs.north, world.orgs.ght, world.orgs.hospital, s.id]);
  assert.ok(orgIdsOf(await c.get(api('/organisations'))).includes(service.json().organisation.id), 'the new service is in his list');

  const before = await counts();
  for (const [label, body] of [
    ['an establishment under the GHT', { kind: 'establishment', name: 'CH Bis', parentId: world.orgs.ght, category: 'CH' }],
    ['an establishment under his own establishment', { kind: 'establishment', name: 'CH Ter', parentId: world.orgs.hospital, category: 'CH' }],
    ['a site of the other establishment', { kind: 'site', name: 'Site EHPAD', parentId: world.orgs.ehpad }],
    ['a site of the other region', { kind: 'site', name: 'Site Sud', parentId: world.orgs.clinic }],
  ] as const) {
    assertStatus(await c.post(api('/organisations'), body), 403, 'forbidden', `RSSI: ${label}`);
  }
  const agent = await as('agent');
  assertStatus(await agent.post(api('/organisations'), { kind: 'service', name: 'Service X', parentId: world.orgs.site }), 403, 'forbidden', 'agent: a service');
  assertStatus(await agent.post(api('/organisations'), { kind: 'site', name: 'Site X', parentId: world.orgs.hospital }), 403, 'forbidden', 'agent: a site');
  assert.deepEqual(await counts(), before, 'nothing written');
});

test('POST /organisations: bad input gets 400 on the right field, and nothing is written', async () => {
  const c = await as('coordRegion');
  const before = { ...(await counts()), audit: await count('audit_log') };
  assertInvalid(await c.post(api('/organisations'), { kind: 'site', name: 'Site sous GHT', parentId: world.orgs.ght }), 'parentId', undefined, 'wrong parent kind');
  assertInvalid(
    await c.post(api('/organisations'), { kind: 'establishment', name: 'CH Faux', parentId: world.orgs.north, finess: '12345', category: 'CH' }),
    'finess',
    /FINESS compte 9 caractères/,
    'FINESS format',
  );
  assertInvalid(
    await c.post(api('/organisations'), { kind: 'establishment', name: 'CH Doublon', parentId: world.orgs.north, finess: '590000011', category: 'CH' }),
    'finess',
    'Ce numéro FINESS est déjà utilisé par un autre établissement.',
    'duplicate FINESS',
  );
  assertInvalid(await c.post(api('/organisations'), { kind: 'establishment', name: 'CH Sans Catégorie', parentId: world.orgs.north }), 'category', 'Choisissez la catégorie de l’établissement.');
  assertInvalid(await c.post(api('/organisations'), { kind: 'site', name: 'Site FINESS', parentId: world.orgs.hospital, finess: '590000045' }), 'finess', undefined, 'FINESS on a site');
  assertInvalid(await c.post(api('/organisations'), { kind: 'site', name: 'S', parentId: world.orgs.hospital }), 'name', 'Le nom doit contenir au moins 2 caractères.');
  assert.deepEqual({ ...(await counts()), audit: await count('audit_log') }, before, 'no organisation and no audit entry written');
});

test('PATCH /organisations/:id: a manager renames and archives; an outsider gets 404, an agent 403', async () => {
  const c = await as('rssi');
  const created = await c.post(api('/organisations'), { kind: 'site', name: 'Site C', parentId: world.orgs.hospital });
  const id = created.json().organisation.id as string;

  const renamed = await c.patch(api(`/organisations/${id}`), { name: 'Site C, bâtiment 2' });
  assert.equal(renamed.statusCode, 200, renamed.body);
  assert.equal(renamed.json().organisation.name, 'Site C, bâtiment 2');
  assert.equal((await orgRow(id)).name, 'Site C, bâtiment 2');

  const archived = await c.patch(api(`/organisations/${id}`), { archived: true });
  assert.equal(archived.json().organisation.archived, true);
  assert.ok((await orgRow(id)).archivedAt instanceof Date);
  const restored = await c.patch(api(`/organisations/${id}`), { archived: false });
  assert.equal(restored.json().organisation.archived, false);
  assert.equal((await orgRow(id)).archivedAt, null);
  assert.equal((await auditOf('identity.organisation.updated')).filter((e) => e.targetId === id).length, 3);

  // An empty change answers the organisation as it is (it used to answer 500).
  const empty = await c.patch(api(`/organisations/${id}`), {});
  assert.equal(empty.statusCode, 200, empty.body);
  assert.equal(empty.json().organisation.name, 'Site C, bâtiment 2');
  assert.equal((await auditOf('identity.organisation.updated')).filter((e) => e.targetId === id).length, 3, 'nothing to audit');

  assertStatus(await (await as('foreignRssi')).patch(api(`/organisations/${id}`), { name: 'Piraté' }), 404, 'not_found', 'RSSI of the other region');
  assertStatus(await (await as('ehpadRssi')).patch(api(`/organisations/${id}`), { archived: true }), 404, 'not_found', 'RSSI of the other establishment');
  assertStatus(await (await as('agent')).patch(api(`/organisations/${world.orgs.service}`), { name: 'Mon service' }), 403, 'forbidden', 'agent on his own service');
  assert.equal((await orgRow(id)).name, 'Site C, bâtiment 2');
  assert.equal((await orgRow(id)).archivedAt, null);
  assert.equal((await orgRow(world.orgs.service)).name, 'Urgences');

  assertInvalid(await c.patch(api(`/organisations/${id}`), { finess: '590000045' }), 'finess', undefined, 'FINESS on a site');
  assertInvalid(await c.patch(api(`/organisations/${world.orgs.hospital}`), { finess: '590000029' }), 'finess', 'Ce numéro FINESS est déjà utilisé par un autre établissement.');
  assert.equal((await orgRow(world.orgs.hospital)).finess, '590000011');
});

// --- users and memberships ----------------------------------------------------------------

test('GET /users lists the members of an organisation and below, to its managers only', async () => {
  const c = await as('rssi');
  const res = await c.get(api(`/users?orgId=${world.orgs.hospital}`));
  assert.equal(res.statusCode, 200, res.body);
  const list = res.json().users as { id: string; email: string; memberships: { orgId: string; role: string }[] }[];
  const ids = list.map((u) => u.id);
  for (const who of ['agent', 'referent', 'rssi', 'direction'] as const) assert.ok(ids.includes(world.users[who].id), `${who} is listed`);
  for (const who of ['coordGht', 'coordRegion', 'ehpadRssi', 'foreignRssi', 'foreignCoord', 'admin'] as const) assert.ok(!ids.includes(world.users[who].id), `${who} is not`);
  assert.deepEqual(list.find((u) => u.id === world.users.agent.id)?.memberships, [{ orgId: world.orgs.service, orgName: 'Urgences', orgKind: 'service', role: 'agent' }]);
  assert.ok(!res.body.includes(world.orgs.clinic) && !res.body.includes(world.orgs.ehpad), 'no membership outside the subtree is shown');

  const q = (await c.get(api(`/users?orgId=${world.orgs.hospital}&q=${encodeURIComponent('test referent')}`))).json().users;
  assert.deepEqual(
    q.map((u: { email: string }) => u.email),
    [world.users.referent.email],
  );

  const ght = (await (await as('coordGht')).get(api(`/users?orgId=${world.orgs.ght}`))).json().users.map((u: { id: string }) => u.id);
  for (const who of ['coordGht', 'rssi', 'ehpadRssi', 'agent'] as const) assert.ok(ght.includes(world.users[who].id));
  assert.ok(!ght.includes(world.users.foreignRssi.id));

  assertStatus(await (await as('agent')).get(api(`/users?orgId=${world.orgs.service}`)), 403, 'forbidden', 'agent on his own service');
  assertStatus(await (await as('foreignRssi')).get(api(`/users?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'RSSI of the other region');
  assertStatus(await (await as('ehpadRssi')).get(api(`/users?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'RSSI of the other establishment');
  assertStatus(await c.get(api(`/users?orgId=${randomUUID()}`)), 404, 'not_found', 'unknown organisation');
});

test('PUT /users/:id/membership: a role valid for the organisation kind, never one’s own', async () => {
  const person = await newUser('role.person', [[world.orgs.hospital, 'agent']]);
  const c = await as('rssi');

  const ok = await c.put(api(`/users/${person.id}/membership`), { orgId: world.orgs.hospital, role: 'referent' });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal((await membershipOf(person.id, world.orgs.hospital))?.role, 'referent');
  const entry = (await auditOf('identity.membership.set')).find((e) => e.targetId === person.id);
  assert.equal(entry?.actorId, world.users.rssi.id);
  assert.deepEqual(entry?.details, { role: 'referent', email: person.email });

  assert.equal((await c.put(api(`/users/${person.id}/membership`), { orgId: world.orgs.site, role: 'agent' })).statusCode, 200);
  assert.equal((await membershipOf(person.id, world.orgs.site))?.role, 'agent');

  assertStatus(await c.put(api(`/users/${person.id}/membership`), { orgId: world.orgs.hospital, role: 'coord_region' }), 403, 'forbidden', 'coord_region on an establishment');
  assertStatus(
    await (await as('coordRegion')).put(api(`/users/${person.id}/membership`), { orgId: world.orgs.hospital, role: 'coord_region' }),
    403,
    'forbidden',
    'coord_region on an establishment, even by a regional coordinator',
  );
  assertStatus(await c.put(api(`/users/${person.id}/membership`), { orgId: world.orgs.site, role: 'rssi' }), 403, 'forbidden', 'rssi on a site');
  assertStatus(await c.put(api(`/users/${world.users.rssi.id}/membership`), { orgId: world.orgs.hospital, role: 'direction' }), 403, 'forbidden', 'his own role');
  assert.equal((await membershipOf(person.id, world.orgs.hospital))?.role, 'referent');
  assert.equal((await membershipOf(world.users.rssi.id, world.orgs.hospital))?.role, 'rssi');

  assertStatus(await c.put(api(`/users/${person.id}/membership`), { orgId: world.orgs.clinic, role: 'agent' }), 404, 'not_found', 'a role in the other region');
  assertStatus(await c.put(api(`/users/${randomUUID()}/membership`), { orgId: world.orgs.hospital, role: 'agent' }), 404, 'not_found', 'an unknown person');
  assertStatus(await c.put(api(`/users/${world.users.foreignRssi.id}/membership`), { orgId: world.orgs.hospital, role: 'agent' }), 404, 'not_found', 'a person of the other region');
  assertStatus(
    await (await as('foreignRssi')).put(api(`/users/${person.id}/membership`), { orgId: world.orgs.hospital, role: 'rssi' }),
    404,
    'not_found',
    'foreign RSSI on our person',
  );
  assert.equal(await membershipOf(person.id, world.orgs.clinic), undefined);
  assert.equal(await membershipOf(world.users.foreignRssi.id, world.orgs.hospital), undefined);
  assert.equal((await membershipOf(person.id, world.orgs.hospital))?.role, 'referent');
});

test('DELETE /users/:id/membership removes a membership, never one’s own', async () => {
  const person = await newUser('leaving.person', [
    [world.orgs.hospital, 'agent'],
    [world.orgs.site, 'referent'],
  ]);
  const c = await as('rssi');
  const res = await c.delete(api(`/users/${person.id}/membership?orgId=${world.orgs.site}`));
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(await membershipOf(person.id, world.orgs.site), undefined);
  assert.ok((await membershipOf(person.id, world.orgs.hospital)) !== undefined, 'the other membership stays');
  assert.deepEqual((await auditOf('identity.membership.removed')).find((e) => e.targetId === person.id)?.details, { role: 'referent', email: person.email });

  assertStatus(await c.delete(api(`/users/${person.id}/membership?orgId=${world.orgs.site}`)), 404, 'not_found', 'already removed');
  assertStatus(await c.delete(api(`/users/${world.users.rssi.id}/membership?orgId=${world.orgs.hospital}`)), 403, 'forbidden', 'his own membership');
  assertStatus(await (await as('foreignRssi')).delete(api(`/users/${person.id}/membership?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'foreign RSSI');
  assertStatus(await (await as('agent')).delete(api(`/users/${person.id}/membership?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'an agent of a service');
  assert.ok((await membershipOf(world.users.rssi.id, world.orgs.hospital)) !== undefined);
  assert.ok((await membershipOf(person.id, world.orgs.hospital)) !== undefined);
});

test('POST /users/:id/status: disabling closes the sessions at once and blocks the login; enabling restores it', async () => {
  const person = await newUser('disabled.person', [[world.orgs.hospital, 'agent']]);
  const own = new Client(t.app);
  assert.equal((await own.post(api('/auth/login'), { email: person.email, password: PASSWORD })).statusCode, 200);
  assert.equal((await own.get(api('/me'))).statusCode, 200);

  const c = await as('rssi');
  const res = await c.post(api(`/users/${person.id}/status`), { orgId: world.orgs.hospital, status: 'disabled' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((await userRow(person.id)).status, 'disabled');
  assert.deepEqual(await t.platform.db.select().from(sessions).where(eq(sessions.userId, person.id)), []);
  assertStatus(await own.get(api('/me')), 401, 'unauthenticated', 'his open session');
  assertStatus(await new Client(t.app).post(api('/auth/login'), { email: person.email, password: PASSWORD }), 401, 'unauthenticated', 'login of a disabled account');
  assert.equal((await auditOf('identity.user.disabled')).find((e) => e.targetId === person.id)?.actorId, world.users.rssi.id);

  assertStatus(await (await as('foreignRssi')).post(api(`/users/${person.id}/status`), { orgId: world.orgs.hospital, status: 'active' }), 404, 'not_found', 'foreign RSSI');
  assert.equal((await userRow(person.id)).status, 'disabled');

  assert.equal((await c.post(api(`/users/${person.id}/status`), { orgId: world.orgs.hospital, status: 'active' })).statusCode, 200);
  assert.equal((await userRow(person.id)).status, 'active');
  const again = new Client(t.app);
  assert.equal((await again.post(api('/auth/login'), { email: person.email, password: PASSWORD })).statusCode, 200);
  assert.equal((await again.get(api('/me'))).json().user.id, person.id);

  assertStatus(await c.post(api(`/users/${world.users.rssi.id}/status`), { orgId: world.orgs.hospital, status: 'disabled' }), 403, 'forbidden', 'his own account');
  assert.equal((await userRow(world.users.rssi.id)).status, 'active');
});

test('POST /users/:id/status: an RSSI cannot disable someone who also belongs to an establishment he does not manage; the administrator can', async () => {
  const person = await newUser('shared.person', [
    [world.orgs.hospital, 'agent'],
    [world.orgs.ehpad, 'agent'],
  ]);
  const deniedBefore = (await auditOf('access.denied')).length;
  assertStatus(await (await as('rssi')).post(api(`/users/${person.id}/status`), { orgId: world.orgs.hospital, status: 'disabled' }), 403, 'forbidden', 'RSSI of one of the two');
  assert.equal((await userRow(person.id)).status, 'active');
  const denials = await auditOf('access.denied');
  assert.equal(denials.length, deniedBefore + 1);
  assert.equal(denials.at(-1)?.details.policy, 'identity:account.status');

  const ght = await as('coordGht'); // manages both establishments
  assert.equal((await ght.post(api(`/users/${person.id}/status`), { orgId: world.orgs.ght, status: 'disabled' })).statusCode, 200);
  assert.equal((await userRow(person.id)).status, 'disabled');
  assert.equal((await ght.post(api(`/users/${person.id}/status`), { orgId: world.orgs.ght, status: 'active' })).statusCode, 200);

  const admin = await as('admin');
  assert.equal((await admin.post(api(`/users/${person.id}/status`), { orgId: world.orgs.hospital, status: 'disabled' })).statusCode, 200);
  assert.equal((await userRow(person.id)).status, 'disabled');
  assert.equal((await admin.post(api(`/users/${person.id}/status`), { orgId: world.orgs.hospital, status: 'active' })).statusCode, 200);
  assert.equal((await userRow(person.id)).status, 'active');
});

// --- invitations ----------------------------------------------------------------------------

test('invitation journey: invite, the mail, preview, password rules, accept once, sign in', async () => {
  const email = 'new.person@test.hygie.fr';
  const c = await as('rssi');
  const { token, invitation, mail, body } = await invite(c, { email, orgId: world.orgs.hospital, role: 'agent' });
  assert.equal(invitation.email, email);
  assert.equal(invitation.orgId, world.orgs.hospital);
  assert.equal(invitation.orgName, 'CH Nord');
  assert.equal(invitation.role, 'agent');
  assert.equal(invitation.status, 'pending');
  assert.equal(new Date(invitation.expiresAt).getTime(), t.clock.now().getTime() + 7 * 24 * 3_600_000);
  assert.equal(mail.status, 'kept', 'no SMTP: the mail is kept in the database');
  assert.match(mail.subject, /CH Nord/);
  assert.ok(mail.text?.includes(`${TEST_ORIGIN}/invitation#token=${token}`), 'the token travels in the fragment');
  assert.ok(!body.includes(token), 'the API answer does not carry the token');

  // The token is written nowhere but in the mail: not in the audit log, not in the invitations table.
  const audit = await t.platform.db.select().from(auditLog);
  assert.ok(!JSON.stringify(audit).includes(token), 'the token is not in the audit table');
  const created = audit.find((e) => e.action === 'identity.invitation.created' && e.targetId === invitation.id);
  assert.deepEqual(created?.details, { email, role: 'agent' });
  const row = await invitationRow(invitation.id);
  assert.notEqual(row.tokenHash, token);
  assert.ok(!JSON.stringify(row).includes(token));

  const preview = await anonymous().post(api('/invitations/preview'), { token });
  assert.equal(preview.statusCode, 200, preview.body);
  assert.deepEqual(preview.json(), { email, orgName: 'CH Nord', role: 'agent', accountExists: false });

  const stranger = anonymous();
  assertInvalid(await stranger.post(api('/invitations/accept'), { token, displayName: 'Nouvelle Personne', password: 'court' }), 'password', /au moins 12 caractères/, 'too short');
  assertInvalid(await stranger.post(api('/invitations/accept'), { token, displayName: 'Nouvelle Personne', password: 'azertyuiop123' }), 'password', /plus utilisés/, 'common password');
  assertInvalid(await stranger.post(api('/invitations/accept'), { token, password: GOOD_PASSWORD }), 'displayName', 'Le nom est obligatoire.');
  assert.deepEqual(await usersByEmail(email), [], 'no account after refused attempts');
  assert.equal((await invitationRow(invitation.id)).acceptedAt, null);

  const accepted = await stranger.post(api('/invitations/accept'), { token, displayName: 'Nouvelle Personne', password: GOOD_PASSWORD });
  assert.equal(accepted.statusCode, 200, accepted.body);
  const [user] = await usersByEmail(email);
  assert.equal(user.displayName, 'Nouvelle Personne');
  assert.equal((await membershipOf(user.id, world.orgs.hospital))?.role, 'agent');
  assert.ok((await invitationRow(invitation.id)).acceptedAt instanceof Date);
  const acceptedEntry = (await auditOf('identity.invitation.accepted')).find((e) => e.targetId === invitation.id);
  assert.equal(acceptedEntry?.actorId, user.id);
  assert.deepEqual(acceptedEntry?.details, { role: 'agent', newAccount: true });
  assert.ok(!JSON.stringify(await t.platform.db.select().from(auditLog)).includes(token));

  const newcomer = await signIn(t, email, GOOD_PASSWORD);
  const me = (await newcomer.get(api('/me'))).json();
  assert.equal(me.user.id, user.id);
  assert.deepEqual(me.memberships, [{ orgId: world.orgs.hospital, orgName: 'CH Nord', orgKind: 'establishment', role: 'agent' }]);

  assertInvalid(await anonymous().post(api('/invitations/accept'), { token, displayName: 'Autre Personne', password: GOOD_PASSWORD }), 'token', undefined, 'second accept');
  assertInvalid(await anonymous().post(api('/invitations/preview'), { token }), 'token', undefined, 'preview after use');
  assert.equal((await usersByEmail(email)).length, 1);
});

test('invitation: two accepts at the same time, exactly one wins and one account exists', async () => {
  const email = 'race.person@test.hygie.fr';
  const { token, invitation } = await invite(await as('rssi'), { email, orgId: world.orgs.hospital, role: 'referent' });
  const results = await Promise.all([
    anonymous().post(api('/invitations/accept'), { token, displayName: 'Première Course', password: GOOD_PASSWORD }),
    anonymous().post(api('/invitations/accept'), { token, displayName: 'Seconde Course', password: GOOD_PASSWORD }),
  ]);
  assert.deepEqual(
    results.map((r) => r.statusCode).sort(),
    [200, 400],
    results.map((r) => r.body).join(' | '),
  );
  const loser = results.find((r) => r.statusCode === 400)!;
  assert.equal(loser.json().error.fields[0].path, 'token');
  const accounts = await usersByEmail(email);
  assert.equal(accounts.length, 1);
  const rows = await t.platform.db.select().from(memberships).where(eq(memberships.userId, accounts[0].id));
  assert.deepEqual(
    rows.map((m) => [m.orgId, m.role]),
    [[world.orgs.hospital, 'referent']],
  );
  assert.equal((await auditOf('identity.invitation.accepted')).filter((e) => e.targetId === invitation.id).length, 1);

  // Once accepted, an invitation can no longer be revoked.
  assertStatus(await (await as('rssi')).post(api(`/invitations/${invitation.id}/revoke`)), 409, 'conflict', 'revoke an accepted invitation');
});

test('invitation: a revoked invitation no longer works', async () => {
  const email = 'revoked.person@test.hygie.fr';
  const c = await as('rssi');
  const { token, invitation } = await invite(c, { email, orgId: world.orgs.hospital, role: 'agent' });

  assertStatus(await (await as('foreignRssi')).post(api(`/invitations/${invitation.id}/revoke`)), 404, 'not_found', 'foreign RSSI');
  assertStatus(await (await as('agent')).post(api(`/invitations/${invitation.id}/revoke`)), 404, 'not_found', 'agent of a service');
  assert.equal((await invitationRow(invitation.id)).revokedAt, null);

  const res = await c.post(api(`/invitations/${invitation.id}/revoke`));
  assert.equal(res.statusCode, 200, res.body);
  assert.ok((await invitationRow(invitation.id)).revokedAt instanceof Date);
  assert.equal((await auditOf('identity.invitation.revoked')).find((e) => e.targetId === invitation.id)?.actorId, world.users.rssi.id);

  assertInvalid(await anonymous().post(api('/invitations/preview'), { token }), 'token', undefined, 'preview of a revoked invitation');
  assertInvalid(await anonymous().post(api('/invitations/accept'), { token, displayName: 'Révoquée', password: GOOD_PASSWORD }), 'token', undefined, 'accept of a revoked invitation');
  assert.deepEqual(await usersByEmail(email), []);
});

test('invitation: inviting the same address again replaces the pending invitation', async () => {
  const email = 'twice.person@test.hygie.fr';
  const c = await as('rssi');
  const first = await invite(c, { email, orgId: world.orgs.hospital, role: 'agent' });
  const second = await invite(c, { email, orgId: world.orgs.hospital, role: 'referent' });
  assert.notEqual(first.token, second.token);
  assert.ok((await invitationRow(first.invitation.id)).revokedAt instanceof Date, 'the first one is revoked');
  assert.equal((await invitationRow(second.invitation.id)).revokedAt, null);

  assertInvalid(await anonymous().post(api('/invitations/preview'), { token: first.token }), 'token', undefined, 'old token');
  assertInvalid(await anonymous().post(api('/invitations/accept'), { token: first.token, displayName: 'Deux Fois', password: GOOD_PASSWORD }), 'token', undefined, 'old token');
  const preview = await anonymous().post(api('/invitations/preview'), { token: second.token });
  assert.equal(preview.json().role, 'referent');

  const list = (await c.get(api(`/invitations?orgId=${world.orgs.hospital}`))).json().invitations as { id: string; status: string }[];
  assert.equal(list.find((i) => i.id === first.invitation.id)?.status, 'revoked');
  assert.equal(list.find((i) => i.id === second.invitation.id)?.status, 'pending');
});

test('invitation: two invitations to one new address accepted at the same time make one account; the other asks to sign in and still works', async () => {
  const email = 'dual.person@test.hygie.fr';
  const c = await as('coordGht');
  const toHospital = await invite(c, { email, orgId: world.orgs.hospital, role: 'agent' });
  const toEhpad = await invite(c, { email, orgId: world.orgs.ehpad, role: 'referent' });
  const results = await Promise.all(
    [toHospital, toEhpad].map(({ token }) => anonymous().post(api('/invitations/accept'), { token, displayName: 'Double Invitation', password: GOOD_PASSWORD })),
  );
  // It used to answer 500 (unique e-mail violated) to the second one.
  assert.deepEqual(
    results.map((r) => r.statusCode).sort(),
    [200, 409],
    results.map((r) => r.body).join(' | '),
  );
  const loser = results.find((r) => r.statusCode === 409)!;
  assertStatus(loser, 409, 'conflict', 'the second accept');
  assert.match(loser.json().error.message, /connectez-vous/);
  const accounts = await usersByEmail(email);
  assert.equal(accounts.length, 1);
  const left = results[0].statusCode === 409 ? toHospital : toEhpad;
  assert.equal((await invitationRow(left.invitation.id)).acceptedAt, null, 'nothing of the refused accept was kept');
  assert.equal((await t.platform.db.select().from(memberships).where(eq(memberships.userId, accounts[0].id))).length, 1);

  const own = await signIn(t, email, GOOD_PASSWORD);
  const res = await own.post(api('/invitations/accept'), { token: left.token });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(
    new Set((await t.platform.db.select().from(memberships).where(eq(memberships.userId, accounts[0].id))).map((m) => `${m.orgId}:${m.role}`)),
    new Set([`${world.orgs.hospital}:agent`, `${world.orgs.ehpad}:referent`]),
  );
});

test('invitation of an existing account: the invited person must be signed in with that address', async () => {
  const person = await newUser('existing.person', [[world.orgs.hospital, 'agent']]);
  const { token, invitation } = await invite(await as('coordGht'), { email: person.email, orgId: world.orgs.ehpad, role: 'referent' });

  const preview = await anonymous().post(api('/invitations/preview'), { token });
  assert.deepEqual(preview.json(), { email: person.email, orgName: 'EHPAD Nord', role: 'referent', accountExists: true });

  const nobody = await anonymous().post(api('/invitations/accept'), { token });
  assertStatus(nobody, 403, 'forbidden', 'accept without a session');
  assert.match(nobody.json().error.message, /Connectez-vous/);
  assert.ok(nobody.json().error.message.includes(person.email));
  assertStatus(await (await as('agent')).post(api('/invitations/accept'), { token }), 403, 'forbidden', 'accept signed in as someone else');
  assert.equal(await membershipOf(person.id, world.orgs.ehpad), undefined);

  const own = await clientFor(person.email);
  const res = await own.post(api('/invitations/accept'), { token });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal((await membershipOf(person.id, world.orgs.ehpad))?.role, 'referent');
  const me = (await own.get(api('/me'))).json();
  assert.deepEqual(new Set(me.memberships.map((m: { orgId: string; role: string }) => `${m.orgId}:${m.role}`)), new Set([`${world.orgs.hospital}:agent`, `${world.orgs.ehpad}:referent`]));
  assert.equal((await usersByEmail(person.email)).length, 1, 'no second account');
  assert.equal((await auditOf('identity.invitation.accepted')).find((e) => e.targetId === invitation.id)?.details.newAccount, false);
  assertInvalid(await own.post(api('/invitations/accept'), { token }), 'token', undefined, 'second accept');
});

test('invitation of one’s own address is refused: it would change one’s own role', async () => {
  const c = await as('rssi');
  const before = await count('invitations');
  assertStatus(await c.post(api('/invitations'), { email: world.users.rssi.email, orgId: world.orgs.hospital, role: 'direction' }), 403, 'forbidden', 'self-invitation');
  assert.equal(await count('invitations'), before);
  assert.equal((await membershipOf(world.users.rssi.id, world.orgs.hospital))?.role, 'rssi');
  assertStatus(await c.post(api('/invitations'), { email: 'someone.else@test.hygie.fr', orgId: world.orgs.hospital, role: 'coord_region' }), 403, 'forbidden', 'a role not held in an establishment');
  assertStatus(await (await as('agent')).post(api('/invitations'), { email: 'friend.of.agent@test.hygie.fr', orgId: world.orgs.service, role: 'agent' }), 403, 'forbidden', 'an agent invites');
  assertStatus(await (await as('foreignRssi')).post(api('/invitations'), { email: 'spy@test.hygie.fr', orgId: world.orgs.hospital, role: 'agent' }), 404, 'not_found', 'foreign RSSI invites to our establishment');
  assert.equal(await count('invitations'), before);
});

test('GET /invitations lists an organisation’s invitations and those below it, with their status', async () => {
  const c = await as('rssi');
  const pending = await invite(c, { email: 'list.pending@test.hygie.fr', orgId: world.orgs.hospital, role: 'agent' });
  const revoked = await invite(c, { email: 'list.revoked@test.hygie.fr', orgId: world.orgs.site, role: 'referent' });
  await c.post(api(`/invitations/${revoked.invitation.id}/revoke`));
  const accepted = await invite(c, { email: 'list.accepted@test.hygie.fr', orgId: world.orgs.service, role: 'agent' });
  assert.equal((await anonymous().post(api('/invitations/accept'), { token: accepted.token, displayName: 'Liste Acceptée', password: GOOD_PASSWORD })).statusCode, 200);
  const elsewhere = await invite(await as('foreignRssi'), { email: 'list.south@test.hygie.fr', orgId: world.orgs.clinic, role: 'agent' });

  const res = await c.get(api(`/invitations?orgId=${world.orgs.hospital}`));
  assert.equal(res.statusCode, 200, res.body);
  const list = res.json().invitations as { id: string; status: string; orgId: string; orgName: string }[];
  const byId = new Map(list.map((i) => [i.id, i]));
  assert.equal(byId.get(pending.invitation.id)?.status, 'pending');
  assert.equal(byId.get(revoked.invitation.id)?.status, 'revoked');
  assert.equal(byId.get(revoked.invitation.id)?.orgName, 'Site A');
  assert.equal(byId.get(accepted.invitation.id)?.status, 'accepted');
  assert.equal(byId.get(accepted.invitation.id)?.orgName, 'Urgences');
  assert.ok(!byId.has(elsewhere.invitation.id), 'nothing of the other region');
  assert.ok(!res.body.includes(world.orgs.clinic) && !res.body.includes('list.south@'), 'nothing of the other region');

  const site = (await c.get(api(`/invitations?orgId=${world.orgs.site}`))).json().invitations.map((i: { id: string }) => i.id);
  assert.ok(site.includes(revoked.invitation.id) && !site.includes(pending.invitation.id), 'only the subtree asked for');

  const south = (await (await as('foreignRssi')).get(api(`/invitations?orgId=${world.orgs.clinic}`))).json().invitations.map((i: { id: string }) => i.id);
  assert.deepEqual(south, [elsewhere.invitation.id]);

  assertStatus(await (await as('agent')).get(api(`/invitations?orgId=${world.orgs.service}`)), 403, 'forbidden', 'agent');
  assertStatus(await (await as('foreignRssi')).get(api(`/invitations?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'foreign RSSI');
});

test('bad input on every identity endpoint: 400 with the field and a French message, nothing written', async () => {
  const c = await as('rssi');
  const o = world.orgs;
  const someone = world.users.agent.id;
  const cases: { label: string; method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; body?: unknown; field: string; message?: string }[] = [
    { label: 'PATCH /me locale', method: 'PATCH', url: '/me', body: { locale: 'de' }, field: 'locale' },
    { label: 'PATCH /me name', method: 'PATCH', url: '/me', body: { displayName: '' }, field: 'displayName' },
    { label: 'active organisation uuid', method: 'POST', url: '/me/active-organisation', body: { orgId: 'pas-un-uuid' }, field: 'orgId', message: 'Choisissez une organisation.' },
    { label: 'organisations under', method: 'GET', url: '/organisations?under=pas-un-uuid', field: 'under' },
    { label: 'organisations kind', method: 'GET', url: '/organisations?kind=planete', field: 'kind' },
    { label: 'create kind', method: 'POST', url: '/organisations', body: { kind: 'planete', name: 'Nom correct', parentId: o.hospital }, field: 'kind', message: "Choisissez le type d'organisation." },
    { label: 'create parent', method: 'POST', url: '/organisations', body: { kind: 'site', name: 'Nom correct', parentId: 'pas-un-uuid' }, field: 'parentId', message: "Choisissez l'organisation de rattachement." },
    { label: 'create category', method: 'POST', url: '/organisations', body: { kind: 'establishment', name: 'Nom correct', parentId: o.north, category: 'HOPITAL' }, field: 'category' },
    { label: 'update id', method: 'PATCH', url: '/organisations/pas-un-uuid', body: { name: 'Nom correct' }, field: 'id', message: 'Identifiant invalide.' },
    { label: 'update archived', method: 'PATCH', url: `/organisations/${o.site}`, body: { archived: 'oui' }, field: 'archived' },
    { label: 'users orgId', method: 'GET', url: '/users?orgId=pas-un-uuid', field: 'orgId', message: 'Choisissez une organisation.' },
    { label: 'users without orgId', method: 'GET', url: '/users', field: 'orgId', message: 'Choisissez une organisation.' },
    { label: 'status id', method: 'POST', url: '/users/pas-un-uuid/status', body: { orgId: o.hospital, status: 'disabled' }, field: 'id', message: 'Identifiant invalide.' },
    { label: 'status value', method: 'POST', url: `/users/${someone}/status`, body: { orgId: o.hospital, status: 'suspendu' }, field: 'status', message: 'Statut inconnu.' },
    { label: 'status orgId', method: 'POST', url: `/users/${someone}/status`, body: { orgId: 'pas-un-uuid', status: 'disabled' }, field: 'orgId' },
    { label: 'membership id', method: 'PUT', url: '/users/pas-un-uuid/membership', body: { orgId: o.hospital, role: 'agent' }, field: 'id', message: 'Identifiant invalide.' },
    { label: 'membership role', method: 'PUT', url: `/users/${someone}/membership`, body: { orgId: o.hospital, role: 'chef' }, field: 'role', message: 'Choisissez un rôle.' },
    { label: 'membership orgId', method: 'PUT', url: `/users/${someone}/membership`, body: { orgId: 'pas-un-uuid', role: 'agent' }, field: 'orgId', message: 'Choisissez une organisation.' },
    { label: 'remove membership orgId', method: 'DELETE', url: `/users/${someone}/membership?orgId=pas-un-uuid`, field: 'orgId' },
    { label: 'remove membership id', method: 'DELETE', url: `/users/pas-un-uuid/membership?orgId=${o.hospital}`, field: 'id', message: 'Identifiant invalide.' },
    { label: 'invitations orgId', method: 'GET', url: '/invitations?orgId=pas-un-uuid', field: 'orgId', message: 'Choisissez une organisation.' },
    { label: 'invite e-mail', method: 'POST', url: '/invitations', body: { email: 'pas-une-adresse', orgId: o.hospital, role: 'agent' }, field: 'email', message: "L'adresse e-mail n'est pas valide (exemple : prenom.nom@hopital.fr)." },
    { label: 'invite role', method: 'POST', url: '/invitations', body: { email: 'bad.role@test.hygie.fr', orgId: o.hospital, role: 'chef' }, field: 'role', message: 'Choisissez un rôle.' },
    { label: 'invite orgId', method: 'POST', url: '/invitations', body: { email: 'bad.org@test.hygie.fr', orgId: 'pas-un-uuid', role: 'agent' }, field: 'orgId', message: 'Choisissez une organisation.' },
    { label: 'revoke id', method: 'POST', url: '/invitations/pas-un-uuid/revoke', field: 'id', message: 'Identifiant invalide.' },
    { label: 'preview token', method: 'POST', url: '/invitations/preview', body: { token: 'court' }, field: 'token', message: 'Le lien est incomplet.' },
    { label: 'accept token', method: 'POST', url: '/invitations/accept', body: { token: 'court' }, field: 'token' },
    { label: 'accept password', method: 'POST', url: '/invitations/accept', body: { token: 'x'.repeat(43), displayName: 'Nom Correct', password: 'court' }, field: 'password' },
  ];
  const before = { ...(await counts()), audit: await count('audit_log') };
  for (const k of cases) {
    const res = await c.request(k.method, api(k.url), k.body);
    assertInvalid(res, k.field, k.message, k.label);
  }
  assert.deepEqual({ ...(await counts()), audit: await count('audit_log') }, before, 'nothing written by refused input');
});

test('GET /admin/mails: administrators only', async () => {
  const { token } = await invite(await as('rssi'), { email: 'mail.check@test.hygie.fr', orgId: world.orgs.hospital, role: 'agent' });
  const res = await (await as('admin')).get(api('/admin/mails'));
  assert.equal(res.statusCode, 200, res.body);
  const mail = (res.json().mails as { to: string; status: string; text: string | null; subject: string }[]).find((m) => m.to === 'mail.check@test.hygie.fr');
  assert.equal(mail?.status, 'kept');
  assert.ok(mail?.text?.includes(`#token=${token}`), 'the administrator can pass the link on');

  const before = (await auditOf('access.denied')).length;
  const denied = await (await as('rssi')).get(api('/admin/mails'));
  assertStatus(denied, 403, 'forbidden', 'RSSI reads the mails');
  assert.ok(!denied.body.includes(token));
  const denials = await auditOf('access.denied');
  assert.equal(denials.length, before + 1);
  assert.equal(denials.at(-1)?.actorId, world.users.rssi.id);
  assert.equal(denials.at(-1)?.details.policy, 'identity:mail.read');
});

// Last: it moves the clock 8 days ahead, which ends every open session.
test('invitation: an expired invitation (after 7 days) no longer works and is listed as expired', async () => {
  const email = 'late.person@test.hygie.fr';
  const old = await as('rssi');
  const { token, invitation } = await invite(old, { email, orgId: world.orgs.hospital, role: 'agent' });
  t.clock.advance(8 * 24 * 3_600_000);
  forgetSessions();

  assertInvalid(await anonymous().post(api('/invitations/preview'), { token }), 'token', /expiré/, 'preview after 8 days');
  assertInvalid(await anonymous().post(api('/invitations/accept'), { token, displayName: 'En Retard', password: GOOD_PASSWORD }), 'token', /expiré/, 'accept after 8 days');
  assert.deepEqual(await usersByEmail(email), []);
  assert.equal((await invitationRow(invitation.id)).acceptedAt, null);
  assertStatus(await old.get(api('/me')), 401, 'unauthenticated', 'a session opened 8 days ago');

  const list = (await (await as('rssi')).get(api(`/invitations?orgId=${world.orgs.hospital}`))).json().invitations as { id: string; status: string }[];
  assert.equal(list.find((i) => i.id === invitation.id)?.status, 'expired');
});
