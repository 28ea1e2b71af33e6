import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, count, eq, inArray } from 'drizzle-orm';
import { Client, createTestApp, TEST_ORIGIN, type TestApp } from '../../../../test/support/app';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { mails } from '../../platform/mail/schema';
import { notifications } from '../../platform/notifications/schema';
import { organisations } from '../../platform/tenancy/schema';
import { alertRecipients, alerts } from './schema';

let t: TestApp;
let world: World;
/** An archived establishment of the north region: it no longer receives alerts. */
let archivedId: string;
const clients = {} as Record<WorldUser, Client>;
const ROLES: WorldUser[] = ['agent', 'rssi', 'direction', 'coordGht', 'coordRegion', 'ehpadRssi', 'foreignRssi', 'foreignCoord', 'admin'];

before(async () => {
  // No SMTP: mails are kept in the database, where the test reads them.
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  t.clock.set(new Date('2026-03-02T08:00:00Z'));
  world = await seedWorld(t.platform.db);
  const [archived] = await t.platform.db
    .insert(organisations)
    .values({ kind: 'establishment', name: 'Ancien hôpital', parentId: world.orgs.north, ancestors: [world.orgs.north], archivedAt: new Date('2025-01-01T00:00:00Z') })
    .returning({ id: organisations.id });
  archivedId = archived.id;
  for (const role of ROLES) clients[role] = await signIn(t, world.users[role].email);
});
after(async () => {
  await t?.close();
});

function alertBody(overrides: Record<string, unknown> = {}) {
  return {
    regionId: world.orgs.north,
    title: 'Campagne de rançongiciel visant les laboratoires',
    severity: 'critical',
    summary: 'Plusieurs laboratoires de la région ont été chiffrés cette semaine.',
    whatToCheck: 'Vérifiez les connexions VPN du prestataire de laboratoire.',
    whatToDo: 'Coupez les accès distants du prestataire et changez ses mots de passe.',
    products: ['LaboSoft 4.2'],
    establishmentIds: null,
    ...overrides,
  };
}

async function publish(overrides: Record<string, unknown> = {}) {
  const res = await clients.coordRegion.post('/api/v1/alerts', alertBody(overrides));
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { alert: { id: string; recipientCount: number; acknowledgedCount: number }; recipients: { orgId: string; orgName: string; acknowledgedAt: string | null; acknowledgedByName: string | null }[] };
}

async function counts() {
  const db = t.platform.db;
  const [[a], [r], [n], [m], [au]] = await Promise.all([
    db.select({ n: count() }).from(alerts),
    db.select({ n: count() }).from(alertRecipients),
    db.select({ n: count() }).from(notifications),
    db.select({ n: count() }).from(mails),
    db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'incident.alert.published')),
  ]);
  return { alerts: a.n, recipients: r.n, notifications: n.n, mails: m.n, audit: au.n };
}

test('a region publishes an alert to all its establishments: in-app and e-mail for their security people, audited', async () => {
  const [{ n: mailsBefore }] = await t.platform.db.select({ n: count() }).from(mails);
  const detail = await publish();
  const id = detail.alert.id;
  // Every non-archived establishment of the region, nothing of the other region.
  assert.deepEqual(detail.recipients.map((r) => r.orgId).sort(), [world.orgs.hospital, world.orgs.ehpad].sort());
  assert.equal(detail.alert.recipientCount, 2);
  assert.equal(detail.alert.acknowledgedCount, 0);
  assert.ok(detail.recipients.every((r) => r.acknowledgedAt === null));

  const told = await t.platform.db.select().from(notifications).where(eq(notifications.link, `/alertes/${id}`));
  const byUser = new Map(told.map((n) => [n.userId, n]));
  const expected: WorldUser[] = ['rssi', 'direction', 'ehpadRssi', 'coordGht'];
  assert.deepEqual([...byUser.keys()].sort(), expected.map((u) => world.users[u].id).sort());
  assert.equal(told.length, expected.length, 'one notification per person');
  for (const n of told) {
    assert.equal(n.kind, 'incident.alert');
    assert.match(n.title, /critique/i);
    assert.match(n.title, /Campagne de rançongiciel/);
  }

  const mailsOut = await t.platform.db.select().from(mails).where(inArray(mails.to, expected.map((u) => world.users[u].email)));
  const [{ n: mailsAfter }] = await t.platform.db.select({ n: count() }).from(mails);
  assert.equal(mailsAfter - mailsBefore, expected.length, 'one e-mail per person');
  assert.deepEqual(mailsOut.map((m) => m.to).sort(), expected.map((u) => world.users[u].email).sort());
  for (const m of mailsOut) {
    assert.match(m.subject, /critique/i);
    assert.equal(m.status, 'kept');
    assert.ok(m.text);
    assert.match(m.text, /Ce qu’il faut vérifier :\nVérifiez les connexions VPN/);
    assert.match(m.text, /Ce qu’il faut faire :\nCoupez les accès distants/);
    assert.match(m.text, /LaboSoft 4\.2/);
    assert.ok(m.text.includes(`${TEST_ORIGIN}/alertes/${id}`));
  }

  const [entry] = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'incident.alert.published'), eq(auditLog.targetId, id)));
  assert.equal(entry.actorId, world.users.coordRegion.id);
  assert.equal(entry.orgId, world.orgs.north);
  assert.equal(entry.details.recipients, 2);
});

