import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { declareIncident } from '../../../../test/support/incidents';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { mails } from '../../platform/mail/schema';
import { notifications } from '../../platform/notifications/schema';
import { detections, incidents, timeline } from './schema';

let t: TestApp;
let world: World;
const as = {} as Record<WorldUser, Client>;

/** The declarations of the world: two in the hospital, one in the EHPAD (declared by the GHT's coordinator), one in the south, a draft. */
const fx = {} as { first: string; second: string; ehpad: string; clinic: string; draft: string };

before(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  // Monday 2 March 2026, 09:00 in Paris.
  t.clock.set(new Date('2026-03-02T08:00:00Z'));
  world = await seedWorld(t.platform.db);
  for (const u of ['rssi', 'direction', 'coordGht', 'coordRegion', 'admin', 'ehpadRssi', 'foreignRssi', 'foreignCoord', 'agent'] as WorldUser[]) {
    as[u] = await signIn(t, world.users[u].email);
  }
  fx.first = (await declareIncident(as.rssi, world.orgs.hospital, { title: 'Rançongiciel au laboratoire' })).incident.id;
  t.clock.advance(3_600_000);
  fx.ehpad = (await declareIncident(as.coordGht, world.orgs.ehpad, { title: 'Rançongiciel à l’EHPAD', supportRequested: false })).incident.id;
  t.clock.advance(3_600_000);
  fx.second = (await declareIncident(as.rssi, world.orgs.hospital, { title: 'Hameçonnage de la messagerie', type: 'phishing' })).incident.id;
  t.clock.advance(3_600_000);
  fx.clinic = (await declareIncident(as.foreignRssi, world.orgs.clinic, { title: 'Rançongiciel à la clinique' })).incident.id;
  const draft = await as.rssi.request('POST', '/api/v1/incidents', { orgId: world.orgs.hospital, content: { title: 'Brouillon' } }, { 'idempotency-key': randomUUID() });
  assert.equal(draft.statusCode, 201, draft.body);
  fx.draft = draft.json().incident.id;
});
after(async () => {
  await t?.close();
});

function assertError(res: LightMyRequestResponse, status: number, path?: string) {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json();
  assert.equal(typeof body.error.message, 'string');
  if (status === 400) {
    assert.match(body.error.message, /[a-zà-ÿ]/i);
    assert.doesNotMatch(body.error.message, /Invalid|Expected|required/, 'the message is in French');
    if (path) assert.ok(body.error.fields?.some((f: { path: string }) => f.path === path), `a field error on ${path}: ${res.body}`);
  }
}

const inbox = (client: Client, query: string) => client.get(`/api/v1/incidents/inbox?${query}`);
const follow = (client: Client, id: string, body: unknown) => client.put(`/api/v1/incidents/${id}/region`, body);

