import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { DeclarationContent, IncidentDetail } from '../../../contracts/incidents';
import type { Role } from '../../../contracts/tenancy';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { completeContent, declareIncident } from '../../../../test/support/incidents';
import { PASSWORD, seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { verifyAuditChain } from '../../platform/audit/service';
import { hashPassword } from '../../platform/auth/passwords';
import { mails } from '../../platform/mail/schema';
import { notifications } from '../../platform/notifications/schema';
import { memberships, organisations, users } from '../../platform/tenancy/schema';
import { incidents, obligations, revisions } from './schema';

/**
 * The declaration core through HTTP, as the web app calls it: idempotent creation (also under
 * concurrency), drafts and their versions, declaration and its regulatory clocks, completion
 * with history, obligations, closure, deletion of drafts, the region told, and who may do what.
 */

let t: TestApp;
let world: World;
let hospitalAgent: { id: string; email: string };
let otherSite: string;

const HOUR = 3_600_000;
const DISCOVERED = '2026-03-02T05:00:00.000Z';
const after_ = (hours: number) => new Date(Date.parse(DISCOVERED) + hours * HOUR).toISOString();

const api = (path: string) => `/api/v1${path}`;
const db = () => t.platform.db;
const clients = new Map<string, Client>();
async function clientFor(email: string): Promise<Client> {
  let c = clients.get(email);
  if (!c) clients.set(email, (c = await signIn(t, email)));
  return c;
}
const as = (who: WorldUser) => clientFor(world.users[who].email);

async function newUser(local: string, roles: [orgId: string, role: Role][]) {
  const passwordHash = await hashPassword(PASSWORD);
  const email = `${local}@test.hygie.fr`;
  const [u] = await db().insert(users).values({ email, displayName: `Personne ${local}`, passwordHash }).returning({ id: users.id });
  for (const [orgId, role] of roles) await db().insert(memberships).values({ userId: u.id, orgId, role });
  return { id: u.id, email };
}

before(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-03-02T09:00:00Z'));
  world = await seedWorld(db());
  hospitalAgent = await newUser('declaration.agent', [[world.orgs.hospital, 'agent']]);
  // A site of the EHPAD: another establishment's, never in the hospital's perimeter.
  const [ehpadSite] = await db()
    .insert(organisations)
    .values({ kind: 'site', name: 'Site de l’EHPAD', parentId: world.orgs.ehpad, ancestors: [world.orgs.north, world.orgs.ght, world.orgs.ehpad] })
    .returning({ id: organisations.id });
  otherSite = ehpadSite.id;
});
after(async () => {
  await t?.close();
});

// --- helpers -------------------------------------------------------------------------------------------

function expectStatus(res: LightMyRequestResponse, status: number, context: string) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  return res;
}
/** A French 400 naming the fields at fault. */
function expect400(res: LightMyRequestResponse, paths: string[], context: string) {
  expectStatus(res, 400, context);
  const body = res.json();
  assert.equal(body.error.code, 'validation', context);
  assert.match(body.error.message, /[a-zéèêàç]/i, context);
  const got = (body.error.fields ?? []).map((f: { path: string }) => f.path);
  for (const p of paths) assert.ok(got.includes(p), `${context}: field ${p} in ${JSON.stringify(got)}`);
  for (const f of body.error.fields ?? []) assert.ok(f.message.length > 5, `${context}: a message for ${f.path}`);
  return body;
}
const key = () => randomUUID();
async function create(who: WorldUser | Client, body: unknown, idempotencyKey: string | null = key()) {
  const c = typeof who === 'string' ? await as(who) : who;
  return c.request('POST', api('/incidents'), body, idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey });
}
async function draftOf(content: DeclarationContent = {}, who: WorldUser = 'rssi'): Promise<IncidentDetail> {
  return expectStatus(await create(who, { orgId: world.orgs.hospital, content }), 201, 'draft').json();
}
const countIncidents = async () => (await db().select({ n: sql<number>`count(*)::int` }).from(incidents))[0].n;
async function auditRows(action: string, targetId: string) {
  return db()
    .select({ actorId: auditLog.actorId, details: auditLog.details, orgId: auditLog.orgId })
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.targetId, targetId)))
    .orderBy(asc(auditLog.seq));
}
const kinds = (d: IncidentDetail) => d.obligations.map((o) => [o.kind, o.dueAt, o.status]);
async function get(id: string, who: WorldUser = 'rssi'): Promise<IncidentDetail> {
  return expectStatus(await (await as(who)).get(api(`/incidents/${id}`)), 200, 'get').json();
}

// --- creation and the Idempotency-Key -----------------------------------------------------------------------

test('POST /incidents needs a valid Idempotency-Key: missing or malformed → French 400, nothing written', async () => {
  const before = await countIncidents();
  const body = { orgId: world.orgs.hospital, content: { title: 'Sans clé' } };
  const missing = expect400(await create('rssi', body, null), [], 'no key');
  assert.match(JSON.stringify(missing), /Idempotency-Key est obligatoire/);
  for (const bad of ['court', 'clé avec espaces', 'x'.repeat(129), 'clé-non-ascii-é']) {
    const res = expect400(await create('rssi', body, bad), [], `key « ${bad.slice(0, 20)} »`);
    assert.match(JSON.stringify(res), /Idempotency-Key/);
  }
  assert.equal(await countIncidents(), before);
});

