import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { Client, TEST_ORIGIN, createTestApp, type TestApp } from '../../../../test/support/app';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { mails } from '../../platform/mail/schema';
import { memberships, users } from '../../platform/tenancy/schema';
import { PLAN_REMINDERS_JOB, runPlanReminders, startPlanJobs } from './plan';
import { actionMeasures, actions, answers, assessments, frameworkNodes, frameworks } from './schema';

let t: TestApp;
let world: World;

/** Measures of the test framework: priority, how the assessment answered them, their usual actions. */
const MEASURES = {
  m1: { refId: 'GOV-1', name: 'Nommer un responsable', priority: 'essential', answer: { status: 'non', maturity: null }, suggested: ['Nommer un RSSI', 'Rédiger la PSSI'] },
  m2: { refId: 'GOV-2', name: 'Sauvegardes', priority: 'essential', answer: { status: 'partiel', maturity: 2 }, suggested: ['Tester les sauvegardes', 'Tester les sauvegardes'] },
  m3: { refId: 'SEC-1', name: 'Sensibiliser', priority: 'recommended', answer: { status: 'non', maturity: null }, suggested: ['Former les agents'] },
  m4: { refId: 'SEC-2', name: 'Inventaire', priority: 'recommended', answer: { status: 'partiel', maturity: null }, suggested: ['Mettre à jour l’inventaire'] },
  m5: { refId: 'SEC-3', name: 'Mots de passe', priority: 'recommended', answer: { status: 'oui', maturity: null }, suggested: ['Déployer un gestionnaire de mots de passe'] },
  m6: { refId: 'SEC-4', name: 'Messagerie', priority: 'essential', answer: { status: 'na', maturity: null }, suggested: ['Filtrer les pièces jointes'] },
  m7: { refId: 'SEC-5', name: 'Journalisation', priority: 'recommended', answer: { status: 'non', maturity: null }, suggested: null },
  m8: { refId: 'SEC-6', name: 'Mises à jour', priority: 'essential', answer: null, suggested: ['Appliquer les correctifs'] },
} as const;
type MeasureKey = keyof typeof MEASURES;

const fx = {} as {
  frameworkId: string;
  objective: string;
  node: Record<MeasureKey, string>;
  /** the hospital's assessments: an old draft (answered), a newer submitted one, the newest validated */
  draft: string;
  submitted: string;
  validated: string;
  /** the clinic's assessment, in the other region */
  clinicAssessment: string;
  /** a measure of another framework */
  otherNode: string;
};

before(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  // Monday 2 March 2026, 09:00 in Paris. The clock only moves forward from here (TOTP steps).
  t.clock.set(new Date('2026-03-02T08:00:00Z'));
  world = await seedWorld(t.platform.db);
  await seedFramework();
});
after(async () => {
  await t?.close();
});

/** The framework, an assessment and its answers, written directly (other areas import and answer them). */
async function seedFramework() {
  const db = t.platform.db;
  const [fw] = await db
    .insert(frameworks)
    .values({ libraryUrn: 'urn:test:plan', urn: 'urn:test:plan:fw', refId: 'PLAN', name: 'Référentiel de test', version: 1, origin: 'import', kind: 'referentiel' })
    .returning({ id: frameworks.id });
  fx.frameworkId = fw.id;
  const [obj] = await db
    .insert(frameworkNodes)
    .values({ frameworkId: fw.id, urn: 'urn:test:plan:o1', refId: 'O1', name: 'Objectif', depth: 1, assessable: false, position: 0 })
    .returning({ id: frameworkNodes.id });
  fx.objective = obj.id;
  fx.node = {} as Record<MeasureKey, string>;
  let position = 1;
  for (const [key, m] of Object.entries(MEASURES) as [MeasureKey, (typeof MEASURES)[MeasureKey]][]) {
    const [row] = await db
      .insert(frameworkNodes)
      .values({
        frameworkId: fw.id,
        urn: `urn:test:plan:${key}`,
        parentUrn: 'urn:test:plan:o1',
        refId: m.refId,
        name: m.name,
        depth: 2,
        assessable: true,
        position: position++,
        priority: m.priority,
        suggestedActions: m.suggested ? [...m.suggested] : null,
      })
      .returning({ id: frameworkNodes.id });
    fx.node[key] = row.id;
  }
  const assessment = async (orgId: string, status: 'draft' | 'submitted' | 'validated', createdAt: string) =>
    (
      await db
        .insert(assessments)
        .values({ orgId, frameworkId: fw.id, title: `Diagnostic ${status}`, status, createdAt: new Date(createdAt) })
        .returning({ id: assessments.id })
    )[0].id;
  fx.draft = await assessment(world.orgs.hospital, 'draft', '2026-01-10T10:00:00Z');
  fx.submitted = await assessment(world.orgs.hospital, 'submitted', '2026-02-10T10:00:00Z');
  fx.validated = await assessment(world.orgs.hospital, 'validated', '2026-02-20T10:00:00Z');
  fx.clinicAssessment = await assessment(world.orgs.clinic, 'draft', '2026-02-01T10:00:00Z');
  for (const [key, m] of Object.entries(MEASURES) as [MeasureKey, (typeof MEASURES)[MeasureKey]][]) {
    if (!m.answer) continue;
    for (const assessmentId of [fx.draft, fx.clinicAssessment]) {
      await db.insert(answers).values({ assessmentId, nodeId: fx.node[key], status: m.answer.status, maturity: m.answer.maturity });
    }
  }
  const [other] = await db
    .insert(frameworks)
    .values({ libraryUrn: 'urn:test:other', urn: 'urn:test:other:fw', refId: 'OTHER', name: 'Autre référentiel', version: 1, origin: 'import' })
    .returning({ id: frameworks.id });
  const [otherNode] = await db
    .insert(frameworkNodes)
    .values({ frameworkId: other.id, urn: 'urn:test:other:m1', refId: 'X-1', name: 'Autre mesure', depth: 1, assessable: true, position: 0, priority: 'essential' })
    .returning({ id: frameworkNodes.id });
  fx.otherNode = otherNode.id;
}

// --- helpers ---------------------------------------------------------------------------------

const api = (path: string) => `/api/v1${path}`;
const clients = new Map<string, Client>();
async function as(who: WorldUser | { email: string }): Promise<Client> {
  const email = typeof who === 'string' ? world.users[who].email : who.email;
  let c = clients.get(email);
  if (!c) {
    c = await signIn(t, email);
    clients.set(email, c);
  }
  return c;
}