describe('the region’s inbox', () => {
  test('lists the declarations of the region, newest first, never drafts nor another region’s', async () => {
    const res = await inbox(as.coordRegion, `regionId=${world.orgs.north}`);
    assert.equal(res.statusCode, 200, res.body);
    const list = res.json().incidents as { id: string; orgName: string; status: string; regionStatus: string }[];
    assert.deepEqual(
      list.map((i) => i.id),
      [fx.second, fx.ehpad, fx.first],
    );
    assert.deepEqual(
      list.map((i) => i.orgName),
      ['CH Nord', 'EHPAD Nord', 'CH Nord'],
    );
    assert.ok(list.every((i) => i.status === 'declared' && i.regionStatus === 'new'));

    const south = await inbox(as.foreignCoord, `regionId=${world.orgs.south}`);
    assert.deepEqual(
      south.json().incidents.map((i: { id: string }) => i.id),
      [fx.clinic],
    );
  });

  test('comes a page at a time, with the total', async () => {
    const all = (await inbox(as.coordRegion, `regionId=${world.orgs.north}`)).json();
    assert.equal(all.total, 3);
    assert.equal(all.page, 1);
    assert.equal(all.pageSize, 100);
    const first = (await inbox(as.coordRegion, `regionId=${world.orgs.north}&pageSize=2`)).json();
    assert.deepEqual(
      first.incidents.map((i: { id: string }) => i.id),
      [fx.second, fx.ehpad],
    );
    assert.equal(first.total, 3);
    const second = (await inbox(as.coordRegion, `regionId=${world.orgs.north}&pageSize=2&page=2`)).json();
    assert.deepEqual(
      second.incidents.map((i: { id: string }) => i.id),
      [fx.first],
    );
    const beyond = (await inbox(as.coordRegion, `regionId=${world.orgs.north}&pageSize=2&page=3`)).json();
    assert.deepEqual(beyond.incidents, []);
    assert.equal(beyond.total, 3);
  });

  test('filters by the region’s follow-up status', async () => {
    const id = fx.second;
    assert.equal((await follow(as.coordRegion, id, { status: 'acknowledged' })).statusCode, 200);
    const acknowledged = await inbox(as.coordRegion, `regionId=${world.orgs.north}&status=acknowledged`);
    assert.deepEqual(
      acknowledged.json().incidents.map((i: { id: string }) => i.id),
      [id],
    );
    const fresh = await inbox(as.coordRegion, `regionId=${world.orgs.north}&status=new`);
    assert.deepEqual(
      fresh.json().incidents.map((i: { id: string }) => i.id),
      [fx.ehpad, fx.first],
    );
    const closedOnes = await inbox(as.coordRegion, `regionId=${world.orgs.north}&status=closed`);
    assert.deepEqual(closedOnes.json().incidents, []);
  });

  test('a closed incident stays in the inbox', async () => {
    const [row] = await t.platform.db.select({ status: incidents.status }).from(incidents).where(eq(incidents.id, fx.first));
    assert.equal(row.status, 'declared');
    const closed = await as.rssi.post(`/api/v1/incidents/${fx.first}/close`, { lessons: 'Sauvegardes hors ligne restaurées en deux jours.' });
    assert.equal(closed.statusCode, 200, closed.body);
    const res = await inbox(as.coordRegion, `regionId=${world.orgs.north}`);
    const found = res.json().incidents.find((i: { id: string }) => i.id === fx.first);
    assert.equal(found?.status, 'closed');
  });

  test('only the region’s coordinator, on a region', async () => {
    assertError(await inbox(as.coordGht, `regionId=${world.orgs.ght}`), 403);
    assertError(await inbox(as.coordGht, `regionId=${world.orgs.north}`), 404);
    assertError(await inbox(as.rssi, `regionId=${world.orgs.hospital}`), 403);
    assertError(await inbox(as.rssi, `regionId=${world.orgs.north}`), 404);
    assertError(await inbox(as.foreignCoord, `regionId=${world.orgs.north}`), 404);
    assertError(await inbox(as.admin, `regionId=${world.orgs.north}`), 403);
    assertError(await inbox(as.coordRegion, `regionId=${world.orgs.south}`), 404);
    assertError(await inbox(as.coordRegion, `regionId=${randomUUID()}`), 404);
    // The coordinator of the region is over the GHT, but the inbox is a region's.
    assertError(await inbox(as.coordRegion, `regionId=${world.orgs.ght}`), 400, 'regionId');
  });

  test('bad input is refused in French', async () => {
    assertError(await inbox(as.coordRegion, ''), 400, 'regionId');
    assertError(await inbox(as.coordRegion, 'regionId=north'), 400, 'regionId');
    assertError(await inbox(as.coordRegion, `regionId=${world.orgs.north}&status=lu`), 400, 'status');
    assertError(await inbox(as.coordRegion, `regionId=${world.orgs.north}&page=0`), 400, 'page');
    assertError(await inbox(as.coordRegion, `regionId=${world.orgs.north}&page=deux`), 400, 'page');
    assertError(await inbox(as.coordRegion, `regionId=${world.orgs.north}&pageSize=501`), 400, 'pageSize');
    assertError(await inbox(as.coordRegion, `regionId=${world.orgs.north}&pageSize=1.5`), 400, 'pageSize');
  });
});