test('the same key and the same body replay the first answer (200, idempotent-replayed); a different body is a 409; keys are per person', async () => {
  const k = key();
  const body = { orgId: world.orgs.hospital, content: { title: 'Poste infecté au secrétariat' } };
  const first = expectStatus(await create('rssi', body, k), 201, 'first');
  assert.equal(first.headers['idempotent-replayed'], undefined);
  const again = expectStatus(await create('rssi', body, k), 200, 'replay');
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(again.json().incident.id, first.json().incident.id);
  assert.equal(again.json().incident.reference, first.json().incident.reference);
  const rows = await db().select({ id: incidents.id }).from(incidents).where(eq(incidents.idempotencyKey, k));
  assert.equal(rows.length, 1);

  const other = expectStatus(await create('rssi', { ...body, content: { title: 'Autre chose' } }, k), 409, 'same key, other body');
  assert.equal(other.json().error.code, 'conflict');
  assert.match(other.json().error.message, /déjà servi/);
  // Another person's key space: the direction may use the same string.
  const direction = expectStatus(await create('direction', body, k), 201, 'direction, same key');
  assert.notEqual(direction.json().incident.id, first.json().incident.id);
  assert.equal(await db().$count(incidents, eq(incidents.idempotencyKey, k)), 2);
  assert.equal((await auditRows('incident.created', first.json().incident.id)).length, 1, 'one creation audited, not two');
});

test('two concurrent identical submissions make one declaration; both answers carry its id', async () => {
  const rssi = await as('rssi');
  const k = key();
  const body = { orgId: world.orgs.hospital, content: completeContent({ title: 'Envoyé deux fois par un réseau qui coupe', type: 'phishing' }), declare: true };
  const mailsBefore = await db().$count(mails, eq(mails.to, world.users.coordRegion.email));
  const answers = await Promise.all([create(rssi, body, k), create(rssi, body, k)]);
  assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 201], answers.map((r) => r.body).join('\n'));
  const ids = answers.map((r) => r.json().incident.id);
  assert.equal(ids[0], ids[1]);
  assert.equal(answers.find((r) => r.statusCode === 200)!.headers['idempotent-replayed'], 'true');
  const rows = await db().select({ id: incidents.id, status: incidents.status }).from(incidents).where(eq(incidents.idempotencyKey, k));
  assert.deepEqual(rows, [{ id: ids[0], status: 'declared' }]);
  assert.equal(await db().$count(revisions, eq(revisions.incidentId, ids[0])), 1, 'declared once');
  assert.equal(await db().$count(obligations, eq(obligations.incidentId, ids[0])), 1, 'one set of clocks');
  assert.equal(await db().$count(mails, eq(mails.to, world.users.coordRegion.email)), mailsBefore + 1, 'the region told once');
});

test('declare: true with missing fields → 400 listing every missing field, nothing written', async () => {
  const before = await countIncidents();
  const res = await create('rssi', { orgId: world.orgs.hospital, content: {}, declare: true });
  const body = expect400(res, [], 'empty declaration');
  assert.deepEqual(
    body.error.fields.map((f: { path: string }) => f.path),
    ['content.title', 'content.discoveredAt', 'content.type', 'content.origin', 'content.handling', 'content.declarant.name', 'content.declarant.phone', 'content.perimeter'],
  );
  assert.match(body.error.message, /Il manque 8 informations/);
  const partial = expect400(await create('rssi', { orgId: world.orgs.hospital, content: completeContent({ handling: undefined }), declare: true }), ['content.handling'], 'one missing');
  assert.equal(partial.error.fields.length, 1);
  assert.match(partial.error.message, /une information/);
  assert.equal(await countIncidents(), before);
});

test('POST /incidents: only for an establishment; the perimeter only its own sites and services; bad input and foreign organisations refused', async () => {
  const before = await countIncidents();
  for (const orgKey of ['site', 'service', 'ght'] as const) {
    // The coordinator of the GHT may declare below it, but not for a GHT, a site or a service.
    expect400(await create('coordGht', { orgId: world.orgs[orgKey], content: { title: 'x' } }), ['orgId'], `orgId of a ${orgKey}`);
  }
  expectStatus(await create('coordGht', { orgId: world.orgs.north, content: {} }), 404, 'the region is above the GHT');
  expect400(await create('rssi', { orgId: world.orgs.site, content: {} }), ['orgId'], 'a site');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { perimeter: { orgIds: [otherSite] } } }), ['content.perimeter.orgIds'], 'another establishment’s site');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { perimeter: { orgIds: [world.orgs.hospital] } } }), ['content.perimeter.orgIds'], 'the establishment itself');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { perimeter: { orgIds: [randomUUID()] } } }), ['content.perimeter.orgIds'], 'an unknown id');
  expect400(await create('rssi', { orgId: 'pas-un-uuid', content: {} }), ['orgId'], 'malformed orgId');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { title: 'x'.repeat(201) } }), ['content.title'], 'title too long');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { description: 'x'.repeat(10_001) } }), ['content.description'], 'description too long');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { systems: ['mainframe'] } }), ['content.systems.0'], 'unknown system');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { discoveredAt: 'hier soir' } }), ['content.discoveredAt'], 'bad date');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { declarant: { email: 'pas une adresse' } } }), ['content.declarant.email'], 'bad e-mail');
  expect400(await create('rssi', { orgId: world.orgs.hospital, content: { impacts: { personalData: 'oui' } } }), ['content.impacts.personalData'], 'wrong type');
  expect400(await create('rssi', { orgId: world.orgs.hospital, declare: 'yes' }), ['declare'], 'declare not a boolean');
  expectStatus(await create('rssi', { orgId: world.orgs.clinic, content: {} }), 404, 'foreign establishment');
  expectStatus(await create('foreignRssi', { orgId: world.orgs.hospital, content: {} }), 404, 'foreign RSSI');
  expectStatus(await create('coordRegion', { orgId: world.orgs.hospital, content: {} }), 403, 'the region does not declare for an establishment');
  expectStatus(await create(await clientFor(hospitalAgent.email), { orgId: world.orgs.hospital, content: {} }), 403, 'an agent of the hospital');
  expectStatus(await create('agent', { orgId: world.orgs.hospital, content: {} }), 404, 'an agent of a service: the hospital is above him');
  assert.equal(await countIncidents(), before);

  // The perimeter may name the establishment's own sites and services.
  const ok = expectStatus(await create('rssi', { orgId: world.orgs.hospital, content: { perimeter: { orgIds: [world.orgs.site, world.orgs.service] } } }), 201, 'own perimeter');
  assert.deepEqual(ok.json().content.perimeter.orgIds, [world.orgs.site, world.orgs.service]);
  assert.equal(ok.json().incident.status, 'draft');
  assert.match(ok.json().incident.reference, /^INC-2026-\d{3}$/);
  const [audit] = await auditRows('incident.created', ok.json().incident.id);
  assert.equal(audit.actorId, world.users.rssi.id);
  assert.equal(audit.orgId, world.orgs.hospital);
});