/** A person of the given organisation, written directly (no password: an owner, not a signer-in). */
async function person(local: string, orgId: string, status: 'active' | 'disabled' = 'active') {
  const email = `${local}@test.hygie.fr`;
  const [u] = await t.platform.db.insert(users).values({ email, displayName: `Personne ${local}`, status }).returning({ id: users.id });
  await t.platform.db.insert(memberships).values({ userId: u.id, orgId, role: 'agent' });
  return { id: u.id, email, displayName: `Personne ${local}` };
}

interface ActionBody {
  orgId?: string;
  title?: string;
  ownerId?: string | null;
  dueDate?: string | null;
  nodeIds?: string[];
  [key: string]: unknown;
}
interface ApiAction {
  id: string;
  orgId: string;
  assessmentId: string | null;
  title: string;
  description: string | null;
  ownerId: string | null;
  ownerName: string | null;
  dueDate: string | null;
  priority: string;
  effort: string | null;
  costEstimate: number | null;
  status: string;
  measures: { nodeId: string; refId: string | null; name: string | null }[];
  late: boolean;
}

async function create(who: WorldUser, body: ActionBody): Promise<ApiAction> {
  const res = await (await as(who)).post(api('/plan/actions'), { orgId: world.orgs.hospital, ...body });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().reassess, []);
  return res.json().action;
}
async function patch(who: WorldUser, id: string, body: Record<string, unknown>) {
  const res = await (await as(who)).patch(api(`/plan/actions/${id}`), body);
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { action: ApiAction; reassess: { nodeId: string; assessmentId: string }[] };
}
async function list(who: WorldUser, query: string) {
  const res = await (await as(who)).get(api(`/plan/actions?${query}`));
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { actions: ApiAction[]; progress: number | null };
}

async function count(table: string): Promise<number> {
  const { rows } = await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return Number(rows[0].n);
}
const counts = async () => ({ actions: await count('remediation_actions'), measures: await count('remediation_action_measures'), audit: await count('audit_log'), mails: await count('mails') });

const FRENCH = /[àâçéèêëîïôûùüœ’]|\b(le|la|les|de|des|du|un|une|est|ce|cette|vous|votre|pas|ou|et|au|inconnue?|invalide|attendue?|obligatoire|choisissez|veuillez)\b/i;
const ENGLISH = /\b(invalid|expected|required|must|received)\b/i;
function assertFrench(message: string, context: string) {
  assert.ok(typeof message === 'string' && message.length > 0, `${context}: no message`);
  assert.match(message, FRENCH, `${context}: not in French: ${message}`);
  assert.doesNotMatch(message, ENGLISH, `${context}: in English: ${message}`);
}
function assertInvalid(res: LightMyRequestResponse, field: string, context = field) {
  assert.equal(res.statusCode, 400, `${context}: ${res.body}`);
  const { error } = res.json();
  assert.equal(error.code, 'validation', context);
  assert.ok(
    (error.fields as { path: string }[]).some((f) => f.path === field),
    `${context}: field ${field} expected in ${res.body}`,
  );
  for (const f of error.fields) assertFrench(f.message, context);
  assertFrench(error.message, context);
}
function assertStatus(res: LightMyRequestResponse, status: number, code: string, context: string) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  assert.equal(res.json().error.code, code, context);
  assertFrench(res.json().error.message, context);
}
async function auditOf(targetId: string) {
  return t.platform.db.select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(asc(auditLog.seq));
}
async function actionRow(id: string) {
  const [row] = await t.platform.db.select().from(actions).where(eq(actions.id, id));
  return row;
}

// --- create, list, update, delete -----------------------------------------------------------

