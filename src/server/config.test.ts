import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config';

const SECRET = 's'.repeat(40);

/** The ConfigError thrown for `env`, checked to be one. */
function problemsOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
    assert.match(err.message, /^Configuration invalide :\n/);
    for (const p of err.problems) assert.ok(err.message.includes(`  - ${p}`), `the message lists « ${p} »`);
    return err;
  }
  assert.fail(`no error for ${JSON.stringify(env)}`);
}

test('defaults: port 3000, ./data, demo on in embedded mode, public address from the port', () => {
  const c = loadConfig({});
  assert.equal(c.env, 'development');
  assert.equal(c.port, 3000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.dataDir, './data');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.demo, true);
  assert.equal(c.publicUrl, 'http://localhost:3000');
  assert.equal(c.logLevel, 'info');
  assert.equal(c.trustProxy, false);
  assert.equal(c.sessionIdleMinutes, 30);
  assert.equal(c.sessionMaxHours, 12);
  assert.equal(c.smtpUrl, undefined);
  assert.equal(c.smtpFrom, 'Hygie <ne-pas-repondre@hygie.local>');
  assert.equal(c.oidc, undefined);
  assert.equal(c.sessionSecret, undefined);

  assert.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080');
  assert.equal(loadConfig({ PORT: '8080' }).port, 8080);
  assert.equal(loadConfig({ PUBLIC_URL: 'https://hygie.example.fr/', PORT: '8080' }).publicUrl, 'https://hygie.example.fr');
  assert.equal(loadConfig({ HYGIE_DATA_DIR: '/var/lib/hygie' }).dataDir, '/var/lib/hygie');
});

test('the demo data: on in embedded mode, off with PostgreSQL and in production, or as asked', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://u@db/hygie' }).demo, false);
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://u@db/hygie' }).databaseUrl, 'postgresql://u@db/hygie');
  assert.equal(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET }).demo, false);
  assert.equal(loadConfig({ NODE_ENV: 'test' }).demo, true);
  assert.equal(loadConfig({ HYGIE_DEMO: 'off' }).demo, false);
  assert.equal(loadConfig({ HYGIE_DEMO: 'on', DATABASE_URL: 'postgres://u@db/hygie' }).demo, true);
  for (const v of ['on', 'true', '1']) assert.equal(loadConfig({ HYGIE_DEMO: v }).demo, true, v);
  for (const v of ['off', 'false', '0']) assert.equal(loadConfig({ HYGIE_DEMO: v }).demo, false, v);
});

test('empty variables count as unset', () => {
  const c = loadConfig({ PORT: '', DATABASE_URL: '', HYGIE_DEMO: '', PUBLIC_URL: '', SMTP_URL: '' });
  assert.equal(c.port, 3000);
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.demo, true);
  assert.equal(c.smtpUrl, undefined);
});

test('each bad variable is named, with a French explanation', () => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT doit être un nombre'],
    [{ PORT: '70000' }, 'PORT doit être compris entre 1 et 65535'],
    [{ PORT: '0' }, 'PORT doit être compris entre 1 et 65535'],
    [{ PORT: '80.5' }, 'PORT doit être un nombre entier'],
    [{ DATABASE_URL: 'mysql://root@localhost/hygie' }, 'DATABASE_URL doit commencer par postgres:// ou postgresql://'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL doit être une adresse complète, par exemple https://hygie.example.fr'],
    [{ SMTP_URL: 'http://x' }, 'SMTP_URL doit commencer par smtp:// ou smtps://'],
    [{ HYGIE_DEMO: 'maybe' }, 'HYGIE_DEMO doit valoir « on » ou « off »'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY doit valoir « on » ou « off »'],
    [{ SESSION_SECRET: 'too short' }, 'SESSION_SECRET doit contenir au moins 32 caractères'],
    [{ OIDC_ISSUER: 'pas une adresse', OIDC_CLIENT_ID: 'id', OIDC_CLIENT_SECRET: 'secret' }, 'OIDC_ISSUER doit être une adresse complète'],
  ];
  for (const [env, expected] of cases) {
    const err = problemsOf(env);
    assert.deepEqual(err.problems, [expected], JSON.stringify(env));
  }
});

test('checks without a message of their own are explained in French too', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ NODE_ENV: 'prod' }, 'NODE_ENV', /^NODE_ENV Option invalide/],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', /^LOG_LEVEL Option invalide/],
    [{ SESSION_IDLE_MINUTES: '2' }, 'SESSION_IDLE_MINUTES', /^SESSION_IDLE_MINUTES Trop petit/],
    [{ SESSION_MAX_HOURS: '1000' }, 'SESSION_MAX_HOURS', /^SESSION_MAX_HOURS Trop grand/],
  ];
  for (const [env, name, expected] of cases) {
    const err = problemsOf(env);
    assert.equal(err.problems.length, 1, name);
    assert.match(err.problems[0], expected);
    assert.doesNotMatch(err.problems[0], /Invalid|expected|Too (small|big)/, `${name}: no English`);
  }
});

test('several problems are all reported at once', () => {
  const err = problemsOf({ PORT: 'abc', SMTP_URL: 'http://x', HYGIE_DEMO: 'maybe' });
  assert.deepEqual(err.problems.map((p) => p.split(' ')[0]).sort(), ['HYGIE_DEMO', 'PORT', 'SMTP_URL']);
});

test('production requires SESSION_SECRET and refuses the demo data', () => {
  assert.deepEqual(problemsOf({ NODE_ENV: 'production' }).problems, ['SESSION_SECRET est obligatoire en production']);
  assert.deepEqual(problemsOf({ NODE_ENV: 'production', SESSION_SECRET: SECRET, HYGIE_DEMO: 'on' }).problems, [
    'HYGIE_DEMO les données de démonstration sont refusées en production',
  ]);
  const both = problemsOf({ NODE_ENV: 'production', HYGIE_DEMO: 'on' });
  assert.equal(both.problems.length, 2);

  const c = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, DATABASE_URL: 'postgres://u@db/hygie', PUBLIC_URL: 'https://hygie.example.fr' });
  assert.equal(c.env, 'production');
  assert.equal(c.sessionSecret, SECRET);
  assert.equal(c.demo, false);
});

test('OIDC settings go together', () => {
  const partials: Record<string, string>[] = [
    { OIDC_ISSUER: 'https://auth.example.fr' },
    { OIDC_CLIENT_ID: 'hygie' },
    { OIDC_ISSUER: 'https://auth.example.fr', OIDC_CLIENT_ID: 'hygie' },
    { OIDC_CLIENT_ID: 'hygie', OIDC_CLIENT_SECRET: 'secret' },
  ];
  for (const partial of partials) {
    const err = problemsOf(partial);
    assert.equal(err.problems.length, 1, JSON.stringify(partial));
    assert.match(err.problems[0], /OIDC_ISSUER, OIDC_CLIENT_ID et OIDC_CLIENT_SECRET vont ensemble/);
  }
  const c = loadConfig({ OIDC_ISSUER: 'https://auth.example.fr', OIDC_CLIENT_ID: 'hygie', OIDC_CLIENT_SECRET: 'secret' });
  assert.deepEqual(c.oidc, { issuer: 'https://auth.example.fr', clientId: 'hygie', clientSecret: 'secret', acr: 'eidas1', label: 'Pro Santé Connect' });
  assert.equal(loadConfig({ OIDC_ISSUER: 'https://a.fr', OIDC_CLIENT_ID: 'i', OIDC_CLIENT_SECRET: 's', OIDC_LABEL: 'Mon IdP', OIDC_ACR: 'eidas2' }).oidc?.label, 'Mon IdP');
});