// --- drafts ------------------------------------------------------------------------------------------------

test('PUT /incidents/:id/draft saves with the version; a stale save is a 409 carrying the current incident; bad input 400', async () => {
  const d = await draftOf({ title: 'Premier jet' });
  assert.equal(d.incident.version, 1);
  const rssi = await as('rssi');
  const saved = expectStatus(await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: { title: 'Deuxième jet' }, version: 1 }), 200, 'save');
  assert.equal(saved.json().incident.version, 2);
  assert.equal(saved.json().incident.title, 'Deuxième jet');

  const direction = await as('direction');
  const stale = expectStatus(await direction.put(api(`/incidents/${d.incident.id}/draft`), { content: { title: 'Version de la direction' }, version: 1 }), 409, 'stale');
  assert.equal(stale.json().error.code, 'conflict');
  assert.equal(stale.json().current.incident.version, 2);
  assert.equal(stale.json().current.content.title, 'Deuxième jet');
  assert.equal((await get(d.incident.id)).content.title, 'Deuxième jet', 'nothing overwritten');

  expect400(await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: {}, version: 0 }), ['version'], 'version 0');
  expect400(await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: {}, version: '2' }), ['version'], 'version as text');
  expect400(await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: { causes: 'x'.repeat(4001) }, version: 2 }), ['content.causes'], 'causes too long');
  expect400(await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: { perimeter: { orgIds: [otherSite] } }, version: 2 }), ['content.perimeter.orgIds'], 'foreign perimeter');
  expect400(await rssi.put(api('/incidents/pas-un-uuid/draft'), { content: {}, version: 2 }), ['id'], 'malformed id');
  expectStatus(await rssi.put(api(`/incidents/${randomUUID()}/draft`), { content: {}, version: 2 }), 404, 'unknown incident');
  expectStatus(await (await as('foreignRssi')).put(api(`/incidents/${d.incident.id}/draft`), { content: {}, version: 2 }), 404, 'foreign');
  expectStatus(await (await as('coordRegion')).put(api(`/incidents/${d.incident.id}/draft`), { content: {}, version: 2 }), 404, 'the region does not see drafts');
  assert.equal((await get(d.incident.id)).incident.version, 2, 'nothing written by the refused saves');
});

// --- declaring and the regulatory clocks ---------------------------------------------------------------------

test('POST /incidents/:id/declare: 400 listing what is missing, 409 when stale, then declared with the health authorities’ clock at discovery + 24 h', async () => {
  const d = await draftOf({ title: 'Serveur de messagerie inaccessible' });
  const rssi = await as('rssi');
  const missing = expect400(await rssi.post(api(`/incidents/${d.incident.id}/declare`), { version: 1 }), ['content.discoveredAt', 'content.type'], 'incomplete');
  assert.ok(!missing.error.fields.some((f: { path: string }) => f.path === 'content.title'), 'the title is there');
  assert.equal((await get(d.incident.id)).incident.status, 'draft');

  const saved = expectStatus(await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: completeContent({ type: 'denial_of_service' }), version: 1 }), 200, 'complete').json();
  const stale = expectStatus(await rssi.post(api(`/incidents/${d.incident.id}/declare`), { version: 1 }), 409, 'stale declare');
  assert.equal(stale.json().current.incident.version, saved.incident.version);
  expect400(await rssi.post(api(`/incidents/${d.incident.id}/declare`), { version: 'deux' }), ['version'], 'version as text');
  expect400(await rssi.post(api(`/incidents/${d.incident.id}/declare`), {}), ['version'], 'no version');
  expect400(await rssi.post(api('/incidents/123/declare'), { version: 1 }), ['id'], 'malformed id');
  expectStatus(await (await as('coordRegion')).post(api(`/incidents/${d.incident.id}/declare`), { version: saved.incident.version }), 404, 'region');

  const declared = expectStatus(await rssi.post(api(`/incidents/${d.incident.id}/declare`), { version: saved.incident.version }), 200, 'declare').json() as IncidentDetail;
  assert.equal(declared.incident.status, 'declared');
  assert.equal(declared.incident.declaredAt, t.clock.now().toISOString());
  assert.equal(declared.declaredByName, 'Test rssi');
  assert.deepEqual(kinds(declared), [['health_authorities', after_(24), 'pending']], 'no CNIL without personal data, no NIS2 outside NIS2');
  assert.deepEqual(declared.incident.nextDeadline, { kind: 'health_authorities', dueAt: after_(24) });
  // A retry of the declaration answers the incident as it is.
  const retry = expectStatus(await rssi.post(api(`/incidents/${d.incident.id}/declare`), { version: saved.incident.version }), 200, 'retry').json();
  assert.equal(retry.incident.version, declared.incident.version);
  assert.equal((await auditRows('incident.declared', d.incident.id)).length, 1);
  assert.equal(await db().$count(revisions, eq(revisions.incidentId, d.incident.id)), 1);
  // A declared incident is no longer a draft.
  expectStatus(await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: {}, version: declared.incident.version }), 409, 'draft save after declaration');
});

