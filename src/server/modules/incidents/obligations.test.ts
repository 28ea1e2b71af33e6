import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { and, eq, inArray, like } from 'drizzle-orm';
import fc from 'fast-check';
import { NIS2_CATEGORIES, type DeclarationContent, type IncidentDetail, type Nis2Category } from '../../../contracts/incidents';
import { createTestApp, type Client, type TestApp } from '../../../../test/support/app';
import { declareIncident } from '../../../../test/support/incidents';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { mails } from '../../platform/mail/schema';
import { notifications } from '../../platform/notifications/schema';
import { INCIDENT_REMINDERS_JOB, frenchDateTime, requiredObligations, runIncidentReminders, startIncidentJobs } from './obligations';
import { obligations } from './schema';

/**
 * The regulatory clocks: which obligations a declaration triggers (a pure function, checked
 * as properties), and the reminders job — once per deadline and stage, to the right people,
 * in French, never for what is met, waived or closed — and its schedule.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// --- requiredObligations -------------------------------------------------------------------------------

const contentArb = fc.record(
  {
    title: fc.string({ maxLength: 20 }),
    impacts: fc.record({ personalData: fc.option(fc.boolean(), { nil: undefined }), careImpact: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<DeclarationContent>;
const dateArb = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2040-12-31T23:59:59Z'), noInvalidDate: true });
const nis2Arb = fc.constantFrom<Nis2Category>(...NIS2_CATEGORIES);

test('requiredObligations: every deadline after the discovery; the health authorities always; CNIL iff personal data; NIS2 iff the establishment is under NIS2', () => {
  fc.assert(
    fc.property(contentArb, nis2Arb, dateArb, (content, nis2, discoveredAt) => {
      const list = requiredObligations(content, nis2, discoveredAt);
      const kinds = list.map((o) => o.kind);
      assert.equal(new Set(kinds).size, kinds.length, 'each obligation once');
      for (const o of list) assert.ok(o.dueAt.getTime() > discoveredAt.getTime(), `${o.kind} after the discovery`);
      const due = (k: string) => list.find((o) => o.kind === k)?.dueAt.getTime();
      assert.equal(due('health_authorities'), discoveredAt.getTime() + DAY);
      assert.equal(kinds.includes('cnil'), content.impacts?.personalData === true);
      if (kinds.includes('cnil')) assert.equal(due('cnil'), discoveredAt.getTime() + 3 * DAY);
      const nis2Kinds = kinds.filter((k) => k.startsWith('nis2_'));
      assert.deepEqual(nis2Kinds, nis2 === 'none' ? [] : ['nis2_early_warning', 'nis2_notification', 'nis2_final_report']);
      if (nis2 !== 'none') {
        assert.equal(due('nis2_early_warning'), discoveredAt.getTime() + DAY);
        assert.equal(due('nis2_notification'), discoveredAt.getTime() + 3 * DAY);
        const gap = due('nis2_final_report')! - due('nis2_notification')!;
        assert.ok(gap >= 28 * DAY && gap <= 31 * DAY, `one month after the notification (${gap / DAY} days)`);
      }
    }),
    { numRuns: 500 },
  );
});

test('requiredObligations: the final NIS2 report falls on the same day of the next month, clamped at its end', () => {
  const at = (iso: string, nis2: Nis2Category = 'important') => requiredObligations({}, nis2, new Date(iso)).find((o) => o.kind === 'nis2_final_report')?.dueAt.toISOString();
  assert.equal(at('2026-03-02T05:00:00.000Z'), '2026-04-05T05:00:00.000Z');
  assert.equal(at('2026-12-30T10:00:00.000Z'), '2027-02-02T10:00:00.000Z');
  assert.equal(at('2026-03-02T05:00:00.000Z', 'none'), undefined);
});

// --- the reminders ------------------------------------------------------------------------------------------

let t: TestApp;
let world: World;
const clients = new Map<string, Client>();
async function as(who: WorldUser): Promise<Client> {
  const email = world.users[who].email;
  let c = clients.get(email);
  if (!c) clients.set(email, (c = await signIn(t, email)));
  return c;
}
const api = (path: string) => `/api/v1${path}`;
const db = () => t.platform.db;

/** Discovered on Monday 2 March 2026 at 6:00, Paris time: the 24 h clock ends on Tuesday at 6:00. */
const D = new Date('2026-03-02T05:00:00.000Z');
const at = (hours: number) => new Date(D.getTime() + hours * HOUR);
const HEALTH = 'Déclaration aux autorités sanitaires (ARS et CERT Santé)';

before(async () => {
  t = await createTestApp();
  t.clock.set(at(2));
  world = await seedWorld(db());
});
after(async () => {
  await t?.close();
});

