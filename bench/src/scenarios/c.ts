import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Budget, Figure, Skip } from '../types.js';

/** The C harness: `src/c/harness.c`, built into `build/` against the native package's library. */
const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS_SRC = join(BENCH_DIR, 'src/c/harness.c');
const HARNESS_BIN = join(BENCH_DIR, 'build/harness');
const NATIVE_DIR = join(BENCH_DIR, '../packages/backend-native');

/** LD_PRELOAD allocators: the Debian package, and the file names it installs. */
export const PRELOADS = [
  { subject: 'mimalloc', pkg: 'libmimalloc2.0', files: ['libmimalloc.so', 'libmimalloc.so.2', 'libmimalloc.so.2.0'] },
  { subject: 'jemalloc', pkg: 'libjemalloc2', files: ['libjemalloc.so.2', 'libjemalloc.so'] },
  { subject: 'tcmalloc', pkg: 'libgoogle-perftools4', files: ['libtcmalloc_minimal.so.4', 'libtcmalloc_minimal.so'] },
] as const;

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

const findPreload = (files: readonly string[]): string | undefined => {
  for (const dir of LIB_DIRS) for (const f of files) if (existsSync(join(dir, f))) return join(dir, f);
  return undefined;
};

/** The static library wherever the native package's build put it (searched, node_modules excluded). */
function findLibrary(dir: string, depth = 3): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (depth === 3) {
    for (const sub of ['lib', '.', 'build', 'build/Release']) {
      const candidate = join(dir, sub, 'libmemory_pool_core.a');
      if (existsSync(candidate)) return candidate;
    }
  }
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const e of entries) if (e.isFile() && e.name === 'libmemory_pool_core.a') return join(dir, e.name);
  if (depth === 0) return undefined;
  for (const e of entries) {
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'asan' && !e.name.startsWith('.')) {
      const found = findLibrary(join(dir, e.name), depth - 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** Builds the harness; returns the reason when it cannot. */
function buildHarness(): string | undefined {
  const header = join(NATIVE_DIR, 'c/include/memory_pool_core.h');
  if (!existsSync(header)) return `packages/backend-native/c/include/memory_pool_core.h is missing`;
  let lib = findLibrary(NATIVE_DIR);
  if (!lib && existsSync(join(NATIVE_DIR, 'Makefile'))) {
    process.stderr.write('    building libmemory_pool_core.a with `make` in packages/backend-native\n');
    const made = spawnSync('make', ['-C', NATIVE_DIR], { encoding: 'utf8', timeout: 180_000 });
    if (made.status !== 0) return `\`make\` in packages/backend-native failed: ${(made.stderr || made.stdout || '').trim().split('\n').slice(-3).join(' | ')}`;
    lib = findLibrary(NATIVE_DIR);
  }
  if (!lib) return 'libmemory_pool_core.a not found in packages/backend-native (and no Makefile to build it)';
  mkdirSync(join(BENCH_DIR, 'build'), { recursive: true });
  const fresh =
    existsSync(HARNESS_BIN) &&
    statSync(HARNESS_BIN).mtimeMs > Math.max(statSync(HARNESS_SRC).mtimeMs, statSync(lib).mtimeMs, statSync(header).mtimeMs);
  if (fresh) return undefined;
  const args = ['-O2', '-std=c11', '-o', HARNESS_BIN, HARNESS_SRC, `-I${join(NATIVE_DIR, 'c/include')}`, lib, '-lm'];
  const cc = spawnSync('gcc', args, { encoding: 'utf8', timeout: 120_000 });
  if (cc.error) return `gcc not available: ${cc.error.message}`;
  if (cc.status !== 0) return `gcc failed: ${cc.stderr.trim().split('\n').slice(0, 4).join(' | ')}`;
  return undefined;
}

interface HarnessLine {
  scenario: string;
  unit: string;
  median: number;
  mean: number;
  p99: number;
  rme: number;
  samples: number;
  ops: number;
}

function runHarness(subject: string, mode: 'all' | 'malloc', budget: Budget, preload?: string): Figure[] | string {
  const iters = budget.quick ? 200_000 : 2_000_000;
  const reps = budget.quick ? 9 : 31;
  const env = { ...process.env };
  if (preload) env['LD_PRELOAD'] = preload;
  else delete env['LD_PRELOAD'];
  const run = spawnSync(HARNESS_BIN, [mode, String(iters), String(reps)], { encoding: 'utf8', env, timeout: 300_000 });
  if (run.status !== 0) return `harness exited with ${run.status ?? run.signal}: ${(run.stderr || '').trim().slice(0, 300)}`;
  if (preload && /cannot be preloaded/.test(run.stderr)) return `ld.so could not preload ${preload}`;
  return run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const r = JSON.parse(line) as HarnessLine;
      return {
        scenario: r.scenario,
        subject,
        unit: r.unit,
        nsPerOp: r.median,
        rmePercent: r.rme,
        p99NsPerOp: r.p99,
        samples: r.samples,
        opsPerSample: r.ops,
        extra: { meanNs: r.mean, statistic: 'median of samples' },
      } satisfies Figure;
    });
}

/** The C library and malloc from C: glibc first, then each LD_PRELOAD allocator that is installed. */
export function runC(budget: Budget, log: (line: string) => void): { figures: Figure[]; skipped: Skip[] } {
  const figures: Figure[] = [];
  const skipped: Skip[] = [];
  const why = buildHarness();
  if (why) {
    for (const scenario of ['c.pool.pair', 'c.arena.alloc16', 'c.malloc.pair'])
      skipped.push({ scenario, subject: scenario === 'c.malloc.pair' ? 'glibc' : 'C library', reason: why });
    return { figures, skipped };
  }
  const glibc = runHarness('glibc', 'all', budget);
  if (typeof glibc === 'string') {
    skipped.push({ scenario: 'c.*', subject: 'glibc', reason: glibc });
  } else {
    for (const f of glibc) {
      const fig = f.scenario === 'c.malloc.pair' ? f : { ...f, subject: f.scenario === 'c.floor.call' ? 'empty C call' : 'C library' };
      figures.push(fig);
      log(`    ${fig.subject.padEnd(10)} ${fig.scenario.padEnd(16)} ${fig.nsPerOp.toFixed(2).padStart(9)} ns/op  ±${fig.rmePercent.toFixed(1)}%`);
    }
  }
  for (const p of PRELOADS) {
    const path = findPreload(p.files);
    if (!path) {
      skipped.push({
        scenario: 'c.malloc.pair',
        subject: p.subject,
        reason: `not installed: \`sudo apt-get install ${p.pkg}\` (Debian/Ubuntu) to measure it through LD_PRELOAD`,
      });
      log(`    ${p.subject.padEnd(10)} skipped: apt-get install ${p.pkg}`);
      continue;
    }
    const figs = runHarness(p.subject, 'malloc', budget, path);
    if (typeof figs === 'string') {
      skipped.push({ scenario: 'c.malloc.pair', subject: p.subject, reason: figs });
      continue;
    }
    for (const f of figs) {
      figures.push({ ...f, extra: { ...f.extra, preload: path } });
      log(`    ${f.subject.padEnd(10)} ${f.scenario.padEnd(16)} ${f.nsPerOp.toFixed(2).padStart(9)} ns/op  ±${f.rmePercent.toFixed(1)}%`);
    }
  }
  return { figures, skipped };
}
