import { readFileSync, writeFileSync } from 'node:fs';
import { AUTO_ORDER } from '@mempool/api';
import { fmtNs, missedReasons, sweepSummary, targetsTable, WORKLOAD_TITLE, WORKLOADS, type Report } from './report.js';
import type { SweepPoint } from './sweep.js';

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';
/** The scenarios a user picks a backend by, with what one operation is in a few words. */
const PICKS: readonly [scenario: string, what: string][] = [
  ['pool.pair', 'pool `alloc()` + `free()`'],
  ['pool.churn', 'pool: 1,000 allocs then 1,000 frees, per object'],
  ['pool.many', '`allocMany` + `freeMany` of 1,000, per handle'],
  ['pool.create', '`createFixedPool(64, 1024)` + `destroy()`'],
  ['arena.alloc16', 'arena `alloc(16, 8)`'],
  ['arena.mark', 'arena `rewind(mark())`'],
];

const fmtInt = (n: number) => n.toLocaleString('en-US');

/** Plain sentences from the largest order book: each subject's GC pauses and cost, no adjectives. */
function largestBook(points: readonly SweepPoint[]): string[] {
  const book = points.filter((p) => p.workload === 'orderbook');
  if (book.length === 0) return [];
  const largest = Math.max(...book.map((p) => p.live));
  const at = book.filter((p) => p.live === largest).sort((a, b) => a.nsPerEvent - b.nsPerEvent);
  const one = (p: SweepPoint) =>
    `${p.subject} ${fmtNs(p.nsPerEvent)} ns/event${p.stoppedEarly ? ' (stopped at the time limit)' : ''}, ` +
    `${p.gcCount} GC pause${p.gcCount === 1 ? '' : 's'} totalling ${p.gcTotalMs} ms, longest ${p.gcMaxMs} ms`;
  return [`At ${fmtInt(largest)} resting orders (${fmtInt(at[0]!.events)} events), fastest first: ${at.map(one).join('; ')}.`];
}

/**
 * The README's benchmark section, from a full run: which backend is fastest at what, what the
 * alternatives cost in the same run, the sweeps, the targets and why the missed ones are missed.
 */
export function readmeSection(report: Report): string {
  const ns = (scenario: string, subject: string) => report.figures.find((f) => f.scenario === scenario && f.subject === subject)?.nsPerOp;
  const e = report.environment;
  const out: string[] = [
    `From the last full \`npm run bench\` (${report.generatedAt.slice(0, 10)}, Node ${e['node']}, ${e['cpu']} × ${e['cores']}, ` +
      `load average ${e['loadAverage1mAtStart']} at the start, ${Math.round(report.wallSeconds)} s); ns per operation, lower is better. Every figure, the floors and the C ` +
      'harness are in [bench/results/latest.md](bench/results/latest.md); how it measures is in [bench/README.md](bench/README.md).',
    '',
    `| operation | ${AUTO_ORDER.join(' | ')} | without a pool, same run |`,
    `|---|${AUTO_ORDER.map(() => '---:|').join('')}---|`,
  ];
  for (const [scenario, what] of PICKS) {
    const cells = AUTO_ORDER.map((b) => ns(scenario, b));
    const best = Math.min(...cells.filter((c): c is number => c !== undefined));
    const shown = cells.map((c) => (c === undefined ? 'skipped' : c === best ? `**${fmtNs(c)}**` : fmtNs(c)));
    const others = report.figures
      .filter((f) => f.scenario === scenario && !(AUTO_ORDER as readonly string[]).includes(f.subject))
      .map((f) => `${f.subject} ${fmtNs(f.nsPerOp)}`)
      .join(', ');
    out.push(`| ${what} | ${shown.join(' | ')} | ${others || '—'} |`);
  }
  const book = report.sweeps.filter((p) => p.workload === 'orderbook');
  if (book.length) {
    const smallest = Math.min(...book.map((p) => p.live));
    const at = (subject: string) => book.find((p) => p.live === smallest && p.subject === subject);
    const cells = AUTO_ORDER.map((b) => at(b)?.nsPerEvent);
    const best = Math.min(...cells.filter((c): c is number => c !== undefined));
    const shown = cells.map((c) => (c === undefined ? 'skipped' : c === best ? `**${fmtNs(c)}**` : fmtNs(c)));
    const others = book
      .filter((p) => p.live === smallest && !(AUTO_ORDER as readonly string[]).includes(p.subject))
      .map((p) => `${p.subject} ${fmtNs(p.nsPerEvent)}${p.stoppedEarly ? '*' : ''}`)
      .join(', ');
    out.push(`| order book event (${fmtInt(smallest)} resting; more sizes below) | ${shown.join(' | ')} | ${others || '—'} |`);
  }
  out.push('', '![ns per operation by scenario and subject](bench/results/chart.svg)');

  if (report.sweeps.length) {
    out.push(
      '',
      '### As the work grows',
      '',
      'Each point is one subject at one size in its own process; orders and objects are 64 bytes of numbers in every subject. ' +
        'Order book subjects find an order by id through a `Map`, except `js, id index` (a `Uint32Array` indexed by id) and `js, layout, hash index` (fields by name through a struct layout, ids in an open-addressing hash index of typed arrays). ' +
        'GC pauses are those that started during the timed events; bytes per live object are the growth after a full collection.',
      '',
      '![cost per event and longest GC pause against live objects](bench/results/sweep.svg)',
      '',
      ...largestBook(report.sweeps),
    );
    for (const w of WORKLOADS) {
      const table = sweepSummary(report.sweeps, w);
      if (table.length) out.push('', `${WORKLOAD_TITLE[w]}:`, '', ...table);
    }
    if (report.sweeps.some((p) => p.stoppedEarly)) out.push('', '\\* stopped at the time limit: measured over the events it got through.');
  }

  out.push('', 'The targets the benchmark checks:', '', ...targetsTable(report));
  const reasons = missedReasons(report);
  if (reasons.length) out.push('', 'Why the missed targets are missed:', '', ...reasons);
  return out.join('\n');
}

/** Replaces the section between the README's bench markers with this run's. */
export function updateReadme(path: string, report: Report): boolean {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (start < 0 || end < start) return false;
  writeFileSync(path, `${text.slice(0, start + BEGIN.length)}\n${readmeSection(report)}\n${text.slice(end)}`);
  return true;
}
