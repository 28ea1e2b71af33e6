import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { Client, createTestApp, type TestApp } from '../../../../test/support/app';
import { PASSWORD, seedWorld, signIn, totpSecrets, type World } from '../../../../test/support/world';
import { auditLog } from '../audit/schema';
import { mails } from '../mail/schema';
import { users } from '../tenancy/schema';
import { totpAt } from './mfa';
import { loginAttempts, sessions } from './schema';

let t: TestApp;
let w: World;

before(async () => {
  t = await createTestApp();
  w = await seedWorld(t.platform.db);
});
after(() => t.close());

const lastAudit = async (action: string) => {
  const rows = await t.platform.db.select().from(auditLog).where(eq(auditLog.action, action));
  return rows.at(-1);
};

/** A user of our own, so throttling and MFA state in one test never leak into another. */
async function newUser(role: 'agent' | 'rssi' = 'agent', email = `u${Math.random().toString(36).slice(2, 10)}@test.hygie.fr`) {
  const { hashPassword } = await import('./passwords');
  const { memberships } = await import('../tenancy/schema');
  const [u] = await t.platform.db.insert(users).values({ email, displayName: 'Personne Test', passwordHash: await hashPassword(PASSWORD) }).returning();
  await t.platform.db.insert(memberships).values({ userId: u.id, orgId: w.orgs.hospital, role });
  return u;
}

describe('login', () => {
  test('good password: 200, a session cookie, /me works; no MFA needed for an agent', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    const res = await c.post('/api/v1/auth/login', { email: u.email.toUpperCase(), password: PASSWORD });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { mfaRequired: false, mfaEnrollmentRequired: false });
    const me = await c.get('/api/v1/me');
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.email, u.email);
    assert.equal(me.json().user.mfaCompulsory, false);
    const entry = await lastAudit('auth.login');
    assert.equal(entry?.actorId, u.id);
    assert.equal(entry?.outcome, 'success');
  });

  test('wrong password or unknown account: the same 401 message, audited as failures', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    const bad = await c.post('/api/v1/auth/login', { email: u.email, password: 'not the right one at all' });
    const unknown = await c.post('/api/v1/auth/login', { email: 'nobody@test.hygie.fr', password: 'not the right one at all' });
    assert.equal(bad.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(bad.json().error.message, unknown.json().error.message);
    assert.equal(c.cookie, null);
    const failures = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'auth.login'), eq(auditLog.outcome, 'failure')));
    assert.ok(failures.some((f) => f.actorLabel === u.email && f.details.reason === 'bad_password'));
    assert.ok(failures.some((f) => f.actorLabel === 'nobody@test.hygie.fr' && f.details.reason === 'unknown_account'));
    assert.ok(!JSON.stringify(failures).includes('not the right one'), 'the password never reaches the audit log');
  });

  test('bad input: 400 with the field and a French message, nothing recorded', async () => {
    const c = new Client(t.app);
    const before = (await t.platform.db.select().from(loginAttempts)).length;
    const noEmail = await c.post('/api/v1/auth/login', { password: 'x' });
    assert.equal(noEmail.statusCode, 400);
    assert.equal(noEmail.json().error.fields[0].path, 'email');
    assert.match(noEmail.json().error.fields[0].message, /e-mail/);
    const badEmail = await c.post('/api/v1/auth/login', { email: 'pas-une-adresse', password: 'x' });
    assert.equal(badEmail.statusCode, 400);
    assert.match(badEmail.json().error.message, /adresse e-mail n'est pas valide/);
    const empty = await c.post('/api/v1/auth/login', { email: 'a@b.fr', password: '' });
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().error.fields[0].path, 'password');
    assert.equal((await t.platform.db.select().from(loginAttempts)).length, before);
  });

  test('a new login replaces the session: new id, the old cookie no longer works', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    const first = c.cookie!;
    await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.notEqual(c.cookie, first);
    const old = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: first } });
    assert.equal(old.statusCode, 401);
  });

  test('sessions are stored hashed: the cookie value is not in the database', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    const value = c.cookie!.split('=')[1];
    const rows = await t.platform.db.select().from(sessions).where(eq(sessions.userId, u.id));
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0].tokenHash, value);
    assert.ok(!JSON.stringify(rows).includes(value));
  });
});

