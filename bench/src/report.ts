import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.js';
import type { RatioResult } from './ratios.js';
import { renderSweepChart } from './sweep-chart.js';
import type { SweepPoint, SweepWorkload } from './sweep.js';
import type { Figure, Skip } from './types.js';

export interface Report {
  readonly generatedAt: string;
  readonly quick: boolean;
  readonly wallSeconds: number;
  readonly environment: Record<string, string | number>;
  readonly versions: Record<string, string>;
  readonly figures: readonly Figure[];
  readonly skipped: readonly Skip[];
  readonly sweeps: readonly SweepPoint[];
  readonly ratios: readonly RatioResult[];
  /** Sweep sizes whose subjects ended with different checksums (a subject computed something else). */
  readonly checksumsDisagree: readonly string[];
}

export const fmtNs = (ns: number): string =>
  ns >= 1000 ? ns.toFixed(0) : ns >= 100 ? ns.toFixed(1) : ns >= 10 ? ns.toFixed(2) : ns.toFixed(3);
const fmtRatio = (r: RatioResult): string =>
  r.value === null
    ? 'n/a'
    : `${r.value >= 10 ? r.value.toFixed(1) : r.value.toFixed(3)}${r.uncertaintyPercent !== undefined ? ` ±${r.uncertaintyPercent.toFixed(0)}%` : ''}`;
const verdict = (r: RatioResult): string =>
  (r.met === null ? 'not measured' : r.supplementary ? (r.met ? 'would be met' : 'would not be met') : r.met ? 'met' : 'NOT met') +
  (r.borderline ? ', borderline' : '');
const limitText = (r: RatioResult): string => `${r.comparison === '<=' ? '≤' : '≥'} ${r.limit}`;

/** Orders figures: scenario groups in a fixed order, fastest first within one. */
const SCENARIO_ORDER = [
  'floor.call',
  'pool.pair',
  'pool.churn',
  'pool.many',
  'pool.reset',
  'pool.create',
  'arena.alloc16',
  'arena.mixed',
  'arena.reset',
  'arena.mark',
  'field.read.hand',
  'field.read.layout',
  'field.write.hand',
  'field.write.layout',
  'field.clear.hand',
  'field.clear.layout',
  'field.clear.fill',
  'shared.pair',
  'shared.pairs.1w',
  'shared.pairs.2w',
  'shared.prodcons.1w',
  'shared.prodcons.2w',
  'c.floor.call',
  'c.floor.pair',
  'c.pool.pair',
  'c.arena.alloc16',
  'c.malloc.pair',
];
export function sortFigures(figures: readonly Figure[]): Figure[] {
  const rank = (s: string) => (SCENARIO_ORDER.indexOf(s) === -1 ? 99 : SCENARIO_ORDER.indexOf(s));
  return [...figures].sort((a, b) => rank(a.scenario) - rank(b.scenario) || a.nsPerOp - b.nsPerOp);
}

export function consoleTable(report: Report): string {
  const lines: string[] = [];
  const head = ['scenario', 'subject', 'ns/op', '±rme', 'p99 ns/op'];
  const rows = report.figures.map((f) => [f.scenario, f.subject, fmtNs(f.nsPerOp), `${f.rmePercent.toFixed(1)}%`, fmtNs(f.p99NsPerOp)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  lines.push(line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line));
  for (const w of WORKLOADS) {
    if (!report.sweeps.some((p) => p.workload === w)) continue;
    lines.push('', `${WORKLOAD_TITLE[w]}:`, ...sweepTable(report.sweeps, w).map((l) => `  ${l}`));
  }
  lines.push('', 'targets:');
  const vw = Math.max(...report.ratios.map((r) => verdict(r).length));
  for (const r of report.ratios) {
    lines.push(`  [${verdict(r).padEnd(vw)}] ${r.target}: ${fmtRatio(r)} (${limitText(r)})${r.missing ? ` — ${r.missing}` : ''}`);
  }
  if (report.skipped.length) {
    lines.push('', 'skipped:');
    for (const s of report.skipped) lines.push(`  ${s.subject} ${s.scenario}: ${s.reason}`);
  }
  return lines.join('\n');
}

export const WORKLOADS: readonly SweepWorkload[] = ['orderbook', 'churn'];
export const WORKLOAD_TITLE: Record<SweepWorkload, string> = {
  orderbook: 'Order book (live = resting orders)',
  churn: 'Allocation churn (live = objects alive)',
};
const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms: number): string => (ms >= 10 ? ms.toFixed(0) : ms.toFixed(1));

