import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import Fastify from 'fastify';
import { VERSION } from '../../app';
import type { Database } from '../db/client';
import { loggerOptions, redactUrl } from '../logging';
import { Client, TEST_ORIGIN, createTestApp, type TestApp } from '../../../../test/support/app';
import { PASSWORD, seedWorld, type World } from '../../../../test/support/world';

let t: TestApp;
let world: World;

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

const login = (headers: Record<string, string>, email = world.users.agent.email, password = PASSWORD) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers });

/** The directives of a Content-Security-Policy header, by name. */
function csp(header: unknown): Map<string, string[]> {
  assert.equal(typeof header, 'string', 'a CSP header is sent');
  return new Map(
    (header as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

test('health answers with the database kind and the version', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/health' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok', database: process.env.TEST_DATABASE_URL ? 'postgresql' : 'embedded', version: VERSION });
  assert.equal(res.json().database, t.database.kind);
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
});

test('the OpenAPI document tags every operation, and the docs page answers', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; info: { version: string }; tags: { name: string }[]; paths: Record<string, Record<string, { tags?: string[] }>> };
  assert.match(doc.openapi, /^3\./);
  assert.equal(doc.info.version, VERSION);
  // Tags are the modules, each declared once with its description.
  const allowed = new Set(doc.tags.map((tag) => tag.name));
  assert.ok(['platform', 'auth', 'identity', 'audit'].every((name) => allowed.has(name)));
  const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head']);
  let operations = 0;
  const seenTags = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1')) continue;
    for (const [method, op] of Object.entries(item)) {
      if (!methods.has(method)) continue;
      operations++;
      assert.equal(op.tags?.length, 1, `${method.toUpperCase()} ${path} has exactly one tag`);
      assert.ok(allowed.has(op.tags![0]), `${method.toUpperCase()} ${path} is tagged ${op.tags![0]}`);
      seenTags.add(op.tags![0]);
    }
  }
  assert.ok(operations >= 20, `${operations} operations documented`);
  assert.deepEqual([...seenTags].sort(), [...allowed].filter((name) => name !== 'platform').sort(), 'every declared module tag is used under /api/v1');
  assert.ok(doc.paths['/api/v1/auth/login']?.post, 'the login is documented');
  assert.ok(doc.paths['/api/v1/audit/export.csv']?.get, 'the CSV export is documented');
  assert.deepEqual(doc.paths['/api/health']?.get?.tags, ['platform']);
  assert.equal(doc.paths['/api/openapi.json'], undefined, 'the document itself is hidden');

  const docs = await t.app.inject({ method: 'GET', url: '/api/docs' });
  assert.equal(docs.statusCode, 200);
  assert.match(String(docs.headers['content-type']), /^text\/html/);
  assert.match(docs.body, /swagger/i);
});

test('security headers on API answers and on the web app', async () => {
  for (const url of ['/api/health', '/api/v1/auth/oidc', '/']) {
    const res = await t.app.inject({ method: 'GET', url });
    assert.ok([200, 404].includes(res.statusCode), `${url}: ${res.statusCode}`);
    const policy = csp(res.headers['content-security-policy']);
    assert.deepEqual(policy.get('default-src'), ["'self'"], url);
    assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], url);
    assert.deepEqual(policy.get('object-src'), ["'none'"], url);
    const scripts = policy.get('script-src') ?? policy.get('default-src')!;
    assert.ok(!scripts.includes("'unsafe-inline'"), `${url}: no inline scripts`);
    assert.ok(!scripts.includes("'unsafe-eval'"), `${url}: no eval`);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
    assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS on a plain-http public URL');
    if (url.startsWith('/api/')) assert.equal(res.headers['cache-control'], 'no-store', url);
  }
  // Error answers of the API carry them too.
  const denied = await t.app.inject({ method: 'GET', url: '/api/v1/me' });
  assert.equal(denied.statusCode, 401);
  assert.equal(denied.headers['cache-control'], 'no-store');
  assert.equal(denied.headers['x-content-type-options'], 'nosniff');
});

