import type { ModelRunOptions } from './contract/model-runs.js';
import type { ConformanceRunner } from './runner.js';

/** The groups of cases, in the order they are registered; see `groups.ts` for what each needs. */
export const CONFORMANCE_GROUPS = [
  'testTable',
  'errorMatrix',
  'determinism',
  'batchesAndMarks',
  'lifetime',
  'gcReclaim',
  'bigMemory',
  'absoluteAlignment',
  'layouts',
  'modelRuns',
  'sharedHolders',
  'hostileBatches',
  'detachedMemory',
] as const;

export type ConformanceGroup = (typeof CONFORMANCE_GROUPS)[number];

/** The second argument of `registerConformanceSuite`. */
export interface ConformanceOptions {
  /**
   * Only these groups (default: all). A group still runs only when the backend's `supports`
   * declares what it checks and the platform can check it.
   */
  readonly groups?: readonly ConformanceGroup[];
  readonly modelRuns?: ModelRunOptions;
  /** Run the suite a second time on shared allocators where `supports.shared` is true (default). */
  readonly shared?: boolean;
  /**
   * The absolute address of a `memory`'s first byte. JavaScript cannot see addresses, so a backend
   * that declares `supports.absoluteAlignment` passes a probe (its own test hook) for the suite to
   * check that promise; without one the group is reported as not run.
   */
  readonly addressOf?: (memory: ArrayBuffer) => number | bigint;
  /**
   * The test runner's `describe` and `it` (and `afterEach`, if it has one) to register the cases
   * with, e.g. node:test's; default: vitest's. Assertions throw, so any runner reports them.
   */
  readonly runner?: ConformanceRunner;
}
