import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { and, asc, eq } from 'drizzle-orm';
import { parse } from 'csv-parse/sync';
import type { LightMyRequestResponse } from 'fastify';
import type { EstablishmentCategory, OrgKind } from '../../../contracts/tenancy';
import { Client, createTestApp, type TestApp } from '../../../../test/support/app';
import { insertSmallFramework } from '../../../../test/support/frameworks';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { verifyAuditChain } from '../../platform/audit/service';
import { mails } from '../../platform/mail/schema';
import { organisations } from '../../platform/tenancy/schema';
import { parisToday } from './region';
import { assessments, campaigns, frameworks, fundingDeclarations, fundingMilestones, fundingProgrammes, nodeScores } from './schema';

/**
 * Campaigns, funding programmes and the observatory, through HTTP. The world (test/support)
 * gives north → GHT → (CH Nord, EHPAD Nord) and south → Clinique Sud; we add a few
 * establishments so that medians mean something.
 */

let t: TestApp;
let world: World;
/** The framework of the observatory's fixtures (asked for explicitly: the default is the référentiel installed from content/). */
let fw: TestFramework;
/** Another framework, for campaigns (their drafts and statuses stay out of the observatory's figures). */
let campaignFw: TestFramework;
const extra = {} as Record<'chLille' | 'chArras' | 'chuNord' | 'chDouai' | 'chSud', string>;

before(async () => {
  t = await createTestApp();
  world = await seedWorld(t.platform.db);
  fw = await makeFramework('observatoire');
  campaignFw = await makeFramework('campagne');
  extra.chLille = await addOrg('establishment', 'CH Lille', world.orgs.north, 'CH');
  extra.chArras = await addOrg('establishment', 'CH Arras', world.orgs.north, 'CH');
  extra.chuNord = await addOrg('establishment', 'CHU Nord', world.orgs.north, 'CHU');
  extra.chDouai = await addOrg('establishment', 'CH Douai', world.orgs.north, 'CH');
  extra.chSud = await addOrg('establishment', 'CH Sud', world.orgs.south, 'CH');
});
after(async () => {
  await t?.close();
});

// --- helpers ---------------------------------------------------------------------------------

const api = (path: string) => `/api/v1${path}`;
const db = () => t.platform.db;

const clients = new Map<string, Client>();
async function as(who: WorldUser): Promise<Client> {
  const email = world.users[who].email;
  let c = clients.get(email);
  if (!c) clients.set(email, (c = await signIn(t, email)));
  return c;
}

async function addOrg(kind: OrgKind, name: string, parentId: string, category: EstablishmentCategory | null = null): Promise<string> {
  const [parent] = await db().select({ ancestors: organisations.ancestors }).from(organisations).where(eq(organisations.id, parentId));
  const [row] = await db()
    .insert(organisations)
    .values({ kind, name, parentId, ancestors: [...parent.ancestors, parentId], category })
    .returning({ id: organisations.id });
  return row.id;
}

interface TestFramework {
  id: string;
  name: string;
  /** depth-1 nodes */
  o1: string;
  o2: string;
  /** sub-objective under o1 (depth 2): never part of the observatory */
  s1: string;
}

/** The shared small framework: o1 « Gouvernance » → s1 → 3 measures; o2 « Gestion des incidents » → 1 measure. */
async function makeFramework(label: string): Promise<TestFramework> {
  const f = await insertSmallFramework(db(), label);
  return { id: f.id, name: f.name, o1: f.nodes.o1, o2: f.nodes.o2, s1: f.nodes.s1 };
}

/** A campaign written directly, for the observatory's fixtures. */
async function insertCampaign(orgId: string, title: string, deadline: string, frameworkId = fw.id): Promise<string> {
  const [row] = await db().insert(campaigns).values({ orgId, frameworkId, title, deadline }).returning({ id: campaigns.id });
  return row.id;
}

/** A submitted (or other) assessment with its maintained scores, as the assessment service keeps them. */
async function insertResult(r: {
  orgId: string;
  status: 'draft' | 'submitted' | 'validated';
  score: number | null;
  o1: number | null;
  o2: number | null;
  submittedAt: string;
  campaignId?: string;
  frameworkId?: TestFramework;
}): Promise<string> {
  const f = r.frameworkId ?? fw;
  const at = new Date(r.submittedAt);
  const [row] = await db()
    .insert(assessments)
    .values({
      orgId: r.orgId,
      frameworkId: f.id,
      campaignId: r.campaignId ?? null,
      title: 'Diagnostic',
      status: r.status,
      createdAt: at,
      submittedAt: r.status === 'draft' ? null : at,
      validatedAt: r.status === 'validated' ? at : null,
      score: r.score,
      answeredCount: 4,
      assessableCount: 4,
    })
    .returning({ id: assessments.id });
  await db()
    .insert(nodeScores)
    .values([
      { assessmentId: row.id, nodeId: f.o1, score: r.o1, answered: 3, total: 3 },
      // the sub-objective carries a score that must never show up in the observatory
      { assessmentId: row.id, nodeId: f.s1, score: 12.34, answered: 3, total: 3 },
      { assessmentId: row.id, nodeId: f.o2, score: r.o2, answered: r.o2 === null ? 0 : 1, total: 1 },
    ]);
  return row.id;
}

/** Rows of a table; of the audit log, this module's entries (sign-ins and refusals are logged too, and are not writes). */
async function count(table: string): Promise<number> {
  const where = table === 'audit_log' ? ` where action like 'assessment.%'` : '';
  const { rows } = await t.database.sql.query<{ n: number }>(`select count(*)::int as n from ${table}${where}`);
  return Number(rows[0].n);
}

const TABLES = ['assessment_campaigns', 'assessments', 'funding_programmes', 'funding_milestones', 'funding_declarations', 'mails', 'audit_log'];
async function counts() {
  return Object.fromEntries(await Promise.all(TABLES.map(async (name) => [name, await count(name)] as const)));
}

const FRENCH = /[àâçéèêëîïôûùüœ]|\b(le|la|les|de|des|du|un|une|est|ce|cette|vous|votre|pas|ou|et|au|aux|inconnue?|invalide|obligatoire|choisissez|précisez|ajoutez|décrivez)\b/i;
const ENGLISH = /\b(invalid|expected|required|must|received|string|undefined)\b/i;
function assertFrench(message: unknown, context: string) {
  assert.ok(typeof message === 'string' && message.length > 0, `${context}: no message`);
  assert.match(message, FRENCH, `${context}: message not in French: ${message}`);
  assert.doesNotMatch(message, ENGLISH, `${context}: message in English: ${message}`);
}

/** A 400 naming the field, in French; `message` matched when given. */
function assertInvalid(res: LightMyRequestResponse, field: string, message?: RegExp, context = field) {
  assert.equal(res.statusCode, 400, `${context}: ${res.body}`);
  const { error } = res.json();
  assert.equal(error.code, 'validation', context);
  const entry = (error.fields as { path: string; message: string }[] | undefined)?.find((f) => f.path === field);
  assert.ok(entry, `${context}: no error on ${field}: ${res.body}`);
  assertFrench(entry.message, context);
  assertFrench(error.message, context);
  if (message) assert.match(entry.message, message, context);
}

function assertStatus(res: LightMyRequestResponse, status: number, code: string, context: string) {
  assert.equal(res.statusCode, status, `${context}: ${res.body}`);
  assert.equal(res.json().error.code, code, context);
  assertFrench(res.json().error.message, context);
}

const inDays = (days: number) => parisToday(new Date(t.clock.now().getTime() + days * 86_400_000));

async function auditOf(action: string) {
  return db().select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.seq));
}

async function mailsTo(email: string, subject?: RegExp) {
  const rows = await db().select().from(mails).where(eq(mails.to, email));
  return subject ? rows.filter((m) => subject.test(m.subject)) : rows;
}

/** Ids and names of everything in the north: none may appear in an answer given to the south. */
function northMarkers(): string[] {
  return [world.orgs.north, world.orgs.ght, world.orgs.hospital, world.orgs.ehpad, extra.chLille, extra.chArras, extra.chuNord, extra.chDouai, 'Région Nord', 'CH Nord', 'EHPAD Nord', 'CH Lille', 'CH Arras', 'CHU Nord', 'GHT Nord'];
}
function assertNoneOf(body: string, markers: string[], context: string) {
  for (const m of markers) assert.ok(!body.includes(m), `${context}: the answer mentions ${m}`);
}

