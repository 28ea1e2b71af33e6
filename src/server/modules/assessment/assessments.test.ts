import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../../contracts/tenancy';
import { Client, createTestApp, type TestApp } from '../../../../test/support/app';
import { insertSmallFramework } from '../../../../test/support/frameworks';
import { PASSWORD, seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { verifyAuditChain } from '../../platform/audit/service';
import { hashPassword } from '../../platform/auth/passwords';
import type { MemoryFileStore } from '../../platform/files/store';
import { memberships, users } from '../../platform/tenancy/schema';
import { answers, assessments, evidence, frameworkNodes, nodeScores } from './schema';
import { scoreTree } from './scoring';

let t: TestApp;
let world: World;
let fw: TestFramework;
let otherFw: TestFramework;
let hospitalAgent: { id: string; email: string };

before(async () => {
  t = await createTestApp();
  world = await seedWorld(t.platform.db);
  fw = await makeFramework('principal');
  otherFw = await makeFramework('autre');
  hospitalAgent = await newUser('hospital.agent', [[world.orgs.hospital, 'agent']]);
});
after(async () => {
  await t?.close();
});

// --- helpers --------------------------------------------------------------------------------

const api = (path: string) => `/api/v1${path}`;
const db = () => t.platform.db;
const files = () => t.platform.files as MemoryFileStore;

const clients = new Map<string, Client>();
async function clientFor(email: string): Promise<Client> {
  let c = clients.get(email);
  if (!c) clients.set(email, (c = await signIn(t, email)));
  return c;
}
const as = (who: WorldUser) => clientFor(world.users[who].email);

let passwordHash: string | undefined;
/** A person of our own, with memberships, written directly in the database. */
async function newUser(local: string, roles: [orgId: string, role: Role][]) {
  passwordHash ??= await hashPassword(PASSWORD);
  const email = `${local}@test.hygie.fr`;
  const [u] = await db().insert(users).values({ email, displayName: `Personne ${local}`, passwordHash }).returning({ id: users.id });
  for (const [orgId, role] of roles) await db().insert(memberships).values({ userId: u.id, orgId, role });
  return { id: u.id, email };
}

interface TestFramework {
  id: string;
  name: string;
  objectives: [string, string];
  sub: string;
  /** m1, m2 essential (m1 has a question), m3 recommended under the sub-objective; m4 recommended directly under the second objective */
  measures: [string, string, string, string];
  question: { urn: string; yes: string; no: string };
}

/** The shared small framework, in the shape these tests use. */
async function makeFramework(label: string): Promise<TestFramework> {
  const f = await insertSmallFramework(db(), label);
  const n = f.nodes;
  return { id: f.id, name: f.name, objectives: [n.o1, n.o2], sub: n.s1, measures: [n.m1, n.m2, n.m3, n.m4], question: f.question };
}

async function createAssessment(who: WorldUser | Client, orgId = world.orgs.hospital, frameworkId = fw.id, title?: string) {
  const c = typeof who === 'string' ? await as(who) : who;
  const res = await c.post(api('/assessments'), { orgId, frameworkId, ...(title ? { title } : {}) });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { assessment: { id: string; status: string; title: string; assessableCount: number; answeredCount: number; score: number | null } };
}

async function save(c: Client, id: string, nodeId: string, body: Record<string, unknown>) {
  return c.put(api(`/assessments/${id}/answers/${nodeId}`), body);
}
async function saveOk(c: Client, id: string, nodeId: string, body: Record<string, unknown>) {
  const res = await save(c, id, nodeId, body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

async function count(table: string): Promise<number> {
  const { rows } = await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return Number(rows[0].n);
}
async function counts() {
  return {
    assessments: await count('assessments'),
    answers: await count('assessment_answers'),
    evidence: await count('assessment_evidence'),
    scores: await count('assessment_node_scores'),
    audit: await count('audit_log'),
    files: files().size,
  };
}
async function answerRow(assessmentId: string, nodeId: string) {
  const [row] = await db().select().from(answers).where(and(eq(answers.assessmentId, assessmentId), eq(answers.nodeId, nodeId)));
  return row;
}
async function assessmentRow(id: string) {
  const [row] = await db().select().from(assessments).where(eq(assessments.id, id));
  return row;
}
async function auditOf(action: string, targetId?: string) {
  return db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), targetId ? eq(auditLog.targetId, targetId) : undefined))
    .orderBy(asc(auditLog.seq));
}

const FRENCH = /[àâçéèêëîïôûùüœ]|\b(le|la|les|de|des|du|un|une|est|ce|cette|vous|votre|pas|ou|et|au|choisissez|indiquez|identifiant|invalide)\b/i;
const ENGLISH = /\b(invalid|expected|required|must|received)\b/i;
function assertFrench(message: string, context: string) {
  assert.ok(typeof message === 'string' && message.length > 0, `${context}: no message`);
  assert.match(message, FRENCH, `${context}: not French: ${message}`);
  assert.doesNotMatch(message, ENGLISH, `${context}: English: ${message}`);
}
function assertInvalid(res: LightMyRequestResponse, field: string, context: string, status = 400) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  const { error } = res.json();
  assert.equal(error.code, 'validation', context);
  assert.equal(error.fields?.[0]?.path, field, `${context}: ${res.body}`);
  assertFrench(error.fields[0].message, context);
  assertFrench(error.message, context);
}
function assertStatus(res: LightMyRequestResponse, status: number, code: string, context: string) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  assert.equal(res.json().error.code, code, context);
  assertFrench(res.json().error.message, context);
}