test('the CNIL clock (72 h) only with personal data; NIS2’s three deadlines for an essential entity, also added later to open incidents', async () => {
  const rssi = await as('rssi');
  const withData = await declareIncident(rssi, world.orgs.hospital, { impacts: { personalData: true }, type: 'data_leak' });
  assert.deepEqual(kinds(withData), [
    ['health_authorities', after_(24), 'pending'],
    ['cnil', after_(72), 'pending'],
  ]);
  const without = await declareIncident(rssi, world.orgs.hospital, { type: 'phishing' });
  assert.deepEqual(kinds(without), [['health_authorities', after_(24), 'pending']]);

  // NIS2: bad input and access first.
  expect400(await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'tres-important' }), ['category'], 'unknown category');
  expect400(await rssi.put(api('/incidents/nis2'), { orgId: 'x', category: 'essential' }), ['orgId'], 'malformed orgId');
  expect400(await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.site, category: 'essential' }), ['orgId'], 'a site');
  expectStatus(await (await as('coordGht')).put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'essential' }), 403, 'the GHT does not set it');
  expectStatus(await (await as('foreignRssi')).put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'essential' }), 404, 'foreign');
  expect400(await rssi.get(api('/incidents/nis2?orgId=x')), ['orgId'], 'GET malformed');
  expectStatus(await (await as('foreignCoord')).get(api(`/incidents/nis2?orgId=${world.orgs.hospital}`)), 404, 'GET foreign');
  assert.equal(expectStatus(await rssi.get(api(`/incidents/nis2?orgId=${world.orgs.hospital}`)), 200, 'GET').json().category, 'none');

  // Set later: the open incidents get the NIS2 clocks.
  const set = expectStatus(await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'essential' }), 200, 'set essential').json();
  assert.equal(set.category, 'essential');
  const [audit] = await auditRows('incident.nis2.set', world.orgs.hospital);
  assert.deepEqual(audit.details, { category: 'essential' });
  const nis2 = [
    ['nis2_early_warning', after_(24), 'pending'],
    ['nis2_notification', after_(72), 'pending'],
    ['nis2_final_report', '2026-04-05T05:00:00.000Z', 'pending'],
  ];
  const sortByDue = (l: unknown[][]) => [...l].sort((a, b) => String(a[1]).localeCompare(String(b[1])) || String(a[0]).localeCompare(String(b[0])));
  assert.deepEqual(kinds(await get(without.incident.id)), sortByDue([['health_authorities', after_(24), 'pending'], ...nis2]));
  assert.deepEqual(kinds(await get(withData.incident.id)), sortByDue([['health_authorities', after_(24), 'pending'], ['cnil', after_(72), 'pending'], ...nis2]));
  // Declared while essential: all at once; the final report one month after the notification.
  const fresh = await declareIncident(rssi, world.orgs.hospital, { type: 'malware' });
  assert.deepEqual(kinds(fresh), sortByDue([['health_authorities', after_(24), 'pending'], ...nis2]));
  assert.equal((await get(fresh.incident.id)).nis2, 'essential');

  // Back to « none »: the pending NIS2 clocks go, a met one stays.
  const early = (await get(fresh.incident.id)).obligations.find((o) => o.kind === 'nis2_early_warning')!;
  expectStatus(await rssi.put(api(`/incidents/${fresh.incident.id}/obligations/${early.id}`), { status: 'done', reference: 'ANSSI-1' }), 200, 'early warning done');
  expectStatus(await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'none' }), 200, 'set none');
  assert.deepEqual(
    (await get(fresh.incident.id)).obligations.map((o) => [o.kind, o.status]),
    [
      ['health_authorities', 'pending'],
      ['nis2_early_warning', 'done'],
    ],
  );
  assert.deepEqual(kinds(await get(without.incident.id)), [['health_authorities', after_(24), 'pending']]);

  // A platform administrator may set the status (he reads no incident): the answer is the new status, not a 403 after the write.
  const admin = expectStatus(await (await as('admin')).put(api('/incidents/nis2'), { orgId: world.orgs.ehpad, category: 'important' }), 200, 'admin').json();
  assert.deepEqual([admin.orgId, admin.category], [world.orgs.ehpad, 'important']);
  expectStatus(await (await as('admin')).put(api('/incidents/nis2'), { orgId: world.orgs.ehpad, category: 'none' }), 200, 'admin back to none');
});

// --- completing a declaration ---------------------------------------------------------------------------------

