import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { totpAt } from '../auth/mfa';
import { mails } from '../mail/schema';
import { Client, createTestApp, type TestApp } from '../../../../test/support/app';
import { PASSWORD, seedWorld, signIn, type World } from '../../../../test/support/world';
import { auditLog } from './schema';
import { verifyAuditChain, type AuditEvent } from './service';
import type { Database } from '../db/client';

let t: TestApp;
let world: World;
let admin: Client;

before(async () => {
  t = await createTestApp();
  tolerateTeardown(t.database);
  world = await seedWorld(t.platform.db);
});
after(async () => {
  await t?.close();
});

/**
 * Teardown drops the PostgreSQL test database WITH (FORCE): a pooled connection that is still
 * closing may hear of it (57P01) after the pool has ended, which is no failure of this file.
 */
function tolerateTeardown(database: Database) {
  database.pool?.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') throw err;
  });
}

async function rowCount(action?: string): Promise<number> {
  const { rows } = action
    ? await t.database.sql.query<{ n: number }>('select count(*)::int as n from audit_log where action = $1', [action])
    : await t.database.sql.query<{ n: number }>('select count(*)::int as n from audit_log');
  return Number(rows[0].n);
}

async function seqs(): Promise<number[]> {
  const { rows } = await t.database.sql.query<{ seq: number }>('select seq::int as seq from audit_log order by seq');
  return rows.map((r) => Number(r.seq));
}

async function rowsOf(action: string) {
  return t.platform.db.select().from(auditLog).where(eq(auditLog.action, action));
}

/** Runs `fn` with the triggers of audit_log disabled (as the superuser may), and always re-enables them. */
async function withoutTriggers(fn: () => Promise<void>) {
  await t.database.sql.query('alter table audit_log disable trigger user');
  try {
    await fn();
  } finally {
    await t.database.sql.query('alter table audit_log enable trigger user');
  }
}

/** Appends an entry as if written at `at`, then puts the clock back. */
async function auditAt(at: string, event: AuditEvent) {
  const saved = t.clock.now();
  t.clock.set(new Date(at));
  try {
    await t.platform.audit(event);
  } finally {
    t.clock.set(saved);
  }
}

/** No secret anywhere in an entry; no code in an entry's details; and the flows were audited. */
async function assertNoSecretInAudit(secrets: string[], codes: string[], expectedActions: string[]) {
  const email = world.users.direction.email;
  const rows = await t.platform.db.select().from(auditLog);
  const actions = new Set(rows.filter((r) => r.actorId === world.users.direction.id || r.actorLabel === email).map((r) => r.action));
  for (const a of expectedActions) assert.ok(actions.has(a), `${a} is audited`);
  for (const row of rows) {
    const text = JSON.stringify({ ...row, hash: undefined, prevHash: undefined });
    const details = JSON.stringify(row.details);
    for (const s of secrets) assert.ok(!text.includes(s), `entry ${row.seq} (${row.action}) holds a secret`);
    for (const code of codes) assert.ok(!details.includes(code), `entry ${row.seq} (${row.action}) holds a code`);
  }
}

test('the chain holds after logins and failed logins, and checking it through the API is itself audited', async () => {
  const agent = new Client(t.app);
  assert.equal((await agent.post('/api/v1/auth/login', { email: world.users.agent.email, password: PASSWORD })).statusCode, 200);
  assert.equal((await agent.post('/api/v1/auth/logout')).statusCode, 200);
  const stranger = new Client(t.app);
  assert.equal((await stranger.post('/api/v1/auth/login', { email: world.users.agent.email, password: 'not the right password' })).statusCode, 401);
  assert.equal((await stranger.post('/api/v1/auth/login', { email: 'nobody@test.hygie.fr', password: 'whatever it is' })).statusCode, 401);

  const logins = await rowsOf('auth.login');
  assert.equal(logins.filter((r) => r.outcome === 'success').length, 1);
  assert.equal(logins.filter((r) => r.outcome === 'failure').length, 2);
  assert.equal((await rowsOf('auth.logout')).length, 1);

  const direct = await verifyAuditChain(t.platform.db);
  assert.deepEqual(direct, { valid: true, checked: await rowCount(), brokenAt: null });
  assert.ok(direct.checked >= 4);

  admin = await signIn(t, world.users.admin.email);
  const before = await rowCount();
  const res = await admin.get('/api/v1/audit/verify');
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { valid: true, checked: before, brokenAt: null });

  const verified = await rowsOf('audit.verified');
  assert.equal(verified.length, 1);
  assert.equal(verified[0].actorId, world.users.admin.id);
  assert.equal(verified[0].outcome, 'success');
  assert.deepEqual(verified[0].details, { checked: before, brokenAt: null });
  assert.equal(verified[0].seq, before + 1);

  // A small batch size walks the same chain across several pages.
  assert.deepEqual(await verifyAuditChain(t.platform.db, 2), { valid: true, checked: before + 1, brokenAt: null });
});