// --- Campaigns -------------------------------------------------------------------------------

describe('campaigns', () => {
  test('a regional coordinator launches a campaign: one draft assessment per establishment, mails to RSSI and direction, audited', async () => {
    const before = await counts();
    const c = await as('coordRegion');
    const deadline = inDays(30);
    const res = await c.post(api('/campaigns'), {
      orgId: world.orgs.north,
      frameworkId: campaignFw.id,
      title: '  Campagne régionale 2026  ',
      deadline,
      establishmentIds: [world.orgs.hospital, world.orgs.ehpad, extra.chLille, world.orgs.hospital],
    });
    assert.equal(res.statusCode, 200, res.body);
    const detail = res.json();
    assert.equal(detail.campaign.title, 'Campagne régionale 2026');
    assert.equal(detail.campaign.orgId, world.orgs.north);
    assert.equal(detail.campaign.orgName, 'Région Nord');
    assert.equal(detail.campaign.frameworkName, campaignFw.name);
    assert.equal(detail.campaign.deadline, deadline);
    assert.equal(detail.campaign.overdue, false);
    assert.deepEqual(detail.campaign.totals, { establishments: 3, notStarted: 3, started: 0, submitted: 0, validated: 0, late: 0 });
    assert.deepEqual(
      detail.establishments.map((e: { assessment: { orgName: string } }) => e.assessment.orgName),
      ['CH Lille', 'CH Nord', 'EHPAD Nord'],
    );
    for (const e of detail.establishments) {
      assert.equal(e.progress, 'not_started');
      assert.equal(e.late, false);
      assert.equal(e.percent, 0);
      assert.equal(e.assessment.status, 'draft');
      assert.equal(e.assessment.assessableCount, 4);
      assert.equal(e.assessment.campaignId, detail.campaign.id);
      assert.equal(e.assessment.deadline, deadline);
    }

    const rows = await db().select().from(assessments).where(eq(assessments.campaignId, detail.campaign.id));
    assert.equal(rows.length, 3, 'one assessment per establishment, the repeated one once');
    for (const a of rows) {
      assert.equal(a.status, 'draft');
      assert.equal(a.title, 'Campagne régionale 2026');
      assert.equal(a.frameworkId, campaignFw.id);
      assert.equal(a.assessableCount, 4);
      assert.equal(a.answeredCount, 0);
      assert.equal(a.createdBy, world.users.coordRegion.id);
    }

    // RSSI and direction of CH Nord, RSSI of the EHPAD; CH Lille has nobody to write to.
    const after = await counts();
    assert.equal(after.mails - before.mails, 3);
    for (const who of ['rssi', 'direction', 'ehpadRssi'] as const) {
      const [mail] = (await mailsTo(world.users[who].email)).filter((m) => m.subject.includes('Campagne régionale 2026'));
      assert.ok(mail, `${who} got a mail`);
      assert.match(mail.subject, /diagnostic à soumettre avant le/);
      assert.match(mail.text ?? '', new RegExp(`Région Nord lance la campagne d’évaluation « Campagne régionale 2026 »`));
      assert.match(mail.text ?? '', who === 'ehpadRssi' ? /EHPAD Nord/ : /CH Nord/);
    }
    const created = await auditOf('assessment.campaign.created');
    assert.equal(created.at(-1)?.targetId, detail.campaign.id);
    assert.equal(created.at(-1)?.orgId, world.orgs.north);
    const perEstablishment = (await auditOf('assessment.created')).filter((e) => (e.details as { campaignId?: string }).campaignId === detail.campaign.id);
    assert.deepEqual(perEstablishment.map((e) => e.orgId).sort(), [world.orgs.hospital, world.orgs.ehpad, extra.chLille].sort());

    // The establishment finds it in its own list of assessments.
    const list = await (await as('rssi')).get(api(`/assessments?orgId=${world.orgs.hospital}`));
    assert.equal(list.statusCode, 200, list.body);
    assert.ok((list.json().assessments as { campaignId: string | null }[]).some((a) => a.campaignId === detail.campaign.id), 'the campaign assessment is in the establishment’s list');
  });

  test('POST /campaigns: bad input gets 400 with the field in French, and writes nothing', async () => {
    const c = await as('coordRegion');
    const good = { orgId: world.orgs.north, frameworkId: campaignFw.id, title: 'Campagne à refuser', deadline: inDays(10), establishmentIds: [world.orgs.hospital] };
    const before = await counts();
    assertInvalid(await c.post(api('/campaigns'), { ...good, title: undefined }), 'title');
    assertInvalid(await c.post(api('/campaigns'), { ...good, title: 'ab' }), 'title', /au moins 3 caractères/);
    assertInvalid(await c.post(api('/campaigns'), { ...good, deadline: '2026-13-45' }), 'deadline');
    assertInvalid(await c.post(api('/campaigns'), { ...good, deadline: inDays(0) }), 'deadline', /postérieure à aujourd’hui/, 'deadline today');
    assertInvalid(await c.post(api('/campaigns'), { ...good, deadline: inDays(-3) }), 'deadline', /postérieure à aujourd’hui/, 'deadline past');
    assertInvalid(await c.post(api('/campaigns'), { ...good, establishmentIds: [] }), 'establishmentIds', /au moins un établissement/);
    assertInvalid(await c.post(api('/campaigns'), { ...good, establishmentIds: ['pas-un-identifiant'] }), 'establishmentIds.0');
    assertInvalid(await c.post(api('/campaigns'), { ...good, orgId: 'nord' }), 'orgId');
    assertInvalid(await c.post(api('/campaigns'), { ...good, frameworkId: randomUUID() }), 'frameworkId', /n’existe pas/);
    // A campaign is launched by a region or a GHT, not by an establishment.
    assertInvalid(await c.post(api('/campaigns'), { ...good, orgId: world.orgs.hospital }), 'orgId', /région ou par un GHT/);

    // The wrong organisations are named: by name when the coordinator may know them, by identifier otherwise.
    const site = await c.post(api('/campaigns'), { ...good, establishmentIds: [world.orgs.hospital, world.orgs.site, world.orgs.ght] });
    assertInvalid(site, 'establishmentIds', /« Site A ».*« GHT Nord »/);
    assert.ok(!site.json().error.fields[0].message.includes('CH Nord'), 'the right one is not named');
    const unknown = randomUUID();
    const foreign = await c.post(api('/campaigns'), { ...good, establishmentIds: [world.orgs.clinic, unknown] });
    assertInvalid(foreign, 'establishmentIds', new RegExp(`${world.orgs.clinic}.*${unknown}`));
    assert.ok(!foreign.body.includes('Clinique Sud'), 'a foreign establishment is never named');
    // Several problems at once are all listed.
    const several = await c.post(api('/campaigns'), { ...good, deadline: inDays(-1), frameworkId: randomUUID(), establishmentIds: [world.orgs.site] });
    assert.equal(several.statusCode, 400);
    assert.deepEqual((several.json().error.fields as { path: string }[]).map((f) => f.path).sort(), ['deadline', 'establishmentIds', 'frameworkId']);
    assertFrench(several.json().error.message, 'several');

    assert.deepEqual(await counts(), before, 'nothing written');
  });

  test('who may launch a campaign: coordinators over their own perimeter only', async () => {
    const body = (orgId: string, establishmentIds: string[]) => ({ orgId, frameworkId: campaignFw.id, title: 'Campagne GHT', deadline: inDays(20), establishmentIds });
    const before = await counts();
    assertStatus(await (await as('rssi')).post(api('/campaigns'), body(world.orgs.hospital, [world.orgs.hospital])), 403, 'forbidden', 'an RSSI on his establishment');
    assertStatus(await (await as('rssi')).post(api('/campaigns'), body(world.orgs.north, [world.orgs.hospital])), 404, 'not_found', 'an RSSI on the region above him');
    assertStatus(await (await as('direction')).post(api('/campaigns'), body(world.orgs.hospital, [world.orgs.hospital])), 403, 'forbidden', 'the direction');
    assertStatus(await (await as('agent')).post(api('/campaigns'), body(world.orgs.north, [world.orgs.hospital])), 404, 'not_found', 'an agent');
    assertStatus(await (await as('coordGht')).post(api('/campaigns'), body(world.orgs.north, [world.orgs.hospital])), 404, 'not_found', 'a GHT coordinator on the region');
    assertStatus(await (await as('foreignCoord')).post(api('/campaigns'), body(world.orgs.north, [world.orgs.hospital])), 404, 'not_found', 'the south coordinator on the north');
    assertStatus(await (await as('admin')).post(api('/campaigns'), body(world.orgs.north, [world.orgs.hospital])), 403, 'forbidden', 'an administrator runs no campaign');
    // The GHT coordinator, inside his GHT only.
    const outside = await (await as('coordGht')).post(api('/campaigns'), body(world.orgs.ght, [world.orgs.hospital, extra.chLille]));
    assertInvalid(outside, 'establishmentIds', new RegExp(extra.chLille), 'an establishment of the region outside the GHT');
    assert.ok(!outside.body.includes('CH Lille'), 'named by its identifier: the GHT coordinator does not see it');
    assertInvalid(await (await as('foreignCoord')).post(api('/campaigns'), body(world.orgs.south, [world.orgs.clinic, world.orgs.hospital])), 'establishmentIds', new RegExp(world.orgs.hospital), 'the south on a north establishment');
    assert.deepEqual(await counts(), before, 'nothing written');

    const ok = await (await as('coordGht')).post(api('/campaigns'), body(world.orgs.ght, [world.orgs.hospital, world.orgs.ehpad]));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().campaign.orgName, 'GHT Nord');
    assert.equal(ok.json().establishments.length, 2);
  });

  test('following a campaign: not started, started, submitted, validated, late; the lists stay within each perimeter', async () => {
    const region = await as('coordRegion');
    const created = await region.post(api('/campaigns'), {
      orgId: world.orgs.north,
      frameworkId: campaignFw.id,
      title: 'Campagne de suivi',
      deadline: inDays(15),
      establishmentIds: [world.orgs.hospital, world.orgs.ehpad, extra.chLille, extra.chArras],
    });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().campaign.id as string;
    const rowOf = async (orgId: string) => (await db().select().from(assessments).where(and(eq(assessments.campaignId, id), eq(assessments.orgId, orgId))))[0];
    // What the assessment service maintains as people answer, submit and validate.
    await db().update(assessments).set({ answeredCount: 2 }).where(eq(assessments.id, (await rowOf(world.orgs.hospital)).id));
    await db().update(assessments).set({ status: 'submitted', answeredCount: 4, score: 62.5, submittedAt: t.clock.now() }).where(eq(assessments.id, (await rowOf(world.orgs.ehpad)).id));
    await db()
      .update(assessments)
      .set({ status: 'validated', answeredCount: 4, score: 80, submittedAt: t.clock.now(), validatedAt: t.clock.now() })
      .where(eq(assessments.id, (await rowOf(extra.chLille)).id));

    const detail = await region.get(api(`/campaigns/${id}`));
    assert.equal(detail.statusCode, 200, detail.body);
    const byName = Object.fromEntries(detail.json().establishments.map((e: { assessment: { orgName: string } }) => [e.assessment.orgName, e]));
    assert.equal(byName['CH Arras'].progress, 'not_started');
    assert.equal(byName['CH Nord'].progress, 'started');
    assert.equal(byName['CH Nord'].percent, 50);
    assert.equal(byName['EHPAD Nord'].progress, 'submitted');
    assert.equal(byName['EHPAD Nord'].assessment.score, 62.5);
    assert.equal(byName['CH Lille'].progress, 'validated');
    assert.equal(byName['CH Lille'].category, 'CH');
    assert.deepEqual(detail.json().campaign.totals, { establishments: 4, notStarted: 1, started: 1, submitted: 1, validated: 1, late: 0 });

    // The deadline passes (Paris date): those not submitted are late.
    await db().update(campaigns).set({ deadline: inDays(-1) }).where(eq(campaigns.id, id));
    const late = (await region.get(api(`/campaigns/${id}`))).json();
    assert.equal(late.campaign.overdue, true);
    assert.deepEqual(late.campaign.totals, { establishments: 4, notStarted: 1, started: 1, submitted: 1, validated: 1, late: 2 });
    assert.deepEqual(
      late.establishments.filter((e: { late: boolean }) => e.late).map((e: { assessment: { orgName: string } }) => e.assessment.orgName),
      ['CH Arras', 'CH Nord'],
    );

    // The region's list shows its campaigns and its GHT's, with the same totals.
    const list = (await region.get(api(`/campaigns?orgId=${world.orgs.north}`))).json().campaigns as { id: string; orgName: string; totals: unknown }[];
    assert.deepEqual(list.find((c) => c.id === id)?.totals, late.campaign.totals);
    assert.ok(list.some((c) => c.orgName === 'GHT Nord'), 'the GHT’s campaigns are in the region’s list');
    // The GHT coordinator sees his GHT's campaigns only, and not the region's.
    const ght = await as('coordGht');
    const ghtList = (await ght.get(api(`/campaigns?orgId=${world.orgs.ght}`))).json().campaigns as { orgName: string }[];
    assert.ok(ghtList.length > 0 && ghtList.every((c) => c.orgName === 'GHT Nord'));
    assertStatus(await ght.get(api(`/campaigns/${id}`)), 404, 'not_found', 'a GHT coordinator on a regional campaign');
    assertStatus(await ght.get(api(`/campaigns?orgId=${world.orgs.north}`)), 404, 'not_found', 'a GHT coordinator listing the region');
    // The south sees nothing of the north.
    const south = await as('foreignCoord');
    assertStatus(await south.get(api(`/campaigns/${id}`)), 404, 'not_found', 'the south on a north campaign');
    assertStatus(await south.get(api(`/campaigns?orgId=${world.orgs.north}`)), 404, 'not_found', 'the south listing the north');
    const southList = await south.get(api(`/campaigns?orgId=${world.orgs.south}`));
    assert.equal(southList.statusCode, 200);
    assert.deepEqual(southList.json().campaigns, []);
    // Establishments follow their own assessments, not the campaign.
    assertStatus(await (await as('rssi')).get(api(`/campaigns/${id}`)), 404, 'not_found', 'an RSSI on the campaign');
    assertStatus(await (await as('rssi')).get(api(`/campaigns?orgId=${world.orgs.hospital}`)), 403, 'forbidden', 'an RSSI listing campaigns');
    // Bad input.
    assertInvalid(await region.get(api('/campaigns/pas-un-identifiant')), 'id');
    assertInvalid(await region.get(api('/campaigns?orgId=nord')), 'orgId');
    assertInvalid(await region.get(api('/campaigns')), 'orgId');
    assertStatus(await region.get(api(`/campaigns/${randomUUID()}`)), 404, 'not_found', 'an unknown campaign');
  });

  test('reminding: the RSSI and direction of every establishment not yet submitted get a mail; counted and audited', async () => {
    const region = await as('coordRegion');
    const created = await region.post(api('/campaigns'), {
      orgId: world.orgs.north,
      frameworkId: campaignFw.id,
      title: 'Campagne à relancer',
      deadline: inDays(5),
      establishmentIds: [world.orgs.hospital, world.orgs.ehpad, extra.chArras],
    });
    const id = created.json().campaign.id as string;
    const ehpadAssessment = (created.json().establishments as { assessment: { id: string; orgId: string } }[]).find((e) => e.assessment.orgId === world.orgs.ehpad)!.assessment.id;
    await db().update(assessments).set({ status: 'submitted', submittedAt: t.clock.now() }).where(eq(assessments.id, ehpadAssessment));

    // Denied or invisible: nothing sent.
    const before = await counts();
    assertStatus(await (await as('coordGht')).post(api(`/campaigns/${id}/remind`)), 404, 'not_found', 'a GHT coordinator');
    assertStatus(await (await as('foreignCoord')).post(api(`/campaigns/${id}/remind`)), 404, 'not_found', 'the south');
    assertStatus(await (await as('rssi')).post(api(`/campaigns/${id}/remind`)), 404, 'not_found', 'an RSSI');
    assertInvalid(await region.post(api('/campaigns/x/remind')), 'id');
    assert.deepEqual(await counts(), before);

    const reminder = /rappel — diagnostic de CH Nord à soumettre avant le/;
    const rssiBefore = (await mailsTo(world.users.rssi.email, reminder)).length;
    const directionBefore = (await mailsTo(world.users.direction.email, reminder)).length;
    const ehpadBefore = (await mailsTo(world.users.ehpadRssi.email)).length;
    const res = await region.post(api(`/campaigns/${id}/remind`));
    assert.equal(res.statusCode, 200, res.body);
    // CH Nord (RSSI + direction) and CH Arras (nobody to write to); the EHPAD has submitted.
    assert.deepEqual(res.json(), { establishments: 2, mails: 2 });
    assert.equal((await mailsTo(world.users.rssi.email, reminder)).length, rssiBefore + 1);
    assert.equal((await mailsTo(world.users.direction.email, reminder)).length, directionBefore + 1);
    assert.match((await mailsTo(world.users.rssi.email, reminder))[0].text ?? '', /n’a pas encore été soumis/);
    assert.equal((await mailsTo(world.users.ehpadRssi.email)).length, ehpadBefore, 'the establishment that submitted is left alone');
    const audit = (await auditOf('assessment.campaign.reminded')).at(-1)!;
    assert.equal(audit.targetId, id);
    assert.deepEqual(audit.details, { establishments: 2, mails: 2, overdue: false });

    // After the deadline the mail says it is late.
    await db().update(campaigns).set({ deadline: inDays(-2) }).where(eq(campaigns.id, id));
    const lateBefore = (await mailsTo(world.users.rssi.email, /CH Nord est en retard/)).length;
    assert.deepEqual((await region.post(api(`/campaigns/${id}/remind`))).json(), { establishments: 2, mails: 2 });
    assert.equal((await mailsTo(world.users.rssi.email, /CH Nord est en retard/)).length, lateBefore + 1);

    // A closed campaign is not reminded.
    await db().update(campaigns).set({ closedAt: t.clock.now() }).where(eq(campaigns.id, id));
    const closedBefore = await counts();
    assertStatus(await region.post(api(`/campaigns/${id}/remind`)), 409, 'conflict', 'a closed campaign');
    assert.deepEqual(await counts(), closedBefore);
  });
});

