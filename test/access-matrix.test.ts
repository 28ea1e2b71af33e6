/**
 * The security net every module extends.
 *
 * 1. Every route declares its access; policy routes name only actions their policy declares.
 * 2. Without a session every non-public operation answers 401; with a session still waiting
 *    for its second factor every operation past the login steps answers 401 mfa_required.
 * 3. Tenant isolation: every endpoint that targets an organisation's resource × every role of
 *    the world × our hospital and the clinic of the other region, against the table below.
 * 4. A refusal by a policy is written to the audit log.
 *
 * A new module adds: its public or own-account routes to the lists below (if any), a sample
 * for any input the generator cannot invent, and one ENDPOINTS row per organisation-scoped
 * endpoint.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { after, before, test } from 'node:test';
import { and, asc, eq, sql } from 'drizzle-orm';
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify';
import type { Role } from '../src/contracts/tenancy';
import * as assessmentSchema from '../src/server/modules/assessment/schema';
import { refreshScores } from '../src/server/modules/assessment/service';
import { syncObligations } from '../src/server/modules/incidents/obligations';
import * as incidentSchema from '../src/server/modules/incidents/schema';
import { invitations } from '../src/server/modules/identity/schema';
import { declaredActions } from '../src/server/platform/access/engine';
import { auditLog } from '../src/server/platform/audit/schema';
import { verifyAuditChain } from '../src/server/platform/audit/service';
import { authPlugin } from '../src/server/platform/auth/plugin';
import { hashPassword } from '../src/server/platform/auth/passwords';
import type { Platform } from '../src/server/platform/context';
import type { RouteAccess } from '../src/server/platform/http/access';
import { memberships, organisations, users } from '../src/server/platform/tenancy/schema';
import { Client, createTestApp, type TestApp } from './support/app';
import { completeContent } from './support/incidents';
import { PASSWORD, seedWorld, signIn, type World, type WorldUser } from './support/world';

// --- what is deliberately open -----------------------------------------------------------

/** Routes anyone may call. Adding one here is a security decision. */
const PUBLIC_ROUTES = new Set([
  'GET /api/health',
  'GET /api/openapi.json',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/password/reset-request',
  'POST /api/v1/auth/password/reset/info',
  'POST /api/v1/auth/password/reset',
  'GET /api/v1/auth/oidc',
  'GET /api/v1/auth/oidc/start',
  'GET /api/v1/auth/oidc/callback',
  'POST /api/v1/invitations/preview',
  'POST /api/v1/invitations/accept',
  // A feed reader cannot sign in: the personal feed token (hashed, revocable) is its key.
  'GET /api/v1/feeds/alerts.atom',
]);
/** The login steps: a session is enough, even one still waiting for its second factor. */
const SESSION_ROUTES = new Set([
  'GET /api/v1/auth/csrf',
  'POST /api/v1/auth/mfa',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/mfa/enrol',
  'POST /api/v1/auth/mfa/enrol/confirm',
]);
/** A signed-in person acting on his own account only; everything else goes through a policy. */
const SIGNED_IN_ROUTES = new Set([
  'GET /api/v1/me',
  'PATCH /api/v1/me',
  'POST /api/v1/me/active-organisation',
  'POST /api/v1/auth/mfa/recovery-codes',
  'POST /api/v1/auth/password/change',
  'GET /api/v1/notifications',
  'POST /api/v1/notifications/:id/read',
  'POST /api/v1/notifications/read-all',
  'GET /api/v1/feeds/tokens',
  'POST /api/v1/feeds/tokens',
  'DELETE /api/v1/feeds/tokens/:id',
]);

/** Inputs the sample generator cannot invent from the OpenAPI schema (string formats lost in the document, patterns). */
const SAMPLE_BY_NAME: Record<string, unknown> = {
  email: 'personne@example.fr',
  code: '123456',
  password: 'une longue phrase de passe',
  currentPassword: 'une longue phrase de passe',
  newPassword: 'une autre longue phrase de passe',
  finess: '590000011',
  from: '2026-01-01',
  to: '2026-01-31',
};

// --- the app, its routes as registered, the world -----------------------------------------

interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess | undefined;
}

let t: TestApp;
let world: World;
let openapi: OpenApiDocument;
const registered = new Map<string, RegisteredRoute>();
const clients = {} as Record<WorldUser, Client>;
const ROLES: readonly WorldUser[] = ['agent', 'referent', 'rssi', 'direction', 'coordGht', 'coordRegion', 'ehpadRssi', 'foreignRssi', 'foreignCoord', 'admin'];

/**
 * Fastify announces each new instance on this diagnostics channel before anything is
 * registered on it: an onRoute hook added there sees every route with its config.
 */
function collectRoutes(message: unknown) {
  const { fastify } = message as { fastify: FastifyInstance };
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue; // Fastify's automatic twin of each GET
      registered.set(`${method} ${route.url}`, { method, url: route.url, access: route.config?.access });
    }
  });
}

before(async () => {
  diagnostics.subscribe('fastify.initialization', collectRoutes);
  try {
    t = await createTestApp();
  } finally {
    diagnostics.unsubscribe('fastify.initialization', collectRoutes);
  }
  world = await seedWorld(t.platform.db);
  openapi = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  for (const role of ROLES) clients[role] = await signIn(t, world.users[role].email);
});
after(async () => {
  await t?.close();
});

// --- OpenAPI operations and sample inputs ------------------------------------------------

interface JsonSchema {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
}
interface OpenApiOperation {
  parameters?: { in: 'path' | 'query' | 'header' | 'cookie'; name: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}
interface Operation {
  method: string;
  /** as registered in Fastify: /api/v1/users/:id/status */
  route: string;
  op: OpenApiOperation;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

function operations(): Operation[] {
  const list: Operation[] = [];
  for (const [path, item] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      list.push({ method: method.toUpperCase(), route: path.replace(/\{([^}]+)\}/g, ':$1'), op });
    }
  }
  return list;
}
const keyOf = (o: { method: string; route: string }) => `${o.method} ${o.route}`;

function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = openapi.components?.schemas?.[name];
    assert.ok(target, `unresolved reference ${schema.$ref}`);
    return resolve(target);
  }
  return schema;
}

/** A value the route's schema accepts, so that what is tested is the access check, not the validation. */
function sample(raw: JsonSchema, name: string): unknown {
  const schema = resolve(raw);
  if (schema.allOf?.length) return sample(Object.assign({}, ...schema.allOf.map(resolve)), name);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return sample(alternatives.find((s) => resolve(s).type !== 'null') ?? alternatives[0], name);
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const type = [schema.type].flat().find((x) => x !== 'null');
  switch (type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const key of schema.required ?? []) value[key] = sample(schema.properties?.[key] ?? {}, key);
      return value;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items ?? {}, name));
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, 1);
    case 'boolean':
      return false;
    case 'string': {
      if (schema.format === 'uuid') return randomUUID();
      if (name in SAMPLE_BY_NAME) return SAMPLE_BY_NAME[name];
      if (schema.format === 'date') return '2026-01-01';
      if (schema.format === 'date-time') return new Date().toISOString();
      assert.ok(!schema.pattern, `no sample for "${name}" (pattern ${schema.pattern}): add one to SAMPLE_BY_NAME`);
      return 'x'.repeat(Math.min(Math.max(schema.minLength ?? 1, 24), schema.maxLength ?? 24));
    }
    default:
      return {};
  }
}

/** The operation called with a random uuid for each path parameter and valid sample query and body. */
function requestFor(o: Operation): { url: string; body: unknown } {
  let url = o.route;
  const query = new URLSearchParams();
  for (const p of o.op.parameters ?? []) {
    if (p.in === 'path') url = url.replace(`:${p.name}`, encodeURIComponent(String(sample(p.schema, p.name))));
    if (p.in === 'query' && p.required) query.set(p.name, String(sample(p.schema, p.name)));
  }
  const json = o.op.requestBody?.content['application/json']?.schema;
  return { url: query.size ? `${url}?${query}` : url, body: json ? sample(json, 'body') : undefined };
}

// --- 1. every route declares its access ----------------------------------------------------

test('every /api/v1 route declares its access, and policy routes name only actions their policy declares', () => {
  const api = [...registered.values()].filter((r) => r.url.startsWith('/api/v1/'));
  assert.ok(api.length >= 20 && registered.has('GET /api/v1/me'), 'the routes were collected with their full URL');
  for (const r of api) {
    const key = `${r.method} ${r.url}`;
    assert.ok(r.access, `${key} declares no access`);
    if (r.access === 'public') assert.ok(PUBLIC_ROUTES.has(key), `${key} is public but not in PUBLIC_ROUTES`);
    else if (r.access === 'session') assert.ok(SESSION_ROUTES.has(key), `${key} only needs a session but is not a login step (SESSION_ROUTES)`);
    else if (r.access === 'signed-in') assert.ok(SIGNED_IN_ROUTES.has(key), `${key} is 'signed-in' but not about one's own account: declare a policy`);
    else {
      const { policy, actions } = r.access;
      const declared = declaredActions(policy.module);
      assert.ok(declared, `${key}: policy "${policy.module}" is not registered`);
      assert.deepEqual(declared, Object.keys(policy.rules), `${key}: the registered "${policy.module}" policy is another object`);
      assert.ok(actions.length > 0, `${key}: a policy route names the actions it checks`);
      for (const action of actions) assert.ok(declared.includes(action), `${key}: action "${action}" is not declared in policy "${policy.module}"`);
    }
  }
  // Each list names routes that exist (or are announced, for the OIDC ones) with that very access.
  for (const [list, access] of [
    [SESSION_ROUTES, 'session'],
    [SIGNED_IN_ROUTES, 'signed-in'],
  ] as const) {
    for (const key of list) assert.equal(registered.get(key)?.access, access, `${key} should be '${access}'`);
  }
});

test('the OpenAPI document lists every /api/v1 route, and only registered ones', () => {
  const documented = new Set(operations().map(keyOf));
  for (const key of documented) assert.ok(registered.has(key), `${key} is documented but not registered`);
  for (const key of registered.keys()) {
    if (key.split(' ')[1].startsWith('/api/v1/')) assert.ok(documented.has(key), `${key} is missing from the OpenAPI document`);
  }
});