test('the database refuses to change or delete an audit entry', async () => {
  const [first] = await t.platform.db.select().from(auditLog).where(eq(auditLog.seq, 1));
  await assert.rejects(t.database.sql.query("update audit_log set action = 'tampered' where seq = 1"), /append-only/);
  await assert.rejects(t.database.sql.query('update audit_log set details = $1::jsonb', [JSON.stringify({ x: 1 })]), /append-only/);
  await assert.rejects(t.database.sql.query('delete from audit_log where seq = 1'), /append-only/);
  await assert.rejects(t.database.sql.query('delete from audit_log'), /append-only/);
  await assert.rejects(t.database.sql.query('truncate audit_log'), /append-only/);
  await assert.rejects(t.platform.db.update(auditLog).set({ outcome: 'failure' }).where(eq(auditLog.seq, 1)));

  const [still] = await t.platform.db.select().from(auditLog).where(eq(auditLog.seq, 1));
  assert.deepEqual(still, first);
  assert.equal((await verifyAuditChain(t.platform.db)).valid, true);
});

test('a changed entry or a deleted one breaks the chain exactly there', async () => {
  const all = await seqs();
  assert.ok(all.length >= 6);
  const target = all[Math.floor(all.length / 2)];
  const [original] = await t.platform.db.select().from(auditLog).where(eq(auditLog.seq, target));

  // Changed details.
  await withoutTriggers(async () => {
    await t.database.sql.query('update audit_log set details = $1::jsonb where seq = $2', [JSON.stringify({ ...original.details, forged: true }), target]);
  });
  assert.deepEqual(await verifyAuditChain(t.platform.db), { valid: false, checked: target - 1, brokenAt: target });
  const viaApi = await admin.get('/api/v1/audit/verify');
  assert.equal(viaApi.statusCode, 200);
  assert.equal(viaApi.json().valid, false);
  assert.equal(viaApi.json().brokenAt, target);
  const [failedCheck] = (await rowsOf('audit.verified')).filter((r) => r.outcome === 'failure');
  assert.deepEqual(failedCheck.details, { checked: target - 1, brokenAt: target });

  // Put it back: the chain holds again (the check is on content, not on a flag).
  await withoutTriggers(async () => {
    await t.database.sql.query('update audit_log set details = $1::jsonb where seq = $2', [JSON.stringify(original.details), target]);
  });
  assert.equal((await verifyAuditChain(t.platform.db)).valid, true);

  // Changed action.
  await withoutTriggers(async () => {
    await t.database.sql.query("update audit_log set action = 'auth.logout' where seq = $1", [target]);
  });
  assert.equal(original.action === 'auth.logout', false);
  assert.deepEqual(await verifyAuditChain(t.platform.db), { valid: false, checked: target - 1, brokenAt: target });
  await withoutTriggers(async () => {
    await t.database.sql.query('update audit_log set action = $1 where seq = $2', [original.action, target]);
  });
  assert.equal((await verifyAuditChain(t.platform.db)).valid, true);

  // Deleted entry in the middle.
  await withoutTriggers(async () => {
    await t.database.sql.query('delete from audit_log where seq = $1', [target]);
  });
  assert.deepEqual(await verifyAuditChain(t.platform.db), { valid: false, checked: target - 1, brokenAt: target });
  await t.platform.db.insert(auditLog).values(original); // inserting is allowed: put it back
  assert.deepEqual(await verifyAuditChain(t.platform.db), { valid: true, checked: await rowCount(), brokenAt: null });

  // The triggers are on again.
  await assert.rejects(t.database.sql.query('delete from audit_log where seq = $1', [target]), /append-only/);
});