// --- Funding programmes ---------------------------------------------------------------------

describe('funding programmes', () => {
  const programmeBody = () => ({
    orgId: world.orgs.north,
    name: 'Programme CaRE Nord',
    description: 'Prérequis puis objectifs, comme le programme national.',
    milestones: [
      { kind: 'prerequisite', code: 'P1', title: 'Exercice de crise cyber réalisé', amount: 10000 },
      { kind: 'prerequisite', code: 'P2', title: 'Sauvegardes hors ligne testées', amount: null },
      { kind: 'objective', code: 'O1', title: 'Annuaire des applications critiques', amount: 50000.5 },
      { kind: 'objective', code: 'O2', title: 'Plan de continuité numérique', description: 'Fiches réflexes par service.' },
    ],
  });
  let programme: { id: string; milestones: { id: string; code: string }[] };
  const milestone = (code: string) => programme.milestones.find((m) => m.code === code)!.id;

  test('a regional coordinator creates a programme: milestones in order, every establishment of the region listed, audited', async () => {
    const res = await (await as('coordRegion')).post(api('/funding/programmes'), programmeBody());
    assert.equal(res.statusCode, 200, res.body);
    programme = res.json().programme;
    const p = res.json().programme;
    assert.equal(p.orgName, 'Région Nord');
    assert.deepEqual(
      p.milestones.map((m: { code: string; kind: string; amount: number | null; position: number }) => [m.code, m.kind, m.amount, m.position]),
      [
        ['P1', 'prerequisite', 10000, 0],
        ['P2', 'prerequisite', null, 1],
        ['O1', 'objective', 50000.5, 2],
        ['O2', 'objective', null, 3],
      ],
    );
    assert.deepEqual(
      p.establishments.map((e: { orgName: string }) => e.orgName),
      ['CH Arras', 'CH Douai', 'CH Lille', 'CH Nord', 'CHU Nord', 'EHPAD Nord'],
    );
    for (const e of p.establishments) {
      assert.equal(e.prerequisitesMet, false);
      assert.deepEqual(
        e.declarations.map((d: { status: string }) => d.status),
        ['none', 'none', 'none', 'none'],
      );
    }
    assert.deepEqual(p.totals, { declared: 0, moreInfo: 0, validated: 0, amountValidated: 0, establishments: 6 });
    assert.equal((await auditOf('assessment.funding.programme.created')).at(-1)?.targetId, p.id);
  });

  test('POST /funding/programmes: bad input and wrong perimeter get 400/403/404 in French, and write nothing', async () => {
    const c = await as('coordRegion');
    const before = await counts();
    const body = programmeBody();
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, name: 'P' }), 'name', /au moins 3 caractères/);
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, milestones: [] }), 'milestones', /au moins un jalon/);
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, milestones: [{ ...body.milestones[0], kind: 'bonus' }] }), 'milestones.0.kind', /prérequis ou objectif/);
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, milestones: [{ ...body.milestones[0], amount: -5 }] }), 'milestones.0.amount', /négatif/);
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, milestones: [{ ...body.milestones[0], title: '' }] }), 'milestones.0.title');
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, milestones: [body.milestones[0], { ...body.milestones[1], code: 'p1' }] }), 'milestones.1.code', /déjà utilisé/);
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, orgId: world.orgs.ght }), 'orgId', /porté par une région/);
    assertInvalid(await c.post(api('/funding/programmes'), { ...body, orgId: world.orgs.hospital }), 'orgId', /porté par une région/);
    assertStatus(await (await as('coordGht')).post(api('/funding/programmes'), { ...body, orgId: world.orgs.ght }), 403, 'forbidden', 'a GHT coordinator');
    assertStatus(await (await as('rssi')).post(api('/funding/programmes'), { ...body, orgId: world.orgs.hospital }), 403, 'forbidden', 'an RSSI');
    assertStatus(await (await as('rssi')).post(api('/funding/programmes'), body), 404, 'not_found', 'an RSSI on the region');
    assertStatus(await (await as('foreignCoord')).post(api('/funding/programmes'), body), 404, 'not_found', 'the south on the north');
    assertStatus(await (await as('admin')).post(api('/funding/programmes'), body), 403, 'forbidden', 'an administrator');
    assert.deepEqual(await counts(), before, 'nothing written');
  });

  test('declaring and reviewing: prerequisites first, then objectives; more information by mail; totals and amounts', async () => {
    const rssi = await as('rssi');
    const region = await as('coordRegion');
    const declare = (c: Client, code: string, orgId = world.orgs.hospital, evidence: unknown = 'Compte rendu de l’exercice du 12 février') =>
      c.post(api(`/funding/milestones/${milestone(code)}/declarations`), { orgId, evidence, comment: 'Voir la pièce jointe.' });
    const review = (c: Client, code: string, decision: string, comment?: string, orgId = world.orgs.hospital) =>
      c.post(api(`/funding/milestones/${milestone(code)}/review`), { orgId, decision, ...(comment === undefined ? {} : { comment }) });

    // An objective before the prerequisites: refused, nothing written.
    let before = await counts();
    const early = await declare(rssi, 'O1');
    assertStatus(early, 409, 'conflict', 'objective first');
    assert.match(early.json().error.message, /prérequis validés.*P1, P2/);
    // Bad input and wrong people.
    assertInvalid(await rssi.post(api(`/funding/milestones/${milestone('P1')}/declarations`), { orgId: world.orgs.hospital }), 'evidence');
    assertInvalid(await declare(rssi, 'P1', world.orgs.hospital, 'ok'), 'evidence', /au moins 3 caractères/);
    assertInvalid(await declare(rssi, 'P1', world.orgs.site), 'orgId', /Seul un établissement/);
    assertInvalid(await rssi.post(api('/funding/milestones/x/declarations'), { orgId: world.orgs.hospital, evidence: 'preuve' }), 'id');
    assertStatus(await rssi.post(api(`/funding/milestones/${randomUUID()}/declarations`), { orgId: world.orgs.hospital, evidence: 'preuve' }), 404, 'not_found', 'unknown milestone');
    assertStatus(await declare(region, 'P1'), 403, 'forbidden', 'the region declares nothing itself');
    assertStatus(await declare(await as('coordGht'), 'P1'), 403, 'forbidden', 'a GHT coordinator');
    assertStatus(await declare(await as('ehpadRssi'), 'P1'), 404, 'not_found', 'another establishment’s RSSI');
    assertStatus(await declare(await as('foreignRssi'), 'P1'), 404, 'not_found', 'the south on a north establishment');
    assertStatus(await declare(await as('foreignRssi'), 'P1', world.orgs.clinic), 404, 'not_found', 'a south establishment on a north programme');
    assertStatus(await review(region, 'P1', 'validated'), 409, 'conflict', 'nothing declared yet');
    assert.deepEqual(await counts(), before, 'nothing written');

    // P1 declared, then the region asks for more.
    const declared = await declare(rssi, 'P1');
    assert.equal(declared.statusCode, 200, declared.body);
    assert.equal(declared.json().declaration.status, 'declared');
    assert.equal(declared.json().declaration.evidence, 'Compte rendu de l’exercice du 12 février');
    assert.equal(declared.json().declaration.declaredByName, 'Test rssi');
    assert.equal((await auditOf('assessment.funding.declared')).at(-1)?.orgId, world.orgs.hospital);

    before = await counts();
    assertInvalid(await review(region, 'P1', 'more_info'), 'comment', /Précisez ce qui manque/);
    assertInvalid(await review(region, 'P1', 'more_info', '   '), 'comment', /Précisez ce qui manque/);
    assertInvalid(await review(region, 'P1', 'refused', 'non'), 'decision');
    assertInvalid(await review(region, 'P1', 'validated', undefined, 'pas-un-identifiant'), 'orgId');
    assertInvalid(await region.post(api('/funding/milestones/x/review'), { orgId: world.orgs.hospital, decision: 'validated' }), 'id');
    assertStatus(await region.post(api(`/funding/milestones/${randomUUID()}/review`), { orgId: world.orgs.hospital, decision: 'validated' }), 404, 'not_found', 'unknown milestone');
    assertStatus(await review(rssi, 'P1', 'validated'), 404, 'not_found', 'an RSSI reviews nothing');
    assertStatus(await review(await as('coordGht'), 'P1', 'validated'), 404, 'not_found', 'a GHT coordinator reviews nothing');
    assertStatus(await review(await as('foreignCoord'), 'P1', 'validated'), 404, 'not_found', 'the south reviews nothing of the north');
    assertStatus(await review(region, 'P1', 'validated', undefined, world.orgs.clinic), 404, 'not_found', 'a south establishment in a north programme');
    assert.deepEqual(await counts(), before, 'nothing written');

    const askedMore = /demande des compléments sur le jalon P1/;
    const rssiMails = (await mailsTo(world.users.rssi.email, askedMore)).length;
    const directionMails = (await mailsTo(world.users.direction.email)).length;
    const more = await review(region, 'P1', 'more_info', 'Joignez le compte rendu signé par la direction.');
    assert.equal(more.statusCode, 200, more.body);
    assert.equal(more.json().declaration.status, 'more_info');
    assert.equal(more.json().declaration.reviewComment, 'Joignez le compte rendu signé par la direction.');
    assert.equal(more.json().declaration.reviewedByName, 'Test coordRegion');
    const asked = await mailsTo(world.users.rssi.email, askedMore);
    assert.equal(asked.length, rssiMails + 1);
    assert.match(asked[0].text ?? '', /Joignez le compte rendu signé par la direction\./);
    assert.equal((await mailsTo(world.users.direction.email)).length, directionMails, 'the RSSI is the one written to');
    assert.equal((await auditOf('assessment.funding.more_info')).at(-1)?.orgId, world.orgs.hospital);
    assertStatus(await review(region, 'P1', 'validated'), 409, 'conflict', 'awaiting a new declaration');

    // Declared again, validated; a validated milestone is closed.
    assert.equal((await declare(rssi, 'P1', world.orgs.hospital, 'Compte rendu signé')).json().declaration.status, 'declared');
    assert.equal((await auditOf('assessment.funding.redeclared')).length, 1);
    const ok = await review(region, 'P1', 'validated', 'Merci.');
    assert.equal(ok.json().declaration.status, 'validated');
    before = await counts();
    assertStatus(await review(region, 'P1', 'validated'), 409, 'conflict', 'validated twice');
    assertStatus(await declare(rssi, 'P1'), 409, 'conflict', 'declared after validation');
    // Still one prerequisite to go.
    const stillEarly = await declare(rssi, 'O1');
    assertStatus(stillEarly, 409, 'conflict', 'one prerequisite left');
    assert.match(stillEarly.json().error.message, /P2\.$/);
    assert.deepEqual(await counts(), before, 'nothing written');

    assert.equal((await declare(await as('direction'), 'P2')).statusCode, 200, 'the direction declares too');
    assert.equal((await review(region, 'P2', 'validated')).statusCode, 200);
    const objective = await declare(rssi, 'O1');
    assert.equal(objective.statusCode, 200, objective.body);
    assert.equal((await review(region, 'O1', 'validated')).statusCode, 200);
    assert.equal((await declare(rssi, 'O2')).statusCode, 200);
    // The EHPAD declares its first prerequisite.
    assert.equal((await declare(await as('ehpadRssi'), 'P1', world.orgs.ehpad, 'Procès-verbal de l’exercice de l’EHPAD')).statusCode, 200);

    // The region sees every establishment.
    const list = await region.get(api(`/funding/programmes?orgId=${world.orgs.north}`));
    assert.equal(list.statusCode, 200, list.body);
    const p = (list.json().programmes as { id: string }[]).find((x) => x.id === programme.id) as unknown as {
      totals: Record<string, number>;
      milestones: { code: string; totals: Record<string, number> }[];
      establishments: { orgId: string; prerequisitesMet: boolean; totals: Record<string, number>; declarations: { status: string }[] }[];
    };
    assert.deepEqual(p.totals, { declared: 2, moreInfo: 0, validated: 3, amountValidated: 60000.5, establishments: 6 });
    assert.deepEqual(p.milestones.find((m) => m.code === 'P1')!.totals, { declared: 1, moreInfo: 0, validated: 1, amountValidated: 10000 });
    const hospital = p.establishments.find((e) => e.orgId === world.orgs.hospital)!;
    assert.equal(hospital.prerequisitesMet, true);
    assert.deepEqual(
      hospital.declarations.map((d) => d.status),
      ['validated', 'validated', 'validated', 'declared'],
    );
    assert.deepEqual(hospital.totals, { declared: 1, moreInfo: 0, validated: 3, amountValidated: 60000.5 });
    assert.deepEqual(
      p.establishments.find((e) => e.orgId === world.orgs.ehpad)!.declarations.map((d) => d.status),
      ['declared', 'none', 'none', 'none'],
    );

    // An establishment sees its region's programme and its own declarations only.
    const own = await rssi.get(api(`/funding/programmes?orgId=${world.orgs.hospital}`));
    assert.equal(own.statusCode, 200, own.body);
    const ownProgramme = own.json().programmes.find((x: { id: string }) => x.id === programme.id);
    assert.deepEqual(
      ownProgramme.establishments.map((e: { orgId: string }) => e.orgId),
      [world.orgs.hospital],
    );
    assert.deepEqual(ownProgramme.totals, { declared: 1, moreInfo: 0, validated: 3, amountValidated: 60000.5, establishments: 1 });
    assertNoneOf(own.body, [world.orgs.ehpad, 'EHPAD Nord', extra.chLille, 'CH Lille'], 'an RSSI’s programme list');
    const ehpad = await (await as('ehpadRssi')).get(api(`/funding/programmes?orgId=${world.orgs.ehpad}`));
    assertNoneOf(ehpad.body, [world.orgs.hospital, 'CH Nord', 'Compte rendu'], 'the EHPAD’s programme list');
    assert.ok(ehpad.body.includes('Procès-verbal de l’exercice de l’EHPAD'), 'its own declaration');
    // The GHT's coordinator sees the GHT's establishments.
    const ght = (await (await as('coordGht')).get(api(`/funding/programmes?orgId=${world.orgs.ght}`))).json();
    assert.deepEqual(
      ght.programmes.find((x: { id: string }) => x.id === programme.id).establishments.map((e: { orgName: string }) => e.orgName),
      ['CH Nord', 'EHPAD Nord'],
    );
    // The south sees nothing of the north.
    const south = await (await as('foreignRssi')).get(api(`/funding/programmes?orgId=${world.orgs.clinic}`));
    assert.equal(south.statusCode, 200);
    assert.deepEqual(south.json().programmes, []);
    const southCoord = await (await as('foreignCoord')).get(api(`/funding/programmes?orgId=${world.orgs.south}`));
    assert.deepEqual(southCoord.json().programmes, []);
    assertStatus(await (await as('foreignCoord')).get(api(`/funding/programmes?orgId=${world.orgs.north}`)), 404, 'not_found', 'the south listing the north');
    assertStatus(await (await as('foreignRssi')).get(api(`/funding/programmes?orgId=${world.orgs.hospital}`)), 404, 'not_found', 'the south listing a north establishment');
    assertStatus(await (await as('agent')).get(api(`/funding/programmes?orgId=${world.orgs.service}`)), 403, 'forbidden', 'an agent');
    assertInvalid(await rssi.get(api(`/funding/programmes?orgId=${world.orgs.site}`)), 'orgId', /région, un GHT ou un établissement/);
    assertInvalid(await rssi.get(api('/funding/programmes?orgId=x')), 'orgId');
    assertInvalid(await rssi.get(api('/funding/programmes')), 'orgId');

    // Every declaration row matches what the lists say.
    const rows = await db()
      .select({ code: fundingMilestones.code, orgId: fundingDeclarations.orgId, status: fundingDeclarations.status })
      .from(fundingDeclarations)
      .innerJoin(fundingMilestones, eq(fundingMilestones.id, fundingDeclarations.milestoneId))
      .where(eq(fundingMilestones.programmeId, programme.id))
      .orderBy(asc(fundingMilestones.position));
    assert.equal(rows.length, 5);
    assert.equal((await db().select().from(fundingProgrammes).where(eq(fundingProgrammes.id, programme.id))).length, 1);
  });
});

