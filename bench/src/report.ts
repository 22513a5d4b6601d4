import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart } from './chart.js';
import type { RatioResult } from './ratios.js';
import type { Figure, Skip } from './types.js';

export interface Report {
  readonly generatedAt: string;
  readonly quick: boolean;
  readonly wallSeconds: number;
  readonly environment: Record<string, string | number>;
  readonly versions: Record<string, string>;
  readonly figures: readonly Figure[];
  readonly skipped: readonly Skip[];
  readonly ratios: readonly RatioResult[];
  /** The order book's final-state checksums agree across subjects (same stream, same answer). */
  readonly orderbookConsistent: boolean | null;
}

export const fmtNs = (ns: number): string => (ns >= 1000 ? ns.toFixed(0) : ns >= 100 ? ns.toFixed(1) : ns >= 10 ? ns.toFixed(2) : ns.toFixed(3));
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
  'floor.call', 'pool.pair', 'pool.churn', 'pool.many', 'pool.reset', 'pool.create',
  'arena.alloc16', 'arena.mixed', 'arena.reset', 'arena.mark', 'shared.pair', 'shared.pairs.1w', 'shared.pairs.2w',
  'shared.prodcons.1w', 'shared.prodcons.2w', 'orderbook', 'c.floor.call', 'c.pool.pair', 'c.arena.alloc16', 'c.malloc.pair',
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
  lines.push('', 'targets (issue 5):');
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

/** The issue's targets as markdown table lines: ratio, formula, limit and verdict. */
export function targetsTable(report: Report): string[] {
  const lines = ['| target | ratio | formula | limit | result |', '|---|---:|---|---:|---|'];
  for (const r of report.ratios) {
    lines.push(`| ${r.target} | ${fmtRatio(r)} | ${r.formula} | ${limitText(r)} | ${verdict(r)}${r.missing ? ` (${r.missing})` : ''} |`);
  }
  return lines;
}

export function markdown(report: Report): string {
  const e = report.environment;
  const out: string[] = [];
  out.push(`# Benchmark results${report.quick ? ' (quick run: short timings, not for decisions)' : ''}`, '');
  out.push(
    `${report.generatedAt} · Node ${e['node']} · V8 ${e['v8']} · ${e['cpu']} × ${e['cores']} · ${e['os']} · ${e['gcc']} · load average ${e['loadAverage1mAtStart']} at start, ${e['loadAverage1m']} at end · wall time ${report.wallSeconds.toFixed(0)} s`,
    '',
  );
  out.push('## Targets from issue 5', '', ...targetsTable(report));
  out.push('', '## Every figure', '', '![ns per operation by scenario and subject](chart.svg)', '');
  out.push('| scenario | subject | ns/op | ±rme | p99 ns/op | samples | one op is |', '|---|---|---:|---:|---:|---:|---|');
  for (const f of report.figures) {
    out.push(`| ${f.scenario} | ${f.subject} | ${fmtNs(f.nsPerOp)} | ${f.rmePercent.toFixed(1)}% | ${fmtNs(f.p99NsPerOp)} | ${f.samples} | ${f.unit} |`);
  }
  const books = report.figures.filter((f) => f.scenario === 'orderbook');
  if (books.length) {
    out.push('', '## Order book', '');
    const ex = books[0]!.extra!;
    out.push(
      `${Number(ex['events']).toLocaleString('en-US')} add/cancel/fill events over 10,000 resting orders, one seeded stream (hash ${ex['streamHash']}) for every subject. ` +
        `Latency is per event, averaged over batches of 16 events. GC pauses are \`perf_hooks\` 'gc' entries during the timed run. ` +
        `Final book checksums ${report.orderbookConsistent ? 'agree across subjects' : 'DIFFER across subjects — a backend computed something else'}.`,
      '',
      '| subject | events/s | ns/event | p50 ns | p99 ns | p99.9 ns | GC pauses | GC total ms | checksum |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    );
    for (const f of books) {
      const x = f.extra!;
      out.push(
        `| ${f.subject} | ${Number(x['eventsPerSec']).toLocaleString('en-US')} | ${fmtNs(f.nsPerOp)} | ${fmtNs(Number(x['p50Ns']))} | ${fmtNs(Number(x['p99Ns']))} | ${fmtNs(Number(x['p999Ns']))} | ${x['gcCount']} | ${Number(x['gcTotalMs']).toFixed(2)} | ${x['checksum']} |`,
      );
    }
  }
  if (report.skipped.length) {
    out.push('', '## Skipped', '', '| subject | scenario | reason |', '|---|---|---|');
    for (const s of report.skipped) out.push(`| ${s.subject} | ${s.scenario} | ${s.reason.replace(/\|/g, '\\|')} |`);
  }
  const v = Object.entries(report.versions).map(([k, val]) => `${k} ${val}`).join(', ');
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
  } catch (error) {
    process.stderr.write(`chart not rendered: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return written;
}
