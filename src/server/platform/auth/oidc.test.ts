/**
 * External OpenID Connect login, end to end, against a real local provider (oidc-provider)
 * playing Pro Santé Connect: discovery, authorization code flow with PKCE, ID token checks,
 * account linking and sessions. The browser is played by fetch (provider side) and
 * app.inject (Hygie side).
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { and, asc, count, eq } from 'drizzle-orm';
import type { CustomFetch } from 'openid-client';
import { createTestApp, TEST_ORIGIN, type TestApp } from '../../../../test/support/app';
import { seedWorld, type World } from '../../../../test/support/world';
import { auditLog } from '../audit/schema';
import { users } from '../tenancy/schema';
import { SecretBox } from './crypto';
import { createOidcClient } from './oidc';
import { OIDC_COOKIE } from './oidc-routes';
import { externalIdentities, sessions } from './schema';
import { SESSION_COOKIE } from './sessions';

const CLIENT_ID = 'hygie-test';
const CLIENT_SECRET = 'a-client-secret-long-enough-for-any-algorithm-0123456789';
const REDIRECT_URI = `${TEST_ORIGIN}/api/v1/auth/oidc/callback`;
const KID = 'provider-key-1';

// ---------------------------------------------------------------------------------------
// The provider: oidc-provider ships no type declarations, so only what is used is typed.

interface InteractionDetails {
  uid: string;
  prompt: { name: 'login' | 'consent' | string; details: { missingOIDCScope?: string[]; missingOIDCClaims?: string[] } };
  params: Record<string, string>;
  session?: { accountId?: string };
  grantId?: string;
}
interface GrantInstance {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface ProviderInstance {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: http.IncomingMessage, res: http.ServerResponse, result: Record<string, unknown>, opts?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: { new (init: { accountId: string; clientId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
}
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;
const PROVIDER_MODULE: string = 'oidc-provider';

/** What the person does on the provider's pages for the next login. */
type NextLogin = { accountId: string; acr: string } | { deny: true };

interface TestProvider {
  issuer: string;
  /** The provider's ID token signing key, so tests can forge validly signed tokens. */
  signingKey: KeyObject;
  accounts: Map<string, Record<string, unknown>>;
  next: NextLogin;
  close(): Promise<void>;
}

async function startProvider(): Promise<TestProvider> {
  const { default: Provider } = (await import(PROVIDER_MODULE)) as { default: ProviderConstructor };
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const accounts = new Map<string, Record<string, unknown>>();
  const state: TestProvider = {
    issuer,
    signingKey: privateKey,
    accounts,
    next: { deny: true },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['cookie-signing-key-for-the-test-provider'] },
    acrValues: ['eidas1', 'other'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    findAccount: async (_ctx: unknown, sub: string) => {
      const claims = accounts.get(sub);
      return claims ? { accountId: sub, claims: async () => ({ sub, ...accounts.get(sub) }) } : undefined;
    },
  });

  /** The provider's login and consent pages, answered at once as the test decided. */
  const interaction = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const next = state.next;
      const result = 'deny' in next ? { error: 'access_denied', error_description: 'refus de la personne' } : { login: { accountId: next.accountId, acr: next.acr } };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    const accountId = details.session?.accountId;
    assert.ok(accountId, 'consent without a logged-in account');
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: details.params.client_id });
    assert.ok(grant);
    if (details.prompt.details.missingOIDCScope) grant.addOIDCScope(details.prompt.details.missingOIDCScope.join(' '));
    if (details.prompt.details.missingOIDCClaims) grant.addOIDCClaims(details.prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  const oidcCallback = provider.callback();
  handler = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
      });
      return;
    }
    oidcCallback(req, res);
  };
  return state;
}

/**
 * The browser on the provider's side: follows redirects with its own cookie jar until the
 * provider sends it back to Hygie's callback, and returns that URL.
 */
async function browseProvider(authorizationUrl: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {} });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=.*1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    await res.arrayBuffer();
    if (res.status < 300 || res.status >= 400 || !location) {
      throw new Error(`the provider stopped at ${url.pathname} with HTTP ${res.status}`);
    }
    url = new URL(location, url);
    if (url.href.startsWith(REDIRECT_URI)) return url;
  }
  throw new Error('too many redirects at the provider');
}

// ---------------------------------------------------------------------------------------
// Forging ID tokens: the token endpoint's answer is rewritten on its way to Hygie.

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const unb64 = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