test('an RSSI creates, lists, updates and deletes an action; each change is audited', async () => {
  const rssi = await as('rssi');
  const res = await rssi.post(api('/plan/actions'), {
    orgId: world.orgs.hospital,
    title: '  Établir la liste des comptes à privilèges  ',
    description: 'Avec la DSI.',
    ownerId: world.users.direction.id,
    dueDate: '2026-06-15',
    priority: 'high',
    effort: 'medium',
    costEstimate: 1200.5,
    nodeIds: [fx.node.m2, fx.node.m1, fx.node.m1],
  });
  assert.equal(res.statusCode, 200, res.body);
  const { action, reassess } = res.json() as { action: ApiAction; reassess: unknown[] };
  assert.deepEqual(reassess, []);
  assert.equal(action.title, 'Établir la liste des comptes à privilèges');
  assert.equal(action.orgId, world.orgs.hospital);
  assert.equal(action.description, 'Avec la DSI.');
  assert.equal(action.ownerId, world.users.direction.id);
  assert.equal(action.ownerName, 'Test direction');
  assert.equal(action.dueDate, '2026-06-15');
  assert.equal(action.priority, 'high');
  assert.equal(action.effort, 'medium');
  assert.equal(action.costEstimate, 1200.5);
  assert.equal(action.status, 'todo');
  assert.equal(action.late, false);
  assert.equal(action.assessmentId, null);
  // measures once each, in the framework's order, with their reference and name
  assert.deepEqual(action.measures, [
    { nodeId: fx.node.m1, refId: 'GOV-1', name: 'Nommer un responsable' },
    { nodeId: fx.node.m2, refId: 'GOV-2', name: 'Sauvegardes' },
  ]);

  // an agent of a service of the establishment may own an action; defaults apply
  const agentOwned = await create('rssi', { title: 'Relire la fiche réflexe des urgences', ownerId: world.users.agent.id, assessmentId: fx.draft });
  assert.equal(agentOwned.ownerName, 'Test agent');
  assert.equal(agentOwned.priority, 'medium');
  assert.equal(agentOwned.assessmentId, fx.draft);
  assert.deepEqual(agentOwned.measures, []);

  const listed = await list('rssi', `orgId=${world.orgs.hospital}`);
  assert.ok(listed.actions.some((a) => a.id === action.id && a.measures.length === 2 && a.ownerName === 'Test direction'));
  assert.ok(listed.actions.every((a) => a.orgId === world.orgs.hospital));
  // filters
  const mine = await list('rssi', `orgId=${world.orgs.hospital}&ownerId=${world.users.agent.id}`);
  assert.deepEqual(
    mine.actions.map((a) => a.id),
    [agentOwned.id],
  );

  const started = await patch('rssi', action.id, { status: 'in_progress', title: 'Lister les comptes à privilèges', costEstimate: null, nodeIds: [fx.node.m1] });
  assert.equal(started.action.status, 'in_progress');
  assert.equal(started.action.title, 'Lister les comptes à privilèges');
  assert.equal(started.action.costEstimate, null);
  assert.deepEqual(
    started.action.measures.map((m) => m.nodeId),
    [fx.node.m1],
  );
  assert.equal((await actionRow(action.id)).completedAt, null);
  // the direction manages the plan too
  const done = await patch('direction', action.id, { status: 'done' });
  assert.equal(done.action.status, 'done');
  // its only measure has no other open action: re-assessing it is proposed (see below)
  assert.deepEqual(done.reassess, [{ nodeId: fx.node.m1, assessmentId: fx.submitted }]);
  assert.ok((await actionRow(action.id)).completedAt instanceof Date, 'completedAt set');
  const back = await patch('rssi', action.id, { status: 'todo' });
  assert.equal(back.action.status, 'todo');
  assert.equal((await actionRow(action.id)).completedAt, null, 'completedAt cleared');
  // nothing to change: the action as it is, nothing written
  const before = await counts();
  const same = await patch('rssi', action.id, {});
  assert.equal(same.action.title, 'Lister les comptes à privilèges');
  assert.deepEqual(await counts(), before);

  const del = await rssi.delete(api(`/plan/actions/${action.id}`));
  assert.equal(del.statusCode, 200, del.body);
  assert.deepEqual(del.json(), { ok: true });
  assert.equal(await actionRow(action.id), undefined);
  assert.equal((await t.platform.db.select().from(actionMeasures).where(eq(actionMeasures.actionId, action.id))).length, 0);
  assertStatus(await rssi.delete(api(`/plan/actions/${action.id}`)), 404, 'not_found', 'deleting twice');
  assertStatus(await rssi.patch(api(`/plan/actions/${action.id}`), { status: 'done' }), 404, 'not_found', 'updating a deleted action');

  const trail = await auditOf(action.id);
  assert.deepEqual(
    trail.map((e) => e.action),
    ['assessment.action.created', 'assessment.action.updated', 'assessment.action.updated', 'assessment.action.updated', 'assessment.action.deleted'],
  );
  assert.ok(trail.every((e) => e.orgId === world.orgs.hospital && e.targetType === 'remediation_action' && e.outcome === 'success'));
  assert.equal(trail[0].actorId, world.users.rssi.id);
  assert.equal(trail[2].actorId, world.users.direction.id);
  assert.deepEqual(trail[2].details, { changes: ['status'], status: { from: 'in_progress', to: 'done' }, reassess: [fx.node.m1] });
  assert.deepEqual(trail[4].details, { title: 'Lister les comptes à privilèges', status: 'todo' });
  await rssi.delete(api(`/plan/actions/${agentOwned.id}`));
});

// --- who may do what --------------------------------------------------------------------------

test('agents and referents may not read or manage the plan; the regional coordinator reads his region but writes nothing; a foreign RSSI gets 404', async () => {
  const action = await create('rssi', { title: 'Cartographier les flux réseau', nodeIds: [fx.node.m7], dueDate: '2026-09-01' });
  const ehpadAction = await create('ehpadRssi', { orgId: world.orgs.ehpad, title: 'Changer le mot de passe du wifi' });
  const clinicAction = await create('foreignRssi', { orgId: world.orgs.clinic, title: 'Inventorier les postes' });
  for (const who of ['agent', 'referent', 'coordRegion', 'coordGht', 'foreignCoord'] as const) await as(who); // sign-ins are audited too
  const before = await counts();

  // agent: no right on the plan (403 where he may see the organisation, 404 where he may not)
  const agent = await as('agent');
  assertStatus(await agent.get(api(`/plan/actions?orgId=${world.orgs.service}`)), 403, 'forbidden', 'agent lists');
  assertStatus(await agent.post(api('/plan/actions'), { orgId: world.orgs.service, title: 'Une action' }), 403, 'forbidden', 'agent creates');
  assertStatus(await agent.get(api(`/plan/actions?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'agent lists the hospital');
  assertStatus(await agent.patch(api(`/plan/actions/${action.id}`), { status: 'done' }), 404, 'not_found', 'agent updates');
  assertStatus(await agent.delete(api(`/plan/actions/${action.id}`)), 404, 'not_found', 'agent deletes');
  // referent: the plan is the establishment's, not his service's: neither reads nor manages
  const referent = await as('referent');
  assertStatus(await referent.get(api(`/plan/actions?orgId=${world.orgs.service}`)), 403, 'forbidden', 'referent lists');
  assertStatus(await referent.post(api('/plan/actions'), { orgId: world.orgs.service, title: 'Une action' }), 403, 'forbidden', 'referent creates');

  // the regional coordinator: reads every establishment of his region, writes nothing
  const region = await list('coordRegion', `orgId=${world.orgs.north}`);
  const ids = region.actions.map((a) => a.id);
  assert.ok(ids.includes(action.id) && ids.includes(ehpadAction.id), 'the hospital and the EHPAD');
  assert.ok(!ids.includes(clinicAction.id), 'nothing of the other region');
  assert.ok(region.actions.every((a) => [world.orgs.hospital, world.orgs.ehpad].includes(a.orgId)));
  assert.ok((await list('coordRegion', `orgId=${world.orgs.hospital}`)).actions.some((a) => a.id === action.id));
  const coord = await as('coordRegion');
  assertStatus(await coord.post(api('/plan/actions'), { orgId: world.orgs.hospital, title: 'Une action régionale' }), 403, 'forbidden', 'region creates');
  assertStatus(await coord.patch(api(`/plan/actions/${action.id}`), { status: 'done' }), 403, 'forbidden', 'region updates');
  assertStatus(await coord.delete(api(`/plan/actions/${action.id}`)), 403, 'forbidden', 'region deletes');
  assertStatus(await coord.post(api(`/assessments/${fx.draft}/suggestions`), { items: [{ nodeId: fx.node.m1, title: 'Nommer un RSSI' }] }), 403, 'forbidden', 'region creates from suggestions');
  assert.equal((await coord.get(api(`/assessments/${fx.draft}/suggestions`))).statusCode, 200, 'region reads the suggestions');
  // the GHT coordinator reads his GHT and manages it
  const ght = await list('coordGht', `orgId=${world.orgs.ght}`);
  assert.ok(ght.actions.some((a) => a.id === action.id) && ght.actions.some((a) => a.id === ehpadAction.id));
  // the EHPAD's RSSI sees nothing of the hospital
  const ehpadRssi = await as('ehpadRssi');
  assertStatus(await ehpadRssi.get(api(`/plan/actions?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'EHPAD RSSI lists the hospital');
  assertStatus(await ehpadRssi.patch(api(`/plan/actions/${action.id}`), { title: 'Piraté' }), 404, 'not_found', 'EHPAD RSSI updates the hospital');
  assert.deepEqual(
    (await list('ehpadRssi', `orgId=${world.orgs.ehpad}`)).actions.map((a) => a.id),
    [ehpadAction.id],
  );

  // the other region: nothing, not even the existence
  const foreign = await as('foreignRssi');
  for (const [res, what] of [
    [await foreign.get(api(`/plan/actions?orgId=${world.orgs.hospital}`)), 'list'],
    [await foreign.post(api('/plan/actions'), { orgId: world.orgs.hospital, title: 'Une action étrangère' }), 'create'],
    [await foreign.patch(api(`/plan/actions/${action.id}`), { status: 'done' }), 'update'],
    [await foreign.delete(api(`/plan/actions/${action.id}`)), 'delete'],
    [await foreign.get(api(`/assessments/${fx.draft}/suggestions`)), 'suggestions'],
    [await foreign.post(api(`/assessments/${fx.draft}/suggestions`), { items: [{ nodeId: fx.node.m1, title: 'Nommer un RSSI' }] }), 'bulk create'],
    [await foreign.post(api('/plan/actions'), { orgId: world.orgs.clinic, title: 'Lier un diagnostic du nord', assessmentId: fx.draft }), 'link a foreign assessment'],
  ] as const) {
    assertStatus(res, 404, 'not_found', `foreign RSSI: ${what}`);
  }
  const south = await list('foreignCoord', `orgId=${world.orgs.south}`);
  assert.deepEqual(
    south.actions.map((a) => a.id),
    [clinicAction.id],
  );
  assert.deepEqual(await counts(), { ...before, audit: before.audit + 8 }, 'only the 8 refusals (403) were written, to the audit log');
  const denials = await t.platform.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorId, world.users.coordRegion.id)));
  assert.ok(denials.some((d) => (d.details as { policy?: string }).policy === 'assessment:plan.manage'));

  for (const [who, id] of [
    ['rssi', action.id],
    ['ehpadRssi', ehpadAction.id],
    ['foreignRssi', clinicAction.id],
  ] as const) {
    assert.equal((await (await as(who)).delete(api(`/plan/actions/${id}`))).statusCode, 200);
  }
});

