#!/usr/bin/env node
// The runtime matrix (`npm run test:runtimes`): on Node 20 (this machine's), 22, 24 and 26, Bun and
// Deno, each installed pinned from the npm registry (runtimes.mjs), it runs
//   - the conformance suite on every backend the runtime loads (the shared-allocator and lifetime
//     groups included) and the concurrency suite, under vitest running on that runtime;
//   - the native backend's worker-termination and drop-loop tests (test/hardening.test.ts);
//   - the consumer smoke test's import / pool / arena part (tests/consumer/project/use-backend.mjs)
//     and its loadBackend check, against the workspace's built packages.
// It prints one closing line per runtime and backend (`conformance js on node 26: N passed, 0
// failed (...)`) and exits 1 on any failure. What a runtime cannot run is named with the reason
// the probe (probe.mjs) found, never passed over silently.
//
//   node tests/runtimes/run.mjs [label...]   e.g. `node tests/runtimes/run.mjs "deno 2.9"`
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { install, RUNTIMES, root } from './runtimes.mjs';

const only = process.argv.slice(2);
const selected = only.length === 0 ? RUNTIMES : RUNTIMES.filter((r) => only.includes(r.label));
const vitest = join(root, 'node_modules/vitest/vitest.mjs');
const config = join(root, 'tests/runtimes/vitest.config.mjs');
const consumer = join(root, 'tests/consumer/project');
const BACKENDS = ['js', 'wasm', 'native'];

/** Closing lines, and whether each is a failure. */
const closing = [];
const note = (line, failed = false) => {
  closing.push({ line, failed });
  console.log(`${failed ? 'FAIL ' : ''}${line}`);
};