test('the auth plugin refuses to register an /api/v1 route that declares no access', async () => {
  const bare = Fastify({ logger: false });
  await bare.register(authPlugin, { platform: {} as Platform });
  bare.register(
    async (api) => {
      api.get('/bare', async () => ({ ok: true }));
    },
    { prefix: '/api/v1' },
  );
  await assert.rejects(async () => {
    await bare.ready();
  }, /GET \/api\/v1\/bare declares no access/);

  // The same with a declared access, and a route outside the API, is fine.
  const declared = Fastify({ logger: false });
  await declared.register(authPlugin, { platform: {} as Platform });
  await declared.register(
    async (api) => {
      api.get('/declared', { config: { access: 'public' } }, async () => ({ ok: true }));
    },
    { prefix: '/api/v1' },
  );
  declared.get('/outside', async () => ({ ok: true }));
  await declared.ready();
  assert.equal((await declared.inject({ method: 'GET', url: '/api/v1/declared' })).statusCode, 200);
  assert.equal((await declared.inject({ method: 'GET', url: '/outside' })).statusCode, 200);
  await declared.close();
});

// --- 2. authentication ------------------------------------------------------------------------

test('without a session, every operation but the public ones answers 401', async () => {
  const anonymous = new Client(t.app);
  let checked = 0;
  for (const o of operations()) {
    const key = keyOf(o);
    if (PUBLIC_ROUTES.has(key)) continue;
    const { url, body } = requestFor(o);
    const res = await anonymous.request(o.method as never, url, body);
    assert.equal(res.statusCode, 401, `${key} without a session: ${res.statusCode} ${res.body}${res.statusCode === 400 ? ' (sample input rejected: add one to SAMPLE_BY_NAME)' : ''}`);
    assert.equal(res.json().error.code, 'unauthenticated', key);
    checked++;
  }
  assert.ok(checked >= 20, `only ${checked} operations checked`);
  for (const url of ['/api/health', '/api/openapi.json']) assert.equal((await anonymous.get(url)).statusCode, 200, `${url} is public`);
});

async function assertMfaWall(client: Client, who: string, code: 'mfa_required' | 'mfa_enrolment_required') {
  let checked = 0;
  for (const o of operations()) {
    const key = keyOf(o);
    if (PUBLIC_ROUTES.has(key) || SESSION_ROUTES.has(key)) continue;
    const { url, body } = requestFor(o);
    const res = await client.request(o.method as never, url, body);
    assert.equal(res.statusCode, 401, `${key} with ${who}: ${res.statusCode} ${res.body}`);
    assert.equal(res.json().error.code, code, `${key} with ${who}`);
    checked++;
  }
  assert.ok(checked >= 15, `only ${checked} operations checked`);
  // The session itself is alive: the login steps answer.
  assert.equal((await client.get('/api/v1/auth/csrf')).statusCode, 200, `${who}: the login steps are open`);
}

test('a session still waiting for its TOTP code gets 401 mfa_required everywhere but the login steps', async () => {
  const pending = new Client(t.app);
  const login = await pending.post('/api/v1/auth/login', { email: world.users.rssi.email, password: PASSWORD });
  assert.equal(login.statusCode, 200);
  assert.deepEqual(login.json(), { mfaRequired: true, mfaEnrollmentRequired: false });
  await assertMfaWall(pending, 'a session waiting for its code', 'mfa_required');
});

test('a session that must first enrol a second factor gets 401 mfa_required everywhere but the login steps', async () => {
  const [u] = await t.platform.db
    .insert(users)
    .values({ email: 'not.enrolled.direction@test.hygie.fr', displayName: 'Direction sans TOTP', passwordHash: await hashPassword(PASSWORD) })
    .returning({ id: users.id });
  await t.platform.db.insert(memberships).values({ userId: u.id, orgId: world.orgs.ehpad, role: 'direction' });
  const enrol = new Client(t.app);
  const login = await enrol.post('/api/v1/auth/login', { email: 'not.enrolled.direction@test.hygie.fr', password: PASSWORD });
  assert.deepEqual(login.json(), { mfaRequired: false, mfaEnrollmentRequired: true });
  await assertMfaWall(enrol, 'a session that must enrol', 'mfa_enrolment_required');
});

// --- 3. tenant isolation -------------------------------------------------------------------------

type Target = 'hospital' | 'clinic';
const TARGETS: readonly Target[] = ['hospital', 'clinic'];
const NORTH_MANAGERS: readonly WorldUser[] = ['rssi', 'direction', 'coordGht', 'coordRegion', 'admin'];
const SOUTH_MANAGERS: readonly WorldUser[] = ['foreignRssi', 'foreignCoord', 'admin'];
const MANAGERS: Record<Target, readonly WorldUser[]> = { hospital: NORTH_MANAGERS, clinic: SOUTH_MANAGERS };
const NORTH_USERS: readonly WorldUser[] = ['agent', 'referent', 'rssi', 'direction', 'coordGht', 'coordRegion', 'ehpadRssi'];
const SOUTH_USERS: readonly WorldUser[] = ['foreignRssi', 'foreignCoord'];

interface Cell {
  role: WorldUser;
  target: Target;
  /** unique per endpoint × role × target, for the data each cell creates */
  tag: string;
}
interface Outcome {
  res: LightMyRequestResponse;
  /** Checks the effect in the database or in the answer, knowing whether the call was allowed. */
  effect(allowed: boolean): Promise<void>;
}
interface Endpoint {
  name: string;
  /** who gets a 2xx, per target; everyone else must get 403 or 404 */
  allowed: Record<Target, readonly WorldUser[]>;
  run(client: Client, cell: Cell): Promise<Outcome>;
}

/** Ids and e-mail addresses that belong to a tenant: none may appear in an answer about the other one. */
const markers: Record<Target, string[]> = { hospital: [], clinic: [] };
function worldMarkers() {
  const o = world.orgs;
  markers.hospital.push(o.north, o.ght, o.hospital, o.site, o.service, o.ehpad, ...NORTH_USERS.flatMap((u) => [world.users[u].id, world.users[u].email]));
  markers.clinic.push(o.south, o.clinic, ...SOUTH_USERS.flatMap((u) => [world.users[u].id, world.users[u].email]));
}
const other = (target: Target): Target => (target === 'hospital' ? 'clinic' : 'hospital');
const orgOf = (target: Target) => world.orgs[target];

async function subtree(target: Target): Promise<Set<string>> {
  const root = orgOf(target);
  const rows = await t.platform.db
    .select({ id: organisations.id })
    .from(organisations)
    .where(sql`${organisations.id} = ${root} or ${root}::uuid = any(${organisations.ancestors})`);
  return new Set(rows.map((r) => r.id));
}

/** A person who belongs to the target organisation only. */
async function memberOf(cell: Cell, role: Role = 'agent') {
  const email = `fx-${cell.tag}@test.hygie.fr`;
  const [u] = await t.platform.db.insert(users).values({ email, displayName: `Fixture ${cell.tag}` }).returning({ id: users.id });
  await t.platform.db.insert(memberships).values({ userId: u.id, orgId: orgOf(cell.target), role });
  markers[cell.target].push(u.id, email);
  return { id: u.id, email };
}

/** A pending invitation to the target organisation. */
async function pendingInvitation(cell: Cell) {
  const email = `fxi-${cell.tag}@test.hygie.fr`;
  const [row] = await t.platform.db
    .insert(invitations)
    .values({
      tokenHash: randomBytes(32).toString('hex'),
      email,
      orgId: orgOf(cell.target),
      role: 'agent',
      invitedBy: world.users.admin.id,
      expiresAt: new Date(t.clock.now().getTime() + 7 * 24 * 3_600_000),
    })
    .returning({ id: invitations.id });
  markers[cell.target].push(row.id, email);
  return { id: row.id, email };
}

/** Who reads, edits, submits, validates and reopens an establishment's assessments (assessment policy). */
const ASSESSMENT_READERS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction', 'coordGht', 'coordRegion'], clinic: ['foreignRssi', 'foreignCoord'] };
const ASSESSMENT_EDITORS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction', 'coordGht'], clinic: ['foreignRssi'] };
const ASSESSMENT_SUBMITTERS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'coordGht'], clinic: ['foreignRssi'] };
/** Nobody holds the direction role in the clinic. */
const ASSESSMENT_VALIDATORS: Record<Target, readonly WorldUser[]> = { hospital: ['direction'], clinic: [] };
const ASSESSMENT_REOPENERS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction', 'coordGht'], clinic: ['foreignRssi'] };

