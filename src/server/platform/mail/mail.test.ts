import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { Client, createTestApp, type TestApp } from '../../../../test/support/app';
import { createTestDatabase } from '../../../../test/support/db';
import { seedWorld, signIn } from '../../../../test/support/world';
import type { Database } from '../db/client';
import { createJobQueue } from '../jobs/queue';
import { mails } from './schema';
import { smtpTransport } from './service';

interface Received {
  mailFrom: string | null;
  rcptTo: string[];
  headers: Map<string, string>;
  text: string;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?Q?…?= or =?UTF-8?B?…?=) in a header value. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
    );
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'quoted-printable':
      return Buffer.from(
        body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s/g, ''), 'base64').toString('utf8');
    default:
      return body;
  }
}

/** A real SMTP server on 127.0.0.1 that keeps every message it is given. */
async function startSmtp(port = 0): Promise<{ server: SMTPServer; port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const split = raw.indexOf('\r\n\r\n');
        const headers = new Map<string, string>();
        for (const line of raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
          const i = line.indexOf(':');
          headers.set(line.slice(0, i).trim().toLowerCase(), decodeHeader(line.slice(i + 1).trim()));
        }
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          headers,
          text: decodeBody(raw.slice(split + 4), headers.get('content-transfer-encoding')),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = (server as unknown as { server: { address(): AddressInfo } }).server.address();
  return { server, port: address.port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on (for now). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Polls `check` a bounded number of times; returns its first truthy answer. */
async function eventually<T>(label: string, check: () => Promise<T | undefined | null | false> | T | undefined | null | false, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await check();
    if (value) return value;
    await sleep(200);
  }
  throw new Error(`gave up waiting: ${label}`);
}

/**
 * Teardown drops the PostgreSQL test database WITH (FORCE): a pooled connection that is still
 * closing may hear of it (57P01) after the pool has ended, which is no failure of this file.
 */
function tolerateTeardown(database: Database) {
  database.pool?.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') throw err;
  });
}

/** The app as main.ts runs it with SMTP configured: jobs and the mail worker started. */
async function smtpApp(database: Database, port: number): Promise<TestApp> {
  const t = await createTestApp({
    database,
    deps: { mailTransport: smtpTransport(`smtp://127.0.0.1:${port}`), jobs: createJobQueue(database, { pollingIntervalSeconds: 0.5 }) },
  });
  await t.platform.jobs.start();
  await t.platform.mail.start();
  return t;
}

async function mailRowsTo(t: TestApp, to: string) {
  return t.platform.db.select().from(mails).where(eq(mails.to, to));
}

