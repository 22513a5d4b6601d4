import { AUTO_ORDER } from '@mempool/api';
import { indexSizes, INDEX_SUBJECTS } from './scenarios/index-map.js';
import { SWEEP_SUBJECTS } from './sweep-subjects.js';
import { sweepSizes, type SweepWorkload } from './sweep.js';

/** Every child process the bench starts, in the order it runs them. */
export interface SubjectSpec {
  /** `kind:name[:...]`, passed to the child (`child.ts` dispatches on `kind`). */
  readonly id: string;
  readonly title: string;
  /** Node flags for the child (the sweeps want `--expose-gc` to measure from a clean heap). */
  readonly nodeFlags?: readonly string[];
}

const WORKLOAD_TITLE: Record<SweepWorkload, string> = { orderbook: 'order book', churn: 'churn' };

/** The sweeps: one child per workload, subject and size, smallest size first. */
function sweepSpecs(workload: SweepWorkload, quick: boolean): SubjectSpec[] {
  return sweepSizes(workload, quick).flatMap((size) =>
    SWEEP_SUBJECTS.filter((s) => s[workload]).map((s) => ({
      id: `sweep:${workload}:${s.key}:${size}`,
      title: `${WORKLOAD_TITLE[workload]}, ${size.toLocaleString('en-US')} live: ${s.name}`,
      nodeFlags: ['--expose-gc'],
    })),
  );
}

export function subjectsFor(quick: boolean): SubjectSpec[] {
  return [
    { id: 'floor:loop', title: 'floor: empty loop' },
    { id: 'floor:wasm', title: 'floor: empty wasm call' },
    { id: 'floor:addon', title: 'floor: empty node-addon-api call' },
    { id: 'baseline:Uint8Array', title: 'baseline: new Uint8Array(64)' },
    { id: 'baseline:Buffer', title: 'baseline: Buffer.allocUnsafe(64)' },
    { id: 'baseline:object', title: 'baseline: object literal' },
    { id: 'baseline:MemPool', title: "baseline: @thi.ng/malloc's MemPool" },
    ...AUTO_ORDER.map((b) => ({ id: `backend:${b}`, title: `backend ${b}: fixed pool and arena` })),
    ...AUTO_ORDER.map((b) => ({ id: `fields:${b}`, title: `fields ${b}: layout accessors vs hand-written indexing` })),
    ...AUTO_ORDER.map((b) => ({ id: `shared:${b}`, title: `backend ${b}: shared pool, 1 and 2 workers` })),
    ...indexSizes(quick).flatMap((size) =>
      Object.entries(INDEX_SUBJECTS).map(([key, name]) => ({
        id: `index:${key}:${size}`,
        title: `id index, ${size.toLocaleString('en-US')} keys: ${name}`,
        nodeFlags: ['--expose-gc'],
      })),
    ),
    { id: 'queue', title: 'handle queue between workers vs postMessage and the hand-written ring' },
    ...sweepSpecs('orderbook', quick),
    ...sweepSpecs('churn', quick),
  ];
}

/** Subject names as they appear in the table. */
export const FLOOR_SUBJECT = { loop: 'empty loop', wasm: 'wasm call', addon: 'addon call' } as const;