describe('the region’s follow-up of a declaration', () => {
  test('acknowledging records who and when, writes the timeline, tells the establishment and is audited', async () => {
    const id = fx.ehpad;
    const acknowledgedAt = new Date(t.clock.now().getTime() + 60_000);
    t.clock.set(acknowledgedAt);
    const res = await follow(as.coordRegion, id, { status: 'acknowledged' });
    assert.equal(res.statusCode, 200, res.body);
    const detail = res.json();
    assert.equal(detail.incident.regionStatus, 'acknowledged');
    assert.equal(detail.regionAcknowledgedAt, acknowledgedAt.toISOString());
    assert.equal(detail.regionAcknowledgedByName, 'Test coordRegion');
    assert.equal(detail.regionNote, null);

    const entries = await t.platform.db.select().from(timeline).where(and(eq(timeline.incidentId, id), eq(timeline.kind, 'system'))).orderBy(asc(timeline.createdAt));
    const last = entries.at(-1)!;
    assert.match(last.body, /^Réception accusée par la région \(Test coordRegion, Région Nord\)\.$/);
    assert.equal(last.authorId, world.users.coordRegion.id);

    // The EHPAD's RSSI, and the GHT's coordinator who declared; nobody else.
    const told = await t.platform.db.select().from(notifications).where(and(eq(notifications.kind, 'incident.region'), eq(notifications.link, `/incidents/${id}`)));
    assert.deepEqual(told.map((n) => n.userId).sort(), [world.users.coordGht.id, world.users.ehpadRssi.id].sort());
    assert.ok(told.every((n) => n.title === 'Région Nord a accusé réception de l’incident ' + detail.incident.reference && n.orgId === world.orgs.ehpad));
    const sent = await t.platform.db.select().from(mails).where(inArray(mails.to, [world.users.coordGht.email, world.users.ehpadRssi.email]));
    const about = sent.filter((m) => m.subject.includes('a accusé réception'));
    assert.equal(about.length, 2);
    for (const m of about) {
      assert.match(m.text ?? '', new RegExp(`http://localhost:3000/incidents/${id}`));
      assert.match(m.text ?? '', /^Bonjour Test /);
    }

    const audit = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.targetId, id), eq(auditLog.action, 'incident.region.updated')));
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actorId, world.users.coordRegion.id);
    assert.deepEqual(audit[0].details, { from: 'new', to: 'acknowledged', note: 'unchanged' });
  });

  test('support then end of follow-up keep the first acknowledgement, carry the note, and a repeat writes nothing', async () => {
    const id = fx.ehpad;
    const before = (await as.coordRegion.get(`/api/v1/incidents/${id}`)).json();
    t.clock.advance(3_600_000);
    const res = await follow(as.coordRegion, id, { status: 'supporting', note: '  Un ingénieur du GRADeS arrive à 14 h.  ' });
    assert.equal(res.statusCode, 200, res.body);
    const detail = res.json();
    assert.equal(detail.incident.regionStatus, 'supporting');
    assert.equal(detail.regionAcknowledgedAt, before.regionAcknowledgedAt);
    assert.equal(detail.regionNote, 'Un ingénieur du GRADeS arrive à 14 h.');
    const entries = await t.platform.db.select().from(timeline).where(eq(timeline.incidentId, id)).orderBy(asc(timeline.createdAt));
    assert.equal(entries.at(-1)!.body, 'Appui de la région en cours (Test coordRegion, Région Nord) : Un ingénieur du GRADeS arrive à 14 h.');
    const mailsBefore = (await t.platform.db.select().from(mails)).length;
    const entriesBefore = entries.length;

    // The same again (a retry): nothing new.
    const again = await follow(as.coordRegion, id, { status: 'supporting', note: 'Un ingénieur du GRADeS arrive à 14 h.' });
    assert.equal(again.statusCode, 200);
    assert.equal((await t.platform.db.select().from(timeline).where(eq(timeline.incidentId, id))).length, entriesBefore);
    assert.equal((await t.platform.db.select().from(mails)).length, mailsBefore);

    // The establishment sees it in its own detail.
    const seen = await as.ehpadRssi.get(`/api/v1/incidents/${id}`);
    assert.equal(seen.json().incident.regionStatus, 'supporting');
    assert.equal(seen.json().regionNote, 'Un ingénieur du GRADeS arrive à 14 h.');

    const done = await follow(as.coordRegion, id, { status: 'closed' });
    assert.equal(done.json().incident.regionStatus, 'closed');
    assert.equal(done.json().regionNote, 'Un ingénieur du GRADeS arrive à 14 h.', 'a status alone keeps the note');
    const last = (await t.platform.db.select().from(timeline).where(eq(timeline.incidentId, id)).orderBy(asc(timeline.createdAt))).at(-1)!;
    assert.match(last.body, /^Suivi de la région terminé/);
  });

  test('an acknowledged declaration cannot become new again; nothing is written', async () => {
    const id = fx.ehpad;
    const count = (await t.platform.db.select().from(timeline).where(eq(timeline.incidentId, id))).length;
    const res = await follow(as.coordRegion, id, { status: 'new' });
    assertError(res, 400, 'status');
    const [row] = await t.platform.db.select({ s: incidents.regionStatus }).from(incidents).where(eq(incidents.id, id));
    assert.equal(row.s, 'closed');
    assert.equal((await t.platform.db.select().from(timeline).where(eq(timeline.incidentId, id))).length, count);
  });

  test('a note needs an acknowledgement first', async () => {
    const fresh = await declareIncident(as.rssi, world.orgs.hospital, { type: 'failure', title: 'Panne du réseau' });
    assertError(await follow(as.coordRegion, fresh.incident.id, { status: 'new', note: 'Bien reçu' }), 400, 'status');
    // 'new' with nothing else is a harmless no-op.
    const same = await follow(as.coordRegion, fresh.incident.id, { status: 'new' });
    assert.equal(same.statusCode, 200);
    assert.equal(same.json().regionAcknowledgedAt, null);
  });

  test('only the region’s coordinator of a declaration he may see', async () => {
    const body = { status: 'acknowledged' };
    assertError(await follow(as.rssi, fx.first, body), 403);
    assertError(await follow(as.direction, fx.first, body), 403);
    assertError(await follow(as.coordGht, fx.first, body), 403);
    assertError(await follow(as.foreignCoord, fx.first, body), 404);
    assertError(await follow(as.coordRegion, fx.clinic, body), 404);
    assertError(await follow(as.agent, fx.first, body), 404);
    // A draft is nobody's business but its authors'.
    assertError(await follow(as.coordRegion, fx.draft, body), 404);
    assertError(await follow(as.coordRegion, randomUUID(), body), 404);
    const [row] = await t.platform.db.select({ s: incidents.regionStatus }).from(incidents).where(eq(incidents.id, fx.clinic));
    assert.equal(row.s, 'new');
  });

  test('bad input is refused in French, nothing written', async () => {
    assertError(await follow(as.coordRegion, 'pas-un-id', { status: 'acknowledged' }), 400);
    assertError(await follow(as.coordRegion, fx.clinic, { status: 'vu' }), 400, 'status');
    assertError(await as.coordRegion.put(`/api/v1/incidents/${fx.first}/region`, {}), 400, 'status');
    assertError(await follow(as.coordRegion, fx.first, { status: 'acknowledged', note: 'x'.repeat(2001) }), 400, 'note');
    const [row] = await t.platform.db.select({ s: incidents.regionStatus }).from(incidents).where(eq(incidents.id, fx.first));
    assert.equal(row.s, 'new');
  });
});

