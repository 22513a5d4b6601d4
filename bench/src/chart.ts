import * as vega from 'vega';
import { subjectColours } from './colours.js';
import type { Figure } from './types.js';

/** Legend order: who ran it, so a subject's bars read alike across scenarios. */
const SUBJECT_ORDER = [
  'js',
  'wasm',
  'native',
  'C library',
  'C library (LTO)',
  'Uint8Array',
  'Buffer',
  'object',
  'MemPool',
  'empty loop',
  'wasm call',
  'addon call',
  'raw N-API call',
  'empty C call',
  'glibc',
  'mimalloc',
  'jemalloc',
  'tcmalloc',
];

/** Microsecond-scale scenarios stay off the ns axis (their figures are in the tables). */
export const OFF_CHART = ['pool.create'];

/**
 * ns per operation by scenario and subject as horizontal bars on a log axis, each with its ±rme as
 * an error bar, rendered to SVG by vega 6 headless (`renderer: 'none'`, no canvas needed).
 */
export async function renderChart(figures: readonly Figure[], title: string): Promise<string> {
  const rows = figures
    .filter((f) => !OFF_CHART.includes(f.scenario))
    .map((f) => ({
      key: `${f.scenario}|${f.subject}`,
      scenario: f.scenario,
      subject: f.subject,
      ns: Math.max(f.nsPerOp, 0.01),
      lo: Math.max(f.nsPerOp * (1 - f.rmePercent / 100), 0.01),
      hi: f.nsPerOp * (1 + f.rmePercent / 100),
      text: f.nsPerOp >= 100 ? f.nsPerOp.toFixed(0) : f.nsPerOp >= 10 ? f.nsPerOp.toFixed(1) : f.nsPerOp.toFixed(2),
    }));
  const subjects = [
    ...SUBJECT_ORDER.filter((s) => rows.some((r) => r.subject === s)),
    ...new Set(rows.map((r) => r.subject).filter((s) => !SUBJECT_ORDER.includes(s))),
  ];
  const max = Math.max(...rows.map((r) => r.ns), 1);
  const min = Math.min(...rows.map((r) => r.ns), 1);
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    title: {
      text: title,
      subtitle: `error bars: ±rme (95%); ${OFF_CHART.join(', ')} (µs) is in the table, not on this axis`,
      anchor: 'start',
      fontSize: 14,
    },
    width: 560,
    height: Math.max(200, rows.length * 15),
    padding: 8,
    background: 'white',
    data: [{ name: 'figures', values: rows }],
    scales: [
      { name: 'y', type: 'band', domain: rows.map((r) => r.key), range: 'height', padding: 0.15 },
      {
        name: 'x',
        type: 'log',
        domain: [Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max * 3)))],
        range: 'width',
        nice: false,
      },
      { name: 'color', type: 'ordinal', ...subjectColours(subjects) },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'ns per operation (log scale, shorter is faster)', grid: true, tickCount: 8, format: '~s' },
      {
        orient: 'left',
        scale: 'y',
        labelFontSize: 10,
        labelLimit: 320,
        encode: { labels: { update: { text: { signal: "replace(datum.value, '|', '  ·  ')" } } } },
      },
    ],
    legends: [{ fill: 'color', title: 'subject', orient: 'right' }],
    marks: [
      {
        type: 'rect',
        from: { data: 'figures' },
        encode: {
          enter: {
            y: { scale: 'y', field: 'key' },
            height: { scale: 'y', band: 1 },
            x: { value: 0 },
            x2: { scale: 'x', field: 'ns' },
            fill: { scale: 'color', field: 'subject' },
            tooltip: { signal: "datum.subject + ' ' + datum.scenario + ': ' + datum.text + ' ns'" },
          },
        },
      },
      {
        type: 'rule',
        from: { data: 'figures' },
        encode: {
          enter: {
            y: { scale: 'y', field: 'key', band: 0.5 },
            x: { scale: 'x', field: 'lo' },
            x2: { scale: 'x', field: 'hi' },
            stroke: { value: '#222' },
            strokeWidth: { value: 1.2 },
          },
        },
      },
      {
        type: 'text',
        from: { data: 'figures' },
        encode: {
          enter: {
            y: { scale: 'y', field: 'key', band: 0.5 },
            x: { scale: 'x', field: 'hi', offset: 3 },
            baseline: { value: 'middle' },
            fontSize: { value: 9 },
            fill: { value: '#333' },
            text: { field: 'text' },
          },
        },
      },
    ],
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