const ENDPOINTS: Endpoint[] = [
  {
    name: 'GET /organisations?under',
    allowed: MANAGERS,
    async run(c, cell) {
      const res = await c.get(`/api/v1/organisations?under=${orgOf(cell.target)}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          const ids = (res.json().organisations as { id: string }[]).map((o) => o.id);
          const scope = await subtree(cell.target);
          assert.ok(ids.includes(orgOf(cell.target)) && ids.every((id) => scope.has(id)), 'the subtree, and only it');
        },
      };
    },
  },
  {
    name: 'PATCH /organisations/:id',
    allowed: MANAGERS,
    async run(c, cell) {
      const [before] = await t.platform.db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, orgOf(cell.target)));
      const name = `Établissement ${cell.tag}`;
      const res = await c.patch(`/api/v1/organisations/${orgOf(cell.target)}`, { name });
      return {
        res,
        async effect(allowed) {
          const [row] = await t.platform.db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, orgOf(cell.target)));
          assert.equal(row.name, allowed ? name : before.name);
        },
      };
    },
  },
  {
    name: 'GET /users',
    allowed: MANAGERS,
    async run(c, cell) {
      const member = await memberOf(cell);
      const res = await c.get(`/api/v1/users?orgId=${orgOf(cell.target)}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          const list = res.json().users as { id: string; memberships: { orgId: string }[] }[];
          const scope = await subtree(cell.target);
          assert.ok(
            list.some((u) => u.id === member.id),
            'the member is listed',
          );
          assert.ok(list.every((u) => u.memberships.every((m) => scope.has(m.orgId))), 'only memberships of the subtree');
        },
      };
    },
  },
  {
    name: 'POST /users/:id/status',
    allowed: MANAGERS,
    async run(c, cell) {
      const member = await memberOf(cell);
      const res = await c.post(`/api/v1/users/${member.id}/status`, { orgId: orgOf(cell.target), status: 'disabled' });
      return {
        res,
        async effect(allowed) {
          const [row] = await t.platform.db.select({ status: users.status }).from(users).where(eq(users.id, member.id));
          assert.equal(row.status, allowed ? 'disabled' : 'active');
        },
      };
    },
  },
  {
    name: 'PUT /users/:id/membership',
    allowed: MANAGERS,
    async run(c, cell) {
      const member = await memberOf(cell);
      const res = await c.put(`/api/v1/users/${member.id}/membership`, { orgId: orgOf(cell.target), role: 'referent' });
      return {
        res,
        async effect(allowed) {
          const [row] = await t.platform.db
            .select({ role: memberships.role })
            .from(memberships)
            .where(and(eq(memberships.userId, member.id), eq(memberships.orgId, orgOf(cell.target))));
          assert.equal(row.role, allowed ? 'referent' : 'agent');
        },
      };
    },
  },
  {
    name: 'DELETE /users/:id/membership',
    allowed: MANAGERS,
    async run(c, cell) {
      const member = await memberOf(cell);
      const res = await c.delete(`/api/v1/users/${member.id}/membership?orgId=${orgOf(cell.target)}`);
      return {
        res,
        async effect(allowed) {
          const rows = await t.platform.db.select().from(memberships).where(eq(memberships.userId, member.id));
          assert.equal(rows.length, allowed ? 0 : 1);
        },
      };
    },
  },
  {
    name: 'GET /invitations',
    allowed: MANAGERS,
    async run(c, cell) {
      const invitation = await pendingInvitation(cell);
      const res = await c.get(`/api/v1/invitations?orgId=${orgOf(cell.target)}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          const list = res.json().invitations as { id: string; orgId: string }[];
          const scope = await subtree(cell.target);
          assert.ok(
            list.some((i) => i.id === invitation.id),
            'the invitation is listed',
          );
          assert.ok(list.every((i) => scope.has(i.orgId)), 'only invitations of the subtree');
        },
      };
    },
  },
  {
    name: 'POST /invitations',
    allowed: MANAGERS,
    async run(c, cell) {
      const email = `new-${cell.tag}@test.hygie.fr`;
      markers[cell.target].push(email);
      const res = await c.post('/api/v1/invitations', { email, orgId: orgOf(cell.target), role: 'agent' });
      return {
        res,
        async effect(allowed) {
          const rows = await t.platform.db.select().from(invitations).where(eq(invitations.email, email));
          assert.equal(rows.length, allowed ? 1 : 0);
        },
      };
    },
  },
  {
    name: 'POST /invitations/:id/revoke',
    allowed: MANAGERS,
    async run(c, cell) {
      const invitation = await pendingInvitation(cell);
      const res = await c.post(`/api/v1/invitations/${invitation.id}/revoke`);
      return {
        res,
        async effect(allowed) {
          const [row] = await t.platform.db.select({ revokedAt: invitations.revokedAt }).from(invitations).where(eq(invitations.id, invitation.id));
          assert.equal(row.revokedAt !== null, allowed);
        },
      };
    },
  },
  {
    name: 'GET /audit',
    allowed: MANAGERS,
    async run(c, cell) {
      const res = await c.get(`/api/v1/audit?orgId=${orgOf(cell.target)}&pageSize=200`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          const entries = res.json().entries as { orgId: string | null }[];
          const scope = await subtree(cell.target);
          assert.ok(entries.length > 0, 'the log of the target is not empty');
          assert.ok(entries.every((e) => e.orgId !== null && scope.has(e.orgId)), 'only entries of the subtree');
        },
      };
    },
  },
  {
    name: 'GET /audit/export.csv',
    allowed: MANAGERS,
    async run(c, cell) {
      const res = await c.get(`/api/v1/audit/export.csv?orgId=${orgOf(cell.target)}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          assert.match(String(res.headers['content-type']), /^text\/csv/);
          assert.ok(res.body.includes(orgOf(cell.target)), 'entries of the target are exported');
        },
      };
    },
  },
  // --- remediation plan (fixtures written inline: an action, or a framework with one gap) ---
  {
    name: 'GET /plan/actions',
    allowed: { hospital: ['rssi', 'direction', 'coordGht', 'coordRegion'], clinic: ['foreignRssi', 'foreignCoord'] },
    async run(c, cell) {
      const { actions } = assessmentSchema;
      const [action] = await t.platform.db.insert(actions).values({ orgId: orgOf(cell.target), title: `Action ${cell.tag}` }).returning({ id: actions.id });
      markers[cell.target].push(action.id);
      const res = await c.get(`/api/v1/plan/actions?orgId=${orgOf(cell.target)}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          const list = res.json().actions as { id: string; orgId: string }[];
          const scope = await subtree(cell.target);
          assert.ok(
            list.some((a) => a.id === action.id),
            'the action is listed',
          );
          assert.ok(
            list.every((a) => scope.has(a.orgId)),
            'only actions of the subtree',
          );
        },
      };
    },
  },
  {
    name: 'POST /plan/actions',
    allowed: { hospital: ['rssi', 'direction', 'coordGht'], clinic: ['foreignRssi'] },
    async run(c, cell) {
      const { actions } = assessmentSchema;
      const title = `Action ${cell.tag}`;
      const res = await c.post('/api/v1/plan/actions', { orgId: orgOf(cell.target), title });
      return {
        res,
        async effect(allowed) {
          const rows = await t.platform.db.select({ id: actions.id, orgId: actions.orgId }).from(actions).where(eq(actions.title, title));
          assert.equal(rows.length, allowed ? 1 : 0);
          assert.ok(rows.every((r) => r.orgId === orgOf(cell.target)));
          markers[cell.target].push(...rows.map((r) => r.id));
        },
      };
    },
  },
  {
    name: 'PATCH /plan/actions/:id',
    allowed: { hospital: ['rssi', 'direction', 'coordGht'], clinic: ['foreignRssi'] },
    async run(c, cell) {
      const { actions } = assessmentSchema;
      const [action] = await t.platform.db.insert(actions).values({ orgId: orgOf(cell.target), title: `Action ${cell.tag}` }).returning({ id: actions.id });
      markers[cell.target].push(action.id);
      const res = await c.patch(`/api/v1/plan/actions/${action.id}`, { status: 'done' });
      return {
        res,
        async effect(allowed) {
          const [row] = await t.platform.db.select({ status: actions.status }).from(actions).where(eq(actions.id, action.id));
          assert.equal(row.status, allowed ? 'done' : 'todo');
        },
      };
    },
  },
  {
    name: 'DELETE /plan/actions/:id',
    allowed: { hospital: ['rssi', 'direction', 'coordGht'], clinic: ['foreignRssi'] },
    async run(c, cell) {
      const { actions } = assessmentSchema;
      const [action] = await t.platform.db.insert(actions).values({ orgId: orgOf(cell.target), title: `Action ${cell.tag}` }).returning({ id: actions.id });
      markers[cell.target].push(action.id);
      const res = await c.delete(`/api/v1/plan/actions/${action.id}`);
      return {
        res,
        async effect(allowed) {
          const rows = await t.platform.db.select({ id: actions.id }).from(actions).where(eq(actions.id, action.id));
          assert.equal(rows.length, allowed ? 0 : 1);
        },
      };
    },
  },
  {
    name: 'GET /assessments/:id/suggestions',
    allowed: { hospital: ['rssi', 'direction', 'coordGht', 'coordRegion'], clinic: ['foreignRssi', 'foreignCoord'] },
    async run(c, cell) {
      const { frameworks, frameworkNodes, assessments, answers } = assessmentSchema;
      const base = `urn:matrix-plan:${cell.tag}`;
      const [fw] = await t.platform.db.insert(frameworks).values({ libraryUrn: base, urn: `${base}:fw`, refId: 'plan', name: 'Référentiel du plan', version: 1, origin: 'import' }).returning({ id: frameworks.id });
      const [node] = await t.platform.db
        .insert(frameworkNodes)
        .values({ frameworkId: fw.id, urn: `${base}:m1`, refId: 'P-1', name: 'Mesure', depth: 1, assessable: true, position: 0, priority: 'essential', suggestedActions: [`Suggestion ${cell.tag}`] })
        .returning({ id: frameworkNodes.id });
      const [assessment] = await t.platform.db.insert(assessments).values({ orgId: orgOf(cell.target), frameworkId: fw.id, title: `Diagnostic ${cell.tag}` }).returning({ id: assessments.id });
      await t.platform.db.insert(answers).values({ assessmentId: assessment.id, nodeId: node.id, status: 'non' });
      markers[cell.target].push(assessment.id);
      const res = await c.get(`/api/v1/assessments/${assessment.id}/suggestions`);
      return {
        res,
        async effect(allowed) {
          if (allowed) assert.deepEqual(res.json().suggestions, [{ nodeId: node.id, refId: 'P-1', measure: 'Mesure', title: `Suggestion ${cell.tag}`, priority: 'high' }]);
        },
      };
    },
  },
  {
    name: 'POST /assessments/:id/suggestions',
    allowed: { hospital: ['rssi', 'direction', 'coordGht'], clinic: ['foreignRssi'] },
    async run(c, cell) {
      const { frameworks, frameworkNodes, assessments, actions } = assessmentSchema;
      const base = `urn:matrix-plan:${cell.tag}`;
      const [fw] = await t.platform.db.insert(frameworks).values({ libraryUrn: base, urn: `${base}:fw`, refId: 'plan', name: 'Référentiel du plan', version: 1, origin: 'import' }).returning({ id: frameworks.id });
      const [node] = await t.platform.db
        .insert(frameworkNodes)
        .values({ frameworkId: fw.id, urn: `${base}:m1`, refId: 'P-1', name: 'Mesure', depth: 1, assessable: true, position: 0, priority: 'essential' })
        .returning({ id: frameworkNodes.id });
      const [assessment] = await t.platform.db.insert(assessments).values({ orgId: orgOf(cell.target), frameworkId: fw.id, title: `Diagnostic ${cell.tag}` }).returning({ id: assessments.id });
      markers[cell.target].push(assessment.id);
      const title = `Suggestion ${cell.tag}`;
      const res = await c.post(`/api/v1/assessments/${assessment.id}/suggestions`, { items: [{ nodeId: node.id, title }] });
      return {
        res,
        async effect(allowed) {
          const rows = await t.platform.db.select({ id: actions.id, orgId: actions.orgId, assessmentId: actions.assessmentId }).from(actions).where(eq(actions.title, title));
          assert.equal(rows.length, allowed ? 1 : 0);
          assert.ok(rows.every((r) => r.orgId === orgOf(cell.target) && r.assessmentId === assessment.id));
          markers[cell.target].push(...rows.map((r) => r.id));
        },
      };
    },
  },
  // --- assessments (fixtures: assessmentFixture and friends, below the table) ---
  {
    name: 'GET /assessments?orgId',
    allowed: ASSESSMENT_READERS,
    async run(c, cell) {
      const id = await assessmentFixture(cell);
      const res = await c.get(`/api/v1/assessments?orgId=${orgOf(cell.target)}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          const list = res.json().assessments as { id: string; orgId: string }[];
          const scope = await subtree(cell.target);
          assert.ok(list.some((a) => a.id === id), 'the assessment is listed');
          assert.ok(list.every((a) => scope.has(a.orgId)), 'only assessments of the subtree');
        },
      };
    },
  },
  {
    name: 'POST /assessments',
    allowed: ASSESSMENT_EDITORS,
    async run(c, cell) {
      const title = `Diagnostic ${cell.tag}`;
      const res = await c.post('/api/v1/assessments', { orgId: orgOf(cell.target), frameworkId: (await assessmentFramework()).id, title });
      return {
        res,
        async effect(allowed) {
          const rows = await t.platform.db.select({ id: assessmentSchema.assessments.id }).from(assessmentSchema.assessments).where(eq(assessmentSchema.assessments.title, title));
          assert.equal(rows.length, allowed ? 1 : 0);
          markers[cell.target].push(...rows.map((r) => r.id));
        },
      };
    },
  },
  {
    name: 'GET /assessments/:id',
    allowed: ASSESSMENT_READERS,
    async run(c, cell) {
      const id = await assessmentFixture(cell);
      const res = await c.get(`/api/v1/assessments/${id}`);
      return {
        res,
        async effect(allowed) {
          if (allowed) assert.equal(res.json().assessment.id, id);
        },
      };
    },
  },
  {
    name: 'PUT /assessments/:id/answers/:nodeId',
    allowed: ASSESSMENT_EDITORS,
    async run(c, cell) {
      const id = await assessmentFixture(cell);
      const [nodeId] = (await assessmentFramework()).measures;
      const res = await c.put(`/api/v1/assessments/${id}/answers/${nodeId}`, { version: 0, status: 'oui' });
      return {
        res,
        async effect(allowed) {
          const rows = await t.platform.db.select().from(assessmentSchema.answers).where(eq(assessmentSchema.answers.assessmentId, id));
          assert.equal(rows.length, allowed ? 1 : 0);
          const [row] = await t.platform.db.select({ answered: assessmentSchema.assessments.answeredCount }).from(assessmentSchema.assessments).where(eq(assessmentSchema.assessments.id, id));
          assert.equal(row.answered, allowed ? 1 : 0, 'the maintained progress follows');
        },
      };
    },
  },
  {
    name: 'POST /assessments/:id/submit',
    allowed: ASSESSMENT_SUBMITTERS,
    async run(c, cell) {
      const id = await assessmentFixture(cell, { status: 'draft', answered: true });
      const res = await c.post(`/api/v1/assessments/${id}/submit`);
      return { res, effect: async (allowed) => assert.equal(await assessmentStatus(id), allowed ? 'submitted' : 'draft') };
    },
  },
  {
    name: 'POST /assessments/:id/validate',
    allowed: ASSESSMENT_VALIDATORS,
    async run(c, cell) {
      const id = await assessmentFixture(cell, { status: 'submitted', answered: true });
      const res = await c.post(`/api/v1/assessments/${id}/validate`);
      return { res, effect: async (allowed) => assert.equal(await assessmentStatus(id), allowed ? 'validated' : 'submitted') };
    },
  },
  {
    name: 'POST /assessments/:id/reopen',
    allowed: ASSESSMENT_REOPENERS,
    async run(c, cell) {
      const id = await assessmentFixture(cell, { status: 'submitted', answered: true });
      const res = await c.post(`/api/v1/assessments/${id}/reopen`);
      return { res, effect: async (allowed) => assert.equal(await assessmentStatus(id), allowed ? 'draft' : 'submitted') };
    },
  },
  {
    name: 'POST /assessments/:id/evidence',
    allowed: ASSESSMENT_EDITORS,
    async run(c, cell) {
      const id = await assessmentFixture(cell);
      const [nodeId] = (await assessmentFramework()).measures;
      const boundary = `----matrix${randomBytes(6).toString('hex')}`;
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="nodeId"\r\n\r\n${nodeId}\r\n`),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="preuve.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
        MATRIX_PDF,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const res = await c.request('POST', `/api/v1/assessments/${id}/evidence`, body, { 'content-type': `multipart/form-data; boundary=${boundary}` });
      return { res, effect: async (allowed) => assert.equal((await evidenceOf(id)).length, allowed ? 1 : 0) };
    },
  },
  {
    name: 'POST /assessments/:id/evidence/link',
    allowed: ASSESSMENT_EDITORS,
    async run(c, cell) {
      const id = await assessmentFixture(cell);
      const [nodeId] = (await assessmentFramework()).measures;
      const res = await c.post(`/api/v1/assessments/${id}/evidence/link`, { nodeId, url: 'https://intranet.example.fr/pca' });
      return { res, effect: async (allowed) => assert.equal((await evidenceOf(id)).length, allowed ? 1 : 0) };
    },
  },
  {
    name: 'GET /assessments/:id/evidence/:evidenceId',
    allowed: ASSESSMENT_READERS,
    async run(c, cell) {
      const id = await assessmentFixture(cell);
      const evidenceId = await fileEvidenceFixture(id);
      const res = await c.get(`/api/v1/assessments/${id}/evidence/${evidenceId}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          assert.deepEqual(res.rawPayload, MATRIX_PDF);
          assert.match(String(res.headers['content-disposition']), /^attachment;/);
        },
      };
    },
  },
  {
    name: 'DELETE /assessments/:id/evidence/:evidenceId',
    allowed: ASSESSMENT_EDITORS,
    async run(c, cell) {
      const id = await assessmentFixture(cell);
      const evidenceId = await fileEvidenceFixture(id);
      const res = await c.delete(`/api/v1/assessments/${id}/evidence/${evidenceId}`);
      return { res, effect: async (allowed) => assert.equal((await evidenceOf(id)).length, allowed ? 0 : 1) };
    },
  },
  {
    name: 'GET /assessments/:id/compare',
    allowed: ASSESSMENT_READERS,
    async run(c, cell) {
      const left = await assessmentFixture(cell);
      const right = await assessmentFixture(cell, { status: 'submitted', answered: true });
      const res = await c.get(`/api/v1/assessments/${left}/compare?with=${right}`);
      return {
        res,
        async effect(allowed) {
          if (!allowed) return;
          assert.equal(res.json().rows.length, (await assessmentFramework()).nodeCount);
          assert.equal(res.json().right.id, right);
        },
      };
    },
  },
  // --- report for the direction and exports of answers (read-only, each file audited) ---
  ...(
    [
      ['report.pdf', 'assessment.report.generated', /^application\/pdf/],
      ['export.csv', 'assessment.answers.exported', /^text\/csv/],
      ['export.xlsx', 'assessment.answers.exported', /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/],
    ] as const
  ).map(
    ([file, action, type]): Endpoint => ({
      name: `GET /assessments/:id/${file}`,
      allowed: ASSESSMENT_READERS,
      async run(c, cell) {
        const id = await assessmentFixture(cell, { answered: true });
        const res = await c.get(`/api/v1/assessments/${id}/${file}`);
        return {
          res,
          async effect(allowed) {
            const entries = await t.platform.db
              .select({ seq: auditLog.seq })
              .from(auditLog)
              .where(and(eq(auditLog.action, action), eq(auditLog.targetId, id)));
            assert.equal(entries.length, allowed ? 1 : 0, 'each file handed out is audited, nothing else');
            if (allowed) {
              assert.match(String(res.headers['content-type']), type);
              assert.match(String(res.headers['content-disposition']), /^attachment; filename="[a-z0-9.-]+"$/);
            }
          },
        };
      },
    }),
  ),
  // --- campaigns, funding programmes, observatory (region.ts; fixtures inside this block) ---
  ...((): Endpoint[] => {
    const regionOf = (target: Target) => (target === 'hospital' ? world.orgs.north : world.orgs.south);
    /** Campaigns, programmes' reviews and the observatory: the coordinator of the target's region. */
    const COORDINATORS: Record<Target, readonly WorldUser[]> = { hospital: ['coordRegion'], clinic: ['foreignCoord'] };
    /** Funding declarations: the establishment's RSSI and direction (nobody is direction in the clinic). */
    const DECLARERS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction'], clinic: ['foreignRssi'] };
    const S = assessmentSchema;
    /** A campaign of the target's region with a draft assessment for the target. */
    async function campaignFixture(cell: Cell) {
      const [campaign] = await t.platform.db
        .insert(S.campaigns)
        .values({ orgId: regionOf(cell.target), frameworkId: (await assessmentFramework()).id, title: `Campagne ${cell.tag}`, deadline: '2099-12-31' })
        .returning({ id: S.campaigns.id });
      await assessmentFixture(cell);
      const [a] = await t.platform.db
        .insert(S.assessments)
        .values({ orgId: orgOf(cell.target), frameworkId: (await assessmentFramework()).id, campaignId: campaign.id, title: `Campagne ${cell.tag}`, assessableCount: 2 })
        .returning({ id: S.assessments.id });
      markers[cell.target].push(campaign.id, a.id);
      return campaign.id;
    }
    /** A programme of the target's region with one prerequisite, declared by the target when asked. */
    async function milestoneFixture(cell: Cell, declared: boolean) {
      const [p] = await t.platform.db.insert(S.fundingProgrammes).values({ orgId: regionOf(cell.target), name: `Programme ${cell.tag}` }).returning({ id: S.fundingProgrammes.id });
      const [m] = await t.platform.db
        .insert(S.fundingMilestones)
        .values({ programmeId: p.id, kind: 'prerequisite', code: 'P1', title: 'Exercice de crise', amount: '1000.00', position: 0 })
        .returning({ id: S.fundingMilestones.id });
      if (declared) await t.platform.db.insert(S.fundingDeclarations).values({ milestoneId: m.id, orgId: orgOf(cell.target), status: 'declared', evidence: 'Compte rendu', declaredAt: t.clock.now() });
      markers[cell.target].push(p.id, m.id);
      return { programmeId: p.id, milestoneId: m.id };
    }
    const declarationOf = async (milestoneId: string, cell: Cell) =>
      (
        await t.platform.db
          .select({ status: S.fundingDeclarations.status })
          .from(S.fundingDeclarations)
          .where(and(eq(S.fundingDeclarations.milestoneId, milestoneId), eq(S.fundingDeclarations.orgId, orgOf(cell.target))))
      )[0]?.status ?? null;
    const observatoryUrl = async (path: string, cell: Cell) => `/api/v1/observatory${path}?orgId=${regionOf(cell.target)}&frameworkId=${(await assessmentFramework()).id}`;
    return [
      {
        name: 'POST /campaigns',
        allowed: COORDINATORS,
        async run(c, cell) {
          const title = `Campagne ${cell.tag}`;
          const res = await c.post('/api/v1/campaigns', { orgId: regionOf(cell.target), frameworkId: (await assessmentFramework()).id, title, deadline: '2099-12-31', establishmentIds: [orgOf(cell.target)] });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select({ id: S.campaigns.id }).from(S.campaigns).where(eq(S.campaigns.title, title));
              assert.equal(rows.length, allowed ? 1 : 0);
              const created = await t.platform.db.select({ id: S.assessments.id, orgId: S.assessments.orgId }).from(S.assessments).where(eq(S.assessments.title, title));
              assert.deepEqual(
                created.map((a) => a.orgId),
                allowed ? [orgOf(cell.target)] : [],
              );
              markers[cell.target].push(...rows.map((r) => r.id), ...created.map((a) => a.id));
            },
          };
        },
      },
      {
        name: 'GET /campaigns?orgId',
        allowed: COORDINATORS,
        async run(c, cell) {
          const id = await campaignFixture(cell);
          const res = await c.get(`/api/v1/campaigns?orgId=${regionOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const list = res.json().campaigns as { id: string; orgId: string }[];
              const region = await t.platform.db
                .select({ id: organisations.id })
                .from(organisations)
                .where(sql`${organisations.id} = ${regionOf(cell.target)}::uuid or ${organisations.ancestors} @> array[${regionOf(cell.target)}::uuid]`);
              assert.ok(list.some((x) => x.id === id), 'the campaign is listed');
              assert.ok(list.every((x) => region.some((r) => r.id === x.orgId)), 'only campaigns of the region');
            },
          };
        },
      },
      {
        name: 'GET /campaigns/:id',
        allowed: COORDINATORS,
        async run(c, cell) {
          const id = await campaignFixture(cell);
          const res = await c.get(`/api/v1/campaigns/${id}`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.deepEqual(res.json().establishments.map((e: { assessment: { orgId: string } }) => e.assessment.orgId), [orgOf(cell.target)]);
            },
          };
        },
      },
      {
        name: 'POST /campaigns/:id/remind',
        allowed: COORDINATORS,
        async run(c, cell) {
          const id = await campaignFixture(cell);
          const res = await c.post(`/api/v1/campaigns/${id}/remind`);
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db
                .select({ seq: auditLog.seq })
                .from(auditLog)
                .where(and(eq(auditLog.action, 'assessment.campaign.reminded'), eq(auditLog.targetId, id)));
              assert.equal(rows.length, allowed ? 1 : 0);
              if (allowed) assert.equal(res.json().establishments, 1);
            },
          };
        },
      },
      {
        name: 'POST /funding/programmes',
        allowed: COORDINATORS,
        async run(c, cell) {
          const name = `Programme ${cell.tag}`;
          const res = await c.post('/api/v1/funding/programmes', { orgId: regionOf(cell.target), name, milestones: [{ kind: 'prerequisite', code: 'P1', title: 'Exercice de crise' }] });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select({ id: S.fundingProgrammes.id }).from(S.fundingProgrammes).where(eq(S.fundingProgrammes.name, name));
              assert.equal(rows.length, allowed ? 1 : 0);
              markers[cell.target].push(...rows.map((r) => r.id));
            },
          };
        },
      },
      {
        name: 'GET /funding/programmes?orgId',
        allowed: ASSESSMENT_READERS,
        async run(c, cell) {
          const { programmeId } = await milestoneFixture(cell, true);
          const res = await c.get(`/api/v1/funding/programmes?orgId=${orgOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const programme = (res.json().programmes as { id: string; establishments: { orgId: string; declarations: { status: string }[] }[] }[]).find((p) => p.id === programmeId);
              assert.ok(programme, 'the region’s programme is listed');
              assert.deepEqual(
                programme.establishments.map((e) => [e.orgId, e.declarations[0].status]),
                [[orgOf(cell.target), 'declared']],
              );
            },
          };
        },
      },
      {
        name: 'POST /funding/milestones/:id/declarations',
        allowed: DECLARERS,
        async run(c, cell) {
          const { milestoneId } = await milestoneFixture(cell, false);
          const res = await c.post(`/api/v1/funding/milestones/${milestoneId}/declarations`, { orgId: orgOf(cell.target), evidence: 'Compte rendu de l’exercice' });
          return { res, effect: async (allowed) => assert.equal(await declarationOf(milestoneId, cell), allowed ? 'declared' : null) };
        },
      },
      {
        name: 'POST /funding/milestones/:id/review',
        allowed: COORDINATORS,
        async run(c, cell) {
          const { milestoneId } = await milestoneFixture(cell, true);
          const res = await c.post(`/api/v1/funding/milestones/${milestoneId}/review`, { orgId: orgOf(cell.target), decision: 'validated' });
          return { res, effect: async (allowed) => assert.equal(await declarationOf(milestoneId, cell), allowed ? 'validated' : 'declared') };
        },
      },
      {
        name: 'GET /observatory?orgId',
        allowed: COORDINATORS,
        async run(c, cell) {
          await assessmentFixture(cell, { status: 'submitted' });
          const res = await c.get(await observatoryUrl('', cell));
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              assert.equal(res.json().scope.orgId, regionOf(cell.target));
              assert.ok(res.json().establishments.withResult >= 1);
            },
          };
        },
      },
      {
        name: 'GET /observatory/establishments',
        allowed: COORDINATORS,
        async run(c, cell) {
          await assessmentFixture(cell, { status: 'submitted' });
          const res = await c.get(`${await observatoryUrl('/establishments', cell)}&pageSize=200`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const ids = (res.json().establishments as { orgId: string }[]).map((e) => e.orgId);
              const region = await t.platform.db
                .select({ id: organisations.id })
                .from(organisations)
                .where(sql`${organisations.ancestors} @> array[${regionOf(cell.target)}::uuid]`);
              assert.ok(ids.includes(orgOf(cell.target)), 'the establishment is listed');
              assert.ok(ids.every((id) => region.some((r) => r.id === id)), 'only establishments of the region');
            },
          };
        },
      },
      {
        name: 'GET /observatory/export.csv',
        allowed: COORDINATORS,
        async run(c, cell) {
          await assessmentFixture(cell, { status: 'submitted' });
          const res = await c.get(await observatoryUrl('/export.csv', cell));
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              assert.match(String(res.headers['content-type']), /^text\/csv/);
              // by its FINESS: another row of this table renames the establishments
              assert.ok(res.body.includes(cell.target === 'hospital' ? '590000011' : '130000011'), 'the establishment is exported');
            },
          };
        },
      },
      {
        name: 'GET /observatory/benchmark',
        allowed: ASSESSMENT_READERS,
        async run(c, cell) {
          await assessmentFixture(cell, { status: 'submitted' });
          const res = await c.get(`/api/v1/observatory/benchmark?orgId=${orgOf(cell.target)}&frameworkId=${(await assessmentFramework()).id}`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.equal(res.json().org.id, orgOf(cell.target));
            },
          };
        },
      },
    ];
  })(),
  // --- incidents (incidents module; fixtures written inline in this block) ---
  ...((): Endpoint[] => {
    const I = incidentSchema;
    const regionOf = (target: Target) => (target === 'hospital' ? world.orgs.north : world.orgs.south);
    /** INCIDENT_ROLES.read, held on or above the establishment. */
    const READERS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction', 'coordGht', 'coordRegion'], clinic: ['foreignRssi', 'foreignCoord'] };
    /** INCIDENT_ROLES.declare and .follow (the same people); nobody holds the direction role in the clinic. */
    const DECLARERS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction', 'coordGht'], clinic: ['foreignRssi'] };
    const FOLLOWERS = DECLARERS;
    /** INCIDENT_ROLES.region: the coordinator of the establishment's region. */
    const REGION: Record<Target, readonly WorldUser[]> = { hospital: ['coordRegion'], clinic: ['foreignCoord'] };
    /** nis2.manage: platform admins, or INCIDENT_ROLES.nis2 (no GHT coordinator). */
    const NIS2_MANAGERS: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction', 'coordRegion', 'admin'], clinic: ['foreignRssi', 'foreignCoord', 'admin'] };
    /** Who may know that the establishment exists (a membership on it or above, or a platform admin): everyone else gets 404, never 403. */
    const SEES_ESTABLISHMENT: Record<Target, readonly WorldUser[]> = { hospital: ['rssi', 'direction', 'coordGht', 'coordRegion', 'admin'], clinic: ['foreignRssi', 'foreignCoord', 'admin'] };
    /** The people of a region know their region exists (a 403 tells them nothing); those of the other region get 404. */
    const SEES_REGION: Record<Target, readonly WorldUser[]> = { hospital: [...NORTH_USERS, 'admin'], clinic: [...SOUTH_USERS, 'admin'] };
    const hidden = (res: LightMyRequestResponse, cell: Cell, sees: Record<Target, readonly WorldUser[]>) => {
      if (!sees[cell.target].includes(cell.role)) assert.equal(res.statusCode, 404, `someone who may not know of it gets 404, not ${res.statusCode}`);
    };
    const HOUR = 3_600_000;

    /** A content enough to declare: type "other", so that no campaign detection fires. */
    const contentFor = (cell: Cell, title = `Incident ${cell.tag}`) =>
      completeContent({
        title,
        type: 'other',
        declarant: { name: 'Déclarant de la matrice', jobTitle: 'RSSI', phone: '03 20 00 00 00', email: world.users[cell.target === 'hospital' ? 'rssi' : 'foreignRssi'].email },
        discoveredAt: new Date(t.clock.now().getTime() - 2 * HOUR).toISOString(),
        impacts: { availability: true, personalData: true },
      });
    const declarantOf = (target: Target) => world.users[target === 'hospital' ? 'rssi' : 'foreignRssi'].id;

    /** An incident of the target establishment as the service writes it: a draft, or declared with its revision, obligations and timeline. */
    let serial = 0;
    async function incidentFixture(cell: Cell, status: 'draft' | 'declared' = 'declared', orgId = orgOf(cell.target)) {
      // Each fixture a millisecond after the last: lists newest first (and paged) show it first.
      const now = new Date(t.clock.now().getTime() + ++serial);
      const content = contentFor(cell);
      const declared = status === 'declared';
      const by = declarantOf(cell.target);
      const [row] = await t.platform.db
        .insert(I.incidents)
        .values({
          orgId,
          regionId: declared ? regionOf(cell.target) : null,
          reference: `INC-MX-${randomBytes(4).toString('hex')}`,
          status,
          content,
          version: declared ? 2 : 1,
          title: content.title ?? '',
          type: content.type,
          origin: content.origin,
          discoveredAt: new Date(content.discoveredAt!),
          careImpact: false,
          degradedMode: false,
          personalData: true,
          supportRequested: content.supportRequested === true,
          createdBy: by,
          createdAt: now,
          updatedBy: by,
          updatedAt: now,
          declaredBy: declared ? by : null,
          declaredAt: declared ? now : null,
        })
        .returning({ id: I.incidents.id });
      markers[cell.target].push(row.id);
      if (declared) {
        await t.platform.db.insert(I.revisions).values({ incidentId: row.id, version: 2, content, changedFields: [], comment: 'Déclaration initiale', authorId: by, at: now });
        await syncObligations(t.platform.db, row.id, content, 'none');
        await t.platform.db.insert(I.timeline).values({ incidentId: row.id, kind: 'system', body: 'Incident déclaré par la matrice.', occurredAt: now, authorId: by, createdAt: now });
      }
      const obligations = await t.platform.db.select({ id: I.obligations.id, kind: I.obligations.kind }).from(I.obligations).where(eq(I.obligations.incidentId, row.id));
      markers[cell.target].push(...obligations.map((o) => o.id));
      return { id: row.id, content, obligations };
    }
    const incidentRow = async (id: string) => (await t.platform.db.select().from(I.incidents).where(eq(I.incidents.id, id)))[0];
    /** Another establishment of the target's region: the EHPAD in the north; in the south, a second clinic made once. */
    let southSibling: Promise<string> | undefined;
    const siblingOf = (target: Target) => {
      if (target === 'hospital') return Promise.resolve(world.orgs.ehpad);
      southSibling ??= (async () => {
        const [row] = await t.platform.db
          .insert(organisations)
          .values({ kind: 'establishment', name: 'Clinique Sud bis', parentId: world.orgs.south, ancestors: [world.orgs.south], finess: '130000029', category: 'CLINIQUE' })
          .returning({ id: organisations.id });
        markers.clinic.push(row.id);
        return row.id;
      })();
      return southSibling;
    };

    async function taskFixture(cell: Cell, incidentId: string) {
      const [row] = await t.platform.db.insert(I.tasks).values({ incidentId, title: `Tâche ${cell.tag}`, createdBy: declarantOf(cell.target), createdAt: t.clock.now() }).returning({ id: I.tasks.id });
      markers[cell.target].push(row.id);
      return row.id;
    }
    async function indicatorFixture(cell: Cell, incidentId: string, values: { type?: 'domain' | 'ipv4' | 'sha256'; value?: string; tlp?: 'clear' | 'green' | 'amber' | 'amber_strict' | 'red'; shareIdentity?: boolean } = {}) {
      const value = values.value ?? `mx-${randomBytes(4).toString('hex')}.example.org`;
      const [row] = await t.platform.db
        .insert(I.indicators)
        .values({ incidentId, type: values.type ?? 'domain', value, tlp: values.tlp ?? 'green', shareIdentity: values.shareIdentity ?? false, createdBy: declarantOf(cell.target), createdAt: t.clock.now() })
        .returning({ id: I.indicators.id });
      markers[cell.target].push(row.id);
      return { id: row.id, value };
    }
    async function attachmentFixture(cell: Cell, incidentId: string) {
      const key = randomUUID();
      await t.platform.files.put(key, MATRIX_PDF);
      const [row] = await t.platform.db
        .insert(I.attachments)
        .values({
          incidentId,
          fileKey: key,
          fileName: 'rapport.pdf',
          mimeType: 'application/pdf',
          size: MATRIX_PDF.length,
          sha256: createHash('sha256').update(MATRIX_PDF).digest('hex'),
          createdBy: declarantOf(cell.target),
          createdAt: t.clock.now(),
        })
        .returning({ id: I.attachments.id });
      markers[cell.target].push(row.id);
      return row.id;
    }
    /** An alert of the target's region, addressed to the target establishment only. */
    async function alertFixture(cell: Cell) {
      const [row] = await t.platform.db
        .insert(I.alerts)
        .values({
          regionId: regionOf(cell.target),
          title: `Alerte ${cell.tag}`,
          severity: 'high',
          summary: 'Campagne d’hameçonnage visant les établissements de la région.',
          publishedBy: world.users[cell.target === 'hospital' ? 'coordRegion' : 'foreignCoord'].id,
          publishedAt: t.clock.now(),
        })
        .returning({ id: I.alerts.id });
      await t.platform.db.insert(I.alertRecipients).values({ alertId: row.id, orgId: orgOf(cell.target) });
      markers[cell.target].push(row.id);
      return row.id;
    }
    const acknowledgedAt = async (alertId: string, cell: Cell) =>
      (await t.platform.db.select({ at: I.alertRecipients.acknowledgedAt }).from(I.alertRecipients).where(and(eq(I.alertRecipients.alertId, alertId), eq(I.alertRecipients.orgId, orgOf(cell.target)))))[0].at;
    /** A campaign detected in the target's region around one of the target's incidents. */
    async function detectionFixture(cell: Cell) {
      const incident = await incidentFixture(cell);
      const { value } = await indicatorFixture(cell, incident.id);
      const now = t.clock.now();
      const [row] = await t.platform.db
        .insert(I.detections)
        .values({ regionId: regionOf(cell.target), kind: 'indicator', key: `indicator:domain:${value}`, indicatorType: 'domain', value, incidentIds: [incident.id], detectedAt: now, updatedAt: now })
        .returning({ id: I.detections.id });
      markers[cell.target].push(row.id);
      return { id: row.id, incidentId: incident.id };
    }
    const inRegion = async (target: Target) =>
      new Set(
        (
          await t.platform.db
            .select({ id: organisations.id })
            .from(organisations)
            .where(sql`${organisations.id} = ${regionOf(target)}::uuid or ${organisations.ancestors} @> array[${regionOf(target)}::uuid]`)
        ).map((r) => r.id),
      );
    const multipartPdf = () => {
      const boundary = `----matrix${randomBytes(6).toString('hex')}`;
      const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="rapport.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
        MATRIX_PDF,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    /** Adds the 404 rule to a row: whoever may not know of the organisation gets 404. */
    const row = (sees: Record<Target, readonly WorldUser[]> | null, e: Endpoint): Endpoint => ({
      ...e,
      async run(c, cell) {
        const out = await e.run(c, cell);
        return {
          res: out.res,
          async effect(allowed) {
            if (!allowed && sees) hidden(out.res, cell, sees);
            await out.effect(allowed);
          },
        };
      },
    });

    return [
      // --- declarations ---
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents?orgId',
        allowed: READERS,
        async run(c, cell) {
          const declared = await incidentFixture(cell);
          const draft = await incidentFixture(cell, 'draft');
          const res = await c.get(`/api/v1/incidents?orgId=${orgOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const list = res.json().incidents as { id: string; orgId: string; status: string }[];
              const scope = await subtree(cell.target);
              assert.ok(list.some((i) => i.id === declared.id), 'the declared incident is listed');
              assert.equal(list.some((i) => i.id === draft.id), DECLARERS[cell.target].includes(cell.role), 'drafts are listed for those who declare only');
              if (!DECLARERS[cell.target].includes(cell.role)) assert.ok(list.every((i) => i.status !== 'draft'), 'no draft for the region');
              assert.ok(list.every((i) => scope.has(i.orgId)), 'only incidents of the subtree');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /incidents',
        allowed: DECLARERS,
        async run(c, cell) {
          const title = `Déclaration ${cell.tag}`;
          const res = await c.request('POST', '/api/v1/incidents', { orgId: orgOf(cell.target), content: contentFor(cell, title), declare: false }, { 'idempotency-key': randomUUID() });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select({ id: I.incidents.id, orgId: I.incidents.orgId }).from(I.incidents).where(eq(I.incidents.title, title));
              assert.equal(rows.length, allowed ? 1 : 0);
              assert.ok(rows.every((r) => r.orgId === orgOf(cell.target)));
              markers[cell.target].push(...rows.map((r) => r.id));
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.get(`/api/v1/incidents/${id}`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.equal(res.json().incident.id, id);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id (a draft)',
        allowed: DECLARERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell, 'draft');
          const res = await c.get(`/api/v1/incidents/${id}`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.equal(res.json().incident.status, 'draft');
              // The region reads declarations, and does not learn that a draft exists.
              if (REGION[cell.target].includes(cell.role)) assert.equal(res.statusCode, 404);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'PUT /incidents/:id/draft',
        allowed: DECLARERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell, 'draft');
          const title = `Brouillon ${cell.tag}`;
          const res = await c.put(`/api/v1/incidents/${id}/draft`, { content: { title }, version: 1 });
          return {
            res,
            async effect(allowed) {
              const after = await incidentRow(id);
              assert.equal(after.title === title, allowed);
              assert.equal(after.version, allowed ? 2 : 1);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'DELETE /incidents/:id',
        allowed: DECLARERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell, 'draft');
          const res = await c.delete(`/api/v1/incidents/${id}`);
          return { res, effect: async (allowed) => assert.equal(!!(await incidentRow(id)), !allowed, 'a draft is deleted by those who declare only') };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /incidents/:id/declare',
        allowed: DECLARERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell, 'draft');
          const res = await c.post(`/api/v1/incidents/${id}/declare`, { version: 1 });
          return {
            res,
            async effect(allowed) {
              const after = await incidentRow(id);
              assert.equal(after.status, allowed ? 'declared' : 'draft');
              if (allowed) assert.equal(after.regionId, regionOf(cell.target), 'the region is set at declaration');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'PUT /incidents/:id',
        allowed: DECLARERS,
        async run(c, cell) {
          const { id, content } = await incidentFixture(cell);
          const title = `Complété ${cell.tag}`;
          const res = await c.put(`/api/v1/incidents/${id}`, { content: { ...content, title }, version: 2, comment: 'Précisions' });
          return {
            res,
            async effect(allowed) {
              const after = await incidentRow(id);
              assert.equal(after.title === title, allowed);
              const revisions = await t.platform.db.select().from(I.revisions).where(eq(I.revisions.incidentId, id));
              assert.equal(revisions.length, allowed ? 2 : 1, 'the change is kept in the history');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id/history',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.get(`/api/v1/incidents/${id}/history`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.deepEqual((res.json().revisions as { version: number }[]).map((r) => r.version), [2]);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'PUT /incidents/:id/obligations/:obligationId',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id, obligations } = await incidentFixture(cell);
          const cnil = obligations.find((o) => o.kind === 'cnil')!;
          const res = await c.put(`/api/v1/incidents/${id}/obligations/${cnil.id}`, { status: 'done', reference: 'CNIL-2026-42' });
          return {
            res,
            async effect(allowed) {
              const [after] = await t.platform.db.select().from(I.obligations).where(eq(I.obligations.id, cnil.id));
              assert.equal(after.status, allowed ? 'done' : 'pending');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /incidents/:id/close',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.post(`/api/v1/incidents/${id}/close`, { lessons: 'Sauvegardes hors ligne à tester chaque trimestre.' });
          return { res, effect: async (allowed) => assert.equal((await incidentRow(id)).status, allowed ? 'closed' : 'declared') };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/nis2?orgId',
        allowed: READERS,
        async run(c, cell) {
          const res = await c.get(`/api/v1/incidents/nis2?orgId=${orgOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.equal(res.json().orgId, orgOf(cell.target));
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'PUT /incidents/nis2',
        allowed: NIS2_MANAGERS,
        async run(c, cell) {
          await t.platform.db.delete(I.nis2Settings).where(eq(I.nis2Settings.orgId, orgOf(cell.target)));
          const res = await c.put('/api/v1/incidents/nis2', { orgId: orgOf(cell.target), category: 'important' });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select().from(I.nis2Settings).where(eq(I.nis2Settings.orgId, orgOf(cell.target)));
              assert.deepEqual(
                rows.map((r) => r.category),
                allowed ? ['important'] : [],
              );
              await t.platform.db.delete(I.nis2Settings).where(eq(I.nis2Settings.orgId, orgOf(cell.target)));
            },
          };
        },
      }),
      // --- exports ---
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id/export.pdf',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.get(`/api/v1/incidents/${id}/export.pdf`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              assert.match(String(res.headers['content-type']), /^application\/pdf/);
              assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id/export.json',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.get(`/api/v1/incidents/${id}/export.json`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.ok(res.body.includes(id), 'the incident is exported');
            },
          };
        },
      }),
      // --- follow-up ---
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id/follow-up',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const taskId = await taskFixture(cell, id);
          const indicator = await indicatorFixture(cell, id);
          const attachmentId = await attachmentFixture(cell, id);
          const res = await c.get(`/api/v1/incidents/${id}/follow-up`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const body = res.json();
              assert.deepEqual(
                body.tasks.map((x: { id: string }) => x.id),
                [taskId],
              );
              assert.deepEqual(
                body.indicators.map((x: { id: string }) => x.id),
                [indicator.id],
              );
              assert.deepEqual(
                body.attachments.map((x: { id: string }) => x.id),
                [attachmentId],
              );
              assert.ok(body.timeline.length >= 1);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /incidents/:id/timeline',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const body = `Décision ${cell.tag}`;
          const res = await c.post(`/api/v1/incidents/${id}/timeline`, { kind: 'decision', body });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select().from(I.timeline).where(and(eq(I.timeline.incidentId, id), eq(I.timeline.body, body)));
              assert.equal(rows.length, allowed ? 1 : 0);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /incidents/:id/tasks',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.post(`/api/v1/incidents/${id}/tasks`, { title: `Tâche ${cell.tag}` });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select({ id: I.tasks.id }).from(I.tasks).where(eq(I.tasks.incidentId, id));
              assert.equal(rows.length, allowed ? 1 : 0);
              markers[cell.target].push(...rows.map((r) => r.id));
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'PATCH /incidents/:id/tasks/:taskId',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const taskId = await taskFixture(cell, id);
          const res = await c.patch(`/api/v1/incidents/${id}/tasks/${taskId}`, { status: 'done', version: 1 });
          return {
            res,
            async effect(allowed) {
              const [task] = await t.platform.db.select({ status: I.tasks.status }).from(I.tasks).where(eq(I.tasks.id, taskId));
              assert.equal(task.status, allowed ? 'done' : 'todo');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /incidents/:id/attachments',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const { body, headers } = multipartPdf();
          const res = await c.request('POST', `/api/v1/incidents/${id}/attachments`, body, headers);
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select({ id: I.attachments.id }).from(I.attachments).where(eq(I.attachments.incidentId, id));
              assert.equal(rows.length, allowed ? 1 : 0);
              markers[cell.target].push(...rows.map((r) => r.id));
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id/attachments/:attachmentId',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const attachmentId = await attachmentFixture(cell, id);
          const res = await c.get(`/api/v1/incidents/${id}/attachments/${attachmentId}`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              assert.deepEqual(res.rawPayload, MATRIX_PDF);
              assert.match(String(res.headers['content-disposition']), /^attachment;/);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'DELETE /incidents/:id/attachments/:attachmentId',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const attachmentId = await attachmentFixture(cell, id);
          const res = await c.delete(`/api/v1/incidents/${id}/attachments/${attachmentId}`);
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select().from(I.attachments).where(eq(I.attachments.id, attachmentId));
              assert.equal(rows.length, allowed ? 0 : 1);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /incidents/:id/indicators',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.post(`/api/v1/incidents/${id}/indicators`, { type: 'ipv4', value: '203.0.113.7', tlp: 'amber' });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select({ id: I.indicators.id }).from(I.indicators).where(eq(I.indicators.incidentId, id));
              assert.equal(rows.length, allowed ? 1 : 0);
              markers[cell.target].push(...rows.map((r) => r.id));
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'DELETE /incidents/:id/indicators/:indicatorId',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const indicator = await indicatorFixture(cell, id);
          const res = await c.delete(`/api/v1/incidents/${id}/indicators/${indicator.id}`);
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select().from(I.indicators).where(eq(I.indicators.id, indicator.id));
              assert.equal(rows.length, allowed ? 0 : 1);
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id/stix',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const indicator = await indicatorFixture(cell, id, { tlp: 'clear' });
          const res = await c.get(`/api/v1/incidents/${id}/stix`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              assert.equal(res.json().type, 'bundle');
              assert.ok(res.body.includes(indicator.value), 'the indicator is in the bundle');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/:id/people',
        allowed: READERS,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.get(`/api/v1/incidents/${id}/people`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.ok(res.body.includes(world.users[cell.target === 'hospital' ? 'rssi' : 'foreignRssi'].id), 'the establishment’s RSSI may own a task');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /incidents/shared-indicators?orgId',
        allowed: READERS,
        async run(c, cell) {
          // Another establishment of the region declared an incident with indicators of every kind of consent.
          const sibling = await siblingOf(cell.target);
          const { id } = await incidentFixture(cell, 'declared', sibling);
          const named = await indicatorFixture(cell, id, { tlp: 'green', shareIdentity: true });
          const anonymous = await indicatorFixture(cell, id, { tlp: 'green', shareIdentity: false });
          const clear = await indicatorFixture(cell, id, { type: 'sha256', value: randomBytes(32).toString('hex'), tlp: 'clear', shareIdentity: false });
          const amber = await indicatorFixture(cell, id, { tlp: 'amber', shareIdentity: true });
          const strict = await indicatorFixture(cell, id, { tlp: 'amber_strict', shareIdentity: true });
          const red = await indicatorFixture(cell, id, { tlp: 'red', shareIdentity: true });
          const res = await c.get(`/api/v1/incidents/shared-indicators?orgId=${orgOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              for (const never of [amber, strict, red]) assert.ok(!res.body.includes(never.value), `a TLP:AMBER or TLP:RED indicator is never shared (${never.value})`);
              if (!allowed) return;
              const [{ name }] = await t.platform.db.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, sibling));
              const list = res.json().indicators as { value: string; tlp: string; namedBy: string[]; description: string | null }[];
              const find = (value: string) => list.find((x) => x.value === value);
              assert.ok(
                list.every((x) => ['clear', 'green'].includes(x.tlp)),
                'only TLP:CLEAR and TLP:GREEN',
              );
              assert.deepEqual(find(named.value)?.namedBy, [name], 'the establishment is named where its declarant allowed it');
              for (const quiet of [anonymous, clear]) assert.deepEqual(find(quiet.value)?.namedBy, [], `shared without naming the establishment (${quiet.value})`);
              const consented = new Set(
                (
                  await t.platform.db
                    .select({ value: I.indicators.value })
                    .from(I.indicators)
                    .innerJoin(I.incidents, eq(I.incidents.id, I.indicators.incidentId))
                    .where(and(eq(I.incidents.orgId, sibling), eq(I.indicators.shareIdentity, true)))
                ).map((r) => r.value),
              );
              for (const x of list) if (x.namedBy.includes(name)) assert.ok(consented.has(x.value), `named only beside what its declarant allowed (${x.value})`);
            },
          };
        },
      }),
      // --- the region: inbox, follow-up of a declaration, detections; statistics ---
      row(SEES_REGION, {
        name: 'GET /incidents/inbox?regionId',
        allowed: REGION,
        async run(c, cell) {
          const declared = await incidentFixture(cell);
          const draft = await incidentFixture(cell, 'draft');
          const res = await c.get(`/api/v1/incidents/inbox?regionId=${regionOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const list = res.json().incidents as { id: string; orgId: string; status: string }[];
              const region = await inRegion(cell.target);
              assert.ok(list.some((i) => i.id === declared.id), 'the declaration is in the inbox');
              assert.ok(!list.some((i) => i.id === draft.id) && list.every((i) => i.status !== 'draft'), 'no draft in the inbox');
              assert.ok(list.every((i) => region.has(i.orgId)), 'only declarations of the region');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'PUT /incidents/:id/region',
        allowed: REGION,
        async run(c, cell) {
          const { id } = await incidentFixture(cell);
          const res = await c.put(`/api/v1/incidents/${id}/region`, { status: 'acknowledged', note: 'Pris en compte par la cellule régionale.' });
          return { res, effect: async (allowed) => assert.equal((await incidentRow(id)).regionStatus, allowed ? 'acknowledged' : 'new') };
        },
      }),
      row(SEES_REGION, {
        name: 'GET /incidents/detections?regionId',
        allowed: REGION,
        async run(c, cell) {
          const detection = await detectionFixture(cell);
          const res = await c.get(`/api/v1/incidents/detections?regionId=${regionOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const list = res.json().detections as { id: string; regionId: string; incidents: { incidentId: string }[] }[];
              const found = list.find((d) => d.id === detection.id);
              assert.ok(found, 'the detection is listed');
              assert.deepEqual(
                found.incidents.map((i) => i.incidentId),
                [detection.incidentId],
              );
              assert.ok(list.every((d) => d.regionId === regionOf(cell.target)), 'only detections of the region');
            },
          };
        },
      }),
      row(SEES_REGION, {
        name: 'POST /incidents/detections/:id/close',
        allowed: REGION,
        async run(c, cell) {
          const detection = await detectionFixture(cell);
          const res = await c.post(`/api/v1/incidents/detections/${detection.id}/close`);
          return {
            res,
            async effect(allowed) {
              const [after] = await t.platform.db.select({ status: I.detections.status }).from(I.detections).where(eq(I.detections.id, detection.id));
              assert.equal(after.status, allowed ? 'closed' : 'open');
            },
          };
        },
      }),
      ...(['stats', 'stats.csv'] as const).map(
        (file): Endpoint =>
          row(SEES_ESTABLISHMENT, {
            name: `GET /incidents/${file}?orgId`,
            allowed: READERS,
            async run(c, cell) {
              await incidentFixture(cell);
              const res = await c.get(`/api/v1/incidents/${file}?orgId=${orgOf(cell.target)}`);
              return {
                res,
                async effect(allowed) {
                  if (!allowed) return;
                  if (file === 'stats') {
                    assert.equal(res.json().orgId, orgOf(cell.target));
                    assert.ok(res.json().total >= 1, 'the declared incident is counted');
                  } else {
                    assert.match(String(res.headers['content-type']), /^text\/csv/);
                  }
                },
              };
            },
          }),
      ),
      // --- alerts ---
      row(SEES_REGION, {
        name: 'POST /alerts',
        allowed: REGION,
        async run(c, cell) {
          const title = `Alerte ${cell.tag}`;
          const res = await c.post('/api/v1/alerts', {
            regionId: regionOf(cell.target),
            title,
            severity: 'high',
            summary: 'Vulnérabilité critique exploitée sur les passerelles VPN.',
            establishmentIds: [orgOf(cell.target)],
          });
          return {
            res,
            async effect(allowed) {
              const rows = await t.platform.db.select({ id: I.alerts.id }).from(I.alerts).where(eq(I.alerts.title, title));
              assert.equal(rows.length, allowed ? 1 : 0);
              markers[cell.target].push(...rows.map((r) => r.id));
              if (allowed) {
                const recipients = await t.platform.db.select({ orgId: I.alertRecipients.orgId }).from(I.alertRecipients).where(eq(I.alertRecipients.alertId, rows[0].id));
                assert.deepEqual(
                  recipients.map((r) => r.orgId),
                  [orgOf(cell.target)],
                );
              }
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'GET /alerts?orgId',
        allowed: READERS,
        async run(c, cell) {
          const alertId = await alertFixture(cell);
          const res = await c.get(`/api/v1/alerts?orgId=${orgOf(cell.target)}`);
          return {
            res,
            async effect(allowed) {
              if (!allowed) return;
              const received = res.json().received as { id: string; orgId: string }[];
              const scope = await subtree(cell.target);
              assert.ok(received.some((a) => a.id === alertId), 'the alert received is listed');
              assert.ok(received.every((a) => scope.has(a.orgId)), 'only alerts the establishment received');
            },
          };
        },
      }),
      row(null, {
        name: 'GET /alerts/:id',
        allowed: READERS,
        async run(c, cell) {
          const alertId = await alertFixture(cell);
          const res = await c.get(`/api/v1/alerts/${alertId}`);
          return {
            res,
            async effect(allowed) {
              if (allowed) assert.equal(res.json().alert.id, alertId);
              if (!allowed && cell.role !== 'admin') assert.equal(res.statusCode, 404, 'an alert one did not receive is not known');
            },
          };
        },
      }),
      row(SEES_ESTABLISHMENT, {
        name: 'POST /alerts/:id/acknowledge',
        allowed: FOLLOWERS,
        async run(c, cell) {
          const alertId = await alertFixture(cell);
          const res = await c.post(`/api/v1/alerts/${alertId}/acknowledge`, { orgId: orgOf(cell.target) });
          return { res, effect: async (allowed) => assert.equal((await acknowledgedAt(alertId, cell)) !== null, allowed) };
        },
      }),
    ];
  })(),
];

// --- assessment fixtures (for the assessment rows of the table above) --------------------------

const MATRIX_PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

let matrixFramework: Promise<{ id: string; measures: string[]; nodeCount: number }> | undefined;
/** A small framework, written once: one objective and two measures. */
function assessmentFramework() {
  matrixFramework ??= (async () => {
    const base = `urn:matrix:${randomBytes(4).toString('hex')}`;
    const [fw] = await t.platform.db
      .insert(assessmentSchema.frameworks)
      .values({ libraryUrn: `${base}:library`, urn: `${base}:framework`, refId: 'matrix', name: 'Référentiel de la matrice', version: 1, origin: 'import' })
      .returning({ id: assessmentSchema.frameworks.id });
    const nodes = [
      { urn: `${base}:o1`, parentUrn: null, depth: 1, assessable: false, priority: null },
      { urn: `${base}:m1`, parentUrn: `${base}:o1`, depth: 2, assessable: true, priority: 'essential' as const },
      { urn: `${base}:m2`, parentUrn: `${base}:o1`, depth: 2, assessable: true, priority: 'recommended' as const },
    ];
    const rows = await t.platform.db
      .insert(assessmentSchema.frameworkNodes)
      .values(nodes.map((n, position) => ({ ...n, frameworkId: fw.id, position })))
      .returning({ id: assessmentSchema.frameworkNodes.id, assessable: assessmentSchema.frameworkNodes.assessable, position: assessmentSchema.frameworkNodes.position });
    const measures = rows.filter((r) => r.assessable).sort((a, b) => a.position - b.position).map((r) => r.id);
    return { id: fw.id, measures, nodeCount: nodes.length };
  })();
  return matrixFramework;
}

/** An assessment of the target establishment, written directly; `answered`: every measure « oui ». */
async function assessmentFixture(cell: Cell, opts: { status?: 'draft' | 'submitted'; answered?: boolean } = {}): Promise<string> {
  const framework = await assessmentFramework();
  const [row] = await t.platform.db
    .insert(assessmentSchema.assessments)
    .values({
      orgId: orgOf(cell.target),
      frameworkId: framework.id,
      title: `Fixture ${cell.tag}`,
      status: opts.status ?? 'draft',
      submittedAt: opts.status === 'submitted' ? t.clock.now() : null,
      assessableCount: framework.measures.length,
    })
    .returning({ id: assessmentSchema.assessments.id });
  if (opts.answered) {
    await t.platform.db.insert(assessmentSchema.answers).values(framework.measures.map((nodeId) => ({ assessmentId: row.id, nodeId, status: 'oui' as const })));
  }
  await refreshScores(t.platform.db, row.id); // the maintained scores, as the service keeps them
  markers[cell.target].push(row.id);
  return row.id;
}

/** A PDF evidence of the assessment, its bytes in the platform's file store. */
async function fileEvidenceFixture(assessmentId: string): Promise<string> {
  const key = randomUUID();
  await t.platform.files.put(key, MATRIX_PDF);
  const [nodeId] = (await assessmentFramework()).measures;
  const [row] = await t.platform.db
    .insert(assessmentSchema.evidence)
    .values({ assessmentId, nodeId, kind: 'file', fileKey: key, fileName: 'preuve.pdf', mimeType: 'application/pdf', size: MATRIX_PDF.length })
    .returning({ id: assessmentSchema.evidence.id });
  return row.id;
}

const evidenceOf = (assessmentId: string) => t.platform.db.select().from(assessmentSchema.evidence).where(eq(assessmentSchema.evidence.assessmentId, assessmentId));
async function assessmentStatus(id: string) {
  const [row] = await t.platform.db.select({ status: assessmentSchema.assessments.status }).from(assessmentSchema.assessments).where(eq(assessmentSchema.assessments.id, id));
  return row.status;
}

async function denialsOf(role: WorldUser): Promise<number> {
  const rows = await t.platform.db
    .select({ seq: auditLog.seq })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'access.denied'), eq(auditLog.actorId, world.users[role].id)));
  return rows.length;
}

/** Whether `body` holds `marker` as a whole id or address (rssi@… is not in foreignrssi@…). */
const mentions = (body: string, marker: string) =>
  new RegExp(`(?<![A-Za-z0-9._%+-])${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(body);

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

for (const endpoint of ENDPOINTS) {
  test(`tenant isolation: ${endpoint.name} × every role × our hospital and the other region's clinic`, async () => {
    if (markers.hospital.length === 0) worldMarkers();
    for (const target of TARGETS) {
      for (const role of ROLES) {
        const label = `${endpoint.name} × ${role} × ${target}`;
        const cell: Cell = { role, target, tag: `${slug(endpoint.name)}-${role.toLowerCase()}-${target}` };
        const allowed = endpoint.allowed[target].includes(role);
        const deniedBefore = await denialsOf(role);
        const { res, effect } = await endpoint.run(clients[role], cell);
        if (allowed) {
          assert.ok(res.statusCode >= 200 && res.statusCode < 300, `${label}: expected 2xx, got ${res.statusCode} ${res.body}`);
        } else {
          assert.ok([403, 404].includes(res.statusCode), `${label}: expected 403 or 404, got ${res.statusCode} ${res.body}`);
          assert.equal(res.json().error.code, res.statusCode === 403 ? 'forbidden' : 'not_found', label);
          if (res.statusCode === 403) assert.equal(await denialsOf(role), deniedBefore + 1, `${label}: the refusal is in the audit log`);
        }
        for (const marker of markers[other(target)]) {
          assert.ok(!mentions(res.body, marker), `${label}: the answer holds data of the other tenant (${marker})`);
        }
        try {
          await effect(allowed);
        } catch (err) {
          (err as Error).message = `${label}: ${(err as Error).message}`;
          throw err;
        }
      }
    }
  });
}

test('tenant isolation: the other region’s coordinator and RSSI get nothing of the north, and the north ones nothing of the south', () => {
  // The table above says so; this guards the table itself against a careless edit.
  for (const endpoint of ENDPOINTS) {
    for (const role of SOUTH_USERS) assert.ok(!endpoint.allowed.hospital.includes(role), `${endpoint.name}: ${role} allowed on the north`);
    for (const role of NORTH_USERS) assert.ok(!endpoint.allowed.clinic.includes(role), `${endpoint.name}: ${role} allowed on the south`);
  }
});

// --- 4. refusals are audited ------------------------------------------------------------------

test('a refusal by a policy writes an access.denied entry to the audit log', async () => {
  const before = await t.platform.db.select({ seq: auditLog.seq }).from(auditLog).orderBy(asc(auditLog.seq));
  const res = await clients.agent.get(`/api/v1/users?orgId=${world.orgs.service}`);
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().error.code, 'forbidden');
  const rows = await t.platform.db.select().from(auditLog).orderBy(asc(auditLog.seq));
  const added = rows.slice(before.length);
  assert.equal(added.length, 1);
  const [entry] = added;
  assert.equal(entry.action, 'access.denied');
  assert.equal(entry.outcome, 'denied');
  assert.equal(entry.actorId, world.users.agent.id);
  assert.equal(entry.actorLabel, world.users.agent.email);
  assert.equal(entry.orgId, world.orgs.service);
  assert.deepEqual(entry.details, { policy: 'identity:member.list', method: 'GET', route: '/api/v1/users' });
  assert.deepEqual(await verifyAuditChain(t.platform.db), { valid: true, checked: rows.length, brokenAt: null });
});