// --- bad input --------------------------------------------------------------------------------

test('bad input gets a 400 naming the field in French, and nothing is written', async () => {
  const rssi = await as('rssi');
  const existing = await create('rssi', { title: 'Durcir les postes', nodeIds: [fx.node.m3], ownerId: world.users.direction.id, dueDate: '2026-07-01' });
  const outsider = await person('plan.outsider', world.orgs.clinic);
  const disabled = await person('plan.disabled', world.orgs.hospital, 'disabled');
  const before = await counts();
  const body = (extra: Record<string, unknown>) => ({ orgId: world.orgs.hospital, title: 'Une action correcte', ...extra });

  // the owner must belong to the establishment (or below it)
  assertInvalid(await rssi.post(api('/plan/actions'), body({ ownerId: world.users.foreignRssi.id })), 'ownerId', 'owner of the other region');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ ownerId: outsider.id })), 'ownerId', 'owner of another establishment');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ ownerId: world.users.ehpadRssi.id })), 'ownerId', 'owner of the EHPAD');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ ownerId: world.users.coordGht.id })), 'ownerId', 'owner above the establishment');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ ownerId: disabled.id })), 'ownerId', 'a disabled account');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ ownerId: randomUUID() })), 'ownerId', 'an unknown person');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ ownerId: 'quelqu’un' })), 'ownerId', 'not an id');
  // dates
  assertInvalid(await rssi.post(api('/plan/actions'), body({ dueDate: '31/12/2026' })), 'dueDate', 'French date format');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ dueDate: '2026-02-30' })), 'dueDate', 'a day that does not exist');
  // cost
  assertInvalid(await rssi.post(api('/plan/actions'), body({ costEstimate: -5 })), 'costEstimate', 'negative cost');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ costEstimate: 1e10 })), 'costEstimate', 'a cost the column cannot hold');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ costEstimate: 'mille' })), 'costEstimate', 'a cost in words');
  // measures
  assertInvalid(await rssi.post(api('/plan/actions'), body({ nodeIds: [fx.node.m1, randomUUID()] })), 'nodeIds', 'an unknown measure');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ nodeIds: [fx.objective] })), 'nodeIds', 'an objective, not a measure');
  // the rest
  assertInvalid(await rssi.post(api('/plan/actions'), body({ title: 'ab' })), 'title', 'short title');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ title: '   ' })), 'title', 'blank title');
  assertInvalid(await rssi.post(api('/plan/actions'), { title: 'Sans établissement' }), 'orgId', 'no organisation');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ priority: 'urgent' })), 'priority', 'unknown priority');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ effort: 'huge' })), 'effort', 'unknown effort');
  assertInvalid(await rssi.post(api('/plan/actions'), body({ orgId: world.orgs.site })), 'orgId', 'a site, not an establishment');
  assertStatus(await rssi.post(api('/plan/actions'), body({ assessmentId: fx.clinicAssessment })), 404, 'not_found', 'an assessment of another establishment');
  assertStatus(await rssi.post(api('/plan/actions'), body({ assessmentId: randomUUID() })), 404, 'not_found', 'an unknown assessment');
  // updates
  assertInvalid(await rssi.patch(api(`/plan/actions/${existing.id}`), { status: 'finished' }), 'status', 'unknown status');
  assertInvalid(await rssi.patch(api(`/plan/actions/${existing.id}`), { ownerId: outsider.id, title: 'Nouveau titre' }), 'ownerId', 'update: owner elsewhere');
  assertInvalid(await rssi.patch(api(`/plan/actions/${existing.id}`), { nodeIds: [randomUUID()], status: 'done' }), 'nodeIds', 'update: unknown measure');
  assertInvalid(await rssi.patch(api(`/plan/actions/${existing.id}`), { dueDate: '2026-13-01' }), 'dueDate', 'update: bad date');
  assertInvalid(await rssi.patch(api(`/plan/actions/${existing.id}`), { costEstimate: -1 }), 'costEstimate', 'update: negative cost');
  assertInvalid(await rssi.patch(api('/plan/actions/pas-un-identifiant'), { status: 'done' }), 'id', 'update: not an id');
  assertStatus(await rssi.patch(api(`/plan/actions/${randomUUID()}`), { status: 'done' }), 404, 'not_found', 'update: unknown action');
  assertStatus(await rssi.delete(api(`/plan/actions/${randomUUID()}`)), 404, 'not_found', 'delete: unknown action');
  // lists
  assertInvalid(await rssi.get(api('/plan/actions')), 'orgId', 'list without organisation');
  assertInvalid(await rssi.get(api(`/plan/actions?orgId=${world.orgs.hospital}&status=fini`)), 'status', 'list: unknown status');
  assertStatus(await rssi.get(api(`/plan/actions?orgId=${randomUUID()}`)), 404, 'not_found', 'list: unknown organisation');
  // suggestions
  const bulk = (items: unknown) => rssi.post(api(`/assessments/${fx.draft}/suggestions`), { items });
  assertInvalid(await bulk([]), 'items', 'no item');
  assertInvalid(await bulk('tout'), 'items', 'not a list');
  assertInvalid(await bulk([{ nodeId: fx.node.m1, title: 'Nommer un RSSI' }, { nodeId: fx.otherNode, title: 'Une autre action' }]), 'items.1.nodeId', 'a measure of another framework');
  assertInvalid(await bulk([{ nodeId: fx.objective, title: 'Une action' }]), 'items.0.nodeId', 'an objective');
  assertInvalid(await bulk([{ nodeId: fx.node.m1, title: 'x' }]), 'items.0.title', 'short title');
  assertStatus(await rssi.get(api(`/assessments/${randomUUID()}/suggestions`)), 404, 'not_found', 'suggestions of an unknown assessment');
  assertInvalid(await rssi.get(api('/assessments/pas-un-id/suggestions')), 'id', 'suggestions: not an id');

  assert.deepEqual(await counts(), before, 'nothing written');
  const row = await actionRow(existing.id);
  assert.equal(row.title, 'Durcir les postes');
  assert.equal(row.status, 'todo');
  assert.equal(row.ownerId, world.users.direction.id);
  assert.deepEqual(
    (await t.platform.db.select().from(actionMeasures).where(eq(actionMeasures.actionId, existing.id))).map((m) => m.nodeId),
    [fx.node.m3],
  );
  await rssi.delete(api(`/plan/actions/${existing.id}`));
});