test('HSTS is sent when the public address is https', async () => {
  const secure = await createTestApp({ env: { PUBLIC_URL: 'https://hygie.example.fr' }, database: t.database });
  try {
    const res = await secure.app.inject({ method: 'GET', url: '/api/health' });
    assert.match(String(res.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/);
    assert.ok(csp(res.headers['content-security-policy']).has('upgrade-insecure-requests'));
  } finally {
    await secure.app.close(); // the database belongs to the main app of this file
  }
});

test('the session cookie is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/ and has no Domain', async () => {
  const res = await login({ origin: TEST_ORIGIN });
  assert.equal(res.statusCode, 200);
  const header = res.headers['set-cookie'];
  const cookies = (Array.isArray(header) ? header : [header]).filter((c): c is string => typeof c === 'string');
  const session = cookies.find((c) => c.startsWith('__Host-hygie_session='));
  assert.ok(session, `session cookie set: ${cookies.join(' | ')}`);
  const [pair, ...attributes] = session.split(';').map((s) => s.trim());
  assert.match(pair, /^__Host-hygie_session=[A-Za-z0-9_-]{40,}$/);
  const names = attributes.map((a) => a.split('=')[0].toLowerCase());
  assert.ok(names.includes('httponly'));
  assert.ok(names.includes('secure'));
  assert.ok(attributes.some((a) => /^samesite=lax$/i.test(a)));
  assert.ok(attributes.some((a) => a === 'Path=/'));
  assert.ok(!names.includes('domain'));
  const maxAge = attributes.find((a) => /^max-age=/i.test(a));
  assert.equal(maxAge, `Max-Age=${t.config.sessionMaxHours * 3600}`);
});

test('state changes need the CSRF token of their own session and a same-origin request', async () => {
  const agent = new Client(t.app);
  assert.equal((await agent.post('/api/v1/auth/login', { email: world.users.agent.email, password: PASSWORD })).statusCode, 200);
  const referent = new Client(t.app);
  assert.equal((await referent.post('/api/v1/auth/login', { email: world.users.referent.email, password: PASSWORD })).statusCode, 200);
  const agentToken = (await agent.get('/api/v1/auth/csrf')).json().token as string;
  const referentToken = (await referent.get('/api/v1/auth/csrf')).json().token as string;
  assert.notEqual(agentToken, referentToken);

  const missing = await agent.raw('PATCH', '/api/v1/me', { displayName: 'Sans jeton' });
  assert.equal(missing.statusCode, 403);
  assert.equal(missing.json().error.code, 'csrf');
  assert.match(missing.json().error.message, /Jeton de sécurité/);

  const wrong = await agent.raw('PATCH', '/api/v1/me', { displayName: 'Mauvais jeton' }, { 'x-csrf-token': 'x'.repeat(agentToken.length) });
  assert.equal(wrong.statusCode, 403);
  assert.equal(wrong.json().error.code, 'csrf');

  const foreign = await agent.raw('PATCH', '/api/v1/me', { displayName: 'Jeton volé' }, { 'x-csrf-token': referentToken });
  assert.equal(foreign.statusCode, 403);
  assert.equal(foreign.json().error.code, 'csrf');

  // A logout without the token is refused too: the session survives.
  assert.equal((await agent.raw('POST', '/api/v1/auth/logout')).statusCode, 403);
  assert.equal((await agent.get('/api/v1/me')).statusCode, 200);
  assert.equal((await agent.get('/api/v1/me')).json().user.displayName, 'Test agent');

  const good = await agent.raw('PATCH', '/api/v1/me', { displayName: 'Avec le bon jeton' }, { 'x-csrf-token': agentToken });
  assert.equal(good.statusCode, 200, good.body);
  assert.equal(good.json().user.displayName, 'Avec le bon jeton');

  // Cross-site requests are refused before anything else, login included.
  const evil = await login({ origin: 'https://evil.example' });
  assert.equal(evil.statusCode, 403);
  assert.equal(evil.json().error.code, 'csrf');
  assert.equal(evil.cookies.length, 0, 'no session for a cross-site login');
  const crossSite = await login({ 'sec-fetch-site': 'cross-site' });
  assert.equal(crossSite.statusCode, 403);
  assert.equal(crossSite.json().error.code, 'csrf');
  const lookalike = await login({ origin: `${TEST_ORIGIN}.evil.example` });
  assert.equal(lookalike.statusCode, 403);

  // The web app itself, and a script that sends no Origin, may log in.
  assert.equal((await login({ origin: TEST_ORIGIN, 'sec-fetch-site': 'same-origin' })).statusCode, 200);
  const script = await login({});
  assert.equal(script.statusCode, 200);
  assert.deepEqual(script.json(), { mfaRequired: false, mfaEnrollmentRequired: false });
});

test('errors are JSON answers in French', async () => {
  const badJson = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: '{"email": ', headers: { 'content-type': 'application/json' } });
  assert.equal(badJson.statusCode, 400);
  assert.deepEqual(badJson.json(), { error: { code: 'validation', message: 'Le contenu envoyé n’est pas du JSON valide.' } });

  const big = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: JSON.stringify({ email: 'a@b.fr', password: 'x'.repeat(1_048_576) }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(big.statusCode, 413);
  assert.deepEqual(big.json(), { error: { code: 'validation', message: 'Le contenu envoyé est trop volumineux.' } });

  const invalid = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'pas-une-adresse', password: '' } });
  assert.equal(invalid.statusCode, 400);
  assert.deepEqual(invalid.json(), {
    error: {
      code: 'validation',
      message: 'Le formulaire contient 2 erreurs.',
      fields: [
        { path: 'email', message: "L'adresse e-mail n'est pas valide (exemple : prenom.nom@hopital.fr)." },
        { path: 'password', message: 'Le mot de passe est obligatoire.' },
      ],
    },
  });

  // A message zod writes itself is French too.
  const agent = new Client(t.app);
  await agent.post('/api/v1/auth/login', { email: world.users.agent.email, password: PASSWORD });
  const locale = await agent.patch('/api/v1/me', { locale: 'de' });
  assert.equal(locale.statusCode, 400);
  assert.equal(locale.json().error.fields[0].path, 'locale');
  assert.match(locale.json().error.fields[0].message, /^Option invalide/);

  const bad = await agent.raw('POST', '/api/v1/auth/login', 'email=a', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(bad.statusCode, 415);
  assert.equal(bad.json().error.message, 'Ce type de contenu n’est pas accepté ici (JSON attendu, ou un formulaire d’envoi de fichier).');
});

