import * as vega from 'vega';
import { subjectColours } from './colours.js';
import type { Figure } from './types.js';

/** One point of the workers sweep: a subject's throughput on the burst runs with `workers` workers. */
export interface WorkersPoint {
  readonly subject: string;
  readonly workers: number;
  /** Million alloc/free pairs per second, all workers together. */
  readonly mPairsPerSecond: number;
}

const BURSTS = /^shared\.pairs\.(\d+)w$/;

/** The burst figures (`shared.pairs.<n>w`) as throughput points, one per subject and worker count. */
export function workersPoints(figures: readonly Figure[]): WorkersPoint[] {
  return figures.flatMap((f) => {
    const m = BURSTS.exec(f.scenario);
    return m ? [{ subject: f.subject, workers: Number(m[1]), mPairsPerSecond: 1000 / f.nsPerOp }] : [];
  });
}

/** The points as markdown table lines: a row per subject, a column per worker count. */
export function workersTable(points: readonly WorkersPoint[]): string[] {
  const counts = [...new Set(points.map((p) => p.workers))].sort((a, b) => a - b);
  const subjects = [...new Set(points.map((p) => p.subject))];
  const cell = (s: string, n: number): string => {
    const p = points.find((q) => q.subject === s && q.workers === n);
    return p ? p.mPairsPerSecond.toFixed(p.mPairsPerSecond >= 10 ? 0 : 1) : '';
  };
  return [
    `| M pairs/s | ${counts.map((n) => `${n} worker${n === 1 ? '' : 's'}`).join(' | ')} |`,
    `|---|${counts.map(() => '---:').join('|')}|`,
    ...subjects.map((s) => `| ${s} | ${counts.map((n) => cell(s, n)).join(' | ')} |`),
  ];
}

/**
 * Throughput against workers as SVG (vega 6, headless), one line per subject: private pools (the
 * ceiling), the shared pool, the shared pool behind a mutex. Both axes log 2, so linear scaling is
 * a straight line at 45 degrees.
 */
export async function renderWorkersChart(points: readonly WorkersPoint[], title: string): Promise<string> {
  const counts = [...new Set(points.map((p) => p.workers))].sort((a, b) => a - b);
  const values = points.map((p) => p.mPairsPerSecond);
  const subjects = [...new Set(points.map((p) => p.subject))];
  const width = 420;
  const height = 280;
  const at = { x: { scale: 'x', field: 'workers' }, y: { scale: 'y', field: 'mPairsPerSecond' } };
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    title: { text: title, subtitle: 'bursts of 16 allocs then 16 frees per worker; main thread asleep', anchor: 'start', fontSize: 14 },
    width,
    height,
    padding: 10,
    background: 'white',
    data: [{ name: 'points', values: points.map((p) => ({ ...p })) }],
    scales: [
      { name: 'x', type: 'log', base: 2, domain: [counts[0]! / 1.3, counts[counts.length - 1]! * 1.3], range: [0, width], nice: false },
      {
        name: 'y',
        type: 'log',
        domain: [10 ** Math.floor(Math.log10(Math.min(...values))), 10 ** Math.ceil(Math.log10(Math.max(...values)))],
        range: [height, 0],
        nice: false,
      },
      { name: 'color', type: 'ordinal', ...subjectColours(subjects) },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'workers', values: counts },
      { orient: 'left', scale: 'y', title: 'M alloc/free pairs per second (log scale)', format: '~s' },
    ],
    legends: [
      { stroke: 'color', fill: 'color', orient: 'top', direction: 'horizontal', columns: 3, symbolType: 'stroke', symbolStrokeWidth: 3 },
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { name: 'series', data: 'points', groupby: 'subject' } },
        marks: [
          {
            type: 'line',
            from: { data: 'series' },
            sort: { field: 'datum.workers' },
            encode: {
              enter: {
                ...at,
                stroke: { scale: 'color', field: 'subject' },
                strokeWidth: { value: 2 },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: 'series' },
            encode: {
              enter: {
                ...at,
                fill: { scale: 'color', field: 'subject' },
                size: { value: 30 },
                tooltip: {
                  signal: "datum.subject + ', ' + datum.workers + ' workers: ' + format(datum.mPairsPerSecond, '.3~r') + ' M pairs/s'",
                },
              },
            },
          },
        ],
      },
    ],
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
