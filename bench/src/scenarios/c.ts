import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Budget, Figure, Skip } from '../types.js';

/** The C harness: `src/c/harness.c`, built into `build/` against the native package's library. */
const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
const HARNESS_SRC = join(BENCH_DIR, 'src/c/harness.c');
const BUILD_DIR = join(BENCH_DIR, 'build');
const HARNESS_BIN = join(BUILD_DIR, 'harness');
const LTO_DIR = join(BUILD_DIR, 'lto');
const HARNESS_LTO_BIN = join(BUILD_DIR, 'harness-lto');
const NATIVE_DIR = join(BENCH_DIR, '../packages/backend-native');
const INCLUDE_DIR = join(NATIVE_DIR, 'c/include');
const SOURCE_DIR = join(NATIVE_DIR, 'c/src');
/** Where the native package's `make` puts the static library. */
const LIBRARY = join(NATIVE_DIR, 'lib/libmemory_pool_core.a');

/** LD_PRELOAD allocators: the Debian package, and the file names it installs. */
export const PRELOADS = [
  { subject: 'mimalloc', pkg: 'libmimalloc2.0', files: ['libmimalloc.so.2', 'libmimalloc.so'] },
  { subject: 'jemalloc', pkg: 'libjemalloc2', files: ['libjemalloc.so.2', 'libjemalloc.so'] },
  { subject: 'tcmalloc', pkg: 'libtcmalloc-minimal4', files: ['libtcmalloc_minimal.so.4', 'libtcmalloc_minimal.so'] },
] as const;

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

const findPreload = (files: readonly string[]): string | undefined => {
  for (const dir of LIB_DIRS) for (const f of files) if (existsSync(join(dir, f))) return join(dir, f);
  return undefined;
};

/** Runs a build step; returns its failure as one line, or undefined. */
function step(cmd: string, args: string[], what: string): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000 });
  if (r.error) return `${what}: ${cmd} not available (${r.error.message})`;
  if (r.status !== 0) return `${what} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(0, 3).join(' | ')}`;
  return undefined;
}

/** Builds the harness against the native package's library (`make` there first if it is missing). */
function buildHarness(): string | undefined {
  if (!existsSync(join(INCLUDE_DIR, 'memory_pool_core.h'))) return 'packages/backend-native/c/include/memory_pool_core.h is missing';
  if (!existsSync(LIBRARY)) {
    process.stderr.write('    building libmemory_pool_core.a with `make` in packages/backend-native\n');
    const made = step('make', ['-C', NATIVE_DIR, 'lib/libmemory_pool_core.a'], '`make` in packages/backend-native');
    if (made) return made;
  }
  mkdirSync(BUILD_DIR, { recursive: true });
  return step('gcc', ['-O2', '-std=c11', '-pthread', '-o', HARNESS_BIN, HARNESS_SRC, `-I${INCLUDE_DIR}`, LIBRARY, '-lm'], 'gcc (harness)');
}

/**
 * The same harness linked with link-time optimisation against an `-flto` copy of the library built
 * here from the native package's sources (that package is left as it is): what a C user gets who
 * links the library statically with `-flto`, where gcc may inline the fast paths into the caller.
 */
function buildLtoHarness(): string | undefined {
  mkdirSync(LTO_DIR, { recursive: true });
  const objects: string[] = [];
  for (const file of readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.c'))) {
    const obj = join(LTO_DIR, file.replace(/\.c$/, '.o'));
    const failed = step(
      'gcc',
      ['-O3', '-flto', '-std=c11', `-I${INCLUDE_DIR}`, '-c', join(SOURCE_DIR, file), '-o', obj],
      `gcc -flto ${file}`,
    );
    if (failed) return failed;
    objects.push(obj);
  }
  const lib = join(LTO_DIR, 'libmemory_pool_core.a');
  const archived = step('gcc-ar', ['rcs', lib, ...objects], 'gcc-ar');
  if (archived) return archived;
  return step(
    'gcc',
    ['-O3', '-flto', '-std=c11', '-pthread', '-o', HARNESS_LTO_BIN, HARNESS_SRC, `-I${INCLUDE_DIR}`, lib, '-lm'],
    'gcc -flto (harness)',
  );
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
  /** Threads rows: the median CPU ns per pair, summed over the threads. */
  cpu?: number;
}

function runHarness(
  bin: string,
  subject: string,
  mode: 'all' | 'malloc' | 'library' | 'threads',
  budget: Budget,
  preload?: string,
): Figure[] | string {
  const iters = budget.quick ? 200_000 : 2_000_000;
  const reps = budget.quick ? 9 : 31;
  const env = { ...process.env };
  if (preload) env['LD_PRELOAD'] = preload;
  else delete env['LD_PRELOAD'];
  const run = spawnSync(bin, [mode, String(iters), String(reps)], { encoding: 'utf8', env, timeout: 300_000 });
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
        extra: { meanNs: r.mean, statistic: 'median of samples', ...(r.cpu === undefined ? {} : { cpuNsPerPair: r.cpu }) },
      } satisfies Figure;
    });
}