// --- progress ------------------------------------------------------------------------------------

test('progress: done among the actions not cancelled, whatever the filters; null without any', async () => {
  assert.equal((await list('foreignRssi', `orgId=${world.orgs.clinic}`)).progress, null, 'no action yet');
  const titles = ['Action faite A', 'Action faite B', 'Action à faire', 'Action annulée'];
  const made = [];
  for (const title of titles) made.push(await create('ehpadRssi', { orgId: world.orgs.ehpad, title }));
  await patch('ehpadRssi', made[0].id, { status: 'done' });
  await patch('ehpadRssi', made[1].id, { status: 'done' });
  await patch('ehpadRssi', made[3].id, { status: 'cancelled' });
  const all = await list('ehpadRssi', `orgId=${world.orgs.ehpad}`);
  assert.equal(all.actions.length, 4);
  assert.equal(all.progress, 67); // 2 done of 3 counted
  const done = await list('ehpadRssi', `orgId=${world.orgs.ehpad}&status=done`);
  assert.deepEqual(done.actions.map((a) => a.title).sort(), ['Action faite A', 'Action faite B']);
  assert.equal(done.progress, 67, 'the plan’s progress, not the filtered list’s');
  // the GHT's progress covers its establishments
  assert.equal(typeof (await list('coordGht', `orgId=${world.orgs.ght}`)).progress, 'number');
  await patch('ehpadRssi', made[2].id, { status: 'done' });
  assert.equal((await list('ehpadRssi', `orgId=${world.orgs.ehpad}`)).progress, 100);
  await patch('ehpadRssi', made[3].id, { status: 'todo' });
  assert.equal((await list('ehpadRssi', `orgId=${world.orgs.ehpad}`)).progress, 75);
  for (const a of made) await (await as('ehpadRssi')).delete(api(`/plan/actions/${a.id}`));
  assert.equal((await list('ehpadRssi', `orgId=${world.orgs.ehpad}`)).progress, null);
});

// --- closing the actions of a measure ----------------------------------------------------------

