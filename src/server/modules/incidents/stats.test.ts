import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import type { DeclarationContent } from '../../../contracts/incidents';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { declareIncident } from '../../../../test/support/incidents';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { periodOf } from './stats';

let t: TestApp;
let world: World;

/**
 * Declarations placed in chosen months (the test clock is the declaration time), in order:
 *  A hospital 2025-01-10 10:00Z  phishing   malicious   2 h 30 after discovery
 *  B hospital 2025-03-31 22:30Z  ransomware malicious   2 h   — already 1 April in Paris (UTC+2); care, degraded, personal data
 *  C ehpad    2025-06-15 12:00Z  data_leak  accidental 24 h   — personal data
 *  D ehpad    2025-12-31 23:30Z  phishing   unknown    10 h   — already 1 January 2026 in Paris (UTC+1)
 *  E hospital 2026-03-10 09:00Z  ransomware malicious   6 h   — care; closed afterwards (still counted)
 *  F clinic   2026-03-11 09:00Z  ransomware malicious   (the south: never in the north's figures)
 *  a draft of the hospital (never counted). "Today" is then 15 March 2026.
 */
const PLAN: { key: string; at: string; who: WorldUser; org: 'hospital' | 'ehpad' | 'clinic'; content: Partial<DeclarationContent>; discoveredHoursBefore: number }[] = [
  { key: 'A', at: '2025-01-10T10:00:00Z', who: 'rssi', org: 'hospital', discoveredHoursBefore: 2.5, content: { type: 'phishing', origin: 'malicious', impacts: {} } },
  {
    key: 'B',
    at: '2025-03-31T22:30:00Z',
    who: 'rssi',
    org: 'hospital',
    discoveredHoursBefore: 2,
    content: { type: 'ransomware', origin: 'malicious', impacts: { careImpact: true, degradedMode: true, personalData: true } },
  },
  { key: 'C', at: '2025-06-15T12:00:00Z', who: 'ehpadRssi', org: 'ehpad', discoveredHoursBefore: 24, content: { type: 'data_leak', origin: 'accidental', impacts: { personalData: true } } },
  { key: 'D', at: '2025-12-31T23:30:00Z', who: 'ehpadRssi', org: 'ehpad', discoveredHoursBefore: 10, content: { type: 'phishing', origin: 'unknown', impacts: {} } },
  { key: 'E', at: '2026-03-10T09:00:00Z', who: 'rssi', org: 'hospital', discoveredHoursBefore: 6, content: { type: 'ransomware', origin: 'malicious', impacts: { careImpact: true } } },
  { key: 'F', at: '2026-03-11T09:00:00Z', who: 'foreignRssi', org: 'clinic', discoveredHoursBefore: 1, content: { type: 'ransomware', origin: 'malicious', impacts: {} } },
];
const TODAY = new Date('2026-03-15T10:00:00Z');
const as = {} as Record<WorldUser, Client>;

/** Signs in at the current time (the clock jumps months: sessions would have expired). */
async function signInAll(users: WorldUser[]) {
  for (const u of users) as[u] = await signIn(t, world.users[u].email);
}

before(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  t.clock.set(new Date('2025-01-01T08:00:00Z'));
  world = await seedWorld(t.platform.db);
  for (const step of PLAN) {
    const at = new Date(step.at);
    t.clock.set(new Date(at.getTime() - 120_000));
    await signInAll([step.who]);
    t.clock.set(at);
    const discoveredAt = new Date(at.getTime() - step.discoveredHoursBefore * 3_600_000).toISOString();
    await declareIncident(as[step.who], world.orgs[step.org], { ...step.content, discoveredAt, title: `Incident ${step.key}` });
    if (step.key === 'E') {
      t.clock.advance(3_600_000);
      const list = await as.rssi.get(`/api/v1/incidents?orgId=${world.orgs.hospital}`);
      const e = list.json().incidents.find((i: { title: string }) => i.title === 'Incident E');
      const closed = await as.rssi.post(`/api/v1/incidents/${e.id}/close`, { lessons: 'Segmentation du réseau du laboratoire à revoir.' });
      assert.equal(closed.statusCode, 200, closed.body);
      const draft = await as.rssi.request('POST', '/api/v1/incidents', { orgId: world.orgs.hospital, content: { title: 'Brouillon', type: 'ransomware' } }, { 'idempotency-key': randomUUID() });
      assert.equal(draft.statusCode, 201);
    }
  }
  t.clock.set(new Date(TODAY.getTime() - 600_000));
  await signInAll(['rssi', 'direction', 'coordGht', 'coordRegion', 'ehpadRssi', 'foreignRssi', 'foreignCoord', 'agent', 'admin']);
  t.clock.set(TODAY);
});
after(async () => {
  await t?.close();
});