describe('brute-force protection', () => {
  test('per account: the 6th attempt within 15 minutes gets 429 with Retry-After, even with the right password', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    for (let i = 0; i < 5; i++) {
      const res = await c.post('/api/v1/auth/login', { email: u.email, password: `wrong password ${i}` });
      assert.equal(res.statusCode, 401);
    }
    const blocked = await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.equal(blocked.statusCode, 429);
    const retry = Number(blocked.headers['retry-after']);
    assert.ok(retry > 0 && retry <= 15 * 60);
    assert.match(blocked.json().error.message, /Réessayez dans/);
    assert.equal((await lastAudit('auth.login.throttled'))?.actorLabel, u.email);
    t.clock.advance(15 * 60_000 + 1000);
    const later = await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.equal(later.statusCode, 200);
  });

  test('a success resets the account count', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    for (let i = 0; i < 4; i++) await c.post('/api/v1/auth/login', { email: u.email, password: `wrong ${i} wrong` });
    assert.equal((await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD })).statusCode, 200);
    for (let i = 0; i < 4; i++) assert.equal((await c.post('/api/v1/auth/login', { email: u.email, password: `wrong ${i} again` })).statusCode, 401);
  });

  test('per address: 30 failures over many accounts block the address', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < 30; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email: `spray${i}@test.hygie.fr`, password: 'Printemps2026!' } });
      assert.equal(res.statusCode, 401);
    }
    const u = await newUser();
    const blocked = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email: u.email, password: PASSWORD } });
    assert.equal(blocked.statusCode, 429);
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    const elsewhere = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '203.0.113.8', payload: { email: u.email, password: PASSWORD } });
    assert.equal(elsewhere.statusCode, 200);
    t.clock.advance(16 * 60_000);
  });
});