function decodeJwt(jwt: string) {
  const [header, payload, signature] = jwt.split('.');
  return { header: unb64(header), payload: unb64(payload), signature };
}

function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** Rewrites the ID token of the next token endpoint response; null: leave it alone. */
let rewriteIdToken: ((idToken: string) => string) | null = null;

const tokenTampering: CustomFetch = async (url, options) => {
  const res = await fetch(url, options as RequestInit);
  if (!rewriteIdToken || new URL(url).pathname !== '/token' || res.status !== 200) return res;
  const body = (await res.json()) as Record<string, unknown>;
  body.id_token = rewriteIdToken(String(body.id_token));
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
};

// ---------------------------------------------------------------------------------------
// Hygie's side.

let provider: TestProvider;
let t: TestApp;
let world: World;
/** Every code, state and nonce seen: none may end up in the audit log. */
const secretsSeen = new Set<string>();

interface Started {
  authorizationUrl: URL;
  /** `name=value` of the sealed state cookie, as the browser would send it back. */
  cookie: string;
}

async function start(): Promise<Started> {
  const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
  assert.equal(res.statusCode, 302, res.body);
  const set = res.cookies.find((c) => c.name === OIDC_COOKIE);
  assert.ok(set?.value, 'the start sets the state cookie');
  assert.equal(set.httpOnly, true);
  assert.equal(set.secure, true);
  assert.equal(String(set.sameSite).toLowerCase(), 'lax');
  assert.equal(set.path, '/');
  assert.equal(set.maxAge, 600);
  const authorizationUrl = new URL(String(res.headers.location));
  for (const key of ['state', 'nonce']) secretsSeen.add(authorizationUrl.searchParams.get(key) ?? '');
  return { authorizationUrl, cookie: `${OIDC_COOKIE}=${set.value}` };
}

async function callback(url: URL, cookies: (string | null)[]) {
  const code = url.searchParams.get('code');
  if (code) secretsSeen.add(code);
  const cookie = cookies.filter(Boolean).join('; ');
  return t.app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: cookie ? { cookie } : {} });
}

/** A whole login: Hygie's start, the provider's pages, Hygie's callback. */
async function login(
  next: NextLogin,
  opts: { rewriteUrl?: (url: URL) => void; session?: string | null; rewriteIdToken?: (idToken: string) => string } = {},
) {
  const started = await start();
  opts.rewriteUrl?.(started.authorizationUrl);
  provider.next = next;
  const back = await browseProvider(started.authorizationUrl.href);
  rewriteIdToken = opts.rewriteIdToken ?? null;
  try {
    const res = await callback(back, [started.cookie, opts.session ?? null]);
    return { res, back, started };
  } finally {
    rewriteIdToken = null;
  }
}

const sessionCookieOf = (res: { cookies: { name: string; value: string }[] }) => {
  const set = res.cookies.find((c) => c.name === SESSION_COOKIE);
  return set?.value ? `${SESSION_COOKIE}=${set.value}` : null;
};

async function lastAudit(action: string) {
  const rows = await t.platform.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(asc(auditLog.seq));
  return rows.at(-1);
}

const countOf = async (action: string) => (await t.platform.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, action)))[0].n;
const sessionCount = async () => (await t.platform.db.select({ n: count() }).from(sessions))[0].n;
const userCount = async () => (await t.platform.db.select({ n: count() }).from(users))[0].n;
const identitiesOf = (subject: string) => t.platform.db.select().from(externalIdentities).where(and(eq(externalIdentities.issuer, provider.issuer), eq(externalIdentities.subject, subject)));

/** A refused callback: the redirect, no session, an `auth.oidc` failure with this reason. */
async function assertRefused(res: Awaited<ReturnType<typeof callback>>, erreur: string, details: Record<string, unknown>, sessionsBefore: number) {
  assert.equal(res.statusCode, 302, res.body);
  assert.equal(res.headers.location, `/connexion?erreur=${erreur}`);
  assert.equal(sessionCookieOf(res), null, 'no session cookie');
  assert.equal(await sessionCount(), sessionsBefore, 'no session created');
  const entry = await lastAudit('auth.oidc');
  assert.ok(entry);
  assert.equal(entry.outcome, 'failure');
  for (const [key, value] of Object.entries(details)) {
    if (value instanceof RegExp) assert.match(String(entry.details[key]), value, `audit details.${key}`);
    else assert.equal(entry.details[key], value, `audit details.${key}`);
  }
  // The state cookie is spent in every case.
  const cleared = res.cookies.find((c) => c.name === OIDC_COOKIE);
  assert.ok(cleared && !cleared.value, 'the state cookie is cleared');
  return entry;
}