/** Every point of one workload, smallest size first, as markdown table lines. */
export function sweepTable(points: readonly SweepPoint[], workload: SweepWorkload): string[] {
  const lines = [
    '| subject | live | events timed | ns/event | p50 ns | p99 ns | p99.9 ns | GC pauses | GC total ms | longest pause ms | heap B/live | outside heap B/live | RSS B/live |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const rows = points.filter((p) => p.workload === workload).sort((a, b) => a.live - b.live);
  for (const p of rows) {
    lines.push(
      `| ${p.subject} | ${fmtInt(p.live)} | ${fmtInt(p.events)}${p.stoppedEarly ? ' (time limit)' : ''} | ${fmtNs(p.nsPerEvent)} | ${fmtNs(p.p50Ns)} | ${fmtNs(p.p99Ns)} | ${fmtNs(p.p999Ns)} | ${p.gcCount} | ${fmtMs(p.gcTotalMs)} | ${fmtMs(p.gcMaxMs)} | ${fmtInt(p.heapBytesPerLive)} | ${fmtInt(p.externalBytesPerLive)} | ${fmtInt(p.rssBytesPerLive)} |`,
    );
  }
  return lines;
}

/**
 * One row per subject: ns/event at each size, then the largest size's tail latency, GC pauses and
 * footprint. What the README shows.
 */
export function sweepSummary(points: readonly SweepPoint[], workload: SweepWorkload): string[] {
  const mine = points.filter((p) => p.workload === workload);
  const sizes = [...new Set(mine.map((p) => p.live))].sort((a, b) => a - b);
  if (sizes.length === 0) return [];
  const largest = sizes[sizes.length - 1]!;
  const short = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));
  const lines = [
    `| subject | ${sizes.map((n) => `ns/event at ${short(n)}`).join(' | ')} | at ${short(largest)}: p99.9 ns | GC pauses | GC total ms | longest pause ms | heap B/live | RSS B/live |`,
    `|---|${sizes.map(() => '---:|').join('')}---:|---:|---:|---:|---:|---:|`,
  ];
  for (const subject of [...new Set(mine.map((p) => p.subject))]) {
    const at = (n: number) => mine.find((p) => p.subject === subject && p.live === n);
    const big = at(largest);
    const tail = big
      ? `${fmtNs(big.p999Ns)} | ${big.gcCount} | ${fmtMs(big.gcTotalMs)} | ${fmtMs(big.gcMaxMs)} | ${fmtInt(big.heapBytesPerLive)} | ${fmtInt(big.rssBytesPerLive)}`
      : 'not measured | | | | |';
    const cost = (p: SweepPoint | undefined) => (p ? `${fmtNs(p.nsPerEvent)}${p.stoppedEarly ? '*' : ''}` : '—');
    lines.push(`| ${subject} | ${sizes.map((n) => cost(at(n))).join(' | ')} | ${tail} |`);
  }
  return lines;
}

/** The targets as markdown table lines: ratio, formula, limit and verdict. */
export function targetsTable(report: Report): string[] {
  const lines = ['| target | ratio | formula | limit | result |', '|---|---:|---|---:|---|'];
  for (const r of report.ratios) {
    lines.push(`| ${r.target} | ${fmtRatio(r)} | ${r.formula} | ${limitText(r)} | ${verdict(r)}${r.missing ? ` (${r.missing})` : ''} |`);
  }
  return lines;
}