describe('campaigns detected, as the region sees them', () => {
  test('lists the campaign with the establishments named, and closes it', async () => {
    const res = await as.coordRegion.get(`/api/v1/incidents/detections?regionId=${world.orgs.north}`);
    assert.equal(res.statusCode, 200, res.body);
    const list = res.json().detections;
    assert.equal(list.length, 1);
    const d = list[0];
    assert.equal(d.kind, 'type');
    assert.equal(d.value, 'ransomware');
    assert.equal(d.status, 'open');
    assert.deepEqual(
      d.incidents.map((i: { incidentId: string; orgName: string; title: string }) => [i.incidentId, i.orgName, i.title]),
      [
        [fx.first, 'CH Nord', 'Rançongiciel au laboratoire'],
        [fx.ehpad, 'EHPAD Nord', 'Rançongiciel à l’EHPAD'],
      ],
    );
    assert.ok(d.incidents.every((i: { reference: string; declaredAt: string }) => /^INC-2026-\d{3}$/.test(i.reference) && i.declaredAt));

    const closed = await as.coordRegion.post(`/api/v1/incidents/detections/${d.id}/close`);
    assert.equal(closed.statusCode, 200, closed.body);
    assert.equal(closed.json().status, 'closed');
    assert.equal(closed.json().incidents.length, 2);
    const again = await as.coordRegion.post(`/api/v1/incidents/detections/${d.id}/close`);
    assert.equal(again.statusCode, 200);
    const audit = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.targetId, d.id), eq(auditLog.action, 'incident.detection.closed')));
    assert.equal(audit.length, 1, 'closed once, audited once');
    assert.equal(audit[0].orgId, world.orgs.north);

    const open = await as.coordRegion.get(`/api/v1/incidents/detections?regionId=${world.orgs.north}&status=open`);
    assert.deepEqual(open.json().detections, []);
    const closedList = await as.coordRegion.get(`/api/v1/incidents/detections?regionId=${world.orgs.north}&status=closed`);
    assert.equal(closedList.json().detections.length, 1);
    // The south has its own, none.
    const south = await as.foreignCoord.get(`/api/v1/incidents/detections?regionId=${world.orgs.south}`);
    assert.deepEqual(south.json().detections, []);
  });

  test('access: only the region’s coordinator', async () => {
    const [d] = await t.platform.db.select().from(detections).where(eq(detections.regionId, world.orgs.north));
    await t.platform.db.update(detections).set({ status: 'open' }).where(eq(detections.id, d.id));
    const list = (c: Client, id: string) => c.get(`/api/v1/incidents/detections?regionId=${id}`);
    assertError(await list(as.coordGht, world.orgs.ght), 403);
    assertError(await list(as.coordGht, world.orgs.north), 404);
    assertError(await list(as.rssi, world.orgs.hospital), 403);
    assertError(await list(as.foreignCoord, world.orgs.north), 404);
    assertError(await list(as.admin, world.orgs.north), 403);
    const close = (c: Client) => c.post(`/api/v1/incidents/detections/${d.id}/close`);
    assertError(await close(as.foreignCoord), 404);
    assertError(await close(as.coordGht), 404);
    assertError(await close(as.rssi), 404);
    assertError(await close(as.admin), 403);
    const [row] = await t.platform.db.select({ status: detections.status }).from(detections).where(eq(detections.id, d.id));
    assert.equal(row.status, 'open', 'refused attempts change nothing');
  });

  test('bad input is refused in French', async () => {
    assertError(await as.coordRegion.get('/api/v1/incidents/detections'), 400, 'regionId');
    assertError(await as.coordRegion.get('/api/v1/incidents/detections?regionId=nord'), 400, 'regionId');
    assertError(await as.coordRegion.get(`/api/v1/incidents/detections?regionId=${world.orgs.north}&status=ouverte`), 400, 'status');
    assertError(await as.coordRegion.get(`/api/v1/incidents/detections?regionId=${world.orgs.ght}`), 400, 'regionId');
    assertError(await as.coordRegion.post('/api/v1/incidents/detections/nope/close'), 400);
    assertError(await as.coordRegion.post(`/api/v1/incidents/detections/${randomUUID()}/close`), 404);
  });
});