test('an unknown API address answers 404 in JSON, signed in or not', async () => {
  const outside = await t.app.inject({ method: 'GET', url: '/api/nope' });
  assert.equal(outside.statusCode, 404);
  assert.match(String(outside.headers['content-type']), /^application\/json/);

  const agent = new Client(t.app);
  await agent.post('/api/v1/auth/login', { email: world.users.agent.email, password: PASSWORD });
  for (const [client, label] of [[new Client(t.app), 'anonymous'], [agent, 'signed in']] as const) {
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await client.request(method, '/api/v1/nope');
      assert.equal(res.statusCode, 404, `${method} /api/v1/nope (${label}): ${res.statusCode} ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(res.json(), { error: { code: 'not_found', message: 'Cette adresse d’API n’existe pas.' } });
    }
  }
});

test('query parameters that may carry a secret are masked', () => {
  assert.equal(redactUrl('/api/v1/auth/oidc/callback?code=abc123&state=xyz789'), '/api/v1/auth/oidc/callback?code=[masqué]&state=[masqué]');
  assert.equal(redactUrl('/x?a=1&TOKEN=t0k3n&nonce=n&b=2'), '/x?a=1&TOKEN=[masqué]&nonce=[masqué]&b=2');
  assert.equal(redactUrl('/x?zipcode=75001&statement=1'), '/x?zipcode=75001&statement=1');
  assert.equal(redactUrl('/api/v1/audit?from=2026-01-01'), '/api/v1/audit?from=2026-01-01');
});

test('logs never hold cookies, CSRF tokens, OIDC codes or passwords', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const options = loggerOptions({ logLevel: 'info' });
  assert.ok(options && typeof options === 'object');
  const app = Fastify({ logger: { ...options, stream } });
  app.get('/api/v1/auth/oidc/callback', async (request) => {
    request.log.info('callback');
    return { ok: true };
  });
  app.post('/login', async (request) => {
    const body = request.body as { email: string; password: string; token: string; code: string };
    request.log.info({ attempt: body }, 'attempt');
    request.log.warn({ req: request }, 'the request itself');
    return { ok: true };
  });
  try {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/callback?code=OIDC-CODE-SECRET&state=OIDC-STATE-SECRET',
      headers: { cookie: '__Host-hygie_session=COOKIE-SECRET', 'x-csrf-token': 'CSRF-SECRET', authorization: 'Bearer AUTH-SECRET' },
    });
    assert.equal(res.statusCode, 200);
    const posted = await app.inject({
      method: 'POST',
      url: '/login?token=URL-TOKEN-SECRET',
      payload: { email: 'a@b.fr', password: 'PASSWORD-SECRET', token: 'BODY-TOKEN-SECRET', code: 'MFA-CODE-SECRET' },
      headers: { cookie: '__Host-hygie_session=COOKIE-SECRET-2' },
    });
    assert.equal(posted.statusCode, 200);
  } finally {
    await app.close();
  }

  const all = lines.join('\n');
  const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(entries.some((e) => e.msg === 'incoming request'), 'requests are logged');
  assert.ok(entries.some((e) => e.msg === 'attempt'));
  for (const secret of ['OIDC-CODE-SECRET', 'OIDC-STATE-SECRET', 'COOKIE-SECRET', 'CSRF-SECRET', 'AUTH-SECRET', 'URL-TOKEN-SECRET', 'PASSWORD-SECRET', 'BODY-TOKEN-SECRET', 'MFA-CODE-SECRET']) {
    assert.ok(!all.includes(secret), `${secret} reached the logs`);
  }
  const incoming = entries.find((e) => e.msg === 'incoming request')!;
  assert.deepEqual(incoming.req, { method: 'GET', url: '/api/v1/auth/oidc/callback?code=[masqué]&state=[masqué]', remoteAddress: '127.0.0.1' });
  const attempt = entries.find((e) => e.msg === 'attempt')!;
  assert.deepEqual(attempt.attempt, { email: 'a@b.fr', password: '[masqué]', token: '[masqué]', code: '[masqué]' });
  const itself = entries.find((e) => e.msg === 'the request itself')!;
  assert.deepEqual(itself.req, { method: 'POST', url: '/login?token=[masqué]', remoteAddress: '127.0.0.1' });
  const completed = entries.filter((e) => e.msg === 'request completed');
  assert.equal(completed.length, 2);
  for (const e of completed) assert.deepEqual(Object.keys(e.res as object), ['statusCode']);

  // The level is honoured: at warn, requests are not logged.
  const quiet: string[] = [];
  const quietApp = Fastify({
    logger: { ...(loggerOptions({ logLevel: 'warn' }) as object), stream: new Writable({ write: (c, _e, done) => (quiet.push(String(c)), done()) }) },
  });
  quietApp.get('/x', async () => ({ ok: true }));
  await quietApp.inject({ method: 'GET', url: '/x?code=1' });
  await quietApp.close();
  assert.deepEqual(quiet, []);
});
