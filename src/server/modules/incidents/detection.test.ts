import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, asc, eq } from 'drizzle-orm';
import type { DeclarationContent } from '../../../contracts/incidents';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { declareIncident } from '../../../../test/support/incidents';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { mails } from '../../platform/mail/schema';
import { notifications } from '../../platform/notifications/schema';
import { organisations } from '../../platform/tenancy/schema';
import { detectAround, DETECTION_WINDOW_DAYS } from './detection';
import { detections, incidents, indicators } from './schema';

let t: TestApp;
let world: World;
/** A third establishment of the north, under the GHT (its coordinator declares for it). */
let rehab: string;

before(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  t.clock.set(new Date('2026-03-01T08:00:00Z'));
  world = await seedWorld(t.platform.db);
  const [row] = await t.platform.db
    .insert(organisations)
    .values({ kind: 'establishment', name: 'SMR Nord', parentId: world.orgs.ght, ancestors: [world.orgs.north, world.orgs.ght], finess: '590000037', category: 'SMR' })
    .returning({ id: organisations.id });
  rehab = row.id;
});
after(async () => {
  await t?.close();
});

/**
 * Declares at a given time (the clock only moves forward): signs in afresh, since the clock
 * jumps beyond a session's life between scenarios. Discovery is `discoveredHoursBefore` earlier.
 */
async function declareAt(at: string, who: WorldUser, orgId: string, content: Partial<DeclarationContent>, discoveredHoursBefore = 2) {
  const when = new Date(at);
  assert.ok(when > t.clock.now(), 'declarations are placed in chronological order');
  t.clock.set(new Date(when.getTime() - 120_000));
  const client: Client = await signIn(t, world.users[who].email);
  t.clock.set(when);
  const discoveredAt = new Date(when.getTime() - discoveredHoursBefore * 3_600_000).toISOString();
  return (await declareIncident(client, orgId, { title: `${content.type} ${at}`, ...content, discoveredAt })).incident.id;
}

const detectionsOf = (regionId: string) => t.platform.db.select().from(detections).where(eq(detections.regionId, regionId)).orderBy(asc(detections.detectedAt));
const detectionNotices = (userId: string) =>
  t.platform.db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.kind, 'incident.detection'))).orderBy(asc(notifications.createdAt));
const detectionMails = (to: string) => t.platform.db.select().from(mails).where(eq(mails.to, to)).then((rows) => rows.filter((m) => m.subject.includes('Campagne')));

