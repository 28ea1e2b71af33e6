import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import { xml2js, type Element } from 'xml-js';
import { Client, createTestApp, TEST_ORIGIN, type TestApp } from '../../../../test/support/app';
import { seedWorld, signIn, type World, type WorldUser } from '../../../../test/support/world';
import { auditLog } from '../../platform/audit/schema';
import { loggerOptions } from '../../platform/logging';
import { users } from '../../platform/tenancy/schema';
import { MAX_FEED_TOKENS } from './feed';
import { feedTokens } from './schema';

let t: TestApp;
let world: World;
const clients = {} as Record<WorldUser, Client>;
const ROLES: WorldUser[] = ['agent', 'rssi', 'direction', 'coordGht', 'coordRegion', 'ehpadRssi', 'foreignRssi', 'foreignCoord'];
const published: Record<'all' | 'ehpadOnly' | 'tricky', string> = { all: '', ehpadOnly: '', tricky: '' };

before(async () => {
  t = await createTestApp({ env: { SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '168' } });
  t.clock.set(new Date('2026-03-02T08:00:00Z'));
  world = await seedWorld(t.platform.db);
  for (const role of ROLES) clients[role] = await signIn(t, world.users[role].email);
  const publish = async (body: Record<string, unknown>) => {
    t.clock.advance(60_000);
    const res = await clients.coordRegion.post('/api/v1/alerts', {
      regionId: world.orgs.north,
      severity: 'high',
      summary: 'Résumé de l’alerte pour les établissements.',
      whatToCheck: 'Les journaux du pare-feu.',
      whatToDo: 'Appliquer le correctif.',
      establishmentIds: null,
      ...body,
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().alert.id as string;
  };
  published.all = await publish({ title: 'Alerte pour toute la région' });
  published.ehpadOnly = await publish({ title: 'Alerte pour l’EHPAD seulement', establishmentIds: [world.orgs.ehpad] });
  published.tricky = await publish({ title: 'Faille <script>alert(1)</script> & « ]]> »', summary: 'Texte avec <b>balises</b> & ]]> fin de CDATA.', severity: 'critical' });
});
after(async () => {
  await t?.close();
});

async function createToken(client: Client) {
  const res = await client.post('/api/v1/feeds/tokens');
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; token: string; url: string; createdAt: string; lastUsedAt: null };
}

const feed = (headers: Record<string, string>, query = '') => t.app.inject({ method: 'GET', url: `/api/v1/feeds/alerts.atom${query}`, headers });

/** The feed parsed as XML (xml-js, the parser the `feed` package writes with): entries' id, title and links. */
function parseAtom(xml: string) {
  const doc = xml2js(xml, { compact: false }) as Element;
  const root = doc.elements?.find((e) => e.type === 'element');
  assert.equal(root?.name, 'feed');
  assert.equal(root?.attributes?.xmlns, 'http://www.w3.org/2005/Atom');
  const text = (e: Element | undefined) => (e?.elements ?? []).map((c) => (c.type === 'text' ? String(c.text) : c.type === 'cdata' ? String(c.cdata) : '')).join('');
  const child = (e: Element, name: string) => e.elements?.find((c) => c.name === name);
  const entries = (root?.elements ?? [])
    .filter((e) => e.name === 'entry')
    .map((e) => ({
      id: text(child(e, 'id')),
      title: text(child(e, 'title')),
      summary: text(child(e, 'summary')),
      content: text(child(e, 'content')),
      link: String(child(e, 'link')?.attributes?.href ?? ''),
    }));
  return { title: text(child(root!, 'title')), entries };
}

test('a feed link is shown once; the database keeps only its SHA-256; creation is audited without the token', async () => {
  const created = await createToken(clients.rssi);
  assert.match(created.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes in base64url');
  assert.equal(created.url, `${TEST_ORIGIN}/api/v1/feeds/alerts.atom?token=${created.token}`);

  const rows = await t.platform.db.select().from(feedTokens).where(eq(feedTokens.userId, world.users.rssi.id));
  assert.equal(rows.length, 1);
  assert.equal(rows[0].tokenHash, createHash('sha256').update(created.token).digest('hex'));
  const dump = await t.platform.db.execute(sql`select row_to_json(f)::text as json from incident_feed_tokens f`);
  const stored = JSON.stringify(dump);
  assert.ok(stored.includes(rows[0].tokenHash), 'the dump holds the row');
  assert.ok(!stored.includes(created.token), 'the token is never stored in clear');

  const [entry] = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'incident.feed_token.created'), eq(auditLog.targetId, created.id)));
  assert.equal(entry.actorId, world.users.rssi.id);
  assert.ok(!JSON.stringify(entry).includes(created.token));

  // The list never shows the token again.
  const list = await clients.rssi.get('/api/v1/feeds/tokens');
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json(), { tokens: [{ id: created.id, createdAt: created.createdAt, lastUsedAt: null }] });
  assert.ok(!list.body.includes(created.token));
  // Nor does someone else's list.
  assert.deepEqual((await clients.direction.get('/api/v1/feeds/tokens')).json(), { tokens: [] });
});

