import * as vega from 'vega';
import { subjectColours } from './colours.js';
import type { SweepPoint, SweepWorkload } from './sweep.js';

const PANEL_W = 300;
const PANEL_H = 210;
const GAP_X = 90;
const GAP_Y = 80;

const WORKLOAD_TITLE: Record<SweepWorkload, string> = {
  orderbook: 'order book (live = resting orders)',
  churn: 'allocation churn (live = objects alive)',
};

/**
 * One panel: `field` of one workload's points against live objects (log x), one line per subject.
 * Cost is on a log axis too (a subject 100x slower must not flatten the others); pauses are linear
 * from 0, at least to 1 ms, so that "no pause" reads as the floor of the chart.
 */
function panel(
  points: readonly SweepPoint[],
  workload: SweepWorkload,
  field: 'nsPerEvent' | 'gcMaxMs',
  title: string,
  x: number,
  y: number,
): vega.Mark {
  const data = `${workload}-${field}`;
  const mine = points.filter((p) => p.workload === workload);
  const sizes = [...new Set(mine.map((p) => p.live))].sort((a, b) => a - b);
  const values = mine.map((p) => p[field]);
  const yScale: vega.Scale =
    field === 'nsPerEvent'
      ? {
          name: 'y',
          type: 'log',
          domain: [10 ** Math.floor(Math.log10(Math.min(...values))), 10 ** Math.ceil(Math.log10(Math.max(...values)))],
          range: [PANEL_H, 0],
          nice: false,
        }
      : { name: 'y', type: 'linear', domain: [0, Math.max(1, ...values) * 1.05], range: [PANEL_H, 0], nice: true };
  return {
    type: 'group',
    encode: { enter: { x: { value: x }, y: { value: y }, width: { value: PANEL_W }, height: { value: PANEL_H } } },
    title: { text: `${WORKLOAD_TITLE[workload]}: ${title}`, fontSize: 11, anchor: 'start' },
    data: [{ name: data, source: 'points', transform: [{ type: 'filter', expr: `datum.workload === '${workload}'` }] }],
    scales: [
      { name: 'x', type: 'log', domain: [sizes[0]! / 1.6, sizes[sizes.length - 1]! * 1.6], range: [0, PANEL_W], nice: false },
      yScale,
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'live objects (log scale)', values: sizes, format: '~s' },
      { orient: 'left', scale: 'y', title, tickCount: 6, format: '~s' },
    ],
    marks: [
      {
        type: 'group',
        from: { facet: { name: `${data}-series`, data, groupby: 'subject' } },
        marks: [
          {
            type: 'line',
            from: { data: `${data}-series` },
            sort: { field: 'datum.live' },
            encode: {
              enter: {
                x: { scale: 'x', field: 'live' },
                y: { scale: 'y', field },
                stroke: { scale: 'color', field: 'subject' },
                strokeWidth: { value: 2 },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: `${data}-series` },
            encode: {
              enter: {
                x: { scale: 'x', field: 'live' },
                y: { scale: 'y', field },
                fill: { scale: 'color', field: 'subject' },
                size: { value: 30 },
                tooltip: { signal: `datum.subject + ' at ' + datum.live + ': ' + format(datum.${field}, '.3~r')` },
              },
            },
          },
        ],
      },
    ],
  };
}

/**
 * The sweeps as SVG (vega 6, headless): per workload, ns per event and the longest GC pause against
 * live objects on a log axis, one line per subject.
 */
export async function renderSweepChart(all: readonly SweepPoint[], title: string): Promise<string> {
  // A point stopped at its time limit is orders of magnitude off the others' scale: it stays in the
  // tables and is named under the title.
  const points = all.filter((p) => !p.stoppedEarly);
  const off = [...new Set(all.filter((p) => p.stoppedEarly).map((p) => p.subject))];
  const workloads = (['orderbook', 'churn'] as const).filter((w) => points.some((p) => p.workload === w));
  const subjects = [...new Set(points.map((p) => p.subject))];
  const marks: vega.Mark[] = [];
  workloads.forEach((w, row) => {
    const y = row * (PANEL_H + GAP_Y) + 20;
    marks.push(
      panel(points, w, 'nsPerEvent', 'ns per event (log scale)', 0, y),
      panel(points, w, 'gcMaxMs', 'longest GC pause, ms', PANEL_W + GAP_X, y),
    );
  });
  const spec: vega.Spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    title: {
      text: title,
      ...(off.length ? { subtitle: `not drawn, too slow to finish (see the tables): ${off.join(', ')}` } : {}),
      anchor: 'start',
      fontSize: 14,
    },
    width: 2 * PANEL_W + GAP_X,
    height: workloads.length * (PANEL_H + GAP_Y) - GAP_Y + 20,
    padding: 10,
    background: 'white',
    data: [{ name: 'points', values: points.map((p) => ({ ...p })) }],
    scales: [{ name: 'color', type: 'ordinal', ...subjectColours(subjects) }],
    legends: [
      { stroke: 'color', fill: 'color', orient: 'top', direction: 'horizontal', columns: 5, symbolType: 'stroke', symbolStrokeWidth: 3 },
    ],
    marks,
  };
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
