/**
 * Harness of the browser tests: the real app (fresh database, fake clock) listening on a
 * free port and serving the built web app (`dist/web`, built by `npm run test:e2e`), and
 * Debian's Chromium driven by playwright-core. One app and one browser per test file; a new
 * browser context (cookies, storage) per journey.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { desc, eq } from 'drizzle-orm';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { Client, createTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/world';
import { seedWorld, type World } from '../support/world';
import { totpAt } from '../../src/server/platform/auth/mfa';
import { mails } from '../../src/server/platform/mail/schema';
import { seedDemo } from '../../src/server/demo/seed';
import { WEB_DIR } from '../../src/server/app';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Generous: a slow CI machine must not make a journey fail. */
export const TIMEOUT_MS = 15_000;
/** For node:test's `test(name, { timeout }, fn)`: a whole journey. */
export const JOURNEY_TIMEOUT_MS = 180_000;

export interface E2E {
  t: TestApp;
  world: World;
  baseURL: string;
  browser: Browser;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

/** The app on a free port with the seeded world, and a headless Chromium. */
export async function startE2E(env: Record<string, string> = {}): Promise<E2E> {
  return launch(env, (t) => seedWorld(t.platform.db));
}

/** A browser session on the app with something else than the world in it (see startDemoE2E). */
export type E2EApp = Omit<E2E, 'world'>;

/** The app in demo mode with the demo data, as `npm start` serves it (no world), and a headless Chromium. */
export async function startDemoE2E(): Promise<E2EApp> {
  return launch({ HYGIE_DEMO: 'on' }, async (t) => {
    if (!(await seedDemo(t.platform.db, t.clock.now()))) throw new Error('the demo data was not loaded');
  });
}

async function launch<S>(env: Record<string, string>, seed: (t: TestApp) => Promise<S>): Promise<Omit<E2E, 'world'> & { world: S }> {
  if (!existsSync(path.join(WEB_DIR, 'index.html'))) {
    throw new Error(`${WEB_DIR} is missing: build the web app first (npx vite build, or npm run test:e2e)`);
  }
  const port = await freePort();
  const baseURL = `http://localhost:${port}`;
  const t = await createTestApp({ env: { PUBLIC_URL: baseURL, ...env } });
  let browser: Browser | undefined;
  try {
    const world = await seed(t);
    await t.app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    const b = browser;
    return {
      t,
      world,
      baseURL,
      browser: b,
      async close() {
        await b.close();
        await t.close();
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await t.close();
    throw error;
  }
}

// --- Journeys -------------------------------------------------------------------------

export interface JourneyOptions {
  viewport?: { width: number; height: number };
  isMobile?: boolean;
  hasTouch?: boolean;
}

interface Problems {
  /** Fail the journey: uncaught errors in the page, CSP violations, 5xx answers. */
  fatal: string[];
  /** Reported with a failure, but expected in some journeys (a 401 on a wrong password…). */
  notes: string[];
}

function watch(page: Page, problems: Problems) {
  const where = () => page.url();
  page.on('pageerror', (error) => problems.fatal.push(`uncaught error on ${where()}: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/content security policy/i.test(text)) problems.fatal.push(`CSP violation on ${where()}: ${text}`);
    else if (message.type() === 'error') problems.notes.push(`console error on ${where()}: ${text}`);
  });
  page.on('requestfailed', (request) => problems.notes.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    const status = response.status();
    if (status >= 500) problems.fatal.push(`server error ${status}: ${response.request().method()} ${response.url()}`);
    else if (status >= 400) problems.notes.push(`answer ${status}: ${response.request().method()} ${response.url()}`);
  });
}

export interface Journey {
  /** Another person, on their own device: a new browser context, watched like the first one. */
  open(options?: JourneyOptions): Promise<Page>;
}

/**
 * Runs one journey in a fresh browser context (its own cookies and storage). Fails on any
 * uncaught page error, CSP violation or server error, and lists the console errors and
 * failed requests seen; keeps a screenshot of each page when the journey fails.
 */
export async function journey(e2e: E2EApp, name: string, run: (page: Page, journey: Journey) => Promise<void>, options: JourneyOptions = {}): Promise<void> {
  const problems: Problems = { fatal: [], notes: [] };
  const contexts: BrowserContext[] = [];
  const open = async (opts: JourneyOptions = options): Promise<Page> => {
    const context = await e2e.browser.newContext({
      baseURL: e2e.baseURL,
      locale: 'fr-FR',
      timezoneId: 'Europe/Paris',
      viewport: opts.viewport ?? { width: 1280, height: 900 },
      isMobile: opts.isMobile,
      hasTouch: opts.hasTouch,
      reducedMotion: 'reduce',
    });
    context.setDefaultTimeout(TIMEOUT_MS);
    context.setDefaultNavigationTimeout(TIMEOUT_MS);
    context.on('page', (page) => watch(page, problems));
    contexts.push(context);
    return context.newPage();
  };
  let failure: unknown = null;
  try {
    await run(await open(), { open });
  } catch (error) {
    failure = error;
  }
  if (failure !== null || problems.fatal.length > 0) {
    const dir = path.join(tmpdir(), 'hygie-e2e');
    mkdirSync(dir, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    for (const [i, context] of contexts.entries()) {
      for (const [j, page] of context.pages().entries()) {
        const file = path.join(dir, `${slug}-${i}-${j}.png`);
        await page.screenshot({ path: file, fullPage: true }).then(
          () => problems.notes.push(`screenshot of ${page.url()}: ${file}`),
          () => undefined,
        );
      }
    }
  }
  for (const context of contexts) await context.close().catch(() => undefined);
  const report = [...problems.fatal.map((p) => `  ✗ ${p}`), ...problems.notes.map((p) => `  · ${p}`)].join('\n');
  if (failure !== null) {
    if (failure instanceof Error) failure.message += `\n[${name}] seen in the browser:\n${report}`;
    throw failure;
  }
  if (problems.fatal.length > 0) throw new Error(`[${name}] the browser reported problems:\n${report}`);
}

// --- Accessibility ----------------------------------------------------------------------

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA, and best practices) on the page as it is now, once
 * its `h1` is shown, and fails with a readable list of the violations.
 */
export async function checkA11y(page: Page, label: string): Promise<void> {
  await page.locator('h1').first().waitFor({ state: 'visible' });
  // The CSP (script-src 'self') forbids an injected <script>; evaluate is not subject to it.
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const runner = (window as unknown as { axe: typeof axe }).axe;
    const result = await runner.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target as unknown[], failureSummary: n.failureSummary })),
    }));
  });
  if (violations.length === 0) return;
  const lines = (violations as AxeViolation[]).map((v) =>
    [
      `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}`,
      `  ${v.helpUrl}`,
      ...v.nodes.map((n) => `    at ${n.target.map(String).join(' > ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`),
    ].join('\n'),
  );
  throw new Error(`axe found ${violations.length} accessibility violation(s) on "${label}" (${page.url()}):\n${lines.join('\n')}`);
}

// --- Person-level steps -------------------------------------------------------------------

/** Waits for the page's title (its `h1`) to read `text`, and the window's title to say where we are. */
export async function heading(page: Page, text: string) {
  await page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor({ state: 'visible' });
  const title = `${text} — Hygie`;
  await page.waitForFunction((expected) => document.title === expected, title).catch(async (error: Error) => {
    throw new Error(`the window title is "${await page.title()}", not "${title}": ${error.message}`);
  });
}

/** Fills and sends the sign-in form, from the sign-in page. */
export async function submitLogin(page: Page, email: string, password: string) {
  await page.getByLabel('Adresse e-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
}

/** Opens the sign-in page and signs in; stops wherever the app then goes. */
export async function login(page: Page, email: string, password: string) {
  await page.goto('/connexion');
  await heading(page, 'Connexion');
  await submitLogin(page, email, password);
}

/** On the code page: a new 30-second step (a code is never accepted twice), then its code. */
export async function answerMfa(e2e: E2E, page: Page, secret: string) {
  await heading(page, 'Double authentification');
  e2e.t.clock.advance(30_000);
  await page.getByLabel('Code de vérification', { exact: true }).fill(totpAt(secret, e2e.t.clock.now()));
  await page.getByRole('button', { name: 'Vérifier le code', exact: true }).click();
}

/**
 * On the enrolment page: reads the key shown under the QR code, types the code of this
 * moment, and returns the key and the recovery codes shown (the page stays on them).
 */
export async function enrolMfa(e2e: E2E, page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await heading(page, 'Activer la double authentification');
  const secret = (await page.locator('code.secret').innerText()).replace(/\s+/g, '');
  if (!/^[A-Z2-7]+$/.test(secret)) throw new Error(`the key shown is not a base32 secret: ${secret}`);
  await page.getByLabel('Code de vérification', { exact: true }).fill(totpAt(secret, e2e.t.clock.now()));
  await page.getByRole('button', { name: 'Activer la double authentification', exact: true }).click();
  await page.getByRole('heading', { name: 'Vos codes de secours' }).waitFor();
  const recoveryCodes = await page.locator('.recovery-codes__list li').allInnerTexts();
  return { secret, recoveryCodes };
}

/** Signs out through the user menu and waits for the sign-in page. */
export async function logout(page: Page) {
  await page.getByRole('button', { name: "Menu de l'utilisateur", exact: true }).click();
  await page.getByRole('button', { name: 'Se déconnecter', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/connexion');
  await heading(page, 'Connexion');
}

/** The newest mail kept for `to` (no SMTP in tests: mails stay in the database). */
export async function lastMailTo(e2e: E2E, to: string) {
  const [mail] = await e2e.t.platform.db.select().from(mails).where(eq(mails.to, to)).orderBy(desc(mails.createdAt)).limit(1);
  if (!mail) throw new Error(`no mail kept for ${to}`);
  return mail;
}

/** The main area's text, for "the person sees…" assertions. */
export const mainText = (page: Page) => page.locator('main').innerText();

/** Waits until `text` is shown somewhere in the page (or in `within`). */
export async function see(page: Page, text: string | RegExp, within = 'body') {
  await page.locator(within).getByText(text).first().waitFor({ state: 'visible' });
}

/** Whether the element has the keyboard focus. */
export const hasFocus = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

/** The element that has the keyboard focus: its tag and its text or label, as a person would name it. */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName.toLowerCase() ?? '', text: (el?.innerText || el?.getAttribute('aria-label') || '').trim(), id: el?.id ?? '' };
  });

/** A 6-digit code that is none of those the app would accept now (drift of one step either way). */
export function wrongCode(secret: string, at: Date): string {
  const accepted = new Set([-30_000, 0, 30_000].map((d) => totpAt(secret, new Date(at.getTime() + d))));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!accepted.has(code)) return code;
  }
}

/** An API client that says it comes from this app's origin (the harness's PUBLIC_URL). */
class OriginClient extends Client {
  constructor(
    app: TestApp['app'],
    private readonly origin: string,
  ) {
    super(app);
  }
  override raw(...[method, url, body, headers = {}]: Parameters<Client['raw']>) {
    return super.raw(method, url, body, { origin: this.origin, ...headers });
  }
}

/**
 * Signs a person in through the API from the app's origin, enrolling two-factor
 * authentication on the way (auth.e2e.test.ts covers the pages), and keeps the session open:
 * returns the signed-in client, with a fresh CSRF token, and the TOTP secret.
 */
export async function signInThroughApi(e2e: E2E, email: string, password = PASSWORD): Promise<{ client: Client; secret: string }> {
  const client = new OriginClient(e2e.t.app, e2e.baseURL);
  const login = await client.post('/api/v1/auth/login', { email, password });
  if (login.statusCode !== 200 || !login.json().mfaEnrollmentRequired) throw new Error(`login of ${email} for enrolment: ${login.statusCode} ${login.body}`);
  const start = await client.post('/api/v1/auth/mfa/enrol');
  if (start.statusCode !== 200) throw new Error(`enrolment of ${email}: ${start.statusCode} ${start.body}`);
  const secret = start.json().secret as string;
  const confirm = await client.post('/api/v1/auth/mfa/enrol/confirm', { code: totpAt(secret, e2e.t.clock.now()) });
  if (confirm.statusCode !== 200) throw new Error(`enrolment of ${email}: ${confirm.statusCode} ${confirm.body}`);
  client.refreshCsrf();
  return { client, secret };
}

/**
 * Sets up two-factor authentication for a person through the API, as if done earlier in the
 * browser, signs out, and returns the TOTP secret.
 */
export async function enrolMfaThroughApi(e2e: E2E, email: string, password = PASSWORD): Promise<string> {
  const { client, secret } = await signInThroughApi(e2e, email, password);
  const logout = await client.post('/api/v1/auth/logout');
  if (logout.statusCode >= 400) throw new Error(`logout of ${email}: ${logout.statusCode} ${logout.body}`);
  return secret;
}
