import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, createTestApp, type TestApp } from '../../../test/support/app';
import { users } from '../platform/tenancy/schema';
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