test('the feed: Atom 1.0, the person’s alerts newest first, each linked to its page, by header or by ?token=', async () => {
  const { token, id } = await createToken(clients.direction);
  t.clock.advance(5_000);
  const res = await feed({ authorization: `Bearer ${token}` });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'application/atom+xml; charset=utf-8');
  const atom = parseAtom(res.body);
  assert.match(atom.title, /alertes/);
  // The direction of the hospital: not the EHPAD-only alert. Newest first.
  assert.deepEqual(
    atom.entries.map((e) => e.id),
    [published.tricky, published.all].map((a) => `${TEST_ORIGIN}/alertes/${a}`),
  );
  assert.deepEqual(
    atom.entries.map((e) => e.link),
    atom.entries.map((e) => e.id),
  );
  // Text is escaped as HTML inside the entry, so a feed reader shows it and runs nothing.
  const tricky = atom.entries[0];
  assert.equal(tricky.title, '[Critique] Faille &lt;script&gt;alert(1)&lt;/script&gt; &amp; « ]]&gt; »');
  assert.ok(!tricky.content.includes('<script>') && !tricky.content.includes('<b>'));
  assert.match(tricky.content, /Ce qu’il faut vérifier/);
  assert.match(tricky.summary, /&lt;b&gt;balises&lt;\/b&gt;/);
  assert.equal(atom.entries[1].title, '[Élevée] Alerte pour toute la région');

  const [row] = await t.platform.db.select().from(feedTokens).where(eq(feedTokens.id, id));
  assert.equal(row.lastUsedAt?.toISOString(), t.clock.now().toISOString(), 'last use is recorded');

  // A feed reader that only takes a URL.
  const byQuery = await feed({}, `?token=${encodeURIComponent(token)}`);
  assert.equal(byQuery.statusCode, 200);
  assert.deepEqual(parseAtom(byQuery.body).entries.map((e) => e.id), atom.entries.map((e) => e.id));
});

test('whose alerts: the EHPAD its own, the GHT coordinator every one, the region all it sent, the south none of the north', async () => {
  const ids = async (role: WorldUser) => {
    const { token } = await createToken(clients[role]);
    const res = await feed({ authorization: `Bearer ${token}` });
    assert.equal(res.statusCode, 200, `${role}: ${res.body}`);
    return parseAtom(res.body).entries.map((e) => e.id.replace(`${TEST_ORIGIN}/alertes/`, ''));
  };
  assert.deepEqual(await ids('ehpadRssi'), [published.tricky, published.ehpadOnly, published.all]);
  assert.deepEqual(await ids('coordGht'), [published.tricky, published.ehpadOnly, published.all]);
  assert.deepEqual(await ids('coordRegion'), [published.tricky, published.ehpadOnly, published.all]);
  assert.deepEqual(await ids('foreignCoord'), []);
  assert.deepEqual(await ids('foreignRssi'), []);
});

test('an unknown, revoked or disabled owner’s token gets 401 in French, and nothing else', async () => {
  const expectRefused = async (headers: Record<string, string>, query = '') => {
    const res = await feed(headers, query);
    assert.equal(res.statusCode, 401, res.body);
    assert.equal(res.json().error.code, 'unauthenticated');
    assert.match(res.json().error.message, /lien de flux d’alertes n’est pas valide ou a été révoqué/);
    assert.ok(!res.body.includes('Alerte'));
  };
  await expectRefused({});
  await expectRefused({ authorization: 'Bearer inconnu' });
  await expectRefused({}, '?token=inconnu');
  await expectRefused({}, `?token=${'x'.repeat(5000)}`);
  await expectRefused({ authorization: 'Basic Zm9vOmJhcg==' });

  // Revoked: stops at once.
  const { token, id } = await createToken(clients.coordGht);
  assert.equal((await feed({ authorization: `Bearer ${token}` })).statusCode, 200);
  const revoke = await clients.coordGht.delete(`/api/v1/feeds/tokens/${id}`);
  assert.equal(revoke.statusCode, 200);
  await expectRefused({ authorization: `Bearer ${token}` });
  await expectRefused({}, `?token=${token}`);
  const [entry] = await t.platform.db.select().from(auditLog).where(and(eq(auditLog.action, 'incident.feed_token.revoked'), eq(auditLog.targetId, id)));
  assert.equal(entry.actorId, world.users.coordGht.id);
  assert.ok(!(await clients.coordGht.get('/api/v1/feeds/tokens')).json().tokens.some((x: { id: string }) => x.id === id));

  // Its owner disabled: the token stops too.
  const own = await createToken(clients.ehpadRssi);
  await t.platform.db.update(users).set({ status: 'disabled' }).where(eq(users.id, world.users.ehpadRssi.id));
  try {
    await expectRefused({ authorization: `Bearer ${own.token}` });
  } finally {
    await t.platform.db.update(users).set({ status: 'active' }).where(eq(users.id, world.users.ehpadRssi.id));
  }
});