async function reminderMails(reference: string) {
  const rows = await db()
    .select()
    .from(mails)
    .where(like(mails.subject, 'Hygie : échéance%'));
  return rows.filter((m) => m.text?.includes(reference));
}
async function deadlineNotes(incidentId: string) {
  return db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.kind, 'incident.deadline'), eq(notifications.link, `/incidents/${incidentId}`)));
}
const run = (now: Date) => runIncidentReminders(t.platform, now);
const sum = (rs: { soon: number; overdue: number }[]) => rs.reduce((a, r) => ({ soon: a.soon + r.soon, overdue: a.overdue + r.overdue }), { soon: 0, overdue: 0 });

test('one « soon » reminder 6 h before a 24 h deadline and one « overdue » after it, each once even when run twice or at once, to the RSSI, the direction and the declarant', async () => {
  const discoveredAt = D.toISOString();
  // The GHT's coordinator declares: he is reminded too, beside the establishment's RSSI and direction.
  const main = await declareIncident(await as('coordGht'), world.orgs.hospital, { discoveredAt, type: 'phishing', title: 'Hameçonnage au standard' });
  // Noise that must stay silent: a met obligation, a waived one, a closed incident.
  const rssi = await as('rssi');
  const done = await declareIncident(rssi, world.orgs.hospital, { discoveredAt, type: 'failure', title: 'Déjà déclaré à l’ARS' });
  assert.equal((await rssi.put(api(`/incidents/${done.incident.id}/obligations/${done.obligations[0].id}`), { status: 'done', reference: 'ARS-1' })).statusCode, 200);
  const waived = await declareIncident(rssi, world.orgs.hospital, { discoveredAt, type: 'failure', title: 'Sans objet' });
  assert.equal((await rssi.put(api(`/incidents/${waived.incident.id}/obligations/${waived.obligations[0].id}`), { status: 'not_applicable', note: 'Simple panne électrique.' })).statusCode, 200);
  const closed = await declareIncident(rssi, world.orgs.hospital, { discoveredAt, type: 'failure', title: 'Clos tout de suite' });
  assert.equal((await rssi.post(api(`/incidents/${closed.incident.id}/close`), { lessons: 'Une fausse alerte, rien à signaler.' })).statusCode, 200);

  // 7 h before: not yet.
  assert.deepEqual(await run(at(17)), { soon: 0, overdue: 0 });
  // 5 h 30 before, run twice at the same moment, then again: one reminder.
  assert.deepEqual(sum(await Promise.all([run(at(18.5)), run(at(18.5))])), { soon: 1, overdue: 0 });
  assert.deepEqual(await run(at(19)), { soon: 0, overdue: 0 });
  let sent = await reminderMails(main.incident.reference);
  const people = [world.users.rssi, world.users.direction, world.users.coordGht];
  assert.deepEqual(sent.map((m) => m.to).sort(), people.map((p) => p.email).sort());
  const soonMail = sent.find((m) => m.to === world.users.rssi.email)!;
  assert.equal(soonMail.subject, `Hygie : échéance proche — ${HEALTH}`);
  assert.match(soonMail.text!, /^Bonjour Test rssi,/);
  assert.ok(soonMail.text!.includes(`Pour l’incident ${main.incident.reference} « Hameçonnage au standard » de CH Nord, l’échéance « ${HEALTH} » arrive le mardi 3 mars 2026 à 6 h 00.`), soonMail.text!);
  assert.ok(soonMail.text!.includes(`${t.config.publicUrl}/incidents/${main.incident.id}`));

  // After the deadline, run twice at once and again later: one « overdue » reminder.
  assert.deepEqual(sum(await Promise.all([run(at(24.25)), run(at(24.25))])), { soon: 0, overdue: 1 });
  assert.deepEqual(await run(at(30)), { soon: 0, overdue: 0 });
  sent = await reminderMails(main.incident.reference);
  assert.equal(sent.length, 6, 'two reminders to each of three people');
  const overdue = sent.filter((m) => m.subject === `Hygie : échéance dépassée — ${HEALTH}`);
  assert.deepEqual(overdue.map((m) => m.to).sort(), people.map((p) => p.email).sort());
  assert.ok(overdue[0].text!.includes(`l’échéance « ${HEALTH} » était fixée au mardi 3 mars 2026 à 6 h 00. Elle est dépassée.`), overdue[0].text!);

  // In the app too, with the same words.
  const notes = await deadlineNotes(main.incident.id);
  assert.equal(notes.length, 6);
  assert.deepEqual([...new Set(notes.map((n) => n.userId))].sort(), people.map((p) => p.id).sort());
  assert.deepEqual([...new Set(notes.map((n) => n.title))].sort(), [`Échéance dépassée : ${HEALTH}`, `Échéance proche : ${HEALTH}`]);
  assert.ok(notes.every((n) => n.orgId === world.orgs.hospital && n.body === `${main.incident.reference} — Hameçonnage au standard : échéance ${frenchDateTime(at(24))}.`));
  const [row] = await db().select({ sent: obligations.remindersSent }).from(obligations).where(eq(obligations.id, main.obligations[0].id));
  assert.deepEqual(row.sent, ['soon', 'overdue']);

  // Nothing for the met, waived or closed ones; nobody outside the establishment.
  for (const quiet of [done, waived, closed]) {
    assert.deepEqual(await reminderMails(quiet.incident.reference), [], `no reminder for « ${quiet.incident.title} »`);
    assert.deepEqual(await deadlineNotes(quiet.incident.id), []);
  }
  const outsiders = [world.users.coordRegion, world.users.ehpadRssi, world.users.foreignRssi, world.users.agent, world.users.referent];
  const outsiderNotes = await db()
    .select()
    .from(notifications)
    .where(and(eq(notifications.kind, 'incident.deadline'), inArray(notifications.userId, outsiders.map((u) => u.id))));
  assert.deepEqual(outsiderNotes, []);
  assert.deepEqual(
    (await db().select().from(mails).where(like(mails.subject, 'Hygie : échéance%'))).filter((m) => outsiders.some((u) => u.email === m.to)),
    [],
  );
});

