/**
 * One subject in its own process, so no JIT state (inline caches, optimized code, heap shape) leaks
 * from one subject into another. `node dist/child.js <kind:name[:...]> <out.json> [--quick]`.
 */
import { writeFileSync } from 'node:fs';
import { AUTO_ORDER, loadBackend, type BackendName } from '@mempool/api';
import { describe, measure, type Case } from './measure.js';
import { arenaCases } from './scenarios/arena.js';
import { baselineCases, BASELINES, type BaselineName } from './scenarios/baselines.js';
import { churnEvents, runChurn } from './scenarios/churn.js';
import { fieldCases } from './scenarios/fields.js';
import { indexFigures, INDEX_SUBJECTS, type IndexSubject } from './scenarios/index-map.js';
import { floorCases, FLOORS, type FloorName } from './scenarios/floors.js';
import { orderBookEvents, runOrderBook } from './scenarios/orderbook.js';
import { poolCases } from './scenarios/pool.js';
import { queueFigures } from './scenarios/queue.js';
import { sharedFigures } from './scenarios/shared.js';
import { FLOOR_SUBJECT } from './subjects.js';
import { SWEEP_SUBJECTS } from './sweep-subjects.js';
import { budgetFor, type Budget, type SubjectResult } from './types.js';

const [id = '', out = '', ...rest] = process.argv.slice(2);
const budget = budgetFor(rest.includes('--quick'));
const [kind = '', ...parts] = id.split(':');

/** What one child produces, filled in by the kind's runner. */
type Result = Omit<SubjectResult, 'subject'>;

/** Times a list of tinybench cases under `subject`; a list that cannot even be built is a skip. */
async function timed(subject: string, cases: () => Case[]): Promise<Result> {
  let list: Case[];
  try {
    list = cases();
  } catch (error) {
    process.stderr.write(`    ${subject}: skipped: ${describe(error)}\n`);
    return { figures: [], skipped: [{ scenario: '*', subject, reason: describe(error) }] };
  }
  return measure(subject, list, budget);
}

/** A sweep point whose timing would take longer than this stops early (measured on what it got through). */
const sweepLimitMs = (b: Budget) => (b.quick ? 5_000 : 8_000);

/**
 * How each kind of child runs, by the first part of its id. A new kind of scenario is one more
 * entry here plus its specs in subjects.ts.
 */
const KINDS: Record<string, (parts: string[]) => Promise<Result>> = {
  floor: async ([name = '']) => {
    if (!(FLOORS as readonly string[]).includes(name)) throw new Error(`unknown floor ${name}`);
    return timed(FLOOR_SUBJECT[name as FloorName], () => floorCases(name as FloorName));
  },
  baseline: async ([name = '']) => {
    if (!(BASELINES as readonly string[]).includes(name)) throw new Error(`unknown baseline ${name}`);
    return timed(name, () => baselineCases(name as BaselineName));
  },
  backend: async ([name = '']) => {
    if (!(AUTO_ORDER as readonly string[]).includes(name)) throw new Error(`unknown backend ${name}`);
    const b = await loadBackend(name as BackendName);
    const r = await timed(name, () => [...poolCases(b), ...arenaCases(b)]);
    return { ...r, meta: { version: b.version } };
  },
  fields: async ([name = '']) => {
    if (!(AUTO_ORDER as readonly string[]).includes(name)) throw new Error(`unknown backend ${name}`);
    const b = await loadBackend(name as BackendName);
    const r = await timed(name, () => fieldCases(b));
    return { ...r, meta: { version: b.version } };
  },
  // One shared pool used by 1 and 2 workers, against a mutex and per-worker pools.
  shared: async ([name = '']) => {
    if (!(AUTO_ORDER as readonly string[]).includes(name)) throw new Error(`unknown backend ${name}`);
    return sharedFigures(`@mempool/backend-${name}`, budget);
  },
  // The id index alone: one index and size per process.
  index: async ([name = '', size = '']) => {
    if (!(name in INDEX_SUBJECTS) || !(Number(size) > 0)) throw new Error(`unknown index subject ${name} or size ${size}`);
    return { figures: await indexFigures(name as IndexSubject, Number(size), budget.quick), skipped: [] };
  },
  // Handles between workers: the queue, postMessage and the hand-written ring.
  queue: async () => queueFigures(budget),
  sweep: async ([workload = '', key = '', size = '']) => {
    const subject = SWEEP_SUBJECTS.find((s) => s.key === key);
    const live = Number(size);
    if (!subject || !(live > 0)) throw new Error(`unknown sweep subject ${key} or size ${size}`);
    const limit = sweepLimitMs(budget);
    // Three passes, the median reported: one descheduled moment on a busy machine should not decide a point.
    const passes = budget.quick ? 1 : 3;
    try {
      if (workload === 'orderbook' && subject.orderbook) {
        const events = orderBookEvents(live, budget.quick);
        return {
          figures: [],
          skipped: [],
          sweeps: [await runOrderBook(subject.name, await subject.orderbook(), live, events, passes, limit)],
        };
      }
      if (workload === 'churn' && subject.churn) {
        return {
          figures: [],
          skipped: [],
          sweeps: [await runChurn(subject.name, await subject.churn(), live, churnEvents(live, budget.quick), passes, limit)],
        };
      }
    } catch (error) {
      process.stderr.write(`    ${subject.name} ${workload} ${live}: skipped: ${describe(error)}\n`);
      return { figures: [], skipped: [{ scenario: `${workload}@${live}`, subject: subject.name, reason: describe(error) }] };
    }
    throw new Error(`subject ${key} has no ${workload} workload`);
  },
};

async function run(): Promise<SubjectResult> {
  const runner = KINDS[kind];
  if (!runner) throw new Error(`unknown subject ${id}`);
  return { subject: id, ...(await runner(parts)) };
}

run().then(
  (result) => writeFileSync(out, JSON.stringify(result)),
  (error: unknown) => {
    // A backend that is not built or does not load is a skip with its reason, not a crash.
    const result: SubjectResult = {
      subject: id,
      figures: [],
      skipped: [{ scenario: '*', subject: parts[0] ?? id, reason: describe(error) }],
    };
    writeFileSync(out, JSON.stringify(result));
  },
);
