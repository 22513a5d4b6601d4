import { describe } from 'vitest';
import type { BackendModule } from '@mempool/api';
import { createContext } from './context.js';
import { arenaRows } from './seed/arena.js';
import { errorAndVersionRows } from './seed/errors-and-version.js';
import { fixedPoolRows } from './seed/fixed-pool.js';
import { batchesAndMarks } from './contract/batches-and-marks.js';
import { bigMemory } from './contract/big-memory.js';
import { determinism } from './contract/determinism.js';
import { errorMatrix } from './contract/error-matrix.js';
import { layouts } from './contract/layouts.js';
import { lifetime } from './contract/lifetime.js';
import { modelRuns, type ModelRunOptions } from './contract/model-runs.js';

export type { ModelRunOptions } from './contract/model-runs.js';
export { recordTrace } from './contract/reference-trace.js';
export { SUITE_PREFIX } from './summary.js';
import { SUITE_PREFIX } from './summary.js';

export interface ConformanceOptions {
  readonly modelRuns?: ModelRunOptions;
}

/**
 * Registers the whole conformance suite for one backend package, as vitest cases under
 * `conformance <name>`: every row of the original product's test table, then the contract's own
 * rows. Call it from a test file: `registerConformanceSuite(await import('my-backend'))`.
 */
export function registerConformanceSuite(module: BackendModule, options: ConformanceOptions = {}): void {
  describe(`${SUITE_PREFIX}${module.backend.name}`, () => {
    const context = createContext(module);
    fixedPoolRows(context);
    arenaRows(context);
    errorAndVersionRows(context);
    errorMatrix(context);
    determinism(context);
    batchesAndMarks(context);
    bigMemory(context);
    lifetime(context);
    layouts(context);
    modelRuns(context, options.modelRuns);
  });
}