test('PUT /incidents/:id completes a declaration: a revision with the changed fields, history newest first; stale 409; nothing lost', async () => {
  const rssi = await as('rssi');
  const d = await declareIncident(rssi, world.orgs.hospital, { type: 'phishing' });
  const v1 = d.incident.version;
  const first = expectStatus(
    await rssi.put(api(`/incidents/${d.incident.id}`), { content: { ...d.content, causes: 'Un clic sur un lien piégé', impacts: { ...d.content.impacts, integrity: true } }, version: v1, comment: 'Analyse du poste' }),
    200,
    'update',
  ).json() as IncidentDetail;
  assert.equal(first.incident.version, v1 + 1);
  const second = expectStatus(
    await (await as('direction')).put(api(`/incidents/${d.incident.id}`), { content: { ...first.content, handling: 'resolved' }, version: first.incident.version }),
    200,
    'update by the direction',
  ).json() as IncidentDetail;

  const history = expectStatus(await rssi.get(api(`/incidents/${d.incident.id}/history`)), 200, 'history').json().revisions;
  assert.deepEqual(
    history.map((r: { version: number; changedFields: string[]; comment: string | null; authorName: string | null }) => [r.version, r.changedFields, r.comment, r.authorName]),
    [
      [second.incident.version, ['handling'], null, 'Test direction'],
      [first.incident.version, ['causes', 'impacts.integrity'], 'Analyse du poste', 'Test rssi'],
      [v1, [], 'Déclaration initiale', 'Test rssi'],
    ],
  );
  assert.equal(history[2].content.causes, undefined, 'each revision keeps its own content');
  assert.equal(history[1].content.causes, 'Un clic sur un lien piégé');
  assert.equal((await auditRows('incident.updated', d.incident.id)).length, 2);
  assert.deepEqual((await auditRows('incident.updated', d.incident.id))[0].details, { fields: ['causes', 'impacts.integrity'] });

  const stale = expectStatus(await rssi.put(api(`/incidents/${d.incident.id}`), { content: { ...d.content, causes: 'Ancienne version' }, version: v1 }), 409, 'stale');
  assert.equal(stale.json().current.incident.version, second.incident.version);
  assert.equal(stale.json().current.content.handling, 'resolved');
  expect400(await rssi.put(api(`/incidents/${d.incident.id}`), { content: { ...second.content, title: '' }, version: second.incident.version }), ['content.title'], 'a declaration cannot lose its title');
  expect400(await rssi.put(api(`/incidents/${d.incident.id}`), { content: second.content, version: second.incident.version, comment: 'x'.repeat(501) }), ['comment'], 'comment too long');
  expect400(await rssi.put(api(`/incidents/${d.incident.id}`), { content: second.content }), ['version'], 'no version');
  expect400(await rssi.put(api('/incidents/nope'), { content: second.content, version: 1 }), ['id'], 'malformed id');
  expectStatus(await (await as('coordRegion')).put(api(`/incidents/${d.incident.id}`), { content: second.content, version: second.incident.version }), 403, 'the region reads, does not write');
  expectStatus(await (await as('foreignRssi')).put(api(`/incidents/${d.incident.id}`), { content: second.content, version: second.incident.version }), 404, 'foreign');
  const draft = await draftOf(completeContent());
  expectStatus(await rssi.put(api(`/incidents/${draft.incident.id}`), { content: completeContent(), version: draft.incident.version }), 409, 'a draft is not completed, it is declared');
  // Same content again: no new revision.
  const same = expectStatus(await rssi.put(api(`/incidents/${d.incident.id}`), { content: second.content, version: second.incident.version }), 200, 'no change').json();
  assert.equal((await rssi.get(api(`/incidents/${d.incident.id}/history`))).json().revisions.length, 3);
  assert.equal(same.content.handling, 'resolved');
  expect400(await rssi.get(api('/incidents/nope/history')), ['id'], 'history malformed id');
  expectStatus(await (await as('foreignCoord')).get(api(`/incidents/${d.incident.id}/history`)), 404, 'history foreign');
});

test('personal data found later starts the CNIL clock; cleared, the clock goes while pending but stays once done', async () => {
  const rssi = await as('rssi');
  let d = await declareIncident(rssi, world.orgs.hospital, { type: 'compromised_account' });
  const put = async (personalData: boolean) => {
    d = expectStatus(await rssi.put(api(`/incidents/${d.incident.id}`), { content: { ...d.content, impacts: { ...d.content.impacts, personalData } }, version: d.incident.version }), 200, `personalData ${personalData}`).json();
    return d;
  };
  assert.deepEqual((await put(true)).obligations.map((o) => o.kind), ['health_authorities', 'cnil']);
  assert.equal(d.obligations[1].dueAt, after_(72));
  assert.equal(d.incident.personalData, true);
  assert.deepEqual((await put(false)).obligations.map((o) => o.kind), ['health_authorities'], 'removed while pending');
  await put(true);
  const cnil = d.obligations.find((o) => o.kind === 'cnil')!;
  expectStatus(await rssi.put(api(`/incidents/${d.incident.id}/obligations/${cnil.id}`), { status: 'done', reference: 'CNIL-2026-77' }), 200, 'cnil done');
  d = await get(d.incident.id);
  await put(false);
  assert.deepEqual(
    d.obligations.map((o) => [o.kind, o.status, o.reference]),
    [
      ['health_authorities', 'pending', null],
      ['cnil', 'done', 'CNIL-2026-77'],
    ],
    'a met obligation is never removed',
  );
  // A corrected discovery date moves the pending clocks.
  d = expectStatus(await rssi.put(api(`/incidents/${d.incident.id}`), { content: { ...d.content, discoveredAt: after_(-10) }, version: d.incident.version }), 200, 'earlier discovery').json();
  assert.equal(d.obligations.find((o) => o.kind === 'health_authorities')!.dueAt, after_(14));
});

// --- obligations -----------------------------------------------------------------------------------------------