test('closing the last open action of a measure proposes re-assessing it in the latest assessment still open', async () => {
  const first = await create('rssi', { title: 'Sensibiliser la direction', nodeIds: [fx.node.m3] });
  const second = await create('rssi', { title: 'Sensibiliser les équipes et inventorier', nodeIds: [fx.node.m3, fx.node.m4] });
  const cancelled = await create('rssi', { title: 'Acheter un outil d’inventaire', nodeIds: [fx.node.m4] });
  await patch('rssi', cancelled.id, { status: 'cancelled' });

  // another action still open on m3: nothing to propose yet
  const closingFirst = await patch('rssi', first.id, { status: 'done' });
  assert.deepEqual(closingFirst.reassess, []);
  // the last open action of m3 and m4 (the cancelled one does not count): both proposed, in the
  // submitted assessment (newer than the draft; the validated one is final)
  const closingSecond = await patch('rssi', second.id, { status: 'in_progress' });
  assert.deepEqual(closingSecond.reassess, []);
  const last = await patch('direction', second.id, { status: 'done' });
  assert.deepEqual(last.reassess, [
    { nodeId: fx.node.m3, assessmentId: fx.submitted },
    { nodeId: fx.node.m4, assessmentId: fx.submitted },
  ]);
  // done again: no change of status, nothing proposed
  assert.deepEqual((await patch('rssi', second.id, { status: 'done' })).reassess, []);
  const trail = await auditOf(second.id);
  assert.deepEqual(trail.at(-2)?.details, { changes: ['status'], status: { from: 'in_progress', to: 'done' }, reassess: [fx.node.m3, fx.node.m4] });

  // cancelling the last open action is not closing it: nothing proposed
  const third = await create('rssi', { title: 'Sensibiliser les internes', nodeIds: [fx.node.m3] });
  assert.deepEqual((await patch('rssi', third.id, { status: 'cancelled' })).reassess, []);
  // reopened then done: proposed again
  await patch('rssi', third.id, { status: 'todo' });
  assert.deepEqual((await patch('rssi', third.id, { status: 'done' })).reassess, [{ nodeId: fx.node.m3, assessmentId: fx.submitted }]);

  // without a submitted assessment, the draft is proposed
  await t.platform.db.update(assessments).set({ status: 'validated' }).where(eq(assessments.id, fx.submitted));
  try {
    const fourth = await create('rssi', { title: 'Sensibiliser les externes', nodeIds: [fx.node.m3] });
    assert.deepEqual((await patch('rssi', fourth.id, { status: 'done' })).reassess, [{ nodeId: fx.node.m3, assessmentId: fx.draft }]);
    await (await as('rssi')).delete(api(`/plan/actions/${fourth.id}`));
  } finally {
    await t.platform.db.update(assessments).set({ status: 'submitted' }).where(eq(assessments.id, fx.submitted));
  }
  // an establishment with no assessment of that framework: nothing to propose
  const ehpad = await create('ehpadRssi', { orgId: world.orgs.ehpad, title: 'Sensibiliser l’équipe de nuit', nodeIds: [fx.node.m3] });
  assert.deepEqual((await patch('ehpadRssi', ehpad.id, { status: 'done' })).reassess, []);

  for (const a of [first, second, cancelled, third]) await (await as('rssi')).delete(api(`/plan/actions/${a.id}`));
  await (await as('ehpadRssi')).delete(api(`/plan/actions/${ehpad.id}`));
});

// --- suggestions ------------------------------------------------------------------------------------

test('suggestions: the usual actions of each gap, essential and lowest first, without those already open', async () => {
  const rssi = await as('rssi');
  const res = await rssi.get(api(`/assessments/${fx.draft}/suggestions`));
  assert.equal(res.statusCode, 200, res.body);
  const measure = (key: MeasureKey) => ({ nodeId: fx.node[key], refId: MEASURES[key].refId, measure: MEASURES[key].name });
  const full = [
    { ...measure('m1'), title: 'Nommer un RSSI', priority: 'high' }, // essential, 0
    { ...measure('m1'), title: 'Rédiger la PSSI', priority: 'high' },
    { ...measure('m2'), title: 'Tester les sauvegardes', priority: 'medium' }, // essential, 67 (listed twice: once)
    { ...measure('m3'), title: 'Former les agents', priority: 'medium' }, // recommended, 0
    { ...measure('m4'), title: 'Mettre à jour l’inventaire', priority: 'low' }, // recommended, 50
    // m5 scores 100, m6 is not applicable, m7 has no usual action, m8 is not answered
  ];
  assert.deepEqual(res.json().suggestions, full);

  // an open action with the same title (case and spaces aside) on that measure hides the suggestion;
  // a done one, or one on another measure, does not
  const open = await create('rssi', { title: ' nommer  un rssi ', nodeIds: [fx.node.m1] });
  const closed = await create('rssi', { title: 'Rédiger la PSSI', nodeIds: [fx.node.m1] });
  await patch('rssi', closed.id, { status: 'done' });
  const elsewhere = await create('rssi', { title: 'Former les agents', nodeIds: [fx.node.m4] });
  const after = (await rssi.get(api(`/assessments/${fx.draft}/suggestions`))).json().suggestions;
  assert.deepEqual(after, full.slice(1));
  // the clinic's own plan does not hide the hospital's suggestions, and the other way round
  const clinic = (await (await as('foreignRssi')).get(api(`/assessments/${fx.clinicAssessment}/suggestions`))).json().suggestions;
  assert.deepEqual(clinic, full);
  // an assessment with nothing answered has no gap
  const [empty] = await t.platform.db
    .insert(assessments)
    .values({ orgId: world.orgs.hospital, frameworkId: fx.frameworkId, title: 'Diagnostic vide', status: 'validated', createdAt: new Date('2025-01-01T00:00:00Z') })
    .returning({ id: assessments.id });
  assert.deepEqual((await rssi.get(api(`/assessments/${empty.id}/suggestions`))).json().suggestions, []);
  for (const a of [open, closed, elsewhere]) await rssi.delete(api(`/plan/actions/${a.id}`));
});