/** The stored scores equal the scoring rule applied from scratch to the stored answers. */
async function assertScoresMaintained(assessmentId: string, framework: TestFramework = fw) {
  const nodes = await db().select().from(frameworkNodes).where(eq(frameworkNodes.frameworkId, framework.id)).orderBy(asc(frameworkNodes.position));
  const rows = await db().select().from(answers).where(eq(answers.assessmentId, assessmentId));
  const expected = scoreTree(nodes, new Map(rows.map((r) => [r.nodeId, { status: r.status, maturity: r.maturity }])), { min: 0, max: 3 });
  const stored = await db().select().from(nodeScores).where(eq(nodeScores.assessmentId, assessmentId));
  assert.equal(stored.length, expected.nodes.length, 'one row per objective and sub-objective');
  const close = (a: number | null, b: number | null, what: string) => {
    if (a === null || b === null) assert.equal(a, b, what);
    else assert.ok(Math.abs(a - b) < 0.01, `${what}: ${a} ≠ ${b}`);
  };
  for (const e of expected.nodes) {
    const s = stored.find((r) => r.nodeId === e.nodeId);
    assert.ok(s, `a stored score for ${e.nodeId}`);
    close(s.score, e.score, `score of ${e.nodeId}`);
    assert.equal(s.answered, e.answered, `answered of ${e.nodeId}`);
    assert.equal(s.total, e.total, `total of ${e.nodeId}`);
  }
  const a = await assessmentRow(assessmentId);
  close(a.score, expected.overall.score, 'overall score');
  assert.equal(a.answeredCount, expected.overall.answered);
  assert.equal(a.assessableCount, expected.overall.total);
  return expected;
}

// --- sample files ------------------------------------------------------------------------------

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
function pngChunk(type: string, data: Buffer) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const PNG = (() => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.from([0, 0x80]))), pngChunk('IEND', Buffer.alloc(0))]);
})();
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(512)]);
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>fetch("/api/v1/me")</script></body></html>');

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
async function upload(c: Client, id: string, nodeId: string | null, file: { filename: string; type: string; data: Buffer } | null) {
  const parts: Part[] = [];
  if (nodeId !== null) parts.push({ name: 'nodeId', value: nodeId });
  if (file) parts.push({ name: 'file', ...file });
  const { body, headers } = multipart(parts);
  return c.request('POST', api(`/assessments/${id}/evidence`), body, headers);
}

/** Answers every measure of `fw` with « oui » through the API. */
async function answerAll(c: Client, id: string) {
  for (const m of fw.measures) {
    const version = (await answerRow(id, m))?.version ?? 0;
    await saveOk(c, id, m, { version, status: 'oui' });
  }
}

// --- creating and listing ------------------------------------------------------------------------

test('POST /assessments: the RSSI starts one (default title, counts, initial scores, audited); a GHT coordinator too', async () => {
  const rssi = await as('rssi');
  const before = await counts();
  const res = await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: fw.id });
  assert.equal(res.statusCode, 200, res.body);
  const { assessment, answers: list, evidence: ev, scores, gaps } = res.json();
  const month = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }).format(t.clock.now());
  assert.equal(assessment.title, `${fw.name} — ${month}`);
  assert.equal(assessment.status, 'draft');
  assert.equal(assessment.orgId, world.orgs.hospital);
  assert.equal(assessment.orgName, 'CH Nord');
  assert.equal(assessment.frameworkId, fw.id);
  assert.equal(assessment.frameworkName, fw.name);
  assert.equal(assessment.assessableCount, 4);
  assert.equal(assessment.answeredCount, 0);
  assert.equal(assessment.score, null);
  assert.deepEqual(list, []);
  assert.deepEqual(ev, []);
  assert.deepEqual(gaps, []);
  assert.deepEqual(
    scores.map((s: { nodeId: string; total: number; answered: number; score: number | null }) => [s.nodeId, s.total, s.answered, s.score]),
    [
      [fw.objectives[0], 3, 0, null],
      [fw.sub, 3, 0, null],
      [fw.objectives[1], 1, 0, null],
    ],
  );
  const after = await counts();
  assert.equal(after.assessments, before.assessments + 1);
  assert.equal(after.scores, before.scores + 3);
  await assertScoresMaintained(assessment.id);
  const [entry] = await auditOf('assessment.created', assessment.id);
  assert.equal(entry.actorId, world.users.rssi.id);
  assert.equal(entry.orgId, world.orgs.hospital);

  const titled = await createAssessment('coordGht', world.orgs.hospital, fw.id, '  Diagnostic de printemps  ');
  assert.equal(titled.assessment.title, 'Diagnostic de printemps');
  const ehpad = await createAssessment('coordGht', world.orgs.ehpad);
  assert.equal(ehpad.assessment.status, 'draft');
});

test('POST /assessments: refused to an agent (403), a foreign RSSI (404), a regional coordinator (403); only for an establishment; bad input writes nothing', async () => {
  const before = await counts();
  const body = { orgId: world.orgs.hospital, frameworkId: fw.id };
  assertStatus(await (await clientFor(hospitalAgent.email)).post(api('/assessments'), body), 403, 'forbidden', 'agent of the hospital');
  assertStatus(await (await as('agent')).post(api('/assessments'), body), 404, 'not_found', 'agent of a service: the hospital is above him');
  assertStatus(await (await as('foreignRssi')).post(api('/assessments'), body), 404, 'not_found', 'RSSI of the other region');
  assertStatus(await (await as('ehpadRssi')).post(api('/assessments'), body), 404, 'not_found', 'RSSI of another establishment');
  assertStatus(await (await as('coordRegion')).post(api('/assessments'), body), 403, 'forbidden', 'regional coordinator');
  assertStatus(await (await as('admin')).post(api('/assessments'), body), 403, 'forbidden', 'platform administrator');
  const denials = await auditOf('access.denied');
  assert.ok(denials.some((d) => d.actorId === world.users.coordRegion.id && (d.details as { policy: string }).policy === 'assessment:assessment.edit'), 'the refusal is audited');
  const audited = await count('audit_log');

  const coordGht = await as('coordGht');
  assertInvalid(await coordGht.post(api('/assessments'), { orgId: world.orgs.ght, frameworkId: fw.id }), 'orgId', 'a GHT is not an establishment');
  assertInvalid(await (await as('rssi')).post(api('/assessments'), { orgId: world.orgs.site, frameworkId: fw.id }), 'orgId', 'a site is not an establishment');
  const rssi = await as('rssi');
  assertInvalid(await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: randomUUID() }), 'frameworkId', 'unknown framework');
  assertInvalid(await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: 'pas-un-id' }), 'frameworkId', 'malformed framework id');
  assertInvalid(await rssi.post(api('/assessments'), { frameworkId: fw.id }), 'orgId', 'no establishment');
  assertInvalid(await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: fw.id, title: 'ab' }), 'title', 'title too short');
  assertInvalid(await rssi.post(api('/assessments'), { orgId: world.orgs.hospital, frameworkId: fw.id, title: 'x'.repeat(201) }), 'title', 'title too long');
  const after = await counts();
  assert.deepEqual({ ...after, audit: 0 }, { ...before, audit: 0 }, 'nothing written');
  assert.equal(after.audit, audited, 'no entry but the denials');
});

