import { describe, withRunner } from './runner.js';
import type { BackendModule } from '@mempool/api';
import { createContext } from './context.js';
import { registerGroups } from './groups.js';
import type { ConformanceOptions } from './options.js';
import { SUITE_PREFIX } from './summary-prefix.js';
import { SHARED_SUFFIX, sharedVariant } from './shared-allocators/shared-module.js';

export type { ModelRunOptions } from './contract/model-runs.js';
export { recordTrace, type TraceEntry } from './contract/reference-trace.js';
export { planGroups, type GroupPlan } from './groups.js';
export { CONFORMANCE_GROUPS, type ConformanceGroup, type ConformanceOptions } from './options.js';
export { mulberry32 } from './random.js';
export type { CaseBody, ConformanceRunner } from './runner.js';
export { SUITE_PREFIX } from './summary-prefix.js';

/**
 * Registers the conformance suite for one backend package, as cases of `options.runner` (vitest's by default) under
 * `conformance <name>`: every row of the library's original test table, then the contract's own
 * groups. Call it from a test file: `registerConformanceSuite(await import('my-backend'))`.
 * `options.groups` picks groups; the backend's `supports` switches the capability groups on.
 */
export function registerConformanceSuite(module: BackendModule, options: ConformanceOptions = {}): void {
  registerOn(module, options, '');
  // The same groups again on shared allocators, where the backend has them: used from one thread
  // they must give the same handles and stats.
  if (module.backend.supports.shared && options.shared !== false) registerOn(sharedVariant(module), options, SHARED_SUFFIX);
}

function registerOn(module: BackendModule, options: ConformanceOptions, suffix: string): void {
  const suite = `${SUITE_PREFIX}${module.backend.name}${suffix}`;
  withRunner(options.runner, () => {
    describe(suite, () => {
      registerGroups(createContext(module, options), suite);
    });
  });
}