test('the CNIL clock (72 h) is reminded on its own schedule, and a corrected discovery date re-arms the reminders', async () => {
  const rssi = await as('rssi');
  const discoveredAt = at(100).toISOString();
  let d: IncidentDetail = await declareIncident(rssi, world.orgs.hospital, { discoveredAt, type: 'data_leak', title: 'Fichier patients exposé', impacts: { personalData: true } });
  const health = d.obligations.find((o) => o.kind === 'health_authorities')!;
  assert.equal((await rssi.put(api(`/incidents/${d.incident.id}/obligations/${health.id}`), { status: 'done', reference: 'ARS-2' })).statusCode, 200);
  // 20 h before the CNIL deadline: not yet; 5 h before: « soon ».
  assert.deepEqual(await run(at(100 + 52)), { soon: 0, overdue: 0 });
  assert.deepEqual(await run(at(100 + 67)), { soon: 1, overdue: 0 });
  const cnil = (await reminderMails(d.incident.reference)).filter((m) => m.subject === 'Hygie : échéance proche — Notification à la CNIL');
  assert.equal(cnil.length, 2, 'to the RSSI (declarant) and the direction');

  // The discovery was in fact 10 hours later: a new deadline, reminded again.
  d = (await rssi.get(api(`/incidents/${d.incident.id}`))).json();
  const moved = await rssi.put(api(`/incidents/${d.incident.id}`), { content: { ...d.content, discoveredAt: at(110).toISOString() }, version: d.incident.version });
  assert.equal(moved.statusCode, 200, moved.body);
  const [row] = await db().select({ sent: obligations.remindersSent, dueAt: obligations.dueAt }).from(obligations).where(and(eq(obligations.incidentId, d.incident.id), eq(obligations.kind, 'cnil')));
  assert.deepEqual(row.sent, []);
  assert.equal(row.dueAt.toISOString(), at(110 + 72).toISOString());
  assert.deepEqual(await run(at(110 + 67)), { soon: 1, overdue: 0 });
});

test('startIncidentJobs can be called twice (a restart): one schedule every quarter of an hour, and a tick sends the reminders', async () => {
  await t.platform.jobs.start();
  await startIncidentJobs(t.platform);
  await startIncidentJobs(t.platform); // a second process, or a restart: still one schedule
  const { rows } = await t.database.sql.query<{ name: string; cron: string; timezone: string }>('select name, cron, timezone from pgboss.schedule');
  assert.deepEqual(
    rows.filter((r) => r.name === INCIDENT_REMINDERS_JOB),
    [{ name: 'incidents.reminders', cron: '*/15 * * * *', timezone: 'Europe/Paris' }],
  );

  // One tick of the schedule: the worker runs the reminders at the platform's time.
  const rssi = await as('rssi');
  const d = await declareIncident(rssi, world.orgs.hospital, { discoveredAt: t.clock.now().toISOString(), type: 'malware', title: 'Rappel par la file de tâches' });
  t.clock.set(new Date(t.clock.now().getTime() + 20 * HOUR));
  await t.platform.jobs.send(INCIDENT_REMINDERS_JOB, {});
  const sent = await eventually(async () => {
    const found = await reminderMails(d.incident.reference);
    return found.length ? found : undefined;
  }, 'the reminder of the scheduled job');
  assert.equal(sent[0].subject, `Hygie : échéance proche — ${HEALTH}`);
});

/** Waits for something the job queue does in the background (its workers poll every 2 s). */
async function eventually<T>(check: () => Promise<T | undefined>, label: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gave up waiting: ${label}`);
}