test('revoking: only one’s own live links (404 otherwise), bad id 400', async () => {
  const mine = await createToken(clients.coordRegion);
  const theirs = await clients.foreignCoord.delete(`/api/v1/feeds/tokens/${mine.id}`);
  assert.equal(theirs.statusCode, 404);
  assert.equal((await clients.rssi.delete(`/api/v1/feeds/tokens/${mine.id}`)).statusCode, 404);
  assert.equal((await feed({ authorization: `Bearer ${mine.token}` })).statusCode, 200, 'still alive');
  assert.equal((await clients.coordRegion.delete('/api/v1/feeds/tokens/pas-un-id')).statusCode, 400);
  assert.equal((await clients.coordRegion.delete('/api/v1/feeds/tokens/00000000-0000-4000-8000-000000000000')).statusCode, 404);
  assert.equal((await clients.coordRegion.delete(`/api/v1/feeds/tokens/${mine.id}`)).statusCode, 200);
  assert.equal((await clients.coordRegion.delete(`/api/v1/feeds/tokens/${mine.id}`)).statusCode, 404, 'already revoked');
});

test(`at most ${MAX_FEED_TOKENS} live links per person; people who receive no alert have none`, async () => {
  const client = clients.foreignRssi;
  const existing = (await client.get('/api/v1/feeds/tokens')).json().tokens.length;
  const made = [];
  for (let i = existing; i < MAX_FEED_TOKENS; i++) made.push(await createToken(client));
  const refused = await client.post('/api/v1/feeds/tokens');
  assert.equal(refused.statusCode, 409);
  assert.match(refused.json().error.message, /révoquez/);
  const live = await t.platform.db.select().from(feedTokens).where(and(eq(feedTokens.userId, world.users.foreignRssi.id), sql`${feedTokens.revokedAt} is null`));
  assert.equal(live.length, MAX_FEED_TOKENS);
  assert.equal((await client.delete(`/api/v1/feeds/tokens/${live[0].id}`)).statusCode, 200);
  await createToken(client);

  // An agent receives no alert: no feed.
  for (const [method, url] of [
    ['GET', '/api/v1/feeds/tokens'],
    ['POST', '/api/v1/feeds/tokens'],
  ] as const) {
    assert.equal((await clients.agent.request(method, url, method === 'POST' ? {} : undefined)).statusCode, 403, `${method} ${url}`);
  }
  // Without a session.
  const anonymous = new Client(t.app);
  assert.equal((await anonymous.get('/api/v1/feeds/tokens')).statusCode, 401);
  assert.equal((await anonymous.post('/api/v1/feeds/tokens')).statusCode, 401);
});

test('the token in the URL or the header never reaches the logs', async () => {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const options = loggerOptions({ logLevel: 'info' });
  const app = Fastify({ logger: { ...(options as object), stream } });
  app.get('/api/v1/feeds/alerts.atom', async () => 'ok');
  const secret = 'TOKEN-Secret_value-0123456789abcdefghijklmnopq';
  await app.inject({ method: 'GET', url: `/api/v1/feeds/alerts.atom?token=${secret}&x=1` });
  await app.inject({ method: 'GET', url: '/api/v1/feeds/alerts.atom', headers: { authorization: `Bearer ${secret}` } });
  await app.close();
  const log = lines.join('');
  assert.ok(log.includes('/api/v1/feeds/alerts.atom?token=[masqué]&x=1'), 'the request was logged, its token masked');
  assert.ok(!log.includes(secret), 'the token is not in the logs');
});