describe('campaign detection', () => {
  const ids = {} as Record<'h1' | 'h2' | 'ehpad' | 'rehab' | 'clinic', string>;

  test('one establishment alone is no campaign, even with two declarations', async () => {
    ids.h1 = await declareAt('2026-03-02T08:00:00Z', 'rssi', world.orgs.hospital, { type: 'ransomware' });
    ids.h2 = await declareAt('2026-03-03T08:00:00Z', 'rssi', world.orgs.hospital, { type: 'ransomware' });
    assert.deepEqual(await detectionsOf(world.orgs.north), []);
    assert.deepEqual(await detectionNotices(world.users.coordRegion.id), []);
  });

  test('the hospital and the EHPAD declaring ransomware within the window: one detection, the region alerted with the list', async () => {
    ids.ehpad = await declareAt('2026-03-05T10:00:00Z', 'ehpadRssi', world.orgs.ehpad, { type: 'ransomware', title: 'Serveurs chiffrés à l’EHPAD' });
    const found = await detectionsOf(world.orgs.north);
    assert.equal(found.length, 1);
    const [d] = found;
    assert.equal(d.kind, 'type');
    assert.equal(d.key, 'type:ransomware');
    assert.equal(d.value, 'ransomware');
    assert.equal(d.status, 'open');
    assert.equal(d.indicatorType, null);
    assert.deepEqual(new Set(d.incidentIds), new Set([ids.h1, ids.h2, ids.ehpad]));
    assert.equal(d.detectedAt.toISOString(), '2026-03-05T10:00:00.000Z');

    const notices = await detectionNotices(world.users.coordRegion.id);
    assert.equal(notices.length, 1);
    assert.equal(notices[0].title, 'Campagne possible : des incidents de type « Rançongiciel » dans plusieurs établissements');
    assert.equal(notices[0].body, 'Établissements concernés : CH Nord, EHPAD Nord.');
    assert.equal(notices[0].link, '/region/incidents/campagnes');
    assert.equal(notices[0].orgId, world.orgs.north);
    const sent = await detectionMails(world.users.coordRegion.email);
    assert.equal(sent.length, 1);
    assert.match(sent[0].text ?? '', /ont déclaré en moins de 14 jours des incidents de type « Rançongiciel » :/);
    assert.match(sent[0].text ?? '', /- EHPAD Nord : INC-2026-001 « Serveurs chiffrés à l’EHPAD »/);
    assert.match(sent[0].text ?? '', /- CH Nord : INC-2026-00[12]/);
    assert.match(sent[0].text ?? '', /http:\/\/localhost:3000\/region\/incidents\/campagnes/);
    // Nobody else is alerted: not the GHT, not the establishments, not the other region.
    for (const u of ['coordGht', 'rssi', 'ehpadRssi', 'foreignCoord'] as WorldUser[]) {
      assert.deepEqual(await detectionNotices(world.users[u].id), [], u);
      assert.deepEqual(await detectionMails(world.users[u].email), [], u);
    }
  });

  test('a third establishment joining updates the same detection and tells the region again', async () => {
    ids.rehab = await declareAt('2026-03-10T09:00:00Z', 'coordGht', rehab, { type: 'ransomware' });
    const found = await detectionsOf(world.orgs.north);
    assert.equal(found.length, 1, 'no duplicate detection');
    assert.deepEqual(new Set(found[0].incidentIds), new Set([ids.h1, ids.h2, ids.ehpad, ids.rehab]));
    assert.equal(found[0].detectedAt.toISOString(), '2026-03-05T10:00:00.000Z');
    assert.equal(found[0].updatedAt.toISOString(), '2026-03-10T09:00:00.000Z');
    const notices = await detectionNotices(world.users.coordRegion.id);
    assert.equal(notices.length, 2);
    assert.equal(notices[1].title, 'Campagne en cours : un établissement de plus déclare un incident de type « Rançongiciel »');
    assert.equal(notices[1].body, 'Établissements concernés : CH Nord, EHPAD Nord, SMR Nord.');
    assert.equal((await detectionMails(world.users.coordRegion.email)).length, 2);
  });

  test('the clinic of the south declaring the same type never joins the north’s detection', async () => {
    ids.clinic = await declareAt('2026-03-11T09:00:00Z', 'foreignRssi', world.orgs.clinic, { type: 'ransomware' });
    const [north] = await detectionsOf(world.orgs.north);
    assert.ok(!north.incidentIds.includes(ids.clinic));
    assert.equal(north.incidentIds.length, 4);
    assert.deepEqual(await detectionsOf(world.orgs.south), [], 'alone in its region');
    assert.deepEqual(await detectionNotices(world.users.foreignCoord.id), []);
    assert.equal((await detectionNotices(world.users.coordRegion.id)).length, 2);
  });

  test('a common type (phishing) is no campaign', async () => {
    await declareAt('2026-03-12T09:00:00Z', 'rssi', world.orgs.hospital, { type: 'phishing' });
    await declareAt('2026-03-12T10:00:00Z', 'ehpadRssi', world.orgs.ehpad, { type: 'phishing' });
    await declareAt('2026-03-12T11:00:00Z', 'coordGht', rehab, { type: 'phishing' });
    const keys = (await detectionsOf(world.orgs.north)).map((d) => d.key);
    assert.deepEqual(keys, ['type:ransomware']);
  });

  test(`a rare type declared more than ${DETECTION_WINDOW_DAYS} days apart is no campaign; within, it is`, async () => {
    await declareAt('2026-04-01T09:00:00Z', 'rssi', world.orgs.hospital, { type: 'exploited_vulnerability' }, 1);
    // Discovered 15 days after the hospital's.
    await declareAt('2026-04-16T09:00:00Z', 'ehpadRssi', world.orgs.ehpad, { type: 'exploited_vulnerability' }, 1);
    assert.deepEqual(
      (await detectionsOf(world.orgs.north)).map((d) => d.key),
      ['type:ransomware'],
    );
    // The SMR, 13 days after the EHPAD (and 28 after the hospital): a campaign of the EHPAD and the SMR.
    const smr = await declareAt('2026-04-29T09:00:00Z', 'coordGht', rehab, { type: 'exploited_vulnerability' }, 1);
    const found = (await detectionsOf(world.orgs.north)).find((d) => d.key === 'type:exploited_vulnerability');
    assert.ok(found);
    assert.equal(found.incidentIds.length, 2);
    assert.ok(found.incidentIds.includes(smr));
  });

  test('the same indicator in two establishments: an indicator detection', async () => {
    const hospital = await declareAt('2026-05-04T09:00:00Z', 'rssi', world.orgs.hospital, { type: 'failure' });
    const ehpad = await declareAt('2026-05-06T09:00:00Z', 'ehpadRssi', world.orgs.ehpad, { type: 'other' });
    const south = await declareAt('2026-05-06T10:00:00Z', 'foreignRssi', world.orgs.clinic, { type: 'other' });
    const now = t.clock.now();
    const add = (incidentId: string, value: string) =>
      t.platform.db.insert(indicators).values({ incidentId, type: 'domain', value, tlp: 'green', createdBy: world.users.rssi.id, createdAt: now });
    await add(hospital, 'evil.example');
    await add(ehpad, 'evil.example');
    await add(south, 'evil.example');
    await add(ehpad, 'other.example');
    const before = (await detectionNotices(world.users.coordRegion.id)).length;

    const mailIds = await t.platform.db.transaction((tx) => detectAround(t.platform, tx, ehpad));
    await t.platform.mail.dispatch(mailIds);
    assert.equal(mailIds.length, 1, 'one mail to the one coordinator');
    const found = (await detectionsOf(world.orgs.north)).filter((d) => d.kind === 'indicator');
    assert.equal(found.length, 1);
    assert.equal(found[0].key, 'indicator:domain:evil.example');
    assert.equal(found[0].indicatorType, 'domain');
    assert.equal(found[0].value, 'evil.example');
    assert.deepEqual(new Set(found[0].incidentIds), new Set([hospital, ehpad]), 'the south’s incident is not the north’s');
    const notices = await detectionNotices(world.users.coordRegion.id);
    assert.equal(notices.length, before + 1);
    assert.equal(notices.at(-1)!.title, 'Campagne possible : l’indicateur evil.example signalé par plusieurs établissements');

    // Running again finds nothing new: no mail, no notification, no new detection.
    assert.deepEqual(await t.platform.db.transaction((tx) => detectAround(t.platform, tx, hospital)), []);
    assert.equal((await detectionsOf(world.orgs.north)).filter((d) => d.kind === 'indicator').length, 1);
    assert.deepEqual(await detectionsOf(world.orgs.south), []);
  });

  test('two establishments declaring at the same moment: the campaign is seen, once', async () => {
    t.clock.set(new Date('2026-06-01T08:00:00Z'));
    const hospital = await signIn(t, world.users.rssi.email);
    const ehpad = await signIn(t, world.users.ehpadRssi.email);
    t.clock.set(new Date('2026-06-01T09:00:00Z'));
    const discoveredAt = '2026-06-01T07:00:00.000Z';
    for (let round = 0; round < 3; round++) {
      const type = (['denial_of_service', 'supplier_incident', 'data_leak'] as const)[round];
      const declared = await Promise.all([
        declareIncident(hospital, world.orgs.hospital, { type, discoveredAt }),
        declareIncident(ehpad, world.orgs.ehpad, { type, discoveredAt }),
      ]);
      const found = (await detectionsOf(world.orgs.north)).filter((d) => d.key === `type:${type}`);
      assert.equal(found.length, 1, `one detection for ${type}`);
      assert.deepEqual(new Set(found[0].incidentIds), new Set(declared.map((d) => d.incident.id)));
    }
  });

  test('drafts take no part', async () => {
    const [draft] = await t.platform.db
      .insert(incidents)
      .values({ orgId: world.orgs.ehpad, reference: 'INC-2026-999', status: 'draft', type: 'ransomware', createdAt: t.clock.now(), updatedAt: t.clock.now() })
      .returning({ id: incidents.id });
    assert.deepEqual(await t.platform.db.transaction((tx) => detectAround(t.platform, tx, draft.id)), []);
  });
});