test('creating the chosen suggestions in bulk: one transaction, linked to the assessment, nothing doubled', async () => {
  const rssi = await as('rssi');
  const already = await create('rssi', { title: 'Nommer un RSSI', nodeIds: [fx.node.m1] });
  const before = await counts();
  const res = await rssi.post(api(`/assessments/${fx.draft}/suggestions`), {
    items: [
      { nodeId: fx.node.m2, title: 'Tester les sauvegardes' },
      { nodeId: fx.node.m4, title: '  Mettre à jour l’inventaire ' },
      { nodeId: fx.node.m2, title: 'tester les sauvegardes' }, // twice in the request
      { nodeId: fx.node.m1, title: 'Nommer un RSSI' }, // already open
      { nodeId: fx.node.m5, title: 'Déployer un gestionnaire de mots de passe' }, // not a gap: medium
    ],
  });
  assert.equal(res.statusCode, 200, res.body);
  const { actions: created, skipped } = res.json() as { actions: ApiAction[]; skipped: number };
  assert.equal(skipped, 2);
  assert.deepEqual(
    created.map((a) => [a.title, a.priority, a.measures.map((m) => m.nodeId), a.assessmentId, a.orgId, a.status]),
    [
      ['Tester les sauvegardes', 'medium', [fx.node.m2], fx.draft, world.orgs.hospital, 'todo'],
      ['Mettre à jour l’inventaire', 'low', [fx.node.m4], fx.draft, world.orgs.hospital, 'todo'],
      ['Déployer un gestionnaire de mots de passe', 'medium', [fx.node.m5], fx.draft, world.orgs.hospital, 'todo'],
    ],
  );
  const afterCounts = await counts();
  assert.equal(afterCounts.actions, before.actions + 3);
  assert.equal(afterCounts.measures, before.measures + 3);
  assert.equal(afterCounts.audit, before.audit + 3);
  const entries = await t.platform.db
    .select()
    .from(auditLog)
    .where(
      inArray(
        auditLog.targetId,
        created.map((a) => a.id),
      ),
    );
  assert.equal(entries.length, 3);
  assert.ok(entries.every((e) => e.action === 'assessment.action.created' && e.actorId === world.users.rssi.id && (e.details as { fromSuggestion?: boolean }).fromSuggestion === true));

  // they are no longer suggested; sending them again creates nothing
  const left = (await rssi.get(api(`/assessments/${fx.draft}/suggestions`))).json().suggestions as { title: string }[];
  assert.deepEqual(
    left.map((s) => s.title),
    ['Rédiger la PSSI', 'Former les agents'],
  );
  const again = await rssi.post(api(`/assessments/${fx.draft}/suggestions`), { items: [{ nodeId: fx.node.m2, title: 'Tester les sauvegardes' }] });
  assert.equal(again.statusCode, 200, again.body);
  assert.deepEqual(again.json(), { actions: [], skipped: 1 });
  assert.equal(await count('remediation_actions'), afterCounts.actions);

  // the GHT coordinator may create them too
  const ght = await (await as('coordGht')).post(api(`/assessments/${fx.draft}/suggestions`), { items: [{ nodeId: fx.node.m3, title: 'Former les agents' }] });
  assert.equal(ght.statusCode, 200, ght.body);
  assert.equal(ght.json().actions[0].priority, 'medium');

  for (const a of [already, ...created, ght.json().actions[0] as ApiAction]) await rssi.delete(api(`/plan/actions/${a.id}`));
});

// --- late, in Paris time -----------------------------------------------------------------------------

test('an action is late from midnight in Paris after its due date, until it is done or cancelled', async () => {
  // Monday 2 March 2026 (winter time: Paris is UTC+1)
  t.clock.set(new Date('2026-03-02T12:00:00Z'));
  const due = await create('rssi', { title: 'Valider la charte informatique', dueDate: '2026-03-02' });
  const tomorrow = await create('rssi', { title: 'Relire la charte informatique', dueDate: '2026-03-03' });
  const noDate = await create('rssi', { title: 'Action sans échéance' });
  const lateOf = async (id: string) => (await list('rssi', `orgId=${world.orgs.hospital}`)).actions.find((a) => a.id === id)!.late;

  assert.equal(await lateOf(due.id), false, 'noon, on the due date');
  t.clock.set(new Date('2026-03-02T22:59:59Z')); // 23:59:59 in Paris
  assert.equal(await lateOf(due.id), false, 'one second before midnight in Paris');
  t.clock.set(new Date('2026-03-02T23:00:01Z')); // 00:00:01 on the 3rd in Paris, still the 2nd in UTC
  assert.equal(await lateOf(due.id), true, 'just after midnight in Paris');
  assert.equal(await lateOf(tomorrow.id), false, 'due today');
  assert.equal(await lateOf(noDate.id), false, 'no due date');
  // the list is sorted by due date, undated last
  const order = (await list('rssi', `orgId=${world.orgs.hospital}`)).actions.map((a) => a.id);
  assert.ok(order.indexOf(due.id) < order.indexOf(tomorrow.id) && order.indexOf(tomorrow.id) < order.indexOf(noDate.id));

  assert.equal((await patch('rssi', due.id, { status: 'in_progress' })).action.late, true, 'in progress is still late');
  assert.equal((await patch('rssi', due.id, { status: 'done' })).action.late, false, 'done is never late');
  assert.equal((await patch('rssi', due.id, { status: 'cancelled' })).action.late, false, 'cancelled is never late');
  assert.equal((await patch('rssi', tomorrow.id, { dueDate: '2026-03-01' })).action.late, true, 'moved into the past');

  // summer time (Paris is UTC+2 from 29 March): late from 22:00 UTC
  const summer = await create('rssi', { title: 'Tester la restauration', dueDate: '2026-06-10' });
  t.clock.set(new Date('2026-06-10T12:00:00Z'));
  clients.clear(); // sessions expired over three months: sign in again (this moves the clock by a TOTP step)
  await as('rssi');
  t.clock.set(new Date('2026-06-10T21:59:59Z'));
  assert.equal(await lateOf(summer.id), false, '23:59:59 in Paris, summer');
  t.clock.set(new Date('2026-06-10T22:00:01Z'));
  assert.equal(await lateOf(summer.id), true, '00:00:01 in Paris, summer');

  for (const a of [due, tomorrow, noDate, summer]) await (await as('rssi')).delete(api(`/plan/actions/${a.id}`));
});

// --- reminders ---------------------------------------------------------------------------------------