test('GET /assessments: an establishment’s own; a GHT’s or a region’s below them; never across regions', async () => {
  const mine = await createAssessment('rssi');
  const ehpad = await createAssessment('ehpadRssi', world.orgs.ehpad);
  const clinic = await createAssessment('foreignRssi', world.orgs.clinic);
  const ids = (res: LightMyRequestResponse) => {
    assert.equal(res.statusCode, 200, res.body);
    return (res.json().assessments as { id: string; orgId: string }[]).map((a) => a.id);
  };
  const rssiList = ids(await (await as('rssi')).get(api(`/assessments?orgId=${world.orgs.hospital}`)));
  assert.ok(rssiList.includes(mine.assessment.id));
  assert.ok(!rssiList.includes(ehpad.assessment.id) && !rssiList.includes(clinic.assessment.id), 'only the hospital’s');
  const ght = ids(await (await as('coordGht')).get(api(`/assessments?orgId=${world.orgs.ght}`)));
  assert.ok(ght.includes(mine.assessment.id) && ght.includes(ehpad.assessment.id) && !ght.includes(clinic.assessment.id));
  const north = ids(await (await as('coordRegion')).get(api(`/assessments?orgId=${world.orgs.north}`)));
  assert.ok(north.includes(mine.assessment.id) && north.includes(ehpad.assessment.id) && !north.includes(clinic.assessment.id));
  const south = ids(await (await as('foreignCoord')).get(api(`/assessments?orgId=${world.orgs.south}`)));
  assert.deepEqual(south.filter((id) => id === clinic.assessment.id), [clinic.assessment.id]);
  assert.ok(!south.includes(mine.assessment.id));

  assertStatus(await (await as('foreignCoord')).get(api(`/assessments?orgId=${world.orgs.north}`)), 404, 'not_found', 'the other region');
  assertStatus(await (await as('ehpadRssi')).get(api(`/assessments?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'a sibling establishment');
  assertStatus(await (await clientFor(hospitalAgent.email)).get(api(`/assessments?orgId=${world.orgs.hospital}`)), 403, 'forbidden', 'an agent');
  assertInvalid(await (await as('rssi')).get(api('/assessments')), 'orgId', 'no organisation');
  assertInvalid(await (await as('rssi')).get(api('/assessments?orgId=abc')), 'orgId', 'malformed organisation');
});

test('GET /assessments/:id: readers of the establishment and above; a regional coordinator reads but cannot edit', async () => {
  const { assessment } = await createAssessment('rssi');
  for (const who of ['rssi', 'direction', 'coordGht', 'coordRegion'] as const) {
    const res = await (await as(who)).get(api(`/assessments/${assessment.id}`));
    assert.equal(res.statusCode, 200, `${who}: ${res.body}`);
    assert.equal(res.json().assessment.id, assessment.id);
  }
  for (const who of ['foreignRssi', 'foreignCoord', 'ehpadRssi', 'agent', 'referent'] as const) {
    assertStatus(await (await as(who)).get(api(`/assessments/${assessment.id}`)), 404, 'not_found', who);
  }
  assertStatus(await (await clientFor(hospitalAgent.email)).get(api(`/assessments/${assessment.id}`)), 403, 'forbidden', 'agent of the hospital');
  assertStatus(await (await as('rssi')).get(api(`/assessments/${randomUUID()}`)), 404, 'not_found', 'unknown');
  assertInvalid(await (await as('rssi')).get(api('/assessments/abc')), 'id', 'malformed id');

  const before = await counts();
  assertStatus(await save(await as('coordRegion'), assessment.id, fw.measures[0], { version: 0, status: 'oui' }), 403, 'forbidden', 'regional coordinator edits');
  assertStatus(await save(await as('foreignRssi'), assessment.id, fw.measures[0], { version: 0, status: 'oui' }), 404, 'not_found', 'foreign RSSI edits');
  const after = await counts();
  assert.equal(after.answers, before.answers);
});

// --- answers and maintained scores -----------------------------------------------------------------

test('PUT answers: saved with version, author and time; scores stored equal the rule recomputed from scratch; audited without the comment', async () => {
  const { assessment } = await createAssessment('rssi');
  const rssi = await as('rssi');
  const direction = await as('direction');
  const [m1, m2, m3, m4] = fw.measures;

  let res = await saveOk(rssi, assessment.id, m1, { version: 0, status: 'partiel', maturity: 2, comment: 'Sauvegardes testées une fois par an, secret interne', questionAnswers: { [fw.question.urn]: [fw.question.yes] } });
  assert.equal(res.answer.version, 1);
  assert.equal(res.answer.status, 'partiel');
  assert.equal(res.answer.maturity, 2);
  assert.equal(res.answer.updatedByName, 'Test rssi');
  assert.deepEqual(res.answer.questionAnswers, { [fw.question.urn]: [fw.question.yes] });
  let expected = await assertScoresMaintained(assessment.id);
  // maturity 2 on 0-3 → 66.67; the only answer below objective 1
  assert.equal(res.overall.score, 66.67);
  assert.equal(res.overall.nodeId, fw.id, 'the whole framework is reported under its id');
  assert.equal(res.overall.answered, 1);
  assert.equal(res.overall.total, 4);
  assert.deepEqual(
    res.scores.map((s: { nodeId: string }) => s.nodeId),
    expected.nodes.map((n) => n.nodeId),
  );
  let row = await answerRow(assessment.id, m1);
  assert.equal(row.version, 1);
  assert.equal(row.updatedBy, world.users.rssi.id);
  assert.equal(row.updatedAt.getTime(), t.clock.now().getTime());

  t.clock.advance(60_000);
  res = await saveOk(direction, assessment.id, m2, { version: 0, status: 'non' });
  await saveOk(direction, assessment.id, m3, { version: 0, status: 'oui' });
  await saveOk(rssi, assessment.id, m4, { version: 0, status: 'na' });
  expected = await assertScoresMaintained(assessment.id);
  // (66.67×2 + 0×2 + 100×1) / 5 = 46.67; m4 « na » does not count but is answered
  assert.ok(Math.abs((expected.overall.score ?? 0) - 46.67) < 0.01);
  assert.equal(expected.overall.answered, 4);

  // A later save changes only what it sends; the version grows.
  res = await saveOk(direction, assessment.id, m1, { version: 1, maturity: 3 });
  assert.equal(res.answer.version, 2);
  assert.equal(res.answer.status, 'partiel', 'status kept');
  assert.equal(res.answer.comment, 'Sauvegardes testées une fois par an, secret interne', 'comment kept');
  assert.equal(res.answer.updatedByName, 'Test direction');
  await saveOk(direction, assessment.id, m1, { version: 2, comment: null, questionAnswers: {} });
  row = await answerRow(assessment.id, m1);
  assert.equal(row.version, 3);
  assert.equal(row.comment, null);
  assert.equal(row.maturity, 3);
  assert.equal(row.updatedBy, world.users.direction.id);
  await assertScoresMaintained(assessment.id);
  // Clearing an answer's status: it no longer counts as answered.
  await saveOk(rssi, assessment.id, m4, { version: 1, status: null });
  expected = await assertScoresMaintained(assessment.id);
  assert.equal(expected.overall.answered, 3);

  const detail = (await rssi.get(api(`/assessments/${assessment.id}`))).json();
  assert.equal(detail.answers.length, 4);
  assert.deepEqual(
    detail.answers.map((a: { nodeId: string }) => a.nodeId),
    [m1, m2, m3, m4],
    'in the framework’s order',
  );
  assert.equal(detail.answers.find((a: { nodeId: string }) => a.nodeId === m2).updatedByName, 'Test direction');
  assert.equal(detail.assessment.answeredCount, 3);
  assert.deepEqual(
    detail.gaps.map((g: { nodeId: string; score: number; priority: string }) => [g.nodeId, g.score, g.priority]),
    [[m2, 0, 'essential']],
    'applicable measures under 100, essential first',
  );
  for (const s of detail.scores) {
    const e = expected.nodes.find((n) => n.nodeId === s.nodeId)!;
    assert.ok(e.score === null ? s.score === null : Math.abs(s.score - e.score) < 0.01);
  }

  const entries = await auditOf('assessment.answer.saved', assessment.id);
  assert.equal(entries.length, 7);
  assert.deepEqual(entries[0].details, { nodeId: m1, status: 'partiel', maturity: 2, version: 1 });
  assert.ok(entries.every((e) => !JSON.stringify(e.details).includes('secret interne')), 'no comment text in the log');
  assert.equal(entries[0].orgId, world.orgs.hospital);
});

test('PUT answers: two people saving the same measure from the same version at once: one 200, one 409 holding the winner’s answer', async () => {
  const { assessment } = await createAssessment('rssi');
  const rssi = await as('rssi');
  const direction = await as('direction');
  const node = fw.measures[1];
  const auditBefore = (await auditOf('assessment.answer.saved', assessment.id)).length;

  for (const version of [0, 1]) {
    const [a, b] = await Promise.all([
      save(rssi, assessment.id, node, { version, status: 'oui', comment: `RSSI v${version}` }),
      save(direction, assessment.id, node, { version, status: 'non', maturity: 0, comment: `Direction v${version}` }),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    assert.deepEqual(statuses, [200, 409], `${a.body} / ${b.body}`);
    const winner = a.statusCode === 200 ? a : b;
    const loser = a.statusCode === 200 ? b : a;
    const conflict = loser.json();
    assert.equal(conflict.error.code, 'conflict');
    assertFrench(conflict.error.message, 'conflict');
    assert.deepEqual(conflict.current, winner.json().answer, 'the 409 carries the winner’s answer');
    assert.equal(conflict.current.version, version + 1);
    const row = await answerRow(assessment.id, node);
    assert.equal(row.version, version + 1);
    assert.equal(row.comment, winner.json().answer.comment, 'the winner’s answer is the one stored');
  }
  assert.equal((await auditOf('assessment.answer.saved', assessment.id)).length, auditBefore + 2, 'one entry per save kept');
  await assertScoresMaintained(assessment.id);

  // A save from a stale version after the fact is refused the same way.
  const stale = await save(rssi, assessment.id, node, { version: 1, status: 'partiel' });
  assert.equal(stale.statusCode, 409);
  assert.equal(stale.json().current.version, 2);
  // A first save claiming a version that does not exist yet: 409 with the empty answer.
  const ghost = await save(rssi, assessment.id, fw.measures[2], { version: 4, status: 'oui' });
  assert.equal(ghost.statusCode, 409);
  assert.equal(ghost.json().current.version, 0);
  assert.equal(ghost.json().current.status, null);
  assert.equal(await answerRow(assessment.id, fw.measures[2]), undefined);
});

test('PUT answers: different measures saved at once are all kept, and the scores count them all', async () => {
  const { assessment } = await createAssessment('rssi');
  const people = [await as('rssi'), await as('direction'), await as('coordGht'), await as('rssi')];
  const results = await Promise.all(fw.measures.map((m, i) => save(people[i], assessment.id, m, { version: 0, status: i % 2 ? 'oui' : 'partiel', maturity: i })));
  for (const r of results) assert.equal(r.statusCode, 200, r.body);
  const rows = await db().select().from(answers).where(eq(answers.assessmentId, assessment.id));
  assert.equal(rows.length, 4);
  const expected = await assertScoresMaintained(assessment.id);
  assert.equal(expected.overall.answered, 4);
  assert.equal((await assessmentRow(assessment.id)).answeredCount, 4);
});

test('PUT answers: bad input answers 400/404 with the field, writes nothing and leaves the version', async () => {
  const { assessment } = await createAssessment('rssi');
  const rssi = await as('rssi');
  const [m1] = fw.measures;
  await saveOk(rssi, assessment.id, m1, { version: 0, status: 'oui', maturity: 3 });
  const before = await counts();
  const url = (node: string) => `/assessments/${assessment.id}/answers/${node}`;

  const cases: [Record<string, unknown>, string, string][] = [
    [{ version: 1, status: 'peut-être' }, 'status', 'unknown status'],
    [{ version: 1, maturity: 4 }, 'maturity', 'maturity above the scale'],
    [{ version: 1, maturity: -1 }, 'maturity', 'maturity below the scale'],
    [{ version: 1, maturity: 1.5 }, 'maturity', 'maturity not an integer'],
    [{ version: 1, maturity: 'deux' }, 'maturity', 'maturity not a number'],
    [{ version: 1, comment: 'x'.repeat(5001) }, 'comment', 'comment too long'],
    [{ version: -1, status: 'oui' }, 'version', 'negative version'],
    [{ status: 'oui' }, 'version', 'no version'],
    [{ version: 1, questionAnswers: { 'urn:inconnue': ['x'] } }, 'questionAnswers', 'unknown question'],
    [{ version: 1, questionAnswers: { [fw.question.urn]: ['urn:autre-choix'] } }, 'questionAnswers', 'unknown choice'],
    [{ version: 1, questionAnswers: { [fw.question.urn]: [fw.question.yes, fw.question.no] } }, 'questionAnswers', 'two answers to a unique choice'],
  ];
  for (const [body, field, context] of cases) assertInvalid(await rssi.put(api(url(m1)), body), field, context);
  assertInvalid(await rssi.put(api(url(fw.sub)), { version: 0, status: 'oui' }), 'nodeId', 'a sub-objective takes no answer');
  assertInvalid(await rssi.put(api(url('pas-un-id')), { version: 0, status: 'oui' }), 'nodeId', 'malformed node id');
  assertStatus(await rssi.put(api(url(otherFw.measures[0])), { version: 0, status: 'oui' }), 404, 'not_found', 'a measure of another framework');
  assertStatus(await rssi.put(api(url(randomUUID())), { version: 0, status: 'oui' }), 404, 'not_found', 'an unknown measure');
  assertStatus(await rssi.put(api(`/assessments/${randomUUID()}/answers/${m1}`), { version: 0, status: 'oui' }), 404, 'not_found', 'an unknown assessment');

  const after = await counts();
  assert.deepEqual(after, before, 'nothing written, not even an audit entry');
  const row = await answerRow(assessment.id, m1);
  assert.equal(row.version, 1);
  assert.equal(row.status, 'oui');
  assert.equal(row.maturity, 3);
});

test('a measure dropped by a newer version of the framework no longer counts: no answer to it, scores and submission without it', async () => {
  const evolving = await makeFramework('evolutif');
  const { assessment } = await createAssessment('rssi', world.orgs.hospital, evolving.id);
  const rssi = await as('rssi');
  const [m1, m2, m3, m4] = evolving.measures;
  await saveOk(rssi, assessment.id, m4, { version: 0, status: 'non' });
  // What a re-import does to the nodes the new version no longer has (frameworks.ts: extra.removed).
  await db()
    .update(frameworkNodes)
    .set({ extra: { removed: true } })
    .where(inArray(frameworkNodes.id, [m4, evolving.objectives[1]]));
  assertStatus(await save(rssi, assessment.id, m4, { version: 1, status: 'oui' }), 404, 'not_found', 'a dropped measure');
  for (const m of [m1, m2, m3]) await saveOk(rssi, assessment.id, m, { version: 0, status: 'oui' });
  const stored = await db().select().from(nodeScores).where(eq(nodeScores.assessmentId, assessment.id));
  assert.deepEqual(stored.map((r) => r.nodeId).sort(), [evolving.objectives[0], evolving.sub].sort(), 'the dropped objective’s score is gone');
  const row = await assessmentRow(assessment.id);
  assert.equal(row.assessableCount, 3);
  assert.equal(row.answeredCount, 3);
  assert.equal(row.score, 100, 'the old « non » no longer weighs');
  const submitted = await rssi.post(api(`/assessments/${assessment.id}/submit`));
  assert.equal(submitted.statusCode, 200, submitted.body);
  assert.equal((await answerRow(assessment.id, m4)).status, 'non', 'the old answer is kept, not deleted');
});

// --- workflow ------------------------------------------------------------------------------------

test('submit: refused while measures remain (400 saying how many); then edits are refused (409); validation by the direction only', async () => {
  const { assessment } = await createAssessment('rssi');
  const rssi = await as('rssi');
  const direction = await as('direction');
  await saveOk(rssi, assessment.id, fw.measures[0], { version: 0, status: 'oui' });
  await saveOk(rssi, assessment.id, fw.measures[1], { version: 0, status: null, comment: 'à voir' });

  const incomplete = await rssi.post(api(`/assessments/${assessment.id}/submit`));
  assertInvalid(incomplete, 'answers', 'incomplete');
  assert.match(incomplete.json().error.message, /Il reste 3 mesures sans réponse/);
  assert.equal((await assessmentRow(assessment.id)).status, 'draft');

  await saveOk(rssi, assessment.id, fw.measures[1], { version: 1, status: 'na' });
  await saveOk(rssi, assessment.id, fw.measures[2], { version: 0, status: 'non' });
  const one = await rssi.post(api(`/assessments/${assessment.id}/submit`));
  assert.match(one.json().error.message, /Il reste 1 mesure sans réponse/);
  await saveOk(rssi, assessment.id, fw.measures[3], { version: 0, status: 'partiel' });

  assertStatus(await direction.post(api(`/assessments/${assessment.id}/submit`)), 403, 'forbidden', 'the direction does not submit');
  assertStatus(await (await as('coordRegion')).post(api(`/assessments/${assessment.id}/submit`)), 403, 'forbidden', 'nor the region');
  assertStatus(await rssi.post(api(`/assessments/${assessment.id}/validate`)), 403, 'forbidden', 'a draft is not validated by the RSSI');
  assertStatus(await direction.post(api(`/assessments/${assessment.id}/validate`)), 409, 'conflict', 'a draft cannot be validated');

  const submitted = await rssi.post(api(`/assessments/${assessment.id}/submit`));
  assert.equal(submitted.statusCode, 200, submitted.body);
  assert.equal(submitted.json().assessment.status, 'submitted');
  assert.ok(submitted.json().assessment.submittedAt);
  const row = await assessmentRow(assessment.id);
  assert.equal(row.submittedBy, world.users.rssi.id);
  assertStatus(await rssi.post(api(`/assessments/${assessment.id}/submit`)), 409, 'conflict', 'submitted twice');

  const before = await counts();
  assertStatus(await save(rssi, assessment.id, fw.measures[0], { version: 1, status: 'non' }), 409, 'conflict', 'answer after submission');
  assertStatus(await rssi.post(api(`/assessments/${assessment.id}/evidence/link`), { nodeId: fw.measures[0], url: 'https://intranet.example.fr/pca' }), 409, 'conflict', 'link after submission');
  assertStatus(await upload(rssi, assessment.id, fw.measures[0], { filename: 'preuve.pdf', type: 'application/pdf', data: PDF }), 409, 'conflict', 'file after submission');
  assert.deepEqual(await counts(), before, 'nothing written');
  assert.equal((await answerRow(assessment.id, fw.measures[0])).status, 'oui');

  assertStatus(await rssi.post(api(`/assessments/${assessment.id}/validate`)), 403, 'forbidden', 'the RSSI does not validate');
  assertStatus(await (await as('coordGht')).post(api(`/assessments/${assessment.id}/validate`)), 403, 'forbidden', 'nor the GHT');
  assertStatus(await (await as('foreignRssi')).post(api(`/assessments/${assessment.id}/validate`)), 404, 'not_found', 'nor a stranger');
  const validated = await direction.post(api(`/assessments/${assessment.id}/validate`));
  assert.equal(validated.statusCode, 200, validated.body);
  assert.equal(validated.json().assessment.status, 'validated');
  assert.ok(validated.json().assessment.validatedAt);
  assert.equal((await assessmentRow(assessment.id)).validatedBy, world.users.direction.id);
  assertStatus(await direction.post(api(`/assessments/${assessment.id}/validate`)), 409, 'conflict', 'validated twice');
  assertStatus(await rssi.post(api(`/assessments/${assessment.id}/reopen`)), 409, 'conflict', 'a validated assessment is not reopened');

  for (const action of ['assessment.submitted', 'assessment.validated']) {
    const entries = await auditOf(action, assessment.id);
    assert.equal(entries.length, 1, action);
  }
});

test('reopen: a submitted assessment goes back to draft (RSSI or direction), audited; a draft is not reopened', async () => {
  const { assessment } = await createAssessment('rssi');
  const rssi = await as('rssi');
  const direction = await as('direction');
  await answerAll(rssi, assessment.id);
  assertStatus(await rssi.post(api(`/assessments/${assessment.id}/reopen`)), 409, 'conflict', 'a draft');
  assert.equal((await rssi.post(api(`/assessments/${assessment.id}/submit`))).statusCode, 200);

  assertStatus(await (await as('coordRegion')).post(api(`/assessments/${assessment.id}/reopen`)), 403, 'forbidden', 'the region');
  assertStatus(await (await as('foreignCoord')).post(api(`/assessments/${assessment.id}/reopen`)), 404, 'not_found', 'the other region');
  const reopened = await rssi.post(api(`/assessments/${assessment.id}/reopen`));
  assert.equal(reopened.statusCode, 200, reopened.body);
  assert.equal(reopened.json().assessment.status, 'draft');
  assert.equal(reopened.json().assessment.submittedAt, null);
  await saveOk(rssi, assessment.id, fw.measures[0], { version: 1, status: 'partiel' });
  await assertScoresMaintained(assessment.id);

  assert.equal((await rssi.post(api(`/assessments/${assessment.id}/submit`))).statusCode, 200);
  const byDirection = await direction.post(api(`/assessments/${assessment.id}/reopen`));
  assert.equal(byDirection.statusCode, 200, byDirection.body);
  const entries = await auditOf('assessment.reopened', assessment.id);
  assert.deepEqual(
    entries.map((e) => e.actorId),
    [world.users.rssi.id, world.users.direction.id],
  );
});

// --- evidence ------------------------------------------------------------------------------------

test('evidence files: PDF and PNG checked by content, stored under a random key, downloaded as attachments; others refused', async () => {
  const { assessment } = await createAssessment('rssi');
  const rssi = await as('rssi');
  const node = fw.measures[0];

  const pdf = await upload(rssi, assessment.id, node, { filename: 'Procédure sauvegarde 2026?.pdf', type: 'application/pdf', data: PDF });
  assert.equal(pdf.statusCode, 200, pdf.body);
  const pdfEvidence = pdf.json();
  assert.equal(pdfEvidence.kind, 'file');
  assert.equal(pdfEvidence.mimeType, 'application/pdf');
  assert.equal(pdfEvidence.size, PDF.length);
  assert.equal(pdfEvidence.nodeId, node);
  assert.equal(pdfEvidence.fileName, 'Procédure sauvegarde 2026_.pdf');
  assert.equal(pdfEvidence.createdByName, 'Test rssi');
  const [row] = await db().select().from(evidence).where(eq(evidence.id, pdfEvidence.id));
  assert.ok(row.fileKey && files().has(row.fileKey), 'the bytes are in the file store');
  assert.ok(!row.fileKey.includes('sauvegarde'), 'the key is not the user’s file name');

  // The type comes from the content: a PNG sent as "application/pdf" named .jpg is a PNG.
  t.clock.advance(1_000); // the detail lists evidence by time of addition
  const png = await upload(await as('direction'), assessment.id, fw.measures[3], { filename: 'capture.jpg', type: 'application/pdf', data: PNG });
  assert.equal(png.statusCode, 200, png.body);
  assert.equal(png.json().mimeType, 'image/png');
  assert.equal(png.json().fileName, 'capture.jpg.png');

  const before = await counts();
  assertInvalid(await upload(rssi, assessment.id, node, { filename: 'rapport.pdf', type: 'application/pdf', data: EXE }), 'file', 'a program renamed .pdf');
  assertInvalid(await upload(rssi, assessment.id, node, { filename: 'rapport.pdf', type: 'application/pdf', data: HTML }), 'file', 'a web page renamed .pdf');
  assertInvalid(await upload(rssi, assessment.id, node, { filename: 'page.txt', type: 'text/plain', data: HTML }), 'file', 'a web page renamed .txt');
  assertInvalid(await upload(rssi, assessment.id, node, { filename: 'vide.pdf', type: 'application/pdf', data: Buffer.alloc(0) }), 'file', 'an empty file');
  const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 + 1 - PDF.length, 0x20)]);
  assertInvalid(await upload(rssi, assessment.id, node, { filename: 'gros.pdf', type: 'application/pdf', data: big }), 'file', 'over 10 MB', 413);
  assertInvalid(await upload(rssi, assessment.id, null, { filename: 'preuve.pdf', type: 'application/pdf', data: PDF }), 'nodeId', 'no measure');
  assertInvalid(await upload(rssi, assessment.id, 'abc', { filename: 'preuve.pdf', type: 'application/pdf', data: PDF }), 'nodeId', 'malformed measure');
  assertInvalid(await upload(rssi, assessment.id, node, null), 'file', 'no file');
  assertInvalid(await upload(rssi, assessment.id, fw.sub, { filename: 'preuve.pdf', type: 'application/pdf', data: PDF }), 'nodeId', 'a sub-objective');
  assertStatus(await upload(rssi, assessment.id, otherFw.measures[0], { filename: 'preuve.pdf', type: 'application/pdf', data: PDF }), 404, 'not_found', 'a measure of another framework');
  assertInvalid(await rssi.post(api(`/assessments/${assessment.id}/evidence`), { nodeId: node }), 'file', 'JSON instead of a form');
  const two = multipart([
    { name: 'nodeId', value: node },
    { name: 'file', filename: 'a.pdf', type: 'application/pdf', data: PDF },
    { name: 'file', filename: 'b.pdf', type: 'application/pdf', data: PDF },
  ]);
  const twoFiles = await rssi.request('POST', api(`/assessments/${assessment.id}/evidence`), two.body, two.headers);
  assert.ok([400, 413].includes(twoFiles.statusCode), `two files: ${twoFiles.body}`);
  assertStatus(await upload(await as('coordRegion'), assessment.id, node, { filename: 'preuve.pdf', type: 'application/pdf', data: PDF }), 403, 'forbidden', 'the region uploads');
  assertStatus(await upload(await as('foreignRssi'), assessment.id, node, { filename: 'preuve.pdf', type: 'application/pdf', data: PDF }), 404, 'not_found', 'a stranger uploads');
  const after = await counts();
  assert.deepEqual({ ...after, audit: 0 }, { ...before, audit: 0 }, 'no row, no file');

  // Download: the same bytes, as an attachment, with the detected type; readers only.
  for (const who of ['rssi', 'coordRegion'] as const) {
    const res = await (await as(who)).get(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`));
    assert.equal(res.statusCode, 200, `${who}: ${res.body}`);
    assert.deepEqual(res.rawPayload, PDF);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="Procedure sauvegarde 2026_\.pdf"; filename\*=UTF-8''Proc%C3%A9dure%20sauvegarde%202026_\.pdf$/);
  }
  assertStatus(await (await as('foreignRssi')).get(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`)), 404, 'not_found', 'a stranger downloads');
  assertStatus(await (await as('ehpadRssi')).get(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`)), 404, 'not_found', 'a sibling downloads');
  const elsewhere = await createAssessment('rssi');
  assertStatus(await rssi.get(api(`/assessments/${elsewhere.assessment.id}/evidence/${pdfEvidence.id}`)), 404, 'not_found', 'through another assessment');
  assertStatus(await rssi.get(api(`/assessments/${assessment.id}/evidence/${randomUUID()}`)), 404, 'not_found', 'unknown evidence');

  const detail = (await rssi.get(api(`/assessments/${assessment.id}`))).json();
  assert.deepEqual(
    detail.evidence.map((e: { id: string }) => e.id),
    [pdfEvidence.id, png.json().id],
  );

  // Delete: the row and the bytes go; audited.
  assertStatus(await (await as('coordRegion')).delete(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`)), 403, 'forbidden', 'the region deletes');
  assertStatus(await (await as('foreignRssi')).delete(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`)), 404, 'not_found', 'a stranger deletes');
  assert.ok(files().has(row.fileKey));
  const deleted = await rssi.delete(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`));
  assert.equal(deleted.statusCode, 200, deleted.body);
  assert.equal(files().has(row.fileKey), false, 'the bytes are gone');
  assert.equal((await db().select().from(evidence).where(eq(evidence.id, pdfEvidence.id))).length, 0);
  assertStatus(await rssi.get(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`)), 404, 'not_found', 'deleted');
  assertStatus(await rssi.delete(api(`/assessments/${assessment.id}/evidence/${pdfEvidence.id}`)), 404, 'not_found', 'deleted twice');

  const added = await auditOf('assessment.evidence.added', assessment.id);
  assert.equal(added.length, 2);
  assert.deepEqual(added[0].details, { evidenceId: pdfEvidence.id, nodeId: node, kind: 'file', mimeType: 'application/pdf', size: PDF.length });
  assert.equal((await auditOf('assessment.evidence.deleted', assessment.id)).length, 1);

  // Exactly 10 MB is accepted, through the multipart limit and the check alike.
  const limit = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024 - PDF.length, 0x20)]);
  const atLimit = await upload(rssi, assessment.id, node, { filename: 'juste.pdf', type: 'application/pdf', data: limit });
  assert.equal(atLimit.statusCode, 200, atLimit.body);
  assert.equal(atLimit.json().size, 10 * 1024 * 1024);
});

