import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { Client, createTestApp, type TestApp } from '../../../test/support/app';
import { organisations, users } from '../platform/tenancy/schema';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from './seed';

let t: TestApp;
before(async () => {
  t = await createTestApp({ env: { HYGIE_DEMO: 'on' } });
  assert.equal(await seedDemo(t.platform.db, t.clock.now()), true);
});
after(() => t.close());

const signIn = async (email: string) => {
  const c = new Client(t.app);
  const res = await c.post('/api/v1/auth/login', { email, password: DEMO_PASSWORD });
  assert.equal(res.statusCode, 200, `${email}: ${res.body}`);
  return c;
};

test('every demo account signs in with the documented password, without MFA in demo mode', async () => {
  for (const account of DEMO_ACCOUNTS) {
    const me = await (await signIn(account.email)).get('/api/v1/me');
    assert.equal(me.statusCode, 200, account.email);
    assert.equal(me.json().demo, true);
  }
  assert.equal(await seedDemo(t.platform.db), false, 'never seeds twice');
  assert.equal((await t.platform.db.select().from(users)).length, DEMO_ACCOUNTS.length);
});

test('the hospital has assessments at different stages, scores and a remediation plan with a late action', async () => {
  const rssi = await signIn('rssi@ch-demo.fr');
  const me = (await rssi.get('/api/v1/me')).json();
  const list = (await rssi.get(`/api/v1/assessments?orgId=${me.activeOrgId}`)).json().assessments as { status: string; score: number | null; campaignTitle: string | null; answeredCount: number; assessableCount: number }[];
  const running = list.find((a) => a.campaignTitle === 'Campagne régionale 2026');
  const previous = list.find((a) => a.campaignTitle === 'Campagne régionale 2025');
  assert.equal(running?.status, 'draft');
  assert.ok(running!.answeredCount > 0 && running!.answeredCount < running!.assessableCount, 'half-way');
  assert.equal(previous?.status, 'validated');
  assert.ok(previous!.score !== null && previous!.score > 0 && previous!.score < 100);

  const plan = (await rssi.get(`/api/v1/plan/actions?orgId=${me.activeOrgId}`)).json();
  assert.equal(plan.actions.length, 6);
  assert.ok(plan.actions.some((a: { late: boolean }) => a.late), 'one action is late');
  assert.ok(plan.progress > 0 && plan.progress < 100);
});

test('the GHT sees its four establishments in the running campaign: validated, submitted, started, not started', async () => {
  const coord = await signIn('coord@ght-demo.fr');
  const me = (await coord.get('/api/v1/me')).json();
  const list = (await coord.get(`/api/v1/assessments?orgId=${me.activeOrgId}`)).json().assessments as { status: string; campaignTitle: string | null; answeredCount: number }[];
  const running = list.filter((a) => a.campaignTitle === 'Campagne régionale 2026');
  assert.equal(running.length, 4);
  assert.deepEqual(running.map((a) => a.status).sort(), ['draft', 'draft', 'submitted', 'validated']);
  assert.ok(running.some((a) => a.status === 'draft' && a.answeredCount === 0), 'one not started');
});

test('the EHPAD has its express diagnostic', async () => {
  const rssi = await signIn('rssi@ehpad-demo.fr');
  const me = (await rssi.get('/api/v1/me')).json();
  const list = (await rssi.get(`/api/v1/assessments?orgId=${me.activeOrgId}`)).json().assessments as { frameworkName: string; status: string }[];
  assert.ok(list.some((a) => /express/i.test(a.frameworkName) && a.status === 'submitted'));
});

// --- incidents (capability 2) -----------------------------------------------------------------

const orgIdOf = async (name: string) => {
  const [row] = await t.platform.db.select({ id: organisations.id }).from(organisations).where(eq(organisations.name, name));
  return row.id;
};