// --- Observatory ------------------------------------------------------------------------------

describe('observatory', () => {
  /** Campaign ids of the observatory fixtures. */
  const fx = {} as { c1: string; c2: string; southCampaign: string; hospitalLatest: string; lilleLatest: string; chuDraft: string; otherFw: string };

  before(async () => {
    fx.c1 = await insertCampaign(world.orgs.north, 'Campagne 2025', '2025-06-30');
    fx.c2 = await insertCampaign(world.orgs.north, 'Campagne 2026', '2026-06-30');
    fx.southCampaign = await insertCampaign(world.orgs.south, 'Campagne Sud', '2026-05-31');
    // North, latest results: CH Nord 60, CH Lille 80.5, CH Arras 20, CHU Nord 100, EHPAD Nord 55 (CH Douai: none).
    await insertResult({ orgId: world.orgs.hospital, status: 'submitted', score: 40, o1: 30, o2: 50, submittedAt: '2025-06-01T10:00:00Z', campaignId: fx.c1 });
    fx.hospitalLatest = await insertResult({ orgId: world.orgs.hospital, status: 'validated', score: 60, o1: 50, o2: 70, submittedAt: '2026-06-01T10:00:00Z', campaignId: fx.c2 });
    fx.lilleLatest = await insertResult({ orgId: extra.chLille, status: 'submitted', score: 80.5, o1: 90, o2: 70, submittedAt: '2026-06-02T10:00:00Z', campaignId: fx.c2 });
    await insertResult({ orgId: extra.chArras, status: 'submitted', score: 30, o1: 20, o2: 40, submittedAt: '2025-06-03T10:00:00Z', campaignId: fx.c1 });
    await insertResult({ orgId: extra.chArras, status: 'submitted', score: 20, o1: 10, o2: 30, submittedAt: '2026-06-03T10:00:00Z', campaignId: fx.c2 });
    await insertResult({ orgId: extra.chuNord, status: 'submitted', score: 100, o1: 100, o2: 100, submittedAt: '2026-01-15T10:00:00Z' });
    await insertResult({ orgId: world.orgs.ehpad, status: 'submitted', score: 55, o1: 55, o2: null, submittedAt: '2026-06-04T10:00:00Z', campaignId: fx.c2 });
    // Ignored: a later draft, and another framework.
    fx.chuDraft = await insertResult({ orgId: extra.chuNord, status: 'draft', score: 0, o1: 0, o2: 0, submittedAt: '2026-09-01T10:00:00Z' });
    fx.otherFw = await insertResult({ orgId: extra.chLille, status: 'submitted', score: 1, o1: 1, o2: 1, submittedAt: '2026-09-01T10:00:00Z', frameworkId: campaignFw });
    // South: Clinique Sud 90, CH Sud 10.
    await insertResult({ orgId: world.orgs.clinic, status: 'submitted', score: 90, o1: 85, o2: 95, submittedAt: '2026-05-01T10:00:00Z', campaignId: fx.southCampaign });
    await insertResult({ orgId: extra.chSud, status: 'validated', score: 10, o1: 5, o2: 15, submittedAt: '2026-05-02T10:00:00Z' });
  });

  const stats = (count: number, mean: number | null, q1: number | null, median: number | null, q3: number | null) => ({ count, mean, q1, median, q3 });

  test('a regional coordinator sees his region: objectives, distribution, categories, evolution over campaigns', async () => {
    const res = await (await as('coordRegion')).get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}`));
    assert.equal(res.statusCode, 200, res.body);
    const o = res.json();
    assert.deepEqual(o.scope, { kind: 'region', orgId: world.orgs.north, name: 'Région Nord' });
    assert.deepEqual(o.framework, { id: fw.id, name: fw.name }, 'Hygie’s référentiel by default');
    assert.equal(o.campaign, null);
    assert.deepEqual(o.establishments, { total: 6, withResult: 5 });
    // 20, 55, 60, 80.5, 100
    assert.deepEqual(o.overall, stats(5, 63.1, 55, 60, 80.5));
    assert.deepEqual(o.objectives, [
      // 10, 50, 55, 90, 100
      { nodeId: fw.o1, refId: 'O1', name: 'Gouvernance', stats: stats(5, 61, 50, 55, 90) },
      // 30, 70, 70, 100 (the EHPAD has no score here)
      { nodeId: fw.o2, refId: 'O2', name: 'Gestion des incidents', stats: stats(4, 67.5, 60, 70, 77.5) },
    ]);
    assert.deepEqual(
      o.distribution.map((d: { from: number; to: number; count: number }) => [d.from, d.count]),
      [
        [0, 0],
        [10, 0],
        [20, 1],
        [30, 0],
        [40, 0],
        [50, 1],
        [60, 1],
        [70, 0],
        [80, 1],
        [90, 1],
      ],
    );
    assert.deepEqual(o.categories, [
      {
        category: 'CH',
        count: 3,
        overall: stats(3, 53.5, 40, 60, 70.3),
        objectives: [
          { nodeId: fw.o1, median: 50 },
          { nodeId: fw.o2, median: 70 },
        ],
      },
      {
        category: 'CHU',
        count: 1,
        overall: stats(1, 100, 100, 100, 100),
        objectives: [
          { nodeId: fw.o1, median: 100 },
          { nodeId: fw.o2, median: 100 },
        ],
      },
      {
        category: 'EHPAD',
        count: 1,
        overall: stats(1, 55, 55, 55, 55),
        objectives: [
          { nodeId: fw.o1, median: 55 },
          { nodeId: fw.o2, median: null },
        ],
      },
    ]);
    assert.deepEqual(o.evolution, [
      { campaignId: fx.c1, title: 'Campagne 2025', orgName: 'Région Nord', deadline: '2025-06-30', count: 2, median: 35 },
      { campaignId: fx.c2, title: 'Campagne 2026', orgName: 'Région Nord', deadline: '2026-06-30', count: 4, median: 57.5 },
    ]);
    assert.deepEqual(o.regions, []);
    assertNoneOf(res.body, [world.orgs.clinic, extra.chSud, 'Clinique Sud', 'CH Sud', 'Région Sud', fx.southCampaign], 'the north’s observatory');
    // Never the sub-objective's score, never answers.
    assert.ok(!res.body.includes(fw.s1) && !res.body.includes('12.3'));
  });

  test('restricted to a campaign; a GHT coordinator within his GHT; the south sees nothing of the north', async () => {
    const region = await as('coordRegion');
    const c1 = (await region.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}&campaignId=${fx.c1}`))).json();
    assert.deepEqual(c1.campaign, { id: fx.c1, title: 'Campagne 2025' });
    assert.deepEqual(c1.establishments, { total: 6, withResult: 2 });
    assert.deepEqual(c1.overall, stats(2, 35, 32.5, 35, 37.5));

    const ght = await as('coordGht');
    const res = await ght.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.ght}`));
    assert.equal(res.statusCode, 200, res.body);
    const o = res.json();
    assert.deepEqual(o.scope, { kind: 'ght', orgId: world.orgs.ght, name: 'GHT Nord' });
    assert.deepEqual(o.establishments, { total: 2, withResult: 2 });
    assert.deepEqual(o.overall, stats(2, 57.5, 56.3, 57.5, 58.8));
    assertNoneOf(res.body, [extra.chLille, extra.chArras, extra.chuNord, 'CH Lille', 'CHU Nord'], 'the GHT’s observatory');
    // The region's campaign, seen from the GHT: its establishments only.
    const inCampaign = (await ght.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.ght}&campaignId=${fx.c2}`))).json();
    assert.deepEqual(inCampaign.overall, stats(2, 57.5, 56.3, 57.5, 58.8));
    assertStatus(await ght.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}`)), 404, 'not_found', 'a GHT coordinator on the region');
    const named = await ght.get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.ght}`));
    assert.deepEqual(
      named.json().establishments.map((e: { name: string }) => e.name),
      ['CH Nord', 'EHPAD Nord'],
    );

    const south = await as('foreignCoord');
    for (const url of [`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.south}`, `/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.south}`, `/observatory/export.csv?frameworkId=${fw.id}&orgId=${world.orgs.south}`]) {
      const r = await south.get(api(url));
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
      assertNoneOf(r.body, [...northMarkers(), fx.c1, fx.c2, 'Campagne 2025'], `the south’s ${url}`);
    }
    const southView = (await south.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.south}`))).json();
    assert.deepEqual(southView.overall, stats(2, 50, 30, 50, 70));
    assert.deepEqual(
      southView.evolution.map((e: { title: string }) => e.title),
      ['Campagne Sud'],
    );
    assertStatus(await south.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}`)), 404, 'not_found', 'the south on the north');
    assertStatus(await south.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.south}&campaignId=${fx.c1}`)), 404, 'not_found', 'a north campaign from the south');
    assertStatus(await region.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}&campaignId=${fx.southCampaign}`)), 404, 'not_found', 'a south campaign from the north');
  });

  test('who may read the observatory, and bad queries', async () => {
    const region = await as('coordRegion');
    assertStatus(await (await as('rssi')).get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`)), 403, 'forbidden', 'an RSSI');
    assertStatus(await (await as('rssi')).get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}`)), 404, 'not_found', 'an RSSI on the region');
    assertStatus(await (await as('direction')).get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`)), 403, 'forbidden', 'the direction');
    assertStatus(await (await as('agent')).get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}`)), 404, 'not_found', 'an agent');
    assertStatus(await region.get(api(`/observatory?frameworkId=${fw.id}`)), 403, 'forbidden', 'the whole country is for administrators');
    assertStatus(await (await as('admin')).get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}`)), 403, 'forbidden', 'an administrator reads the national view');
    assertInvalid(await region.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`)), 'orgId', /région ou un GHT/);
    assertInvalid(await region.get(api('/observatory?orgId=nord')), 'orgId');
    assertInvalid(await region.get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}&campaignId=x`)), 'campaignId');
    assertInvalid(await region.get(api(`/observatory?orgId=${world.orgs.north}&frameworkId=${randomUUID()}`)), 'frameworkId', /n’existe pas/);
    assertInvalid(await region.get(api(`/observatory?orgId=${world.orgs.north}&frameworkId=${campaignFw.id}&campaignId=${fx.c1}`)), 'campaignId', /autre référentiel/);
    assertInvalid(await region.get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.north}&page=0`)), 'page');
    assertInvalid(await region.get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.north}&pageSize=1000`)), 'pageSize');
    assertInvalid(await region.get(api(`/observatory/export.csv?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`)), 'orgId');
    // By default, Hygie's référentiel (installed from content/), where nobody has a result yet.
    const [referentiel] = await db().select({ id: frameworks.id, name: frameworks.name }).from(frameworks).where(eq(frameworks.kind, 'referentiel'));
    assert.ok(referentiel, 'the référentiel is installed');
    const byDefault = await region.get(api(`/observatory?orgId=${world.orgs.north}`));
    assert.equal(byDefault.statusCode, 200, byDefault.body);
    assert.deepEqual(byDefault.json().framework, referentiel);
    assert.equal(byDefault.json().objectives.length, 6, 'its six objectives');
    assert.deepEqual(byDefault.json().establishments, { total: 6, withResult: 0 });
    assert.deepEqual(byDefault.json().overall, stats(0, null, null, null, null));
    // The campaign's framework when a campaign is given.
    assert.deepEqual((await region.get(api(`/observatory?orgId=${world.orgs.north}&campaignId=${fx.c1}`))).json().framework, { id: fw.id, name: fw.name });
    // Another framework on demand.
    const other = (await region.get(api(`/observatory?orgId=${world.orgs.north}&frameworkId=${campaignFw.id}`))).json();
    assert.deepEqual(other.framework, { id: campaignFw.id, name: campaignFw.name });
    assert.ok(other.establishments.withResult > 0, 'the campaigns’ framework has its own results');
  });

  test('named results per establishment, a page at a time, and the CSV export', async () => {
    const region = await as('coordRegion');
    const res = await region.get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.north}`));
    assert.equal(res.statusCode, 200, res.body);
    const list = res.json();
    assert.equal(list.total, 5);
    assert.deepEqual(list.objectives, [
      { nodeId: fw.o1, refId: 'O1', name: 'Gouvernance' },
      { nodeId: fw.o2, refId: 'O2', name: 'Gestion des incidents' },
    ]);
    assert.deepEqual(
      list.establishments.map((e: { name: string; score: number }) => [e.name, e.score]),
      [
        ['CH Arras', 20],
        ['CH Lille', 80.5],
        ['CH Nord', 60],
        ['CHU Nord', 100],
        ['EHPAD Nord', 55],
      ],
    );
    const hospital = list.establishments.find((e: { orgId: string }) => e.orgId === world.orgs.hospital);
    assert.deepEqual(hospital, {
      orgId: world.orgs.hospital,
      name: 'CH Nord',
      finess: '590000011',
      category: 'CH',
      regionName: 'Région Nord',
      assessmentId: fx.hospitalLatest,
      status: 'validated',
      submittedAt: '2026-06-01T10:00:00.000Z',
      score: 60,
      scores: [
        { nodeId: fw.o1, score: 50, answered: 3, total: 3 },
        { nodeId: fw.o2, score: 70, answered: 1, total: 1 },
      ],
    });
    assert.ok(!res.body.includes(fx.chuDraft) && !res.body.includes(fx.otherFw), 'drafts and other frameworks are left out');
    const page2 = (await region.get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.north}&page=2&pageSize=2`))).json();
    assert.equal(page2.total, 5);
    assert.deepEqual(
      page2.establishments.map((e: { name: string }) => e.name),
      ['CH Nord', 'CHU Nord'],
    );
    const beyond = (await region.get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.north}&page=9`))).json();
    assert.deepEqual([beyond.total, beyond.establishments], [5, []]);

    const exportsBefore = (await auditOf('assessment.observatory.exported')).length;
    const csv = await region.get(api(`/observatory/export.csv?frameworkId=${fw.id}&orgId=${world.orgs.north}`));
    assert.equal(csv.statusCode, 200, csv.body);
    assert.match(String(csv.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(csv.headers['content-disposition']), /attachment; filename="observatoire-region-nord\.csv"/);
    assert.ok(csv.body.startsWith('\uFEFF'), 'a BOM, for spreadsheets');
    const rows = parse(csv.body.slice(1), { delimiter: ';' }) as string[][];
    assert.deepEqual(rows[0], ['Établissement', 'FINESS', 'Catégorie', 'Région', 'Statut', 'Soumis le', 'Score global', 'O1 — Gouvernance', 'O2 — Gestion des incidents']);
    assert.equal(rows.length, 6);
    assert.deepEqual(
      rows.find((r) => r[0] === 'CH Lille'),
      ['CH Lille', '', 'CH', 'Région Nord', 'soumis', '02/06/2026', '80,5', '90', '70'],
    );
    assert.deepEqual(
      rows.find((r) => r[0] === 'EHPAD Nord'),
      ['EHPAD Nord', '590000029', 'EHPAD', 'Région Nord', 'soumis', '04/06/2026', '55', '55', ''],
    );
    assert.deepEqual(rows.find((r) => r[0] === 'CH Nord')?.[4], 'validé');
    assert.equal((await auditOf('assessment.observatory.exported')).length, exportsBefore + 1);
    assertNoneOf(csv.body, ['Clinique Sud', 'CH Sud'], 'the north’s export');

    const ghtCsv = await (await as('coordGht')).get(api(`/observatory/export.csv?frameworkId=${fw.id}&orgId=${world.orgs.ght}`));
    assert.deepEqual(
      (parse(ghtCsv.body.slice(1), { delimiter: ';' }) as string[][]).slice(1).map((r) => r[0]),
      ['CH Nord', 'EHPAD Nord'],
    );
  });

  test('the national view is for administrators: every region, one line per region', async () => {
    const res = await (await as('admin')).get(api(`/observatory?frameworkId=${fw.id}`));
    assert.equal(res.statusCode, 200, res.body);
    const o = res.json();
    assert.deepEqual(o.scope, { kind: 'national', orgId: null, name: 'France entière' });
    assert.deepEqual(o.establishments, { total: 8, withResult: 7 });
    // 10, 20, 55, 60, 80.5, 90, 100
    assert.deepEqual(o.overall, stats(7, 59.4, 37.5, 60, 85.3));
    assert.deepEqual(o.regions, [
      { orgId: world.orgs.north, name: 'Région Nord', count: 5, median: 60 },
      { orgId: world.orgs.south, name: 'Région Sud', count: 2, median: 50 },
    ]);
    assert.deepEqual(
      o.evolution.map((e: { title: string }) => e.title),
      ['Campagne 2025', 'Campagne Sud', 'Campagne 2026'],
    );
    const all = (await (await as('admin')).get(api(`/observatory/establishments?frameworkId=${fw.id}&pageSize=200`))).json();
    assert.equal(all.total, 7);
    assert.deepEqual(all.establishments.find((e: { name: string }) => e.name === 'Clinique Sud').regionName, 'Région Sud');
    const csv = await (await as('admin')).get(api(`/observatory/export.csv?frameworkId=${fw.id}`));
    assert.match(String(csv.headers['content-disposition']), /observatoire-france-entiere\.csv/);
    assert.equal((parse(csv.body.slice(1), { delimiter: ';' }) as string[][]).length, 8);
  });

  test('benchmark: an establishment’s own scores beside anonymous medians, never another establishment’s name or id', async () => {
    const res = await (await as('rssi')).get(api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`));
    assert.equal(res.statusCode, 200, res.body);
    const b = res.json();
    assert.deepEqual(b.org, { id: world.orgs.hospital, name: 'CH Nord', category: 'CH' });
    assert.equal(b.regionName, 'Région Nord');
    assert.deepEqual(b.assessment, { id: fx.hospitalLatest, status: 'validated', submittedAt: '2026-06-01T10:00:00.000Z' });
    assert.equal(b.minimumGroup, 3);
    const anon = (median: number | null, count: number) => ({ median, count, suppressed: count < 3 });
    // CH of the north: 60, 80.5, 20 — the whole north: 20, 55, 60, 80.5, 100.
    assert.deepEqual(b.overall, { own: 60, category: anon(60, 3), region: anon(60, 5) });
    assert.deepEqual(b.objectives, [
      { nodeId: fw.o1, refId: 'O1', name: 'Gouvernance', own: 50, category: anon(50, 3), region: anon(55, 5) },
      { nodeId: fw.o2, refId: 'O2', name: 'Gestion des incidents', own: 70, category: anon(70, 3), region: anon(70, 4) },
    ]);
    // Nothing that names or points at another establishment, or its assessment.
    const others = [world.orgs.ehpad, world.orgs.clinic, ...Object.values(extra), 'EHPAD Nord', 'CH Lille', 'CH Arras', 'CHU Nord', 'CH Douai', 'Clinique Sud', 'CH Sud', fx.lilleLatest, fx.chuDraft, '590000029'];
    assertNoneOf(res.body, others, 'the benchmark');
    // The same for everyone entitled to it.
    for (const who of ['direction', 'coordGht', 'coordRegion'] as const) {
      const r = await (await as(who)).get(api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`));
      assert.equal(r.statusCode, 200, `${who}: ${r.body}`);
      assert.deepEqual(r.json(), b, who);
    }
  });

  test('benchmark: a median over fewer than 3 establishments is withheld, with a flag', async () => {
    // The only EHPAD of its region: its category median would be its own score.
    const ehpad = await (await as('ehpadRssi')).get(api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${world.orgs.ehpad}`));
    assert.equal(ehpad.statusCode, 200, ehpad.body);
    const e = ehpad.json();
    assert.deepEqual(e.overall, { own: 55, category: { median: null, count: 1, suppressed: true }, region: { median: 60, count: 5, suppressed: false } });
    assert.deepEqual(e.objectives[1], { nodeId: fw.o2, refId: 'O2', name: 'Gestion des incidents', own: null, category: { median: null, count: 0, suppressed: true }, region: { median: 70, count: 4, suppressed: false } });
    assertNoneOf(ehpad.body, [world.orgs.hospital, 'CH Nord', fx.hospitalLatest], 'the EHPAD’s benchmark');
    // Two establishments in the south: the region's median would reveal the other one's score.
    const clinic = (await (await as('foreignRssi')).get(api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${world.orgs.clinic}`))).json();
    assert.deepEqual(clinic.overall, { own: 90, category: { median: null, count: 1, suppressed: true }, region: { median: null, count: 2, suppressed: true } });
    assert.ok(!JSON.stringify(clinic).includes('CH Sud') && !JSON.stringify(clinic).includes(extra.chSud));
    // No result yet: the medians of the others, nothing of its own.
    const douai = await (await as('coordRegion')).get(api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${extra.chDouai}`));
    assert.equal(douai.statusCode, 200, douai.body);
    assert.equal(douai.json().assessment, null);
    assert.deepEqual(douai.json().overall, { own: null, category: { median: 60, count: 3, suppressed: false }, region: { median: 60, count: 5, suppressed: false } });
  });

  test('benchmark: who may ask, and bad queries', async () => {
    const url = api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`);
    assertStatus(await (await as('agent')).get(url), 404, 'not_found', 'an agent');
    assertStatus(await (await as('referent')).get(url), 404, 'not_found', 'a referent');
    assertStatus(await (await as('ehpadRssi')).get(url), 404, 'not_found', 'another establishment’s RSSI');
    assertStatus(await (await as('foreignRssi')).get(url), 404, 'not_found', 'the south’s RSSI');
    assertStatus(await (await as('foreignCoord')).get(url), 404, 'not_found', 'the south’s coordinator');
    assertStatus(await (await as('admin')).get(url), 403, 'forbidden', 'an administrator');
    assertInvalid(await (await as('coordRegion')).get(api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${world.orgs.north}`)), 'orgId', /pour un établissement/);
    assertInvalid(await (await as('rssi')).get(api('/observatory/benchmark')), 'orgId');
    assertInvalid(await (await as('rssi')).get(api('/observatory/benchmark?orgId=x')), 'orgId');
    assertInvalid(await (await as('rssi')).get(api(`/observatory/benchmark?orgId=${world.orgs.hospital}&frameworkId=${randomUUID()}`)), 'frameworkId');
  });

  test('the observatory reads no answers: the audit chain holds, and nothing was written by reading', async () => {
    const before = await counts();
    await (await as('coordRegion')).get(api(`/observatory?frameworkId=${fw.id}&orgId=${world.orgs.north}`));
    await (await as('coordRegion')).get(api(`/observatory/establishments?frameworkId=${fw.id}&orgId=${world.orgs.north}`));
    await (await as('rssi')).get(api(`/observatory/benchmark?frameworkId=${fw.id}&orgId=${world.orgs.hospital}`));
    assert.deepEqual(await counts(), before);
    assert.equal(await count('assessment_answers'), 0, 'the fixtures hold scores only: the figures above came from them');
    assert.equal((await verifyAuditChain(db())).valid, true);
  });
});