test('evidence links: http(s) only; javascript: and others refused with nothing written', async () => {
  const { assessment } = await createAssessment('rssi');
  const rssi = await as('rssi');
  const node = fw.measures[2];
  const url = api(`/assessments/${assessment.id}/evidence/link`);
  const ok = await rssi.post(url, { nodeId: node, url: 'https://intranet.ch-nord.fr/qualite/pca.pdf' });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().kind, 'link');
  assert.equal(ok.json().url, 'https://intranet.ch-nord.fr/qualite/pca.pdf');
  assert.equal(ok.json().fileName, null);

  const before = await counts();
  for (const bad of ['javascript:alert(1)', 'JavaScript:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', 'ftp://example.fr/x', 'pas une adresse', '']) {
    assertInvalid(await rssi.post(url, { nodeId: node, url: bad }), 'url', `url ${bad}`);
  }
  assertInvalid(await rssi.post(url, { nodeId: node, url: `https://example.fr/${'x'.repeat(2000)}` }), 'url', 'too long');
  assertInvalid(await rssi.post(url, { url: 'https://example.fr' }), 'nodeId', 'no measure');
  assertInvalid(await rssi.post(url, { nodeId: fw.objectives[0], url: 'https://example.fr' }), 'nodeId', 'an objective');
  assertStatus(await rssi.post(url, { nodeId: otherFw.measures[1], url: 'https://example.fr' }), 404, 'not_found', 'another framework');
  assertStatus(await (await as('coordRegion')).post(url, { nodeId: node, url: 'https://example.fr' }), 403, 'forbidden', 'the region');
  assertStatus(await (await as('foreignRssi')).post(url, { nodeId: node, url: 'https://example.fr' }), 404, 'not_found', 'a stranger');
  const after = await counts();
  assert.deepEqual({ ...after, audit: 0 }, { ...before, audit: 0 });
  // A link is not downloadable: it is followed by the browser.
  assertStatus(await rssi.get(api(`/assessments/${assessment.id}/evidence/${ok.json().id}`)), 404, 'not_found', 'download of a link');
  const deleted = await rssi.delete(api(`/assessments/${assessment.id}/evidence/${ok.json().id}`));
  assert.equal(deleted.statusCode, 200, deleted.body);
});