test('without SMTP the mail is kept in the database, and only administrators read it', async () => {
  const t = await createTestApp();
  tolerateTeardown(t.database);
  try {
    const world = await seedWorld(t.platform.db);
    const rssi = await signIn(t, world.users.rssi.email);
    const invited = 'kept.invitee@test.hygie.fr';
    const res = await rssi.post('/api/v1/invitations', { email: invited, orgId: world.orgs.hospital, role: 'agent' });
    assert.equal(res.statusCode, 200, res.body);

    const [row] = await mailRowsTo(t, invited);
    assert.equal(row.status, 'kept');
    assert.equal(row.error, null);
    assert.equal(row.sentAt, null);
    assert.match(row.text ?? '', /http:\/\/localhost:3000\/invitation#token=[A-Za-z0-9_-]{20,}/);

    // No job was queued: nothing would deliver it.
    const { rows } = await t.database.sql.query<{ n: number }>("select count(*)::int as n from pgboss.job where name = 'mail.send'");
    assert.equal(Number(rows[0].n), 0);

    const admin = await signIn(t, world.users.admin.email);
    const list = await admin.get('/api/v1/admin/mails');
    assert.equal(list.statusCode, 200);
    const listed = (list.json().mails as { id: string; to: string; subject: string; text: string | null; status: string }[]).find((m) => m.to === invited);
    assert.ok(listed, 'the kept mail is listed');
    assert.equal(listed.id, row.id);
    assert.equal(listed.status, 'kept');
    assert.equal(listed.subject, 'Hygie : invitation à rejoindre CH Nord');
    assert.equal(listed.text, row.text);

    // The link it holds works.
    const token = /#token=([A-Za-z0-9_-]+)/.exec(listed.text ?? '')![1];
    const preview = await new Client(t.app).post('/api/v1/invitations/preview', { token });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.equal(preview.json().email, invited);

    const forbidden = await rssi.get('/api/v1/admin/mails');
    assert.equal(forbidden.statusCode, 403);
  } finally {
    await t.close();
  }
});

test('a mail survives an SMTP server that is down, and is delivered after a restart', async () => {
  const database = await createTestDatabase();
  tolerateTeardown(database);
  const port = await freePort();
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  let second: TestApp | undefined;
  try {
    // First run: nothing listens on the SMTP port.
    const first = await smtpApp(database, port);
    const world = await seedWorld(first.platform.db);
    const rssi = await signIn(first, world.users.rssi.email);
    const invited = 'durable.invitee@test.hygie.fr';
    const res = await rssi.post('/api/v1/invitations', { email: invited, orgId: world.orgs.hospital, role: 'agent' });
    assert.equal(res.statusCode, 200, res.body);

    const failed = await eventually('the failed attempt is recorded', async () => {
      const [row] = await mailRowsTo(first, invited);
      return row?.error ? row : undefined;
    });
    assert.equal(failed.status, 'queued');
    assert.match(failed.error!, /ECONNREFUSED|connect/i);
    assert.match(failed.text ?? '', /#token=/); // still deliverable
    assert.equal(failed.sentAt, null);

    // Stop the app (the database stays), bring the SMTP server up, start again.
    await first.app.close();
    await first.platform.jobs.stop();
    smtp = await startSmtp(port);
    second = await smtpApp(database, port);

    const [message] = await eventually('the mail reaches the SMTP server', () => smtp!.received.length > 0 && smtp!.received);
    assert.deepEqual(message.rcptTo, [invited]);
    assert.equal(message.headers.get('subject'), 'Hygie : invitation à rejoindre CH Nord');
    const token = /\/invitation#token=([A-Za-z0-9_-]+)/.exec(message.text)?.[1];
    assert.ok(token, 'the mail holds the invitation link');
    const preview = await new Client(second.app).post('/api/v1/invitations/preview', { token });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.equal(preview.json().email, invited);

    const sent = await eventually('the mail is marked sent', async () => {
      const [row] = await mailRowsTo(second!, invited);
      return row?.status === 'sent' ? row : undefined;
    });
    assert.equal(sent.text, null);
    assert.equal(sent.error, null);
    assert.ok(sent.sentAt instanceof Date);
    assert.equal(smtp.received.length, 1);
  } finally {
    if (second) await second.close();
    else await database.close();
    await smtp?.close();
  }
});

test('with SMTP, a password reset mail is delivered and its link erased from the database', async () => {
  const smtp = await startSmtp();
  const database = await createTestDatabase();
  tolerateTeardown(database);
  const t = await smtpApp(database, smtp.port);
  try {
    const world = await seedWorld(t.platform.db);
    const email = world.users.agent.email;
    const res = await new Client(t.app).post('/api/v1/auth/password/reset-request', { email });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { ok: true });

    const [message] = await eventually('the mail reaches the SMTP server', () => smtp.received.length > 0 && smtp.received);
    assert.equal(smtp.received.length, 1);
    assert.deepEqual(message.rcptTo, [email]);
    assert.equal(message.mailFrom, 'ne-pas-repondre@hygie.local');
    assert.match(message.headers.get('to') ?? '', new RegExp(email.replace(/[.@]/g, '\\$&')));
    assert.match(message.headers.get('from') ?? '', /Hygie <ne-pas-repondre@hygie\.local>/);
    assert.equal(message.headers.get('subject'), 'Hygie : réinitialiser votre mot de passe');
    assert.match(message.text, /Bonjour Test agent,/);
    const token = /http:\/\/localhost:3000\/reinitialiser-mot-de-passe#token=([A-Za-z0-9_-]{20,})/.exec(message.text)?.[1];
    assert.ok(token, `the mail holds the reset link:\n${message.text}`);

    // The link is the real one: the token opens the reset page.
    const info = await new Client(t.app).post('/api/v1/auth/password/reset/info', { token });
    assert.equal(info.statusCode, 200, info.body);
    assert.deepEqual(info.json(), { mfaRequired: false });

    const sent = await eventually('the mail is marked sent', async () => {
      const [row] = await mailRowsTo(t, email);
      return row?.status === 'sent' ? row : undefined;
    });
    assert.equal(sent.text, null, 'the body (with its single-use link) is erased once delivered');
    assert.equal(sent.error, null);
    assert.equal(sent.subject, 'Hygie : réinitialiser votre mot de passe');
    assert.ok(sent.sentAt instanceof Date);

    // An unknown address gets the same answer and no mail.
    const unknown = await new Client(t.app).post('/api/v1/auth/password/reset-request', { email: 'personne@test.hygie.fr' });
    assert.deepEqual(unknown.json(), { ok: true });
    assert.equal((await mailRowsTo(t, 'personne@test.hygie.fr')).length, 0);
  } finally {
    await t.close();
    await smtp.close();
  }
});