test('PUT /incidents/:id/obligations/:obligationId: done with a reference; not applicable needs a note; never in the future; only the incident’s own', async () => {
  const rssi = await as('rssi');
  const d = await declareIncident(rssi, world.orgs.hospital, { type: 'fraud', impacts: { personalData: true } });
  const [health, cnil] = d.obligations;
  const url = (o: string) => api(`/incidents/${d.incident.id}/obligations/${o}`);
  const done = expectStatus(await (await as('direction')).put(url(health.id), { status: 'done', reference: 'ARS-2026-0001', note: 'Déclaré sur le portail' }), 200, 'done').json() as IncidentDetail;
  const h = done.obligations.find((o) => o.kind === 'health_authorities')!;
  assert.deepEqual([h.status, h.reference, h.note, h.doneAt, h.doneByName], ['done', 'ARS-2026-0001', 'Déclaré sur le portail', t.clock.now().toISOString(), 'Test direction']);
  assert.deepEqual(done.incident.nextDeadline, { kind: 'cnil', dueAt: after_(72) });

  const na = expect400(await rssi.put(url(cnil.id), { status: 'not_applicable' }), ['note'], 'not applicable without a note');
  assert.match(na.error.fields[0].message, /pourquoi/);
  expect400(await rssi.put(url(cnil.id), { status: 'done', doneAt: new Date(t.clock.now().getTime() + 2 * HOUR).toISOString() }), ['doneAt'], 'done in the future');
  expect400(await rssi.put(url(cnil.id), { status: 'fini' }), ['status'], 'unknown status');
  expect400(await rssi.put(url(cnil.id), { status: 'done', reference: 'x'.repeat(201) }), ['reference'], 'reference too long');
  expect400(await rssi.put(url(cnil.id), { status: 'done', doneAt: 'mardi' }), ['doneAt'], 'bad date');
  expect400(await rssi.put(url('pas-un-uuid'), { status: 'done' }), ['obligationId'], 'malformed obligation id');
  expectStatus(await (await as('coordRegion')).put(url(cnil.id), { status: 'done' }), 403, 'the region does not follow');
  expectStatus(await (await as('foreignRssi')).put(url(cnil.id), { status: 'done' }), 404, 'foreign');
  // Another incident's obligation through this incident: not found.
  const other = await declareIncident(rssi, world.orgs.hospital, { type: 'failure' });
  expectStatus(await rssi.put(url(other.obligations[0].id), { status: 'done' }), 404, 'another incident’s obligation');
  assert.equal((await get(other.incident.id)).obligations[0].status, 'pending');
  assert.equal((await get(d.incident.id)).obligations.find((o) => o.kind === 'cnil')!.status, 'pending', 'nothing written by the refusals');

  const notApplicable = expectStatus(await rssi.put(url(cnil.id), { status: 'not_applicable', note: 'Les données étaient chiffrées et la clé n’a pas fuité.' }), 200, 'not applicable').json() as IncidentDetail;
  assert.deepEqual(
    notApplicable.obligations.map((o) => [o.kind, o.status]),
    [
      ['health_authorities', 'done'],
      ['cnil', 'not_applicable'],
    ],
  );
  assert.equal(notApplicable.incident.nextDeadline, null);
  const earlier = new Date(t.clock.now().getTime() - 3 * HOUR).toISOString();
  const back = expectStatus(await rssi.put(url(cnil.id), { status: 'done', doneAt: earlier, reference: 'CNIL-1' }), 200, 'done earlier').json() as IncidentDetail;
  assert.equal(back.obligations.find((o) => o.kind === 'cnil')!.doneAt, earlier);
  const pending = expectStatus(await rssi.put(url(health.id), { status: 'pending' }), 200, 'back to pending').json() as IncidentDetail;
  assert.deepEqual(
    pending.obligations.map((o) => [o.kind, o.status, o.doneAt, o.reference]),
    [
      ['health_authorities', 'pending', null, null],
      ['cnil', 'done', earlier, 'CNIL-1'],
    ],
  );
  assert.deepEqual(
    (await auditRows('incident.obligation.updated', d.incident.id)).map((r) => r.details),
    [
      { kind: 'health_authorities', status: 'done' },
      { kind: 'cnil', status: 'not_applicable' },
      { kind: 'cnil', status: 'done' },
      { kind: 'health_authorities', status: 'pending' },
    ],
  );
});

// --- closing and discarding -----------------------------------------------------------------------------------------

test('POST /incidents/:id/close needs lessons (10 characters); then every write is a 409', async () => {
  const rssi = await as('rssi');
  const d = await declareIncident(rssi, world.orgs.hospital, { type: 'other' });
  const url = api(`/incidents/${d.incident.id}/close`);
  expect400(await rssi.post(url, { lessons: 'court' }), ['lessons'], 'too short');
  expect400(await rssi.post(url, { lessons: '         spaces     ' }), ['lessons'], 'only spaces');
  expect400(await rssi.post(url, {}), ['lessons'], 'missing');
  expect400(await rssi.post(url, { lessons: 'x'.repeat(10_001) }), ['lessons'], 'too long');
  expect400(await rssi.post(api('/incidents/0/close'), { lessons: 'Des leçons tirées' }), ['id'], 'malformed id');
  expectStatus(await (await as('coordRegion')).post(url, { lessons: 'La région ne clôt pas.' }), 403, 'region');
  expectStatus(await (await as('foreignRssi')).post(url, { lessons: 'Un étranger ne clôt pas.' }), 404, 'foreign');
  const draft = await draftOf({ title: 'Brouillon à ne pas clore' });
  expectStatus(await rssi.post(api(`/incidents/${draft.incident.id}/close`), { lessons: 'Un brouillon ne se clôt pas.' }), 409, 'a draft');

  const closed = expectStatus(await rssi.post(url, { lessons: 'Former le secrétariat au hameçonnage ; filtrer les pièces jointes.' }), 200, 'close').json() as IncidentDetail;
  assert.equal(closed.incident.status, 'closed');
  assert.equal(closed.incident.closedAt, t.clock.now().toISOString());
  assert.equal(closed.lessons, 'Former le secrétariat au hameçonnage ; filtrer les pièces jointes.');
  assert.equal(closed.incident.nextDeadline, null, 'no clock runs on a closed incident');
  assert.equal((await auditRows('incident.closed', d.incident.id)).length, 1);

  const v = closed.incident.version;
  const refused = [
    await rssi.post(url, { lessons: 'Clore une seconde fois' }),
    await rssi.put(api(`/incidents/${d.incident.id}`), { content: { ...closed.content, causes: 'Trop tard' }, version: v }),
    await rssi.put(api(`/incidents/${d.incident.id}/draft`), { content: {}, version: v }),
    await rssi.put(api(`/incidents/${d.incident.id}/obligations/${closed.obligations[0].id}`), { status: 'done' }),
    await rssi.delete(api(`/incidents/${d.incident.id}`)),
  ];
  for (const [i, res] of refused.entries()) {
    expectStatus(res, 409, `write ${i} after closure`);
    assert.equal(res.json().error.code, 'conflict');
  }
  // Declaring again is a retry: it changes nothing.
  const retry = expectStatus(await rssi.post(api(`/incidents/${d.incident.id}/declare`), { version: v }), 200, 'declare after closure').json();
  assert.equal(retry.incident.status, 'closed');
  // NIS2 set afterwards adds no clock to a closed incident.
  expectStatus(await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'important' }), 200, 'important');
  const after = await get(d.incident.id);
  assert.deepEqual(after.obligations.map((o) => o.kind), ['health_authorities']);
  assert.equal(after.incident.version, v);
  expectStatus(await rssi.put(api('/incidents/nis2'), { orgId: world.orgs.hospital, category: 'none' }), 200, 'none');
});