// --- comparison ---------------------------------------------------------------------------------

test('compare: two assessments of the same establishment and framework, node by node; anything else refused', async () => {
  const rssi = await as('rssi');
  const first = (await createAssessment('rssi', world.orgs.hospital, fw.id, 'Diagnostic 2025')).assessment;
  const second = (await createAssessment('rssi', world.orgs.hospital, fw.id, 'Diagnostic 2026')).assessment;
  const [m1, m2, m3, m4] = fw.measures;
  await saveOk(rssi, first.id, m1, { version: 0, status: 'non' });
  await saveOk(rssi, first.id, m4, { version: 0, status: 'partiel' });
  await saveOk(rssi, second.id, m1, { version: 0, status: 'oui', maturity: 3 });
  await saveOk(rssi, second.id, m2, { version: 0, status: 'partiel', maturity: 1 });
  await saveOk(rssi, second.id, m3, { version: 0, status: 'na' });

  const res = await (await as('coordRegion')).get(api(`/assessments/${first.id}/compare?with=${second.id}`));
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.left.id, first.id);
  assert.equal(body.right.id, second.id);
  const rows = Object.fromEntries(body.rows.map((r: { nodeId: string; left: number | null; right: number | null }) => [r.nodeId, [r.left, r.right]]));
  assert.deepEqual(
    body.rows.map((r: { nodeId: string }) => r.nodeId),
    [fw.objectives[0], fw.sub, m1, m2, m3, fw.objectives[1], m4],
    'every node in the framework’s order',
  );
  assert.deepEqual(rows[m1], [0, 100]);
  assert.deepEqual(rows[m2], [null, 33.33]);
  assert.deepEqual(rows[m3], [null, null], 'n/a and unanswered do not score');
  assert.deepEqual(rows[m4], [50, null]);
  // sub-objective: left m1 0 (weight 2) → 0; right (100×2 + 33.33×2)/4 = 66.67
  assert.deepEqual(rows[fw.sub], [0, 66.67]);
  assert.deepEqual(rows[fw.objectives[1]], [50, null]);

  const ehpad = (await createAssessment('coordGht', world.orgs.ehpad)).assessment;
  const otherFramework = (await createAssessment('rssi', world.orgs.hospital, otherFw.id)).assessment;
  assertInvalid(await (await as('coordGht')).get(api(`/assessments/${first.id}/compare?with=${ehpad.id}`)), 'with', 'another establishment');
  assertInvalid(await rssi.get(api(`/assessments/${first.id}/compare?with=${otherFramework.id}`)), 'with', 'another framework');
  assertInvalid(await rssi.get(api(`/assessments/${first.id}/compare?with=${first.id}`)), 'with', 'itself');
  assertInvalid(await rssi.get(api(`/assessments/${first.id}/compare`)), 'with', 'nothing to compare with');
  assertInvalid(await rssi.get(api(`/assessments/${first.id}/compare?with=abc`)), 'with', 'malformed');
  assertStatus(await rssi.get(api(`/assessments/${first.id}/compare?with=${ehpad.id}`)), 404, 'not_found', 'an assessment the RSSI may not see');
  assertStatus(await (await as('foreignRssi')).get(api(`/assessments/${first.id}/compare?with=${second.id}`)), 404, 'not_found', 'a stranger');
  assertStatus(await rssi.get(api(`/assessments/${first.id}/compare?with=${randomUUID()}`)), 404, 'not_found', 'unknown');
});

// --- the audit log as a whole ---------------------------------------------------------------------

test('every change made in this file is in the audit log, and the chain holds', async () => {
  const ids = (await db().select({ id: assessments.id }).from(assessments)).map((a) => a.id);
  const created = await db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'assessment.created'), inArray(auditLog.targetId, ids)));
  assert.equal(created.length, ids.length, 'each assessment’s creation');
  const versions = await db().select({ version: answers.version }).from(answers);
  const saved = await auditOf('assessment.answer.saved');
  assert.ok(saved.length >= versions.reduce((n, a) => n + a.version, 0), 'at least one entry per stored version');
  const evidenceCount = await count('assessment_evidence');
  assert.equal((await auditOf('assessment.evidence.added')).length - (await auditOf('assessment.evidence.deleted')).length, evidenceCount);
  const rows = await db().select({ seq: auditLog.seq }).from(auditLog);
  assert.deepEqual(await verifyAuditChain(db()), { valid: true, checked: rows.length, brokenAt: null });
});