/** One line per missed target: why it is missed (the sentence kept beside the target in ratios.ts). */
export function missedReasons(report: Report): string[] {
  return report.ratios
    .filter((r) => r.met === false && !r.supplementary)
    .map((r) => `- **${r.target}**: ${r.whyMissed ?? 'no reason recorded in bench/src/ratios.ts.'}`);
}

export function markdown(report: Report): string {
  const e = report.environment;
  const out: string[] = [];
  out.push(`# Benchmark results${report.quick ? ' (quick run: short timings, not for decisions)' : ''}`, '');
  out.push(
    `${report.generatedAt} · Node ${e['node']} · V8 ${e['v8']} · ${e['cpu']} × ${e['cores']} · ${e['os']} · ${e['gcc']} · load average ${e['loadAverage1mAtStart']} at start, ${e['loadAverage1m']} at end · wall time ${report.wallSeconds.toFixed(0)} s`,
    '',
  );
  out.push('## Targets', '', ...targetsTable(report));
  const reasons = missedReasons(report);
  if (reasons.length) out.push('', 'Why the missed targets are missed:', '', ...reasons);
  if (report.sweeps.length) {
    out.push(
      '',
      '## Scale sweeps',
      '',
      '![cost per event and longest GC pause against live objects](sweep.svg)',
      '',
      'Each point ran in its own process. ns/event is the wall time of the timed events over their number; ' +
        'the percentiles come from batches of events (one timer pair per batch); GC pauses are `perf_hooks` ' +
        "'gc' entries that started while timing; bytes per live object are the growth, after a full collection, " +
        'from before the structure was built to after it was filled (heap: the JavaScript heap the collector ' +
        'traces; outside heap: `external` + `arrayBuffers`, where pool memory lives).' +
        (report.checksumsDisagree.length
          ? ` CHECKSUMS DIFFER: ${report.checksumsDisagree.join('; ')}.`
          : ' Every subject of a size ended with the same checksum.'),
    );
    for (const w of WORKLOADS) {
      if (!report.sweeps.some((p) => p.workload === w)) continue;
      out.push('', `### ${WORKLOAD_TITLE[w]}`, '', ...sweepTable(report.sweeps, w));
    }
  }
  out.push('', '## Every figure', '', '![ns per operation by scenario and subject](chart.svg)', '');
  out.push('| scenario | subject | ns/op | ±rme | p99 ns/op | samples | one op is |', '|---|---|---:|---:|---:|---:|---|');
  for (const f of report.figures) {
    out.push(
      `| ${f.scenario} | ${f.subject} | ${fmtNs(f.nsPerOp)} | ${f.rmePercent.toFixed(1)}% | ${fmtNs(f.p99NsPerOp)} | ${f.samples} | ${f.unit} |`,
    );
  }
  if (report.skipped.length) {
    out.push('', '## Skipped', '', '| subject | scenario | reason |', '|---|---|---|');
    for (const s of report.skipped) out.push(`| ${s.subject} | ${s.scenario} | ${s.reason.replace(/\|/g, '\\|')} |`);
  }
  const v = Object.entries(report.versions)
    .map(([k, val]) => `${k} ${val}`)
    .join(', ');
  if (v) out.push('', `Versions: ${v}.`);
  out.push('', 'How to read this: see [bench/README.md](../README.md).', '');
  return out.join('\n');
}

export async function writeReport(dir: string, report: Report): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written = [join(dir, 'latest.json'), join(dir, 'latest.md')];
  writeFileSync(written[0]!, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(written[1]!, markdown(report));
  try {
    const svg = await renderChart(report.figures, `memory-pool-core: ns per operation${report.quick ? ' (quick run)' : ''}`);
    writeFileSync(join(dir, 'chart.svg'), svg);
    written.push(join(dir, 'chart.svg'));
    if (report.sweeps.length) {
      writeFileSync(
        join(dir, 'sweep.svg'),
        await renderSweepChart(report.sweeps, `memory-pool-core: cost as the work grows${report.quick ? ' (quick run)' : ''}`),
      );
      written.push(join(dir, 'sweep.svg'));
    }
  } catch (error) {
    process.stderr.write(`chart not rendered: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return written;
}
