#!/usr/bin/env node
// Runs node's test runner on the listed test files (Node 20's runner takes no globs).
//   unit: every *.test.ts under src/ and test/ except the browser tests in test/e2e
//   e2e:  the browser tests (test/e2e), which build the web app first
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const mode = process.argv[2] ?? 'unit';
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.test.ts') ? [full] : [];
  });
const all = [...walk('src'), ...walk('test')].sort();
const isE2e = (f) => f.startsWith(path.join('test', 'e2e') + path.sep);
const files = all.filter((f) => (mode === 'e2e' ? isE2e(f) : !isE2e(f)));
if (files.length === 0) {
  console.error(`No ${mode} test files found.`);
  process.exit(1);
}
if (mode === 'e2e') {
  const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const extra = process.argv.slice(3);
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${mode === 'e2e' ? 1 : 2}`, ...extra, ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
