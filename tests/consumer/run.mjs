#!/usr/bin/env node
// The consumer smoke test: every published package packed, installed from its tarball into a
// fresh project outside the repository, and used the way a user would. Prints one line per check
// and exits 1 when any failed. Run it after `npm run build` (it packs what is built).
//
//   node tests/consumer/run.mjs [--keep]   (--keep leaves the temporary project for a look)

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./project/', import.meta.url));
const PUBLISHED = [
  'packages/base',
  'packages/layout',
  'packages/api',
  'packages/backend-js',
  'packages/backend-wasm',
  'packages/backend-native',
  'packages/collections',
  'conformance',
];
// The consumer's own tools, at the majors the repository uses.
const TOOLS = ['typescript@~5.9.3', 'vitest@^4.1.12', 'esbuild@^0.25'];

const work = mkdtempSync(join(tmpdir(), 'mempool-consumer-'));
const project = join(work, 'project');
const results = [];

function run(command, args, cwd, env = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/** Runs one check; a failure is recorded with the end of its output and the run goes on. */
function check(name, act) {
  const started = Date.now();
  let failure;
  try {
    const result = act();
    if (result && !result.ok) failure = result.output;
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name, ok: failure === undefined });
  console.log(`${failure === undefined ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`);
  if (failure !== undefined)
    console.log(
      failure
        .trim()
        .split('\n')
        .slice(-25)
        .map((line) => `     | ${line}`)
        .join('\n'),
    );
}

try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  check('npm pack every published package', () => {
    for (const dir of PUBLISHED) {
      execFileSync('npm', ['pack', '--silent', '--pack-destination', tarballs], { cwd: join(root, dir), stdio: 'pipe' });
    }
    const packed = readdirSync(tarballs).filter((name) => name.endsWith('.tgz'));
    if (packed.length !== PUBLISHED.length) throw new Error(`packed ${packed.length} of ${PUBLISHED.length}: ${packed}`);
    for (const dir of PUBLISHED) {
      const files = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: join(root, dir), encoding: 'utf8' });
      const listed = JSON.parse(files)[0].files.map((f) => f.path);
      for (const required of ['LICENSE', 'README.md', 'package.json']) {
        if (!listed.includes(required)) throw new Error(`${dir}: ${required} is not in the tarball`);
      }
    }
  });

  cpSync(fixtures, project, { recursive: true });
  check('npm install the tarballs into a fresh project outside the repository', () => {
    const packed = readdirSync(tarballs).map((name) => join(tarballs, name));
    return run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed, ...TOOLS], project);
  });

  for (const name of ['js', 'wasm', 'native']) {
    check(`ESM import of @mempool/backend-${name}, a pool and an arena`, () => run('node', ['use-backend.mjs', name], project));
  }
  check('@mempool/backend-native loads its shipped prebuild, and nothing was compiled at install', () => {
    const dir = join(project, 'node_modules/@mempool/backend-native');
    if (existsSync(join(dir, 'build'))) throw new Error(`${dir}/build exists: the addon was compiled at install`);
    return run('node', ['native-prebuild.mjs'], project);
  });
  check('struct layouts from @mempool/layout, the same objects through @mempool/api', () => run('node', ['use-layout.mjs'], project));
  check('@mempool/collections: a HandleMap, and a HandleQueue between two workers', () => run('node', ['use-collections.mjs'], project));
  check("loadBackend for 'js', 'wasm', 'native', and 'auto' (js on Node 20)", () => run('node', ['load-backend.mjs'], project));
  check('TypeScript: module nodenext, skipLibCheck false', () => run('npx', ['tsc', '-p', 'tsconfig.nodenext.json'], project));
  check('TypeScript: moduleResolution bundler, skipLibCheck false', () => run('npx', ['tsc', '-p', 'tsconfig.bundler.json'], project));
  // The types declare `Disposable` and `Symbol.dispose` themselves (as esnext.disposable and
  // @types/node do), so a project with lib es2022 and no @types/node typechecks, `using` included.
  check('TypeScript: lib es2022 and no @types/node, skipLibCheck false', () =>
    run('npx', ['tsc', '-p', 'tsconfig.no-disposable.json'], project),
  );
  check('registerConformanceSuite from the installed @mempool/conformance, under vitest', () => {
    const result = run('npx', ['vitest', 'run'], project);
    const lines = result.output.split('\n').filter((line) => line.startsWith('conformance '));
    console.log(lines.map((line) => `     ${line}`).join('\n'));
    // One line per backend, and one per shared run where the backend has shared allocators.
    const backends = ['js', 'wasm', 'native'].every((name) => lines.some((line) => line.startsWith(`conformance ${name}:`)));
    const clean = backends && lines.every((line) => / 0 failed \(test table 84 passed, 84 required;/.test(line));
    return result.ok && clean ? result : { ok: false, output: result.output };
  });
  check('esbuild bundles js + wasm + api for the browser with no shims', () => run('node', ['bundle.mjs'], project));
} finally {
  if (process.argv.includes('--keep')) console.log(`project kept in ${project}`);
  else rmSync(work, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok);
console.log(
  `consumer: ${results.length - failed.length} passed, ${failed.length} failed${failed.length > 0 ? ` (${failed.map((r) => r.name).join('; ')})` : ''}`,
);
process.exitCode = failed.length > 0 ? 1 : 0;
