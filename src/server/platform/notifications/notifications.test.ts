import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, count, eq, isNull } from 'drizzle-orm';
import { Client, createTestApp, type TestApp } from '../../../../test/support/app';
import { seedWorld, signIn, type World } from '../../../../test/support/world';
import { notifications } from './schema';
import { NOTIFICATION_LIST_LIMIT } from './routes';

let t: TestApp;
let world: World;
let rssi: Client;
let direction: Client;

before(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  t.clock.set(new Date('2026-03-02T08:00:00Z'));
  world = await seedWorld(t.platform.db);
  rssi = await signIn(t, world.users.rssi.email);
  direction = await signIn(t, world.users.direction.email);
});
after(async () => {
  await t?.close();
});

/** Writes notifications as a module would, through the platform, one minute apart. */
async function notify(userId: string, n: number, prefix: string) {
  for (let i = 1; i <= n; i++) {
    t.clock.advance(60_000);
    await t.platform.db.transaction((tx) =>
      t.platform.notify(tx, [{ userId, orgId: world.orgs.hospital, kind: 'incident.alert', title: `${prefix} ${i}`, body: `Détail ${i}`, link: `/alertes/${prefix}-${i}` }]),
    );
  }
}

const unread = async (userId: string) => (await t.platform.db.select({ n: count() }).from(notifications).where(and(eq(notifications.userId, userId), isNull(notifications.readAt))))[0].n;

test('a person lists his own notifications, newest first, with the unread count', async () => {
  await notify(world.users.rssi.id, 3, 'Alerte');
  await notify(world.users.direction.id, 1, 'Pour la direction');
  const res = await rssi.get('/api/v1/notifications');
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.unreadCount, 3);
  assert.deepEqual(
    body.notifications.map((n: { title: string }) => n.title),
    ['Alerte 3', 'Alerte 2', 'Alerte 1'],
  );
  const [first] = body.notifications;
  assert.equal(first.kind, 'incident.alert');
  assert.equal(first.body, 'Détail 3');
  assert.equal(first.link, '/alertes/Alerte-3');
  assert.equal(first.orgName, 'CH Nord');
  assert.equal(first.readAt, null);
  assert.ok(!res.body.includes('Pour la direction'), 'nothing of someone else');
});

test(`at most ${NOTIFICATION_LIST_LIMIT} are listed; the count covers all of them`, async () => {
  await notify(world.users.direction.id, NOTIFICATION_LIST_LIMIT + 4, 'Rappel');
  const body = (await direction.get('/api/v1/notifications')).json();
  assert.equal(body.notifications.length, NOTIFICATION_LIST_LIMIT);
  assert.equal(body.notifications[0].title, `Rappel ${NOTIFICATION_LIST_LIMIT + 4}`);
  assert.equal(body.unreadCount, NOTIFICATION_LIST_LIMIT + 5);
});

test('marking one as read: one’s own only (someone else’s is not found), again keeps the first time', async () => {
  const [target] = (await rssi.get('/api/v1/notifications')).json().notifications;
  const res = await rssi.post(`/api/v1/notifications/${target.id}/read`);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { unreadCount: 2 });
  const [row] = await t.platform.db.select().from(notifications).where(eq(notifications.id, target.id));
  const readAt = row.readAt?.toISOString();
  assert.equal(readAt, t.clock.now().toISOString());

  t.clock.advance(60_000);
  assert.deepEqual((await rssi.post(`/api/v1/notifications/${target.id}/read`)).json(), { unreadCount: 2 });
  const [again] = await t.platform.db.select().from(notifications).where(eq(notifications.id, target.id));
  assert.equal(again.readAt?.toISOString(), readAt);

  // The direction cannot read or mark the RSSI's notification.
  const before = await unread(world.users.rssi.id);
  const [other] = await t.platform.db.select().from(notifications).where(and(eq(notifications.userId, world.users.rssi.id), isNull(notifications.readAt)));
  const foreign = await direction.post(`/api/v1/notifications/${other.id}/read`);
  assert.equal(foreign.statusCode, 404);
  assert.match(foreign.json().error.message, /n’existe pas ou ne vous est pas adressée/);
  assert.equal(await unread(world.users.rssi.id), before);

  const bad = await rssi.post('/api/v1/notifications/pas-un-id/read');
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().error.message, /Identifiant de notification invalide/);
  assert.equal((await rssi.post('/api/v1/notifications/00000000-0000-4000-8000-000000000000/read')).statusCode, 404);
});

test('marking all as read touches only one’s own', async () => {
  const directionUnread = await unread(world.users.direction.id);
  assert.ok(directionUnread > 0);
  const res = await rssi.post('/api/v1/notifications/read-all');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { unreadCount: 0 });
  assert.equal(await unread(world.users.rssi.id), 0);
  assert.equal(await unread(world.users.direction.id), directionUnread);
  const list = (await rssi.get('/api/v1/notifications')).json();
  assert.equal(list.unreadCount, 0);
  assert.ok(list.notifications.every((n: { readAt: string | null }) => n.readAt));
});

test('without a session: 401; a state change needs the CSRF token', async () => {
  const anonymous = new Client(t.app);
  assert.equal((await anonymous.get('/api/v1/notifications')).statusCode, 401);
  assert.equal((await anonymous.post('/api/v1/notifications/read-all')).statusCode, 401);
  const [row] = await t.platform.db.select().from(notifications).where(eq(notifications.userId, world.users.direction.id)).limit(1);
  assert.equal((await anonymous.post(`/api/v1/notifications/${row.id}/read`)).statusCode, 401);
  const forged = await direction.raw('POST', '/api/v1/notifications/read-all', {});
  assert.equal(forged.statusCode, 403);
  assert.ok((await unread(world.users.direction.id)) > 0, 'nothing was marked');
});
