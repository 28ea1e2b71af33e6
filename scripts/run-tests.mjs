#!/usr/bin/env node
// Runs node's test runner on the listed test files (Node 20's runner takes no globs).
//   all:  every *.test.ts under src/ and test/ (the default of `npm test`)
//   unit: all but the browser tests in test/e2e
//   e2e:  only the browser tests
// Browser tests need the web app built (done here) and Chromium at /usr/bin/chromium
// (CHROMIUM_PATH to use another): `apt-get install -y chromium` on Debian/Ubuntu.
// Extra arguments go to node's test runner, e.g. `npm test -- --test-name-pattern=login`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const mode = process.argv[2] ?? 'all';
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.test.ts') ? [full] : [];
  });
const isE2e = (f) => f.startsWith(path.join('test', 'e2e') + path.sep);
const files = [...walk('src'), ...walk('test')]
  .sort()
  .filter((f) => mode === 'all' || (mode === 'e2e' ? isE2e(f) : !isE2e(f)));
if (files.length === 0) {
  console.error(`No ${mode} test files found.`);
  process.exit(1);
}
if (files.some(isE2e)) {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.error(`Browser tests need Chromium at ${chromium}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...process.argv.slice(3), ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
