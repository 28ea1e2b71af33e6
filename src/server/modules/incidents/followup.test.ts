import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { and, asc, eq } from 'drizzle-orm';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { INDICATOR_TYPES, type IndicatorType } from '../../../contracts/incidents';
import type { Role } from '../../../contracts/tenancy';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { completeContent, declareIncident } from '../../../../test/support/incidents';
import { PASSWORD, seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { hashPassword } from '../../platform/auth/passwords';
import { mails } from '../../platform/mail/schema';
import type { MemoryFileStore } from '../../platform/files/store';
import { notifications } from '../../platform/notifications/schema';
import { memberships, users } from '../../platform/tenancy/schema';
import { normaliseIndicator, refang } from './indicators';
import { attachments, detections, indicators, tasks } from './schema';

let t: TestApp;
let world: World;
const as = {} as Record<WorldUser | 'hospitalAgent' | 'hospitalReferent', Client>;
const extra = {} as Record<'hospitalAgent' | 'hospitalReferent' | 'disabledRssi', { id: string; email: string }>;
const fx = {} as { declared: string; draft: string; closed: string; clinic: string };

const db = () => t.platform.db;
const files = () => t.platform.files as MemoryFileStore;
const api = (path: string) => `/api/v1${path}`;
const FRENCH = /[àâçéèêëîïôûùüœ’]|\b(le|la|les|de|des|du|un|une|est|ce|cette|vous|votre|pas|ou|et|au|saisissez|choisissez|indiquez|invalide|inconnu|inconnue)\b/i;

async function newUser(local: string, roles: [orgId: string, role: Role][], status: 'active' | 'disabled' = 'active') {
  const passwordHash = await hashPassword(PASSWORD);
  const email = `${local}@test.hygie.fr`;
  const [u] = await db().insert(users).values({ email, displayName: `Personne ${local}`, passwordHash, status }).returning({ id: users.id });
  for (const [orgId, role] of roles) await db().insert(memberships).values({ userId: u.id, orgId, role });
  return { id: u.id, email };
}

function assertError(res: LightMyRequestResponse, status: number, field?: string, context = '') {
  assert.equal(res.statusCode, status, `${context} ${res.body}`);
  const body = res.json();
  assert.match(body.error.message, FRENCH, `a French message: ${body.error.message}`);
  if (field) assert.ok(body.error.fields?.some((f: { path: string }) => f.path === field), `field ${field} named: ${res.body}`);
  return body;
}

async function auditOf(action: string, targetId?: string) {
  return db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), targetId ? eq(auditLog.targetId, targetId) : undefined))
    .orderBy(asc(auditLog.seq));
}

async function count(table: string): Promise<number> {
  const { rows } = await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return Number(rows[0].n);
}
async function counts() {
  return {
    timeline: await count('incident_timeline'),
    tasks: await count('incident_tasks'),
    attachments: await count('incident_attachments'),
    indicators: await count('incident_indicators'),
    notifications: await count('notifications'),
    files: files().size,
  };
}

// --- Uploads -------------------------------------------------------------------------------------

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>fetch("/api/v1/me")</script></body></html>');
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
type Part = { name: string; value: string } | { name: string; filename: string; type: string; data: Buffer };

