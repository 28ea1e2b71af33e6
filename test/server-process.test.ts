import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../src/server/demo/seed';
import { openDatabase } from '../src/server/platform/db/client';

/**
 * The real server process, as `npm start` runs it: embedded database in a temporary
 * directory, demo data, a real port. Every wait is bounded; children are killed at the end.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const READY_SECONDS = 120;
const EXIT_SECONDS = 60;

const children = new Set<ChildProcess>();
const dirs: string[] = [];

after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Server {
  child: ChildProcess;
  port: number;
  base: string;
  stdout(): string;
  stderr(): string;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hygie-process-'));
  dirs.push(dir);
  return dir;
}

/** Only what the server needs: no DATABASE_URL, NODE_ENV or PUBLIC_URL from the test's own environment. */
function start(env: Record<string, string>, port: number): Server {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), NODE_ENV: 'development', LOG_LEVEL: 'warn', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { child, port, base: `http://127.0.0.1:${port}`, stdout: () => out, stderr: () => err };
}

async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const server = start({ HYGIE_DATA_DIR: dataDir }, port);
  await waitFor(server, () => server.stdout().includes('Hygie est prêt'), READY_SECONDS, 'the ready line');
  return server;
}

/** Resolves once `ready()` holds; fails if the process exits first or the bound is reached. */
function waitFor(server: Server, ready: () => boolean, seconds: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (ready()) return done(null);
    };
    const onExit = (code: number | null) => {
      if (ready()) return done(null);
      done(new Error(`the server exited (${code}) before ${what}\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`));
    };
    const timer = setTimeout(() => done(new Error(`no ${what} within ${seconds} s\nstdout:\n${server.stdout()}\nstderr:\n${server.stderr()}`)), seconds * 1000);
    const done = (err: Error | null) => {
      clearTimeout(timer);
      server.child.stdout!.off('data', check);
      server.child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    server.child.stdout!.on('data', check);
    server.child.on('exit', onExit);
    check();
  });
}

/** The exit code, within a bound. */
function exitOf(child: ChildProcess, seconds = EXIT_SECONDS): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the process did not exit within ${seconds} s`)), seconds * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** A script's session: the cookie it was given, the CSRF token of that session. */
async function signIn(base: string, email: string, password = DEMO_PASSWORD) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { mfaRequired: boolean; mfaEnrollmentRequired: boolean };
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-hygie_session='));
  assert.ok(cookie, 'a session cookie');
  const session = cookie.split(';')[0];
  const csrf = (await (await fetch(`${base}/api/v1/auth/csrf`, { headers: { cookie: session } })).json()) as { token: string };
  return { body, cookie: session, csrf: csrf.token };
}

async function countUsers(dataDir: string): Promise<number> {
  const database = await openDatabase({ dataDir });
  try {
    const { rows } = await database.sql.query<{ n: number }>('select count(*)::int as n from users');
    return Number(rows[0].n);
  } finally {
    await database.close();
  }
}

const dataDir = tempDir();
let first: Server;

test('the server starts on an empty data directory, seeds the demo and says how to sign in', async () => {
  first = await startServer(dataDir);
  const out = first.stdout();
  assert.match(out, new RegExp(`Hygie est prêt : http://localhost:${first.port}`));
  assert.match(out, /Données de démonstration chargées — mot de passe de tous les comptes : demo-hygie-2026/);
  for (const account of DEMO_ACCOUNTS) assert.ok(out.includes(account.email), `${account.email} is listed`);
  assert.match(out, /La double authentification n’est pas imposée en démonstration/);
  assert.match(out, /Base embarquée \(PGlite\)/, 'the embedded-mode warning is logged');

  const lock = path.join(dataDir, 'hygie.lock');
  assert.ok(existsSync(lock), 'the lock file is taken');
  assert.equal(readFileSync(lock, 'utf8').trim(), String(first.child.pid));
});

test('over real HTTP: health, and a demo account signs in without MFA', async () => {
  const health = await fetch(`${first.base}/api/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok', database: 'embedded', version: VERSION });

  const session = await signIn(first.base, 'rssi@ch-demo.fr');
  assert.deepEqual(session.body, { mfaRequired: false, mfaEnrollmentRequired: false });
  const me = await fetch(`${first.base}/api/v1/me`, { headers: { cookie: session.cookie } });
  assert.equal(me.status, 200);
  const body = (await me.json()) as { demo: boolean; user: { email: string; mfaCompulsory: boolean }; memberships: { role: string }[] };
  assert.equal(body.demo, true);
  assert.equal(body.user.email, 'rssi@ch-demo.fr');
  assert.equal(body.user.mfaCompulsory, false);
  assert.deepEqual(body.memberships.map((m) => m.role), ['rssi']);

  // Something to find again after a restart.
  const patch = await fetch(`${first.base}/api/v1/me`, {
    method: 'PATCH',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: 'Karim Benali (modifié)' }),
  });
  assert.equal(patch.status, 200, await patch.clone().text());

  const wrong = await fetch(`${first.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'rssi@ch-demo.fr', password: 'pas le bon mot de passe' }),
  });
  assert.equal(wrong.status, 401);
});

test('a second process on the same embedded database is refused', async () => {
  const second = start({ HYGIE_DATA_DIR: dataDir }, await freePort());
  assert.equal(await exitOf(second.child), 1);
  assert.match(second.stderr(), /La base embarquée .* est déjà ouverte par le processus \d+/);
  assert.match(second.stderr(), new RegExp(`processus ${first.child.pid}\\b`));
  assert.match(second.stderr(), /DATABASE_URL/);
  assert.doesNotMatch(second.stdout(), /Hygie est prêt/);

  // The first one is unharmed, lock included.
  assert.equal((await fetch(`${first.base}/api/health`)).status, 200);
  assert.equal(readFileSync(path.join(dataDir, 'hygie.lock'), 'utf8').trim(), String(first.child.pid));
});

test('SIGTERM stops the server cleanly and frees the lock', async () => {
  first.child.kill('SIGTERM');
  assert.equal(await exitOf(first.child), 0);
  assert.equal(existsSync(path.join(dataDir, 'hygie.lock')), false);
  assert.equal(await countUsers(dataDir), DEMO_ACCOUNTS.length);
});

test('a restart keeps the data and does not seed again', async () => {
  const again = await startServer(dataDir);
  try {
    assert.match(again.stdout(), /Données de démonstration — mot de passe/);
    assert.doesNotMatch(again.stdout(), /chargées/);
    const session = await signIn(again.base, 'rssi@ch-demo.fr');
    const me = (await (await fetch(`${again.base}/api/v1/me`, { headers: { cookie: session.cookie } })).json()) as { user: { displayName: string } };
    assert.equal(me.user.displayName, 'Karim Benali (modifié)');
  } finally {
    again.child.kill('SIGTERM');
    assert.equal(await exitOf(again.child), 0);
  }
  assert.equal(existsSync(path.join(dataDir, 'hygie.lock')), false);
  assert.equal(await countUsers(dataDir), DEMO_ACCOUNTS.length);
});

test('production without SESSION_SECRET refuses to start and names the variable', async () => {
  const dir = tempDir();
  const prod = start({ NODE_ENV: 'production', HYGIE_DATA_DIR: dir }, await freePort());
  assert.equal(await exitOf(prod.child), 1);
  assert.match(prod.stderr(), /Configuration invalide/);
  assert.match(prod.stderr(), /SESSION_SECRET est obligatoire en production/);
  assert.doesNotMatch(prod.stdout(), /Hygie est prêt/);
  assert.equal(existsSync(path.join(dir, 'hygie.lock')), false);
});