test('DELETE /incidents/:id only for drafts, audited; declarations are kept', async () => {
  const rssi = await as('rssi');
  const draft = await draftOf({ title: 'Fausse alerte' });
  expectStatus(await (await as('coordRegion')).delete(api(`/incidents/${draft.incident.id}`)), 404, 'region: drafts are invisible');
  expectStatus(await (await as('foreignRssi')).delete(api(`/incidents/${draft.incident.id}`)), 404, 'foreign');
  expectStatus(await (await clientFor(hospitalAgent.email)).delete(api(`/incidents/${draft.incident.id}`)), 404, 'an agent of the hospital: drafts are for those who declare');
  expect400(await rssi.delete(api('/incidents/pas-un-uuid')), ['id'], 'malformed id');
  assert.deepEqual(expectStatus(await (await as('direction')).delete(api(`/incidents/${draft.incident.id}`)), 200, 'discard').json(), { ok: true });
  assert.equal(await db().$count(incidents, eq(incidents.id, draft.incident.id)), 0);
  const [audit] = await auditRows('incident.draft.discarded', draft.incident.id);
  assert.equal(audit.actorId, world.users.direction.id);
  assert.deepEqual(audit.details, { reference: draft.incident.reference });
  expectStatus(await rssi.delete(api(`/incidents/${draft.incident.id}`)), 404, 'already gone');
  // After a discarded draft, the next reference is still unique (counting the rows would repeat one).
  const next = await draftOf({ title: 'Après une suppression' });
  const refs = (await db().select({ reference: incidents.reference }).from(incidents).where(eq(incidents.orgId, world.orgs.hospital))).map((r) => r.reference);
  assert.equal(new Set(refs).size, refs.length);
  assert.ok(refs.includes(next.incident.reference));
  await rssi.delete(api(`/incidents/${next.incident.id}`));

  const declared = await declareIncident(rssi, world.orgs.hospital, { type: 'failure' });
  expectStatus(await (await clientFor(hospitalAgent.email)).delete(api(`/incidents/${declared.incident.id}`)), 403, 'an agent of the hospital');
  const refused = expectStatus(await rssi.delete(api(`/incidents/${declared.incident.id}`)), 409, 'a declaration');
  assert.match(refused.json().error.message, /ne se supprime pas/);
  assert.equal(await db().$count(incidents, eq(incidents.id, declared.incident.id)), 1);
});

// --- the region ------------------------------------------------------------------------------------------------------

test('the regional coordinator is told in the app and by e-mail when an establishment of his region declares; the other region is not', async () => {
  const notes = (userId: string) => db().select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, 'incident.declared')));
  const mailsTo = (email: string) => db().select().from(mails).where(eq(mails.to, email));
  const regionNotes = (await notes(world.users.coordRegion.id)).length;
  const regionMails = (await mailsTo(world.users.coordRegion.email)).length;
  const foreignNotes = (await db().select().from(notifications).where(eq(notifications.userId, world.users.foreignCoord.id))).length;
  const foreignMails = (await mailsTo(world.users.foreignCoord.email)).length;

  const draft = await draftOf(completeContent({ title: 'Pas encore déclaré' }));
  assert.equal((await notes(world.users.coordRegion.id)).length, regionNotes, 'a draft tells nobody');

  const d = await declareIncident(await as('rssi'), world.orgs.hospital, { title: 'Messagerie compromise', type: 'compromised_account', supportRequested: true });
  const n = await notes(world.users.coordRegion.id);
  assert.equal(n.length, regionNotes + 1);
  const note = n.find((x) => x.link === `/incidents/${d.incident.id}`)!;
  assert.ok(note, 'a notification linking to the incident');
  assert.equal(note.orgId, world.orgs.north);
  assert.equal(note.title, 'Nouvelle déclaration d’incident : CH Nord');
  assert.equal(note.body, `${d.incident.reference} — Messagerie compromise`);
  const m = await mailsTo(world.users.coordRegion.email);
  assert.equal(m.length, regionMails + 1);
  const mail = m.find((x) => x.text?.includes(d.incident.reference))!;
  assert.equal(mail.subject, 'Hygie : Nouvelle déclaration d’incident : CH Nord (appui demandé)');
  assert.match(mail.text!, /Bonjour Test coordRegion,/);
  assert.match(mail.text!, /L’établissement demande un appui de la région\./);
  assert.ok(mail.text!.includes(`${t.config.publicUrl}/incidents/${d.incident.id}`));

  assert.equal((await db().select().from(notifications).where(eq(notifications.userId, world.users.foreignCoord.id))).length, foreignNotes);
  assert.equal((await mailsTo(world.users.foreignCoord.email)).length, foreignMails);
  await (await as('rssi')).delete(api(`/incidents/${draft.incident.id}`));
});