test('reminders: one mail 7 days before the due date and one when late, each once, to the owner, in French', async () => {
  const owner = await person('plan.owner', world.orgs.site);
  const mailsTo = async (email: string) => t.platform.db.select().from(mails).where(eq(mails.to, email)).orderBy(asc(mails.createdAt), asc(mails.id));
  const rssi = await as('rssi');

  // due Friday 20 November 2026 (the test clock is now in June)
  const main = await create('rssi', { title: 'Tester la restauration des sauvegardes', ownerId: owner.id, dueDate: '2026-11-20', nodeIds: [fx.node.m2] });
  const done = await create('rssi', { title: 'Action terminée', ownerId: owner.id, dueDate: '2026-11-20' });
  await patch('rssi', done.id, { status: 'done' });
  const cancelled = await create('rssi', { title: 'Action annulée', ownerId: owner.id, dueDate: '2026-11-20' });
  await patch('rssi', cancelled.id, { status: 'cancelled' });
  const ownerless = await create('rssi', { title: 'Action sans responsable', dueDate: '2026-11-20' });
  const undated = await create('rssi', { title: 'Action sans échéance', ownerId: owner.id });
  const firstOfMonth = await create('rssi', { title: 'Renouveler le certificat', ownerId: owner.id, dueDate: '2026-12-01' });

  const run = (iso: string) => runPlanReminders(t.platform, new Date(iso));

  await run('2026-11-12T06:00:00Z'); // 8 days before
  assert.equal((await mailsTo(owner.email)).length, 0, 'too early');

  await run('2026-11-13T06:00:00Z'); // 7 days before, 07:00 in Paris
  let got = await mailsTo(owner.email);
  assert.equal(got.length, 1, 'one mail 7 days before');
  const firstMailId = got[0].id;
  assert.equal(got[0].subject, 'Hygie : action à échéance le vendredi 20 novembre 2026 — Tester la restauration des sauvegardes');
  assert.match(got[0].text!, /^Bonjour Personne plan\.owner,/);
  assert.ok(got[0].text!.includes('« Tester la restauration des sauvegardes »'));
  assert.ok(got[0].text!.includes('CH Nord'));
  assert.ok(got[0].text!.includes('est à échéance le vendredi 20 novembre 2026.'));
  assert.ok(got[0].text!.includes('Mesure concernée : GOV-2 Sauvegardes.'));
  assert.ok(got[0].text!.includes(`${TEST_ORIGIN}/diagnostic/plan`));
  assertFrench(got[0].text!, 'reminder');
  assert.ok((await actionRow(main.id)).reminderBeforeSentAt instanceof Date);

  await run('2026-11-13T06:00:00Z'); // the job runs twice
  await run('2026-11-16T06:00:00Z');
  await run('2026-11-20T22:59:00Z'); // 23:59 in Paris on the due date: not late yet
  assert.equal((await mailsTo(owner.email)).length, 1, 'nothing more before the due date');

  await run('2026-11-20T23:00:30Z'); // 00:00:30 in Paris on the 21st
  got = await mailsTo(owner.email);
  assert.equal(got.length, 2, 'one mail when late');
  const late = got.find((m) => m.id !== firstMailId)!;
  assert.equal(late.to, owner.email);
  assert.equal(late.subject, 'Hygie : action en retard — Tester la restauration des sauvegardes');
  assert.ok(late.text!.includes('était à échéance le vendredi 20 novembre 2026. Elle est maintenant en retard.'));
  assert.ok(late.text!.includes(`${TEST_ORIGIN}/diagnostic/plan`));
  assertFrench(late.text!, 'late reminder');

  await run('2026-11-20T23:00:30Z');
  await run('2026-11-22T06:00:00Z');
  got = await mailsTo(owner.email);
  assert.equal(got.length, 2, 'each mail once');
  assert.ok(
    got.every((m) => m.subject.includes('Tester la restauration des sauvegardes')),
    'none for done, cancelled, undated actions',
  );
  assert.equal((await actionRow(ownerless.id)).reminderBeforeSentAt, null, 'none without an owner');
  assert.equal((await actionRow(done.id)).reminderLateSentAt, null);
  assert.equal((await actionRow(undated.id)).reminderBeforeSentAt, null);

  // « 1er » for the first day of a month
  await run('2026-11-24T06:00:00Z');
  got = await mailsTo(owner.email);
  assert.equal(got.length, 3);
  const certificate = got.find((m) => m.subject.endsWith('Renouveler le certificat'))!;
  assert.equal(certificate.subject, 'Hygie : action à échéance le mardi 1er décembre 2026 — Renouveler le certificat');
  assert.ok(certificate.text!.includes('est à échéance le mardi 1er décembre 2026.'), certificate.text!);

  // a new due date re-arms the reminders
  await patch('rssi', main.id, { dueDate: '2026-12-18' });
  const rearmed = await actionRow(main.id);
  assert.equal(rearmed.reminderBeforeSentAt, null);
  assert.equal(rearmed.reminderLateSentAt, null);
  await run('2026-12-11T06:00:00Z');
  got = await mailsTo(owner.email);
  assert.equal(got.length, 5, 'the new due date (and the certificate, now late)');
  assert.ok(got.some((m) => m.text!.includes('est à échéance le vendredi 18 décembre 2026.')));
  assert.ok(got.some((m) => m.subject === 'Hygie : action en retard — Renouveler le certificat'));
  // a done action gets no late mail
  await patch('rssi', main.id, { status: 'done' });
  await run('2026-12-20T06:00:00Z');
  assert.equal((await mailsTo(owner.email)).length, 5);

  // a disabled account gets nothing
  const gone = await person('plan.gone', world.orgs.hospital);
  const goneAction = await create('rssi', { title: 'Action d’un compte désactivé', ownerId: gone.id, dueDate: '2026-12-24' });
  await t.platform.db.update(users).set({ status: 'disabled' }).where(eq(users.id, gone.id));
  await run('2026-12-20T06:00:00Z');
  assert.equal((await mailsTo(gone.email)).length, 0);

  for (const a of [main, done, cancelled, ownerless, undated, firstOfMonth, goneAction]) await rssi.delete(api(`/plan/actions/${a.id}`));
});

// --- the daily job -------------------------------------------------------------------------------------

/** Waits for something the job queue does in the background (its workers poll every 2 s). */
async function eventually<T>(check: () => Promise<T | undefined>, label: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gave up waiting: ${label}`);
}

test('the reminders run as a daily job at 07:00, Paris time, through the job queue', async () => {
  await t.platform.jobs.start();
  await startPlanJobs(t.platform);
  await startPlanJobs(t.platform); // a second process, or a restart: still one schedule
  const { rows } = await t.database.sql.query<{ name: string; cron: string; timezone: string }>('select name, cron, timezone from pgboss.schedule');
  assert.deepEqual(rows, [{ name: 'plan.reminders', cron: '0 7 * * *', timezone: 'Europe/Paris' }]);

  // one tick of the schedule: the worker runs the reminders at the platform's time
  const owner = await person('plan.job.owner', world.orgs.hospital);
  const action = await create('rssi', { title: 'Vérifier les sauvegardes hors ligne', ownerId: owner.id, dueDate: '2026-06-15' });
  await t.platform.jobs.send(PLAN_REMINDERS_JOB, {});
  const [mail] = await eventually(async () => {
    const found = await t.platform.db.select().from(mails).where(eq(mails.to, owner.email));
    return found.length ? found : undefined;
  }, 'the reminder of the scheduled job');
  assert.equal(mail.subject, 'Hygie : action à échéance le lundi 15 juin 2026 — Vérifier les sauvegardes hors ligne');
  await (await as('rssi')).delete(api(`/plan/actions/${action.id}`));
});
