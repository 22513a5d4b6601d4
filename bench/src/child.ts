/**
 * One subject in its own process, so no JIT state (inline caches, optimized code, heap shape) leaks
 * from one subject into another. `node dist/child.js <kind:name> <out.json> [--quick]`.
 */
import { writeFileSync } from 'node:fs';
import type { Backend, BackendModule } from '@mempool/api';
import { describe, measure, type Case } from './measure.js';
import { arenaCases } from './scenarios/arena.js';
import { baselineCases, BASELINES, type BaselineName } from './scenarios/baselines.js';
import { fieldCases } from './scenarios/fields.js';
import { floorCases, FLOORS, type FloorName } from './scenarios/floors.js';
import { ObjectBook, PoolBook, runOrderBook } from './scenarios/orderbook.js';
import { poolCases } from './scenarios/pool.js';
import { sharedFigures } from './scenarios/shared.js';
import { BACKENDS, backendPackage, FLOOR_SUBJECT, OBJECTS_SUBJECT, type BackendName } from './subjects.js';
import { budgetFor, type Figure, type Skip, type SubjectResult } from './types.js';

const [id = '', out = '', ...rest] = process.argv.slice(2);
const budget = budgetFor(rest.includes('--quick'));
const [kind, name = ''] = id.split(':');

async function loadBackend(b: BackendName): Promise<Backend> {
  const mod = (await import(backendPackage(b))) as BackendModule;
  if (!mod.backend || typeof mod.backend.createFixedPool !== 'function') throw new Error(`${backendPackage(b)} exports no backend`);
  return mod.backend;
}

const isBackend = (n: string): n is BackendName => (BACKENDS as readonly string[]).includes(n);

async function run(): Promise<SubjectResult> {
  const figures: Figure[] = [];
  const skipped: Skip[] = [];
  const meta: Record<string, string> = {};
  const timed = async (subject: string, cases: () => Case[]) => {
    let list: Case[];
    try {
      list = cases();
    } catch (error) {
      skipped.push({ scenario: '*', subject, reason: describe(error) });
      process.stderr.write(`    ${subject}: skipped: ${describe(error)}\n`);
      return;
    }
    const r = await measure(subject, list, budget);
    figures.push(...r.figures);
    skipped.push(...r.skipped);
  };

  if (kind === 'floor' && (FLOORS as readonly string[]).includes(name)) {
    await timed(FLOOR_SUBJECT[name as FloorName], () => floorCases(name as FloorName));
  } else if (kind === 'baseline' && (BASELINES as readonly string[]).includes(name)) {
    await timed(name, () => baselineCases(name as BaselineName));
  } else if (kind === 'backend' && isBackend(name)) {
    const b = await loadBackend(name);
    meta['version'] = b.version;
    await timed(name, () => [...poolCases(b), ...arenaCases(b)]);
  } else if (kind === 'fields' && isBackend(name)) {
    const b = await loadBackend(name);
    meta['version'] = b.version;
    await timed(name, () => fieldCases(b));
  } else if (kind === 'shared' && isBackend(name)) {
    const r = await sharedFigures(backendPackage(name), budget);
    figures.push(...r.figures);
    skipped.push(...r.skipped);
  } else if (kind === 'orderbook') {
    const events = budget.quick ? 100_000 : 1_000_000;
    const passes = budget.quick ? 1 : 3;
    if (name === 'objects') {
      figures.push(await runOrderBook(OBJECTS_SUBJECT, () => new ObjectBook(), events, passes));
    } else if (isBackend(name)) {
      const b = await loadBackend(name);
      meta['version'] = b.version;
      try {
        figures.push(await runOrderBook(name, () => new PoolBook(b, 16_384), events, passes));
      } catch (error) {
        skipped.push({ scenario: 'orderbook', subject: name, reason: describe(error) });
      }
    } else throw new Error(`unknown subject ${id}`);
  } else {
    throw new Error(`unknown subject ${id}`);
  }
  return { subject: id, figures, skipped, meta };
}

run().then(
  (result) => writeFileSync(out, JSON.stringify(result)),
  (error: unknown) => {
    // A backend that is not built or does not load is a skip with its reason, not a crash.
    const result: SubjectResult = { subject: id, figures: [], skipped: [{ scenario: '*', subject: name, reason: describe(error) }] };
    writeFileSync(out, JSON.stringify(result));
  },
);
