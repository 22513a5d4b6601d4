import { readFileSync, writeFileSync } from 'node:fs';
import { fmtNs, targetsTable, type Report } from './report.js';

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';
const BACKENDS = ['js', 'wasm', 'native'] as const;
/** The scenarios a user picks a backend by, with what one operation is in a few words. */
const PICKS: readonly [scenario: string, what: string][] = [
  ['pool.pair', 'pool `alloc()` + `free()`'],
  ['pool.churn', 'pool: 1,000 allocs then 1,000 frees, per object'],
  ['pool.many', '`allocMany` + `freeMany` of 1,000, per handle'],
  ['pool.create', '`createFixedPool(64, 1024)` + `destroy()`'],
  ['arena.alloc16', 'arena `alloc(16, 8)`'],
  ['arena.mark', 'arena `rewind(mark())`'],
  ['orderbook', 'order book event (1M events, 10,000 resting)'],
];

/**
 * The README's benchmark section, from a full run: which backend is fastest at what, what the
 * alternatives cost in the same run, the targets, and the chart.
 */
export function readmeSection(report: Report): string {
  const ns = (scenario: string, subject: string) =>
    report.figures.find((f) => f.scenario === scenario && f.subject === subject)?.nsPerOp;
  const e = report.environment;
  const out: string[] = [
    `From the last full \`npm run bench\` (${report.generatedAt.slice(0, 10)}, Node ${e['node']}, ${e['cpu']} × ${e['cores']}, ` +
      `load average ${e['loadAverage1mAtStart']}); ns per operation, lower is better. Every figure, the floors and the C ` +
      'harness are in [bench/results/latest.md](bench/results/latest.md); how it measures is in [bench/README.md](bench/README.md).',
    '',
    '| operation | js | wasm | native | without a pool, same run |',
    '|---|---:|---:|---:|---|',
  ];
  for (const [scenario, what] of PICKS) {
    const cells = BACKENDS.map((b) => ns(scenario, b));
    const best = Math.min(...cells.filter((c): c is number => c !== undefined));
    const shown = cells.map((c) => (c === undefined ? 'skipped' : c === best ? `**${fmtNs(c)}**` : fmtNs(c)));
    const others = report.figures
      .filter((f) => f.scenario === scenario && !(BACKENDS as readonly string[]).includes(f.subject))
      .map((f) => `${f.subject} ${fmtNs(f.nsPerOp)}`)
      .join(', ');
    out.push(`| ${what} | ${shown.join(' | ')} | ${others || '—'} |`);
  }
  out.push('', '![ns per operation by scenario and subject](bench/results/chart.svg)', '', 'The targets the benchmark checks:', '');
  out.push(...targetsTable(report));
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