test('drafts are invisible to the region (404, absent from its lists); lists are refused to those without the right', async () => {
  const rssi = await as('rssi');
  const draft = await draftOf({ title: 'Brouillon confidentiel' });
  const declared = await declareIncident(rssi, world.orgs.hospital, { type: 'phishing', title: 'Hameçonnage déclaré' });
  const region = await as('coordRegion');
  expectStatus(await region.get(api(`/incidents/${draft.incident.id}`)), 404, 'region: draft');
  expectStatus(await region.get(api(`/incidents/${draft.incident.id}/history`)), 404, 'region: draft history');
  assert.equal(expectStatus(await region.get(api(`/incidents/${declared.incident.id}`)), 200, 'region: declared').json().incident.id, declared.incident.id);

  const ids = async (c: Client, query: string) => expectStatus(await c.get(api(`/incidents?${query}`)), 200, query).json().incidents.map((i: { id: string }) => i.id) as string[];
  for (const orgId of [world.orgs.hospital, world.orgs.ght, world.orgs.north]) {
    const seen = await ids(region, `orgId=${orgId}`);
    assert.ok(seen.includes(declared.incident.id), 'the region lists declarations');
    assert.ok(!seen.includes(draft.incident.id), 'never drafts');
  }
  assert.deepEqual(await ids(region, `orgId=${world.orgs.north}&status=draft`), []);
  const mine = await ids(rssi, `orgId=${world.orgs.hospital}`);
  assert.ok(mine.includes(draft.incident.id) && mine.includes(declared.incident.id), 'the establishment sees both');
  const drafts = await ids(rssi, `orgId=${world.orgs.hospital}&status=draft`);
  assert.ok(drafts.includes(draft.incident.id) && !drafts.includes(declared.incident.id), 'filtered by status');
  assert.ok((await ids(await as('coordGht'), `orgId=${world.orgs.ght}`)).includes(draft.incident.id), 'the GHT declares, so it sees drafts below it');
  assert.ok(!(await ids(await as('ehpadRssi'), `orgId=${world.orgs.ehpad}`)).includes(declared.incident.id), 'the EHPAD sees only its own');

  // Refused: an agent of the hospital (403); agents and referents of a service, whose list is not theirs (403), and for whom the hospital is above (404); foreigners (404).
  expectStatus(await (await clientFor(hospitalAgent.email)).get(api(`/incidents?orgId=${world.orgs.hospital}`)), 403, 'agent of the hospital');
  for (const who of ['agent', 'referent'] as const) {
    expectStatus(await (await as(who)).get(api(`/incidents?orgId=${world.orgs.service}`)), 403, `${who} on his service`);
    expectStatus(await (await as(who)).get(api(`/incidents?orgId=${world.orgs.hospital}`)), 404, `${who} on the hospital`);
    expectStatus(await (await as(who)).get(api(`/incidents/${declared.incident.id}`)), 404, `${who} on an incident`);
  }
  expectStatus(await (await clientFor(hospitalAgent.email)).get(api(`/incidents/${declared.incident.id}`)), 403, 'agent of the hospital on an incident');
  for (const who of ['foreignRssi', 'foreignCoord'] as const) {
    expectStatus(await (await as(who)).get(api(`/incidents?orgId=${world.orgs.hospital}`)), 404, `${who} list`);
    expectStatus(await (await as(who)).get(api(`/incidents/${declared.incident.id}`)), 404, `${who} incident`);
  }
  expect400(await rssi.get(api('/incidents?orgId=pas-un-uuid')), ['orgId'], 'malformed orgId');
  expect400(await rssi.get(api(`/incidents?orgId=${world.orgs.hospital}&status=perdu`)), ['status'], 'unknown status');
  expect400(await rssi.get(api('/incidents')), ['orgId'], 'no orgId');
  expect400(await rssi.get(api('/incidents/pas-un-uuid')), ['id'], 'malformed id');
  expectStatus(await rssi.get(api(`/incidents/${randomUUID()}`)), 404, 'unknown id');
  expectStatus(await t.app.inject({ method: 'GET', url: api(`/incidents?orgId=${world.orgs.hospital}`) }) as LightMyRequestResponse, 401, 'signed out');
});

test('every write of this file left its audit row, and the audit chain is intact', async () => {
  const actions = (await db().select({ action: auditLog.action }).from(auditLog)).map((r) => r.action);
  for (const a of ['incident.created', 'incident.declared', 'incident.updated', 'incident.obligation.updated', 'incident.closed', 'incident.draft.discarded', 'incident.nis2.set']) {
    assert.ok(actions.includes(a), `an audit row « ${a} »`);
  }
  const declaredCount = await db().$count(incidents, sql`${incidents.declaredAt} is not null`);
  assert.equal(actions.filter((a) => a === 'incident.declared').length, declaredCount, 'one « declared » row per declaration');
  const result = await verifyAuditChain(db());
  assert.equal(result.valid, true);
  assert.equal(result.brokenAt, null);
});