test('the hospital is in the middle of a ransomware attack: declared, its clocks, its follow-up', async () => {
  const rssi = await signIn('rssi@ch-demo.fr');
  const ch = await orgIdOf('Centre hospitalier de Val-d’Argent');
  assert.equal((await rssi.get(`/api/v1/incidents/nis2?orgId=${ch}`)).json().category, 'essential');
  const list = (await rssi.get(`/api/v1/incidents?orgId=${ch}`)).json().incidents as { id: string; status: string; type: string; reference: string }[];
  const open = list.filter((i) => i.status === 'declared');
  assert.equal(open.length, 1);
  assert.equal(open[0].type, 'ransomware');
  assert.match(open[0].reference, /^INC-\d{4}-\d{3}$/);
  assert.ok(list.filter((i) => i.status === 'closed').length >= 4, 'a history of closed incidents');

  const detail = (await rssi.get(`/api/v1/incidents/${open[0].id}`)).json();
  const hoursAgo = (t.clock.now().getTime() - new Date(detail.content.discoveredAt).getTime()) / 3_600_000;
  assert.ok(hoursAgo > 18 && hoursAgo < 22, 'discovered about twenty hours ago');
  const status = Object.fromEntries((detail.obligations as { kind: string; status: string }[]).map((o) => [o.kind, o.status]));
  assert.deepEqual(status, { health_authorities: 'done', nis2_early_warning: 'done', cnil: 'pending', nis2_notification: 'pending', nis2_final_report: 'pending' });
  assert.equal(detail.incident.regionStatus, 'acknowledged');
  assert.equal(detail.incident.personalData, true);

  const history = (await rssi.get(`/api/v1/incidents/${open[0].id}/history`)).json().revisions as { version: number; changedFields: string[] }[];
  assert.deepEqual(
    history.map((r) => r.version),
    [4, 3, 2],
  );
  assert.ok(history[1].changedFields.includes('impacts.personalData'), 'the CNIL clock started when personal data were found');

  const followUp = (await rssi.get(`/api/v1/incidents/${open[0].id}/follow-up`)).json();
  assert.equal(followUp.tasks.length, 3);
  assert.ok(followUp.tasks.every((task: { ownerName: string | null }) => task.ownerName));
  assert.deepEqual(followUp.indicators.map((i: { type: string; tlp: string }) => `${i.type}:${i.tlp}`).sort(), ['domain:green', 'ipv4:amber', 'sha256:clear']);
  const kinds = new Set(followUp.timeline.map((e: { kind: string }) => e.kind));
  for (const kind of ['fact', 'decision', 'action', 'communication', 'system']) assert.ok(kinds.has(kind), `a ${kind} in the timeline`);
  assert.ok(followUp.timeline.some((e: { body: string }) => e.body === 'Incident déclaré par Karim Benali.'));

  const notes = (await rssi.get('/api/v1/notifications')).json();
  assert.ok(notes.notifications.some((n: { kind: string }) => n.kind === 'incident.deadline'), 'a close deadline');
  assert.ok(notes.unreadCount >= 2);
});

test('the region: its inbox, a campaign detected between the hospital and the psychiatric centre, its alert', async () => {
  const coord = await signIn('coord@region-demo.fr');
  const region = await orgIdOf('Région Hygie-Démo');
  const inbox = (await coord.get(`/api/v1/incidents/inbox?regionId=${region}`)).json().incidents as { orgName: string; status: string }[];
  assert.ok(inbox.length >= 14 && inbox.every((i) => i.status !== 'draft'));
  const detections = (await coord.get(`/api/v1/incidents/detections?regionId=${region}`)).json().detections as { value: string; incidents: { orgName: string }[] }[];
  assert.equal(detections.length, 1);
  assert.equal(detections[0].value, 'portail-rh-sante.example');
  assert.deepEqual(detections[0].incidents.map((i) => i.orgName).sort(), ['Centre hospitalier de Val-d’Argent', 'Centre psychothérapique des Coteaux']);

  const sent = (await coord.get(`/api/v1/alerts?orgId=${region}`)).json().sent as { id: string; recipientCount: number; acknowledgedCount: number }[];
  assert.equal(sent.length, 1);
  assert.deepEqual([sent[0].recipientCount, sent[0].acknowledgedCount], [4, 1]);

  const stats = (await coord.get(`/api/v1/incidents/stats?orgId=${region}`)).json();
  assert.ok(stats.total >= 14, `a year of incidents (${stats.total})`);
  assert.ok(stats.careImpact >= 3 && stats.malicious > stats.total / 2);
  assert.ok(stats.byType.length >= 8, 'a mix of types');
});

test('shared indicators: the EHPAD sees the domain, named only by the hospital that allowed it, and never the TLP:AMBER address', async () => {
  const ehpadRssi = await signIn('rssi@ehpad-demo.fr');
  const ehpad = await orgIdOf('EHPAD Les Tilleuls');
  const res = await ehpadRssi.get(`/api/v1/incidents/shared-indicators?orgId=${ehpad}`);
  const shared = res.json().indicators as { value: string; establishments: number; namedBy: string[] }[];
  const domain = shared.find((i) => i.value === 'portail-rh-sante.example');
  assert.deepEqual([domain?.establishments, domain?.namedBy], [2, ['Centre hospitalier de Val-d’Argent']]);
  assert.ok(!res.body.includes('203.0.113.45'));
  const alerts = (await ehpadRssi.get(`/api/v1/alerts?orgId=${ehpad}`)).json().received as { acknowledgedAt: string | null }[];
  assert.deepEqual(
    alerts.map((a) => a.acknowledgedAt),
    [null],
    'the EHPAD has not acknowledged the alert yet',
  );
});