const stats = (c: Client, query: string) => c.get(`/api/v1/incidents/stats?${query}`);

function assertError(res: LightMyRequestResponse, status: number, path?: string) {
  assert.equal(res.statusCode, status, res.body);
  if (status === 400) {
    const body = res.json();
    assert.doesNotMatch(body.error.message, /Invalid|Expected|required/, 'the message is in French');
    if (path) assert.ok(body.error.fields?.some((f: { path: string }) => f.path === path), `a field error on ${path}: ${res.body}`);
  }
}

/** Every month from `from` to `to` (AAAA-MM), with the counts given, zero elsewhere. */
function months(from: string, to: string, counts: Record<string, [number, number]>) {
  const out: { month: string; total: number; malicious: number }[] = [];
  let [y, m] = from.split('-').map(Number);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    const [total, malicious] = counts[month] ?? [0, 0];
    out.push({ month, total, malicious });
    if (month === to) return out;
    m += 1;
    if (m === 13) [y, m] = [y + 1, 1];
  }
}

describe('statistics of declared incidents', () => {
  test('a region, by default over the last twelve months in Paris time', async () => {
    const res = await stats(as.coordRegion, `orgId=${world.orgs.north}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      orgId: world.orgs.north,
      from: '2025-04-01',
      to: '2026-03-15',
      // B, C, D, E
      total: 4,
      malicious: 2,
      careImpact: 2,
      degradedMode: 1,
      personalData: 2,
      // hours 2, 24, 10, 6 → (6 + 10) / 2
      medianHoursToDeclare: 8,
      byMonth: months('2025-04', '2026-03', { '2025-04': [1, 1], '2025-06': [1, 0], '2026-01': [1, 0], '2026-03': [1, 1] }),
      byType: [
        { type: 'ransomware', count: 2 },
        { type: 'phishing', count: 1 },
        { type: 'data_leak', count: 1 },
      ],
      byOrigin: [
        { origin: 'malicious', count: 2 },
        { origin: 'accidental', count: 1 },
        { origin: 'unknown', count: 1 },
      ],
    });
  });

  test('the GHT sees the same subtree, an establishment its own', async () => {
    const ght = (await stats(as.coordGht, `orgId=${world.orgs.ght}`)).json();
    assert.equal(ght.total, 4);
    assert.equal(ght.medianHoursToDeclare, 8);
    const hospital = (await stats(as.rssi, `orgId=${world.orgs.hospital}`)).json();
    assert.equal(hospital.total, 2);
    assert.equal(hospital.malicious, 2);
    assert.equal(hospital.medianHoursToDeclare, 4);
    assert.deepEqual(hospital.byType, [{ type: 'ransomware', count: 2 }]);
    assert.deepEqual(
      hospital.byMonth.filter((m: { total: number }) => m.total).map((m: { month: string }) => m.month),
      ['2025-04', '2026-03'],
    );
    const ehpad = (await stats(as.ehpadRssi, `orgId=${world.orgs.ehpad}`)).json();
    assert.equal(ehpad.total, 2);
    assert.equal(ehpad.medianHoursToDeclare, 17);
    const south = (await stats(as.foreignCoord, `orgId=${world.orgs.south}`)).json();
    assert.equal(south.total, 1);
  });

  test('a chosen period: its bounds are whole days in Paris', async () => {
    // Up to 31 March: B was declared on 1 April in Paris, so only A.
    const q1 = (await stats(as.coordRegion, `orgId=${world.orgs.north}&from=2025-01-01&to=2025-03-31`)).json();
    assert.equal(q1.total, 1);
    assert.equal(q1.medianHoursToDeclare, 2.5);
    assert.deepEqual(q1.byMonth, months('2025-01', '2025-03', { '2025-01': [1, 1] }));
    const april1 = (await stats(as.coordRegion, `orgId=${world.orgs.north}&from=2025-04-01&to=2025-04-01`)).json();
    assert.equal(april1.total, 1);
    assert.deepEqual(april1.byMonth, [{ month: '2025-04', total: 1, malicious: 1 }]);
    // Only `to`: the twelve months ending with its month; D fell in 2026 in Paris.
    const year2025 = (await stats(as.coordRegion, `orgId=${world.orgs.north}&to=2025-12-31`)).json();
    assert.equal(year2025.from, '2025-01-01');
    assert.equal(year2025.total, 3);
    assert.equal(year2025.byMonth.length, 12);
    // Nothing declared: zeros, no median.
    const empty = (await stats(as.coordRegion, `orgId=${world.orgs.north}&from=2024-01-01&to=2024-06-30`)).json();
    assert.equal(empty.total, 0);
    assert.equal(empty.medianHoursToDeclare, null);
    assert.deepEqual(empty.byMonth, months('2024-01', '2024-06', {}));
    assert.deepEqual(empty.byType, []);
    assert.deepEqual(
      empty.byOrigin.map((o: { count: number }) => o.count),
      [0, 0, 0],
    );
    // Five years exactly is allowed.
    const five = await stats(as.coordRegion, `orgId=${world.orgs.north}&from=2021-03-16&to=2026-03-15`);
    assert.equal(five.statusCode, 200, five.body);
    assert.equal(five.json().total, 5);
    assert.equal(five.json().byMonth.length, 61);
  });

  test('the period helper', () => {
    const now = new Date('2026-01-31T23:30:00Z'); // already 1 February in Paris
    assert.deepEqual(periodOf({}, now), { from: '2025-03-01', to: '2026-02-01' });
    assert.deepEqual(periodOf({ to: '2024-02-29' }, now), { from: '2023-03-01', to: '2024-02-29' });
    assert.deepEqual(periodOf({ from: '2025-12-01' }, now), { from: '2025-12-01', to: '2026-02-01' });
    assert.throws(() => periodOf({ from: '2026-03-01' }, now), /postérieure/);
    assert.throws(() => periodOf({ from: '2020-02-29', to: '2025-03-01' }, now), /5 ans/);
    assert.doesNotThrow(() => periodOf({ from: '2020-02-29', to: '2025-02-27' }, now));
  });

  test('access: the subtree of one’s own organisation, for the roles that read incidents', async () => {
    assertError(await stats(as.agent, `orgId=${world.orgs.service}`), 403);
    assertError(await stats(as.agent, `orgId=${world.orgs.hospital}`), 404);
    assertError(await stats(as.rssi, `orgId=${world.orgs.ght}`), 404);
    assertError(await stats(as.rssi, `orgId=${world.orgs.north}`), 404);
    assertError(await stats(as.ehpadRssi, `orgId=${world.orgs.hospital}`), 404);
    assertError(await stats(as.coordGht, `orgId=${world.orgs.north}`), 404);
    assertError(await stats(as.foreignCoord, `orgId=${world.orgs.north}`), 404);
    assertError(await stats(as.foreignRssi, `orgId=${world.orgs.hospital}`), 404);
    assertError(await stats(as.coordRegion, `orgId=${world.orgs.south}`), 404);
    assertError(await stats(as.admin, `orgId=${world.orgs.north}`), 403);
    assertError(await stats(as.coordRegion, `orgId=${randomUUID()}`), 404);
    assertError(await as.agent.get(`/api/v1/incidents/stats.csv?orgId=${world.orgs.service}`), 403);
    assertError(await as.foreignCoord.get(`/api/v1/incidents/stats.csv?orgId=${world.orgs.north}`), 404);
    const denied = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'incident.stats.exported'), eq(auditLog.actorId, world.users.foreignCoord.id)));
    assert.equal(denied.length, 0);
  });

  test('bad input is refused in French', async () => {
    const north = `orgId=${world.orgs.north}`;
    for (const url of ['/api/v1/incidents/stats', '/api/v1/incidents/stats.csv']) {
      const get = (q: string) => as.coordRegion.get(`${url}?${q}`);
      assertError(await get(''), 400, 'orgId');
      assertError(await get('orgId=nord'), 400, 'orgId');
      assertError(await get(`${north}&from=2026-13-01`), 400, 'from');
      assertError(await get(`${north}&from=2026-02-30`), 400, 'from');
      assertError(await get(`${north}&to=15/03/2026`), 400, 'to');
      assertError(await get(`${north}&from=2026-03-01&to=2026-02-01`), 400, 'to');
      assertError(await get(`${north}&from=2026-03-16`), 400, 'to');
      assertError(await get(`${north}&from=2020-01-01&to=2025-01-01`), 400, 'to');
      // A site is not a statistics perimeter.
      assertError(await as.rssi.get(`${url}?orgId=${world.orgs.site}`), 400, 'orgId');
    }
  });
});

describe('CSV export of the statistics', () => {
  test('a row per month, then types and origins, French headers, « ; », BOM, audited', async () => {
    const res = await as.coordRegion.get(`/api/v1/incidents/stats.csv?orgId=${world.orgs.north}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /^text\/csv; charset=utf-8/);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="incidents-region-nord-2025-04-01-au-2026-03-15.csv"');
    assert.equal(res.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf');
    const lines = res.body.replace(/^\uFEFF/, '').trim().split('\n');
    assert.deepEqual(lines.slice(0, 8), [
      'Incidents de sécurité déclarés;Région Nord',
      'Période;du 1 avril 2025 au 15 mars 2026',
      'Déclarations;4',
      'Dont d’origine malveillante;2',
      'Avec un impact sur la prise en charge des patients;2',
      'Avec un fonctionnement en mode dégradé;1',
      'Avec une violation de données personnelles;2',
      'Délai médian entre la découverte et la déclaration (heures);8',
    ]);
    const monthHeader = lines.indexOf('Mois;Déclarations;Dont d’origine malveillante');
    assert.ok(monthHeader > 0);
    const monthRows = lines.slice(monthHeader + 1, monthHeader + 13);
    assert.equal(monthRows[0], 'avril 2025;1;1');
    assert.equal(monthRows[1], 'mai 2025;0;0');
    assert.equal(monthRows[9], 'janvier 2026;1;0');
    assert.equal(monthRows[11], 'mars 2026;1;1');
    assert.equal(lines[monthHeader + 13], '');
    const typeHeader = lines.indexOf('Type d’incident;Déclarations');
    assert.deepEqual(lines.slice(typeHeader + 1, typeHeader + 4), ['Rançongiciel;2', 'Hameçonnage;1', 'Fuite de données;1']);
    const originHeader = lines.indexOf('Origine;Déclarations');
    assert.deepEqual(lines.slice(originHeader + 1), ['Malveillante;2', 'Accidentelle;1', 'Inconnue;1']);

    const audit = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'incident.stats.exported'), eq(auditLog.actorId, world.users.coordRegion.id)));
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0].details, { from: '2025-04-01', to: '2026-03-15' });
  });

  test('an establishment’s, with a decimal comma', async () => {
    const res = await as.ehpadRssi.get(`/api/v1/incidents/stats.csv?orgId=${world.orgs.ehpad}&from=2025-06-01&to=2025-06-30`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="incidents-ehpad-nord-2025-06-01-au-2025-06-30.csv"');
    assert.match(res.body, /\nDéclarations;1\n/);
    assert.match(res.body, /\(heures\);24\n/);
    const half = await as.rssi.get(`/api/v1/incidents/stats.csv?orgId=${world.orgs.hospital}&from=2025-01-01&to=2026-03-15`);
    // A, B, E: 2.5, 2, 6 → 2.5
    assert.match(half.body, /\(heures\);2,5\n/);
  });
});