test('an alert to chosen establishments reaches them only; an establishment left out sees nothing of it', async () => {
  const detail = await publish({ title: 'Hameçonnage ciblant la direction', severity: 'high', establishmentIds: [world.orgs.hospital, world.orgs.hospital] });
  const id = detail.alert.id;
  assert.deepEqual(detail.recipients.map((r) => r.orgId), [world.orgs.hospital]);
  const told = await t.platform.db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.link, `/alertes/${id}`));
  assert.deepEqual(told.map((n) => n.userId).sort(), [world.users.rssi.id, world.users.direction.id, world.users.coordGht.id].sort());

  // The EHPAD was not chosen: not found, not in its list, cannot acknowledge.
  assert.equal((await clients.ehpadRssi.get(`/api/v1/alerts/${id}`)).statusCode, 404);
  const list = await clients.ehpadRssi.get(`/api/v1/alerts?orgId=${world.orgs.ehpad}`);
  assert.equal(list.statusCode, 200);
  assert.ok(!list.json().received.some((a: { id: string }) => a.id === id));
  const ack = await clients.ehpadRssi.post(`/api/v1/alerts/${id}/acknowledge`, { orgId: world.orgs.ehpad });
  assert.equal(ack.statusCode, 404);
  assert.equal(ack.json().error.code, 'not_found');
});

test('bad input is refused with a French message and nothing is written', async () => {
  const before = await counts();
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ title: 'Abc' }, 'title', /titre/i],
    [{ summary: '' }, 'summary', /Résumez/],
    [{ severity: 'apocalyptic' }, 'severity', /gravité/],
    [{ regionId: 'pas-un-id' }, 'regionId', /région/],
    [{ establishmentIds: [] }, 'establishmentIds', /au moins un établissement/],
    [{ establishmentIds: ['pas-un-id'] }, 'establishmentIds.0', /Établissement invalide/],
    [{ products: [''] }, 'products.0', /Produit|vide/],
    // Ids the region does not own, or that are not establishments, or archived.
    [{ establishmentIds: [world.orgs.hospital, world.orgs.clinic] }, 'establishmentIds', /établissements de votre région/],
    [{ establishmentIds: [world.orgs.site] }, 'establishmentIds', /établissements de votre région/],
    [{ establishmentIds: [world.orgs.ght] }, 'establishmentIds', /établissements de votre région/],
    [{ establishmentIds: [archivedId] }, 'establishmentIds', /archivés/],
    [{ establishmentIds: ['00000000-0000-4000-8000-000000000000'] }, 'establishmentIds', /établissements de votre région/],
    // Published in the name of something that is not a region.
    [{ regionId: world.orgs.ght }, 'regionId', /au nom d’une région/],
  ];
  for (const [overrides, path, message] of cases) {
    const res = await clients.coordRegion.post('/api/v1/alerts', alertBody(overrides));
    assert.equal(res.statusCode, 400, `${JSON.stringify(overrides)}: ${res.body}`);
    const error = res.json().error;
    assert.equal(error.code, 'validation');
    assert.ok(
      error.fields.some((f: { path: string; message: string }) => f.path === path && message.test(f.message)),
      `${JSON.stringify(overrides)}: ${JSON.stringify(error.fields)}`,
    );
  }
  const empty = await clients.coordRegion.post('/api/v1/alerts', {});
  assert.equal(empty.statusCode, 400);
  assert.deepEqual(await counts(), before);
});