function run(command, args, options = {}) {
  const started = Date.now();
  const result = spawnSync(command[0], [...command.slice(1), ...args], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    timeout: 300_000,
    ...options,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  return { ok: result.status === 0, output, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

/** The last lines of a failed step's output, indented. */
const tail = (output) =>
  output
    .trim()
    .split('\n')
    .slice(-30)
    .map((line) => `     | ${line}`)
    .join('\n');

/** vitest's own count line: `Tests  2 failed | 14 passed (16)`. */
function counts(output) {
  const line = output.split('\n').find((l) => /^\s*Tests\s+/.test(l)) ?? '';
  const number = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { passed: number('passed'), failed: number('failed'), skipped: number('skipped') };
}

/** Runs vitest under `command` on `files`; the identity test is always among them. */
function vitestRun(command, runtime, files, filter) {
  const args = [vitest, 'run', '--config', config, ...(filter ? ['-t', filter] : [])];
  return run(command, args, { env: { MEMPOOL_MATRIX_FILES: files.join(','), MEMPOOL_MATRIX_RUNTIME: runtime } });
}

for (const runtime of selected) {
  const label = runtime.label;
  let binary;
  try {
    binary = install(runtime);
  } catch (error) {
    note(`${label}: not installed: ${error.message}`, true);
    continue;
  }
  const command = [binary, ...(runtime.args ?? [])];

  const probeRun = run(command, ['tests/runtimes/probe.mjs']);
  let probe;
  try {
    probe = JSON.parse(probeRun.output.trim().split('\n').at(-1));
  } catch {
    note(`probe on ${label}: failed`, true);
    console.log(tail(probeRun.output));
    continue;
  }
  console.log(`\n== ${label}: ${probe.runtime}, Node-API ${probe.napi ?? 'none'} (${JSON.stringify(probe)})`);
  const loaded = BACKENDS.filter((name) => probe.backends[name].loads);
  for (const name of BACKENDS.filter((n) => !loaded.includes(n))) {
    const { code, reason } = probe.backends[name];
    // A refusal must be the contract's coded one, naming the runtime and why.
    note(`${name} on ${label}: does not load (${code}): ${reason}`, code !== 'ERR_MEMPOOL_UNAVAILABLE');
  }
  for (const name of loaded) {
    if (!probe.backends[name].detached && probe.backends[name].detachOnDestroy) {
      note(`${name} on ${label}: supports.detachOnDestroy is true but destroy() did not detach`, true);
    }
  }

  // The conformance suite on every backend that loads, and the concurrency suite.
  const files = [...loaded.map((name) => `conformance/test/${name}.test.ts`), 'conformance/test/concurrency.test.ts'];
  const suite = vitestRun(command, probe.runtime, files);
  const lines = suite.output.split('\n').filter((line) => line.startsWith('conformance '));
  for (const name of loaded) {
    if (!lines.some((line) => line.startsWith(`conformance ${name}:`))) note(`conformance ${name} on ${label}: no result line`, true);
  }
  for (const line of lines) {
    const colon = line.indexOf(':');
    note(`${line.slice(0, colon)} on ${label}${line.slice(colon)}`, !/: \d+ passed, 0 failed/.test(line));
  }
  const suiteCounts = counts(suite.output);
  note(
    `vitest (conformance, concurrency, identity) on ${label}: ${suiteCounts.passed} passed, ${suiteCounts.failed} failed (${suite.seconds} s)`,
    !suite.ok || suiteCounts.failed > 0 || suiteCounts.skipped > 0,
  );
  if (!suite.ok) console.log(tail(suite.output));
  if (!probe.terminateStopsBusyWorker) {
    note(`concurrency 'workers terminated mid-run' on ${label}: not run: worker.terminate() does not stop a busy worker here (probe)`);
  }

  // The native addon's worker-termination and drop-loop tests.
  if (loaded.includes('native')) {
    const cases = ['synchronous loop', ...(probe.terminateStopsBusyWorker ? ['worker termination'] : [])];
    const hardening = vitestRun(
      command,
      probe.runtime,
      ['packages/backend-native/test/hardening.test.ts'],
      `${cases.join('|')}|the runtime matrix`,
    );
    const c = counts(hardening.output);
    note(
      `hardening native (${cases.join(', ')}) on ${label}: ${c.passed - 1} passed, ${c.failed} failed (${hardening.seconds} s)`,
      !hardening.ok || c.failed > 0 || c.passed < cases.length + 1,
    );
    if (!hardening.ok) console.log(tail(hardening.output));
    if (!probe.terminateStopsBusyWorker) {
      note(`hardening native 'worker termination' on ${label}: not run: worker.terminate() does not stop a busy worker here (probe)`);
    }
  }

  // The consumer smoke test's import / pool / arena part, and loadBackend.
  for (const name of loaded) {
    const use = run(command, ['use-backend.mjs', name], { cwd: consumer });
    note(`consumer ${name} on ${label}: ${use.ok ? 'import, pool and arena ok' : 'FAILED'}`, !use.ok);
    if (!use.ok) console.log(tail(use.output));
  }
  if (runtime.denied) {
    const denied = run([binary, ...runtime.denied], ['tests/runtimes/refusal.mjs']);
    const last = denied.output.trim().split('\n').at(-1);
    note(`native refusal without Node-API on ${label}: ${denied.ok ? last : 'FAILED'}`, !denied.ok);
    if (!denied.ok) console.log(tail(denied.output));
  }
  const load = run(command, ['load-backend.mjs'], { cwd: consumer });
  note(`consumer loadBackend on ${label}: ${load.ok ? 'ok' : 'FAILED'}`, !load.ok);
  if (!load.ok) console.log(tail(load.output));
}

const failed = closing.filter((c) => c.failed);
console.log('\nruntime matrix:');
for (const { line, failed: bad } of closing) console.log(`${bad ? 'FAIL ' : ''}${line}`);
console.log(`runtime matrix: ${closing.length - failed.length} lines ok, ${failed.length} failed`);
process.exitCode = failed.length > 0 ? 1 : 0;