test('50 entries written at once keep the chain whole and the numbering contiguous', async () => {
  const start = await rowCount();
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => t.platform.audit({ action: 'test.concurrent', actorLabel: `writer-${i}`, details: { i } })),
  );
  const all = await seqs();
  assert.equal(all.length, start + 50);
  assert.deepEqual(all, Array.from({ length: all.length }, (_, i) => i + 1));
  const written = await rowsOf('test.concurrent');
  assert.deepEqual(
    written.map((r) => (r.details as { i: number }).i).sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.deepEqual(await verifyAuditChain(t.platform.db), { valid: true, checked: start + 50, brokenAt: null });
});

test('an entry written in a transaction that rolls back is not kept', async () => {
  const start = await rowCount();
  await assert.rejects(
    t.platform.db.transaction(async (tx) => {
      await t.platform.audit({ action: 'test.rolled_back', details: { n: 1 } }, tx);
      throw new Error('abandon');
    }),
    /abandon/,
  );
  assert.equal(await rowCount('test.rolled_back'), 0);
  assert.equal(await rowCount(), start);

  // The next entry takes the next number: nothing was used up.
  await t.platform.audit({ action: 'test.after_rollback' });
  const all = await seqs();
  assert.equal(all.at(-1), start + 1);
  assert.deepEqual(await verifyAuditChain(t.platform.db), { valid: true, checked: start + 1, brokenAt: null });
});