test('only the region’s coordinator publishes: inside the region 403, from the other region 404', async () => {
  const before = await counts();
  for (const role of ['agent', 'rssi', 'direction', 'coordGht', 'ehpadRssi'] as const) {
    const res = await clients[role].post('/api/v1/alerts', alertBody());
    assert.equal(res.statusCode, 403, `${role}: ${res.body}`);
  }
  for (const role of ['foreignCoord', 'foreignRssi'] as const) {
    const res = await clients[role].post('/api/v1/alerts', alertBody());
    assert.equal(res.statusCode, 404, `${role}: ${res.body}`);
  }
  // The south's coordinator cannot publish to north's establishments through his own region either.
  const mixed = await clients.foreignCoord.post('/api/v1/alerts', alertBody({ regionId: world.orgs.south, establishmentIds: [world.orgs.hospital] }));
  assert.equal(mixed.statusCode, 400);
  assert.deepEqual(await counts(), before);
  const denied = await t.platform.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'access.denied'));
  assert.ok(denied[0].n >= 5, 'refusals are audited');
});

test('the region sees who has not acknowledged; an establishment sees only its own rows; a second acknowledgement keeps the first', async () => {
  const detail = await publish({ title: 'Faille critique du pare-feu', severity: 'high' });
  const id = detail.alert.id;

  const ack = await clients.rssi.post(`/api/v1/alerts/${id}/acknowledge`, { orgId: world.orgs.hospital });
  assert.equal(ack.statusCode, 200, ack.body);
  const acked = ack.json();
  assert.deepEqual(acked.recipients.map((r: { orgId: string }) => r.orgId), [world.orgs.hospital], 'the hospital sees its own row only');
  const first = acked.recipients[0];
  assert.ok(first.acknowledgedAt);
  assert.equal(first.acknowledgedByName, 'Test rssi');

  t.clock.advance(60_000);
  const again = await clients.direction.post(`/api/v1/alerts/${id}/acknowledge`, { orgId: world.orgs.hospital });
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().recipients[0].acknowledgedAt, first.acknowledgedAt);
  assert.equal(again.json().recipients[0].acknowledgedByName, 'Test rssi');
  const audited = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'incident.alert.acknowledged'), eq(auditLog.targetId, id)));
  assert.equal(audited.length, 1, 'acknowledged once, audited once');
  assert.equal(audited[0].orgId, world.orgs.hospital);

  // The region: every recipient, with who has not acknowledged.
  const region = await clients.coordRegion.get(`/api/v1/alerts/${id}`);
  assert.equal(region.statusCode, 200);
  const rows = new Map(region.json().recipients.map((r: { orgId: string; acknowledgedAt: string | null }) => [r.orgId, r.acknowledgedAt]));
  assert.equal(rows.size, 2);
  assert.equal(rows.get(world.orgs.hospital), first.acknowledgedAt);
  assert.equal(rows.get(world.orgs.ehpad), null);
  assert.equal(region.json().alert.acknowledgedCount, 1);

  // The GHT coordinator looks after both establishments.
  const ght = await clients.coordGht.get(`/api/v1/alerts/${id}`);
  assert.equal(ght.statusCode, 200);
  assert.equal(ght.json().recipients.length, 2);
  // The EHPAD sees its own row only, and the alert.
  const ehpad = await clients.ehpadRssi.get(`/api/v1/alerts/${id}`);
  assert.deepEqual(ehpad.json().recipients.map((r: { orgId: string }) => r.orgId), [world.orgs.ehpad]);
  assert.equal(ehpad.json().alert.title, 'Faille critique du pare-feu');

  // Nobody else: the other region, an agent, the platform administrator.
  for (const role of ['foreignCoord', 'foreignRssi', 'agent', 'admin'] as const) {
    assert.equal((await clients[role].get(`/api/v1/alerts/${id}`)).statusCode, 404, role);
  }
});

