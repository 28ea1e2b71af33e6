import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps } from '../../src/server/app';
import { loadConfig, type Config } from '../../src/server/config';
import { FakeClock } from '../../src/server/platform/clock';
import type { Platform } from '../../src/server/platform/context';
import type { Database } from '../../src/server/platform/db/client';
import { MemoryFileStore } from '../../src/server/platform/files/store';
import { MemoryTransport } from '../../src/server/platform/mail/service';
import { createTestDatabase } from './db';

export const TEST_ORIGIN = 'http://localhost:3000';
export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hkdf-0123456789';

export interface TestApp {
  app: FastifyInstance;
  platform: Platform;
  database: Database;
  clock: FakeClock;
  config: Config;
  close(): Promise<void>;
}

/**
 * A real app on a fresh database. Not in demo mode: MFA rules apply as in production.
 * The per-minute volume limit is lifted (every test request comes from one address);
 * brute-force throttling, which follows the test clock, stays on.
 */
export async function createTestApp(opts: { env?: Record<string, string>; deps?: Partial<AppDeps>; database?: Database } = {}): Promise<TestApp> {
  const database = opts.database ?? (await createTestDatabase());
  const config = loadConfig({ NODE_ENV: 'test', HYGIE_DEMO: 'off', PUBLIC_URL: TEST_ORIGIN, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '100000', ...opts.env });
  const clock = new FakeClock(new Date());
  const { app, platform } = await buildApp({ config, database, secret: TEST_SECRET, clock, logger: false, files: new MemoryFileStore(), ...opts.deps });
  await app.ready();
  return {
    app,
    platform,
    database,
    clock,
    config,
    async close() {
      await app.close();
      await platform.jobs.stop();
      await database.close();
    },
  };
}

export { MemoryTransport };

/**
 * A browser-like client: keeps the session cookie, sends the Origin header, and fetches
 * and sends the CSRF token for state-changing requests, as the web app does.
 */
export class Client {
  cookie: string | null = null;
  private csrf: string | null = null;
  constructor(private readonly app: FastifyInstance) {}

  async request(method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const unsafe = !['GET', 'HEAD'].includes(String(method));
    if (unsafe && this.cookie && !this.csrf) {
      const res = await this.raw('GET', '/api/v1/auth/csrf');
      if (res.statusCode === 200) this.csrf = res.json().token;
    }
    const res = await this.raw(method, url, body, { ...(unsafe && this.csrf ? { 'x-csrf-token': this.csrf } : {}), ...headers });
    return res;
  }

  /** No automatic CSRF token: for tests of the protections themselves. */
  async raw(method: InjectOptions['method'], url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      method,
      url,
      payload: body as InjectOptions['payload'],
      headers: { origin: TEST_ORIGIN, ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
    });
    const set = res.cookies.find((c) => c.name === '__Host-hygie_session');
    if (set) {
      this.cookie = set.value ? `${set.name}=${set.value}` : null;
      this.csrf = null;
    }
    return res;
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body: unknown = {}) => this.request('POST', url, body);
  put = (url: string, body: unknown = {}) => this.request('PUT', url, body);
  patch = (url: string, body: unknown = {}) => this.request('PATCH', url, body);
  delete = (url: string) => this.request('DELETE', url);

  /** Invalidate the cached CSRF token (after MFA the session gets a new one). */
  refreshCsrf() {
    this.csrf = null;
  }
}
