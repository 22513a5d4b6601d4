/**
 * `npm run bench -- --runtimes [--quick]`: the single-call scenarios (pool alloc()+free() pair, a
 * batch of 1,000, a 16-byte arena alloc) for every backend on every runtime of the runtime matrix
 * (Node 20 to 26, Bun, Deno; installed by tests/runtimes/runtimes.mjs), one process each. Writes
 * `results/runtimes.{json,md}` (`results/quick/` for a quick run) and, from a full run, the table
 * in the README's "Which backend" section, so a user on Bun or Node 26 sees their own numbers.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTO_ORDER } from '@mempool/api';
import type { Figure, Skip } from './types.js';

const benchDir = fileURLToPath(new URL('../', import.meta.url));
const repoDir = join(benchDir, '..');
const childScript = fileURLToPath(new URL('./runtime-child.js', import.meta.url));
const BEGIN = '<!-- bench-runtimes:begin -->';
const END = '<!-- bench-runtimes:end -->';

/** The single-call scenarios: a pool alloc()+free() pair, a batch of 1,000, a 16-byte arena alloc. */
export const RUNTIME_SCENARIOS = ['pool.pair', 'pool.many', 'arena.alloc16'] as const;

const SCENARIO_TITLES: Record<(typeof RUNTIME_SCENARIOS)[number], string> = {
  'pool.pair': 'pool alloc()+free() pair',
  'pool.many': 'pool allocMany+freeMany, per handle',
  'arena.alloc16': 'arena alloc(16)',
};

interface RuntimeRow {
  readonly label: string;
  readonly runtime: string;
  readonly figures: Figure[];
  readonly skipped: Skip[];
}

/** Every runtime's figures for every backend, one child process per runtime and backend. */
export async function runRuntimes(quick: boolean): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const listing = spawnSync(process.execPath, [join(repoDir, 'tests/runtimes/runtimes.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (listing.status !== 0) throw new Error('bench --runtimes: the runtimes did not install');
  const runtimes = JSON.parse(listing.stdout) as { label: string; command: string[] }[];
  const tmp = mkdtempSync(join(tmpdir(), 'mempool-bench-runtimes-'));
  const rows: RuntimeRow[] = [];
  const startLoad = Math.round(loadavg()[0]! * 100) / 100;
  for (const { label, command } of runtimes) {
    const row: RuntimeRow = { label, runtime: label, figures: [], skipped: [] };
    for (const backend of AUTO_ORDER) {
      log(`${label}: ${backend}`);
      const out = join(tmp, `${label.replace(/\W/g, '-')}-${backend}.json`);
      const child = spawnSync(command[0]!, [...command.slice(1), childScript, backend, out, ...(quick ? ['--quick'] : [])], {
        cwd: benchDir,
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 120_000,
      });
      try {
        const result = JSON.parse(readFileSync(out, 'utf8')) as { runtime: string; figures: Figure[]; skipped: Skip[] };
        (row as { runtime: string }).runtime = result.runtime;
        row.figures.push(...result.figures);
        row.skipped.push(...result.skipped);
      } catch {
        row.skipped.push({ scenario: '*', subject: backend, reason: `the child exited with ${child.status ?? child.signal}` });
      }
    }
    rows.push(row);
  }
  rmSync(tmp, { recursive: true, force: true });

  const markdown = runtimesTable(rows, quick, startLoad);
  console.log(markdown);
  const dir = join(benchDir, quick ? 'results/quick' : 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'runtimes.json'),
    `${JSON.stringify({ generatedAt: new Date().toISOString(), quick, loadAverage1mAtStart: startLoad, rows }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'runtimes.md'), `${markdown}\n`);
  if (!quick) updateReadmeRuntimes(join(repoDir, 'README.md'), markdown);
  if (rows.every((r) => r.figures.length === 0)) process.exitCode = 1;
}

const fmt = (ns: number | undefined): string =>
  ns === undefined ? '-' : ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2);

/** ns per operation, one row per runtime, `js / wasm / native` in each cell; the fastest single call named. */
export function runtimesTable(rows: readonly RuntimeRow[], quick: boolean, load: number): string {
  const ns = (row: RuntimeRow, scenario: string, backend: string) =>
    row.figures.find((f) => f.scenario === scenario && f.subject === backend)?.nsPerOp;
  const lines = [
    `ns per operation (lower is faster), js / wasm / native, each backend in its own process; ${quick ? 'a quick run' : 'a full run'}, load average ${load} at the start (a shared machine).`,
    '',
    `| runtime | ${RUNTIME_SCENARIOS.map((s) => SCENARIO_TITLES[s]).join(' | ')} | fastest single call |`,
    `|---|${RUNTIME_SCENARIOS.map(() => '---:').join('|')}|---|`,
  ];
  for (const row of rows) {
    const cells = RUNTIME_SCENARIOS.map((s) => AUTO_ORDER.map((b) => fmt(ns(row, s, b))).join(' / '));
    const pair = AUTO_ORDER.map((b) => ({ b, v: ns(row, 'pool.pair', b) })).filter((x) => x.v !== undefined);
    const fastest = pair.length === 0 ? '-' : pair.reduce((a, x) => (x.v! < a.v! ? x : a)).b;
    lines.push(`| ${row.runtime} | ${cells.join(' | ')} | ${fastest} |`);
  }
  const skipped = rows.flatMap((r) => r.skipped.map((s) => `${r.runtime} ${s.subject} ${s.scenario}: ${s.reason}`));
  if (skipped.length > 0) lines.push('', `Not measured: ${skipped.join('; ')}.`);
  return lines.join('\n');
}

/** Replaces the table between the README's per-runtime bench markers. */
function updateReadmeRuntimes(path: string, markdown: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return;
  writeFileSync(path, `${text.slice(0, start + BEGIN.length)}\n${markdown}\n${text.slice(end)}`);
}