test('acknowledging: bad input 400, someone without the right 403, a foreign or non-recipient organisation 404', async () => {
  const { alert } = await publish({ title: 'Bulletin de sécurité mensuel', severity: 'info' });
  const id = alert.id;
  const url = `/api/v1/alerts/${id}/acknowledge`;
  assert.equal((await clients.rssi.post(url, {})).statusCode, 400);
  const badId = await clients.rssi.post(url, { orgId: 'nope' });
  assert.equal(badId.statusCode, 400);
  assert.match(badId.json().error.message, /établissement/);
  assert.equal((await clients.rssi.post('/api/v1/alerts/nope/acknowledge', { orgId: world.orgs.hospital })).statusCode, 400);
  assert.equal((await clients.rssi.post('/api/v1/alerts/00000000-0000-4000-8000-000000000000/acknowledge', { orgId: world.orgs.hospital })).statusCode, 404);
  // The agent of the hospital, and the region's coordinator, do not acknowledge for an establishment.
  assert.equal((await clients.agent.post(url, { orgId: world.orgs.service })).statusCode, 403);
  assert.equal((await clients.coordRegion.post(url, { orgId: world.orgs.hospital })).statusCode, 403);
  // Another establishment's id, a foreign one, a site that is not a recipient.
  assert.equal((await clients.rssi.post(url, { orgId: world.orgs.ehpad })).statusCode, 404);
  assert.equal((await clients.rssi.post(url, { orgId: world.orgs.clinic })).statusCode, 404);
  assert.equal((await clients.rssi.post(url, { orgId: world.orgs.site })).statusCode, 404);
  assert.equal((await clients.foreignRssi.post(url, { orgId: world.orgs.clinic })).statusCode, 404);
  const [row] = await t.platform.db.select({ n: count() }).from(alertRecipients).where(and(eq(alertRecipients.alertId, id), inArray(alertRecipients.orgId, [world.orgs.hospital, world.orgs.ehpad])));
  assert.equal(row.n, 2);
  const stillOpen = await t.platform.db.select().from(alertRecipients).where(eq(alertRecipients.alertId, id));
  assert.ok(stillOpen.every((r) => r.acknowledgedAt === null), 'nothing was acknowledged');
  // GET /alerts/:id with a malformed id.
  assert.equal((await clients.rssi.get('/api/v1/alerts/nope')).statusCode, 400);
});

test('lists: the region its sent alerts with counts, an establishment and a GHT what they received; the south never sees the north', async () => {
  const region = await clients.coordRegion.get(`/api/v1/alerts?orgId=${world.orgs.north}`);
  assert.equal(region.statusCode, 200);
  const sent = region.json().sent as { id: string; title: string; recipientCount: number; publishedAt: string }[];
  const all = await t.platform.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.regionId, world.orgs.north));
  assert.equal(sent.length, all.length);
  assert.ok(sent.length >= 4);
  assert.equal(sent.find((a) => a.title === 'Hameçonnage ciblant la direction')?.recipientCount, 1);
  assert.deepEqual(region.json().received, []);
  for (let i = 1; i < sent.length; i++) assert.ok(sent[i - 1].publishedAt >= sent[i].publishedAt, 'newest first');

  const hospital = await clients.rssi.get(`/api/v1/alerts?orgId=${world.orgs.hospital}`);
  assert.equal(hospital.statusCode, 200);
  const received = hospital.json().received as { id: string; orgId: string; acknowledgedAt: string | null; title: string }[];
  assert.equal(received.length, sent.length, 'the hospital received every alert');
  assert.ok(received.every((a) => a.orgId === world.orgs.hospital));
  assert.ok(received.find((a) => a.title === 'Faille critique du pare-feu')?.acknowledgedAt);

  const ehpad = await clients.ehpadRssi.get(`/api/v1/alerts?orgId=${world.orgs.ehpad}`);
  assert.equal(ehpad.json().received.length, sent.length - 1, 'all but the one to the hospital only');

  const ght = await clients.coordGht.get(`/api/v1/alerts?orgId=${world.orgs.ght}`);
  assert.equal(ght.statusCode, 200);
  assert.equal(ght.json().received.length, sent.length * 2 - 1, 'one row per alert and establishment');

  // The south: nothing of the north, and its own region has sent nothing.
  assert.equal((await clients.foreignCoord.get(`/api/v1/alerts?orgId=${world.orgs.north}`)).statusCode, 404);
  assert.equal((await clients.foreignRssi.get(`/api/v1/alerts?orgId=${world.orgs.hospital}`)).statusCode, 404);
  const south = await clients.foreignCoord.get(`/api/v1/alerts?orgId=${world.orgs.south}`);
  assert.deepEqual(south.json(), { sent: [], received: [] });
  const clinic = await clients.foreignRssi.get(`/api/v1/alerts?orgId=${world.orgs.clinic}`);
  assert.deepEqual(clinic.json().received, []);

  // No right, bad input.
  assert.equal((await clients.agent.get(`/api/v1/alerts?orgId=${world.orgs.service}`)).statusCode, 403);
  assert.equal((await clients.rssi.get(`/api/v1/alerts?orgId=${world.orgs.north}`)).statusCode, 404);
  const site = await clients.rssi.get(`/api/v1/alerts?orgId=${world.orgs.site}`);
  assert.equal(site.statusCode, 400);
  assert.match(site.json().error.message, /établissement, un GHT ou une région/);
  const bad = await clients.rssi.get('/api/v1/alerts?orgId=nope');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /Choisissez une organisation/);
  assert.equal((await clients.rssi.get('/api/v1/alerts')).statusCode, 400);
});
