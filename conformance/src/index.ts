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
import { lifetime } from './contract/lifetime.js';
import { modelRuns, type ModelRunOptions } from './contract/model-runs.js';
import { sharedHolders } from './shared/shared-holders.js';
import { SHARED_SUFFIX, sharedVariant } from './shared/shared-module.js';

export type { ModelRunOptions } from './contract/model-runs.js';
export { recordTrace } from './contract/reference-trace.js';
export { SUITE_PREFIX } from './summary.js';
import { SUITE_PREFIX } from './summary.js';

export interface ConformanceOptions {
  readonly modelRuns?: ModelRunOptions;
  /** Run the suite a second time on shared allocators where `supports.shared` is true (default). */
  readonly shared?: boolean;
}

/**
 * Registers the whole conformance suite for one backend package, as vitest cases under
 * `conformance <name>`: every row of the original product's test table, then the contract's own
 * rows. Call it from a test file: `registerConformanceSuite(await import('my-backend'))`.
 */
export function registerConformanceSuite(module: BackendModule, options: ConformanceOptions = {}): void {
  registerOn(module, options, false);
  if (module.backend.supports.shared && options.shared !== false) registerOn(sharedVariant(module), options, true);
}

function registerOn(module: BackendModule, options: ConformanceOptions, shared: boolean): void {
  describe(`${SUITE_PREFIX}${module.backend.name}${shared ? SHARED_SUFFIX : ''}`, () => {
    const context = createContext(module);
    fixedPoolRows(context);
    arenaRows(context);
    errorAndVersionRows(context);
    errorMatrix(context);
    determinism(context);
    batchesAndMarks(context);
    bigMemory(context);
    lifetime(context);
    modelRuns(context, options.modelRuns);
    sharedHolders(context);
  });
}