const logFigure = (log: (line: string) => void, f: Figure) =>
  log(`    ${f.subject.padEnd(15)} ${f.scenario.padEnd(16)} ${f.nsPerOp.toFixed(2).padStart(9)} ns/op  ±${f.rmePercent.toFixed(1)}%`);

/** M pairs per second from a threads row's ns per pair (of all its threads together). */
const mPairs = (f: Figure) => 1000 / f.nsPerOp;

/**
 * Private pools against one shared pool from 1 and 2 C threads (issue 18's target: the shared pool
 * at 2 threads >= 1.6x its 1-thread throughput). The ratio is logged with the private pools' own,
 * which shows what the machine gave two threads on this run.
 */
function runThreads(figures: Figure[], skipped: Skip[], budget: Budget, log: (line: string) => void): void {
  const rows = runHarness(HARNESS_BIN, 'C library', 'threads', budget);
  if (typeof rows === 'string') {
    skipped.push({ scenario: 'c.shared.pairs.*', subject: 'C shared pool', reason: rows });
    log(`    C threads skipped: ${rows}`);
    return;
  }
  const byScenario = new Map<string, Figure>();
  for (const f of rows) {
    const subject = f.scenario.startsWith('c.shared.') ? 'C shared pool' : 'C private pools';
    const figure = { ...f, subject, extra: { ...f.extra, mPairsPerSecond: mPairs(f) } };
    byScenario.set(f.scenario, figure);
    figures.push(figure);
    logFigure(log, figure);
  }
  const scaling = (kind: string, by: (f: Figure, threads: number) => number) => {
    const one = byScenario.get(`c.${kind}.pairs.1t`);
    const two = byScenario.get(`c.${kind}.pairs.2t`);
    return one && two ? (by(two, 2) / by(one, 1)).toFixed(2) : '?';
  };
  // With a core per thread: threads * 1000 / CPU ns per pair (what a loaded machine hides).
  const onCores = (f: Figure, threads: number) => {
    const cpu = f.extra?.['cpuNsPerPair'];
    return typeof cpu === 'number' && cpu > 0 ? (threads * 1000) / cpu : Number.NaN;
  };
  log(
    `    2 threads / 1 thread: shared pool ${scaling('shared', mPairs)}x (target >= 1.6x), private pools ${scaling('private', mPairs)}x;` +
      ` from CPU time per pair (a core each): shared ${scaling('shared', onCores)}x, private ${scaling('private', onCores)}x`,
  );
}

/**
 * The C library and malloc from C: glibc with the floors and the library, the library again built
 * with -O3 -flto, then each LD_PRELOAD allocator that is installed (a missing one is skipped, with the
 * command that installs it).
 */
export function runC(budget: Budget, log: (line: string) => void): { figures: Figure[]; skipped: Skip[] } {
  const figures: Figure[] = [];
  const skipped: Skip[] = [];
  const why = buildHarness();
  if (why) {
    for (const scenario of ['c.pool.pair', 'c.arena.alloc16', 'c.malloc.pair'])
      skipped.push({ scenario, subject: scenario === 'c.malloc.pair' ? 'glibc' : 'C library', reason: why });
    return { figures, skipped };
  }
  const glibc = runHarness(HARNESS_BIN, 'glibc', 'all', budget);
  if (typeof glibc === 'string') {
    skipped.push({ scenario: 'c.*', subject: 'glibc', reason: glibc });
  } else {
    for (const f of glibc) {
      const subject = f.scenario === 'c.malloc.pair' ? 'glibc' : f.scenario.startsWith('c.floor.') ? 'empty C call' : 'C library';
      figures.push({ ...f, subject });
      logFigure(log, { ...f, subject });
    }
  }
  runThreads(figures, skipped, budget, log);
  const lto = buildLtoHarness();
  const ltoFigures = lto ?? runHarness(HARNESS_LTO_BIN, 'C library (LTO)', 'library', budget);
  if (typeof ltoFigures === 'string') {
    skipped.push({ scenario: 'c.pool.pair', subject: 'C library (LTO)', reason: ltoFigures });
    log(`    C library (LTO) skipped: ${ltoFigures}`);
  } else {
    for (const f of ltoFigures) {
      figures.push(f);
      logFigure(log, f);
    }
  }
  for (const p of PRELOADS) {
    const path = findPreload(p.files);
    if (!path) {
      skipped.push({
        scenario: 'c.malloc.pair',
        subject: p.subject,
        reason: `not installed: \`apt-get install ${p.pkg}\` (Debian/Ubuntu) to measure it through LD_PRELOAD`,
      });
      log(`    ${p.subject.padEnd(15)} skipped, not installed: apt-get install ${p.pkg}`);
      continue;
    }
    const figs = runHarness(HARNESS_BIN, p.subject, 'malloc', budget, path);
    if (typeof figs === 'string') {
      skipped.push({ scenario: 'c.malloc.pair', subject: p.subject, reason: figs });
      log(`    ${p.subject.padEnd(15)} skipped: ${figs}`);
      continue;
    }
    for (const f of figs) {
      figures.push({ ...f, extra: { ...f.extra, preload: path } });
      logFigure(log, f);
    }
  }
  return { figures, skipped };
}