const accountFor = (email: string, emailVerified = true) => ({ email, email_verified: emailVerified, name: 'Dr Test', given_name: 'Test', family_name: 'Docteur' });

describe('OpenID Connect login (Pro Santé Connect)', () => {
  before(async () => {
    provider = await startProvider();
    t = await createTestApp({
      env: { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET },
      deps: {
        oidc: await createOidcClient(
          { issuer: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, acr: 'eidas1' },
          TEST_ORIGIN,
          { fetch: tokenTampering },
        ),
      },
    });
    world = await seedWorld(t.platform.db);
    provider.accounts.set('psc-rssi', accountFor(world.users.rssi.email));
    provider.accounts.set('psc-referent', accountFor('Referent@Test.Hygie.fr'));
    provider.accounts.set('psc-unknown', accountFor('personne@ailleurs.example'));
    provider.accounts.set('psc-unverified', accountFor(world.users.agent.email, false));
    provider.accounts.set('psc-direction', accountFor(world.users.direction.email));
    provider.accounts.set('psc-rssi-twin', accountFor(world.users.rssi.email));
    provider.accounts.set('psc-coord', accountFor(world.users.coordGht.email));
  });

  after(async () => {
    await t?.close();
    await provider?.close();
  });

  test('the login is advertised and starts with a PKCE, state, nonce and eidas1 request', async () => {
    const info = await t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc' });
    assert.deepEqual(info.json(), { enabled: true, label: 'Pro Santé Connect' });

    const { authorizationUrl } = await start();
    assert.equal(authorizationUrl.origin, provider.issuer);
    const p = authorizationUrl.searchParams;
    assert.equal(p.get('client_id'), CLIENT_ID);
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('redirect_uri'), REDIRECT_URI);
    assert.deepEqual(p.get('scope')?.split(' ').sort(), ['email', 'openid', 'profile']);
    assert.equal(p.get('acr_values'), 'eidas1');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.match(p.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((p.get('state') ?? '').length >= 32);
    assert.ok((p.get('nonce') ?? '').length >= 32);
    const again = await start();
    assert.notEqual(again.authorizationUrl.searchParams.get('state'), p.get('state'));
    assert.notEqual(again.authorizationUrl.searchParams.get('nonce'), p.get('nonce'));
  });

  test('a known, verified e-mail links the account and signs in; the next login uses the link', async () => {
    const usersBefore = await userCount();
    const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' });
    assert.equal(res.statusCode, 302, res.body);
    assert.equal(res.headers.location, '/');
    const set = res.cookies.find((c) => c.name === SESSION_COOKIE);
    assert.ok(set?.value);
    assert.equal(set.httpOnly, true);
    assert.equal(set.secure, true);
    assert.equal(set.path, '/');
    const cleared = res.cookies.find((c) => c.name === OIDC_COOKIE);
    assert.ok(cleared && !cleared.value, 'the state cookie is cleared');
    const cookie = `${SESSION_COOKIE}=${set.value}`;

    // An RSSI must use two factors: the provider's eIDAS substantial login counts as such.
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().user.id, world.users.rssi.id);
    assert.equal(me.json().activeOrgId, world.orgs.hospital);

    const links = await identitiesOf('psc-rssi');
    assert.equal(links.length, 1);
    assert.equal(links[0].userId, world.users.rssi.id);
    const linked = await lastAudit('auth.oidc.linked');
    assert.equal(linked?.actorId, world.users.rssi.id);
    assert.equal(linked?.details.subject, 'psc-rssi');
    const loginEntry = await lastAudit('auth.login');
    assert.equal(loginEntry?.actorId, world.users.rssi.id);
    assert.equal(loginEntry?.outcome, 'success');
    assert.equal(loginEntry?.details.method, 'oidc');
    assert.equal(loginEntry?.details.acr, 'eidas1');
    const [row] = await t.platform.db.select().from(sessions).where(eq(sessions.userId, world.users.rssi.id));
    assert.equal(row.method, 'oidc');
    assert.equal(row.mfaState, 'verified');
    const [user] = await t.platform.db.select().from(users).where(eq(users.id, world.users.rssi.id));
    assert.ok(user.lastLoginAt);
    assert.equal(await userCount(), usersBefore);

    // Second login: the address changed at the provider, the subject did not. The session
    // sent along is replaced by a new one.
    provider.accounts.set('psc-rssi', accountFor('nouvelle.adresse@ailleurs.example'));
    const second = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { session: cookie });
    assert.equal(second.res.statusCode, 302, second.res.body);
    assert.equal(second.res.headers.location, '/');
    const newCookie = sessionCookieOf(second.res);
    assert.ok(newCookie && newCookie !== cookie);
    const meAgain = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: newCookie } });
    assert.equal(meAgain.json().user.id, world.users.rssi.id);
    const old = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    assert.equal(old.statusCode, 401, 'the previous session is revoked');
    assert.equal(await countOf('auth.oidc.linked'), 1, 'no second link');
    assert.equal((await identitiesOf('psc-rssi')).length, 1);
    assert.equal(await userCount(), usersBefore);
    provider.accounts.set('psc-rssi', accountFor(world.users.rssi.email));
  });

  test('the e-mail is compared without regard to case', async () => {
    const { res } = await login({ accountId: 'psc-referent', acr: 'eidas1' });
    assert.equal(res.headers.location, '/');
    assert.equal((await identitiesOf('psc-referent'))[0]?.userId, world.users.referent.id);
  });

  test('an unknown person gets no account and no session', async () => {
    const usersBefore = await userCount();
    const sessionsBefore = await sessionCount();
    const { res } = await login({ accountId: 'psc-unknown', acr: 'eidas1' });
    await assertRefused(res, 'compte_inconnu', { reason: 'unknown_account', subject: 'psc-unknown' }, sessionsBefore);
    assert.equal(await userCount(), usersBefore, 'accounts are never created by a login');
    assert.equal((await identitiesOf('psc-unknown')).length, 0);
  });

  test('an e-mail the provider has not verified links nothing', async () => {
    const sessionsBefore = await sessionCount();
    const { res } = await login({ accountId: 'psc-unverified', acr: 'eidas1' });
    await assertRefused(res, 'compte_inconnu', { reason: 'email_not_verified', emailVerified: false }, sessionsBefore);
    assert.equal((await identitiesOf('psc-unverified')).length, 0);
  });

  test('a second provider identity with the address of an already linked account is refused', async () => {
    const sessionsBefore = await sessionCount();
    const { res } = await login({ accountId: 'psc-rssi-twin', acr: 'eidas1' });
    await assertRefused(res, 'compte_inconnu', { reason: 'already_linked' }, sessionsBefore);
    assert.equal((await identitiesOf('psc-rssi-twin')).length, 0);
  });

  test('a disabled account is refused, linked or not, and never linked', async () => {
    await t.platform.db.update(users).set({ status: 'disabled' }).where(eq(users.id, world.users.direction.id));
    let sessionsBefore = await sessionCount();
    const first = await login({ accountId: 'psc-direction', acr: 'eidas1' });
    await assertRefused(first.res, 'compte_desactive', { reason: 'disabled' }, sessionsBefore);
    assert.equal((await identitiesOf('psc-direction')).length, 0);

    // Linked while active, disabled since.
    const ok = await login({ accountId: 'psc-coord', acr: 'eidas1' });
    assert.equal(ok.res.headers.location, '/');
    await t.platform.db.update(users).set({ status: 'disabled' }).where(eq(users.id, world.users.coordGht.id));
    sessionsBefore = await sessionCount();
    const again = await login({ accountId: 'psc-coord', acr: 'eidas1' });
    const entry = await assertRefused(again.res, 'compte_desactive', { reason: 'disabled' }, sessionsBefore);
    assert.equal(entry.actorId, world.users.coordGht.id);
  });

  test('an authentication below the required level (acr) is refused', async () => {
    const sessionsBefore = await sessionCount();
    const { res } = await login({ accountId: 'psc-rssi', acr: 'other' });
    await assertRefused(res, 'oidc_refus', { reason: 'acr_mismatch', acr: 'other' }, sessionsBefore);
  });

  test('a login refused at the provider comes back as a refusal', async () => {
    const sessionsBefore = await sessionCount();
    const { res } = await login({ deny: true });
    await assertRefused(res, 'oidc_refus', { reason: 'provider_error', error: 'access_denied' }, sessionsBefore);
  });

  test('without a valid state cookie, the callback does nothing', async () => {
    const started = await start();
    provider.next = { accountId: 'psc-rssi', acr: 'eidas1' };
    const back = await browseProvider(started.authorizationUrl.href);
    const sessionsBefore = await sessionCount();

    await assertRefused(await callback(back, []), 'oidc_session', { reason: 'no_pending_login' }, sessionsBefore);

    const value = started.cookie.slice(OIDC_COOKIE.length + 1);
    const flipped = `${value.slice(0, -2)}${value.at(-2) === 'A' ? 'B' : 'A'}${value.at(-1)}`;
    await assertRefused(await callback(back, [`${OIDC_COOKIE}=${flipped}`]), 'oidc_session', { reason: 'no_pending_login' }, sessionsBefore);
    await assertRefused(await callback(back, [`${OIDC_COOKIE}=not-even-sealed`]), 'oidc_session', { reason: 'no_pending_login' }, sessionsBefore);

    // The same content, but sealed with another server's key.
    const p = started.authorizationUrl.searchParams;
    const foreign = new SecretBox('another-secret-that-is-long-enough-for-hkdf-9876543210').seal(
      JSON.stringify({ purpose: 'oidc', state: p.get('state'), nonce: p.get('nonce'), codeVerifier: 'unknown-verifier', exp: t.clock.now().getTime() + 60_000 }),
    );
    await assertRefused(await callback(back, [`${OIDC_COOKIE}=${foreign}`]), 'oidc_session', { reason: 'no_pending_login' }, sessionsBefore);
  });

  test('an expired state cookie is refused', async () => {
    const started = await start();
    provider.next = { accountId: 'psc-rssi', acr: 'eidas1' };
    const back = await browseProvider(started.authorizationUrl.href);
    const sessionsBefore = await sessionCount();
    t.clock.advance(10 * 60_000 + 1_000);
    await assertRefused(await callback(back, [started.cookie]), 'oidc_session', { reason: 'no_pending_login' }, sessionsBefore);
  });

  test('the state must be the one of this browser’s own login', async () => {
    const mine = await start();
    const theirs = await start();
    provider.next = { accountId: 'psc-rssi', acr: 'eidas1' };
    const back = await browseProvider(theirs.authorizationUrl.href);
    const sessionsBefore = await sessionCount();
    await assertRefused(await callback(back, [mine.cookie]), 'oidc_refus', { reason: 'state_mismatch' }, sessionsBefore);
  });

  test('an ID token with another nonce is refused', async () => {
    const sessionsBefore = await sessionCount();
    const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { rewriteUrl: (url) => url.searchParams.set('nonce', 'a-nonce-chosen-by-somebody-else-0123456789') });
    await assertRefused(res, 'oidc_refus', { reason: 'invalid_response', claim: 'nonce' }, sessionsBefore);
  });

  test('a code obtained with another PKCE challenge is refused', async () => {
    const sessionsBefore = await sessionCount();
    const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { rewriteUrl: (url) => url.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM') });
    await assertRefused(res, 'oidc_refus', { reason: 'token_error', error: 'invalid_grant' }, sessionsBefore);
  });

  test('a code is good once: replaying the callback is refused', async () => {
    const { res, back, started } = await login({ accountId: 'psc-rssi', acr: 'eidas1' });
    assert.equal(res.headers.location, '/');
    const sessionsBefore = await sessionCount();
    const replay = await callback(back, [started.cookie]);
    await assertRefused(replay, 'oidc_refus', { reason: 'token_error', error: 'invalid_grant' }, sessionsBefore);
  });

  describe('ID token checks (the token endpoint answer is rewritten on its way)', () => {
    const resign = (change: (payload: Record<string, unknown>) => void) => (idToken: string) => {
      const { header, payload } = decodeJwt(idToken);
      change(payload);
      return signJwt(header, payload, provider.signingKey);
    };

    test('control: re-signed unchanged with the provider key, the token is accepted', async () => {
      let seen: Record<string, unknown> = {};
      const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { rewriteIdToken: resign((p) => (seen = { ...p })) });
      assert.equal(res.headers.location, '/');
      assert.ok(sessionCookieOf(res));
      // As with Pro Santé Connect, the e-mail is not in the ID token: it came from UserInfo.
      assert.equal(seen.sub, 'psc-rssi');
      assert.equal(seen.acr, 'eidas1');
      assert.equal(seen.email, undefined);
    });

    test('a token signed with another key is refused', async () => {
      const { privateKey: otherKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const sessionsBefore = await sessionCount();
      const { res } = await login(
        { accountId: 'psc-rssi', acr: 'eidas1' },
        {
          rewriteIdToken: (idToken) => {
            const { header, payload } = decodeJwt(idToken);
            return signJwt(header, payload, otherKey);
          },
        },
      );
      await assertRefused(res, 'oidc_refus', { reason: 'invalid_response', detail: /signature verification failed/ }, sessionsBefore);
    });

    test('a token whose claims were changed after signing is refused', async () => {
      // Somebody else's subject slipped into a genuine token: the signature no longer matches.
      const sessionsBefore = await sessionCount();
      const { res } = await login(
        { accountId: 'psc-unknown', acr: 'eidas1' },
        {
          rewriteIdToken: (idToken) => {
            const [header, payload, signature] = idToken.split('.');
            return [header, b64({ ...unb64(payload), sub: 'psc-rssi' }), signature].join('.');
          },
        },
      );
      await assertRefused(res, 'oidc_refus', { reason: 'invalid_response', detail: /signature verification failed/ }, sessionsBefore);
    });

    test('an unsigned token (alg none) is refused', async () => {
      const sessionsBefore = await sessionCount();
      const { res } = await login(
        { accountId: 'psc-rssi', acr: 'eidas1' },
        {
          rewriteIdToken: (idToken) => {
            const { payload } = decodeJwt(idToken);
            return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
          },
        },
      );
      await assertRefused(res, 'oidc_refus', { reason: 'invalid_response', detail: /"alg"/ }, sessionsBefore);
    });

    test('a token for another client (aud) is refused', async () => {
      const sessionsBefore = await sessionCount();
      const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { rewriteIdToken: resign((p) => Object.assign(p, { aud: 'another-client', azp: 'another-client' })) });
      await assertRefused(res, 'oidc_refus', { reason: 'invalid_response', claim: 'aud' }, sessionsBefore);
    });

    test('a token from another issuer is refused', async () => {
      const sessionsBefore = await sessionCount();
      const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { rewriteIdToken: resign((p) => Object.assign(p, { iss: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet' })) });
      await assertRefused(res, 'oidc_refus', { reason: 'invalid_response', claim: 'iss' }, sessionsBefore);
    });

    test('an expired token is refused', async () => {
      const now = Math.floor(Date.now() / 1000);
      const sessionsBefore = await sessionCount();
      const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { rewriteIdToken: resign((p) => Object.assign(p, { iat: now - 7200, exp: now - 3600 })) });
      await assertRefused(res, 'oidc_refus', { reason: 'invalid_response', code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', claim: 'exp' }, sessionsBefore);
    });

    test('a validly signed token with another acr is refused', async () => {
      const sessionsBefore = await sessionCount();
      const { res } = await login({ accountId: 'psc-rssi', acr: 'eidas1' }, { rewriteIdToken: resign((p) => Object.assign(p, { acr: 'eidas0' })) });
      await assertRefused(res, 'oidc_refus', { reason: 'acr_mismatch', acr: 'eidas0' }, sessionsBefore);
    });
  });

  test('no code, state or nonce is ever written to the audit log', async () => {
    assert.ok(secretsSeen.size > 20);
    const rows = await t.platform.db.select({ details: auditLog.details, actorLabel: auditLog.actorLabel }).from(auditLog);
    const text = JSON.stringify(rows);
    for (const secret of secretsSeen) if (secret) assert.ok(!text.includes(secret), 'a secret reached the audit log');
  });
});

test('plain http is refused for a provider that is not on this machine', async () => {
  await assert.rejects(
    createOidcClient({ issuer: 'http://auth.example.org', clientId: 'x', clientSecret: 'y', acr: 'eidas1' }, TEST_ORIGIN),
    /https/,
  );
});

test('without OIDC configuration, the login is not offered and its routes answer 404', async () => {
  const plain = await createTestApp();
  try {
    const info = await plain.app.inject({ method: 'GET', url: '/api/v1/auth/oidc' });
    assert.equal(info.statusCode, 200);
    assert.deepEqual(info.json(), { enabled: false, label: null });
    for (const url of ['/api/v1/auth/oidc/start', '/api/v1/auth/oidc/callback?code=x&state=y']) {
      const res = await plain.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'not_found');
      assert.equal(res.cookies.length, 0);
    }
  } finally {
    await plain.close();
  }
});