describe('two-factor authentication', () => {
  test('compulsory role: enrolment first; nothing else is reachable before', async () => {
    const u = await newUser('rssi');
    const c = new Client(t.app);
    const login = await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.deepEqual(login.json(), { mfaRequired: false, mfaEnrollmentRequired: true });
    const me = await c.get('/api/v1/me');
    assert.equal(me.statusCode, 401);
    assert.equal(me.json().error.code, 'mfa_enrolment_required', 'the web app sends the person to enrolment, not to the code page');

    const start = await c.post('/api/v1/auth/mfa/enrol');
    assert.equal(start.statusCode, 200);
    const { secret, otpauthUri, qrCode } = start.json();
    assert.match(otpauthUri, /^otpauth:\/\/totp\/Hygie:/);
    assert.match(qrCode, /^data:image\/png;base64,/);
    const [stored] = await t.platform.db.select().from(users).where(eq(users.id, u.id));
    assert.ok(stored.totpSecret && !stored.totpSecret.includes(secret), 'the secret is sealed at rest');

    const wrong = await c.post('/api/v1/auth/mfa/enrol/confirm', { code: '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.fields[0].path, 'code');
    const bad = await c.post('/api/v1/auth/mfa/enrol/confirm', { code: 'abc' });
    assert.equal(bad.statusCode, 400);

    const confirm = await c.post('/api/v1/auth/mfa/enrol/confirm', { code: totpAt(secret, t.clock.now()) });
    assert.equal(confirm.statusCode, 200);
    const codes: string[] = confirm.json().recoveryCodes;
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    c.refreshCsrf();
    assert.equal((await c.get('/api/v1/me')).statusCode, 200);
    assert.equal((await c.get('/api/v1/me')).json().user.mfaEnabled, true);
    assert.ok(await lastAudit('auth.mfa.enrolled'));
    totpSecrets.set(u.email, secret);

    // Next login: challenge.
    const d = new Client(t.app);
    const again = await d.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.deepEqual(again.json(), { mfaRequired: true, mfaEnrollmentRequired: false });
    assert.equal((await d.get('/api/v1/me')).statusCode, 401);
    assert.equal((await d.post('/api/v1/auth/mfa/enrol')).statusCode, 409, 'no re-enrolment to skip the challenge');
    // The code used to enrol cannot be replayed.
    assert.equal((await d.post('/api/v1/auth/mfa', { code: totpAt(secret, t.clock.now()) })).statusCode, 400);
    t.clock.advance(30_000);
    const ok = await d.post('/api/v1/auth/mfa', { code: totpAt(secret, t.clock.now()) });
    assert.equal(ok.statusCode, 200);
    d.refreshCsrf();
    assert.equal((await d.get('/api/v1/me')).statusCode, 200);

    // Recovery codes work once.
    const e = new Client(t.app);
    await e.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.equal((await e.post('/api/v1/auth/mfa', { code: codes[0].toUpperCase() })).statusCode, 200);
    assert.ok(await lastAudit('auth.recovery_code.used'));
    const f = new Client(t.app);
    await f.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.equal((await f.post('/api/v1/auth/mfa', { code: codes[0] })).statusCode, 400);
  });

  test('wrong codes are throttled per account', async () => {
    const u = await newUser('rssi');
    await signIn(t, u.email); // enrols
    const c = new Client(t.app);
    await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    for (let i = 0; i < 5; i++) assert.equal((await c.post('/api/v1/auth/mfa', { code: '123456' })).statusCode, 400);
    const blocked = await c.post('/api/v1/auth/mfa', { code: totpAt(totpSecrets.get(u.email)!, t.clock.now()) });
    assert.equal(blocked.statusCode, 429);
    // A new password login does not reset the count of wrong codes.
    const d = new Client(t.app);
    await d.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.equal((await d.post('/api/v1/auth/mfa', { code: '654321' })).statusCode, 429);
    t.clock.advance(16 * 60_000);
  });

  test('new recovery codes replace the old ones', async () => {
    const u = await newUser('rssi');
    const c = await signIn(t, u.email);
    const first = (await c.post('/api/v1/auth/mfa/recovery-codes')).json().recoveryCodes as string[];
    const second = (await c.post('/api/v1/auth/mfa/recovery-codes')).json().recoveryCodes as string[];
    assert.equal(second.length, 10);
    const d = new Client(t.app);
    await d.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    assert.equal((await d.post('/api/v1/auth/mfa', { code: first[0] })).statusCode, 400);
    assert.equal((await d.post('/api/v1/auth/mfa', { code: second[0] })).statusCode, 200);
  });

  test('demo mode does not enforce MFA (a banner says so)', async () => {
    const demo = await createTestApp({ env: { HYGIE_DEMO: 'on' } });
    try {
      const world = await seedWorld(demo.platform.db);
      const c = new Client(demo.app);
      const login = await c.post('/api/v1/auth/login', { email: world.users.rssi.email, password: PASSWORD });
      assert.deepEqual(login.json(), { mfaRequired: false, mfaEnrollmentRequired: false });
      const me = (await c.get('/api/v1/me')).json();
      assert.equal(me.demo, true);
      assert.equal(me.user.mfaCompulsory, false);
    } finally {
      await demo.close();
    }
  });
});

describe('session lifetime', () => {
  test('logout deletes the session server-side: the old cookie is refused', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    const cookie = c.cookie!;
    assert.equal((await c.post('/api/v1/auth/logout')).statusCode, 200);
    assert.equal(c.cookie, null, 'the cookie is cleared');
    const replay = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    assert.equal(replay.statusCode, 401);
    assert.equal((await t.platform.db.select().from(sessions).where(eq(sessions.userId, u.id))).length, 0);
  });

  test('idle timeout (30 min) and absolute timeout (12 h)', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    t.clock.advance(29 * 60_000);
    assert.equal((await c.get('/api/v1/me')).statusCode, 200, 'activity keeps the session alive');
    t.clock.advance(31 * 60_000);
    assert.equal((await c.get('/api/v1/me')).statusCode, 401, 'idle too long');

    await c.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    for (let h = 0; h < 12; h++) {
      t.clock.advance(25 * 60_000);
      if (h < 11) assert.equal((await c.get('/api/v1/me')).statusCode, 200);
    }
    t.clock.advance(60 * 60_000 - 12 * 25 * 60_000 + 12 * 60 * 60_000 - 11 * 25 * 60_000);
    assert.equal((await c.get('/api/v1/me')).statusCode, 401, 'past the absolute lifetime even when active');
  });

  test('changing the password keeps this session and closes the others', async () => {
    const u = await newUser();
    const a = new Client(t.app);
    const b = new Client(t.app);
    await a.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    await b.post('/api/v1/auth/login', { email: u.email, password: PASSWORD });
    const wrong = await a.post('/api/v1/auth/password/change', { currentPassword: 'nope', newPassword: 'une phrase de passe solide' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.fields[0].path, 'currentPassword');
    const common = await a.post('/api/v1/auth/password/change', { currentPassword: PASSWORD, newPassword: 'azertyuiop123' });
    assert.equal(common.statusCode, 400);
    assert.match(common.json().error.message, /plus utilisés/);
    const short = await a.post('/api/v1/auth/password/change', { currentPassword: PASSWORD, newPassword: 'court' });
    assert.equal(short.statusCode, 400);
    assert.match(short.json().error.message, /12 caractères/);
    const long = await a.post('/api/v1/auth/password/change', { currentPassword: PASSWORD, newPassword: 'x'.repeat(129) });
    assert.equal(long.statusCode, 400);
    const ok = await a.post('/api/v1/auth/password/change', { currentPassword: PASSWORD, newPassword: 'une phrase de passe solide' });
    assert.equal(ok.statusCode, 200);
    assert.equal((await a.get('/api/v1/me')).statusCode, 200);
    assert.equal((await b.get('/api/v1/me')).statusCode, 401);
    assert.equal((await new Client(t.app).post('/api/v1/auth/login', { email: u.email, password: 'une phrase de passe solide' })).statusCode, 200);
  });
});

describe('password reset', () => {
  const tokenOf = async (email: string) => {
    const rows = await t.platform.db.select().from(mails).where(eq(mails.to, email));
    const text = rows.at(-1)?.text ?? '';
    return text.match(/reinitialiser-mot-de-passe#token=([A-Za-z0-9_-]+)/)?.[1];
  };

  test('same answer for unknown addresses; a single-use link that expires in one hour', async () => {
    const u = await newUser();
    const c = new Client(t.app);
    const unknown = await c.post('/api/v1/auth/password/reset-request', { email: 'ghost@test.hygie.fr' });
    const known = await c.post('/api/v1/auth/password/reset-request', { email: u.email });
    assert.equal(unknown.statusCode, 200);
    assert.deepEqual(unknown.json(), known.json());
    assert.equal((await t.platform.db.select().from(mails).where(eq(mails.to, 'ghost@test.hygie.fr'))).length, 0);
    const token = await tokenOf(u.email);
    assert.ok(token, 'the mail holds the link, with the token in the fragment');
    assert.ok(!JSON.stringify(await t.platform.db.select().from(auditLog)).includes(token!), 'the token is never audited');

    assert.deepEqual((await c.post('/api/v1/auth/password/reset/info', { token })).json(), { mfaRequired: false });
    const weak = await c.post('/api/v1/auth/password/reset', { token, password: 'motdepasse2026' });
    assert.equal(weak.statusCode, 400);
    const ok = await c.post('/api/v1/auth/password/reset', { token, password: 'mon nouveau mot de passe' });
    assert.equal(ok.statusCode, 200);
    const reuse = await c.post('/api/v1/auth/password/reset', { token, password: 'encore un autre mot de passe' });
    assert.equal(reuse.statusCode, 400);
    assert.equal(reuse.json().error.fields[0].path, 'token');
    assert.equal((await new Client(t.app).post('/api/v1/auth/login', { email: u.email, password: 'mon nouveau mot de passe' })).statusCode, 200);

    await c.post('/api/v1/auth/password/reset-request', { email: u.email });
    const late = await tokenOf(u.email);
    t.clock.advance(61 * 60_000);
    assert.equal((await c.post('/api/v1/auth/password/reset', { token: late, password: 'mot de passe trop tard' })).statusCode, 400);
  });

  test('a reset does not bypass two-factor authentication, and closes every session', async () => {
    const u = await newUser('rssi');
    const session = await signIn(t, u.email);
    const c = new Client(t.app);
    await c.post('/api/v1/auth/password/reset-request', { email: u.email });
    const token = await tokenOf(u.email);
    assert.deepEqual((await c.post('/api/v1/auth/password/reset/info', { token })).json(), { mfaRequired: true });
    const noCode = await c.post('/api/v1/auth/password/reset', { token, password: 'nouveau mot de passe sûr' });
    assert.equal(noCode.statusCode, 400);
    assert.equal(noCode.json().error.fields[0].path, 'code');
    const wrongCode = await c.post('/api/v1/auth/password/reset', { token, password: 'nouveau mot de passe sûr', code: '000000' });
    assert.equal(wrongCode.statusCode, 400);
    const [before] = await t.platform.db.select().from(users).where(eq(users.id, u.id));
    t.clock.advance(30_000);
    const ok = await c.post('/api/v1/auth/password/reset', { token, password: 'nouveau mot de passe sûr', code: totpAt(totpSecrets.get(u.email)!, t.clock.now()) });
    assert.equal(ok.statusCode, 200);
    const [after] = await t.platform.db.select().from(users).where(eq(users.id, u.id));
    assert.notEqual(after.passwordHash, before.passwordHash);
    assert.equal((await session.get('/api/v1/me')).statusCode, 401, 'existing sessions are revoked');
  });

  test('bad input', async () => {
    const c = new Client(t.app);
    assert.equal((await c.post('/api/v1/auth/password/reset-request', { email: 'nope' })).statusCode, 400);
    assert.equal((await c.post('/api/v1/auth/password/reset/info', { token: 'short' })).statusCode, 400);
    const fake = await c.post('/api/v1/auth/password/reset/info', { token: 'x'.repeat(43) });
    assert.equal(fake.statusCode, 400);
    assert.match(fake.json().error.message, /n’est plus valable/);
  });
});

test('volume limit per address on the open endpoints: 429 past RATE_LIMIT_PER_MINUTE', async () => {
  const limited = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3' } });
  try {
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await new Client(limited.app).post('/api/v1/auth/password/reset-request', { email: 'someone@test.hygie.fr' })).statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  } finally {
    await limited.close();
  }
});
