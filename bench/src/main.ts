/**
 * `npm run bench [-- --quick] [-- --only <text>] [-- --workers 1,2,4] [-- --runtimes]`: runs every subject in its own Node process (the
 * scale sweeps one process per size), then the C harness, then prints the tables and writes
 * `results/latest.{json,md}`, `results/chart.svg`, `results/sweep.svg` and `results/workers.svg`
 * (throughput against workers of the shared-pool runs, `--workers` choosing the counts; a quick run writes
 * `results/quick/`, an `--only` run `results/partial/`, so neither overwrites a full run's results).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environment, versions } from './env.js';
import { computeRatios } from './ratios.js';
import { consoleTable, sortFigures, writeReport, type Report } from './report.js';
import { updateReadme } from './readme.js';
import { runRuntimes } from './runtimes.js';
import { renderWorkersChart, workersPoints, workersTable } from './sweep-workers.js';
import { runC } from './scenarios/c.js';
import { subjectsFor, type SubjectSpec } from './subjects.js';
import type { SweepPoint } from './sweep.js';
import { budgetFor, type Figure, type Skip, type SubjectResult } from './types.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
const budget = budgetFor(quick);
const workersAt = args.indexOf('--workers');
// The shared-pool runs in the children read it (scenarios/shared.ts); default 1, 2, 4, ... up to the cores.
if (workersAt >= 0) process.env['MEMPOOL_BENCH_WORKERS'] = args[workersAt + 1] ?? '';
const benchDir = fileURLToPath(new URL('../', import.meta.url));
const childScript = fileURLToPath(new URL('./child.js', import.meta.url));
const resultsDir = join(benchDir, only ? 'results/partial' : quick ? 'results/quick' : 'results');
/** A child that takes longer than this is killed and reported as skipped. */
const CHILD_TIMEOUT_MS = quick ? 60_000 : 180_000;

const started = performance.now();
/** Other work on the machine skews every figure: the load average goes into the results. */
const startLoad = Math.round(loadavg()[0]! * 100) / 100;
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const log = (line: string) => process.stderr.write(line + '\n');

function runChild(spec: SubjectSpec, out: string): Promise<SubjectResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(spec.nodeFlags ?? []), childScript, spec.id, out, ...(quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let tail = '';
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-1500);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (existsSync(out)) {
        try {
          resolve(JSON.parse(readFileSync(out, 'utf8')) as SubjectResult);
          return;
        } catch {
          // fall through: a half-written file is a crash
        }
      }
      const why = signal === 'SIGKILL' ? `killed after ${CHILD_TIMEOUT_MS / 1000} s` : `exited with ${code ?? signal}`;
      const last = tail.trim().split('\n').slice(-2).join(' | ');
      resolve({
        subject: spec.id,
        figures: [],
        skipped: [{ scenario: '*', subject: spec.id, reason: `child process ${why}${last ? `: ${last}` : ''}` }],
      });
    });
  });
}

async function main(): Promise<void> {
  log(`memory-pool-core bench${quick ? ' --quick' : ''}: Node ${process.versions.node}, one process per subject`);
  const figures: Figure[] = [];
  const skipped: Skip[] = [];
  const sweeps: SweepPoint[] = [];
  const backendVersions: Record<string, string> = {};
  const tmp = mkdtempSync(join(tmpdir(), 'mempool-bench-'));
  const subjects = subjectsFor(quick).filter((s) => !only || s.id.includes(only));
  const steps = subjects.length + (only && !'c:harness'.includes(only) ? 0 : 1);
  let step = 0;
  for (const spec of subjects) {
    step++;
    log(`[${step}/${steps}] ${spec.title}  (${elapsed()})`);
    const result = await runChild(spec, join(tmp, `${spec.id.replace(':', '-')}.json`));
    figures.push(...result.figures);
    skipped.push(...result.skipped);
    sweeps.push(...(result.sweeps ?? []));
    if (result.meta?.['version']) backendVersions[`backend ${spec.id.split(':')[1]}`] = result.meta['version'];
    for (const s of result.skipped.filter((x) => x.scenario === '*')) log(`    skipped: ${s.reason}`);
  }
  if (!only || 'c:harness'.includes(only)) {
    step++;
    log(`[${step}/${steps}] C library from C vs malloc (glibc, LD_PRELOAD allocators)  (${elapsed()})`);
    const c = runC(budget, log);
    figures.push(...c.figures);
    skipped.push(...c.skipped);
  }
  rmSync(tmp, { recursive: true, force: true });

  const sorted = sortFigures(figures);
  const report: Report = {
    generatedAt: new Date().toISOString(),
    quick,
    wallSeconds: (performance.now() - started) / 1000,
    environment: { ...environment(), loadAverage1mAtStart: startLoad },
    versions: { ...backendVersions, ...versions() },
    figures: sorted,
    skipped,
    sweeps,
    ratios: computeRatios(sorted),
    checksumsDisagree: disagreements(sweeps),
  };
  log('');
  console.log(consoleTable(report));
  for (const d of report.checksumsDisagree) console.log(`\nWARNING: checksums differ: ${d}`);
  const written = await writeReport(resultsDir, report);
  const workers = workersPoints(sorted);
  if (workers.length > 0) {
    console.log(['', 'Shared pool throughput against workers:', ...workersTable(workers)].join('\n'));
    try {
      const title = `memory-pool-core: shared pools, throughput against workers${quick ? ' (quick run)' : ''}`;
      writeFileSync(join(resultsDir, 'workers.svg'), await renderWorkersChart(workers, title));
      written.push(join(resultsDir, 'workers.svg'));
    } catch (error) {
      log(`workers chart not rendered: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // A full run is what the README shows; quick and --only runs never touch it.
  if (!quick && !only && updateReadme(join(benchDir, '..', 'README.md'), report)) written.push(join(benchDir, '..', 'README.md'));
  // Skips are reported, not fatal; a run that measured nothing at all is.
  if (sorted.length === 0) process.exitCode = 1;
  console.log(`\nwrote ${written.map((w) => w.replace(benchDir, 'bench/')).join(', ')} in ${elapsed()}`);
}

/** Every subject of one workload and size must end with the same checksum: same events, same answer. */
function disagreements(points: readonly SweepPoint[]): string[] {
  const groups = new Map<string, SweepPoint[]>();
  for (const p of points.filter((x) => !x.stoppedEarly))
    groups.set(`${p.workload} ${p.live}`, [...(groups.get(`${p.workload} ${p.live}`) ?? []), p]);
  return [...groups]
    .filter(([, ps]) => new Set(ps.map((p) => p.checksum)).size > 1)
    .map(([k, ps]) => `${k}: ${ps.map((p) => `${p.subject} ${p.checksum}`).join(', ')}`);
}

// `--runtimes`: the single-call scenarios on every runtime of the runtime matrix (runtimes.ts).
(args.includes('--runtimes') ? runRuntimes(quick) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