test('the viewer shows the subtree of the establishment, with filters on Paris days and pagination', async () => {
  const o = world.orgs;
  // Paris is UTC+1 in early March 2026.
  await auditAt('2026-03-01T22:30:00Z', { action: 'viewer.alpha', orgId: o.hospital, actorLabel: 'alice@viewer.test', outcome: 'success', details: { n: 1 } }); // 01/03 23:30
  await auditAt('2026-03-01T23:30:00Z', { action: 'viewer.alpha', orgId: o.service, actorLabel: 'bob@viewer.test', outcome: 'failure', details: { n: 2 } }); // 02/03 00:30
  await auditAt('2026-03-02T22:30:00Z', { action: 'viewer.beta', orgId: o.site, actorLabel: 'alice@viewer.test', outcome: 'denied', details: { n: 3 } }); // 02/03 23:30
  await auditAt('2026-03-02T23:00:00Z', { action: 'viewer.beta', orgId: o.site, actorLabel: 'alice@viewer.test', outcome: 'success', details: { n: 4 } }); // 03/03 00:00
  await auditAt('2026-03-02T10:00:00Z', { action: 'viewer.alpha', orgId: o.clinic, actorLabel: 'alice@viewer.test', details: { n: 5 } });
  await auditAt('2026-03-02T10:00:00Z', { action: 'viewer.beta', orgId: o.ehpad, actorLabel: 'bob@viewer.test', details: { n: 6 } });
  await auditAt('2026-03-02T10:00:00Z', { action: 'viewer.alpha', orgId: null, actorLabel: 'alice@viewer.test', details: { n: 7 } });

  const rssi = await signIn(t, world.users.rssi.email);
  const list = async (query: string) => {
    const res = await rssi.get(`/api/v1/audit?${query}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { entries: { seq: number; orgId: string | null; details: { n?: number }; at: string }[]; total: number; page: number; pageSize: number };
    return { ...body, ns: body.entries.map((e) => e.details.n) };
  };

  const all = await list('action=viewer.');
  assert.equal(all.total, 4);
  assert.deepEqual(all.ns, [4, 3, 2, 1]); // newest first
  assert.equal(all.entries[2].at, '2026-03-01T23:30:00.000Z');
  assert.equal('hash' in all.entries[0], false);
  assert.equal('prevHash' in all.entries[0], false);

  // Without filter: only the hospital's subtree, whatever the action.
  const subtree = new Set([o.hospital, o.site, o.service]);
  const everything = await list('pageSize=200');
  assert.ok(everything.total >= 4);
  assert.equal(everything.entries.length, everything.total);
  for (const e of everything.entries) assert.ok(e.orgId !== null && subtree.has(e.orgId), `entry ${e.seq} of ${e.orgId} is outside the hospital`);
  assert.ok(everything.entries.some((e) => e.orgId === o.hospital));

  assert.deepEqual((await list('action=viewer.alpha')).ns, [2, 1]);
  assert.deepEqual((await list('action=viewer.&actor=bob')).ns, [2]);
  assert.deepEqual((await list('action=viewer.&actor=ALICE')).ns, [4, 3, 1]);
  assert.deepEqual((await list('action=viewer.&outcome=denied')).ns, [3]);
  assert.deepEqual((await list('action=viewer.&outcome=failure')).ns, [2]);
  assert.deepEqual((await list('action=viewer.&from=2026-03-02&to=2026-03-02')).ns, [3, 2]);
  assert.deepEqual((await list('action=viewer.&to=2026-03-01')).ns, [1]);
  assert.deepEqual((await list('action=viewer.&from=2026-03-03')).ns, [4]);
  assert.deepEqual((await list('action=viewer.&from=2026-03-04')).ns, []);

  const page1 = await list('action=viewer.&pageSize=3&page=1');
  assert.deepEqual([page1.ns, page1.total, page1.page, page1.pageSize], [[4, 3, 2], 4, 1, 3]);
  const page2 = await list('action=viewer.&pageSize=3&page=2');
  assert.deepEqual([page2.ns, page2.total, page2.page], [[1], 4, 2]);

  // The administrator sees every organisation, and entries with none.
  const adminView = await admin.get('/api/v1/audit?action=viewer.');
  assert.equal(adminView.statusCode, 200);
  assert.equal(adminView.json().total, 7);

  // Bad input.
  const badDate = await rssi.get('/api/v1/audit?from=2026-13-01');
  assert.equal(badDate.statusCode, 400);
  assert.equal(badDate.json().error.code, 'validation');
  assert.deepEqual(badDate.json().error.fields, [{ path: 'from', message: 'Date de début invalide (AAAA-MM-JJ).' }]);
  assert.equal(badDate.json().error.message, 'Date de début invalide (AAAA-MM-JJ).');
  const reversed = await rssi.get('/api/v1/audit?from=2026-03-05&to=2026-03-01');
  assert.equal(reversed.statusCode, 400);
  assert.deepEqual(reversed.json().error.fields, [{ path: 'to', message: 'La date de fin doit suivre la date de début.' }]);

  // Who may not read.
  const agent = await signIn(t, world.users.agent.email);
  const agentView = await agent.get('/api/v1/audit');
  assert.equal(agentView.statusCode, 403);
  assert.equal(agentView.json().error.code, 'forbidden');
  // Another establishment's log is refused: 403, or 404 where its very existence is hidden.
  const foreign = await signIn(t, world.users.foreignRssi.email);
  const foreignView = await foreign.get(`/api/v1/audit?orgId=${o.hospital}`);
  assert.ok([403, 404].includes(foreignView.statusCode), `foreign RSSI: ${foreignView.statusCode} ${foreignView.body}`);
  assert.equal(foreignView.json().error.code, foreignView.statusCode === 403 ? 'forbidden' : 'not_found');
  assert.equal('entries' in foreignView.json(), false);
  if (foreignView.statusCode === 403) {
    const denials = (await rowsOf('access.denied')).filter((r) => r.actorId === world.users.foreignRssi.id);
    assert.equal(denials.length, 1);
    assert.equal(denials[0].outcome, 'denied');
    assert.equal((denials[0].details as { policy: string }).policy, 'audit:log.read');
  }
  const ownView = await foreign.get('/api/v1/audit?action=viewer.');
  assert.equal(ownView.statusCode, 200);
  assert.deepEqual(ownView.json().entries.map((e: { details: { n: number } }) => e.details.n), [5]);
  // The hospital's RSSI may not look at the clinic either.
  assert.ok([403, 404].includes((await rssi.get(`/api/v1/audit?orgId=${o.clinic}`)).statusCode));
});

test('the CSV export lists the matching entries for Excel and is itself audited', async () => {
  const rssi = await signIn(t, world.users.rssi.email);
  const exportsBefore = await rowCount('audit.exported');
  const res = await rssi.get('/api/v1/audit/export.csv?action=viewer.');
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
  assert.match(String(res.headers['content-disposition']), /attachment; filename="journal-audit-hygie\.csv"/);
  assert.deepEqual([...res.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf]);

  const records = parse(res.rawPayload, { bom: true, delimiter: ';', relax_column_count: false }) as string[][];
  assert.deepEqual(records[0], ['numéro', 'date (Paris)', 'date (UTC)', 'auteur', 'action', 'résultat', 'cible', 'identifiant cible', 'organisation', 'adresse IP', 'détails', 'empreinte']);
  const lines = records.slice(1);
  assert.equal(lines.length, 4);

  const expected = (await rowsOf('viewer.alpha')).concat(await rowsOf('viewer.beta'));
  const bySeq = new Map(expected.map((r) => [r.seq, r]));
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l[10]) as { n: number }).n),
    [1, 2, 3, 4], // oldest first
  );
  for (const line of lines) {
    const row = bySeq.get(Number(line[0]));
    assert.ok(row, `line for unknown entry ${line[0]}`);
    assert.equal(line[2], row.at.toISOString());
    assert.equal(line[3], row.actorLabel);
    assert.equal(line[4], row.action);
    assert.equal(line[5], row.outcome);
    assert.equal(line[6], '');
    assert.equal(line[8], row.orgId);
    assert.deepEqual(JSON.parse(line[10]), row.details);
    assert.equal(line[11], row.hash);
  }
  // Dates for people are Paris time.
  assert.equal(lines[0][1], '01/03/2026 23:30:00');
  assert.equal(lines[1][1], '02/03/2026 00:30:00');
  assert.equal(lines[3][1], '03/03/2026 00:00:00');
  assert.equal(lines[1][3], 'bob@viewer.test');
  assert.equal(lines[2][5], 'denied');

  assert.equal(await rowCount('audit.exported'), exportsBefore + 1);
  const exported = (await rowsOf('audit.exported')).at(-1)!;
  assert.equal(exported.actorId, world.users.rssi.id);
  assert.equal(exported.orgId, world.orgs.hospital);
  assert.equal((exported.details as { filter: { action: string } }).filter.action, 'viewer.');

  // Same rules as the viewer.
  const agent = await signIn(t, world.users.agent.email);
  assert.equal((await agent.get('/api/v1/audit/export.csv')).statusCode, 403);
  const foreign = await signIn(t, world.users.foreignRssi.email);
  assert.ok([403, 404].includes((await foreign.get(`/api/v1/audit/export.csv?orgId=${world.orgs.hospital}`)).statusCode));
  assert.equal((await rssi.get('/api/v1/audit/export.csv?from=2026-13-01')).statusCode, 400);
  assert.equal(await rowCount('audit.exported'), exportsBefore + 1);
});

test('no secret of the login, MFA and password flows reaches the audit log', async () => {
  const email = world.users.direction.email;
  const secrets: string[] = [PASSWORD];
  const codes: string[] = [];

  // First login: enrolment.
  const c = new Client(t.app);
  const first = await c.post('/api/v1/auth/login', { email, password: PASSWORD });
  assert.equal(first.statusCode, 200);
  assert.equal(first.json().mfaEnrollmentRequired, true);
  secrets.push(c.cookie!.split('=')[1]);
  const enrol = await c.post('/api/v1/auth/mfa/enrol');
  assert.equal(enrol.statusCode, 200);
  const totpSecret = enrol.json().secret as string;
  secrets.push(totpSecret);
  const code1 = totpAt(totpSecret, t.clock.now());
  codes.push(code1);
  const confirm = await c.post('/api/v1/auth/mfa/enrol/confirm', { code: code1 });
  assert.equal(confirm.statusCode, 200);
  const recovery = confirm.json().recoveryCodes as string[];
  secrets.push(...recovery, ...recovery.map((r) => r.replace(/-/g, '')));
  c.refreshCsrf();
  const csrf = await c.get('/api/v1/auth/csrf');
  secrets.push(csrf.json().token);
  assert.equal((await c.post('/api/v1/auth/logout')).statusCode, 200);

  // Second login with a TOTP code, after a wrong one.
  t.clock.advance(30_000);
  const second = new Client(t.app);
  assert.equal((await second.post('/api/v1/auth/login', { email, password: PASSWORD })).json().mfaRequired, true);
  const wrongCode = String((Number(totpAt(totpSecret, t.clock.now())) + 500_000) % 1_000_000).padStart(6, '0');
  codes.push(wrongCode);
  assert.equal((await second.post('/api/v1/auth/mfa', { code: wrongCode })).statusCode, 400);
  const code2 = totpAt(totpSecret, t.clock.now());
  codes.push(code2);
  assert.equal((await second.post('/api/v1/auth/mfa', { code: code2 })).statusCode, 200);
  second.refreshCsrf();

  // Password change, wrong then right.
  const wrongCurrent = 'this is not my current password';
  const newPassword = 'une toute nouvelle phrase de passe 1';
  secrets.push(wrongCurrent, newPassword);
  assert.equal((await second.post('/api/v1/auth/password/change', { currentPassword: wrongCurrent, newPassword })).statusCode, 400);
  assert.equal((await second.post('/api/v1/auth/password/change', { currentPassword: PASSWORD, newPassword })).statusCode, 200);

  // Third login with a recovery code.
  const third = new Client(t.app);
  assert.equal((await third.post('/api/v1/auth/login', { email, password: newPassword })).json().mfaRequired, true);
  assert.equal((await third.post('/api/v1/auth/mfa', { code: recovery[0] })).statusCode, 200);
  assert.equal((await rowsOf('auth.recovery_code.used')).filter((r) => r.actorId === world.users.direction.id).length, 1);

  await assertNoSecretInAudit(secrets, codes, ['auth.login', 'auth.mfa', 'auth.mfa.enrolled', 'auth.password.changed', 'auth.recovery_code.used']);

  // Password reset by e-mail link, with the second factor.
  const anonymous = new Client(t.app);
  assert.equal((await anonymous.post('/api/v1/auth/password/reset-request', { email })).statusCode, 200);
  const [mail] = await t.platform.db.select().from(mails).where(eq(mails.to, email));
  const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
  assert.ok(token, 'the mail holds the reset link');
  secrets.push(token);
  assert.deepEqual((await anonymous.post('/api/v1/auth/password/reset/info', { token })).json(), { mfaRequired: true });
  const resetPassword = 'encore une autre phrase de passe 2';
  secrets.push(resetPassword);
  t.clock.advance(30_000);
  const code3 = totpAt(totpSecret, t.clock.now());
  codes.push(code3);
  const reset = await anonymous.post('/api/v1/auth/password/reset', { token, password: resetPassword, code: code3 });
  assert.equal(reset.statusCode, 200, reset.body);
  const wrongPassword = 'a wrong password after the reset';
  secrets.push(wrongPassword);
  assert.equal((await new Client(t.app).post('/api/v1/auth/login', { email, password: wrongPassword })).statusCode, 401);
  assert.equal((await new Client(t.app).post('/api/v1/auth/login', { email, password: resetPassword })).json().mfaRequired, true);

  await assertNoSecretInAudit(secrets, codes, ['auth.password.reset_requested', 'auth.password.reset']);
});