function multipart(parts: Part[]): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----hygie${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('value' in p) chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    else chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n`), p.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
function upload(c: Client, id: string, file: { filename: string; type: string; data: Buffer } | null) {
  const { body, headers } = multipart(file ? [{ name: 'file', ...file }] : [{ name: 'note', value: 'rien' }]);
  return c.request('POST', api(`/incidents/${id}/attachments`), body, headers);
}

// --- Fixtures ------------------------------------------------------------------------------------

before(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  // Monday 2 March 2026, 09:00 in Paris; the incidents were discovered at 06:00.
  t.clock.set(new Date('2026-03-02T08:00:00Z'));
  world = await seedWorld(db());
  extra.hospitalAgent = await newUser('follow.agent', [[world.orgs.hospital, 'agent']]);
  extra.hospitalReferent = await newUser('follow.referent', [[world.orgs.hospital, 'referent']]);
  extra.disabledRssi = await newUser('follow.disabled', [[world.orgs.hospital, 'rssi']], 'disabled');
  for (const u of ['rssi', 'direction', 'coordGht', 'coordRegion', 'agent', 'referent', 'ehpadRssi', 'foreignRssi', 'foreignCoord', 'admin'] as WorldUser[]) {
    as[u] = await signIn(t, world.users[u].email);
  }
  as.hospitalAgent = await signIn(t, extra.hospitalAgent.email);
  as.hospitalReferent = await signIn(t, extra.hospitalReferent.email);

  fx.declared = (await declareIncident(as.rssi, world.orgs.hospital)).incident.id;
  const draft = await as.rssi.request('POST', api('/incidents'), { orgId: world.orgs.hospital, content: completeContent({ title: 'Brouillon' }), declare: false }, { 'idempotency-key': randomUUID() });
  assert.equal(draft.statusCode, 201, draft.body);
  fx.draft = draft.json().incident.id;
  fx.closed = (await declareIncident(as.rssi, world.orgs.hospital, { title: 'Ancien incident' })).incident.id;
  const closing = await as.rssi.post(api(`/incidents/${fx.closed}/close`), { lessons: 'Sauvegardes hors ligne restaurées en deux jours.' });
  assert.equal(closing.statusCode, 200, closing.body);
  fx.clinic = (await declareIncident(as.foreignRssi, world.orgs.clinic, { type: 'phishing' })).incident.id;
});
after(async () => {
  await t?.close();
});

/** Every write of the follow-up, with a valid body: the access and state checks are the same for all. */
function writes(id: string): [string, (c: Client) => Promise<LightMyRequestResponse>][] {
  const u = randomUUID();
  return [
    ['timeline', (c) => c.post(api(`/incidents/${id}/timeline`), { kind: 'fact', body: 'Appel du laboratoire' })],
    ['task', (c) => c.post(api(`/incidents/${id}/tasks`), { title: 'Isoler le serveur' })],
    ['task update', (c) => c.patch(api(`/incidents/${id}/tasks/${u}`), { status: 'done', version: 1 })],
    ['attachment', (c) => upload(c, id, { filename: 'note.pdf', type: 'application/pdf', data: PDF })],
    ['attachment delete', (c) => c.delete(api(`/incidents/${id}/attachments/${u}`))],
    ['indicator', (c) => c.post(api(`/incidents/${id}/indicators`), { type: 'domain', value: 'acces-refuse.example', tlp: 'green' })],
    ['indicator delete', (c) => c.delete(api(`/incidents/${id}/indicators/${u}`))],
  ];
}

describe('access', () => {
  test('the follow-up is read by those who read the incident, and known to nobody else', async () => {
    for (const who of ['rssi', 'direction', 'coordGht', 'coordRegion'] as const) {
      const res = await as[who].get(api(`/incidents/${fx.declared}/follow-up`));
      assert.equal(res.statusCode, 200, `${who}: ${res.body}`);
      assert.ok(res.json().timeline.some((e: { kind: string; body: string }) => e.kind === 'system' && /déclaré/.test(e.body)), 'the declaration is in the timeline');
    }
    // Not known: another region, another establishment of the GHT, a service's agent and referent.
    for (const who of ['foreignRssi', 'foreignCoord', 'ehpadRssi', 'agent', 'referent'] as const) {
      assertError(await as[who].get(api(`/incidents/${fx.declared}/follow-up`)), 404, undefined, who);
      assertError(await as[who].get(api(`/incidents/${fx.declared}/people`)), 404, undefined, who);
    }
    // Known (a member of the hospital; the platform administrator), but not his to read.
    for (const who of ['hospitalAgent', 'hospitalReferent', 'admin'] as const) {
      assertError(await as[who].get(api(`/incidents/${fx.declared}/follow-up`)), 403, undefined, who);
      assertError(await as[who].get(api(`/incidents/${fx.declared}/stix`)), 403, undefined, who);
    }
    assertError(await as.rssi.get(api(`/incidents/${randomUUID()}/follow-up`)), 404);
    assertError(await as.rssi.get(api('/incidents/pas-un-id/follow-up')), 400, 'id');
    // A draft is its authors' work: the region does not see it.
    assertError(await as.coordRegion.get(api(`/incidents/${fx.draft}/follow-up`)), 404);
    assert.equal((await as.rssi.get(api(`/incidents/${fx.draft}/follow-up`))).statusCode, 200);
  });

  test('writes need the follow-up right: the region reads but does not write; strangers do not even know the incident', async () => {
    const deniedBefore = (await db().select().from(auditLog).where(and(eq(auditLog.outcome, 'denied'), eq(auditLog.actorId, world.users.coordRegion.id)))).length;
    for (const [name, write] of writes(fx.declared)) {
      for (const who of ['coordRegion', 'hospitalAgent', 'hospitalReferent', 'admin'] as const) assertError(await write(as[who]), 403, undefined, `${who} ${name}`);
      for (const who of ['foreignRssi', 'foreignCoord', 'ehpadRssi', 'agent'] as const) assertError(await write(as[who]), 404, undefined, `${who} ${name}`);
    }
    for (const [name, write] of writes(randomUUID())) assertError(await write(as.rssi), 404, undefined, `unknown incident ${name}`);
    const denied = await db().select().from(auditLog).where(and(eq(auditLog.outcome, 'denied'), eq(auditLog.actorId, world.users.coordRegion.id)));
    assert.equal(denied.length - deniedBefore, writes(fx.declared).length, 'each refusal is audited');
  });

  test('a refused write keeps nothing', async () => {
    for (const [name, write] of writes(fx.declared)) {
      const before = await counts();
      await write(as.coordRegion);
      await write(as.foreignRssi);
      assert.deepEqual(await counts(), before, name);
    }
  });

  test('a draft is declared before it is followed; a closed incident is history', async () => {
    for (const [name, write] of writes(fx.draft)) {
      const before = await counts();
      const body = assertError(await write(as.rssi), 409, undefined, `draft ${name}`);
      assert.match(body.error.message, /déclarez d’abord/, name);
      assert.deepEqual(await counts(), before, `draft ${name}: nothing kept`);
    }
    for (const [name, write] of writes(fx.closed)) {
      const before = await counts();
      const body = assertError(await write(as.rssi), 409, undefined, `closed ${name}`);
      assert.match(body.error.message, /clos/, name);
      assert.deepEqual(await counts(), before, `closed ${name}: nothing kept`);
    }
  });
});

describe('timeline', () => {
  test('facts, decisions, actions and communications, newest first, with their author', async () => {
    const url = api(`/incidents/${fx.declared}/timeline`);
    const now = await as.rssi.post(url, { kind: 'decision', body: 'Passage en mode dégradé au laboratoire' });
    assert.equal(now.statusCode, 201, now.body);
    assert.equal(now.json().occurredAt, t.clock.now().toISOString(), 'defaults to now');
    assert.equal(now.json().authorName, 'Test rssi');
    const earlier = await as.direction.post(url, { kind: 'communication', body: 'Appel à l’ARS', occurredAt: '2026-03-02T06:30:00+01:00' });
    assert.equal(earlier.statusCode, 201, earlier.body);
    assert.equal(earlier.json().occurredAt, '2026-03-02T05:30:00.000Z');
    // A person may be a little ahead of the server's clock, not in the future.
    const skew = await as.rssi.post(url, { kind: 'fact', body: 'Horloge du téléphone en avance', occurredAt: new Date(t.clock.now().getTime() + 30_000).toISOString() });
    assert.equal(skew.statusCode, 201, skew.body);

    const { timeline: entries } = (await as.coordRegion.get(api(`/incidents/${fx.declared}/follow-up`))).json();
    const times = entries.map((e: { occurredAt: string }) => Date.parse(e.occurredAt));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.equal(entries.at(-1).id, earlier.json().id, 'the earliest fact is last');

    const audit = await auditOf('incident.timeline.added', fx.declared);
    assert.ok(audit.some((a) => a.details.entryId === now.json().id && a.details.kind === 'decision' && a.actorId === world.users.rssi.id));
  });

  test('bad input: a clear French 400 on the field, nothing written', async () => {
    const url = api(`/incidents/${fx.declared}/timeline`);
    const before = await counts();
    assertError(await as.rssi.post(url, { body: 'Sans type' }), 400, 'kind');
    assertError(await as.rssi.post(url, { kind: 'system', body: 'Hygie seul écrit ces lignes' }), 400, 'kind');
    assertError(await as.rssi.post(url, { kind: 'fact' }), 400, 'body');
    assertError(await as.rssi.post(url, { kind: 'fact', body: ' ' }), 400, 'body');
    assertError(await as.rssi.post(url, { kind: 'fact', body: 'x'.repeat(4001) }), 400, 'body');
    assertError(await as.rssi.post(url, { kind: 'fact', body: 'Demain', occurredAt: '2026-03-03T08:00:00Z' }), 400, 'occurredAt');
    assertError(await as.rssi.post(url, { kind: 'fact', body: 'Date illisible', occurredAt: 'hier soir' }), 400, 'occurredAt');
    assert.deepEqual(await counts(), before);
  });
});

describe('tasks', () => {
  test('people who may own a task: active RSSI, direction and GHT coordination of the establishment (not its referents, who cannot open it), names only', async () => {
    const res = await as.rssi.get(api(`/incidents/${fx.declared}/people`));
    assert.equal(res.statusCode, 200, res.body);
    const people = res.json().people as { id: string; name: string }[];
    const ids = people.map((p) => p.id).sort();
    assert.deepEqual(ids, [world.users.rssi.id, world.users.direction.id, world.users.coordGht.id].sort());
    assert.ok(!ids.includes(extra.hospitalReferent.id), 'a referent of the establishment cannot open the incident');
    for (const p of people) assert.deepEqual(Object.keys(p).sort(), ['id', 'name'], 'no e-mail, no role');
    // The region reads the incident, so it sees who follows it.
    assert.equal((await as.coordRegion.get(api(`/incidents/${fx.declared}/people`))).statusCode, 200);
  });

  test('a task given to someone else tells him in the app; to oneself, nobody is told', async () => {
    const url = api(`/incidents/${fx.declared}/tasks`);
    const given = await as.rssi.post(url, { title: 'Prévenir le prestataire du laboratoire', ownerId: world.users.direction.id, dueDate: '2026-03-03' });
    assert.equal(given.statusCode, 201, given.body);
    const task = given.json();
    assert.equal(task.ownerName, 'Test direction');
    assert.equal(task.status, 'todo');
    assert.equal(task.version, 1);
    const told = await db().select().from(notifications).where(and(eq(notifications.userId, world.users.direction.id), eq(notifications.kind, 'incident.task.assigned')));
    assert.equal(told.length, 1);
    assert.equal(told[0].link, `/incidents/${fx.declared}`);
    assert.match(told[0].title, /Prévenir le prestataire/);

    const before = await count('notifications');
    const own = await as.rssi.post(url, { title: 'Relire la charte', ownerId: world.users.rssi.id });
    assert.equal(own.statusCode, 201, own.body);
    const none = await as.rssi.post(url, { title: 'Sans responsable pour l’instant' });
    assert.equal(none.statusCode, 201, none.body);
    assert.equal(none.json().ownerId, null);
    assert.equal(await count('notifications'), before, 'nobody told');

    const created = await auditOf('incident.task.created', fx.declared);
    assert.ok(created.some((a) => a.details.taskId === task.id && a.details.ownerId === world.users.direction.id));
    const { timeline: entries } = (await as.rssi.get(api(`/incidents/${fx.declared}/follow-up`))).json();
    assert.ok(entries.some((e: { kind: string; body: string }) => e.kind === 'system' && /Prévenir le prestataire/.test(e.body) && /Test direction/.test(e.body)));
  });

  test('the owner must be one of the people offered: an id from elsewhere is refused', async () => {
    const url = api(`/incidents/${fx.declared}/tasks`);
    const before = await counts();
    for (const ownerId of [world.users.ehpadRssi.id, world.users.foreignRssi.id, world.users.coordRegion.id, world.users.agent.id, extra.hospitalAgent.id, extra.disabledRssi.id, randomUUID()]) {
      assertError(await as.rssi.post(url, { title: 'Tâche', ownerId }), 400, 'ownerId', ownerId);
    }
    assertError(await as.rssi.post(url, { title: 'Tâche', ownerId: 'quelqu’un' }), 400, 'ownerId');
    assertError(await as.rssi.post(url, {}), 400, 'title');
    assertError(await as.rssi.post(url, { title: 'x' }), 400, 'title');
    assertError(await as.rssi.post(url, { title: 'Tâche', dueDate: '03/03/2026' }), 400, 'dueDate');
    assert.deepEqual(await counts(), before);
  });

  test('a task is changed from the version one saw: a stale change is refused with the task as it is now', async () => {
    const created = (await as.rssi.post(api(`/incidents/${fx.declared}/tasks`), { title: 'Changer les mots de passe des comptes de service' })).json();
    const url = api(`/incidents/${fx.declared}/tasks/${created.id}`);
    const started = await as.direction.patch(url, { status: 'in_progress', version: 1 });
    assert.equal(started.statusCode, 200, started.body);
    assert.equal(started.json().version, 2);
    const stale = await as.rssi.patch(url, { title: 'Autre titre', version: 1 });
    const body = assertError(stale, 409);
    assert.equal(body.current.version, 2);
    assert.equal(body.current.status, 'in_progress');
    assert.equal((await db().select().from(tasks).where(eq(tasks.id, created.id)))[0].title, created.title, 'nothing overwritten');

    t.clock.advance(60_000);
    const done = await as.rssi.patch(url, { status: 'done', version: 2 });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().doneAt, t.clock.now().toISOString());
    const reopened = await as.rssi.patch(url, { status: 'todo', version: 3 });
    assert.equal(reopened.json().doneAt, null);
    const { timeline: entries } = (await as.rssi.get(api(`/incidents/${fx.declared}/follow-up`))).json();
    assert.ok(entries.some((e: { body: string }) => /Tâche terminée/.test(e.body)));
    assert.ok(entries.some((e: { body: string }) => /Tâche rouverte/.test(e.body)));

    // Given to someone: he is told.
    const given = await as.rssi.patch(url, { ownerId: world.users.coordGht.id, version: 4 });
    assert.equal(given.statusCode, 200, given.body);
    const told = await db().select().from(notifications).where(and(eq(notifications.userId, world.users.coordGht.id), eq(notifications.kind, 'incident.task.assigned')));
    assert.equal(told.length, 1);
    const updated = await auditOf('incident.task.updated', fx.declared);
    assert.ok(updated.some((a) => a.details.taskId === created.id && (a.details.fields as string[]).includes('ownerId')));
  });

  test('bad task changes: version missing, unknown status, a task of another incident, an owner from elsewhere', async () => {
    const created = (await as.rssi.post(api(`/incidents/${fx.declared}/tasks`), { title: 'Vérifier les sauvegardes' })).json();
    const url = api(`/incidents/${fx.declared}/tasks/${created.id}`);
    assertError(await as.rssi.patch(url, { status: 'done' }), 400, 'version');
    assertError(await as.rssi.patch(url, { status: 'finie', version: 1 }), 400, 'status');
    assertError(await as.rssi.patch(url, { ownerId: world.users.foreignRssi.id, version: 1 }), 400, 'ownerId');
    assertError(await as.rssi.patch(api(`/incidents/${fx.declared}/tasks/pas-un-id`), { version: 1 }), 400, 'taskId');
    // The task exists, but under another incident: never reached through this one.
    const other = (await declareIncident(as.rssi, world.orgs.hospital, { title: 'Autre incident' })).incident.id;
    assertError(await as.rssi.patch(api(`/incidents/${other}/tasks/${created.id}`), { status: 'done', version: 1 }), 404);
    assert.equal((await db().select().from(tasks).where(eq(tasks.id, created.id)))[0].version, 1, 'untouched');
  });
});

describe('attachments', () => {
  test('a file is checked, stored with its SHA-256, listed, downloaded safely and removed', async () => {
    const res = await upload(as.rssi, fx.declared, { filename: 'Compte rendu cellule de crise.pdf', type: 'application/pdf', data: PDF });
    assert.equal(res.statusCode, 201, res.body);
    const a = res.json();
    assert.equal(a.mimeType, 'application/pdf');
    assert.equal(a.size, PDF.length);
    const [row] = await db().select().from(attachments).where(eq(attachments.id, a.id));
    assert.equal(row.sha256, createHash('sha256').update(PDF).digest('hex'));
    assert.ok(files().has(row.fileKey));
    const audit = await auditOf('incident.attachment.added', fx.declared);
    assert.ok(audit.some((x) => x.details.attachmentId === a.id && x.details.sha256 === row.sha256));

    const list = (await as.coordRegion.get(api(`/incidents/${fx.declared}/follow-up`))).json();
    assert.ok(list.attachments.some((x: { id: string }) => x.id === a.id));
    assert.ok(list.timeline.some((e: { kind: string; body: string }) => e.kind === 'system' && /Pièce jointe ajoutée/.test(e.body)));

    // The region reads what it may read.
    const dl = await as.coordRegion.get(api(`/incidents/${fx.declared}/attachments/${a.id}`));
    assert.equal(dl.statusCode, 200);
    assert.deepEqual(dl.rawPayload, PDF);
    assert.equal(dl.headers['content-type'], 'application/pdf');
    assert.equal(dl.headers['x-content-type-options'], 'nosniff');
    assert.match(String(dl.headers['content-security-policy']), /sandbox/);
    assert.equal(dl.headers['content-disposition'], 'attachment; filename="Compte rendu cellule de crise.pdf"');
    assertError(await as.foreignRssi.get(api(`/incidents/${fx.declared}/attachments/${a.id}`)), 404);
    assertError(await as.hospitalAgent.get(api(`/incidents/${fx.declared}/attachments/${a.id}`)), 403);
    // Never through another incident.
    assertError(await as.foreignRssi.get(api(`/incidents/${fx.clinic}/attachments/${a.id}`)), 404);
    assertError(await as.rssi.get(api(`/incidents/${fx.closed}/attachments/${a.id}`)), 404);
    assertError(await as.rssi.delete(api(`/incidents/${fx.clinic}/attachments/${a.id}`)), 404);

    assertError(await as.coordRegion.delete(api(`/incidents/${fx.declared}/attachments/${a.id}`)), 403);
    const del = await as.direction.delete(api(`/incidents/${fx.declared}/attachments/${a.id}`));
    assert.equal(del.statusCode, 200, del.body);
    assert.equal((await db().select().from(attachments).where(eq(attachments.id, a.id))).length, 0);
    assert.equal(files().has(row.fileKey), false, 'the bytes are gone');
    assert.ok((await auditOf('incident.attachment.deleted', fx.declared)).some((x) => x.details.attachmentId === a.id));
    assertError(await as.rssi.get(api(`/incidents/${fx.declared}/attachments/${a.id}`)), 404);
    assertError(await as.rssi.delete(api(`/incidents/${fx.declared}/attachments/${a.id}`)), 404);
  });

  test('a forbidden type, a file too large or no file at all is refused and nothing is stored', async () => {
    const before = await counts();
    const auditBefore = await count('audit_log');
    assertError(await upload(as.rssi, fx.declared, { filename: 'rapport.pdf', type: 'application/pdf', data: HTML }), 400, 'file', 'a web page renamed .pdf');
    assertError(await upload(as.rssi, fx.declared, { filename: 'page.txt', type: 'text/plain', data: HTML }), 400, 'file', 'a web page renamed .txt');
    assertError(await upload(as.rssi, fx.declared, { filename: 'outil.pdf', type: 'application/pdf', data: EXE }), 400, 'file', 'a program');
    assertError(await upload(as.rssi, fx.declared, { filename: 'vide.pdf', type: 'application/pdf', data: Buffer.alloc(0) }), 400, 'file', 'empty');
    assertError(await upload(as.rssi, fx.declared, null), 400, 'file', 'no file');
    const tooLarge = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 + 1 - PDF.length, 0x20)]);
    assertError(await upload(as.rssi, fx.declared, { filename: 'gros.pdf', type: 'application/pdf', data: tooLarge }), 413, 'file', 'too large');
    const json = await as.rssi.post(api(`/incidents/${fx.declared}/attachments`), { file: 'pas un fichier' });
    assertError(json, 400, 'file', 'not multipart');
    assert.deepEqual(await counts(), before, 'no row, no file');
    assert.equal(await count('audit_log'), auditBefore, 'nothing audited as added');
  });
});

describe('indicators', () => {
  test('values are validated and normalised per type; defanged input is accepted; duplicates are refused', async () => {
    const url = api(`/incidents/${fx.declared}/indicators`);
    const res = await as.rssi.post(url, { type: 'domain', value: ' Facture-Urgente[.]EXAMPLE ', tlp: 'amber', description: 'Expéditeur du faux courriel', shareIdentity: false });
    assert.equal(res.statusCode, 201, res.body);
    const ind = res.json();
    assert.equal(ind.value, 'facture-urgente.example');
    assert.equal(ind.tlp, 'amber');
    assert.equal(ind.createdByName, 'Test rssi');
    assert.ok((await auditOf('incident.indicator.added', fx.declared)).some((a) => a.details.indicatorId === ind.id && a.details.value === 'facture-urgente.example'));

    const before = await counts();
    for (const value of ['facture-urgente.example', 'FACTURE-URGENTE(.)example', 'facture-urgente.example.']) {
      const dup = assertError(await as.direction.post(url, { type: 'domain', value, tlp: 'green' }), 409, undefined, value);
      assert.match(dup.error.message, /déjà enregistré/);
    }
    // The same value as another type is another indicator.
    assert.equal((await as.rssi.post(url, { type: 'url', value: 'hxxps://facture-urgente[.]example/', tlp: 'amber' })).statusCode, 201);
    assert.equal((await count('incident_indicators')) - before.indicators, 1);

    const bad: [IndicatorType, string, RegExp][] = [
      ['ipv4', '999.1.1.1', /IPv4/],
      ['ipv4', '2001:db8::1', /IPv6 : changez le type/],
      ['ipv6', '203.0.113.7', /IPv4 : changez le type/],
      ['domain', 'https://facture-urgente.example/x', /Adresse web/],
      ['domain', 'localhost', /au moins un point/],
      ['url', 'javascript:alert(1)', /http:\/\//],
      ['url', 'facture-urgente.example', /Nom de domaine/],
      ['email', 'pas-une-adresse', /e-mail/],
      ['sha256', 'd41d8cd98f00b204e9800998ecf8427e', /MD5/],
      ['md5', 'xyz', /32 caractères hexadécimaux/],
    ];
    for (const [type, value, message] of bad) {
      const body = assertError(await as.rssi.post(url, { type, value, tlp: 'green' }), 400, 'value', `${type} ${value}`);
      assert.match(body.error.fields[0].message, message, `${type} ${value}`);
    }
    assertError(await as.rssi.post(url, { type: 'hostname', value: 'x.example', tlp: 'green' }), 400, 'type');
    assertError(await as.rssi.post(url, { type: 'domain', value: 'x.example', tlp: 'white' }), 400, 'tlp');
    assertError(await as.rssi.post(url, { type: 'domain', value: '', tlp: 'green' }), 400, 'value');
    assertError(await as.rssi.post(url, { type: 'domain', tlp: 'green' }), 400, 'value');

    const del = await as.rssi.delete(api(`/incidents/${fx.declared}/indicators/${ind.id}`));
    assert.equal(del.statusCode, 200, del.body);
    assert.equal((await db().select().from(indicators).where(eq(indicators.id, ind.id))).length, 0);
    assert.ok((await auditOf('incident.indicator.deleted', fx.declared)).some((a) => a.details.indicatorId === ind.id));
    assertError(await as.rssi.delete(api(`/incidents/${fx.declared}/indicators/${ind.id}`)), 404);
    assertError(await as.rssi.delete(api(`/incidents/${fx.declared}/indicators/pas-un-id`)), 400, 'indicatorId');
  });

  test('two people adding the same indicator at once: one is kept, the other is told it exists', async () => {
    const url = api(`/incidents/${fx.declared}/indicators`);
    const results = await Promise.all([
      as.rssi.post(url, { type: 'ipv6', value: '2001:DB8:0:0:0:0:0:99', tlp: 'green' }),
      as.direction.post(url, { type: 'ipv6', value: '2001:db8::99', tlp: 'amber' }),
    ]);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409], results.map((r) => r.body).join('\n'));
    const rows = await db().select().from(indicators).where(and(eq(indicators.incidentId, fx.declared), eq(indicators.value, '2001:db8::99')));
    assert.equal(rows.length, 1);
    // Two changes of a task from the same version: one wins, the other gets the current task.
    const task = (await as.rssi.post(api(`/incidents/${fx.declared}/tasks`), { title: 'Couper l’accès VPN' })).json();
    const taskUrl = api(`/incidents/${fx.declared}/tasks/${task.id}`);
    const changes = await Promise.all([as.rssi.patch(taskUrl, { status: 'done', version: 1 }), as.direction.patch(taskUrl, { title: 'Couper l’accès VPN du prestataire', version: 1 })]);
    assert.deepEqual(changes.map((r) => r.statusCode).sort(), [200, 409]);
    assert.equal((await db().select().from(tasks).where(eq(tasks.id, task.id)))[0].version, 2);
  });

  test('the hospital and the EHPAD of the north report the same domain: one campaign for the region', async () => {
    const hospital = (await declareIncident(as.rssi, world.orgs.hospital, { type: 'phishing', title: 'Hameçonnage facture' })).incident.id;
    const ehpad = (await declareIncident(as.ehpadRssi, world.orgs.ehpad, { type: 'phishing', title: 'Courriel piégé' })).incident.id;
    const key = 'indicator:domain:paiement-fournisseur.example';
    const first = await as.rssi.post(api(`/incidents/${hospital}/indicators`), { type: 'domain', value: 'paiement-fournisseur.example', tlp: 'green' });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal((await db().select().from(detections).where(eq(detections.key, key))).length, 0, 'one establishment is not a campaign');
    const second = await as.ehpadRssi.post(api(`/incidents/${ehpad}/indicators`), { type: 'domain', value: 'PAIEMENT-fournisseur[.]example', tlp: 'clear' });
    assert.equal(second.statusCode, 201, second.body);
    const rows = await db().select().from(detections).where(eq(detections.key, key));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].regionId, world.orgs.north);
    assert.deepEqual([...rows[0].incidentIds].sort(), [hospital, ehpad].sort());
    const told = await db().select().from(notifications).where(and(eq(notifications.userId, world.users.coordRegion.id), eq(notifications.kind, 'incident.detection')));
    assert.ok(told.length >= 1, 'the region is told');
    const mailed = await db().select().from(mails).where(eq(mails.to, world.users.coordRegion.email));
    assert.ok(mailed.some((m) => /Campagne possible/.test(m.subject)), 'and by e-mail');
  });
});

describe('shared indicators', () => {
  const fxs = {} as { hospital: string; ehpad: string; clinic: string };

  before(async () => {
    fxs.hospital = (await declareIncident(as.rssi, world.orgs.hospital, { type: 'malware', title: 'Logiciel malveillant' })).incident.id;
    fxs.ehpad = (await declareIncident(as.ehpadRssi, world.orgs.ehpad, { type: 'malware', title: 'Poste infecté' })).incident.id;
    fxs.clinic = (await declareIncident(as.foreignRssi, world.orgs.clinic, { type: 'malware', title: 'Clinique' })).incident.id;
    const add = async (c: Client, id: string, body: object) => {
      const res = await c.post(api(`/incidents/${id}/indicators`), body);
      assert.equal(res.statusCode, 201, res.body);
    };
    await add(as.rssi, fxs.hospital, { type: 'domain', value: 'partage-nomme.example', tlp: 'green', shareIdentity: true, description: 'Vu par le CH' });
    await add(as.rssi, fxs.hospital, { type: 'ipv4', value: '198.51.100.23', tlp: 'clear', shareIdentity: false, description: 'Serveur de commande du CH Nord' });
    await add(as.rssi, fxs.hospital, { type: 'sha256', value: 'ab'.repeat(32), tlp: 'amber', shareIdentity: true });
    await add(as.rssi, fxs.hospital, { type: 'email', value: 'rouge@secret.example', tlp: 'red', shareIdentity: true });
    await add(as.rssi, fxs.hospital, { type: 'md5', value: 'cd'.repeat(16), tlp: 'amber_strict', shareIdentity: true });
    await add(as.ehpadRssi, fxs.ehpad, { type: 'domain', value: 'partage-nomme.example', tlp: 'clear', shareIdentity: false });
    await add(as.foreignRssi, fxs.clinic, { type: 'domain', value: 'sud-seulement.example', tlp: 'clear', shareIdentity: true });
    // A closed incident's indicators stay shared.
    const res = await as.rssi.post(api(`/incidents/${fxs.hospital}/close`), { lessons: 'Filtrage des pièces jointes renforcé.' });
    assert.equal(res.statusCode, 200, res.body);
  });

  const get = (c: Client, orgId: string) => c.get(api(`/incidents/shared-indicators?orgId=${orgId}`));
  type Shared = { type: string; value: string; tlp: string; description: string | null; establishments: number; namedBy: string[]; firstReportedAt: string };

  test('the EHPAD sees what the other establishments of its region shared, TLP:CLEAR and TLP:GREEN only, named only with consent', async () => {
    const res = await get(as.ehpadRssi, world.orgs.ehpad);
    assert.equal(res.statusCode, 200, res.body);
    const list = res.json().indicators as Shared[];
    assert.ok(list.every((i) => i.tlp === 'clear' || i.tlp === 'green'), 'never AMBER nor RED');
    const values = list.map((i) => i.value);
    assert.ok(!values.includes('ab'.repeat(32)) && !values.includes('rouge@secret.example') && !values.includes('cd'.repeat(16)));
    assert.ok(!values.includes('sud-seulement.example'), 'never another region');
    const named = list.find((i) => i.value === 'partage-nomme.example')!;
    assert.deepEqual(named.namedBy, ['CH Nord']);
    assert.equal(named.establishments, 1, 'its own report is not counted as someone else’s');
    assert.equal(named.description, 'Vu par le CH');
    const anonymous = list.find((i) => i.value === '198.51.100.23')!;
    assert.deepEqual(anonymous.namedBy, []);
    assert.equal(anonymous.description, null, 'a description may name the establishment: hidden with its identity');
    assert.equal(res.body.split('CH Nord').length - 1, 1, 'the hospital is named once: where it agreed');
  });

  test('the region sees its own region’s shareable indicators, counted across establishments', async () => {
    const res = await get(as.coordRegion, world.orgs.north);
    assert.equal(res.statusCode, 200, res.body);
    const list = res.json().indicators as Shared[];
    const shared = list.find((i) => i.value === 'partage-nomme.example')!;
    assert.equal(shared.establishments, 2);
    assert.deepEqual(shared.namedBy, ['CH Nord'], 'the EHPAD did not allow its name');
    assert.equal(shared.tlp, 'green', 'the strictest of the reports');
    assert.ok(list.every((i) => i.tlp === 'clear' || i.tlp === 'green'));
    assert.ok(!list.some((i) => i.value === 'sud-seulement.example'));
    // The hospital sees the EHPAD's report, anonymously, and not its own ones.
    const fromHospital = (await get(as.rssi, world.orgs.hospital)).json().indicators as Shared[];
    const seen = fromHospital.find((i) => i.value === 'partage-nomme.example')!;
    assert.deepEqual(seen.namedBy, []);
    assert.ok(!fromHospital.some((i) => i.value === '198.51.100.23'), 'its own indicators are not "shared with it"');
  });

  test('the south never sees the north’s; strangers and bad input are refused', async () => {
    const south = (await get(as.foreignCoord, world.orgs.south)).json().indicators as Shared[];
    assert.ok(!south.some((i) => ['partage-nomme.example', '198.51.100.23'].includes(i.value)));
    assert.ok(south.some((i) => i.value === 'sud-seulement.example'));
    const clinic = (await get(as.foreignRssi, world.orgs.clinic)).json().indicators as Shared[];
    assert.deepEqual(clinic.filter((i) => i.value !== 'sud-seulement.example'), [], 'nothing from the north');
    assertError(await get(as.foreignRssi, world.orgs.ehpad), 404);
    assertError(await get(as.foreignCoord, world.orgs.north), 404);
    assertError(await get(as.agent, world.orgs.service), 403);
    assertError(await get(as.hospitalAgent, world.orgs.hospital), 403);
    assertError(await as.rssi.get(api('/incidents/shared-indicators')), 400, 'orgId');
    assertError(await get(as.rssi, 'pas-un-id'), 400, 'orgId');
    assertError(await get(as.rssi, randomUUID()), 404);
  });
});

describe('normalising indicators (property tests)', () => {
  const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: n, maxLength: n });
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
  const domain = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/)).map(([ls, tld]) => [...ls, tld].join('.'));
  const defang = (s: string) => s.replace(/\./g, '[.]');

  test('normalising is idempotent, and defanged or upper-cased forms of a value give the same indicator', () => {
    fc.assert(
      fc.property(domain, (d) => {
        const n = normaliseIndicator('domain', d);
        assert.ok(n.ok, d);
        assert.deepEqual(normaliseIndicator('domain', n.value), n);
        assert.deepEqual(normaliseIndicator('domain', defang(d.toUpperCase())), n);
        assert.deepEqual(normaliseIndicator('url', `hxxps://${defang(d)}/a`), normaliseIndicator('url', `https://${d}/a`));
        assert.deepEqual(normaliseIndicator('email', `Contact[@]${defang(d.toUpperCase())}`), { ok: true, value: `contact@${n.value}` });
      }),
    );
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        assert.deepEqual(normaliseIndicator('ipv4', defang(ip)), { ok: true, value: ip });
      }),
    );
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        const n = normaliseIndicator('ipv6', ip.toUpperCase());
        assert.ok(n.ok, ip);
        assert.equal(n.value, n.value.toLowerCase());
        assert.deepEqual(normaliseIndicator('ipv6', n.value), n, 'canonical');
        assert.deepEqual(normaliseIndicator('ipv6', ip), n, 'case does not matter');
      }),
    );
    for (const [type, length] of [['sha256', 64], ['sha1', 40], ['md5', 32]] as const) {
      fc.assert(
        fc.property(hex(length), (h) => {
          assert.deepEqual(normaliseIndicator(type, h.toUpperCase()), { ok: true, value: h.toLowerCase() });
        }),
      );
      fc.assert(
        fc.property(hex(length + 1), (h) => {
          assert.equal(normaliseIndicator(type, h).ok, false);
        }),
      );
    }
  });

  test('nothing that is not of the type gets through, and every refusal says what is expected in French', () => {
    fc.assert(
      fc.property(fc.constantFrom(...INDICATOR_TYPES), fc.string({ maxLength: 60 }), (type, raw) => {
        const n = normaliseIndicator(type, raw);
        if (!n.ok) {
          assert.match(n.message, /^Saisissez /);
          return;
        }
        // Whatever is accepted is already in its normal form.
        assert.deepEqual(normaliseIndicator(type, n.value), n);
      }),
    );
    assert.equal(refang('hxxps[://]evil[.]example'), 'https://evil.example');
    assert.equal(refang('fxp://files[dot]example'), 'ftp://files.example');
    assert.equal(refang('1.2.3[.]4'), '1.2.3.4');
    assert.deepEqual(normaliseIndicator('domain', 'Bücher.example'), { ok: true, value: 'xn--bcher-kva.example' });
    assert.deepEqual(normaliseIndicator('url', 'HTTP://Bücher.Example:80/a/../b'), { ok: true, value: 'http://xn--bcher-kva.example/b' });
    assert.equal(normaliseIndicator('url', 'file:///etc/passwd').ok, false);
    assert.equal(normaliseIndicator('ipv6', 'fe80::1%eth0').ok, false);
    assert.equal(normaliseIndicator('ipv4', '010.1.1.1').ok, false);
  });
});

